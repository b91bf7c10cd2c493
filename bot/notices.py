"""Notices in the chat: the core's neutral notice as Telegram HTML (its subject in bold, its
text escaped) with a row of buttons for each answer it invites."""

from __future__ import annotations

from aiogram.types import InlineKeyboardMarkup

from bot import keyboards
from bot.sending import plain
from handlers.notices import Notice


def render(notice: Notice) -> tuple[str, InlineKeyboardMarkup | None]:
    """The message and its buttons; a long document (a digest) shows its brief."""
    body = plain(notice.brief if notice.brief is not None else notice.text)
    head = f"<b>{plain(notice.subject)}</b>\n" if notice.subject else ""
    return head + body, keyboards.actions(notice.actions)
