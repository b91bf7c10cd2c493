"""Any input gets an answer, quickly, and never an exception."""

from __future__ import annotations

import datetime as dt
import random
import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from handlers.reading.reader import Reader
from tests.readers import shared_reader

READER: Reader = shared_reader()
PIECES = [
    "besoin de", "2", "barnums", "le", "21 juin", "du", "au", "15/07", "x 50", "mairie de",
    "Quéven", "> ", "Le lun. 7 juin 2027 à 11:02, a écrit :", "\n", "--", "€", "14h30",
    "entre le 10 et le 12/07", "de mai à octobre", "avant septembre", "ganivelles", "une",
    "trentaine", "de", "sel", "tonnes", "annulez", "prêter", "disponible", "fête", "é", "'",
]  # fmt: skip


def _bounded(text: str) -> None:
    # The processor time of this reading alone: other tests running beside it (one worker
    # per core) and other processes do not count, a pattern that backtracks does.
    started = time.process_time()
    reading = READER.read(text, dt.date(2027, 3, 10)).to_json()
    assert time.process_time() - started < 2.0
    assert reading["intent"] in {"purchase", "borrow", "lend", "event", "cancel", "unknown"}


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=2000))
def test_any_text(text: str) -> None:
    _bounded(text)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=60).map(" ".join))
def test_messages_made_of_the_words_that_matter(text: str) -> None:
    _bounded(text)


def test_100_kb_of_noise() -> None:
    rng = random.Random(20271128)
    alphabet = "abcdefghijklmnopqrstuvwxyzéèàçù0123456789 /.-:,'\n€x"
    noise = "".join(rng.choice(alphabet) for _ in range(100_000))
    _bounded(noise)
    _bounded("1/2 " * 25_000)
    _bounded("du 12 au " * 11_000)


def test_long_runs_that_made_a_pattern_backtrack() -> None:
    # "aaa-aaa-…" made the writer's-name pattern split the run in cubic many ways: 5 KB
    # took a minute, 48 KB never ended. tests/redos.py finds such patterns (about 5 min).
    for piece in ("aaa-", "a-", "jean-pierre ", "a'-", "- a"):
        _bounded(piece * (50_000 // len(piece)))


def test_a_long_run_of_numbers_is_read_in_linear_time() -> None:
    # "1 1 1 …" is one run of digits: each try at a time, price or phone looks a few
    # characters ahead only (it once scanned the whole run from every position).
    _bounded("1 " * 25_000)
    _bounded("12 34 56 " * 6_000)
