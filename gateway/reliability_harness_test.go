package gateway_test

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwk"

	"github.com/uifsagw/uifsagw/gateway/courier"
	"github.com/uifsagw/uifsagw/gateway/devenv"
	"github.com/uifsagw/uifsagw/gateway/pki"
	"github.com/uifsagw/uifsagw/gateway/signing"
)

// receiver plays a partner gateway that gateways push to: it takes
// POST /v1/messages over mTLS, checks the gateway's JWS, and answers with a
// receipt signed by the partner's key. Like a real gateway it is idempotent
// by message id: a repeat gets the first receipt again, so a message posted
// twice (a sender killed between post and record) counts once in effect.
type receiver struct {
	ln     net.Listener
	srv    *http.Server
	signer *signing.Signer
	keys   jwk.Set // the sending gateway's published keys

	mu       sync.Mutex
	mode     string // "ok", "fail", "slow"
	delay    time.Duration
	posts    map[string][]time.Time // every post by message id
	receipts map[string]string
	bad      []string // posts that did not verify
}

// listenReceiver binds the receiver's port before the installation is
// generated, so the partner entry can name its endpoint.
func listenReceiver(t *testing.T) *receiver {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return &receiver{ln: ln, mode: "ok", posts: map[string][]time.Time{}, receipts: map[string]string{}}
}

func (rv *receiver) URL() string { return "https://" + rv.ln.Addr().String() }

// serve starts answering with cert as server certificate and the partner's
// signing key from jwkFile; gwJWKS verifies what the gateway sends.
func (rv *receiver) serve(t *testing.T, cert tls.Certificate, jwkFile, gwJWKS string) {
	t.Helper()
	k, err := signing.LoadPrivateKey(jwkFile)
	if err != nil {
		t.Fatal(err)
	}
	if rv.signer, err = signing.NewSigner(k); err != nil {
		t.Fatal(err)
	}
	if rv.keys, err = signing.LoadKeySet(gwJWKS); err != nil {
		t.Fatal(err)
	}
	rv.srv = &http.Server{Handler: http.HandlerFunc(rv.handle), ReadHeaderTimeout: 5 * time.Second,
		TLSConfig: &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{cert},
			ClientAuth: tls.RequireAnyClientCert}}
	go func() { _ = rv.srv.ServeTLS(rv.ln, "", "") }()
	t.Cleanup(func() { _ = rv.srv.Close() })
}

func (rv *receiver) set(mode string, delay time.Duration) {
	rv.mu.Lock()
	rv.mode, rv.delay = mode, delay
	rv.mu.Unlock()
}

func (rv *receiver) handle(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 2<<20))
	if err != nil {
		http.Error(w, "read", http.StatusBadRequest)
		return
	}
	claims, verr := signing.Verifier{Window: 5 * time.Minute}.VerifyDetached(r.Header.Get("JWS-Signature"), body, rv.keys, time.Now())
	rv.mu.Lock()
	mode, delay := rv.mode, rv.delay
	if verr != nil {
		rv.bad = append(rv.bad, verr.Error())
		rv.mu.Unlock()
		http.Error(w, `{"error":{"code":"signature_invalid","message":"bad signature"}}`, http.StatusUnauthorized)
		return
	}
	id := claims.JTI
	rv.posts[id] = append(rv.posts[id], time.Now())
	rv.mu.Unlock()

	switch mode {
	case "fail":
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = w.Write([]byte(`{"error":{"code":"internal","message":"down for maintenance"}}`))
		return
	case "slow":
		select {
		case <-time.After(delay):
		case <-r.Context().Done():
			return
		}
	default:
		if delay > 0 {
			time.Sleep(delay) // the partner's latency under test, not a wait for a state
		}
	}
	rv.mu.Lock()
	rc, repeat := rv.receipts[id]
	if !repeat {
		rc, err = rv.signer.SignReceipt(signing.Receipt{ID: "rcpt-" + id, Partner: "gateway", MessageID: id,
			BodySHA256: signing.BodyDigest(body), ReceivedAt: time.Now().UTC(), Issuer: "test-partner"}, time.Now())
		if err == nil {
			rv.receipts[id] = rc
		}
	}
	rv.mu.Unlock()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	status := http.StatusAccepted
	if repeat {
		status = http.StatusOK
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"status": "received", "messageId": id, "receiptId": "rcpt-" + id,
		"receivedAt": time.Now().UTC(), "repeat": repeat, "receipt": rc})
}

// seen returns how many times each message id was posted.
func (rv *receiver) seen() map[string]int {
	rv.mu.Lock()
	defer rv.mu.Unlock()
	out := make(map[string]int, len(rv.posts))
	for id, ts := range rv.posts {
		out[id] = len(ts)
	}
	return out
}

func (rv *receiver) times(id string) []time.Time {
	rv.mu.Lock()
	defer rv.mu.Unlock()
	return append([]time.Time(nil), rv.posts[id]...)
}

func (rv *receiver) badSignatures() []string {
	rv.mu.Lock()
	defer rv.mu.Unlock()
	return append([]string(nil), rv.bad...)
}

// clientPair loads a sample partner's client certificate from an installation.
func clientPair(t *testing.T, l devenv.Layout, id string) tls.Certificate {
	t.Helper()
	cert, key, _ := l.Client(id)
	pair, err := tls.LoadX509KeyPair(cert, key)
	if err != nil {
		t.Fatal(err)
	}
	return pair
}

// partnerClient is a courier client for sample partner id against baseURL,
// verifying receipts with the installation's gateway keys.
func partnerClient(t *testing.T, l devenv.Layout, id, baseURL string) *courier.Client {
	t.Helper()
	_, _, jwkFile := l.Client(id)
	caFile, _ := l.CA()
	roots, err := pki.ReadCertPool(caFile)
	if err != nil {
		t.Fatal(err)
	}
	k, err := signing.LoadPrivateKey(jwkFile)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := signing.NewSigner(k)
	if err != nil {
		t.Fatal(err)
	}
	keys, err := signing.LoadKeySet(l.GatewayJWKS())
	if err != nil {
		t.Fatal(err)
	}
	return &courier.Client{HTTP: courier.NewHTTPClient(clientPair(t, l, id), roots, "", 5*time.Second),
		BaseURL: baseURL, Signer: signer, ServerKeys: keys}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// metricValue sums the samples of a Prometheus metric whose labels include
// every pair in labels, from the staff listener's /metrics.
func metricValue(t *testing.T, staffURL, name string, labels map[string]string) (float64, bool) {
	t.Helper()
	resp, err := http.Get(staffURL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var sum float64
	found := false
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, name+"{") && !strings.HasPrefix(line, name+" ") {
			continue
		}
		ok := true
		for k, v := range labels {
			if !strings.Contains(line, fmt.Sprintf(`%s="%s"`, k, v)) {
				ok = false
			}
		}
		if !ok {
			continue
		}
		f, err := strconv.ParseFloat(line[strings.LastIndexByte(line, ' ')+1:], 64)
		if err == nil {
			sum += f
			found = true
		}
	}
	return sum, found
}

// eventually polls cond every 100ms until it holds or d passes. Its callers
// watch a gateway in another process (readiness) or states no notification
// reports (messages decided after an outage); there is no signal to wait on.
func eventually(d time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(d)
	for {
		if cond() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// gatewayProcess is `uifsagw serve` run as a child process, so it can be
// killed with SIGKILL like a crashed or OOM-killed server.
type gatewayProcess struct {
	t        *testing.T
	bin      string
	config   string
	env      []string
	staffURL string
	logPath  string
	cmd      *exec.Cmd
	exited   chan struct{}
	starts   int
}

var buildOnce struct {
	sync.Once
	dir, bin string
	err      error
	out      []byte
}

// gatewayBinary builds cmd/uifsagw once per test binary (the build cache
// makes later builds cheap anyway).
func gatewayBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		buildOnce.dir, buildOnce.err = os.MkdirTemp("", "uifsagw-bin-")
		if buildOnce.err != nil {
			return
		}
		buildOnce.bin = filepath.Join(buildOnce.dir, "uifsagw")
		cmd := exec.Command("go", "build", "-o", buildOnce.bin, "github.com/uifsagw/uifsagw/cmd/uifsagw")
		buildOnce.out, buildOnce.err = cmd.CombinedOutput()
	})
	if buildOnce.err != nil {
		t.Fatalf("go build: %v\n%s", buildOnce.err, buildOnce.out)
	}
	return buildOnce.bin
}

func (p *gatewayProcess) start() {
	p.t.Helper()
	logf, err := os.OpenFile(p.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		p.t.Fatal(err)
	}
	cmd := exec.Command(p.bin, "serve", "--config", p.config)
	cmd.Env = append(os.Environ(), p.env...)
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		logf.Close()
		p.t.Fatal(err)
	}
	p.cmd, p.exited = cmd, make(chan struct{})
	p.starts++
	go func(c *exec.Cmd, done chan struct{}) { _ = c.Wait(); logf.Close(); close(done) }(cmd, p.exited)
	if !eventually(30*time.Second, func() bool {
		select {
		case <-p.exited:
			return true
		default:
		}
		resp, err := http.Get(p.staffURL + "/readyz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	}) {
		p.t.Fatalf("gateway not ready after 30s; log:\n%s", p.logTail())
	}
	select {
	case <-p.exited:
		p.t.Fatalf("gateway exited on start; log:\n%s", p.logTail())
	default:
	}
}

// kill sends SIGKILL: no shutdown hooks, no flushing, connections cut.
func (p *gatewayProcess) kill() {
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.exited
}

// stop ends the process gracefully (SIGTERM), as an operator would.
func (p *gatewayProcess) stop() {
	select {
	case <-p.exited:
		return
	default:
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(30 * time.Second):
		p.kill()
	}
}

func (p *gatewayProcess) logTail() string {
	b, _ := os.ReadFile(p.logPath)
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(bytes.TrimSpace(b))
}

// searchableTempDir is a test temp dir that the postgres system user can
// reach when the tests run as root (t.TempDir makes its folders 0700).
func searchableTempDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, d := range []string{dir, filepath.Dir(dir)} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}
