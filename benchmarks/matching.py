"""Benchmark: matching 10 k, 100 k and 1 M open needs and offers, and one new need.

Run: .venv/bin/python benchmarks/matching.py [--sizes 10000,100000,1000000] [--rows FILE]
Times the planning itself (loans, joint purchases, group orders) on values already in
memory, over the 25 communes of Lorient Agglomération and the bundled catalogue; loading
rows from the database is not counted. Prints each time and the growth ratio from one
size to the next (n log n would give about 11.5 from 100 k to 1 M), and a reference
measured in the same run: the same needs and offers sorted by item and date with
`sorted()`, the least any planning must do. A report, never a pass/fail.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.report import Row, write_rows
from handlers.matching.groups import plan_group_orders, plan_joint_purchases
from handlers.matching.loans import Stock, plan_loans
from handlers.matching.plans import NeedView, OfferView, Place, Planning, collector_paused
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


def plan(needs: list[NeedView], offers: list[OfferView], places: dict[str, Place]) -> Planning:
    """The whole planning of one run of matching, as `match` runs it."""
    outcome = Planning()
    borrows = [n for n in needs if n.kind == "borrow"]
    stocks = {o.id: Stock(o) for o in offers}
    lent = {o.item for o in offers if o.item}
    purchases = [n for n in needs if n.kind == "purchase"]
    with collector_paused():
        plan_loans(borrows, stocks, places, {}, set(), outcome)
        plan_joint_purchases(borrows, lent, places, {}, 3, dt.timedelta(days=365), outcome)
        plan_group_orders(purchases, places, {}, {}, dt.timedelta(days=183), outcome)
    return outcome


def reference(needs: list[NeedView], offers: list[OfferView]) -> float:
    """Seconds to sort the needs and offers by item and date: the floor of any planning."""
    started = time.perf_counter()
    sorted(needs, key=lambda n: (n.item, n.start or n.deadline or START))
    sorted(offers, key=lambda o: (o.item, o.start))
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--rows", type=Path, help="append the figures here (JSON lines)")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    rows = []
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
        floor = reference(needs, offers)
        growth = f", x{elapsed / previous:.1f} the previous size" if previous else ""
        print(
            f"full match of {size:>9,} needs and offers: {elapsed:7.2f} s "
            f"({len(outcome.plans):,} proposals){growth}; sorting them: {floor:.3f} s"
        )
        rows.append(
            Row("matching", f"full match of {size:,} needs and offers (in memory)",
                f"{elapsed:.2f} s", f"sorted() by item and date: {floor:.3f} s",
                f"{floor / elapsed:.3f}", "100,000 in under 2 s" if size == 100_000 else "")
        )  # fmt: skip
        previous = elapsed
        if size == 100_000:
            rows.append(incremental(needs, offers, places))
    write_rows(args.rows, rows)


def incremental(needs: list[NeedView], offers: list[OfferView], places: dict[str, Place]) -> Row:
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
    floor = reference([*scoped_needs, new], scoped_offers)
    print(
        f"one new need into 100,000 (its item: {len(scoped_needs)} needs, "
        f"{len(scoped_offers)} offers): {min(runs) * 1000:.1f} ms"
    )
    return Row(
        "matching", "one new need into 100,000 (matched on its item)",
        f"{min(runs) * 1000:.1f} ms", f"sorted() of its item's rows: {floor * 1000:.2f} ms",
        f"{floor / min(runs):.3f}", "under 10 ms",
    )  # fmt: skip


if __name__ == "__main__":
    main()
