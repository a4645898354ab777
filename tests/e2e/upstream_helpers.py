"""llama-server, built from the same pinned llama.cpp source as Haven (scripts/bench-setup), as an
OpenAI-compatible upstream on 127.0.0.1, and a Haven home configured to serve its models."""

import os
import signal
import subprocess
import time
from pathlib import Path

import requests

from conftest import MODEL_FILE, free_port, run_haven

LLAMA_SERVER = os.environ.get("HAVEN_LLAMA_SERVER", "")


class LlamaServer:
    """One llama-server process serving the default model under `alias`; `api_key` is required
    of its clients when given; `embeddings` serves /v1/embeddings (and nothing else)."""

    def __init__(self, tmp, alias, api_key=None, embeddings=False, slots=2):
        assert LLAMA_SERVER and Path(LLAMA_SERVER).is_file(), \
            "set HAVEN_LLAMA_SERVER to a llama-server binary (scripts/setup test builds one; scripts/e2e sets it)"
        self.port = free_port()
        self.alias = alias
        self.log_path = Path(tmp) / f"llama-server-{alias}-{self.port}.log"
        args = [LLAMA_SERVER, "-m", MODEL_FILE, "--host", "127.0.0.1", "--port", str(self.port), "--alias", alias,
                "-c", str(1024 * slots), "-np", str(slots), "-t", "2"]
        args += ["--embeddings", "--pooling", "mean"] if embeddings else ["--jinja"]
        if api_key:
            args += ["--api-key", api_key]
        self.api_key = api_key
        with open(self.log_path, "w") as log:
            self.process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT)
        self.wait_ready()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}/v1"

    def wait_ready(self, seconds=120):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"llama-server exited with {self.process.returncode}:\n{self.log_path.read_text()}")
            try:
                if requests.get(f"http://127.0.0.1:{self.port}/health", timeout=1).status_code == 200:
                    return
            except requests.ConnectionError:
                pass
            time.sleep(0.1)
        self.kill()
        raise RuntimeError(f"llama-server did not become ready in {seconds} s:\n{self.log_path.read_text()}")

    def kill(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=30)


def key_file(path, key, mode=0o600):
    path = Path(path)
    path.write_text(key + "\n")
    path.chmod(mode)
    return str(path)


def add_upstream(home, name, url, models, api_key_file=None, timeout="2m", check=True, overflow=False):
    args = ["model", "add-upstream", name, "--home", str(home.path), "--url", url, "--timeout", timeout]
    if overflow:
        args.append("--overflow")
    for model in models:
        args += ["--model", model]
    if api_key_file:
        args += ["--api-key-file", api_key_file]
    return run_haven(*args, check=check)
