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
	CodeWrongEconomics             uint32 = 49 // call not available under this chain's economics
	CodeAmountTooLow               uint32 = 50 // AmountTooLow: below DefaultMinStake (or 0)
	CodeSlippageTooHigh            uint32 = 51 // SlippageTooHigh: limit price reached, partial not allowed
	CodeInsufficientLiquidity      uint32 = 52 // InsufficientLiquidity: pool cannot take or pay the amount
	CodePriceLimitExceeded         uint32 = 53 // PriceLimitExceeded: the price is already past the limit
	CodeSameNetuid                 uint32 = 54 // SameNetuid: a stake move that moves nothing
	CodeSwapInputTooLarge          uint32 = 55 // SwapInputTooLarge: input above 1000x its reserve
	CodeReservesTooLow             uint32 = 56 // ReservesTooLow: the pool's output reserve is too thin
	CodeDelegateTakeTooLow         uint32 = 57 // DelegateTakeTooLow: not a decrease/increase, or below the minimum
	CodeDelegateTakeTooHigh        uint32 = 58 // DelegateTakeTooHigh: above the maximum take (18%)
	CodeDelegateTxRateLimit        uint32 = 59 // DelegateTxRateLimitExceeded: take raised too recently
)

// codeNames are the reasons the node reports (metrics labels, API results) for
// each result code, in snake case after the constant's name.
var codeNames = map[uint32]string{
	CodeOK:                         "ok",
	CodeDecode:                     "decode",
	CodeWrongChain:                 "wrong_chain",
	CodeInvalidAddress:             "invalid_address",
	CodeBadSignature:               "bad_signature",
	CodeBadNonce:                   "bad_nonce",
	CodeInsufficientBalance:        "insufficient_balance",
	CodeInvalidAmount:              "invalid_amount",
	CodeSubnetNotFound:             "subnet_not_found",
	CodeTooManySubnets:             "too_many_subnets",
	CodeNotSubnetOwner:             "not_subnet_owner",
	CodeUnknownHyperparameter:      "unknown_hyperparameter",
	CodeHyperparameterNotSettable:  "hyperparameter_not_settable",
	CodeHyperparameterOutOfBounds:  "hyperparameter_out_of_bounds",
	CodeRegistrationDisabled:       "registration_disabled",
	CodeTooManyRegistrationsBlock:  "too_many_registrations_block",
	CodeTooManyRegistrationsInterv: "too_many_registrations_interval",
	CodeHotkeyAlreadyRegistered:    "hotkey_already_registered",
	CodeNonAssociatedColdkey:       "non_associated_coldkey",
	CodeNoNeuronIDAvailable:        "no_neuron_id_available",
	CodeHotkeyNotRegistered:        "hotkey_not_registered",
	CodeHotkeyAccountNotExists:     "hotkey_account_not_exists",
	CodeNotEnoughStakeToWithdraw:   "not_enough_stake_to_withdraw",
	CodeNotEnoughStakeToSetWeights: "not_enough_stake_to_set_weights",
	CodeWeightVecNotEqualSize:      "weight_vec_not_equal_size",
	CodeUidsLengthExceedUidsInSub:  "uids_length_exceed_uids_in_subnet",
	CodeIncorrectWeightVersionKey:  "incorrect_weight_version_key",
	CodeSettingWeightsTooFast:      "setting_weights_too_fast",
	CodeNeuronNoValidatorPermit:    "neuron_no_validator_permit",
	CodeDuplicateUids:              "duplicate_uids",
	CodeUidVecContainInvalidOne:    "uid_vec_contain_invalid_one",
	CodeWeightVecLengthIsLow:       "weight_vec_length_is_low",
	CodeMaxWeightExceeded:          "max_weight_exceeded",
	CodeCommitRevealEnabled:        "commit_reveal_enabled",
	CodeCommitRevealDisabled:       "commit_reveal_disabled",
	CodeCommittingWeightsTooFast:   "committing_weights_too_fast",
	CodeTooManyUnrevealedCommits:   "too_many_unrevealed_commits",
	CodeNoWeightsCommitFound:       "no_weights_commit_found",
	CodeInvalidRevealCommitHash:    "invalid_reveal_commit_hash",
	CodeExpiredWeightCommit:        "expired_weight_commit",
	CodeRevealTooEarly:             "reveal_too_early",
	CodeTooManyFieldsInCommitment:  "too_many_fields_in_commitment",
	CodeInvalidCommitmentField:     "invalid_commitment_field",
	CodeSpaceLimitExceeded:         "space_limit_exceeded",
	CodeInvalidIPType:              "invalid_ip_type",
	CodeInvalidIPAddress:           "invalid_ip_address",
	CodeServingRateLimitExceeded:   "serving_rate_limit_exceeded",
	CodeInvalidPort:                "invalid_port",
	CodeUnsupportedCommitmentField: "unsupported_commitment_field",
	CodeWrongEconomics:             "wrong_economics",
	CodeAmountTooLow:               "amount_too_low",
	CodeSlippageTooHigh:            "slippage_too_high",
	CodeInsufficientLiquidity:      "insufficient_liquidity",
	CodePriceLimitExceeded:         "price_limit_exceeded",
	CodeSameNetuid:                 "same_netuid",
	CodeSwapInputTooLarge:          "swap_input_too_large",
	CodeReservesTooLow:             "reserves_too_low",
	CodeDelegateTakeTooLow:         "delegate_take_too_low",
	CodeDelegateTakeTooHigh:        "delegate_take_too_high",
	CodeDelegateTxRateLimit:        "delegate_tx_rate_limit_exceeded",
}

// CodeName returns the snake-case name of a result code ("ok",
// "bad_signature", ...), or "code_N" for a code this version does not know.
func CodeName(code uint32) string {
	if n, ok := codeNames[code]; ok {
		return n
	}
	return fmt.Sprintf("code_%d", code)
}

// txError is a rejection with its code.
type txError struct {
	code uint32
	msg  string
}

func (e *txError) Error() string { return e.msg }

func fail(code uint32, format string, args ...any) *txError {
	return &txError{code: code, msg: fmt.Sprintf(format, args...)}
}
