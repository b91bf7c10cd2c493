"""What the reader is unsure of: a reading is recorded without a question only when nothing
in the message argues against it.

Each doubt names the part the channel must ask about ("intent", "items", "quantity",
"dates", "deadline"); the email answer asks and holds the record, the chat card asks before
Confirmer. Asking about everything is no answer either: each rule is a reason, seen in
messages read wrong, that the reading of this message may be one of them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from handlers.reading.clauses import Layout
from handlers.reading.dates import DateFinding
from handlers.reading.intents import POSITIVE, Act, Intent
from handlers.reading.items import ItemMatch
from handlers.reading.numbers import Number
from handlers.reading.quantities import FoundItem, counts_no_item

_STRETCHES = ("point", "range")
_ASIDE = re.compile(r"\([^()\n]{0,160}\)")
_SPEC = re.compile(
    r"\b(?:classe|taille|type|modele|serie|version|norme|categorie|niveau|gamme|format|windows"
    r"|gen|generation|cat|puissance|diametre|hauteur|largeur|longueur|poids|capacite)\s*$"
)


@dataclass(frozen=True)
class Evidence:
    """What the reading rests on, for judging how sure it is."""

    shape: Layout
    acts: list[Act | None]
    text: str  # folded, dates and non-counts masked
    numbers: list[Number]
    used: set[int]
    named: list[ItemMatch]
    items: list[FoundItem]
    dates: list[DateFinding]  # the body's, as placed
    forwarded: bool = False


def doubts(evidence: Evidence, intent: Intent) -> list[str]:
    """The parts of a reading to confirm with the writer, in the order to ask them."""
    if intent in (Intent.UNKNOWN, Intent.CANCEL):
        return []
    found = []
    if _spread(evidence) or evidence.forwarded:
        found.append("items")
    if any(m.corrected for m in evidence.named if _kept(m, evidence.items)):
        found.append("items")
    if _stray_count(evidence):
        found.append("quantity")
    if _competing_dates(evidence, intent) or _hedged_dates(evidence):
        found.append("deadline" if intent is Intent.PURCHASE else "dates")
    return list(dict.fromkeys(found))


def _kept(match: ItemMatch, items: list[FoundItem]) -> bool:
    return any(i.span.start <= match.start < i.span.end for i in items)


def _spread(evidence: Evidence) -> bool:
    """Items taken from a sentence that does not ask for them itself, beside items that are
    asked for: which of them the writer means is a guess."""
    clauses = evidence.shape.clauses
    places = {evidence.shape.clause_at(i.span.end - 1) for i in evidence.items}
    places.discard(None)
    if len({clauses[p].sentence for p in places if p is not None}) < 2:
        return False
    bare = [
        p for p in places
        if p is not None and evidence.acts[p] is None and not clauses[p].listed
        and not clauses[p].joined
    ]  # fmt: skip
    return bool(bare)


def _stray_count(evidence: Evidence) -> bool:
    """A number in a request that counts nothing the reader found: a count may be missed."""
    clauses = evidence.shape.clauses
    counting = evidence.used | {i.span.start for i in evidence.items}
    asides = [m.span() for m in _ASIDE.finditer(evidence.text)]
    for number in evidence.numbers:
        if number.start in counting or number.article or number.value < 2:
            continue
        if any(a < number.start < b for a, b in asides) or _SPEC.search(
            evidence.text, max(0, number.start - 12), number.start
        ):
            continue  # "(taille 6)", "classe 2", "(1 table + 2 bancs)": a description
        if any(m.start <= number.start < m.end for m in evidence.named):
            continue
        if counts_no_item(evidence.text, number):
            continue
        place = evidence.shape.clause_at(number.start)
        if place is None or clauses[place].header:
            continue
        if evidence.acts[place] in POSITIVE or clauses[place].listed:
            return True
    return False


def _competing_dates(evidence: Evidence, intent: Intent) -> bool:
    """Two different days of use, neither inside the other, and nothing to tell which."""
    kinds = ("deadline", *_STRETCHES) if intent is Intent.PURCHASE else _STRETCHES
    spans = {(d.start, d.end) for d in evidence.dates if d.kind in kinds}
    for a in spans:
        for b in spans:
            if a != b and not _holds(a, b) and not _holds(b, a):
                return True
    return False


# "sans doute en mars", "date pas encore fixée, début octobre sûrement": a day guessed.
_HEDGE = re.compile(
    r"\b(?:sans doute|surement|peut-etre|peut etre|probablement|a priori|a confirmer"
    r"|pas encore (?:la |de )?date|date pas encore|date (?:non|pas) (?:encore )?(?:fixee|arretee"
    r"|definie|connue)|vraisemblablement)\b"
)


def _hedged_dates(evidence: Evidence) -> bool:
    """A day of use said with a doubt around it, in its sentence."""
    text = evidence.text
    for date in evidence.dates:
        if date.kind not in _STRETCHES:
            continue
        start = max(text.rfind(".", 0, date.span.start), text.rfind("\n", 0, date.span.start))
        ends = (text.find(".", date.span.end), text.find("\n", date.span.end))
        stop = min([i for i in ends if i >= 0] or [len(text)])
        if _HEDGE.search(text, max(start, date.span.start - 60), stop):
            return True
    return False


def _holds(outer: tuple[object, object], inner: tuple[object, object]) -> bool:
    a, b = outer
    c, d = inner
    if None in (a, b, c, d):
        return False
    return bool(a <= c and d <= b)  # type: ignore[operator]
