"""`/metrics` as Prometheus reads it: parsed by prometheus_client's own text-format parser, read
before and after a chat, a file upload and a refusal, and checked against what those did."""

import os

import openai
import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from conftest import MODEL, assert_json_error, bearer, create_app_token, make_home, run_haven, start_server, stop_server


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    directory = tmp_path_factory.mktemp("metrics")
    server = start_server(make_home(directory / "home"), directory)
    yield server
    stop_server(server)


class Scrape:
    """One reading of `/metrics`, parsed."""

    def __init__(self, text):
        self.families = {family.name: family for family in text_string_to_metric_families(text)}

    def type_of(self, family):
        return self.families[family].type

    def value(self, sample, **labels):
        """The sample `sample{labels}` (labels exactly as given); 0 if it is not there yet."""
        for family in self.families.values():
            for found in family.samples:
                if found.name == sample and found.labels == labels:
                    return found.value
        return 0.0

    def has(self, sample, **labels):
        return any(found.name == sample and found.labels == labels
                   for family in self.families.values() for found in family.samples)


def scrape(server, token=None):
    response = requests.get(server.url + "/metrics", headers=bearer(token or server.home.token), timeout=30)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8"
    return Scrape(response.text)


def chat(server, question):
    client = openai.OpenAI(base_url=server.url + "/v1", api_key=server.home.token, max_retries=0, timeout=120)
    return client.chat.completions.create(
        model=MODEL, messages=[{"role": "user", "content": question}], max_tokens=12, temperature=0)


def test_a_chat_moves_the_request_token_and_first_token_metrics_by_what_it_used(server):
    route = {"route": "/v1/chat/completions", "method": "POST", "status": "200"}
    model = {"model": MODEL}
    before = scrape(server)
    answer = chat(server, "Name a colour.")
    after = scrape(server)

    assert after.value("haven_http_requests_total", **route) == before.value("haven_http_requests_total", **route) + 1
    assert after.value("haven_inference_prompt_tokens_total", **model) == (
        before.value("haven_inference_prompt_tokens_total", **model) + answer.usage.prompt_tokens)
    assert after.value("haven_inference_completion_tokens_total", **model) == (
        before.value("haven_inference_completion_tokens_total", **model) + answer.usage.completion_tokens)
    finish = {"model": MODEL, "finish_reason": answer.choices[0].finish_reason}
    assert after.value("haven_inference_generations_total", **finish) == before.value("haven_inference_generations_total", **finish) + 1
    ttft = "haven_inference_time_to_first_token_seconds"
    assert after.value(ttft + "_count", **model) == before.value(ttft + "_count", **model) + 1
    assert after.value(ttft + "_sum", **model) > before.value(ttft + "_sum", **model)
    assert after.value(ttft + "_bucket", **model, le="+Inf") == after.value(ttft + "_count", **model)
    # The first reading was itself counted and timed; both are there in the second.
    scraped = {"route": "/metrics", "method": "GET", "status": "200"}
    assert after.value("haven_http_requests_total", **scraped) >= 1
    assert after.has("haven_http_request_duration_seconds_bucket", **scraped, le="+Inf")

    # The model is loaded and idle now: nothing queued or running, its prompt kept in the KV cache.
    assert after.value("haven_inference_queue_depth", **model) == 0
    assert after.value("haven_inference_running_sequences", **model) == 0
    kv = after.value("haven_inference_kv_cache_tokens", **model)
    assert answer.usage.prompt_tokens <= kv <= after.value("haven_inference_kv_cache_capacity_tokens", **model)

    assert after.type_of("haven_http_requests") == "counter"
    assert after.type_of("haven_http_request_duration_seconds") == "histogram"
    assert after.type_of(ttft) == "histogram"
    assert after.type_of("haven_inference_prompt_tokens") == "counter"
    assert after.type_of("haven_inference_running_sequences") == "gauge"


def test_a_repeated_prompt_counts_a_prefix_cache_hit_of_the_tokens_it_reused(server):
    model = {"model": MODEL}
    chat(server, "What is two plus two?")
    before = scrape(server)
    again = chat(server, "What is two plus two?")
    after = scrape(server)
    reused = again.usage.prompt_tokens_details.cached_tokens
    assert reused > 0
    assert after.value("haven_inference_prefix_cache_hits_total", **model) == (
        before.value("haven_inference_prefix_cache_hits_total", **model) + 1)
    assert after.value("haven_inference_prefix_cache_tokens_total", **model) == (
        before.value("haven_inference_prefix_cache_tokens_total", **model) + reused)


def test_an_upload_grows_store_bytes_by_at_least_its_size_and_is_counted_under_its_route(server):
    content = os.urandom(200_000)
    before = scrape(server)
    put = requests.put(server.url + "/data/metrics-test/random.bin", data=content, headers=bearer(server.home.token), timeout=60)
    assert put.status_code == 201, put.text
    after = scrape(server)
    assert after.value("haven_store_bytes") >= before.value("haven_store_bytes") + len(content)
    assert after.value("haven_store_chunks") > before.value("haven_store_chunks")
    assert after.value("haven_store_files") == before.value("haven_store_files") + 1
    assert after.value("haven_audit_entries") > before.value("haven_audit_entries")
    assert after.has("haven_index_passages")
    put_route = {"route": "/data/**", "method": "PUT", "status": "201"}
    assert after.value("haven_http_requests_total", **put_route) == before.value("haven_http_requests_total", **put_route) + 1
    text = requests.get(server.url + "/metrics", headers=bearer(server.home.token), timeout=30).text
    assert "random.bin" not in text and "metrics-test" not in text, "paths never become labels"


def test_the_owner_and_a_metrics_grant_may_read_metrics_others_may_not(server):
    url = server.url + "/metrics"
    reader = create_app_token(server, "prometheus")
    plain = create_app_token(server, "notes-app")

    assert_json_error(requests.get(url, timeout=30), 401, "missing_token")
    error = assert_json_error(requests.get(url, headers=bearer(reader), timeout=30), 403, "metrics_not_granted")
    assert "haven grant add --to app:prometheus --rights metrics" in error["message"]

    granted = run_haven("grant", "add", "--to", "app:prometheus", "--rights", "metrics", env=server.env)
    assert granted.returncode == 0, granted.stderr
    assert "metrics" in granted.stderr and "app:prometheus" in granted.stderr
    assert scrape(server, token=reader).type_of("haven_store_bytes") == "gauge"
    assert scrape(server).type_of("haven_store_bytes") == "gauge"
    assert_json_error(requests.get(url, headers=bearer(plain), timeout=30), 403, "metrics_not_granted")

    revoked = run_haven("grant", "revoke", granted.stdout.strip(), env=server.env)
    assert revoked.returncode == 0, revoked.stderr
    assert_json_error(requests.get(url, headers=bearer(reader), timeout=30), 403, "metrics_not_granted")
