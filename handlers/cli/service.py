"""`mutualise run`: the service in one process: inbound SMTP, the Telegram bot, and the
scheduler (digests, reminders, and the flush of both outboxes)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import gc
import logging
import signal
import socket
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import TYPE_CHECKING

from handlers.cli.context import Context
from handlers.cli.digest import digest_config
from handlers.cli.output import plural
from handlers.cli.ports import Port, opened
from handlers.inbox import Inbox
from handlers.pacing import Pace
from handlers.wording import noun
from storage.errors import MutualiseError
from storage.outbox import listening

if TYPE_CHECKING:
    from handlers.settings import Settings
    from mail.tokens import Tokens
    from scheduler.service import Scheduler

Flush = Callable[[], Awaitable[object]]

# A stored email still unhandled after this long was dropped by a dead instance.
RESUME_AFTER = dt.timedelta(seconds=30)
log = logging.getLogger("mutualise.service")


class ConfigurationError(MutualiseError):
    """A required setting is missing or wrong."""


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the run command."""
    run = commands.add_parser(
        "run", help="lance le service (courriel entrant, bot Telegram, envois)"
    )
    run.set_defaults(run=run_service)


def _scheduler(ctx: Context, flushes: Sequence[Flush]) -> Scheduler:
    """The scheduled jobs and the outbox flushes, run by whichever instance holds the lease:
    with several instances on one store, one only sends."""
    from scheduler.jobs import Jobs
    from scheduler.service import Scheduler, instance_name

    settings = ctx.settings
    jobs = Jobs(ctx.sessions, digest_config(settings), instance_name(),
                settings.zone, settings.digest_hour,
                retention_days=settings.refused_retention_days)  # fmt: skip
    return Scheduler(ctx.sessions, jobs, flushes, settings.outbox_interval, ctx.clock, ctx.doorbell)


async def run_service(ctx: Context, args: argparse.Namespace) -> int:
    """Serve until interrupted: SMTP in when mail addresses are set, the Telegram bot when
    its token is, and the scheduler, which sends what both outboxes hold."""
    settings = ctx.settings
    telegram = bool(settings.telegram_token.get_secret_value())
    if not settings.mail_addresses.strip() and not telegram:
        msg = (
            "Ni MUTUALISE_MAIL_ADDRESSES ni MUTUALISE_TELEGRAM_TOKEN : donnez la ou les "
            "adresses qui reçoivent les besoins (ex. besoins@lorient-agglo.bzh, séparées par "
            "des virgules), le jeton du bot Telegram, ou les deux."
        )
        raise ConfigurationError(msg)
    # Every port first, before anything starts or is announced: one taken stops the start.
    wanted = _ports(settings, telegram)
    with opened(list(wanted.values())) as taken:
        sockets = dict(zip(wanted, taken, strict=True))
        inbox = await ctx.inbox()
        return await _serve(ctx, inbox, telegram, sockets)


def _ports(settings: Settings, telegram: bool) -> dict[str, Port]:
    """The ports the service listens on, by the service that listens."""
    wanted = {}
    if settings.mail_addresses.strip():
        wanted["mail"] = Port(settings.smtp_host, settings.smtp_port, "courriel entrant", "SMTP")
    if telegram and settings.telegram_webhook_url:
        wanted["webhook"] = Port(settings.telegram_webhook_host, settings.telegram_webhook_port,
                                 "webhook Telegram", "TELEGRAM_WEBHOOK")  # fmt: skip
    if settings.calendar_port is not None:
        wanted["calendar"] = Port(settings.calendar_host, settings.calendar_port, "calendrier",
                                  "CALENDAR")  # fmt: skip
    if settings.web_port is not None:
        wanted["web"] = Port(settings.web_host, settings.web_port, "page web", "WEB")
    return wanted


async def _serve(
    ctx: Context, inbox: Inbox, telegram: bool, sockets: dict[str, list[socket.socket]]
) -> int:
    """Serve on the ports opened, until interrupted."""
    settings = ctx.settings
    # Signals first: a stop asked while the services start ends them cleanly once started.
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(signum, stop.set)
    async with contextlib.AsyncExitStack() as services:
        flushes: list[Flush] = []
        if "mail" in sockets:
            flushes.append(await services.enter_async_context(_mail(ctx, inbox, sockets["mail"])))
        if telegram:
            from bot.digests import rendered_digests
            from bot.service import running_bot  # the adapters load only for the service

            digests = rendered_digests(ctx.sessions, digest_config(settings))
            how, flush = await services.enter_async_context(
                running_bot(settings, inbox, ctx.clock, digests, sockets.get("webhook", []))
            )
            ctx.out.print(how)
            flushes.append(flush)
        if "calendar" in sockets:
            from handlers.cli.calendar_feed import serving_feed

            domain = digest_config(settings).domain
            host = settings.calendar_host
            port = await services.enter_async_context(
                serving_feed(ctx.sessions, host, settings.calendar_port or 0, ctx.clock, domain,
                             sockets=sockets["calendar"])
            )  # fmt: skip
            ctx.out.print(f"Calendrier par abonnement servi sur {settings.calendar_host}:{port} "
                          "(/calendrier/<jeton>.ics).")  # fmt: skip
        if "web" in sockets:
            from handlers.cli.web import serving_page

            port = await services.enter_async_context(serving_page(ctx, sockets["web"]))
            ctx.out.print(f"Page du territoire servie sur {settings.web_host}:{port} "
                          "(liens de connexion : mutualise web-link).")  # fmt: skip
        if settings.scheduler:
            # Other instances' commits ring here too (PostgreSQL): this one may be the sender.
            await services.enter_async_context(listening(settings.db, ctx.doorbell))
            scheduler = _scheduler(ctx, flushes)
            await scheduler.start()
            services.push_async_callback(scheduler.stop)
            ctx.out.print(
                f"Planificateur actif ({settings.timezone}, digests à {settings.digest_hour} h)"
                if scheduler.leader
                else "Planificateur en attente : une autre instance le tient pour l'instant."
            )
        else:
            ctx.out.print("Planificateur désactivé (MUTUALISE_SCHEDULER=false) : une autre "
                          "instance envoie les synthèses et vide la boîte d'envoi.")  # fmt: skip
        # What the start loaded (the reader's words and models, the catalogue, the modules)
        # lives as long as the process: frozen out of the cyclic collector, whose full
        # passes walked it all, 250 to 370 ms each, every chat and email waiting meanwhile.
        gc.collect()
        gc.freeze()
        await stop.wait()
    ctx.out.print("Service arrêté.")
    return 0


@contextlib.asynccontextmanager
async def _mail(
    ctx: Context, inbox: Inbox, sockets: Sequence[socket.socket]
) -> AsyncIterator[Callable[[], Awaitable[None]]]:
    """SMTP in, on the sockets opened for it, while the block runs; yields the flush of the
    mail outbox to the relay."""
    from mail.sandbox import ParserPool
    from mail.sending import Relay, deliver_due  # the adapters load only for the service
    from mail.server import Mailbox, MailHandler, Trust, serve

    settings = ctx.settings
    mailbox = Mailbox.of(settings.mail_addresses)
    trust = Trust(
        {a.strip().lower() for a in settings.trusted_authserv.split(",") if a.strip()},
        _tokens(settings.secret.get_secret_value()),
    )
    pace = Pace(settings.sender_limit, settings.sender_window)
    parser = ParserPool(settings.mail_parsers, settings.mail_parse_timeout)
    handler = MailHandler(inbox, mailbox, ctx.clock, trust, pace, settings.replies_per_day, parser,
                          settings.held_replies_per_day)  # fmt: skip
    # What a previous run stored but did not handle (it died, or the store failed) first.
    resumed = await handler.resume(ctx.clock())
    if resumed:
        done = noun(resumed, "traité")
        ctx.out.print(f"{plural(resumed, 'courriel reçu', 'courriels reçus')} mais non {done} : "
                      "repris.")  # fmt: skip
    servers = [
        await serve(handler, settings.smtp_host, settings.smtp_port, settings.mail_size_limit,
                    sock=sock)
        for sock in sockets
    ]  # fmt: skip
    relay = None
    if settings.relay_host:
        relay = Relay(
            settings.relay_host,
            settings.relay_port,
            settings.mail_from or sorted(mailbox.addresses)[0],
            settings.relay_username or None,
            settings.relay_password.get_secret_value() or None,
            settings.relay_starttls,
            tokens=trust.tokens,
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

    async def flush() -> None:
        try:  # left unhandled by an instance that died, or failed: take them up again
            await handler.resume(ctx.clock() - RESUME_AFTER)
        except Exception:
            log.exception("taking up unhandled mail failed")
        if relay is None:
            return
        try:
            await deliver_due(ctx.sessions, relay, ctx.clock)
        except Exception:  # the outbox keeps everything: try again next round
            log.exception("outbox flush failed")

    try:
        yield flush
    finally:
        for server in servers:
            server.close()
            await server.wait_closed()
        await handler.close()


def _tokens(secret: str) -> Tokens:
    """The signer of outgoing mail's tokens; a missing or short secret stops the start."""
    from mail.tokens import Tokens

    if not secret:
        msg = (
            "MUTUALISE_SECRET manque : une longue chaîne aléatoire (16 caractères au moins, "
            "par exemple la sortie de « openssl rand -hex 32 »), la même pour toutes les "
            "instances, signe les messages envoyés pour reconnaître les réponses."
        )
        raise ConfigurationError(msg)
    try:
        return Tokens(secret)
    except ValueError as exc:
        raise ConfigurationError(str(exc)) from exc
