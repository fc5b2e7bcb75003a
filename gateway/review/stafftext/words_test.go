package stafftext

import (
	"testing"

	"github.com/uifsagw/uifsagw/schemas/canonical"
)

func TestWords(t *testing.T) {
	for _, c := range []struct{ name, got, want string }{
		{"federal description, sentence case", TxWords("ENF", "R", "ERREG"),
			"Enforcement request, registration of foreign order for enforcement only by obligor"},
		{"acronyms kept", sentenceCase("CASE INFORMATION REQUEST, ALL AVAILABLE IV-D INFORMATION"),
			"Case information request, all available IV-D information"},
		{"words run together are parted", TxWords(canonical.FuncEnforce, canonical.ActAck, ""), "Enforcement acknowledgment"},
		{"run together after a comma", sentenceCase("Enforcement Provision ofInformation,WageWithholding Established"),
			"Enforcement provision of information, wage withholding established"},
		{"gateway row", TxWords(canonical.FuncQuickLocate, canonical.ActAck, ""), "Acknowledgment of receipt of a quick locate transaction"},
		{"unknown reason: function and action in words", TxWords("ENF", "R", "ZZZZZ"),
			"Enforcement request (reason ZZZZZ, not in the code table)"},
		{"no transaction", TxWords("", "", ""), ""},
		{"state of a FIPS code", FIPSWords(canonical.FIPS("34")), "34 New Jersey"},
		{"county", FIPSWords("3400500"), "3400500 New Jersey, county 005"},
		{"unknown state", FIPSWords("99"), "99 (unknown state)"},
		{"postal", StateName("ny"), "New York"},
		{"partner", PartnerWords("PA"), "PA Pennsylvania"},
		{"partner that is no state", PartnerWords("acme-employer"), "acme-employer"},
		{"amount per period", PerPeriod(54000, canonical.FreqMonthly), "$540.00 monthly"},
		{"biweekly", PerPeriod(12550, "B"), "$125.50 bi-weekly"},
		{"no period", PerPeriod(100, ""), "$1.00"},
		{"unknown period", FreqWord("X"), "per period X"},
		{"case type", CodeWord("case.Case-Type", canonical.CaseNonAssistance), "Non-TANF"},
		{"case status", CodeWord("case.Case-Status", canonical.CaseOpen), "Open"},
		{"unknown code", CodeWord("case.Case-Type", "Z"), ""},
		{"review kind", KindWords("controlling_order"), "Controlling-order determination"},
		{"unknown kind", KindWords("odd_thing"), "Odd thing"},
		{"camel case", Humanize("ExistingOrderID"), "Existing order ID"},
	} {
		if c.got != c.want {
			t.Errorf("%s: got %q, want %q", c.name, c.got, c.want)
		}
	}
}

func TestVocabularyRefusesBrokenTables(t *testing.T) {
	good := []byte("fips,postal,name\n34,NJ,New Jersey\n")
	layout := []byte("block,field,start,end,length,type,required,values\n")
	if _, err := loadVocabulary([]byte("\"unclosed\n"), good); err == nil {
		t.Error("a broken layout table was accepted")
	}
	if _, err := loadVocabulary(layout, []byte("")); err == nil {
		t.Error("an empty state table was accepted")
	}
	v, err := loadVocabulary(layout, good)
	if err != nil || v.states["NJ"] != "New Jersey" || v.states["34"] != "New Jersey" {
		t.Fatalf("vocabulary %v %v", v, err)
	}
}
