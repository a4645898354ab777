"""Upstream benchmark: chat through Haven to an upstream engine against the upstream directly.

One llama-server (built from Haven's pinned llama.cpp source, the default model, 8 slots) is the
upstream; a Haven configured with it as `[[inference.upstream]]` serves its model. The same
OpenAI-client load goes to both, on loopback, temperature 0, the same prompts and max_tokens:

  (a) one stream: generated tokens/s
  (b) 8 concurrent streams: aggregate generated tokens/s

Direct and Haven runs are interleaved (the order swapped each round), each repeated `--rounds`
times (3 by default). It prints every run, each figure's median and spread (± half the range,
as a share of the median), and the ratio Haven / direct of the medians (the goal is at least
0.95 for both). Run by `make bench`.
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile

from inference_bench import CONTEXT_PER_SEQUENCE, PARALLEL, Server, concurrent_streams, free_port, stream

MODEL = "bench-upstream"
ONE_STREAM = ([{"role": "user", "content": "Write a long story about a lighthouse keeper."}], 256)
EIGHT_STREAMS = ([[{"role": "user", "content": f"Write a story about animal number {i}."}] for i in range(PARALLEL)], 128)


def start_upstream(options, threads):
    port = free_port()
    return Server("direct", [options.llama_server, "-m", options.model, "--alias", MODEL, "--host", "127.0.0.1",
                             "--port", str(port), "-t", str(threads), "-tb", str(threads), "-np", str(PARALLEL),
                             "-c", str(PARALLEL * CONTEXT_PER_SEQUENCE)],
                  os.environ, port, "none", MODEL, "/health")


def start_haven(options, upstream):
    root = tempfile.mkdtemp(prefix="haven-bench-upstream-")
    home = root + "/home"
    token = subprocess.run([options.haven, "init", "--home", home, "--model", options.model],
                           capture_output=True, text=True, check=True).stdout.strip()
    subprocess.run([options.haven, "model", "add-upstream", "bench", "--home", home, "--url", upstream.url + "/v1",
                    "--model", MODEL, "--timeout", "5m"], capture_output=True, text=True, check=True)
    port = free_port()
    server = Server("haven", [options.haven, "serve", "--home", home, "--port", str(port), "--log-level", "error"],
                    os.environ, port, token, MODEL, "/healthz")
    server.root = root
    return server


def one_stream(server):
    messages, max_tokens = ONE_STREAM
    _, tokens, seconds = stream(server, messages, max_tokens, temperature=0)
    return (tokens - 1) / seconds if seconds > 0 else 0.0, tokens


def eight_streams(server):
    messages_list, max_tokens = EIGHT_STREAMS
    per_second, _ = concurrent_streams(server, messages_list, max_tokens, temperature=0)
    return per_second, None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--haven", required=True)
    parser.add_argument("--llama-server", required=True)
    parser.add_argument("--model", required=True)
    parser.add_argument("--rounds", type=int, default=3)
    options = parser.parse_args()
    threads = os.cpu_count()
    print(f"model {os.path.basename(options.model)}, {threads} threads, {PARALLEL} slots, one llama-server; "
          f"haven {options.haven}\n")

    upstream = start_upstream(options, threads)
    try:
        haven = start_haven(options, upstream)
        try:
            for server in (upstream, haven):  # load and warm up, both paths
                stream(server, [{"role": "user", "content": "Hello"}], 8, temperature=0)
            figures = {}
            for round in range(options.rounds):
                order = (upstream, haven) if round % 2 == 0 else (haven, upstream)
                for key, measure in (("a", one_stream), ("b", eight_streams)):
                    for server in order:
                        value, tokens = measure(server)
                        figures.setdefault((server.name, key), []).append(value)
                        note = f" ({tokens} tokens)" if tokens is not None else ""
                        print(f"round {round + 1} ({key}) {server.name:<7}{value:10.2f} tok/s{note}", flush=True)
        finally:
            haven.stop()
            shutil.rmtree(haven.root, ignore_errors=True)
    finally:
        upstream.stop()

    print(f"\n{'figure (tok/s, median of ' + str(options.rounds) + ')':<48}{'direct':>10}{'spread':>9}"
          f"{'haven':>10}{'spread':>9}{'haven/direct':>14}")
    ok = True
    for label, key in (("(a) one stream, generated", "a"), ("(b) 8 streams, aggregate generated", "b")):
        direct, through = figures[("direct", key)], figures[("haven", key)]
        d, h = statistics.median(direct), statistics.median(through)
        spread = lambda values, m: f"±{(max(values) - min(values)) / 2 / m * 100:.0f}%" if m else "-"
        ratio = h / d if d else float("nan")
        ok = ok and ratio >= 0.95
        print(f"{label:<48}{d:>10.2f}{spread(direct, d):>9}{h:>10.2f}{spread(through, h):>9}{ratio:>14.2f}")
    print("\ngoal haven/direct >= 0.95: " + ("met" if ok else "NOT met"))


if __name__ == "__main__":
    sys.exit(main())
