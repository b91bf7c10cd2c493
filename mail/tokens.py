"""Unguessable tokens in the mail mutualise sends, signed with the service's secret (HMAC).

- The Message-ID of outbox message N is `outbox-N.<mac>@domain`: a reply's In-Reply-To
  names the message it answers, and only mutualise can write a valid one. Sequential ids
  alone could be guessed (a stranger's own auto-answer shows the current N).
- The Reply-To of a message to address A is `besoins+<mac of A>@domain`: writing to it
  shows possession of mail sent to A. It is how a small territory without an
  authentication server lets its registered members write by email (docs/deploy.md).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re

_OUTBOX_ID = re.compile(r"outbox-(\d{1,18})\.([a-z2-7]{26})@", re.IGNORECASE)


class Tokens:
    """Signs and checks the tokens; built once from the `MUTUALISE_SECRET` setting."""

    def __init__(self, secret: str) -> None:
        if len(secret) < 16:
            msg = "MUTUALISE_SECRET doit compter au moins 16 caractères."
            raise ValueError(msg)
        self._key = secret.encode()

    def _mac(self, purpose: str, value: str) -> str:
        digest = hmac.new(self._key, f"{purpose}\x00{value}".encode(), hashlib.sha256).digest()
        return base64.b32encode(digest[:16]).decode().rstrip("=").lower()

    def message_id(self, outbox_id: int, domain: str) -> str:
        """The Message-ID (without <>) of outbox message `outbox_id`."""
        return f"outbox-{outbox_id}.{self._mac('outbox', str(outbox_id))}@{domain}"

    def outbox_of(self, message_id: str | None) -> int | None:
        """The outbox message a reply answers, from its In-Reply-To; None unless the token
        is ours."""
        match = _OUTBOX_ID.match(message_id or "")
        if match is None:
            return None
        number, mac = match.group(1), match.group(2).lower()
        return int(number) if hmac.compare_digest(mac, self._mac("outbox", number)) else None

    def reply_address(self, mailbox: str, recipient: str) -> str:
        """Where `recipient` answers mail from `mailbox`: its "+token" form."""
        local, _, domain = mailbox.rpartition("@")
        return f"{local.partition('+')[0]}+{self._address_mac(recipient)}@{domain}"

    def proves(self, delivered_to: str, sender: str) -> bool:
        """Whether mail to `delivered_to` carries the token of `sender`'s address."""
        local = delivered_to.strip().strip("<>").rpartition("@")[0]
        tag = local.partition("+")[2].lower()
        return bool(tag) and hmac.compare_digest(tag, self._address_mac(sender))

    def _address_mac(self, address: str) -> str:
        return self._mac("address", address.strip().lower())
