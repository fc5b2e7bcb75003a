package gateway_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/lestrrat-go/jwx/v3/jws"

	"github.com/uifsagw/uifsagw/gateway"
	"github.com/uifsagw/uifsagw/gateway/courier"
	"github.com/uifsagw/uifsagw/gateway/devenv"
	"github.com/uifsagw/uifsagw/gateway/gatewaytest"
	"github.com/uifsagw/uifsagw/gateway/pgtest"
	"github.com/uifsagw/uifsagw/gateway/pki"
	"github.com/uifsagw/uifsagw/gateway/signing"
	"github.com/uifsagw/uifsagw/partners"
	"github.com/uifsagw/uifsagw/schemas/canonical"
)

// hostileEnv is one running gateway and the means to attack it: raw HTTP
// clients with each kind of certificate and the partners' private signing
// keys, so requests can be forged byte by byte.
type hostileEnv struct {
	g        *gatewaytest.Gateway
	pool     *pgxpool.Pool
	roots    *x509.CertPool
	njPair   tls.Certificate
	nj, pa   *http.Client
	noCert   *http.Client
	stranger *http.Client
	expired  *http.Client
	njKey    jwk.Key
	paKey    jwk.Key
	good     *courier.Client
}

// reply is what one hostile request produced: an HTTP answer, or a transport
// error when the connection was refused or closed.
type reply struct {
	status int
	code   string
	body   []byte
	err    error
	// sent is the body the case posted, for checks on what was stored.
	sent []byte
}

const (
	hostileReadHeaderTimeout = 700 * time.Millisecond
	hostileReadTimeout       = 2 * time.Second
)

func newHostileEnv(t *testing.T) *hostileEnv {
	t.Helper()
	url := pgtest.NewDB(t)
	l := gatewaytest.Prepare(t, gatewaytest.Options{})
	h := &hostileEnv{}

	// A partner whose only certificate has expired: the pin is known, so the
	// refusal must name the expiry rather than an unknown key.
	caCert, caKey := l.CA()
	ca, err := pki.LoadCA(caCert, caKey)
	if err != nil {
		t.Fatal(err)
	}
	leaf, key, err := ca.Issue("expired", []string{"localhost"}, nil, pki.Usage{Client: true}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	old, _, err := ca.IssueFor("expired", key, []string{"localhost"}, nil, pki.Usage{Client: true},
		time.Now().Add(-60*24*time.Hour), time.Now().Add(-30*24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	_ = leaf
	if err := pki.WriteCert(filepath.Join(l.PartnersDir(), "certs", "expired.pem"), old); err != nil {
		t.Fatal(err)
	}
	p := partners.Partner{ID: "expired", Kind: partners.KindState, Name: "Connecticut (expired certificate)", StateFIPS: "09",
		Format: "xml-transaction/1", Delivery: partners.DeliverPull,
		TLS:      partners.TLS{CertFiles: []string{"certs/expired.pem"}, ServerName: "localhost"},
		JWKSFile: "keys/nj.jwks.json"}
	b, err := partners.Marshal(&p)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(l.PartnersDir(), "expired.yaml"), b)

	h.g = gatewaytest.Start(t, l, gatewaytest.Listen(t), gatewaytest.Options{DatabaseURL: url,
		Configure: func(c *gateway.Config) {
			c.Limits.ReadHeaderTimeout = hostileReadHeaderTimeout
			c.Limits.ReadTimeout = hostileReadTimeout
		}})
	h.pool = dbPool(t, url)

	caFile, _ := l.CA()
	if h.roots, err = pki.ReadCertPool(caFile); err != nil {
		t.Fatal(err)
	}
	load := func(id string) (tls.Certificate, jwk.Key) {
		cert, keyFile, jwkFile := l.Client(id)
		pair, err := tls.LoadX509KeyPair(cert, keyFile)
		if err != nil {
			t.Fatal(err)
		}
		k, err := signing.LoadPrivateKey(jwkFile)
		if err != nil {
			t.Fatal(err)
		}
		return pair, k
	}
	var paPair tls.Certificate
	h.njPair, h.njKey = load("nj")
	paPair, h.paKey = load("pa")
	h.nj = h.httpClient(&h.njPair)
	h.pa = h.httpClient(&paPair)
	h.noCert = h.httpClient(nil)

	other, err := pki.NewCA("Somewhere Else CA", 24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	sc, sk, err := other.Issue("nj", []string{"localhost"}, nil, pki.Usage{Client: true}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	strangerPair := pki.TLSCertificate(sc, sk)
	h.stranger = h.httpClient(&strangerPair)
	expiredPair := pki.TLSCertificate(old, key)
	h.expired = h.httpClient(&expiredPair)
	h.good = h.g.ClientAs("nj")
	return h
}

func (h *hostileEnv) httpClient(cert *tls.Certificate) *http.Client {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12, RootCAs: h.roots}
	if cert != nil {
		cfg.Certificates = []tls.Certificate{*cert}
	}
	return &http.Client{
		Transport: &http.Transport{TLSClientConfig: cfg, ForceAttemptHTTP2: true},
		Timeout:   15 * time.Second,
		// A redirect is an answer in itself; following it would hide it.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// http11 is a client that never negotiates HTTP/2.
func (h *hostileEnv) http11(cert *tls.Certificate) *http.Client {
	c := h.httpClient(cert)
	tr := c.Transport.(*http.Transport)
	tr.ForceAttemptHTTP2 = false
	tr.TLSNextProto = map[string]func(string, *tls.Conn) http.RoundTripper{}
	return c
}

func (h *hostileEnv) do(c *http.Client, method, url string, body io.Reader, hdr map[string]string) reply {
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		return reply{err: err}
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := c.Do(req)
	if err != nil {
		return reply{err: err}
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return reply{status: resp.StatusCode, code: errorCode(b), body: b}
}

func errorCode(b []byte) string {
	var env struct {
		Error struct {
			Code string `json:"code"`
		} `json:"error"`
	}
	if json.Unmarshal(b, &env) == nil {
		return env.Error.Code
	}
	return ""
}

// post sends body to /v1/messages with a signature header (omitted when sig is empty).
func (h *hostileEnv) post(c *http.Client, body []byte, contentType, sig string) reply {
	hdr := map[string]string{"Content-Type": contentType, "Accept": "application/json"}
	if sig != "" {
		hdr["JWS-Signature"] = sig
	}
	return h.do(c, http.MethodPost, h.g.PartnerURL()+"/v1/messages", bytes.NewReader(body), hdr)
}

func (h *hostileEnv) postNJ(body []byte, sig string) reply {
	return h.post(h.nj, body, "application/xml", sig)
}

// sign makes a detached JWS over body with key; set overrides protected
// header fields (a nil value removes the field).
func sign(t *testing.T, key jwk.Key, body []byte, jti string, set map[string]any) string {
	t.Helper()
	hd := jws.NewHeaders()
	_ = hd.Set(jws.KeyIDKey, signing.KeyID(key))
	_ = hd.Set("iat", time.Now().Unix())
	_ = hd.Set("jti", jti)
	for k, v := range set {
		if v == nil {
			_ = hd.Remove(k)
			continue
		}
		if err := hd.Set(k, v); err != nil {
			t.Fatal(err)
		}
	}
	out, err := jws.Sign(nil, jws.WithKey(algOf(key), key, jws.WithProtectedHeaders(hd)), jws.WithDetachedPayload(body))
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

func algOf(key jwk.Key) jwa.SignatureAlgorithm {
	switch key.KeyType() {
	case jwa.RSA():
		return jwa.PS256()
	case jwa.OKP():
		return jwa.EdDSA()
	}
	return jwa.ES256()
}

// forge builds a compact detached JWS by hand, with a header no library
// would let us sign (alg none, HMAC keyed with a public key).
func forge(header map[string]any, body []byte, mac func(input []byte) []byte) string {
	hb, _ := json.Marshal(header)
	h64 := base64.RawURLEncoding.EncodeToString(hb)
	input := []byte(h64 + "." + base64.RawURLEncoding.EncodeToString(body))
	sig := ""
	if mac != nil {
		sig = base64.RawURLEncoding.EncodeToString(mac(input))
	}
	return h64 + ".." + sig
}

func est(t *testing.T, id string, mut func(*canonical.Transaction)) []byte {
	t.Helper()
	tx := devenv.SampleEST(id, today())
	if mut != nil {
		mut(&tx)
	}
	return encode(t, tx, "xml-transaction/1")
}

func csiJSON(t *testing.T, id string) []byte {
	t.Helper()
	return encode(t, devenv.SampleCSI(id, today()), "json-transaction/1")
}

// validNJ returns a valid EST from nj and its signature.
func (h *hostileEnv) validNJ(t *testing.T, prefix string) (string, []byte, string) {
	id := gatewaytest.MustMessageID(prefix)
	body := est(t, id, nil)
	return id, body, sign(t, h.njKey, body, id, nil)
}

// rawConn opens a TLS connection with nj's certificate speaking HTTP/1.1.
func (h *hostileEnv) rawConn(t *testing.T, addr string) (*tls.Conn, error) {
	t.Helper()
	return tls.DialWithDialer(&net.Dialer{Timeout: 5 * time.Second}, "tcp", addr, &tls.Config{
		MinVersion: tls.VersionTLS12, RootCAs: h.roots, Certificates: []tls.Certificate{h.njPair},
		NextProtos: []string{"http/1.1"}})
}

// trickle writes b to conn in small pieces with a pause between them, while
// a reader waits for the server's answer or its closing of the connection.
// It returns what the server sent and whether the connection ended before
// all of b was written.
func trickle(conn net.Conn, b []byte, piece int, pause, limit time.Duration) (answer []byte, cut bool) {
	done := make(chan []byte, 1)
	go func() {
		var buf bytes.Buffer
		_ = conn.SetReadDeadline(time.Now().Add(limit))
		_, _ = io.Copy(&buf, conn)
		done <- buf.Bytes()
	}()
	for i := 0; i < len(b); i += piece {
		select {
		case ans := <-done:
			return ans, true
		case <-time.After(pause):
		}
		end := min(i+piece, len(b))
		if _, err := conn.Write(b[i:end]); err != nil {
			return <-done, true
		}
	}
	return <-done, false
}

func statusOf(answer []byte) int {
	resp, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(answer)), nil)
	if err != nil {
		return 0
	}
	defer resp.Body.Close()
	return resp.StatusCode
}

// TestHostileRequests throws hostile and malformed requests at a real gateway
// over real mTLS. Every case must be refused with the documented status and
// code, store nothing, record a refusal whenever the request got as far as
// the partner API, and leave the gateway able to take the next good message.
func TestHostileRequests(t *testing.T) {
	h := newHostileEnv(t)
	ctx := context.Background()
	partnerURL := h.g.PartnerURL()

	type hostileCase struct {
		name string
		// setup runs before the counts are taken (e.g. a first message to replay).
		setup func(t *testing.T) string
		run   func(t *testing.T, arg string) reply
		// status 0 expects a transport failure: handshake refused or connection closed.
		status int
		code   string
		// refusal is the code of the refusal row the case must add; "" means none.
		refusal string
		// stored is how many inbound messages the case must add (1 for valid messages).
		stored int
		check  func(t *testing.T, arg string, r reply)
	}

	cases := []hostileCase{
		{name: "no client certificate", run: func(t *testing.T, _ string) reply {
			_, body, sig := h.validNJ(t, "NOCERT")
			return h.post(h.noCert, body, "application/xml", sig)
		}},
		{name: "certificate from another CA", run: func(t *testing.T, _ string) reply {
			_, body, sig := h.validNJ(t, "STRANGER")
			return h.post(h.stranger, body, "application/xml", sig)
		}, status: 401, code: "unknown_certificate", refusal: "unknown_certificate"},
		{name: "expired pinned client certificate", run: func(t *testing.T, _ string) reply {
			id := gatewaytest.MustMessageID("EXPIRED")
			body := est(t, id, func(tx *canonical.Transaction) { tx.Header.SenderFIPS = "0900000" })
			return h.post(h.expired, body, "application/xml", sign(t, h.njKey, body, id, nil))
		}, status: 401, code: "certificate_expired", refusal: "certificate_expired"},
		{name: "nj certificate sending as pa", run: func(t *testing.T, _ string) reply {
			id := gatewaytest.MustMessageID("ASPA")
			body := est(t, id, func(tx *canonical.Transaction) { tx.Header.SenderFIPS = "4200000" })
			return h.postNJ(body, sign(t, h.njKey, body, id, nil))
		}, status: 403, code: "sender_mismatch", refusal: "sender_mismatch"},
		{name: "receiver is not this gateway", run: func(t *testing.T, _ string) reply {
			id := gatewaytest.MustMessageID("TOCA")
			body := est(t, id, func(tx *canonical.Transaction) { tx.Header.ReceiverFIPS = "0600000" })
			return h.postNJ(body, sign(t, h.njKey, body, id, nil))
		}, status: 422, code: "wrong_receiver", refusal: "wrong_receiver"},
		{name: "unsigned", run: func(t *testing.T, _ string) reply {
			_, body, _ := h.validNJ(t, "UNSIGNED")
			return h.postNJ(body, "")
		}, status: 401, code: "signature_missing", refusal: "signature_missing"},
		{name: "alg none", run: func(t *testing.T, _ string) reply {
			id, body, _ := h.validNJ(t, "ALGNONE")
			return h.postNJ(body, forge(map[string]any{"alg": "none", "kid": signing.KeyID(h.njKey), "iat": time.Now().Unix(), "jti": id}, body, nil))
		}, status: 401, code: "signature_algorithm", refusal: "signature_algorithm"},
		{name: "HS256 keyed with the public key", run: func(t *testing.T, _ string) reply {
			id, body, _ := h.validNJ(t, "HS256")
			pub, err := h.njKey.PublicKey()
			if err != nil {
				t.Fatal(err)
			}
			secret, _ := json.Marshal(pub)
			return h.postNJ(body, forge(map[string]any{"alg": "HS256", "kid": signing.KeyID(h.njKey), "iat": time.Now().Unix(), "jti": id}, body,
				func(in []byte) []byte { m := hmac.New(sha256.New, secret); m.Write(in); return m.Sum(nil) }))
		}, status: 401, code: "signature_algorithm", refusal: "signature_algorithm"},
		{name: "signature over other bytes", run: func(t *testing.T, _ string) reply {
			id, body, _ := h.validNJ(t, "OTHERBYTES")
			return h.postNJ(body, sign(t, h.njKey, []byte("something else entirely"), id, nil))
		}, status: 401, code: "signature_invalid", refusal: "signature_invalid"},
		{name: "body changed after signing", run: func(t *testing.T, _ string) reply {
			_, body, sig := h.validNJ(t, "CHANGED")
			return h.postNJ(bytes.Replace(body, []byte("Morgan Example"), []byte("Morgan Exampel"), 1), sig)
		}, status: 401, code: "signature_invalid", refusal: "signature_invalid"},
		{name: "stale iat", run: func(t *testing.T, _ string) reply {
			id, body, _ := h.validNJ(t, "STALE")
			return h.postNJ(body, sign(t, h.njKey, body, id, map[string]any{"iat": time.Now().Add(-time.Hour).Unix()}))
		}, status: 401, code: "signature_stale", refusal: "signature_stale"},
		{name: "future iat", run: func(t *testing.T, _ string) reply {
			id, body, _ := h.validNJ(t, "FUTURE")
			return h.postNJ(body, sign(t, h.njKey, body, id, map[string]any{"iat": time.Now().Add(time.Hour).Unix()}))
		}, status: 401, code: "signature_stale", refusal: "signature_stale"},
		{name: "missing jti", run: func(t *testing.T, _ string) reply {
			id, body, _ := h.validNJ(t, "NOJTI")
			return h.postNJ(body, sign(t, h.njKey, body, id, map[string]any{"jti": nil}))
		}, status: 401, code: "signature_malformed", refusal: "signature_malformed"},
		{name: "missing iat", run: func(t *testing.T, _ string) reply {
			id, body, _ := h.validNJ(t, "NOIAT")
			return h.postNJ(body, sign(t, h.njKey, body, id, map[string]any{"iat": nil}))
		}, status: 401, code: "signature_malformed", refusal: "signature_malformed"},
		{name: "jti differs from messageId", run: func(t *testing.T, _ string) reply {
			_, body, _ := h.validNJ(t, "JTI")
			return h.postNJ(body, sign(t, h.njKey, body, gatewaytest.MustMessageID("OTHER"), nil))
		}, status: 400, code: "jti_mismatch", refusal: "jti_mismatch"},
		{name: "replayed jti with another body", setup: func(t *testing.T) string {
			id, body, sig := h.validNJ(t, "REPLAY")
			if r := h.postNJ(body, sig); r.status != 202 {
				t.Fatalf("first post of the replayed message: %d %s %v", r.status, r.body, r.err)
			}
			return id
		}, run: func(t *testing.T, id string) reply {
			body := est(t, id, func(tx *canonical.Transaction) { tx.Header.SenderCaseID = "NJ0000099999" })
			return h.postNJ(body, sign(t, h.njKey, body, id, nil))
		}, status: 409, code: "conflict", refusal: "conflict"},
		{name: "signed with another partner's key", run: func(t *testing.T, _ string) reply {
			id, body, _ := h.validNJ(t, "PAKEY")
			return h.postNJ(body, sign(t, h.paKey, body, id, nil))
		}, status: 401, code: "signature_unknown_key", refusal: "signature_unknown_key"},
		{name: "unknown kid", run: func(t *testing.T, _ string) reply {
			id, body, _ := h.validNJ(t, "KID")
			// jwx writes the key's own kid into the header, so the key is re-labelled.
			k, err := h.njKey.Clone()
			if err != nil {
				t.Fatal(err)
			}
			_ = k.Set(jwk.KeyIDKey, "no-such-key")
			return h.postNJ(body, sign(t, k, body, id, nil))
		}, status: 401, code: "signature_unknown_key", refusal: "signature_unknown_key"},
		{name: "critical header extension", run: func(t *testing.T, _ string) reply {
			id, body, _ := h.validNJ(t, "CRIT")
			return h.postNJ(body, sign(t, h.njKey, body, id, map[string]any{"crit": []string{"exp"}, "exp": time.Now().Unix()}))
		}, status: 401, code: "signature_malformed", refusal: "signature_malformed"},
		{name: "attached payload instead of detached", run: func(t *testing.T, _ string) reply {
			id, body, sig := h.validNJ(t, "ATTACHED")
			parts := strings.Split(sig, ".")
			_ = id
			return h.postNJ(body, parts[0]+"."+base64.RawURLEncoding.EncodeToString(body)+"."+parts[2])
		}, status: 401, code: "signature_malformed", refusal: "signature_malformed"},
		{name: "garbage signature header", run: func(t *testing.T, _ string) reply {
			_, body, _ := h.validNJ(t, "GARBAGE")
			return h.postNJ(body, "Bearer ' OR 1=1 --")
		}, status: 401, code: "signature_malformed", refusal: "signature_malformed"},
		{name: "oversized body with Content-Length", run: func(t *testing.T, _ string) reply {
			body := append(est(t, "BIG", nil), bytes.Repeat([]byte(" "), 1<<20)...)
			return h.postNJ(body, sign(t, h.njKey, body, "BIG", nil))
		}, status: 413, code: "body_too_large", refusal: "body_too_large"},
		{name: "oversized body chunked", run: func(t *testing.T, _ string) reply {
			body := append(est(t, "BIGCHUNKED", nil), bytes.Repeat([]byte(" "), 1<<20)...)
			// A reader of unknown length makes the client send it chunked, so
			// only the limit on reading catches it.
			return h.do(h.nj, http.MethodPost, partnerURL+"/v1/messages", io.MultiReader(bytes.NewReader(body)),
				map[string]string{"Content-Type": "application/xml", "Accept": "application/json",
					"JWS-Signature": sign(t, h.njKey, body, "BIGCHUNKED", nil)})
		}, status: 413, code: "body_too_large", refusal: "body_too_large"},
		{name: "slow-loris headers", run: func(t *testing.T, _ string) reply {
			conn, err := h.rawConn(t, h.g.Server.PartnerAddr())
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			req := "POST /v1/messages HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/xml\r\nX-Pad: " +
				strings.Repeat("a", 200) + "\r\n\r\n"
			start := time.Now()
			ans, cut := trickle(conn, []byte(req), 1, 20*time.Millisecond, 10*time.Second)
			if !cut {
				t.Errorf("the server waited %v for headers sent byte by byte (read_header_timeout %v)", time.Since(start), hostileReadHeaderTimeout)
			}
			if took := time.Since(start); took > hostileReadHeaderTimeout+3*time.Second {
				t.Errorf("connection closed only after %v", took)
			}
			if st := statusOf(ans); st != 0 {
				return reply{status: st}
			}
			return reply{err: errors.New("connection closed")}
		}},
		{name: "slow body", run: func(t *testing.T, _ string) reply {
			id, body, sig := h.validNJ(t, "SLOWBODY")
			conn, err := h.rawConn(t, h.g.Server.PartnerAddr())
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			head := fmt.Sprintf("POST /v1/messages HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/xml\r\nAccept: application/json\r\nJWS-Signature: %s\r\nContent-Length: %d\r\n\r\n", sig, len(body))
			if _, err := conn.Write([]byte(head)); err != nil {
				t.Fatal(err)
			}
			_ = id
			start := time.Now()
			ans, _ := trickle(conn, body, 16, 100*time.Millisecond, 15*time.Second)
			if took := time.Since(start); took > hostileReadTimeout+3*time.Second {
				t.Errorf("a trickled body held the connection for %v (read_timeout %v)", took, hostileReadTimeout)
			}
			st := statusOf(ans)
			resp, _ := http.ReadResponse(bufio.NewReader(bytes.NewReader(ans)), nil)
			if resp == nil {
				return reply{err: errors.New("connection closed")}
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			return reply{status: st, code: errorCode(b), body: b}
		}, status: 400, code: "bad_request", refusal: "bad_request"},
		{name: "XML billion laughs", run: func(t *testing.T, _ string) reply {
			id := gatewaytest.MustMessageID("LAUGHS")
			var dtd strings.Builder
			dtd.WriteString(`<?xml version="1.0"?>` + "\n" + `<!DOCTYPE Transaction [<!ENTITY lol0 "lol">`)
			for i := 1; i < 10; i++ {
				fmt.Fprintf(&dtd, `<!ENTITY lol%d "%s">`, i, strings.Repeat(fmt.Sprintf("&lol%d;", i-1), 10))
			}
			dtd.WriteString("]>\n")
			body := est(t, id, nil)
			body = bytes.Replace(body, []byte(`<?xml version="1.0" encoding="UTF-8"?>`), []byte(dtd.String()), 1)
			body = bytes.Replace(body, []byte("Morgan Example"), []byte("&lol9;"), 1)
			return h.postNJ(body, sign(t, h.njKey, body, id, nil))
		}, status: 400, code: "malformed", refusal: "malformed"},
		{name: "XML external entity", run: func(t *testing.T, _ string) reply {
			id := gatewaytest.MustMessageID("XXE")
			body := est(t, id, nil)
			body = bytes.Replace(body, []byte(`<?xml version="1.0" encoding="UTF-8"?>`),
				[]byte(`<?xml version="1.0"?><!DOCTYPE Transaction [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>`), 1)
			body = bytes.Replace(body, []byte("Morgan Example"), []byte("&xxe;"), 1)
			return h.postNJ(body, sign(t, h.njKey, body, id, nil))
		}, status: 400, code: "malformed", refusal: "malformed", check: func(t *testing.T, _ string, r reply) {
			if bytes.Contains(r.body, []byte("root:")) {
				t.Errorf("the answer leaks /etc/passwd: %s", r.body)
			}
		}},
		{name: "XML nested 10000 deep", run: func(t *testing.T, _ string) reply {
			id := gatewaytest.MustMessageID("DEEPXML")
			body := est(t, id, nil)
			deep := strings.Repeat("<Deep>", 10000) + strings.Repeat("</Deep>", 10000)
			body = bytes.Replace(body, []byte("<Case>"), []byte("<Case>"+deep), 1)
			return h.postNJ(body, sign(t, h.njKey, body, id, nil))
		}, status: 400, code: "malformed", refusal: "malformed"},
		{name: "JSON nested 10000 deep", run: func(t *testing.T, _ string) reply {
			id := gatewaytest.MustMessageID("DEEPJSON")
			body := csiJSON(t, id)
			deep := `"deep":` + strings.Repeat("[", 10000) + strings.Repeat("]", 10000) + ","
			body = bytes.Replace(body, []byte(`{"header"`), []byte("{"+deep+`"header"`), 1)
			return h.post(h.pa, body, "application/json", sign(t, h.paKey, body, id, nil))
		}, status: 400, code: "malformed", refusal: "malformed"},
		{name: "invalid UTF-8", run: func(t *testing.T, _ string) reply {
			id := gatewaytest.MustMessageID("UTF8")
			body := bytes.Replace(est(t, id, nil), []byte("Morgan Example"), []byte("Morgan \xff\xfe Example"), 1)
			return h.postNJ(body, sign(t, h.njKey, body, id, nil))
		}, status: 400, code: "malformed", refusal: "malformed"},
		{name: "NUL byte", run: func(t *testing.T, _ string) reply {
			id := gatewaytest.MustMessageID("NUL")
			body := bytes.Replace(est(t, id, nil), []byte("Morgan Example"), []byte("Morgan \x00 Example"), 1)
			return h.postNJ(body, sign(t, h.njKey, body, id, nil))
		}, status: 400, code: "malformed", refusal: "malformed"},
		{name: "lone UTF-16 surrogate in a JSON string", run: func(t *testing.T, _ string) reply {
			// encoding/json would store U+FFFD, not what was signed (issue 15, item 4).
			id := gatewaytest.MustMessageID("SURROGATE")
			plain := csiJSON(t, id)
			body := bytes.Replace(plain, []byte(`"Casey"`), []byte(`"Ca\ud800sey"`), 1)
			if bytes.Equal(body, plain) {
				t.Fatal("the sample has no name to spoil")
			}
			return h.post(h.pa, body, "application/json", sign(t, h.paKey, body, id, nil))
		}, status: 400, code: "malformed", refusal: "malformed", check: func(t *testing.T, _ string, r reply) {
			if !bytes.Contains(r.body, []byte("surrogate")) || !bytes.Contains(r.body, []byte("ncp.name.first")) {
				t.Errorf("the refusal does not name the field and the surrogate: %s", r.body)
			}
		}},
		{name: "XML with a UTF-8 byte-order mark is accepted", run: func(t *testing.T, _ string) reply {
			// Legal XML (issue 15, item 7); the signature covers the mark too.
			id := gatewaytest.MustMessageID("BOM")
			body := append([]byte("\xEF\xBB\xBF"), est(t, id, nil)...)
			r := h.postNJ(body, sign(t, h.njKey, body, id, nil))
			r.sent = body
			return r
		}, status: 202, stored: 1, check: func(t *testing.T, _ string, r reply) {
			var rr struct {
				MessageID string `json:"messageId"`
			}
			if err := json.Unmarshal(r.body, &rr); err != nil {
				t.Fatal(err)
			}
			var id int64
			if err := h.pool.QueryRow(ctx, `SELECT id FROM messages WHERE partner = 'nj' AND direction = 'in' AND sender_message_id = $1`,
				rr.MessageID).Scan(&id); err != nil {
				t.Fatal(err)
			}
			raw, err := h.g.Server.Store().RawBody(ctx, id)
			if err != nil || !bytes.Equal(raw, r.sent) {
				t.Errorf("the body was not kept byte for byte, mark included: %v", err)
			}
		}},
		{name: "duplicate JSON keys", run: func(t *testing.T, _ string) reply {
			id := gatewaytest.MustMessageID("DUPKEY")
			body := bytes.Replace(csiJSON(t, id), []byte(`"senderFips":"4200000"`), []byte(`"senderFips":"4200000","senderFips":"3400000"`), 1)
			return h.post(h.pa, body, "application/json", sign(t, h.paKey, body, id, nil))
		}, status: 400, code: "malformed", refusal: "malformed"},
		{name: "huge number", run: func(t *testing.T, _ string) reply {
			id := gatewaytest.MustMessageID("HUGENUM")
			body := bytes.Replace(csiJSON(t, id), []byte(`"serial":1`), []byte(`"serial":1`+strings.Repeat("0", 400)), 1)
			return h.post(h.pa, body, "application/json", sign(t, h.paKey, body, id, nil))
		}, status: 400, code: "malformed", refusal: "malformed"},
		{name: "negative amount", run: func(t *testing.T, _ string) reply {
			id := gatewaytest.MustMessageID("NEGAMT")
			body := est(t, id, func(tx *canonical.Transaction) {
				tx.Orders = []canonical.Order{{TribunalFIPS: "3400000", Docket: "FD-01-1234-20", DebtType: canonical.DebtChildSupport,
					IssueDate: canonical.Date{Year: 2024, Month: 1, Day: 5}, Amount: -50000, Frequency: canonical.FreqMonthly, Children: []int{1}}}
			})
			return h.postNJ(body, sign(t, h.njKey, body, id, nil))
		}, status: 422, code: "invalid", refusal: "invalid"},
		{name: "impossible date", run: func(t *testing.T, _ string) reply {
			id := gatewaytest.MustMessageID("FEB30")
			body := bytes.Replace(est(t, id, nil), []byte("<DateOfBirth>1988-03-14</DateOfBirth>"), []byte("<DateOfBirth>2026-02-30</DateOfBirth>"), 1)
			return h.postNJ(body, sign(t, h.njKey, body, id, nil))
		}, status: 400, code: "malformed", refusal: "malformed"},
		{name: "unknown function code", run: func(t *testing.T, _ string) reply {
			id := gatewaytest.MustMessageID("XYZ")
			body := bytes.Replace(est(t, id, nil), []byte("<Function>EST</Function>"), []byte("<Function>XYZ</Function>"), 1)
			return h.postNJ(body, sign(t, h.njKey, body, id, nil))
		}, status: 422, code: "invalid", refusal: "invalid"},
		{name: "wrong content type", run: func(t *testing.T, _ string) reply {
			_, body, sig := h.validNJ(t, "CTYPE")
			return h.post(h.nj, body, "text/html", sig)
		}, status: 415, code: "unsupported_media_type", refusal: "unsupported_media_type"},
		{name: "JSON to an XML partner", run: func(t *testing.T, _ string) reply {
			id := gatewaytest.MustMessageID("NJJSON")
			body := encode(t, devenv.SampleEST(id, today()), "json-transaction/1")
			return h.post(h.nj, body, "application/xml", sign(t, h.njKey, body, id, nil))
		}, status: 400, code: "malformed", refusal: "malformed"},
		{name: "empty body", run: func(t *testing.T, _ string) reply {
			return h.postNJ(nil, sign(t, h.njKey, nil, "EMPTY", nil))
		}, status: 400, code: "malformed", refusal: "malformed"},
		{name: "message id longer than 64", run: func(t *testing.T, _ string) reply {
			id := strings.Repeat("L", 200)
			body := est(t, id, nil)
			return h.postNJ(body, sign(t, h.njKey, body, id, nil))
		}, status: 422, code: "invalid", refusal: "invalid"},
		{name: "SQL in text fields is stored verbatim", run: func(t *testing.T, _ string) reply {
			id := gatewaytest.MustMessageID("SQL")
			body := est(t, id, func(tx *canonical.Transaction) {
				// The federal last name holds 21 characters: a shorter payload there.
				tx.Case.Contact.Name = &canonical.Name{First: "Robert", Last: sqlName}
				tx.Information = &canonical.Information{Text: sqlText + `; SELECT pg_sleep(30); --`}
			})
			r := h.postNJ(body, sign(t, h.njKey, body, id, nil))
			r.sent = body
			return r
		}, status: 202, stored: 1, check: func(t *testing.T, _ string, r reply) {
			h.assertStoredText(t, r, sqlName, sqlText+`; SELECT pg_sleep(30); --`)
		}},
		{name: "SSN and date of birth spelled as character references stay masked for a viewer", run: func(t *testing.T, _ string) reply {
			id := gatewaytest.MustMessageID("CHARREF")
			plain := string(est(t, id, nil))
			// Valid XML that decodes to the same message, in which the
			// SSN and date of birth are not legible as text (issue 15, item 1).
			body := []byte(strings.NewReplacer("123456789", "&#49;&#x32;&#51;&#x34;&#53;&#x36;&#55;&#x38;&#57;",
				"1988-03-14", "&#x31;&#57;88-03-14").Replace(plain))
			if string(body) == plain {
				t.Fatal("the sample has no SSN or date of birth to disguise")
			}
			r := h.postNJ(body, sign(t, h.njKey, body, id, nil))
			r.sent = body
			return r
		}, status: 202, stored: 1, check: func(t *testing.T, _ string, r reply) {
			var rr struct {
				MessageID string `json:"messageId"`
			}
			if err := json.Unmarshal(r.body, &rr); err != nil {
				t.Fatal(err)
			}
			var id int64
			if err := h.pool.QueryRow(ctx, `SELECT id FROM messages WHERE partner = 'nj' AND direction = 'in' AND sender_message_id = $1`,
				rr.MessageID).Scan(&id); err != nil {
				t.Fatal(err)
			}
			tok, err := h.g.Issuer.Mint("viv", time.Hour)
			if err != nil {
				t.Fatal(err)
			}
			for _, path := range []string{"/messages/%d", "/api/messages/%d"} {
				ans := h.do(http.DefaultClient, "GET", fmt.Sprintf(h.g.StaffURL()+path, id), nil, map[string]string{"Authorization": "Bearer " + tok})
				if ans.err != nil || ans.status != 200 {
					t.Fatalf("%s: %d %v", path, ans.status, ans.err)
				}
				page := string(ans.body)
				for _, leak := range []string{"123456789", "123-45-6789", "1988-03-14", "&amp;#49;", "&#49;", `\u0026#49;`} {
					if strings.Contains(page, leak) {
						t.Errorf("%s shows %q to a viewer", path, leak)
					}
				}
			}
		}},
		{name: "HTML in text fields is stored verbatim", run: func(t *testing.T, _ string) reply {
			id := gatewaytest.MustMessageID("HTML")
			body := est(t, id, func(tx *canonical.Transaction) {
				tx.Case.Contact.Name = &canonical.Name{First: "Sam", Last: htmlName}
				tx.Information = &canonical.Information{Text: htmlText + `<img src=x onerror="fetch('/api/messages')">`}
			})
			r := h.postNJ(body, sign(t, h.njKey, body, id, nil))
			r.sent = body
			return r
		}, status: 202, stored: 1, check: func(t *testing.T, _ string, r reply) {
			h.assertStoredText(t, r, htmlName, htmlText+`<img src=x onerror="fetch('/api/messages')">`)
		}},
		{name: "path traversal in GET id", run: func(t *testing.T, _ string) reply {
			return h.do(h.nj, http.MethodGet, partnerURL+"/v1/messages/..%2F..%2Fetc%2Fpasswd", nil, nil)
		}, status: 404, code: "not_found", check: func(t *testing.T, _ string, r reply) {
			if bytes.Contains(r.body, []byte("root:")) {
				t.Errorf("leaked: %s", r.body)
			}
		}},
		{name: "oversized id on GET", run: func(t *testing.T, _ string) reply {
			return h.do(h.nj, http.MethodGet, partnerURL+"/v1/messages/"+strings.Repeat("A", 5000), nil, nil)
		}, status: 400, code: "bad_request"},
		{name: "another partner's message id on GET", setup: func(t *testing.T) string {
			id := gatewaytest.MustMessageID("PAOWN")
			body := csiJSON(t, id)
			if r := h.post(h.pa, body, "application/json", sign(t, h.paKey, body, id, nil)); r.status != 202 {
				t.Fatalf("pa's own message: %d %s %v", r.status, r.body, r.err)
			}
			return id
		}, run: func(t *testing.T, id string) reply {
			return h.do(h.nj, http.MethodGet, partnerURL+"/v1/messages/"+id, nil, nil)
		}, status: 404, code: "not_found"},
		{name: "header block over 64 KiB", run: func(t *testing.T, _ string) reply {
			_, body, sig := h.validNJ(t, "HUGEHDR")
			// Over HTTP/2 the client itself refuses to send more than the
			// server advertised, so this one goes over HTTP/1.1.
			return h.do(h.http11(&h.njPair), http.MethodPost, partnerURL+"/v1/messages", bytes.NewReader(body),
				map[string]string{"Content-Type": "application/xml", "JWS-Signature": sig, "X-Pad": strings.Repeat("p", 100<<10)})
		}, status: 431},
		{name: "PUT on the message endpoint", run: func(t *testing.T, _ string) reply {
			_, body, sig := h.validNJ(t, "PUT")
			return h.do(h.nj, http.MethodPut, partnerURL+"/v1/messages", bytes.NewReader(body),
				map[string]string{"Content-Type": "application/xml", "Accept": "application/json", "JWS-Signature": sig})
			// gorilla/mux reports a method mismatch inside the /v1 subrouter as
			// no match at all, so the answer is the structured 404.
		}, status: 404, code: "not_found"},
		{name: "inbox with a negative cursor", run: func(t *testing.T, _ string) reply {
			return h.do(h.pa, http.MethodGet, partnerURL+"/v1/inbox?after=-1", nil, nil)
		}, status: 400, code: "bad_request"},
		{name: "inbox ack with unknown fields", run: func(t *testing.T, _ string) reply {
			return h.do(h.pa, http.MethodPost, partnerURL+"/v1/inbox/ack", strings.NewReader(`{"ids":["x"],"all":true}`),
				map[string]string{"Content-Type": "application/json"})
		}, status: 400, code: "bad_request"},
		{name: "reveal request with a second JSON object after the first", setup: func(t *testing.T) string {
			return h.storedMessageID(t)
		}, run: func(t *testing.T, id string) reply {
			// A lax decoder reads the first object and ignores the rest
			// (issue 15, item 5); the reveal must not happen, nor be audited.
			return h.reveal(t, id, `{"field":"ncp.ssn","reason":"locate"}{"field":"participants[0].ssn"}`)
		}, status: 400, check: func(t *testing.T, id string, r reply) {
			h.assertNoReveal(t, id, r)
		}},
		{name: "reveal request with a made-up reason", setup: func(t *testing.T) string {
			return h.storedMessageID(t)
		}, run: func(t *testing.T, id string) reply {
			return h.reveal(t, id, `{"field":"ncp.ssn","reason":"xxxxx"}`)
		}, status: 400, check: func(t *testing.T, id string, r reply) {
			h.assertNoReveal(t, id, r)
		}},
		{name: "reveal request with other and no sentence", setup: func(t *testing.T) string {
			return h.storedMessageID(t)
		}, run: func(t *testing.T, id string) reply {
			return h.reveal(t, id, `{"field":"ncp.ssn","reason":"other","note":"because"}`)
		}, status: 400, check: func(t *testing.T, id string, r reply) {
			h.assertNoReveal(t, id, r)
		}},
		{name: "staff API without token", run: func(t *testing.T, _ string) reply {
			return h.do(http.DefaultClient, http.MethodGet, h.g.StaffURL()+"/api/messages", nil, nil)
		}, status: http.StatusUnauthorized},
		{name: "partner-signed token at the staff API", run: func(t *testing.T, _ string) reply {
			tok := signCompactJWT(t, h.njKey, map[string]any{"sub": "nj", "aud": h.g.Config.Staff.Audience,
				"iss": h.g.Config.Staff.Issuer, "exp": time.Now().Add(time.Hour).Unix(), "roles": []string{"admin"}})
			return h.do(http.DefaultClient, http.MethodGet, h.g.StaffURL()+"/api/messages", nil,
				map[string]string{"Authorization": "Bearer " + tok})
		}, status: http.StatusUnauthorized},
		{name: "partner certificate at the staff listener", run: func(t *testing.T, _ string) reply {
			// The staff listener speaks no TLS, so a client certificate has no
			// channel to act as a credential there at all.
			conn, err := h.rawConn(t, h.g.Server.StaffAddr())
			if err == nil {
				conn.Close()
				return reply{status: 200}
			}
			return reply{err: err}
		}},
	}

	if len(cases) < 40 {
		t.Fatalf("only %d cases", len(cases))
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			arg := ""
			if c.setup != nil {
				arg = c.setup(t)
			}
			inBefore := count(t, h.pool, `SELECT count(*) FROM messages WHERE direction = 'in'`)
			refBefore := count(t, h.pool, `SELECT count(*) FROM refusals`)
			r := c.run(t, arg)
			if c.status == 0 {
				if r.err == nil {
					t.Errorf("expected the connection to fail, got HTTP %d %s", r.status, r.body)
				}
			} else {
				if r.err != nil {
					t.Fatalf("transport error: %v", r.err)
				}
				if r.status != c.status || (c.code != "" && r.code != c.code) {
					t.Errorf("got %d %q, want %d %q; body %s", r.status, r.code, c.status, c.code, truncateBytes(r.body, 400))
				}
			}
			if n := count(t, h.pool, `SELECT count(*) FROM messages WHERE direction = 'in'`) - inBefore; n != c.stored {
				t.Errorf("%d inbound messages stored, want %d", n, c.stored)
			}
			refAfter := count(t, h.pool, `SELECT count(*) FROM refusals`)
			switch {
			case c.refusal == "" && refAfter != refBefore:
				t.Errorf("%d refusals recorded, want none", refAfter-refBefore)
			case c.refusal != "":
				var code string
				if refAfter != refBefore+1 {
					t.Errorf("%d refusals recorded, want 1", refAfter-refBefore)
				} else if err := h.pool.QueryRow(ctx, `SELECT code FROM refusals ORDER BY id DESC LIMIT 1`).Scan(&code); err != nil || code != c.refusal {
					t.Errorf("refusal recorded as %q (%v), want %q", code, err, c.refusal)
				}
			}
			if c.check != nil {
				c.check(t, arg, r)
			}
			// The gateway must still take the next good message.
			id := gatewaytest.MustMessageID("GOOD")
			res, err := h.good.Post(ctx, est(t, id, nil), "application/xml", id)
			if err != nil || res.Status != http.StatusAccepted {
				t.Fatalf("good message after %q: status %d err %v %s", c.name, res.Status, err, res.Body)
			}
		})
	}
}

const (
	sqlText  = `Robert'); DROP TABLE messages;--`
	sqlName  = `'); DROP TABLE x;--`
	htmlName = `<script>x()</script>`
	htmlText = `<script>alert("x")</script>&amp;`
)

// assertStoredText checks that a valid message carrying hostile text was
// stored exactly as sent and reads back unchanged through a parameterised query.
func (h *hostileEnv) assertStoredText(t *testing.T, r reply, contact, info string) {
	t.Helper()
	var rr struct {
		MessageID string `json:"messageId"`
	}
	if err := json.Unmarshal(r.body, &rr); err != nil || rr.MessageID == "" {
		t.Fatalf("no receipt: %s", r.body)
	}
	ctx := context.Background()
	var id int64
	var gotContact, gotInfo string
	err := h.pool.QueryRow(ctx, `SELECT id, canonical->'case'->'contact'->'name'->>'last', canonical->'information'->>'text'
		FROM messages WHERE partner = $1 AND direction = 'in' AND sender_message_id = $2`, "nj", rr.MessageID).
		Scan(&id, &gotContact, &gotInfo)
	if err != nil {
		t.Fatal(err)
	}
	if gotContact != contact || gotInfo != info {
		t.Errorf("stored %q / %q, want %q / %q", gotContact, gotInfo, contact, info)
	}
	// The text as a query parameter finds the row: it is data, nowhere code.
	if n := count(t, h.pool, `SELECT count(*) FROM messages WHERE canonical->'case'->'contact'->'name'->>'last' = $1 AND id = $2`, contact, id); n != 1 {
		t.Errorf("parameterised lookup found %d rows", n)
	}
	raw, err := h.g.Server.Store().RawBody(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(raw, r.sent) {
		t.Errorf("raw body not kept byte for byte: %q", truncateBytes(raw, 200))
	}
	if n := count(t, h.pool, `SELECT count(*) FROM messages`); n == 0 {
		t.Error("the messages table is empty")
	}
}

// storedMessageID posts a good message as nj and returns its row id.
func (h *hostileEnv) storedMessageID(t *testing.T) string {
	t.Helper()
	id := gatewaytest.MustMessageID("REVEAL")
	res, err := h.good.Post(context.Background(), est(t, id, nil), "application/xml", id)
	if err != nil || res.Status != http.StatusAccepted {
		t.Fatalf("post: %d %v", res.Status, err)
	}
	var row int64
	if err := h.pool.QueryRow(context.Background(), `SELECT id FROM messages WHERE partner = 'nj' AND direction = 'in' AND sender_message_id = $1`,
		id).Scan(&row); err != nil {
		t.Fatal(err)
	}
	return fmt.Sprint(row)
}

// reveal posts a reveal request body as the caseworker Casey.
func (h *hostileEnv) reveal(t *testing.T, id, body string) reply {
	t.Helper()
	tok, err := h.g.Issuer.Mint("casey", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return h.do(http.DefaultClient, http.MethodPost, h.g.StaffURL()+"/api/messages/"+id+"/reveal", strings.NewReader(body),
		map[string]string{"Authorization": "Bearer " + tok, "Content-Type": "application/json"})
}

// assertNoReveal checks that a refused reveal showed no SSN and left no audit record.
func (h *hostileEnv) assertNoReveal(t *testing.T, id string, r reply) {
	t.Helper()
	if bytes.Contains(r.body, []byte("123-45-6789")) || bytes.Contains(r.body, []byte("123456789")) {
		t.Errorf("the refused reveal answered with the SSN: %s", r.body)
	}
	if n := count(t, h.pool, `SELECT count(*) FROM audit_log WHERE action = 'reveal' AND target = $1`, "message:"+id); n != 0 {
		t.Errorf("%d reveal audit records for a refused request", n)
	}
}

func signCompactJWT(t *testing.T, key jwk.Key, claims map[string]any) string {
	t.Helper()
	b, _ := json.Marshal(claims)
	hd := jws.NewHeaders()
	_ = hd.Set(jws.KeyIDKey, signing.KeyID(key))
	_ = hd.Set(jws.TypeKey, "JWT")
	out, err := jws.Sign(b, jws.WithKey(algOf(key), key, jws.WithProtectedHeaders(hd)))
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

func truncateBytes(b []byte, n int) string {
	if len(b) > n {
		return string(b[:n]) + "…"
	}
	return string(b)
}

// TestRefusalFloodIsAggregated is issue 15 item 6: a known partner flooding
// the partner API with refused requests used to cost one database write per
// request. Now a caller has a budget of individual refusal records; the rest
// are counted and written as one record per code, so the rows stay bounded
// while the counts still add up to every refusal.
func TestRefusalFloodIsAggregated(t *testing.T) {
	h := newHostileEnv(t)
	ctx := context.Background()
	const flood = 400
	before := count(t, h.pool, `SELECT count(*) FROM refusals WHERE partner = 'nj'`)
	_, body, _ := h.validNJ(t, "FLOOD")
	badSig := sign(t, h.paKey, body, "FLOOD", nil) // signed with another partner's key
	start := time.Now()
	var wg sync.WaitGroup
	var refused atomic.Int64
	for w := 0; w < 8; w++ {
		wg.Go(func() {
			for i := 0; i < flood/8; i++ {
				if r := h.postNJ(body, badSig); r.err == nil && r.status >= 400 {
					refused.Add(1)
				}
			}
		})
	}
	wg.Wait()
	took := time.Since(start)
	if refused.Load() != flood {
		t.Fatalf("%d of %d requests refused", refused.Load(), flood)
	}
	rows := count(t, h.pool, `SELECT count(*) FROM refusals WHERE partner = 'nj'`) - before
	// The budget: a burst of 50 and 10 a second, plus one aggregate per code.
	if limit := 50 + int(took.Seconds()*10) + 5; rows > limit {
		t.Errorf("%d refusal rows for a flood of %d in %v; want at most %d", rows, flood, took, limit)
	}
	h.g.Server.FlushRefusals(ctx)
	var total int
	if err := h.pool.QueryRow(ctx, `SELECT coalesce(sum(count), 0) FROM refusals WHERE partner = 'nj'`).Scan(&total); err != nil {
		t.Fatal(err)
	}
	if total-before != flood {
		t.Errorf("refusal counts add up to %d; want %d", total-before, flood)
	}
	var aggregated int
	if err := h.pool.QueryRow(ctx, `SELECT count(*) FROM refusals WHERE partner = 'nj' AND count > 1 AND reason LIKE '%more refusals like this%'`).Scan(&aggregated); err != nil || aggregated == 0 {
		t.Errorf("no aggregate record (%v)", err)
	}
}
