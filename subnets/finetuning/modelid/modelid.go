package modelid

import (
	"encoding/base64"
	"fmt"
	"strings"

	"github.com/taonet/taonet/hub"
)

// Limits from upstream (finetuning spec §1.2, §1.4 and the Appendix).
const (
	// MaxCommitmentBytes is the chain metadata limit (Raw128).
	MaxCommitmentBytes = 128
	// MaxRepoIDLength bounds "namespace/name": 128 − 40 (revision) − 44
	// (hash) − 2 (competition id) − 4 (separators).
	MaxRepoIDLength = 38
	// MinRepoIDLength is upstream's strict lower bound (3 < len).
	MinRepoIDLength = 4
	// RevisionLength is a git-style commit sha in hex.
	RevisionLength = 40
	// HashLength is a padded standard base64 sha256 digest.
	HashLength = 44
	// MaxCompetitionIDLength is upstream Nous' 1–2 character ids.
	MaxCompetitionIDLength = 2
)

// Commitment is a parsed model commitment.
type Commitment struct {
	Namespace     string // hub namespace
	Name          string // repository name
	Revision      string // 40 lowercase hex: the immutable hub revision
	Hash          string // secure hash S (44-char padded std base64 of 32 bytes)
	CompetitionID string // 1–2 characters of [a-z0-9]
}

// RepoID is "namespace/name".
func (c Commitment) RepoID() string { return c.Namespace + "/" + c.Name }

// String is the on-chain form "namespace:name:revision:hash:competition_id".
func (c Commitment) String() string {
	return c.Namespace + ":" + c.Name + ":" + c.Revision + ":" + c.Hash + ":" + c.CompetitionID
}

// Validate checks every field and the total size.
func (c Commitment) Validate() error {
	if err := ValidateRepoID(c.Namespace, c.Name); err != nil {
		return err
	}
	if !hub.ValidRevisionID(c.Revision) {
		return fmt.Errorf("revision %q: want %d lowercase hex characters", clip(c.Revision), RevisionLength)
	}
	if err := ValidateHash(c.Hash); err != nil {
		return err
	}
	if err := ValidateCompetitionID(c.CompetitionID); err != nil {
		return err
	}
	if n := len(c.String()); n > MaxCommitmentBytes {
		return fmt.Errorf("commitment is %d bytes, limit %d", n, MaxCommitmentBytes)
	}
	return nil
}

// ValidateRepoID checks namespace and name (hub naming rules) and upstream's
// repo id length bound 3 < len("namespace/name") <= 38.
func ValidateRepoID(namespace, name string) error {
	repo := namespace + "/" + name
	if n := len(repo); n < MinRepoIDLength || n > MaxRepoIDLength {
		return fmt.Errorf("repo id %q is %d characters, want %d..%d", clip(repo), n, MinRepoIDLength, MaxRepoIDLength)
	}
	if _, _, err := hub.ParseRepoID(repo); err != nil {
		return err
	}
	return nil
}

// ValidateHash checks a secure hash: exactly 44 characters of canonical
// padded standard base64 encoding 32 bytes.
func ValidateHash(h string) error {
	if len(h) != HashLength {
		return fmt.Errorf("hash %q is %d characters, want %d (base64 sha256)", clip(h), len(h), HashLength)
	}
	b, err := base64.StdEncoding.Strict().DecodeString(h)
	if err != nil || len(b) != 32 {
		return fmt.Errorf("hash %q is not padded standard base64 of 32 bytes", h)
	}
	return nil
}

// ValidateCompetitionID checks a competition id: 1–2 characters of [a-z0-9].
func ValidateCompetitionID(id string) error {
	if id == "" || len(id) > MaxCompetitionIDLength {
		return fmt.Errorf("competition id %q: want 1..%d characters", clip(id), MaxCompetitionIDLength)
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
			return fmt.Errorf("competition id %q: character %q not in [a-z0-9]", id, c)
		}
	}
	return nil
}

// Parse parses and validates an on-chain commitment string. It rejects
// oversize input before splitting, the 4-field legacy form (no competition
// id; upstream maps it to a retired competition), and any malformed field,
// with the reason.
func Parse(s string) (Commitment, error) {
	if len(s) > MaxCommitmentBytes {
		return Commitment{}, fmt.Errorf("commitment is %d bytes, limit %d", len(s), MaxCommitmentBytes)
	}
	if s == "" {
		return Commitment{}, fmt.Errorf("empty commitment")
	}
	parts := strings.Split(s, ":")
	switch {
	case len(parts) == 4:
		return Commitment{}, fmt.Errorf("legacy 4-field commitment without a competition id is not accepted")
	case len(parts) != 5:
		return Commitment{}, fmt.Errorf("commitment has %d ':'-separated fields, want 5 (namespace:name:revision:hash:competition_id)", len(parts))
	}
	c := Commitment{Namespace: parts[0], Name: parts[1], Revision: parts[2], Hash: parts[3], CompetitionID: parts[4]}
	if err := c.Validate(); err != nil {
		return Commitment{}, err
	}
	return c, nil
}

// New builds a commitment for a model directory hash h uploaded by hotkey:
// the hash field is hub.SecureHash(h, hotkey). The result is validated.
func New(namespace, name, revision, dirHash, hotkey, competitionID string) (Commitment, error) {
	c := Commitment{Namespace: namespace, Name: name, Revision: revision,
		Hash: hub.SecureHash(dirHash, hotkey), CompetitionID: competitionID}
	return c, c.Validate()
}

// clip shortens s for error messages so hostile input cannot flood logs.
func clip(s string) string {
	if len(s) > 64 {
		return s[:64] + "…"
	}
	return s
}
