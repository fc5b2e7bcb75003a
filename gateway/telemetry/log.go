package telemetry

import (
	"context"
	"io"
	"log/slog"
	"regexp"
	"strings"
)

// NewLogger returns a slog logger in "json" or "text" that redacts PII.
func NewLogger(w io.Writer, format, level string) *slog.Logger {
	var lv slog.Level
	_ = lv.UnmarshalText([]byte(level))
	opts := &slog.HandlerOptions{Level: lv}
	var h slog.Handler
	if format == "text" {
		h = slog.NewTextHandler(w, opts)
	} else {
		h = slog.NewJSONHandler(w, opts)
	}
	return slog.New(NewRedactor(h))
}

// Redactor is a slog handler that removes SSNs and dates of birth wherever
// they would appear: in attributes whose key names them, and in any string
// value or message that contains something shaped like an SSN.
type Redactor struct{ next slog.Handler }

// NewRedactor wraps next.
func NewRedactor(next slog.Handler) *Redactor { return &Redactor{next: next} }

var (
	// Nine digits, alone or as 3-2-4 with dashes or spaces, not inside a longer number.
	ssnPattern = regexp.MustCompile(`(^|[^0-9])([0-9]{3})[- ]?([0-9]{2})[- ]?([0-9]{4})($|[^0-9])`)
	piiKeys    = []string{"ssn", "socialsecurity", "dob", "dateofbirth", "birthdate", "birth"}
)

// Redacted is what replaces a removed value.
const Redacted = "[REDACTED]"

// RedactString masks every SSN-shaped run of digits in s.
func RedactString(s string) string {
	if !containsNineDigits(s) {
		return s
	}
	return ssnPattern.ReplaceAllString(s, "${1}***-**-****${5}")
}

func containsNineDigits(s string) bool {
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			n++
			if n >= 9 {
				return true
			}
		}
	}
	return false
}

func isPIIKey(k string) bool {
	k = strings.ToLower(strings.NewReplacer("_", "", "-", "", ".", "").Replace(k))
	for _, p := range piiKeys {
		if strings.Contains(k, p) {
			return true
		}
	}
	return false
}

func redactAttr(a slog.Attr) slog.Attr {
	if isPIIKey(a.Key) {
		return slog.String(a.Key, Redacted)
	}
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		return slog.String(a.Key, RedactString(v.String()))
	case slog.KindGroup:
		g := v.Group()
		out := make([]any, len(g))
		for i, x := range g {
			out[i] = redactAttr(x)
		}
		return slog.Group(a.Key, out...)
	case slog.KindAny:
		if err, ok := v.Any().(error); ok {
			return slog.String(a.Key, RedactString(err.Error()))
		}
		return slog.String(a.Key, RedactString(v.String()))
	}
	return slog.Attr{Key: a.Key, Value: v}
}

// Enabled implements slog.Handler.
func (r *Redactor) Enabled(ctx context.Context, l slog.Level) bool { return r.next.Enabled(ctx, l) }

// Handle implements slog.Handler.
func (r *Redactor) Handle(ctx context.Context, rec slog.Record) error {
	out := slog.NewRecord(rec.Time, rec.Level, RedactString(rec.Message), rec.PC)
	rec.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(redactAttr(a))
		return true
	})
	return r.next.Handle(ctx, out)
}

// WithAttrs implements slog.Handler.
func (r *Redactor) WithAttrs(attrs []slog.Attr) slog.Handler {
	red := make([]slog.Attr, len(attrs))
	for i, a := range attrs {
		red[i] = redactAttr(a)
	}
	return &Redactor{next: r.next.WithAttrs(red)}
}

// WithGroup implements slog.Handler.
func (r *Redactor) WithGroup(name string) slog.Handler {
	return &Redactor{next: r.next.WithGroup(name)}
}
