package synapse

import (
	"encoding/binary"
	"reflect"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// A flat synapse is a struct whose exported fields are all strings, bools, numbers or
// slices of these: the shape of every synapse this repository defines. The dendrite
// decodes one such body per response of a fan-out, so flat synapses get their own
// decoder: one pass over the bytes that validates as it goes, skips the base-class
// fields without building anything, and sets fields directly. It reproduces
// encoding/json.Unmarshal into an existing value exactly (FuzzDecodeMatchesEncodingJSON,
// TestDecodeMatchesEncodingJSONGenerated): the same key matching (exact name first,
// then the first field whose name folds the same), the same string unquoting (invalid
// UTF-8 and lone surrogates become U+FFFD), the same number parsing and range checks,
// null leaving strings, bools and numbers alone and clearing slices, slices reused and
// truncated, the nesting limit, and failure on any input encoding/json rejects. On
// failure the error message is encoding/json's, from decoding the body again into a
// fresh value (errors of flat types do not depend on the starting value).

// flatPlan says how to decode into one flat struct type.
type flatPlan struct {
	fields []flatField
}

type flatField struct {
	name   string // JSON name
	folded string // foldJSONName(name)
	index  int
	kind   reflect.Kind // the field's kind, or its element's for a slice
	slice  bool
}

// newFlatPlan returns the plan for t, or nil if t is not flat (or has a JSON name
// whose encoding/json treatment this decoder does not reproduce: then the general
// decoder is used).
func newFlatPlan(t reflect.Type) *flatPlan {
	if t.Kind() != reflect.Struct || !plainJSONType(t, map[reflect.Type]bool{}) {
		return nil
	}
	p := &flatPlan{}
	seen := map[string]bool{}
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Anonymous {
			return nil
		}
		if !f.IsExported() {
			continue
		}
		name := f.Name
		if tag, ok := f.Tag.Lookup("json"); ok {
			tn, opts, hasOpts := strings.Cut(tag, ",")
			if tn == "-" && !hasOpts {
				continue
			}
			if strings.Contains(opts, "string") {
				return nil
			}
			if tn != "" {
				if !plainTagName(tn) {
					return nil
				}
				name = tn
			}
		}
		if seen[name] {
			return nil // encoding/json's rules for clashing names are left to it
		}
		seen[name] = true
		ff := flatField{name: name, folded: string(foldJSONName(nil, []byte(name))), index: i}
		ft := f.Type
		if ft.Kind() == reflect.Slice {
			ff.slice = true
			ft = ft.Elem()
			if ft.Kind() == reflect.Uint8 {
				return nil // []byte is base64 text
			}
		}
		if !scalarKind(ft.Kind()) {
			return nil
		}
		ff.kind = ft.Kind()
		p.fields = append(p.fields, ff)
	}
	return p
}

// plainTagName: ASCII letters, digits, '_' and '-' (names encoding/json always takes
// as given).
func plainTagName(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// foldJSONName appends the case-folded form of name under which encoding/json matches
// keys to fields case-insensitively: ASCII letters upper-cased, any other rune r
// mapped to unicode.ToUpper(unicode.ToLower(r)).
func foldJSONName(out, name []byte) []byte {
	for i := 0; i < len(name); {
		c := name[i]
		if c < utf8.RuneSelf {
			if 'a' <= c && c <= 'z' {
				c -= 'a' - 'A'
			}
			out = append(out, c)
			i++
			continue
		}
		r, n := utf8.DecodeRune(name[i:])
		out = utf8.AppendRune(out, unicode.ToUpper(unicode.ToLower(r)))
		i += n
	}
	return out
}

// lookup finds the field for an unquoted key, or nil.
func (p *flatPlan) lookup(key []byte) *flatField {
	for i := range p.fields {
		if string(key) == p.fields[i].name {
			return &p.fields[i]
		}
	}
	var buf [64]byte
	folded := foldJSONName(buf[:0], key)
	for i := range p.fields {
		if string(folded) == p.fields[i].folded {
			return &p.fields[i]
		}
	}
	return nil
}

// maxJSONDepth is encoding/json's nesting limit (the top-level object is depth 1).
const maxJSONDepth = 10000

// decode decodes data (one JSON object, possibly followed by white space) into sv,
// an addressable struct of the plan's type. It reports false for anything
// encoding/json rejects; sv may then hold part of the input.
func (p *flatPlan) decode(data []byte, sv reflect.Value) bool {
	d := flatDecoder{data: data}
	d.space()
	if d.peek() != '{' || !d.object(p, sv) {
		return false
	}
	d.space()
	return d.off == len(d.data)
}

type flatDecoder struct {
	data    []byte
	off     int
	scratch []byte // unquoted strings with escapes or non-ASCII bytes
}

func (d *flatDecoder) peek() byte {
	if d.off < len(d.data) {
		return d.data[d.off]
	}
	return 0
}

func (d *flatDecoder) space() {
	for d.off < len(d.data) {
		switch d.data[d.off] {
		case ' ', '\t', '\n', '\r':
			d.off++
		default:
			return
		}
	}
}

// next consumes white space, then a ',' (true, more follows) or the closing byte
// (false, done); ok is false on anything else.
func (d *flatDecoder) next(closing byte) (more, ok bool) {
	d.space()
	switch d.peek() {
	case ',':
		d.off++
		d.space()
		return true, true
	case closing:
		d.off++
		return false, true
	}
	return false, false
}

// object decodes the top-level object at d.off into sv.
func (d *flatDecoder) object(p *flatPlan, sv reflect.Value) bool {
	d.off++ // '{'
	d.space()
	if d.peek() == '}' {
		d.off++
		return true
	}
	for {
		key, ok := d.str()
		if !ok || !d.colon() {
			return false
		}
		if f := p.lookup(key); f == nil {
			ok = d.skip(1)
		} else {
			ok = d.field(f, sv.Field(f.index))
		}
		if !ok {
			return false
		}
		more, ok := d.next('}')
		if !ok {
			return false
		}
		if !more {
			return true
		}
	}
}

// field decodes one value into a field, as encoding/json does into an existing value.
func (d *flatDecoder) field(f *flatField, v reflect.Value) bool {
	if !f.slice {
		return d.scalar(f.kind, v)
	}
	switch d.peek() {
	case 'n':
		if !d.literal("null") {
			return false
		}
		v.SetZero()
		return true
	case '[':
	default:
		return false // a type mismatch: encoding/json fails the whole decode
	}
	d.off++
	d.space()
	i := 0
	if d.peek() == ']' {
		d.off++
	} else {
		for {
			// The existing backing array is reused, as encoding/json does: an element
			// given as null keeps what that slot held.
			if i >= v.Cap() {
				v.Grow(1)
			}
			if i >= v.Len() {
				v.SetLen(i + 1)
			}
			if !d.scalar(f.kind, v.Index(i)) {
				return false
			}
			i++
			more, ok := d.next(']')
			if !ok {
				return false
			}
			if !more {
				break
			}
		}
	}
	if i < v.Len() {
		v.SetLen(i)
	}
	if i == 0 {
		v.Set(reflect.MakeSlice(v.Type(), 0, 0))
	}
	return true
}

// scalar decodes a string, bool, number or null into v of kind k.
func (d *flatDecoder) scalar(k reflect.Kind, v reflect.Value) bool {
	switch c := d.peek(); {
	case c == '"':
		s, ok := d.str()
		if !ok || k != reflect.String {
			return false
		}
		// A response mostly echoes the request's strings back into the copy of the
		// request: an equal string is kept rather than allocated again.
		if v.String() != string(s) {
			v.SetString(string(s))
		}
	case c == 't' || c == 'f':
		lit := "false"
		if c == 't' {
			lit = "true"
		}
		if !d.literal(lit) || k != reflect.Bool {
			return false
		}
		v.SetBool(c == 't')
	case c == 'n':
		return d.literal("null") // leaves strings, bools and numbers as they are
	case c == '-' || '0' <= c && c <= '9':
		num, ok := d.number()
		if !ok {
			return false
		}
		return setNumber(k, v, num)
	default:
		return false
	}
	return true
}

// setNumber stores a JSON number literal as encoding/json does: integers must parse as
// decimal integers in range, floats within range for their size.
func setNumber(k reflect.Kind, v reflect.Value, num []byte) bool {
	switch k {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, err := strconv.ParseInt(string(num), 10, 64)
		if err != nil || v.OverflowInt(n) {
			return false
		}
		v.SetInt(n)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		n, err := strconv.ParseUint(string(num), 10, 64)
		if err != nil || v.OverflowUint(n) {
			return false
		}
		v.SetUint(n)
	case reflect.Float32, reflect.Float64:
		n, err := strconv.ParseFloat(string(num), v.Type().Bits())
		if err != nil || v.OverflowFloat(n) {
			return false
		}
		v.SetFloat(n)
	default:
		return false
	}
	return true
}

func (d *flatDecoder) literal(lit string) bool {
	if len(d.data)-d.off >= len(lit) && string(d.data[d.off:d.off+len(lit)]) == lit {
		d.off += len(lit)
		return true
	}
	return false
}

// number consumes a number in JSON's grammar: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
func (d *flatDecoder) number() ([]byte, bool) {
	b, i := d.data, d.off
	digits := func() bool {
		j := i
		for i < len(b) && '0' <= b[i] && b[i] <= '9' {
			i++
		}
		return i > j
	}
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case !digits():
		return nil, false
	}
	if i < len(b) && b[i] == '.' {
		i++
		if !digits() {
			return nil, false
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if !digits() {
			return nil, false
		}
	}
	num := b[d.off:i]
	d.off = i
	return num, true
}

// str consumes a string and returns its unquoted bytes: a slice of the input when the
// string is plain ASCII without escapes, else d.scratch (valid until the next call).
func (d *flatDecoder) str() ([]byte, bool) {
	if d.peek() != '"' {
		return nil, false
	}
	b := d.data
	start := d.off + 1
	for i := start + plainRun(b[start:], true); i < len(b); i++ {
		switch c := b[i]; {
		case c == '"':
			d.off = i + 1
			return b[start:i], true
		case c == '\\' || c < 0x20 || c >= utf8.RuneSelf:
			return d.strSlow(start)
		}
	}
	return nil, false
}

// strSlow validates and unquotes a string with escapes or non-ASCII bytes.
func (d *flatDecoder) strSlow(start int) ([]byte, bool) {
	b := d.data
	out := d.scratch[:0]
	i := start
	for i < len(b) {
		c := b[i]
		switch {
		case c == '"':
			d.off = i + 1
			d.scratch = out
			return out, true
		case c < 0x20:
			return nil, false
		case c == '\\':
			if i+1 >= len(b) {
				return nil, false
			}
			switch e := b[i+1]; e {
			case '"', '\\', '/':
				out = append(out, e)
			case 'b':
				out = append(out, '\b')
			case 'f':
				out = append(out, '\f')
			case 'n':
				out = append(out, '\n')
			case 'r':
				out = append(out, '\r')
			case 't':
				out = append(out, '\t')
			case 'u':
				r := hex4(b[i+2:])
				if r < 0 {
					return nil, false
				}
				i += 6
				if utf16.IsSurrogate(r) {
					// A valid pair is one rune; anything else leaves U+FFFD for this
					// half and reads what follows on its own.
					r2 := rune(-1)
					if i+1 < len(b) && b[i] == '\\' && b[i+1] == 'u' {
						r2 = hex4(b[i+2:])
					}
					if dec := utf16.DecodeRune(r, r2); dec != unicode.ReplacementChar {
						i += 6
						r = dec
					} else {
						r = unicode.ReplacementChar
					}
				}
				out = utf8.AppendRune(out, r)
				continue
			default:
				return nil, false
			}
			i += 2
		case c < utf8.RuneSelf:
			out = append(out, c)
			i++
		default:
			r, n := utf8.DecodeRune(b[i:])
			if r == utf8.RuneError && n == 1 {
				out = utf8.AppendRune(out, unicode.ReplacementChar)
			} else {
				out = append(out, b[i:i+n]...)
			}
			i += n
		}
	}
	return nil, false
}

// hex4 parses four hex digits, or returns -1.
func hex4(b []byte) rune {
	if len(b) < 4 {
		return -1
	}
	var r rune
	for _, c := range b[:4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			c = c - 'A' + 10
		default:
			return -1
		}
		r = r*16 + rune(c)
	}
	return r
}

// skip consumes any value, validating it, inside a container at the given depth.
// It keeps the containers it is inside on a small stack of their closing bytes
// rather than recursing: a hostile body nested 10,000 deep must not grow a
// goroutine's stack by megabytes, 256 times in a fan-out.
func (d *flatDecoder) skip(depth int) bool {
	var buf [32]byte
	open := buf[:0]
	for {
		switch c := d.peek(); c {
		case '{', '[':
			if depth+len(open)+1 > maxJSONDepth {
				return false
			}
			closing := byte('}')
			if c == '[' {
				closing = ']'
			}
			d.off++
			d.space()
			if d.peek() == closing {
				d.off++
				break // an empty container is a complete value
			}
			open = append(open, closing)
			if c == '{' && !d.member() {
				return false
			}
			continue // its first value
		case '"':
			if !d.skipStr() {
				return false
			}
		case 't':
			if !d.literal("true") {
				return false
			}
		case 'f':
			if !d.literal("false") {
				return false
			}
		case 'n':
			if !d.literal("null") {
				return false
			}
		default:
			if _, ok := d.number(); !ok {
				return false
			}
		}
		// A value is complete: close the containers it completes, up to one that
		// has another value to come.
		for {
			if len(open) == 0 {
				return true
			}
			closing := open[len(open)-1]
			more, ok := d.next(closing)
			if !ok {
				return false
			}
			if more {
				if closing == '}' && !d.member() {
					return false
				}
				break
			}
			open = open[:len(open)-1]
		}
	}
}

// member consumes an object member's key and colon.
func (d *flatDecoder) member() bool {
	return d.skipStr() && d.colon()
}

// colon consumes the colon after a member's key, with the space around it.
func (d *flatDecoder) colon() bool {
	d.space()
	if d.peek() != ':' {
		return false
	}
	d.off++
	d.space()
	return true
}

// skipStr consumes a string, validating its escapes, without unquoting it.
func (d *flatDecoder) skipStr() bool {
	if d.peek() != '"' {
		return false
	}
	b := d.data
	for i := d.off + 1; i < len(b); i++ {
		i += plainRun(b[i:], false)
		if i >= len(b) {
			break
		}
		switch c := b[i]; {
		case c == '"':
			d.off = i + 1
			return true
		case c < 0x20:
			return false
		case c == '\\':
			if i+1 >= len(b) {
				return false
			}
			switch b[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i++
			case 'u':
				if hex4(b[i+2:]) < 0 {
					return false
				}
				i += 5
			default:
				return false
			}
		}
	}
	return false
}

// plainRun returns the length of b's leading run of string bytes that need no
// attention: not '"', '\\' or a control byte, and if ascii also below 0x80. It looks
// at eight bytes at a time (the signatures, hotkeys and uuids of a response's
// base-class fields are long runs of them) and stops at the word holding the first
// byte that needs attention, which the caller's byte loop then finds.
func plainRun(b []byte, ascii bool) int {
	const ones, high = 0x0101010101010101, 0x8080808080808080
	var mask uint64
	if ascii {
		mask = high
	}
	i := 0
	for ; i+8 <= len(b); i += 8 {
		x := binary.LittleEndian.Uint64(b[i : i+8])
		q, bs := x^('"'*ones), x^('\\'*ones)
		// Each term has a top bit set if some byte is below 0x20, is '"', is '\\'
		// (a zero byte after the xor), or (ascii) has its top bit set.
		if ((x-0x20*ones)&^x|(q-ones)&^q|(bs-ones)&^bs)&high|x&mask != 0 {
			break
		}
	}
	return i
}
