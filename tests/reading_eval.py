"""Scoring readings against expected ones, field by field (used by tests and benchmarks)."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from handlers.reading.reader import Reader
from storage.names import fold

FIELDS = ("intent", "items", "start", "end", "deadline", "event", "commune")


def _items(items: list[dict[str, Any]]) -> list[tuple[str | None, int | None, str]]:
    return [
        (i["item"], i["quantity"], fold(i.get("label") or "") if i["item"] is None else "")
        for i in items
    ]


def compare(got: dict[str, Any], expected: dict[str, Any]) -> list[str]:
    """The fields of `got` that differ from `expected`."""
    wrong = []
    for name in FIELDS:
        if name == "items":
            same = _items(got["items"]) == _items(expected["items"])
        elif name == "event":
            same = fold(got["event"] or "") == fold(expected["event"] or "")
        else:
            same = got[name] == expected[name]
        if not same:
            wrong.append(name)
    return wrong


@dataclass
class Score:
    total: int = 0
    right: int = 0
    per_field: Counter[str] = field(default_factory=Counter)
    failures: list[tuple[dict[str, Any], dict[str, Any], list[str]]] = field(default_factory=list)

    def field_share(self, name: str) -> float:
        return 1 - self.per_field[name] / self.total if self.total else 0.0


def score(reader: Reader, cases_file: Path) -> Score:
    """Read every case of a JSONL file and count what was read right."""
    result = Score()
    for line in cases_file.read_text("utf-8").splitlines():
        if not line.strip():
            continue
        case = json.loads(line)
        got = reader.read(case["text"], dt.date.fromisoformat(case["now"])).to_json()
        wrong = compare(got, case["expected"])
        result.total += 1
        result.right += not wrong
        result.per_field.update(wrong)
        if wrong:
            result.failures.append((case, got, wrong))
    return result
