// Package kernels owns the language-model engine's hot loops: single-precision
// matrix multiply (pure Go with assembly fast paths, optional run-time BLAS) and
// the few vector primitives the layers share.
package kernels
