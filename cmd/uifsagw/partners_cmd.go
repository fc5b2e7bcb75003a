package main

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/uifsagw/uifsagw/partners"
)

func init() {
	register("partners", "manage the partner directory (list | show ID | add FILE | pin ID CERT.pem)", runPartners)
}

func runPartners(ctx context.Context, args []string) error {
	fs := newFlags("partners", "[--dir INSTALL | --partners-dir FOLDER] list | show ID | add FILE.yaml | pin ID CERT.pem [--remove]")
	pf := partnersDirFlags(fs)
	remove := fs.Bool("remove", false, "with pin: remove the pin instead of adding it")
	if err := fs.Parse(reorder(fs, args)); err != nil {
		return err
	}
	dir := pf.resolve()
	rest := fs.Args()
	if len(rest) == 0 {
		return fmt.Errorf("partners needs a subcommand: list, show, add or pin")
	}
	switch rest[0] {
	case "list":
		d, err := loadDirectory(dir)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tKIND\tSTATE\tFORMAT\tDELIVERY\tPINS\tNAME")
		for _, p := range d.All() {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%s\n", p.ID, p.Kind, p.StateFIPS, p.Format, p.Delivery, len(p.Pins()), p.Name)
		}
		return tw.Flush()
	case "show":
		if len(rest) != 2 {
			return fmt.Errorf("partners show needs an ID")
		}
		d, err := loadDirectory(dir)
		if err != nil {
			return err
		}
		p, ok := d.Get(rest[1])
		if !ok {
			return fmt.Errorf("no partner %q in %s", rest[1], dir)
		}
		b, _ := partners.Marshal(p)
		os.Stdout.Write(b)
		fmt.Println("# pins in force:")
		for _, pin := range p.Pins() {
			fmt.Println("#  ", pin)
		}
		for _, c := range p.Certificates() {
			fmt.Printf("# certificate %q expires %s (%d days)\n", c.Subject.CommonName, c.NotAfter.Format(time.DateOnly),
				int(time.Until(c.NotAfter).Hours()/24))
		}
		return nil
	case "add":
		if len(rest) != 2 {
			return fmt.Errorf("partners add needs an entry file")
		}
		b, err := os.ReadFile(rest[1])
		if err != nil {
			return err
		}
		p, err := partners.Parse(b, dir)
		if err != nil {
			return err
		}
		dst := filepath.Join(dir, p.ID+".yaml")
		if _, err := os.Stat(dst); err == nil {
			return fmt.Errorf("partner %q exists (%s)", p.ID, dst)
		}
		if err := writeChecked(dir, dst, b); err != nil {
			return err
		}
		fmt.Printf("added %s; a running gateway picks it up within seconds (or send SIGHUP)\n", p.ID)
		return nil
	case "pin":
		if len(rest) != 3 {
			return fmt.Errorf("partners pin needs an ID and a certificate file")
		}
		pin, err := pinOfFile(rest[2])
		if err != nil {
			return err
		}
		path := filepath.Join(dir, rest[1]+".yaml")
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		p, err := partners.Parse(b, dir)
		if err != nil {
			return err
		}
		var pins []string
		for _, x := range p.TLS.Pins {
			if x != pin {
				pins = append(pins, x)
			}
		}
		if !*remove {
			pins = append(pins, pin)
		}
		p.TLS.Pins = pins
		out, err := partners.Marshal(p)
		if err != nil {
			return err
		}
		if err := writeChecked(dir, path, out); err != nil {
			return err
		}
		verb := "added"
		if *remove {
			verb = "removed"
		}
		fmt.Printf("%s pin %s for %s\n", verb, pin, p.ID)
		return nil
	}
	return fmt.Errorf("unknown partners subcommand %q", rest[0])
}

// loadDirectory loads the partner directory, and says so plainly when the
// folder given is an install folder rather than its partner directory.
func loadDirectory(dir string) (*partners.Directory, error) {
	d, err := partners.Load(dir)
	if err == nil {
		return d, nil
	}
	if _, serr := os.Stat(filepath.Join(dir, "config.yaml")); serr == nil {
		return nil, fmt.Errorf("%s is an install folder, not a partner directory: give it with --dir (its partners.d is used), or --partners-dir %s", dir, filepath.Join(dir, "partners.d"))
	}
	if _, serr := os.Stat(dir); serr != nil {
		return nil, fmt.Errorf("no partner directory %s (give the install folder with --dir, or the partner folder with --partners-dir)", dir)
	}
	return nil, err
}

// writeChecked writes a directory file and loads the whole directory again;
// if it no longer loads, the old file is put back so a running gateway never
// sees a broken directory for long.
func writeChecked(dir, path string, b []byte) error {
	old, readErr := os.ReadFile(path)
	if err := os.WriteFile(path+".tmp", b, 0o644); err != nil {
		return err
	}
	if err := os.Rename(path+".tmp", path); err != nil {
		return err
	}
	if _, err := partners.Load(dir); err != nil {
		if readErr == nil {
			_ = os.WriteFile(path, old, 0o644)
		} else {
			_ = os.Remove(path)
		}
		return fmt.Errorf("the directory would not load, change undone: %w", err)
	}
	return nil
}

func pinOfFile(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	blk, _ := pem.Decode(b)
	if blk == nil || blk.Type != "CERTIFICATE" {
		return "", fmt.Errorf("%s: no PEM certificate", path)
	}
	c, err := x509.ParseCertificate(blk.Bytes)
	if err != nil {
		return "", err
	}
	return partners.PinOf(c), nil
}

// dirFlags name the partner directory the same way in every command: --dir
// is the install folder (as for send, inbox, load and dev) and the directory
// is its partners.d; --partners-dir names the partner folder itself.
type dirFlags struct{ install, partners *string }

func partnersDirFlags(fs *flag.FlagSet) dirFlags {
	return dirFlags{
		install: fs.String("dir", "var", "install folder; its partner directory is partners.d"),
		partners: fs.String("partners-dir", os.Getenv("UIFSAGW_PARTNERS_DIR"),
			"the partner directory folder itself, instead of --dir's partners.d (env UIFSAGW_PARTNERS_DIR)"),
	}
}

func (d dirFlags) resolve() string {
	if *d.partners != "" {
		return *d.partners
	}
	return filepath.Join(*d.install, "partners.d")
}

// reorder moves flags before positional arguments, so "partners list --dir X"
// works. A flag takes the next argument as its value unless it is a boolean
// flag of fs or is written -name=value.
func reorder(fs *flag.FlagSet, args []string) []string {
	var flags, pos []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			// Everything after -- is positional, even what looks like a flag.
			return append(append(flags, "--"), append(pos, args[i+1:]...)...)
		}
		if strings.HasPrefix(a, "-") && a != "-" {
			flags = append(flags, a)
			name := strings.TrimLeft(a, "-")
			if !strings.Contains(name, "=") && !isBoolFlag(fs, name) && i+1 < len(args) {
				flags = append(flags, args[i+1])
				i++
			}
			continue
		}
		pos = append(pos, a)
	}
	return append(flags, pos...)
}

func isBoolFlag(fs *flag.FlagSet, name string) bool {
	f := fs.Lookup(name)
	if f == nil {
		return name == "h" || name == "help"
	}
	b, ok := f.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}
