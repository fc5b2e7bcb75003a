package withholding

import (
	"fmt"
	"io/fs"
	"path"
	"sort"
)

// RuleFiles is one folder of rule files (*.yaml, one state's rules a file, or
// the federal limits when the file names no state). Name says where the
// folder is, for errors; the caller opens it (the shipped rules are embedded,
// an operator's are on disk), so this package reads no disk of its own.
type RuleFiles struct {
	Name string
	FS   fs.FS
}

// ReadRuleBook reads the folders in order: a file of a later folder replaces
// an earlier one of the same state (an operator's folder after the shipped
// rules corrects or adds states). A folder that cannot be listed adds none.
func ReadRuleBook(folders ...RuleFiles) (*RuleBook, error) {
	federal := Federal()
	states := map[string]Rules{}
	for _, f := range folders {
		names, _ := fs.Glob(f.FS, "*.yaml")
		for _, name := range names {
			where := path.Join(f.Name, name)
			b, err := fs.ReadFile(f.FS, name)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", where, err)
			}
			r, err := ParseRules(b)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", where, err)
			}
			if r.State == "" {
				federal = r
			} else {
				states[r.State] = r
			}
		}
	}
	keys := make([]string, 0, len(states))
	for k := range states {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	list := make([]Rules, 0, len(keys))
	for _, k := range keys {
		list = append(list, states[k])
	}
	return NewRuleBook(federal, list...)
}
