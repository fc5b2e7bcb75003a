package canonical_test

import (
	"strings"
	"testing"

	"github.com/uifsagw/uifsagw/schemas/canonical"
	"github.com/uifsagw/uifsagw/schemas/canonical/validate"
)

func TestUpgradeAndDowngradeLegacy(t *testing.T) {
	tx := canonical.Transaction{
		Header: canonical.Header{Function: "MSC", Action: "P", Reason: "GSCOD"},
		Case:   &canonical.Case{Type: "AD"},
		NCP:    &canonical.NCPIdentification{Sex: "U"},
		Participants: []canonical.Participant{
			{Relationship: "CP", Sex: "F"},
			{Relationship: "CH", PaternityStatus: "N"},
			{Relationship: "OT", PaternityStatus: "U"},
		},
		Collections: []canonical.Collection{{Source: "IWO"}, {Source: "FTO"}, {Source: "STO"}, {Source: "DIR"}, {Source: "UIB"}, {Source: "OTH"}},
	}
	canonical.UpgradeLegacy(&tx)
	if !tx.Legacy() {
		t.Error("an upgraded transaction is not marked legacy")
	}
	if h := tx.Header; h.Function != canonical.FuncEnforce || h.Action != canonical.ActProvide || h.Reason != canonical.ReasonNewControllingOrder {
		t.Errorf("header %s %s %s, want ENF P GSCOE", h.Function, h.Action, h.Reason)
	}
	if tx.Case.Type != canonical.CaseAssistance || tx.NCP.Sex != canonical.SexOther {
		t.Errorf("case type %q, NCP sex %q", tx.Case.Type, tx.NCP.Sex)
	}
	wantRel := []canonical.Relationship{canonical.RelCustodialParty, canonical.RelChild, canonical.RelSecondAdult}
	for i, p := range tx.Participants {
		if p.Relationship != wantRel[i] || p.Status != canonical.ParticipantOpen || p.PaternityStatus != "" {
			t.Errorf("participant %d: %+v", i, p)
		}
	}
	wantSrc := []canonical.CollectionSource{canonical.SourceWithholding, canonical.SourceFederalOffset, canonical.SourceStateOffset, canonical.SourceNormal, canonical.SourceUnemployment, canonical.SourceNormal}
	for i, c := range tx.Collections {
		if c.Source != wantSrc[i] {
			t.Errorf("collection %d: source %q, want %q", i, c.Source, wantSrc[i])
		}
	}
	if errs := validate.Transaction(&tx); errs != nil {
		for _, e := range errs {
			if strings.Contains(e.Reason, "unknown code") {
				t.Errorf("an upgraded code is not federal: %v", e)
			}
		}
	}

	// Back to /1: the gateway's own combinations and codes the old
	// dictionary had, without touching the caller's transaction.
	out := tx
	canonical.DowngradeLegacy(&out)
	if h := out.Header; h.Function != "MSC" || h.Action != "P" || h.Reason != "GSCOD" {
		t.Errorf("downgraded header %s %s %s, want MSC P GSCOD", h.Function, h.Action, h.Reason)
	}
	if out.Case.Type != "AD" || out.NCP.Sex != "U" || out.Participants[1].Relationship != "CH" || out.Collections[3].Source != "DIR" {
		t.Errorf("downgraded %+v %+v %+v %+v", out.Case, out.NCP, out.Participants[1], out.Collections[3])
	}
	if tx.Case.Type != canonical.CaseAssistance || tx.Participants[1].Relationship != canonical.RelChild || tx.Collections[0].Source != canonical.SourceWithholding {
		t.Error("DowngradeLegacy changed the caller's transaction")
	}
}

func TestUpgradeLegacyOrder(t *testing.T) {
	ar := canonical.Order{Amount: 5000, Frequency: canonical.FreqBiweekly}
	canonical.UpgradeLegacyOrder(&ar, canonical.LegacyArrearsOnly, true)
	if ar.DebtType != canonical.DebtChildSupport || ar.Amount != 0 || ar.ArrearsAmount != 5000 || ar.ArrearsFrequency != canonical.FreqBiweekly ||
		ar.ControllingFlag != canonical.ControllingPresumed {
		t.Errorf("arrears-only order: %+v", ar)
	}
	if canonical.LegacyOrderType(&ar) != canonical.LegacyArrearsOnly {
		t.Errorf("LegacyOrderType = %q, want AR", canonical.LegacyOrderType(&ar))
	}
	once := canonical.Order{Amount: 9000, Frequency: "O"}
	canonical.UpgradeLegacyOrder(&once, "SS", false)
	if once.DebtType != canonical.DebtSpousalSupport || once.Frequency != canonical.FreqMonthly || once.Amount != 0 || once.Arrears != 9000 || once.Controlling() {
		t.Errorf("one-time order: %+v", once)
	}
}

func TestLegacyLocate(t *testing.T) {
	l := &canonical.NCPLocate{}
	ok := canonical.UpgradeLegacyLocate(l, []canonical.Address{{Line1: "1"}, {Line1: "2"}, {Line1: "3"}},
		[]canonical.LegacyLicense{{Type: "CPA", Number: "77", State: "NJ"}, {Type: "Driver", Number: "D1", State: "NY"}})
	if !ok || l.Residential.Address.Line1 != "1" || l.Mailing.Address.Line1 != "2" || l.LastResidential.Line1 != "3" ||
		l.DriversLicense != "D1" || l.DriversLicenseState != "NY" || l.ProfessionalLicenses != "CPA 77 NJ" {
		t.Errorf("upgrade: %v %+v", ok, l)
	}
	if canonical.UpgradeLegacyLocate(&canonical.NCPLocate{}, make([]canonical.Address, 4), nil) {
		t.Error("four addresses fitted three places")
	}
	addrs, lics := canonical.DowngradeLegacyLocate(l)
	if len(addrs) != 3 || addrs[2].Line1 != "3" || len(lics) != 2 || lics[0].Number != "D1" || lics[1].Number != "CPA 77 NJ" {
		t.Errorf("downgrade: %+v %+v", addrs, lics)
	}
}

func TestNameAndPhoneFromText(t *testing.T) {
	if n := canonical.NameFromText("  Morgan Q Example "); *n != (canonical.Name{First: "Morgan", Last: "Q Example"}) || n.Text() != "Morgan Q Example" {
		t.Errorf("NameFromText = %+v", n)
	}
	if canonical.NameFromText(" ") != nil {
		t.Error("a blank name became a name")
	}
	if got := canonical.DigitsOnly("(609) 555-0100"); got != "6095550100" {
		t.Errorf("DigitsOnly = %q", got)
	}
}
