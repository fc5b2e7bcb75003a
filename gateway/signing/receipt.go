package signing

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwk"
)

// Receipt is what the gateway signs when it has durably stored a message.
type Receipt struct {
	ID         string    `json:"receiptId"`
	Partner    string    `json:"partner"`
	MessageID  string    `json:"messageId"`
	BodySHA256 string    `json:"bodySha256"`
	ReceivedAt time.Time `json:"receivedAt"`
	// Issuer names the gateway that stored the message.
	Issuer string `json:"issuer"`
}

// SignReceipt returns the receipt as a compact JWS.
func (s *Signer) SignReceipt(r Receipt, now time.Time) (string, error) {
	b, err := json.Marshal(r)
	if err != nil {
		return "", err
	}
	return s.SignCompact(b, now)
}

// VerifyReceipt checks a receipt JWS with the issuer's public keys and returns it.
func VerifyReceipt(sig string, set jwk.Set) (Receipt, error) {
	payload, _, err := VerifyCompact(sig, set)
	if err != nil {
		return Receipt{}, err
	}
	var r Receipt
	if err := json.Unmarshal(payload, &r); err != nil {
		return Receipt{}, fmt.Errorf("receipt payload: %w", err)
	}
	return r, nil
}
