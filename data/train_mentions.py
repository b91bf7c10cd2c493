"""Train the reading's mention model from the annotated sets: `make train`.

    .venv/bin/python data/train_mentions.py [--evaluate]

For every catalogue name, number and date in every message of
`tests/data/reading/set-*.jsonl`, the features of `handlers.reading.mentions.mentions`, and
whether the writer acts on the name (it is one of the message's expected items, as the judge
matches them), gives the number as a count (one of the expected quantities) or means the
date's days (its first or last day is an expected start, end or deadline; declarations
only); fits a logistic regression for each and writes
`handlers/reading/data/mention-model.json`. `--evaluate` first scores the names, numbers and
dates of eight folds of sets, each trained without them: how it judges writers it has not
seen.

Needs scikit-learn (`pip install -e '.[train]'`); the reader itself does not.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sklearn.feature_extraction import DictVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from handlers.reading.mentions import (  # noqa: E402
    Mentions,
    Odds,
    Recorded,
    mentions,
    signals,
    weigh,
)
from handlers.reading.sources import bundled_reader  # noqa: E402
from handlers.reading.text import Document  # noqa: E402
from storage.territory import load_territory  # noqa: E402
from tests.reading_eval import _item_ok  # noqa: E402
from tests.reading_eval import judge as read_right  # noqa: E402

SETS = ROOT / "tests" / "data" / "reading"
# The readings the newest sets got when they were scored blind: what the confidence learns
# from (a reading of a set the rules were since made from would flatter it).
BLIND = SETS.parent / "blind-readings.jsonl"
# The share of blind readings recorded silently that the confidence has the channel ask
# about: on EA-EL left out in turn, asking a tenth took silent errors from 16 % to 12 % (about
# half of those asked were wrong), a fifth to 10 % (two in five), at the cost of plain
# requests such as "200 ganivelles et un podium pour le 21 juin" asked about.
ASK_SHARE = 0.1
OUT = ROOT / "handlers" / "reading" / "data" / "mention-model.json"
C = 1.0
FOLDS = 8
# Asked about: an item kept whose names are all below the first bound, or a name above the
# second left out; a count kept from a number below the first, or a number above the second
# left unused. Chosen on the kept sets, the models trained each time without the sets they
# judged, before they were measured on fresh ones.
BOUNDS = {"names": (0.3, 0.9), "counts": (0.1, 0.8), "dates": (0.2, 0.9)}

Row = tuple[str, dict[str, int], int]  # set, features, acted on / given as a count


@dataclass
class Blind:
    """A message with the reading it got when its set was scored blind."""

    set: str
    case: dict[str, Any]
    found: Mentions
    reading: dict[str, Any]


def load(blind: list[Blind] | None = None) -> dict[str, list[Row]]:
    vocabulary = bundled_reader().vocabulary
    read_blind = {}
    for line in BLIND.read_text("utf-8").splitlines():
        row = json.loads(line)
        read_blind[row["id"]] = row["reading"]
    rows: dict[str, list[Row]] = {"names": [], "counts": [], "dates": []}
    for path in sorted(SETS.glob("set-*.jsonl")):
        for line in path.read_text("utf-8").splitlines():
            if not line.strip():
                continue
            case = json.loads(line)
            expected = case["expected"]["items"]
            counts = {e.get("quantity") for e in expected} - {None}
            today = dt.date.fromisoformat(case["now"])
            found = mentions(Document.of(case["text"]).folded, vocabulary, today)
            if blind is not None and case["id"] in read_blind:
                blind.append(Blind(path.stem, case, found, read_blind[case["id"]]))
            for mention in found.names:
                got = {"item": mention.match.item.id, "label": mention.match.item.label}
                acted = any(_item_ok(e, got) for e in expected)
                rows["names"].append((path.stem, dict.fromkeys(mention.features, 1), int(acted)))
            for figure in found.figures:
                given = figure.number.value in counts
                rows["counts"].append((path.stem, dict.fromkeys(figure.features, 1), int(given)))
            if case["expected"]["intent"] in ("cancel", "unknown"):
                continue  # no days to mean: a withdrawal's are not its own, a thank-you has none
            meant = {case["expected"].get(k) for k in ("start", "end", "deadline")} - {None}
            for moment in found.moments:
                days = {d.isoformat() for d in (moment.date.start, moment.date.end) if d}
                rows["dates"].append(
                    (path.stem, dict.fromkeys(moment.features, 1), int(bool(days & meant)))
                )
    return rows


def fit(rows: list[Row]) -> tuple[DictVectorizer, LogisticRegression]:
    vectorizer = DictVectorizer()
    matrix = vectorizer.fit_transform([r[1] for r in rows])
    model = LogisticRegression(C=C, max_iter=5000).fit(matrix, [r[2] for r in rows])
    return vectorizer, model


def evaluate(name: str, rows: list[Row]) -> None:
    sets = sorted({r[0] for r in rows})
    right = total = 0
    for fold in range(FOLDS):
        held = set(sets[fold::FOLDS])
        vectorizer, model = fit([r for r in rows if r[0] not in held])
        test = [r for r in rows if r[0] in held]
        guessed = model.predict(vectorizer.transform([r[1] for r in test]))
        right += sum(int(g) == r[2] for g, r in zip(guessed, test, strict=True))
        total += len(test)
    print(
        f"{name} judged right on sets left out of training: {right}/{total} = {right / total:.1%}"
    )


def judge(rows: list[Row], bounds: tuple[float, float]) -> dict[str, object]:
    vectorizer, model = fit(rows)
    weights = model.coef_[0]
    return {
        "examples": len(rows),
        "unlikely": bounds[0],
        "likely": bounds[1],
        "intercept": round(float(model.intercept_[0]), 5),
        "weights": {
            feature: round(float(weights[i]), 5)
            for feature, i in sorted(vectorizer.vocabulary_.items())
            if round(float(weights[i]), 5) != 0
        },
    }


def _odds(
    fitted: tuple[DictVectorizer, LogisticRegression], features: list[tuple[str, ...]]
) -> list[float]:
    if not features:
        return []
    vectorizer, model = fitted
    matrix = vectorizer.transform([dict.fromkeys(f, 1) for f in features])
    return [float(p) for p in model.predict_proba(matrix)[:, 1]]


def _signals(blind: list[Blind], rows: dict[str, list[Row]]) -> tuple[list[list[float]], list[int]]:
    """The confidence's signals for each blind reading recorded silently, each from judges
    trained without its set (eight folds of sets), and whether that reading was wrong."""
    sets = sorted({r[0] for r in rows["names"]})
    insee = {c.name: c.insee for c in load_territory().communes}
    values: list[list[float]] = []
    wrong: list[int] = []
    for fold in range(FOLDS):
        held = set(sets[fold::FOLDS])
        here = [b for b in blind if b.set in held]
        if not here:
            continue
        fitted = {name: fit([r for r in some if r[0] not in held]) for name, some in rows.items()}

        for b in here:
            got = b.reading
            if got["missing"] or got["intent"] == "unknown":
                continue
            found = b.found
            chances = Odds(
                _odds(fitted["names"], [m.features for m in found.names]),
                _odds(fitted["counts"], [f.features for f in found.figures]),
                _odds(fitted["dates"], [m.features for m in found.moments]),
            )
            recorded = Recorded(
                got["intent"],
                [(i["item"], i["quantity"], *i["span"]) for i in got["items"]],
                [tuple(s) for s in got["date_spans"]],
                (got["start"], got["end"], got["deadline"]),
                got["event"] is not None,
                got["commune"] is not None,
            )
            weighed = weigh(found, chances, recorded)
            values.append(signals(weighed, found, recorded, b.case["text"]))
            wrong.append(int(not all(read_right(got, b.case["expected"], insee).values())))
    return values, wrong


def confidence(blind: list[Blind], rows: dict[str, list[Row]]) -> dict[str, object]:
    values, wrong = _signals(blind, rows)
    scaler = StandardScaler().fit(values)
    model = LogisticRegression(C=0.3, max_iter=5000).fit(scaler.transform(values), wrong)
    chances = model.predict_proba(scaler.transform(values))[:, 1]
    ask_above = float(sorted(chances)[int(len(chances) * (1 - ASK_SHARE))])
    print(
        f"confidence: {len(values)} blind readings recorded silently, {sum(wrong)} wrong;"
        f" asks above {ask_above:.3f}"
    )
    return {
        "examples": len(values),
        "mean": [round(float(m), 6) for m in scaler.mean_],
        "scale": [round(float(x), 6) for x in scaler.scale_],
        "coef": [round(float(c), 6) for c in model.coef_[0]],
        "intercept": round(float(model.intercept_[0]), 6),
        "ask_above": round(ask_above, 6),
    }


def main() -> None:
    blind: list[Blind] = []
    rows = load(blind)
    if "--evaluate" in sys.argv:
        for name, some in rows.items():
            evaluate(name, some)
    out: dict[str, object] = {
        "trained_on": sorted({r[0] for r in rows["names"]}),
        "catalogue": sorted(bundled_reader().vocabulary.items),
    }
    out |= {name: judge(some, BOUNDS[name]) for name, some in rows.items()}
    out["confidence"] = confidence(blind, rows)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(out, ensure_ascii=False, separators=(",", ":")) + "\n", "utf-8")
    print(f"{OUT.relative_to(ROOT)}: {len(rows['names'])} names, {len(rows['counts'])} numbers")


if __name__ == "__main__":
    main()
