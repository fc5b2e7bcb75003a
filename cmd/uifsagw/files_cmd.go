package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/uifsagw/uifsagw/gateway/courier"
	"github.com/uifsagw/uifsagw/gateway/intake"
	"github.com/uifsagw/uifsagw/schemas/canonical"
	"github.com/uifsagw/uifsagw/transforms"
	"github.com/uifsagw/uifsagw/transforms/csenet"
)

// fileCodec is a format whose files hold many transactions, one a line
// (csenet-2000).
type fileCodec interface {
	DecodeFile(b []byte) []csenet.Item
	EncodeFile(ts []canonical.Transaction) ([]byte, error)
}

// isCSENetFile says whether a file name is a CSENet file by its extension.
func isCSENetFile(path string) bool {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".csenet", ".cse":
		return true
	}
	return false
}

// validateFile checks every transaction of a file and prints every error of
// each, naming its line; it exits 1 if any transaction has one.
func validateFile(w io.Writer, name, format string, fc fileCodec, b []byte) error {
	items := fc.DecodeFile(b)
	bad, total := 0, 0
	for _, it := range items {
		errs := it.Errors
		if len(errs) == 0 {
			errs = it.Transaction.Validate()
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
		return &exitError{code: 1, msg: fmt.Sprintf("%s: no transactions (%s: one a line)", name, format)}
	}
	if bad > 0 {
		return &exitError{code: 1, msg: fmt.Sprintf("%s: %d of %d transaction(s) have errors, %d error(s) in all (%s)", name, bad, len(items), total, format)}
	}
	fmt.Fprintf(w, "valid %s file: %d transaction(s)\n", format, len(items))
	return nil
}

// decodeAll reads every transaction of b: each line of a CSENet file, each
// JSON document of a JSON stream (one, or one a line), or the one XML
// document. Every error is printed to stderr with its place.
func decodeAll(in transforms.Codec, name string, b []byte) ([]canonical.Transaction, error) {
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
		for _, it := range in.(fileCodec).DecodeFile(b) {
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
		fmt.Fprintln(os.Stderr, e)
	}
	if len(errs) > 0 {
		return nil, &exitError{code: 1, msg: fmt.Sprintf("%d error(s) decoding %s", len(errs), name)}
	}
	if len(txs) == 0 {
		return nil, &exitError{code: 1, msg: name + ": no transactions"}
	}
	return txs, nil
}

func isFileFormat(c transforms.Codec) bool {
	_, ok := c.(fileCodec)
	return ok
}

// fileID names a file for the batch endpoint when --file-id is not given:
// its name and a digest of its bytes, so sending the same file again is a
// repeat and a changed file is a new one.
func fileID(path string, body []byte) string {
	sum := sha256.Sum256(body)
	base := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	suffix := "-" + hex.EncodeToString(sum[:6])
	if max := canonical.MaxMessageIDLen - len(suffix); len(base) > max {
		base = base[:max]
	}
	return base + suffix
}

// sendFile posts a CSENet file to the batch endpoint and prints a summary:
// counts, and every refused transaction with its errors. It exits 1 when
// the file or any transaction was refused.
func sendFile(ctx context.Context, cl *courier.Client, body []byte, contentType, id string) error {
	res, err := cl.PostFile(ctx, body, contentType, id)
	if err != nil {
		return err
	}
	if res.Error != nil {
		out, _ := json.MarshalIndent(map[string]any{"status": res.Status, "error": res.Error}, "", "  ")
		fmt.Println(string(out))
		return &exitError{code: 1}
	}
	rc := res.Receipt
	refused := []intake.TransactionOutcome{}
	for _, t := range rc.Transactions {
		if t.Outcome != intake.OutcomeStored {
			refused = append(refused, t)
		}
	}
	out, _ := json.MarshalIndent(map[string]any{"status": res.Status, "repeat": res.Repeat, "fileId": rc.FileID,
		"receiptId": rc.ReceiptID, "transactions": len(rc.Transactions), "stored": rc.Stored, "refused": refused,
		"receiptJws": res.ReceiptJWS, "verified": true}, "", "  ")
	fmt.Println(string(out))
	if res.Repeat {
		fmt.Fprintf(os.Stderr, "file %s was sent before: the gateway answered with its first receipt and stored nothing new\n", id)
	}
	if len(refused) > 0 {
		return &exitError{code: 1, msg: fmt.Sprintf("%d of %d transaction(s) refused", len(refused), len(rc.Transactions))}
	}
	return nil
}
