"""The openai SDK as its users drive it against Haven: tool calls streamed as incremental deltas and
reassembled by the SDK's stream helpers, logprobs, usage in the stream, several choices, model lookup,
and the Responses API (whole and streamed, a tool round trip, previous_response_id backed by Haven's
conversations, and responses readable only by their maker).

The model is tiny (SmolLM2-135M), so tool calls are forced (tool_choice required or named) and
structured answers use a JSON schema: the tests assert shapes and invariants, not wording."""

import json
import signal
import subprocess

import jsonschema
import openai
import pytest
import requests

from conftest import MODEL, MODEL_FILE, Home, run_haven, start_server

WEATHER_PARAMETERS = {
    "type": "object",
    "properties": {"city": {"type": "string", "maxLength": 30}, "unit": {"enum": ["celsius", "fahrenheit"]}},
    "required": ["city", "unit"],
    "additionalProperties": False,
}
WEATHER_TOOL = {
    "type": "function",
    "function": {"name": "get_weather", "description": "Current weather in a city", "parameters": WEATHER_PARAMETERS,
                 "strict": True},
}
# The Responses API's flat tool shape.
WEATHER_FUNCTION = {"type": "function", "name": "get_weather", "description": "Current weather in a city",
                    "parameters": WEATHER_PARAMETERS, "strict": True}
CITY_FORMAT = {"format": {"type": "json_schema", "name": "city", "strict": True, "schema": {
    "type": "object", "properties": {"name": {"type": "string", "maxLength": 20}, "country": {"type": "string", "maxLength": 20}},
    "required": ["name", "country"], "additionalProperties": False}}}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    assert MODEL_FILE, "set HAVEN_TEST_MODEL to the default model's GGUF (scripts/e2e does)"
    tmp = tmp_path_factory.mktemp("openai-clients")
    token = run_haven("init", "--home", str(tmp / "home"), "--model", MODEL_FILE, check=True).stdout.strip()
    server = start_server(Home(path=tmp / "home", token=token), tmp)
    yield server
    server.process.send_signal(signal.SIGTERM)
    try:
        server.process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.process.kill()


def make_client(server, token):
    return openai.OpenAI(base_url=server.url + "/v1", api_key=token, max_retries=0, timeout=120)


@pytest.fixture(scope="module")
def client(server):
    return make_client(server, server.home.token)


@pytest.fixture(scope="module")
def other_client(server):
    """An app allowed to use the model, but not the owner."""
    token = run_haven("token", "create", "--name", "other-app", env=server.env, check=True).stdout.strip()
    run_haven("grant", "add", "--to", "app:other-app", "--rights", "infer", "--model", MODEL, "--expires", "1h",
              "--purpose", "tests", env=server.env, check=True)
    return make_client(server, token)


def user(text):
    return [{"role": "user", "content": text}]


# Chat completions


def test_streamed_tool_calls_reassemble_to_valid_arguments(client):
    with client.chat.completions.stream(model=MODEL, messages=user("What is the weather in Paris?"), tools=[WEATHER_TOOL],
                                        tool_choice="required", max_tokens=150, temperature=0) as stream:
        events = list(stream)
        final = stream.get_final_completion()

    deltas = [call for event in events if event.type == "chunk" for choice in event.chunk.choices
              for call in choice.delta.tool_calls or []]
    first = [d for d in deltas if d.index == 0]
    # OpenAI's shape: the first delta names the call, the following ones carry argument fragments only.
    assert first[0].id and first[0].type == "function" and first[0].function.name == "get_weather"
    assert first[0].function.arguments == ""
    fragments = [d.function.arguments for d in first[1:]]
    assert len(fragments) > 1 and all(fragments)
    assert all(d.id is None and d.function.name is None for d in first[1:])
    assert len([e for e in events if e.type == "tool_calls.function.arguments.delta"]) > 1

    choice = final.choices[0]
    assert choice.finish_reason == "tool_calls"
    call = choice.message.tool_calls[0]
    assert call.id == first[0].id and call.function.arguments == "".join(fragments)
    arguments = json.loads(call.function.arguments)
    jsonschema.validate(arguments, WEATHER_PARAMETERS)
    assert call.function.parsed_arguments == arguments


def test_named_tool_choice_streams_the_same_call_as_unstreamed(client):
    request = dict(model=MODEL, messages=user("Weather in Oslo?"), tools=[WEATHER_TOOL], max_tokens=150, temperature=0,
                   tool_choice={"type": "function", "function": {"name": "get_weather"}})
    whole = client.chat.completions.create(**request).choices[0].message.tool_calls
    arguments = "".join(call.function.arguments for chunk in client.chat.completions.create(**request, stream=True)
                        for choice in chunk.choices for call in choice.delta.tool_calls or [] if call.index == 0)
    assert arguments == whole[0].function.arguments


def check_token_logprobs(tokens, top):
    for token in tokens:
        assert token.logprob <= 0
        assert len(token.top_logprobs) == top
        values = [alternative.logprob for alternative in token.top_logprobs]
        assert values == sorted(values, reverse=True) and all(v <= 0 for v in values)
        # Greedy decoding took the most likely token.
        assert token.top_logprobs[0].token == token.token and token.top_logprobs[0].logprob == token.logprob


def test_chat_logprobs_stream_and_not(client):
    answer = client.chat.completions.create(model=MODEL, messages=user("Name a colour."), max_tokens=10, temperature=0,
                                            logprobs=True, top_logprobs=3)
    tokens = answer.choices[0].logprobs.content
    assert len(tokens) == answer.usage.completion_tokens
    assert b"".join(bytes(t.bytes) for t in tokens).decode() == answer.choices[0].message.content
    check_token_logprobs(tokens, 3)

    streamed, text = [], ""
    for chunk in client.chat.completions.create(model=MODEL, messages=user("Name a colour."), max_tokens=10,
                                                temperature=0, logprobs=True, top_logprobs=3, stream=True):
        for choice in chunk.choices:
            text += choice.delta.content or ""
            streamed += (choice.logprobs.content or []) if choice.logprobs else []
    assert text == answer.choices[0].message.content
    assert [(t.token, t.logprob) for t in streamed] == [(t.token, t.logprob) for t in tokens]

    plain = client.chat.completions.create(model=MODEL, messages=user("Name a colour."), max_tokens=10, temperature=0)
    assert plain.choices[0].logprobs is None

    with pytest.raises(openai.BadRequestError) as refused:
        client.chat.completions.create(model=MODEL, messages=user("hi"), logprobs=True, top_logprobs=21)
    assert "top_logprobs must be from 0 to 20" in refused.value.body["message"]


def test_completion_logprobs_stream_and_not(client):
    answer = client.completions.create(model=MODEL, prompt="The capital of France is", max_tokens=6, temperature=0,
                                       logprobs=2)
    choice = answer.choices[0]
    logprobs = choice.logprobs
    assert len(logprobs.tokens) == len(logprobs.token_logprobs) == len(logprobs.top_logprobs) == len(logprobs.text_offset)
    assert len(logprobs.tokens) == answer.usage.completion_tokens
    assert "".join(logprobs.tokens) == choice.text
    assert all(value <= 0 for value in logprobs.token_logprobs)
    assert all(1 <= len(top) <= 2 and max(top.values()) == value for top, value in zip(logprobs.top_logprobs, logprobs.token_logprobs))
    assert logprobs.text_offset == [sum(len(t) for t in logprobs.tokens[:i]) for i in range(len(logprobs.tokens))]

    tokens = []
    for chunk in client.completions.create(model=MODEL, prompt="The capital of France is", max_tokens=6, temperature=0,
                                           logprobs=2, stream=True):
        if chunk.choices[0].logprobs:
            tokens += chunk.choices[0].logprobs.tokens
    assert tokens == logprobs.tokens


def test_usage_comes_last_in_the_stream_only_when_asked(client):
    chunks = list(client.chat.completions.create(model=MODEL, messages=user("Say hi."), max_tokens=6, temperature=0,
                                                 stream=True, stream_options={"include_usage": True}))
    assert chunks[-1].choices == [] and chunks[-1].usage.completion_tokens > 0
    assert chunks[-1].usage.total_tokens == chunks[-1].usage.prompt_tokens + chunks[-1].usage.completion_tokens
    assert all(chunk.usage is None for chunk in chunks[:-1])
    plain = list(client.chat.completions.create(model=MODEL, messages=user("Say hi."), max_tokens=6, temperature=0,
                                                stream=True))
    assert all(chunk.usage is None for chunk in plain)


def test_n_choices_stream_and_not(client):
    answer = client.chat.completions.create(model=MODEL, messages=user("Write a word."), max_tokens=8, temperature=1,
                                            seed=5, n=2)
    assert [choice.index for choice in answer.choices] == [0, 1]
    assert all(choice.message.content for choice in answer.choices)
    assert answer.usage.completion_tokens >= 2

    finished, texts = {}, {0: "", 1: ""}
    for chunk in client.chat.completions.create(model=MODEL, messages=user("Write a word."), max_tokens=8, temperature=1,
                                                seed=5, n=2, stream=True):
        for choice in chunk.choices:
            texts[choice.index] += choice.delta.content or ""
            if choice.finish_reason:
                finished[choice.index] = choice.finish_reason
    assert set(finished) == {0, 1}
    assert texts[0] and texts[1]

    with pytest.raises(openai.BadRequestError) as refused:
        client.chat.completions.create(model=MODEL, messages=user("hi"), n=9)
    assert "n must be from 1 to 8" in refused.value.body["message"]


def test_a_model_is_retrieved_by_id(client):
    assert client.models.retrieve(MODEL).id == MODEL
    with pytest.raises(openai.NotFoundError):
        client.models.retrieve("no-such-model")


# Responses


def test_a_response_is_created_and_read_back(client):
    response = client.responses.create(model=MODEL, input="Give me a city as JSON.", text=CITY_FORMAT,
                                       max_output_tokens=100, temperature=0)
    assert response.status == "completed" and response.id.startswith("resp_")
    jsonschema.validate(json.loads(response.output_text), CITY_FORMAT["format"]["schema"])
    assert response.usage.output_tokens > 0 and response.usage.input_tokens > 0
    again = client.responses.retrieve(response.id)
    assert again.id == response.id and again.output_text == response.output_text
    assert [item.id for item in again.output] == [item.id for item in response.output]


def test_a_response_streams_typed_events(client):
    with client.responses.stream(model=MODEL, input="Give me a city as JSON.", text=CITY_FORMAT, max_output_tokens=100,
                                 temperature=0, instructions="Answer with JSON.") as stream:
        events = list(stream)
        final = stream.get_final_response()
    types = [event.type for event in events]
    assert types[:4] == ["response.created", "response.in_progress", "response.output_item.added",
                         "response.content_part.added"]
    assert types[-4:] == ["response.output_text.done", "response.content_part.done", "response.output_item.done",
                          "response.completed"]
    assert [event.sequence_number for event in events] == list(range(len(events)))
    deltas = [event.delta for event in events if event.type == "response.output_text.delta"]
    assert len(deltas) > 1 and "".join(deltas) == final.output_text
    jsonschema.validate(json.loads(final.output_text), CITY_FORMAT["format"]["schema"])
    assert client.responses.retrieve(final.id).output_text == final.output_text


def test_a_tool_round_trip_with_previous_response_id(client):
    first = client.responses.create(model=MODEL, input="What is the weather in Paris?", tools=[WEATHER_FUNCTION],
                                    tool_choice="required", max_output_tokens=150, temperature=0)
    calls = [item for item in first.output if item.type == "function_call"]
    assert calls and calls[0].name == "get_weather" and calls[0].call_id
    jsonschema.validate(json.loads(calls[0].arguments), WEATHER_PARAMETERS)

    final = client.responses.create(
        model=MODEL, previous_response_id=first.id, tools=[WEATHER_FUNCTION], tool_choice="none", max_output_tokens=30,
        temperature=0,
        input=[{"type": "function_call_output", "call_id": calls[0].call_id,
                "output": json.dumps({"temperature": 21, "conditions": "sunny"})}])
    assert [item.type for item in final.output] == ["message"]
    assert final.output_text.strip()
    assert final.previous_response_id == first.id
    # The call and its result reached the model: compared with the bare question, the prompt grew.
    bare = client.responses.create(model=MODEL, input="What is the weather in Paris?", tools=[WEATHER_FUNCTION],
                                   tool_choice="none", max_output_tokens=1, store=False)
    assert final.usage.input_tokens > bare.usage.input_tokens + 20


def test_a_streamed_tool_call_arrives_in_argument_fragments(client):
    with client.responses.stream(model=MODEL, input="Weather in Oslo?", tools=[WEATHER_FUNCTION],
                                 tool_choice={"type": "function", "name": "get_weather"}, max_output_tokens=150,
                                 temperature=0) as stream:
        events = list(stream)
        final = stream.get_final_response()
    added = [e for e in events if e.type == "response.output_item.added"]
    assert added[0].item.type == "function_call" and added[0].item.name == "get_weather"
    fragments = [e.delta for e in events
                 if e.type == "response.function_call_arguments.delta" and e.output_index == added[0].output_index]
    assert len(fragments) > 1
    call = final.output[added[0].output_index]
    assert call.type == "function_call" and call.arguments == "".join(fragments)
    assert call.parsed_arguments == json.loads(call.arguments)
    jsonschema.validate(call.parsed_arguments, WEATHER_PARAMETERS)


def conversation_of(server, response_id):
    conversation = "conv_" + response_id[len("resp_"):].rsplit("_", 1)[0]
    answer = requests.get(f"{server.url}/haven/conversations/{conversation}",
                          headers={"Authorization": f"Bearer {server.home.token}"}, timeout=10)
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_previous_response_id_continues_a_haven_conversation(client, server):
    first = client.responses.create(model=MODEL, input="My name is Ada. Reply with OK.", max_output_tokens=8,
                                    temperature=0)
    second = client.responses.create(model=MODEL, previous_response_id=first.id, input="What is my name?",
                                     max_output_tokens=8, temperature=0)
    assert second.usage.input_tokens > first.usage.input_tokens + first.usage.output_tokens
    kept = conversation_of(server, second.id)
    assert kept["model"] == MODEL
    assert [m["role"] for m in kept["messages"]] == ["user", "assistant", "user", "assistant"]
    assert [kept["messages"][0]["content"], kept["messages"][2]["content"]] == ["My name is Ada. Reply with OK.",
                                                                               "What is my name?"]
    assert kept["messages"][3]["content"] == second.output_text

    # Continuing the first response again branches off; the second stays as it was.
    branch = client.responses.create(model=MODEL, previous_response_id=first.id, input="Say yes.", max_output_tokens=4,
                                     temperature=0)
    assert branch.usage.input_tokens < second.usage.input_tokens + second.usage.output_tokens
    assert conversation_of(server, branch.id)["messages"][2]["content"] == "Say yes."
    assert client.responses.retrieve(second.id).output_text == second.output_text


def test_only_the_maker_reads_or_continues_a_response(client, other_client):
    mine = client.responses.create(model=MODEL, input="Say hi.", max_output_tokens=4, temperature=0)
    assert client.responses.retrieve(mine.id).id == mine.id
    with pytest.raises(openai.NotFoundError) as refused:
        other_client.responses.retrieve(mine.id)
    assert "only the one who made a response may read or continue it" in refused.value.body["message"]
    with pytest.raises(openai.NotFoundError):
        other_client.responses.create(model=MODEL, previous_response_id=mine.id, input="hi", max_output_tokens=4)

    theirs = other_client.responses.create(model=MODEL, input="Say hi.", max_output_tokens=4, temperature=0)
    assert other_client.responses.retrieve(theirs.id).output_text == theirs.output_text

    unstored = client.responses.create(model=MODEL, input="Say hi.", max_output_tokens=4, store=False)
    with pytest.raises(openai.NotFoundError):
        client.responses.retrieve(unstored.id)


def test_unsupported_responses_requests_are_refused(client, server):
    before = requests.get(f"{server.url}/haven/conversations", headers={"Authorization": f"Bearer {server.home.token}"},
                          timeout=10).json()["conversations"]
    with pytest.raises(openai.BadRequestError) as hosted:
        client.responses.create(model=MODEL, input="hi", tools=[{"type": "web_search"}])
    assert "Haven runs function tools" in hosted.value.body["message"]
    with pytest.raises(openai.BadRequestError) as reference:
        client.responses.create(model=MODEL, input=[{"type": "item_reference", "id": "msg_1"}])
    assert "item_reference" in reference.value.body["message"]
    after = requests.get(f"{server.url}/haven/conversations", headers={"Authorization": f"Bearer {server.home.token}"},
                         timeout=10).json()["conversations"]
    assert after == before
    # The same request done right is answered.
    assert client.responses.create(model=MODEL, input="hi", tools=[WEATHER_FUNCTION], tool_choice="none",
                                   max_output_tokens=4).output_text
