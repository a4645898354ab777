"""LoRA adapter files for tests and benchmarks, written with the pinned llama.cpp's gguf-py.

The layout is what llama.cpp's `convert_lora_to_gguf.py` writes and what `llama_adapter_lora_init`
(src/llama-adapter.cpp) loads:

  KV      general.type = "adapter", general.architecture = the base model's,
          adapter.type = "lora", adapter.lora.alpha (float32)
  tensors for each targeted base tensor `blk.N.<target>.weight` (gguf dims [n_in, n_out]):
          `blk.N.<target>.weight.lora_a`  f32, numpy shape (rank, n_in)   (gguf dims [n_in, rank])
          `blk.N.<target>.weight.lora_b`  f32, numpy shape (n_out, rank)  (gguf dims [rank, n_out])

llama.cpp adds `scale * alpha / rank * (B @ A) @ x` to each targeted matmul (`scale` is the
adapter's runtime scale; alpha 0 means "scale only"). Modes:

  zero    lora_b all zeros (lora_a random): the adapter changes nothing, its output is the base's
  random  lora_a and lora_b seeded normal values with standard deviation `scale_hint`: greedy
          output visibly differs from the base's. With the default model, attn_q+attn_v, rank 4 and
          alpha = rank: 0.05 changes a few tokens late in 32, 0.1 (the default) changes the text
          within the first few tokens yet keeps it fluent, 0.2 makes it gibberish.

Checked against llama-server from the pinned source (greedy, 32 tokens): a zero adapter's output
is bit-identical to the base's, top-5 logprobs included, at runtime scale 1 and 4.

`mismatch` writes an adapter llama.cpp must refuse: "shape" (lora_a's inner dimension is not the
base tensor's n_in: "tensor '...' has incorrect shape (hint: maybe wrong base model?)") or
"architecture" (another architecture name: "model arch and LoRA arch mismatch").

Library: `make_adapter(base_gguf, out_path, ...)`. CLI:

  python tests/e2e/lora_adapter.py BASE.gguf OUT.gguf [--rank 4] [--mode zero|random] [--seed 0]
      [--alpha A] [--targets attn_q,attn_v] [--mismatch shape|architecture] [--scale-hint 0.1]

gguf-py is found on PYTHONPATH (scripts/e2e and scripts/bench put it there) or, failing that,
through `scripts/path llama-python`.
"""

import argparse
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np


def _import_gguf():
    """Imports gguf-py: from PYTHONPATH, else from the directory `scripts/path llama-python` names."""
    try:
        import gguf  # noqa: PLC0415

        return gguf
    except ImportError:
        pass
    script = Path(__file__).resolve().parents[2] / "scripts" / "path"
    try:
        directory = subprocess.run([str(script), "llama-python"], capture_output=True, text=True,
                                   check=True, timeout=30).stdout.strip()
    except (OSError, subprocess.SubprocessError) as error:
        raise ImportError(f"gguf-py is not importable and `scripts/path llama-python` failed ({error}); "
                          "run 'scripts/setup' and put $(scripts/path llama-python)/gguf-py on PYTHONPATH") from error
    gguf_py = os.path.join(directory, "gguf-py")
    if not os.path.isdir(os.path.join(gguf_py, "gguf")):
        raise ImportError(f"no gguf-py at {gguf_py}; run 'scripts/setup' (it extracts the pinned llama.cpp's gguf-py)")
    sys.path.insert(0, gguf_py)
    import gguf  # noqa: PLC0415

    return gguf


MODES = ("zero", "random")
MISMATCHES = ("shape", "architecture")
DEFAULT_TARGETS = ("attn_q", "attn_v")
_BLOCK_TENSOR = re.compile(r"^blk\.(\d+)\.([A-Za-z0-9_]+)\.weight$")


class AdapterError(Exception):
    """The adapter cannot be made from these arguments (the message says why and what to change)."""


def base_targets(base_gguf, targets=DEFAULT_TARGETS):
    """Reads the base model's architecture and the [n_in, n_out] of each `blk.N.<target>.weight`.

    Returns (architecture, [(tensor name, n_in, n_out), ...]) in the base's tensor order. gguf
    lists dims innermost first (ne0 = n_in, ne1 = n_out), the reverse of numpy's (n_out, n_in).
    """
    gguf = _import_gguf()
    reader = gguf.GGUFReader(str(base_gguf))
    field = reader.fields.get("general.architecture")
    if field is None:
        raise AdapterError(f"{base_gguf} has no general.architecture: not a llama.cpp model GGUF")
    architecture = field.contents()
    wanted = set(targets)
    found = []
    for tensor in reader.tensors:
        match = _BLOCK_TENSOR.match(tensor.name)
        if not match or match.group(2) not in wanted:
            continue
        dims = [int(d) for d in tensor.shape]
        if len(dims) != 2:
            raise AdapterError(f"{tensor.name} has dims {dims}; LoRA targets must be 2-D matrices")
        found.append((tensor.name, dims[0], dims[1]))
    if not found:
        raise AdapterError(f"no tensors blk.N.<{'|'.join(sorted(wanted))}>.weight in {base_gguf}; "
                           "pass --targets with names such as attn_q, attn_k, attn_v, attn_output, ffn_up")
    missing = wanted - {_BLOCK_TENSOR.match(name).group(2) for name, _, _ in found}
    if missing:
        raise AdapterError(f"the base model has no blk.N.{sorted(missing)[0]}.weight tensors; "
                           "choose targets among attn_q, attn_k, attn_v, attn_output, ffn_gate, ffn_up, ffn_down")
    return architecture, found


def make_adapter(base_gguf, out_path, rank=4, mode="zero", seed=0, alpha=None, targets=DEFAULT_TARGETS,
                 mismatch=None, scale_hint=0.1):
    """Writes a LoRA adapter GGUF for `base_gguf` to `out_path` and returns a summary dict.

    rank: the LoRA rank r (>= 1). mode: "zero" (lora_b zeros: no effect) or "random" (seeded
    normal values, standard deviation `scale_hint`, in both lora_a and lora_b). alpha: written as
    adapter.lora.alpha; None means alpha = rank, so the effective factor alpha/rank is 1 and the
    runtime scale alone sets the strength. targets: the block tensors to adapt (attn_q, attn_v…).
    mismatch: None, "shape" (lora_a's inner dimension is n_in + 64) or "architecture" (another
    architecture name), for adapters llama.cpp must refuse.
    """
    if mode not in MODES:
        raise AdapterError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
    if mismatch is not None and mismatch not in MISMATCHES:
        raise AdapterError(f"mismatch must be one of {', '.join(MISMATCHES)} or None, not {mismatch!r}")
    if int(rank) != rank or rank < 1:
        raise AdapterError(f"rank must be a positive integer, not {rank!r}")
    if not scale_hint > 0:
        raise AdapterError(f"scale_hint must be positive, not {scale_hint!r}")
    rank = int(rank)
    targets = tuple(targets)
    if not targets:
        raise AdapterError("targets is empty; name at least one tensor kind such as attn_q")
    gguf = _import_gguf()
    architecture, found = base_targets(base_gguf, targets)
    written_architecture = architecture
    if mismatch == "architecture":
        written_architecture = "qwen2" if architecture != "qwen2" else "llama"
    alpha = float(rank if alpha is None else alpha)

    rng = np.random.default_rng(seed)
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    partial = out_path.with_name(out_path.name + ".partial")
    writer = gguf.GGUFWriter(str(partial), written_architecture)
    try:
        writer.add_type(gguf.GGUFType.ADAPTER)
        writer.add_name(f"haven-test-lora-{mode}" + (f"-mismatch-{mismatch}" if mismatch else ""))
        writer.add_string(gguf.Keys.Adapter.TYPE, "lora")
        writer.add_float32(gguf.Keys.Adapter.LORA_ALPHA, alpha)
        for name, n_in, n_out in found:
            inner = n_in + 64 if mismatch == "shape" else n_in
            lora_a = rng.normal(0.0, scale_hint, size=(rank, inner)).astype(np.float32)
            if mode == "zero":
                lora_b = np.zeros((n_out, rank), dtype=np.float32)
            else:
                lora_b = rng.normal(0.0, scale_hint, size=(n_out, rank)).astype(np.float32)
            writer.add_tensor(name + ".lora_a", lora_a)
            writer.add_tensor(name + ".lora_b", lora_b)
        writer.write_header_to_file()
        writer.write_kv_data_to_file()
        writer.write_tensors_to_file()
    finally:
        writer.close()
    os.replace(partial, out_path)
    return {
        "path": str(out_path),
        "architecture": written_architecture,
        "base_architecture": architecture,
        "rank": rank,
        "alpha": alpha,
        "mode": mode,
        "mismatch": mismatch,
        "tensors": 2 * len(found),
        "targets": list(targets),
    }


def main(argv=None):
    """CLI: writes one adapter and prints a one-line summary; exits 2 with a message on bad input."""
    parser = argparse.ArgumentParser(description="Write a LoRA adapter GGUF for a base model (tests and benchmarks).")
    parser.add_argument("base", help="the base model's GGUF (e.g. $(scripts/path default-model))")
    parser.add_argument("out", help="where to write the adapter GGUF")
    parser.add_argument("--rank", type=int, default=4, help="LoRA rank (default 4)")
    parser.add_argument("--mode", choices=MODES, default="zero",
                        help="zero: lora_b zeros, no effect; random: seeded values that change output (default zero)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--alpha", type=float, default=None, help="adapter.lora.alpha (default: the rank)")
    parser.add_argument("--targets", default=",".join(DEFAULT_TARGETS),
                        help="comma-separated tensor kinds to adapt (default attn_q,attn_v)")
    parser.add_argument("--mismatch", choices=MISMATCHES, default=None,
                        help="write an adapter llama.cpp must refuse: wrong shape or another architecture")
    parser.add_argument("--scale-hint", type=float, default=0.1,
                        help="standard deviation of the random values (default 0.1)")
    options = parser.parse_args(argv)
    targets = tuple(t.strip() for t in options.targets.split(",") if t.strip())
    if not os.path.isfile(options.base):
        parser.exit(2, f"error: no base model file at {options.base}\n")
    try:
        summary = make_adapter(options.base, options.out, rank=options.rank, mode=options.mode, seed=options.seed,
                               alpha=options.alpha, targets=targets, mismatch=options.mismatch,
                               scale_hint=options.scale_hint)
    except (AdapterError, ImportError) as error:
        parser.exit(2, f"error: {error}\n")
    print(f"wrote {summary['path']}: {summary['mode']} LoRA, rank {summary['rank']}, alpha {summary['alpha']:g}, "
          f"{summary['tensors']} tensors ({','.join(summary['targets'])}), architecture {summary['architecture']}"
          + (f", mismatch {summary['mismatch']}" if summary["mismatch"] else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
