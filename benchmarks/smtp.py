"""Benchmark: emails per second accepted, stored, read and matched by the service's SMTP
server, against an aiosmtpd server whose handler does nothing (the ceiling of the stack).

Run: .venv/bin/python benchmarks/smtp.py [--emails 2000] [--connections 10]

Both servers run in this process's event loop, one after the other, on loopback; the same
messages are sent to each by a client in a child process (so that it does not take the
server's interpreter lock) over `--connections` concurrent connections. Ours is the real
`mail/server.py` (`MailHandler`, `serve`) with the real inbox on a fresh SQLite file: each
message is stored before 250, read, recorded and matched. Then the inbound messages stored
are counted: nothing may be lost. A third server only parses and stores each message (the
same group commit, nothing read or matched): what storing alone leaves of the ceiling. A
ratio, never a pass/fail.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import smtplib
import sys
import tempfile
import threading
import time
from email.message import EmailMessage
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from aiosmtpd.smtp import SMTP
from sqlalchemy import func, select

from benchmarks.report import Row, declarations, fresh_store, rate, run_client, write_rows

ADDRESS = "besoins@lorient-agglo.example"
AUTHSERV = "mx.lorient-agglo.example"
NOW = dt.datetime(2027, 5, 10, 9, tzinfo=dt.UTC)


class Nothing:
    """The ceiling: every message accepted, nothing done with it."""

    async def handle_DATA(self, server: SMTP, session: Any, envelope: Any) -> str:
        return "250 OK"


def emails(count: int) -> list[tuple[str, bytes]]:
    """`count` emails from the town halls of Lorient Agglomération: (sender, bytes)."""
    from storage.territory import load_territory

    halls = [c for c in load_territory().communes if c.email_domains]
    found = []
    for n, text in enumerate(declarations(count)):
        commune = halls[n % len(halls)]
        message = EmailMessage()
        domain = commune.email_domains[0]
        # The verdict the territory's mail server writes in front of mutualise.
        message["Authentication-Results"] = f"{AUTHSERV}; dmarc=pass header.from={domain}"
        message["From"] = sender = f"mairie@{domain}"
        message["To"] = ADDRESS
        message["Subject"] = "Mutualisation"
        message["Message-ID"] = f"<bench-{n}@{commune.email_domains[0]}>"
        message.set_content(f"{text}\n\nMairie de {commune.name}")
        found.append((sender, message.as_bytes()))
    return found


def client(port: int, count: int, connections: int) -> None:
    """Child process: send the emails over concurrent connections; print the seconds."""
    batch = emails(count)
    shares = [batch[n::connections] for n in range(connections)]
    failures: list[str] = []

    def send(share: list[tuple[str, bytes]]) -> None:
        with smtplib.SMTP("127.0.0.1", port, timeout=120) as smtp:
            for sender, raw in share:
                refused = smtp.sendmail(sender, [ADDRESS], raw)
                if refused:
                    failures.append(str(refused))

    threads = [threading.Thread(target=send, args=(share,)) for share in shares]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print(json.dumps({"seconds": time.perf_counter() - started, "failures": len(failures)}))


async def _drive(port: int, count: int, connections: int) -> dict[str, Any]:
    return await run_client(
        __file__, port, "--emails", str(count), "--connections", str(connections)
    )


async def ceiling(count: int, connections: int) -> dict[str, Any]:
    """aiosmtpd with a handler that does nothing."""
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: SMTP(Nothing()), host="127.0.0.1", port=0)
    try:
        return await _drive(server.sockets[0].getsockname()[1], count, connections)
    finally:
        server.close()
        await server.wait_closed()


class StoreOnly:
    """Each message parsed and stored durably before 250, as ours does; nothing more."""

    def __init__(self, sessions: Any) -> None:
        from handlers.batching import Coalescer
        from storage.inbox import Arrival, log_many

        async def store(arrivals: list[Arrival]) -> list[Any]:
            return list(await log_many(sessions, arrivals))

        self.arrival = Arrival
        self.store = Coalescer(store, 64)

    async def handle_DATA(self, server: SMTP, session: Any, envelope: Any) -> str:
        from mail.parsing import parse_mail
        from storage.models import Channel

        raw = envelope.original_content
        mail = parse_mail(raw, envelope.mail_from)
        await self.store(
            self.arrival(Channel.EMAIL, mail.message_id, mail.sender, raw, mail.text, NOW)
        )
        return "250 OK"


async def stored_only(count: int, connections: int, folder: Path) -> dict[str, Any]:
    """Parsing and storing alone, on a fresh SQLite file."""
    from storage.database import create_engine

    engine = create_engine(f"sqlite:///{folder / 'stored.db'}")
    try:
        handler = StoreOnly(await fresh_store(engine))
        loop = asyncio.get_running_loop()
        server = await loop.create_server(lambda: SMTP(handler), host="127.0.0.1", port=0)
        try:
            return await _drive(server.sockets[0].getsockname()[1], count, connections)
        finally:
            server.close()
            await server.wait_closed()
    finally:
        await engine.dispose()


async def ours(count: int, connections: int, folder: Path) -> dict[str, Any]:
    """The service's server and inbox, on a fresh SQLite file."""
    from handlers.inbox import Inbox
    from handlers.reading.sources import stored_reader
    from mail.server import Mailbox, MailHandler, Trust, serve
    from storage.database import create_engine
    from storage.models import InboundMessage, Need, Offer

    engine = create_engine(f"sqlite:///{folder / 'smtp.db'}")
    try:
        sessions = await fresh_store(engine)
        async with sessions() as session:
            reader = await stored_reader(session)
        handler = MailHandler(
            Inbox(sessions, reader), Mailbox.of(ADDRESS), lambda: NOW, Trust({AUTHSERV})
        )
        server = await serve(handler, "127.0.0.1", 0, 10 * 1024 * 1024)
        try:
            result = await _drive(server.sockets[0].getsockname()[1], count, connections)
        finally:
            server.close()
            await server.wait_closed()
            await handler.close()
        async with sessions() as session:
            for name, model in (("stored", InboundMessage), ("needs", Need), ("offers", Offer)):
                result[name] = await session.scalar(select(func.count()).select_from(model))
        return result
    finally:
        await engine.dispose()


async def measure(count: int, connections: int) -> list[Row]:
    """Both servers with the same emails; the rows of the table."""
    with tempfile.TemporaryDirectory(prefix="mutualise-bench-") as folder:
        await ceiling(min(count, 200), connections)  # warm both ends: imports, sockets
        top = await ceiling(count, connections)
        mine = await ours(count, connections, Path(folder))
        stored = await stored_only(count, connections, Path(folder))
    lost = count - mine["stored"]
    print(
        f"{count:,} emails over {connections} connections: ours {mine['seconds']:.2f} s "
        f"({mine['needs']:,} needs, {mine['offers']:,} offers recorded, {lost} lost, "
        f"{mine['failures']} refused); only parsed and stored {stored['seconds']:.2f} s; "
        f"aiosmtpd doing nothing {top['seconds']:.2f} s"
    )
    ratio = top["seconds"] / mine["seconds"]
    return [
        Row(
            "smtp",
            f"emails accepted, stored, read and matched, {connections} connections "
            f"({count:,} emails, {lost} lost)",
            rate(count, mine["seconds"]),
            f"aiosmtpd handler doing nothing: {rate(count, top['seconds'])}",
            f"{ratio:.3f}",
            "floor: at least 50/s, nothing lost (the ratio is context)",
        ),
        Row(
            "smtp",
            f"emails only parsed and stored (no reading, no matching), {connections} "
            f"connections ({count:,} emails)",
            rate(count, stored["seconds"]),
            f"aiosmtpd handler doing nothing: {rate(count, top['seconds'])}",
            f"{top['seconds'] / stored['seconds']:.3f}",
            "(what storing alone leaves of the ceiling)",
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--emails", type=int, default=2000)
    parser.add_argument("--connections", type=int, default=10)
    parser.add_argument("--rows", type=Path, help="append the figures here (JSON lines)")
    parser.add_argument("--client", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.client:
        client(args.client, args.emails, args.connections)
        return
    write_rows(args.rows, asyncio.run(measure(args.emails, args.connections)))


if __name__ == "__main__":
    main()
