package courier

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/uifsagw/uifsagw/gateway/intake"
	"github.com/uifsagw/uifsagw/gateway/signing"
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
	status, rb, rerr, err := c.postSigned(ctx, "/v1/files", body, contentType, fileID, maxFileAnswer)
	res := FileResult{Status: status, Body: rb, Error: rerr}
	if err != nil || rerr != nil {
		return res, err
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
