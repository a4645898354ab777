"""The CLI's own help, version and completion scripts, as every command-line tool gives them:
on stdout, formatted by ArgumentParser, exit 0 — for every command and subcommand."""

import re
import subprocess

import pytest

from conftest import HAVEN_BIN, run_haven


def subcommands(help_text):
    """The names listed under SUBCOMMANDS: in a help screen."""
    _, found, rest = help_text.partition("SUBCOMMANDS:")
    if not found:
        return []
    names = []
    for line in rest.splitlines()[1:]:
        if not line.strip():
            break  # the list ends at the first blank line ("See 'haven help …'" follows)
        match = re.match(r"^  ([a-z][a-z0-9-]*)(?:\s|$)", line)
        if match:
            names.append(match.group(1))
    return [name for name in names if name != "help"]


def every_command():
    """Every command path, found by walking the help screens from `haven --help`."""
    paths, queue = [], [[]]
    while queue:
        path = queue.pop(0)
        result = run_haven(*path, "--help")
        paths.append((path, result))
        queue.extend(path + [name] for name in subcommands(result.stdout))
    return paths


def test_every_command_prints_its_help_on_stdout_and_exits_zero():
    commands = every_command()
    # The walk reaches the nested commands (not only the top level).
    names = {" ".join(path) for path, _ in commands}
    assert {"", "data", "data put", "model", "market", "backup", "ledger"} <= names, sorted(names)
    assert len(commands) > 40, sorted(names)
    for path, result in commands:
        shown = " ".join(["haven", *path])
        assert result.returncode == 0, (shown, result.stderr)
        assert result.stderr == "", (shown, result.stderr)
        assert result.stdout.startswith("OVERVIEW: ") or result.stdout.startswith("USAGE: "), (shown, result.stdout[:200])
        assert "\nUSAGE: " + shown in "\n" + result.stdout, (shown, result.stdout[:400])
        # Formatted as ArgumentParser formats help: several lines, not one joined line.
        assert len(result.stdout.splitlines()) >= 3, (shown, result.stdout)
        assert "(see 'haven --help')" not in result.stdout


def test_help_subcommand_and_short_flag_match_the_long_flag():
    long = run_haven("data", "put", "--help")
    assert long.returncode == 0
    for other in (run_haven("help", "data", "put"), run_haven("data", "put", "-h")):
        assert other.returncode == 0 and other.stderr == ""
        assert other.stdout == long.stdout
    assert "'-' for standard input" in long.stdout
    top = run_haven("help")
    assert top.returncode == 0 and top.stdout == run_haven("--help").stdout


def test_version_prints_on_stdout():
    result = run_haven("--version")
    assert result.returncode == 0 and result.stderr == ""
    assert re.fullmatch(r"\d+\.\d+\.\d+\S*\n", result.stdout), result.stdout


def test_a_mistyped_command_still_gets_one_line_on_stderr():
    # Next to the help tests: a usage error is not help. One line, non-zero, nothing on stdout.
    result = run_haven("data", "putt")
    assert result.returncode != 0 and result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1 and "putt" in result.stderr


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_scripts_are_generated(shell):
    result = run_haven("--generate-completion-script", shell)
    assert result.returncode == 0 and result.stderr == "", result.stderr
    script = result.stdout
    assert "haven" in script and len(script) > 1000
    for command in ("data", "market", "backup"):
        assert command in script
    if shell == "bash":
        check = subprocess.run(["bash", "-n"], input=script, capture_output=True, text=True, timeout=30)
        assert check.returncode == 0, check.stderr


def test_bash_completion_completes_subcommands(tmp_path):
    script = tmp_path / "haven.bash"
    script.write_text(run_haven("--generate-completion-script", "bash").stdout)
    # Complete "haven da" as bash would, with the script's own completion function.
    probe = f"""
source {script}
COMP_WORDS=(haven da); COMP_CWORD=1; COMP_LINE="haven da"; COMP_POINT=${{#COMP_LINE}}
fn=$(complete -p haven | sed -E 's/.*-F ([^ ]+).*/\\1/')
PATH="{HAVEN_BIN.rsplit('/', 1)[0]}:$PATH" "$fn" haven da haven
printf '%s\\n' "${{COMPREPLY[@]}}"
"""
    result = subprocess.run(["bash", "-c", probe], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "data" in result.stdout.split(), result.stdout
