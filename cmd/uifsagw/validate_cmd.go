package main

import (
	"context"
	"fmt"
	"os"

	"github.com/uifsagw/uifsagw/cmd/uifsagw/internal/msgfile"
)

func init() {
	register("validate", "check a message file: exit 0 and a summary when valid, exit 1 and every error when not", runValidate)
	register("convert", "decode a message in one format and print it in another", runConvert)
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
	return msgfile.Validate(os.Stdout, fs.Arg(0), *format, *partnerID, dir)
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
	return msgfile.Convert(os.Stdout, os.Stderr, msgfile.Conversion{Path: fs.Arg(0), From: *from, To: *to,
		Compact: *compact, FileControl: *fileCtl, BatchControl: *batchCtl})
}
