"""Knowledge and agents through the real server and the real default model: indexing of every
supported file type, permission-filtered search, and an agent whose tool call runs under the
caller's rights."""

import json
from pathlib import Path

import pytest
import requests

from conftest import (MODEL, assert_json_error, bearer, create_app_token, make_home, run_haven, start_server,
                      stop_server, wait_indexed)


def minimal_pdf(text):
    """A one-page PDF 1.4 showing `text` in Helvetica, with a correct cross-reference table."""
    stream = f"BT /F1 18 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


EMAIL = (
    "From: Ada <ada@example.org>\r\n"
    "To: Owner <me@example.org>\r\n"
    "Subject: =?UTF-8?B?UXVhcnRlcmx5IHpldHRhYnl0ZSByZXBvcnQ=?=\r\n"
    "Date: Tue, 24 Nov 2026 10:00:00 +0000\r\n"
    "MIME-Version: 1.0\r\n"
    'Content-Type: multipart/mixed; boundary="b1"\r\n'
    "\r\n"
    "--b1\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "Content-Transfer-Encoding: quoted-printable\r\n"
    "\r\n"
    "The zettabyte migration finishes on Friday =E2=80=94 caf=C3=A9 at noon.\r\n"
    "--b1\r\n"
    "Content-Type: application/octet-stream\r\n"
    'Content-Disposition: attachment; filename="secret.bin"\r\n'
    "Content-Transfer-Encoding: base64\r\n"
    "\r\n"
    "cXVpbmNlbnR1cGxlIGF0dGFjaG1lbnQ=\r\n"
    "--b1--\r\n"
)

FILES = {
    "/docs/plain.txt": ("text/plain", b"The aardvark digs at dawn near the river."),
    "/docs/page.md": ("text/markdown", b"# Bicycle repair\n\nTo fix a **puncture**, find the [leak](http://x) first."),
    "/docs/page.html": ("text/html", b"<html><head><title>Chandelier care</title><style>.x{}</style>"
                                     b"<script>var hidden='jabberwock';</script></head>"
                                     b"<body><p>Dust the chandelier&nbsp;monthly.</p></body></html>"),
    "/docs/mail.eml": ("message/rfc822", EMAIL.encode()),
    "/docs/report.pdf": ("application/pdf", minimal_pdf("Haven keeps the lighthouse logbook")),
    "/docs/data.json": ("application/json", json.dumps({"station": {"name": "Quokka Point", "depth": 12}}).encode()),
    # A photo is searched by its metadata: camera, date, place and description (the fuzz seed's EXIF).
    "/docs/bridge.jpg": ("image/jpeg", (Path(__file__).resolve().parents[2] / "Fuzz/Corpus/extract-image/photo.jpg").read_bytes()),
}


def put(server, path, body, media_type, token=None):
    response = requests.put(server.url + "/data" + path, data=body, headers={
        **bearer(token or server.home.token), "Content-Type": media_type}, timeout=60)
    assert response.status_code == 201, response.text
    return response.json()


def search(server, query, token=None, k=10):
    response = requests.get(server.url + "/haven/search", params={"q": query, "k": k},
                            headers=bearer(token or server.home.token), timeout=60)
    assert response.status_code == 200, response.text
    return response.json()["hits"]


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    base = tmp_path_factory.mktemp("knowledge")
    home = make_home(base / "home")
    server = start_server(home, base)
    for path, (media_type, body) in FILES.items():
        put(server, path, body, media_type)
    put(server, "/team-a/plan.md", b"# Plan A\n\nThe marmalade budget is forty crowns.", "text/markdown")
    put(server, "/team-b/plan.md", b"# Plan B\n\nThe marmalade budget is ninety crowns.", "text/markdown")
    wait_indexed(server)
    yield server
    stop_server(server)


@pytest.mark.parametrize("query,path", [
    ("aardvark", "/docs/plain.txt"), ("puncture", "/docs/page.md"), ("chandelier", "/docs/page.html"),
    ("zettabyte", "/docs/mail.eml"), ("lighthouse logbook", "/docs/report.pdf"), ("quokka", "/docs/data.json"),
    ("Tower Bridge photo taken with a Canon EOS", "/docs/bridge.jpg"),
])
def test_every_supported_type_is_indexed(world, query, path):
    hits = search(world, query)
    assert hits and hits[0]["path"] == path, hits
    assert {"path", "version", "passage", "score", "snippet", "text"} <= set(hits[0])


def test_what_extraction_leaves_out_is_not_indexed(world):
    # Scripts and attachments are not text of the document: no passage holds them.
    assert not [h for h in search(world, "jabberwock") if "jabberwock" in h["text"]]
    assert not [h for h in search(world, "quincentuple attachment") if "quincentuple" in h["text"]]
    mail = [h for h in search(world, "zettabyte") if h["path"] == "/docs/mail.eml"][0]
    assert "café" in mail["text"] and "Quarterly zettabyte report" in mail["text"]


def test_search_sees_only_the_callers_grants_and_is_audited(world):
    alice, bob = create_app_token(world, "alice-k"), create_app_token(world, "bob-k")
    run_haven("grant", "add", "--to", "app:alice-k", "--path", "/team-a/", "--rights", "read", env=world_env(world), check=True)
    bob_grant = run_haven("grant", "add", "--to", "app:bob-k", "--path", "/team-b/", "--rights", "read",
                          env=world_env(world), check=True).stdout.strip()
    assert {h["path"] for h in search(world, "marmalade budget", alice)} == {"/team-a/plan.md"}
    assert {h["path"] for h in search(world, "marmalade budget", bob)} == {"/team-b/plan.md"}
    assert "forty" not in json.dumps(search(world, "marmalade forty", bob))
    entries = requests.get(world.url + "/haven/audit", params={"principal": "app:bob-k"},
                           headers=bearer(world.home.token), timeout=30).json()["entries"]
    assert entries and {e["resource"] for e in entries} == {"/team-b/plan.md"}
    assert all(e["allowed"] and "search" in e["reason"] for e in entries)
    run_haven("grant", "revoke", bob_grant, env=world_env(world), check=True)
    assert search(world, "marmalade budget", bob) == []
    nobody = create_app_token(world, "nobody-k")
    assert search(world, "marmalade", nobody) == []


def test_an_edit_and_a_delete_keep_the_index_exact(world):
    put(world, "/docs/edit.md", b"Original wording mentions pelicans.", "text/markdown")
    wait_indexed(world)
    assert search(world, "pelicans")[0]["path"] == "/docs/edit.md"
    put(world, "/docs/edit.md", b"Revised wording mentions flamingos.", "text/markdown")
    wait_indexed(world)
    assert not [h for h in search(world, "pelicans") if "pelicans" in h["text"]]
    hit = search(world, "flamingos")[0]
    assert hit["path"] == "/docs/edit.md" and hit["version"] == 2
    requests.delete(world.url + "/data/docs/edit.md", headers=bearer(world.home.token), timeout=30)
    wait_indexed(world)
    assert not [h for h in search(world, "flamingos") if h["path"] == "/docs/edit.md" or "flamingos" in h["text"]]


def test_the_index_survives_a_restart(tmp_path):
    home = make_home(tmp_path / "home")
    server = start_server(home, tmp_path)
    put(server, "/n/ocelot.md", b"The ocelot naps in the afternoon.", "text/markdown")
    wait_indexed(server)
    stop_server(server)
    server = start_server(home, tmp_path)
    try:
        wait_indexed(server)
        assert search(server, "ocelot")[0]["path"] == "/n/ocelot.md"
        rebuilt = run_haven("index", "rebuild", env={"HAVEN_HOME": str(home.path), "HAVEN_PORT": str(server.port)})
        assert rebuilt.returncode == 0, rebuilt.stderr
        assert search(server, "ocelot")[0]["path"] == "/n/ocelot.md"
    finally:
        stop_server(server)


def world_env(server):
    return {"HAVEN_HOME": str(server.home.path), "HAVEN_PORT": str(server.port)}


LOOKUP_AGENT = """
name = "lookup"
description = "Looks things up before answering."
instructions = "Answer the question. Use the search tool to find facts in the files first."
tools = ["search", "read", "list"]
scopes = ["/team-a/", "/docs/"]
max_steps = 3
tool_choice = "required"
"""


@pytest.fixture(scope="module")
def lookup(world, tmp_path_factory):
    """The `lookup` agent, added once for the tests that talk to it (each may run alone)."""
    agent_file = tmp_path_factory.mktemp("agents") / "lookup.toml"
    agent_file.write_text(LOOKUP_AGENT)
    added = run_haven("agent", "add", str(agent_file), env=world_env(world))
    assert added.returncode == 0, added.stderr
    return "lookup"


def test_an_agent_calls_a_tool_under_the_callers_rights(world, lookup):
    carol = create_app_token(world, "carol-k")
    for args in (["--path", "/team-a/", "--rights", "ai"], ["--rights", "infer"]):
        run_haven("grant", "add", "--to", "app:carol-k", *args, env=world_env(world), check=True)
    response = requests.post(world.url + "/haven/agents/lookup/chat",
                             json={"message": "What is the marmalade budget?"}, headers=bearer(carol), timeout=300)
    assert response.status_code == 200, response.text
    turn = response.json()
    calls = [t for t in turn["trace"] if t["type"] == "tool_call"]
    results = [t for t in turn["trace"] if t["type"] == "tool_result"]
    assert calls, turn
    assert calls[0]["name"] in {"search", "read", "list"}
    assert len(results) == len(calls)
    # Whatever the model asked for, nothing outside carol's grant (and the agent's scopes) came back.
    for result in results:
        assert "ninety" not in (result["text"] or "")
    assert turn["answer"] is not None
    # Every tool call was decided and recorded as carol, and none was allowed outside her grant.
    entries = requests.get(world.url + "/haven/audit", params={"principal": "app:carol-k"},
                           headers=bearer(world.home.token), timeout=30).json()["entries"]
    assert len(entries) >= len(calls)
    assert all("agent lookup" in e["reason"] for e in entries)
    # Its use of the model too: an `infer` decision under carol's grant, naming the agent.
    assert any(e["action"] == "infer" and e["allowed"] for e in entries), entries
    assert not [e for e in entries if e["allowed"] and e["resource"].startswith("/team-b/")]
    # The conversation was kept, and continues by id.
    conversation = requests.get(world.url + f"/haven/conversations/{turn['conversation_id']}",
                                headers=bearer(carol), timeout=30).json()
    roles = [m["role"] for m in conversation["messages"]]
    assert roles[0] == "user" and roles[-1] == "assistant" and "tool" in roles
    assert requests.get(world.url + f"/haven/conversations/{turn['conversation_id']}",
                        headers=bearer(world.home.token), timeout=30).status_code == 404
    follow_up = requests.post(world.url + "/haven/agents/lookup/chat",
                              json={"message": "And in which file?", "conversation_id": turn["conversation_id"]},
                              headers=bearer(carol), timeout=300)
    assert follow_up.status_code == 200, follow_up.text
    assert follow_up.json()["conversation_id"] == turn["conversation_id"]
    continued = requests.get(world.url + f"/haven/conversations/{turn['conversation_id']}",
                             headers=bearer(carol), timeout=30).json()
    users = [m["content"] for m in continued["messages"] if m["role"] == "user"]
    assert users == ["What is the marmalade budget?", "And in which file?"]
    listed = requests.get(world.url + "/haven/conversations", headers=bearer(carol), timeout=30).json()
    assert [c["id"] for c in listed["conversations"]] == [turn["conversation_id"]]
    deleted = requests.delete(world.url + f"/haven/conversations/{turn['conversation_id']}", headers=bearer(carol),
                              timeout=30)
    assert deleted.status_code == 204


def test_haven_chat_with_an_agent_shows_its_tool_calls(world, lookup):
    result = run_haven("chat", "--agent", "lookup", "-p", "Find the aardvark note.", env=world_env(world), timeout=300)
    assert result.returncode == 0, result.stderr
    assert "→ " in result.stderr and "← " in result.stderr
    assert result.stdout.strip()


def test_agents_answer_as_models_on_the_openai_api(world, lookup):
    import openai
    client = openai.OpenAI(base_url=world.url + "/v1", api_key=world.home.token)
    ids = [m.id for m in client.models.list()]
    assert MODEL in ids and "agent:assistant" in ids
    answer = client.chat.completions.create(
        model="agent:lookup", messages=[{"role": "user", "content": "Find the lighthouse logbook."}])
    assert answer.choices[0].message.role == "assistant"
    extension = answer.model_extra["haven"]
    assert extension["conversation_id"].startswith("conv_")
    assert any(t["type"] == "tool_call" for t in extension["trace"])


def test_agent_errors_are_clear(world):
    missing = requests.post(world.url + "/haven/agents/nobody/chat", json={"message": "hi"},
                            headers=bearer(world.home.token), timeout=30)
    assert_json_error(missing, 404, "agent_not_found")
    bad = requests.post(world.url + "/haven/agents", data='name = "x"\ntools = ["rm"]',
                        headers=bearer(world.home.token), timeout=30)
    assert_json_error(bad, 400, "invalid_agent")
