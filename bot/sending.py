"""Sending to a chat by Telegram's rules: HTML parse mode, long texts split, buttons on
the last piece."""

from __future__ import annotations

import html

from aiogram import Bot
from aiogram.enums import ParseMode
from aiogram.types import BotCommand, InlineKeyboardMarkup, Message

from bot.splitting import split

COMMANDS = [
    BotCommand(command="aide", description="comment déclarer un besoin"),
    BotCommand(command="besoins", description="les besoins et offres de ma commune"),
    BotCommand(command="propositions", description="les propositions pour ma commune"),
    BotCommand(command="calendrier", description="les manifestations des prochaines semaines"),
    BotCommand(command="web", description="un lien vers la page du territoire"),
    BotCommand(command="annuler", description="abandonner la déclaration en cours"),
]
COORDINATOR_COMMANDS = [
    *COMMANDS,
    BotCommand(command="digest", description="la synthèse des rapprochements"),
    BotCommand(command="semestre", description="l'état des lieux semestriel"),
]


def plain(text: str) -> str:
    """User text and French sentences, made safe for HTML parse mode."""
    return html.escape(text, quote=False)


async def say(
    bot: Bot, chat_id: int | str, text: str, markup: InlineKeyboardMarkup | None = None
) -> Message:
    """Send Telegram HTML, in as many messages as it takes; returns the last one."""
    pieces = split(text)
    sent: Message | None = None
    for n, piece in enumerate(pieces):
        last = n == len(pieces) - 1
        sent = await bot.send_message(
            chat_id, piece, parse_mode=ParseMode.HTML, reply_markup=markup if last else None
        )
    assert sent is not None
    return sent


async def rewrite(
    bot: Bot,
    chat_id: int | str,
    message_id: int,
    text: str,
    markup: InlineKeyboardMarkup | None = None,
) -> None:
    """Replace the text (Telegram HTML) and buttons of a message the bot sent."""
    await bot.edit_message_text(
        text, chat_id=chat_id, message_id=message_id, parse_mode=ParseMode.HTML,
        reply_markup=markup,
    )  # fmt: skip
