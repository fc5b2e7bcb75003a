package orders

import (
	"strings"
	"unicode"

	"github.com/uifsagw/uifsagw/schemas/canonical"
)

// Person is what the gateway knows to tell one person from another: the
// keyed hash of the SSN, primarily, and name and date of birth as secondary
// evidence.
type Person struct {
	// SSNKey is the hex HMAC of the SSN; empty when the SSN is not known.
	SSNKey string
	Name   canonical.Name
	DOB    *canonical.Date
}

// MatchLevel is how strongly the evidence says two records are one person.
// Levels are ordered: a higher level is stronger evidence.
type MatchLevel int

// Match levels.
const (
	// MatchNone: nothing links the two, or the evidence says they differ
	// (different SSN keys, or different dates of birth).
	MatchNone MatchLevel = iota
	// MatchWeak: the names agree but a date of birth is missing, or the dates
	// of birth and last names agree with only the first initials alike
	// ("Rob" and "Robert"). Worth a person's look, never decisive.
	MatchWeak
	// MatchNameDOB: no SSN key on one side, and the normalised first and last
	// names and the dates of birth agree.
	MatchNameDOB
	// MatchSSN: both SSN keys present and equal.
	MatchSSN
)

func (l MatchLevel) String() string {
	switch l {
	case MatchWeak:
		return "weak"
	case MatchNameDOB:
		return "name_dob"
	case MatchSSN:
		return "ssn"
	}
	return "none"
}

// Match compares two people. The SSN key decides when both sides have one:
// equal keys match whatever the names say (names change on marriage), and
// different keys never match whatever the names say (twins share a surname
// and a birthday). Only without a key on one side do name and date of birth
// count.
func Match(a, b Person) MatchLevel {
	if a.SSNKey != "" && b.SSNKey != "" {
		if a.SSNKey == b.SSNKey {
			return MatchSSN
		}
		return MatchNone
	}
	af, al := NormalizeName(a.Name.First), NormalizeName(a.Name.Last)
	bf, bl := NormalizeName(b.Name.First), NormalizeName(b.Name.Last)
	if al == "" || bl == "" || af == "" || bf == "" {
		return MatchNone
	}
	sameName := af == bf && al == bl
	if a.DOB == nil || b.DOB == nil {
		if sameName {
			return MatchWeak
		}
		return MatchNone
	}
	if *a.DOB != *b.DOB {
		return MatchNone
	}
	if sameName {
		return MatchNameDOB
	}
	if al == bl && af[0] == bf[0] {
		return MatchWeak
	}
	return MatchNone
}

// NormalizeName folds a name part for comparison: letters only, upper case,
// common Latin diacritics removed (José → JOSE), punctuation and spaces
// dropped (O'Brien → OBRIEN, Smith-Jones → SMITHJONES), and a trailing
// generational suffix removed when it follows another word (Smith Jr. → SMITH).
func NormalizeName(s string) string {
	words := strings.FieldsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || r == ',' })
	if len(words) > 1 {
		switch foldLetters(words[len(words)-1]) {
		case "JR", "SR", "II", "III", "IV", "V":
			words = words[:len(words)-1]
		}
	}
	var b strings.Builder
	for _, w := range words {
		b.WriteString(foldLetters(w))
	}
	return b.String()
}

func foldLetters(s string) string {
	var b strings.Builder
	for _, r := range s {
		if f, ok := latinFold[r]; ok {
			b.WriteString(f)
			continue
		}
		if unicode.IsLetter(r) {
			b.WriteRune(unicode.ToUpper(r))
		}
	}
	return b.String()
}

// latinFold maps the accented letters seen in US names to plain capitals.
// A table, not Unicode decomposition, keeps the package free of x/text.
var latinFold = func() map[rune]string {
	m := map[rune]string{'ß': "SS", 'Æ': "AE", 'æ': "AE", 'Œ': "OE", 'œ': "OE", 'Ø': "O", 'ø': "O", 'Ł': "L", 'ł': "L", 'Đ': "D", 'đ': "D"}
	groups := map[string]string{
		"A": "ÀÁÂÃÄÅàáâãäåĀāĂăĄą",
		"C": "ÇçĆćĈĉĊċČč",
		"D": "Ďď",
		"E": "ÈÉÊËèéêëĒēĔĕĖėĘęĚě",
		"G": "ĜĝĞğĠġĢģ",
		"I": "ÌÍÎÏìíîïĨĩĪīĬĭĮįİ",
		"N": "ÑñŃńŅņŇň",
		"O": "ÒÓÔÕÖòóôõöŌōŎŏŐő",
		"R": "ŔŕŖŗŘř",
		"S": "ŚśŜŝŞşŠš",
		"T": "ŢţŤť",
		"U": "ÙÚÛÜùúûüŨũŪūŬŭŮůŰűŲų",
		"Y": "ÝýÿŸ",
		"Z": "ŹźŻżŽž",
	}
	for plain, letters := range groups {
		for _, r := range letters {
			m[r] = plain
		}
	}
	return m
}()
