"""Helpers the exchange suites share: the owner's side of a server (CLI, /data, status) and
bounded waits."""

import hashlib
import os
import subprocess
import time

import requests

from conftest import HAVEN_BIN, Server, bearer, run_haven

MiB = 1 << 20


def ok(result):
    assert result.returncode == 0, f"exit {result.returncode}\nstdout: {result.stdout}\nstderr: {result.stderr}"
    return result


def cli(server, *args, timeout=300):
    return run_haven(*args, env=server.env, timeout=timeout)


def put(server, path, data, media_type="application/octet-stream"):
    response = requests.put(server.url + "/data" + path, data=data, timeout=300,
                            headers={**bearer(server.home.token), "Content-Type": media_type})
    assert response.status_code == 201, response.text
    return response.json()


def get(server, path, **options):
    return requests.get(server.url + "/data" + path, headers=bearer(server.home.token), timeout=300, **options)


def delete(server, path):
    response = requests.delete(server.url + "/data" + path, headers=bearer(server.home.token), timeout=30)
    assert response.status_code == 200, response.text
    return response.json()


def streamed_sha256(server, path):
    digest = hashlib.sha256()
    with get(server, path, stream=True) as response:
        assert response.status_code == 200, response.text
        for piece in response.iter_content(MiB):
            digest.update(piece)
    return digest.hexdigest()


def owner_did(server):
    response = requests.get(server.url + "/haven/status", headers=bearer(server.home.token), timeout=30)
    assert response.status_code == 200, response.text
    return response.json()["owner"]


def share(server, path, to):
    """`haven share PATH` on `server` for the server `to`: the token."""
    return ok(cli(server, "share", path, "--to", owner_did(to), "--rights", "read,list")).stdout.strip()


def wait_for(probe, what, seconds=30, interval=0.05):
    """Polls `probe` until it returns something truthy, for at most `seconds`; `what` may be a
    function, called for the failure message."""
    deadline = time.monotonic() + seconds
    while True:
        value = probe()
        if value:
            return value
        assert time.monotonic() < deadline, f"gave up after {seconds} s waiting for {what() if callable(what) else what}"
        time.sleep(interval)


def kill(server):
    server.process.kill()
    server.process.wait(timeout=30)

def restart(server, log_dir, *extra_args):
    """`haven serve` on the same home and port again, after a kill; waits until it answers."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HAVEN_")}
    log_path = log_dir / f"serve-{server.port}-again-{time.monotonic_ns()}.log"
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            [HAVEN_BIN, "serve", "--home", str(server.home.path), "--port", str(server.port), *extra_args],
            stdout=log, stderr=subprocess.STDOUT, env=env)
    again = Server(home=server.home, port=server.port, process=process, log_path=log_path)
    deadline = time.monotonic() + 30
    while True:
        assert process.poll() is None, f"haven serve exited with {process.returncode}:\n{again.log()}"
        try:
            if requests.get(again.url + "/healthz", timeout=1).status_code == 200:
                return again
        except requests.ConnectionError:
            pass
        if time.monotonic() > deadline:
            process.kill()
            raise AssertionError(f"haven serve did not answer within 30 s:\n{again.log()}")
        time.sleep(0.05)

