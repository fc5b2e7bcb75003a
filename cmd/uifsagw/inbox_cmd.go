package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/uifsagw/uifsagw/gateway"
	"github.com/uifsagw/uifsagw/gateway/courier"
	"github.com/uifsagw/uifsagw/gateway/exchange"
	"github.com/uifsagw/uifsagw/gateway/signing"
	"github.com/uifsagw/uifsagw/schemas/canonical"
	"github.com/uifsagw/uifsagw/transforms"
)

func init() {
	register("inbox", "fetch the messages a gateway holds for a pull partner; verify, save and acknowledge them", runInbox)
	register("audit", "audit log tools (verify: check the hash chain)", runAudit)
}

func runInbox(ctx context.Context, args []string) error {
	fs := newFlags("inbox", "--as PARTNER [--out DIR] [--ack] [--accept-iwos]")
	var cf clientFlags
	cf.register(fs)
	out := fs.String("out", "", "folder to save each message body in (default: print a summary only)")
	ack := fs.Bool("ack", false, "acknowledge what was fetched (and saved, with --out)")
	limit := fs.Int("limit", 100, "messages per page")
	accept := fs.Bool("accept-iwos", false, "as an employer: answer each income withholding order fetched with a signed acknowledgment that accepts it, as the employer's payroll system would")
	if err := fs.Parse(reorder(fs, args)); err != nil {
		return err
	}
	cl, err := cf.client(ctx)
	if err != nil {
		return err
	}
	var after int64
	total := 0
	for {
		page, err := cl.Inbox(ctx, after, *limit)
		if err != nil {
			return err
		}
		var ids []string
		for _, it := range page.Messages {
			verified := "signature verified"
			if _, err := (signing.Verifier{Window: 24 * time.Hour}).VerifyDetached(it.Signature, []byte(it.Body), cl.ServerKeys, time.Now()); err != nil {
				verified = "SIGNATURE NOT VERIFIED: " + err.Error()
			}
			fmt.Printf("%s\t%s\t%d bytes\t%s\n", it.MessageID, it.Format, len(it.Body), verified)
			if *out != "" {
				ext := ".json"
				if it.ContentType == "application/xml" {
					ext = ".xml"
				}
				if err := os.MkdirAll(*out, 0o755); err != nil {
					return err
				}
				if err := os.WriteFile(filepath.Join(*out, filepath.Base(it.MessageID)+ext), []byte(it.Body), 0o644); err != nil {
					return err
				}
			}
			ids = append(ids, it.ID)
			if *accept && it.Format != "" {
				if err := acceptIWO(ctx, cl, it); err != nil {
					return fmt.Errorf("acknowledge %s: %w", it.MessageID, err)
				}
			}
		}
		total += len(page.Messages)
		if *ack && len(ids) > 0 {
			n, err := cl.Ack(ctx, ids)
			if err != nil {
				return err
			}
			fmt.Printf("acknowledged %d\n", n)
		}
		if len(page.Messages) == 0 || page.Next <= after {
			break
		}
		after = page.Next
	}
	fmt.Printf("%d message(s)\n", total)
	return nil
}

// acceptIWO answers an IWO from the inbox with an employer acknowledgment
// that accepts it, in the employer's own format, and checks the receipt.
func acceptIWO(ctx context.Context, cl *courier.Client, it courier.InboxItem) error {
	codec, ok := transforms.LookupIWO(it.Format)
	if !ok {
		fmt.Printf("\t(not an IWO format: %s; not acknowledged)\n", it.Format)
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
	fmt.Printf("\tacknowledged IWO %s (accepted); receipt verified\n", iwo.TrackingNumber)
	return nil
}

func runAudit(ctx context.Context, args []string) error {
	if _, err := subcommand("audit", args, [][2]string{{"verify", "check the hash chain of the staff audit log (--config FILE)"}}); err != nil {
		return err
	}
	fs := newFlags("audit verify", "--config FILE [--checkpoints FILE]")
	cfgPath := configFlag(fs)
	cpFile := fs.String("checkpoints", "", "signed checkpoints (default audit.checkpoint_file; log lines with a jws field work too)")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return fmt.Errorf("audit verify takes no arguments (see -h)")
	}
	if *cfgPath == "" {
		return fmt.Errorf("give --config FILE (for a dev install: --config var/config.yaml)")
	}
	cfg, err := gateway.LoadConfig(*cfgPath, os.Environ())
	if err != nil {
		return err
	}
	keys, err := gateway.LoadPIIKeys(cfg.PII)
	if err != nil {
		return err
	}
	st, err := exchange.Open(ctx, cfg.DatabaseURL, keys)
	if err != nil {
		return fmt.Errorf("open the database of %s: %w (for a dev install: is uifsagw dev running?)", *cfgPath, err)
	}
	defer st.Close()
	var cps []gateway.AuditCheckpoint
	if *cpFile == "" {
		*cpFile = cfg.Audit.CheckpointFile
	}
	if *cpFile != "" {
		pub, err := gateway.PublishedKeys(cfg)
		if err != nil {
			return err
		}
		if cps, err = gateway.ReadCheckpoints(*cpFile, pub); err != nil {
			return &exitError{code: 1, msg: err.Error()}
		}
	}
	rep, err := gateway.VerifyAuditLog(ctx, st, cps)
	if *asJSON {
		out, _ := json.Marshal(rep)
		fmt.Println(string(out))
	} else if err == nil {
		fmt.Printf("audit chain intact: %d entries", rep.Entries)
		if c := rep.Checkpoint; c != nil {
			fmt.Printf("; agrees with the latest signed checkpoint, of %s (%d checkpoints read)", c.At.UTC().Format(time.RFC3339), rep.Checkpoints)
		}
		fmt.Println()
		if rep.Warning != "" {
			fmt.Println("warning:", rep.Warning)
		}
	}
	if err != nil {
		return &exitError{code: 1, msg: fmt.Sprintf("audit log does not verify: %v", err)}
	}
	return nil
}
