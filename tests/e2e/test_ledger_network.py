"""The ledger between three servers on loopback: they witness each other's logs (C2SP
tlog-witness, cosignatures published with each checkpoint, a tlog-policy), a licence limited to a
purpose, a number of uses and a date allows exactly that through /data and /exchange with every
decision audited under its rule, ownership moves A -> B -> C with proofs on all three, and a
server that rewrites its log's files is caught by its witnesses on their next check.

The tests share three servers (alice, bob, carol, each a peer of the others) and run in file
order: the rewrite of alice's log comes last."""

import base64
import hashlib
import json
import os
import struct
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from conftest import assert_json_error, bearer, make_home, run_haven, start_server, stop_server
from exchange_helpers import cli, ok, owner_did, put, restart, wait_for
from signing import ServerKey, send
from web_helpers import CHROMIUM, go, signed_in_page, tid

RESEARCH = "dpv:ResearchAndDevelopment"


@dataclass
class Net:
    a: object
    b: object
    c: object
    did: dict
    key: dict
    base: Path


@pytest.fixture(scope="module")
def net(tmp_path_factory):
    base = tmp_path_factory.mktemp("ledger-network")
    started = []
    net = None
    try:
        for name in ("alice", "bob", "carol"):
            started.append(start_server(make_home(base / name), base))
        a, b, c = started
        did = {name: owner_did(server) for name, server in zip("abc", started)}
        key = {name: ServerKey.of(server.home.path) for name, server in zip("abc", started)}
        names = {"a": "alice", "b": "bob", "c": "carol"}
        servers = {"a": a, "b": b, "c": c}
        for me, server in servers.items():
            for other, peer in servers.items():
                if other != me:
                    ok(cli(server, "peer", "add", peer.url, "--name", names[other]))
        net = Net(a=a, b=b, c=c, did=did, key=key, base=base)
        yield net
    finally:
        # A test restarts alice (net.a is then a new process): stop whoever runs now, too.
        for server in started + ([net.a, net.b, net.c] if net else []):
            stop_server(server)


# --- Signed notes, checked in Python from the published formats -------------------------------


def public_key(did):
    alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
    number = 0
    for char in did[len("did:key:z"):]:
        number = number * 58 + alphabet.index(char)
    raw = number.to_bytes(34, "big")
    assert raw[:2] == b"\xed\x01"
    return raw[2:]


def key_id(name, kind, raw):
    return hashlib.sha256(name.encode() + b"\n" + bytes([kind]) + raw).digest()[:4]


def split_note(text):
    body, signatures = text.split("\n\n", 1)
    return body + "\n", [line.split(" ") for line in signatures.splitlines()]


def cosigners(note_text, witnesses):
    """The witnesses (by did) whose tlog-cosignature/v1 over the checkpoint verifies."""
    body, lines = split_note(note_text)
    found = set()
    for dash, name, signature in lines:
        assert dash == "\u2014"
        if name not in witnesses:
            continue
        raw = base64.b64decode(signature)
        pub = public_key(name)
        if raw[:4] != key_id(name, 0x04, pub):
            continue
        timestamp = struct.unpack(">Q", raw[4:12])[0]
        message = f"cosignature/v1\ntime {timestamp}\n".encode() + body.encode()
        Ed25519PublicKey.from_public_bytes(pub).verify(raw[12:], message)
        found.add(name)
    return found


def checkpoint(server):
    response = requests.get(server.url + "/ledger/checkpoint", timeout=30)
    assert response.status_code == 200, response.text
    return response.text


def checkpoint_size(server):
    return int(split_note(checkpoint(server))[0].split("\n")[1])


def data_cid(server, path):
    response = requests.head(server.url + "/data" + path, headers=bearer(server.home.token), timeout=30)
    assert response.status_code == 200, response.text
    return response.headers["etag"].strip('"')


def audit(server, principal):
    response = requests.get(server.url + "/haven/audit", params={"principal": principal, "limit": 200},
                            headers=bearer(server.home.token), timeout=30)
    assert response.status_code == 200, response.text
    return response.json()["entries"]


# --- Witnessing --------------------------------------------------------------------------------


def test_three_servers_witness_each_other_and_publish_cosigned_checkpoints(net):
    for server, peers in ((net.a, ("bob", "carol")), (net.b, ("alice", "carol")), (net.c, ("alice", "bob"))):
        for peer in peers:
            result = ok(cli(server, "witness", "add", peer))
            assert ": empty" in result.stdout or ": consistent" in result.stdout, result.stdout
    # A record on each log: every server's checkpoint comes back cosigned by both others.
    for server in (net.a, net.b, net.c):
        name = f"/notes/{server.port}.txt"
        put(server, name, b"witnessed\n", "text/plain")
        ok(cli(server, "own", "mint", name))
    for me, server in (("a", net.a), ("b", net.b), ("c", net.c)):
        others = {net.did[x] for x in "abc" if x != me}
        wait_for(lambda: cosigners(checkpoint(server), others) == others,
                 lambda: f"cosignatures by {others} on {server.url}: {checkpoint(server)}", seconds=60)

    # The log's witness policy (C2SP tlog-policy) names both witnesses and a quorum.
    policy = requests.get(net.a.url + "/ledger/policy", timeout=30)
    assert policy.status_code == 200
    lines = policy.text.splitlines()
    assert lines[0].startswith("log " + net.did["a"] + "+")
    assert sum(line.startswith("witness ") for line in lines) == 2
    assert "quorum witnesses" in lines

    # Each witness says what it saw; nothing contradicts.
    listing = json.loads(ok(cli(net.b, "witness", "list", "--json")).stdout)
    assert {log["origin"] for log in listing["witnessed"]} == {net.did["a"], net.did["c"]}
    assert {w["name"] for w in listing["witnesses"]} == {net.did["a"], net.did["c"]}
    assert listing["evidence"] == []
    check = ok(cli(net.b, "witness", "check"))
    assert check.stdout.count(": consistent") == 2, check.stdout


def test_an_offline_proof_verifies_with_the_witness_policy_and_fails_when_changed(net, tmp_path):
    put(net.a, "/notes/offline.txt", b"proof me\n", "text/plain")
    record = ok(cli(net.a, "own", "mint", "/notes/offline.txt")).stdout.strip()
    others = {net.did["b"], net.did["c"]}
    wait_for(lambda: cosigners(checkpoint(net.a), others) == others, "the new checkpoint cosigned", seconds=60)
    proof = tmp_path / "x.tlog-proof"
    proof.write_bytes(ok(cli(net.a, "ledger", "proof", record)).stdout.encode())
    policy = tmp_path / "alice.policy"
    policy.write_text(requests.get(net.a.url + "/ledger/policy", timeout=30).text)
    key = ok(cli(net.a, "ledger", "key")).stdout.strip()

    # No server at all: a bare environment, the files alone.
    bare = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path)}
    verified = run_haven("ledger", "verify", str(proof), "--policy", str(policy), env=bare)
    assert verified.returncode == 0, verified.stderr
    assert "witnessed: the checkpoint satisfies the witness policy" in verified.stdout
    assert run_haven("ledger", "verify", str(proof), "--log", key, "--policy", str(policy), env=bare).returncode == 0

    # A policy asking for a witness that did not cosign is not satisfied.
    raw = public_key(net.did["b"])
    fake_name = "did:key:z6MkStrangerWitness"
    fake_vkey = f"{fake_name}+{key_id(fake_name, 0x04, raw).hex()}+{base64.b64encode(bytes([4]) + raw).decode()}"
    strict = tmp_path / "strict.policy"
    strict.write_text(f"log {key}\nwitness w1 {fake_vkey}\nquorum w1\n")
    refused = run_haven("ledger", "verify", str(proof), "--policy", str(strict), env=bare)
    assert refused.returncode != 0 and "witness policy" in refused.stderr, (refused.stdout, refused.stderr)

    # Any changed byte fails: up to the log's own signature with the log's key alone; in a
    # witness's cosignature, with a policy that needs every witness.
    data = proof.read_bytes()
    signatures = [i for i in range(len(data)) if data.startswith("\u2014 ".encode(), i)]
    assert len(signatures) == 3, data  # the log's, then bob's and carol's cosignatures
    everyone = tmp_path / "everyone.policy"
    lines = [line for line in policy.read_text().splitlines() if not line.startswith(("group", "quorum"))]
    everyone.write_text("\n".join(lines + ["group both all w1 w2", "quorum both"]) + "\n")
    assert run_haven("ledger", "verify", str(proof), "--policy", str(everyone), env=bare).returncode == 0
    for index in list(range(0, signatures[1], max(1, signatures[1] // 60))) + list(range(signatures[1] + 4, len(data) - 2, 7)):
        changed = bytearray(data)
        changed[index] ^= 0x01
        broken = tmp_path / "broken.tlog-proof"
        broken.write_bytes(bytes(changed))
        check = ["--log", key] if index < signatures[1] else ["--policy", str(everyone)]
        result = run_haven("ledger", "verify", str(broken), *check, env=bare)
        assert result.returncode != 0, f"a proof with byte {index} changed still verified ({check[0]})"


# --- Licences ----------------------------------------------------------------------------------


def licence_policy(cid, assignee, uid, until):
    return json.dumps({
        "@context": ["http://www.w3.org/ns/odrl.jsonld", {"dpv": "https://w3id.org/dpv#"}],
        "@type": "Set",
        "uid": f"urn:uuid:{uid}-policy",
        "permission": [{
            "uid": f"urn:uuid:{uid}",
            "action": "use",
            "target": cid,
            "assignee": assignee,
            "constraint": [
                {"leftOperand": "purpose", "operator": "isA", "rightOperand": RESEARCH},
                {"leftOperand": "count", "operator": "lteq", "rightOperand": 3},
                {"leftOperand": "dateTime", "operator": "lt", "rightOperand": until},
            ],
        }],
    })


def data_use(server, path, token, purpose=None):
    headers = bearer(token)
    if purpose:
        headers["Haven-Purpose"] = purpose
    return requests.get(server.url + "/data" + path, headers=headers, timeout=30)


def exchange_use(key, server, rest, token, purpose=None):
    prepared = key.prepare("GET", server.url + "/exchange/v1/" + rest, token=token)
    if purpose:
        prepared.headers["Haven-Purpose"] = purpose
    return send(prepared)


def test_a_licence_allows_exactly_its_purpose_count_and_date_through_data_and_exchange(net, tmp_path):
    body = b"Quarterly figures, for research only.\n"
    put(net.a, "/reports/q1.txt", body, "text/plain")
    ok(cli(net.a, "own", "mint", "/reports/q1.txt"))
    cid = data_cid(net.a, "/reports/q1.txt")

    # A policy outside the subset is refused when the licence is made, and nothing is recorded.
    loose = tmp_path / "loose.json"
    loose.write_text(licence_policy(cid, net.did["b"], "loose", "2099-01-01T00:00:00Z").replace('"use"', '"play"'))
    refused = cli(net.a, "own", "licence", cid, "--to", net.did["b"], "--policy", str(loose))
    assert refused.returncode != 0 and "play" in refused.stderr
    response = requests.post(net.a.url + "/haven/own/licence", headers=bearer(net.a.home.token), timeout=30,
                             json={"content": cid, "to": net.did["b"], "policy": loose.read_text()})
    assert_json_error(response, 400, "invalid_policy")
    before = json.loads(ok(cli(net.a, "own", "show", cid)).stdout)
    assert [r["kind"] for r in before["records"]] == ["mint"]

    good = tmp_path / "research.json"
    good.write_text(licence_policy(cid, net.did["b"], "research-for-bob", "2099-01-01T00:00:00Z"))
    issued = json.loads(ok(cli(net.a, "own", "licence", cid, "--to", net.did["b"], "--policy", str(good), "--json")).stdout)
    token = issued["token"]
    assert issued["record"]["kind"] == "licence" and issued["record"]["proof"]

    # Refused, and not counted: no purpose, another purpose, a purpose that is not DPV.
    assert_json_error(data_use(net.a, "/reports/q1.txt", token), 403, "access_denied")
    denied = data_use(net.a, "/reports/q1.txt", token, "dpv:Marketing")
    assert_json_error(denied, 403, "access_denied")
    assert "urn:uuid:research-for-bob" in denied.json()["error"]["message"]
    assert_json_error(data_use(net.a, "/reports/q1.txt", token, "research please"), 400, "invalid_purpose")

    # Three uses, across /data and /exchange; a narrower DPV purpose counts as research.
    first = data_use(net.a, "/reports/q1.txt", token, RESEARCH)
    assert first.status_code == 200 and first.content == body
    second = exchange_use(net.key["b"], net.a, f"manifest/{cid}", token, RESEARCH)
    assert second.status_code == 200, second.text
    third = data_use(net.a, "/reports/q1.txt", token, "dpv:AcademicResearch")
    assert third.status_code == 200 and third.content == body
    # The fourth use is refused, by the same rule, through either door.
    fourth = data_use(net.a, "/reports/q1.txt", token, RESEARCH)
    assert_json_error(fourth, 403, "access_denied")
    assert "urn:uuid:research-for-bob" in fourth.json()["error"]["message"]
    assert_json_error(exchange_use(net.key["b"], net.a, f"manifest/{cid}", token, RESEARCH), 403, "access_denied")

    # Every decision is audited with the rule that decided it.
    entries = audit(net.a, "peer:" + net.did["b"])
    licensed = [e for e in entries if e["resource"] == "/reports/q1.txt"]
    allowed = [e for e in licensed if e["allowed"]]
    assert len(allowed) == 3, licensed
    assert all("urn:uuid:research-for-bob" in e["reason"] for e in allowed), allowed
    assert {e["action"] for e in allowed} == {"read", "exchange.manifest"}
    refusals = [e for e in licensed if not e["allowed"]]
    assert len(refusals) >= 4 and all("research-for-bob" in e["reason"] or "purpose" in e["reason"] for e in refusals), refusals

    # A licence whose date has passed allows nothing, the same request done in time aside.
    late = tmp_path / "late.json"
    late.write_text(licence_policy(cid, net.did["c"], "too-late-for-carol", "2020-01-01T00:00:00Z"))
    token_c = json.loads(ok(cli(net.a, "own", "licence", cid, "--to", net.did["c"], "--policy", str(late), "--json")).stdout)["token"]
    expired = data_use(net.a, "/reports/q1.txt", token_c, RESEARCH)
    assert_json_error(expired, 403, "access_denied")
    assert "too-late-for-carol" in expired.json()["error"]["message"]

    # Revoking a licence stops its token at once; the ledger holds the revocation with its proof.
    timely = tmp_path / "timely.json"
    timely.write_text(licence_policy(cid, net.did["c"], "for-carol", "2099-01-01T00:00:00Z"))
    carol = json.loads(ok(cli(net.a, "own", "licence", cid, "--to", net.did["c"], "--policy", str(timely), "--json")).stdout)
    assert data_use(net.a, "/reports/q1.txt", carol["token"], RESEARCH).status_code == 200
    # Carol's server pulls it, stating the purpose; without one, the licence refuses the copy.
    unstated = cli(net.c, "pull", "alice:/reports/q1.txt", "/from/alice/q1-unstated.txt", "--capability", carol["token"])
    assert unstated.returncode != 0 and "urn:uuid:for-carol" in unstated.stderr, unstated.stderr
    pulled = cli(net.c, "pull", "alice:/reports/q1.txt", "/from/alice/q1.txt", "--purpose", RESEARCH)
    assert pulled.returncode == 0, pulled.stderr
    copy = requests.get(net.c.url + "/data/from/alice/q1.txt", headers=bearer(net.c.home.token), timeout=30)
    assert copy.status_code == 200 and copy.content == body
    ok(cli(net.a, "own", "revoke", carol["record"]["id"]))
    assert_json_error(data_use(net.a, "/reports/q1.txt", carol["token"], RESEARCH), 401, "invalid_capability")
    shown = json.loads(ok(cli(net.a, "own", "show", cid)).stdout)
    assert [r["kind"] for r in shown["records"]] == ["mint", "licence", "licence", "licence"]
    assert shown["owner"] == net.did["a"]


# --- Transfers ---------------------------------------------------------------------------------


def verify_records(server, records, tmp_path):
    """Every record's .tlog-proof verifies offline against `server`'s log key."""
    key = ok(cli(server, "ledger", "key")).stdout.strip()
    for record in records:
        assert record["proof"], record
        path = tmp_path / f"{record['id']}.tlog-proof"
        path.write_text(record["proof"])
        result = run_haven("ledger", "verify", str(path), "--log", key, env={"PATH": os.environ.get("PATH", "")})
        assert result.returncode == 0, result.stderr
        assert record["id"] in result.stdout


def test_a_transfer_shows_up_with_proofs_on_all_three_servers(net, tmp_path):
    put(net.a, "/photos/sunset.jpg", os.urandom(50_000), "image/jpeg")
    ok(cli(net.a, "own", "mint", "/photos/sunset.jpg"))
    cid = data_cid(net.a, "/photos/sunset.jpg")

    # Only the owner may transfer; a stranger's DID is refused before anything is recorded.
    stranger = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"
    refused = cli(net.a, "own", "transfer", cid, "--to", stranger)
    assert refused.returncode != 0 and "not a known peer" in refused.stderr
    assert_json_error(requests.post(net.b.url + "/haven/own/transfer", headers=bearer(net.b.home.token), timeout=30,
                                    json={"content": cid, "to": net.did["c"]}), 404, "not_found")

    moved = ok(cli(net.a, "own", "transfer", cid, "--to", net.did["b"]))
    assert "recorded its acceptance" in moved.stderr
    # The same command again delivers the same transfer again: no second record anywhere.
    again = ok(cli(net.a, "own", "transfer", cid, "--to", net.did["b"]))
    assert again.stdout.strip() == moved.stdout.strip()
    at_b = json.loads(ok(cli(net.b, "own", "show", cid)).stdout)
    assert at_b["owner"] == net.did["b"]
    assert [r["kind"] for r in at_b["records"]] == ["mint", "transfer"]
    verify_records(net.b, at_b["records"], tmp_path)

    # Alice no longer owns it: she cannot license or transfer it again.
    assert_json_error(requests.post(net.a.url + "/haven/own/transfer", headers=bearer(net.a.home.token), timeout=30,
                                    json={"content": cid, "to": net.did["c"]}), 403, "not_owner")

    ok(cli(net.b, "own", "transfer", cid, "--to", net.did["c"]))
    at_c = json.loads(ok(cli(net.c, "own", "show", cid)).stdout)
    assert at_c["owner"] == net.did["c"]
    assert [r["kind"] for r in at_c["records"]] == ["mint", "transfer", "transfer"]
    verify_records(net.c, at_c["records"], tmp_path)
    at_a = json.loads(ok(cli(net.a, "own", "show", cid)).stdout)
    assert at_a["owner"] == net.did["b"]
    verify_records(net.a, at_a["records"], tmp_path)
    # The same records, by id, on all three.
    assert [r["id"] for r in at_a["records"]] == [r["id"] for r in at_c["records"]][:2] == [r["id"] for r in at_b["records"]]

    # A delivery that is not a proven chain to the receiver is refused, and changes nothing.
    forged = send(net.key["a"].prepare("POST", net.c.url + "/exchange/v1/ledger/transfer",
                                       body=json.dumps({"proofs": [at_b["records"][0]["proof"]]}).encode()))
    assert_json_error(forged, 422, "transfer_refused")


# --- A rewritten log is caught -----------------------------------------------------------------


def mth(hashes):
    if len(hashes) == 1:
        return hashes[0]
    split = 1
    while split * 2 < len(hashes):
        split *= 2
    return hashlib.sha256(b"\x01" + mth(hashes[:split]) + mth(hashes[split:])).digest()


def rewrite_first_entry(home, key, origin):
    """Rewrites entry 0 of a stopped server's log and re-signs a checkpoint over the new tree,
    as someone holding the server's key and files would: a history the witnesses never saw."""
    ledger = Path(home) / "ledger"
    body, _ = split_note((ledger / "checkpoint").read_text())
    size = int(body.split("\n")[1])
    assert 0 < size < 256, size
    bundle_path = ledger / "tile" / "entries" / f"000.p/{size}"
    data = bundle_path.read_bytes()
    entries, offset = [], 0
    while offset < len(data):
        length = int.from_bytes(data[offset:offset + 2], "big")
        entries.append(data[offset + 2:offset + 2 + length])
        offset += 2 + length
    entries[0] = b"a history nobody witnessed"
    bundle_path.write_bytes(b"".join(len(e).to_bytes(2, "big") + e for e in entries))
    leaves = [hashlib.sha256(b"\x00" + e).digest() for e in entries]
    (ledger / "tile" / "0" / f"000.p/{size}").write_bytes(b"".join(leaves))
    text = f"{origin}\n{size}\n{base64.b64encode(mth(leaves)).decode()}\n"
    pub = public_key(origin)
    signature = key.key.sign(text.encode())
    line = f"\u2014 {origin} {base64.b64encode(key_id(origin, 0x01, pub) + signature).decode()}\n"
    (ledger / "checkpoint").write_text(text + "\n" + line)


def test_a_server_that_rewrites_its_log_is_caught_by_its_witnesses(net):
    for witness in (net.b, net.c):
        assert ok(cli(witness, "witness", "check")).stdout.count(": consistent") == 2
    stop_server(net.a)
    rewrite_first_entry(net.a.home.path, net.key["a"], net.did["a"])
    net.a = restart(net.a, net.base)

    # Each witness finds it on its next check, keeps the evidence, audits it and warns.
    for witness in (net.b, net.c):
        check = cli(witness, "witness", "check")
        assert check.returncode == 3, (check.stdout, check.stderr)
        assert f"{net.did['a']}: split_view" in check.stdout
        listing = json.loads(ok(cli(witness, "witness", "list", "--json")).stdout)
        evidence = [e for e in listing["evidence"] if e["origin"] == net.did["a"]]
        assert len(evidence) == 1 and evidence[0]["kind"] == "split_view"
        both = json.loads(evidence[0]["evidence"])
        # Both notes are alice's own signed checkpoints: evidence anyone can check.
        assert both["witnessed_note"] != both["conflicting_note"]
        for note in (both["witnessed_note"], both["conflicting_note"]):
            body, lines = split_note(note)
            signed = [s for d, n, s in lines if n == net.did["a"]]
            raw = base64.b64decode(signed[0])
            Ed25519PublicKey.from_public_bytes(public_key(net.did["a"])).verify(raw[4:], body.encode())
        status = ok(cli(witness, "status"))
        assert "split views: 1" in status.stdout and "WARNING" in status.stdout
        audited = [e for e in audit(witness, "peer:" + net.did["a"]) if e["action"] == "ledger.split_view"]
        assert len(audited) == 1 and not audited[0]["allowed"]
    # The web app shows it too, where the owner looks at the server.
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            context, page = signed_in_page(browser, net.b)
            go(page, net.b, "models")
            expect(tid(page, "ledger-split-views")).to_contain_text("1 found")
            expect(tid(page, "ledger-summary")).to_contain_text("witnessing 2")
            context.close()
        finally:
            browser.close()

    # Carol, whom alice did not rewrite, is still consistent for bob.
    assert f"{net.did['c']}: consistent" in cli(net.b, "witness", "check").stdout

    # Alice's next checkpoint is refused a cosignature: it does not extend what the witnesses saw.
    put(net.a, "/notes/after.txt", b"after the rewrite\n", "text/plain")
    ok(cli(net.a, "own", "mint", "/notes/after.txt"))
    witnesses = json.loads(ok(cli(net.a, "witness", "list", "--json")).stdout)["witnesses"]
    wait_for(lambda: all(w["error"] for w in json.loads(ok(cli(net.a, "witness", "list", "--json")).stdout)["witnesses"]),
             "both witnesses to refuse alice's rewritten log", seconds=60)
    assert len(witnesses) == 2
    assert cosigners(checkpoint(net.a), {net.did["b"], net.did["c"]}) == set()


# --- The audit log anchored in the ledger ------------------------------------------------------


def test_removing_the_newest_audit_entries_is_caught_by_audit_verify(tmp_path):
    import sqlite3

    server = start_server(make_home(tmp_path / "home"), tmp_path)
    try:
        put(server, "/notes/a.txt", b"a\n", "text/plain")
        for _ in range(3):
            requests.get(server.url + "/data/notes/a.txt", headers=bearer("hvn_not_a_token"), timeout=30)
        app = ok(cli(server, "token", "create", "--name", "reader")).stdout.strip()
        for _ in range(3):
            assert requests.get(server.url + "/data/notes/a.txt", headers=bearer(app), timeout=30).status_code == 403
        anchored = ok(cli(server, "audit", "anchor"))
        assert "Anchored entry" in anchored.stdout
        intact = ok(cli(server, "audit", "verify"))
        assert "anchored in the ledger" in intact.stdout
    finally:
        stop_server(server)

    with sqlite3.connect(tmp_path / "home" / "catalog.sqlite") as db:
        last = db.execute("SELECT max(seq) FROM audit").fetchone()[0]
        db.execute("DELETE FROM audit WHERE seq > ?", (last - 2,))
    server = start_server(server.home, tmp_path)
    try:
        result = cli(server, "audit", "verify")
        assert result.returncode == 1
        assert "were removed" in result.stderr, result.stderr
    finally:
        stop_server(server)
