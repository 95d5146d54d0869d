package yuma

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// ApplyOverrides reads a scenario JSON object and replaces top-level keys with
// `key=value` settings (value is JSON: `kappa=16384`, `yuma3=false`,
// `owner_uid=null`), so one file can be re-run under other hyperparameters. The
// result is validated later by ParseScenario like any scenario.
func ApplyOverrides(r io.Reader, sets []string) (io.Reader, error) {
	if len(sets) == 0 {
		return r, nil
	}
	data, err := io.ReadAll(io.LimitReader(r, MaxScenarioBytes+1))
	if err != nil {
		return nil, fmt.Errorf("reading scenario: %w", err)
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(data, &obj); err != nil || obj == nil {
		return nil, fmt.Errorf("scenario: not a JSON object, cannot apply --set")
	}
	for _, s := range sets {
		key, val, ok := strings.Cut(s, "=")
		key = strings.TrimSpace(key)
		if !ok || key == "" {
			return nil, fmt.Errorf("--set %q: want key=value", s)
		}
		if !json.Valid([]byte(val)) {
			return nil, fmt.Errorf("--set %s: value %q is not JSON", key, val)
		}
		obj[key] = json.RawMessage(val)
	}
	out, err := json.Marshal(obj)
	if err != nil {
		return nil, err
	}
	return bytes.NewReader(out), nil
}
