package review

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/uifsagw/uifsagw/gateway/casework"
	"github.com/uifsagw/uifsagw/gateway/exchange"
	"github.com/uifsagw/uifsagw/gateway/httperr"
	"github.com/uifsagw/uifsagw/gateway/review/staffview"
	"github.com/uifsagw/uifsagw/schemas/canonical"
)

// WorksheetFunc computes the allocation worksheet of the employee of an IWO.
// number is a tracking or control number; secondFamily is nil when not known.
type WorksheetFunc func(ctx context.Context, number string, disposable canonical.Cents, secondFamily *bool,
	freq canonical.Frequency) (casework.Worksheet, error)

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
	wv, disposable, err := staffview.ParseWorksheet(r.URL.Query())
	if err != nil {
		_, _, wv.Error = errStatus(err)
	} else if wv.Tracking != "" {
		if h.worksheet == nil {
			wv.Error = "the allocation worksheet is not available in this deployment"
		} else if ws, err := h.worksheet(r.Context(), wv.Tracking, disposable, wv.SecondFamilyKnown(), canonical.Frequency(wv.Frequency)); err != nil {
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
	wv, disposable, err := staffview.ParseWorksheet(r.URL.Query())
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
	ws, err := h.worksheet(r.Context(), wv.Tracking, disposable, wv.SecondFamilyKnown(), canonical.Frequency(wv.Frequency))
	if err != nil {
		h.fail(w, r, s, true, worksheetError(wv.Tracking, err))
		return
	}
	staffJSON.Write(w, http.StatusOK, ws)
}
