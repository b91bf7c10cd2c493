"""Every benchmark of the project, one after the other, and one table of their figures.

Run: make bench                               (reduced sizes: a few minutes)
     .venv/bin/python benchmarks/all.py --full (the sizes the issues name: much longer)

Each benchmark runs in its own process (so that memory and event loops are its own) and
hands back its figures, each with the reference measured in the same run. The ratio is the
reference's time over ours (or our rate over the reference's): above 1, ours is faster.
Timings on a shared machine are noisy, ratios much less so: a report, never a pass/fail.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rich.console import Console
from rich.table import Table

from benchmarks.report import read_rows

ROOT = Path(__file__).resolve().parents[1]

# Each benchmark with its reduced options, then the full ones.
BENCHMARKS = (
    ("reading.py", [], []),
    ("matching.py", ["--sizes", "10000,100000"], ["--sizes", "10000,100000,1000000"]),
    ("smtp.py", ["--emails", "500"], ["--emails", "2000"]),
    ("telegram.py", ["--declarations", "250"], ["--declarations", "1000"]),
    ("latency.py", ["--rounds", "4"], ["--rounds", "20"]),
    ("digests.py", ["--scale", "0.02", "--runs", "3"], ["--scale", "1", "--runs", "5"]),
    ("memory.py", ["--needs", "20000"], ["--needs", "100000"]),
    ("page.py", ["--runs", "5"], ["--runs", "15"]),
)


def machine() -> str:
    """Cores, processor and memory of this machine, for the table's caption."""
    model = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    memory = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        kilobytes = int(meminfo.read_text().split()[1])
        memory = f", {kilobytes / 1024**2:.1f} GiB RAM"
    return f"{os.cpu_count()} cores (nproc), {model}{memory}, Python {platform.python_version()}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--full", action="store_true", help="the full sizes (much longer)")
    parser.add_argument("--only", help="run only these, comma-separated (smtp,telegram...)")
    args = parser.parse_args()
    console = Console(highlight=False)
    if not console.is_terminal:
        console.width = 160
    chosen = set(args.only.split(",")) if args.only else None
    with tempfile.TemporaryDirectory(prefix="mutualise-bench-") as folder:
        rows_file = Path(folder) / "rows.jsonl"
        for script, reduced, full in BENCHMARKS:
            if chosen and script.removesuffix(".py") not in chosen:
                continue
            options = full if args.full else reduced
            started = time.perf_counter()
            with console.status(f"{script} {' '.join(options)} ..."):
                done = subprocess.run(
                    [sys.executable, str(ROOT / "benchmarks" / script), *options,
                     "--rows", str(rows_file)],
                    capture_output=True, text=True, cwd=ROOT,
                )  # fmt: skip
            took = time.perf_counter() - started
            if done.returncode != 0:
                console.print(f"[red]{script} failed[/red] ({took:.0f} s):\n{done.stderr[-2000:]}")
                continue
            console.print(f"{script} {' '.join(options)}: {took:.0f} s")
        rows = read_rows(rows_file)
    table = Table(
        title="mutualise benchmarks: each figure against a reference measured in the same run",
        caption=f"{machine()}; ratio = reference time / our time (above 1: ours faster)",
    )
    for name, justify in (("benchmark", "left"), ("figure", "left"), ("ours", "right"),
                          ("reference, same run", "left"), ("ratio", "right"),
                          ("goal", "left")):  # fmt: skip
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for row in rows:
        table.add_row(row.benchmark, row.figure, row.ours, row.reference, row.ratio, row.goal)
    console.print(table)


if __name__ == "__main__":
    main()
