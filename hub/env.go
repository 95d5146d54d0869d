package hub

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Environment variables the Hugging Face clients read, honoured the same way
// here so one set of commands publishes to huggingface.co or to a taonet hub.
const (
	EnvEndpoint = "HF_ENDPOINT" // hub URL when no --hub flag is given
	EnvToken    = "HF_TOKEN"    // access token (HUGGING_FACE_HUB_TOKEN and HF_ACCESS_TOKEN are read too)
)

// Endpoint returns flagValue if the flag was set, else $HF_ENDPOINT if set,
// else flagValue (the flag's default).
func Endpoint(flagValue string, flagSet bool) string {
	if !flagSet {
		if e := strings.TrimSpace(os.Getenv(EnvEndpoint)); e != "" {
			return strings.TrimRight(e, "/")
		}
	}
	return strings.TrimRight(flagValue, "/")
}

// Token returns the access token for endpoint: $HF_TOKEN (or its older
// names), else one saved by `taonet hub login` for that endpoint, else "".
func Token(endpoint string) string {
	for _, k := range []string{EnvToken, "HUGGING_FACE_HUB_TOKEN", "HF_ACCESS_TOKEN"} {
		if t := strings.TrimSpace(os.Getenv(k)); t != "" {
			return t
		}
	}
	toks, _ := readTokenFile()
	return toks[strings.TrimRight(endpoint, "/")]
}

// TokenFile is where `taonet hub login` keeps tokens, per endpoint
// (the user config dir, mode 0600). huggingface.co tokens are not stored
// here: set HF_TOKEN, as for the Hugging Face tools.
func TokenFile() (string, error) {
	d, err := os.UserConfigDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(d, "taonet", "hub-tokens.json"), nil
}

func readTokenFile() (map[string]string, error) {
	p, err := TokenFile()
	if err != nil {
		return nil, err
	}
	b, err := os.ReadFile(p)
	if errors.Is(err, os.ErrNotExist) {
		return map[string]string{}, nil
	}
	if err != nil {
		return nil, err
	}
	m := map[string]string{}
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("%s: %w (delete it and log in again)", p, err)
	}
	return m, nil
}

// SaveToken stores token for endpoint in TokenFile and returns its path.
func SaveToken(endpoint, token string) (string, error) {
	m, err := readTokenFile()
	if err != nil {
		return "", err
	}
	m[strings.TrimRight(endpoint, "/")] = token
	p, _ := TokenFile()
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return "", err
	}
	b, _ := json.MarshalIndent(m, "", "  ")
	tmp := p + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return "", err
	}
	return p, os.Rename(tmp, p)
}
