package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/uifsagw/uifsagw/gateway"
	"github.com/uifsagw/uifsagw/gateway/exchange"
	"github.com/uifsagw/uifsagw/gateway/signing"
)

func init() {
	register("inbox", "fetch the messages a gateway holds for a pull partner; verify, save and acknowledge them", runInbox)
	register("audit", "audit log tools (verify: check the hash chain)", runAudit)
}

func runInbox(ctx context.Context, args []string) error {
	fs := newFlags("inbox", "--as PARTNER [--out DIR] [--ack]")
	var cf clientFlags
	cf.register(fs)
	out := fs.String("out", "", "folder to save each message body in (default: print a summary only)")
	ack := fs.Bool("ack", false, "acknowledge what was fetched (and saved, with --out)")
	limit := fs.Int("limit", 100, "messages per page")
	if err := fs.Parse(reorder(args)); err != nil {
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

func runAudit(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] != "verify" {
		return fmt.Errorf("audit needs a subcommand: verify")
	}
	fs := newFlags("audit verify", "--config FILE [--checkpoints FILE]")
	cfgPath := configFlag(fs)
	cpFile := fs.String("checkpoints", "", "signed checkpoints (default audit.checkpoint_file; log lines with a jws field work too)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
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
		return err
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
	out, _ := json.Marshal(rep)
	fmt.Println(string(out))
	if err != nil {
		return &exitError{code: 1, msg: fmt.Sprintf("audit log does not verify: %v", err)}
	}
	return nil
}
