"""Benchmark: the whole reading of a message against dateparser's search_dates alone.

Run: .venv/bin/python benchmarks/reading.py [--rows FILE]
Prints ratios against dateparser measured in the same run (never a pass/fail): timings
on a shared machine are noisy, ratios much less so.
"""

from __future__ import annotations

import datetime as dt
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

FIRST_MESSAGE = """
import time
started = time.perf_counter()
import datetime as dt
from handlers.reading.sources import bundled_reader
reader = bundled_reader()
reader.read("il nous faudrait 200 ganivelles et un podium pour le 21 juin", dt.date(2027, 3, 10))
print(time.perf_counter() - started)
"""


def messages() -> list[tuple[str, dt.date]]:
    """Every message of the evaluation sets, with the day it was written."""
    found = []
    for name in ("reading_cases.jsonl", "reading_holdout.jsonl", "reading_blind.jsonl"):
        path = ROOT / "tests" / "data" / name
        if path.exists():
            for line in path.read_text("utf-8").splitlines():
                if line.strip():
                    case = json.loads(line)
                    found.append((case["text"], dt.date.fromisoformat(case["now"])))
    return found


def timings(function: object, corpus: list[tuple[str, dt.date]], rounds: int) -> list[float]:
    """Per-message times in seconds, the best of `rounds` for each message. Each round reads
    the whole corpus, so that no memo of the last few texts (the reading keeps one of its
    dates and events, for the second opinions) serves a message's next round."""
    best = [float("inf")] * len(corpus)
    for _ in range(rounds):
        for k, (text, day) in enumerate(corpus):
            started = time.perf_counter()
            function(text, day)  # type: ignore[operator]
            best[k] = min(best[k], time.perf_counter() - started)
    return best


def main() -> None:
    import argparse

    import dateparser.search

    from benchmarks.report import Row, write_rows

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=Path, help="append the figures here (JSON lines)")
    args = parser.parse_args()

    from handlers.reading.sources import bundled_reader

    corpus = messages()
    reader = bundled_reader()
    settings = {"PREFER_DATES_FROM": "future"}

    def ours(text: str, day: dt.date) -> None:
        reader.read(text, day)

    def theirs(text: str, day: dt.date) -> None:
        base = dt.datetime.combine(day, dt.time(9))
        dateparser.search.search_dates(
            text, languages=["fr"], settings={**settings, "RELATIVE_BASE": base}
        )

    for text, day in corpus[:5]:  # warm both: caches, lazy imports, compiled patterns
        ours(text, day)
        theirs(text, day)
    mine = timings(ours, corpus, rounds=5)
    reference = timings(theirs, corpus, rounds=3)
    first = float(
        subprocess.run(
            [sys.executable, "-c", FIRST_MESSAGE],
            capture_output=True,
            text=True,
            cwd=ROOT,
            check=True,
        ).stdout
    )
    startup = float(
        subprocess.run(
            [sys.executable, "-c", "import time; s=time.perf_counter(); import dateparser.search; "
             "dateparser.search.search_dates('le 21 juin', languages=['fr']); "
             "print(time.perf_counter()-s)"],
            capture_output=True, text=True, cwd=ROOT, check=True,
        ).stdout
    )  # fmt: skip

    def describe(values: list[float]) -> str:
        ordered = sorted(values)
        p95 = ordered[int(0.95 * (len(ordered) - 1))]
        return f"median {statistics.median(values) * 1000:.3f} ms, p95 {p95 * 1000:.3f} ms"

    ratio = statistics.median(reference) / statistics.median(mine)
    print(f"messages: {len(corpus)}")
    print(f"whole reading                 : {describe(mine)}")
    print(f"dateparser.search_dates alone : {describe(reference)}")
    print(f"ratio (dateparser / reading), median per message: {ratio:.1f}x")
    print(f"ratio, total time: {sum(reference) / sum(mine):.1f}x")
    print(f"first message after start (imports, catalogue, reading): {first:.2f} s")
    print(f"dateparser's first search after start, for reference: {startup:.2f} s")
    median = statistics.median
    write_rows(
        args.rows,
        [
            Row("reading", f"one message read, median of {len(corpus)}",
                f"{median(mine) * 1000:.3f} ms",
                f"dateparser.search_dates alone: {median(reference) * 1000:.3f} ms",
                f"{ratio:.1f}", "faster than dateparser alone"),
            Row("reading", "first message after start (imports, catalogue)", f"{first:.2f} s",
                f"dateparser's first search: {startup:.2f} s", f"{startup / first:.2f}"),
        ],
    )  # fmt: skip


if __name__ == "__main__":
    main()
