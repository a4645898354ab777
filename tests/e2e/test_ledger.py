"""The ledger's log, checked from outside with nothing but the published formats: a mint
appends a record id; the checkpoint is a C2SP signed note that `haven ledger key` verifies;
the entry bundle and tiles under /ledger/ hash (RFC 9162) to the checkpoint's root."""

import base64
import hashlib
import json

import pytest
import requests
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from conftest import assert_json_error, bearer, create_app_token, make_home, run_haven, start_server, stop_server


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("ledger")
    server = start_server(make_home(tmp / "home"), tmp)
    yield server
    stop_server(server)


def leaf(data):
    return hashlib.sha256(b"\x00" + data).digest()


def node(left, right):
    return hashlib.sha256(b"\x01" + left + right).digest()


def root(hashes):
    """RFC 9162 MTH over leaf hashes."""
    if len(hashes) == 1:
        return hashes[0]
    split = 1
    while split * 2 < len(hashes):
        split *= 2
    return node(root(hashes[:split]), root(hashes[split:]))


def verify_note(text, vkey):
    """Verifies a C2SP signed note against a vkey `name+id+base64(0x01||key)`; returns the body."""
    name, key_id, encoded = vkey.split("+", 2)  # base64 may hold "+" too
    key = base64.b64decode(encoded)
    assert key[0] == 1 and len(key) == 33
    assert hashlib.sha256(name.encode() + b"\n" + key).digest()[:4].hex() == key_id
    body, signatures = text.split("\n\n", 1)
    body += "\n"
    for line in signatures.splitlines():
        dash, signer, signature = line.split(" ")
        assert dash == "\u2014"
        raw = base64.b64decode(signature)
        if signer == name and raw[:4].hex() == key_id:
            Ed25519PublicKey.from_public_bytes(key[1:]).verify(raw[4:], body.encode())
            return body
    raise AssertionError(f"no signature by {name}")


def entries(bundle):
    out, offset = [], 0
    while offset < len(bundle):
        length = int.from_bytes(bundle[offset:offset + 2], "big")
        out.append(bundle[offset + 2:offset + 2 + length])
        offset += 2 + length
    return out


def test_an_empty_ledger_has_no_checkpoint_but_a_key(server):
    assert_json_error(requests.get(server.url + "/ledger/checkpoint", timeout=30), 404, "no_checkpoint")
    key = run_haven("ledger", "key", env=server.env)
    assert key.returncode == 0, key.stderr
    vkey = key.stdout.strip()
    name = vkey.split("+")[0]
    assert name.startswith("did:key:z6Mk")


def test_minting_appends_a_record_the_public_log_proves(server):
    owner = bearer(server.home.token)
    for name in ("a.txt", "b.txt", "c.txt"):
        put = requests.put(server.url + f"/data/own/{name}", data=name.encode() * 10, headers=owner, timeout=30)
        assert put.status_code == 201, put.text
    minted = run_haven("own", "mint", "/own/a.txt", "--json", env=server.env)
    assert minted.returncode == 0, minted.stderr
    record = json.loads(minted.stdout)
    assert record["kind"] == "mint" and record["log_index"] == 0
    body = json.loads(record["record"])
    assert body["type"] == "mint" and body["title"] == "a.txt" and body["issuer"] == record["issuer"]
    for name in ("b.txt", "c.txt"):
        assert run_haven("own", "mint", f"/own/{name}", env=server.env).returncode == 0
    # Minting again answers with the same record and appends nothing.
    again = requests.post(server.url + "/haven/own/mint", json={"path": "/own/a.txt"}, headers=owner, timeout=30)
    assert again.status_code == 200 and again.json()["id"] == record["id"]

    # Anyone can check the log with the key alone: no token on /ledger/.
    vkey = run_haven("ledger", "key", env=server.env).stdout.strip()
    checkpoint = requests.get(server.url + "/ledger/checkpoint", timeout=30)
    assert checkpoint.status_code == 200
    origin, size, root_hash = verify_note(checkpoint.text, vkey).splitlines()[:3]
    assert origin == vkey.split("+")[0] and size == "3"
    bundle = requests.get(server.url + "/ledger/tile/entries/000.p/3", timeout=30)
    assert bundle.status_code == 200
    ids = entries(bundle.content)
    assert ids[0].decode() == record["id"]
    assert base64.b64decode(root_hash) == root([leaf(entry) for entry in ids])
    tile = requests.get(server.url + "/ledger/tile/0/000.p/3", timeout=30)
    assert tile.content == b"".join(leaf(entry) for entry in ids)
    # The record itself is not public: the log holds its id only.
    assert b"a.txt" not in bundle.content


def test_a_tampered_checkpoint_fails_verification(server):
    vkey = run_haven("ledger", "key", env=server.env).stdout.strip()
    text = requests.get(server.url + "/ledger/checkpoint", timeout=30).text
    tampered = text.replace("\n3\n", "\n4\n", 1)
    with pytest.raises(Exception):
        verify_note(tampered, vkey)


def test_minting_is_for_the_owner_and_for_files_that_exist(server):
    token = create_app_token(server, "minter")
    assert_json_error(requests.post(server.url + "/haven/own/mint", json={"path": "/own/a.txt"},
                                    headers=bearer(token), timeout=30), 403, "owner_only")
    missing = run_haven("own", "mint", "/own/nothing.txt", env=server.env)
    assert missing.returncode != 0 and "no file" in missing.stderr
    assert_json_error(requests.get(server.url + "/ledger/tile/0/999", timeout=30), 404, "no_tile")
    assert_json_error(requests.get(server.url + "/ledger/tile/0/x000", timeout=30), 404, "no_tile")


def test_the_owner_sees_the_records_and_the_owner_of_content(server):
    minted = json.loads(run_haven("own", "mint", "/own/a.txt", "--json", env=server.env).stdout)
    content = json.loads(minted["record"])["content"]
    listing = requests.get(server.url + "/haven/own/" + content, headers=bearer(server.home.token), timeout=30)
    assert listing.status_code == 200, listing.text
    assert listing.json()["owner"].startswith("did:key:z6Mk")
    assert [r["kind"] for r in listing.json()["records"]] == ["mint"]


def test_an_offline_proof_verifies_without_a_server_and_fails_when_changed(server, tmp_path):
    owner = bearer(server.home.token)
    requests.put(server.url + "/data/own/proved.txt", data=b"proved", headers=owner, timeout=30)
    record = run_haven("own", "mint", "/own/proved.txt", env=server.env).stdout.strip()
    proof = run_haven("ledger", "proof", record, env=server.env)
    assert proof.returncode == 0, proof.stderr
    assert proof.stdout.startswith("c2sp.org/tlog-proof@v1\nextra ")
    path = tmp_path / "record.tlog-proof"
    path.write_text(proof.stdout)
    vkey = run_haven("ledger", "key", env=server.env).stdout.strip()
    # No server is reachable from this command: the proof stands alone.
    offline = {"HAVEN_HOME": str(tmp_path / "nowhere"), "HAVEN_PORT": "1"}
    verified = run_haven("ledger", "verify", str(path), "--log", vkey, env=offline)
    assert verified.returncode == 0, verified.stderr
    assert record in verified.stdout and "mint" in verified.stdout
    text = proof.stdout
    for position in (len("c2sp.org/tlog-proof@v1\nextra ") + 10, text.index("\nindex ") + 8, len(text) - 10):
        changed = text[:position] + ("A" if text[position] != "A" else "B") + text[position + 1:]
        path.write_text(changed)
        failed = run_haven("ledger", "verify", str(path), "--log", vkey, env=offline)
        assert failed.returncode != 0, (position, failed.stdout)
    other_key = run_haven("ledger", "key", env=server.env).stdout.strip().replace("+A", "+B", 1)
    path.write_text(text)
    assert run_haven("ledger", "verify", str(path), "--log", other_key, env=offline).returncode != 0
