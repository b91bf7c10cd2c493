"""The reading measured on whole sets of messages, and on Duckling's French time corpus."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests import duckling
from tests.readers import shared_reader
from tests.reading_eval import FIELDS, score

DATA = Path(__file__).parent / "data"


@pytest.mark.parametrize(
    ("name", "whole", "each"),
    [
        ("reading_cases.jsonl", 0.95, 0.97),
        ("reading_holdout.jsonl", 0.95, 0.97),
        ("reading_blind.jsonl", 0.95, 0.97),
    ],
)
def test_messages_are_read_right(name: str, whole: float, each: float) -> None:
    path = DATA / name
    if not path.exists():
        pytest.skip(f"{name} is not there")
    result = score(shared_reader(), path)
    shares = {f: round(result.field_share(f), 3) for f in FIELDS}
    print(f"\n{name}: {result.right}/{result.total} read entirely right; by field {shares}")
    assert result.right / result.total >= whole
    assert min(shares.values()) >= each, shares


def test_duckling_day_level_expressions() -> None:
    path = duckling.corpus_path()
    if path is None:
        pytest.skip("../shared/corpora/duckling-fr is not beside this checkout")
    result = duckling.score(path)
    print(f"\nDuckling, day-level: {result.right}/{result.total} = {result.share:.1%}")
    assert result.share >= 0.90
