package mapping_test

import (
	"testing"

	"github.com/uifsagw/uifsagw/transforms/mapping"
)

func TestLoadRefuses(t *testing.T) {
	cases := []struct {
		name, yaml, want string
	}{
		{"unknown key", "format: x/1\nkind: xml\nroot: R\nmapp: {}\n",
			"mapping: yaml: unmarshal errors:\n  line 4: field mapp not found in type mapping.Spec"},
		{"bad kind", "format: x/1\nkind: csv\n", `mapping: kind must be xml or json, got "csv"`},
		{"no format", "kind: json\n", "mapping: format is required (e.g. nj-xml/2)"},
		{"xml without root", "format: x/1\nkind: xml\n", "mapping: root is required for kind xml"},
		{"json with namespace", "format: x/1\nkind: json\nnamespace: urn:x\n", "mapping: root, namespace and rootAttributes apply to kind xml only"},
		{"unknown canonical field", "format: x/1\nkind: json\nmap:\n  fields:\n    - {from: /a, to: header.sender}\n",
			`mapping x/1: canonical path "header.sender": no field "sender"`},
		{"optional group without from", "format: x/1\nkind: json\nmap:\n  groups:\n    - {to: case}\n",
			"mapping x/1: group case is optional in the canonical model, so it needs its own from: its presence says whether the block is present"},
		{"ambiguous code words", "format: x/1\nkind: json\nmap:\n  fields:\n    - {from: /f, to: header.function, codes: {EST: EST, ESTAB: EST}}\n",
			`mapping x/1: field header.function: code words "EST" and "ESTAB" both mean "EST"; a reply could not choose`},
		{"two-digit year", "format: x/1\nkind: json\nmap:\n  fields:\n    - {from: /d, to: header.transactionDate, dateLayout: 01/02/06}\n",
			`mapping x/1: field header.transactionDate: date layout "01/02/06" must hold a 4-digit year (2006), month (01) and day (02)`},
		{"money on text", "format: x/1\nkind: json\nmap:\n  fields:\n    - {from: /d, to: header.messageId, money: cents}\n",
			"mapping x/1: field header.messageId: money applies to amounts only"},
		{"list target not a list", "format: x/1\nkind: json\nmap:\n  lists:\n    - {from: /p, to: header}\n",
			"mapping x/1: list header: target is not a list"},
		{"bad default", "format: x/1\nkind: json\nmap:\n  fields:\n    - {from: /s, to: header.serial, default: one}\n",
			`mapping x/1: field header.serial: default: strconv.ParseInt: parsing "one": invalid syntax`},
		{"optional group shares its element", "format: x/1\nkind: xml\nroot: R\nmap:\n  fields:\n    - {from: Case/@no, to: header.senderCaseId}\n  groups:\n    - {from: Case, to: case}\n",
			`mapping x/1: field header.senderCaseId uses "Case/@no", inside the element of group case ("Case"); an optional block needs an element of its own`},
		{"block as field", "format: x/1\nkind: json\nmap:\n  fields:\n    - {from: /c, to: case}\n",
			"mapping x/1: field case: *v1tx.Case is not a single value; map it as a group or list"},
		{"json pointer without slash", "format: x/1\nkind: json\nmap:\n  fields:\n    - {from: a, to: header.messageId}\n",
			`mapping x/1: path "a": a JSON pointer starts with /`},
		{"attribute in the middle", "format: x/1\nkind: xml\nroot: R\nmap:\n  fields:\n    - {from: A/@b/C, to: header.messageId}\n",
			`mapping x/1: path "A/@b/C": an attribute must come last`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := mapping.Load([]byte(c.yaml))
			if err == nil || err.Error() != c.want {
				t.Fatalf("got  %v\nwant %s", err, c.want)
			}
		})
	}
}

func TestDefaultsAndIndexBase(t *testing.T) {
	m, err := mapping.Load([]byte(`
format: tiny/1
kind: json
map:
  fields:
    - {from: /id, to: header.messageId}
  groups:
    - from: /case
      to: case
      fields:
        - {from: /type, to: type, default: NA}
  lists:
    - from: /orders
      to: orders
      lists:
        - {from: /kids, to: children, value: {indexBase: 1}}
`))
	if err != nil {
		t.Fatal(err)
	}
	c := m.Codec("tiny/1")
	tx, errs := c.Decode([]byte(`{"id":"m1","case":{},"orders":[{"kids":[1,3]}]}`))
	if errs != nil {
		t.Fatal(errs)
	}
	if tx.Case == nil || tx.Case.Type != "N" || len(tx.Orders) != 1 || len(tx.Orders[0].Children) != 2 ||
		tx.Orders[0].Children[0] != 0 || tx.Orders[0].Children[1] != 2 {
		t.Fatalf("got %+v", tx)
	}
	out, err := c.Encode(tx)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(out), `{"id":"m1","case":{"type":"NA"},"orders":[{"kids":[1,3]}]}`; got != want {
		t.Fatalf("encode:\n got %s\nwant %s", got, want)
	}
	// No case object: no case block, and the default does not invent one.
	tx, errs = c.Decode([]byte(`{"id":"m2"}`))
	if errs != nil || tx.Case != nil {
		t.Fatalf("got %+v, %v", tx, errs)
	}
}
