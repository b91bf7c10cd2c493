"""The calendar people subscribe to: fetched over real HTTP on loopback, parsed by icalendar,
refused for a wrong or revoked token; and end to end through `mutualise run`."""

from __future__ import annotations

import asyncio
import datetime as dt
import re
import signal
from collections.abc import AsyncIterator

import aiohttp
import icalendar
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers.calendar_feed import CalendarTokenError, digest, issue, revoke
from handlers.cli.calendar_feed import serving_feed
from storage.members import add_member
from storage.models import CalendarToken, Commune, Event, EventItem, Role
from tests.cli import mutualise
from tests.test_digests import PARIS, play
from tests.test_service import MUTUALISE, free_port, service_env

JUNE_1 = dt.datetime(2027, 6, 1, 9, tzinfo=PARIS)


async def territory(sessions: async_sessionmaker[AsyncSession]) -> str:
    """The digests' scenario (a loan from Lorient to Riantec on 21 June 2027), a yearly
    event of Larmor-Plage from 2026, and a token for a coordinator of Lorient."""
    await play(sessions)
    async with sessions.begin() as session:
        session.add(
            Event(commune_insee="56107", name="Fête de la mer", start=dt.date(2026, 7, 10),
                  end=dt.date(2026, 7, 11), recurring=True,
                  rule="FREQ=YEARLY;BYMONTH=7;BYMONTHDAY=10",
                  items=[EventItem(item_label="podiums", quantity=2)])
        )  # fmt: skip
        lorient = await session.get(Commune, "56121")
        assert lorient is not None
        await add_member(session, lorient, Role.COORDINATOR, emails=["agglo@lorient.bzh"])
        issued = await issue(session, email="Agglo@Lorient.bzh ")
    return issued.secret


@pytest.fixture
async def served(sessions: async_sessionmaker[AsyncSession]) -> AsyncIterator[str]:
    """The feed served on a free loopback port; yields its base address."""
    async with serving_feed(sessions, "127.0.0.1", 0, lambda: JUNE_1) as port:
        yield f"http://127.0.0.1:{port}"


async def fetch(url: str) -> tuple[int, str, bytes]:
    async with aiohttp.ClientSession() as client, client.get(url) as response:
        return response.status, response.headers.get("Content-Type", ""), await response.read()


async def test_the_feed_shows_occurrences_and_loans(
    sessions: async_sessionmaker[AsyncSession], served: str
) -> None:
    secret = await territory(sessions)
    status, kind, body = await fetch(f"{served}/calendrier/{secret}.ics")
    assert status == 200 and kind == "text/calendar; charset=utf-8"
    cal = icalendar.Calendar.from_ical(body)
    entries = {str(e["summary"]): e for e in cal.walk("VEVENT")}
    # From three months back (1 March 2027) to eighteen months ahead (1 December 2028): the
    # yearly event twice, each occurrence with its own uid; 10 July 2026 is too old.
    sea = sorted(
        (e.decoded("dtstart"), str(e["uid"])) for e in cal.walk("VEVENT")
        if str(e["summary"]) == "Fête de la mer (Larmor-Plage)"
    )  # fmt: skip
    assert [d for d, _ in sea] == [dt.date(2027, 7, 10), dt.date(2028, 7, 10)]
    assert len({uid for _, uid in sea}) == 2
    # Each uid carries the store's tag: two stores' "event-1" are two entries.
    assert all(
        re.fullmatch(r"event-\d+-\d{8}\.200042174-[0-9a-f]{12}@mutualise", u) for _, u in sea
    )
    loan = entries["Prêt : 40 barrières Vauban de Lorient à Riantec"]
    assert loan.decoded("dtstart") == dt.date(2027, 6, 21)
    assert str(loan["status"]) == "CONFIRMED"
    assert "Fête de la musique (Riantec)" in entries


async def test_a_wrong_or_revoked_token_is_refused_alike(
    sessions: async_sessionmaker[AsyncSession], served: str
) -> None:
    secret = await territory(sessions)
    status, kind, refused = await fetch(f"{served}/calendrier/{'x' * len(secret)}.ics")
    assert status == 404 and b"introuvable" in refused and b"Traceback" not in refused
    async with sessions.begin() as session:
        token = await session.scalar(
            select(CalendarToken.id).where(CalendarToken.digest == digest(secret))
        )
        assert token is not None  # the secret itself is never stored, only its digest
        await revoke(session, token, JUNE_1)
    # Revoked or never issued: the same answer, byte for byte.
    assert await fetch(f"{served}/calendrier/{secret}.ics") == (404, kind, refused)
    status, _, _ = await fetch(f"{served}/calendrier/")
    assert status == 404


async def test_the_server_does_not_announce_its_versions(served: str) -> None:
    for path in ("/calendrier/x.ics", "/nothing-here"):
        async with aiohttp.ClientSession() as client, client.get(served + path) as response:
            assert response.headers.get("Server") == "mutualise"


async def test_only_an_active_coordinator_gets_a_token(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions.begin() as session:
        with pytest.raises(CalendarTokenError, match="n'est pas un coordinateur"):
            await issue(session, email="anne@gmail.com")  # Riantec's correspondent
        with pytest.raises(CalendarTokenError, match="Aucun membre"):
            await issue(session, member_id=999)


@pytest.mark.e2e
async def test_run_serves_the_feed_until_revoked(initialised_url: str) -> None:
    """The commands and the service as a coordinator uses them."""
    assert mutualise("members", "add", "--commune", "Lorient", "--role", "coordinator",
                     "--email", "agglo@lorient.bzh", db=initialised_url).returncode == 0  # fmt: skip
    added = mutualise("calendar-token", "add", "--member", "1", db=initialised_url)
    assert added.returncode == 0, added.stderr
    path = re.search(r"/calendrier/[\w-]{32}\.ics", added.stdout)
    assert path is not None and "MUTUALISE_CALENDAR_URL" in added.stdout
    env = service_env(initialised_url)
    port, page = free_port(), free_port()
    env.update(MUTUALISE_SMTP_PORT=str(free_port()),
               MUTUALISE_MAIL_ADDRESSES="besoins@agglo.example", MUTUALISE_SCHEDULER="false",
               MUTUALISE_SECRET="the secret of the test territory",
               MUTUALISE_CALENDAR_PORT=str(port), MUTUALISE_WEB_PORT=str(page))  # fmt: skip
    # The territory's page beside the feed: a one-time link opens it.
    link = mutualise("web-link", "--member", "1", db=initialised_url)
    login = re.search(r"/connexion/[\w-]{43}", link.stdout)
    assert login is not None, link.stderr
    service = await asyncio.create_subprocess_exec(
        MUTUALISE, "run", env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    try:
        for _ in range(100):  # the service may still be starting
            try:
                status, kind, body = await fetch(f"http://127.0.0.1:{port}{path[0]}")
                break
            except aiohttp.ClientConnectionError:
                await asyncio.sleep(0.1)
        assert status == 200 and kind.startswith("text/calendar")
        assert icalendar.Calendar.from_ical(body)["x-wr-calname"] == (
            "Mutualisation — Lorient Agglomération"
        )
        async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as client:
            site = f"http://127.0.0.1:{page}"
            async with client.post(site + login[0]) as opened:
                assert opened.status == 200  # redirected to the page, the cookie set
                assert "Référencement — Lorient Agglomération" in await opened.text()
        assert mutualise("calendar-token", "revoke", "1", db=initialised_url).returncode == 0
        status, _, _ = await fetch(f"http://127.0.0.1:{port}{path[0]}")
        assert status == 404
    finally:
        service.send_signal(signal.SIGTERM)
        out, err = await asyncio.wait_for(service.communicate(), timeout=30)
    assert service.returncode == 0, err.decode()
    assert "Calendrier par abonnement servi" in out.decode()
    assert "Page du territoire servie" in out.decode()
    listed = mutualise("calendar-token", "list", db=initialised_url).stdout
    assert "révoquée le" in listed and path[0] not in listed
