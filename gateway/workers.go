package gateway

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"sync"

	"github.com/uifsagw/uifsagw/gateway/casework"
	"github.com/uifsagw/uifsagw/gateway/courier"
	"github.com/uifsagw/uifsagw/gateway/orders"
	"github.com/uifsagw/uifsagw/gateway/withholding"
	"github.com/uifsagw/uifsagw/partners"
	"github.com/uifsagw/uifsagw/schemas/canonical"
)

// loadRuleBook reads the shipped withholding rules and then the operator's
// folder, whose files replace shipped ones of the same state.
func loadRuleBook(dir string) (*withholding.RuleBook, error) {
	federal := withholding.Federal()
	states := map[string]withholding.Rules{}
	read := func(name string, b []byte) error {
		r, err := withholding.ParseRules(b)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		if r.State == "" {
			federal = r
		} else {
			states[r.State] = r
		}
		return nil
	}
	shipped, _ := fs.Glob(partners.Withholding, "withholding/*.yaml")
	for _, name := range shipped {
		b, _ := fs.ReadFile(partners.Withholding, name)
		if err := read(name, b); err != nil {
			return nil, err
		}
	}
	if dir != "" {
		files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
		if err != nil {
			return nil, err
		}
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				return nil, err
			}
			if err := read(f, b); err != nil {
				return nil, err
			}
		}
	}
	keys := make([]string, 0, len(states))
	for k := range states {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	list := make([]withholding.Rules, 0, len(keys))
	for _, k := range keys {
		list = append(list, states[k])
	}
	return withholding.NewRuleBook(federal, list...)
}

func (s *Server) ownerName() string {
	host, _ := os.Hostname()
	return fmt.Sprintf("%s/%d", host, os.Getpid())
}

// startWorkers starts the processors and the courier; wg tracks them.
func (s *Server) startWorkers(ctx context.Context, wg *sync.WaitGroup) {
	owner := s.ownerName()
	self := canonical.FIPS(s.cfg.Casework.SelfFIPS)
	if self == "" {
		self = canonical.FIPS(s.cfg.StateFIPS + "00000")
	}
	proc := casework.New(casework.Config{StateFIPS: s.cfg.StateFIPS, SelfFIPS: self, Owner: owner,
		Workers: s.cfg.Workers.Processors, Poll: s.cfg.Workers.PollInterval,
		Policy:   orders.Policy{RerouteEST: s.cfg.Casework.RerouteEST},
		SDUPayee: s.cfg.Casework.SDUPayee, SDUFIPS: canonical.FIPS(s.cfg.Casework.SDUFIPS)},
		s.store, s.dir.Current, s.codecs, s.rules, s.log.With("component", "casework"), s.tracer)
	send := courier.NewSender(courier.SenderConfig{Owner: owner, Workers: s.cfg.Workers.Senders, Lease: s.cfg.Workers.Lease,
		PollInterval: s.cfg.Workers.PollInterval, Timeout: s.cfg.Workers.SendTimeout},
		s.store, s.dir.Current, s.certs.Get, s.roots, s.keys.Signer, s.metrics, s.tracer, s.log.With("component", "courier"))
	wg.Add(2)
	go func() { defer wg.Done(); proc.Run(ctx) }()
	go func() { defer wg.Done(); send.Run(ctx) }()
	for _, extra := range s.extraWorkers {
		wg.Add(1)
		go func(f func(context.Context)) { defer wg.Done(); f(ctx) }(extra)
	}
}
