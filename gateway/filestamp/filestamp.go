// Package filestamp tells whether files changed since they were read, so a
// holder of something loaded from disk (a certificate, a signing key, a
// partner's dialect mapping) reloads it only when it was replaced.
package filestamp

import (
	"fmt"
	"os"
)

// Of returns a stamp of the paths' names, sizes and modification times. A
// different stamp means a file was replaced, changed, created or removed;
// a missing file is left out, so its later creation changes the stamp.
//
// Take the stamp before reading the files: one replaced while being read is
// then seen as changed at the next check, never as already loaded.
func Of(paths ...string) string {
	s := ""
	for _, p := range paths {
		if fi, err := os.Stat(p); err == nil {
			s += fmt.Sprintf("%s:%d:%d;", p, fi.Size(), fi.ModTime().UnixNano())
		}
	}
	return s
}
