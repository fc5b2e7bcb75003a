// Package pgtest gives tests a real PostgreSQL: one throwaway server per test
// binary (started by Main from the package's TestMain) and a fresh database per
// test, cloned from a template database that was migrated once.
//
// With UIFSAGW_TEST_DATABASE_URL set, tests use that existing server instead
// (the URL must be a postgres:// URL of a role allowed to create databases);
// per-test databases are still created there and dropped afterwards.
//
// Usage, in a package's main_test.go:
//
//	func TestMain(m *testing.M) {
//		pgtest.Main(m, pgtest.WithTemplate(func(ctx context.Context, url string) error {
//			return mypkg.MigrateURL(ctx, url)
//		}))
//	}
//
// and in a test: url := pgtest.NewDB(t).
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/uifsagw/uifsagw/gateway/exchange/admin"
	"github.com/uifsagw/uifsagw/gateway/pgserver"
)

// EnvURL names the environment variable that points tests at an existing server.
const EnvURL = "UIFSAGW_TEST_DATABASE_URL"

// dirPrefix marks the directories of private servers so that a later run can
// remove those left behind by a killed test binary.
const dirPrefix = "uifsagw-pg-"

// Server is a PostgreSQL server tests create databases on: a private one
// started by Start, or the external one named by UIFSAGW_TEST_DATABASE_URL.
type Server struct {
	pg       *pgserver.Server // nil for an external server
	dir      string
	adminURL string
	admin    *admin.Server
	prefix   string

	mu       sync.Mutex
	n        int
	template string
	created  map[string]bool
}

// Start starts a private server in a new temporary directory, or connects to
// the server named by UIFSAGW_TEST_DATABASE_URL. The caller must call Stop.
func Start(ctx context.Context) (*Server, error) {
	var rnd [3]byte
	_, _ = rand.Read(rnd[:])
	s := &Server{
		prefix:  fmt.Sprintf("pgtest_%d_%s", os.Getpid(), hex.EncodeToString(rnd[:])),
		created: map[string]bool{},
	}
	if u := os.Getenv(EnvURL); u != "" {
		s.adminURL = u
	} else {
		sweepStale()
		base, err := serverBase()
		if err != nil {
			return nil, fmt.Errorf("pgtest: %w", err)
		}
		dir, err := os.MkdirTemp(base, dirPrefix+"*")
		if err != nil {
			return nil, fmt.Errorf("pgtest: %w", err)
		}
		s.dir = dir
		if err := os.WriteFile(filepath.Join(dir, "owner.pid"), []byte(strconv.Itoa(os.Getpid())), 0o644); err != nil {
			_ = os.RemoveAll(dir)
			return nil, fmt.Errorf("pgtest: %w", err)
		}
		pg, err := pgserver.Start(ctx, pgserver.Options{Dir: dir, FastInit: true, SharedBuffers: "16MB"})
		if err != nil {
			_ = os.RemoveAll(dir)
			return nil, fmt.Errorf("pgtest: %w", err)
		}
		s.pg = pg
		s.adminURL = pg.URL()
	}
	var err error
	if s.admin, err = admin.Connect(ctx, s.adminURL, 4); err != nil {
		_ = s.Stop()
		return nil, fmt.Errorf("pgtest: %w", err)
	}
	return s, nil
}

// Stop drops what this process created on an external server, or stops the
// private server and removes its directory.
func (s *Server) Stop() error {
	var errs []error
	if s.admin != nil {
		if s.pg == nil {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			s.mu.Lock()
			names := make([]string, 0, len(s.created))
			for n := range s.created {
				names = append(names, n)
			}
			tmpl := s.template
			s.mu.Unlock()
			for _, n := range names {
				errs = append(errs, s.drop(ctx, n))
			}
			if tmpl != "" {
				errs = append(errs, s.admin.MarkTemplate(ctx, tmpl, false), s.drop(ctx, tmpl))
			}
			cancel()
		}
		s.admin.Close()
		s.admin = nil
	}
	if s.pg != nil {
		errs = append(errs, s.pg.Stop())
		s.pg = nil
	}
	if s.dir != "" {
		errs = append(errs, os.RemoveAll(s.dir))
		s.dir = ""
	}
	return errors.Join(errs...)
}

// AdminURL is a superuser (or database-creating role) URL to the server's
// maintenance database.
func (s *Server) AdminURL() string { return s.adminURL }

// URLFor returns the server URL with the database replaced by db.
func (s *Server) URLFor(db string) string {
	u, err := url.Parse(s.adminURL)
	if err != nil {
		// Start parsed the same URL already; this cannot happen.
		panic(fmt.Sprintf("pgtest: admin URL: %v", err))
	}
	u.Path = "/" + db
	u.RawPath = ""
	return u.String()
}

// SetupTemplate creates a template database and runs setup (typically
// migrations) on it once; later CreateDatabase(ctx, true) calls clone it.
func (s *Server) SetupTemplate(ctx context.Context, setup func(ctx context.Context, url string) error) error {
	name := s.prefix + "_tmpl"
	if err := s.admin.CreateDatabase(ctx, name, ""); err != nil {
		return fmt.Errorf("pgtest: create template: %w", err)
	}
	s.mu.Lock()
	s.template = name
	s.mu.Unlock()
	if err := setup(ctx, s.URLFor(name)); err != nil {
		return fmt.Errorf("pgtest: set up template: %w", err)
	}
	// Cloning fails while anyone is connected to the template; forbidding
	// connections makes a stray pool in setup show up here, not in every test.
	if err := s.admin.MarkTemplate(ctx, name, true); err != nil {
		return fmt.Errorf("pgtest: mark template: %w", err)
	}
	return nil
}

// CreateDatabase creates a new database, a clone of the template when
// fromTemplate is true and SetupTemplate ran, else an empty one.
func (s *Server) CreateDatabase(ctx context.Context, fromTemplate bool) (name, dbURL string, err error) {
	s.mu.Lock()
	s.n++
	name = fmt.Sprintf("%s_%d", s.prefix, s.n)
	tmpl := s.template
	s.mu.Unlock()
	from := "template0"
	if fromTemplate {
		if tmpl == "" {
			return "", "", errors.New("pgtest: no template database; pass WithTemplate to Main")
		}
		from = tmpl
	}
	if err := s.admin.CreateDatabase(ctx, name, from); err != nil {
		return "", "", fmt.Errorf("pgtest: %w", err)
	}
	s.mu.Lock()
	s.created[name] = true
	s.mu.Unlock()
	return name, s.URLFor(name), nil
}

// DropDatabase drops a database made by CreateDatabase, disconnecting any
// session still using it.
func (s *Server) DropDatabase(ctx context.Context, name string) error {
	err := s.drop(ctx, name)
	if err == nil {
		s.mu.Lock()
		delete(s.created, name)
		s.mu.Unlock()
	}
	return err
}

func (s *Server) drop(ctx context.Context, name string) error {
	if err := s.admin.DropDatabase(ctx, name); err != nil {
		return fmt.Errorf("pgtest: %w", err)
	}
	return nil
}

// serverBase is the folder private servers are made in: the temporary folder,
// unless the tests run as root with a temporary folder the postgres user
// cannot traverse (TMPDIR under /root, a private mktemp -d folder); then
// pgserver.RootBase, which that user can reach.
func serverBase() (string, error) {
	move, err := pgserver.NeedsRelocation(os.TempDir(), "")
	if err != nil || !move {
		return os.TempDir(), err
	}
	return pgserver.RootBase, pgserver.EnsureRootBase()
}

// sweepStale removes directories of private servers whose test binary died
// without cleaning up (a SIGKILL, a timeout panic). Their postgres died with
// them through the parent-death signal; only the files remain. A directory
// whose postmaster is still alive is left alone.
func sweepStale() {
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), dirPrefix+"*"))
	more, _ := filepath.Glob(filepath.Join(pgserver.RootBase, dirPrefix+"*"))
	dirs = append(dirs, more...)
	for _, d := range dirs {
		b, err := os.ReadFile(filepath.Join(d, "owner.pid"))
		if err != nil {
			continue
		}
		owner, err := strconv.Atoi(string(b))
		if err != nil || alive(owner) {
			continue
		}
		if pm := pgserver.ReadPIDFile(filepath.Join(d, "data")); pm != 0 && alive(pm) {
			continue
		}
		_ = os.RemoveAll(d)
	}
}

func alive(pid int) bool {
	if pid <= 0 {
		return false
	}
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

var (
	sharedMu sync.Mutex
	shared   *Server
)

// Option configures Main.
type Option func(*mainConfig)

type mainConfig struct {
	template func(ctx context.Context, url string) error
}

// WithTemplate runs setup once on a template database; NewDB then hands each
// test a clone of it.
func WithTemplate(setup func(ctx context.Context, url string) error) Option {
	return func(c *mainConfig) { c.template = setup }
}

// Main starts the package's server, runs the tests, stops the server and
// exits. Call it from TestMain.
func Main(m *testing.M, opts ...Option) {
	os.Exit(run(m, opts))
}

func run(m *testing.M, opts []Option) int {
	var cfg mainConfig
	for _, o := range opts {
		o(&cfg)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	srv, err := Start(ctx)
	if err != nil {
		cancel()
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer func() {
		if err := srv.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, err)
		}
	}()
	if cfg.template != nil {
		if err := srv.SetupTemplate(ctx, cfg.template); err != nil {
			cancel()
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
	}
	cancel()
	sharedMu.Lock()
	shared = srv
	sharedMu.Unlock()
	return m.Run()
}

// Shared returns the server Main started; it fails the test if Main did not run.
func Shared(t testing.TB) *Server {
	t.Helper()
	sharedMu.Lock()
	defer sharedMu.Unlock()
	if shared == nil {
		t.Fatal("pgtest: no server; call pgtest.Main from TestMain")
	}
	return shared
}

// NewDB returns the URL of a new database cloned from the template (see
// WithTemplate); it is dropped when the test ends.
func NewDB(t testing.TB) string {
	t.Helper()
	return newDB(t, true)
}

// NewEmptyDB returns the URL of a new, empty database, dropped when the test ends.
func NewEmptyDB(t testing.TB) string {
	t.Helper()
	return newDB(t, false)
}

func newDB(t testing.TB, fromTemplate bool) string {
	t.Helper()
	srv := Shared(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	name, u, err := srv.CreateDatabase(ctx, fromTemplate)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := srv.DropDatabase(ctx, name); err != nil {
			t.Error(err)
		}
	})
	return u
}
