package hub

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"time"
)

// Login obtains an access token for signer's hotkey from a taonet hub: it
// asks for a challenge, signs it, and trades the signature for a token valid
// for ttl (0 = the hub's default). Use the token as HF_TOKEN with any Hugging
// Face client. Login is taonet's own: huggingface.co issues tokens in its
// web settings instead.
func (c *Client) Login(ctx context.Context, signer Signer, ttl time.Duration) (*TokenResponse, error) {
	hotkey := signer.SS58Address()
	var ch struct {
		Challenge string `json:"challenge"`
	}
	if err := c.postJSON(ctx, c.url("api/auth/challenge"), map[string]string{"hotkey": hotkey}, &ch); err != nil {
		return nil, fmt.Errorf("hub login: challenge: %w", err)
	}
	sig, err := signer.Sign([]byte(ch.Challenge))
	if err != nil {
		return nil, fmt.Errorf("hub login: sign: %w", err)
	}
	req := TokenRequest{Hotkey: hotkey, Challenge: ch.Challenge, Signature: hex.EncodeToString(sig), ExpiresIn: int64(ttl / time.Second)}
	var tr TokenResponse
	if err := c.postJSON(ctx, c.url("api/auth/token"), req, &tr); err != nil {
		return nil, fmt.Errorf("hub login: token: %w", err)
	}
	return &tr, nil
}

// WhoAmI is the name the hub knows the client's token by (GET /api/whoami-v2):
// a hotkey on a taonet hub, a user name on huggingface.co.
func (c *Client) WhoAmI(ctx context.Context) (string, error) {
	var w struct {
		Name string `json:"name"`
	}
	if err := c.getJSON(ctx, c.url("api/whoami-v2"), &w); err != nil {
		return "", err
	}
	return w.Name, nil
}

// postJSON POSTs v as JSON (no retries: the calls are not idempotent) and
// decodes the answer into out.
func (c *Client) postJSON(ctx context.Context, u string, v, out any) error {
	body, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return c.doJSON(ctx, http.MethodPost, u, "application/json", body, out)
}

// doJSON sends body and decodes a JSON answer (bounded) into out (may be nil).
func (c *Client) doJSON(ctx context.Context, method, u, contentType string, body []byte, out any) error {
	req, err := c.newRequest(ctx, method, u, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", contentType)
	if contentType == "application/vnd.git-lfs+json" {
		req.Header.Set("Accept", contentType) // the git-lfs batch API wants both
	}
	b, err := c.doBounded(req, u)
	if err != nil {
		return err
	}
	if out == nil || len(bytes.TrimSpace(b)) == 0 {
		return nil
	}
	if err := json.Unmarshal(b, out); err != nil {
		return fmt.Errorf("hub: %s: decode: %w", u, err)
	}
	return nil
}
