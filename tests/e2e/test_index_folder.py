"""A whole folder indexed (issue 17): files stored in one go (1,000 here; `scripts/bench folder` runs
the same with 10,000 on the release build) are indexed by the default
embedding model with progress a client can follow (`GET /haven/index`, `haven index status`),
the server is killed half-way (SIGKILL: no clean shutdown) and, restarted, goes on from where it
was — nothing indexed before is done again — until every file is found by search. A chat asked
while the folder is being indexed is answered before the indexing ends: indexing yields to it."""

import concurrent.futures
import os
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest
import requests

from conftest import MODEL, MODEL_FILE, Home, bearer, run_haven, start_server, stop_server

ROOT = Path(__file__).resolve().parents[2]
FILES = int(os.environ.get("HAVEN_FOLDER_FILES", "1000"))
ANIMALS = ["otter", "heron", "badger", "lynx", "marten", "osprey", "vole", "stoat", "curlew", "plover"]
PLACES = ["harbour", "orchard", "ferry", "lighthouse", "meadow", "quarry", "mill", "chapel", "bridge", "market"]


def embedding_file():
    path = os.environ.get("HAVEN_EMBEDDING_MODEL_FILE") or subprocess.run(
        [str(ROOT / "scripts/path"), "embedding-model"], capture_output=True, text=True, check=True).stdout.strip()
    assert Path(path).is_file(), f"no embedding model at {path}; run scripts/setup test"
    return path


def code(index):
    """A word of its own for each file, so search can find every one by it."""
    letters = "bcdfghjklmnpqrstvwxz"
    word = ""
    value = index + 20 * 20 * 20
    while value:
        value, digit = divmod(value, len(letters))
        word += letters[digit]
    return "ref" + word


def note(index):
    return (f"Field note {index}: a {ANIMALS[index % 10]} was seen near the {PLACES[index // 10 % 10]} "
            f"at dawn, logged under {code(index)} in the survey book.")


def path_of(index):
    return f"/archive/{index // 500:02d}/note-{index:05d}.txt"


def progress(server):
    response = requests.get(server.url + "/haven/index", headers=bearer(server.home.token), timeout=30)
    assert response.status_code == 200, response.text
    return response.json()


def store_folder(server):
    local = threading.local()

    def put(index):
        session = getattr(local, "session", None) or requests.Session()
        local.session = session
        response = session.put(server.url + "/data" + path_of(index), data=note(index).encode(), timeout=60,
                               headers={**bearer(server.home.token), "Content-Type": "text/plain"})
        assert response.status_code == 201, response.text

    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(put, range(FILES)))


def search_paths(server, query, k=3):
    response = requests.get(server.url + "/haven/search", params={"q": query, "k": k},
                            headers=bearer(server.home.token), timeout=60)
    assert response.status_code == 200, response.text
    return [hit["path"] for hit in response.json()["hits"]]


def test_a_folder_is_indexed_with_progress_resumes_after_a_kill_and_yields_to_a_chat(tmp_path):
    init = run_haven("init", "--home", str(tmp_path / "home"), "--model", MODEL_FILE, "--embedding-model",
                     embedding_file(), check=True)
    home = Home(path=tmp_path / "home", token=init.stdout.strip())
    server = start_server(home, tmp_path)
    try:
        began = time.monotonic()
        store_folder(server)
        stored = time.monotonic() - began

        # Progress: files waiting fall and files indexed rise, and they always add up.
        samples = [progress(server)]
        deadline = time.monotonic() + 600
        while samples[-1]["indexed"] < FILES * 3 // 10:
            assert time.monotonic() < deadline, f"indexing did not reach 30 % in 600 s: {samples[-1]}"
            time.sleep(0.2)
            samples.append(progress(server))
        for before, after in zip(samples, samples[1:]):
            assert after["indexed"] >= before["indexed"] and after["passages"] >= before["passages"], (before, after)
        assert all(s["indexed"] + s["pending"] >= FILES for s in samples), samples[-3:]
        assert samples[-1]["pending"] > 0, "the folder was indexed before the test could stop it half-way"

        # A chat while the folder is being indexed is answered while files still wait.
        chat = requests.post(server.url + "/v1/chat/completions", headers=bearer(home.token), timeout=300,
                             json={"model": MODEL, "messages": [{"role": "user", "content": "Say hello."}],
                                   "max_tokens": 8})
        assert chat.status_code == 200, chat.text
        assert chat.json()["choices"][0]["message"]["content"]
        during = progress(server)
        assert during["pending"] > 0, f"the chat waited for the whole folder to be indexed: {during}"

        # Killed half-way: no clean shutdown, no saved vector index.
        server.process.send_signal(signal.SIGKILL)
        server.process.wait(timeout=30)
        killed_at = progress_of_killed = during["indexed"]
        server = start_server(home, tmp_path)
        resumed = progress(server)
        assert resumed["indexed"] >= killed_at, (resumed, killed_at)
        assert resumed["indexed"] + resumed["pending"] >= FILES, resumed
        assert resumed["indexed"] < FILES, "nothing was left to resume"

        # `haven index status --wait` follows it to the end.
        status = run_haven("index", "status", "--wait", timeout=900,
                           env={"HAVEN_HOME": str(home.path), "HAVEN_PORT": str(server.port)})
        total = time.monotonic() - began
        assert status.returncode == 0, status.stderr
        assert f"{FILES} files indexed ({FILES} passages), 0 skipped, 0 failed, 0 waiting" in status.stdout, status.stdout
        finished = progress(server)
        assert finished["indexed"] == FILES and finished["failed"] == 0, finished
        assert finished["passages"] == FILES, finished  # one short note, one passage: none twice

        # Every part of the folder is found: files indexed before the kill, and after it.
        for index in [0, 1, progress_of_killed // 2, FILES // 2, FILES - 2, FILES - 1]:
            assert search_paths(server, code(index))[0] == path_of(index), index
        # And by meaning, through the vectors.
        assert search_paths(server, f"which {ANIMALS[3]} near the {PLACES[4]}", k=10)
        indexing = total - stored
        print(f"\n{FILES} files stored in {stored:.0f} s ({FILES / stored:.0f} files/s); indexed, with a kill and a "
              f"restart, in {indexing:.0f} s ({FILES / indexing:.1f} files/s, one passage each)")
    finally:
        stop_server(server)
