package main

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/uifsagw/uifsagw/gateway/courier"
	"github.com/uifsagw/uifsagw/gateway/devenv"
	"github.com/uifsagw/uifsagw/gateway/pki"
	"github.com/uifsagw/uifsagw/gateway/signing"
	"github.com/uifsagw/uifsagw/schemas/canonical"
	"github.com/uifsagw/uifsagw/transforms/csenet"
)

func init() {
	register("send", "sign and post a message as a partner; verify and print the receipt", runSend)
}

// clientFlags are the ways to name a partner identity: a dev installation and
// a partner ID, or explicit files.
type clientFlags struct {
	dir, as, addr, cert, key, jwk, ca, serverJWKS string
}

func (c *clientFlags) register(fs interface {
	StringVar(*string, string, string, string)
}) {
	fs.StringVar(&c.dir, "dir", "var", "install folder of `uifsagw dev` (sample partners for --as, the gateway's address and CA)")
	fs.StringVar(&c.as, "as", "", "sample partner ID in the install folder (nj, pa, acme)")
	fs.StringVar(&c.addr, "addr", "", "gateway partner API base URL (default: where the dev gateway of --dir listens, from its running.yaml or config.yaml)")
	fs.StringVar(&c.cert, "cert", "", "client certificate (PEM); default from --as")
	fs.StringVar(&c.key, "key", "", "client key (PEM); default from --as")
	fs.StringVar(&c.jwk, "jwk", "", "private signing JWK; default from --as")
	fs.StringVar(&c.ca, "ca", "", "CA that signed the gateway's certificate; default the dev CA")
	fs.StringVar(&c.serverJWKS, "server-jwks", "", "gateway's public JWKS to verify receipts; default fetched from --addr")
}

func (c *clientFlags) client(ctx context.Context) (*courier.Client, error) {
	l := devenv.Layout{Dir: c.dir}
	if c.as != "" && c.cert == "" && c.key == "" && c.jwk == "" {
		if err := l.CheckClient(c.as); err != nil {
			return nil, err
		}
	}
	if c.addr == "" {
		u, err := l.PartnerURL()
		if err != nil {
			return nil, fmt.Errorf("no gateway address: give --addr, or --dir with the install folder of uifsagw dev (%w)", err)
		}
		c.addr = u
	}
	if c.as != "" {
		cert, key, jwkFile := l.Client(c.as)
		if c.cert == "" {
			c.cert = cert
		}
		if c.key == "" {
			c.key = key
		}
		if c.jwk == "" {
			c.jwk = jwkFile
		}
	}
	if c.ca == "" {
		c.ca, _ = l.CA()
	}
	if c.cert == "" || c.key == "" || c.jwk == "" {
		return nil, fmt.Errorf("name the partner with --as ID (dev installation) or give --cert, --key and --jwk")
	}
	pair, err := tls.LoadX509KeyPair(c.cert, c.key)
	if err != nil {
		return nil, fmt.Errorf("client certificate: %w", err)
	}
	roots, err := pki.ReadCertPool(c.ca)
	if err != nil {
		return nil, fmt.Errorf("--ca: %w", err)
	}
	k, err := signing.LoadPrivateKey(c.jwk)
	if err != nil {
		return nil, err
	}
	signer, err := signing.NewSigner(k)
	if err != nil {
		return nil, err
	}
	cl := &courier.Client{HTTP: courier.NewHTTPClient(pair, roots, "", 30*time.Second), BaseURL: c.addr, Signer: signer}
	if c.serverJWKS != "" {
		cl.ServerKeys, err = signing.LoadKeySet(c.serverJWKS)
	} else {
		cl.ServerKeys, err = cl.FetchJWKS(ctx)
	}
	if err != nil {
		return nil, fmt.Errorf("gateway keys: %w", err)
	}
	return cl, nil
}

var messageIDPattern = regexp.MustCompile(`(?s)(?:"messageId"\s*:\s*"([^"]+)"|<MessageID>([^<]+)</MessageID>)`)

// freshID appends a random suffix, keeping within the 40 characters a
// message ID may have by shortening the original from the left if needed.
func freshID(id string) (string, error) {
	var b [4]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	suffix := "-" + hex.EncodeToString(b[:])
	if max := canonical.MaxMessageIDLen - len(suffix); len(id) > max {
		id = id[len(id)-max:]
	}
	return id + suffix, nil
}

func runSend(ctx context.Context, args []string) error {
	fs := newFlags("send", "--as PARTNER [flags] FILE")
	var cf clientFlags
	cf.register(fs)
	ct := fs.String("content-type", "", "Content-Type (default from the file: .xml → application/xml, .csenet → text/plain, else application/json)")
	msgID := fs.String("message-id", "", "message ID for the JWS jti (default read from the file)")
	newID := fs.Bool("new-id", false, "send the file under a new message ID (its own ID plus a random suffix), so sending it again is a new message, not a repeat")
	fileIDFlag := fs.String("file-id", "", "post FILE to the batch endpoint (/v1/files) as a file of many transactions, one a line, under this file ID (the JWS jti); a .csenet file is always posted so, its ID by default its name and a digest of its bytes")
	if err := fs.Parse(reorder(fs, args)); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("send needs one message file")
	}
	body, err := os.ReadFile(fs.Arg(0))
	if err != nil {
		return err
	}
	if *fileIDFlag != "" || isCSENetFile(fs.Arg(0)) {
		id := *fileIDFlag
		if id == "" {
			id = fileID(fs.Arg(0), body)
		}
		if *newID {
			if id, err = freshID(id); err != nil {
				return err
			}
		}
		if *ct == "" {
			*ct = csenet.ContentType
		}
		cl, err := cf.client(ctx)
		if err != nil {
			return err
		}
		return sendFile(ctx, cl, body, *ct, id)
	}
	if *ct == "" {
		*ct = "application/json"
		if strings.EqualFold(filepath.Ext(fs.Arg(0)), ".xml") {
			*ct = "application/xml"
		}
	}
	if *msgID == "" {
		m := messageIDPattern.FindSubmatch(body)
		if m == nil {
			return fmt.Errorf("no message ID found in the file; give --message-id")
		}
		*msgID = string(m[1]) + string(m[2])
		if *newID {
			fresh, err := freshID(*msgID)
			if err != nil {
				return err
			}
			// Only the matched ID element is rewritten, so the rest of the
			// body is sent exactly as in the file.
			loc := messageIDPattern.FindSubmatchIndex(body)
			g := 2
			if loc[2] < 0 {
				g = 4
			}
			body = append(append(append([]byte{}, body[:loc[g]]...), fresh...), body[loc[g+1]:]...)
			*msgID = fresh
		}
	} else if *newID {
		return fmt.Errorf("--new-id rewrites the ID found in the file; with --message-id give the new ID yourself")
	}
	cl, err := cf.client(ctx)
	if err != nil {
		return err
	}
	res, err := cl.Post(ctx, body, *ct, *msgID)
	if err != nil {
		return err
	}
	if res.Error != nil {
		out, _ := json.MarshalIndent(map[string]any{"status": res.Status, "error": res.Error}, "", "  ")
		fmt.Println(string(out))
		return &exitError{code: 1}
	}
	out, _ := json.MarshalIndent(map[string]any{"status": res.Status, "repeat": res.Repeat, "receipt": res.Receipt,
		"receiptJws": res.ReceiptJWS, "verified": true}, "", "  ")
	fmt.Println(string(out))
	if res.Repeat {
		fmt.Fprintf(os.Stderr, "message %s was sent before: the gateway answered with its first receipt and did nothing new (--new-id sends the file as a new message)\n", *msgID)
	}
	return nil
}
