"""Exchange benchmark: a pull between two Havens on loopback beside nginx + curl of the same file.

  (a) a 1 GiB file pulled from Haven A to Haven B (`haven pull`, a fresh B each run so every
      chunk is fetched anew) against nginx (sendfile) serving the same file to `curl -o` on the
      same disk; interleaved, nginx + curl then Haven, for each of --runs runs. MB/s for both,
      the ratio Haven / nginx + curl per run, its median and range, and the CPU seconds each
      process used. The goal is a ratio of at least 0.8. One untimed nginx + curl fetch comes
      first. The receivers' homes are deleted only at the end: ext4 without a journal skips
      inodes freed in the last minute (five if their table is not yet written back), scanning
      for each new file, so a receiver writing ~14,000 chunk files right after the previous
      run's home was deleted would measure that scan, not the pull. Instead their page cache is
      dropped after each run, as curl's copy is deleted, so that neither writer is the one that
      grows the page cache (on a VM, first-touched memory is several times slower to fill).
  (b) resume cost: a pull (through `POST /haven/pulls`) whose source is killed with SIGKILL once
      half the bytes are here, then restarted and the pull started again; the extra bytes
      fetched over the file's size, as a share of it. The goal is at most 5%.

Run by `make bench BENCH=exchange` (release build). Haven's receiver keeps verified chunks durably
(synced before the catalog commit); curl -o does not sync.
"""

import argparse
import hashlib
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

import requests

MIB = 1 << 20
TICKS = os.sysconf("SC_CLK_TCK")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_file(path, size):
    digest = hashlib.sha256()
    with open(path, "wb") as f:
        for _ in range(size // MIB):
            block = os.urandom(MIB)
            digest.update(block)
            f.write(block)
    subprocess.run(["sync"], check=True)
    return digest.hexdigest()


def drop_cache(directory):
    """Drops the (written back) page cache of every file below `directory`."""
    for parent, _, names in os.walk(directory):
        for name in names:
            try:
                fd = os.open(os.path.join(parent, name), os.O_RDONLY)
            except OSError:
                continue
            try:
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
            finally:
                os.close(fd)


def cpu_seconds(pid):
    """User + system CPU seconds of a process and its children (threads included)."""
    total = 0.0
    pids = [pid]
    while pids:
        p = pids.pop()
        try:
            with open(f"/proc/{p}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / TICKS
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as f:
                    pids.extend(int(c) for c in f.read().split())
        except (FileNotFoundError, ProcessLookupError):
            pass
    return total


def run_timed(command, **kwargs):
    """Runs a command to the end: (wall seconds, its CPU seconds, stdout)."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, **kwargs)
    out = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise subprocess.CalledProcessError(process.returncode, command, out)
    return seconds, usage.ru_utime + usage.ru_stime, out


def wait_until(what, check, timeout, interval=0.1, alive=None):
    """Polls `check` until it returns something truthy, for at most `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if alive is not None and alive.poll() is not None:
            sys.exit(f"exchange bench: {what}: the process exited with {alive.returncode}")
        if time.monotonic() > deadline:
            sys.exit(f"exchange bench: {what}: no result after {timeout} s")
        time.sleep(interval)


def get_ok(url, method="GET"):
    try:
        return requests.request(method, url, timeout=1).ok
    except requests.RequestException:
        return False


class Haven:
    """One Haven home and its server."""

    def __init__(self, args, base_env, home, port=None):
        self.args = args
        self.home = home
        self.port = port or free_port()
        init = [args.haven, "init", "--home", home] + (["--model", args.model] if args.model else [])
        self.token = subprocess.run(init, check=True, capture_output=True, text=True, env=base_env).stdout.strip()
        self.env = dict(base_env, HAVEN_HOME=home, HAVEN_PORT=str(self.port), HAVEN_LOG_LEVEL="warning")
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = None
        self.log = None

    def start(self):
        self.log = open(self.home + ".log", "ab")
        self.process = subprocess.Popen([self.args.haven, "serve", "--home", self.home, "--port", str(self.port)],
                                        env=self.env, stdout=self.log, stderr=self.log)
        wait_until(f"server on {self.url}", lambda: get_ok(self.url + "/healthz"), 120, alive=self.process)

    def kill(self):
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=30)
        if self.log is not None:
            self.log.close()
            self.log = None

    def cli(self, *arguments):
        return subprocess.run([self.args.haven, *arguments], check=True, capture_output=True, text=True,
                              env=self.env).stdout.strip()

    def api(self, method, path, **kwargs):
        response = requests.request(method, self.url + path, headers={"Authorization": f"Bearer {self.token}"},
                                    timeout=30, **kwargs)
        response.raise_for_status()
        return response.json()

    def did(self):
        return self.api("GET", "/haven/status")["owner"]


def receiver(args, base_env, work, name, source):
    """A fresh Haven that knows `source` as peer 'alice' and holds a capability for /big/."""
    b = Haven(args, base_env, os.path.join(work, name))
    b.start()
    capability = source.cli("share", "/big/", "--to", b.did(), "--rights", "read,list")
    b.cli("peer", "add", source.url, "--name", "alice")
    return b, capability


def nginx_start(args, work, root):
    directory = os.path.join(work, "nginx")
    os.makedirs(directory, exist_ok=True)
    port = free_port()
    temp = "\n".join(f"    {kind}_temp_path {directory}/{kind};" for kind in
                     ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    config = os.path.join(directory, "nginx.conf")
    with open(config, "w") as f:
        f.write(f"""{"user root;" if os.geteuid() == 0 else ""}
worker_processes 1;
daemon off;
pid {directory}/nginx.pid;
error_log {directory}/error.log warn;
events {{ worker_connections 64; }}
http {{
    access_log off;
    sendfile on;
    tcp_nopush on;
    default_type application/octet-stream;
{temp}
    server {{
        listen 127.0.0.1:{port};
        root {root};
    }}
}}
""")
    process = subprocess.Popen([args.nginx, "-p", directory, "-e", f"{directory}/error.log", "-c", config],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/file.bin"
    wait_until("nginx", lambda: get_ok(url, "HEAD"), 30, alive=process)
    return process, url


def summary(values, fmt):
    return f"median {fmt.format(statistics.median(values))}, min-max {fmt.format(min(values))}-{fmt.format(max(values))}"


def resume(args, base_env, work, source, size):
    """(b): kill the source once half is here, restart it, pull again; the extra bytes fetched."""
    b, capability = receiver(args, base_env, work, "resume", source)
    try:
        body = {"source": "alice:/big/", "destination": "/resume/", "capability": capability}

        def report(pull_id):
            return b.api("GET", f"/haven/pulls/{pull_id}")

        first = b.api("POST", "/haven/pulls", json=body)["id"]

        def half_here():
            r = report(first)
            if r["state"] in ("done", "failed"):
                sys.exit(f"exchange bench: the first attempt ended ({r['state']}) before half was here: {r}")
            return r if r["bytes_total"] > 0 and r["bytes_fetched"] * 2 >= r["bytes_total"] else None

        at_kill = wait_until("the first attempt reaching half", half_here, 600, interval=0.02)
        source.kill()
        killed = time.monotonic()
        # Wait for the first attempt to give up, so the second is a separate attempt.
        ended = wait_until("the first attempt ending", lambda: (lambda r: r if r["state"] in ("done", "failed")
                                                                else None)(report(first)), 600, interval=0.5)
        ended["seconds_to_fail"] = time.monotonic() - killed
        source.start()
        second_id = b.api("POST", "/haven/pulls", json=body)["id"]
        second = wait_until("the second attempt", lambda: (lambda r: r if r["state"] in ("done", "failed")
                                                           else None)(report(second_id)), 600, interval=0.1)
        if second["state"] != "done":
            sys.exit(f"exchange bench: the resumed pull failed: {second}")
        extra = (ended["bytes_fetched"] + second["bytes_fetched"] - size) / size
        return at_kill, ended, second, extra
    finally:
        b.stop()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--haven", required=True)
    parser.add_argument("--model", help="GGUF installed in each home by 'haven init --model'")
    parser.add_argument("--nginx", default="nginx")
    parser.add_argument("--curl", default="curl")
    parser.add_argument("--directory", required=True, help="scratch directory: the file, the homes, curl's copy")
    parser.add_argument("--size-mib", type=int, default=1024)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="leave the scratch directory (logs, homes) behind")
    args = parser.parse_args()
    size = args.size_mib * MIB
    mb = size / 1e6

    os.makedirs(args.directory, exist_ok=True)
    work = tempfile.mkdtemp(prefix="exchange-bench-", dir=args.directory)
    base_env = {k: v for k, v in os.environ.items() if not k.startswith("HAVEN_")}
    servers = []
    nginx = None
    try:
        need = (5 + args.runs) * size + (1 << 30)
        if shutil.disk_usage(work).free < need:
            sys.exit(f"exchange bench: need {need >> 30} GiB free in {work}")
        www = os.path.join(work, "www")
        os.makedirs(www)
        source_file = os.path.join(www, "file.bin")
        print(f"making a {args.size_mib} MiB random file in {work}", flush=True)
        source_digest = make_file(source_file, size)

        a = Haven(args, base_env, os.path.join(work, "a"))
        servers.append(a)
        a.start()
        a.cli("data", "put", source_file, "/big/file.bin")
        nginx, nginx_url = nginx_start(args, work, www)
        out = os.path.join(work, "curl-out.bin")

        # Untimed: the file's first trip through nginx and curl (and the first fill of the page
        # cache) is slower than the rest on this kind of machine.
        run_timed([args.curl, "-s", "--fail", "-o", out, nginx_url])
        os.remove(out)

        rows = []
        for run in range(args.runs):
            # nginx + curl
            subprocess.run(["sync"], check=True)
            nginx_cpu = cpu_seconds(nginx.pid)
            curl_seconds, curl_cpu, _ = run_timed([args.curl, "-s", "--fail", "-o", out, nginx_url])
            nginx_cpu = cpu_seconds(nginx.pid) - nginx_cpu
            if os.path.getsize(out) != size:
                sys.exit(f"exchange bench: curl wrote {os.path.getsize(out)} bytes, not {size}")
            os.remove(out)

            # Haven: a fresh receiver, so every chunk is fetched
            b, capability = receiver(args, base_env, work, f"b{run}", a)
            servers.append(b)
            subprocess.run(["sync"], check=True)
            a_cpu, b_cpu = cpu_seconds(a.process.pid), cpu_seconds(b.process.pid)
            pull_seconds, cli_cpu, pull_out = run_timed(
                [args.haven, "pull", "alice:/big/", f"/got/run{run}/", "--capability", capability, "--json"],
                env=b.env, stderr=subprocess.DEVNULL)
            a_cpu, b_cpu = cpu_seconds(a.process.pid) - a_cpu, cpu_seconds(b.process.pid) - b_cpu
            pulled = json.loads(pull_out)
            if pulled["state"] != "done" or pulled["bytes_fetched"] != size:
                sys.exit(f"exchange bench: the pull did not fetch the whole file: {pulled}")
            if run == 0:
                digest = hashlib.sha256()
                with requests.get(b.url + "/data/got/run0/file.bin", stream=True, timeout=60,
                                  headers={"Authorization": f"Bearer {b.token}"}) as response:
                    response.raise_for_status()
                    for block in response.iter_content(MIB):
                        digest.update(block)
                if digest.hexdigest() != source_digest:
                    sys.exit("exchange bench: the pulled file's sha256 differs from the source's")
            b.stop()
            subprocess.run(["sync"], check=True)
            drop_cache(b.home)
            row = {
                "nginx": mb / curl_seconds, "haven": mb / pull_seconds, "ratio": curl_seconds / pull_seconds,
                "chunks": pulled["chunks_fetched"], "nginx_cpu": nginx_cpu, "curl_cpu": curl_cpu,
                "a_cpu": a_cpu, "b_cpu": b_cpu, "cli_cpu": cli_cpu, "pull_seconds": pull_seconds,
                "curl_seconds": curl_seconds,
            }
            rows.append(row)
            print(f"run {run + 1}: nginx + curl {row['nginx']:.1f} MB/s, haven pull {row['haven']:.1f} MB/s "
                  f"({row['chunks']} chunks), ratio {row['ratio']:.2f}", flush=True)

        print("resume: pulling, killing the source at half, restarting it, pulling again", flush=True)
        at_kill, first, second, extra = resume(args, base_env, work, a, size)

        print()
        print(f"(a) pull of {args.size_mib} MiB over loopback, {args.runs} runs (MB/s, higher is better; "
              f"goal: haven / nginx + curl >= 0.80)")
        print("    run  nginx+curl  haven pull  ratio   CPU s: nginx  curl |     A      B  cli   (wall s: curl, pull)")
        for i, r in enumerate(rows):
            print(f"    {i + 1:3d}  {r['nginx']:10.1f}  {r['haven']:10.1f}  {r['ratio']:5.2f}   "
                  f"{r['nginx_cpu']:12.2f} {r['curl_cpu']:5.2f} | {r['a_cpu']:5.2f}  {r['b_cpu']:5.2f} "
                  f"{r['cli_cpu']:4.2f}   ({r['curl_seconds']:.2f}, {r['pull_seconds']:.2f})")
        print(f"    nginx + curl {summary([r['nginx'] for r in rows], '{:.1f}')} MB/s")
        print(f"    haven pull   {summary([r['haven'] for r in rows], '{:.1f}')} MB/s")
        print(f"    ratio        {summary([r['ratio'] for r in rows], '{:.2f}')}")
        print(f"(b) resume after SIGKILL of the source at {at_kill['bytes_fetched'] / size:.0%} "
              f"(goal: extra <= 5%)")
        print(f"    attempt 1: {first['bytes_fetched']} bytes, {first['chunks_fetched']} chunks; {first['state']} "
              f"{first['seconds_to_fail']:.0f} s after the kill{': ' + first['error'] if first.get('error') else ''}")
        print(f"    attempt 2: {second['bytes_fetched']} bytes, {second['chunks_fetched']} chunks fetched, "
              f"{second['chunks_present']} already here")
        print(f"    extra fetched: {extra:.2%} of {size} bytes")
    finally:
        for server in servers:
            server.stop()
        if nginx is not None:
            nginx.terminate()
            try:
                nginx.wait(timeout=30)
            except subprocess.TimeoutExpired:
                nginx.kill()
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
