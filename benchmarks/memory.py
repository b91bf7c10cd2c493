"""Benchmark: the memory of `mutualise run`, idle after its start, on a store holding many
needs, against the same service on an empty store (the reference, measured in this run).

Run: .venv/bin/python benchmarks/memory.py [--needs 100000]
The service runs as it is deployed (a process of its own: SMTP, scheduler, outbox), with
every job of the day due at start (`MUTUALISE_DIGEST_HOUR=0`), so the reminders and the
digest read the whole store. Its resident memory (VmRSS, and the peak VmHWM) is read from
/proc once it listens and has settled. A report, never a pass/fail.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import random
import signal
import smtplib
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert

from benchmarks.report import Row, fresh_store, write_rows

MUTUALISE = str(Path(sys.executable).with_name("mutualise"))
SETTLE = 4.0  # seconds after the service listens, for its start-up jobs to run


async def build(path: Path, needs: int) -> None:
    """A store with `needs` needs and a tenth as many offers, over the whole territory."""
    from storage.catalogue import load_catalogue
    from storage.database import create_engine
    from storage.models import Channel, Need, NeedKind, NeedStatus, Offer, OfferStatus
    from storage.territory import load_territory

    engine = create_engine(f"sqlite:///{path}")
    await fresh_store(engine)
    if needs:
        rng = random.Random(5)
        communes = [c.insee for c in load_territory().communes]
        items = load_catalogue().items
        now = dt.datetime(2027, 5, 1, tzinfo=dt.UTC)
        start = dt.date(2027, 6, 1)
        rows, offers = [], []
        for n in range(needs):
            item = rng.choice(items)
            day = start + dt.timedelta(days=rng.randrange(365))
            borrow = item.lendable
            rows.append(
                {
                    "commune_insee": rng.choice(communes), "item_id": item.id,
                    "item_label": item.label, "quantity": rng.randint(1, 200),
                    "kind": NeedKind.BORROW if borrow else NeedKind.PURCHASE,
                    "start": day if borrow else None, "end": day if borrow else None,
                    "deadline": None if borrow else day, "status": NeedStatus.OPEN,
                    "channel": Channel.EMAIL, "created_at": now, "updated_at": now,
                    "volunteer": False,
                }
            )  # fmt: skip
            if borrow and n % 10 == 0:
                offers.append(
                    {
                        "commune_insee": rng.choice(communes), "item_id": item.id,
                        "item_label": item.label, "quantity": rng.randint(10, 400),
                        "start": start, "end": start + dt.timedelta(days=365),
                        "status": OfferStatus.OPEN, "channel": Channel.EMAIL,
                        "created_at": now, "updated_at": now,
                    }
                )  # fmt: skip
        async with engine.begin() as connection:
            for chunk in range(0, len(rows), 20_000):
                await connection.execute(insert(Need), rows[chunk : chunk + 20_000])
            if offers:
                await connection.execute(insert(Offer), offers)
    await engine.dispose()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def memory(pid: int) -> tuple[int, int]:
    """(VmRSS, VmHWM) of a process, in kB."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            fields[name] = int(value.split()[0])
    return fields["VmRSS"], fields["VmHWM"]


def serve(path: Path, folder: Path) -> tuple[int, int]:
    """Start the service on the store, let it settle, read its memory, stop it."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("MUTUALISE_")}
    env.update(
        MUTUALISE_DB=f"sqlite:///{path}",
        MUTUALISE_SMTP_PORT=str(port),
        MUTUALISE_MAIL_ADDRESSES="besoins@agglo.example",
        MUTUALISE_SECRET="the secret of the benchmark territory",
        MUTUALISE_DIGEST_HOUR="0",
        MUTUALISE_LOG_FILE=str(folder / "mutualise.log"),
    )
    process = subprocess.Popen(
        [MUTUALISE, "run"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with smtplib.SMTP("127.0.0.1", port, timeout=5) as client:
                    client.noop()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("the service never listened") from None
                time.sleep(0.2)
        time.sleep(SETTLE)
        return memory(process.pid)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--needs", type=int, default=100_000)
    parser.add_argument("--rows", type=Path, help="write the figures here (benchmarks/all.py)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="mutualise-memory-") as name:
        folder = Path(name)
        empty, full = folder / "empty.db", folder / "full.db"
        asyncio.run(build(empty, 0))
        started = time.perf_counter()
        asyncio.run(build(full, args.needs))
        print(f"store of {args.needs:,} needs built in {time.perf_counter() - started:.1f} s")
        reference, reference_peak = serve(empty, folder)
        ours, peak = serve(full, folder)
    for label, rss, high in (
        ("empty store", reference, reference_peak),
        (f"{args.needs:,} needs", ours, peak),
    ):
        print(f"mutualise run, idle, {label}: {rss / 1024:.0f} MB (peak {high / 1024:.0f} MB)")
    write_rows(
        args.rows,
        [
            Row(
                "memory",
                f"mutualise run idle after its start-up jobs, {args.needs:,} needs",
                f"{ours / 1024:.0f} MB",
                f"the same on an empty store: {reference / 1024:.0f} MB",
                f"{reference / ours:.2f}",
                "under 400 MB with 100,000 needs (150 MB idle)",
            ),
            Row(
                "memory",
                f"its peak during start-up (jobs read the store), {args.needs:,} needs",
                f"{peak / 1024:.0f} MB",
                f"empty store: {reference_peak / 1024:.0f} MB",
                f"{reference_peak / peak:.2f}",
                "under 400 MB",
            ),
        ],
    )


if __name__ == "__main__":
    main()
