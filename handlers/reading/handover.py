"""Pick-up and return days around a loan: "récup vendredi 19, retour lundi 22", "on vient
les chercher le vendredi et on les rend le lundi". They bound the loan, not the event."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from handlers.reading.dates import (
    _DAY,
    _MONTH,
    _WD,
    _WD_SHORT,
    MONTHS,
    WEEKDAYS,
    _month_stretch,
    day_value,
)
from handlers.reading.text import Span

_REHEARSAL = r"repetitions?|repet|repete|repetons|repeterons|repetera"
_PICKUP = (
    # (not "la médiathèque a pris l'eau… dimanche": what happened)
    r"recup\w*|enlev\w*|retrait|retir\w*|prend\w*|pren(?:ons|ez|ne|nent)|(?<!a )(?<!ont )pris|prise"
    # "salon du livre": a book, not a delivery
    r"|pick[ -]?up|chercher|cherchons|(?<!du )(?<!au )(?<!de )(?<!des )livr\w*"
    r"|montage|monte|montes|montees?|monter|installation|installee?s?|transport(?=[ \t]+le[ \t])"
    # "l'arrivée finale mercredi", "l'arrivée du relais": where a race ends, no delivery
    r"|arrivee(?! finale| de la course| du (?:tour|relais|trail|marathon|rallye))"
    # ("le cirque arrive le 3 mai (départ le 9)": an arrival counts only before a departure)
    r"|arriver|arrivera|arrive|arrivent|depart|emport\w*"
    r"|passe|passons|passerons|passerai|passerait|passerions"
    r"|passera(?! par)|passeront(?! par)"  # (not "le Tour passera par Ploemeur")
    r"|venir|viendr\w*|vien(?:s|t|nent)"
    # brought by the lender: "on vous l'amène lundi soir", "on la dépose samedi"
    r"|amen(?:e|ons|erons|erai|era|eront)|(?:(?<=la )|(?<=les )|(?<=l')|(?<=le ))depos\w*"
    r"|install(?:e|ons|erons|era|eront)|parvenir|parvien\w*|parviendr\w*"
    r"|venons|(?<!a )partir\w*|partira\w*|(?<!a )part|aller|traversee aller"
    # carried across the water or the road: "on l'embarque le vendredi 9", "passage sur le
    # bateau de vendredi", "on les ferait passer sur la barge du mardi 16"
    r"|embarqu\w*|(?:(?<=on )|(?<=nous )|(?<=les )|(?<=la )|(?<=le )|(?<=l'))"
    r"travers(?:e|era|eront|ons|erons)"  # not "le relais traverse le bourg"
    r"|(?:faire|ferait|ferions|ferons|fera) passer"
    r"|passage (?:sur|par|en)"
    # the rehearsal before a show uses what the show does: "répétition la veille"
    rf"|{_REHEARSAL}"
)
_RETURN = (
    # (not "un chantier de reprise de fossés du 1er au 5 mars": works, not a return)
    r"retour\w*|rend\w*|ramen\w*|rapport\w*|restitu\w*|renvo\w*|demontage"
    r"|(?:reprise|repris)(?! (?:de |des |d')(?:fosses?|voirie|chaussees?|enrobes?|peintures?"
    r"|trottoirs?|bordures?|joints?|toitures?|facades?|maconnerie|accotements?|talus|murs?)\b)"
    r"|demont(?:e|ons|erons|era|eront|er)"
    r"|reprendre|revenir|reviendr\w*|revien\w*|repartir\w*|repart"
)
# A calendar's lines: "Pose : samedi 22 mai", "Dépose : lundi 24", "Rangement : samedi 8".
_PICKUP_LABEL = r"(?:pose|mise en place)(?=[ \t]*:)"
_RETURN_LABEL = r"(?:depose|rangement|desinstallation)(?=[ \t]*:)"
# The first letters of the words above: other places are passed over at once.
_STARTS = r"(?=[acdeilmprtv])"
_HANDOVER = re.compile(
    rf"{_STARTS}\b(?:(?P<pickup>{_PICKUP}|{_PICKUP_LABEL})|(?P<back>{_RETURN}|{_RETURN_LABEL}))\b"
    rf"(?:[ \t]+(?!(?:et|puis|ou|{_PICKUP}|{_RETURN})\b)(?:[a-z'-]+|\d{{1,2}}h\d{{0,2}})){{0,8}}?"
    rf"[ \t,:]+(?:(?:(?:le|la|du|des|au|dans la nuit du|des le|a partir du|a partir de)[ \t]+)?"
    rf"(?P<wd>{_WD}|{_WD_SHORT}(?=[ \t]*\d))(?:[ \t]+(?P<day>{_DAY}))?"
    rf"|(?:le|du|au|des le|a partir du)[ \t]+(?P<num>{_DAY})"
    # "rendus demain", "on la ramène demain matin 9h", "je passe la prendre ce soir"
    r"|(?P<rel>apres[- ]demain|demain|ce soir|cette nuit))"
    rf"(?:[ \t]*(?P<month>{_MONTH})|/(?P<mnum>0?[1-9]|1[0-2])\b(?:/\d{{2,4}})?)?"
)
_BY = re.compile(r"\bavant\b")
# Farther than this from the event, a date is not its pick-up or return; a day written with
# its month may be farther ("récupérer le 6 décembre et rendre le 3 janvier").
_REACH = dt.timedelta(days=10)
_REACH_DATED = dt.timedelta(days=45)


@dataclass(frozen=True)
class Handover:
    """The days the equipment leaves and comes back, with where they were written."""

    pickup: dt.date | None
    back: dt.date | None
    spans: list[Span]


# Days said relative to the days of use: "le montage la veille, le démontage le soir même".
_RELATIVE = re.compile(
    rf"{_STARTS}\b(?:(?P<pickup>{_PICKUP})|(?P<back>{_RETURN}))\b"
    rf"(?:[ \t]+[a-z'-]+){{0,5}}?"  # "récupérer le matériel la veille"
    r"[ \t,:]+(?P<when>la veille|l'avant[- ]veille|le lendemain|le surlendemain"
    r"|le (?:soir|matin|jour) meme|le meme jour"
    # "retrait le samedi d'avant", "retour le lundi suivant"
    rf"|le (?P<wd>{_WD}) (?:d'avant|precedent|d'apres|suivant)"
    # the showmen's count of days before the opening: "montage J-2", "installation à J-3"
    r"|(?:a |des |le |a partir de )?j ?- ?(?P<before>[1-9]))\b"
)
_OFFSET = {"la veille": -1, "l'avant-veille": -2, "l'avant veille": -2, "le lendemain": 1,
           "le surlendemain": 2}  # fmt: skip


# A season's loan given back at the end of a month: "on rendra fin octobre", "retour fin
# septembre".
_BACK_AT_MONTH_END = re.compile(
    rf"{_STARTS}\b(?:{_RETURN})\b(?:[ \t]+[a-z'-]+){{0,3}}?[ \t,:]+(?:a la |en )?"
    rf"fin (?:de |d')?(?P<month>{_MONTH})\b"
)


def find_handover(folded: str, anchor: tuple[dt.date, dt.date] | None, today: dt.date) -> Handover:
    """The pick-up and return days written around `anchor` (the days of use), if any."""
    found: list[tuple[re.Match[str], bool, dt.date]] = []
    for match in _HANDOVER.finditer(folded):
        returning = match.group("back") is not None
        if not returning and _BY.search(match.group()):
            continue  # "à récupérer avant le 26 février": the last day to fetch, not the first
        day = _resolve(match, anchor, today, returning)
        if day is not None:
            found.append((match, returning, day))
    for match in _RELATIVE.finditer(folded) if anchor is not None else ():
        assert anchor is not None
        returning = match.group("back") is not None
        if anchor[0] != anchor[1] and re.fullmatch(_REHEARSAL, match.group("pickup") or ""):
            continue  # "du samedi 11 (répétition) au dimanche 12": the days said hold it
        base = anchor[1] if returning else anchor[0]
        if match.group("before"):
            day = base - dt.timedelta(days=int(match.group("before")))
        elif match.group("wd"):
            weekday = WEEKDAYS[match.group("wd")]
            ahead = (weekday - base.weekday()) % 7 or 7
            day = base + dt.timedelta(days=ahead if returning else ahead - 7)
        else:
            day = base + dt.timedelta(days=_OFFSET.get(match.group("when"), 0))
        found.append((match, returning, day))
    for match in _BACK_AT_MONTH_END.finditer(folded):
        month = MONTHS[match.group("month").rstrip(".")]
        # the last day of that month, this year's or, once past, next year's
        after = anchor[1] if anchor else today
        found.append((match, True, _month_stretch(after, month, None, None).end))
    found = _stays(found)
    pickup = back = None
    spans: list[Span] = []
    for match, returning, day in found:  # the first day said of each kind
        if returning and back is None:
            back = day
        elif not returning and pickup is None:
            pickup = day
        else:
            continue
        spans.append(Span(match.start(), match.end()))
    if pickup is not None and back is not None and back < pickup:
        return Handover(None, None, [])
    return Handover(pickup, back, spans)


# Arrivals said alone ("Léa arrive le 1er juillet") are no pick-up: only a stay's, before its
# departure.
_ARRIVALS = ("arrive", "arrivent")


def _stays(
    found: list[tuple[re.Match[str], bool, dt.date]],
) -> list[tuple[re.Match[str], bool, dt.date]]:
    """A stay said by its arrival and its departure ("le cirque arrive le 3 mai (départ le
    9)", "arrivée mardi 22/06, départ dimanche 27/06"): the departure, after an arrival,
    ends it; it is not a pick-up."""
    departs = [m.start() for m, _, _ in found if m.groupdict().get("pickup") == "depart"]
    arrived = None
    stays = []
    for match, returning, day in found:
        if match.groupdict().get("pickup") in _ARRIVALS and not any(
            d > match.start() for d in departs
        ):
            continue  # "Léa arrive le 1er juillet": someone comes; no stay is said
        word = match.groupdict().get("pickup") or ""
        if word.startswith("arriv"):
            arrived = day
        elif word == "depart" and arrived is not None and day > arrived:
            returning = True
        stays.append((match, returning, day))
    return stays


def _resolve(
    match: re.Match[str], anchor: tuple[dt.date, dt.date] | None, today: dt.date, returning: bool
) -> dt.date | None:
    relative = match.group("rel")
    if relative is not None and not returning:
        return None  # "on peut venir chercher ce soir": the writers count from the day of use
    if relative is not None:
        ahead = {"demain": 1, "apres-demain": 2, "apres demain": 2}.get(relative, 0)
        return today + dt.timedelta(days=ahead)
    weekday = WEEKDAYS[match.group("wd").rstrip(".")] if match.group("wd") else None
    written = match.group("day") or match.group("num")
    number = day_value(written) if written else None
    month = (
        MONTHS[match.group("month").rstrip(".")] if match.group("month")
        else int(match.group("mnum")) if match.group("mnum")
        else None
    )  # fmt: skip
    near = anchor[1] if returning and anchor else anchor[0] if anchor else today
    candidates = []
    reach = _REACH_DATED if number is not None and month is not None else _REACH
    for offset in range(-reach.days, reach.days + 1):
        day = near + dt.timedelta(days=offset)
        if day < today:
            continue
        if weekday is not None and day.weekday() != weekday:
            continue
        if number is not None and day.day != number:
            continue
        if month is not None and day.month != month:
            continue
        # A weekday alone: the one before the days of use, or the one after them.
        if anchor and number is None and _wrong_side(day, anchor, returning):
            continue
        candidates.append(day)
    if not candidates:
        return None
    return min(candidates, key=lambda d: abs((d - near).days))


def _wrong_side(day: dt.date, anchor: tuple[dt.date, dt.date], returning: bool) -> bool:
    return day < anchor[1] if returning else day > anchor[0]


def mentions_handover(folded: str) -> bool:
    """Does the text give a pick-up or return day (a loan, not a purchase)?"""
    return any(m.group("pickup") not in _ARRIVALS for m in _HANDOVER.finditer(folded))


def mentions_return(folded: str) -> bool:
    """Does the text give the day the equipment comes back (only a loan comes back)?"""
    return any(m.group("back") for m in _HANDOVER.finditer(folded))
