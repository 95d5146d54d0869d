// Package scale implements the primitives of Parity's SCALE codec (little-endian
// fixed-width integers, compact integers, length-prefixed byte strings) that the
// metadata-driven encoder and decoder in package metadata are built from.
// The decoder never panics on hostile input: every read is bounds-checked and
// lengths are checked against the bytes that remain before anything is allocated.
package scale
