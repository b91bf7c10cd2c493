"""Inbound SMTP: an aiosmtpd handler that accepts mail for the configured addresses only,
stores each message before saying 250, and queues the reply in the same thread.

SMTP status texts stay in ASCII (RFC 5321); what a person reads goes in the reply mail.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import logging
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiosmtpd.smtp import SMTP, Envelope, Session
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from handlers import replies
from handlers.inbound import Inbound
from handlers.inbox import Fate, Inbox, Outcome
from handlers.pacing import Pace
from mail.authentication import verdict
from mail.parsing import ParsedMail
from mail.sandbox import ParserPool
from mail.tokens import Tokens
from storage.inbox import pending
from storage.models import Channel
from storage.outbox import draft, enqueue, replies_since, sent_to, stranger_replies_since
from storage.turns import writing

# What closes an answer written here (a held or refused mail): the rest go through notices.
SIGNATURE = f"\n\n-- \n{replies.REPLY_SIGNATURE}"
log = logging.getLogger("mutualise.mail.in")

OK = "250 2.0.0 Message recu"
UNKNOWN_RECIPIENT = "550 5.1.1 Adresse inconnue ici"
STORE_UNAVAILABLE = "451 4.3.0 Stockage momentanement indisponible, reessayez plus tard"
DAY = dt.timedelta(days=1)
TOO_FAST = "451 4.7.1 Trop de messages de cet expediteur, reessayez plus tard"


@dataclass(frozen=True)
class Mailbox:
    """The local addresses that accept mail, "+tag" forms included."""

    addresses: frozenset[str]

    @classmethod
    def of(cls, text: str) -> Mailbox:
        """From the comma-separated `MUTUALISE_MAIL_ADDRESSES`."""
        return cls(frozenset(a.strip().lower() for a in text.split(",") if a.strip()))

    def accepts(self, address: str) -> bool:
        """Is this one of ours? "besoins+caudan@x" is "besoins@x"."""
        local, _, domain = address.strip().strip("<>").lower().rpartition("@")
        return f"{local.partition('+')[0]}@{domain}" in self.addresses


@dataclass
class Trust:
    """What the server believes of a mail's sender: the authserv-ids whose verdicts count,
    and the secret that signs the tokens of the mail mutualise sends."""

    authservs: set[str] = field(default_factory=set)
    tokens: Tokens | None = None

    def judge(self, mail: ParsedMail) -> tuple[str | None, str | None]:
        """(how the sender is authenticated, why the mail is held): exactly one is None."""
        if mail.broken:
            return None, f"illisible : {mail.broken}"
        found = verdict(mail.authentication, self.authservs, mail.sender)
        if found.authenticated:
            return found.reason, None
        if self.tokens and mail.delivered_to and self.tokens.proves(mail.delivered_to, mail.sender):
            return f"réponse à l'adresse personnelle de {mail.sender}", None
        return None, f"expéditeur non authentifié : {found.reason}"


class MailHandler:
    """aiosmtpd handler: recipients checked at RCPT, the message handled at DATA."""

    def __init__(
        self,
        inbox: Inbox,
        mailbox: Mailbox,
        now: Callable[[], dt.datetime],
        trust: Trust | None = None,
        pace: Pace | None = None,
        replies_per_day: int = 50,
        parser: ParserPool | None = None,
        held_replies_per_day: int = 20,
    ) -> None:
        self.inbox = inbox
        self.mailbox = mailbox
        self.now = now
        self.trust = trust or Trust()
        self.pace = pace
        self.replies_per_day = replies_per_day
        self.parser = parser or ParserPool()
        self.held_replies_per_day = held_replies_per_day

    async def handle_MAIL(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        # A flooding sender is told to come back later (its server retries): slowed, not lost.
        if address and self.pace is not None and self.pace.wait(address.lower()) > 0:
            log.warning("sender %s is writing too fast: 451", address)
            return TOO_FAST
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if not self.mailbox.accepts(address):
            return UNKNOWN_RECIPIENT
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def _inbound(self, raw: bytes, at: dt.datetime) -> tuple[ParsedMail, Inbound]:
        """The mail read in a worker process (the loop stays free), and judged."""
        mail = await self.parser.parse(raw, None)
        authenticated, held = self.trust.judge(mail)
        answers = None
        if authenticated and self.trust.tokens:
            answers = await self._answered(self.trust.tokens.outbox_of(mail.in_reply_to), mail)
        inbound = Inbound(
            Channel.EMAIL,
            mail.sender,
            mail.text,
            at,
            _key(mail),
            raw,
            automatic=mail.automatic,
            quarantine=held,
            authenticated=authenticated,
            answers=answers,
        )
        return mail, inbound

    async def _answered(self, outbox_id: int | None, mail: ParsedMail) -> int | None:
        """The outbox message a reply answers, when it was sent to this very sender: a
        token forwarded to someone else answers nothing for them."""
        if outbox_id is None:
            return None
        async with self.inbox.sessions() as session:
            recipient = await sent_to(session, outbox_id)
        return outbox_id if recipient and recipient.lower() == mail.sender else None

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        if isinstance(raw, str):
            raw = raw.encode("utf-8", errors="replace")
        raw = _trace(envelope.mail_from, envelope.rcpt_tos) + raw
        mail, inbound = await self._inbound(raw, self.now())
        try:
            outcome = await self.inbox.receive(inbound, respond=self._responder(mail))
            await self._answer_apart(mail, outcome)
        except (DBAPIError, OSError):
            log.exception("message %s not stored: store unavailable", mail.message_id)
            return STORE_UNAVAILABLE
        log.info("message %s from %s: %s (%s)", mail.message_id, mail.sender or "?",
                 outcome.fate.value, inbound.quarantine or inbound.authenticated)  # fmt: skip
        return OK

    async def _answer_apart(self, mail: ParsedMail, outcome: Outcome) -> None:
        """The answers not queued with what the message recorded: to mail held unread, and
        to mail that could not be recorded and will not be tried again (one that will be is
        answered when it is)."""
        if outcome.fate is Fate.QUARANTINED and mail.sender:
            await self._answer_held(mail.sender, outcome.message_id)
        elif outcome.fate is Fate.FAILED and outcome.reply == replies.UNRECORDABLE and mail.sender:
            async with writing(self.inbox.sessions) as session:
                await self._responder(mail)(session, outcome)

    async def _answer_held(self, address: str, message_id: int | None) -> None:
        """The one neutral answer of the day to an address whose mail was held, within the
        day's budget of such answers."""
        since = self.now() - DAY
        async with writing(self.inbox.sessions) as session:
            if await stranger_replies_since(session, since) >= self.held_replies_per_day:
                log.warning("held-mail answers spent for today: none to %s", address)
                return
            await enqueue(session, draft(
                channel=Channel.EMAIL, recipient=address, subject=replies.HELD_SUBJECT,
                body=replies.HELD + SIGNATURE, now=self.now(), in_reply_to=message_id,
                dedupe_key=f"stranger:{address}:{self.now().date().isoformat()}",
            ))  # fmt: skip

    def _responder(self, mail: ParsedMail) -> Callable[[AsyncSession, Outcome], Any]:
        async def respond(session: AsyncSession, outcome: Outcome) -> None:
            if not outcome.reply or not mail.sender:
                return
            if await replies_since(session, mail.sender, self.now() - DAY) >= self.replies_per_day:
                # Whatever writes this much is a machine: a loop ends here.
                log.warning("no more replies to %s today", mail.sender)
                return
            if outcome.fate is Fate.REFUSED:
                # An authenticated stranger: told how to register once a day at most, in
                # words that echo nothing of theirs.
                if await stranger_replies_since(session, self.now() - DAY) >= \
                        self.held_replies_per_day:  # fmt: skip
                    return
                await enqueue(session, draft(
                    channel=Channel.EMAIL, recipient=mail.sender, subject=replies.HELD_SUBJECT,
                    body=outcome.reply + SIGNATURE, now=self.now(),
                    in_reply_to=outcome.message_id,
                    dedupe_key=f"stranger:{mail.sender}:{self.now().date().isoformat()}",
                ))  # fmt: skip
                return
            subject = mail.subject or "votre message"
            await enqueue(
                session,
                draft(
                    channel=Channel.EMAIL,
                    recipient=mail.sender,
                    subject=subject if subject.lower().startswith("re:") else f"Re: {subject}",
                    body=outcome.reply,
                    actions=[a.to_json() for a in outcome.actions],
                    headers={
                        "In-Reply-To": f"<{mail.message_id}>",
                        "References": " ".join(
                            f"<{r}>" for r in [*mail.references[-10:], mail.message_id]
                        ),
                    },
                    now=self.now(),
                    dedupe_key=f"reply:{_key(mail)}",
                    in_reply_to=outcome.message_id,
                ),
            )

        return respond

    async def resume(self, received_before: dt.datetime) -> int:
        """Handle the emails the store holds but no one handled: the process died between
        storing one (and answering 250) and recording it, or its handling failed. Each is
        handled once, with its reply, however many instances sweep at the same time."""
        async with self.inbox.sessions() as session:
            messages = [
                (m.id, m.raw, m.received_at)
                for m in await pending(session, Channel.EMAIL, received_before)
            ]
        for message_id, raw, at in messages:
            mail, inbound = await self._inbound(raw, at)
            outcome = await self.inbox.process(inbound, message_id, respond=self._responder(mail))
            await self._answer_apart(mail, outcome)
            log.info("message %s taken up again: %s", message_id, outcome.fate.value)
        return len(messages)

    async def close(self) -> None:
        """Stop the parsing workers."""
        await self.parser.close()


def _trace(mail_from: str | None, rcpt_tos: list[str]) -> bytes:
    """The envelope, written above the mail as an MTA does at delivery (Return-Path,
    Delivered-To), so that a mail taken up after a crash is judged as it was at arrival;
    the parser reads the topmost of each, which is always this one."""

    def clean(value: str) -> str:
        return "".join(c for c in value if c.isprintable() and c not in "<>")[:254]

    recipient = next((r for r in rcpt_tos if "+" in r.partition("@")[0]), None)
    recipient = recipient or (rcpt_tos[0] if rcpt_tos else "")
    lines = f"Return-Path: <{clean(mail_from or '')}>\r\nDelivered-To: {clean(recipient)}\r\n"
    return lines.encode("utf-8", "replace")


def _key(mail: ParsedMail) -> str:
    """The mail's key in the inbound log: its sender, Message-ID and content together, so
    that the same mail delivered twice is one, and another mail reusing an id is another."""
    return (
        "mail:"
        + hashlib.sha256(
            f"{mail.sender}\x00{mail.message_id}\x00{mail.digest}".encode("utf-8", "surrogatepass")
        ).hexdigest()
    )


async def serve(
    handler: MailHandler, host: str, port: int, size_limit: int, sock: socket.socket | None = None
) -> asyncio.base_events.Server:
    """Listen for SMTP on host:port in the running event loop, or on `sock`, opened for it."""
    loop = asyncio.get_running_loop()

    def session() -> SMTP:
        return SMTP(handler, data_size_limit=size_limit, hostname="mutualise", ident="mutualise")

    if sock is not None:
        return await loop.create_server(session, sock=sock)
    return await loop.create_server(session, host=host, port=port)
