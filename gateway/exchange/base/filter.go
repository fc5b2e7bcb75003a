package base

import (
	"strings"
	"time"
	"unicode"
)

// StaffFilter is what staff filter the queue by: the store's Filter plus the
// action code and a free-text term. Text matches metadata only, never bodies:
// the sender's message id (exactly or as a prefix), either case id, the
// partner, or the message a reply answers.
type StaffFilter struct {
	Filter
	Action string `json:"action,omitempty"`
	Text   string `json:"text,omitempty"`
	// PartnerFold is the partner in any letter case ("nj" finds NJ).
	PartnerFold string `json:"partnerFold,omitempty"`
	// Name finds messages naming a person with every word of it (see NameKeys).
	Name string `json:"name,omitempty"`
	// AfterID keeps only messages stored after message AfterID.
	AfterID int64 `json:"afterId,omitempty"`
}

// FilterJSON is how a filter is kept in a bulk job row.
type FilterJSON struct {
	Direction Direction `json:"direction,omitempty"`
	Partner   string    `json:"partner,omitempty"`
	Statuses  []Status  `json:"statuses,omitempty"`
	Function  string    `json:"function,omitempty"`
	Action    string    `json:"action,omitempty"`
	CaseID    string    `json:"caseId,omitempty"`
	Text      string    `json:"text,omitempty"`
	Fold      string    `json:"partnerFold,omitempty"`
	Name      string    `json:"name,omitempty"`
	Since     time.Time `json:"since,omitzero"`
	Before    time.Time `json:"before,omitzero"`
}

// JSON is f as a bulk job row keeps it.
func (f StaffFilter) JSON() FilterJSON {
	return FilterJSON{Direction: f.Direction, Partner: f.Partner, Statuses: f.Statuses, Function: f.Function,
		Action: f.Action, CaseID: f.CaseID, Text: f.Text, Fold: f.PartnerFold, Name: f.Name, Since: f.Since, Before: f.Before}
}

// StaffFilter is the filter j keeps.
func (j FilterJSON) StaffFilter() StaffFilter {
	return StaffFilter{Filter: Filter{Direction: j.Direction, Partner: j.Partner, Statuses: j.Statuses,
		Function: j.Function, CaseID: j.CaseID, Since: j.Since, Before: j.Before}, Action: j.Action, Text: j.Text,
		PartnerFold: j.Fold, Name: j.Name}
}

// LikePrefix escapes a LIKE pattern so the term matches literally.
func LikePrefix(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s) + "%"
}

// Where builds the conditions of f; arg appends a parameter and returns its placeholder.
func (f StaffFilter) Where(arg func(any) string) []string {
	var where []string
	if f.Direction != "" {
		where = append(where, "direction = "+arg(string(f.Direction)))
	}
	if f.Partner != "" {
		// Partner IDs are lower case (partners.idPattern) and staff type
		// "NJ": the ID as typed, lower-cased or upper-cased, each an index
		// lookup (lower(partner) would not be).
		a := arg(f.Partner)
		where = append(where, "partner IN ("+a+", lower("+a+"), upper("+a+"))")
	}
	if f.PartnerFold != "" {
		// Same index-friendly form as Partner: IDs are stored lower case.
		a := arg(f.PartnerFold)
		where = append(where, "partner IN ("+a+", lower("+a+"), upper("+a+"))")
	}
	if keys := NameKeys(f.Name); len(keys) > 0 {
		where = append(where, "name_keys @> "+arg(keys)+"::text[]")
	}
	if f.AfterID > 0 {
		where = append(where, "id > "+arg(f.AfterID))
	}
	if len(f.Statuses) == 1 {
		// status = ANY of one value would match the same rows, but PostgreSQL
		// does not then read (status, created_at DESC, id DESC) in index
		// order: it fetches every message in the status and sorts them
		// (68 ms against 0.3 ms for a deep page of 10,000 waiting in 10
		// million, see docs/PERFORMANCE.md).
		where = append(where, "status = "+arg(string(f.Statuses[0])))
	} else if len(f.Statuses) > 1 {
		ss := make([]string, len(f.Statuses))
		for i, st := range f.Statuses {
			ss[i] = string(st)
		}
		where = append(where, "status = ANY("+arg(ss)+")")
	}
	if f.Function != "" {
		where = append(where, "function = "+arg(f.Function))
	}
	if f.Action != "" {
		where = append(where, "action = "+arg(f.Action))
	}
	if f.CaseID != "" {
		a := arg(f.CaseID)
		where = append(where, "(sender_case_id = "+a+" OR receiver_case_id = "+a+")")
	}
	if f.InReplyTo != "" {
		where = append(where, "in_reply_to = "+arg(f.InReplyTo))
	}
	if t := strings.TrimSpace(f.Text); t != "" {
		a, p := arg(t), arg(LikePrefix(t))
		// Each branch can use its own index; the planner ORs the bitmaps.
		where = append(where, "(sender_message_id LIKE "+p+" OR sender_case_id = "+a+" OR receiver_case_id = "+a+
			" OR partner = "+a+" OR in_reply_to = "+a+")")
	}
	if !f.Since.IsZero() {
		where = append(where, "created_at >= "+arg(f.Since))
	}
	if !f.Before.IsZero() {
		where = append(where, "created_at < "+arg(f.Before))
	}
	return where
}

// NameKeys normalises a name the way migration 012 indexes names: lower
// case, hyphens as spaces, only the letters a-z kept ("O'Brien-Smith" →
// obrien, smith). Letters outside a-z are dropped on both sides alike.
func NameKeys(s string) []string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch {
		case r == '-' || unicode.IsSpace(r):
			b.WriteByte(' ')
		case r >= 'a' && r <= 'z':
			b.WriteRune(r)
		}
	}
	return strings.Fields(b.String())
}
