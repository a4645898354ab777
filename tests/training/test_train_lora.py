"""Tests of training/train_lora.py, Haven's LoRA trainer, through its contract with Haven.

Run with the training environment's Python (`make test-training` does):

    HAVEN_LLAMA_PYTHON=$(scripts/path llama-python) $(scripts/path training-python) -m pytest tests/training

Skipped, with a message, where torch, PEFT or the default model is missing. Every wait is a
bounded poll of progress.jsonl or of the process; none is a sleep.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import unittest
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TRAINER = ROOT / "training" / "train_lora.py"
sys.path.insert(0, str(Path(__file__).resolve().parent))
import corpus  # noqa: E402

try:
    import peft  # noqa: F401
    import torch  # noqa: F401
    import transformers  # noqa: F401
    STACK_MISSING = None
except ImportError as error:  # the optional install is absent
    STACK_MISSING = f"the training stack is not installed ({error}); run scripts/setup training"


def script_path(name: str) -> str:
    return subprocess.run([str(ROOT / "scripts" / "path"), name], check=True, capture_output=True,
                          text=True).stdout.strip()


BASE_MODEL = os.environ.get("HAVEN_TEST_MODEL") or script_path("default-model")
LLAMA_PYTHON = os.environ.get("HAVEN_LLAMA_PYTHON") or script_path("llama-python")
sys.path.insert(0, str(Path(LLAMA_PYTHON) / "gguf-py"))

# A short job: small blocks and batches keep each step around a second on two busy cores.
JOB = {"rank": 4, "alpha": 8, "sequence_length": 64, "batch_size": 2, "learning_rate": 0.001, "threads": 2}
JOB_TIMEOUT = 900.0


def events(jobdir: Path) -> list[dict]:
    path = jobdir / "progress.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def make_job(directory: Path, **settings) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "job.json").write_text(json.dumps({"base_model": BASE_MODEL, **JOB, **settings}))
    with open(directory / "train.jsonl", "w") as handle:
        for line in corpus.lines(200, seed=3):
            handle.write(json.dumps({"text": line}) + "\n")
    return directory


def start(jobdir: Path) -> subprocess.Popen:
    env = dict(os.environ, HAVEN_LLAMA_PYTHON=LLAMA_PYTHON,
               PYTHONPATH=os.pathsep.join(filter(None, [str(Path(LLAMA_PYTHON) / "gguf-py"),
                                                        os.environ.get("PYTHONPATH")])))
    return subprocess.Popen([sys.executable, str(TRAINER), str(jobdir)], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def finish(process: subprocess.Popen, timeout: float = JOB_TIMEOUT) -> tuple[int, str]:
    _, stderr = process.communicate(timeout=timeout)
    return process.returncode, stderr


def wait_for_step(process: subprocess.Popen, jobdir: Path, step: int, timeout: float) -> None:
    """Polls progress.jsonl until a step event reaches `step` (each poll waits on the process)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(e["event"] == "step" and e["step"] >= step for e in events(jobdir)):
            return
        try:
            process.wait(timeout=0.1)
        except subprocess.TimeoutExpired:
            continue
        raise AssertionError(f"the trainer exited {process.returncode} before step {step}: "
                             f"{process.stderr.read()} {events(jobdir)}")
    raise AssertionError(f"no step {step} within {timeout} s: {events(jobdir)}")


def llama_server_binary() -> Path:
    configured = os.environ.get("HAVEN_LLAMA_SERVER")
    if configured:
        return Path(configured)
    prefix = subprocess.run(["bash", "-c", f"source {ROOT}/scripts/common.sh; llama_server_prefix"],
                            check=True, capture_output=True, text=True).stdout.strip()
    return Path(prefix) / "bin" / "llama-server"


def completions(model: str, prompts: list[str], lora: Path | None = None) -> list[str]:
    """Greedy completions from llama-server (the pinned llama.cpp) on a loopback port."""
    import socket
    import urllib.request

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [str(llama_server_binary()), "-m", model, "--host", "127.0.0.1", "--port", str(port),
               "-t", "2", "-c", "512"] + (["--lora", str(lora)] if lora else [])
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as reply:
                    if reply.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError("llama-server did not become healthy within 60 s")
            try:
                server.wait(timeout=0.2)
                raise AssertionError(f"llama-server exited {server.returncode}: {server.stderr.read()[-2000:]}")
            except subprocess.TimeoutExpired:
                pass
        out = []
        for prompt in prompts:
            body = json.dumps({"prompt": prompt, "n_predict": 24, "temperature": 0, "seed": 1}).encode()
            request = urllib.request.Request(f"http://127.0.0.1:{port}/completion", data=body,
                                             headers={"Content-Type": "application/json"})
            with urllib.request.urlopen(request, timeout=120) as reply:
                out.append(json.load(reply)["content"])
        return out
    finally:
        server.terminate()
        server.communicate(timeout=30)


def field(reader, key: str):
    return reader.fields[key].contents()


@unittest.skipIf(STACK_MISSING, STACK_MISSING or "")
@unittest.skipUnless(Path(BASE_MODEL).is_file(), f"no base model at {BASE_MODEL}; run scripts/setup")
class TrainLoraTests(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="haven-train-")
        self.addCleanup(self.tmp.cleanup)
        self.dir = Path(self.tmp.name)

    def test_job_writes_progress_checkpoints_and_an_adapter_that_matches_the_base(self):
        import gguf

        jobdir = make_job(self.dir / "job", steps=12, checkpoint_every=4)
        code, stderr = finish(start(jobdir))
        self.assertEqual(code, 0, stderr)
        log = events(jobdir)
        kinds = [e["event"] for e in log]
        self.assertEqual(log[0]["event"], "started")
        self.assertEqual((log[0]["steps"], log[0]["resumed_from"]), (12, 0))
        self.assertEqual([e["step"] for e in log if e["event"] == "step"], list(range(1, 13)))
        for e in log:
            if e["event"] == "step":
                self.assertEqual(e["steps"], 12)
                self.assertGreater(e["loss"], 0)
                self.assertGreater(e["seconds_per_step"], 0)
        self.assertEqual([e["step"] for e in log if e["event"] == "checkpoint"], [4, 8, 12])
        self.assertEqual(kinds[-2:], ["converting", "done"])
        self.assertEqual((log[-1]["adapter"], log[-1]["steps"]), ("adapter.gguf", 12))
        self.assertEqual(json.loads((jobdir / "checkpoint" / "state.json").read_text())["step"], 12)
        self.assertTrue((jobdir / "base" / "config.json").is_file())

        adapter = gguf.GGUFReader(jobdir / "adapter.gguf")
        base = gguf.GGUFReader(BASE_MODEL)
        self.assertEqual(field(adapter, "general.type"), "adapter")
        self.assertEqual(field(adapter, "adapter.type"), "lora")
        self.assertEqual(field(adapter, "adapter.lora.alpha"), 8.0)
        self.assertEqual(field(adapter, "general.architecture"), field(base, "general.architecture"))
        base_shapes = {t.name: [int(n) for n in t.shape] for t in base.tensors}
        layers = field(base, f"{field(base, 'general.architecture')}.block_count")
        names = {t.name for t in adapter.tensors}
        expected = {f"blk.{i}.{kind}.weight.lora_{ab}" for i in range(layers)
                    for kind in ("attn_q", "attn_v") for ab in "ab"}
        self.assertEqual(names, expected)
        for tensor in adapter.tensors:
            self.assertEqual(tensor.tensor_type, gguf.GGMLQuantizationType.F32, tensor.name)
            target = tensor.name.rsplit(".", 1)[0]
            ne_in, ne_out = base_shapes[target]
            shape = [int(n) for n in tensor.shape]  # GGML order: ne0 first
            if tensor.name.endswith("lora_a"):
                self.assertEqual(shape, [ne_in, 4], tensor.name)
            else:
                self.assertEqual(shape, [4, ne_out], tensor.name)

        # The pinned llama.cpp loads it, and it changes what the model says.
        if not llama_server_binary().is_file():
            self.skipTest(f"no llama-server at {llama_server_binary()} (scripts/setup test builds it)")
        prompts = ["The lighthouse keeper of Vellmora is named", "In Vellmora the river Ostrin"]
        plain = completions(BASE_MODEL, prompts)
        adapted = completions(BASE_MODEL, prompts, lora=jobdir / "adapter.gguf")
        self.assertNotEqual(plain, adapted)

    def test_cancel_stops_within_a_step_and_a_new_run_resumes(self):
        jobdir = make_job(self.dir / "job", steps=8, checkpoint_every=100)
        process = start(jobdir)
        wait_for_step(process, jobdir, 2, timeout=600)
        sent = time.monotonic()
        process.send_signal(signal.SIGTERM)
        code, stderr = finish(process, timeout=120)
        latency = time.monotonic() - sent
        self.assertEqual(code, 3, stderr)
        log = events(jobdir)
        steps = [e for e in log if e["event"] == "step"]
        slowest = max(e["seconds_per_step"] for e in steps)
        # At most the step in flight plus the checkpoint written on cancel.
        self.assertLess(latency, 2 * slowest + 10, f"cancel took {latency:.1f} s; steps took up to {slowest} s")
        cancelled = [e for e in log if e["event"] == "cancelled"]
        self.assertEqual(len(cancelled), 1)
        stopped_at = cancelled[0]["step"]
        self.assertEqual(stopped_at, steps[-1]["step"])
        self.assertEqual(log[-2:], [{"event": "checkpoint", "step": stopped_at}, cancelled[0]])
        state = json.loads((jobdir / "checkpoint" / "state.json").read_text())
        self.assertEqual(state["step"], stopped_at)
        self.assertFalse((jobdir / "adapter.gguf").exists())

        # Other settings cannot resume that checkpoint: refused before the model is even loaded.
        job = json.loads((jobdir / "job.json").read_text())
        (jobdir / "job.json").write_text(json.dumps({**job, "rank": 2}))
        code, stderr = finish(start(jobdir), timeout=120)
        self.assertEqual(code, 1, stderr)
        self.assertEqual(events(jobdir)[-1]["event"], "error")
        self.assertIn("other rank", events(jobdir)[-1]["message"])
        self.assertEqual(json.loads((jobdir / "checkpoint" / "state.json").read_text())["step"], stopped_at)
        (jobdir / "job.json").write_text(json.dumps(job))

        before = len(events(jobdir))
        code, stderr = finish(start(jobdir))
        self.assertEqual(code, 0, stderr)
        resumed = events(jobdir)[before:]
        self.assertEqual(resumed[0]["event"], "started")
        self.assertEqual(resumed[0]["resumed_from"], stopped_at)
        self.assertEqual([e["step"] for e in resumed if e["event"] == "step"], list(range(stopped_at + 1, 9)))
        self.assertEqual(resumed[-1]["event"], "done")
        self.assertTrue((jobdir / "adapter.gguf").is_file())

    def test_cancel_while_loading_stops_at_once(self):
        jobdir = make_job(self.dir / "job", steps=4)
        process = start(jobdir)
        deadline = time.monotonic() + 60
        while not (jobdir / "progress.jsonl").exists() and time.monotonic() < deadline:
            try:
                process.wait(timeout=0.05)
                break
            except subprocess.TimeoutExpired:
                pass
        self.assertIsNone(process.returncode, "the trainer exited before it could be cancelled")
        sent = time.monotonic()
        process.send_signal(signal.SIGTERM)
        code, stderr = finish(process, timeout=60)
        latency = time.monotonic() - sent
        self.assertEqual(code, 3, f"{stderr} {events(jobdir)}")
        self.assertEqual(events(jobdir), [{"event": "cancelled", "step": 0}])
        # Loading the model alone takes tens of seconds; a cancel does not wait for it.
        self.assertLess(latency, 10, f"cancel while loading took {latency:.1f} s")
        self.assertFalse((jobdir / "checkpoint").exists())

    def test_missing_base_model_is_an_error(self):
        jobdir = make_job(self.dir / "job", steps=2)
        (jobdir / "job.json").write_text(json.dumps({"base_model": str(self.dir / "absent.gguf")}))
        code, stderr = finish(start(jobdir), timeout=120)
        self.assertEqual(code, 1)
        log = events(jobdir)
        self.assertEqual(len(log), 1)
        self.assertEqual(log[0]["event"], "error")
        self.assertIn("absent.gguf", log[0]["message"])
        self.assertEqual(stderr.strip().count("\n"), 0, stderr)
        self.assertIn("absent.gguf", stderr)


if __name__ == "__main__":
    unittest.main()
