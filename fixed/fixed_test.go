package fixed

import (
	"math"
	"math/big"
	"testing"

	"pgregory.net/rapid"
)

func TestI32F32Table(t *testing.T) {
	half := FromFloat64(0.5)
	cases := []struct {
		name      string
		got, want I32F32
	}{
		{"1*1", One32.Mul(One32), One32},
		{"0.5*0.5", half.Mul(half), FromFloat64(0.25)},
		{"floor positive", FromBits32(3).Mul(half), FromBits32(1)},
		{"floor negative", FromBits32(-3).Mul(half), FromBits32(-2)},
		{"trunc div positive", FromBits32(1).SafeDiv(FromBits32(3 << 32)), FromBits32(0)},
		{"1/3", One32.SafeDiv(I32FromInt(3)), FromBits32(1431655765)},
		{"-1/3 truncates toward zero", One32.Neg().SafeDiv(I32FromInt(3)), FromBits32(-1431655765)},
		{"safe div zero", One32.SafeDiv(0), 0},
		{"safe div overflow", Max32.SafeDiv(FromBits32(1)), 0},
		{"saturating div overflow", Max32.SaturatingDiv(FromBits32(1)), Max32},
		{"saturating mul overflow", Max32.SaturatingMul(I32FromInt(2)), Max32},
		{"saturating mul negative overflow", Max32.SaturatingMul(I32FromInt(-2)), Min32},
		{"saturating add", Max32.SaturatingAdd(One32), Max32},
		{"saturating sub", Min32.SaturatingSub(One32), Min32},
		{"round 2.5", FromFloat64(2.5).Round(), I32FromInt(3)},
		{"round -2.5", FromFloat64(-2.5).Round(), I32FromInt(-3)},
		{"round 2.49", FromFloat64(2.49).Round(), I32FromInt(2)},
		{"round -2.49", FromFloat64(-2.49).Round(), I32FromInt(-2)},
		{"from int saturates", I32FromInt(1 << 40), Max32},
		{"u16 proportion 65535", U16ProportionToFixed(65535), One32},
		{"u16 proportion 32767", U16ProportionToFixed(32767), FromBits32(2147450879)},
		{"E", E, FromBits32(22802600 << 9)},
	}
	for _, c := range cases {
		if c.got != c.want {
			t.Errorf("%s: got %d (%v), want %d (%v)", c.name, c.got, c.got.Float64(), c.want, c.want.Float64())
		}
	}
	if _, ok := One32.CheckedDiv(0); ok {
		t.Error("CheckedDiv by zero must fail")
	}
	if _, ok := Max32.CheckedMul(I32FromInt(2)); ok {
		t.Error("CheckedMul overflow must fail")
	}
	if _, ok := Max32.CheckedAdd(1); ok {
		t.Error("CheckedAdd overflow must fail")
	}
	u16 := []struct {
		in   I32F32
		want uint16
	}{{One32, 65535}, {0, 0}, {-One32, 0}, {I32FromInt(2), 65535}, {Half32, 32767}, {U16ProportionToFixed(12345), 12344}}
	for _, c := range u16 {
		if got := FixedProportionToU16(c.in); got != c.want {
			t.Errorf("FixedProportionToU16(%v) = %d, want %d", c.in.Float64(), got, c.want)
		}
	}
	if got := FromFloat64(2.9).SaturatingToU64(); got != 2 {
		t.Errorf("to u64 floors: %d", got)
	}
	if got := FromFloat64(-2.9).SaturatingToU64(); got != 0 {
		t.Errorf("negative to u64 saturates: %d", got)
	}
	if got := I32FromInt(70000).SaturatingToU16(); got != 65535 {
		t.Errorf("to u16 saturates: %d", got)
	}
}

// TestExpGolden compares with values computed by an independent exact-integer
// port of substrate_fixed's exp (Python, arbitrary precision).
func TestExpGolden(t *testing.T) {
	golden := map[int64]int64{
		0:            4294967296,
		4294967296:   22802600 << 9,
		2147483648:   7081203935,
		-2147483648:  2605029348,
		21474836480:  637429664624,
		-21474836480: 28939262,
		85899345920:  2066907302758576256,
		-85899345920: 8,
		8589934592:   31735754285,
		3:            4294967299,
		-4294967296:  1580030169,
		42949685305:  94603219822378,
	}
	for in, want := range golden {
		got, ok := Exp(FromBits32(in))
		if !ok || got.Bits() != want {
			t.Errorf("Exp(%d) = %d %v, want %d", in, got.Bits(), ok, want)
		}
	}
	if got := ExpSafe(I32FromInt(100)); got != ExpSafe(I32FromInt(20)) {
		t.Errorf("ExpSafe does not clamp: %d", got)
	}
	if got := ExpSafe(I32FromInt(-100)); got.Bits() != 8 {
		t.Errorf("ExpSafe(-100) = %d, want exp(-20) = 8", got.Bits())
	}
	if _, ok := Exp(I32FromInt(40)); ok {
		t.Error("Exp(40) must overflow")
	}
	if got := ExpSafe(0); got != One32 {
		t.Errorf("ExpSafe(0) = %d", got)
	}
}

func TestExpCloseToTrueExp(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		raw := rapid.Int64Range(-10<<32, 10<<32).Draw(t, "x")
		got := ExpSafe(FromBits32(raw)).Float64()
		want := math.Exp(float64(raw) / (1 << 32))
		if math.Abs(got-want) > 1e-6*want+1e-8 {
			t.Fatalf("exp(%v) = %v, want ~%v", float64(raw)/(1<<32), got, want)
		}
	})
}

func bigOf(x int64) *big.Int { return big.NewInt(x) }

// floorDiv returns floor(a / 2^k) for big a.
func floorShift(a *big.Int, k uint) *big.Int { return new(big.Int).Rsh(a, k) }

func fits64(b *big.Int) bool { return b.IsInt64() }

func TestI32F32MulDivProperties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		a := rapid.Int64().Draw(t, "a")
		b := rapid.Int64().Draw(t, "b")
		if rapid.Bool().Draw(t, "small") {
			a >>= rapid.UintRange(0, 62).Draw(t, "sa")
			b >>= rapid.UintRange(0, 62).Draw(t, "sb")
		}
		// multiply: floor(a*b / 2^32)
		ref := floorShift(new(big.Int).Mul(bigOf(a), bigOf(b)), 32)
		got, ok := FromBits32(a).CheckedMul(FromBits32(b))
		if ok != fits64(ref) || (ok && got.Bits() != ref.Int64()) {
			t.Fatalf("CheckedMul(%d,%d) = %d,%v; ref %v", a, b, got, ok, ref)
		}
		// divide: trunc(a*2^32 / b)
		if b == 0 {
			if FromBits32(a).SafeDiv(0) != 0 {
				t.Fatal("SafeDiv by zero")
			}
			return
		}
		q := new(big.Int).Quo(new(big.Int).Lsh(bigOf(a), 32), bigOf(b))
		got, ok = FromBits32(a).CheckedDiv(FromBits32(b))
		if ok != fits64(q) || (ok && got.Bits() != q.Int64()) {
			t.Fatalf("CheckedDiv(%d,%d) = %d,%v; ref %v", a, b, got, ok, q)
		}
		sd := FromBits32(a).SafeDiv(FromBits32(b))
		if (fits64(q) && sd.Bits() != q.Int64()) || (!fits64(q) && sd != 0) {
			t.Fatalf("SafeDiv(%d,%d) = %d; ref %v", a, b, sd, q)
		}
	})
}

func TestI32F32RoundProperty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		a := rapid.Int64Range(math.MinInt64/2, math.MaxInt64/2).Draw(t, "a")
		r := FromBits32(a).Round().Bits()
		// reference: |a| + 2^31 floored to a multiple of 2^32, sign restored
		abs := new(big.Int).Abs(bigOf(a))
		abs.Add(abs, bigOf(1<<31)).Rsh(abs, 32).Lsh(abs, 32)
		if a < 0 {
			abs.Neg(abs)
		}
		if r != abs.Int64() {
			t.Fatalf("Round(%d) = %d, want %v", a, r, abs)
		}
	})
}

func TestProportionRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		x := rapid.Uint16().Draw(t, "x")
		back := FixedProportionToU16(U16ProportionToFixed(x))
		if back != x && back != x-1 {
			t.Fatalf("u16 %d -> %d", x, back)
		}
	})
	// the upstream "one unit per round trip" decay, e.g. 49151 -> 49150
	if got := FixedProportionToU16(U16ProportionToFixed(49151)); got != 49150 {
		t.Errorf("round trip 49151 = %d", got)
	}
}

func TestWideProperties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		s := rapid.Uint64().Draw(t, "s")
		tot := rapid.Uint64Range(1, math.MaxInt64).Draw(t, "total")
		if s > tot {
			s, tot = tot, s
			if tot == 0 || tot > math.MaxInt64 {
				return
			}
		}
		// I64F64 stake normalization then truncation = floor(s*2^32/total)
		got := I64F64FromU64(s).SafeDiv(I64F64FromU64(tot)).ToI32F32()
		want := new(big.Int).Quo(new(big.Int).Lsh(new(big.Int).SetUint64(s), 32), new(big.Int).SetUint64(tot))
		if got.Bits() != want.Int64() {
			t.Fatalf("normalize %d/%d = %d, want %v", s, tot, got, want)
		}
		// I96F32 share × rao, floored to u64
		share := rapid.Int64Range(-1<<33, 1<<33).Draw(t, "share")
		rao := rapid.Uint64().Draw(t, "rao")
		r := I96F32FromI32F32(FromBits32(share)).SaturatingMul(I96F32FromU64(rao)).SaturatingToU64()
		ref := new(big.Int).Mul(bigOf(share), new(big.Int).SetUint64(rao))
		ref.Rsh(ref, 32)
		var w uint64
		switch {
		case ref.Sign() < 0:
			w = 0
		case ref.IsUint64():
			w = ref.Uint64()
		default:
			w = math.MaxUint64
		}
		if r != w {
			t.Fatalf("rao %d*%d = %d, want %d", share, rao, r, w)
		}
		// slow (big) path of I96F32 multiply agrees with the fast path
		a, b := I96F32FromI32F32(FromBits32(share)), I96F32FromU64(rao)
		slow, ok := signedMulShift(a.raw, b.raw, 32)
		fast, ok2 := a.CheckedMul(b)
		if ok != ok2 || (ok && slow != fast.raw) {
			t.Fatalf("I96F32 mul fast/slow disagree for %d*%d", share, rao)
		}
	})
}

func TestWideArithmeticTable(t *testing.T) {
	// I64F64: 0.9 = 900000/1e6, then to I32F32 truncates.
	ma := I64F64FromU64(900000).SafeDiv(I64F64FromU64(1000000)).ToI32F32()
	if ma.Bits() != 3865470566 {
		t.Errorf("0.9 = %d", ma.Bits())
	}
	if !I64F64FromU64(1).SafeDiv(I64F64FromU64(0)).IsZero() {
		t.Error("I64F64 SafeDiv by zero must be 0")
	}
	if got := I64F64FromI32F32(FromBits32(-5)).ToI32F32(); got.Bits() != -5 {
		t.Errorf("I64F64 round trip = %d", got.Bits())
	}
	if got := I64F64FromInt(-3).Add(I64F64FromInt(5)).SaturatingToU64(); got != 2 {
		t.Errorf("I64F64 add = %d", got)
	}
	if got := I64F64FromInt(-3).SaturatingToU64(); got != 0 {
		t.Errorf("negative to u64 = %d", got)
	}
	big1, _ := I64F64FromU64(math.MaxInt64).CheckedMul(I64F64FromInt(2))
	if _, ok := I64F64FromU64(math.MaxInt64).CheckedMul(I64F64FromInt(2)); ok {
		t.Errorf("I64F64 overflow not detected: %v", big1)
	}
	// U64F64 / U96F32 (registration price arithmetic)
	x := U64F64FromU64(1000).SaturatingMul(U64F64FromU64(3)).SafeDiv(U64F64FromU64(2))
	if x.SaturatingToU64() != 1500 {
		t.Errorf("U64F64 = %d", x.SaturatingToU64())
	}
	if U64F64FromU64(1).SaturatingSub(U64F64FromU64(2)).SaturatingToU64() != 0 {
		t.Error("U64F64 sub must saturate at 0")
	}
	y := U96F32FromU64(math.MaxUint64).SaturatingAdd(U96F32FromU64(1))
	if y.SaturatingToU64() != math.MaxUint64 {
		t.Error("U96F32 above u64 must saturate on conversion")
	}
	if got := U96F32FromU64(7).SafeDiv(U96F32FromU64(2)); got.SaturatingToU64() != 3 {
		t.Errorf("U96F32 7/2 = %d", got.SaturatingToU64())
	}
	if got := U96F32FromU64(7).SafeDiv(U96F32FromU64(0)); got.SaturatingToU64() != 0 {
		t.Error("U96F32 SafeDiv by zero")
	}
	if got := I96F32FromU64(10).SafeDiv(I96F32FromU64(4)); got.SaturatingToU64() != 2 {
		t.Errorf("I96F32 10/4 = %d", got.SaturatingToU64())
	}
}

// refMulShift / refDivShift are the math/big definitions of substrate_fixed's
// multiply (floor) and divide (truncate) for frac fractional bits.
func refMulShift(a, b *big.Int, frac uint) *big.Int {
	return new(big.Int).Rsh(new(big.Int).Mul(a, b), frac)
}

func refDivShift(a, b *big.Int, frac uint) *big.Int {
	return new(big.Int).Quo(new(big.Int).Lsh(a, frac), b)
}

func drawS128(t *rapid.T, label string) s128 {
	hi := rapid.Int64().Draw(t, label+"hi")
	if rapid.Bool().Draw(t, label+"small") {
		hi >>= rapid.UintRange(0, 63).Draw(t, label+"shift")
	}
	return s128{hi, rapid.Uint64().Draw(t, label+"lo")}
}

func TestSigned128Properties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		a, b := drawS128(t, "a"), drawS128(t, "b")
		for _, frac := range []uint{32, 64} {
			ref := refMulShift(a.big(), b.big(), frac)
			got, ok := signedMulShift(a, b, frac)
			want, fits := s128FromBig(ref)
			if ok != fits || (ok && got != want) {
				t.Fatalf("mul frac %d: %v*%v", frac, a.big(), b.big())
			}
			if b.isZero() {
				continue
			}
			q, ok := signedDivShift(a, b, frac)
			wq, fits := s128FromBig(refDivShift(a.big(), b.big(), frac))
			if ok != fits || (ok && q != wq) {
				t.Fatalf("div frac %d: %v/%v", frac, a.big(), b.big())
			}
		}
		// add wraps like a two's complement 128-bit integer
		sum := new(big.Int).Add(a.big(), b.big())
		sum.Mod(sum, twoPow128Big)
		if sum.Cmp(maxI128) > 0 {
			sum.Sub(sum, twoPow128Big)
		}
		if a.add(b).big().Cmp(sum) != 0 {
			t.Fatalf("add: %v + %v", a.big(), b.big())
		}
		if d := a.sub(b).add(b); d != a {
			t.Fatalf("sub/add round trip: %v", a.big())
		}
		if c := a.cmp(b); c != a.big().Cmp(b.big()) {
			t.Fatalf("cmp(%v, %v) = %d", a.big(), b.big(), c)
		}
	})
}

func TestUnsigned128Properties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		a := u128{rapid.Uint64().Draw(t, "ahi") >> rapid.UintRange(0, 64).Draw(t, "as"), rapid.Uint64().Draw(t, "alo")}
		b := u128{rapid.Uint64().Draw(t, "bhi") >> rapid.UintRange(0, 64).Draw(t, "bs"), rapid.Uint64().Draw(t, "blo")}
		for _, frac := range []uint{32, 64} {
			got, ok := unsignedMulShift(a, b, frac)
			want, fits := u128FromBig(refMulShift(a.big(), b.big(), frac))
			if ok != fits || (ok && got != want) {
				t.Fatalf("mul frac %d", frac)
			}
			if b.hi == 0 && b.lo == 0 {
				continue
			}
			q, ok := unsignedDivShift(a, b, frac)
			wq, fits := u128FromBig(refDivShift(a.big(), b.big(), frac))
			if ok != fits || (ok && q != wq) {
				t.Fatalf("div frac %d", frac)
			}
		}
		// the exported wrappers saturate exactly where the reference overflows
		x, y := U64F64{a}, U64F64{b}
		if _, ok := x.CheckedMul(y); !ok && x.SaturatingMul(y) != (U64F64{u128{math.MaxUint64, math.MaxUint64}}) {
			t.Fatal("U64F64 SaturatingMul does not saturate")
		}
		s := x.SaturatingAdd(y)
		ref := new(big.Int).Add(a.big(), b.big())
		if ref.Cmp(maxU128) > 0 {
			ref = maxU128
		}
		if s.raw.big().Cmp(ref) != 0 {
			t.Fatal("U64F64 SaturatingAdd")
		}
		d := x.SaturatingSub(y)
		refd := new(big.Int).Sub(a.big(), b.big())
		if refd.Sign() < 0 {
			refd.SetInt64(0)
		}
		if d.raw.big().Cmp(refd) != 0 {
			t.Fatal("U64F64 SaturatingSub")
		}
	})
}

// literalExp is transcendental::exp exactly as written upstream (checked divide by
// D::from_num(i), no early exit), to check Exp's shortcuts.
func literalExp(x I32F32) (I32F32, bool) {
	if x == 0 {
		return One32, true
	}
	if x == One32 {
		return E, true
	}
	neg := x < 0
	if neg {
		x = -x
	}
	result, ok := x.CheckedAdd(One32)
	if !ok {
		return 0, false
	}
	term := x
	for i := int64(2); i < 32; i++ {
		if term, ok = term.CheckedMul(x); !ok {
			return 0, false
		}
		if term, ok = term.CheckedDiv(I32FromInt(i)); !ok {
			return 0, false
		}
		if result, ok = result.CheckedAdd(term); !ok {
			return 0, false
		}
	}
	if neg {
		if result, ok = One32.CheckedDiv(result); !ok {
			return 0, false
		}
	}
	return result, true
}

func TestExpMatchesLiteral(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		x := FromBits32(rapid.Int64Range(-40<<32, 40<<32).Draw(t, "x"))
		if rapid.Bool().Draw(t, "tiny") {
			x = FromBits32(rapid.Int64Range(-1<<20, 1<<20).Draw(t, "t"))
		}
		g, gok := Exp(x)
		w, wok := literalExp(x)
		if g != w || gok != wok {
			t.Fatalf("Exp(%d) = %d,%v; literal %d,%v", x, g, gok, w, wok)
		}
	})
}
