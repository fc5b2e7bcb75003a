// Package xmltx is the XML transaction format xml-transaction/1: CSENet-shaped
// XML in namespace urn:uifsagw:xml-transaction:1, published as
// schemas/xsd/xml-transaction-1.xsd.
//
// The decoder is stricter than the XSD in what it refuses (hostile input,
// unknown elements anywhere, block counts that disagree with the blocks) and
// more lenient in one respect: it does not insist on the order of child
// elements, which partners' serializers do not always keep. The encoder always
// writes the XSD's order.
package xmltx

import (
	"fmt"
	"reflect"
	"strconv"

	"github.com/uifsagw/uifsagw/schemas/canonical"
	"github.com/uifsagw/uifsagw/transforms/internal/safexml"
)

// Names of the format.
const (
	Format      = "xml-transaction/1"
	Namespace   = "urn:uifsagw:xml-transaction:1"
	ContentType = "application/xml"
	// Version is the value of the root's version attribute.
	Version = "1"
)

// Codec reads and writes xml-transaction/1. The zero value uses the default
// limits (1 MiB, depth 32).
type Codec struct {
	Limits safexml.Limits
}

// New returns a codec with the default limits.
func New() *Codec { return &Codec{} }

// Format returns "xml-transaction/1".
func (*Codec) Format() string { return Format }

// ContentType returns "application/xml".
func (*Codec) ContentType() string { return ContentType }

// block names and their canonical paths, in document order; the header's
// BlockCounts element carries one attribute per block.
var countAttrs = []struct{ attr, elem, cpath string }{
	{"case", "Case", "case"},
	{"ncp", "NCP", "ncp"},
	{"ncpLocate", "NCPLocate", "ncpLocate"},
	{"participants", "Participant", "participants"},
	{"orders", "Order", "orders"},
	{"collections", "Collection", "collections"},
	{"information", "Information", "information"},
}

// Decode reads an xml-transaction/1 document.
func (c *Codec) Decode(b []byte) (canonical.Transaction, canonical.FieldErrors) {
	doc, err := safexml.Parse(b, c.Limits)
	if err != nil {
		return canonical.Transaction{}, canonical.FieldErrors{{Path: "", PartnerPath: "/", Reason: err.Error()}}
	}
	r := safexml.NewReader(Namespace)
	root := r.Root(doc, "Transaction")
	if root == nil {
		return canonical.Transaction{}, r.Errors(nil)
	}
	var t canonical.Transaction
	if v, ok := root.Attr("version"); !ok || v != Version {
		root.Fail(`version attribute must be "1"`)
	}
	var counts map[string]int
	if h := root.One("Header", "header"); h != nil {
		t.Header = readHeader(h)
		counts = readCounts(h)
	} else {
		root.Fail("Header element required")
	}
	if n := root.One("Case", "case"); n != nil {
		t.Case = readCase(n)
	}
	var aliases []canonical.Name
	if n := root.One("NCP", "ncp"); n != nil {
		t.NCP = readNCP(n)
		aliases = readAliases(n)
	}
	if n := root.One("NCPLocate", "ncpLocate"); n != nil {
		t.NCPLocate = readLocate(n)
	}
	for _, n := range root.Many("Participant", "participants") {
		t.Participants = append(t.Participants, readParticipant(n))
	}
	for _, n := range root.Many("Order", "orders") {
		t.Orders = append(t.Orders, readOrder(n))
	}
	for _, n := range root.Many("Collection", "collections") {
		t.Collections = append(t.Collections, canonical.Collection{
			Date:   n.Date("Date", n.CPath+".date"),
			Amount: n.Money("Amount", n.CPath+".amountCents"),
			Source: safexml.Code[canonical.CollectionSource](n, "Source", n.CPath+".source"),
			Docket: n.Str("Docket", n.CPath+".docket"),
		})
	}
	if n := root.One("Information", "information"); n != nil {
		t.Information = &canonical.Information{Text: n.Str("Text", "information.text")}
	}
	if counts != nil {
		actual := blockCounts(&t)
		for _, ca := range countAttrs {
			if want, ok := counts[ca.attr]; ok && want != actual[ca.attr] {
				r.Add("/Transaction/Header/BlockCounts/@"+ca.attr, ca.cpath,
					fmt.Sprintf("says %d %s block(s) but the document has %d", want, ca.elem, actual[ca.attr]))
			}
		}
	}
	if len(aliases) > 0 {
		if t.NCPLocate == nil {
			t.NCPLocate = &canonical.NCPLocate{}
		}
		t.NCPLocate.Aliases = aliases
	}
	canonical.UpgradeLegacy(&t)
	return t, r.Errors(root)
}

func blockCounts(t *canonical.Transaction) map[string]int {
	b2i := func(b bool) int {
		if b {
			return 1
		}
		return 0
	}
	return map[string]int{
		"case":         b2i(t.Case != nil),
		"ncp":          b2i(t.NCP != nil),
		"ncpLocate":    b2i(t.NCPLocate != nil),
		"participants": len(t.Participants),
		"orders":       len(t.Orders),
		"collections":  len(t.Collections),
		"information":  b2i(t.Information != nil),
	}
}

func readHeader(h *safexml.Node) canonical.Header {
	return canonical.Header{
		SenderFIPS:      safexml.Code[canonical.FIPS](h, "SenderFIPS", "header.senderFips"),
		ReceiverFIPS:    safexml.Code[canonical.FIPS](h, "ReceiverFIPS", "header.receiverFips"),
		MessageID:       h.Str("MessageID", "header.messageId"),
		Serial:          h.Int64("Serial", "header.serial"),
		TransactionDate: h.Date("TransactionDate", "header.transactionDate"),
		SenderCaseID:    h.Str("SenderCaseID", "header.senderCaseId"),
		ReceiverCaseID:  h.Str("ReceiverCaseID", "header.receiverCaseId"),
		Function:        safexml.Code[canonical.FunctionCode](h, "Function", "header.function"),
		Action:          safexml.Code[canonical.ActionCode](h, "Action", "header.action"),
		Reason:          safexml.Code[canonical.ReasonCode](h, "Reason", "header.reason"),
		ResolutionDate:  h.DatePtr("ResolutionDate", "header.resolutionDate"),
		InReplyTo:       h.Str("InReplyTo", "header.inReplyTo"),
	}
}

// readCounts returns the declared block counts; every count is required,
// so a sender cannot skip the cross-check by leaving one out.
func readCounts(h *safexml.Node) map[string]int {
	bc := h.One("BlockCounts", "header")
	if bc == nil {
		h.Fail("BlockCounts element required")
		return nil
	}
	counts := make(map[string]int, len(countAttrs))
	for _, ca := range countAttrs {
		s, ok := bc.Attr(ca.attr)
		if !ok {
			bc.Fail(fmt.Sprintf("attribute %s required", ca.attr))
			continue
		}
		v, err := safexml.ParseInt(s, 32)
		if err != nil || v < 0 {
			r := "must be a count from 0"
			if err != nil {
				r = err.Error()
			}
			bc.Fail(fmt.Sprintf("attribute %s: %s", ca.attr, r))
			continue
		}
		counts[ca.attr] = int(v)
	}
	return counts
}

func readCase(n *safexml.Node) *canonical.Case {
	return &canonical.Case{
		Type:             safexml.Code[canonical.CaseType](n, "Type", "case.type"),
		Status:           safexml.Code[canonical.CaseStatus](n, "Status", "case.status"),
		PaymentAddress:   safexml.ReadAddressPtr(n, "PaymentAddress", "case.paymentAddress"),
		Contact:          safexml.ReadContact(n, "Contact", "case.contact"),
		InitiatingDocket: n.Str("InitiatingDocket", "case.initiatingDocket"),
		RespondingDocket: n.Str("RespondingDocket", "case.respondingDocket"),
		Nondisclosure:    n.Bool("Nondisclosure", "case.nondisclosure"),
		CEJState:         n.Str("CEJState", "case.cejState"),
	}
}

func readNCP(n *safexml.Node) *canonical.NCPIdentification {
	ncp := &canonical.NCPIdentification{
		SSN:         safexml.Code[canonical.SSN](n, "SSN", "ncp.ssn"),
		DateOfBirth: n.DatePtr("DateOfBirth", "ncp.dateOfBirth"),
		Sex:         safexml.Code[canonical.Sex](n, "Sex", "ncp.sex"),
	}
	if nm := n.One("Name", "ncp.name"); nm != nil {
		ncp.Name = safexml.ReadName(nm, "ncp.name")
	}
	return ncp
}

// readAliases reads the NCP's aliases, which /1 keeps in the NCP element and
// the federal layout in the locate block.
func readAliases(n *safexml.Node) []canonical.Name {
	var out []canonical.Name
	for _, a := range n.Many("Alias", "ncpLocate.aliases") {
		out = append(out, safexml.ReadName(a, a.CPath))
	}
	return out
}

func readLocate(n *safexml.Node) *canonical.NCPLocate {
	l := &canonical.NCPLocate{}
	var addrs []canonical.Address
	for _, a := range n.Many("Address", "ncpLocate.addresses") {
		addrs = append(addrs, safexml.ReadAddress(a))
	}
	for _, e := range n.Many("Employer", "ncpLocate.employers") {
		emp := safexml.ReadEmployer(e)
		// /1 wrote phones with punctuation; the federal field is 10 digits.
		emp.Phone = canonical.DigitsOnly(emp.Phone)
		l.Employers = append(l.Employers, emp)
	}
	var lics []canonical.LegacyLicense
	for _, lic := range n.Many("License", "ncpLocate.licenses") {
		lics = append(lics, canonical.LegacyLicense{
			Type:   lic.Str("Type", lic.CPath+".type"),
			Number: lic.Str("Number", lic.CPath+".number"),
			State:  lic.Str("State", lic.CPath+".state"),
		})
	}
	if !canonical.UpgradeLegacyLocate(l, addrs, lics) {
		n.Fail(fmt.Sprintf("at most %d Address elements: residential, mailing and last residential", canonical.MaxLegacyAddresses))
	}
	return l
}

func readParticipant(n *safexml.Node) canonical.Participant {
	p := canonical.Participant{
		SSN:             safexml.Code[canonical.SSN](n, "SSN", n.CPath+".ssn"),
		DateOfBirth:     n.DatePtr("DateOfBirth", n.CPath+".dateOfBirth"),
		Sex:             safexml.Code[canonical.Sex](n, "Sex", n.CPath+".sex"),
		Relationship:    safexml.Code[canonical.Relationship](n, "Relationship", n.CPath+".relationship"),
		PaternityStatus: safexml.Code[canonical.PaternityStatus](n, "PaternityStatus", n.CPath+".paternityStatus"),
		ResidenceState:  n.Str("ResidenceState", n.CPath+".residenceState"),
	}
	if nm := n.One("Name", n.CPath+".name"); nm != nil {
		p.Name = safexml.ReadName(nm, n.CPath+".name")
	}
	return p
}

func readOrder(n *safexml.Node) canonical.Order {
	o := canonical.Order{
		TribunalFIPS:  safexml.Code[canonical.FIPS](n, "TribunalFIPS", n.CPath+".tribunalFips"),
		Docket:        n.Str("Docket", n.CPath+".docket"),
		IssueDate:     n.Date("IssueDate", n.CPath+".issueDate"),
		EffectiveDate: n.DatePtr("EffectiveDate", n.CPath+".effectiveDate"),
		Amount:        n.Money("Amount", n.CPath+".amountCents"),
		Frequency:     safexml.Code[canonical.Frequency](n, "Frequency", n.CPath+".frequency"),
		Arrears:       n.Money("Arrears", n.CPath+".arrearsCents"),
		ArrearsAsOf:   n.DatePtr("ArrearsAsOf", n.CPath+".arrearsAsOf"),
	}
	canonical.UpgradeLegacyOrder(&o, n.Str("Type", n.CPath+".debtType"), n.Bool("Controlling", n.CPath+".controllingFlag"))
	// A child is named by the position of its Participant block counting
	// from 1, as a person reading the document counts; the canonical model
	// counts from 0.
	for _, c := range n.Many("Child", n.CPath+".children") {
		s, ok := c.LeafText()
		if !ok {
			continue
		}
		v, err := safexml.ParseInt(s, 32)
		switch {
		case err != nil:
			c.Fail(err.Error())
		case v < 1 || v > canonical.MaxBlocks:
			c.Fail(fmt.Sprintf("must be the position of a Participant block, 1 to %d", canonical.MaxBlocks))
		default:
			o.Children = append(o.Children, int(v)-1)
		}
	}
	return o
}

// Encode writes t as xml-transaction/1 in the XSD's element order.
func (c *Codec) Encode(t canonical.Transaction) ([]byte, error) {
	canonical.DowngradeLegacy(&t)
	var aliases []canonical.Name
	if l := t.NCPLocate; l != nil && t.NCP != nil {
		aliases = l.Aliases
		if aliasesOnly(l) {
			// Aliases were all the locate block held: /1 keeps them in the
			// NCP element, so there is no locate block to write.
			t.NCPLocate = nil
		}
	}
	w, root := safexml.NewWriter("Transaction", Namespace, "version", Version)
	h := root.CreateElement("Header")
	hd := t.Header
	w.Text(h, "SenderFIPS", string(hd.SenderFIPS))
	w.Text(h, "ReceiverFIPS", string(hd.ReceiverFIPS))
	w.Text(h, "MessageID", hd.MessageID)
	w.Int(h, "Serial", hd.Serial)
	w.Date(h, "TransactionDate", hd.TransactionDate)
	w.Text(h, "SenderCaseID", hd.SenderCaseID)
	w.Text(h, "ReceiverCaseID", hd.ReceiverCaseID)
	w.Text(h, "Function", string(hd.Function))
	w.Text(h, "Action", string(hd.Action))
	w.Text(h, "Reason", string(hd.Reason))
	w.DatePtr(h, "ResolutionDate", hd.ResolutionDate)
	w.Text(h, "InReplyTo", hd.InReplyTo)
	bc := h.CreateElement("BlockCounts")
	counts := blockCounts(&t)
	for _, ca := range countAttrs {
		bc.CreateAttr(ca.attr, strconv.Itoa(counts[ca.attr]))
	}

	if cs := t.Case; cs != nil {
		e := root.CreateElement("Case")
		w.Text(e, "Type", string(cs.Type))
		w.Text(e, "Status", string(cs.Status))
		safexml.WriteAddress(w, e, "PaymentAddress", cs.PaymentAddress)
		safexml.WriteContact(w, e, "Contact", cs.Contact)
		w.Text(e, "InitiatingDocket", cs.InitiatingDocket)
		w.Text(e, "RespondingDocket", cs.RespondingDocket)
		w.Bool(e, "Nondisclosure", cs.Nondisclosure)
		w.Text(e, "CEJState", cs.CEJState)
	}
	if ncp := t.NCP; ncp != nil {
		e := root.CreateElement("NCP")
		safexml.WriteName(w, e.CreateElement("Name"), ncp.Name)
		w.Text(e, "SSN", ncp.SSN.Digits())
		w.DatePtr(e, "DateOfBirth", ncp.DateOfBirth)
		w.Text(e, "Sex", string(ncp.Sex))
		for _, a := range aliases {
			safexml.WriteName(w, e.CreateElement("Alias"), a)
		}
	}
	if l := t.NCPLocate; l != nil {
		e := root.CreateElement("NCPLocate")
		addrs, lics := canonical.DowngradeLegacyLocate(l)
		for i := range addrs {
			safexml.WriteAddress(w, e, "Address", &addrs[i])
		}
		for _, emp := range l.Employers {
			safexml.WriteEmployer(w, e, "Employer", emp)
		}
		for _, lic := range lics {
			le := e.CreateElement("License")
			w.Text(le, "Type", lic.Type)
			w.Text(le, "Number", lic.Number)
			w.Text(le, "State", lic.State)
		}
	}
	for _, p := range t.Participants {
		e := root.CreateElement("Participant")
		safexml.WriteName(w, e.CreateElement("Name"), p.Name)
		w.Text(e, "SSN", p.SSN.Digits())
		w.DatePtr(e, "DateOfBirth", p.DateOfBirth)
		w.Text(e, "Sex", string(p.Sex))
		w.Text(e, "Relationship", string(p.Relationship))
		w.Text(e, "PaternityStatus", string(p.PaternityStatus))
		w.Text(e, "ResidenceState", p.ResidenceState)
	}
	for i, o := range t.Orders {
		e := root.CreateElement("Order")
		w.Text(e, "TribunalFIPS", string(o.TribunalFIPS))
		w.Text(e, "Docket", o.Docket)
		w.Text(e, "Type", canonical.LegacyOrderType(&o))
		w.Date(e, "IssueDate", o.IssueDate)
		w.DatePtr(e, "EffectiveDate", o.EffectiveDate)
		if canonical.LegacyOrderType(&o) == canonical.LegacyArrearsOnly {
			w.Money(e, "Amount", o.ArrearsAmount)
			w.Text(e, "Frequency", string(o.ArrearsFrequency))
		} else {
			w.Money(e, "Amount", o.Amount)
			w.Text(e, "Frequency", string(o.Frequency))
		}
		if o.Arrears != 0 {
			w.Money(e, "Arrears", o.Arrears)
		}
		w.DatePtr(e, "ArrearsAsOf", o.ArrearsAsOf)
		if o.Controlling() {
			w.Bool(e, "Controlling", true)
		}
		for _, ci := range o.Children {
			if ci < 0 || ci >= canonical.MaxBlocks {
				w.Fail(fmt.Errorf("orders[%d].children: participant index %d cannot be written", i, ci))
				continue
			}
			w.Int(e, "Child", int64(ci)+1)
		}
	}
	for _, col := range t.Collections {
		e := root.CreateElement("Collection")
		w.Date(e, "Date", col.Date)
		w.Money(e, "Amount", col.Amount)
		w.Text(e, "Source", string(col.Source))
		w.Text(e, "Docket", col.Docket)
	}
	if t.Information != nil {
		w.Text(root.CreateElement("Information"), "Text", t.Information.Text)
	}
	b, err := w.Bytes()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", Format, err)
	}
	return b, nil
}

// aliasesOnly reports whether l holds nothing but aliases.
func aliasesOnly(l *canonical.NCPLocate) bool {
	rest := *l
	rest.Aliases = nil
	return reflect.ValueOf(rest).IsZero()
}
