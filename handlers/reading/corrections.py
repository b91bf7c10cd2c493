"""Writers who correct themselves as they go, as people do when they dictate: "le samedi dix
non pardon le dimanche onze", "60 cahiers euh non 600 cahiers", "une trentaine de chalets
euh non des barnums", "environ 2 000 plants euh plutôt 2 500". What comes after the
correction replaces what came right before it. Writers who correct an earlier message name
the value taken back: "c'est pour le 24 pas le 23", "ce n'est pas 8 tables mais 18",
"on a dit 5 isoloirs mais c'est 6 en fait"."""

from __future__ import annotations

import re
from dataclasses import replace

from handlers.reading.dates import DateFinding
from handlers.reading.numbers import COUNT_WORD, Number
from handlers.reading.quantities import FoundItem

# The words of a correction, with what may sit around them ("euh", commas, "non pas le
# minibus"). "non" alone corrects only after "euh" or before "pardon"/"plutôt".
_MARKER = re.compile(
    r"[ \t,(]*(?:(?:\.{2,}|…|[.!?])[ \t]*)?(?:euh[ \t,]+)?(?:(?:lol|mdr|haha)[ \t,]+)?"
    r"(?:ah[ \t,]+(?=non\b))?"  # "samedi 9… ah non pardon samedi 16"
    # "500 sacs... non 1000", "son kayak... non, ses 6 paddles": after a pause, "non" and a
    # number or another item correct what came before
    # (or a question put to oneself: "30 packs d'eau ? non, 30 poubelles")
    # ("entre le 2 et le 4 sept ? non, c'est le 4 seulement")
    r"(?:(?:(?<=[.…?])|(?<=[.…?][ \t]))non"
    r"(?=[ \t,]+(?:\d|(?:ses|nos|les|des|du|leurs|plutot|c'est|ce sera)\b))"
    # "samedi 10. Ah non erreur c'est samedi 17", "erratum : le 25"
    r"|(?:ah[ \t,]+)?(?:non[ \t,]+)?"
    r"(?:erreur|erratum|errata|oups|autant pour moi|au temps pour moi|attendez|attends)"
    r"(?:[ \t,:]+c'est)?"
    # dictated: "trois tonnes non pardon quatre tonnes", "cent cinquante chaises non deux cents"
    rf"|(?<=[a-z] )non(?=[ \t,]+(?:pardon[ \t,]+)?{COUNT_WORD}\b)"
    r"|(?:non[ \t,]+)?(?:je plaisante|je rigole|je blague|en fait)"
    # "des luges ? lol non sérieux on cherche un vidéoprojecteur": a joke, then the request
    r"|non[ \t,]+(?:serieux|serieusement|plus serieusement)|blague a part|treve de plaisanterie"
    r"|(?<=euh )non(?:[ \t,]+non)?(?:[ \t,]+(?:pardon|plutot))?|non[ \t,]+(?:pardon|plutot)"
    # "10 poubelles de tri. Correction : 12", "25. Ou 30. Bon mettez 30", "non, disons 500"
    # ("disons 10" after an item named without a count supposes its count)
    r"|correction|rectification|(?:bon[ \t,]+)?(?:mettez|(?P<supposed>mettons|disons))"
    r"|pardon|enfin|plutot|ou plutot|je veux dire|je voulais dire|je rectifie"
    r"|plus exactement|plus precisement"
    # "4 gobelets... euh 400 gobelets", "huit grilles euh huit barrières": a figure said
    # again after "euh"
    rf"|(?<=euh )(?=\d|{COUNT_WORD}\b))\b"
    r"(?:[ \t,]+pas[ \t]+(?:(?:le|la|les|l'|un|une|des|du|de)[ \t]*)?[a-z'-]+(?:[ \t]+[a-z'-]+)?)?"
    r"[ \t,:]*"
)
# One of these is in every correction: a text without any has none, and is not searched.
_MARKER_WORDS = ("non", "pardon", "enfin", "plutot", "je veux dire", "je voulais dire",
                 "erreur", "errat", "oups", "pour moi", "correction", "rectification", "mettez",
                 "mettons", "disons", "attend", "exactement", "precisement", "euh",
                 "je rectifie", "je plaisante", "je rigole", "je blague", "en fait",
                 "blague a part", "treve de plaisanterie")  # fmt: skip
# Between a correction and what replaces it: a few words, no figure.
_NOTHING_SAID = re.compile(r"[^\d.!?\n]{0,30}")
# How close the replacement must follow the correction.
_REACH = 45


# What stands right before a value taken back: "pas le 23", "et non 30", "au lieu de 12",
# "ce n'est pas 8 tables", "initialement prévu le 11".
_TAKEN_BACK = re.compile(
    r"(?:(?P<pas>\bpas)|\bet non|\bnon pas|\bau lieu|\bplutot que"
    # "le concert initialement prévu le samedi 11 a été reporté au samedi 18"
    r"|\binitialement (?:prevue?s?|fixee?s?|programmee?s?))"
    r"(?:[ \t]+(?:de|du|d'|le|la|les|l'|pour|au|des))*[ \t]*$"
)
# A verb's negation takes nothing back: "qui ne serviront pas en octobre", "on ne l'utilise
# pas jusqu'au 10"; "ce n'est pas 8 tables" does.
_VERB_NEGATED = re.compile(r"\b(?:ne|n')[ \t]*(?!est\b)[a-z']+(?:[ \t]+[a-z']+)?[ \t]+$")
# A count said before, taken back only where another follows it: "j'ai indiqué 12 tables ;
# il en faut en réalité 24", "on a dit 5 isoloirs mais c'est 6" (not "j'ai noté 8 tables").
_SAID_BEFORE = re.compile(
    r"\b(?:j'ai|j'avais|on a|on avait|nous avons|nous avions|vous avez|vous aviez)[ \t]+"
    r"(?:dit|indique|mis|ecrit|note|demande|enregistre|annonce|marque)"
    r"(?:[ \t]+(?:de|du|le|la|les|l'|des))*[ \t]*$"
)
# A value taken back comes with the one that replaces it, after "mais", a comma or "en fait".
_REPLACED_BY = re.compile(r"[^.!?\n]{0,40}?(?:\bmais\b|[,;:]|\ben (?:fait|realite)\b)")


def _taken_back(folded: str, start: int) -> bool:
    """Whether the value that starts here is one the writer takes back."""
    said = _TAKEN_BACK.search(folded, max(0, start - 40), start)
    if said is None:
        return False
    return not said.group("pas") or not _VERB_NEGATED.search(
        folded, max(0, said.start() - 40), said.start()
    )


def _marker_after(folded: str, end: int, words: int = 0) -> re.Match[str] | None:
    """The correction right after a finding, or after up to `words` more words of it
    ("2 000 plants annuels euh plutôt 2 500")."""
    for _ in range(words + 1):
        marker = _MARKER.match(folded, end)
        if marker is not None and marker.end() > end:
            return marker
        word = _WORD.match(folded, end)
        if word is None:
            return None
        end = word.end()
    return None


# a word, or a measure glued to its number ("100l"), not a bare number (another count)
# (blanks taken from where their run begins only: tried from each place of a long run of
# blanks, it would look through the rest from each one)
_WORD = re.compile(
    r"(?<![ \t])[ \t]+(?!euh\b|non\b|pardon\b|enfin\b|plutot\b)(?:[a-z'-]+|\d+[a-z]+)"
)


def _may_correct(folded: str) -> bool:
    """Whether the text holds a word of correction at all (without one, none is searched)."""
    return any(word in folded for word in _MARKER_WORDS)


def corrected_at(folded: str, end: int) -> int:
    """Where what replaces the words ending at `end` begins, when a correction follows them
    ("la fête des Terre-Neuvas ? non pardon la fête de la mer"); 0 when none does."""
    marker = _marker_after(folded, end) if _may_correct(folded) else None
    return marker.end() if marker is not None else 0


def _day(date: DateFinding) -> int | None:
    """The day of the month of a date that is one day, not a stretch."""
    return date.start.day if date.start is not None and date.start == date.end else None


def corrected_dates(dates: list[DateFinding], folded: str) -> list[DateFinding]:
    """Dates without those taken back: "le samedi vingt-deux mai euh non le samedi quinze",
    "c'est pour le 24 pas le 23"."""
    dropped = {i for i, d in enumerate(dates) if _taken_back(folded, d.span.start)}
    if len(dropped) == len(dates):
        dropped = set()  # "pas le 23": with nothing said instead, no date is taken back
    # The day taken back was said before in full: "Objet : prêt tables 11/09 … ce sera le 12
    # et non le 11", "le samedi 18 septembre … erratum, le samedi 25 et pas le 18"
    dropped |= {
        i for i, d in enumerate(dates) for j in dropped
        if i < j and _day(d) is not None and _day(d) == _day(dates[j])
    }  # fmt: skip
    if not _may_correct(folded):
        return [d for i, d in enumerate(dates) if i not in dropped]
    for index, date in enumerate(dates):
        # ("samedi 9 pour le loto... ah non pardon samedi 16": a few words may follow it)
        marker = _marker_after(folded, date.span.end, words=3)
        if marker is None:
            continue
        if any(
            marker.end() <= other.span.start <= marker.end() + _REACH
            # the date said instead comes first after the correction, not after a count
            # corrected in its place ("pour le 11/11... enfin 40 pile. Retrait le 10")
            and _NOTHING_SAID.fullmatch(folded, marker.end(), other.span.start)
            for other in dates[index + 1 :]
        ):
            dropped.add(index)
    return [d for i, d in enumerate(dates) if i not in dropped]


def corrected_items(items: list[FoundItem], numbers: list[Number], folded: str) -> list[FoundItem]:
    """Items without those taken back, and counts replaced by the count said after."""
    ordered = _recounted(sorted(items, key=lambda i: i.span.start), numbers, folded)
    if not _may_correct(folded):
        return ordered
    dropped: set[int] = set()
    recounted: dict[int, int] = {}
    for index, item in enumerate(ordered):
        marker = _marker_after(folded, item.span.end, words=2)
        if marker is None or any(
            item.span.end <= other.span.start < marker.start() for other in ordered
        ):
            continue  # "40 tables 80 bancs non pardon 60 bancs": the bancs are corrected
        after = [
            i for i in range(index + 1, len(ordered))
            if marker.end() <= ordered[i].span.start <= marker.end() + _REACH
        ]  # fmt: skip
        number = next((n for n in numbers if n.start == marker.end()), None)
        named_again = {ordered[i].item_id or ordered[i].label for i in after}
        if (
            # ("des guirlandes lumineuses, disons 10, et 2 enrouleurs": a count said after
            # an uncounted item is its count)
            number is not None
            and (item.quantity is not None or marker.group("supposed") is not None)
            and not any(ordered[i].span.start == number.start for i in after)
            and (item.item_id or item.label) not in named_again
        ):  # fmt: skip
            recounted[index] = number.value  # "cinquante chaises, non pardon soixante, et…"
            continue
        if after:
            # "quatre bancs et dix tables euh non dix bancs et quatre tables": every item
            # named again after the correction, and the one right before it, are replaced.
            dropped.add(index)
            for earlier in range(index - 1, -1, -1):
                if ordered[earlier].span.end < item.span.start - 60:
                    break
                if (ordered[earlier].item_id or ordered[earlier].label) in named_again:
                    dropped.add(earlier)
    kept = [
        replace(item, quantity=recounted[i]) if i in recounted else item
        for i, item in enumerate(ordered)
        if i not in dropped
    ]
    return _lone_recounts(kept, numbers, folded)


def _lone_recounts(items: list[FoundItem], numbers: list[Number], folded: str) -> list[FoundItem]:
    """A count said apart from its item, corrected by a bare count: "des gobelets, on en
    prendrait deux mille euh non trois mille"."""
    for number in numbers:
        if any(i.span.start <= number.start < i.span.end for i in items):
            continue
        marker = _MARKER.match(folded, number.end)
        if marker is None or marker.end() == number.end:
            continue
        instead = next((n for n in numbers if n.start == marker.end()), None)
        if instead is None or any(i.span.start <= instead.start < i.span.end for i in items):
            continue
        owners = [k for k, i in enumerate(items) if i.quantity == number.value]
        if len(owners) == 1:
            items[owners[0]] = replace(items[owners[0]], quantity=instead.value)
    return items


def _recounted(items: list[FoundItem], numbers: list[Number], folded: str) -> list[FoundItem]:
    """Counts taken back: dropped where the item is counted again ("ce n'est pas 8 tables
    mais 18 tables"), replaced by the number said after them ("pas 2 vidéoprojecteurs, un
    seul suffit", "on a dit 5 isoloirs mais c'est 6")."""
    # "Pardon, 6 tentes, pas 8 !": a bare count taken back names the item counted so before
    gone = {
        n.value for n in numbers
        if not any(i.span.start <= n.start < i.span.end for i in items)
        and _taken_back(folded, n.start)
    }  # fmt: skip
    kept = []
    for item in items:
        if item.quantity in gone and any(
            other is not item and (other.item_id or other.label) == (item.item_id or item.label)
            and other.quantity is not None and other.quantity != item.quantity
            for other in items
        ):  # fmt: skip
            continue
        said = item.quantity is not None and _SAID_BEFORE.search(
            folded, max(0, item.span.start - 40), item.span.start
        )
        if item.quantity is None or not (said or _taken_back(folded, item.span.start)):
            kept.append(item)
            continue
        key = item.item_id or item.label
        if any(
            other is not item and (other.item_id or other.label) == key
            and other.quantity is not None
            and not _taken_back(folded, other.span.start)
            for other in items
        ):  # fmt: skip
            continue
        bridge = _REPLACED_BY.match(folded, item.span.end)
        later = bridge and next(
            (n for n in numbers if bridge.end() <= n.start <= bridge.end() + 25
             and not any(o.span.start <= n.start < o.span.end for o in items)),
            None,
        )  # fmt: skip
        kept.append(replace(item, quantity=later.value) if later else item)
    return kept
