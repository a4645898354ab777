"""Local inference through the clients people already use: the official openai and ollama packages."""

import concurrent.futures
import datetime
import json

import ollama
import openai
import pytest
import requests

from conftest import MODEL, run_haven, start_server


def openai_client(server, token=None):
    return openai.OpenAI(base_url=server.url + "/v1", api_key=token or server.home.token, max_retries=0, timeout=120)


def ollama_client(server):
    return ollama.Client(host=server.url, headers={"Authorization": f"Bearer {server.home.token}"}, timeout=120)


def ask(client, question, **kwargs):
    return client.chat.completions.create(
        model=MODEL, messages=[{"role": "user", "content": question}], **{"max_tokens": 24, "temperature": 0, **kwargs}
    )


def status(server):
    response = requests.get(server.url + "/haven/status", headers={"Authorization": f"Bearer {server.home.token}"}, timeout=10)
    return response.json()


def test_models_are_listed(server):
    ids = [model.id for model in openai_client(server).models.list()]
    # The installed model, then the agents that run on it (haven init installs `assistant`).
    assert ids == [MODEL, "agent:assistant"]
    assert openai_client(server).models.retrieve(MODEL).id == MODEL


def test_chat_answers_with_usage(server):
    answer = ask(openai_client(server), "What is the capital of France?")
    assert answer.choices[0].message.role == "assistant"
    assert "Paris" in answer.choices[0].message.content
    assert answer.choices[0].finish_reason in ("stop", "length")
    assert answer.usage.prompt_tokens > 5
    assert 0 < answer.usage.completion_tokens <= 24
    assert answer.usage.total_tokens == answer.usage.prompt_tokens + answer.usage.completion_tokens


def test_streaming_chat_yields_deltas_then_a_finish_reason_and_usage(server):
    stream = ask(openai_client(server), "Name three colours.", stream=True, stream_options={"include_usage": True})
    text, finish, usage = "", None, None
    for chunk in stream:
        if chunk.usage:
            usage = chunk.usage
        for choice in chunk.choices:
            text += choice.delta.content or ""
            finish = choice.finish_reason or finish
    assert text.strip()
    assert finish in ("stop", "length")
    assert usage is not None and usage.completion_tokens > 0


def test_greedy_answers_are_repeatable_and_stop_strings_cut(server):
    client = openai_client(server)
    first = ask(client, "Count from one to ten in words.").choices[0].message.content
    assert first == ask(client, "Count from one to ten in words.").choices[0].message.content
    words = first.split()
    assert len(words) > 3
    stop = words[2]
    cut = ask(client, "Count from one to ten in words.", stop=[stop]).choices[0]
    assert stop not in cut.message.content
    assert cut.finish_reason == "stop"


def test_eight_concurrent_streams_all_complete(server):
    client = openai_client(server)

    def run(index):
        text = ""
        finish = None
        for chunk in ask(client, f"Write a sentence about the number {index}.", stream=True, max_tokens=32, temperature=0.7):
            for choice in chunk.choices:
                text += choice.delta.content or ""
                finish = choice.finish_reason or finish
        return text, finish

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        results = list(pool.map(run, range(8)))
    assert all(text.strip() and finish in ("stop", "length") for text, finish in results)


def test_a_client_that_disconnects_frees_its_sequence(home, tmp_path):
    server = start_server(home, tmp_path, "--parallel", "1")
    try:
        client = openai_client(server)
        stream = ask(client, "Write a very long essay about the history of the sea.", stream=True, max_tokens=1500)
        received = 0
        for chunk in stream:
            received += 1
            if received == 3:
                break
        stream.close()  # the client goes away mid-stream
        # With a single sequence, this request runs only once the abandoned one was freed.
        follow_up = ask(client, "Say hello.", max_tokens=4)
        assert follow_up.usage.completion_tokens > 0
        engine = status(server)["models"][0]
        assert engine["running"] == 0 and engine["waiting"] == 0
        abandoned = engine["sampled_tokens"] - follow_up.usage.completion_tokens
        assert abandoned < 60, f"the abandoned stream went on for {abandoned} tokens"
    finally:
        server.stop()


def test_a_full_queue_answers_429_with_retry_after(home, tmp_path):
    server = start_server(home, tmp_path, "--parallel", "1", env={"HAVEN_QUEUE_LIMIT": "0"})
    try:
        client = openai_client(server)
        busy = ask(client, "Write a very long essay about mountains.", stream=True, max_tokens=400)
        next(iter(busy))  # it holds the only sequence
        with pytest.raises(openai.RateLimitError) as refused:
            ask(client, "Hi")
        assert refused.value.response.headers["retry-after"] == "1"
        assert refused.value.body["code"] == "server_busy"
        busy.close()
    finally:
        server.stop()


def test_errors_come_in_the_shape_the_client_parses(home, tmp_path):
    server = start_server(home, tmp_path, env={"HAVEN_CONTEXT": "128"})
    try:
        client = openai_client(server)
        with pytest.raises(openai.NotFoundError) as missing:
            client.chat.completions.create(model="no-such-model", messages=[{"role": "user", "content": "hi"}])
        assert missing.value.body["code"] == "model_not_found"

        with pytest.raises(openai.BadRequestError) as too_long:
            ask(client, "tell me " * 200)
        assert too_long.value.body["code"] == "context_length_exceeded"
        assert "at most 128" in too_long.value.body["message"]

        malformed = requests.post(
            server.url + "/v1/chat/completions", data="{not json",
            headers={"Authorization": f"Bearer {server.home.token}", "Content-Type": "application/json"}, timeout=10)
        assert malformed.status_code == 400
        assert malformed.json()["error"]["type"] == "invalid_request_error"

        app_token = run_haven("token", "create", "--name", "reader", env=server.env).stdout.strip()
        with pytest.raises(openai.PermissionDeniedError) as denied:
            ask(openai_client(server, token=app_token), "hi")
        assert denied.value.body["code"] == "infer_not_granted"
    finally:
        server.stop()


def test_ollama_client_chat_generate_and_tags(server):
    client = ollama_client(server)
    assert [model.model for model in client.list().models] == [MODEL]
    chat = client.chat(model=MODEL, messages=[{"role": "user", "content": "What is the capital of France?"}],
                       stream=False, options={"temperature": 0, "num_predict": 24})
    assert "Paris" in chat.message.content
    assert chat.done and chat.eval_count > 0 and chat.prompt_eval_count > 0

    parts = list(client.chat(model=MODEL, messages=[{"role": "user", "content": "Name a fruit."}], stream=True,
                             options={"num_predict": 16}))
    assert "".join(part.message.content for part in parts).strip()
    assert parts[-1].done and parts[-1].done_reason in ("stop", "length")

    generated = client.generate(model=MODEL, prompt="Why is the sky blue?", options={"num_predict": 16, "temperature": 0})
    assert generated.response.strip() and generated.done
    assert [model.model for model in client.ps().models] == [MODEL]


def test_ollama_errors(server):
    client = ollama_client(server)
    with pytest.raises(ollama.ResponseError) as missing:
        client.chat(model="no-such-model", messages=[{"role": "user", "content": "hi"}])
    assert missing.value.status_code == 404


def test_text_completions_stream_and_not(server):
    client = openai_client(server)
    answer = client.completions.create(model=MODEL, prompt="The capital of France is", max_tokens=8, temperature=0)
    assert answer.object == "text_completion"
    assert answer.choices[0].text.strip()
    assert answer.choices[0].finish_reason in ("stop", "length")
    assert answer.usage.completion_tokens <= 8
    streamed = "".join(
        chunk.choices[0].text
        for chunk in client.completions.create(model=MODEL, prompt="The capital of France is", max_tokens=8,
                                               temperature=0, stream=True)
        if chunk.choices
    )
    assert streamed == answer.choices[0].text


def test_embeddings_have_the_models_width_and_are_equal_for_equal_input(server):
    client = openai_client(server)
    # The openai client asks for base64 by default and decodes it; ask for floats too.
    vectors = client.embeddings.create(model=MODEL, input=["a red apple", "a red apple", "tax law"]).data
    floats = client.embeddings.create(model=MODEL, input="a red apple", encoding_format="float").data[0].embedding
    width = len(vectors[0].embedding)
    assert width == 576  # SmolLM2-135M's embedding length
    assert all(len(v.embedding) == width for v in vectors)
    assert vectors[0].embedding == vectors[1].embedding
    assert vectors[0].embedding != vectors[2].embedding
    assert max(abs(a - b) for a, b in zip(floats, vectors[0].embedding)) < 1e-6

    ollama_vectors = ollama_client(server).embed(model=MODEL, input=["a red apple", "tax law"]).embeddings
    assert len(ollama_vectors) == 2 and len(ollama_vectors[0]) == width
    assert max(abs(a - b) for a, b in zip(ollama_vectors[0], floats)) < 1e-5


CITY_SCHEMA = {
    "type": "object",
    "properties": {
        "city": {"type": "string", "maxLength": 30},
        "country": {"type": "string", "maxLength": 30},
        "population": {"type": "integer"},
        "landmarks": {"type": "array", "items": {"type": "string", "maxLength": 40}, "minItems": 1, "maxItems": 3},
        "climate": {"enum": ["warm", "temperate", "cold"]},
    },
    "required": ["city", "country", "population", "landmarks", "climate"],
    "additionalProperties": False,
}


def test_json_schema_responses_always_validate(server):
    import jsonschema

    client = openai_client(server)
    for question, temperature in [("Describe Paris.", 0), ("Describe Tokyo.", 0.9), ("Describe a city you like.", 1.2)]:
        answer = ask(client, question, max_tokens=200, temperature=temperature, response_format={
            "type": "json_schema", "json_schema": {"name": "city", "schema": CITY_SCHEMA, "strict": True}})
        assert answer.choices[0].finish_reason == "stop"
        jsonschema.validate(json.loads(answer.choices[0].message.content), CITY_SCHEMA)


def test_json_object_and_ollama_format(server):
    answer = ask(openai_client(server), "Give me a JSON object about a cat.", max_tokens=120,
                 response_format={"type": "json_object"})
    if answer.choices[0].finish_reason == "stop":
        assert isinstance(json.loads(answer.choices[0].message.content), dict)
    else:  # cut by max_tokens: still the start of an object
        assert answer.choices[0].message.content.lstrip().startswith("{")

    import jsonschema

    reply = ollama_client(server).chat(model=MODEL, messages=[{"role": "user", "content": "Describe Rome."}],
                                       format=CITY_SCHEMA, options={"num_predict": 200})
    jsonschema.validate(json.loads(reply.message.content), CITY_SCHEMA)


def test_unsupported_schemas_are_refused_not_weakened(server):
    with pytest.raises(openai.BadRequestError) as refused:
        ask(openai_client(server), "hi", response_format={
            "type": "json_schema", "json_schema": {"name": "x", "schema": {"type": "string", "pattern": "^a+$"}}})
    assert "pattern" in refused.value.body["message"]


WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Current weather in a city",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string", "maxLength": 40}, "unit": {"enum": ["celsius", "fahrenheit"]}},
            "required": ["city", "unit"],
        },
    },
}


def test_tool_call_round_trip(server):
    import jsonschema

    client = openai_client(server)
    messages = [{"role": "user", "content": "What is the weather in Paris right now?"}]
    first = client.chat.completions.create(model=MODEL, messages=messages, tools=[WEATHER_TOOL],
                                           tool_choice="required", max_tokens=100, temperature=0)
    choice = first.choices[0]
    assert choice.finish_reason == "tool_calls"
    call = choice.message.tool_calls[0]
    assert call.type == "function" and call.function.name == "get_weather" and call.id
    arguments = json.loads(call.function.arguments)
    jsonschema.validate(arguments, WEATHER_TOOL["function"]["parameters"])

    messages += [
        {"role": "assistant", "content": None, "tool_calls": [call.model_dump()]},
        {"role": "tool", "tool_call_id": call.id, "content": json.dumps({"temperature": 21, "conditions": "sunny"})},
    ]
    final = client.chat.completions.create(model=MODEL, messages=messages, tools=[WEATHER_TOOL], tool_choice="none",
                                           max_tokens=40, temperature=0)
    assert final.choices[0].finish_reason in ("stop", "length")
    assert final.choices[0].message.tool_calls is None
    assert final.choices[0].message.content.strip()
    # The call and its result reached the model: compared with the bare question, the prompt grew.
    bare = client.chat.completions.create(model=MODEL, messages=messages[:1], tools=[WEATHER_TOOL], tool_choice="none",
                                          max_tokens=1)
    assert final.usage.prompt_tokens > bare.usage.prompt_tokens + 20


def test_named_tool_choice_streams_its_call(server):
    client = openai_client(server)
    calls, finish = [], None
    for chunk in client.chat.completions.create(
            model=MODEL, messages=[{"role": "user", "content": "Weather in Oslo?"}], tools=[WEATHER_TOOL],
            tool_choice={"type": "function", "function": {"name": "get_weather"}}, stream=True, max_tokens=100):
        for choice in chunk.choices:
            calls += choice.delta.tool_calls or []
            finish = choice.finish_reason or finish
    assert finish == "tool_calls"
    assert calls[0].function.name == "get_weather"
    # The first delta names the call; its arguments follow in fragments.
    arguments = "".join(call.function.arguments or "" for call in calls if call.index == 0)
    assert set(json.loads(arguments)) == {"city", "unit"}


def test_bad_tool_requests_are_refused(server):
    client = openai_client(server)
    with pytest.raises(openai.BadRequestError):
        client.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": "hi"}], tools=[WEATHER_TOOL],
                                       tool_choice={"type": "function", "function": {"name": "nope"}})
    with pytest.raises(openai.BadRequestError):
        client.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": "hi"}], tool_choice="required")


def test_an_app_uses_models_only_while_granted(server):
    app_token = run_haven("token", "create", "--name", "laptop", env=server.env).stdout.strip()
    app = openai_client(server, token=app_token)
    assert [m.id for m in app.models.list()] == []
    with pytest.raises(openai.PermissionDeniedError) as denied:
        ask(app, "hi", max_tokens=2)
    assert "haven grant add --to app:laptop --rights infer" in denied.value.body["message"]

    added = run_haven("grant", "add", "--to", "app:laptop", "--rights", "infer", "--model", MODEL, "--expires", "1h",
                      "--purpose", "notes app", env=server.env)
    assert added.returncode == 0, added.stderr
    grant_id = added.stdout.strip()
    assert [m.id for m in app.models.list()] == [MODEL, "agent:assistant"]
    assert ask(app, "Say hi.", max_tokens=3).usage.completion_tokens > 0

    listed = json.loads(run_haven("grant", "list", "--json", env=server.env).stdout)["grants"]
    assert [(g["id"], g["principal"], g["rights"], g["resource"]) for g in listed] == \
        [(grant_id, "app:laptop", ["infer"], f"models/{MODEL}")]

    assert run_haven("grant", "revoke", grant_id, env=server.env).returncode == 0
    with pytest.raises(openai.PermissionDeniedError):
        ask(app, "hi", max_tokens=2)

    bad = run_haven("grant", "add", "--to", "app:laptop", "--rights", "fly", env=server.env)
    assert bad.returncode != 0 and "unknown right 'fly'" in bad.stderr
    # A right on data needs a path; 'infer' alone covers models.
    no_path = run_haven("grant", "add", "--to", "app:laptop", "--rights", "read", env=server.env)
    assert no_path.returncode != 0 and "--path" in no_path.stderr


def test_ollama_keep_alive_loads_and_unloads(server):
    client = ollama_client(server)
    assert client.ps().models == []
    loaded = client.generate(model=MODEL, prompt="", keep_alive="10m")
    assert loaded.done and loaded.done_reason == "load"
    assert [m.model for m in client.ps().models] == [MODEL]
    # expires_at says when the idle model leaves memory: about ten minutes from now.
    expires = client.ps().models[0].expires_at
    remaining = (expires - datetime.datetime.now(datetime.timezone.utc)).total_seconds()
    assert 540 < remaining <= 601, expires
    unloaded = client.generate(model=MODEL, prompt="", keep_alive=0)
    assert unloaded.done_reason == "unload"
    assert client.ps().models == []


def test_ollama_show_describes_the_model(server):
    shown = ollama_client(server).show(MODEL)
    assert "<|im_start|>" in shown.template
    assert shown.details.family == "llama" and shown.details.parameter_size == "135M"
    assert shown.modelinfo["general.architecture"] == "llama"
    assert shown.modelinfo["llama.embedding_length"] == 576
