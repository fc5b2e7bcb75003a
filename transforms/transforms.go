// Package transforms is the codec registry: it turns partner bytes into the
// canonical model and the canonical model back into partner bytes.
//
// Formats are named and versioned ("xml-transaction/1", "json-transaction/1",
// "eiwo-xml/1"); a new incompatible version is a new name, so partners move at
// their own pace. Codec packages do not register themselves: importing
// transforms/all registers every built-in codec in the default registry, and
// per-partner dialects (transforms/mapping) are registered by whoever loads
// them. This keeps codec packages free of init side effects and lets tests
// build private registries with NewRegistry.
//
// Decoders return only decoding and shape errors (malformed input, unknown
// elements, values that cannot be read into their Go type); the caller runs
// canonical.Transaction.Validate afterwards for the model's rules.
package transforms

import (
	"fmt"
	"slices"
	"sync"

	"github.com/uifsagw/uifsagw/schemas/canonical"
)

// Codec reads and writes one wire format of case transactions.
type Codec interface {
	// Format is the versioned format name, e.g. "xml-transaction/1".
	Format() string
	// ContentType is the media type of the encoded bytes.
	ContentType() string
	// Decode reads b. It returns every problem it finds, each with the
	// canonical path and the path in the partner's document; a non-empty
	// FieldErrors means the transaction must not be used.
	Decode(b []byte) (canonical.Transaction, canonical.FieldErrors)
	// Encode writes t deterministically: equal transactions give equal bytes.
	Encode(t canonical.Transaction) ([]byte, error)
}

// IWOCodec reads and writes one wire format of income withholding documents
// exchanged with employers: the IWO and the employer's acknowledgment.
type IWOCodec interface {
	Format() string
	ContentType() string
	DecodeIWO(b []byte) (canonical.IWO, canonical.FieldErrors)
	EncodeIWO(iwo canonical.IWO) ([]byte, error)
	DecodeAck(b []byte) (canonical.EmployerAck, canonical.FieldErrors)
	EncodeAck(ack canonical.EmployerAck) ([]byte, error)
}

// UnknownFormatError says no codec is registered under Format.
type UnknownFormatError struct {
	Format string
	// Known lists the registered formats of the same kind, for the message.
	Known []string
}

func (e *UnknownFormatError) Error() string {
	return fmt.Sprintf("unknown format %q (registered: %v)", e.Format, e.Known)
}

// Registry maps format names to codecs. It is safe for concurrent use, so
// dialects can be registered again when the partner directory reloads while
// requests are being decoded.
type Registry struct {
	mu   sync.RWMutex
	tx   map[string]Codec
	iwos map[string]IWOCodec
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry {
	return &Registry{tx: make(map[string]Codec), iwos: make(map[string]IWOCodec)}
}

// Register adds c under c.Format(), replacing any codec already registered
// under that name (a reloaded dialect replaces its previous version). It
// panics on a nil codec or an empty name: both are wiring mistakes.
func (r *Registry) Register(c Codec) {
	if c == nil || c.Format() == "" {
		panic("transforms: Register of a nil codec or an empty format name")
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.tx[c.Format()] = c
}

// RegisterIWO adds c under c.Format(), replacing any codec of that name.
func (r *Registry) RegisterIWO(c IWOCodec) {
	if c == nil || c.Format() == "" {
		panic("transforms: RegisterIWO of a nil codec or an empty format name")
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.iwos[c.Format()] = c
}

// Lookup returns the transaction codec registered under format.
func (r *Registry) Lookup(format string) (Codec, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	c, ok := r.tx[format]
	return c, ok
}

// LookupIWO returns the IWO codec registered under format.
func (r *Registry) LookupIWO(format string) (IWOCodec, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	c, ok := r.iwos[format]
	return c, ok
}

// Formats lists the registered transaction formats, sorted.
func (r *Registry) Formats() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return sortedKeys(r.tx)
}

// IWOFormats lists the registered IWO formats, sorted.
func (r *Registry) IWOFormats() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return sortedKeys(r.iwos)
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// unknownFormat is the FieldErrors form of an unknown format, so that Decode
// keeps one error type for everything the sender got wrong.
func unknownFormat(err *UnknownFormatError) canonical.FieldErrors {
	return canonical.FieldErrors{{Path: "", Reason: err.Error()}}
}

// Decode reads b in format. An unknown format is reported as a FieldError on
// the empty path.
func (r *Registry) Decode(format string, b []byte) (canonical.Transaction, canonical.FieldErrors) {
	c, ok := r.Lookup(format)
	if !ok {
		return canonical.Transaction{}, unknownFormat(&UnknownFormatError{Format: format, Known: r.Formats()})
	}
	return c.Decode(b)
}

// Encode writes t in format; an unknown format is an *UnknownFormatError.
func (r *Registry) Encode(t canonical.Transaction, format string) ([]byte, error) {
	c, ok := r.Lookup(format)
	if !ok {
		return nil, &UnknownFormatError{Format: format, Known: r.Formats()}
	}
	return c.Encode(t)
}

// DecodeIWO reads an IWO document in format.
func (r *Registry) DecodeIWO(format string, b []byte) (canonical.IWO, canonical.FieldErrors) {
	c, ok := r.LookupIWO(format)
	if !ok {
		return canonical.IWO{}, unknownFormat(&UnknownFormatError{Format: format, Known: r.IWOFormats()})
	}
	return c.DecodeIWO(b)
}

// EncodeIWO writes an IWO document in format.
func (r *Registry) EncodeIWO(iwo canonical.IWO, format string) ([]byte, error) {
	c, ok := r.LookupIWO(format)
	if !ok {
		return nil, &UnknownFormatError{Format: format, Known: r.IWOFormats()}
	}
	return c.EncodeIWO(iwo)
}

// DecodeAck reads an employer acknowledgment in format.
func (r *Registry) DecodeAck(format string, b []byte) (canonical.EmployerAck, canonical.FieldErrors) {
	c, ok := r.LookupIWO(format)
	if !ok {
		return canonical.EmployerAck{}, unknownFormat(&UnknownFormatError{Format: format, Known: r.IWOFormats()})
	}
	return c.DecodeAck(b)
}

// EncodeAck writes an employer acknowledgment in format.
func (r *Registry) EncodeAck(ack canonical.EmployerAck, format string) ([]byte, error) {
	c, ok := r.LookupIWO(format)
	if !ok {
		return nil, &UnknownFormatError{Format: format, Known: r.IWOFormats()}
	}
	return c.EncodeAck(ack)
}

// Default is the process-wide registry used by the package-level functions.
// Import transforms/all to fill it with the built-in codecs.
var Default = NewRegistry()

// Register adds c to the default registry.
func Register(c Codec) { Default.Register(c) }

// RegisterIWO adds c to the default registry.
func RegisterIWO(c IWOCodec) { Default.RegisterIWO(c) }

// Lookup finds a transaction codec in the default registry.
func Lookup(format string) (Codec, bool) { return Default.Lookup(format) }

// LookupIWO finds an IWO codec in the default registry.
func LookupIWO(format string) (IWOCodec, bool) { return Default.LookupIWO(format) }

// Formats lists the transaction formats of the default registry.
func Formats() []string { return Default.Formats() }

// IWOFormats lists the IWO formats of the default registry.
func IWOFormats() []string { return Default.IWOFormats() }

// Decode reads b in format with the default registry.
func Decode(format string, b []byte) (canonical.Transaction, canonical.FieldErrors) {
	return Default.Decode(format, b)
}

// Encode writes t in format with the default registry.
func Encode(t canonical.Transaction, format string) ([]byte, error) { return Default.Encode(t, format) }

// DecodeIWO reads an IWO document in format with the default registry.
func DecodeIWO(format string, b []byte) (canonical.IWO, canonical.FieldErrors) {
	return Default.DecodeIWO(format, b)
}

// EncodeIWO writes an IWO document in format with the default registry.
func EncodeIWO(iwo canonical.IWO, format string) ([]byte, error) {
	return Default.EncodeIWO(iwo, format)
}

// DecodeAck reads an employer acknowledgment in format with the default registry.
func DecodeAck(format string, b []byte) (canonical.EmployerAck, canonical.FieldErrors) {
	return Default.DecodeAck(format, b)
}

// EncodeAck writes an employer acknowledgment in format with the default registry.
func EncodeAck(ack canonical.EmployerAck, format string) ([]byte, error) {
	return Default.EncodeAck(ack, format)
}

// federalFormats are the formats that carry the whole federal CSENet 2000
// dictionary. The others (the /1 formats, the dialects, e-IWO) cannot carry
// every field the federal per-transaction edits require; what they bring is
// checked by the model's rules (canonical.MarkLegacy).
var federalFormats = map[string]bool{"json-transaction/2": true, "xml-transaction/2": true, "csenet-2000": true}

// FederalDictionary reports whether format carries the whole federal dictionary.
func FederalDictionary(format string) bool { return federalFormats[format] }
