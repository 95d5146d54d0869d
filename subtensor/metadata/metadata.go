package metadata

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/taonet/taonet/subtensor/scale"
)

// Hasher is a storage key hasher, numbered as the metadata encodes it.
type Hasher uint8

// Storage hashers.
const (
	Blake2_128 Hasher = iota
	Blake2_256
	Blake2_128Concat
	Twox128
	Twox256
	Twox64Concat
	Identity
)

var hasherNames = [...]string{"Blake2_128", "Blake2_256", "Blake2_128Concat", "Twox128", "Twox256", "Twox64Concat", "Identity"}

func (h Hasher) String() string {
	if int(h) < len(hasherNames) {
		return hasherNames[h]
	}
	return fmt.Sprintf("hasher(%d)", h)
}

// StorageEntry is one storage item of a pallet.
type StorageEntry struct {
	Name     string
	Optional bool     // modifier Optional: absent means None, not Default
	Map      bool     // false: a plain value
	Hashers  []Hasher // one per key part
	Key      uint32   // key type (a tuple when there are several hashers)
	Value    uint32
	Default  []byte
}

// Constant is a pallet constant.
type Constant struct {
	Name  string
	Type  uint32
	Value []byte
}

// Pallet is one pallet of the runtime.
type Pallet struct {
	Name          string
	Index         uint8
	StoragePrefix string
	Storage       []StorageEntry
	Calls         *uint32 // the pallet's call enum type, if it has calls
	Events        *uint32
	Errors        *uint32
	Constants     []Constant
}

// SignedExtension is one transaction extension, in the order the extrinsic
// carries it: Type is encoded in the extrinsic ("extra"), Additional only in
// the signing payload ("additional signed").
type SignedExtension struct {
	Identifier string
	Type       uint32
	Additional uint32
}

// APIMethod is one runtime API method (v15 metadata only).
type APIMethod struct {
	Name   string
	Inputs []Field
	Output uint32
}

// API is one runtime API trait (v15 metadata only).
type API struct {
	Name    string
	Methods []APIMethod
}

// Metadata is a decoded runtime metadata blob.
type Metadata struct {
	Version          uint8
	Types            *Registry
	Pallets          []Pallet
	ExtrinsicVersion uint8
	SignedExtensions []SignedExtension
	APIs             []API // empty for v14
	// AddressType, SignatureType and CallType are the extrinsic's types when the
	// metadata names them (v15), or found from the UncheckedExtrinsic type's
	// parameters (v14); zero with ok false when neither says.
	AddressType, SignatureType, CallType uint32
	extrinsicTypesKnown                  bool
}

// Decode parses a metadata blob: the "meta" magic, a version byte (14 or 15)
// and the versioned body. It accepts the hex string state_getMetadata returns
// as well as raw bytes.
func Decode(b []byte) (*Metadata, error) {
	if bytes.HasPrefix(b, []byte("0x")) {
		raw, err := hex.DecodeString(strings.TrimSpace(string(b[2:])))
		if err != nil {
			return nil, fmt.Errorf("metadata: bad hex: %w", err)
		}
		b = raw
	}
	if len(b) < 5 || string(b[:4]) != "meta" {
		return nil, fmt.Errorf("metadata: missing the \"meta\" magic (got %d bytes)", len(b))
	}
	d := scale.NewDecoder(b[5:])
	m := &Metadata{Version: b[4]}
	var err error
	switch m.Version {
	case 14, 15:
		err = m.decodeBody(d)
	default:
		return nil, fmt.Errorf("metadata: version %d is not supported (only 14 and 15)", m.Version)
	}
	if err != nil {
		return nil, fmt.Errorf("metadata v%d: %w", m.Version, err)
	}
	return m, nil
}

func (m *Metadata) decodeBody(d *scale.Decoder) error {
	var err error
	if m.Types, err = decodeRegistry(d); err != nil {
		return fmt.Errorf("types: %w", err)
	}
	if err = m.decodePallets(d); err != nil {
		return fmt.Errorf("pallets: %w", err)
	}
	if err = m.decodeExtrinsic(d); err != nil {
		return fmt.Errorf("extrinsic: %w", err)
	}
	if _, err = m.typeID(d); err != nil { // the runtime type
		return err
	}
	if m.Version == 15 {
		if err = m.decodeAPIs(d); err != nil {
			return fmt.Errorf("runtime apis: %w", err)
		}
		// outer enums and custom metadata follow; nothing here needs them.
	}
	if !m.extrinsicTypesKnown {
		m.findExtrinsicTypes()
	}
	return nil
}

// typeID reads a type id and checks it is in the registry.
func (m *Metadata) typeID(d *scale.Decoder) (uint32, error) {
	id, err := decodeTypeID(d)
	if err != nil {
		return 0, err
	}
	if int(id) >= m.Types.Len() {
		return 0, fmt.Errorf("type id %d outside the registry", id)
	}
	return id, nil
}

func (m *Metadata) optTypeID(d *scale.Decoder) (*uint32, error) {
	some, err := d.U8()
	if err != nil {
		return nil, err
	}
	switch some {
	case 0:
		return nil, nil
	case 1:
		id, err := m.typeID(d)
		return &id, err
	}
	return nil, fmt.Errorf("invalid Option tag %d", some)
}

func (m *Metadata) decodePallets(d *scale.Decoder) error {
	n, err := d.Len(6)
	if err != nil {
		return err
	}
	for i := 0; i < n; i++ {
		p, err := m.decodePallet(d)
		if err != nil {
			return fmt.Errorf("pallet %d (%s): %w", i, p.Name, err)
		}
		m.Pallets = append(m.Pallets, p)
	}
	return nil
}

func (m *Metadata) decodePallet(d *scale.Decoder) (Pallet, error) {
	var p Pallet
	var err error
	if p.Name, err = d.String(); err != nil {
		return p, err
	}
	if err = m.decodeStorage(d, &p); err != nil {
		return p, fmt.Errorf("storage: %w", err)
	}
	if p.Calls, err = m.optTypeID(d); err != nil {
		return p, err
	}
	if p.Events, err = m.optTypeID(d); err != nil {
		return p, err
	}
	if p.Constants, err = m.decodeConstants(d); err != nil {
		return p, err
	}
	if p.Errors, err = m.optTypeID(d); err != nil {
		return p, err
	}
	if p.Index, err = d.U8(); err != nil {
		return p, err
	}
	if m.Version == 15 {
		_, err = decodeStrings(d) // docs
	}
	return p, err
}

func (m *Metadata) decodeStorage(d *scale.Decoder, p *Pallet) error {
	some, err := d.U8()
	if err != nil || some == 0 {
		return err
	}
	if some != 1 {
		return fmt.Errorf("invalid Option tag %d", some)
	}
	if p.StoragePrefix, err = d.String(); err != nil {
		return err
	}
	n, err := d.Len(4)
	if err != nil {
		return err
	}
	for i := 0; i < n; i++ {
		e, err := m.decodeEntry(d)
		if err != nil {
			return fmt.Errorf("entry %d (%s): %w", i, e.Name, err)
		}
		p.Storage = append(p.Storage, e)
	}
	return nil
}

func (m *Metadata) decodeEntry(d *scale.Decoder) (StorageEntry, error) {
	var e StorageEntry
	var err error
	if e.Name, err = d.String(); err != nil {
		return e, err
	}
	mod, err := d.U8()
	if err != nil {
		return e, err
	}
	if mod > 1 {
		return e, fmt.Errorf("unknown storage modifier %d", mod)
	}
	e.Optional = mod == 0
	kind, err := d.U8()
	if err != nil {
		return e, err
	}
	switch kind {
	case 0:
		e.Value, err = m.typeID(d)
	case 1:
		e.Map = true
		if e.Hashers, err = decodeHashers(d); err != nil {
			return e, err
		}
		if e.Key, err = m.typeID(d); err != nil {
			return e, err
		}
		e.Value, err = m.typeID(d)
	default:
		return e, fmt.Errorf("unknown storage entry kind %d", kind)
	}
	if err != nil {
		return e, err
	}
	if e.Default, err = d.ByteVec(); err != nil {
		return e, err
	}
	_, err = decodeStrings(d)
	return e, err
}

func decodeHashers(d *scale.Decoder) ([]Hasher, error) {
	n, err := d.Len(1)
	if err != nil {
		return nil, err
	}
	out := make([]Hasher, 0, n)
	for i := 0; i < n; i++ {
		h, err := d.U8()
		if err != nil {
			return nil, err
		}
		if int(h) >= len(hasherNames) {
			return nil, fmt.Errorf("unknown storage hasher %d", h)
		}
		out = append(out, Hasher(h))
	}
	return out, nil
}

func (m *Metadata) decodeConstants(d *scale.Decoder) ([]Constant, error) {
	n, err := d.Len(3)
	if err != nil {
		return nil, err
	}
	out := make([]Constant, 0, n)
	for i := 0; i < n; i++ {
		var c Constant
		if c.Name, err = d.String(); err != nil {
			return nil, err
		}
		if c.Type, err = m.typeID(d); err != nil {
			return nil, err
		}
		if c.Value, err = d.ByteVec(); err != nil {
			return nil, err
		}
		if _, err = decodeStrings(d); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

func (m *Metadata) decodeExtrinsic(d *scale.Decoder) error {
	var err error
	if m.Version == 14 {
		if _, err = m.typeID(d); err != nil { // the UncheckedExtrinsic type
			return err
		}
	}
	if m.ExtrinsicVersion, err = d.U8(); err != nil {
		return err
	}
	if m.Version == 15 {
		ids := make([]uint32, 4) // address, call, signature, extra
		for i := range ids {
			if ids[i], err = m.typeID(d); err != nil {
				return err
			}
		}
		m.AddressType, m.CallType, m.SignatureType = ids[0], ids[1], ids[2]
		m.extrinsicTypesKnown = true
	}
	n, err := d.Len(3)
	if err != nil {
		return err
	}
	for i := 0; i < n; i++ {
		var s SignedExtension
		if s.Identifier, err = d.String(); err != nil {
			return err
		}
		if s.Type, err = m.typeID(d); err != nil {
			return err
		}
		if s.Additional, err = m.typeID(d); err != nil {
			return err
		}
		m.SignedExtensions = append(m.SignedExtensions, s)
	}
	return nil
}

func (m *Metadata) decodeAPIs(d *scale.Decoder) error {
	n, err := d.Len(3)
	if err != nil {
		return err
	}
	for i := 0; i < n; i++ {
		var a API
		if a.Name, err = d.String(); err != nil {
			return err
		}
		nm, err := d.Len(4)
		if err != nil {
			return err
		}
		for j := 0; j < nm; j++ {
			var meth APIMethod
			if meth.Name, err = d.String(); err != nil {
				return err
			}
			ni, err := d.Len(2)
			if err != nil {
				return err
			}
			for k := 0; k < ni; k++ {
				var f Field
				if f.Name, err = d.String(); err != nil {
					return err
				}
				if f.Type, err = m.typeID(d); err != nil {
					return err
				}
				meth.Inputs = append(meth.Inputs, f)
			}
			if meth.Output, err = m.typeID(d); err != nil {
				return err
			}
			if _, err = decodeStrings(d); err != nil {
				return err
			}
			a.Methods = append(a.Methods, meth)
		}
		if _, err = decodeStrings(d); err != nil {
			return err
		}
		m.APIs = append(m.APIs, a)
	}
	return nil
}

// findExtrinsicTypes reads the address, call and signature types from the
// UncheckedExtrinsic type's generic parameters, which v14 metadata lacks as
// fields of its own. scale-info keeps parameter names but the registry entry
// for UncheckedExtrinsic lists them in the order Address, Call, Signature, Extra.
func (m *Metadata) findExtrinsicTypes() {
	// The params of the UncheckedExtrinsic type are not kept with ids by
	// decodeType (only names), so find the types structurally instead.
	if t, ok := m.Types.FindByPath("sp_runtime::multiaddress::MultiAddress"); ok {
		m.AddressType = t.ID
	}
	if t, ok := m.Types.FindByPath("sp_runtime::MultiSignature"); ok {
		m.SignatureType = t.ID
	}
	for _, p := range m.Pallets {
		if p.Calls != nil {
			// The runtime's outer call enum has one variant per pallet with calls,
			// indexed by the pallet index and holding that pallet's call type.
			for i := range m.Types.types {
				t := &m.Types.types[i]
				if t.Kind == KindVariant && len(t.Path) > 0 && t.Path[len(t.Path)-1] == "RuntimeCall" {
					m.CallType = t.ID
					m.extrinsicTypesKnown = true
					return
				}
			}
			return
		}
	}
}

// Pallet returns the pallet with the given name.
func (m *Metadata) Pallet(name string) (*Pallet, error) {
	for i := range m.Pallets {
		if m.Pallets[i].Name == name {
			return &m.Pallets[i], nil
		}
	}
	return nil, fmt.Errorf("metadata: no pallet %q in this runtime", name)
}

// PalletByIndex returns the pallet with the given index.
func (m *Metadata) PalletByIndex(i uint8) (*Pallet, error) {
	for k := range m.Pallets {
		if m.Pallets[k].Index == i {
			return &m.Pallets[k], nil
		}
	}
	return nil, fmt.Errorf("metadata: no pallet with index %d in this runtime", i)
}

// Storage returns the storage entry pallet.item.
func (m *Metadata) Storage(pallet, item string) (*Pallet, *StorageEntry, error) {
	p, err := m.Pallet(pallet)
	if err != nil {
		return nil, nil, err
	}
	for i := range p.Storage {
		if p.Storage[i].Name == item {
			return p, &p.Storage[i], nil
		}
	}
	return nil, nil, fmt.Errorf("metadata: no storage item %s.%s in this runtime", pallet, item)
}

// HasStorage reports whether pallet.item exists.
func (m *Metadata) HasStorage(pallet, item string) bool {
	_, _, err := m.Storage(pallet, item)
	return err == nil
}

// Call returns the pallet and the call variant pallet.call.
func (m *Metadata) Call(pallet, call string) (*Pallet, *Variant, error) {
	p, err := m.Pallet(pallet)
	if err != nil {
		return nil, nil, err
	}
	if p.Calls == nil {
		return nil, nil, fmt.Errorf("metadata: pallet %s has no calls", pallet)
	}
	t, err := m.Types.Type(*p.Calls)
	if err != nil {
		return nil, nil, err
	}
	v, ok := t.VariantByName(call)
	if !ok {
		return nil, nil, fmt.Errorf("metadata: no call %s.%s in this runtime", pallet, call)
	}
	return p, v, nil
}

// API returns the runtime API method api.method (v15 metadata only).
func (m *Metadata) API(api, method string) (*APIMethod, error) {
	for i := range m.APIs {
		if m.APIs[i].Name != api {
			continue
		}
		for j := range m.APIs[i].Methods {
			if m.APIs[i].Methods[j].Name == method {
				return &m.APIs[i].Methods[j], nil
			}
		}
	}
	return nil, fmt.Errorf("metadata v%d: no runtime API %s_%s", m.Version, api, method)
}

// Constant returns the constant pallet.name.
func (m *Metadata) Constant(pallet, name string) (*Constant, error) {
	p, err := m.Pallet(pallet)
	if err != nil {
		return nil, err
	}
	for i := range p.Constants {
		if p.Constants[i].Name == name {
			return &p.Constants[i], nil
		}
	}
	return nil, fmt.Errorf("metadata: no constant %s.%s", pallet, name)
}
