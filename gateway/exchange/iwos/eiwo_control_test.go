package iwos_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/uifsagw/uifsagw/gateway/exchange"
)

// TestControlNumbersNeverRepeat: two stores on one database (two replicas)
// draw at once, then one is closed and opened again (a restart) and draws
// more, and a draw inside a rolled-back transaction is lost, not reused.
// Every number is 22 characters, starts with the state FIPS, and appears
// once.
func TestControlNumbersNeverRepeat(t *testing.T) {
	ctx := context.Background()
	a, url := newStore(t)
	b, err := exchange.Open(ctx, url, testKeys(t))
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	var mu sync.Mutex
	take := func(who int, s *exchange.Store, n int) error {
		got, err := s.ControlNumbers(ctx, nil, "36000", n)
		if err != nil {
			return err
		}
		if len(got) != n {
			t.Errorf("asked %d, got %d", n, len(got))
		}
		mu.Lock()
		defer mu.Unlock()
		for _, c := range got {
			if len(c) != 22 || !strings.HasPrefix(c, "36000") {
				t.Errorf("control number %q", c)
			}
			if prev, dup := seen[c]; dup {
				t.Errorf("%q drawn by replica %d and again by %d", c, prev, who)
			}
			seen[c] = who
		}
		return nil
	}
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for i := range 20 {
		s := a
		if i%2 == 1 {
			s = b
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- take(i%2, s, 5)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}

	// A draw in a transaction that rolls back is not handed out again.
	tx, err := a.Pool().Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	lost, err := a.ControlNumbers(ctx, tx, "36000", 1)
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	seen[lost[0]] = 9

	// Restart: close replica b and open it again.
	b.Close()
	b, err = exchange.Open(ctx, url, testKeys(t))
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if err := take(2, b, 10); err != nil {
		t.Fatal(err)
	}
	if len(seen) != 20*5+1+10 {
		t.Errorf("%d distinct numbers, want %d", len(seen), 20*5+1+10)
	}
	if _, err := a.ControlNumbers(ctx, nil, "36", 1); err == nil {
		t.Error("a 2-digit FIPS accepted")
	}
}
