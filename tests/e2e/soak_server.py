"""The server under soak: `haven init` in a fresh home, `haven serve` on a free loopback port,
and its memory, threads, descriptors and CPU time read from /proc."""

import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import requests


def clean_environment(extra=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith("HAVEN_")}
    env.update(extra or {})
    return env


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServerProcess:
    """`haven init` in a fresh home, then `haven serve` on a free loopback port."""

    def __init__(self, haven, model, directory, environment=None):
        self.haven = haven
        self.home = Path(directory) / "home"
        init = subprocess.run([haven, "init", "--home", str(self.home), "--model", model],
                              env=clean_environment(), capture_output=True, text=True, timeout=120)
        if init.returncode != 0:
            raise RuntimeError(f"haven init failed: {init.stderr}")
        self.token = init.stdout.strip()
        self.port = free_port()
        self.log_path = Path(directory) / "serve.log"
        with open(self.log_path, "w") as log:
            self.process = subprocess.Popen(
                [haven, "serve", "--home", str(self.home), "--port", str(self.port)],
                stdout=log, stderr=subprocess.STDOUT, env=clean_environment(environment))
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"haven serve exited with {self.process.returncode}:\n{self.log()}")
            try:
                if requests.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return
            except requests.ConnectionError:
                time.sleep(0.05)
        self.kill()
        raise RuntimeError(f"haven serve did not answer within 60 s:\n{self.log()}")

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self):
        return self.process.pid

    @property
    def env(self):
        return clean_environment({"HAVEN_HOME": str(self.home), "HAVEN_PORT": str(self.port)})

    def log(self):
        return self.log_path.read_text(errors="replace")

    def terminate(self, timeout=30):
        """SIGTERM; the exit status, or None when it had to be killed."""
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            return None

    def kill(self):
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=30)


def process_sample(pid):
    """(VmRSS in KiB, threads, open descriptors, CPU seconds) of a live process, from /proc."""
    fields = {}
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            key, _, value = line.partition(":")
            fields[key] = value.split()
    with open(f"/proc/{pid}/stat") as stat:
        ticks = stat.read().rpartition(")")[2].split()
    cpu = (int(ticks[11]) + int(ticks[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime
    return int(fields["VmRSS"][0]), int(fields["Threads"][0]), len(os.listdir(f"/proc/{pid}/fd")), cpu
