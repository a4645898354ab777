"""`haven model` and `haven chat` from the terminal."""

import json
import subprocess

from conftest import HAVEN_BIN, MODEL, MODEL_FILE, run_haven


def test_init_installs_the_default_model_and_refuses_a_bad_one(home, tmp_path):
    assert (home.path / "models" / f"{MODEL}.gguf").stat().st_size > 50_000_000
    bad = tmp_path / "bad.gguf"
    bad.write_text("not a model")
    result = run_haven("init", "--home", str(tmp_path / "other"), "--model", str(bad))
    assert result.returncode != 0 and "not a GGUF file" in result.stderr
    assert not (tmp_path / "other").exists()


def test_model_add_validates_and_rm_removes(server, tmp_path):
    listed = json.loads(run_haven("model", "list", "--json", env=server.env).stdout)
    assert [(m["name"], m["architecture"], m["size_label"]) for m in listed["models"]] == [(MODEL, "llama", "135M")]

    not_gguf = tmp_path / "notes.gguf"
    not_gguf.write_text("plain text")
    truncated = tmp_path / "truncated.gguf"
    with open(MODEL_FILE, "rb") as source:
        truncated.write_bytes(source.read(20_000_000))
    for bad, reason in [(not_gguf, "not a GGUF file"), (truncated, "truncated")]:
        result = run_haven("model", "add", str(bad), env=server.env)
        assert result.returncode != 0
        assert len(result.stderr.strip().splitlines()) == 1 and reason in result.stderr
    assert sorted(p.name for p in (server.home.path / "models").iterdir()) == [f"{MODEL}.gguf"]

    added = run_haven("model", "add", MODEL_FILE, "--name", "copy", env=server.env)
    assert added.returncode == 0, added.stderr
    assert added.stdout.strip() == "copy"
    again = run_haven("model", "add", MODEL_FILE, "--name", "copy", env=server.env)
    assert again.returncode != 0 and "already installed" in again.stderr
    names = [m["name"] for m in json.loads(run_haven("model", "list", "--json", env=server.env).stdout)["models"]]
    assert names == ["copy", MODEL]

    answer = run_haven("chat", "--model", "copy", "-p", "Say hi", "--max-tokens", "4", env=server.env)
    assert answer.returncode == 0 and answer.stdout.strip()

    removed = run_haven("model", "rm", "copy", env=server.env)
    assert removed.returncode == 0, removed.stderr
    assert not (server.home.path / "models" / "copy.gguf").exists()
    gone = run_haven("chat", "--model", "copy", "-p", "hi", env=server.env)
    assert gone.returncode != 0 and "not installed" in gone.stderr


def test_chat_answers_one_prompt_for_scripts(server):
    result = run_haven("chat", "-p", "What is the capital of France?", "--temperature", "0", "--max-tokens", "20",
                       env=server.env)
    assert result.returncode == 0, result.stderr
    assert "Paris" in result.stdout
    assert result.stderr == ""


def test_interactive_chat_keeps_the_conversation(server):
    process = subprocess.run(
        [HAVEN_BIN, "chat", "--temperature", "0", "--max-tokens", "12"],
        input="My name is Ada.\n\n/bye\nthis line is never sent\n", capture_output=True, text=True, timeout=120,
        env={"PATH": "/usr/bin:/bin", **server.env},
    )
    assert process.returncode == 0, process.stderr
    assert len(process.stdout.strip().splitlines()) == 1  # one answer: the empty line and /bye send nothing
