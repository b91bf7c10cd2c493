"""Outbound mail: the outbox's email messages, sent through the territory's relay."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

import aiosmtplib
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from mail.notices import render
from mail.tokens import Tokens
from storage.models import Channel, OutboxAttachment, OutboxMessage
from storage.outbox import Wave, mark_failed, mark_sent, send_due

log = logging.getLogger("mutualise.mail.out")


@dataclass(frozen=True)
class Relay:
    """Where outbound mail goes, and as whom."""

    host: str
    port: int
    sender: str  # the From address of every message mutualise sends
    username: str | None = None
    password: str | None = None
    starttls: bool = False
    timeout: float = 30.0
    # Signs the Message-ID and Reply-To of each message; without it, replies answer nothing.
    tokens: Tokens | None = None

    @property
    def domain(self) -> str:
        return self.sender.rpartition("@")[2] or "mutualise.invalid"


def compose(
    message: OutboxMessage, relay: Relay, attachments: Sequence[OutboxAttachment] = ()
) -> EmailMessage:
    """The email of an outbox message: its notice as text and HTML, its own headers (the
    thread of a reply), and its attached files; a file the HTML shows (`src="cid:NAME"`,
    NAME its file name) goes with the HTML as a related part whose Content-ID is its name."""
    email = EmailMessage()
    email["From"] = relay.sender
    email["To"] = _one_line(message.recipient)
    email["Subject"] = _one_line(message.subject or "mutualise")
    if relay.tokens is not None:
        # A stable id, signed: a message sent again after a crash is the same one, and a
        # reply names it with a token only mutualise can write.
        email["Message-ID"] = f"<{relay.tokens.message_id(message.id, relay.domain)}>"
        email["Reply-To"] = relay.tokens.reply_address(relay.sender, message.recipient)
    else:
        email["Message-ID"] = make_msgid(domain=relay.domain)
    email["Date"] = format_datetime(message.created_at)
    email["Auto-Submitted"] = "auto-replied" if message.in_reply_to else "auto-generated"
    for name, value in (message.headers or {}).items():
        email[_one_line(name)] = _one_line(str(value))
    text, marked = render(message)
    email.set_content(text)
    shown = [a for a in attachments if marked and f'src="cid:{a.filename}"' in marked]
    if marked:
        email.add_alternative(marked, subtype="html")
        html = next(p for p in email.iter_parts() if p.get_content_type() == "text/html")
        for picture in shown:  # the HTML's pictures: multipart/related, named by Content-ID
            maintype, _, subtype = picture.content_type.partition("/")
            html.add_related(
                picture.content, maintype=maintype, subtype=subtype or "octet-stream",
                cid=f"<{picture.filename}>", disposition="inline", filename=picture.filename,
            )  # fmt: skip
    for attachment in attachments:
        if attachment in shown:
            continue
        maintype, _, subtype = attachment.content_type.partition("/")
        email.add_attachment(
            attachment.content, maintype=maintype, subtype=subtype or "octet-stream",
            filename=attachment.filename,
        )  # fmt: skip
    return email


def _one_line(value: str) -> str:
    """A header value on one line: a CR or LF from a user's text cannot add a header."""
    return " ".join(value.split())


class Connection:
    """One SMTP connection to the relay for a whole flush, opened at the first message
    and opened again after any failure (a relay that dropped us, a refusal mid-dialogue):
    a hundred answers do not cost a hundred handshakes."""

    def __init__(self, relay: Relay) -> None:
        self.relay = relay
        self._client: aiosmtplib.SMTP | None = None

    async def send(self, email: EmailMessage) -> None:
        """Hand one email to the relay."""
        if self._client is None or not self._client.is_connected:
            relay = self.relay
            self._client = aiosmtplib.SMTP(
                hostname=relay.host, port=relay.port, username=relay.username,
                password=relay.password, start_tls=relay.starttls, timeout=relay.timeout,
            )  # fmt: skip
            await self._client.connect()
        try:
            await self._client.send_message(email)
        except BaseException:
            await self.close()
            raise

    async def close(self) -> None:
        """Say goodbye to the relay, if we are still talking."""
        client, self._client = self._client, None
        if client is not None and client.is_connected:
            try:
                await client.quit()
            except (aiosmtplib.SMTPException, OSError):
                client.close()


async def deliver_due(
    sessions: async_sessionmaker[AsyncSession],
    relay: Relay,
    now: Callable[[], dt.datetime],
) -> tuple[int, int]:
    """Send every email whose time has come, a wave after another (what a burst queued
    goes in this flush, not the next), each wave's marks in one commit; returns (sent,
    failed)."""
    sent = failed = 0
    connection = Connection(relay)

    async def send(wave: Wave) -> None:
        nonlocal sent, failed
        for message in wave.messages:
            if await _attempt(message, wave.files.get(message.id, []), connection, now):
                sent += 1
            else:
                failed += 1

    try:
        await send_due(sessions, Channel.EMAIL, now, send)
    finally:
        await connection.close()
    return sent, failed


async def _attempt(
    message: OutboxMessage,
    files: Sequence[OutboxAttachment],
    connection: Connection,
    now: Callable[[], dt.datetime],
) -> bool:
    try:
        email = compose(message, connection.relay, files)
        email.as_bytes()  # a message that cannot be written out fails here, not mid-send
    except (ValueError, TypeError, LookupError) as exc:  # cannot be written: never will be
        log.error("outbox %s cannot be composed: %s", message.id, exc)
        mark_failed(message, now(), f"{type(exc).__name__}: {exc}", permanent=True)
        return False
    try:
        await connection.send(email)
    except aiosmtplib.SMTPResponseException as exc:
        log.warning("relay refused outbox %s: %s %s", message.id, exc.code, exc.message)
        mark_failed(message, now(), f"{exc.code} {exc.message}", permanent=500 <= exc.code < 600)
        return False
    except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
        log.warning("relay unreachable for outbox %s: %s", message.id, exc)
        mark_failed(message, now(), f"{type(exc).__name__}: {exc}", permanent=False)
        return False
    mark_sent(message, now())
    return True
