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
from handlers.reading.mentions import Mention, MentionModel, mentions
from handlers.reading.reader import Reader
from handlers.reading.text import Document
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


def _reader(model: IntentModel, names: MentionModel | None = None) -> Reader:
    bundled = shared_reader()
    return Reader(bundled.vocabulary.items.values(), _COMMUNES, model, names)


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


# --- The learned second opinion on which names a message is about ---


def test_the_mention_model_was_trained_on_the_sets_and_the_catalogue_here() -> None:
    """A set or an article added without `make train` would leave the model behind."""
    raw = json.loads(
        resources.files("handlers.reading").joinpath("data", "mention-model.json").read_text()
    )
    assert raw["trained_on"] == sorted(p.stem for p in SETS.glob("set-*.jsonl"))
    assert raw["catalogue"] == sorted(shared_reader().vocabulary.items)
    assert 0 < raw["unlikely"] < 0.5 < raw["likely"] < 1


def _names(text: str) -> list[Mention]:
    return mentions(Document.of(text).folded, shared_reader().vocabulary)


def test_each_name_is_seen_with_its_place_in_the_message() -> None:
    found = _names("Objet : barnums\nBonjour, pas de barnum finalement, mais 20 tables ?")
    assert [m.match.item.id for m in found] == ["barnum", "barnum", "table"]
    subject, negated, counted = (set(m.features) for m in found)
    assert "subject" in subject and "line=0" in subject
    assert {"neg6", "same_id_before", "line=1"} <= negated
    assert {"prevnum", "qline", "numdist=1"} <= counted


def test_the_bundled_model_tells_a_request_from_a_passing_mention() -> None:
    model = shared_reader().mentions
    [asked] = _names("il nous faudrait 40 tables pour la kermesse")
    assert model.probability(asked) > 0.9
    _, carried = _names("besoin d'un groupe électrogène à charger sur remorque")
    assert carried.match.item.id == "remorque" and model.probability(carried) < 0.5


class _Judges(MentionModel):
    """A mention model that judges every name the same: the policy under test."""

    def __init__(self, probability: float) -> None:
        self.said, self.unlikely, self.likely = probability, 0.3, 0.9

    def probability(self, mention: Mention) -> float:
        return self.said


_TWO = "il nous faudrait 40 tables et 2 barnums pour le samedi 26 juin"


def test_a_name_the_model_finds_unlikely_makes_the_channel_ask() -> None:
    reading = _reader(_Says(Intent.BORROW, 0.9), _Judges(0.1)).read(_TWO, _NOW)
    assert [i.item for i in reading.items] == ["table", "barnum"]
    assert reading.missing == ["items"] and reading.doubts == ["items"]


def test_a_model_that_agrees_asks_nothing() -> None:
    reading = _reader(_Says(Intent.BORROW, 0.9), _Judges(0.6)).read(_TWO, _NOW)
    assert reading.missing == [] and reading.doubts == []


def test_a_likely_name_left_out_makes_the_channel_ask() -> None:
    # the rules read "sur remorque" as how the generator travels; a sure model asks
    text = "besoin de notre groupe électrogène sur remorque le samedi 26 juin"
    assert [i.item for i in shared_reader().read(text, _NOW).items] == ["groupe-electrogene"]
    reading = _reader(_Says(Intent.BORROW, 0.9), _Judges(0.95)).read(text, _NOW)
    assert [i.item for i in reading.items] == ["groupe-electrogene"]
    assert reading.missing == ["items"]


def test_a_withdrawal_is_not_second_guessed() -> None:
    text = "on annule la demande de 40 tables du 26 juin"
    reading = _reader(_Says(Intent.CANCEL, 0.9), _Judges(0.01)).read(text, _NOW)
    assert reading.intent is Intent.CANCEL and "items" not in reading.missing
