"""Demand peaks against a territory checked by hand, read from a real store."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers.digests import DigestConfig, matching_digest
from handlers.digests.peaks import Peak, peaks, shortfalls
from storage import views
from storage.models import Channel, Need, NeedKind, NeedStatus, Offer, OfferStatus
from tests.test_digests import summary

D = dt.date
PARIS = ZoneInfo("Europe/Paris")

# What the territory lends (ganivelles):
#   Lorient   200, 1 June to 30 September 2026
#   Lanester  100, whenever asked (no dates)
#   Quéven    500, withdrawn: not counted
# so 300 lendable from 1 June to 30 September 2026, 100 on any other day.
OFFERS = [
    ("56121", "ganivelle", 200, D(2026, 6, 1), D(2026, 9, 30), OfferStatus.OPEN),
    ("56098", "ganivelle", 100, None, None, OfferStatus.OPEN),
    ("56185", "ganivelle", 500, None, None, OfferStatus.WITHDRAWN),
]
# What is asked:
#   ganivelles   Riantec   500, 13-15 July 2026, open
#                Caudan    300, 14 July 2026, matched        -> 13 July 500, 14 July 800,
#                                                               15 July 500, against 300
#                Larmor    150, 20 August 2026, cancelled    -> not counted
#                Hennebont  50, 20 August 2026, open         -> 50 against 300: no peak
#                Ploemeur  250, 14 July 2027, open           -> 250 against 100
#   barrières    Gâvres     60, 1-3 May 2026, nobody lends   -> one run of three days, 60 to 0
#   Vauban
#   chapiteau    Groix, no date                              -> not counted
NEEDS = [
    ("56193", "ganivelle", 500, D(2026, 7, 13), D(2026, 7, 15), NeedStatus.OPEN),
    ("56036", "ganivelle", 300, D(2026, 7, 14), D(2026, 7, 14), NeedStatus.MATCHED),
    ("56107", "ganivelle", 150, D(2026, 8, 20), None, NeedStatus.CANCELLED),
    ("56083", "ganivelle", 50, D(2026, 8, 20), None, NeedStatus.OPEN),
    ("56162", "ganivelle", 250, D(2027, 7, 14), None, NeedStatus.OPEN),
    ("56062", "barriere-vauban", 60, D(2026, 5, 1), D(2026, 5, 3), NeedStatus.OPEN),
    ("56069", "chapiteau", 1, None, None, NeedStatus.OPEN),
]


async def territory(
    sessions: async_sessionmaker[AsyncSession],
) -> tuple[list[views.NeedRow], list[views.OfferRow], dict[str, views.Item]]:
    async with sessions.begin() as session:
        for insee, item, quantity, start, end, status in OFFERS:
            session.add(Offer(commune_insee=insee, item_id=item, item_label=item,
                              quantity=quantity, start=start, end=end, status=status,
                              channel=Channel.CLI))  # fmt: skip
        for insee, item, quantity, start, end, need_status in NEEDS:
            session.add(Need(commune_insee=insee, kind=NeedKind.BORROW, item_id=item,
                             item_label=item, quantity=quantity, start=start, end=end,
                             status=need_status, channel=Channel.CLI))  # fmt: skip
    async with sessions() as session:
        (scope,) = await views.territories(session)
        items = await views.catalogue(session)
        needs = await views.needs(session, scope, items, statuses=views.LIVE_NEEDS)
        return needs, await views.offers(session, scope), items


def figures(found: list[Peak]) -> list[tuple[str, D, D, int, int]]:
    return [(p.item_id, p.first, p.last, p.asked, p.lendable) for p in found]


async def test_peaks_of_a_territory_checked_by_hand(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    needs, offers, items = await territory(sessions)
    found = peaks(needs, offers, items)
    assert figures(found) == [
        ("barriere-vauban", D(2026, 5, 1), D(2026, 5, 3), 60, 0),
        ("ganivelle", D(2026, 7, 13), D(2026, 7, 13), 500, 300),
        ("ganivelle", D(2026, 7, 14), D(2026, 7, 14), 800, 300),
        ("ganivelle", D(2026, 7, 15), D(2026, 7, 15), 500, 300),
        ("ganivelle", D(2027, 7, 14), D(2027, 7, 14), 250, 100),
    ]
    assert found[0].days == "du 1er au 3 mai 2026" and found[2].shortfall == 500
    # A window cuts the runs at its bounds.
    window = peaks(needs, offers, items, D(2026, 5, 2), D(2026, 7, 14))
    assert figures(window) == [
        ("barriere-vauban", D(2026, 5, 2), D(2026, 5, 3), 60, 0),
        ("ganivelle", D(2026, 7, 13), D(2026, 7, 13), 500, 300),
        ("ganivelle", D(2026, 7, 14), D(2026, 7, 14), 800, 300),
    ]
    # Ganivelles are short in 2026 and again in 2027; barrières in 2026 only.
    (again,) = shortfalls(found)
    assert again.item_id == "ganivelle"
    assert again.figures == (
        "le 14 juillet 2026 : il en faut 800 pour 300 prêtables ; "
        "le 14 juillet 2027 : il en faut 250 pour 100 prêtables"
    )


def test_a_long_need_is_two_changes_not_a_day_each() -> None:
    """A need over a whole year against an offer of the same size leaves no peak, and a
    thousand overlapping needs are swept at once."""
    item = views.Item("ganivelle", "ganivelles", "f", "F", None)
    need = views.NeedRow(1, "56121", "Lorient", NeedKind.BORROW, "ganivelle", "ganivelle",
                         "ganivelles", "F", 10, None, D(2026, 1, 1), D(2026, 12, 31), None,
                         NeedStatus.OPEN, D(2025, 12, 1))  # fmt: skip
    offer = views.OfferRow(1, "56098", "ganivelle", 10, None, None)
    assert peaks([need], [offer], {"ganivelle": item}) == []
    many = [need] * 1000
    (peak,) = peaks(many, [offer], {"ganivelle": item})
    assert (peak.first, peak.last, peak.asked, peak.lendable) == (
        D(2026, 1, 1), D(2026, 12, 31), 10_000, 10,
    )  # fmt: skip


async def test_the_digests_list_the_peaks_and_the_shortage_that_comes_back(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await territory(sessions)
    now = dt.datetime(2026, 7, 1, 8, tzinfo=PARIS)
    semester = await summary(sessions, now)
    async with sessions() as session:
        (scope,) = await views.territories(session)
        catalogue = await views.catalogue(session)
        digest = await matching_digest(session, scope, catalogue, now, None, None, DigestConfig())
    for text in (semester.text, digest.text):
        # May's barrières are past; 2027 is beyond the six months ahead.
        assert "== Pics de demande, six mois (3) ==" in text
        assert (
            "- ganivelle, le 14 juillet 2026 : 800 demandés, 300 prêtables, il en manque 500"
            in text
        )
        assert "barrière" not in text.split("Pics de demande")[1]
    assert '<td>le 14 juillet 2026</td><td class="n">800</td>' in digest.html
    assert digest.news and "Pic de demande : ganivelle, le 13 juillet 2026" in digest.brief
    # The shortage of 2026 comes back in 2027: a joint purchase to consider, with its figures.
    assert (
        "- ganivelles : le 14 juillet 2026 : il en faut 800 pour 300 prêtables ; "
        "le 14 juillet 2027 : il en faut 250 pour 100 prêtables." in semester.text
    )
    assert "<li>ganivelles : le 14 juillet 2026 : il en faut 800" in semester.html


async def test_a_shortage_that_comes_back_each_year_is_bought_together(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    """Lorient lends 300 ganivelles, always. On 14 July 2026, Riantec asks 250, Quéven 200,
    Hennebont 300 (750 for 300); on 14 July 2027 Caudan asks 250, Gâvres 200, Groix 100 (550
    for 300). Serving the smallest first serves three (Groix, Quéven, Gâvres) where arrival
    order serves two: Riantec, Hennebont and Caudan are left short, two years running."""
    from handlers.matching import MatchingConfig, match
    from storage.models import Channel, Need, NeedKind, Offer, Proposal, ProposalKind

    at = dt.datetime(2026, 5, 1, tzinfo=dt.UTC)
    common = {"channel": Channel.EMAIL, "created_at": at, "updated_at": at,
              "item_id": "ganivelle", "item_label": "ganivelle"}  # fmt: skip
    asks = [("56193", 250, 2026), ("56185", 200, 2026), ("56083", 300, 2026),
            ("56036", 250, 2027), ("56062", 200, 2027), ("56069", 100, 2027)]  # fmt: skip
    async with sessions.begin() as session:
        session.add(Offer(commune_insee="56121", quantity=300, **common))
        for insee, quantity, year in asks:
            day = dt.date(year, 7, 14)
            session.add(
                Need(
                    commune_insee=insee,
                    kind=NeedKind.BORROW,
                    quantity=quantity,
                    start=day,
                    end=day,
                    **common,
                )
            )
        await session.flush()
        await match(session, MatchingConfig())
    async with sessions() as session:
        joint = (
            await session.scalars(
                select(Proposal).where(Proposal.kind == ProposalKind.JOINT_PURCHASE)
            )
        ).all()
        assert len(joint) == 1
        await session.refresh(joint[0], ["participants"])
        communes = {p.commune_insee for p in joint[0].participants}
    assert communes == {"56193", "56083", "56036"}
    assert joint[0].reason == (
        "3 communes manquent de ganivelles les mêmes jours, d'une année sur l'autre "
        "(le 14 juillet 2026 : il en faut 750 pour 300 prêtables ; le 14 juillet 2027 : "
        "il en faut 550 pour 300 prêtables) : en acheter ensemble."
    )
