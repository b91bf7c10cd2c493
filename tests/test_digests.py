"""The digests, from messages read by the real inbox: what they say, the workbook and the
calendar opened with the libraries a coordinator's tools use, and what cannot get in."""

from __future__ import annotations

import datetime as dt
import io
import re
from zoneinfo import ZoneInfo

import icalendar
import openpyxl
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from handlers.digests import DigestConfig, Rendered, matching_digest, semester_summary
from handlers.inbound import Inbound
from handlers.inbox import Inbox
from handlers.proposals import answer
from storage import views
from storage.database import session_factory
from storage.models import (
    Channel,
    Event,
    Need,
    NeedKind,
    NeedStatus,
    Proposal,
    ProposalKind,
)
from tests.conftest import SEEDED, Start, seed
from tests.readers import shared_reader

PARIS = ZoneInfo("Europe/Paris")
READER = shared_reader()
JULY_1 = dt.datetime(2027, 7, 1, 8, tzinfo=PARIS)

SCENARIO = [
    ("st@lorient.bzh", "Nous pouvons prêter nos 100 barrières Vauban de juin à septembre.", 3),
    ("anne@gmail.com", "il nous faudrait 40 barrières Vauban pour la fête de la musique le 21 juin", 4),
    ("mairie@caudan.fr", "Nous devons acheter 3 ordinateurs portables avant septembre", 5),
    ("mairie@cleguer.fr", "Besoin d'acheter 2 ordinateurs portables d'ici fin juillet", 6),
    ("mairie@mairie-queven.fr", "Quéven souhaiterait emprunter un chapiteau pour le 14 juillet", 7),
]  # fmt: skip


async def play(sessions: async_sessionmaker[AsyncSession], accept: bool = True) -> None:
    """The scenario through the inbox, then both communes accept the loan (unless not)."""
    inbox = Inbox(sessions, READER)
    for sender, text, day in SCENARIO:
        at = dt.datetime(2027, 5, day, 9, tzinfo=PARIS)
        await inbox.receive(Inbound.from_line(sender, text, at))
    if not accept:
        return
    async with sessions.begin() as session:
        loan = await session.scalar(select(Proposal).where(Proposal.kind == ProposalKind.LOAN))
        assert loan is not None
        at = dt.datetime(2027, 5, 10, 9, tzinfo=PARIS)
        await answer(session, loan.id, "56121", True, at)  # Lorient
        await answer(session, loan.id, "56193", True, at)  # Riantec


async def _played(engine: AsyncEngine) -> None:
    await seed(engine)
    await play(session_factory(engine))


# The tests that begin on the scenario, loan accepted (`played`), get it built once per
# worker and backend, rather than playing it through the inbox again (a fifth of a second).
PLAYED = Start("played", _played)


@pytest.fixture
def played() -> None:
    """The test's store begins after `play` (see `store_start`)."""


@pytest.fixture
def store_start(request: pytest.FixtureRequest) -> Start:
    """After `play` for the tests that use `played`; seeded for the others."""
    return PLAYED if "played" in request.fixturenames else SEEDED


async def summary(
    sessions: async_sessionmaker[AsyncSession],
    now: dt.datetime,
    config: DigestConfig | None = None,
) -> Rendered:
    async with sessions() as session:
        (scope,) = await views.territories(session)
        items = await views.catalogue(session)
        return await semester_summary(session, scope, items, now, config or DigestConfig())


@pytest.mark.usefixtures("played")
async def test_semester_summary_says_what_the_communes_wrote(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    rendered = await summary(sessions, JULY_1)
    text = rendered.text.replace("\xa0", " ").replace("\u202f", " ")
    html = rendered.html
    assert "au 1er juillet 2027" in text
    assert "du 1er janvier 2027 au 30 juin 2027" in text
    # Open needs by family: the purchases and Quéven's marquee; Riantec's loan is over.
    assert "Caudan : achat, 3 ordinateurs portables, avant le 31 août 2027" in text
    assert "Quéven : emprunt, 1 chapiteau, le 14 juillet 2027" in text
    assert "Riantec : emprunt" not in text
    # The group order to launch, with its total, shares and carrier.
    assert "ordinateur portable : 5 en tout, avant le 31 juillet 2027" in text
    assert "Porteur suggéré : Caudan" in text
    # The loan was made (21 June, confirmed): one day lent, 40 × 50 € spared to Riantec.
    assert "N° 1 : 40 barrières Vauban de Lorient à Riantec, le 21 juin 2027" in text
    assert "- Lorient : 0 besoin déclaré" in text and "1 consenti, 1 jour de prêt" in text
    assert "Riantec : 1 besoin déclaré, 100 % avec proposition" in text
    assert "2 000 € d'économies confirmées" in text
    # A group order's savings wait for answers: 10 % of 5 × 800 €.
    assert "Économies estimées : 2 000 € confirmées, 400 € en attente" in text
    assert (
        "Sans déclaration ce semestre : Brandérion" in text
        and "Lorient," not in text.split("Sans déclaration")[1].split("\n")[0]
    )
    assert "<h2>Besoins ouverts par famille (3)</h2>" in html
    assert rendered.notice.subject.startswith("État des lieux semestriel")
    assert "• 3 besoins ouverts" in (rendered.notice.brief or "")


@pytest.mark.usefixtures("played")
async def test_workbook_and_calendar_open_in_the_coordinators_tools(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    rendered = await summary(sessions, JULY_1)
    _, xlsx = rendered.files["besoins.xlsx"]
    book = openpyxl.load_workbook(io.BytesIO(xlsx))
    assert book.sheetnames == [
        "Besoins", "Propositions", "Calendrier", "Pics", "Prix", "Indicateurs"
    ]  # fmt: skip
    # Quéven's marquee, which nobody lends, is a peak of its own.
    assert list(book["Pics"].iter_rows(min_row=2, values_only=True)) == [
        ("chapiteau", dt.datetime(2027, 7, 14), dt.datetime(2027, 7, 14), 1, 0, 1)
    ]
    needs = book["Besoins"]
    assert needs.freeze_panes == "A2" and needs.auto_filter.ref == "A1:L4"
    assert [c.value for c in needs[1]][:5] == ["N°", "Commune", "Famille", "Type", "Matériel"]
    rows = list(needs.iter_rows(min_row=2, values_only=True))
    async with sessions() as session:
        live = (
            await session.scalars(
                select(Need.id).where(Need.status.in_((NeedStatus.OPEN, NeedStatus.MATCHED)))
            )
        ).all()
    assert {r[0] for r in rows} == set(live) - {1}  # need 1: its day has passed
    caudan = next(r for r in rows if r[1] == "Caudan")
    assert caudan[4] == "ordinateur portable" and caudan[5] == 3
    assert caudan[9] == dt.datetime(2027, 8, 31)
    assert needs.column_dimensions["B"].width == 18
    # Every cell at the top of its row, beside text that wraps: plain ones by the style
    # Normal, dates and amounts by their own.
    assert book._named_styles["Normal"].alignment.vertical == "top"  # type: ignore[attr-defined]
    deadline = next(cell for cell in needs["J"][1:] if cell.value is not None)
    assert (deadline.number_format, deadline.alignment.vertical) == ("DD/MM/YYYY", "top")
    proposals = list(book["Propositions"].iter_rows(min_row=2, values_only=True))
    assert {(r[0], r[1]) for r in proposals} == {(1, "prêt"), (2, "groupement de commandes")}
    indicators = list(book["Indicateurs"].iter_rows(min_row=2, values_only=True))
    assert len(indicators) == 26 and indicators[-1][0] == "Total"
    assert indicators[-1][8] == 2000

    _, ics = rendered.files["calendrier.ics"]
    calendar = icalendar.Calendar.from_ical(ics)
    # the fête (21 June) is behind us; Quéven's chapiteau is for the 14 juillet, an event
    entries = {str(e["UID"]).split(".")[0]: e for e in calendar.walk("VEVENT")}
    assert set(entries) == {"loan-1", "event-2"}
    assert str(entries["event-2"]["SUMMARY"]) == "14 juillet (Quéven)"
    loan = entries["loan-1"]
    # The store's tag (territory code, digest of where the store lives) in every uid.
    assert re.fullmatch(r"loan-1\.200042174-[0-9a-f]{12}@mutualise", str(loan["UID"]))
    assert loan.decoded("DTSTART") == dt.date(2027, 6, 21)
    assert loan.decoded("DTEND") == dt.date(2027, 6, 22)
    assert "Lorient" in str(loan["SUMMARY"]) and str(loan["STATUS"]) == "CONFIRMED"

    june = await summary(sessions, dt.datetime(2027, 6, 1, 8, tzinfo=PARIS))
    calendar = icalendar.Calendar.from_ical(june.files["calendrier.ics"][1])
    fete = next(e for e in calendar.walk("VEVENT") if str(e["UID"]).startswith("event-"))
    assert str(fete["SUMMARY"]) == "Fête de la musique (Riantec)"  # a sentence: a capital
    assert "40 barrières Vauban" in str(fete["DESCRIPTION"])


async def test_user_text_cannot_inject_markup_or_formulas(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    hostile = ['=HYPERLINK("http://evil","x")', "@SUM(A1:A9)", "+1+2", "-3", "<b>gras</b>"]
    now = dt.datetime(2027, 3, 1, 8, tzinfo=PARIS)
    async with sessions.begin() as session:
        for label in hostile:
            session.add(
                Need(
                    commune_insee="56193",
                    kind=NeedKind.PURCHASE,
                    item_label=label,
                    quantity=1,
                    deadline=dt.date(2027, 5, 1),
                    channel=Channel.EMAIL,
                    created_at=now,
                    updated_at=now,
                )
            )
        session.add(
            Event(
                commune_insee="56193",
                name="<script>alert('x')</script>",
                start=dt.date(2027, 4, 1),
                end=dt.date(2027, 4, 1),
                created_at=now,
            )
        )
    rendered = await summary(sessions, now)
    assert "<script>" not in rendered.html and "&lt;script&gt;" in rendered.html
    assert "<b>gras</b>" not in rendered.html and "&lt;b&gt;gras&lt;/b&gt;" in rendered.html
    assert "<b>gras</b>" in rendered.text  # plain text stays as written
    book = openpyxl.load_workbook(io.BytesIO(rendered.files["besoins.xlsx"][1]))
    cells = {c.value: c for row in book["Besoins"].iter_rows(min_row=2) for c in row}
    for label in hostile:
        assert cells[label].data_type == "s", label
    assert cells["@SUM(A1:A9)"].quotePrefix
    calendar = book["Calendrier"]
    assert calendar.cell(row=2, column=4).value == "<script>alert('x')</script>"


@pytest.mark.usefixtures("played")
async def test_matching_digest_tells_only_what_is_new(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    now = dt.datetime(2027, 5, 20, 8, tzinfo=PARIS)
    async with sessions() as session:
        (scope,) = await views.territories(session)
        items = await views.catalogue(session)
        first = await matching_digest(session, scope, items, now, None, None, DigestConfig())
        assert first.news
        assert "N° 2 — Groupement de commandes : ordinateur portable" in first.text
        # Made more than a week ago, Caudan and Cléguer have not answered.
        assert "N° 2, groupement de commandes : ordinateur portable" in first.text
        assert "sans réponse : Caudan, Cléguer" in first.text
        # Quéven's marquee (nobody lends one) is not yet within 30 days of its 14 July.
        assert "Quéven : emprunt" not in first.text
        later = now + dt.timedelta(days=1)
        second = await matching_digest(session, scope, items, later, now, first.seen,
                                       DigestConfig())  # fmt: skip
        assert not second.news
        assert "Aucune nouvelle proposition." in second.text
        june = dt.datetime(2027, 6, 20, 8, tzinfo=PARIS)
        third = await matching_digest(session, scope, items, june, later, second.seen,
                                      DigestConfig())  # fmt: skip
    assert third.news  # the marquee's day now falls within 30 days
    assert "- 14 juillet 2027, Quéven : emprunt de 1 chapiteau" in third.text


async def test_a_loan_whose_day_is_gone_is_no_longer_awaited(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await play(sessions, accept=False)  # nobody answers the loan of 21 June
    async with sessions() as session:
        (scope,) = await views.territories(session)
        items = await views.catalogue(session)
        june = await matching_digest(session, scope, items, dt.datetime(2027, 6, 20, 8, tzinfo=PARIS), None, None, DigestConfig())  # fmt: skip
        july = await matching_digest(session, scope, items, JULY_1, None, None, DigestConfig())
    assert "- N° 1, prêt : barrière Vauban" in june.text
    assert "- N° 1, prêt" not in july.text
    assert "- N° 2, groupement de commandes : ordinateur portable" in july.text  # still due


async def test_coordinators_get_the_digests_in_the_chat(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    from bot.digests import rendered_digests

    await play(sessions)
    digests = rendered_digests(sessions, DigestConfig())
    semester = await digests("semester", JULY_1)
    assert semester.html.startswith("<b>État des lieux semestriel des besoins au 1er juillet")
    assert [name for name, _ in semester.files] == ["besoins.xlsx", "calendrier.ics"]
    matching = await digests("matching", dt.datetime(2027, 5, 20, 8, tzinfo=PARIS))
    assert "N° 2, groupement de commandes" in matching.html and not matching.files
