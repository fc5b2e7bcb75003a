package eiwobatch_test

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/uifsagw/uifsagw/gateway/eiwobatch"
	"github.com/uifsagw/uifsagw/gateway/exchange"
	"github.com/uifsagw/uifsagw/transforms/eiwofile"
)

// held returns the DTL records of the sample federal file as the documents
// the gateway holds for an employer (each as the eiwo-file codec wrote it).
func held(t *testing.T) []exchange.HeldDocument {
	t.Helper()
	b, err := os.ReadFile("../../transforms/eiwofile/testdata/iwo-file.txt")
	if err != nil {
		t.Fatal(err)
	}
	var docs []exchange.HeldDocument
	for i, line := range bytes.SplitAfter(b, []byte("\n")) {
		if bytes.HasPrefix(line, []byte("DTL")) {
			docs = append(docs, exchange.HeldDocument{MessageID: int64(i), SenderMsgID: "TRK-" + string(rune('A'+i)), Raw: line})
		}
	}
	if len(docs) < 2 {
		t.Fatalf("the sample file has %d DTL records", len(docs))
	}
	return docs
}

func TestFrame(t *testing.T) {
	l, err := eiwofile.Default()
	if err != nil {
		t.Fatal(err)
	}
	docs := held(t)
	const fileCtl, batchCtl = "3600000000000000000901", "3600000000000000000902"
	now := time.Date(2026, 12, 1, 4, 30, 0, 0, time.UTC)
	body, err := eiwobatch.Frame(l, "36000", fileCtl, batchCtl, "221234567", now, docs)
	if err != nil {
		t.Fatal(err)
	}
	h, batches, err := l.DecodeIWOFile(body)
	if err != nil {
		t.Fatalf("the framed file does not decode: %v\n%s", err, body)
	}
	if h.Control != fileCtl || h.StateFIPS != "36000" {
		t.Errorf("file header %+v", h)
	}
	if len(batches) != 1 || batches[0].Header.Control != batchCtl || batches[0].Header.EIN != "221234567" ||
		len(batches[0].IWOs) != len(docs) {
		t.Fatalf("batches %+v", batches)
	}
	if !batches[0].Header.Created.Equal(now) {
		t.Errorf("batch created %v, want %v", batches[0].Header.Created, now)
	}

	tests := []struct {
		name, fileCtl, batchCtl, want string
		docs                          []exchange.HeldDocument
	}{
		{"file control of another state", "3400000000000000000901", batchCtl, "", docs},
		{"short batch control", fileCtl, "36000", "", docs},
		{"a held document that is not a DTL record", fileCtl, batchCtl, "TRK-X",
			[]exchange.HeldDocument{{SenderMsgID: "TRK-X", Raw: []byte("FHI garbage\n")}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := eiwobatch.Frame(l, "36000", tt.fileCtl, tt.batchCtl, "221234567", now, tt.docs)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want one naming %q", err, tt.want)
			}
		})
	}
}
