package eiwo_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/uifsagw/uifsagw/schemas/canonical"
	"github.com/uifsagw/uifsagw/transforms/eiwo"
	"github.com/uifsagw/uifsagw/transforms/internal/testutil"
)

var update = flag.Bool("update", false, "rewrite the XML twins of the JSON fixtures")

func read(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func write(t testing.TB, name string, b []byte) {
	t.Helper()
	if err := os.WriteFile(filepath.Join("testdata", name), b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestIWORoundTrip(t *testing.T) {
	x, j := eiwo.NewXML(), eiwo.NewJSON()
	fromJSON, errs := j.DecodeIWO(read(t, "iwo-org.json"))
	if errs != nil {
		t.Fatal(errs)
	}
	jb, err := j.EncodeIWO(fromJSON)
	if err != nil {
		t.Fatal(err)
	}
	again, errs := j.DecodeIWO(jb)
	if errs != nil {
		t.Fatal(errs)
	}
	testutil.Equal(t, "JSON round trip", again, fromJSON)

	if *update {
		b, err := x.EncodeIWO(fromJSON)
		if err != nil {
			t.Fatal(err)
		}
		write(t, "iwo-org.xml", b)
	}
	xmlIn := read(t, "iwo-org.xml")
	fromXML, errs := x.DecodeIWO(xmlIn)
	if errs != nil {
		t.Fatal(errs)
	}
	testutil.Equal(t, "XML twin", fromXML, fromJSON)
	xmlOut, err := x.EncodeIWO(fromXML)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(xmlOut, xmlIn) {
		t.Errorf("re-encoded XML differs:\n%s", xmlOut)
	}
	testutil.XSDValid(t, "eiwo-1.xsd", xmlOut)
}

func TestAckRoundTrip(t *testing.T) {
	x, j := eiwo.NewXML(), eiwo.NewJSON()
	for _, name := range []string{"ack-rejected", "ack-accepted"} {
		t.Run(name, func(t *testing.T) {
			fromJSON, errs := j.DecodeAck(read(t, name+".json"))
			if errs != nil {
				t.Fatal(errs)
			}
			jb, err := j.EncodeAck(fromJSON)
			if err != nil {
				t.Fatal(err)
			}
			again, errs := j.DecodeAck(jb)
			if errs != nil {
				t.Fatal(errs)
			}
			testutil.Equal(t, "JSON round trip", again, fromJSON)
			if *update {
				b, err := x.EncodeAck(fromJSON)
				if err != nil {
					t.Fatal(err)
				}
				write(t, name+".xml", b)
			}
			xmlIn := read(t, name+".xml")
			fromXML, errs := x.DecodeAck(xmlIn)
			if errs != nil {
				t.Fatal(errs)
			}
			testutil.Equal(t, "XML twin", fromXML, fromJSON)
			xmlOut, err := x.EncodeAck(fromXML)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(xmlOut, xmlIn) {
				t.Errorf("re-encoded XML differs:\n%s", xmlOut)
			}
			testutil.XSDValid(t, "eiwo-1.xsd", xmlOut)
		})
	}
}

func TestDecodeRefuses(t *testing.T) {
	iwo := string(read(t, "iwo-org.xml"))
	ack := string(read(t, "ack-rejected.xml"))
	cases := []struct {
		name string
		ack  bool
		in   string
		want []canonical.FieldError
	}{
		{"entity", false, `<?xml version="1.0"?><!DOCTYPE IWO [<!ENTITY a "b">]><IWO/>`,
			[]canonical.FieldError{{PartnerPath: "/", Reason: "DOCTYPE and ENTITY declarations are not allowed (line 1)"}}},
		{"transaction namespace", false, strings.Replace(iwo, "urn:uifsagw:eiwo:1", "urn:uifsagw:xml-transaction:1", 1),
			[]canonical.FieldError{{PartnerPath: "/IWO", Reason: `wrong namespace "urn:uifsagw:xml-transaction:1"; want "urn:uifsagw:eiwo:1"`}}},
		{"ack given as IWO", false, ack,
			[]canonical.FieldError{{PartnerPath: "/EmployerAck", Reason: "root element must be IWO"}}},
		{"unknown element in amount", false, strings.Replace(iwo, "<Frequency>W</Frequency>", "<Frequency>W</Frequency><Note>x</Note>", 1),
			[]canonical.FieldError{{Path: "currentChildSupport", PartnerPath: "/IWO/CurrentChildSupport/Note", Reason: "unknown element"}}},
		{"percent out of range", false, strings.Replace(iwo, "<LimitPercent>65</LimitPercent>", "<LimitPercent>99999999999</LimitPercent>", 1),
			[]canonical.FieldError{{Path: "limitPercent", PartnerPath: "/IWO/LimitPercent", Reason: "number out of range"}}},
		{"bad money", false, strings.Replace(iwo, "<Weekly>241.15</Weekly>", "<Weekly>$241.15</Weekly>", 1),
			[]canonical.FieldError{{Path: "perPeriod.weeklyCents", PartnerPath: "/IWO/PerPeriod/Weekly", Reason: "not an amount in dollars with at most 2 decimals (e.g. 200.00)"}}},
		{"repeated status", true, strings.Replace(ack, "<Status>rejected</Status>", "<Status>rejected</Status><Status>accepted</Status>", 1),
			[]canonical.FieldError{{Path: "status", PartnerPath: "/EmployerAck/Status[2]", Reason: "repeated; at most one allowed"}}},
		{"ack version", true, strings.Replace(ack, `version="1"`, `version="2"`, 1),
			[]canonical.FieldError{{PartnerPath: "/EmployerAck", Reason: `version attribute must be "1"`}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var errs canonical.FieldErrors
			if c.ack {
				_, errs = eiwo.NewXML().DecodeAck([]byte(c.in))
			} else {
				_, errs = eiwo.NewXML().DecodeIWO([]byte(c.in))
			}
			testutil.Equal(t, "errors", []canonical.FieldError(errs), c.want)
		})
	}
}

func TestJSONRefusesDuplicateKeys(t *testing.T) {
	_, errs := eiwo.NewJSON().DecodeAck([]byte(`{"status":"accepted","status":"rejected"}`))
	testutil.Equal(t, "errors", []canonical.FieldError(errs),
		[]canonical.FieldError{{Path: "status", PartnerPath: "/status", Reason: "duplicate key"}})
}

func BenchmarkDecodeIWO(b *testing.B) {
	in := read(b, "iwo-org.xml")
	c := eiwo.NewXML()
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		if _, errs := c.DecodeIWO(in); errs != nil {
			b.Fatal(errs)
		}
	}
}

// TestLegacyDocumentsDecode: IWOs and acknowledgments written before the
// federal reason letters and the contact's name parts still read, as the
// documents written now.
func TestLegacyDocumentsDecode(t *testing.T) {
	x, j := eiwo.NewXML(), eiwo.NewJSON()
	for _, name := range []string{"ack-accepted", "ack-rejected"} {
		want, errs := j.DecodeAck(read(t, name+".json"))
		if errs != nil {
			t.Fatal(errs)
		}
		fromJSON, errs := j.DecodeAck(read(t, name+"-legacy.json"))
		if errs != nil {
			t.Fatal(name, errs)
		}
		testutil.Equal(t, name+" legacy JSON", fromJSON, want)
		fromXML, errs := x.DecodeAck(read(t, name+"-legacy.xml"))
		if errs != nil {
			t.Fatal(name, errs)
		}
		testutil.Equal(t, name+" legacy XML", fromXML, want)
	}
	fromJSON, errs := j.DecodeIWO(read(t, "iwo-org-legacy.json"))
	if errs != nil {
		t.Fatal(errs)
	}
	fromXML, errs := x.DecodeIWO(read(t, "iwo-org-legacy.xml"))
	if errs != nil {
		t.Fatal(errs)
	}
	for _, iwo := range []canonical.IWO{fromJSON, fromXML} {
		if c := iwo.Contact; c == nil || c.Name != "Income Execution Unit" || iwo.TrackingNumber != "NY-IWO-2026-000913" {
			t.Errorf("legacy IWO read as %+v", iwo)
		}
	}
}

func TestAckReasonsChecked(t *testing.T) {
	for _, c := range []struct {
		ack  canonical.EmployerAck
		want int
	}{
		{canonical.EmployerAck{Status: canonical.AckAccepted, Reasons: []canonical.AckReason{"B", "S", "W"}}, 0},
		{canonical.EmployerAck{Status: canonical.AckAccepted, Reasons: []canonical.AckReason{"N"}}, 1},
		{canonical.EmployerAck{Status: canonical.AckRejected}, 1},
		{canonical.EmployerAck{Status: canonical.AckRejected, Reasons: []canonical.AckReason{"M"}}, 1},
		{canonical.EmployerAck{Status: canonical.AckRejected, Reasons: []canonical.AckReason{"M"}, OtherState: "34"}, 0},
		{canonical.EmployerAck{Status: canonical.AckRejected, Reasons: []canonical.AckReason{"N", "Q"}}, 1},
	} {
		if got := c.ack.CheckReasons(); len(got) != c.want {
			t.Errorf("%+v: %v, want %d errors", c.ack, got, c.want)
		}
	}
	if w := canonical.AckNoLongerEmployed.Words(); w != "the employee is no longer employed there" {
		t.Errorf("N in words: %q", w)
	}
}
