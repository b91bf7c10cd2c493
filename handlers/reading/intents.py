"""What a message is for: buy, borrow, lend, announce an event, cancel, or none of these."""

from __future__ import annotations

import enum
import re


class Intent(enum.StrEnum):
    PURCHASE = "purchase"
    BORROW = "borrow"
    LEND = "lend"
    EVENT = "event"
    CANCEL = "cancel"
    UNKNOWN = "unknown"


def _words(*patterns: str) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(patterns) + r")")


# Replies written by machines: never a request, whatever dates they mention.
AUTOMATIC = _words(
    r"(?:je suis|nous sommes) (?:actuellement )?absente?s?",
    r"absente? (?:du|jusqu|a partir)",
    r"message automatique",
    r"reponse automatique",
    r"auto[- ]?reply",
    r"out of (?:the )?office",
    r"en conge",
    r"de retour (?:le|au bureau)",
    r"votre message ne (?:sera|pourra) pas",
    r"ne pourrai pas (?:lire|traiter|repondre)",
)
CANCEL = _words(
    r"(?:n'|n )?(?:avons|a|ont|aurons|aura) plus besoin",
    r"plus besoin",
    r"pas besoin finalement",
    r"finalement pas besoin",
    r"annul",
    r"retir(?:ons|er|ez|e) (?:notre|la|nos|les|ma)",
    r"ne (?:sera|seront) (?:finalement )?plus (?:necessaire|utile)",
    r"(?:on|nous) (?:abandonn|renon)",
    r"supprim(?:er|ez) (?:notre|la|nos|ma)",
    r"(?:ne|n') (?:pouvons|pourrons) plus preter",
    r"(?:est|sont) (?:desormais |finalement )?retire",
    r"(?:n'est|ne sont|n'etait|ne seront|ne sera) plus"
    r" (?:disponibles?|dispos?|a disposition|pretables?)",
    r"plus dispo",
    r"(?:n'est|ne sont) plus d'actualite",
    r"plus d'actualite",
    r"ne (?:preterons|pourrons|pouvons) (?:pas|plus)(?: preter)?",
    r"(?:se|nous nous) retir(?:e|ons)",
)
# Asking for a loan, whatever else the message says ("une commune pourrait-elle nous prêter").
ASKING = _words(
    r"(?:nous|me|m') preter",
    r"emprunt",
    r"pret (?:de|d'|du|des)",
    r"(?:quelqu'un|quelqu un|qqn|qq1|qqun|une commune|une autre commune|des communes)"
    r" (?:aurait|a (?:un|une|des|du|de la)|pourrait|peut|possede|dispose)\b",
    r"(?:qui|quelle commune) (?:aurait|a (?:un|une|des|du|de la)|pourrait|peut|possede|dispose)\b",
    r"(?:auriez|avez|aurait|auraient)[- ](?:vous|quelqu'un|qqn)",
    r"(?:pourriez|pouvez|pourrait|pourraient)[- ](?:vous|elle|on)",
    r"chez (?:qq1|qqn|qqun|quelqu'un|quelqu un|vous)\s*\?",
    r"(?:vous avez|avez-vous|auriez-vous|vous auriez) (?:ca|cela|ce qu'il faut)",
    r"serait-il possible d'(?:obtenir|avoir|emprunter|disposer)",
)
LEND = _words(
    r"(?:peut|peuvent|pouvons|pourrait|pourrions|peux|pourra|pourrons)"
    r"(?: vous| volontiers| egalement| aussi| les)? (?:preter|mettre a disposition|ceder)",
    r"(?:nous|on) (?:pretons|prete|mettons a disposition|met a disposition|proposons|propose"
    r"|offrons)",
    r"(?:est|sont|seront|sera|restent?|reste)"
    r" (?:disponibles?|dispos?|a disposition|pretables?|libres?)",
    r"(?:disponibles?|dispos?|a disposition)"
    r" (?:du|des|de|d'|a partir|jusqu|pour|pr|aux|a|le|la|en|toute|tout|si|chez|ce|cet|cette)\b",
    r"dispos? chez nous",
    r"(?:mettons|mettre|met) en commun",
    r"qui (?:dort|dorment) (?:au|dans|a)",
    r"(?:dispos?|disponibles?) quand (?:vous|tu) (?:voulez|veux|le souhaitez)",
    r"(?:reste|restent|tient|tiennent|tenons|laissons) a (?:la |votre |leur )?disposition",
    r"pret possible",
    r"(?:nous|on) (?:pouvons|peut) (?:vous )?(?:les |le |la )?preter",
    r"(?:disponibles?|dispos?|a disposition)\s*(?:$|[.,;!]|\n)",
    r"a preter",
    r"(?:proposer|propose|proposons) (?:en|au) pret",
    r"peuvent etre pretes?",
    r"(?:mettre|mettons|met) (?:[\w']+ ){0,5}a (?:la |votre )?disposition",
    r"prete(?:r|ons)? (?:nos|notre) ",
)
PURCHASE = _words(
    r"achet",
    r"achat",
    r"acquer",
    r"acquisition",
    r"command",
    r"groupement",
    r"renouvel",
    r"remplacer (?:notre|nos|le|la|les)",
    r"investi",
    r"devis",
    r"s'equiper",
    r"nous equiper",
    r"approvisionn",
)
BORROW = _words(
    r"emprunt",
    r"(?:nous|me|m') preter",
    r"preter (?:a|au|aux) (?:la |notre )?(?:commune|mairie|ville)",
    r"pret (?:de|d'|du|des)",
    r"besoin",
    r"faudrait",
    r"manque",
    r"louer",
    r"location",
    r"reserv",
    r"cherch",
    r"recherch",
    r"souhait",
    r"voudri",
    r"aimeri",
    r"demand",
    r"(?:auriez|avez|auraient|aurait|a)[- ](?:vous|quelqu'un|qqn|on)",
    r"quelqu'un (?:aurait|a|peut|pourrait)",
    r"qqn",
    r"disposer de",
    r"mise a disposition",
    r"il nous (?:faut|faudra)",
    r"(?:nous|on) (?:aurions|aurait|aura|avons) besoin",
)


# Thanks, news of a return, a question about prices: items named, nothing asked.
NOT_A_REQUEST = _words(
    r"merci (?:pour|de|encore pour) (?:le|la|les|votre|vos|ce|ces|l')",
    r"(?:a|ont) (?:bien )?ete"
    r" (?:rendue?s?|restituee?s?|rapportee?s?|recuperee?s?|livree?s?|ramenee?s?)",
    r"bien (?:recue?s?|rendue?s?|arrivee?s?)",
    r"bien ete (?:rendue?s?|restituee?s?|rapportee?s?|recuperee?s?|livree?s?)",
)
# Questions about prices or the process: whatever items they name, nothing is asked.
QUESTION = _words(
    r"combien (?:coute|coutent|ca coute|cela coute)",
    r"quel (?:est )?(?:le )?(?:prix|tarif|cout)",
    r"comment (?:fonctionne|marche|ca marche|faire|proceder|s'inscrire|participer)",
    r"qui (?:redige|s'occupe|gere|porte|coordonne)",
)
# Buying said in so many words wins over any question in the same message.
BUYING = _words(
    r"(?:doit|devons|dois|devrions|devrait|faut|souhaitons|voulons|allons|prevoyons|envisageons"
    r"|envisage|aimerions|voudrions|besoin d')"
    r" (?:re)?(?:acheter|achat|acquerir|acquisition|commander)",
    r"groupement de commandes?",
    r"achat groupe",
    r"commande groupee",
)


# A commune offering to carry the procedure of a group order.
VOLUNTEER = _words(
    r"(?:pouvons|pourrions|peut|pourrait|voulons|souhaitons|acceptons de|proposons de|pret[es]* a)"
    r" (?:porter|coordonner|piloter) (?:le|ce|un|la) (?:groupement|consultation|marche|achat)",
    r"(?:nous|on) (?:serons|serions|sera|serait) (?:le |la )?"
    r"(?:porteur|porteuse|coordonnateur|coordonnatrice)",
    r"(?:volontaires?|candidats?) pour (?:porter|coordonner|piloter)",
    r"(?:se|nous) porter? (?:volontaires?|candidats?)",
)


def detect(
    folded: str, has_items: bool, has_dates: bool, has_event: bool, has_count: bool = False
) -> Intent:
    """The intent of a folded, masked message."""
    if AUTOMATIC.search(folded):
        return Intent.UNKNOWN
    if CANCEL.search(folded) and (has_items or has_event):
        return Intent.CANCEL
    if not has_items:
        return Intent.EVENT if has_event and has_dates else Intent.UNKNOWN
    if not has_dates and (
        QUESTION.search(folded) or (NOT_A_REQUEST.search(folded) and not has_count)
    ):
        return Intent.UNKNOWN
    if BUYING.search(folded):
        return Intent.PURCHASE
    if ASKING.search(folded):
        return Intent.BORROW
    if LEND.search(folded):
        return Intent.LEND
    if PURCHASE.search(folded):
        return Intent.PURCHASE
    return Intent.BORROW
