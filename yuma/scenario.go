package yuma

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Scenario is a parsed `taonet yuma` JSON scenario: one epoch's Input plus, for
// `simulate`, optional per-epoch weights.
type Scenario struct {
	Input Input
	// WeightsByEpoch[e] holds every uid's weights row for epoch e (the last entry
	// is held for later epochs); empty means the scenario's `weights` are held.
	WeightsByEpoch [][][]Entry
}

// scenarioJSON mirrors the accepted keys; pointers tell "absent" from zero.
type scenarioJSON struct {
	Block                 *uint64         `json:"block"`
	Tempo                 *uint16         `json:"tempo"`
	LastMechanismStep     *uint64         `json:"last_mechanism_step"`
	ActivityCutoff        *uint64         `json:"activity_cutoff"`
	Kappa                 *uint16         `json:"kappa"`
	BondsPenalty          *uint16         `json:"bonds_penalty"`
	BondsMovingAverage    *uint64         `json:"bonds_moving_average"`
	Yuma3                 *bool           `json:"yuma3"`
	LiquidAlpha           *bool           `json:"liquid_alpha"`
	AlphaLow              *uint16         `json:"alpha_low"`
	AlphaHigh             *uint16         `json:"alpha_high"`
	AlphaSigmoidSteepness *int16          `json:"alpha_sigmoid_steepness"`
	MaxAllowedValidators  *uint16         `json:"max_allowed_validators"`
	StakeThreshold        *uint64         `json:"stake_threshold"`
	OwnerUID              json.RawMessage `json:"owner_uid"`
	Emission              *uint64         `json:"emission"`
	Stake                 []uint64        `json:"stake"`
	LastUpdate            []uint64        `json:"last_update"`
	BlockAtRegistration   []uint64        `json:"block_at_registration"`
	ValidatorPermit       []bool          `json:"validator_permit"`
	Weights               json.RawMessage `json:"weights"`
	Bonds                 json.RawMessage `json:"bonds"`
	WeightsByEpoch        json.RawMessage `json:"weights_by_epoch"`
}

// MaxScenarioBytes bounds the JSON a scenario may occupy.
const MaxScenarioBytes = 256 << 20

// ParseScenario decodes and validates a JSON scenario. Every error names the
// offending key (and index); unknown keys and trailing data are errors. Keys
// that are absent take DefaultParams, emission defaults to DefaultEmission,
// last_update defaults to block (weights set just now), block_at_registration to
// 0, validator_permit to false (upstream storage default), weights and bonds to
// empty rows. `block` and `stake` are required.
func ParseScenario(r io.Reader) (*Scenario, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxScenarioBytes+1))
	if err != nil {
		return nil, fmt.Errorf("reading scenario: %w", err)
	}
	if len(data) > MaxScenarioBytes {
		return nil, fmt.Errorf("scenario: larger than %d bytes", MaxScenarioBytes)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	dec.UseNumber()
	var sj scenarioJSON
	if err := dec.Decode(&sj); err != nil {
		return nil, jsonError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("scenario: trailing data after the JSON object")
	}
	return sj.build()
}

// jsonError rewrites encoding/json errors so they name the scenario key.
func jsonError(err error) error {
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case errors.As(err, &te):
		field, want := te.Field, te.Type.String()
		if field == "" {
			// The top-level value: say what a scenario is, not the Go type.
			field, want = "scenario", "a JSON object"
		}
		return fmt.Errorf("%s: cannot use JSON %s as %s", field, te.Value, want)
	case errors.As(err, &se):
		return fmt.Errorf("scenario: malformed JSON at byte %d: %v", se.Offset, se)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return fmt.Errorf("unknown key %s", strings.TrimPrefix(err.Error(), "json: unknown field "))
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return errors.New("scenario: empty or truncated JSON")
	}
	return fmt.Errorf("scenario: %v", err)
}

func (sj *scenarioJSON) build() (*Scenario, error) {
	if sj.Block == nil {
		return nil, errors.New("block: required")
	}
	if sj.Stake == nil {
		return nil, errors.New("stake: required (one entry per uid)")
	}
	n := len(sj.Stake)
	if n > 1<<16 {
		return nil, fmt.Errorf("stake: %d uids, at most 65536", n)
	}
	p := DefaultParams()
	p.Block = *sj.Block
	setIf(&p.Tempo, sj.Tempo)
	setIf(&p.LastMechanismStep, sj.LastMechanismStep)
	setIf(&p.ActivityCutoff, sj.ActivityCutoff)
	setIf(&p.Kappa, sj.Kappa)
	setIf(&p.BondsPenalty, sj.BondsPenalty)
	setIf(&p.BondsMovingAverage, sj.BondsMovingAverage)
	setIf(&p.Yuma3, sj.Yuma3)
	setIf(&p.LiquidAlpha, sj.LiquidAlpha)
	setIf(&p.AlphaLow, sj.AlphaLow)
	setIf(&p.AlphaHigh, sj.AlphaHigh)
	setIf(&p.AlphaSigmoidSteepness, sj.AlphaSigmoidSteepness)
	setIf(&p.MaxAllowedValidators, sj.MaxAllowedValidators)
	setIf(&p.StakeThreshold, sj.StakeThreshold)
	if o := bytes.TrimSpace(sj.OwnerUID); len(o) > 0 && string(o) != "null" {
		v, err := strconv.ParseInt(string(o), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("owner_uid: want an integer uid or null, got %s", o)
		}
		if v < 0 || v >= int64(n) {
			return nil, fmt.Errorf("owner_uid: %d is not a uid in [0, %d)", v, n)
		}
		p.OwnerUID = int(v)
	}
	emission := DefaultEmission
	setIf(&emission, sj.Emission)

	weights, err := parseMatrix(sj.Weights, "weights", n)
	if err != nil {
		return nil, err
	}
	bonds, err := parseMatrix(sj.Bonds, "bonds", n)
	if err != nil {
		return nil, err
	}
	for _, l := range []struct {
		key string
		len int
		set bool
	}{
		{"last_update", len(sj.LastUpdate), sj.LastUpdate != nil},
		{"block_at_registration", len(sj.BlockAtRegistration), sj.BlockAtRegistration != nil},
		{"validator_permit", len(sj.ValidatorPermit), sj.ValidatorPermit != nil},
		{"weights", len(weights), weights != nil},
		{"bonds", len(bonds), bonds != nil},
	} {
		if l.set && l.len != n {
			return nil, fmt.Errorf("%s: %d entries, want %d (one per uid, as in stake)", l.key, l.len, n)
		}
	}
	neurons := make([]Neuron, n)
	for i := range neurons {
		nr := &neurons[i]
		nr.Stake = sj.Stake[i]
		nr.LastUpdate = p.Block
		if sj.LastUpdate != nil {
			nr.LastUpdate = sj.LastUpdate[i]
		}
		if sj.BlockAtRegistration != nil {
			nr.BlockAtRegistration = sj.BlockAtRegistration[i]
		}
		if sj.ValidatorPermit != nil {
			nr.ValidatorPermit = sj.ValidatorPermit[i]
		}
	}
	for i := range neurons {
		if weights != nil {
			neurons[i].Weights = weights[i]
		}
		if bonds != nil {
			neurons[i].Bonds = bonds[i]
		}
	}
	sc := &Scenario{Input: Input{Params: p, Neurons: neurons, Emission: emission}}
	if isNull(sj.WeightsByEpoch) {
		return sc, nil
	}
	var epochs []json.RawMessage
	if err := json.Unmarshal(sj.WeightsByEpoch, &epochs); err != nil {
		return nil, errors.New("weights_by_epoch: want a list of weights matrices (one per epoch)")
	}
	for e, raw := range epochs {
		key := fmt.Sprintf("weights_by_epoch[%d]", e)
		m, err := parseMatrix(raw, key, n)
		if err != nil {
			return nil, err
		}
		if len(m) != n {
			return nil, fmt.Errorf("%s: %d rows, want %d (one per uid)", key, len(m), n)
		}
		sc.WeightsByEpoch = append(sc.WeightsByEpoch, m)
	}
	return sc, nil
}

func setIf[T any](dst *T, src *T) {
	if src != nil {
		*dst = *src
	}
}

func isNull(raw json.RawMessage) bool {
	t := bytes.TrimSpace(raw)
	return len(t) == 0 || string(t) == "null"
}

// parseMatrix decodes a list of sparse rows (nil when absent or null); each row
// is a list of [uid, u16] pairs, validated against n.
func parseMatrix(raw json.RawMessage, key string, n int) ([][]Entry, error) {
	if isNull(raw) {
		return nil, nil
	}
	var rows []json.RawMessage
	if err := json.Unmarshal(raw, &rows); err != nil {
		return nil, fmt.Errorf("%s: want a list of rows (one per uid)", key)
	}
	out := make([][]Entry, len(rows))
	for i, r := range rows {
		rk := fmt.Sprintf("%s[%d]", key, i)
		var pairs []json.RawMessage
		if err := json.Unmarshal(r, &pairs); err != nil {
			return nil, fmt.Errorf("%s: want a list of [uid, value] pairs", rk)
		}
		row, err := parseRow(pairs, n, rk)
		if err != nil {
			return nil, err
		}
		out[i] = row
	}
	return out, nil
}

// parseRow validates one sparse row of [uid, u16] pairs.
func parseRow(row []json.RawMessage, n int, key string) ([]Entry, error) {
	out := make([]Entry, 0, len(row))
	seen := make(map[uint16]bool, len(row))
	for k, raw := range row {
		var pair []json.RawMessage
		if err := json.Unmarshal(raw, &pair); err != nil || len(pair) != 2 {
			return nil, fmt.Errorf("%s[%d]: want a [uid, value] pair of integers, got %s", key, k, clip(raw))
		}
		uid, err := strconv.ParseUint(string(bytes.TrimSpace(pair[0])), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("%s[%d]: uid %s is not a non-negative integer", key, k, clip(pair[0]))
		}
		if uid >= uint64(n) {
			return nil, fmt.Errorf("%s[%d]: uid %d out of range [0, %d)", key, k, uid, n)
		}
		val, err := strconv.ParseUint(string(bytes.TrimSpace(pair[1])), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("%s[%d]: value %s is not a u16 (integer 0..65535)", key, k, clip(pair[1]))
		}
		if val > 65535 {
			return nil, fmt.Errorf("%s[%d]: value %d overflows u16 (max 65535)", key, k, val)
		}
		if seen[uint16(uid)] {
			return nil, fmt.Errorf("%s[%d]: duplicate uid %d", key, k, uid)
		}
		seen[uint16(uid)] = true
		out = append(out, Entry{UID: uint16(uid), Value: uint16(val)})
	}
	return out, nil
}

// clip shortens raw JSON for an error message.
func clip(raw json.RawMessage) string {
	s := string(bytes.TrimSpace(raw))
	if len(s) > 40 {
		s = s[:40] + "..."
	}
	return s
}

// outputJSON is the `taonet yuma epoch` result; field order is the output order.
type outputJSON struct {
	Consensus         []uint16      `json:"consensus"`
	Incentive         []uint16      `json:"incentive"`
	Dividends         []uint16      `json:"dividends"`
	ValidatorTrust    []uint16      `json:"validator_trust"`
	ValidatorPermit   []bool        `json:"validator_permit"`
	Bonds             [][][2]uint16 `json:"bonds"`
	ServerEmission    []uint64      `json:"server_emission"`
	ValidatorEmission []uint64      `json:"validator_emission"`
	Emission          []uint64      `json:"emission"`
}

// MarshalOutput encodes an epoch Output as the scenario result JSON (indented,
// bonds as [uid, u16] pairs, every list one entry per uid).
func MarshalOutput(o Output) ([]byte, error) {
	oj := outputJSON{
		Consensus: o.Consensus, Incentive: o.Incentive, Dividends: o.Dividends,
		ValidatorTrust: o.ValidatorTrust, ValidatorPermit: o.ValidatorPermit,
		ServerEmission: o.ServerEmission, ValidatorEmission: o.ValidatorEmission, Emission: o.Emission,
		Bonds: make([][][2]uint16, len(o.Bonds)),
	}
	for i, row := range o.Bonds {
		oj.Bonds[i] = make([][2]uint16, len(row))
		for k, e := range row {
			oj.Bonds[i][k] = [2]uint16{e.UID, e.Value}
		}
	}
	// one key per line, each list compact, in the documented key order
	fields := []struct {
		key string
		val any
	}{
		{"consensus", oj.Consensus}, {"incentive", oj.Incentive}, {"dividends", oj.Dividends},
		{"validator_trust", oj.ValidatorTrust}, {"validator_permit", oj.ValidatorPermit}, {"bonds", oj.Bonds},
		{"server_emission", oj.ServerEmission}, {"validator_emission", oj.ValidatorEmission}, {"emission", oj.Emission},
	}
	var buf bytes.Buffer
	buf.WriteString("{\n")
	for k, f := range fields {
		b, err := json.Marshal(f.val)
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(&buf, "  %q: %s", f.key, b)
		if k < len(fields)-1 {
			buf.WriteByte(',')
		}
		buf.WriteByte('\n')
	}
	buf.WriteString("}\n")
	return buf.Bytes(), nil
}

// RunEpoch reads a scenario from r, runs one epoch and writes the result JSON to w.
func RunEpoch(r io.Reader, w io.Writer) error {
	sc, err := ParseScenario(r)
	if err != nil {
		return err
	}
	out, err := Epoch(sc.Input)
	if err != nil {
		return err
	}
	b, err := MarshalOutput(out)
	if err != nil {
		return err
	}
	_, err = w.Write(b)
	return err
}
