package chain

import "fmt"

// Result codes of CheckTx/DeliverTx. 0 is success. Names follow upstream subtensor
// errors where one exists. The numeric values are part of the node API: never renumber.
const (
	CodeOK                         uint32 = 0
	CodeDecode                     uint32 = 1  // malformed transaction bytes
	CodeWrongChain                 uint32 = 2  // chain ID differs from this chain's
	CodeInvalidAddress             uint32 = 3  // an ss58 address does not parse
	CodeBadSignature               uint32 = 4  // signature does not verify for the signer
	CodeBadNonce                   uint32 = 5  // nonce differs from the account's next nonce
	CodeInsufficientBalance        uint32 = 6  // balance cannot pay amount + fee
	CodeInvalidAmount              uint32 = 7  // zero amount
	CodeSubnetNotFound             uint32 = 8  // SubNetworkDoesNotExist
	CodeTooManySubnets             uint32 = 9  // no free netuid
	CodeNotSubnetOwner             uint32 = 10 // signer does not own the subnet
	CodeUnknownHyperparameter      uint32 = 11 // no such hyperparameter name
	CodeHyperparameterNotSettable  uint32 = 12 // root-only upstream: genesis only here
	CodeHyperparameterOutOfBounds  uint32 = 13 // value outside allowed bounds
	CodeRegistrationDisabled       uint32 = 14 // SubNetRegistrationDisabled
	CodeTooManyRegistrationsBlock  uint32 = 15 // TooManyRegistrationsThisBlock
	CodeTooManyRegistrationsInterv uint32 = 16 // TooManyRegistrationsThisInterval
	CodeHotkeyAlreadyRegistered    uint32 = 17 // HotKeyAlreadyRegisteredInSubNet
	CodeNonAssociatedColdkey       uint32 = 18 // hotkey is owned by another coldkey
	CodeNoNeuronIDAvailable        uint32 = 19 // subnet full and nothing prunable
	CodeHotkeyNotRegistered        uint32 = 20 // HotKeyNotRegisteredInNetwork
	CodeHotkeyAccountNotExists     uint32 = 21 // hotkey has no owner (never registered)
	CodeNotEnoughStakeToWithdraw   uint32 = 22 // remove_stake above the stake held
	CodeNotEnoughStakeToSetWeights uint32 = 23 // stake below StakeThreshold
	CodeWeightVecNotEqualSize      uint32 = 24 // len(uids) != len(values)
	CodeUidsLengthExceedUidsInSub  uint32 = 25 // more uids than the subnet has
	CodeIncorrectWeightVersionKey  uint32 = 26 // version key below the subnet's
	CodeSettingWeightsTooFast      uint32 = 27 // weights rate limit
	CodeNeuronNoValidatorPermit    uint32 = 28 // no validator permit
	CodeDuplicateUids              uint32 = 29 // a uid appears twice
	CodeUidVecContainInvalidOne    uint32 = 30 // a uid does not exist
	CodeWeightVecLengthIsLow       uint32 = 31 // fewer than min_allowed_weights
	CodeMaxWeightExceeded          uint32 = 32 // above max_weights_limit
	CodeCommitRevealEnabled        uint32 = 33 // set_weights while commit-reveal is on
	CodeCommitRevealDisabled       uint32 = 34 // commit/reveal while commit-reveal is off
	CodeCommittingWeightsTooFast   uint32 = 35 // commit rate limit
	CodeTooManyUnrevealedCommits   uint32 = 36 // more than 10 pending commits
	CodeNoWeightsCommitFound       uint32 = 37 // nothing committed
	CodeInvalidRevealCommitHash    uint32 = 38 // InvalidRevealCommitHashNotMatch
	CodeExpiredWeightCommit        uint32 = 39 // the matching commit expired
	CodeRevealTooEarly             uint32 = 40 // reveal before the reveal epoch
	CodeTooManyFieldsInCommitment  uint32 = 41 // more than 3 fields
	CodeInvalidCommitmentField     uint32 = 42 // bad kind or data size
	CodeSpaceLimitExceeded         uint32 = 43 // commitment space per epoch used up
	CodeInvalidIPType              uint32 = 44 // ip_type not 4 or 6
	CodeInvalidIPAddress           uint32 = 45 // ip not allowed
	CodeServingRateLimitExceeded   uint32 = 46 // serve_axon too often
	CodeInvalidPort                uint32 = 47 // port 0
	CodeUnsupportedCommitmentField uint32 = 48 // timelocked fields need drand: not supported
)

// txError is a rejection with its code.
type txError struct {
	code uint32
	msg  string
}

func (e *txError) Error() string { return e.msg }

func fail(code uint32, format string, args ...any) *txError {
	return &txError{code: code, msg: fmt.Sprintf(format, args...)}
}
