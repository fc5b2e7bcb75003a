package eiwo_test

import (
	"testing"

	"github.com/uifsagw/uifsagw/transforms/eiwo"
	"github.com/uifsagw/uifsagw/transforms/internal/testutil"
)

// FuzzDecodeIWO: no input panics the IWO decoder, and whatever it accepts
// encodes and decodes back to the same value.
func FuzzDecodeIWO(f *testing.F) {
	f.Add(read(f, "iwo-org.xml"))
	x := eiwo.NewXML()
	f.Fuzz(func(t *testing.T, b []byte) {
		iwo, errs := x.DecodeIWO(b)
		if errs != nil {
			return
		}
		out, err := x.EncodeIWO(iwo)
		if err != nil {
			t.Fatalf("encode of a decoded IWO: %v", err)
		}
		again, errs := x.DecodeIWO(out)
		if errs != nil {
			t.Fatalf("decode of our own output: %v\n%s", errs, out)
		}
		testutil.Equal(t, "round trip", again, iwo)
	})
}

// FuzzDecodeAck is FuzzDecodeIWO for employer acknowledgments.
func FuzzDecodeAck(f *testing.F) {
	f.Add(read(f, "ack-rejected.xml"))
	f.Add(read(f, "ack-accepted.xml"))
	x := eiwo.NewXML()
	f.Fuzz(func(t *testing.T, b []byte) {
		ack, errs := x.DecodeAck(b)
		if errs != nil {
			return
		}
		out, err := x.EncodeAck(ack)
		if err != nil {
			t.Fatalf("encode of a decoded ack: %v", err)
		}
		again, errs := x.DecodeAck(out)
		if errs != nil {
			t.Fatalf("decode of our own output: %v\n%s", errs, out)
		}
		testutil.Equal(t, "round trip", again, ack)
	})
}
