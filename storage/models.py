"""The schema: every table of mutualise, as typed SQLAlchemy 2 models.

Changing a model means writing an Alembic migration beside it
(`storage/migrations/versions/`); `tests/test_migrations.py` fails when the two drift.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Enum,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

# Stable constraint names, so that migrations can name what they alter on both backends.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[dt.datetime]):
    """An aware datetime stored as UTC; SQLite keeps no zone, so it is restored on load."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            msg = f"naive datetime {value!r} given to the store; every instant must carry its zone"
            raise ValueError(msg)
        utc = value.astimezone(dt.UTC)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(
        self, value: dt.datetime | None, dialect: Dialect
    ) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


class Bounded(TypeDecorator[str]):
    """A string column whose values are cut to its size and rid of NUL characters: PostgreSQL
    refuses both (SQLite keeps them), and a message answered 250 must not fail on either."""

    impl = String
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        length = getattr(self.impl_instance, "length", None)
        return value.replace("\x00", "")[:length]


class CleanText(TypeDecorator[str]):
    """A text column rid of NUL characters, which PostgreSQL refuses."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else value.replace("\x00", "")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        dt.datetime: UTCDateTime,
        dict[str, Any]: JSON,
        list[str]: JSON,
        list[dict[str, Any]]: JSON,
    }


def _enum(cls: type[enum.StrEnum]) -> Enum:
    # Stored as plain strings on both backends: adding a value never needs an ALTER TYPE.
    return Enum(
        cls,
        native_enum=False,
        create_constraint=False,
        length=24,
        values_callable=lambda members: [m.value for m in members],
    )


class Role(enum.StrEnum):
    CORRESPONDENT = "correspondent"
    COORDINATOR = "coordinator"


class NeedKind(enum.StrEnum):
    PURCHASE = "purchase"
    BORROW = "borrow"


class NeedStatus(enum.StrEnum):
    PENDING = "pending"  # read with doubts from an email: held until the writer confirms
    OPEN = "open"
    MATCHED = "matched"
    FULFILLED = "fulfilled"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


class OfferStatus(enum.StrEnum):
    PENDING = "pending"  # read with doubts from an email: held until the writer confirms
    OPEN = "open"
    WITHDRAWN = "withdrawn"


class ProposalKind(enum.StrEnum):
    LOAN = "loan"
    GROUP_ORDER = "group_order"
    JOINT_PURCHASE = "joint_purchase"


class ProposalStatus(enum.StrEnum):
    PROPOSED = "proposed"
    ACCEPTED = "accepted"
    REFUSED = "refused"
    CANCELLED = "cancelled"
    DONE = "done"


class ParticipantRole(enum.StrEnum):
    LENDER = "lender"
    BORROWER = "borrower"
    MEMBER = "member"
    CARRIER = "carrier"


class Answer(enum.StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    REFUSED = "refused"


class Channel(enum.StrEnum):
    TELEGRAM = "telegram"
    EMAIL = "email"
    CLI = "cli"


class InboundStatus(enum.StrEnum):
    RECEIVED = "received"
    RECORDED = "recorded"
    ANSWERED = "answered"
    # A question answered (who can lend this?), nothing recorded: its writer may declare it.
    ASKED = "asked"
    REFUSED = "refused"
    IGNORED = "ignored"
    QUARANTINED = "quarantined"
    FAILED = "failed"


class OutboxStatus(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"
    DEAD = "dead"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Territory(Base):
    """The intercommunality (EPCI) this store serves."""

    __tablename__ = "territories"

    id: Mapped[int] = mapped_column(primary_key=True)
    epci: Mapped[str] = mapped_column(Bounded(9), unique=True)
    name: Mapped[str] = mapped_column(Bounded(200))
    kind: Mapped[str] = mapped_column(Bounded(8))
    source: Mapped[str] = mapped_column(Bounded(200))

    communes: Mapped[list[Commune]] = relationship(back_populates="territory")


class Commune(Base):
    __tablename__ = "communes"

    insee: Mapped[str] = mapped_column(Bounded(5), primary_key=True)
    territory_id: Mapped[int] = mapped_column(ForeignKey("territories.id"), index=True)
    name: Mapped[str] = mapped_column(Bounded(120))
    population: Mapped[int] = mapped_column(Integer)
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)

    territory: Mapped[Territory] = relationship(back_populates="communes")
    mail_identities: Mapped[list[CommuneMailIdentity]] = relationship(
        back_populates="commune", cascade="all, delete-orphan"
    )


class CommuneMailIdentity(Base):
    """How mail from a town hall is recognised: a whole domain, or one address on webmail."""

    __tablename__ = "commune_mail_identities"

    id: Mapped[int] = mapped_column(primary_key=True)
    commune_insee: Mapped[str] = mapped_column(ForeignKey("communes.insee"), index=True)
    value: Mapped[str] = mapped_column(Bounded(254), unique=True)
    is_domain: Mapped[bool] = mapped_column(Boolean)

    commune: Mapped[Commune] = relationship(back_populates="mail_identities")


class Member(Base):
    """A person who takes part: a correspondent speaks for their commune; a coordinator
    belongs to the territory (the intercommunality) and to no commune."""

    __tablename__ = "members"

    id: Mapped[int] = mapped_column(primary_key=True)
    territory_id: Mapped[int] = mapped_column(ForeignKey("territories.id"), index=True)
    # None for a coordinator: they speak for a commune only when they name it.
    commune_insee: Mapped[str | None] = mapped_column(ForeignKey("communes.insee"), index=True)
    role: Mapped[Role] = mapped_column(_enum(Role))
    name: Mapped[str | None] = mapped_column(Bounded(200))
    telegram_id: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=_now)

    commune: Mapped[Commune | None] = relationship()
    territory: Mapped[Territory] = relationship()
    emails: Mapped[list[MemberEmail]] = relationship(
        back_populates="member", cascade="all, delete-orphan", order_by="MemberEmail.address"
    )

    @property
    def place(self) -> str:
        """Where the member belongs: their commune, or a coordinator's territory (loaded)."""
        return self.commune.name if self.commune is not None else self.territory.name


class MemberEmail(Base):
    __tablename__ = "member_emails"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    address: Mapped[str] = mapped_column(Bounded(254), unique=True)

    member: Mapped[Member] = relationship(back_populates="emails")


class Invitation(Base):
    """A one-time code that lets a Telegram user join as a member: a correspondent of a
    commune, or a coordinator of a territory."""

    __tablename__ = "invitations"

    code: Mapped[str] = mapped_column(Bounded(32), primary_key=True)
    territory_id: Mapped[int] = mapped_column(ForeignKey("territories.id"))
    commune_insee: Mapped[str | None] = mapped_column(ForeignKey("communes.insee"))
    role: Mapped[Role] = mapped_column(_enum(Role))
    created_at: Mapped[dt.datetime] = mapped_column(default=_now)
    expires_at: Mapped[dt.datetime]
    used_at: Mapped[dt.datetime | None]
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))


class CatalogueFamily(Base):
    """A family of items that one group order can buy in a single procedure."""

    __tablename__ = "catalogue_families"

    id: Mapped[str] = mapped_column(Bounded(40), primary_key=True)
    label: Mapped[str] = mapped_column(Bounded(120))


class CatalogueItem(Base):
    __tablename__ = "catalogue_items"

    id: Mapped[str] = mapped_column(Bounded(60), primary_key=True)
    label: Mapped[str] = mapped_column(Bounded(120))
    plural: Mapped[str] = mapped_column(Bounded(120))
    family_id: Mapped[str] = mapped_column(ForeignKey("catalogue_families.id"), index=True)
    synonyms: Mapped[list[str]] = mapped_column(default=list)
    lendable: Mapped[bool] = mapped_column(Boolean)
    unit: Mapped[str] = mapped_column(Bounded(20))
    price: Mapped[float | None] = mapped_column(Float)

    family: Mapped[CatalogueFamily] = relationship()


class InboundMessage(Base):
    """Every message received, raw, before anything is made of it."""

    __tablename__ = "inbound_messages"
    __table_args__ = (UniqueConstraint("channel", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[Channel] = mapped_column(_enum(Channel))
    external_id: Mapped[str] = mapped_column(Bounded(255))
    sender: Mapped[str] = mapped_column(Bounded(254))
    received_at: Mapped[dt.datetime] = mapped_column(default=_now, index=True)
    raw: Mapped[bytes] = mapped_column(LargeBinary)
    text: Mapped[str | None] = mapped_column(CleanText)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    commune_insee: Mapped[str | None] = mapped_column(ForeignKey("communes.insee"))
    status: Mapped[InboundStatus] = mapped_column(_enum(InboundStatus))
    outcome: Mapped[str | None] = mapped_column(CleanText)


class _Declaration:
    """What needs and offers share: who declared what, for when, through which message."""

    id: Mapped[int] = mapped_column(primary_key=True)
    commune_insee: Mapped[str] = mapped_column(ForeignKey("communes.insee"), index=True)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    item_id: Mapped[str | None] = mapped_column(ForeignKey("catalogue_items.id"), index=True)
    # The noun phrase as written, kept even when the catalogue does not know the item.
    item_label: Mapped[str] = mapped_column(Bounded(200))
    quantity: Mapped[int | None]
    unit: Mapped[str | None] = mapped_column(Bounded(20))
    start: Mapped[dt.date | None] = mapped_column(Date)
    end: Mapped[dt.date | None] = mapped_column(Date)
    channel: Mapped[Channel] = mapped_column(_enum(Channel))
    message_id: Mapped[int | None] = mapped_column(ForeignKey("inbound_messages.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=_now)
    updated_at: Mapped[dt.datetime] = mapped_column(default=_now, onupdate=_now)


class Need(_Declaration, Base):
    """A purchase need (buy by a deadline) or a borrow need (equipment for dates)."""

    __tablename__ = "needs"

    kind: Mapped[NeedKind] = mapped_column(_enum(NeedKind))
    deadline: Mapped[dt.date | None] = mapped_column(Date)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id"))
    status: Mapped[NeedStatus] = mapped_column(_enum(NeedStatus), default=NeedStatus.OPEN)
    status_reason: Mapped[str | None] = mapped_column(CleanText)
    # The commune offers to carry the group order this purchase may join.
    volunteer: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class Offer(_Declaration, Base):
    """Equipment a commune lends, for a window of dates (start/end) or whenever asked."""

    __tablename__ = "offers"

    conditions: Mapped[str | None] = mapped_column(CleanText)
    status: Mapped[OfferStatus] = mapped_column(_enum(OfferStatus), default=OfferStatus.OPEN)


class Event(Base):
    """A dated manifestation of a commune, often yearly, that needs equipment."""

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(primary_key=True)
    commune_insee: Mapped[str] = mapped_column(ForeignKey("communes.insee"), index=True)
    name: Mapped[str] = mapped_column(Bounded(200))
    start: Mapped[dt.date] = mapped_column(Date)
    end: Mapped[dt.date] = mapped_column(Date)
    recurring: Mapped[bool] = mapped_column(Boolean, default=False)
    # How a recurring event comes back: an RFC 5545 RRULE ("FREQ=YEARLY;BYMONTH=9;BYDAY=+1SA")
    # counted from `start`, each occurrence lasting as long as the first.
    rule: Mapped[str | None] = mapped_column(Bounded(200))
    message_id: Mapped[int | None] = mapped_column(ForeignKey("inbound_messages.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=_now)

    items: Mapped[list[EventItem]] = relationship(
        back_populates="event", cascade="all, delete-orphan"
    )


class EventItem(Base):
    __tablename__ = "event_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[str | None] = mapped_column(ForeignKey("catalogue_items.id"))
    item_label: Mapped[str] = mapped_column(Bounded(200))
    quantity: Mapped[int | None]

    event: Mapped[Event] = relationship(back_populates="items")


class AnticipationAnswer(enum.StrEnum):
    YES = "yes"
    MODIFY = "modify"
    SKIP = "skip"


class Anticipation(Base):
    """The question asked ahead of one occurrence of a recurring event ("Même matériel que
    l'an dernier ?"), and its answer: one row per occurrence, so it is asked once."""

    __tablename__ = "anticipations"
    __table_args__ = (UniqueConstraint("event_id", "occurrence"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    occurrence: Mapped[dt.date] = mapped_column(Date)
    asked_at: Mapped[dt.datetime]
    answer: Mapped[AnticipationAnswer | None] = mapped_column(_enum(AnticipationAnswer))
    answered_at: Mapped[dt.datetime | None]

    event: Mapped[Event] = relationship()


class CalendarToken(Base):
    """A coordinator's secret to the territory's iCalendar feed, kept as its SHA-256 only."""

    __tablename__ = "calendar_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    digest: Mapped[str] = mapped_column(Bounded(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=_now)
    revoked_at: Mapped[dt.datetime | None]

    member: Mapped[Member] = relationship()


class WebLink(Base):
    """A one-time link to the shared page, kept as its SHA-256 only: it expires, and it
    opens one session at most."""

    __tablename__ = "web_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    digest: Mapped[str] = mapped_column(Bounded(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=_now)
    expires_at: Mapped[dt.datetime]
    used_at: Mapped[dt.datetime | None]


class WebSession(Base):
    """A member's session on the shared page, opened by a link; the cookie's secret is kept
    as its SHA-256 only, the form token (CSRF) beside it."""

    __tablename__ = "web_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    digest: Mapped[str] = mapped_column(Bounded(64), unique=True)
    form_token: Mapped[str] = mapped_column(Bounded(64))
    created_at: Mapped[dt.datetime] = mapped_column(default=_now)
    expires_at: Mapped[dt.datetime]


class ActionEntry(Base):
    """What a coordinator did on the shared page, and who: the log every action leaves."""

    __tablename__ = "action_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    action: Mapped[str] = mapped_column(Bounded(40))
    proposal_id: Mapped[int | None] = mapped_column(ForeignKey("proposals.id"))
    detail: Mapped[str] = mapped_column(CleanText)
    at: Mapped[dt.datetime] = mapped_column(default=_now)


class Proposal(Base):
    """What matching suggests: a loan, a group order or a joint purchase."""

    __tablename__ = "proposals"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[ProposalKind] = mapped_column(_enum(ProposalKind))
    item_id: Mapped[str | None] = mapped_column(ForeignKey("catalogue_items.id"))
    family_id: Mapped[str | None] = mapped_column(ForeignKey("catalogue_families.id"))
    quantity: Mapped[int | None]
    start: Mapped[dt.date | None] = mapped_column(Date)
    end: Mapped[dt.date | None] = mapped_column(Date)
    deadline: Mapped[dt.date | None] = mapped_column(Date)
    status: Mapped[ProposalStatus] = mapped_column(
        _enum(ProposalStatus), default=ProposalStatus.PROPOSED
    )
    reason: Mapped[str] = mapped_column(CleanText)
    cost_key: Mapped[dict[str, Any] | None]
    # The same plan found again has the same signature: matching twice changes nothing.
    signature: Mapped[str | None] = mapped_column(Bounded(40), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=_now)
    updated_at: Mapped[dt.datetime] = mapped_column(default=_now, onupdate=_now)

    participants: Mapped[list[ProposalParticipant]] = relationship(
        back_populates="proposal", cascade="all, delete-orphan"
    )


class ProposalParticipant(Base):
    __tablename__ = "proposal_participants"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("proposals.id", ondelete="CASCADE"), index=True
    )
    commune_insee: Mapped[str] = mapped_column(ForeignKey("communes.insee"), index=True)
    role: Mapped[ParticipantRole] = mapped_column(_enum(ParticipantRole))
    need_id: Mapped[int | None] = mapped_column(ForeignKey("needs.id"))
    offer_id: Mapped[int | None] = mapped_column(ForeignKey("offers.id"))
    quantity: Mapped[int | None]
    answer: Mapped[Answer] = mapped_column(_enum(Answer), default=Answer.PENDING)
    answered_at: Mapped[dt.datetime | None]

    proposal: Mapped[Proposal] = relationship(back_populates="participants")


class OutboxMessage(Base):
    """A message to send; it stays here, with its attempts, until it has left."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[Channel] = mapped_column(_enum(Channel))
    recipient: Mapped[str] = mapped_column(Bounded(254))
    subject: Mapped[str | None] = mapped_column(Bounded(300))
    body: Mapped[str] = mapped_column(CleanText)
    # A notice, as the core wrote it: each channel renders it when sending (`handlers/notices`).
    html: Mapped[str | None] = mapped_column(CleanText)
    brief: Mapped[str | None] = mapped_column(CleanText)
    actions: Mapped[list[dict[str, Any]] | None]
    # Headers of the channel's own (an email's threading), set by the adapter that queued it.
    headers: Mapped[dict[str, Any] | None]
    dedupe_key: Mapped[str | None] = mapped_column(Bounded(200), unique=True)
    in_reply_to: Mapped[int | None] = mapped_column(ForeignKey("inbound_messages.id"))
    status: Mapped[OutboxStatus] = mapped_column(
        _enum(OutboxStatus), default=OutboxStatus.PENDING, index=True
    )
    # The message as the channel numbered it once sent (a Telegram message id), to edit it.
    shown_as: Mapped[int | None] = mapped_column(BigInteger)
    # The message (an outbox id) whose shown text this one replaces, rather than sending anew.
    edits: Mapped[int | None] = mapped_column(Integer)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(CleanText)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(default=_now)
    created_at: Mapped[dt.datetime] = mapped_column(default=_now)
    sent_at: Mapped[dt.datetime | None]


class OutboxAttachment(Base):
    """A file sent with an outbox message (the semester summary's spreadsheet and calendar)."""

    __tablename__ = "outbox_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    outbox_id: Mapped[int] = mapped_column(ForeignKey("outbox.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(Bounded(200))
    content_type: Mapped[str] = mapped_column(Bounded(100))
    content: Mapped[bytes] = mapped_column(LargeBinary)


class JobRun(Base):
    """One run of a scheduled job for one period ("semester:2027-S1"): recorded before it
    sends, so that a run missed while the service was down happens once, never twice."""

    __tablename__ = "job_runs"
    __table_args__ = (UniqueConstraint("job", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(Bounded(40))
    period: Mapped[str] = mapped_column(Bounded(40))
    started_at: Mapped[dt.datetime]
    finished_at: Mapped[dt.datetime | None]
    instance: Mapped[str] = mapped_column(Bounded(120))
    detail: Mapped[str | None] = mapped_column(CleanText)


class Lease(Base):
    """A named lease held by one instance until it expires: the one that runs the scheduler."""

    __tablename__ = "leases"

    name: Mapped[str] = mapped_column(Bounded(40), primary_key=True)
    holder: Mapped[str] = mapped_column(Bounded(120))
    expires_at: Mapped[dt.datetime]


class TelegramUpdate(Base):
    """A Telegram update already handled: one delivered twice is handled once."""

    __tablename__ = "telegram_updates"

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    handled_at: Mapped[dt.datetime]
