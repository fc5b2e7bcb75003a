package canonical

import "strings"

// The gateway's codes before it spoke the federal dictionary (the /1 wire
// formats and messages stored before migration 007) and the federal codes
// they map to. docs/CSENET-CODES.md lists the same mapping for people; the
// SQL migration applies it to stored data. Codes not listed pass unchanged,
// so an already federal value reads the same.
var (
	legacyCaseTypes = map[string]CaseType{"AD": CaseAssistance, "NA": CaseNonAssistance, "AF": CaseFosterCare, "MA": CaseMedicalOnly}
	legacySexes     = map[string]Sex{"U": SexOther}
	legacyRelations = map[string]Relationship{"CP": RelCustodialParty, "CH": RelChild, "OT": RelSecondAdult}
	// Paternity "not established" and "unknown" have no federal code: the
	// federal field is left blank, which says the same.
	legacyPaternity = map[string]PaternityStatus{"N": "", "U": ""}
	legacySources   = map[string]CollectionSource{"IWO": SourceWithholding, "FTO": SourceFederalOffset,
		"STO": SourceStateOffset, "DIR": SourceNormal, "UIB": SourceUnemployment, "OTH": SourceNormal}
	// LegacyReasons maps the gateway's own reason codes of /1 to federal
	// combinations: the old function and action, then the old reason.
	legacyReasons = map[[3]string][3]string{
		{"ENF", "R", "SIIWO"}: {"ENF", "R", string(ReasonIncomeWithholding)},
		{"ENF", "R", "SRREG"}: {"ENF", "R", string(ReasonRegistration)},
		{"ENF", "R", "SRCOD"}: {"ENF", "R", string(ReasonRegistration)},
		{"ENF", "P", "EIACK"}: {"ENF", "P", string(ReasonWithholdingEstablished)},
		{"ENF", "P", "EIREJ"}: {"MSC", "P", string(ReasonStatusUpdate)},
		{"EST", "P", "ERXOR"}: {"EST", "P", string(ReasonOrderNotEstablished)},
		{"ENF", "P", "ERXOR"}: {"EST", "P", string(ReasonOrderNotEstablished)},
		{"MSC", "P", "GSCOD"}: {"ENF", "P", string(ReasonNewControllingOrder)},
		// The old seed table's codes with a clear federal counterpart.
		{"LO1", "R", "LRALL"}: {"LO1", "R", ""},
		{"LO1", "R", "LRADR"}: {"LO1", "R", ""},
		{"LO1", "R", "LREMP"}: {"LO1", "R", ""},
		{"LO1", "P", "LPADR"}: {"LO1", "P", "LSADR"},
		{"LO1", "P", "LPEMP"}: {"LO1", "P", "LSEMP"},
		{"LO1", "P", "LPNLC"}: {"LO1", "P", "LUALL"},
		{"CSI", "R", "CRSTS"}: {"CSI", "R", "FRINF"},
		{"CSI", "R", "CRPAY"}: {"CSI", "R", "FRINF"},
		{"CSI", "P", "CPSTS"}: {"CSI", "P", "FSINF"},
		{"CSI", "P", "CPPAY"}: {"CSI", "P", "FSINF"},
		{"PAT", "R", "PRTST"}: {"PAT", "R", ""},
		{"PAT", "R", "PREST"}: {"PAT", "R", ""},
		{"PAT", "P", "PPSCH"}: {"PAT", "P", "PIBTS"},
		{"PAT", "P", "PPEST"}: {"PAT", "P", "PSEST"},
		{"PAT", "P", "PPEXC"}: {"PAT", "P", "PUEST"},
		{"PAT", "U", "PUINF"}: {"PAT", "U", ""},
		{"EST", "R", "SRMED"}: {"EST", "R", "SROMC"},
		{"EST", "P", "SPORD"}: {"EST", "P", "SSEST"},
		{"EST", "P", "SPDNY"}: {"EST", "P", "SUDEN"},
		{"ENF", "R", "SRMOD"}: {"EST", "R", "SRMOD"},
		{"ENF", "P", "EPREG"}: {"ENF", "P", "ESREG"},
		{"COL", "P", "CPTAX"}: {"COL", "P", "CITAX"},
	}
	// downgradeReasons is what a /1 partner receives for the combinations the
	// gateway generates: the codes it knew them by.
	downgradeReasons = map[[3]string][3]string{
		{"ENF", "R", string(ReasonIncomeWithholding)}:      {"ENF", "R", "SIIWO"},
		{"ENF", "R", string(ReasonRegistration)}:           {"ENF", "R", "SRREG"},
		{"ENF", "P", string(ReasonWithholdingEstablished)}: {"ENF", "P", "EIACK"},
		{"EST", "P", string(ReasonOrderNotEstablished)}:    {"EST", "P", "ERXOR"},
		{"ENF", "P", string(ReasonNewControllingOrder)}:    {"MSC", "P", "GSCOD"},
		{"EST", "P", string(ReasonNewControllingOrder)}:    {"MSC", "P", "GSCOD"},
	}
)

// LegacyOrderType is how /1 carried what an order provides: the federal debt
// type, or AR for an order of arrears payments only.
const LegacyArrearsOnly = "AR"

// UpgradeLegacy rewrites, in place, the codes of a transaction read from a /1
// format (or stored before migration 007) into the federal dictionary. Shape
// changes (an order's type, a contact's name) are done by the /1 decoders
// before they call it; this maps the values.
func UpgradeLegacy(t *Transaction) {
	MarkLegacy(t)
	h := &t.Header
	if to, ok := legacyReasons[[3]string{string(h.Function), string(h.Action), string(h.Reason)}]; ok {
		h.Function, h.Action, h.Reason = FunctionCode(to[0]), ActionCode(to[1]), ReasonCode(to[2])
	}
	if c := t.Case; c != nil {
		if v, ok := legacyCaseTypes[string(c.Type)]; ok {
			c.Type = v
		}
	}
	if n := t.NCP; n != nil {
		n.Sex = upgradeSex(n.Sex)
	}
	for i := range t.Participants {
		p := &t.Participants[i]
		p.Sex = upgradeSex(p.Sex)
		if v, ok := legacyRelations[string(p.Relationship)]; ok {
			p.Relationship = v
		}
		if v, ok := legacyPaternity[string(p.PaternityStatus)]; ok {
			p.PaternityStatus = v
		}
		if p.Status == "" {
			p.Status = ParticipantOpen
		}
	}
	for i := range t.Collections {
		if v, ok := legacySources[string(t.Collections[i].Source)]; ok {
			t.Collections[i].Source = v
		}
	}
}

func upgradeSex(s Sex) Sex {
	if v, ok := legacySexes[string(s)]; ok {
		return v
	}
	return s
}

// UpgradeLegacyOrder sets the federal fields of an order read from /1, whose
// single type field held the debt type or AR, and whose frequency could be O
// (one time).
func UpgradeLegacyOrder(o *Order, legacyType string, controlling bool) {
	switch legacyType {
	case LegacyArrearsOnly:
		// The order's amount was its payment on arrears.
		o.DebtType = DebtChildSupport
		o.ArrearsAmount, o.ArrearsFrequency = o.Amount, o.Frequency
		o.Amount = 0
	default:
		o.DebtType = DebtType(legacyType)
	}
	if o.Frequency == "O" {
		// A one-time amount has no federal frequency; it is arrears owed once,
		// so it is carried as the arrears total.
		if o.Arrears == 0 {
			o.Arrears = o.Amount
		}
		o.Amount, o.Frequency = 0, FreqMonthly
	}
	if controlling {
		o.ControllingFlag = ControllingPresumed
	}
}

// DowngradeLegacy rewrites the codes of t into what a /1 partner
// understands: the reverse of UpgradeLegacy where the old dictionary had a
// code, the federal code otherwise. The blocks it changes are copied first,
// so the caller's transaction is left as it was.
func DowngradeLegacy(t *Transaction) {
	if t.Case != nil {
		c := *t.Case
		t.Case = &c
	}
	if t.NCP != nil {
		n := *t.NCP
		t.NCP = &n
	}
	t.Participants = append([]Participant(nil), t.Participants...)
	t.Collections = append([]Collection(nil), t.Collections...)
	h := &t.Header
	if to, ok := downgradeReasons[[3]string{string(h.Function), string(h.Action), string(h.Reason)}]; ok {
		h.Function, h.Action, h.Reason = FunctionCode(to[0]), ActionCode(to[1]), ReasonCode(to[2])
	}
	if c := t.Case; c != nil {
		c.Type = CaseType(reverse(legacyCaseTypes, c.Type))
	}
	if n := t.NCP; n != nil {
		n.Sex = Sex(reverse(legacySexes, n.Sex))
	}
	for i := range t.Participants {
		p := &t.Participants[i]
		p.Sex = Sex(reverse(legacySexes, p.Sex))
		p.Relationship = Relationship(reverse(legacyRelations, p.Relationship))
	}
	for i := range t.Collections {
		c := &t.Collections[i]
		switch c.Source {
		case SourceNormal:
			c.Source = "DIR"
		case SourceGarnishment:
			c.Source = "OTH"
		default:
			c.Source = CollectionSource(reverse(legacySources, c.Source))
		}
	}
}

// LegacyOrderType is the /1 type of o: its debt type, or AR for an order of
// arrears payments only.
func LegacyOrderType(o *Order) string {
	if o.Amount == 0 && o.ArrearsAmount > 0 && o.DebtType == DebtChildSupport {
		return LegacyArrearsOnly
	}
	return string(o.DebtType)
}

func reverse[T ~string](m map[string]T, v T) string {
	if v == "" {
		return ""
	}
	for k, x := range m {
		if x == v {
			return k
		}
	}
	return string(v)
}

// NameFromText splits a full name written as one string (the /1 contact
// name, the e-IWO contact) into first name and the rest as last name.
func NameFromText(s string) *Name {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil
	}
	first, rest, _ := strings.Cut(s, " ")
	return &Name{First: first, Last: strings.TrimSpace(rest)}
}

// Text writes n as one string: first, middle, last, suffix.
func (n *Name) Text() string {
	if n == nil {
		return ""
	}
	var parts []string
	for _, p := range []string{n.First, n.Middle, n.Last, n.Suffix} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, " ")
}

// DigitsOnly keeps the digits of a phone number written with punctuation in
// /1 ("609-555-0100" becomes "6095550100").
func DigitsOnly(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// LegacyLicense is a license as /1 listed it.
type LegacyLicense struct {
	Type   string `json:"type"`
	Number string `json:"number"`
	State  string `json:"state"`
}

// MaxLegacyAddresses is how many /1 locate addresses have a federal place:
// residential, mailing, last residential.
const MaxLegacyAddresses = 3

// UpgradeLegacyLocate places the /1 list of NCP addresses and licenses in the
// federal locate fields: the first address is residential, the second
// mailing, the third the last residential; a driver's license goes to the
// driver's license fields and the others, as text, to professional licenses.
// It reports false when there are more addresses than places.
func UpgradeLegacyLocate(l *NCPLocate, addrs []Address, lics []LegacyLicense) bool {
	for i, a := range addrs {
		a := a
		switch i {
		case 0:
			l.Residential = &LocatedAddress{Address: a}
		case 1:
			l.Mailing = &LocatedAddress{Address: a}
		case 2:
			l.LastResidential = &a
		}
	}
	var prof []string
	for _, lic := range lics {
		if l.DriversLicense == "" && strings.Contains(strings.ToLower(lic.Type), "driv") {
			l.DriversLicense, l.DriversLicenseState = lic.Number, lic.State
			continue
		}
		prof = append(prof, strings.TrimSpace(lic.Type+" "+lic.Number+" "+lic.State))
	}
	l.ProfessionalLicenses = strings.Join(prof, "; ")
	return len(addrs) <= MaxLegacyAddresses
}

// DowngradeLegacyLocate is the reverse of UpgradeLegacyLocate for a /1
// partner: the addresses in order, the driver's license, and the
// professional licenses as one license of type "professional".
func DowngradeLegacyLocate(l *NCPLocate) ([]Address, []LegacyLicense) {
	var addrs []Address
	if l.Residential != nil {
		addrs = append(addrs, l.Residential.Address)
	}
	if l.Mailing != nil {
		addrs = append(addrs, l.Mailing.Address)
	}
	if l.LastResidential != nil {
		addrs = append(addrs, *l.LastResidential)
	}
	var lics []LegacyLicense
	if l.DriversLicense != "" {
		lics = append(lics, LegacyLicense{Type: "driver", Number: l.DriversLicense, State: l.DriversLicenseState})
	}
	if l.ProfessionalLicenses != "" {
		lics = append(lics, LegacyLicense{Type: "professional", Number: l.ProfessionalLicenses})
	}
	return addrs, lics
}
