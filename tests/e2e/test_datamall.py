"""The storage market between five servers on loopback: one consumer (owen) and four providers.

Owen backs /photos/ up 3-of-4: each shard sealed under its own key and placed with its own
provider under a contract both sign and both log. Owen challenges each provider from his own
fresh checkpoints and settles every period whose challenges passed. A provider that deletes a
tenth of its shard is caught, forfeits its collateral to owen, and the shard is rebuilt from
three others and placed elsewhere; a provider answering from another provider's replica fails
the same way; with one provider killed owen restores byte-identical files; and every
contract's payments, hold-backs and collateral add up exactly, on both sides.

Offers here have 6-second periods with 30 challenges each (answer window 2 s), so a provider
that lost a tenth of its leaves is caught within a period with probability 1 - 0.9^30 > 95 %.
The tests share the five servers and run in file order."""

import hashlib
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from conftest import assert_json_error, bearer, make_home, start_server, stop_server
from exchange_helpers import cli, get, kill, ok, owner_did, put, wait_for

PERIOD = 6
CHALLENGES = 30
PRICE = {"p1": 1_000_000, "p2": 1_100_000, "p3": 1_200_000, "p4": 1_300_000}
LEAF = 4096


@dataclass
class Mall:
    owen: object
    providers: dict
    did: dict
    files: dict
    base: Path


@pytest.fixture(scope="module")
def mall(tmp_path_factory):
    base = tmp_path_factory.mktemp("datamall")
    started = []
    try:
        owen = start_server(make_home(base / "owen"), base)
        started.append(owen)
        providers = {}
        for name in PRICE:
            providers[name] = start_server(make_home(base / name), base)
            started.append(providers[name])
        for name, provider in providers.items():
            ok(cli(owen, "peer", "add", provider.url, "--name", name))
            ok(cli(provider, "peer", "add", owen.url, "--name", "owen"))
        did = {name: owner_did(server) for name, server in [("owen", owen), *providers.items()]}
        files = {
            "/photos/beach.jpg": os.urandom(700_000),
            "/photos/2026/hills.png": os.urandom(400_000),
            "/photos/notes.txt": b"sunsets\n" * 2000,
        }
        for path, data in files.items():
            put(owen, path, data)
        yield Mall(owen=owen, providers=providers, did=did, files=files, base=base)
    finally:
        for server in started:
            stop_server(server)


def api(server, path):
    response = requests.get(server.url + path, headers=bearer(server.home.token), timeout=30)
    assert response.status_code == 200, response.text
    return response.json()


def contracts(server, **query):
    suffix = "?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else ""
    return {c["id"]: c for c in api(server, "/haven/market/contracts" + suffix)["contracts"]}


def backup(mall):
    [photos] = [b for b in api(mall.owen, "/haven/backups")["backups"] if b["path"] == "/photos/"]
    return photos


def current_shards(mall):
    """Shard index -> the newest contract holding it that is not breached."""
    held = {}
    for shard in sorted(backup(mall)["shards"], key=lambda s: s["contract"]):
        if shard["status"] != "breached":
            held[shard["index"]] = shard
    return held


def provider_name(mall, did):
    return next(name for name, d in mall.did.items() if d == did)


def ledger_entries(server):
    """Every entry of the server's public log, read from its C2SP tiles."""
    text = requests.get(server.url + "/ledger/checkpoint", timeout=30).text
    size = int(text.split("\n")[1])
    entries = []
    for bundle in range((size + 255) // 256):
        width = min(256, size - bundle * 256)
        digits = f"{bundle:03d}"
        groups = [digits[max(0, i - 3):i] for i in range(len(digits), 0, -3)][::-1]
        groups = [g.rjust(3, "0") for g in groups]
        path = "/".join(["x" + g for g in groups[:-1]] + [groups[-1]])
        response = requests.get(server.url + f"/ledger/tile/entries/{path}" + ("" if width == 256 else f".p/{width}"), timeout=30)
        assert response.status_code == 200, (path, response.status_code)
        data, offset = response.content, 0
        while offset < len(data):
            length = int.from_bytes(data[offset:offset + 2], "big")
            entries.append(data[offset + 2:offset + 2 + length].decode())
            offset += 2 + length
    return entries


def shard_file(provider, contract):
    return provider.home.path / "market" / "shards" / contract


def test_a_backup_is_placed_three_of_four_with_contracts_both_sides_log(mall):
    for name, provider in mall.providers.items():
        ok(cli(provider, "market", "offer", "--capacity", "1GiB", "--price", str(PRICE[name]), "--period", f"{PERIOD}s",
               "--term", "2", "--challenges", str(CHALLENGES)))
    # Bad requests change nothing.
    refused = cli(mall.owen, "backup", "add", "/photos/", "--copies", "4-of-3")
    assert refused.returncode != 0 and "K-of-N" in refused.stderr
    too_many = cli(mall.owen, "backup", "add", "/photos/", "--copies", "3-of-5")
    assert too_many.returncode != 0 and "needs 5 providers" in too_many.stderr
    nothing = cli(mall.owen, "backup", "add", "/nothing/", "--copies", "3-of-4")
    assert nothing.returncode != 0 and "no files" in nothing.stderr
    assert api(mall.owen, "/haven/backups")["backups"] == [] and contracts(mall.owen) == {}

    view = json.loads(ok(cli(mall.owen, "backup", "add", "/photos/", "--copies", "3-of-4", "--term", "50", "--json")).stdout)
    assert (view["data_shards"], view["total_shards"], view["files"]) == (3, 4, 3)
    assert sorted(s["index"] for s in view["shards"]) == [0, 1, 2, 3]
    assert sorted(s["peer"] for s in view["shards"]) == sorted(PRICE)  # one shard with each provider

    mine = contracts(mall.owen)
    assert len(mine) == 4
    owen_log = ledger_entries(mall.owen)
    for shard in view["shards"]:
        provider = mall.providers[shard["peer"]]
        contract = mine[shard["contract"]]
        assert (contract["role"], contract["status"], contract["term_periods"]) == ("consumer", "active", 50)
        theirs = contracts(provider)[shard["contract"]]
        assert (theirs["role"], theirs["counterparty"], theirs["balances"]) == ("provider", mall.did["owen"], contract["balances"])
        # The provider holds exactly the sealed bytes the contract commits to.
        assert shard_file(provider, shard["contract"]).stat().st_size == contract["stored_bytes"]
        # Revision 0 is in both ledgers.
        assert any(e.startswith(f"haven-market/v1 revision {shard['contract']} 0 ") for e in owen_log)
        assert any(e.startswith(f"haven-market/v1 revision {shard['contract']} 0 ") for e in ledger_entries(provider))
    # Each replica is sealed under its own key: no provider holds what another holds.
    contents = {shard_file(mall.providers[s["peer"]], s["contract"]).read_bytes() for s in view["shards"]}
    assert len(contents) == 4
    plain = b"".join(mall.files.values())
    assert all(plain[:64] not in c for c in contents)

    # A stranger cannot take the consumer's shard nor challenge for it.
    some = view["shards"][0]["contract"]
    assert requests.get(mall.owen.url + f"/exchange/v1/market/shards/{some}", timeout=30).status_code == 401


def test_challenges_pass_and_each_period_is_paid_with_a_hold_back(mall):
    # A second, two-period backup runs its whole term: the hold-back is paid at the end.
    notes = json.loads(ok(cli(mall.owen, "backup", "add", "/photos/2026/", "--copies", "1-of-2", "--term", "2", "--json")).stdout)
    short = {s["contract"] for s in notes["shards"]}
    wait_for(lambda: all(c["period"] >= 1 for c in contracts(mall.owen).values()),
             "every contract to settle its first period", seconds=4 * PERIOD)
    challenges = api(mall.owen, "/haven/market/challenges?limit=1000")["challenges"]
    assert len(challenges) >= 4 * CHALLENGES
    assert {c["outcome"] for c in challenges} == {"passed"}
    listed = ok(cli(mall.owen, "market", "challenges", "--limit", "5")).stdout
    assert listed.count("passed") == 5
    for contract in contracts(mall.owen).values():
        if contract["id"] in short:
            continue
        fee, period, balances = contract["period_fee"], contract["period"], contract["balances"]
        held = period * (fee * 250 // 1000)
        assert balances["held_back"] == held
        assert balances["provider_earned"] == period * fee - held
        assert balances["consumer_remaining"] == (50 - period) * fee

    ended = wait_for(lambda: all((c := contracts(mall.owen))[cid]["status"] == "ended" for cid in short) and c,
                     "the two-period contracts to end", seconds=5 * PERIOD, interval=0.5)
    for cid in short:
        contract, fee = ended[cid], ended[cid]["period_fee"]
        assert (contract["period"], contract["balances"]["provider_earned"], contract["balances"]["held_back"]) == (2, 2 * fee, 0)
        provider = next(p for p in mall.providers.values() if cid in contracts(p))
        assert contracts(provider)[cid]["balances"] == contract["balances"]
        assert not shard_file(provider, cid).exists()  # the provider may drop what it no longer stores
        entries = [e for e in ledger_entries(provider) if e.startswith(f"haven-market/v1 revision {cid} ")]
        assert [e.split()[-1] for e in entries] == ["active", "active", "active", "ended"]


def test_a_provider_that_drops_a_tenth_of_its_shard_is_caught_loses_its_collateral_and_is_repaired(mall):
    shards = current_shards(mall)
    victim = next(s for s in shards.values() if s["peer"] == "p1")
    path = shard_file(mall.providers["p1"], victim["contract"])
    data = bytearray(path.read_bytes())
    leaves = (len(data) + LEAF - 1) // LEAF
    for leaf in range(0, leaves, 10):  # every tenth leaf is lost
        data[leaf * LEAF:(leaf + 1) * LEAF] = bytes(len(data[leaf * LEAF:(leaf + 1) * LEAF]))
    path.write_bytes(bytes(data))

    breached = wait_for(lambda: (c := contracts(mall.owen)[victim["contract"]])["status"] == "breached" and c,
                        "the damaged shard to be caught", seconds=6 * PERIOD, interval=0.5)
    balances = breached["balances"]
    assert balances["collateral_posted"] == 0 and balances["collateral_forfeited"] > 0
    assert balances["held_back"] == 0  # returned to the consumer
    [failure] = [c for c in api(mall.owen, f"/haven/market/challenges?contract={victim['contract']}")["challenges"]
                 if c["outcome"] != "passed"]
    assert failure["outcome"] == "wrong" and failure["evidence"]
    assert f"haven-market/v1 evidence {victim['contract']} {failure['evidence']} wrong" in ledger_entries(mall.owen)
    # The provider was told, and logged the breach too.
    theirs = wait_for(lambda: (c := contracts(mall.providers["p1"])[victim["contract"]])["status"] == "breached" and c,
                      "p1 to hear of the breach", seconds=10)
    assert theirs["balances"] == balances
    assert not path.exists()

    # The shard is rebuilt from three others and placed with another provider.
    repaired = wait_for(lambda: (s := current_shards(mall).get(victim["index"])) and s["contract"] != victim["contract"] and s,
                        "the shard to be repaired", seconds=30, interval=0.5)
    assert repaired["peer"] != "p1" and repaired["status"] == "active"
    holder = mall.providers[repaired["peer"]]
    assert shard_file(holder, repaired["contract"]).stat().st_size == contracts(mall.owen)[repaired["contract"]]["stored_bytes"]


def test_with_one_provider_killed_the_owner_restores_byte_identical_files(mall):
    holders = {}
    for shard in current_shards(mall).values():
        holders.setdefault(shard["peer"], []).append(shard["index"])
    # Kill a provider that holds a single shard: three remain.
    killed = next(name for name, indices in sorted(holders.items()) if len(indices) == 1)
    kill(mall.providers[killed])

    result = ok(cli(mall.owen, "restore", "/photos/", "--to", "/restored/"))
    assert "Restored 3 files into /restored/" in result.stderr
    assert "verified" in result.stderr
    for path, data in mall.files.items():
        response = get(mall.owen, path.replace("/photos/", "/restored/", 1))
        assert response.status_code == 200 and response.content == data

    # Restoring a folder that was never backed up is refused, and writes nothing.
    missing = cli(mall.owen, "restore", "/music/")
    assert missing.returncode != 0 and "no backup" in missing.stderr


def test_a_provider_answering_from_another_providers_replica_fails(mall):
    shards = [s for s in current_shards(mall).values()
              if mall.providers[s["peer"]].process.poll() is None]
    by_peer = {}
    for shard in shards:
        by_peer.setdefault(shard["peer"], shard)
    cheat, honest = list(by_peer.values())[:2]
    source = shard_file(mall.providers[honest["peer"]], honest["contract"]).read_bytes()
    target = shard_file(mall.providers[cheat["peer"]], cheat["contract"])
    size = target.stat().st_size
    # Same length, another provider's sealed bytes: every leaf is somebody else's replica.
    target.write_bytes((source * 2)[:size])
    wait_for(lambda: contracts(mall.owen)[cheat["contract"]]["status"] == "breached",
             "the copied replica to be caught", seconds=3 * PERIOD, interval=0.5)
    outcomes = {c["outcome"] for c in api(mall.owen, f"/haven/market/challenges?contract={cheat['contract']}")["challenges"]}
    assert "wrong" in outcomes


def test_payments_hold_backs_and_collateral_add_up_across_all_contracts(mall):
    owen = contracts(mall.owen)
    assert any(c["status"] == "breached" for c in owen.values())
    for contract in owen.values():
        fee, period, b = contract["period_fee"], contract["period"], contract["balances"]
        value = contract["term_periods"] * fee
        collateral = -(-value * 34 // 1000)  # the default 34 per mille, rounded up
        assert sum(b.values()) == value + collateral, contract
        paid = period * fee
        held = period * (fee * 250 // 1000)
        if contract["status"] == "ended":
            assert (b["provider_earned"], b["held_back"], b["consumer_remaining"]) == (value, 0, 0)
            assert b["collateral_posted"] == collateral  # released to the provider
        elif contract["status"] == "active":
            assert (b["provider_earned"], b["held_back"], b["collateral_posted"]) == (paid - held, held, collateral)
            assert b["consumer_remaining"] == value - paid
        else:
            assert (b["provider_earned"], b["held_back"], b["collateral_forfeited"]) == (paid - held, 0, collateral)
            assert b["consumer_remaining"] == value - paid + held
    # Each live provider holds the same revision of each of its contracts as owen.
    for name, provider in mall.providers.items():
        if provider.process.poll() is not None:
            continue
        for cid, theirs in contracts(provider).items():
            mine = contracts(mall.owen)[cid]
            if mine["revision"] == theirs["revision"]:
                assert mine["balances"] == theirs["balances"]
            else:  # a settlement in flight between the two reads
                assert abs(mine["revision"] - theirs["revision"]) == 1
