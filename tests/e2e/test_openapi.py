"""GET /openapi.json: Haven's own API described in OpenAPI 3.1, and real answers checked against it.

The router and the document name the same routes (a unit test compares them); here a live
server's answers — successes and error bodies — are validated with `jsonschema` against the
response schemas the document gives for that method, path and status, so the schemas are
true and not merely present.
"""

import json
import re

import pytest
import requests
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from conftest import bearer, create_app_token, make_home, start_server, stop_server
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from exchange_helpers import wait_for
from signing import ServerKey, send

DOCUMENT_URI = "urn:haven:openapi"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("openapi")
    server = start_server(make_home(tmp / "home"), tmp)
    try:
        yield server
    finally:
        stop_server(server)


@pytest.fixture(scope="module")
def document(server):
    response = requests.get(server.url + "/openapi.json", timeout=30)
    assert response.status_code == 200, response.text
    return response.json()


class Validator:
    """Finds the documented response for a request and validates an answer's JSON against it."""

    def __init__(self, document):
        self.document = document
        self.registry = Registry().with_resource(DOCUMENT_URI, Resource(contents=document, specification=DRAFT202012))
        # Fixed paths before templated ones, so /haven/market/offers is not read as a template.
        self.templates = sorted(document["paths"], key=lambda path: path.count("{"))

    def template(self, path):
        for template in self.templates:
            pattern = re.escape(template)
            pattern = pattern.replace(re.escape("{path}"), ".*")
            pattern = re.sub(r"\\\{\w+\\\}", "[^/]+", pattern)
            if re.fullmatch(pattern, path):
                return template
        raise AssertionError(f"no documented path matches {path}")

    def pointer(self, method, path, status):
        """A JSON pointer to the schema documented for this answer."""
        template = self.template(path)
        operation = self.document["paths"][template].get(method.lower())
        assert operation, f"{method} {template} is not documented"
        responses = operation["responses"]
        key = str(status) if str(status) in responses else f"{str(status)[0]}XX"
        assert key in responses, f"{method} {template} documents no {status} answer: {sorted(responses)}"
        response = responses[key]
        if "$ref" in response:
            return response["$ref"] + "/content/application~1json/schema"
        escaped = template.replace("~", "~0").replace("/", "~1")
        return f"#/paths/{escaped}/{method.lower()}/responses/{key}/content/application~1json/schema"

    def errors(self, method, path, status, body):
        schema = {"$ref": DOCUMENT_URI + self.pointer(method, path, status)}
        validator = Draft202012Validator(schema, registry=self.registry)
        return [f"{'/'.join(map(str, e.absolute_path)) or '(body)'}: {e.message}" for e in validator.iter_errors(body)]

    def check(self, response):
        request = response.request
        path = requests.utils.urlparse(request.url).path
        assert response.headers["content-type"].startswith("application/json"), response.headers
        errors = self.errors(request.method, path, response.status_code, response.json())
        assert not errors, f"{request.method} {path} {response.status_code} does not match the document:\n" + "\n".join(errors)
        return response.json()


def test_the_document_is_public_json_with_an_etag(server, document):
    assert document["openapi"] == "3.1.0"
    assert "/haven/status" in document["paths"]
    assert "get" in document["paths"]["/haven/status"]
    assert "/data/{path}" in document["paths"]

    response = requests.get(server.url + "/openapi.json", timeout=30)
    assert response.headers["content-type"] == "application/json"
    etag = response.headers["etag"]
    again = requests.get(server.url + "/openapi.json", headers={"If-None-Match": etag}, timeout=30)
    assert again.status_code == 304
    assert again.content == b""
    # Its neighbours still need a token.
    assert requests.get(server.url + "/haven/status", timeout=30).status_code == 401


def test_the_version_it_states_is_the_servers(server, document):
    status = requests.get(server.url + "/haven/status", headers=bearer(server.home.token), timeout=30).json()
    assert document["info"]["version"] == status["version"]


def test_real_answers_match_the_documented_schemas(server, document):
    validator = Validator(document)
    owner = bearer(server.home.token)
    url = server.url
    app_token = create_app_token(server, "openapi-app")

    def call(method, path, expected, **kwargs):
        response = requests.request(method, url + path, timeout=60, **kwargs)
        assert response.status_code == expected, f"{method} {path}: {response.status_code} {response.text}"
        return validator.check(response)

    # Files: a version written, listings, versions, a deletion.
    written = call("PUT", "/data/notes/plan.txt", 201, headers={**owner, "Content-Type": "text/plain"}, data=b"sail at dawn")
    assert written["version"] == 1 and written["deleted"] is False
    call("PUT", "/data/notes/old.txt", 201, headers=owner, data=b"old")
    call("DELETE", "/data/notes/old.txt", 200, headers=owner)
    listing = call("GET", "/data/", 200, headers=owner)
    assert [entry["type"] for entry in listing["entries"]] == ["directory"]
    files = call("GET", "/data/notes/", 200, headers=owner)
    assert {entry["name"] for entry in files["entries"]} >= {"plan.txt"}
    call("GET", "/data/notes/plan.txt?versions", 200, headers=owner)

    # Administration.
    call("GET", "/haven/status", 200, headers=owner)
    call("GET", "/haven/whoami", 200, headers=owner)
    tokens = call("GET", "/haven/tokens", 200, headers=owner)
    assert {token["name"] for token in tokens["tokens"]} >= {"owner", "openapi-app"}
    call("POST", "/haven/tokens", 201, headers=owner, json={"name": "second-app"})
    call("DELETE", "/haven/tokens/second-app", 200, headers=owner)
    call("GET", "/haven/tokens?all=true", 200, headers=owner)
    call("POST", "/haven/grants", 201, headers=owner, json={"to": "app:openapi-app", "rights": ["read", "list"], "path": "/notes/"})
    call("GET", "/haven/grants", 200, headers=owner)
    holder = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"
    call("POST", "/haven/shares", 201, headers=owner, json={"to": holder, "rights": ["read"], "path": "/notes/"})
    call("GET", "/haven/shares", 200, headers=owner)
    call("GET", "/haven/audit?limit=20", 200, headers=owner)
    call("POST", "/haven/audit/anchor", 200, headers=owner)
    call("GET", "/haven/audit/verify", 200, headers=owner)
    call("GET", "/haven/store", 200, headers=owner)
    call("GET", "/haven/models", 200, headers=owner)
    call("GET", "/haven/agents", 200, headers=owner)
    indexed = wait_for(lambda: (lambda p: p if p["pending"] == 0 and p["indexed"] > 0 else None)(
        call("GET", "/haven/index", 200, headers=owner)), "the files to be indexed", seconds=120)
    assert indexed["failed"] == 0, indexed
    hits = call("GET", "/haven/search?q=sail%20dawn", 200, headers=owner)
    assert hits["hits"] and hits["hits"][0]["path"] == "/notes/plan.txt", hits
    call("GET", "/haven/search?q=", 400, headers=owner)
    call("POST", "/haven/conversations", 201, headers=owner, json={"model": "any", "title": "plans"})
    call("GET", "/haven/conversations", 200, headers=owner)
    call("GET", "/haven/ledger", 200, headers=owner)
    call("POST", "/haven/own/mint", 201, headers=owner, json={"path": "/notes/plan.txt", "title": "The plan"})
    call("GET", "/haven/peers", 200, headers=owner)
    call("GET", "/haven/inbox", 200, headers=owner)
    call("GET", "/haven/mirrors", 200, headers=owner)
    call("GET", "/haven/witness", 200, headers=owner)
    call("GET", "/haven/sessions", 200, headers=owner)
    call("POST", "/haven/login-links", 201, headers=owner)

    # The market, both sides of it that a lone server has.
    offer = call("POST", "/haven/market/offers", 201, headers=owner,
                 json={"capacity_bytes": 1 << 30, "price_per_gib_per_period": 5})
    offers = call("GET", "/haven/market/offers", 200, headers=owner)
    assert [o["id"] for o in offers["offers"]] == [offer["id"]]
    call("GET", "/haven/market/contracts", 200, headers=owner)
    call("GET", "/haven/market/challenges", 200, headers=owner)
    call("GET", "/haven/market/listings", 200, headers=owner)
    call("GET", "/haven/market/purchases", 200, headers=owner)
    call("GET", "/haven/market/sales", 200, headers=owner)
    call("GET", "/haven/backups", 200, headers=owner)

    # Public answers.
    call("GET", "/healthz", 200)
    call("GET", "/.well-known/haven?challenge=abc", 200)

    # An app with a grant reads the same files; the answers are the same shapes.
    app = bearer(app_token)
    call("GET", "/data/notes/", 200, headers=app)
    call("GET", "/haven/whoami", 200, headers=app)

    # Error bodies, each next to the same request done right above.
    call("GET", "/data/notes/missing.txt", 404, headers=owner)
    call("GET", "/haven/tokens", 403, headers=app)
    call("GET", "/haven/tokens", 401)
    call("GET", "/haven/audit?limit=0", 400, headers=owner)
    call("PUT", "/data/notes/plan.txt", 403, headers=app, data=b"overwrite")
    call("GET", "/exchange/v1/feed", 401)
    call("DELETE", "/haven/market/offers/nothing-here", 404, headers=owner)


def test_the_validator_rejects_an_answer_the_document_does_not_allow(document):
    # The check above can fail: an answer missing a key, or with a key the schema does not name.
    validator = Validator(document)
    token = {"id": "abc", "name": "x", "principal": "owner", "created_at": "2026-01-01T00:00:00Z"}
    assert validator.errors("GET", "/haven/tokens", 200, {"tokens": [token]}) == []
    assert validator.errors("GET", "/haven/tokens", 200, {"tokens": [{**token, "secret": "hvn_…"}]})
    assert validator.errors("GET", "/haven/tokens", 200, {"tokens": [{k: v for k, v in token.items() if k != "name"}]})
    assert validator.errors("GET", "/haven/tokens", 403, {"error": {"message": "no"}})


def test_exchange_and_session_answers_match_the_documented_schemas(server, document):
    # Another Haven, as far as this server can tell: a key that signs its requests (RFC 9421),
    # holding a capability the owner minted for it.
    validator = Validator(document)
    owner = bearer(server.home.token)
    peer = ServerKey(Ed25519PrivateKey.generate())
    assert requests.put(server.url + "/data/shared/a.txt", data=b"for the peer", headers=owner, timeout=30).status_code == 201
    minted = requests.post(server.url + "/haven/shares", headers=owner, timeout=30,
                           json={"to": peer.did, "rights": ["read", "list"], "path": "/shared/"})
    assert minted.status_code == 201, minted.text
    token = minted.json()["token"]

    def signed(method, path, expected, body=None, token=None):
        data = None if body is None else json.dumps(body).encode()
        response = send(peer.prepare(method, server.url + path, body=data, token=token))
        assert response.status_code == expected, f"{method} {path}: {response.status_code} {response.text}"
        return validator.check(response)

    tree = signed("GET", "/exchange/v1/tree/shared/", 200, token=token)
    assert [entry["path"] for entry in tree["entries"]] == ["/shared/a.txt"]
    signed("GET", "/exchange/v1/tree", 200, token=token)
    feed = signed("GET", "/exchange/v1/feed?path=/shared/", 200, token=token)
    assert [change["path"] for change in feed["changes"]] == ["/shared/a.txt"]
    # The same content request without the capability, and a market request from a stranger.
    signed("GET", "/exchange/v1/tree/shared/", 401)
    signed("GET", "/exchange/v1/market/offers", 403)
    receipt = signed("POST", "/exchange/v1/inbox", 202, body={"id": "hello-1", "subject": "hi", "text": "hello", "attachments": []})
    assert receipt["duplicate"] is False
    inbox = requests.get(server.url + "/haven/inbox", headers=owner, timeout=30)
    assert [m["id"] for m in validator.check(inbox)["messages"]] == ["hello-1"]

    # A web session: signed in with the token, described, listed, signed out.
    same_origin = {"Origin": server.url}
    signed_in = requests.post(server.url + "/haven/session", json={"token": server.home.token}, headers=same_origin, timeout=30)
    assert signed_in.status_code == 201, signed_in.text
    validator.check(signed_in)
    cookie = {"Cookie": signed_in.headers["set-cookie"].split(";")[0]}
    validator.check(requests.get(server.url + "/haven/session", headers=cookie, timeout=30))
    sessions = validator.check(requests.get(server.url + "/haven/sessions", headers=cookie, timeout=30))
    assert [s["current"] for s in sessions["sessions"]] == [True]
    assert requests.delete(server.url + "/haven/session", headers={**cookie, **same_origin}, timeout=30).status_code == 204
    refused = requests.post(server.url + "/haven/session", json={"token": "hvn_wrong"}, headers=same_origin, timeout=30)
    assert refused.status_code == 401
    validator.check(refused)


def test_ownership_licences_listings_and_conversations_match_the_documented_schemas(server, document):
    validator = Validator(document)
    owner = bearer(server.home.token)

    def call(method, path, expected, **kwargs):
        response = requests.request(method, server.url + path, headers=owner, timeout=60, **kwargs)
        assert response.status_code == expected, f"{method} {path}: {response.status_code} {response.text}"
        return validator.check(response)

    policy = json.dumps({
        "@context": "http://www.w3.org/ns/odrl.jsonld", "@type": "Set", "uid": "urn:uuid:openapi-policy",
        "permission": [{"uid": "urn:uuid:openapi-use", "action": "use"}],
    })
    assert requests.put(server.url + "/data/sold/report.txt", data=b"the report", headers=owner, timeout=30).status_code == 201
    minted = call("POST", "/haven/own/mint", 201, json={"path": "/sold/report.txt", "licence": policy})
    content_id = json.loads(minted["record"])["content"]
    holder = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"
    records = call("GET", f"/haven/own/{content_id}", 200)
    assert records["records"][0]["id"] == minted["id"]
    issued = call("POST", "/haven/own/licence", 201, json={"content": content_id, "to": holder, "policy": policy})
    call("POST", "/haven/own/revoke", 200, json={"record": issued["record"]["id"]})
    call("GET", f"/haven/own/{content_id}", 200)

    listing = call("POST", "/haven/market/listings", 201, json={"path": "/sold/report.txt", "price": 7, "policy": policy, "title": "Report"})
    listings = call("GET", "/haven/market/listings", 200)
    assert [entry["id"] for entry in listings["listings"]] == [listing["id"]]
    assert requests.delete(server.url + f"/haven/market/listings/{listing['id']}", headers=owner, timeout=30).status_code == 204
    call("GET", "/haven/market/listings?all=true", 200)

    conversation = call("POST", "/haven/conversations", 201, json={"model": "any", "title": "kept by the client"})
    messages = [{"role": "user", "content": "hello"},
                {"role": "assistant", "content": "", "tool_calls": [{"name": "search", "arguments": "{\"q\": \"x\"}"}]},
                {"role": "tool", "content": "nothing", "tool_name": "search"}]
    appended = requests.post(server.url + f"/haven/conversations/{conversation['id']}/messages", headers=owner,
                             json={"messages": messages}, timeout=30)
    assert appended.status_code == 204, appended.text
    read = call("GET", f"/haven/conversations/{conversation['id']}", 200)
    assert [m["role"] for m in read["messages"]] == ["user", "assistant", "tool"]
    call("POST", "/haven/grants", 201, json={"to": "app:reader", "rights": ["infer"]})
    call("POST", "/haven/models", 400, json={"path": "relative/model.gguf"})
    assert requests.delete(server.url + f"/haven/conversations/{conversation['id']}", headers=owner, timeout=30).status_code == 204
    call("GET", f"/haven/conversations/{conversation['id']}", 404)


@pytest.fixture(scope="module")
def other(tmp_path_factory):
    """A second Haven, for the answers that need a peer."""
    tmp = tmp_path_factory.mktemp("openapi-peer")
    other = start_server(make_home(tmp / "home"), tmp)
    try:
        yield other
    finally:
        stop_server(other)


def test_peer_answers_match_the_documented_schemas(server, other, document):
    validator = Validator(document)

    def call(on, method, path, expected, **kwargs):
        response = requests.request(method, on.url + path, headers=bearer(on.home.token), timeout=120, **kwargs)
        assert response.status_code == expected, f"{method} {path}: {response.status_code} {response.text}"
        return validator.check(response)

    alice_did = call(server, "GET", "/haven/status", 200)["owner"]
    # The server's own URL is the caller's mistake (400, not a 502 as schemathesis once got),
    # next to the same request with the other server's.
    itself = call(server, "POST", "/haven/peers", 400, json={"url": server.url, "name": "me"})
    assert itself["error"]["code"] == "peer_is_self", itself
    bob = call(server, "POST", "/haven/peers", 201, json={"url": other.url, "name": "bob"})
    assert bob["blocked"] is False and bob["principal"] == "peer:" + bob["did"]
    call(other, "POST", "/haven/peers", 201, json={"url": server.url, "name": "alice"})
    call(server, "GET", "/haven/peers", 200)
    assert call(server, "POST", "/haven/peers/bob/block", 200)["blocked"] is True
    assert call(server, "POST", "/haven/peers/bob/unblock", 200)["blocked"] is False

    # Bob shares a folder with Alice's server; Alice keeps the token, pulls and mirrors it.
    assert requests.put(other.url + "/data/pub/x.txt", data=b"from bob", headers=bearer(other.home.token), timeout=30).status_code == 201
    shared = call(other, "POST", "/haven/shares", 201, json={"to": alice_did, "rights": ["read", "list"], "path": "/pub/"})
    call(server, "POST", "/haven/peers/bob/capabilities", 201, json={"token": shared["token"]})
    held = call(server, "GET", "/haven/peers/bob/capabilities", 200)
    assert [c["can"] for c in held["capabilities"][0]["capabilities"]] == ["read", "list"]
    pull = call(server, "POST", "/haven/pulls", 202, json={"source": "bob:/pub/", "destination": "/from-bob/"})
    done = wait_for(lambda: (lambda p: p if p["state"] in ("done", "failed") else None)(
        call(server, "GET", f"/haven/pulls/{pull['id']}", 200)), "the pull to finish")
    assert done["state"] == "done" and done["files_received"] == 1, done
    call(server, "GET", "/data/from-bob/x.txt?versions", 200)
    mirror = call(server, "POST", "/haven/mirrors", 201, json={"source": "bob:/pub/", "destination": "/mirror-bob/"})
    call(server, "GET", f"/haven/mirrors/{mirror['id']}", 200)
    call(server, "GET", "/haven/mirrors", 200)
    call(server, "DELETE", f"/haven/mirrors/{mirror['id']}", 200)

    # A message with an attachment, received by a known peer.
    sent = call(server, "POST", "/haven/messages", 201, json={"to": "bob", "subject": "notes", "text": "see attached",
                                                              "attach": ["/from-bob/x.txt"]})
    inbox = call(other, "GET", "/haven/inbox", 200)
    [received] = [m for m in inbox["messages"] if m["id"] == sent["id"]]
    assert received["from_name"] == "alice" and received["request"] is False

    # The storage market between the two: an offer seen from the other side. (A backup needs
    # more providers than one peer; test_datamall.py places them.)
    call(other, "POST", "/haven/market/offers", 201, json={"capacity_bytes": 1 << 30, "price_per_gib_per_period": 3})
    offers = call(server, "GET", "/haven/market/offers?peers=true", 200)
    assert [o["peer"] for o in offers["offers"]] == ["bob"]
    call(server, "POST", "/haven/backups", 400, json={"path": "/from-bob/", "data_shards": 1, "total_shards": 1})

    # Witnessing each other's logs.
    call(server, "POST", "/haven/witness", 201, json={"peer": "bob"})
    call(server, "POST", "/haven/witness/check", 200)
    call(server, "GET", "/haven/witness", 200)
    call(other, "GET", "/haven/witness", 200)
