"""`mutualise run` with a Telegram token, as deployed: a real process, the real aiohttp
session and long polling, against a Bot API server on loopback."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import re
import signal
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from aiohttp import ClientSession
from pydantic import SecretStr
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.service import running_bot
from handlers.inbox import Inbox
from handlers.settings import Settings
from tests import cli
from tests.botapi import BotAPI, Call, serving
from tests.readers import shared_reader
from tests.test_service import MUTUALISE, free_port, service_env

ANNE, LOIC, STRANGER = 1001, 2002, 666


async def mutualise(env: dict[str, str], *args: str) -> str:
    """A command run in this process, the event loop free meanwhile (it may ask the Bot
    API this loop serves)."""
    done = await asyncio.to_thread(cli.mutualise, *args, env=env)
    assert done.returncode == 0, done.stderr
    return done.stdout


def to(user: int, method: str = "sendMessage") -> Callable[[Call], bool]:
    """A test for a call of `method` in the chat of `user`."""

    def test(call: Call) -> bool:
        return call.method == method and call.params.get("chat_id") == str(user)

    return test


def with_buttons(user: int, button: str) -> Callable[[Call], bool]:
    """A test for a message to `user` that carries `button`."""
    return lambda call: to(user)(call) and button in call.buttons


def edited_in(user: int, message_id: int) -> Callable[[Call], bool]:
    """A test for the edit of message `message_id` in the chat of `user`."""
    return lambda call: (
        to(user, "editMessageText")(call) and call.params["message_id"] == str(message_id)
    )


def edited_since(api: BotAPI, since: int, user: int, message_id: int) -> Callable[[Call], bool]:
    """A test for the edit of message `message_id` in the chat of `user`, made after the
    first `since` calls to the Bot API."""
    edit = edited_in(user, message_id)
    return lambda call: edit(call) and api.calls.index(call) >= since


async def accepted_within(env: dict[str, str], seconds: float) -> None:
    """Wait until the one proposal of the store is accepted, as `mutualise proposals` reads it."""
    deadline = time.monotonic() + seconds
    while True:
        (loan,) = json.loads(await mutualise(env, "proposals", "--json"))
        if loan["status"] == "accepted" or time.monotonic() > deadline:
            return
        await asyncio.sleep(0.5)


@pytest.mark.e2e
async def test_run_serves_the_bot_by_long_polling(sqlite_url: str, tmp_path: Path) -> None:
    async with serving() as (api, port):
        env = service_env(sqlite_url)
        env.update(
            MUTUALISE_TELEGRAM_TOKEN="42:TEST-TOKEN",
            MUTUALISE_TELEGRAM_API=f"http://127.0.0.1:{port}",
        )
        await mutualise(env, "init")
        printed = await mutualise(env, "invite", "--commune", "Riantec", "--role", "correspondent")
        link = re.search(r"https://t\.me/mutualise_test_bot\?start=([A-Za-z0-9_-]+)", printed)
        assert link is not None, printed  # the username came from getMe
        lender = await mutualise(env, "invite", "--commune", "Lorient", "--role", "correspondent")
        lender_code = re.search(r"start=([A-Za-z0-9_-]+)", lender)
        assert lender_code is not None
        offer = tmp_path / "offer.jsonl"
        offer.write_text(json.dumps({"from": "st@lorient.bzh", "at": "2027-05-02T09:00",
                                     "text": "Nous pouvons prêter 300 ganivelles de juin à septembre."},
                                    ensure_ascii=False) + "\n")  # fmt: skip
        await mutualise(env, "ingest", str(offer))
        api.flood["sendMessage"] = 1  # the first message meets flood control
        service = await asyncio.create_subprocess_exec(
            MUTUALISE,
            "run",
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        try:
            # the process starting (imports, the reader, the store): seconds on a quiet
            # machine, several times that on two cores shared with the other test worker
            await api.wait_for(lambda c: c.method == "setMyCommands", seconds=60)
            await api.message(ANNE, f"/start {link.group(1)}")
            assert "Bienvenue" in (await api.wait_for(to(ANNE))).text
            assert api.floods == 1  # waited out, then sent

            await api.message(STRANGER, "il nous faudrait 200 ganivelles pour le 21 juin")
            assert "pas encore inscrit" in (await api.wait_for(to(STRANGER))).text

            await api.message(LOIC, f"/start {lender_code.group(1)}")
            assert "Bienvenue" in (await api.wait_for(to(LOIC))).text
            await api.message(ANNE, "il nous faudrait 200 ganivelles")  # no date: asked for one
            asked = await api.wait_for(lambda c: to(ANNE)(c) and "Pour quelles dates" in c.text)
            assert asked.text
            await api.message(ANNE, "le 21 juin")
            card = await api.wait_for(lambda c: to(ANNE)(c) and "Confirmer" in c.buttons)
            assert card.message_id is not None and "le 21 juin 2027" in card.text
            pressed = time.monotonic()
            await api.press(ANNE, card.buttons["Confirmer"], card.message_id)
            edited = await api.wait_for(to(ANNE, "editMessageText"))
            assert "Enregistré" in edited.text and edited.params["message_id"] == str(
                card.message_id
            )
            await api.wait_for(lambda c: c.method == "answerCallbackQuery")
            # The proposal reaches both communes with its buttons, at once (the outbox's round
            # is 30 s: the commit that made it woke the sender); both accept it.
            for user in (ANNE, LOIC):
                notice = await api.wait_for(with_buttons(user, "Accepter"))
                # well under the 30 s round, with room for a loaded CI machine (the 2 s goal is
                # measured by benchmarks/latency.py, not asserted here)
                assert time.monotonic() - pressed < 15, "the proposal waited for the outbox's round"
                assert "Lorient peut prêter 200 ganivelles à Riantec" in notice.text
                assert notice.message_id is not None
                # The edit of this press, not the outbox's rewrite of the notice after the
                # other commune's answer (this press would not be recorded yet).
                since = len(api.calls)
                await api.press(user, notice.buttons["Accepter"], notice.message_id)
                await api.wait_for(edited_since(api, since, user, notice.message_id))
            # The last edit may still be the outbox's rewrite after the first answer, sent
            # before the second press is recorded: the store says when it is.
            await accepted_within(env, seconds=30)
        finally:
            service.send_signal(signal.SIGTERM)
            out, err = await asyncio.wait_for(service.communicate(), timeout=30)
        assert service.returncode == 0, err.decode()
        assert "Bot Telegram @mutualise_test_bot" in out.decode()
        assert "Traceback" not in err.decode()
        needs = json.loads(await mutualise(env, "needs", "--json"))
        assert [(n["commune"], n["item"], n["quantity"], n["channel"]) for n in needs] == [
            ("56193", "ganivelle", 200, "telegram"),
            ("56121", "ganivelle", 300, "email"),
        ]
        (loan,) = json.loads(await mutualise(env, "proposals", "--json"))
        assert (loan["kind"], loan["lenders"], loan["borrower"], loan["status"]) == (
            "loan",
            ["56121"],
            "56193",
            "accepted",
        )


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
async def test_webhook_mode_checks_the_secret(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with serving() as (api, port):
        hook = free_port()
        settings = Settings(
            telegram_token=SecretStr("42:TEST-TOKEN"),
            telegram_api=f"http://127.0.0.1:{port}",
            telegram_webhook_url=f"http://127.0.0.1:{hook}/telegram",
            telegram_webhook_secret=SecretStr("s3cret"),
            telegram_webhook_port=hook,
        )
        update = {
            "update_id": 1,
            "message": {
                "message_id": 1, "date": 0, "chat": {"id": STRANGER, "type": "private"},
                "from": {"id": STRANGER, "is_bot": False, "first_name": "X"}, "text": "/aide",
            },
        }  # fmt: skip
        inbox = Inbox(sessions, shared_reader())
        async with running_bot(settings, inbox, lambda: dt.datetime.now(dt.UTC)) as (how, _):
            assert "webhook" in how
            registered = await api.wait_for(lambda c: c.method == "setWebhook")
            assert registered.params["secret_token"] == "s3cret"
            url = f"http://127.0.0.1:{hook}/telegram"
            async with ClientSession() as client:
                wrong = {"X-Telegram-Bot-Api-Secret-Token": "guess"}
                async with client.post(url, json=update, headers=wrong) as response:
                    assert response.status == 401
                right = {"X-Telegram-Bot-Api-Secret-Token": "s3cret"}
                async with client.post(url, json=update, headers=right) as response:
                    assert response.status == 200
            assert "pas encore inscrit" in (await api.wait_for(to(STRANGER))).text
