"""A declaration in conversation, whatever the chat app: what the bot understood, shown
as a card; the questions for what is missing, one at a time; the answers and corrections
folded back into the reading; and the reading kept between two messages as plain data."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from handlers.reading.intents import Intent
from handlers.reading.reader import ItemReading, Reader, Reading, missing_fields
from handlers.reading.text import Span
from handlers.recurrence import describe, yearly_on
from handlers.wording import amount, day, stretch

# The order questions are asked in: what, then how many, then when.
ASKED = ("items", "item", "quantity", "dates", "deadline")
KINDS = {
    Intent.PURCHASE: "Besoin d'achat",
    Intent.BORROW: "Besoin d'emprunt",
    Intent.LEND: "Offre de prêt",
    Intent.EVENT: "Manifestation",
    Intent.CANCEL: "Retrait",
    Intent.UNKNOWN: "Message",
}
CORRECTIONS = {
    "items": "Matériel",
    "quantity": "Quantité",
    "dates": "Dates",
    "deadline": "Échéance",
}
STALE = "Ce bouton ne vaut plus : ce qu'il proposait est déjà fait, retiré ou clos."


def to_state(reading: Reading) -> dict[str, Any]:
    """The reading as JSON-ready data, to be kept between two messages."""
    data = reading.to_json()
    data["text"] = reading.text
    return data


def from_state(data: dict[str, Any]) -> Reading:
    """The reading kept by `to_state`."""

    def date(value: str | None) -> dt.date | None:
        return dt.date.fromisoformat(value) if value else None

    items = [
        ItemReading(i["item"], i["label"], i["quantity"], i["unit"], Span(*i["span"]))
        for i in data["items"]
    ]
    return Reading(
        text=data["text"],
        intent=Intent(data["intent"]),
        items=items,
        start=date(data["start"]),
        end=date(data["end"]),
        deadline=date(data["deadline"]),
        event=data["event"],
        commune=data["commune"],
        missing=list(data["missing"]),
        spans={k: [Span(*s) for s in v] for k, v in data["spans"].items()},
        volunteer=bool(data.get("volunteer")),
        recurrence=data.get("recurrence"),
    )


def card(reading: Reading, commune: str) -> str:
    """What the bot understood, to be confirmed, corrected or dropped (plain text)."""
    lines = [f"{KINDS[reading.intent]} pour {commune} :"]
    lines += [f"• {amount(i.quantity, i.label)}" for i in reading.items]
    if reading.intent is Intent.PURCHASE:
        by = f"avant le {day(reading.deadline)}" if reading.deadline else "à préciser"
        lines.append(f"Échéance : {by}")
    elif reading.intent is not Intent.CANCEL or reading.start:
        lines.append(f"Dates : {stretch(reading.start, reading.end)}")
    if reading.event:
        lines.append(f"Manifestation : {reading.event}")
    if reading.recurrence and reading.start and reading.end:
        lines.append(f"Revient {describe(reading.recurrence, reading.end - reading.start)}")
    lines.append("")
    lines.append("Rien n'est enregistré avant que vous ne confirmiez.")
    return "\n".join(lines)


def yearly(reading: Reading) -> bool | None:
    """Whether the card's event comes back every year (True or False), or None when the
    card speaks of no dated event and the question does not arise."""
    if reading.event is None or reading.start is None or reading.intent is Intent.CANCEL:
        return None
    return reading.recurrence is not None


def toggle_yearly(reading: Reading) -> None:
    """Set when confirming: the event comes back every year on its date, or no longer."""
    if reading.recurrence is not None:
        reading.recurrence = None
    elif reading.start is not None:
        reading.recurrence = yearly_on(reading.start)


def to_ask(reading: Reading, skipped: list[str]) -> str | None:
    """The next thing to ask about, or None when the card can be shown."""
    return next((f for f in ASKED if f in reading.missing and f not in skipped), None)


def question(field: str, reading: Reading) -> str:
    """The one question that asks for a missing or wrong part."""
    if field == "item":
        label = next((i.label for i in reading.items if i.item is None), "cet article")
        return (
            f"Je ne trouve pas « {label} » dans le catalogue. Comment l'appelle-t-on "
            "autrement ? Vous pouvez aussi le garder tel quel."
        )
    if field == "quantity":
        fallback = reading.items[0].label if reading.items else "articles"
        label = next((i.label for i in reading.items if i.quantity is None), fallback)
        return f"Combien de « {label} » ? Écrivez un nombre, par exemple « 50 »."
    if field == "dates":
        return "Pour quelles dates ? Par exemple « le 12 juillet » ou « du 1er au 3 août »."
    if field == "deadline":
        return "Avant quelle date faut-il l'acheter ? Par exemple « avant septembre »."
    return "Quel matériel, et combien ? Par exemple « 200 ganivelles et un podium »."


def corrections(reading: Reading) -> list[str]:
    """The parts of a reading the writer may rewrite."""
    parts = ["items"]
    if len(reading.items) == 1:
        parts.append("quantity")
    if reading.intent is Intent.PURCHASE:
        parts.append("deadline")
    elif reading.intent is not Intent.CANCEL:
        parts.append("dates")
    return parts


def fill(
    reading: Reading, field: str, text: str, reader: Reader, today: dt.date, correcting: bool
) -> Reading | None:
    """The reading with `field` taken from the answer `text`; None when the answer does not
    give it. A correction replaces what was read; an answer fills what was missing."""
    changed = _filled(reading, field, text, reader, today, correcting)
    if changed is None:
        return None
    changed.missing = missing_fields(changed)
    return changed


def _filled(
    reading: Reading, field: str, text: str, reader: Reader, today: dt.date, correcting: bool
) -> Reading | None:
    if field == "quantity":
        count = reader.count(text, today)
        if count is None or count <= 0 or not reading.items:
            return None
        target = 0 if correcting else _first(reading, lambda i: i.quantity is None)
        return _with_item(reading, target, quantity=count)
    if field in ("dates", "deadline"):
        start, end, deadline = reader.when(text, today)
        if field == "deadline":
            return dataclasses.replace(reading, deadline=deadline) if deadline else None
        return dataclasses.replace(reading, start=start, end=end or start) if start else None
    found = reader.read(text, today).items
    if not found:
        return None
    if field == "item" and not correcting:
        target = _first(reading, lambda i: i.item is None)
        old = reading.items[target]
        new = found[0]
        return _with_item(
            reading, target, item=new.item, label=new.label, quantity=new.quantity or old.quantity
        )
    return dataclasses.replace(reading, items=list(found))


def _first(reading: Reading, test: Any) -> int:
    return next((n for n, i in enumerate(reading.items) if test(i)), 0)


def _with_item(reading: Reading, index: int, **changes: Any) -> Reading:
    items = list(reading.items)
    items[index] = dataclasses.replace(items[index], **changes)
    return dataclasses.replace(reading, items=items)
