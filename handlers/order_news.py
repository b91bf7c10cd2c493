"""What the communes of a group order are told when a coordinator acts on it from the page
(launches it, records the price obtained, closes it): one notice a commune, on each
member's channel (the town hall that wrote by email when no member reads email), saying
what the order is, the commune's share, who acted and the deadline.

The notices go through the outbox like every other (`handlers.notices.post_many`), under a
key that names the action (and, for a price, the price and when it was recorded): a retried
action tells nobody twice, and the same price sent twice is recorded once
(`handlers.group_orders.record_price`). The proposal's own messages are still rewritten
where a chat shows them (`handlers.proposals.tell_shown`); this is the news of the action,
for every channel."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping, Sequence
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.costs import euros
from handlers.notices import Notice, post_many
from handlers.recipients import audience
from handlers.wording import amount, day, listing
from storage.access import Visitor
from storage.members import commune_names
from storage.models import (
    CatalogueFamily,
    CatalogueItem,
    Need,
    ParticipantRole,
    Proposal,
    ProposalParticipant,
)


class Deed(enum.StrEnum):
    """What a coordinator did to a group order that its communes hear of."""

    LAUNCHED = "lancement"
    PRICED = "prix"
    CLOSED = "cloture"


_SUBJECTS = {
    Deed.LAUNCHED: "lancé",
    Deed.PRICED: "prix obtenu",
    Deed.CLOSED: "clos",
}


async def announce(
    session: AsyncSession, order: Proposal, deed: Deed, who: Visitor, now: dt.datetime
) -> int:
    """Tell every commune of the group order what the coordinator `who` did to it; returns
    how many messages were queued (none for what they were told already)."""
    parts = list(order.participants)
    heard = await audience(
        session,
        {p.commune_insee for p in parts},
        [p.need_id for p in parts if p.need_id],
        [p.offer_id for p in parts if p.offer_id],
    )
    names = await commune_names(session)
    labels = await _labels(session, order)
    key = f"group_order:{order.id}:{deed.value}"
    if deed is Deed.PRICED:  # each price recorded is news (the same one twice is not recorded)
        key += f":{(order.cost_key or {}).get('total')}:{now.isoformat()}"
    notices = []
    for commune in dict.fromkeys(p.commune_insee for p in parts):
        own = [p for p in parts if p.commune_insee == commune]
        recipients = heard.of(commune, [p.need_id for p in own], [p.offer_id for p in own])
        text = _text(order, deed, who, now, names, commune, own, labels)
        subject = f"Groupement de commandes n° {order.id} : {_SUBJECTS[deed]}"
        notices.append((Notice(subject, text), recipients, key))
    return await post_many(session, notices, now)


async def _labels(session: AsyncSession, order: Proposal) -> dict[int | None, str]:
    """What each member participation buys, in words ("3 ordinateurs portables"), and under
    the key None what the whole order buys; a family order names its needs' own items."""
    items: dict[str, CatalogueItem | None] = {}

    async def item(item_id: str | None) -> CatalogueItem | None:
        if item_id is not None and item_id not in items:
            items[item_id] = await session.get(CatalogueItem, item_id)
        return items.get(item_id) if item_id is not None else None

    labels: dict[int | None, str] = {}
    for part in order.participants:
        if part.role is not ParticipantRole.MEMBER:
            continue
        need = await session.get(Need, part.need_id) if part.need_id is not None else None
        found = await item(order.item_id or (need.item_id if need else None))
        label = need.item_label if need is not None and need.item_label else "article"
        labels[part.id] = (
            amount(part.quantity, found.label, found.plural) if found
            else amount(part.quantity, label)
        )  # fmt: skip
    whole = await item(order.item_id)
    if whole is not None:
        labels[None] = amount(order.quantity, whole.label, whole.plural)
    else:
        family = await session.get(CatalogueFamily, order.family_id) if order.family_id else None
        labels[None] = f"famille « {family.label} »" if family else "achat groupé"
    return labels


def _text(
    order: Proposal, deed: Deed, who: Visitor, now: dt.datetime, names: Mapping[str, str],
    commune: str, own: Sequence[ProposalParticipant], labels: Mapping[int | None, str],
) -> str:  # fmt: skip
    """The news for one commune: what happened, its share, who acted, the deadline."""
    members = [names.get(c, c) for c in dict.fromkeys(
        p.commune_insee for p in order.participants if p.role is ParticipantRole.MEMBER
    )]  # fmt: skip
    carrier = next((names.get(p.commune_insee, p.commune_insee) for p in order.participants
                    if p.role is ParticipantRole.CARRIER), None)  # fmt: skip
    what = f"le groupement de commandes n° {order.id} ({labels[None]})"
    cost = order.cost_key or {}
    if deed is Deed.LAUNCHED:
        head = f"La coordination a lancé {what}, qui réunit {listing(members)}"
        head += f" ; il est porté par {carrier}." if carrier else "."
    elif deed is Deed.PRICED:
        head = (f"La coordination a enregistré le prix obtenu pour {what} : "
                f"{euros(Decimal(str(cost.get('total', '0'))))} en tout.")  # fmt: skip
    else:
        head = (f"La coordination a clos {what} : la commande est passée, et les besoins "
                "d'achat qu'il réunissait sont satisfaits.")  # fmt: skip
    acted = f"Par {who.name} (coordination, {who.commune}), le {day(now.date())}."
    deadline = f"Échéance : {day(order.deadline)}." if order.deadline else "Échéance : à fixer."
    return "\n\n".join([head, _share(order, names.get(commune, commune), own, labels, carrier),
                        acted, deadline])  # fmt: skip


def _share(
    order: Proposal, name: str, own: Sequence[ProposalParticipant],
    labels: Mapping[int | None, str], carrier: str | None,
) -> str:  # fmt: skip
    """The commune's part: what it buys, what it pays (obtained or estimated), whether it
    carries the procedure."""
    bought = [labels[p.id] for p in own if p.role is ParticipantRole.MEMBER and p.id in labels]
    carries = " Elle porte la procédure pour les autres communes." if carrier == name else ""
    if not bought:
        return f"{name} porte la procédure pour les communes du groupement, sans achat à elle."
    cost = order.cost_key or {}
    share = (cost.get("shares") or {}).get(own[0].commune_insee)
    if share is None:
        paid = "son coût n'est pas encore connu"
    else:
        how = "au prix obtenu" if cost.get("obtained") else "estimation"
        paid = f"{euros(Decimal(str(share)))} ({how})"
    return f"Part de {name} : {listing(bought)}, {paid}.{carries}"
