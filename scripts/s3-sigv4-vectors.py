#!/usr/bin/env python3
"""Writes Tests/HavenS3Tests/Vectors/sigv4.json: AWS Signature Version 4 reference signatures
for S3 requests, computed by botocore's own signer (botocore.auth.S3SigV4Auth), against which
HavenS3's SigV4Signer is tested as pure code.

Run once (python3 scripts/s3-sigv4-vectors.py) with botocore installed; the output is committed.
The requests are built here the way Haven's S3 client builds them: the key's path segments
percent-encoded (RFC 3986 unreserved characters and '/' kept), the query given as raw pairs.
"""
import hashlib
import json
import os
import sys
from unittest import mock
from urllib.parse import quote

import botocore
import botocore.auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials

TIMESTAMP = "2026-12-02T09:30:15"
CREDENTIALS = ("AKIAHAVENEXAMPLE0001", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYHAVENEXAMPLE")

CASES = [
    {
        "name": "put a chunk, write-once, real payload hash",
        "method": "PUT", "scheme": "http", "host": "127.0.0.1", "port": 9000, "region": "us-east-1",
        "bucket": "haven-chunks", "key": "chunks/3f/3fa4c1d2e5f60718293a4b5c6d7e8f90112233445566778899aabbccddeeff00",
        "params": [], "headers": [["If-None-Match", "*"], ["Content-Type", "application/octet-stream"]],
        "body": "the bytes of one chunk\n", "payload": "sha256",
    },
    {
        "name": "ranged get",
        "method": "GET", "scheme": "http", "host": "127.0.0.1", "port": 9000, "region": "us-east-1",
        "bucket": "haven-chunks", "key": "chunks/00/00ff", "params": [], "headers": [["Range", "bytes=10-99"]],
        "body": "", "payload": "sha256",
    },
    {
        "name": "head on the default http port (no port in host)",
        "method": "HEAD", "scheme": "http", "host": "s3.example.org", "port": 80, "region": "eu-west-1",
        "bucket": "b", "key": "chunks/ab/abcd", "params": [], "headers": [], "body": "", "payload": "sha256",
    },
    {
        "name": "delete",
        "method": "DELETE", "scheme": "http", "host": "localhost", "port": 4566, "region": "us-east-1",
        "bucket": "haven-chunks", "key": "chunks/ab/abcd", "params": [], "headers": [], "body": "",
        "payload": "sha256",
    },
    {
        "name": "list objects v2: query canonicalisation (sorting, reserved characters, empty values)",
        "method": "GET", "scheme": "http", "host": "127.0.0.1", "port": 9000, "region": "us-east-1",
        "bucket": "haven-chunks", "key": "",
        "params": [
            ["list-type", "2"], ["prefix", "chunks/"], ["max-keys", "1000"],
            ["continuation-token", "1/AbC+dEf==/x y~z"], ["start-after", "chunks/ä ö"], ["fetch-owner", ""],
            ["encoding-type", "url"],
        ],
        "headers": [], "body": "", "payload": "sha256",
    },
    {
        "name": "header canonicalisation: case, surrounding and repeated spaces",
        "method": "PUT", "scheme": "http", "host": "127.0.0.1", "port": 9000, "region": "us-east-1",
        "bucket": "haven-chunks", "key": "notes/a b/ü+&=.txt", "params": [],
        "headers": [["X-Amz-Meta-Note", "  two   spaced\twords  "], ["Content-Type", "text/plain"]],
        "body": "hello", "payload": "sha256",
    },
    {
        "name": "unsigned payload over https",
        "method": "PUT", "scheme": "https", "host": "s3.eu-central-1.example.com", "port": 443,
        "region": "eu-central-1", "bucket": "haven", "key": "chunks/12/1234", "params": [],
        "headers": [["Content-Type", "application/octet-stream"]], "body": "streamed bytes",
        "payload": "unsigned",
    },
]


class RecordingSigner(botocore.auth.S3SigV4Auth):
    """botocore's S3 signer, keeping the canonical request and string to sign it computed."""

    def string_to_sign(self, request, canonical_request):
        result = super().string_to_sign(request, canonical_request)
        self.recorded = (canonical_request, result)
        return result


def url_of(case):
    default = {"http": 80, "https": 443}[case["scheme"]]
    netloc = case["host"] if case["port"] == default else f'{case["host"]}:{case["port"]}'
    path = "/" + quote(case["bucket"], safe="") + ("/" + quote(case["key"], safe="/~") if case["key"] else "")
    return f'{case["scheme"]}://{netloc}{path}', path


def vector(case):
    url, path = url_of(case)
    body = case["body"].encode()
    request = AWSRequest(method=case["method"], url=url, data=body, params=[tuple(p) for p in case["params"]] or None)
    for name, value in case["headers"]:
        request.headers[name] = value
    if case["payload"] == "unsigned":
        request.context["client_config"] = Config(s3={"payload_signing_enabled": False})
    signer = RecordingSigner(Credentials(*CREDENTIALS), "s3", case["region"])
    fixed = botocore.compat.datetime.datetime.strptime(TIMESTAMP, "%Y-%m-%dT%H:%M:%S")
    with mock.patch("botocore.auth.get_current_datetime", return_value=fixed):
        signer.add_auth(request)
    canonical, string_to_sign = signer.recorded
    host = botocore.auth._host_from_url(url)
    return {
        "name": case["name"],
        "method": case["method"],
        "host": host,
        "path": path,
        "query": case["params"],
        "headers": case["headers"],
        "body": case["body"],
        "unsignedPayload": case["payload"] == "unsigned",
        "region": case["region"],
        "expected": {
            "payloadHash": request.headers["X-Amz-Content-SHA256"],
            "amzDate": request.headers["X-Amz-Date"],
            "canonicalRequest": canonical,
            "stringToSign": string_to_sign,
            "authorization": request.headers["Authorization"],
        },
    }


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    out = os.path.join(root, "Tests", "HavenS3Tests", "Vectors", "sigv4.json")
    document = {
        "source": f"botocore {botocore.__version__}, botocore.auth.S3SigV4Auth, via scripts/s3-sigv4-vectors.py",
        "timestamp": TIMESTAMP + "Z",
        "accessKeyID": CREDENTIALS[0],
        "secretAccessKey": CREDENTIALS[1],
        "vectors": [vector(case) for case in CASES],
    }
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, "w", encoding="utf-8") as file:
        json.dump(document, file, indent=2, ensure_ascii=False)
        file.write("\n")
    print(f"wrote {len(CASES)} vectors to {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
