"""The soak's bookkeeping, without a server: what each kind of request did and how long it took,
the server's resident memory over time and whether it stayed flat, and the report built from them.

Memory rule: the samples of the run's second half (the first half is warm-up: the model loads, the
KV cache and SQLite's page cache fill) are cut into quarters; growth is the mean of the last
quarter over the mean of the first, minus one. A least-squares slope over the same samples is
reported beside it. The 5% goal is enforced only when the second half is long enough to mean
something: at least MIN_GATED_SECONDS of run and MIN_GATED_SAMPLES samples in the second half.
"""

import math
import threading
from dataclasses import dataclass, field

GROWTH_LIMIT = 0.05
# A one-minute run's second half is 30 s: memory that rises there is still warm-up, not a leak.
MIN_GATED_SECONDS = 300
MIN_GATED_SAMPLES = 20
ERROR_EXAMPLES = 5


def percentile(values, fraction):
    """Nearest-rank percentile (`fraction` in 0..1) of a non-empty list; None when it is empty."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


@dataclass
class KindStats:
    requests: int = 0
    errors: int = 0
    latencies: list = field(default_factory=list)
    examples: list = field(default_factory=list)


class Recorder:
    """Counts, latencies and error examples per kind of request; shared by every load thread."""

    def __init__(self):
        self._lock = threading.Lock()
        self._kinds = {}

    def _stats(self, kind):
        return self._kinds.setdefault(kind, KindStats())

    def ok(self, kind, seconds=None):
        with self._lock:
            stats = self._stats(kind)
            stats.requests += 1
            if seconds is not None:
                stats.latencies.append(seconds)

    def error(self, kind, what):
        """An unexpected status, an exception or a wrong body; `what` says which, briefly."""
        with self._lock:
            stats = self._stats(kind)
            stats.requests += 1
            stats.errors += 1
            if len(stats.examples) < ERROR_EXAMPLES:
                stats.examples.append(str(what)[:500])

    def summary(self):
        with self._lock:
            return {
                kind: {
                    "requests": s.requests,
                    "errors": s.errors,
                    "p50_ms": _ms(percentile(s.latencies, 0.50)),
                    "p99_ms": _ms(percentile(s.latencies, 0.99)),
                    "error_examples": list(s.examples),
                }
                for kind, s in sorted(self._kinds.items())
            }


def _ms(seconds):
    return None if seconds is None else round(seconds * 1000, 1)


def memory_growth(samples, run_seconds):
    """Growth of resident memory over the second half of a run.

    `samples` are (seconds since start, RSS in KiB). Returns a dict with `growth` (last quarter's
    mean over the first quarter's, of the second half), `slope_growth` (a least-squares line's
    rise across the second half, over its mean), `gated` (whether the 5% goal applies to a run
    this long) and `passed`.
    """
    half = run_seconds / 2
    second = [(t, rss) for t, rss in samples if t >= half]
    result = {"samples_in_second_half": len(second), "growth": None, "slope_growth": None,
              "limit": GROWTH_LIMIT, "gated": False, "passed": True}
    if len(second) < 4:
        return result
    quarter = max(1, len(second) // 4)
    first_mean = sum(rss for _, rss in second[:quarter]) / quarter
    last_mean = sum(rss for _, rss in second[-quarter:]) / quarter
    result["first_quarter_kib"] = round(first_mean)
    result["last_quarter_kib"] = round(last_mean)
    result["growth"] = last_mean / first_mean - 1
    times = [t for t, _ in second]
    values = [rss for _, rss in second]
    mean_t, mean_v = sum(times) / len(times), sum(values) / len(values)
    spread = sum((t - mean_t) ** 2 for t in times)
    if spread > 0:
        slope = sum((t - mean_t) * (v - mean_v) for t, v in zip(times, values)) / spread
        result["slope_growth"] = slope * (times[-1] - times[0]) / mean_v
    result["gated"] = run_seconds >= MIN_GATED_SECONDS and len(second) >= MIN_GATED_SAMPLES
    result["passed"] = not result["gated"] or result["growth"] < GROWTH_LIMIT
    return result


def format_report(report):
    """The report as a person reads it on stdout."""
    lines = [f"soak: {report['seconds']:.0f} s against {report['haven']} (pid {report['pid']}), "
             f"{report['chats']} concurrent chats"]
    lines.append(f"{'kind':<16}{'requests':>10}{'errors':>8}{'p50 ms':>10}{'p99 ms':>10}")
    for kind, stats in report["kinds"].items():
        p50 = "-" if stats["p50_ms"] is None else f"{stats['p50_ms']:.1f}"
        p99 = "-" if stats["p99_ms"] is None else f"{stats['p99_ms']:.1f}"
        lines.append(f"{kind:<16}{stats['requests']:>10}{stats['errors']:>8}{p50:>10}{p99:>10}")
    lines.append("(chat and chat_dropped latencies are the time to the first token)")
    for kind, stats in report["kinds"].items():
        for example in stats["error_examples"]:
            lines.append(f"  error in {kind}: {example}")
    memory = report["memory"]
    samples = report["memory_samples"]
    if samples:
        lines.append(f"resident memory: {samples[0]['rss_kib'] / 1024:.1f} MiB at start, "
                     f"{max(s['rss_kib'] for s in samples) / 1024:.1f} MiB peak, "
                     f"{samples[-1]['rss_kib'] / 1024:.1f} MiB at the end ({len(samples)} samples)")
    engine = [s for s in samples if "sampled_tokens" in s]
    if len(engine) >= 2 and engine[-1]["t"] > engine[0]["t"]:
        rate = (engine[-1]["sampled_tokens"] - engine[0]["sampled_tokens"]) / (engine[-1]["t"] - engine[0]["t"])
        lines.append(f"engine: {rate:.1f} tokens/s sampled, at most {max(s['waiting'] for s in engine)} waiting; "
                     f"index queue at most {max(s['index_pending'] for s in engine)}; "
                     f"server threads {engine[-1]['threads']}, descriptors {samples[0]['fds']} -> {samples[-1]['fds']}, "
                     f"CPU {engine[-1]['cpu_seconds'] - engine[0]['cpu_seconds']:.0f} s in {engine[-1]['t'] - engine[0]['t']:.0f} s")
    if memory["growth"] is not None:
        slope = memory["slope_growth"]
        lines.append(f"second-half growth: {memory['growth'] * 100:+.2f}% (quarter means), "
                     f"{'-' if slope is None else f'{slope * 100:+.2f}%'} (linear fit); goal < 5%, "
                     + ("enforced" if memory["gated"] else "reported only: run too short to judge"))
    for name, check in report["checks"].items():
        lines.append(f"check {name}: {'ok' if check['passed'] else 'FAILED'}"
                     + (f" ({check['detail']})" if check.get("detail") else ""))
    lines.append("soak passed" if report["passed"] else "soak FAILED: " + "; ".join(report["failures"]))
    return "\n".join(lines)
