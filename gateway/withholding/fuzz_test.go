package withholding

import "testing"

// FuzzParseRules: a rules file either parses into rules no cap of which is
// above its CCPA cell, or is refused; it never panics.
func FuzzParseRules(f *testing.F) {
	f.Add([]byte("state: \"36\"\nname: NY\ncaps:\n  secondFamily: {under12Weeks: 50, atLeast12Weeks: 55}\n  noSecondFamily: {under12Weeks: 60, atLeast12Weeks: 65}\ndaysToStart: 14\ndaysToRemitBusinessDays: 7\nallocation: prorate_current_then_arrears\n"))
	f.Add([]byte("caps:\n  secondFamily: {under12Weeks: 99}\n"))
	f.Add([]byte("employerFee: {dollars: \"-1\"}\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := ParseRules(b)
		if err != nil {
			return
		}
		if r.SecondFamily > CCPASecondFamily || r.SecondFamilyArrears > CCPASecondFamilyArrears ||
			r.Single > CCPASingle || r.SingleArrears > CCPASingleArrears {
			t.Fatalf("accepted caps above the CCPA: %+v", r)
		}
	})
}
