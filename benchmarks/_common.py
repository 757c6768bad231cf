"""Helpers shared by the benchmarks: repeated timing, medians, peak memory, a result table."""

from __future__ import annotations

import json
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"


def timed(fn: Callable[[], Any], repeat: int = 5, warmup: int = 1) -> list[float]:
    """Seconds per call of `fn`, `repeat` times after `warmup` calls."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


_WRAPPER = (
    "import resource, subprocess, sys\n"
    "code = subprocess.run(sys.argv[1:]).returncode\n"
    "sys.stderr.write('\\nPEAK_RSS_KB=%d\\n' % resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    "sys.exit(code)\n"
)


def run_process(args: list[str], **kwargs: Any) -> tuple[float, float, subprocess.CompletedProcess[str]]:
    """Run a command; return (wall seconds, its peak RSS in MB, the completed process).

    A small wrapper process runs the command as its only child, so the peak is this command's alone.
    """
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", _WRAPPER, *args], capture_output=True, text=True, **kwargs)
    wall = time.perf_counter() - start
    peak_kb = 0
    for line in done.stderr.splitlines()[::-1]:
        if line.startswith("PEAK_RSS_KB="):
            peak_kb = int(line.split("=", 1)[1])
            break
    return wall, peak_kb / 1024, done


def median(values: list[float]) -> float:
    """The median."""
    return statistics.median(values)


def report(name: str, rows: list[dict[str, Any]], notes: list[str] | None = None) -> None:
    """Print a table and save it as JSON under benchmarks/results/."""
    columns = list(dict.fromkeys(k for row in rows for k in row))
    widths = {c: max(len(c), *(len(_fmt(r.get(c))) for r in rows)) for c in columns}
    print("  ".join(c.ljust(widths[c]) for c in columns))
    print("  ".join("-" * widths[c] for c in columns))
    for row in rows:
        print("  ".join(_fmt(row.get(c)).ljust(widths[c]) for c in columns))
    for note in notes or []:
        print(note)
    RESULTS.mkdir(exist_ok=True)
    payload = {"benchmark": name, "python": sys.version.split()[0], "machine": platform.machine(), "rows": rows,
               "notes": notes or [], "when": time.strftime("%Y-%m-%d %H:%M:%S")}
    (RESULTS / f"{name}.json").write_text(json.dumps(payload, ensure_ascii=False, indent=2), encoding="utf-8")


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.3f}" if value < 100 else f"{value:.0f}"
    return "" if value is None else str(value)
