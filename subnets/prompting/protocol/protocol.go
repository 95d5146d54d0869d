package protocol

import (
	"errors"
	"fmt"
	"unicode/utf8"
)

// Roles a message may carry (upstream uses "user" and "assistant"; "system"
// is accepted for miners that prepend their own system prompt).
const (
	RoleUser      = "user"
	RoleAssistant = "assistant"
	RoleSystem    = "system"
)

// Limits of a request a miner accepts (a validator's challenge is a few KiB;
// debugging challenges carry a code snippet of at most ~100 lines).
const (
	MaxMessages     = 16
	MaxMessageBytes = 64 << 10
)

// StreamPrompting is upstream's StreamPromptingSynapse (v2.0+): the
// conversation so far as parallel role/message lists, answered by a streamed
// completion. Messages is the only hash field (required_hash_fields =
// ["messages"]), so a tampered conversation fails the axon's body-hash check.
type StreamPrompting struct {
	Roles      []string `json:"roles" synapse:"required"`
	Messages   []string `json:"messages" synapse:"required,hash"`
	Completion string   `json:"completion"`
}

// SynapseName implements synapse.Namer: the Python class name.
func (StreamPrompting) SynapseName() string { return "StreamPromptingSynapse" }

// ReceiveChunk implements synapse.ChunkReceiver: like the v2.4+ Python
// client, each raw chunk is appended to the completion as it arrives.
func (s *StreamPrompting) ReceiveChunk(chunk []byte) { s.Completion += string(chunk) }

// NewChallenge is the single-turn synapse a validator sends: one user message.
func NewChallenge(challenge string) *StreamPrompting {
	return &StreamPrompting{Roles: []string{RoleUser}, Messages: []string{challenge}}
}

// Validate checks a received request: parallel non-empty lists within the
// limits, known roles, valid UTF-8, and a final user turn to answer.
func (s *StreamPrompting) Validate() error {
	if len(s.Messages) == 0 {
		return errors.New("protocol: no messages")
	}
	if len(s.Roles) != len(s.Messages) {
		return fmt.Errorf("protocol: %d roles for %d messages", len(s.Roles), len(s.Messages))
	}
	if len(s.Messages) > MaxMessages {
		return fmt.Errorf("protocol: %d messages (max %d)", len(s.Messages), MaxMessages)
	}
	for i, m := range s.Messages {
		switch s.Roles[i] {
		case RoleUser, RoleAssistant, RoleSystem:
		default:
			return fmt.Errorf("protocol: message %d: unknown role %q", i, truncate(s.Roles[i], 32))
		}
		if len(m) > MaxMessageBytes {
			return fmt.Errorf("protocol: message %d is %d bytes (max %d)", i, len(m), MaxMessageBytes)
		}
		if !utf8.ValidString(m) {
			return fmt.Errorf("protocol: message %d is not valid UTF-8", i)
		}
	}
	if s.Roles[len(s.Roles)-1] != RoleUser {
		return errors.New("protocol: the last message must be the user's")
	}
	return nil
}

// LastUser returns the last user message (the question to answer).
func (s *StreamPrompting) LastUser() string {
	for i := len(s.Messages) - 1; i >= 0; i-- {
		if i < len(s.Roles) && s.Roles[i] == RoleUser {
			return s.Messages[i]
		}
	}
	return ""
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
