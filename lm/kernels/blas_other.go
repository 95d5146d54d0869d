//go:build !((linux || darwin || freebsd || netbsd) && (amd64 || arm64))

package kernels

import (
	"fmt"
	"runtime"
)

func loadBLAS(path string) (*blasLib, error) {
	return nil, fmt.Errorf("kernels: load BLAS %q: not supported on %s/%s", path, runtime.GOOS, runtime.GOARCH)
}
