"""Moving house: `haven export` from a running server while a writer keeps writing, `haven import`
into a fresh home in another directory, and a server started there that is the same Haven: the
same did:key, every file and version byte for byte, the same grants, tokens and audit log (which
still verifies), and the capability and app tokens issued before the move still work. A wrong
passphrase and an altered archive are refused with nothing left behind."""

import os
import subprocess
import threading
import time

import requests

from capability import Holder
from conftest import (
    HAVEN_BIN, Home, assert_one_line_error, bearer, create_app_token, make_home, run_haven, start_server, stop_server,
)

PASSPHRASE = "a long walk to the new house"
# scrypt at 2^12 keeps the test fast; the default (2^17) is what the unit tests and people use.
CHEAP = {"HAVEN_SCRYPT_LOG2N": "12"}
WRITES = 400  # the writer's bound: it stops after this many rounds, or when told to


def put(server, path, data, token=None):
    response = requests.put(server.url + "/data" + path, data=data,
                            headers=bearer(token or server.home.token), timeout=30)
    assert response.status_code == 201, response.text
    return response.json()


def owner_get(server, path, **params):
    return requests.get(server.url + path, params=params, headers=bearer(server.home.token), timeout=60)


def versions(server, path):
    response = owner_get(server, "/data" + path, versions="")
    assert response.status_code == 200, response.text
    return response.json()["versions"]


def audit(server):
    response = owner_get(server, "/haven/audit", limit=10000)
    assert response.status_code == 200, response.text
    return list(reversed(response.json()["entries"]))  # oldest first


class Writer(threading.Thread):
    """Writes /live/counter.txt (a new version each round) and then /live/N.txt, round after round,
    until stopped: the archive must catch it at one instant."""

    def __init__(self, server):
        super().__init__(daemon=True)
        self.server = server
        self.stop = threading.Event()
        self.rounds = 0
        self.error = None

    def run(self):
        try:
            with requests.Session() as session:
                session.headers.update(bearer(self.server.home.token))
                while not self.stop.is_set() and self.rounds < WRITES:
                    for path in ["/live/counter.txt", f"/live/{self.rounds}.txt"]:
                        response = session.put(self.server.url + "/data" + path, data=f"round {self.rounds}", timeout=30)
                        assert response.status_code == 201, response.text
                    self.rounds += 1
        except Exception as error:  # reported by the test
            self.error = error


def haven_with_passphrase(passphrase, *args, env=None):
    """The CLI with the passphrase on standard input (--passphrase-fd 0)."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("HAVEN_")}
    full_env.update(env or {})
    return subprocess.run([HAVEN_BIN, *args, "--passphrase-fd", "0"], env=full_env, input=passphrase + "\n",
                          capture_output=True, text=True, timeout=300)


def export(server, archive):
    return haven_with_passphrase(PASSPHRASE, "export", str(archive), env={**server.env, **CHEAP})


def import_into(path, archive, passphrase=PASSPHRASE):
    return haven_with_passphrase(passphrase, "import", str(archive), "--home", str(path))


def test_a_home_moves_whole_to_a_new_directory_and_keeps_working(tmp_path):
    old = start_server(make_home(tmp_path / "old"), tmp_path)
    new = None
    try:
        # Files: versions, a directory, a deletion, a large file of many chunks.
        for text in [b"milk", b"milk, eggs", b"milk, eggs, bread"]:
            put(old, "/notes/todo.txt", text)
        put(old, "/notes/trip/plan.md", b"# Ferry at 9\n")
        put(old, "/notes/gone.txt", b"soon gone")
        assert requests.delete(old.url + "/data/notes/gone.txt", headers=bearer(old.home.token), timeout=30).status_code in (200, 204)
        big = os.urandom(3 << 20)
        put(old, "/photos/big.bin", big)
        # Who may see it: an app with a grant, a friend with a capability token, an agent.
        laptop = create_app_token(old, "laptop")
        granted = requests.post(old.url + "/haven/grants", json={"to": "app:laptop", "rights": ["read", "list"], "path": "/notes/"},
                                headers=bearer(old.home.token), timeout=30)
        assert granted.status_code == 201, granted.text
        friend = Holder()
        shared = requests.post(old.url + "/haven/shares", json={"path": "/notes/", "to": friend.did, "rights": ["read", "list"]},
                               headers=bearer(old.home.token), timeout=30)
        assert shared.status_code == 201, shared.text
        capability = shared.json()["token"]
        agent = requests.post(old.url + "/haven/agents", data='name = "mover"\ninstructions = "Help me move."\ntools = ["search"]\n',
                              headers=bearer(old.home.token), timeout=30)
        assert agent.status_code == 201, agent.text
        conversation = requests.post(old.url + "/haven/conversations", json={"model": "agent:mover", "title": "Boxes"},
                                     headers=bearer(old.home.token), timeout=30)
        assert conversation.status_code == 201, conversation.text
        conversation_path = "/haven/conversations/" + conversation.json()["id"]
        messages = [{"role": "user", "content": "Which boxes first?"}, {"role": "assistant", "content": "The books."}]
        assert requests.post(old.url + conversation_path + "/messages", json={"messages": messages},
                             headers=bearer(old.home.token), timeout=30).status_code == 204
        # An audit trail: allowed reads by both, a refused one.
        assert requests.get(old.url + "/data/notes/todo.txt", headers=bearer(laptop), timeout=30).status_code == 200
        assert requests.get(old.url + "/data/notes/todo.txt", headers=bearer(capability), timeout=30).status_code == 200
        assert requests.get(old.url + "/data/photos/big.bin", headers=bearer(laptop), timeout=30).status_code == 403

        # Export while a writer keeps writing.
        writer = Writer(old)
        writer.start()
        deadline = time.monotonic() + 30
        while writer.rounds < 5 and writer.is_alive() and time.monotonic() < deadline:
            time.sleep(0.01)
        archive = tmp_path / "moving.car"
        exported = export(old, archive)
        writer.stop.set()
        writer.join(timeout=60)
        assert writer.error is None, writer.error
        assert exported.returncode == 0, exported.stderr
        assert "Exported did:key:" in exported.stderr and archive.stat().st_size > len(big)
        assert not (tmp_path / "moving.car.partial").exists()

        # Refused: a wrong passphrase, an altered byte. Nothing is left behind either time.
        elsewhere = tmp_path / "elsewhere"
        wrong = import_into(elsewhere / "home", archive, passphrase="a long walk to the old house")
        assert_one_line_error(wrong, "passphrase")
        assert not elsewhere.exists() or list(elsewhere.iterdir()) == []
        altered = tmp_path / "altered.car"
        data = bytearray(archive.read_bytes())
        data[len(data) // 2] ^= 0x01
        altered.write_bytes(bytes(data))
        tampered = import_into(elsewhere / "home", altered)
        assert_one_line_error(tampered)
        assert "altered" in tampered.stderr or "damaged" in tampered.stderr, tampered.stderr
        assert not elsewhere.exists() or list(elsewhere.iterdir()) == []

        imported = import_into(elsewhere / "home", archive)
        assert imported.returncode == 0, imported.stderr
        new_token = imported.stdout.strip()
        assert new_token.startswith("hvn_") and new_token == (elsewhere / "home" / "owner.token").read_text().strip()
        assert oct((elsewhere / "home" / "owner.key").stat().st_mode & 0o777) == "0o600"
        new = start_server(Home(path=elsewhere / "home", token=new_token), tmp_path)
        moved = audit(new)  # before any request to the new server adds to it

        # The same Haven.
        old_identity = requests.get(old.url + "/.well-known/haven", timeout=30).json()
        assert requests.get(new.url + "/.well-known/haven", timeout=30).json()["did"] == old_identity["did"]

        # Every file and every version, byte for byte.
        for path in ["/notes/todo.txt", "/notes/trip/plan.md", "/notes/gone.txt", "/photos/big.bin"]:
            history = versions(old, path)
            assert versions(new, path) == history
            for version in history:
                if version.get("id"):
                    a = owner_get(old, "/data" + path, version=version["version"])
                    b = owner_get(new, "/data" + path, version=version["version"])
                    assert a.status_code == b.status_code == 200 and a.content == b.content
        assert owner_get(new, "/data/photos/big.bin").content == big

        # One instant: the counter's history up to some version, and exactly the round files
        # written before it (round N's file comes after round N's counter version).
        counter = versions(new, "/live/counter.txt")
        assert counter == versions(old, "/live/counter.txt")[:len(counter)]
        assert [v["version"] for v in counter] == list(range(1, len(counter) + 1))
        live = sorted(int(e["name"].split(".")[0]) for e in owner_get(new, "/data/live/").json()["entries"]
                      if e["name"] != "counter.txt")
        assert live == list(range(len(live))) and len(live) in (len(counter), len(counter) - 1)

        # Grants, tokens, shares, agents, the audit log.
        for path in ["/haven/grants", "/haven/shares", "/haven/agents", "/haven/conversations", conversation_path]:
            assert owner_get(new, path).json() == owner_get(old, path).json(), path
        old_tokens = owner_get(old, "/haven/tokens").json()["tokens"]
        new_tokens = owner_get(new, "/haven/tokens").json()["tokens"]
        assert all(token in new_tokens for token in old_tokens) and len(new_tokens) == len(old_tokens) + 1
        assert moved == audit(old)[:len(moved)]
        assert any(entry["action"] == "export" for entry in moved)
        verified = run_haven("audit", "verify", env=new.env)
        assert verified.returncode == 0, verified.stderr

        # Issued before the move, working after it: the friend's capability, the app's token and
        # the old owner token; and a new write lands.
        assert requests.get(new.url + "/data/notes/todo.txt", headers=bearer(capability), timeout=30).content == b"milk, eggs, bread"
        assert requests.get(new.url + "/data/notes/trip/plan.md", headers=bearer(laptop), timeout=30).status_code == 200
        assert requests.get(new.url + "/data/photos/big.bin", headers=bearer(laptop), timeout=30).status_code == 403
        assert requests.get(new.url + "/haven/status", headers=bearer(old.home.token), timeout=30).status_code == 200
        put(new, "/notes/after.txt", b"settled in")
    finally:
        stop_server(old)
        if new is not None:
            stop_server(new)


def test_peers_keep_working_after_the_move(tmp_path):
    """Alice and Bob share folders both ways; Alice moves. From her new home she pulls Bob's
    folder with the capability he gave her before the move (Bob changes nothing: he knows her by
    her key), and once Bob points alice at her new address he pulls hers with his old capability."""
    alice = start_server(make_home(tmp_path / "alice"), tmp_path)
    bob = start_server(make_home(tmp_path / "bob"), tmp_path)
    moved = None
    try:
        put(alice, "/photos/beach.jpg", b"waves" * 1000)
        put(bob, "/recipes/bread.md", b"# Flour, water, salt\n")
        alice_did = requests.get(alice.url + "/.well-known/haven", timeout=30).json()["did"]
        bob_did = requests.get(bob.url + "/.well-known/haven", timeout=30).json()["did"]
        for_bob = share_with(alice, "/photos/", bob_did)
        for_alice = share_with(bob, "/recipes/", alice_did)
        ok(run_haven("peer", "add", bob.url, "--name", "bob", env=alice.env))
        ok(run_haven("peer", "capability", "bob", for_alice, env=alice.env))
        ok(run_haven("peer", "add", alice.url, "--name", "alice", env=bob.env))

        archive = tmp_path / "alice.car"
        ok(export(alice, archive))
        stop_server(alice)
        imported = ok(import_into(tmp_path / "newbox" / "alice", archive))
        moved = start_server(Home(path=tmp_path / "newbox" / "alice", token=imported.stdout.strip()), tmp_path)

        # Alice's peers, and the capability Bob gave her, came along.
        ok(run_haven("pull", "bob:/recipes/", "/from/bob/", env=moved.env))
        assert owner_get(moved, "/data/from/bob/bread.md").content == b"# Flour, water, salt\n"

        # Bob updates her address (the same key proves itself at the new one) and pulls as before.
        ok(run_haven("peer", "add", moved.url, "--name", "alice", env=bob.env))
        ok(run_haven("pull", "alice:/photos/", "/from/alice/", "--capability", for_bob, env=bob.env))
        assert owner_get(bob, "/data/from/alice/beach.jpg").content == b"waves" * 1000
    finally:
        for server in [alice, bob, moved]:
            if server is not None:
                stop_server(server)


def share_with(server, path, did):
    result = ok(run_haven("share", path, "--to", did, "--rights", "read,list", env=server.env))
    return result.stdout.strip()


def ok(result):
    assert result.returncode == 0, f"exit {result.returncode}\nstdout: {result.stdout}\nstderr: {result.stderr}"
    return result
