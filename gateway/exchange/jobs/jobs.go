package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/uifsagw/uifsagw/gateway/exchange/reviewdb"
)

// Bulk job states.
const (
	JobRunning   = "running"
	JobDone      = "done"
	JobCancelled = "cancelled"
	JobFailed    = "failed"
)

// Job is a bulk action over a filtered set of messages.
type Job struct {
	ID         int64
	Kind       string
	Filter     StaffFilter
	Note       string
	State      string
	Total      int64
	Done       int64
	Skipped    int64
	CursorID   int64
	MaxID      int64
	CreatedBy  string
	LastError  string
	CreatedAt  time.Time
	UpdatedAt  time.Time
	FinishedAt time.Time
}

const jobCols = `id, kind, filter, note, state, total, done, skipped, cursor_id, max_id, created_by, last_error,
	created_at, updated_at, finished_at`

func scanJob(row pgx.CollectableRow) (Job, error) {
	var j Job
	var filter []byte
	var finished *time.Time
	if err := row.Scan(&j.ID, &j.Kind, &filter, &j.Note, &j.State, &j.Total, &j.Done, &j.Skipped, &j.CursorID,
		&j.MaxID, &j.CreatedBy, &j.LastError, &j.CreatedAt, &j.UpdatedAt, &finished); err != nil {
		return j, err
	}
	var fj staffFilterJSON
	if err := json.Unmarshal(filter, &fj); err != nil {
		return j, fmt.Errorf("job %d filter: %w", j.ID, err)
	}
	j.Filter = fj.StaffFilter()
	if finished != nil {
		j.FinishedAt = *finished
	}
	return j, nil
}

// CreateReprocessJob records a bulk reprocess of the messages matching f
// that exist now, counts them, audits the creation in the same transaction,
// and returns the job.
func (s *Store) CreateReprocessJob(ctx context.Context, f StaffFilter, actor, note string) (Job, error) {
	if actor == "" {
		return Job{}, fmt.Errorf("%w: job actor is required", ErrInvalid)
	}
	fb, err := json.Marshal(f.JSON())
	if err != nil {
		return Job{}, fmt.Errorf("exchange: job filter: %w", err)
	}
	var job Job
	err = s.tx(ctx, func(tx pgx.Tx) error {
		var maxID int64
		if err := tx.QueryRow(ctx, `SELECT coalesce(max(id), 0) FROM messages`).Scan(&maxID); err != nil {
			return fmt.Errorf("exchange: create job: %w", err)
		}
		args := []any{}
		arg := func(v any) string { args = append(args, v); return "$" + strconv.Itoa(len(args)) }
		where := append(f.Where(arg), "id <= "+arg(maxID))
		var total int64
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM messages WHERE `+strings.Join(where, " AND "), args...).Scan(&total); err != nil {
			return fmt.Errorf("exchange: create job: %w", err)
		}
		rows, err := tx.Query(ctx, `INSERT INTO review_jobs (kind, filter, note, total, max_id, created_by)
			VALUES ('reprocess', $1, $2, $3, $4, $5) RETURNING `+jobCols, fb, truncate(note, 2000), total, maxID, actor)
		if err != nil {
			return fmt.Errorf("exchange: create job: %w", err)
		}
		if job, err = pgx.CollectExactlyOneRow(rows, scanJob); err != nil {
			return fmt.Errorf("exchange: create job: %w", err)
		}
		_, err = s.AppendAudit(ctx, tx, Entry{Actor: actor, Action: "bulk_reprocess_start", Target: "job:" + strconv.FormatInt(job.ID, 10),
			Details: map[string]any{"filter": f.JSON(), "total": total, "note": note}})
		return err
	})
	return job, err
}

// GetJob returns one bulk job.
func (s *Store) GetJob(ctx context.Context, id int64) (Job, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+jobCols+` FROM review_jobs WHERE id = $1`, id)
	if err != nil {
		return Job{}, fmt.Errorf("exchange: job: %w", err)
	}
	j, err := pgx.CollectExactlyOneRow(rows, scanJob)
	if errors.Is(err, pgx.ErrNoRows) {
		return Job{}, fmt.Errorf("%w: job %d", ErrNotFound, id)
	}
	if err != nil {
		return Job{}, fmt.Errorf("exchange: job: %w", err)
	}
	return j, nil
}

// ListJobs returns the most recent bulk jobs, newest first.
func (s *Store) ListJobs(ctx context.Context, limit int) ([]Job, error) {
	if limit <= 0 || limit > 500 {
		limit = 50
	}
	rows, err := s.pool.Query(ctx, `SELECT `+jobCols+` FROM review_jobs ORDER BY id DESC LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("exchange: jobs: %w", err)
	}
	out, err := pgx.CollectRows(rows, scanJob)
	if err != nil {
		return nil, fmt.Errorf("exchange: jobs: %w", err)
	}
	return out, nil
}

// CancelJob stops a running job; the chunk in progress, if any, finishes
// first (it holds the job row). Cancelling a finished job is ErrState.
func (s *Store) CancelJob(ctx context.Context, id int64, actor string) error {
	return s.tx(ctx, func(tx pgx.Tx) error {
		var state string
		err := tx.QueryRow(ctx, `SELECT state FROM review_jobs WHERE id = $1 FOR UPDATE`, id).Scan(&state)
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("%w: job %d", ErrNotFound, id)
		}
		if err != nil {
			return fmt.Errorf("exchange: cancel job: %w", err)
		}
		if state != JobRunning {
			return fmt.Errorf("%w: job %d is %s", ErrState, id, state)
		}
		if _, err := tx.Exec(ctx, `UPDATE review_jobs SET state = 'cancelled', finished_at = now(), updated_at = now()
			WHERE id = $1`, id); err != nil {
			return fmt.Errorf("exchange: cancel job: %w", err)
		}
		_, err = s.AppendAudit(ctx, tx, Entry{Actor: actor, Action: "bulk_reprocess_cancel", Target: "job:" + strconv.FormatInt(id, 10)})
		return err
	})
}

// RunJobChunk processes the next chunk of up to size messages of one running
// job that no other worker holds. In one transaction it reprocesses each
// message still matching the filter (auditing each), skips those that cannot
// be reprocessed now, and advances the job; so a crash loses no progress and
// repeats none. It returns the job as it stands after the chunk, and false
// when no running job was free. On error, the returned job names the job
// whose chunk failed (nothing of the chunk is kept).
func (s *Store) RunJobChunk(ctx context.Context, size int) (Job, bool, error) {
	if size <= 0 {
		size = 100
	}
	var job Job
	var found bool
	err := s.tx(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT `+jobCols+` FROM review_jobs WHERE state = 'running'
			ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED`)
		if err != nil {
			return fmt.Errorf("exchange: claim job: %w", err)
		}
		job, err = pgx.CollectExactlyOneRow(rows, scanJob)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("exchange: claim job: %w", err)
		}
		found = true
		args := []any{}
		arg := func(v any) string { args = append(args, v); return "$" + strconv.Itoa(len(args)) }
		where := append(job.Filter.Where(arg), "id > "+arg(job.CursorID), "id <= "+arg(job.MaxID))
		idRows, err := tx.Query(ctx, `SELECT id FROM messages WHERE `+strings.Join(where, " AND ")+
			` ORDER BY id LIMIT `+arg(size), args...)
		if err != nil {
			return fmt.Errorf("exchange: job %d chunk: %w", job.ID, err)
		}
		ids, err := pgx.CollectRows(idRows, pgx.RowTo[int64])
		if err != nil {
			return fmt.Errorf("exchange: job %d chunk: %w", job.ID, err)
		}
		actor := job.CreatedBy
		target := "job:" + strconv.FormatInt(job.ID, 10)
		var done, skipped int64
		for _, id := range ids {
			note := "bulk reprocess (job " + strconv.FormatInt(job.ID, 10) + ")"
			if job.Note != "" {
				note += ": " + job.Note
			}
			// A savepoint per message: one that cannot be reprocessed now is
			// skipped without undoing the others.
			to, err := reviewdb.Reprocess(ctx, tx, id, actor, note)
			if errors.Is(err, ErrState) {
				skipped++
				continue
			}
			if err != nil {
				return err
			}
			if _, err := reviewdb.ResolveOpenReviewItems(ctx, tx, id, actor, "reprocessed by "+target); err != nil {
				return err
			}
			if _, err := s.AppendAudit(ctx, tx, Entry{Actor: actor, Action: "reprocess", Target: "message:" + strconv.FormatInt(id, 10),
				Details: map[string]any{"job": job.ID, "status": to, "note": job.Note}}); err != nil {
				return err
			}
			done++
		}
		state, cursor := JobRunning, job.CursorID
		if len(ids) > 0 {
			cursor = ids[len(ids)-1]
		}
		if len(ids) < size {
			state = JobDone
		}
		rows, err = tx.Query(ctx, `UPDATE review_jobs SET done = done + $2, skipped = skipped + $3, cursor_id = $4,
			state = $5, finished_at = CASE WHEN $5 = 'running' THEN NULL ELSE now() END, updated_at = now()
			WHERE id = $1 RETURNING `+jobCols, job.ID, done, skipped, cursor, state)
		if err != nil {
			return fmt.Errorf("exchange: job %d progress: %w", job.ID, err)
		}
		if job, err = pgx.CollectExactlyOneRow(rows, scanJob); err != nil {
			return fmt.Errorf("exchange: job %d progress: %w", job.ID, err)
		}
		if state == JobDone {
			_, err = s.AppendAudit(ctx, tx, Entry{Actor: actor, Action: "bulk_reprocess_done", Target: target,
				Details: map[string]any{"done": job.Done, "skipped": job.Skipped, "total": job.Total}})
		}
		return err
	})
	// The job (its id at least) comes back with an error too, so the caller
	// can give up on a job that keeps failing.
	return job, found, err
}

// FailJob marks a running job failed with the error that stopped it.
func (s *Store) FailJob(ctx context.Context, id int64, errText string) error {
	_, err := s.pool.Exec(ctx, `UPDATE review_jobs SET state = 'failed', last_error = $2, finished_at = now(), updated_at = now()
		WHERE id = $1 AND state = 'running'`, id, truncate(errText, 2000))
	if err != nil {
		return fmt.Errorf("exchange: fail job %d: %w", id, err)
	}
	return nil
}
