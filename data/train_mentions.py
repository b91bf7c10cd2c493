"""Train the reading's mention model from the annotated sets: `make train`.

    .venv/bin/python data/train_mentions.py [--evaluate]

For every catalogue name in every message of `tests/data/reading/set-*.jsonl`, the features
of `handlers.reading.mentions.mentions` and whether the writer acts on it (the name is one
of the message's expected items, as the judge matches them); fits a logistic regression and
writes `handlers/reading/data/mention-model.json`. `--evaluate` first scores the names of
eight folds of sets, each trained without them: how it judges writers it has not seen.

Needs scikit-learn (`pip install -e '.[train]'`); the reader itself does not.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from sklearn.feature_extraction import DictVectorizer
from sklearn.linear_model import LogisticRegression

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from handlers.reading.mentions import mentions  # noqa: E402
from handlers.reading.sources import bundled_reader  # noqa: E402
from handlers.reading.text import Document  # noqa: E402
from tests.reading_eval import _item_ok  # noqa: E402

SETS = ROOT / "tests" / "data" / "reading"
OUT = ROOT / "handlers" / "reading" / "data" / "mention-model.json"
C = 1.0
FOLDS = 8
# Asked about: an item kept whose names are all below UNLIKELY, or a name above LIKELY left
# out. Chosen on the kept sets before the model was measured on fresh ones (README, round 52).
UNLIKELY = 0.3
LIKELY = 0.9

Row = tuple[str, dict[str, int], int]  # set, features, acted on


def load() -> list[Row]:
    vocabulary = bundled_reader().vocabulary
    rows = []
    for path in sorted(SETS.glob("set-*.jsonl")):
        for line in path.read_text("utf-8").splitlines():
            if not line.strip():
                continue
            case = json.loads(line)
            expected = case["expected"]["items"]
            for mention in mentions(Document.of(case["text"]).folded, vocabulary):
                got = {"item": mention.match.item.id, "label": mention.match.item.label}
                acted = any(_item_ok(e, got) for e in expected)
                rows.append((path.stem, dict.fromkeys(mention.features, 1), int(acted)))
    return rows


def fit(rows: list[Row]) -> tuple[DictVectorizer, LogisticRegression]:
    vectorizer = DictVectorizer()
    matrix = vectorizer.fit_transform([r[1] for r in rows])
    model = LogisticRegression(C=C, max_iter=5000).fit(matrix, [r[2] for r in rows])
    return vectorizer, model


def evaluate(rows: list[Row]) -> None:
    sets = sorted({r[0] for r in rows})
    right = total = 0
    for fold in range(FOLDS):
        held = set(sets[fold::FOLDS])
        vectorizer, model = fit([r for r in rows if r[0] not in held])
        test = [r for r in rows if r[0] in held]
        guessed = model.predict(vectorizer.transform([r[1] for r in test]))
        right += sum(int(g) == r[2] for g, r in zip(guessed, test, strict=True))
        total += len(test)
    print(f"names judged right on sets left out of training: {right}/{total} = {right / total:.1%}")


def main() -> None:
    rows = load()
    if "--evaluate" in sys.argv:
        evaluate(rows)
    vectorizer, model = fit(rows)
    weights = model.coef_[0]
    out = {
        "trained_on": sorted({r[0] for r in rows}),
        "catalogue": sorted(bundled_reader().vocabulary.items),
        "names": len(rows),
        "unlikely": UNLIKELY,
        "likely": LIKELY,
        "intercept": round(float(model.intercept_[0]), 5),
        "weights": {
            feature: round(float(weights[i]), 5)
            for feature, i in sorted(vectorizer.vocabulary_.items())
            if round(float(weights[i]), 5) != 0
        },
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(out, ensure_ascii=False, separators=(",", ":")) + "\n", "utf-8")
    print(f"{OUT.relative_to(ROOT)}: {len(out['weights'])} features, {len(rows)} names")


if __name__ == "__main__":
    main()
