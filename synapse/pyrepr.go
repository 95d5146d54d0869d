package synapse

import (
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
	var b strings.Builder
	if err := pyWrite(&b, reflect.ValueOf(v), false); err != nil {
		return "", err
	}
	return b.String(), nil
}

// PyRepr renders v like Python's repr().
func PyRepr(v any) (string, error) {
	var b strings.Builder
	if err := pyWrite(&b, reflect.ValueOf(v), true); err != nil {
		return "", err
	}
	return b.String(), nil
}

func pyWrite(b *strings.Builder, v reflect.Value, repr bool) error {
	if !v.IsValid() {
		b.WriteString("None")
		return nil
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			b.WriteString("None")
			return nil
		}
		return pyWrite(b, v.Elem(), repr)
	case reflect.String:
		if repr {
			pyQuote(b, v.String())
		} else {
			// JSON transport replaces invalid UTF-8 with U+FFFD; hash what the peer sees.
			b.WriteString(strings.ToValidUTF8(v.String(), "\uFFFD"))
		}
	case reflect.Bool:
		if v.Bool() {
			b.WriteString("True")
		} else {
			b.WriteString("False")
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		b.WriteString(strconv.FormatInt(v.Int(), 10))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		b.WriteString(strconv.FormatUint(v.Uint(), 10))
	case reflect.Float32:
		// float32 travels as its shortest decimal; Python parses that into a float64.
		f, _ := strconv.ParseFloat(strconv.FormatFloat(v.Float(), 'g', -1, 32), 64)
		b.WriteString(PyFloat(f))
	case reflect.Float64:
		b.WriteString(PyFloat(v.Float()))
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return fmt.Errorf("synapse: []byte has no Python rendering (it travels as a base64 string)")
		}
		if v.IsNil() {
			// encoding/json sends a nil slice as null.
			b.WriteString("None")
			return nil
		}
		return pyList(b, v)
	case reflect.Array:
		return pyList(b, v)
	default:
		return fmt.Errorf("synapse: no Python rendering for %s", v.Type())
	}
	return nil
}

func pyList(b *strings.Builder, v reflect.Value) error {
	b.WriteByte('[')
	for i := 0; i < v.Len(); i++ {
		if i > 0 {
			b.WriteString(", ")
		}
		if err := pyWrite(b, v.Index(i), true); err != nil {
			return err
		}
	}
	b.WriteByte(']')
	return nil
}

// pyQuote writes s as Python's repr(str) does: single quotes unless s contains a single
// quote and no double quote; escapes for the quote, backslash, \t \n \r, and \x/\u/\U
// for characters Python does not consider printable.
func pyQuote(b *strings.Builder, s string) {
	quote := byte('\'')
	if strings.IndexByte(s, '\'') >= 0 && strings.IndexByte(s, '"') < 0 {
		quote = '"'
	}
	b.WriteByte(quote)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		// An invalid byte decodes to RuneError, which is exactly what JSON transport
		// turns it into, so it is rendered as the printable U+FFFD below.
		switch {
		case r == rune(quote) || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(b, `\x%02x`, r)
		case r < 0x7f:
			b.WriteRune(r)
		case pyPrintable(r):
			b.WriteRune(r)
		case r <= 0xff:
			fmt.Fprintf(b, `\x%02x`, r)
		case r <= 0xffff:
			fmt.Fprintf(b, `\u%04x`, r)
		default:
			fmt.Fprintf(b, `\U%08x`, r)
		}
	}
	b.WriteByte(quote)
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
	switch {
	case math.IsNaN(f):
		return "nan"
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	}
	e := strconv.FormatFloat(f, 'e', -1, 64) // e.g. "-1.2345e+06"
	neg := false
	if e[0] == '-' {
		neg = true
		e = e[1:]
	}
	mant, expStr, _ := strings.Cut(e, "e")
	exp, _ := strconv.Atoi(expStr)
	digits := strings.Replace(mant, ".", "", 1)
	var out string
	if exp >= -4 && exp < 16 {
		if exp >= 0 {
			if len(digits) <= exp+1 {
				out = digits + strings.Repeat("0", exp+1-len(digits)) + ".0"
			} else {
				out = digits[:exp+1] + "." + digits[exp+1:]
			}
		} else {
			out = "0." + strings.Repeat("0", -exp-1) + digits
		}
	} else {
		m := digits[:1]
		if len(digits) > 1 {
			m += "." + digits[1:]
		}
		sign := "+"
		if exp < 0 {
			sign = "-"
			exp = -exp
		}
		out = fmt.Sprintf("%se%s%02d", m, sign, exp)
	}
	if neg {
		out = "-" + out
	}
	return out
}
