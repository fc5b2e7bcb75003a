package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/uifsagw/uifsagw/gateway"
	"github.com/uifsagw/uifsagw/gateway/devenv"
	"github.com/uifsagw/uifsagw/gateway/exchange"
	"github.com/uifsagw/uifsagw/gateway/exchange/admin"
	"github.com/uifsagw/uifsagw/gateway/pgserver"
	"github.com/uifsagw/uifsagw/gateway/telemetry"
	"github.com/uifsagw/uifsagw/partners"
)

func init() {
	register("dev", "run everything locally: PostgreSQL, dev PKI, sample partners and a sample peer, the gateway", runDev)
}

func runDev(ctx context.Context, args []string) error {
	fs := newFlags("dev", "[--dir ./var] [flags]")
	dir := fs.String("dir", "var", "install folder: PKI, keys, partner directory, samples (PostgreSQL data too, unless run as root from a folder the postgres user cannot reach)")
	partnerListen := fs.String("partner-listen", "127.0.0.1:8443", "partner mTLS listener (first run; then config.yaml)")
	staffListen := fs.String("staff-listen", "127.0.0.1:8080", "staff listener (first run; then config.yaml)")
	peerListen := fs.String("peer-listen", "", "where the sample New Jersey peer gateway listens (default: the endpoint of partner nj, first 127.0.0.1:9443; nj is pointed at it)")
	state := fs.String("state", "36", "our state FIPS on first run (36 = New York)")
	pgPort := fs.Int("pg-port", 5432, "PostgreSQL socket number (Unix socket only, no TCP)")
	profile := profileFlag(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return fmt.Errorf("dev takes no arguments (see -h)")
	}
	stopProfile, err := startProfile(*profile)
	if err != nil {
		return err
	}
	defer stopProfile()
	abs, err := filepath.Abs(*dir)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(abs, 0o755); err != nil {
		return err
	}
	layout, created, err := devenv.Prepare(abs, devenv.Options{StateFIPS: *state, Name: "uifsagw-dev-" + *state,
		PartnerListen: *partnerListen, StaffListen: *staffListen})
	if err != nil {
		return fmt.Errorf("prepare %s: %w", abs, err)
	}
	if r, ok := layout.ReadRunning(); ok && r.PID != os.Getpid() {
		return fmt.Errorf("uifsagw dev already runs on %s (process %d); stop it first", abs, r.PID)
	}
	if created {
		fmt.Printf("created a dev installation in %s (CA, gateway certificate and JWS key, PII keys, sample partners)\n", abs)
	} else {
		fmt.Printf("reusing the dev installation in %s\n", abs)
	}

	pgDir, err := devPGDir(abs)
	if err != nil {
		return err
	}
	pg, err := pgserver.Start(ctx, pgserver.Options{Dir: pgDir, Port: *pgPort})
	if err != nil {
		return fmt.Errorf("start PostgreSQL: %w", err)
	}
	defer func() {
		if err := pg.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, "stop PostgreSQL:", err)
		} else {
			fmt.Println("PostgreSQL stopped")
		}
	}()
	dbURL, err := ensureDatabase(ctx, pg, "uifsagw")
	if err != nil {
		return err
	}
	from, to, err := migrate(ctx, dbURL)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if from != to {
		fmt.Printf("database migrated from version %d to %d\n", from, to)
	}
	if err := ensureFileEmployer(layout); err != nil {
		return fmt.Errorf("sample e-IWO file employer: %w", err)
	}
	// Tools given --config var/config.yaml (audit verify, migrate) find the
	// database of this PostgreSQL; it lives at the same place on every run.
	if err := layout.SetConfigValue("database_url", dbURL); err != nil {
		return fmt.Errorf("record the database URL in %s: %w", layout.Config(), err)
	}
	// Migrations ran as the database's owner; the gateway serves as a
	// least-privileged member of uifsagw_app, as in production (docs/SECURITY.md).
	if err := exchange.EnsureServingRole(ctx, dbURL, "uifsagw_gateway"); err != nil {
		return err
	}
	ownerURL := dbURL
	if dbURL, err = exchange.URLWithUser(dbURL, "uifsagw_gateway"); err != nil {
		return err
	}

	env := append(os.Environ(), "UIFSAGW_DATABASE_URL="+dbURL)
	// Listen flags given on this run win over the installation's config.
	fs.Visit(func(f *flag.Flag) {
		switch f.Name {
		case "partner-listen":
			env = append(env, "UIFSAGW_PARTNER_LISTEN="+f.Value.String())
		case "staff-listen":
			env = append(env, "UIFSAGW_STAFF_LISTEN="+f.Value.String())
		}
	})
	cfg, err := gateway.LoadConfig(layout.Config(), env)
	if err != nil {
		return err
	}

	peers, err := startPeers(ctx, layout, cfg.StateFIPS, *peerListen, pg)
	if err != nil {
		return err
	}
	defer stopPeers(peers)

	// The staff listener is bound first so the sign-in issuer and redirect
	// URLs carry its real address (the port may be :0).
	if b, err := os.ReadFile(layout.Config()); err == nil && !strings.Contains(string(b), "eiwo_batch_window") {
		// Dev: the sample employer's file goes out within half a minute,
		// unless the installation's config sets a window of its own.
		cfg.Casework.EIWOBatchWindow = 20 * time.Second
	}
	staffLn, err := net.Listen("tcp", cfg.StaffListen)
	if err != nil {
		return fmt.Errorf("staff listener: %w", err)
	}
	issuer, err := devenv.NewIssuer("http://"+staffLn.Addr().String()+"/dev/oidc", cfg.Staff.Audience)
	if err != nil {
		return err
	}
	srv, err := gateway.New(ctx, cfg, gateway.Options{DevIssuer: issuer, StaffListener: staffLn})
	if err != nil {
		return err
	}
	if err := srv.Listen(); err != nil {
		return err
	}
	if err := devenv.WriteSamples(layout); err != nil {
		return fmt.Errorf("sample messages: %w", err)
	}
	run := devenv.Running{PID: os.Getpid(), PartnerURL: "https://" + srv.PartnerAddr(), StaffURL: "http://" + srv.StaffAddr(),
		DatabaseURL: dbURL, OwnerURL: ownerURL, PGDir: pgDir}
	for _, p := range peers {
		run.PeerURL = p.url
	}
	if err := layout.WriteRunning(run); err != nil {
		return err
	}
	defer func() { _ = layout.RemoveRunning() }()
	token, _ := issuer.Mint("casey", 8*time.Hour)
	printBanner(bannerData{cfg: cfg, srv: srv, dir: *dir, layout: layout, dbURL: dbURL, pgDir: pgDir,
		pgMoved: pgDir != filepath.Join(abs, "pg"), peers: peers, token: token})
	go runFileEmployer(ctx, layout, "https://"+srv.PartnerAddr(), func(msg string, args ...any) {
		fmt.Println(append([]any{msg}, args...)...)
	})
	runErr := srv.Run(ctx)
	select {
	case <-pg.Done():
		if runErr == nil {
			runErr = fmt.Errorf("PostgreSQL exited unexpectedly; see %s", pg.LogPath())
		}
	default:
	}
	return runErr
}

// devPGDir is where the dev PostgreSQL keeps its data and socket: in the
// install folder, unless this is root and the postgres user, which the server
// runs as, cannot reach that folder (a checkout under /root, a private
// mktemp -d folder). Then it is a folder of its own under /var/lib/uifsagw,
// named after the install folder, the same on every run.
func devPGDir(abs string) (string, error) {
	move, err := pgserver.NeedsRelocation(abs, "")
	if err != nil {
		return "", err
	}
	if !move {
		return filepath.Join(abs, "pg"), nil
	}
	return pgserver.RootDir(abs)
}

// peer is a sample peer gateway dev runs for a push partner.
type peer struct {
	id, name, url string
	srv           *gateway.Server
	cancel        context.CancelFunc
	done          chan error
}

// startPeers runs a sample peer for the first sample state we push to (New
// Jersey), on its own database of the dev PostgreSQL, and points the partner
// at it. Only one peer address is configurable (--peer-listen).
func startPeers(ctx context.Context, l devenv.Layout, ourState, listen string, pg *pgserver.Server) ([]*peer, error) {
	dir, err := partners.Load(l.PartnersDir())
	if err != nil {
		return nil, err
	}
	for _, sp := range devenv.Samples {
		p, ok := dir.Get(sp.ID)
		if ok && p.Kind == partners.KindState && p.Delivery == partners.DeliverPush && l.CheckClient(sp.ID) == nil {
			pr, err := startPeer(ctx, l, sp, ourState, listen, pg)
			if err != nil {
				return nil, err
			}
			return []*peer{pr}, nil
		}
	}
	return nil, nil
}

func startPeer(ctx context.Context, l devenv.Layout, sp devenv.SamplePartner, ourState, listen string, pg *pgserver.Server) (*peer, error) {
	pl, err := devenv.PreparePeer(l, sp, ourState)
	if err != nil {
		return nil, err
	}
	if listen == "" {
		if listen, err = endpointHostPort(l, sp.ID); err != nil {
			return nil, err
		}
	}
	dbURL, err := ensureDatabase(ctx, pg, devenv.PeerDatabase(sp.ID))
	if err == nil {
		_, _, err = migrate(ctx, dbURL)
	}
	if err != nil {
		return nil, fmt.Errorf("sample peer %s database: %w", sp.ID, err)
	}
	cfg, err := gateway.LoadConfig(pl.Config(), append(os.Environ(), "UIFSAGW_DATABASE_URL="+dbURL,
		"UIFSAGW_PARTNER_LISTEN="+listen, "UIFSAGW_STAFF_LISTEN=127.0.0.1:0"))
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return nil, fmt.Errorf("sample peer %s: listen on %s (change it with --peer-listen): %w", sp.ID, listen, err)
	}
	log := telemetry.NewLogger(os.Stderr, cfg.Log.Format, cfg.Log.Level).With("peer", sp.ID)
	pctx, cancel := context.WithCancel(ctx)
	srv, err := gateway.New(pctx, cfg, gateway.Options{Logger: log, PartnerListener: ln})
	if err != nil {
		cancel()
		ln.Close()
		return nil, fmt.Errorf("sample peer %s: %w", sp.ID, err)
	}
	pr := &peer{id: sp.ID, name: sp.Name, url: "https://" + srv.PartnerAddr(), srv: srv, cancel: cancel, done: make(chan error, 1)}
	go func() { pr.done <- srv.Run(pctx) }()
	if err := l.SetPartnerEndpoint(sp.ID, pr.url); err != nil {
		stopPeers([]*peer{pr})
		return nil, err
	}
	return pr, nil
}

// endpointHostPort is where partner id's endpoint says it listens.
func endpointHostPort(l devenv.Layout, id string) (string, error) {
	d, err := partners.Load(l.PartnersDir())
	if err != nil {
		return "", err
	}
	p, ok := d.Get(id)
	if !ok {
		return "", fmt.Errorf("no partner %s in %s", id, l.PartnersDir())
	}
	u, err := url.Parse(p.Endpoint)
	if err != nil || u.Host == "" {
		return "", fmt.Errorf("partner %s: endpoint %q is not a URL; give --peer-listen", id, p.Endpoint)
	}
	return u.Host, nil
}

func stopPeers(ps []*peer) {
	for _, p := range ps {
		p.cancel()
		if err := <-p.done; err != nil {
			fmt.Fprintf(os.Stderr, "sample peer %s: %v\n", p.id, err)
		}
	}
}

// ensureDatabase creates db on the dev server if it does not exist.
func ensureDatabase(ctx context.Context, pg *pgserver.Server, db string) (string, error) {
	err := admin.WithServer(ctx, pg.URL(), func(s *admin.Server) error {
		_, err := s.EnsureDatabase(ctx, db)
		return err
	})
	if err != nil {
		return "", fmt.Errorf("PostgreSQL: %w", err)
	}
	return pg.URLFor(db), nil
}

type bannerData struct {
	cfg     gateway.Config
	srv     *gateway.Server
	dir     string
	layout  devenv.Layout
	dbURL   string
	pgDir   string
	pgMoved bool
	peers   []*peer
	token   string
}

func printBanner(b bannerData) {
	w := os.Stdout
	staff := b.srv.StaffAddr()
	fmt.Fprintf(w, "\nuifsagw dev is running (state %s). Ctrl-C stops it, the sample peer and PostgreSQL.\n\n", b.cfg.StateFIPS)
	fmt.Fprintf(w, "  partner API (mTLS)  https://%s\n", b.srv.PartnerAddr())
	fmt.Fprintf(w, "  staff UI            http://%s/   (sign in as a sample user)\n", staff)
	fmt.Fprintf(w, "  health              http://%s/readyz   metrics: /metrics\n", staff)
	fmt.Fprintf(w, "  PostgreSQL data     %s (kept between runs)\n", filepath.Join(b.pgDir, "data"))
	if b.pgMoved {
		fmt.Fprintf(w, "                      outside %s because the postgres user, which PostgreSQL runs as, cannot reach it\n", b.layout.Dir)
	}
	fmt.Fprintf(w, "  database            %s (also in %s)\n", b.dbURL, b.layout.Config())
	fmt.Fprintf(w, "  sample partners     %s (nj, pa send as states; ca sends CSENet files; acme is an employer)\n", b.layout.PartnersDir())
	for _, p := range b.peers {
		fmt.Fprintf(w, "  sample peer         %s: %s's gateway, receives what we push to %s and signs receipts\n", p.url, p.name, p.id)
	}
	dirFlag := ""
	if b.dir != "var" {
		dirFlag = " --dir " + b.dir
	}
	fmt.Fprintf(w, "\nThe sample story (another terminal, in this folder; each file gets new message IDs on every start of dev,\nso sending a file a second time is a repeat: the gateway answers with the first receipt):\n")
	for i, s := range devenv.Story {
		fmt.Fprintf(w, "  %d. %s\n     go run ./cmd/uifsagw send%s --as %s %s\n", i+1, s.Says, dirFlag, s.Partner,
			filepath.Join(b.dir, "samples", s.File))
	}
	fmt.Fprintf(w, "  %d. Acme fetches its IWO and acknowledges it\n     go run ./cmd/uifsagw inbox%s --as acme --ack --accept-iwos\n", len(devenv.Story)+1, dirFlag)
	fmt.Fprintf(w, "\nCSENet 2000 files (check one first with: go run ./cmd/uifsagw validate FILE):\n")
	for _, s := range devenv.FileSamples {
		fmt.Fprintf(w, "  - %s\n     go run ./cmd/uifsagw send%s --as %s %s\n", s.Says, dirFlag, s.Partner, filepath.Join(b.dir, "samples", s.File))
	}
	fmt.Fprintf(w, `
What to look at (http://%s/, sign in as Casey Caseworker, then as Sam Supervisor):
  - the queue: step 2 and step 3 wait in review ("existing order", "controlling order");
    Sam confirms which order controls and both states are told
  - the message of step 2: our answer to New Jersey shows "delivered", with New Jersey's verified receipt
  - the message of step 4: the IWO to Acme, then Acme's acknowledgment
  - nothing in the dead-letter view

Staff API as Casey Caseworker:
  curl -H "Authorization: Bearer %s" http://%s/api/messages

`, staff, b.token, staff)
}
