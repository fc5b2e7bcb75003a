package withholding_test

import (
	"os"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/uifsagw/uifsagw/gateway/withholding"
)

func TestReadRuleBook(t *testing.T) {
	ny, err := os.ReadFile("../../partners/withholding/NY.yaml")
	if err != nil {
		t.Fatal(err)
	}
	federal, err := os.ReadFile("../../partners/withholding/default.yaml")
	if err != nil {
		t.Fatal(err)
	}
	// state rewrites NY.yaml as another state's (or a corrected) rule file.
	state := func(fips, name string) *fstest.MapFile {
		s := strings.Replace(string(ny), `state: "36"`, `state: "`+fips+`"`, 1)
		return &fstest.MapFile{Data: []byte(strings.Replace(s, "name: New York", "name: "+name, 1))}
	}
	shipped := withholding.RuleFiles{Name: "withholding", FS: fstest.MapFS{
		"default.yaml": {Data: federal}, "NY.yaml": {Data: ny}, "README.md": {Data: []byte("not a rule file")}}}
	tests := []struct {
		name    string
		folders []withholding.RuleFiles
		want    map[string]string // state → name; "" for a state left to the federal default
		wantErr string
	}{
		{"shipped only", []withholding.RuleFiles{shipped}, map[string]string{"36": "New York", "34": ""}, ""},
		{"an operator's file replaces the shipped one", []withholding.RuleFiles{shipped,
			{Name: "/etc/uifsagw/withholding", FS: fstest.MapFS{"ny-2027.yaml": state("36", "New York (2027)")}}},
			map[string]string{"36": "New York (2027)"}, ""},
		{"an operator's file adds a state", []withholding.RuleFiles{shipped,
			{Name: "/etc/uifsagw/withholding", FS: fstest.MapFS{"nj.yaml": state("34", "New Jersey")}}},
			map[string]string{"36": "New York", "34": "New Jersey"}, ""},
		{"an empty operator's folder", []withholding.RuleFiles{shipped, {Name: "/nowhere", FS: fstest.MapFS{}}},
			map[string]string{"36": "New York"}, ""},
		{"a broken file is named", []withholding.RuleFiles{shipped,
			{Name: "/etc/uifsagw/withholding", FS: fstest.MapFS{"bad.yaml": {Data: []byte("caps: [")}}}},
			nil, "/etc/uifsagw/withholding/bad.yaml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			book, err := withholding.ReadRuleBook(tt.folders...)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want one naming %s", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for st, name := range tt.want {
				r, configured := book.For(st)
				if configured != (name != "") || (configured && r.Name != name) {
					t.Errorf("state %s: %q configured=%v, want %q", st, r.Name, configured, name)
				}
			}
		})
	}
}
