"""`calendrier.ics`: the manifestations and the loans, for a coordinator's calendar."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import socket
from collections.abc import Iterable

from icalendar import Calendar, Event
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.wording import listing
from storage.views import CONFIRMED, EventRow, ProposalRow

PRODID = "-//mutualise//calendrier des communes//FR"


def store_tag(session: AsyncSession, epci: str) -> str:
    """What makes this store's calendar entries its own: the territory's code and a digest
    of where the store lives ("200042174-3f9a0c1be27d").

    Two stores number their events from 1 alike; an entry's uid carries this tag so that a
    coordinator subscribed to two territories, or to a test store and the real one, never
    sees an entry of one replace the other's. The digest is of the database (server, port
    and name; for a SQLite file, its absolute path on this machine), never of a password."""
    url = session.get_bind().engine.url
    if url.get_backend_name() == "sqlite":
        database = url.database or ""
        if database and database != ":memory:":
            database = os.path.abspath(database)
        where = f"sqlite:{socket.gethostname()}:{database}"
    else:
        where = f"{url.get_backend_name()}:{url.host}:{url.port}/{url.database}"
    digest = hashlib.sha256(f"{where}|{epci}".encode()).hexdigest()[:12]
    return f"{epci}-{digest}"


def _sentence(text: str) -> str:
    """The text with a capital first letter, the rest as written ("Fête de la musique")."""
    return text[:1].upper() + text[1:]


def _event(uid: str, summary: str, start: dt.date, end: dt.date, stamp: dt.datetime) -> Event:
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    event.add("summary", _sentence(summary))
    event.add("dtstart", start)
    event.add("dtend", end + dt.timedelta(days=1))  # all-day events end the day after
    event.add("transp", "TRANSPARENT")
    return event


def calendar(
    name: str,
    events: Iterable[EventRow],
    loans: Iterable[ProposalRow],
    stamp: dt.datetime,
    domain: str,
    store: str,
) -> bytes:
    """One VEVENT per manifestation and per loan, with the communes concerned; `store`
    (`store_tag`) makes each uid unique across stores."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", f"Mutualisation — {name}")
    cal.add("x-wr-timezone", str(stamp.tzinfo))
    today = stamp.date()
    for row in events:
        # A recurring event has one entry a year: each occurrence needs its own uid.
        uid = f"event-{row.id}-{row.start:%Y%m%d}" if row.recurring else f"event-{row.id}"
        entry = _event(f"{uid}.{store}@{domain}", f"{row.name} ({row.commune})",
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
        entry = _event(f"loan-{loan.id}.{store}@{domain}",
                       f"Prêt : {what} de {lenders} à {loan.borrower}",
                       loan.start, loan.end or loan.start, stamp)  # fmt: skip
        entry.add("categories", ["Prêt"])
        entry.add("status", "CONFIRMED" if loan.status in CONFIRMED else "TENTATIVE")
        entry.add(
            "description",
            f"Proposition n° {loan.id} (prêt {loan.state_label(today)}). Communes : "
            f"{listing(loan.communes)}.\n{loan.reason}",
        )
        cal.add_component(entry)
    return bytes(cal.to_ical())
