#!/usr/bin/env python3
"""Independent HIT vectors for the Backends tests.

For each RSA key file given (PEM, public or private), prints one line:

    NAME HIT-ORCHIDv2 HIT-ORCHIDv1 LSI

The modulus and exponent are read by OpenSSL (`openssl rsa ... -RSAPublicKey_out`
then `openssl asn1parse`), not by spkic. Every HIT is computed twice, and the script
fails if the two disagree:

  1. with Python's hashlib and integer arithmetic: the hash as one big integer,
     shifted right and masked (what HIPL's khi_encode does with OpenSSL BIGNUMs);
  2. with `openssl dgst` for the hash and a string of '0'/'1' characters cut in the
     middle for the extraction.

The Host Identity of an RSA key is RFC 3110's encoding (RFC 7401 section 5.2.9 and
appendix B): e_len (1 byte, or 0x00 and 2 bytes when e is longer than 255 bytes),
e, n, big-endian. The HIT is ORCHID(context, HI) with the HIP context ID
F0EF F02F BFF4 3D0F E793 0C3C 6E61 74EA:

  ORCHIDv2 (RFC 7343): 2001:20::/28, OGA ID 1 (RSA) in the next 4 bits, then the
           middle 96 bits of SHA-256(context | HI).
  ORCHIDv1 (RFC 4843): 2001:10::/28, then the middle 100 bits of SHA-1(context | HI).

The LSI is OpenHIP's HIT2LSI: 1.x.y.z from the last 24 bits of the (v2) HIT.
"""
import hashlib
import ipaddress
import os
import subprocess
import sys

CONTEXT = bytes.fromhex("F0EFF02FBFF43D0FE7930C3C6E6174EA")


def key_numbers(path):
    """(n, e) of a PEM key, as parsed by OpenSSL."""
    with open(path, "rb") as f:
        is_public = b"PUBLIC KEY" in f.read()
    args = ["openssl", "rsa", "-in", path, "-RSAPublicKey_out", "-outform", "DER"]
    if is_public:
        args.insert(2, "-pubin")
    der = subprocess.run(args, check=True, capture_output=True).stdout
    parsed = subprocess.run(["openssl", "asn1parse", "-inform", "DER"], input=der,
                            check=True, capture_output=True).stdout.decode()
    integers = [line.split(":")[-1].strip() for line in parsed.splitlines() if "INTEGER" in line]
    assert len(integers) == 2, parsed
    return int(integers[0], 16), int(integers[1], 16)


def to_bytes(value):
    return value.to_bytes((value.bit_length() + 7) // 8, "big")


def host_identity(n, e):
    e_bytes, n_bytes = to_bytes(e), to_bytes(n)
    if len(e_bytes) <= 255:
        prefix = bytes([len(e_bytes)])
    else:
        prefix = b"\x00" + len(e_bytes).to_bytes(2, "big")
    return prefix + e_bytes + n_bytes


def orchid_integers(hi, version):
    if version == 2:
        digest = hashlib.sha256(CONTEXT + hi).digest()
        prefix, prefix_bits, width = 0x2001002 << 4 | 1, 32, 96   # 28-bit prefix + OGA ID 1
    else:
        digest = hashlib.sha1(CONTEXT + hi).digest()
        prefix, prefix_bits, width = 0x2001001, 28, 100
    total = len(digest) * 8
    shift = (total - width) // 2
    middle = (int.from_bytes(digest, "big") >> shift) & ((1 << width) - 1)
    return (prefix << width) | middle


def orchid_bitstrings(hi, version):
    algorithm = "-sha256" if version == 2 else "-sha1"
    digest = subprocess.run(["openssl", "dgst", algorithm, "-binary"], input=CONTEXT + hi,
                            check=True, capture_output=True).stdout
    bits = "".join(format(byte, "08b") for byte in digest)
    width = 96 if version == 2 else 100
    start = (len(bits) - width) // 2
    if version == 2:
        head = format(0x2001002, "028b") + format(1, "04b")
    else:
        head = format(0x2001001, "028b")
    return int(head + bits[start:start + width], 2)


def main(paths):
    status = 0
    for path in paths:
        n, e = key_numbers(path)
        hi = host_identity(n, e)
        hits = []
        for version in (2, 1):
            a, b = orchid_integers(hi, version), orchid_bitstrings(hi, version)
            if a != b:
                print(f"{path}: the two ORCHIDv{version} computations disagree", file=sys.stderr)
                status = 1
            hits.append(ipaddress.IPv6Address(a))
        low = int(hits[0]) & 0xFFFFFF
        lsi = ipaddress.IPv4Address(0x01000000 | low)
        name = os.path.basename(path)
        print(f"{name} {hits[0].compressed} {hits[1].compressed} {lsi}")
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
