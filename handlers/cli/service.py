"""`mutualise run`: the service in one process: inbound SMTP, the scheduler (digests,
reminders, the outbox flush); the Telegram bot joins it with its issue."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import functools
import logging
import signal
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from handlers.cli.context import Context
from handlers.cli.digest import digest_config
from handlers.cli.records import matching_config
from handlers.inbox import Inbox
from handlers.reading.sources import stored_reader
from storage.errors import MutualiseError

if TYPE_CHECKING:
    from mail.sending import Relay
    from scheduler.service import Scheduler

PARIS = ZoneInfo("Europe/Paris")
log = logging.getLogger("mutualise.service")


class ConfigurationError(MutualiseError):
    """A required setting is missing or wrong."""


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the run command."""
    run = commands.add_parser("run", help="lance le service (courriel entrant, envois)")
    run.set_defaults(run=run_service)


def _now() -> dt.datetime:
    return dt.datetime.now(PARIS)


def _scheduler(ctx: Context, relay: Relay | None) -> Scheduler:
    """The scheduled jobs and the outbox flush, run by whichever instance holds the lease."""
    from mail.sending import deliver_due
    from scheduler.jobs import Jobs
    from scheduler.service import Scheduler, instance_name

    settings = ctx.settings
    jobs = Jobs(ctx.sessions, digest_config(settings), instance_name(),
                ZoneInfo(settings.timezone), settings.digest_hour)  # fmt: skip
    flushes = [] if relay is None else [functools.partial(deliver_due, ctx.sessions, relay, _now)]
    return Scheduler(ctx.sessions, jobs, flushes, settings.outbox_interval, _now)


async def run_service(ctx: Context, args: argparse.Namespace) -> int:
    """Serve until interrupted: SMTP in, the outbox flushed to the relay."""
    from mail.sending import Relay  # the adapters load only for the service
    from mail.server import Mailbox, MailHandler, serve

    settings = ctx.settings
    mailbox = Mailbox.of(settings.mail_addresses)
    if not mailbox.addresses:
        msg = (
            "MUTUALISE_MAIL_ADDRESSES est vide : donnez la ou les adresses qui reçoivent les "
            "besoins (ex. besoins@lorient-agglo.bzh), séparées par des virgules."
        )
        raise ConfigurationError(msg)
    async with ctx.sessions() as session:
        reader = await stored_reader(session)
    inbox = Inbox(ctx.sessions, reader, matching_config(settings))
    trusted = {a.strip().lower() for a in settings.trusted_authserv.split(",") if a.strip()}
    handler = MailHandler(inbox, mailbox, _now, trusted)
    server = await serve(handler, settings.smtp_host, settings.smtp_port, settings.mail_size_limit)
    relay = None
    if settings.relay_host:
        relay = Relay(
            settings.relay_host,
            settings.relay_port,
            settings.mail_from or sorted(mailbox.addresses)[0],
            settings.relay_username or None,
            settings.relay_password.get_secret_value() or None,
            settings.relay_starttls,
        )
    ctx.out.print(
        f"mutualise écoute le courriel sur {settings.smtp_host}:{settings.smtp_port} pour "
        f"{', '.join(sorted(mailbox.addresses))}."
    )
    ctx.out.print(
        f"Envois par {settings.relay_host}:{settings.relay_port}."
        if relay
        else "Aucun relais (MUTUALISE_RELAY_HOST) : les réponses attendent dans la boîte d'envoi."
    )
    scheduler = None
    if settings.scheduler:
        scheduler = _scheduler(ctx, relay)
        await scheduler.start()
        ctx.out.print(
            f"Planificateur actif ({settings.timezone}, digests à {settings.digest_hour} h"
            f"{'' if scheduler.leader else ' ; une autre instance le tient pour l’instant'})."
        )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(signum, stop.set)
    try:
        await stop.wait()
    finally:
        if scheduler is not None:
            await scheduler.stop()
        server.close()
        await server.wait_closed()
    ctx.out.print("Service arrêté.")
    return 0
