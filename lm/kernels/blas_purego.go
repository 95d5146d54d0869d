//go:build (linux || darwin || freebsd || netbsd) && (amd64 || arm64)

package kernels

import (
	"fmt"

	"github.com/ebitengine/purego"
)

// loadBLAS dlopens a CBLAS library through purego, which works in binaries
// built with CGO_ENABLED=0.
func loadBLAS(path string) (*blasLib, error) {
	h, err := purego.Dlopen(path, purego.RTLD_NOW|purego.RTLD_LOCAL)
	if err != nil {
		return nil, fmt.Errorf("kernels: load BLAS %q: %w", path, err)
	}
	lib := &blasLib{path: path}
	if _, err := purego.Dlsym(h, "cblas_sgemm"); err != nil {
		purego.Dlclose(h)
		return nil, fmt.Errorf("kernels: BLAS %q has no cblas_sgemm: %w", path, err)
	}
	purego.RegisterLibFunc(&lib.gemm, h, "cblas_sgemm")
	if _, err := purego.Dlsym(h, "openblas_set_num_threads"); err == nil {
		purego.RegisterLibFunc(&lib.setNum, h, "openblas_set_num_threads")
	}
	return lib, nil
}
