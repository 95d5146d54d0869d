package fixed

// E is substrate_fixed's constant e as I9F23 (raw floor(e*2^23) = 22802600),
// widened to I32F32 by a 9-bit shift, as transcendental::exp returns for x == 1.
const E I32F32 = 22802600 << 9

// Exp ports substrate_fixed transcendental::exp::<I32F32, I32F32>: the Taylor
// series 1 + x + x^2/2! + ... + x^31/31!, computed term by term with checked
// floor-multiply and truncating divide (and 1/result for negative x). ok is
// false on any overflow, as upstream returns Err.
func Exp(x I32F32) (I32F32, bool) {
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
		// checked_div by the integer i: (term·2^32)/(i·2^32) truncated is
		// exactly term/i, and it cannot overflow.
		term /= I32F32(i)
		if term == 0 {
			break // every later term is 0 too: the sum is final
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

// ExpSafe is subtensor's exp_safe: clamp x to [-20, 20], then Exp; on error it
// returns 0 for x <= 0 and Max32 otherwise.
func ExpSafe(x I32F32) I32F32 {
	x = x.Clamp(-20<<32, 20<<32)
	if r, ok := Exp(x); ok {
		return r
	}
	if x <= 0 {
		return 0
	}
	return Max32
}
