"""LoRA adapters served as models of their own (issue 16): installed with `haven model add-adapter`
or a Modelfile's ADAPTER line, checked against the base, used through every API with the `infer`
right on their own name, each on its own context so concurrent chats through two adapters and the
base give what each gives alone; and the `train` right that a training job over the owner's data
needs (a dry run shows what a job would learn from, without PyTorch)."""

import concurrent.futures
import json
import os

import openai
import ollama
import pytest
import requests

from conftest import (MODEL, MODEL_FILE, assert_json_error, assert_one_line_error, bearer, create_app_token,
                      make_home, new_audit_entries, last_audit_sequence, run_haven, start_server, stop_server)
from lora_adapter import make_adapter


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    base = tmp_path_factory.mktemp("adapters")
    home = make_home(base / "home")
    server = start_server(home, base)
    files = base / "adapters"
    files.mkdir()
    adapters = {
        "zero": make_adapter(MODEL_FILE, str(files / "zero.gguf"), mode="zero", seed=1),
        "alpha": make_adapter(MODEL_FILE, str(files / "alpha.gguf"), mode="random", seed=1),
        "beta": make_adapter(MODEL_FILE, str(files / "beta.gguf"), mode="random", seed=2),
        "shape": make_adapter(MODEL_FILE, str(files / "shape.gguf"), mode="random", mismatch="shape"),
        "arch": make_adapter(MODEL_FILE, str(files / "arch.gguf"), mode="random", mismatch="architecture"),
    }
    server.adapter_files = {name: str(files / f"{name}.gguf") for name in adapters}
    for name in ("zero", "alpha", "beta"):
        added = run_haven("model", "add-adapter", server.adapter_files[name], "--base", MODEL, "--name", f"{name}-lora",
                          env=env(server))
        assert added.returncode == 0, added.stderr
        assert added.stdout.strip() == f"{name}-lora"
    yield server
    stop_server(server)


def env(server):
    return {"HAVEN_HOME": str(server.home.path), "HAVEN_PORT": str(server.port)}


def chat(server, model, prompt, token=None, max_tokens=24, seed=7, temperature=0.0, logprobs=False):
    client = openai.OpenAI(base_url=server.url + "/v1", api_key=token or server.home.token, timeout=300)
    answer = client.chat.completions.create(
        model=model, messages=[{"role": "user", "content": prompt}], max_tokens=max_tokens, temperature=temperature,
        seed=seed, logprobs=logprobs or None, top_logprobs=3 if logprobs else None)
    choice = answer.choices[0]
    if logprobs:
        return choice.message.content, [(t.token, t.logprob) for t in choice.logprobs.content]
    return choice.message.content


def models_dir(server):
    return server.home.path / "models"


def test_adapters_are_listed_as_models_with_their_base(world):
    listed = {m.id for m in openai.OpenAI(base_url=world.url + "/v1", api_key=world.home.token).models.list()}
    assert {MODEL, "zero-lora", "alpha-lora", "beta-lora"} <= listed
    tags = {m["name"]: m for m in requests.get(world.url + "/api/tags", headers=bearer(world.home.token),
                                               timeout=30).json()["models"]}
    assert tags["alpha-lora"]["details"]["parent_model"] == MODEL
    table = run_haven("model", "list", env=env(world))
    assert table.returncode == 0, table.stderr
    line = next(row for row in table.stdout.splitlines() if row.startswith("alpha-lora"))
    assert f"adapter on {MODEL}" in line
    shown = json.loads(run_haven("model", "show", "alpha-lora", env=env(world), check=True).stdout)
    assert shown["adapter"]["base"] == MODEL and shown["adapter"]["scale"] == 1
    assert shown["adapter"]["rank"] == 4 and shown["adapter"]["file"] == "alpha-lora.lora.gguf"
    assert (models_dir(world) / "alpha-lora.lora.gguf").is_file()
    show = requests.post(world.url + "/api/show", json={"model": "alpha-lora"}, headers=bearer(world.home.token), timeout=30)
    assert show.status_code == 200
    assert f"FROM {MODEL}\nADAPTER " in show.json()["modelfile"]


def test_a_zero_adapter_gives_exactly_the_base_models_output_and_a_random_one_changes_it(world):
    prompt = "Write one sentence about a lighthouse."
    base_text, base_logprobs = chat(world, MODEL, prompt, logprobs=True)
    zero_text, zero_logprobs = chat(world, "zero-lora", prompt, logprobs=True)
    assert zero_text == base_text
    assert zero_logprobs == base_logprobs
    assert chat(world, "alpha-lora", prompt) != base_text
    assert chat(world, "alpha-lora", prompt) != chat(world, "beta-lora", prompt)


def test_two_adapters_and_the_base_at_once_each_give_what_they_give_alone(world):
    prompts = {MODEL: "Name three rivers.", "alpha-lora": "Describe a quiet morning.", "beta-lora": "Give advice on tea."}
    # One chat on each engine at a time: within one engine, a batch of several sequences is computed
    # with other kernels than a batch of one, so only separate engines can promise equal tokens.
    jobs = [(model, prompt, 3) for model, prompt in prompts.items()]
    alone = {job: chat(world, job[0], job[1], seed=job[2], temperature=0.8, max_tokens=32) for job in jobs}
    with concurrent.futures.ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        together = dict(zip(jobs, pool.map(
            lambda job: chat(world, job[0], job[1], seed=job[2], temperature=0.8, max_tokens=32), jobs)))
    assert together == alone
    # The three engines are loaded: the base's and one per adapter, sharing the base's weights.
    running = requests.get(world.url + "/api/ps", headers=bearer(world.home.token), timeout=30).json()["models"]
    assert {MODEL, "alpha-lora", "beta-lora"} <= {m["name"] for m in running}


def test_a_mismatched_adapter_or_a_model_file_is_refused_and_nothing_is_installed(world):
    before = sorted(p.name for p in models_dir(world).iterdir())
    shape = run_haven("model", "add-adapter", world.adapter_files["shape"], "--base", MODEL, "--name", "bad-shape",
                      env=env(world))
    assert_one_line_error(shape, "blk.0.attn_q.weight", "another base model")
    arch = run_haven("model", "add-adapter", world.adapter_files["arch"], "--base", MODEL, "--name", "bad-arch",
                     env=env(world))
    assert_one_line_error(arch, "architecture 'qwen2'", "'llama'")
    weights = requests.post(world.url + "/haven/models", headers=bearer(world.home.token), timeout=30,
                            json={"path": MODEL_FILE, "base": MODEL, "name": "not-an-adapter"})
    error = assert_json_error(weights, 400, "invalid_adapter")
    assert "not a LoRA adapter" in error["message"]
    scale = requests.post(world.url + "/haven/models", headers=bearer(world.home.token), timeout=30,
                          json={"path": world.adapter_files["alpha"], "base": MODEL, "name": "too-strong", "scale": 9})
    assert_json_error(scale, 400, "invalid_adapter")
    taken = requests.post(world.url + "/haven/models", headers=bearer(world.home.token), timeout=30,
                          json={"path": world.adapter_files["alpha"], "base": MODEL, "name": "alpha-lora"})
    assert taken.status_code == 409
    assert sorted(p.name for p in models_dir(world).iterdir()) == before
    names = {m["name"] for m in requests.get(world.url + "/haven/models", headers=bearer(world.home.token),
                                                timeout=30).json()["models"]}
    assert not names & {"bad-shape", "bad-arch", "not-an-adapter", "too-strong"}


def test_an_adapter_needs_the_infer_right_on_its_own_name(world):
    token = create_app_token(world, "dora")
    run_haven("grant", "add", "--to", "app:dora", "--rights", "infer", "--model", MODEL, env=env(world), check=True)
    assert chat(world, MODEL, "Say hello.", token=token, max_tokens=4)
    since = last_audit_sequence(world)
    with pytest.raises(openai.PermissionDeniedError) as refused:
        chat(world, "alpha-lora", "Say hello.", token=token, max_tokens=4)
    assert "no 'infer' right on model 'alpha-lora'" in str(refused.value)
    denied = [e for e in new_audit_entries(world, since) if e["action"] == "infer"]
    assert denied and denied[-1]["resource"] == "models/alpha-lora" and not denied[-1]["allowed"]
    visible = {m.id for m in openai.OpenAI(base_url=world.url + "/v1", api_key=token).models.list()}
    assert "alpha-lora" not in visible
    run_haven("grant", "add", "--to", "app:dora", "--rights", "infer", "--model", "alpha-lora", env=env(world), check=True)
    assert chat(world, "alpha-lora", "Say hello.", token=token, max_tokens=4) == chat(world, "alpha-lora", "Say hello.",
                                                                                          max_tokens=4)


def test_ollama_create_with_an_adapter_line_then_delete(world):
    client = ollama.Client(host=world.url, headers=bearer(world.home.token))
    modelfile = f"FROM {MODEL}\nADAPTER {world.adapter_files['beta']}\nSYSTEM You answer briefly."
    made = requests.post(world.url + "/api/create", headers=bearer(world.home.token), timeout=60,
                         json={"model": "beta-brief", "modelfile": modelfile, "stream": False})
    assert made.status_code == 200, made.text
    answer = client.chat(model="beta-brief", messages=[{"role": "user", "content": "Hi"}],
                         options={"temperature": 0, "num_predict": 8})
    assert answer.message.content
    # A model made from an adapter model keeps the adapter; the adapter cannot go before it.
    assert client.create(model="beta-brief-copy", from_="beta-brief", system="Be kind.").status == "success"
    with pytest.raises(ollama.ResponseError) as in_use:
        client.delete("beta-brief")
    assert in_use.value.status_code == 409
    assert client.delete("beta-brief-copy").status == "success"
    assert client.delete("beta-brief").status == "success"
    assert not (models_dir(world) / "beta-brief.lora.gguf").exists()
    # The base stays while adapters are installed on it.
    with pytest.raises(ollama.ResponseError) as base_in_use:
        client.delete(MODEL)
    assert base_in_use.value.status_code == 409


def test_an_agent_may_run_on_an_adapter(world, tmp_path):
    agent = tmp_path / "tuned.toml"
    agent.write_text('name = "tuned"\ndescription = "On an adapter."\ninstructions = "Answer briefly."\n'
                     'model = "alpha-lora"\ntools = []\nmax_steps = 1\n')
    added = run_haven("agent", "add", str(agent), env=env(world))
    assert added.returncode == 0, added.stderr
    response = requests.post(world.url + "/haven/agents/tuned/chat", json={"message": "Hello"},
                             headers=bearer(world.home.token), timeout=300)
    assert response.status_code == 200, response.text
    assert response.json()["answer"]


NOTES = "\n\n".join(
    f"Day {day}. The zorbling orchard on Quillmere Hill gave {day * 3} baskets of violet plums; "
    f"Aunt Pemberly counted them twice and wrote the figure in the green ledger." for day in range(1, 60))


def test_a_training_job_needs_the_train_right_on_every_path(world):
    owner = bearer(world.home.token)
    for path, body in (("/notes/orchard.md", NOTES), ("/private/diary.txt", "Secret thoughts.\n\n" * 40)):
        put = requests.put(world.url + "/data" + path, data=body.encode(), headers={**owner, "Content-Type": "text/plain"},
                           timeout=60)
        assert put.status_code == 201, put.text
    transcript = {"messages": [{"role": "user", "content": "Where is the orchard?"},
                               {"role": "assistant", "content": "On Quillmere Hill."}]}
    requests.put(world.url + "/data/notes/chat.json", data=json.dumps(transcript).encode(),
                 headers={**owner, "Content-Type": "application/json"}, timeout=60).raise_for_status()
    request = {"name": "orchard", "base": MODEL, "data": ["/notes/"], "dry_run": True}

    plan = requests.post(world.url + "/haven/jobs", json=request, headers=owner, timeout=120)
    assert plan.status_code == 200, plan.text
    assert plan.json()["sources"] == ["/notes/chat.json", "/notes/orchard.md"]
    assert plan.json()["train_passages"] > plan.json()["held_out_passages"] >= 1
    cli = run_haven("train", "orchard", "--base", MODEL, "--data", "/notes/", "--dry-run", env=env(world))
    assert cli.returncode == 0, cli.stderr
    assert "  /notes/orchard.md" in cli.stdout
    assert f"{plan.json()['train_passages']} passages to train on, {plan.json()['held_out_passages']} held out." in cli.stdout

    token = create_app_token(world, "trainer-app")
    run_haven("grant", "add", "--to", "app:trainer-app", "--rights", "infer", "--model", MODEL, env=env(world), check=True)
    since = last_audit_sequence(world)
    refused = requests.post(world.url + "/haven/jobs", json=request, headers=bearer(token), timeout=60)
    assert_json_error(refused, 403, "access_denied")
    entries = [e for e in new_audit_entries(world, since) if e["action"] == "train"]
    assert entries and entries[-1]["resource"] == "/notes/" and not entries[-1]["allowed"]

    run_haven("grant", "add", "--to", "app:trainer-app", "--rights", "train", "--path", "/notes/", env=env(world),
              check=True)
    granted = requests.post(world.url + "/haven/jobs", json=request, headers=bearer(token), timeout=120)
    assert granted.status_code == 200, granted.text
    assert granted.json()["sources"] == plan.json()["sources"]
    # The grant covers /notes/ only: asking for the diary too refuses the whole job.
    wider = requests.post(world.url + "/haven/jobs", json={**request, "data": ["/notes/", "/private/"]},
                          headers=bearer(token), timeout=60)
    assert_json_error(wider, 403, "access_denied")
    listed = requests.get(world.url + "/haven/jobs", headers=bearer(token), timeout=30)
    assert listed.status_code == 200 and listed.json()["jobs"] == []


def test_bad_training_requests_are_refused_clearly(world):
    owner = bearer(world.home.token)
    cases = [
        ({"name": "x", "base": "ghost", "data": ["/notes/"]}, 404, "model_not_found"),
        ({"name": "Bad Name", "base": MODEL, "data": ["/notes/"]}, 400, "invalid_request"),
        ({"name": "x", "base": MODEL, "data": []}, 400, "invalid_job"),
        ({"name": "x", "base": MODEL, "data": ["/notes/"], "steps": 0}, 400, "invalid_job"),
        ({"name": "x", "base": MODEL, "data": ["/notes/"], "rank": 1000}, 400, "invalid_job"),
        ({"name": "alpha-lora", "base": MODEL, "data": ["/notes/"]}, 409, "model_name_taken"),
        ({"name": "x", "base": MODEL, "data": ["/nothing-here.txt"]}, 404, "not_found"),
    ]
    for body, status, code in cases:
        assert_json_error(requests.post(world.url + "/haven/jobs", json=body, headers=owner, timeout=60), status, code)
    describe = requests.post(world.url + "/haven/jobs", json={"type": "describe", "model": MODEL, "data": ["/photos/"]},
                             headers=owner, timeout=60)
    assert "vision model" in assert_json_error(describe, 409, "no_vision_model")["message"]
    missing = requests.get(world.url + "/haven/jobs/job-nope", headers=owner, timeout=30)
    assert_json_error(missing, 404, "job_not_found")
    if not os.environ.get("HAVEN_TRAINING_PYTHON"):
        # Without PyTorch a real start says how to install it, and queues nothing.
        start = requests.post(world.url + "/haven/jobs", json={"name": "y", "base": MODEL, "data": ["/notes/"]},
                              headers=owner, timeout=120)
        error = assert_json_error(start, 503, "trainer_not_installed")
        assert "scripts/setup training" in error["message"]
        assert requests.get(world.url + "/haven/jobs", headers=owner, timeout=30).json()["jobs"] == []
