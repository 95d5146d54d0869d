package safetensors

import (
	"fmt"
	"os"
)

// Open reads and validates a safetensors file, memory-mapping it where the OS
// supports that and reading it into memory otherwise. Call Close when done,
// after all readers have finished. As with any mapping, the file must not be
// truncated while open (WriteFile replaces files by rename, which is safe).
func Open(path string) (*File, error) {
	buf, release, err := mapFile(path)
	if err != nil {
		// Fall back to an ordinary read (e.g. filesystems without mmap).
		buf, err = os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("safetensors: %w", err)
		}
		release = nil
	}
	f, err := Parse(buf)
	if err != nil {
		if release != nil {
			release()
		}
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	f.release = release
	return f, nil
}
