// Package kernels owns the language-model engine's hot loops: single-precision
// matrix multiply (pure Go with assembly fast paths, optional run-time BLAS) and
// the few vector primitives the layers share.
//
// # Matrix multiply
//
// Sgemm is a row-major BLAS-style sgemm (all four transpose combinations,
// alpha, beta, arbitrary strides). Its default path is deterministic: every
// output element is one fixed chain of float32 fused multiply-adds (see Sgemm),
// so results are bit-identical whatever the thread count (SetThreads), the
// CPU (AVX-512, AVX2+FMA, or the portable pure-Go kernel, which emulates a
// correctly rounded float32 FMA) or the architecture. Validators can therefore
// agree on losses exactly. The implementation is BLIS-style: A is packed into
// panels once per row super-block (all kc slices at once when they fit,
// shared by all workers); the output is cut into about four equal tasks per
// worker, each of which packs its own B panels slice by slice and runs an
// mr×nr register tile (14×32 with AVX-512, 6×16 with AVX2, 8×8 with arm64
// NEON, 4×8 in pure Go) over them, so a product waits at one barrier after
// packing A and one at the end. On AVX-512, transposed layouts are packed
// with 16×16 register transposes and the others with masked vector moves (a
// data move: the same bits as the pure-Go loops). The tile's FMA chains start from C, from zero when beta = 0 (C is
// neither cleared nor read) or, through SgemmBias, from a bias row (a linear
// layer's bias without writing it into C first). Products with m ≤ 4
// (generation: matrix-vector) skip packing and stream B in place. Impl reports
// which kernel this CPU uses. CGO_ENABLED=0 builds work; the build tag
// "purego" disables all assembly.
//
// UseBLAS (or TAONET_BLAS=openblas in the environment) switches Sgemm to a
// CBLAS library loaded at run time through purego (no cgo). That is faster on
// some shapes but not deterministic across machines: validators must not use it.
//
// Layout notes for callers: GPT-2 Conv1D weights [in,out] are op(B) = B;
// PyTorch Linear weights [out,in] are op(B) = Bᵀ (transB); weight gradients use
// transA. For matrix-vector products (m ≤ 4) the op(B) = B layout streams at
// memory bandwidth; Bᵀ is read in 8×8 blocks transposed in registers (AVX-512)
// or gathered (AVX2) and is about 1.5x (AVX2: 3x) slower (on arm64 it goes
// through packing), so a generation loop may prefer a transposed copy of a
// large tied LM head.
//
// # Vector primitives
//
// Dot, Sum, Max, Axpy, Scale, Add, Exp, ExpSubSum, Softmax, LogSumExp,
// GeluTanh(+Backward), SwiGLU(+Backward) and AdamW cover what a transformer
// spends time on outside matmul (attention softmax, the loss over the
// vocabulary, activations, residual adds, optimizer updates); the transcendental ones are
// 8-18x faster than the float64 math package loops. They have AVX2
// assembly and pure-Go versions with identical results: element-wise ops round
// each multiply and add (no FMA), and reductions use one documented 32-lane
// order on every path.
package kernels
