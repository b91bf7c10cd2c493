"""Inbound SMTP: an aiosmtpd handler that accepts mail for the configured addresses only,
stores each message before saying 250, and queues the reply in the same thread.

SMTP status texts stay in ASCII (RFC 5321); what a person reads goes in the reply mail.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aiosmtpd.smtp import SMTP, Envelope, Session
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.inbound import Inbound
from handlers.inbox import Fate, Inbox, Outcome
from handlers.pacing import Pace
from mail.authentication import spoofing
from mail.parsing import ParsedMail, parse_mail
from storage.inbox import pending
from storage.models import Channel
from storage.outbox import draft, enqueue, replies_since

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


class MailHandler:
    """aiosmtpd handler: recipients checked at RCPT, the message handled at DATA."""

    def __init__(
        self,
        inbox: Inbox,
        mailbox: Mailbox,
        now: Callable[[], dt.datetime],
        trusted: set[str] | None = None,
        pace: Pace | None = None,
        replies_per_day: int = 50,
    ) -> None:
        self.inbox = inbox
        self.mailbox = mailbox
        self.now = now
        self.trusted = trusted or set()
        self.pace = pace
        self.replies_per_day = replies_per_day

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

    def _inbound(
        self, raw: bytes, envelope_from: str | None, at: dt.datetime
    ) -> tuple[ParsedMail, Inbound]:
        mail = parse_mail(raw, envelope_from)
        inbound = Inbound(
            Channel.EMAIL,
            mail.sender or (envelope_from or ""),
            mail.text,
            at,
            mail.message_id,
            raw,
            automatic=mail.automatic,
            quarantine=spoofing(mail.authentication, self.trusted, mail.sender),
            answers=_outbox_id(mail.in_reply_to),
        )
        return mail, inbound

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        if isinstance(raw, str):
            raw = raw.encode("utf-8", errors="replace")
        mail, inbound = self._inbound(raw, envelope.mail_from, self.now())
        try:
            outcome = await self.inbox.receive(inbound, respond=self._responder(mail))
        except (DBAPIError, OSError):
            log.exception("message %s not stored: store unavailable", mail.message_id)
            return STORE_UNAVAILABLE
        log.info("message %s from %s: %s", mail.message_id, mail.sender, outcome.fate.value)
        return OK

    def _responder(self, mail: ParsedMail) -> Callable[[AsyncSession, Outcome], Any]:
        async def respond(session: AsyncSession, outcome: Outcome) -> None:
            if not outcome.reply or not mail.sender:
                return
            if await replies_since(session, mail.sender, self.now() - DAY) >= self.replies_per_day:
                # Whatever writes this much is a machine: a loop ends here.
                log.warning("no more replies to %s today", mail.sender)
                return
            today = self.now().date().isoformat()
            # A stranger is told how to register once a day at most, however often they write.
            key = (
                f"stranger:{mail.sender}:{today}"
                if outcome.fate is Fate.REFUSED
                else f"reply:{mail.message_id}"
            )
            subject = mail.subject or "votre message"
            await enqueue(
                session,
                draft(
                    channel=Channel.EMAIL,
                    recipient=mail.sender,
                    subject=subject if subject.lower().startswith("re:") else f"Re: {subject}",
                    body=outcome.reply,
                    headers={
                        "In-Reply-To": f"<{mail.message_id}>",
                        "References": " ".join(
                            f"<{r}>" for r in [*mail.references, mail.message_id]
                        ),
                    },
                    now=self.now(),
                    dedupe_key=key,
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
                (m.id, m.raw, m.sender, m.received_at)
                for m in await pending(session, Channel.EMAIL, received_before)
            ]
        for message_id, raw, sender, at in messages:
            mail, inbound = self._inbound(raw, sender, at)
            outcome = await self.inbox.process(inbound, message_id, respond=self._responder(mail))
            log.info("message %s taken up again: %s", message_id, outcome.fate.value)
        return len(messages)


def _outbox_id(message_id: str | None) -> int | None:
    """Our own Message-IDs are "outbox-N@domain": a reply to one answers outbox message N."""
    match = re.match(r"outbox-(\d+)@", message_id or "")
    return int(match.group(1)) if match else None


async def serve(
    handler: MailHandler, host: str, port: int, size_limit: int
) -> asyncio.base_events.Server:
    """Listen for SMTP on host:port in the running event loop."""
    loop = asyncio.get_running_loop()
    return await loop.create_server(
        lambda: SMTP(handler, data_size_limit=size_limit, hostname="mutualise", ident="mutualise"),
        host=host,
        port=port,
    )
