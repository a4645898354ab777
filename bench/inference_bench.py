"""Inference benchmark: Haven against llama-server built from the same llama.cpp source, same
model, same threads, driven by the same OpenAI-client load. One server runs at a time.

  (a) one stream: generated tokens/s
  (b) 8 concurrent streams: aggregate generated tokens/s and mean time to first token
  (c) fresh servers, one warm-up request, then a burst of 8 concurrent requests sharing a
      ~1,000-token system prompt: mean time to first token of the burst

Run by `make bench`; it prints each figure and the ratio Haven / llama-server.
"""

import argparse
import concurrent.futures
import os
import socket
import subprocess
import sys
import tempfile
import time

import openai
import requests

PARALLEL = 8
CONTEXT_PER_SEQUENCE = 2048
SYSTEM_PROMPT = " ".join(
    f"Fact {i}: the lighthouse on island {i} was built in {1800 + i} and its keeper, who kept a logbook of "
    f"every ship that passed, recorded {i * 7} storms in its first decade of service."
    for i in range(1, 31)
)
QUESTIONS = [
    "Which island had the most storms?", "When was the first lighthouse built?", "Summarise the facts in one line.",
    "What did the keepers record?", "Which lighthouse is the newest?", "How many islands are there?",
    "Name an island with fewer than 50 storms.", "What is a logbook?",
]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(url, process, path):
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"server exited early ({process.returncode})")
        try:
            if requests.get(url + path, timeout=1).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.1)
    sys.exit(f"server at {url} did not become healthy")


class Server:
    def __init__(self, name, args, env, port, token, model, health):
        self.name, self.port, self.token, self.model = name, port, token, model
        self.process = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_healthy(self.url, self.process, health)

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def client(self):
        return openai.OpenAI(base_url=self.url + "/v1", api_key=self.token, max_retries=0, timeout=600)

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=60)


def start_haven(options, threads):
    home = tempfile.mkdtemp(prefix="haven-bench-") + "/home"
    token = subprocess.run([options.haven, "init", "--home", home, "--model", options.model],
                           capture_output=True, text=True, check=True).stdout.strip()
    port = free_port()
    env = {**os.environ, "HAVEN_THREADS": str(threads), "HAVEN_CONTEXT": str(CONTEXT_PER_SEQUENCE)}
    return Server("haven", [options.haven, "serve", "--home", home, "--port", str(port), "--parallel", str(PARALLEL),
                            "--log-level", "error"], env, port, token, "smollm2-135m-instruct-q4_1", "/healthz")


def start_llama_server(options, threads):
    port = free_port()
    return Server("llama-server", [options.llama_server, "-m", options.model, "--host", "127.0.0.1", "--port", str(port),
                                   "-t", str(threads), "-tb", str(threads), "-np", str(PARALLEL),
                                   "-c", str(PARALLEL * CONTEXT_PER_SEQUENCE)],
                  os.environ, port, "none", "default", "/health")


def stream(server, messages, max_tokens, temperature=0.7):
    """Streams one chat; returns (time to first token, generated tokens, seconds from first token to end)."""
    start = time.perf_counter()
    first = None
    tokens = 0
    for chunk in server.client().chat.completions.create(
            model=server.model, messages=messages, max_tokens=max_tokens, temperature=temperature, seed=7, stream=True,
            stream_options={"include_usage": True}):
        if chunk.choices and chunk.choices[0].delta.content and first is None:
            first = time.perf_counter()
        if chunk.usage:
            tokens = chunk.usage.completion_tokens
    end = time.perf_counter()
    first = first or end
    return first - start, tokens, end - first


def one_stream(server):
    stream(server, [{"role": "user", "content": "Hello"}], 8)  # load and warm up
    ttft, tokens, seconds = stream(server, [{"role": "user", "content": "Write a long story about a lighthouse keeper."}], 256)
    return (tokens - 1) / seconds if seconds > 0 else 0.0


def concurrent_streams(server, messages_list, max_tokens, temperature=0.7):
    start = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(len(messages_list)) as pool:
        results = list(pool.map(lambda m: stream(server, m, max_tokens, temperature), messages_list))
    wall = time.perf_counter() - start
    return sum(r[1] for r in results) / wall, sum(r[0] for r in results) / len(results)


def eight_streams(server):
    return concurrent_streams(
        server, [[{"role": "user", "content": f"Write a story about animal number {i}."}] for i in range(PARALLEL)], 128)


def shared_prefix_burst(server):
    system = {"role": "system", "content": SYSTEM_PROMPT}
    stream(server, [system, {"role": "user", "content": "Which island is first?"}], 4)  # the warm-up
    _, ttft = concurrent_streams(server, [[system, {"role": "user", "content": q}] for q in QUESTIONS], 16)
    return ttft


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--haven", required=True)
    parser.add_argument("--llama-server", required=True)
    parser.add_argument("--model", required=True)
    options = parser.parse_args()
    threads = os.cpu_count()
    print(f"model {os.path.basename(options.model)}, {threads} threads, {PARALLEL} sequences, one server at a time\n")

    figures = {}
    for name, start in [("haven", start_haven), ("llama-server", start_llama_server)]:
        server = start(options, threads)
        try:
            figures[(name, "a")] = one_stream(server)
            figures[(name, "b")], figures[(name, "b-ttft")] = eight_streams(server)
        finally:
            server.stop()
    for name, start in [("haven", start_haven), ("llama-server", start_llama_server)]:
        server = start(options, threads)  # fresh: nothing cached but what the warm-up leaves
        try:
            figures[(name, "c")] = shared_prefix_burst(server)
        finally:
            server.stop()

    rows = [
        ("(a) one stream, generated tokens/s", "a", True),
        ("(b) 8 streams, aggregate generated tokens/s", "b", True),
        ("(b) 8 streams, mean time to first token (s)", "b-ttft", False),
        ("(c) shared-prefix burst of 8, mean time to first token (s)", "c", False),
    ]
    print(f"{'figure':<60}{'haven':>10}{'llama-server':>14}{'haven/llama-server':>20}")
    for label, key, higher_is_better in rows:
        haven, llama = figures[("haven", key)], figures[("llama-server", key)]
        ratio = haven / llama if llama else float("nan")
        note = "" if higher_is_better else f"   ({llama / haven:.1f}x faster)" if haven else ""
        print(f"{label:<60}{haven:>10.2f}{llama:>14.2f}{ratio:>20.2f}{note}")


if __name__ == "__main__":
    main()
