package chain

import (
	"strconv"

	"github.com/taonet/taonet/keys"
	"github.com/taonet/taonet/yuma"
	"golang.org/x/crypto/blake2b"
)

// maxUnrevealedCommits is upstream's bound on a hotkey's pending weight commits.
const maxUnrevealedCommits = 10

// EpochIndex is the classic commit-reveal epoch index of a block on a subnet:
// (block + netuid + 1) / (tempo + 1).
func EpochIndex(block uint64, netuid, tempo uint16) uint64 {
	return (block + uint64(netuid) + 1) / (uint64(tempo) + 1)
}

// epochDue reports whether a subnet's epoch runs at block (classic schedule).
func epochDue(block uint64, netuid, tempo uint16) bool {
	return tempo > 0 && (block+uint64(netuid)+1)%(uint64(tempo)+1) == 0
}

// CommitHash is the commit-reveal v2 hash: BlakeTwo256 of the SCALE encoding of
// (hotkey AccountId32, netuid u16, uids Vec<u16>, values Vec<u16>, salt Vec<u16>,
// version_key u64).
func CommitHash(hotkey [32]byte, netuid uint16, uids, values, salt []uint16, versionKey uint64) [32]byte {
	b := make([]byte, 0, 32+2+3*5+2*(len(uids)+len(values)+len(salt))+8)
	b = append(b, hotkey[:]...)
	b = append(b, byte(netuid), byte(netuid>>8))
	for _, v := range [][]uint16{uids, values, salt} {
		b = scaleCompact(b, uint64(len(v)))
		for _, x := range v {
			b = append(b, byte(x), byte(x>>8))
		}
	}
	for i := 0; i < 8; i++ {
		b = append(b, byte(versionKey>>(8*i)))
	}
	return blake2b.Sum256(b)
}

// CommitHashSS58 is CommitHash with the hotkey given as an ss58 address.
func CommitHashSS58(hotkey string, netuid uint16, uids, values, salt []uint16, versionKey uint64) ([32]byte, error) {
	pub, err := keys.SS58Decode(hotkey)
	if err != nil {
		return [32]byte{}, err
	}
	return CommitHash(pub, netuid, uids, values, salt, versionKey), nil
}

// scaleCompact appends the SCALE compact encoding of v.
func scaleCompact(b []byte, v uint64) []byte {
	switch {
	case v < 1<<6:
		return append(b, byte(v<<2))
	case v < 1<<14:
		x := uint16(v<<2 | 1)
		return append(b, byte(x), byte(x>>8))
	case v < 1<<30:
		x := uint32(v<<2 | 2)
		return append(b, byte(x), byte(x>>8), byte(x>>16), byte(x>>24))
	}
	n := 0
	for t := v; t > 0; t >>= 8 {
		n++
	}
	b = append(b, byte((n-4)<<2|3))
	for i := 0; i < n; i++ {
		b = append(b, byte(v>>(8*i)))
	}
	return b
}

// maxUpscaleU16 is upstream vec_u16_max_upscale_to_u16 in I32F32: the largest value
// becomes 65535, the others round(v·65535/max) (half away from zero).
func maxUpscaleU16(v []uint16) []uint16 {
	var mx uint16
	for _, x := range v {
		mx = max(mx, x)
	}
	out := make([]uint16, len(v))
	if mx == 0 {
		copy(out, v)
		return out
	}
	const half = uint64(1) << 31
	if mx > 32768 {
		ratio := (uint64(65535) << 32) / uint64(mx) // I32F32 65535/max, truncated
		for i, x := range v {
			out[i] = uint16(min((uint64(x)*ratio+half)>>32, 65535))
		}
		return out
	}
	for i, x := range v {
		q := (uint64(x) * 65535 << 32) / uint64(mx)
		out[i] = uint16(min((q+half)>>32, 65535))
	}
	return out
}

// maxWeightLimited is upstream check_vec_max_limited: after I32F32 normalization to
// sum 1, no entry may exceed limit/65535.
func maxWeightLimited(v []uint16, limit uint16) bool {
	lim := (uint64(limit) << 32) / 65535
	var sum uint64
	for _, x := range v {
		sum += uint64(x)
	}
	if sum == 0 {
		return true
	}
	for _, x := range v {
		if (uint64(x)<<32)/sum > lim {
			return false
		}
	}
	return true
}

func isSelfWeight(uid uint16, uids []uint16) bool { return len(uids) == 1 && uids[0] == uid }

// checkWeights runs the set_weights checks of spec §5.4 in upstream order and
// returns the caller's uid and the max-upscaled values. rateLimit is false for
// reveals. It changes nothing.
func (s *State) checkWeights(hotkey string, netuid uint16, uids, values []uint16, version uint64, rateLimit bool) (uint16, []uint16, error) {
	sn := s.subnets[netuid]
	if sn == nil {
		return 0, nil, fail(CodeSubnetNotFound, "subnet %d does not exist", netuid)
	}
	if len(uids) != len(values) {
		return 0, nil, fail(CodeWeightVecNotEqualSize, "%d uids but %d values", len(uids), len(values))
	}
	n := len(sn.neurons)
	if len(uids) > n {
		return 0, nil, fail(CodeUidsLengthExceedUidsInSub, "%d uids but subnet %d has %d neurons", len(uids), netuid, n)
	}
	uid, ok := sn.uids[hotkey]
	if !ok {
		return 0, nil, fail(CodeHotkeyNotRegistered, "hotkey %s is not registered on subnet %d", hotkey, netuid)
	}
	hp := &sn.hp
	if st := s.hotStake[hotkey]; hotkey != sn.ownerHotkey && st < hp.StakeThreshold {
		return 0, nil, fail(CodeNotEnoughStakeToSetWeights, "stake %d below the threshold %d", st, hp.StakeThreshold)
	}
	if hp.WeightsVersion != 0 && version < hp.WeightsVersion {
		return 0, nil, fail(CodeIncorrectWeightVersionKey, "version key %d below the subnet's %d", version, hp.WeightsVersion)
	}
	nr := sn.neurons[uid]
	if rateLimit && nr.lastUpdate != 0 && satSub(s.height, nr.lastUpdate) < hp.WeightsRateLimit {
		return 0, nil, fail(CodeSettingWeightsTooFast, "weights set at block %d; rate limit %d blocks, now %d",
			nr.lastUpdate, hp.WeightsRateLimit, s.height)
	}
	self := isSelfWeight(uid, uids)
	if !self && hotkey != sn.ownerHotkey && !nr.permit {
		return 0, nil, fail(CodeNeuronNoValidatorPermit, "uid %d has no validator permit", uid)
	}
	seen := make(map[uint16]struct{}, len(uids))
	for _, u := range uids {
		if _, dup := seen[u]; dup {
			return 0, nil, fail(CodeDuplicateUids, "uid %d appears more than once", u)
		}
		seen[u] = struct{}{}
	}
	for _, u := range uids {
		if int(u) >= n {
			return 0, nil, fail(CodeUidVecContainInvalidOne, "uid %d does not exist (n = %d)", u, n)
		}
	}
	minLen := min(int(hp.MinAllowedWeights), n)
	if !self && len(uids) < minLen {
		return 0, nil, fail(CodeWeightVecLengthIsLow, "%d weights, at least %d required", len(uids), minLen)
	}
	up := maxUpscaleU16(values)
	if !self && hp.MaxWeightsLimit != 65535 && !maxWeightLimited(up, hp.MaxWeightsLimit) {
		return 0, nil, fail(CodeMaxWeightExceeded, "a normalized weight exceeds max_weights_limit %d/65535", hp.MaxWeightsLimit)
	}
	return uid, up, nil
}

func storeWeights(nr *neuron, uids, up []uint16) {
	row := make([]yuma.Entry, len(uids))
	for i := range uids {
		row[i] = yuma.Entry{UID: uids[i], Value: up[i]}
	}
	nr.weights = row
}

func (s *State) doSetWeights(hotkey string, c *SetWeights) ([]Event, error) {
	sn := s.subnets[c.Netuid]
	if sn == nil {
		return nil, fail(CodeSubnetNotFound, "subnet %d does not exist", c.Netuid)
	}
	if sn.hp.CommitRevealWeightsEnabled {
		return nil, fail(CodeCommitRevealEnabled, "commit-reveal is enabled on subnet %d: use commit_weights/reveal_weights", c.Netuid)
	}
	uid, up, err := s.checkWeights(hotkey, c.Netuid, c.UIDs, c.Values, c.VersionKey, true)
	if err != nil {
		return nil, err
	}
	nr := sn.neurons[uid]
	storeWeights(nr, c.UIDs, up)
	nr.lastUpdate = s.height
	return []Event{event("weights_set", "netuid", strconv.Itoa(int(c.Netuid)), "uid", strconv.Itoa(int(uid)))}, nil
}

// liveCommits splits a hotkey's commit queue at the current epoch into the
// unexpired ones and the hashes of expired ones.
func liveCommits(q []weightCommit, cur, period uint64) (live []weightCommit, expired [][32]byte) {
	for _, c := range q {
		if cur > c.epoch+period {
			expired = append(expired, c.hash)
		} else {
			live = append(live, c)
		}
	}
	return live, expired
}

func (s *State) doCommitWeights(hotkey string, c *CommitWeights) ([]Event, error) {
	sn := s.subnets[c.Netuid]
	if sn == nil {
		return nil, fail(CodeSubnetNotFound, "subnet %d does not exist", c.Netuid)
	}
	if !sn.hp.CommitRevealWeightsEnabled {
		return nil, fail(CodeCommitRevealDisabled, "commit-reveal is disabled on subnet %d: use set_weights", c.Netuid)
	}
	uid, ok := sn.uids[hotkey]
	if !ok {
		return nil, fail(CodeHotkeyNotRegistered, "hotkey %s is not registered on subnet %d", hotkey, c.Netuid)
	}
	nr := sn.neurons[uid]
	if nr.lastUpdate != 0 && satSub(s.height, nr.lastUpdate) < sn.hp.WeightsRateLimit {
		return nil, fail(CodeCommittingWeightsTooFast, "last commit at block %d; rate limit %d blocks, now %d",
			nr.lastUpdate, sn.hp.WeightsRateLimit, s.height)
	}
	cur := EpochIndex(s.height, c.Netuid, sn.hp.Tempo)
	live, _ := liveCommits(sn.commits[hotkey], cur, sn.hp.CommitRevealPeriod)
	if len(live) >= maxUnrevealedCommits {
		return nil, fail(CodeTooManyUnrevealedCommits, "%d unrevealed commits (max %d)", len(live), maxUnrevealedCommits)
	}
	sn.commits[hotkey] = append(live, weightCommit{hash: c.Hash, block: s.height, epoch: cur})
	nr.lastUpdate = s.height
	return []Event{event("weights_committed", "netuid", strconv.Itoa(int(c.Netuid)), "uid", strconv.Itoa(int(uid)),
		"epoch", u64s(cur))}, nil
}

func (s *State) doRevealWeights(hotkey string, c *RevealWeights) ([]Event, error) {
	sn := s.subnets[c.Netuid]
	if sn == nil {
		return nil, fail(CodeSubnetNotFound, "subnet %d does not exist", c.Netuid)
	}
	if !sn.hp.CommitRevealWeightsEnabled {
		return nil, fail(CodeCommitRevealDisabled, "commit-reveal is disabled on subnet %d", c.Netuid)
	}
	q := sn.commits[hotkey]
	if len(q) == 0 {
		return nil, fail(CodeNoWeightsCommitFound, "no weight commits for %s on subnet %d", hotkey, c.Netuid)
	}
	pub, err := keys.SS58Decode(hotkey)
	if err != nil {
		return nil, fail(CodeInvalidAddress, "hotkey: %v", err)
	}
	cur := EpochIndex(s.height, c.Netuid, sn.hp.Tempo)
	live, expired := liveCommits(q, cur, sn.hp.CommitRevealPeriod)
	h := CommitHash(pub, c.Netuid, c.UIDs, c.Values, c.Salt, c.VersionKey)
	idx := -1
	for i, cm := range live {
		if cm.hash == h {
			idx = i
			break
		}
	}
	if idx < 0 {
		for _, e := range expired {
			if e == h {
				return nil, fail(CodeExpiredWeightCommit, "the matching commit expired (epoch %d)", cur)
			}
		}
		return nil, fail(CodeInvalidRevealCommitHash, "no commit matches hash %x", h)
	}
	if want := live[idx].epoch + sn.hp.CommitRevealPeriod; cur != want {
		return nil, fail(CodeRevealTooEarly, "reveal in epoch %d, now %d", want, cur)
	}
	uid, up, err := s.checkWeights(hotkey, c.Netuid, c.UIDs, c.Values, c.VersionKey, false)
	if err != nil {
		return nil, err
	}
	rest := live[idx+1:]
	if len(rest) == 0 {
		delete(sn.commits, hotkey)
	} else {
		sn.commits[hotkey] = append([]weightCommit(nil), rest...)
	}
	storeWeights(sn.neurons[uid], c.UIDs, up)
	return []Event{event("weights_revealed", "netuid", strconv.Itoa(int(c.Netuid)), "uid", strconv.Itoa(int(uid)))}, nil
}
