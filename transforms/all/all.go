// Package all wires every built-in codec. Importing it for its side effect
// fills transforms.Default; Install fills any other registry.
//
//	import _ "github.com/uifsagw/uifsagw/transforms/all"
package all

import (
	"github.com/uifsagw/uifsagw/transforms"
	"github.com/uifsagw/uifsagw/transforms/csenet"
	"github.com/uifsagw/uifsagw/transforms/eiwo"
	"github.com/uifsagw/uifsagw/transforms/eiwofile"
	"github.com/uifsagw/uifsagw/transforms/jsontx"
	"github.com/uifsagw/uifsagw/transforms/xmltx"
)

func init() { Install(transforms.Default) }

// Install registers xml-transaction/1 and /2, json-transaction/1 and /2,
// csenet-2000, eiwo-xml/1, eiwo-json/1 and the federal e-IWO file
// (eiwo-file) in r with their default limits.
func Install(r *transforms.Registry) {
	r.Register(xmltx.New())
	r.Register(xmltx.NewV2())
	r.Register(jsontx.New())
	r.Register(jsontx.NewV1())
	r.Register(csenet.New())
	r.RegisterIWO(eiwo.NewXML())
	r.RegisterIWO(eiwo.NewJSON())
	// The embedded layouts are checked by the eiwofile tests; failing to
	// load them is a broken build, not a runtime condition.
	fc, err := eiwofile.NewCodec()
	if err != nil {
		panic("transforms/all: " + err.Error())
	}
	r.RegisterIWO(fc)
}

// NewRegistry returns a registry holding every built-in codec.
func NewRegistry() *transforms.Registry {
	r := transforms.NewRegistry()
	Install(r)
	return r
}
