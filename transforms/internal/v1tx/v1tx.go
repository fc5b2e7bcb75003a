// Package v1tx is the case model of the /1 formats (json-transaction/1,
// xml-transaction/1 and the dialects mapped onto it) before the gateway spoke
// the federal CSENet dictionary, and its conversion to and from the canonical
// model: shapes here, codes in canonical.UpgradeLegacy and DowngradeLegacy
// (docs/CSENET-CODES.md lists both).
package v1tx

import (
	"fmt"

	"github.com/uifsagw/uifsagw/schemas/canonical"
)

// Transaction is the /1 transaction.
type Transaction struct {
	Header       Header        `json:"header"`
	Case         *Case         `json:"case,omitempty"`
	NCP          *NCP          `json:"ncp,omitempty"`
	NCPLocate    *Locate       `json:"ncpLocate,omitempty"`
	Participants []Participant `json:"participants,omitempty"`
	Orders       []Order       `json:"orders,omitempty"`
	Collections  []Collection  `json:"collections,omitempty"`
	Information  *Information  `json:"information,omitempty"`
}

// Case is the /1 case block.
type Case struct {
	Type             canonical.CaseType   `json:"type"`
	Status           canonical.CaseStatus `json:"status"`
	PaymentAddress   *canonical.Address   `json:"paymentAddress,omitempty"`
	Contact          *Contact             `json:"contact,omitempty"`
	InitiatingDocket string               `json:"initiatingDocket,omitempty"`
	RespondingDocket string               `json:"respondingDocket,omitempty"`
	Nondisclosure    bool                 `json:"nondisclosure,omitempty"`
	CEJState         string               `json:"cejState,omitempty"`
}

// Contact is the /1 case contact.
type Contact struct {
	Name  string `json:"name,omitempty"`
	Phone string `json:"phone,omitempty"`
	Email string `json:"email,omitempty"`
}

// NCP is the /1 NCP identification.
type NCP struct {
	Name        canonical.Name   `json:"name"`
	SSN         canonical.SSN    `json:"ssn,omitempty"`
	DateOfBirth *canonical.Date  `json:"dateOfBirth,omitempty"`
	Sex         canonical.Sex    `json:"sex,omitempty"`
	Aliases     []canonical.Name `json:"aliases,omitempty"`
}

// Locate is the /1 NCP locate block.
type Locate struct {
	Addresses []canonical.Address       `json:"addresses,omitempty"`
	Employers []Employer                `json:"employers,omitempty"`
	Licenses  []canonical.LegacyLicense `json:"licenses,omitempty"`
}

// Employer is the /1 employer.
type Employer struct {
	EIN     string             `json:"ein"`
	Name    string             `json:"name"`
	Address *canonical.Address `json:"address,omitempty"`
	Phone   string             `json:"phone,omitempty"`
}

// Participant is the /1 participant.
type Participant struct {
	Name            canonical.Name            `json:"name"`
	SSN             canonical.SSN             `json:"ssn,omitempty"`
	DateOfBirth     *canonical.Date           `json:"dateOfBirth,omitempty"`
	Sex             canonical.Sex             `json:"sex,omitempty"`
	Relationship    canonical.Relationship    `json:"relationship"`
	PaternityStatus canonical.PaternityStatus `json:"paternityStatus,omitempty"`
	ResidenceState  string                    `json:"residenceState,omitempty"`
}

// Collection is the /1 collection.
type Collection struct {
	Date   canonical.Date             `json:"date"`
	Amount canonical.Cents            `json:"amountCents"`
	Source canonical.CollectionSource `json:"source"`
	Docket string                     `json:"docket,omitempty"`
}

// Header is the /1 header.
type Header struct {
	SenderFIPS      canonical.FIPS         `json:"senderFips"`
	ReceiverFIPS    canonical.FIPS         `json:"receiverFips"`
	MessageID       string                 `json:"messageId"`
	Serial          int64                  `json:"serial"`
	TransactionDate canonical.Date         `json:"transactionDate"`
	SenderCaseID    string                 `json:"senderCaseId"`
	ReceiverCaseID  string                 `json:"receiverCaseId,omitempty"`
	Function        canonical.FunctionCode `json:"function"`
	Action          canonical.ActionCode   `json:"action"`
	Reason          canonical.ReasonCode   `json:"reason,omitempty"`
	ResolutionDate  *canonical.Date        `json:"resolutionDate,omitempty"`
	InReplyTo       string                 `json:"inReplyTo,omitempty"`
}

// Information is the /1 information block.
type Information struct {
	Text string `json:"text"`
}

// Order is the /1 order.
type Order struct {
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

// ToCanonical converts a /1 transaction into the federal model and marks it
// legacy (canonical.MarkLegacy). The errors are what /1 can say that the
// federal model has no place for.
func ToCanonical(v Transaction) (canonical.Transaction, canonical.FieldErrors) {
	h := v.Header
	t := canonical.Transaction{Header: canonical.Header{SenderFIPS: h.SenderFIPS, ReceiverFIPS: h.ReceiverFIPS, MessageID: h.MessageID,
		Serial: h.Serial, TransactionDate: h.TransactionDate, SenderCaseID: h.SenderCaseID, ReceiverCaseID: h.ReceiverCaseID,
		Function: h.Function, Action: h.Action, Reason: h.Reason, ResolutionDate: h.ResolutionDate, InReplyTo: h.InReplyTo}}
	for _, p := range v.Participants {
		t.Participants = append(t.Participants, canonical.Participant{Name: p.Name, SSN: p.SSN, DateOfBirth: p.DateOfBirth, Sex: p.Sex,
			Relationship: p.Relationship, PaternityStatus: p.PaternityStatus, ResidenceState: p.ResidenceState})
	}
	for _, c := range v.Collections {
		t.Collections = append(t.Collections, canonical.Collection{Date: c.Date, Amount: c.Amount, Source: c.Source, Docket: c.Docket})
	}
	if v.Information != nil {
		t.Information = &canonical.Information{Text: v.Information.Text}
	}
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
		for _, e := range l.Employers {
			// /1 wrote phones with punctuation; the federal field is 10 digits.
			t.NCPLocate.Employers = append(t.NCPLocate.Employers, canonical.Employer{EIN: e.EIN, Name: e.Name, Address: e.Address,
				Phone: canonical.DigitsOnly(e.Phone)})
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

// FromCanonical converts t for a /1 partner: federal codes the old
// dictionary had are written the old way, and fields /1 has no place for are
// left out.
func FromCanonical(t canonical.Transaction) Transaction {
	canonical.DowngradeLegacy(&t)
	h := t.Header
	v := Transaction{Header: Header{SenderFIPS: h.SenderFIPS, ReceiverFIPS: h.ReceiverFIPS, MessageID: h.MessageID,
		Serial: h.Serial, TransactionDate: h.TransactionDate, SenderCaseID: h.SenderCaseID, ReceiverCaseID: h.ReceiverCaseID,
		Function: h.Function, Action: h.Action, Reason: h.Reason, ResolutionDate: h.ResolutionDate, InReplyTo: h.InReplyTo}}
	for _, p := range t.Participants {
		v.Participants = append(v.Participants, Participant{Name: p.Name, SSN: p.SSN, DateOfBirth: p.DateOfBirth, Sex: p.Sex,
			Relationship: p.Relationship, PaternityStatus: p.PaternityStatus, ResidenceState: p.ResidenceState})
	}
	for _, c := range t.Collections {
		v.Collections = append(v.Collections, Collection{Date: c.Date, Amount: c.Amount, Source: c.Source, Docket: c.Docket})
	}
	if t.Information != nil {
		v.Information = &Information{Text: t.Information.Text}
	}
	if cs := t.Case; cs != nil {
		v.Case = &Case{Type: cs.Type, Status: cs.Status, PaymentAddress: cs.PaymentAddress, InitiatingDocket: cs.InitiatingDocket,
			RespondingDocket: cs.RespondingDocket, Nondisclosure: cs.Nondisclosure, CEJState: cs.CEJState}
		if ct := cs.Contact; ct != nil {
			v.Case.Contact = &Contact{Name: ct.Name.Text(), Phone: ct.Phone, Email: ct.Email}
		}
	}
	if n := t.NCP; n != nil {
		v.NCP = &NCP{Name: n.Name, SSN: n.SSN, DateOfBirth: n.DateOfBirth, Sex: n.Sex}
	}
	if l := t.NCPLocate; l != nil {
		if v.NCP != nil {
			v.NCP.Aliases = l.Aliases
		}
		addrs, lics := canonical.DowngradeLegacyLocate(l)
		if len(addrs) > 0 || len(lics) > 0 || len(l.Employers) > 0 || v.NCP == nil {
			v.NCPLocate = &Locate{Addresses: addrs, Licenses: lics}
			for _, e := range l.Employers {
				v.NCPLocate.Employers = append(v.NCPLocate.Employers, Employer{EIN: e.EIN, Name: e.Name, Address: e.Address, Phone: e.Phone})
			}
		}
	}
	for _, o := range t.Orders {
		vo := Order{TribunalFIPS: o.TribunalFIPS, Docket: o.Docket, Type: canonical.LegacyOrderType(&o), IssueDate: o.IssueDate,
			EffectiveDate: o.EffectiveDate, Amount: o.Amount, Frequency: o.Frequency, Arrears: o.Arrears, ArrearsAsOf: o.ArrearsAsOf,
			Controlling: o.Controlling(), Children: o.Children}
		if vo.Type == canonical.LegacyArrearsOnly {
			vo.Amount, vo.Frequency = o.ArrearsAmount, o.ArrearsFrequency
		}
		v.Orders = append(v.Orders, vo)
	}
	return v
}
