"""Members, communes and senders: who may speak for which commune."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from sqlalchemy import literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload, selectinload

from storage.errors import MutualiseError
from storage.models import (
    CalendarToken,
    Channel,
    Commune,
    CommuneMailIdentity,
    InboundMessage,
    Invitation,
    Member,
    MemberEmail,
    Need,
    Offer,
    Role,
    Territory,
)


class MemberError(MutualiseError):
    """A member cannot be recorded as asked; the message says why, in French."""


@dataclass(frozen=True)
class Sender:
    """Who an address belongs to: a registered member, or only a town hall."""

    commune: Commune | None  # None for a coordinator: they name the commune they write for
    member: Member | None


def normalise_address(address: str) -> str:
    """Mail addresses compare without case or surrounding spaces."""
    return address.strip().lower()


async def communes(session: AsyncSession) -> Sequence[Commune]:
    """Every commune of the territory, by name."""
    return (await session.scalars(select(Commune).order_by(Commune.name))).all()


async def commune_name(session: AsyncSession, insee: str) -> str:
    """The name of a commune, or its code when the store does not know it."""
    commune = await session.get(Commune, insee)
    return commune.name if commune else insee


def placed(place: Commune | Territory, role: Role) -> tuple[int, str | None]:
    """The territory and commune (INSEE code) a member of `role` registered at `place`
    belongs to: a correspondent to a commune, a coordinator to the territory alone (a commune
    given for one only names its territory)."""
    territory = place.id if isinstance(place, Territory) else place.territory_id
    if role is Role.COORDINATOR:
        return territory, None
    if not isinstance(place, Commune):
        msg = "Un correspondant parle pour une commune : donnez son nom ou son code INSEE."
        raise MemberError(msg)
    return territory, place.insee


async def add_member(
    session: AsyncSession,
    place: Commune | Territory,
    role: Role,
    *,
    name: str | None = None,
    emails: Sequence[str] = (),
    telegram_id: int | None = None,
) -> Member:
    """Register a member at `place` (`placed`); an address or a Telegram id belongs to one
    member only."""
    territory, commune = placed(place, role)
    addresses = sorted({normalise_address(e) for e in emails})
    for address in addresses:
        local, _, domain = address.partition("@")
        if not local or "." not in domain:
            msg = f"Adresse électronique invalide : « {address} »."
            raise MemberError(msg)
    taken = await session.scalar(select(MemberEmail).where(MemberEmail.address.in_(addresses)))
    if taken is not None:
        msg = f"L'adresse « {taken.address} » est déjà celle d'un autre membre."
        raise MemberError(msg)
    if telegram_id is not None:
        holder = await session.scalar(select(Member).where(Member.telegram_id == telegram_id))
        if holder is not None:
            msg = f"Le compte Telegram {telegram_id} est déjà celui d'un autre membre."
            raise MemberError(msg)
    member = Member(
        territory_id=territory,
        commune_insee=commune,
        role=role,
        name=name,
        telegram_id=telegram_id,
        emails=[MemberEmail(address=a) for a in addresses],
    )
    session.add(member)
    await session.flush()
    return member


async def members(session: AsyncSession) -> Sequence[Member]:
    """Every member, the coordinators of each territory first, then by commune, role and
    name."""
    query = (
        select(Member)
        .outerjoin(Member.commune)
        .options(
            selectinload(Member.emails),
            selectinload(Member.commune),
            selectinload(Member.territory),
        )
        .order_by(
            Member.territory_id, Commune.name.nulls_first(), Member.role, Member.name, Member.id
        )
    )
    return (await session.scalars(query)).all()


async def member_by_telegram(session: AsyncSession, telegram_id: int) -> Member | None:
    """The active member behind a Telegram account, with their commune."""
    return await session.scalar(
        select(Member)
        .where(Member.telegram_id == telegram_id, Member.active.is_(True))
        .options(joinedload(Member.commune))
    )


async def members_by_telegram(
    session: AsyncSession, telegram_ids: Collection[int]
) -> dict[int, Member | None]:
    """`member_by_telegram` for many accounts, in one query: None for each stranger."""
    if not telegram_ids:
        return {}
    found = await session.scalars(
        select(Member)
        .where(Member.telegram_id.in_(set(telegram_ids)), Member.active.is_(True))
        .options(joinedload(Member.commune))
    )
    members = {m.telegram_id: m for m in found}
    return {ident: members.get(ident) for ident in telegram_ids}


async def communes_of_chats(session: AsyncSession, chats: Collection[str]) -> dict[str, str]:
    """The commune (INSEE code) of each member among these Telegram chat ids."""
    ids = [int(c) for c in chats if c.lstrip("-").isdigit()]
    if not ids:
        return {}
    query = select(Member.telegram_id, Member.commune_insee).where(
        Member.telegram_id.in_(ids), Member.commune_insee.is_not(None)
    )
    return {str(chat): insee for chat, insee in (await session.execute(query)).all() if insee}


async def identify_sender(session: AsyncSession, address: str) -> Sender | None:
    """The member or town hall behind a mail address, or None for a stranger.

    A member's own address wins; then the exact address of a town hall on a shared
    webmail domain; then the town hall's own domain, whatever the local part.
    """
    return (await identify_senders(session, [address]))[normalise_address(address)]


async def identify_senders(
    session: AsyncSession, addresses: Collection[str]
) -> dict[str, Sender | None]:
    """`identify_sender` for many addresses (keyed normalised) in two queries."""
    if not addresses:
        return {}
    wanted = {
        a: [(a, False), *((parent, True) for parent in _domains(a))]
        for a in {normalise_address(a) for a in addresses}
    }
    members = {
        e.address: e.member
        for e in await session.scalars(
            select(MemberEmail)
            .join(MemberEmail.member)
            .where(MemberEmail.address.in_(wanted), Member.active.is_(True))
            .options(joinedload(MemberEmail.member).joinedload(Member.commune))
        )
    }
    identities = {
        (i.value, i.is_domain): i
        for i in await session.scalars(
            select(CommuneMailIdentity)
            .where(CommuneMailIdentity.value.in_({v for keys in wanted.values() for v, _ in keys}))
            .options(joinedload(CommuneMailIdentity.commune))
        )
    }
    found: dict[str, Sender | None] = {}
    for address, keys in wanted.items():
        member = members.get(address)
        best = next((identities[key] for key in keys if key in identities), None)  # in order
        found[address] = (
            Sender(member.commune, member)
            if member is not None
            else Sender(best.commune, None)
            if best is not None
            else None
        )
    return found


def _domains(address: str) -> list[str]:
    """The address's domain and each parent above a TLD: "st.lorient.bzh" is Lorient's."""
    labels = address.rpartition("@")[2].split(".")
    return [".".join(labels[i:]) for i in range(len(labels) - 1)]


async def active_members(session: AsyncSession, communes: Collection[str]) -> Sequence[Member]:
    """The active members of these communes, with their addresses, in one query."""
    return (
        await session.scalars(
            select(Member)
            .where(Member.commune_insee.in_(communes), Member.active.is_(True))
            .options(selectinload(Member.emails))
        )
    ).all()


async def active_coordinators(session: AsyncSession, territory_id: int) -> Sequence[Member]:
    """The active coordinators of a territory, with their addresses."""
    return (
        await session.scalars(
            select(Member)
            .where(
                Member.territory_id == territory_id,
                Member.role == Role.COORDINATOR,
                Member.active.is_(True),
            )
            .options(selectinload(Member.emails))
        )
    ).all()


async def email_writers(
    session: AsyncSession, needs: Collection[int], offers: Collection[int]
) -> dict[tuple[str, int], str]:
    """The address that wrote each of these needs and offers by email, in one query:
    ("need", id) or ("offer", id) to the address; those written otherwise are left out."""
    if not (needs or offers):
        return {}
    by_email = InboundMessage.channel == Channel.EMAIL
    rows = await session.execute(
        select(literal("need"), Need.id, InboundMessage.sender)
        .join(InboundMessage, InboundMessage.id == Need.message_id)
        .where(Need.id.in_(needs), by_email)
        .union_all(
            select(literal("offer"), Offer.id, InboundMessage.sender)
            .join(InboundMessage, InboundMessage.id == Offer.message_id)
            .where(Offer.id.in_(offers), by_email)
        )
    )
    return {(kind, record): sender for kind, record, sender in rows}


async def commune_names(session: AsyncSession) -> dict[str, str]:
    """Every commune's name by its INSEE code."""
    return dict((await session.execute(select(Commune.insee, Commune.name))).all())


async def claim_invitation(session: AsyncSession, code: str, now: dt.datetime) -> bool:
    """Mark an invitation used, unless it was already: two people racing for one code,
    one wins (a conditional update)."""
    claimed = await session.execute(
        update(Invitation)
        .where(Invitation.code == code, Invitation.used_at.is_(None))
        .values(used_at=now)
    )
    return bool(claimed.rowcount == 1)  # type: ignore[attr-defined]


async def member_by(
    session: AsyncSession, *, member_id: int | None = None, email: str | None = None
) -> Member | None:
    """A member named by number or by one of their addresses, with their addresses."""
    query = select(Member).options(selectinload(Member.emails))
    if member_id is not None:
        query = query.where(Member.id == member_id)
    else:
        query = query.join(MemberEmail).where(MemberEmail.address == normalise_address(email or ""))
    return await session.scalar(query)


async def calendar_tokens(session: AsyncSession) -> Sequence[CalendarToken]:
    """Every calendar token, revoked ones included, with its member and where they belong."""
    member = selectinload(CalendarToken.member)
    query = (
        select(CalendarToken)
        .options(
            member.selectinload(Member.emails),
            member.selectinload(Member.commune),
            member.selectinload(Member.territory),
        )
        .order_by(CalendarToken.id)
    )
    return (await session.scalars(query)).all()


@dataclass(frozen=True)
class TokenHolder:
    """A calendar token as checked when it is used: its holder and their territory."""

    digest: str
    revoked_at: dt.datetime | None
    role: Role
    active: bool
    territory_id: int


async def token_holder(session: AsyncSession, digest: str) -> TokenHolder | None:
    """The token of that digest with its holder, or None when none has it."""
    query = (
        select(CalendarToken.digest, CalendarToken.revoked_at, Member.role, Member.active,
               Member.territory_id)
        .join(Member, Member.id == CalendarToken.member_id)
        .where(CalendarToken.digest == digest)
    )  # fmt: skip
    row = (await session.execute(query)).first()
    return TokenHolder(*row) if row is not None else None


async def representative(session: AsyncSession, insee: str) -> Member | None:
    """The named active member who signs for a commune: a correspondent before a
    coordinator, the first registered first."""
    members = await session.scalars(
        select(Member)
        .where(Member.commune_insee == insee, Member.active.is_(True), Member.name.is_not(None))
        .order_by(Member.role, Member.id)
    )
    return members.first()
