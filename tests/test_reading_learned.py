"""The learned second opinion on intent: shipped with the package, trained on the sets here."""

from __future__ import annotations

import datetime as dt
import json
from importlib import resources
from pathlib import Path

import pytest

from handlers.communes import CommuneName
from handlers.reading.intents import Intent
from handlers.reading.learned import Guess, IntentModel, bundled_model, terms
from handlers.reading.reader import Reader
from tests.readers import shared_reader

SETS = Path(__file__).parent / "data" / "reading"


def test_the_model_was_trained_on_the_sets_kept_here() -> None:
    """A set added without `make train` would leave the model behind the sets."""
    raw = json.loads(
        resources.files("handlers.reading").joinpath("data", "intent-model.json").read_text()
    )
    assert raw["trained_on"] == sorted(p.stem for p in SETS.glob("set-*.jsonl"))
    assert set(raw["classes"]) == {i.value for i in Intent}


def test_terms_are_folded_words_and_their_pairs() -> None:
    assert terms("Prêt d'un podium, SVP") == [
        "pret", "un", "podium", "svp", "pret un", "un podium", "podium svp"
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("Nous pouvons prêter nos 3 barnums du 1er au 15 juillet", Intent.LEND),
        ("il nous faudrait 40 tables pour la kermesse du 26 juin", Intent.BORROW),
        ("On commande 200 sacs de sel avant le 15 novembre, qui se joint ?", Intent.PURCHASE),
        ("Merci pour les barrières, elles ont été rendues ce matin", Intent.UNKNOWN),
    ],
)
def test_the_model_reads_plain_messages(text: str, intent: Intent) -> None:
    guess = bundled_model().guess(text)
    assert guess.intent is intent and guess.probability > 0.5


class _Says(IntentModel):
    """A model that always gives the same guess: the policy, not the weights, under test."""

    def __init__(self, intent: Intent, probability: float) -> None:
        self.said = Guess(intent, probability)

    def guess(self, text: str) -> Guess:
        return self.said


def _reader(model: IntentModel) -> Reader:
    bundled = shared_reader()
    return Reader(bundled.vocabulary.items.values(), _COMMUNES, model)


_COMMUNES = [CommuneName("56121", "Lorient"), CommuneName("56193", "Riantec")]
_NOW = dt.date(2027, 5, 3)
_ASKS = "il nous faudrait 40 tables pour le samedi 26 juin"


def test_a_sure_model_overrides_the_rules() -> None:
    reading = _reader(_Says(Intent.LEND, 0.9)).read(_ASKS, _NOW)
    assert reading.intent is Intent.LEND
    assert [i.item for i in reading.items] == ["table"]


def test_an_unsure_model_makes_the_channel_ask() -> None:
    reading = _reader(_Says(Intent.LEND, 0.6)).read(_ASKS, _NOW)
    assert reading.intent is Intent.BORROW
    assert "intent" in reading.missing


def test_a_model_that_barely_leans_changes_nothing() -> None:
    reading = _reader(_Says(Intent.LEND, 0.4)).read(_ASKS, _NOW)
    assert reading.intent is Intent.BORROW and reading.missing == []


def test_a_sure_model_finds_the_items_of_a_message_the_rules_read_as_nothing() -> None:
    reading = _reader(_Says(Intent.LEND, 0.9)).read("nos 60 chaises au garage tout l'été", _NOW)
    assert reading.intent is Intent.LEND
    assert [(i.item, i.quantity) for i in reading.items] == [("chaise", 60)]
