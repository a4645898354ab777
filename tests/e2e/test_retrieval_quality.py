"""Search quality, not only search: recall@10 and MRR@10 on the retrieval test set
(tests/data/retrieval) for full text, vectors and hybrid, against floors, so that a change that
makes search faster but worse fails here.

It runs bench/retrieval_eval.py's evaluation on the whole set (402 documents, 150 questions; with
the embedding model indexing takes ~15 s). The home is made as `make run`
makes one: the default chat model, and all-MiniLM-L6-v2 as the embedding model.
"""

import sys
from pathlib import Path

import pytest

from conftest import MODEL_FILE, Home, run_haven, start_server, stop_server
from test_embedding_model import embedding_file

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

from retrieval_eval import MODES, Client, load_test_set, run, table  # noqa: E402

INDEX_TIMEOUT = 600

# Floors: the figures measured on the whole set, less a margin of about 0.05 (seven or eight of the
# 150 questions), so that an embedder or tokenizer update that does not make search worse passes.
# Measured 2026-12-03 (two runs, identical), all-MiniLM-L6-v2 F16 as embedder, 402 documents
# indexed in 13.4 s on the 2-core box:
#   hybrid  recall@10 0.753  MRR@10 0.565  (lexical 1.000/1.000, multi_fact 0.960/0.584, paraphrased 0.300/0.112)
#   text    recall@10 0.660  MRR@10 0.527  (lexical 1.000/1.000, multi_fact 0.920/0.567, paraphrased 0.060/0.014)
#   vector  recall@10 0.727  MRR@10 0.521  (lexical 1.000/1.000, multi_fact 0.700/0.376, paraphrased 0.480/0.188)
# With BF16 matrices (what scripts/setup converts on CPUs with AVX512_BF16), 2026-12-03, indexed in
# 7.7 s: hybrid 0.760/0.568 (paraphrased 0.320/0.114), text the same, vector 0.727/0.521.
FLOORS = {
    "hybrid": {"recall@10": 0.70, "mrr@10": 0.51},
    "text": {"recall@10": 0.61, "mrr@10": 0.47},
    "vector": {"recall@10": 0.67, "mrr@10": 0.47},
}
# Lexical questions name their answer's made-up subject: full text must find nearly all of them.
LEXICAL_TEXT_RECALL_FLOOR = 0.9


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    base = tmp_path_factory.mktemp("retrieval")
    init = run_haven("init", "--home", str(base / "home"), "--model", MODEL_FILE, "--embedding-model",
                     embedding_file(), check=True)
    server = start_server(Home(path=base / "home", token=init.stdout.strip()), base)
    try:
        documents, questions = load_test_set()
        result = run(Client(server.url, server.home.token), documents, questions, INDEX_TIMEOUT,
                     say=lambda line: None)
    finally:
        stop_server(server)
    print(f"\n{result['documents']} documents, {result['questions']} questions, "
          f"indexed in {result['index_seconds']} s\n{table(result)}")
    return result


@pytest.mark.parametrize("mode", MODES)
def test_search_quality_stays_above_its_floors(report, mode):
    figures = report["modes"][mode]["all"]
    for metric, floor in FLOORS[mode].items():
        assert figures[metric] >= floor, (
            f"{mode} {metric} fell to {figures[metric]} (floor {floor}); missed: {report['misses'][mode]}")


def test_full_text_finds_the_subjects_named(report):
    figures = report["modes"]["text"]["lexical"]
    assert figures["recall@10"] >= LEXICAL_TEXT_RECALL_FLOOR, (figures, report["misses"]["text"])


def test_the_modes_are_different_rankers(report):
    # A server that ignored `mode` would give the same answers three times.
    misses = report["misses"]
    assert not (misses["hybrid"] == misses["text"] == misses["vector"]
                and report["modes"]["text"] == report["modes"]["vector"]), report["modes"]


def test_vectors_find_what_full_text_cannot(report):
    # Paraphrased questions share no rare word with their answer: the embedding model finds them.
    paraphrased = {mode: report["modes"][mode]["paraphrased"]["recall@10"] for mode in MODES}
    assert paraphrased["vector"] >= paraphrased["text"] + 0.3, paraphrased
    assert paraphrased["hybrid"] > paraphrased["text"], paraphrased
