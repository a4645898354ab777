"""Fixtures that run the real `haven` binary: a fresh data directory and a live server."""

import os
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

HAVEN_BIN = os.environ.get("HAVEN_BIN", str(Path(__file__).resolve().parents[2] / ".build/debug/haven"))
# The default model's GGUF, installed into every test home (a hard link: no copy).
MODEL_FILE = os.environ.get("HAVEN_TEST_MODEL", "")
MODEL = "smollm2-135m-instruct-q4_1"


def run_haven(*args, env=None, check=False, timeout=60):
    """Runs the CLI and returns the CompletedProcess (text mode)."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("HAVEN_")}
    full_env.update(env or {})
    return subprocess.run(
        [HAVEN_BIN, *args], env=full_env, capture_output=True, text=True, timeout=timeout, check=check
    )


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Home:
    path: Path
    token: str

    @property
    def env(self):
        return {"HAVEN_HOME": str(self.path)}


@dataclass
class Server:
    home: Home
    port: int
    process: subprocess.Popen
    log_path: Path

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    @property
    def env(self):
        return {"HAVEN_HOME": str(self.home.path), "HAVEN_PORT": str(self.port)}

    def log(self):
        return self.log_path.read_text()

    def stop(self, sig=signal.SIGTERM, timeout=30):
        self.process.send_signal(sig)
        return self.process.wait(timeout=timeout)


@pytest.fixture
def home(tmp_path):
    assert MODEL_FILE, "set HAVEN_TEST_MODEL to the default model's GGUF (scripts/e2e does)"
    result = run_haven("init", "--home", str(tmp_path / "home"), "--model", MODEL_FILE, check=True)
    return Home(path=tmp_path / "home", token=result.stdout.strip())


def start_server(home, tmp_path, *extra_args, env=None):
    port = free_port()
    log_path = tmp_path / f"serve-{port}.log"
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("HAVEN_")}
    full_env.update(env or {})
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            [HAVEN_BIN, "serve", "--home", str(home.path), "--port", str(port), *extra_args],
            stdout=log, stderr=subprocess.STDOUT, env=full_env,
        )
    server = Server(home=home, port=port, process=process, log_path=log_path)
    # Wait until the server answers (or has died), for at most 30 s.
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"haven serve exited with {process.returncode}:\n{server.log()}")
        try:
            if requests.get(server.url + "/healthz", timeout=1).status_code == 200:
                return server
        except requests.ConnectionError:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError(f"haven serve did not answer within 30 s:\n{server.log()}")


@pytest.fixture(scope="session")
def moto_s3(tmp_path_factory):
    """One moto_server for the session, signature checking on (see s3_helpers.py)."""
    from s3_helpers import start_moto

    service = start_moto(tmp_path_factory.mktemp("moto"))
    yield service
    service.stop()


@pytest.fixture
def server(home, tmp_path):
    server = start_server(home, tmp_path)
    yield server
    if server.process.poll() is None:
        server.process.send_signal(signal.SIGTERM)
        try:
            server.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.process.kill()


# --- Data store, grants, capabilities and audit (tests/e2e/test_data_*.py) ---------------------


def make_home(path):
    """`haven init` into `path` (for homes shared by a module's tests)."""
    assert MODEL_FILE, "set HAVEN_TEST_MODEL to the default model's GGUF (scripts/e2e does)"
    result = run_haven("init", "--home", str(path), "--model", MODEL_FILE, check=True)
    return Home(path=path, token=result.stdout.strip())


def wait_indexed(server, timeout=300):
    """Returns `GET /haven/index` once nothing waits to be indexed (bounded by `timeout`)."""
    deadline = time.monotonic() + timeout
    while True:
        progress = requests.get(server.url + "/haven/index", headers=bearer(server.home.token), timeout=30).json()
        if progress["pending"] == 0:
            return progress
        assert time.monotonic() < deadline, f"indexing did not finish: {progress}"
        time.sleep(0.1)


def stop_server(server, sig=signal.SIGTERM):
    """Stops a server if it still runs; kills it if it does not stop in 30 s."""
    if server.process.poll() is None:
        server.process.send_signal(sig)
        try:
            server.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait(timeout=30)


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def audit_entries(server, limit=20, **filters):
    """Audit entries, newest first, read as the owner."""
    response = requests.get(server.url + "/haven/audit", params={"limit": limit, **filters},
                            headers=bearer(server.home.token), timeout=30)
    assert response.status_code == 200, response.text
    return response.json()["entries"]


def last_audit_sequence(server):
    entries = audit_entries(server, limit=1)
    return entries[0]["sequence"] if entries else 0


def new_audit_entries(server, since):
    """Entries after sequence `since`, oldest first."""
    return [e for e in reversed(audit_entries(server, limit=50)) if e["sequence"] > since]


def create_app_token(server, name):
    """An API token for `app:NAME`, made over HTTP."""
    response = requests.post(server.url + "/haven/tokens", json={"name": name},
                             headers=bearer(server.home.token), timeout=30)
    assert response.status_code == 201, response.text
    return response.json()["token"]


def assert_json_error(response, status, code):
    assert response.status_code == status, f"{response.status_code} {response.text}"
    assert response.headers["content-type"].startswith("application/json"), response.headers
    error = response.json()["error"]
    assert set(error) >= {"message", "type", "code"}, error
    assert error["code"] == code, error
    assert error["message"]
    return error


def assert_one_line_error(result, *fragments):
    """A CLI failure as a person sees it: a non-zero exit and one `haven: …` line, no trace."""
    assert result.returncode != 0, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, f"expected one line, got:\n{result.stderr}"
    assert lines[0].startswith("haven: "), lines[0]
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    for trace in ["Fatal error", "Stack dump", "Current stack trace", "backtrace"]:
        assert trace not in result.stderr
