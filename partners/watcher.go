package partners

import (
	"context"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"sync/atomic"
	"syscall"
	"time"
)

// Watcher holds the current directory and replaces it when the files change
// or on SIGHUP. A directory that fails to load is logged and the previous one
// stays in force, so a typo never takes partners offline.
type Watcher struct {
	dir      string
	current  atomic.Pointer[Directory]
	log      *slog.Logger
	interval time.Duration
	stamp    string
	onReload func(*Directory)
}

// NewWatcher loads dir once; it fails if that first load fails.
func NewWatcher(dir string, log *slog.Logger) (*Watcher, error) {
	d, err := Load(dir)
	if err != nil {
		return nil, err
	}
	w := &Watcher{dir: dir, log: log, interval: 2 * time.Second}
	w.current.Store(d)
	w.stamp = stampOf(dir)
	return w, nil
}

// Current returns the directory in force.
func (w *Watcher) Current() *Directory { return w.current.Load() }

// OnReload registers a function called after each successful reload.
func (w *Watcher) OnReload(f func(*Directory)) { w.onReload = f }

// Reload reads the directory again now.
func (w *Watcher) Reload() error {
	d, err := Load(w.dir)
	if err != nil {
		w.log.Error("partner directory reload failed; keeping the previous one", "dir", w.dir, "err", err)
		return err
	}
	w.current.Store(d)
	w.log.Info("partner directory reloaded", "dir", w.dir, "partners", d.Len())
	if w.onReload != nil {
		w.onReload(d)
	}
	return nil
}

// Run reloads on SIGHUP and when a file in the directory changes, until ctx ends.
func (w *Watcher) Run(ctx context.Context) {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	t := time.NewTicker(w.interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-hup:
			_ = w.Reload()
			w.stamp = stampOf(w.dir)
		case <-t.C:
			if s := stampOf(w.dir); s != w.stamp {
				w.stamp = s
				_ = w.Reload()
			}
		}
	}
}

// stampOf summarises names, sizes and times of the files that make up the
// directory, including the key and certificate files beside the entries.
func stampOf(dir string) string {
	var b []byte
	_ = filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		if fi, err := d.Info(); err == nil {
			b = append(b, path...)
			b = append(b, fi.ModTime().Format(time.RFC3339Nano)...)
			b = append(b, byte(fi.Size()), byte(fi.Size()>>8), byte(fi.Size()>>16))
		}
		return nil
	})
	return string(b)
}
