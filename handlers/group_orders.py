"""What a coordinator does to a group order from the shared page: launch it (with the purchase
needs that could join it, and its carrier), change its carrier, record the price obtained
(each commune's share then follows the order's cost key, to the cent), and close it. Every
action is logged with who took it; the communes hear of it by the proposals' own notices
(`handlers.proposals.notify` for a commune that joins, `tell_shown` for the others) and by
the news of it (`handlers.order_news.announce`). The same carrier, or the same needs, sent
again change nothing and tell nobody.

Each action first holds the order (`storage.proposals.hold`): two coordinators acting on it
at once take turns, and the second reads what the first did (an order launched or closed
once is not launched or closed again)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.costs import CostKey, costs, estimated, price_book, valued
from handlers.order_news import Change, Deed, announce
from handlers.proposals import notify, tell_shown
from handlers.wording import amount, day, listing
from storage import views
from storage.access import Visitor, first_actions, log_action
from storage.declarations import LIVE_NEEDS, proposals_built_on
from storage.errors import MutualiseError
from storage.members import commune_names
from storage.models import (
    Answer,
    CatalogueItem,
    Commune,
    Need,
    NeedKind,
    NeedStatus,
    ParticipantRole,
    Proposal,
    ProposalKind,
    ProposalParticipant,
    ProposalStatus,
    Territory,
)
from storage.proposals import carrier_of, hold
from storage.proposals import proposal as load_proposal
from storage.views import IN_PLAY

CLOSE = "clore"
PRICE = "prix"
LAUNCH = "lancer"
CARRIER = "porteur"
JOIN = "ajouter"
# Where the coordination's word starts in a launched order's reason (the notices' text):
# what comes after is written again at each change.
LAUNCHED = " Lancé par la coordination le "
# At most this many needs join an order in one form.
MAX_JOINING = 50


class GroupOrderError(MutualiseError):
    """A coordinator's action on a group order cannot be done; the message says why."""


async def _ours(session: AsyncSession, who: Visitor, proposal_id: int) -> Proposal:
    """The group order, if the visitor may act on it: a coordinator of its territory. It is
    held until the transaction ends (another coordinator's action on it waits)."""
    if not who.acts:
        msg = "Seuls les coordinateurs agissent sur les groupements ; les correspondants lisent."
        raise GroupOrderError(msg)
    await hold(session, proposal_id)
    found = await load_proposal(session, proposal_id)
    communes = [await session.get(Commune, p.commune_insee) for p in found.participants]
    if found.kind is not ProposalKind.GROUP_ORDER or any(
        c is None or c.territory_id != who.territory_id for c in communes
    ):
        msg = f"Aucun groupement de commandes n° {proposal_id} sur votre territoire."
        raise GroupOrderError(msg)
    if found.status not in IN_PLAY:
        raise await _again(session, proposal_id, CLOSE, "clos ou annulé", "clos")
    return found


async def _again(
    session: AsyncSession, proposal_id: int, action: str, state: str, done: str
) -> GroupOrderError:
    """The refusal of an action another coordinator has already taken (or that the order's
    state forbids): who took it and when, and that nothing was done again."""
    first = (await first_actions(session, [proposal_id], action)).get(proposal_id)
    by = f" : {first.who} ({first.commune}) l'a {done} le {day(first.at.date())}" if first else ""
    msg = f"Le groupement n° {proposal_id} est déjà {state}{by} ; rien n'a été refait."
    return GroupOrderError(msg)


def _amount(text: str) -> Decimal:
    """ "12 480,50 €" -> 12480.50; a French refusal for what is not a positive sum."""
    cleaned = text.replace("€", "").replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
    try:
        value = Decimal(cleaned.replace(",", "."))
    except InvalidOperation:
        value = Decimal(-1)
    if not value.is_finite() or value <= 0 or value > Decimal("1e9"):
        msg = f"Montant illisible : « {text} ». Écrivez-le en euros, par exemple 12 480,50."
        raise GroupOrderError(msg)
    return value.quantize(Decimal("0.01"))


async def record_price(
    session: AsyncSession,
    who: Visitor,
    proposal_id: int,
    price: str,
    now: dt.datetime,
    default_key: CostKey | None = None,
) -> dict[str, Decimal]:
    """Record the total price obtained for a group order and split it between its member
    communes by its cost key (the territory's group key when it had none); it replaces the
    estimate everywhere the order is shown, the chats that show it included. Returns the
    shares."""
    order = await _ours(session, who, proposal_id)
    total = _amount(price)
    known = order.cost_key or {}
    if known.get("obtained") and Decimal(str(known.get("total"))) == total:
        # The same price again (a form sent twice): recorded and told once.
        return {c: Decimal(v) for c, v in known["shares"].items()}
    # The price obtained replaces the estimate whole: no unit price or source stays behind.
    replaces = bool(known.get("source"))
    # A family's unit prices stay as what weighs each commune's quantity, not as a cost.
    weights = {"unit_prices": known["unit_prices"]} if known.get("unit_prices") else {}
    order.cost_key = await _costed(session, order, total, default_key,
                                   _obtained(now.date(), replaces), obtained=True,
                                   recorded=now.date().isoformat(), **weights)  # fmt: skip
    await log_action(session, who.member_id, PRICE,
                     f"Groupement n° {order.id} : {order.cost_key['explanation']}", now,
                     order.id)  # fmt: skip
    await tell_shown(session, order, now)  # the chats showing it read the price obtained
    await announce(session, order, Deed.PRICED, who, now,
                   Change(f"{order.cost_key['total']}:{now.isoformat()}"))  # fmt: skip
    return {c: Decimal(v) for c, v in order.cost_key["shares"].items()}


def _obtained(on: dt.date, replaces: bool) -> tuple[str, str]:
    """What a recorded price's sentence says before its total and after its shares."""
    tail = f", enregistré par le coordinateur le {day(on)}"
    return "Prix obtenu", tail + (" : il remplace l'estimation." if replaces else ".")


async def _costed(
    session: AsyncSession, order: Proposal, total: Decimal, default_key: CostKey | None,
    origin: tuple[str, str], **kept: object,
) -> dict[str, Any]:  # fmt: skip
    """The order's total split between its member communes by its cost key (the
    territory's group key when it had none), as stored with it."""
    measures, key = await _measures(session, order, default_key)
    given = kept.get("unit_prices")
    units = {str(i): Decimal(str(u)) for i, u in given.items()} if isinstance(given, dict) else {}
    if order.item_id is None and units:  # a family's: each commune's quantity in value
        measures = valued(measures, await _lines(session, order), units)
    return costs(total, key, measures, await commune_names(session), origin, **kept)


async def _measures(
    session: AsyncSession, order: Proposal, default_key: CostKey | None
) -> tuple[dict[str, dict[str, float]], CostKey]:
    """Each member commune's population and quantity, and the order's cost key (the
    territory's group key when it had none)."""
    known = order.cost_key or {}
    key = CostKey.parse(str(known["key"])) if known.get("key") else default_key
    measures: dict[str, dict[str, float]] = {}
    for part in order.participants:
        if part.role is not ParticipantRole.MEMBER:
            continue
        commune = await session.get(Commune, part.commune_insee)
        entry = measures.setdefault(part.commune_insee, {
            "population": commune.population if commune else 0, "quantite": 0, "jours": 0,
        })  # fmt: skip
        entry["quantite"] += part.quantity or 0
    return measures, key or CostKey.parse("quantite")


async def _lines(
    session: AsyncSession, order: Proposal
) -> list[tuple[str, str | None, int | None]]:
    """Each member participation's commune, item (its need's, in a family's order) and
    quantity."""
    lines = []
    for part in order.participants:
        if part.role is ParticipantRole.MEMBER:
            need = await session.get(Need, part.need_id) if part.need_id is not None else None
            item = order.item_id or (need.item_id if need is not None else None)
            lines.append((part.commune_insee, item, part.quantity))
    return lines


async def close(session: AsyncSession, who: Visitor, proposal_id: int, now: dt.datetime) -> None:
    """Close a group order: it is done, and the purchase needs it gathered are fulfilled;
    the chats that show it are told."""
    order = await _ours(session, who, proposal_id)
    order.status = ProposalStatus.DONE
    for part in order.participants:
        if part.need_id is not None:
            need = await session.get(Need, part.need_id)
            if need is not None and need.status in (NeedStatus.OPEN, NeedStatus.MATCHED):
                need.status = NeedStatus.FULFILLED
    await log_action(session, who.member_id, CLOSE, f"Groupement n° {order.id} clos.", now,
                     order.id)  # fmt: skip
    await session.flush()
    await tell_shown(session, order, now)
    await announce(session, order, Deed.CLOSED, who, now)


async def launched(session: AsyncSession, proposal_id: int) -> dt.datetime | None:
    """When a coordinator launched the group order, if one did."""
    found = (await first_actions(session, [proposal_id], LAUNCH)).get(proposal_id)
    return found.at if found is not None else None


async def launch(
    session: AsyncSession,
    who: Visitor,
    proposal_id: int,
    carrier: str,
    joining: list[int],
    now: dt.datetime,
    default_key: CostKey | None = None,
    folders: Sequence[Path] = (),
) -> None:
    """Launch a group order in formation: the procedure starts, carried by `carrier` (the
    suggested one or another commune of the territory), with the open purchase needs of
    `joining` added. It becomes a commitment that matching keeps as it is (as an accepted
    proposal); a commune that joins, or a new carrier, is sent the proposal to answer."""
    order = await _ours(session, who, proposal_id)
    if await launched(session, order.id) is not None:
        raise await _again(session, order.id, LAUNCH, "lancé", "lancé")
    added = await _join(session, who, order, joining[:MAX_JOINING])
    await _set_carrier(session, who, order, carrier)
    order.status = ProposalStatus.ACCEPTED
    await _reshare(session, order, default_key, who.territory_id, folders)
    names = await commune_names(session)
    joined = listing(list(dict.fromkeys(names.get(n.commune_insee, "?") for n in added)))
    await _restate(session, order, now, names)
    detail = f"Groupement n° {order.id} lancé, porté par {names.get(carrier, carrier)}"
    detail += f" ; rejoint par {joined}." if added else "."
    await log_action(session, who.member_id, LAUNCH, detail, now, order.id)
    await _tell(session, order, now)
    await announce(session, order, Deed.LAUNCHED, who, now)


async def choose_carrier(
    session: AsyncSession, who: Visitor, proposal_id: int, carrier: str, now: dt.datetime
) -> None:
    """Give a launched group order another carrier, chosen by the coordinator; its communes,
    and the one that carried it, are told."""
    order, began = await _launched_order(session, who, proposal_id, "son porteur se choisit "
                                         "au lancement")  # fmt: skip
    before = carrier_of(order)
    if before == carrier:  # the same carrier again (a form sent twice): nothing changes
        return
    await _set_carrier(session, who, order, carrier)
    names = await commune_names(session)
    await _restate(session, order, began, names)
    await log_action(session, who.member_id, CARRIER, f"Groupement n° {order.id} : porteur "
                     f"{names.get(carrier, carrier)}.", now, order.id)  # fmt: skip
    await _tell(session, order, now)
    # Each carrier chosen is a participation of its own: its number names the change.
    chosen = max(p.id for p in order.participants if p.role is ParticipantRole.CARRIER)
    await announce(session, order, Deed.CARRIER, who, now,
                   Change(f"{carrier}:{chosen}", carrier_before=before))  # fmt: skip


async def add_needs(
    session: AsyncSession,
    who: Visitor,
    proposal_id: int,
    joining: list[int],
    now: dt.datetime,
    default_key: CostKey | None = None,
    folders: Sequence[Path] = (),
) -> None:
    """Add to a launched group order purchase needs that came after its launch; its communes
    are told, and a commune new to it hears of its launch."""
    order, began = await _launched_order(session, who, proposal_id, "avec les besoins qui le "
                                         "rejoignent")  # fmt: skip
    inside = {p.need_id for p in order.participants}
    fresh = [n for n in joining[:MAX_JOINING] if n not in inside]
    if joining and not fresh:  # the same needs again (a form sent twice): in it already
        return
    before = {p.commune_insee for p in order.participants}
    added = await _join(session, who, order, fresh)
    if not added:
        msg = "Cochez au moins un besoin à ajouter au groupement."
        raise GroupOrderError(msg)
    await _reshare(session, order, default_key, who.territory_id, folders)
    names = await commune_names(session)
    await _restate(session, order, began, names)
    joined = listing(list(dict.fromkeys(names.get(n.commune_insee, "?") for n in added)))
    detail = f"Groupement n° {order.id} : rejoint par {joined}."
    await log_action(session, who.member_id, JOIN, detail, now, order.id)
    await _tell(session, order, now)
    communes = tuple(dict.fromkeys(n.commune_insee for n in added))
    change = Change("-".join(str(n.id) for n in added), joined=communes,
                    newcomers=tuple(c for c in communes if c not in before))  # fmt: skip
    await announce(session, order, Deed.JOINED, who, now, change)


async def _launched_order(
    session: AsyncSession, who: Visitor, proposal_id: int, why: str
) -> tuple[Proposal, dt.datetime]:
    """The group order, if the visitor may act on it and it is launched, and since when."""
    order = await _ours(session, who, proposal_id)
    began = await launched(session, order.id)
    if began is None:
        msg = f"Lancez d'abord le groupement n° {order.id}, {why}."
        raise GroupOrderError(msg)
    return order, began


async def _tell(session: AsyncSession, order: Proposal, now: dt.datetime) -> None:
    """The proposal's own notices: sent to the communes that have not had it yet (one that
    joined, a new carrier), rewritten where it was shown (once for this action)."""
    await session.flush()
    await notify(session, [order], now)
    await tell_shown(session, order, now, state=f"coordination:{now.isoformat()}")


async def _join(
    session: AsyncSession, who: Visitor, order: Proposal, joining: list[int]
) -> list[Need]:
    """Add to the order the purchase needs that could join it: open, of its territory, of
    its item (or family), in no other proposal in play."""
    family = order.family_id if order.item_id is None else None
    added: list[Need] = []
    for need_id in dict.fromkeys(joining):
        need = await session.get(Need, need_id)
        commune = await session.get(Commune, need.commune_insee) if need is not None else None
        fits = (
            need is not None
            and commune is not None
            and commune.territory_id == who.territory_id
            and need.kind is NeedKind.PURCHASE
            and need.status in LIVE_NEEDS
            and await _same_kind(session, need, order.item_id, family)
            and not await proposals_built_on(session, [need.id], [])
        )
        if not fits or need is None:
            msg = f"Le besoin n° {need_id} ne peut pas rejoindre le groupement n° {order.id}."
            raise GroupOrderError(msg)
        order.participants.append(ProposalParticipant(
            commune_insee=need.commune_insee, role=ParticipantRole.MEMBER, need_id=need.id,
            quantity=need.quantity, answer=Answer.PENDING,
        ))  # fmt: skip
        need.status, need.status_reason = NeedStatus.MATCHED, None
        if need.quantity:  # a family's counts its items together, as matching does
            order.quantity = (order.quantity or 0) + need.quantity
        added.append(need)
    return added


async def _same_kind(
    session: AsyncSession, need: Need, item: str | None, family: str | None
) -> bool:
    """Whether the need is of the order's item, or of its family for an order of a family."""
    if item is not None:
        return need.item_id == item
    found = await session.get(CatalogueItem, need.item_id) if need.item_id else None
    return found is not None and family is not None and found.family_id == family


async def _set_carrier(session: AsyncSession, who: Visitor, order: Proposal, carrier: str) -> None:
    """Make `carrier`, a commune of the territory, the one that carries the order. A member
    commune's answer stands for it as carrier too; another commune is asked."""
    commune = await session.get(Commune, carrier)
    if commune is None or commune.territory_id != who.territory_id:
        msg = "Choisissez comme porteur une commune de votre territoire."
        raise GroupOrderError(msg)
    for part in [p for p in order.participants if p.role is ParticipantRole.CARRIER]:
        if part.commune_insee == carrier:
            return
        order.participants.remove(part)
    answers = [p.answer for p in order.participants if p.commune_insee == carrier]
    order.participants.append(ProposalParticipant(
        commune_insee=carrier, role=ParticipantRole.CARRIER, quantity=None,
        answer=answers[0] if answers else Answer.PENDING,
    ))  # fmt: skip


async def _restate(
    session: AsyncSession, order: Proposal, began: dt.datetime, names: dict[str, str]
) -> None:
    """Say in the order's reason (what its notices show) who is in it now, and who carries
    it, after what matching first wrote."""
    members = [p for p in order.participants if p.role is ParticipantRole.MEMBER]
    communes = [names.get(c, c) for c in dict.fromkeys(p.commune_insee for p in members)]
    carrier = carrier_of(order) or ""
    item = await session.get(CatalogueItem, order.item_id) if order.item_id else None
    what = amount(order.quantity, item.label, item.plural) if item and order.quantity else ""
    first = order.reason.split(LAUNCHED)[0]
    order.reason = (
        f"{first}{LAUNCHED}{day(began.date())} : {listing(communes)}"
        + (f", {what} en tout" if what else "")
        + f" ; porteur : {names.get(carrier, carrier)}."
    )


async def _reshare(
    session: AsyncSession, order: Proposal, default_key: CostKey | None, territory_id: int,
    folders: Sequence[Path],
) -> None:  # fmt: skip
    """Split again, between the communes now in the order, its cost when one is known (the
    price obtained, or the estimate at its unit price)."""
    kept = order.cost_key
    if not kept or "total" not in kept:
        return
    extra = {k: v for k, v in kept.items() if k not in ("key", "explanation", "total", "shares")}
    if kept.get("obtained"):
        total = Decimal(str(kept["total"]))
        recorded = dt.date.fromisoformat(str(kept["recorded"])) if kept.get("recorded") else None
        origin = _obtained(recorded, False) if recorded else ("Prix obtenu", ".")
    elif kept.get("unit_price") and order.quantity:
        unit = Decimal(str(kept["unit_price"]))
        total = (unit * order.quantity).quantize(Decimal("0.01"))
        origin = estimated(unit, str(kept.get("source", "")))
    elif order.item_id is None and kept.get("unit_prices"):
        # A family's: valued again with the needs now in it, each at its territory's price
        # (none when one of them has no price).
        measures, key = await _measures(session, order, default_key)
        items = await views.catalogue(session)
        territory = await session.get(Territory, territory_id)
        book = price_book(territory.epci if territory else "",
                          {k: i.price for k, i in items.items()}, folders)  # fmt: skip
        words = {k: (i.label, i.plural) for k, i in items.items()}
        order.cost_key = book.estimate_family(await _lines(session, order), words, key,
                                              measures, await commune_names(session))  # fmt: skip
        return
    else:
        return
    order.cost_key = await _costed(session, order, total, default_key, origin, **extra)
