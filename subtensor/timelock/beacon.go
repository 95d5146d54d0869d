package timelock

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"math"
	"time"
)

// Beacon is a drand chain: its BLS public key (compressed G2, 96 bytes) and
// its round schedule (round 1 at GenesisTime, one round every Period seconds).
type Beacon struct {
	PublicKey   []byte
	GenesisTime int64
	Period      int64
	ChainHash   []byte
}

// Quicknet is drand's quicknet chain (scheme bls-unchained-g1-rfc9380), the
// beacon subtensor's Drand pallet stores pulses of. The constants are
// pallet_drand's DefaultBeaconConfig (subtensor pallets/drand/src/lib.rs) and
// bittensor-drand's PUBLIC_KEY / GENESIS_TIME / DRAND_PERIOD /
// QUICKNET_CHAIN_HASH (src/drand.rs); drand publishes the same at
// /52db9ba7…/info.
var Quicknet = Beacon{
	PublicKey: mustHex("83cf0f2896adee7eb8b5f01fcad3912212c437e0073e911fb90022d3e760183c" +
		"8c4b450b6a0a6c3ac6a5776a2d1064510d1fec758c921cc22b0e17e63aaf4bcb" +
		"5ed66304de9cf809bd274ca73bab4af5a6e9c76a4bc09e76eae8991ef5ece45a"),
	GenesisTime: 1692803367,
	Period:      3,
	ChainHash:   mustHex("52db9ba70e0cc0f6eaf7803dd07447a1f5477735fd3f661792ba94600c84e971"),
}

func mustHex(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

// Equal reports whether two beacons have the same key and schedule.
func (b Beacon) Equal(o Beacon) bool {
	return bytes.Equal(b.PublicKey, o.PublicKey) && b.GenesisTime == o.GenesisTime && b.Period == o.Period
}

// RoundAt is the latest round published at time t (0 before genesis), as
// drand numbers rounds: round r is published at GenesisTime + (r-1)·Period.
func (b Beacon) RoundAt(t time.Time) uint64 {
	s := t.Unix()
	if s < b.GenesisTime || b.Period <= 0 {
		return 0
	}
	return uint64((s-b.GenesisTime)/b.Period) + 1
}

// RoundTime is when round r is published.
func (b Beacon) RoundTime(r uint64) time.Time {
	if r == 0 {
		return time.Unix(b.GenesisTime, 0)
	}
	return time.Unix(b.GenesisTime+int64(r-1)*b.Period, 0)
}

// RevealParams are the chain facts the reveal round depends on.
type RevealParams struct {
	CurrentBlock uint64
	Tempo        uint64
	Netuid       uint16 // the storage index: netuid for the main mechanism
	RevealPeriod uint64 // RevealPeriodEpochs
	BlockTime    float64
}

// BlockTime is subtensor's block time in seconds, bittensor-drand's default.
const BlockTime = 12.0

// SecurityBlockOffset is how many blocks into the reveal epoch
// bittensor-drand aims the pulse (SECURITY_BLOCK_OFFSET), so the chain has
// ingested it when the epoch's reveals run.
const SecurityBlockOffset = 3

// RevealRound is the drand round a commit made now must be encrypted to, as
// bittensor-drand's generate_commit computes it: the first block of the
// epoch RevealPeriod epochs after the current one (classic epoch index
// (block+netuid+1)/(tempo+1)), plus SecurityBlockOffset blocks, converted to
// wall-clock time at BlockTime seconds a block and then to the round whose
// number is floor((time − genesis)/period), at least 1. Floating point is
// used as upstream does (f64 seconds), so the result matches bit for bit.
func (b Beacon) RevealRound(p RevealParams, now time.Time) uint64 {
	tempo1 := p.Tempo + 1
	netuid1 := uint64(p.Netuid) + 1
	currentEpoch := (p.CurrentBlock + netuid1) / tempo1
	revealEpoch := currentEpoch + p.RevealPeriod
	firstRevealBlock := satSub(satMul(revealEpoch, tempo1), netuid1)
	target := satAdd(firstRevealBlock, SecurityBlockOffset)
	blocksUntil := satSub(target, p.CurrentBlock)
	secsUntil := float64(blocksUntil) * p.BlockTime
	nowSecs := float64(now.Unix()) + float64(now.Nanosecond())/1e9
	f := math.Floor((nowSecs + secsUntil - float64(b.GenesisTime)) / float64(b.Period))
	round := uint64(0)
	if f > 0 { // Rust's `as u64` saturates negatives (and NaN) to 0
		round = uint64(f)
	}
	return max(round, 1)
}

// CheckFuture fails when round is already public at now: a commit to it
// could be decrypted by anyone at once, which defeats commit-reveal.
func (b Beacon) CheckFuture(round uint64, now time.Time) error {
	if cur := b.RoundAt(now); round <= cur {
		return fmt.Errorf("timelock: reveal round %d is in the past (drand round %d was published at %s); the commit would be readable at once",
			round, cur, b.RoundTime(cur).UTC().Format(time.RFC3339))
	}
	return nil
}

func satSub(a, b uint64) uint64 {
	if b > a {
		return 0
	}
	return a - b
}

func satAdd(a, b uint64) uint64 {
	if a > math.MaxUint64-b {
		return math.MaxUint64
	}
	return a + b
}

func satMul(a, b uint64) uint64 {
	if a != 0 && b > math.MaxUint64/a {
		return math.MaxUint64
	}
	return a * b
}
