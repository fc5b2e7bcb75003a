package devenv

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/uifsagw/uifsagw/schemas/canonical"
	"github.com/uifsagw/uifsagw/transforms/eiwofile"
)

// TestAnswerEIWOFile: the sample employer answers a file of two IWOs with an
// acknowledgment file accepting one and rejecting the other as no longer
// employed, which decodes with its counts.
func TestAnswerEIWOFile(t *testing.T) {
	in, err := os.ReadFile(filepath.Join("..", "..", "transforms", "eiwofile", "testdata", "iwo-file.txt"))
	if err != nil {
		t.Fatal(err)
	}
	out, err := AnswerEIWOFile(in, "3400000000000000000001", "3400000000000000000002", time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	l, _ := eiwofile.Default()
	h, batches, err := l.DecodeAckFile(out)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if h.Control != "3400000000000000000001" || len(batches) != 1 || len(batches[0].Acks) != 2 {
		t.Fatalf("%+v %+v", h, batches)
	}
	a, r := batches[0].Acks[0], batches[0].Acks[1]
	if a.Status != canonical.AckAccepted || a.TrackingNumber != "NY-IWO-2026-000913" {
		t.Errorf("first = %+v", a)
	}
	if r.Status != canonical.AckRejected || len(r.Reasons) != 1 || r.Reasons[0] != canonical.AckNoLongerEmployed || r.TerminationDate == nil {
		t.Errorf("second = %+v", r)
	}
	if _, err := AnswerEIWOFile([]byte("FHA"), "3400000000000000000001", "3400000000000000000002", time.Now()); err == nil {
		t.Error("an acknowledgment file was answered")
	}
}

// TestSampleENFIsValid: the samples WriteSamples writes for the file
// employer pass the same validation a partner's post does.
func TestSampleENFIsValid(t *testing.T) {
	l := Layout{Dir: t.TempDir()}
	if err := WriteSamples(l); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"pa-enf-initech-1.json", "pa-enf-initech-2.json"} {
		if _, err := os.Stat(filepath.Join(l.Dir, "samples", n)); err != nil {
			t.Error(err)
		}
	}
}
