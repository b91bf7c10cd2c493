"""The reading of one message: what it asks, for which items, how many, when, for whom."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from handlers.communes import CommuneIndex, CommuneName
from handlers.reading.bodies import own_words, separate
from handlers.reading.clauses import layout
from handlers.reading.dates import DateFinding, find_dates
from handlers.reading.events import find_event
from handlers.reading.handover import find_handover, mentions_handover
from handlers.reading.intents import VOLUNTEER, Intent
from handlers.reading.items import ItemName, Vocabulary
from handlers.reading.numbers import not_quantities, numbers
from handlers.reading.quantities import (
    FoundItem,
    attach_quantities,
    lone_counts,
    row_counts,
    unknown_items,
)
from handlers.reading.scope import Scope, _named_items
from handlers.reading.text import WORD, Document, Span, words
from handlers.reading.writers import WriterFinder
from handlers.recurrence import find_rule, says_yearly, yearly_on
from storage.catalogue import CatalogueRecord
from storage.names import fold

# Messages longer than this are read on their beginning only: the answer stays quick.
MAX_READ = 20_000
MAX_ITEMS = 60
MAX_NUMBERS = 300


@dataclass(frozen=True)
class ItemReading:
    """One item asked, offered or withdrawn."""

    item: str | None
    label: str
    quantity: int | None
    unit: str | None
    span: Span

    def to_json(self) -> dict[str, Any]:
        """The contract's form, with the span it was read from."""
        return {
            "item": self.item,
            "label": self.label,
            "quantity": self.quantity,
            "unit": self.unit,
            "span": [self.span.start, self.span.end],
        }


@dataclass
class Reading:
    """What a message says, each part with the span of text it came from."""

    text: str
    intent: Intent
    items: list[ItemReading] = field(default_factory=list)
    start: dt.date | None = None
    end: dt.date | None = None
    deadline: dt.date | None = None
    event: str | None = None
    commune: str | None = None
    missing: list[str] = field(default_factory=list)
    spans: dict[str, list[Span]] = field(default_factory=dict)
    volunteer: bool = False  # offers to carry a group order
    recurrence: str | None = None  # the RRULE of an event said to come back every year

    def to_json(self) -> dict[str, Any]:
        """The JSON object of `mutualise parse`."""

        def day(value: dt.date | None) -> str | None:
            return value.isoformat() if value else None

        return {
            "intent": self.intent.value,
            "items": [i.to_json() for i in self.items],
            "start": day(self.start),
            "end": day(self.end),
            "deadline": day(self.deadline),
            "event": self.event,
            "commune": self.commune,
            "missing": self.missing,
            "volunteer": self.volunteer,
            "recurrence": self.recurrence,
            "spans": {k: [[s.start, s.end] for s in v] for k, v in self.spans.items()},
        }

    def quote(self, key: str) -> list[str]:
        """The written text behind one part of the reading ("dates", "event", ...)."""
        return [span.of(self.text) for span in self.spans.get(key, [])]


# The writer points at what they forward: it is the request.
_POINTS_BELOW = re.compile(
    r"\b(?:ci-dessous|ci dessous|ci-apres|je (?:vous )?transf[eè]re|je transmets"
    r"|pour enregistrement"
    r"|la demande (?:de|du|des)|voir (?:la demande|le message|ci)|memes? dates?|suivante?s? :)"
)


class Reader:
    """Reads messages against one catalogue and one territory; build it once, use it often."""

    @classmethod
    def from_records(cls, catalogue: CatalogueRecord, communes: Iterable[CommuneName]) -> Reader:
        """A reader for a catalogue as loaded from its files."""
        items = (
            ItemName(i.id, i.label, i.plural, i.unit, i.lendable, i.synonyms, i.family)
            for i in catalogue.items
        )
        return cls(items, communes)

    def __init__(self, items: Iterable[ItemName], communes: Iterable[CommuneName]) -> None:
        names = list(communes)
        # Place names are never misspelt items: "Ploemer" is Ploemeur, not a plotter.
        place_words = {w for c in names for w in WORD.findall(fold(c.name))}
        self.vocabulary = Vocabulary(items, place_words)
        self.writers = WriterFinder(
            CommuneIndex(names), {c.insee: c.name for c in names}, self.vocabulary.words
        )
        self._proper = frozenset(
            word.lower() for c in names for word in re.split(r"[\s-]+", c.name) if len(word) > 2
        )

    def read(self, text: str, now: dt.date | dt.datetime) -> Reading:
        """Read one message written at `now` (a date, or a datetime in Europe/Paris)."""
        today = now.date() if isinstance(now, dt.datetime) else now
        document = Document.of(text[:MAX_READ])
        body = separate(document)
        reading = self._read(document, body.text, body.signature, today)
        if body.with_forwarded is not None and (
            not reading.items
            or (reading.start is None and reading.deadline is None)
            or _POINTS_BELOW.search(body.text.folded)
        ):
            # "Voir la demande ci-dessous": the forwarded message is the request.
            forwarded = self._read(document, body.with_forwarded, body.signature, today)
            if forwarded.items or not reading.items:
                forwarded.commune = reading.commune or forwarded.commune
                reading = forwarded
        return reading

    def _read(
        self, document: Document, own: Document, signature: Span | None, today: dt.date
    ) -> Reading:
        folded = own.folded
        dates = find_dates(folded, today)
        hidden = [f.span for f in dates] + not_quantities(folded)
        counted = own.masked(hidden).folded
        # Bounds that no real message reaches keep the reading quick on any input.
        named = self.vocabulary.find(words(counted))[:MAX_ITEMS]
        matches = _named_items(named, counted, self.vocabulary.modifiers)
        found_numbers = numbers(counted)[:MAX_NUMBERS]
        found, used = attach_quantities(matches, found_numbers, counted)
        found += unknown_items(found_numbers, used, named, counted, document.original)
        self._text = counted
        found = [self._measured(i) for i in found]
        found.sort(key=lambda i: i.span.start)
        shape = layout(folded)
        found = _outside_asides(found, counted)
        found = row_counts(found, found_numbers, used, counted)
        found = lone_counts(found, found_numbers, used, counted, shape.clause_at)
        scope = Scope.of(shape, folded, found, self.vocabulary.families)
        reading = Reading(document.original, scope.intent)
        reading.items = [self._item_reading(i) for i in scope.items]
        event = find_event(folded, document.original, self._proper)
        if event is not None:
            # "la course de caisses à savon": what the event is called is not asked for.
            name = event[1]
            reading.items = [i for i in reading.items if not name.start <= i.span.start < name.end]
        coming = [d for d in dates if (d.end or d.start or today) >= today]
        uncounted = all(i.quantity is None for i in scope.items)
        if scope.loose and uncounted and event is not None and coming and not scope.quiet:
            reading.items = []  # no act: an event announced, its equipment named in passing
        if not reading.items and scope.intent is not Intent.CANCEL:
            # Nothing asked, offered or bought: a dated event announced, or nothing at all.
            announced = event is not None and coming and not scope.quiet
            reading.intent = Intent.EVENT if announced else Intent.UNKNOWN
        reading.intent = self._refine(reading.intent, folded, scope.items, dates, scope.buying)
        if event is not None and reading.intent is not Intent.UNKNOWN:
            reading.event, reading.spans["event"] = event[0], [event[1]]
        writer = self.writers.find(folded, document.folded, signature)
        if writer is not None:
            reading.commune, reading.spans["commune"] = writer[0], [writer[1]]
        if shape.has_header and any(d.span.start >= shape.clauses[0].span.end for d in dates):
            # The subject's dates only speak when the body gives none.
            dates = [d for d in dates if d.span.start >= shape.clauses[0].span.end]
        self._place_dates(reading, dates, folded, today)
        _place_recurrence(reading, folded, today)
        if reading.intent is Intent.UNKNOWN:
            reading.items, reading.start, reading.end, reading.deadline = [], None, None, None
            reading.spans.pop("dates", None)
        reading.spans["items"] = [i.span for i in reading.items]
        reading.missing = missing_fields(reading)
        if scope.doubtful and reading.intent not in (Intent.UNKNOWN, Intent.CANCEL):
            reading.missing.insert(0, "intent")
        reading.volunteer = reading.intent is Intent.PURCHASE and bool(VOLUNTEER.search(folded))
        return reading

    def when(
        self, text: str, now: dt.date
    ) -> tuple[dt.date | None, dt.date | None, dt.date | None]:
        """The dates of a short answer ("le 21 juin", "avant septembre"), whatever its
        intent: (start, end, deadline)."""
        own = own_words(text[:MAX_READ])
        dates = find_dates(own.folded, now)
        stretch = next((d for d in dates if d.kind in ("point", "range")), None)
        deadline = next((d.end for d in dates if d.kind == "deadline"), None)
        if stretch is None:
            return None, None, deadline
        return stretch.start, stretch.end, deadline or stretch.end

    def count(self, text: str, now: dt.date) -> int | None:
        """The one number that counts something in a short answer ("50", "une trentaine"),
        dates, times and prices aside; None when there is none, or several."""
        own = own_words(text[:MAX_READ])
        hidden = [f.span for f in find_dates(own.folded, now)] + not_quantities(own.folded)
        found = [n for n in numbers(own.masked(hidden).folded) if not n.article]
        return found[0].value if len(found) == 1 else None

    def _measured(self, found: FoundItem) -> FoundItem:
        """ "une nacelle 14 m": a length, a weight or a volume of an item counted in units
        describes it; it does not count it."""
        item = self.vocabulary.items.get(found.item_id or "")
        if item is None or found.unit not in _MEASURES or item.unit in _MEASURES:
            return found
        if self._counted_before(found):
            return found  # "200 m de guirlandes": a length that counts
        return FoundItem(found.item_id, item.plural, None, None, found.span)

    _text: str = ""

    def _counted_before(self, found: FoundItem) -> bool:
        return self._text[found.span.start : found.span.start + 1].isdigit()

    @staticmethod
    def _item_reading(found: FoundItem) -> ItemReading:
        return ItemReading(found.item_id, found.label, found.quantity, found.unit, found.span)

    def _refine(
        self, intent: Intent, folded: str, found: list[FoundItem], dates: list[DateFinding],
        buying: bool = False,
    ) -> Intent:  # fmt: skip
        """A need with no word of borrowing is a purchase when it can only be one."""
        if intent is not Intent.BORROW or re.search(
            r"emprunt|preter|pret |louer|locat|reserv", folded
        ):
            return intent
        used = any(d.kind == "range" and d.start != d.end for d in dates)
        if buying and not used and not mentions_handover(folded):
            return Intent.PURCHASE
        known = [self.vocabulary.items[i.item_id] for i in found if i.item_id is not None]
        consumables = bool(known) and not any(item.lendable for item in known)
        only_deadline = bool(dates) and all(d.kind == "deadline" for d in dates)
        if any(d.kind == "range" and d.start != d.end for d in dates):
            return intent  # days of use: whatever the item, it is borrowed
        return Intent.PURCHASE if consumables or only_deadline else intent

    def _place_dates(
        self, reading: Reading, dates: list[DateFinding], folded: str, today: dt.date
    ) -> None:
        if not dates:
            return
        # Dates already past say what happened ("hier soir"), not when the need is.
        coming = [d for d in dates if (d.end or d.start or today) >= today] or dates
        used: list[DateFinding] = []
        if reading.intent is Intent.PURCHASE:
            chosen = next((d for d in coming if d.kind == "deadline"), None)
            chosen = chosen or _best([d for d in coming if d.kind in ("point", "range")], folded)
            if chosen is not None:
                reading.deadline = chosen.end
                used.append(chosen)
            reading.spans["dates"] = [d.span for d in used]
            return
        stretches = [d for d in coming if d.kind in ("point", "range")]
        if reading.intent is Intent.LEND:
            # "disponible le mercredi et le week-end": a habit, not a date.
            stretches = [
                d for d in stretches if not _HABIT.fullmatch(folded[d.span.start : d.span.end])
            ]
        stretch = _widest(_best(stretches, folded), stretches, folded)
        anchor = (stretch.start, stretch.end) if stretch and stretch.start and stretch.end else None
        handover = find_handover(folded, anchor, today)
        if handover.pickup is None and handover.back is None:
            handover = find_handover(folded, None, today) if anchor is None else handover
        inside = [
            d for d in coming if not any(h.start <= d.span.start < h.end for h in handover.spans)
        ]
        if handover.spans and stretch is not None and stretch not in inside:
            # The only full date was the pick-up or the return: the event is elsewhere.
            stretch = _best([d for d in inside if d.kind in ("point", "range")], folded) or stretch
        if stretch is not None:
            reading.start, reading.end = stretch.start, stretch.end
            used.append(stretch)
        opening = next((d for d in inside if d.kind == "from"), None)
        closing = next((d for d in inside if d.kind in ("until", "deadline")), None)
        if stretch is None and opening is not None:
            reading.start = opening.start
            used.append(opening)
        if stretch is None and closing is not None:
            reading.end = closing.end
            used.append(closing)
        spans = [d.span for d in used]
        if handover.pickup is not None and (reading.end is None or handover.pickup <= reading.end):
            reading.start = handover.pickup
            reading.end = reading.end or handover.pickup
        if handover.back is not None and (reading.start is None or handover.back >= reading.start):
            reading.end = handover.back
            reading.start = reading.start or handover.back
        reading.spans["dates"] = spans + handover.spans


_HABIT = re.compile(
    r"\s*(?:le|les|tous les|chaque)?\s*(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)s?"
    r"|\s*(?:le|les|tous les|chaque)?\s*week[- ]?ends?\s*"
)


def _widest(
    chosen: DateFinding | None, stretches: list[DateFinding], folded: str
) -> DateFinding | None:
    """ "le samedi 20 mars … du vendredi 19 au lundi 22": the days of use hold the event's."""
    if chosen is None or chosen.start is None or chosen.end is None:
        return chosen
    holding = [
        d for d in stretches
        if d.start is not None and d.end is not None and d.start < d.end
        and d.start <= chosen.start and chosen.end <= d.end and d is not chosen
        and (d.end - d.start).days <= 31
        and _precision(folded[d.span.start : d.span.end])
        >= _precision(folded[chosen.span.start : chosen.span.end])
    ]  # fmt: skip
    return holding[0] if holding else chosen


_MEASURES = frozenset({"mètre", "litre", "kg", "tonne", "m²", "m³"})


_ASIDE = re.compile(r"\([^()\n]{0,160}\)")


def _outside_asides(found: list[FoundItem], text: str) -> list[FoundItem]:
    """ "notre radar (avec mât et batterie)": items named inside brackets describe the one
    before them, when the message names items outside brackets."""
    asides = [m.span() for m in _ASIDE.finditer(text)]
    inside = [any(a < i.span.end <= b for a, b in asides) for i in found]
    if all(inside) or not any(inside):
        return found
    return [i for i, aside in zip(found, inside, strict=True) if not aside]


def _best(stretches: list[DateFinding], folded: str) -> DateFinding | None:
    """The stretch written most precisely ("samedi le 4 mai" over "samedi", "le mercredi
    14" over "dans 15 jours"), the first of equals."""
    if not stretches:
        return None
    return min(stretches, key=lambda d: -_precision(folded[d.span.start : d.span.end]))


_EXPLICIT = re.compile(
    r"\b\d{1,2}\s?(?:er|e|eme)?\s*(?:[/.-]\s?\d{1,2}|(?:janv|jan|fev|mars|avr|mai|juin|juil|aout"
    r"|sep|oct|nov|dec)[a-z]*\b)|\b(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)\s+\d"
    r"|\b20\d{2}-\d"
)
_NAMED_MONTH = re.compile(
    r"\b(?:janv|jan|fev|mars|avr|mai|juin|juil|aout|sep|oct|nov|dec)[a-z]*\b"
    r"|\b(?:premier|deux|trois|quatre|cinq|six|sept|huit|neuf|dix|onze|douze|treize|quatorze"
    r"|quinze|seize|vingt|trente)\b"
)


def _precision(text: str) -> int:
    if _EXPLICIT.search(text):
        return 2
    return 1 if _NAMED_MONTH.search(text) else 0


def _place_recurrence(reading: Reading, folded: str, today: dt.date) -> None:
    """ "le premier samedi de juillet" dates an event; "comme chaque année" makes it recur."""
    if reading.intent not in (Intent.BORROW, Intent.EVENT):
        return
    rule, yearly = find_rule(folded, today), says_yearly(folded)
    if rule is not None:
        reading.start, reading.end = rule.start, rule.end
        reading.spans["dates"] = [rule.span]
    if yearly is None or reading.start is None:
        return
    reading.recurrence = rule.rule if rule is not None else yearly_on(reading.start)
    reading.spans["recurrence"] = [yearly]


def missing_fields(reading: Reading) -> list[str]:
    """What the bot would have to ask before recording this."""
    intent, missing = reading.intent, []
    if intent in (Intent.PURCHASE, Intent.BORROW, Intent.LEND):
        if not reading.items:
            missing.append("items")
        if any(i.item is None for i in reading.items):
            missing.append("item")
        if any(i.quantity is None for i in reading.items):
            missing.append("quantity")
    if intent is Intent.CANCEL and not reading.items:
        missing.append("items")  # what to withdraw, the writer must say
    if intent is Intent.PURCHASE and reading.deadline is None:
        missing.append("deadline")
    if intent in (Intent.BORROW, Intent.EVENT) and reading.start is None:
        missing.append("dates")
    return missing
