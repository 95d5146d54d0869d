package chain

import (
	"errors"
	"fmt"
)

// DefaultChainID is the chain ID NewTx puts into a transaction; set Tx.ChainID before
// signing for another chain.
const DefaultChainID = "taonet-local"

// Encoding limits. They bound allocation while decoding untrusted bytes.
const (
	txVersion      = 1
	maxTxSize      = 1 << 20
	maxChainIDLen  = 64
	maxAddressLen  = 64
	maxNameLen     = 64
	maxWeightsLen  = 4096
	maxCallBodyLen = 1 << 20
	sigLen         = 64
	maxFields      = 3
	maxFieldData   = 512
	signDomain     = "taonet/tx/v1"
)

// NewTx returns an unsigned transaction of signer (ss58) at nonce, for DefaultChainID.
func NewTx(signer string, nonce uint64, call Call) *Tx {
	return &Tx{ChainID: DefaultChainID, Signer: signer, Nonce: nonce, Call: call}
}

// encodeUnsigned writes everything the signature covers (after the domain).
func (t *Tx) encodeUnsigned(w *writer) {
	w.u8(txVersion)
	w.str(t.ChainID)
	w.str(t.Signer)
	w.u64(t.Nonce)
	w.u8(uint8(t.Call.Type()))
	var body writer
	t.Call.encodeBody(&body)
	w.bytes32(body.b)
}

// SignBytes returns the message the signer signs: a domain tag, then chain ID,
// signer, nonce and the encoded call.
func (t *Tx) SignBytes() []byte {
	w := writer{b: []byte(signDomain)}
	t.encodeUnsigned(&w)
	return w.b
}

// Sign signs the transaction with s, whose address must equal t.Signer.
func (t *Tx) Sign(s Signer) error {
	if t.Call == nil {
		return errors.New("chain: transaction has no call")
	}
	if s.SS58Address() != t.Signer {
		return fmt.Errorf("chain: signer %s does not match transaction signer %s", s.SS58Address(), t.Signer)
	}
	sig, err := s.Sign(t.SignBytes())
	if err != nil {
		return fmt.Errorf("chain: sign: %w", err)
	}
	t.Signature = sig
	return nil
}

// Encode returns the canonical binary encoding (see the package doc).
func (t *Tx) Encode() []byte {
	var w writer
	t.encodeUnsigned(&w)
	w.u16(uint16(len(t.Signature)))
	w.b = append(w.b, t.Signature...)
	return w.b
}

// DecodeTx parses a transaction. It never panics; any malformed, non-canonical or
// oversized input is an error.
func DecodeTx(raw []byte) (*Tx, error) {
	if len(raw) > maxTxSize {
		return nil, fmt.Errorf("transaction of %d bytes exceeds %d", len(raw), maxTxSize)
	}
	r := &reader{b: raw}
	if v := r.u8(); r.err == nil && v != txVersion {
		return nil, fmt.Errorf("unsupported transaction version %d", v)
	}
	t := &Tx{}
	t.ChainID = r.str(maxChainIDLen)
	t.Signer = r.str(maxAddressLen)
	t.Nonce = r.u64()
	ct := CallType(r.u8())
	body := r.bytes32(maxCallBodyLen)
	n := int(r.u16())
	if r.err == nil && n != sigLen {
		return nil, fmt.Errorf("signature must be %d bytes, got %d", sigLen, n)
	}
	t.Signature = r.take(n)
	if err := r.done(); err != nil {
		return nil, fmt.Errorf("decode transaction: %w", err)
	}
	t.Signature = append([]byte(nil), t.Signature...)
	call, err := decodeCall(ct, body)
	if err != nil {
		return nil, err
	}
	t.Call = call
	return t, nil
}

func decodeCall(ct CallType, body []byte) (Call, error) {
	r := &reader{b: body}
	var c Call
	switch ct {
	case CallTransfer:
		c = &Transfer{Dest: r.str(maxAddressLen), Amount: r.u64()}
	case CallCreateSubnet:
		c = &CreateSubnet{Hotkey: r.str(maxAddressLen)}
	case CallSetHyperparameter:
		c = &SetHyperparameter{Netuid: r.u16(), Name: r.str(maxNameLen), Value: r.u64()}
	case CallBurnedRegister:
		c = &BurnedRegister{Netuid: r.u16(), Hotkey: r.str(maxAddressLen)}
	case CallAddStake:
		c = &AddStake{Hotkey: r.str(maxAddressLen), Amount: r.u64()}
	case CallRemoveStake:
		c = &RemoveStake{Hotkey: r.str(maxAddressLen), Amount: r.u64()}
	case CallSetWeights:
		c = &SetWeights{Netuid: r.u16(), UIDs: r.u16s(maxWeightsLen), Values: r.u16s(maxWeightsLen), VersionKey: r.u64()}
	case CallCommitWeights:
		cw := &CommitWeights{Netuid: r.u16()}
		copy(cw.Hash[:], r.take(32))
		c = cw
	case CallRevealWeights:
		c = &RevealWeights{Netuid: r.u16(), UIDs: r.u16s(maxWeightsLen), Values: r.u16s(maxWeightsLen),
			Salt: r.u16s(maxWeightsLen), VersionKey: r.u64()}
	case CallSetCommitment:
		sc := &SetCommitment{Netuid: r.u16()}
		n := r.count(maxFields, 5)
		for i := 0; i < n && r.err == nil; i++ {
			sc.Fields = append(sc.Fields, CommitmentField{Kind: FieldKind(r.u8()), Data: r.bytes32(maxFieldData)})
		}
		c = sc
	case CallServeAxon:
		sa := &ServeAxon{Netuid: r.u16(), Version: r.u32()}
		copy(sa.IP[:], r.take(16))
		sa.Port = r.u16()
		sa.IPType = r.u8()
		sa.Protocol = r.u8()
		sa.Placeholder1 = r.u8()
		sa.Placeholder2 = r.u8()
		c = sa
	case CallAddStakeLimit:
		c = &AddStakeLimit{Hotkey: r.str(maxAddressLen), Netuid: r.u16(), Amount: r.u64(), LimitPrice: r.u64(), AllowPartial: r.boolean()}
	case CallRemoveStakeLimit:
		c = &RemoveStakeLimit{Hotkey: r.str(maxAddressLen), Netuid: r.u16(), Amount: r.u64(), LimitPrice: r.u64(), AllowPartial: r.boolean()}
	case CallMoveStake:
		c = &MoveStake{OriginHotkey: r.str(maxAddressLen), DestHotkey: r.str(maxAddressLen), OriginNetuid: r.u16(), DestNetuid: r.u16(), Amount: r.u64()}
	case CallTransferStake:
		c = &TransferStake{DestColdkey: r.str(maxAddressLen), Hotkey: r.str(maxAddressLen), OriginNetuid: r.u16(), DestNetuid: r.u16(), Amount: r.u64()}
	case CallDecreaseTake:
		c = &DecreaseTake{Hotkey: r.str(maxAddressLen), Take: r.u16()}
	case CallIncreaseTake:
		c = &IncreaseTake{Hotkey: r.str(maxAddressLen), Take: r.u16()}
	case CallSwapStake:
		c = &SwapStake{Hotkey: r.str(maxAddressLen), OriginNetuid: r.u16(), DestNetuid: r.u16(), Amount: r.u64()}
	default:
		return nil, fmt.Errorf("unknown call type %d", ct)
	}
	if err := r.done(); err != nil {
		return nil, fmt.Errorf("decode %s: %w", c.CallName(), err)
	}
	return c, nil
}

// Type implements Call.
func (*Transfer) Type() CallType { return CallTransfer }

// CallName implements Call.
func (*Transfer) CallName() string { return "transfer" }
func (c *Transfer) encodeBody(w *writer) {
	w.str(c.Dest)
	w.u64(c.Amount)
}

// Type implements Call.
func (*CreateSubnet) Type() CallType { return CallCreateSubnet }

// CallName implements Call.
func (*CreateSubnet) CallName() string       { return "register_network" }
func (c *CreateSubnet) encodeBody(w *writer) { w.str(c.Hotkey) }

// Type implements Call.
func (*SetHyperparameter) Type() CallType { return CallSetHyperparameter }

// CallName implements Call.
func (*SetHyperparameter) CallName() string { return "set_hyperparameter" }
func (c *SetHyperparameter) encodeBody(w *writer) {
	w.u16(c.Netuid)
	w.str(c.Name)
	w.u64(c.Value)
}

// Type implements Call.
func (*BurnedRegister) Type() CallType { return CallBurnedRegister }

// CallName implements Call.
func (*BurnedRegister) CallName() string { return "burned_register" }
func (c *BurnedRegister) encodeBody(w *writer) {
	w.u16(c.Netuid)
	w.str(c.Hotkey)
}

// Type implements Call.
func (*AddStake) Type() CallType { return CallAddStake }

// CallName implements Call.
func (*AddStake) CallName() string { return "add_stake" }
func (c *AddStake) encodeBody(w *writer) {
	w.str(c.Hotkey)
	w.u64(c.Amount)
}

// Type implements Call.
func (*RemoveStake) Type() CallType { return CallRemoveStake }

// CallName implements Call.
func (*RemoveStake) CallName() string { return "remove_stake" }
func (c *RemoveStake) encodeBody(w *writer) {
	w.str(c.Hotkey)
	w.u64(c.Amount)
}

// Type implements Call.
func (*SetWeights) Type() CallType { return CallSetWeights }

// CallName implements Call.
func (*SetWeights) CallName() string { return "set_weights" }
func (c *SetWeights) encodeBody(w *writer) {
	w.u16(c.Netuid)
	w.u16s(c.UIDs)
	w.u16s(c.Values)
	w.u64(c.VersionKey)
}

// Type implements Call.
func (*CommitWeights) Type() CallType { return CallCommitWeights }

// CallName implements Call.
func (*CommitWeights) CallName() string { return "commit_weights" }
func (c *CommitWeights) encodeBody(w *writer) {
	w.u16(c.Netuid)
	w.b = append(w.b, c.Hash[:]...)
}

// Type implements Call.
func (*RevealWeights) Type() CallType { return CallRevealWeights }

// CallName implements Call.
func (*RevealWeights) CallName() string { return "reveal_weights" }
func (c *RevealWeights) encodeBody(w *writer) {
	w.u16(c.Netuid)
	w.u16s(c.UIDs)
	w.u16s(c.Values)
	w.u16s(c.Salt)
	w.u64(c.VersionKey)
}

// Type implements Call.
func (*SetCommitment) Type() CallType { return CallSetCommitment }

// CallName implements Call.
func (*SetCommitment) CallName() string { return "set_commitment" }
func (c *SetCommitment) encodeBody(w *writer) {
	w.u16(c.Netuid)
	w.u32(uint32(len(c.Fields)))
	for _, f := range c.Fields {
		w.u8(uint8(f.Kind))
		w.bytes32(f.Data)
	}
}

// Type implements Call.
func (*ServeAxon) Type() CallType { return CallServeAxon }

// CallName implements Call.
func (*ServeAxon) CallName() string { return "serve_axon" }
func (c *ServeAxon) encodeBody(w *writer) {
	w.u16(c.Netuid)
	w.u32(c.Version)
	w.b = append(w.b, c.IP[:]...)
	w.u16(c.Port)
	w.u8(c.IPType)
	w.u8(c.Protocol)
	w.u8(c.Placeholder1)
	w.u8(c.Placeholder2)
}
