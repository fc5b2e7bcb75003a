// Package stafftext is what staff read: codes in a caseworker's words
// (transactions, statuses, states, refusals, actions), and every SSN and
// date of birth masked wherever a page or an answer could show one (decoded
// fields, JSON, the raw body as received in any partner format).
package stafftext

// Words for codes: the staff pages show every code beside what it means, in
// a caseworker's words. The meanings come from data, not from this file: the
// transaction code table through schemas/canonical (the federal CSENet 2000
// table and the gateway's rows, schemas/codes), the code values of the
// federal CSENet layout (schemas/csenet/layout.csv), and the FIPS state names
// in data/states.csv.

import (
	"bytes"
	_ "embed"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"sync"
	"unicode"

	"github.com/uifsagw/uifsagw/gateway/exchange"
	"github.com/uifsagw/uifsagw/schemas"
	"github.com/uifsagw/uifsagw/schemas/canonical"
	"github.com/uifsagw/uifsagw/schemas/canonical/validate"
)

//go:embed data/states.csv
var statesCSV []byte

type vocabulary struct {
	combos *validate.Combos
	// codes maps "block.Field" of the CSENet layout to code → meaning.
	codes map[string]map[string]string
	// states maps a 2-digit FIPS state code, and a postal abbreviation, to the name.
	states map[string]string
}

var vocab = sync.OnceValue(func() *vocabulary {
	v, err := loadVocabulary(schemas.CSENetLayoutCSV, statesCSV)
	if err != nil {
		// The tables are compiled in and tested; a broken one is a build defect.
		panic("review: " + err.Error())
	}
	return v
})

func loadVocabulary(layout, states []byte) (*vocabulary, error) {
	v := &vocabulary{combos: validate.DefaultCombos(), codes: map[string]map[string]string{}, states: map[string]string{}}
	if err := readCSV(layout, func(rec map[string]string) {
		vals := rec["values"]
		if !strings.Contains(vals, "=") {
			return
		}
		m := map[string]string{}
		for _, part := range strings.Split(vals, ";") {
			code, meaning, ok := strings.Cut(strings.TrimSpace(part), "=")
			if ok {
				m[strings.TrimSpace(code)] = strings.TrimSpace(meaning)
			}
		}
		v.codes[rec["block"]+"."+rec["field"]] = m
	}); err != nil {
		return nil, fmt.Errorf("CSENet layout: %w", err)
	}
	if err := readCSV(states, func(rec map[string]string) {
		v.states[rec["fips"]] = rec["name"]
		v.states[rec["postal"]] = rec["name"]
	}); err != nil {
		return nil, fmt.Errorf("state names: %w", err)
	}
	return v, nil
}

// readCSV calls fn with each record keyed by the header's names.
func readCSV(data []byte, fn func(map[string]string)) error {
	r := csv.NewReader(bytes.NewReader(data))
	r.Comment = '#'
	r.FieldsPerRecord = -1
	var header []string
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		if header == nil {
			header = rec
			continue
		}
		m := make(map[string]string, len(header))
		for i, h := range header {
			if i < len(rec) {
				m[h] = rec[i]
			}
		}
		fn(m)
	}
	if header == nil {
		return errors.New("no header line")
	}
	return nil
}

// Str is the string value of a code of any string type (FIPS, Frequency...).
func Str(x any) string {
	if x == nil {
		return ""
	}
	if s, ok := x.(string); ok {
		return s
	}
	rv := reflect.ValueOf(x)
	if rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return ""
		}
		rv = rv.Elem()
	}
	if rv.Kind() == reflect.String {
		return rv.String()
	}
	return fmt.Sprint(x)
}

// CodeWord is the layout's meaning of a code of field ("block.Field"), or ""
// when the code is blank or unknown.
func CodeWord(field string, code any) string {
	c := Str(code)
	if c == "" {
		return ""
	}
	return vocab().codes[field][c]
}

// acronyms keep their capitals when an all-capitals description is put in
// sentence case.
var acronyms = map[string]string{"tanf": "TANF", "iv-d": "IV-D", "ncp": "NCP", "cp": "CP", "iwo": "IWO",
	"uifsa": "UIFSA", "fips": "FIPS", "ssn": "SSN", "irs": "IRS", "csenet": "CSENet", "cej": "CEJ", "eft": "EFT",
	"uib": "UIB", "ui": "UI", "dna": "DNA", "ssa": "SSA", "fpls": "FPLS", "ocse": "OCSE", "nmsn": "NMSN",
	"id": "ID", "us": "US", "u.s.": "U.S.", "non-iv-d": "non-IV-D", "non-tanf": "non-TANF"}

// sentenceCase tidies a description of the code table for reading:
// "ENFORCEMENT REQUEST – REGISTER ORDER" becomes "Enforcement request –
// register order", and the federal extraction's words run together
// ("Enforcement Provision ofInformation, WageWithholding Established")
// are parted again. Acronyms keep their capitals.
func sentenceCase(s string) string {
	var b strings.Builder
	rs := []rune(s)
	for i, r := range rs {
		if i > 0 && unicode.IsUpper(r) && unicode.IsLower(rs[i-1]) {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
		if r == ',' && i+1 < len(rs) && unicode.IsLetter(rs[i+1]) {
			b.WriteByte(' ')
		}
	}
	words := strings.Fields(strings.ToLower(b.String()))
	for i, w := range words {
		core := strings.TrimFunc(w, func(r rune) bool { return unicode.IsPunct(r) && r != '-' && r != '.' })
		if a, ok := acronyms[core]; ok {
			words[i] = strings.Replace(w, core, a, 1)
		}
	}
	out := strings.Join(words, " ")
	for i, r := range out {
		if unicode.IsLetter(r) {
			return out[:i] + string(unicode.ToUpper(r)) + out[i+len(string(r)):]
		}
	}
	return out
}

// TxWords names a transaction: the code table's description of the
// combination, or the function and action in words when the table does not
// list it.
func TxWords(function, action, reason any) string {
	f, a, r := Str(function), Str(action), Str(reason)
	if f == "" && a == "" {
		return ""
	}
	if d := vocab().combos.Describe(canonical.FunctionCode(f), canonical.ActionCode(a), canonical.ReasonCode(r)); d != "" {
		return sentenceCase(d)
	}
	fw, aw := CodeWord("header.Functional-Type-Code", f), CodeWord("header.Action-Code", a)
	if fw == "" {
		fw = f
	}
	if aw == "" {
		aw = a
	}
	// "Request (an initiating transaction)" → "request".
	if i := strings.Index(aw, " ("); i > 0 {
		aw = aw[:i]
	}
	out := fw + " " + strings.ToLower(aw)
	if r != "" {
		out += " (reason " + r + ", not in the code table)"
	}
	return out
}

// StateName is the name of the state of a FIPS code (state, county and
// office) or of a postal abbreviation; "" when unknown.
func StateName(code any) string {
	c := strings.TrimSpace(Str(code))
	if len(c) >= 2 && c[0] >= '0' && c[0] <= '9' {
		return vocab().states[c[:2]]
	}
	return vocab().states[strings.ToUpper(c)]
}

// FIPSWords is a FIPS code with its state's name: "34 New Jersey", or
// "34005 New Jersey, county 005".
func FIPSWords(code any) string {
	c := strings.TrimSpace(Str(code))
	if c == "" {
		return ""
	}
	name := StateName(c)
	if name == "" {
		return c + " (unknown state)"
	}
	if len(c) >= 5 && c[2:5] != "000" {
		return c + " " + name + ", county " + c[2:5]
	}
	return c + " " + name
}

// PartnerWords is a partner's id with the state's name when the id is a
// postal abbreviation ("NJ New Jersey").
func PartnerWords(p string) string {
	if n := StateName(p); n != "" && len(p) == 2 {
		return p + " " + n
	}
	return p
}

// FreqWord is a frequency in words ("monthly"), "" when blank.
func FreqWord(f any) string {
	c := Str(f)
	if c == "" {
		return ""
	}
	w := CodeWord("order.Order-Freq.", c)
	if w == "" {
		return "per period " + c
	}
	return strings.ToLower(w)
}

// PerPeriod is an amount with its period: "$540.00 monthly".
func PerPeriod(c canonical.Cents, f any) string {
	out := "$" + c.Dollars()
	if w := FreqWord(f); w != "" {
		out += " " + w
	}
	return out
}

// StatusWords says what a message's status means to the person working it.
var StatusWords = map[exchange.Status]string{
	exchange.StatusReceived:       "received, waiting to be processed",
	exchange.StatusProcessing:     "being processed now",
	exchange.StatusProcessed:      "processed; any answers are on their way",
	exchange.StatusNeedsReview:    "waiting for a person to review it",
	exchange.StatusQueued:         "waiting to be sent",
	exchange.StatusSending:        "being sent now",
	exchange.StatusDelivered:      "delivered; the partner signed a receipt",
	exchange.StatusAwaitingPickup: "waiting in the partner's inbox for them to fetch",
	exchange.StatusPickedUp:       "fetched and acknowledged by the partner",
	exchange.StatusDeadLetter:     "sending failed for good; it needs a person",
	exchange.StatusCancelled:      "cancelled by staff",
	exchange.StatusResolved:       "closed by staff",
	exchange.StatusRefused:        "refused by the gateway's rules",
}

// reviewKindWords names a review item's kind.
var reviewKindWords = map[string]string{
	"existing_order":     "An order already exists for this obligor and children",
	"controlling_order":  "Controlling-order determination",
	"possible_duplicate": "Possible duplicate order",
	"unknown_employer":   "Employer not found",
	"iwo_rejected":       "Employer rejected the withholding order",
	"dead_letter":        "Delivery failed for good",
}

// KindWords names a review item's kind.
func KindWords(k string) string {
	if w, ok := reviewKindWords[k]; ok {
		return w
	}
	return Humanize(k)
}

// Humanize turns an identifier (snake_case or CamelCase) into words:
// "ExistingOrderID" → "Existing order ID".
func Humanize(s string) string {
	rs := []rune(s)
	var b strings.Builder
	for i, r := range rs {
		prevLower := i > 0 && unicode.IsLower(rs[i-1])
		nextUpper := i+1 < len(rs) && unicode.IsUpper(rs[i+1])
		switch {
		case r == '_' || r == '-':
			b.WriteByte(' ')
		case i == 0:
			b.WriteRune(unicode.ToUpper(r))
		case unicode.IsUpper(r) && prevLower:
			b.WriteByte(' ')
			if nextUpper {
				b.WriteRune(r)
			} else {
				b.WriteRune(unicode.ToLower(r))
			}
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// actionWords say each action to the person using it: the button, what it
// does (reprocess by direction), and the question asked before the
// destructive ones.
var actionWords = map[exchange.StaffAction]struct{ label, help, helpOut, confirm string }{
	exchange.ActReprocess: {label: "Reprocess",
		help:    "Run the gateway's rules on this message again, as if it had just arrived (after a code table or partner setting was fixed). Any open review item is closed.",
		helpOut: "Put this message back in the queue to be sent again with the same content, and try delivery from the start. Any open review item is closed."},
	exchange.ActResend: {label: "Resend",
		help: "Deliver this message to the partner again, as it was sent before (the partner may already have it; it will recognise the repeat)."},
	exchange.ActCancel: {label: "Cancel message",
		help:    "Stop working this message: it will not be processed or sent. This cannot be undone, but you can reprocess it later.",
		confirm: "Cancel this message? It will not be processed or sent."},
	exchange.ActResolve: {label: "Mark resolved",
		help:    "Close this message as handled outside the gateway. Say in the note what was done.",
		confirm: "Close this message as resolved?"},
}

// ActionHelp says what action does to a message of direction dir.
func ActionHelp(action exchange.StaffAction, dir exchange.Direction) string {
	w := actionWords[action]
	if dir == exchange.DirOut && w.helpOut != "" {
		return w.helpOut
	}
	return w.help
}

// ActionConfirm is the question asked before a destructive action, "" for
// the others.
func ActionConfirm(action exchange.StaffAction) string { return actionWords[action].confirm }

// ActionLabel is the action's button.
func ActionLabel(action exchange.StaffAction) string {
	if l := actionWords[action].label; l != "" {
		return l
	}
	return Humanize(string(action))
}

// AuditFacts are an audit record's details as labelled values.
func AuditFacts(details []byte) []Fact {
	return Facts(details)
}

// DocActionWords names an e-IWO document action (federal e-IWO record
// layout: ORG original, AMD amended, TRM termination, LUM lump sum).
func DocActionWords(a any) string {
	c := Str(a)
	w := map[string]string{"ORG": "Original order", "AMD": "Amended order", "TRM": "Termination", "LUM": "Lump-sum notice"}[c]
	if w == "" {
		return c
	}
	return w + " (" + c + ")"
}
