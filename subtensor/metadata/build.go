package metadata

import "fmt"

// NewRegistry builds a type registry from types listed in id order (the ID
// of types[i] is set to i). It exists for type definitions that do not come
// from a runtime's metadata, such as the runtime API output types older
// subtensor runtimes implement without declaring them; every reference is
// checked as for a decoded registry, so decoding with it cannot index out
// of range.
func NewRegistry(types []Type) (*Registry, error) {
	r := &Registry{types: append([]Type(nil), types...)}
	for i := range r.types {
		r.types[i].ID = uint32(i)
	}
	if err := r.check(); err != nil {
		return nil, fmt.Errorf("metadata: %w", err)
	}
	return r, nil
}
