"""What a coordinator does to a group order from the shared page: record the price obtained
(each commune's share then follows the order's cost key, to the cent), and close it. Every
action is logged with who took it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.costs import CostKey, costs
from handlers.proposals import tell_shown
from handlers.wording import day
from storage.access import Visitor, log_action
from storage.errors import MutualiseError
from storage.members import commune_names
from storage.models import (
    Commune,
    Need,
    NeedStatus,
    ParticipantRole,
    Proposal,
    ProposalKind,
    ProposalStatus,
)
from storage.proposals import proposal as load_proposal
from storage.views import IN_PLAY

CLOSE = "clore"
PRICE = "prix"


class GroupOrderError(MutualiseError):
    """A coordinator's action on a group order cannot be done; the message says why."""


async def _ours(session: AsyncSession, who: Visitor, proposal_id: int) -> Proposal:
    """The group order, if the visitor may act on it: a coordinator of its territory."""
    if not who.acts:
        msg = "Seuls les coordinateurs agissent sur les groupements ; les correspondants lisent."
        raise GroupOrderError(msg)
    found = await load_proposal(session, proposal_id)
    communes = [await session.get(Commune, p.commune_insee) for p in found.participants]
    if found.kind is not ProposalKind.GROUP_ORDER or any(
        c is None or c.territory_id != who.territory_id for c in communes
    ):
        msg = f"Aucun groupement de commandes n° {proposal_id} sur votre territoire."
        raise GroupOrderError(msg)
    if found.status not in IN_PLAY:
        msg = f"Le groupement n° {proposal_id} est déjà clos ou annulé."
        raise GroupOrderError(msg)
    return found


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
    kept = order.cost_key or {}
    key = CostKey.parse(str(kept["key"])) if kept.get("key") else default_key
    key = key or CostKey.parse("quantite")
    measures: dict[str, dict[str, float]] = {}
    for part in order.participants:
        if part.role is not ParticipantRole.MEMBER:
            continue
        commune = await session.get(Commune, part.commune_insee)
        entry = measures.setdefault(part.commune_insee, {
            "population": commune.population if commune else 0, "quantite": 0, "jours": 0,
        })  # fmt: skip
        entry["quantite"] += part.quantity or 0
    names = await commune_names(session)
    # The price obtained replaces the estimate whole: no unit price or source stays behind.
    replaces = " : il remplace l'estimation" if kept.get("source") else ""
    recorded = f", enregistré par le coordinateur le {day(now.date())}{replaces}."
    order.cost_key = costs(total, key, measures, names, ("Prix obtenu", recorded),
                           obtained=True, recorded=now.date().isoformat())  # fmt: skip
    await log_action(session, who.member_id, PRICE,
                     f"Groupement n° {order.id} : {order.cost_key['explanation']}", now,
                     order.id)  # fmt: skip
    await tell_shown(session, order, now)  # the chats showing it read the price obtained
    return {c: Decimal(v) for c, v in order.cost_key["shares"].items()}


async def close(session: AsyncSession, who: Visitor, proposal_id: int, now: dt.datetime) -> None:
    """Close a group order: it is done, and the purchase needs it gathered are fulfilled."""
    order = await _ours(session, who, proposal_id)
    order.status = ProposalStatus.DONE
    for part in order.participants:
        if part.need_id is not None:
            need = await session.get(Need, part.need_id)
            if need is not None and need.status in (NeedStatus.OPEN, NeedStatus.MATCHED):
                need.status = NeedStatus.FULFILLED
    await log_action(session, who.member_id, CLOSE, f"Groupement n° {order.id} clos.", now,
                     order.id)  # fmt: skip
