// Package edge is the partner-facing HTTP API: it identifies the partner by
// its client certificate, verifies the JWS over the exact body bytes, decodes
// and validates the message, checks who may send what to whom, stores it in
// one transaction and only then answers with a signed receipt.
package edge

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gorilla/mux"
	"go.opentelemetry.io/otel/propagation"

	"github.com/uifsagw/uifsagw/gateway/exchange"
	"github.com/uifsagw/uifsagw/gateway/intake"
	"github.com/uifsagw/uifsagw/gateway/signing"
	"github.com/uifsagw/uifsagw/gateway/telemetry"
	"github.com/uifsagw/uifsagw/gateway/wire"
	"github.com/uifsagw/uifsagw/partners"
	"github.com/uifsagw/uifsagw/schemas/canonical"
)

// Store is what the edge needs of the exchange store besides intake.
type Store interface {
	RecordRefusal(ctx context.Context, r exchange.Refusal) error
	GetBySenderID(ctx context.Context, partner string, dir exchange.Direction, messageID string) (exchange.Message, error)
	IssuedReceipt(ctx context.Context, id int64) (exchange.Receipt, error)
	Responses(ctx context.Context, msgID string) ([]exchange.Message, error)
	InboxList(ctx context.Context, partner string, after int64, limit int) ([]exchange.Message, int64, error)
	InboxAck(ctx context.Context, partner string, ids []string) (int, error)
	FileInboxList(ctx context.Context, partner string, window time.Duration, now time.Time, after int64, limit int) ([]exchange.OutboundFile, int64, error)
	FileInboxAck(ctx context.Context, partner string, fileIDs []string) (int, error)
}

// Config is the edge's own settings.
type Config struct {
	// MaxBody bounds what is read of a request body.
	MaxBody int64
	// ClientCAs, when set, must also validate every partner's chain.
	ClientCAs      *x509.CertPool
	HandlerTimeout time.Duration
	// FileTimeout replaces HandlerTimeout and the listener's read and write
	// timeouts for POST /v1/files: a file of 10,000 transactions is tens of
	// megabytes to read and seconds of work.
	FileTimeout time.Duration
}

// Deps are the edge's collaborators.
type Deps struct {
	Directory func() *partners.Directory
	Store     Store
	// Intake takes what partners post.
	Intake *intake.Service
	// Signer returns the current signing key (it may rotate).
	Signer func() *signing.Signer
	// PublicKeys returns our published JWKS (current and previous keys).
	PublicKeys func() any
	Metrics    *telemetry.Metrics
	Log        *slog.Logger
	Now        func() time.Time
}

// Server is the partner API handler.
type Server struct {
	cfg   Config
	deps  Deps
	limit *limiter
	// recordBudget bounds individual refusal records per caller; refusals
	// holds the counts of those beyond it.
	recordBudget *limiter
	refusals     *refusalAggregator
	mux          *mux.Router
}

// NewServer builds the partner API.
func NewServer(cfg Config, deps Deps) *Server {
	if deps.Now == nil {
		deps.Now = time.Now
	}
	s := &Server{cfg: cfg, deps: deps, limit: newLimiter(), recordBudget: newLimiter(), refusals: newRefusalAggregator()}
	r := mux.NewRouter()
	// Paths are matched as sent: cleaning would answer "/v1/messages/..%2F.."
	// with a redirect to wherever the dots lead, before any authentication.
	r.SkipClean(true)
	r.HandleFunc("/.well-known/jwks.json", s.jwks).Methods(http.MethodGet)
	api := r.PathPrefix("/v1").Subrouter()
	api.Use(s.authenticate)
	api.HandleFunc("/messages", s.postMessage).Methods(http.MethodPost)
	api.HandleFunc("/messages/{id}", s.getMessage).Methods(http.MethodGet)
	api.HandleFunc(strings.TrimPrefix(filesPath, "/v1"), s.postFile).Methods(http.MethodPost)
	api.HandleFunc("/inbox", s.inbox).Methods(http.MethodGet)
	api.HandleFunc("/inbox/ack", s.inboxAck).Methods(http.MethodPost)
	api.HandleFunc("/inbox/files", s.fileInbox).Methods(http.MethodGet)
	api.HandleFunc("/inbox/files/ack", s.fileInboxAck).Methods(http.MethodPost)
	r.NotFoundHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeError(w, r, apiErr(http.StatusNotFound, CodeNotFound, "no such endpoint"))
	})
	r.MethodNotAllowedHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeError(w, r, apiErr(http.StatusMethodNotAllowed, CodeMethodNotAllowed, "method not allowed here"))
	})
	s.mux = r
	return s
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx := telemetry.Propagator.Extract(r.Context(), propagation.HeaderCarrier(r.Header))
	timeout := s.cfg.HandlerTimeout
	if r.URL.Path == filesPath && s.cfg.FileTimeout > 0 {
		timeout = s.cfg.FileTimeout
		rc := http.NewResponseController(w)
		deadline := s.deps.Now().Add(timeout)
		// Errors mean the connection cannot move its deadlines; the
		// listener's own timeouts then apply.
		_ = rc.SetReadDeadline(deadline)
		_ = rc.SetWriteDeadline(deadline)
	}
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	s.mux.ServeHTTP(w, r.WithContext(ctx))
}

func (s *Server) jwks(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.deps.PublicKeys())
}

// authenticate identifies the partner, applies its rate limit, and puts it in the context.
func (s *Server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		now := s.deps.Now()
		p, e := s.identify(r, now)
		if e != nil {
			s.refuse(w, r, p, e, "", nil)
			return
		}
		if !s.limit.allow(p.ID, p.Rate.PerSecond, p.Rate.Burst, now) {
			w.Header().Set("Retry-After", "1")
			s.refuse(w, r, p, apiErr(http.StatusTooManyRequests, CodeRateLimited, "rate limit exceeded; retry after a second"), "", nil)
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), partnerKey{}, p)))
	})
}

// refuse answers with a structured error and records it.
func (s *Server) refuse(w http.ResponseWriter, r *http.Request, p *partners.Partner, e *APIError, msgID string, body []byte) {
	s.record(r.Context(), p, e, msgID, body, r.RemoteAddr)
	writeError(w, r, e)
}

// RecordIntakeRefusal counts and records a refusal intake made, as the
// partner API's own refusals are (intake.Deps.Refused).
func (s *Server) RecordIntakeRefusal(ctx context.Context, p *partners.Partner, e *intake.Error, msgID string, body []byte, remote string) {
	s.record(ctx, p, fromIntake(e), msgID, body, remote)
}

// record counts a refusal and stores it (never the body, only its digest).
func (s *Server) record(ctx context.Context, p *partners.Partner, e *APIError, msgID string, body []byte, remote string) {
	partnerID := "unknown"
	if p != nil {
		partnerID = p.ID
	}
	s.deps.Metrics.Refused.Add(ctx, 1, telemetry.Attrs("partner", partnerID, "code", e.Code))
	if e.Status != http.StatusServiceUnavailable {
		now := s.deps.Now()
		ref := exchange.Refusal{Partner: partnerID, RemoteAddr: remote, Code: e.Code, Reason: e.Message, Fields: e.Fields,
			MessageID: truncate(msgID, canonical.MaxMessageIDLen), At: now}
		if body != nil {
			ref.BodySHA256 = signing.BodyDigest(body)
		}
		// Anyone can present some certificate and a known partner can
		// misbehave: beyond a budget per caller (all unknown callers share
		// one), refusals are counted and written as one record per code.
		if s.recordBudget.allow(partnerID, refusalRecordRate, refusalRecordBurst, now) {
			for _, agg := range s.refusals.take(partnerID) {
				s.store(ctx, agg)
			}
			s.store(ctx, ref)
		} else {
			s.refusals.add(ref)
		}
	}
	s.deps.Log.Info("refused", "partner", partnerID, "code", e.Code, "status", e.Status, "remote", remote)
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// ReceiptResponse is the body of a 202 (or 200 for a repeat).
type ReceiptResponse struct {
	XMLName    xml.Name  `json:"-" xml:"urn:uifsagw:receipt:1 Receipt"`
	Status     string    `json:"status" xml:"status"`
	MessageID  string    `json:"messageId" xml:"messageId"`
	ReceiptID  string    `json:"receiptId" xml:"receiptId"`
	ReceivedAt time.Time `json:"receivedAt" xml:"receivedAt"`
	Repeat     bool      `json:"repeat,omitempty" xml:"repeat,omitempty"`
	// Receipt is the gateway-signed compact JWS of the receipt.
	Receipt string `json:"receipt" xml:"jws"`
}

func (s *Server) postMessage(w http.ResponseWriter, r *http.Request) {
	p := PartnerFrom(r.Context())
	body, ok := s.readBody(w, r, p, s.cfg.MaxBody)
	if !ok {
		return
	}
	res := s.deps.Intake.Receive(r.Context(), intakeRequest(r, p, body))
	if refused(w, r, res.Err) {
		return
	}
	writeReceipt(w, r, acceptedStatus(res.Repeat), receiptResponse(res.Receipt, res.Repeat))
}

// intakeRequest is what the intake use case needs of a partner's POST.
func intakeRequest(r *http.Request, p *partners.Partner, body []byte) intake.Request {
	return intake.Request{Partner: p, Body: body, ContentType: r.Header.Get("Content-Type"),
		Signature: r.Header.Get("JWS-Signature"), Remote: r.RemoteAddr}
}

// refused writes the refusal of an intake error, asking the partner to come
// back in a few seconds when the refusal is temporary; it reports whether
// there was one.
func refused(w http.ResponseWriter, r *http.Request, err *intake.Error) bool {
	if err == nil {
		return false
	}
	e := fromIntake(err)
	if e.Status == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", "5")
	}
	writeError(w, r, e)
	return true
}

// acceptedStatus is 202 for something new and 200 for a repeat, which is
// answered with the first receipt.
func acceptedStatus(repeat bool) int {
	if repeat {
		return http.StatusOK
	}
	return http.StatusAccepted
}

// filesPath is the batch endpoint.
const filesPath = "/v1/files"

// FileResponse is the body of a 202 (or 200 for a repeat) to POST /v1/files:
// Document, the receipt listing every transaction (intake.FileReceipt), and
// Receipt, the gateway's compact JWS over intake.FileReceiptClaims, which
// holds the SHA-256 of Document's bytes as sent.
type FileResponse struct {
	Receipt  string          `json:"receipt"`
	Repeat   bool            `json:"repeat,omitempty"`
	Document json.RawMessage `json:"document"`
}

// postFile takes a file of many transactions, one a line, signed as a whole.
func (s *Server) postFile(w http.ResponseWriter, r *http.Request) {
	p := PartnerFrom(r.Context())
	body, ok := s.readBody(w, r, p, s.deps.Intake.MaxFileBody())
	if !ok {
		return
	}
	res := s.deps.Intake.ReceiveFile(r.Context(), intakeRequest(r, p, body))
	if refused(w, r, res.Err) {
		return
	}
	writeJSON(w, acceptedStatus(res.Repeat), FileResponse{Receipt: res.JWS, Repeat: res.Repeat, Document: res.Document})
}

// readBody reads at most limit bytes of the body, refusing (and recording)
// a larger one before reading it whole.
func (s *Server) readBody(w http.ResponseWriter, r *http.Request, p *partners.Partner, limit int64) ([]byte, bool) {
	tooLarge := func() {
		s.refuse(w, r, p, apiErr(http.StatusRequestEntityTooLarge, CodeTooLarge, fmt.Sprintf("body over %d bytes", limit)), "", nil)
	}
	if r.ContentLength > limit {
		tooLarge()
		return nil, false
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			tooLarge()
			return nil, false
		}
		s.refuse(w, r, p, apiErr(http.StatusBadRequest, CodeBadRequest, "could not read the body"), "", nil)
		return nil, false
	}
	return body, true
}

func receiptResponse(rc exchange.Receipt, repeat bool) ReceiptResponse {
	return ReceiptResponse{Status: "received", MessageID: rc.MessageID, ReceiptID: rc.ID,
		ReceivedAt: rc.ReceivedAt, Repeat: repeat, Receipt: rc.JWS}
}

func writeReceipt(w http.ResponseWriter, r *http.Request, status int, resp ReceiptResponse) {
	if wantsXML(r) {
		w.Header().Set("Content-Type", "application/xml; charset=utf-8")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(xml.Header))
		_ = xml.NewEncoder(w).Encode(resp)
		return
	}
	writeJSON(w, status, resp)
}

// MessageStatus is the answer to GET /v1/messages/{id}.
type MessageStatus struct {
	MessageID  string          `json:"messageId"`
	Status     string          `json:"status"`
	ReceivedAt time.Time       `json:"receivedAt"`
	ReceiptID  string          `json:"receiptId,omitempty"`
	Receipt    string          `json:"receipt,omitempty"`
	Responses  []ResponseEntry `json:"responses"`
}

// ResponseEntry is one message the gateway sent in answer.
type ResponseEntry struct {
	MessageID string    `json:"messageId"`
	Function  string    `json:"function"`
	Action    string    `json:"action"`
	Reason    string    `json:"reason,omitempty"`
	Status    string    `json:"status"`
	CreatedAt time.Time `json:"createdAt"`
}

func (s *Server) getMessage(w http.ResponseWriter, r *http.Request) {
	p := PartnerFrom(r.Context())
	id := mux.Vars(r)["id"]
	if len(id) > canonical.MaxMessageIDLen {
		writeError(w, r, apiErr(http.StatusBadRequest, CodeBadRequest, "message id too long"))
		return
	}
	m, err := s.deps.Store.GetBySenderID(r.Context(), p.ID, exchange.DirIn, id)
	if errors.Is(err, exchange.ErrNotFound) {
		// The same answer whether the ID is unknown or another partner's.
		writeError(w, r, apiErr(http.StatusNotFound, CodeNotFound, "no message with that ID from you"))
		return
	}
	if err != nil {
		writeError(w, r, apiErr(http.StatusServiceUnavailable, CodeUnavailable, "try again later"))
		return
	}
	resps, err := s.deps.Store.Responses(r.Context(), m.MessageID)
	if err != nil {
		writeError(w, r, apiErr(http.StatusServiceUnavailable, CodeUnavailable, "try again later"))
		return
	}
	out := MessageStatus{MessageID: m.MessageID, Status: string(m.Status), ReceivedAt: m.CreatedAt, Responses: []ResponseEntry{}}
	if rc, err := s.deps.Store.IssuedReceipt(r.Context(), m.ID); err == nil {
		out.ReceiptID, out.Receipt = rc.ID, rc.JWS
	}
	for _, x := range resps {
		if x.Partner != p.ID {
			continue // an answer routed elsewhere is not this partner's to see
		}
		out.Responses = append(out.Responses, ResponseEntry{MessageID: x.MessageID, Function: x.Function,
			Action: x.Action, Reason: x.Reason, Status: string(x.Status), CreatedAt: x.CreatedAt})
	}
	writeJSON(w, http.StatusOK, out)
}

// InboxItem and InboxPage are the pull inbox's wire documents, shared with
// the courier that reads them.
type (
	InboxItem = wire.InboxItem
	InboxPage = wire.InboxPage
)

func (s *Server) inbox(w http.ResponseWriter, r *http.Request) {
	p := PartnerFrom(r.Context())
	q := r.URL.Query()
	after, limit := int64(0), 50
	if v := q.Get("after"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			writeError(w, r, &APIError{Status: http.StatusBadRequest, Code: CodeBadRequest, Message: "after must be a cursor from a previous page",
				Fields: []canonical.FieldError{{Path: "after", Reason: "not a non-negative integer"}}})
			return
		}
		after = n
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 500 {
			writeError(w, r, &APIError{Status: http.StatusBadRequest, Code: CodeBadRequest, Message: "limit must be 1 to 500",
				Fields: []canonical.FieldError{{Path: "limit", Reason: "not an integer from 1 to 500"}}})
			return
		}
		limit = n
	}
	msgs, next, err := s.deps.Store.InboxList(r.Context(), p.ID, after, limit)
	if err != nil {
		writeError(w, r, apiErr(http.StatusServiceUnavailable, CodeUnavailable, "try again later"))
		return
	}
	page := InboxPage{Messages: []InboxItem{}, Next: next}
	for _, m := range msgs {
		raw := m.Raw
		sig, err := s.deps.Signer().SignDetached(raw, m.MessageID, s.deps.Now())
		if err != nil {
			writeError(w, r, apiErr(http.StatusInternalServerError, CodeInternal, "signing failed"))
			return
		}
		page.Messages = append(page.Messages, InboxItem{ID: m.MessageID, Cursor: m.InboxSeq,
			MessageID: m.MessageID, Format: m.Format, ContentType: m.ContentType, Body: string(raw), Signature: sig})
	}
	writeJSON(w, http.StatusOK, page)
}

// InboxFile is one file waiting for a partner that takes files: the
// transactions of one batch window, one a line.
type InboxFile struct {
	// ID is the file ID: the jti of Signature, and what /v1/inbox/files/ack takes.
	ID           string    `json:"id"`
	Cursor       int64     `json:"cursor"`
	WindowStart  time.Time `json:"windowStart"`
	ContentType  string    `json:"contentType"`
	Transactions []string  `json:"transactions"`
	// Body is the file exactly as signed.
	Body string `json:"body"`
	// Signature is our detached JWS over Body.
	Signature string `json:"signature"`
}

// FileInboxPage is the answer to GET /v1/inbox/files.
type FileInboxPage struct {
	Files []InboxFile `json:"files"`
	Next  int64       `json:"next"`
}

func (s *Server) fileInbox(w http.ResponseWriter, r *http.Request) {
	p := PartnerFrom(r.Context())
	if p.FileWindow <= 0 {
		writeError(w, r, apiErr(http.StatusNotFound, CodeNotFound, "you take messages one at a time (GET /v1/inbox); ask the operator to set file_window to take files"))
		return
	}
	after := int64(0)
	if v := r.URL.Query().Get("after"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			writeError(w, r, &APIError{Status: http.StatusBadRequest, Code: CodeBadRequest, Message: "after must be a cursor from a previous page",
				Fields: []canonical.FieldError{{Path: "after", Reason: "not a non-negative integer"}}})
			return
		}
		after = n
	}
	files, next, err := s.deps.Store.FileInboxList(r.Context(), p.ID, p.FileWindow, s.deps.Now(), after, 20)
	if err != nil {
		writeError(w, r, apiErr(http.StatusServiceUnavailable, CodeUnavailable, "try again later"))
		return
	}
	page := FileInboxPage{Files: []InboxFile{}, Next: next}
	for _, f := range files {
		if len(f.Messages) == 0 {
			continue // every transaction of it was picked up one at a time
		}
		sig, err := s.deps.Signer().SignDetached(f.Body, f.FileID, s.deps.Now())
		if err != nil {
			writeError(w, r, apiErr(http.StatusInternalServerError, CodeInternal, "signing failed"))
			return
		}
		item := InboxFile{ID: f.FileID, Cursor: f.Cursor, WindowStart: f.WindowStart, ContentType: f.ContentType,
			Transactions: make([]string, len(f.Messages)), Body: string(f.Body), Signature: sig}
		for i, m := range f.Messages {
			item.Transactions[i] = m.MessageID
		}
		page.Files = append(page.Files, item)
	}
	writeJSON(w, http.StatusOK, page)
}

func (s *Server) fileInboxAck(w http.ResponseWriter, r *http.Request) {
	p := PartnerFrom(r.Context())
	req, ok := readAck(w, r, 100, "file ids")
	if !ok {
		return
	}
	n, err := s.deps.Store.FileInboxAck(r.Context(), p.ID, req.IDs)
	writeAcked(w, r, n, err)
}

// readAck reads an acknowledgment body of 1 to most ids (what names the
// kind of id in the error), answering 400 itself when it is not one.
func readAck(w http.ResponseWriter, r *http.Request, most int, what string) (AckRequest, bool) {
	var req AckRequest
	dec := json.NewDecoder(io.LimitReader(r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil || len(req.IDs) == 0 || len(req.IDs) > most {
		writeError(w, r, &APIError{Status: http.StatusBadRequest, Code: CodeBadRequest,
			Message: fmt.Sprintf(`body must be {"ids": [...]} with 1 to %d %s`, most, what),
			Fields:  []canonical.FieldError{{Path: "ids", Reason: "missing, empty or too many"}}})
		return req, false
	}
	return req, true
}

// writeAcked answers how many items an acknowledgment removed from the inbox.
func writeAcked(w http.ResponseWriter, r *http.Request, n int, err error) {
	if err != nil {
		writeError(w, r, apiErr(http.StatusServiceUnavailable, CodeUnavailable, "try again later"))
		return
	}
	writeJSON(w, http.StatusOK, map[string]int{"acked": n})
}

// AckRequest is the body of POST /v1/inbox/ack.
type AckRequest struct {
	IDs []string `json:"ids"`
}

func (s *Server) inboxAck(w http.ResponseWriter, r *http.Request) {
	p := PartnerFrom(r.Context())
	req, ok := readAck(w, r, 500, "ids")
	if !ok {
		return
	}
	for i, id := range req.IDs {
		if id == "" || len(id) > canonical.MaxMessageIDLen {
			writeError(w, r, &APIError{Status: http.StatusBadRequest, Code: CodeBadRequest, Message: "ids are the inbox items' message ids",
				Fields: []canonical.FieldError{{Path: fmt.Sprintf("ids[%d]", i), Reason: "empty or longer than 64 characters"}}})
			return
		}
	}
	n, err := s.deps.Store.InboxAck(r.Context(), p.ID, req.IDs)
	writeAcked(w, r, n, err)
}
