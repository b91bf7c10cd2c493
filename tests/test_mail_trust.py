"""The attacks of issue 16, replayed through real SMTP conversations on loopback, on SQLite
and PostgreSQL: nobody speaks for a commune by forging a From line, no email freezes the
service, and nothing answered 250 is lost."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers.inbox import Inbox
from mail.sandbox import ParserPool
from mail.server import Mailbox, MailHandler, serve
from storage.models import InboundMessage, InboundStatus, Need, OutboxMessage
from tests.territories import neighbour
from tests.test_mail_smtp import AUTHSERV, NOW, READER, TOKENS, TRUST, Server, mail, rows

ADDRESS = "besoins@mutualise.example"


@pytest.fixture
async def server(sessions: async_sessionmaker[AsyncSession]) -> AsyncIterator[Server]:
    handler = MailHandler(
        Inbox(sessions, READER), Mailbox.of(ADDRESS), lambda: NOW, TRUST,
        parser=ParserPool(timeout=2), held_replies_per_day=3,
    )  # fmt: skip
    listening = await serve(handler, "127.0.0.1", 0, 12 * 1024 * 1024)
    yield Server(listening.sockets[0].getsockname()[1])
    listening.close()
    await listening.wait_closed()
    await handler.close()


async def talk(server: Server, raw: bytes, sender: str = "x@x.example", to: str = ADDRESS) -> int:
    return (await asyncio.to_thread(server.send, raw, sender, to))[0]


NEED = "Il nous faudrait 500 ganivelles le 21 juin."


def forged(sender: str, verdict: str | None, subject: str = "Besoin") -> bytes:
    """A need for Lorient from whoever, written byte by byte as an attacker would; `verdict`
    the trusted server's header(s), one a line, or none at all."""
    lines = [f"Authentication-Results: {v}" for v in (verdict or "").split("\n") if v]
    lines += [f"From: {sender}", f"To: {ADDRESS}", f"Subject: {subject}",
              f"Message-ID: <{time.perf_counter_ns()}@x.example>", "", NEED, ""]  # fmt: skip
    return "\r\n".join(lines).encode()


@pytest.mark.parametrize(
    ("sender", "verdict"),
    [
        ("quiconque@lorient.bzh", None),
        ("quiconque@lorient.bzh", f"{AUTHSERV}; dmarc=none header.from=lorient.bzh"),
        ("quiconque@lorient.bzh", f"{AUTHSERV}; dmarc=permerror header.from=lorient.bzh"),
        ("quiconque@lorient.bzh", f"{AUTHSERV}; spf=neutral smtp.mailfrom=lorient.bzh"),
        ("quiconque@lorient.bzh", f"{AUTHSERV}; dmarc=pass header.from=x.example"),
        ("quiconque@lorient.bzh", f"{AUTHSERV}; spf=pass smtp.helo=lorient.bzh"),
        ("quiconque@lorient.bzh", f"{AUTHSERV}; dkim=pass header.d=x.example"),
        ("quiconque@lorient.bzh", "evil.example; dmarc=pass header.from=lorient.bzh"),
        ("quiconque@lorient.bzh", f"{AUTHSERV}; dmarc=pass header.from=lorient.bzh (unclosed"),
        ("quiconque@lorient.bzh",
         f"{AUTHSERV}; dmarc=fail header.from=lorient.bzh\n{AUTHSERV};"
         " dmarc=pass header.from=lorient.bzh"),
        ("mairie@lorient.bzh <evil@x.example>", f"{AUTHSERV}; dmarc=pass header.from=x.example"),
        ("<mairie@lorient.bzh>evil@x.example", f"{AUTHSERV}; dmarc=pass header.from=x.example"),
        ("a@lorient.bzh, evil@x.example", f"{AUTHSERV}; dmarc=pass header.from=x.example"),
        ("a@lorient.bzh, evil@x.example", f"{AUTHSERV}; dmarc=pass header.from=lorient.bzh"),
        ("=?utf-8?q?Mairie=0D=0AX:_y?= <mairie@lorient.bzh>",
         f"{AUTHSERV}; dmarc=pass header.from=lorient.bzh"),
        ("anne@gmail.com", None),  # a member's own address, forged
    ],
)  # fmt: skip
async def test_a_forged_sender_records_nothing(
    server: Server, sessions: async_sessionmaker[AsyncSession], sender: str, verdict: str | None
) -> None:
    assert await talk(server, forged(sender, verdict)) == 250
    assert await rows(sessions, Need) == []
    (logged,) = await rows(sessions, InboundMessage)
    assert logged.status is InboundStatus.QUARANTINED
    assert logged.commune_insee is None and logged.member_id is None
    for answer in await rows(sessions, OutboxMessage):  # neutral: nothing of theirs echoed
        assert answer.subject == "Votre message à mutualise" and "ganivelles" not in answer.body


@pytest.mark.parametrize(
    "verdict",
    [
        f"{AUTHSERV}; dmarc=pass (p=none dis=none) header.from=lorient.bzh",
        f"{AUTHSERV}; dmarc=none header.from=lorient.bzh; spf=pass smtp.mailfrom=mairie@lorient.bzh",
        f"{AUTHSERV} 1; dkim=pass (2048-bit key) header.d=lorient.bzh header.s=s1 header.b=Xy",
    ],
)
async def test_an_aligned_pass_speaks_for_the_commune(
    server: Server, sessions: async_sessionmaker[AsyncSession], verdict: str
) -> None:
    assert await talk(server, forged("mairie@lorient.bzh", verdict)) == 250
    assert [(n.commune_insee, n.quantity) for n in await rows(sessions, Need)] == [("56121", 500)]


async def test_a_member_without_an_authentication_server_writes_to_their_reply_address(
    server: Server, sessions: async_sessionmaker[AsyncSession]
) -> None:
    """The small territory's way: Anne answers a mail of mutualise, whose Reply-To carries
    the token of her address; her forged address alone, or another's token, records nothing."""
    own = TOKENS.reply_address(ADDRESS, "anne@gmail.com")
    other = TOKENS.reply_address(ADDRESS, "autre@gmail.com")
    assert await talk(server, forged("anne@gmail.com", None), to=other) == 250
    assert await talk(server, forged("anne@gmail.com", None), to=ADDRESS) == 250
    assert await rows(sessions, Need) == []
    assert await talk(server, forged("anne@gmail.com", None), to=own) == 250
    assert [n.commune_insee for n in await rows(sessions, Need)] == ["56193"]


async def test_held_mail_is_answered_once_a_day_within_a_budget(
    server: Server, sessions: async_sessionmaker[AsyncSession]
) -> None:
    """Backscatter: forged mail cannot make mutualise write to an address more than once a
    day, nor to more than a few addresses a day, nor echo the attacker's subject."""
    for victim in ["a@victim.example", "a@victim.example", "b@v.example", "c@v.example",
                   "d@v.example", "e@v.example"]:  # fmt: skip
        raw = forged(victim, None, subject="Achetez nos pilules")
        assert await talk(server, raw, sender=f"bounce-{time.perf_counter_ns()}@x.example") == 250
    answers = await rows(sessions, OutboxMessage)
    assert sorted(a.recipient for a in answers) == ["a@victim.example", "b@v.example",
                                                     "c@v.example"]  # fmt: skip
    assert all("pilules" not in (a.subject or "") + a.body for a in answers)
    assert all(not a.headers for a in answers)


def deep(levels: int) -> bytes:
    head = f"Authentication-Results: {AUTHSERV}; dmarc=pass header.from=lorient.bzh\r\n"
    head += "From: mairie@lorient.bzh\r\nMessage-ID: <deep@lorient.bzh>\r\nMIME-Version: 1.0\r\n"
    parts = "".join(
        f"Content-Type: multipart/mixed; boundary=b{i}\r\n\r\n--b{i}\r\n" for i in range(levels)
    )
    return (head + parts + "Content-Type: text/plain\r\n\r\n" + NEED + "\r\n").encode()


def many_parts(count: int) -> bytes:
    head = f"Authentication-Results: {AUTHSERV}; dmarc=pass header.from=lorient.bzh\r\n"
    head += "From: mairie@lorient.bzh\r\nMessage-ID: <many@lorient.bzh>\r\nMIME-Version: 1.0\r\n"
    head += "Content-Type: multipart/mixed; boundary=b\r\n\r\n"
    part = "--b\r\nContent-Type: text/plain\r\n\r\n3 barnums le 21 juin\r\n"
    return (head + part * count + "--b--\r\n").encode()


@pytest.mark.parametrize(
    ("raw", "why"),
    [
        (deep(1200), "plus de 100 parties"),
        (deep(12), "imbriquées"),
        (many_parts(5000), "plus de 100 parties"),
        (
            f"Authentication-Results: {AUTHSERV}; dmarc=pass header.from=lorient.bzh\r\n"
            "From: mairie@lorient.bzh\r\nMIME-Version 1.0\r\n\r\n100 MIME-Version".encode(),
            "en-têtes malformés",
        ),
    ],
    ids=["1200-deep", "12-deep", "5000-parts", "no-from"],
)
async def test_unreadable_mail_is_quarantined_never_read_as_the_envelope(
    server: Server, sessions: async_sessionmaker[AsyncSession], raw: bytes, why: str
) -> None:
    assert await talk(server, raw, sender="mairie@lorient.bzh") == 250
    assert await rows(sessions, Need) == []
    (logged,) = await rows(sessions, InboundMessage)
    assert logged.status is InboundStatus.QUARANTINED and why in (logged.outcome or "")


def slow_to_parse() -> bytes:
    """A mail whose Content-Type takes the standard parser seconds (thousands of
    parameters): it must not hold the service."""
    head = f"Authentication-Results: {AUTHSERV}; dmarc=pass header.from=lorient.bzh\r\n"
    head += "From: mairie@lorient.bzh\r\nMessage-ID: <slow@lorient.bzh>\r\n"
    head += "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n"
    head += "Content-Type: text/plain; " + ("a=b; " * 50 + "\r\n ") * 240 + "c=d\r\n\r\n"
    return (head + NEED + "\r\n--b--\r\n").encode()


async def test_a_hostile_mail_does_not_hold_the_others(
    server: Server, sessions: async_sessionmaker[AsyncSession]
) -> None:
    hostile = asyncio.create_task(talk(server, slow_to_parse(), sender="mairie@lorient.bzh"))
    await asyncio.sleep(0.3)  # its parse is under way
    started = time.perf_counter()
    ordinary = mail("Il nous faudrait 3 barnums le 21 juin.", message_id="<fast@caudan.fr>")
    assert await talk(server, ordinary, sender="st@caudan.fr") == 250
    # Answered while the hostile parse still runs (it is cut at 2 s): the loop was not held.
    # An order, not a wall-clock bound, so that a loaded machine does not fail it.
    assert not hostile.done(), (
        f"answered after the hostile mail ({time.perf_counter() - started:.2f} s)"
    )
    assert await hostile == 250
    statuses = {m.sender: (m.status, m.outcome) for m in await rows(sessions, InboundMessage)}
    assert statuses["st@caudan.fr"][0] is InboundStatus.RECORDED
    assert "analyse trop longue" in (statuses[""][1] or "")
    assert [(n.commune_insee, n.item_id) for n in await rows(sessions, Need)] == [
        ("56036", "barnum")
    ]


@pytest.mark.parametrize(
    "raw",
    [
        mail(NEED, Subject="Demande " + "très longue " * 60, message_id="<long@caudan.fr>"),
        mail(NEED.replace("500", "5\x000"), message_id="<nul@caudan.fr>"),
        mail(f"Il nous faudrait {'9' * 5400} ganivelles le 21 juin.", message_id="<n@caudan.fr>"),
        mail("Il nous faudrait 3000000000 ganivelles le 21 juin.", message_id="<b@caudan.fr>"),
    ],
    ids=["long-subject", "nul", "5400-digits", "beyond-int4"],
)
async def test_what_is_answered_250_is_recorded_and_answered(
    server: Server, sessions: async_sessionmaker[AsyncSession], raw: bytes
) -> None:
    assert await talk(server, raw, sender="st@caudan.fr") == 250
    (logged,) = await rows(sessions, InboundMessage)
    assert logged.status is InboundStatus.RECORDED, logged.outcome
    (need,) = await rows(sessions, Need)
    assert need.commune_insee == "56036" and need.item_id == "ganivelle"
    (answer,) = await rows(sessions, OutboxMessage)
    assert len(answer.subject or "") <= 300 and "\x00" not in answer.body


async def test_duplicates_are_keyed_on_sender_id_and_content(
    server: Server, sessions: async_sessionmaker[AsyncSession]
) -> None:
    """A stranger reusing a town hall's Message-ID, before or after it, drops nothing; the
    same mail delivered twice is recorded once."""
    squatted = mail("Il nous faudrait 3 barnums le 21 juin.", sender="evil@x.example",
                    Authentication_Results="")  # fmt: skip
    assert await talk(server, squatted) == 250
    first = mail("Il nous faudrait 3 barnums le 21 juin.")
    other = mail("Il nous faudrait 2 podiums le 21 juin.")  # same id, another content
    for raw in (first, first, other):
        assert await talk(server, raw, sender="st@caudan.fr") == 250
    needs = sorted((n.item_id, n.quantity) for n in await rows(sessions, Need))
    assert needs == [("barnum", 3), ("podium", 2)]
    assert len(await rows(sessions, InboundMessage)) == 3


async def test_a_proposal_is_answered_only_by_its_own_recipient_with_a_valid_token(
    server: Server, sessions: async_sessionmaker[AsyncSession]
) -> None:
    from storage.models import Proposal, ProposalStatus

    offer = mail("Nous pouvons prêter notre podium du 1er au 30 juin.", sender="st@lorient.bzh",
                 message_id="<o1@lorient.bzh>", Subject="Prêt de podium")  # fmt: skip
    assert await talk(server, offer, sender="st@lorient.bzh") == 250
    assert await talk(server, mail("Il nous faudrait un podium le 21 juin.")) == 250
    notices = {m.recipient: m for m in await rows(sessions, OutboxMessage) if m.actions}
    lorient, caudan = notices["st@lorient.bzh"], notices["st@caudan.fr"]

    def accept(sender: str, in_reply_to: str, number: int) -> bytes:
        return mail("J'accepte, merci !", sender=sender, message_id=f"<acc{number}@x>",
                    Subject="Re: proposition", In_Reply_To=f"<{in_reply_to}>")  # fmt: skip

    attempts = [
        ("st@caudan.fr", f"outbox-{caudan.id}@mutualise.example"),  # the old guessable id
        ("st@caudan.fr", f"outbox-{caudan.id}.aaaaaaaaaaaaaaaaaaaaaaaaaa@mutualise.example"),
        ("st@caudan.fr", TOKENS.message_id(lorient.id, "mutualise.example")),  # not hers
        ("mairie@groix.fr", TOKENS.message_id(caudan.id, "mutualise.example")),  # forwarded
    ]
    for number, (sender, in_reply_to) in enumerate(attempts):
        assert await talk(server, accept(sender, in_reply_to, number), sender=sender) == 250
    from storage.models import Answer, ProposalParticipant

    (proposal,) = await rows(sessions, Proposal)
    assert proposal.status is ProposalStatus.PROPOSED
    assert {p.answer for p in await rows(sessions, ProposalParticipant)} == {Answer.PENDING}
    for number, (who, notice) in enumerate(notices.items(), start=10):
        raw = accept(who, TOKENS.message_id(notice.id, "mutualise.example"), number)
        assert await talk(server, raw, sender=who) == 250
    async with sessions() as session:
        confirmed = await session.get(Proposal, proposal.id, populate_existing=True)
    assert confirmed is not None and confirmed.status is ProposalStatus.ACCEPTED


async def test_unwanted_mail_keeps_only_its_header_after_the_retention_period(
    server: Server, sessions: async_sessionmaker[AsyncSession]
) -> None:
    import datetime as dt
    from zoneinfo import ZoneInfo

    from handlers.digests import DigestConfig
    from scheduler.jobs import Jobs

    line = b"x" * 70 + b"\r\n"
    junk = forged("quiconque@lorient.bzh", None).replace(NEED.encode(), line * 1_400)
    assert await talk(server, junk) == 250
    assert (
        await talk(server, mail(NEED, message_id="<kept@caudan.fr>"), sender="st@caudan.fr") == 250
    )
    jobs = Jobs(sessions, DigestConfig(), "test", ZoneInfo("Europe/Paris"), retention_days=30)
    assert (await jobs.retention(NOW + dt.timedelta(days=10)))[0].ran
    assert all(len(m.raw) > 90_000 or m.sender for m in await rows(sessions, InboundMessage))
    assert not (await jobs.retention(NOW + dt.timedelta(days=10)))[0].ran  # once a day
    await jobs.retention(NOW + dt.timedelta(days=31))
    sizes = {m.status: m.raw for m in await rows(sessions, InboundMessage)}
    assert len(sizes[InboundStatus.QUARANTINED]) < 1_000
    assert sizes[InboundStatus.QUARANTINED].startswith(b"Return-Path:")
    assert b"corps effac" in sizes[InboundStatus.QUARANTINED]
    assert NEED.encode() in sizes[InboundStatus.RECORDED]  # what was recorded stays whole


async def test_a_message_of_too_many_items_records_none_and_says_so(
    server: Server, sessions: async_sessionmaker[AsyncSession]
) -> None:
    from storage.catalogue import load_catalogue

    labels = [item.label for item in load_catalogue().items][:40]
    text = "Il nous faudrait le 21 juin : " + ", ".join(f"2 {label}" for label in labels) + "."
    raw = mail(text, message_id="<many-items@caudan.fr>")
    assert await talk(server, raw, sender="st@caudan.fr") == 250
    assert await rows(sessions, Need) == []
    (answer,) = await rows(sessions, OutboxMessage)
    assert "plus de 30 par message" in answer.body


async def test_a_coordinator_writes_for_another_commune_only_authenticated_and_logged(
    server: Server, sessions: async_sessionmaker[AsyncSession]
) -> None:
    from storage.members import add_member
    from storage.models import Commune, Role

    async with sessions.begin() as session:
        lorient = await session.get(Commune, "56121")
        assert lorient is not None
        await add_member(session, lorient, Role.COORDINATOR, emails=["coord@lorient.bzh"])
    text = "Pour Groix : il nous faudrait 500 ganivelles le 21 juin."
    assert await talk(server, forged("coord@lorient.bzh", None).replace(NEED.encode(),
                      text.encode()), sender="coord@lorient.bzh") == 250  # fmt: skip
    assert await rows(sessions, Need) == []
    raw = mail("Merci", sender="coord@lorient.bzh", message_id="<c1@lorient.bzh>", Subject=text)
    assert await talk(server, raw, sender="coord@lorient.bzh") == 250
    (need,) = await rows(sessions, Need)
    logged = [m for m in await rows(sessions, InboundMessage) if m.status.value == "recorded"]
    assert need.commune_insee == logged[0].commune_insee == "56069"  # Groix
    assert "pour 56069 par le coordinateur" in (logged[0].outcome or "")
    assert "dmarc=pass pour lorient.bzh" in (logged[0].outcome or "")


async def test_a_coordinator_who_names_no_commune_is_asked_which_and_nothing_is_recorded(
    server: Server, sessions: async_sessionmaker[AsyncSession]
) -> None:
    """A coordinator belongs to the territory: a need they write without naming a commune is
    recorded for none (not for the commune they were once registered under), and they are
    asked which; named, it is recorded for it."""
    from storage.members import add_member
    from storage.models import Commune, Role

    async with sessions.begin() as session:
        lorient = await session.get(Commune, "56121")
        assert lorient is not None
        await add_member(session, lorient, Role.COORDINATOR, emails=["coord@lorient.bzh"])
    raw = mail(NEED, sender="coord@lorient.bzh", message_id="<c2@lorient.bzh>")
    assert await talk(server, raw, sender="coord@lorient.bzh") == 250
    assert await rows(sessions, Need) == []
    (logged,) = await rows(sessions, InboundMessage)
    assert logged.status is InboundStatus.ANSWERED and logged.commune_insee is None
    (asked,) = await rows(sessions, OutboxMessage)
    assert asked.recipient == "coord@lorient.bzh" and "Pour quelle commune ?" in asked.body
    named = mail(f"Pour Riantec : {NEED}", sender="coord@lorient.bzh", message_id="<c3@x>")
    assert await talk(server, named, sender="coord@lorient.bzh") == 250
    assert [(n.commune_insee, n.quantity) for n in await rows(sessions, Need)] == [("56193", 500)]


async def test_a_coordinator_speaks_for_no_commune_of_another_territory(
    server: Server, sessions: async_sessionmaker[AsyncSession]
) -> None:
    """A coordinator of another intercommunality in the same store who names a commune of
    Lorient Agglomération records nothing for it: they are asked which of their own."""
    from storage.members import add_member
    from storage.models import Role

    async with sessions.begin() as session:
        other = await neighbour(session)
        await add_member(session, other, Role.COORDINATOR, emails=["coord@quimperle.bzh"])
    named = mail(f"Pour Riantec : {NEED}", sender="coord@quimperle.bzh", message_id="<q1@x>")
    assert await talk(server, named, sender="coord@quimperle.bzh") == 250
    assert await rows(sessions, Need) == []
    (asked,) = await rows(sessions, OutboxMessage)
    assert asked.recipient == "coord@quimperle.bzh" and "Pour quelle commune ?" in asked.body


async def _asked_which_commune(
    server: Server, sessions: async_sessionmaker[AsyncSession], sender: str, insee: str
) -> tuple[InboundMessage, OutboxMessage]:
    """A coordinator registered at `insee`'s territory writes a need naming no commune: the
    message logged, and the question « Pour quelle commune ? » queued in answer."""
    from storage.members import add_member
    from storage.models import Commune, Role

    async with sessions.begin() as session:
        commune = await session.get(Commune, insee)
        assert commune is not None
        await add_member(session, commune, Role.COORDINATOR, emails=[sender])
    raw = mail(NEED, sender=sender, message_id="<n0@lorient.bzh>")
    assert await talk(server, raw, sender=sender) == 250
    (logged,) = await rows(sessions, InboundMessage)
    (asked,) = await rows(sessions, OutboxMessage)
    assert "Pour quelle commune ?" in asked.body and "Répondez simplement" in asked.body
    return logged, asked


def answer(sender: str, text: str, outbox: OutboxMessage, number: int) -> bytes:
    """A reply in the thread of the bot's message `outbox`."""
    return mail(text, sender=sender, message_id=f"<r{number}@lorient.bzh>",
                Subject="Re: Besoin de matériel",
                In_Reply_To=f"<{TOKENS.message_id(outbox.id, 'mutualise.example')}>")  # fmt: skip


async def test_a_coordinator_names_the_commune_by_replying_to_which_commune(
    server: Server, sessions: async_sessionmaker[AsyncSession]
) -> None:
    """« Riantec », in reply to « Pour quelle commune ? », records the message asked about
    for Riantec and answers as it would have, had it named it; once only."""
    sender = "coord@lorient.bzh"
    logged, asked = await _asked_which_commune(server, sessions, sender, "56121")
    assert await rows(sessions, Need) == []
    reply = "C'est pour Riantec, merci.\n\n> Pour quelle commune ? Vous êtes coordinateur"
    assert await talk(server, answer(sender, reply, asked, 1), sender=sender) == 250
    (need,) = await rows(sessions, Need)
    assert (need.commune_insee, need.quantity, need.message_id) == ("56193", 500, logged.id)
    messages = {m.id: m for m in await rows(sessions, InboundMessage)}
    assert messages[logged.id].status is InboundStatus.RECORDED
    assert "pour 56193 par le coordinateur" in (messages[logged.id].outcome or "")
    (naming,) = [m for m in messages.values() if m.id != logged.id]
    assert naming.outcome == f"nomme la commune du message {logged.id}"
    recorded = max(await rows(sessions, OutboxMessage), key=lambda m: m.id)
    assert recorded.recipient == sender and recorded.in_reply_to == logged.id
    assert recorded.body.startswith("Besoin enregistré pour Riantec : 500 ganivelles")
    assert recorded.headers["In-Reply-To"] == "<r1@lorient.bzh>"  # in the reply's thread
    # The same answer again names nothing: the message is recorded already.
    assert await talk(server, answer(sender, "Riantec", asked, 2), sender=sender) == 250
    assert len(await rows(sessions, Need)) == 1


async def test_a_commune_of_another_territory_is_asked_again_and_another_reply_is_its_own(
    server: Server, sessions: async_sessionmaker[AsyncSession]
) -> None:
    async with sessions.begin() as session:
        await neighbour(session)
    sender = "coord@lorient.bzh"
    logged, asked = await _asked_which_commune(server, sessions, sender, "56121")
    assert await talk(server, answer(sender, "Quimperlé", asked, 1), sender=sender) == 250
    assert await rows(sessions, Need) == []
    again = max(await rows(sessions, OutboxMessage), key=lambda m: m.id)
    assert "Quimperlé n'est pas une commune de votre territoire" in again.body
    # The intercommunality is no commune either; asked again, in that thread too.
    assert await talk(server, answer(sender, "Lorient Agglo", again, 2), sender=sender) == 250
    assert await rows(sessions, Need) == []
    again = max(await rows(sessions, OutboxMessage), key=lambda m: m.id)
    assert "désigne l'intercommunalité" in again.body and "Pour quelle commune" in again.body
    # A reply that says more is a message of its own: recorded for the commune it names.
    other_need = "Pour Lorient : il nous faudrait 3 barnums le 3 août."
    assert await talk(server, answer(sender, other_need, again, 3), sender=sender) == 250
    assert [(n.commune_insee, n.item_id) for n in await rows(sessions, Need)] == [
        ("56121", "barnum")
    ]
    # The message asked about still waits for its commune: named, it is recorded.
    assert await talk(server, answer(sender, "Riantec", again, 4), sender=sender) == 250
    needs = sorted((n.commune_insee, n.item_id, n.message_id) for n in await rows(sessions, Need))
    assert needs == [("56121", "barnum", needs[0][2]), ("56193", "ganivelle", logged.id)]
