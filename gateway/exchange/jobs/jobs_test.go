package jobs_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/uifsagw/uifsagw/gateway/exchange"
)

// TestReprocessJob runs a bulk reprocess in chunks: the filter is kept with
// the job, the cursor resumes where the last chunk committed, and a message
// that stopped matching meanwhile is passed over, not reprocessed.
func TestReprocessJob(t *testing.T) {
	s, url := newStore(t)
	ctx := context.Background()
	at := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	var ids []int64
	for i, msgID := range []string{"J-1", "J-2", "J-3", "J-4"} {
		receive(t, s, "nj", msgID, "NJC1", at.Add(time.Duration(i)*time.Minute))
		m, err := s.GetBySenderID(ctx, "nj", exchange.DirIn, msgID)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.SetStatus(ctx, s.Pool(), m.ID, exchange.StatusNeedsReview, "test", "held"); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, m.ID)
	}
	receive(t, s, "pa", "J-PA", "PAC1", at) // another partner: outside the filter
	f := exchange.StaffFilter{Filter: exchange.Filter{Partner: "nj", Statuses: []exchange.Status{exchange.StatusNeedsReview}}}
	if _, err := s.CreateReprocessJob(ctx, f, "", "no actor"); err == nil {
		t.Fatal("a job without an actor was created")
	}
	job, err := s.CreateReprocessJob(ctx, f, "ada", "rules fixed")
	if err != nil || job.Total != 4 || job.State != exchange.JobRunning || job.Filter.Partner != "nj" {
		t.Fatalf("CreateReprocessJob = %+v, %v", job, err)
	}
	// Resolved by hand before the job reaches it: no longer matched.
	if err := s.SetStatus(ctx, s.Pool(), ids[3], exchange.StatusResolved, "ada", "done by hand"); err != nil {
		t.Fatal(err)
	}
	j, found, err := s.RunJobChunk(ctx, 2)
	if err != nil || !found || j.Done != 2 || j.State != exchange.JobRunning {
		t.Fatalf("chunk 1: %+v %v %v", j, found, err)
	}
	j, found, err = s.RunJobChunk(ctx, 2)
	if err != nil || !found || j.State != exchange.JobDone || j.Done != 3 || j.CursorID != ids[2] {
		t.Fatalf("chunk 2: %+v %v %v", j, found, err)
	}
	for i, id := range ids[:3] {
		m, err := s.GetMessage(ctx, id)
		if err != nil || m.Status != exchange.StatusReceived {
			t.Fatalf("message %d: %s, %v; want received again", i, m.Status, err)
		}
	}
	if m, _ := s.GetMessage(ctx, ids[3]); m.Status != exchange.StatusResolved {
		t.Fatalf("the resolved message became %s", m.Status)
	}
	if err := s.CancelJob(ctx, job.ID, "ada"); err == nil {
		t.Fatal("a finished job was cancelled")
	}
	c := connect(t, url)
	if n := count(t, c, `SELECT count(*) FROM audit_log WHERE target = $1`, "job:"+itoa(job.ID)); n < 2 {
		t.Fatalf("job audit records = %d, want its start and its end", n)
	}

	// A second job: cancelled before it runs, a third: failed.
	for _, id := range ids[:2] {
		if err := s.SetStatus(ctx, s.Pool(), id, exchange.StatusNeedsReview, "test", "again"); err != nil {
			t.Fatal(err)
		}
	}
	j2, err := s.CreateReprocessJob(ctx, f, "ada", "again")
	if err != nil || j2.Total != 2 {
		t.Fatalf("second job = %+v, %v", j2, err)
	}
	if err := s.CancelJob(ctx, j2.ID, "ada"); err != nil {
		t.Fatal(err)
	}
	if _, found, _ := s.RunJobChunk(ctx, 2); found {
		t.Fatal("a cancelled job was claimed")
	}
	j3, err := s.CreateReprocessJob(ctx, f, "ada", "third")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.FailJob(ctx, j3.ID, "worker gave up"); err != nil {
		t.Fatal(err)
	}
	got, err := s.GetJob(ctx, j3.ID)
	if err != nil || got.State != exchange.JobFailed || got.LastError != "worker gave up" {
		t.Fatalf("failed job = %+v, %v", got, err)
	}
	list, err := s.ListJobs(ctx, 10)
	if err != nil || len(list) != 3 || list[0].ID != j3.ID {
		t.Fatalf("ListJobs = %d jobs (first %+v), %v; want 3, newest first", len(list), list, err)
	}
	if _, err := s.GetJob(ctx, 999); err == nil {
		t.Fatal("GetJob of a missing job succeeded")
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
