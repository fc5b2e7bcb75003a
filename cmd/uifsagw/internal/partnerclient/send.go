package partnerclient

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/uifsagw/uifsagw/cmd/uifsagw/internal/exitcode"
	"github.com/uifsagw/uifsagw/cmd/uifsagw/internal/msgfile"
	"github.com/uifsagw/uifsagw/gateway/courier"
	"github.com/uifsagw/uifsagw/gateway/intake"
	"github.com/uifsagw/uifsagw/schemas/canonical"
	"github.com/uifsagw/uifsagw/transforms/csenet"
)

// Message is one file to send and how to name it.
type Message struct {
	// Path names the file (its extension says its format); Body is its bytes.
	Path string
	Body []byte
	// ContentType defaults from the file: .xml is application/xml, a CSENet
	// file text/plain, anything else application/json.
	ContentType string
	// MessageID is the JWS jti; by default the ID the file holds.
	MessageID string
	// NewID sends the file under a new ID (its own plus a random suffix), so
	// sending it again is a new message, not a repeat.
	NewID bool
	// FileID posts the file to the batch endpoint, many transactions one a
	// line, under this ID. A CSENet file always goes there, by default
	// under its name and a digest of its bytes.
	FileID string
}

// Send posts m with the client connect makes (only once m is known to be
// sendable), checks the receipt, and prints it to w; a refusal is printed
// too and ends with exit status 1. Notes for the person go to errw.
func Send(ctx context.Context, w, errw io.Writer, m Message, connect func(context.Context) (*courier.Client, error)) error {
	if m.FileID != "" || msgfile.IsCSENetFile(m.Path) {
		id := m.FileID
		if id == "" {
			id = FileID(m.Path, m.Body)
		}
		if m.NewID {
			var err error
			if id, err = FreshID(id); err != nil {
				return err
			}
		}
		ct := m.ContentType
		if ct == "" {
			ct = csenet.ContentType
		}
		cl, err := connect(ctx)
		if err != nil {
			return err
		}
		return sendFile(ctx, w, errw, cl, m.Body, ct, id)
	}
	ct := m.ContentType
	if ct == "" {
		ct = "application/json"
		if strings.EqualFold(filepath.Ext(m.Path), ".xml") {
			ct = "application/xml"
		}
	}
	body, msgID := m.Body, m.MessageID
	if msgID == "" {
		var err error
		if body, msgID, err = identify(m.Body, m.NewID); err != nil {
			return err
		}
	} else if m.NewID {
		return fmt.Errorf("--new-id rewrites the ID found in the file; with --message-id give the new ID yourself")
	}
	cl, err := connect(ctx)
	if err != nil {
		return err
	}
	res, err := cl.Post(ctx, body, ct, msgID)
	if err != nil {
		return err
	}
	if res.Error != nil {
		return refused(w, res.Status, res.Error)
	}
	out, _ := json.MarshalIndent(map[string]any{"status": res.Status, "repeat": res.Repeat, "receipt": res.Receipt,
		"receiptJws": res.ReceiptJWS, "verified": true}, "", "  ")
	fmt.Fprintln(w, string(out))
	if res.Repeat {
		fmt.Fprintf(errw, "message %s was sent before: the gateway answered with its first receipt and did nothing new (--new-id sends the file as a new message)\n", msgID)
	}
	return nil
}

var messageIDPattern = regexp.MustCompile(`(?s)(?:"messageId"\s*:\s*"([^"]+)"|<MessageID>([^<]+)</MessageID>)`)

// identify finds the message ID a JSON or XML message holds; with fresh it
// gives the message a new one, rewriting only the ID element so the rest of
// the body is sent exactly as in the file.
func identify(body []byte, fresh bool) ([]byte, string, error) {
	m := messageIDPattern.FindSubmatch(body)
	if m == nil {
		return nil, "", fmt.Errorf("no message ID found in the file; give --message-id")
	}
	id := string(m[1]) + string(m[2])
	if !fresh {
		return body, id, nil
	}
	id, err := FreshID(id)
	if err != nil {
		return nil, "", err
	}
	loc := messageIDPattern.FindSubmatchIndex(body)
	g := 2
	if loc[2] < 0 {
		g = 4
	}
	return append(append(append([]byte{}, body[:loc[g]]...), id...), body[loc[g+1]:]...), id, nil
}

// FreshID appends a random suffix, keeping within the 40 characters a
// message ID may have by shortening the original from the left if needed.
func FreshID(id string) (string, error) {
	var b [4]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	suffix := "-" + hex.EncodeToString(b[:])
	if max := canonical.MaxMessageIDLen - len(suffix); len(id) > max {
		id = id[len(id)-max:]
	}
	return id + suffix, nil
}

// FileID names a file for the batch endpoint when none is given: its name
// and a digest of its bytes, so sending the same file again is a repeat and
// a changed file is a new one.
func FileID(path string, body []byte) string {
	sum := sha256.Sum256(body)
	base := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	suffix := "-" + hex.EncodeToString(sum[:6])
	if max := canonical.MaxMessageIDLen - len(suffix); len(base) > max {
		base = base[:max]
	}
	return base + suffix
}

// refused prints the gateway's refusal as it gave it; exit status 1.
func refused(w io.Writer, status int, e *courier.RemoteError) error {
	out, _ := json.MarshalIndent(map[string]any{"status": status, "error": e}, "", "  ")
	fmt.Fprintln(w, string(out))
	return exitcode.Failed("")
}

// sendFile posts a CSENet file to the batch endpoint and prints a summary:
// counts, and every refused transaction with its errors. It exits 1 when
// the file or any transaction was refused.
func sendFile(ctx context.Context, w, errw io.Writer, cl *courier.Client, body []byte, contentType, id string) error {
	res, err := cl.PostFile(ctx, body, contentType, id)
	if err != nil {
		return err
	}
	if res.Error != nil {
		return refused(w, res.Status, res.Error)
	}
	rc := res.Receipt
	bad := []intake.TransactionOutcome{}
	for _, t := range rc.Transactions {
		if t.Outcome != intake.OutcomeStored {
			bad = append(bad, t)
		}
	}
	out, _ := json.MarshalIndent(map[string]any{"status": res.Status, "repeat": res.Repeat, "fileId": rc.FileID,
		"receiptId": rc.ReceiptID, "transactions": len(rc.Transactions), "stored": rc.Stored, "refused": bad,
		"receiptJws": res.ReceiptJWS, "verified": true}, "", "  ")
	fmt.Fprintln(w, string(out))
	if res.Repeat {
		fmt.Fprintf(errw, "file %s was sent before: the gateway answered with its first receipt and stored nothing new\n", id)
	}
	if len(bad) > 0 {
		return exitcode.Failed(fmt.Sprintf("%d of %d transaction(s) refused", len(bad), len(rc.Transactions)))
	}
	return nil
}
