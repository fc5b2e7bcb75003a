package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/uifsagw/uifsagw/gateway/devenv"
	"github.com/uifsagw/uifsagw/gateway/loadgen"
	"github.com/uifsagw/uifsagw/partners"
	"github.com/uifsagw/uifsagw/schemas/canonical"
)

func init() {
	register("load", "load generator against a gateway: signed XML/JSON from concurrent partners, verified receipts, latency; --baseline", runLoad)
}

// loadResult is what `load --json` prints.
type loadResult struct {
	Target   string         `json:"target"`
	Partners []string       `json:"partners"`
	Gateway  loadgen.Report `json:"gateway"`
	// Baseline and Ratios are present with --baseline.
	Baseline *baselines         `json:"baseline,omitempty"`
	Ratios   map[string]float64 `json:"ratios,omitempty"`
}

type baselines struct {
	CPU               loadgen.CPUBaseline    `json:"cpu"`
	Commit            loadgen.CommitBaseline `json:"commit"`
	SynchronousCommit string                 `json:"synchronousCommit"`
	Fsync             string                 `json:"fsync"`
}

func runLoad(ctx context.Context, args []string) error {
	fs := newFlags("load", "[flags]")
	var cf clientFlags
	cf.register(fs)
	fs.Lookup("as").Usage = "partners to send as, comma-separated (sample IDs in --dir, e.g. nj,pa); with --cert/--key/--jwk, the one partner's ID"
	fs.Lookup("as").DefValue = "nj,pa"
	cf.as = "nj,pa"
	concurrency := fs.Int("concurrency", 16, "partner clients sending at once (spread over --as), each on its own kept-alive mTLS connection")
	rate := fs.Float64("rate", 0, "messages per second in total; 0 = as fast as the clients can")
	duration := fs.Duration("duration", 30*time.Second, "how long to send (0 = until --count)")
	count := fs.Int("count", 0, "stop after this many messages (0 = until --duration)")
	receiver := fs.String("receiver-fips", "3600000", "the gateway's office FIPS that messages are addressed to")
	format := fs.String("format", "", "wire format of the partner with explicit --cert (default from the partner directory in --dir)")
	senderFIPS := fs.String("sender-fips", "", "7-digit FIPS the partner with explicit --cert sends as (default its state + 00000)")
	runID := fs.String("run-id", "", "unique part of the message IDs (default the start time)")
	timeout := fs.Duration("timeout", 30*time.Second, "per-request timeout")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	baseline := fs.Bool("baseline", false, "also measure (a) verify+decode+validate msgs/s on all cores and (b) INSERT+COMMIT/s at --concurrency, and report ratios")
	baselineDur := fs.Duration("baseline-duration", 10*time.Second, "how long each baseline runs")
	dbURL := fs.String("database-url", "", "database for baseline (b) (default $UIFSAGW_DATABASE_URL, else the dev installation's in --dir)")
	pgPort := fs.Int("pg-port", 5432, "PostgreSQL socket number of the dev installation (for the default --database-url)")
	if err := fs.Parse(reorder(fs, args)); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return fmt.Errorf("load takes no arguments (see -h)")
	}
	if *duration <= 0 && *count <= 0 {
		return fmt.Errorf("give --duration or --count")
	}
	ids := strings.Split(cf.as, ",")
	explicit := cf.cert != "" || cf.key != "" || cf.jwk != ""
	if explicit && len(ids) != 1 {
		return fmt.Errorf("with --cert/--key/--jwk name exactly one partner with --as")
	}
	if *runID == "" {
		*runID = time.Now().UTC().Format("0102T150405")
	}
	dir := partnerDirectory(cf.dir)

	var ps []loadgen.Partner
	for _, id := range ids {
		id = strings.TrimSpace(id)
		one := cf
		one.as = id
		if explicit {
			one.as = ""
		}
		cl, err := one.client(ctx)
		if err != nil {
			return fmt.Errorf("partner %s: %w", id, err)
		}
		p := loadgen.Partner{ID: id, Client: cl, Prefix: strings.ToUpper(id)}
		if dp, ok := dir[id]; ok {
			p.Format, p.SenderFIPS = dp.Format, canonical.FIPS(dp.StateFIPS+"00000")
		}
		if *format != "" && (explicit || len(ids) == 1) {
			p.Format = *format
		}
		if *senderFIPS != "" && (explicit || len(ids) == 1) {
			p.SenderFIPS = canonical.FIPS(*senderFIPS)
		}
		if p.Format == "" || p.SenderFIPS == "" {
			return fmt.Errorf("partner %s is not in %s: give --format and --sender-fips", id, filepath.Join(cf.dir, "partners.d"))
		}
		ps = append(ps, p)
	}
	gen := loadgen.Generator{RunID: *runID, ReceiverFIPS: canonical.FIPS(*receiver), Date: canonical.DateOf(time.Now())}
	out := loadResult{Target: cf.addr}
	for _, p := range ps {
		out.Partners = append(out.Partners, p.ID+" ("+p.Format+")")
	}

	if *baseline {
		b, err := measureBaselines(ctx, ps, gen, *dbURL, cf.dir, *pgPort, *concurrency, *baselineDur)
		if err != nil {
			return err
		}
		out.Baseline = b
	}
	rep, err := loadgen.Run(ctx, loadgen.Options{Partners: ps, Concurrency: *concurrency, Rate: *rate,
		Duration: *duration, Count: *count, Generator: gen, Timeout: *timeout})
	if err != nil {
		return err
	}
	out.Gateway = rep
	if out.Baseline != nil {
		out.Ratios = map[string]float64{}
		if c := out.Baseline.Commit.CommitsPerSec; c > 0 {
			out.Ratios["gatewayOverCommit"] = rep.MsgsPerSec / c
		}
		if c := out.Baseline.CPU.MsgsPerSec; c > 0 {
			out.Ratios["gatewayOverCPU"] = rep.MsgsPerSec / c
		}
	}
	if *asJSON {
		b, _ := json.MarshalIndent(out, "", "  ")
		fmt.Println(string(b))
	} else {
		printLoad(out)
	}
	if rep.Errors > 0 {
		return &exitError{code: 1, msg: fmt.Sprintf("%d requests failed or had receipts that did not verify", rep.Errors)}
	}
	return nil
}

// partnerDirectory reads the dev installation's partner directory, when
// there is one, for the partners' formats and states.
func partnerDirectory(dir string) map[string]*partners.Partner {
	out := map[string]*partners.Partner{}
	d, err := partners.Load(devenv.Layout{Dir: dir}.PartnersDir())
	if err != nil {
		return out
	}
	for _, p := range d.All() {
		out[p.ID] = p
	}
	return out
}

func measureBaselines(ctx context.Context, ps []loadgen.Partner, gen loadgen.Generator, dbURL, dir string, pgPort, concurrency int, d time.Duration) (*baselines, error) {
	if dbURL == "" {
		dbURL = os.Getenv("UIFSAGW_DATABASE_URL")
	}
	if dbURL == "" {
		abs, err := filepath.Abs(dir)
		if err != nil {
			return nil, err
		}
		// The URL `uifsagw dev` serves its database on (pgserver over the Unix socket).
		q := url.Values{"host": {filepath.Join(abs, "pg")}, "port": {fmt.Sprint(pgPort)}, "user": {"postgres"}, "sslmode": {"disable"}}
		dbURL = (&url.URL{Scheme: "postgres", Path: "/uifsagw", RawQuery: q.Encode()}).String()
	}
	var b baselines
	var err error
	if b.SynchronousCommit, b.Fsync, err = loadgen.SynchronousCommit(ctx, dbURL); err != nil {
		return nil, fmt.Errorf("baseline (b) needs the gateway's database (--database-url): %w", err)
	}
	if b.CPU, err = loadgen.MeasureCPU(ctx, ps, gen, d); err != nil {
		return nil, err
	}
	// The body size of an average generated message, so the row is as big as a stored one.
	m, err := gen.Encode(ps[0].Format, ps[0].SenderFIPS, ps[0].Prefix+"S", 0)
	if err != nil {
		return nil, err
	}
	if b.Commit, err = loadgen.MeasureCommits(ctx, dbURL, concurrency, len(m.Body), d); err != nil {
		return nil, err
	}
	return &b, nil
}

func printLoad(o loadResult) {
	r := o.Gateway
	mode := "as fast as possible"
	if r.RequestedRate > 0 {
		mode = fmt.Sprintf("%.0f msgs/s requested", r.RequestedRate)
	}
	fmt.Printf("target       %s as %s\n", o.Target, strings.Join(o.Partners, ", "))
	fmt.Printf("run          %d clients, %s, %.1fs\n", r.Concurrency, mode, r.Seconds)
	fmt.Printf("sent         %d\n", r.Sent)
	fmt.Printf("acknowledged %d (receipts verified; %d repeats)\n", r.Acknowledged, r.Repeats)
	fmt.Printf("refused      %d", r.Refused)
	for code, n := range r.RefusedBy {
		fmt.Printf("  %s=%d", code, n)
	}
	fmt.Println()
	fmt.Printf("errors       %d\n", r.Errors)
	for _, e := range r.ErrorSamples {
		fmt.Printf("             %s\n", e)
	}
	if r.Late > 0 {
		fmt.Printf("late         %d messages started >10ms behind schedule (clients saturated)\n", r.Late)
	}
	fmt.Printf("throughput   %.1f msgs/s\n", r.MsgsPerSec)
	l := r.Latency
	fmt.Printf("latency ms   p50 %.1f  p95 %.1f  p99 %.1f  max %.1f  mean %.1f\n", l.P50, l.P95, l.P99, l.Max, l.Mean)
	if b := o.Baseline; b != nil {
		fmt.Printf("baseline (a) verify+decode+validate: %.0f msgs/s on %d cores (%.0f µs CPU per message)\n",
			b.CPU.MsgsPerSec, b.CPU.Cores, b.CPU.MicrosPerMsg)
		fmt.Printf("baseline (b) INSERT+COMMIT: %.0f commits/s at %d connections (p50 %.1f ms, p99 %.1f ms; synchronous_commit=%s fsync=%s)\n",
			b.Commit.CommitsPerSec, b.Commit.Concurrency, b.Commit.Latency.P50, b.Commit.Latency.P99, b.SynchronousCommit, b.Fsync)
		fmt.Printf("ratios       gateway/(b) %.2f×   gateway/(a) %.0f%%\n", o.Ratios["gatewayOverCommit"], 100*o.Ratios["gatewayOverCPU"])
	}
}
