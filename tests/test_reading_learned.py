"""The learned second opinion on intent: shipped with the package, trained on the sets here."""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Iterable
from importlib import resources
from pathlib import Path

import pytest

from handlers.communes import CommuneName
from handlers.reading.intents import Intent
from handlers.reading.learned import Guess, IntentModel, bundled_model, terms
from handlers.reading.mentions import (
    Confidence,
    Judge,
    MentionModel,
    Mentions,
    Odds,
    Recorded,
    mentions,
    signals,
    weigh,
)
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
    # the question mark too: "dispo la tireuse ?" asks what "tireuse dispo" offers
    assert terms("Dispo la tireuse ?") == [
        "dispo", "la", "tireuse", "?", "dispo la", "la tireuse", "tireuse ?"
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


# --- The learned second opinions on which names and numbers a message is about ---


def test_the_mention_models_were_trained_on_the_sets_and_the_catalogue_here() -> None:
    """A set or an article added without `make train` would leave the models behind."""
    raw = json.loads(
        resources.files("handlers.reading").joinpath("data", "mention-model.json").read_text()
    )
    assert raw["trained_on"] == sorted(p.stem for p in SETS.glob("set-*.jsonl"))
    assert raw["catalogue"] == sorted(shared_reader().vocabulary.items)
    for judge in (raw["names"], raw["counts"], raw["dates"]):
        assert 0 < judge["unlikely"] < 0.5 < judge["likely"] < 1
    assert len(raw["confidence"]["coef"]) == len(_SIGNALS)
    assert 0 < raw["confidence"]["ask_above"] < 1


def _found(text: str) -> Mentions:
    return mentions(Document.of(text).folded, shared_reader().vocabulary, _NOW)


def test_each_name_is_seen_with_its_place_in_the_message() -> None:
    found = _found("Objet : barnums\nBonjour, pas de barnum finalement, mais 20 tables ?")
    assert [m.match.item.id for m in found.names] == ["barnum", "barnum", "table"]
    subject, negated, counted = (set(m.features) for m in found.names)
    assert "subject" in subject and "line=0" in subject
    assert {"neg6", "same_id_before", "line=1"} <= negated
    assert {"prevnum", "qline", "numdist=1"} <= counted


def test_each_number_is_seen_with_its_shape_and_the_names_beside_it() -> None:
    [count, phone] = _found("20 tables svp, rappelez le 0297000000").figures
    assert {"v=10-99r", "kind=digits", "item_after=1", "next_id=table"} <= set(count.features)
    assert "item_after=0" in phone.features and "L1=le" in phone.features


def test_the_bundled_models_tell_a_request_from_a_passing_mention() -> None:
    model = shared_reader().mentions
    [asked] = _found("il nous faudrait 40 tables pour la kermesse").names
    assert model.names.probability(asked.features) > 0.9
    _, carried = _found("besoin d'un groupe électrogène à charger sur remorque").names
    assert carried.match.item.id == "remorque"
    assert model.names.probability(carried.features) < 0.5
    [count, address] = _found("il nous faudrait 40 tables, salle au 12 rue de la Gare").figures
    assert model.counts.probability(count.features) > 0.8
    assert model.counts.probability(address.features) < 0.2


class _Fixed(Judge):
    """A judge that finds every name or number equally likely: the policy under test."""

    def __init__(self, probability: float, unlikely: float, likely: float) -> None:
        self.said, self.unlikely, self.likely = probability, unlikely, likely

    def probability(self, features: Iterable[str]) -> float:
        return self.said


def _confidence(wrong: float) -> Confidence:
    """A confidence that finds every reading this likely wrong, and asks from one half."""
    size = len(_SIGNALS)
    logit = math.log(wrong / (1 - wrong))
    raw = {"mean": [0] * size, "scale": [1] * size, "coef": [0] * size, "intercept": logit}
    return Confidence(raw | {"ask_above": 0.5})


_NOTHING = mentions("", shared_reader().vocabulary, dt.date(2027, 5, 3))
_NONE = Recorded("borrow", [], [], (None, None, None), event=False, commune=False)
_SIGNALS = signals(weigh(_NOTHING, Odds([], [], []), _NONE), _NOTHING, _NONE, "")


class _Judges(MentionModel):
    def __init__(
        self, names: float, counts: float = 0.5, dates: float = 0.5, wrong: float = 0.1
    ) -> None:
        self.names = _Fixed(names, 0.3, 0.9)
        self.counts = _Fixed(counts, 0.1, 0.8)
        self.dates = _Fixed(dates, 0.2, 0.9)
        self.confidence = _confidence(wrong)


_TWO = "il nous faudrait 40 tables et 2 barnums pour le samedi 26 juin"


def test_a_name_the_model_finds_unlikely_makes_the_channel_ask() -> None:
    reading = _reader(_Says(Intent.BORROW, 0.9), _Judges(0.1)).read(_TWO, _NOW)
    assert [i.item for i in reading.items] == ["table", "barnum"]
    assert reading.missing == ["items"] and reading.doubts == ["items"]


def test_models_that_agree_ask_nothing() -> None:
    reading = _reader(_Says(Intent.BORROW, 0.9), _Judges(0.6)).read(_TWO, _NOW)
    assert reading.missing == [] and reading.doubts == []


def test_a_likely_name_left_out_makes_the_channel_ask() -> None:
    # the rules read "sur remorque" as how the generator travels; a sure model asks
    text = "besoin de notre groupe électrogène sur remorque le samedi 26 juin"
    assert [i.item for i in shared_reader().read(text, _NOW).items] == ["groupe-electrogene"]
    reading = _reader(_Says(Intent.BORROW, 0.9), _Judges(0.95)).read(text, _NOW)
    assert [i.item for i in reading.items] == ["groupe-electrogene"]
    assert reading.missing == ["items"]


def test_a_count_the_model_finds_unlikely_makes_the_channel_ask() -> None:
    reading = _reader(_Says(Intent.BORROW, 0.9), _Judges(0.6, 0.05)).read(_TWO, _NOW)
    assert [(i.item, i.quantity) for i in reading.items] == [("table", 40), ("barnum", 2)]
    assert reading.missing == ["quantity"]


def test_a_likely_count_left_unused_makes_the_channel_ask() -> None:
    # "26" is the day, which the rules take; a model sure it counts something asks
    reading = _reader(_Says(Intent.BORROW, 0.9), _Judges(0.6, 0.85)).read(_TWO, _NOW)
    assert reading.start == dt.date(2027, 6, 26) and reading.missing == ["quantity"]


def test_each_date_is_seen_with_its_words_and_how_far_it_is() -> None:
    [vague] = _found("il nous faudrait un podium vers la fin août").moments
    assert {"vague", "w=fin", "w=aout", "len=8-31", "ahead=61-200"} <= set(vague.features)


def test_a_date_the_model_finds_unlikely_makes_the_channel_ask() -> None:
    reading = _reader(_Says(Intent.BORROW, 0.9), _Judges(0.6, 0.5, 0.1)).read(_TWO, _NOW)
    assert reading.start == dt.date(2027, 6, 26) and reading.missing == ["dates"]


def test_a_likely_date_left_out_makes_the_channel_ask() -> None:
    # the rules keep the coming day, not last year's; a model sure of both asks
    text = (
        "il nous faudrait 40 tables le samedi 26 juin. Nous avons eu la même fête le 12 juin 2026"
    )
    assert shared_reader().read(text, _NOW).missing == []
    reading = _reader(_Says(Intent.BORROW, 0.9), _Judges(0.6, 0.5, 0.95)).read(text, _NOW)
    assert reading.missing == ["dates"]


def test_an_unsure_confidence_asks_about_the_weakest_part() -> None:
    # every judge leans the rules' way (none is sure against them), the counts least of all
    reading = _reader(_Says(Intent.BORROW, 0.9), _Judges(0.6, 0.2, 0.6, 0.7)).read(_TWO, _NOW)
    assert reading.missing == ["quantity"] and reading.doubts == ["quantity"]


def test_a_sure_confidence_asks_nothing() -> None:
    reading = _reader(_Says(Intent.BORROW, 0.9), _Judges(0.6, 0.6, 0.6, 0.3)).read(_TWO, _NOW)
    assert reading.missing == []


def test_a_withdrawal_is_not_second_guessed() -> None:
    text = "on annule la demande de 40 tables du 26 juin"
    reading = _reader(_Says(Intent.CANCEL, 0.9), _Judges(0.01, 0.01, 0.01, 0.99)).read(text, _NOW)
    assert reading.intent is Intent.CANCEL and reading.doubts == []
