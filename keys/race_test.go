//go:build race

package keys

// raceEnabled shortens the heaviest cross-checks under the race detector,
// which runs them for the concurrency, not for more random cases.
const raceEnabled = true
