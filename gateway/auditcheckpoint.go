package gateway

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwk"

	"github.com/uifsagw/uifsagw/gateway/credentials"
	"github.com/uifsagw/uifsagw/gateway/exchange"
	"github.com/uifsagw/uifsagw/gateway/signing"
)

// AuditCheckpoint is what a signed checkpoint states: the audit chain's head
// at a time, by one gateway.
type AuditCheckpoint struct {
	exchange.AuditHead
	At      time.Time `json:"at"`
	Gateway string    `json:"gateway"`
}

// checkpointLine is one line of the checkpoint file: the JWS, and its
// content in clear for a reader (only the JWS counts).
type checkpointLine struct {
	AuditCheckpoint
	JWS string `json:"jws"`
}

// WriteAuditCheckpoint verifies the audit chain, signs its head with the
// gateway's key and writes the checkpoint to the structured log and, when
// configured, appends it to audit.checkpoint_file (synced). A broken chain
// is logged as an error and never signed.
func (s *Server) WriteAuditCheckpoint(ctx context.Context) (AuditCheckpoint, error) {
	head, err := s.store.CurrentAuditHead(ctx)
	if err != nil {
		// A gateway stopping mid-verification has learnt nothing about the chain.
		if ctx.Err() == nil {
			s.log.ErrorContext(ctx, "audit chain does not verify; no checkpoint written", "err", err)
		}
		return AuditCheckpoint{}, err
	}
	signer := s.keys.Signer()
	if signer == nil {
		return AuditCheckpoint{}, errors.New("audit checkpoint: no signing key")
	}
	cp := AuditCheckpoint{AuditHead: head, At: time.Now().UTC().Truncate(time.Second), Gateway: s.cfg.Name}
	payload, err := json.Marshal(cp)
	if err != nil {
		return cp, err
	}
	jws, err := signer.SignCompactType(payload, signing.CheckpointType, cp.At)
	if err != nil {
		return cp, fmt.Errorf("audit checkpoint: %w", err)
	}
	s.log.InfoContext(ctx, "audit checkpoint", "audit_last_id", cp.LastID, "audit_count", cp.Count, "audit_head", cp.Hash, "jws", jws)
	if f := s.cfg.Audit.CheckpointFile; f != "" {
		if err := appendCheckpoint(f, checkpointLine{AuditCheckpoint: cp, JWS: jws}); err != nil {
			s.log.ErrorContext(ctx, "could not write the audit checkpoint file", "file", f, "err", err)
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

// runAuditCheckpoints writes a checkpoint at start and, at each interval,
// whenever the chain has grown, until ctx ends. Run writes the last one after
// the listeners and workers have stopped (finalAuditCheckpoint).
func (s *Server) runAuditCheckpoints(ctx context.Context) {
	if cp, err := s.WriteAuditCheckpoint(ctx); err == nil {
		s.lastCheckpoint = cp.AuditHead
	}
	t := time.NewTicker(s.cfg.Audit.CheckpointInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			s.checkpointIfGrown(ctx)
		}
	}
}

func (s *Server) checkpointIfGrown(ctx context.Context) {
	head, err := s.store.CurrentAuditHead(ctx)
	if err != nil {
		if ctx.Err() == nil {
			s.log.ErrorContext(ctx, "audit chain does not verify; no checkpoint written", "err", err)
		}
		return
	}
	if head == s.lastCheckpoint {
		return
	}
	if cp, err := s.WriteAuditCheckpoint(ctx); err == nil {
		s.lastCheckpoint = cp.AuditHead
	}
}

// ReadCheckpoints returns the checkpoints in r (the checkpoint file, or log
// lines: any line holding a "jws" field or a bare compact JWS), each verified
// against the gateway's published keys. A line that is not a valid checkpoint
// signed by the gateway is an error: someone wrote it who should not.
func ReadCheckpoints(path string, keys jwk.Set) ([]AuditCheckpoint, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("checkpoints: %w", err)
	}
	defer f.Close()
	var out []AuditCheckpoint
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
		cp, err := VerifyCheckpoint(jws, keys)
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

// VerifyCheckpoint checks one checkpoint JWS against the gateway's keys.
func VerifyCheckpoint(jws string, keys jwk.Set) (AuditCheckpoint, error) {
	payload, claims, err := signing.VerifyCompact(jws, keys)
	if err != nil {
		return AuditCheckpoint{}, fmt.Errorf("not signed by this gateway: %w", err)
	}
	if claims.ContentType != signing.CheckpointType {
		return AuditCheckpoint{}, fmt.Errorf("a %q statement, not an audit checkpoint", claims.ContentType)
	}
	var cp AuditCheckpoint
	dec := json.NewDecoder(strings.NewReader(string(payload)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&cp); err != nil {
		return cp, fmt.Errorf("checkpoint content: %w", err)
	}
	return cp, nil
}

// AuditReport is what `uifsagw audit verify` found.
type AuditReport struct {
	Entries    int              `json:"entries"`
	FirstBad   int64            `json:"firstBad,omitempty"`
	Checkpoint *AuditCheckpoint `json:"checkpoint,omitempty"`
	// Checkpoints is how many valid checkpoints were read.
	Checkpoints int    `json:"checkpoints"`
	Error       string `json:"error,omitempty"`
	Warning     string `json:"warning,omitempty"`
}

// VerifyAuditLog checks the audit chain of st with its keyed hashes and
// against the latest of the checkpoints (those with the highest record id).
// Without a checkpoint the chain alone is checked, which cannot tell that
// the newest records were deleted: the report says so.
func VerifyAuditLog(ctx context.Context, st *exchange.Store, checkpoints []AuditCheckpoint) (AuditReport, error) {
	var rep AuditReport
	rep.Checkpoints = len(checkpoints)
	var latest *AuditCheckpoint
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

// PublishedKeys loads the gateway's public signing keys from cfg (the
// current key and jws.published_keys_file), which verify its checkpoints.
func PublishedKeys(cfg Config) (jwk.Set, error) {
	h, err := credentials.NewKeys(cfg.JWS.KeyFile, cfg.JWS.PublishedKeysFile, 0)
	if err != nil {
		return nil, err
	}
	return h.Published(), nil
}
