package partnercodecs_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/uifsagw/uifsagw/gateway/partnercodecs"
	"github.com/uifsagw/uifsagw/partners"
	"github.com/uifsagw/uifsagw/schemas/canonical"
	"github.com/uifsagw/uifsagw/transforms/eiwo"
	"github.com/uifsagw/uifsagw/transforms/eiwofile"
	"github.com/uifsagw/uifsagw/transforms/jsontx"
)

func read(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestBuiltInAndUnknownFormats(t *testing.T) {
	c := partnercodecs.New()
	codec, err := c.Tx(&partners.Partner{ID: "ny", Format: jsontx.Format})
	if err != nil || codec.ContentType() == "" {
		t.Fatalf("built-in transaction format: %v, %v", codec, err)
	}
	if _, err := c.Tx(&partners.Partner{ID: "zz", Format: "smoke-signals/1"}); err == nil ||
		!strings.Contains(err.Error(), "partner zz") || !strings.Contains(err.Error(), "smoke-signals/1") {
		t.Errorf("unknown transaction format: %v", err)
	}
	if _, err := c.IWO(&partners.Partner{ID: "acme", Kind: partners.KindEmployer, Format: jsontx.Format}); err == nil ||
		!strings.Contains(err.Error(), "partner acme") {
		t.Errorf("a transaction format for an employer: %v", err)
	}
	if _, _, err := c.EncodeTx(&partners.Partner{ID: "zz", Format: "smoke-signals/1"}, canonical.Transaction{}); err == nil {
		t.Error("encoding in an unknown format succeeded")
	}
}

// A partner's dialect mapping is read once and read again only when its
// file is replaced; a broken replacement is reported, naming the partner.
func TestMappingReloadsWhenReplaced(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "pa.yaml")
	if err := os.WriteFile(path, read(t, "../../partners/dialects/pa-json-v1.yaml"), 0o600); err != nil {
		t.Fatal(err)
	}
	p := &partners.Partner{ID: "pa", Format: "pa-json/1", Mapping: path}
	c := partnercodecs.New()
	first, err := c.Tx(p)
	if err != nil {
		t.Fatal(err)
	}
	if first.ContentType() != "application/json" {
		t.Errorf("content type %q", first.ContentType())
	}
	again, err := c.Tx(p)
	if err != nil || again != first {
		t.Errorf("an unchanged mapping was loaded again (%v)", err)
	}
	if err := os.WriteFile(path, []byte("format: [not, a, mapping\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	later := time.Now().Add(time.Hour)
	if err := os.Chtimes(path, later, later); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Tx(p); err == nil || !strings.Contains(err.Error(), "partner pa mapping") {
		t.Errorf("a broken replacement mapping: %v", err)
	}
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Tx(p); err == nil {
		t.Error("a removed mapping file still resolves")
	}
}

// text is the envelope's summary on one line, as wrapping left it.
func text(tx canonical.Transaction) string {
	if tx.Information == nil {
		return ""
	}
	return strings.Join(strings.Fields(tx.Information.Text), " ")
}

func employer(format string) *partners.Partner {
	return &partners.Partner{ID: "acme", Name: "Acme Staffing", Kind: partners.KindEmployer, Format: format,
		FEIN: "221234567", StateFIPS: "36"}
}

func TestAckEnvelope(t *testing.T) {
	tests := []struct {
		name, file, fein string
		wantFn           canonical.FunctionCode
		wantReason       canonical.ReasonCode
		wantField        string
	}{
		{"accepted", "ack-accepted.json", "221234567", canonical.FuncEnforce, canonical.ReasonWithholdingEstablished, ""},
		{"rejected", "ack-rejected.json", "221234567", canonical.FuncManageCases, canonical.ReasonStatusUpdate, ""},
		{"another employer's FEIN", "ack-accepted.json", "990000001", "", "", "employerFein"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := employer(eiwo.JSONFormat)
			p.FEIN = tt.fein
			codec, err := partnercodecs.New().ForPartner(p, "34")
			if err != nil {
				t.Fatal(err)
			}
			tx, errs := codec.Decode(read(t, "../../transforms/eiwo/testdata/"+tt.file))
			if tt.wantField != "" {
				if len(errs) != 1 || errs[0].Path != tt.wantField {
					t.Fatalf("errors %v, want one on %s", errs, tt.wantField)
				}
				return
			}
			if len(errs) > 0 {
				t.Fatal(errs)
			}
			h := tx.Header
			if h.MessageID != partnercodecs.AckMessageID("NY-IWO-2026-000913") || h.Function != tt.wantFn ||
				h.Reason != tt.wantReason || h.SenderFIPS != "3600000" || h.ReceiverFIPS != "3400000" {
				t.Errorf("envelope header %+v", h)
			}
			if !strings.Contains(text(tx), "Acme Staffing") {
				t.Errorf("summary %q does not name the employer", tx.Information)
			}
		})
	}
}

func TestAckFileEnvelope(t *testing.T) {
	raw := read(t, "../../transforms/eiwofile/testdata/ack-file.txt")
	p := employer(eiwofile.Format)
	p.FEIN = "123456789"
	c := partnercodecs.New()
	acks, err := c.DecodeAcks(p, raw)
	if err != nil || len(acks) != 2 {
		t.Fatalf("acks %d, %v", len(acks), err)
	}
	codec, err := c.ForPartner(p, "34")
	if err != nil {
		t.Fatal(err)
	}
	env, errs := codec.Decode(raw)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	if !strings.HasPrefix(env.Header.MessageID, partnercodecs.AckFileMessageID("")) ||
		!strings.Contains(text(env), "2 records") {
		t.Errorf("file envelope %+v", env)
	}
	// A rejection in the file makes the envelope a status update.
	if env.Header.Function != canonical.FuncManageCases {
		t.Errorf("function %s, want MSC for a file with a rejection", env.Header.Function)
	}

	p.FEIN = "990000001"
	if _, errs := codec.Decode(raw); len(errs) == 0 {
		t.Error("a file from another employer's FEIN was enveloped")
	}
	if _, errs := codec.Decode([]byte("not a file\n")); len(errs) == 0 {
		t.Error("garbage was enveloped")
	}
}
