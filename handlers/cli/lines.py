"""A line of `mutualise ingest`: the message it holds, or, in French, what is wrong with it."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from handlers.wording import listing
from storage.errors import MutualiseError

# The fields of a line, and what each holds, as the reader of an error needs to be told.
FIELDS = {
    "from": "l'adresse de l'expéditeur ou telegram:ID",
    "text": "le texte du message",
    "at": "la date et l'heure d'envoi, par exemple 2027-05-02T09:00",
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


def _moment(value: str) -> dt.datetime:
    """The instant of "at", in ISO 8601 as the contract writes it."""
    try:
        return dt.datetime.fromisoformat(value.strip())
    except ValueError as exc:
        msg = (
            f"la date « {value} » du champ « at » est illisible "
            "(attendu : AAAA-MM-JJTHH:MM, par exemple 2027-05-02T09:00)"
        )
        raise LineError(msg) from exc
