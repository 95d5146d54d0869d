package hub

import (
	"fmt"

	"github.com/taonet/taonet/keys"
)

// maxClaimedNamespace is the longest namespace a hotkey may claim by writing
// to it first. Longer namespaces are reserved for hotkeys themselves: they
// must be the canonical ss58 address (prefix 42, valid checksum) of the key,
// so nobody can take a lookalike of another key's address (the same key
// under prefix 0, a bad-checksum variant, a lowercased address).
// 32 is below the shortest ss58 address of a 32-byte account (47).
const maxClaimedNamespace = 32

// CheckNamespace applies the identity rules for namespaces that look like
// hotkeys: a namespace longer than 32 characters, or one that decodes as
// an ss58 address under any prefix, must be a canonical prefix-42 address.
// Errors wrap ErrForbidden.
func CheckNamespace(ns string) error {
	if keys.ValidSS58(ns) {
		if pub, _ := keys.SS58Decode(ns); keys.SS58Encode(pub) != ns {
			return fmt.Errorf("%w: namespace %s is not the canonical ss58 form of its key", ErrForbidden, ns)
		}
		return nil
	}
	if prefix, _, err := keys.SS58DecodePrefix(ns); err == nil {
		return fmt.Errorf("%w: namespace %s is an ss58 address under prefix %d; hotkey namespaces use prefix 42", ErrForbidden, ns, prefix)
	}
	if len(ns) > maxClaimedNamespace {
		return fmt.Errorf("%w: namespace %q: names over %d characters are reserved for canonical ss58 hotkey addresses", ErrForbidden, ns, maxClaimedNamespace)
	}
	return nil
}
