"""Failed authentication is counted, logged without secrets, and throttles only the client that
fails: requests from 127.0.0.2 are throttled while 127.0.0.1 is served at the same time."""

import base64
import os
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families
from requests.adapters import HTTPAdapter

from conftest import assert_json_error, bearer, run_haven, start_server, stop_server


class SourceAddress(HTTPAdapter):
    """Connects from a chosen local address, as another machine would."""

    def __init__(self, address):
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


def client_at(address):
    session = requests.Session()
    session.mount("http://", SourceAddress(address))
    return session


def b32(raw):
    return base64.b32encode(raw).decode().lower().rstrip("=")


@pytest.fixture
def strict_server(home, tmp_path):
    # Three failures a minute from one address, then a minute's wait.
    server = start_server(home, tmp_path, env={"HAVEN_AUTH_FAILURE_LIMIT": "3", "HAVEN_AUTH_PENALTY": "60s"})
    yield server
    stop_server(server)


def test_one_client_failing_is_throttled_while_another_is_served(strict_server):
    server = strict_server
    secret = b32(os.urandom(32))
    unknown = f"hvn_{b32(os.urandom(10))}_{secret}"
    attacker, bystander = client_at("127.0.0.2"), client_at("127.0.0.1")

    for _ in range(3):
        response = attacker.get(server.url + "/haven/whoami", headers=bearer(unknown), timeout=10)
        assert_json_error(response, 401, "invalid_token")

    # The attacker's next request, with the owner's valid token, and the bystander's, at once.
    with ThreadPoolExecutor(2) as pool:
        throttled = pool.submit(attacker.get, server.url + "/haven/whoami", headers=bearer(server.home.token), timeout=10)
        served = pool.submit(bystander.get, server.url + "/haven/whoami", headers=bearer(server.home.token), timeout=10)
        throttled, served = throttled.result(), served.result()
    error = assert_json_error(throttled, 429, "too_many_authentication_failures")
    assert error["type"] == "rate_limit_error"
    assert 1 <= int(throttled.headers["retry-after"]) <= 60
    assert served.status_code == 200, served.text
    assert served.json()["principal"] == "owner"

    # The bystander's own failure is a 401, not a 429; health stays open to the attacker.
    assert_json_error(bystander.get(server.url + "/haven/whoami", headers=bearer(unknown), timeout=10), 401, "invalid_token")
    assert attacker.get(server.url + "/healthz", timeout=10).status_code == 200

    status = run_haven("status", env=server.env)
    assert status.returncode == 0, status.stderr
    assert "denied before authentication: 4 (unknown 4); throttled clients: 1" in status.stdout, status.stdout
    assert "127.0.0.2 throttled for" in status.stdout, status.stdout
    answer = requests.get(server.url + "/haven/status", headers=bearer(server.home.token), timeout=10).json()
    assert answer["authentication"]["recent_throttles"][0]["client"] == "127.0.0.2"
    assert answer["authentication"]["throttled_requests"] == 1

    metrics = requests.get(server.url + "/metrics", headers=bearer(server.home.token), timeout=10)
    samples = {
        (sample.name, sample.labels.get("kind")): sample.value
        for family in text_string_to_metric_families(metrics.text) for sample in family.samples
    }
    assert samples[("haven_authentication_failures_total", "unknown")] == 4
    assert samples[("haven_authentication_failures_total", "revoked")] == 0
    assert samples[("haven_authentication_throttled_requests_total", None)] == 1
    assert samples[("haven_authentication_throttled_clients", None)] == 1

    log = server.log()
    failures = [line for line in log.splitlines() if "authentication failed" in line]
    assert len(failures) == 4, log
    assert any("client=127.0.0.2" in line and f"credential={unknown[:20]}" in line for line in failures), failures
    assert "client throttled after repeated authentication failures" in log
    for secret_text in [secret, server.home.token.split("_")[-1]]:
        assert secret_text not in log and secret_text.upper() not in log
