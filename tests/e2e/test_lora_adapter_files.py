"""The adapter files that tests/e2e/lora_adapter.py writes, checked against llama.cpp itself
(llama-server from the same pinned source, `--lora`), independently of Haven: their layout, a
zero adapter leaving greedy output (and its logprobs) exactly as the base's, a random one changing
it, and mismatched ones refused at load with llama.cpp's own messages."""

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from conftest import MODEL_FILE, free_port
from lora_adapter import make_adapter
from upstream_helpers import LLAMA_SERVER

PROMPTS = ["The capital of France is", "Once upon a time, in a small village,"]


def completions(tmp_path, adapter=None, scale=1.0):
    """Starts llama-server (with the adapter at `scale`, if any), returns each prompt's greedy
    completion with its top-3 logprobs; or, when it exits at load, (None, its log)."""
    assert LLAMA_SERVER and Path(LLAMA_SERVER).is_file(), "set HAVEN_LLAMA_SERVER (scripts/e2e sets it)"
    port = free_port()
    log_path = tmp_path / f"llama-server-{port}.log"
    args = [LLAMA_SERVER, "-m", MODEL_FILE, "--host", "127.0.0.1", "--port", str(port), "-c", "512", "-np", "1",
            "-t", "2"]
    if adapter:
        args += ["--lora-scaled", f"{adapter}:{scale}"]
    with open(log_path, "w") as log:
        process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while True:
            if process.poll() is not None:
                return None, log_path.read_text()
            try:
                if requests.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            assert time.monotonic() < deadline, f"llama-server not ready in 120 s:\n{log_path.read_text()}"
            time.sleep(0.1)
        results = []
        for prompt in PROMPTS:
            response = requests.post(f"http://127.0.0.1:{port}/completion", timeout=120, json={
                "prompt": prompt, "n_predict": 16, "temperature": 0, "seed": 42, "cache_prompt": False, "n_probs": 3})
            response.raise_for_status()
            body = response.json()
            results.append((body["content"], json.dumps(body["completion_probabilities"], sort_keys=True)))
        return results, log_path.read_text()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=30)


def test_layout_matches_what_llama_cpp_loads(tmp_path):
    import gguf

    path = tmp_path / "zero.gguf"
    summary = make_adapter(MODEL_FILE, path, rank=4, mode="zero", targets=("attn_q", "attn_v"))
    reader = gguf.GGUFReader(str(path))
    assert reader.fields["general.type"].contents() == "adapter"
    assert reader.fields["adapter.type"].contents() == "lora"
    assert reader.fields["adapter.lora.alpha"].contents() == 4.0
    base = gguf.GGUFReader(MODEL_FILE)
    assert reader.fields["general.architecture"].contents() == base.fields["general.architecture"].contents()
    base_dims = {t.name: [int(d) for d in t.shape] for t in base.tensors}
    tensors = {t.name: t for t in reader.tensors}
    assert len(tensors) == summary["tensors"] > 0
    for name, tensor in tensors.items():
        target, part = name.rsplit(".", 1)
        n_in, n_out = base_dims[target]
        assert tensor.tensor_type == gguf.GGMLQuantizationType.F32
        # gguf dims, innermost first: lora_a [n_in, r], lora_b [r, n_out]
        assert [int(d) for d in tensor.shape] == ([n_in, 4] if part == "lora_a" else [4, n_out])
        if part == "lora_b":
            assert not tensor.data.any()


def test_zero_adapter_is_the_base_and_a_random_one_is_not(tmp_path):
    zero, random = tmp_path / "zero.gguf", tmp_path / "random.gguf"
    make_adapter(MODEL_FILE, zero, mode="zero")
    make_adapter(MODEL_FILE, random, mode="random", seed=1)
    base, _ = completions(tmp_path)
    assert base and all(text for text, _ in base)
    with_zero, log = completions(tmp_path, zero, scale=4.0)
    assert with_zero == base, f"zero adapter changed the output:\n{log[-2000:]}"
    with_random, log = completions(tmp_path, random)
    assert with_random is not None, log[-2000:]
    assert [text for text, _ in with_random] != [text for text, _ in base]


@pytest.mark.parametrize("mismatch,message", [
    ("shape", "has incorrect shape (hint: maybe wrong base model?)"),
    ("architecture", "model arch and LoRA arch mismatch"),
])
def test_mismatched_adapter_is_refused_by_llama_cpp(tmp_path, mismatch, message):
    path = tmp_path / f"{mismatch}.gguf"
    make_adapter(MODEL_FILE, path, mode="random", mismatch=mismatch)
    results, log = completions(tmp_path, path)
    assert results is None, "llama-server accepted a mismatched adapter"
    assert message in log, log[-2000:]


def test_cli_writes_an_adapter_and_refuses_unknown_targets(tmp_path):
    script = str(Path(__file__).with_name("lora_adapter.py"))
    out = tmp_path / "cli.gguf"
    done = subprocess.run([sys.executable, script, MODEL_FILE, str(out), "--mode", "random", "--rank", "2"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert out.is_file() and "random LoRA, rank 2" in done.stdout
    bad = subprocess.run([sys.executable, script, MODEL_FILE, str(tmp_path / "bad.gguf"), "--targets", "nonsense"],
                         capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and "no tensors blk.N.<nonsense>.weight" in bad.stderr
    assert not (tmp_path / "bad.gguf").exists()
