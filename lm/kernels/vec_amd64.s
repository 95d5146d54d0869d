//go:build amd64 && !purego

#include "textflag.h"

// Vector primitives (AVX2, no FMA): each operation is rounded separately so
// results equal the pure-Go definitions in vec.go bit for bit.

DATA exphi<>+0(SB)/4, $0x42b17218
DATA exphi<>+4(SB)/4, $0x42b17218
DATA exphi<>+8(SB)/4, $0x42b17218
DATA exphi<>+12(SB)/4, $0x42b17218
DATA exphi<>+16(SB)/4, $0x42b17218
DATA exphi<>+20(SB)/4, $0x42b17218
DATA exphi<>+24(SB)/4, $0x42b17218
DATA exphi<>+28(SB)/4, $0x42b17218
GLOBL exphi<>(SB), RODATA|NOPTR, $32

DATA explo<>+0(SB)/4, $0xc2adcccd
DATA explo<>+4(SB)/4, $0xc2adcccd
DATA explo<>+8(SB)/4, $0xc2adcccd
DATA explo<>+12(SB)/4, $0xc2adcccd
DATA explo<>+16(SB)/4, $0xc2adcccd
DATA explo<>+20(SB)/4, $0xc2adcccd
DATA explo<>+24(SB)/4, $0xc2adcccd
DATA explo<>+28(SB)/4, $0xc2adcccd
GLOBL explo<>(SB), RODATA|NOPTR, $32

DATA explog2e<>+0(SB)/4, $0x3fb8aa3b
DATA explog2e<>+4(SB)/4, $0x3fb8aa3b
DATA explog2e<>+8(SB)/4, $0x3fb8aa3b
DATA explog2e<>+12(SB)/4, $0x3fb8aa3b
DATA explog2e<>+16(SB)/4, $0x3fb8aa3b
DATA explog2e<>+20(SB)/4, $0x3fb8aa3b
DATA explog2e<>+24(SB)/4, $0x3fb8aa3b
DATA explog2e<>+28(SB)/4, $0x3fb8aa3b
GLOBL explog2e<>(SB), RODATA|NOPTR, $32

DATA expc1<>+0(SB)/4, $0x3f318000
DATA expc1<>+4(SB)/4, $0x3f318000
DATA expc1<>+8(SB)/4, $0x3f318000
DATA expc1<>+12(SB)/4, $0x3f318000
DATA expc1<>+16(SB)/4, $0x3f318000
DATA expc1<>+20(SB)/4, $0x3f318000
DATA expc1<>+24(SB)/4, $0x3f318000
DATA expc1<>+28(SB)/4, $0x3f318000
GLOBL expc1<>(SB), RODATA|NOPTR, $32

DATA expc2<>+0(SB)/4, $0xb95e8083
DATA expc2<>+4(SB)/4, $0xb95e8083
DATA expc2<>+8(SB)/4, $0xb95e8083
DATA expc2<>+12(SB)/4, $0xb95e8083
DATA expc2<>+16(SB)/4, $0xb95e8083
DATA expc2<>+20(SB)/4, $0xb95e8083
DATA expc2<>+24(SB)/4, $0xb95e8083
DATA expc2<>+28(SB)/4, $0xb95e8083
GLOBL expc2<>(SB), RODATA|NOPTR, $32

DATA expp0<>+0(SB)/4, $0x39506967
DATA expp0<>+4(SB)/4, $0x39506967
DATA expp0<>+8(SB)/4, $0x39506967
DATA expp0<>+12(SB)/4, $0x39506967
DATA expp0<>+16(SB)/4, $0x39506967
DATA expp0<>+20(SB)/4, $0x39506967
DATA expp0<>+24(SB)/4, $0x39506967
DATA expp0<>+28(SB)/4, $0x39506967
GLOBL expp0<>(SB), RODATA|NOPTR, $32

DATA expp1<>+0(SB)/4, $0x3ab743ce
DATA expp1<>+4(SB)/4, $0x3ab743ce
DATA expp1<>+8(SB)/4, $0x3ab743ce
DATA expp1<>+12(SB)/4, $0x3ab743ce
DATA expp1<>+16(SB)/4, $0x3ab743ce
DATA expp1<>+20(SB)/4, $0x3ab743ce
DATA expp1<>+24(SB)/4, $0x3ab743ce
DATA expp1<>+28(SB)/4, $0x3ab743ce
GLOBL expp1<>(SB), RODATA|NOPTR, $32

DATA expp2<>+0(SB)/4, $0x3c088908
DATA expp2<>+4(SB)/4, $0x3c088908
DATA expp2<>+8(SB)/4, $0x3c088908
DATA expp2<>+12(SB)/4, $0x3c088908
DATA expp2<>+16(SB)/4, $0x3c088908
DATA expp2<>+20(SB)/4, $0x3c088908
DATA expp2<>+24(SB)/4, $0x3c088908
DATA expp2<>+28(SB)/4, $0x3c088908
GLOBL expp2<>(SB), RODATA|NOPTR, $32

DATA expp3<>+0(SB)/4, $0x3d2aa9c1
DATA expp3<>+4(SB)/4, $0x3d2aa9c1
DATA expp3<>+8(SB)/4, $0x3d2aa9c1
DATA expp3<>+12(SB)/4, $0x3d2aa9c1
DATA expp3<>+16(SB)/4, $0x3d2aa9c1
DATA expp3<>+20(SB)/4, $0x3d2aa9c1
DATA expp3<>+24(SB)/4, $0x3d2aa9c1
DATA expp3<>+28(SB)/4, $0x3d2aa9c1
GLOBL expp3<>(SB), RODATA|NOPTR, $32

DATA expp4<>+0(SB)/4, $0x3e2aaaaa
DATA expp4<>+4(SB)/4, $0x3e2aaaaa
DATA expp4<>+8(SB)/4, $0x3e2aaaaa
DATA expp4<>+12(SB)/4, $0x3e2aaaaa
DATA expp4<>+16(SB)/4, $0x3e2aaaaa
DATA expp4<>+20(SB)/4, $0x3e2aaaaa
DATA expp4<>+24(SB)/4, $0x3e2aaaaa
DATA expp4<>+28(SB)/4, $0x3e2aaaaa
GLOBL expp4<>(SB), RODATA|NOPTR, $32

DATA expp5<>+0(SB)/4, $0x3f000000
DATA expp5<>+4(SB)/4, $0x3f000000
DATA expp5<>+8(SB)/4, $0x3f000000
DATA expp5<>+12(SB)/4, $0x3f000000
DATA expp5<>+16(SB)/4, $0x3f000000
DATA expp5<>+20(SB)/4, $0x3f000000
DATA expp5<>+24(SB)/4, $0x3f000000
DATA expp5<>+28(SB)/4, $0x3f000000
GLOBL expp5<>(SB), RODATA|NOPTR, $32

DATA expone<>+0(SB)/4, $0x3f800000
DATA expone<>+4(SB)/4, $0x3f800000
DATA expone<>+8(SB)/4, $0x3f800000
DATA expone<>+12(SB)/4, $0x3f800000
DATA expone<>+16(SB)/4, $0x3f800000
DATA expone<>+20(SB)/4, $0x3f800000
DATA expone<>+24(SB)/4, $0x3f800000
DATA expone<>+28(SB)/4, $0x3f800000
GLOBL expone<>(SB), RODATA|NOPTR, $32

DATA expinf<>+0(SB)/4, $0x7f800000
DATA expinf<>+4(SB)/4, $0x7f800000
DATA expinf<>+8(SB)/4, $0x7f800000
DATA expinf<>+12(SB)/4, $0x7f800000
DATA expinf<>+16(SB)/4, $0x7f800000
DATA expinf<>+20(SB)/4, $0x7f800000
DATA expinf<>+24(SB)/4, $0x7f800000
DATA expinf<>+28(SB)/4, $0x7f800000
GLOBL expinf<>(SB), RODATA|NOPTR, $32

DATA expi126<>+0(SB)/4, $0x7e
DATA expi126<>+4(SB)/4, $0x7e
DATA expi126<>+8(SB)/4, $0x7e
DATA expi126<>+12(SB)/4, $0x7e
DATA expi126<>+16(SB)/4, $0x7e
DATA expi126<>+20(SB)/4, $0x7e
DATA expi126<>+24(SB)/4, $0x7e
DATA expi126<>+28(SB)/4, $0x7e
GLOBL expi126<>(SB), RODATA|NOPTR, $32

// func dotLanesAVX2(acc *[32]float32, x, y *float32, n int)
TEXT ·dotLanesAVX2(SB), NOSPLIT, $0-32
	MOVQ acc+0(FP), AX
	MOVQ x+8(FP), SI
	MOVQ y+16(FP), DI
	MOVQ n+24(FP), CX
	VMOVUPS 0(AX), Y12
	VMOVUPS 32(AX), Y13
	VMOVUPS 64(AX), Y14
	VMOVUPS 96(AX), Y15
dotloop:
	VMOVUPS 0(SI), Y0
	VMULPS 0(DI), Y0, Y0
	VADDPS Y0, Y12, Y12
	VMOVUPS 32(SI), Y1
	VMULPS 32(DI), Y1, Y1
	VADDPS Y1, Y13, Y13
	VMOVUPS 64(SI), Y2
	VMULPS 64(DI), Y2, Y2
	VADDPS Y2, Y14, Y14
	VMOVUPS 96(SI), Y3
	VMULPS 96(DI), Y3, Y3
	VADDPS Y3, Y15, Y15
	ADDQ $128, SI
	ADDQ $128, DI
	SUBQ $32, CX
	JNZ dotloop
	VMOVUPS Y12, 0(AX)
	VMOVUPS Y13, 32(AX)
	VMOVUPS Y14, 64(AX)
	VMOVUPS Y15, 96(AX)
	VZEROUPPER
	RET

// func sumLanesAVX2(acc *[32]float32, x *float32, n int)
TEXT ·sumLanesAVX2(SB), NOSPLIT, $0-24
	MOVQ acc+0(FP), AX
	MOVQ x+8(FP), SI
	MOVQ n+16(FP), CX
	VMOVUPS 0(AX), Y12
	VMOVUPS 32(AX), Y13
	VMOVUPS 64(AX), Y14
	VMOVUPS 96(AX), Y15
sumloop:
	VADDPS 0(SI), Y12, Y12
	VADDPS 32(SI), Y13, Y13
	VADDPS 64(SI), Y14, Y14
	VADDPS 96(SI), Y15, Y15
	ADDQ $128, SI
	SUBQ $32, CX
	JNZ sumloop
	VMOVUPS Y12, 0(AX)
	VMOVUPS Y13, 32(AX)
	VMOVUPS Y14, 64(AX)
	VMOVUPS Y15, 96(AX)
	VZEROUPPER
	RET

// func maxLanesAVX2(acc *[32]float32, x *float32, n int)
TEXT ·maxLanesAVX2(SB), NOSPLIT, $0-24
	MOVQ acc+0(FP), AX
	MOVQ x+8(FP), SI
	MOVQ n+16(FP), CX
	VMOVUPS 0(AX), Y12
	VMOVUPS 32(AX), Y13
	VMOVUPS 64(AX), Y14
	VMOVUPS 96(AX), Y15
maxloop:
	VMAXPS 0(SI), Y12, Y12
	VMAXPS 32(SI), Y13, Y13
	VMAXPS 64(SI), Y14, Y14
	VMAXPS 96(SI), Y15, Y15
	ADDQ $128, SI
	SUBQ $32, CX
	JNZ maxloop
	VMOVUPS Y12, 0(AX)
	VMOVUPS Y13, 32(AX)
	VMOVUPS Y14, 64(AX)
	VMOVUPS Y15, 96(AX)
	VZEROUPPER
	RET

// func expSubSumLanesAVX2(acc *[32]float32, dst, x *float32, n int, m float32)
// dst may be nil (sum only).
TEXT ·expSubSumLanesAVX2(SB), NOSPLIT, $0-36
	MOVQ acc+0(FP), AX
	MOVQ dst+8(FP), DI
	MOVQ x+16(FP), SI
	MOVQ n+24(FP), CX
	VBROADCASTSS m+32(FP), Y11
	VMOVUPS 0(AX), Y12
	VMOVUPS 32(AX), Y13
	VMOVUPS 64(AX), Y14
	VMOVUPS 96(AX), Y15
esloop:
	VMOVUPS 0(SI), Y0
	VSUBPS Y11, Y0, Y0
	VMAXPS explo<>(SB), Y0, Y2
	VMINPS exphi<>(SB), Y2, Y2
	VMULPS explog2e<>(SB), Y2, Y1
	VROUNDPS $0, Y1, Y1
	VMULPS expc1<>(SB), Y1, Y3
	VSUBPS Y3, Y2, Y2
	VMULPS expc2<>(SB), Y1, Y3
	VSUBPS Y3, Y2, Y2
	VMULPS Y2, Y2, Y3
	VMULPS expp0<>(SB), Y2, Y4
	VADDPS expp1<>(SB), Y4, Y4
	VMULPS Y2, Y4, Y4
	VADDPS expp2<>(SB), Y4, Y4
	VMULPS Y2, Y4, Y4
	VADDPS expp3<>(SB), Y4, Y4
	VMULPS Y2, Y4, Y4
	VADDPS expp4<>(SB), Y4, Y4
	VMULPS Y2, Y4, Y4
	VADDPS expp5<>(SB), Y4, Y4
	VMULPS Y3, Y4, Y4
	VADDPS Y2, Y4, Y4
	VADDPS expone<>(SB), Y4, Y4
	VADDPS Y4, Y4, Y4
	VCVTPS2DQ Y1, Y1
	VPADDD expi126<>(SB), Y1, Y1
	VPSLLD $23, Y1, Y1
	VMULPS Y1, Y4, Y4
	VCMPPS $0x1e, exphi<>(SB), Y0, Y3
	VBLENDVPS Y3, expinf<>(SB), Y4, Y4
	VCMPPS $0x11, explo<>(SB), Y0, Y3
	VANDNPS Y4, Y3, Y4
	VCMPPS $3, Y0, Y0, Y3
	VBLENDVPS Y3, Y0, Y4, Y4
	VADDPS Y4, Y12, Y12
	TESTQ DI, DI
	JZ esnostore0
	VMOVUPS Y4, 0(DI)
esnostore0:
	VMOVUPS 32(SI), Y0
	VSUBPS Y11, Y0, Y0
	VMAXPS explo<>(SB), Y0, Y2
	VMINPS exphi<>(SB), Y2, Y2
	VMULPS explog2e<>(SB), Y2, Y1
	VROUNDPS $0, Y1, Y1
	VMULPS expc1<>(SB), Y1, Y3
	VSUBPS Y3, Y2, Y2
	VMULPS expc2<>(SB), Y1, Y3
	VSUBPS Y3, Y2, Y2
	VMULPS Y2, Y2, Y3
	VMULPS expp0<>(SB), Y2, Y4
	VADDPS expp1<>(SB), Y4, Y4
	VMULPS Y2, Y4, Y4
	VADDPS expp2<>(SB), Y4, Y4
	VMULPS Y2, Y4, Y4
	VADDPS expp3<>(SB), Y4, Y4
	VMULPS Y2, Y4, Y4
	VADDPS expp4<>(SB), Y4, Y4
	VMULPS Y2, Y4, Y4
	VADDPS expp5<>(SB), Y4, Y4
	VMULPS Y3, Y4, Y4
	VADDPS Y2, Y4, Y4
	VADDPS expone<>(SB), Y4, Y4
	VADDPS Y4, Y4, Y4
	VCVTPS2DQ Y1, Y1
	VPADDD expi126<>(SB), Y1, Y1
	VPSLLD $23, Y1, Y1
	VMULPS Y1, Y4, Y4
	VCMPPS $0x1e, exphi<>(SB), Y0, Y3
	VBLENDVPS Y3, expinf<>(SB), Y4, Y4
	VCMPPS $0x11, explo<>(SB), Y0, Y3
	VANDNPS Y4, Y3, Y4
	VCMPPS $3, Y0, Y0, Y3
	VBLENDVPS Y3, Y0, Y4, Y4
	VADDPS Y4, Y13, Y13
	TESTQ DI, DI
	JZ esnostore1
	VMOVUPS Y4, 32(DI)
esnostore1:
	VMOVUPS 64(SI), Y0
	VSUBPS Y11, Y0, Y0
	VMAXPS explo<>(SB), Y0, Y2
	VMINPS exphi<>(SB), Y2, Y2
	VMULPS explog2e<>(SB), Y2, Y1
	VROUNDPS $0, Y1, Y1
	VMULPS expc1<>(SB), Y1, Y3
	VSUBPS Y3, Y2, Y2
	VMULPS expc2<>(SB), Y1, Y3
	VSUBPS Y3, Y2, Y2
	VMULPS Y2, Y2, Y3
	VMULPS expp0<>(SB), Y2, Y4
	VADDPS expp1<>(SB), Y4, Y4
	VMULPS Y2, Y4, Y4
	VADDPS expp2<>(SB), Y4, Y4
	VMULPS Y2, Y4, Y4
	VADDPS expp3<>(SB), Y4, Y4
	VMULPS Y2, Y4, Y4
	VADDPS expp4<>(SB), Y4, Y4
	VMULPS Y2, Y4, Y4
	VADDPS expp5<>(SB), Y4, Y4
	VMULPS Y3, Y4, Y4
	VADDPS Y2, Y4, Y4
	VADDPS expone<>(SB), Y4, Y4
	VADDPS Y4, Y4, Y4
	VCVTPS2DQ Y1, Y1
	VPADDD expi126<>(SB), Y1, Y1
	VPSLLD $23, Y1, Y1
	VMULPS Y1, Y4, Y4
	VCMPPS $0x1e, exphi<>(SB), Y0, Y3
	VBLENDVPS Y3, expinf<>(SB), Y4, Y4
	VCMPPS $0x11, explo<>(SB), Y0, Y3
	VANDNPS Y4, Y3, Y4
	VCMPPS $3, Y0, Y0, Y3
	VBLENDVPS Y3, Y0, Y4, Y4
	VADDPS Y4, Y14, Y14
	TESTQ DI, DI
	JZ esnostore2
	VMOVUPS Y4, 64(DI)
esnostore2:
	VMOVUPS 96(SI), Y0
	VSUBPS Y11, Y0, Y0
	VMAXPS explo<>(SB), Y0, Y2
	VMINPS exphi<>(SB), Y2, Y2
	VMULPS explog2e<>(SB), Y2, Y1
	VROUNDPS $0, Y1, Y1
	VMULPS expc1<>(SB), Y1, Y3
	VSUBPS Y3, Y2, Y2
	VMULPS expc2<>(SB), Y1, Y3
	VSUBPS Y3, Y2, Y2
	VMULPS Y2, Y2, Y3
	VMULPS expp0<>(SB), Y2, Y4
	VADDPS expp1<>(SB), Y4, Y4
	VMULPS Y2, Y4, Y4
	VADDPS expp2<>(SB), Y4, Y4
	VMULPS Y2, Y4, Y4
	VADDPS expp3<>(SB), Y4, Y4
	VMULPS Y2, Y4, Y4
	VADDPS expp4<>(SB), Y4, Y4
	VMULPS Y2, Y4, Y4
	VADDPS expp5<>(SB), Y4, Y4
	VMULPS Y3, Y4, Y4
	VADDPS Y2, Y4, Y4
	VADDPS expone<>(SB), Y4, Y4
	VADDPS Y4, Y4, Y4
	VCVTPS2DQ Y1, Y1
	VPADDD expi126<>(SB), Y1, Y1
	VPSLLD $23, Y1, Y1
	VMULPS Y1, Y4, Y4
	VCMPPS $0x1e, exphi<>(SB), Y0, Y3
	VBLENDVPS Y3, expinf<>(SB), Y4, Y4
	VCMPPS $0x11, explo<>(SB), Y0, Y3
	VANDNPS Y4, Y3, Y4
	VCMPPS $3, Y0, Y0, Y3
	VBLENDVPS Y3, Y0, Y4, Y4
	VADDPS Y4, Y15, Y15
	TESTQ DI, DI
	JZ esnostore3
	VMOVUPS Y4, 96(DI)
esnostore3:
	ADDQ $128, SI
	TESTQ DI, DI
	JZ esnext
	ADDQ $128, DI
esnext:
	SUBQ $32, CX
	JNZ esloop
	VMOVUPS Y12, 0(AX)
	VMOVUPS Y13, 32(AX)
	VMOVUPS Y14, 64(AX)
	VMOVUPS Y15, 96(AX)
	VZEROUPPER
	RET

// func expAVX2(dst, x *float32, n int)
TEXT ·expAVX2(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ n+16(FP), CX
exploop:
	VMOVUPS (SI), Y0
	VMAXPS explo<>(SB), Y0, Y2
	VMINPS exphi<>(SB), Y2, Y2
	VMULPS explog2e<>(SB), Y2, Y1
	VROUNDPS $0, Y1, Y1
	VMULPS expc1<>(SB), Y1, Y3
	VSUBPS Y3, Y2, Y2
	VMULPS expc2<>(SB), Y1, Y3
	VSUBPS Y3, Y2, Y2
	VMULPS Y2, Y2, Y3
	VMULPS expp0<>(SB), Y2, Y4
	VADDPS expp1<>(SB), Y4, Y4
	VMULPS Y2, Y4, Y4
	VADDPS expp2<>(SB), Y4, Y4
	VMULPS Y2, Y4, Y4
	VADDPS expp3<>(SB), Y4, Y4
	VMULPS Y2, Y4, Y4
	VADDPS expp4<>(SB), Y4, Y4
	VMULPS Y2, Y4, Y4
	VADDPS expp5<>(SB), Y4, Y4
	VMULPS Y3, Y4, Y4
	VADDPS Y2, Y4, Y4
	VADDPS expone<>(SB), Y4, Y4
	VADDPS Y4, Y4, Y4
	VCVTPS2DQ Y1, Y1
	VPADDD expi126<>(SB), Y1, Y1
	VPSLLD $23, Y1, Y1
	VMULPS Y1, Y4, Y4
	VCMPPS $0x1e, exphi<>(SB), Y0, Y3
	VBLENDVPS Y3, expinf<>(SB), Y4, Y4
	VCMPPS $0x11, explo<>(SB), Y0, Y3
	VANDNPS Y4, Y3, Y4
	VCMPPS $3, Y0, Y0, Y3
	VBLENDVPS Y3, Y0, Y4, Y4
	VMOVUPS Y4, (DI)
	ADDQ $32, SI
	ADDQ $32, DI
	SUBQ $8, CX
	JNZ exploop
	VZEROUPPER
	RET

// func axpyAVX2(alpha float32, x, y *float32, n int)
TEXT ·axpyAVX2(SB), NOSPLIT, $0-32
	VBROADCASTSS alpha+0(FP), Y15
	MOVQ x+8(FP), SI
	MOVQ y+16(FP), DI
	MOVQ n+24(FP), CX
axpyloop:
	VMULPS (SI), Y15, Y0
	VADDPS (DI), Y0, Y0
	VMOVUPS Y0, (DI)
	ADDQ $32, SI
	ADDQ $32, DI
	SUBQ $8, CX
	JNZ axpyloop
	VZEROUPPER
	RET

// func scaleAVX2(alpha float32, x *float32, n int)
TEXT ·scaleAVX2(SB), NOSPLIT, $0-24
	VBROADCASTSS alpha+0(FP), Y15
	MOVQ x+8(FP), SI
	MOVQ n+16(FP), CX
scaleloop:
	VMULPS (SI), Y15, Y0
	VMOVUPS Y0, (SI)
	ADDQ $32, SI
	SUBQ $8, CX
	JNZ scaleloop
	VZEROUPPER
	RET

// func addAVX2(dst, x, y *float32, n int)
TEXT ·addAVX2(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ y+16(FP), DX
	MOVQ n+24(FP), CX
addloop:
	VMOVUPS (SI), Y0
	VADDPS (DX), Y0, Y0
	VMOVUPS Y0, (DI)
	ADDQ $32, SI
	ADDQ $32, DX
	ADDQ $32, DI
	SUBQ $8, CX
	JNZ addloop
	VZEROUPPER
	RET

DATA gelugs<>+0(SB)/4, $0x3f4c422a
DATA gelugs<>+4(SB)/4, $0x3f4c422a
DATA gelugs<>+8(SB)/4, $0x3f4c422a
DATA gelugs<>+12(SB)/4, $0x3f4c422a
DATA gelugs<>+16(SB)/4, $0x3f4c422a
DATA gelugs<>+20(SB)/4, $0x3f4c422a
DATA gelugs<>+24(SB)/4, $0x3f4c422a
DATA gelugs<>+28(SB)/4, $0x3f4c422a
GLOBL gelugs<>(SB), RODATA|NOPTR, $32

DATA gelugc<>+0(SB)/4, $0x3d372713
DATA gelugc<>+4(SB)/4, $0x3d372713
DATA gelugc<>+8(SB)/4, $0x3d372713
DATA gelugc<>+12(SB)/4, $0x3d372713
DATA gelugc<>+16(SB)/4, $0x3d372713
DATA gelugc<>+20(SB)/4, $0x3d372713
DATA gelugc<>+24(SB)/4, $0x3d372713
DATA gelugc<>+28(SB)/4, $0x3d372713
GLOBL gelugc<>(SB), RODATA|NOPTR, $32

DATA gelugc3<>+0(SB)/4, $0x3e095d4f
DATA gelugc3<>+4(SB)/4, $0x3e095d4f
DATA gelugc3<>+8(SB)/4, $0x3e095d4f
DATA gelugc3<>+12(SB)/4, $0x3e095d4f
DATA gelugc3<>+16(SB)/4, $0x3e095d4f
DATA gelugc3<>+20(SB)/4, $0x3e095d4f
DATA gelugc3<>+24(SB)/4, $0x3e095d4f
DATA gelugc3<>+28(SB)/4, $0x3e095d4f
GLOBL gelugc3<>(SB), RODATA|NOPTR, $32

DATA geluhalf<>+0(SB)/4, $0x3f000000
DATA geluhalf<>+4(SB)/4, $0x3f000000
DATA geluhalf<>+8(SB)/4, $0x3f000000
DATA geluhalf<>+12(SB)/4, $0x3f000000
DATA geluhalf<>+16(SB)/4, $0x3f000000
DATA geluhalf<>+20(SB)/4, $0x3f000000
DATA geluhalf<>+24(SB)/4, $0x3f000000
DATA geluhalf<>+28(SB)/4, $0x3f000000
GLOBL geluhalf<>(SB), RODATA|NOPTR, $32

DATA gelutwo<>+0(SB)/4, $0x40000000
DATA gelutwo<>+4(SB)/4, $0x40000000
DATA gelutwo<>+8(SB)/4, $0x40000000
DATA gelutwo<>+12(SB)/4, $0x40000000
DATA gelutwo<>+16(SB)/4, $0x40000000
DATA gelutwo<>+20(SB)/4, $0x40000000
DATA gelutwo<>+24(SB)/4, $0x40000000
DATA gelutwo<>+28(SB)/4, $0x40000000
GLOBL gelutwo<>(SB), RODATA|NOPTR, $32

// func geluAVX2(dst, x *float32, n int)
TEXT ·geluAVX2(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ n+16(FP), CX
geluloop:
	VMOVUPS (SI), Y0
	VMULPS Y0, Y0, Y5
	VMULPS gelugc<>(SB), Y5, Y6
	VADDPS expone<>(SB), Y6, Y6
	VMULPS gelugs<>(SB), Y0, Y7
	VMULPS Y6, Y7, Y7
	VADDPS Y7, Y7, Y7
	VMAXPS explo<>(SB), Y7, Y2
	VMINPS exphi<>(SB), Y2, Y2
	VMULPS explog2e<>(SB), Y2, Y1
	VROUNDPS $0, Y1, Y1
	VMULPS expc1<>(SB), Y1, Y3
	VSUBPS Y3, Y2, Y2
	VMULPS expc2<>(SB), Y1, Y3
	VSUBPS Y3, Y2, Y2
	VMULPS Y2, Y2, Y3
	VMULPS expp0<>(SB), Y2, Y4
	VADDPS expp1<>(SB), Y4, Y4
	VMULPS Y2, Y4, Y4
	VADDPS expp2<>(SB), Y4, Y4
	VMULPS Y2, Y4, Y4
	VADDPS expp3<>(SB), Y4, Y4
	VMULPS Y2, Y4, Y4
	VADDPS expp4<>(SB), Y4, Y4
	VMULPS Y2, Y4, Y4
	VADDPS expp5<>(SB), Y4, Y4
	VMULPS Y3, Y4, Y4
	VADDPS Y2, Y4, Y4
	VADDPS expone<>(SB), Y4, Y4
	VADDPS Y4, Y4, Y4
	VCVTPS2DQ Y1, Y1
	VPADDD expi126<>(SB), Y1, Y1
	VPSLLD $23, Y1, Y1
	VMULPS Y1, Y4, Y4
	VCMPPS $0x1e, exphi<>(SB), Y7, Y3
	VBLENDVPS Y3, expinf<>(SB), Y4, Y4
	VCMPPS $0x11, explo<>(SB), Y7, Y3
	VANDNPS Y4, Y3, Y4
	VCMPPS $3, Y7, Y7, Y3
	VBLENDVPS Y3, Y7, Y4, Y4
	VADDPS expone<>(SB), Y4, Y4
	VMOVUPS gelutwo<>(SB), Y8
	VDIVPS Y4, Y8, Y8
	VMOVUPS expone<>(SB), Y9
	VSUBPS Y8, Y9, Y9
	VMULPS geluhalf<>(SB), Y0, Y10
	VADDPS expone<>(SB), Y9, Y11
	VMULPS Y11, Y10, Y11
	VMOVUPS Y11, (DI)
	ADDQ $32, SI
	ADDQ $32, DI
	SUBQ $8, CX
	JNZ geluloop
	VZEROUPPER
	RET

// func geluBackAVX2(dx, x, dout *float32, n int)
TEXT ·geluBackAVX2(SB), NOSPLIT, $0-32
	MOVQ dx+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ dout+16(FP), DX
	MOVQ n+24(FP), CX
gelubloop:
	VMOVUPS (SI), Y0
	VMULPS Y0, Y0, Y5
	VMULPS gelugc<>(SB), Y5, Y6
	VADDPS expone<>(SB), Y6, Y6
	VMULPS gelugs<>(SB), Y0, Y7
	VMULPS Y6, Y7, Y7
	VADDPS Y7, Y7, Y7
	VMAXPS explo<>(SB), Y7, Y2
	VMINPS exphi<>(SB), Y2, Y2
	VMULPS explog2e<>(SB), Y2, Y1
	VROUNDPS $0, Y1, Y1
	VMULPS expc1<>(SB), Y1, Y3
	VSUBPS Y3, Y2, Y2
	VMULPS expc2<>(SB), Y1, Y3
	VSUBPS Y3, Y2, Y2
	VMULPS Y2, Y2, Y3
	VMULPS expp0<>(SB), Y2, Y4
	VADDPS expp1<>(SB), Y4, Y4
	VMULPS Y2, Y4, Y4
	VADDPS expp2<>(SB), Y4, Y4
	VMULPS Y2, Y4, Y4
	VADDPS expp3<>(SB), Y4, Y4
	VMULPS Y2, Y4, Y4
	VADDPS expp4<>(SB), Y4, Y4
	VMULPS Y2, Y4, Y4
	VADDPS expp5<>(SB), Y4, Y4
	VMULPS Y3, Y4, Y4
	VADDPS Y2, Y4, Y4
	VADDPS expone<>(SB), Y4, Y4
	VADDPS Y4, Y4, Y4
	VCVTPS2DQ Y1, Y1
	VPADDD expi126<>(SB), Y1, Y1
	VPSLLD $23, Y1, Y1
	VMULPS Y1, Y4, Y4
	VCMPPS $0x1e, exphi<>(SB), Y7, Y3
	VBLENDVPS Y3, expinf<>(SB), Y4, Y4
	VCMPPS $0x11, explo<>(SB), Y7, Y3
	VANDNPS Y4, Y3, Y4
	VCMPPS $3, Y7, Y7, Y3
	VBLENDVPS Y3, Y7, Y4, Y4
	VADDPS expone<>(SB), Y4, Y4
	VMOVUPS gelutwo<>(SB), Y8
	VDIVPS Y4, Y8, Y8
	VMOVUPS expone<>(SB), Y9
	VSUBPS Y8, Y9, Y9
	VADDPS expone<>(SB), Y9, Y10
	VMULPS geluhalf<>(SB), Y10, Y10
	VMULPS Y9, Y9, Y11
	VMOVUPS expone<>(SB), Y12
	VSUBPS Y11, Y12, Y12
	VMULPS gelugc3<>(SB), Y5, Y13
	VADDPS expone<>(SB), Y13, Y13
	VMULPS gelugs<>(SB), Y13, Y13
	VMULPS Y13, Y12, Y12
	VMULPS geluhalf<>(SB), Y0, Y14
	VMULPS Y12, Y14, Y14
	VADDPS Y14, Y10, Y10
	VMULPS (DX), Y10, Y10
	VMOVUPS Y10, (DI)
	ADDQ $32, SI
	ADDQ $32, DX
	ADDQ $32, DI
	SUBQ $8, CX
	JNZ gelubloop
	VZEROUPPER
	RET

DATA signmask<>+0(SB)/4, $0x80000000
DATA signmask<>+4(SB)/4, $0x80000000
DATA signmask<>+8(SB)/4, $0x80000000
DATA signmask<>+12(SB)/4, $0x80000000
DATA signmask<>+16(SB)/4, $0x80000000
DATA signmask<>+20(SB)/4, $0x80000000
DATA signmask<>+24(SB)/4, $0x80000000
DATA signmask<>+28(SB)/4, $0x80000000
GLOBL signmask<>(SB), RODATA|NOPTR, $32

// func swigluAVX2(dst, gate, up *float32, n int)
TEXT ·swigluAVX2(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ gate+8(FP), SI
	MOVQ up+16(FP), DX
	MOVQ n+24(FP), CX
swigluloop:
	VMOVUPS (SI), Y0
	VXORPS signmask<>(SB), Y0, Y7
	VMAXPS explo<>(SB), Y7, Y2
	VMINPS exphi<>(SB), Y2, Y2
	VMULPS explog2e<>(SB), Y2, Y1
	VROUNDPS $0, Y1, Y1
	VMULPS expc1<>(SB), Y1, Y3
	VSUBPS Y3, Y2, Y2
	VMULPS expc2<>(SB), Y1, Y3
	VSUBPS Y3, Y2, Y2
	VMULPS Y2, Y2, Y3
	VMULPS expp0<>(SB), Y2, Y4
	VADDPS expp1<>(SB), Y4, Y4
	VMULPS Y2, Y4, Y4
	VADDPS expp2<>(SB), Y4, Y4
	VMULPS Y2, Y4, Y4
	VADDPS expp3<>(SB), Y4, Y4
	VMULPS Y2, Y4, Y4
	VADDPS expp4<>(SB), Y4, Y4
	VMULPS Y2, Y4, Y4
	VADDPS expp5<>(SB), Y4, Y4
	VMULPS Y3, Y4, Y4
	VADDPS Y2, Y4, Y4
	VADDPS expone<>(SB), Y4, Y4
	VADDPS Y4, Y4, Y4
	VCVTPS2DQ Y1, Y1
	VPADDD expi126<>(SB), Y1, Y1
	VPSLLD $23, Y1, Y1
	VMULPS Y1, Y4, Y4
	VCMPPS $0x1e, exphi<>(SB), Y7, Y3
	VBLENDVPS Y3, expinf<>(SB), Y4, Y4
	VCMPPS $0x11, explo<>(SB), Y7, Y3
	VANDNPS Y4, Y3, Y4
	VCMPPS $3, Y7, Y7, Y3
	VBLENDVPS Y3, Y7, Y4, Y4
	VADDPS expone<>(SB), Y4, Y4
	VMOVUPS expone<>(SB), Y8
	VDIVPS Y4, Y8, Y8
	VMULPS Y8, Y0, Y9
	VMULPS (DX), Y9, Y9
	VMOVUPS Y9, (DI)
	ADDQ $32, SI
	ADDQ $32, DX
	ADDQ $32, DI
	SUBQ $8, CX
	JNZ swigluloop
	VZEROUPPER
	RET

// func swigluBackAVX2(dgate, dup, gate, up, dout *float32, n int)
TEXT ·swigluBackAVX2(SB), NOSPLIT, $0-48
	MOVQ dgate+0(FP), DI
	MOVQ dup+8(FP), R8
	MOVQ gate+16(FP), SI
	MOVQ up+24(FP), DX
	MOVQ dout+32(FP), R9
	MOVQ n+40(FP), CX
swiglubloop:
	VMOVUPS (SI), Y0
	VMOVUPS (DX), Y13
	VMOVUPS (R9), Y10
	VXORPS signmask<>(SB), Y0, Y7
	VMAXPS explo<>(SB), Y7, Y2
	VMINPS exphi<>(SB), Y2, Y2
	VMULPS explog2e<>(SB), Y2, Y1
	VROUNDPS $0, Y1, Y1
	VMULPS expc1<>(SB), Y1, Y3
	VSUBPS Y3, Y2, Y2
	VMULPS expc2<>(SB), Y1, Y3
	VSUBPS Y3, Y2, Y2
	VMULPS Y2, Y2, Y3
	VMULPS expp0<>(SB), Y2, Y4
	VADDPS expp1<>(SB), Y4, Y4
	VMULPS Y2, Y4, Y4
	VADDPS expp2<>(SB), Y4, Y4
	VMULPS Y2, Y4, Y4
	VADDPS expp3<>(SB), Y4, Y4
	VMULPS Y2, Y4, Y4
	VADDPS expp4<>(SB), Y4, Y4
	VMULPS Y2, Y4, Y4
	VADDPS expp5<>(SB), Y4, Y4
	VMULPS Y3, Y4, Y4
	VADDPS Y2, Y4, Y4
	VADDPS expone<>(SB), Y4, Y4
	VADDPS Y4, Y4, Y4
	VCVTPS2DQ Y1, Y1
	VPADDD expi126<>(SB), Y1, Y1
	VPSLLD $23, Y1, Y1
	VMULPS Y1, Y4, Y4
	VCMPPS $0x1e, exphi<>(SB), Y7, Y3
	VBLENDVPS Y3, expinf<>(SB), Y4, Y4
	VCMPPS $0x11, explo<>(SB), Y7, Y3
	VANDNPS Y4, Y3, Y4
	VCMPPS $3, Y7, Y7, Y3
	VBLENDVPS Y3, Y7, Y4, Y4
	VADDPS expone<>(SB), Y4, Y4
	VMOVUPS expone<>(SB), Y8
	VDIVPS Y4, Y8, Y8
	VMULPS Y8, Y0, Y9
	VMULPS Y9, Y10, Y11
	VMULPS Y13, Y10, Y10
	VMULPS Y8, Y10, Y10
	VMOVUPS expone<>(SB), Y12
	VSUBPS Y8, Y12, Y12
	VMULPS Y12, Y0, Y12
	VADDPS expone<>(SB), Y12, Y12
	VMULPS Y12, Y10, Y10
	VMOVUPS Y11, (R8)
	VMOVUPS Y10, (DI)
	ADDQ $32, SI
	ADDQ $32, DX
	ADDQ $32, R9
	ADDQ $32, R8
	ADDQ $32, DI
	SUBQ $8, CX
	JNZ swiglubloop
	VZEROUPPER
	RET

// func adamwAVX2(p, grad, m, v *float32, n int, s *AdamWStep)
// AdamW's element-wise update (see adamwGo), 8 lanes at a time, every
// operation rounded separately (no FMA).
TEXT ·adamwAVX2(SB), NOSPLIT, $0-48
	MOVQ p+0(FP), DI
	MOVQ grad+8(FP), SI
	MOVQ m+16(FP), DX
	MOVQ v+24(FP), BX
	MOVQ n+32(FP), CX
	MOVQ s+40(FP), R8
	VBROADCASTSS 0(R8), Y8
	VBROADCASTSS 4(R8), Y9
	VBROADCASTSS 8(R8), Y10
	VBROADCASTSS 12(R8), Y11
	VBROADCASTSS 16(R8), Y12
	VBROADCASTSS 20(R8), Y13
	VBROADCASTSS 24(R8), Y14
	VBROADCASTSS 28(R8), Y15
adamwloop:
	VMOVUPS (SI), Y0
	VMOVUPS (DX), Y1
	VMULPS Y8, Y1, Y1
	VMULPS Y10, Y0, Y2
	VADDPS Y2, Y1, Y1
	VMOVUPS (BX), Y3
	VMULPS Y9, Y3, Y3
	VMULPS Y0, Y0, Y4
	VMULPS Y11, Y4, Y4
	VADDPS Y4, Y3, Y3
	VMOVUPS Y1, (DX)
	VMOVUPS Y3, (BX)
	VSQRTPS Y3, Y5
	VDIVPS Y12, Y5, Y5
	VADDPS Y13, Y5, Y5
	VDIVPS Y5, Y1, Y6
	VMULPS Y6, Y15, Y6
	VMOVUPS (DI), Y7
	VMULPS Y14, Y7, Y7
	VSUBPS Y6, Y7, Y7
	VMOVUPS Y7, (DI)
	ADDQ $32, DI
	ADDQ $32, SI
	ADDQ $32, DX
	ADDQ $32, BX
	SUBQ $8, CX
	JNZ adamwloop
	VZEROUPPER
	RET
