package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/uifsagw/uifsagw/gateway"
	"github.com/uifsagw/uifsagw/gateway/devenv"
	"github.com/uifsagw/uifsagw/gateway/loadgen"
	"github.com/uifsagw/uifsagw/gateway/telemetry"
	"github.com/uifsagw/uifsagw/partners"
	"github.com/uifsagw/uifsagw/schemas/canonical"
)

func init() {
	register("load", "load generator: signed XML/JSON from concurrent partners, verified receipts, latency (a scratch gateway unless --addr); --baseline", runLoad)
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
	fs := newFlags("load", `[flags]

Without --addr, load starts a scratch gateway of its own: the dev installation's
configuration and keys on a new, temporary database of the running dev
PostgreSQL, dropped afterwards, so the thousands of orders it sends never reach
the database the staff UI shows. With --addr it loads that gateway itself, and
what it sends stays in that gateway's database.`)
	var cf clientFlags
	cf.register(fs)
	fs.Lookup("addr").Usage = "gateway to load, e.g. the dev gateway https://127.0.0.1:8443 (its database keeps what is sent); default a scratch gateway"
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
	if cf.addr == "" {
		sg, err := startScratchGateway(ctx, devenv.Layout{Dir: cf.dir}, *runID)
		if err != nil {
			return err
		}
		defer sg.stop()
		cf.addr = sg.url
		if *dbURL == "" {
			*dbURL = sg.dbURL
		}
		fmt.Fprintf(os.Stderr, "load: scratch gateway %s on database %s (dropped afterwards)\n", sg.url, sg.db)
	}

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
		if r, ok := (devenv.Layout{Dir: abs}).ReadRunning(); ok && r.DatabaseURL != "" {
			dbURL = r.DatabaseURL
		}
		pgDir, err := devPGDir(abs)
		if err != nil {
			return nil, err
		}
		// The URL `uifsagw dev` serves its database on (pgserver over the Unix socket).
		q := url.Values{"host": {pgDir}, "port": {fmt.Sprint(pgPort)}, "user": {"postgres"}, "sslmode": {"disable"}}
		if dbURL == "" {
			dbURL = (&url.URL{Scheme: "postgres", Path: "/uifsagw", RawQuery: q.Encode()}).String()
		}
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

// scratchGateway is a gateway load starts for itself on a throwaway database.
type scratchGateway struct {
	url, db, dbURL string
	adminURL       string
	cancel         context.CancelFunc
	done           chan error
}

// startScratchGateway runs the dev installation l's gateway on a new
// database of the running dev PostgreSQL, listening on free loopback ports.
func startScratchGateway(ctx context.Context, l devenv.Layout, runID string) (*scratchGateway, error) {
	r, ok := l.ReadRunning()
	if !ok || r.DatabaseURL == "" {
		return nil, fmt.Errorf("load needs a running `uifsagw dev` on %s for its scratch gateway, or --addr of a gateway to load", l.Dir)
	}
	u, err := url.Parse(r.DatabaseURL)
	if err != nil {
		return nil, err
	}
	admin := *u
	admin.Path = "/postgres"
	sg := &scratchGateway{db: "uifsagw_load_" + strings.ToLower(nonIdent.ReplaceAllString(runID, "_")), adminURL: admin.String()}
	scratch := *u
	scratch.Path = "/" + sg.db
	sg.dbURL = scratch.String()
	conn, err := pgx.Connect(ctx, sg.adminURL)
	if err != nil {
		return nil, fmt.Errorf("dev PostgreSQL: %w", err)
	}
	_, err = conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{sg.db}.Sanitize())
	conn.Close(ctx)
	if err != nil {
		return nil, fmt.Errorf("scratch database: %w", err)
	}
	fail := func(err error) (*scratchGateway, error) {
		sg.drop()
		return nil, err
	}
	if _, _, err := migrate(ctx, sg.dbURL); err != nil {
		return fail(err)
	}
	cfg, err := gateway.LoadConfig(l.Config(), append(os.Environ(), "UIFSAGW_DATABASE_URL="+sg.dbURL,
		"UIFSAGW_PARTNER_LISTEN=127.0.0.1:0", "UIFSAGW_STAFF_LISTEN=127.0.0.1:0"))
	if err != nil {
		return fail(err)
	}
	gctx, cancel := context.WithCancel(context.Background())
	srv, err := gateway.New(gctx, cfg, gateway.Options{Logger: telemetry.NewLogger(os.Stderr, cfg.Log.Format, "error")})
	if err != nil {
		cancel()
		return fail(err)
	}
	if err := srv.Listen(); err != nil {
		cancel()
		return fail(err)
	}
	sg.url, sg.cancel, sg.done = "https://"+srv.PartnerAddr(), cancel, make(chan error, 1)
	go func() { sg.done <- srv.Run(gctx) }()
	return sg, nil
}

var nonIdent = regexp.MustCompile(`[^A-Za-z0-9_]+`)

func (sg *scratchGateway) stop() {
	sg.cancel()
	if err := <-sg.done; err != nil {
		fmt.Fprintln(os.Stderr, "scratch gateway:", err)
	}
	sg.drop()
}

func (sg *scratchGateway) drop() {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, sg.adminURL)
	if err == nil {
		_, err = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{sg.db}.Sanitize()+" WITH (FORCE)")
		conn.Close(ctx)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "load: drop scratch database %s: %v\n", sg.db, err)
	}
}
