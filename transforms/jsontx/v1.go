package jsontx

import (
	"encoding/json"
	"fmt"

	"github.com/uifsagw/uifsagw/schemas/canonical"
	"github.com/uifsagw/uifsagw/transforms/internal/strictjson"
)

// FormatV1 is the JSON format before the gateway spoke the federal
// dictionary. It stays readable and writable for the partners that use it:
// its codes are mapped to and from the federal ones (canonical.UpgradeLegacy,
// docs/CSENET-CODES.md) and its few different shapes to the federal fields.
const FormatV1 = "json-transaction/1"

// V1 reads and writes json-transaction/1.
type V1 struct {
	Limits strictjson.Limits
}

// NewV1 returns a json-transaction/1 codec with the default limits.
func NewV1() *V1 { return &V1{} }

// Format returns "json-transaction/1".
func (*V1) Format() string { return FormatV1 }

// ContentType returns "application/json".
func (*V1) ContentType() string { return ContentType }

// The /1 shapes that differ from the canonical model; the other blocks are
// the canonical ones, whose old fields kept their names.
type v1Transaction struct {
	Header       canonical.Header        `json:"header"`
	Case         *v1Case                 `json:"case,omitempty"`
	NCP          *v1NCP                  `json:"ncp,omitempty"`
	NCPLocate    *v1Locate               `json:"ncpLocate,omitempty"`
	Participants []canonical.Participant `json:"participants,omitempty"`
	Orders       []v1Order               `json:"orders,omitempty"`
	Collections  []canonical.Collection  `json:"collections,omitempty"`
	Information  *canonical.Information  `json:"information,omitempty"`
}

type v1Case struct {
	Type             canonical.CaseType   `json:"type"`
	Status           canonical.CaseStatus `json:"status"`
	PaymentAddress   *canonical.Address   `json:"paymentAddress,omitempty"`
	Contact          *v1Contact           `json:"contact,omitempty"`
	InitiatingDocket string               `json:"initiatingDocket,omitempty"`
	RespondingDocket string               `json:"respondingDocket,omitempty"`
	Nondisclosure    bool                 `json:"nondisclosure,omitempty"`
	CEJState         string               `json:"cejState,omitempty"`
}

type v1Contact struct {
	Name  string `json:"name,omitempty"`
	Phone string `json:"phone,omitempty"`
	Email string `json:"email,omitempty"`
}

type v1NCP struct {
	Name        canonical.Name   `json:"name"`
	SSN         canonical.SSN    `json:"ssn,omitempty"`
	DateOfBirth *canonical.Date  `json:"dateOfBirth,omitempty"`
	Sex         canonical.Sex    `json:"sex,omitempty"`
	Aliases     []canonical.Name `json:"aliases,omitempty"`
}

type v1Locate struct {
	Addresses []canonical.Address       `json:"addresses,omitempty"`
	Employers []canonical.Employer      `json:"employers,omitempty"`
	Licenses  []canonical.LegacyLicense `json:"licenses,omitempty"`
}

type v1Order struct {
	TribunalFIPS  canonical.FIPS      `json:"tribunalFips"`
	Docket        string              `json:"docket"`
	Type          string              `json:"type"`
	IssueDate     canonical.Date      `json:"issueDate"`
	EffectiveDate *canonical.Date     `json:"effectiveDate,omitempty"`
	Amount        canonical.Cents     `json:"amountCents"`
	Frequency     canonical.Frequency `json:"frequency"`
	Arrears       canonical.Cents     `json:"arrearsCents,omitempty"`
	ArrearsAsOf   *canonical.Date     `json:"arrearsAsOf,omitempty"`
	Controlling   bool                `json:"controlling,omitempty"`
	Children      []int               `json:"children,omitempty"`
}

// Decode reads a json-transaction/1 document into the federal model.
func (c *V1) Decode(b []byte) (canonical.Transaction, canonical.FieldErrors) {
	var v v1Transaction
	if errs := strictjson.Decode(b, &v, c.Limits); len(errs) > 0 {
		return canonical.Transaction{}, errs
	}
	t := canonical.Transaction{Header: v.Header, Participants: v.Participants, Collections: v.Collections, Information: v.Information}
	var errs canonical.FieldErrors
	if vc := v.Case; vc != nil {
		t.Case = &canonical.Case{Type: vc.Type, Status: vc.Status, PaymentAddress: vc.PaymentAddress,
			InitiatingDocket: vc.InitiatingDocket, RespondingDocket: vc.RespondingDocket, Nondisclosure: vc.Nondisclosure, CEJState: vc.CEJState}
		if ct := vc.Contact; ct != nil {
			t.Case.Contact = &canonical.Contact{Name: canonical.NameFromText(ct.Name), Phone: canonical.DigitsOnly(ct.Phone), Email: ct.Email}
		}
	}
	if n := v.NCP; n != nil {
		t.NCP = &canonical.NCPIdentification{Name: n.Name, SSN: n.SSN, DateOfBirth: n.DateOfBirth, Sex: n.Sex}
		if len(n.Aliases) > 0 {
			t.NCPLocate = &canonical.NCPLocate{Aliases: n.Aliases}
		}
	}
	if l := v.NCPLocate; l != nil {
		if t.NCPLocate == nil {
			t.NCPLocate = &canonical.NCPLocate{}
		}
		t.NCPLocate.Employers = l.Employers
		for i := range t.NCPLocate.Employers {
			t.NCPLocate.Employers[i].Phone = canonical.DigitsOnly(t.NCPLocate.Employers[i].Phone)
		}
		if !canonical.UpgradeLegacyLocate(t.NCPLocate, l.Addresses, l.Licenses) {
			errs = append(errs, canonical.FieldError{Path: "ncpLocate.addresses", PartnerPath: "/ncpLocate/addresses",
				Reason: fmt.Sprintf("at most %d addresses: residential, mailing and last residential", canonical.MaxLegacyAddresses)})
		}
	}
	for _, o := range v.Orders {
		co := canonical.Order{TribunalFIPS: o.TribunalFIPS, Docket: o.Docket, IssueDate: o.IssueDate, EffectiveDate: o.EffectiveDate,
			Amount: o.Amount, Frequency: o.Frequency, Arrears: o.Arrears, ArrearsAsOf: o.ArrearsAsOf, Children: o.Children}
		canonical.UpgradeLegacyOrder(&co, o.Type, o.Controlling)
		t.Orders = append(t.Orders, co)
	}
	canonical.UpgradeLegacy(&t)
	return t, errs
}

// Encode writes t as json-transaction/1: federal codes the old dictionary
// had are written the old way, and fields /1 has no place for are left out.
func (c *V1) Encode(t canonical.Transaction) ([]byte, error) {
	canonical.DowngradeLegacy(&t)
	v := v1Transaction{Header: t.Header, Participants: t.Participants, Collections: t.Collections, Information: t.Information}
	if cs := t.Case; cs != nil {
		v.Case = &v1Case{Type: cs.Type, Status: cs.Status, PaymentAddress: cs.PaymentAddress, InitiatingDocket: cs.InitiatingDocket,
			RespondingDocket: cs.RespondingDocket, Nondisclosure: cs.Nondisclosure, CEJState: cs.CEJState}
		if ct := cs.Contact; ct != nil {
			v.Case.Contact = &v1Contact{Name: ct.Name.Text(), Phone: ct.Phone, Email: ct.Email}
		}
	}
	if n := t.NCP; n != nil {
		v.NCP = &v1NCP{Name: n.Name, SSN: n.SSN, DateOfBirth: n.DateOfBirth, Sex: n.Sex}
	}
	if l := t.NCPLocate; l != nil {
		if v.NCP != nil {
			v.NCP.Aliases = l.Aliases
		}
		addrs, lics := canonical.DowngradeLegacyLocate(l)
		if len(addrs) > 0 || len(lics) > 0 || len(l.Employers) > 0 || v.NCP == nil {
			v.NCPLocate = &v1Locate{Addresses: addrs, Employers: l.Employers, Licenses: lics}
		}
	}
	for _, o := range t.Orders {
		vo := v1Order{TribunalFIPS: o.TribunalFIPS, Docket: o.Docket, Type: canonical.LegacyOrderType(&o), IssueDate: o.IssueDate,
			EffectiveDate: o.EffectiveDate, Amount: o.Amount, Frequency: o.Frequency, Arrears: o.Arrears, ArrearsAsOf: o.ArrearsAsOf,
			Controlling: o.Controlling(), Children: o.Children}
		if vo.Type == canonical.LegacyArrearsOnly {
			vo.Amount, vo.Frequency = o.ArrearsAmount, o.ArrearsFrequency
		}
		v.Orders = append(v.Orders, vo)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", FormatV1, err)
	}
	return b, nil
}
