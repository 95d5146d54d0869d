package detmath

import "math"

// ln2Hi is ln 2 rounded to 32 significant bits, so k·ln2Hi is exact for
// |k| < 2^21; ln2Hi + ln2Lo = ln 2 to about 2^-86.
const (
	ln2Hi = 0.6931471806019545
	ln2Lo = -4.2009150726810846e-11
	log2e = 1.4426950408889634
)

// Exp returns e^x. Reduction: x = k·ln2 + r with |r| ≤ ln2/2, then e^r by its
// Taylor series to r^14 (truncation error below 2^-60) and scaling by 2^k.
func Exp(x float64) float64 {
	switch {
	case x != x:
		return x
	case x > 709.782712893384:
		return math.Inf(1)
	case x < -745.2:
		return 0
	}
	k := math.RoundToEven(float64(x * log2e))
	r := x - float64(k*ln2Hi)
	r -= float64(k * ln2Lo)
	return math.Ldexp(expTaylor(r), int(k))
}

// expTaylor is Σ_{n≤14} r^n/n! by Horner's rule, each product rounded.
func expTaylor(r float64) float64 {
	p := 1.0 / 87178291200 // 1/14!
	for _, c := range [...]float64{
		1.0 / 6227020800, 1.0 / 479001600, 1.0 / 39916800, 1.0 / 3628800,
		1.0 / 362880, 1.0 / 40320, 1.0 / 5040, 1.0 / 720, 1.0 / 120, 1.0 / 24,
		1.0 / 6, 1.0 / 2, 1, 1,
	} {
		p = float64(p*r) + c
	}
	return p
}

// Expm1 returns e^x - 1, accurate also for x near 0 (Taylor series for
// |x| < 0.5, Exp(x) - 1 otherwise).
func Expm1(x float64) float64 {
	if math.Abs(x) >= 0.5 || x != x {
		return Exp(x) - 1
	}
	// Σ_{1≤n≤17} x^n/n!: truncation error below 0.5^18/18! ≈ 6e-22.
	p := 0.0
	f := 1.0
	var inv [18]float64
	for n := 1; n <= 17; n++ {
		f = float64(f * float64(n))
		inv[n] = 1 / f
	}
	for n := 17; n >= 1; n-- {
		p = float64(p*x) + inv[n]
	}
	return float64(p * x)
}

// Log returns the natural logarithm of x: x = 2^e·m with m in [√½, √2), then
// log m = 2·atanh(s) with s = (m-1)/(m+1), |s| ≤ 0.172, by its series to
// s^27 (truncation below 2^-70).
func Log(x float64) float64 {
	switch {
	case x != x || x > math.MaxFloat64:
		return x
	case x < 0:
		return math.NaN()
	case x == 0:
		return math.Inf(-1)
	}
	m, e := math.Frexp(x) // m in [0.5, 1)
	if m < math.Sqrt2/2 {
		m = float64(m * 2)
		e--
	}
	s := (m - 1) / (m + 1)
	s2 := float64(s * s)
	p := 1.0 / 27
	for n := 25; n >= 1; n -= 2 {
		p = float64(p*s2) + 1/float64(n)
	}
	logm := float64(2 * s * p)
	k := float64(e)
	return float64(k*ln2Hi) + (float64(k*ln2Lo) + logm)
}

// Pow returns x^y for x > 0 as Exp(y·Log(x)) (relative error about
// |y·log x|·2^-52), x^0 = 1, and NaN for x ≤ 0 with a non-zero y. The LM
// engine needs it only for positive bases (RoPE frequencies).
func Pow(x, y float64) float64 {
	switch {
	case y == 0:
		return 1
	case x == 1:
		return 1
	case x != x || y != y || x <= 0:
		return math.NaN()
	}
	return Exp(float64(y * Log(x)))
}

// PowInt returns x^n for n ≥ 0 by binary exponentiation (about log2 n
// roundings): the Adam bias corrections β^t.
func PowInt(x float64, n int) float64 {
	r := 1.0
	for ; n > 0; n >>= 1 {
		if n&1 == 1 {
			r = float64(r * x)
		}
		x = float64(x * x)
	}
	return r
}

// π/2 = pio2A + pio2B + pio2C; pio2A and pio2B have 30 significant bits, so
// k·pio2A and k·pio2B are exact for |k| < 2^23.
const (
	pio2A = 1.5707963276654482
	pio2B = -8.705515692000731e-10
	pio2C = -3.50343439808993e-19
	twoPi = 0.6366197723675814 // 2/π
)

// reduce returns r = x - k·π/2 (|r| ≲ π/4) and k mod 4. Exact reduction holds
// for |x| < 2^23·π/2 ≈ 1.3e7; beyond that the result is still deterministic
// but loses accuracy (RoPE angles stay far below).
func reduce(x float64) (float64, int) {
	k := math.RoundToEven(float64(x * twoPi))
	r := x - float64(k*pio2A)
	r -= float64(k * pio2B)
	r -= float64(k * pio2C)
	q := int(math.Mod(k, 4))
	if q < 0 {
		q += 4
	}
	return r, q
}

// sinTaylor is Σ (-1)^n r^(2n+1)/(2n+1)! to r^17 (truncation below 2^-60 for
// |r| ≤ π/4); cosTaylor likewise to r^18.
func sinTaylor(r float64) float64 {
	r2 := float64(r * r)
	p := -1.0 / 355687428096000 // -1/17!
	for _, c := range [...]float64{
		1.0 / 1307674368000, -1.0 / 6227020800, 1.0 / 39916800,
		-1.0 / 362880, 1.0 / 5040, -1.0 / 120, 1.0 / 6,
	} {
		p = float64(p*r2) + c
	}
	// r - r³·(1/6 - r²/120 + ...), written so the leading term is exact.
	return r - float64(float64(r*r2)*p)
}

func cosTaylor(r float64) float64 {
	r2 := float64(r * r)
	p := 1.0 / 6402373705728000 // 1/18!
	for _, c := range [...]float64{
		-1.0 / 20922789888000, 1.0 / 87178291200, -1.0 / 479001600,
		1.0 / 3628800, -1.0 / 40320, 1.0 / 720, -1.0 / 24, 1.0 / 2,
	} {
		p = float64(p*r2) + c
	}
	return 1 - float64(r2*p)
}

// Sin returns sin x (NaN for ±Inf and NaN).
func Sin(x float64) float64 {
	if x != x || math.IsInf(x, 0) {
		return math.NaN()
	}
	r, q := reduce(x)
	switch q {
	case 0:
		return sinTaylor(r)
	case 1:
		return cosTaylor(r)
	case 2:
		return -sinTaylor(r)
	}
	return -cosTaylor(r)
}

// Cos returns cos x (NaN for ±Inf and NaN).
func Cos(x float64) float64 {
	if x != x || math.IsInf(x, 0) {
		return math.NaN()
	}
	r, q := reduce(x)
	switch q {
	case 0:
		return cosTaylor(r)
	case 1:
		return -sinTaylor(r)
	case 2:
		return -cosTaylor(r)
	}
	return sinTaylor(r)
}

// Tanh returns tanh x = e' / (e' + 2) with e' = e^(2x) - 1 (Expm1), ±1 beyond
// |x| > 20 where the difference is below half an ulp.
func Tanh(x float64) float64 {
	switch {
	case x != x:
		return x
	case x > 20:
		return 1
	case x < -20:
		return -1
	}
	e := Expm1(float64(2 * x))
	return e / (e + 2)
}

// Erf returns the error function. For |x| < 1.5 it sums the series
// erf x = 2/√π · e^(-x²) · Σ 2^n x^(2n+1)/(1·3·…·(2n+1)), whose terms are all
// positive (no cancellation); beyond, erf x = 1 - erfc x with erfc from its
// continued fraction, and ±1 for |x| ≥ 6 (erfc 6 < 2^-55).
func Erf(x float64) float64 {
	switch {
	case x != x:
		return x
	case x < 0:
		return -Erf(-x)
	case x >= 6:
		return 1
	case x >= 1.5:
		return 1 - Erfc(x)
	}
	x2, x2err := square(x)
	term, sum := x, x
	for n := 0; term > float64(sum*0x1p-60); n++ {
		term = float64(term*(2*x2)) / float64(2*n+3)
		sum += term
	}
	return float64(float64(sum*(2/math.SqrtPi)) * expNegSquare(x2, x2err))
}

// Erfc returns 1 - erf x, accurate also where it is tiny. For x ≥ 1.5 it
// uses the continued fraction erfc x = e^(-x²)/√π / (x + (1/2)/(x + 1/(x +
// (3/2)/(x + …)))), evaluated bottom-up from a fixed depth of 120 (converged
// to float64 precision for x ≥ 1.5); elsewhere 1 - Erf x.
func Erfc(x float64) float64 {
	switch {
	case x != x:
		return x
	case x < 1.5:
		return 1 - Erf(x)
	case x > 27.3:
		return 0
	}
	k := x
	for n := 120; n >= 1; n-- {
		k = x + float64(n)/2/k
	}
	return expNegSquare(square(x)) / math.SqrtPi / k
}

// expNegSquare returns e^-(s+err) ≈ e^-s·(1 - err) for the rounded square s
// of x and its rounding error err: the rounding of x² alone would cost up to
// 16 ulp at x = 4.
func expNegSquare(s, err float64) float64 {
	e := Exp(-s)
	return e - float64(e*err)
}

// square returns x² rounded (s) and its exact rounding error (x² - s), by
// Dekker's splitting of x into two 26-bit halves whose products are exact.
func square(x float64) (s, err float64) {
	s = float64(x * x)
	t := float64(x * 134217729) // 2^27 + 1
	hi := t - (t - x)
	lo := x - hi
	err = float64(hi*hi) - s
	err += float64(2 * float64(hi*lo))
	err += float64(lo * lo)
	return s, err
}
