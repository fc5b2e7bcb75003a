package stafftext

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/uifsagw/uifsagw/schemas/canonical"
)

// Fact is one labelled value of a record shown to staff.
type Fact struct{ Label, Value string }

// Sentence starts s with a capital and ends it with a full stop.
func Sentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	s = strings.ToUpper(s[:1]) + s[1:]
	if !strings.HasSuffix(s, ".") {
		s += "."
	}
	return s
}

// Facts turns other evidence (a JSON object) into labelled rows, SSNs
// and dates of birth masked as in the JSON view.
func Facts(raw []byte) []Fact {
	var m map[string]any
	if json.Unmarshal([]byte(MaskJSONText(string(raw))), &m) != nil {
		return nil
	}
	var out []Fact
	var walk func(prefix string, v any)
	walk = func(prefix string, v any) {
		switch x := v.(type) {
		case map[string]any:
			keys := make([]string, 0, len(x))
			for k := range x {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				label := Humanize(k)
				if prefix != "" {
					label = prefix + " › " + strings.ToLower(label)
				}
				walk(label, x[k])
			}
		case []any:
			for i, e := range x {
				walk(fmt.Sprintf("%s %d", prefix, i+1), e)
			}
		case nil:
		default:
			s := fmt.Sprint(x)
			if strings.EqualFold(prefix, "partner") {
				s = PartnerWords(s)
			}
			out = append(out, Fact{prefix, s})
		}
	}
	walk("", m)
	return out
}

// FullName is a name as one reads it: first, middle, last and suffix.
func FullName(n canonical.Name) string {
	return strings.Join(strings.Fields(strings.Join([]string{n.First, n.Middle, n.Last, n.Suffix}, " ")), " ")
}
