// Package partnercodecs resolves the codec each partner speaks: a built-in
// transaction or employer document format, or a partner's declarative
// dialect mapping from the partner directory. It also envelopes employers'
// e-IWO acknowledgments (one document, or a federal acknowledgment file) as
// canonical messages, so they pass through the same intake as states' posts.
package partnercodecs

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/uifsagw/uifsagw/gateway/filestamp"
	"github.com/uifsagw/uifsagw/gateway/intake"
	"github.com/uifsagw/uifsagw/partners"
	"github.com/uifsagw/uifsagw/schemas/canonical"
	"github.com/uifsagw/uifsagw/transforms"
	_ "github.com/uifsagw/uifsagw/transforms/all" // register every built-in codec
	"github.com/uifsagw/uifsagw/transforms/eiwofile"
	"github.com/uifsagw/uifsagw/transforms/mapping"
)

// Cache resolves the codec each partner speaks: a built-in format, or a
// declarative dialect mapping from the partner directory (loaded once per
// file version). It is safe for concurrent use.
type Cache struct {
	mu       sync.Mutex
	mappings map[string]cachedMapping
}

type cachedMapping struct {
	stamp string
	codec transforms.Codec
}

// New returns an empty cache.
func New() *Cache { return &Cache{mappings: map[string]cachedMapping{}} }

// Tx returns the transaction codec of a state partner.
func (c *Cache) Tx(p *partners.Partner) (transforms.Codec, error) {
	if p.Mapping != "" {
		path := p.Path(p.Mapping)
		stamp := filestamp.Of(path)
		c.mu.Lock()
		defer c.mu.Unlock()
		if m, ok := c.mappings[path]; ok && m.stamp == stamp {
			return m.codec, nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("partner %s mapping: %w", p.ID, err)
		}
		m, err := mapping.Load(b)
		if err != nil {
			return nil, fmt.Errorf("partner %s mapping %s: %w", p.ID, path, err)
		}
		codec := m.Codec(p.Format)
		c.mappings[path] = cachedMapping{stamp: stamp, codec: codec}
		return codec, nil
	}
	codec, ok := transforms.Lookup(p.Format)
	if !ok {
		return nil, fmt.Errorf("partner %s: unknown transaction format %q (known: %v)", p.ID, p.Format, transforms.Formats())
	}
	return codec, nil
}

// IWO returns the document codec of an employer partner.
func (c *Cache) IWO(p *partners.Partner) (transforms.IWOCodec, error) {
	codec, ok := transforms.LookupIWO(p.Format)
	if !ok {
		return nil, fmt.Errorf("partner %s: unknown employer document format %q (known: %v)", p.ID, p.Format, transforms.IWOFormats())
	}
	return codec, nil
}

// Check resolves every partner's codec, so a typo in the directory is found at
// load time rather than at the first message.
func (c *Cache) Check(d *partners.Directory) error {
	for _, p := range d.All() {
		var err error
		if p.Kind == partners.KindEmployer {
			_, err = c.IWO(p)
		} else {
			_, err = c.Tx(p)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// EncodeTx implements casework.Encoder.
func (c *Cache) EncodeTx(p *partners.Partner, tx canonical.Transaction) ([]byte, string, error) {
	codec, err := c.Tx(p)
	if err != nil {
		return nil, "", err
	}
	b, err := codec.Encode(tx)
	return b, codec.ContentType(), err
}

// EncodeIWO implements casework.Encoder.
func (c *Cache) EncodeIWO(p *partners.Partner, iwo canonical.IWO) ([]byte, string, error) {
	codec, err := c.IWO(p)
	if err != nil {
		return nil, "", err
	}
	b, err := codec.EncodeIWO(iwo)
	return b, codec.ContentType(), err
}

// DecodeAcks implements casework.Encoder: it reads an employer's
// acknowledgment, or all of a federal acknowledgment file.
func (c *Cache) DecodeAcks(p *partners.Partner, raw []byte) ([]canonical.EmployerAck, error) {
	codec, err := c.IWO(p)
	if err != nil {
		return nil, err
	}
	if fc, ok := codec.(*eiwofile.Codec); ok {
		_, acks, err := decodeAckFile(fc, raw)
		return acks, err
	}
	ack, errs := codec.DecodeAck(raw)
	if len(errs) > 0 {
		return nil, errs
	}
	return []canonical.EmployerAck{ack}, nil
}

// decodeAckFile reads a whole acknowledgment file into its acknowledgments,
// with the file's control number.
func decodeAckFile(fc *eiwofile.Codec, raw []byte) (string, []canonical.EmployerAck, error) {
	h, batches, err := fc.Layouts.DecodeAckFile(raw)
	if err != nil {
		return "", nil, err
	}
	var acks []canonical.EmployerAck
	for _, b := range batches {
		acks = append(acks, b.Acks...)
	}
	return h.Control, acks, nil
}

// AckFileMessageID is the message ID of an employer's acknowledgment file
// with control number c: the federal control number is never reused, so a
// repeat of the same file is idempotent.
func AckFileMessageID(c string) string { return "ACKFILE-" + c }

// ForPartner returns the codec intake decodes a partner's posts with: a
// state's transaction codec, or for an employer the acknowledgment envelope
// addressed to selfState (the 2-digit FIPS code of this gateway's state).
func (c *Cache) ForPartner(p *partners.Partner, selfState string) (intake.Codec, error) {
	if p.Kind == partners.KindEmployer {
		codec, err := c.IWO(p)
		if err != nil {
			return nil, err
		}
		return ackEnvelope{codec: codec, partner: p, selfState: selfState}, nil
	}
	return c.Tx(p)
}

// ackEnvelope lets employers post acknowledgments through the same intake as
// states: the acknowledgment is decoded and checked, and stored with a
// canonical envelope (ENF P ESWAG, or MSC P GSPUD for a rejection) that the queue, the search and the
// processors understand; the raw document stays the evidence. An employer
// signs its post with jti = "ACK-" + the tracking number it answers, so one
// document is acknowledged once and a repeat is idempotent.
type ackEnvelope struct {
	codec     transforms.IWOCodec
	partner   *partners.Partner
	selfState string
}

func (a ackEnvelope) ContentType() string { return a.codec.ContentType() }

// AckMessageID is the message ID of an acknowledgment of tracking number t.
func AckMessageID(t string) string { return "ACK-" + t }

func (a ackEnvelope) Decode(b []byte) (canonical.Transaction, canonical.FieldErrors) {
	if fc, ok := a.codec.(*eiwofile.Codec); ok {
		return a.decodeFile(fc, b)
	}
	ack, errs := a.codec.DecodeAck(b)
	if len(errs) > 0 {
		return canonical.Transaction{}, errs
	}
	var bad canonical.FieldErrors
	if ack.TrackingNumber == "" {
		bad = append(bad, canonical.FieldError{Path: "trackingNumber", Reason: "required"})
	}
	if ack.EmployerFEIN != a.partner.FEIN {
		bad = append(bad, canonical.FieldError{Path: "employerFein", Reason: "does not match the FEIN of the sending employer's certificate"})
	}
	// The acknowledgment is stored as the federal news it carries: wage
	// withholding established (ENF P ESWAG), or a status update (MSC P GSPUD)
	// when the employer rejected the IWO.
	fn, reason := canonical.FuncEnforce, canonical.ReasonWithholdingEstablished
	switch ack.Status {
	case canonical.AckAccepted, canonical.AckAcceptedWithNote:
	case canonical.AckRejected:
		fn, reason = canonical.FuncManageCases, canonical.ReasonStatusUpdate
		if len(ack.Reasons) == 0 {
			bad = append(bad, canonical.FieldError{Path: "reasons", Reason: "a rejection needs a reason"})
		}
	default:
		bad = append(bad, canonical.FieldError{Path: "status", Reason: fmt.Sprintf("unknown status %q", ack.Status)})
	}
	if len(bad) > 0 {
		return canonical.Transaction{}, bad
	}
	summary := fmt.Sprintf("Employer %s (FEIN %s) %s IWO %s", a.partner.Name, ack.EmployerFEIN, ack.Status, ack.TrackingNumber)
	for _, r := range ack.Reasons {
		summary += "; " + string(r) + " (" + r.Words() + ")"
	}
	if ack.OtherState != "" {
		summary += "; other state " + ack.OtherState
	}
	tx := canonical.Transaction{
		Header: canonical.Header{SenderFIPS: canonical.FIPS(a.partner.StateFIPS + "00000"), ReceiverFIPS: canonical.FIPS(a.selfState + "00000"),
			MessageID: AckMessageID(ack.TrackingNumber), Serial: 1, TransactionDate: ack.AckDate,
			SenderCaseID: truncateRunes(ack.ControlNumber, canonical.MaxCaseIDLen), Function: fn,
			Action: canonical.ActProvide, Reason: reason},
		Information: canonical.InformationText(summary),
	}
	// An e-IWO acknowledgment is not a CSENet transaction: the federal edits
	// of the combination it is filed under do not apply to it.
	canonical.MarkLegacy(&tx)
	return tx, nil
}

func truncateRunes(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		return string(r[:n])
	}
	return s
}

// decodeFile envelopes a federal acknowledgment file: refused whole when any
// record, count or EIN is wrong; otherwise one message (ACKFILE-<control>)
// whose processing acts on each ACK record.
func (a ackEnvelope) decodeFile(fc *eiwofile.Codec, b []byte) (canonical.Transaction, canonical.FieldErrors) {
	ctl, acks, err := decodeAckFile(fc, b)
	if err != nil {
		var fes eiwofile.Errors
		if errors.As(err, &fes) {
			out := make(canonical.FieldErrors, len(fes))
			for i, e := range fes {
				out[i] = canonical.FieldError{Path: e.Path(), PartnerPath: fmt.Sprintf("line %d %s", e.Line, e.Path()), Reason: e.Reason}
				if e.Start > 0 {
					out[i].PartnerPath += fmt.Sprintf(" (columns %d-%d)", e.Start, e.End)
				}
			}
			return canonical.Transaction{}, out
		}
		return canonical.Transaction{}, canonical.FieldErrors{{PartnerPath: "file", Reason: err.Error()}}
	}
	var bad canonical.FieldErrors
	counts := map[string]int{}
	for i, ack := range acks {
		if ack.EmployerFEIN != a.partner.FEIN {
			bad = append(bad, canonical.FieldError{Path: fmt.Sprintf("acks[%d].employerFein", i),
				Reason: "does not match the FEIN of the sending employer's certificate"})
		}
		switch {
		case ack.Notice != "":
			counts[string(ack.Notice)+" notice"]++
		default:
			counts[string(ack.Status)]++
		}
	}
	if len(acks) == 0 {
		bad = append(bad, canonical.FieldError{PartnerPath: "file", Reason: "no ACK records"})
	}
	if len(bad) > 0 {
		return canonical.Transaction{}, bad
	}
	summary := fmt.Sprintf("Employer %s (FEIN %s) acknowledgment file %s: %d records", a.partner.Name, a.partner.FEIN, ctl, len(acks))
	for _, k := range []string{"accepted", "accepted_with_note", "rejected", "termination notice", "lump_sum notice"} {
		if n := counts[k]; n > 0 {
			summary += fmt.Sprintf(", %d %s", n, strings.ReplaceAll(k, "_", " "))
		}
	}
	fn, reason := canonical.FuncEnforce, canonical.ReasonWithholdingEstablished
	if counts["rejected"]+counts["termination notice"] > 0 {
		fn, reason = canonical.FuncManageCases, canonical.ReasonStatusUpdate
	}
	env := canonical.Transaction{
		Header: canonical.Header{SenderFIPS: canonical.FIPS(a.partner.StateFIPS + "00000"), ReceiverFIPS: canonical.FIPS(a.selfState + "00000"),
			MessageID: AckFileMessageID(ctl), Serial: 1, TransactionDate: fileDate(acks[0].AckDate),
			SenderCaseID: truncateRunes(ctl, canonical.MaxCaseIDLen), Function: fn,
			Action: canonical.ActProvide, Reason: reason},
		Information: canonical.InformationText(summary),
	}
	// The envelope is the gateway's own record of an employer's file, not a
	// CSENet transaction anyone receives: the federal per-transaction edits
	// (case, NCP and participant blocks) have nothing to check in it.
	canonical.MarkLegacy(&env)
	return env, nil
}

// fileDate is the acknowledgment file's date, or today when its batch header
// gives none.
func fileDate(d canonical.Date) canonical.Date {
	if d.IsZero() {
		return canonical.DateOf(time.Now())
	}
	return d
}
