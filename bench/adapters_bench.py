"""Adapters benchmark: LoRA adapters served beside their base model, and training speed.

(a) One release Haven with the default model and two random LoRA adapters installed on it
    (`haven model add-adapter FILE --base MODEL --name NAME`, files from tests/e2e/lora_adapter.py).
    The same server gets two loads, interleaved (the order swapped each round), `--rounds` times:

      mixed  8 concurrent streaming chats: 3 on adapter A, 3 on adapter B, 2 on the base
      base   8 concurrent streaming chats, all on the base

    Each figure is the aggregate generated tokens/s (completion tokens of all 8 / wall time). It
    prints every run, each load's median and spread (± half the range, as a share of the median)
    and the ratio mixed / base of the medians.

(b) Training steps per second: `training/train_lora.py JOBDIR` with the training environment's
    Python (`scripts/path training-python`) on a small job (`--train-steps`, 10 by default):
    job.json {"base_model": GGUF, "steps": N, "rank": 4, ...}, train.jsonl lines {"text": ...};
    it reads the "step" events' seconds_per_step from JOBDIR/progress.jsonl (the first step,
    which carries the start-up, is left out of the median). Skipped, with the reason, when the
    training environment or the script is missing, or with --skip-training.

Servers listen on 127.0.0.1 only; every wait is bounded. Run by `make bench BENCH=adapters`.
`--prepare-only` makes the two adapter files and stops (no Haven needed).
"""

import argparse
import concurrent.futures
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))

from lora_adapter import make_adapter  # noqa: E402

BASE_NAME = "smollm2-135m-instruct-q4_1"
ADAPTERS = (("bench-lora-a", 1), ("bench-lora-b", 2))  # (model name, seed)
PARALLEL = 8
CONTEXT_PER_SEQUENCE = 2048


def prompts(count):
    return [[{"role": "user", "content": f"Write a story about animal number {i}."}] for i in range(count)]


def make_adapters(options, directory):
    """Writes the two random adapters; returns [(name, path)]."""
    made = []
    for name, seed in ADAPTERS:
        path = os.path.join(directory, name + ".gguf")
        summary = make_adapter(options.model, path, rank=options.rank, mode="random", seed=seed)
        print(f"adapter {name}: {path} (rank {summary['rank']}, {summary['tensors']} tensors, "
              f"{os.path.getsize(path) / 1024:.0f} KiB)", flush=True)
        made.append((name, path))
    return made


# ---- (a) serving ----------------------------------------------------------------------------


class Haven:
    """A release Haven on 127.0.0.1 with the base model and the adapters installed."""

    def __init__(self, options, root, adapters):
        import requests  # noqa: PLC0415  (only the serving part needs the HTTP clients)

        self.requests = requests
        home = os.path.join(root, "home")
        self.token = run([options.haven, "init", "--home", home, "--model", options.model]).stdout.strip()
        self.port = free_port()
        env = {**os.environ, "HAVEN_THREADS": str(options.threads), "HAVEN_CONTEXT": str(CONTEXT_PER_SEQUENCE)}
        self.log = open(os.path.join(root, "serve.log"), "w")
        self.process = subprocess.Popen(
            [options.haven, "serve", "--home", home, "--port", str(self.port), "--parallel", str(PARALLEL),
             "--log-level", "error"], env=env, stdout=self.log, stderr=subprocess.STDOUT)
        self.wait_healthy(120)
        # Adapters are installed through the running server, which checks them against the base.
        for name, path in adapters:
            run([options.haven, "model", "add-adapter", path, "--home", home, "--port", str(self.port),
                 "--base", options.base_name, "--name", name])

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def wait_healthy(self, seconds):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                sys.exit(f"haven serve exited early ({self.process.returncode}); see {self.log.name}")
            try:
                if self.requests.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return
            except self.requests.RequestException:
                pass
            time.sleep(0.1)
        sys.exit(f"haven at {self.url} did not become healthy in {seconds}s; see {self.log.name}")

    def client(self):
        import openai  # noqa: PLC0415

        return openai.OpenAI(base_url=self.url + "/v1", api_key=self.token, max_retries=0, timeout=600)

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=30)
        self.log.close()


def run(args):
    try:
        return subprocess.run(args, capture_output=True, text=True, check=True, timeout=300)
    except subprocess.CalledProcessError as error:
        sys.exit(f"{' '.join(args[:3])} failed ({error.returncode}): {error.stderr.strip() or error.stdout.strip()}")


def free_port():
    import socket  # noqa: PLC0415

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stream(server, model, messages, max_tokens):
    """One streaming chat at temperature 0; returns its completion tokens (from the usage chunk)."""
    tokens = 0
    for chunk in server.client().chat.completions.create(
            model=model, messages=messages, max_tokens=max_tokens, temperature=0, seed=7, stream=True,
            stream_options={"include_usage": True}):
        if chunk.usage:
            tokens = chunk.usage.completion_tokens
    return tokens


def concurrent_load(server, models, max_tokens):
    """Runs one chat per entry of `models`, all at once; returns (aggregate tokens/s, tokens per model)."""
    start = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(len(models)) as pool:
        tokens = list(pool.map(lambda pair: stream(server, pair[0], pair[1], max_tokens),
                               zip(models, prompts(len(models)))))
    wall = time.perf_counter() - start
    per_model = {}
    for model, count in zip(models, tokens):
        per_model[model] = per_model.get(model, 0) + count
    return sum(tokens) / wall, per_model


def serving(options, adapters, root):
    (a_name, _), (b_name, _) = adapters
    loads = {
        "mixed": [a_name] * 3 + [b_name] * 3 + [options.base_name] * 2,
        "base": [options.base_name] * PARALLEL,
    }
    server = Haven(options, root, adapters)
    figures = {}
    try:
        for model in (options.base_name, a_name, b_name):  # load and warm up each model
            stream(server, model, [{"role": "user", "content": "Hello"}], 8)
        deadline = time.monotonic() + options.time_limit
        for round in range(options.rounds):
            if time.monotonic() > deadline:
                print(f"time limit of {options.time_limit}s reached; stopping after {round} rounds")
                break
            order = ("mixed", "base") if round % 2 == 0 else ("base", "mixed")
            for load in order:
                per_second, per_model = concurrent_load(server, loads[load], options.max_tokens)
                figures.setdefault(load, []).append(per_second)
                detail = ", ".join(f"{model} {count}" for model, count in per_model.items())
                print(f"round {round + 1} {load:<6}{per_second:10.2f} tok/s  (tokens: {detail})", flush=True)
                if any(count == 0 for count in per_model.values()):
                    print("  warning: a model generated no tokens in this run", flush=True)
    finally:
        server.stop()
    return figures


def spread(values, median):
    return f"±{(max(values) - min(values)) / 2 / median * 100:.0f}%" if median else "-"


def report_serving(figures):
    if "mixed" not in figures or "base" not in figures:
        print("serving: no complete round")
        return
    rounds = min(len(figures["mixed"]), len(figures["base"]))
    mixed, base = statistics.median(figures["mixed"]), statistics.median(figures["base"])
    print(f"\n{'figure (aggregate generated tok/s, median of ' + str(rounds) + ')':<58}{'tok/s':>10}{'spread':>9}")
    print(f"{'8 streams: 3 adapter A + 3 adapter B + 2 base':<58}{mixed:>10.2f}{spread(figures['mixed'], mixed):>9}")
    print(f"{'8 streams: base alone':<58}{base:>10.2f}{spread(figures['base'], base):>9}")
    print(f"{'ratio mixed / base':<58}{(mixed / base if base else float('nan')):>10.2f}")


# ---- (b) training ---------------------------------------------------------------------------


TRAIN_TEXT = [
    "The keeper of the Tarrow light logs every gull by colour: {n} grey, {m} white, and one that is always late.",
    "On day {n} the tide clock ran {m} minutes slow, so the keeper wound it with the brass key from the tin box.",
    "Marla of Tarrow bakes seaweed bread on the {n}th of each month and sends {m} loaves across by rowing boat.",
    "The lamp of Tarrow turns {n} times a minute; its lens was ground in {m} by a glassmaker who never saw the sea.",
]


def training(options, root):
    """Runs a small training job; returns (median seconds per step, steps) or None (with the reason printed)."""
    if options.skip_training:
        print("training: skipped (--skip-training)")
        return None
    python = options.training_python
    if not python or not (os.path.isfile(python) and os.access(python, os.X_OK)):
        print(f"training: skipped: no training environment ({python or 'scripts/path training-python gave nothing'}); "
              "it is installed the first time training is used (make test-training)")
        return None
    script = os.path.join(ROOT, "training", "train_lora.py")
    if not os.path.isfile(script):
        print(f"training: skipped: {script} does not exist")
        return None
    job = os.path.join(root, "train-job")
    os.makedirs(job)
    with open(os.path.join(job, "job.json"), "w") as f:
        json.dump({"base_model": options.model, "steps": options.train_steps, "rank": options.rank}, f)
    with open(os.path.join(job, "train.jsonl"), "w") as f:
        for i in range(200):
            f.write(json.dumps({"text": TRAIN_TEXT[i % len(TRAIN_TEXT)].format(n=i + 3, m=(i * 7) % 60 + 1)}) + "\n")
    print(f"training: {options.train_steps} steps, rank {options.rank}: {python} {script} {job}", flush=True)
    start = time.monotonic()
    with open(os.path.join(job, "train.log"), "w") as log:
        try:
            result = subprocess.run([python, script, job], stdout=log, stderr=subprocess.STDOUT,
                                    timeout=options.train_timeout)
        except subprocess.TimeoutExpired:
            print(f"training: stopped after {options.train_timeout}s (see {log.name})")
            return None
    wall = time.monotonic() - start
    if result.returncode != 0:
        print(f"training: failed ({result.returncode}); last lines of {job}/train.log:")
        with open(os.path.join(job, "train.log")) as f:
            print("".join(f.readlines()[-15:]))
        return None
    steps = []
    progress = os.path.join(job, "progress.jsonl")
    if os.path.isfile(progress):
        with open(progress) as f:
            for line in f:
                try:
                    event = json.loads(line)
                except json.JSONDecodeError:
                    continue
                if event.get("event") == "step" and isinstance(event.get("seconds_per_step"), (int, float)):
                    steps.append(float(event["seconds_per_step"]))
    if not steps:
        print(f"training: no step events in {progress}")
        return None
    measured = steps[1:] or steps
    seconds = statistics.median(measured)
    print(f"training: {len(steps)} steps in {wall:.1f}s wall (start-up included)")
    return seconds, len(steps), measured


def report_training(result):
    if result is None:
        return
    median, count, measured = result
    print(f"\n{'training (median over steps 2..' + str(count) + ')':<58}{'value':>10}{'spread':>9}")
    print(f"{'seconds per step':<58}{median:>10.3f}{spread(measured, median):>9}")
    print(f"{'steps per second':<58}{(1 / median if median else float('nan')):>10.3f}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    parser.add_argument("--haven", help="the release haven binary (.build/release/haven)")
    parser.add_argument("--model", required=True, help="the base model's GGUF ($(scripts/path default-model))")
    parser.add_argument("--base-name", default=BASE_NAME, help=f"the base model's name in Haven (default {BASE_NAME})")
    parser.add_argument("--directory", default=None, help="where to put the work (default: a temporary directory)")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds of each load (default 3)")
    parser.add_argument("--max-tokens", type=int, default=128, help="max_tokens of each chat (default 128)")
    parser.add_argument("--rank", type=int, default=4, help="LoRA rank of the adapters (default 4)")
    parser.add_argument("--threads", type=int, default=os.cpu_count(), help="HAVEN_THREADS (default: all cores)")
    parser.add_argument("--time-limit", type=int, default=1800,
                        help="no new serving round starts after this many seconds (default 1800)")
    parser.add_argument("--training-python", default="", help="the training environment's python "
                        "($(scripts/path training-python)); empty: training is skipped")
    parser.add_argument("--train-steps", type=int, default=10, help="steps of the training job (default 10)")
    parser.add_argument("--train-timeout", type=int, default=1800, help="seconds before the job is stopped (default 1800)")
    parser.add_argument("--skip-training", action="store_true", help="measure serving only")
    parser.add_argument("--skip-serving", action="store_true", help="measure training only")
    parser.add_argument("--prepare-only", action="store_true", help="make the adapter files, print them and stop")
    options = parser.parse_args()
    if options.rounds < 1 or options.max_tokens < 1 or options.rank < 1 or options.train_steps < 1:
        parser.error("--rounds, --max-tokens, --rank and --train-steps must be at least 1")
    if not os.path.isfile(options.model):
        parser.error(f"no model file at {options.model}; run scripts/setup")
    serve = not options.prepare_only and not options.skip_serving
    if serve and not (options.haven and os.access(options.haven, os.X_OK)):
        parser.error(f"no haven binary at {options.haven!r}; build it with 'swift build -c release'")

    if options.directory:
        os.makedirs(options.directory, exist_ok=True)
    root = tempfile.mkdtemp(prefix="haven-bench-adapters-", dir=options.directory)
    try:
        print(f"model {os.path.basename(options.model)} ({options.base_name}), {options.threads} threads, "
              f"{PARALLEL} slots; haven {options.haven}\n", flush=True)
        adapters = make_adapters(options, root)
        if options.prepare_only:
            return 0
        figures = serving(options, adapters, root) if serve else {}
        trained = training(options, root)
        if serve:
            report_serving(figures)
        report_training(trained)
    finally:
        if options.prepare_only:
            print(f"(adapter files kept in {root})")
        else:
            shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
