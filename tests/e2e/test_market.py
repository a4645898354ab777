"""The storage market between two Havens on loopback, as far as it is built: a provider
publishes a signed offer (recorded in its ledger); a consumer's server lists its peers' offers,
each signature checked against the peer's key; a withdrawn offer is no longer shown."""

import base64
import json

import requests
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from conftest import make_home, start_server, stop_server
from exchange_helpers import cli, ok, owner_did

from test_ledger_network import public_key


def test_a_peers_offer_is_listed_checked_and_withdrawn(tmp_path):
    provider = start_server(make_home(tmp_path / "provider"), tmp_path)
    consumer = start_server(make_home(tmp_path / "consumer"), tmp_path)
    try:
        ok(cli(provider, "peer", "add", consumer.url, "--name", "carol"))
        ok(cli(consumer, "peer", "add", provider.url, "--name", "paul"))
        refused = cli(provider, "market", "offer", "--capacity", "lots", "--price", "1000")
        assert refused.returncode != 0 and "--capacity" in refused.stderr

        offer_id = ok(cli(provider, "market", "offer", "--capacity", "20GiB", "--price", "1200", "--term", "12")).stdout.strip()
        mine = json.loads(ok(cli(provider, "market", "offers", "--json")).stdout)["offers"]
        assert [o["id"] for o in mine] == [offer_id] and mine[0]["log_index"] is not None

        seen = json.loads(ok(cli(consumer, "market", "offers", "--peers", "--json")).stdout)
        assert seen["unreachable"] == {}
        [offer] = seen["offers"]
        assert (offer["id"], offer["peer"], offer["provider"]) == (offer_id, "paul", owner_did(provider))
        assert (offer["capacity_bytes"], offer["price_per_gib_per_period"], offer["minimum_term_periods"]) == (20 << 30, 1200, 12)
        # The document is the provider's signed word: checked here from its did:key alone.
        document = json.loads(offer["document"])
        signature = base64.urlsafe_b64decode(document.pop("sig") + "==")
        unsigned = json.dumps(document, separators=(",", ":"), sort_keys=True, ensure_ascii=False).encode()
        Ed25519PublicKey.from_public_bytes(public_key(offer["provider"])).verify(
            signature, b"haven-storage-offer/v1\n" + unsigned)

        # A stranger's server is not shown the offers.
        response = requests.get(provider.url + "/exchange/v1/market/offers", timeout=30)
        assert response.status_code == 401

        ok(cli(provider, "market", "withdraw", offer_id))
        assert json.loads(ok(cli(consumer, "market", "offers", "--peers", "--json")).stdout)["offers"] == []
    finally:
        stop_server(provider)
        stop_server(consumer)
