//go:build !unix

package safetensors

import "errors"

// mapFile is unsupported here; Open reads the file into memory instead.
func mapFile(string) ([]byte, func() error, error) {
	return nil, nil, errors.New("mmap unsupported")
}
