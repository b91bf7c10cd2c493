"""Benchmark: matching 10 k, 100 k and 1 M open needs and offers, and one new need.

Run: .venv/bin/python benchmarks/matching.py [--sizes 10000,100000,1000000]
Times the planning itself (loans, joint purchases, group orders) on values already in
memory, over the 25 communes of Lorient Agglomération and the bundled catalogue; loading
rows from the database is not counted. Prints each time and the growth ratio from one
size to the next (n log n would give about 11.5 from 100 k to 1 M): a report, never a
pass/fail.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from handlers.matching.groups import plan_group_orders, plan_joint_purchases
from handlers.matching.loans import Stock, plan_loans
from handlers.matching.plans import NeedView, OfferView, Outcome, Place, collector_paused
from storage.catalogue import load_catalogue
from storage.territory import load_territory

START = dt.date(2027, 1, 1)


def world(size: int, seed: int = 7) -> tuple[list[NeedView], list[OfferView]]:
    """`size` declarations: 60 % borrows, 20 % offers, 20 % purchases, over a year."""
    rng = random.Random(seed)
    catalogue = load_catalogue()
    lendable = [i for i in catalogue.items if i.lendable]
    consumable = [i for i in catalogue.items if not i.lendable]
    communes = [c.insee for c in load_territory().communes]
    needs, offers = [], []
    for n in range(size):
        commune = rng.choice(communes)
        roll = rng.random()
        if roll < 0.6:
            item = rng.choice(lendable)
            start = START + dt.timedelta(days=rng.randrange(365))
            end = start + dt.timedelta(days=rng.randrange(4))
            needs.append(
                NeedView(n, "borrow", commune, item.id, item.label, item.family,
                         rng.randint(1, 200), start, end, None, n)
            )  # fmt: skip
        elif roll < 0.8:
            item = rng.choice(lendable)
            first = START + dt.timedelta(days=rng.randrange(200))
            offers.append(
                OfferView(n, commune, item.id, rng.randint(1, 400), first,
                          first + dt.timedelta(days=rng.randrange(30, 200)))
            )  # fmt: skip
        else:
            item = rng.choice(consumable)
            deadline = START + dt.timedelta(days=rng.randrange(365))
            needs.append(
                NeedView(n, "purchase", commune, item.id, item.label, item.family,
                         rng.randint(1, 50), None, None, deadline, n)
            )  # fmt: skip
    return needs, offers


def plan(needs: list[NeedView], offers: list[OfferView], places: dict[str, Place]) -> Outcome:
    """The whole planning of one run of matching, as `match` runs it."""
    outcome = Outcome()
    borrows = [n for n in needs if n.kind == "borrow"]
    stocks = {o.id: Stock(o) for o in offers}
    lent = {o.item for o in offers if o.item}
    purchases = [n for n in needs if n.kind == "purchase"]
    with collector_paused():
        plan_loans(borrows, stocks, places, {}, set(), outcome)
        plan_joint_purchases(borrows, lent, places, {}, 3, dt.timedelta(days=365), outcome)
        plan_group_orders(purchases, places, {}, {}, dt.timedelta(days=183), outcome)
    return outcome


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10000,100000,1000000")
    sizes = [int(s) for s in parser.parse_args().sizes.split(",")]
    places = {
        c.insee: Place(c.name, c.population, c.latitude, c.longitude)
        for c in load_territory().communes
    }
    previous = None
    for size in sizes:
        needs, offers = world(size)
        started = time.perf_counter()
        outcome = plan(needs, offers, places)
        elapsed = time.perf_counter() - started
        growth = f", x{elapsed / previous:.1f} the previous size" if previous else ""
        print(
            f"full match of {size:>9,} needs and offers: {elapsed:7.2f} s "
            f"({len(outcome.plans):,} proposals){growth}"
        )
        previous = elapsed
        if size == 100_000:
            incremental(needs, offers, places)


def incremental(needs: list[NeedView], offers: list[OfferView], places: dict[str, Place]) -> None:
    """One new borrow need: matching runs on its item only, as a live message does."""
    item = next(n.item for n in needs if n.kind == "borrow")
    scoped_needs = [n for n in needs if n.item == item]
    scoped_offers = [o for o in offers if o.item == item]
    day = START + dt.timedelta(days=180)
    new = NeedView(
        10**9, "borrow", "56193", item, "nouveau", None, 10, day, day, None, 10**9
    )  # fmt: skip
    runs = []
    for _ in range(5):
        started = time.perf_counter()
        plan([*scoped_needs, new], scoped_offers, places)
        runs.append(time.perf_counter() - started)
    print(
        f"one new need into 100,000 (its item: {len(scoped_needs)} needs, "
        f"{len(scoped_offers)} offers): {min(runs) * 1000:.1f} ms"
    )


if __name__ == "__main__":
    main()
