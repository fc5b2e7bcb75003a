package review

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/uifsagw/uifsagw/gateway/casework"
	"github.com/uifsagw/uifsagw/gateway/exchange"
	"github.com/uifsagw/uifsagw/gateway/httperr"
	"github.com/uifsagw/uifsagw/schemas/canonical"
)

// WorksheetFunc computes the allocation worksheet of the employee of an IWO.
// number is a tracking or control number; secondFamily is nil when not known.
type WorksheetFunc func(ctx context.Context, number string, disposable canonical.Cents, secondFamily *bool,
	freq canonical.Frequency) (casework.Worksheet, error)

type worksheetView struct {
	// Tracking is the number asked for: a tracking or a control number.
	Tracking   string
	Disposable string
	// SecondFamily is "", "yes" or "no": not known applies the lower limit,
	// as the IWO itself does.
	SecondFamily string
	Frequency    string
	Frequencies  []canonical.Frequency
	Result       *casework.Worksheet
	Error        string
}

func (wv worksheetView) secondFamily() *bool {
	switch wv.SecondFamily {
	case "yes":
		t := true
		return &t
	case "no":
		f := false
		return &f
	}
	return nil
}

// parseWorksheet reads tracking (a tracking or control number), disposable
// (dollars), secondFamily (true/yes, false/no, or absent: not known) and frequency.
func parseWorksheet(v url.Values) (worksheetView, canonical.Cents, error) {
	number := strings.TrimSpace(v.Get("tracking"))
	if number == "" {
		number = strings.TrimSpace(v.Get("number"))
	}
	wv := worksheetView{Tracking: number, Disposable: strings.TrimSpace(v.Get("disposable")), Frequency: v.Get("frequency"),
		Frequencies: []canonical.Frequency{canonical.FreqWeekly, canonical.FreqBiweekly, canonical.FreqSemimonthly, canonical.FreqMonthly}}
	switch strings.ToLower(strings.TrimSpace(v.Get("secondFamily"))) {
	case "true", "on", "yes":
		wv.SecondFamily = "yes"
	case "false", "no":
		wv.SecondFamily = "no"
	case "", "unknown":
	default:
		return wv, 0, badRequest("secondFamily: yes, no, or leave it out when not known")
	}
	if wv.Frequency == "" {
		wv.Frequency = string(canonical.FreqWeekly)
	}
	if wv.Tracking == "" {
		return wv, 0, nil
	}
	if len(wv.Tracking) > 64 {
		return wv, 0, badRequest("tracking: a tracking or control number has at most 64 characters")
	}
	d, err := canonical.ParseDollars(wv.Disposable)
	if err != nil || d <= 0 || d > canonical.MaxCents {
		return wv, 0, badRequest("disposable: disposable earnings per pay period in dollars, e.g. 300.00")
	}
	ok := false
	for _, f := range wv.Frequencies {
		ok = ok || string(f) == wv.Frequency
	}
	if !ok {
		return wv, 0, badRequest("frequency: W, B, S or M")
	}
	return wv, d, nil
}

// worksheetError turns a worksheet failure into words for staff: an unknown
// number is said to be unknown, anything else is logged and not shown.
func worksheetError(number string, err error) error {
	if errors.Is(err, exchange.ErrNotFound) {
		return httperr.New(http.StatusNotFound, "not_found",
			fmt.Sprintf("No income withholding order in force has tracking or control number %q.", number))
	}
	return err
}

func (h *Handler) worksheetPage(w http.ResponseWriter, r *http.Request, s *session) {
	wv, disposable, err := parseWorksheet(r.URL.Query())
	if err != nil {
		_, _, wv.Error = errStatus(err)
	} else if wv.Tracking != "" {
		if h.worksheet == nil {
			wv.Error = "the allocation worksheet is not available in this deployment"
		} else if ws, err := h.worksheet(r.Context(), wv.Tracking, disposable, wv.secondFamily(), canonical.Frequency(wv.Frequency)); err != nil {
			status, _, msg := errStatus(worksheetError(wv.Tracking, err))
			if status >= 500 {
				h.log.ErrorContext(r.Context(), "allocation worksheet failed", "err", err)
			}
			wv.Error = msg
		} else {
			wv.Result = &ws
		}
	}
	h.render(w, r, s, http.StatusOK, "worksheet", wv)
}

func (h *Handler) apiWorksheet(w http.ResponseWriter, r *http.Request, s *session) {
	wv, disposable, err := parseWorksheet(r.URL.Query())
	if err == nil && wv.Tracking == "" {
		err = badRequest("tracking: the tracking or control number of one of the employee's IWOs is required")
	}
	if err != nil {
		h.fail(w, r, s, true, err)
		return
	}
	if h.worksheet == nil {
		staffJSON.Error(w, httperr.New(http.StatusNotImplemented, "not_available", "the allocation worksheet is not available in this deployment"))
		return
	}
	ws, err := h.worksheet(r.Context(), wv.Tracking, disposable, wv.secondFamily(), canonical.Frequency(wv.Frequency))
	if err != nil {
		h.fail(w, r, s, true, worksheetError(wv.Tracking, err))
		return
	}
	staffJSON.Write(w, http.StatusOK, ws)
}
