"""Who may do what on /data, through the real server: every operation against every kind of
principal (owner, apps with and without grants, capability tokens valid, forged, altered and
delegated), each decision checked in the answer, in the store, and as exactly one audit entry."""

import datetime
import http.client
import json
import time
from dataclasses import dataclass

import pytest
import requests

from capability import Holder, claims, decode, token_id, unsigned, verify_signature, with_payload
from conftest import (
    assert_json_error, audit_entries, bearer, create_app_token, last_audit_sequence, make_home, new_audit_entries,
    run_haven, start_server, stop_server,
)

DATA_RIGHTS = ["read", "list", "write", "delete"]
# Long enough that the server answers the first checks before the expiry, short enough to wait for.
EXPIRY_SECONDS = 6


def iso(seconds_from_now):
    moment = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=seconds_from_now)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Actor:
    """Someone sending requests: the bearer token, and what the audit log must call them."""

    token: str
    principal: str  # as the audit log records it
    basis: str | None = None  # the grant or token id an allowed decision rests on

    @property
    def headers(self):
        return bearer(self.token)


class World:
    """One server with files under /notes/ and /notes2/ and a cast of principals."""

    def __init__(self, server):
        self.server = server
        self.owner = Actor(server.home.token, "owner")
        self.owner_did = self.get_json("/haven/status")["owner"]
        assert self.owner_did.startswith("did:key:z6Mk")
        self.actors = {}
        self.owner_put("/notes/seed.txt", b"seed")
        self.owner_put("/notes2/seed.txt", b"sibling seed")

    # Plumbing

    def url(self, path):
        return self.server.url + path

    def get_json(self, path):
        response = requests.get(self.url(path), headers=self.owner.headers, timeout=30)
        assert response.status_code == 200, response.text
        return response.json()

    def post_json(self, path, body, status=201):
        response = requests.post(self.url(path), json=body, headers=self.owner.headers, timeout=30)
        assert response.status_code == status, response.text
        return response.json()

    def owner_put(self, path, data):
        response = requests.put(self.url("/data" + path), data=data, headers=self.owner.headers, timeout=30)
        assert response.status_code == 201, response.text
        return response.json()

    def owner_read(self, path):
        """The file's bytes, or None when it is not there."""
        response = requests.get(self.url("/data" + path), headers=self.owner.headers, timeout=30)
        if response.status_code == 404:
            return None
        assert response.status_code == 200, response.text
        return response.content

    # The cast

    def app(self, name, rights=None, path="/notes/", **grant_fields):
        token = create_app_token(self.server, name)
        basis = None
        if rights:
            basis = self.grant(f"app:{name}", rights, path, **grant_fields)["id"]
        return Actor(token, f"app:{name}", basis)

    def grant(self, to, rights, path, **fields):
        grant = self.post_json("/haven/grants", {"to": to, "rights": rights, "path": path, **fields})
        assert grant["principal"] == to and sorted(grant["rights"]) == sorted(rights)
        return grant

    def share(self, path, holder, rights, **fields):
        created = self.post_json("/haven/shares", {"path": path, "to": holder.did, "rights": rights, **fields})
        assert created["share"]["id"] == token_id(created["token"])
        return created["token"], created["share"]

    def token_actor(self, token, holder):
        return Actor(token, "peer:" + holder.did, token_id(token))

    def invalid_actor(self, token):
        return Actor(token, "capability:" + token_id(token))


def build_cast(world):
    a = world.actors
    a["owner"] = world.owner
    for right in DATA_RIGHTS:
        a[f"only-{right}"] = world.app(f"only-{right}", [right])
        a[f"all-but-{right}"] = world.app(f"all-but-{right}", [r for r in DATA_RIGHTS if r != right])
    a["sibling"] = world.app("sibling", DATA_RIGHTS, path="/notes2/")
    a["bare"] = world.app("bare", DATA_RIGHTS, path="/notes")
    a["no-grant"] = world.app("no-grant")
    a["not-yet"] = world.app("not-yet", DATA_RIGHTS, not_before=iso(3600))
    a["revoked"] = world.app("revoked", DATA_RIGHTS)
    revoked = requests.delete(world.url("/haven/grants/" + a["revoked"].basis), headers=world.owner.headers, timeout=30)
    assert revoked.status_code == 200 and revoked.json()["revoked_at"], revoked.text

    holder = Holder()
    token, _ = world.share("/notes/", holder, DATA_RIGHTS)
    a["token"] = world.token_actor(token, holder)
    reader = Holder()
    read_token, _ = world.share("/notes/", reader, ["read"])
    a["token-read"] = world.token_actor(read_token, reader)
    sibling = Holder()
    a["token-sibling"] = world.token_actor(world.share("/notes2/", sibling, DATA_RIGHTS)[0], sibling)
    later = Holder()
    a["token-not-yet"] = world.invalid_actor(world.share("/notes/", later, DATA_RIGHTS, not_before=iso(3600))[0])
    gone = Holder()
    gone_token, gone_share = world.share("/notes/", gone, DATA_RIGHTS)
    revoked = requests.delete(world.url("/haven/shares/" + gone_share["id"]), headers=world.owner.headers, timeout=30)
    assert revoked.status_code == 200, revoked.text
    assert revoked.json()["id"] == gone_share["id"] and revoked.json()["minted_here"] is True
    a["token-revoked"] = world.invalid_actor(gone_token)

    # Tokens that must never verify.
    forger = Holder()
    a["forged"] = world.invalid_actor(
        forger.delegate(forger.did, [("/notes/", r) for r in DATA_RIGHTS], [], issuer=world.owner_did))
    _, payload, _ = decode(read_token)
    payload["att"] = [{"with": "/notes/", "can": r} for r in DATA_RIGHTS]
    a["altered"] = world.invalid_actor(with_payload(read_token, payload))
    a["alg-none"] = world.invalid_actor(
        unsigned(claims(world.owner_did, forger.did, [("/notes/", r) for r in DATA_RIGHTS], [])))

    # Delegation: a parent held by a Python holder, children it signs for another.
    delegator, child_holder = Holder(), Holder()
    parent, _ = world.share("/notes/", delegator, DATA_RIGHTS + ["share"])
    everything = [("/notes/", r) for r in DATA_RIGHTS]
    a["delegated"] = world.token_actor(delegator.delegate(child_holder.did, everything, [parent]), child_holder)
    reader_child = Holder()
    a["delegated-read"] = world.token_actor(
        delegator.delegate(reader_child.did, [("/notes/", "read")], [parent]), reader_child)
    stranger = Holder()  # signs with a parent that was given to someone else
    a["wrong-delegator"] = world.invalid_actor(stranger.delegate(child_holder.did, everything, [parent]))
    narrow_parent, _ = world.share("/notes/sub/", delegator, DATA_RIGHTS + ["share"])
    a["widened"] = world.invalid_actor(delegator.delegate(child_holder.did, everything, [narrow_parent]))
    unshareable, _ = world.share("/notes/", delegator, DATA_RIGHTS)
    a["no-share"] = world.invalid_actor(delegator.delegate(child_holder.did, everything, [unshareable]))
    doomed_parent, doomed_share = world.share("/notes/", delegator, DATA_RIGHTS + ["share"])
    a["parent-revoked"] = world.invalid_actor(delegator.delegate(child_holder.did, everything, [doomed_parent]))
    response = requests.delete(world.url("/haven/shares/" + doomed_share["id"]), headers=world.owner.headers, timeout=30)
    assert response.status_code == 200, response.text

    # Grants and tokens that expire a few seconds from now: checked to work first.
    a["expired"] = world.app("expired", DATA_RIGHTS, expires_at=iso(EXPIRY_SECONDS))
    expiring = Holder()
    expiring_token, _ = world.share("/notes/", expiring, DATA_RIGHTS + ["share"], expires_at=iso(EXPIRY_SECONDS))
    a["token-expired"] = world.invalid_actor(expiring_token)
    # A child without an expiry of its own ends with its parent.
    a["parent-expired"] = world.invalid_actor(expiring.delegate(Holder().did, everything, [expiring_token]))
    for name in ["expired", "token-expired", "parent-expired"]:
        response = requests.get(world.url("/data/notes/seed.txt"), headers=a[name].headers, timeout=30)
        assert response.status_code == 200, f"{name} before its expiry: {response.text}"


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("access")
    # Some 25 principals, a dozen with invalid tokens, all play from 127.0.0.1 here: about a
    # hundred refusals in a minute, which would throttle the address (30 a minute by default).
    server = start_server(make_home(tmp / "home"), tmp, env={"HAVEN_AUTH_FAILURE_LIMIT": "0"})
    try:
        world = World(server)
        build_cast(world)
        yield world
    finally:
        stop_server(server)


@pytest.fixture(scope="module")
def after_expiry(world):
    """Waits (by polling, at most 30 s) until the expiring grant and token are refused."""
    deadline = time.monotonic() + 30
    for name, status in [("expired", 403), ("token-expired", 401), ("parent-expired", 401)]:
        while True:
            response = requests.get(world.url("/data/notes/seed.txt"), headers=world.actors[name].headers, timeout=30)
            if response.status_code == status:
                break
            assert response.status_code == 200, response.text
            assert time.monotonic() < deadline, f"{name} still accepted 30 s after its expiry"
            time.sleep(0.2)
    return world


# The operations: the right each needs, and how to set it up, send it and check its effect.

OPERATIONS = {
    "get-file": "read",
    "head-file": "read",
    "list-dir": "list",
    "versions": "read",
    "put-new": "write",
    "put-overwrite": "write",
    "delete": "delete",
}

ALLOW, DENY, INVALID = "allow", 403, 401


def expectation(principal, right):
    fixed = {
        "owner": ALLOW, "exact": ALLOW, "all-but": DENY, "sibling": DENY, "bare": ALLOW, "no-grant": DENY,
        "expired": DENY, "not-yet": DENY, "revoked": DENY,
        "token": ALLOW, "token-sibling": DENY, "token-expired": INVALID, "token-not-yet": INVALID,
        "token-revoked": INVALID, "forged": INVALID, "altered": INVALID, "alg-none": INVALID,
        "delegated": ALLOW, "wrong-delegator": INVALID, "widened": INVALID, "no-share": INVALID,
        "parent-revoked": INVALID, "parent-expired": INVALID,
    }
    if principal in ("token-read", "delegated-read"):
        return ALLOW if right == "read" else DENY
    return fixed[principal]


PRINCIPALS = [
    "owner", "exact", "all-but", "sibling", "bare", "no-grant", "not-yet", "revoked", "token", "token-read",
    "token-sibling", "token-not-yet", "token-revoked", "forged", "altered", "alg-none", "delegated",
    "delegated-read", "wrong-delegator", "widened", "no-share", "parent-revoked", "expired", "token-expired",
    "parent-expired",
]


def actor_for(world, principal, right):
    if principal == "exact":
        return world.actors[f"only-{right}"]
    if principal == "all-but":
        return world.actors[f"all-but-{right}"]
    return world.actors[principal]


@pytest.mark.parametrize("operation", list(OPERATIONS))
@pytest.mark.parametrize("principal", PRINCIPALS)
def test_access_matrix(request, world, principal, operation):
    if principal in ("expired", "token-expired", "parent-expired"):
        request.getfixturevalue("after_expiry")
    right = OPERATIONS[operation]
    actor = actor_for(world, principal, right)
    expected = expectation(principal, right)
    name = f"{principal}-{operation}.txt"
    path = f"/notes/{name}"
    old, new = f"old {name}".encode(), f"new {name}".encode()
    if operation != "put-new":
        world.owner_put(path, old)
    target = "/notes/" if operation == "list-dir" else path

    before = last_audit_sequence(world.server)
    url = world.url("/data" + target)
    method = {"head-file": "HEAD", "put-new": "PUT", "put-overwrite": "PUT", "delete": "DELETE"}.get(operation, "GET")
    response = requests.request(
        method, url + ("?versions" if operation == "versions" else ""), headers=actor.headers,
        data=new if method == "PUT" else None, timeout=30)

    # What the caller sees.
    if expected == ALLOW:
        ok = {"PUT": 201}.get(method, 200)
        assert response.status_code == ok, f"{actor.principal} {method} {target}: {response.status_code} {response.text}"
        if operation == "get-file":
            assert response.content == old
            assert response.headers["etag"].startswith('"baguqeera')
        elif operation == "head-file":
            assert response.content == b"" and int(response.headers["content-length"]) == len(old)
        elif operation == "list-dir":
            listing = response.json()
            assert listing["path"] == "/notes/"
            assert {"seed.txt", name} <= {e["name"] for e in listing["entries"]}
        elif operation == "versions":
            assert [v["version"] for v in response.json()["versions"]] == [1]
        elif method == "PUT":
            assert response.json()["author"] == actor.principal
        elif method == "DELETE":
            assert response.json()["deleted"] is True and response.json().get("id") is None
    elif method == "HEAD":
        # No body to carry the error: the status says it.
        assert response.status_code == expected, response.headers
        assert response.content == b""
    elif expected == DENY:
        assert_json_error(response, 403, "access_denied")
    else:
        assert_json_error(response, 401, "invalid_capability")
        assert response.headers["www-authenticate"].startswith("Bearer")

    # Exactly one audit entry, naming who asked for what and whether it was allowed.
    entries = new_audit_entries(world.server, before)
    assert len(entries) == 1, entries
    entry = entries[0]
    assert entry["principal"] == actor.principal
    assert entry["action"] == right
    assert entry["resource"] == target
    assert entry["allowed"] is (expected == ALLOW), entry
    assert entry["reason"]
    if expected == ALLOW:
        assert entry.get("basis") == actor.basis

    # What the store holds afterwards.
    if operation == "put-new":
        assert world.owner_read(path) == (new if expected == ALLOW else None)
    elif operation == "put-overwrite":
        assert world.owner_read(path) == (new if expected == ALLOW else old)
    elif operation == "delete":
        assert world.owner_read(path) == (None if expected == ALLOW else old)
    else:
        assert world.owner_read(path) == old


def test_head_denials_carry_no_body_but_the_status(world):
    response = requests.head(world.url("/data/notes/seed.txt"), headers=world.actors["no-grant"].headers, timeout=30)
    assert response.status_code == 403
    assert response.content == b""


def test_a_bare_grant_and_a_directory_grant_never_reach_a_sibling(world):
    for name in ["bare", "only-read", "token-read"]:
        actor = world.actors[name]
        before = last_audit_sequence(world.server)
        response = requests.get(world.url("/data/notes2/seed.txt"), headers=actor.headers, timeout=30)
        assert_json_error(response, 403, "access_denied")
        [entry] = new_audit_entries(world.server, before)
        assert (entry["principal"], entry["resource"], entry["allowed"]) == (actor.principal, "/notes2/seed.txt", False)
    lister = world.actors["bare"]
    assert_json_error(requests.get(world.url("/data/notes2/"), headers=lister.headers, timeout=30), 403, "access_denied")
    # ...while the bare grant covers the directory itself and what is below it.
    assert requests.get(world.url("/data/notes/"), headers=lister.headers, timeout=30).status_code == 200


def test_access_is_decided_before_existence(world):
    missing = "/data/notes/never-written.txt"
    for name in ["no-grant", "all-but-read", "sibling", "token-sibling"]:
        response = requests.get(world.url(missing), headers=world.actors[name].headers, timeout=30)
        assert_json_error(response, 403, "access_denied")
    for name in ["forged", "token-revoked"]:
        assert_json_error(requests.get(world.url(missing), headers=world.actors[name].headers, timeout=30),
                          401, "invalid_capability")
    for name in ["only-read", "token-read", "delegated-read", "owner"]:
        assert_json_error(requests.get(world.url(missing), headers=world.actors[name].headers, timeout=30),
                          404, "not_found")
    # Deleting what is not there: 403 without the right, 404 with it.
    assert_json_error(requests.delete(world.url(missing), headers=world.actors["only-read"].headers, timeout=30),
                      403, "access_denied")
    assert_json_error(requests.delete(world.url(missing), headers=world.actors["only-delete"].headers, timeout=30),
                      404, "not_found")


def test_invalid_tokens_are_audited_by_token_id_with_the_reason(world):
    cases = {
        "forged": "not signed by its issuer",
        "altered": "not signed by its issuer",
        "alg-none": "EdDSA",
        "token-revoked": "revoked",
        "parent-revoked": "revoked",
        "widened": "narrow",
        "no-share": "share",
        "token-not-yet": "not valid before",
    }
    for name, fragment in cases.items():
        actor = world.actors[name]
        before = last_audit_sequence(world.server)
        response = requests.put(world.url("/data/notes/seed.txt"), data=b"overwritten", headers=actor.headers, timeout=30)
        error = assert_json_error(response, 401, "invalid_capability")
        assert fragment in error["message"], (name, error)
        [entry] = new_audit_entries(world.server, before)
        assert entry["principal"] == "capability:" + token_id(actor.token)
        assert (entry["action"], entry["resource"], entry["allowed"]) == ("write", "/notes/seed.txt", False)
        assert fragment in entry["reason"], (name, entry)
    assert world.owner_read("/notes/seed.txt") == b"seed"


def test_a_narrower_delegation_by_path_reaches_only_its_subtree(world):
    world.owner_put("/photos/trip/beach.jpg", b"beach")
    world.owner_put("/photos/home.jpg", b"home")
    parent_holder, child_holder = Holder(), Holder()
    parent, _ = world.share("/photos/", parent_holder, ["read", "share"])
    child = parent_holder.delegate(child_holder.did, [("/photos/trip/", "read")], [parent])
    headers = bearer(child)

    before = last_audit_sequence(world.server)
    response = requests.get(world.url("/data/photos/trip/beach.jpg"), headers=headers, timeout=30)
    assert response.status_code == 200 and response.content == b"beach"
    denied = requests.get(world.url("/data/photos/home.jpg"), headers=headers, timeout=30)
    assert_json_error(denied, 403, "access_denied")
    entries = new_audit_entries(world.server, before)
    assert [(e["principal"], e["resource"], e["allowed"], e.get("basis")) for e in entries] == [
        ("peer:" + child_holder.did, "/photos/trip/beach.jpg", True, token_id(child)),
        ("peer:" + child_holder.did, "/photos/home.jpg", False, None),
    ]

    # A grandchild may narrow further, but not past what its own parent holds.
    grandchild_holder = Holder()
    child_with_share = parent_holder.delegate(child_holder.did, [("/photos/trip/", "read"), ("/photos/trip/", "share")],
                                              [parent])
    grandchild = child_holder.delegate(grandchild_holder.did, [("/photos/trip/", "read")], [child_with_share])
    assert requests.get(world.url("/data/photos/trip/beach.jpg"), headers=bearer(grandchild), timeout=30).content == b"beach"
    wider = child_holder.delegate(grandchild_holder.did, [("/photos/", "read")], [child_with_share])
    assert_json_error(requests.get(world.url("/data/photos/trip/beach.jpg"), headers=bearer(wider), timeout=30),
                      401, "invalid_capability")
    # The child token itself holds no share, so it cannot be delegated on.
    orphan = child_holder.delegate(grandchild_holder.did, [("/photos/trip/", "read")], [child])
    assert_json_error(requests.get(world.url("/data/photos/trip/beach.jpg"), headers=bearer(orphan), timeout=30),
                      401, "invalid_capability")


def test_revocation_takes_effect_on_the_very_next_request(world):
    url = world.url("/data/notes/seed.txt")
    # A grant.
    app = world.app("short-lived", ["read"])
    assert requests.get(url, headers=app.headers, timeout=30).status_code == 200
    revoked = requests.delete(world.url("/haven/grants/" + app.basis), headers=world.owner.headers, timeout=30)
    assert revoked.status_code == 200, revoked.text
    assert_json_error(requests.get(url, headers=app.headers, timeout=30), 403, "access_denied")
    assert app.basis not in [g["id"] for g in world.get_json("/haven/grants")["grants"]]

    # A minted token, and a token delegated from another: revoking the child leaves the parent.
    holder, child_holder = Holder(), Holder()
    token, share = world.share("/notes/", holder, ["read", "share"])
    child = holder.delegate(child_holder.did, [("/notes/", "read")], [token])
    assert requests.get(url, headers=bearer(child), timeout=30).status_code == 200
    child_revoked = requests.delete(world.url("/haven/shares/" + token_id(child)), headers=world.owner.headers, timeout=30)
    assert child_revoked.status_code == 200, child_revoked.text
    assert child_revoked.json()["minted_here"] is False
    assert_json_error(requests.get(url, headers=bearer(child), timeout=30), 401, "invalid_capability")
    assert requests.get(url, headers=bearer(token), timeout=30).status_code == 200

    assert requests.delete(world.url("/haven/shares/" + share["id"]), headers=world.owner.headers,
                           timeout=30).status_code == 200
    assert_json_error(requests.get(url, headers=bearer(token), timeout=30), 401, "invalid_capability")
    listed = world.get_json("/haven/shares")["shares"]
    assert share["id"] not in [s["id"] for s in listed]
    every = world.get_json("/haven/shares?all=true")["shares"]
    assert [s["revoked_at"] is not None for s in every if s["id"] == share["id"]] == [True]

    # Ids that cannot be token ids are refused.
    bad = requests.delete(world.url("/haven/shares/not-an-id"), headers=world.owner.headers, timeout=30)
    assert bad.status_code == 404, bad.text


def test_an_append_only_app_creates_but_never_replaces(world):
    inbox = world.app("inbox", ["append"], path="/inbox/")
    url = world.url("/data/inbox/new.txt")
    before = last_audit_sequence(world.server)
    created = requests.put(url, data=b"first", headers=inbox.headers, timeout=30)
    assert created.status_code == 201, created.text
    assert created.json()["author"] == "app:inbox"
    replaced = requests.put(url, data=b"second", headers=inbox.headers, timeout=30)
    error = assert_json_error(replaced, 403, "access_denied")
    assert "append" in error["message"]
    assert_json_error(requests.get(url, headers=inbox.headers, timeout=30), 403, "access_denied")
    assert_json_error(requests.delete(url, headers=inbox.headers, timeout=30), 403, "access_denied")
    assert_json_error(requests.put(world.url("/data/notes/from-inbox.txt"), data=b"x", headers=inbox.headers,
                                   timeout=30), 403, "access_denied")
    entries = new_audit_entries(world.server, before)
    assert [(e["principal"], e["action"], e["resource"], e["allowed"]) for e in entries] == [
        ("app:inbox", "append", "/inbox/new.txt", True),
        ("app:inbox", "write", "/inbox/new.txt", False),
        ("app:inbox", "read", "/inbox/new.txt", False),
        ("app:inbox", "delete", "/inbox/new.txt", False),
        ("app:inbox", "write", "/notes/from-inbox.txt", False),
    ]
    assert world.owner_read("/inbox/new.txt") == b"first"
    assert world.owner_read("/notes/from-inbox.txt") is None
    # A deleted path is a new file again for an append-only writer? It exists no more, so yes.
    assert requests.delete(url, headers=world.owner.headers, timeout=30).status_code == 200
    again = requests.put(url, data=b"third", headers=inbox.headers, timeout=30)
    assert again.status_code == 201, again.text
    assert world.owner_read("/inbox/new.txt") == b"third"


RAW_PATHS = [
    ("PUT", "/data/notes/../secret"),
    ("PUT", "/data/notes/%2e%2e/secret"),
    ("PUT", "/data/notes/%2E%2E/secret"),
    ("PUT", "/data/notes/./secret"),
    ("PUT", "/data/notes%2Fsecret"),
    ("PUT", "/data/notes%2fsecret"),
    ("PUT", "/data/notes./x"),
    ("PUT", "/data/notes/x%20"),
    ("PUT", "/data/notes/x%00"),
    ("PUT", "/data/notes/x%0A"),
    ("PUT", "/data/notes/x%5Csecret"),
    ("PUT", "/data//notes/x"),
    ("PUT", "/data/notes//x"),
    ("PUT", "/data/notes/x%zz"),
    ("PUT", "/data/notes/x%4"),
    ("PUT", "/data/notes/%ff%fe"),
    ("PUT", "/data/notes/" + "/".join(["a" * 200] * 6)),
    ("GET", "/data/notes/../notes2/seed.txt"),
    ("GET", "/data/notes/%2e%2e/notes2/seed.txt"),
    ("DELETE", "/data/notes/../notes2/seed.txt"),
]


def send_raw(server, method, raw_path, headers, body=None):
    """Sends `raw_path` byte for byte (no client-side normalisation of '..' or escapes)."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        connection.request(method, raw_path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


@pytest.mark.parametrize("who", ["owner", "notes-writer"])
def test_path_tricks_are_refused_and_audited(world, who):
    if who == "owner":
        actor = world.owner
    else:
        actor = world.actors.get("notes-writer") or world.app("notes-writer", DATA_RIGHTS)
        world.actors["notes-writer"] = actor
    listing_before = world.get_json("/data/")
    for method, raw in RAW_PATHS:
        before = last_audit_sequence(world.server)
        status, body = send_raw(world.server, method, raw, actor.headers, body=b"escaped" if method == "PUT" else None)
        assert status == 400, f"{method} {raw}: {status} {body[:300]!r}"
        error = json.loads(body)["error"]
        assert error["code"] == "invalid_path", (raw, error)
        entries = new_audit_entries(world.server, before)
        assert len(entries) == 1, (raw, entries)
        entry = entries[0]
        assert entry["principal"] == actor.principal
        assert entry["allowed"] is False
        assert entry["resource"] == raw[len("/data"):][:1024], (raw, entry)
        assert entry["action"] == {"PUT": "write", "GET": "read", "DELETE": "delete"}[method]
    # Nothing was written or removed anywhere.
    assert world.get_json("/data/") == listing_before
    for path in ["/secret", "/notes/secret", "/notessecret", "/notes/x", "/notes./x"]:
        response = requests.get(world.url("/data" + path), headers=world.owner.headers, timeout=30)
        assert response.status_code in (400, 404), (path, response.status_code)
    assert world.owner_read("/notes2/seed.txt") == b"sibling seed"


def test_a_directory_path_cannot_be_written_or_deleted(world):
    app = world.actors["all-but-list"]
    for method, right in [("PUT", "write"), ("DELETE", "delete")]:
        before = last_audit_sequence(world.server)
        response = requests.request(method, world.url("/data/notes/dir/"), data=b"x" if method == "PUT" else None,
                                    headers=app.headers, timeout=30)
        assert_json_error(response, 400, "invalid_path")
        # Refused like any malformed path: one audit entry, a denial.
        entries = new_audit_entries(world.server, before)
        assert [(e["principal"], e["action"], e["resource"], e["allowed"]) for e in entries] == [
            (app.principal, right, "/notes/dir/", False)], entries
    assert world.owner_read("/notes/dir") is None


def test_refusals_of_invalid_tokens_are_filed_under_the_normalised_path(world):
    """The same request is filed under one path whether its token verifies or not, so that
    `?path=` finds attempts with forged tokens too."""
    world.owner_put("/notes/café.txt", b"cafe")
    for name, status in [("token-read", 200), ("forged", 401)]:
        before = last_audit_sequence(world.server)
        response = requests.get(world.url("/data/notes/caf%C3%A9.txt"), headers=world.actors[name].headers, timeout=30)
        assert response.status_code == status
        [entry] = new_audit_entries(world.server, before)
        assert entry["resource"] == "/notes/café.txt", (name, entry)
    found = audit_entries(world.server, limit=100, path="/notes/café.txt")
    assert {e["principal"] for e in found} >= {world.actors["token-read"].principal,
                                                world.actors["forged"].principal}


def test_capability_tokens_are_accepted_on_data_only(world):
    token = world.actors["token"].token
    for path in ["/haven/whoami", "/haven/status", "/haven/audit", "/v1/models"]:
        response = requests.get(world.url(path), headers=bearer(token), timeout=30)
        assert response.status_code == 401, (path, response.text)
    assert requests.get(world.url("/data/notes/seed.txt"), headers=bearer(token), timeout=30).status_code == 200


def test_minted_tokens_have_the_documented_shape(world):
    holder = Holder()
    expires = iso(3600)
    created = world.post_json("/haven/shares", {"path": "/photos/trip/", "to": holder.did, "rights": ["share", "read"],
                                                "expires_at": expires})
    token, share = created["token"], created["share"]
    header, payload, signature = decode(token)
    assert header == {"alg": "EdDSA", "typ": "JWT"}
    assert token.split(".")[0] == "eyJhbGciOiJFZERTQSIsInR5cCI6IkpXVCJ9"
    assert len(signature) == 64 and "=" not in token
    assert payload["iss"] == world.owner_did and payload["aud"] == holder.did
    assert sorted((c["with"], c["can"]) for c in payload["att"]) == [("/photos/trip/", "read"), ("/photos/trip/", "share")]
    assert payload["prf"] == [] and isinstance(payload["nnc"], str) and payload["nnc"]
    exp = datetime.datetime.strptime(expires, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc)
    assert payload["exp"] == int(exp.timestamp())
    assert verify_signature(token, world.owner_did)
    assert share["id"] == token_id(token) and len(share["id"]) == 52
    assert share["audience"] == holder.did
    assert sorted((c["with"], c["can"]) for c in share["capabilities"]) == sorted((c["with"], c["can"]) for c in payload["att"])
    assert share["id"] in [s["id"] for s in world.get_json("/haven/shares")["shares"]]
    # Two shares of the same thing are different tokens.
    again = world.post_json("/haven/shares", {"path": "/photos/trip/", "to": holder.did, "rights": ["read"]})
    assert again["token"] != token and decode(again["token"])[1]["exp"] is None


def test_bad_grant_and_share_requests_are_refused(world):
    owner = world.owner.headers
    holder = Holder()
    bad_requests = [
        ("/haven/shares", {"path": "/x/", "to": holder.did, "rights": ["read"], "expires_at": iso(-60)}),
        ("/haven/shares", {"path": "/x/", "to": "did:key:nope", "rights": ["read"]}),
        ("/haven/shares", {"path": "/x/", "to": holder.did, "rights": []}),
        ("/haven/shares", {"path": "/x/", "to": holder.did, "rights": ["fly"]}),
        ("/haven/shares", {"path": "/../x/", "to": holder.did, "rights": ["read"]}),
        ("/haven/shares", {"path": "/x/", "to": world.owner_did, "rights": ["read"]}),
        ("/haven/grants", {"to": "app:x", "rights": ["read"], "path": "/x/", "expires_at": iso(-60)}),
        ("/haven/grants", {"to": "app:x", "rights": ["read"]}),
        ("/haven/grants", {"to": "app:x", "rights": ["read"], "path": "/a//b/"}),
        ("/haven/grants", {"to": "owner", "rights": ["read"], "path": "/x/"}),
        ("/haven/grants", {"to": "app:x", "rights": ["read"], "path": "/x/", "not_before": iso(120),
                           "expires_at": iso(60)}),
    ]
    for path, body in bad_requests:
        response = requests.post(world.url(path), json=body, headers=owner, timeout=30)
        assert response.status_code == 400, (path, body, response.status_code, response.text)
        assert response.json()["error"]["message"]
    # Only the owner manages grants, shares and the audit log.
    app = world.actors["only-read"].headers
    for method, path in [("GET", "/haven/grants"), ("POST", "/haven/grants"), ("GET", "/haven/shares"),
                         ("POST", "/haven/shares"), ("GET", "/haven/audit"), ("GET", "/haven/audit/verify"),
                         ("GET", "/haven/store"), ("POST", "/haven/store/gc")]:
        response = requests.request(method, world.url(path), json={} if method == "POST" else None, headers=app,
                                    timeout=30)
        assert_json_error(response, 403, "owner_only")


def test_the_audit_log_filters_by_path_and_principal(world):
    entries = audit_entries(world.server, limit=10000, principal="app:inbox")
    assert entries and {e["principal"] for e in entries} == {"app:inbox"}
    assert [e["sequence"] for e in entries] == sorted((e["sequence"] for e in entries), reverse=True)
    under = audit_entries(world.server, limit=10000, path="/inbox/")
    assert under and all(e["resource"].startswith("/inbox/") for e in under)
    notes = audit_entries(world.server, limit=10000, path="/notes")
    assert notes and all(e["resource"] == "/notes" or e["resource"].startswith("/notes/") for e in notes)
    one = audit_entries(world.server, limit=10000, path="/notes2/seed.txt")
    assert one and {e["resource"] for e in one} == {"/notes2/seed.txt"}
    assert len(audit_entries(world.server, limit=3)) == 3
    bad = requests.get(world.url("/haven/audit"), params={"limit": 0}, headers=world.owner.headers, timeout=30)
    assert bad.status_code == 400


def test_the_audit_chain_is_intact_after_everything(world):
    verification = world.get_json("/haven/audit/verify")
    assert verification["intact"] is True and verification["problem"] is None
    assert verification["entries"] == last_audit_sequence(world.server)
    entries = audit_entries(world.server, limit=10000)
    assert [e["sequence"] for e in entries] == list(range(len(entries), 0, -1))
    for newer, older in zip(entries, entries[1:]):
        assert newer["previous_hash"] == older["hash"]
    assert entries[-1]["previous_hash"] == "0" * 64
    result = run_haven("audit", "verify", env=world.server.env)
    assert result.returncode == 0, result.stderr
    assert "intact" in result.stdout
