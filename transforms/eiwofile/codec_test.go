package eiwofile

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/uifsagw/uifsagw/schemas"
	"github.com/uifsagw/uifsagw/schemas/canonical"
	"github.com/uifsagw/uifsagw/transforms/fixedwidth"
	"github.com/uifsagw/uifsagw/transforms/internal/testutil"
)

// TestEveryElementAtItsColumns writes each element of each table alone, with
// a value as long as the element, and finds it at the columns the table
// gives, by reading the table itself rather than the engine's parse of it.
func TestEveryElementAtItsColumns(t *testing.T) {
	l, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		table []byte
		blk   *fixedwidth.Block
	}{
		{schemas.EIWOHeaderCSV, l.Header}, {schemas.EIWOTrailerCSV, l.Trailer},
		{schemas.EIWODetailCSV, l.Detail}, {schemas.EIWOAckCSV, l.Ack},
	} {
		for _, r := range readTable(t, c.table) {
			start, _ := strconv.Atoi(r["start"])
			end, _ := strconv.Atoi(r["end"])
			f, ok := c.blk.Field(r["element"])
			if !ok {
				t.Errorf("%s: %q not in the parsed layout", c.blk.Name, r["element"])
				continue
			}
			val := sample(f)
			out, errs := c.blk.Encode(fixedwidth.Values{f.Name: val}, fixedwidth.Place{})
			if len(errs) > 0 {
				t.Errorf("%s.%s: %v", c.blk.Name, f.Name, errs)
				continue
			}
			if got := string(out[start-1 : end]); got != val {
				t.Errorf("%s.%s: columns %d-%d hold %q, want %q", c.blk.Name, f.Name, start, end, got, val)
			}
			if strings.Trim(string(out[:start-1])+string(out[end:]), " ") != "" {
				t.Errorf("%s.%s: written outside columns %d-%d", c.blk.Name, f.Name, start, end)
			}
		}
	}
}

// sample is a value filling the whole field, valid for its kind.
func sample(f fixedwidth.Field) string {
	switch {
	case len(f.Values) > 0:
		return f.Values[len(f.Values)-1].Code + strings.Repeat(" ", f.Length()-len(f.Values[len(f.Values)-1].Code))
	case f.Kind == fixedwidth.Date:
		return "20261201"
	case f.Kind == fixedwidth.Numeric:
		return strings.Repeat("7", f.Length())
	}
	return strings.Repeat("X", f.Length()-1) + "Z"
}

// handIWOFile lays out an IWO file from the tables alone: one employer, an
// ORG with two children and a TRM.
func handIWOFile(t *testing.T, trailerRecords string) string {
	t.Helper()
	hdr := func(code, ctl string) string {
		return handRecord(t, schemas.EIWOHeaderCSV, map[string]string{"Document Code": code, "Control Number": ctl,
			"State FIPS Code": "36000", "EIN": "221234567", "Creation Date": "20261201", "Creation Time": "013000"})
	}
	trl := func(code, ctl, batches, records string) string {
		return handRecord(t, schemas.EIWOTrailerCSV, map[string]string{"Document Code": code, "Control Number": ctl,
			"Batch Count": batches, "Record Count": records})
	}
	org := handRecord(t, schemas.EIWODetailCSV, map[string]string{
		"Document Code": "DTL", "Document Action Code": "ORG", "Document Date": "20261123",
		"Issuing State Tribe Territory Name": "New York", "Issuing Jurisdiction Name": "New York City",
		"Case Identifier": "NYC0000123999", "Employer Name": "Harbor Freight Logistics LLC",
		"Employer Address Line 1": "1 Port Way", "Employer Address City Name": "Newark", "Employer Address State Code": "NJ",
		"Employer Address Zip Code": "07114", "EIN": "221234567",
		"Employee Last Name": "Doe", "Employee First Name": "Marcus", "Employee SSN": "123456789", "Employee Birth Date": "19880412",
		"Obligee Last Name": "Roe", "Obligee First Name": "Dana",
		"Support Current Child Amount": "00000200.00", "Support Current Child Frequency": "W",
		"Support Past Due Child Amount": "00000040.00", "Support Past Due Child Frequency": "W",
		"Obligation Total Amount": "00000240.00", "Obligation Total Frequency": "W",
		"Arrears 12 Weeks Overdue Code": "Y",
		"IWO Deduction Weekly Amount":   "00000240.00", "IWO Deduction Biweekly Amount": "00000480.00",
		"IWO Deduction Semimonthly Amount": "00000520.00", "IWO Deduction Monthly Amount": "00001040.00",
		"State Tribe Territory Name": "New Jersey", "Begin Withholding Within Days": "14",
		"Income Withholding Start Date": "20261218", "Send Payment Within Days": "07", "IWO CCPA Percent Rate": "65",
		"Payee Name": "NYS Child Support Processing Center", "Payee Address Line 1": "PO Box 15363",
		"Payee Address City": "Albany", "Payee Address State Code": "NY", "Payee Address Zip Code": "12212",
		"Payee Address Ext Zip Code": "5363", "Payee Remittance FIPS Code": "3600000",
		"Employee State Contact Name": "Income Execution Unit", "Employee State Contact Phone": "8882084485",
		"Document Tracking Number": "NY-IWO-2026-000913", "Order Identifier": "F-11207-19",
		"Employer Contact Name": "Pat Lee", "Employer Contact Phone": "9735550100",
		"Child 1 Last Name": "Doe", "Child 1 First Name": "Ava", "Child 1 Birth Date": "20160229",
		"Child 2 Last Name": "Doe", "Child 2 First Name": "Leo", "Child 2 Birth Date": "20190701",
		"Remittance Identifier": "NYC0000123999",
	})
	trm := handRecord(t, schemas.EIWODetailCSV, map[string]string{
		"Document Code": "DTL", "Document Action Code": "TRM", "Document Date": "20261124",
		"Issuing State Tribe Territory Name": "New York", "Case Identifier": "NYC0000124000",
		"Employer Name": "Harbor Freight Logistics LLC", "EIN": "221234567", "Employee Last Name": "Poe",
		"Arrears 12 Weeks Overdue Code": "N", "Document Tracking Number": "NY-IWO-2026-000914",
	})
	file, batch := "3600000000000000000001", "3600000000000000000002"
	return strings.Join([]string{hdr("FHI", file), hdr("BHI", batch), org, trm,
		trl("BTI", batch, "", trailerRecords), trl("FTI", file, "00001", "00002")}, "\n") + "\n"
}

func TestDecodeHandBuiltIWOFile(t *testing.T) {
	l, _ := Default()
	h, batches, err := l.DecodeIWOFile([]byte(handIWOFile(t, "00002")))
	if err != nil {
		t.Fatal(err)
	}
	if h.Control != "3600000000000000000001" || h.StateFIPS != "36000" || !h.Created.Equal(time.Date(2026, 12, 1, 1, 30, 0, 0, time.UTC)) {
		t.Errorf("file header = %+v", h)
	}
	if len(batches) != 1 || len(batches[0].IWOs) != 2 || batches[0].Header.Control != "3600000000000000000002" {
		t.Fatalf("batches = %+v", batches)
	}
	org, trm := batches[0].IWOs[0], batches[0].IWOs[1]
	d := func(y int, m time.Month, day int) *canonical.Date {
		v := canonical.DateOf(time.Date(y, m, day, 0, 0, 0, 0, time.UTC))
		return &v
	}
	want := canonical.IWO{
		DocAction: canonical.IWOOriginal, IssuingState: "36", IssuingJurisdiction: "New York City", DocumentDate: *d(2026, 11, 23),
		TrackingNumber: "NY-IWO-2026-000913", CaseID: "NYC0000123999", OrderID: "F-11207-19", RemittanceID: "NYC0000123999",
		Employer: canonical.Employer{EIN: "221234567", Name: "Harbor Freight Logistics LLC",
			Address: &canonical.Address{Line1: "1 Port Way", City: "Newark", State: "NJ", Zip: "07114"}},
		EmployeeName: canonical.Name{First: "Marcus", Last: "Doe"}, EmployeeSSN: "123456789", EmployeeBirth: d(1988, 4, 12),
		CustodialParty: canonical.Name{First: "Dana", Last: "Roe"},
		Children: []canonical.IWOChild{{Name: canonical.Name{First: "Ava", Last: "Doe"}, DateOfBirth: d(2016, 2, 29)},
			{Name: canonical.Name{First: "Leo", Last: "Doe"}, DateOfBirth: d(2019, 7, 1)}},
		CurrentChildSupport: canonical.Amount{Cents: 20000, Frequency: "W"}, PastDueChildSupport: canonical.Amount{Cents: 4000, Frequency: "W"},
		PastDueOver12Weeks: true, Total: canonical.Amount{Cents: 24000, Frequency: "W"},
		PerPeriod:    canonical.PerPeriodTotals{Weekly: 24000, Biweekly: 48000, Semimonthly: 52000, Monthly: 104000},
		LimitPercent: 65, LimitState: "34", DaysToStart: 14, DaysToRemit: 7, IncomeWithholdingStart: d(2026, 12, 18),
		SDUPayee: "NYS Child Support Processing Center", SDUFIPS: "3600000",
		SDUAddress:      &canonical.Address{Line1: "PO Box 15363", City: "Albany", State: "NY", Zip: "12212-5363"},
		Contact:         &canonical.IWOContact{Name: "Income Execution Unit", Phone: "8882084485"},
		EmployerContact: &canonical.IWOContact{Name: "Pat Lee", Phone: "9735550100"},
	}
	testutil.Equal(t, "ORG", org, want)
	if trm.DocAction != canonical.IWOTerminate || trm.TrackingNumber != "NY-IWO-2026-000914" || trm.PastDueOver12Weeks {
		t.Errorf("TRM = %+v", trm)
	}

	// Our encoder's output of the decoded IWOs decodes to the same IWOs.
	out, err := l.EncodeIWOFile(h, batches)
	if err != nil {
		t.Fatal(err)
	}
	h2, again, err := l.DecodeIWOFile(out)
	if err != nil {
		t.Fatal(err)
	}
	testutil.Equal(t, "re-decoded", again, batches)
	if h2 != h {
		t.Errorf("header %+v, want %+v", h2, h)
	}
}

func TestIWOFileCountsDisagree(t *testing.T) {
	l, _ := Default()
	_, _, err := l.DecodeIWOFile([]byte(handIWOFile(t, "00003")))
	var es Errors
	if !errors.As(err, &es) || len(es) != 1 || es[0].Field != "Record Count" || es[0].Line != 5 ||
		!strings.Contains(es[0].Reason, "says 3; the batch holds 2 DTL records") {
		t.Fatalf("err = %v", err)
	}
}

func TestDecodeHandBuiltAckFileToAcks(t *testing.T) {
	l, _ := Default()
	h, batches, err := l.DecodeAckFile([]byte(handAckFile(t, "00002", "00001")))
	if err != nil {
		t.Fatal(err)
	}
	if h.EIN != "123456789" || len(batches) != 1 || len(batches[0].Acks) != 2 {
		t.Fatalf("%+v %+v", h, batches)
	}
	ok, gone := batches[0].Acks[0], batches[0].Acks[1]
	if ok.Status != canonical.AckAccepted || ok.TrackingNumber != "TRK-1" || ok.EmployerFEIN != "123456789" ||
		ok.AckDate != canonical.DateOf(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("accepted = %+v", ok)
	}
	if gone.Status != canonical.AckRejected || len(gone.Reasons) != 1 || gone.Reasons[0] != canonical.AckNoLongerEmployed ||
		gone.TerminationDate == nil || gone.TerminationDate.String() != "2026-11-15" {
		t.Errorf("rejected = %+v", gone)
	}
	if gone.EmployerFEIN != "123456789" {
		t.Errorf("an ACK without an EIN takes its batch header's, got %q", gone.EmployerFEIN)
	}
	out, err := l.EncodeAckFile(h, batches)
	if err != nil {
		t.Fatal(err)
	}
	_, again, err := l.DecodeAckFile(out)
	if err != nil {
		t.Fatal(err)
	}
	testutil.Equal(t, "re-decoded", again, batches)
}

func TestAckRecordRules(t *testing.T) {
	base := fixedwidth.Values{"Document Action Code": "ORG", "EIN": "123456789", "Document Tracking Number": "T-1"}
	with := func(kv ...string) fixedwidth.Values {
		v := fixedwidth.Values{}
		for k, x := range base {
			v[k] = x
		}
		for i := 0; i < len(kv); i += 2 {
			v[kv[i]] = kv[i+1]
			if kv[i+1] == "" {
				delete(v, kv[i])
			}
		}
		return v
	}
	for _, c := range []struct {
		name string
		v    fixedwidth.Values
		err  string
	}{
		{"accepted", with("Disposition Status Code", "A"), ""},
		{"accepted with W", with("Disposition Status Code", "A", "Disposition Reason Code", "W", "Corrected EIN", "123456780"), ""},
		{"accepted with N", with("Disposition Status Code", "A", "Disposition Reason Code", "N"), "an acceptance (A) takes B, S or W"},
		{"rejected without a reason", with("Disposition Status Code", "R"), "a rejection needs a reason"},
		{"M without the state", with("Disposition Status Code", "R", "Disposition Reason Code", "M"), "reason M needs the state"},
		{"M with the state", with("Disposition Status Code", "R", "Disposition Reason Code", "M", "Multiple IWO State Code", "NJ"), ""},
		{"no disposition on an ORG", with(), "blank: an acknowledgment is A or R"},
		{"termination notice", with("Document Action Code", "TRM", "Document Tracking Number", "", "Employment Termination Date", "20261130"), ""},
		{"termination notice without the date", with("Document Action Code", "TRM"), "required in a termination notice"},
		{"lump-sum notice", with("Document Action Code", "LUM", "Lump Sum Payment Amount", "00001500.00", "Lump Sum Payment Date", "20261215"), ""},
		{"bad amount", with("Document Action Code", "LUM", "Lump Sum Payment Amount", "1500"), "not an amount in dollars and cents"},
	} {
		t.Run(c.name, func(t *testing.T) {
			a, errs := AckFromACK(c.v)
			if c.err == "" {
				if len(errs) > 0 {
					t.Fatal(errs)
				}
				// What reads, writes back the same elements.
				v, errs := ACK(a)
				if len(errs) > 0 {
					t.Fatal(errs)
				}
				testutil.Equal(t, "re-encoded", v, c.v)
				return
			}
			if !strings.Contains(errs.Error(), c.err) {
				t.Errorf("errors %v, want %q", errs, c.err)
			}
		})
	}
}

func TestCodecOneRecord(t *testing.T) {
	c, err := NewCodec()
	if err != nil {
		t.Fatal(err)
	}
	_, batches, err := c.Layouts.DecodeIWOFile([]byte(handIWOFile(t, "00002")))
	if err != nil {
		t.Fatal(err)
	}
	rec, err := c.EncodeIWO(batches[0].IWOs[0])
	if err != nil {
		t.Fatal(err)
	}
	if len(rec) != 2243 || string(rec[:3]) != "DTL" {
		t.Fatalf("DTL record of %d bytes: %.20q", len(rec), rec)
	}
	iwo, errs := c.DecodeIWO(rec)
	if errs != nil {
		t.Fatal(errs)
	}
	testutil.Equal(t, "bare DTL", iwo, batches[0].IWOs[0])
	// A file of two IWOs is not one document.
	if _, errs := c.DecodeIWO([]byte(handIWOFile(t, "00002"))); errs == nil || !strings.Contains(errs.Error(), "one DTL record expected") {
		t.Errorf("two-record file: %v", errs)
	}
	if _, errs := c.DecodeAck([]byte(handIWOFile(t, "00002"))); errs == nil || !strings.Contains(errs.Error(), "FHI file where an FHA file was expected") {
		t.Errorf("IWO file as an ack: %v", errs)
	}
}

func TestEncodeIWOFileRefusesSevenChildren(t *testing.T) {
	l, _ := Default()
	iwo := canonical.IWO{DocAction: "ORG", IssuingState: "36", Children: make([]canonical.IWOChild, 7)}
	_, err := l.EncodeIWOFile(Header{Control: "3600000000000000000001"}, []IWOBatch{{Header: Header{Control: "3600000000000000000002"}, IWOs: []canonical.IWO{iwo}}})
	if err == nil || !strings.Contains(err.Error(), "batch[1].DTL[1].children: 7 children") {
		t.Fatalf("err = %v", err)
	}
}

func TestCheckControl(t *testing.T) {
	if err := CheckControl("3600000000000000000001", "36000"); err != nil {
		t.Error(err)
	}
	if err := CheckControl("360000000000000000001", "36000"); err == nil {
		t.Error("21 characters accepted")
	}
	if err := CheckControl("3400000000000000000001", "36000"); err == nil {
		t.Error("another state's prefix accepted")
	}
}

// FuzzDecodeFiles: no input panics the canonical file decoders, and a file
// they accept encodes and decodes back to the same documents.
func FuzzDecodeFiles(f *testing.F) {
	l, err := Default()
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range []string{"iwo-file", "ack-file"} {
		b, err := os.ReadFile(filepath.Join("testdata", name+".txt"))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if h, batches, err := l.DecodeIWOFile(b); err == nil {
			out, err := l.EncodeIWOFile(h, batches)
			if err != nil {
				t.Fatalf("decoded IWOs do not encode: %v", err)
			}
			_, again, err := l.DecodeIWOFile(out)
			if err != nil {
				t.Fatalf("our own IWO file does not decode: %v", err)
			}
			testutil.Equal(t, "IWO round trip", again, batches)
		}
		if h, batches, err := l.DecodeAckFile(b); err == nil {
			out, err := l.EncodeAckFile(h, batches)
			if err != nil {
				t.Fatalf("decoded acks do not encode: %v", err)
			}
			_, again, err := l.DecodeAckFile(out)
			if err != nil {
				t.Fatalf("our own ack file does not decode: %v", err)
			}
			testutil.Equal(t, "ack round trip", again, batches)
		}
	})
}

// TestWriteSeeds keeps the fuzz seeds and the CLI samples equal to the
// hand-built files (UPDATE_SEEDS=1 go test -run TestWriteSeeds).
func TestWriteSeeds(t *testing.T) {
	for name, body := range map[string]string{"iwo-file": handIWOFile(t, "00002"), "ack-file": handAckFile(t, "00002", "00001")} {
		path := filepath.Join("testdata", name+".txt")
		if os.Getenv("UPDATE_SEEDS") != "" {
			if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if string(b) != body {
			t.Errorf("%s differs from the hand-built file; UPDATE_SEEDS=1 rewrites it", path)
		}
	}
}
