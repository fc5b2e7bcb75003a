package canonical

import (
	"strings"
	"unicode/utf8"
)

// InformationText builds an information block from free text for the
// gateway's own notices: the words are wrapped into lines of at most
// MaxInfoLineLen characters, and text beyond MaxInfoLines lines is cut, the
// last line ending in "..." so the reader knows. CSENet has no room for more.
func InformationText(s string) *Information {
	return &Information{Text: WrapInformation(s)}
}

// WrapInformation wraps s as InformationText does.
func WrapInformation(s string) string {
	var lines []string
	cur := ""
	cut := false
	for _, w := range strings.Fields(s) {
		for utf8.RuneCountInString(w) > MaxInfoLineLen {
			r := []rune(w)
			if cur != "" {
				lines, cur = append(lines, cur), ""
			}
			lines, w = append(lines, string(r[:MaxInfoLineLen])), string(r[MaxInfoLineLen:])
		}
		switch {
		case cur == "":
			cur = w
		case utf8.RuneCountInString(cur)+1+utf8.RuneCountInString(w) <= MaxInfoLineLen:
			cur += " " + w
		default:
			lines, cur = append(lines, cur), w
		}
	}
	if cur != "" {
		lines = append(lines, cur)
	}
	if len(lines) > MaxInfoLines {
		lines, cut = lines[:MaxInfoLines], true
	}
	if cut {
		last := []rune(lines[MaxInfoLines-1])
		if len(last) > MaxInfoLineLen-3 {
			last = last[:MaxInfoLineLen-3]
		}
		lines[MaxInfoLines-1] = string(last) + "..."
	}
	return strings.Join(lines, "\n")
}
