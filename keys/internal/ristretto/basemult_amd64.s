//go:build amd64 && !purego

#include "textflag.h"

// func selectRowAVX2(out *baseEntry, row *[16]baseEntry, masks *[16]uint64)
//
// out = OR over j of row[j] AND broadcast(masks[j]): all sixteen 128-byte
// entries are read, whatever the masks (constant time). Y0-Y3 accumulate
// the four 32-byte words of an entry.
TEXT ·selectRowAVX2(SB), NOSPLIT, $0-24
	MOVQ out+0(FP), DI
	MOVQ row+8(FP), SI
	MOVQ masks+16(FP), DX
	VPXOR Y0, Y0, Y0
	VPXOR Y1, Y1, Y1
	VPXOR Y2, Y2, Y2
	VPXOR Y3, Y3, Y3
	MOVQ $16, CX

loop:
	VPBROADCASTQ (DX), Y4
	VPAND 0(SI), Y4, Y5
	VPOR  Y5, Y0, Y0
	VPAND 32(SI), Y4, Y6
	VPOR  Y6, Y1, Y1
	VPAND 64(SI), Y4, Y7
	VPOR  Y7, Y2, Y2
	VPAND 96(SI), Y4, Y8
	VPOR  Y8, Y3, Y3
	ADDQ  $128, SI
	ADDQ  $8, DX
	DECQ  CX
	JNZ   loop

	VMOVDQU Y0, 0(DI)
	VMOVDQU Y1, 32(DI)
	VMOVDQU Y2, 64(DI)
	VMOVDQU Y3, 96(DI)
	VZEROUPPER
	RET
