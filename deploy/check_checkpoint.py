#!/usr/bin/env python3
"""An independent reader of jcm-ingestd's signed checkpoints (C2SP tlog-checkpoint in the C2SP
signed-note format), for a verifier who would rather not trust our code: it parses each note and
checks its Ed25519 signature with the `cryptography` package (pip install cryptography).

Usage: check_checkpoint.py PUBLIC_KEY_HEX FILE
Prints, per note: OK or BAD, the origin, the size and the head's chain hash in hex (compare it
with `select encode(chain_hash, 'hex') from jcm.ledger where project = … and seq = SIZE`).
Exit 0 when every note is signed by the key, else 1.
"""
import base64
import hashlib
import sys

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

EM_DASH = "\u2014 "


def notes(text):
    """Yields (body lines, [(key name, key hash, signature)]) for each note in text."""
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        if lines[i] == "":
            i += 1
            continue
        body = []
        while i < len(lines) and lines[i] != "":
            body.append(lines[i])
            i += 1
        i += 1  # the blank line before the signatures
        signatures = []
        while i < len(lines) and lines[i].startswith(EM_DASH):
            name, b64 = lines[i][len(EM_DASH):].split(" ")
            raw = base64.b64decode(b64)
            signatures.append((name, raw[:4], raw[4:]))
            i += 1
        yield body, signatures


def main():
    public = bytes.fromhex(sys.argv[1])
    key = Ed25519PublicKey.from_public_bytes(public)
    ok = True
    with open(sys.argv[2], encoding="utf-8") as f:
        text = f.read()
    for body, signatures in notes(text):
        message = ("\n".join(body) + "\n").encode("utf-8")
        good = False
        for name, key_hash, signature in signatures:
            # The key hash: SHA-256 of the key name, a newline, 0x01 (Ed25519) and the key.
            if hashlib.sha256(name.encode("utf-8") + b"\n\x01" + public).digest()[:4] != key_hash:
                continue
            try:
                key.verify(signature, message)
                good = True
            except InvalidSignature:
                pass
        origin, size, root = body[0], body[1], base64.b64decode(body[2]).hex()
        print(("OK" if good else "BAD"), origin, size, root, *body[3:])
        ok = ok and good
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
