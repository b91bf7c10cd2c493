"""An inbound message, whatever channel brought it: the one shape `handlers/` knows."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass

from storage.models import Channel

TELEGRAM_PREFIX = "telegram:"
# No quantity, date or telephone number has more digits; a longer run is cut to this many
# (Python refuses to turn a 4,300-digit run into a number, and the reading would fail).
MAX_DIGITS = 15
_LONG_DIGITS = re.compile(rf"\d{{{MAX_DIGITS + 1},}}")


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
    # Why the message must be held unread (its sender is not authenticated, or it could not
    # be read), if it must.
    quarantine: str | None = None
    # How the channel knows who wrote it (a trusted DMARC verdict, a reply token, the
    # Telegram account): what lets a coordinator act for another commune.
    authenticated: str | None = None
    # The outbox message this one answers ("Re:" to a question the bot asked), if any.
    answers: int | None = None

    def __post_init__(self) -> None:
        # What the reading reads: without NUL (PostgreSQL refuses it) nor endless numbers.
        text = _LONG_DIGITS.sub(lambda m: m.group()[:MAX_DIGITS], self.text.replace("\x00", ""))
        object.__setattr__(self, "text", text)

    @classmethod
    def from_line(cls, sender: str, text: str, at: dt.datetime) -> Inbound:
        """A message given by hand (`mutualise ingest`): its id is a digest of its content,
        so the same line ingested twice is one message."""
        channel = Channel.TELEGRAM if sender.startswith(TELEGRAM_PREFIX) else Channel.EMAIL
        digest = hashlib.sha256(f"{sender}\n{at.isoformat()}\n{text}".encode()).hexdigest()
        return cls(channel, sender.strip(), text, at, f"line:{digest[:40]}", text.encode(),
                   authenticated="fichier importé par l'exploitant (mutualise ingest)")  # fmt: skip

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
