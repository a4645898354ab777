"""The HTTP surface through real clients: curl and Python requests."""

import json
import subprocess

import requests

from conftest import run_haven

PROTECTED = ["/haven/status", "/haven/whoami", "/haven/tokens", "/v1/models", "/api/tags", "/data/a", "/mcp"]


def curl(*args):
    result = subprocess.run(["curl", "-s", "-w", "\n%{http_code}", *args], capture_output=True, text=True, timeout=30)
    body, _, status = result.stdout.rpartition("\n")
    return int(status), body


def assert_error_shape(response, status, code):
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    error = response.json()["error"]
    assert set(error) >= {"message", "type", "code"}
    assert error["code"] == code
    assert error["message"]
    return error


def test_healthz_answers_without_a_token(server):
    status, body = curl(server.url + "/healthz")
    assert status == 200
    assert json.loads(body) == {"status": "ok"}


def test_exchange_routes_need_a_servers_signature_not_a_token(server):
    for headers in ({}, {"Authorization": f"Bearer {server.home.token}"}):
        response = requests.get(server.url + "/exchange/v1/feed?path=/", headers=headers, timeout=10)
        assert_error_shape(response, 401, "invalid_signature")


def test_every_other_route_needs_a_token(server):
    for path in PROTECTED:
        response = requests.get(server.url + path, timeout=10)
        error = assert_error_shape(response, 401, "missing_token")
        assert error["type"] == "authentication_error"
        assert response.headers["www-authenticate"].startswith("Bearer")


def test_a_wrong_token_gets_401(server):
    wrong = "hvn_aaaaaaaaaaaaaaaa_" + "b" * 52
    for token in [wrong, server.home.token[:-1] + ("a" if server.home.token[-1] != "a" else "b"), "nonsense"]:
        response = requests.get(server.url + "/haven/status", headers={"Authorization": f"Bearer {token}"}, timeout=10)
        assert_error_shape(response, 401, "invalid_token")


def test_status_reports_version_owner_and_uptime(server):
    status, body = curl("-H", f"Authorization: Bearer {server.home.token}", server.url + "/haven/status")
    assert status == 200
    answer = json.loads(body)
    assert answer["version"] == "0.1.0"
    assert answer["owner"].startswith("did:key:z6Mk")
    assert answer["uptime_seconds"] >= 0


def test_a_cli_token_works_and_stops_working_after_revoke(server):
    created = run_haven("token", "create", "--name", "laptop", env=server.env)
    assert created.returncode == 0, created.stderr
    token = created.stdout.strip()
    assert token.startswith("hvn_") and "\n" not in token
    assert "laptop" in created.stderr

    status, body = curl("-H", f"Authorization: Bearer {token}", server.url + "/haven/whoami")
    assert status == 200
    assert json.loads(body)["principal"] == "app:laptop"
    whoami = run_haven("whoami", env={**server.env, "HAVEN_TOKEN": token})
    assert whoami.stdout.strip() == "app:laptop"

    listed = run_haven("token", "list", "--json", env=server.env)
    assert [t["name"] for t in json.loads(listed.stdout)["tokens"]] == ["owner", "laptop"]
    assert token not in listed.stdout

    # An app token may not manage tokens.
    refused = run_haven("token", "create", "--name", "sneaky", env={**server.env, "HAVEN_TOKEN": token})
    assert refused.returncode != 0
    assert "only the owner" in refused.stderr and "403" in refused.stderr

    revoked = run_haven("token", "revoke", "laptop", env=server.env)
    assert revoked.returncode == 0, revoked.stderr

    response = requests.get(server.url + "/haven/whoami", headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert_error_shape(response, 401, "token_revoked")
    after = run_haven("whoami", env={**server.env, "HAVEN_TOKEN": token})
    assert after.returncode != 0
    assert len(after.stderr.strip().splitlines()) == 1 and "revoked" in after.stderr


def test_request_ids_are_returned_and_logged(server):
    response = requests.get(server.url + "/haven/status", headers={"Authorization": f"Bearer {server.home.token}"}, timeout=10)
    request_id = response.headers["x-request-id"]
    assert request_id
    # The server's structured log carries the same id for this request.
    server.stop()
    assert f"hb.request.id={request_id}" in server.log()


def test_malformed_and_oversized_bodies_get_json_errors(server):
    headers = {"Authorization": f"Bearer {server.home.token}", "Content-Type": "application/json"}
    malformed = requests.post(server.url + "/haven/tokens", data="{not json", headers=headers, timeout=10)
    assert_error_shape(malformed, 400, "bad_request")
    huge = requests.post(server.url + "/haven/tokens", data="x" * (2 << 20), headers=headers, timeout=10)
    assert_error_shape(huge, 413, "request_too_large")
    listed = run_haven("token", "list", "--json", env=server.env)
    assert [t["name"] for t in json.loads(listed.stdout)["tokens"]] == ["owner"]
