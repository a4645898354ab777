"""Haven's own S3 client against moto_server with signature checking on: `haven store check`
exercises every operation the chunk store uses (write-once puts, ranged gets, heads, listing,
deletes); a wrong secret is refused with a message naming the endpoint and bucket, next to the
right one succeeding."""

import hashlib
import os

import pytest
import requests

from conftest import (MODEL_FILE, Home, assert_one_line_error, bearer, free_port, make_home, run_haven, start_server,
                      stop_server)

MiB = 1 << 20


@pytest.fixture(scope="module")
def moto(moto_s3):
    return moto_s3


@pytest.fixture(scope="module")
def s3_home(tmp_path_factory):
    return make_home(tmp_path_factory.mktemp("s3-home") / "home")


def configure(home, text):
    (home.path / "haven.toml").write_text(text)


def test_moto_refuses_a_wrong_secret_and_accepts_the_right_one(moto):
    """The service itself checks signatures, so the refusals below mean something."""
    bucket = moto.new_bucket()
    moto.client().put_object(Bucket=bucket, Key="probe", Body=b"x")
    with pytest.raises(Exception) as refused:
        moto.client(secret="not-the-secret").put_object(Bucket=bucket, Key="probe2", Body=b"x")
    assert "SignatureDoesNotMatch" in str(refused.value)
    assert moto.keys(bucket) == ["probe"]


def test_store_check_passes_with_the_right_secret(moto, s3_home, tmp_path):
    bucket = moto.new_bucket()
    credentials = moto.write_credentials(tmp_path / "s3-credentials")
    configure(s3_home, moto.store_settings(bucket, credentials))
    result = run_haven("store", "check", "--home", str(s3_home.path))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == f"ok  bucket {bucket} at {moto.endpoint} accepts the key {moto.access_key}"
    assert "ok  write-once put: created, then refused with 412 when repeated" in lines
    assert "ok  ranged get: bytes 100-199 read back" in lines
    assert "ok  head: size 4096" in lines
    assert "ok  list: the object is listed" in lines
    assert lines[-1] == "ok  delete: the object is gone"
    # The throwaway object is gone; nothing else was written.
    assert moto.keys(bucket) == []


def test_store_check_refuses_a_wrong_secret_naming_endpoint_and_bucket(moto, s3_home, tmp_path):
    bucket = moto.new_bucket()
    credentials = moto.write_credentials(tmp_path / "s3-credentials", secret="not-the-secret")
    configure(s3_home, moto.store_settings(bucket, credentials))
    result = run_haven("store", "check", "--home", str(s3_home.path))
    assert_one_line_error(result, moto.endpoint, bucket, "refused access", "credentials_file")
    assert "not-the-secret" not in result.stderr
    # The same configuration with the right secret passes.
    moto.write_credentials(credentials)
    assert run_haven("store", "check", "--home", str(s3_home.path)).returncode == 0


def test_store_check_refuses_a_credentials_file_others_can_read(moto, s3_home, tmp_path):
    bucket = moto.new_bucket()
    credentials = moto.write_credentials(tmp_path / "s3-credentials", mode=0o644)
    configure(s3_home, moto.store_settings(bucket, credentials))
    result = run_haven("store", "check", "--home", str(s3_home.path))
    assert_one_line_error(result, str(credentials), "chmod 600")
    credentials.chmod(0o600)
    assert run_haven("store", "check", "--home", str(s3_home.path)).returncode == 0


def test_store_check_names_a_missing_bucket(moto, s3_home, tmp_path):
    credentials = moto.write_credentials(tmp_path / "s3-credentials")
    configure(s3_home, moto.store_settings("no-such-bucket-here", credentials))
    result = run_haven("store", "check", "--home", str(s3_home.path))
    assert_one_line_error(result, "no-such-bucket-here", "does not exist", moto.endpoint)


def test_store_backend_s3_needs_a_bucket(s3_home):
    configure(s3_home, '[store]\nbackend = "s3"\n')
    result = run_haven("store", "check", "--home", str(s3_home.path))
    assert_one_line_error(result, "store.backend", "store.endpoint")


# --- The s3 backend: `[store] backend = "s3"` under `haven serve` ------------------------------


def s3_bucket_for(moto, home, tmp_path, secret=None):
    """Points `home` at a new bucket with backend = "s3" (and a credentials file holding `secret`)."""
    bucket = moto.new_bucket()
    credentials = moto.write_credentials(tmp_path / "s3-credentials", secret=secret)
    configure(home, moto.store_settings(bucket, credentials, backend="s3"))
    return bucket


def test_chunks_go_to_the_bucket_and_nowhere_else(moto, tmp_path):
    home = make_home(tmp_path / "home")
    bucket = s3_bucket_for(moto, home, tmp_path)
    server = start_server(home, tmp_path)
    try:
        data = os.urandom(3 * MiB + 5)
        response = requests.put(server.url + "/data/s3/file.bin", data=data, headers=bearer(home.token), timeout=120)
        assert response.status_code == 201, response.text
        keys = moto.keys(bucket, "chunks/")
        assert len(keys) >= 3 * MiB // (256 << 10)
        # Every object is a whole chunk under its own hash, read back with a standard client.
        for key in keys[:8]:
            body = moto.client().get_object(Bucket=bucket, Key=key)["Body"].read()
            assert hashlib.sha256(body).hexdigest() == key.rsplit("/", 1)[-1]
            assert key == f"chunks/{key.rsplit('/', 1)[-1][:2]}/{key.rsplit('/', 1)[-1]}"
        assert [p for p in (home.path / "objects").glob("??/*")] == []
        assert list((home.path / "objects" / "tmp").iterdir()) == []
        assert requests.get(server.url + "/data/s3/file.bin", headers=bearer(home.token), timeout=120).content == data
    finally:
        stop_server(server)


def test_an_encrypted_home_puts_only_sealed_chunks_in_the_bucket(moto, tmp_path):
    key_file = tmp_path / "home.key"
    result = run_haven("init", "--home", str(tmp_path / "home"), "--model", MODEL_FILE, "--encrypt",
                       "--key-file", str(key_file), check=True)
    home = Home(path=tmp_path / "home", token=result.stdout.strip())
    bucket = s3_bucket_for(moto, home, tmp_path)
    server = start_server(home, tmp_path, "--key-file", str(key_file))
    try:
        marker = b"PLAINTEXT-MARKER-" * 64
        data = marker + os.urandom(MiB) + marker
        response = requests.put(server.url + "/data/secret.bin", data=data, headers=bearer(home.token), timeout=120)
        assert response.status_code == 201, response.text
        keys = moto.keys(bucket, "chunks/")
        assert keys
        for key in keys:
            body = moto.client().get_object(Bucket=bucket, Key=key)["Body"].read()
            assert body.startswith(b"HVSC\x01"), key
            assert b"PLAINTEXT-MARKER" not in body
        assert requests.get(server.url + "/data/secret.bin", headers=bearer(home.token), timeout=120).content == data
    finally:
        stop_server(server)


def test_serve_stops_at_once_on_a_bucket_that_refuses_its_key(moto, tmp_path):
    home = make_home(tmp_path / "home")
    bucket = s3_bucket_for(moto, home, tmp_path, secret="not-the-secret")
    result = run_haven("serve", "--home", str(home.path), "--port", str(free_port()), timeout=120)
    assert result.returncode != 0
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("haven: ") and moto.endpoint in last and bucket in last and "refused access" in last, last
    assert "not-the-secret" not in result.stderr
