package main

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// The image recipe cannot be built here (no container registry), so its
// promises are checked as text: the Go of go.mod, a static build of this
// command, a distroless nonroot final stage, the binary as entrypoint.
func TestDockerfileRecipe(t *testing.T) {
	b, err := os.ReadFile("../../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	df := string(b)
	mod, err := os.ReadFile("../../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	goVer := regexp.MustCompile(`(?m)^go (\d+\.\d+)`).FindStringSubmatch(string(mod))
	if goVer == nil {
		t.Fatal("go.mod has no go directive")
	}
	for _, want := range []string{
		"FROM golang:" + goVer[1] + " AS build",
		"CGO_ENABLED=0 go build",
		"./cmd/uifsagw",
		"FROM gcr.io/distroless/static-debian12:nonroot",
		"USER 65532:65532",
		`ENTRYPOINT ["/uifsagw"]`,
	} {
		if !strings.Contains(df, want) {
			t.Errorf("Dockerfile lacks %q", want)
		}
	}
	if n := strings.Count(df, "\nFROM "); n != 2 {
		t.Errorf("%d stages after the first line; want a build stage and a final stage", n)
	}
}
