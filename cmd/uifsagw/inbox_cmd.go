package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/uifsagw/uifsagw/cmd/uifsagw/internal/partnerclient"
	"github.com/uifsagw/uifsagw/gateway"
	"github.com/uifsagw/uifsagw/gateway/auditcheck"
	"github.com/uifsagw/uifsagw/gateway/exchange"
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
	return partnerclient.Inbox(ctx, os.Stdout, cl, partnerclient.Pull{Out: *out, Ack: *ack, Limit: *limit, AcceptIWOs: *accept})
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
	var cps []auditcheck.Checkpoint
	if *cpFile == "" {
		*cpFile = cfg.Audit.CheckpointFile
	}
	if *cpFile != "" {
		pub, err := gateway.PublishedKeys(cfg)
		if err != nil {
			return err
		}
		if cps, err = auditcheck.ReadFile(*cpFile, pub); err != nil {
			return &exitError{Code: 1, Msg: err.Error()}
		}
	}
	rep, err := auditcheck.VerifyLog(ctx, st, cps)
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
		return &exitError{Code: 1, Msg: fmt.Sprintf("audit log does not verify: %v", err)}
	}
	return nil
}
