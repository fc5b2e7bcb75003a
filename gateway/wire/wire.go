// Package wire holds the JSON documents of the partner API that both ends
// read: the edge serves them and the courier, calling a partner, decodes
// them. One definition keeps the two sides from drifting apart; the field
// names are a contract with partners and do not change.
package wire

// InboxItem is one message waiting for a pull partner.
type InboxItem struct {
	// ID is what POST /v1/inbox/ack takes: the message ID.
	ID          string `json:"id"`
	Cursor      int64  `json:"cursor"`
	MessageID   string `json:"messageId"`
	Format      string `json:"format"`
	ContentType string `json:"contentType"`
	// Body is the message exactly as signed.
	Body string `json:"body"`
	// Signature is the sender's detached JWS over Body.
	Signature string `json:"signature"`
}

// InboxPage is one page of a pull inbox: the answer to GET /v1/inbox.
type InboxPage struct {
	Messages []InboxItem `json:"messages"`
	Next     int64       `json:"next"`
}
