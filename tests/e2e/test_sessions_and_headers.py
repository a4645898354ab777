"""The web app's server side without a browser: sessions made from login links and tokens,
listed and revoked from the CLI; the headers that keep stored files inert; and a streamed agent
answer that stops on the server when its client goes away (the page's Stop button)."""

import json
import time

import pytest
import requests

from conftest import (MODEL, assert_json_error, assert_one_line_error, bearer, create_app_token, make_home,
                      run_haven, start_server, stop_server)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("web-api")
    server = start_server(make_home(tmp / "home"), tmp)
    yield server
    stop_server(server)


def same_origin(server):
    return {"Origin": server.url, "Content-Type": "application/json"}


def sign_in(server, **body):
    """Signs in as a browser would and returns the session (a requests.Session holding the cookie)."""
    browser = requests.Session()
    response = browser.post(server.url + "/haven/session", json=body, headers=same_origin(server), timeout=30)
    assert response.status_code == 201, response.text
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Secure" not in cookie
    browser.headers.update({"Origin": server.url})
    return browser, response.json()


def test_open_prints_a_link_that_signs_in_once(server):
    result = run_haven("open", "--no-browser", env=server.env)
    assert result.returncode == 0, result.stderr
    url = result.stdout.strip()
    assert url.startswith(server.url + "/#login="), url
    code = url.split("#login=", 1)[1]
    browser, session = sign_in(server, code=code)
    assert session["principal"] == "owner"
    assert browser.get(server.url + "/haven/whoami", timeout=30).json()["principal"] == "owner"
    again = requests.post(server.url + "/haven/session", json={"code": code}, headers=same_origin(server), timeout=30)
    assert_json_error(again, 401, "invalid_login_code")
    assert "set-cookie" not in again.headers


def test_open_without_a_server_says_so_in_one_line(server, tmp_path):
    env = dict(server.env, HAVEN_PORT="1")
    assert_one_line_error(run_haven("open", "--no-browser", env=env), "server")


def test_the_cli_lists_and_revokes_a_browser_session(server):
    token = create_app_token(server, "tablet")
    browser, session = sign_in(server, token=token)
    listed = run_haven("session", "list", "--json", env=server.env)
    assert listed.returncode == 0, listed.stderr
    ids = {s["id"]: s for s in json.loads(listed.stdout)["sessions"]}
    assert ids[session["id"]]["principal"] == "app:tablet"
    table = run_haven("session", "list", env=server.env).stdout
    assert session["id"] in table and "app:tablet" in table

    assert browser.get(server.url + "/haven/whoami", timeout=30).status_code == 200
    revoked = run_haven("session", "revoke", session["id"], env=server.env)
    assert revoked.returncode == 0, revoked.stderr
    assert_json_error(browser.get(server.url + "/haven/whoami", timeout=30), 401, "session_ended")
    assert_one_line_error(run_haven("session", "revoke", session["id"], env=server.env), session["id"])


def test_revoking_the_token_ends_its_sessions(server):
    token = create_app_token(server, "watch")
    browser, _ = sign_in(server, token=token)
    assert browser.get(server.url + "/haven/whoami", timeout=30).status_code == 200
    assert run_haven("token", "revoke", "watch", env=server.env).returncode == 0
    assert_json_error(browser.get(server.url + "/haven/whoami", timeout=30), 401, "session_ended")


def test_an_apps_login_link_signs_in_as_the_app(server):
    token = create_app_token(server, "phone")
    made = requests.post(server.url + "/haven/login-links", headers=bearer(token), timeout=30)
    assert made.status_code == 201, made.text
    browser, session = sign_in(server, code=made.json()["code"])
    assert session["principal"] == "app:phone"
    # The app's browser may not do what the app may not.
    assert_json_error(browser.get(server.url + "/haven/tokens", timeout=30), 403, "owner_only")


def test_a_cookie_from_another_origin_is_refused_and_changes_nothing(server):
    browser, _ = sign_in(server, token=server.home.token)
    before = requests.get(server.url + "/haven/tokens", headers=bearer(server.home.token), timeout=30).json()["tokens"]
    forged = browser.post(server.url + "/haven/tokens", json={"name": "forged"},
                          headers={"Origin": "http://127.0.0.1:1", "Content-Type": "application/json"}, timeout=30)
    assert_json_error(forged, 403, "cross_site_request")
    after = requests.get(server.url + "/haven/tokens", headers=bearer(server.home.token), timeout=30).json()["tokens"]
    assert after == before
    made = browser.post(server.url + "/haven/tokens", json={"name": "fine"}, timeout=30)
    assert made.status_code == 201, made.text


def test_a_stored_html_file_is_served_inert(server):
    page = b"<html><script>alert(1)</script></html>"
    put = requests.put(server.url + "/data/web/evil.html", data=page,
                       headers={**bearer(server.home.token), "Content-Type": "text/html"}, timeout=30)
    assert put.status_code == 201, put.text
    got = requests.get(server.url + "/data/web/evil.html", headers=bearer(server.home.token), timeout=30)
    assert got.content == page
    assert "sandbox" in got.headers["content-security-policy"]
    assert "default-src 'none'" in got.headers["content-security-policy"]
    assert got.headers["x-content-type-options"] == "nosniff"
    # The web app's own page has its own policy: scripts from this origin only.
    index = requests.get(server.url + "/", timeout=30)
    assert index.status_code == 200
    assert "script-src 'self'" in index.headers["content-security-policy"]
    assert "unsafe-inline" not in index.headers["content-security-policy"]


def running(server):
    status = requests.get(server.url + "/haven/status", headers=bearer(server.home.token), timeout=30).json()
    return sum(model["running"] for model in status["models"])


def test_closing_a_streamed_agent_answer_stops_the_run(server):
    body = {"message": "Without using any tool, write a very long story about a dragon and a lighthouse.",
            "stream": True}
    response = requests.post(server.url + "/haven/agents/assistant/chat", json=body, headers=bearer(server.home.token),
                             stream=True, timeout=60)
    assert response.status_code == 200, response.text
    # Read until the model is at work, then hang up as the page's Stop button does.
    deadline = time.monotonic() + 60
    lines = response.iter_lines()
    while running(server) == 0:
        assert time.monotonic() < deadline, "the agent never started"
        next(lines)
    response.close()
    # Within 5 s (the server notices within its 1 s keep-alive): a story this long takes the
    # model far longer to finish by itself, so only the cancellation passes this.
    deadline = time.monotonic() + 5
    while running(server) > 0:
        assert time.monotonic() < deadline, "the agent kept running after its client left"
        time.sleep(0.2)


def test_the_audit_log_filters_by_decision(server):
    token = create_app_token(server, "reader")
    denied = requests.get(server.url + "/data/web/secret.txt", headers=bearer(token), timeout=30)
    assert denied.status_code == 403
    owner = bearer(server.home.token)
    only_denied = requests.get(server.url + "/haven/audit", params={"decision": "denied"}, headers=owner, timeout=30)
    assert only_denied.status_code == 200, only_denied.text
    entries = only_denied.json()["entries"]
    assert entries and not any(entry["allowed"] for entry in entries)
    assert any(e["principal"] == "app:reader" and e["resource"] == "/web/secret.txt" for e in entries)
    only_allowed = requests.get(server.url + "/haven/audit", params={"decision": "allowed"}, headers=owner, timeout=30)
    assert only_allowed.json()["entries"] and all(entry["allowed"] for entry in only_allowed.json()["entries"])
    assert_json_error(requests.get(server.url + "/haven/audit", params={"decision": "maybe"}, headers=owner, timeout=30),
                      400, "invalid_request")
    cli = run_haven("audit", "list", "--decision", "denied", "--json", env=server.env)
    assert cli.returncode == 0, cli.stderr
    assert not any(entry["allowed"] for entry in json.loads(cli.stdout)["entries"])


def test_two_havens_on_one_host_keep_their_own_sessions(server, tmp_path):
    # Browsers keep cookies per host, not per port: one cookie jar signs in to both.
    second = start_server(make_home(tmp_path / "second"), tmp_path)
    try:
        browser = requests.Session()
        for haven in (server, second):
            signed = browser.post(haven.url + "/haven/session", json={"token": haven.home.token},
                                  headers=same_origin(haven), timeout=30)
            assert signed.status_code == 201, signed.text
        assert len({cookie.name for cookie in browser.cookies}) == 2
        for haven in (server, second):
            whoami = browser.get(haven.url + "/haven/whoami", headers={"Origin": haven.url}, timeout=30)
            assert whoami.status_code == 200, whoami.text
    finally:
        stop_server(second)
