package canonical

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"strconv"
	"time"
)

// Date is a civil date without time or zone. Its JSON form is "YYYY-MM-DD".
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// DateOf returns the civil date of t in t's location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{y, m, d}
}

// ParseDate parses "YYYY-MM-DD" and refuses dates that do not exist (2026-02-30).
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, fmt.Errorf("not a date in the form YYYY-MM-DD: %q", s)
	}
	return DateOf(t), nil
}

// IsZero reports whether d is the zero date.
func (d Date) IsZero() bool { return d == Date{} }

// Time returns midnight UTC of d.
func (d Date) Time() time.Time { return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC) }

// Valid reports whether d names a real calendar day in years 1800 to 2999.
func (d Date) Valid() bool {
	if d.Year < 1800 || d.Year > 2999 || d.Month < 1 || d.Month > 12 || d.Day < 1 {
		return false
	}
	return DateOf(d.Time()) == d
}

// Before reports whether d is earlier than e.
func (d Date) Before(e Date) bool { return d.Time().Before(e.Time()) }

// After reports whether d is later than e.
func (d Date) After(e Date) bool { return d.Time().After(e.Time()) }

// AddDays returns d moved by n days.
func (d Date) AddDays(n int) Date { return DateOf(d.Time().AddDate(0, 0, n)) }

func (d Date) String() string {
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day)
}

// MarshalJSON writes "YYYY-MM-DD".
func (d Date) MarshalJSON() ([]byte, error) {
	return []byte(`"` + d.String() + `"`), nil
}

// UnmarshalJSON reads "YYYY-MM-DD". It reads back what MarshalJSON writes
// for the zero date ("0000-00-00") as the zero date, so that stored records
// holding one (review evidence, for one) decode again; Validate still
// refuses a zero date where a date is required or given. null leaves d as
// it is, as encoding/json's convention asks.
func (d *Date) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("a date must be a string YYYY-MM-DD")
	}
	if s == (Date{}).String() {
		*d = Date{}
		return nil
	}
	v, err := ParseDate(s)
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// Cents is an amount of money in US cents.
type Cents int64

// MaxCents bounds every amount: ten million dollars. Larger values are refused
// as implausible rather than risking overflow in sums.
const MaxCents Cents = 10_000_000_00

// Dollars formats c as "1234.56".
func (c Cents) Dollars() string {
	sign := ""
	if c < 0 {
		sign, c = "-", -c
	}
	return fmt.Sprintf("%s%d.%02d", sign, int64(c)/100, int64(c)%100)
}

// ParseDollars reads "1234.56", "1234.5" or "1234" into cents.
func ParseDollars(s string) (Cents, error) {
	if s == "" {
		return 0, fmt.Errorf("empty amount")
	}
	neg := false
	if s[0] == '-' {
		neg, s = true, s[1:]
	}
	whole, frac := s, ""
	for i := 0; i < len(s); i++ {
		if s[i] == '.' {
			whole, frac = s[:i], s[i+1:]
			break
		}
	}
	if whole == "" || len(frac) > 2 || len(whole) > 12 {
		return 0, fmt.Errorf("not an amount with at most two decimals: %q", s)
	}
	for _, r := range whole + frac {
		if r < '0' || r > '9' {
			return 0, fmt.Errorf("not an amount with at most two decimals: %q", s)
		}
	}
	w, _ := strconv.ParseInt(whole, 10, 64)
	for len(frac) < 2 {
		frac += "0"
	}
	f, _ := strconv.ParseInt(frac, 10, 64)
	v := Cents(w*100 + f)
	if neg {
		v = -v
	}
	return v, nil
}

// FIPS is a CSENet FIPS code: state (2 digits), county (3 digits) and
// sub-office (2 characters A-Z 0-9), or only state and county when the
// sub-office is blank.
type FIPS string

// State returns the 2-digit state part.
func (f FIPS) State() string {
	if len(f) < 2 {
		return ""
	}
	return string(f[:2])
}

// Valid reports whether f is a FIPS code with a known state part.
func (f FIPS) Valid() bool {
	if (len(f) != 5 && len(f) != 7) || !allDigits(string(f[:5])) {
		return false
	}
	for i := 5; i < len(f); i++ {
		if (f[i] < '0' || f[i] > '9') && (f[i] < 'A' || f[i] > 'Z') {
			return false
		}
	}
	_, ok := StatePostal[f.State()]
	return ok
}

// SSN is a 9-digit Social Security number. Its String and slog forms are
// masked so that it cannot reach a log by accident; use Digits for the value.
type SSN string

// Digits returns the unmasked value.
func (s SSN) Digits() string { return string(s) }

// Masked returns "***-**-1234".
func (s SSN) Masked() string {
	if len(s) < 4 {
		return "***-**-****"
	}
	return "***-**-" + string(s[len(s)-4:])
}

// String returns the masked form.
func (s SSN) String() string { return s.Masked() }

// GoString returns the masked form, so %#v cannot leak it either.
func (s SSN) GoString() string { return s.Masked() }

// LogValue returns the masked form for log/slog.
func (s SSN) LogValue() slog.Value { return slog.StringValue(s.Masked()) }

// Valid reports whether s is 9 digits and not an impossible number
// (area 000, 666 or 9xx, group 00, serial 0000).
func (s SSN) Valid() bool {
	d := string(s)
	if len(d) != 9 || !allDigits(d) {
		return false
	}
	area, group, serial := d[:3], d[3:5], d[5:]
	return area != "000" && area != "666" && area[0] != '9' && group != "00" && serial != "0000"
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// StatePostal maps state FIPS codes to postal abbreviations (states, DC and
// the territories that run IV-D programs).
var StatePostal = map[string]string{
	"01": "AL", "02": "AK", "04": "AZ", "05": "AR", "06": "CA", "08": "CO", "09": "CT", "10": "DE",
	"11": "DC", "12": "FL", "13": "GA", "15": "HI", "16": "ID", "17": "IL", "18": "IN", "19": "IA",
	"20": "KS", "21": "KY", "22": "LA", "23": "ME", "24": "MD", "25": "MA", "26": "MI", "27": "MN",
	"28": "MS", "29": "MO", "30": "MT", "31": "NE", "32": "NV", "33": "NH", "34": "NJ", "35": "NM",
	"36": "NY", "37": "NC", "38": "ND", "39": "OH", "40": "OK", "41": "OR", "42": "PA", "44": "RI",
	"45": "SC", "46": "SD", "47": "TN", "48": "TX", "49": "UT", "50": "VT", "51": "VA", "53": "WA",
	"54": "WV", "55": "WI", "56": "WY", "66": "GU", "72": "PR", "78": "VI",
}

// PostalState maps postal abbreviations back to state FIPS codes.
var PostalState = func() map[string]string {
	m := make(map[string]string, len(StatePostal))
	for k, v := range StatePostal {
		m[v] = k
	}
	return m
}()
