"""Storage market benchmark between five Havens on loopback (release build).

For each of --runs runs, interleaved:
  (a) plain pull: a fresh Haven pulls the 1 GiB folder from the consumer (`haven pull`, every
      chunk fetched anew): the reference;
  (b) backup: the consumer backs the same folder up 3-of-4 with four providers
      (`haven backup add /big/ --copies 3-of-4`): pack, erasure-code (ISA-L), seal each shard
      under its own key, build each shard's Merkle tree, and each provider pulls its shard with
      the contract's capability, checks it against the root and keeps it durably;
  (c) restore: `haven restore /big/ --to /restored-N/` from three of the four providers: fetch,
      check each shard's Merkle root, open, decode, check every file's SHA-256, write.
MB/s of the folder's bytes for each, the ratio backup / plain pull per run with its median and
range, and the restored file's SHA-256 checked against the original. The periods are an hour
long, so no challenge runs during the measurement (challenges per second are measured in
process by `haven-bench market`).

Run by `make bench BENCH=market`.
"""

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from exchange_bench import MIB, Haven, make_file, receiver, run_timed, summary  # noqa: E402

import requests  # noqa: E402


def streamed_sha256(server, path):
    digest = hashlib.sha256()
    with requests.get(server.url + "/data" + path, headers={"Authorization": f"Bearer {server.token}"},
                      stream=True, timeout=600) as response:
        response.raise_for_status()
        for piece in response.iter_content(MIB):
            digest.update(piece)
    return digest.hexdigest()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--haven", required=True)
    parser.add_argument("--model", help="GGUF installed in each home by 'haven init --model'")
    parser.add_argument("--directory", required=True, help="scratch directory: the file and the homes")
    parser.add_argument("--size-mib", type=int, default=1024)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="leave the scratch directory (logs, homes) behind")
    args = parser.parse_args()
    size = args.size_mib * MIB
    mb = size / 1e6
    os.makedirs(args.directory, exist_ok=True)
    work = tempfile.mkdtemp(prefix="market-bench-", dir=args.directory)
    base_env = {k: v for k, v in os.environ.items() if not k.startswith("HAVEN_")}
    servers = []
    try:
        need = (3 + 3 * args.runs) * size + (1 << 30)
        if shutil.disk_usage(work).free < need:
            sys.exit(f"market bench: need {need >> 30} GiB free in {work}")
        source_file = os.path.join(work, "file.bin")
        print(f"making a {args.size_mib} MiB random file in {work}", flush=True)
        source_digest = make_file(source_file, size)
        owen = Haven(args, base_env, os.path.join(work, "owen"))
        servers.append(owen)
        owen.start()
        owen.cli("data", "put", source_file, "/big/file.bin")
        for index in range(4):
            provider = Haven(args, base_env, os.path.join(work, f"p{index}"))
            servers.append(provider)
            provider.start()
            provider.cli("peer", "add", owen.url, "--name", "owen")
            owen.cli("peer", "add", provider.url, "--name", f"p{index}")
            provider.cli("market", "offer", "--capacity", f"{4 * args.size_mib}MiB", "--price", str(1_000_000 + index),
                         "--period", "1h", "--term", "1")
        rows = []
        for run in range(args.runs):
            b, capability = receiver(args, base_env, work, f"pull-{run}", owen)
            servers.append(b)
            pull, _, _ = run_timed([args.haven, "pull", "alice:/big/", "/big/", "--capability", capability],
                                   env=b.env, stderr=subprocess.DEVNULL)
            b.stop()
            servers.remove(b)
            backup, _, _ = run_timed([args.haven, "backup", "add", "/big/", "--copies", "3-of-4", "--term", "1"],
                                     env=owen.env, stderr=subprocess.DEVNULL)
            restore, _, _ = run_timed([args.haven, "restore", "/big/", "--to", f"/restored-{run}/"],
                                      env=owen.env, stderr=subprocess.DEVNULL)
            restored = streamed_sha256(owen, f"/restored-{run}/file.bin")
            if restored != source_digest:
                sys.exit(f"market bench: run {run}: the restored file's SHA-256 {restored} is not the original's")
            rows.append((pull, backup, restore))
            print(f"run {run + 1}: plain pull {mb / pull:7.1f} MB/s   backup 3-of-4 {mb / backup:7.1f} MB/s"
                  f" (ratio {pull / backup:.2f})   restore {mb / restore:7.1f} MB/s", flush=True)
        ratios = [pull / backup for pull, backup, _ in rows]
        print(f"\n{args.size_mib} MiB, {args.runs} runs, five Havens on loopback")
        print(f"  plain pull (reference):  {summary([mb / p for p, _, _ in rows], '{:.1f}')} MB/s")
        print(f"  backup 3-of-4:           {summary([mb / b for _, b, _ in rows], '{:.1f}')} MB/s"
              f" (1.33x the bytes leave: four shards of a third each)")
        print(f"  backup / plain pull:     {summary(ratios, '{:.2f}')}")
        print(f"  restore from 3 of 4:     {summary([mb / r for _, _, r in rows], '{:.1f}')} MB/s (SHA-256 checked)")
    finally:
        for server in servers:
            server.stop()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
