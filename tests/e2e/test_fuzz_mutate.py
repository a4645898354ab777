"""`haven-fuzz --mutate`, the bounded fuzzing `make test` runs on every target: it reports what it
fed, leaves nothing behind when it found nothing, and keeps the input it was feeding when the
process dies of a trap or crash signal (as a parser that traps would make it), so the input can
be replayed."""

import shutil
import signal
import subprocess
from pathlib import Path

from conftest import HAVEN_BIN

ROOT = Path(__file__).resolve().parents[2]
FUZZ_BIN = str(Path(HAVEN_BIN).with_name("haven-fuzz"))


def fuzz_copy(tmp_path):
    """A copy of the repository's Fuzz folder, so that findings land in the test's own."""
    target = tmp_path / "Fuzz"
    shutil.copytree(ROOT / "Fuzz", target)
    return target


def test_a_bounded_run_reports_every_target_it_fed_and_leaves_no_crash_folder(tmp_path):
    fuzz = fuzz_copy(tmp_path)
    run = subprocess.run([FUZZ_BIN, "--mutate", "--seconds", "0.5", "--seed", "17", "--fuzz", str(fuzz), "jws", "did"],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert "seed 17" in run.stderr
    lines = run.stdout.splitlines()
    assert [line.split(":")[0] for line in lines] == ["jws", "did"], lines
    for line in lines:
        executions = int(line.split()[1])
        assert executions > 100 and line.endswith("no findings"), line
    assert not (fuzz / "Crashes").exists()


def test_a_mistake_on_the_command_line_is_one_clear_line_and_exit_2(tmp_path):
    unknown = subprocess.run([FUZZ_BIN, "--mutate", "--fuzz", str(fuzz_copy(tmp_path)), "no-such-target"],
                             capture_output=True, text=True, timeout=60)
    assert unknown.returncode == 2 and "no target 'no-such-target'" in unknown.stderr
    missing = subprocess.run([FUZZ_BIN, "--mutate", "--fuzz", str(tmp_path / "nowhere")], capture_output=True, text=True,
                             timeout=60)
    assert missing.returncode == 2 and "Corpus does not exist" in missing.stderr


def test_a_trap_keeps_the_input_being_fed_for_replay(tmp_path):
    fuzz = fuzz_copy(tmp_path)
    process = subprocess.Popen([FUZZ_BIN, "--mutate", "--seconds", "300", "--seed", "5", "--fuzz", str(fuzz), "jws"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        started = process.stderr.readline()
        assert "mutating 1 targets" in started and "seed 5" in started, started
        # Said once the target's crash file is named, before its first input.
        assert process.stderr.readline() == "haven-fuzz: jws\n"
        # SIGILL is what a Swift runtime check that fails raises on x86-64.
        process.send_signal(signal.SIGILL)
        process.wait(timeout=60)
        assert process.returncode == -signal.SIGILL, process.returncode
        message = process.stderr.read()
        crash = fuzz / "Crashes" / "jws" / "mutate-seed-5"
        assert "jws crashed (seed 5)" in message and str(crash) in message, message
    finally:
        if process.poll() is None:
            process.kill()
    assert crash.exists()
    # The kept input is one the target was fed: it replays (and, as jws is sound, passes).
    replay = subprocess.run([FUZZ_BIN, "jws", str(crash)], capture_output=True, text=True, timeout=60)
    assert replay.returncode == 0, replay.stderr
    assert "1 inputs, 0 findings" in replay.stdout
