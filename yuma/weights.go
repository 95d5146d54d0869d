package yuma

import fx "github.com/taonet/taonet/fixed"

// Helpers the chain's set_weights needs, ported from subtensor epoch/math.rs so
// the stored rows match upstream to the unit.

// MaxUpscaleU16 is vec_u16_max_upscale_to_u16: scale values so the largest is
// 65535 (others rounded half away from zero); all-zero or empty input is returned
// unchanged. set_weights stores its values through this.
func MaxUpscaleU16(values []uint16) []uint16 {
	out := append([]uint16(nil), values...)
	var mx uint16
	for _, v := range values {
		mx = max(mx, v)
	}
	if mx == 0 {
		return out
	}
	u16max := fx.I32FromInt(65535)
	m := fx.I32FromInt(int64(mx))
	if mx > 32768 {
		ratio := u16max.SaturatingDiv(m)
		for i, v := range values {
			out[i] = fx.I32FromInt(int64(v)).SaturatingMul(ratio).Round().SaturatingToU16()
		}
		return out
	}
	for i, v := range values {
		out[i] = fx.I32FromInt(int64(v)).SaturatingMul(u16max).SaturatingDiv(m).Round().SaturatingToU16()
	}
	return out
}

// CheckMaxLimited is check_vec_max_limited: after normalizing the values to sum 1,
// the largest must be <= limit/65535 (set_weights' MaxWeightsLimit check).
func CheckMaxLimited(values []uint16, limit uint16) bool {
	lim := fx.U16ProportionToFixed(limit)
	x := make([]fx.I32F32, len(values))
	for i, v := range values {
		x[i] = fx.U16ToFixed(v)
	}
	normalize(x)
	for _, v := range x {
		if v > lim {
			return false
		}
	}
	return true
}

// MaxUpscaleToU16 is vec_max_upscale_to_u16 (the legacy pruning-score scaling of
// fixed-point proportions): if the maximum is 0, each value ×65535; else each
// value scaled so the maximum maps to 65535, rounded half away from zero.
func MaxUpscaleToU16(values []fx.I32F32) []uint16 {
	out := make([]uint16, len(values))
	var mx fx.I32F32
	for _, v := range values {
		mx = mx.Max(v)
	}
	u16max := fx.I32FromInt(65535)
	threshold := fx.I32FromInt(32768)
	switch {
	case mx == 0:
		for i, v := range values {
			out[i] = v.SaturatingMul(u16max).SaturatingToU16()
		}
	case mx > threshold:
		ratio := u16max.SaturatingDiv(mx)
		for i, v := range values {
			out[i] = v.SaturatingMul(ratio).Round().SaturatingToU16()
		}
	default:
		for i, v := range values {
			out[i] = v.SaturatingMul(u16max).SaturatingDiv(mx).Round().SaturatingToU16()
		}
	}
	return out
}
