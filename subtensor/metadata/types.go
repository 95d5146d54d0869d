package metadata

import (
	"fmt"
	"strings"

	"github.com/taonet/taonet/subtensor/scale"
)

// DefKind is the kind of a type definition in the portable registry.
type DefKind uint8

// Type definition kinds, numbered as scale-info encodes them.
const (
	KindComposite DefKind = iota
	KindVariant
	KindSequence
	KindArray
	KindTuple
	KindPrimitive
	KindCompact
	KindBitSequence
)

// Primitive is a scale-info primitive, numbered as scale-info encodes it.
type Primitive uint8

// Primitives.
const (
	PrimBool Primitive = iota
	PrimChar
	PrimStr
	PrimU8
	PrimU16
	PrimU32
	PrimU64
	PrimU128
	PrimU256
	PrimI8
	PrimI16
	PrimI32
	PrimI64
	PrimI128
	PrimI256
)

var primNames = [...]string{"bool", "char", "str", "u8", "u16", "u32", "u64", "u128", "u256", "i8", "i16", "i32", "i64", "i128", "i256"}

func (p Primitive) String() string {
	if int(p) < len(primNames) {
		return primNames[p]
	}
	return fmt.Sprintf("primitive(%d)", p)
}

// size is the encoded width of a fixed-size primitive (0 for str).
func (p Primitive) size() int {
	switch p {
	case PrimBool, PrimU8, PrimI8:
		return 1
	case PrimU16, PrimI16:
		return 2
	case PrimChar, PrimU32, PrimI32:
		return 4
	case PrimU64, PrimI64:
		return 8
	case PrimU128, PrimI128:
		return 16
	case PrimU256, PrimI256:
		return 32
	}
	return 0
}

// Field is a named or unnamed field of a composite or variant.
type Field struct {
	Name     string // "" for tuple-like fields
	Type     uint32
	TypeName string
}

// Variant is one variant of an enum type.
type Variant struct {
	Name   string
	Index  uint8
	Fields []Field
	Docs   []string
}

// Type is one entry of the portable type registry.
type Type struct {
	ID       uint32
	Path     []string
	Params   []string
	Kind     DefKind
	Fields   []Field   // composite
	Variants []Variant // variant
	Elem     uint32    // sequence, array, compact: the element type
	Len      uint32    // array length
	Tuple    []uint32  // tuple members
	Prim     Primitive // primitive
	BitStore uint32    // bit sequence store type
	BitOrder uint32    // bit sequence order type
}

// PathString joins the type's path with "::" (e.g. "sp_runtime::DispatchError").
func (t *Type) PathString() string { return strings.Join(t.Path, "::") }

// VariantByIndex returns the variant with the given index.
func (t *Type) VariantByIndex(i uint8) (*Variant, bool) {
	for k := range t.Variants {
		if t.Variants[k].Index == i {
			return &t.Variants[k], true
		}
	}
	return nil, false
}

// VariantByName returns the variant with the given name.
func (t *Type) VariantByName(name string) (*Variant, bool) {
	for k := range t.Variants {
		if t.Variants[k].Name == name {
			return &t.Variants[k], true
		}
	}
	return nil, false
}

// Registry is the portable type registry, indexed by type id.
type Registry struct {
	types []Type
}

// Type returns the type with the given id.
func (r *Registry) Type(id uint32) (*Type, error) {
	if int(id) >= len(r.types) {
		return nil, fmt.Errorf("metadata: type id %d not in the registry (%d types)", id, len(r.types))
	}
	return &r.types[id], nil
}

// Len is the number of registered types.
func (r *Registry) Len() int { return len(r.types) }

// FindByPath returns the first type whose path is exactly path ("a::b::C").
func (r *Registry) FindByPath(path string) (*Type, bool) {
	for i := range r.types {
		if r.types[i].PathString() == path {
			return &r.types[i], true
		}
	}
	return nil, false
}

func decodeRegistry(d *scale.Decoder) (*Registry, error) {
	n, err := d.Len(2)
	if err != nil {
		return nil, fmt.Errorf("type count: %w", err)
	}
	r := &Registry{types: make([]Type, n)}
	for i := 0; i < n; i++ {
		id, err := d.CompactU64()
		if err != nil {
			return nil, err
		}
		if id != uint64(i) {
			// scale-info emits ids densely in order; anything else is not a
			// registry we can index by id.
			return nil, fmt.Errorf("type %d has id %d: registry not dense", i, id)
		}
		t, err := decodeType(d)
		if err != nil {
			return nil, fmt.Errorf("type %d: %w", i, err)
		}
		t.ID = uint32(i)
		r.types[i] = t
	}
	return r, r.check()
}

// check verifies that every type reference points into the registry, so later
// lookups can only fail for ids that came from outside the metadata.
func (r *Registry) check() error {
	ok := func(id uint32) bool { return int(id) < len(r.types) }
	for i := range r.types {
		t := &r.types[i]
		bad := false
		for _, f := range t.Fields {
			bad = bad || !ok(f.Type)
		}
		for _, v := range t.Variants {
			for _, f := range v.Fields {
				bad = bad || !ok(f.Type)
			}
		}
		for _, m := range t.Tuple {
			bad = bad || !ok(m)
		}
		switch t.Kind {
		case KindSequence, KindArray, KindCompact:
			bad = bad || !ok(t.Elem)
		case KindBitSequence:
			bad = bad || !ok(t.BitStore) || !ok(t.BitOrder)
		}
		if bad {
			return fmt.Errorf("type %d refers to a type id outside the registry", i)
		}
	}
	return nil
}

func decodeStrings(d *scale.Decoder) ([]string, error) {
	n, err := d.Len(1)
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, n)
	for i := 0; i < n; i++ {
		s, err := d.String()
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

func decodeOptString(d *scale.Decoder) (string, error) {
	some, err := d.U8()
	if err != nil {
		return "", err
	}
	switch some {
	case 0:
		return "", nil
	case 1:
		return d.String()
	}
	return "", fmt.Errorf("invalid Option tag %d", some)
}

func decodeTypeID(d *scale.Decoder) (uint32, error) {
	v, err := d.CompactU64()
	if err != nil {
		return 0, err
	}
	if v > 1<<31 {
		return 0, fmt.Errorf("type id %d too large", v)
	}
	return uint32(v), nil
}

func decodeFields(d *scale.Decoder) ([]Field, error) {
	n, err := d.Len(3)
	if err != nil {
		return nil, err
	}
	out := make([]Field, 0, n)
	for i := 0; i < n; i++ {
		var f Field
		if f.Name, err = decodeOptString(d); err != nil {
			return nil, err
		}
		if f.Type, err = decodeTypeID(d); err != nil {
			return nil, err
		}
		if f.TypeName, err = decodeOptString(d); err != nil {
			return nil, err
		}
		if _, err = decodeStrings(d); err != nil { // docs
			return nil, err
		}
		out = append(out, f)
	}
	return out, nil
}

func decodeType(d *scale.Decoder) (Type, error) {
	var t Type
	var err error
	if t.Path, err = decodeStrings(d); err != nil {
		return t, err
	}
	np, err := d.Len(2)
	if err != nil {
		return t, err
	}
	for i := 0; i < np; i++ {
		name, err := d.String()
		if err != nil {
			return t, err
		}
		some, err := d.U8()
		if err != nil {
			return t, err
		}
		if some == 1 {
			if _, err := decodeTypeID(d); err != nil {
				return t, err
			}
		} else if some != 0 {
			return t, fmt.Errorf("invalid Option tag %d in type parameter", some)
		}
		t.Params = append(t.Params, name)
	}
	if err := decodeDef(d, &t); err != nil {
		return t, err
	}
	_, err = decodeStrings(d) // docs
	return t, err
}

func decodeDef(d *scale.Decoder, t *Type) error {
	kind, err := d.U8()
	if err != nil {
		return err
	}
	t.Kind = DefKind(kind)
	switch t.Kind {
	case KindComposite:
		t.Fields, err = decodeFields(d)
	case KindVariant:
		t.Variants, err = decodeVariants(d)
	case KindSequence, KindCompact:
		t.Elem, err = decodeTypeID(d)
	case KindArray:
		if t.Len, err = d.U32(); err == nil {
			t.Elem, err = decodeTypeID(d)
		}
	case KindTuple:
		var n int
		if n, err = d.Len(1); err == nil {
			for i := 0; i < n && err == nil; i++ {
				var id uint32
				id, err = decodeTypeID(d)
				t.Tuple = append(t.Tuple, id)
			}
		}
	case KindPrimitive:
		var p uint8
		if p, err = d.U8(); err == nil {
			if int(p) >= len(primNames) {
				return fmt.Errorf("unknown primitive %d", p)
			}
			t.Prim = Primitive(p)
		}
	case KindBitSequence:
		if t.BitStore, err = decodeTypeID(d); err == nil {
			t.BitOrder, err = decodeTypeID(d)
		}
	default:
		return fmt.Errorf("unknown type definition kind %d", kind)
	}
	return err
}

func decodeVariants(d *scale.Decoder) ([]Variant, error) {
	n, err := d.Len(4)
	if err != nil {
		return nil, err
	}
	out := make([]Variant, 0, n)
	for i := 0; i < n; i++ {
		var v Variant
		if v.Name, err = d.String(); err != nil {
			return nil, err
		}
		if v.Fields, err = decodeFields(d); err != nil {
			return nil, err
		}
		if v.Index, err = d.U8(); err != nil {
			return nil, err
		}
		if v.Docs, err = decodeStrings(d); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}
