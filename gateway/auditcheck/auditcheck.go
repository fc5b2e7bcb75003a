// Package auditcheck anchors the audit log outside the database: signed
// checkpoints of the audit chain's head, written at start, whenever the chain
// has grown at each interval, and once more when the gateway stops; and the
// verification `uifsagw audit verify` does, of the chain against the latest
// checkpoint, which catches the newest records deleted by someone able to
// switch the table's triggers off.
package auditcheck

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwk"

	"github.com/uifsagw/uifsagw/gateway/exchange"
	"github.com/uifsagw/uifsagw/gateway/service"
	"github.com/uifsagw/uifsagw/gateway/signing"
)

// Checkpoint is what a signed checkpoint states: the audit chain's head at a
// time, by one gateway.
type Checkpoint struct {
	exchange.AuditHead
	At      time.Time `json:"at"`
	Gateway string    `json:"gateway"`
}

// checkpointLine is one line of the checkpoint file: the JWS, and its
// content in clear for a reader (only the JWS counts).
type checkpointLine struct {
	Checkpoint
	JWS string `json:"jws"`
}

// Config says who signs the checkpoints, where they go and how often.
type Config struct {
	// Gateway is the name the checkpoints carry (the gateway's name).
	Gateway string
	// File, when set, gets every checkpoint appended (audit.checkpoint_file).
	File string
	// Interval is how often the chain is looked at for growth (an hour when
	// zero; the gateway's configuration requires one).
	Interval time.Duration
}

// Store is what checkpoints need of the exchange store: the verified head of
// the audit chain.
type Store interface {
	CurrentAuditHead(ctx context.Context) (exchange.AuditHead, error)
}

// Writer writes the checkpoints. Run writes one at start and, at each
// interval, one whenever the chain has grown; the gateway calls WriteIfGrown
// once more after everything that audits has stopped.
type Writer struct {
	cfg    Config
	store  Store
	signer func() *signing.Signer
	log    *slog.Logger
	// last is the head of the last checkpoint written; only Run and, after
	// it has returned, the final WriteIfGrown touch it.
	last exchange.AuditHead
}

// New returns a checkpoint writer; signer gives the gateway's current key.
func New(cfg Config, store Store, signer func() *signing.Signer, log *slog.Logger) *Writer {
	if cfg.Interval <= 0 {
		cfg.Interval = time.Hour
	}
	return &Writer{cfg: cfg, store: store, signer: signer, log: log}
}

// Write verifies the audit chain, signs its head with the gateway's key and
// writes the checkpoint to the structured log and, when configured, appends
// it to the checkpoint file (synced). A broken chain is logged as an error
// and never signed.
func (w *Writer) Write(ctx context.Context) (Checkpoint, error) {
	head, err := w.store.CurrentAuditHead(ctx)
	if err != nil {
		// A gateway stopping mid-verification has learnt nothing about the chain.
		if ctx.Err() == nil {
			w.log.ErrorContext(ctx, "audit chain does not verify; no checkpoint written", "err", err)
		}
		return Checkpoint{}, err
	}
	signer := w.signer()
	if signer == nil {
		return Checkpoint{}, errors.New("audit checkpoint: no signing key")
	}
	cp := Checkpoint{AuditHead: head, At: time.Now().UTC().Truncate(time.Second), Gateway: w.cfg.Gateway}
	payload, err := json.Marshal(cp)
	if err != nil {
		return cp, err
	}
	jws, err := signer.SignCompactType(payload, signing.CheckpointType, cp.At)
	if err != nil {
		return cp, fmt.Errorf("audit checkpoint: %w", err)
	}
	w.log.InfoContext(ctx, "audit checkpoint", "audit_last_id", cp.LastID, "audit_count", cp.Count, "audit_head", cp.Hash, "jws", jws)
	if f := w.cfg.File; f != "" {
		if err := appendCheckpoint(f, checkpointLine{Checkpoint: cp, JWS: jws}); err != nil {
			w.log.ErrorContext(ctx, "could not write the audit checkpoint file", "file", f, "err", err)
			return cp, err
		}
	}
	return cp, nil
}

func appendCheckpoint(path string, line checkpointLine) error {
	b, err := json.Marshal(line)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("audit checkpoint file: %w", err)
	}
	if _, err := f.Write(append(b, '\n')); err != nil {
		f.Close()
		return fmt.Errorf("audit checkpoint file: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("audit checkpoint file: %w", err)
	}
	return f.Close()
}

// Run writes a checkpoint and then, at each interval, one whenever the chain
// has grown, until ctx ends (the gateway runs it as a service).
func (w *Writer) Run(ctx context.Context) {
	if cp, err := w.Write(ctx); err == nil {
		w.last = cp.AuditHead
	}
	service.Every(ctx, w.cfg.Interval, w.WriteIfGrown)
}

// WriteIfGrown writes a checkpoint when the chain has grown since the last
// one. It is not to be called while Run runs.
func (w *Writer) WriteIfGrown(ctx context.Context) {
	head, err := w.store.CurrentAuditHead(ctx)
	if err != nil {
		if ctx.Err() == nil {
			w.log.ErrorContext(ctx, "audit chain does not verify; no checkpoint written", "err", err)
		}
		return
	}
	if head == w.last {
		return
	}
	if cp, err := w.Write(ctx); err == nil {
		w.last = cp.AuditHead
	}
}

// ReadFile returns the checkpoints in path (the checkpoint file, or log
// lines: any line holding a "jws" field or a bare compact JWS), each verified
// against the gateway's published keys. A line that is not a valid checkpoint
// signed by the gateway is an error: someone wrote it who should not.
func ReadFile(path string, keys jwk.Set) ([]Checkpoint, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("checkpoints: %w", err)
	}
	defer f.Close()
	var out []Checkpoint
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		jws := line
		if strings.HasPrefix(line, "{") {
			var l struct {
				JWS string `json:"jws"`
			}
			if err := json.Unmarshal([]byte(line), &l); err != nil || l.JWS == "" {
				return nil, fmt.Errorf("checkpoints %s line %d: no jws field", path, n)
			}
			jws = l.JWS
		}
		cp, err := Verify(jws, keys)
		if err != nil {
			return nil, fmt.Errorf("checkpoints %s line %d: %w", path, n, err)
		}
		out = append(out, cp)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("checkpoints %s: %w", path, err)
	}
	return out, nil
}

// Verify checks one checkpoint JWS against the gateway's keys.
func Verify(jws string, keys jwk.Set) (Checkpoint, error) {
	payload, claims, err := signing.VerifyCompact(jws, keys)
	if err != nil {
		return Checkpoint{}, fmt.Errorf("not signed by this gateway: %w", err)
	}
	if claims.ContentType != signing.CheckpointType {
		return Checkpoint{}, fmt.Errorf("a %q statement, not an audit checkpoint", claims.ContentType)
	}
	var cp Checkpoint
	dec := json.NewDecoder(strings.NewReader(string(payload)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&cp); err != nil {
		return cp, fmt.Errorf("checkpoint content: %w", err)
	}
	return cp, nil
}

// Report is what `uifsagw audit verify` found.
type Report struct {
	Entries    int         `json:"entries"`
	FirstBad   int64       `json:"firstBad,omitempty"`
	Checkpoint *Checkpoint `json:"checkpoint,omitempty"`
	// Checkpoints is how many valid checkpoints were read.
	Checkpoints int    `json:"checkpoints"`
	Error       string `json:"error,omitempty"`
	Warning     string `json:"warning,omitempty"`
}

// VerifyLog checks the audit chain of st with its keyed hashes and
// against the latest of the checkpoints (those with the highest record id).
// Without a checkpoint the chain alone is checked, which cannot tell that
// the newest records were deleted: the report says so.
func VerifyLog(ctx context.Context, st *exchange.Store, checkpoints []Checkpoint) (Report, error) {
	var rep Report
	rep.Checkpoints = len(checkpoints)
	var latest *Checkpoint
	for i := range checkpoints {
		if latest == nil || checkpoints[i].LastID > latest.LastID ||
			(checkpoints[i].LastID == latest.LastID && checkpoints[i].At.After(latest.At)) {
			latest = &checkpoints[i]
		}
	}
	if latest == nil {
		n, bad, err := st.VerifyAudit(ctx)
		rep.Entries, rep.FirstBad = n, bad
		if err != nil {
			rep.Error = err.Error()
			return rep, err
		}
		rep.Warning = "no checkpoint given: the chain verifies, but deleted newest records cannot be detected without one"
		return rep, nil
	}
	rep.Checkpoint = latest
	n, err := st.VerifyAuditAgainst(ctx, latest.AuditHead)
	rep.Entries = n
	if err != nil {
		rep.Error = err.Error()
		return rep, err
	}
	return rep, nil
}
