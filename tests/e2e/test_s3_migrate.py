"""The s3 backend's local cache of hot chunks, and `haven store migrate --to s3`: a home's chunks
moved from objects/ into a bucket on moto_server (signature checking on), interrupted and resumed,
with a server running on the home, then served from the bucket."""

import os
import re
import subprocess

import pytest
import requests

from conftest import (HAVEN_BIN, MODEL_FILE, Home, assert_one_line_error, bearer, make_home, run_haven,
                      start_server, stop_server)
from s3_helpers import start_moto

MiB = 1 << 20
CHUNK_KEY = re.compile(r'"GET /(?P<bucket>[^/ ]+)/chunks/[0-9a-f]{2}/[0-9a-f]{64} HTTP')


def chunk_gets(moto, bucket):
    """How many chunk GETs moto has logged for `bucket`."""
    return sum(1 for m in CHUNK_KEY.finditer(moto.log_path.read_text()) if m["bucket"] == bucket)


def local_chunks(home):
    return sorted(p.name for p in (home.path / "objects").glob("??/*") if p.is_file())


def put(server, path, data):
    response = requests.put(server.url + "/data" + path, data=data, headers=bearer(server.home.token), timeout=120)
    assert response.status_code in (200, 201), response.text


def get(server, path):
    return requests.get(server.url + "/data" + path, headers=bearer(server.home.token), timeout=120)


def read_fails(server, path):
    """Whether a read fails: a 5xx, or (the headers being sent before the first chunk is read) a
    body cut short."""
    try:
        return get(server, path).status_code >= 500
    except requests.exceptions.ChunkedEncodingError:
        return True


# --- The cache -------------------------------------------------------------------------------


def test_a_second_read_is_served_from_the_cache_without_the_bucket(tmp_path):
    moto = start_moto(tmp_path)
    try:
        home = make_home(tmp_path / "home")
        bucket = moto.new_bucket()
        credentials = moto.write_credentials(tmp_path / "s3-credentials")
        (home.path / "haven.toml").write_text(moto.store_settings(bucket, credentials, backend="s3"))
        server = start_server(home, tmp_path)
        try:
            read_twice, read_never = os.urandom(2 * MiB + 3), os.urandom(MiB)
            put(server, "/hot.bin", read_twice)
            put(server, "/cold.bin", read_never)
            before = chunk_gets(moto, bucket)
            # The first read fetches every chunk from the bucket.
            assert get(server, "/hot.bin").content == read_twice
            fetched = chunk_gets(moto, bucket) - before
            assert fetched >= 2 * MiB // (256 << 10)
            cached = [p for p in (home.path / "cache" / "chunks").glob("??/*") if p.is_file()]
            assert len(cached) == fetched
            # With the bucket gone, the second read is served from the cache alone...
            moto.stop()
            assert get(server, "/hot.bin").content == read_twice
            # ...while a file never read cannot be served: the bucket really is unreachable.
            assert read_fails(server, "/cold.bin")
        finally:
            stop_server(server)
    finally:
        moto.stop()


def test_with_cache_bytes_0_every_read_goes_to_the_bucket(moto_s3, tmp_path):
    home = make_home(tmp_path / "home")
    bucket = moto_s3.new_bucket()
    credentials = moto_s3.write_credentials(tmp_path / "s3-credentials")
    (home.path / "haven.toml").write_text(moto_s3.store_settings(bucket, credentials, backend="s3") + "cache_bytes = 0\n")
    server = start_server(home, tmp_path)
    try:
        data = os.urandom(MiB)
        put(server, "/f.bin", data)
        before = chunk_gets(moto_s3, bucket)
        assert get(server, "/f.bin").content == data
        first = chunk_gets(moto_s3, bucket) - before
        assert first > 0
        assert get(server, "/f.bin").content == data
        assert chunk_gets(moto_s3, bucket) - before == 2 * first
        assert not list((home.path / "cache" / "chunks").glob("??/*"))
    finally:
        stop_server(server)


# --- Migration -------------------------------------------------------------------------------


def migrate(home, env=None, timeout=300):
    return run_haven("store", "migrate", "--to", "s3", "--home", str(home.path), env=env, timeout=timeout)


def figures(stdout):
    """sent, already in the bucket, verified earlier: from the first line of a migration's report."""
    match = re.search(r"sent (\d+) chunks, (\d+) already in the bucket \(.*?\), (\d+) verified by an earlier run", stdout)
    assert match, stdout
    return tuple(int(n) for n in match.groups())


@pytest.fixture
def files_home_with_bucket(moto_s3, tmp_path):
    """A home on the files backend whose haven.toml also names a bucket (and a setting of its own)."""
    home = make_home(tmp_path / "home")
    bucket = moto_s3.new_bucket()
    credentials = moto_s3.write_credentials(tmp_path / "s3-credentials")
    text = '# my notes stay\n[limits]\nmax_upload = "2GiB"\n\n' + moto_s3.store_settings(bucket, credentials)
    (home.path / "haven.toml").write_text(text)
    return home, bucket, text


def test_an_interrupted_migration_resumes_and_ends_verified(moto_s3, files_home_with_bucket, tmp_path):
    home, bucket, text = files_home_with_bucket
    server = start_server(home, tmp_path)
    files = {f"/docs/file-{n}.bin": os.urandom(MiB // 2 + n * 100_000) for n in range(6)}
    try:
        for path, data in files.items():
            put(server, path, data)
        chunks = local_chunks(home)
        assert len(chunks) >= 30
        # Killed (SIGKILL, by the test knob) once half the chunks are recorded as verified.
        half = len(chunks) // 2
        first = migrate(home, env={"HAVEN_MIGRATE_STOP_AFTER": str(half)})
        assert first.returncode == -9, (first.returncode, first.stdout, first.stderr)
        assert re.search(r"pass 1: \d+/%d chunks" % len(chunks), first.stderr), first.stderr
        log = (home.path / "s3-migration.log").read_text()
        recorded = log.count("\nverified ")
        assert half <= recorded < len(chunks)
        assert "complete" not in log
        # Nothing switched, nothing removed: the server still serves from objects/.
        assert (home.path / "haven.toml").read_text() == text
        assert local_chunks(home) == chunks
        assert get(server, "/docs/file-0.bin").content == files["/docs/file-0.bin"]

        second = migrate(home)
        assert second.returncode == 0, second.stderr
        sent, already, earlier = figures(second.stdout)
        assert earlier == recorded and sent + already == len(chunks) - recorded
        assert sent < len(chunks)
        assert f"every chunk the catalog references is in bucket {bucket}" in second.stdout
        assert "restart the server" in second.stdout
        assert (home.path / "haven.toml").read_text() == text.replace("[store]\n", '[store]\nbackend = "s3"\n')
        assert bucket_chunks(moto_s3, bucket) == chunks
        # The running server still has its files until it stops.
        assert local_chunks(home) == chunks
    finally:
        stop_server(server)
    server = start_server(home, tmp_path)
    try:
        assert local_chunks(home) == []
        for path, data in files.items():
            assert get(server, path).content == data, path
    finally:
        stop_server(server)


def bucket_chunks(moto, bucket):
    return sorted(key.rsplit("/", 1)[-1] for key in moto.keys(bucket, "chunks/"))


def test_a_chunk_deleted_from_the_bucket_after_it_was_verified_is_sent_again(moto_s3, files_home_with_bucket,
                                                                             tmp_path):
    home, bucket, _ = files_home_with_bucket
    data = os.urandom(2 * MiB)
    server = start_server(home, tmp_path)
    try:
        put(server, "/f.bin", data)
    finally:
        stop_server(server)
    chunks = local_chunks(home)
    first = migrate(home, env={"HAVEN_MIGRATE_STOP_AFTER": "1"})
    assert first.returncode == -9, first.stderr
    verified = re.findall(r"^verified ([0-9a-f]{64})$", (home.path / "s3-migration.log").read_text(), re.M)
    assert 0 < len(verified) < len(chunks)
    # The log says verified, but the object is gone: the final heads find out, and it is sent again.
    moto_s3.client().delete_object(Bucket=bucket, Key=f"chunks/{verified[0][:2]}/{verified[0]}")
    second = migrate(home)
    assert second.returncode == 0, second.stderr
    sent, already, earlier = figures(second.stdout)
    assert earlier == len(verified) and sent + already == len(chunks) - len(verified) + 1
    assert f"({len(chunks)} found by a final head each" in second.stdout
    assert bucket_chunks(moto_s3, bucket) == chunks
    server = start_server(home, tmp_path)
    try:
        assert get(server, "/f.bin").content == data
    finally:
        stop_server(server)


def test_writes_during_and_after_a_migration_reach_the_bucket(moto_s3, files_home_with_bucket, tmp_path):
    home, bucket, _ = files_home_with_bucket
    server = start_server(home, tmp_path)
    files = {f"/before/{n}.bin": os.urandom(MiB) for n in range(4)}
    try:
        for path, data in files.items():
            put(server, path, data)
        process = subprocess.Popen(
            [HAVEN_BIN, "store", "migrate", "--to", "s3", "--home", str(home.path)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env={k: v for k, v in os.environ.items() if not k.startswith("HAVEN_")})
        # Writes while it runs (bounded in count), then some after its last pass.
        for n in range(40):
            if process.poll() is not None:
                break
            data = os.urandom(200_000)
            put(server, f"/during/{n}.bin", data)
            files[f"/during/{n}.bin"] = data
        stdout, stderr = process.communicate(timeout=300)
        assert process.returncode == 0, stderr
        assert "verified: every chunk" in stdout
        for n in range(3):
            data = os.urandom(300_000)
            put(server, f"/after/{n}.bin", data)
            files[f"/after/{n}.bin"] = data
        assert set(local_chunks(home)) - set(bucket_chunks(moto_s3, bucket))
    finally:
        stop_server(server)
    # Starting on s3 sends what was written after the last pass, then removes the local files.
    server = start_server(home, tmp_path)
    try:
        assert "finished moving chunks to S3" in server.log()
        assert local_chunks(home) == []
        for path, data in files.items():
            assert get(server, path).content == data, path
    finally:
        stop_server(server)


def test_migrate_refuses_a_wrong_secret_then_succeeds_with_the_right_one(moto_s3, files_home_with_bucket, tmp_path):
    home, bucket, text = files_home_with_bucket
    server = start_server(home, tmp_path)
    try:
        put(server, "/a.bin", os.urandom(300_000))
    finally:
        stop_server(server)
    credentials = tmp_path / "s3-credentials"
    moto_s3.write_credentials(credentials, secret="not-the-secret")
    chunks = local_chunks(home)
    result = migrate(home)
    assert_one_line_error(result, "refused access", moto_s3.endpoint, bucket, "credentials_file")
    assert "not-the-secret" not in result.stderr
    assert (home.path / "haven.toml").read_text() == text and local_chunks(home) == chunks
    # The right secret: the chunks move, and with no server running the local files go at once.
    moto_s3.write_credentials(credentials)
    result = migrate(home)
    assert result.returncode == 0, result.stderr
    assert figures(result.stdout)[0] == len(chunks)
    assert f"removed {len(chunks)} chunk files from objects/" in result.stdout
    assert local_chunks(home) == []
    # Now on s3: migrating again is refused, naming why.
    assert_one_line_error(migrate(home), "in S3 already")


def test_an_encrypted_home_moves_its_sealed_chunks_without_its_key(moto_s3, tmp_path):
    key_file = tmp_path / "home.key"
    result = run_haven("init", "--home", str(tmp_path / "home"), "--model", MODEL_FILE, "--encrypt",
                       "--key-file", str(key_file), check=True)
    home = Home(path=tmp_path / "home", token=result.stdout.strip())
    bucket = moto_s3.new_bucket()
    credentials = moto_s3.write_credentials(tmp_path / "s3-credentials")
    (home.path / "haven.toml").write_text(moto_s3.store_settings(bucket, credentials))
    marker = b"PLAINTEXT-MARKER-" * 64
    data = marker + os.urandom(MiB) + marker
    server = start_server(home, tmp_path, "--key-file", str(key_file))
    try:
        put(server, "/secret.bin", data)
    finally:
        stop_server(server)
    chunks = local_chunks(home)
    result = migrate(home)
    assert result.returncode == 0, result.stderr
    assert bucket_chunks(moto_s3, bucket) == chunks
    for key in moto_s3.keys(bucket, "chunks/"):
        body = moto_s3.client().get_object(Bucket=bucket, Key=key)["Body"].read()
        assert body.startswith(b"HVSC\x01") and b"PLAINTEXT-MARKER" not in body
    server = start_server(home, tmp_path, "--key-file", str(key_file))
    try:
        assert get(server, "/secret.bin").content == data
    finally:
        stop_server(server)


def test_migrate_refuses_a_home_without_a_bucket(tmp_path):
    home = make_home(tmp_path / "home")
    assert_one_line_error(migrate(home), "no S3 bucket", "credentials_file", "haven store check")


def test_serve_on_s3_refuses_local_chunks_without_a_migration(moto_s3, files_home_with_bucket, tmp_path):
    home, bucket, text = files_home_with_bucket
    server = start_server(home, tmp_path)
    try:
        put(server, "/x.bin", os.urandom(200_000))
    finally:
        stop_server(server)
    (home.path / "haven.toml").write_text(text.replace("[store]\n", '[store]\nbackend = "s3"\n'))
    result = run_haven("serve", "--home", str(home.path), "--port", "0", timeout=60)
    assert result.returncode != 0
    assert "haven store migrate --to s3" in result.stderr.strip().splitlines()[-1]
    assert local_chunks(home)
