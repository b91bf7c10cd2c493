"""What the bot answers, in French: one place for every sentence a user reads."""

from __future__ import annotations

from handlers.reading.intents import Intent
from handlers.reading.reader import Reading
from handlers.recording import Recorded
from handlers.wording import amount, day, listing, stretch

UNKNOWN_SENDER = (
    "Bonjour,\n\nCette adresse ne reconnaît pas votre expéditeur : seuls les correspondants "
    "inscrits et les adresses des mairies du territoire peuvent déclarer des besoins. Demandez "
    "à votre coordinateur de vous inscrire (mutualise members add), puis écrivez-nous à "
    "nouveau.\n\nCordialement,\nmutualise"
)
NOTHING_UNDERSTOOD = (
    "Merci pour votre message. Je n'y ai trouvé ni besoin, ni prêt, ni manifestation à "
    "enregistrer. Pour déclarer un besoin, écrivez par exemple : « il nous faudrait 200 "
    "ganivelles et un podium pour le 21 juin »."
)


def _things(reading: Reading) -> str:
    return listing([amount(i.quantity, i.label, i.label) for i in reading.items])


def recorded(reading: Reading, what: Recorded, commune: str) -> str:
    """The answer to a message that changed the store."""
    if reading.intent is Intent.CANCEL:
        count = len(what.withdrawn_needs) + len(what.withdrawn_offers)
        if count == 0:
            return (
                f"Je n'ai trouvé aucune demande ni offre en cours de {commune} qui corresponde : "
                "rien n'a été retiré."
            )
        extra = (
            f" {what.cancelled_proposals} proposition(s) qui en dépendai(en)t sont annulées."
            if what.cancelled_proposals
            else ""
        )
        return f"C'est noté : {count} demande(s) ou offre(s) de {commune} retirée(s).{extra}"
    if reading.intent is Intent.EVENT:
        when = stretch(reading.start, reading.end)
        return f"Manifestation enregistrée pour {commune} : « {reading.event} » {when}."
    if reading.intent is Intent.LEND:
        return f"Offre de prêt enregistrée pour {commune} : {_things(reading)} {_window(reading)}."
    if reading.intent is Intent.PURCHASE:
        by = f" avant le {day(reading.deadline)}" if reading.deadline else ""
        return f"Besoin d'achat enregistré pour {commune} : {_things(reading)}{by}."
    event = f" pour « {reading.event} »" if reading.event else ""
    return (
        f"Besoin enregistré pour {commune} : {_things(reading)}{event} "
        f"{stretch(reading.start, reading.end)}."
    )


def _window(reading: Reading) -> str:
    if reading.start and reading.end:
        return stretch(reading.start, reading.end)
    if reading.start:
        return f"à partir du {day(reading.start)}"
    if reading.end:
        return f"jusqu'au {day(reading.end)}"
    return "sans limite de dates"


ASKS = {
    "items": "quel matériel ?",
    "item": "quel est exactement l'article (je ne le trouve pas dans le catalogue) ?",
    "quantity": "combien ?",
    "dates": "pour quelles dates ?",
    "deadline": "pour quand ?",
}


def still_missing(fields: list[str]) -> str:
    """The question that follows a recorded but incomplete need; a reply completes it."""
    questions = " ".join(ASKS[m] for m in fields if m in ASKS)
    return (
        f"\n\nPour compléter, répondez simplement à ce message : {questions}" if questions else ""
    )


def answered(proposal_id: int, accepted: bool, confirmed: bool) -> str:
    """The answer to an acceptance or a refusal of a proposal."""
    if not accepted:
        return (
            f"C'est noté : votre commune refuse la proposition n° {proposal_id}. Le matériel "
            "promis est libéré et une autre solution est cherchée."
        )
    if confirmed:
        return (
            f"Merci : toutes les communes ont accepté, la proposition n° {proposal_id} "
            "est confirmée."
        )
    return (
        f"Merci : l'accord de votre commune pour la proposition n° {proposal_id} est noté ; "
        "on attend les autres communes."
    )


def completed(what: str, fields: list[str]) -> str:
    """The answer to a reply that completed a need."""
    return f"Merci, c'est complété : {what}.{still_missing(fields)}"
