"""Group orders (purchases of several communes in one procedure) and joint purchases
(equipment nobody lends and several communes keep asking for)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Mapping

from handlers.matching.loans import NOT_ENOUGH
from handlers.matching.plans import NeedView, Part, Place, Plan, Planning, Pricing
from handlers.wording import amount, day, listing
from storage.models import ParticipantRole, ProposalKind


def _windows(
    needs: list[NeedView], when: Callable[[NeedView], dt.date | None], horizon: dt.timedelta
) -> list[list[NeedView]]:
    """Needs cut into runs whose dates all fall within `horizon` of the run's first one."""
    dated = sorted((n for n in needs if when(n) is not None), key=lambda n: (when(n), n.order))
    undated = [n for n in needs if when(n) is None]
    runs: list[list[NeedView]] = []
    for need in dated:
        first = when(runs[-1][0]) if runs else None
        if runs and first is not None and when(need) - first <= horizon:  # type: ignore[operator]
            runs[-1].append(need)
        else:
            runs.append([need])
    if undated:  # a need with no deadline yet can join the first run
        if runs:
            runs[0].extend(undated)
        else:
            runs.append(undated)
    return runs


def _communes(needs: list[NeedView]) -> list[str]:
    return list(dict.fromkeys(n.commune for n in needs))


def plan_group_orders(
    needs: list[NeedView],
    places: Mapping[str, Place],
    labels: Mapping[str, tuple[str, str]],
    families: Mapping[str, str],
    horizon: dt.timedelta,
    outcome: Planning,
    pricing: Pricing | None = None,
) -> None:
    """Purchases of one item, then of one family, by at least two communes within a horizon."""
    grouped: set[int] = set()
    by_item: dict[str, list[NeedView]] = defaultdict(list)
    for need in needs:
        if need.item is not None:
            by_item[need.item].append(need)
    for item, same in sorted(by_item.items()):
        for run in _windows(same, lambda n: n.deadline, horizon):
            if len(_communes(run)) >= 2:
                plan = _group(run, item, None, places, labels, families)
                if pricing is not None:
                    plan.cost_key = pricing.costs(
                        item, plan.quantity, pricing.group_key, _measures(run, places), places
                    )
                outcome.plans.append(plan)
                grouped.update(n.id for n in run)
    by_family: dict[str, list[NeedView]] = defaultdict(list)
    for need in needs:
        if need.id not in grouped and need.family is not None:
            by_family[need.family].append(need)
    for family, same in sorted(by_family.items()):
        for run in _windows(same, lambda n: n.deadline, horizon):
            if len(_communes(run)) >= 2 and len({n.item for n in run}) > 1:
                plan = _group(run, None, family, places, labels, families)
                if pricing is not None:
                    lines = [
                        (n.commune, n.item, n.quantity) for n in sorted(run, key=lambda n: n.order)
                    ]
                    plan.cost_key = pricing.family_costs(
                        lines, labels, pricing.group_key, _measures(run, places), places
                    )
                outcome.plans.append(plan)
                grouped.update(n.id for n in run)
    for need in needs:
        if need.id not in grouped:
            outcome.unmatched[need.id] = "aucune autre commune n'achète cet article pour l'instant"


def _group(
    run: list[NeedView],
    item: str | None,
    family: str | None,
    places: Mapping[str, Place],
    labels: Mapping[str, tuple[str, str]],
    families: Mapping[str, str],
) -> Plan:
    shares: dict[str, int] = defaultdict(int)
    for need in sorted(run, key=lambda n: n.order):
        shares[need.commune] += need.quantity or 0
    # A volunteer carries the procedure; else the largest share, the earlier on a tie.
    first_seen = {c: min(n.order for n in run if n.commune == c) for c in shares}
    volunteers = sorted({n.commune for n in run if n.volunteer}, key=lambda c: first_seen[c])
    carrier = (
        volunteers[0] if volunteers else max(shares, key=lambda c: (shares[c], -first_seen[c]))
    )
    total = sum(shares.values()) or None
    deadlines = [n.deadline for n in run if n.deadline is not None]
    deadline = min(deadlines) if deadlines else None
    parts = [
        Part(n.commune, ParticipantRole.MEMBER, n.quantity, need_id=n.id)
        for n in sorted(run, key=lambda n: n.order)
    ]
    parts.append(Part(carrier, ParticipantRole.CARRIER, None))
    names = [_name(places, c) for c in shares]
    if item is not None:
        singular, plural = labels.get(item, (item, item))
        what = amount(total, singular, plural) if total else plural
    else:
        what = f"du matériel de la famille « {families.get(family or '', family)} »"
    by = f" avant le {day(deadline)}" if deadline else ""
    reason = (
        f"{listing(names)} achètent {what}{by} : une seule consultation pour "
        f"{len(shares)} communes. Porteur suggéré : {_name(places, carrier)}, "
        + ("qui s'est portée volontaire." if volunteers else "qui a la plus grosse part.")
    )
    return Plan(ProposalKind.GROUP_ORDER, item, family, total, None, None, deadline, parts, reason)


def plan_joint_purchases(
    needs: list[NeedView],
    lent_items: set[str],
    places: Mapping[str, Place],
    labels: Mapping[str, tuple[str, str]],
    minimum: int,
    window: dt.timedelta,
    outcome: Planning,
    pricing: Pricing | None = None,
    shortages: Mapping[str, str] | None = None,
) -> None:
    """Borrow needs for an item that nobody lends, from `minimum` communes within `window`;
    and for an item lent but short year after year (`shortages`: its figures), the needs
    that loans could not serve for want of enough of it."""
    shortages = shortages or {}
    by_item: dict[str, list[NeedView]] = defaultdict(list)
    for need in needs:
        if need.item is None or need.start is None:
            continue
        if need.item not in lent_items or (
            need.item in shortages and outcome.unmatched.get(need.id, "").startswith(NOT_ENOUGH)
        ):
            by_item[need.item].append(need)
    for item, same in sorted(by_item.items()):
        for run in _windows(same, lambda n: n.start, window):
            communes = _communes(run)
            if len(communes) < minimum:
                continue
            singular, plural = labels.get(item, (item, item))
            days = {c: sum(_days(n) for n in run if n.commune == c) for c in communes}
            quantity = max(n.quantity or 1 for n in run)
            parts = [
                Part(n.commune, ParticipantRole.MEMBER, n.quantity, need_id=n.id)
                for n in sorted(run, key=lambda n: n.order)
            ]
            uses = [f"{_name(places, c)} {d} j" for c, d in days.items()]
            if item in lent_items:
                reason = (
                    f"{len(communes)} communes manquent de {plural} les mêmes jours, d'une "
                    f"année sur l'autre ({shortages[item]}) : en acheter ensemble."
                )
            else:
                reason = (
                    f"{len(communes)} communes demandent {amount(quantity, singular, plural)} "
                    f"que personne ne prête ({listing(uses)}) : l'acheter ensemble."
                )
            starts = [n.start for n in run if n.start is not None]
            ends = [n.end or n.start for n in run if n.start is not None]
            outcome.plans.append(
                Plan(
                    ProposalKind.JOINT_PURCHASE,
                    item,
                    None,
                    quantity,
                    min(starts),
                    max(e for e in ends if e is not None),
                    None,
                    parts,
                    reason,
                    cost_key=pricing.costs(
                        item, quantity, pricing.joint_key, _measures(run, places), places
                    )
                    if pricing is not None
                    else None,
                )
            )
            for need in run:
                outcome.unmatched.pop(need.id, None)


def _measures(run: list[NeedView], places: Mapping[str, Place]) -> dict[str, dict[str, float]]:
    """Population, quantity and days of use of each commune of a run."""
    measures: dict[str, dict[str, float]] = {}
    for need in sorted(run, key=lambda n: n.order):
        place = places.get(need.commune)
        entry = measures.setdefault(
            need.commune,
            {"population": place.population if place else 0, "quantite": 0, "jours": 0},
        )
        entry["quantite"] += need.quantity or 0
        entry["jours"] += _days(need)
    return measures


def _days(need: NeedView) -> int:
    if need.start is None:
        return 0
    return ((need.end or need.start) - need.start).days + 1


def _name(places: Mapping[str, Place], insee: str) -> str:
    place = places.get(insee)
    return place.name if place else insee
