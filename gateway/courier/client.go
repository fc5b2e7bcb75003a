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

// ErrReceipt says the endpoint answered 2xx without a receipt we can verify.
var ErrReceipt = errors.New("receipt missing or not verifiable")

// Post signs body (jti = messageID) and posts it to /v1/messages. A 2xx
// answer must carry a receipt that verifies with ServerKeys and names the
// same message and body digest, or the post counts as failed.
func (c *Client) Post(ctx context.Context, body []byte, contentType, messageID string) (Result, error) {
	now := time.Now
	if c.Now != nil {
		now = c.Now
	}
	sig, err := c.Signer.SignDetached(body, messageID, now())
	if err != nil {
		return Result{}, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(c.BaseURL, "/")+"/v1/messages", bytes.NewReader(body))
	if err != nil {
		return Result{}, err
	}
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("JWS-Signature", sig)
	telemetry.Propagator.Inject(ctx, propagation.HeaderCarrier(req.Header))
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return Result{}, err
	}
	defer resp.Body.Close()
	rb, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return Result{Status: resp.StatusCode}, err
	}
	res := Result{Status: resp.StatusCode, Body: rb}
	if resp.StatusCode >= 300 {
		var env struct {
			Error *RemoteError `json:"error"`
		}
		if json.Unmarshal(rb, &env) == nil && env.Error != nil {
			res.Error = env.Error
		} else {
			res.Error = &RemoteError{Code: http.StatusText(resp.StatusCode), Message: truncate(string(rb), 200)}
		}
		return res, nil
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
