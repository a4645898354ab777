"""The checks after the soak's load: every file reads back as last written (and a sample of
older versions as written then), no generation is left running, `haven audit verify` exits 0,
/healthz answers, and SIGTERM stops the server with exit 0, its catalog closed and WAL empty.
Each returns {"passed": bool, "detail": text}."""

import hashlib
import random
import subprocess
import time

import requests

REQUEST_TIMEOUT = 120


class AfterLoad:
    def __init__(self, server, book, seed):
        self.server = server
        self.book = book
        self.seed = seed
        self.owner = {"Authorization": f"Bearer {server.token}"}

    def url(self, path):
        return self.server.url + path

    def run(self):
        """Every check, in order (shutdown last); one that raises has failed."""
        results = {}
        for name, check in [("read_back", self.check_read_back), ("engine_idle", self.check_engine_idle),
                            ("audit_verify", self.check_audit_verify), ("healthz", self.check_health),
                            ("shutdown", self.check_shutdown)]:
            try:
                results[name] = check()
            except Exception as error:  # noqa: BLE001 — a check that cannot run has failed
                results[name] = {"passed": False, "detail": f"{type(error).__name__}: {error}"}
        return results

    def check_read_back(self):
        session = requests.Session()
        problems, versions_read = [], 0
        rng = random.Random(self.seed * 6000)
        paths = self.book.written_paths()
        for path in paths:
            history = self.book.history(path)
            response = session.get(self.url("/data" + path), headers=self.owner, timeout=REQUEST_TIMEOUT)
            digest = hashlib.sha256(response.content).hexdigest()
            if response.status_code != 200 or digest != history[-1].sha256:
                problems.append(f"{path}: {response.status_code}, {len(response.content)} bytes, "
                                f"not the last write ({history[-1].size} bytes)")
            listed = session.get(self.url("/data" + path), params={"versions": "1"}, headers=self.owner,
                                 timeout=REQUEST_TIMEOUT)
            listing = listed.json()["versions"] if listed.status_code == 200 else []
            if [v["size"] for v in listing] != [c.size for c in history]:
                problems.append(f"{path}: {len(listing)} versions listed, {len(history)} written")
                continue
            for number in rng.sample(range(1, len(history)), min(3, len(history) - 1)):
                old = session.get(self.url("/data" + path), params={"version": number}, headers=self.owner,
                                  timeout=REQUEST_TIMEOUT)
                versions_read += 1
                if hashlib.sha256(old.content).hexdigest() != history[number - 1].sha256:
                    problems.append(f"{path} version {number}: {old.status_code}, not what was written")
        return {"passed": not problems and bool(paths),
                "detail": f"{len(paths)} paths, {versions_read} older versions; " + "; ".join(problems[:5])}

    def check_engine_idle(self):
        deadline = time.monotonic() + 30
        while True:
            status = requests.get(self.url("/haven/status"), headers=self.owner, timeout=30).json()
            busy = [(m["name"], m["running"], m["waiting"]) for m in status["models"] if m["running"] or m["waiting"]]
            if not busy or time.monotonic() > deadline:
                return {"passed": not busy, "detail": f"still generating: {busy}" if busy else "no sequence held"}
            time.sleep(0.2)  # a dropped stream is freed at the engine's next step

    def check_audit_verify(self):
        result = subprocess.run([self.server.haven, "audit", "verify"], env=self.server.env, capture_output=True,
                                text=True, timeout=300)
        return {"passed": result.returncode == 0, "detail": (result.stdout + result.stderr).strip()[:300]}

    def check_health(self):
        response = requests.get(self.url("/healthz"), timeout=30)
        return {"passed": response.status_code == 200, "detail": f"/healthz {response.status_code}"}

    def check_shutdown(self):
        started = time.monotonic()
        code = self.server.terminate()
        wal = self.server.home / "catalog.sqlite-wal"
        closed = "catalog closed" in self.server.log()
        wal_empty = not wal.exists() or wal.stat().st_size == 0
        return {"passed": code == 0 and closed and wal_empty,
                "detail": f"exit {code} after {time.monotonic() - started:.1f} s; catalog closed: {closed}; "
                          f"WAL empty: {wal_empty}"}
