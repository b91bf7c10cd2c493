"""The quick first checks of the date patterns turn away only what the patterns would."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from handlers.reading import dates
from handlers.reading.text import fold_same_length
from tests import duckling

DATA = Path(__file__).parent / "data"


def _texts() -> list[str]:
    found = []
    for path in sorted(DATA.glob("reading*.jsonl")) + sorted((DATA / "reading").glob("*.jsonl")):
        found += [json.loads(line)["text"] for line in path.read_text("utf-8").splitlines() if line]
    corpus = duckling.corpus_path()
    if corpus is not None:
        examples = json.loads(corpus.read_text("utf-8"))["examples"]
        found += [phrase for example in examples for phrase in example["phrases"]]
    return [fold_same_length(text) for text in found]


@pytest.mark.parametrize("name", ["_ONE_RE", "_RANGE", "_OPEN", "_OPEN_STRONG"])
def test_a_date_begins_where_its_first_check_says(name: str) -> None:
    guarded: re.Pattern[str] = getattr(dates, name)
    assert dates._ONE_STARTS in guarded.pattern
    bare = re.compile(guarded.pattern.replace(dates._ONE_STARTS, ""))
    for text in _texts():
        want = [(m.span(), m.groups()) for m in bare.finditer(text)]
        assert [(m.span(), m.groups()) for m in guarded.finditer(text)] == want, text
