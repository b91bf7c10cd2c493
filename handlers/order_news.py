"""What the communes of a group order are told when a coordinator acts on it from the page
(launches it, records the price obtained, closes it, gives it another carrier, adds needs to
it once launched): one notice a commune, on each member's channel (the town hall that wrote
by email when no member reads email), saying what the order is and what changed, the
commune's share, who acted and the deadline. A commune that joins a launched order is told
of its launch, which it never heard; a commune that no longer carries it, that it does not.

The notices go through the outbox like every other (`handlers.notices.post_many`), under a
key that names the action and the change (a price and when it was recorded, a carrier and
when it was chosen, the needs that joined): a retried action tells nobody twice, and the same
price, carrier or needs sent twice change nothing (`handlers.group_orders`). The proposal's
own messages are still rewritten where a chat shows them (`handlers.proposals.tell_shown`);
this is the news of the action, for every channel."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
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
from storage.proposals import carrier_of


class Deed(enum.StrEnum):
    """What a coordinator did to a group order that its communes hear of."""

    LAUNCHED = "lancement"
    PRICED = "prix"
    CLOSED = "cloture"
    CARRIER = "porteur"
    JOINED = "ajout"


_SUBJECTS = {
    Deed.LAUNCHED: "lancé",
    Deed.PRICED: "prix obtenu",
    Deed.CLOSED: "clos",
    Deed.CARRIER: "nouveau porteur",
    Deed.JOINED: "nouveaux besoins",
}


@dataclass(frozen=True)
class Change:
    """What an action changed, beyond the order itself: what names it in the notices' key
    (each change is news once, however often its form is sent), the commune that carried
    the order before, the communes whose needs joined it and, of these, those new to it."""

    name: str = ""
    carrier_before: str | None = None
    joined: tuple[str, ...] = ()
    newcomers: tuple[str, ...] = ()


UNCHANGED = Change()


async def announce(
    session: AsyncSession, order: Proposal, deed: Deed, who: Visitor, now: dt.datetime,
    change: Change = UNCHANGED,
) -> int:  # fmt: skip
    """Tell every commune of the group order (and the one that carried it before) what the
    coordinator `who` did to it; a commune new to it hears of its launch. Returns how many
    messages were queued (none for what they were told already)."""
    parts = list(order.participants)
    communes = list(dict.fromkeys(p.commune_insee for p in parts))
    if change.carrier_before is not None and change.carrier_before not in communes:
        communes.append(change.carrier_before)
    heard = await audience(
        session,
        set(communes),
        [p.need_id for p in parts if p.need_id],
        [p.offer_id for p in parts if p.offer_id],
    )
    names = await commune_names(session)
    labels = await _labels(session, order)
    notices = []
    for commune in communes:
        told = Deed.LAUNCHED if commune in change.newcomers else deed
        key = f"group_order:{order.id}:{told.value}"
        if told is deed and change.name:
            key += f":{change.name}"
        own = [p for p in parts if p.commune_insee == commune]
        recipients = heard.of(commune, [p.need_id for p in own], [p.offer_id for p in own])
        text = _text(order, told, who, now, names, commune, own, labels, change)
        subject = f"Groupement de commandes n° {order.id} : {_SUBJECTS[told]}"
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
    change: Change,
) -> str:  # fmt: skip
    """The news for one commune: what happened, its share, who acted, the deadline."""
    found = carrier_of(order)
    carrier = names.get(found, found) if found is not None else None
    name = names.get(commune, commune)
    acted = f"Par {who.name} (coordination, {who.commune}), le {day(now.date())}."
    deadline = f"Échéance : {day(order.deadline)}." if order.deadline else "Échéance : à fixer."
    return "\n\n".join([_head(order, deed, names, commune, labels[None], change, carrier),
                        _share(order, name, own, labels, carrier), acted, deadline])  # fmt: skip


def _head(
    order: Proposal, deed: Deed, names: Mapping[str, str], commune: str, whole: str,
    change: Change, carrier: str | None,
) -> str:  # fmt: skip
    """What happened to the order, as one commune (`commune`) is told it (`carrier`: the
    name of the commune that carries it)."""
    members = listing([names.get(c, c) for c in dict.fromkeys(
        p.commune_insee for p in order.participants if p.role is ParticipantRole.MEMBER
    )])  # fmt: skip
    carried = f" ; il est porté par {carrier}." if carrier else "."
    what = f"groupement de commandes n° {order.id} ({whole})"
    if deed is Deed.LAUNCHED and commune in change.newcomers:  # joins it once launched
        return (f"La coordination a ajouté le besoin d'achat de {names.get(commune, commune)} "
                f"au {what}, déjà lancé : il réunit désormais {members}{carried}")  # fmt: skip
    before = change.carrier_before
    instead = f", et non plus par {names.get(before, before)}" if before else ""
    heads = {
        Deed.LAUNCHED: f"La coordination a lancé le {what}, qui réunit {members}{carried}",
        Deed.PRICED: f"La coordination a enregistré le prix obtenu pour le {what} : "
        f"{euros(Decimal(str((order.cost_key or {}).get('total', '0'))))} en tout.",
        Deed.CLOSED: f"La coordination a clos le {what} : la commande est passée, et les besoins "
        "d'achat qu'il réunissait sont satisfaits.",
        Deed.CARRIER: f"La coordination a changé le porteur du {what} : il est désormais porté "
        f"par {carrier}{instead}. Il réunit {members}.",
        Deed.JOINED: f"La coordination a ajouté au {what} les besoins d'achat de "
        f"{listing([names.get(c, c) for c in change.joined])} : il réunit désormais "
        f"{members}{carried}",
    }
    return heads[deed]


def _share(
    order: Proposal, name: str, own: Sequence[ProposalParticipant],
    labels: Mapping[int | None, str], carrier: str | None,
) -> str:  # fmt: skip
    """The commune's part: what it buys, what it pays (obtained or estimated), whether it
    carries the procedure."""
    bought = [labels[p.id] for p in own if p.role is ParticipantRole.MEMBER and p.id in labels]
    carries = " Elle porte la procédure pour les autres communes." if carrier == name else ""
    if not own:  # the carrier it was, no longer in the order
        return f"{name} ne porte plus la procédure, et n'achète rien dans ce groupement."
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
