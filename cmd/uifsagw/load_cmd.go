package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/uifsagw/uifsagw/gateway"
	"github.com/uifsagw/uifsagw/gateway/devenv"
	"github.com/uifsagw/uifsagw/gateway/exchange"
	"github.com/uifsagw/uifsagw/gateway/exchange/admin"
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
	// CPU is each process's CPU per acknowledged message during the run,
	// with its ratio to baseline (a) when --baseline ran.
	CPU []loadgen.CPUUse `json:"cpu,omitempty"`
	// CPUNotes say which processes could not be measured, and why.
	CPUNotes []string `json:"cpuNotes,omitempty"`
	// DrainSeconds is how long after the last acknowledgment the gateway
	// took to decide every received message; CPU is counted until then.
	DrainSeconds float64 `json:"drainSeconds,omitempty"`
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
	gatewayPID := fs.Int("gateway-pid", 0, "process to measure as the gateway (default: the process listening on --addr's port on this machine)")
	pgPID := fs.Int("pg-pid", 0, "PostgreSQL postmaster to measure with its backends (default: the one serving --database-url on this machine)")
	noCPU := fs.Bool("no-cpu", false, "do not measure CPU per message of the gateway, PostgreSQL and this generator")
	drain := fs.Bool("drain", true, "keep measuring CPU after the last acknowledgment until the gateway has decided every received message (needs --database-url or the dev installation's); the processor decides after the ack, so without it most of the database's work is left out")
	drainTimeout := fs.Duration("drain-timeout", 2*time.Minute, "longest wait for the received messages to be decided")
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
	var meter *loadgen.CPUMeter
	var backlog *admin.Backlog
	if !*noCPU {
		var procs []loadgen.Process
		u, err := loadDatabaseURL(*dbURL, cf.dir, *pgPort)
		if err != nil {
			return err
		}
		procs, out.CPUNotes = findProcesses(cf.addr, *gatewayPID, *pgPID, u)
		if *drain {
			// Opened before the meter starts, so its connection is not counted.
			if backlog, err = admin.OpenBacklog(ctx, u); err != nil {
				out.CPUNotes = append(out.CPUNotes, fmt.Sprintf("CPU counted until the last acknowledgment only: %v", err))
			} else {
				defer backlog.Close(context.WithoutCancel(ctx))
			}
		}
		if meter, err = loadgen.StartCPU(procs); err != nil {
			return err
		}
	}
	rep, err := loadgen.Run(ctx, loadgen.Options{Partners: ps, Concurrency: *concurrency, Rate: *rate,
		Duration: *duration, Count: *count, Generator: gen, Timeout: *timeout})
	if err != nil {
		return err
	}
	out.Gateway = rep
	if backlog != nil {
		waited, left, err := backlog.WaitDrained(ctx, 250*time.Millisecond, *drainTimeout)
		out.DrainSeconds = waited.Seconds()
		switch {
		case err != nil:
			out.CPUNotes = append(out.CPUNotes, fmt.Sprintf("stopped waiting for the processor after %.1f s: %v", waited.Seconds(), err))
		case left > 0:
			out.CPUNotes = append(out.CPUNotes, fmt.Sprintf("%d received messages were still undecided after %s; CPU counted until then", left, *drainTimeout))
		}
	}
	if meter != nil {
		var base float64
		if out.Baseline != nil {
			base = out.Baseline.CPU.MicrosPerMsg
		}
		if out.CPU, err = meter.Stop(rep.Acknowledged, base); err != nil {
			return err
		}
	}
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
		return &exitError{Code: 1, Msg: fmt.Sprintf("%d requests failed or had receipts that did not verify", rep.Errors)}
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
	dbURL, err := loadDatabaseURL(dbURL, dir, pgPort)
	if err != nil {
		return nil, err
	}
	var b baselines
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

// loadDatabaseURL is --database-url, else $UIFSAGW_DATABASE_URL, else the
// owner's URL the running `uifsagw dev` in dir recorded, else the one it serves the
// installation's database on (pgserver over the Unix socket).
func loadDatabaseURL(dbURL, dir string, pgPort int) (string, error) {
	if dbURL == "" {
		dbURL = os.Getenv("UIFSAGW_DATABASE_URL")
	}
	if dbURL != "" {
		return dbURL, nil
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	if r, ok := (devenv.Layout{Dir: abs}).ReadRunning(); ok && r.DatabaseURL != "" {
		// Baseline (b) makes a scratch table: the owner may, the serving role may not.
		if r.OwnerURL != "" {
			return r.OwnerURL, nil
		}
		return r.DatabaseURL, nil
	}
	pgDir, err := devPGDir(abs)
	if err != nil {
		return "", err
	}
	q := url.Values{"host": {pgDir}, "port": {fmt.Sprint(pgPort)}, "user": {"postgres"}, "sslmode": {"disable"}}
	return (&url.URL{Scheme: "postgres", Path: "/uifsagw", RawQuery: q.Encode()}).String(), nil
}

// findProcesses names the processes whose CPU a run measures: the gateway
// (listening on addr's port), the PostgreSQL postmaster with its backends
// (serving dbURL), and this generator. A process that is not on this machine
// or cannot be read is left out with a note rather than failing the run.
func findProcesses(addr string, gatewayPID, pgPID int, dbURL string) ([]loadgen.Process, []string) {
	var procs []loadgen.Process
	var notes []string
	if gatewayPID == 0 {
		var err error
		if gatewayPID, err = pidListeningAt(addr); err != nil {
			notes = append(notes, "gateway not measured: "+err.Error()+" (give --gateway-pid)")
		}
	}
	self := os.Getpid()
	if gatewayPID == self {
		// The scratch gateway runs inside this process.
		notes = append(notes, "the scratch gateway runs inside this load process, so its figure includes the generator's; "+
			"run a gateway of its own and give --addr to tell them apart")
	} else if gatewayPID != 0 {
		procs = append(procs, loadgen.Process{Role: "gateway", PID: gatewayPID})
	}
	if pgPID == 0 {
		var err error
		if pgPID, err = postmasterOf(dbURL); err != nil {
			notes = append(notes, "postgres not measured: "+err.Error()+" (give --pg-pid)")
		}
	}
	if pgPID != 0 {
		procs = append(procs, loadgen.Process{Role: "postgres", PID: pgPID, Tree: true})
	}
	role := "generator"
	if gatewayPID == self {
		role = "gateway+generator"
	}
	procs = append(procs, loadgen.Process{Role: role, PID: self})
	return procs, notes
}

func pidListeningAt(addr string) (int, error) {
	u, err := url.Parse(addr)
	if err != nil {
		return 0, err
	}
	port, err := strconv.Atoi(u.Port())
	if err != nil {
		port = 443
	}
	if !isLoopback(u.Hostname()) {
		return 0, fmt.Errorf("%s is not on this machine", u.Host)
	}
	return loadgen.ListenerPID(port)
}

func postmasterOf(dbURL string) (int, error) {
	cfg, err := admin.ParseEndpoint(dbURL)
	if err != nil {
		return 0, err
	}
	if strings.HasPrefix(cfg.Host, "/") {
		return loadgen.UnixListenerPID(filepath.Join(cfg.Host, fmt.Sprintf(".s.PGSQL.%d", cfg.Port)))
	}
	if !isLoopback(cfg.Host) {
		return 0, fmt.Errorf("the database at %s is not on this machine", cfg.Host)
	}
	return loadgen.ListenerPID(int(cfg.Port))
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
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
	if o.DrainSeconds > 0 {
		fmt.Printf("drained      every received message decided %.1f s after the last acknowledgment (CPU counted until then)\n", o.DrainSeconds)
	}
	for _, u := range o.CPU {
		fmt.Printf("cpu %-9s %6.0f µs per message  %.2f cores", u.Role, u.MicrosPerMsg, u.Cores)
		if u.OverBaseline > 0 {
			fmt.Printf("  %.2f× baseline (a)", u.OverBaseline)
		}
		fmt.Println()
	}
	for _, n := range o.CPUNotes {
		fmt.Printf("cpu          %s\n", n)
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
	// The scratch database is created and migrated by the owner, and the
	// scratch gateway serves as the same least-privileged role dev's does.
	owner := r.OwnerURL
	if owner == "" {
		owner = r.DatabaseURL
	}
	u, err := url.Parse(owner)
	if err != nil {
		return nil, err
	}
	maint := *u
	maint.Path = "/postgres"
	sg := &scratchGateway{db: "uifsagw_load_" + strings.ToLower(nonIdent.ReplaceAllString(runID, "_")), adminURL: maint.String()}
	scratch := *u
	scratch.Path = "/" + sg.db
	sg.dbURL = scratch.String()
	err = admin.WithServer(ctx, sg.adminURL, func(s *admin.Server) error { return s.CreateDatabase(ctx, sg.db, "") })
	if err != nil {
		return nil, fmt.Errorf("scratch database on the dev PostgreSQL: %w", err)
	}
	fail := func(err error) (*scratchGateway, error) {
		sg.drop()
		return nil, err
	}
	if _, _, err := migrate(ctx, sg.dbURL); err != nil {
		return fail(err)
	}
	serveURL := sg.dbURL
	if r.OwnerURL != "" && r.DatabaseURL != r.OwnerURL {
		if pc, err := admin.ParseEndpoint(r.DatabaseURL); err == nil && pc.User != "" {
			if serveURL, err = exchange.URLWithUser(sg.dbURL, pc.User); err != nil {
				return fail(err)
			}
		}
	}
	cfg, err := gateway.LoadConfig(l.Config(), append(os.Environ(), "UIFSAGW_DATABASE_URL="+serveURL,
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
	err := admin.WithServer(ctx, sg.adminURL, func(s *admin.Server) error { return s.DropDatabase(ctx, sg.db) })
	if err != nil {
		fmt.Fprintf(os.Stderr, "load: drop scratch database %s: %v\n", sg.db, err)
	}
}
