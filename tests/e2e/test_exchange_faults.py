"""The exchange when things go wrong: the sending server killed in the middle of a 256 MiB pull,
a proxy that damages blocks on the way, and the receiving server killed while it mirrors.
Each test runs its own servers on loopback."""

import hashlib
import json
import os
import subprocess
import time

import requests

from conftest import (
    assert_one_line_error,
    bearer,
    make_home,
    start_server,
    stop_server,
)
from exchange_helpers import MiB, cli, get, kill, ok, owner_did, put, restart, share, streamed_sha256, wait_for
from proxy import Proxy, corrupt_chunks























def pull_status(server, pull_id):
    response = requests.get(server.url + f"/haven/pulls/{pull_id}", headers=bearer(server.home.token), timeout=30)
    assert response.status_code == 200, response.text
    return response.json()


def chunk_files(home):
    return [p for p in (home.path / "objects").glob("??/*") if p.is_file() and len(p.name) == 64]


def test_a_pull_cut_off_by_a_killed_sender_resumes_where_it_stopped(tmp_path):
    a = start_server(make_home(tmp_path / "a"), tmp_path)
    b = start_server(make_home(tmp_path / "b"), tmp_path)
    servers = [a, b]
    try:
        digest = hashlib.sha256()

        def pieces():
            for _ in range(256):
                piece = os.urandom(MiB)
                digest.update(piece)
                yield piece

        put(a, "/big/archive.bin", pieces())
        token = share(a, "/big/", b)
        ok(cli(b, "peer", "add", a.url, "--name", "alice"))

        started = requests.post(b.url + "/haven/pulls", headers=bearer(b.home.token), timeout=30, json={
            "source": "alice:/big/", "destination": "/from/alice/big/", "capability": token})
        assert started.status_code == 202, started.text
        pull_id = started.json()["id"]
        assert started.json()["state"] in ("listing", "fetching")

        def partway():
            report = pull_status(b, pull_id)
            assert report["state"] in ("listing", "fetching"), f"the pull ended before the kill: {report}"
            return report["chunks_needed"] > 0 and report["chunks_fetched"] >= report["chunks_needed"] // 5

        wait_for(partway, "a fifth of the chunks", seconds=120, interval=0.02)
        kill(a)
        # Its source gone, the pull gives up after its few retries (and keeps what it verified).
        first = wait_for(lambda: (r := pull_status(b, pull_id))["state"] not in ("listing", "fetching") and r,
                         lambda: f"the pull to fail once its source is gone; it reads {pull_status(b, pull_id)}",
                         seconds=30)
        assert first["state"] == "failed" and first["error"], first
        assert 0 < first["chunks_fetched"] < first["chunks_needed"], first
        assert first["chunks_present"] == 0 and first["files_received"] == 0
        assert get(b, "/from/alice/big/archive.bin").status_code == 404

        a = servers[0] = restart(a, tmp_path)
        second = json.loads(ok(cli(b, "pull", "alice:/big/", "/from/alice/big/", "--json")).stdout)
        assert second["state"] == "done" and second["files_received"] == 1, second
        assert second["chunks_present"] == first["chunks_fetched"], (first, second)
        assert second["chunks_fetched"] == first["chunks_needed"] - first["chunks_fetched"], (first, second)
        assert second["chunks_present"] + second["chunks_fetched"] == first["chunks_needed"]
        assert second["rejected_blocks"] == {}
        assert streamed_sha256(b, "/from/alice/big/archive.bin") == digest.hexdigest()
    finally:
        for server in reversed(servers):  # receivers first: they hold feed requests open
            stop_server(server)


def test_a_pull_from_a_stopped_peer_fails_promptly_with_one_line(tmp_path):
    a = start_server(make_home(tmp_path / "a"), tmp_path)
    b = start_server(make_home(tmp_path / "b"), tmp_path)
    servers = [a, b]
    try:
        put(a, "/docs/a.txt", b"hello\n")
        ok(cli(b, "peer", "add", a.url, "--name", "alice", "--capability", share(a, "/docs/", b)))
        ok(cli(b, "pull", "alice:/docs/", "/from/alice/"))
        stop_server(a)

        began = time.monotonic()
        try:
            result = cli(b, "pull", "alice:/docs/", "/from/alice/", timeout=20)
        except subprocess.TimeoutExpired:
            raise AssertionError("haven pull from a stopped peer was still waiting after 20 s") from None
        assert_one_line_error(result, "cannot reach", a.url)
        assert time.monotonic() - began < 20
    finally:
        for server in reversed(servers):  # receivers first: they hold feed requests open
            stop_server(server)


def test_blocks_damaged_on_the_way_are_thrown_away_and_fetched_from_another_source(tmp_path):
    proxy = Proxy(rewrite=corrupt_chunks)
    servers = []
    with proxy:
        try:
            # A is reached only through the proxy, and says so: signatures cover the proxy's URL.
            a = start_server(make_home(tmp_path / "a"), tmp_path, "--public-url", proxy.url)
            servers.append(a)
            proxy.forward_to(a.url)
            b = start_server(make_home(tmp_path / "b"), tmp_path)
            servers.append(b)
            c = start_server(make_home(tmp_path / "c"), tmp_path)
            servers.append(c)

            files = {"one.bin": os.urandom(16 * MiB), "two.bin": os.urandom(16 * MiB), "three.bin": os.urandom(8 * MiB)}
            for name, data in files.items():
                put(a, "/photos/" + name, data)
                put(c, "/copy/photos/" + name, data)
            ok(cli(b, "peer", "add", proxy.url, "--name", "alice", "--capability", share(a, "/photos/", b)))
            ok(cli(b, "peer", "add", c.url, "--name", "carol", "--capability", share(c, "/copy/photos/", b)))

            result = ok(cli(b, "pull", "alice:/photos/", "/x/", "--from", "carol:/copy/photos/", "--json"))
            report = json.loads(result.stdout)
            assert report["state"] == "done" and report["files_received"] == 3, report
            assert report["chunks_fetched"] == report["chunks_needed"], report
            # Every CAR answer that came through the proxy had one damaged block, thrown away.
            assert proxy.rewritten >= 1
            assert report["rejected_blocks"] == {owner_did(a): proxy.rewritten}, report
            assert "corrupt blocks thrown away" in result.stderr

            for name, data in files.items():
                assert streamed_sha256(b, "/x/" + name) == hashlib.sha256(data).hexdigest(), name
            # Nothing damaged was kept: every chunk on B is named by the hash of its bytes.
            stored = chunk_files(b.home)
            assert stored
            for path in stored:
                assert hashlib.sha256(path.read_bytes()).hexdigest() == path.name, path
        finally:
            for server in reversed(servers):  # receivers first: they hold feed requests open
                stop_server(server)


def test_a_mirror_killed_while_it_copies_resumes_without_duplicates_or_gaps(tmp_path):
    a = start_server(make_home(tmp_path / "a"), tmp_path)
    b = start_server(make_home(tmp_path / "b"), tmp_path)
    servers = [a, b]
    try:
        contents = {f"note-{n:02}.txt": f"note {n}\n".encode() * (50 + n) for n in range(30)}
        names = sorted(contents)

        def arrived():
            response = get(b, "/from/alice/notes/")
            return {e["name"] for e in response.json()["entries"]} if response.status_code == 200 else set()

        for name in names[:10]:
            put(a, "/notes/" + name, contents[name])
        ok(cli(b, "peer", "add", a.url, "--name", "alice", "--capability", share(a, "/notes/", b)))
        mirror_id = ok(cli(b, "mirror", "add", "alice:/notes/", "/from/alice/notes/")).stdout.strip()

        wait_for(lambda: len(arrived()) >= 3, "the first files on B", interval=0.01)
        kill(b)
        for name in names[10:]:
            put(a, "/notes/" + name, contents[name])

        b = servers[1] = restart(b, tmp_path)
        wait_for(lambda: arrived() == set(names), "every file on B", seconds=60)
        for name in names:
            history = get(b, f"/from/alice/notes/{name}?versions").json()["versions"]
            assert len(history) == 1, (name, history)
            assert get(b, "/from/alice/notes/" + name).content == contents[name], name
        [mirror] = json.loads(ok(cli(b, "mirror", "list", "--json")).stdout)["mirrors"]
        assert (mirror["id"], mirror["state"]) == (mirror_id, "active")
    finally:
        for server in reversed(servers):  # receivers first: they hold feed requests open
            stop_server(server)
