// Package courier carries messages to partners: an mTLS + JWS client for one
// partner endpoint (also used by `uifsagw send` and the load tool), and the
// sender workers that drain the outbox with retries, backoff, a circuit
// breaker per partner, and dead letters.
package courier

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwk"
	"go.opentelemetry.io/otel/propagation"

	"github.com/uifsagw/uifsagw/gateway/signing"
	"github.com/uifsagw/uifsagw/gateway/telemetry"
)

// Client posts signed messages to one gateway-style endpoint over mTLS.
type Client struct {
	HTTP    *http.Client
	BaseURL string
	Signer  *signing.Signer
	// ServerKeys verifies the receipts the endpoint returns; nil skips
	// verification (only for tools that print what they got).
	ServerKeys jwk.Set
	Now        func() time.Time
}

// NewHTTPClient returns an HTTP client that presents cert and trusts roots
// (the system pool when nil), keeping connections alive across requests.
func NewHTTPClient(cert tls.Certificate, roots *x509.CertPool, serverName string, timeout time.Duration) *http.Client {
	tr := &http.Transport{
		TLSClientConfig: &tls.Config{
			MinVersion:   tls.VersionTLS12,
			Certificates: []tls.Certificate{cert},
			RootCAs:      roots,
			ServerName:   serverName,
		},
		ForceAttemptHTTP2:   true,
		MaxIdleConnsPerHost: 64,
		IdleConnTimeout:     90 * time.Second,
		TLSHandshakeTimeout: 10 * time.Second,
	}
	return &http.Client{Transport: tr, Timeout: timeout}
}

// Result is what one post produced.
type Result struct {
	Status int
	// Receipt is the verified receipt (zero when refused).
	Receipt signing.Receipt
	// ReceiptJWS is the signed receipt as received.
	ReceiptJWS string
	Repeat     bool
	// Error is the structured refusal, when Status is 4xx/5xx.
	Error *RemoteError
	Body  []byte
}

// RemoteError is a partner's structured error answer.
type RemoteError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Fields  []struct {
		Path        string `json:"path"`
		PartnerPath string `json:"partnerPath,omitempty"`
		Reason      string `json:"reason"`
	} `json:"fields,omitempty"`
}

func (e *RemoteError) Error() string {
	var b strings.Builder
	b.WriteString(e.Code + ": " + e.Message)
	for _, f := range e.Fields {
		b.WriteString("; " + f.Path + ": " + f.Reason)
	}
	return b.String()
}

// postSigned signs body as a whole (jti = id), posts it to path and reads at
// most maxAnswer bytes of the answer. A refusal (status 300 or more) comes
// back as a RemoteError, from the answer's error envelope when it has one.
func (c *Client) postSigned(ctx context.Context, path string, body []byte, contentType, id string, maxAnswer int64) (int, []byte, *RemoteError, error) {
	now := time.Now
	if c.Now != nil {
		now = c.Now
	}
	sig, err := c.Signer.SignDetached(body, id, now())
	if err != nil {
		return 0, nil, nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(c.BaseURL, "/")+path, bytes.NewReader(body))
	if err != nil {
		return 0, nil, nil, err
	}
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("JWS-Signature", sig)
	telemetry.Propagator.Inject(ctx, propagation.HeaderCarrier(req.Header))
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return 0, nil, nil, err
	}
	defer resp.Body.Close()
	rb, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return resp.StatusCode, nil, nil, err
	}
	if resp.StatusCode < 300 {
		return resp.StatusCode, rb, nil, nil
	}
	var env struct {
		Error *RemoteError `json:"error"`
	}
	if json.Unmarshal(rb, &env) == nil && env.Error != nil {
		return resp.StatusCode, rb, env.Error, nil
	}
	return resp.StatusCode, rb, &RemoteError{Code: http.StatusText(resp.StatusCode), Message: truncate(string(rb), 200)}, nil
}

// ErrReceipt says the endpoint answered 2xx without a receipt we can verify.
var ErrReceipt = errors.New("receipt missing or not verifiable")

// Post signs body (jti = messageID) and posts it to /v1/messages. A 2xx
// answer must carry a receipt that verifies with ServerKeys and names the
// same message and body digest, or the post counts as failed.
func (c *Client) Post(ctx context.Context, body []byte, contentType, messageID string) (Result, error) {
	status, rb, rerr, err := c.postSigned(ctx, "/v1/messages", body, contentType, messageID, 1<<20)
	res := Result{Status: status, Body: rb, Error: rerr}
	if err != nil || rerr != nil {
		return res, err
	}
	var rr struct {
		Receipt string `json:"receipt"`
		Repeat  bool   `json:"repeat"`
	}
	if err := json.Unmarshal(rb, &rr); err != nil || rr.Receipt == "" {
		return res, ErrReceipt
	}
	res.ReceiptJWS, res.Repeat = rr.Receipt, rr.Repeat
	if c.ServerKeys != nil {
		rc, err := signing.VerifyReceipt(rr.Receipt, c.ServerKeys)
		if err != nil {
			return res, fmt.Errorf("%w: %v", ErrReceipt, err)
		}
		if rc.MessageID != messageID || rc.BodySHA256 != signing.BodyDigest(body) {
			return res, fmt.Errorf("%w: it names another message or body", ErrReceipt)
		}
		res.Receipt = rc
	}
	return res, nil
}

// FetchJWKS reads a gateway's published keys from /.well-known/jwks.json.
func (c *Client) FetchJWKS(ctx context.Context) (jwk.Set, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(c.BaseURL, "/")+"/.well-known/jwks.json", nil)
	if err != nil {
		return nil, err
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("jwks: HTTP %d", resp.StatusCode)
	}
	return signing.ParseKeySet(b)
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
