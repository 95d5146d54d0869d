#!/usr/bin/python3
"""Writes golden.safetensors + golden.json with numpy only (Debian python3-numpy).

The file follows the upstream layout: 8-byte LE header length, compact JSON header
(__metadata__ first, tensors ordered by descending dtype size then name), header
space-padded to a multiple of 8, then the data. golden.json records, for every
tensor, dtype, shape, the float32 values numpy computed (for F16 via numpy's own
float16 rounding, for BF16 via round-to-nearest-even bit arithmetic) and the raw
little-endian bytes in hex. Run:  /usr/bin/python3 gen_golden.py
"""
import json
import struct

import numpy as np

rng = np.random.default_rng(20261122)


def bf16_bits(x):
    b = np.asarray(x, dtype=np.float32).view(np.uint32).astype(np.uint64)
    b = (b + 0x7FFF + ((b >> 16) & 1)) >> 16
    return b.astype(np.uint16)


tensors = {}
f32 = (rng.standard_normal((2, 3)) * 3).astype(np.float32)
f32[0, 0] = 1.0 / 3.0
tensors["layer.0.weight"] = ("F32", f32.astype("<f4").tobytes(), f32.shape, f32.ravel())
f16 = np.array([0.1, -2.5, 65504.0, 1e-5, 3.14159, 0.0], dtype=np.float16)
tensors["half"] = ("F16", f16.astype("<f2").tobytes(), f16.shape, f16.astype(np.float32).ravel())
src = (rng.standard_normal((3, 2)) * 10).astype(np.float32)
bits = bf16_bits(src).reshape(src.shape)
bf_vals = (bits.astype(np.uint32) << 16).view(np.float32)
tensors["bf"] = ("BF16", bits.astype("<u2").tobytes(), bits.shape, bf_vals.ravel())
tensors["bf_src"] = ("F32", src.astype("<f4").tobytes(), src.shape, src.ravel())
f64 = np.array(2.718281828459045, dtype=np.float64)
tensors["scalar"] = ("F64", f64.astype("<f8").tobytes(), (), np.array([f64], dtype=np.float32))
i32 = np.array([[1, -2], [3, 2147483647]], dtype=np.int32)
tensors["ints"] = ("I32", i32.astype("<i4").tobytes(), i32.shape, None)
tensors["empty"] = ("F32", b"", (0, 3), np.zeros(0, dtype=np.float32))
u8 = np.arange(5, dtype=np.uint8)
tensors["bytes"] = ("U8", u8.tobytes(), u8.shape, None)

size = {"F64": 8, "F32": 4, "I32": 4, "F16": 2, "BF16": 2, "U8": 1}
order = sorted(tensors, key=lambda n: (-size[tensors[n][0]], n))
metadata = {"format": "pt", "note": "golden ünïcode"}
header = {"__metadata__": metadata}
off = 0
for n in order:
    dt, raw, shape, _ = tensors[n]
    header[n] = {"dtype": dt, "shape": list(shape), "data_offsets": [off, off + len(raw)]}
    off += len(raw)
h = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
h += b" " * ((8 - len(h) % 8) % 8)
with open("golden.safetensors", "wb") as f:
    f.write(struct.pack("<Q", len(h)))
    f.write(h)
    for n in order:
        f.write(tensors[n][1])

expect = {"metadata": metadata, "tensors": {}}
for n in order:
    dt, raw, shape, vals = tensors[n]
    e = {"dtype": dt, "shape": list(shape), "hex": raw.hex()}
    if vals is not None:
        # float32 values as their exact bit patterns: no decimal rounding in the test.
        e["f32bits"] = [int(v) for v in np.asarray(vals, dtype=np.float32).view(np.uint32)]
    expect["tensors"][n] = e
with open("golden.json", "w") as f:
    json.dump(expect, f, indent=1, sort_keys=True)
