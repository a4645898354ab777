"""Retrieval quality: recall@10 and MRR@10 of Haven's search, per mode and per question kind.

Uses the test set in tests/data/retrieval (corpus.jsonl, questions.jsonl; see its README.md):
uploads every document with `PUT /data/PATH`, waits (bounded) until `GET /haven/index` reports
nothing pending, then asks every question with `GET /haven/search?q=…&k=10&mode=M` for each mode
(hybrid, text, vector) and grades the hits.

Grading is at document level: a hit counts when its path is the question's answer_path. The
rank of a question is the position of its answer among the distinct paths of the hits, in order
(documents are short enough to be one passage each, but a longer one could give several hits).
recall@10 is the share of questions whose answer is in the top 10; MRR@10 is the mean of
1/rank, 0 when the answer is not in the top 10.

    # start a Haven of its own (haven init + haven serve on 127.0.0.1), then stop it:
    python3 bench/retrieval_eval.py --haven .build/release/haven --model MODEL.gguf \
        [--embedding-model EMBEDDER.gguf] [--json out.json]
    # or against a running one (loopback only), which must not hold /corpus/ already:
    python3 bench/retrieval_eval.py --url http://127.0.0.1:8420 --token "$(cat ~/.haven/owner.token)"

`--documents N --questions Q` evaluate a seeded subset: Q questions (balanced over the kinds)
with their answer documents, and other documents up to N as distractors.
"""

import argparse
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
from urllib.parse import urlparse

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DATA = os.path.join(ROOT, "tests", "data", "retrieval")
MODES = ("hybrid", "text", "vector")
K = 10


class EvalError(Exception):
    """A failure with a message for a person (no trace needed)."""


def load_test_set(directory=DATA):
    """(documents, questions) from corpus.jsonl and questions.jsonl in `directory`."""
    try:
        with open(os.path.join(directory, "corpus.jsonl"), encoding="utf-8") as handle:
            documents = [json.loads(line) for line in handle if line.strip()]
        with open(os.path.join(directory, "questions.jsonl"), encoding="utf-8") as handle:
            questions = [json.loads(line) for line in handle if line.strip()]
    except (OSError, ValueError) as error:
        raise EvalError(f"cannot read the test set in {directory}: {error} "
                        "(regenerate with tests/data/retrieval/make_corpus.py)") from error
    paths = {d["path"] for d in documents}
    missing = [q["answer_path"] for q in questions if q["answer_path"] not in paths]
    if missing:
        raise EvalError(f"questions name answers that are not in the corpus: {missing[:3]}")
    return documents, questions


def subset(documents, questions, n_documents, n_questions, seed=17):
    """A seeded subset: `n_questions` questions, as even over the kinds as possible, their answer
    documents, and other documents (distractors) up to `n_documents` in all."""
    rng = random.Random(seed)
    by_kind = {}
    for question in questions:
        by_kind.setdefault(question["kind"], []).append(question)
    for group in by_kind.values():
        rng.shuffle(group)
    chosen = []
    while len(chosen) < n_questions and any(by_kind.values()):
        for kind in sorted(by_kind):
            if by_kind[kind] and len(chosen) < n_questions:
                chosen.append(by_kind[kind].pop())
    answers = {q["answer_path"] for q in chosen}
    if len(answers) > n_documents:
        raise EvalError(f"{len(answers)} answer documents do not fit in {n_documents} documents")
    others = [d for d in documents if d["path"] not in answers]
    rng.shuffle(others)
    keep = answers | {d["path"] for d in others[:n_documents - len(answers)]}
    return [d for d in documents if d["path"] in keep], chosen


class Client:
    """HTTP calls to one Haven on loopback, as the owner."""

    def __init__(self, url, token, timeout=60):
        import requests  # noqa: PLC0415  (the e2e venv has it; imported late for a clear error)

        host = urlparse(url).hostname or ""
        if not (host == "localhost" or host.startswith("127.") or host == "::1"):
            raise EvalError(f"{url} is not a loopback address; this evaluation talks to 127.0.0.0/8 only")
        self.requests = requests
        self.url = url.rstrip("/")
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {token}"
        self.timeout = timeout

    def call(self, method, path, **kwargs):
        try:
            response = self.session.request(method, self.url + path, timeout=self.timeout, **kwargs)
        except self.requests.RequestException as error:
            raise EvalError(f"{method} {self.url}{path} failed: {error}") from error
        return response

    def put(self, path, text):
        response = self.call("PUT", "/data" + path, data=text.encode("utf-8"),
                             headers={"Content-Type": "text/markdown"})
        if response.status_code != 201:
            raise EvalError(f"PUT /data{path}: {response.status_code} {response.text[:300]}")

    def index_progress(self):
        response = self.call("GET", "/haven/index")
        if response.status_code != 200:
            raise EvalError(f"GET /haven/index: {response.status_code} {response.text[:300]}")
        return response.json()

    def search(self, query, mode, k=K):
        response = self.call("GET", "/haven/search", params={"q": query, "k": k, "mode": mode})
        if response.status_code != 200:
            raise EvalError(f"search (mode={mode}) answered {response.status_code}: {response.text[:300]}")
        return response.json()["hits"]

    def ignores_mode(self):
        """True when the server answers a search with an unknown mode: one that ignores `mode`
        would report the hybrid figures three times (a server with modes should answer 400)."""
        response = self.call("GET", "/haven/search", params={"q": "probe", "k": 1, "mode": "no-such-mode"})
        return response.status_code == 200


def upload(client, documents):
    for document in documents:
        client.put(document["path"], document["text"])


def wait_indexed(client, timeout, progress=None):
    """Waits until nothing is pending, polling for at most `timeout` seconds; returns the seconds taken."""
    start = time.monotonic()
    last = None
    while True:
        state = client.index_progress()
        if state.get("pending") == 0:
            return time.monotonic() - start
        if time.monotonic() - start > timeout:
            raise EvalError(f"indexing did not finish within {timeout} s: {state}")
        if progress and state != last:
            progress(state)
            last = state
        time.sleep(0.5)


def rank_of(hits, answer_path, k=K):
    """1-based rank of `answer_path` among the distinct paths of the first `k` hits, or None."""
    seen = []
    for hit in hits[:k]:
        if hit["path"] not in seen:
            seen.append(hit["path"])
        if hit["path"] == answer_path:
            return len(seen)
    return None


def grade(ranks):
    """{"questions", "recall@10", "mrr@10"} from a list of ranks (None = not found)."""
    count = len(ranks)
    if not count:
        return {"questions": 0, "recall@10": 0.0, "mrr@10": 0.0}
    return {"questions": count, "recall@10": round(sum(r is not None for r in ranks) / count, 4),
            "mrr@10": round(sum(1 / r for r in ranks if r) / count, 4)}


def evaluate(client, questions, modes=MODES, k=K):
    """Runs every question in every mode; returns {"modes": {mode: {"all": grade, kind: grade}},
    "misses": {mode: [question, …]}, "seconds": {mode: s}}."""
    report = {"modes": {}, "misses": {}, "seconds": {}}
    kinds = sorted({q["kind"] for q in questions})
    for mode in modes:
        started = time.monotonic()
        ranks = [(q, rank_of(client.search(q["question"], mode, k), q["answer_path"], k)) for q in questions]
        report["seconds"][mode] = round(time.monotonic() - started, 2)
        report["modes"][mode] = {"all": grade([r for _, r in ranks]),
                                 **{kind: grade([r for q, r in ranks if q["kind"] == kind]) for kind in kinds}}
        report["misses"][mode] = [q["question"] for q, r in ranks if r is None]
    return report


def table(report):
    """The report as a text table: one row per mode and kind."""
    lines = [f"{'mode':<8} {'kind':<12} {'n':>4} {'recall@10':>10} {'MRR@10':>8}"]
    for mode, kinds in report["modes"].items():
        for kind, figures in kinds.items():
            lines.append(f"{mode:<8} {kind:<12} {figures['questions']:>4} {figures['recall@10']:>10.3f} "
                         f"{figures['mrr@10']:>8.3f}")
    return "\n".join(lines)


# ---- a Haven of its own ---------------------------------------------------------------------------


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class OwnHaven:
    """`haven init` into a fresh home and `haven serve` on 127.0.0.1 until stop()."""

    def __init__(self, haven, model, directory, env=None, embedding_model=None):
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("HAVEN_")}
        self.env.update(env or {})
        home = os.path.join(directory, "home")
        try:
            embedder = ["--embedding-model", embedding_model] if embedding_model else []
            result = subprocess.run([haven, "init", "--home", home, "--model", model, *embedder], capture_output=True,
                                    text=True, timeout=300, env=self.env)
        except (OSError, subprocess.TimeoutExpired) as error:
            raise EvalError(f"haven init failed: {error}") from error
        if result.returncode != 0:
            raise EvalError(f"haven init failed ({result.returncode}): {result.stderr.strip()}")
        self.token = result.stdout.strip()
        self.port = free_port()
        self.log_path = os.path.join(directory, "serve.log")
        with open(self.log_path, "w") as log:
            self.process = subprocess.Popen([haven, "serve", "--home", home, "--port", str(self.port)],
                                            stdout=log, stderr=subprocess.STDOUT, env=self.env)
        self.url = f"http://127.0.0.1:{self.port}"
        self.wait_healthy(60)

    def wait_healthy(self, seconds):
        import requests  # noqa: PLC0415

        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise EvalError(f"haven serve exited with {self.process.returncode}; see {self.log_path}")
            try:
                if requests.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.1)
        self.stop()
        raise EvalError(f"haven serve did not answer within {seconds} s; see {self.log_path}")

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=30)


def run(client, documents, questions, index_timeout, modes=MODES, say=print, check_modes=True):
    """Uploads, waits for the index, evaluates; returns the report (with timings and sizes)."""
    if check_modes and client.ignores_mode():
        say("warning: the server accepted mode=no-such-mode; if it ignores `mode`, every mode below "
            "is really its default (hybrid)")
    started = time.monotonic()
    upload(client, documents)
    say(f"uploaded {len(documents)} documents in {time.monotonic() - started:.1f} s; indexing…")
    index_seconds = wait_indexed(client, index_timeout,
                                 progress=lambda state: say(f"  index: {json.dumps(state)}"))
    say(f"indexed in {index_seconds:.1f} s")
    report = evaluate(client, questions, modes)
    report["documents"] = len(documents)
    report["questions"] = len(questions)
    report["index_seconds"] = round(index_seconds, 1)
    return report


def main():
    parser = argparse.ArgumentParser(description="Recall@10 and MRR@10 of Haven search per mode and question kind.")
    target = parser.add_argument_group("the Haven to evaluate (either --url and --token, or --haven and --model)")
    target.add_argument("--url", help="a running Haven on loopback, e.g. http://127.0.0.1:8420")
    target.add_argument("--token", help="the owner token of that Haven")
    target.add_argument("--haven", help="a haven binary: start a fresh Haven with it (init + serve)")
    target.add_argument("--model", help="the GGUF to `haven init --model` (it embeds too, unless --embedding-model)")
    target.add_argument("--embedding-model", help="a sentence-embedding GGUF to `haven init --embedding-model` "
                        "(what `make run` gives a home: scripts/path embedding-model)")
    parser.add_argument("--data", default=DATA, help="directory with corpus.jsonl and questions.jsonl")
    parser.add_argument("--documents", type=int, help="a seeded subset of this many documents")
    parser.add_argument("--questions", type=int, help="with --documents: this many questions in the subset")
    parser.add_argument("--modes", default=",".join(MODES), help="comma-separated (default: hybrid,text,vector)")
    parser.add_argument("--index-timeout", type=float, default=900, help="seconds to wait for indexing (default 900)")
    parser.add_argument("--json", metavar="OUT", help="also write the report as JSON to OUT")
    parser.add_argument("--no-mode-check", action="store_true",
                        help="do not probe whether the server rejects an unknown mode")
    parser.add_argument("--show-misses", action="store_true", help="print the questions each mode missed")
    options = parser.parse_args()
    if bool(options.url) == bool(options.haven):
        parser.error("give either --url and --token, or --haven and --model")
    if options.url and not options.token:
        parser.error("--url needs --token")
    if options.haven and not options.model:
        parser.error("--haven needs --model")
    modes = [m for m in options.modes.split(",") if m]
    if not modes or set(modes) - set(MODES):
        parser.error(f"--modes takes some of {','.join(MODES)}")
    own = None
    # A SIGTERM stops the Haven this started, too (the finally below runs).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("retrieval_eval: terminated"))
    try:
        documents, questions = load_test_set(options.data)
        if options.documents:
            documents, questions = subset(documents, questions, options.documents,
                                          options.questions or len(questions))
        if options.haven:
            directory = tempfile.mkdtemp(prefix="haven-retrieval-")
            print(f"starting haven in {directory}", flush=True)
            own = OwnHaven(options.haven, options.model, directory, embedding_model=options.embedding_model)
            client = Client(own.url, own.token)
        else:
            client = Client(options.url, options.token)
        report = run(client, documents, questions, options.index_timeout, modes,
                     say=lambda line: print(line, flush=True), check_modes=not options.no_mode_check)
    except EvalError as error:
        sys.exit(f"retrieval_eval: {error}")
    finally:
        if own:
            own.stop()
    print(f"\n{report['documents']} documents, {report['questions']} questions, k={K}, "
          f"graded by document path\n{table(report)}")
    if options.show_misses:
        for mode, misses in report["misses"].items():
            print(f"\nmissed by {mode} ({len(misses)}):")
            for question in misses:
                print("  " + question)
    if options.json:
        with open(options.json, "w", encoding="utf-8") as handle:
            json.dump(report, handle, indent=2)
            handle.write("\n")


if __name__ == "__main__":
    main()
