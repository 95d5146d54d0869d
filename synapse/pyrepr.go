package synapse

import (
	"bytes"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// PyStr renders v the way Python's str() renders the equivalent value after a JSON
// round trip: strings as themselves, containers with the repr of their elements.
// Supported kinds: string, bool, signed and unsigned integers, floats, slices and
// arrays of supported kinds, and pointers (nil renders as None). Anything else (maps,
// structs, bytes) has no stable Python rendering here and is an error.
func PyStr(v any) (string, error) {
	b, err := appendPy(nil, reflect.ValueOf(v), false)
	return string(b), err
}

// PyRepr renders v like Python's repr().
func PyRepr(v any) (string, error) {
	b, err := appendPy(nil, reflect.ValueOf(v), true)
	return string(b), err
}

// appendPy appends the str() (or, with repr, the repr()) rendering of v to b. It
// appends in place so that a body hash renders its fields into one reused buffer.
func appendPy(b []byte, v reflect.Value, repr bool) ([]byte, error) {
	if !v.IsValid() {
		return append(b, "None"...), nil
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return append(b, "None"...), nil
		}
		return appendPy(b, v.Elem(), repr)
	case reflect.String:
		if repr {
			return appendPyQuote(b, v.String()), nil
		}
		// JSON transport replaces invalid UTF-8 with U+FFFD; hash what the peer sees.
		s := v.String()
		if !utf8.ValidString(s) {
			s = strings.ToValidUTF8(s, "\uFFFD")
		}
		return append(b, s...), nil
	case reflect.Bool:
		if v.Bool() {
			return append(b, "True"...), nil
		}
		return append(b, "False"...), nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.AppendInt(b, v.Int(), 10), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return strconv.AppendUint(b, v.Uint(), 10), nil
	case reflect.Float32:
		// float32 travels as its shortest decimal; Python parses that into a float64.
		f, _ := strconv.ParseFloat(strconv.FormatFloat(v.Float(), 'g', -1, 32), 64)
		return appendPyFloat(b, f), nil
	case reflect.Float64:
		return appendPyFloat(b, v.Float()), nil
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return b, fmt.Errorf("synapse: []byte has no Python rendering (it travels as a base64 string)")
		}
		if v.IsNil() {
			// encoding/json sends a nil slice as null.
			return append(b, "None"...), nil
		}
		return appendPyList(b, v)
	case reflect.Array:
		return appendPyList(b, v)
	default:
		return b, fmt.Errorf("synapse: no Python rendering for %s", v.Type())
	}
}

func appendPyList(b []byte, v reflect.Value) ([]byte, error) {
	b = append(b, '[')
	var err error
	for i := 0; i < v.Len(); i++ {
		if i > 0 {
			b = append(b, ", "...)
		}
		if b, err = appendPy(b, v.Index(i), true); err != nil {
			return b, err
		}
	}
	return append(b, ']'), nil
}

// appendPyQuote appends s as Python's repr(str) does: single quotes unless s contains
// a single quote and no double quote; escapes for the quote, backslash, \t \n \r, and
// \x/\u/\U for characters Python does not consider printable.
func appendPyQuote(b []byte, s string) []byte {
	quote := byte('\'')
	if strings.IndexByte(s, '\'') >= 0 && strings.IndexByte(s, '"') < 0 {
		quote = '"'
	}
	b = append(b, quote)
	for i := 0; i < len(s); {
		if c := s[i]; c >= 0x20 && c < 0x7f && c != quote && c != '\\' {
			b = append(b, c) // printable ASCII: the common case
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		// An invalid byte decodes to RuneError, which is exactly what JSON transport
		// turns it into, so it is rendered as the printable U+FFFD below.
		switch {
		case r == rune(quote) || r == '\\':
			b = append(b, '\\', byte(r))
		case r == '\t':
			b = append(b, `\t`...)
		case r == '\n':
			b = append(b, `\n`...)
		case r == '\r':
			b = append(b, `\r`...)
		case r < 0x20 || r == 0x7f:
			b = appendEscape(b, 'x', r, 2)
		case pyPrintable(r):
			b = utf8.AppendRune(b, r)
		case r <= 0xff:
			b = appendEscape(b, 'x', r, 2)
		case r <= 0xffff:
			b = appendEscape(b, 'u', r, 4)
		default:
			b = appendEscape(b, 'U', r, 8)
		}
	}
	return append(b, quote)
}

// appendEscape appends a backslash, kind and r as digits lower-case hex digits.
func appendEscape(b []byte, kind byte, r rune, digits int) []byte {
	const hexDigits = "0123456789abcdef"
	b = append(b, '\\', kind)
	for shift := 4 * (digits - 1); shift >= 0; shift -= 4 {
		b = append(b, hexDigits[(r>>shift)&0xf])
	}
	return b
}

// pyPrintable mirrors Python's str.isprintable for one non-ASCII character: everything
// except the categories Cc, Cf, Cs, Co, Cn, Zl, Zp and Zs. Go's unicode.IsPrint uses the
// same definition (it excludes Zs other than U+0020). The Unicode versions of Go and
// of the peer's Python may differ for newly assigned characters: Go 1.26 has Unicode
// 15, so e.g. U+31975 (CJK Ext. H) is printable here and in Python ≥ 3.12, but escaped
// by Python 3.11 (Unicode 14). Hashes of such text then differ between those peers.
func pyPrintable(r rune) bool {
	return unicode.IsPrint(r)
}

// PyFloat formats f like Python's repr(float) / str(float): the shortest digits that
// round-trip, positional notation for exponents in [-4, 16) with at least one fractional
// digit ("15.0"), scientific otherwise with a two-digit minimum exponent ("1e-05",
// "1e+16"), and "inf", "-inf", "nan".
func PyFloat(f float64) string {
	var buf [32]byte
	return string(appendPyFloat(buf[:0], f))
}

// appendPyFloat appends PyFloat(f) to b.
func appendPyFloat(b []byte, f float64) []byte {
	switch {
	case math.IsNaN(f):
		return append(b, "nan"...)
	case math.IsInf(f, 1):
		return append(b, "inf"...)
	case math.IsInf(f, -1):
		return append(b, "-inf"...)
	}
	var ebuf [32]byte
	e := strconv.AppendFloat(ebuf[:0], f, 'e', -1, 64) // e.g. "-1.2345e+06"
	if e[0] == '-' {
		b = append(b, '-')
		e = e[1:]
	}
	i := bytes.IndexByte(e, 'e')
	mant, expStr := e[:i], e[i+1:]
	exp := 0
	for _, c := range expStr[1:] {
		exp = exp*10 + int(c-'0')
	}
	if expStr[0] == '-' {
		exp = -exp
	}
	// digits is the mantissa without its point: "d" or "d.ddd" -> "dddd".
	var dbuf [24]byte
	digits := append(append(dbuf[:0], mant[0]), mant[min(2, len(mant)):]...)
	if exp >= -4 && exp < 16 {
		switch {
		case exp >= 0 && len(digits) <= exp+1:
			b = append(b, digits...)
			b = appendZeros(b, exp+1-len(digits))
			return append(b, ".0"...)
		case exp >= 0:
			b = append(b, digits[:exp+1]...)
			b = append(b, '.')
			return append(b, digits[exp+1:]...)
		default:
			b = append(b, "0."...)
			b = appendZeros(b, -exp-1)
			return append(b, digits...)
		}
	}
	b = append(b, digits[0])
	if len(digits) > 1 {
		b = append(b, '.')
		b = append(b, digits[1:]...)
	}
	b = append(b, 'e')
	if exp < 0 {
		b = append(b, '-')
		exp = -exp
	} else {
		b = append(b, '+')
	}
	if exp < 10 {
		b = append(b, '0')
	}
	return strconv.AppendInt(b, int64(exp), 10)
}

func appendZeros(b []byte, n int) []byte {
	for range n {
		b = append(b, '0')
	}
	return b
}
