package schemas

import _ "embed"

// The e-IWO record layouts (Appendix D of the federal employer's guide, OMB
// 0970-0154), with each row's source; see eiwo/README.md for what is read in
// a federal chart and what is derived.
var (
	//go:embed eiwo/header.csv
	EIWOHeaderCSV []byte
	//go:embed eiwo/trailer.csv
	EIWOTrailerCSV []byte
	//go:embed eiwo/detail.csv
	EIWODetailCSV []byte
	//go:embed eiwo/ack.csv
	EIWOAckCSV []byte
)
