package validate

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/uifsagw/uifsagw/schemas/canonical"
)

// Text wrapped for the information block passes the block's own checks.
func TestInformationText(t *testing.T) {
	short := canonical.InformationText("Please register the order.")
	if short.Text != "Please register the order." {
		t.Errorf("short text %q", short.Text)
	}
	long := canonical.WrapInformation(strings.Repeat("word ", 200) + strings.Repeat("x", 200))
	lines := strings.Split(long, "\n")
	if len(lines) != canonical.MaxInfoLines || !strings.HasSuffix(lines[canonical.MaxInfoLines-1], "...") {
		t.Fatalf("%d lines, last %q", len(lines), lines[len(lines)-1])
	}
	for i, l := range lines {
		if utf8.RuneCountInString(l) > canonical.MaxInfoLineLen {
			t.Errorf("line %d has %d characters", i, utf8.RuneCountInString(l))
		}
	}
	tx := canonical.Transaction{Information: canonical.InformationText(long)}
	v := &validator{}
	v.information("information", tx.Information)
	if len(v.errs) != 0 {
		t.Errorf("wrapped text is refused: %v", v.errs)
	}
}
