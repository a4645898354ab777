"""Anthropic's Messages API through the official `anthropic` SDK, as agent tools speak it: answers,
streams, stop sequences, a tool round trip, `x-api-key` auth and token counts, on the bundled
SmolLM2-135M (so shapes and schemas are checked, not wording)."""

import json

import anthropic
import jsonschema
import pytest
import requests

from conftest import MODEL, create_app_token, make_home, start_server, stop_server


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    directory = tmp_path_factory.mktemp("anthropic")
    server = start_server(make_home(directory / "home"), directory)
    yield server
    stop_server(server)


def client(server, key=None):
    return anthropic.Anthropic(base_url=server.url, api_key=key or server.home.token, max_retries=0, timeout=120)


HELLO = [{"role": "user", "content": "Say hello to Ada in one short sentence."}]
# The current SDK has no `temperature` argument; older clients send it, and so does this, as extra body.
GREEDY = {"temperature": 0}

WEATHER = {
    "name": "get_weather",
    "description": "The weather now in a city.",
    "input_schema": {
        "type": "object",
        "properties": {"city": {"type": "string", "maxLength": 40}, "unit": {"enum": ["celsius", "fahrenheit"]}},
        "required": ["city", "unit"],
    },
}


def text_of(message):
    return "".join(block.text for block in message.content if block.type == "text")


def test_a_message_answers_with_text_and_usage(server):
    message = client(server).messages.create(model=MODEL, max_tokens=24, extra_body=GREEDY, messages=HELLO,
                                             metadata={"user_id": "tester"})
    assert message.type == "message" and message.role == "assistant" and message.model == MODEL
    assert message.id.startswith("msg_")
    assert [block.type for block in message.content] == ["text"]
    assert text_of(message).strip()
    assert message.stop_reason in ("end_turn", "max_tokens") and message.stop_sequence is None
    assert message.usage.input_tokens + message.usage.cache_read_input_tokens > 10
    assert 0 < message.usage.output_tokens <= 24


def test_the_system_prompt_reaches_the_model(server):
    sdk = client(server)
    bare = sdk.messages.count_tokens(model=MODEL, messages=HELLO).input_tokens
    as_text = sdk.messages.count_tokens(model=MODEL, messages=HELLO, system="You are a pirate. Answer like one.")
    as_blocks = sdk.messages.count_tokens(model=MODEL, messages=HELLO,
                                          system=[{"type": "text", "text": "You are a pirate. Answer like one."}])
    assert as_text.input_tokens == as_blocks.input_tokens > bare + 5


def test_count_tokens_counts_what_a_message_is_given(server):
    sdk = client(server)
    counted = sdk.messages.count_tokens(model=MODEL, messages=HELLO).input_tokens
    answered = sdk.messages.create(model=MODEL, max_tokens=2, extra_body=GREEDY, messages=HELLO).usage
    assert counted == answered.input_tokens + answered.cache_read_input_tokens
    with_tools = sdk.messages.count_tokens(model=MODEL, messages=HELLO, tools=[WEATHER]).input_tokens
    assert with_tools > counted + 20


def test_a_stream_accumulates_to_the_same_answer(server):
    sdk = client(server)
    whole = sdk.messages.create(model=MODEL, max_tokens=24, extra_body=GREEDY, messages=HELLO)
    with sdk.messages.stream(model=MODEL, max_tokens=24, extra_body=GREEDY, messages=HELLO) as stream:
        streamed = "".join(stream.text_stream)
        final = stream.get_final_message()
    assert streamed == text_of(final) == text_of(whole)
    assert final.stop_reason == whole.stop_reason
    assert final.usage.output_tokens == whole.usage.output_tokens


def test_the_stream_sends_anthropics_events_in_order(server):
    events = list(client(server).messages.create(model=MODEL, max_tokens=8, extra_body=GREEDY, messages=HELLO, stream=True))
    kinds = [event.type for event in events]
    assert kinds[0] == "message_start" and kinds[-2:] == ["message_delta", "message_stop"]
    assert kinds[1:3] == ["content_block_start", "content_block_delta"]
    assert kinds.count("content_block_start") == kinds.count("content_block_stop") == 1
    assert events[0].message.usage.input_tokens > 10
    assert all(event.delta.type == "text_delta" for event in events if event.type == "content_block_delta")
    assert events[-2].delta.stop_reason in ("end_turn", "max_tokens") and events[-2].usage.output_tokens > 0
    # The raw wire has named events and a ping, and no OpenAI `[DONE]`.
    raw = requests.post(server.url + "/v1/messages", headers={"x-api-key": server.home.token,
                                                              "anthropic-version": "2023-06-01"},
                        json={"model": MODEL, "max_tokens": 4, "stream": True, "messages": HELLO}, timeout=120).text
    assert raw.startswith("event: message_start\ndata: ")
    assert "event: ping\n" in raw and "[DONE]" not in raw
    assert raw.rstrip().endswith('event: message_stop\ndata: {"type":"message_stop"}')


def test_a_stop_sequence_ends_the_answer_and_is_named(server):
    sdk = client(server)
    text = text_of(sdk.messages.create(model=MODEL, max_tokens=24, extra_body=GREEDY, messages=HELLO))
    words = text.split()
    assert len(words) >= 2, text
    stop = " " + words[-1]
    cut = sdk.messages.create(model=MODEL, max_tokens=24, extra_body=GREEDY, messages=HELLO, stop_sequences=["\u2603", stop])
    assert cut.stop_reason == "stop_sequence" and cut.stop_sequence == stop
    assert text_of(cut) == text[:text.index(stop)]
    with sdk.messages.stream(model=MODEL, max_tokens=24, extra_body=GREEDY, messages=HELLO, stop_sequences=[stop]) as stream:
        streamed = "".join(stream.text_stream)
        final = stream.get_final_message()
    assert streamed == text_of(cut)
    assert final.stop_reason == "stop_sequence" and final.stop_sequence == stop
    assert final.usage.output_tokens > 0


def test_a_tool_round_trip(server):
    sdk = client(server)
    question = [{"role": "user", "content": "What is the weather in Paris right now?"}]
    first = sdk.messages.create(model=MODEL, max_tokens=100, extra_body=GREEDY, messages=question, tools=[WEATHER],
                                tool_choice={"type": "tool", "name": "get_weather"})
    assert first.stop_reason == "tool_use"
    call = next(block for block in first.content if block.type == "tool_use")
    assert call.name == "get_weather" and call.id.startswith("toolu_")
    jsonschema.validate(call.input, WEATHER["input_schema"])

    conversation = question + [
        {"role": "assistant", "content": [block.model_dump(exclude_none=True) for block in first.content]},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": call.id,
                                      "content": '{"temperature": 21, "conditions": "sunny"}'}]},
    ]
    final = sdk.messages.create(model=MODEL, max_tokens=30, extra_body=GREEDY, messages=conversation, tools=[WEATHER],
                                tool_choice={"type": "none"})
    assert final.stop_reason in ("end_turn", "max_tokens")
    assert [block.type for block in final.content] == ["text"] and text_of(final).strip()
    # The call and its result reached the model: compared with the bare question, the prompt grew.
    bare = sdk.messages.count_tokens(model=MODEL, messages=question, tools=[WEATHER], tool_choice={"type": "none"})
    assert final.usage.input_tokens + final.usage.cache_read_input_tokens > bare.input_tokens + 20


def test_a_streamed_tool_call_has_input_that_validates(server):
    with client(server).messages.stream(model=MODEL, max_tokens=100, extra_body=GREEDY, tools=[WEATHER],
                                        tool_choice={"type": "any"},
                                        messages=[{"role": "user", "content": "Weather in Oslo?"}]) as stream:
        kinds = [event.type for event in stream]
        final = stream.get_final_message()
    assert "input_json" in kinds
    assert final.stop_reason == "tool_use"
    calls = [block for block in final.content if block.type == "tool_use"]
    assert calls and calls[0].name == "get_weather"
    jsonschema.validate(calls[0].input, WEATHER["input_schema"])


def test_output_config_constrains_the_answer_to_a_schema(server):
    schema = {"type": "object", "properties": {"name": {"type": "string", "maxLength": 20}, "age": {"type": "integer"}},
              "required": ["name", "age"], "additionalProperties": False}
    message = client(server).messages.create(model=MODEL, max_tokens=60, extra_body=GREEDY,
                                             messages=[{"role": "user", "content": "Invent a person."}],
                                             output_config={"format": {"type": "json_schema", "schema": schema}})
    jsonschema.validate(json.loads(text_of(message)), schema)


def test_x_api_key_and_bearer_are_the_same_token_and_a_bad_key_is_refused(server):
    assert client(server).messages.create(model=MODEL, max_tokens=2, messages=HELLO).usage.output_tokens > 0
    bearer = anthropic.Anthropic(base_url=server.url, auth_token=server.home.token, max_retries=0, timeout=120)
    assert bearer.messages.create(model=MODEL, max_tokens=2, messages=HELLO).usage.output_tokens > 0
    with pytest.raises(anthropic.AuthenticationError) as refused:
        client(server, key="hvn_not_a_real_token").messages.create(model=MODEL, max_tokens=2, messages=HELLO)
    assert refused.value.status_code == 401
    assert refused.value.body["type"] == "error" and refused.value.body["error"]["type"] == "authentication_error"


def test_a_token_without_infer_is_refused_until_granted(server):
    app = create_app_token(server, "claude-tool")
    with pytest.raises(anthropic.PermissionDeniedError) as refused:
        client(server, key=app).messages.create(model=MODEL, max_tokens=2, messages=HELLO)
    assert "haven grant add --to app:claude-tool --rights infer" in refused.value.body["error"]["message"]
    granted = requests.post(server.url + "/haven/grants", headers={"Authorization": f"Bearer {server.home.token}"},
                            json={"to": "app:claude-tool", "rights": ["infer"], "model": MODEL},
                            timeout=30)
    assert granted.status_code == 201, granted.text
    assert client(server, key=app).messages.create(model=MODEL, max_tokens=2, messages=HELLO).usage.output_tokens > 0


def test_bad_requests_get_anthropics_error_shape(server):
    headers = {"x-api-key": server.home.token, "anthropic-version": "2023-06-01"}
    missing = requests.post(server.url + "/v1/messages", headers=headers, json={"model": MODEL, "messages": HELLO},
                            timeout=30)
    assert missing.status_code == 400
    assert missing.json()["type"] == "error"
    assert missing.json()["error"]["type"] == "invalid_request_error"
    assert "max_tokens" in missing.json()["error"]["message"]
    with pytest.raises(anthropic.NotFoundError):
        client(server).messages.create(model="no-such-model", max_tokens=2, messages=HELLO)
    with pytest.raises(anthropic.BadRequestError) as image:
        client(server).messages.create(model=MODEL, max_tokens=2, messages=[{"role": "user", "content": [
            {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "iVBORw0KGgo="}}]}])
    assert "'image' blocks are not supported" in image.value.body["error"]["message"]
