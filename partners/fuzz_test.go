package partners

import "testing"

// FuzzParse: any partner entry either loads with its invariants or is refused
// with an error; it never panics.
func FuzzParse(f *testing.F) {
	f.Add([]byte("id: nj\nkind: state\nstate_fips: \"34\"\nformat: xml-transaction/1\ndelivery: pull\ntls:\n  pins: [\"47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\"]\njwks_file: none.json\n"))
	f.Add([]byte("id: Bad Id\nkind: nobody\n"))
	f.Add([]byte("{"))
	f.Add([]byte("id: x\nunknown_field: 1\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := Parse(b, t.TempDir())
		if err != nil {
			return
		}
		if !idPattern.MatchString(p.ID) || len(p.pins) == 0 || p.jwks == nil {
			t.Fatalf("accepted an entry that breaks the rules: %+v", p)
		}
	})
}
