package review

// Claiming a message: "I am working this", shown on the message and in the
// queue so two caseworkers do not work it at once. A claim is advice, not a
// lock: actions stay open to everyone allowed, and a supervisor may take a
// claim over or release it. Claims and releases are audited.

import (
	"context"
	"errors"
	"net/http"
	"strconv"

	"github.com/uifsagw/uifsagw/gateway/exchange"
	"github.com/uifsagw/uifsagw/gateway/httperr"
	"github.com/uifsagw/uifsagw/gateway/review/staffauth"
)

func (h *Handler) claimPage(w http.ResponseWriter, r *http.Request, s *session) {
	id, err := messageID(r)
	if err != nil {
		h.fail(w, r, s, false, err)
		return
	}
	op := claimOp(r.PathValue("op"))
	takeOver := r.PostFormValue("takeover") == "1"
	if takeOver && !s.Staff.Can(staffauth.PermDetermine) {
		h.fail(w, r, s, false, httperr.New(http.StatusForbidden, "forbidden", "only a supervisor can take over someone else's claim"))
		return
	}
	err = h.claim(r.Context(), s, id, op, takeOver)
	if err != nil {
		if errors.Is(err, exchange.ErrClaimed) {
			err = httperr.New(http.StatusConflict, "claimed", "someone else is working this message; ask them, or a supervisor")
		}
		h.fail(w, r, s, false, err)
		return
	}
	http.Redirect(w, r, "/messages/"+strconv.FormatInt(id, 10)+"?notice="+string(op), http.StatusSeeOther)
}

// claimOp is what a person does with a claim: take it, or let it go.
type claimOp string

const (
	opClaim   claimOp = "claim"
	opRelease claimOp = "release"
)

func (h *Handler) claim(ctx context.Context, s *session, id int64, op claimOp, takeOver bool) error {
	switch op {
	case opClaim:
		_, err := h.store.StaffClaim(ctx, id, s.Staff.Subject, s.Staff.Name, h.now(), takeOver)
		return err
	case opRelease:
		ok, err := h.store.StaffRelease(ctx, id, s.Staff.Subject, s.Staff.Can(staffauth.PermDetermine), h.now())
		if err != nil {
			return err
		}
		if !ok {
			return httperr.New(http.StatusConflict, "not_claimed", "you hold no claim on this message")
		}
		return nil
	}
	return httperr.New(http.StatusNotFound, "not_found", "no such action")
}
