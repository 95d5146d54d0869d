package yuma

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
)

// EpochResult is one epoch of a simulation.
type EpochResult struct {
	Epoch  int
	Block  uint64
	Output Output
}

// MaxSimulateEpochs bounds Simulate's epoch count.
const MaxSimulateEpochs = 100000

// Simulate runs epochs consecutive epochs of a scenario the way the chain would:
// epoch 0 runs the scenario as given; each later epoch runs tempo+1 blocks after
// the previous one, carries the previous epoch's permits and bonds forward, and
// uses weights_by_epoch[e] (the last entry held once exhausted; the scenario's
// `weights` when there is none). Every uid with a non-empty weights row re-sets
// it one block before each later epoch (last_update = block−1), as validators do
// every tempo. A non-zero last_mechanism_step follows the previous epoch's block.
func Simulate(sc *Scenario, epochs int) ([]EpochResult, error) {
	if epochs < 1 || epochs > MaxSimulateEpochs {
		return nil, fmt.Errorf("epochs: %d, want 1..%d", epochs, MaxSimulateEpochs)
	}
	in := sc.Input
	in.Neurons = append([]Neuron(nil), sc.Input.Neurons...)
	res := make([]EpochResult, 0, epochs)
	for e := 0; e < epochs; e++ {
		if len(sc.WeightsByEpoch) > 0 {
			rows := sc.WeightsByEpoch[min(e, len(sc.WeightsByEpoch)-1)]
			for i := range in.Neurons {
				in.Neurons[i].Weights = rows[i]
			}
		}
		if e > 0 {
			prev := in.Params.Block
			in.Params.Block = prev + uint64(in.Params.Tempo) + 1
			if in.Params.LastMechanismStep != 0 {
				in.Params.LastMechanismStep = prev
			}
			for i := range in.Neurons {
				if len(in.Neurons[i].Weights) > 0 {
					in.Neurons[i].LastUpdate = in.Params.Block - 1
				}
			}
		}
		out, err := Epoch(in)
		if err != nil {
			return nil, fmt.Errorf("epoch %d: %w", e, err)
		}
		res = append(res, EpochResult{Epoch: e, Block: in.Params.Block, Output: out})
		for i := range in.Neurons {
			in.Neurons[i].ValidatorPermit = out.ValidatorPermit[i]
			in.Neurons[i].Bonds = out.Bonds[i]
		}
	}
	return res, nil
}

// prop formats a u16 proportion x/65535 with 4 decimals using integers only.
func prop(x uint16) string {
	q := (uint64(x)*10000 + 32767) / 65535
	return fmt.Sprintf("%d.%04d", q/10000, q%10000)
}

func bondsText(row []Entry, decimal bool) string {
	parts := make([]string, len(row))
	for k, e := range row {
		if decimal {
			parts[k] = fmt.Sprintf("%d:%s", e.UID, prop(e.Value))
		} else {
			parts[k] = fmt.Sprintf("%d:%d", e.UID, e.Value)
		}
	}
	return strings.Join(parts, " ")
}

// WriteTable prints a readable per-epoch table: proportions with 4 decimals,
// emissions in rao, bonds as uid:proportion. Uids with no stake, permit,
// incentive, dividends or bonds are omitted.
func WriteTable(w io.Writer, stake []uint64, res []EpochResult) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, r := range res {
		// a line without tabs ends a tabwriter block: each epoch aligns alone
		fmt.Fprintf(tw, "epoch %d (block %d)\n", r.Epoch, r.Block)
		fmt.Fprintf(tw, "uid\tpermit\tconsensus\tincentive\tdividends\tvtrust\temission\tbonds\n")
		o := r.Output
		for i := range o.Emission {
			if stake[i] == 0 && !o.ValidatorPermit[i] && o.Incentive[i] == 0 && o.Dividends[i] == 0 && len(o.Bonds[i]) == 0 && o.Emission[i] == 0 {
				continue
			}
			permit := "-"
			if o.ValidatorPermit[i] {
				permit = "yes"
			}
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%d\t%s\n", i, permit, prop(o.Consensus[i]), prop(o.Incentive[i]),
				prop(o.Dividends[i]), prop(o.ValidatorTrust[i]), o.Emission[i], bondsText(o.Bonds[i], true))
		}
		fmt.Fprintln(tw)
	}
	return tw.Flush()
}

// WriteCSV writes one row per (epoch, uid) with the exact stored values (u16
// proportions, rao, bonds as "uid:u16" separated by spaces).
func WriteCSV(w io.Writer, res []EpochResult) error {
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"epoch", "block", "uid", "validator_permit", "consensus", "incentive", "dividends",
		"validator_trust", "server_emission", "validator_emission", "emission", "bonds"})
	u := func(x uint64) string { return strconv.FormatUint(x, 10) }
	for _, r := range res {
		o := r.Output
		for i := range o.Emission {
			_ = cw.Write([]string{strconv.Itoa(r.Epoch), u(r.Block), strconv.Itoa(i), strconv.FormatBool(o.ValidatorPermit[i]),
				u(uint64(o.Consensus[i])), u(uint64(o.Incentive[i])), u(uint64(o.Dividends[i])), u(uint64(o.ValidatorTrust[i])),
				u(o.ServerEmission[i]), u(o.ValidatorEmission[i]), u(o.Emission[i]), bondsText(o.Bonds[i], false)})
		}
	}
	cw.Flush()
	return cw.Error()
}

// RunSimulate reads a scenario from r, simulates epochs epochs and writes a
// table (or CSV) to w.
func RunSimulate(r io.Reader, w io.Writer, epochs int, asCSV bool) error {
	sc, err := ParseScenario(r)
	if err != nil {
		return err
	}
	res, err := Simulate(sc, epochs)
	if err != nil {
		return err
	}
	if asCSV {
		return WriteCSV(w, res)
	}
	stake := make([]uint64, len(sc.Input.Neurons))
	for i, nr := range sc.Input.Neurons {
		stake[i] = nr.Stake
	}
	return WriteTable(w, stake, res)
}
