package chain

import "strconv"

// Delegate take limits (runtime/src/lib.rs): min 0, max = the initial default 18%,
// raises at most once per 216 000 blocks (30 days).
const (
	minDelegateTake           uint16 = 0
	maxDelegateTake           uint16 = 11_796
	delegateTakeRateLimitBlks uint64 = 216_000
)

// delegateTake is a hotkey's take over 65535 (get_hotkey_take).
func (s *State) delegateTake(hotkey string) uint16 {
	if s.dt != nil {
		if t, ok := s.dt.takes[hotkey]; ok {
			return t.take
		}
	}
	return s.cfg.DelegateTake
}

// doTake is do_decrease_take / do_increase_take.
func (s *State) doTake(coldkey, hotkey string, take uint16, increase bool) ([]Event, error) {
	if err := s.needDTAO(); err != nil {
		return nil, err
	}
	if err := checkAddr("hotkey", hotkey); err != nil {
		return nil, err
	}
	owner, ok := s.owners[hotkey]
	if !ok {
		return nil, fail(CodeHotkeyAccountNotExists, "hotkey %s has no owner (never registered)", hotkey)
	}
	if owner != coldkey {
		return nil, fail(CodeNonAssociatedColdkey, "hotkey %s is owned by coldkey %s", hotkey, owner)
	}
	cur, set := s.dt.takes[hotkey]
	name := "take_decreased"
	if increase {
		name = "take_increased"
		if set && take <= cur.take {
			return nil, fail(CodeDelegateTakeTooLow, "take %d does not increase the current %d", take, cur.take)
		}
		if take > maxDelegateTake {
			return nil, fail(CodeDelegateTakeTooHigh, "take %d above the maximum %d", take, maxDelegateTake)
		}
		if set && cur.lastBlock != 0 && s.height-cur.lastBlock <= delegateTakeRateLimitBlks {
			return nil, fail(CodeDelegateTxRateLimit, "take changed at block %d; raising it again needs %d blocks", cur.lastBlock, delegateTakeRateLimitBlks)
		}
	} else {
		if set && take >= cur.take {
			return nil, fail(CodeDelegateTakeTooLow, "take %d does not decrease the current %d", take, cur.take)
		}
		if take < minDelegateTake {
			return nil, fail(CodeDelegateTakeTooLow, "take %d below the minimum %d", take, minDelegateTake)
		}
	}
	s.dt.takes[hotkey] = delegateTake{take: take, lastBlock: s.height}
	return []Event{event(name, "coldkey", coldkey, "hotkey", hotkey, "take", strconv.Itoa(int(take)))}, nil
}
