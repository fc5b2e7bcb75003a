package main

import (
	"flag"
	"fmt"
	"os"
	"runtime/pprof"
)

// profileFlag registers --cpu-profile: where a gateway run writes a Go CPU
// profile (pprof format) of its whole life, for finding where the CPU per
// message goes under `uifsagw load` (docs/PERFORMANCE.md).
func profileFlag(fs *flag.FlagSet) *string {
	return fs.String("cpu-profile", "", "write a Go CPU profile of this run to FILE when it stops (read it with go tool pprof)")
}

// startProfile starts the CPU profile when path is set; the returned stop
// writes it out and must run when the gateway stops.
func startProfile(path string) (stop func(), err error) {
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("cpu profile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("cpu profile: %w", err)
	}
	return func() {
		pprof.StopCPUProfile()
		if err := f.Close(); err != nil {
			fmt.Fprintf(os.Stderr, "cpu profile %s: %v\n", path, err)
		}
	}, nil
}
