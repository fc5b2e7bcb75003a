package csenet_test

import (
	"testing"

	"github.com/uifsagw/uifsagw/transforms/all"
	"github.com/uifsagw/uifsagw/transforms/csenet"
)

func TestRegisteredInAll(t *testing.T) {
	c, ok := all.NewRegistry().Lookup(csenet.Format)
	if !ok || c.Format() != "csenet-2000" || c.ContentType() != "text/plain" {
		t.Fatalf("Lookup(csenet-2000) = %v, %v", c, ok)
	}
}
