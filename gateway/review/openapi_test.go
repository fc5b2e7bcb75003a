package review_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"gopkg.in/yaml.v3"
)

const specPath = "../../schemas/openapi/staff-api.yaml"

type spec struct {
	doc   map[string]any
	paths map[string]map[string]any
	c     *jsonschema.Compiler
}

func loadSpec(t *testing.T) spec {
	t.Helper()
	b, err := os.ReadFile(specPath)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := yaml.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if doc["openapi"] != "3.1.0" {
		t.Fatalf("openapi version %v", doc["openapi"])
	}
	// Through JSON, so the schema compiler sees JSON numbers and maps.
	js, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(js))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("file:///staff-api.json", inst); err != nil {
		t.Fatal(err)
	}
	s := spec{doc: doc, paths: map[string]map[string]any{}, c: c}
	for p, ops := range doc["paths"].(map[string]any) {
		s.paths[p] = ops.(map[string]any)
	}
	return s
}

func (s spec) validate(t *testing.T, schema, body string) {
	t.Helper()
	sch, err := s.c.Compile("file:///staff-api.json#/components/schemas/" + schema)
	if err != nil {
		t.Fatalf("compile %s: %v", schema, err)
	}
	inst, err := jsonschema.UnmarshalJSON(strings.NewReader(body))
	if err != nil {
		t.Fatalf("%s: %v", schema, err)
	}
	if err := sch.Validate(inst); err != nil {
		t.Errorf("response does not match %s: %v\n%.500s", schema, err, body)
	}
}

// TestOpenAPIDocumentsEveryEndpoint calls each documented operation and
// checks that the handler serves it, and that each served /api/ route is
// documented.
func TestOpenAPIDocumentsEveryEndpoint(t *testing.T) {
	t.Parallel()
	s := loadSpec(t)
	e := newEnv(t)
	e.receive("NJ", "NJ-API1", "NJCAPI", nil)
	admin := e.token("ada")
	param := regexp.MustCompile(`\{[^}]+\}`)
	var documented []string
	for p, ops := range s.paths {
		for method := range ops {
			if method == "parameters" {
				continue
			}
			documented = append(documented, strings.ToUpper(method)+" "+p)
			path := p
			switch {
			case strings.Contains(p, "{action}"):
				path = strings.Replace(p, "{action}", "reprocess", 1)
			case strings.Contains(p, "{decision}"):
				path = strings.Replace(p, "{decision}", "confirm", 1)
			case strings.Contains(p, "{caseId}"):
				path = strings.Replace(p, "{caseId}", "NJCAPI", 1)
			}
			path = param.ReplaceAllString(path, "1")
			status, body := e.call(strings.ToUpper(method), path, admin, map[string]any{})
			if status == http.StatusMethodNotAllowed || strings.Contains(body, "no such API endpoint") {
				t.Errorf("%s %s is documented but not served (%d)", method, p, status)
			}
			if _, ok := ops[method].(map[string]any)["responses"].(map[string]any)[itoa(status)]; !ok {
				t.Errorf("%s %s answered %d, which the spec does not list", method, path, status)
			}
		}
	}
	sort.Strings(documented)
	served := []string{
		"GET /api/audit", "GET /api/cases/{caseId}", "GET /api/jobs", "GET /api/jobs/{id}", "GET /api/me",
		"GET /api/messages", "GET /api/messages/newer", "GET /api/messages/{id}", "GET /api/review-items", "POST /api/jobs",
		"POST /api/jobs/{id}/cancel", "POST /api/messages/{id}/reveal", "POST /api/messages/{id}/{action}",
		"POST /api/review-items/{id}/{decision}", "GET /api/worksheets/allocation",
		"GET /api/delivery", "POST /api/delivery",
	}
	sort.Strings(served)
	if strings.Join(documented, "\n") != strings.Join(served, "\n") {
		t.Fatalf("documented operations:\n%s\nserved:\n%s", strings.Join(documented, "\n"), strings.Join(served, "\n"))
	}
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// TestResponsesMatchSchemas checks real answers against the spec's schemas.
func TestResponsesMatchSchemas(t *testing.T) {
	t.Parallel()
	s := loadSpec(t)
	e := newEnv(t)
	in := e.receive("NJ", "NJ-API2", "NJCAPI2", nil)
	item := e.needsReview(in)
	e.deadLetter("PA", "OUT-API2", "NYCAPI2")
	admin := e.token("ada")
	get := func(path string) string {
		status, body := e.call("GET", path, admin, nil)
		if status != 200 {
			t.Fatalf("%s: %d %s", path, status, body)
		}
		return body
	}
	s.validate(t, "Me", get("/api/me"))
	s.validate(t, "MessageDetail", get(idPath("/api/messages/%d", in)))
	s.validate(t, "Case", get("/api/cases/NJCAPI2"))
	var list struct{ Items []json.RawMessage }
	_ = json.Unmarshal([]byte(get("/api/messages")), &list)
	if len(list.Items) != 2 {
		t.Fatalf("%d messages", len(list.Items))
	}
	for _, it := range list.Items {
		s.validate(t, "Message", string(it))
	}
	_, body := e.call("POST", idPath("/api/review-items/%d/override", item), admin, map[string]string{"orderId": "11", "reason": "the NY order was vacated"})
	s.validate(t, "ReviewItem", body)
	_, body = e.call("POST", "/api/jobs", admin, map[string]any{"filter": map[string]string{"status": "dead_letter"}, "note": "retry"})
	s.validate(t, "Job", body)
	_, body = e.call("POST", idPath("/api/messages/%d/reprocess", in), admin, nil)
	s.validate(t, "ActionResult", body)
	_, body = e.call("GET", "/api/messages/999999", admin, nil)
	s.validate(t, "Error", body)
	var audit struct{ Entries []json.RawMessage }
	_ = json.Unmarshal([]byte(get("/api/audit")), &audit)
	if len(audit.Entries) < 3 {
		t.Fatalf("%d audit entries", len(audit.Entries))
	}
	for _, a := range audit.Entries {
		s.validate(t, "AuditEntry", string(a))
	}
}
