//go:build amd64 && !purego

#include "textflag.h"

// func lookupAVX2(out *[15]uint64, row *[16]baseEntry, abs, negMask uint64)
//
// out (Y+X, Y−X, 2dT: five limbs each) = entry abs (1-based) of row, the
// identity for abs = 0, negated when negMask is all ones, in constant time:
// all sixteen 160-byte entries are read, each ANDed with a mask from a
// vector compare (all ones only where the 1-based index equals abs) and
// ORed into Y0-Y4, the five 32-byte words of an entry:
// P0-3 | M0-3 | P4 M4 T4 N4 | T0-3 | N0-3 (P = Y+X, M = Y−X, T = 2dT,
// N = −2dT). Negation swaps P with M and T with N under the mask.
TEXT ·lookupAVX2(SB), NOSPLIT, $0-32
	MOVQ out+0(FP), DI
	MOVQ row+8(FP), SI
	VPBROADCASTQ abs+16(FP), Y9
	VPBROADCASTQ negMask+24(FP), Y15
	MOVQ $1, AX
	VMOVQ AX, X12         // Y12 = [1, 0, 0, 0]
	VPBROADCASTQ X12, Y10 // ones, the index step
	VMOVDQU Y10, Y11      // the 1-based index of the entry at SI
	VPXOR Y0, Y0, Y0
	VPXOR Y1, Y1, Y1
	VPXOR Y2, Y2, Y2
	VPXOR Y3, Y3, Y3
	VPXOR Y4, Y4, Y4
	MOVQ $16, CX

loop:
	VPCMPEQQ Y11, Y9, Y5
	VPAND 0(SI), Y5, Y6
	VPOR  Y6, Y0, Y0
	VPAND 32(SI), Y5, Y6
	VPOR  Y6, Y1, Y1
	VPAND 64(SI), Y5, Y6
	VPOR  Y6, Y2, Y2
	VPAND 96(SI), Y5, Y6
	VPOR  Y6, Y3, Y3
	VPAND 128(SI), Y5, Y6
	VPOR  Y6, Y4, Y4
	VPADDQ Y10, Y11, Y11
	ADDQ  $160, SI
	DECQ  CX
	JNZ   loop

	// abs = 0: the identity, P0 = M0 = 1 (everything else is zero).
	VPXOR    Y13, Y13, Y13
	VPCMPEQQ Y13, Y9, Y13
	VPAND    Y12, Y13, Y13
	VPOR     Y13, Y0, Y0
	VPOR     Y13, Y1, Y1

	// Negation: swap Y0/Y1 (P0-3/M0-3), the pairs in Y2 (P4/M4, T4/N4)
	// and Y3/Y4 (T0-3/N0-3; only T is kept), each as x ^= (x ^ y) & mask.
	VPXOR   Y0, Y1, Y6
	VPAND   Y15, Y6, Y6
	VPXOR   Y6, Y0, Y0
	VPXOR   Y6, Y1, Y1
	VPSHUFD $0x4E, Y2, Y6
	VPXOR   Y2, Y6, Y6
	VPAND   Y15, Y6, Y6
	VPXOR   Y6, Y2, Y2
	VPXOR   Y3, Y4, Y6
	VPAND   Y15, Y6, Y6
	VPXOR   Y6, Y3, Y3

	// Store as Y+X (P0-4), Y−X (M0-4), 2dT (T0-4).
	VMOVDQU Y0, 0(DI)
	VMOVQ   X2, 32(DI)
	VMOVDQU Y1, 40(DI)
	VPEXTRQ $1, X2, 72(DI)
	VMOVDQU Y3, 80(DI)
	VEXTRACTI128 $1, Y2, X6
	VMOVQ   X6, 112(DI)
	VZEROUPPER
	RET
