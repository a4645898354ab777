"""Witness round trip between two Havens on loopback, over HTTP, as it happens in use.

Haven A's owner mints a record (`POST /haven/own/mint`); A appends it to its log, sends the new
checkpoint with a consistency proof to its witness B (`POST /ledger/witness/add-checkpoint`,
C2SP tlog-witness), B checks the proof against the last checkpoint it cosigned and answers with
its cosignature, and A publishes the checkpoint with it. Timed from the mint request until A's
public `/ledger/checkpoint` carries B's cosignature for the new size: p50, p99, min and max over
--rounds rounds, for each of --runs runs (bounded in count and time).

Run by `make bench BENCH=ledger` (release build), after the in-process figures of `haven-bench
ledger`.
"""

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time

import requests

sys.path.insert(0, os.path.dirname(__file__))
from exchange_bench import Haven, wait_until  # noqa: E402


def cosigned_size(server, witness_did):
    """The size of A's published checkpoint if it carries a line by the witness, else None."""
    text = requests.get(server.url + "/ledger/checkpoint", timeout=10).text
    body, signatures = text.split("\n\n", 1)
    if any(line.split(" ")[1] == witness_did for line in signatures.splitlines()):
        return int(body.split("\n")[1])
    return None


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--haven", required=True)
    parser.add_argument("--model", help="GGUF installed in each home by 'haven init --model'")
    parser.add_argument("--directory", required=True)
    parser.add_argument("--rounds", type=int, default=50)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=120, help="stop a run's rounds after this long")
    args = parser.parse_args()

    os.makedirs(args.directory, exist_ok=True)
    work = tempfile.mkdtemp(prefix="witness-bench-", dir=args.directory)
    base_env = {k: v for k, v in os.environ.items() if not k.startswith("HAVEN_")}
    servers = []
    try:
        a = Haven(args, base_env, os.path.join(work, "a"))
        b = Haven(args, base_env, os.path.join(work, "b"))
        servers += [a, b]
        for server in servers:
            server.start()
        a.cli("peer", "add", b.url, "--name", "bob")
        b.cli("peer", "add", a.url, "--name", "alice")
        b.cli("witness", "add", "alice")
        witness = b.did()
        medians = []
        for run in range(args.runs):
            times = []
            deadline = time.monotonic() + args.seconds
            for index in range(args.rounds):
                if time.monotonic() > deadline:
                    break
                path = f"/bench/{run}-{index}.txt"
                requests.put(a.url + "/data" + path, data=f"{run} {index}".encode(),
                             headers={"Authorization": f"Bearer {a.token}"}, timeout=30).raise_for_status()
                started = time.perf_counter()
                record = a.api("POST", "/haven/own/mint", json={"path": path})
                size = record["log_index"] + 1
                wait_until("the cosigned checkpoint", lambda: (cosigned_size(a, witness) or 0) >= size, 30, interval=0.002)
                times.append((time.perf_counter() - started) * 1000)
            medians.append(statistics.median(times))
            print(f"witness round trip, run {run + 1}: {len(times)} rounds, p50 {statistics.median(times):.1f} ms, "
                  f"p99 {percentile(times, 0.99):.1f} ms, min {min(times):.1f} ms, max {max(times):.1f} ms", flush=True)
        print(f"witness round trip: p50 over runs {min(medians):.1f}-{max(medians):.1f} ms "
              f"(median {statistics.median(medians):.1f} ms); mint + append + add-checkpoint over HTTP + cosign + publish")
    finally:
        for server in servers:
            server.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
