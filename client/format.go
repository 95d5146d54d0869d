package client

import (
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/taonet/taonet/chain"
)

// RaoPerTAO is the number of rao in one TAO.
const RaoPerTAO = 1_000_000_000

// ParseTAO parses a decimal TAO amount ("1", "0.5", "12.000000001") into rao
// exactly (no floating point). At most 9 decimals; no sign, no exponent.
func ParseTAO(s string) (uint64, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, errors.New("empty amount")
	}
	whole, frac, hasDot := strings.Cut(s, ".")
	if whole == "" && (!hasDot || frac == "") {
		return 0, fmt.Errorf("amount %q is not a number", s)
	}
	if len(frac) > 9 {
		return 0, fmt.Errorf("amount %q has more than 9 decimals (1 rao = 1e-9 TAO)", s)
	}
	for _, part := range []string{whole, frac} {
		for _, r := range part {
			if r < '0' || r > '9' {
				return 0, fmt.Errorf("amount %q is not a plain decimal number", s)
			}
		}
	}
	var w uint64
	if whole != "" {
		v, err := strconv.ParseUint(whole, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("amount %q too large", s)
		}
		w = v
	}
	if w > math.MaxUint64/RaoPerTAO {
		return 0, fmt.Errorf("amount %q too large", s)
	}
	f := uint64(0)
	if frac != "" {
		v, _ := strconv.ParseUint(frac+strings.Repeat("0", 9-len(frac)), 10, 64)
		f = v
	}
	r := w * RaoPerTAO
	if r+f < r {
		return 0, fmt.Errorf("amount %q too large", s)
	}
	return r + f, nil
}

// FormatTAO renders rao as TAO with 9 decimals, trailing zeros trimmed
// ("1.5", "0.000000001", "3").
func FormatTAO(rao uint64) string {
	s := fmt.Sprintf("%d.%09d", rao/RaoPerTAO, rao%RaoPerTAO)
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}

// ParseUIDs parses a comma-separated list of uids ("1,2,5").
func ParseUIDs(s string) ([]uint16, error) {
	var out []uint16
	for _, p := range strings.Split(s, ",") {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		v, err := strconv.ParseUint(p, 10, 16)
		if err != nil {
			return nil, fmt.Errorf("uid %q is not a number in 0..65535", p)
		}
		out = append(out, uint16(v))
	}
	if len(out) == 0 {
		return nil, errors.New("no uids given")
	}
	return out, nil
}

// WeightsToU16 turns non-negative weights ("0.5,0.25,0.25" parsed) into the
// chain's u16 scale with the largest weight at 65535 (the chain max-upscales
// anyway); ties and ratios are kept to u16 precision by rounding.
func WeightsToU16(w []float64) ([]uint16, error) {
	if len(w) == 0 {
		return nil, errors.New("no weights given")
	}
	mx := 0.0
	for _, x := range w {
		if math.IsNaN(x) || math.IsInf(x, 0) || x < 0 {
			return nil, fmt.Errorf("weight %v is not a finite non-negative number", x)
		}
		mx = max(mx, x)
	}
	if mx == 0 {
		return nil, errors.New("all weights are zero")
	}
	out := make([]uint16, len(w))
	for i, x := range w {
		out[i] = uint16(math.Round(x / mx * 65535))
	}
	return out, nil
}

// ParseWeights parses comma-separated non-negative decimal weights.
func ParseWeights(s string) ([]float64, error) {
	var out []float64
	for _, p := range strings.Split(s, ",") {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		v, err := strconv.ParseFloat(p, 64)
		if err != nil {
			return nil, fmt.Errorf("weight %q is not a number", p)
		}
		out = append(out, v)
	}
	return out, nil
}

func u16f(v uint16) string { return strconv.FormatFloat(float64(v)/65535, 'f', 4, 64) }

func short(addr string) string {
	if len(addr) <= 12 {
		return addr
	}
	return addr[:6] + "…" + addr[len(addr)-4:]
}

// WriteMetagraphTable prints a metagraph as btcli's readable table: one row
// per uid with stake (TAO), the u16 scores as fractions, emission (TAO per
// epoch), validator permit, last update and axon.
func WriteMetagraphTable(w io.Writer, m *chain.Metagraph) error {
	fmt.Fprintf(w, "Metagraph netuid %d at block %d: %d neurons, tempo %d, owner %s\n",
		m.Netuid, m.Block, m.N, m.Hyperparams.Tempo, m.OwnerColdkey)
	unit := "τ"
	if p := m.Pool; p != nil {
		// Dynamic TAO: stake is the epoch weight α + tao_weight·root τ; emission is α.
		unit = "α"
		fmt.Fprintf(w, "Pool: price %s τ/α, %s τ and %s α in the pool, %s α outstanding\n",
			FormatTAO(p.Price), FormatTAO(p.TaoIn), FormatTAO(p.AlphaIn), FormatTAO(p.AlphaOut))
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "UID\tHOTKEY\tCOLDKEY\tSTAKE(%s)\tCONSENSUS\tINCENTIVE\tDIVIDENDS\tEMISSION(%s)\tVTRUST\tVPERMIT\tUPDATED\tACTIVE\tAXON\t\n", unit, unit)
	var stake, emission uint64
	for i := 0; i < int(m.N) && i < len(m.Hotkeys); i++ {
		axon := "-"
		if i < len(m.Axons) && m.Axons[i].Port != 0 {
			axon = fmt.Sprintf("%s:%d", m.Axons[i].IP, m.Axons[i].Port)
		}
		permit := ""
		if at(m.ValidatorPermit, i) {
			permit = "*"
		}
		active := ""
		if at(m.Active, i) {
			active = "*"
		}
		st, em := at(m.Stake, i), at(m.Emission, i)
		stake += st
		emission += em
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%d\t%s\t%s\t\n",
			i, short(m.Hotkeys[i]), short(at(m.Coldkeys, i)), FormatTAO(st),
			u16f(at(m.Consensus, i)), u16f(at(m.Incentive, i)), u16f(at(m.Dividends, i)), FormatTAO(em),
			u16f(at(m.ValidatorTrust, i)), permit, at(m.LastUpdate, i), active, axon)
	}
	fmt.Fprintf(tw, "\t\t\t%s\t\t\t\t%s\t\t\t\t\t\t\n", FormatTAO(stake), FormatTAO(emission))
	return tw.Flush()
}

func at[T any](s []T, i int) T {
	var z T
	if i < len(s) {
		return s[i]
	}
	return z
}
