"""What the bot answers, in French: one place for every sentence a user reads."""

from __future__ import annotations

import datetime as dt

from handlers.asking import Lenders, free_in_all
from handlers.lendable import Available
from handlers.reading.intents import Intent
from handlers.reading.reader import Reading
from handlers.recording import Recorded
from handlers.wording import amount, day, listing, noun, stretch
from storage.labels import ROLES
from storage.models import Role

UNKNOWN_SENDER = (
    "Bonjour,\n\nVotre message n'a pas été enregistré : l'adresse ou le compte d'où il "
    "vient n'est inscrit pour aucune commune du territoire. Seuls les correspondants inscrits "
    "et les adresses des mairies peuvent déclarer des besoins ici.\n\nSi vous écrivez pour "
    "une commune de l'intercommunalité, demandez au coordinateur de la mutualisation, à "
    "l'intercommunalité, de vous inscrire ; vous pourrez ensuite nous écrire à nouveau.\n\n"
    "Cordialement,\nmutualise"
)
# The answer to an email held unread: it says nothing of what the email said (anyone can
# make it go to any address), and goes once a day at most to an address.
HELD_SUBJECT = "Votre message à mutualise"
HELD = (
    "Bonjour,\n\nVotre message n'a pas été enregistré : mutualise n'a pas pu vérifier qu'il "
    "venait bien de votre adresse (votre serveur de messagerie ne l'a pas authentifié), ou "
    "il n'a pas pu être lu. Seuls les messages authentifiés des correspondants inscrits et "
    "des mairies du territoire sont pris en compte.\n\nSi vous êtes correspondant, répondez "
    "à un message que mutualise vous a envoyé, ou utilisez le bot Telegram ; sinon, "
    "adressez-vous à votre coordinateur.\n\nCordialement,\nmutualise"
)
UNRECORDABLE = (
    "Votre message est bien reçu, mais il n'a pas pu être enregistré tel quel : il est "
    "conservé et votre coordinateur peut le consulter. Reformulez-le plus simplement, ou "
    "déclarez vos besoins un par un."
)


def too_many(count: int, most: int) -> str:
    """The answer to a message naming more items than one message records."""
    return (
        f"Votre message nomme {count} articles : je n'en enregistre pas plus de {most} par "
        "message, et je n'ai rien enregistré. Envoyez-les en plusieurs messages."
    )


NOTHING_UNDERSTOOD = (
    "Merci pour votre message. Je n'y ai trouvé ni besoin, ni prêt, ni manifestation à "
    "enregistrer. Pour déclarer un besoin, écrivez par exemple : « il nous faudrait 200 "
    "ganivelles et un podium pour le 21 juin »."
)
# How the mails the bot sends open and close.
GREETING = "Bonjour,"
SIGNATURE = "mutualise"
REPLY_SIGNATURE = "mutualise, l'outil de mutualisation de votre intercommunalité"

NOT_HANDLED_YET = (
    "Votre message est bien reçu, mais je n'ai pas pu le traiter tout de suite. Il est "
    "conservé et sera repris ; inutile de le renvoyer."
)


def _things(reading: Reading) -> str:
    return listing([amount(i.quantity, i.label, i.label) for i in reading.items])


def recorded(reading: Reading, what: Recorded, commune: str) -> str:
    """The answer to a message that changed the store."""
    if reading.intent is Intent.CANCEL:
        return withdrawn(
            len(what.withdrawn_needs), len(what.withdrawn_offers), what.cancelled_proposals, commune
        )
    if reading.intent is Intent.EVENT:
        when = stretch(reading.start, reading.end)
        return f"Manifestation enregistrée pour {commune} : « {reading.event} » {when}."
    if reading.intent is Intent.LEND:
        window = _window(reading.start, reading.end)
        return f"Offre de prêt enregistrée pour {commune} : {_things(reading)} {window}."
    if reading.intent is Intent.PURCHASE:
        by = f" avant le {day(reading.deadline)}" if reading.deadline else ""
        return f"Besoin d'achat enregistré pour {commune} : {_things(reading)}{by}."
    event = f" pour « {reading.event} »" if reading.event else ""
    return (
        f"Besoin enregistré pour {commune} : {_things(reading)}{event} "
        f"{stretch(reading.start, reading.end)}."
    )


def withdrawn(needs: int, offers: int, proposals: int, commune: str) -> str:
    """The answer to a withdrawal: what was withdrawn and what fell with it."""
    if needs + offers == 0:
        return (
            f"Je n'ai trouvé aucune demande ni offre en cours de {commune} qui corresponde : "
            "rien n'a été retiré."
        )
    things = [f"{n} {noun(n, word)}" for n, word in ((needs, "demande"), (offers, "offre")) if n]
    verb = "est retirée" if needs + offers == 1 else "sont retirées"
    extra = f" {proposals_cancelled(proposals)}" if proposals else ""
    return f"C'est noté : {listing(things)} de {commune} {verb}.{extra}"


def proposals_cancelled(count: int) -> str:
    """ "1 proposition qui en dépendait est annulée." and its plural."""
    if count == 1:
        return "1 proposition qui en dépendait est annulée."
    return f"{count} propositions qui en dépendaient sont annulées."


def _window(start: dt.date | None, end: dt.date | None) -> str:
    if start and end:
        return stretch(start, end)
    if start:
        return f"à partir du {day(start)}"
    if end:
        return f"jusqu'au {day(end)}"
    return "sans limite de dates"


def lenders(reading: Reading, found: list[Lenders]) -> str:
    """The answer to a question ("qui peut nous prêter un podium le 21 juin ?"): for each
    item, the communes that can lend it on those days, nearest first; nothing recorded."""
    when = stretch(reading.start, reading.end) if reading.start else "(sans date précisée)"
    parts = [_lenders_of(item, when) for item in found]
    anyone = any(item.free for item in found)
    then = (
        "l'appariement proposera un prêt entre communes"
        if anyone
        else "il sera proposé dès qu'une commune pourra prêter, et compté pour un éventuel "
        "achat en commun"
    )
    parts.append(f"Rien n'est enregistré : ce n'est qu'une question. Si vous déclarez ce "
                 f"besoin, {then}.")  # fmt: skip
    return "\n\n".join(parts)


def _lenders_of(item: Lenders, when: str) -> str:
    what = amount(item.quantity, item.label, item.plural) if item.quantity else f"des {item.plural}"
    promised = (
        f" ({item.promised} {noun(item.promised, 'autre offre', 'autres offres')} "
        f"{noun(item.promised, 'couvre', 'couvrent')} ces dates mais "
        f"{noun(item.promised, 'est déjà promise', 'sont déjà promises')}.)"
        if item.promised
        else ""
    )
    if not item.free:
        return (f"Pour {what} {when}, aucune autre commune du territoire n'a d'offre libre "
                f"ces jours-là.{promised}")  # fmt: skip
    count = len({a.commune for a in item.free})
    nearest = ", de la plus proche à la plus lointaine" if count > 1 else ""
    head = (
        f"Pour {what} {when}, {count} {noun(count, 'commune peut', 'communes peuvent')} "
        f"prêter{nearest} :"
    )
    lines = [f"• {_offer_line(a)}" for a in item.free]
    return "\n".join([head, *lines]) + _coverage(item, count) + promised


def _offer_line(offer: Available) -> str:
    """ "Lorient, à 9,8 km : 150 libres sur 300 (offre du 1er juin au 30 septembre 2027)"."""
    where = f", à {offer.km:.1f} km".replace(".", ",") if offer.km is not None else ""
    if offer.free is None:
        free = "le lot entier"
    else:
        free = f"{offer.free} {noun(offer.free, 'libre', 'libres')}"
        if offer.offered != offer.free:
            free += f" sur {offer.offered}"
    return f"{offer.commune}{where} : {free} (offre {_window(offer.start, offer.end)})"


def _coverage(item: Lenders, communes: int) -> str:
    """Whether the lenders together have as many as asked."""
    together = free_in_all(item.free)
    if item.quantity is None or together is None:
        return ""
    if together < item.quantity:
        free = noun(together, "est libre", "sont libres")
        return f"\nIl en manquerait {item.quantity - together} : {together} {free} en tout."
    if communes > 1 and item.quantity > 1:
        return f"\nÀ elles toutes, elles ont de quoi en prêter {item.quantity}."
    return ""


NOT_DECLARED = "C'est noté : rien n'est enregistré. Vous pouvez nous écrire à tout moment."
DECLARED_ALREADY = "Ce besoin est déjà déclaré : rien de plus n'est enregistré."


ASKS = {
    "items": "quel matériel ?",
    "item": "quel est exactement l'article (je ne le trouve pas dans le catalogue) ?",
    "quantity": "combien ?",
    "dates": "pour quelles dates ?",
    "deadline": "pour quand ?",
}


CHECKS = {
    "intent": "s'agit-il bien d'une demande, d'une offre ou d'un achat comme je l'ai compris ?",
    "items": "le matériel est-il bien celui-ci ?",
    "quantity": "les quantités sont-elles justes ?",
    "dates": "les dates sont-elles les bonnes ?",
    "deadline": "l'échéance est-elle la bonne ?",
}


def to_confirm(doubts: list[str]) -> str:
    """The question that follows a reading the bot is unsure of: recorded, but held out of
    the proposals until the writer confirms it."""
    checks = " ".join(CHECKS[d] for d in doubts if d in CHECKS)
    return (
        "\n\nAvant de le proposer aux autres communes, j'ai besoin de votre confirmation : "
        f"{checks} Répondez « oui » à ce message si c'est bien cela, « non » pour l'annuler, "
        "ou corrigez ce qui ne va pas (par exemple « 30 et pas 20 », « du 12 au 14 juin »)."
    )


CONFIRMED_HELD = (
    "Merci, c'est confirmé : votre déclaration est enregistrée et proposée aux autres communes."
)
DROPPED_HELD = "C'est noté : rien n'est enregistré. Vous pouvez renvoyer votre demande corrigée."


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


# The chat bot's own sentences (Telegram).
STRANGER = (
    "Bonjour ! Ce bot sert aux correspondants des communes de l'intercommunalité pour "
    "déclarer leurs besoins de matériel et d'achats. Vous n'êtes pas encore inscrit : "
    "demandez une invitation à votre coordinateur, puis ouvrez le lien qu'il vous donne "
    "(ou envoyez /start suivi du code)."
)
WRONG_CODES = (
    "Trop de codes erronés : réessayez dans une heure, avec le code exact donné par votre "
    "coordinateur."
)
HELP = (
    "Écrivez-moi vos besoins en français courant, par exemple « il nous faudrait 200 "
    "ganivelles et un podium pour le 21 juin », « nous pouvons prêter notre nacelle en "
    "juillet » ou « nous devons acheter 3 tondeuses avant septembre ». Je vous montre ce que "
    "j'ai compris : rien n'est enregistré avant que vous ne confirmiez.\n\n"
    "/besoins : les besoins et offres en cours de votre commune\n"
    "/propositions : les propositions qui concernent votre commune\n"
    "/calendrier : les manifestations des prochaines semaines\n"
    "/web : un lien de connexion à la page du territoire\n"
    "/annuler : abandonner la déclaration en cours\n"
    "/aide : ce message"
)
HELP_COORDINATOR = (
    "\n/digest : la synthèse des rapprochements, maintenant\n"
    "/semestre : l'état des lieux semestriel\n"
    "Vous êtes coordinateur du territoire, d'aucune commune : nommez la commune pour qui vous "
    "déclarez (« Pour Riantec : … ») ; si vous l'oubliez, je vous la demande, et votre "
    "réponse (« Riantec ») suffit."
)
APOLOGY = (
    "Désolé, quelque chose s'est mal passé de mon côté. Votre message est conservé ; "
    "réessayez dans un moment."
)
ASK_AGAIN = "Je n'ai pas compris cette réponse."
NO_COMMUNE = (
    "Vous êtes coordinateur de l'intercommunalité : vous n'êtes inscrit pour aucune commune, "
    "et ne répondez pas à sa place. Ce sont ses correspondants qui voient ses besoins et "
    "répondent à ses propositions ; pour déclarer un besoin ou une offre d'une commune, "
    "nommez-la dans votre message (« pour Riantec : … »)."
)
UNAUTHENTICATED_COORDINATOR = (
    "Rien n'a été enregistré : votre courriel n'a pas été authentifié par un serveur de "
    "messagerie de confiance, et un coordinateur ne déclare pour une commune que depuis une "
    "adresse authentifiée (ou par le bot Telegram)."
)


def which_commune(*, authenticated: bool) -> str:
    """The answer to a coordinator whose message names no commune: for which one?"""
    if not authenticated:
        return UNAUTHENTICATED_COORDINATOR
    return (
        "Pour quelle commune ? Vous êtes coordinateur de l'intercommunalité, rattaché à aucune "
        f"commune : rien n'a été enregistré. {_NAME_IT}"
    )


# How a coordinator names the commune a message was for, once asked.
_NAME_IT = (
    "Répondez simplement par le nom de la commune (par exemple « Riantec ») : votre message "
    "sera alors pris en compte pour elle, comme s'il l'avait nommée."
)


def not_in_territory(commune: str) -> str:
    """The answer to a coordinator who names, for their message, a commune of another
    territory: for which of theirs?"""
    return (
        f"{commune} n'est pas une commune de votre territoire : rien n'a été enregistré. "
        f"Pour quelle commune de votre territoire est-ce ? {_NAME_IT}"
    )


def commune_again(why: str) -> str:
    """The answer to a coordinator who names, for their message, no commune but the
    intercommunality (`why` says so): for which commune?"""
    return f"{why} Pour quelle commune est-ce ? {_NAME_IT}"


COORDINATORS_ONLY = "Cette commande est réservée aux coordinateurs de l'intercommunalité."
NOTHING_PENDING = "Aucune déclaration en cours."
DROPPED = "C'est abandonné : rien n'a été enregistré."
REWRITE = "Réécrivez votre message en entier ; l'ancien est abandonné."
WHAT_TO_FIX = "Que faut-il corriger ?"
CONFIRMED = "Enregistré."


def welcome(name: str, commune: str, coordinator: bool) -> str:
    """The answer to a person who has just joined."""
    role = ROLES[Role.COORDINATOR if coordinator else Role.CORRESPONDENT]
    return f"Bienvenue {name} : vous êtes inscrit comme {role} pour {commune}.\n\n{HELP}"


def declarations(commune: str, lines: list[str]) -> str:
    """The commune's needs and offers in progress."""
    if not lines:
        return f"Aucun besoin ni offre en cours pour {commune}."
    return f"En cours pour {commune} :\n\n" + "\n".join(lines)


WEB_OFF = (
    "La page du territoire n'est pas ouverte sur ce service : demandez à votre "
    "coordinateur (l'adresse publique MUTUALISE_WEB_URL n'est pas donnée)."
)


WEB_MEMBERS_ONLY = (
    "La page du territoire est réservée aux membres inscrits : un lien de connexion n'est "
    "envoyé qu'à l'adresse d'un correspondant ou d'un coordinateur inscrit. Demandez au "
    "coordinateur de l'intercommunalité de vous inscrire avec votre adresse."
)


def web_link(url: str, until: str) -> str:
    """/web: the one-time link to the territory's page."""
    return (
        f"Votre lien vers la page du territoire, valable une seule fois, jusqu'à {until} :\n"
        f"{url}\nNe le transmettez pas : il ouvre une session à votre nom."
    )


NO_PROPOSALS = "Aucune proposition en cours pour votre commune."

SLOW_DOWN = (
    "Je reçois beaucoup de messages de votre part en peu de temps : je les traite tous, "
    "mais un peu plus lentement. Inutile de les renvoyer."
)


def calendar(rows: list[tuple[str, str, str, bool, str]], weeks: int) -> str:
    """/calendrier: the manifestations of the coming weeks, one line each."""
    if not rows:
        return f"Aucune manifestation connue dans les {weeks} prochaines semaines."
    lines = [
        f"• {when} — {name} ({commune}){' ↻' if recurring else ''}"
        + (f" : {equipment}" if equipment else "")
        for when, commune, name, recurring, equipment in rows
    ]
    head = f"Manifestations des {weeks} prochaines semaines (↻ : chaque année) :"
    return "\n".join([head, *lines])
