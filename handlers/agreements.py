"""Loan agreements (conventions de prêt): the document that formalises a confirmed loan.

Two templates a coordinator can edit: `convention.docx` (Word, rendered by docxtpl) and
`convention.html.j2`; a copy in `MUTUALISE_TEMPLATES` takes precedence over the bundled one.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.costs import euros
from handlers.wording import day, stretch
from storage.errors import MutualiseError
from storage.labels import PROPOSAL_STATUSES, ROLES
from storage.members import commune_names, representative
from storage.models import (
    Answer,
    CatalogueItem,
    ParticipantRole,
    Proposal,
    ProposalKind,
    ProposalStatus,
)
from storage.proposals import proposal as find_proposal
from storage.reference import installed_territory


class AgreementError(MutualiseError):
    """No agreement can be written for that proposal."""


@dataclass(frozen=True)
class LoanTerms:
    """The territory's usual terms: fee ("gratuit", "jour:15", "forfait:50"), deposit, court."""

    fee: str = "gratuit"
    deposit: Decimal = Decimal(0)
    court: str = "tribunal administratif de Rennes"

    def cost(self, days: int) -> str:
        """Article 3, in words."""
        kind, _, amount = self.fee.partition(":")
        if kind == "jour" and amount:
            per_day = Decimal(amount)
            return (
                f"Le prêt est consenti moyennant {euros(per_day)} par jour d'utilisation, "
                f"soit {euros(per_day * days)} pour {days} jour(s), payables sur titre de "
                "recettes émis par le prêteur."
            )
        if kind == "forfait" and amount:
            return (
                f"Le prêt est consenti moyennant un forfait de {euros(Decimal(amount))}, "
                "payable sur titre de recettes émis par le prêteur."
            )
        return "Le prêt est consenti à titre gracieux, dans le cadre de la mutualisation."

    def deposit_text(self) -> str:
        """The deposit clause."""
        if self.deposit > 0:
            return (
                f"Une caution de {euros(self.deposit)} est remise à l'enlèvement ; elle est "
                "restituée après l'état des lieux de retour, déduction faite des éventuels "
                "dommages."
            )
        return "Aucune caution n'est demandée."


TRANSPORT = (
    "L'enlèvement et le retour du matériel sont assurés par l'emprunteur, à ses frais et sous "
    "sa responsabilité, avec des moyens adaptés."
)
INSURANCE = (
    "L'emprunteur assure le matériel de son enlèvement à sa restitution au titre de sa "
    "responsabilité civile et des dommages aux biens confiés ; il en justifie sur demande du "
    "prêteur."
)
LIABILITY = (
    "L'emprunteur répond de toute perte, dégradation ou vol survenus pendant le prêt : il "
    "supporte la remise en état ou le remplacement à valeur d'usage. Le prêteur garantit la "
    "conformité du matériel aux règles de sécurité en vigueur."
)


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


async def _representative(session: AsyncSession, insee: str) -> str:
    member = await representative(session, insee)
    if member is None:
        return "son maire, ou son représentant dûment habilité"
    return f"{member.name}, {ROLES[member.role]} mandaté par le maire"


async def _confirmed_loan(session: AsyncSession, proposal_id: int) -> Proposal:
    proposal = await find_proposal(session, proposal_id)
    if proposal.kind is not ProposalKind.LOAN:
        msg = f"La proposition n° {proposal_id} n'est pas un prêt : pas de convention de prêt."
        raise AgreementError(msg)
    if proposal.status is not ProposalStatus.ACCEPTED:
        waiting = [
            p.commune_insee for p in proposal.participants if p.answer is not Answer.ACCEPTED
        ]
        status = PROPOSAL_STATUSES[proposal.status]
        msg = (
            f"La proposition n° {proposal_id} n'est pas confirmée ({status}) : "
            "la convention s'établit quand toutes les communes ont accepté "
            f"(en attente : {', '.join(waiting) or 'aucune'})."
        )
        raise AgreementError(msg)
    return proposal


async def agreement(
    session: AsyncSession, proposal_id: int, terms: LoanTerms, today: dt.date
) -> dict[str, Any]:
    """Everything the templates need for the agreement of one confirmed loan."""
    proposal = await _confirmed_loan(session, proposal_id)
    names = await commune_names(session)
    item = await session.get(CatalogueItem, proposal.item_id) if proposal.item_id else None

    def label(quantity: int | None) -> str:
        if item is None:
            return proposal.item_id or "matériel"
        return item.label if quantity == 1 else item.plural

    borrower = next(p for p in proposal.participants if p.role is ParticipantRole.BORROWER)
    lenders = [p for p in proposal.participants if p.role is ParticipantRole.LENDER]
    start = proposal.start or today
    end = proposal.end or start

    async def party(insee: str) -> dict[str, str]:
        representative = await _representative(session, insee)
        return {"name": names.get(insee, insee), "insee": insee, "representative": representative}

    parties = [await party(p.commune_insee) for p in lenders]
    borrower_party = await party(borrower.commune_insee)
    return {
        "number": f"{today.year}-{proposal.id:05d}",
        "territory": territory.name if (territory := await installed_territory(session)) else "",
        "lenders": parties,
        "borrower": borrower_party,
        "lines": [
            {
                "item": label(p.quantity),
                "quantity": p.quantity or "",
                "lender": names.get(p.commune_insee, ""),
            }
            for p in lenders
        ],
        "reason": proposal.reason,
        "period": stretch(start, end),
        "pickup": day(start - dt.timedelta(days=1)),
        "return_day": day(end + dt.timedelta(days=1)),
        "cost": terms.cost((end - start).days + 1),
        "deposit": terms.deposit_text(),
        "transport": TRANSPORT,
        "insurance": INSURANCE,
        "liability": LIABILITY,
        "court": terms.court,
        "copies": len(parties) + 1,
        "today": day(today),
        "signatories": [*parties, borrower_party],
    }


def render_html(context: dict[str, Any], templates: Path | None = None) -> str:
    """The agreement as an HTML page."""
    environment = Environment(
        loader=FileSystemLoader(_folders(templates)), autoescape=select_autoescape(["html", "j2"])
    )
    return environment.get_template("convention.html.j2").render(**context)


def render_docx(context: dict[str, Any], templates: Path | None = None) -> bytes:
    """The agreement as a Word document."""
    from docxtpl import DocxTemplate

    document = DocxTemplate(str(_template_file("convention.docx", templates)))
    document.render(context, autoescape=True)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
