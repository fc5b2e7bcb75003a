package courier

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"go.opentelemetry.io/otel/propagation"

	"github.com/uifsagw/uifsagw/gateway/intake"
	"github.com/uifsagw/uifsagw/gateway/signing"
	"github.com/uifsagw/uifsagw/gateway/telemetry"
)

// FileResult is what posting a file produced.
type FileResult struct {
	Status int
	// Receipt is the file receipt: each transaction's outcome (verified
	// through its digest in ReceiptJWS when the client has ServerKeys).
	Receipt intake.FileReceipt
	// ReceiptJWS is the signed receipt as received.
	ReceiptJWS string
	Repeat     bool
	// Error is the structured refusal of the whole file, when Status is 4xx/5xx.
	Error *RemoteError
	Body  []byte
}

// maxFileAnswer bounds the answer to a file: a receipt lists every
// transaction, a few hundred bytes each.
const maxFileAnswer = 256 << 20

// PostFile signs a file of many transactions, one a line, as a whole (jti =
// fileID) and posts it to /v1/files. A 2xx answer must carry a receipt that
// verifies with ServerKeys and names the same file and body digest.
func (c *Client) PostFile(ctx context.Context, body []byte, contentType, fileID string) (FileResult, error) {
	now := time.Now
	if c.Now != nil {
		now = c.Now
	}
	sig, err := c.Signer.SignDetached(body, fileID, now())
	if err != nil {
		return FileResult{}, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(c.BaseURL, "/")+"/v1/files", bytes.NewReader(body))
	if err != nil {
		return FileResult{}, err
	}
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("JWS-Signature", sig)
	telemetry.Propagator.Inject(ctx, propagation.HeaderCarrier(req.Header))
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return FileResult{}, err
	}
	defer resp.Body.Close()
	rb, err := io.ReadAll(io.LimitReader(resp.Body, maxFileAnswer))
	if err != nil {
		return FileResult{Status: resp.StatusCode}, err
	}
	res := FileResult{Status: resp.StatusCode, Body: rb}
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
		Receipt  string          `json:"receipt"`
		Repeat   bool            `json:"repeat"`
		Document json.RawMessage `json:"document"`
	}
	if err := json.Unmarshal(rb, &rr); err != nil || rr.Receipt == "" {
		return res, ErrReceipt
	}
	res.ReceiptJWS, res.Repeat = rr.Receipt, rr.Repeat
	if err := json.Unmarshal(rr.Document, &res.Receipt); err != nil {
		return res, fmt.Errorf("%w: the receipt document does not read: %v", ErrReceipt, err)
	}
	if c.ServerKeys != nil {
		payload, _, err := signing.VerifyCompact(rr.Receipt, c.ServerKeys)
		if err != nil {
			return res, fmt.Errorf("%w: %v", ErrReceipt, err)
		}
		var claims intake.FileReceiptClaims
		if err := json.Unmarshal(payload, &claims); err != nil {
			return res, fmt.Errorf("%w: %v", ErrReceipt, err)
		}
		if claims.FileID != fileID || claims.BodySHA256 != signing.BodyDigest(body) {
			return res, fmt.Errorf("%w: it names another file or body", ErrReceipt)
		}
		// The signature covers the document through its digest.
		if claims.DocumentSHA256 != signing.BodyDigest(rr.Document) {
			return res, fmt.Errorf("%w: the receipt document is not the one signed", ErrReceipt)
		}
	}
	return res, nil
}
