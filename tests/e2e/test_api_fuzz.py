"""The HTTP API fuzzed from its own OpenAPI document with schemathesis, in a bounded run.

One server; schemathesis (`st run`, its CLI, as a subprocess with a JUnit report) reads
/openapi.json and sends every operation, as the owner, the document's boundary values and
negative cases (its coverage phase), random requests (fuzzing) and chains it infers from the
document (stateful). Every answer must:

- not be a server error (`not_a_server_error`: no 5xx where the document does not name one);
- have a status, a content type, headers and a body the document gives for that operation
  (`status_code_conformance`, `content_type_conformance`, `response_headers_conformance`,
  `response_schema_conformance`);
- keep refusing requests whose credentials are taken away or spoiled (`ignored_auth`), and keep
  a resource gone once deleted and present once created (`use_after_free`,
  `ensure_resource_availability`).

Checks left out, and why:
- `positive_data_acceptance`: the document types every field but cannot state every rule the
  server applies (a data path is absolute and has no `..`, a DID decodes, an ODRL policy
  parses, a peer URL answers), so schema-valid requests are rightly refused with a 4xx.
- `negative_data_rejection`: request bodies are read with Swift's Codable, which takes `null`
  for an absent optional member throughout; the document does not promise a 400 for that.
- `unsupported_method`: the router answers 404 to a method a path does not have; the document
  does not promise 405.
- `missing_required_header`: the document requires no header.

Operations left out: `POST /haven/agents/{name}/chat`, which runs the agent loop on the model
(tens of seconds a request on a CPU); its answers are covered by test_knowledge_agents.py.

The run is bounded twice: at most `MAX_EXAMPLES` generated cases an operation per phase, and
`MAX_SECONDS` for the whole run (schemathesis stops itself and still writes its report). The
seed is fixed so `make test` sends the same requests each time; development ran other seeds
(`HAVEN_FUZZ_SEED=random`, or a number, picks another).

The server runs with authentication throttling off (`HAVEN_AUTH_FAILURE_LIMIT=0`): the run
sends hundreds of requests whose credentials are refused on purpose (every /exchange/v1/
request, unsigned, and the `ignored_auth` check's), and a throttled client gets only 429s, which
would leave the rest untested. Throttling has its own tests.
"""

import os
import random
import re
import subprocess
import sys
import time
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest
import requests
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from conftest import bearer, make_home, start_server, stop_server

MAX_EXAMPLES = 10
MAX_SECONDS = 60
EXCLUDED_OPERATIONS = ["chatWithAgent"]
CHECKS = [
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
    "ignored_auth",
    "use_after_free",
    "ensure_resource_availability",
]
# What a crashed or trapped server writes to its log.
CRASH_MARKS = ["Fatal error", "Program crashed", "Assertion", "Backtracing", "Stack dump"]


def fuzz_seed():
    chosen = os.environ.get("HAVEN_FUZZ_SEED", "14")
    return random.randrange(1 << 31) if chosen == "random" else int(chosen)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("api-fuzz")
    server = start_server(make_home(tmp / "home"), tmp, env={"HAVEN_AUTH_FAILURE_LIMIT": "0"})
    try:
        # Something to read, list and overwrite besides what the run writes itself.
        owner = bearer(server.home.token)
        for path, text in [("notes/plan.txt", "sail at dawn"), ("notes/list.md", "# list\n- rope")]:
            assert requests.put(f"{server.url}/data/{path}", data=text.encode(), headers=owner, timeout=30).status_code == 201
        yield server
    finally:
        stop_server(server)


@pytest.fixture(scope="module")
def document(server):
    response = requests.get(server.url + "/openapi.json", timeout=30)
    assert response.status_code == 200, response.text
    return response.json()


def assert_alive_and_uncrashed(server):
    assert server.process.poll() is None, f"the server exited with {server.process.returncode}:\n{server.log()[-8000:]}"
    assert requests.get(server.url + "/healthz", timeout=10).json() == {"status": "ok"}
    log = server.log()
    marks = [mark for mark in CRASH_MARKS if mark in log]
    assert not marks, f"the server's log shows {marks}:\n{log[-8000:]}"


def failures_in(report):
    """`operation: failure codes` for each failed or errored operation in a JUnit report."""
    failed = []
    for case in ElementTree.parse(report).getroot().iter("testcase"):
        for problem in list(case.iter("failure")) + list(case.iter("error")):
            failed.append(f"{case.get('name')}: {problem.get('message') or problem.get('type')}")
    return failed


def test_schemathesis_finds_no_server_error_and_no_answer_outside_the_document(server, tmp_path):
    st = Path(sys.executable).with_name("st")
    assert st.exists(), f"schemathesis is not installed beside {sys.executable}; run 'scripts/setup test'"
    report = tmp_path / "junit.xml"
    seed = fuzz_seed()
    command = [
        str(st), "run", server.url + "/openapi.json",
        "--header", f"Authorization: Bearer {server.home.token}",
        "--checks", ",".join(CHECKS),
        "--max-examples", str(MAX_EXAMPLES),
        "--max-time", str(MAX_SECONDS),
        "--seed", str(seed),
        "--workers", "1",
        "--request-timeout", "30",
        "--generation-database", "none",
        "--report", "junit", "--report-junit-path", str(report),
        "--no-color",
    ]
    for operation in EXCLUDED_OPERATIONS:
        command += ["--exclude-operation-id", operation]
    # No schemathesis.toml or cache from the working directory; nothing written into the tree.
    environment = {k: v for k, v in os.environ.items() if not k.startswith("SCHEMATHESIS_")}
    started = time.monotonic()
    # The run stops itself after MAX_SECONDS; the timeout only catches a hung one.
    result = subprocess.run(command, cwd=tmp_path, env=environment, capture_output=True, text=True,
                            timeout=MAX_SECONDS + 120)
    elapsed = time.monotonic() - started
    output = result.stdout + result.stderr
    (tmp_path / "schemathesis.txt").write_text(output)
    sections = [output.find(mark) for mark in ("= ERRORS =", "= FAILURES =") if mark in output]
    summary = output[min(sections):] if sections else output[-6000:]

    assert report.exists(), f"schemathesis wrote no report (exit {result.returncode}):\n{output[-6000:]}"
    tested = [case.get("name") for case in ElementTree.parse(report).getroot().iter("testcase")]
    assert len(tested) >= 100, f"only {len(tested)} operations were tested:\n{output[-6000:]}"
    failed = failures_in(report)
    assert result.returncode == 0 and not failed, (
        f"schemathesis (seed {seed}, {elapsed:.0f} s; all it wrote: {tmp_path / 'schemathesis.txt'}) found:\n" + "\n".join(failed) + "\n\n" + summary[:12000])
    assert_alive_and_uncrashed(server)
    print(f"schemathesis: seed {seed}, {len(tested)} operations, {elapsed:.0f} s")


def operations(document):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in ("get", "put", "post", "delete", "head"):
                yield method.upper(), path, operation


def concrete(path):
    """A request path for a template: each parameter filled with a plain value."""
    return re.sub(r"\{(\w+)\}", lambda m: "notes/plan.txt" if m.group(1) == "path" else "x", path)


def test_without_valid_credentials_every_protected_operation_is_a_401_in_the_error_shape(server, document):
    registry = Registry().with_resource("urn:haven:openapi", Resource(contents=document, specification=DRAFT202012))
    error_shape = Draft202012Validator({"$ref": "urn:haven:openapi#/components/schemas/Error"}, registry=registry)
    protected = [(m, p) for m, p, op in operations(document) if op.get("security", document["security"])]
    assert len(protected) > 90, protected
    credentials = {
        "no token": {},
        "an unknown token": bearer("hvn_" + "a" * 40),
        "a malformed token": bearer("not a token"),
        "a spoiled owner token": bearer(server.home.token[:-1] + ("b" if server.home.token.endswith("a") else "a")),
    }
    wrong = []
    for method, path in protected:
        for label, headers in credentials.items():
            response = requests.request(method, server.url + concrete(path), headers=headers, timeout=30)
            if response.status_code != 401:
                wrong.append(f"{method} {path} with {label}: {response.status_code} {response.text[:200]}")
                continue
            if method == "HEAD":
                continue
            if not response.headers.get("content-type", "").startswith("application/json"):
                wrong.append(f"{method} {path} with {label}: content-type {response.headers.get('content-type')}")
                continue
            errors = [e.message for e in error_shape.iter_errors(response.json())]
            if errors:
                wrong.append(f"{method} {path} with {label}: {errors}")
    assert not wrong, "\n".join(wrong)
    # The same request with the owner's token is answered.
    assert requests.get(server.url + "/haven/status", headers=bearer(server.home.token), timeout=30).status_code == 200
    assert_alive_and_uncrashed(server)
