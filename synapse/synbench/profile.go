package synbench

import (
	"bytes"
	"fmt"
	"io"
	"runtime/pprof"

	"github.com/google/pprof/profile"
)

// profileRate is the CPU profile's sampling rate asked for during the measured rounds.
// At the runtime's default 100 Hz, 30 rounds of a 256-way fan-out leave the dendrite a
// few dozen samples (±15%). The kernel delivers at most one sample per thread and
// scheduler tick (250 Hz on the benchmark machine), so the profile is used for the
// shares of the sides only, and the shares split the process CPU measured by rusage.
const profileRate = 1000

// sideProfile is a CPU profile of the measured rounds, split by the "side" label
// (axon or dendrite) that Run puts on every goroutine it starts.
type sideProfile struct {
	buf bytes.Buffer
}

// start begins profiling at profileRate.
func (p *sideProfile) start() error {
	return startCPUProfile(&p.buf, profileRate)
}

// stop ends profiling, copies the raw profile to w (if any) and returns each side's
// share of the samples; unlabelled samples (GC workers, the scheduler, the network
// poller) are under "".
func (p *sideProfile) stop(w io.Writer) (map[string]float64, error) {
	pprof.StopCPUProfile()
	if w != nil {
		if _, err := w.Write(p.buf.Bytes()); err != nil {
			return nil, fmt.Errorf("synbench: write CPU profile: %w", err)
		}
	}
	prof, err := profile.Parse(&p.buf)
	if err != nil {
		return nil, fmt.Errorf("synbench: parse CPU profile: %w", err)
	}
	return cpuBySide(prof)
}

// cpuBySide returns the shares of prof's cpu/nanoseconds by the "side" label.
func cpuBySide(prof *profile.Profile) (map[string]float64, error) {
	idx := -1
	for i, st := range prof.SampleType {
		if st.Type == "cpu" && st.Unit == "nanoseconds" {
			idx = i
		}
	}
	if idx < 0 {
		return nil, fmt.Errorf("synbench: CPU profile has no cpu/nanoseconds samples")
	}
	out := map[string]float64{}
	total := 0.0
	for _, s := range prof.Sample {
		side := ""
		if v := s.Label["side"]; len(v) > 0 {
			side = v[0]
		}
		out[side] += float64(s.Value[idx])
		total += float64(s.Value[idx])
	}
	if total == 0 {
		return nil, fmt.Errorf("synbench: CPU profile has no samples")
	}
	for k := range out {
		out[k] /= total
	}
	return out, nil
}
