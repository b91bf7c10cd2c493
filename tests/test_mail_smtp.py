"""Mail in and out over real SMTP conversations on loopback: the service's own server with
smtplib as the client, and a sink standing for the territory's relay."""

from __future__ import annotations

import asyncio
import datetime as dt
import re
import smtplib
from collections.abc import AsyncIterator
from email import message_from_string
from email.message import EmailMessage
from email.policy import default
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from aiosmtpd.smtp import SMTP, Envelope, Session
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers.inbox import Inbox
from handlers.pacing import Pace
from mail.parsing import parse_mail
from mail.sending import Relay, deliver_due
from mail.server import Mailbox, MailHandler, Trust, _key, _trace, serve
from mail.tokens import Tokens
from storage.database import create_engine, session_factory
from storage.models import InboundMessage, InboundStatus, Need, OutboxMessage, OutboxStatus
from tests.readers import shared_reader

PARIS = ZoneInfo("Europe/Paris")
NOW = dt.datetime(2027, 5, 3, 9, 30, tzinfo=PARIS)
READER = shared_reader()
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "email-cpython"
LIMIT = 200_000
# The territory's mail server, whose verdicts count, and the service's secret.
AUTHSERV = "mx.mutualise.example"
TOKENS = Tokens("a secret of the territory, long enough")
TRUST = Trust({AUTHSERV}, TOKENS)


class Server:
    def __init__(self, port: int) -> None:
        self.port = port

    def send(
        self, raw: bytes, sender: str = "st@caudan.fr", to: str = "besoins@mutualise.example"
    ) -> tuple[int, bytes]:
        """One SMTP conversation; the server's answer to DATA (or to RCPT when refused)."""
        # smtplib sends bytes as they are; an MTA would have put CRLF line ends, as here.
        raw = re.sub(rb"\r\n|\r|\n", b"\r\n", raw)
        with smtplib.SMTP("127.0.0.1", self.port, timeout=30) as client:
            client.ehlo()
            client.mail(sender)
            code, text = client.rcpt(to)
            if code >= 400:
                return code, text
            return client.data(raw)


@pytest.fixture
async def server(sessions: async_sessionmaker[AsyncSession]) -> AsyncIterator[Server]:
    handler = MailHandler(
        Inbox(sessions, READER), Mailbox.of("besoins@mutualise.example"), lambda: NOW, TRUST
    )
    listening = await serve(handler, "127.0.0.1", 0, LIMIT)
    yield Server(listening.sockets[0].getsockname()[1])
    listening.close()
    await listening.wait_closed()
    await handler.close()


def mail(
    text: str,
    sender: str = "Services techniques <st@caudan.fr>",
    message_id: str = "<m1@caudan.fr>",
    **headers: str,
) -> bytes:
    """An email as the territory's mail server hands it on: by default with its verdict,
    DMARC passed for the From domain."""
    message = EmailMessage()
    if "Authentication_Results" not in headers:
        domain = sender.strip(">").rpartition("@")[2]
        message["Authentication-Results"] = f"{AUTHSERV}; dmarc=pass header.from={domain}"
    elif headers["Authentication_Results"]:
        message["Authentication-Results"] = headers["Authentication_Results"]
    headers.pop("Authentication_Results", None)
    message["From"] = sender
    message["To"] = "besoins@mutualise.example"
    message["Subject"] = headers.pop("Subject", "Besoin de matériel")
    message["Message-ID"] = message_id
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(text)
    return message.as_bytes()


async def talk(server: Server, raw: bytes, **kwargs: str) -> tuple[int, bytes]:
    return await asyncio.to_thread(server.send, raw, **kwargs)


async def rows(sessions: async_sessionmaker[AsyncSession], model: type) -> list:  # type: ignore[type-arg]
    async with sessions() as session:
        return list((await session.scalars(select(model))).all())


async def test_recipients_are_checked_at_rcpt(server: Server) -> None:
    assert (await talk(server, mail("x"), to="besoins+caudan@mutualise.example"))[0] == 250
    code, text = await talk(
        server, mail("x", message_id="<m2@caudan.fr>"), to="autre@mutualise.example"
    )
    assert code == 550 and b"Adresse inconnue" in text


async def test_a_town_hall_need_is_recorded_and_answered_in_its_thread(
    server: Server, sessions: async_sessionmaker[AsyncSession]
) -> None:
    code, _ = await talk(
        server,
        mail("Il nous faudrait 3 barnums le 21 juin.", Subject="=?utf-8?q?Demande_f=C3=AAte?="),
    )
    assert code == 250
    needs = await rows(sessions, Need)
    assert [(n.commune_insee, n.item_id, n.quantity) for n in needs] == [("56036", "barnum", 3)]
    (reply,) = await rows(sessions, OutboxMessage)
    assert reply.recipient == "st@caudan.fr" and reply.subject == "Re: Demande fête"
    assert reply.headers == {"In-Reply-To": "<m1@caudan.fr>", "References": "<m1@caudan.fr>"}
    assert "Besoin enregistré pour Caudan : 3 barnums le 21 juin 2027" in reply.body


async def test_the_same_message_twice_is_recorded_once(
    server: Server, sessions: async_sessionmaker[AsyncSession]
) -> None:
    raw = mail("Il nous faudrait 3 barnums le 21 juin.")
    assert (await talk(server, raw))[0] == 250
    assert (await talk(server, raw))[0] == 250
    assert len(await rows(sessions, Need)) == 1
    assert len(await rows(sessions, InboundMessage)) == 1
    assert len(await rows(sessions, OutboxMessage)) == 1


async def test_strangers_record_nothing_and_hear_once_a_day(
    server: Server, sessions: async_sessionmaker[AsyncSession]
) -> None:
    for number in range(3):
        raw = mail(
            "besoin de 3 barnums le 21 juin",
            sender="qui@gmail.com",
            message_id=f"<s{number}@gmail.com>",
        )
        assert (await talk(server, raw, sender="qui@gmail.com"))[0] == 250
    assert await rows(sessions, Need) == []
    replies = await rows(sessions, OutboxMessage)
    assert len(replies) == 1 and "inscrits" in replies[0].body
    statuses = {m.status for m in await rows(sessions, InboundMessage)}
    assert statuses == {InboundStatus.REFUSED}


async def test_automatic_mail_is_logged_never_answered(
    server: Server, sessions: async_sessionmaker[AsyncSession]
) -> None:
    raw = mail("Je suis absente jusqu'au 12 mai.", Auto_Submitted="auto-replied")
    assert (await talk(server, raw))[0] == 250
    (logged,) = await rows(sessions, InboundMessage)
    assert logged.status is InboundStatus.IGNORED
    assert await rows(sessions, OutboxMessage) == []


async def test_oversized_mail_is_refused(server: Server) -> None:
    code, _ = await talk(server, mail(("x" * 79 + "\n") * (LIMIT // 80 + 10)))
    assert code == 552


async def test_an_unavailable_store_answers_451(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path}/empty.db")  # no schema: every write fails
    handler = MailHandler(
        Inbox(session_factory(engine), READER), Mailbox.of("besoins@mutualise.example"),
        lambda: NOW, TRUST,
    )  # fmt: skip
    listening = await serve(handler, "127.0.0.1", 0, LIMIT)
    try:
        server = Server(listening.sockets[0].getsockname()[1])
        code, _ = await talk(server, mail("Il nous faudrait 3 barnums le 21 juin."))
        assert code == 451
    finally:
        listening.close()
        await engine.dispose()
        await handler.close()


@pytest.mark.skipif(
    not CORPUS.exists(), reason="../shared/corpora/email-cpython is not beside this checkout"
)
async def test_every_corpus_message_gets_a_decision(
    server: Server, sessions: async_sessionmaker[AsyncSession]
) -> None:
    files = sorted(CORPUS.glob("msg_*.txt"))
    codes = [(await talk(server, f.read_bytes(), sender="someone@example.com"))[0] for f in files]
    assert set(codes) <= {250}, codes
    async with sessions() as session:
        logged = await session.scalar(select(func.count()).select_from(InboundMessage))
    # One record per sender, Message-ID and content: several test files share an id.
    trace = _trace("someone@example.com", ["besoins@mutualise.example"])
    distinct = {
        _key(parse_mail(trace + re.sub(rb"\r\n|\r|\n", b"\r\n", f.read_bytes()))) for f in files
    }
    assert logged == len(distinct)


class Sink:
    """A relay on loopback that keeps what it receives, and can refuse."""

    def __init__(self) -> None:
        self.received: list[Envelope] = []
        self.refuse: str | None = None

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if self.refuse:
            return self.refuse
        self.received.append(envelope)
        return "250 OK"


async def test_outbound_mail_goes_through_the_relay_and_waits_when_it_is_down(
    server: Server, sessions: async_sessionmaker[AsyncSession]
) -> None:
    assert (await talk(server, mail("Il nous faudrait 3 barnums le 21 juin.")))[0] == 250
    sink = Sink()
    loop = asyncio.get_running_loop()
    relay_server = await loop.create_server(lambda: SMTP(sink), "127.0.0.1", 0)
    port = relay_server.sockets[0].getsockname()[1]
    relay = Relay("127.0.0.1", port, "besoins@mutualise.example", timeout=5, tokens=TOKENS)
    clock = [NOW]
    try:
        sink.refuse = "451 4.3.0 try later"
        assert await deliver_due(sessions, relay, lambda: clock[0]) == (0, 1)
        (waiting,) = await rows(sessions, OutboxMessage)
        assert waiting.status is OutboxStatus.FAILED and waiting.next_attempt_at > NOW
        assert await deliver_due(sessions, relay, lambda: clock[0]) == (0, 0)  # not yet due
        sink.refuse = None
        clock[0] = NOW + dt.timedelta(minutes=2)
        assert await deliver_due(sessions, relay, lambda: clock[0]) == (1, 0)
        assert await deliver_due(sessions, relay, lambda: clock[0]) == (0, 0)  # never twice
    finally:
        relay_server.close()
    (envelope,) = sink.received
    assert envelope.rcpt_tos == ["st@caudan.fr"]
    content = envelope.original_content or b""
    assert b"In-Reply-To: <m1@caudan.fr>" in content and b"Auto-Submitted: auto-replied" in content
    sent = message_from_string(content.decode(), policy=default)
    assert TOKENS.outbox_of(str(sent["Message-ID"]).strip("<>")) == waiting.id
    assert TOKENS.proves(str(sent["Reply-To"]), "st@caudan.fr")
    assert not TOKENS.proves(str(sent["Reply-To"]), "other@caudan.fr")
    refused = Relay("127.0.0.1", 1, "besoins@mutualise.example", timeout=2)  # nothing listens
    async with sessions.begin() as session:
        from storage.models import Channel
        from storage.outbox import draft, enqueue

        await enqueue(
            session, draft(channel=Channel.EMAIL, recipient="x@caudan.fr", body="b", now=clock[0])
        )
    assert await deliver_due(sessions, refused, lambda: clock[0]) == (0, 1)


async def test_a_reply_in_the_thread_completes_the_need(
    server: Server, sessions: async_sessionmaker[AsyncSession]
) -> None:
    assert (await talk(server, mail("Il nous faudrait 3 barnums.")))[0] == 250
    (question,) = await rows(sessions, OutboxMessage)
    assert "pour quelles dates ?" in question.body
    answer = mail(
        "Le 21 juin.\n\n> Pour compléter, répondez simplement à ce message : pour quelles dates ?",
        message_id="<m2@caudan.fr>",
        Subject="Re: Besoin de matériel",
        In_Reply_To=f"<{TOKENS.message_id(question.id, 'mutualise.example')}>",
    )
    assert (await talk(server, answer))[0] == 250
    needs = await rows(sessions, Need)
    assert [(n.item_id, n.quantity, str(n.start)) for n in needs] == [("barnum", 3, "2027-06-21")]
    replies = sorted(await rows(sessions, OutboxMessage), key=lambda m: m.id)
    assert "Merci, c'est complété : 3 barnums le 21 juin 2027." in replies[-1].body


async def test_proposals_go_out_by_mail_and_answers_come_back(
    server: Server, sessions: async_sessionmaker[AsyncSession]
) -> None:
    from storage.models import Proposal, ProposalStatus

    # (an offer said plainly: "en juin" under "Besoin de matériel" is asked about since the
    # reading's confidence, test_reading_learned.py)
    offer = mail(
        "Nous pouvons prêter notre podium du 1er au 30 juin.",
        sender="st@lorient.bzh",
        message_id="<o1@lorient.bzh>",
        Subject="Prêt de podium",
    )
    assert (await talk(server, offer, sender="st@lorient.bzh"))[0] == 250
    assert (await talk(server, mail("Il nous faudrait un podium le 21 juin.")))[0] == 250
    from mail.sending import Relay, compose

    notices = [m for m in await rows(sessions, OutboxMessage) if m.actions]
    assert sorted(m.recipient for m in notices) == ["st@caudan.fr", "st@lorient.bzh"]
    for notice in notices:
        email = compose(notice, Relay("127.0.0.1", 25, "besoins@mutualise.example"))
        text, html = (email.get_body((kind,)) for kind in ("plain", "html"))
        assert text is not None and html is not None
        assert "Lorient peut prêter 1 podium à Caudan" in text.get_content()
        assert "répondez à ce message par « j'accepte »" in text.get_content()
        assert "Lorient peut prêter 1 podium à Caudan" in html.get_content()
    for number, notice in enumerate(notices):
        who = notice.recipient
        reply = mail("J'accepte, merci !", sender=who, message_id=f"<a{number}@x>", Subject=f"Re: {notice.subject}",
                     In_Reply_To=f"<{TOKENS.message_id(notice.id, 'mutualise.example')}>")  # fmt: skip
        assert (await talk(server, reply, sender=who))[0] == 250
    (proposal,) = await rows(sessions, Proposal)
    assert proposal.status is ProposalStatus.ACCEPTED
    last = max(await rows(sessions, OutboxMessage), key=lambda m: m.id)
    assert "est confirmée" in last.body


def test_verdicts() -> None:
    from handlers.proposals import verdict

    assert verdict("J'accepte, merci") is True
    assert verdict("Nous refusons finalement.") is False
    assert verdict("Nous n'acceptons pas.") is False
    assert verdict("Bonjour, une question sur les dates") is None


def test_verdicts_ignore_the_quoted_instructions() -> None:
    from handlers.proposals import verdict

    quoted = "Bonjour\n\nLe lun. 3 mai 2027 à 09:30, mutualise a écrit :\n> répondez « j'accepte » ou « je refuse »"
    assert verdict(quoted) is None
    assert (
        verdict(
            "Nous refusons.\n\nDe : mutualise\nEnvoyé : lundi\nÀ : x\nObjet : y\nrépondez j'accepte"
        )
        is False
    )


async def test_user_text_cannot_add_headers(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    from storage.models import Channel
    from storage.outbox import draft, enqueue

    sink = Sink()
    relay_server = await asyncio.get_running_loop().create_server(
        lambda: SMTP(sink), "127.0.0.1", 0
    )
    relay = Relay("127.0.0.1", relay_server.sockets[0].getsockname()[1], "b@mutualise.example")
    async with sessions.begin() as session:
        await enqueue(session, draft(
            channel=Channel.EMAIL, recipient="x@caudan.fr", now=NOW, body="corps",
            subject="Fête\r\nBcc: victime@example.org", headers={"X-Note": "a\nTo: z@example.org"},
        ))  # fmt: skip
        await enqueue(
            session, draft(channel=Channel.EMAIL, recipient="z@caudan.fr", now=NOW, body="ok")
        )
    try:
        sent, failed = await deliver_due(sessions, relay, lambda: NOW)
    finally:
        relay_server.close()
    assert (sent, failed) == (2, 0)
    first = (sink.received[0].original_content or b"").decode()
    parsed = message_from_string(first, policy=default)
    assert parsed["Subject"] == "Fête Bcc: victime@example.org" and parsed["Bcc"] is None
    assert "\nBcc:" not in first and "\nTo: z@" not in first
    assert [e.rcpt_tos for e in sink.received] == [["x@caudan.fr"], ["z@caudan.fr"]]


def test_a_pace_slows_one_sender_only() -> None:
    clock = [0.0]
    pace = Pace(3, 60, lambda: clock[0])
    assert [pace.wait("a@x") for _ in range(3)] == [0, 0, 0]
    assert pace.wait("a@x") == 60 and pace.wait("b@x") == 0
    clock[0] = 30
    assert pace.wait("a@x") == 30
    clock[0] = 61
    assert pace.wait("a@x") == 0  # the first three have left the window


async def test_a_flooding_sender_is_slowed_and_loops_end(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    handler = MailHandler(
        Inbox(sessions, READER), Mailbox.of("besoins@mutualise.example"), lambda: NOW, TRUST,
        pace=Pace(4, 600), replies_per_day=3,
    )  # fmt: skip
    listening = await serve(handler, "127.0.0.1", 0, LIMIT)
    port = listening.sockets[0].getsockname()[1]

    def conversation(sender: str, number: int) -> int:
        raw = mail("Il nous faudrait 3 barnums le 21 juin.", sender=sender,
                   message_id=f"<flood-{sender}-{number}@x>")  # fmt: skip
        with smtplib.SMTP("127.0.0.1", port, timeout=30) as client:
            client.ehlo()
            code, _ = client.mail(sender)
            if code != 250:
                return code
            client.rcpt("besoins@mutualise.example")
            return int(client.data(re.sub(rb"\r\n|\r|\n", b"\r\n", raw))[0])

    try:
        flood = [await asyncio.to_thread(conversation, "st@caudan.fr", n) for n in range(6)]
        other = await asyncio.to_thread(conversation, "mairie@cleguer.fr", 0)
    finally:
        listening.close()
        await listening.wait_closed()
        await handler.close()
    assert flood == [250, 250, 250, 250, 451, 451]  # told to come back later, nothing lost
    assert other == 250
    replies = [m for m in await rows(sessions, OutboxMessage) if m.recipient == "st@caudan.fr"]
    assert len(replies) == 3  # four messages handled, three replies: the cap of the day


async def test_a_doubtful_reading_is_held_until_its_writer_confirms(
    server: Server, sessions: async_sessionmaker[AsyncSession]
) -> None:
    from storage.models import NeedStatus, Proposal

    offer = mail("Nous pouvons prêter nos 10 barnums du 1er au 30 juin.",
                 sender="st@lorient.bzh", message_id="<o1@lorient.bzh>")  # fmt: skip
    assert (await talk(server, offer, sender="st@lorient.bzh"))[0] == 250
    # Two days, neither inside the other: the reader asks which, and holds the need.
    assert (await talk(server, mail("Il nous faudrait 3 barnums le 21 juin ou le 28 juin.")))[
        0
    ] == 250
    (need,) = await rows(sessions, Need)
    assert need.status is NeedStatus.PENDING
    assert await rows(sessions, Proposal) == []  # nothing unsure reaches the proposals
    question = max(await rows(sessions, OutboxMessage), key=lambda m: m.id)
    assert "j'ai besoin de votre confirmation" in question.body
    assert "les dates sont-elles les bonnes ?" in question.body
    answer = mail("Oui, c'est bien ça.", message_id="<m2@caudan.fr>", Subject="Re: Besoin de matériel",
                  In_Reply_To=f"<{TOKENS.message_id(question.id, 'mutualise.example')}>")  # fmt: skip
    assert (await talk(server, answer))[0] == 250
    (need,) = await rows(sessions, Need)
    assert need.status is NeedStatus.MATCHED  # released, matched at once
    assert len(await rows(sessions, Proposal)) == 1
    last = max(await rows(sessions, OutboxMessage), key=lambda m: m.id)
    assert "c'est confirmé" in last.body


async def test_a_held_reading_can_be_corrected_or_dropped(
    server: Server, sessions: async_sessionmaker[AsyncSession]
) -> None:
    from storage.models import NeedStatus

    assert (await talk(server, mail("Il nous faudrait 3 barnums le 21 juin ou le 28 juin.")))[
        0
    ] == 250
    question = max(await rows(sessions, OutboxMessage), key=lambda m: m.id)
    fix = mail("Le 28 juin.", message_id="<m2@caudan.fr>", Subject="Re: Besoin de matériel",
               In_Reply_To=f"<{TOKENS.message_id(question.id, 'mutualise.example')}>")  # fmt: skip
    assert (await talk(server, fix))[0] == 250
    (need,) = await rows(sessions, Need)
    assert (need.status, str(need.start)) == (NeedStatus.OPEN, "2027-06-28")
    assert (await talk(server, mail("Il nous faudrait 5 tables le 3 juillet ou le 10 juillet.",
                                    message_id="<m3@caudan.fr>")))[0] == 250  # fmt: skip
    question = max(await rows(sessions, OutboxMessage), key=lambda m: m.id)
    drop = mail("Non, laissez tomber.", message_id="<m4@caudan.fr>", Subject="Re: Besoin",
                In_Reply_To=f"<{TOKENS.message_id(question.id, 'mutualise.example')}>")  # fmt: skip
    assert (await talk(server, drop))[0] == 250
    statuses = {n.item_id: n.status for n in await rows(sessions, Need)}
    assert statuses == {"barnum": NeedStatus.OPEN, "table": NeedStatus.CANCELLED}
