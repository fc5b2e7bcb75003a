package review

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/uifsagw/uifsagw/gateway/exchange"
	"github.com/uifsagw/uifsagw/gateway/httperr"
	"github.com/uifsagw/uifsagw/gateway/review/staffview"
)

// JobChunk is how many messages one transaction of a bulk job handles:
// small enough to keep locks short, large enough to move quickly.
const JobChunk = 100

// RunJobs works through bulk jobs until ctx ends: chunk after chunk while
// there is work, then a poll every interval. Every replica may run it; a
// job's chunk is claimed with SKIP LOCKED and commits with its progress, so a
// restart resumes where the last commit left off. It also folds the status
// count deltas now and then so the queue's counts stay cheap.
func (h *Handler) RunJobs(ctx context.Context, interval time.Duration) error {
	if interval <= 0 {
		interval = 2 * time.Second
	}
	failures := map[int64]int{}
	lastCompact := time.Time{}
	for {
		if time.Since(lastCompact) > 10*time.Second {
			if _, err := h.store.CompactStatusCounts(ctx); err != nil && ctx.Err() == nil {
				h.log.WarnContext(ctx, "compact status counts", "err", err)
			}
			lastCompact = time.Now()
		}
		job, found, err := h.store.RunJobChunk(ctx, JobChunk)
		h.jobRounds.Add()
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			failures[job.ID]++
			h.log.WarnContext(ctx, "bulk job chunk failed", "job", job.ID, "attempt", failures[job.ID], "err", err)
			// A chunk that fails again and again (not a passing database
			// hiccup) stops its job instead of blocking the queue of jobs.
			if job.ID != 0 && failures[job.ID] >= 5 {
				if ferr := h.store.FailJob(ctx, job.ID, err.Error()); ferr != nil {
					h.log.WarnContext(ctx, "mark bulk job failed", "job", job.ID, "err", ferr)
				}
				delete(failures, job.ID)
			}
		} else if found {
			delete(failures, job.ID)
			if job.State != exchange.JobRunning {
				h.log.InfoContext(ctx, "bulk job finished", "job", job.ID, "state", job.State, "done", job.Done, "skipped", job.Skipped)
			}
			continue
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(interval):
		}
	}
}

type jobsView struct {
	Jobs    []exchange.Job
	Running bool
}

func (jobsView) Title() string { return "Bulk jobs" }

func (h *Handler) jobsPage(w http.ResponseWriter, r *http.Request, s *session) {
	jobs, err := h.store.ListJobs(r.Context(), 50)
	if err != nil {
		h.fail(w, r, s, false, err)
		return
	}
	v := jobsView{Jobs: jobs}
	for _, j := range jobs {
		v.Running = v.Running || j.State == exchange.JobRunning
	}
	h.render(w, r, s, http.StatusOK, "jobs", v)
}

func (h *Handler) createJob(ctx context.Context, s *session, v url.Values, note string) (exchange.Job, error) {
	q, f, err := staffview.ParseQuery(v)
	if err != nil {
		return exchange.Job{}, err
	}
	if !q.Filtered() {
		return exchange.Job{}, badRequest("a bulk job needs at least one filter")
	}
	if note, err = checkNote(note, true); err != nil {
		return exchange.Job{}, err
	}
	return h.store.CreateReprocessJob(ctx, f, s.Staff.Subject, note)
}

func (h *Handler) createJobPage(w http.ResponseWriter, r *http.Request, s *session) {
	if _, err := h.createJob(r.Context(), s, r.PostForm, r.PostFormValue("note")); err != nil {
		h.fail(w, r, s, false, err)
		return
	}
	http.Redirect(w, r, "/jobs?notice=job", http.StatusSeeOther)
}

func (h *Handler) cancelJobPage(w http.ResponseWriter, r *http.Request, s *session) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		h.fail(w, r, s, false, httperr.New(http.StatusNotFound, "not_found", "no such job"))
		return
	}
	if err := h.store.CancelJob(r.Context(), id, s.Staff.Subject); err != nil {
		h.fail(w, r, s, false, err)
		return
	}
	http.Redirect(w, r, "/jobs?notice=jobcancel", http.StatusSeeOther)
}

type jobJSON struct {
	ID         int64             `json:"id"`
	Kind       string            `json:"kind"`
	Filter     map[string]string `json:"filter"`
	Note       string            `json:"note"`
	State      string            `json:"state"`
	Total      int64             `json:"total"`
	Done       int64             `json:"done"`
	Skipped    int64             `json:"skipped"`
	CreatedBy  string            `json:"createdBy"`
	LastError  string            `json:"lastError,omitempty"`
	CreatedAt  time.Time         `json:"createdAt"`
	FinishedAt *time.Time        `json:"finishedAt,omitempty"`
}

func filterMap(f exchange.StaffFilter) map[string]string {
	m := map[string]string{}
	set := func(k, v string) {
		if v != "" {
			m[k] = v
		}
	}
	set("direction", string(f.Direction))
	set("partner", f.Partner)
	set("function", f.Function)
	set("action", f.Action)
	set("case", f.CaseID)
	set("q", f.Text)
	var ss []string
	for _, s := range f.Statuses {
		ss = append(ss, string(s))
	}
	set("status", strings.Join(ss, ","))
	if !f.Since.IsZero() {
		m["since"] = f.Since.Format(time.DateOnly)
	}
	if !f.Before.IsZero() {
		m["before"] = f.Before.AddDate(0, 0, -1).Format(time.DateOnly)
	}
	return m
}

func toJobJSON(j exchange.Job) jobJSON {
	out := jobJSON{ID: j.ID, Kind: j.Kind, Filter: filterMap(j.Filter), Note: j.Note, State: j.State, Total: j.Total,
		Done: j.Done, Skipped: j.Skipped, CreatedBy: j.CreatedBy, LastError: j.LastError, CreatedAt: j.CreatedAt.UTC()}
	if !j.FinishedAt.IsZero() {
		t := j.FinishedAt.UTC()
		out.FinishedAt = &t
	}
	return out
}

func (h *Handler) apiJobs(w http.ResponseWriter, r *http.Request, s *session) {
	jobs, err := h.store.ListJobs(r.Context(), 50)
	if err != nil {
		h.fail(w, r, s, true, err)
		return
	}
	out := make([]jobJSON, len(jobs))
	for i, j := range jobs {
		out[i] = toJobJSON(j)
	}
	staffJSON.Write(w, http.StatusOK, map[string]any{"items": out})
}

func (h *Handler) apiJob(w http.ResponseWriter, r *http.Request, s *session) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		h.fail(w, r, s, true, httperr.New(http.StatusNotFound, "not_found", "no such job"))
		return
	}
	j, err := h.store.GetJob(r.Context(), id)
	if err != nil {
		h.fail(w, r, s, true, err)
		return
	}
	staffJSON.Write(w, http.StatusOK, toJobJSON(j))
}

func (h *Handler) apiCreateJob(w http.ResponseWriter, r *http.Request, s *session) {
	var body struct {
		Filter map[string]string `json:"filter"`
		Note   string            `json:"note"`
	}
	if err := decodeBody(r, &body); err != nil {
		h.fail(w, r, s, true, err)
		return
	}
	v := url.Values{}
	for k, x := range body.Filter {
		v.Set(k, x)
	}
	j, err := h.createJob(r.Context(), s, v, body.Note)
	if err != nil {
		h.fail(w, r, s, true, err)
		return
	}
	staffJSON.Write(w, http.StatusCreated, toJobJSON(j))
}

func (h *Handler) apiCancelJob(w http.ResponseWriter, r *http.Request, s *session) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		h.fail(w, r, s, true, httperr.New(http.StatusNotFound, "not_found", "no such job"))
		return
	}
	if err := h.store.CancelJob(r.Context(), id, s.Staff.Subject); err != nil {
		h.fail(w, r, s, true, err)
		return
	}
	j, err := h.store.GetJob(r.Context(), id)
	if err != nil && !errors.Is(err, exchange.ErrNotFound) {
		h.fail(w, r, s, true, err)
		return
	}
	staffJSON.Write(w, http.StatusOK, toJobJSON(j))
}
