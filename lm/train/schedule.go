package train

import (
	"math"

	"github.com/taonet/taonet/lm/detmath"
)

// Schedule is linear warmup to Peak over Warmup steps, then cosine decay to
// Min at step Total (and Min afterwards). Steps count from 0.
type Schedule struct {
	Peak, Min     float64
	Warmup, Total int
}

// LR returns the learning rate for optimizer step `step`.
func (s Schedule) LR(step int) float64 {
	if step < s.Warmup {
		return s.Peak * float64(step+1) / float64(s.Warmup)
	}
	if s.Total <= s.Warmup {
		return s.Peak
	}
	p := float64(step-s.Warmup) / float64(s.Total-s.Warmup)
	if p > 1 {
		p = 1
	}
	return s.Min + float64(0.5*(s.Peak-s.Min)*(1+detmath.Cos(float64(math.Pi*p))))
}
