"""Asking without declaring: "qui peut nous prêter un podium le 21 juin ?" is a question to
the territory, answered with the communes whose offers cover those days, nearest first;
nothing is recorded until the writer says to declare it.

A request addressed to the pool ("pourriez-vous nous prêter 10 tables le 3 juin ?",
"quelqu'un aurait une nacelle le 3 juin ?", "une commune pourrait-elle nous prêter…") is no
such question: it asks for the loan, not who can lend, and is recorded as ever (one loan in
eleven is written so in the annotated sets; the questions about who are one in seventy).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.lendable import Available, available, places_of
from handlers.proposals import verdict
from handlers.reading.bodies import own_words
from handlers.reading.intents import WHO_LENDS, Intent
from handlers.reading.reader import Reading
from storage import views
from storage.views import IN_PLAY

# What may stand before a "qui" that opens a question: nothing, a greeting, a comma ("pour
# le 21 juin, qui peut ..."). Else it is a relative "qui" ("une commune qui peut ...").
_OPENS = re.compile(r"(?:^|[,:;(-]|\b(?:bonjour|bonsoir|salut|coucou|hello|svp|alors|donc|et))\s*$")
# A sentence: up to its end mark; a blank line ends one too (a wrapped line does not).
_SENTENCE = re.compile(r"[^.!?]*?(?:[.!?]+|\n\s*\n|$)", re.DOTALL)
# Asked without a question mark, these are questions all the same ("y a-t-il une commune
# qui a une nacelle").
_INTERROGATIVE = re.compile(r"^(?:y a|connaiss|savez|connaitr|sauriez)")
# The writer says to declare what they asked.
_DECLARE = re.compile(r"\bdeclar")


def is_question(reading: Reading) -> bool:
    """Whether the message asks who can lend the items it names (or whether anyone has
    them), rather than declaring a need: every item is named in such a question, after the
    words that ask it."""
    if reading.intent is not Intent.BORROW or not reading.items:
        return False
    folded = own_words(reading.text).folded
    asks = [_asking(folded, m.start(), m.end()) for m in _SENTENCE.finditer(folded)]
    spans = [(start, end, who) for (start, end, who) in asks if who is not None]
    return all(
        any(who <= item.span.start and item.span.end <= end for _, end, who in spans)
        for item in reading.items
    )


def _asking(folded: str, start: int, end: int) -> tuple[int, int, int | None]:
    """A sentence, and where the words that ask who can lend begin in it (None: it asks
    no such thing)."""
    sentence = folded[start:end]
    questioned = sentence.rstrip().endswith("?")
    for match in WHO_LENDS.finditer(sentence):
        said, opening = match.group(), bool(_OPENS.search(sentence[: match.start()]))
        if said.startswith("qui") and not opening:
            continue  # a relative "qui": "une commune qui peut nous prêter"
        # Without its question mark, only a sentence that opens on the asking is one.
        if questioned or (opening and _INTERROGATIVE.match(said) and " qui " not in said):
            return start, end, start + match.start()
    return start, end, None


def declares(text: str) -> bool | None:
    """A reply to the answer: True to declare the need asked about ("oui", "je le
    déclare"), False to leave it ("non"), None when it says neither."""
    said = verdict(text)
    if said is None and _DECLARE.search(own_words(text[:4000]).folded[:400]):
        return True
    return said


@dataclass(frozen=True)
class Lenders:
    """One item asked about: the offers free on the days asked, nearest first, and how
    many more cover those days but are promised already."""

    label: str
    plural: str
    quantity: int | None
    free: list[Available]
    promised: int


async def lenders(session: AsyncSession, reading: Reading, home: str) -> list[Lenders]:
    """For each item the question names, the other communes of `home`'s territory whose
    offers cover the days asked, with what is still free on them, nearest first."""
    scope = next((s for s in await views.territories(session) if home in s.communes), None)
    if scope is None:
        return [Lenders(i.label, i.label, i.quantity, [], 0) for i in reading.items]
    items = await views.catalogue(session)
    offers = [o for o in await views.offers(session, scope) if o.insee != home]
    # Asked without a day, nothing is promised on it: each offer shows whole, with its dates.
    loans = await views.proposals(session, scope, items, IN_PLAY) if reading.start else []
    places = await places_of(session, scope)
    found = []
    for asked in reading.items:
        item = items.get(asked.item) if asked.item else None
        theirs = [o for o in offers if asked.item is not None and o.item_id == asked.item]
        covering = available(theirs, loans, items, places, home, "", reading.start, reading.end)
        free = [a for a in covering if not a.taken]
        found.append(Lenders(
            item.label if item else asked.label, item.plural if item else asked.label,
            asked.quantity, free, len(covering) - len(free),
        ))  # fmt: skip
    return found


def free_in_all(found: Sequence[Available]) -> int | None:
    """How many are free in all these offers together; None when one is a lot of unknown
    size."""
    if any(a.free is None for a in found):
        return None
    return sum(a.free or 0 for a in found)
