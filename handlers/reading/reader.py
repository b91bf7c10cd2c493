"""The reading of one message: what it asks, for which items, how many, when, for whom."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from handlers.communes import CommuneIndex, CommuneName
from handlers.reading.bodies import _QUOTED_LINE, own_words, separate
from handlers.reading.clauses import Layout, layout
from handlers.reading.corrections import corrected_at, corrected_dates, corrected_items
from handlers.reading.dates import WEEKDAYS, DateFinding, find_dates
from handlers.reading.doubts import Evidence, doubts
from handlers.reading.events import event_before_date, find_event, remembrance_day
from handlers.reading.handover import mentions_handover, mentions_return
from handlers.reading.intents import (
    KEEPING,
    POSITIVE,
    VOLUNTEER,
    WHO_LENDS,
    Intent,
    asks_if_free,
)
from handlers.reading.items import ItemMatch, ItemName, Vocabulary
from handlers.reading.learned import Guess, IntentModel, bundled_model
from handlers.reading.mentions import (
    MentionModel,
    Recorded,
    bundled_mentions,
    mentions,
    signals,
    weigh,
)
from handlers.reading.numbers import PHONE, Number, not_quantities, numbers
from handlers.reading.objects import is_no_thing, object_of
from handlers.reading.placement import Placement, explicit, place
from handlers.reading.quantities import (
    BULK,
    PART_OF,
    FoundItem,
    as_many_counts,
    attach_quantities,
    bounded_counts,
    bulk_counts,
    declined,
    each_counts,
    form_counts,
    lone_counts,
    own_count,
    part_counts,
    per_container_counts,
    per_site_counts,
    per_unit_counts,
    reckoned_counts,
    restated,
    row_counts,
    specifications,
    table_counts,
    unknown_items,
)
from handlers.reading.scope import Scope, _named_items, complemented_noun, outside_asides
from handlers.reading.text import WORD, Document, Span, blanked, words
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
    # The parts the reader is unsure of (also in `missing`): confirmed before recording.
    doubts: list[str] = field(default_factory=list)

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
            "doubts": self.doubts,
            "spans": {k: [[s.start, s.end] for s in v] for k, v in self.spans.items()},
        }

    def quote(self, key: str) -> list[str]:
        """The written text behind one part of the reading ("dates", "event", ...)."""
        return [span.of(self.text) for span in self.spans.get(key, [])]


# The writer points at what they forward: it is the request.
# The words that pass a message on: "demande ci-dessous", "je transmets".
_PASSING = r"ci-dessous|ci dessous|je (?:vous )?transf[eè]re|je transmets|pour enregistrement"
_POINTS_BELOW = re.compile(
    rf"\b(?:{_PASSING}|ci-apres"
    r"|la demande (?:de|du|des)|voir (?:la demande|le message|ci|(?:en )?dessous)|memes? dates?"
    r"|suivante?s? :)"
)


# What says the message below is passed on, above a quoted one (not "la demande de…", which
# a writer also says of their own request).
_PASSED_ON = re.compile(
    rf"\b(?:{_PASSING}|voir (?:en )?dessous|je (?:vous )?fais suivre|pour suite a donner)\b"
)


# A form's "Motif : forum des associations": what the request is for.
_MOTIVE = re.compile(r"^[ \t]*motif[ \t]*:[ \t]*([^\n]+)", re.MULTILINE)
# A gastronorm container's size: "bacs GN 1/1 et 1/2".
_GASTRONORM = re.compile(r"\bgn ?[12]/[1-9]\b(?:(?: ?, ?| et | ou )[12]/[1-9]\b)*")
# "suite à votre mail du 01/12": the day of a letter already sent, never a day of use.
_REFERS_TO = re.compile(
    r"\b(?:votre|vos|ton|notre|nos|son|leur|mon|ma|le|la|du|au|a la|cette)\s+(?:dernier\s+)?"
    r"(?:mail|e-mail|email|courriel|message|courrier|circulaire|lettre|envoi|note|relance|sms"
    r"|appel|appel telephonique|echange|echange telephonique|entretien|entretien telephonique"
    r"|conversation|conversation telephonique|rencontre|visite)s?\s+(?:en date\s+)?(?:du|d')\s*$"
    # "après notre fête de la musique, 300 gobelets à prêter": what is over
    r"|\bapres\s+(?:notre|nos|leur|leurs)\s*$"
    # "suite RDV du 19/10, confirmation de nos besoins"
    r"|\bsuite\s+(?:a\s+|au\s+|a la\s+|de\s+)?(?:notre\s+|votre\s+|la\s+|le\s+)?"
    r"(?:rdv|rendez-vous|reunion|point|commission|seance)\s+(?:du|d')\s*$"
)


# "délibération du 14 janvier", "délib du 11/05", "arrêté n° 2027-12 du 3 mars": the day a
# decision was taken.
_BODIES = r"(?:conseil|bureau|commission|deliberation|delib)(?: [a-z']+){0,2}?"
_PARTICIPLES = (
    r"(?:votee?s?|validee?s?|approuvee?s?|actee?s?|deliberee?s?|prise?s?|adoptee?s?|achetee?s?"
    r"|acquise?s?|recue?s?|commandee?s?)"
)
_DECIDED_ON = re.compile(
    r"\b(?:deliberations?|delib|arretes?|decisions?)\b[^.;!?\n]{0,60}?"
    r"\b(?:du|en date du|le)\s*$"
    # "suite à la réunion du 7 juin", "lors de la conférence des maires du 18 janvier":
    # the day of a meeting already held
    r"|\b(?:suite a|lors de|convenu (?:lors de|en|a)|a l'issue de|apres|issue?s? de)\s+"
    r"(?:(?:la|le|l'|notre|nos|votre|cette)\s*)?(?:derniere?\s+)?(?:reunion|conference des maires"
    r"|commission|groupe de travail|seance|conseil|comite|bureau communautaire|rencontre)"
    r"(?: [a-z'-]+){0,4} du\s*$"
    # "on a voté lundi dernier", "délib prise hier", "budget voté au conseil du 4 février",
    # "suite au conseil de lundi"
    r"|(?<![a-z'-])(?:(?:a|ont|avons|avez|ai|avait|avaient|deja|budget|delib|deliberation"
    r"|decision|achat|commande|projet) "
    + _PARTICIPLES
    + r"(?: (?:en|au|par le|lors du) "
    + _BODIES
    + r")?|suite (?:au|a la|a l') ?"
    + _BODIES
    + r") (?:(?:de|du|d'|le|la|ce|en) ?)?$"
    # "suite au repas des aînés de dimanche": what a message follows has happened
    r"|\bsuite (?:au|aux|a la|a l') ?(?:[a-z'-]+ ){0,5}?(?:de|du|d') ?$"
    # "sous réserve du vote du budget (conseil du 11 février)", "le conseil vote le 25 mars",
    # "dépendra du vote du conseil municipal du 18 mars", "doit encore valider la dépense le
    # 21 octobre": the day a decision is to be taken, not one of use nor a deadline
    r"|(?<!avant )(?<!avant le )\b(?:vote|votera|voteront|votent|valider|validera|decidera"
    r"|arbitrera|statuera|se prononcera)\b[^.;!?\n()]{0,50}?\b(?:du|le|lors du|fin|debut|mi)\s*$"
    r"|\((?:le )?(?:conseil|bureau|commission)(?: municipal| communautaire)? (?:du|de|le)\s*$"
    # "sous réserve du vote du budget primitif fin mars", "on a eu le vote du conseil lundi"
    r"|\bvote (?:du|de la) (?:budget|decision modificative|dm)(?: [a-z]+)? $"
    r"|\b(?:eu|obtenu) (?:le|la|l') ?(?:vote|validation|accord|feu vert) (?:du|de la|en) "
    r"(?:conseil|bureau|commission)(?: municipal| communautaire)? $"
)
_ARTICLE = re.compile(r"le\s+")
# "Conseil de jeudi OK", "le conseil de lundi a voté": the council's day, approving.
_COUNCIL = re.compile(r"(?<![a-z'-])(?<!salle du )" + _BODIES + r" (?:de|du|d') ?$")
_APPROVED = re.compile(r" ?(?:ok\b|a (?:vote|valide|approuve|dit oui|acte|tranche))")


# "prévue le samedi 16 octobre … est reportée au samedi 6 novembre": the day it moves to.
_MOVED_TO = re.compile(
    r"\b(?:report|decal|repouss|deplac|avanc)(?:e|ee|es|ees|ons|erons)\s+(?:[a-z'-]+\s+){0,3}?"
    r"(?:au|a|a la|en|le)?\s*$"
)


def _postponed(dates: list[DateFinding], folded: str) -> list[DateFinding]:
    """The days said before the one an event is moved to are its old days."""
    moved = next(
        (
            d
            for d in dates
            if explicit(d, folded)
            and _MOVED_TO.search(folded, max(0, d.span.start - 40), d.span.start)
        ),
        None,
    )
    if moved is None:
        return dates
    return [d for d in dates if d.span.start >= moved.span.start]


# "Le 8 mai est passé, nos mâts sont libres", "suite au 11 novembre", "après le 14 juillet":
# a day of the year just gone by, which the calendar would put next year.
_AFTER_IT = re.compile(
    r"\b(?:apres|suite(?: (?:a|au|aux))?|depuis"
    # "notre piste de danse (qui a servi le 13 juillet)": a day gone by
    r"|(?:a|ont|avons|avait|avaient)\s+(?:servi|eu lieu|ete\s+(?:utilisee?s?|pretee?s?|montee?s?)))"
    r"\s+(?:le\s+|la\s+|l')?$"
)
# "un groupe électrogène (révisé en janvier)": a month of upkeep, gone by
_DONE_IN = re.compile(
    r"\b(?:revise|achete|acquis|livre|installe|repare|remplace|renouvele|recu|vidange|controle)"
    r"e?s?\s+$"
)
# ("11 novembre passé ✔️", "Toussaint terminée, on a 20 barrières")
_IS_OVER = re.compile(r"\s*(?:(?:est|sont|etant)\s+)?(?:passee?s?|terminee?s?|finie?s?)\b")
_A_YEAR_AHEAD = 300  # days


def _loan_asked(seen: _Seen) -> bool:
    """A loan asked in so many words: "qui a des écocups à prêter ?", "dispo la tireuse le
    14 ?" (of a clause that names the item), "… peuvent rester jusqu'au 3 janvier ?" (a loan
    kept longer)."""
    if any(_TO_LEND.match(seen.folded, m.end()) for m in WHO_LENDS.finditer(seen.folded)):
        return True
    for clause in seen.shape.clauses:
        text = clause.text(seen.folded)
        if "?" in text and KEEPING.search(text):
            return True
        if asks_if_free(text) and any(
            clause.span.start <= i.span.start < clause.span.end for i in seen.found
        ):
            return True
    return False


def _gone_by(folded: str, date: DateFinding, today: dt.date) -> bool:
    day = date.start or date.end
    if (
        day is not None and folded.startswith("en ", date.span.start)
        and _DONE_IN.search(folded, max(0, date.span.start - 20), date.span.start)
    ):  # fmt: skip
        return True  # "un groupe électrogène (révisé en janvier)": when it was done
    if day is None or (day - today).days < _A_YEAR_AHEAD:
        return False
    before = folded[max(0, date.span.start - 20) : date.span.start]
    if folded.startswith("depuis", date.span.start):
        return True  # "pas rentrée depuis le 20/09": since a day gone by
    return bool(_AFTER_IT.search(before) or _IS_OVER.match(folded, date.span.end))


# "la médiathèque a pris l'eau lors de la tempête de dimanche": what happened on a weekday
# said with "de", in a sentence told in the past, is the one gone by.
# (or the day closes the clause told: "la salle a été inondée dimanche")
_TOLD_PAST = re.compile(
    r"\b(?:a|ont|avons|avez|ai)\s+(?:[a-z']+\s+)?(?:pris|eu|subi|connu|ete|cause|inonde"
    r"|endommage|casse|abime|detruit|arrache|touche|frappe|traverse|vecu|celebre)\b"
    r"[^.;!?\n]{0,60}"
    r"(?:\bde|(?<!\bpour)(?<!\bavant)(?<!\bici)(?<!\bjusqu'a)(?<!\ble)(?<!\bce)(?<!\ba)(?<!\bau)"
    r"(?<!\bdes)(?<!\bdu)(?<!\bapres)(?<=[a-z]))\s+$"
)


def _past_weekday(folded: str, date: DateFinding) -> bool:
    """A weekday alone, named as the day of something that happened."""
    said = folded[date.span.start : date.span.end]
    if any(c.isdigit() for c in said) or said.strip() not in WEEKDAYS:
        return False
    return _TOLD_PAST.search(folded, max(0, date.span.start - 100), date.span.start) is not None


def _decided(folded: str, date: DateFinding) -> bool:
    """The day a decision was taken, never a day of use nor a deadline (that a decision is
    to be taken by: "les délibérations doivent être prises avant le 30")."""
    start = date.span.start
    if date.kind == "deadline":
        return False
    article = _ARTICLE.match(folded, start)  # "le 3 mars" is found with its article
    if article is not None:
        start = article.end()
    if _JUST_NOW.fullmatch(folded, start, date.span.end) and _SETTLED.search(
        folded, max(0, start - 50), start
    ):
        return True  # "validé par le maire ce matin": done, not a day to come
    return _DECIDED_ON.search(folded, max(0, start - 80), start) is not None or (
        _COUNCIL.search(folded, max(0, start - 30), start) is not None
        and _APPROVED.match(folded, date.span.end) is not None
    )


_JUST_NOW = re.compile(r"\s*(?:ce matin|ce midi|hier(?: soir| matin)?|avant-hier|ce jour)\s*")
_SETTLED = re.compile(
    r"\b(?:valide|validee?s?|decidee?s?|votee?s?|actee?s?|signee?s?|arbitree?s?|tranchee?s?"
    r"|confirmee?s?|recue?s?|passee?s?|envoyee?s?)\b[^.;!?\n]{0,40}$"
)


# A place's season: "la buvette ouvre le samedi 5 juin et ferme le dimanche 5 septembre".
_OPENS = re.compile(r"\b(?:ouvre|ouvrent|ouvrira|ouvriront|ouverture|debut de (?:la )?saison)\b")
_CLOSES = re.compile(
    r"\b(?:ferme|ferment|fermera|fermeront|fermee?s?|fermeture|fin de (?:la )?saison)\b"
)


def _season(dates: list[DateFinding], folded: str) -> list[DateFinding]:
    """A place's opening and closing days are the stretch of its season, and so are a first
    day and the closing it lasts until ("du 1er mai jusqu'à la fermeture le 31 octobre"); a
    closing day alone, beside other dates, is no day of use ("la base ferme le 19
    septembre ; kayaks disponibles d'octobre à mars")."""

    def said(pattern: re.Pattern[str], date: DateFinding) -> bool:
        return pattern.search(folded, max(0, date.span.start - 40), date.span.start) is not None

    # days, not stretches: "fermée du 23 août au 5 septembre" is the closure's stretch
    opening = next((d for d in dates if d.kind == "point" and said(_OPENS, d)), None)
    closing = next(
        (d for d in dates if (d.kind == "point" or folded.startswith("fin", d.span.start))
         and said(_CLOSES, d)),
        None,
    )  # fmt: skip
    if closing is None:
        return dates
    first = opening
    if first is None:
        before = [d for d in dates if d.span.end <= closing.span.start and d.start]
        lasts = before and "jusqu" in folded[before[-1].span.end : closing.span.start]
        first = before[-1] if lasts and before[-1].kind in ("from", "point") else None
    if first is not None and first.start and closing.end and first.start <= closing.end:
        season = DateFinding(
            "range", first.start, closing.end, Span(first.span.start, closing.span.end)
        )
        rest = [d for d in dates if d is not first and d is not closing]
        return sorted([*rest, season], key=lambda d: d.span.start)
    if opening is None and len(dates) > 1:
        return [d for d in dates if d is not closing]
    return dates


_SAVE = re.compile(
    r"\b(?:sauf|excepte|hormis|hors|en dehors|a l'exception)\s+(?:(?:le|les|du|des|de|en)\s+|d')?"
    # "(hors week-end du 15 mai)", "sauf la semaine du 14"
    r"(?:(?:week[\s-]?ends?|we|semaine)\s+)?(?:le|la|les|l'|du|autour du|pendant|entre)?\s*$"
    # "… une table 12 voies. Pas le 15 août": a sentence of its own leaving a day out
    r"|(?:^|[.;!?]\s*)pas\s+(?:(?:le|la|les|l')\s*)?$"
    # "nos chalets ne sont utilisés que le premier week-end de décembre": the owner's days
    r"|\b(?:ne|n')\s*(?:sont|est|sera|seront|servent|sert)\s+(?:utilisee?s?\s+)?que\s+"
    r"(?:le|la|les|l'|du|pendant)?\s*$"
    # "dispo cet hiver sauf pendant le marché de Noël (4-5 déc)": an event's days in brackets
    r"|\b(?:sauf|excepte|hormis|hors|en dehors)\s+(?:pendant|durant|lors)\s+(?:du|de\s+la|des"
    r"|de\s+l'|le|la|les|l')\s*[^.;!?\n()]{3,40}\(\s*$"
)


# A body that sends back to the subject line: "Voir objet.", "cf. objet", "tout est dans l'objet".
_SEE_SUBJECT = re.compile(
    r"\b(?:voir|cf\.?|confer|cf)\s+(?:l'|en\s+)?objet\b|\b(?:tout est |c'est )?dans l'objet\b"
    r"|\bvoir ci-dessus\b|\bcf\.?\s+ci-dessus\b"
)
# The commune's own equipment at its event: "on installe 2 barnums à côté", "on sortira la
# nacelle", "4 paravents seront installés par nos services", "nous exposerons nos 2
# utilitaires": set up, not asked for.
_OWN_USE = re.compile(
    r"\b(?:on|nous)\s+(?:y\s+)?(?:installe|installera|installerons|installons|sortira|sortirons"
    r"|mettra|mettrons|exposera|exposerons|aura|aurons|prevoit|prevoyons|utilisera|utiliserons)\b"
    r"|\bseront\s+(?:installee?s|mise?s? en place|sur place|exposee?s)\b"
)
# "à ajouter au calendrier, merci": an announcement, whatever thanks close it.
_FOR_THE_CALENDAR = re.compile(
    r"\b(?:ajouter|inscrire|indiquer|mettre|noter|faire figurer|reporter|integrer|porter)"
    r"(?:\s+[a-z']+){0,3}\s+(?:au|dans le|sur le|a votre|dans votre|sur votre) calendrier"
    r"|\bpour (?:le|votre) calendrier\b"
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

    def __init__(
        self,
        items: Iterable[ItemName],
        communes: Iterable[CommuneName],
        intents: IntentModel | None = None,
        mentions: MentionModel | None = None,
    ) -> None:
        names = list(communes)
        # A second opinion on what a message is for, learned from the annotated sets.
        self.intents = intents if intents is not None else bundled_model()
        # And one on which of its names and numbers it is about (loaded when first read
        # with: the trainer of that model builds a reader for its vocabulary alone).
        self._mentions = mentions
        # Place names are never misspelt items: "Ploemer" is Ploemeur, not a plotter.
        place_words = {w for c in names for w in WORD.findall(fold(c.name))}
        self.vocabulary = Vocabulary(items, place_words)
        self._place_words = frozenset(place_words)
        self._plurals = {i.id: i.plural for i in self.vocabulary.items.values()}
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
        # The model reads the whole message once, whichever part the rules read.
        guess = self.intents.guess(document.original)
        reading = self._read(document, body.text, body.signature, today, guess)
        own = reading
        if body.earlier is not None:
            # "TR: …" above a quoted message: passed on, unless the writer's words act on it
            # themselves ("on retire notre demande de bouées").
            forwards = body.forwards or (
                body.relayed
                and (reading.intent is Intent.UNKNOWN or bool(_PASSED_ON.search(body.text.folded)))
            )
            signed = body.signature if forwards else None
            earlier = self._read(document, body.earlier, signed, today, guess, forwarded=True)
            if forwards and (
                not reading.items
                or (
                    _POINTS_BELOW.search(body.text.folded)
                    and earlier.items
                    and {i.item for i in reading.items} <= {i.item for i in earlier.items}
                    and all((i.quantity or 1) == 1 for i in reading.items)
                )
            ):
                # "Voir la demande ci-dessous": the forwarded message is the request, on the
                # days or for the event the writer may add.
                if _own_days_first(reading, earlier):
                    earlier.start, earlier.end = reading.start, reading.end
                    earlier.spans["dates"] = reading.spans.get("dates", [])
                    earlier.missing = [m for m in earlier.missing if m != "dates"]
                _fill_from(earlier, reading, body.earlier.folded)
                earlier.commune = reading.commune or earlier.commune
                reading = earlier
            elif reading.intent is not Intent.UNKNOWN and earlier.intent is not Intent.UNKNOWN:
                _fill_from(reading, earlier, body.text.folded)
        if not reading.items and reading.intent is not Intent.UNKNOWN:
            reading.items = self._quoted_items(document, body.text.folded)
            if reading.items:
                reading.missing = [m for m in reading.missing if m not in ("items", "item")]
        if not reading.items and reading.intent in _BEARS_ON_ITEMS and reading is own:
            # Nothing the catalogue knows, nothing counted: read again for what the act bears
            # on ("annulez le vibraphone"), an item outside the catalogue, always asked about.
            again = self._read(document, body.text, body.signature, today, guess, objects=True)
            if again.items:
                reading = again
        reading.items = _once_each(reading.items)
        # "Languidic n'a plus de nettoyeur à prêter": a commune is not what is withdrawn
        named = [
            i for i in reading.items
            if i.item is not None
            or not set(WORD.findall(fold(i.label))) <= self._place_words
        ]  # fmt: skip
        if len(named) < len(reading.items):
            reading.items = named
            reading.missing = [
                m for m in reading.missing if m != "item" or any(i.item is None for i in named)
            ] + (["items"] if not named and "items" not in reading.missing else [])
        _quoted_dates(reading, document, today)
        self._second_look(reading, document, today)
        return reading

    @property
    def mentions(self) -> MentionModel:
        """The second opinion on names and numbers: the bundled one unless given."""
        if self._mentions is None:
            self._mentions = bundled_mentions()
        return self._mentions

    def _second_look(self, reading: Reading, document: Document, today: dt.date) -> None:
        """Ask about the items, their counts or the days where the mention models are sure
        the rules kept a name, a count or a date the writer does not mean, or left out one
        the writer does; or, none sure, where their confidence doubts the whole reading."""
        if reading.intent in (Intent.UNKNOWN, Intent.CANCEL):
            return
        found = mentions(document.folded, self.vocabulary, today)
        model = self.mentions
        recorded = Recorded(
            reading.intent.value,
            [(i.item, i.quantity, i.span.start, i.span.end) for i in reading.items],
            [(s.start, s.end) for s in reading.spans.get("dates", [])],
            tuple(
                d.isoformat() if d else None for d in (reading.start, reading.end, reading.deadline)
            ),  # type: ignore[arg-type]
            reading.event is not None,
            reading.commune is not None,
        )
        weighed = weigh(found, model.odds(found), recorded)
        parts = model.doubts(weighed)
        if not parts and not reading.missing:
            # none sure against the rules, but together unsure enough to ask about the weakest
            values = signals(weighed, found, recorded, document.original)
            weakest = model.confidence.part_to_ask(values)
            parts = [weakest] if weakest is not None else []
        days = "deadline" if reading.intent is Intent.PURCHASE else "dates"
        for part in parts:
            part = days if part == "dates" else part  # a purchase's day is its deadline
            if part not in reading.missing:
                reading.doubts.append(part)
                reading.missing.append(part)

    def _quoted_items(self, document: Document, own: str) -> list[ItemReading]:
        """ "> Riantec : qqn a des barnums ? — Oui, on en a 3 dispo", "> Plouay : 30 grilles
        à prêter — juste 10 sur les 30 pour nous", "> Guidel : podium libre — on le réserve
        pour le 14": a reply that counts or takes what the quoted message named is about
        that item; counted as the reply says, else as the quote does."""
        count = _EN_COUNT.search(own) or _PART_TAKEN.search(own)
        if count is None and not _TAKES.search(own):
            return []
        for line in _QUOTED_LINE.finditer(document.folded):
            text = line.group().split(">", 1)[1]
            named = self.vocabulary.find(words(text), text)
            if named:
                item = named[0].item
                said = count or _COUNT_BEFORE.search(text, 0, named[0].start)
                quantity = int(said.group("n")) if said is not None else 1
                label = item.label if quantity == 1 else item.plural
                span = Span(*count.span("n")) if count else Span(0, 0)
                return [ItemReading(item.id, label, quantity, None, span)]
        return []

    def _read(
        self,
        document: Document,
        own: Document,
        signature: Span | None,
        today: dt.date,
        guess: Guess,
        forwarded: bool = False,
        objects: bool = False,
    ) -> Reading:
        seen = self._see(own, today, objects)
        scope = Scope.of(seen.shape, seen.folded, seen.found, self.vocabulary.families)
        counted = restated(_counted_once(scope, seen), seen.folded)
        counted = reckoned_counts(counted, seen.numbers, seen.used, seen.counted)
        left = [i for i in counted if not _taken_back(i, seen.folded, scope.intent)]
        items = [self._item_reading(i, document.original) for i in (left or counted)]
        reading = Reading(document.original, scope.intent, items)
        if scope.intent is Intent.BORROW and _ordered_together(seen):
            reading.intent = Intent.PURCHASE
        self._name_event(reading, seen, scope)
        self._second_opinion(reading, seen, scope, guess, document.original)
        if self.writers.for_a_body(seen.folded, document.folded, signature):
            # the intercommunality or a syndicate: a commune only when it writes for one
            writer = self.writers.on_behalf(seen.folded)
        else:
            writer = self._writer(reading, seen, document, signature)
        if writer is not None:
            reading.commune, reading.spans["commune"] = writer[0], [writer[1]]
        placement = self._date(reading, seen, today)
        _place_recurrence(reading, seen.folded, today)
        self._question(reading, seen, scope, placement, forwarded)
        return reading

    def _writer(
        self, reading: Reading, seen: _Seen, document: Document, signature: Span | None
    ) -> tuple[str, Span] | None:
        """The commune that writes: where it signs or says it is, else, for an event or an
        offer, where it takes place or whose equipment it is."""
        writer = self.writers.find(seen.folded, document.folded, signature)
        if writer is None and reading.intent is Intent.EVENT:
            writer = self.writers.where(seen.folded)  # one announces one's own events
        if writer is None and reading.intent is Intent.BORROW and reading.event is not None:
            # and borrows for them: "pour le repas des anciens à Brandérion"
            event = reading.spans["event"][0]
            writer = self.writers.where(seen.folded[: event.end + 60])
            if writer is not None and writer[1].start < event.start:
                writer = None
        if writer is None and reading.intent is Intent.LEND:
            # one offers one's own: "dispo à Riantec", "les barrières de Port-Louis sont dispo"
            writer = self.writers.where(seen.folded) or self.writers.owner(seen.folded)
        if writer is None and reading.intent is Intent.CANCEL:
            # and withdraws one's own: "les tablettes de Plouay ne sont plus dispo", "annuler
            # les 50 vivaces de Pont-Scorff" (not where it went: "partis à Plouay")
            writer = self.writers.owner(seen.folded)
        if writer is None and reading.intent in (Intent.BORROW, Intent.PURCHASE, Intent.CANCEL):
            # "besoin de 4 tables rondes pr mardi prochain. Merci Gestel": a request signed
            writer = self.writers.signed_thanks(seen.folded)
        return writer

    def _see(self, own: Document, today: dt.date, objects: bool = False) -> _Seen:
        """Dates, numbers, items and their counts, and the clauses of the writer's words."""
        folded = own.folded
        # "Contact : 06 12 34 56 78" is no 6 December 2034
        phones = [Span(*m.span()) for m in PHONE.finditer(folded)]
        # "15 tonnes de 6/10", "gravillon 10/14": an aggregate's grading, no day of June
        phones += [Span(*m.span("grade")) for m in _GRADING.finditer(folded)]
        # "bacs gastronormes GN 1/1 et 1/2": a container's size, neither a day nor a count
        sizes = [Span(*m.span()) for m in _GASTRONORM.finditer(folded)] if "gn" in folded else []
        phones += sizes
        written = find_dates(own.masked(phones).folded if phones else folded, today)
        dates = [
            d
            for d in _postponed(corrected_dates(written, folded), folded)
            if not _REFERS_TO.search(folded, 0, d.span.start)
            and not _decided(folded, d)
            and not _gone_by(folded, d, today)
            and not _past_weekday(folded, d)
        ]
        # "1 journée, n'importe quand la semaine prochaine": the writer leaves the day open
        # (but "entre le 1er et le 5 mars, n'importe quel jour" says its days in full)
        dates = [
            d for d in dates
            if explicit(d, folded)
            or not (_ANY_DAY.search(folded, max(0, d.span.start - 25), d.span.start)
                    or _ANY_DAY_AFTER.match(folded, d.span.end))
        ]  # fmt: skip
        # "en juillet-août, sauf le 15 août": the days left out are not the days of use, even
        # when no other is said ("dispo tout l'été sauf le 14 juillet")
        # (". Pas avant le 18" opens the days, it leaves none out)
        kept = [
            d
            for d in dates
            if d.kind == "from" or not _SAVE.search(folded, max(0, d.span.start - 60), d.span.start)
        ]
        dates = _season(kept, folded)
        counted = own.masked([f.span for f in written] + not_quantities(folded) + sizes).folded
        # Bounds that no real message reaches keep the reading quick on any input.
        named = self.vocabulary.find(words(counted), counted)[:MAX_ITEMS]
        named = [
            m
            for m in named
            if not _participle(own.original, m)
            and not _a_name(own.original, m)
            # "GE-12" in a table of references names nothing
            and not _CODE_AFTER.match(folded, m.end)
            and not _made_of(counted, m)
            # "stocké au CTM rue des Fontaines": a street's name
            and not _STREET.search(folded, max(0, m.start - 24), m.start)
        ]
        named = [m for m in named if not _fuel_of(m, named, counted)]
        named = [self._console(m, own.original, counted) for m in named]
        named = [m for m in named if not _ASKER.match(counted, m.end)]
        heads = [(m, complemented_noun(m, counted, named)) for m in named]
        complements = [(m, head) for m, head in heads if head is not None]
        named = [m for m, head in heads if head is None]
        matches = _named_items(named, counted, self.vocabulary.modifiers, own.original)
        # "souffleurs x3" counts, "Behringer X32" is a model
        found_numbers = [
            n for n in numbers(counted) if own.original[max(0, n.start - 1) : n.start] != "X"
        ][:MAX_NUMBERS]
        found, used = attach_quantities(matches, found_numbers, counted)
        unknown = unknown_items(found_numbers, used, named, counted, own.original)
        # "500 housses de chaise": the chair names what the covers are for
        found = [i for i in found if not any(i.name and u.span.start <= i.name.start
                                             and i.name.end == u.span.end
                                             for u in unknown)] + unknown  # fmt: skip
        shape = layout(folded)
        # "un semoir à gazon", "notre abri vélo": the noun a catalogue name completes, when
        # nothing counted it
        for match, head in complements:
            article = _A_THING.search(counted, max(0, head - 8), head)
            if (
                article is not None and not is_no_thing(counted[head : match.start])
                and not any(f.span.start <= head < f.span.end for f in found)
            ):  # fmt: skip
                one = article.group("one") or article.group("the")
                found.append(_completed(head, match, own.original, 1 if one else None))
        thing = object_of(counted, own.original, shape) if objects else None
        if thing is not None and not any(
            f.span.start < thing.span.end and thing.span.start < f.span.end for f in found
        ):
            # nothing the act bears on was kept: its object ("annulez le vibraphone")
            found.append(thing)
        found = sorted((self._measured(i, counted) for i in found), key=lambda i: i.span.start)
        found = outside_asides(found, counted)
        found = row_counts(found, found_numbers, used, counted, folded)
        found = table_counts(found, counted, used)
        found = declined(found, counted)
        found = part_counts(found, counted)
        found = as_many_counts(found, counted)
        found = bounded_counts(found, found_numbers, used, counted)
        found = each_counts(found, found_numbers, used, counted)
        found = form_counts(found, found_numbers, used, counted, self._unit_of)
        found = lone_counts(found, found_numbers, used, counted, shape.clause_at, self._unit_of)
        found = bulk_counts(found, found_numbers, used, counted, self._unit_of)
        found = corrected_items(found, found_numbers, counted)
        found = per_site_counts(found, counted)
        found = per_container_counts(found, counted, self._plurals)
        found = per_unit_counts(found, counted)
        found = specifications(found, counted)
        return _Seen(folded, counted, dates, found_numbers, used, named, found, shape, today)

    def _console(self, match: ItemMatch, original: str, counted: str) -> ItemMatch:
        """ "8 Switch avec leurs docks": Nintendo's console, not a network switch (written in
        lower case, or with its ports: "3 switchs 8 ports")."""
        console = self.vocabulary.items.get("console-jeux")
        if (
            console is None or match.item.id != "switch-reseau"
            or not original[match.start : match.start + 1].isupper()
            or _NETWORK_AFTER.match(counted, match.end)
        ):  # fmt: skip
            return match
        return replace(match, item=console)

    def _name_event(self, reading: Reading, seen: _Seen, scope: Scope) -> None:
        """The event, and what a message that asks nothing announces."""
        event = None
        point = _point_of(seen.folded, [i.span for i in reading.items])
        if point is not None:
            # the point of a numbered message that declares names its own event
            event = find_event(_within(seen.folded, point), reading.text, self._proper)
        motive = _MOTIVE.search(seen.folded) if "motif" in seen.folded else None
        if event is None and motive is not None:
            # a form's "Motif : forum des associations" names what the request is for
            event = find_event(_within(seen.folded, motive.span(1)), reading.text, self._proper)
        event = event or self._event(seen, reading.text)
        if event is None and reading.items:
            names = [Span(m.start, m.end) for m in seen.named]
            event = event_before_date(
                seen.folded, reading.text, [d.span for d in seen.dates], names, self._proper
            )
        # "la course de caisses à savon": what an event is called is not asked for.
        names = [e[1] for e in (event, find_event(seen.folded, reading.text, self._proper)) if e]
        reading.items = [
            i for i in reading.items if not any(n.start <= i.span.start < n.end for n in names)
        ]
        coming = [d for d in seen.dates if (d.end or d.start or dt.date.min) >= seen.today]
        uncounted = all(i.quantity is None for i in scope.items)
        passing = (uncounted or _OWN_USE.search(seen.folded) is not None) and not (
            _sends_to_subject(seen)
        )  # ("Objet : chapiteau pour le festival, montage le 28 août — Voir objet.": asked)
        if scope.loose and passing and event is not None and coming and not scope.quiet:
            reading.items = []  # no act: an event announced, its equipment named in passing
        if not reading.items and scope.intent is not Intent.CANCEL:
            # Nothing asked, offered or bought: a dated event announced, or nothing at all.
            quiet = scope.quiet and not _FOR_THE_CALENDAR.search(seen.folded)
            announced = event is not None and coming and not quiet
            reading.intent = Intent.EVENT if announced else Intent.UNKNOWN
        reading.intent = self._refine(
            reading.intent, seen.folded, scope.items, seen.dates, scope.buying
        )
        if event is None and reading.intent not in (Intent.UNKNOWN, Intent.LEND):
            # (an offer is not for a ceremony: "une sono à prêter ce week-end" on the 19th of
            # March)
            event = remembrance_day(seen.folded, seen.dates)  # "pour le 11/11, 40 chaises"
        # named even where nothing is asked: "la fête du nautisme est maintenue ?"
        if event is not None:
            reading.event, reading.spans["event"] = event[0], [event[1]]

    def _second_opinion(
        self, reading: Reading, seen: _Seen, scope: Scope, guess: Guess, text: str
    ) -> None:
        """Where the learned model reads another intent: its reading when it is sure (on
        sets it was not trained on, it was then right 85 times out of 87 where the rules
        disagreed), a question when it is not, the rules' reading when it barely leans."""
        if guess.intent is reading.intent or guess.probability < _LEANS:
            return
        if reading.intent is Intent.CANCEL and guess.probability < _CERTAIN:
            # "nous retirons notre participation": a withdrawal said in so many words; but
            # "les tables de Caudan ne sont plus dispo, quelqu'un pourrait me prêter 8 tables ?"
            # also asks for a loan, and is asked about
            if guess.intent is Intent.BORROW and (
                _loan_asked(seen) or _ASKS_A_LOAN.search(seen.folded)
            ):
                scope.hedged = True
            return
        if reading.intent is Intent.BORROW and guess.probability < _CERTAIN and _loan_asked(seen):
            return
        counted = any((i.quantity or 0) > 1 and i.item for i in reading.items)
        if guess.intent is Intent.EVENT and counted and says_yearly(seen.folded) is not None:
            # "Fête de la musique, chaque année le 21 juin : 200 ganivelles": the equipment an
            # event counts every year is its need, to anticipate; asked what it is for
            scope.doubtful = True
            return
        if guess.probability < _SURE:
            scope.doubtful = True  # the channel asks what the message is for
            return
        if guess.intent in (Intent.UNKNOWN, Intent.EVENT):
            reading.items = []
        elif not reading.items:
            # "nos 60 chaises dorment au garage tout l'été": no act the rules know, so the
            # items the body names
            header = seen.shape.header_end
            body = [i for i in seen.found if i.span.start >= header]
            # (the subject's when the body names none but counts them: "Objet : commande
            # groupée pastilles lave-vaisselle — OK pour nous, mets 15 seaux")
            named = [i for i in seen.found if i.quantity]
            reading.items = [self._item_reading(i, text) for i in body or named]
        reading.intent = guess.intent
        scope.doubtful = True  # the rules read otherwise: confirmed with the writer

    def _event(self, seen: _Seen, text: str) -> tuple[str, Span] | None:
        """The event the body names; the subject line's only when the body names none, and
        only when it is more than a word ("Demande fête" names no event)."""
        header = seen.shape.header_end
        body = " " * header + seen.folded[header:]
        event = find_event(body, text, self._proper)
        corrected = event and corrected_at(seen.folded, event[1].end)
        if event and corrected:
            # "pour la fête des Terre-Neuvas ? non pardon la fête de la mer": the one said after
            after = find_event(" " * corrected + seen.folded[corrected:], text, self._proper)
            event = after if after is not None else event
        if event and any(
            i.name.start < event[1].start < i.name.end < event[1].end
            for i in seen.found
            if i.name is not None
        ):
            # "les 30 grilles d'expo de Caudan pour le forum": a name inside an item's is not
            # the event's
            event = find_event(blanked(body, [event[1]]), text, self._proper)
        if header:
            subject = find_event(seen.folded[:header], text, self._proper)
            if subject is None or len(subject[0].split()) < 2:
                return event
            if event is None or _more_of_the_same(event[0], subject[0]):
                return subject  # "Objet : Expo Phares et balises" over "l'expo itinérante"
        return event

    def _date(self, reading: Reading, seen: _Seen, today: dt.date) -> Placement:
        """The days of use, the availability or the deadline."""
        dates = seen.dates
        header = seen.shape.header_end
        if any(
            explicit(d, seen.folded) for d in dates if d.span.start >= header
        ) and not _sends_to_subject(seen):
            # The subject's dates only speak when the body gives no day in full ("Objet :
            # week-end des 12 et 13 juin … Retrait vendredi, retour lundi").
            dates = [d for d in dates if d.span.start >= header]
        if reading.intent is Intent.UNKNOWN:
            return Placement()
        folded = seen.folded
        point = _point_of(folded, [i.span for i in reading.items])
        if point is not None and any(point[0] <= d.span.start < point[1] for d in dates):
            # "1. … voté au conseil du 27 mai. 2. … un fest-noz le samedi 3 juillet": a point
            # of a numbered message dates what it declares, by its own words alone
            dates = [d for d in dates if point[0] <= d.span.start < point[1]]
            folded = _within(folded, point)
        placement = place(reading.intent, dates, folded, today)
        reading.start, reading.end = placement.start, placement.end
        kept = reading.intent is Intent.BORROW and reading.start and KEEPING.search(folded)
        if kept and reading.start == reading.end:
            # kept longer, until a day: the first is the loan's, behind (not "les conserver
            # pour les Jeudis du port, du 22 juillet au 19 août": a new stretch)
            reading.start = None
        elif kept:
            # "les garder pour le pardon du 15 août ? on les rendrait le 16": from the day
            # kept on, or from the 15th? asked
            reading.doubts.append("dates")
        reading.deadline = placement.deadline
        if (
            reading.intent in (Intent.BORROW, Intent.LEND) and reading.start and reading.end
            and reading.start < today <= reading.end and reading.start.day == 1
        ):  # fmt: skip
            # "prêtables tout le mois de juin" on the 4th: a loan begins no earlier than today
            # (most writers of the kept sets date it so, some from the 1st); but "25 oct-5
            # nov" on the 26th keeps the day its writer wrote
            reading.start = today
        if reading.start and reading.end and reading.end < reading.start:
            # "à partir du 1er juin. Retour sous 8 jours" said on 14 May: a return that comes
            # before the loan is no end; asked
            reading.end = None
            reading.doubts.append("dates")
        if placement.spans:
            reading.spans["dates"] = placement.spans
        return placement

    def _question(
        self, reading: Reading, seen: _Seen, scope: Scope, placement: Placement, forwarded: bool
    ) -> None:
        """What is missing, and what the reader is unsure of: the channels ask both."""
        if reading.intent is Intent.UNKNOWN:
            reading.items, reading.start, reading.end, reading.deadline = [], None, None, None
            reading.spans.pop("dates", None)
        reading.spans["items"] = [i.span for i in reading.items]
        reading.missing = missing_fields(reading)
        if placement.open_end and "dates" not in reading.missing:
            reading.missing.append("dates")  # "jusqu'à la décrue": until when?
        if (scope.doubtful and reading.intent not in (Intent.UNKNOWN, Intent.CANCEL)) or (
            scope.hedged and reading.intent is Intent.CANCEL
        ):
            reading.doubts.append("intent")
        evidence = Evidence(
            seen.shape, scope.acts, seen.counted, seen.numbers, seen.used, seen.named,
            [i for i in scope.items if any(i.span == r.span for r in reading.items)],
            placement.candidates, forwarded,
        )  # fmt: skip
        reading.doubts += [d for d in doubts(evidence, reading.intent) if d not in reading.doubts]
        reading.missing = [
            *(d for d in reading.doubts if d == "intent"),
            *reading.missing,
            *(d for d in reading.doubts if d != "intent" and d not in reading.missing),
        ]
        reading.volunteer = reading.intent is Intent.PURCHASE and bool(
            VOLUNTEER.search(seen.folded)
        )

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

    def _item_reading(self, found: FoundItem, text: str) -> ItemReading:
        """An item as the contract gives it; one named by a synonym keeps the writer's words
        ("pantalons de travail", under the catalogue's "vêtement de travail")."""
        label = found.label
        if found.item_id is not None and found.name is not None:
            written = " ".join(found.name.of(text).split())
            if self.vocabulary.synonym_of(found.item_id, written):
                label = written
        quantity = found.quantity
        item = self.vocabulary.items.get(found.item_id or "")
        if quantity is None and item is not None and item.unit == "unité":
            name = found.name or found.span
            head = fold(text[name.start : name.end]).split()[:1]
            singular = bool(head) and (
                head[0] == fold(item.label).split()[0] or not head[0].endswith(("s", "x"))
            )
            if singular or _ONE_OF.search(fold(text[max(0, name.start - 12) : name.start])):
                # "notre minibus", "la nacelle", "ma demande de sono": one
                quantity = 1
                label = item.label if label == item.plural else label
        if item is not None and item.unit == "unité" and label in (item.label, item.plural):
            # "Podium | 1": the catalogue's name agrees with the count
            label = item.label if quantity == 1 else item.plural
        return ItemReading(found.item_id, label, quantity, found.unit, found.span)

    def _unit_of(self, item_id: str) -> str | None:
        item = self.vocabulary.items.get(item_id)
        return item.unit if item is not None else None

    def _measured(self, found: FoundItem, text: str) -> FoundItem:
        """ "une nacelle 14 m": a length, a weight or a volume of an item counted in units
        describes it; it does not count it."""
        item = self.vocabulary.items.get(found.item_id or "")
        if item is None or found.unit not in BULK or item.unit in BULK:
            return found
        if text[found.span.start : found.span.start + 1].isdigit():
            return found  # "200 m de guirlandes": a length that counts
        return replace(found, label=item.plural, quantity=None, unit=None)

    def _refine(
        self, intent: Intent, folded: str, found: list[FoundItem], dates: list[DateFinding],
        buying: bool = False,
    ) -> Intent:  # fmt: skip
        """A need with no word of borrowing is a purchase when it can only be one."""
        if intent is not Intent.BORROW or re.search(
            r"emprunt|preter|pret |louer|locat|reserv", folded
        ):
            return intent
        # Days of use, not "pour fin juin" (a time to have it by).
        used = any(
            d.kind == "range" and d.start != d.end
            and not _BY_THE_TIME.match(folded, d.span.start)
            for d in dates
        )  # fmt: skip
        if buying and not used and not mentions_handover(folded):
            return Intent.PURCHASE
        known = [self.vocabulary.items[i.item_id] for i in found if i.item_id is not None]
        consumables = bool(known) and not any(item.lendable for item in known)
        only_deadline = bool(dates) and all(d.kind == "deadline" for d in dates)
        if used or mentions_return(folded):
            return intent  # days of use, or a day it comes back: whatever the item, a loan
        return Intent.PURCHASE if consumables or only_deadline else intent


# "on en a 25", "on peut vous en passer 8", "on vous en prendrait 1": a count of a thing
# named elsewhere.
_EN_COUNT = re.compile(
    r"\ben\s+(?:[a-z]+\s+){0,2}?(?:a|avons|ai|passer|preter|prendrait|prendrions|prend|prendre"
    r"|prenons|voudrait|voudrions|veut|faudrait|faut|reste|restent|donner|laisser|mettre|met"
    r"|mettons)\s+"
    r"(?:encore\s+|environ\s+|bien\s+)?(?P<n>\d{1,4})\b"
)


# "juste 10 sur les 30": the part of the quoted offer taken.
_PART_TAKEN = re.compile(rf"\b(?P<n>\d{{1,5}}) {PART_OF} \d{{1,5}}\b")
# Taking what the quoted message offers, or offering one's own of it: "réservé pour nous",
# "on le prend", "on peut vous prêter le nôtre".
_TAKES = re.compile(
    r"\b(?:reserve|reservee?s?|reservons|prend|prenons|prendrait|prendrions|preneurs?"
    r"|garder|interesse|interesses|interessee?s?|(?:le|la) notre|les notres)\b"
)
# The count written right before an item in the quoted line: "on a 2 barnums".
_COUNT_BEFORE = re.compile(r"(?<![\d,.])(?P<n>\d{1,4})\s+(?:[a-z'-]+\s+)?$")


# How sure the learned model must be to take its reading over the rules', or to make the
# channel ask: measured on sets it was not trained on (data/train_intent.py --evaluate).
_SURE = 0.7
_LEANS = 0.5
_CERTAIN = 0.9
# After who: "… des écocups à prêter ?", asked of the territory (not "qui a nos 20 tables ?")
_TO_LEND = re.compile(r"[^.!?\n]{0,80}\bpreter\b[^.!\n]{0,80}\?")
# "quelqu'un d'autre pourrait me prêter 8 tables ?", "pourriez-vous nous dépanner ?"
_ASKS_A_LOAN = re.compile(
    r"\b(?:pourrai(?:t|ent)|pourriez|peut|peuvent|pouvez|aurai(?:t|ent)|auriez)"
    r"(?:[- ](?:vous|il|elle|on))?\s+(?:nous\s+|me\s+|m')?(?:preter|depanner)\b[^.!\n]{0,80}\?"
)


# A network switch's ports, make or standard: "switchs 8 ports", "Switch HP 48 ports PoE".
_NETWORK_AFTER = re.compile(
    r"[^.\n]{0,30}?\b(?:ports?|poe|reseau|ethernet|gigabit|manageables?|rj45|netgear|cisco|hp"
    r"|tp-link|d-link)\b"
)


# A singular determiner names one of a countable item.
_ONE_OF = re.compile(r"(?<![a-z'])(?:le|la|l'|notre|votre|mon|ma|son|sa|leur|cette|ce|cet)\s*$")
_ANY_DAY = re.compile(r"[ \t,]*n'importe (?:quand|quel jour|lequel)\b[^.!?\n]{0,12}$")
_ANY_DAY_AFTER = re.compile(r"[ \t,]*n'importe (?:quand|quel jour|lequel)\b")
_GRADING = re.compile(
    r"\b(?:gravillons?|graviers?|sables?|granulats?|concasses?|ballast|grave|tonnes?|t|m3)"
    r"\s+(?:de\s+|en\s+|calibre\s+)?(?P<grade>\d{1,2}/\d{1,2})\b(?!/)"
)
_BY_THE_TIME = re.compile(r"(?:pour\s+)?(?:fin|debut|mi|courant)\b")
_ACCENTED_END = re.compile(r"(?:é|ée|és|ées)$")
# Names of items that are also adjectives after a noun: "un marché couvert", "terrain couvert".
_ADJECTIVES_TOO = frozenset(("couvert", "couverte", "couverts", "couvertes"))
_NUMBER_WORDS = frozenset(
    "deux trois quatre cinq six sept huit neuf dix onze douze treize quatorze quinze seize vingt"
    " vingts trente quarante cinquante soixante cent cents mille".split()
)  # "trois cents couverts": counted cutlery
_DETERMINERS = frozenset(
    "le la les l des de d du un une nos notre vos votre ses sa son ces ce cet cette en aux au"
    " quelques plusieurs leurs leur mes mon ma tes ton ta et ou".split()
)
# Searched in folded text, which `fold` strips: the auxiliary ends it.
_AUXILIARY = re.compile(r"\b(?:est|sont|sera|seront|serait|seraient|ete|etre|etait|etaient)$")
_SUBJECT = re.compile(r"\b(?:nous|vous|ils|elles|je|tu)$")  # folded: no space left at the end
# "je m'étais positionnée": an elided pronoun, then a verb (as written: folding drops the mark)
_ELIDED = re.compile(r"(?<!\w)[mtjsnMTJSN]['’]$")


# "groupe électrogène 6 kVA essence", "20 kVA diesel", "moteur Hatz diesel": the fuel an
# engine runs on, not fuel asked for.
_ENGINE_BEFORE = re.compile(r"(?:\b\d+\s*(?:kva|kw|cv|ch|w)|\bmoteur(?:\s+[a-z0-9-]+)?)\s*$")


# A noun said with its article: "un semoir à gazon", "notre abri vélo"
_A_THING = re.compile(
    r"(?:\b(?:(?P<one>un|une|le|la|notre|votre|son|sa)|les|des|nos|vos|ses|leurs)[ \t]+"
    r"|\b(?P<the>l'))$"
)


def _completed(head: int, match: ItemMatch, original: str, quantity: int | None) -> FoundItem:
    """The noun phrase from a noun to the catalogue name that completes it, outside the
    catalogue."""
    label = " ".join(original[head : match.end].split())
    return FoundItem(None, label, quantity, None, Span(head, match.end))


def _fuel_of(match: ItemMatch, named: list[ItemMatch], folded: str) -> bool:
    if match.item.family != "carburants":
        return False
    if _ENGINE_BEFORE.search(folded, max(0, match.start - 25), match.start):
        return True
    return any(
        other is not match
        and other.item.family != "carburants"
        and _FUELLED.fullmatch(folded, other.end, match.start) is not None
        for other in named
        if other.end <= match.start
    )  # "tronçonneuse essence", "souffleur thermique essence", "canons à chaleur au fioul"


_FUELLED = re.compile(r"[\s\d,.]*|\s+(?:au|a|a l'|de|d'|du)\s*")


# What follows the one who asks: "la buvette du cross (dimanche) aurait besoin de 2 percolateurs".
_ASKER = re.compile(
    r"(?:[ \t]+(?:du|de la|de l'|des)[ \t]+[^.!?\n,]{1,40}?)?[ \t]+"
    r"(?:\([^()\n]{0,30}\)[ \t]+)?(?:aurait|auraient|aura|auront|a|ont)[ \t]+besoin\b"
)


def _sends_to_subject(seen: _Seen) -> bool:
    """A body that only sends back to its subject line ("Voir objet."): the subject asks."""
    header = seen.shape.header_end
    return bool(header) and _SEE_SUBJECT.search(seen.folded, header) is not None


def _a_name(original: str, match: ItemMatch) -> bool:
    """ "la salle de Merville": a capitalised word inside a sentence is a name, not a typo of an
    item's ("médaille")."""
    if not match.corrected or not original[match.start : match.start + 1].isupper():
        return False
    line_start = original.rfind("\n", 0, match.start) + 1
    line_end = original.find("\n", match.start)
    line = original[line_start : line_end if line_end >= 0 else len(original)].split()
    if 0 < len(line) <= 3 and all(w[:1].isupper() for w in line):
        return True  # "Ronan" signing on a line of his own is no "roman"
    if original[match.end : match.end + 1] == ",":
        return True  # nor "Ronan, oublie le château gonflable": the one written to
    if re.match(r" [A-Z][a-zà-ÿ]{2,}", original[match.end : match.end + 16]):
        return True  # "Ronan Kerbiriou, service nautisme": a first name and a surname
    before = original[: match.start].rstrip()
    return bool(before) and before[-1] not in '.!?:;\n"«(-–—•*>'


# "30 carafes en verre", "des bacs en bois": what a thing is made of is no second thing.
_MATERIALS = frozenset(
    "verre bois carton plastique inox metal alu aluminium tissu resine pvc acier fonte mousse"
    " papier cuir liege osier bambou beton pierre granit laine coton toile".split()
)
_MADE_OF = re.compile(r"[a-z]{3,}[ \t]+en[ \t]+$")


def _made_of(folded: str, match: ItemMatch) -> bool:
    return (
        folded[match.start : match.end].split()[0] in _MATERIALS
        and _MADE_OF.search(folded, max(0, match.start - 30), match.start) is not None
    )


# "stocké au CTM rue des Fontaines": the words after a street's kind are its name.
_STREET = re.compile(
    r"\b(?:rue|place|allee|avenue|av\.|boulevard|bd|impasse|chemin|route|quai|square|cours"
    r"|lieu-dit|lieu dit|residence|lotissement)\s+(?:des|du|de la|de l'|de|d'|aux?)?\s*$"
)


def _participle(original: str, match: ItemMatch) -> bool:
    """ "le nôtre a grillé", "nos besoins sont couverts": a verb written like an item's name
    ("grille") is told apart by the accent its writer put on it, which no name of the item has."""
    if match.first != match.last:
        return False
    before = fold(original[max(0, match.start - 12) : match.start])
    if _AUXILIARY.search(before) or _SUBJECT.search(before):
        return True  # "sont couverts", "a été grillé", "nous savons"
    if _ELIDED.search(original, max(0, match.start - 2), match.start):
        return True
    written = original[match.start : match.end].lower()
    if fold(written) in _ADJECTIVES_TOO:
        # "le boulodrome couvert": what the noun before it is, not cutlery
        noun = re.search(r"(?<![^\s])([a-z]+)\s*$", before)  # (folded: its last space gone)
        return noun is not None and noun.group(1) not in _DETERMINERS | _NUMBER_WORDS
    if not _ACCENTED_END.search(written):
        return False
    # (the names written as this word: "couches bébé" says nothing of "couché")
    word = fold(written.split()[-1])
    names = (match.item.label, match.item.plural, *match.item.names)
    return not any(
        _ACCENTED_END.search(last) for n in names if n
        for last in [n.lower().split()[-1]] if fold(last) == word
    )  # fmt: skip


@dataclass
class _Seen:
    """One message as the reader sees it before deciding anything."""

    folded: str
    counted: str  # folded, with dates and numbers that count nothing masked
    dates: list[DateFinding]
    numbers: list[Number]
    used: set[int]  # the numbers that count an item
    named: list[ItemMatch]  # every catalogue name written, even in passing
    found: list[FoundItem]
    shape: Layout
    today: dt.date = dt.date.min


def _quoted_dates(reading: Reading, document: Document, today: dt.date) -> None:
    """ "> Bubry : qqn peut nous prêter des tables pour le 3 juillet ? — On peut vous en
    passer 15": a reply that names no day of its own is for the quoted message's days."""
    if reading.intent not in (Intent.BORROW, Intent.LEND, Intent.PURCHASE):
        return
    if reading.start is not None or reading.deadline is not None:
        return
    quoted = [m.group().split(">", 1)[1] for m in _QUOTED_LINE.finditer(document.original)]
    if not quoted:
        return
    folded = Document.of("\n".join(quoted)).folded
    found = find_dates(folded, today)
    placement = place(reading.intent, found, folded, today) if found else None
    if placement is None or (placement.start is None and placement.deadline is None):
        return
    reading.start, reading.end, reading.deadline = (
        placement.start,
        placement.end,
        placement.deadline,
    )
    reading.missing = [m for m in reading.missing if m not in ("dates", "deadline")]


# "200 gobelets… non, pardon, nous en avons": asked, then taken back at once.
_RETRACTED = re.compile(
    r"[^.!?\n]{0,30}?(?:\.{1,3}|…|,|;|\s)\s*+(?:non,? pardon|ah non|en fait non|non en fait"
    r"|euh non|non non|enfin non)[ ,]+(?:nous en avons|on en a|j'en ai|c'est bon|pas besoin"
    r"|on a ce qu'il faut|inutile|laissez tomber|oubliez|(?:les|la|le|l')[ a-z'-]{2,30}?"
    r"(?:on les|on la|on le|on l')(?:achete|a|garde|trouve))"
)
# "plus besoin des 10 cônes, on garde juste les barrières", "les 60 ramettes A4 restent
# valables": what a withdrawal keeps.
_KEPT_BEFORE = re.compile(
    r"(?:on garde|nous gardons|on conserve|nous conservons|on maintient|nous maintenons"
    r"|mais garde|il garde|elle garde)"
    r"(?: juste| seulement| bien| quand meme| uniquement)?(?: les| le| la| l'| nos| notre)?"
    r"(?: \d+)? ?$"
)
_KEPT_AFTER = re.compile(
    r"\s*(?:restent|reste|sont|est) (?:toujours |bien )?(?:valables?|maintenue?s?|d'actualite)"
    # an offer that stands beside the one withdrawn: "le podium reste dispo"
    r"|\s*(?:restent|reste) (?:toujours |bien |encore )?(?:dispos?|disponibles?|a preter)\b"
)


def _taken_back(item: FoundItem, folded: str, intent: Intent) -> bool:
    """An item named, then taken back, or kept by a message that withdraws the others."""
    if _RETRACTED.match(folded, item.span.end):
        return True
    if intent is not Intent.CANCEL:
        return False
    before = folded[max(0, item.span.start - 40) : item.span.start]
    return bool(_KEPT_BEFORE.search(before) or _KEPT_AFTER.match(folded, item.span.end))


# A subject that names a group order: "Objet : RE: Signalisation – commande groupée".
_GROUP_ORDER = re.compile(
    r"\b(?:commandes? groupees?|achats? groupes?|groupements? de commandes?|groupements? d'achats?"
    r"|achats? en commun|commandes? communes?)\b"
)
_LOAN_WORD = re.compile(r"\b(?:pret|prets|preter|pretee?s?|emprunt\w*|louer|location|rend\w*)\b")


def _ordered_together(seen: _Seen) -> bool:
    """ "Objet : Commande groupée de barrières — nous aurions besoin de 20 barrières": a need
    said under a group order's subject, with no word of a loan, is a share of that order."""
    header = seen.shape.header_end
    if not header:
        return False
    return bool(
        _GROUP_ORDER.search(seen.folded, 0, header) and not _LOAN_WORD.search(seen.folded, header)
    )


def _own_days_first(own: Reading, earlier: Reading) -> bool:
    """The writer's days over those of the message passed on ("Voir ci-dessous la demande…
    du lundi 5 au vendredi 16 avril" over "après Pâques"), unless they are the same days said
    at less length ("TR : demande matériel 14 juillet" over "du 13 au 15 juillet")."""
    if own.start is None or "dates" in own.missing:
        return False
    if earlier.start is None:
        return True
    return not (
        earlier.start <= own.start and (own.end or own.start) <= (earlier.end or earlier.start)
    )


def _fill_from(reading: Reading, earlier: Reading, own: str) -> None:
    """ "Tr : demande de l'APEL — quelqu'un peut dépanner ?", "On se greffe pour 3 tonnes"
    over a group order's circular, "Finalement 10 tables suffiront, le reste inchangé": the
    writer's words answer, pass on or correct the message below them (`earlier`); what they
    leave unsaid (the items, their counts, the days, the deadline, the event) is that
    message's. The other way round for a message passed on with a word on its days."""
    if reading.event is None and earlier.event is not None:
        reading.event = earlier.event
        reading.spans["event"] = earlier.spans.get("event", [])
    if reading.intent is Intent.CANCEL:
        return  # what is withdrawn is as the writer says it, not as first asked
    before = missing_fields(reading)
    filled = False
    if not reading.items and earlier.items and reading.intent is not Intent.EVENT:
        count = None
        if len(earlier.items) == 1:
            count = _EN_COUNT.search(own) or _PART_TAKEN.search(own) or _LONE_COUNT.search(own)
        reading.items = [
            replace(i, quantity=int(count.group("n"))) if count else i for i in earlier.items
        ]
        filled = True
    elif earlier.items and all(i.quantity is None for i in reading.items):
        said = {i.item: i for i in earlier.items if i.item and i.quantity is not None}
        reading.items = [
            replace(i, quantity=said[i.item].quantity, unit=said[i.item].unit)
            if i.quantity is None and i.item in said else i
            for i in reading.items
        ]  # fmt: skip
    if reading.items and earlier.items and _REST_UNCHANGED.search(own):
        mine = {i.item for i in reading.items}
        reading.items += [i for i in earlier.items if i.item not in mine]
    if reading.start is None and reading.deadline is None and earlier.start is not None:
        reading.start, reading.end = earlier.start, earlier.end
        reading.spans["dates"] = earlier.spans.get("dates", [])
        filled = True
    if reading.intent is Intent.PURCHASE and reading.deadline is None:
        reading.deadline = earlier.deadline  # the group order's closing day
    after = missing_fields(reading)
    settled = {m for m in before if m not in after and m not in reading.doubts}
    if filled and reading.start is not None and "dates" not in reading.doubts:
        settled.add("dates")
    reading.missing = [m for m in reading.missing if m not in settled]


_CODE_AFTER = re.compile(r"-\d")


def _once_each(items: list[ItemReading]) -> list[ItemReading]:
    """ "les tables de la fête sont revenues, Inzinzac peut prêter soixante tables": a thing
    named again with its count is that one thing, not an uncounted one beside it."""
    counted = {i.item for i in items if i.item is not None and i.quantity is not None}
    return [i for i in items if i.item is None or i.quantity is not None or i.item not in counted]


# "On se greffe pour 3 tonnes", "merci de nous ajouter pour 4 tonnes": a count for the one
# item of the message below (as "on en prend 2" is, by _EN_COUNT).
_LONE_COUNT = re.compile(
    r"\bpour\s+(?:environ\s+)?(?P<n>\d{1,5})\b"
    r"(?!\s*(?:h\b|heures?|ans|euros?|€|%|personnes|places|km|mn|min))"
)
_REST_UNCHANGED = re.compile(r"\ble reste (?:est )?(?:inchange|identique|sans changement)")


def _counted_once(scope: Scope, seen: _Seen) -> list[FoundItem]:
    """ "au sujet des 8 chalets réservés … nous annulons les chalets": what is withdrawn
    keeps the count said once in the message."""
    if scope.intent is not Intent.CANCEL:
        items = [_counted_later(i, seen, scope) for i in scope.items]
        if len(items) == 1 and scope.intent is not Intent.EVENT:
            return [own_count(items[0], seen.counted)]
        return items
    kept = []
    for item in scope.items:
        counts = {f.quantity for f in seen.found if f.item_id == item.item_id and f.quantity}
        if item.quantity is None and item.item_id and len(counts) == 1:
            item = replace(item, quantity=counts.pop())
        kept.append(item)
    return kept


def _counted_later(item: FoundItem, seen: _Seen, scope: Scope) -> FoundItem:
    """ "vous auriez des grilles d'expo pour jeudi ? … 6 grilles suffiraient": an item asked
    without a count takes the one count said of it further on, in words that do nothing else
    or that take again, counted, only what was asked without a count ("des bâches et sacs de
    lestage … Cléguer prendrait 10 bâches et 40 sacs"); not "Riantec prend 10 tonnes de sel
    et 1 saleuse" (rows the act did not take), nor the writer's own ("nos 30 tables")."""
    if item.quantity is not None or item.item_id is None:
        return item

    asked = {i.item_id for i in scope.items if i.quantity is None}

    def says_nothing_else(found: FoundItem) -> bool:
        clause = seen.shape.clause_at(found.span.start)
        others = [f for f in seen.found if f.item_id != item.item_id
                  and seen.shape.clause_at(f.span.start) == clause]  # fmt: skip
        if clause is None or clause >= len(scope.acts):
            return False
        # "des bâches et sacs de lestage … Cléguer prendrait 10 bâches et 40 sacs de
        # lestage": the act counts again, one by one, what it asked without a count
        act = scope.acts[clause]
        return (act is None or act in POSITIVE) and all(f.item_id in asked for f in others)

    counts = {
        f.quantity for f in seen.found
        if f.item_id == item.item_id and f.quantity and f.span.start > item.span.end
        and says_nothing_else(f)
        and not _OURS_BEFORE.search(seen.folded, max(0, f.span.start - 12), f.span.start)
    }  # fmt: skip
    return replace(item, quantity=counts.pop()) if len(counts) == 1 else item


_OURS_BEFORE = re.compile(r"\b(?:nos|notre|mes|leurs?|vos|votre|ses)\s+(?:\d+\s+)?$")


# The points of a numbered message: "1. …", "2) …", "3 – …" at the start of a line.
_POINT = re.compile(r"^[ \t]*\(?\d{1,2}[ \t]*[.)°–-][ \t]+(?=\D)", re.MULTILINE)


def _point_of(folded: str, spans: list[Span]) -> tuple[int, int] | None:
    """Where the one point of a numbered message that holds all these spans begins and ends."""
    starts = [m.start() for m in _POINT.finditer(folded)]
    if len(starts) < 2 or not spans:
        return None
    for begin, end in zip(starts, [*starts[1:], len(folded)], strict=True):
        if all(begin <= span.start < end for span in spans):
            return begin, end
    return None


def _within(folded: str, point: tuple[int, int]) -> str:
    """The text with all but one point blanked (positions kept)."""
    begin, end = point
    return " " * begin + folded[begin:end] + " " * (len(folded) - end)


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


_BEARS_ON_ITEMS = (Intent.BORROW, Intent.LEND, Intent.PURCHASE, Intent.CANCEL)


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
    if intent is Intent.CANCEL and any(i.item is None for i in reading.items):
        missing.append("item")  # withdrawn only where its words match, so say which
    if intent is Intent.PURCHASE and reading.deadline is None:
        missing.append("deadline")
    if intent in (Intent.BORROW, Intent.EVENT) and reading.start is None:
        missing.append("dates")
    return missing


def _more_of_the_same(body: str, subject: str) -> bool:
    """The subject names the body's event at more length: the same head, more words."""
    said, titled = fold(body).split(), fold(subject).split()
    return said[0] == titled[0] and len(titled) > len(said)
