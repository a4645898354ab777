"""The soak: one real `haven serve` under mixed, concurrent load for a set time, then checks.

Load, all at once until the deadline: concurrent chat streams through the `openai` client (a
quarter dropped mid-stream), creates and overwrites of files of varied sizes through PUT /data,
whole and ranged reads checked against what was written, searches as the owner and as an app
whose hits must stay inside its grant, tokens, grants and capability tokens made, used,
revoked and used again (a 401 or 403 after revocation is the expected answer), and audit reads
whose hash chain is checked. Every request is bounded by a timeout; every loop by the deadline.

Afterwards: every path reads back whole and equal to the last write (and a sample of older
versions to theirs), no generation is left running, `haven audit verify` exits 0, /healthz
answers, and SIGTERM stops the server with exit 0 and a closed catalog.

    python tests/e2e/soak.py --haven .build/release/haven --model MODEL.gguf --seconds 600
(`make soak` runs it; tests/e2e/test_soak.py runs it for a minute.) Exit 1 when anything failed.
"""

import argparse
import json
import os
import random
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import openai
import requests

from capability import Holder
from soak_book import VOCABULARY, Content, FileBook, resolve_range
from soak_checks import AfterLoad
from soak_report import Recorder, format_report, memory_growth
from soak_server import ServerProcess, process_sample

REQUEST_TIMEOUT = 120
# A chat waits its turn behind up to 31 others: on two busy cores (load average 12) the time to
# the first token reached 93 s at p99, so a chat is given longer than other requests.
CHAT_TIMEOUT = 300
JOIN_TIMEOUT = CHAT_TIMEOUT + 60
PROMPTS = ["Name a colour.", "Say hello in French.", "What is two plus two?", "Write one word about the sea.",
           "Give a fruit.", "Name a planet.", "Describe rain briefly.", "Count to three."]
MIB = 1024 * 1024


@dataclass
class Options:
    haven: str
    model: str
    seconds: float = 600
    directory: str | None = None
    report: str | None = None
    chats: int = 32
    writers: int = 3
    readers: int = 3
    searchers: int = 2
    access_workers: int = 2
    upload_rate: float = 2 * MIB  # bytes per second, all writers together
    sample_interval: float = 2.0
    # Failed authentications per minute (uses of revoked tokens): under the server's default
    # throttling limit (security.auth_failure_limit, 30 a minute).
    auth_failures: int = 15
    seed: int = 1
    # HAVEN_* settings for the server. Unless given, HAVEN_THREADS leaves a core to this driver:
    # llama.cpp's threads meet at a barrier after every operation, and when one of them has no
    # core to run on, each decode waits for the scheduler (measured here on 2 cores with the
    # driver beside it: 0.1 tokens/s with 2 threads, 2.6 with 1).
    server_environment: dict = field(default_factory=dict)


# --- The load -------------------------------------------------------------------------------


class FailureBudget:
    """At most `limit` failed authentications in any `window` seconds, all threads together.

    The server throttles an address that fails to authenticate too often (429 for every request
    from it, owner included), and the whole soak comes from 127.0.0.1: uses of revoked tokens are
    paced under the server's limit, as a misconfigured client that backs off would be."""

    def __init__(self, limit, window):
        self.limit, self.window = limit, window
        self._lock = threading.Lock()
        self._times = []

    def try_acquire(self):
        """Takes room for one failure if there is some now (never waits)."""
        with self._lock:
            now = time.monotonic()
            self._times = [t for t in self._times if now - t < self.window]
            if len(self._times) < self.limit:
                self._times.append(now)
                return True
            return False


class Soak:
    """The load's threads and what they share: the record of requests, what was written, and the
    event that ends the run."""

    def __init__(self, options, server):
        self.options = options
        self.server = server
        self.recorder = Recorder()
        self.book = FileBook()
        self.stop = threading.Event()
        self.samples = []
        self.started = time.monotonic()
        self.owner = {"Authorization": f"Bearer {server.token}"}
        self.model = None
        self.shared_body = b"shared with apps and capability holders\n"
        self.search_app = None
        self.failures = FailureBudget(options.auth_failures, 60)

    # Plumbing

    def url(self, path):
        return self.server.url + path

    def expect(self, kind, response, status, started):
        """Records `response` as ok when its status is `status` (or one of them)."""
        allowed = status if isinstance(status, tuple) else (status,)
        if response.status_code in allowed:
            self.recorder.ok(kind, time.monotonic() - started)
            return True
        self.recorder.error(kind, f"{response.request.method} {response.request.path_url}: "
                                  f"{response.status_code} {response.text[:200]}")
        return False

    def guarded(self, kind, step):
        """Runs one iteration of a loop; an exception is that kind's error, and the loop goes on."""
        try:
            step()
        except Exception as error:  # noqa: BLE001 — any failure is an error of this kind
            self.recorder.error(kind, f"{type(error).__name__}: {error}")

    def loop(self, kind, step):
        while not self.stop.is_set():
            self.guarded(kind, step)

    # Set-up, before the clock starts

    def prepare(self):
        session = requests.Session()
        models = session.get(self.url("/v1/models"), headers=self.owner, timeout=30).json()
        self.model = next(m["id"] for m in models["data"] if not m["id"].startswith("agent:"))
        put = session.put(self.url("/data/soak/shared/fixed.txt"), data=self.shared_body, headers=self.owner, timeout=30)
        assert put.status_code == 201, put.text
        created = session.post(self.url("/haven/tokens"), json={"name": "soak-searcher"}, headers=self.owner, timeout=30)
        assert created.status_code == 201, created.text
        grant = session.post(self.url("/haven/grants"), json={"to": "app:soak-searcher", "rights": ["read", "list"],
                                                               "path": "/soak/w0/"}, headers=self.owner, timeout=30)
        assert grant.status_code == 201, grant.text
        self.search_app = {"Authorization": f"Bearer {created.json()['token']}"}

    # Chats

    def chatter(self, index):
        rng = random.Random(self.options.seed * 1000 + index)
        client = openai.OpenAI(base_url=self.url("/v1"), api_key=self.server.token, max_retries=0,
                               timeout=CHAT_TIMEOUT)
        try:
            self.loop("chat", lambda: self.chat_once(client, rng))
        finally:
            client.close()

    def chat_once(self, client, rng):
        drop = rng.random() < 0.25
        max_tokens = 64 if drop else rng.randint(4, 24)
        kind = "chat_dropped" if drop else "chat"
        started = time.monotonic()
        stream = client.chat.completions.create(
            model=self.model, messages=[{"role": "user", "content": rng.choice(PROMPTS)}], max_tokens=max_tokens,
            temperature=0.7, stream=True, stream_options={"include_usage": True})
        first_token, chunks, finish, usage = None, 0, None, None
        try:
            for chunk in stream:
                chunks += 1
                if chunk.usage:
                    usage = chunk.usage
                for choice in chunk.choices:
                    if choice.delta.content and first_token is None:
                        first_token = time.monotonic() - started
                    finish = choice.finish_reason or finish
                if drop and first_token is not None and chunks >= 3:
                    break  # the client goes away mid-stream
        finally:
            stream.close()
        if drop and finish is None:
            if first_token is None:
                self.recorder.error(kind, f"dropped after {chunks} chunks without a token")
            else:
                self.recorder.ok(kind, first_token)
            return
        if finish not in ("stop", "length") or usage is None:
            self.recorder.error(kind, f"finish_reason {finish!r}, usage {usage!r} after {chunks} chunks")
        elif not 0 <= usage.completion_tokens <= max_tokens or (
                finish == "length" and usage.completion_tokens != max_tokens):
            self.recorder.error(kind, f"{usage.completion_tokens} tokens for max_tokens {max_tokens}, {finish}")
        else:
            self.recorder.ok(kind, first_token if first_token is not None else time.monotonic() - started)

    # Writes

    def writer(self, index):
        rng = random.Random(self.options.seed * 2000 + index)
        session = requests.Session()
        paths = [f"/soak/w{index}/file-{j}.bin" for j in range(6)] + [f"/soak/w{index}/note-{j}.md" for j in range(3)]
        budget = self.options.upload_rate / self.options.writers
        sent = 0
        while not self.stop.is_set():
            path = rng.choice(paths)
            text = path.endswith(".md")
            size = rng.randint(200, 4000) if text else self.file_size(rng)
            sent += size
            if rng.random() < 0.05 and self.book.latest(path):
                self.guarded("put_refused", lambda: self.refused_create(session, path, rng))
            else:
                content = Content.make(rng.getrandbits(63), size, text)
                self.guarded("put", lambda: self.write_once(session, path, content, rng))
            # Pacing, not synchronisation: keeps the home's growth to the upload budget.
            ahead = sent / budget - (time.monotonic() - self.started)
            if ahead > 0:
                self.stop.wait(ahead)

    @staticmethod
    def file_size(rng):
        band = rng.choices(["empty", "tiny", "small", "chunks", "large", "huge"], [3, 20, 30, 30, 12, 5])[0]
        low, high = {"empty": (0, 0), "tiny": (1, 512), "small": (513, 16 * 1024), "chunks": (16 * 1024, 300 * 1024),
                     "large": (300 * 1024, 2 * MIB), "huge": (2 * MIB, 6 * MIB)}[band]
        return rng.randint(low, high)

    def write_once(self, session, path, content, rng):
        previous = self.book.latest(path)
        headers = {**self.owner, "Content-Type": "text/markdown" if content.text else "application/octet-stream"}
        if previous is None:
            headers["If-None-Match"] = "*"
        elif rng.random() < 0.3:
            headers["If-Match"] = self.book.etag(path, previous)
        self.book.begin(path, content)
        started = time.monotonic()
        try:
            response = session.put(self.url("/data" + path), data=content.bytes(), headers=headers,
                                   timeout=REQUEST_TIMEOUT)
        except Exception:
            self.book.abandon(path)
            raise
        if not self.expect("put", response, 201, started):
            self.book.abandon(path)
            return
        body, etag = response.json(), response.headers.get("ETag")
        self.book.confirm(path, content, etag)
        if body.get("path") != path or body.get("size") != content.size or not etag or etag != f'"{body.get("id")}"':
            self.recorder.error("put", f"{path}: answered {body} with ETag {etag}")

    def refused_create(self, session, path, rng):
        """Create-only on a path that exists: 412, and nothing changes."""
        headers = {**self.owner, "If-None-Match": "*"}
        started = time.monotonic()
        response = session.put(self.url("/data" + path), data=rng.randbytes(100), headers=headers,
                               timeout=REQUEST_TIMEOUT)
        self.expect("put_refused", response, 412, started)

    # Reads

    def reader(self, index):
        rng = random.Random(self.options.seed * 3000 + index)
        session = requests.Session()
        while not self.stop.is_set():
            paths = self.book.written_paths()
            if not paths:
                self.stop.wait(0.05)  # nothing written yet
                continue
            path = rng.choice(paths)
            if rng.random() < 0.3:
                self.guarded("read", lambda: self.read_once(session, path, None))
            else:
                latest = self.book.latest(path)
                size = max(1, latest.size if latest else 1)
                start = rng.randrange(size)
                form = rng.random()
                if form < 0.6:
                    wanted = (start, min(size - 1, start + rng.randint(0, 256 * 1024)), None)
                elif form < 0.8:
                    wanted = (start, None, None)
                else:
                    wanted = (None, None, rng.randint(1, 64 * 1024))
                self.guarded("range_read", lambda: self.read_once(session, path, wanted))

    def read_once(self, session, path, wanted):
        kind = "read" if wanted is None else "range_read"
        headers = dict(self.owner)
        if wanted is not None:
            start, end, suffix = wanted
            headers["Range"] = f"bytes=-{suffix}" if suffix is not None else f"bytes={start}-{'' if end is None else end}"
        started = time.monotonic()
        response = session.get(self.url("/data" + path), headers=headers, timeout=REQUEST_TIMEOUT)
        elapsed = time.monotonic() - started
        if response.status_code == 416 and wanted is not None:
            size = int(response.headers.get("Content-Range", "bytes */-1").split("/")[-1])
            if resolve_range(*wanted, size) is None and any(c.size == size for c in self.book.candidates(path)):
                self.recorder.ok(kind, elapsed)  # the file had just shrunk below the range
            else:
                self.recorder.error(kind, f"{path} {headers['Range']}: 416 for {size} bytes")
            return
        if response.status_code not in (200, 206):
            self.recorder.error(kind, f"GET {path}: {response.status_code} {response.text[:200]}")
            return
        known, in_flight = self.book.served(path, response.headers.get("ETag"))
        candidates = [known] if known else in_flight
        for content in candidates:
            whole = content.bytes()
            if wanted is None or response.status_code == 200:
                expected, status = whole, 200
                if wanted is not None and resolve_range(*wanted, content.size) is not None:
                    status = 206
            else:
                span = resolve_range(*wanted, content.size)
                if span is None:
                    continue
                expected, status = whole[span[0]: span[1] + 1], 206
                if response.headers.get("Content-Range") != f"bytes {span[0]}-{span[1]}/{content.size}":
                    continue
            if response.status_code == status and response.content == expected:
                self.recorder.ok(kind, elapsed)
                return
        self.recorder.error(kind, f"{path} {headers.get('Range', '')}: {response.status_code}, "
                                  f"{len(response.content)} bytes, ETag {response.headers.get('ETag')} "
                                  f"matches no version written ({len(candidates)} candidates)")

    # Searches

    def searcher(self, index):
        rng = random.Random(self.options.seed * 4000 + index)
        session = requests.Session()
        while not self.stop.is_set():
            as_app = rng.random() < 0.5
            self.guarded("search", lambda: self.search_once(session, rng.choice(VOCABULARY), as_app))

    def search_once(self, session, word, as_app):
        started = time.monotonic()
        response = session.get(self.url("/haven/search"), params={"q": word, "k": 5},
                               headers=self.search_app if as_app else self.owner, timeout=REQUEST_TIMEOUT)
        if not self.expect("search", response, 200, started):
            return
        body = response.json()
        hits = body.get("hits")
        if body.get("query") != word or not isinstance(hits, list) or len(hits) > 5:
            self.recorder.error("search", f"unexpected answer to {word!r}: {str(body)[:200]}")
            return
        allowed = "/soak/w0/" if as_app else "/"
        outside = [hit.get("path") for hit in hits if not str(hit.get("path")).startswith(allowed)]
        if outside:
            self.recorder.error("search", f"hits outside {allowed}: {outside}")

    # Tokens, grants and capability tokens

    def access_worker(self, index):
        """Grants given and revoked over and over; while the failure budget allows, an app's
        token or a capability token is revoked and tried again (alternately)."""
        session = requests.Session()
        for round_number in range(10**9):  # bounded by the deadline
            if self.stop.is_set():
                break
            if round_number % 2 == 1 and self.failures.try_acquire():
                self.guarded("share", lambda: self.share_round(session))
            else:
                self.guarded("grant", lambda: self.app_round(session, f"soak-{index}-{round_number}"))

    def app_round(self, session, name):
        """A token for a new app, granted and revoked (at least three times, and until a failed
        authentication fits the budget), then revoked itself and tried once more."""
        fixed = self.url("/data/soak/shared/fixed.txt")
        started = time.monotonic()
        created = session.post(self.url("/haven/tokens"), json={"name": name}, headers=self.owner, timeout=REQUEST_TIMEOUT)
        if not self.expect("token_create", created, 201, started):
            return
        app = {"Authorization": f"Bearer {created.json()['token']}"}
        for cycle in range(10**6):  # bounded by the deadline
            if self.stop.is_set() or (cycle >= 3 and self.failures.try_acquire()):
                break
            started = time.monotonic()
            grant = session.post(self.url("/haven/grants"), headers=self.owner, timeout=REQUEST_TIMEOUT,
                                 json={"to": f"app:{name}", "rights": ["read", "list"], "path": "/soak/shared/"})
            if not self.expect("grant", grant, 201, started):
                return
            self.use(session, "token_use", fixed, app, 200, self.shared_body)
            self.use(session, "token_use", self.url("/data/soak/shared/"), app, 200)
            started = time.monotonic()
            revoked = session.delete(self.url("/haven/grants/" + grant.json()["id"]), headers=self.owner,
                                     timeout=REQUEST_TIMEOUT)
            if self.expect("grant_revoke", revoked, 200, started) and not revoked.json().get("revoked_at"):
                self.recorder.error("grant_revoke", f"no revoked_at in {revoked.text[:200]}")
            self.use(session, "revoked_use", fixed, app, 403)  # authenticated, no longer allowed
        else:
            return
        started = time.monotonic()
        self.expect("token_revoke", session.delete(self.url("/haven/tokens/" + name), headers=self.owner,
                                                   timeout=REQUEST_TIMEOUT), 200, started)
        if not self.stop.is_set():
            self.use(session, "revoked_use", fixed, app, 401)

    def share_round(self, session):
        """A capability token minted, used, revoked and used again (the caller took room in the
        failure budget for the last use)."""
        fixed = self.url("/data/soak/shared/fixed.txt")
        started = time.monotonic()
        created = session.post(self.url("/haven/shares"), headers=self.owner, timeout=REQUEST_TIMEOUT,
                               json={"path": "/soak/shared/", "to": Holder().did, "rights": ["read"]})
        if not self.expect("share", created, 201, started):
            return
        holder = {"Authorization": f"Bearer {created.json()['token']}"}
        self.use(session, "capability_use", fixed, holder, 200, self.shared_body)
        started = time.monotonic()
        revoked = session.delete(self.url("/haven/shares/" + created.json()["share"]["id"]), headers=self.owner,
                                 timeout=REQUEST_TIMEOUT)
        self.expect("share_revoke", revoked, 200, started)
        self.use(session, "revoked_use", fixed, holder, 401)  # its failure was taken from the budget

    def use(self, session, kind, url, headers, status, body=None):
        started = time.monotonic()
        response = session.get(url, headers=headers, timeout=REQUEST_TIMEOUT)
        if self.expect(kind, response, status, started) and body is not None and response.content != body:
            self.recorder.error(kind, f"{url}: wrong body {response.content[:100]!r}")

    # Audit

    def auditor(self):
        rng = random.Random(self.options.seed * 5000)
        session = requests.Session()
        last_verify = time.monotonic()
        while not self.stop.is_set():
            if time.monotonic() - last_verify > 20:
                last_verify = time.monotonic()
                self.guarded("audit_verify", lambda: self.verify_once(session))
            params = {"limit": rng.choice([10, 100, 500])}
            if rng.random() < 0.3:
                params["principal"] = "app:soak-searcher"
            self.guarded("audit", lambda: self.audit_once(session, params))

    def audit_once(self, session, params):
        started = time.monotonic()
        response = session.get(self.url("/haven/audit"), params=params, headers=self.owner, timeout=REQUEST_TIMEOUT)
        if not self.expect("audit", response, 200, started):
            return
        entries = response.json()["entries"]
        if len(entries) > params["limit"]:
            self.recorder.error("audit", f"{len(entries)} entries for limit {params['limit']}")
        if "principal" in params:
            if any(e["principal"] != params["principal"] for e in entries):
                self.recorder.error("audit", "an entry of another principal under a principal filter")
            return
        for newer, older in zip(entries, entries[1:]):
            if newer["sequence"] != older["sequence"] + 1 or newer["previous_hash"] != older["hash"]:
                self.recorder.error("audit", f"chain broken between {older['sequence']} and {newer['sequence']}")
                return

    def verify_once(self, session):
        started = time.monotonic()
        response = session.get(self.url("/haven/audit/verify"), headers=self.owner, timeout=REQUEST_TIMEOUT)
        if self.expect("audit_verify", response, 200, started) and response.json().get("intact") is not True:
            self.recorder.error("audit_verify", response.text[:300])

    # Memory

    def sampler(self):
        """The server's memory, threads and descriptors from /proc, and what its engine and
        indexer are doing, every `sample_interval` seconds."""
        session = requests.Session()
        while True:
            try:
                rss, threads, fds, cpu = process_sample(self.server.pid)
            except (FileNotFoundError, ProcessLookupError, KeyError):
                self.recorder.error("server", "the server process is gone")
                self.stop.set()
                return
            sample = {"t": round(time.monotonic() - self.started, 2), "rss_kib": rss, "threads": threads, "fds": fds,
                      "cpu_seconds": cpu}
            self.guarded("status", lambda: sample.update(self.engine_state(session)))
            self.samples.append(sample)
            if self.stop.wait(self.options.sample_interval):
                return

    def engine_state(self, session):
        started = time.monotonic()
        status = session.get(self.url("/haven/status"), headers=self.owner, timeout=REQUEST_TIMEOUT)
        index = session.get(self.url("/haven/index"), headers=self.owner, timeout=REQUEST_TIMEOUT)
        if not (self.expect("status", status, 200, started) and index.status_code == 200):
            return {}
        models = status.json()["models"]
        return {"running": sum(m["running"] for m in models), "waiting": sum(m["waiting"] for m in models),
                "sampled_tokens": sum(m["sampled_tokens"] for m in models), "index_pending": index.json()["pending"]}

    # The run

    def run_load(self):
        threads = [threading.Thread(target=self.chatter, args=(i,), name=f"chat-{i}") for i in range(self.options.chats)]
        threads += [threading.Thread(target=self.writer, args=(i,), name=f"writer-{i}") for i in range(self.options.writers)]
        threads += [threading.Thread(target=self.reader, args=(i,), name=f"reader-{i}") for i in range(self.options.readers)]
        threads += [threading.Thread(target=self.searcher, args=(i,), name=f"search-{i}")
                    for i in range(self.options.searchers)]
        threads += [threading.Thread(target=self.access_worker, args=(i,), name=f"access-{i}")
                    for i in range(self.options.access_workers)]
        threads.append(threading.Thread(target=self.auditor, name="audit"))
        sampler = threading.Thread(target=self.sampler, name="sampler")
        self.started = time.monotonic()
        sampler.start()
        for thread in threads:
            thread.start()
        self.stop.wait(self.options.seconds)  # the run's length; a dead server ends it early
        self.stop.set()
        self.elapsed = time.monotonic() - self.started
        self.driver_cpu = sum(os.times()[:2])
        join_deadline = time.monotonic() + JOIN_TIMEOUT
        for thread in threads:
            thread.join(max(0.0, join_deadline - time.monotonic()))
        hung = [t.name for t in threads if t.is_alive()]
        if hung:
            self.recorder.error("hang", f"still waiting for an answer {JOIN_TIMEOUT} s after the end: {hung}")
        sampler.join(JOIN_TIMEOUT)

def run_soak(options):
    """Runs the whole soak and returns its report (a dict, also written to `options.report`)."""
    directory = options.directory or tempfile.mkdtemp(prefix="haven-soak-")
    environment = {"HAVEN_THREADS": str(max(1, (os.cpu_count() or 2) - 1)), **options.server_environment}
    server = ServerProcess(options.haven, options.model, directory, environment)
    soak = Soak(options, server)
    checks = {}
    try:
        soak.prepare()
        soak.run_load()
        checks = AfterLoad(server, soak.book, options.seed).run()
    finally:
        server.kill()
    kinds = soak.recorder.summary()
    memory = memory_growth([(s["t"], s["rss_kib"]) for s in soak.samples], soak.elapsed)
    errors = sum(k["errors"] for k in kinds.values())
    failures = [f"{errors} errors"] if errors else []
    if not memory["passed"]:
        failures.append(f"resident memory grew {memory['growth'] * 100:.1f}% in the second half")
    failures += [f"check {name} failed" for name, check in checks.items() if not check["passed"]]
    report = {"haven": options.haven, "pid": server.pid, "seconds": soak.elapsed, "chats": options.chats, "server_environment": environment,
              "driver_cpu_seconds": round(soak.driver_cpu, 1), "load_average": os.getloadavg(),
              "directory": directory, "kinds": kinds, "errors": errors, "memory": memory,
              "memory_samples": soak.samples, "checks": checks, "failures": failures, "passed": not failures,
              "server_log": str(server.log_path)}
    if options.report:
        Path(options.report).parent.mkdir(parents=True, exist_ok=True)
        Path(options.report).write_text(json.dumps(report, indent=1))
    return report


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--haven", required=True, help="the haven binary")
    parser.add_argument("--model", required=True, help="the GGUF haven init installs")
    parser.add_argument("--seconds", type=float, default=600)
    parser.add_argument("--directory", help="where the home and the server's log go (default: a new temporary one)")
    parser.add_argument("--report", help="write the report here as JSON")
    parser.add_argument("--chats", type=int, default=32)
    parser.add_argument("--sample-interval", type=float, default=2.0)
    parser.add_argument("--server-env", action="append", default=[], metavar="HAVEN_NAME=VALUE",
                        help="a setting for the server (repeatable)")
    args = parser.parse_args()
    report = run_soak(Options(haven=args.haven, model=args.model, seconds=args.seconds, directory=args.directory,
                              report=args.report, chats=args.chats, sample_interval=args.sample_interval,
                              server_environment=dict(pair.split("=", 1) for pair in args.server_env)))
    print(format_report(report))
    if args.report:
        print(f"report: {args.report}")
    sys.exit(0 if report["passed"] else 1)


if __name__ == "__main__":
    main()
