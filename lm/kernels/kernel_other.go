//go:build (!amd64 && !arm64) || purego

package kernels

// hostKernels lists the kernels this build can run: only the portable one.
func hostKernels() []*kernel { return []*kernel{&goKernel} }
