"""Hostile input, fuzzed: whatever reaches the SMTP handler or the Telegram dispatcher gets an
answer in bounded time, and no exception escapes."""

from __future__ import annotations

import asyncio
import datetime as dt
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from aiosmtpd.smtp import Envelope
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.dispatcher import build_dispatcher
from handlers.inbox import Inbox
from mail.sandbox import ParserPool
from mail.server import Mailbox, MailHandler
from storage.database import create_engine, session_factory
from tests.readers import shared_reader
from tests.telegram import ChatDriver

PARIS = ZoneInfo("Europe/Paris")
NOW = dt.datetime(2027, 5, 3, 9, tzinfo=PARIS)
READER = shared_reader()
ANNE = 1001
BOUND = 5.0  # seconds: generous, the machine is shared; a hang or a blow-up is far above
FUZZ = settings(
    max_examples=40, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)  # fmt: skip


@dataclass
class Store:
    """The module's store, and the loop on a thread of its own where the hostile work runs,
    with the parser processes that every mail goes through (started once, as the service's)."""

    url: str
    loop: asyncio.AbstractEventLoop
    parser: ParserPool


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """One SQLite store for the module: the territory, the catalogue, Anne on Telegram and
    the town halls writing from their domains."""
    from storage.catalogue import load_catalogue
    from storage.members import add_member
    from storage.models import Commune, Role
    from storage.reference import install_catalogue, install_territory
    from storage.schema import upgrade
    from storage.territory import load_territory

    url = f"sqlite:///{tmp_path_factory.mktemp('hostile') / 'store.db'}"

    async def build() -> None:
        engine = create_engine(url)
        await upgrade(engine)
        async with session_factory(engine).begin() as session:
            await install_territory(session, load_territory())
            await install_catalogue(session, load_catalogue())
            riantec = await session.get(Commune, "56193")
            assert riantec is not None
            await add_member(session, riantec, Role.CORRESPONDENT, telegram_id=ANNE)
        await engine.dispose()

    asyncio.run(build())
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    parser = ParserPool()
    yield Store(url, loop, parser)
    asyncio.run_coroutine_threadsafe(parser.close(), loop).result()
    loop.call_soon_threadsafe(loop.stop)
    thread.join()
    loop.close()


def within_bound(store: Store, work: Callable[[Inbox], Awaitable[Any]]) -> Any:
    """Run one piece of hostile work against the store, on the module's loop, timed."""

    async def run() -> Any:
        engine = create_engine(store.url)
        try:
            return await work(Inbox(session_factory(engine), READER))
        finally:
            await engine.dispose()

    started = time.perf_counter()
    result = asyncio.run_coroutine_threadsafe(run(), store.loop).result()
    assert time.perf_counter() - started < BOUND
    return result


def deliver(store: Store, raw: bytes, sender: str = "st@caudan.fr") -> str:
    """One email handed to the SMTP handler as aiosmtpd hands it; its answer."""

    async def work(inbox: Inbox) -> str:
        handler = MailHandler(
            inbox, Mailbox.of("besoins@agglo.example"), lambda: NOW, parser=store.parser
        )
        envelope = Envelope()
        envelope.mail_from = sender
        envelope.rcpt_tos = ["besoins@agglo.example"]
        envelope.original_content = raw
        envelope.content = raw
        return await handler.handle_DATA(None, None, envelope)  # type: ignore[arg-type]

    answer: str = within_bound(store, work)
    assert answer[:3] in {"250", "451", "550", "552", "554"}, answer
    return answer


header_text = st.text(
    st.characters(exclude_categories=["Cs"]), max_size=200
)  # 8-bit, control characters, anything but lone surrogates


@st.composite
def mime(draw: st.DrawFn, depth: int = 0) -> EmailMessage:
    """A message of nested parts, random charsets and encodings, some of them broken."""
    message = EmailMessage()
    if depth < 12 and draw(st.booleans()):
        message.make_mixed()
        for _ in range(draw(st.integers(1, 3))):
            message.attach(draw(mime(depth + 1)))
        return message
    charset = draw(st.sampled_from(["utf-8", "iso-8859-1", "x-unknown", "utf-16", "ascii"]))
    body = draw(st.text(max_size=400))
    message["Content-Type"] = f"text/{draw(st.sampled_from(['plain', 'html']))}; charset={charset}"
    message["Content-Transfer-Encoding"] = draw(
        st.sampled_from(["8bit", "base64", "quoted-printable", "x-broken"])
    )
    message.set_payload(body.encode("utf-8", errors="replace"))
    return message


@FUZZ
@given(raw=st.binary(max_size=4000))
def test_smtp_random_bytes(store: Store, raw: bytes) -> None:
    deliver(store, raw)


@FUZZ
@given(subject=header_text, name=header_text, message=mime())
def test_smtp_nested_mime_and_8bit_headers(
    store: Store, subject: str, name: str, message: EmailMessage
) -> None:
    head = (
        f"From: {name} <st@caudan.fr>\r\nTo: besoins@agglo.example\r\nSubject: {subject}\r\n"
        f"Message-ID: <{time.perf_counter_ns()}@caudan.fr>\r\n"
    ).encode("utf-8", errors="surrogateescape")
    deliver(store, head + message.as_bytes(policy=message.policy.clone(linesep="\r\n")))


def test_smtp_a_huge_message_and_a_deep_nesting(store: Store) -> None:
    huge = b"From: st@caudan.fr\r\nSubject: gros\r\n\r\n" + b"ganivelles 200 " * 150_000
    deliver(store, huge)
    nested = EmailMessage()
    inner = nested
    for _ in range(200):  # far deeper than any mail client writes
        inner.make_mixed()
        child = EmailMessage()
        inner.attach(child)
        inner = child
    inner.set_content("il nous faudrait 3 barnums le 21 juin")
    nested["From"] = "st@caudan.fr"
    deliver(store, nested.as_bytes())


def corpus() -> list[Path]:
    folder = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "email-cpython"
    return sorted(p for p in folder.rglob("*") if p.is_file())[:60] if folder.exists() else []


@pytest.mark.skipif(not corpus(), reason="the CPython email corpus is not here")
def test_smtp_real_world_messages(store: Store) -> None:
    for path in corpus():
        deliver(store, path.read_bytes())


def chat_work(actions: Callable[[ChatDriver], Awaitable[None]]) -> Callable[[Inbox], Any]:
    async def work(inbox: Inbox) -> None:
        driver = ChatDriver(build_dispatcher(inbox, lambda: NOW), lambda: NOW)
        await actions(driver)

    return work


@FUZZ
@given(text=st.text(min_size=1, max_size=4096))
def test_telegram_random_text_from_a_member_and_a_stranger(store: Store, text: str) -> None:
    async def actions(driver: ChatDriver) -> None:
        await driver.say(ANNE, text)
        await driver.say(666, text)

    within_bound(store, chat_work(actions))


@FUZZ
@given(data=st.text(max_size=64) | st.sampled_from(["c:ok:1", "c:fix:99", "p:a:1", "w:1:x"]))
def test_telegram_random_callback_data(store: Store, data: str) -> None:
    async def actions(driver: ChatDriver) -> None:
        await driver.press(ANNE, data)
        await driver.press(666, data)

    within_bound(store, chat_work(actions))
