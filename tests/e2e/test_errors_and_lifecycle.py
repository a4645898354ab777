"""Bad input, start-up failures and shutdown: one clear line and a non-zero exit, never a trace."""

import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile

import pytest

from conftest import HAVEN_BIN, assert_one_line_error, free_port, run_haven, start_server


@pytest.mark.parametrize(
    "args, fragment",
    [
        (["serve", "--bogus"], "--bogus"),
        (["frobnicate"], "frobnicate"),
        (["token", "create"], "--name"),
        (["serve", "--port", "99999"], "--port"),
        (["serve", "--port", "eighty"], "eighty"),
        (["serve", "--log-level", "loud"], "--log-level"),
        (["token", "create", "--name", "Bad Name"], "Bad Name"),
    ],
)
def test_bad_arguments_get_one_line(home, args, fragment):
    assert_one_line_error(run_haven(*args, env=home.env), fragment)


def test_bad_environment_value_names_the_variable(home):
    assert_one_line_error(run_haven("serve", env={**home.env, "HAVEN_PORT": "abc"}), "HAVEN_PORT", "abc")


def test_bad_config_file_names_the_setting(home):
    config = home.path / "haven.toml"
    config.write_text('[server]\nport = "eighty"\n')
    assert_one_line_error(run_haven("serve", env=home.env), "server.port", "haven.toml")
    config.write_text("[server]\nprot = 80\n")
    assert_one_line_error(run_haven("serve", env=home.env), "unknown setting", "server.prot")
    config.write_text("[server\n")
    assert_one_line_error(run_haven("serve", env=home.env), "not valid TOML")


def test_missing_or_unusable_home(tmp_path):
    assert_one_line_error(run_haven("serve", "--home", str(tmp_path / "none")), "haven init")
    a_file = tmp_path / "file"
    a_file.write_text("")
    assert_one_line_error(run_haven("serve", "--home", str(a_file)), "not a directory")


def test_damaged_or_exposed_owner_key(home):
    key = home.path / "owner.key"
    os.chmod(key, 0o644)
    assert_one_line_error(run_haven("serve", env=home.env), "owner.key", "chmod 600")
    os.chmod(key, 0o600)
    key.write_text("garbage")
    assert_one_line_error(run_haven("serve", env=home.env), "owner.key", "damaged")


def test_a_port_in_use_is_reported(home):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_haven("serve", "--port", str(port), env=home.env, timeout=30)
    assert_one_line_error(result, f"127.0.0.1:{port}", "already in use")


def test_client_commands_say_when_no_server_is_running(home):
    port = str(free_port())
    for args in [["status"], ["whoami"], ["token", "list"]]:
        assert_one_line_error(run_haven(*args, env={**home.env, "HAVEN_PORT": port}), "no Haven server is answering")


def test_client_without_any_token_says_how_to_get_one(tmp_path):
    assert_one_line_error(run_haven("status", "--home", str(tmp_path / "none")), "HAVEN_TOKEN")


def listening_addresses(port):
    """Local addresses with a listening TCP socket on `port`, read from /proc/net/tcp{,6}."""
    found = set()
    for table in ["/proc/net/tcp", "/proc/net/tcp6"]:
        with open(table) as f:
            for line in f.readlines()[1:]:
                fields = line.split()
                address, hex_port = fields[1].split(":")
                if int(hex_port, 16) == port and fields[3] == "0A":
                    found.add(address)
    return found


def test_the_server_listens_on_loopback_only_by_default(server):
    assert listening_addresses(server.port) == {"0100007F"}  # 127.0.0.1, little-endian hex


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_shutdown_signals_stop_cleanly_and_keep_data(home, tmp_path, sig):
    server = start_server(home, tmp_path)
    created = run_haven("token", "create", "--name", "kept", env=server.env)
    assert created.returncode == 0, created.stderr
    assert server.stop(sig) == 0
    assert "catalog closed" in server.log()
    wal = home.path / "catalog.sqlite-wal"
    assert not wal.exists() or wal.stat().st_size == 0

    restarted = start_server(home, tmp_path)
    try:
        listed = run_haven("token", "list", "--json", env=restarted.env)
        assert [t["name"] for t in json.loads(listed.stdout)["tokens"]] == ["owner", "kept"]
        whoami = run_haven("whoami", env={**restarted.env, "HAVEN_TOKEN": created.stdout.strip()})
        assert whoami.stdout.strip() == "app:kept"
    finally:
        assert restarted.stop() == 0


def test_an_unreadable_home_is_reported_as_such(home, tmp_path):
    """A home this user may not read is a permission problem, not a missing home."""
    if os.geteuid() != 0:
        os.chmod(home.path, 0)
        try:
            result = run_haven("serve", env=home.env)
        finally:
            os.chmod(home.path, 0o700)
    else:
        # Root reads everything: run the binary as an unprivileged user instead.
        shared = tempfile.mkdtemp(prefix="haven-bin-")
        os.chmod(shared, 0o755)
        binary = os.path.join(shared, "haven")
        shutil.copy(HAVEN_BIN, binary)
        os.chmod(binary, 0o755)
        try:
            result = subprocess.run(
                ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", binary, "serve", "--home", str(home.path)],
                capture_output=True, text=True, timeout=60, env={"PATH": os.environ["PATH"]},
            )
        finally:
            shutil.rmtree(shared)
    assert_one_line_error(result, "cannot read", str(home.path), "ermission denied")
