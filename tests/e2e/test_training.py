"""Training jobs end to end (issue 16; `make test-training`, which installs PyTorch + PEFT first):
a job on a few hundred lines of a distinctive text written here lowers held-out perplexity, keeps
control perplexity within the bound, and installs the adapter; a cancelled job stops within a
step; a job interrupted by a restart resumes from its checkpoint. Figures are printed and written
to .build/training-report.json for the closing note."""

import json
import os
import random
import subprocess
import time
from pathlib import Path

import pytest
import requests

import conftest as e2e

ROOT = Path(__file__).resolve().parents[2]


def trainer_environment():
    """What `haven serve` needs to find the trainer: the training venv's Python (make
    test-training sets HAVEN_TRAINING_PYTHON), the trainer script and the pinned gguf-py."""
    python = os.environ.get("HAVEN_TRAINING_PYTHON", "")
    if not python or not os.access(python, os.X_OK):
        return None
    llama = os.environ.get("HAVEN_LLAMA_PYTHON") or subprocess.run(
        [str(ROOT / "scripts/path"), "llama-python"], capture_output=True, text=True, check=True).stdout.strip()
    return {"HAVEN_TRAINING_PYTHON": python, "HAVEN_TRAINER_SCRIPT": str(ROOT / "training/train_lora.py"),
            "HAVEN_LLAMA_PYTHON": llama}


TRAINER = trainer_environment()
pytestmark = pytest.mark.skipif(
    TRAINER is None, reason="the training environment is not installed: make test-training installs it and runs these")
REPORT = ROOT / ".build" / "training-report.json"


def journal(lines=360, seed=5):
    """A keeper's log from an invented island: names, places and turns of phrase no model has seen."""
    rng = random.Random(seed)
    keepers = ["Orrin Vale", "Tamsa Quell", "Bexley Marr", "Idony Fenwick"]
    birds = ["skua", "fulmar", "kittiwake", "puffin", "shearwater"]
    winds = ["a brisk sou'wester", "a flat calm", "the Greyhook gale", "a wet northerly", "the Morrow squall"]
    chores = ["trimmed the wick of the great lamp", "wound the clockwork of the lens", "scraped salt from the gallery",
              "mended the net at Cobble Cove", "carried oil up the hundred and nine steps"]
    text = []
    for day in range(1, lines + 1):
        keeper, bird, wind, chore = (rng.choice(keepers), rng.choice(birds), rng.choice(winds), rng.choice(chores))
        text.append(f"Day {day} on Skerrow Isle. {keeper} kept the Skerrow light through {wind}; "
                    f"{rng.randint(2, 40)} {bird}s roosted on the Weeping Stack, and the keeper {chore}.")
        if day % 3 == 0:
            text.append("")
    return "\n".join(text)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    base = tmp_path_factory.mktemp("training")
    home = e2e.make_home(base / "home")
    server = e2e.start_server(home, base, env=TRAINER)
    put = requests.put(server.url + "/data/journal/skerrow.txt", data=journal().encode(),
                       headers={**e2e.bearer(home.token), "Content-Type": "text/plain"}, timeout=60)
    assert put.status_code == 201, put.text
    yield server
    e2e.stop_server(server)


def start(server, name, steps):
    response = requests.post(server.url + "/haven/jobs", headers=e2e.bearer(server.home.token), timeout=300,
                             json={"name": name, "base": e2e.MODEL, "data": ["/journal/"], "steps": steps, "rank": 8})
    assert response.status_code == 201, response.text
    return response.json()


def job(server, id):
    response = requests.get(server.url + f"/haven/jobs/{id}", headers=e2e.bearer(server.home.token), timeout=30)
    assert response.status_code == 200, response.text
    return response.json()


def wait(server, id, until, timeout):
    deadline = time.monotonic() + timeout
    while True:
        current = job(server, id)
        if until(current):
            return current
        assert time.monotonic() < deadline, f"job did not get there in {timeout} s: {current}"
        time.sleep(0.5)


def report(key, value):
    figures = json.loads(REPORT.read_text()) if REPORT.exists() else {}
    figures[key] = value
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(json.dumps(figures, indent=2))
    print(f"\n{key}: {json.dumps(value)}")


def test_a_job_lowers_held_out_perplexity_keeps_control_and_installs_the_adapter(world):
    started = time.monotonic()
    queued = start(world, "skerrow", steps=int(os.environ.get("HAVEN_TRAINING_STEPS", "80")))
    assert queued["state"] == "queued" and queued["held_out_passages"] >= 1
    done = wait(world, queued["id"], lambda j: j["state"] in ("done", "failed", "cancelled"), timeout=3600)
    assert done["state"] == "done", done
    evaluation = done["result"]["evaluation"]
    base = next(e for e in evaluation if e["scale"] == 0)
    chosen = next(e for e in evaluation if e["scale"] == done["result"]["chosen_scale"])
    report("job", {"steps": done["steps"], "seconds": round(time.monotonic() - started), "evaluation": evaluation,
                   "chosen_scale": done["result"]["chosen_scale"], "message": done["message"]})
    assert chosen["held_out"] < base["held_out"] * 0.99
    assert chosen["control"] <= base["control"] * 1.10
    assert done["installed"] is True
    shown = requests.get(world.url + "/haven/models/skerrow", headers=e2e.bearer(world.home.token), timeout=30).json()
    assert shown["adapter"]["base"] == e2e.MODEL
    assert shown["adapter"]["training"]["data"] == ["/journal/"]
    assert shown["adapter"]["training"]["steps"] == done["steps"]
    chat = requests.post(world.url + "/v1/chat/completions", headers=e2e.bearer(world.home.token), timeout=300,
                         json={"model": "skerrow", "messages": [{"role": "user", "content": "Day 12 on Skerrow Isle."}],
                               "max_tokens": 24, "temperature": 0})
    assert chat.status_code == 200, chat.text
    logs = requests.get(world.url + f"/haven/jobs/{done['id']}/logs", headers=e2e.bearer(world.home.token), timeout=30)
    assert '"event": "done"' in logs.text or '"event":"done"' in logs.text


def seconds_per_step(server, id):
    logs = requests.get(server.url + f"/haven/jobs/{id}/logs", headers=e2e.bearer(server.home.token), timeout=30).text
    values = [json.loads(line)["seconds_per_step"] for line in logs.splitlines()
              if line.startswith("{") and '"step"' in line and "seconds_per_step" in line]
    return max(values) if values else None


def test_a_cancelled_job_stops_within_a_step(world):
    queued = start(world, "cancelled", steps=400)
    running = wait(world, queued["id"], lambda j: j["step"] >= 3, timeout=900)
    step_time = seconds_per_step(world, queued["id"])
    asked = time.monotonic()
    cancel = requests.post(world.url + f"/haven/jobs/{queued['id']}/cancel", headers=e2e.bearer(world.home.token), timeout=30)
    assert cancel.status_code == 200 and cancel.json()["state"] in ("cancelling", "cancelled")
    stopped = wait(world, queued["id"], lambda j: j["state"] in ("cancelled", "failed", "done"), timeout=300)
    latency = time.monotonic() - asked
    report("cancel", {"seconds_per_step": step_time, "cancel_seconds": round(latency, 2), "at_step": stopped["step"]})
    assert stopped["state"] == "cancelled", stopped
    assert stopped["step"] < 400 and stopped["step"] >= running["step"]
    # Within a step (the trainer finishes the step it is in, then checkpoints), plus polling slack.
    assert latency <= 2 * step_time + 15, (latency, step_time)
    assert e2e.MODEL and "cancelled" not in {m["name"] for m in requests.get(
        world.url + "/haven/models", headers=e2e.bearer(world.home.token), timeout=30).json()["models"]}


def test_a_job_interrupted_by_a_restart_resumes_from_its_checkpoint(world, tmp_path):
    queued = start(world, "resumed", steps=400)
    # The trainer checkpoints every min(25, steps / 4) steps: wait for the first one.
    wait(world, queued["id"], lambda j: j["step"] >= 27, timeout=1800)
    e2e.stop_server(world)
    restarted = e2e.start_server(world.home, tmp_path, env=TRAINER)
    try:
        def starts():
            logs = requests.get(restarted.url + f"/haven/jobs/{queued['id']}/logs",
                                headers=e2e.bearer(restarted.home.token), timeout=30).text
            return [json.loads(line) for line in logs.splitlines() if line.startswith("{") and '"started"' in line]

        # The first run stopped with a checkpoint when the server did; the restarted server
        # starts the trainer again, which says where it resumed from once the model is loaded.
        deadline = time.monotonic() + 600
        while len(starts()) < 2:
            assert time.monotonic() < deadline, f"the job did not resume: {job(restarted, queued['id'])}"
            time.sleep(1)
        resumed_from = starts()[-1]["resumed_from"]
        assert resumed_from >= 25, starts()
        advanced = wait(restarted, queued["id"], lambda j: j["step"] > resumed_from, timeout=600)
        assert advanced["state"] == "running"
        report("resume", {"resumed_from": resumed_from})
        cancel = requests.post(restarted.url + f"/haven/jobs/{queued['id']}/cancel",
                               headers=e2e.bearer(restarted.home.token), timeout=30)
        assert cancel.status_code == 200
        wait(restarted, queued["id"], lambda j: j["state"] == "cancelled", timeout=300)
    finally:
        e2e.stop_server(restarted)
