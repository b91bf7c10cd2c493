"""Benchmark: Telegram updates per second through the real dispatcher, with the store and
matching, against an aiogram echo handler fed the same way in the same run.

Run: .venv/bin/python benchmarks/telegram.py [--declarations 1000] [--chats 10]

Each declaration is two updates: a correspondent writes a need or an offer (the bot logs it,
reads it and shows its card), then presses Confirmer (recorded and matched). `--chats`
correspondents write at once, each chat one update at a time, as Telegram delivers them.
Both dispatchers get their updates by `Dispatcher.feed_update`, with the offline session of
`bot/offline.py` (no network on either side). Ours runs on a fresh SQLite file. A ratio,
never a pass/fail.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from aiogram import Dispatcher, Router
from aiogram.types import CallbackQuery, Message
from sqlalchemy import func, select

from benchmarks.report import Row, declarations, fresh_store, rate, write_rows
from bot.offline import OfflineChat, keyboard

NOW = dt.datetime(2027, 5, 10, 9, tzinfo=dt.UTC)
FIRST_USER = 10_000


def clock() -> dt.datetime:
    return NOW


def echo() -> Dispatcher:
    """The reference: every message said back, every press answered."""
    router = Router()

    @router.message()
    async def said(message: Message) -> None:
        await message.answer(message.text or "")

    @router.callback_query()
    async def pressed(query: CallbackQuery) -> None:
        await query.answer()

    dispatcher = Dispatcher()
    dispatcher.include_router(router)
    return dispatcher


async def _confirm(chat: OfflineChat, user: int, since: int) -> None:
    """Press Confirmer on the card the bot just showed `user`."""
    calls = chat.session.calls
    for n in range(len(calls) - 1, since - 1, -1):
        shown = keyboard(calls[n])
        if "Confirmer" in shown and str(getattr(calls[n], "chat_id", "")) == str(user):
            message_id = getattr(chat.session.results[n], "message_id", 1)
            await chat.press(user, shown["Confirmer"], message_id)
            return
    await chat.press(user, "c:ok:0")  # no card (the echo): the same update all the same


async def converse(chat: OfflineChat, texts: list[str], chats: int) -> float:
    """`chats` correspondents at once, each writing its share then confirming; seconds."""

    async def one(user: int, share: list[str]) -> None:
        for text in share:
            since = len(chat.session.calls)
            await chat.say(user, text)
            await _confirm(chat, user, since)

    started = time.perf_counter()
    await asyncio.gather(
        *(one(FIRST_USER + n, texts[n::chats]) for n in range(chats))
    )  # fmt: skip
    return time.perf_counter() - started


async def ours(texts: list[str], chats: int, folder: Path) -> tuple[float, int]:
    """The real dispatcher on a fresh store: seconds, and needs and offers recorded."""
    from bot.dispatcher import build_dispatcher
    from handlers.inbox import Inbox
    from handlers.reading.sources import stored_reader
    from storage.database import create_engine
    from storage.members import add_member
    from storage.models import Commune, Need, Offer, Role
    from storage.territory import load_territory

    engine = create_engine(f"sqlite:///{folder / 'telegram.db'}")
    try:
        sessions = await fresh_store(engine)
        communes = [c.insee for c in load_territory().communes]
        async with sessions.begin() as session:
            for n in range(chats):
                commune = await session.get(Commune, communes[n % len(communes)])
                assert commune is not None
                await add_member(session, commune, Role.CORRESPONDENT, telegram_id=FIRST_USER + n)
        async with sessions() as session:
            reader = await stored_reader(session)
        chat = OfflineChat(build_dispatcher(Inbox(sessions, reader), clock), clock)
        seconds = await converse(chat, texts, chats)
        async with sessions() as session:
            recorded = 0
            for model in (Need, Offer):
                recorded += await session.scalar(select(func.count()).select_from(model)) or 0
        return seconds, recorded
    finally:
        await engine.dispose()


async def measure(count: int, chats: int) -> list[Row]:
    """Both dispatchers with the same conversations; the rows of the table."""
    texts = declarations(count)
    await converse(OfflineChat(echo(), clock), texts[:100], chats)  # warm up
    reference = await converse(OfflineChat(echo(), clock), texts, chats)
    with tempfile.TemporaryDirectory(prefix="mutualise-bench-") as folder:
        mine, recorded = await ours(texts, chats, Path(folder))
    updates = 2 * count
    print(
        f"{updates:,} updates from {chats} chats: ours {mine:.2f} s ({recorded:,} needs and "
        f"offers recorded), echo {reference:.2f} s"
    )
    return [
        Row(
            "telegram",
            f"updates through the dispatcher, store and matching, {chats} chats "
            f"({updates:,} updates, {recorded:,} recorded)",
            rate(updates, mine),
            f"aiogram echo handler: {rate(updates, reference)}",
            f"{reference / mine:.3f}",
            "floor: at least 50/s (the ratio is context)",
        )
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--declarations", type=int, default=1000)
    parser.add_argument("--chats", type=int, default=10)
    parser.add_argument("--rows", type=Path, help="append the figures here (JSON lines)")
    args = parser.parse_args()
    write_rows(args.rows, asyncio.run(measure(args.declarations, args.chats)))


if __name__ == "__main__":
    main()
