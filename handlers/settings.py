"""The one settings object, read once from `MUTUALISE_*` variables and passed down."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from handlers.clock import Clock
from handlers.costs import CostKey
from handlers.matching import MatchingConfig
from storage.database import DEFAULT_URL


class Settings(BaseSettings):
    """Everything configurable; each field is the variable `MUTUALISE_<NAME>`."""

    model_config = SettingsConfigDict(env_prefix="MUTUALISE_", extra="ignore")

    db: str = DEFAULT_URL
    # Extra catalogue files (TOML, same format as the bundled one), separated by ':'.
    catalogue: str = ""
    log_file: str = "mutualise.log"
    log_level: str = "INFO"
    # Matching: purchases within this many days share one procurement; a joint purchase
    # needs this many communes asking for an item nobody lends within this many days.
    group_horizon_days: int = 183
    joint_minimum: int = 3
    joint_window_days: int = 365
    # How shared costs are split: bases egal, population, quantite, jours, with weights.
    group_cost_key: str = "quantite"
    joint_cost_key: str = "egal:50,population:50"
    # Loan agreements: usual fee ("gratuit", "jour:15", "forfait:50"), deposit in euros,
    # competent court, and a folder of edited templates taking precedence over the bundled.
    loan_fee: str = "gratuit"
    loan_deposit: float = 0.0
    court: str = "tribunal administratif de Rennes"
    templates: str = ""
    # The service (mutualise run): inbound SMTP, the relay for outbound mail.
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 8025
    mail_addresses: str = ""
    mail_size_limit: int = 10 * 1024 * 1024
    relay_host: str = ""
    relay_port: int = 25
    relay_username: str = ""
    relay_password: SecretStr = SecretStr("")
    relay_starttls: bool = False
    mail_from: str = ""
    outbox_interval: float = 30.0
    # authserv-ids of the mail servers whose Authentication-Results are believed: an email
    # speaks for a commune only with their positive verdict aligned on its From domain.
    trusted_authserv: str = ""
    # The secret that signs the tokens of outgoing mail (Message-ID, Reply-To): required
    # with mail; 16 characters at least, kept secret, the same on every instance.
    secret: SecretStr = SecretStr("")
    # Each email is parsed in a worker process, stopped past this many seconds.
    mail_parse_timeout: float = 10.0
    mail_parsers: int = 2
    # Answers a day, to all addresses together, to senders not recognised (held mail).
    held_replies_per_day: int = 20
    # Mail refused, held or ignored keeps only its header after this many days.
    refused_retention_days: int = 30
    # Telegram: the bot's token (no token, no bot), another Bot API server's base URL, and
    # webhook mode behind a reverse proxy (public URL, secret token, local listening port).
    telegram_token: SecretStr = SecretStr("")
    # The bot's username, for invitation links; asked of the Bot API (getMe) when empty.
    telegram_bot: str = ""
    telegram_api: str = ""
    telegram_webhook_url: str = ""
    telegram_webhook_secret: SecretStr = SecretStr("")
    telegram_webhook_host: str = "127.0.0.1"
    telegram_webhook_port: int = 8081
    # Conversation state shared by several bot instances; in memory when empty.
    redis_url: str = ""
    # Seconds before a Telegram update the store could not take (down, locked) is fetched
    # and tried again; it is not confirmed to Telegram meanwhile.
    store_retry: float = 5.0
    invitation_days: int = 7
    # The time zone of every date (reading, replies, the scheduler); the hour of the daily
    # digest and of the semester summary, and whether this instance may run the scheduler
    # (one instance per store sends; see the README).
    timezone: str = "Europe/Paris"
    digest_hour: int = 8
    scheduler: bool = True
    # A sender writing more than this many messages in this many seconds is slowed down
    # (SMTP answers 451, the bot pauses); and at most this many replies a day to one address.
    sender_limit: int = 30
    sender_window: float = 600.0
    replies_per_day: int = 50
    # Savings estimated for a group order, as a share of its catalogue price (0.10: 10 %).
    group_saving_rate: float = 0.10
    # Weeks before a recurring event comes back that its commune is asked about equipment.
    anticipation_weeks: int = 8
    # The calendar feed served by `mutualise run` when a port is given, behind the reverse
    # proxy; its public base address, for the subscription links the command prints.
    calendar_port: int | None = None
    calendar_host: str = "127.0.0.1"
    calendar_url: str = ""
    # The shared page (référencement) served by `mutualise run` when a port is given; its
    # public base address, for the one-time links the command line and the bot give.
    web_port: int | None = None
    web_host: str = "127.0.0.1"
    web_url: str = ""

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            msg = (
                f"fuseau horaire inconnu « {value} » (donnez un nom de la base IANA, comme "
                "Europe/Paris ou America/Guadeloupe)"
            )
            raise ValueError(msg) from exc
        return value

    @property
    def zone(self) -> ZoneInfo:
        """The time zone of every date the service reads, writes and schedules."""
        return ZoneInfo(self.timezone)

    def matching(self) -> MatchingConfig:
        """The territory's matching settings; a wrong cost key fails here, at start."""
        return MatchingConfig(
            group_horizon=dt.timedelta(days=self.group_horizon_days),
            joint_minimum=self.joint_minimum,
            joint_window=dt.timedelta(days=self.joint_window_days),
            group_cost_key=CostKey.parse(self.group_cost_key),
            joint_cost_key=CostKey.parse(self.joint_cost_key),
            price_folders=(Path(self.templates),) if self.templates else (),
        )

    def clock(self) -> Clock:
        """The service's clock, in its time zone."""
        return Clock(self.zone)

    def catalogue_files(self) -> list[Path]:
        """The extra catalogue files, in the order they override one another."""
        return [Path(p) for p in self.catalogue.split(os.pathsep) if p.strip()]
