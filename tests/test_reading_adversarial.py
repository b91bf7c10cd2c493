"""Long runs of one character or of a short piece (a signature masked out as blanks, a
crafted message) do not stall the reader: no pattern of the reader takes more than linear
time on them, and reading such a message costs about what reading an ordinary one does.

Timings are relative, taken in the same run: a pattern's time on a run is compared with its
time on a run half as long (linear work doubles, a pattern that backtracks quadruples or
worse), a reading's time with the reading of an ordinary message of the same length."""

from __future__ import annotations

import datetime as dt
import importlib
import re
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import pytest

from handlers.reading import reader as reader_module
from tests.readers import shared_reader

READING = Path(reader_module.__file__).parent
TODAY = dt.date(2027, 3, 10)
PIECES = [
    " ", "\t", "\n", " \n", "\xa0", "a ", "1 ", "- ", ". ", "'", '"', "de ", "et ", ", ", "; ",
    "-\n", "a-", "!", "(", "1", "x", "12/07 ", "le 12 ", "2 barnums ",
]  # fmt: skip
ENDS = ["", "!"]  # the run closing the text, or something no pattern expects after it
SLOW = 0.002  # seconds: below this, no pattern is suspected, however it grows


def _patterns() -> list[tuple[str, re.Pattern[str]]]:
    found: dict[int, tuple[str, re.Pattern[str]]] = {}
    for path in sorted(READING.glob("*.py")):
        module = importlib.import_module(f"handlers.reading.{path.stem}")
        for name, value in vars(module).items():
            if isinstance(value, re.Pattern) and isinstance(value.pattern, str):
                found.setdefault(id(value), (f"{path.stem}.{name}", value))
    return sorted(found.values(), key=lambda named: named[0])


def _best(run: Callable[[], object], times: int = 3) -> float:
    best = float("inf")
    for _ in range(times):
        started = time.process_time()
        run()
        best = min(best, time.process_time() - started)
    return best


def _superlinear(pattern: re.Pattern[str]) -> str | None:
    """The first run on which `pattern` is slow and grows faster than it may as the run
    grows fourfold: one match, tried at one place, by about four times (on 256 then 1,024
    characters); a search or a finditer, tried from each place, by about 16 times (each
    place may look through the run once), not 64 (each place tries every way of sharing
    the run between two quantifiers; on 128 then 512 characters, as a search over a
    run is slow already). The bound for those is 32, halfway between 16 and 64 on a log
    scale: at 24, patterns measured at 16 to 18 times on a quiet machine (two dozen of them
    are used only with a match, where they are linear) failed now and then on CI."""
    own = sorted({c for c in re.sub(r"\\.", "", pattern.pattern) if c in " -.,;:'/()+|"})
    calls: list[tuple[str, int, float, Callable[[str], object]]] = [
        ("match", 256, 6.0, pattern.match),
        ("search", 128, 32.0, pattern.search),
        ("finditer", 128, 32.0, lambda text: sum(1 for _ in pattern.finditer(text))),
    ]
    for piece in PIECES + own:
        for end in ENDS:
            for call, length, growth, run in calls:
                shorter = piece * (length // len(piece)) + end
                text = piece * (4 * length // len(piece)) + end
                if _best(partial(run, text), times=1) <= SLOW:
                    continue
                # slow: measured again, and with the run a quarter as long, at their best
                took = _within(partial(run, text), max(SLOW, growth * _best(partial(run, shorter))))
                if took is not None:
                    times = 4 * length // len(piece)
                    return f"{call} {took * 1000:.1f} ms on {piece!r} * {times} + {end!r}"
    return None


def _within(run: Callable[[], object], bound: float, times: int = 5) -> float | None:
    """`run`'s best time over `times` runs when it stays above `bound`, none as soon as one
    run is within it: the verdict of `_best(run, times) > bound`, without the runs left once
    it is known. Five tries, not three: a quadratic finditer (16 times slower on a run four
    times as long, within the 24 then allowed) measured twice as slow as it is on a busy machine
    three times running, and failed a test that a cubic one (64 times) fails every time."""
    best = float("inf")
    for _ in range(times):
        started = time.process_time()
        run()
        best = min(best, time.process_time() - started)
        if best <= bound:
            return None
    return best


@pytest.mark.parametrize("name, pattern", _patterns(), ids=[n for n, _ in _patterns()])
def test_no_pattern_backtracks_on_a_long_run(name: str, pattern: re.Pattern[str]) -> None:
    slow = _superlinear(pattern)
    assert slow is None, f"{name}: {slow}"


def _ordinary(length: int) -> str:
    message = (
        "Bonjour, nous aurions besoin de 2 barnums et 50 chaises pour la fête du 21 juin,\n"
        "récupération le vendredi 18 et retour le lundi 21. Merci, la mairie de Quéven.\n"
    )
    return (message * (length // len(message) + 1))[:length]


LENGTH = 10_000  # half what the reader reads of a message (MAX_READ): a quadratic reading shows
WRAPS = ["{}", "besoin de 2 barnums{}merci", "le 12 juin{}au 14", "la mairie de Gestel{}ici"]


@pytest.mark.parametrize("piece", PIECES)
def test_a_message_of_one_long_run_reads_as_fast_as_an_ordinary_one(piece: str) -> None:
    reader = shared_reader()
    ordinary = _best(lambda: reader.read(_ordinary(LENGTH), TODAY), times=2)
    # An ordinary message of 10,000 characters reads in about 0.05 s; a run of blanks after
    # a count read in 1.7 s, one of "-\n" in 4 s, before their patterns stopped backtracking.
    bound = max(5 * ordinary, 0.5)
    for wrap in WRAPS:
        text = wrap.format(piece * (LENGTH // len(piece)))
        took = _best(partial(reader.read, text, TODAY), times=1)
        if took >= bound:  # measured again at its best: the machine may have been busy
            took = _best(partial(reader.read, text, TODAY))
        assert took < bound, f"{wrap.format(piece)!r}: {took:.2f} s, ordinary {ordinary:.2f} s"
