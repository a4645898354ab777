"""Haven's own S3 client against moto_server with signature checking on: `haven store check`
exercises every operation the chunk store uses (write-once puts, ranged gets, heads, listing,
deletes); a wrong secret is refused with a message naming the endpoint and bucket, next to the
right one succeeding."""

import pytest

from conftest import assert_one_line_error, make_home, run_haven
from s3_helpers import start_moto


@pytest.fixture(scope="module")
def moto(tmp_path_factory):
    service = start_moto(tmp_path_factory.mktemp("moto"))
    yield service
    service.stop()


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
