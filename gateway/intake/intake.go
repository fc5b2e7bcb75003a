// Package intake is the inbound use case: one message (or one file of many
// transactions) offered by a partner is checked — media type, detached JWS
// over the exact bytes, decode, validate, authorise — stored in one
// transaction and answered with a signed receipt. The partner API, the
// pull-inbox fetcher and batch files all go through it; none of it knows
// about HTTP, so each caller translates its own transport to a Request.
package intake

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/uifsagw/uifsagw/gateway/exchange"
	"github.com/uifsagw/uifsagw/gateway/signing"
	"github.com/uifsagw/uifsagw/gateway/telemetry"
	"github.com/uifsagw/uifsagw/partners"
	"github.com/uifsagw/uifsagw/schemas/canonical"
)

// Refusal codes partners see. They are stable: partners branch on them.
const (
	CodeTooLarge       = "body_too_large"
	CodeMediaType      = "unsupported_media_type"
	CodeSigMissing     = "signature_missing"
	CodeSigMalformed   = "signature_malformed"
	CodeSigAlgorithm   = "signature_algorithm"
	CodeSigUnknownKey  = "signature_unknown_key"
	CodeSigInvalid     = "signature_invalid"
	CodeSigStale       = "signature_stale"
	CodeJTIMismatch    = "jti_mismatch"
	CodeMalformed      = "malformed"
	CodeInvalid        = "invalid"
	CodeSenderMismatch = "sender_mismatch"
	CodeWrongReceiver  = "wrong_receiver"
	CodeConflict       = "conflict"
	CodeUnavailable    = "unavailable"
	CodeInternal       = "internal"
)

// Error is a refusal: a stable code, a sentence for the partner's operator
// and, where a field is at fault, which field and why.
type Error struct {
	Code    string                 `json:"code" xml:"code"`
	Message string                 `json:"message" xml:"message"`
	Fields  []canonical.FieldError `json:"fields,omitempty" xml:"fields>field,omitempty"`
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Temporary reports whether the same request may succeed later (the store
// was unavailable); every other refusal is final for those bytes.
func (e *Error) Temporary() bool { return e.Code == CodeUnavailable }

func refusal(code, msg string, fields ...canonical.FieldError) *Error {
	return &Error{Code: code, Message: msg, Fields: fields}
}

// Codec decodes one partner format (transforms codecs satisfy it).
type Codec interface {
	ContentType() string
	Decode(b []byte) (canonical.Transaction, canonical.FieldErrors)
}

// Store is what intake needs of the exchange store.
type Store interface {
	Receive(ctx context.Context, in exchange.Inbound, sign func(exchange.Receipt) (string, error)) (exchange.Receipt, bool, error)
	ReceiveFile(ctx context.Context, f exchange.InboundFile, signItem func(exchange.Receipt) (string, error), sign exchange.FileSigner) (exchange.FileReceipt, bool, error)
}

// Config is the intake's own settings.
type Config struct {
	// StateFIPS is our state: every inbound message must be addressed to it.
	StateFIPS string
	// Name is the issuer named in receipts.
	Name    string
	MaxBody int64
	// MaxFileBody bounds a file of many transactions (default DefaultMaxFileBody).
	MaxFileBody int64
	IATWindow   time.Duration
}

// Deps are the intake's collaborators.
type Deps struct {
	Store Store
	// Signer returns the current signing key (it may rotate).
	Signer func() *signing.Signer
	// CodecFor returns the codec a partner speaks.
	CodecFor func(p *partners.Partner) (Codec, error)
	// Validate checks a decoded transaction (canonical Validate with the loaded code table).
	Validate func(t *canonical.Transaction) canonical.FieldErrors
	// Refused counts and records a refusal; the partner API owns the refusal
	// log (it also records refusals that never reach intake, such as an
	// unknown certificate), so intake reports to it.
	Refused func(ctx context.Context, p *partners.Partner, e *Error, msgID string, body []byte, remote string)
	Metrics *telemetry.Metrics
	Tracer  trace.Tracer
	Log     *slog.Logger
	Now     func() time.Time
}

// Service runs the inbound use case.
type Service struct {
	cfg  Config
	deps Deps
}

// New builds the intake service.
func New(cfg Config, deps Deps) *Service {
	if deps.Now == nil {
		deps.Now = time.Now
	}
	if deps.Refused == nil {
		deps.Refused = func(context.Context, *partners.Partner, *Error, string, []byte, string) {}
	}
	return &Service{cfg: cfg, deps: deps}
}

// Request is one message offered by a known partner.
type Request struct {
	Partner *partners.Partner
	// Body is the message exactly as signed.
	Body        []byte
	ContentType string
	// Signature is the partner's detached compact JWS over Body.
	Signature string
	// Remote says where the request came from, for the refusal record: a
	// network address, or "fetched:<partner>" for a message pulled from a
	// partner's inbox.
	Remote string
}

// Result is the outcome of one message: a receipt, or Err on refusal.
type Result struct {
	Receipt exchange.Receipt
	// Repeat is true when the message had been stored before; Receipt is
	// then the one issued the first time.
	Repeat bool
	Err    *Error
}

// Receive runs one message through the whole inbound pipeline: media type,
// JWS over the exact bytes, decode, validate, authorise, store, sign the
// receipt. Refusals are recorded and counted.
func (s *Service) Receive(ctx context.Context, req Request) Result {
	p := req.Partner
	c := s.begin(ctx, "intake", req)
	defer c.end("")
	ctx, span := c.ctx, c.span
	fail := func(e *Error, msgID string, b []byte) Result {
		c.refuse(e, msgID, b)
		return Result{Err: e}
	}
	body := req.Body
	codec, claims, e := c.admit(s.cfg.MaxBody, s.tooLarge)
	if e != nil {
		return Result{Err: e}
	}

	_, dspan := s.deps.Tracer.Start(ctx, "decode")
	tx, ferrs := codec.Decode(body)
	dspan.End()
	if len(ferrs) > 0 {
		return fail(refusal(CodeMalformed, "the message could not be decoded", ferrs...), claims.JTI, body)
	}
	_, valspan := s.deps.Tracer.Start(ctx, "validate")
	ferrs = s.deps.Validate(&tx)
	valspan.End()
	if len(ferrs) > 0 {
		return fail(refusal(CodeInvalid, fmt.Sprintf("%d field(s) are invalid", len(ferrs)), ferrs...), tx.Header.MessageID, body)
	}
	if claims.JTI != tx.Header.MessageID {
		return fail(refusal(CodeJTIMismatch, "the signature's jti must equal header.messageId",
			canonical.FieldError{Path: "header.messageId", Reason: fmt.Sprintf("does not match jti %q", claims.JTI)}), tx.Header.MessageID, body)
	}
	if e := s.authorise(p, &tx); e != nil {
		return fail(e, tx.Header.MessageID, body)
	}
	span.SetAttributes(attribute.String("function", string(tx.Header.Function)), attribute.String("action", string(tx.Header.Action)))

	_, sspan := s.deps.Tracer.Start(ctx, "store")
	in := exchange.Inbound{Partner: p.ID, MessageID: tx.Header.MessageID, Format: p.Format,
		ContentType: codec.ContentType(), Raw: body, Tx: tx, Signature: req.Signature,
		TraceID: span.SpanContext().TraceID().String(), ReceivedAt: s.deps.Now()}
	rcpt, repeat, err := s.deps.Store.Receive(ctx, in, s.signReceipt)
	sspan.End()
	switch {
	case errors.Is(err, exchange.ErrConflict):
		return fail(refusal(CodeConflict, "this message ID was already received with a different body"), tx.Header.MessageID, body)
	case err != nil:
		s.deps.Log.Error("store failed; no receipt given", "partner", p.ID, "err", err)
		return fail(unavailable(), tx.Header.MessageID, nil)
	}
	c.outcome = "new"
	if repeat {
		c.outcome = "repeat"
	}
	s.deps.Metrics.Received.Add(ctx, 1, telemetry.Attrs("partner", p.ID, "function", string(tx.Header.Function), "outcome", c.outcome))
	return Result{Receipt: rcpt, Repeat: repeat}
}

// call is one intake request in flight: its span, and the latency record
// that its outcome closes. Messages and files share it so both are traced,
// timed and refused the same way.
type call struct {
	s       *Service
	ctx     context.Context
	span    trace.Span
	req     Request
	start   time.Time
	outcome string
}

// begin opens the server span of one request; the outcome is "refused"
// until the caller says otherwise.
func (s *Service) begin(ctx context.Context, name string, req Request) *call {
	start := s.deps.Now()
	ctx, span := s.deps.Tracer.Start(ctx, name, trace.WithSpanKind(trace.SpanKindServer),
		trace.WithAttributes(attribute.String("partner", req.Partner.ID)))
	return &call{s: s, ctx: ctx, span: span, req: req, start: start, outcome: "refused"}
}

// end records the latency under the outcome (prefixed, so files and single
// messages stay apart) and closes the span.
func (c *call) end(prefix string) {
	c.s.deps.Metrics.IntakeSeconds.Record(c.ctx, c.s.deps.Now().Sub(c.start).Seconds(),
		telemetry.Attrs("partner", c.req.Partner.ID, "outcome", prefix+c.outcome))
	c.span.End()
}

// refuse marks the span failed and records the refusal; id names the
// message or file when it is known, b is what to keep of the body.
func (c *call) refuse(e *Error, id string, b []byte) {
	c.span.SetStatus(codes.Error, e.Code)
	c.span.SetAttributes(attribute.String("error.code", e.Code))
	c.s.deps.Refused(c.ctx, c.req.Partner, e, id, b, c.req.Remote)
}

// admit runs the checks a body passes before it is read as transactions:
// its size against limit, the partner's media type and the detached
// signature over the exact bytes. A refusal is recorded (under the
// signature's jti once it is known) and returned.
func (c *call) admit(limit int64, tooLarge func() *Error) (Codec, signing.Claims, *Error) {
	body := c.req.Body
	if int64(len(body)) > limit {
		e := tooLarge()
		c.refuse(e, "", nil)
		return nil, signing.Claims{}, e
	}
	codec, e := c.s.codec(c.req.Partner, c.req.ContentType)
	if e != nil {
		c.refuse(e, "", body)
		return nil, signing.Claims{}, e
	}
	claims, err := c.s.verify(c.ctx, c.req)
	if err != nil {
		e := SignatureError(err)
		c.refuse(e, claims.JTI, body)
		return nil, claims, e
	}
	return codec, claims, nil
}

// verify checks the partner's detached JWS over the exact body.
func (s *Service) verify(ctx context.Context, req Request) (signing.Claims, error) {
	_, span := s.deps.Tracer.Start(ctx, "verify")
	defer span.End()
	return signing.Verifier{Window: s.cfg.IATWindow}.VerifyDetached(req.Signature, req.Body, req.Partner.JWKS(), s.deps.Now())
}

func (s *Service) tooLarge() *Error {
	return refusal(CodeTooLarge, fmt.Sprintf("body over %d bytes", s.cfg.MaxBody))
}

func unavailable() *Error {
	return refusal(CodeUnavailable, "the gateway could not store the message; nothing was received, retry later")
}

// MaxBody is the largest body intake takes; transports refuse larger ones
// before reading them whole.
func (s *Service) MaxBody() int64 { return s.cfg.MaxBody }

// codec is the partner's codec if contentType is its media type.
func (s *Service) codec(p *partners.Partner, contentType string) (Codec, *Error) {
	codec, err := s.deps.CodecFor(p)
	if err != nil {
		s.deps.Log.Error("partner has no usable codec", "partner", p.ID, "format", p.Format, "err", err)
		return nil, refusal(CodeInternal, "the gateway cannot read this partner's format; contact the operator")
	}
	if !sameMediaType(contentType, codec.ContentType()) {
		return nil, refusal(CodeMediaType, fmt.Sprintf("this partner sends %s (%s)", codec.ContentType(), p.Format))
	}
	return codec, nil
}

// authorise checks that the partner may speak for the sender and that the
// transaction is addressed to this gateway.
func (s *Service) authorise(p *partners.Partner, tx *canonical.Transaction) *Error {
	if !p.MaySendAs(tx.Header.SenderFIPS) {
		return refusal(CodeSenderMismatch, "the sender FIPS does not belong to the partner of this certificate",
			canonical.FieldError{Path: "header.senderFips", Reason: fmt.Sprintf("%s may not be sent by partner %s", tx.Header.SenderFIPS, p.ID)})
	}
	if tx.Header.ReceiverFIPS.State() != s.cfg.StateFIPS {
		return refusal(CodeWrongReceiver, "the message is not addressed to this gateway",
			canonical.FieldError{Path: "header.receiverFips", Reason: fmt.Sprintf("this gateway receives for state %s", s.cfg.StateFIPS)})
	}
	return nil
}

func (s *Service) signReceipt(rc exchange.Receipt) (string, error) {
	return s.deps.Signer().SignReceipt(signing.Receipt{ID: rc.ID, Partner: rc.Partner, MessageID: rc.MessageID,
		BodySHA256: rc.BodySHA256, ReceivedAt: rc.ReceivedAt, Issuer: s.cfg.Name}, s.deps.Now())
}

func sameMediaType(got, want string) bool {
	g, _, err := mime.ParseMediaType(got)
	if err != nil {
		return false
	}
	w, _, _ := mime.ParseMediaType(want)
	return g == w
}

// SignatureError is the refusal for a detached JWS that did not verify.
func SignatureError(err error) *Error {
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
	return refusal(code, err.Error())
}
