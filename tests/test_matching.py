"""Matching on plain values: loans with capacity over time, group orders, joint purchases."""

from __future__ import annotations

import datetime as dt

from handlers.matching.groups import plan_group_orders, plan_joint_purchases
from handlers.matching.loans import Stock, plan_loans
from handlers.matching.plans import NeedView, OfferView, Place, Planning
from storage.models import ParticipantRole
from storage.territory import load_territory

PLACES = {
    c.insee: Place(c.name, c.population, c.latitude, c.longitude) for c in load_territory().communes
}
LABELS = {"ganivelle": ("ganivelle", "ganivelles"), "chapiteau": ("chapiteau", "chapiteaux")}
LORIENT, RIANTEC, QUEVEN, CAUDAN, LANESTER, GROIX = (
    "56121", "56193", "56185", "56036", "56098", "56069",
)  # fmt: skip
JUNE_21 = dt.date(2027, 6, 21)


def borrow(
    id: int, commune: str, quantity: int | None, start: dt.date, end: dt.date | None = None
) -> NeedView:
    return NeedView(
        id, "borrow", commune, "ganivelle", "ganivelles", "barrieres", quantity, start,
        end or start, None, id,
    )  # fmt: skip


def offer(id: int, commune: str, quantity: int | None, start=None, end=None) -> OfferView:  # type: ignore[no-untyped-def]
    return OfferView(id, commune, "ganivelle", quantity, start, end)


def loans(needs: list[NeedView], offers: list[OfferView]) -> Planning:
    outcome = Planning()
    stocks = {o.id: Stock(o) for o in offers}
    plan_loans(needs, stocks, PLACES, LABELS, set(), outcome)
    return outcome


def lent(outcome: Planning) -> dict[int, list[tuple[str, int | None]]]:
    """Need id -> [(lender, quantity)]."""
    return {
        next(p.need_id for p in plan.parts if p.need_id): [
            (p.commune, p.quantity) for p in plan.parts if p.role is ParticipantRole.LENDER
        ]
        for plan in outcome.plans
    }


def test_capacity_is_shared_over_time() -> None:
    weekends = loans(
        [borrow(1, RIANTEC, 300, JUNE_21), borrow(2, QUEVEN, 300, JUNE_21 + dt.timedelta(days=7))],
        [offer(10, LORIENT, 300)],
    )
    assert lent(weekends) == {1: [(LORIENT, 300)], 2: [(LORIENT, 300)]}
    same_day = loans(
        [borrow(1, RIANTEC, 200, JUNE_21), borrow(2, QUEVEN, 100, JUNE_21)],
        [offer(10, LORIENT, 300)],
    )
    assert lent(same_day) == {1: [(LORIENT, 200)], 2: [(LORIENT, 100)]}


def test_overlapping_stretches_count_on_their_common_days() -> None:
    outcome = loans(
        [
            borrow(1, RIANTEC, 200, JUNE_21, JUNE_21 + dt.timedelta(days=3)),
            borrow(2, QUEVEN, 200, JUNE_21 + dt.timedelta(days=3), JUNE_21 + dt.timedelta(days=5)),
        ],
        [offer(10, LORIENT, 300)],
    )
    assert list(lent(outcome)) == [1]
    assert "pas assez de matériel disponible" in outcome.unmatched[2]


def test_as_many_as_possible_and_the_earlier_wins_a_tie() -> None:
    many = loans(
        [
            borrow(1, RIANTEC, 250, JUNE_21),
            borrow(2, QUEVEN, 150, JUNE_21),
            borrow(3, CAUDAN, 150, JUNE_21),
        ],
        [offer(10, LORIENT, 300)],
    )
    assert sorted(lent(many)) == [2, 3]
    tie = loans(
        [borrow(1, RIANTEC, 250, JUNE_21), borrow(2, QUEVEN, 100, JUNE_21)],
        [offer(10, LORIENT, 300)],
    )
    assert sorted(lent(tie)) == [1]


def test_several_lenders_cover_one_need_nearest_first() -> None:
    outcome = loans(
        [borrow(1, RIANTEC, 250, JUNE_21)],
        [offer(10, GROIX, 300), offer(11, LORIENT, 100), offer(12, LANESTER, 200)],
    )
    shares = lent(outcome)[1]
    # Lanester and Lorient are both nearer Riantec than Groix, across the water.
    assert {commune for commune, _ in shares} == {LORIENT, LANESTER}
    assert sum(q or 0 for _, q in shares) == 250
    assert "peuvent prêter ensemble 250 ganivelles à Riantec" in outcome.plans[0].sentence()


def test_offers_must_cover_the_dates_and_come_from_another_commune() -> None:
    outcome = loans(
        [borrow(1, RIANTEC, 10, JUNE_21), borrow(2, LORIENT, 10, JUNE_21)],
        [
            offer(10, LORIENT, 100, dt.date(2027, 7, 1), dt.date(2027, 9, 30)),
            offer(11, LORIENT, 100, dt.date(2027, 6, 1), dt.date(2027, 6, 30)),
        ],
    )
    assert lent(outcome) == {1: [(LORIENT, 10)]}
    assert outcome.unmatched[2] == "aucune autre commune ne prête cet article"


def test_a_lot_of_unknown_size_is_lent_whole_to_one_commune_at_a_time() -> None:
    outcome = loans(
        [borrow(1, RIANTEC, 50, JUNE_21), borrow(2, QUEVEN, 20, JUNE_21)],
        [offer(10, LORIENT, None)],
    )
    assert len(outcome.plans) == 1


def purchase(id: int, commune: str, item: str, quantity: int, deadline: dt.date) -> NeedView:
    family = "espaces-verts" if item != "papier" else "fournitures-bureau"
    return NeedView(id, "purchase", commune, item, item, family, quantity, None, None, deadline, id)


def test_group_orders_within_a_horizon_with_the_largest_share_carrying() -> None:
    outcome = Planning()
    needs = [
        purchase(1, CAUDAN, "tondeuse-autoportee", 1, dt.date(2027, 9, 30)),
        purchase(2, QUEVEN, "tondeuse-autoportee", 2, dt.date(2027, 8, 31)),
        purchase(3, LORIENT, "tondeuse-autoportee", 5, dt.date(2028, 9, 1)),
    ]
    plan_group_orders(needs, PLACES, {}, {}, dt.timedelta(days=183), outcome)
    assert len(outcome.plans) == 1
    plan = outcome.plans[0]
    assert (plan.quantity, plan.deadline) == (3, dt.date(2027, 8, 31))
    carrier = next(p.commune for p in plan.parts if p.role is ParticipantRole.CARRIER)
    assert carrier == QUEVEN
    assert outcome.unmatched[3].startswith("aucune autre commune")


def test_group_orders_by_family_when_items_differ() -> None:
    outcome = Planning()
    needs = [
        purchase(1, CAUDAN, "tondeuse-autoportee", 1, dt.date(2027, 9, 30)),
        purchase(2, QUEVEN, "debroussailleuse", 4, dt.date(2027, 8, 31)),
    ]
    plan_group_orders(
        needs, PLACES, {}, {"espaces-verts": "Espaces verts"}, dt.timedelta(days=183), outcome
    )
    assert [(p.item, p.family) for p in outcome.plans] == [(None, "espaces-verts")]


def test_joint_purchase_when_three_communes_ask_what_nobody_lends() -> None:
    def asks(id: int, commune: str, day: dt.date) -> NeedView:
        return NeedView(
            id, "borrow", commune, "chapiteau", "chapiteau", "structures", 1, day, day, None, id
        )

    needs = [
        asks(1, CAUDAN, dt.date(2027, 7, 14)),
        asks(2, QUEVEN, dt.date(2027, 8, 1)),
        asks(3, GROIX, dt.date(2027, 8, 15)),
    ]
    outcome = Planning()
    plan_joint_purchases(needs, set(), PLACES, LABELS, 3, dt.timedelta(days=365), outcome)
    assert len(outcome.plans) == 1 and "3 communes demandent" in outcome.plans[0].sentence()
    for lenders, minimum in (({"chapiteau"}, 3), (set(), 4)):
        outcome = Planning()
        plan_joint_purchases(
            needs, lenders, PLACES, LABELS, minimum, dt.timedelta(days=365), outcome
        )
        assert outcome.plans == []


def test_a_volunteer_carries_the_group_order() -> None:
    outcome = Planning()
    needs = [
        purchase(1, CAUDAN, "tondeuse-autoportee", 5, dt.date(2027, 9, 30)),
        NeedView(2, "purchase", QUEVEN, "tondeuse-autoportee", "t", "espaces-verts", 1, None,
                 None, dt.date(2027, 8, 31), 2, volunteer=True),
    ]  # fmt: skip
    plan_group_orders(needs, PLACES, {}, {}, dt.timedelta(days=183), outcome)
    (plan,) = outcome.plans
    assert next(p.commune for p in plan.parts if p.role is ParticipantRole.CARRIER) == QUEVEN
    assert "qui s'est portée volontaire" in plan.sentence()
