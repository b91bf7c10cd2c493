"""Loan agreements (conventions de prêt): the document that formalises a confirmed loan.

Two templates a coordinator can edit: `convention.docx` (Word, rendered by docxtpl; built
by `handlers/agreement_template.py`) and `convention.html.j2`; a copy in `MUTUALISE_TEMPLATES`
takes precedence over the bundled one. The clauses' wording is in `agreement_clauses.py`.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy.ext.asyncio import AsyncSession

from handlers import agreement_clauses as clauses
from handlers.clock import DEFAULT_ZONE
from handlers.costs import euros
from handlers.holidays import Region, region_of_territory, working_day
from handlers.wording import day, listing, stretch
from storage.errors import MutualiseError
from storage.labels import PROPOSAL_STATUSES, ROLES
from storage.members import commune_names, representative
from storage.models import (
    Answer,
    CatalogueItem,
    Event,
    InboundMessage,
    Need,
    ParticipantRole,
    Proposal,
    ProposalKind,
    ProposalStatus,
)
from storage.proposals import proposal as find_proposal
from storage.reference import installed_territory


class AgreementError(MutualiseError):
    """No agreement can be written for that proposal."""


# What a loan may cost, each in euros: a flat fee, per day of use, per unit and per day of
# use, and the lender's delivery and collection.
FEE_KINDS = ("forfait", "jour", "unite", "transport")


def fee_schedule(fee: str) -> dict[str, Decimal]:
    """ "gratuit" → {}; "jour:15,transport:40" → {"jour": 15, "transport": 40}."""
    schedule: dict[str, Decimal] = {}
    # Terms are separated by commas, and a French decimal comma ("unite:0,5") is kept.
    for part in filter(None, (p.strip() for p in re.split(r",(?=\s*[^\d\s])", fee))):
        if part == "gratuit":
            continue
        kind, _, value = part.partition(":")
        try:
            price = Decimal(value.strip().replace(",", "."))
        except InvalidOperation:
            price = Decimal(-1)
        if kind.strip() not in FEE_KINDS or not price.is_finite() or price < 0:
            msg = (
                f"Coût de prêt illisible : « {part} » (MUTUALISE_LOAN_FEE). Écrivez « gratuit » "
                "ou des termes comme « forfait:50 », « jour:15 », « unite:0.5 », « transport:40 »."
            )
            raise AgreementError(msg)
        schedule[kind.strip()] = price
    return schedule


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


@dataclass(frozen=True)
class LoanTerms:
    """The territory's usual terms: fee ("gratuit", "jour:15,transport:40"), deposit, court."""

    fee: str = "gratuit"
    deposit: Decimal = Decimal(0)
    court: str = "tribunal administratif de Rennes"

    def charges(self, quantity: int | None, days: int) -> list[tuple[str, Decimal]]:
        """What one lender charges for its part, line by line: (basis in words, amount)."""
        schedule, units = fee_schedule(self.fee), quantity or 1
        lines: list[tuple[str, Decimal]] = []
        if "forfait" in schedule:
            lines.append(("forfait de mise à disposition", schedule["forfait"]))
        if "jour" in schedule:
            per_day = schedule["jour"]
            basis = f"{euros(per_day)} par jour d'utilisation × {_plural(days, 'jour')}"
            lines.append((basis, per_day * days))
        if "unite" in schedule:
            each = schedule["unite"]
            basis = (
                f"{euros(each)} par unité et par jour × {_plural(units, 'unité')} × "
                f"{_plural(days, 'jour')}"
            )
            lines.append((basis, each * units * days))
        if "transport" in schedule:
            lines.append(("livraison et reprise par le prêteur", schedule["transport"]))
        return lines

    def delivers(self) -> bool:
        """Whether the lender carries the equipment (a transport price is set)."""
        return "transport" in fee_schedule(self.fee)

    def deposit_text(self) -> str:
        """The deposit clause."""
        if self.deposit > 0:
            return clauses.DEPOSIT.format(amount=euros(self.deposit))
        return clauses.NO_DEPOSIT


def handover_days(start: dt.date, end: dt.date, region: Region) -> tuple[dt.date, dt.date]:
    """The working day before the loan, when it is collected, and the one after, when it is
    returned: technical services are closed at weekends and on public holidays."""
    pickup = start - dt.timedelta(days=1)
    while not working_day(pickup, region):
        pickup -= dt.timedelta(days=1)
    back = end + dt.timedelta(days=1)
    while not working_day(back, region):
        back += dt.timedelta(days=1)
    return pickup, back


_WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
_COUNTS = {2: "deux", 3: "trois", 4: "quatre", 5: "cinq", 6: "six"}


def weekday(value: dt.date) -> str:
    """ "vendredi 18 juin 2027"."""
    return f"{_WEEKDAYS[value.weekday()]} {day(value)}"


def _folders(override: Path | None) -> list[str]:
    bundled = str(resources.files("handlers").joinpath("templates"))
    return [str(override), bundled] if override else [bundled]


def _template_file(name: str, override: Path | None) -> Path:
    for folder in _folders(override):
        candidate = Path(folder) / name
        if candidate.exists():
            return candidate
    msg = f"Modèle introuvable : {name}."
    raise AgreementError(msg)


async def _contact(session: AsyncSession, insee: str) -> str:
    """Who follows the loan for a commune: not a signatory, the mayor signs."""
    member = await representative(session, insee)
    return f"{member.name} ({ROLES[member.role]})" if member and member.name else ""


async def _confirmed_loan(session: AsyncSession, proposal_id: int) -> Proposal:
    proposal = await find_proposal(session, proposal_id)
    if proposal.kind is not ProposalKind.LOAN:
        msg = f"La proposition n° {proposal_id} n'est pas un prêt : pas de convention de prêt."
        raise AgreementError(msg)
    if proposal.status in (ProposalStatus.REFUSED, ProposalStatus.CANCELLED):
        status = PROPOSAL_STATUSES[proposal.status]
        msg = f"La proposition n° {proposal_id} est {status} : pas de convention à établir."
        raise AgreementError(msg)
    if proposal.status is not ProposalStatus.ACCEPTED:
        names = await commune_names(session)
        waiting = [
            names.get(p.commune_insee, p.commune_insee)
            for p in proposal.participants
            if p.answer is not Answer.ACCEPTED
        ]
        status = PROPOSAL_STATUSES[proposal.status]
        msg = (
            f"La proposition n° {proposal_id} n'est pas confirmée ({status}) : "
            "la convention s'établit quand toutes les communes ont accepté "
            f"(en attente : {listing(waiting) or 'aucune'})."
        )
        raise AgreementError(msg)
    return proposal


def agreed_on(proposal: Proposal, zone: ZoneInfo, fallback: dt.date) -> dt.date:
    """The agreement's date: the day the last commune accepted the loan."""
    answers = [p.answered_at for p in proposal.participants if p.answered_at is not None]
    return max(answers).astimezone(zone).date() if answers else fallback


async def _event(session: AsyncSession, proposal: Proposal) -> str:
    """The event the borrower asked the equipment for, if its need named one."""
    for participant in proposal.participants:
        if participant.role is ParticipantRole.BORROWER and participant.need_id:
            need = await session.get(Need, participant.need_id)
            if need is not None and need.event_id is not None:
                event = await session.get(Event, need.event_id)
                if event is not None and event.name.strip():
                    return await _as_written(session, event)
    return ""


async def _as_written(session: AsyncSession, event: Event) -> str:
    """The event's name spelt as its message wrote it ("marché de Noël"), capitalised."""
    name = event.name.strip()
    message = await session.get(InboundMessage, event.message_id) if event.message_id else None
    found = re.search(re.escape(name), message.text or "", re.IGNORECASE) if message else None
    name = found.group(0) if found else name
    return name[0].upper() + name[1:]


async def agreement(
    session: AsyncSession,
    proposal_id: int,
    terms: LoanTerms,
    today: dt.date,
    zone: ZoneInfo = DEFAULT_ZONE,
) -> dict[str, Any]:
    """Everything the templates need for the agreement of one confirmed loan."""
    proposal = await _confirmed_loan(session, proposal_id)
    names = await commune_names(session)
    borrower = next(p for p in proposal.participants if p.role is ParticipantRole.BORROWER)
    lenders = [p for p in proposal.participants if p.role is ParticipantRole.LENDER]
    start = proposal.start or today
    end = proposal.end or start
    region = region_of_territory(p.commune_insee for p in proposal.participants)
    pickup, back = handover_days(start, end, region)
    dated = agreed_on(proposal, zone, today)
    parties = [await _party(session, names, p.commune_insee) for p in lenders]
    borrower_party = await _party(session, names, borrower.commune_insee)
    signatories = [*parties, borrower_party]
    event = await _event(session, proposal)
    item = await session.get(CatalogueItem, proposal.item_id) if proposal.item_id else None
    lent = [(names.get(p.commune_insee, ""), p.quantity) for p in lenders]
    territory = await installed_territory(session)
    delivered = terms.delivers()
    return {
        "number": f"{dated.year}-{proposal.id:05d}",
        "territory": territory.name if territory else "",
        "dated": day(dated),
        "lenders": parties,
        "borrower": borrower_party,
        "object": clauses.object_clause(
            [p["name"] for p in parties], borrower_party["name"], event, stretch(start, end)
        ),
        "event": event,
        "lines": [_line(item, proposal.item_id, quantity, name) for name, quantity in lent],
        "period": stretch(start, end),
        "pickup": weekday(pickup),
        "return_day": weekday(back),
        "handover": clauses.HANDOVER_BY_LENDER if delivered else clauses.HANDOVER_AT_LENDER,
        **_costs(terms, lent, (end - start).days + 1),
        "deposit": terms.deposit_text(),
        "transport": clauses.TRANSPORT_BY_LENDER if delivered else clauses.TRANSPORT_BY_BORROWER,
        "inventory": clauses.INVENTORY,
        "insurance": clauses.INSURANCE,
        "damage": clauses.DAMAGE,
        "court": terms.court,
        "copies": _COUNTS.get(len(signatories), str(len(signatories))),
        "signatories": signatories,
        "signature_rows": [signatories[i : i + 2] for i in range(0, len(signatories), 2)],
        "blank": clauses.BLANK,
        "short": clauses.SHORT,
    }


async def _party(session: AsyncSession, names: dict[str, str], insee: str) -> dict[str, str]:
    """A commune as the agreement names it: represented and signed for by its mayor."""
    return {
        "name": names.get(insee, insee),
        "insee": insee,
        "represented": clauses.REPRESENTED,
        "signatory": clauses.SIGNATORY,
        "contact": await _contact(session, insee),
    }


def _costs(terms: LoanTerms, lent: list[tuple[str, int | None]], days: int) -> dict[str, Any]:
    """Article 3: free, or each lender's charges line by line and their total."""
    charged = [(name, *line) for name, quantity in lent for line in terms.charges(quantity, days)]
    total = sum((value for *_, value in charged), Decimal(0))
    return {
        "free": not charged,
        "cost": clauses.PAID if charged else clauses.FREE,
        "costs": [
            {"lender": name, "basis": basis, "amount": euros(value)}
            for name, basis, value in charged
        ],
        "total": euros(total),
        "days": _plural(days, "jour"),
    }


def _line(
    item: CatalogueItem | None, item_id: str | None, quantity: int | None, lender: str
) -> dict[str, str]:
    """One row of the equipment table, its replacement value when the catalogue knows it."""
    label = (item.label if quantity == 1 else item.plural) if item else item_id or "matériel"
    value = clauses.BLANK_AMOUNT
    if item is not None and item.price and quantity:
        unit_price = Decimal(str(item.price))
        value = f"{euros(unit_price * quantity)} ({euros(unit_price)} l'unité)"
    return {
        "item": label,
        "quantity": str(quantity) if quantity else clauses.BLANK,
        "lender": lender,
        "value": value,
    }


def render_html(context: dict[str, Any], templates: Path | None = None) -> str:
    """The agreement as an HTML page."""
    environment = Environment(
        loader=FileSystemLoader(_folders(templates)), autoescape=select_autoescape(["html", "j2"])
    )
    return environment.get_template("convention.html.j2").render(**context)


def render_docx(context: dict[str, Any], templates: Path | None = None) -> bytes:
    """The agreement as a Word document, its properties in French."""
    from docxtpl import DocxTemplate

    document = DocxTemplate(str(_template_file("convention.docx", templates)))
    document.render(context, autoescape=True)
    properties = document.docx.core_properties
    properties.title = f"Convention de prêt de matériel n° {context['number']}"
    properties.subject = f"Prêt de matériel à la commune de {context['borrower']['name']}"
    properties.author = properties.last_modified_by = context["territory"] or "mutualise"
    properties.keywords = "convention; prêt; matériel; mutualisation"
    properties.comments = "Convention établie par mutualise, à compléter et signer."
    properties.language = "fr-FR"
    properties.category = "Convention"
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
