package main

import (
	"context"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/uifsagw/uifsagw/gateway/pki"
	"github.com/uifsagw/uifsagw/gateway/signing"
	"github.com/uifsagw/uifsagw/partners"
)

func init() {
	register("pki", "make a CA, certificates and JWS keys (ca | issue | jwk | pin)", runPKI)
}

func runPKI(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("pki needs a subcommand: ca, issue, jwk or pin")
	}
	switch args[0] {
	case "ca":
		fs := newFlags("pki ca", "--out DIR [--name NAME]")
		out := fs.String("out", "pki", "folder for ca.pem and ca-key.pem")
		name := fs.String("name", "uifsagw CA", "CA common name")
		years := fs.Int("years", 5, "validity in years")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		ca, err := pki.NewCA(*name, time.Duration(*years)*365*24*time.Hour)
		if err != nil {
			return err
		}
		if err := ca.Save(*out+"/ca.pem", *out+"/ca-key.pem"); err != nil {
			return err
		}
		fmt.Printf("wrote %s/ca.pem and %s/ca-key.pem\n", *out, *out)
	case "issue":
		fs := newFlags("pki issue", "--ca DIR --cn NAME --out PREFIX [--dns a,b] [--ip 127.0.0.1] [--server] [--client]")
		caDir := fs.String("ca", "pki", "folder with ca.pem and ca-key.pem")
		cn := fs.String("cn", "", "common name")
		out := fs.String("out", "", "output prefix: writes PREFIX.pem and PREFIX-key.pem")
		dns := fs.String("dns", "localhost", "comma-separated DNS names")
		ips := fs.String("ip", "127.0.0.1", "comma-separated IP addresses")
		server := fs.Bool("server", false, "server authentication")
		client := fs.Bool("client", false, "client authentication")
		days := fs.Int("days", 365, "validity in days")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		if *cn == "" || *out == "" || (!*server && !*client) {
			return fmt.Errorf("--cn, --out and at least one of --server/--client are required")
		}
		ca, err := pki.LoadCA(*caDir+"/ca.pem", *caDir+"/ca-key.pem")
		if err != nil {
			return err
		}
		var ipList []net.IP
		for _, s := range splitList(*ips) {
			ip := net.ParseIP(s)
			if ip == nil {
				return fmt.Errorf("--ip: %q is not an IP address", s)
			}
			ipList = append(ipList, ip)
		}
		cert, key, err := ca.Issue(*cn, splitList(*dns), ipList, pki.Usage{Server: *server, Client: *client}, time.Duration(*days)*24*time.Hour)
		if err != nil {
			return err
		}
		if err := pki.WriteCert(*out+".pem", cert); err != nil {
			return err
		}
		if err := pki.WriteKey(*out+"-key.pem", key); err != nil {
			return err
		}
		fmt.Printf("wrote %s.pem and %s-key.pem\npin: %s\n", *out, *out, partners.PinOf(cert))
	case "jwk":
		fs := newFlags("pki jwk", "--out PREFIX")
		out := fs.String("out", "signing", "writes PREFIX.jwk.json (private) and PREFIX.jwks.json (public)")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		k, err := signing.GenerateKey()
		if err != nil {
			return err
		}
		pub, err := signing.PublicSet(k)
		if err != nil {
			return err
		}
		if err := signing.WriteJSON(*out+".jwk.json", k, 0o600); err != nil {
			return err
		}
		if err := signing.WriteJSON(*out+".jwks.json", pub, 0o644); err != nil {
			return err
		}
		fmt.Printf("wrote %s.jwk.json (keep private) and %s.jwks.json (give to partners); kid %s\n", *out, *out, signing.KeyID(k))
	case "pin":
		fs := newFlags("pki pin", "CERT.pem")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		if fs.NArg() != 1 {
			return fmt.Errorf("pki pin needs one certificate file")
		}
		pin, err := pinOfFile(fs.Arg(0))
		if err != nil {
			return err
		}
		fmt.Println(pin)
	default:
		return fmt.Errorf("unknown pki subcommand %q", args[0])
	}
	return nil
}

func splitList(s string) []string {
	var out []string
	for _, x := range strings.Split(s, ",") {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}
