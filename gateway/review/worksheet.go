package review

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/uifsagw/uifsagw/gateway/casework"
	"github.com/uifsagw/uifsagw/schemas/canonical"
)

// WorksheetFunc computes the allocation worksheet of the employee of an IWO.
type WorksheetFunc func(ctx context.Context, tracking string, disposable canonical.Cents, secondFamily bool,
	freq canonical.Frequency) (casework.Worksheet, error)

type worksheetView struct {
	Tracking     string
	Disposable   string
	SecondFamily bool
	Frequency    string
	Frequencies  []canonical.Frequency
	Result       *casework.Worksheet
	Error        string
}

// parseWorksheet reads tracking, disposable (dollars), secondFamily and frequency.
func parseWorksheet(v url.Values) (worksheetView, canonical.Cents, error) {
	wv := worksheetView{Tracking: strings.TrimSpace(v.Get("tracking")), Disposable: strings.TrimSpace(v.Get("disposable")),
		SecondFamily: v.Get("secondFamily") == "true" || v.Get("secondFamily") == "on", Frequency: v.Get("frequency"),
		Frequencies: []canonical.Frequency{canonical.FreqWeekly, canonical.FreqBiweekly, canonical.FreqSemimonthly, canonical.FreqMonthly}}
	if wv.Frequency == "" {
		wv.Frequency = string(canonical.FreqWeekly)
	}
	if wv.Tracking == "" {
		return wv, 0, nil
	}
	if len(wv.Tracking) > 64 {
		return wv, 0, badRequest("tracking: at most 64 characters")
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

func (h *Handler) worksheetPage(w http.ResponseWriter, r *http.Request, s *session) {
	wv, disposable, err := parseWorksheet(r.URL.Query())
	if err != nil {
		wv.Error = err.Error()
	} else if wv.Tracking != "" {
		if h.worksheet == nil {
			wv.Error = "the allocation worksheet is not available in this deployment"
		} else if ws, err := h.worksheet(r.Context(), wv.Tracking, disposable, wv.SecondFamily, canonical.Frequency(wv.Frequency)); err != nil {
			wv.Error = err.Error()
		} else {
			wv.Result = &ws
		}
	}
	h.render(w, r, s, http.StatusOK, "worksheet", wv)
}

func (h *Handler) apiWorksheet(w http.ResponseWriter, r *http.Request, s *session) {
	wv, disposable, err := parseWorksheet(r.URL.Query())
	if err == nil && wv.Tracking == "" {
		err = badRequest("tracking: the tracking number of one of the employee's IWOs is required")
	}
	if err != nil {
		h.fail(w, r, s, true, err)
		return
	}
	if h.worksheet == nil {
		writeError(w, http.StatusNotImplemented, "not_available", "the allocation worksheet is not available in this deployment")
		return
	}
	ws, err := h.worksheet(r.Context(), wv.Tracking, disposable, wv.SecondFamily, canonical.Frequency(wv.Frequency))
	if err != nil {
		h.fail(w, r, s, true, err)
		return
	}
	writeJSON(w, http.StatusOK, ws)
}
