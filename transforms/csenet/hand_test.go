package csenet

import (
	"bytes"
	"encoding/csv"
	"strconv"
	"strings"
	"testing"

	"github.com/uifsagw/uifsagw/schemas"
)

// handBlock builds one block of a record from schemas/csenet/layout.csv alone,
// without the engine: text left-justified and space-filled, numbers
// right-justified and zero-filled, every column not named left blank.
func handBlock(t *testing.T, block string, vals map[string]string) string {
	t.Helper()
	all, err := csv.NewReader(bytes.NewReader(schemas.CSENetLayoutCSV)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var out []byte
	seen := map[string]bool{}
	for _, r := range all[1:] {
		if r[0] != block {
			continue
		}
		start, _ := strconv.Atoi(r[2])
		length, _ := strconv.Atoi(r[4])
		if len(out) != start-1 {
			t.Fatalf("%s.%s starts at %d after %d columns", block, r[1], start, len(out))
		}
		v, ok := vals[r[1]]
		seen[r[1]] = ok
		if len(v) > length {
			t.Fatalf("%s.%s: %q is longer than %d", block, r[1], v, length)
		}
		if r[5] == "numeric" && v != "" {
			v = strings.Repeat("0", length-len(v)) + v
		}
		out = append(out, v+strings.Repeat(" ", length-len(v))...)
	}
	for k := range vals {
		if !seen[k] {
			t.Fatalf("%s has no field %q", block, k)
		}
	}
	return string(out)
}

// handHeader is a header with the indicators given in order: case, NCP
// identification, NCP locate, participants, orders, collections, information.
func handHeader(t *testing.T, function, action, reason, indicators string, extra map[string]string) string {
	v := map[string]string{
		"Local-FIPS-State": "36", "Local-FIPS-County": "061", "Other-FIPS-State": "06", "Other-FIPS-County": "037",
		"Other-FIPS-Sub": "01", "CSENet-Version-Number": "003", "Transaction-Serial-Number": "1234",
		"Action-Code": action, "Functional-Type-Code": function, "Transaction-Date": "20261201",
		"Case-ID": "NY00012345", "Action-Reason": reason, "Attachments-Ind.": "N",
	}
	for i, name := range []string{"Case-Data-Ind.", "NCP-Identification-Ind.", "NCP-Locate-Data-Ind.",
		"Participant-Data-Ind.", "Order-Data-Ind.", "Collection-Data-Ind.", "Information-Ind."} {
		v[name] = indicators[i : i+1]
	}
	for k, x := range extra {
		v[k] = x
	}
	return handBlock(t, "header", v)
}

func handNCPID(t *testing.T) string {
	return handBlock(t, "ncp_id", map[string]string{
		"Name-Last": "DOE", "Name-First": "JOHN", "Name-Middle": "QUINCY", "SSN": "123456789", "Date-Of-Birth": "19850315",
		"Race": "W", "Gender": "M", "Place-Of-Birth": "BROOKLYN NY", "Height-Ft.": "5", "Height-In.": "11", "Weight": "180",
		"Hair-Color": "BK", "Eye-Color": "BN", "Alias-SSN-1": "234567890", "Possibly-Dangerous": "Y",
	})
}

// handENF is the ENF R ERREG of the done-when: header, case, NCP
// identification, NCP locate, a custodial party and a child, one order, and
// an information block.
func handENF(t *testing.T) string {
	return handHeader(t, "ENF", "R", "ERREG", "1112101", nil) +
		handBlock(t, "case", map[string]string{
			"Case-Type": "N", "Case-Status": "O",
			"Payment-Mail-Address-Line-1": "NYC SCU PO BOX 15363", "Payment-City": "ALBANY", "Payment-State": "NY", "Payment-Zip-1": "12212", "Payment-Zip-2": "5363",
			"Contact-Name-Last": "RIVERA", "Contact-Name-First": "ANA", "Contact-Address-Line-1": "151 W 34TH ST",
			"Contact-City": "NEW YORK", "Contact-State": "NY", "Contact-Zip-1": "10001", "Contact-Phone-Num.": "2125550100",
			"Phone-Extension": "204", "Internet-Address": "ARIVERA@EXAMPLE.GOV", "Initiating-Docket-Num.": "F-12345-26",
			"State-With-CEJ": "36", "Payment-FIPS-State": "36", "Payment-FIPS-County": "000",
		}) +
		handNCPID(t) +
		handBlock(t, "ncp_locate", map[string]string{
			"Residential-Address-Line-1": "1200 SUNSET BLVD", "Residential-City": "LOS ANGELES", "Residential-State": "CA",
			"Residential-Zip-1": "90026", "Residential-Address-Effective-Date": "20250601", "Residential-Address-Confirmed-Ind.": "Y",
			"Home-Phone-Num.": "3235550199", "Alias-1-First": "JACK", "Alias-1-Last": "DOE",
			"Employer-EIN": "123456789", "Employer-Name": "PACIFIC FREIGHT LLC", "Employer-Address-Line-1": "500 HARBOR WAY",
			"Employer-City": "LONG BEACH", "Employer-State": "CA", "Employer-Zip-1": "90802", "Employer-Phone-Num.": "5625550123",
			"Employer-Effective-Date": "20250701", "Employer-Confirmed-Ind.": "Y",
			"Wage-Qtr": "3", "Wage-Year": "2026", "Wage-Amount": "1250000",
			"Employer2-Name": "WEEKEND DINER", "Employer2-Address-Line-1": "9 OCEAN AVE",
			"Last-Employer": "EAST COAST MOVERS", "Last-Employer-Date": "20250630",
		}) +
		handBlock(t, "participant", map[string]string{
			"Name-Last": "ROE", "Name-First": "MARY", "Date-Of-Birth": "19870704", "Gender": "F",
			"Relationship": "C", "Participant-Status": "O",
			"Participant-Address-Line-1": "88 GRAND ST", "Participant-City": "BRONX", "Participant-State": "NY", "Participant-Zip-1": "10451",
			"Participant-Employer-Info.-Emp.-Name": "CITY HOSPITAL", "Emp-EIN": "111222333",
		}) +
		handBlock(t, "participant", map[string]string{
			"Name-Last": "DOE", "Name-First": "LILY", "Date-Of-Birth": "20160229", "Gender": "F",
			"Relationship": "D", "Participant-Status": "O", "Dependent-Relation-CP": "C",
			"Dependent-Child-State-Of-Residence": "NY", "Dependent-Paternity-Status": "5",
		}) +
		handBlock(t, "order", map[string]string{
			"Order-FIPS-State": "36", "Order-FIPS-County": "061", "Order-ID": "F-12345-26", "Order-Filing-Date": "20260115",
			"Order-Type": "J", "Debt-Type": "CS", "Order-Freq.": "M", "Order-Freq.-Amount": "45000",
			"Order-Effective-Date": "20260201", "Order-Arrears-Freq.": "M", "Order-Arrears-Freq.-Amount": "5000",
			"Order-Arrears-Total-Amount": "270000",
			"Arrears-Non-TANF-From-Date": "20260201", "Arrears-Non-TANF-Thru-Date": "20261130", "Arrears-Non-TANF-Amount": "270000",
			"Medical-Ordered": "Y", "Controlling-Order-Flag": "P", "Docket-Num.": "F-12345-26",
		}) +
		handBlock(t, "information", map[string]string{
			"Status-Change-Code": "O", "Information-Text-Line-1": "PLEASE REGISTER THE ATTACHED ORDER FOR ENFORCEMENT.",
			"Information-Text-Line-3": "CERTIFIED COPY FOLLOWS BY MAIL.",
		})
}

func handLO1(t *testing.T) string {
	return handHeader(t, "LO1", "R", "", "0100000", map[string]string{"Other-Case-ID": "CA-998877"}) + handNCPID(t)
}

// handCSI is a case status request as requirements.csv has it: the header
// alone, naming both states' cases.
func handCSI(t *testing.T) string {
	return handHeader(t, "CSI", "R", "FRINF", "0000000", map[string]string{
		"Transaction-Serial-Number": "999999999999", "Other-Case-ID": "CA-998877"})
}

// handParticipants is a case block and a custodial party and a child, for
// records whose header the test writes.
func handParticipants(t *testing.T) string {
	return handBlock(t, "case", map[string]string{"Case-Type": "A", "Case-Status": "O"}) +
		handBlock(t, "participant", map[string]string{"Name-Last": "ROE", "Name-First": "MARY", "Relationship": "C", "Participant-Status": "O"}) +
		handBlock(t, "participant", map[string]string{"Name-Last": "DOE", "Name-First": "LILY", "Relationship": "D",
			"Participant-Status": "O", "Dependent-Relation-CP": "C", "Date-Of-Birth": "20160229"})
}
