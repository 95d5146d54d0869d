//go:build !linux

package keys

import "testing"

// testTooLongMessage needs a 4 GiB address-space reservation (mmap); on
// other systems the length check is covered on Linux CI.
func testTooLongMessage(*testing.T, *Keypair) {}
