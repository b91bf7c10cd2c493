"""The French names of what the store holds: kinds and statuses of needs and proposals,
roles, and how many of an item. One place, read by the digests, the shared page, the bot
and the command line; the enums they name are in `models.py`."""

from __future__ import annotations

from storage.models import (
    Answer,
    NeedKind,
    NeedStatus,
    OfferStatus,
    ParticipantRole,
    ProposalKind,
    ProposalStatus,
    Role,
)

NEED_KINDS = {NeedKind.PURCHASE: "achat", NeedKind.BORROW: "emprunt"}
# An offer is a need's counterpart in listings: its kind is a loan.
OFFER_KIND = "prêt"
NEED_STATUSES = {
    NeedStatus.PENDING: "à confirmer",
    NeedStatus.OPEN: "ouvert",
    NeedStatus.MATCHED: "proposition en cours",
    NeedStatus.FULFILLED: "satisfait",
    NeedStatus.CANCELLED: "annulé",
    NeedStatus.EXPIRED: "expiré",
}
OFFER_STATUSES = {
    OfferStatus.PENDING: "à confirmer",
    OfferStatus.OPEN: "ouverte",
    OfferStatus.WITHDRAWN: "retirée",
}
PROPOSAL_KINDS = {
    ProposalKind.LOAN: "prêt",
    ProposalKind.GROUP_ORDER: "groupement de commandes",
    ProposalKind.JOINT_PURCHASE: "achat en commun",
}
# A proposal's title: "Proposition de prêt n° 12".
PROPOSAL_TITLES = {
    ProposalKind.LOAN: "Proposition de prêt",
    ProposalKind.GROUP_ORDER: "Proposition de groupement de commandes",
    ProposalKind.JOINT_PURCHASE: "Proposition d'achat en commun",
}
PROPOSAL_STATUSES = {
    ProposalStatus.PROPOSED: "en attente de réponse",
    ProposalStatus.ACCEPTED: "confirmée",
    ProposalStatus.REFUSED: "refusée",
    ProposalStatus.CANCELLED: "annulée",
    ProposalStatus.DONE: "réalisée",
}
# Where a proposal stands once answered, agreeing with its short kind below (all masculine
# nouns): "prêt confirmé", "groupement annulé"; a column's words, beside the statuses above.
PROPOSAL_STATES = {
    ProposalStatus.ACCEPTED: "confirmé",
    ProposalStatus.DONE: "réalisé",
    ProposalStatus.REFUSED: "refusé",
    ProposalStatus.CANCELLED: "annulé",
}
# A confirmed loan once its first day has come, then once its last has gone; before, it is
# "confirmé" (`PROPOSAL_STATES`).
LOAN_UNDER_WAY = "en cours"
LOAN_OVER = "terminé"
# A proposal nobody answered before its dates (a loan) or its deadline (an order) went by.
UNANSWERED_PAST_DATES = "sans réponse, dates passées"
UNANSWERED_PAST_DEADLINE = "sans réponse, échéance passée"
PROPOSAL_SHORT_KINDS = {
    ProposalKind.LOAN: "prêt",
    ProposalKind.GROUP_ORDER: "groupement",
    ProposalKind.JOINT_PURCHASE: "achat en commun",
}
# What a commune does in a proposal, and where its answer stands ("Riantec emprunte",
# "Riantec n'a pas encore répondu").
PARTICIPANT_ROLES = {
    ParticipantRole.LENDER: "prête",
    ParticipantRole.BORROWER: "emprunte",
    ParticipantRole.MEMBER: "achète",
    ParticipantRole.CARRIER: "porte la procédure",
}
ANSWERS = {
    Answer.ACCEPTED: "a accepté",
    Answer.REFUSED: "a refusé",
    Answer.PENDING: "n'a pas encore répondu",
}
ROLES = {Role.CORRESPONDENT: "correspondant", Role.COORDINATOR: "coordinateur"}
# The words a user may type for a role: the French shown everywhere, its feminine, and the
# English of the stored values that scripts already use.
ROLE_WORDS = {
    **{label: role for role, label in ROLES.items()},
    "correspondante": Role.CORRESPONDENT,
    "coordinatrice": Role.COORDINATOR,
    **{role.value: role for role in Role},
}


def amount(quantity: int | None, singular: str, plural: str | None = None) -> str:
    """ "1 podium", "150 ganivelles", "ganivelles (nombre à préciser)"."""
    many = plural or singular
    if quantity is None:
        return f"{many} (nombre à préciser)"
    return f"{quantity} {singular if quantity == 1 else many}"
