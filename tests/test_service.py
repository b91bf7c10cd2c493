"""`mutualise run` as deployed: a real process, mail in over SMTP, the reply out to a relay."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import os
import signal
import smtplib
import socket
import sqlite3
import sys
import time
from collections.abc import Awaitable
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from aiosmtpd.smtp import SMTP, Envelope, Session

from tests.cli import mutualise

MUTUALISE = str(Path(sys.executable).with_name("mutualise"))


def service_env(db: str) -> dict[str, str]:
    """This process's environment without its own MUTUALISE_* settings, on store `db`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MUTUALISE_")}
    env["MUTUALISE_DB"] = db
    return env


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Sink:
    def __init__(self) -> None:
        self.received: asyncio.Queue[Envelope] = asyncio.Queue()

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        await self.received.put(envelope)
        return "250 OK"


async def relayed(env: dict[str, str]) -> tuple[Sink, asyncio.Server, int]:
    """A relay that keeps what it is given, listening; `env` set for the service to take
    mail for besoins@agglo.example on a free port (returned) and send through the relay."""
    sink = Sink()
    relay = await asyncio.get_running_loop().create_server(lambda: SMTP(sink), "127.0.0.1", 0)
    port = free_port()
    env.update(
        MUTUALISE_SMTP_PORT=str(port),
        MUTUALISE_MAIL_ADDRESSES="besoins@agglo.example",
        MUTUALISE_RELAY_HOST="127.0.0.1",
        MUTUALISE_RELAY_PORT=str(relay.sockets[0].getsockname()[1]),
        MUTUALISE_SECRET="the secret of the test territory",
        MUTUALISE_TRUSTED_AUTHSERV=AUTHSERV,
    )
    return sink, relay, port


# The territory's mail server in front of the service, whose verdicts it believes.
AUTHSERV = "mx.agglo.example"


def send(port: int) -> None:
    message = EmailMessage()
    message["Authentication-Results"] = f"{AUTHSERV}; dmarc=pass header.from=caudan.fr"
    message["From"] = "Services techniques <st@caudan.fr>"
    message["To"] = "besoins@agglo.example"
    message["Subject"] = "Demande"
    message["Message-ID"] = "<run-1@caudan.fr>"
    message.set_content("Il nous faudrait 3 barnums le 21 juin.")
    for _ in range(50):  # the service may still be starting
        try:
            with smtplib.SMTP("127.0.0.1", port, timeout=10) as client:
                client.send_message(message)
            return
        except ConnectionRefusedError:
            time.sleep(0.2)
    raise AssertionError("the service never listened")


@pytest.mark.e2e
async def test_run_receives_records_and_replies(sqlite_url: str, tmp_path: Path) -> None:
    env = service_env(sqlite_url)
    assert mutualise("init", env=env).returncode == 0
    sink, relay, smtp_port = await relayed(env)
    service = await asyncio.create_subprocess_exec(
        MUTUALISE, "run", env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    try:
        await asyncio.to_thread(send, smtp_port)  # returns at the 250
        accepted = time.monotonic()
        # The outbox's round is 30 s: the commit that queued the answer woke the sender.
        reply = await asyncio.wait_for(sink.received.get(), timeout=5)
        assert time.monotonic() - accepted < 5
    finally:
        service.send_signal(signal.SIGTERM)
        out, err = await asyncio.wait_for(service.communicate(), timeout=30)
        relay.close()
    assert service.returncode == 0, err.decode()
    assert "écoute le courriel" in out.decode() and "Service arrêté." in out.decode()
    assert reply.rcpt_tos == ["st@caudan.fr"]
    content = (reply.original_content or b"").decode("utf-8", errors="replace")
    assert "In-Reply-To: <run-1@caudan.fr>" in content
    assert "Subject: Re: Demande" in content


@pytest.mark.e2e
async def test_run_without_addresses_says_which_setting_is_missing(sqlite_url: str) -> None:
    env = service_env(sqlite_url)
    assert mutualise("init", env=env).returncode == 0
    # Refused before anything is served (no signal handler set yet): in this process.
    refused = mutualise("run", env=env)
    assert refused.returncode == 1
    assert (
        "Ni MUTUALISE_MAIL_ADDRESSES ni MUTUALISE_TELEGRAM_TOKEN" in refused.stderr
        and "Traceback" not in refused.stderr
    )
    # Refused once SMTP is being set up: the installed script, in a process of its own (on
    # a port of its own: another suite on this machine may hold the default one).
    env["MUTUALISE_MAIL_ADDRESSES"] = "besoins@agglo.example"
    env["MUTUALISE_SMTP_PORT"] = str(free_port())
    run = await asyncio.create_subprocess_exec(
        MUTUALISE, "run", env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    _, err = await asyncio.wait_for(run.communicate(), timeout=30)
    assert run.returncode == 1
    assert "MUTUALISE_SECRET manque" in err.decode() and "Traceback" not in err.decode()


def pending(db: str) -> int:
    """How many messages the outbox of SQLite store `db` has yet to send."""
    with contextlib.closing(sqlite3.connect(db.removeprefix("sqlite:///"))) as store:
        return int(
            store.execute("select count(*) from outbox where status = 'pending'").fetchone()[0]
        )


@pytest.mark.e2e
async def test_a_reminder_goes_out_once_across_restarts(sqlite_url: str, tmp_path: Path) -> None:
    """Stopped and started again the same day, the service does not send its jobs twice."""
    env = service_env(sqlite_url)
    today = dt.datetime.now(ZoneInfo("Europe/Paris"))
    deadline = (today + dt.timedelta(days=12)).date()
    lines = tmp_path / "need.jsonl"
    line = {
        "from": "st@caudan.fr",
        "text": f"Nous devons acheter 4 défibrillateurs avant le {deadline:%d/%m/%Y}",
        "at": today.strftime("%Y-%m-%dT%H:%M"),
    }
    lines.write_text(json.dumps(line, ensure_ascii=False) + "\n")
    for command in (["init"], ["ingest", str(lines)]):
        assert mutualise(*command, env=env).returncode == 0
    sink, relay, _ = await relayed(env)
    env["MUTUALISE_DIGEST_HOUR"] = "0"  # every job of the day is due from midnight

    async def serve(running: Awaitable[object]) -> str:
        service = await asyncio.create_subprocess_exec(
            MUTUALISE, "run", env=env, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        assert service.stdout is not None
        started = b""  # up to the scheduler's line: started, and stopped cleanly on a signal
        while b"Planificateur" not in started:
            line = await asyncio.wait_for(service.stdout.readline(), timeout=60)
            assert line, "the service ended before it started"
            started += line
        try:
            await running
        finally:
            service.send_signal(signal.SIGTERM)
            out, err = await asyncio.wait_for(service.communicate(), timeout=30)
        assert service.returncode == 0, err.decode()
        return (started + out).decode()

    async def sent() -> Envelope:
        """The reminder, once the relay has it and the outbox has recorded it sent."""
        reminder = await asyncio.wait_for(sink.received.get(), timeout=14)
        for _ in range(100):
            if not pending(sqlite_url):
                return reminder
            await asyncio.sleep(0.1)
        raise AssertionError("the outbox still holds the reminder it sent")

    try:
        first = asyncio.ensure_future(sent())
        out = await serve(first)  # stopped once the reminder is out
        assert "Planificateur actif" in out
        reminder = first.result()
        await serve(asyncio.sleep(3))  # restarted the same day
    finally:
        relay.close()
    assert reminder.rcpt_tos == ["st@caudan.fr"]
    mail = message_from_bytes(reminder.original_content or b"", policy=default)
    assert str(mail["Subject"]).startswith("Achat à lancer avant le ")
    body = mail.get_body()
    assert body is not None and "4 défibrillateurs" in body.get_content()
    assert sink.received.empty(), "the reminder went out twice"
