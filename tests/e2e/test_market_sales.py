"""Data licences for sale between three Havens on loopback: alice sells, bob and carol buy.

Both buyers reach alice through a forwarding proxy (alice's public URL), which the tests may
tell to spoil one kind of answer: the first receipt of an order (so the buyer's server has to
present the same order again), or the tree listing of a file (so what the seller's server
offers for download is not the listed content). The tests share the three servers and run in
file order."""

import json
import threading
from dataclasses import dataclass

import pytest
import requests

from conftest import bearer, make_home, start_server, stop_server
from exchange_helpers import cli, get, ok, owner_did, put, wait_for
from proxy import Proxy
from test_datamall import ledger_entries

RESEARCH = "dpv:ResearchAndDevelopment"
PRICE = 2_500_000


@dataclass
class Market:
    alice: object
    bob: object
    carol: object
    proxy: object
    spoil: dict


@pytest.fixture(scope="module")
def market(tmp_path_factory):
    base = tmp_path_factory.mktemp("sales")
    spoil = {"receipt": 0, "tree": None}
    lock = threading.Lock()

    def rewrite(method, path, status, headers, body):
        with lock:
            if method == "POST" and path == "/exchange/v1/market/purchases" and spoil["receipt"] > 0:
                spoil["receipt"] -= 1
                return b"{\"garbled\": true"
            if method == "GET" and spoil["tree"] and path == "/exchange/v1/tree" + spoil["tree"][0] and status == 200:
                return body.replace(spoil["tree"][1].encode(), spoil["tree"][2].encode())
        return body

    proxy = Proxy(rewrite=rewrite)
    started = []
    with proxy:
        try:
            alice = start_server(make_home(base / "alice"), base, "--public-url", proxy.url)
            started.append(alice)
            proxy.forward_to(alice.url)
            bob = start_server(make_home(base / "bob"), base)
            started.append(bob)
            carol = start_server(make_home(base / "carol"), base)
            started.append(carol)
            for buyer, name in [(bob, "bob"), (carol, "carol")]:
                ok(cli(buyer, "peer", "add", proxy.url, "--name", "alice"))
                ok(cli(alice, "peer", "add", buyer.url, "--name", name))
            yield Market(alice=alice, bob=bob, carol=carol, proxy=proxy, spoil=spoil)
        finally:
            for server in started:
                stop_server(server)


def api(server, path):
    response = requests.get(server.url + path, headers=bearer(server.home.token), timeout=30)
    assert response.status_code == 200, response.text
    return response.json()


def policy_file(tmp_path, name, uses):
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps({
        "@context": ["http://www.w3.org/ns/odrl.jsonld", {"dpv": "https://w3id.org/dpv#"}],
        "@type": "Set",
        "uid": f"urn:uuid:{name}-policy",
        "permission": [{
            "uid": f"urn:uuid:{name}",
            "action": "use",
            "constraint": [
                {"leftOperand": "purpose", "operator": "isA", "rightOperand": RESEARCH},
                {"leftOperand": "count", "operator": "lteq", "rightOperand": uses},
            ],
        }],
    }))
    return path


def data_cid(server, path):
    response = requests.head(server.url + "/data" + path, headers=bearer(server.home.token), timeout=30)
    assert response.status_code == 200
    return response.headers["ETag"].strip('"')


def purchase(server, purchase_id):
    return next(p for p in api(server, "/haven/market/purchases")["purchases"] if p["id"] == purchase_id)


def sale(server, purchase_id):
    return next(s for s in api(server, "/haven/market/sales")["sales"] if s["id"] == purchase_id)


def market_lines(server, kind, purchase_id):
    return [e for e in ledger_entries(server) if e.startswith(f"haven-market/v1 {kind} {purchase_id}")]


def test_a_file_is_bought_delivered_checked_and_its_licence_enforced(market, tmp_path):
    birds = b"species,count\nrobin,12\nwren,3\n" * 400
    put(market.alice, "/datasets/birds.csv", birds, "text/csv")
    put(market.alice, "/datasets/more/fish.csv", b"cod,1\n", "text/csv")
    policy = policy_file(tmp_path, "research-twice", 2)

    # Refused, and nothing listed: a folder, a policy naming its own assignee, a bad price.
    folder = cli(market.alice, "market", "list", "/datasets/more/", "--price", "10", "--policy", str(policy))
    assert folder.returncode != 0 and "one file" in folder.stderr
    assigned = tmp_path / "assigned.json"
    assigned.write_text(policy.read_text().replace('"action": "use"', f'"action": "use", "assignee": "{owner_did(market.bob)}"'))
    named = cli(market.alice, "market", "list", "/datasets/birds.csv", "--price", "10", "--policy", str(assigned))
    assert named.returncode != 0 and "assignee" in named.stderr
    negative = cli(market.alice, "market", "list", "/datasets/birds.csv", "--price", "-5", "--policy", str(policy))
    assert negative.returncode != 0
    assert api(market.alice, "/haven/market/listings")["listings"] == []

    listing_id = ok(cli(market.alice, "market", "list", "/datasets/birds.csv", "--price", str(PRICE), "--policy", str(policy))).stdout.strip()
    cid = data_cid(market.alice, "/datasets/birds.csv")
    seen = json.loads(ok(cli(market.bob, "market", "listings", "--peers", "--json")).stdout)
    [offered] = [item for item in seen["listings"] if item["id"] == listing_id]
    assert (offered["peer"], offered["content"], offered["price"], offered["use"]) == ("alice", cid, PRICE, "copy")
    assert f"haven-market/v1 listing {listing_id}" in ledger_entries(market.alice)

    # A purpose the licence does not allow: paid and licensed, but nothing is delivered yet.
    bought = json.loads(ok(cli(market.bob, "market", "buy", "alice", listing_id, "--purpose", RESEARCH, "--json")).stdout)
    assert bought["state"] == "delivered", bought
    assert bought["path"] == "/purchases/alice/birds.csv" and bought["content"] == cid
    kept = get(market.bob, "/purchases/alice/birds.csv")
    assert kept.status_code == 200 and kept.content == birds

    # The seller's side: one sale, charged once, a licence record to bob in its ledger.
    sold = wait_for(lambda: (s := sale(market.alice, bought["id"]))["state"] == "delivered" and s, "the seller to hear of the delivery")
    assert (sold["buyer"], sold["price"], sold["content"]) == (owner_did(market.bob), PRICE, cid)
    records = json.loads(ok(cli(market.alice, "own", "show", cid)).stdout)["records"]
    [licence] = [r for r in records if r["kind"] == "licence"]
    assert licence["id"] == bought["licence"] == sold["licence"]
    assert market_lines(market.alice, "sale", bought["id"]) and market_lines(market.alice, "delivery", bought["id"])
    assert market_lines(market.bob, "purchase", bought["id"]) and market_lines(market.bob, "delivery", bought["id"])

    # The capability carries the policy: another purpose is refused and not counted; the
    # second use allowed; the third refused by the count.
    wrong = cli(market.bob, "pull", "alice:/datasets/birds.csv", "/again/", "--purpose", "dpv:Marketing")
    assert wrong.returncode != 0 and "urn:uuid:research-twice" in wrong.stderr
    again = ok(cli(market.bob, "pull", "alice:/datasets/birds.csv", "/again/", "--purpose", RESEARCH))
    assert get(market.bob, "/again/birds.csv").content == birds, again.stderr
    third = cli(market.bob, "pull", "alice:/datasets/birds.csv", "/third/", "--purpose", RESEARCH)
    assert third.returncode != 0 and "urn:uuid:research-twice" in third.stderr


def test_an_order_presented_again_is_charged_once(market):
    [listing] = api(market.alice, "/haven/market/listings")["listings"]
    earned = api(market.alice, "/haven/market/sales")["earned"]
    # The seller charges and answers, but the answer is lost on the way back.
    market.spoil["receipt"] = 1
    bought = json.loads(ok(cli(market.carol, "market", "buy", "alice", listing["id"], "--purpose", RESEARCH, "--json")).stdout)
    assert bought["state"] == "pending" and bought["error"], bought
    assert market.spoil["receipt"] == 0
    # The buyer's server presents the same order again: the same licence, no second charge.
    done = wait_for(lambda: (p := purchase(market.carol, bought["id"]))["state"] == "delivered" and p, "the retried purchase")
    assert get(market.carol, done["path"]).status_code == 200
    sales = [s for s in api(market.alice, "/haven/market/sales")["sales"] if s["buyer"] == owner_did(market.carol)]
    assert [s["id"] for s in sales] == [bought["id"]]
    assert api(market.alice, "/haven/market/sales")["earned"] == earned + PRICE
    assert len(market_lines(market.alice, "sale", bought["id"])) == 1
    assert api(market.carol, "/haven/market/purchases")["spent"] == PRICE


def test_content_other_than_the_listed_one_is_refused_and_refunded_after_the_deadline(market, tmp_path):
    put(market.alice, "/datasets/fish.csv", b"salmon,4\ntrout,9\n" * 100, "text/csv")
    put(market.alice, "/datasets/decoy.csv", b"not the fish\n", "text/csv")
    cid, decoy = data_cid(market.alice, "/datasets/fish.csv"), data_cid(market.alice, "/datasets/decoy.csv")
    policy = policy_file(tmp_path, "fish", 5)
    listing_id = ok(cli(market.alice, "market", "list", "/datasets/fish.csv", "--price", "700", "--policy", str(policy),
                        "--delivery", "6s")).stdout.strip()
    refunded_before = api(market.alice, "/haven/market/sales")["refunded"]
    # What the seller's server offers for download is not the listed content.
    market.spoil["tree"] = ("/datasets/fish.csv", cid, decoy)
    try:
        bought = json.loads(ok(cli(market.carol, "market", "buy", "alice", listing_id, "--purpose", RESEARCH, "--json")).stdout)
        assert bought["state"] == "pending" and "not the offered content" in bought["error"], bought
        assert get(market.carol, bought["path"]).status_code == 404
        refunded = wait_for(lambda: (p := purchase(market.carol, bought["id"]))["state"] == "refunded" and p,
                            "the refund after the deadline", seconds=40)
    finally:
        market.spoil["tree"] = None
    assert get(market.carol, refunded["path"]).status_code == 404
    assert sale(market.alice, bought["id"])["state"] == "refunded"
    assert api(market.alice, "/haven/market/sales")["refunded"] == refunded_before + 700
    assert market_lines(market.carol, "refund", bought["id"]) and market_lines(market.alice, "refund", bought["id"])
    # The licence was revoked: its capability no longer fetches the file.
    shares = api(market.alice, "/haven/shares?all=true")["shares"]
    [token] = [t for t in shares if t["audience"] == owner_did(market.carol) and t["capabilities"][0]["with"] == "/datasets/fish.csv"]
    assert token["revoked_at"]
    late = cli(market.carol, "pull", "alice:/datasets/fish.csv", "/late/", "--purpose", RESEARCH)
    assert late.returncode != 0 and "revoked" in late.stderr
    assert api(market.carol, "/haven/market/purchases")["spent"] == PRICE


def test_compute_to_data_sells_answers_never_the_data(market, tmp_path):
    put(market.alice, "/notes/recipe.txt", b"The secret ingredient of the soup is smoked paprika.\n", "text/plain")
    policy = policy_file(tmp_path, "ask-only", 3)
    # A short agent, so the small model answers in two steps: read the file, then answer.
    agents = market.alice.home.path / "agents"
    agents.mkdir(exist_ok=True)
    (agents / "oracle.toml").write_text(
        'name = "oracle"\ndescription = "Answers about one file."\n'
        'instructions = "Read the file named in the question, then answer in one sentence."\n'
        'tools = ["read"]\nscopes = ["/notes/"]\nmax_steps = 2\ntool_choice = "required"\n')
    missing = cli(market.alice, "market", "list", "/notes/recipe.txt", "--price", "900", "--policy", str(policy),
                  "--use", "ai", "--agent", "nobody")
    assert missing.returncode != 0 and "nobody" in missing.stderr
    listing_id = ok(cli(market.alice, "market", "list", "/notes/recipe.txt", "--price", "900", "--policy", str(policy),
                        "--use", "ai", "--agent", "oracle")).stdout.strip()
    bought = json.loads(ok(cli(market.bob, "market", "buy", "alice", listing_id, "--purpose", RESEARCH, "--json")).stdout)
    assert (bought["state"], bought["use"], bought["path"]) == ("delivered", "ai", "")
    # The capability is for asking only: the file itself cannot be pulled with it.
    pulled = cli(market.bob, "pull", "alice:/notes/recipe.txt", "/stolen/", "--purpose", RESEARCH)
    assert pulled.returncode != 0
    assert get(market.bob, "/stolen/recipe.txt").status_code == 404
    # Asked, the seller's agent answers; only the answer comes back.
    response = requests.post(market.bob.url + f"/haven/market/purchases/{bought['id']}/ask", headers=bearer(market.bob.home.token),
                             json={"question": "Read /notes/recipe.txt. What is the secret ingredient?"}, timeout=600)
    assert response.status_code == 200, response.text
    answer = response.json()
    assert set(answer) == {"purchase", "answer"} and answer["answer"].strip()
    # A copy purchase cannot be asked.
    [copy] = [p for p in api(market.bob, "/haven/market/purchases")["purchases"] if p["use"] == "copy"]
    refused = requests.post(market.bob.url + f"/haven/market/purchases/{copy['id']}/ask", headers=bearer(market.bob.home.token),
                            json={"question": "hello"}, timeout=60)
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "not_compute"
