"""Faults applied from outside to `mutualise run`: killed under SMTP load and restarted, then
the store counted. Every email that got 250 is handled exactly once, with one reply."""

from __future__ import annotations

import asyncio
import signal
import smtplib
import sqlite3
import threading
import time
from email.message import EmailMessage
from pathlib import Path

import pytest

from tests.cli import mutualise
from tests.test_service import AUTHSERV, MUTUALISE, relayed, service_env

SENDERS = ["st@caudan.fr", "mairie@cleguer.fr", "st@lorient.bzh", "mairie@mairie-queven.fr"]
THREADS, PER_THREAD, KILL_AFTER = 10, 15, 40


def email(thread: int, number: int) -> EmailMessage:
    message = EmailMessage()
    sender = SENDERS[thread % len(SENDERS)]
    domain = sender.rpartition("@")[2]
    message["Authentication-Results"] = f"{AUTHSERV}; dmarc=pass header.from={domain}"
    message["From"] = sender
    message["To"] = "besoins@agglo.example"
    message["Subject"] = f"Demande {thread}-{number}"
    message["Message-ID"] = f"<load-{thread}-{number}@test.example>"
    quantity = 100 + thread * PER_THREAD + number
    message.set_content(f"Il nous faudrait {quantity} barrières Vauban le 14 juillet.")
    return message


class Load:
    """Ten town halls sending at once; a cut conversation is sent again until it gets 250."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.accepted: set[str] = set()
        self.retries = 0
        self.lock = threading.Lock()
        self.first_wave = threading.Event()

    def send(self, thread: int) -> None:
        for number in range(PER_THREAD):
            message = email(thread, number)
            deadline = time.monotonic() + 90
            while True:
                try:
                    with smtplib.SMTP("127.0.0.1", self.port, timeout=30) as client:
                        client.send_message(message)
                    break
                except (OSError, smtplib.SMTPException):
                    if time.monotonic() > deadline:
                        raise
                    with self.lock:
                        self.retries += 1
                    time.sleep(0.1)
            with self.lock:
                self.accepted.add(str(message["Message-ID"]).strip("<>"))
                if len(self.accepted) >= KILL_AFTER:
                    self.first_wave.set()


def counts(db: Path) -> dict[str, int]:
    with sqlite3.connect(db) as store:

        def one(query: str) -> int:
            return int(store.execute(query).fetchone()[0])

        return {
            "inbound": one("select count(*) from inbound_messages"),
            "unhandled": one(
                "select count(*) from inbound_messages where status in ('received', 'failed')"
            ),
            "needs": one("select count(*) from needs"),
            "messages with a need": one("select count(distinct message_id) from needs"),
            "replies": one("select count(*) from outbox where in_reply_to is not null"),
            "messages replied to": one("select count(distinct in_reply_to) from outbox"),
        }


@pytest.mark.e2e
async def test_killed_under_load_every_accepted_email_is_handled_once(tmp_path: Path) -> None:
    db = tmp_path / "store.db"
    env = service_env(f"sqlite:///{db}")
    assert mutualise("init", env=env).returncode == 0
    _, relay, port = await relayed(env)
    env["MUTUALISE_LOG_FILE"] = str(tmp_path / "mutualise.log")

    async def start() -> asyncio.subprocess.Process:
        return await asyncio.create_subprocess_exec(
            MUTUALISE, "run", env=env, stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip

    load = Load(port)
    first = await start()
    senders = [asyncio.to_thread(load.send, t) for t in range(THREADS)]
    sending = asyncio.gather(*senders)
    try:
        await asyncio.wait_for(asyncio.to_thread(load.first_wave.wait, 60), timeout=70)
        first.send_signal(signal.SIGKILL)  # mid-stream: connections cut, messages half-done
        await first.wait()
        killed_at = counts(db)
        second = await start()
        await asyncio.wait_for(sending, timeout=180)
        for _ in range(100):  # until everything stored is handled and answered
            now = counts(db)
            if not now["unhandled"] and now["messages replied to"] == now["inbound"]:
                break
            await asyncio.sleep(0.2)
        second.send_signal(signal.SIGTERM)
        _, err = await asyncio.wait_for(second.communicate(), timeout=30)
        assert second.returncode == 0, err.decode()
    finally:
        for process in (first,):
            if process.returncode is None:
                process.kill()
        relay.close()
    total = THREADS * PER_THREAD
    assert len(load.accepted) == total
    final = counts(db)
    # Each accepted email once in the store, handled, recorded once, answered once.
    assert final["inbound"] == total, final
    assert final["unhandled"] == 0, final
    assert final["needs"] == final["messages with a need"] == total, final
    assert final["replies"] == final["messages replied to"] == total, final
    print(f"killed at {killed_at}; {load.retries} retries by the senders; final {final}")
