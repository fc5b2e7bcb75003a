package telemetry

import (
	"bytes"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"github.com/uifsagw/uifsagw/schemas/canonical"
)

func TestRedactorRemovesSSNsAndDatesOfBirth(t *testing.T) {
	dob := canonical.Date{Year: 1988, Month: 3, Day: 14}
	cases := []struct {
		name string
		log  func(l *slog.Logger)
		gone []string // must not appear
		kept []string // must still appear
	}{
		{"ssn attribute by key", func(l *slog.Logger) { l.Info("x", "ssn", "123456789") }, []string{"123456789"}, []string{Redacted}},
		{"canonical SSN value", func(l *slog.Logger) { l.Info("x", "who", canonical.SSN("123456789")) }, []string{"123456789"}, []string{"***-**-6789"}},
		{"SSN inside a message", func(l *slog.Logger) { l.Info("rejected 123-45-6789 for case NJ1") }, []string{"123-45-6789"}, []string{"case NJ1"}},
		{"SSN with spaces in a value", func(l *slog.Logger) { l.Warn("x", "detail", "ssn 123 45 6789 given") }, []string{"123 45 6789"}, []string{"given"}},
		{"SSN in an error", func(l *slog.Logger) { l.Error("x", "err", errors.New("no match for 123456789")) }, []string{"123456789"}, []string{"no match for"}},
		{"date of birth by key", func(l *slog.Logger) { l.Info("x", "dateOfBirth", dob.String()) }, []string{"1988-03-14"}, []string{Redacted}},
		{"dob key variants", func(l *slog.Logger) { l.Info("x", "employee_dob", "1988-03-14", "birth_date", "1988-03-14") }, []string{"1988-03-14"}, nil},
		{"nested group", func(l *slog.Logger) {
			l.Info("x", slog.Group("ncp", slog.String("ssn", "123456789"), slog.String("name", "Jordan")))
		}, []string{"123456789"}, []string{"Jordan"}},
		{"With attributes", func(l *slog.Logger) { l.With("ssn", "123456789").Info("x") }, []string{"123456789"}, nil},
		{"ordinary numbers untouched", func(l *slog.Logger) { l.Info("x", "message", 12345, "partner", "nj", "count", "1234567890123") },
			nil, []string{"12345", "1234567890123"}},
	}
	for _, format := range []string{"json", "text"} {
		for _, c := range cases {
			t.Run(format+"/"+c.name, func(t *testing.T) {
				var buf bytes.Buffer
				c.log(NewLogger(&buf, format, "debug"))
				out := buf.String()
				for _, g := range c.gone {
					if strings.Contains(out, g) {
						t.Errorf("log still holds %q: %s", g, out)
					}
				}
				for _, k := range c.kept {
					if !strings.Contains(out, k) {
						t.Errorf("log lost %q: %s", k, out)
					}
				}
			})
		}
	}
}

func TestRedactString(t *testing.T) {
	for in, want := range map[string]string{
		"123456789":            "***-**-****",
		"a 123-45-6789 b":      "a ***-**-**** b",
		"1234567890":           "1234567890", // ten digits: not an SSN
		"tracking 36T00000012": "tracking 36T00000012",
		"":                     "",
	} {
		if got := RedactString(in); got != want {
			t.Errorf("RedactString(%q) = %q, want %q", in, got, want)
		}
	}
}
