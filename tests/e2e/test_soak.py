"""The soak for one minute against the binary under test (`make soak` runs it for ten minutes
against the release build): no errors under mixed concurrent load, then every file reads back
as last written, the audit log verifies, and the server stops cleanly. The memory figures are
reported; a minute is too short to judge growth, so they are not asserted here."""

import pytest

from conftest import HAVEN_BIN, MODEL_FILE
from soak import Options, resolve_range, run_soak
from soak_report import MIN_GATED_SECONDS, format_report, memory_growth, percentile

# Every kind of request the soak makes, which a minute must exercise.
KINDS = {"chat", "chat_dropped", "put", "put_refused", "read", "range_read", "search", "token_create", "grant",
         "token_use", "grant_revoke", "token_revoke", "revoked_use", "share", "capability_use", "share_revoke",
         "audit", "audit_verify"}


def test_a_minute_of_mixed_load_has_no_errors_and_everything_reads_back(tmp_path):
    assert MODEL_FILE, "set HAVEN_TEST_MODEL to the default model's GGUF (scripts/e2e does)"
    report = run_soak(Options(haven=HAVEN_BIN, model=MODEL_FILE, seconds=60, directory=str(tmp_path),
                              report=str(tmp_path / "report.json"), sample_interval=1.0))
    text = format_report(report)
    print(text)
    assert KINDS <= {kind for kind, stats in report["kinds"].items() if stats["requests"] > 0}, text
    assert report["errors"] == 0, text
    assert all(check["passed"] for check in report["checks"].values()), text
    assert report["memory"]["growth"] is not None and not report["memory"]["gated"], text
    assert report["passed"], text


def test_memory_growth_is_judged_on_the_second_half_of_a_long_enough_run():
    warm_up = [(t, 100_000 + 1000 * t) for t in range(0, 300, 2)]  # rises while warming up
    flat = warm_up + [(t, 400_000 + (t % 3) * 500) for t in range(300, 600, 2)]
    judged = memory_growth(flat, 600)
    assert judged["gated"] and judged["passed"] and abs(judged["growth"]) < 0.01

    leaking = warm_up + [(t, 400_000 + 200 * (t - 300)) for t in range(300, 600, 2)]
    judged = memory_growth(leaking, 600)
    assert judged["gated"] and not judged["passed"] and judged["growth"] > 0.05
    assert judged["slope_growth"] > 0.05

    minute = [(t, 100_000 + 1000 * t) for t in range(60)]
    judged = memory_growth(minute, 60)
    assert judged["growth"] > 0.05 and not judged["gated"] and judged["passed"]
    assert 60 < MIN_GATED_SECONDS


def test_percentiles_are_nearest_rank():
    values = list(range(1, 101))
    assert percentile(values, 0.5) == 50 and percentile(values, 0.99) == 99 and percentile([7], 0.99) == 7
    assert percentile([], 0.5) is None


@pytest.mark.parametrize("wanted, size, expected", [
    ((0, 9, None), 100, (0, 9)), ((90, 200, None), 100, (90, 99)), ((10, None, None), 100, (10, 99)),
    ((None, None, 30), 100, (70, 99)), ((None, None, 300), 100, (0, 99)), ((100, None, None), 100, None),
    ((0, 0, None), 0, None), ((None, None, 5), 0, None),
])
def test_ranges_resolve_as_rfc_9110_says(wanted, size, expected):
    assert resolve_range(*wanted, size) == expected
