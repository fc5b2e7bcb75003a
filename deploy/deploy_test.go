package deploy

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

const (
	dashboardFile = "grafana/uifsagw-dashboard.json"
	alertsFile    = "prometheus/uifsagw-alerts.yaml"
	alertTests    = "prometheus/uifsagw-alerts_test.yaml"
	metricsFile   = "metrics.txt"
	exampleConfig = "config.example.yaml"
	configGo      = "../gateway/config.go"
	unitFile      = "systemd/uifsagw.service"
	kubeDir       = "kubernetes"
)

// ---- metric names ----------------------------------------------------------

// metricRef finds gateway metric names in PromQL. Names are matched as whole
// identifiers so that a label value such as job="uifsagw" or a longer name
// that merely contains "uifsagw_" is not taken for one.
var metricRef = regexp.MustCompile(`(?:^|[^a-zA-Z0-9_:])(uifsagw_[a-zA-Z0-9_:]*)`)

func metricNames(expr string) []string {
	var out []string
	for _, m := range metricRef.FindAllStringSubmatch(expr, -1) {
		if !slices.Contains(out, m[1]) {
			out = append(out, m[1])
		}
	}
	return out
}

func TestMetricNames(t *testing.T) {
	tests := []struct {
		expr string
		want []string
	}{
		{`up{job="uifsagw"} == 0`, nil},
		{`sum by (partner) (rate(uifsagw_messages_received_total{partner=~"$partner"}[5m]))`,
			[]string{"uifsagw_messages_received_total"}},
		{`histogram_quantile(0.95, sum by (le) (rate(uifsagw_intake_duration_seconds_bucket[5m])))`,
			[]string{"uifsagw_intake_duration_seconds_bucket"}},
		{`uifsagw_db_pool_connections{state="in_use"} / ignoring (state) uifsagw_db_pool_connections{state="max"}`,
			[]string{"uifsagw_db_pool_connections"}},
		{"a_uifsagw_x + uifsagw_b\n/uifsagw_c", []string{"uifsagw_b", "uifsagw_c"}},
		{`label_values({__name__=~"uifsagw_messages_received_total|uifsagw_messages_sent_total"}, partner)`,
			[]string{"uifsagw_messages_received_total", "uifsagw_messages_sent_total"}},
	}
	for _, tt := range tests {
		if got := metricNames(tt.expr); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("metricNames(%q) = %q, want %q", tt.expr, got, tt.want)
		}
	}
}

func readMetricsList(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile(metricsFile)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	valid := regexp.MustCompile(`^uifsagw_[a-z0-9_]+$`)
	for i, line := range strings.Split(strings.TrimRight(string(b), "\n"), "\n") {
		if !valid.MatchString(line) {
			t.Errorf("%s:%d: %q is not a uifsagw metric name", metricsFile, i+1, line)
		}
		names = append(names, line)
	}
	if !sort.StringsAreSorted(names) || len(slices.Compact(slices.Clone(names))) != len(names) {
		t.Errorf("%s must be sorted without repeats", metricsFile)
	}
	return names
}

func TestMetricsListed(t *testing.T) {
	listed := readMetricsList(t)
	used := map[string][]string{} // metric -> where
	for _, e := range dashboardExprs(t, readDashboard(t)) {
		for _, m := range metricNames(e.expr) {
			used[m] = append(used[m], "dashboard: "+e.where)
		}
	}
	for _, g := range readAlerts(t).Groups {
		for _, r := range g.Rules {
			for _, m := range metricNames(r.Expr) {
				used[m] = append(used[m], "alert "+r.Alert)
			}
		}
	}
	for m, where := range used {
		if !slices.Contains(listed, m) {
			t.Errorf("%s is used (%s) but not listed in %s", m, strings.Join(where, "; "), metricsFile)
		}
	}
	// The list is what the gateway must export; a name nothing uses would
	// make it promise more than the artifacts need.
	for _, m := range listed {
		if len(used[m]) == 0 {
			t.Errorf("%s is listed in %s but no dashboard panel or alert uses it", m, metricsFile)
		}
	}
	// The names the brief fixes for the metrics other engineers add.
	for _, m := range []string{"uifsagw_queue_depth", "uifsagw_queue_oldest_age_seconds", "uifsagw_delivery_circuit_open",
		"uifsagw_delivery_retries_total", "uifsagw_delivery_dead_letters_total", "uifsagw_messages_sent_total",
		"uifsagw_db_pool_connections", "uifsagw_certificate_expiry_days", "uifsagw_intake_duration_seconds_bucket"} {
		if !slices.Contains(listed, m) {
			t.Errorf("%s missing from %s", m, metricsFile)
		}
	}
}

// ---- Grafana dashboard -----------------------------------------------------

type dashboard struct {
	UID           string  `json:"uid"`
	Title         string  `json:"title"`
	SchemaVersion int     `json:"schemaVersion"`
	Panels        []panel `json:"panels"`
	Templating    struct {
		List []struct {
			Name       string          `json:"name"`
			Type       string          `json:"type"`
			Query      json.RawMessage `json:"query"`
			Definition string          `json:"definition"`
			Datasource *datasource     `json:"datasource"`
		} `json:"list"`
	} `json:"templating"`
}

type datasource struct {
	Type string `json:"type"`
	UID  string `json:"uid"`
}

type panel struct {
	ID         int                      `json:"id"`
	Type       string                   `json:"type"`
	Title      string                   `json:"title"`
	Datasource *datasource              `json:"datasource"`
	GridPos    struct{ H, W, X, Y int } `json:"gridPos"`
	Targets    []struct {
		RefID      string      `json:"refId"`
		Expr       string      `json:"expr"`
		Datasource *datasource `json:"datasource"`
	} `json:"targets"`
	Panels []panel `json:"panels"`
}

func readDashboard(t *testing.T) dashboard {
	t.Helper()
	b, err := os.ReadFile(dashboardFile)
	if err != nil {
		t.Fatal(err)
	}
	var d dashboard
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&d); err != nil {
		t.Fatalf("%s: %v", dashboardFile, err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		t.Fatalf("%s: data after the dashboard object", dashboardFile)
	}
	return d
}

type located struct{ where, expr string }

// dashboardExprs returns every PromQL expression: panel targets (including
// panels inside collapsed rows) and query variables.
func dashboardExprs(t *testing.T, d dashboard) []located {
	t.Helper()
	var out []located
	var walk func(ps []panel)
	walk = func(ps []panel) {
		for _, p := range ps {
			for _, tg := range p.Targets {
				out = append(out, located{p.Title + "/" + tg.RefID, tg.Expr})
			}
			walk(p.Panels)
		}
	}
	walk(d.Panels)
	for _, v := range d.Templating.List {
		if v.Type == "query" {
			out = append(out, located{"variable " + v.Name, v.Definition})
			var q struct {
				Query string `json:"query"`
			}
			if err := json.Unmarshal(v.Query, &q); err == nil {
				out = append(out, located{"variable " + v.Name, q.Query})
			} else {
				var s string
				if err := json.Unmarshal(v.Query, &s); err != nil {
					t.Errorf("variable %s: query is neither an object nor a string", v.Name)
				}
				out = append(out, located{"variable " + v.Name, s})
			}
		}
	}
	return out
}

func TestDashboard(t *testing.T) {
	d := readDashboard(t)
	if d.UID == "" || d.Title == "" {
		t.Errorf("uid %q, title %q: both are needed for provisioning and links", d.UID, d.Title)
	}
	if d.SchemaVersion < 36 || d.SchemaVersion > 41 {
		t.Errorf("schemaVersion %d, want 36..41", d.SchemaVersion)
	}
	vars := map[string]string{}
	for _, v := range d.Templating.List {
		vars[v.Name] = v.Type
	}
	if vars["datasource"] != "datasource" || vars["partner"] != "query" {
		t.Errorf("variables %v: want datasource (datasource) and partner (query)", vars)
	}

	ids := map[int]string{}
	titles := map[string]bool{}
	var check func(ps []panel)
	check = func(ps []panel) {
		for _, p := range ps {
			if prev, dup := ids[p.ID]; dup {
				t.Errorf("panel id %d used by %q and %q", p.ID, prev, p.Title)
			}
			ids[p.ID] = p.Title
			titles[p.Title] = true
			if p.GridPos.W <= 0 || p.GridPos.H <= 0 || p.GridPos.X < 0 || p.GridPos.X+p.GridPos.W > 24 {
				t.Errorf("panel %q: gridPos %+v outside the 24-column grid", p.Title, p.GridPos)
			}
			if p.Type == "row" {
				check(p.Panels)
				continue
			}
			if len(p.Targets) == 0 {
				t.Errorf("panel %q has no targets", p.Title)
			}
			if p.Datasource == nil || p.Datasource.UID != "${datasource}" {
				t.Errorf("panel %q: datasource %+v, want the ${datasource} variable", p.Title, p.Datasource)
			}
			for _, tg := range p.Targets {
				if strings.TrimSpace(tg.Expr) == "" || tg.RefID == "" {
					t.Errorf("panel %q: target %q has no expression", p.Title, tg.RefID)
				}
				if strings.Count(tg.Expr, "(") != strings.Count(tg.Expr, ")") ||
					strings.Count(tg.Expr, "{") != strings.Count(tg.Expr, "}") {
					t.Errorf("panel %q: unbalanced brackets in %q", p.Title, tg.Expr)
				}
			}
		}
	}
	check(d.Panels)

	for _, want := range []string{"Received by partner", "Sent by partner and outcome", "Refusals by code",
		"Intake latency", "Delivery latency", "Queue depth by status", "Oldest item age by status", "Dead letters",
		"Retries", "Circuit breaker", "Certificate expiry", "Database pool"} {
		if !titles[want] {
			t.Errorf("no panel titled %q", want)
		}
	}
	var intake string
	for _, e := range dashboardExprs(t, d) {
		if strings.HasPrefix(e.where, "Intake latency/") {
			intake += e.expr + "\n"
		}
	}
	for _, q := range []string{"histogram_quantile(0.5,", "histogram_quantile(0.95,", "histogram_quantile(0.99,"} {
		if !strings.Contains(intake, q) {
			t.Errorf("intake latency panel lacks %s", q)
		}
	}
}

// ---- Prometheus alert rules ------------------------------------------------

type ruleFile struct {
	Groups []struct {
		Name  string `yaml:"name"`
		Rules []rule `yaml:"rules"`
	} `yaml:"groups"`
}

type rule struct {
	Alert       string            `yaml:"alert"`
	Record      string            `yaml:"record"`
	Expr        string            `yaml:"expr"`
	For         string            `yaml:"for"`
	Labels      map[string]string `yaml:"labels"`
	Annotations map[string]string `yaml:"annotations"`
}

func readAlerts(t *testing.T) ruleFile {
	t.Helper()
	b, err := os.ReadFile(alertsFile)
	if err != nil {
		t.Fatal(err)
	}
	var f ruleFile
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		t.Fatalf("%s: %v", alertsFile, err)
	}
	return f
}

func TestAlertRules(t *testing.T) {
	f := readAlerts(t)
	if len(f.Groups) == 0 {
		t.Fatal("no rule groups")
	}
	severities := map[string]string{}
	for _, g := range f.Groups {
		if g.Name == "" || len(g.Rules) == 0 {
			t.Errorf("group %q: needs a name and rules", g.Name)
		}
		for _, r := range g.Rules {
			if r.Alert == "" {
				t.Errorf("group %s: a rule without an alert name (recording rules belong elsewhere)", g.Name)
				continue
			}
			if _, dup := severities[r.Alert]; dup {
				t.Errorf("alert %s defined twice", r.Alert)
			}
			severities[r.Alert] = r.Labels["severity"]
			if strings.TrimSpace(r.Expr) == "" {
				t.Errorf("%s: no expr", r.Alert)
			}
			if _, err := time.ParseDuration(r.For); err != nil {
				t.Errorf("%s: for %q: %v", r.Alert, r.For, err)
			}
			if s := r.Labels["severity"]; s != "warning" && s != "critical" {
				t.Errorf("%s: severity %q, want warning or critical", r.Alert, s)
			}
			// Labels are static and carry no message data; the dynamic ones
			// come from the series (partner IDs, codes, statuses only).
			for k := range r.Labels {
				if k != "severity" && k != "service" {
					t.Errorf("%s: unexpected label %q", r.Alert, k)
				}
			}
			for _, k := range []string{"summary", "description", "runbook"} {
				if strings.TrimSpace(r.Annotations[k]) == "" {
					t.Errorf("%s: annotation %s missing", r.Alert, k)
				}
			}
		}
	}
	want := map[string]string{
		"UifsagwDown":                    "critical",
		"UifsagwAbsent":                  "critical",
		"UifsagwReplicasNotReady":        "warning",
		"UifsagwNoReadyReplica":          "critical",
		"UifsagwReadyzFailing":           "critical",
		"UifsagwDatabasePoolSaturated":   "warning",
		"UifsagwDeadLettersGrowing":      "warning",
		"UifsagwQueueItemStale":          "warning",
		"UifsagwQueueItemStaleCritical":  "critical",
		"UifsagwPartnerCircuitOpen":      "warning",
		"UifsagwPartnerDeliveryFailing":  "warning",
		"UifsagwIntakeErrors":            "critical",
		"UifsagwPartnerRefusalRatioHigh": "warning",
		"UifsagwCertificateExpiring30d":  "warning",
		"UifsagwCertificateExpiring14d":  "warning",
		"UifsagwCertificateExpiring7d":   "critical",
	}
	if !reflect.DeepEqual(severities, want) {
		t.Errorf("alerts and severities:\n got %v\nwant %v", severities, want)
	}
}

// TestPromtool checks the rules with Prometheus's own parser, then runs the
// rule unit tests, which feed series to the alerts and assert when each fires.
func TestPromtool(t *testing.T) {
	promtool, err := exec.LookPath("promtool")
	if err != nil {
		t.Skip("promtool not on PATH (apt-get install prometheus)")
	}
	for _, args := range [][]string{{"check", "rules", alertsFile}, {"test", "rules", alertTests}} {
		out, err := exec.Command(promtool, args...).CombinedOutput()
		if err != nil {
			t.Errorf("promtool %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
}

// ---- example configuration -------------------------------------------------

// configOption is one leaf of gateway.Config: its YAML path and its default
// as DefaultConfig sets it ("" when it has none).
type configOption struct {
	path string
	def  string
}

// gatewayOptions reads gateway/config.go and returns every YAML path of Config
// with the default DefaultConfig gives it, so the example cannot drift from
// the code without this test noticing.
func gatewayOptions(t *testing.T) []configOption {
	t.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, configGo, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	structs := map[string]*ast.StructType{}
	var defaults *ast.CompositeLit
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.TypeSpec:
			if st, ok := n.Type.(*ast.StructType); ok {
				structs[n.Name.Name] = st
			}
		case *ast.FuncDecl:
			if n.Name.Name == "DefaultConfig" {
				ast.Inspect(n.Body, func(m ast.Node) bool {
					if r, ok := m.(*ast.ReturnStmt); ok && len(r.Results) == 1 {
						defaults, _ = r.Results[0].(*ast.CompositeLit)
					}
					return true
				})
			}
		}
		return true
	})
	if structs["Config"] == nil || defaults == nil {
		t.Fatalf("%s: no Config type or DefaultConfig literal", configGo)
	}
	var out []configOption
	var walk func(typeName, prefix string, lit *ast.CompositeLit)
	walk = func(typeName, prefix string, lit *ast.CompositeLit) {
		values := map[string]ast.Expr{}
		if lit != nil {
			for _, e := range lit.Elts {
				kv, ok := e.(*ast.KeyValueExpr)
				if !ok {
					t.Fatalf("DefaultConfig: %s literal must use field names", typeName)
				}
				values[kv.Key.(*ast.Ident).Name] = kv.Value
			}
		}
		for _, field := range structs[typeName].Fields.List {
			if field.Tag == nil || len(field.Names) != 1 {
				t.Fatalf("%s: every field needs its own yaml tag", typeName)
			}
			tag, _ := strconv.Unquote(field.Tag.Value)
			name := strings.Split(reflect.StructTag(tag).Get("yaml"), ",")[0]
			if name == "" || name == "-" {
				continue
			}
			path := prefix + name
			if id, ok := field.Type.(*ast.Ident); ok && structs[id.Name] != nil {
				sub, _ := values[field.Names[0].Name].(*ast.CompositeLit)
				walk(id.Name, path+".", sub)
				continue
			}
			def := ""
			if v, ok := values[field.Names[0].Name]; ok {
				def = evalDefault(t, v)
			}
			out = append(out, configOption{path, def})
		}
	}
	walk("Config", "", defaults)
	return out
}

// evalDefault evaluates the constant expressions DefaultConfig uses: string
// and integer literals, <<, *, and time units. Durations come back in
// time.Duration's String form.
func evalDefault(t *testing.T, e ast.Expr) string {
	t.Helper()
	units := map[string]time.Duration{"Nanosecond": time.Nanosecond, "Microsecond": time.Microsecond,
		"Millisecond": time.Millisecond, "Second": time.Second, "Minute": time.Minute, "Hour": time.Hour}
	var num func(e ast.Expr) (n int64, isDuration bool)
	num = func(e ast.Expr) (int64, bool) {
		switch e := e.(type) {
		case *ast.BasicLit:
			if e.Kind == token.INT {
				n, err := strconv.ParseInt(e.Value, 0, 64)
				if err != nil {
					t.Fatalf("DefaultConfig: %v", err)
				}
				return n, false
			}
		case *ast.SelectorExpr:
			if x, ok := e.X.(*ast.Ident); ok && x.Name == "time" {
				if u, ok := units[e.Sel.Name]; ok {
					return int64(u), true
				}
			}
		case *ast.ParenExpr:
			return num(e.X)
		case *ast.BinaryExpr:
			a, da := num(e.X)
			b, db := num(e.Y)
			switch e.Op {
			case token.MUL:
				return a * b, da || db
			case token.SHL:
				return a << b, da
			}
		}
		t.Fatalf("DefaultConfig: cannot evaluate %T; extend evalDefault", e)
		return 0, false
	}
	if id, ok := e.(*ast.Ident); ok && (id.Name == "true" || id.Name == "false") {
		return id.Name
	}
	if lit, ok := e.(*ast.BasicLit); ok && lit.Kind == token.STRING {
		s, err := strconv.Unquote(lit.Value)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	n, isDuration := num(e)
	if isDuration {
		return time.Duration(n).String()
	}
	return strconv.FormatInt(n, 10)
}

func TestGatewayOptions(t *testing.T) {
	// Spot checks that the reader of config.go understands what it reads.
	opts := map[string]string{}
	for _, o := range gatewayOptions(t) {
		opts[o.path] = o.def
	}
	for path, want := range map[string]string{
		"state_fips": "", "name": "uifsagw", "limits.max_body": "1048576", "jws.iat_window": "5m0s",
		"limits.idle_timeout": "2m0s", "workers.lease": "1m0s", "tls.min_version": "1.3", "staff.role_claim": "roles",
	} {
		got, ok := opts[path]
		if !ok || got != want {
			t.Errorf("option %s: default %q (present %v), want %q", path, got, ok, want)
		}
	}
}

// yamlLeaves flattens a YAML mapping into dotted paths and scalar values.
func yamlLeaves(t *testing.T, n *yaml.Node, prefix string, out map[string]string) {
	t.Helper()
	if n.Kind == yaml.DocumentNode {
		yamlLeaves(t, n.Content[0], prefix, out)
		return
	}
	if n.Kind != yaml.MappingNode {
		t.Fatalf("%s: not a mapping", prefix)
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i].Value, n.Content[i+1]
		if _, dup := out[prefix+k]; dup {
			t.Errorf("%s%s given twice", prefix, k)
		}
		if v.Kind == yaml.MappingNode {
			out[prefix+k] = "{}"
			yamlLeaves(t, v, prefix+k+".", out)
			continue
		}
		out[prefix+k] = v.Value
	}
}

// sameValue compares a YAML scalar with a default from the code; durations are
// compared as durations, so "1m" and "1m0s" agree.
func sameValue(got, want string) bool {
	if got == want {
		return true
	}
	g, err1 := time.ParseDuration(got)
	w, err2 := time.ParseDuration(want)
	return err1 == nil && err2 == nil && g == w
}

// Options that have no default (the gateway refuses to start without them, or
// they are optional); the example shows a realistic value or "".
var requiredOrExample = map[string]bool{
	"state_fips": true, "database_url": true, "tls.cert_file": true, "tls.key_file": true,
	"jws.key_file": true, "pii.key_file": true,
}

func TestExampleConfig(t *testing.T) {
	b, err := os.ReadFile(exampleConfig)
	if err != nil {
		t.Fatal(err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil {
		t.Fatalf("%s: %v", exampleConfig, err)
	}
	got := map[string]string{}
	yamlLeaves(t, &doc, "", got)

	opts := gatewayOptions(t)
	known := map[string]bool{}
	for _, o := range opts {
		known[o.path] = true
		if i := strings.Index(o.path, "."); i > 0 {
			known[o.path[:i]] = true
		}
		v, ok := got[o.path]
		switch {
		case !ok:
			t.Errorf("%s: option %s missing", exampleConfig, o.path)
		case requiredOrExample[o.path]:
			if o.def != "" {
				t.Errorf("option %s has a default %q now; show it in %s", o.path, o.def, exampleConfig)
			}
		case !sameValue(v, o.def):
			t.Errorf("%s: %s is %q, but its default is %q", exampleConfig, o.path, v, o.def)
		}
	}
	for k := range got {
		if !known[k] {
			t.Errorf("%s: %s is not an option of gateway.Config", exampleConfig, k)
		}
	}
	if !bytes.Contains(b, []byte("# ")) || countComments(b) < len(opts)/2 {
		t.Errorf("%s: %d comment lines for %d options; explain each", exampleConfig, countComments(b), len(opts))
	}
}

func countComments(b []byte) int {
	n := 0
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		if strings.HasPrefix(strings.TrimSpace(sc.Text()), "#") {
			n++
		}
	}
	return n
}

// ---- systemd ---------------------------------------------------------------

func TestSystemdUnit(t *testing.T) {
	b, err := os.ReadFile(unitFile)
	if err != nil {
		t.Fatal(err)
	}
	// directive -> every value it is given, in order (systemd lets some
	// directives repeat and accumulate).
	directives := map[string][]string{}
	section := ""
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, ";"):
		case strings.HasPrefix(line, "["):
			section = strings.Trim(line, "[]")
		default:
			k, v, ok := strings.Cut(line, "=")
			if !ok {
				t.Errorf("%s: not a directive: %q", unitFile, line)
				continue
			}
			directives[section+"."+k] = append(directives[section+"."+k], v)
		}
	}
	want := map[string]string{
		"Service.ExecStart":               "/usr/local/bin/uifsagw serve --config /etc/uifsagw/config.yaml",
		"Service.ExecReload":              "/bin/kill -HUP $MAINPID",
		"Service.User":                    "uifsagw",
		"Service.Restart":                 "on-failure",
		"Service.NoNewPrivileges":         "yes",
		"Service.ProtectSystem":           "strict",
		"Service.ProtectHome":             "yes",
		"Service.PrivateTmp":              "yes",
		"Service.PrivateDevices":          "yes",
		"Service.CapabilityBoundingSet":   "",
		"Service.RestrictAddressFamilies": "AF_INET AF_INET6 AF_UNIX",
		"Service.SystemCallFilter":        "@system-service",
		"Service.MemoryDenyWriteExecute":  "yes",
		"Service.LockPersonality":         "yes",
		"Install.WantedBy":                "multi-user.target",
	}
	for k, v := range want {
		got := directives[k]
		if len(got) == 0 || got[0] != v {
			t.Errorf("%s: %s = %q, want %q first", unitFile, k, got, v)
		}
	}
	// The gateway writes nothing to disk; any writable path must be argued for.
	if rw := directives["Service.ReadWritePaths"]; len(rw) > 0 {
		t.Errorf("%s: ReadWritePaths %q; the gateway needs none", unitFile, rw)
	}

	sa, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Skip("systemd-analyze not on PATH")
	}
	// verify insists that ExecStart names an existing executable; point it at
	// this test binary, so everything else in the unit is still checked.
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	unit := strings.ReplaceAll(string(b), "/usr/local/bin/uifsagw", self)
	if err := os.WriteFile(filepath.Join(dir, "uifsagw.service"), []byte(unit), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(sa, "verify", "--man=no", filepath.Join(dir, "uifsagw.service"))
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Errorf("systemd-analyze verify: %v\n%s", err, out)
	}
	// verify exits 0 on some warnings; an unknown directive is still a mistake.
	for _, line := range strings.Split(string(out), "\n") {
		if strings.Contains(line, "uifsagw.service") && strings.Contains(line, "Unknown") {
			t.Errorf("systemd-analyze verify: %s", line)
		}
	}
}

// ---- Kubernetes ------------------------------------------------------------

type kobject struct {
	file string
	raw  map[string]any
}

func (o kobject) kind() string { return str(o.raw, "kind") }
func (o kobject) name() string { return str(o.raw, "metadata", "name") }

// get walks maps by key and lists by decimal index.
func get(v any, path ...string) any {
	for _, p := range path {
		switch x := v.(type) {
		case map[string]any:
			v = x[p]
		case []any:
			i, err := strconv.Atoi(p)
			if err != nil || i < 0 || i >= len(x) {
				return nil
			}
			v = x[i]
		default:
			return nil
		}
	}
	return v
}

func str(v any, path ...string) string {
	s, _ := get(v, path...).(string)
	return s
}

func list(v any, path ...string) []any {
	l, _ := get(v, path...).([]any)
	return l
}

func readKube(t *testing.T) []kobject {
	t.Helper()
	var objs []kobject
	err := filepath.WalkDir(kubeDir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || (filepath.Ext(path) != ".yaml" && filepath.Ext(path) != ".yml") {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		dec := yaml.NewDecoder(bytes.NewReader(b))
		for i := 0; ; i++ {
			var m map[string]any
			if err := dec.Decode(&m); errors.Is(err, io.EOF) {
				break
			} else if err != nil {
				return fmt.Errorf("%s document %d: %w", path, i, err)
			}
			if m == nil {
				continue
			}
			objs = append(objs, kobject{path, m})
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return objs
}

func TestKubernetesManifests(t *testing.T) {
	objs := readKube(t)
	byKind := map[string][]kobject{}
	for _, o := range objs {
		if str(o.raw, "apiVersion") == "" || o.kind() == "" {
			t.Errorf("%s: a document without apiVersion or kind", o.file)
			continue
		}
		if o.kind() == "Kustomization" {
			for _, r := range list(o.raw, "resources") {
				if _, err := os.Stat(filepath.Join(filepath.Dir(o.file), r.(string))); err != nil {
					t.Errorf("%s: resource %v: %v", o.file, r, err)
				}
			}
		} else if o.name() == "" {
			t.Errorf("%s: %s without metadata.name", o.file, o.kind())
		}
		byKind[o.kind()] = append(byKind[o.kind()], o)
	}
	for kind, n := range map[string]int{"Deployment": 1, "Service": 2, "ConfigMap": 2, "PodDisruptionBudget": 1,
		"NetworkPolicy": 1, "Job": 1, "Kustomization": 2, "Cluster": 1} {
		if len(byKind[kind]) != n {
			t.Errorf("%d %s objects, want %d", len(byKind[kind]), kind, n)
		}
	}
	if len(byKind["Deployment"]) != 1 {
		t.FailNow()
	}
	dep := byKind["Deployment"][0].raw
	if r, _ := get(dep, "spec", "replicas").(int); r < 2 {
		t.Errorf("Deployment replicas %v, want at least 2", get(dep, "spec", "replicas"))
	}
	podLabels, _ := get(dep, "spec", "template", "metadata", "labels").(map[string]any)
	pod := get(dep, "spec", "template", "spec")
	if get(pod, "securityContext", "runAsNonRoot") != true {
		t.Error("pod securityContext.runAsNonRoot must be true")
	}
	if len(list(pod, "topologySpreadConstraints")) == 0 {
		t.Error("no topologySpreadConstraints")
	}
	c := get(pod, "containers", "0")
	if get(c, "securityContext", "readOnlyRootFilesystem") != true || get(c, "securityContext", "allowPrivilegeEscalation") != false {
		t.Error("container must have a read-only root file system and no privilege escalation")
	}
	if get(c, "resources", "requests", "cpu") == nil || get(c, "resources", "limits", "memory") == nil {
		t.Error("container needs a CPU request and a memory limit")
	}
	ports := map[string]int{}
	for _, p := range list(c, "ports") {
		ports[str(p, "name")], _ = get(p, "containerPort").(int)
	}
	if !reflect.DeepEqual(ports, map[string]int{"partner": 8443, "staff": 8080}) {
		t.Errorf("container ports %v, want partner 8443 and staff 8080", ports)
	}
	for probe, path := range map[string]string{"livenessProbe": "/healthz", "readinessProbe": "/readyz"} {
		if got := str(c, probe, "httpGet", "path"); got != path {
			t.Errorf("%s path %q, want %q", probe, got, path)
		}
		if p := get(c, probe, "httpGet", "port"); p != "staff" && p != 8080 {
			t.Errorf("%s port %v, want the staff port", probe, p)
		}
	}
	var dbFromSecret bool
	for _, e := range list(c, "env") {
		if str(e, "name") == "UIFSAGW_DATABASE_URL" && str(e, "valueFrom", "secretKeyRef", "name") != "" {
			dbFromSecret = true
			// The gateway serves as the least-privileged role, never as the
			// owner the migration Job connects as (docs/SECURITY.md).
			if name := str(e, "valueFrom", "secretKeyRef", "name"); name == "uifsagw-db-app" {
				t.Errorf("the Deployment connects with the owner's Secret %s", name)
			}
		}
	}
	if !dbFromSecret {
		t.Error("UIFSAGW_DATABASE_URL must come from a Secret")
	}
	// Secrets mounted with subPath are never updated by the kubelet, which
	// would defeat certificate rotation without a restart.
	for _, m := range list(c, "volumeMounts") {
		if get(m, "subPath") != nil {
			t.Errorf("volume mount %s uses subPath", str(m, "name"))
		}
	}
	// Every ConfigMap and Secret the pod mounts exists in the manifests or in
	// secrets.example.yaml.
	defined := map[string]bool{}
	for _, o := range objs {
		defined[o.kind()+"/"+o.name()] = true
	}
	for _, v := range list(pod, "volumes") {
		if n := str(v, "configMap", "name"); n != "" && !defined["ConfigMap/"+n] {
			t.Errorf("volume %s: ConfigMap %s not defined", str(v, "name"), n)
		}
		if n := str(v, "secret", "secretName"); n != "" && !defined["Secret/"+n] {
			t.Errorf("volume %s: Secret %s not defined", str(v, "name"), n)
		}
	}

	matches := func(sel any) bool {
		m, _ := sel.(map[string]any)
		if len(m) == 0 {
			return false
		}
		for k, v := range m {
			if podLabels[k] != v {
				return false
			}
		}
		return true
	}
	svcs := map[string]any{}
	for _, s := range byKind["Service"] {
		svcs[str(s.raw, "spec", "type")] = s.raw
		if !matches(get(s.raw, "spec", "selector")) {
			t.Errorf("Service %s selects no gateway pod", s.name())
		}
	}
	lb := svcs["LoadBalancer"]
	if str(lb, "spec", "externalTrafficPolicy") != "Local" || str(lb, "spec", "ports", "0", "targetPort") != "partner" {
		t.Errorf("partner Service: want LoadBalancer, externalTrafficPolicy Local, target port partner")
	}
	if str(svcs["ClusterIP"], "spec", "ports", "0", "targetPort") != "staff" {
		t.Errorf("staff Service: want ClusterIP to the staff port")
	}
	for _, p := range byKind["PodDisruptionBudget"] {
		if get(p.raw, "spec", "minAvailable") != 1 || !matches(get(p.raw, "spec", "selector", "matchLabels")) {
			t.Errorf("PodDisruptionBudget %s: want minAvailable 1 over the gateway pods", p.name())
		}
	}
	for _, n := range byKind["NetworkPolicy"] {
		if !matches(get(n.raw, "spec", "podSelector", "matchLabels")) {
			t.Errorf("NetworkPolicy %s selects no gateway pod", n.name())
		}
		ingressPorts := map[int]bool{}
		for _, r := range list(n.raw, "spec", "ingress") {
			for _, p := range list(r, "ports") {
				port, _ := get(p, "port").(int)
				ingressPorts[port] = true
			}
		}
		if !reflect.DeepEqual(ingressPorts, map[int]bool{8443: true, 8080: true}) {
			t.Errorf("NetworkPolicy ingress ports %v, want 8443 and 8080", ingressPorts)
		}
	}
	for _, j := range byKind["Job"] {
		if args := list(j.raw, "spec", "template", "spec", "containers", "0", "args"); len(args) == 0 || args[0] != "migrate" {
			t.Errorf("Job %s: args %v, want migrate", j.name(), args)
		}
	}

	// The config in the ConfigMap names only real options.
	opts := map[string]bool{}
	for _, o := range gatewayOptions(t) {
		opts[o.path] = true
		if i := strings.Index(o.path, "."); i > 0 {
			opts[o.path[:i]] = true
		}
	}
	for _, cm := range byKind["ConfigMap"] {
		text := str(cm.raw, "data", "config.yaml")
		if text == "" {
			continue
		}
		var doc yaml.Node
		if err := yaml.Unmarshal([]byte(text), &doc); err != nil {
			t.Fatalf("ConfigMap %s config.yaml: %v", cm.name(), err)
		}
		got := map[string]string{}
		yamlLeaves(t, &doc, "", got)
		for k := range got {
			if !opts[k] {
				t.Errorf("ConfigMap %s: %s is not an option of gateway.Config", cm.name(), k)
			}
		}
	}
}

// TestKustomizeBuild renders both kustomizations, which catches references
// kustomize cannot resolve, when kubectl is available.
func TestKustomizeBuild(t *testing.T) {
	kubectl, err := exec.LookPath("kubectl")
	if err != nil {
		t.Skip("kubectl not on PATH")
	}
	for _, dir := range []string{kubeDir, filepath.Join(kubeDir, "migrate")} {
		out, err := exec.Command(kubectl, "kustomize", dir).CombinedOutput()
		if err != nil {
			t.Errorf("kubectl kustomize %s: %v\n%s", dir, err, out)
			continue
		}
		if !bytes.Contains(out, []byte("image: ghcr.io/uifsagw/uifsagw:")) {
			t.Errorf("kubectl kustomize %s: image tag not set", dir)
		}
	}
}
