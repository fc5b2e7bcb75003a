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
	"mime"
	"net/http"
	"strconv"
	"time"

	"github.com/gorilla/mux"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"github.com/uifsagw/uifsagw/gateway/exchange"
	"github.com/uifsagw/uifsagw/gateway/signing"
	"github.com/uifsagw/uifsagw/gateway/telemetry"
	"github.com/uifsagw/uifsagw/partners"
	"github.com/uifsagw/uifsagw/schemas/canonical"
)

// Codec decodes one partner format (transforms codecs satisfy it).
type Codec interface {
	ContentType() string
	Decode(b []byte) (canonical.Transaction, canonical.FieldErrors)
}

// Store is what the edge needs of the exchange store.
type Store interface {
	Receive(ctx context.Context, in exchange.Inbound, sign func(exchange.Receipt) (string, error)) (exchange.Receipt, bool, error)
	RecordRefusal(ctx context.Context, r exchange.Refusal) error
	GetBySenderID(ctx context.Context, partner string, dir exchange.Direction, messageID string) (exchange.Message, error)
	IssuedReceipt(ctx context.Context, id int64) (exchange.Receipt, error)
	Responses(ctx context.Context, msgID string) ([]exchange.Message, error)
	InboxList(ctx context.Context, partner string, after int64, limit int) ([]exchange.Message, int64, error)
	InboxAck(ctx context.Context, partner string, ids []string) (int, error)
}

// Config is the edge's own settings.
type Config struct {
	// StateFIPS is our state: every inbound message must be addressed to it.
	StateFIPS string
	// Name is the issuer named in receipts.
	Name      string
	MaxBody   int64
	IATWindow time.Duration
	// ClientCAs, when set, must also validate every partner's chain.
	ClientCAs      *x509.CertPool
	HandlerTimeout time.Duration
}

// Deps are the edge's collaborators.
type Deps struct {
	Directory func() *partners.Directory
	Store     Store
	// Signer returns the current signing key (it may rotate).
	Signer func() *signing.Signer
	// PublicKeys returns our published JWKS (current and previous keys).
	PublicKeys func() any
	// CodecFor returns the codec a partner speaks.
	CodecFor func(p *partners.Partner) (Codec, error)
	// Validate checks a decoded transaction (canonical Validate with the loaded code table).
	Validate func(t *canonical.Transaction) canonical.FieldErrors
	Metrics  *telemetry.Metrics
	Tracer   trace.Tracer
	Log      *slog.Logger
	Now      func() time.Time
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
	api.HandleFunc("/inbox", s.inbox).Methods(http.MethodGet)
	api.HandleFunc("/inbox/ack", s.inboxAck).Methods(http.MethodPost)
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
	if s.cfg.HandlerTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, s.cfg.HandlerTimeout)
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
	if r.ContentLength > s.cfg.MaxBody {
		s.refuse(w, r, p, apiErr(http.StatusRequestEntityTooLarge, CodeTooLarge, fmt.Sprintf("body over %d bytes", s.cfg.MaxBody)), "", nil)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.cfg.MaxBody))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			s.refuse(w, r, p, apiErr(http.StatusRequestEntityTooLarge, CodeTooLarge, fmt.Sprintf("body over %d bytes", s.cfg.MaxBody)), "", nil)
			return
		}
		s.refuse(w, r, p, apiErr(http.StatusBadRequest, CodeBadRequest, "could not read the body"), "", nil)
		return
	}
	res := s.Intake(r.Context(), p, body, r.Header.Get("Content-Type"), r.Header.Get("JWS-Signature"), r.RemoteAddr)
	if res.Err != nil {
		if res.Err.Status == http.StatusServiceUnavailable {
			w.Header().Set("Retry-After", "5")
		}
		writeError(w, r, res.Err)
		return
	}
	writeReceipt(w, r, res.Status, res.Receipt)
}

// IntakeResult is the outcome of one message offered to the gateway.
type IntakeResult struct {
	// Status is 202 for a new message, 200 for a repeat; Err is set instead on refusal.
	Status  int
	Receipt ReceiptResponse
	Err     *APIError
}

// Intake runs one message through the whole inbound pipeline: media type,
// JWS over the exact bytes, decode, validate, authorise, store, sign the
// receipt. Refusals are recorded and counted. It serves both the partner API
// and messages fetched from a partner's inbox (pull mode).
func (s *Server) Intake(ctx context.Context, p *partners.Partner, body []byte, contentType, signature, remote string) IntakeResult {
	start := s.deps.Now()
	ctx, span := s.deps.Tracer.Start(ctx, "intake", trace.WithSpanKind(trace.SpanKindServer),
		trace.WithAttributes(attribute.String("partner", p.ID)))
	defer span.End()
	outcome := "refused"
	defer func() {
		s.deps.Metrics.IntakeSeconds.Record(ctx, s.deps.Now().Sub(start).Seconds(), telemetry.Attrs("partner", p.ID, "outcome", outcome))
	}()
	fail := func(e *APIError, msgID string, b []byte) IntakeResult {
		span.SetStatus(codes.Error, e.Code)
		span.SetAttributes(attribute.String("error.code", e.Code))
		s.record(ctx, p, e, msgID, b, remote)
		return IntakeResult{Err: e}
	}
	if int64(len(body)) > s.cfg.MaxBody {
		return fail(apiErr(http.StatusRequestEntityTooLarge, CodeTooLarge, fmt.Sprintf("body over %d bytes", s.cfg.MaxBody)), "", nil)
	}
	codec, err := s.deps.CodecFor(p)
	if err != nil {
		s.deps.Log.Error("partner has no usable codec", "partner", p.ID, "format", p.Format, "err", err)
		return fail(apiErr(http.StatusInternalServerError, CodeInternal, "the gateway cannot read this partner's format; contact the operator"), "", body)
	}
	if !sameMediaType(contentType, codec.ContentType()) {
		return fail(apiErr(http.StatusUnsupportedMediaType, CodeMediaType,
			fmt.Sprintf("this partner sends %s (%s)", codec.ContentType(), p.Format)), "", body)
	}

	_, vspan := s.deps.Tracer.Start(ctx, "verify")
	claims, err := signing.Verifier{Window: s.cfg.IATWindow}.VerifyDetached(signature, body, p.JWKS(), s.deps.Now())
	vspan.End()
	if err != nil {
		return fail(signatureError(err), claims.JTI, body)
	}

	_, dspan := s.deps.Tracer.Start(ctx, "decode")
	tx, ferrs := codec.Decode(body)
	dspan.End()
	if len(ferrs) > 0 {
		e := apiErr(http.StatusBadRequest, CodeMalformed, "the message could not be decoded")
		e.Fields = ferrs
		return fail(e, claims.JTI, body)
	}
	_, valspan := s.deps.Tracer.Start(ctx, "validate")
	ferrs = s.deps.Validate(&tx)
	valspan.End()
	if len(ferrs) > 0 {
		e := apiErr(http.StatusUnprocessableEntity, CodeInvalid, fmt.Sprintf("%d field(s) are invalid", len(ferrs)))
		e.Fields = ferrs
		return fail(e, tx.Header.MessageID, body)
	}
	if claims.JTI != tx.Header.MessageID {
		e := apiErr(http.StatusBadRequest, CodeJTIMismatch, "the signature's jti must equal header.messageId")
		e.Fields = []canonical.FieldError{{Path: "header.messageId", Reason: fmt.Sprintf("does not match jti %q", claims.JTI)}}
		return fail(e, tx.Header.MessageID, body)
	}
	if !p.MaySendAs(tx.Header.SenderFIPS) {
		e := apiErr(http.StatusForbidden, CodeSenderMismatch, "the sender FIPS does not belong to the partner of this certificate")
		e.Fields = []canonical.FieldError{{Path: "header.senderFips", Reason: fmt.Sprintf("%s may not be sent by partner %s", tx.Header.SenderFIPS, p.ID)}}
		return fail(e, tx.Header.MessageID, body)
	}
	if tx.Header.ReceiverFIPS.State() != s.cfg.StateFIPS {
		e := apiErr(http.StatusUnprocessableEntity, CodeWrongReceiver, "the message is not addressed to this gateway")
		e.Fields = []canonical.FieldError{{Path: "header.receiverFips", Reason: fmt.Sprintf("this gateway receives for state %s", s.cfg.StateFIPS)}}
		return fail(e, tx.Header.MessageID, body)
	}
	span.SetAttributes(attribute.String("function", string(tx.Header.Function)), attribute.String("action", string(tx.Header.Action)))

	_, sspan := s.deps.Tracer.Start(ctx, "store")
	in := exchange.Inbound{Partner: p.ID, MessageID: tx.Header.MessageID, Format: p.Format,
		ContentType: codec.ContentType(), Raw: body, Tx: tx, Signature: signature,
		TraceID: span.SpanContext().TraceID().String(), ReceivedAt: s.deps.Now()}
	rcpt, repeat, err := s.deps.Store.Receive(ctx, in, func(rc exchange.Receipt) (string, error) {
		return s.deps.Signer().SignReceipt(signing.Receipt{ID: rc.ID, Partner: rc.Partner, MessageID: rc.MessageID,
			BodySHA256: rc.BodySHA256, ReceivedAt: rc.ReceivedAt, Issuer: s.cfg.Name}, s.deps.Now())
	})
	sspan.End()
	switch {
	case errors.Is(err, exchange.ErrConflict):
		return fail(apiErr(http.StatusConflict, CodeConflict, "this message ID was already received with a different body"), tx.Header.MessageID, body)
	case err != nil:
		s.deps.Log.Error("store failed; no receipt given", "partner", p.ID, "err", err)
		return fail(apiErr(http.StatusServiceUnavailable, CodeUnavailable, "the gateway could not store the message; nothing was received, retry later"), tx.Header.MessageID, nil)
	}
	status := http.StatusAccepted
	outcome = "new"
	if repeat {
		status, outcome = http.StatusOK, "repeat"
	}
	s.deps.Metrics.Received.Add(ctx, 1, telemetry.Attrs("partner", p.ID, "function", string(tx.Header.Function), "outcome", outcome))
	return IntakeResult{Status: status, Receipt: ReceiptResponse{Status: "received", MessageID: rcpt.MessageID, ReceiptID: rcpt.ID,
		ReceivedAt: rcpt.ReceivedAt, Repeat: repeat, Receipt: rcpt.JWS}}
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

func sameMediaType(got, want string) bool {
	g, _, err := mime.ParseMediaType(got)
	if err != nil {
		return false
	}
	w, _, _ := mime.ParseMediaType(want)
	return g == w
}

func signatureError(err error) *APIError {
	code := CodeSigInvalid
	switch {
	case errors.Is(err, signing.ErrMissing):
		code = CodeSigMissing
	case errors.Is(err, signing.ErrMalformed), errors.Is(err, signing.ErrNoJTI), errors.Is(err, signing.ErrNoIAT):
		code = CodeSigMalformed
	case errors.Is(err, signing.ErrAlgorithm):
		code = CodeSigAlgorithm
	case errors.Is(err, signing.ErrUnknownKey):
		code = CodeSigUnknownKey
	case errors.Is(err, signing.ErrStale):
		code = CodeSigStale
	}
	return apiErr(http.StatusUnauthorized, code, err.Error())
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

// InboxItem is one message waiting for a pull partner.
type InboxItem struct {
	// ID is what POST /v1/inbox/ack takes: the message ID.
	ID          string `json:"id"`
	Cursor      int64  `json:"cursor"`
	MessageID   string `json:"messageId"`
	Format      string `json:"format"`
	ContentType string `json:"contentType"`
	// Body is the message exactly as signed.
	Body string `json:"body"`
	// Signature is our detached JWS over Body.
	Signature string `json:"signature"`
}

// InboxPage is the answer to GET /v1/inbox.
type InboxPage struct {
	Messages []InboxItem `json:"messages"`
	Next     int64       `json:"next"`
}

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

// AckRequest is the body of POST /v1/inbox/ack.
type AckRequest struct {
	IDs []string `json:"ids"`
}

func (s *Server) inboxAck(w http.ResponseWriter, r *http.Request) {
	p := PartnerFrom(r.Context())
	var req AckRequest
	dec := json.NewDecoder(io.LimitReader(r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil || len(req.IDs) == 0 || len(req.IDs) > 500 {
		writeError(w, r, &APIError{Status: http.StatusBadRequest, Code: CodeBadRequest, Message: `body must be {"ids": [...]} with 1 to 500 ids`,
			Fields: []canonical.FieldError{{Path: "ids", Reason: "missing, empty or too many"}}})
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
	if err != nil {
		writeError(w, r, apiErr(http.StatusServiceUnavailable, CodeUnavailable, "try again later"))
		return
	}
	writeJSON(w, http.StatusOK, map[string]int{"acked": n})
}
