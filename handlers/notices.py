"""Notices: what the bot tells people unasked (a proposal, a question ahead of an event, a
reminder, a digest), in no channel's format.

A notice is a subject, a plain text and the answers it invites, as typed actions ("accept
or refuse proposal 12"). `bot/` renders it as Telegram HTML with buttons, `mail/` as a text
and HTML mail that says how to answer by reply; the core never builds either. `post` queues
a notice for its recipients, once per recipient however often it is posted.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.recipients import Recipient, dedupe_key
from storage.models import OutboxMessage
from storage.outbox import actions_of, draft, enqueue, enqueue_many


class ActionKind(enum.StrEnum):
    """What a notice asks its reader to do."""

    ANSWER_PROPOSAL = "answer_proposal"  # accept or refuse proposal N
    ANSWER_ANTICIPATION = "answer_anticipation"  # answer the question N asked ahead of an event
    DECLARE_ASKED = "declare_asked"  # declare the need message N only asked about
    NAME_COMMUNE = "name_commune"  # name the commune message N speaks for (a coordinator's)


@dataclass(frozen=True)
class Action:
    """One answer a notice invites, about one thing (a proposal, a question)."""

    kind: ActionKind
    target: int

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind.value, "target": self.target}

    @classmethod
    def from_json(cls, data: Any) -> Action | None:
        """The action stored by `to_json`; None for what this version does not know."""
        try:
            return cls(ActionKind(data["kind"]), int(data["target"]))
        except (KeyError, TypeError, ValueError):
            return None


# How each action is answered by a reply, where there are no buttons to press (naming a
# commune is answered in words on every channel: the question says how).
IN_WRITING = {
    ActionKind.ANSWER_PROPOSAL: (
        "Pour l'accepter, répondez à ce message par « j'accepte » ; pour la refuser, par "
        "« je refuse »."
    ),
    ActionKind.ANSWER_ANTICIPATION: (
        "Répondez à ce message par « oui » pour redemander le même matériel (les besoins sont "
        "enregistrés et l'appariement cherche des prêteurs), par « pas cette année » si la "
        "manifestation n'a pas lieu, ou écrivez simplement ce qu'il vous faut cette fois."
    ),
    ActionKind.DECLARE_ASKED: (
        "Pour déclarer ce besoin, répondez à ce message par « oui » (ou « je le déclare ») : "
        "il sera enregistré et l'appariement proposera un prêt. Sinon, il n'y a rien à faire."
    ),
}


@dataclass(frozen=True)
class Notice:
    """A message to someone, whatever the channel that carries it."""

    subject: str
    text: str  # plain text, paragraphs separated by a blank line
    actions: tuple[Action, ...] = ()
    # The same message as a whole HTML document, when a template renders one (the digests).
    html: str | None = None
    # What a chat shows of a long document (a digest): a few lines, the rest in the files.
    brief: str | None = None
    # Attached files: (name, content type, bytes).
    files: tuple[tuple[str, str, bytes], ...] = ()

    @classmethod
    def of(cls, message: OutboxMessage) -> Notice:
        """The notice an outbox message holds (its files are read apart)."""
        actions = (Action.from_json(a) for a in message.actions or [])
        return cls(
            message.subject or "",
            message.body,
            tuple(a for a in actions if a is not None),
            message.html,
            message.brief,
        )


def queued(notice: Notice, recipient: Recipient, key: str, now: dt.datetime) -> OutboxMessage:
    """The outbox message that carries a notice to one recipient."""
    return draft(
        channel=recipient.channel,
        recipient=recipient.address,
        subject=notice.subject,
        body=notice.text,
        html=notice.html,
        brief=notice.brief,
        actions=[a.to_json() for a in notice.actions],
        now=now,
        dedupe_key=dedupe_key(key, recipient),
    )


async def post(
    session: AsyncSession,
    notice: Notice,
    recipients: Iterable[Recipient],
    key: str,
    now: dt.datetime,
) -> int:
    """Queue the notice for each recipient; `key` names what it tells, so that posting it
    again to the same person queues nothing. Returns how many were queued."""
    queued_now = 0
    for recipient in recipients:
        message = await enqueue(session, queued(notice, recipient, key, now), notice.files)
        queued_now += message is not None
    return queued_now


async def post_many(
    session: AsyncSession,
    notices: Sequence[tuple[Notice, Iterable[Recipient], str]],
    now: dt.datetime,
) -> int:
    """`post` for many notices without files, their keys checked in one query."""
    drafts = [queued(n, r, key, now) for n, recipients, key in notices for r in recipients]
    return len(await enqueue_many(session, drafts))


async def rewrite(
    session: AsyncSession,
    rewrites: Sequence[tuple[Notice, OutboxMessage]],
    key: str,
    now: dt.datetime,
) -> int:
    """Queue a new text for messages already shown, each to be rewritten where it was shown
    (a chat edits it in place); `key` names the state they tell, so that each message is
    rewritten once for it. Returns how many were queued."""
    drafts = []
    for notice, shown in rewrites:
        rewritten = queued(notice, Recipient(shown.channel, shown.recipient), key, now)
        rewritten.dedupe_key = dedupe_key(key, f"edit:{shown.id}")
        rewritten.edits = shown.id
        drafts.append(rewritten)
    return len(await enqueue_many(session, drafts))


async def asked(session: AsyncSession, outbox_id: int, kind: ActionKind) -> int | None:
    """What the outbox message a person replies to asked of this kind (the proposal to
    answer, the question), if it asked anything."""
    for data in await actions_of(session, outbox_id):
        action = Action.from_json(data)
        if action is not None and action.kind is kind:
            return action.target
    return None
