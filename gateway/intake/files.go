package intake

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"time"

	"go.opentelemetry.io/otel/attribute"

	"github.com/uifsagw/uifsagw/gateway/exchange"
	"github.com/uifsagw/uifsagw/gateway/telemetry"
	"github.com/uifsagw/uifsagw/partners"
	"github.com/uifsagw/uifsagw/schemas/canonical"
)

// DefaultMaxFileBody bounds a file when Config.MaxFileBody is zero: room
// for 10,000 CSENet transactions of every block several times over.
const DefaultMaxFileBody = 64 << 20

// Outcomes of one transaction of a file.
const (
	OutcomeStored  = "stored"
	OutcomeRefused = "refused"
)

// FileReceipt is the document the gateway signs for a file: what became of
// every transaction, in file order.
type FileReceipt struct {
	Status     string    `json:"status"`
	ReceiptID  string    `json:"receiptId"`
	FileID     string    `json:"fileId"`
	Partner    string    `json:"partner"`
	Issuer     string    `json:"issuer"`
	BodySHA256 string    `json:"bodySha256"`
	ReceivedAt time.Time `json:"receivedAt"`
	// Stored and Refused count the transactions of each outcome.
	Stored       int                  `json:"stored"`
	Refused      int                  `json:"refused"`
	Transactions []TransactionOutcome `json:"transactions"`
}

// FileReceiptClaims is the payload of the file receipt's JWS. A receipt
// lists every transaction, megabytes for a large file, so the signature
// covers its digest: DocumentSHA256 is the SHA-256 of the receipt document
// exactly as sent beside the JWS.
type FileReceiptClaims struct {
	ReceiptID      string    `json:"receiptId"`
	FileID         string    `json:"fileId"`
	Partner        string    `json:"partner"`
	Issuer         string    `json:"issuer"`
	BodySHA256     string    `json:"bodySha256"`
	ReceivedAt     time.Time `json:"receivedAt"`
	Transactions   int       `json:"transactions"`
	Stored         int       `json:"stored"`
	Refused        int       `json:"refused"`
	DocumentSHA256 string    `json:"documentSha256"`
}

// TransactionOutcome is one line of a file: stored (with the receipt ID of
// its message, first issued when Repeat), or refused with the reason.
type TransactionOutcome struct {
	Line      int    `json:"line"`
	MessageID string `json:"messageId,omitempty"`
	Outcome   string `json:"outcome"`
	Repeat    bool   `json:"repeat,omitempty"`
	ReceiptID string `json:"receiptId,omitempty"`
	Error     *Error `json:"error,omitempty"`
}

// FileResult is the answer to a file: the receipt and its JWS, or Err when
// the file as a whole was refused (signature, media type, size, a file ID
// reused for other bytes) and nothing of it was stored.
type FileResult struct {
	Receipt FileReceipt
	// Document is Receipt exactly as signed (its digest is in the JWS).
	Document []byte
	// JWS is the gateway's compact JWS over FileReceiptClaims.
	JWS string
	// Repeat is true when the file had been received before; the receipt is
	// the one issued then.
	Repeat bool
	Err    *Error
}

// MaxFileBody is the largest file intake takes.
func (s *Service) MaxFileBody() int64 {
	if s.cfg.MaxFileBody > 0 {
		return s.cfg.MaxFileBody
	}
	return DefaultMaxFileBody
}

// line is one transaction of a file after the per-transaction checks.
type line struct {
	no  int
	raw []byte
	tx  canonical.Transaction
	err *Error
}

// ReceiveFile takes a file of many transactions, one a line, with one
// detached JWS over the whole file whose jti names the file. Each line is
// decoded, validated and authorised as a single message would be; the good
// ones become messages (idempotent on the partner and the transaction's
// message ID, for CSENet the sending state and serial number) and every
// line's outcome goes into one signed receipt, stored with the messages in
// one transaction. A file posted again gets the same receipt.
func (s *Service) ReceiveFile(ctx context.Context, req Request) FileResult {
	p := req.Partner
	c := s.begin(ctx, "intake.file", req)
	defer c.end("file-")
	ctx, span := c.ctx, c.span
	fail := func(e *Error, fileID string, b []byte) FileResult {
		c.refuse(e, fileID, b)
		return FileResult{Err: e}
	}
	body := req.Body
	codec, claims, e := c.admit(s.MaxFileBody(), func() *Error {
		return refusal(CodeTooLarge, fmt.Sprintf("file over %d bytes", s.MaxFileBody()))
	})
	if e != nil {
		return FileResult{Err: e}
	}
	fileID := claims.JTI
	if len(fileID) > canonical.MaxMessageIDLen {
		return fail(refusal(CodeMalformed, "the file ID (the signature's jti) is too long",
			canonical.FieldError{Path: "jti", Reason: fmt.Sprintf("longer than %d characters", canonical.MaxMessageIDLen)}), "", body)
	}
	span.SetAttributes(attribute.String("file", fileID))

	_, dspan := s.deps.Tracer.Start(ctx, "decode")
	lines := splitLines(body)
	if len(lines) == 0 {
		dspan.End()
		return fail(refusal(CodeMalformed, "the file holds no transactions; send one transaction a line"), fileID, body)
	}
	s.checkLines(codec, p, lines)
	dspan.End()

	at := s.deps.Now()
	f := exchange.InboundFile{Partner: p.ID, FileID: fileID, Raw: body, ReceivedAt: at}
	var kept []int // index in lines of each item of f
	for i, l := range lines {
		if l.err == nil {
			kept = append(kept, i)
			f.Items = append(f.Items, exchange.Inbound{Partner: p.ID, MessageID: l.tx.Header.MessageID, Format: p.Format,
				ContentType: codec.ContentType(), Raw: l.raw, Tx: l.tx, Signature: req.Signature,
				TraceID: span.SpanContext().TraceID().String(), ReceivedAt: at})
		}
	}
	var doc FileReceipt
	sign := func(r exchange.FileReceipt, outs []exchange.FileOutcome) ([]byte, string, error) {
		doc = s.fileDocument(r, lines, kept, outs)
		b, err := json.Marshal(doc)
		if err != nil {
			return nil, "", err
		}
		sum := sha256.Sum256(b)
		claims, err := json.Marshal(FileReceiptClaims{ReceiptID: doc.ReceiptID, FileID: doc.FileID, Partner: doc.Partner,
			Issuer: doc.Issuer, BodySHA256: doc.BodySHA256, ReceivedAt: doc.ReceivedAt, Transactions: len(doc.Transactions),
			Stored: doc.Stored, Refused: doc.Refused, DocumentSHA256: hex.EncodeToString(sum[:])})
		if err != nil {
			return nil, "", err
		}
		jws, err := s.deps.Signer().SignCompact(claims, s.deps.Now())
		return b, jws, err
	}
	_, sspan := s.deps.Tracer.Start(ctx, "store")
	stored, repeat, err := s.deps.Store.ReceiveFile(ctx, f, s.signReceipt, sign)
	sspan.End()
	switch {
	case errors.Is(err, exchange.ErrConflict):
		return fail(refusal(CodeConflict, "this file ID was already received with a different body"), fileID, body)
	case err != nil:
		s.deps.Log.Error("storing a file failed; no receipt given", "partner", p.ID, "file", fileID, "err", err)
		return fail(unavailable(), fileID, nil)
	}
	if repeat {
		if err := json.Unmarshal(stored.Document, &doc); err != nil {
			s.deps.Log.Error("a stored file receipt does not read", "partner", p.ID, "file", fileID, "err", err)
			return fail(refusal(CodeInternal, "the receipt of this file cannot be read back; contact the operator"), fileID, nil)
		}
		c.outcome = "repeat"
		return FileResult{Receipt: doc, Document: stored.Document, JWS: stored.JWS, Repeat: true}
	}
	c.outcome = "new"
	for _, t := range doc.Transactions {
		if t.Outcome != OutcomeStored {
			s.deps.Metrics.Refused.Add(ctx, 1, telemetry.Attrs("partner", p.ID, "code", t.Error.Code))
			continue
		}
		o := "new"
		if t.Repeat {
			o = "repeat"
		}
		s.deps.Metrics.Received.Add(ctx, 1, telemetry.Attrs("partner", p.ID, "function", "file", "outcome", o))
	}
	span.SetAttributes(attribute.Int("stored", doc.Stored), attribute.Int("refused", doc.Refused))
	return FileResult{Receipt: doc, Document: stored.Document, JWS: stored.JWS}
}

// fileDocument is the receipt of a file: refused lines as checked, the
// others as the store found them.
func (s *Service) fileDocument(r exchange.FileReceipt, lines []line, kept []int, outs []exchange.FileOutcome) FileReceipt {
	doc := FileReceipt{Status: "received", ReceiptID: r.ID, FileID: r.FileID, Partner: r.Partner, Issuer: s.cfg.Name,
		BodySHA256: r.BodySHA256, ReceivedAt: r.ReceivedAt,
		Transactions: make([]TransactionOutcome, len(lines))}
	for i, l := range lines {
		doc.Transactions[i] = TransactionOutcome{Line: l.no, MessageID: l.tx.Header.MessageID, Outcome: OutcomeRefused, Error: l.err}
	}
	for k, i := range kept {
		t, o := &doc.Transactions[i], outs[k]
		if o.Conflict {
			t.Error = refusal(CodeConflict, "this message ID was already received with a different body")
			continue
		}
		t.Outcome, t.Repeat, t.ReceiptID = OutcomeStored, o.Repeat, o.ReceiptID
	}
	for _, t := range doc.Transactions {
		if t.Outcome == OutcomeStored {
			doc.Stored++
		} else {
			doc.Refused++
		}
	}
	return doc
}

// splitLines cuts a file into its transactions, one a line (LF or CRLF; a
// last line end is optional). An empty line is kept so that it is refused
// in its place rather than silently dropped.
func splitLines(b []byte) []line {
	parts := bytes.Split(b, []byte("\n"))
	if len(parts) > 0 && len(parts[len(parts)-1]) == 0 {
		parts = parts[:len(parts)-1]
	}
	out := make([]line, len(parts))
	for i, p := range parts {
		out[i] = line{no: i + 1, raw: bytes.TrimSuffix(p, []byte("\r"))}
	}
	return out
}

// checkLines decodes, validates and authorises every line, on every core;
// each line's refusal, if any, is left in its err.
func (s *Service) checkLines(codec Codec, p *partners.Partner, lines []line) {
	workers := min(runtime.GOMAXPROCS(0), len(lines))
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w; i < len(lines); i += workers {
				lines[i].err = s.checkLine(codec, p, &lines[i])
			}
		})
	}
	wg.Wait()
}

func (s *Service) checkLine(codec Codec, p *partners.Partner, l *line) *Error {
	if len(l.raw) == 0 {
		return refusal(CodeMalformed, "empty line: one transaction a line",
			canonical.FieldError{PartnerPath: fmt.Sprintf("line %d", l.no), Reason: "empty"})
	}
	tx, ferrs := codec.Decode(l.raw)
	if len(ferrs) > 0 {
		return refusal(CodeMalformed, "the transaction could not be decoded", ferrs...)
	}
	l.tx = tx
	if ferrs := s.deps.Validate(&l.tx); len(ferrs) > 0 {
		return refusal(CodeInvalid, fmt.Sprintf("%d field(s) are invalid", len(ferrs)), ferrs...)
	}
	if l.tx.Header.MessageID == "" {
		return refusal(CodeMalformed, "the transaction has no message ID",
			canonical.FieldError{Path: "header.messageId", Reason: "missing"})
	}
	return s.authorise(p, &l.tx)
}
