package main

import (
	"context"
	"fmt"
	"os"

	"github.com/uifsagw/uifsagw/cmd/uifsagw/internal/partnerclient"
	"github.com/uifsagw/uifsagw/gateway/courier"
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
	return partnerclient.Identity{Dir: c.dir, As: c.as, Addr: c.addr, Cert: c.cert, Key: c.key, JWK: c.jwk,
		CA: c.ca, ServerJWKS: c.serverJWKS}.Client(ctx)
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
	return partnerclient.Send(ctx, os.Stdout, os.Stderr, partnerclient.Message{Path: fs.Arg(0), Body: body,
		ContentType: *ct, MessageID: *msgID, NewID: *newID, FileID: *fileIDFlag}, cf.client)
}
