package gateway

import (
	"fmt"
	"os"
	"sync"

	"github.com/uifsagw/uifsagw/partners"
	"github.com/uifsagw/uifsagw/schemas/canonical"
	"github.com/uifsagw/uifsagw/transforms"
	_ "github.com/uifsagw/uifsagw/transforms/all" // register every built-in codec
	"github.com/uifsagw/uifsagw/transforms/mapping"
)

// codecCache resolves the codec each partner speaks: a built-in format, or a
// declarative dialect mapping from the partner directory (loaded once per
// file version).
type codecCache struct {
	mu       sync.Mutex
	mappings map[string]cachedMapping
}

type cachedMapping struct {
	stamp string
	codec transforms.Codec
}

func newCodecCache() *codecCache { return &codecCache{mappings: map[string]cachedMapping{}} }

// Tx returns the transaction codec of a state partner.
func (c *codecCache) Tx(p *partners.Partner) (transforms.Codec, error) {
	if p.Mapping != "" {
		path := p.Path(p.Mapping)
		stamp := fileStamp(path)
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
func (c *codecCache) IWO(p *partners.Partner) (transforms.IWOCodec, error) {
	codec, ok := transforms.LookupIWO(p.Format)
	if !ok {
		return nil, fmt.Errorf("partner %s: unknown employer document format %q (known: %v)", p.ID, p.Format, transforms.IWOFormats())
	}
	return codec, nil
}

// check resolves every partner's codec, so a typo in the directory is found at
// load time rather than at the first message.
func (c *codecCache) check(d *partners.Directory) error {
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
func (c *codecCache) EncodeTx(p *partners.Partner, tx canonical.Transaction) ([]byte, string, error) {
	codec, err := c.Tx(p)
	if err != nil {
		return nil, "", err
	}
	b, err := codec.Encode(tx)
	return b, codec.ContentType(), err
}

// EncodeIWO implements casework.Encoder.
func (c *codecCache) EncodeIWO(p *partners.Partner, iwo canonical.IWO) ([]byte, string, error) {
	codec, err := c.IWO(p)
	if err != nil {
		return nil, "", err
	}
	b, err := codec.EncodeIWO(iwo)
	return b, codec.ContentType(), err
}

// DecodeAck implements casework.Encoder: it reads an employer's acknowledgment.
func (c *codecCache) DecodeAck(p *partners.Partner, raw []byte) (canonical.EmployerAck, error) {
	codec, err := c.IWO(p)
	if err != nil {
		return canonical.EmployerAck{}, err
	}
	ack, errs := codec.DecodeAck(raw)
	if len(errs) > 0 {
		return ack, errs
	}
	return ack, nil
}

// forPartner returns the codec the edge decodes a partner's posts with.
func (c *codecCache) forPartner(p *partners.Partner, selfState string) (edgeCodec, error) {
	if p.Kind == partners.KindEmployer {
		codec, err := c.IWO(p)
		if err != nil {
			return nil, err
		}
		return ackEnvelope{codec: codec, partner: p, selfState: selfState}, nil
	}
	return c.Tx(p)
}

type edgeCodec interface {
	ContentType() string
	Decode(b []byte) (canonical.Transaction, canonical.FieldErrors)
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
		summary += "; " + string(r)
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
