package validate

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/uifsagw/uifsagw/schemas"

	"github.com/uifsagw/uifsagw/schemas/canonical"
)

// The per-transaction edits of the federal guide: for each combination,
// requirements.csv (schemas/csenet, Appendix B of the CSENet 2000 Interface
// Guidance Document v8.0) says which blocks it carries and which fields it
// fills, with a rule per field. The rules read as:
//
//   - on a block indicator: "=0" the block must be absent, "=1" it must be
//     present (for participant, order and collection blocks: at least one;
//     the guide's "=1" there names the usual case, and a registration may
//     carry several orders); "Fill as appropriate" leaves it to the sender;
//   - "=X" on another field: the field must hold the value X (Case-Status
//     "=O" for an open case); "=+00000000.00" an amount of zero;
//   - "Y or N": the field must be Y or N;
//   - "Required if residential address entered": required when the NCP's
//     residential address is there;
//   - any other text ("NCP last name", "Your case ID"): the field must be
//     filled; "Fill as appropriate" leaves it to the sender.
//
// The header's fixed codes (version 003, function, action, reason) hold by
// construction and are not repeated. The layout's own "required" column is
// deliberately not used: the extraction's flag is uncertain (the README of
// schemas/csenet says why). Fields of a block are checked only when the
// block is there; a missing block that must be there is reported once.

// reqKind is what a rule asks of a field.
type reqKind int

const (
	reqFilled reqKind = iota
	reqValue
	reqYesNo
	reqIfResidential
	reqAbsent
	reqPresent
)

type requirement struct {
	block, field string
	kind         reqKind
	value        string
}

// requirementTable maps a combination to its edits.
type requirementTable map[comboKey][]requirement

// ParseRequirements reads a requirements table with the header
// "function,action,reason,block,field,rule". Fields the canonical model does
// not know are an error, so a table and the model cannot drift apart.
func ParseRequirements(data []byte) (requirementTable, error) {
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = 6
	out := requirementTable{}
	first := true
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("requirements: %w", err)
		}
		line, _ := r.FieldPos(0)
		if first {
			first = false
			if strings.Join(rec, ",") != "function,action,reason,block,field,rule" {
				return nil, fmt.Errorf("requirements line %d: header must be function,action,reason,block,field,rule", line)
			}
			continue
		}
		k := comboKey{canonical.FunctionCode(rec[0]), canonical.ActionCode(rec[1]), canonical.ReasonCode(rec[2])}
		req, ok, err := parseRule(rec[3], rec[4], strings.TrimSpace(rec[5]))
		if err != nil {
			return nil, fmt.Errorf("requirements line %d: %w", line, err)
		}
		if ok {
			out[k] = append(out[k], req)
		}
	}
	return out, nil
}

func parseRule(block, field, rule string) (requirement, bool, error) {
	lower := strings.ToLower(rule)
	if lower == "" || strings.HasPrefix(lower, "fill as appropriate") || lower == "=fill as appropriate" {
		return requirement{}, false, nil
	}
	req := requirement{block: block, field: field}
	if block == "header" {
		if ind, ok := indicatorBlocks[field]; ok {
			switch {
			case strings.HasPrefix(rule, "=0"):
				req.kind = reqAbsent
			case strings.HasPrefix(rule, "=1"):
				req.kind = reqPresent
			default:
				return requirement{}, false, fmt.Errorf("%s: rule %q", field, rule)
			}
			req.field = ind
			return req, true, nil
		}
		switch field {
		case "CSENet-Version-Number", "Action-Code", "Functional-Type-Code", "Action-Reason", "Transaction-Serial-Number":
			return requirement{}, false, nil
		}
	}
	if _, ok := fieldGetters[block+"/"+field]; !ok {
		return requirement{}, false, fmt.Errorf("%s %s: not a field the canonical model maps", block, field)
	}
	switch {
	case rule == "=+00000000.00":
		req.kind, req.value = reqValue, "0"
	case strings.HasPrefix(lower, "=fill as indicated"):
		req.kind = reqFilled
	case strings.HasPrefix(rule, "="):
		req.kind, req.value = reqValue, strings.Fields(rule[1:])[0]
	case lower == "y or n":
		req.kind = reqYesNo
	case strings.HasPrefix(lower, "required if residential"):
		req.kind = reqIfResidential
	default:
		req.kind = reqFilled
	}
	return req, true, nil
}

// indicatorBlocks maps the header's block indicators to the block they count.
var indicatorBlocks = map[string]string{
	"Case-Data-Ind.": "case", "NCP-Identification-Ind.": "ncp_id", "NCP-Locate-Data-Ind.": "ncp_locate",
	"Participant-Data-Ind.": "participant", "Order-Data-Ind.": "order", "Collection-Data-Ind.": "collection",
	"Information-Ind.": "information",
}

// blockPaths is the canonical path of each layout block.
var blockPaths = map[string]string{
	"case": "case", "ncp_id": "ncp", "ncp_locate": "ncpLocate", "participant": "participants",
	"order": "orders", "collection": "collections", "information": "information",
}

func blockCount(t *canonical.Transaction, block string) int {
	b2i := func(b bool) int {
		if b {
			return 1
		}
		return 0
	}
	switch block {
	case "case":
		return b2i(t.Case != nil)
	case "ncp_id":
		return b2i(t.NCP != nil)
	case "ncp_locate":
		return b2i(t.NCPLocate != nil)
	case "participant":
		return len(t.Participants)
	case "order":
		return len(t.Orders)
	case "collection":
		return len(t.Collections)
	case "information":
		return b2i(t.Information != nil)
	}
	return 0
}

// getter returns the canonical path of a layout field in occurrence i of its
// block and the field's value as the layout writes it ("" when empty).
type getter func(t *canonical.Transaction, i int) (path, value string)

func dateText(d *canonical.Date) string {
	if d == nil || d.IsZero() {
		return ""
	}
	return d.String()
}

func addrOf(a *canonical.Address) canonical.Address {
	if a == nil {
		return canonical.Address{}
	}
	return *a
}

func contactOf(t *canonical.Transaction) canonical.Contact {
	if t.Case == nil || t.Case.Contact == nil {
		return canonical.Contact{}
	}
	return *t.Case.Contact
}

func contactName(t *canonical.Transaction) canonical.Name {
	if c := contactOf(t); c.Name != nil {
		return *c.Name
	}
	return canonical.Name{}
}

func residential(t *canonical.Transaction) canonical.Address {
	if t.NCPLocate == nil || t.NCPLocate.Residential == nil {
		return canonical.Address{}
	}
	return t.NCPLocate.Residential.Address
}

func employer0(t *canonical.Transaction) canonical.Employer {
	if t.NCPLocate == nil || len(t.NCPLocate.Employers) == 0 {
		return canonical.Employer{}
	}
	return t.NCPLocate.Employers[0]
}

func yn(b bool) string {
	if b {
		return "Y"
	}
	return "N"
}

func fipsPart(f canonical.FIPS, from, to int) string {
	if len(f) < to {
		return ""
	}
	return string(f[from:to])
}

// fieldGetters maps "block/Field-Name" of the layout to the canonical field,
// for every field that requirements.csv sets a rule on.
var fieldGetters = map[string]getter{
	"header/Case-ID": func(t *canonical.Transaction, _ int) (string, string) {
		return "header.senderCaseId", t.Header.SenderCaseID
	},
	"header/Other-Case-ID": func(t *canonical.Transaction, _ int) (string, string) {
		return "header.receiverCaseId", t.Header.ReceiverCaseID
	},
	"header/Action-Resolution-Date": func(t *canonical.Transaction, _ int) (string, string) {
		return "header.resolutionDate", dateText(t.Header.ResolutionDate)
	},
	"header/Attachments-Ind.": func(t *canonical.Transaction, _ int) (string, string) {
		return "header.attachments", yn(t.Header.Attachments)
	},
	"case/Case-Type":   func(t *canonical.Transaction, _ int) (string, string) { return "case.type", string(t.Case.Type) },
	"case/Case-Status": func(t *canonical.Transaction, _ int) (string, string) { return "case.status", string(t.Case.Status) },
	"case/Payment-City": func(t *canonical.Transaction, _ int) (string, string) {
		return "case.paymentAddress.city", addrOf(t.Case.PaymentAddress).City
	},
	"case/Payment-State": func(t *canonical.Transaction, _ int) (string, string) {
		return "case.paymentAddress.state", addrOf(t.Case.PaymentAddress).State
	},
	"case/Payment-Zip-1": func(t *canonical.Transaction, _ int) (string, string) {
		return "case.paymentAddress.zip", addrOf(t.Case.PaymentAddress).Zip
	},
	"case/Contact-Name-Last": func(t *canonical.Transaction, _ int) (string, string) {
		return "case.contact.name.last", contactName(t).Last
	},
	"case/Contact-Name-First": func(t *canonical.Transaction, _ int) (string, string) {
		return "case.contact.name.first", contactName(t).First
	},
	"case/Contact-Address-Line-1": func(t *canonical.Transaction, _ int) (string, string) {
		return "case.contact.address.line1", addrOf(contactOf(t).Address).Line1
	},
	"case/Contact-City": func(t *canonical.Transaction, _ int) (string, string) {
		return "case.contact.address.city", addrOf(contactOf(t).Address).City
	},
	"case/Contact-State": func(t *canonical.Transaction, _ int) (string, string) {
		return "case.contact.address.state", addrOf(contactOf(t).Address).State
	},
	"case/Contact-Zip-1": func(t *canonical.Transaction, _ int) (string, string) {
		return "case.contact.address.zip", addrOf(contactOf(t).Address).Zip
	},
	"case/Contact-Phone-Num.": func(t *canonical.Transaction, _ int) (string, string) {
		return "case.contact.phone", contactOf(t).Phone
	},
	"collection/Date-Of-Collection": func(t *canonical.Transaction, i int) (string, string) {
		return fmt.Sprintf("collections[%d].date", i), dateText(&t.Collections[i].Date)
	},
	"collection/Date-Of-Posting": func(t *canonical.Transaction, i int) (string, string) {
		return fmt.Sprintf("collections[%d].postingDate", i), dateText(t.Collections[i].PostingDate)
	},
	"information/Information-Text-Line-1": func(t *canonical.Transaction, _ int) (string, string) {
		return "information.text", strings.TrimSpace(t.Information.Text)
	},
	"information/New-Case-ID": func(t *canonical.Transaction, _ int) (string, string) {
		return "information.newCaseId", t.Information.NewCaseID
	},
	"information/Status-Change-Code": func(t *canonical.Transaction, _ int) (string, string) {
		return "information.statusChange", string(t.Information.StatusChange)
	},
	"ncp_id/Date-Of-Birth": func(t *canonical.Transaction, _ int) (string, string) {
		return "ncp.dateOfBirth", dateText(t.NCP.DateOfBirth)
	},
	"ncp_id/Name-First": func(t *canonical.Transaction, _ int) (string, string) { return "ncp.name.first", t.NCP.Name.First },
	"ncp_id/Name-Last":  func(t *canonical.Transaction, _ int) (string, string) { return "ncp.name.last", t.NCP.Name.Last },
	"ncp_id/SSN":        func(t *canonical.Transaction, _ int) (string, string) { return "ncp.ssn", string(t.NCP.SSN) },
	"ncp_locate/Employer-Address-Line-1": func(t *canonical.Transaction, _ int) (string, string) {
		return "ncpLocate.employers[0].address.line1", addrOf(employer0(t).Address).Line1
	},
	"ncp_locate/Employer-City": func(t *canonical.Transaction, _ int) (string, string) {
		return "ncpLocate.employers[0].address.city", addrOf(employer0(t).Address).City
	},
	"ncp_locate/Employer-State": func(t *canonical.Transaction, _ int) (string, string) {
		return "ncpLocate.employers[0].address.state", addrOf(employer0(t).Address).State
	},
	"ncp_locate/Employer-Zip-1": func(t *canonical.Transaction, _ int) (string, string) {
		return "ncpLocate.employers[0].address.zip", addrOf(employer0(t).Address).Zip
	},
	"ncp_locate/Employer-Confirmed-Ind.": func(t *canonical.Transaction, _ int) (string, string) {
		return "ncpLocate.employers[0].confirmed", string(employer0(t).Confirmed)
	},
	"ncp_locate/Employer-Effective-Date": func(t *canonical.Transaction, _ int) (string, string) {
		return "ncpLocate.employers[0].effectiveDate", dateText(employer0(t).EffectiveDate)
	},
	"ncp_locate/Employer-Name": func(t *canonical.Transaction, _ int) (string, string) {
		return "ncpLocate.employers[0].name", employer0(t).Name
	},
	"ncp_locate/Employer-Phone-Num.": func(t *canonical.Transaction, _ int) (string, string) {
		return "ncpLocate.employers[0].phone", employer0(t).Phone
	},
	"ncp_locate/Insurance-Carrier-Name": func(t *canonical.Transaction, _ int) (string, string) {
		return "ncpLocate.insuranceCarrier", t.NCPLocate.InsuranceCarrier
	},
	"ncp_locate/Insurance-Policy-Num.": func(t *canonical.Transaction, _ int) (string, string) {
		return "ncpLocate.insurancePolicy", t.NCPLocate.InsurancePolicy
	},
	"ncp_locate/Residential-Address-Confirmed-Ind.": func(t *canonical.Transaction, _ int) (string, string) {
		if t.NCPLocate.Residential == nil {
			return "ncpLocate.residential.confirmed", ""
		}
		return "ncpLocate.residential.confirmed", string(t.NCPLocate.Residential.Confirmed)
	},
	"ncp_locate/Residential-Address-Effective-Date": func(t *canonical.Transaction, _ int) (string, string) {
		if t.NCPLocate.Residential == nil {
			return "ncpLocate.residential.effectiveDate", ""
		}
		return "ncpLocate.residential.effectiveDate", dateText(t.NCPLocate.Residential.EffectiveDate)
	},
	"ncp_locate/Residential-Address-Line-1": func(t *canonical.Transaction, _ int) (string, string) {
		return "ncpLocate.residential.address.line1", residential(t).Line1
	},
	"ncp_locate/Residential-City": func(t *canonical.Transaction, _ int) (string, string) {
		return "ncpLocate.residential.address.city", residential(t).City
	},
	"ncp_locate/Residential-State": func(t *canonical.Transaction, _ int) (string, string) {
		return "ncpLocate.residential.address.state", residential(t).State
	},
	"ncp_locate/Residential-Zip-1": func(t *canonical.Transaction, _ int) (string, string) {
		return "ncpLocate.residential.address.zip", residential(t).Zip
	},
	"order/Medical-Ordered": func(t *canonical.Transaction, i int) (string, string) {
		return fmt.Sprintf("orders[%d].medicalOrdered", i), string(t.Orders[i].MedicalOrdered)
	},
	"order/Order-Effective-Date": func(t *canonical.Transaction, i int) (string, string) {
		return fmt.Sprintf("orders[%d].effectiveDate", i), dateText(t.Orders[i].EffectiveDate)
	},
	"order/Order-FIPS-County": func(t *canonical.Transaction, i int) (string, string) {
		return fmt.Sprintf("orders[%d].tribunalFips", i), fipsPart(t.Orders[i].TribunalFIPS, 2, 5)
	},
	"order/Order-FIPS-State": func(t *canonical.Transaction, i int) (string, string) {
		return fmt.Sprintf("orders[%d].tribunalFips", i), fipsPart(t.Orders[i].TribunalFIPS, 0, 2)
	},
	"order/Order-Filing-Date": func(t *canonical.Transaction, i int) (string, string) {
		return fmt.Sprintf("orders[%d].issueDate", i), dateText(&t.Orders[i].IssueDate)
	},
	"order/Order-Freq.-Amount": func(t *canonical.Transaction, i int) (string, string) {
		return fmt.Sprintf("orders[%d].amountCents", i), fmt.Sprint(int64(t.Orders[i].Amount))
	},
	"order/Order-ID": func(t *canonical.Transaction, i int) (string, string) {
		return fmt.Sprintf("orders[%d].docket", i), t.Orders[i].Docket
	},
	"order/Order-Type": func(t *canonical.Transaction, i int) (string, string) {
		return fmt.Sprintf("orders[%d].type", i), string(t.Orders[i].Type)
	},
	"participant/Date-Of-Birth": func(t *canonical.Transaction, i int) (string, string) {
		return fmt.Sprintf("participants[%d].dateOfBirth", i), dateText(t.Participants[i].DateOfBirth)
	},
	"participant/Name-First": func(t *canonical.Transaction, i int) (string, string) {
		return fmt.Sprintf("participants[%d].name.first", i), t.Participants[i].Name.First
	},
	"participant/Name-Last": func(t *canonical.Transaction, i int) (string, string) {
		return fmt.Sprintf("participants[%d].name.last", i), t.Participants[i].Name.Last
	},
	"participant/Participant-Status": func(t *canonical.Transaction, i int) (string, string) {
		return fmt.Sprintf("participants[%d].status", i), string(t.Participants[i].Status)
	},
	"participant/SSN": func(t *canonical.Transaction, i int) (string, string) {
		return fmt.Sprintf("participants[%d].ssn", i), string(t.Participants[i].SSN)
	},
}

var seedRequirements = sync.OnceValue(func() requirementTable {
	r, err := ParseRequirements(schemas.CSENetRequirementsCSV)
	if err != nil {
		// Embedded and tested: a broken table is a build defect.
		panic(fmt.Sprintf("canonical: embedded requirements: %v", err))
	}
	return r
})

// requirements applies the edits of t's combination. Combinations the table
// has no rows for (the gateway's own, an operator's, or federal ones the
// extraction lost) have no edits beyond the model's.
func (v *validator) requirements(t *canonical.Transaction) {
	h := &t.Header
	reqs := seedRequirements()[comboKey{h.Function, h.Action, h.Reason}]
	combo := comboKey{h.Function, h.Action, h.Reason}.String()
	for _, r := range reqs {
		switch r.kind {
		case reqAbsent:
			if n := blockCount(t, r.field); n > 0 {
				v.addf(blockPaths[r.field], "%s carries no %s block", combo, strings.ReplaceAll(r.field, "_", " "))
			}
			continue
		case reqPresent:
			if blockCount(t, r.field) == 0 {
				v.addf(blockPaths[r.field], "required: %s carries a %s block", combo, strings.ReplaceAll(r.field, "_", " "))
			}
			continue
		}
		if r.block != "header" && blockCount(t, r.block) == 0 {
			continue
		}
		n := 1
		if r.block == "participant" || r.block == "order" || r.block == "collection" {
			n = blockCount(t, r.block)
		}
		get := fieldGetters[r.block+"/"+r.field]
		for i := range n {
			path, val := get(t, i)
			switch r.kind {
			case reqFilled:
				if val == "" {
					v.addf(path, "required for %s", combo)
				}
			case reqIfResidential:
				if val == "" && t.NCPLocate.Residential != nil {
					v.addf(path, "required for %s when the residential address is given", combo)
				}
			case reqYesNo:
				if val != "Y" && val != "N" {
					v.addf(path, "must be Y or N for %s", combo)
				}
			case reqValue:
				if val != r.value {
					v.addf(path, "must be %s for %s", quoteCode(r.value), combo)
				}
			}
		}
	}
}
