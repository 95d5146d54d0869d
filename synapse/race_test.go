//go:build race

package synapse

// raceEnabled: the race detector's instrumentation allocates where a normal build
// does not, so allocation counts are checked only without it.
const raceEnabled = true
