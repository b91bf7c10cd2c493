"""An inbound message, whatever channel brought it: the one shape `handlers/` knows."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from storage.models import Channel

TELEGRAM_PREFIX = "telegram:"


@dataclass(frozen=True)
class Inbound:
    """A message as received: channel, sender, text, when, and the channel's own id for it."""

    channel: Channel
    sender: str
    text: str
    at: dt.datetime
    external_id: str
    raw: bytes = b""
    # Why the message was written by a machine (auto-reply, bounce, list), if it was.
    automatic: str | None = None
    # Why the message must be held unread (its sender's domain failed DMARC or SPF).
    quarantine: str | None = None
    # The outbox message this one answers ("Re:" to a question the bot asked), if any.
    answers: int | None = None

    @classmethod
    def from_line(cls, sender: str, text: str, at: dt.datetime) -> Inbound:
        """A message given by hand (`mutualise ingest`): its id is a digest of its content,
        so the same line ingested twice is one message."""
        channel = Channel.TELEGRAM if sender.startswith(TELEGRAM_PREFIX) else Channel.EMAIL
        digest = hashlib.sha256(f"{sender}\n{at.isoformat()}\n{text}".encode()).hexdigest()
        return cls(channel, sender.strip(), text, at, f"line:{digest[:40]}", text.encode())

    @property
    def from_file(self) -> bool:
        """Given by the operator (`mutualise ingest`): recorded as confirmed."""
        return self.external_id.startswith("line:")

    @property
    def telegram_id(self) -> int | None:
        """The Telegram user id of the sender, for Telegram messages."""
        if not self.sender.startswith(TELEGRAM_PREFIX):
            return None
        number = self.sender.removeprefix(TELEGRAM_PREFIX)
        return int(number) if number.lstrip("-").isdigit() else None
