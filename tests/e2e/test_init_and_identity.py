"""`haven init` and the owner's identity, as a user at a terminal sees them."""

import re
import stat

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from conftest import run_haven

TOKEN = re.compile(r"^hvn_[a-z2-7]{16}_[a-z2-7]{52}$")
B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def did_key_of(public_key: bytes) -> str:
    """did:key of an Ed25519 key, computed here independently of Haven's code."""
    data = b"\xed\x01" + public_key
    number = int.from_bytes(data, "big")
    encoded = ""
    while number:
        number, digit = divmod(number, 58)
        encoded = B58[digit] + encoded
    return "did:key:z" + encoded


def test_init_prints_only_the_token_on_stdout_and_writes_private_files(tmp_path):
    path = tmp_path / "home"
    result = run_haven("init", "--home", str(path))
    assert result.returncode == 0, result.stderr
    assert TOKEN.match(result.stdout.strip()), result.stdout
    assert result.stdout.count("\n") == 1
    assert "did:key:z6Mk" in result.stderr
    assert (path / "owner.token").read_text().strip() == result.stdout.strip()
    for name in ["haven.toml", "owner.key", "owner.token", "catalog.sqlite"]:
        mode = stat.S_IMODE((path / name).stat().st_mode)
        assert mode == 0o600, f"{name} has mode {oct(mode)}"
    assert stat.S_IMODE(path.stat().st_mode) == 0o700
    for name in ["objects", "models", "logs"]:
        assert (path / name).is_dir()


def test_init_honours_HAVEN_HOME(tmp_path):
    result = run_haven("init", env={"HAVEN_HOME": str(tmp_path / "from-env")})
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "from-env" / "owner.key").exists()


def test_init_refuses_an_existing_home_and_changes_nothing(home):
    before = {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in home.path.iterdir() if p.is_file()}
    result = run_haven("init", "--home", str(home.path))
    assert result.returncode != 0
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "already exists" in lines[0], result.stderr
    after = {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in home.path.iterdir() if p.is_file()}
    assert after == before


def test_owner_key_is_standard_pkcs8_and_whoami_prints_its_did_key(server):
    pem = (server.home.path / "owner.key").read_bytes()
    key = serialization.load_pem_private_key(pem, password=None)
    assert isinstance(key, Ed25519PrivateKey)
    public = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    expected = did_key_of(public)

    result = run_haven("whoami", env=server.env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected

    status = run_haven("status", env=server.env)
    assert status.returncode == 0, status.stderr
    assert expected in status.stdout
    assert "Haven 0.1.0" in status.stdout
