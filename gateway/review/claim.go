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

	"github.com/jackc/pgx/v5"

	"github.com/uifsagw/uifsagw/gateway/exchange"
	"github.com/uifsagw/uifsagw/gateway/httperr"
)

func (h *Handler) claimPage(w http.ResponseWriter, r *http.Request, s *session) {
	id, err := messageID(r)
	if err != nil {
		h.fail(w, r, s, false, err)
		return
	}
	op := r.PathValue("op")
	takeOver := r.PostFormValue("takeover") == "1"
	if takeOver && !s.staff.Can(PermDetermine) {
		h.fail(w, r, s, false, httperr.New(http.StatusForbidden, "forbidden", "only a supervisor can take over someone else's claim"))
		return
	}
	err = pgx.BeginFunc(r.Context(), h.store.Pool(), func(tx pgx.Tx) error {
		return h.claimOp(r.Context(), tx, s, id, op, takeOver)
	})
	if err != nil {
		if errors.Is(err, exchange.ErrClaimed) {
			err = httperr.New(http.StatusConflict, "claimed", "someone else is working this message; ask them, or a supervisor")
		}
		h.fail(w, r, s, false, err)
		return
	}
	http.Redirect(w, r, "/messages/"+strconv.FormatInt(id, 10)+"?notice="+op, http.StatusSeeOther)
}

func (h *Handler) claimOp(ctx context.Context, tx pgx.Tx, s *session, id int64, op string, takeOver bool) error {
	target := fmtTarget("message", id)
	switch op {
	case "claim":
		if _, _, err := exchange.LockMessage(ctx, tx, id); err != nil {
			return err
		}
		c, err := exchange.ClaimMessage(ctx, tx, id, s.staff.Subject, s.staff.Name, h.now(), takeOver)
		if err != nil {
			return err
		}
		return h.audit(ctx, tx, s, "claim", target, map[string]any{"since": c.At.UTC()})
	case "release":
		ok, err := exchange.ReleaseMessage(ctx, tx, id, s.staff.Subject, s.staff.Can(PermDetermine))
		if err != nil {
			return err
		}
		if !ok {
			return httperr.New(http.StatusConflict, "not_claimed", "you hold no claim on this message")
		}
		return h.audit(ctx, tx, s, "release", target, nil)
	}
	return httperr.New(http.StatusNotFound, "not_found", "no such action")
}
