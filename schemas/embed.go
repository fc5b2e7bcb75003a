// Package schemas publishes the gateway's schemas and data tables: the JSON
// Schemas of the JSON wire formats, the XSDs of the XML formats, and the table
// of valid transaction codes. They are embedded so that the binary validates
// exactly what it publishes, with no files to deploy beside it.
//
// This package imports nothing from the gateway, so that every other package,
// including the canonical model, can import it without a cycle.
package schemas

import "embed"

// FS holds every published file under its path in this directory:
// codes/transactions.csv, json/*.schema.json and xsd/*.xsd (xsd/.keep only
// keeps the directory, and so the embed pattern, valid before any XSD exists).
//
//go:embed codes/transactions.csv json/*.schema.json all:xsd csenet/*.csv
var FS embed.FS

// TransactionCodesCSV is the seed table of valid (function, action, reason)
// combinations; see validate.ParseCombos (schemas/canonical/validate) for its format.
//
//go:embed codes/transactions.csv
var TransactionCodesCSV []byte

// TransactionSchemaID is the $id of the canonical JSON transaction schema,
// which is also the public json-transaction/2 wire format.
const TransactionSchemaID = "https://uifsagw.example/schemas/json-transaction/2"

// TransactionSchemaPath is where that schema sits in FS.
const TransactionSchemaPath = "json/transaction.schema.json"

// TransactionSchemaV1ID and TransactionSchemaV1Path are the schema of the
// older json-transaction/1 format, which the gateway still reads and writes.
const (
	TransactionSchemaV1ID   = "https://uifsagw.example/schemas/json-transaction/1"
	TransactionSchemaV1Path = "json/transaction-1.schema.json"
)

// The federal CSENet 2000 tables (Interface Guidance Document v8.0, Appendices
// B and C; see csenet/README.md): the record layout, the valid combinations and
// the fields each combination fills.
var (
	//go:embed csenet/layout.csv
	CSENetLayoutCSV []byte
	//go:embed csenet/transactions.csv
	CSENetTransactionsCSV []byte
	//go:embed csenet/requirements.csv
	CSENetRequirementsCSV []byte
)
