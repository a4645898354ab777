"""S3 benchmark: ingest into an S3-compatible bucket through Haven against the same bytes put
directly with a standard S3 client.

moto_server (moto[server], as the end-to-end tests use) listens on 127.0.0.1. Each round:

  (a) haven: a new home with `[store] backend = "s3"` and a new bucket; the file goes in with one
      streamed PUT /data/... to a release `haven serve`. Haven cuts it into chunks (64 KiB on
      average) and stores each with a write-once put, 16 in flight, before it answers 201.
  (b) boto3: the same bytes, into another new bucket, with boto3's `upload_fileobj` and its default
      transfer settings (multipart in 8 MiB parts, 10 threads): what a standard client does.

Rounds interleave the two (the order swapped each round); each bucket is emptied and deleted after
its run. It prints every run's MB/s (10^6 bytes per second), each side's median and spread (± half
the range, as a share of the median), and the ratio Haven / boto3 of the medians. The size is
`--bytes`, or HAVEN_BENCH_S3_BYTES (default 1 GiB). Run by `make bench BENCH=s3`.
"""

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid

import boto3
import requests
from boto3.s3.transfer import TransferConfig
from botocore.config import Config

ACCESS_KEY, SECRET_KEY, REGION = "AKIAHAVENBENCH000000", "bench-secret", "us-east-1"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url, process, what):
    deadline = time.monotonic() + 60
    while True:
        try:
            requests.get(url, timeout=1)
            return
        except requests.ConnectionError:
            pass
        if time.monotonic() > deadline or process.poll() is not None:
            sys.exit(f"s3 bench: {what} did not start")
        time.sleep(0.05)


def start_moto(directory):
    port = free_port()
    log = open(os.path.join(directory, "moto.log"), "w")
    process = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                               stdout=log, stderr=subprocess.STDOUT)
    endpoint = f"http://127.0.0.1:{port}"
    wait_for(endpoint, process, "moto_server")
    return process, endpoint


def client(endpoint):
    return boto3.client("s3", endpoint_url=endpoint, region_name=REGION, aws_access_key_id=ACCESS_KEY,
                        aws_secret_access_key=SECRET_KEY, config=Config(s3={"addressing_style": "path"}))


def remove_bucket(s3, bucket):
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        keys = [{"Key": item["Key"]} for item in page.get("Contents", [])]
        if keys:
            s3.delete_objects(Bucket=bucket, Delete={"Objects": keys, "Quiet": True})
    s3.delete_bucket(Bucket=bucket)


def objects_in(s3, bucket):
    return sum(page.get("KeyCount", 0) for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket))


def haven_run(options, endpoint, s3, data_file, size, work):
    bucket = f"haven-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=bucket)
    home = os.path.join(work, f"home-{bucket}")
    token = subprocess.run([options.haven, "init", "--home", home], capture_output=True, text=True,
                           check=True).stdout.strip()
    credentials = os.path.join(work, "credentials")
    with open(home + "/haven.toml", "w") as f:
        f.write(f'[store]\nbackend = "s3"\nendpoint = "{endpoint}"\nbucket = "{bucket}"\nregion = "{REGION}"\n'
                f'credentials_file = "{credentials}"\n')
    port = free_port()
    server = subprocess.Popen([options.haven, "serve", "--home", home, "--port", str(port), "--log-level", "error"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(url + "/healthz", server, "haven serve")
        with open(data_file, "rb") as body:
            start = time.perf_counter()
            response = requests.put(url + "/data/bench/ingest.bin", data=body, timeout=3600,
                                    headers={"Authorization": f"Bearer {token}",
                                             "Content-Type": "application/octet-stream"})
            seconds = time.perf_counter() - start
        if response.status_code != 201:
            sys.exit(f"s3 bench: haven answered {response.status_code}: {response.text[:300]}")
        objects = objects_in(s3, bucket)
    finally:
        server.terminate()
        server.wait(timeout=60)
        shutil.rmtree(home, ignore_errors=True)
        remove_bucket(s3, bucket)
    return size / seconds / 1e6, f"{objects} objects"


def boto3_run(options, endpoint, s3, data_file, size, work):
    bucket = f"direct-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=bucket)
    try:
        with open(data_file, "rb") as body:
            start = time.perf_counter()
            s3.upload_fileobj(body, bucket, "bench/ingest.bin", Config=TransferConfig())
            seconds = time.perf_counter() - start
        stored = s3.head_object(Bucket=bucket, Key="bench/ingest.bin")["ContentLength"]
        if stored != size:
            sys.exit(f"s3 bench: boto3 stored {stored} bytes, not {size}")
    finally:
        remove_bucket(s3, bucket)
    return size / seconds / 1e6, f"{-(-size // (8 << 20))} parts"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--haven", required=True)
    parser.add_argument("--directory", required=True)
    parser.add_argument("--bytes", type=int, default=int(os.environ.get("HAVEN_BENCH_S3_BYTES", 1 << 30)))
    parser.add_argument("--rounds", type=int, default=3)
    options = parser.parse_args()
    size = options.bytes - options.bytes % (1 << 20)
    if size <= 0:
        sys.exit("s3 bench: --bytes must be at least 1 MiB")
    os.makedirs(options.directory, exist_ok=True)
    work = tempfile.mkdtemp(prefix="s3.", dir=options.directory)
    moto, endpoint = start_moto(work)
    try:
        credentials = os.path.join(work, "credentials")
        with open(credentials, "w") as f:
            f.write(f"[default]\naws_access_key_id = {ACCESS_KEY}\naws_secret_access_key = {SECRET_KEY}\n")
        os.chmod(credentials, 0o600)
        data_file = os.path.join(work, "data.bin")
        with open(data_file, "wb") as f:
            for _ in range(size >> 20):
                f.write(os.urandom(1 << 20))
        s3 = client(endpoint)
        print(f"{size / (1 << 20):.0f} MiB of random bytes to moto_server at {endpoint}; haven {options.haven}; "
              f"{os.cpu_count()} CPUs\n", flush=True)
        runs = {"haven": [], "boto3": []}
        for round in range(options.rounds):
            order = [("haven", haven_run), ("boto3", boto3_run)]
            if round % 2:
                order.reverse()
            for name, run in order:
                rate, note = run(options, endpoint, s3, data_file, size, work)
                runs[name].append(rate)
                print(f"round {round + 1} {name:<6}{rate:10.1f} MB/s  ({note})", flush=True)
        spread = lambda values, m: f"±{(max(values) - min(values)) / 2 / m * 100:.0f}%" if m else "-"
        haven, direct = statistics.median(runs["haven"]), statistics.median(runs["boto3"])
        print(f"\n{'ingest to S3 (MB/s, median of ' + str(options.rounds) + ')':<40}{'boto3':>10}{'spread':>9}"
              f"{'haven':>10}{'spread':>9}{'haven/boto3':>13}")
        print(f"{'':<40}{direct:>10.1f}{spread(runs['boto3'], direct):>9}{haven:>10.1f}"
              f"{spread(runs['haven'], haven):>9}{haven / direct:>13.2f}")
    finally:
        moto.terminate()
        moto.wait(timeout=60)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
