"""Server-to-server requests as another Haven sends them: RFC 9421 HTTP message signatures with
Ed25519 (Haven's profile: label `haven`, tag `haven`, covering @method, @target-uri, @authority
and, with a body, an RFC 9530 Content-Digest), written here independently of the server."""

import base64
import hashlib
import os
import socket
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from capability import b64url, did_for_public_key


def content_digest(body: bytes) -> str:
    return "sha-256=:" + base64.b64encode(hashlib.sha256(body).digest()).decode("ascii") + ":"


def authority(url: str) -> str:
    parts = urlsplit(url)
    default = {"http": 80, "https": 443}[parts.scheme]
    host = parts.hostname.lower()
    return host if parts.port in (None, default) else f"{host}:{parts.port}"


@dataclass
class ServerKey:
    """A Haven's owner key, read from `owner.key` (PKCS#8 PEM) in its home."""

    key: Ed25519PrivateKey

    @classmethod
    def of(cls, home_path: Path) -> "ServerKey":
        key = serialization.load_pem_private_key((Path(home_path) / "owner.key").read_bytes(), password=None)
        assert isinstance(key, Ed25519PrivateKey), type(key)
        return cls(key)

    @property
    def did(self) -> str:
        raw = self.key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        return did_for_public_key(raw)

    def signature_headers(self, method: str, target_uri: str, body: bytes | None, created: int | None = None,
                          expires: int | None = None, nonce: str | None = None) -> dict:
        """The fields that sign a request: Signature-Input, Signature, and Content-Digest with a body."""
        created = int(time.time()) if created is None else created
        expires = created + 60 if expires is None else expires
        nonce = nonce or b64url(os.urandom(16))
        components = ['"@method"', '"@target-uri"', '"@authority"']
        values = [method.upper(), target_uri, authority(target_uri)]
        headers = {}
        if body is not None:
            headers["Content-Digest"] = content_digest(body)
            components.append('"content-digest"')
            values.append(headers["Content-Digest"])
        params = (f'({" ".join(components)});created={created};expires={expires};nonce="{nonce}"'
                  f';alg="ed25519";keyid="{self.did}";tag="haven"')
        lines = [f"{name}: {value}" for name, value in zip(components, values)]
        lines.append(f'"@signature-params": {params}')
        signature = self.key.sign("\n".join(lines).encode("ascii"))
        headers["Signature-Input"] = f"haven={params}"
        headers["Signature"] = "haven=:" + base64.b64encode(signature).decode("ascii") + ":"
        return headers

    def prepare(self, method: str, url: str, body: bytes | None = None, token: str | None = None,
                sign_body: bytes | None = None, **times) -> requests.PreparedRequest:
        """A signed request ready to send. `sign_body` signs other bytes than those sent (tampering)."""
        prepared = requests.Request(method, url, data=body).prepare()
        # The URI exactly as it goes on the wire (requests may re-quote what it was given).
        signed = body if sign_body is None else sign_body
        prepared.headers.update(self.signature_headers(method, prepared.url, signed, **times))
        if body is not None:
            prepared.headers["Content-Type"] = "application/json"
        if token:
            prepared.headers["Authorization"] = f"Bearer {token}"
        return prepared


def send(prepared: requests.PreparedRequest, timeout=60) -> requests.Response:
    with requests.Session() as session:
        return session.send(prepared, timeout=timeout)


def wire_bytes(prepared: requests.PreparedRequest) -> bytes:
    """The request as HTTP/1.1 bytes, to be sent (and replayed) verbatim."""
    parts = urlsplit(prepared.url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    body = prepared.body or b""
    if isinstance(body, str):
        body = body.encode()
    lines = [f"{prepared.method} {target} HTTP/1.1", f"Host: {parts.netloc}", "Connection: close"]
    lines += [f"{name}: {value}" for name, value in prepared.headers.items() if name.lower() not in ("host", "connection")]
    if "Content-Length" not in prepared.headers:
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def send_bytes(host: str, port: int, data: bytes, timeout=30) -> tuple[int, bytes]:
    """Sends raw request bytes; returns the status and the body (the server closes after it)."""
    import http.client

    with socket.create_connection((host, port), timeout=timeout) as connection:
        connection.sendall(data)
        response = http.client.HTTPResponse(connection)
        response.begin()
        return response.status, response.read()
