package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/uifsagw/uifsagw/partners"
	"github.com/uifsagw/uifsagw/schemas/canonical"
	"github.com/uifsagw/uifsagw/transforms"
	_ "github.com/uifsagw/uifsagw/transforms/all" // every built-in format
	"github.com/uifsagw/uifsagw/transforms/csenet"
	"github.com/uifsagw/uifsagw/transforms/mapping"
)

func init() {
	register("validate", "check a message file: exit 0 and a summary when valid, exit 1 and every error when not", runValidate)
	register("convert", "decode a message in one format and print it in another", runConvert)
}

// codecFor resolves a built-in format or a partner's (possibly dialect) codec.
// flagName and alternatives word the error for an unknown format in terms of
// the flags of the command at hand.
func codecFor(format, partnerID, dir, flagName, alternatives string) (transforms.Codec, error) {
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

func guessFormat(path string) string {
	if strings.EqualFold(filepath.Ext(path), ".xml") {
		return "xml-transaction/1"
	}
	if isCSENetFile(path) {
		return csenet.Format
	}
	return "json-transaction/1"
}

func runValidate(ctx context.Context, args []string) error {
	fs := newFlags("validate", "[--format F | --partner P] FILE")
	format := fs.String("format", "", "format name (xml-transaction/1 or /2, json-transaction/1 or /2, csenet-2000: every transaction of the file, eiwo-file, eiwo-xml/1, eiwo-json/1) or a dialect mapping file; default from the file extension, or eiwo-file for a federal e-IWO file")
	partnerID := fs.String("partner", "", "validate as this partner sends it (its format or dialect)")
	pf := partnersDirFlags(fs)
	if err := fs.Parse(reorder(fs, args)); err != nil {
		return err
	}
	dir := pf.resolve()
	if fs.NArg() != 1 {
		return fmt.Errorf("validate needs one file")
	}
	if b, err := os.ReadFile(fs.Arg(0)); err == nil && *partnerID == "" && isEIWO(*format, b) {
		return validateEIWO(*format, fs.Arg(0), b)
	}
	if *format == "" {
		*format = guessFormat(fs.Arg(0))
	}
	codec, err := codecFor(*format, *partnerID, dir, "--format", "or a dialect mapping .yaml, or --partner ID")
	if err != nil {
		return err
	}
	b, err := os.ReadFile(fs.Arg(0))
	if err != nil {
		return err
	}
	if fc, ok := codec.(fileCodec); ok {
		return validateFile(os.Stdout, fs.Arg(0), codec.Format(), fc, b)
	}
	tx, errs := codec.Decode(b)
	if len(errs) == 0 {
		errs = tx.Validate()
	}
	if len(errs) > 0 {
		for _, e := range errs {
			fmt.Println(e.Error())
		}
		return &exitError{code: 1, msg: fmt.Sprintf("%s: %d error(s) (%s)", fs.Arg(0), len(errs), codec.Format())}
	}
	h := tx.Header
	fmt.Printf("valid %s: %s %s %s from %s to %s, message %s, case %s, %d participant(s), %d order(s)\n",
		codec.Format(), h.Function, h.Action, h.Reason, h.SenderFIPS, h.ReceiverFIPS, h.MessageID, h.SenderCaseID,
		len(tx.Participants), len(tx.Orders))
	return nil
}

func runConvert(ctx context.Context, args []string) error {
	fs := newFlags("convert", "[--from F] --to G [--compact] FILE")
	from := fs.String("from", "", "input format (or dialect mapping .yaml); default from the file extension")
	to := fs.String("to", "", "output format (or dialect mapping .yaml)")
	compact := fs.Bool("compact", false, "JSON output on one line, as it goes on the wire (default: indented for reading; many transactions are always one a line)")
	fileCtl := fs.String("control", "", "e-IWO file control number, when writing eiwo-file (22 characters, state FIPS first)")
	batchCtl := fs.String("batch-control", "", "e-IWO batch control number, when writing eiwo-file")
	if err := fs.Parse(reorder(fs, args)); err != nil {
		return err
	}
	if fs.NArg() != 1 || *to == "" {
		return fmt.Errorf("convert needs --to and one file")
	}
	if b, err := os.ReadFile(fs.Arg(0)); err == nil && isEIWO(*from, b) {
		if _, ok := transforms.LookupIWO(*to); !ok {
			return fmt.Errorf("an e-IWO document converts to an e-IWO format (%s), not %q", strings.Join(transforms.IWOFormats(), ", "), *to)
		}
		return convertEIWO(*from, *to, fs.Arg(0), b, *fileCtl, *batchCtl)
	}
	if *from == "" {
		*from = guessFormat(fs.Arg(0))
	}
	in, err := codecFor(*from, "", "", "--from", "or a dialect mapping .yaml")
	if err != nil {
		return err
	}
	out, err := codecFor(*to, "", "", "--to", "or a dialect mapping .yaml")
	if err != nil {
		return err
	}
	b, err := os.ReadFile(fs.Arg(0))
	if err != nil {
		return err
	}
	txs, err := decodeAll(in, fs.Arg(0), b)
	if err != nil {
		return err
	}
	for i, tx := range txs {
		if v := tx.Validate(); len(v) > 0 {
			fmt.Fprintf(os.Stderr, "warning: transaction %d does not validate: %s\n", i+1, canonical.FieldErrors(v).Error())
		}
	}
	var enc []byte
	switch fc, ok := out.(fileCodec); {
	case ok:
		enc, err = fc.EncodeFile(txs)
	case len(txs) == 1:
		enc, err = out.Encode(txs[0])
		if err == nil && !*compact && json.Valid(enc) {
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
	os.Stdout.Write(enc)
	if len(enc) > 0 && enc[len(enc)-1] != '\n' {
		fmt.Println()
	}
	return nil
}
