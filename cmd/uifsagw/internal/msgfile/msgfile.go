// Package msgfile reads, checks and converts the message files partners
// exchange, as the validate and convert commands do: it finds a file's
// format (by extension, a named format, a partner's dialect), decodes every
// transaction or e-IWO document it holds, and reports each problem with its
// place. It prints what a person at a terminal reads; the commands only
// parse flags.
package msgfile

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/uifsagw/uifsagw/cmd/uifsagw/internal/exitcode"
	"github.com/uifsagw/uifsagw/partners"
	"github.com/uifsagw/uifsagw/schemas/canonical"
	"github.com/uifsagw/uifsagw/schemas/canonical/validate"
	"github.com/uifsagw/uifsagw/transforms"
	_ "github.com/uifsagw/uifsagw/transforms/all" // every built-in format
	"github.com/uifsagw/uifsagw/transforms/csenet"
	"github.com/uifsagw/uifsagw/transforms/mapping"
)

// FileCodec is a format whose files hold many transactions, one a line
// (csenet-2000).
type FileCodec interface {
	DecodeFile(b []byte) []csenet.Item
	EncodeFile(ts []canonical.Transaction) ([]byte, error)
}

// IsCSENetFile says whether a file name is a CSENet file by its extension.
func IsCSENetFile(path string) bool {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".csenet", ".cse":
		return true
	}
	return false
}

// CodecFor resolves a built-in format or a partner's (possibly dialect) codec.
// flagName and alternatives word the error for an unknown format in terms of
// the flags of the command at hand.
func CodecFor(format, partnerID, dir, flagName, alternatives string) (transforms.Codec, error) {
	if partnerID != "" {
		d, err := partners.Load(dir)
		if err != nil {
			return nil, err
		}
		p, ok := d.Get(partnerID)
		if !ok {
			return nil, fmt.Errorf("no partner %q in %s", partnerID, dir)
		}
		if p.Mapping == "" {
			format = p.Format
		} else {
			b, err := os.ReadFile(p.Path(p.Mapping))
			if err != nil {
				return nil, err
			}
			m, err := mapping.Load(b)
			if err != nil {
				return nil, fmt.Errorf("partner %s mapping: %w", p.ID, err)
			}
			return m.Codec(p.Format), nil
		}
	}
	if strings.HasSuffix(format, ".yaml") {
		// A dialect mapping file given directly.
		b, err := os.ReadFile(format)
		if err != nil {
			return nil, err
		}
		m, err := mapping.Load(b)
		if err != nil {
			return nil, err
		}
		return m.Codec(strings.TrimSuffix(filepath.Base(format), ".yaml")), nil
	}
	c, ok := transforms.Lookup(format)
	if !ok {
		return nil, fmt.Errorf("%s: unknown format %q; known: %s (%s)", flagName, format, strings.Join(transforms.Formats(), ", "), alternatives)
	}
	return c, nil
}

// GuessFormat names the format of a message file by its extension.
func GuessFormat(path string) string {
	if strings.EqualFold(filepath.Ext(path), ".xml") {
		return "xml-transaction/1"
	}
	if IsCSENetFile(path) {
		return csenet.Format
	}
	return "json-transaction/1"
}

// Validate checks the file at path, in format (default by its extension,
// or an e-IWO file by its header) or as partnerID of the directory dir sends
// it, and prints a summary to w when it is valid, every error when not
// (exit status 1).
func Validate(w io.Writer, path, format, partnerID, dir string) error {
	if b, err := os.ReadFile(path); err == nil && partnerID == "" && IsEIWO(format, b) {
		return validateEIWO(w, format, path, b)
	}
	if format == "" {
		format = GuessFormat(path)
	}
	codec, err := CodecFor(format, partnerID, dir, "--format", "or a dialect mapping .yaml, or --partner ID")
	if err != nil {
		return err
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if fc, ok := codec.(FileCodec); ok {
		return validateFile(w, path, codec.Format(), fc, b)
	}
	tx, errs := codec.Decode(b)
	if len(errs) == 0 {
		errs = validate.Transaction(&tx)
	}
	if len(errs) > 0 {
		for _, e := range errs {
			fmt.Fprintln(w, e.Error())
		}
		return exitcode.Failed(fmt.Sprintf("%s: %d error(s) (%s)", path, len(errs), codec.Format()))
	}
	h := tx.Header
	fmt.Fprintf(w, "valid %s: %s %s %s from %s to %s, message %s, case %s, %d participant(s), %d order(s)\n",
		codec.Format(), h.Function, h.Action, h.Reason, h.SenderFIPS, h.ReceiverFIPS, h.MessageID, h.SenderCaseID,
		len(tx.Participants), len(tx.Orders))
	return nil
}

// validateFile checks every transaction of a file and prints every error of
// each, naming its line; it exits 1 if any transaction has one.
func validateFile(w io.Writer, name, format string, fc FileCodec, b []byte) error {
	items := fc.DecodeFile(b)
	bad, total := 0, 0
	for _, it := range items {
		errs := it.Errors
		if len(errs) == 0 {
			errs = validate.Transaction(&it.Transaction)
		}
		if len(errs) == 0 {
			continue
		}
		bad++
		total += len(errs)
		where := fmt.Sprintf("line %d", it.Line)
		if id := it.Transaction.Header.MessageID; id != "" {
			where += " (" + id + ")"
		}
		for _, e := range errs {
			fmt.Fprintf(w, "%s: %s\n", where, e.Error())
		}
	}
	if len(items) == 0 {
		return exitcode.Failed(fmt.Sprintf("%s: no transactions (%s: one a line)", name, format))
	}
	if bad > 0 {
		return exitcode.Failed(fmt.Sprintf("%s: %d of %d transaction(s) have errors, %d error(s) in all (%s)", name, bad, len(items), total, format))
	}
	fmt.Fprintf(w, "valid %s file: %d transaction(s)\n", format, len(items))
	return nil
}

// Conversion is one convert: a file, its format and the format wanted.
type Conversion struct {
	Path string
	// From is the input format, default by the file's extension; To the
	// output format. Either may be a dialect mapping file (.yaml).
	From, To string
	// Compact puts one JSON document on one line, as on the wire.
	Compact bool
	// FileControl and BatchControl are the control numbers of an e-IWO file
	// to write.
	FileControl, BatchControl string
}

// Convert decodes the file in one format and writes it to w in another;
// problems go to errw.
func Convert(w, errw io.Writer, c Conversion) error {
	if b, err := os.ReadFile(c.Path); err == nil && IsEIWO(c.From, b) {
		if _, ok := transforms.LookupIWO(c.To); !ok {
			return fmt.Errorf("an e-IWO document converts to an e-IWO format (%s), not %q", strings.Join(transforms.IWOFormats(), ", "), c.To)
		}
		return convertEIWO(w, errw, c.From, c.To, c.Path, b, c.FileControl, c.BatchControl)
	}
	if c.From == "" {
		c.From = GuessFormat(c.Path)
	}
	in, err := CodecFor(c.From, "", "", "--from", "or a dialect mapping .yaml")
	if err != nil {
		return err
	}
	out, err := CodecFor(c.To, "", "", "--to", "or a dialect mapping .yaml")
	if err != nil {
		return err
	}
	b, err := os.ReadFile(c.Path)
	if err != nil {
		return err
	}
	txs, err := decodeAll(errw, in, c.Path, b)
	if err != nil {
		return err
	}
	for i, tx := range txs {
		if v := validate.Transaction(&tx); len(v) > 0 {
			fmt.Fprintf(errw, "warning: transaction %d does not validate: %s\n", i+1, canonical.FieldErrors(v).Error())
		}
	}
	var enc []byte
	switch fc, ok := out.(FileCodec); {
	case ok:
		enc, err = fc.EncodeFile(txs)
	case len(txs) == 1:
		enc, err = out.Encode(txs[0])
		if err == nil && !c.Compact && json.Valid(enc) {
			var buf bytes.Buffer
			if err := json.Indent(&buf, enc, "", "  "); err == nil {
				enc = buf.Bytes()
			}
		}
	default:
		// Many transactions: one a line, as the wire has them.
		var buf bytes.Buffer
		for _, tx := range txs {
			e, err := out.Encode(tx)
			if err != nil {
				return err
			}
			if json.Valid(e) {
				var c bytes.Buffer
				if json.Compact(&c, e) == nil {
					e = c.Bytes()
				}
			}
			buf.Write(e)
			buf.WriteByte('\n')
		}
		enc = buf.Bytes()
	}
	if err != nil {
		return err
	}
	if _, err := w.Write(enc); err != nil {
		return err
	}
	if len(enc) > 0 && enc[len(enc)-1] != '\n' {
		fmt.Fprintln(w)
	}
	return nil
}

// decodeAll reads every transaction of b: each line of a CSENet file, each
// JSON document of a JSON stream (one, or one a line), or the one XML
// document. Every error is printed to errw with its place.
func decodeAll(errw io.Writer, in transforms.Codec, name string, b []byte) ([]canonical.Transaction, error) {
	var txs []canonical.Transaction
	var errs []string
	add := func(where string, tx canonical.Transaction, fe canonical.FieldErrors) {
		for _, e := range fe {
			errs = append(errs, where+e.Error())
		}
		if len(fe) == 0 {
			txs = append(txs, tx)
		}
	}
	switch {
	case isFileFormat(in):
		for _, it := range in.(FileCodec).DecodeFile(b) {
			add(fmt.Sprintf("line %d: ", it.Line), it.Transaction, it.Errors)
		}
	case json.Valid(b) || !bytes.HasPrefix(bytes.TrimSpace(b), []byte("{")):
		tx, fe := in.Decode(b)
		add("", tx, fe)
	default:
		dec := json.NewDecoder(bytes.NewReader(b))
		for n := 1; ; n++ {
			var raw json.RawMessage
			if err := dec.Decode(&raw); err == io.EOF {
				break
			} else if err != nil {
				errs = append(errs, fmt.Sprintf("document %d: not JSON: %v", n, err))
				break
			}
			tx, fe := in.Decode(raw)
			add(fmt.Sprintf("document %d: ", n), tx, fe)
		}
	}
	for _, e := range errs {
		fmt.Fprintln(errw, e)
	}
	if len(errs) > 0 {
		return nil, exitcode.Failed(fmt.Sprintf("%d error(s) decoding %s", len(errs), name))
	}
	if len(txs) == 0 {
		return nil, exitcode.Failed(name + ": no transactions")
	}
	return txs, nil
}

func isFileFormat(c transforms.Codec) bool {
	_, ok := c.(FileCodec)
	return ok
}
