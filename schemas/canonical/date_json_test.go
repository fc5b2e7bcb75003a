package canonical_test

import (
	"encoding/json"
	"testing"

	"github.com/uifsagw/uifsagw/schemas/canonical"
	"github.com/uifsagw/uifsagw/schemas/canonical/validate"
)

// A record holding a zero date (review evidence keeps orders.Determination
// with its zero AsOf) must decode again what it encoded; a zero date given
// where one is required is still refused, by Validate rather than the decoder.
func TestDateJSONRoundTrip(t *testing.T) {
	type rec struct {
		D canonical.Date  `json:"d"`
		P *canonical.Date `json:"p"`
	}
	tests := []struct {
		name    string
		in      string
		want    rec
		wantErr bool
	}{
		{"a date", `{"d":"2024-02-29","p":"1999-12-31"}`, rec{D: canonical.Date{2024, 2, 29}, P: &canonical.Date{1999, 12, 31}}, false},
		{"zero date as written", `{"d":"0000-00-00"}`, rec{}, false},
		{"null", `{"d":null,"p":null}`, rec{}, false},
		{"not a date", `{"d":"2024-02-30"}`, rec{}, true},
		{"not a string", `{"d":20240229}`, rec{}, true},
		{"empty", `{"d":""}`, rec{}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got rec
			err := json.Unmarshal([]byte(tc.in), &got)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, want error %v", err, tc.wantErr)
			}
			if tc.wantErr {
				return
			}
			if got.D != tc.want.D || (got.P == nil) != (tc.want.P == nil) || (got.P != nil && *got.P != *tc.want.P) {
				t.Fatalf("got %+v, want %+v", got, tc.want)
			}
			b, err := json.Marshal(got)
			if err != nil {
				t.Fatal(err)
			}
			var again rec
			if err := json.Unmarshal(b, &again); err != nil || again.D != got.D {
				t.Fatalf("round trip of %s: %+v, %v", b, again, err)
			}
		})
	}
	tx := canonical.Transaction{}
	if errs := validate.Model(&tx); len(errs) == 0 {
		t.Fatal("a transaction with a zero transaction date validated")
	}
}
