//go:build !race

package synapse

const raceEnabled = false
