package tasks

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// ParseMix builds a registry from a task mix such as
// "qa=0.3,translation=0.1,math=0.2": the listed tasks of Default with those
// sampling weights (only the listed tasks are drawn; weights are relative
// and need not sum to 1). Unknown or repeated names, weights that are not
// finite non-negative numbers and a mix whose weights are all 0 are errors
// naming the culprit.
func ParseMix(spec string) (*Registry, error) {
	def := Default()
	var entries []Entry
	seen := map[string]bool{}
	total := 0.0
	for _, item := range strings.Split(spec, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		name, w, ok := strings.Cut(item, "=")
		name = strings.TrimSpace(name)
		if !ok {
			return nil, fmt.Errorf("tasks: %q: want name=weight (e.g. qa=0.3)", item)
		}
		t, known := def.Get(name)
		if !known {
			return nil, fmt.Errorf("tasks: unknown task %q (known: %s)", name, strings.Join(def.Names(), ", "))
		}
		if seen[name] {
			return nil, fmt.Errorf("tasks: %s given twice", name)
		}
		seen[name] = true
		weight, err := strconv.ParseFloat(strings.TrimSpace(w), 64)
		if err != nil || weight < 0 || math.IsNaN(weight) || math.IsInf(weight, 0) {
			return nil, fmt.Errorf("tasks: %s weight %q: want a finite number ≥ 0", name, w)
		}
		total += weight
		entries = append(entries, Entry{Task: t, Weight: weight})
	}
	if len(entries) == 0 {
		return nil, fmt.Errorf("tasks: empty mix (want e.g. qa=0.3,translation=0.1; known: %s)", strings.Join(def.Names(), ", "))
	}
	if !(total > 0) {
		return nil, fmt.Errorf("tasks: every weight in %q is 0", spec)
	}
	if math.IsInf(total, 0) {
		return nil, fmt.Errorf("tasks: weights in %q add up to more than a float holds", spec)
	}
	return NewRegistry(entries...)
}

// Weights returns each task's weight, in registry order.
func (r *Registry) Weights() map[string]float64 {
	out := map[string]float64{}
	for _, e := range r.entries {
		out[e.Task.Name()] = e.Weight
	}
	return out
}
