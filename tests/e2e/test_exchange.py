"""Havens exchanging with each other, as three real servers on loopback see it: sharing a folder
with another server, pulling and mirroring it byte for byte, a third server that holds no
capability fetching nothing, requests signed per RFC 9421 refused when stolen, replayed,
altered or stale, CAR streams another IPLD implementation reads, peers proving their keys,
inbox messages with attachments, and a revoked capability stopping a mirror.

The tests share three servers (A shares with B; C is a stranger) and run in file order: the
revocation and the blocking come after everything that uses B's capability."""

import base64
import hashlib
import json
import os
import re
import threading
import time
from dataclasses import dataclass, field

import libipld
import pytest
import requests
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from multiformats import CID, multihash

from capability import BASE58_ALPHABET, b64url_decode, token_id
from conftest import (
    assert_json_error,
    assert_one_line_error,
    audit_entries,
    bearer,
    make_home,
    start_server,
    stop_server,
)
from exchange_helpers import MiB, cli, delete, get, ok, owner_did, put, wait_for
from proxy import FakeServer, cid_length, read_varint
from signing import ServerKey, send, send_bytes, wire_bytes



# --- Helpers -----------------------------------------------------------------------------------
















def exchange(key, method, server, rest, body=None, token=None, timeout=60, **options):
    """A request to `server`'s /exchange/v1/`rest`, signed with `key`."""
    return send(key.prepare(method, server.url + "/exchange/v1/" + rest, body=body, token=token, **options),
                timeout=timeout)


def unknown_cid(codec):
    """A well-formed CID of bytes no server holds."""
    return str(CID("base32", 1, codec, multihash.digest(os.urandom(32), "sha2-256")))


def public_key(did):
    number = 0
    for char in did[len("did:key:z"):]:
        number = number * 58 + BASE58_ALPHABET.index(char)
    raw = number.to_bytes(34, "big")
    assert raw[:2] == b"\xed\x01"
    return Ed25519PublicKey.from_public_bytes(raw[2:])


def peers(server):
    return {p["name"]: p for p in json.loads(ok(cli(server, "peer", "list", "--json")).stdout)["peers"]}


def mirrors(server):
    return {m["id"]: m for m in json.loads(ok(cli(server, "mirror", "list", "--json")).stdout)["mirrors"]}


def inbox(server):
    return {m["id"]: m for m in json.loads(ok(cli(server, "inbox", "--json")).stdout)["messages"]}


def versions(server, path):
    response = get(server, path + "?versions")
    assert response.status_code == 200, response.text
    return response.json()["versions"]


def message_body(message_id, text, attachments=()):
    return json.dumps({"id": message_id, "subject": None, "text": text, "attachments": list(attachments),
                       "sent_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}).encode()


def parse_car(data):
    """A CARv1 stream: its header read by libipld (an independent IPLD implementation) and its
    blocks as (CID, bytes). libipld's `decode_car` decodes blocks as DAG-CBOR and refuses raw
    ones, so the block sections are split here and their CIDs read by `multiformats`."""
    header_length, offset = read_varint(data, 0)
    header, no_blocks = libipld.decode_car(data[:offset + header_length])
    assert no_blocks == {}
    offset += header_length
    blocks = []
    while offset < len(data):
        length, offset = read_varint(data, offset)
        section = data[offset:offset + length]
        assert len(section) == length, "a truncated CAR section"
        size = cid_length(section, 0)
        blocks.append((CID.decode(section[:size]), section[size:]))
        offset += length
    return header, blocks


def error_shape(response, *ids):
    """A refusal's body with the CIDs it names blanked out, to compare refusals with each other."""
    error = response.json()["error"]
    message = error["message"]
    for cid in ids:
        message = message.replace(cid, "<cid>")
    return {**error, "message": message}


# --- The three servers -------------------------------------------------------------------------


@dataclass
class World:
    a: object
    b: object
    c: object
    did: dict
    key: dict
    token_b: str  # A's capability for B on /photos/trip/
    token_c: str  # A's capability for C on /photos/other/
    files: dict = field(default_factory=dict)  # what /photos/trip/ on A holds, by relative path


TRIP = {
    "beach.jpg": (os.urandom(MiB + 4321), "image/jpeg"),
    "notes.txt": (b"Day one: the sea.\n", "text/plain"),
    "sub/map.bin": (os.urandom(200_000), "application/octet-stream"),
}


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    base = tmp_path_factory.mktemp("exchange")
    started = []
    try:
        for name in "abc":
            started.append(start_server(make_home(base / name), base))
        a, b, c = started
        did = {name: owner_did(server) for name, server in zip("abc", started)}
        key = {name: ServerKey.of(server.home.path) for name, server in zip("abc", started)}
        assert {name: k.did for name, k in key.items()} == did

        for path, (data, media_type) in TRIP.items():
            put(a, "/photos/trip/" + path, data, media_type)
        put(a, "/photos/other/elsewhere.txt", b"for carol\n", "text/plain")
        put(a, "/private/secret.txt", b"not shared\n", "text/plain")
        token_b = ok(cli(a, "share", "/photos/trip/", "--to", did["b"], "--rights", "read,list")).stdout.strip()
        token_c = ok(cli(a, "share", "/photos/other/", "--to", did["c"], "--rights", "read,list")).stdout.strip()
        ok(cli(b, "peer", "add", a.url, "--name", "alice"))
        ok(cli(a, "peer", "add", b.url, "--name", "bob"))
        yield World(a=a, b=b, c=c, did=did, key=key, token_b=token_b, token_c=token_c,
                    files={path: data for path, (data, _) in TRIP.items()})
    finally:
        for server in started:
            stop_server(server)


# --- Identity ----------------------------------------------------------------------------------


def test_well_known_document_proves_the_servers_key(world):
    a = world.a
    answer = requests.get(a.url + "/.well-known/haven", params={"challenge": "c-123"}, timeout=30)
    assert answer.status_code == 200, answer.text
    document = answer.json()
    assert set(document) >= {"did", "name", "version", "url", "endpoints", "challenge", "proof"}
    assert document["did"] == world.did["a"] and document["url"] == a.url and document["challenge"] == "c-123"
    message = f"haven-peer-proof/v1\nc-123\n{document['did']}\n{document['url']}".encode()
    public_key(document["did"]).verify(b64url_decode(document["proof"]), message)  # raises if invalid

    plain = requests.get(a.url + "/.well-known/haven", timeout=30).json()
    assert plain["did"] == world.did["a"] and plain.get("proof") is None


# --- Pull and mirror ---------------------------------------------------------------------------


def test_pull_copies_the_shared_folder_byte_for_byte(world):
    a, b = world.a, world.b
    # A capability issued to another server is refused; B's own is kept.
    assert_one_line_error(cli(b, "peer", "capability", "alice", world.token_c))
    refused = requests.post(b.url + "/haven/peers/alice/capabilities", json={"token": world.token_c},
                            headers=bearer(b.home.token), timeout=30)
    assert_json_error(refused, 400, "invalid_capability")
    assert token_id(world.token_b) in ok(cli(b, "peer", "capability", "alice", world.token_b)).stderr

    result = ok(cli(b, "pull", "alice:/photos/trip/", "/from/alice/trip/", "--capability", world.token_b, "--json"))
    report = json.loads(result.stdout)
    assert report["state"] == "done" and report["error"] is None, report
    assert report["files_total"] == report["files_received"] == 3 and report["files_unchanged"] == 0
    assert report["bytes_total"] == sum(len(d) for d in world.files.values())
    assert report["chunks_needed"] == report["chunks_fetched"] > 3 and report["chunks_present"] == 0
    assert report["bytes_fetched"] == report["bytes_total"] and report["rejected_blocks"] == {}

    for path, data in world.files.items():
        copy = get(b, "/from/alice/trip/" + path)
        assert copy.status_code == 200 and copy.content == data, path
        original = get(a, "/photos/trip/" + path)
        assert copy.headers["content-type"] == original.headers["content-type"]
        [version] = versions(b, "/from/alice/trip/" + path)
        assert version["origin"] == {"peer": "peer:" + world.did["a"], "path": "/photos/trip/" + path, "version": 1,
                                     "manifest": original.headers["etag"].strip('"')}

    # Pulled again: everything is current, nothing travels.
    again = json.loads(ok(cli(b, "pull", "alice:/photos/trip/", "/from/alice/trip/", "--json")).stdout)
    assert (again["state"], again["files_unchanged"], again["files_received"], again["chunks_fetched"]) == ("done", 3, 0, 0)

    # What B fetched is in A's audit log under B's principal, with the capability as the basis.
    entries = audit_entries(a, limit=200, principal="peer:" + world.did["b"])
    allowed = [e for e in entries if e["allowed"]]
    assert {"exchange.tree", "exchange.manifest", "exchange.chunks"} <= {e["action"] for e in allowed}, entries
    assert {e["basis"] for e in allowed} == {token_id(world.token_b)}

    # A folder the capability does not cover: one line, nothing copied.
    assert_one_line_error(cli(b, "pull", "alice:/private/", "/from/alice/private/"), "no capability", "/private/")
    assert get(b, "/from/alice/private/secret.txt").status_code == 404


def test_mirror_follows_new_files_and_deletions(world):
    a, b = world.a, world.b
    mirror_id = ok(cli(b, "mirror", "add", "alice:/photos/trip/", "/from/alice/mirror/")).stdout.strip()
    assert mirror_id

    def copied():
        return all(get(b, "/from/alice/mirror/" + p).content == d for p, d in world.files.items())

    wait_for(copied, "the mirror's first copy")

    later = b"Day two: rain.\n"
    put(a, "/photos/trip/later.txt", later, "text/plain")
    delete(a, "/photos/trip/notes.txt")
    world.files["later.txt"] = later
    notes = world.files.pop("notes.txt")

    def caught_up():
        return (get(b, "/from/alice/mirror/later.txt").content == later
                and get(b, "/from/alice/mirror/notes.txt").status_code == 404)

    wait_for(caught_up, "the new file and the deletion on B")

    # The deletion is a version of its own; the history stays readable.
    history = versions(b, "/from/alice/mirror/notes.txt")
    assert [(v["version"], v["deleted"]) for v in history] == [(1, False), (2, True)]
    assert history[1]["origin"]["peer"] == "peer:" + world.did["a"] and history[1]["origin"]["version"] == 2
    assert get(b, "/from/alice/mirror/notes.txt?version=1").content == notes

    mirror = mirrors(b)[mirror_id]
    assert (mirror["state"], mirror["reason"], mirror["peer"]) == ("active", None, world.did["a"])
    assert (mirror["remote_path"], mirror["local_path"]) == ("/photos/trip/", "/from/alice/mirror/")
    assert mirror["cursor"] > 0 and mirror["feed_id"]

    # The feed itself, as B reads it: the deletion is a change; a folder outside the capability is refused.
    feed = exchange(world.key["b"], "GET", a, "feed?path=/photos/trip/&since=0&limit=100", token=world.token_b)
    assert feed.status_code == 200, feed.text
    page = feed.json()
    assert set(page) >= {"feed_id", "changes", "next", "latest"} and page["feed_id"] == mirror["feed_id"]
    deletions = [c for c in page["changes"] if c["path"] == "/photos/trip/notes.txt" and c["deleted"]]
    assert len(deletions) == 1 and deletions[0]["manifest"] is None
    assert_json_error(exchange(world.key["b"], "GET", a, "feed?path=/private/&since=0", token=world.token_b),
                      403, "access_denied")


# --- A server without a capability -------------------------------------------------------------


def test_a_server_without_a_capability_fetches_nothing(world):
    a, kb, kc = world.a, world.key["b"], world.key["c"]
    # What C could have learnt from B: the tree, a manifest CID and a chunk CID.
    tree = exchange(kb, "GET", a, "tree/photos/trip/", token=world.token_b)
    assert tree.status_code == 200, tree.text
    entry = next(e for e in tree.json()["entries"] if e["path"] == "/photos/trip/beach.jpg")
    manifest_cid = entry["manifest"]
    manifest = exchange(kb, "GET", a, f"manifest/{manifest_cid}", token=world.token_b)
    assert manifest.status_code == 200
    chunk_cid = json.loads(manifest.content)["chunks"][0]["id"]["/"]
    chunk = exchange(kb, "GET", a, f"chunk/{chunk_cid}", token=world.token_b)
    assert chunk.status_code == 200 and chunk.content == world.files["beach.jpg"][:len(chunk.content)]
    chunks_body = json.dumps([chunk_cid]).encode()
    assert exchange(kb, "POST", a, "chunks", body=chunks_body, token=world.token_b).status_code == 200

    # Signed by C, without a token: nothing.
    asks = [("GET", "tree/photos/trip/", None), ("GET", f"manifest/{manifest_cid}", None),
            ("GET", f"chunk/{chunk_cid}", None), ("POST", "chunks", chunks_body)]
    for method, rest, body in asks:
        assert_json_error(exchange(kc, method, a, rest, body=body), 401, "capability_required")

    # With C's capability for another folder: a 404 exactly like a CID nobody has.
    strange_manifest, strange_chunk = unknown_cid("dag-json"), unknown_cid("raw")
    pairs = [  # (what C learnt from B, a CID nobody has)
        (("GET", f"manifest/{manifest_cid}", None, manifest_cid),
         ("GET", f"manifest/{strange_manifest}", None, strange_manifest)),
        (("GET", f"chunk/{chunk_cid}", None, chunk_cid),
         ("GET", f"chunk/{strange_chunk}", None, strange_chunk)),
        (("POST", "chunks", chunks_body, chunk_cid),
         ("POST", "chunks", json.dumps([strange_chunk]).encode(), strange_chunk)),
    ]
    for (method, rest, body, cid), (u_method, u_rest, u_body, u_cid) in pairs:
        covered_elsewhere = exchange(kc, method, a, rest, body=body, token=world.token_c)
        unknown = exchange(kc, u_method, a, u_rest, body=u_body, token=world.token_c)
        assert_json_error(covered_elsewhere, 404, "not_found")
        assert_json_error(unknown, 404, "not_found")
        assert error_shape(covered_elsewhere, cid) == error_shape(unknown, u_cid), rest
        assert covered_elsewhere.headers["content-type"] == unknown.headers["content-type"]
    assert_json_error(exchange(kc, "GET", a, "tree/photos/trip/", token=world.token_c), 403, "access_denied")

    # The same capability does fetch its own folder.
    own = exchange(kc, "GET", a, "tree/photos/other/", token=world.token_c)
    assert own.status_code == 200, own.text
    assert [e["path"] for e in own.json()["entries"]] == ["/photos/other/elsewhere.txt"]

    refusals = [e for e in audit_entries(a, limit=50, principal="peer:" + world.did["c"]) if not e["allowed"]]
    assert {"exchange.tree", "exchange.manifest", "exchange.chunks"} <= {e["action"] for e in refusals}, refusals


def test_a_capability_works_only_for_the_server_it_was_issued_to(world):
    a, kb, kc = world.a, world.key["b"], world.key["c"]
    assert exchange(kb, "GET", a, "tree/photos/trip/", token=world.token_b).status_code == 200

    stolen = exchange(kc, "GET", a, "tree/photos/trip/", token=world.token_b)
    assert_json_error(stolen, 401, "capability_not_bound")
    [entry] = audit_entries(a, limit=1, principal="peer:" + world.did["c"])
    assert (entry["action"], entry["allowed"], entry["basis"]) == ("exchange.tree", False, token_id(world.token_b))

    # The token alone, as a bearer without any signature.
    bare = requests.get(a.url + "/exchange/v1/tree/photos/trip/", headers=bearer(world.token_b), timeout=30)
    assert_json_error(bare, 401, "invalid_signature")
    # Signed by a key that is not the one its keyid names.
    forged = world.key["c"].prepare("GET", a.url + "/exchange/v1/tree/photos/trip/", token=world.token_b)
    forged.headers["Signature-Input"] = forged.headers["Signature-Input"].replace(world.did["c"], world.did["b"])
    assert_json_error(send(forged), 401, "invalid_signature")


def test_a_replayed_request_is_refused(world):
    a, kb = world.a, world.key["b"]
    manifest_cid = next(e["manifest"] for e in exchange(kb, "GET", a, "tree/photos/trip/", token=world.token_b)
                        .json()["entries"] if e["path"] == "/photos/trip/beach.jpg")
    captured = wire_bytes(kb.prepare("GET", f"{a.url}/exchange/v1/manifest/{manifest_cid}", token=world.token_b))
    status, body = send_bytes("127.0.0.1", a.port, captured)
    assert status == 200, body
    status, body = send_bytes("127.0.0.1", a.port, captured)
    assert status == 401, body
    assert json.loads(body)["error"]["code"] == "replayed_request"
    # B's mirror keeps asking A's feed meanwhile, so the refusal is looked for among B's entries.
    refused = [e for e in audit_entries(a, limit=20, principal="peer:" + world.did["b"]) if not e["allowed"]]
    assert refused[0]["action"] == "exchange.manifest" and refused[0]["resource"].endswith(manifest_cid), refused[0]


def test_a_body_altered_after_signing_is_refused(world):
    a, kb = world.a, world.key["b"]
    manifest_cid = next(e["manifest"] for e in exchange(kb, "GET", a, "tree/photos/trip/", token=world.token_b)
                        .json()["entries"] if e["path"] == "/photos/trip/beach.jpg")
    chunk_ids = [c["id"]["/"] for c in exchange(kb, "GET", a, f"manifest/{manifest_cid}", token=world.token_b).json()["chunks"]]
    signed_body, altered = json.dumps(chunk_ids[:1]).encode(), json.dumps(chunk_ids[1:2]).encode()
    url = a.url + "/exchange/v1/chunks"

    # The body swapped, its Content-Digest left as signed.
    swapped = kb.prepare("POST", url, body=altered, token=world.token_b, sign_body=signed_body)
    error = assert_json_error(send(swapped), 401, "invalid_signature")
    assert "Content-Digest" in error["message"]
    # The body swapped and a matching Content-Digest put in: the signature no longer verifies.
    redigested = kb.prepare("POST", url, body=signed_body, token=world.token_b)
    redigested.body = altered
    redigested.headers["Content-Length"] = str(len(altered))
    redigested.headers["Content-Digest"] = "sha-256=:" + base64.b64encode(hashlib.sha256(altered).digest()).decode() + ":"
    assert_json_error(send(redigested), 401, "invalid_signature")

    honest = send(kb.prepare("POST", url, body=altered, token=world.token_b))
    assert honest.status_code == 200, honest.text
    assert honest.headers["content-type"].startswith("application/vnd.ipld.car")


def test_stale_and_expired_signatures_are_refused(world):
    a, kb = world.a, world.key["b"]
    now = int(time.time())
    refused = {
        "too long ago": {"created": now - 320, "expires": now - 20},  # older than the 300 s window
        "expired": {"created": now - 130, "expires": now - 70},  # past its expiry (and the 60 s skew)
        "in the future": {"created": now + 120, "expires": now + 180},  # beyond the 60 s skew
    }
    for fragment, times in refused.items():
        response = exchange(kb, "GET", a, "tree/photos/trip/", token=world.token_b, **times)
        error = assert_json_error(response, 401, "invalid_signature")
        assert fragment in error["message"], error
    fresh = exchange(kb, "GET", a, "tree/photos/trip/", token=world.token_b, created=now - 5, expires=now + 55)
    assert fresh.status_code == 200, fresh.text


# --- CAR interoperability ----------------------------------------------------------------------


def test_a_car_stream_holds_exactly_the_manifests_chunks(world):
    a, kb = world.a, world.key["b"]
    entry = next(e for e in exchange(kb, "GET", a, "tree/photos/trip/", token=world.token_b).json()["entries"]
                 if e["path"] == "/photos/trip/beach.jpg")
    assert (entry["size"], entry["media_type"], entry["version"]) == (len(world.files["beach.jpg"]), "image/jpeg", 1)

    manifest = exchange(kb, "GET", a, f"manifest/{entry['manifest']}", token=world.token_b)
    assert manifest.status_code == 200
    manifest_id = CID.decode(entry["manifest"])
    assert (manifest_id.version, manifest_id.codec.code, manifest_id.hashfun.name) == (1, 0x0129, "sha2-256")
    assert manifest_id.raw_digest == hashlib.sha256(manifest.content).digest()
    chunk_ids = [c["id"]["/"] for c in manifest.json()["chunks"]]
    assert len(chunk_ids) > 4 and sum(c["size"] for c in manifest.json()["chunks"]) == entry["size"]

    response = exchange(kb, "POST", a, "chunks", body=json.dumps(chunk_ids).encode(), token=world.token_b)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/vnd.ipld.car")
    header, blocks = parse_car(response.content)
    assert header["version"] == 1 and [libipld.encode_cid(root) for root in header["roots"]] == chunk_ids
    for cid, data in blocks:
        assert (cid.version, cid.codec.name, cid.hashfun.name) == (1, "raw", "sha2-256")
        assert cid.raw_digest == hashlib.sha256(data).digest(), str(cid)
        assert libipld.decode_cid(bytes(cid))["hash"]["digest"] == cid.raw_digest
    assert [cid.encode("base32") for cid, _ in blocks] == chunk_ids
    assert [libipld.encode_cid(bytes(cid)) for cid, _ in blocks] == chunk_ids
    assert b"".join(data for _, data in blocks) == world.files["beach.jpg"]

    # One block alone is the same bytes, as a raw block.
    single = exchange(kb, "GET", a, f"chunk/{chunk_ids[1]}", token=world.token_b)
    assert single.status_code == 200 and single.headers["content-type"] == "application/vnd.ipld.raw"
    assert single.content == blocks[1][1]


# --- Peers prove who they are ------------------------------------------------------------------


def test_peer_add_refuses_a_server_that_cannot_prove_its_key(world):
    a, c = world.a, world.c
    genuine = requests.get(a.url + "/.well-known/haven", params={"challenge": "an-old-challenge"}, timeout=30).json()

    def replayed(method, target, headers, body):
        """A's real document, answering a challenge from before."""
        return 200, {"Content-Type": "application/json"}, json.dumps(genuine).encode()

    def forged(method, target, headers, body):
        """A's document claiming to answer the new challenge, with a proof that does not."""
        challenge = re.search(r"challenge=([^&]+)", target)
        document = {**genuine, "challenge": challenge.group(1) if challenge else None}
        return 200, {"Content-Type": "application/json"}, json.dumps(document).encode()

    before = peers(c)
    for answer in (replayed, forged):
        with FakeServer(answer) as liar:
            assert_one_line_error(cli(c, "peer", "add", liar.url, "--name", "liar"), "key of " + world.did["a"])
    assert peers(c) == before and "liar" not in before

    # The real server proves itself.
    added = json.loads(requests.post(c.url + "/haven/peers", json={"url": a.url, "name": "alice"},
                                     headers=bearer(c.home.token), timeout=30).text)
    assert (added["did"], added["name"], added["url"], added["blocked"]) == (world.did["a"], "alice", a.url, False)
    assert added["principal"] == "peer:" + world.did["a"] and added["added_at"]
    assert set(peers(c)) == set(before) | {"alice"}


# --- Inbox -------------------------------------------------------------------------------------


def test_a_message_with_an_attachment_arrives_with_the_file(world):
    a, b = world.a, world.b
    report = os.urandom(150_000)
    sent_version = put(b, "/docs/report.pdf", report, "application/pdf")
    sent = ok(cli(b, "send", "alice", "--text", "The report, as promised.", "--subject", "Q3",
                  "--attach", "/docs/report.pdf"))
    message_id = sent.stdout.strip()

    message = inbox(a)[message_id]
    assert (message["from"], message["from_name"], message["request"]) == ("peer:" + world.did["b"], "bob", False)
    assert (message["subject"], message["text"]) == ("Q3", "The report, as promised.")
    assert message["path"] == f"/inbox/bob/{message_id}.json"
    [attachment] = message["attachments"]
    assert (attachment["name"], attachment["path"], attachment["size"], attachment["manifest"]) == (
        "report.pdf", "/docs/report.pdf", len(report), sent_version["id"])
    assert attachment["local_path"] == f"/inbox/bob/{message_id}/report.pdf"
    assert get(a, message["path"]).json()["id"] == message_id

    arrived = wait_for(lambda: (r := get(a, attachment["local_path"])).status_code == 200 and r,
                       "the attachment on A")
    assert arrived.content == report


def test_the_same_message_sent_twice_is_kept_once(world):
    a, kb = world.a, world.key["b"]
    body = message_body("twice-0001", "Only once, please.")
    first = exchange(kb, "POST", a, "inbox", body=body)
    assert first.status_code == 202, first.text
    assert first.json() == {"id": "twice-0001", "path": "/inbox/bob/twice-0001.json", "duplicate": False}
    second = exchange(kb, "POST", a, "inbox", body=body)
    assert second.status_code == 202, second.text
    assert second.json() == {"id": "twice-0001", "path": "/inbox/bob/twice-0001.json", "duplicate": True}
    assert len(versions(a, "/inbox/bob/twice-0001.json")) == 1
    assert [m["text"] for m in inbox(a).values() if m["id"] == "twice-0001"] == ["Only once, please."]


def test_messages_from_an_unknown_sender_are_requests_and_rate_limited(world):
    a, c, kc = world.a, world.c, world.key["c"]
    if "alice" not in peers(c):
        ok(cli(c, "peer", "add", a.url, "--name", "alice"))
    folder = "/inbox/requests/" + world.did["c"][len("did:key:"):] + "/"

    first = ok(cli(c, "send", "alice", "--text", "Hello, we have not met."))
    message_id = first.stdout.strip()
    message = inbox(a)[message_id]
    assert (message["request"], message["from_name"], message["from"]) == (True, None, "peer:" + world.did["c"])
    assert message["path"] == f"{folder}{message_id}.json"

    # Five at once are taken; the sixth must wait.
    for n in range(2, 6):
        response = exchange(kc, "POST", a, "inbox", body=message_body(f"burst-{n}", f"message {n}"))
        assert response.status_code == 202, response.text
        assert response.json()["path"] == f"{folder}burst-{n}.json"
    sixth = exchange(kc, "POST", a, "inbox", body=message_body("burst-6", "message 6"))
    assert_json_error(sixth, 429, "rate_limited")
    assert int(sixth.headers["retry-after"]) > 0
    assert get(a, f"{folder}burst-6.json").status_code == 404
    assert len([m for m in inbox(a).values() if m["request"]]) == 5

    # A known peer is not held back by a stranger's limit.
    assert exchange(world.key["b"], "POST", a, "inbox", body=message_body("after-burst", "still here")).status_code == 202


# --- Revocation and blocking -------------------------------------------------------------------


CONCIERGE_AGENT = """
name = "concierge"
instructions = "Answer the question. Use the search tool to find facts in the files first."
tools = ["search", "read", "list"]
scopes = ["/"]
max_steps = 2
tool_choice = "required"
"""


def test_a_peers_agent_request_runs_under_the_grants_given_to_that_peer(world, tmp_path):
    a, key_b = world.a, world.key["b"]
    put(a, "/party/invite.txt", b"The party starts at eight, at the boathouse.\n", "text/plain")
    agent_file = tmp_path / "concierge.toml"
    agent_file.write_text(CONCIERGE_AGENT)
    ok(cli(a, "agent", "add", str(agent_file)))
    body = json.dumps({"message": "What time is the party?"}).encode()

    # Without grants the peer may not use A's model: refused, like an app without `infer`.
    refused = exchange(key_b, "POST", a, "agents/concierge/chat", body=body)
    assert refused.status_code == 403, refused.text

    ok(cli(a, "grant", "add", "--to", "peer:bob", "--path", "/party/", "--rights", "ai"))
    ok(cli(a, "grant", "add", "--to", "peer:bob", "--rights", "infer"))
    # Two steps of a tool loop on the small model: a minute is not always enough on a busy 2-core box.
    answered = exchange(key_b, "POST", a, "agents/concierge/chat", body=body, timeout=180)
    assert answered.status_code == 200, answered.text
    turn = answered.json()
    assert isinstance(turn["answer"], str) and turn["conversation_id"]
    calls = [t for t in turn["trace"] if t["type"] == "tool_call"]
    results = [t for t in turn["trace"] if t["type"] == "tool_result"]
    assert calls and len(results) == len(calls), turn
    # Whatever the model looked for, nothing outside what bob was granted came back.
    for result in results:
        assert "not shared" not in (result["text"] or "")
        assert "Day one" not in (result["text"] or "")
    principal = "peer:" + world.did["b"]
    entries = audit_entries(a, limit=40, principal=principal)
    assert any(e["action"] == "exchange.agents" and e["allowed"] and e["resource"] == "agents/concierge"
               for e in entries), entries
    # The agent's use of A's model was decided under bob's own `infer` grant, and logged naming it.
    assert any(e["action"] == "infer" and e["allowed"] and "agent concierge" in e["reason"] for e in entries), entries
    tool_decisions = [e for e in entries
                      if e["action"] not in ("exchange.agents", "infer") and "agent concierge" in e["reason"]]
    assert len(tool_decisions) >= len(calls), entries
    assert not [e for e in tool_decisions if e["allowed"] and not e["resource"].startswith("/party/")
                and e["resource"] != "/"], tool_decisions


def test_revoking_the_capability_stops_the_mirror_and_keeps_its_files(world):
    a, b, kb = world.a, world.b, world.key["b"]
    [mirror_id] = [m["id"] for m in mirrors(b).values() if m["local_path"] == "/from/alice/mirror/"]
    assert mirrors(b)[mirror_id]["state"] == "active"

    ok(cli(a, "share", "revoke", token_id(world.token_b)))
    put(a, "/photos/trip/after-revoke.txt", b"B must not get this\n", "text/plain")

    stopped = wait_for(lambda: (m := mirrors(b)[mirror_id])["state"] == "stopped" and m, "the mirror to stop", seconds=60)
    assert "revoked" in stopped["reason"], stopped
    for path, data in world.files.items():
        assert get(b, "/from/alice/mirror/" + path).content == data, path
    assert get(b, "/from/alice/mirror/after-revoke.txt").status_code == 404

    assert_json_error(exchange(kb, "GET", a, "tree/photos/trip/", token=world.token_b), 401, "invalid_capability")
    [entry] = audit_entries(a, limit=1, principal="peer:" + world.did["b"])
    assert (entry["action"], entry["allowed"]) == ("exchange.tree", False) and "revoked" in entry["reason"], entry
    assert_one_line_error(cli(b, "pull", "alice:/photos/trip/", "/from/alice/again/"), "revoked")

    # Removing the stopped mirror forgets it; its files stay.
    ok(cli(b, "mirror", "rm", mirror_id))
    assert mirror_id not in mirrors(b)
    assert get(b, "/from/alice/mirror/beach.jpg").content == world.files["beach.jpg"]


def test_a_blocked_peer_is_refused_until_unblocked(world):
    a, b, kb = world.a, world.b, world.key["b"]
    blocked = ok(cli(a, "peer", "block", "bob"))
    assert "bob" in blocked.stderr and peers(a)["bob"]["blocked"] is True

    assert_one_line_error(cli(b, "send", "alice", "--text", "Let me in."), "blocked")
    assert_json_error(exchange(kb, "POST", a, "inbox", body=message_body("blocked-1", "Let me in.")), 403, "peer_blocked")
    [entry] = audit_entries(a, limit=1, principal="peer:" + world.did["b"])
    assert (entry["action"], entry["allowed"]) == ("exchange.inbox", False)
    assert get(a, "/inbox/bob/blocked-1.json").status_code == 404

    ok(cli(a, "peer", "unblock", "bob"))
    assert peers(a)["bob"]["blocked"] is False
    message_id = ok(cli(b, "send", "alice", "--text", "Let me in.")).stdout.strip()
    assert inbox(a)[message_id]["from_name"] == "bob"


def test_a_removed_peer_is_forgotten(world):
    c = world.c
    if "alice" not in peers(c):
        ok(cli(c, "peer", "add", world.a.url, "--name", "alice"))
    ok(cli(c, "peer", "rm", "alice"))
    assert "alice" not in peers(c)
    assert_one_line_error(cli(c, "send", "alice", "--text", "Anyone there?"), "alice")
    assert_one_line_error(cli(c, "peer", "rm", "alice"), "alice")


# --- Revocation while a feed request is held open; audit actions ------------------------------


def test_a_feed_request_held_open_across_a_revocation_reveals_no_later_change(world):
    """A feed request waits for changes (long-poll); a capability revoked meanwhile must not
    let it carry the changes made after the revocation."""
    a, kb = world.a, world.key["b"]
    token = ok(cli(a, "share", "/photos/live/", "--to", world.did["b"], "--rights", "read,list")).stdout.strip()
    put(a, "/photos/live/before.txt", b"shared while the capability held\n", "text/plain")
    first = exchange(kb, "GET", a, "feed?path=/photos/live/&since=0", token=token)
    assert first.status_code == 200, first.text
    assert [c["path"] for c in first.json()["changes"]] == ["/photos/live/before.txt"]

    held = {}

    def ask():
        held["response"] = exchange(kb, "GET", a, f"feed?path=/photos/live/&since={first.json()['next']}&wait=15",
                                    token=token)

    asker = threading.Thread(target=ask, daemon=True)
    asker.start()
    wait_for(lambda: any(e["action"] == "exchange.feed" and e["resource"] == "/photos/live/" and e["allowed"]
                         for e in audit_entries(a, limit=3, principal="peer:" + world.did["b"])),
             "A to take the held feed request", interval=0.02)
    ok(cli(a, "share", "revoke", token_id(token)))
    put(a, "/photos/live/after.txt", b"written after the revocation\n", "text/plain")
    asker.join(timeout=40)
    assert not asker.is_alive(), "the held feed request did not end"
    response = held["response"]
    leaked = response.status_code == 200 and [c["path"] for c in response.json()["changes"]]
    assert not leaked, f"a revoked capability was still answered with {response.status_code}: {response.text}"


def test_refusals_of_one_request_are_audited_under_one_action(world):
    """The audit names the operation the same way whether the request was refused before its
    capability was looked at (a replay) or after (no capability)."""
    a, kc = world.a, world.key["c"]
    chunk_cid = unknown_cid("raw")
    captured = wire_bytes(kc.prepare("GET", f"{a.url}/exchange/v1/chunk/{chunk_cid}"))
    status, body = send_bytes("127.0.0.1", a.port, captured)
    assert (status, json.loads(body)["error"]["code"]) == (401, "capability_required")
    status, body = send_bytes("127.0.0.1", a.port, captured)
    assert (status, json.loads(body)["error"]["code"]) == (401, "replayed_request")
    replay, first = audit_entries(a, limit=2, principal="peer:" + world.did["c"])
    assert first["action"] == replay["action"] == "exchange.chunks", (first, replay)
