"""Models on an upstream engine: llama-server (built from Haven's own pinned llama.cpp source) as an
OpenAI-compatible upstream, and the clients people already use (the openai and ollama packages)
talking to Haven, which serves the upstream's models as its own under its rights, metrics and
error shapes, never showing a client the upstream's key."""

import json
import signal
import subprocess
import threading
import time

import anthropic
import jsonschema
import ollama
import openai
import pytest
import requests

from conftest import (MODEL, Home, assert_json_error, audit_entries, bearer, make_home, run_haven, start_server,
                      stop_server)
from proxy import FakeServer
from upstream_helpers import LlamaServer, add_upstream, key_file

UPSTREAM_MODEL = "smollm2-upstream"
EMBED_MODEL = "smollm2-embed"
KEY = "sk-upstream-secret-4711"
CITY_SCHEMA = {"type": "object", "properties": {"name": {"type": "string", "maxLength": 20}},
               "required": ["name"], "additionalProperties": False}


@pytest.fixture(scope="module")
def upstreams(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("upstreams")
    chat = LlamaServer(tmp, UPSTREAM_MODEL, api_key=KEY)
    embed = LlamaServer(tmp, EMBED_MODEL, embeddings=True, slots=1)
    yield {"chat": chat, "embed": embed, "tmp": tmp}
    chat.kill()
    embed.kill()


@pytest.fixture(scope="module")
def recorder(upstreams):
    """A fake upstream that records what Haven sends it and answers with llama-server's answer."""
    seen = []

    def answer(method, target, headers, body):
        seen.append({"target": target, "authorization": headers.get("Authorization"), "body": json.loads(body or b"{}")})
        forwarded = requests.post(upstreams["chat"].url + target.removeprefix("/v1"), data=body, timeout=120,
                                  headers={"Content-Type": "application/json", "Authorization": f"Bearer {KEY}"})
        return forwarded.status_code, {"Content-Type": forwarded.headers["Content-Type"]}, forwarded.content

    with FakeServer(answer) as server:
        server.seen = seen
        yield server


@pytest.fixture(scope="module")
def busy():
    """A fake upstream that is always busy."""
    def answer(method, target, headers, body):
        return 429, {"Content-Type": "application/json", "Retry-After": "17"}, b'{"error":{"message":"slow down"}}'

    with FakeServer(answer) as server:
        yield server


def sse(*chunks):
    return b"".join(b"data: " + json.dumps(chunk).encode() + b"\n\n" for chunk in chunks) + b"data: [DONE]\n\n"


@pytest.fixture(scope="module")
def scripted():
    """A fake upstream that streams one tool call, as vLLM streams them, and records the bodies."""
    seen = []
    call = [{"index": 0, "id": "call_upstream_1", "type": "function", "function": {"name": "get_weather", "arguments": ""}}]
    answer_chunks = [
        {"choices": [{"index": 0, "delta": {"role": "assistant", "tool_calls": call}, "finish_reason": None}]},
        {"choices": [{"index": 0, "delta": {"tool_calls": [{"index": 0, "function": {"arguments": "{\"city\": "}}]}}]},
        {"choices": [{"index": 0, "delta": {"tool_calls": [{"index": 0, "function": {"arguments": "\"Paris\"}"}}]}}]},
        {"choices": [{"index": 0, "delta": {}, "finish_reason": "tool_calls"}]},
        {"choices": [], "usage": {"prompt_tokens": 21, "completion_tokens": 9, "total_tokens": 30}},
    ]

    def answer(method, target, headers, body):
        seen.append(json.loads(body or b"{}"))
        return 200, {"Content-Type": "text/event-stream"}, sse(*answer_chunks)

    with FakeServer(answer) as server:
        server.seen = seen
        yield server


@pytest.fixture(scope="module")
def stalled():
    """A fake upstream that takes far longer than its timeout to answer."""
    release = threading.Event()

    def answer(method, target, headers, body):
        release.wait(60)
        return 503, {"Content-Type": "application/json"}, b'{"error":{"message":"too late"}}'

    with FakeServer(answer) as server:
        yield server
        release.set()


@pytest.fixture(scope="module")
def server(upstreams, recorder, busy, stalled, scripted, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("upstream-haven")
    home = make_home(tmp / "home")
    keys = tmp / "keys"
    keys.mkdir()
    add_upstream(home, "gpu", upstreams["chat"].url, [UPSTREAM_MODEL], key_file(keys / "gpu.key", KEY))
    add_upstream(home, "embedder", upstreams["embed"].url, [EMBED_MODEL])
    add_upstream(home, "recorded", recorder.url + "/v1", ["smollm2-recorded"], key_file(keys / "recorded.key", KEY))
    add_upstream(home, "wrongkey", upstreams["chat"].url, ["smollm2-wrongkey"], key_file(keys / "wrong.key", "sk-wrong-0815"))
    add_upstream(home, "nowhere", f"http://127.0.0.1:{closed_port()}/v1", ["smollm2-nowhere"])
    add_upstream(home, "busy", busy.url + "/v1", ["smollm2-busy"])
    add_upstream(home, "stalled", stalled.url + "/v1", ["smollm2-stalled"], timeout="2s")
    add_upstream(home, "scripted", scripted.url + "/v1", ["smollm2-scripted"])
    server = start_server(home, tmp)
    yield server
    stop_server(server)


def closed_port():
    from conftest import free_port
    return free_port()


def client_for(server, token=None):
    return openai.OpenAI(base_url=server.url + "/v1", api_key=token or server.home.token, max_retries=0, timeout=120)


def ask(client, text, model=UPSTREAM_MODEL, **options):
    options.setdefault("max_tokens", 16)
    options.setdefault("temperature", 0)
    return client.chat.completions.create(model=model, messages=[{"role": "user", "content": text}], **options)


def test_add_upstream_refuses_a_key_file_others_may_read(server, tmp_path):
    before = (server.home.path / "haven.toml").read_text()
    loose = key_file(tmp_path / "loose.key", KEY, mode=0o644)
    refused = add_upstream(server.home, "loose", "http://127.0.0.1:9/v1", ["m"], loose, check=False)
    assert refused.returncode != 0
    assert "chmod 600" in refused.stderr and KEY not in refused.stderr
    duplicate = add_upstream(server.home, "gpu", "http://127.0.0.1:9/v1", ["m"], check=False)
    assert duplicate.returncode != 0 and "once" in duplicate.stderr
    assert (server.home.path / "haven.toml").read_text() == before
    assert "[[inference.upstream]]" in before and KEY not in before


def test_upstream_models_are_listed_like_installed_ones(server):
    ids = [model.id for model in client_for(server).models.list().data]
    assert MODEL in ids and UPSTREAM_MODEL in ids and EMBED_MODEL in ids
    tags = [model.model for model in ollama.Client(host=server.url, headers=bearer(server.home.token)).list().models]
    assert UPSTREAM_MODEL in tags and MODEL in tags
    listed = run_haven("model", "list", env=server.env, check=True).stdout
    row = next(line for line in listed.splitlines() if line.startswith(UPSTREAM_MODEL + " "))
    assert "upstream gpu" in row


def test_chat_whole_and_streamed_with_the_openai_client(server):
    client = client_for(server)
    answer = ask(client, "Say hello.")
    assert answer.id.startswith("chatcmpl-") and answer.model == UPSTREAM_MODEL
    assert answer.choices[0].message.content.strip()
    assert answer.choices[0].finish_reason in ("stop", "length")
    assert answer.usage.prompt_tokens > 0 and answer.usage.completion_tokens > 0

    text, finish, usage = "", None, None
    for chunk in ask(client, "Say hello.", stream=True, stream_options={"include_usage": True}):
        assert chunk.model == UPSTREAM_MODEL
        for choice in chunk.choices:
            text += choice.delta.content or ""
            finish = choice.finish_reason or finish
        usage = chunk.usage or usage
    assert text == answer.choices[0].message.content  # greedy: the same words either way
    assert finish == answer.choices[0].finish_reason
    assert usage.completion_tokens == answer.usage.completion_tokens


def test_a_json_schema_is_enforced_upstream(server):
    answer = ask(client_for(server), "Name a city in France as JSON.", max_tokens=40,
                 response_format={"type": "json_schema", "json_schema": {"name": "city", "schema": CITY_SCHEMA, "strict": True}})
    jsonschema.validate(json.loads(answer.choices[0].message.content), CITY_SCHEMA)


def test_tool_calls_come_back_whole_and_streamed(server, scripted):
    # SmolLM2's own template offers no tools, so llama-server answers in prose: a scripted
    # upstream streams a call as vLLM does (id and name first, arguments in pieces).
    tool = {"type": "function", "function": {"name": "get_weather", "description": "Weather in a city", "parameters": {
        "type": "object", "properties": {"city": {"type": "string", "maxLength": 20}}, "required": ["city"]}}}
    client = client_for(server)
    answer = ask(client, "What is the weather in Paris?", model="smollm2-scripted", tools=[tool], tool_choice="required")
    calls = answer.choices[0].message.tool_calls
    assert [(call.id, call.function.name, json.loads(call.function.arguments)) for call in calls] == \
        [("call_upstream_1", "get_weather", {"city": "Paris"})]
    assert answer.choices[0].finish_reason == "tool_calls"
    assert answer.usage.prompt_tokens == 21 and answer.usage.completion_tokens == 9
    sent = scripted.seen[-1]
    assert sent["tools"] == [tool] and sent["tool_choice"] == "required" and sent["stream"] is True

    with client.chat.completions.stream(model="smollm2-scripted", messages=[{"role": "user", "content": "Weather in Paris?"}],
                                        tools=[tool], tool_choice="required") as stream:
        final = stream.get_final_completion()
    streamed = final.choices[0].message.tool_calls
    assert [(call.id, call.function.name, json.loads(call.function.arguments)) for call in streamed] == \
        [("call_upstream_1", "get_weather", {"city": "Paris"})]
    assert final.choices[0].finish_reason == "tool_calls"


def test_embeddings_on_an_upstream_model(server):
    vectors = client_for(server).embeddings.create(model=EMBED_MODEL, input=["a cat", "a dog", "a car"]).data
    assert len(vectors) == 3 and len(vectors[0].embedding) > 0
    assert len({len(v.embedding) for v in vectors}) == 1
    assert vectors[0].embedding != vectors[1].embedding


def test_infer_is_refused_without_a_grant_and_allowed_with_one(server):
    token = run_haven("token", "create", "--name", "upstream-app", env=server.env, check=True).stdout.strip()
    app = client_for(server, token)
    assert UPSTREAM_MODEL not in [model.id for model in app.models.list().data]
    with pytest.raises(openai.PermissionDeniedError) as denied:
        ask(app, "Say hello.")
    assert denied.value.body["code"] == "infer_not_granted"
    run_haven("grant", "add", "--to", "app:upstream-app", "--rights", "infer", "--model", UPSTREAM_MODEL, "--expires", "1h",
              env=server.env, check=True)
    assert UPSTREAM_MODEL in [model.id for model in app.models.list().data]
    assert ask(app, "Say hello.").choices[0].message.content.strip()
    # Both decisions are in the audit log, the refusal first.
    decisions = [(entry["action"], entry["resource"], entry["allowed"])
                 for entry in reversed(audit_entries(server, principal="app:upstream-app"))]
    assert decisions == [("infer", f"models/{UPSTREAM_MODEL}", False), ("infer", f"models/{UPSTREAM_MODEL}", True)]


def test_the_upstream_gets_its_key_and_a_salt_per_principal_never_the_name(server, recorder):
    token = run_haven("token", "create", "--name", "salted-app", env=server.env, check=True).stdout.strip()
    run_haven("grant", "add", "--to", "app:salted-app", "--rights", "infer", "--model", "smollm2-recorded", "--expires", "1h",
              env=server.env, check=True)
    recorder.seen.clear()
    ask(client_for(server), "Say hello.", model="smollm2-recorded", extra_body={"cache_salt": "forged"})
    ask(client_for(server, token), "Say hello.", model="smollm2-recorded")
    ask(client_for(server, token), "Say hi.", model="smollm2-recorded", stream=True).close()
    chats = [seen for seen in recorder.seen if seen["target"] == "/v1/chat/completions"]
    assert len(chats) >= 2
    assert all(seen["authorization"] == f"Bearer {KEY}" for seen in chats)
    salts = [seen["body"]["cache_salt"] for seen in chats]
    assert salts[0] != "forged" and salts[0] != salts[1]
    assert all("salted-app" not in salt and "owner" not in salt for salt in salts)
    assert all(seen["body"]["model"] == "smollm2-recorded" for seen in chats)


def test_upstream_failures_come_in_havens_shapes_without_the_key(server):
    headers = {**bearer(server.home.token), "Content-Type": "application/json"}

    def post(model):
        return requests.post(server.url + "/v1/chat/completions", headers=headers, timeout=60, json={
            "model": model, "messages": [{"role": "user", "content": "hi"}], "max_tokens": 4})

    refused = post("smollm2-wrongkey")
    error = assert_json_error(refused, 502, "upstream_failed")
    assert "wrongkey" in error["message"] and "sk-wrong" not in refused.text and KEY not in refused.text

    down = post("smollm2-nowhere")
    error = assert_json_error(down, 502, "upstream_unavailable")
    assert "nowhere" in error["message"]

    busy = post("smollm2-busy")
    assert_json_error(busy, 429, "server_busy")
    assert busy.headers["Retry-After"] == "17"
    with pytest.raises(openai.RateLimitError):
        ask(client_for(server), "hi", model="smollm2-busy")

    started = time.monotonic()
    late = post("smollm2-stalled")
    assert_json_error(late, 504, "upstream_timeout")
    assert time.monotonic() - started < 30

    # Haven itself is unharmed.
    assert ask(client_for(server), "Say hello.").choices[0].message.content.strip()


def test_answers_are_counted_in_the_metrics(server):
    ask(client_for(server), "Say hello.")
    metrics = requests.get(server.url + "/metrics", headers=bearer(server.home.token), timeout=30).text
    lines = [line for line in metrics.splitlines()
             if line.startswith("haven_inference_completion_tokens_total") and f'model="{UPSTREAM_MODEL}"' in line]
    assert lines and float(lines[0].rsplit(" ", 1)[1]) > 0


# --- Ollama's API on upstream models ---------------------------------------------------------------


def ollama_client(server, token=None):
    return ollama.Client(host=server.url, headers=bearer(token or server.home.token), timeout=120)


def test_ollama_chat_and_generate_whole_and_streamed(server):
    client = ollama_client(server)
    options = {"temperature": 0, "num_predict": 16}
    whole = client.chat(model=UPSTREAM_MODEL, messages=[{"role": "user", "content": "Say hello."}], options=options)
    assert whole.message.content.strip() and whole.done and whole.eval_count > 0
    streamed = "".join(part.message.content for part in client.chat(
        model=UPSTREAM_MODEL, messages=[{"role": "user", "content": "Say hello."}], options=options, stream=True))
    assert streamed == whole.message.content

    generated = client.generate(model=UPSTREAM_MODEL, prompt="Say hello.", options=options)
    assert generated.response.strip() and generated.done
    parts = list(client.generate(model=UPSTREAM_MODEL, prompt="Say hello.", options=options, stream=True))
    assert "".join(part.response for part in parts) == generated.response and parts[-1].done

    formatted = client.generate(model=UPSTREAM_MODEL, prompt="Name a city as JSON.", format=CITY_SCHEMA,
                                options={"temperature": 0, "num_predict": 40})
    jsonschema.validate(json.loads(formatted.response), CITY_SCHEMA)


def test_ollama_embed_on_an_upstream_model(server):
    embedded = ollama_client(server).embed(model=EMBED_MODEL, input=["a cat", "a dog"])
    assert len(embedded.embeddings) == 2 and len(embedded.embeddings[0]) > 0


def test_ollama_refuses_without_a_grant_and_allows_with_one(server):
    token = run_haven("token", "create", "--name", "ollama-upstream", env=server.env, check=True).stdout.strip()
    client = ollama_client(server, token)
    with pytest.raises(ollama.ResponseError) as denied:
        client.chat(model=UPSTREAM_MODEL, messages=[{"role": "user", "content": "hi"}])
    assert denied.value.status_code == 403
    run_haven("grant", "add", "--to", "app:ollama-upstream", "--rights", "infer", "--model", UPSTREAM_MODEL, "--expires", "1h",
              env=server.env, check=True)
    assert client.chat(model=UPSTREAM_MODEL, messages=[{"role": "user", "content": "hi"}],
                       options={"num_predict": 4}).message.content is not None


# --- Every other API Haven speaks, on upstream models ----------------------------------------------


def test_legacy_completions_and_ollama_raw_prompts_on_an_upstream_model(server, recorder):
    client = client_for(server)
    whole = client.completions.create(model=UPSTREAM_MODEL, prompt="Once upon a time", max_tokens=8, temperature=0)
    assert whole.choices[0].text.strip() and whole.id.startswith("cmpl-") and whole.usage.completion_tokens > 0
    streamed = list(client.completions.create(
        model=UPSTREAM_MODEL, prompt="Once upon a time", max_tokens=8, temperature=0, stream=True))
    assert "".join(part.choices[0].text for part in streamed if part.choices) == whole.choices[0].text
    assert streamed[-1].usage.completion_tokens == whole.usage.completion_tokens  # usage rides on the last event

    raw = ollama_client(server).generate(model=UPSTREAM_MODEL, prompt="Once upon a time", raw=True,
                                         options={"temperature": 0, "num_predict": 8})
    assert raw.response == whole.choices[0].text and raw.done

    # The upstream gets OpenAI's completions body, salted, with the answer's length said outright.
    before = len(recorder.seen)
    client.completions.create(model="smollm2-recorded", prompt="Once", temperature=0)
    sent = [seen for seen in recorder.seen[before:] if seen["target"] == "/v1/completions"]
    assert sent and sent[0]["body"]["max_tokens"] == 16 and sent[0]["body"]["cache_salt"]

    # A format is a grammar on a raw prompt, which an upstream is not asked for: said plainly.
    with pytest.raises(ollama.ResponseError) as refused:
        ollama_client(server).generate(model=UPSTREAM_MODEL, prompt="{", raw=True, format="json", options={"num_predict": 4})
    assert refused.value.status_code == 400 and "upstream" in str(refused.value)


def test_responses_whole_streamed_and_continued_on_an_upstream_model(server):
    client = client_for(server)
    first = client.responses.create(model=UPSTREAM_MODEL, input="Say hello.", max_output_tokens=16, temperature=0)
    assert first.status in ("completed", "incomplete") and first.output_text.strip()
    assert first.usage.output_tokens > 0
    events = list(client.responses.create(model=UPSTREAM_MODEL, input="Say hello.", max_output_tokens=16,
                                          temperature=0, stream=True))
    assert events[0].type == "response.created" and events[-1].type in ("response.completed", "response.incomplete")
    text = "".join(event.delta for event in events if event.type == "response.output_text.delta")
    assert text == first.output_text
    follow = client.responses.create(model=UPSTREAM_MODEL, previous_response_id=first.id, input="Again.",
                                     max_output_tokens=8)
    assert follow.output_text is not None and client.responses.retrieve(follow.id).id == follow.id


def test_anthropic_messages_whole_and_streamed_on_an_upstream_model(server):
    client = anthropic.Anthropic(base_url=server.url, api_key=server.home.token, max_retries=0, timeout=120)
    hello = [{"role": "user", "content": "Say hello."}]
    whole = client.messages.create(model=UPSTREAM_MODEL, max_tokens=16, messages=hello, extra_body={"temperature": 0})
    assert whole.content[0].type == "text" and whole.content[0].text.strip()
    assert whole.stop_reason in ("end_turn", "max_tokens") and whole.usage.output_tokens > 0
    with client.messages.stream(model=UPSTREAM_MODEL, max_tokens=16, messages=hello,
                                extra_body={"temperature": 0}) as stream:
        streamed = "".join(stream.text_stream)
        final = stream.get_final_message()
    assert streamed == whole.content[0].text and final.usage.output_tokens == whole.usage.output_tokens

    # A stop sequence cuts the answer where it appears, as on a local model.
    word = whole.content[0].text.split()[-1]
    cut = client.messages.create(model=UPSTREAM_MODEL, max_tokens=16, messages=hello, stop_sequences=[word],
                                 extra_body={"temperature": 0})
    assert cut.stop_reason == "stop_sequence" and cut.stop_sequence == word and word not in cut.content[0].text

    # Counting tokens needs the model's tokenizer, which is upstream: a clear 400, not a guess.
    with pytest.raises(anthropic.BadRequestError) as refused:
        client.messages.count_tokens(model=UPSTREAM_MODEL, messages=hello)
    assert "upstream" in refused.value.message
    assert client.messages.count_tokens(model=MODEL, messages=hello).input_tokens > 0


def test_an_agent_runs_on_an_upstream_model(server):
    agent = (f'name = "upstream-helper"\nmodel = "{UPSTREAM_MODEL}"\ninstructions = "Answer briefly."\n'
             'tools = ["list"]\nscopes = ["/"]\nmax_steps = 2\n')
    made = requests.post(server.url + "/haven/agents", data=agent, headers=bearer(server.home.token), timeout=30)
    assert made.status_code in (200, 201), made.text
    answer = client_for(server).chat.completions.create(
        model="agent:upstream-helper", messages=[{"role": "user", "content": "Say hello."}])
    assert answer.choices[0].message.content is not None and answer.model == "agent:upstream-helper"


# --- Overflow: an installed model's full queue sends requests upstream ------------------------------


def test_a_full_local_queue_overflows_to_an_upstream_that_takes_it(upstreams, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("overflow")
    seen = []

    def forward(method, target, headers, body):
        seen.append(json.loads(body or b"{}"))
        answered = requests.post(upstreams["chat"].url + target.removeprefix("/v1"), data=body, timeout=120,
                                 headers={"Content-Type": "application/json", "Authorization": f"Bearer {KEY}"})
        return answered.status_code, {"Content-Type": answered.headers["Content-Type"]}, answered.content

    with FakeServer(forward) as spare:
        home = make_home(tmp / "home")
        add_upstream(home, "spare", spare.url + "/v1", [MODEL], overflow=True)
        assert "overflow = true" in (home.path / "haven.toml").read_text()
        server = start_server(home, tmp, "--parallel", "1", env={"HAVEN_QUEUE_LIMIT": "0"})
        try:
            client = client_for(server)
            # With room locally, the installed model answers and the upstream hears nothing.
            assert ask(client, "Say hello.", model=MODEL).choices[0].message.content.strip()
            assert seen == []
            busy = ask(client, "Write a very long essay about mountains.", model=MODEL, stream=True, max_tokens=400)
            next(iter(busy))  # it holds the only local sequence, and nothing may wait
            overflowed = ask(client, "Say hi.", model=MODEL)
            assert overflowed.choices[0].message.content.strip()
            assert len(seen) == 1 and seen[0]["model"] == MODEL and seen[0]["cache_salt"]
            busy.close()
        finally:
            stop_server(server)


# --- Another Haven as the upstream ------------------------------------------------------------------


def test_another_haven_is_an_upstream_with_a_token_it_issued(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("haven-upstream")
    far_home = make_home(tmp / "far")
    far = start_server(far_home, tmp)
    near = None
    try:
        # The far Haven serves its model under another name, and issues a token that may use it.
        ollama.Client(host=far.url, headers=bearer(far_home.token)).copy(MODEL, "far-smollm2")
        token = run_haven("token", "create", "--name", "near-haven", env=far.env, check=True).stdout.strip()
        keys = tmp / "keys"
        keys.mkdir()
        near_home = make_home(tmp / "near")
        add_upstream(near_home, "far", far.url + "/v1", ["far-smollm2"], key_file(keys / "far.key", token))
        near = start_server(near_home, tmp)
        client = client_for(near)

        # Without a grant on the far side, the far Haven refuses the near one's key: a 502 here.
        with pytest.raises(openai.APIStatusError) as refused:
            ask(client, "Say hello.", model="far-smollm2")
        assert refused.value.status_code == 502 and refused.value.body["code"] == "upstream_failed"
        assert token not in json.dumps(refused.value.body)

        run_haven("grant", "add", "--to", "app:near-haven", "--rights", "infer", "--model", "far-smollm2", "--expires", "1h",
                  env=far.env, check=True)
        whole = ask(client, "Say hello.", model="far-smollm2")
        assert whole.choices[0].message.content.strip() and whole.model == "far-smollm2"
        streamed = "".join(chunk.choices[0].delta.content or "" for chunk in ask(
            client, "Say hello.", model="far-smollm2", stream=True) if chunk.choices)
        assert streamed == whole.choices[0].message.content
        assert ollama_client(near).chat(model="far-smollm2", messages=[{"role": "user", "content": "hi"}],
                                        options={"num_predict": 4}).done
        # The far Haven audited the near one's use under the token it issued.
        audit = requests.get(far.url + "/haven/audit?principal=app:near-haven", headers=bearer(far_home.token), timeout=30)
        assert audit.status_code == 200 and "near-haven" in audit.text
    finally:
        if near:
            stop_server(near)
        stop_server(far)


# --- Several upstreams for one model ---------------------------------------------------------------


def test_two_upstreams_fail_over_and_a_death_mid_stream_is_a_clean_error(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("failover")
    first = LlamaServer(tmp, "smollm2-pair")
    second = LlamaServer(tmp, "smollm2-pair")
    home = make_home(tmp / "home")
    add_upstream(home, "first", first.url, ["smollm2-pair"])
    add_upstream(home, "second", second.url, ["smollm2-pair"])
    server = start_server(home, tmp)
    try:
        client = client_for(server)
        assert ask(client, "Say hello.", model="smollm2-pair").choices[0].message.content.strip()
        first.kill()
        # The first is gone: the same request is answered by the second.
        assert ask(client, "Say hello.", model="smollm2-pair").choices[0].message.content.strip()
        assert ask(client, "Say hi.", model="smollm2-pair").choices[0].message.content.strip()

        # The second dies while it streams: the client gets an error, not a hang or a cut stream.
        stream = ask(client, "Write a long story about the sea.", model="smollm2-pair", stream=True, max_tokens=2000,
                     extra_body={"ignore_eos": True})
        chunks = iter(stream)
        for _ in range(3):
            next(chunks)
        second.kill()
        with pytest.raises(openai.APIError) as broke:
            for _ in chunks:
                pass
        assert "second" in str(broke.value)

        # Haven stays up, and says plainly that no upstream is left.
        assert requests.get(server.url + "/healthz", timeout=10).status_code == 200
        with pytest.raises(openai.APIStatusError) as gone:
            ask(client, "Say hello.", model="smollm2-pair")
        assert gone.value.status_code == 502 and gone.value.body["code"] == "upstream_unavailable"
        assert ask(client, "Say hello.", model=MODEL).choices[0].message.content.strip()  # local models still answer
    finally:
        first.kill()
        second.kill()
        stop_server(server)
