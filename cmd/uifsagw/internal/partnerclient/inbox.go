package partnerclient

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/uifsagw/uifsagw/gateway/courier"
	"github.com/uifsagw/uifsagw/gateway/signing"
	"github.com/uifsagw/uifsagw/schemas/canonical"
	"github.com/uifsagw/uifsagw/transforms"
)

// Pull says what to do with a pull partner's inbox.
type Pull struct {
	// Out is the folder to save each message body in; empty prints a
	// summary only.
	Out string
	// Ack acknowledges what was fetched (and saved), so the gateway stops
	// offering it.
	Ack bool
	// Limit is the number of messages a page.
	Limit int
	// AcceptIWOs answers each income withholding order with a signed
	// acknowledgment that accepts it, as an employer's payroll system would.
	AcceptIWOs bool
}

// Inbox fetches every message the gateway holds for the partner of cl,
// page by page, and prints a line for each to w: its ID, format, size and
// whether our signature over it verifies.
func Inbox(ctx context.Context, w io.Writer, cl *courier.Client, o Pull) error {
	var after int64
	total := 0
	for {
		page, err := cl.Inbox(ctx, after, o.Limit)
		if err != nil {
			return err
		}
		var ids []string
		for _, it := range page.Messages {
			if err := o.take(ctx, w, cl, it); err != nil {
				return err
			}
			ids = append(ids, it.ID)
		}
		total += len(page.Messages)
		if o.Ack && len(ids) > 0 {
			n, err := cl.Ack(ctx, ids)
			if err != nil {
				return err
			}
			fmt.Fprintf(w, "acknowledged %d\n", n)
		}
		if len(page.Messages) == 0 || page.Next <= after {
			break
		}
		after = page.Next
	}
	fmt.Fprintf(w, "%d message(s)\n", total)
	return nil
}

// take checks, prints, saves and (as an employer) answers one message.
func (o Pull) take(ctx context.Context, w io.Writer, cl *courier.Client, it courier.InboxItem) error {
	verified := "signature verified"
	if _, err := (signing.Verifier{Window: 24 * time.Hour}).VerifyDetached(it.Signature, []byte(it.Body), cl.ServerKeys, time.Now()); err != nil {
		verified = "SIGNATURE NOT VERIFIED: " + err.Error()
	}
	fmt.Fprintf(w, "%s\t%s\t%d bytes\t%s\n", it.MessageID, it.Format, len(it.Body), verified)
	if o.Out != "" {
		ext := ".json"
		if it.ContentType == "application/xml" {
			ext = ".xml"
		}
		if err := os.MkdirAll(o.Out, 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(o.Out, filepath.Base(it.MessageID)+ext), []byte(it.Body), 0o644); err != nil {
			return err
		}
	}
	if o.AcceptIWOs && it.Format != "" {
		if err := acceptIWO(ctx, w, cl, it); err != nil {
			return fmt.Errorf("acknowledge %s: %w", it.MessageID, err)
		}
	}
	return nil
}

// acceptIWO answers an IWO from the inbox with an employer acknowledgment
// that accepts it, in the employer's own format, and checks the receipt.
func acceptIWO(ctx context.Context, w io.Writer, cl *courier.Client, it courier.InboxItem) error {
	codec, ok := transforms.LookupIWO(it.Format)
	if !ok {
		fmt.Fprintf(w, "\t(not an IWO format: %s; not acknowledged)\n", it.Format)
		return nil
	}
	iwo, errs := codec.DecodeIWO([]byte(it.Body))
	if len(errs) > 0 {
		return fmt.Errorf("the IWO does not decode: %v", errs)
	}
	ack := canonical.EmployerAck{TrackingNumber: iwo.TrackingNumber, ControlNumber: iwo.ControlNumber,
		EmployerFEIN: iwo.Employer.EIN, Status: canonical.AckAccepted, AckDate: canonical.DateOf(time.Now())}
	body, err := codec.EncodeAck(ack)
	if err != nil {
		return err
	}
	res, err := cl.Post(ctx, body, codec.ContentType(), "ACK-"+iwo.TrackingNumber)
	if err != nil {
		return err
	}
	if res.Error != nil {
		return fmt.Errorf("refused (%d): %s", res.Status, res.Error.Message)
	}
	fmt.Fprintf(w, "\tacknowledged IWO %s (accepted); receipt verified\n", iwo.TrackingNumber)
	return nil
}
