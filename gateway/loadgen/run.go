package loadgen

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/uifsagw/uifsagw/gateway/courier"
	"github.com/uifsagw/uifsagw/schemas/canonical"
)

// Partner is one partner identity the generator sends as.
type Partner struct {
	// ID is the partner's directory ID (receipts must name it).
	ID string
	// Client carries the partner's certificate, signing key, the gateway's
	// address and the gateway's receipt keys (required: every receipt is
	// verified). Each worker gets its own copy with its own connection.
	Client *courier.Client
	// Format is the partner's wire format (xml-transaction/1, json-transaction/1).
	Format string
	// SenderFIPS is the partner's office, which the gateway checks against the certificate.
	SenderFIPS canonical.FIPS
	// Prefix starts the partner's message IDs (e.g. NJ).
	Prefix string
}

// Options shape a run.
type Options struct {
	Partners []Partner
	// Concurrency is the number of partner clients sending at once, spread
	// over Partners in turn; each keeps its own mTLS connection alive.
	Concurrency int
	// Rate is the total messages per second to start; 0 sends as fast as
	// the clients can (each waits for its answer before the next).
	Rate float64
	// The run ends after Duration or Count messages, whichever comes first;
	// at least one must be set.
	Duration time.Duration
	Count    int
	// Generator builds the messages (RunID, ReceiverFIPS, Date).
	Generator Generator
	// Timeout bounds one request; default 30s.
	Timeout time.Duration
}

// Report is what a run measured. Latency is from when a message was due to
// be sent (at a fixed rate) or was sent (as fast as possible) to its
// verified receipt, so a gateway that falls behind a fixed rate shows it.
type Report struct {
	Sent         int64   `json:"sent"`
	Acknowledged int64   `json:"acknowledged"` // 2xx with a verified receipt
	Repeats      int64   `json:"repeats"`      // of Acknowledged, answered as repeats
	Refused      int64   `json:"refused"`      // 4xx/5xx with a structured error
	Errors       int64   `json:"errors"`       // transport failures and unverifiable receipts
	Seconds      float64 `json:"seconds"`
	// MsgsPerSec is acknowledged messages per second of the run.
	MsgsPerSec float64 `json:"msgsPerSec"`
	// RequestedRate is Options.Rate (0: as fast as possible).
	RequestedRate float64          `json:"requestedRate"`
	Concurrency   int              `json:"concurrency"`
	Latency       Latency          `json:"latencyMs"`
	RefusedBy     map[string]int64 `json:"refusedBy,omitempty"` // error code → count
	// ErrorSamples are the first few distinct errors, to say what went wrong.
	ErrorSamples []string `json:"errorSamples,omitempty"`
	// Late counts messages started more than 10ms after they were due: the
	// clients could not keep up with the requested rate.
	Late int64 `json:"late,omitempty"`
}

// Latency summarises acknowledged requests, in milliseconds.
type Latency struct {
	P50  float64 `json:"p50"`
	P95  float64 `json:"p95"`
	P99  float64 `json:"p99"`
	Max  float64 `json:"max"`
	Mean float64 `json:"mean"`
}

// Summarize computes the latency summary of ds (sorted in place).
func Summarize(ds []time.Duration) Latency {
	if len(ds) == 0 {
		return Latency{}
	}
	slices.Sort(ds)
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	q := func(p float64) float64 {
		i := int(p*float64(len(ds))+0.999999) - 1 // nearest rank
		return ms(ds[max(0, min(i, len(ds)-1))])
	}
	var sum time.Duration
	for _, d := range ds {
		sum += d
	}
	return Latency{P50: q(0.50), P95: q(0.95), P99: q(0.99), Max: ms(ds[len(ds)-1]), Mean: ms(sum / time.Duration(len(ds)))}
}

// job is one message to send; due is zero when sending as fast as possible.
type job struct{ due time.Time }

// Run sends messages until Duration or Count is reached or ctx ends, and
// reports. It fails only when it cannot start; failed requests are counted.
func Run(ctx context.Context, o Options) (Report, error) {
	if len(o.Partners) == 0 {
		return Report{}, errors.New("loadgen: no partners to send as")
	}
	for _, p := range o.Partners {
		if p.Client == nil || p.Client.Signer == nil || p.Client.ServerKeys == nil {
			return Report{}, fmt.Errorf("loadgen: partner %s needs a client with a signer and the gateway's receipt keys", p.ID)
		}
	}
	if o.Duration <= 0 && o.Count <= 0 {
		return Report{}, errors.New("loadgen: set a duration or a count")
	}
	o.Concurrency = max(o.Concurrency, 1)
	if o.Timeout <= 0 {
		o.Timeout = 30 * time.Second
	}
	if o.Duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, o.Duration)
		defer cancel()
	}

	// Per-worker clients: a partner client is one organisation's system,
	// with its own connection, not a share of one multiplexed connection.
	clients := make([]*courier.Client, o.Concurrency)
	for w := range clients {
		p := o.Partners[w%len(o.Partners)]
		c := *p.Client
		tr, ok := p.Client.HTTP.Transport.(*http.Transport)
		if !ok {
			return Report{}, fmt.Errorf("loadgen: partner %s: client transport %T is not *http.Transport", p.ID, p.Client.HTTP.Transport)
		}
		c.HTTP = &http.Client{Transport: tr.Clone(), Timeout: o.Timeout}
		clients[w] = &c
		defer c.HTTP.CloseIdleConnections()
	}

	var (
		r       = Report{RequestedRate: o.Rate, Concurrency: o.Concurrency, RefusedBy: map[string]int64{}}
		mu      sync.Mutex // guards r's maps and samples, lat
		lat     []time.Duration
		sent    atomic.Int64
		jobs    = make(chan job)
		wg      sync.WaitGroup
		samples = map[string]bool{}
	)
	seqs := make([]atomic.Int64, len(o.Partners))
	record := func(d time.Duration, res courier.Result, err error, p Partner) {
		mu.Lock()
		defer mu.Unlock()
		switch {
		case err != nil:
			r.Errors++
			if msg := err.Error(); !samples[msg] && len(r.ErrorSamples) < 5 {
				samples[msg] = true
				r.ErrorSamples = append(r.ErrorSamples, p.ID+": "+msg)
			}
		case res.Status >= 300:
			r.Refused++
			code := fmt.Sprint(res.Status)
			if res.Error != nil {
				code = res.Error.Code
			}
			r.RefusedBy[code]++
		case res.Receipt.ID == "" || res.Receipt.Partner != p.ID:
			r.Errors++
			if len(r.ErrorSamples) < 5 {
				r.ErrorSamples = append(r.ErrorSamples, fmt.Sprintf("%s: receipt names partner %q", p.ID, res.Receipt.Partner))
			}
		default:
			r.Acknowledged++
			if res.Repeat {
				r.Repeats++
			}
			lat = append(lat, d)
		}
	}

	start := time.Now()
	for w := range o.Concurrency {
		pi := w % len(o.Partners)
		wg.Go(func() {
			cl, p := clients[w], o.Partners[pi]
			for j := range jobs {
				m, err := o.Generator.Encode(p.Format, p.SenderFIPS, p.Prefix, int(seqs[pi].Add(1)-1))
				if err != nil {
					record(0, courier.Result{}, err, p)
					continue
				}
				t0 := time.Now()
				if j.due.IsZero() {
					j.due = t0
				}
				sent.Add(1)
				res, err := cl.Post(context.WithoutCancel(ctx), m.Body, m.ContentType, m.ID)
				record(time.Since(j.due), res, err, p)
			}
		})
	}

	// The feeder owns jobs. At a fixed rate each message has a due time on
	// a fixed schedule and its latency counts from then, so a gateway that
	// makes clients wait shows it in latency rather than quietly lowering
	// the rate (no coordinated omission); otherwise a message goes to
	// whichever client is free.
	var late int64
	var interval time.Duration
	if o.Rate > 0 {
		interval = time.Duration(float64(time.Second) / o.Rate)
	}
feed:
	for n := 0; o.Count <= 0 || n < o.Count; n++ {
		var j job
		if interval > 0 {
			j.due = start.Add(time.Duration(n) * interval)
			if d := time.Until(j.due); d > 0 {
				select {
				case <-time.After(d):
				case <-ctx.Done():
					break feed
				}
			}
		}
		select {
		case jobs <- j:
			if interval > 0 && time.Since(j.due) > 10*time.Millisecond {
				late++
			}
		case <-ctx.Done():
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	elapsed := time.Since(start)

	r.Sent = sent.Load()
	r.Late = late
	r.Seconds = elapsed.Seconds()
	if r.Seconds > 0 {
		r.MsgsPerSec = float64(r.Acknowledged) / r.Seconds
	}
	r.Latency = Summarize(lat)
	if len(r.RefusedBy) == 0 {
		r.RefusedBy = nil
	}
	sort.Strings(r.ErrorSamples)
	return r, nil
}
