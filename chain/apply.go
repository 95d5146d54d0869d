package chain

import (
	"errors"
	"strconv"

	"github.com/taonet/taonet/keys"
)

// CheckTx validates raw and, if valid, applies it to this state (the node calls it on
// a check-state clone, so consecutive nonces from one account pass the mempool).
func (s *State) CheckTx(raw []byte) TxResult { return s.apply(raw) }

// DeliverTx validates raw and, if valid, applies it. A failed transaction changes
// nothing: no fee is charged and the nonce does not advance.
func (s *State) DeliverTx(raw []byte) TxResult { return s.apply(raw) }

func (s *State) apply(raw []byte) TxResult { return s.ApplyRawTx(raw, (*Tx).VerifySignature) }

// SigVerifier reports whether a decoded transaction's signature verifies. The
// answer must equal tx.VerifySignature(): a verifier may only remember earlier
// answers (the check is a pure function of the transaction's bytes), so state
// transitions stay bit-identical whichever verifier a node uses.
type SigVerifier func(tx *Tx) bool

// ApplyRawTx is DeliverTx with the signature check delegated to verify (a node
// uses it to reuse the verification its mempool or a parallel pre-pass did).
func (s *State) ApplyRawTx(raw []byte, verify SigVerifier) TxResult {
	tx, err := DecodeTx(raw)
	if err != nil {
		return TxResult{Code: CodeDecode, Log: "decode: " + err.Error()}
	}
	return s.applyTxResult(tx, verify)
}

// VerifySignature reports whether the signature is the signer's over SignBytes.
func (t *Tx) VerifySignature() bool { return keys.VerifySS58(t.Signer, t.SignBytes(), t.Signature) }

// ApplyTx applies an already decoded transaction (what DeliverTx does after decoding).
func (s *State) ApplyTx(tx *Tx) TxResult { return s.applyTxResult(tx, (*Tx).VerifySignature) }

func (s *State) applyTxResult(tx *Tx, verify SigVerifier) TxResult {
	events, fee, err := s.applyTx(tx, verify)
	if err != nil {
		var te *txError
		if errors.As(err, &te) {
			return TxResult{Code: te.code, Log: tx.Call.CallName() + ": " + te.msg}
		}
		return TxResult{Code: CodeDecode, Log: err.Error()}
	}
	return TxResult{Code: CodeOK, Events: events, Fee: fee}
}

// paysFee reports whether a call is a coldkey call that pays the flat fee.
func paysFee(c Call) bool {
	switch c.Type() {
	case CallTransfer, CallCreateSubnet, CallSetHyperparameter, CallBurnedRegister, CallAddStake, CallRemoveStake,
		CallAddStakeLimit, CallRemoveStakeLimit, CallMoveStake, CallTransferStake, CallSwapStake,
		CallDecreaseTake, CallIncreaseTake:
		return true
	}
	return false
}

func (s *State) applyTx(tx *Tx, verify SigVerifier) ([]Event, uint64, error) {
	if tx.Call == nil {
		return nil, 0, errors.New("transaction has no call")
	}
	if tx.ChainID != s.cfg.ChainID {
		return nil, 0, fail(CodeWrongChain, "transaction is for chain %q, this is %q", tx.ChainID, s.cfg.ChainID)
	}
	if _, err := keys.SS58Decode(tx.Signer); err != nil {
		return nil, 0, fail(CodeInvalidAddress, "signer: %v", err)
	}
	var nonce, bal uint64
	if a := s.accounts[tx.Signer]; a != nil {
		nonce, bal = a.nonce, a.balance
	}
	if tx.Nonce != nonce {
		return nil, 0, fail(CodeBadNonce, "nonce %d, account %s expects %d", tx.Nonce, tx.Signer, nonce)
	}
	if !verify(tx) {
		return nil, 0, fail(CodeBadSignature, "signature does not verify for %s", tx.Signer)
	}
	var fee uint64
	if paysFee(tx.Call) {
		fee = s.cfg.TxFee
		// remove_stake may pay its fee out of the unstaked amount (checked there), so
		// a coldkey that staked everything can still unstake.
		if bal < fee && !paysFeeFromUnstake(tx.Call) {
			return nil, 0, fail(CodeInsufficientBalance, "balance %d cannot pay the fee %d", bal, fee)
		}
	}
	events, err := s.dispatch(tx.Signer, tx.Call, fee)
	if err != nil {
		return nil, 0, err
	}
	a := s.acct(tx.Signer)
	a.nonce++
	a.balance -= fee // checked above and by the call against amount + fee
	s.feesBurned += fee
	return events, fee, nil
}

func (s *State) dispatch(signer string, c Call, fee uint64) ([]Event, error) {
	switch c := c.(type) {
	case *Transfer:
		return s.doTransfer(signer, c, fee)
	case *CreateSubnet:
		return s.doCreateSubnet(signer, c, fee)
	case *SetHyperparameter:
		return s.doSetHyperparameter(signer, c)
	case *BurnedRegister:
		return s.doBurnedRegister(signer, c, fee)
	case *AddStake:
		return s.doAddStake(signer, c, fee)
	case *RemoveStake:
		return s.doRemoveStake(signer, c, fee)
	case *SetWeights:
		return s.doSetWeights(signer, c)
	case *CommitWeights:
		return s.doCommitWeights(signer, c)
	case *RevealWeights:
		return s.doRevealWeights(signer, c)
	case *SetCommitment:
		return s.doSetCommitment(signer, c)
	case *ServeAxon:
		return s.doServeAxon(signer, c)
	case *DecreaseTake:
		return s.doTake(signer, c.Hotkey, c.Take, false)
	case *IncreaseTake:
		return s.doTake(signer, c.Hotkey, c.Take, true)
	case *AddStakeLimit:
		return s.doAddStakeLimit(signer, c, fee)
	case *RemoveStakeLimit:
		return s.doRemoveStakeLimit(signer, c, fee)
	case *MoveStake:
		return s.doTransition(signer, signer, c.OriginHotkey, c.DestHotkey, c.OriginNetuid, c.DestNetuid, c.Amount, fee, "stake_moved")
	case *TransferStake:
		return s.doTransition(signer, c.DestColdkey, c.Hotkey, c.Hotkey, c.OriginNetuid, c.DestNetuid, c.Amount, fee, "stake_transferred")
	case *SwapStake:
		return s.doTransition(signer, signer, c.Hotkey, c.Hotkey, c.OriginNetuid, c.DestNetuid, c.Amount, fee, "stake_swapped")
	}
	return nil, errors.New("unknown call")
}

// event builds an Event from alternating key/value strings.
func event(typ string, kv ...string) Event {
	e := Event{Type: typ}
	for i := 0; i+1 < len(kv); i += 2 {
		e.Attrs = append(e.Attrs, Attr{Key: kv[i], Value: kv[i+1]})
	}
	return e
}

func u64s(v uint64) string { return strconv.FormatUint(v, 10) }

// canPay reports whether bal covers amount + fee without overflow.
func canPay(bal, amount, fee uint64) bool {
	need := amount + fee
	return need >= amount && bal >= need
}
