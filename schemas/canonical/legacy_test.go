package canonical

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestUpgradeAndDowngradeLegacy(t *testing.T) {
	tx := Transaction{
		Header: Header{Function: "MSC", Action: "P", Reason: "GSCOD"},
		Case:   &Case{Type: "AD"},
		NCP:    &NCPIdentification{Sex: "U"},
		Participants: []Participant{
			{Relationship: "CP", Sex: "F"},
			{Relationship: "CH", PaternityStatus: "N"},
			{Relationship: "OT", PaternityStatus: "U"},
		},
		Collections: []Collection{{Source: "IWO"}, {Source: "FTO"}, {Source: "STO"}, {Source: "DIR"}, {Source: "UIB"}, {Source: "OTH"}},
	}
	UpgradeLegacy(&tx)
	if !tx.Legacy() {
		t.Error("an upgraded transaction is not marked legacy")
	}
	if h := tx.Header; h.Function != FuncEnforce || h.Action != ActProvide || h.Reason != ReasonNewControllingOrder {
		t.Errorf("header %s %s %s, want ENF P GSCOE", h.Function, h.Action, h.Reason)
	}
	if tx.Case.Type != CaseAssistance || tx.NCP.Sex != SexOther {
		t.Errorf("case type %q, NCP sex %q", tx.Case.Type, tx.NCP.Sex)
	}
	wantRel := []Relationship{RelCustodialParty, RelChild, RelSecondAdult}
	for i, p := range tx.Participants {
		if p.Relationship != wantRel[i] || p.Status != ParticipantOpen || p.PaternityStatus != "" {
			t.Errorf("participant %d: %+v", i, p)
		}
	}
	wantSrc := []CollectionSource{SourceWithholding, SourceFederalOffset, SourceStateOffset, SourceNormal, SourceUnemployment, SourceNormal}
	for i, c := range tx.Collections {
		if c.Source != wantSrc[i] {
			t.Errorf("collection %d: source %q, want %q", i, c.Source, wantSrc[i])
		}
	}
	if errs := tx.Validate(); errs != nil {
		for _, e := range errs {
			if strings.Contains(e.Reason, "unknown code") {
				t.Errorf("an upgraded code is not federal: %v", e)
			}
		}
	}

	// Back to /1: the gateway's own combinations and codes the old
	// dictionary had, without touching the caller's transaction.
	out := tx
	DowngradeLegacy(&out)
	if h := out.Header; h.Function != "MSC" || h.Action != "P" || h.Reason != "GSCOD" {
		t.Errorf("downgraded header %s %s %s, want MSC P GSCOD", h.Function, h.Action, h.Reason)
	}
	if out.Case.Type != "AD" || out.NCP.Sex != "U" || out.Participants[1].Relationship != "CH" || out.Collections[3].Source != "DIR" {
		t.Errorf("downgraded %+v %+v %+v %+v", out.Case, out.NCP, out.Participants[1], out.Collections[3])
	}
	if tx.Case.Type != CaseAssistance || tx.Participants[1].Relationship != RelChild || tx.Collections[0].Source != SourceWithholding {
		t.Error("DowngradeLegacy changed the caller's transaction")
	}
}

func TestUpgradeLegacyOrder(t *testing.T) {
	ar := Order{Amount: 5000, Frequency: FreqBiweekly}
	UpgradeLegacyOrder(&ar, LegacyArrearsOnly, true)
	if ar.DebtType != DebtChildSupport || ar.Amount != 0 || ar.ArrearsAmount != 5000 || ar.ArrearsFrequency != FreqBiweekly ||
		ar.ControllingFlag != ControllingPresumed {
		t.Errorf("arrears-only order: %+v", ar)
	}
	if LegacyOrderType(&ar) != LegacyArrearsOnly {
		t.Errorf("LegacyOrderType = %q, want AR", LegacyOrderType(&ar))
	}
	once := Order{Amount: 9000, Frequency: "O"}
	UpgradeLegacyOrder(&once, "SS", false)
	if once.DebtType != DebtSpousalSupport || once.Frequency != FreqMonthly || once.Amount != 0 || once.Arrears != 9000 || once.Controlling() {
		t.Errorf("one-time order: %+v", once)
	}
}

func TestLegacyLocate(t *testing.T) {
	l := &NCPLocate{}
	ok := UpgradeLegacyLocate(l, []Address{{Line1: "1"}, {Line1: "2"}, {Line1: "3"}},
		[]LegacyLicense{{Type: "CPA", Number: "77", State: "NJ"}, {Type: "Driver", Number: "D1", State: "NY"}})
	if !ok || l.Residential.Address.Line1 != "1" || l.Mailing.Address.Line1 != "2" || l.LastResidential.Line1 != "3" ||
		l.DriversLicense != "D1" || l.DriversLicenseState != "NY" || l.ProfessionalLicenses != "CPA 77 NJ" {
		t.Errorf("upgrade: %v %+v", ok, l)
	}
	if UpgradeLegacyLocate(&NCPLocate{}, make([]Address, 4), nil) {
		t.Error("four addresses fitted three places")
	}
	addrs, lics := DowngradeLegacyLocate(l)
	if len(addrs) != 3 || addrs[2].Line1 != "3" || len(lics) != 2 || lics[0].Number != "D1" || lics[1].Number != "CPA 77 NJ" {
		t.Errorf("downgrade: %+v %+v", addrs, lics)
	}
}

func TestNameAndPhoneFromText(t *testing.T) {
	if n := NameFromText("  Morgan Q Example "); *n != (Name{First: "Morgan", Last: "Q Example"}) || n.Text() != "Morgan Q Example" {
		t.Errorf("NameFromText = %+v", n)
	}
	if NameFromText(" ") != nil {
		t.Error("a blank name became a name")
	}
	if got := DigitsOnly("(609) 555-0100"); got != "6095550100" {
		t.Errorf("DigitsOnly = %q", got)
	}
}

func TestInformationText(t *testing.T) {
	short := InformationText("Please register the order.")
	if short.Text != "Please register the order." {
		t.Errorf("short text %q", short.Text)
	}
	long := WrapInformation(strings.Repeat("word ", 200) + strings.Repeat("x", 200))
	lines := strings.Split(long, "\n")
	if len(lines) != MaxInfoLines || !strings.HasSuffix(lines[MaxInfoLines-1], "...") {
		t.Fatalf("%d lines, last %q", len(lines), lines[len(lines)-1])
	}
	for i, l := range lines {
		if utf8.RuneCountInString(l) > MaxInfoLineLen {
			t.Errorf("line %d has %d characters", i, utf8.RuneCountInString(l))
		}
	}
	tx := Transaction{Information: InformationText(long)}
	v := &validator{}
	v.information("information", tx.Information)
	if len(v.errs) != 0 {
		t.Errorf("wrapped text is refused: %v", v.errs)
	}
}
