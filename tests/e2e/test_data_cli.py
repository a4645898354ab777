"""The data, grant, share, audit and gc commands, as a person or a script uses them: results on
stdout, messages on stderr, one clear line and a non-zero exit for bad input."""

import json
import os
import subprocess

import pytest
import requests

from capability import Holder, decode, token_id, verify_signature
from conftest import HAVEN_BIN, assert_one_line_error, bearer, create_app_token, make_home, run_haven, start_server, stop_server


def haven_bytes(*args, env):
    """Runs the CLI with binary stdout."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("HAVEN_")}
    full_env.update(env)
    return subprocess.run([HAVEN_BIN, *args], env=full_env, capture_output=True, timeout=120)


def ok(result):
    assert result.returncode == 0, result.stderr
    return result


def curl(*args):
    result = subprocess.run(["curl", "-s", "-w", "\n%{http_code}", *args], capture_output=True, timeout=60)
    body, _, status = result.stdout.rpartition(b"\n")
    return int(status), body


def test_put_get_ls_log_rm_round_trip(server, tmp_path):
    env = server.env
    note = tmp_path / "todo.txt"
    note.write_text("buy milk\n")
    put = ok(run_haven("data", "put", str(note), "/notes/todo.txt", env=env))
    manifest_id = put.stdout.strip()
    assert manifest_id.startswith("baguqeera") and "\n" not in manifest_id
    assert "/notes/todo.txt" in put.stderr and "version 1" in put.stderr
    http = requests.get(server.url + "/data/notes/todo.txt", headers=bearer(server.home.token), timeout=30)
    assert http.headers["etag"] == f'"{manifest_id}"'
    assert http.headers["content-type"].startswith("text/plain")

    assert ok(run_haven("data", "get", "/notes/todo.txt", env=env)).stdout == "buy milk\n"

    # Binary content, to a file and to standard output, byte for byte.
    blob = os.urandom(700_000) + b"\0\r\n\xff"
    local = tmp_path / "blob.bin"
    local.write_bytes(blob)
    ok(run_haven("data", "put", str(local), "/notes/blob.bin", "--type", "application/x-blob", env=env))
    out = tmp_path / "out.bin"
    fetched = ok(run_haven("data", "get", "/notes/blob.bin", str(out), env=env))
    assert out.read_bytes() == blob
    assert str(len(blob)) in fetched.stderr
    assert not (tmp_path / "out.bin.haven-partial").exists()
    piped = haven_bytes("data", "get", "/notes/blob.bin", env=env)
    assert piped.returncode == 0 and piped.stdout == blob

    # A second version; --version reads the first.
    note.write_text("buy oat milk\n")
    assert ok(run_haven("data", "put", str(note), "/notes/todo.txt", env=env)).stdout.strip() != manifest_id
    assert ok(run_haven("data", "get", "/notes/todo.txt", env=env)).stdout == "buy oat milk\n"
    assert ok(run_haven("data", "get", "/notes/todo.txt", "--version", "1", env=env)).stdout == "buy milk\n"

    # A directory target keeps the file's name.
    report = tmp_path / "report.md"
    report.write_text("# Report\n")
    ok(run_haven("data", "put", str(report), "/notes/", env=env))
    assert ok(run_haven("data", "get", "/notes/report.md", env=env)).stdout == "# Report\n"

    listing = json.loads(ok(run_haven("data", "ls", "/notes/", "--json", env=env)).stdout)
    assert listing["path"] == "/notes/"
    entries = {e["name"]: e for e in listing["entries"]}
    assert set(entries) == {"blob.bin", "report.md", "todo.txt"}
    assert entries["blob.bin"]["media_type"] == "application/x-blob" and entries["blob.bin"]["size"] == len(blob)
    assert entries["todo.txt"]["version"] == 2
    table = ok(run_haven("data", "ls", "/notes", env=env)).stdout.splitlines()
    assert table[0].split() == ["NAME", "SIZE", "VERSION", "MODIFIED"]
    assert any(line.split()[:3] == ["todo.txt", "13", "v2"] for line in table[1:]), table
    root = ok(run_haven("data", "ls", env=env)).stdout
    assert "notes/" in root

    ok(run_haven("data", "rm", "/notes/todo.txt", env=env))
    assert_one_line_error(run_haven("data", "get", "/notes/todo.txt", env=env), "/notes/todo.txt")
    history = json.loads(ok(run_haven("data", "log", "/notes/todo.txt", "--json", env=env)).stdout)
    assert [(v["version"], v["deleted"]) for v in history["versions"]] == [(1, False), (2, False), (3, True)]
    log = ok(run_haven("data", "log", "/notes/todo.txt", env=env)).stdout.splitlines()
    assert log[0].split()[:2] == ["VERSION", "TIME"]
    assert len(log) == 4 and "deleted" in log[3] and manifest_id in log[1]
    assert ok(run_haven("data", "get", "/notes/todo.txt", "--version", "2", env=env)).stdout == "buy oat milk\n"


def test_a_grant_lets_an_app_read_over_http_until_revoked(server):
    env = server.env
    note = requests.put(server.url + "/data/notes/a.txt", data=b"note", headers=bearer(server.home.token), timeout=30)
    assert note.status_code == 201
    app = create_app_token(server, "reader")
    url = server.url + "/data/notes/a.txt"
    assert requests.get(url, headers=bearer(app), timeout=30).status_code == 403

    added = ok(run_haven("grant", "add", "--to", "app:reader", "--path", "/notes/", "--rights", "read,list",
                         "--expires", "7d", "--purpose", "note reader", env=env))
    grant_id = added.stdout.strip()
    assert grant_id and "\n" not in grant_id
    assert "read,list" in added.stderr and "/notes/" in added.stderr and "app:reader" in added.stderr
    assert requests.get(url, headers=bearer(app), timeout=30).content == b"note"
    assert requests.get(server.url + "/data/notes/", headers=bearer(app), timeout=30).status_code == 200
    assert requests.put(url, data=b"x", headers=bearer(app), timeout=30).status_code == 403
    # The CLI works with the app's token too, within the grant.
    as_app = {**env, "HAVEN_TOKEN": app}
    assert ok(run_haven("data", "get", "/notes/a.txt", env=as_app)).stdout == "note"
    assert_one_line_error(run_haven("data", "rm", "/notes/a.txt", env=as_app), "403")

    grants = json.loads(ok(run_haven("grant", "list", "--json", env=env)).stdout)["grants"]
    [grant] = [g for g in grants if g["id"] == grant_id]
    assert (grant["principal"], sorted(grant["rights"]), grant["resource"], grant["purpose"]) == \
        ("app:reader", ["list", "read"], "/notes/", "note reader")
    assert grant["expires_at"] and grant.get("revoked_at") is None
    assert grant_id in ok(run_haven("grant", "list", env=env)).stdout

    ok(run_haven("grant", "revoke", grant_id, env=env))
    assert requests.get(url, headers=bearer(app), timeout=30).status_code == 403
    assert grant_id not in ok(run_haven("grant", "list", env=env)).stdout

    # A grant that starts later gives nothing yet.
    later = ok(run_haven("grant", "add", "--to", "app:reader", "--path", "/notes/", "--rights", "read",
                         "--not-before", "1h", env=env)).stdout.strip()
    denied = requests.get(url, headers=bearer(app), timeout=30)
    assert denied.status_code == 403 and later in denied.json()["error"]["message"]


def test_share_prints_only_a_token_that_works_until_revoked(server, tmp_path):
    env = server.env
    owner = bearer(server.home.token)
    for path, body in [("/photos/trip/beach.jpg", b"beach"), ("/photos/home.jpg", b"home")]:
        assert requests.put(server.url + "/data" + path, data=body, headers=owner, timeout=30).status_code == 201
    holder = Holder()
    shared = ok(run_haven("share", "/photos/trip/", "--to", holder.did, "--rights", "read,list,share", "--expires",
                          "24h", env=env))
    lines = shared.stdout.splitlines()
    assert len(lines) == 1
    token = lines[0]
    header, payload, _ = decode(token)
    assert header == {"alg": "EdDSA", "typ": "JWT"} and payload["aud"] == holder.did
    owner_did = requests.get(server.url + "/haven/status", headers=owner, timeout=30).json()["owner"]
    assert payload["iss"] == owner_did and verify_signature(token, owner_did)
    share_id = token_id(token)
    assert share_id in shared.stderr

    status, body = curl("-H", f"Authorization: Bearer {token}", server.url + "/data/photos/trip/beach.jpg")
    assert (status, body) == (200, b"beach")
    status, body = curl("-H", f"Authorization: Bearer {token}", server.url + "/data/photos/trip/")
    assert status == 200 and [e["name"] for e in json.loads(body)["entries"]] == ["beach.jpg"]
    status, _ = curl("-H", f"Authorization: Bearer {token}", server.url + "/data/photos/home.jpg")
    assert status == 403
    status, _ = curl("-X", "PUT", "--data-binary", "x", "-H", f"Authorization: Bearer {token}",
                     server.url + "/data/photos/trip/beach.jpg")
    assert status == 403

    # The holder delegates a narrower token, which works as long as its parent does.
    friend = Holder()
    child = holder.delegate(friend.did, [("/photos/trip/beach.jpg", "read")], [token])
    assert requests.get(server.url + "/data/photos/trip/beach.jpg", headers=bearer(child), timeout=30).content == b"beach"

    listed = json.loads(ok(run_haven("share", "list", "--json", env=env)).stdout)["shares"]
    assert [s["audience"] for s in listed if s["id"] == share_id] == [holder.did]
    assert share_id in ok(run_haven("share", "list", env=env)).stdout

    ok(run_haven("share", "revoke", share_id, env=env))
    status, body = curl("-H", f"Authorization: Bearer {token}", server.url + "/data/photos/trip/beach.jpg")
    assert status == 401 and json.loads(body)["error"]["code"] == "invalid_capability"
    refused = requests.get(server.url + "/data/photos/trip/beach.jpg", headers=bearer(child), timeout=30)
    assert refused.status_code == 401 and share_id in refused.json()["error"]["message"]
    assert share_id not in ok(run_haven("share", "list", env=env)).stdout


def test_audit_list_and_verify(server):
    env = server.env
    owner = bearer(server.home.token)
    assert requests.put(server.url + "/data/notes/a.txt", data=b"a", headers=owner, timeout=30).status_code == 201
    app = create_app_token(server, "snoop")
    assert requests.get(server.url + "/data/notes/a.txt", headers=bearer(app), timeout=30).status_code == 403

    entries = json.loads(ok(run_haven("audit", "list", "--json", env=env)).stdout)["entries"]
    assert [(e["principal"], e["action"], e["resource"], e["allowed"]) for e in entries[:2]] == [
        ("app:snoop", "read", "/notes/a.txt", False), ("owner", "write", "/notes/a.txt", True)]
    for entry in entries:
        assert set(entry) - {"basis"} == {"sequence", "time", "principal", "action", "resource", "allowed", "reason",
                                          "previous_hash", "hash"}
    only_app = json.loads(ok(run_haven("audit", "list", "--principal", "app:snoop", "--json", env=env)).stdout)
    assert [e["principal"] for e in only_app["entries"]] == ["app:snoop"]
    by_path = json.loads(ok(run_haven("audit", "list", "--path", "/notes/", "--json", env=env)).stdout)
    assert len(by_path["entries"]) == 2
    table = ok(run_haven("audit", "list", env=env)).stdout
    assert "DENY" in table and "app:snoop" in table and "/notes/a.txt" in table

    verified = ok(run_haven("audit", "verify", env=env))
    assert "intact" in verified.stdout and "2 entries" in verified.stdout


def test_gc_reports_what_it_freed(server, tmp_path):
    env = server.env
    blob = tmp_path / "blob.bin"
    blob.write_bytes(os.urandom(600_000))
    ok(run_haven("data", "put", str(blob), "/tmp/blob.bin", env=env))
    ok(run_haven("data", "rm", "/tmp/blob.bin", env=env))
    kept = ok(run_haven("gc", env=env))
    assert "removed 0 chunks" in kept.stderr
    pruned = ok(run_haven("gc", "--keep-versions", "1", env=env))
    assert "Pruned 1 versions" in pruned.stderr and "removed 0 chunks" not in pruned.stderr
    assert_one_line_error(run_haven("gc", "--keep-versions", "0", env=env), "--keep-versions")


@pytest.fixture(scope="module")
def quiet_server(tmp_path_factory):
    """One server for the bad-input cases, which change nothing."""
    tmp = tmp_path_factory.mktemp("cli")
    server = start_server(make_home(tmp / "home"), tmp)
    try:
        seeded = requests.put(server.url + "/data/seed.txt", data=b"seed", headers=bearer(server.home.token), timeout=30)
        assert seeded.status_code == 201
        yield server
    finally:
        stop_server(server)


def test_put_reads_standard_input_when_the_file_is_a_dash(quiet_server):
    env = quiet_server.env
    content = os.urandom(3 << 20) + b"tail"  # several pieces, sent chunked: no length is known
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("HAVEN_")}
    full_env.update(env)
    put = subprocess.run([HAVEN_BIN, "data", "put", "-", "/piped/blob.bin"], input=content, env=full_env,
                         capture_output=True, timeout=120)
    assert put.returncode == 0, put.stderr
    assert b"/piped/blob.bin" in put.stderr and put.stdout.strip().startswith(b"baguqeera")
    assert ok(haven_bytes("data", "get", "/piped/blob.bin", env=env)).stdout == content
    # The media type comes from the path's name, or --type.
    text = subprocess.run([HAVEN_BIN, "data", "put", "-", "/piped/note.md"], input=b"# hi\n", env=full_env,
                          capture_output=True, timeout=60)
    assert text.returncode == 0, text.stderr
    head = requests.head(quiet_server.url + "/data/piped/note.md", headers=bearer(quiet_server.home.token), timeout=30)
    assert head.headers["Content-Type"].startswith("text/markdown"), head.headers
    # A directory target needs a file name, which standard input does not have: refused, nothing stored.
    refused = subprocess.run([HAVEN_BIN, "data", "put", "-", "/piped/"], input=b"x", env=full_env,
                             capture_output=True, text=False, timeout=60)
    assert refused.returncode != 0 and b"standard input" in refused.stderr and refused.stdout == b""
    listing = json.loads(ok(run_haven("data", "ls", "/piped/", "--json", env=env)).stdout)
    assert sorted((e["name"], e["size"]) for e in listing["entries"]) == [("blob.bin", len(content)), ("note.md", 5)]


@pytest.mark.parametrize(
    "args, fragments",
    [
        (["data", "put", "missing-file", "/x"], ["missing-file"]),
        (["data", "put", "{file}", "relative/path"], ["starts with '/'"]),
        (["data", "put", "{file}", "/a/../b"], [".."]),
        (["data", "get", "/nope"], ["/nope", "404"]),
        (["data", "get", "/notes/"], ["directory"]),
        (["data", "get", "/seed.txt", "--version", "7"], ["7"]),
        (["data", "rm", "/nope"], ["/nope"]),
        (["data", "log", "/nope"], ["/nope"]),
        (["data", "ls", "/nope/"], ["/nope/"]),
        (["grant", "add", "--to", "app:x", "--rights", "read"], ["need a path", "--path"]),
        (["grant", "add", "--to", "nobody", "--path", "/x/", "--rights", "read"], ["nobody"]),
        (["grant", "add", "--to", "app:x", "--path", "/x/", "--rights", "fly"], ["fly"]),
        (["grant", "add", "--to", "app:x", "--path", "/x/", "--rights", "read", "--expires", "soon"], ["--expires"]),
        (["grant", "revoke", "gnope"], ["gnope"]),
        (["share", "/x", "--to", "not-a-did", "--rights", "read"], ["did:key"]),
        (["share", "/x", "--to", "{did}", "--rights", "fly"], ["fly"]),
        (["share", "x", "--to", "{did}", "--rights", "read"], ["starts with '/'"]),
        (["share", "revoke", "nope"], ["nope"]),
        (["audit", "list", "--limit", "0"], ["limit"]),
    ],
)
def test_bad_input_gets_one_line(quiet_server, tmp_path, args, fragments):
    server = quiet_server
    local = tmp_path / "file.txt"
    local.write_text("x")
    did = Holder().did
    args = [a.replace("{file}", str(local)).replace("{did}", did) for a in args]
    result = run_haven(*args, env=server.env)
    assert_one_line_error(result, *fragments)
    assert result.stdout == ""
