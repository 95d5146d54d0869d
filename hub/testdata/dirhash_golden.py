#!/usr/bin/env python3
"""Independent reference for hub.DirHash / hub.TreeHash / hub.SecureHash.

Reproduces the upstream model hash (Nous finetuning-subnet
model/storage/disk/utils.py get_hash_of_directory and get_hash_of_two_strings,
as described in shared/specs/finetuning-subnet.md section 1.3) with the
standard library only, and prints the values recorded in hub/hash_test.go.

Run from the repository root:  python3 hub/testdata/dirhash_golden.py
"""
import base64
import hashlib
import os
import re
import shutil
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
HOTKEY = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY"  # //Alice

# The files transformers downloads for a causal LM + tokenizer (spec 1.3).
ALLOWED = {
    "added_tokens.json", "config.json", "generation_config.json",
    "model.safetensors", "model.safetensors.index.json",
    "special_tokens_map.json", "tokenizer.json", "tokenizer.model",
    "tokenizer_config.json",
}
SHARD = re.compile(r"^model-[0-9]{5}-of-[0-9]{5}\.safetensors$")


def get_hash_of_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(65536), b""):
            h.update(block)
    return base64.b64encode(h.digest()).decode("utf-8")


def get_hash_of_directory(path):
    dir_hash = hashlib.sha256()
    for root, dirs, files in os.walk(path):
        dirs.sort()
        for name in sorted(files):
            dir_hash.update(get_hash_of_file(os.path.join(root, name)).encode("utf-8"))
    return base64.b64encode(dir_hash.digest()).decode("utf-8")


def get_hash_of_two_strings(a, b):
    return base64.b64encode(hashlib.sha256((a + b).encode("utf-8")).digest()).decode("utf-8")


def snapshot_copy(src):
    """What a transformers snapshot of src holds: the allow-listed top-level files."""
    dst = tempfile.mkdtemp()
    for name in os.listdir(src):
        full = os.path.join(src, name)
        if os.path.isfile(full) and (name in ALLOWED or SHARD.match(name)):
            shutil.copyfile(full, os.path.join(dst, name))
    return dst


def main():
    tree = os.path.join(HERE, "tree")
    print("walk order:")
    for root, dirs, files in os.walk(tree):
        dirs.sort()
        for name in sorted(files):
            print("  ", os.path.relpath(os.path.join(root, name), tree))
    print("tree hash      :", get_hash_of_directory(tree))
    print("big.bin b64    :", get_hash_of_file(os.path.join(tree, "big.bin")))
    snap = snapshot_copy(os.path.join(HERE, "model"))
    try:
        h = get_hash_of_directory(snap)
    finally:
        shutil.rmtree(snap)
    print("model hash H   :", h)
    print("secure hash S  :", get_hash_of_two_strings(h, HOTKEY))
    empty = tempfile.mkdtemp()
    print("empty dir hash :", get_hash_of_directory(empty))
    os.rmdir(empty)


if __name__ == "__main__":
    main()
