package review

import (
	"testing"

	"github.com/uifsagw/uifsagw/schemas/canonical"
)

func TestWords(t *testing.T) {
	for _, c := range []struct{ name, got, want string }{
		{"federal description, sentence case", txWords("ENF", "R", "ERREG"),
			"Enforcement request, registration of foreign order for enforcement only by obligor"},
		{"acronyms kept", sentenceCase("CASE INFORMATION REQUEST, ALL AVAILABLE IV-D INFORMATION"),
			"Case information request, all available IV-D information"},
		{"words run together are parted", txWords(canonical.FuncEnforce, canonical.ActAck, ""), "Enforcement acknowledgment"},
		{"run together after a comma", sentenceCase("Enforcement Provision ofInformation,WageWithholding Established"),
			"Enforcement provision of information, wage withholding established"},
		{"gateway row", txWords(canonical.FuncQuickLocate, canonical.ActAck, ""), "Acknowledgment of receipt of a quick locate transaction"},
		{"unknown reason: function and action in words", txWords("ENF", "R", "ZZZZZ"),
			"Enforcement request (reason ZZZZZ, not in the code table)"},
		{"no transaction", txWords("", "", ""), ""},
		{"state of a FIPS code", fipsWords(canonical.FIPS("34")), "34 New Jersey"},
		{"county", fipsWords("3400500"), "3400500 New Jersey, county 005"},
		{"unknown state", fipsWords("99"), "99 (unknown state)"},
		{"postal", stateName("ny"), "New York"},
		{"partner", partnerWords("PA"), "PA Pennsylvania"},
		{"partner that is no state", partnerWords("acme-employer"), "acme-employer"},
		{"amount per period", perPeriod(54000, canonical.FreqMonthly), "$540.00 monthly"},
		{"biweekly", perPeriod(12550, "B"), "$125.50 bi-weekly"},
		{"no period", perPeriod(100, ""), "$1.00"},
		{"unknown period", freqWord("X"), "per period X"},
		{"case type", codeWord("case.Case-Type", canonical.CaseNonAssistance), "Non-TANF"},
		{"case status", codeWord("case.Case-Status", canonical.CaseOpen), "Open"},
		{"unknown code", codeWord("case.Case-Type", "Z"), ""},
		{"review kind", kindWords("controlling_order"), "Controlling-order determination"},
		{"unknown kind", kindWords("odd_thing"), "Odd thing"},
		{"camel case", humanize("ExistingOrderID"), "Existing order ID"},
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
