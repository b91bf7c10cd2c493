"""Train the reading's intent model from the annotated sets: `make train`.

    .venv/bin/python data/train_intent.py [--evaluate]

Reads every `tests/data/reading/set-*.jsonl` (each message with its expected intent), fits
a multinomial logistic regression over the tf-idf of `handlers.reading.learned.terms`, and
writes `handlers/reading/data/intent-model.json`. The same data and settings give the same
file. `--evaluate` first scores the model set by set, each time trained without that set:
the only figures that say how it reads writers it has not seen.

Needs scikit-learn (`pip install -e '.[train]'`); the reader itself does not.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from handlers.reading.learned import terms  # noqa: E402

SETS = ROOT / "tests" / "data" / "reading"
OUT = ROOT / "handlers" / "reading" / "data" / "intent-model.json"
MIN_DF = 2
MAX_TERMS = 50000
C = 8.0


def load() -> list[tuple[str, str, str]]:
    """(set, text, intent) for every annotated message."""
    rows = []
    for path in sorted(SETS.glob("set-*.jsonl")):
        for line in path.read_text("utf-8").splitlines():
            if line.strip():
                case = json.loads(line)
                rows.append((path.stem, case["text"], case["expected"]["intent"]))
    return rows


def fit(texts: list[str], intents: list[str]) -> tuple[TfidfVectorizer, LogisticRegression]:
    vectorizer = TfidfVectorizer(
        analyzer=terms, min_df=MIN_DF, sublinear_tf=True, max_features=MAX_TERMS
    )
    matrix = vectorizer.fit_transform(texts)
    model = LogisticRegression(C=C, max_iter=5000).fit(matrix, intents)
    return vectorizer, model


def evaluate(rows: list[tuple[str, str, str]]) -> None:
    for held in sorted({r[0] for r in rows}):
        train = [r for r in rows if r[0] != held]
        test = [r for r in rows if r[0] == held]
        vectorizer, model = fit([r[1] for r in train], [r[2] for r in train])
        guessed = model.predict(vectorizer.transform([r[1] for r in test]))
        right = sum(g == r[2] for g, r in zip(guessed, test, strict=True))
        print(f"{held}: {right}/{len(test)} = {right / len(test):.1%} (trained without it)")


def main() -> None:
    rows = load()
    if "--evaluate" in sys.argv:
        evaluate(rows)
    vectorizer, model = fit([r[1] for r in rows], [r[2] for r in rows])
    vocabulary = vectorizer.vocabulary_
    weights = model.coef_
    out = {
        "trained_on": sorted({r[0] for r in rows}),
        "messages": len(rows),
        "classes": [str(c) for c in model.classes_],
        "intercepts": [round(float(b), 5) for b in model.intercept_],
        "terms": {
            term: [round(float(vectorizer.idf_[i]), 5)]
            + [round(float(w), 5) for w in weights[:, i]]
            for term, i in sorted(vocabulary.items())
        },
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(out, ensure_ascii=False, separators=(",", ":")) + "\n", "utf-8")
    print(f"{OUT.relative_to(ROOT)}: {len(vocabulary)} terms, {len(rows)} messages")


if __name__ == "__main__":
    main()
