"""The Telegram part of `mutualise demo`: correspondents invited, joining with their code,
declaring, confirming, answering a question, accepting a proposal by button; every update
goes through the real dispatcher of `bot/`, to an offline session that keeps what the bot
would have sent, shown as a conversation."""

from __future__ import annotations

import datetime as dt
import html
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rich.progress import Progress
from rich.table import Table

from handlers.cli.context import Context
from handlers.clock import DEFAULT_ZONE
from handlers.inbox import Inbox
from handlers.invitations import invite
from storage.models import Commune, Role

if TYPE_CHECKING:
    from bot.offline import OfflineChat

# The chats of the demonstration, in Lorient on 18 May 2027.
STARTS = dt.datetime(2027, 5, 18, 10, 0, tzinfo=DEFAULT_ZONE)
TAGS = re.compile(r"<[^<>]+>")  # a run of "<" fails at once at each


@dataclass(frozen=True)
class Person:
    telegram_id: int
    name: str
    commune: str  # INSEE


LOIC = Person(5101, "Loïc", "56121")  # Lorient, the lender of ganivelles
MAELLE = Person(5102, "Maëlle", "56083")  # Hennebont
YANN = Person(5103, "Yann", "56107")  # Larmor-Plage
PEOPLE = (LOIC, MAELLE, YANN)

# What each one does, in order: ("say", text) or ("press", button label). "{code}" is the
# person's invitation; "deliver" is the outbox sending the proposals matching queued.
SCRIPT: tuple[tuple[Person | None, str, str], ...] = (
    (LOIC, "say", "/start {code}"),
    (MAELLE, "say", "/start {code}"),
    (YANN, "say", "/start {code}"),
    (MAELLE, "say", "Pour la fête des remparts le 19 juillet il nous faudrait 100 ganivelles"),
    (MAELLE, "press", "Confirmer"),
    (YANN, "say", "Larmor-Plage aurait besoin de 40 barrières Vauban"),
    (YANN, "say", "du 2 au 4 août"),
    (YANN, "press", "Confirmer"),
    (None, "deliver", ""),
    (MAELLE, "press", "Accepter"),
    (LOIC, "press", "Accepter"),
    (MAELLE, "say", "/besoins"),
)


async def run_chats(ctx: Context, inbox: Inbox) -> int:
    """Play the script through the real dispatcher; print the conversation; count updates."""
    from bot.delivery import deliver_due  # adapters load only here
    from bot.dispatcher import build_dispatcher
    from bot.offline import OfflineChat

    now = [STARTS]

    def clock() -> dt.datetime:
        return now[0]

    codes = await _invitations(ctx, clock())
    chat = OfflineChat(build_dispatcher(inbox, clock), clock)
    chat.names.update({p.telegram_id: p.name for p in PEOPLE})
    names = {p.telegram_id: p.name for p in PEOPLE}
    shown = Table(title="Conversations Telegram (vrai bot, sans jeton ni réseau)", expand=True)
    shown.add_column("Qui", style="bold", no_wrap=True)
    shown.add_column("Message")
    updates = 0
    with Progress(transient=True, console=ctx.out) as progress:
        task = progress.add_task("Conversations Telegram", total=len(SCRIPT))
        for person, action, text in SCRIPT:
            now[0] += dt.timedelta(minutes=3)
            before = len(chat.session.calls)
            if person is None:
                sent = await deliver_due(ctx.sessions, chat.bot, clock)
                shown.add_section()
                shown.add_row(
                    "[dim]boîte d'envoi[/dim]", f"[dim]{sent} propositions envoyées[/dim]"
                )
            elif action == "say":
                written = text.format(code=codes.get(person.telegram_id, ""))
                shown.add_row(person.name, written)
                await chat.say(person.telegram_id, written)
                updates += 1
            else:
                data, message_id = _button(chat, person.telegram_id, text)
                shown.add_row(person.name, f"[reverse] {text} [/reverse]")
                await chat.press(person.telegram_id, data, message_id)
                updates += 1
            _answers(shown, chat, before, names)
            progress.advance(task)
    ctx.out.print(shown)
    return updates


async def _invitations(ctx: Context, now: dt.datetime) -> dict[int, str]:
    """The coordinator invites each person (`mutualise invite`): one code each."""
    codes = {}
    async with ctx.sessions.begin() as session:
        for person in PEOPLE:
            commune = await session.get(Commune, person.commune)
            assert commune is not None
            invitation = await invite(session, commune, Role.CORRESPONDENT, now, 7)
            codes[person.telegram_id] = invitation.code
    ctx.out.print(
        f"{len(codes)} invitations au bot Telegram (codes à usage unique), pour Lorient, "
        "Hennebont et Larmor-Plage."
    )
    return codes


def _button(chat: OfflineChat, user: int, label: str) -> tuple[str, int]:
    """The data and message of the last button `label` the bot showed `user`."""
    from bot.offline import keyboard

    pairs = zip(chat.session.calls, chat.session.results, strict=True)
    for call, result in reversed(list(pairs)):
        if str(getattr(call, "chat_id", "")) == str(user) and label in keyboard(call):
            return keyboard(call)[label], int(getattr(result, "message_id", 1))
    msg = f"no button {label!r} shown to {user}"
    raise LookupError(msg)


def _answers(shown: Table, chat: OfflineChat, since: int, names: dict[int, str]) -> None:
    """What the bot sent since call `since`, one row each."""
    for call in chat.session.calls[since:]:
        line = _line(call)
        if line is None:
            continue
        chat_id = getattr(call, "chat_id", None)
        to = names.get(int(chat_id), str(chat_id)) if chat_id is not None else "bulle"
        shown.add_row(f"[cyan]bot → {to}[/cyan]", line)


def _line(call: Any) -> str | None:
    """A Bot API call as the person reads it; None for what they do not see."""
    kind = type(call).__name__
    text = getattr(call, "text", None)
    if kind == "SendDocument":
        return f"📎 {getattr(call.document, 'filename', 'fichier')}"
    if not isinstance(text, str) or kind not in {"SendMessage", "EditMessageText"}:
        return None
    from bot.offline import keyboard

    plain = html.unescape(TAGS.sub("", text)).strip()
    first = plain.partition("\n\n")[0]
    # The help after a welcome is the same for everyone: its first paragraph is enough.
    if first.startswith("Bienvenue"):
        plain = first
    if kind == "EditMessageText":  # the message shown again with its new state
        plain = "(message mis à jour) … " + plain.rpartition("\n\n")[2]
    labels = " ".join(f"[reverse] {label} [/reverse]" for label in keyboard(call))
    return _escape(plain) + (f"\n{labels}" if labels else "")


def _escape(text: str) -> str:
    """Text shown as written, never read as rich markup."""
    return text.replace("[", "\\[")
