#!/usr/bin/env python3
"""Trains a LoRA adapter for a GGUF base model and writes it as a llama.cpp adapter GGUF.

Haven launches this as a subprocess, one job at a time, below interactive inference in
priority (``nice -n 19``):

    python training/train_lora.py JOBDIR

with PYTHONPATH holding the pinned llama.cpp's gguf-py and HAVEN_LLAMA_PYTHON naming the
directory of that llama.cpp's Python tools (``scripts/path llama-python``), where
``convert_lora_to_gguf.py`` lives.

Inputs (written by Haven):
  JOBDIR/job.json     {"base_model": "/abs/base.gguf", "rank": 8, "alpha": 16, "steps": 300,
                       "sequence_length": 128, "batch_size": 4, "learning_rate": 0.0002,
                       "seed": 42, "target_modules": ["q_proj", "v_proj"], "threads": 2,
                       "checkpoint_every": 25, "precision": "auto"}
                      (all but base_model optional, with these defaults; precision "auto" runs
                      the products in bfloat16 where the CPU or GPU has them natively, else
                      float32; "float32" or "bfloat16" forces one)
  JOBDIR/train.jsonl  one {"text": "..."} per line, already rendered (chat template applied):
                      causal-LM training on the texts, tokenized, concatenated with an
                      end-of-sequence token between texts, cut into sequence_length blocks and
                      visited in a seeded shuffled order, epoch after epoch.

Outputs:
  JOBDIR/progress.jsonl  appended and flushed, one JSON object a line:
      {"event":"started","steps":N,"resumed_from":k,"device":"cpu","precision":"bfloat16","blocks":b}
      {"event":"step","step":n,"steps":N,"loss":x,"seconds_per_step":s}     (every step)
      {"event":"checkpoint","step":n}
      {"event":"converting"}
      {"event":"done","adapter":"adapter.gguf","steps":N,"seconds":t,"peak_rss_mb":m}
      {"event":"cancelled","step":n}
      {"event":"error","message":"..."}
  JOBDIR/checkpoint/     all that resuming needs (PEFT adapter weights, optimizer and scheduler
                         state, step, RNG states, the data order's seed and dataset digest),
                         written to a temporary directory and renamed into place every
                         checkpoint_every steps, on cancel and at the end. A new run on the same
                         JOBDIR resumes from it: the step count continues.
  JOBDIR/base/           the base model's config.json and tokenizer as transformers read them
                         from the GGUF: what convert_lora_to_gguf.py needs (--base).
  JOBDIR/adapter/        the final adapter in PEFT's format.
  JOBDIR/adapter.gguf    the final adapter for llama.cpp (general.type=adapter,
                         adapter.type=lora, adapter.lora.alpha, blk.N.attn_q.weight.lora_a/_b),
                         in F32: the tensors are tiny (a few MB at most for small ranks), F32 is
                         exactly what was trained, and llama.cpp applies F32 LoRA tensors on
                         every backend, so halving them would only lose precision.

Exit status: 0 done, 3 cancelled (SIGTERM or SIGINT: the current step finishes, a checkpoint
is written, then the process exits, so a cancel takes at most about one step; before the first
step, while the model loads, it stops at once; after the last step the seconds-long conversion
is not started), 1 error (the message is also the one line on stderr). A second trainer on the
same JOBDIR exits 1 at once (JOBDIR/.lock).

The "started" event also says the device ("cpu" or "cuda"), the precision of the products
("float32" or "bfloat16") and the number of blocks; "done"
also gives the peak resident memory. OMP_WAIT_POLICY defaults to PASSIVE (see below).
"""

from __future__ import annotations

import argparse
import fcntl
import gc
import hashlib
import json
import math
import os
import random
import resource
import shutil
import signal
import subprocess
import sys
import threading
import time
import warnings
from pathlib import Path
from typing import Any

# Nothing here may reach a model hub: the base model is a local GGUF file.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
# OpenMP threads that wait by sleeping, not spinning: the trainer runs niced beside Haven's own
# inference on few cores, and spinning threads that lose their core stall every parallel op
# (measured on 2 busy cores: a forward pass took 6.8-9.2 s spinning, 2.1 s passive).
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
# Progress bars would fill stderr, whose one line is reserved for the error message.
os.environ.setdefault("TQDM_DISABLE", "1")
# Library warnings too: they are not the job's business (and stderr is the error's line).
warnings.filterwarnings("ignore")

EXIT_DONE = 0
EXIT_ERROR = 1
EXIT_CANCELLED = 3

DEFAULTS: dict[str, Any] = {
    "rank": 8,
    "alpha": 16,
    "steps": 300,
    "sequence_length": 128,
    "batch_size": 4,
    "learning_rate": 0.0002,
    "seed": 42,
    "target_modules": ["q_proj", "v_proj"],
    "threads": 2,
    "checkpoint_every": 25,
    "precision": "auto",
}

# The settings a checkpoint was made with that must not change when it is resumed.
RESUME_KEYS = ("base_model", "rank", "alpha", "steps", "sequence_length", "batch_size", "learning_rate", "seed",
               "target_modules")

LORA_DROPOUT = 0.05
WARMUP_FRACTION = 0.1
MAX_WARMUP_STEPS = 10
GRAD_CLIP = 1.0


class JobError(Exception):
    """An error with a message for the job's owner; the job ends with exit status 1."""


class Progress:
    """Appends events to JOBDIR/progress.jsonl, one flushed JSON object per line."""

    def __init__(self, path: Path):
        self.file = open(path, "a", encoding="utf-8")

    def emit(self, event: str, **fields: Any) -> None:
        """Writes one event and flushes it so a reader polling the file sees it at once."""
        record = {"event": event, **fields}
        self.file.write(json.dumps(record, separators=(",", ":")) + "\n")
        self.file.flush()


class Cancelled(BaseException):
    """A cancel that arrived before training began: nothing to save, so the job stops at once.

    A BaseException, like KeyboardInterrupt, so no `except Exception` on the way swallows it.
    """


class Cancellation:
    """Turns SIGTERM and SIGINT into a cancel.

    Before training begins (loading the model takes tens of seconds) a cancel interrupts at
    once: there is nothing new to save. From the first step on it only sets a flag, which the
    training loop checks after each step, so the step finishes and a checkpoint is written.
    """

    def __init__(self) -> None:
        self.requested = False
        self.interrupting = True
        # A parent may hand its blocked signal mask down (Haven's server blocks SIGTERM and
        # SIGINT in its threads to receive them its own way): unblock them, or no cancel arrives.
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
        signal.signal(signal.SIGTERM, self._handle)
        signal.signal(signal.SIGINT, self._handle)
        self._watch_parent()

    @staticmethod
    def _watch_parent() -> None:
        """Haven passes its pid in HAVEN_PARENT_PID: if Haven dies (even by kill -9), the trainer
        cancels itself the same way, with a checkpoint, instead of training on as an orphan that
        a restarted Haven would race for the same job directory."""
        expected = os.environ.get("HAVEN_PARENT_PID", "")
        if not expected.isdigit():
            return

        def watch() -> None:
            while os.getppid() == int(expected):
                time.sleep(1)
            os.kill(os.getpid(), signal.SIGTERM)

        threading.Thread(target=watch, name="parent-watch", daemon=True).start()

    def _handle(self, signum: int, frame: Any) -> None:
        self.requested = True
        if self.interrupting:
            self.interrupting = False
            raise Cancelled()


def read_job(jobdir: Path) -> dict[str, Any]:
    """Reads JOBDIR/job.json, fills in defaults and checks every value."""
    path = jobdir / "job.json"
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise JobError(f"{path} does not exist")
    except (OSError, ValueError) as error:
        raise JobError(f"cannot read {path}: {error}")
    if not isinstance(raw, dict):
        raise JobError(f"{path} must hold a JSON object")
    unknown = set(raw) - set(DEFAULTS) - {"base_model"}
    if unknown:
        raise JobError(f"{path} has unknown keys: {', '.join(sorted(unknown))}")
    job = {**DEFAULTS, **raw}
    base = job.get("base_model")
    if not isinstance(base, str) or not base:
        raise JobError(f"{path} must name base_model, the base model's GGUF file")
    if not Path(base).is_file():
        raise JobError(f"base model {base} does not exist")
    for key in ("rank", "steps", "sequence_length", "batch_size", "threads", "checkpoint_every"):
        if not isinstance(job[key], int) or isinstance(job[key], bool) or job[key] < 1:
            raise JobError(f"job.json: {key} must be a positive integer, not {job[key]!r}")
    if not isinstance(job["seed"], int) or isinstance(job["seed"], bool):
        raise JobError(f"job.json: seed must be an integer, not {job['seed']!r}")
    for key in ("alpha", "learning_rate"):
        if not isinstance(job[key], (int, float)) or isinstance(job[key], bool) or job[key] <= 0:
            raise JobError(f"job.json: {key} must be a positive number, not {job[key]!r}")
    if job["precision"] not in ("auto", "float32", "bfloat16"):
        raise JobError(f"job.json: precision must be auto, float32 or bfloat16, not {job['precision']!r}")
    modules = job["target_modules"]
    if not isinstance(modules, list) or not modules or not all(isinstance(m, str) and m for m in modules):
        raise JobError("job.json: target_modules must be a non-empty list of module names")
    return job


def read_texts(jobdir: Path) -> tuple[list[str], str]:
    """Reads JOBDIR/train.jsonl: the texts and the file's SHA-256 (to tie checkpoints to it)."""
    path = jobdir / "train.jsonl"
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise JobError(f"{path} does not exist")
    texts = []
    for number, line in enumerate(data.decode("utf-8", errors="strict").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError as error:
            raise JobError(f"{path} line {number} is not JSON: {error}")
        if not isinstance(record, dict) or not isinstance(record.get("text"), str):
            raise JobError(f'{path} line {number} must be an object with a "text" string')
        if record["text"]:
            texts.append(record["text"])
    if not texts:
        raise JobError(f"{path} holds no text to train on")
    return texts, hashlib.sha256(data).hexdigest()


def llama_python_dir() -> Path:
    """The pinned llama.cpp's Python tools: $HAVEN_LLAMA_PYTHON, else `scripts/path llama-python`."""
    configured = os.environ.get("HAVEN_LLAMA_PYTHON")
    if configured:
        return Path(configured)
    script = Path(__file__).resolve().parent.parent / "scripts" / "path"
    try:
        out = subprocess.run([str(script), "llama-python"], check=True, capture_output=True, text=True)
    except (OSError, subprocess.CalledProcessError):
        raise JobError("HAVEN_LLAMA_PYTHON is not set and scripts/path llama-python failed")
    return Path(out.stdout.strip())


def pack_blocks(tokenizer: Any, texts: list[str], length: int) -> list[list[int]]:
    """Tokenizes the texts, joins them with end-of-sequence tokens and cuts sequence_length blocks.

    The remainder shorter than a block is dropped, unless the data is shorter than one block,
    which then becomes the only (short) block.
    """
    eos = tokenizer.eos_token_id
    stream: list[int] = []
    for text in texts:
        stream.extend(tokenizer(text, add_special_tokens=False)["input_ids"])
        if eos is not None:
            stream.append(eos)
    if len(stream) < 2:
        raise JobError("train.jsonl tokenizes to fewer than two tokens")
    if len(stream) < length:
        return [stream]
    return [stream[i:i + length] for i in range(0, len(stream) - length + 1, length)]


def batch_indices(step: int, batch_size: int, blocks: int, seed: int) -> list[int]:
    """The blocks of a step (0-based): a seeded permutation of all blocks per epoch, in order.

    The order is a pure function of (seed, number of blocks, step), so a resumed run visits
    exactly the blocks the interrupted one would have.
    """
    import numpy as np

    indices = []
    for position in range(step * batch_size, (step + 1) * batch_size):
        epoch, offset = divmod(position, blocks)
        order = np.random.default_rng([seed, epoch]).permutation(blocks)
        indices.append(int(order[offset]))
    return indices


def learning_rate_factor(step: int, steps: int) -> float:
    """Linear warm-up over the first steps, then linear decay to a tenth of the peak."""
    warmup = min(MAX_WARMUP_STEPS, max(1, int(steps * WARMUP_FRACTION)))
    if step < warmup:
        return (step + 1) / warmup
    remaining = max(1, steps - warmup)
    return max(0.1, 1.0 - 0.9 * (step - warmup) / remaining)


def release_free_memory() -> None:
    """Returns freed heap memory to the system (glibc keeps it otherwise); a no-op elsewhere."""
    try:
        import ctypes
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def bfloat16_is_fast(device: Any) -> bool:
    """Whether bfloat16 matrix products run natively here: a CUDA GPU that has them, or an x86
    CPU with AVX512-BF16 or AMX-BF16 (elsewhere PyTorch emulates them, slower than float32)."""
    import torch

    if device.type == "cuda":
        return bool(torch.cuda.is_bf16_supported())
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            flags = next((line.split(":", 1)[1].split() for line in handle if line.startswith("flags")), [])
    except OSError:
        return False
    return "avx512_bf16" in flags or "amx_bf16" in flags


def peak_rss_mb() -> float:
    """This process's peak resident memory, in MiB (ru_maxrss is KiB on Linux)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


class Trainer:
    """One job: loads the base model, trains (resuming if a checkpoint exists), converts."""

    def __init__(self, jobdir: Path, progress: Progress, cancellation: Cancellation):
        self.jobdir = jobdir
        self.progress = progress
        self.cancellation = cancellation
        self.started_at = time.monotonic()
        self.resume_step = 0  # the step of the checkpoint this run resumes from, once known

    # --- checkpoints -------------------------------------------------------------------------

    @property
    def checkpoint_dir(self) -> Path:
        return self.jobdir / "checkpoint"

    def recover_checkpoint(self) -> Path | None:
        """The checkpoint to resume from, repairing an interrupted swap; None when there is none.

        A checkpoint is replaced in two renames (checkpoint → checkpoint.old, then the new
        temporary directory → checkpoint): a crash between them leaves only checkpoint.old.
        """
        old = self.jobdir / "checkpoint.old"
        if not self.checkpoint_dir.exists() and (old / "state.json").is_file():
            old.rename(self.checkpoint_dir)
        for stale in [*self.jobdir.glob("checkpoint.tmp-*"), *self.jobdir.glob("base.tmp-*")]:
            shutil.rmtree(stale, ignore_errors=True)
        if old.exists():
            shutil.rmtree(old, ignore_errors=True)
        return self.checkpoint_dir if (self.checkpoint_dir / "state.json").is_file() else None

    def save_checkpoint(self, step: int) -> None:
        """Writes everything resuming needs into a temporary directory, then renames it into place."""
        import numpy as np
        import torch

        tmp = self.jobdir / f"checkpoint.tmp-{os.getpid()}"
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir()
        self.model.save_pretrained(str(tmp))
        (tmp / "README.md").unlink(missing_ok=True)  # PEFT's model card: nothing to resume from
        torch.save({
            "optimizer": self.optimizer.state_dict(),
            "scheduler": self.scheduler.state_dict(),
            "torch_rng": torch.get_rng_state(),
            "cuda_rng": torch.cuda.get_rng_state_all() if self.device.type == "cuda" else None,
            "numpy_rng": np.random.get_state(),
            "python_rng": random.getstate(),
        }, tmp / "training_state.pt")
        state = {
            "step": step,
            "job": {key: self.job[key] for key in RESUME_KEYS},
            "data": {"train_sha256": self.data_digest, "blocks": len(self.blocks), "seed": self.job["seed"],
                     "order": "numpy default_rng([seed, epoch]).permutation(blocks), batch_size blocks a step"},
        }
        (tmp / "state.json").write_text(json.dumps(state, indent=1), encoding="utf-8")
        for path in tmp.iterdir():
            with open(path, "rb") as handle:
                os.fsync(handle.fileno())
        old = self.jobdir / "checkpoint.old"
        if self.checkpoint_dir.exists():
            shutil.rmtree(old, ignore_errors=True)
            self.checkpoint_dir.rename(old)
        tmp.rename(self.checkpoint_dir)
        shutil.rmtree(old, ignore_errors=True)
        directory = os.open(self.jobdir, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)
        self.progress.emit("checkpoint", step=step)

    def check_checkpoint(self, path: Path) -> dict[str, Any]:
        """Reads the checkpoint's state.json and refuses one made for other settings or data."""
        try:
            state = json.loads((path / "state.json").read_text(encoding="utf-8"))
            step = int(state["step"])
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise JobError(f"the checkpoint in {path} is unreadable ({error}); delete it to start the job over")
        saved_job = state.get("job", {})
        changed = [key for key in RESUME_KEYS if saved_job.get(key) != self.job[key]]
        if changed:
            raise JobError(f"the checkpoint in {path} was made with other {', '.join(changed)}; "
                           "delete it to start the job over")
        if state.get("data", {}).get("train_sha256") != self.data_digest:
            raise JobError(f"train.jsonl changed since the checkpoint in {path} was made; "
                           "delete it to start the job over")
        if step > self.job["steps"]:
            raise JobError(f"the checkpoint is at step {step}, past the job's {self.job['steps']} steps")
        return state

    def load_checkpoint(self, path: Path) -> int:
        """Restores adapter weights, optimizer, scheduler and RNG states; returns the step."""
        import numpy as np
        import torch
        from peft import set_peft_model_state_dict
        from safetensors.torch import load_file

        state = self.check_checkpoint(path)
        weights = load_file(str(path / "adapter_model.safetensors"), device=str(self.device))
        result = set_peft_model_state_dict(self.model, weights)
        missing = [key for key in getattr(result, "unexpected_keys", []) if "lora_" in key]
        if missing:
            raise JobError(f"the checkpoint in {path} does not match the model ({missing[0]})")
        training = torch.load(path / "training_state.pt", map_location="cpu", weights_only=False)
        self.optimizer.load_state_dict(training["optimizer"])
        self.scheduler.load_state_dict(training["scheduler"])
        torch.set_rng_state(training["torch_rng"])
        if training.get("cuda_rng") is not None and self.device.type == "cuda":
            torch.cuda.set_rng_state_all(training["cuda_rng"])
        np.random.set_state(training["numpy_rng"])
        random.setstate(training["python_rng"])
        return int(state["step"])

    # --- the job -----------------------------------------------------------------------------

    def load_model(self) -> None:
        """Reads the GGUF base model through transformers (dequantised to float32) and wraps it in LoRA."""
        import torch
        import transformers
        from peft import LoraConfig, get_peft_model
        from transformers import AutoModelForCausalLM, AutoTokenizer

        transformers.logging.set_verbosity_error()
        base = Path(self.job["base_model"]).resolve()
        self.device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
        try:
            self.tokenizer = AutoTokenizer.from_pretrained(str(base.parent), gguf_file=base.name)
            model = AutoModelForCausalLM.from_pretrained(str(base.parent), gguf_file=base.name,
                                                         dtype=torch.float32)
        except Exception as error:  # transformers raises many kinds for an unreadable model
            raise JobError(f"transformers cannot load the base model {base}: {type(error).__name__}: {error}")
        self.save_base_files(model)
        # The dequantised GGUF tensors that loading went through are garbage now: give them back.
        gc.collect()
        release_free_memory()
        model.to(self.device)
        names = {name.rsplit(".", 1)[-1] for name, _ in model.named_modules()}
        absent = [module for module in self.job["target_modules"] if module not in names]
        if absent:
            raise JobError(f"the base model has no modules named {', '.join(absent)}")
        config = LoraConfig(r=self.job["rank"], lora_alpha=self.job["alpha"],
                            target_modules=list(self.job["target_modules"]), lora_dropout=LORA_DROPOUT,
                            bias="none", task_type="CAUSAL_LM")
        self.model = get_peft_model(model, config)
        # Where the adapter's base config lives (PEFT reads it when saving; the converter is told it too).
        self.model.peft_config["default"].base_model_name_or_path = str(self.jobdir / "base")

    def save_base_files(self, model: Any) -> None:
        """Saves the base config and tokenizer (as read from the GGUF) to JOBDIR/base/ for the converter."""
        target = self.jobdir / "base"
        tmp = self.jobdir / f"base.tmp-{os.getpid()}"
        shutil.rmtree(tmp, ignore_errors=True)
        # The converter picks its model class by config.json's "architectures", which only a
        # model's own save_pretrained fills in.
        model.config.architectures = [type(model).__name__]
        model.config.save_pretrained(str(tmp))
        self.tokenizer.save_pretrained(str(tmp))
        shutil.rmtree(target, ignore_errors=True)
        tmp.rename(target)

    def run(self) -> int:
        """Runs the job to the end, or to a cancel; returns the exit status."""
        import torch

        self.job = read_job(self.jobdir)
        texts, self.data_digest = read_texts(self.jobdir)
        # A checkpoint that cannot be resumed fails the job now, not after loading the model.
        checkpoint = self.recover_checkpoint()
        if checkpoint:
            self.resume_step = int(self.check_checkpoint(checkpoint)["step"])
        torch.set_num_threads(self.job["threads"])
        random.seed(self.job["seed"])
        torch.manual_seed(self.job["seed"])
        self.load_model()
        self.blocks = pack_blocks(self.tokenizer, texts, self.job["sequence_length"])
        # Mixed precision where it is native: the products in bfloat16, the LoRA weights, their
        # optimizer state and the loss in float32. On 2 cores with AVX512-BF16 a step of 4x128
        # tokens took 3.2 s instead of 5.2 s; the base weights were 4-bit to begin with.
        precision = self.job["precision"]
        self.bfloat16 = precision == "bfloat16" or (precision == "auto" and bfloat16_is_fast(self.device))

        steps = self.job["steps"]
        parameters = [p for p in self.model.parameters() if p.requires_grad]
        self.optimizer = torch.optim.AdamW(parameters, lr=self.job["learning_rate"], weight_decay=0.0)
        self.scheduler = torch.optim.lr_scheduler.LambdaLR(
            self.optimizer, lambda step: learning_rate_factor(step, steps))
        step = self.load_checkpoint(checkpoint) if checkpoint else 0
        self.progress.emit("started", steps=steps, resumed_from=step, device=self.device.type,
                           precision="bfloat16" if self.bfloat16 else "float32", blocks=len(self.blocks))
        self.cancellation.interrupting = False
        if self.cancellation.requested:
            self.progress.emit("cancelled", step=step)
            return EXIT_CANCELLED

        self.model.train()
        every = self.job["checkpoint_every"]
        autocast = torch.autocast(self.device.type, dtype=torch.bfloat16, enabled=self.bfloat16)
        while step < steps:
            began = time.monotonic()
            rows = [self.blocks[i] for i in batch_indices(step, self.job["batch_size"], len(self.blocks),
                                                          self.job["seed"])]
            width = min(len(row) for row in rows)
            batch = torch.tensor([row[:width] for row in rows], dtype=torch.long, device=self.device)
            with autocast:
                loss = self.model(input_ids=batch, labels=batch).loss
            if not math.isfinite(loss.item()):
                raise JobError(f"the loss became {loss.item()} at step {step + 1}; "
                               "try a lower learning_rate")
            loss.backward()
            torch.nn.utils.clip_grad_norm_(parameters, GRAD_CLIP)
            self.optimizer.step()
            self.scheduler.step()
            self.optimizer.zero_grad(set_to_none=True)
            step += 1
            self.progress.emit("step", step=step, steps=steps, loss=round(loss.item(), 5),
                               seconds_per_step=round(time.monotonic() - began, 4))
            if self.cancellation.requested:
                self.save_checkpoint(step)
                self.progress.emit("cancelled", step=step)
                return EXIT_CANCELLED
            if step % every == 0 or step == steps:
                self.save_checkpoint(step)

        if self.cancellation.requested:  # after the last step, before converting: still a cancel
            self.progress.emit("cancelled", step=step)
            return EXIT_CANCELLED
        self.convert()
        self.progress.emit("done", adapter="adapter.gguf", steps=steps,
                           seconds=round(time.monotonic() - self.started_at, 2), peak_rss_mb=peak_rss_mb())
        return EXIT_DONE

    def convert(self) -> None:
        """Saves the PEFT adapter and converts it with the pinned llama.cpp's convert_lora_to_gguf.py."""
        self.progress.emit("converting")
        adapter = self.jobdir / "adapter"
        shutil.rmtree(adapter, ignore_errors=True)
        self.model.save_pretrained(str(adapter))
        # PEFT's generated model card would become bogus metadata (a hub URL made of a local path).
        (adapter / "README.md").unlink(missing_ok=True)
        tools = llama_python_dir()
        converter = tools / "convert_lora_to_gguf.py"
        if not converter.is_file():
            raise JobError(f"{converter} does not exist (run scripts/setup training)")
        output = self.jobdir / "adapter.gguf"
        partial = self.jobdir / "adapter.gguf.part"
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(tools / "gguf-py"), env.get("PYTHONPATH")]))
        command = [sys.executable, str(converter), "--base", str(self.jobdir / "base"),
                   "--outfile", str(partial), "--outtype", "f32", str(adapter)]
        # Its own session: a cancel sent to this process alone does not cut the conversion short.
        result = subprocess.run(command, env=env, capture_output=True, text=True, start_new_session=True)
        if result.returncode != 0:
            lines = [line for line in (result.stderr or result.stdout).splitlines() if line.strip()]
            raise JobError("convert_lora_to_gguf.py failed: " + (lines[-1] if lines else f"exit {result.returncode}"))
        partial.rename(output)


def main() -> int:
    parser = argparse.ArgumentParser(description="Train a LoRA adapter for a GGUF base model (a Haven job).")
    parser.add_argument("jobdir", type=Path, help="the job's directory, holding job.json and train.jsonl")
    args = parser.parse_args()
    jobdir: Path = args.jobdir.resolve()
    if not jobdir.is_dir():
        print(f"error: job directory {jobdir} does not exist", file=sys.stderr)
        return EXIT_ERROR
    # One trainer per job directory: a second one would interleave progress and checkpoints.
    lock = open(jobdir / ".lock", "w")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        print(f"error: another trainer is running on {jobdir}", file=sys.stderr)
        return EXIT_ERROR
    progress: Progress | None = None
    trainer: Trainer | None = None
    try:
        cancellation = Cancellation()
        # Created after the handlers: once progress.jsonl exists, a cancel is a clean exit 3.
        progress = Progress(jobdir / "progress.jsonl")
        trainer = Trainer(jobdir, progress, cancellation)
        return trainer.run()
    except Cancelled:
        progress = progress or Progress(jobdir / "progress.jsonl")
        progress.emit("cancelled", step=trainer.resume_step if trainer else 0)
        return EXIT_CANCELLED
    except JobError as error:
        message = str(error)
    except MemoryError:
        message = "out of memory (try a smaller batch_size or sequence_length)"
    except Exception as error:  # anything unexpected still ends as one error event
        message = f"{type(error).__name__}: {error}"
    message = " ".join(message.split())
    if progress is not None:
        progress.emit("error", message=message)
    print(f"error: {message}", file=sys.stderr)
    return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
