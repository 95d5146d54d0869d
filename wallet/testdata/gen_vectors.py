#!/usr/bin/python3
"""Generates wallet/testdata fixed vectors with the same primitives upstream
bittensor uses (PyNaCl argon2i + SecretBox for $NACL; cryptography's Fernet
with PBKDF2-SHA256 for the legacy gAAAAA format). Run with Debian's python3
(apt-get install python3-nacl python3-cryptography ansible-core). Fixed nonce/IV/time so
the output is reproducible; upstream draws them at random."""
import base64, json
from nacl import pwhash, secret

NACL_SALT = b"\x13q\x83\xdf\xf1Z\t\xbc\x9c\x90\xb5Q\x879\xe9\xb1"
PASSWORD = "correct horse battery staple"

# The keyfile JSON exactly as bittensor's serialized_keypair_to_keyfile_data
# writes it for the spec mnemonic (json.dumps, default separators).
plain = json.dumps({
    "accountId": "0x46ebddef8cd9bb167dc30878d7113b7e168e6f0646beffd77d69d39bad76b47a",
    "publicKey": "0x46ebddef8cd9bb167dc30878d7113b7e168e6f0646beffd77d69d39bad76b47a",
    "privateKey": None,
    "secretPhrase": "bottom drive obey lake curtain smoke basket hold race lonely fit walk",
    "secretSeed": "0xfac7959dbfe72f052e5a0c3c8d6530f202b02fd8f9f5ca3580ec8deb7797479e",
    "ss58Address": "5DfhGyQdFobKM8NsWvEeAKk5EQQgYe9AydgJ7rMB6E1EqRzV",
}).encode()
open("keyfile_plain.json", "wb").write(plain)

key = pwhash.argon2i.kdf(secret.SecretBox.KEY_SIZE, PASSWORD.encode(), NACL_SALT,
                         opslimit=pwhash.argon2i.OPSLIMIT_SENSITIVE,
                         memlimit=pwhash.argon2i.MEMLIMIT_SENSITIVE)
open("nacl_key.hex", "w").write(key.hex())
box = secret.SecretBox(key)
enc = box.encrypt(plain, bytes(range(24)))
open("coldkey_nacl.bin", "wb").write(b"$NACL" + bytes(enc))

try:
    from cryptography.fernet import Fernet
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC
    kdf = PBKDF2HMAC(algorithm=hashes.SHA256(), length=32, iterations=10000000,
                     salt=b"Iguesscyborgslikemyselfhaveatendencytobeparanoidaboutourorigins")
    fkey = base64.urlsafe_b64encode(kdf.derive(PASSWORD.encode()))
    tok = Fernet(fkey)._encrypt_from_parts(plain, 1700000000, bytes(range(16)))
    open("coldkey_legacy.bin", "wb").write(tok)
except ImportError:
    pass

try:
    # Bittensor < 5 used the ansible_vault package: VaultLib.encrypt with the
    # default AES256 cipher (random salt, so this file differs per run).
    from ansible.parsing.vault import VaultLib, VaultSecret
    vault = VaultLib([("default", VaultSecret(PASSWORD.encode()))])
    open("coldkey_ansible.bin", "wb").write(vault.encrypt(plain))
except ImportError:
    pass
