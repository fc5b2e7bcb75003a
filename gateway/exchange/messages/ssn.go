package messages

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/uifsagw/uifsagw/gateway/exchange/base"
	"github.com/uifsagw/uifsagw/schemas/canonical"
)

// ssnField is one SSN of a transaction, by its canonical path.
type ssnField struct {
	path  string
	role  string
	index int // -1 for the NCP
	ssn   canonical.SSN
	// alias is the index of an alias SSN of the NCP (CSENet's Alias-SSN-1
	// and -2), -1 otherwise. Alias SSNs are sealed like the others but get no
	// matching key: they are other numbers a person used, not who the
	// person is.
	alias int
	// dob is the same person's date of birth, for the matching key beside
	// the SSN's; nil when the message gives none.
	dob *canonical.Date
}

// dobField is one date of birth of a transaction, by its canonical path.
// Dates of birth are sealed like SSNs and left out of the stored canonical form.
type dobField struct {
	path string
	dob  canonical.Date
}

const (
	ncpSSNPath = "ncp.ssn"
	ncpDOBPath = "ncp.dateOfBirth"
)

func participantSSNPath(i int) string { return "participants[" + strconv.Itoa(i) + "].ssn" }
func aliasSSNPath(i int) string       { return "ncp.aliasSsns[" + strconv.Itoa(i) + "]" }
func participantDOBPath(i int) string { return "participants[" + strconv.Itoa(i) + "].dateOfBirth" }

// maskTransaction returns a copy of tx in which every SSN field holds the
// masked form and every date of birth is removed, and every other text field
// that quotes one of those SSNs or dates (free text, a mistyped docket) has
// it masked too, plus the SSNs and dates of birth by path.
func maskTransaction(tx canonical.Transaction) (canonical.Transaction, []ssnField, []dobField, error) {
	var fields []ssnField
	var dobs []dobField
	if tx.NCP != nil && tx.NCP.SSN != "" {
		fields = append(fields, ssnField{path: ncpSSNPath, role: "ncp", index: -1, alias: -1, ssn: tx.NCP.SSN, dob: tx.NCP.DateOfBirth})
	}
	if tx.NCP != nil {
		for i, a := range tx.NCP.AliasSSNs {
			if a != "" {
				fields = append(fields, ssnField{path: aliasSSNPath(i), role: "ncp", index: -1, alias: i, ssn: a})
			}
		}
	}
	if tx.NCP != nil && tx.NCP.DateOfBirth != nil && !tx.NCP.DateOfBirth.IsZero() {
		dobs = append(dobs, dobField{path: ncpDOBPath, dob: *tx.NCP.DateOfBirth})
	}
	for i, p := range tx.Participants {
		if p.SSN != "" {
			fields = append(fields, ssnField{path: participantSSNPath(i), role: participantRole(p.Relationship), index: i, alias: -1, ssn: p.SSN, dob: p.DateOfBirth})
		}
		if p.DateOfBirth != nil && !p.DateOfBirth.IsZero() {
			dobs = append(dobs, dobField{path: participantDOBPath(i), dob: *p.DateOfBirth})
		}
	}
	// The caller's value must stay untouched, and it shares slices and
	// pointers with the copy a plain assignment would make.
	var m canonical.Transaction
	deepCopy(reflect.ValueOf(&m).Elem(), reflect.ValueOf(tx))
	if m.NCP != nil {
		m.NCP.DateOfBirth = nil
	}
	for i := range m.Participants {
		m.Participants[i].DateOfBirth = nil
	}
	if len(fields) == 0 && len(dobs) == 0 {
		return m, nil, nil, nil
	}
	for _, f := range fields {
		if f.alias >= 0 {
			m.NCP.AliasSSNs[f.alias] = canonical.SSN(f.ssn.Masked())
		} else if f.index < 0 {
			m.NCP.SSN = canonical.SSN(f.ssn.Masked())
		} else {
			m.Participants[f.index].SSN = canonical.SSN(f.ssn.Masked())
		}
	}
	// Only well-formed SSNs are searched for elsewhere: a short malformed
	// value would match inside zip codes and amounts.
	var pairs []string
	for _, f := range fields {
		if d := f.ssn.Digits(); len(d) == 9 && allDigits(d) {
			pairs = append(pairs, d, f.ssn.Masked(), d[:3]+"-"+d[3:5]+"-"+d[5:], f.ssn.Masked())
		}
	}
	for _, f := range dobs {
		t := f.dob.Time()
		for _, layout := range []string{"2006-01-02", "01/02/2006", "20060102"} {
			pairs = append(pairs, t.Format(layout), maskedDOB)
		}
	}
	if len(pairs) > 0 {
		shortest := len(pairs[0])
		for i := 0; i < len(pairs); i += 2 {
			shortest = min(shortest, len(pairs[i]))
		}
		scrubStrings(reflect.ValueOf(&m).Elem(), strings.NewReplacer(pairs...), shortest)
	}
	return m, fields, dobs, nil
}

// maskedDOB stands for a date of birth quoted in free text.
const maskedDOB = "****-**-**"

// deepCopy copies src into dst, duplicating what pointers, slices and maps
// refer to. The canonical types are plain data without cycles.
func deepCopy(dst, src reflect.Value) {
	switch src.Kind() {
	case reflect.Pointer:
		if src.IsNil() {
			return
		}
		p := reflect.New(src.Type().Elem())
		deepCopy(p.Elem(), src.Elem())
		dst.Set(p)
	case reflect.Struct:
		for i := 0; i < src.NumField(); i++ {
			if dst.Field(i).CanSet() {
				deepCopy(dst.Field(i), src.Field(i))
			}
		}
	case reflect.Slice:
		if src.IsNil() {
			return
		}
		s := reflect.MakeSlice(src.Type(), src.Len(), src.Len())
		for i := 0; i < src.Len(); i++ {
			deepCopy(s.Index(i), src.Index(i))
		}
		dst.Set(s)
	case reflect.Map:
		if src.IsNil() {
			return
		}
		m := reflect.MakeMapWithSize(src.Type(), src.Len())
		for it := src.MapRange(); it.Next(); {
			v := reflect.New(src.Type().Elem()).Elem()
			deepCopy(v, it.Value())
			m.SetMapIndex(it.Key(), v)
		}
		dst.Set(m)
	default:
		dst.Set(src)
	}
}

// scrubStrings rewrites every string reachable from v with r. Strings
// shorter than shortest, the shortest text r replaces, cannot hold one; most
// of a transaction's strings are codes and names that short, and skipping
// them halves the cost of masking under load.
func scrubStrings(v reflect.Value, r *strings.Replacer, shortest int) {
	switch v.Kind() {
	case reflect.String:
		if v.CanSet() && v.Len() >= shortest {
			v.SetString(r.Replace(v.String()))
		}
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			scrubStrings(v.Elem(), r, shortest)
		}
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			scrubStrings(v.Field(i), r, shortest)
		}
	case reflect.Slice, reflect.Array:
		for i := 0; i < v.Len(); i++ {
			scrubStrings(v.Index(i), r, shortest)
		}
	}
}

// setPII puts a sealed value back at its canonical path: an SSN or a date of
// birth.
func setPII(tx *canonical.Transaction, path string, value []byte) error {
	if !strings.HasSuffix(path, ".dateOfBirth") {
		return setSSN(tx, path, canonical.SSN(value))
	}
	d, err := canonical.ParseDate(string(value))
	if err != nil {
		return fmt.Errorf("exchange: stored date of birth at %s: %w", path, err)
	}
	if path == ncpDOBPath {
		if tx.NCP == nil {
			return fmt.Errorf("exchange: stored date of birth at %s but the transaction has no NCP", path)
		}
		tx.NCP.DateOfBirth = &d
		return nil
	}
	var i int
	if _, err := fmt.Sscanf(path, "participants[%d].dateOfBirth", &i); err != nil || participantDOBPath(i) != path {
		return fmt.Errorf("exchange: unknown date of birth path %q", path)
	}
	if i < 0 || i >= len(tx.Participants) {
		return fmt.Errorf("exchange: stored date of birth at %s but the transaction has %d participants", path, len(tx.Participants))
	}
	tx.Participants[i].DateOfBirth = &d
	return nil
}

// setSSN puts an SSN back at its canonical path.
func setSSN(tx *canonical.Transaction, path string, ssn canonical.SSN) error {
	if path == ncpSSNPath {
		if tx.NCP == nil {
			return fmt.Errorf("exchange: stored SSN at %s but the transaction has no NCP", path)
		}
		tx.NCP.SSN = ssn
		return nil
	}
	var i int
	if strings.HasPrefix(path, "ncp.aliasSsns[") {
		if _, err := fmt.Sscanf(path, "ncp.aliasSsns[%d]", &i); err != nil || aliasSSNPath(i) != path {
			return fmt.Errorf("exchange: unknown SSN path %q", path)
		}
		if tx.NCP == nil || i < 0 || i >= len(tx.NCP.AliasSSNs) {
			return fmt.Errorf("exchange: stored SSN at %s but the transaction has no such alias SSN", path)
		}
		tx.NCP.AliasSSNs[i] = ssn
		return nil
	}
	if _, err := fmt.Sscanf(path, "participants[%d].ssn", &i); err != nil || participantSSNPath(i) != path {
		return fmt.Errorf("exchange: unknown SSN path %q", path)
	}
	if i < 0 || i >= len(tx.Participants) {
		return fmt.Errorf("exchange: stored SSN at %s but the transaction has %d participants", path, len(tx.Participants))
	}
	tx.Participants[i].SSN = ssn
	return nil
}

func ssnAAD(messageID int64, path string) []byte {
	return []byte("uifsagw/ssn/" + strconv.FormatInt(messageID, 10) + "/" + path)
}

func rawAAD(partner string, dir Direction, msgID string) []byte {
	return []byte("uifsagw/raw/" + partner + "\x00" + string(dir) + "\x00" + msgID)
}

// storePII writes the sealed SSNs and dates of birth and the matching keys
// of message id.
func (s *Store) storePII(ctx context.Context, q Querier, id int64, fields []ssnField, dobs []dobField) error {
	for _, f := range fields {
		sealed, err := s.keys.Seal([]byte(f.ssn.Digits()), ssnAAD(id, f.path))
		if err != nil {
			return err
		}
		if _, err := q.Exec(ctx, `INSERT INTO message_ssns (message_id, path, sealed) VALUES ($1, $2, $3)`, id, f.path, sealed); err != nil {
			return fmt.Errorf("exchange: store SSN: %w", err)
		}
		if f.alias >= 0 {
			continue
		}
		if _, err := q.Exec(ctx, insertPersonKeySQL, id, f.role, f.index, s.keys.HashSSN(f.ssn), s.keys.hashDOBOrNil(f.dob)); err != nil {
			return fmt.Errorf("exchange: store person key: %w", err)
		}
	}
	for _, f := range dobs {
		sealed, err := s.keys.Seal([]byte(f.dob.String()), ssnAAD(id, f.path))
		if err != nil {
			return err
		}
		if _, err := q.Exec(ctx, `INSERT INTO message_ssns (message_id, path, sealed) VALUES ($1, $2, $3)`, id, f.path, sealed); err != nil {
			return fmt.Errorf("exchange: store date of birth: %w", err)
		}
	}
	return nil
}

const insertPersonKeySQL = `INSERT INTO person_keys (message_id, role, participant_index, ssn_hmac, dob_hmac) VALUES ($1, $2, $3, $4, $5)`

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// participantRole is the role stored with a participant's person key: the
// words rows stored before the federal codes already hold (cp, ch, ot), so
// old and new rows read alike.
func participantRole(r canonical.Relationship) string {
	switch r {
	case canonical.RelCustodialParty:
		return "cp"
	case canonical.RelChild:
		return "ch"
	case canonical.RelSecondAdult:
		return "ot"
	case canonical.RelNCP:
		return "ncp"
	case canonical.RelPutative:
		return "pf"
	}
	return strings.ToLower(string(r))
}

// nameKeys are the words of the names a transaction carries (the NCP, every
// participant, the NCP's aliases), space-joined, sorted and distinct: what
// the staff search's name filter matches (base.NameKeys normalises both
// sides). Until migration 020 PostgreSQL computed them from the stored
// canonical form in a generated column (uifsagw_name_keys), which cost about
// 190 µs of database CPU per message written; tx is the masked form that is
// stored, so the words are those the function found.
func nameKeys(tx canonical.Transaction) string {
	var b strings.Builder
	add := func(n canonical.Name) {
		b.WriteString(n.First)
		b.WriteByte(' ')
		b.WriteString(n.Middle)
		b.WriteByte(' ')
		b.WriteString(n.Last)
		b.WriteByte(' ')
	}
	if tx.NCP != nil {
		add(tx.NCP.Name)
	}
	for _, p := range tx.Participants {
		add(p.Name)
	}
	if tx.NCPLocate != nil {
		for _, a := range tx.NCPLocate.Aliases {
			add(a)
		}
	}
	words := base.NameKeys(b.String())
	slices.Sort(words)
	return strings.Join(slices.Compact(words), " ")
}
