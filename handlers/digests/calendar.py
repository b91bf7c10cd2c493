"""`calendrier.ics`: the manifestations and the loans, for a coordinator's calendar."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from icalendar import Calendar, Event

from handlers.wording import listing
from storage.views import CONFIRMED, EventRow, ProposalRow

PRODID = "-//mutualise//calendrier des communes//FR"


def _event(uid: str, summary: str, start: dt.date, end: dt.date, stamp: dt.datetime) -> Event:
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    event.add("summary", summary)
    event.add("dtstart", start)
    event.add("dtend", end + dt.timedelta(days=1))  # all-day events end the day after
    event.add("transp", "TRANSPARENT")
    return event


def calendar(
    name: str,
    events: Iterable[EventRow],
    loans: Iterable[ProposalRow],
    stamp: dt.datetime,
    domain: str = "mutualise",
) -> bytes:
    """One VEVENT per manifestation and per loan, with the communes concerned."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", f"Mutualisation — {name}")
    cal.add("x-wr-timezone", str(stamp.tzinfo))
    for row in events:
        # A recurring event has one entry a year: each occurrence needs its own uid.
        uid = f"event-{row.id}-{row.start:%Y%m%d}" if row.recurring else f"event-{row.id}"
        entry = _event(f"{uid}@{domain}", f"{row.name} ({row.commune})",
                       row.start, row.end, stamp)  # fmt: skip
        entry.add("location", row.commune)
        entry.add("categories", ["Manifestation"])
        if row.items:
            entry.add("description", f"Matériel demandé : {row.equipment}.")
        cal.add_component(entry)
    for loan in loans:
        if loan.start is None:
            continue
        lenders = listing(loan.lenders)
        what = loan.what
        entry = _event(f"loan-{loan.id}@{domain}", f"Prêt : {what} de {lenders} à {loan.borrower}",
                       loan.start, loan.end or loan.start, stamp)  # fmt: skip
        entry.add("categories", ["Prêt"])
        entry.add("status", "CONFIRMED" if loan.status in CONFIRMED else "TENTATIVE")
        entry.add(
            "description",
            f"Proposition n° {loan.id} ({loan.status_label}). Communes : "
            f"{listing(loan.communes)}.\n{loan.reason}",
        )
        cal.add_component(entry)
    return bytes(cal.to_ical())
