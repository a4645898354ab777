"""The data store over HTTP as a client sees it: byte-identical round trips, ranges, ETags and
preconditions, versions, listings, deduplication, garbage collection, upload limits, and a
2 GiB file streamed through in bounded memory. Each test runs with chunks in files and with
chunks in an S3 bucket (moto_server, signatures checked); the 2 GiB one with files only."""

import concurrent.futures
import email.utils
import hashlib
import os
import random
import shutil
import socket
import time

import pytest
import requests

from conftest import assert_json_error, bearer, start_server, stop_server
from s3_helpers import backend_home, stored_chunks

MiB = 1 << 20


def url(server, path):
    return server.url + "/data" + path


def owner(server, **headers):
    return {**bearer(server.home.token), **headers}


def put(server, path, data, **headers):
    return requests.put(url(server, path), data=data, headers=owner(server, **headers), timeout=120)


def get(server, path, **headers):
    return requests.get(url(server, path), headers=owner(server, **headers), timeout=120)


def store_stats(server):
    response = requests.get(server.url + "/haven/store", headers=owner(server), timeout=30)
    assert response.status_code == 200, response.text
    stats = response.json()
    assert set(stats) == {"files", "versions", "chunks", "chunk_bytes"}
    return stats


def gc(server, **body):
    response = requests.post(server.url + "/haven/store/gc", json=body, headers=owner(server), timeout=120)
    assert response.status_code == 200, response.text
    report = response.json()
    assert set(report) == {"versions_pruned", "manifests_removed", "chunks_removed", "bytes_freed"}
    return report


@pytest.fixture(params=["files", "s3"])
def home(request, tmp_path):
    return backend_home(request, tmp_path)


def temporaries(home):
    return list((home.path / "objects" / "tmp").iterdir())


def wait_for_no_temporaries(home, seconds=10):
    deadline = time.monotonic() + seconds
    while temporaries(home):
        assert time.monotonic() < deadline, f"objects/tmp still holds {temporaries(home)}"
        time.sleep(0.05)


def check_stored(response, path, data, media_type):
    assert response.status_code == 201, response.text
    version = response.json()
    assert set(version) == {"path", "version", "id", "size", "media_type", "created_at", "author", "deleted", "origin"}
    assert version["origin"] is None  # written here, not received from a peer
    assert version["path"] == path and version["size"] == len(data)
    assert version["media_type"] == media_type
    assert version["author"] == "owner" and version["deleted"] is False
    assert version["id"].startswith("baguqeera")
    assert response.headers["etag"] == f'"{version["id"]}"'
    assert response.headers["location"] == f"/data{path}?version={version['version']}"
    return version


@pytest.mark.parametrize("size", [0, 1, 65536, MiB + 7])
def test_round_trips_are_byte_identical(server, size):
    data = os.urandom(size)
    path = f"/round/{size}.bin"
    version = check_stored(put(server, path, data, **{"Content-Type": "application/x-test"}), path, data,
                           "application/x-test")
    assert version["version"] == 1

    response = get(server, path)
    assert response.status_code == 200
    assert response.content == data
    assert response.headers["etag"] == f'"{version["id"]}"'
    assert int(response.headers["content-length"]) == size
    assert response.headers["content-type"] == "application/x-test"
    assert response.headers["accept-ranges"] == "bytes"
    assert response.headers["x-haven-version"] == "1"
    modified = email.utils.parsedate_to_datetime(response.headers["last-modified"])
    assert abs(modified.timestamp() - time.time()) < 300

    head = requests.head(url(server, path), headers=owner(server), timeout=30)
    assert head.status_code == 200 and head.content == b""
    for name in ["etag", "content-length", "content-type", "accept-ranges", "last-modified", "x-haven-version"]:
        assert head.headers[name] == response.headers[name], name

    # The id is the content's: the same bytes and type elsewhere are the same manifest.
    again = put(server, f"/round/copy-{size}.bin", data, **{"Content-Type": "application/x-test"})
    assert again.json()["id"] == version["id"]


def test_unusual_names_round_trip_and_their_location_works(server):
    names = {
        "/odd/with space.txt": "/odd/with%20space.txt",
        "/odd/question?.txt": "/odd/question%3F.txt",
        "/odd/hash#tag.txt": "/odd/hash%23tag.txt",
        "/odd/percent%.txt": "/odd/percent%25.txt",
        "/odd/semi;colon.txt": "/odd/semi%3Bcolon.txt",
        "/odd/plus+and&amp=.txt": "/odd/plus+and&amp=.txt",
        "/odd/ünïcødé/日本.txt": "/odd/%C3%BCn%C3%AFc%C3%B8d%C3%A9/%E6%97%A5%E6%9C%AC.txt",
    }
    for path, encoded in names.items():
        data = path.encode() * 3
        response = put(server, encoded, data, **{"Content-Type": "text/plain; charset=utf-8"})
        assert response.status_code == 201, (path, response.text)
        assert response.json()["path"] == path
        assert response.json()["media_type"] == "text/plain; charset=utf-8"
        location = response.headers["location"]
        assert location.startswith("/data/") and location.endswith("?version=1"), location
        again = requests.get(server.url + location, headers=owner(server), timeout=30)
        assert again.status_code == 200 and again.content == data, (path, location)
        assert again.headers["content-type"] == "text/plain; charset=utf-8"
    listing = get(server, "/odd/").json()["entries"]
    assert {e["path"] for e in listing} == {p for p in names if p.count("/") == 2} | {"/odd/ünïcødé/"}


def test_an_abandoned_upload_leaves_nothing_behind(server):
    """A client that disconnects halfway: no version, no temporary files, the server carries on."""
    before = store_stats(server)
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as connection:
        connection.sendall(
            f"PUT /data/abandoned.bin HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {server.home.token}\r\n"
            f"Content-Length: {64 * MiB}\r\n\r\n".encode())
        for _ in range(8):
            connection.sendall(os.urandom(MiB))
        deadline = time.monotonic() + 30
        while not temporaries(server.home):
            assert time.monotonic() < deadline, "the server wrote no chunks of the upload"
            time.sleep(0.01)
    wait_for_no_temporaries(server.home, seconds=30)
    assert_json_error(get(server, "/abandoned.bin"), 404, "not_found")
    assert store_stats(server) == before
    assert put(server, "/after.bin", b"after").status_code == 201


def test_concurrent_conditional_writes_have_one_winner(server):
    first = put(server, "/race/a.txt", b"v1")
    etag = first.headers["etag"]

    def replace(i):
        return put(server, "/race/a.txt", f"writer {i}".encode(), **{"If-Match": etag}).status_code

    def create(i):
        return put(server, "/race/new.txt", f"creator {i}".encode(), **{"If-None-Match": "*"}).status_code

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        replaced = list(pool.map(replace, range(8)))
        created = list(pool.map(create, range(8)))
    assert sorted(replaced) == [201] + [412] * 7, replaced
    assert sorted(created) == [201] + [412] * 7, created
    assert [v["version"] for v in get(server, "/race/a.txt?versions").json()["versions"]] == [1, 2]
    assert get(server, "/race/a.txt").content.startswith(b"writer ")
    assert [v["version"] for v in get(server, "/race/new.txt?versions").json()["versions"]] == [1]


def test_a_twenty_mib_upload_streams_in_and_out(server):
    rng = random.Random(20)
    blocks = [rng.randbytes(MiB) for _ in range(4)]
    sent = hashlib.sha256()

    def body():
        # Chunked transfer encoding (no Content-Length), with odd-sized pieces.
        for i in range(20):
            block = blocks[i % 4][i:] + blocks[(i + 1) % 4][:i]
            for start in range(0, MiB, 333_333):
                piece = block[start:start + 333_333]
                sent.update(piece)
                yield piece

    response = requests.put(url(server, "/big/twenty.bin"), data=body(), headers=owner(server), timeout=300)
    version = response.json()
    assert response.status_code == 201, response.text
    assert version["size"] == 20 * MiB
    assert version["media_type"] == "application/octet-stream"

    received = hashlib.sha256()
    total = 0
    with requests.get(url(server, "/big/twenty.bin"), headers=owner(server), stream=True, timeout=300) as reading:
        assert reading.status_code == 200
        assert reading.headers["etag"] == f'"{version["id"]}"'
        assert int(reading.headers["content-length"]) == 20 * MiB
        for piece in reading.iter_content(256 * 1024):
            received.update(piece)
            total += len(piece)
    assert total == 20 * MiB
    assert received.hexdigest() == sent.hexdigest()


def test_ranges(server):
    data = os.urandom(3 * MiB + 7)
    n = len(data)
    assert put(server, "/ranges/r.bin", data).status_code == 201
    rng = random.Random(7)
    cases = [
        ("bytes=0-0", 0, 0),
        (f"bytes={n - 1}-{n - 1}", n - 1, n - 1),
        ("bytes=-1", n - 1, n - 1),
        ("bytes=-100", n - 100, n - 1),
        (f"bytes=-{n + 10}", 0, n - 1),
        ("bytes=65535-65537", 65535, 65537),
        ("bytes=65536-", 65536, n - 1),
        ("bytes=65535-65535", 65535, 65535),
        ("bytes=131071-131073", 131071, 131073),
        ("bytes=100000-900000", 100000, 900000),
        ("bytes=1000000-", 1000000, n - 1),
        ("bytes=5-", 5, n - 1),
        (f"bytes=10-{n + 100}", 10, n - 1),
        (f"bytes={MiB - 1}-{2 * MiB}", MiB - 1, 2 * MiB),
    ]
    for _ in range(25):
        a = rng.randrange(n)
        b = rng.randrange(a, min(n, a + 600_000))
        cases.append((f"bytes={a}-{b}", a, b))
    for header, first, last in cases:
        response = get(server, "/ranges/r.bin", Range=header)
        assert response.status_code == 206, (header, response.status_code)
        assert response.headers["content-range"] == f"bytes {first}-{last}/{n}", header
        assert int(response.headers["content-length"]) == last - first + 1, header
        assert response.content == data[first:last + 1], header

    # A start past the end cannot be satisfied.
    for header in [f"bytes={n}-", f"bytes={n + 5}-{n + 10}", "bytes=-0"]:
        response = get(server, "/ranges/r.bin", Range=header)
        assert_json_error(response, 416, "range_not_satisfiable")
        assert response.headers["content-range"] == f"bytes */{n}", header

    # What is not served as a range is served whole: several ranges, other units, nonsense.
    for header in ["bytes=0-1,5-6", "bytes=0-0, -1", "items=0-5", "bytes=9-3", "bytes=x-y"]:
        response = get(server, "/ranges/r.bin", Range=header)
        assert response.status_code == 200, header
        assert "content-range" not in response.headers
        assert response.content == data, header

    # Ranges on an older version, and on HEAD.
    assert put(server, "/ranges/r.bin", b"short").status_code == 201
    old = get(server, "/ranges/r.bin?version=1", Range="bytes=-3")
    assert old.status_code == 206 and old.content == data[-3:]
    assert old.headers["content-range"] == f"bytes {n - 3}-{n - 1}/{n}"
    head = requests.head(url(server, "/ranges/r.bin"), headers=owner(server, Range="bytes=1-2"), timeout=30)
    assert head.status_code == 206 and head.headers["content-length"] == "2" and head.content == b""


def test_conditional_requests(server):
    path = "/cond/a.txt"
    v1 = put(server, path, b"one").json()
    etag1 = f'"{v1["id"]}"'

    not_modified = get(server, path, **{"If-None-Match": etag1})
    assert not_modified.status_code == 304 and not_modified.content == b""
    assert not_modified.headers["etag"] == etag1
    assert get(server, path, **{"If-None-Match": "W/" + etag1}).status_code == 304
    assert get(server, path, **{"If-None-Match": f'"nope", {etag1}'}).status_code == 304
    assert get(server, path, **{"If-None-Match": '"nope"'}).content == b"one"
    assert_json_error(get(server, path, **{"If-Match": '"nope"'}), 412, "precondition_failed")
    assert get(server, path, **{"If-Match": etag1}).content == b"one"

    # Writes that do not hold change nothing.
    for headers in [{"If-Match": '"nope"'}, {"If-Match": '"baguqeeraxxxx"'}, {"If-None-Match": "*"}]:
        assert_json_error(put(server, path, b"clobbered", **headers), 412, "precondition_failed")
    assert get(server, path).content == b"one"
    versions = get(server, path + "?versions").json()["versions"]
    assert [v["version"] for v in versions] == [1]

    v2 = put(server, path, b"two", **{"If-Match": etag1})
    assert v2.status_code == 201 and v2.json()["version"] == 2
    etag2 = v2.headers["etag"]
    assert_json_error(put(server, path, b"stale", **{"If-Match": etag1}), 412, "precondition_failed")
    assert put(server, path, b"three", **{"If-Match": f"{etag1}, {etag2}"}).status_code == 201
    assert put(server, path, b"four", **{"If-Match": "*"}).status_code == 201
    assert get(server, path).content == b"four"

    # Creating only what is absent; replacing only what exists.
    assert put(server, "/cond/new.txt", b"new", **{"If-None-Match": "*"}).status_code == 201
    assert_json_error(put(server, "/cond/other.txt", b"x", **{"If-Match": "*"}), 412, "precondition_failed")
    assert_json_error(get(server, "/cond/other.txt"), 404, "not_found")

    # A conditional delete.
    assert_json_error(requests.delete(url(server, path), headers=owner(server, **{"If-Match": etag1}), timeout=30),
                      412, "precondition_failed")
    assert get(server, path).content == b"four"
    current = get(server, path).headers["etag"]
    assert requests.delete(url(server, path), headers=owner(server, **{"If-Match": current}), timeout=30).status_code == 200


def test_versions_and_deletion(server):
    path = "/ver/a.txt"
    assert put(server, path, b"one", **{"Content-Type": "text/plain"}).json()["version"] == 1
    assert put(server, path, b"two!").json()["version"] == 2

    deleted = requests.delete(url(server, path), headers=owner(server), timeout=30)
    assert deleted.status_code == 200, deleted.text
    record = deleted.json()
    assert record["deleted"] is True and record.get("id") is None and record["version"] == 3
    assert record["path"] == path and record["author"] == "owner"

    assert_json_error(get(server, path), 404, "not_found")
    assert requests.head(url(server, path), headers=owner(server), timeout=30).status_code == 404
    assert_json_error(requests.delete(url(server, path), headers=owner(server), timeout=30), 404, "not_found")

    first = get(server, path + "?version=1")
    assert first.status_code == 200 and first.content == b"one"
    assert first.headers["x-haven-version"] == "1" and first.headers["content-type"] == "text/plain"
    assert get(server, path + "?version=2").content == b"two!"
    assert_json_error(get(server, path + "?version=3"), 404, "not_found")
    assert_json_error(get(server, path + "?version=9"), 404, "not_found")
    assert_json_error(get(server, path + "?version=0"), 400, "invalid_version")
    assert_json_error(get(server, path + "?version=two"), 400, "invalid_version")

    history = get(server, path + "?versions")
    assert history.status_code == 200
    listing = history.json()
    assert listing["path"] == path
    assert [(v["version"], v["deleted"], v["size"], v.get("id") is None, v["author"]) for v in listing["versions"]] == [
        (1, False, 3, False, "owner"), (2, False, 4, False, "owner"), (3, True, 0, True, "owner")]
    assert listing["versions"][0]["media_type"] == "text/plain"

    assert put(server, path, b"four").json()["version"] == 4
    assert get(server, path).content == b"four"
    assert get(server, path).headers["x-haven-version"] == "4"
    assert [v["version"] for v in get(server, path + "?versions").json()["versions"]] == [1, 2, 3, 4]
    assert_json_error(get(server, "/ver/never.txt?versions"), 404, "not_found")
    assert_json_error(get(server, "/ver/never.txt"), 404, "not_found")


def test_json_answers_spell_out_null_fields(server):
    """The documented shapes hold every field, null when it has no value (a deletion's id, an
    owner decision's basis, a grant's unset times), rather than leaving the key out."""
    owner_headers = owner(server)
    put(server, "/shape/a.txt", b"a")
    deletion = requests.delete(url(server, "/shape/a.txt"), headers=owner_headers, timeout=30).json()
    versions = get(server, "/shape/a.txt?versions").json()["versions"]
    [entry] = requests.get(server.url + "/haven/audit", params={"limit": 1}, headers=owner_headers,
                           timeout=30).json()["entries"]
    grant = requests.post(server.url + "/haven/grants", json={"to": "app:x", "rights": ["read"], "path": "/shape/"},
                          headers=owner_headers, timeout=30).json()
    share = requests.post(server.url + "/haven/shares", json={"to": "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
                                                             "rights": ["read"], "path": "/shape/"},
                          headers=owner_headers, timeout=30).json()["share"]
    put(server, "/shape/dir/b.txt", b"b")
    directory = [e for e in get(server, "/shape/").json()["entries"] if e["type"] == "directory"][0]
    missing = []
    for name, value, keys in [
        ("share without times", share, ["not_before", "expires_at", "revoked_at"]),
        ("directory entry", directory, ["id", "size", "version", "media_type", "modified_at"]),
        ("DELETE answer", deletion, ["id", "media_type"]),
        ("deleted version in ?versions", versions[-1], ["id", "media_type"]),
        ("audit entry of an owner decision", entry, ["basis"]),
        ("grant without times", grant, ["not_before", "expires_at", "revoked_at"]),
    ]:
        missing += [f"{name} lacks '{key}'" for key in keys if key not in value]
    assert not missing, "; ".join(missing)
    assert deletion["id"] is None and versions[-1]["id"] is None and entry["basis"] is None
    assert grant["expires_at"] is None and grant["revoked_at"] is None


def test_directory_listing(server):
    empty = get(server, "/")
    assert empty.status_code == 200 and empty.json() == {"path": "/", "entries": []}
    for path in ["/docs/a.txt", "/docs/b/c.txt", "/docs/b/d.txt", "/docs/e/f/g.txt", "/docsx/h.txt", "/top.txt"]:
        assert put(server, path, path.encode(), **{"Content-Type": "text/plain"}).status_code == 201

    listing = get(server, "/docs/").json()
    assert listing["path"] == "/docs/"
    entries = listing["entries"]
    assert [(e["name"], e["type"], e["path"]) for e in entries] == [
        ("a.txt", "file", "/docs/a.txt"), ("b", "directory", "/docs/b/"), ("e", "directory", "/docs/e/")]
    file = entries[0]
    assert file["size"] == len(b"/docs/a.txt") and file["version"] == 1 and file["media_type"] == "text/plain"
    assert file["id"] == get(server, "/docs/a.txt").headers["etag"].strip('"')
    assert file["modified_at"].endswith("Z")

    root = get(server, "/").json()
    assert root["path"] == "/"
    assert [(e["name"], e["type"]) for e in root["entries"]] == [
        ("docs", "directory"), ("docsx", "directory"), ("top.txt", "file")]
    assert [e["name"] for e in get(server, "/docs/b/").json()["entries"]] == ["c.txt", "d.txt"]
    assert [e["name"] for e in get(server, "/docs/e/").json()["entries"]] == ["f"]
    assert_json_error(get(server, "/nothing/"), 404, "not_found")
    assert_json_error(get(server, "/docs/a.txt/"), 404, "not_found")

    # Deleted files leave listings; an emptied directory is gone.
    for path in ["/docs/b/c.txt", "/docs/b/d.txt"]:
        assert requests.delete(url(server, path), headers=owner(server), timeout=30).status_code == 200
    assert_json_error(get(server, "/docs/b/"), 404, "not_found")
    assert [e["name"] for e in get(server, "/docs/").json()["entries"]] == ["a.txt", "e"]

    # Names are percent-decoded and Unicode-normalised: two spellings of "é", one file.
    assert put(server, "/docs/caf%C3%A9%20menu.txt", b"menu").status_code == 201
    assert get(server, "/docs/cafe%CC%81%20menu.txt").content == b"menu"
    names = [e["name"] for e in get(server, "/docs/").json()["entries"]]
    assert "café menu.txt" in names
    assert put(server, "/docs/cafe%CC%81%20menu.txt", b"menu 2").json()["version"] == 2


def test_identical_content_is_stored_once(server):
    data = os.urandom(MiB + 12345)
    first = put(server, "/dedup/a.bin", data).json()
    before = store_stats(server)
    assert before["chunk_bytes"] >= len(data)
    chunks_on_disk = len(stored_chunks(server.home))
    assert chunks_on_disk == before["chunks"]

    second = put(server, "/dedup/b.bin", data).json()
    assert second["id"] == first["id"]
    after = store_stats(server)
    assert (after["chunks"], after["chunk_bytes"]) == (before["chunks"], before["chunk_bytes"])
    assert (after["files"], after["versions"]) == (before["files"] + 1, before["versions"] + 1)
    assert len(stored_chunks(server.home)) == chunks_on_disk

    # Another media type is another manifest, over the same chunks.
    third = put(server, "/dedup/c.bin", data, **{"Content-Type": "image/png"}).json()
    assert third["id"] != first["id"]
    assert store_stats(server)["chunks"] == before["chunks"]

    # A small edit in the middle shares most chunks with the original.
    edited = bytearray(data)
    edited[MiB // 2] ^= 0xFF
    put(server, "/dedup/edited.bin", bytes(edited))
    grown = store_stats(server)["chunk_bytes"] - before["chunk_bytes"]
    assert 0 < grown <= 3 * 256 * 1024, grown


def test_garbage_collection_frees_what_no_kept_version_needs(server):
    big = os.urandom(2 * MiB)
    kept = os.urandom(256 * 1024)
    assert put(server, "/gc/big.bin", big).status_code == 201
    assert put(server, "/gc/kept.bin", kept).status_code == 201
    stats = store_stats(server)
    assert gc(server) == {"versions_pruned": 0, "manifests_removed": 0, "chunks_removed": 0, "bytes_freed": 0}

    # Deleting keeps history, so nothing is freed yet.
    assert requests.delete(url(server, "/gc/big.bin"), headers=owner(server), timeout=30).status_code == 200
    assert gc(server)["chunks_removed"] == 0
    assert get(server, "/gc/big.bin?version=1").content == big
    assert store_stats(server)["chunks"] == stats["chunks"]

    report = gc(server, keep_versions=1)
    assert report["versions_pruned"] == 1 and report["manifests_removed"] == 1
    assert report["chunks_removed"] > 0 and report["bytes_freed"] == len(big)
    after = store_stats(server)
    assert after["chunks"] == stats["chunks"] - report["chunks_removed"]
    assert after["chunk_bytes"] == stats["chunk_bytes"] - report["bytes_freed"]
    assert len(stored_chunks(server.home)) == after["chunks"]
    assert get(server, "/gc/kept.bin").content == kept
    assert_json_error(get(server, "/gc/big.bin?version=1"), 404, "not_found")
    assert [(v["version"], v["deleted"]) for v in get(server, "/gc/big.bin?versions").json()["versions"]] == [(2, True)]

    # Pruning keeps the newest N of every file.
    for i in range(4):
        put(server, "/gc/many.txt", f"v{i}".encode())
    assert gc(server, keep_versions=2)["versions_pruned"] == 2
    assert [v["version"] for v in get(server, "/gc/many.txt?versions").json()["versions"]] == [3, 4]
    assert get(server, "/gc/many.txt").content == b"v3"
    bad = requests.post(server.url + "/haven/store/gc", json={"keep_versions": 0}, headers=owner(server), timeout=30)
    assert bad.status_code == 400


def test_uploads_over_the_limit_are_refused(home, tmp_path):
    server = start_server(home, tmp_path, env={"HAVEN_MAX_UPLOAD": "1MiB"})
    try:
        exact = os.urandom(MiB)
        assert put(server, "/limit/exact.bin", exact).status_code == 201
        stats = store_stats(server)

        # Declared too large: refused before the body is read.
        declared = put(server, "/limit/declared.bin", os.urandom(MiB + 1))
        error = assert_json_error(declared, 413, "request_too_large")
        assert "max_upload" in error["message"]

        # Streamed without a length: refused once the limit is passed.
        def stream():
            for _ in range(3):
                yield os.urandom(MiB)

        try:
            streamed = requests.put(url(server, "/limit/streamed.bin"), data=stream(), headers=owner(server), timeout=60)
        except requests.ConnectionError as error:  # the server may stop reading and close first
            pytest.fail(f"the server dropped the connection instead of answering 413: {error}")
        assert_json_error(streamed, 413, "request_too_large")

        for path in ["/limit/declared.bin", "/limit/streamed.bin"]:
            assert_json_error(get(server, path), 404, "not_found")
        wait_for_no_temporaries(home)
        report = gc(server)
        assert store_stats(server) == stats, report
        assert get(server, "/limit/exact.bin").content == exact
    finally:
        stop_server(server)


def vm_high_water_mark(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                value, unit = line.split()[1:3]
                assert unit == "kB"
                return int(value) * 1024
    raise AssertionError("no VmHWM in /proc/PID/status")


@pytest.mark.parametrize("home", ["files"], indirect=True)
def test_a_two_gib_file_streams_through_in_bounded_memory(home, tmp_path):
    size = 2 << 30
    free = shutil.disk_usage(tmp_path).free
    if free < 6 << 30:
        pytest.skip(f"needs 6 GiB free disk for a 2 GiB file, {free >> 20} MiB free under {tmp_path}")
    server = start_server(home, tmp_path)
    try:
        sent = hashlib.sha256()
        probe = {}

        def body():
            for i in range(size // MiB):
                block = os.urandom(MiB)
                if i == 1000:
                    probe["block"] = block
                sent.update(block)
                yield block

        started = time.monotonic()
        response = requests.put(url(server, "/huge/two.bin"), data=body(), headers=owner(server), timeout=(10, 900))
        assert response.status_code == 201, response.text
        assert response.json()["size"] == size
        uploaded = time.monotonic() - started

        received = hashlib.sha256()
        total = 0
        try:
            reading = requests.get(url(server, "/huge/two.bin"), headers=owner(server), stream=True, timeout=(10, 900))
        except requests.ConnectionError as error:
            pytest.fail(f"GET after the upload failed ({error}); server exit status {server.process.poll()}; "
                        f"log:\n{server.log()[-3000:]}")
        with reading:
            assert reading.status_code == 200
            assert int(reading.headers["content-length"]) == size
            for piece in reading.iter_content(MiB):
                received.update(piece)
                total += len(piece)
        assert total == size
        assert received.hexdigest() == sent.hexdigest()

        middle = get(server, "/huge/two.bin", Range=f"bytes={1000 * MiB}-{1001 * MiB - 1}")
        assert middle.status_code == 206 and middle.content == probe["block"]

        peak = vm_high_water_mark(server.process.pid)
        assert peak < 150 * MiB, f"peak resident memory {peak / MiB:.0f} MiB (upload took {uploaded:.0f} s)"
    finally:
        stop_server(server)
        shutil.rmtree(home.path / "objects", ignore_errors=True)  # 2 GiB that pytest would keep around
