package msgfile

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/uifsagw/uifsagw/cmd/uifsagw/internal/exitcode"
	"github.com/uifsagw/uifsagw/schemas/canonical"
	"github.com/uifsagw/uifsagw/transforms"
	"github.com/uifsagw/uifsagw/transforms/eiwofile"
)

// IsEIWO says whether a validate or convert input is an e-IWO document or
// file: its format is one of the employer formats, or, with no format given,
// the file starts with a federal file header.
func IsEIWO(format string, b []byte) bool {
	if _, ok := transforms.LookupIWO(format); ok {
		return true
	}
	return format == "" && (bytes.HasPrefix(b, []byte("FHI")) || bytes.HasPrefix(b, []byte("FHA")))
}

// eiwoDocs is what an e-IWO input holds: IWOs or acknowledgments.
type eiwoDocs struct {
	iwos []canonical.IWO
	acks []canonical.EmployerAck
	// header of a federal file, when the input was one.
	header *eiwofile.Header
}

func decodeEIWO(format string, b []byte) (eiwoDocs, []string, error) {
	if format == "" || format == eiwofile.Format {
		l, err := eiwofile.Default()
		if err != nil {
			return eiwoDocs{}, nil, err
		}
		var errs error
		var d eiwoDocs
		switch {
		case bytes.HasPrefix(b, []byte("FHA")):
			h, batches, err := l.DecodeAckFile(b)
			errs = err
			d.header = &h
			for _, bt := range batches {
				d.acks = append(d.acks, bt.Acks...)
			}
		default:
			h, batches, err := l.DecodeIWOFile(b)
			errs = err
			d.header = &h
			for _, bt := range batches {
				d.iwos = append(d.iwos, bt.IWOs...)
			}
		}
		var fes eiwofile.Errors
		if errors.As(errs, &fes) {
			out := make([]string, len(fes))
			for i, e := range fes {
				out[i] = e.Error()
			}
			return eiwoDocs{}, out, nil
		}
		return d, nil, errs
	}
	codec, _ := transforms.LookupIWO(format)
	iwo, ierrs := codec.DecodeIWO(b)
	if len(ierrs) == 0 {
		return eiwoDocs{iwos: []canonical.IWO{iwo}}, nil, nil
	}
	ack, aerrs := codec.DecodeAck(b)
	if len(aerrs) == 0 {
		return eiwoDocs{acks: []canonical.EmployerAck{ack}}, nil, nil
	}
	// Report against the kind of document the input most looks like.
	errs := ierrs
	if bytes.Contains(b, []byte("EmployerAck")) || bytes.Contains(b, []byte(`"ackDate"`)) {
		errs = aerrs
	}
	out := make([]string, len(errs))
	for i, e := range errs {
		out[i] = e.Error()
	}
	return eiwoDocs{}, out, nil
}

// validateEIWO checks an e-IWO document or a whole federal file and prints
// what it holds.
func validateEIWO(w io.Writer, format, path string, b []byte) error {
	if format == "" && !bytes.HasPrefix(b, []byte("FH")) {
		format = eiwofile.Format
	}
	d, problems, err := decodeEIWO(format, b)
	if err != nil {
		return err
	}
	name := format
	if name == "" {
		name = eiwofile.Format
	}
	if len(problems) > 0 {
		for _, p := range problems {
			fmt.Fprintln(w, p)
		}
		return exitcode.Failed(fmt.Sprintf("%s: %d error(s) (%s); a file with any error is refused whole", path, len(problems), name))
	}
	what := map[string]int{}
	for _, iwo := range d.iwos {
		what[string(iwo.DocAction)]++
	}
	for _, a := range d.acks {
		switch {
		case a.Notice != "":
			what[string(a.Notice)+" notice"]++
		default:
			what[a.Status.Disposition()]++
		}
	}
	var parts []string
	for k, n := range what {
		parts = append(parts, fmt.Sprintf("%d %s", n, k))
	}
	sort.Strings(parts)
	kind := "IWO(s)"
	count := len(d.iwos)
	if len(d.acks) > 0 {
		kind, count = "acknowledgment(s)", len(d.acks)
	}
	ctl := ""
	if d.header != nil {
		ctl = ", control number " + d.header.Control
	}
	fmt.Fprintf(w, "valid %s: %d %s (%s)%s\n", name, count, kind, strings.Join(parts, ", "), ctl)
	return nil
}

// convertEIWO converts between the e-IWO forms. Writing a federal file takes
// the control numbers as flags: the gateway draws them from its database, so
// a command-line tool must be told them rather than invent any.
func convertEIWO(w, errw io.Writer, from, to, path string, b []byte, fileCtl, batchCtl string) error {
	d, problems, err := decodeEIWO(from, b)
	if err != nil {
		return err
	}
	if len(problems) > 0 {
		for _, p := range problems {
			fmt.Fprintln(errw, p)
		}
		return exitcode.Failed(fmt.Sprintf("%d error(s) decoding %s", len(problems), path))
	}
	if to == eiwofile.Format {
		return writeEIWOFile(w, d, fileCtl, batchCtl)
	}
	codec, ok := transforms.LookupIWO(to)
	if !ok {
		return fmt.Errorf("unknown e-IWO format %q; known: %s", to, strings.Join(transforms.IWOFormats(), ", "))
	}
	var docs [][]byte
	for _, iwo := range d.iwos {
		out, err := codec.EncodeIWO(iwo)
		if err != nil {
			return err
		}
		docs = append(docs, out)
	}
	for _, a := range d.acks {
		out, err := codec.EncodeAck(a)
		if err != nil {
			return err
		}
		docs = append(docs, out)
	}
	switch {
	case len(docs) == 1:
		if _, err := w.Write(docs[0]); err != nil {
			return err
		}
		if !bytes.HasSuffix(docs[0], []byte("\n")) {
			fmt.Fprintln(w)
		}
	case strings.Contains(to, "json"):
		// Several documents of one file: a JSON array of them.
		raw := make([]json.RawMessage, len(docs))
		for i, d := range docs {
			raw[i] = d
		}
		out, err := json.MarshalIndent(raw, "", "  ")
		if err != nil {
			return err
		}
		fmt.Fprintln(w, string(out))
	default:
		return fmt.Errorf("%s holds %d documents; %s writes one per file (convert to eiwo-json/1 for an array)", path, len(docs), to)
	}
	return nil
}

func writeEIWOFile(w io.Writer, d eiwoDocs, fileCtl, batchCtl string) error {
	if fileCtl == "" || batchCtl == "" {
		return errors.New("writing an e-IWO file needs --control and --batch-control: control numbers are 22 characters, state FIPS first, and never reused; the gateway draws them from its database")
	}
	l, err := eiwofile.Default()
	if err != nil {
		return err
	}
	state := fileCtl[:min(5, len(fileCtl))]
	for _, c := range []string{fileCtl, batchCtl} {
		if err := eiwofile.CheckControl(c, state); err != nil {
			return err
		}
	}
	now := time.Now().UTC()
	var out []byte
	switch {
	case len(d.acks) > 0:
		ein := d.acks[0].EmployerFEIN
		out, err = l.EncodeAckFile(eiwofile.Header{Control: fileCtl, StateFIPS: state, EIN: ein, Created: now},
			[]eiwofile.AckBatch{{Header: eiwofile.Header{Control: batchCtl, StateFIPS: state, EIN: ein, Created: now}, Acks: d.acks}})
	case len(d.iwos) > 0:
		ein := d.iwos[0].Employer.EIN
		for _, iwo := range d.iwos {
			if iwo.Employer.EIN != ein {
				return errors.New("the IWOs are for several employers; one batch is one employer's")
			}
		}
		out, err = l.EncodeIWOFile(eiwofile.Header{Control: fileCtl, StateFIPS: state, Created: now},
			[]eiwofile.IWOBatch{{Header: eiwofile.Header{Control: batchCtl, StateFIPS: state, EIN: ein, Created: now}, IWOs: d.iwos}})
	default:
		return errors.New("nothing to write")
	}
	if err != nil {
		return err
	}
	_, err = w.Write(out)
	return err
}
