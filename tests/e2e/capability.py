"""Capability tokens from the holder's side: Ed25519 keys as did:key, and EdDSA compact JWTs
with UCAN-shaped claims, minted and taken apart in Python (independently of the server)."""

import base64
import hashlib
import json
import os
from dataclasses import dataclass, field

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

HEADER = {"alg": "EdDSA", "typ": "JWT"}
BASE58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
ED25519_MULTICODEC = b"\xed\x01"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def base58btc(data: bytes) -> str:
    number = int.from_bytes(data, "big")
    out = ""
    while number:
        number, digit = divmod(number, 58)
        out = BASE58_ALPHABET[digit] + out
    zeros = len(data) - len(data.lstrip(b"\0"))
    return "1" * zeros + out


def did_for_public_key(raw: bytes) -> str:
    assert len(raw) == 32
    return "did:key:z" + base58btc(ED25519_MULTICODEC + raw)


def token_id(token: str) -> str:
    """The server's id for a token: unpadded lower-case base32 of SHA-256 of its text."""
    return base64.b32encode(hashlib.sha256(token.encode("ascii")).digest()).decode("ascii").rstrip("=").lower()


@dataclass
class Holder:
    """An Ed25519 identity outside the server: a contact holding (and delegating) tokens."""

    key: Ed25519PrivateKey = field(default_factory=Ed25519PrivateKey.generate)

    @property
    def public_bytes(self) -> bytes:
        return self.key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)

    @property
    def did(self) -> str:
        return did_for_public_key(self.public_bytes)

    def sign_jwt(self, claims: dict, header: dict | None = None) -> str:
        signing_input = b64url(json.dumps(header or HEADER, separators=(",", ":")).encode()) + "." + \
            b64url(json.dumps(claims, separators=(",", ":")).encode())
        return signing_input + "." + b64url(self.key.sign(signing_input.encode("ascii")))

    def delegate(self, audience: str, capabilities, proofs, nbf=None, exp=None, issuer: str | None = None) -> str:
        """Signs a token as this holder (or claiming `issuer`) for `audience`, resting on `proofs`."""
        return self.sign_jwt(claims(issuer or self.did, audience, capabilities, proofs, nbf=nbf, exp=exp))


def claims(issuer, audience, capabilities, proofs, nbf=None, exp=None) -> dict:
    """UCAN-shaped claims; `capabilities` is [(resource, right), ...]."""
    return {
        "iss": issuer,
        "aud": audience,
        "att": [{"with": resource, "can": right} for resource, right in capabilities],
        "nbf": nbf,
        "exp": exp,
        "nnc": b64url(os.urandom(12)),
        "prf": list(proofs),
    }


def decode(token: str) -> tuple[dict, dict, bytes]:
    """Header, payload and signature of a compact JWS (unverified)."""
    header, payload, signature = token.split(".")
    return json.loads(b64url_decode(header)), json.loads(b64url_decode(payload)), b64url_decode(signature)


def with_payload(token: str, payload: dict) -> str:
    """`token` with its payload replaced and its header and signature kept: an altered token."""
    header, _, signature = token.split(".")
    return header + "." + b64url(json.dumps(payload, separators=(",", ":")).encode()) + "." + signature


def unsigned(payload: dict) -> str:
    """An `alg: none` token: no signature at all."""
    return b64url(b'{"alg":"none","typ":"JWT"}') + "." + b64url(json.dumps(payload).encode()) + "."


def verify_signature(token: str, did: str) -> bool:
    """Whether `token` is signed by the Ed25519 key behind `did` (for checking server-minted tokens)."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    assert did.startswith("did:key:z")
    number = 0
    for char in did[len("did:key:z"):]:
        number = number * 58 + BASE58_ALPHABET.index(char)
    raw = number.to_bytes(34, "big")
    assert raw[:2] == ED25519_MULTICODEC
    header, payload, signature = token.split(".")
    try:
        Ed25519PublicKey.from_public_bytes(raw[2:]).verify(b64url_decode(signature), (header + "." + payload).encode())
        return True
    except InvalidSignature:
        return False
