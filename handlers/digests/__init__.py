"""The digests coordinators receive: the matching digest (working days) and the semester
summary (1 January, 1 July), each for one territory, rendered in HTML and text, with the
summary's charts (PNG pictures its HTML shows by `cid:`), workbook and calendar, and the
brief a chat shows."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import AsyncIterator, Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.costs import price_book
from handlers.digests import matching, semester
from handlers.digests.calendar import calendar, store_tag
from handlers.digests.charts import indicator_charts
from handlers.digests.peaks import describe
from handlers.digests.render import brief, count, render
from handlers.digests.workbook import SHEETS, workbook
from handlers.files import write_file
from handlers.notices import Notice
from handlers.wording import day, listing
from storage import views
from storage.runs import detail_of, last_run
from storage.views import Item, Scope


class DigestKind(enum.StrEnum):
    MATCHING = "matching"
    SEMESTER = "semester"


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ICS = "text/calendar"
PNG = "image/png"


@dataclass(frozen=True)
class DigestConfig:
    """How digests are made: the edited templates, if any, and the savings assumption."""

    templates: Path | None = None
    group_saving_rate: float = 0.10
    domain: str = "mutualise"
    anticipation_weeks: int = 8

    @property
    def price_folders(self) -> list[Path]:
        """Where a territory keeps its own prices: beside its edited templates, if any."""
        return [self.templates] if self.templates else []


@dataclass
class Rendered:
    """One territory's digest, ready to write into a folder or to send."""

    kind: DigestKind
    scope: Scope
    subject: str
    text: str
    html: str
    brief: str  # what a chat shows: a few lines, the rest in the files
    # Attachments: file name -> (content type, bytes).
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    # Pictures the HTML shows, as `<img src="cid:NAME">`: file name -> PNG bytes.
    images: dict[str, bytes] = field(default_factory=dict)
    # Whether there is anything to tell (a matching digest with nothing new is not sent).
    news: bool = True
    # What it showed, kept with the run so that the next digest tells only what is new.
    seen: dict[str, Any] | None = None

    @property
    def notice(self) -> Notice:
        """The digest as a notice to its coordinators: its pictures go as files, that a mail
        shows where its HTML names them."""
        files = tuple((name, kind, data) for name, (kind, data) in self.files.items())
        images = tuple((name, PNG, data) for name, data in self.images.items())
        return Notice(self.subject, self.text, (), self.html, self.brief, files + images)

    def write(self, folder: Path) -> list[Path]:
        """Write `digest.html`, `digest.txt`, the attachments and the pictures into `folder`;
        the HTML written there shows the pictures beside it (a browser knows no `cid:`)."""
        folder.mkdir(parents=True, exist_ok=True)
        html = self.html
        for name in self.images:
            html = html.replace(f'src="cid:{name}"', f'src="{name}"')
        written = []
        for name, content in (
            ("digest.html", html.encode()),
            ("digest.txt", self.text.encode()),
            *((name, data) for name, (_, data) in self.files.items()),
            *self.images.items(),
        ):
            path = folder / name
            write_file(path, content)
            written.append(path)
        return written


async def matching_digest(
    session: AsyncSession,
    scope: Scope,
    items: dict[str, Item],
    now: dt.datetime,
    since: dt.datetime | None,
    previous: dict[str, Any] | None,
    config: DigestConfig,
) -> Rendered:
    """The matching digest of one territory as of `now`, telling what is new since `since`."""
    digest = await matching.build(session, scope, items, now, since)
    context = {
        "scope": scope,
        "today": digest.today,
        "since": since,
        "since_day": since.astimezone(now.tzinfo).date() if since else None,
        "new": digest.new,
        "waiting": digest.waiting,
        "soon": digest.soon,
        "peaks": digest.peaks,
    }
    lines = [f"N° {p.id}, {p.kind_label} : {p.reason}" for p in digest.new]
    lines += [f"N° {p.id} sans réponse de {listing(p.awaiting)}" for p in digest.waiting]
    lines += [
        f"{n.commune} : {n.what} pour le {day(n.due)}, rien trouvé"
        for n in digest.soon
        if n.due is not None
    ]
    lines += [f"Pic de demande : {describe(p)}" for p in digest.peaks]
    title = f"Rapprochements du {day(digest.today)} — {scope.name}"
    return Rendered(
        kind=DigestKind.MATCHING,
        scope=scope,
        subject=title,
        text=render("digest_matching.txt.j2", context, config.templates),
        html=render("digest_matching.html.j2", context, config.templates),
        brief=brief(
            lines,
            f"{count(len(digest.new), 'nouvelle proposition', 'nouvelles propositions')}, "
            f"{len(digest.waiting)} en attente, "
            f"{count(len(digest.soon), 'besoin', 'besoins')} sans solution à moins de 30 jours, "
            f"{count(len(digest.peaks), 'pic', 'pics')} de demande.",
        ),
        news=digest.has_news(previous),
        seen=digest.seen(),
    )


async def semester_summary(
    session: AsyncSession,
    scope: Scope,
    items: dict[str, Item],
    now: dt.datetime,
    config: DigestConfig,
) -> Rendered:
    """The semester summary of one territory as of `now`, with its workbook and calendar."""
    catalogue = {item_id: item.price for item_id, item in items.items()}
    prices = price_book(scope.epci, catalogue, config.price_folders)
    summary = await semester.build(session, scope, items, now, config.group_saving_rate, prices)
    # Each chart of the indicators with its picture (None: nothing to draw).
    from handlers.digests.pictures import picture  # Pillow loads for the summary only

    charts = [(c, None if c.empty else picture(c)) for c in indicator_charts(summary)]
    context = {
        "scope": scope,
        "today": summary.today,
        "first": summary.first,
        "last": summary.last,
        "families": summary.families,
        "open_needs": summary.open_needs,
        "group_orders": summary.group_orders,
        "joint_purchases": summary.joint_purchases,
        "loans_done": summary.loans_done,
        "loans_coming": summary.loans_coming,
        "loans_pending": summary.loans_pending,
        "loans_lapsed": summary.loans_lapsed,
        "loan_groups": [
            ("Réalisés", summary.loans_done),
            ("À venir", summary.loans_coming),
            ("En attente de réponse", summary.loans_pending),
            # Shown when there are some: a loan nobody answered before its day.
            *(
                [("Restés sans réponse, dates passées", summary.loans_lapsed)]
                if summary.loans_lapsed
                else []
            ),
        ],
        "events": summary.events,
        "indicators": summary.indicators,
        "total": summary.total,
        "silent": summary.silent,
        "peaks": summary.peaks,
        "shortfalls": summary.shortfalls,
        "group_rate": config.group_saving_rate,
        "prices": summary.prices,
        "sources": summary.sources,
        "sheets": SHEETS,
        "charts": charts,
    }
    # Said in both the text and the HTML, escaped there: a territory names its own sources.
    context["savings"] = render("digest_savings.txt.j2", context, config.templates).strip()
    loans = [*summary.loans_done, *summary.loans_coming, *summary.loans_pending]
    ics = calendar(
        scope.name, summary.events, loans, now, config.domain, store_tag(session, scope.epci)
    )
    total = summary.total
    title = f"État des lieux semestriel des besoins au {day(summary.today)} — {scope.name}"
    lines = [
        f"{count(summary.open_needs, 'besoin ouvert', 'besoins ouverts')}, "
        f"{count(total.needs, 'déclaré', 'déclarés')} ce semestre",
        f"{count(len(summary.group_orders), 'groupement', 'groupements')} de commandes à lancer",
        count(len(summary.joint_purchases), "achat en commun suggéré", "achats en commun suggérés"),
        f"{count(len(summary.loans_done), 'prêt réalisé', 'prêts réalisés')}, "
        f"{len(summary.loans_coming)} à venir",
        f"{count(len(summary.events), 'manifestation', 'manifestations')} dans les six mois",
        f"{count(len(summary.peaks), 'pic', 'pics')} de demande au-delà de ce qui se prête",
    ]
    if summary.silent:
        lines.append(f"sans déclaration ce semestre : {listing(summary.silent)}")
    html = render("digest_semester.html.j2", context, config.templates)
    return Rendered(
        kind=DigestKind.SEMESTER,
        scope=scope,
        subject=title,
        text=render("digest_semester.txt.j2", context, config.templates),
        html=html,
        brief=brief(lines, "Le détail est dans les fichiers joints."),
        files={
            "besoins.xlsx": (XLSX, workbook(summary)),
            "calendrier.ics": (ICS, ics),
        },
        # Only what the HTML shows: a territory's edited template may show none.
        images={
            p.name: p.png for _, p in charts if p is not None and f'src="cid:{p.name}"' in html
        },
    )


async def next_matching_digest(
    session: AsyncSession,
    scope: Scope,
    items: dict[str, Item],
    now: dt.datetime,
    config: DigestConfig,
) -> Rendered:
    """The matching digest that would go out at `now`: what is new since the last one the
    schedule recorded for the territory (everything, before the first)."""
    previous = await last_run(session, DigestKind.MATCHING.value, f"{scope.epci}/", now)
    since = previous.started_at if previous else None
    seen = (detail_of(previous) or {}).get("seen")
    return await matching_digest(session, scope, items, now, since, seen, config)


async def each_territory(
    session: AsyncSession,
    kind: DigestKind,
    now: dt.datetime,
    config: DigestConfig,
    only: Collection[str] | None = None,
) -> AsyncIterator[Rendered]:
    """Each territory's digest in turn (of some EPCIs only, if given), recording nothing."""
    items = await views.catalogue(session)
    for scope in await views.territories(session):
        if only is not None and scope.epci not in only:
            continue
        if kind is DigestKind.SEMESTER:
            yield await semester_summary(session, scope, items, now, config)
        else:
            yield await next_matching_digest(session, scope, items, now, config)
