package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/uifsagw/uifsagw/gateway/devenv"
	"github.com/uifsagw/uifsagw/gateway/partnercodecs"
	"github.com/uifsagw/uifsagw/gateway/service"
	"github.com/uifsagw/uifsagw/partners"
)

// ensureFileEmployer adds the sample e-IWO file employer to a dev
// installation made before it existed.
func ensureFileEmployer(l devenv.Layout) error {
	d, err := partners.Load(l.PartnersDir())
	if err != nil {
		return err
	}
	if _, ok := d.Get(devenv.FileEmployer.ID); ok {
		return nil
	}
	return devenv.AddPartner(l, devenv.FileEmployer)
}

// runFileEmployer plays the sample payroll provider: it fetches its pull
// inbox, answers every e-IWO file with an acknowledgment file (one IWO
// accepted, the next rejected as no longer employed) and acknowledges the
// pickup. It stops with ctx.
func runFileEmployer(ctx context.Context, l devenv.Layout, addr string, log func(string, ...any)) {
	cf := clientFlags{dir: l.Dir, as: devenv.FileEmployer.ID, addr: addr}
	service.Every(ctx, 3*time.Second, func(ctx context.Context) {
		cl, err := cf.client(ctx)
		if err != nil {
			return // the gateway is not listening yet
		}
		page, err := cl.Inbox(ctx, 0, 20)
		if err != nil {
			return
		}
		var done []string
		for _, it := range page.Messages {
			if !strings.HasPrefix(it.Body, "FHI") {
				done = append(done, it.ID)
				continue
			}
			// The employer's own control numbers: its state FIPS, then the
			// time to the nanosecond, never repeating within one run.
			now := time.Now().UTC()
			seq := fmt.Sprintf("%017d", now.UnixNano()%1e17)
			fileCtl, batchCtl := "34000"+seq, "34000"+fmt.Sprintf("%017d", (now.UnixNano()+1)%1e17)
			ack, err := devenv.AnswerEIWOFile([]byte(it.Body), fileCtl, batchCtl, now)
			if err != nil {
				log("sample employer could not read e-IWO file", "message", it.MessageID, "err", err)
				continue
			}
			_ = os.WriteFile(filepath.Join(l.Dir, "samples", "initech-ack-"+fileCtl+".txt"), ack, 0o644)
			res, err := cl.Post(ctx, ack, "text/plain; charset=us-ascii", partnercodecs.AckFileMessageID(fileCtl))
			if err != nil || res.Error != nil {
				log("sample employer's acknowledgment file refused", "file", fileCtl, "err", err, "refusal", res.Error)
				continue
			}
			log("sample employer answered an e-IWO file", "file", it.MessageID, "acknowledgment", fileCtl)
			done = append(done, it.ID)
		}
		if len(done) > 0 {
			_, _ = cl.Ack(ctx, done)
		}
	})
}
