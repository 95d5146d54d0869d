package chain

import (
	"fmt"
	"net/netip"
	"strconv"
)

// fieldLimit returns the exact (hashes) or maximum (raw) data size of a field kind.
func fieldLimit(k FieldKind) (size int, exact bool, ok bool) {
	switch k {
	case FieldNone, FieldResetBondsFlag:
		return 0, true, true
	case FieldRaw:
		return 128, false, true
	case FieldBigRaw:
		return 512, false, true
	case FieldBlakeTwo256, FieldSha256, FieldKeccak256, FieldShaThree256:
		return 32, true, true
	}
	return 0, false, false
}

func (s *State) doSetCommitment(hotkey string, c *SetCommitment) ([]Event, error) {
	sn := s.subnets[c.Netuid]
	if sn == nil {
		return nil, fail(CodeSubnetNotFound, "subnet %d does not exist", c.Netuid)
	}
	uid, ok := sn.uids[hotkey]
	if !ok {
		return nil, fail(CodeHotkeyNotRegistered, "hotkey %s is not registered on subnet %d", hotkey, c.Netuid)
	}
	if len(c.Fields) > maxFields {
		return nil, fail(CodeTooManyFieldsInCommitment, "%d fields (max %d)", len(c.Fields), maxFields)
	}
	var size uint64
	reset := false
	for i, f := range c.Fields {
		lim, exact, ok := fieldLimit(f.Kind)
		if !ok {
			return nil, fail(CodeUnsupportedCommitmentField, "field %d: kind %d is not supported (timelocked data needs drand)", i, f.Kind)
		}
		if (exact && len(f.Data) != lim) || len(f.Data) > lim {
			return nil, fail(CodeInvalidCommitmentField, "field %d: kind %d takes %s %d bytes, got %d", i, f.Kind,
				map[bool]string{true: "exactly", false: "at most"}[exact], lim, len(f.Data))
		}
		size += uint64(len(f.Data))
		reset = reset || f.Kind == FieldResetBondsFlag
	}
	// Space-based rate limit per (netuid, account) and epoch index.
	cur := EpochIndex(s.height, c.Netuid, sn.hp.Tempo)
	use := sn.space[hotkey]
	if use.epoch != cur {
		use = spaceUsage{epoch: cur}
	}
	need := max(size, 100)
	if use.used+need > uint64(sn.hp.CommitmentMaxSpace) {
		return nil, fail(CodeSpaceLimitExceeded, "commitment space %d + %d exceeds %d this epoch", use.used, need, sn.hp.CommitmentMaxSpace)
	}
	use.used += need
	sn.space[hotkey] = use
	fields := make([]CommitmentField, len(c.Fields))
	for i, f := range c.Fields {
		fields[i] = CommitmentField{Kind: f.Kind, Data: append([]byte(nil), f.Data...)}
	}
	sn.setCommitment(hotkey, s.height, fields)
	ev := []Event{event("commitment_set", "netuid", strconv.Itoa(int(c.Netuid)), "hotkey", hotkey, "block", u64s(s.height))}
	if reset && sn.hp.BondsResetEnabled {
		// do_reset_bonds: validators' bonds on this uid restart.
		for _, n := range sn.neurons {
			kept := n.bonds[:0]
			for _, b := range n.bonds {
				if b.UID != uid {
					kept = append(kept, b)
				}
			}
			n.bonds = kept
		}
		ev = append(ev, event("bonds_reset", "netuid", strconv.Itoa(int(c.Netuid)), "uid", strconv.Itoa(int(uid))))
	}
	return ev, nil
}

// AxonIP converts a textual IPv4/IPv6 address to the upstream u128 form (16
// big-endian bytes) and its ip_type (4 or 6).
func AxonIP(text string) ([16]byte, uint8, error) {
	a, err := netip.ParseAddr(text)
	if err != nil {
		return [16]byte{}, 0, err
	}
	a = a.Unmap()
	if a.Is4() {
		var out [16]byte
		v4 := a.As4()
		copy(out[12:], v4[:])
		return out, 4, nil
	}
	return a.As16(), 6, nil
}

// axonIPString renders the u128 form as text for the given ip_type.
func axonIPString(ip [16]byte, ipType uint8) string {
	if ipType == 4 {
		return netip.AddrFrom4([4]byte(ip[12:])).String()
	}
	return netip.AddrFrom16(ip).String()
}

// validAxonIP is upstream is_valid_ip_address (IPv4 below u32::MAX, IPv6 not
// u128::MAX) with a stricter local rule: unless the chain allows local IPs,
// the whole loopback range (127.0.0.0/8, ::1), the unspecified addresses
// (0.0.0.0, ::) and IPv4-mapped forms of either are refused, not only
// 127.0.0.1 and ::1 — an axon there is unreachable from any other machine,
// and upstream's single-address check let 127.0.0.2 through. Private ranges
// stay allowed, as upstream (its exclusion is a standing TODO there) and as
// LAN deployments need.
func validAxonIP(ip [16]byte, ipType uint8, allowLocal bool) error {
	allOnes := true
	for _, b := range ip {
		allOnes = allOnes && b == 0xff
	}
	var a netip.Addr
	switch ipType {
	case 4:
		for _, b := range ip[:12] {
			if b != 0 {
				return fmt.Errorf("IPv4 value exceeds u32")
			}
		}
		if ip[12] == 0xff && ip[13] == 0xff && ip[14] == 0xff && ip[15] == 0xff {
			return fmt.Errorf("IPv4 value u32::MAX is not allowed")
		}
		a = netip.AddrFrom4([4]byte(ip[12:]))
	case 6:
		if allOnes {
			return fmt.Errorf("IPv6 value u128::MAX is not allowed")
		}
		a = netip.AddrFrom16(ip)
	}
	if allowLocal {
		return nil
	}
	switch u := a.Unmap(); {
	case u.IsLoopback():
		return fmt.Errorf("%s is a loopback address (not allowed unless the chain allows local axon IPs)", a)
	case u.IsUnspecified():
		return fmt.Errorf("%s is the unspecified address (not allowed unless the chain allows local axon IPs)", a)
	}
	return nil
}

func (s *State) doServeAxon(hotkey string, c *ServeAxon) ([]Event, error) {
	sn := s.subnets[c.Netuid]
	if sn == nil {
		return nil, fail(CodeSubnetNotFound, "subnet %d does not exist", c.Netuid)
	}
	uid, ok := sn.uids[hotkey]
	if !ok {
		return nil, fail(CodeHotkeyNotRegistered, "hotkey %s is not registered on subnet %d", hotkey, c.Netuid)
	}
	if c.IPType != 4 && c.IPType != 6 {
		return nil, fail(CodeInvalidIPType, "ip_type %d (want 4 or 6)", c.IPType)
	}
	if err := validAxonIP(c.IP, c.IPType, s.cfg.AllowLocalAxonIPs); err != nil {
		return nil, fail(CodeInvalidIPAddress, "%v", err)
	}
	nr := sn.neurons[uid]
	if lim := sn.hp.ServingRateLimit; lim > 0 && nr.axon != nil && satSub(s.height, nr.axon.block) < lim {
		return nil, fail(CodeServingRateLimitExceeded, "axon served at block %d; rate limit %d blocks, now %d",
			nr.axon.block, lim, s.height)
	}
	if c.Port == 0 {
		return nil, fail(CodeInvalidPort, "port must be > 0")
	}
	nr.axon = &axon{block: s.height, version: c.Version, ip: c.IP, port: c.Port, ipType: c.IPType,
		protocol: c.Protocol, p1: c.Placeholder1, p2: c.Placeholder2}
	return []Event{event("axon_served", "netuid", strconv.Itoa(int(c.Netuid)), "uid", strconv.Itoa(int(uid)),
		"ip", axonIPString(c.IP, c.IPType), "port", strconv.Itoa(int(c.Port)))}, nil
}
