package exchange

// Staff changes to messages and review items. Each is one transaction with
// its audit record, so a change and the record of who made it commit
// together or not at all; the staff UI names what to do and never holds a
// transaction itself.

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
)

// StaffAction is something staff may do to one message.
type StaffAction string

// The staff actions.
const (
	// ActReprocess runs an inbound message through the rules again, or gives
	// an outbound one a fresh delivery from the start.
	ActReprocess StaffAction = "reprocess"
	// ActResend delivers an outbound message again as it was.
	ActResend StaffAction = "resend"
	// ActCancel stops a message that is not yet handled or sent.
	ActCancel StaffAction = "cancel"
	// ActResolve closes a message as handled outside the gateway.
	ActResolve StaffAction = "resolve"
	// ActRoute sends the transaction to another partner as a new message.
	ActRoute StaffAction = "route"
)

// StaffActions are the actions, in the order the message page offers them.
var StaffActions = []StaffAction{ActReprocess, ActResend, ActCancel, ActResolve, ActRoute}

// ParseStaffAction reads an action's name as a URL or a form gives it.
func ParseStaffAction(s string) (StaffAction, error) {
	if a := StaffAction(s); slices.Contains(StaffActions, a) {
		return a, nil
	}
	return "", fmt.Errorf("%w: no such action %q", ErrInvalid, s)
}

// cancellable are the statuses a message may be cancelled in: not yet
// handled, not yet sent, or given up on.
var cancellable = []Status{StatusReceived, StatusNeedsReview, StatusQueued, StatusDeadLetter, StatusAwaitingPickup,
	StatusRefused}

// Cancellable reports whether staff may cancel a message in status st.
func Cancellable(st Status) bool { return slices.Contains(cancellable, st) }

// Resolvable reports whether staff may close a message in status st: not
// one already closed, nor one a worker or sender holds right now.
func Resolvable(st Status) bool {
	return st != StatusResolved && st != StatusProcessing && st != StatusSending
}

// StaffChange is one staff action on a message.
type StaffChange struct {
	Message int64
	Action  StaffAction
	Actor   string
	// Note is the person's own words; "" when they gave none.
	Note string
	At   time.Time
}

// historyNote is the message history's line for the change.
func (c StaffChange) historyNote() string {
	if c.Note == "" {
		return string(c.Action) + " by " + c.Actor
	}
	return string(c.Action) + " by " + c.Actor + ": " + c.Note
}

func (c StaffChange) audit(details map[string]any) Entry {
	return Entry{At: c.At, Actor: c.Actor, Action: string(c.Action), Target: messageTarget(c.Message), Details: details}
}

func messageTarget(id int64) string { return fmt.Sprintf("message:%d", id) }

// ApplyStaffAction reprocesses, resends, cancels or resolves a message,
// closes its open review items and writes the audit record, in one
// transaction. It returns the message's new status; ErrState when its
// status does not allow the action. Routing is RecordRoute.
func (s *Store) ApplyStaffAction(ctx context.Context, c StaffChange) (Status, error) {
	var to Status
	err := s.tx(ctx, func(tx pgx.Tx) error {
		var details map[string]any
		switch c.Action {
		case ActReprocess, ActResend:
			var err error
			if c.Action == ActReprocess {
				to, err = Reprocess(ctx, tx, c.Message, c.Actor, c.historyNote())
			} else {
				to, err = Requeue(ctx, tx, c.Message, c.Actor, c.historyNote())
			}
			if err != nil {
				return err
			}
			details = map[string]any{"status": to, "note": c.Note}
		case ActCancel, ActResolve:
			_, cur, err := LockMessage(ctx, tx, c.Message)
			if err != nil {
				return err
			}
			to = StatusCancelled
			if c.Action == ActResolve {
				to = StatusResolved
			}
			if c.Action == ActCancel && !Cancellable(cur) {
				return fmt.Errorf("%w: message %d is %s and cannot be cancelled", ErrState, c.Message, cur)
			}
			if c.Action == ActResolve && !Resolvable(cur) {
				return fmt.Errorf("%w: message %d is %s", ErrState, c.Message, cur)
			}
			if err := s.SetStatus(ctx, tx, c.Message, to, c.Actor, c.historyNote()); err != nil {
				return err
			}
			details = map[string]any{"from": cur, "note": c.Note}
		default:
			return fmt.Errorf("%w: action %q is not a change of status", ErrInvalid, c.Action)
		}
		if _, err := ResolveOpenReviewItems(ctx, tx, c.Message, c.Actor, c.historyNote()); err != nil {
			return err
		}
		_, err := s.AppendAudit(ctx, tx, c.audit(details))
		return err
	})
	return to, err
}

// RecordRoute records that message c.Message was sent on to partner as
// message newID: a message waiting for a person (needs review, dead letter)
// is resolved with its open review items, every message gets the history
// line, and the audit record is written, in one transaction. The sending
// itself cannot share the transaction; it went first.
func (s *Store) RecordRoute(ctx context.Context, c StaffChange, partner string, newID int64) (Status, error) {
	var to Status
	err := s.tx(ctx, func(tx pgx.Tx) error {
		_, cur, err := LockMessage(ctx, tx, c.Message)
		if err != nil {
			return err
		}
		to = cur
		if cur == StatusNeedsReview || cur == StatusDeadLetter {
			to = StatusResolved
			if _, err := ResolveOpenReviewItems(ctx, tx, c.Message, c.Actor,
				fmt.Sprintf("routed to %s as message %d", partner, newID)); err != nil {
				return err
			}
		}
		if err := s.SetStatus(ctx, tx, c.Message, to, c.Actor,
			fmt.Sprintf("routed to %s as message %d by %s %s", partner, newID, c.Actor, c.Note)); err != nil {
			return err
		}
		_, err = s.AppendAudit(ctx, tx, c.audit(map[string]any{"partner": partner, "newMessage": newID, "note": c.Note}))
		return err
	})
	return to, err
}

// StaffClaim records that subject (name) works message id, and audits it.
// Someone else's claim stands (ErrClaimed) unless takeOver is set.
func (s *Store) StaffClaim(ctx context.Context, id int64, subject, name string, at time.Time, takeOver bool) (Claim, error) {
	var c Claim
	err := s.tx(ctx, func(tx pgx.Tx) error {
		if _, _, err := LockMessage(ctx, tx, id); err != nil {
			return err
		}
		var err error
		if c, err = ClaimMessage(ctx, tx, id, subject, name, at, takeOver); err != nil {
			return err
		}
		_, err = s.AppendAudit(ctx, tx, Entry{At: at, Actor: subject, Action: "claim", Target: messageTarget(id),
			Details: map[string]any{"since": c.At.UTC()}})
		return err
	})
	return c, err
}

// StaffRelease removes subject's claim on message id (anyone's when anyone
// is set) and audits it. It reports false, recording nothing, when there
// was no such claim.
func (s *Store) StaffRelease(ctx context.Context, id int64, subject string, anyone bool, at time.Time) (bool, error) {
	var released bool
	err := s.tx(ctx, func(tx pgx.Tx) error {
		var err error
		if released, err = ReleaseMessage(ctx, tx, id, subject, anyone); err != nil || !released {
			return err
		}
		_, err = s.AppendAudit(ctx, tx, Entry{At: at, Actor: subject, Action: "release", Target: messageTarget(id)})
		return err
	})
	return released, err
}

// Ruling is a supervisor's decision on a review item as the store records it.
type Ruling struct {
	// Controlling is the registry order that controls; 0 marks none.
	Controlling int64
	// Group are the registry orders the determination considered.
	Group []int64
	// Resolution closes the item, in words.
	Resolution string
	// AuditAction and Details are the audit record's.
	AuditAction string
	Details     map[string]any
}

// DecideReviewItem records a supervisor's decision on review item itemID in
// one transaction: decide reads the item (locked) and rules, or refuses;
// the registry marks the controlling order; the item is resolved; notify
// acts on the ruling within the same transaction (the notices to the other
// states); when no other item of the message stays open, the message leaves
// needs_review as processed; and the audit record is written. It returns
// the item as resolved.
func (s *Store) DecideReviewItem(ctx context.Context, itemID int64, actor string, at time.Time,
	decide func(ReviewItem) (Ruling, error), notify func(context.Context, Querier, ReviewItem, Ruling) error) (ReviewItem, error) {
	var out ReviewItem
	err := s.tx(ctx, func(tx pgx.Tx) error {
		it, err := GetReviewItem(ctx, tx, itemID)
		if err != nil {
			return err
		}
		r, err := decide(it)
		if err != nil {
			return err
		}
		if r.Controlling != 0 {
			if err := SetControlling(ctx, tx, r.Controlling, r.Group); err != nil {
				return fmt.Errorf("set controlling order: %w", err)
			}
		}
		if err := ResolveReviewItem(ctx, tx, itemID, actor, r.Resolution); err != nil {
			return err
		}
		if notify != nil {
			if err := notify(ctx, tx, it, r); err != nil {
				return fmt.Errorf("determination notices: %w", err)
			}
		}
		if it.MessageID != 0 {
			var open int
			if err := tx.QueryRow(ctx, `SELECT count(*) FROM review_items WHERE message_id = $1 AND state <> 'resolved'`,
				it.MessageID).Scan(&open); err != nil {
				return fmt.Errorf("open review items: %w", err)
			}
			_, cur, err := LockMessage(ctx, tx, it.MessageID)
			if err != nil {
				return err
			}
			if open == 0 && cur == StatusNeedsReview {
				if err := s.SetStatus(ctx, tx, it.MessageID, StatusProcessed, actor, r.Resolution); err != nil {
					return err
				}
			}
		}
		if _, err := s.AppendAudit(ctx, tx, Entry{At: at, Actor: actor, Action: r.AuditAction,
			Target: fmt.Sprintf("review_item:%d", itemID), Details: r.Details}); err != nil {
			return err
		}
		out, err = GetReviewItem(ctx, tx, itemID)
		return err
	})
	return out, err
}
