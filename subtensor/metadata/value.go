package metadata

import (
	"fmt"
	"math/big"
	"reflect"

	"github.com/taonet/taonet/subtensor/scale"
)

// A decoded Value is one of: bool, uint64 (u8..u64 and compacts that fit),
// int64 (i8..i64), *big.Int (u128, u256, i128, i256, large compacts), string
// (str, char), []byte (sequences and arrays of u8), []Value (other sequences,
// arrays, tuples), *Composite, *VariantValue, or BitSequence.
type Value = any

// NamedValue is one field of a composite or variant value ("" when unnamed).
type NamedValue struct {
	Name  string
	Value Value
}

// Composite is a decoded struct, fields in declaration order.
type Composite struct {
	Fields []NamedValue
}

// Get returns the named field.
func (c *Composite) Get(name string) (Value, bool) {
	for _, f := range c.Fields {
		if f.Name == name {
			return f.Value, true
		}
	}
	return nil, false
}

// VariantValue is a decoded enum value.
type VariantValue struct {
	Name   string
	Index  uint8
	Fields []NamedValue
}

// BitSequence is a decoded BitVec: the bits in order and the store/order types.
type BitSequence struct {
	Bits []bool
}

// maxDepth bounds recursion so a hostile self-referencing type cannot blow the stack.
const maxDepth = 64

// DecodeValue decodes one value of type id from d.
func (m *Metadata) DecodeValue(id uint32, d *scale.Decoder) (Value, error) {
	return m.Types.decode(id, d, 0)
}

// DecodeAll decodes one value of type id from b and requires that all of b is used.
func (m *Metadata) DecodeAll(id uint32, b []byte) (Value, error) {
	d := scale.NewDecoder(b)
	v, err := m.DecodeValue(id, d)
	if err != nil {
		return nil, err
	}
	if d.Remaining() != 0 {
		t, _ := m.Types.Type(id)
		return nil, fmt.Errorf("metadata: %d bytes left over after decoding type %d (%s)", d.Remaining(), id, t.PathString())
	}
	return v, nil
}

func (r *Registry) decode(id uint32, d *scale.Decoder, depth int) (Value, error) {
	if depth > maxDepth {
		return nil, fmt.Errorf("metadata: type nesting deeper than %d", maxDepth)
	}
	t, err := r.Type(id)
	if err != nil {
		return nil, err
	}
	switch t.Kind {
	case KindPrimitive:
		return decodePrim(t.Prim, d)
	case KindCompact:
		return r.decodeCompact(t, d)
	case KindComposite:
		fs, err := r.decodeFields(t.Fields, d, depth)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", t.PathString(), err)
		}
		return &Composite{Fields: fs}, nil
	case KindVariant:
		return r.decodeVariant(t, d, depth)
	case KindSequence:
		n, err := d.Len(r.minSize(t.Elem, 0))
		if err != nil {
			return nil, err
		}
		return r.decodeElems(t.Elem, n, d, depth)
	case KindArray:
		return r.decodeElems(t.Elem, int(t.Len), d, depth)
	case KindTuple:
		out := make([]Value, 0, len(t.Tuple))
		for _, m := range t.Tuple {
			v, err := r.decode(m, d, depth+1)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	case KindBitSequence:
		return r.decodeBits(t, d)
	}
	return nil, fmt.Errorf("metadata: type %d has unknown kind %d", id, t.Kind)
}

func (r *Registry) decodeFields(fields []Field, d *scale.Decoder, depth int) ([]NamedValue, error) {
	out := make([]NamedValue, 0, len(fields))
	for _, f := range fields {
		v, err := r.decode(f.Type, d, depth+1)
		if err != nil {
			if f.Name != "" {
				return nil, fmt.Errorf("field %s: %w", f.Name, err)
			}
			return nil, err
		}
		out = append(out, NamedValue{Name: f.Name, Value: v})
	}
	return out, nil
}

func (r *Registry) decodeVariant(t *Type, d *scale.Decoder, depth int) (Value, error) {
	idx, err := d.U8()
	if err != nil {
		return nil, err
	}
	v, ok := t.VariantByIndex(idx)
	if !ok {
		return nil, fmt.Errorf("metadata: %s has no variant with index %d", t.PathString(), idx)
	}
	fs, err := r.decodeFields(v.Fields, d, depth)
	if err != nil {
		return nil, fmt.Errorf("%s::%s: %w", t.PathString(), v.Name, err)
	}
	return &VariantValue{Name: v.Name, Index: idx, Fields: fs}, nil
}

func (r *Registry) decodeElems(elem uint32, n int, d *scale.Decoder, depth int) (Value, error) {
	if r.isU8(elem) {
		b, err := d.Bytes(n)
		if err != nil {
			return nil, err
		}
		return append([]byte(nil), b...), nil
	}
	if n > d.Remaining() && r.minSize(elem, 0) > 0 {
		return nil, fmt.Errorf("%w: %d elements, %d bytes left", scale.ErrShort, n, d.Remaining())
	}
	out := make([]Value, 0, min(n, 1<<16))
	for i := 0; i < n; i++ {
		v, err := r.decode(elem, d, depth+1)
		if err != nil {
			return nil, fmt.Errorf("element %d: %w", i, err)
		}
		out = append(out, v)
	}
	return out, nil
}

func (r *Registry) decodeCompact(t *Type, d *scale.Decoder) (Value, error) {
	v, err := d.Compact()
	if err != nil {
		return nil, err
	}
	inner, err := r.Type(t.Elem)
	if err != nil {
		return nil, err
	}
	if inner.Kind == KindPrimitive && inner.Prim.size() <= 8 && v.BitLen() > 8*inner.Prim.size() {
		return nil, fmt.Errorf("metadata: compact %s overflows %s", v, inner.Prim)
	}
	if v.IsUint64() && (inner.Kind != KindPrimitive || inner.Prim.size() <= 8) {
		return v.Uint64(), nil
	}
	return v, nil
}

func (r *Registry) decodeBits(t *Type, d *scale.Decoder) (Value, error) {
	store, err := r.Type(t.BitStore)
	if err != nil {
		return nil, err
	}
	order, err := r.Type(t.BitOrder)
	if err != nil {
		return nil, err
	}
	width := 1
	if store.Kind == KindPrimitive {
		width = store.Prim.size()
	}
	nbits, err := d.CompactU64()
	if err != nil {
		return nil, err
	}
	words := (nbits + uint64(8*width) - 1) / uint64(8*width)
	if words*uint64(width) > uint64(d.Remaining()) {
		return nil, fmt.Errorf("%w: bit sequence of %d bits", scale.ErrShort, nbits)
	}
	raw, _ := d.Bytes(int(words) * width)
	msb := len(order.Path) > 0 && order.Path[len(order.Path)-1] == "Msb0"
	bits := make([]bool, nbits)
	for i := range bits {
		word, bit := i/(8*width), i%(8*width)
		// Words are little-endian integers; bit i of a word counts from the
		// least significant end for Lsb0 and from the most for Msb0.
		if msb {
			bit = 8*width - 1 - bit
		}
		b := raw[word*width+bit/8]
		bits[i] = b>>(bit%8)&1 == 1
	}
	return &BitSequence{Bits: bits}, nil
}

func decodePrim(p Primitive, d *scale.Decoder) (Value, error) {
	switch p {
	case PrimBool:
		return d.Bool()
	case PrimStr:
		return d.String()
	case PrimChar:
		v, err := d.U32()
		return string(rune(v)), err
	case PrimU8:
		v, err := d.U8()
		return uint64(v), err
	case PrimU16:
		v, err := d.U16()
		return uint64(v), err
	case PrimU32:
		v, err := d.U32()
		return uint64(v), err
	case PrimU64:
		return d.U64()
	case PrimU128, PrimU256:
		return d.UintN(p.size())
	case PrimI8, PrimI16, PrimI32, PrimI64:
		v, err := d.IntN(p.size())
		if err != nil {
			return nil, err
		}
		return v.Int64(), nil
	case PrimI128, PrimI256:
		return d.IntN(p.size())
	}
	return nil, fmt.Errorf("metadata: unknown primitive %d", p)
}

func (r *Registry) isU8(id uint32) bool {
	t, err := r.Type(id)
	return err == nil && t.Kind == KindPrimitive && t.Prim == PrimU8
}

// minSize is a lower bound on the encoded size of a type (used to reject
// lengths that cannot fit in the remaining input before allocating).
func (r *Registry) minSize(id uint32, depth int) int {
	t, err := r.Type(id)
	if err != nil || depth > 8 {
		return 0
	}
	switch t.Kind {
	case KindPrimitive:
		if t.Prim == PrimStr {
			return 1
		}
		return t.Prim.size()
	case KindCompact, KindSequence, KindVariant, KindBitSequence:
		return 1
	case KindArray:
		return int(t.Len) * r.minSize(t.Elem, depth+1)
	case KindTuple:
		n := 0
		for _, m := range t.Tuple {
			n += r.minSize(m, depth+1)
		}
		return n
	case KindComposite:
		n := 0
		for _, f := range t.Fields {
			n += r.minSize(f.Type, depth+1)
		}
		return n
	}
	return 0
}

// EncodeValue appends v encoded as type id. Besides the decoded Value forms it
// accepts Go conveniences: any integer type, decimal strings and *big.Int for
// integers; byte arrays/slices and strings for u8 sequences and arrays; any
// slice for sequences; map[string]any or []any for composites; a single value
// for a one-field composite (AccountId32 from [32]byte); a variant name string
// for a field-less variant; nil / a value for Option::None / Some.
func (m *Metadata) EncodeValue(e *scale.Encoder, id uint32, v any) error {
	return m.Types.encode(e, id, v, 0)
}

// Encode returns v encoded as type id.
func (m *Metadata) Encode(id uint32, v any) ([]byte, error) {
	var e scale.Encoder
	err := m.EncodeValue(&e, id, v)
	return e.Bytes(), err
}

func (r *Registry) encode(e *scale.Encoder, id uint32, v any, depth int) error {
	if depth > maxDepth {
		return fmt.Errorf("metadata: type nesting deeper than %d", maxDepth)
	}
	t, err := r.Type(id)
	if err != nil {
		return err
	}
	switch t.Kind {
	case KindPrimitive:
		return encodePrim(e, t.Prim, v)
	case KindCompact:
		n, err := toBig(unwrapSingle(v))
		if err != nil {
			return err
		}
		return e.Compact(n)
	case KindComposite:
		return r.encodeComposite(e, t, v, depth)
	case KindVariant:
		return r.encodeVariant(e, t, v, depth)
	case KindSequence:
		return r.encodeSeq(e, t.Elem, v, -1, depth)
	case KindArray:
		return r.encodeSeq(e, t.Elem, v, int(t.Len), depth)
	case KindTuple:
		items, ok := toSlice(v)
		if !ok || len(items) != len(t.Tuple) {
			return fmt.Errorf("metadata: tuple of %d needs %d values, got %T", len(t.Tuple), len(t.Tuple), v)
		}
		for i, m := range t.Tuple {
			if err := r.encode(e, m, items[i], depth+1); err != nil {
				return err
			}
		}
		return nil
	}
	return fmt.Errorf("metadata: encoding type kind %d is not supported", t.Kind)
}

func unwrapSingle(v any) any {
	for {
		c, ok := v.(*Composite)
		if !ok || len(c.Fields) != 1 {
			return v
		}
		v = c.Fields[0].Value
	}
}

func (r *Registry) encodeComposite(e *scale.Encoder, t *Type, v any, depth int) error {
	if len(t.Fields) == 0 {
		return nil
	}
	vals, err := fieldValues(t.Fields, v)
	if err != nil {
		return fmt.Errorf("%s: %w", t.PathString(), err)
	}
	for i, f := range t.Fields {
		if err := r.encode(e, f.Type, vals[i], depth+1); err != nil {
			return fmt.Errorf("%s.%s: %w", t.PathString(), f.Name, err)
		}
	}
	return nil
}

// fieldValues matches v to fields: by name from a map or *Composite, by
// position from a slice, or v itself for a single field.
func fieldValues(fields []Field, v any) ([]any, error) {
	out := make([]any, len(fields))
	switch x := v.(type) {
	case *Composite:
		if len(x.Fields) != len(fields) {
			return nil, fmt.Errorf("%d fields given, %d expected", len(x.Fields), len(fields))
		}
		for i := range fields {
			out[i] = x.Fields[i].Value
		}
		return out, nil
	case map[string]any:
		for i, f := range fields {
			fv, ok := x[f.Name]
			if !ok {
				return nil, fmt.Errorf("missing field %q", f.Name)
			}
			out[i] = fv
		}
		if len(x) != len(fields) {
			return nil, fmt.Errorf("%d fields given, %d expected", len(x), len(fields))
		}
		return out, nil
	case []any:
		if len(fields) > 1 || (len(x) == len(fields) && fields[0].Name != "") {
			if len(x) != len(fields) {
				return nil, fmt.Errorf("%d values given, %d fields expected", len(x), len(fields))
			}
			copy(out, x)
			return out, nil
		}
	}
	if len(fields) == 1 {
		out[0] = v
		return out, nil
	}
	return nil, fmt.Errorf("cannot use %T as a struct of %d fields", v, len(fields))
}

func (r *Registry) encodeVariant(e *scale.Encoder, t *Type, v any, depth int) error {
	name, fields := "", any(nil)
	isOption := len(t.Path) == 1 && t.Path[0] == "Option"
	switch x := v.(type) {
	case *VariantValue:
		name = x.Name
		c := &Composite{Fields: x.Fields}
		fields = c
	case string:
		if isOption {
			name, fields = "Some", x
		} else {
			name = x
		}
	case nil:
		if !isOption {
			return fmt.Errorf("metadata: nil for enum %s", t.PathString())
		}
		name = "None"
	default:
		if !isOption {
			return fmt.Errorf("metadata: cannot use %T as enum %s", v, t.PathString())
		}
		name, fields = "Some", x
	}
	vr, ok := t.VariantByName(name)
	if !ok {
		return fmt.Errorf("metadata: %s has no variant %q", t.PathString(), name)
	}
	e.U8(vr.Index)
	if len(vr.Fields) == 0 {
		return nil
	}
	vals, err := fieldValues(vr.Fields, fields)
	if err != nil {
		return fmt.Errorf("%s::%s: %w", t.PathString(), name, err)
	}
	for i, f := range vr.Fields {
		if err := r.encode(e, f.Type, vals[i], depth+1); err != nil {
			return fmt.Errorf("%s::%s: %w", t.PathString(), name, err)
		}
	}
	return nil
}

func (r *Registry) encodeSeq(e *scale.Encoder, elem uint32, v any, fixed, depth int) error {
	if r.isU8(elem) {
		if b, ok := toBytes(v); ok {
			if fixed >= 0 && len(b) != fixed {
				return fmt.Errorf("metadata: [u8; %d] given %d bytes", fixed, len(b))
			}
			if fixed < 0 {
				e.CompactU64(uint64(len(b)))
			}
			e.Raw(b)
			return nil
		}
	}
	items, ok := toSlice(v)
	if !ok {
		return fmt.Errorf("metadata: cannot use %T as a sequence", v)
	}
	if fixed >= 0 && len(items) != fixed {
		return fmt.Errorf("metadata: array of %d given %d values", fixed, len(items))
	}
	if fixed < 0 {
		e.CompactU64(uint64(len(items)))
	}
	for i, it := range items {
		if err := r.encode(e, elem, it, depth+1); err != nil {
			return fmt.Errorf("element %d: %w", i, err)
		}
	}
	return nil
}

func toBytes(v any) ([]byte, bool) {
	switch x := unwrapSingle(v).(type) {
	case []byte:
		return x, true
	case string:
		return []byte(x), true
	}
	rv := reflect.ValueOf(unwrapSingle(v))
	if rv.Kind() == reflect.Array && rv.Type().Elem().Kind() == reflect.Uint8 {
		b := make([]byte, rv.Len())
		reflect.Copy(reflect.ValueOf(b), rv)
		return b, true
	}
	return nil, false
}

func toSlice(v any) ([]any, bool) {
	if x, ok := v.([]any); ok {
		return x, true
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Slice && rv.Kind() != reflect.Array {
		return nil, false
	}
	out := make([]any, rv.Len())
	for i := range out {
		out[i] = rv.Index(i).Interface()
	}
	return out, true
}

func toBig(v any) (*big.Int, error) {
	switch x := v.(type) {
	case *big.Int:
		return x, nil
	case big.Int:
		return &x, nil
	case string:
		n, ok := new(big.Int).SetString(x, 10)
		if !ok {
			return nil, fmt.Errorf("metadata: %q is not an integer", x)
		}
		return n, nil
	case bool:
		return nil, fmt.Errorf("metadata: bool given for an integer")
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return big.NewInt(rv.Int()), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return new(big.Int).SetUint64(rv.Uint()), nil
	}
	return nil, fmt.Errorf("metadata: cannot use %T as an integer", v)
}

func encodePrim(e *scale.Encoder, p Primitive, v any) error {
	v = unwrapSingle(v)
	switch p {
	case PrimBool:
		b, ok := v.(bool)
		if !ok {
			return fmt.Errorf("metadata: bool needs a bool, got %T", v)
		}
		e.Bool(b)
		return nil
	case PrimStr:
		s, ok := v.(string)
		if !ok {
			return fmt.Errorf("metadata: str needs a string, got %T", v)
		}
		e.ByteVec([]byte(s))
		return nil
	case PrimChar:
		s, ok := v.(string)
		if !ok || len([]rune(s)) != 1 {
			return fmt.Errorf("metadata: char needs a one-rune string")
		}
		e.U32(uint32([]rune(s)[0]))
		return nil
	}
	n, err := toBig(v)
	if err != nil {
		return err
	}
	signed := p >= PrimI8
	if err := e.UintN(n, p.size(), signed); err != nil {
		return fmt.Errorf("metadata: %s: %w", p, err)
	}
	return nil
}

// AsUint64 converts a decoded integer Value (or a one-field composite around
// one) to uint64.
func AsUint64(v Value) (uint64, error) {
	switch x := unwrapSingle(v).(type) {
	case uint64:
		return x, nil
	case int64:
		if x >= 0 {
			return uint64(x), nil
		}
	case *big.Int:
		if x.IsUint64() {
			return x.Uint64(), nil
		}
	}
	return 0, fmt.Errorf("metadata: %v (%T) is not a u64", v, v)
}

// AsBig converts a decoded integer Value to a big.Int.
func AsBig(v Value) (*big.Int, error) {
	switch x := unwrapSingle(v).(type) {
	case uint64:
		return new(big.Int).SetUint64(x), nil
	case int64:
		return big.NewInt(x), nil
	case *big.Int:
		return x, nil
	}
	return nil, fmt.Errorf("metadata: %v (%T) is not an integer", v, v)
}

// AsBytes returns the bytes of a decoded u8 sequence/array (or a one-field
// composite around one, such as AccountId32).
func AsBytes(v Value) ([]byte, error) {
	if b, ok := unwrapSingle(v).([]byte); ok {
		return b, nil
	}
	return nil, fmt.Errorf("metadata: %T is not bytes", v)
}

// AsBool returns a decoded bool.
func AsBool(v Value) (bool, error) {
	if b, ok := unwrapSingle(v).(bool); ok {
		return b, nil
	}
	return false, fmt.Errorf("metadata: %T is not a bool", v)
}

// AsSlice returns a decoded sequence's elements.
func AsSlice(v Value) ([]Value, error) {
	switch x := unwrapSingle(v).(type) {
	case []Value:
		return x, nil
	case []byte:
		out := make([]Value, len(x))
		for i, b := range x {
			out[i] = uint64(b)
		}
		return out, nil
	}
	return nil, fmt.Errorf("metadata: %T is not a sequence", v)
}

// FieldOf returns the named field of a composite (or of a variant's fields).
func FieldOf(v Value, name string) (Value, error) {
	var fs []NamedValue
	switch x := v.(type) {
	case *Composite:
		fs = x.Fields
	case *VariantValue:
		fs = x.Fields
	default:
		return nil, fmt.Errorf("metadata: %T has no field %q", v, name)
	}
	for _, f := range fs {
		if f.Name == name {
			return f.Value, nil
		}
	}
	return nil, fmt.Errorf("metadata: no field %q", name)
}

// FormatUint is a helper for messages: the decimal text of an integer Value.
func FormatUint(v Value) string {
	n, err := AsBig(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return n.String()
}

func newDec(b []byte) *scale.Decoder { return scale.NewDecoder(b) }

// Zero builds the zero value of a type: zero integers, empty sequences,
// zeroed arrays, the first variant with zero fields. Callers set the fields
// they care about (the test servers build events this way).
func (m *Metadata) Zero(id uint32) (Value, error) { return m.Types.zero(id, 0) }

func (r *Registry) zero(id uint32, depth int) (Value, error) {
	if depth > maxDepth {
		return nil, fmt.Errorf("metadata: type nesting deeper than %d", maxDepth)
	}
	t, err := r.Type(id)
	if err != nil {
		return nil, err
	}
	fields := func(fs []Field) ([]NamedValue, error) {
		out := make([]NamedValue, len(fs))
		for i, f := range fs {
			v, err := r.zero(f.Type, depth+1)
			if err != nil {
				return nil, err
			}
			out[i] = NamedValue{Name: f.Name, Value: v}
		}
		return out, nil
	}
	switch t.Kind {
	case KindPrimitive:
		switch t.Prim {
		case PrimBool:
			return false, nil
		case PrimStr:
			return "", nil
		case PrimChar:
			return "\x00", nil
		}
		return uint64(0), nil
	case KindCompact:
		return uint64(0), nil
	case KindComposite:
		fs, err := fields(t.Fields)
		return &Composite{Fields: fs}, err
	case KindVariant:
		if len(t.Variants) == 0 {
			return nil, fmt.Errorf("metadata: %s has no variants", t.PathString())
		}
		fs, err := fields(t.Variants[0].Fields)
		return &VariantValue{Name: t.Variants[0].Name, Index: t.Variants[0].Index, Fields: fs}, err
	case KindSequence:
		return []Value{}, nil
	case KindArray:
		if r.isU8(t.Elem) {
			return make([]byte, t.Len), nil
		}
		out := make([]Value, t.Len)
		for i := range out {
			if out[i], err = r.zero(t.Elem, depth+1); err != nil {
				return nil, err
			}
		}
		return out, nil
	case KindTuple:
		out := make([]Value, len(t.Tuple))
		for i, x := range t.Tuple {
			if out[i], err = r.zero(x, depth+1); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	return nil, fmt.Errorf("metadata: no zero value for type kind %d", t.Kind)
}

// Variant builds the value of variant name of enum type id, with zero fields.
func (m *Metadata) Variant(id uint32, name string) (*VariantValue, error) {
	t, err := m.Types.Type(id)
	if err != nil {
		return nil, err
	}
	v, ok := t.VariantByName(name)
	if !ok {
		return nil, fmt.Errorf("metadata: %s has no variant %s", t.PathString(), name)
	}
	out := &VariantValue{Name: v.Name, Index: v.Index}
	for _, f := range v.Fields {
		z, err := m.Types.zero(f.Type, 1)
		if err != nil {
			return nil, err
		}
		out.Fields = append(out.Fields, NamedValue{Name: f.Name, Value: z})
	}
	return out, nil
}

// Set replaces the named field of a composite or variant value.
func Set(v Value, name string, x Value) error {
	var fs []NamedValue
	switch c := v.(type) {
	case *Composite:
		fs = c.Fields
	case *VariantValue:
		fs = c.Fields
	default:
		return fmt.Errorf("metadata: %T has no fields", v)
	}
	for i := range fs {
		if fs[i].Name == name {
			fs[i].Value = x
			return nil
		}
	}
	return fmt.Errorf("metadata: no field %q", name)
}
