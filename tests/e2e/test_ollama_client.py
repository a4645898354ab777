"""The `ollama` Python client against Haven beyond chat: tools on /api/chat (streamed and not),
`format` with a schema, and making models with /api/create (a system prompt and defaults every
API applies), /api/copy, /api/delete, and /api/pull answered with how models are added."""

import json

import jsonschema
import ollama
import openai
import pytest
import requests

from conftest import MODEL, MODEL_FILE, create_app_token, make_home, start_server, stop_server


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    directory = tmp_path_factory.mktemp("ollama")
    server = start_server(make_home(directory / "home"), directory)
    yield server
    stop_server(server)


@pytest.fixture(autouse=True)
def only_the_bundled_model_afterwards(server):
    """A test that fails half-way leaves no made model behind for the next one."""
    yield
    for name in names(server):
        if name != MODEL:
            requests.delete(server.url + "/api/delete", json={"model": name},
                            headers={"Authorization": f"Bearer {server.home.token}"}, timeout=30)


def client(server, token=None):
    return ollama.Client(host=server.url, headers={"Authorization": f"Bearer {token or server.home.token}"}, timeout=120)


def names(server):
    return sorted(model.model for model in client(server).list().models)


WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Get the current weather in a city. Always call this for questions about the weather.",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string", "description": "The city"}},
            "required": ["city"],
        },
    },
}

# The bundled SmolLM2-135M never chooses a tool by itself (Ollama has no tool_choice to force
# one), but it copies well: the question spells the call out, and Haven's lazy tool grammar takes
# over from `<tool_call>` on, so what is checked is the protocol, not the model's judgement.
QUESTION = [{"role": "user", "content": 'Reply with exactly this and nothing else:\n<tool_call>\n'
                                        '{"name": "get_weather", "arguments": {"city": "Paris"}}\n</tool_call>'}]
GREEDY = {"temperature": 0, "num_predict": 60}


def test_chat_with_tools_returns_calls_with_object_arguments_then_takes_the_result(server):
    sdk = client(server)
    first = sdk.chat(model=MODEL, messages=QUESTION, tools=[WEATHER], options=GREEDY, stream=False)
    assert first.done and first.message.role == "assistant"
    calls = first.message.tool_calls
    assert calls, first.message.content
    assert calls[0].function.name == "get_weather"
    assert isinstance(calls[0].function.arguments, dict)
    jsonschema.validate(dict(calls[0].function.arguments), WEATHER["function"]["parameters"])

    conversation = QUESTION + [
        {"role": "assistant", "content": first.message.content or "", "tool_calls": [call.model_dump() for call in calls]},
        {"role": "tool", "content": json.dumps({"temperature": 21, "conditions": "sunny"}), "tool_name": "get_weather"},
    ]
    final = sdk.chat(model=MODEL, messages=conversation, options={"temperature": 0, "num_predict": 30}, stream=False)
    assert final.done and not final.message.tool_calls
    # The call and its result reached the model: the prompt grew by more than the question.
    bare = sdk.chat(model=MODEL, messages=QUESTION, options={"temperature": 0, "num_predict": 1}, stream=False)
    assert final.prompt_eval_count > bare.prompt_eval_count + 20


def test_streamed_chat_with_tools_sends_the_calls_before_the_last_line(server):
    chunks = list(client(server).chat(model=MODEL, messages=QUESTION, tools=[WEATHER], options=GREEDY, stream=True))
    assert chunks[-1].done and chunks[-1].done_reason in ("stop", "length") and chunks[-1].eval_count > 0
    calls = [call for chunk in chunks[:-1] for call in (chunk.message.tool_calls or [])]
    assert [call.function.name for call in calls] == ["get_weather"]
    jsonschema.validate(dict(calls[0].function.arguments), WEATHER["function"]["parameters"])
    whole = client(server).chat(model=MODEL, messages=QUESTION, tools=[WEATHER], options=GREEDY, stream=False)
    assert [dict(call.function.arguments) for call in calls] == [dict(call.function.arguments)
                                                                for call in whole.message.tool_calls]


def test_format_with_a_schema_still_holds(server):
    schema = {"type": "object", "properties": {"name": {"type": "string", "maxLength": 20}, "age": {"type": "integer"}},
              "required": ["name", "age"]}
    reply = client(server).chat(model=MODEL, messages=[{"role": "user", "content": "Invent a person."}], format=schema,
                                options={"temperature": 0, "num_predict": 60}, stream=False)
    jsonschema.validate(json.loads(reply.message.content), schema)


SYSTEM = "You are Haven's test assistant. You always answer in French, briefly and politely."


def chat_counts(server, model, **options):
    reply = client(server).chat(model=model, messages=[{"role": "user", "content": "Tell me about the sea."}],
                                options={"temperature": 0, **options}, stream=False)
    return reply.prompt_eval_count, reply.eval_count


def test_a_created_model_applies_its_system_prompt_and_defaults_on_every_api(server):
    sdk = client(server)
    made = sdk.create(model="my-assistant", from_=MODEL, system=SYSTEM, parameters={"num_predict": 3, "top_k": 20})
    assert made.status == "success"
    assert "my-assistant" in names(server)

    shown = requests.post(server.url + "/api/show", json={"model": "my-assistant"},
                          headers={"Authorization": f"Bearer {server.home.token}"}, timeout=30).json()
    assert shown["system"] == SYSTEM
    assert shown["modelfile"].startswith(f"FROM {MODEL}\n") and "PARAMETER num_predict 3" in shown["modelfile"]
    assert sdk.show("my-assistant").parameters.split() == ["num_predict", "3", "top_k", "20"]
    assert sdk.show("my-assistant").details.parent_model == MODEL

    # /api/chat: the system prompt makes the prompt longer, num_predict caps the answer...
    base_prompt, base_eval = chat_counts(server, MODEL, num_predict=40)
    mine_prompt, mine_eval = chat_counts(server, "my-assistant")
    assert mine_prompt > base_prompt + 10 and base_eval > 3 and mine_eval <= 3
    # ...and a request's own value wins.
    assert chat_counts(server, "my-assistant", num_predict=1)[1] <= 1
    own_system = sdk.chat(model="my-assistant", messages=[{"role": "system", "content": "Be short."},
                                                          {"role": "user", "content": "Tell me about the sea."}],
                          stream=False)
    assert own_system.prompt_eval_count < mine_prompt

    # /api/generate and OpenAI's /v1/chat/completions apply the same.
    base_generate = sdk.generate(model=MODEL, prompt="Tell me about the sea.", options={"num_predict": 1}, stream=False)
    mine_generate = sdk.generate(model="my-assistant", prompt="Tell me about the sea.", stream=False)
    assert mine_generate.prompt_eval_count == mine_prompt > base_generate.prompt_eval_count
    assert mine_generate.eval_count <= 3
    oai = openai.OpenAI(base_url=server.url + "/v1", api_key=server.home.token, max_retries=0, timeout=120)
    sea = [{"role": "user", "content": "Tell me about the sea."}]
    answer = oai.chat.completions.create(model="my-assistant", messages=sea)
    assert answer.model == "my-assistant"
    assert answer.usage.prompt_tokens == mine_prompt and answer.usage.completion_tokens <= 3
    longer = oai.chat.completions.create(model="my-assistant", messages=sea,
                                         max_tokens=8, temperature=0)
    assert longer.usage.completion_tokens > 3
    # The Responses API takes the system prompt as instructions and num_predict as max_output_tokens.
    response = oai.responses.create(model="my-assistant", input="Tell me about the sea.", store=False)
    assert response.usage.input_tokens == mine_prompt and response.usage.output_tokens <= 3

    # Copy, then delete: the base model is kept while models are made from it.
    assert sdk.copy("my-assistant", "my-assistant-2").status == "success"
    assert sdk.show("my-assistant-2").parameters == sdk.show("my-assistant").parameters
    with pytest.raises(ollama.ResponseError) as kept:
        sdk.delete(MODEL)
    assert kept.value.status_code == 409
    assert "'my-assistant', 'my-assistant-2'" in str(kept.value)
    assert sdk.delete("my-assistant-2").status == "success"
    assert sdk.delete("my-assistant").status == "success"
    assert names(server) == [MODEL]
    assert chat_counts(server, MODEL, num_predict=2)[1] > 0


def test_a_model_from_a_gguf_on_disk_with_a_modelfile(server):
    headers = {"Authorization": f"Bearer {server.home.token}"}
    made = requests.post(server.url + "/api/create", headers=headers, timeout=60, json={
        "model": "smol-file", "stream": False,
        "modelfile": f'FROM {MODEL_FILE}\nSYSTEM """Answer in one word."""\nPARAMETER temperature 0.1\nPARAMETER stop "!"\n'})
    assert made.status_code == 200, made.text
    assert made.json() == {"status": "success"}
    shown = client(server).show("smol-file")
    assert shown.modelfile.startswith("FROM /") and 'PARAMETER stop "!"' in shown.modelfile
    assert shown.details.parent_model is None
    reply = client(server).chat(model="smol-file", messages=[{"role": "user", "content": "Hi"}],
                                options={"num_predict": 8}, stream=False)
    assert reply.done and "!" not in reply.message.content
    assert client(server).delete("smol-file").status == "success"
    assert "smol-file" not in names(server)


def test_create_refuses_what_it_cannot_do_and_only_the_owner_may_create(server):
    app = create_app_token(server, "laptop")
    with pytest.raises(ollama.ResponseError) as refused:
        client(server, token=app).create(model="theirs", from_=MODEL, system="Hi")
    assert refused.value.status_code == 403
    assert "only the owner" in str(refused.value)
    assert client(server).create(model="ours", from_=MODEL, system="Hi").status == "success"
    assert "theirs" not in names(server) and "ours" in names(server)
    assert client(server).delete("ours").status == "success"

    with pytest.raises(ollama.ResponseError) as template:
        client(server).create(model="templated", from_=MODEL, template="{{ .Prompt }}")
    assert template.value.status_code == 400 and "'template' is not supported" in str(template.value)
    headers = {"Authorization": f"Bearer {server.home.token}"}
    adapter = requests.post(server.url + "/api/create", headers=headers, timeout=30,
                            json={"model": "adapted", "modelfile": f"FROM {MODEL}\nADAPTER /nonexistent/lora.gguf"})
    assert adapter.status_code == 400
    assert "/nonexistent/lora.gguf is not a usable model: it cannot be read" in adapter.json()["error"]["message"]
    licensed = requests.post(server.url + "/api/create", headers=headers, timeout=30,
                             json={"model": "licensed", "modelfile": f"FROM {MODEL}\nLICENSE MIT"})
    assert licensed.status_code == 400
    assert "LICENSE is not supported; Haven's Modelfiles support FROM, ADAPTER, SYSTEM and PARAMETER" in licensed.json()["error"]["message"]
    with pytest.raises(ollama.ResponseError) as unknown:
        client(server).create(model="odd", from_=MODEL, parameters={"mirostat": 2})
    assert unknown.value.status_code == 400 and "mirostat" in str(unknown.value)
    assert names(server) == [MODEL]


def test_pull_and_push_say_how_models_are_added(server):
    with pytest.raises(ollama.ResponseError) as pulled:
        client(server).pull("llama3.2")
    assert pulled.value.status_code == 400
    assert "haven model add FILE" in str(pulled.value) and "llama3.2" in str(pulled.value)
    with pytest.raises(ollama.ResponseError) as pushed:
        client(server).push(MODEL)
    assert pushed.value.status_code == 400 and "reaches no model registry" in str(pushed.value)
    assert names(server) == [MODEL]
