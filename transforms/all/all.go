// Package all wires every built-in codec. Importing it for its side effect
// fills transforms.Default; Install fills any other registry.
//
//	import _ "github.com/uifsagw/uifsagw/transforms/all"
package all

import (
	"github.com/uifsagw/uifsagw/transforms"
	"github.com/uifsagw/uifsagw/transforms/eiwo"
	"github.com/uifsagw/uifsagw/transforms/jsontx"
	"github.com/uifsagw/uifsagw/transforms/xmltx"
)

func init() { Install(transforms.Default) }

// Install registers xml-transaction/1 and /2, json-transaction/1 and /2, eiwo-xml/1
// and eiwo-json/1 in r with their default limits.
func Install(r *transforms.Registry) {
	r.Register(xmltx.New())
	r.Register(xmltx.NewV2())
	r.Register(jsontx.New())
	r.Register(jsontx.NewV1())
	r.RegisterIWO(eiwo.NewXML())
	r.RegisterIWO(eiwo.NewJSON())
}

// NewRegistry returns a registry holding every built-in codec.
func NewRegistry() *transforms.Registry {
	r := transforms.NewRegistry()
	Install(r)
	return r
}
