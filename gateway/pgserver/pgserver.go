// Package pgserver runs a private PostgreSQL server from the machine's own
// binaries: the throwaway server of the test harness (gateway/pgtest) and the
// all-in-one local database of `uifsagw dev`.
//
// The server keeps its data directory and its Unix socket in one directory of
// its own, listens on TCP only when asked (and then only on loopback), runs
// with fsync on, and trusts every local connection: it is for development and
// tests, never for production data.
//
// When the calling process is root, initdb and postgres run as an unprivileged
// system user (postgres by default) because PostgreSQL refuses to run as root.
package pgserver

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/uifsagw/uifsagw/gateway/exchange/admin"
)

// MinMajorVersion is the oldest PostgreSQL the gateway supports.
const MinMajorVersion = 15

// Options says where and how to run the server. Only Dir is required.
type Options struct {
	// Dir holds everything the server owns: the data directory (Dir/data),
	// the server log (Dir/postgres.log) and, by default, the Unix socket. An
	// existing, initialised data directory is reused, so `uifsagw dev` keeps
	// its data between runs.
	Dir string
	// Socket is the directory of the Unix socket; default Dir. Its path plus
	// "/.s.PGSQL.<port>" must fit in 107 bytes.
	Socket string
	// Port names the socket file and, with TCP, the loopback port. Zero
	// means 5432 without TCP and a free port with TCP.
	Port int
	// TCP makes the server also listen on 127.0.0.1:Port.
	TCP bool
	// BinDir holds initdb and postgres; default: the highest version found
	// on PATH or under /usr/lib/postgresql/*/bin and /usr/pgsql-*/bin.
	BinDir string
	// Superuser is the database superuser role initdb creates; default "postgres".
	Superuser string
	// OSUser is the system user the server runs as when this process is
	// root; default "postgres". Ignored when not root.
	OSUser string
	// SharedBuffers is shared_buffers; default "32MB" (tests start many
	// servers on small machines).
	SharedBuffers string
	// Settings are extra server settings, passed as -c name=value.
	Settings map[string]string
	// FastInit runs initdb --no-sync. Only initdb's own final flush is
	// skipped; the running server still fsyncs, so durability tests hold.
	FastInit bool
	// Log receives the server's output; default the file Dir/postgres.log.
	Log io.Writer
	// StartTimeout bounds how long Start waits for the server to accept
	// connections; default 60s.
	StartTimeout time.Duration
}

// Server is a running PostgreSQL server started by Start.
type Server struct {
	opts    Options
	dataDir string
	cmd     *exec.Cmd
	done    chan struct{} // closed when the postmaster has exited
	waitErr error         // set before done is closed
	logFile *os.File

	stopOnce sync.Once
	stopErr  error
}

// ErrNoBinaries says no usable PostgreSQL installation was found.
var ErrNoBinaries = errors.New("pgserver: no PostgreSQL binaries (initdb, postgres) found")

// Start initialises the data directory if it is new, starts postgres and
// waits until it accepts connections. ctx bounds the start only; the server
// runs until Stop. The caller must call Stop.
func Start(ctx context.Context, opts Options) (*Server, error) {
	if opts.Dir == "" {
		return nil, errors.New("pgserver: Options.Dir is required")
	}
	dir, err := filepath.Abs(opts.Dir)
	if err != nil {
		return nil, fmt.Errorf("pgserver: %w", err)
	}
	opts.Dir = dir
	if opts.Socket == "" {
		opts.Socket = dir
	}
	if opts.Superuser == "" {
		opts.Superuser = "postgres"
	}
	if opts.OSUser == "" {
		opts.OSUser = "postgres"
	}
	if opts.SharedBuffers == "" {
		opts.SharedBuffers = "32MB"
	}
	if opts.StartTimeout <= 0 {
		opts.StartTimeout = 60 * time.Second
	}
	if opts.Port == 0 {
		if opts.TCP {
			p, err := freePort()
			if err != nil {
				return nil, err
			}
			opts.Port = p
		} else {
			opts.Port = 5432
		}
	}
	sock := filepath.Join(opts.Socket, ".s.PGSQL."+strconv.Itoa(opts.Port))
	if len(sock) > 107 {
		return nil, fmt.Errorf("pgserver: socket path %s is longer than the 107 bytes Unix allows; choose a shorter Dir or Socket", sock)
	}
	if opts.BinDir == "" {
		if opts.BinDir, err = FindBinDir(); err != nil {
			return nil, err
		}
	}

	var cred *syscall.Credential
	if os.Geteuid() == 0 {
		if cred, err = lookupCredential(opts.OSUser); err != nil {
			return nil, err
		}
	}
	if strings.HasPrefix(opts.Dir, RootBase+string(filepath.Separator)) {
		if err := EnsureRootBase(); err != nil {
			return nil, err
		}
	}
	for _, d := range []string{opts.Dir, opts.Socket} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return nil, fmt.Errorf("pgserver: %w", err)
		}
		if cred != nil {
			if err := os.Chown(d, int(cred.Uid), int(cred.Gid)); err != nil {
				return nil, fmt.Errorf("pgserver: give %s to %s: %w", d, opts.OSUser, err)
			}
		}
	}

	s := &Server{opts: opts, dataDir: filepath.Join(opts.Dir, "data"), done: make(chan struct{})}
	if _, err := os.Stat(filepath.Join(s.dataDir, "PG_VERSION")); errors.Is(err, os.ErrNotExist) {
		if err := s.initdb(ctx, cred); err != nil {
			return nil, err
		}
	} else if err != nil {
		return nil, fmt.Errorf("pgserver: %w", err)
	}

	logw := opts.Log
	if logw == nil {
		f, err := os.OpenFile(s.LogPath(), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
		if err != nil {
			return nil, fmt.Errorf("pgserver: server log: %w", err)
		}
		s.logFile, logw = f, f
	}
	if err := s.launch(cred, logw); err != nil {
		s.closeLog()
		return nil, err
	}
	if err := s.waitReady(ctx); err != nil {
		_ = s.Stop()
		return nil, err
	}
	return s, nil
}

func (s *Server) initdb(ctx context.Context, cred *syscall.Credential) error {
	args := []string{
		"-D", s.dataDir, "-U", s.opts.Superuser,
		"--auth=trust", "--encoding=UTF8", "--locale=C", "--no-instructions",
	}
	if s.opts.FastInit {
		args = append(args, "--no-sync")
	}
	cmd := exec.CommandContext(ctx, filepath.Join(s.opts.BinDir, "initdb"), args...)
	cmd.Dir = s.opts.Dir
	cmd.Env = childEnv()
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	out, err := cmd.CombinedOutput()
	if err != nil {
		hint := ""
		if cred != nil {
			hint = fmt.Sprintf(" (initdb runs as %s: every parent of %s must be searchable by that user)", s.opts.OSUser, s.opts.Dir)
		}
		return fmt.Errorf("pgserver: initdb%s: %w\n%s", hint, err, bytes.TrimSpace(out))
	}
	return nil
}

func (s *Server) launch(cred *syscall.Credential, logw io.Writer) error {
	listen := ""
	if s.opts.TCP {
		listen = "127.0.0.1"
	}
	settings := map[string]string{
		"listen_addresses":        listen,
		"unix_socket_directories": s.opts.Socket,
		"port":                    strconv.Itoa(s.opts.Port),
		"fsync":                   "on",
		"synchronous_commit":      "on",
		"full_page_writes":        "on",
		"shared_buffers":          s.opts.SharedBuffers,
		"max_connections":         "200",
		"logging_collector":       "off",
		"timezone":                "UTC",
		"log_timezone":            "UTC",
	}
	for k, v := range s.opts.Settings {
		settings[k] = v
	}
	keys := make([]string, 0, len(settings))
	for k := range settings {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	args := []string{"-D", s.dataDir}
	for _, k := range keys {
		args = append(args, "-c", k+"="+settings[k])
	}
	cmd := exec.Command(filepath.Join(s.opts.BinDir, "postgres"), args...)
	cmd.Dir = s.opts.Dir
	cmd.Env = childEnv()
	cmd.Stdout, cmd.Stderr = logw, logw
	cmd.SysProcAttr = sysProcAttr(cred)
	s.cmd = cmd

	started := make(chan error, 1)
	go func() {
		// The thread stays locked until the server exits so that Pdeathsig
		// follows the lifetime of this process, not of an arbitrary thread.
		lockThread()
		defer unlockThread()
		if err := cmd.Start(); err != nil {
			started <- fmt.Errorf("pgserver: start postgres: %w", err)
			close(s.done)
			return
		}
		started <- nil
		s.waitErr = cmd.Wait()
		close(s.done)
	}()
	return <-started
}

func (s *Server) waitReady(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, s.opts.StartTimeout)
	defer cancel()
	var last error
	for {
		select {
		case <-s.done:
			return fmt.Errorf("pgserver: postgres exited during start (%v); log %s:\n%s", s.waitErr, s.LogPath(), s.logTail())
		default:
		}
		cctx, ccancel := context.WithTimeout(ctx, 2*time.Second)
		err := admin.Ping(cctx, s.URL())
		ccancel()
		if err == nil {
			return nil
		}
		last = err
		select {
		case <-ctx.Done():
			return fmt.Errorf("pgserver: postgres not ready: %w (last attempt: %v)", ctx.Err(), last)
		case <-s.done:
		case <-time.After(25 * time.Millisecond):
		}
	}
}

// Stop shuts the server down (fast shutdown: open sessions are rolled back,
// then a checkpoint) and waits for it to exit; it escalates to immediate
// shutdown and finally SIGKILL if the server does not stop in time. Stop is
// safe to call more than once.
func (s *Server) Stop() error {
	s.stopOnce.Do(func() {
		defer s.closeLog()
		if s.cmd == nil || s.cmd.Process == nil {
			return
		}
		steps := []struct {
			sig  syscall.Signal
			wait time.Duration
		}{{syscall.SIGINT, 60 * time.Second}, {syscall.SIGQUIT, 10 * time.Second}}
		for _, st := range steps {
			select {
			case <-s.done:
				return
			default:
			}
			_ = s.cmd.Process.Signal(st.sig)
			select {
			case <-s.done:
				return
			case <-time.After(st.wait):
			}
		}
		// The whole process group: backends must not outlive a killed postmaster.
		_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
		<-s.done
		s.stopErr = fmt.Errorf("pgserver: postgres did not shut down; killed")
	})
	return s.stopErr
}

// Done is closed when the server process has exited.
func (s *Server) Done() <-chan struct{} { return s.done }

// URL is the connection URL of the superuser to the "postgres" database over
// the Unix socket.
func (s *Server) URL() string { return s.URLFor("postgres") }

// URLFor is the Unix socket connection URL of the superuser to database db.
func (s *Server) URLFor(db string) string {
	q := url.Values{}
	q.Set("host", s.opts.Socket)
	q.Set("port", strconv.Itoa(s.opts.Port))
	q.Set("user", s.opts.Superuser)
	q.Set("sslmode", "disable")
	return (&url.URL{Scheme: "postgres", Path: "/" + db, RawQuery: q.Encode()}).String()
}

// TCPURL is the loopback TCP URL of the superuser to database db, or "" when
// the server does not listen on TCP.
func (s *Server) TCPURL(db string) string {
	if !s.opts.TCP {
		return ""
	}
	return (&url.URL{
		Scheme:   "postgres",
		User:     url.User(s.opts.Superuser),
		Host:     net.JoinHostPort("127.0.0.1", strconv.Itoa(s.opts.Port)),
		Path:     "/" + db,
		RawQuery: "sslmode=disable",
	}).String()
}

// Dir is the server's own directory (Options.Dir).
func (s *Server) Dir() string { return s.opts.Dir }

// DataDir is the PostgreSQL data directory.
func (s *Server) DataDir() string { return s.dataDir }

// LogPath is the server log file (meaningful when Options.Log was nil).
func (s *Server) LogPath() string { return filepath.Join(s.opts.Dir, "postgres.log") }

// Port is the port the server uses (the socket name, and TCP when enabled).
func (s *Server) Port() int { return s.opts.Port }

// PID is the postmaster's process id.
func (s *Server) PID() int {
	if s.cmd == nil || s.cmd.Process == nil {
		return 0
	}
	return s.cmd.Process.Pid
}

func (s *Server) closeLog() {
	if s.logFile != nil {
		_ = s.logFile.Close()
		s.logFile = nil
	}
}

func (s *Server) logTail() string {
	b, err := os.ReadFile(s.LogPath())
	if err != nil {
		return "(no log)"
	}
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(b)
}

// childEnv is a small, predictable environment: the server must not pick up
// the caller's PG* variables or locale.
func childEnv() []string {
	return []string{"PATH=" + os.Getenv("PATH"), "LC_ALL=C", "LANG=C", "TZ=UTC"}
}

func lookupCredential(name string) (*syscall.Credential, error) {
	u, err := user.Lookup(name)
	if err != nil {
		return nil, fmt.Errorf("pgserver: running as root, PostgreSQL must run as an unprivileged user: %w", err)
	}
	uid, err := strconv.ParseUint(u.Uid, 10, 32)
	if err != nil {
		return nil, fmt.Errorf("pgserver: uid of %s: %w", name, err)
	}
	gid, err := strconv.ParseUint(u.Gid, 10, 32)
	if err != nil {
		return nil, fmt.Errorf("pgserver: gid of %s: %w", name, err)
	}
	if uid == 0 {
		return nil, fmt.Errorf("pgserver: OS user %s is root; PostgreSQL refuses to run as root", name)
	}
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), NoSetGroups: false}, nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("pgserver: find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

var versionRE = regexp.MustCompile(`\(PostgreSQL\) (\d+)`)

// MajorVersion runs postgres --version from binDir and returns the major version.
func MajorVersion(binDir string) (int, error) {
	out, err := exec.Command(filepath.Join(binDir, "postgres"), "--version").Output()
	if err != nil {
		return 0, fmt.Errorf("pgserver: %s/postgres --version: %w", binDir, err)
	}
	m := versionRE.FindSubmatch(out)
	if m == nil {
		return 0, fmt.Errorf("pgserver: unrecognised version %q", bytes.TrimSpace(out))
	}
	return strconv.Atoi(string(m[1]))
}

// FindBinDir returns the directory of the newest PostgreSQL (at least
// MinMajorVersion) that has both initdb and postgres, looking on PATH and in
// the usual Debian and RPM locations.
func FindBinDir() (string, error) {
	var cands []string
	if p, err := exec.LookPath("postgres"); err == nil {
		if r, err := filepath.EvalSymlinks(p); err == nil {
			p = r
		}
		cands = append(cands, filepath.Dir(p))
	}
	for _, pat := range []string{"/usr/lib/postgresql/*/bin", "/usr/pgsql-*/bin"} {
		m, _ := filepath.Glob(pat)
		cands = append(cands, m...)
	}
	best, bestV := "", 0
	seen := map[string]bool{}
	for _, d := range cands {
		if seen[d] {
			continue
		}
		seen[d] = true
		if !isExec(filepath.Join(d, "initdb")) || !isExec(filepath.Join(d, "postgres")) {
			continue
		}
		v, err := MajorVersion(d)
		if err != nil || v < MinMajorVersion {
			continue
		}
		if v > bestV {
			best, bestV = d, v
		}
	}
	if best == "" {
		return "", fmt.Errorf("%w (need version %d or later on PATH or under /usr/lib/postgresql)", ErrNoBinaries, MinMajorVersion)
	}
	return best, nil
}

func isExec(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0
}

// ReadPIDFile returns the postmaster pid recorded in a data directory, or 0
// when there is none. pgtest uses it to recognise servers left by killed runs.
func ReadPIDFile(dataDir string) int {
	f, err := os.Open(filepath.Join(dataDir, "postmaster.pid"))
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	if !sc.Scan() {
		return 0
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(sc.Text()))
	return pid
}

// RootBase is where servers started by root keep their files when the folder
// the caller asked for is out of the server user's reach (a checkout under
// /root, a private temporary folder): PostgreSQL runs as an unprivileged user
// that must be able to traverse every parent of its data directory.
const RootBase = "/var/lib/uifsagw"

// NeedsRelocation reports whether dir cannot hold a server's files because
// this process is root and the server's OS user (default "postgres") cannot
// search every existing parent of dir. Without root the server runs as the
// caller, who can reach dir by definition.
func NeedsRelocation(dir, osUser string) (bool, error) {
	if os.Geteuid() != 0 {
		return false, nil
	}
	if osUser == "" {
		osUser = "postgres"
	}
	cred, err := lookupCredential(osUser)
	if err != nil {
		return false, err
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return false, err
	}
	return !searchable(abs, cred.Uid, cred.Gid), nil
}

// searchable reports whether uid/gid may traverse every existing ancestor of
// path (path itself included when it exists). It reads the permission bits
// only: supplementary groups and ACLs are not consulted, which errs towards
// relocating.
func searchable(path string, uid, gid uint32) bool {
	for p := path; ; p = filepath.Dir(p) {
		fi, err := os.Stat(p)
		if err == nil {
			st, ok := fi.Sys().(*syscall.Stat_t)
			if !ok {
				return true
			}
			m := fi.Mode().Perm()
			var can bool
			switch {
			case st.Uid == uid:
				can = m&0o100 != 0
			case st.Gid == gid:
				can = m&0o010 != 0
			default:
				can = m&0o001 != 0
			}
			if !can {
				return false
			}
		}
		if p == filepath.Dir(p) {
			return true
		}
	}
}

// RootDir is the folder under RootBase that stands in for dir: named after
// dir's last element and a hash of its absolute path, so each installation
// (or test run) gets its own, the same one on every run, and a short enough
// path for the Unix socket.
func RootDir(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256([]byte(abs))
	name := nonName.ReplaceAllString(filepath.Base(filepath.Dir(abs))+"-"+filepath.Base(abs), "_")
	if len(name) > 32 {
		name = name[len(name)-32:]
	}
	return filepath.Join(RootBase, name+"-"+hex.EncodeToString(sum[:6])), nil
}

var nonName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// EnsureRootBase creates RootBase (root-owned, world-searchable so the server
// user can reach its own folder inside it).
func EnsureRootBase() error {
	if err := os.MkdirAll(RootBase, 0o755); err != nil {
		return fmt.Errorf("pgserver: %w", err)
	}
	return os.Chmod(RootBase, 0o755)
}
