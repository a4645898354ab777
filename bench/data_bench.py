"""Data-store benchmark: Haven's store beside `cp` of the same file on the same disk.

  (a) ingest of a 1 GiB file: through the running server (`haven data put`, HTTP streaming),
      also into a home encrypted at rest (`haven init --encrypt`: every chunk sealed with
      AES-256-GCM), and in process (`haven-bench ingest`), against `cp` and `cp` + fsync of the
      same file into the same directory; MB/s and the ratio Haven / cp
  (b) 10,000 small (4 KiB) puts through the HTTP API, 16 in flight: puts/s
  (c) grant decisions: the pure decision function over 40 grants: decisions/s

Run by `make bench` (release builds). Haven's ingest is durable (chunks synced before the
catalog commit); plain `cp` is not, so both `cp` figures are shown.
"""

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

import requests

GIB = 1 << 30


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def timed(command, **kwargs):
    start = time.perf_counter()
    subprocess.run(command, check=True, **kwargs)
    return time.perf_counter() - start


def make_file(path, size):
    with open(path, "wb") as f:
        for _ in range(size // (1 << 20)):
            f.write(os.urandom(1 << 20))
    subprocess.run(["sync"], check=True)


def peak_rss_mib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def start(haven, home, env, encrypt=False):
    """`haven init` and `haven serve` on a free port (an encrypted home unlocked through standard
    input); returns the process, its URL, the environment clients use, and the owner token."""
    passphrase = "a passphrase for the benchmark\n"
    init = [haven, "init", "--home", home] + (["--encrypt", "--passphrase-fd", "0"] if encrypt else [])
    token = subprocess.run(init, input=passphrase if encrypt else None, check=True, capture_output=True, text=True,
                           env=env).stdout.strip()
    port = free_port()
    server_env = dict(env, HAVEN_HOME=home, HAVEN_PORT=str(port), HAVEN_LOG_LEVEL="warning")
    server = subprocess.Popen([haven, "serve"] + (["--passphrase-fd", "0"] if encrypt else []), env=server_env,
                              stdin=subprocess.PIPE if encrypt else subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, text=True)
    if encrypt:
        server.stdin.write(passphrase)
        server.stdin.close()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if requests.get(url + "/healthz", timeout=1).ok:
                return server, url, server_env, token
        except requests.ConnectionError:
            pass
        if time.monotonic() > deadline or server.poll() is not None:
            sys.exit("data bench: the server did not start")
        time.sleep(0.1)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--haven", required=True)
    parser.add_argument("--bench", required=True)
    parser.add_argument("--directory", required=True, help="scratch directory; the file, its copies and the stores")
    parser.add_argument("--size", type=int, default=GIB)
    args = parser.parse_args()

    os.makedirs(args.directory, exist_ok=True)
    work = tempfile.mkdtemp(prefix="data-bench-", dir=args.directory)
    env = {k: v for k, v in os.environ.items() if not k.startswith("HAVEN_")}
    server = None
    try:
        if shutil.disk_usage(work).free < 4 * args.size + GIB:
            sys.exit(f"data bench: need {4 * args.size // GIB + 1} GiB free in {work}")
        source = os.path.join(work, "source.bin")
        print(f"making a {args.size // (1 << 20)} MiB random file in {work}", flush=True)
        make_file(source, args.size)
        mb = args.size / 1e6

        cp_seconds = timed(["cp", source, os.path.join(work, "copy.bin")])
        subprocess.run(["sync"], check=True)
        cp_sync_seconds = timed(["sh", "-c", f'cp "{source}" "{work}/copy2.bin" && sync "{work}/copy2.bin"'])
        os.remove(os.path.join(work, "copy.bin"))
        os.remove(os.path.join(work, "copy2.bin"))

        subprocess.run(["sync"], check=True)
        ingest = json.loads(
            subprocess.run([args.bench, "ingest", source, "--directory", os.path.join(work, "store")],
                           check=True, capture_output=True, text=True).stdout)
        shutil.rmtree(os.path.join(work, "store"))
        subprocess.run(["sync"], check=True)

        # The same put into an encrypted home, on a server of its own, stopped afterwards.
        encrypted = start(args.haven, os.path.join(work, "encrypted"), env, encrypt=True)
        subprocess.run(["sync"], check=True)
        encrypted_seconds = timed([args.haven, "data", "put", source, "/bench/big.bin"], env=encrypted[2],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        encrypted[0].terminate()
        encrypted[0].wait(timeout=30)
        shutil.rmtree(os.path.join(work, "encrypted"))

        server, url, server_env, token = start(args.haven, os.path.join(work, "home"), env)
        subprocess.run(["sync"], check=True)
        http_seconds = timed([args.haven, "data", "put", source, "/bench/big.bin"], env=server_env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        rss = peak_rss_mib(server.pid)

        puts = json.loads(
            subprocess.run([args.bench, "puts", "--url", url, "--token", token, "--count", "10000"],
                           check=True, capture_output=True, text=True).stdout)
        decisions = json.loads(
            subprocess.run([args.bench, "decisions"], check=True, capture_output=True, text=True).stdout)

        print()
        print(f"(a) ingest of {args.size // (1 << 20)} MiB (MB/s, higher is better)")
        print(f"    cp                         {mb / cp_seconds:8.1f}")
        print(f"    cp + fsync                 {mb / cp_sync_seconds:8.1f}")
        print(f"    haven data put (HTTP)      {mb / http_seconds:8.1f}   ratio to cp {cp_seconds / http_seconds:.2f}, "
              f"to cp + fsync {cp_sync_seconds / http_seconds:.2f}; server peak RSS {rss:.0f} MiB")
        print(f"    into an encrypted home     {mb / encrypted_seconds:8.1f}   "
              f"{encrypted_seconds / http_seconds:.2f}x the plain put's time")
        print(f"    in process (no HTTP)       {ingest['bytes'] / 1e6 / ingest['seconds']:8.1f}   "
              f"ratio to cp {cp_seconds / ingest['seconds']:.2f}, to cp + fsync {cp_sync_seconds / ingest['seconds']:.2f}")
        print(f"(b) small puts: {puts['puts']} x 4 KiB over HTTP, 16 in flight: "
              f"{puts['puts'] / puts['seconds']:.0f} puts/s ({puts['failures']} failed)")
        print(f"(c) grant decisions over {decisions['grants']} grants: "
              f"{decisions['decisions'] / decisions['seconds'] / 1e6:.2f} million/s")
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
