package xmltx_test

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/uifsagw/uifsagw/schemas/canonical"
	"github.com/uifsagw/uifsagw/transforms/internal/safexml"
	"github.com/uifsagw/uifsagw/transforms/internal/testutil"
	"github.com/uifsagw/uifsagw/transforms/xmltx"
)

func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("../testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

const head = `<?xml version="1.0" encoding="UTF-8"?>` + "\n"

// minimal is a valid document with no blocks, into which cases splice.
func minimal(header, blocks string) string {
	return head + `<Transaction xmlns="urn:uifsagw:xml-transaction:1" version="1"><Header>` +
		`<SenderFIPS>3606100</SenderFIPS><ReceiverFIPS>3400000</ReceiverFIPS><MessageID>M-1</MessageID>` +
		`<Serial>1</Serial><TransactionDate>2026-11-20</TransactionDate><SenderCaseID>C1</SenderCaseID>` +
		`<Function>CSI</Function><Action>R</Action><Reason>CRSTS</Reason>` + header +
		`</Header>` + blocks + `</Transaction>`
}

const zeroCounts = `<BlockCounts case="0" ncp="0" ncpLocate="0" participants="0" orders="0" collections="0" information="0"/>`

func TestDecodeMinimal(t *testing.T) {
	got, errs := xmltx.New().Decode([]byte(minimal(zeroCounts, "")))
	if errs != nil {
		t.Fatal(errs)
	}
	want := canonical.Transaction{Header: canonical.Header{
		SenderFIPS: "3606100", ReceiverFIPS: "3400000", MessageID: "M-1", Serial: 1,
		TransactionDate: canonical.Date{Year: 2026, Month: 11, Day: 20}, SenderCaseID: "C1",
		Function: "CSI", Action: "R", Reason: "FRINF", // CRSTS of the old seed table is the federal FRINF
	}}
	canonical.MarkLegacy(&want)
	testutil.Equal(t, "decode", got, want)
}

func TestDecodeRefuses(t *testing.T) {
	twoOrders := `<BlockCounts case="0" ncp="0" ncpLocate="0" participants="0" orders="2" collections="0" information="0"/>`
	order := func(extra string) string {
		return `<Order><TribunalFIPS>3606100</TribunalFIPS><Docket>D1</Docket><Type>CS</Type><IssueDate>2020-01-02</IssueDate>` +
			`<Amount>200.00</Amount><Frequency>W</Frequency>` + extra + `</Order>`
	}
	deep := head + strings.Repeat("<a>", 10000) + strings.Repeat("</a>", 10000)
	cases := []struct {
		name string
		in   string
		want []canonical.FieldError
	}{
		{"billion laughs", head + `<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><Transaction>&lol2;</Transaction>`,
			[]canonical.FieldError{{PartnerPath: "/", Reason: "DOCTYPE and ENTITY declarations are not allowed (line 2)"}}},
		{"external entity", head + `<!DOCTYPE t [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><Transaction>&xxe;</Transaction>`,
			[]canonical.FieldError{{PartnerPath: "/", Reason: "DOCTYPE and ENTITY declarations are not allowed (line 2)"}}},
		{"processing instruction", head + `<?xml-stylesheet href="x.xsl"?><Transaction/>`,
			[]canonical.FieldError{{PartnerPath: "/", Reason: "processing instruction <?xml-stylesheet?> not allowed (line 2)"}}},
		{"deep nesting", deep,
			[]canonical.FieldError{{PartnerPath: "/", Reason: "elements nested deeper than 32 (line 2)"}}},
		{"invalid UTF-8", minimal(zeroCounts, "") + "\xff",
			[]canonical.FieldError{{PartnerPath: "/", Reason: "not valid UTF-8 at offset " + itoa(len(minimal(zeroCounts, "")))}}},
		{"NUL byte", "<Transaction>\x00</Transaction>",
			[]canonical.FieldError{{PartnerPath: "/", Reason: "NUL byte at offset 13"}}},
		{"other encoding", `<?xml version="1.0" encoding="ISO-8859-1"?><Transaction/>`,
			[]canonical.FieldError{{PartnerPath: "/", Reason: `malformed XML: xml: opening charset "ISO-8859-1": encoding "ISO-8859-1" not supported; use UTF-8`}}},
		{"wrong namespace", strings.Replace(minimal(zeroCounts, ""), "urn:uifsagw:xml-transaction:1", "urn:other:1", 1),
			[]canonical.FieldError{{PartnerPath: "/Transaction", Reason: `wrong namespace "urn:other:1"; want "urn:uifsagw:xml-transaction:1"`}}},
		{"no namespace", `<Transaction version="1"/>`,
			[]canonical.FieldError{{PartnerPath: "/Transaction", Reason: `wrong namespace (none); want "urn:uifsagw:xml-transaction:1"`}}},
		{"unknown element in second order", minimal(twoOrders, order("")+order("<Foo>1</Foo>")),
			[]canonical.FieldError{{Path: "orders[1]", PartnerPath: "/Transaction/Order[2]/Foo", Reason: "unknown element"}}},
		{"element from another namespace", minimal(zeroCounts, `<x:Extra xmlns:x="urn:x"/>`),
			[]canonical.FieldError{{PartnerPath: "/Transaction/x:Extra", Reason: `unknown element (namespace "urn:x")`}}},
		{"unknown attribute", minimal(zeroCounts, `<Information lang="en"><Text>hi</Text></Information>`),
			[]canonical.FieldError{
				{Path: "information", PartnerPath: "/Transaction/Header/BlockCounts/@information", Reason: "says 0 Information block(s) but the document has 1"},
				{Path: "information", PartnerPath: "/Transaction/Information/@lang", Reason: "unknown attribute"},
			}},
		{"count mismatch", minimal(zeroCounts, order("")),
			[]canonical.FieldError{{Path: "orders", PartnerPath: "/Transaction/Header/BlockCounts/@orders", Reason: "says 0 Order block(s) but the document has 1"}}},
		{"three decimals", minimal(strings.Replace(zeroCounts, `orders="0"`, `orders="1"`, 1), strings.Replace(order(""), "200.00", "200.005", 1)),
			[]canonical.FieldError{{Path: "orders[0].amountCents", PartnerPath: "/Transaction/Order[1]/Amount", Reason: "not an amount in dollars with at most 2 decimals (e.g. 200.00)"}}},
		{"huge serial", strings.Replace(minimal(zeroCounts, ""), "<Serial>1</Serial>", "<Serial>99999999999999999999999</Serial>", 1),
			[]canonical.FieldError{{Path: "header.serial", PartnerPath: "/Transaction/Header/Serial", Reason: "number out of range"}}},
		{"serial with exponent", strings.Replace(minimal(zeroCounts, ""), "<Serial>1</Serial>", "<Serial>1e5</Serial>", 1),
			[]canonical.FieldError{{Path: "header.serial", PartnerPath: "/Transaction/Header/Serial", Reason: "not a whole number"}}},
		{"bad date", strings.Replace(minimal(zeroCounts, ""), "2026-11-20", "11/20/2026", 1),
			[]canonical.FieldError{{Path: "header.transactionDate", PartnerPath: "/Transaction/Header/TransactionDate", Reason: "not a date in the form YYYY-MM-DD"}}},
		{"repeated header field", strings.Replace(minimal(zeroCounts, ""), "<Serial>1</Serial>", "<Serial>1</Serial><Serial>2</Serial>", 1),
			[]canonical.FieldError{{Path: "header.serial", PartnerPath: "/Transaction/Header/Serial[2]", Reason: "repeated; at most one allowed"}}},
		{"element inside a leaf", strings.Replace(minimal(zeroCounts, ""), "<MessageID>M-1</MessageID>", "<MessageID><b>M</b></MessageID>", 1),
			[]canonical.FieldError{{Path: "header.messageId", PartnerPath: "/Transaction/Header/MessageID", Reason: "must hold text, not elements"}}},
		{"text between blocks", minimal(zeroCounts, "stray"),
			[]canonical.FieldError{{PartnerPath: "/Transaction", Reason: "unexpected text between elements"}}},
		{"child out of range", minimal(strings.Replace(zeroCounts, `orders="0"`, `orders="1"`, 1), order("<Child>10</Child>")),
			[]canonical.FieldError{{Path: "orders[0].children[0]", PartnerPath: "/Transaction/Order[1]/Child[1]", Reason: "must be the position of a Participant block, 1 to 9"}}},
		{"missing version", strings.Replace(minimal(zeroCounts, ""), ` version="1"`, "", 1),
			[]canonical.FieldError{{PartnerPath: "/Transaction", Reason: `version attribute must be "1"`}}},
		{"missing counts", minimal("", ""),
			[]canonical.FieldError{{Path: "header", PartnerPath: "/Transaction/Header", Reason: "BlockCounts element required"}}},
		{"two roots", `<a/><b/>`,
			[]canonical.FieldError{{PartnerPath: "/", Reason: "more than one root element (line 1)"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, errs := xmltx.New().Decode([]byte(c.in))
			testutil.Equal(t, "errors", []canonical.FieldError(errs), c.want)
		})
	}
}

func itoa(n int) string {
	var b [20]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			return string(b[i:])
		}
	}
}

func TestDecodeSizeLimit(t *testing.T) {
	big := bytes.Repeat([]byte(" "), 50<<20)
	_, errs := xmltx.New().Decode(big)
	testutil.Equal(t, "50 MB", []canonical.FieldError(errs),
		[]canonical.FieldError{{PartnerPath: "/", Reason: "document of 52428800 bytes exceeds the limit of 1048576 bytes"}})

	small := &xmltx.Codec{Limits: safexml.Limits{MaxBytes: 100}}
	_, errs = small.Decode(fixture(t, "est-r.xml"))
	if len(errs) != 1 || !strings.HasPrefix(errs[0].Reason, "document of ") {
		t.Fatalf("configured limit: got %v", errs)
	}
}

func TestEncodeRefusesWhatXMLCannotCarry(t *testing.T) {
	tx := canonical.Transaction{Information: &canonical.Information{Text: "bell\x07"}}
	_, err := xmltx.New().Encode(tx)
	if err == nil || err.Error() != "xml-transaction/1: /Transaction/Information/Text: character U+0007 cannot be written in XML" {
		t.Fatalf("got %v", err)
	}
	tx = canonical.Transaction{Orders: []canonical.Order{{Children: []int{-1}}}}
	if _, err := xmltx.New().Encode(tx); err == nil {
		t.Fatal("negative child index encoded")
	}
}

func TestEncodeKeepsCarriageReturns(t *testing.T) {
	// XML parsers turn a raw CR into LF; the encoder must escape it.
	tx := canonical.Transaction{Information: &canonical.Information{Text: "a\r\nb"}}
	b, err := xmltx.New().Encode(tx)
	if err != nil {
		t.Fatal(err)
	}
	got, errs := xmltx.New().Decode(b)
	if errs != nil {
		t.Fatal(errs)
	}
	if got.Information.Text != "a\r\nb" {
		t.Fatalf("got %q", got.Information.Text)
	}
}

func TestDecodeAcceptsPrefixesAndOrder(t *testing.T) {
	in := head + `<t:Transaction xmlns:t="urn:uifsagw:xml-transaction:1" version="1"><t:Information><t:Text>x</t:Text></t:Information>` +
		`<t:Header><t:Serial>5</t:Serial><t:BlockCounts case="0" ncp="0" ncpLocate="0" participants="0" orders="0" collections="0" information="1"/></t:Header></t:Transaction>`
	got, errs := xmltx.New().Decode([]byte(in))
	if errs != nil {
		t.Fatal(errs)
	}
	if got.Header.Serial != 5 || got.Information == nil || got.Information.Text != "x" {
		t.Fatalf("got %+v", got)
	}
}

func BenchmarkDecode(b *testing.B) {
	in := fixture(b, "est-r.xml")
	c := xmltx.New()
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		if _, errs := c.Decode(in); errs != nil {
			b.Fatal(errs)
		}
	}
}

func BenchmarkEncode(b *testing.B) {
	tx, errs := xmltx.New().Decode(fixture(b, "est-r.xml"))
	if errs != nil {
		b.Fatal(errs)
	}
	c := xmltx.New()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Encode(tx); err != nil {
			b.Fatal(err)
		}
	}
}

func TestRoundTripEdgeValues(t *testing.T) {
	d := canonical.Date{Year: 1, Month: 1, Day: 1}
	tx := canonical.Transaction{
		Header: canonical.Header{MessageID: " ", Serial: -0, ResolutionDate: &d, SenderCaseID: "\n"},
		Case:   &canonical.Case{Contact: &canonical.Contact{}},
		NCP:    &canonical.NCPIdentification{Name: canonical.Name{First: "\t", Last: "]]>&<'\""}},
		NCPLocate: &canonical.NCPLocate{
			Aliases:     []canonical.Name{{}},
			Residential: &canonical.LocatedAddress{},
			Employers:   []canonical.Employer{{Address: &canonical.Address{}}},
		},
		Participants: []canonical.Participant{{}},
		Orders:       []canonical.Order{{Amount: -50, Arrears: 1, Children: []int{0, 8}}},
		Information:  &canonical.Information{},
	}
	b, err := xmltx.New().Encode(tx)
	if err != nil {
		t.Fatal(err)
	}
	got, errs := xmltx.New().Decode(b)
	if errs != nil {
		t.Fatalf("%v\n%s", errs, b)
	}
	// A /1 document reads as a legacy transaction, and /1 has no
	// participant status: an open one is what /1 partners always meant.
	want := tx
	want.Participants = []canonical.Participant{{Status: canonical.ParticipantOpen}}
	canonical.MarkLegacy(&want)
	testutil.Equal(t, "edge values", got, want)
}
