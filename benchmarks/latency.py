"""Benchmark: how long a correspondent waits, with 25 of them writing at once.

Run: .venv/bin/python benchmarks/latency.py [--rounds 4] [--people 25] [--postgres URL]
[--answers-only]

- Telegram: the bot's answer (a card or a question) to an update, when it reaches the Bot
  API (the update is then noted as handled, which the person does not wait for: that
  whole handling is reported beside it); the proposal in both
  communes' chats after the borrower presses Confirmer, sent by the real outbox sender
  (`scheduler/service.py`, woken by the commit); the lender's message of the proposal
  edited after the borrower presses Accepter. The real dispatcher, the offline Bot API
  session of `bot/offline.py`, a fresh SQLite file. Reference: the same updates answered
  by an aiogram echo bot, in the same run.
- Email: from the 250 of the service's SMTP server to the threaded answer reaching a relay
  on loopback (the real `mail/server.py`, inbox, sender and `mail/sending.py`), the
  messages sent by a client in a child process. Reference: a whole SMTP transaction with a
  server that does nothing, in the same run.

p50 and p99 of each, against the goals of the timeliness issue; a report, never a
pass/fail.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import datetime as dt
import gc
import json
import os
import re
import smtplib
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Awaitable, Callable
from email.message import EmailMessage
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from aiogram.methods import EditMessageText, SendMessage
from aiosmtpd.smtp import SMTP
from sqlalchemy.engine import make_url

from benchmarks.report import Row, run_client, write_rows
from benchmarks.smtp import Nothing
from benchmarks.telegram import echo
from bot.offline import OfflineChat, OfflineSession, keyboard

NOW = dt.datetime(2027, 5, 10, 9, tzinfo=dt.UTC)
# A fresh empty store for a part of the run, by name: its URL.
Store = Callable[[str], Awaitable[str]]
ADDRESS = "besoins@lorient-agglo.example"
# The territory's mail server in front of the service, whose DMARC verdicts it believes.
AUTHSERV = "mx.lorient-agglo.example"
LENDER, FIRST_USER = 9_000, 10_000
OFFER = "Nous pouvons prêter 100000 ganivelles du 1er juin au 30 septembre."


def clock() -> dt.datetime:
    return NOW


def percentiles(seconds: list[float]) -> tuple[float, float]:
    """p50 and p99, in milliseconds."""
    cuts = statistics.quantiles(seconds, n=100, method="inclusive")
    return statistics.median(seconds) * 1000, cuts[98] * 1000


def _ms(value: float) -> str:
    return f"{value:,.0f} ms" if value >= 10 else f"{value:.2f} ms"


def shown(seconds: list[float]) -> str:
    p50, p99 = percentiles(seconds)
    return f"p50 {_ms(p50)}, p99 {_ms(p99)}"


def started() -> None:
    """What `mutualise run` does once started (`handlers/cli/service.py`): what the start
    loaded is frozen out of the cyclic garbage collector."""
    gc.collect()
    gc.freeze()


class TimedSession(OfflineSession):
    """The offline Bot API session, noting when each call reached it; a waiter sleeps until
    a call comes (it does not poll: 25 pollers would take the CPU the bot is measured on)."""

    def __init__(self) -> None:
        super().__init__()
        self.times: list[float] = []
        self._called = asyncio.Event()

    async def make_request(self, bot: Any, method: Any, timeout: int | None = None) -> Any:  # noqa: ASYNC109
        result = await super().make_request(bot, method, timeout)
        self.times.append(time.monotonic())
        self._called.set()
        self._called = asyncio.Event()
        return result

    async def first(self, since: int, test: Callable[[Any], bool], what: str) -> int:
        """The first call since call `since` passing `test`, waiting up to a minute for it."""
        deadline = time.monotonic() + 60
        n = since
        while True:
            while n < len(self.calls):
                if test(self.calls[n]):
                    return n
                n += 1
            try:
                async with asyncio.timeout(deadline - time.monotonic()):
                    await self._called.wait()
            except TimeoutError:
                msg = f"{what} within a minute"
                raise TimeoutError(msg) from None


def _to(user: int, test: Callable[[Any], bool]) -> Callable[[Any], bool]:
    """A message sent to `user` that passes `test`."""
    return lambda c: isinstance(c, SendMessage) and str(c.chat_id) == str(user) and test(c)


def _sent_to(
    session: TimedSession, user: int, since: int, test: Callable[[Any], bool]
) -> int | None:
    """The first call since `since` that sends `user` a message passing `test`."""
    found = _to(user, test)
    return next((n for n in range(since, len(session.calls)) if found(session.calls[n])), None)


async def _arrival(
    session: TimedSession, user: int, since: int, test: Callable[[Any], bool]
) -> float:
    found = await session.first(since, _to(user, test), f"nothing came to chat {user}")
    return session.times[found]


async def _edited(session: TimedSession, user: int, message_id: int, since: int) -> float:
    """When the message `message_id` of chat `user` was edited, since call `since`."""

    def edit(call: Any) -> bool:
        return (isinstance(call, EditMessageText) and str(call.chat_id) == str(user)
                and call.message_id == message_id)  # fmt: skip

    what = f"message {message_id} of chat {user} was not edited"
    return session.times[await session.first(since, edit, what)]


async def conversations(
    chat: OfflineChat, people: list[int], rounds: int, proposals: bool
) -> tuple[list[float], list[float], list[float], list[float]]:
    """Each person declares `rounds` needs at once with the others and confirms each;
    the answer latencies (to the bot's first message back), the update's whole handling
    (the answer, then the update noted as handled), and (when `proposals`) confirm-to-both-
    chats latencies and, once the borrower accepts, accept-to-the-lender's-message-edited
    latencies."""
    session = chat.session
    assert isinstance(session, TimedSession)
    answers: list[float] = []
    handled: list[float] = []
    delivered: list[float] = []
    edited: list[float] = []
    taken: set[str] = set()

    async def one(user: int) -> None:
        for n in range(rounds):
            since = len(session.calls)
            started = time.monotonic()
            await chat.say(user, f"il nous faudrait 10 ganivelles le {n + 1} juillet")
            handled.append(time.monotonic() - started)
            first = _sent_to(session, user, since, lambda c: True)
            assert first is not None, f"no answer to chat {user}"
            answers.append(session.times[first] - started)
            card = _sent_to(session, user, since, lambda c: "Confirmer" in keyboard(c))
            if card is None:  # the echo shows no card: a press all the same
                message_id, data = 1, "c:ok:0"
            else:
                message_id = getattr(session.results[card], "message_id", 1)
                data = keyboard(session.calls[card])["Confirmer"]
            since = len(session.calls)
            pressed = time.monotonic()
            await chat.press(user, data, message_id)
            if not proposals:
                continue
            proposal = lambda c: "Accepter" in keyboard(c)  # noqa: E731
            mine = await _arrival(session, user, since, proposal)
            found = _sent_to(session, user, since, proposal)
            assert found is not None
            number = re.search(r"n° (\d+)", getattr(session.calls[found], "text", "") or "")
            assert number is not None
            tag = f"n° {number.group(1)}<"
            ours = lambda c, tag=tag: tag in (c.text or "")  # noqa: E731
            theirs = await _arrival(session, LENDER, 0, ours)
            delivered.append(max(mine, theirs) - pressed)
            shown = _sent_to(session, LENDER, 0, ours)
            assert shown is not None
            if tag in taken:  # two people of one commune, one proposal: answered once
                continue
            taken.add(tag)
            since = len(session.calls)
            accepted = time.monotonic()
            await chat.press(user, keyboard(session.calls[found])["Accepter"],
                             session.results[found].message_id)  # fmt: skip
            lender = session.results[shown].message_id
            edited.append(await _edited(session, LENDER, lender, since) - accepted)

    await asyncio.gather(*(one(user) for user in people))
    return answers, handled, delivered, edited


async def telegram(people: int, rounds: int, store: Store, proposals: bool = True) -> list[Row]:
    from benchmarks.report import fresh_store
    from bot.delivery import deliver_due
    from bot.dispatcher import build_dispatcher
    from handlers.digests import DigestConfig
    from handlers.inbound import Inbound
    from handlers.inbox import Inbox
    from handlers.reading.sources import stored_reader
    from scheduler.jobs import Jobs
    from scheduler.service import Scheduler
    from storage.database import create_engine, session_factory
    from storage.members import add_member
    from storage.models import Commune, Role
    from storage.outbox import Doorbell
    from storage.territory import load_territory

    users = [FIRST_USER + n for n in range(people)]
    reference = OfflineChat(echo(), clock, TimedSession())
    await conversations(reference, users[:5], 2, proposals=False)  # warm up
    echoed, _, _, _ = await conversations(reference, users, rounds, proposals=False)

    engine = create_engine(await store("telegram"))
    try:
        await fresh_store(engine)
        doorbell = Doorbell()
        sessions = session_factory(engine, doorbell)
        borrowers = [c.insee for c in load_territory().communes if c.insee != "56121"]
        async with sessions.begin() as session:
            lorient = await session.get(Commune, "56121")
            assert lorient is not None
            await add_member(session, lorient, Role.CORRESPONDENT, telegram_id=LENDER)
            for n, user in enumerate(users):
                commune = await session.get(Commune, borrowers[n % len(borrowers)])
                assert commune is not None
                await add_member(session, commune, Role.CORRESPONDENT, telegram_id=user)
        async with sessions() as session:
            reader = await stored_reader(session)
        inbox = Inbox(sessions, reader)
        await inbox.receive(Inbound.from_line("st@lorient.bzh", OFFER, NOW))
        chat = OfflineChat(build_dispatcher(inbox, clock), clock, TimedSession())
        jobs = Jobs(sessions, DigestConfig(), "latency", inbox.zone)

        async def flush() -> None:
            await deliver_due(sessions, chat.bot, clock)

        sender = Scheduler(sessions, jobs, [flush], 30.0, clock, doorbell)
        await sender.start()
        started()
        try:
            answers, handled, delivered, edited = await conversations(
                chat, users, rounds, proposals
            )
        finally:
            await sender.stop()
    finally:
        await engine.dispose()
    echo_p99 = percentiles(echoed)[1]
    print(
        f"telegram: answer {shown(answers)} (update handled {shown(handled)})"
        + (f", proposal {shown(delivered)}, edit {shown(edited)}" if proposals else "")
    )
    print(f"          echo {shown(echoed)}")
    answer_ratio = echo_p99 / percentiles(answers)[1]
    answered = [
        Row("latency", f"Telegram update → the bot's answer (card, question), {people} chats"
            + ("" if proposals else ", not waiting for the proposals"),
            shown(answers), f"echo bot: {shown(echoed)}", f"{answer_ratio:.4f}",
            "p99 under 300 ms"),
        Row("latency", f"the same update wholly handled (answered, then noted as handled), "
            f"{people} chats", shown(handled), f"echo bot: {shown(echoed)}",
            f"{echo_p99 / percentiles(handled)[1]:.4f}"),
    ]  # fmt: skip
    if not proposals:
        return answered
    delivered_ratio = echo_p99 / percentiles(delivered)[1]
    return [
        *answered,
        Row("latency", f"Confirmer → the proposal in both communes' chats, {people} chats",
            shown(delivered), f"echo bot: {shown(echoed)}", f"{delivered_ratio:.5f}",
            "p99 under 2 s"),
        Row("latency", f"an accepted proposal → the other commune's message edited, {people} "
            "chats", shown(edited), f"echo bot: {shown(echoed)}",
            f"{echo_p99 / percentiles(edited)[1]:.5f}", "p99 under 2 s"),
    ]  # fmt: skip


def client(port: int, people: int, rounds: int) -> None:
    """Child process: each person sends their emails one after the other, all at once;
    prints when each got its 250 (the system's monotonic clock, shared by processes)."""
    from storage.territory import load_territory

    halls = [c for c in load_territory().communes if c.email_domains]
    done: dict[str, float] = {}

    def send(person: int) -> None:
        commune = halls[person % len(halls)]
        with smtplib.SMTP("127.0.0.1", port, timeout=120) as smtp:
            for n in range(rounds):
                message = EmailMessage()
                message["Authentication-Results"] = (
                    f"{AUTHSERV}; dmarc=pass header.from={commune.email_domains[0]}"
                )
                message["From"] = sender = f"mairie@{commune.email_domains[0]}"
                message["To"] = ADDRESS
                message["Subject"] = "Mutualisation"
                message["Message-ID"] = key = f"<lat-{person}-{n}@{commune.email_domains[0]}>"
                message.set_content(f"il nous faudrait 10 barnums le {n + 1} juillet\n\n"
                                    f"Mairie de {commune.name}")  # fmt: skip
                smtp.sendmail(sender, [ADDRESS], message.as_bytes())
                done[key] = time.monotonic()

    started = time.monotonic()
    threads = [threading.Thread(target=send, args=(p,)) for p in range(people)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print(json.dumps({"done": done, "started": started}))


async def _drive(port: int, people: int, rounds: int) -> dict[str, Any]:
    return await run_client(__file__, port, "--people", str(people), "--rounds", str(rounds))


class Relay:
    """A relay on loopback noting when each answer reaches it, by the message it answers."""

    def __init__(self) -> None:
        self.arrived: dict[str, float] = {}

    async def handle_DATA(self, server: SMTP, session: Any, envelope: Any) -> str:
        found = re.search(rb"In-Reply-To: (<[^>]+>)", envelope.original_content or b"")
        if found:
            self.arrived[found.group(1).decode()] = time.monotonic()
        return "250 OK"


async def email(people: int, rounds: int, store: Store) -> list[Row]:
    from benchmarks.report import fresh_store
    from handlers.digests import DigestConfig
    from handlers.inbox import Inbox
    from handlers.reading.sources import stored_reader
    from mail.sending import Relay as Route
    from mail.sending import deliver_due
    from mail.server import Mailbox, MailHandler, Trust, serve
    from scheduler.jobs import Jobs
    from scheduler.service import Scheduler
    from storage.database import create_engine, session_factory
    from storage.outbox import Doorbell

    loop = asyncio.get_running_loop()
    nothing = await loop.create_server(lambda: SMTP(Nothing()), host="127.0.0.1", port=0)
    try:
        sent = await _drive(nothing.sockets[0].getsockname()[1], people, rounds)
    finally:
        nothing.close()
        await nothing.wait_closed()
    # Each person's transactions follow one another: the time of one is the gap between two.
    reference = _transactions(sent)

    relay = Relay()
    relaying = await loop.create_server(lambda: SMTP(relay), host="127.0.0.1", port=0)
    engine = create_engine(await store("mail"))
    try:
        await fresh_store(engine)
        doorbell = Doorbell()
        sessions = session_factory(engine, doorbell)
        async with sessions() as session:
            reader = await stored_reader(session)
        inbox = Inbox(sessions, reader)
        handler = MailHandler(inbox, Mailbox.of(ADDRESS), clock, Trust({AUTHSERV}),
                              replies_per_day=10_000)  # fmt: skip
        server = await serve(handler, "127.0.0.1", 0, 10 * 1024 * 1024)
        route = Route("127.0.0.1", relaying.sockets[0].getsockname()[1], ADDRESS)

        async def flush() -> None:
            await deliver_due(sessions, route, clock)

        sender = Scheduler(sessions, Jobs(sessions, DigestConfig(), "latency", inbox.zone),
                           [flush], 30.0, clock, doorbell)  # fmt: skip
        await sender.start()
        started()
        try:
            ours = await _drive(server.sockets[0].getsockname()[1], people, rounds)
            deadline = time.monotonic() + 60
            while len(relay.arrived) < len(ours["done"]) and time.monotonic() < deadline:  # noqa: ASYNC110
                await asyncio.sleep(0.01)
        finally:
            await sender.stop()
            server.close()
            await server.wait_closed()
    finally:
        relaying.close()
        await engine.dispose()
    waits = [relay.arrived[k] - at for k, at in ours["done"].items() if k in relay.arrived]
    lost = len(ours["done"]) - len(waits)
    print(f"email: answer at the relay {shown(waits)} ({lost} never came)")
    print(f"       SMTP alone {shown(reference)}")
    return [
        Row("latency", f"SMTP 250 → the threaded answer at the relay, {people} senders at once"
            + (f" ({lost} never came)" if lost else ""),
            shown(waits), f"an SMTP transaction alone: {shown(reference)}",
            f"{percentiles(reference)[1] / percentiles(waits)[1]:.3f}", "p99 under 5 s"),
    ]  # fmt: skip


def _transactions(sent: dict[str, Any]) -> list[float]:
    by_person: dict[str, list[float]] = {}
    for key, at in sent["done"].items():
        by_person.setdefault(key.split("-")[1], []).append(at)
    gaps = []
    for times in by_person.values():
        times.sort()
        gaps += [b - a for a, b in zip([sent["started"], *times], times, strict=False)]
    return gaps


async def measure(
    people: int, rounds: int, postgres: str | None, proposals: bool = True
) -> list[Row]:
    with tempfile.TemporaryDirectory(prefix="mutualise-latency-") as folder:
        made: list[str] = []

        async def store(name: str) -> str:
            """A fresh empty store: a SQLite file, or a PostgreSQL database."""
            if postgres is None:
                return f"sqlite:///{Path(folder) / name}.db"
            database = f"mutualise_latency_{name}_{os.getpid()}"
            await _admin(postgres, f'CREATE DATABASE "{database}"')
            made.append(database)
            return make_url(postgres).set(database=database).render_as_string(False)

        try:
            rows = await telegram(people, rounds, store, proposals)
            if proposals:
                rows += await email(people, rounds, store)
        finally:
            for database in made:
                await _admin(postgres or "", f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    if postgres is not None:
        rows = [dataclasses.replace(r, figure=f"{r.figure}, PostgreSQL") for r in rows]
    return rows


async def _admin(url: str, statement: str) -> None:
    import asyncpg

    dsn = make_url(url).set(drivername="postgresql").render_as_string(False)
    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=25)
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--rows", type=Path, help="append the figures here (JSON lines)")
    parser.add_argument("--postgres", help="on this PostgreSQL server (a database is made "
                        "and dropped) instead of SQLite files")  # fmt: skip
    parser.add_argument("--answers-only", action="store_true", help="Telegram's answers "
                        "alone: each person declares and confirms, not waiting for the "
                        "proposals (the same load whatever the outbox's speed)")  # fmt: skip
    parser.add_argument("--client", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.client:
        client(args.client, args.people, args.rounds)
        return
    measured = measure(args.people, args.rounds, args.postgres, not args.answers_only)
    write_rows(args.rows, asyncio.run(measured))


if __name__ == "__main__":
    main()
