"""A line of `mutualise ingest`: the message it holds, or, in French, what is wrong with it."""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from typing import Any

from handlers.wording import listing
from storage.errors import MutualiseError

# The fields of a line, and what each holds, as the reader of an error needs to be told.
FIELDS = {
    "from": "l'adresse de l'expéditeur ou telegram:ID",
    "text": "le texte du message",
    "at": "la date et l'heure d'envoi, par exemple 2027-05-02T09:00 ou 02/05/2027 09:00",
}
_KINDS = {list: "une liste", str: "un texte", int: "un nombre", float: "un nombre",
          bool: "un booléen", type(None): "null"}  # fmt: skip


class LineError(MutualiseError):
    """A line that holds no message, and why."""


@dataclass(frozen=True)
class Line:
    sender: str
    text: str
    at: dt.datetime


def read_line(line: str) -> Line:
    """The message a line holds: a JSON object {"from", "text", "at"}; a LineError says in
    French what is wrong with it."""
    try:
        entry = json.loads(line)
    except json.JSONDecodeError as exc:
        msg = _not_json(exc, line)
        raise LineError(msg) from exc
    if not isinstance(entry, dict):
        msg = f"un objet JSON {{…}} est attendu, pas {_KINDS.get(type(entry), 'cela')}"
        raise LineError(msg)
    _all_fields(entry)
    for name in FIELDS:
        if not isinstance(entry[name], str):
            msg = (
                f"le champ « {name} » doit être un texte ({FIELDS[name]}), "
                f"pas {_KINDS.get(type(entry[name]), 'cela')}"
            )
            raise LineError(msg)
    if not entry["from"].strip():
        msg = f"le champ « from » est vide ({FIELDS['from']})"
        raise LineError(msg)
    return Line(entry["from"], entry["text"], _moment(entry["at"]))


def _all_fields(entry: dict[str, Any]) -> None:
    """Every field is there; else which are missing, and which were given instead."""
    missing = [name for name in FIELDS if name not in entry]
    if not missing:
        return
    names = listing([f"« {name} »" for name in missing])
    said = (
        f"le champ {names} ({FIELDS[missing[0]]})" if len(missing) == 1 else f"les champs {names}"
    )
    unknown = [f"« {name} »" for name in entry if name not in FIELDS]
    if unknown:  # "texte" for "text", "date" for "at"
        verb = (
            "n'est pas un champ attendu" if len(unknown) == 1 else "ne sont pas des champs attendus"
        )
        said += f" ; {listing(unknown)} {verb}"
    msg = f"il manque {said}"
    raise LineError(msg)


# What the JSON parser's complaints mean, said to a person who writes the file by hand.
_JSON_ERRORS = {
    "Unterminated string": "un texte entre guillemets n'est pas refermé",
    "Expecting property name": 'un nom de champ doit être entre guillemets droits ("from")',
    "Expecting ':'": "il manque « : » entre un nom de champ et sa valeur",
    "Expecting ','": "il manque une virgule entre deux champs, ou l'accolade qui ferme l'objet",
    "Extra data": "quelque chose suit l'accolade qui ferme l'objet",
    "Invalid control character": "un texte contient un retour à la ligne ou une tabulation "
    "non échappés (\\n, \\t)",
}


def _not_json(exc: json.JSONDecodeError, line: str) -> str:
    """Why a line is not JSON, and where."""
    if exc.pos >= len(line.rstrip()):
        return "la ligne s'arrête avant la fin de l'objet JSON (accolade fermante manquante ?)"
    if exc.pos == 0 and not line.lstrip().startswith(("{", "[", '"')):
        return 'ce n\'est pas du JSON : un objet {"from": …, "text": …, "at": …} est attendu'
    why = next((said for start, said in _JSON_ERRORS.items() if exc.msg.startswith(start)),
               "JSON mal formé")  # fmt: skip
    return f"{why} (caractère {exc.pos + 1})"


# The forms of "at" beside the contract's ISO one: the date as a French office writes it, day
# first (02/05/2027, 2.5.2027, 02-05-2027), maybe followed by a time (09:00, 09:00:30, 9h,
# 9h30, "à 9h") and a zone (Z, +02:00, +0200). A year of two digits is matched too, to be
# refused as ambiguous rather than unreadable.
_FRENCH = re.compile(
    r"(?P<day>\d{1,2})(?P<sep>[/.-])(?P<month>\d{1,2})(?P=sep)(?P<year>\d+)"
    r"(?:(?:T|\s+(?:à\s+)?)(?P<hour>\d{1,2})"
    r"(?::(?P<minute>\d{2})(?::(?P<second>\d{2}))?|h(?P<hminute>\d{2})?)"
    r"\s*(?P<zone>Z|[+-]\d{2}:?\d{2})?)?",
    re.IGNORECASE,
)
# The contract's form, its figures in place: one that is refused names no real instant.
_ISO = re.compile(
    r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?"
)
FORMS = "2027-05-02T09:00, 02/05/2027 09:00 ou 02/05/2027"


def _moment(value: str) -> dt.datetime:
    """The instant of "at": in ISO 8601 as the contract writes it, or as a French office
    does (`_FRENCH`); a LineError says why a date is unreadable, ambiguous or impossible."""
    text = value.strip()
    said = f"la date « {value} » du champ « at »"
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError as exc:
        if _ISO.fullmatch(text):  # the contract's form, with a day or an hour that is not
            msg = f"{said} n'existe pas ({_impossible(text[:10])})"
            raise LineError(msg) from exc
    found = _FRENCH.fullmatch(text)
    if found is None or len(found["year"]) not in (2, 4):
        msg = f"{said} est illisible (attendu : {FORMS})"
        raise LineError(msg)
    return _french_moment(found, said)


def _impossible(day: str) -> str:
    """What is impossible in an ISO date-time whose day is `day`: the day, or the hour."""
    try:
        dt.date.fromisoformat(day)
    except ValueError:
        return "ce jour n'est pas dans le calendrier"
    return "l'heure va de 00:00 à 23:59"


def _french_moment(found: re.Match[str], said: str) -> dt.datetime:
    """The instant a date written the French way names, or why it names none."""
    parts = found.groupdict()
    day, month, year = int(parts["day"]), int(parts["month"]), parts["year"]
    if len(year) == 2:
        whole = f"{day:02d}/{month:02d}/20{year}"
        msg = f"l'année de {said} est ambiguë : écrivez-la en entier, par exemple {whole}"
        raise LineError(msg)
    try:
        date = dt.date(int(year), month, day)
    except ValueError as exc:
        hint = " (le jour s'écrit avant le mois : JJ/MM/AAAA)" if day <= 12 < month else ""
        msg = f"{said} n'existe pas dans le calendrier{hint}"
        raise LineError(msg) from exc
    minute = parts["minute"] or parts["hminute"] or "0"
    try:
        time = dt.time(int(parts["hour"] or 0), int(minute), int(parts["second"] or 0))
    except ValueError as exc:
        msg = f"l'heure de {said} n'existe pas (de 00:00 à 23:59)"
        raise LineError(msg) from exc
    zone = parts["zone"]
    tzinfo = None
    if zone:
        tzinfo = dt.UTC if zone.upper() == "Z" else dt.datetime.strptime(zone, "%z").tzinfo
    return dt.datetime.combine(date, time, tzinfo)
