"""Which of the dates a message names are the days of use, the availability or the deadline.

The most precise date wins ("samedi le 4 mai" over "samedi"); a stretch of days of use holds
the event's day; pick-up and return days bound a loan; dates already past say what happened,
not when the need is.
"""

from __future__ import annotations

import calendar
import datetime as dt
import itertools
import re
from dataclasses import dataclass, field

from text_to_num import text2num

from handlers.reading.dates import _WD, DateFinding
from handlers.reading.handover import find_handover
from handlers.reading.intents import KEEPING, Intent
from handlers.reading.text import Span

_STRETCHES = ("point", "range")


@dataclass
class Placement:
    """The dates of a reading, and the stretches it chose among."""

    start: dt.date | None = None
    end: dt.date | None = None
    deadline: dt.date | None = None
    spans: list[Span] = field(default_factory=list)
    candidates: list[DateFinding] = field(default_factory=list)
    open_end: bool = False  # "jusqu'à la décrue": an end to ask for


def place(intent: Intent, dates: list[DateFinding], folded: str, today: dt.date) -> Placement:
    """Place the dates found in a folded text for a reading of this intent."""
    if not dates:
        return Placement()
    # Dates already past say what happened ("hier soir"), not when the need is.
    coming = [d for d in dates if (d.end or d.start or today) >= today]
    reply = next((d for d in coming if _answer_by(d, folded)), None)
    if intent is Intent.PURCHASE:
        # "trop froid ce soir, on va acheter 3 parasols chauffants": today is when it is
        # written, not when an order is due, unless said so ("d'ici ce soir")
        coming = [d for d in coming if d.kind == "deadline" or (d.end or d.start) != today]
        # "des guirlandes pour Noël", "des cartables pour la rentrée": what the purchase is
        # for, not when it is due, unless said so ("avant la rentrée")
        coming = [
            d for d in coming if d.kind != "point" or not _SEASON.fullmatch(_written(d, folded))
        ]
        # the day to answer by, unless an order's own deadline is said ("livrées avant le…")
        ordered = any(d.kind == "deadline" and d is not reply for d in coming)
        return _deadline(coming, folded, None if ordered else reply)
    lending = intent in (Intent.BORROW, Intent.LEND)
    if lending:
        # "un isoloir a lâché ce matin … qui peut nous en passer un pour dimanche ?": when it
        # happened, not when it is needed, where another day is said
        happened = [
            d for d in coming if d.start == today and _HAPPENED.search(folded, 0, d.span.start)
        ]
        if happened and len(happened) < len(coming):
            coming = [d for d in coming if d not in happened]
    if (
        lending
        and reply is not None
        and (reply.kind in ("deadline", "until") or _REPLY_ON.search(folded, 0, reply.span.start))
    ):
        # "merci de répondre avant le 2 avril", "réponse souhaitée pour le 7 mai": when to
        # answer, not a day of use
        placement = place(intent, [d for d in dates if d is not reply], folded, today)
        placement.deadline = reply.end
        placement.spans.append(reply.span)
        return placement
    stretches = [d for d in coming if d.kind in _STRETCHES]
    if intent is Intent.LEND:
        # "disponible le mercredi et le week-end": a habit, not a date.
        stretches = [d for d in stretches if not _HABIT.fullmatch(_written(d, folded))]
    stretch = _widest(_best(stretches, folded), stretches, folded)
    if intent in (Intent.BORROW, Intent.LEND):
        stretch = _joined(stretch, stretches, folded)
    stages = [d for d in stretches if explicit(d, folded) and _DIGIT.search(_written(d, folded))]
    if intent is Intent.EVENT and len({(d.start, d.end) for d in stages}) >= _STAGES:
        # "Riantec : 11 – 30 janvier / Port-Louis : 1er – 20 février / …": a touring event's
        # stages, from the first day of the first to the last of the last
        return _stages(stages)
    if intent in (Intent.LEND, Intent.EVENT) and _opens_later(stretch, coming, folded):
        stretch = None
    single = stretch.end if stretch is not None and stretch.start == stretch.end else None
    if intent is Intent.EVENT and stretch is not None and single is not None:
        # "vernissage le vendredi 5 mars … l'exposition sera visible jusqu'au 17 avril"
        closing = next((d for d in coming if d.kind == "until" and d.end and d.end > single), None)
        if closing is not None and closing.span.start > stretch.span.end:
            span = Span(stretch.span.start, closing.span.end)
            stretch = DateFinding("range", stretch.start, closing.end, span)
    anchor = (stretch.start, stretch.end) if stretch and stretch.start and stretch.end else None
    # "le festival revient à Quistinic du 2 au 4 juillet": the event comes back, no
    # equipment does
    moved = _COMES_BACK.sub(lambda m: " " * len(m.group()), folded)
    handover = find_handover(moved, anchor, today)
    inside = [d for d in coming if not any(h.start <= d.span.start < h.end for h in handover.spans)]
    if handover.spans and stretch is not None and stretch not in inside:
        # The only full date was the pick-up or the return: the event is elsewhere.
        stretch = _best([d for d in inside if d.kind in _STRETCHES], folded) or stretch
    pair = _pair(inside, folded)
    if pair is not None and (stretch is None or stretch.start == stretch.end):
        # "à partir de lundi prochain et jusqu'au 30": the opening and the closing hold it.
        stretch = pair
    elif intent is Intent.BORROW and stretch is not None:
        stretch = _until_needed(stretch, inside, folded)
    placement = _stretch(stretch, inside)
    if (
        stretch is not None and placement.start == placement.end
        and _OPEN_END.search(folded, stretch.span.end)
    ):  # fmt: skip
        placement.end = None  # "ce soir, et jusqu'à la décrue": from then, until unknown
        placement.open_end = True
    placement.candidates = [d for d in inside if d.kind in _STRETCHES and d in stretches]
    if handover.pickup is not None and (placement.end is None or handover.pickup <= placement.end):
        placement.start = handover.pickup
        placement.end = placement.end or handover.pickup
    if handover.back is not None and (placement.start is None or handover.back >= placement.start):
        placement.end = handover.back
        placement.start = placement.start or handover.back
    if (
        handover.pickup is not None and handover.back is not None and placement.start is not None
        and not handover.pickup <= placement.start <= handover.back
    ):  # fmt: skip
        # "installé le vendredi 17 septembre et démonté le lundi 20": the loan is theirs,
        # not days said of something else ("ouverte au public le samedi et le dimanche")
        placement.start, placement.end = handover.pickup, handover.back
    placement.spans += handover.spans
    if (
        intent is Intent.BORROW and placement.start is None and placement.end is not None
        and any(d.kind == "deadline" and d.end == placement.end for d in inside)
        and not any(d.kind == "until" and d.end == placement.end for d in inside)
    ):  # fmt: skip
        # "qqn a des plateaux à nous prêter d'ici jeudi ?": needed by then, for how long
        # not said
        placement.deadline, placement.end = placement.end, None
    if intent is Intent.LEND and placement.start is None and placement.end is not None:
        placement.start = today  # "dispo jusqu'au 20": from now on
    if (
        intent is Intent.BORROW and placement.start is None and placement.end is not None
        and any(d.kind == "until" and d.end == placement.end for d in inside)
        and not KEEPING.search(folded)
    ):  # fmt: skip
        # "tu peux me prêter ton perfo jusqu'à vendredi ?": from now (but a loan kept longer,
        # "on peut garder les barrières jusqu'au 20 ?", began before)
        placement.start = today
    if lending and placement.start is not None and placement.end in (None, placement.start):
        placement.end = _lasting(placement.start, folded) or placement.end
    return placement


# "on la prendrait le 6 novembre pour 3 semaines", "en travaux pour 3 mois (à partir du
# mercredi 1er septembre)", "à nous prêter 15 jours à partir du 12": a loan said by how
# long it lasts.
_LASTING = re.compile(
    r"\b(?:pour|pr|pendant|durant|preter|emprunter|garder)\s+(?P<n>\d{1,2}|une?|deux|trois|quatre|cinq|six"
    r"|huit|quinze)\s+(?P<unit>jours|semaines?|mois)\b"
    # not a bound ("pour 15 jours minimum"); "pour une semaine environ" says its end
    r"(?!\s+(?:mini|minimum|au moins|max|maxi|maximum)\b)"
)


def _lasting(start: dt.date, folded: str) -> dt.date | None:
    found = [m for m in _LASTING.finditer(folded)]
    if len(found) != 1:
        return None
    written = found[0].group("n")
    count = (
        int(written) if written.isdigit() else 1 if written == "une" else text2num(written, "fr")
    )
    unit = found[0].group("unit")
    if unit == "mois":
        month = start.month - 1 + count
        year, month = start.year + month // 12, month % 12 + 1
        day = min(start.day, calendar.monthrange(year, month)[1])
        return dt.date(year, month, day) - dt.timedelta(days=1)
    days = count * (7 if unit.startswith("semaine") else 1)
    return start + dt.timedelta(days=days - 1)


_STAGES = 3
# "les week-ends du 25-26 septembre et du 2-3 octobre", "lundi 29, mardi 30 novembre et
# mercredi 1er décembre": stretches listed together are one loan, from the first to the last.
_LISTED = re.compile(
    # "vendredi soir et samedi": the part of the first day said does not part them
    r"(?:\s+(?:soir|matin|midi|apres[\s-]?midi|aprem))?"
    r"\s*(?:,\s*et|,|et|\+|puis)?\s*(?:(?:le|les|du|au|et du|et le)\s+)?"
)
_WEEKDAY = re.compile(rf"(?:ce |le |){_WD}")


def _joined(
    chosen: DateFinding | None, stretches: list[DateFinding], folded: str
) -> DateFinding | None:
    if chosen is None or chosen.start is None:
        return chosen
    listed = sorted((d for d in stretches if d.start is not None), key=lambda d: d.span.start)
    if chosen not in listed:
        return chosen
    index = listed.index(chosen)
    first = last = index
    while first > 0 and _LISTED.fullmatch(
        folded, listed[first - 1].span.end, listed[first].span.start
    ):
        first -= 1
    while last + 1 < len(listed) and _LISTED.fullmatch(
        folded, listed[last].span.end, listed[last + 1].span.start
    ):
        last += 1
    chain = listed[first : last + 1]
    days = sorted((d.start, d.end or d.start) for d in chain if d.start is not None)
    if len(days) < 2 or any(later[0] <= sooner[1] for sooner, later in itertools.pairwise(days)):
        return chosen  # "en février, du lundi 8 au vendredi 26": the month, then its days
    if (days[-1][1] - days[0][0]).days > _LISTED_REACH:
        return chosen
    # "ce samedi et ce dimanche", "mardi, mercredi, jeudi": weekdays written without their
    # date hold only side by side ("la rentrée, le jeudi 2 septembre" says one day twice)
    if not all(explicit(d, folded) or _WEEKDAY.fullmatch(_written(d, folded)) for d in chain):
        return chosen
    if not all(explicit(d, folded) for d in chain) and any(
        (later[0] - sooner[1]).days > 1 for sooner, later in itertools.pairwise(days)
    ):
        return chosen
    start, end = days[0][0], max(day[1] for day in days)
    return DateFinding("range", start, end, Span(chain[0].span.start, chain[-1].span.end))


_LISTED_REACH = 31
_DIGIT = re.compile(r"\d")
# A feast or a season named without a day: "pour Noël", "à la rentrée", "Pâques".
_SEASON = re.compile(
    r"\s*+(?:(?:pour|a|en|de|des)\s++)?(?:(?:la|le)\s++|l'\s*+)?(?:noel|paques|toussaint"
    r"|rentree(?: scolaire)?"
    r"|fetes?(?: de fin d'annee)?|fete de la musique|ete|hiver|printemps|automne|saison)\W*+"
)


def _stages(stretches: list[DateFinding]) -> Placement:
    firsts = [d.start for d in stretches if d.start is not None]
    lasts = [d.end for d in stretches if d.end is not None] + firsts
    if not firsts:
        return Placement()
    return Placement(min(firsts), max(lasts), spans=[d.span for d in stretches])


_SENTENCE_END = re.compile(r"[.!?\n]")
_HABIT_BEFORE = re.compile(r"\b(?:chaque|tous les|toutes les)\s+$")


_COMES_BACK = re.compile(r"\b(?:revient|reviennent|reviendra|reviendront|est de retour)\b")


def _opens_later(stretch: DateFinding | None, coming: list[DateFinding], folded: str) -> bool:
    """ "Nous allons acheter de nouvelles décorations pour Noël. Les anciennes peuvent être
    prêtées à partir du 2 novembre": an offer or an event opens on its day; another
    sentence's day is not its own, nor a day before it ("après la Toussaint, à partir du 2
    novembre"), nor a habit ("chaque samedi matin à partir du 6 mars")."""
    opening = next(
        (
            d
            for d in coming
            if d.kind == "from"
            and not _written(d, folded).startswith("depuis")
            and not _NOW.search(_written(d, folded))
        ),
        None,
    )  # "terminée depuis le 31 août": since, not from; "disponible du 3 janvier au 28
    # février. Réservez dès maintenant": now is when to book, not a day the offer opens
    if stretch is None or opening is None:
        return False
    first, last = sorted((stretch.span, opening.span), key=lambda span: span.start)
    return bool(
        _SENTENCE_END.search(folded, first.end, last.start)
        or (opening.start is not None and stretch.end is not None
            and stretch.start == stretch.end and stretch.end <= opening.start)
        or _HABIT_BEFORE.search(folded, max(0, stretch.span.start - 12), stretch.span.start)
        # "arrive en mars, nous pouvons prêter l'ancienne à partir du 15 mars": a month
        # named, then the day within it the offer opens
        or (opening.start is not None and stretch.start is not None and stretch.end is not None
            and stretch.start < opening.start <= stretch.end
            and not _DIGIT.search(_written(stretch, folded)))
    )  # fmt: skip


# The closing day is the need's, said in the same sentence as it ("le nôtre est en maintenance
# jusqu'à fin avril" is not).
_NEEDED = re.compile(r"\b(?:faudrait|faut|besoin|cherch|recherch|emprunt|souhait|voudr|aimer)")


def _until_needed(stretch: DateFinding, inside: list[DateFinding], folded: str) -> DateFinding:
    """ "les marchés reprennent le 6/07. Il me faudrait 5 rallonges jusqu'au 31/08": a day of
    use runs until the closing day said after it, in the sentence of the need."""
    if stretch.start != stretch.end or stretch.end is None:
        return stretch
    for closing in inside:
        if (
            closing.kind == "until" and closing.span.start > stretch.span.end
            and closing.end is not None and closing.end > stretch.end
        ):  # fmt: skip
            ends = [m.end() for m in _SENTENCE_END.finditer(folded, 0, closing.span.start)]
            if _NEEDED.search(folded, ends[-1] if ends else 0, closing.span.start):
                return DateFinding("range", stretch.start, closing.end, stretch.span)
    return stretch


_LEADS = re.compile(
    r"[\s,]*(?:et\s+)?(?:(?:a la premiere heure|au matin|au soir|matin|soir|des)[\s,]*)*"
    r"(?:(?!et\b)[a-z'-]+\s+){0,6}?"  # "demain et vous les laisser jusqu'au 18"
)
# "jusqu'à la décrue", "tant que l'alerte dure": an end no date can be put on.
_OPEN_END = re.compile(
    r"\b(?:jusqu'(?:a|au|aux)\s+(?:la |le |l'|au |aux )?"
    r"(?:decrue|retour|retablissement|fin de l'alerte|levee|reouverture|nouvel ordre|reparation)"
    r"|tant que)"
)
# "dispo tout de suite et jusqu'au 20 juin": today opens what the closing day ends.
_NOW = re.compile(
    r"(?:des\s+)?maintenant|des\s+a\s+present|immediatement|tout\s+de\s+suite|aujourd'hui"
)


def _pair(inside: list[DateFinding], folded: str) -> DateFinding | None:
    def opens(d: DateFinding) -> bool:
        return d.kind == "from" or (
            d.kind == "point" and _NOW.fullmatch(_written(d, folded).strip()) is not None
        )

    closing = next((d for d in inside if d.kind == "until"), None)

    def leads_to_closing(d: DateFinding) -> bool:
        # "ce soir, et jusqu'à lundi", "demain matin à la première heure, jusqu'à samedi"
        if d.kind != "point" or closing is None or d.span.end > closing.span.start:
            return False
        return _LEADS.fullmatch(folded[d.span.end : closing.span.start]) is not None

    opening = next((d for d in inside if opens(d) or leads_to_closing(d)), None)
    if opening is None or closing is None or opening.start is None or closing.end is None:
        return None
    if opening.start > closing.end:
        return None
    span = Span(
        min(opening.span.start, closing.span.start), max(opening.span.end, closing.span.end)
    )
    return DateFinding("range", opening.start, closing.end, span)


# "réponse avant vendredi", "merci de nous faire part de vos disponibilités avant le 2 avril",
# "peuvent nous répondre jusqu'au 24 septembre": the day to answer by.
_ANSWER_BY = re.compile(
    r"\b(?:repon(?:dre|se|dez)|vous manifester|vos besoins|vos disponibilites"
    r"|vos (?:propositions|retours|reponses|offres)"
    r"|vos quantites|(?:nous|me) (?:faire )?(?:connaitre|part|savoir|signe|dire|confirmer)"
    # "merci de votre retour avant le 23 avril": a reply, not the equipment's return
    r"|(?:de|pour) votre retour"
    # "merci de confirmer d'ici le 15 octobre", "confirmez-nous avant le 3 mai"
    r"|(?:merci|priere) de (?:bien vouloir )?(?:nous )?confirmer|confirmez"
    r"|nous indiquer|revenir vers (?:moi|nous)"
    r"|nous le signaler|vous inscrire|inscriptions?"
    # "RSVP avant le 10", "les communes intéressées peuvent s'ajouter jusqu'au 10 septembre"
    # (not "merci de réserver avant le 20 novembre": writers read it either way)
    r"|rsvp|s'ajouter|se joindre|s'inscrire"
    # "merci aux communes intéressées de se faire connaître avant le quinze avril"
    r"|se (?:faire connaitre|signaler|manifester)|faites-vous connaitre"
    # "on confirme avant le 16 avril", "la confirmation définitive sera donnée au plus tard le
    # 30 avril", "on vous redit … au plus tard le 8 octobre": the writer's own answer
    r"|(?:on|nous|je) (?:vous )?(?:confirme|confirmons|confirmerons|confirmerai|redit|redirons"
    r"|redirai)|confirmation(?: definitive)?)\b[^.;!?\n]{0,40}$"
)


# A breakdown's moment: "a lâché ce matin", "est tombée cette nuit", "ont cassé aujourd'hui".
_HAPPENED = re.compile(
    r"\b(?:(?:a|ont)\s+(?:lache|casse|grille|claque|brule|explose|disjoncte|rendu l'ame)"
    r"|(?:est|sont|s'est|se sont)\s+(?:tombee?s?|cassee?s?|brisee?s?|envolee?s?|effondree?s?"
    r"|mise?s? en (?:panne|defaut)|tombee?s? en panne"
    # "le cirque est reparti ce matin, nos 30 barrières sont dispo jusqu'à fin avril"
    r"|(?:re)?partie?s?|arrivee?s?|terminee?s?|finie?s?))\s+$"
)
# "réponse souhaitée pour le 7 mai", "réponses attendues le 3": the answer's own day.
_REPLY_ON = re.compile(
    r"\brepon(?:se|ses|dre)\s+(?:(?:souhaitee|attendue|appreciee|demandee)s?\s+)?"
    r"(?:(?:pour|le|au plus tard)(?:\s+le)?\s*)?$"
)


def _answer_by(date: DateFinding, folded: str) -> bool:
    before = _ANSWER_BY.search(folded, max(0, date.span.start - 60), date.span.start)
    return before is not None and date.kind in ("deadline", "until", "point")


def _deadline(
    coming: list[DateFinding], folded: str, reply: DateFinding | None = None
) -> Placement:
    chosen = reply or next((d for d in coming if d.kind == "deadline"), None)
    chosen = chosen or _best([d for d in coming if d.kind in _STRETCHES], folded)
    # "si d'autres veulent, on groupe jusqu'au 1er décembre": open until then
    chosen = chosen or next((d for d in coming if d.kind == "until"), None)
    candidates = [d for d in coming if d.kind in ("deadline", *_STRETCHES)]
    if chosen is None:
        return Placement(candidates=candidates)
    return Placement(deadline=chosen.end, spans=[chosen.span], candidates=candidates)


def _stretch(stretch: DateFinding | None, inside: list[DateFinding]) -> Placement:
    """The days of use, or an opening and a closing day ("à partir du 8", "jusqu'au 30")."""
    if stretch is not None:
        return Placement(stretch.start, stretch.end, spans=[stretch.span])
    placement = Placement()
    opening = next((d for d in inside if d.kind == "from"), None)
    closing = next((d for d in inside if d.kind in ("until", "deadline")), None)
    if opening is not None:
        placement.start = opening.start
        placement.spans.append(opening.span)
    if closing is not None:
        placement.end = closing.end
        placement.spans.append(closing.span)
    return placement


# "disponible le mercredi et le week-end", "les samedis": a habit; "libre samedi", "dispo
# mardi" (no article) name the coming day.
_HABIT = re.compile(
    r"\s*+(?:le|les|tous les|chaque)\s*+(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)s?"
    r"|\s*+(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)s"
    r"|\s*+(?:le|les|tous les|chaque)?\s*+week[- ]?ends?\s*"
)


def _written(finding: DateFinding, folded: str) -> str:
    return folded[finding.span.start : finding.span.end]


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
        and _precision(_written(d, folded)) >= _precision(_written(chosen, folded))
    ]  # fmt: skip
    return holding[0] if holding else chosen


def _best(stretches: list[DateFinding], folded: str) -> DateFinding | None:
    """The stretch written most precisely ("samedi le 4 mai" over "samedi", "le mercredi
    14" over "dans 15 jours"); among dates written in full, several days over a single day
    ("après nos régates du 15 août, … disponibles du 16 août au 31 octobre"), then the first."""
    if not stretches:
        return None

    def rank(finding: DateFinding) -> tuple[int, bool]:
        precision = _precision(_written(finding, folded))
        return -precision, precision == 2 and not _several_days(finding)

    return min(stretches, key=rank)


def explicit(finding: DateFinding, folded: str) -> bool:
    """Whether a date names its month or its day's number ("le 12 juin", "12/06", "lundi 3",
    "en octobre", "lundi sept juin"), not only a weekday or a time from now."""
    return _precision(_written(finding, folded)) > 0


def _several_days(finding: DateFinding) -> bool:
    return finding.start is not None and finding.end is not None and finding.start < finding.end


_EXPLICIT = re.compile(
    r"\b\d{1,2}\s?(?:er|e|eme)?\s*(?:[/.-]\s?\d{1,2}|(?:janv|jan|fev|mars|avr|mai|juin|juil|aout"
    r"|sep|oct|nov|dec)[a-z]*\b)|\b(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)\s+\d"
    r"|\b20\d{2}-\d|\b(?:du|le|les|entre le)\s+\d{1,2}(?:er)?\s+(?:au|et|-)\s+(?:le\s+)?\d"
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
