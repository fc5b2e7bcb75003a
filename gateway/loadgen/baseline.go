package loadgen

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwk"

	"github.com/uifsagw/uifsagw/gateway/exchange/admin"
	"github.com/uifsagw/uifsagw/gateway/signing"
	"github.com/uifsagw/uifsagw/transforms"

	"github.com/uifsagw/uifsagw/schemas/canonical/validate"
)

// CPUBaseline is baseline (a): what the CPU alone allows.
type CPUBaseline struct {
	// MsgsPerSec is messages verified (JWS), decoded and validated per
	// second on all cores, with no network or database.
	MsgsPerSec float64 `json:"msgsPerSec"`
	// MicrosPerMsg is the CPU time one message costs: this process's CPU
	// time during the measurement over the messages (cores / rate where
	// /proc cannot be read).
	MicrosPerMsg float64 `json:"microsPerMsg"`
	Cores        int     `json:"cores"`
	Messages     int64   `json:"messages"`
}

// MeasureCPU runs verify + decode + validate of the partners' messages on
// GOMAXPROCS goroutines for d. The messages are those a run would send,
// signed by the partners' own keys and verified against their public keys,
// as the edge does; HTTP, TLS and the store are left out on purpose.
func MeasureCPU(ctx context.Context, partners []Partner, g Generator, d time.Duration) (CPUBaseline, error) {
	type signed struct {
		body   []byte
		sig    string
		format string
		keys   jwk.Set
	}
	now := time.Now()
	var msgs []signed
	for pi, p := range partners {
		pub, err := p.Client.Signer.Public()
		if err != nil {
			return CPUBaseline{}, fmt.Errorf("loadgen: %s public key: %w", p.ID, err)
		}
		set, err := signing.PublicSet(pub)
		if err != nil {
			return CPUBaseline{}, fmt.Errorf("loadgen: %s key set: %w", p.ID, err)
		}
		for seq := range 64 {
			// Sequence numbers far above a run's keep baseline IDs apart.
			m, err := g.Encode(p.Format, p.SenderFIPS, p.Prefix+"B", 1_000_000*(pi+1)+seq)
			if err != nil {
				return CPUBaseline{}, err
			}
			sig, err := p.Client.Signer.SignDetached(m.Body, m.ID, now)
			if err != nil {
				return CPUBaseline{}, fmt.Errorf("loadgen: sign: %w", err)
			}
			msgs = append(msgs, signed{m.Body, sig, p.Format, set})
		}
	}
	if len(msgs) == 0 {
		return CPUBaseline{}, errors.New("loadgen: no partners for the CPU baseline")
	}
	cores := runtime.GOMAXPROCS(0)
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	var (
		done     atomic.Int64
		firstErr error
		once     sync.Once
		wg       sync.WaitGroup
	)
	v := signing.Verifier{Window: time.Hour}
	start := time.Now()
	// CPU per message is read from this process's own CPU time, not from
	// cores / rate: on a machine doing other work the cores are not all ours.
	cpu0, cpuErr := ProcessCPU(os.Getpid(), false)
	for w := range cores {
		wg.Go(func() {
			for i := w; ctx.Err() == nil; i += cores {
				m := msgs[i%len(msgs)]
				_, err := v.VerifyDetached(m.sig, m.body, m.keys, now)
				if err == nil {
					tx, ferrs := transforms.Decode(m.format, m.body)
					if len(ferrs) == 0 {
						ferrs = validate.Transaction(&tx)
					}
					if len(ferrs) > 0 {
						err = ferrs
					}
				}
				if err != nil {
					once.Do(func() { firstErr = err; cancel() })
					return
				}
				done.Add(1)
			}
		})
	}
	wg.Wait()
	if firstErr != nil {
		return CPUBaseline{}, fmt.Errorf("loadgen: CPU baseline: %w", firstErr)
	}
	secs := time.Since(start).Seconds()
	cpu1, err := ProcessCPU(os.Getpid(), false)
	b := CPUBaseline{Cores: cores, Messages: done.Load()}
	if b.Messages > 0 {
		b.MsgsPerSec = float64(b.Messages) / secs
		b.MicrosPerMsg = float64(cores) * 1e6 / b.MsgsPerSec
		if cpuErr == nil && err == nil {
			b.MicrosPerMsg = float64((cpu1 - cpu0).Microseconds()) / float64(b.Messages)
		}
	}
	return b, nil
}

// CommitBaseline is baseline (b): what the database alone allows.
type CommitBaseline struct {
	// CommitsPerSec is single-row INSERT + COMMIT transactions per second
	// at Concurrency connections, synchronous_commit on.
	CommitsPerSec float64 `json:"commitsPerSec"`
	Concurrency   int     `json:"concurrency"`
	Commits       int64   `json:"commits"`
	Latency       Latency `json:"latencyMs"`
	BodyBytes     int     `json:"bodyBytes"`
}

// MeasureCommits inserts one row of bodyBytes per transaction from
// concurrency connections for d against the database at url, into a scratch
// table the store layer creates and drops (admin.CommitTable).
func MeasureCommits(ctx context.Context, url string, concurrency, bodyBytes int, d time.Duration) (CommitBaseline, error) {
	concurrency = max(concurrency, 1)
	table, err := admin.OpenCommitTable(ctx, url, concurrency)
	if err != nil {
		return CommitBaseline{}, fmt.Errorf("loadgen: %w", err)
	}
	defer table.Close(ctx)

	body := make([]byte, bodyBytes)
	for i := range body {
		body[i] = byte('A' + i%26)
	}
	rctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	var (
		mu       sync.Mutex
		lat      []time.Duration
		firstErr error
		wg       sync.WaitGroup
	)
	start := time.Now()
	for w := range concurrency {
		wg.Go(func() {
			var mine []time.Duration
			for n := 0; rctx.Err() == nil; n++ {
				t0 := time.Now()
				err := table.Insert(rctx, fmt.Sprintf("B-%d-%d", w, n), body)
				if err != nil {
					if rctx.Err() == nil && !errors.Is(err, context.DeadlineExceeded) {
						mu.Lock()
						firstErr = cmpErr(firstErr, err)
						mu.Unlock()
					}
					break
				}
				mine = append(mine, time.Since(t0))
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		})
	}
	wg.Wait()
	secs := time.Since(start).Seconds()
	if firstErr != nil {
		return CommitBaseline{}, fmt.Errorf("loadgen: commit baseline: %w", firstErr)
	}
	b := CommitBaseline{Concurrency: concurrency, Commits: int64(len(lat)), BodyBytes: bodyBytes, Latency: Summarize(lat)}
	b.CommitsPerSec = float64(b.Commits) / secs
	return b, nil
}

func cmpErr(first, err error) error {
	if first != nil {
		return first
	}
	return err
}

// SynchronousCommit reports the server's synchronous_commit and fsync
// settings, so a report can say whether commits were durable.
func SynchronousCommit(ctx context.Context, url string) (syncCommit, fsync string, err error) {
	syncCommit, fsync, err = admin.Durability(ctx, url)
	if err != nil {
		return "", "", fmt.Errorf("loadgen: %w", err)
	}
	return syncCommit, fsync, nil
}
