"""kill -9 at the worst moments: every path reads back whole at its old or its new version,
acknowledged writes survive, nothing is left in objects/tmp, and the audit chain holds; an
audit log edited behind the server's back is reported, naming the entry."""

import hashlib
import os
import random
import signal
import sqlite3
import threading
import time
from collections import defaultdict

import pytest
import requests

from conftest import bearer, run_haven, start_server, stop_server
from s3_helpers import backend_home, stored_chunks

MiB = 1 << 20


def url(server, path):
    return server.url + "/data" + path


@pytest.fixture(params=["files", "s3"])
def home(request, tmp_path):
    return backend_home(request, tmp_path)


def temporaries(home):
    return sorted((home.path / "objects" / "tmp").iterdir())


def kill(server):
    server.process.send_signal(signal.SIGKILL)
    assert server.process.wait(timeout=30) == -signal.SIGKILL


def read(server, path):
    response = requests.get(url(server, path), headers=bearer(server.home.token), timeout=60)
    assert response.status_code == 200, f"{path}: {response.status_code} {response.text[:200]}"
    assert int(response.headers["content-length"]) == len(response.content)
    return response


def assert_audit_intact(server):
    verification = requests.get(server.url + "/haven/audit/verify", headers=bearer(server.home.token), timeout=60)
    assert verification.status_code == 200, verification.text
    assert verification.json()["intact"] is True, verification.json()
    assert verification.json()["problem"] is None
    result = run_haven("audit", "verify", env=server.env)
    assert result.returncode == 0, result.stderr
    assert "intact" in result.stdout


def test_a_kill_during_a_large_upload_keeps_the_old_version(home, tmp_path):
    server = start_server(home, tmp_path)
    try:
        old = os.urandom(8 * MiB + 3)
        stored = requests.put(url(server, "/big.bin"), data=old, headers=bearer(home.token), timeout=120)
        assert stored.status_code == 201, stored.text
        old_id = stored.json()["id"]

        sent = [0]
        outcome = {}

        def body():
            for _ in range(256):
                block = os.urandom(MiB)
                sent[0] += len(block)
                yield block

        def upload():
            try:
                outcome["response"] = requests.put(url(server, "/big.bin"), data=body(), headers=bearer(home.token),
                                                   timeout=300)
            except requests.RequestException as error:
                outcome["error"] = error

        uploader = threading.Thread(target=upload, daemon=True)
        uploader.start()
        # Kill once the server is visibly writing chunks of the new version.
        deadline = time.monotonic() + 120
        while not (sent[0] >= 64 * MiB and temporaries(home)):
            assert time.monotonic() < deadline, f"no chunks in objects/tmp after sending {sent[0] >> 20} MiB"
            assert uploader.is_alive(), outcome
            time.sleep(0.01)
        kill(server)
        uploader.join(timeout=60)
        assert not uploader.is_alive()
        assert "response" not in outcome, outcome["response"].text
        assert sent[0] < 256 * MiB
    finally:
        stop_server(server)

    restarted = start_server(home, tmp_path)
    try:
        assert temporaries(home) == []
        response = read(restarted, "/big.bin")
        assert response.content == old
        assert response.headers["etag"] == f'"{old_id}"'
        versions = requests.get(url(restarted, "/big.bin?versions"), headers=bearer(home.token), timeout=30).json()
        assert [v["version"] for v in versions["versions"]] == [1]
        stats = requests.get(restarted.url + "/haven/store", headers=bearer(home.token), timeout=30).json()
        on_disk = stored_chunks(home)
        assert len(on_disk) == stats["chunks"]
        assert_audit_intact(restarted)
        # And the same upload goes through now.
        again = os.urandom(24 * MiB)
        assert requests.put(url(restarted, "/big.bin"), data=again, headers=bearer(home.token),
                            timeout=120).status_code == 201
        assert read(restarted, "/big.bin").content == again
    finally:
        stop_server(restarted)


def test_a_kill_during_a_burst_of_writes_loses_nothing_acknowledged(home, tmp_path):
    server = start_server(home, tmp_path)
    attempts = defaultdict(list)  # path -> every body sent, in order
    acknowledged = {}  # path -> index into attempts of the last 201
    lock = threading.Lock()
    stop = threading.Event()
    acks = [0]

    def writer(thread):
        rng = random.Random(thread)
        session = requests.Session()
        for i in range(10_000):
            if stop.is_set():
                return
            path = f"/burst/t{thread}/f{i % 3}.txt"
            size = rng.choice([10, 1000, 40_000, 150_000, 400_000])
            body = f"thread {thread} write {i}\n".encode() + rng.randbytes(size)
            with lock:
                attempts[path].append(body)
                index = len(attempts[path]) - 1
            try:
                response = session.put(url(server, path), data=body, headers=bearer(home.token), timeout=60)
            except requests.RequestException:
                return
            if response.status_code != 201:
                return
            with lock:
                acknowledged[path] = index
                acks[0] += 1

    threads = [threading.Thread(target=writer, args=(t,), daemon=True) for t in range(8)]
    try:
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 120
        while acks[0] < 60:
            assert time.monotonic() < deadline, f"only {acks[0]} writes acknowledged in 120 s"
            assert any(t.is_alive() for t in threads), "every writer stopped before the kill"
            time.sleep(0.01)
        kill(server)
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
            assert not thread.is_alive()
    finally:
        stop.set()
        stop_server(server)

    restarted = start_server(home, tmp_path)
    try:
        assert temporaries(home) == []
        with lock:
            attempts_now = {path: list(bodies) for path, bodies in attempts.items()}
            acknowledged_now = dict(acknowledged)
        in_flight = [path for path, bodies in attempts_now.items() if acknowledged_now.get(path, -1) < len(bodies) - 1]
        assert in_flight, "no write was in flight at the kill"
        print(f"{acks[0]} writes acknowledged, {len(in_flight)} in flight at the kill")
        owner = bearer(home.token)
        listed = {}
        for thread in range(8):
            response = requests.get(url(restarted, f"/burst/t{thread}/"), headers=owner, timeout=30)
            if response.status_code == 404:
                continue
            assert response.status_code == 200, response.text
            for entry in response.json()["entries"]:
                listed[entry["path"]] = entry
        for path, index in acknowledged_now.items():
            assert path in listed, f"{path} was acknowledged (write {index}) but is gone after the kill"
        for path, entry in listed.items():
            assert path in attempts_now, f"{path} was never written"
            response = read(restarted, path)
            data = response.content
            assert response.headers["etag"] == f'"{entry["id"]}"'
            assert entry["size"] == len(data)
            # Whole, and never older than the last acknowledged write.
            candidates = attempts_now[path][acknowledged_now.get(path, 0):]
            assert data in candidates, (
                f"{path}: {len(data)} bytes starting {data[:40]!r} match no write since the last acknowledged one")
        assert_audit_intact(restarted)
        assert requests.put(url(restarted, "/burst/after.txt"), data=b"after", headers=owner,
                            timeout=30).status_code == 201
    finally:
        stop_server(restarted)


@pytest.mark.parametrize("home", ["files"], indirect=True)
def test_an_edited_or_removed_audit_entry_is_reported(home, tmp_path):
    server = start_server(home, tmp_path)
    owner = bearer(home.token)
    try:
        for i in range(4):
            assert requests.put(url(server, f"/log/{i}.txt"), data=b"x", headers=owner, timeout=30).status_code == 201
            assert requests.get(url(server, f"/log/{i}.txt"), headers=owner, timeout=30).status_code == 200
        assert_audit_intact(server)
    finally:
        stop_server(server)

    catalog = home.path / "catalog.sqlite"

    def sql(statement, *arguments):
        db = sqlite3.connect(catalog)
        try:
            with db:
                return db.execute(statement, arguments).fetchall()
        finally:
            db.close()

    def verify_reports(sequence, fragment):
        server = start_server(home, tmp_path)
        try:
            result = run_haven("audit", "verify", env=server.env)
            assert result.returncode != 0, result.stdout
            lines = result.stderr.strip().splitlines()
            assert len(lines) == 1, result.stderr
            assert f"entry {sequence}" in lines[0] and fragment in lines[0], lines[0]
            answer = requests.get(server.url + "/haven/audit/verify", headers=owner, timeout=30).json()
            assert answer["intact"] is False
            assert answer["problem"]["sequence"] == sequence and fragment in answer["problem"]["reason"]
            assert answer["entries"] == sequence - 1
        finally:
            stop_server(server)

    def verify_intact():
        server = start_server(home, tmp_path)
        try:
            assert_audit_intact(server)
        finally:
            stop_server(server)

    columns = "seq, time_ms, principal, action, resource, allowed, reason, basis, previous_hash, hash"
    rows = {row[0]: row for row in sql(f"SELECT {columns} FROM audit ORDER BY seq")}
    assert sorted(rows) == list(range(1, 9))
    for row in rows.values():
        assert audit_hash(*row[:9]) == row[9], "the documented hash does not reproduce a stored entry"

    # An edited field.
    sql("UPDATE audit SET reason = 'edited' WHERE seq = 3")
    verify_reports(3, "altered")
    sql("UPDATE audit SET reason = ? WHERE seq = 3", rows[3][6])
    verify_intact()

    # An edit whose hash was recomputed still breaks the link from the next entry.
    seq, time_ms, principal, action, resource, _, reason, basis, previous, _ = rows[2]
    forged = audit_hash(seq, time_ms, principal, action, resource, 0, "forged", basis, previous)
    sql("UPDATE audit SET allowed = 0, reason = 'forged', hash = ? WHERE seq = 2", forged)
    verify_reports(3, "does not follow")
    sql("UPDATE audit SET allowed = ?, reason = ?, hash = ? WHERE seq = 2", rows[2][5], rows[2][6], rows[2][9])
    verify_intact()

    # A removed entry.
    sql("DELETE FROM audit WHERE seq = 5")
    verify_reports(5, "missing")


def audit_hash(seq, time_ms, principal, action, resource, allowed, reason, basis, previous_hash):
    """The entry hash as the server documents it: SHA-256 over length-prefixed fields."""
    hasher = hashlib.sha256()
    for text in ["haven-audit-v1", str(seq), str(time_ms), principal, action, resource,
                 "allow" if allowed else "deny", reason, basis or "", previous_hash]:
        data = text.encode()
        hasher.update(len(data).to_bytes(8, "big"))
        hasher.update(data)
    return hasher.hexdigest()
