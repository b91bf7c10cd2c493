"""Duckling's French time corpus, scored at the day level against our date reading."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from handlers.reading.dates import DateFinding, find_dates
from handlers.reading.text import fold_same_length

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "duckling-fr" / "time.json"


def corpus_path() -> Path | None:
    """The corpus beside the checkout (../shared), or None when it is not there."""
    for candidate in (
        CORPUS,
        Path(__file__).resolve().parents[1] / "../shared/corpora/duckling-fr/time.json",
    ):
        if candidate.exists():
            return candidate
    return None


def _day(text: str) -> dt.date:
    return dt.date.fromisoformat(text[:10])


def expected_days(example: dict[str, Any]) -> tuple[str, dt.date | None, dt.date | None] | None:
    """What a day-level reading of the example must give: (kind, start, end)."""
    if example["grain"] != "day":
        return None
    if example["kind"] == "instant":
        day = _day(example["value"])
        return "day", day, day
    if example["kind"] == "interval":
        return "range", _day(example["start"]), _day(example["end"]) - dt.timedelta(days=1)
    if example["kind"] == "open_interval":
        day = _day(example["value"])
        return ("from", day, None) if example["direction"] == "after" else ("until", None, day)
    return None


def matches(found: list[DateFinding], want: tuple[str, dt.date | None, dt.date | None]) -> bool:
    """Does the first date found say what Duckling says?"""
    if not found:
        return False
    first = found[0]
    kind, start, end = want
    if kind == "from":
        return first.start == start
    if kind == "until":
        return first.end == end
    return (first.start, first.end) == (start, end)


@dataclass
class DucklingScore:
    total: int = 0
    right: int = 0
    wrong: list[tuple[str, Any, Any]] = field(default_factory=list)

    @property
    def share(self) -> float:
        return self.right / self.total if self.total else 0.0


def score(path: Path) -> DucklingScore:
    """Read every day-level phrase of the corpus on its reference day."""
    data = json.loads(path.read_text("utf-8"))
    today = _day(data["reference_time"])
    result = DucklingScore()
    for example in data["examples"]:
        want = expected_days(example)
        if want is None:
            continue
        for phrase in example["phrases"]:
            found = find_dates(fold_same_length(phrase), today)
            result.total += 1
            if matches(found, want):
                result.right += 1
            else:
                result.wrong.append((phrase, want, [(f.kind, f.start, f.end) for f in found]))
    return result
