"""Scoring readings against expected ones, field by field (used by tests and benchmarks)."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from handlers.reading.reader import Reader
from storage.names import fold

FIELDS = ("intent", "items", "start", "end", "deadline", "event", "commune")


def _items(items: list[dict[str, Any]]) -> list[tuple[str | None, str]]:
    return [(i["item"], fold(i.get("label") or "") if i["item"] is None else "") for i in items]


def _same_items(got: list[dict[str, Any]], expected: list[dict[str, Any]]) -> bool:
    """The same items in the same order, each counted as expected; as the judge counts it,
    one is right where no count was expected ("la sono")."""
    return _items(got) == _items(expected) and all(
        g["quantity"] == e["quantity"] or (e["quantity"] is None and g["quantity"] == 1)
        for g, e in zip(got, expected, strict=True)
    )


def compare(got: dict[str, Any], expected: dict[str, Any]) -> list[str]:
    """The fields of `got` that differ from `expected`."""
    wrong = []
    for name in FIELDS:
        if name == "items":
            same = _same_items(got["items"], expected["items"])
        elif name == "event":
            # As the judge counts it: an extra event name is harmless.
            same = not expected["event"] or fold(got["event"] or "") == fold(expected["event"])
        else:
            same = got[name] == expected[name]
        if not same:
            wrong.append(name)
    return wrong


@dataclass
class Score:
    total: int = 0
    right: int = 0
    wrong: Counter[str] = field(default_factory=Counter)  # readings wrong, by field
    silent: int = 0  # declarations recorded with nothing asked
    silent_wrong: int = 0
    failures: list[tuple[str, list[str]]] = field(default_factory=list)

    def field_share(self, name: str) -> float:
        """The share of readings right on this field."""
        return 1 - self.wrong[name] / self.total if self.total else 0.0


def _tally(
    reader: Reader, path: Path, wrong_fields: Callable[[dict[str, Any], dict[str, Any]], list[str]]
) -> Score:
    result = Score()
    for line in path.read_text("utf-8").splitlines():
        if not line.strip():
            continue
        case = json.loads(line)
        got = reader.read(case["text"], dt.date.fromisoformat(case["now"])).to_json()
        wrong = wrong_fields(got, case["expected"])
        result.total += 1
        result.right += not wrong
        result.wrong.update(wrong)
        if not got["missing"] and got["intent"] != "unknown":
            result.silent += 1
            result.silent_wrong += bool(wrong)
        if wrong:
            result.failures.append((case.get("id", case["text"][:40]), wrong))
    return result


def score(reader: Reader, cases_file: Path) -> Score:
    """Read every case of a JSONL file and count what was read right."""
    return _tally(reader, cases_file, compare)


# --- The judge's rules (shared/tools/score_reading.py), for sets written in its schema ---

SET_FIELDS = ("intent", "items", "quantities", "dates", "event", "commune")


def _norm(value: object) -> str:
    text = fold(str(value)) if value is not None else ""
    return " ".join(w[:-1] if len(w) > 3 and w[-1] in "sx" and not w.endswith("ss") else w
                    for w in text.replace("'", " ").split())  # fmt: skip


def _item_ok(expected: dict[str, Any], got: dict[str, Any]) -> bool:
    names = [_norm(expected["item"])] + [_norm(a) for a in expected.get("item_alt", [])]
    candidates = [c for c in (_norm(got.get("item")), _norm(got.get("label"))) if c]
    return any(
        n and (n == c or n in c.split(" ") or c.startswith(n) or n.startswith(c))
        for n in names
        for c in candidates
    )


def judge(got: dict[str, Any], expected: dict[str, Any], insee: dict[str, str]) -> dict[str, bool]:
    """Each field of one reading right or wrong, as the judge's scorer counts them."""
    ok = {"intent": got["intent"] == expected["intent"]}
    left = list(got["items"])
    matched = counted = 0
    for wanted in expected["items"]:
        hit = next((g for g in left if _item_ok(wanted, g)), None)
        if hit is not None:
            matched += 1
            quantity = hit.get("quantity")
            counted += (
                quantity in (None, 1) if wanted.get("quantity") is None
                else quantity == wanted["quantity"]
            )  # fmt: skip
            left.remove(hit)
    ok["items"] = matched == len(expected["items"]) and not left
    ok["quantities"] = counted == len(expected["items"])
    ok["dates"] = expected["intent"] == "cancel" or all(
        got[k] == expected.get(k) for k in ("start", "end", "deadline")
    )
    event, read = expected.get("event"), got.get("event")
    names = [_norm(event)] + [_norm(a) for a in expected.get("event_alt", [])] if event else []
    ok["event"] = not event or (
        bool(read) and any(n in _norm(read) or _norm(read) in n for n in names)
    )
    commune = expected.get("commune")
    ok["commune"] = got["commune"] == (insee[commune] if commune else None)
    return ok


def score_set(reader: Reader, path: Path, insee: dict[str, str]) -> Score:
    """Read every message of a set in the judge's schema and count as the judge does."""

    def wrong(got: dict[str, Any], expected: dict[str, Any]) -> list[str]:
        return [name for name, right in judge(got, expected, insee).items() if not right]

    return _tally(reader, path, wrong)
