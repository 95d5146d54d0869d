#!/usr/bin/env python3
"""Regenerate pyrepr_golden.json: CPython's str(list_of_str) and the bittensor body hash
sha3_hex(sha3_hex(str(messages))) for 300 random message lists.

Run from this directory with Debian's python3:  python3 gen_pyrepr_golden.py
"""
import hashlib
import json
import random
import sys
import unicodedata

random.seed(20261122)


def h(s):
    return hashlib.sha3_256(s.encode()).hexdigest()


pools = [
    lambda: chr(random.randint(0x20, 0x7E)),
    lambda: chr(random.randint(0, 0x1F)),
    lambda: random.choice("'\"\\\n\t\r"),
    lambda: chr(random.randint(0x80, 0x2FF)),
    lambda: chr(random.randint(0x300, 0x36F)),  # combining marks
    lambda: chr(random.randint(0x2000, 0x206F)),  # punctuation and format characters
    lambda: chr(random.randint(0x4E00, 0x4F00)),
    lambda: chr(random.randint(0xE000, 0xE0FF)),  # private use
    lambda: chr(random.randint(0xFFF0, 0xFFFF)),  # specials, noncharacters
    lambda: chr(random.randint(0x1F300, 0x1F64F)),  # emoji
    lambda: chr(random.randint(0xE0000, 0xE007F)),  # tags
    lambda: chr(random.randint(0x10000, 0x10FFFF)),
]


def ok(c):
    o = ord(c)
    if 0xD800 <= o <= 0xDFFF:
        return False  # lone surrogates cannot travel through Go strings
    # Unassigned code points become printable when a later Unicode version assigns
    # them, so their repr depends on the peer's Python; keep only noncharacters.
    if unicodedata.category(c) == "Cn" and not (0xFDD0 <= o <= 0xFDEF or (o & 0xFFFE) == 0xFFFE):
        return False
    return True


cases = []
while len(cases) < 300:
    msgs = []
    for _ in range(random.randint(0, 4)):
        msgs.append("".join(c for c in (random.choice(pools)() for _ in range(random.randint(0, 12))) if ok(c)))
    cases.append({"messages": msgs, "str": str(msgs), "hash": h(h(str(msgs)))})

with open("pyrepr_golden.json", "w") as f:
    json.dump({"python": sys.version.split()[0], "unicode": unicodedata.unidata_version, "cases": cases}, f, ensure_ascii=True, indent=0)
