package validator

import (
	"fmt"
	"io"
	"math"
	"text/tabwriter"
	"time"
)

// WriteTable prints a step as a readable table: uid, model, commit block,
// mean loss, win rate, weight; then rejected models with their reasons.
func WriteTable(w io.Writer, r *StepReport) {
	fmt.Fprintf(w, "step seed=%d head=%d competition=%s samples=%d tokens=%d models=%d rejected=%d weights_set=%v\n",
		r.SeedBlock, r.Head, r.Competition, r.Samples, r.Tokens, len(r.Models), len(r.Rejected), r.WeightsSet)
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "UID\tMODEL\tBLOCK\tMEAN LOSS\tWIN RATE\tWEIGHT\t")
	for _, m := range r.Models {
		loss := "inf"
		if !math.IsNaN(m.MeanLoss) && !math.IsInf(m.MeanLoss, 0) {
			loss = fmt.Sprintf("%.4f", m.MeanLoss)
		}
		name := m.Commitment
		if i := indexN(name, ':', 2); i > 0 {
			name = name[:i] + "@" + name[i+1:min(len(name), i+9)]
		}
		fmt.Fprintf(tw, "%d\t%s\t%d\t%s\t%.4f\t%.4f\t\n", m.UID, name, m.Block, loss, m.WinRate, r.Weights[m.UID])
	}
	tw.Flush()
	for _, x := range r.Rejected {
		fmt.Fprintf(w, "rejected uid %d (%s): %s\n", x.UID, x.Hotkey, x.Reason)
	}
	for _, x := range r.Skipped {
		fmt.Fprintf(w, "skipped uid %d (%s): %s\n", x.UID, x.Hotkey, x.Reason)
	}
	for _, c := range r.CaughtUp {
		note := ""
		if c.Note != "" {
			note = " (" + c.Note + ")"
		}
		fmt.Fprintf(w, "caught up seed %d: %d models%s in %s\n", c.Seed, c.Models, note, c.Took.Round(time.Millisecond))
	}
	for _, m := range r.Missing {
		fmt.Fprintf(w, "missing seed %d (weights not set): %s\n", m.Seed, m.Reason)
	}
}

// indexN returns the index of the n-th occurrence of c in s (-1 if none).
func indexN(s string, c byte, n int) int {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			n--
			if n == 0 {
				return i
			}
		}
	}
	return -1
}
