package validate

import (
	"testing"

	"github.com/uifsagw/uifsagw/schemas/canonical"
)

// FuzzParseCombos: an operator's code table either parses into well-formed
// combinations or is refused with a line number; it never panics.
func FuzzParseCombos(f *testing.F) {
	f.Add([]byte("function,action,reason,description\nCSI,R,CRSTS,Request case status\nCSI,A,,Ack\n"))
	f.Add([]byte("function,action,reason,description\nXXX,Q,TOOLONG,bad\n"))
	f.Add([]byte("# comment only\n"))
	f.Add([]byte("\"unterminated"))
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := ParseCombos(b)
		if err != nil {
			return
		}
		for _, x := range c.All() {
			if !oneOf(x.Function, canonical.FunctionCodes) || !oneOf(x.Action, canonical.ActionCodes) || (x.Reason != "" && !x.Reason.WellFormed()) {
				t.Fatalf("accepted a malformed combination %+v", x)
			}
		}
	})
}
