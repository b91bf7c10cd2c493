"""What a message is for: buy, borrow, lend, announce an event, cancel, or none of these."""

from __future__ import annotations

import enum
import re
from collections.abc import Sequence
from dataclasses import dataclass


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
    r"(?:je serai|je suis|nous serons|serai|suis) (?:actuellement )?absente?s?"
    r" (?:du|jusqu|a partir)",
    r"message automatique",
    r"reponse automatique",
    r"auto[- ]?reply",
    r"out of (?:the )?office",
    r"(?:je suis|je serai|nous sommes|nous serons|suis|serai) (?:actuellement )?en conges?",
    r"de retour (?:le|au bureau)",
    r"votre message ne (?:sera|pourra) pas",
    r"ne pourrai pas (?:lire|traiter|repondre)",
    # read receipts: "Accusé de lecture : Prêt – gradins", "Votre message … a été lu le 11/08"
    r"accuse de lecture",
    r"a ete lu le",
)
_NOT_UNTIL = (
    r"(?! (?:\w+ )?(?:avant|jusqu|d'ici|pendant|durant|cet (?:hiver|ete)|en (?:hiver|ete)))"
)
CANCEL = _words(
    # Not "on n'en a plus besoin avant Noël": not needed until then, so lent meanwhile.
    r"(?:n'|n )?(?:avons|a|ont|aurons|aura) plus besoin" + _NOT_UNTIL,
    r"plus besoin" + _NOT_UNTIL,
    r"pas besoin finalement",
    r"finalement pas besoin",
    # Not "la location nous a été annulée par le prestataire": cancelled by someone else.
    r"(?<!en cas d')(?<!en cas de )(?<!si )(?<!ete )"
    r"annul(?!ation (?:de|du) (?:la|le) (?:fete|manifestation))(?!\w* par (?:le|la|les|l'|un|une))",
    r"retir(?:ons|er|ez|e|ent) (?:(?:notre|la|nos|les|ma|mon|mes|l |le|cette|ce|ces|votre|vos"
    r"|sa|son|ses|leur) |l')(?:[a-z']+ )?(?:offre|demande|proposition|annonce|participation"
    r"|inscription|besoin|candidature)",
    r"(?:on|nous|je) (?:retire|retirons|enleve|enlevons|supprime|supprimons) ",
    r"(?:merci de|veuillez|pouvez-vous|pourriez-vous) (?:bien vouloir )?"
    r"(?:retirer|supprimer|annuler)",
    # "Retrait de Calan du groupement de commande", "retrait de notre participation"
    r"retrait (?:de (?:notre|nos|la|l'|[a-z-]+) )?(?:participation|inscription|offre|demande"
    r"|proposition|annonce|(?:du|d'un) groupement|de la commande groupee|de l'achat groupe)",
    # "Finalement Lanester ne prend pas de TPE dans la commande groupée"
    r"finalement,? (?:[a-z-]+ )?ne (?:prend|prendra|prendrons|participe|participera|participerons)"
    r" (?:pas|plus)",
    r"ne (?:sera|seront|sont|est|serait|seraient) (?:finalement |donc |pas )?plus"
    r" (?:necessaires?|utiles?)",
    r"ne (?:sera|seront|sont|est|serait|seraient|pourra|pourront) (?:finalement|malheureusement"
    r"|donc|plus)(?: \w+)? pas (?:disponibles?|dispos?|pretables?|libres?|prete"
    r"|etre pretee?s?)",
    r"(?:on|nous) (?:abandonn|renon)",
    # "la commune de Quéven renonce au groupement", "Gestel renonce à l'achat"
    r"renon(?:ce|cons|cent|cera|cerons) (?:finalement |donc )?(?:a|au|aux)\b",
    # "nous levons l'option posée sur vos barnums", "l'option sur vos chaises, on la lève"
    r"(?:leve|levons|lever|levez|levera|leverons|levee) (?:l'|l |notre |nos |les |cette )"
    r"?options?\b",
    r"options?\b[^.;!?]{0,60}\b(?:on|nous|je) la (?:leve|levons|leverons)\b",
    r"(?:laissez|laisse|on laisse) tomber",
    r"(?:ne|n') (?:donnera|donnerons|donne|donnons|donnerait) (?:finalement |donc )?pas suite",
    r"(?:c'est bon,? )(?:on a|nous avons|j'ai) trouve",
    # "c bon pr le chapiteau, on en a trouvé un"
    r"(?:c'est|c) bon,? (?:pour|pr) (?:le|la|les|l'|l )[a-z' -]{2,30}?,? (?:on|nous|j')"
    r" ?(?:en )?(?:a|avons|ai) trouve",
    r"(?:on en a|nous en avons|j'en ai) trouve (?:un|une|des|deux|ailleurs)\b",
    r"(?:on a|nous avons) trouve (?:ailleurs|une solution|une autre solution|notre bonheur"
    r"|ce qu'il (?:nous )?faut)",
    r"supprim(?:er|ez) (?:notre|la|nos|ma)",
    r"(?:ne|n') (?:pouvons|pourrons|pourra|peut|pourront|peuvent) plus (?:vous |les |le |la )?"
    r"preter",
    r"(?:est|sont) (?:desormais |finalement )?retire",
    # "Offre tronçonneuses retirée", "demande de tribune annulée": the notice, in short
    r"\b(?:offre|demande|proposition|annonce)s? (?:[a-z'-]+ ){0,3}(?:retiree?s?|annulee?s?)\b",
    # (not "ils ne sont plus dispo avant fin avril": lent until then)
    r"(?:n'est|ne sont|n'etait|ne seront|ne sera) plus"
    r" (?:disponibles?|dispos?|a disposition|pretables?)" + _NOT_UNTIL,
    r"plus dispo" + _NOT_UNTIL,
    r"(?:c'est|c|ce n'est|c'est donc) plus la peine",
    r"^\W*plus la peine\b",  # "Plus la peine pour les casques, on nous en prête"
    r"oubli(?:ez|e|er|ons) (?:ma|notre|la|nos|mes|les|cette) (?:\w+ )?demande",
    # "oubliez les 2 fourgons", "oubliez la commande de radios": what was asked, dropped
    r"(?<!n')(?<!n )(?<!vous )(?:oubliez|oublions) (?:ma|mon|notre|la|le|l'|nos|mes|les|cette|ce"
    r"|ces|\d+)\b",
    # to a colleague: "Ronan, oublie le château gonflable pour lundi" (not "j'oublie le…")
    r"(?:^|[,.;:!?]\s*)oublie (?:ma|mon|notre|la|le|l'|nos|mes|les|cette|ce|ces|\d+)\b",
    r"ne (?:tenez|tenir) (?:pas|plus) compte (?:de|du) (?:mon|ma|notre|nos|mes|ce|cette)?"
    r" ?(?:\w+ )?(?:message|demande|mail|courriel|sms)",
    r"(?:on|nous) ne (?:prend|prenons|prendra|prendrons) plus(?! que)",
    r"on (?:prend|prendra) plus (?:le|la|les|l'|de|d')",
    r"(?:n'est|ne sont) plus d'actualite",
    r"plus d'actualite",
    r"(?:se|nous nous) retir(?:e|ons)",
    # "je libère donc la réservation", "nous libérons le créneau": given back
    r"(?:je|nous|on) (?:libere|liberons) (?:donc |la |le |notre |nos |ma |les |l')+"
    r"(?:reservation|creneau|option|place|materiel)",
    r"ne (?:preterons|pourrons|pouvons) plus",
    # "on n'achète plus la tondeuse, on laisse tomber", "ne participera pas à la commande"
    r"(?:n'|ne )(?:achete|achetons|acheterons|achetera|commande|commandons|commanderons"
    r"|prend|prenons|prendrons|prendra) plus\b(?! que)",
    r"laiss(?:e|ons|er) tomber",
    r"(?:nous nous|je me|se) desist",
    r"(?:ne|n') (?:participera|participerons|participerai|participe|participons|participeront)"
    r" (?:finalement |donc |plus |pas )*(?:pas|plus)\b",
    # written in English by staff whose first language it is
    r"(?:please |we )?(?:cancel|withdraw|remove) (?:our|the|my)\b",
)
# Who can lend: the question's own words, folded (no accents,
# lower case, typographic apostrophes straight). "qui a besoin" asks who needs, the
# lender's question, not the borrower's.
_VERB = r"(?:peu[tx]|pourrai(?:t|ent)|aurai(?:t|ent)|a|ont|possede|dispose|detient|prete(?:rait)?)"
_CLITICS = r"(?:(?:en|nous|me|y)\s+|m')*"
WHO_LENDS = re.compile(
    # (not "qui a nos 2 glacières ?": who has what is ours, lent and not come back)
    rf"\bqui\s+(?:d'entre vous\s+|parmi vous\s+)?{_CLITICS}{_VERB}\b"
    r"(?!\s+(?:encore\s+|toujours\s+)?(?:besoin|nos|notre|emprunte|pris|garde|recupere)\b)"
    rf"|\b(?:quelle|quelles)\s+(?:autres?\s+)?(?:communes?|mairies?)\s+{_CLITICS}{_VERB}\b"
    r"|\by a[- ]t[- ]il\s+(?:quelqu'un|une|des)\b[^.!?]*\bqui\b"
    r"|\b(?:connaissez|savez|connaitriez|sauriez)[- ]vous\s+(?:qui|une commune qui|quelqu'un qui)\b"
)
# Keeping longer what was lent: "on peut garder les barrières jusqu'au 20 ?", "les
# illuminations peuvent rester jusqu'au 3 janvier ?", "décaler le retour du camion benne à
# mardi", "on garde votre tireuse jusqu'à dimanche si ça vous dérange pas ?": asked again,
# until a new last day (the loan's first day is behind).
_KEEPING = (
    r"(?:peut|pourrait|pourrions|pouvons|peux|pourrais|souhaiterait|souhaiterions|souhaite"
    r"|aimerait|aimerions|voudrait|voudrions)[- ]?(?:on|nous|je|t-on)? ?(?:les |le |la |l')?"
    r"(?:garder|conserver)\b",
    r"(?:on|nous|je) (?:garde|gardons|conserve|conservons) (?:votre|vos|ta|tes|leur|leurs)\b"
    r"[^.!?\n]{0,40}\bjusqu",
    r"(?:peuvent|peut|pourraient|pourrait)[- ]?(?:ils|elles|il|elle)? (?:encore )?rester\b"
    r"[^.!?\n]{0,30}\bjusqu",
    r"(?:decaler|repousser|reporter|retarder|prolonger) (?:le |la )?(?:retour|restitution)\b",
    r"prolong(?:er|ation|ions|erait|erions) (?:du |le |de |d')?(?:pret|location|emprunt)\b",
    r"(?:nous )?(?:les |le |la |l')?laiss(?:ez|eriez|ez-vous|eriez-vous|er)\b[^.!?\n]{0,30}\bjusqu",
)
KEEPING = _words(*_KEEPING)
# Asking for a loan, whatever else the message says ("une commune pourrait-elle nous prêter").
ASKING = _words(
    r"(?:nous|me|m') preter",
    r"emprunt(?!ent\b|aient\b|ait\b|ee?s?\b|eurs?\b|euses?\b)",
    # (not a lender's "ok pour le prêt du 3 au 6")
    r"(?<!au )(?<!en )(?<!a )(?<!propose le )(?<!proposons le )(?<!proposent le )"
    r"(?<!offre le )(?<!proposer le )(?<!ok pour le )(?<!oui pour le )(?<!d'accord pour le )"
    r"pret (?:de|d'|du|des)(?! (?:materiel|notre|nos)\b)",
    r"(?:quelqu'un|quelqu un|qqn|qq1|qqun|une commune|une autre commune|des communes)"
    r" (?:en )?(?:aurait|a (?:un|une|des|du|de la|\d+)|pourrait|peut|possede|dispose)\b"
    r"(?! (?:besoin|l'usage|envie|interet|l'utilite))",
    # "le podium de Languidic est-il encore libre ?": asking for another's equipment
    r"(?:est|sont)-(?:il|elle|ils|elles) (?:encore |toujours )?(?:libres?|dispos?|disponibles?)\b",
    # "lame de déneigement dispo ? prévision neige jeudi": what one needs, asked of all (not
    # "ce que les autres ont de dispo ?")
    r"(?<!\bde )(?<!\bd')(?:dispos?|disponibles?)\s*\?",
    # "tjs dispo la tonne de 2000 L de Pont-Scorff ? on la prendrait du 16 au 20"
    r"(?:toujours|tjrs|tjs|encore) (?:dispos?|disponibles?|libres?)\b[^.!?\n]{0,60}\?",
    r"(?:qui|quelle commune) (?:aurait|a (?:un|une|des|du|de la)|pourrait|peut|possede|dispose)\b"
    r"(?! etre)",
    # "Y a-t-il des communes qui ont des grilles d'expo ?", "ya t il des gens qui ont…"
    r"(?:y ?a[- ]t[- ]il|y'a[- ]t[- ]il|il y a|y a|ya)\s+(?:quelqu'un|qqn|qq1|une commune"
    r"|des communes|une mairie|des gens|d'autres communes|des collegues)\s+qui\s+(?:en\s+)?"
    r"(?:a|ont|aurai(?:en)?t|possedent|possede|disposent|dispose)\b(?! (?:besoin|envie)\b)",
    r"(?:auriez|avez|aurait|auraient)[- ](?:vous|quelqu'un|qqn)",
    r"(?:pourriez|pouvez|pourrait|pourraient)[- ](?:vous|vs|elle|on)",
    r"(?:nous|me|m') depann(?:er|eriez|ez|erait|eraient)\b",
    # "si qqn nous les prête", "Caudan nous prêterait ses grilles": lent to the writer (not
    # "Inguiniel nous prête son groupe, merci à eux": told, not asked)
    r"(?:si|qui) (?:qqn |qq1 |quelqu'un |une commune |vous )?(?:nous|me|m') (?:les |le |la |l'"
    r"|en )?(?:prete|pretent)\b",
    r"(?<!ne )(?<!n')(?:nous|me|m') (?:les |le |la |l'|en )?preter(?:ait|aient)\b",
    r"(?:pourrait|pourraient|pourriez|peut|pouvez)[- ](?:elle|il|vous|on)? ?(?:nous|me|m') avancer",
    r"chez (?:qq1|qqn|qqun|quelqu'un|quelqu un|vous)\s*\?",
    r"(?:vous avez|avez-vous|auriez-vous|vous auriez) (?:ca|cela|ce qu'il faut)",
    r"serait-il possible d'(?:obtenir|avoir|emprunter|disposer)",
    r"vous (?:en )?(?:auriez|avez|disposez|possedez|auriez pas|avez pas)"
    r" (?:un|une|des|du|de la|d'|\d+ (?:de plus|en plus|autres|supplementaires))",
    # "Il vous reste des chevalets ? 3 me suffisent", "il vous en reste ?"
    r"(?:il )?vous (?:en )?reste(?:-t-il|rait)? (?:des|du|de la|un|une|encore|\d+|\?)",
    # "je me permets de vous solliciter…" is a formula: what follows says the act
    r"(?<!vous )sollicit(?:ons|e|er|erions|ons le pret|ons la mise)",
    # taking what another offered: "on le réserve pour le 14", "réservé pour nous !", "on
    # prend vos 20 chaises", "on est preneurs de la moitié", "vous pouvez nous les garder"
    r"(?:on|nous) (?:le|la|les|l') ?(?:prend|prenons|prendrait|prendrions|prendra|prendrons"
    r"|reserve|reservons)\b",
    r"reservee?s? pour nous",
    r"(?:sommes|est|serions|serait|suis) (?:bien |tres )?preneu(?:r|rs|se|ses) (?:de|d'|pour)",
    r"(?:nous|me) (?:le |la |les |l')?(?:garder|reserver)\b",
    r"on prend (?:vos|votre|les|le|la|l')\b",
    # "Merci Pont-Scorff ! On vous prend les 2 urnes"
    r"(?:on|nous) vous (?:les |le |la |l')?(?:prend|prenons|prendrait|prendrions)\b",
    r"(?:on|nous) en (?:veut|voulons|voudrait|voudrions|prendrait|prendrions) bien\b",
    *_KEEPING,
)
# Bought already: "on avait commandé le sel", "ont été commandées".
_DONE = (
    r"(?<!a )(?<!avons )(?<!ont )(?<!deja )(?<!avait )(?<!avions )(?<!aviez )(?<!avaient )"
    r"(?<!ete )(?<!etait )(?<!sont )(?<!est )"
)
# What a writer proposes when the proposal is to buy: "nous proposons un achat commun",
# "…d'en acheter une en commun", "…de porter un groupement".
_BUYING_OBJECT = (
    r"(?:un |une |l'|le |la |d'|de )?(?:achat|acquisition|groupement|commande|marche"
    r"|en acheter|acheter|en acquerir|acquerir|porter|lancer|coordonner|piloter|grouper"
    r"|mutualiser l'achat|nous regrouper)"
)
# Words after "pour" that name no commune: "ok pour le 14", "oui pour nous".
_NO_COMMUNE = (
    r"(?:nous|moi|le|la|les|l|ce|cette|ces|un|une|des|du|lundi|mardi|mercredi|jeudi|vendredi"
    r"|samedi|dimanche|demain|ca|cela)\b"
)
LEND = _words(
    r"(?:peut|peuvent|pouvons|pourrait|pourrions|peux|pourra|pourrons)"
    r"(?: vous| te| volontiers| egalement| aussi| les| la| le| en| vous en)?"
    r" (?:re)?(?:preter|mettre a disposition"  # "on peut la reprêter dès juillet"
    r"|ceder|fournir)",
    # a lender's yes to another commune: "Plouay : oui pour le podium à Inguiniel le 8 août",
    # "Caudan : broyeur OK pour Languidic mardi 14", "ok pour prêter la nacelle à Lanester"
    r"(?:oui|ok|d'accord) pour (?:preter|le pret)\b",
    r"(?:oui|ok|d'accord) pour (?:le|la|les|l'|nos|notre|ton|votre) ?[a-z'-]+(?: [a-z'-]+)?"
    r" (?:a|pour) (?!" + _NO_COMMUNE + r")[a-z][a-z'-]+ (?:le |ce |du |lundi|mardi|mercredi|jeudi"
    r"|vendredi|samedi|dimanche|\d)",
    r"(?:(?<=[a-z0-9] )|(?<=[a-z0-9], ))(?:ok|oui|d'accord|c'est bon) pour (?!"
    + _NO_COMMUNE
    + r")[a-z][a-z'-]+"
    r" (?:le |ce |du |lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|\d)",
    r"(?:nous|on) (?:pretons|prete|mettons a disposition|met a disposition|offrons"
    r"|(?:proposons|propose)(?! (?:donc |aussi |egalement )?" + _BUYING_OBJECT + r"))",
    # a commitment in the third person: "Quéven prêtera sa sono", "la commune mettra à
    # disposition ses 50 barrières", "Cléguer propose sa scie de sol"
    r"(?:pretera|preteront|mettra a (?:la )?disposition|mettront a (?:la )?disposition)\b",
    r"propose (?:sa|son|ses|leur|leurs|\d+) ",
    r"qui (?:est|serait) (?:preneur|preneuse|interesse)",
    # "Guidel en a 60 de libres"
    r"en (?:a|avons|ai) (?:encore )?\d+ (?:de )?(?:libres?|dispos?|disponibles?)",
    r"(?<!je )(?<!nous )(?<!je me )(?:est|sont|seront|sera|restent?|reste)"
    r" (?:disponibles?|dispos?|a disposition|pretables?|libres?)(?! (?:pour (?:tout|toute|vous"
    r"|en parler|echanger|repondre)|si besoin|par telephone))",
    r"libres? (?:du|des|de|a partir|jusqu|pour|le|en|toute|tout)\b",
    r"(?:disponibles?|dispos?|a disposition)"
    r" (?:du|des|de|d'|a partir|jusqu|pour|pr|aux|a|le|la|en|toute|tout|si|chez|ce|cet|cette"
    r"|avant|apres"
    r"|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|demain|apres-demain|cette)\b",
    # "il nous reste 5 barnums…, une commune les veut ?"
    r"(?:une commune|qqn|qq1|quelqu'un|quelqu un|qui) (?:les|le|la|en) (?:veut|voudrait|prend"
    r"|prendrait)\b",
    r"dispos? chez nous",
    r"(?:mettons|mettre|met) en commun",
    r"qui (?:dort|dorment) (?:au|dans|a)",
    r"(?:dispos?|disponibles?) quand (?:vous|tu) (?:voulez|veux|le souhaitez)",
    r"(?<!je )(?<!nous )(?:reste|restent|tient|tiennent|tenons|laissons) a (?:la |votre |leur )?"
    r"disposition(?! (?:pour|si|en cas|de vos))",
    r"prets? possibles?",
    r"(?:nous|on) (?:pouvons|peut) (?:vous |te )?(?:les |le |la )?preter",
    r"(?:nous|on) (?:vous )?(?:les|le|la|l'|en) ?(?:pretons|prete|preterons|pretera)\b",
    r"(?<!votre )(?<!restant a )(?<!reste a )(?<!restons a )(?:disponibles?|dispos?|a disposition)"
    r"\s*(?:$|[.,;!]|\n)",
    r"a preter",
    # given away: "A céder, Guidel : 25 bacs roulants", "les anciennes sont à donner"
    r"a ceder\b|(?:est|sont) a donner|a donner a qui",
    r"(?:proposer|propose|proposons|proposent) (?:en|au|le) pret",
    # "Port-Louis propose sa balayeuse": a commune offering what is its own
    r"(?:propose|proposons|proposent|proposera) (?:sa|son|ses|notre|nos|leur|leurs)\b"
    r"(?! (?:\w+ )?" + _BUYING_OBJECT + r")",
    r"pret (?:sur|a la) (?:simple )?demande",
    # "2 chauffages qui servent pas jusqu'au 20 décembre", "qui ne servent à rien l'été"
    r"qui (?:ne |n')?(?:sert|servent|servira|serviront) (?:pas|plus|a rien)\b",
    # "peut emmener notre table de mixage à qui en a besoin"
    r"(?:a|pour|aux?) (?:qui|ceux qui|celles qui|communes qui) en (?:a|ont|aurait|auraient|aura"
    r"|auront) (?:besoin|l'usage|envie)",
    r"si (?:ca|cela) peut (?:servir|rendre service|depanner)(?=\s*(?:$|[,.;:!)\n]))",
    r"(?:propose|proposons|proposent|proposera) de (?:vous |les |le |la )?preter",
    r"si (?:ca|cela) (?:interesse|peut servir|peut rendre service|rend service|dit)"
    r" (?:quelqu'un|qqn|qq1|une commune|d'autres|vous|a quelqu'un|a une commune)"
    r"(?! (?:de |d')(?:grouper|regrouper|se joindre|participer|s'associer|commander|acheter"
    r"|mutualiser|nous rejoindre))",
    r"(?:peut|peuvent|pourra|pourront|pourrait|pourraient|pouvant)(?: donc| aussi| egalement"
    r"| tout a fait| ainsi)? etre (?:pretee?s?|mise?s? a disposition|louee?s?)",
    # "la ville d'Hennebont dispose de deux remorques", "elle dispose de 150 chaises"
    r"(?:elle|(?<!votre )(?<!ta )(?<!leur )(?<!une )(?:ville|commune|mairie)\b[a-z' -]{0,30})"
    r" dispose (?:de|d'|actuellement de)",
    r"(?:communes?|collectivites?|celles?|ceux) (?:qui )?en (?:aurai(?:en)?t|ont|auront|auraient)"
    r" (?:besoin|l'usage|l'utilite)",
    r"(?:peut|peuvent|pouvons|pourrions|pourrons|pourra)"
    r" (?:donc |aussi |egalement |volontiers |tout a fait )"
    r"(?:vous |les |le |la )?(?:preter|mettre a disposition|ceder)",
    r"(?:mettre|mettons|met) (?:[\w']+ ){0,5}a (?:la |votre )?disposition",
    _DONE + r"(?<!avons )prete(?:r|ons)? (?:nos|notre) ",
    r"(?:nous|on|commune|mairie|ville) (?:\w+ )?(?:preterons|preterait|pretera|pretons|pretent)\b",
    r"(?:^|(?<=\n))\W*pretons\b",  # "prêtons 2 chariots, au port de Kernével"
    r"(?:dispos?|disponibles?|pretables?)\s*:",
    r"(?:met|mets|mettons|mettre|mis|mise|mises) a dispo",
    r"pretables?",
    r"(?:disponibles?|dispos?) (?:au|en|pour (?:le|un)) pret",
    r"(?:mise?s?|mettre|mettons|met|disponibles?|dispos?|proposee?s?|proposons) (?:au|en) pret\b",
    r"(?:pouvons|pourrions|pourrons|peut|pourrait|peuvent) (?:vous |les |le |la |en )*"
    r"(?:les |le |la )?(?:ceder|louer|laisser|fournir|depanner avec|apporter|envoyer|livrer"
    # (not "on peut passer les récupérer le 19": the borrower comes for them)
    r"|deposer|donner|passer(?! (?:les |le |la |l')?(?:recuperer|prendre|chercher|recup)))",
    # "les 20 lits de camp peuvent partir dans l'heure", "ils peuvent partir chez ceux qui…"
    r"(?:peut|peuvent|pourront|pourra) partir (?:des|dans|chez|vers|a|aujourd'hui|demain|ce)",
    r"si (?:qqn|qq1|quelqu'un|quelqu un|une commune|d'autres communes|vous|ca|cela) (?:en )?"
    r"(?:a|avez|ont|aurait|auriez|peut|rend service|depanne) (?:besoin|l'usage|interet)",
    # A reply to someone asking: "tu peux l'avoir dès lundi et le garder jusqu'à fin mars".
    r"(?:tu peux|vous pouvez|tu pourras|vous pourrez) (?:venir |passer )?(?:l'|les |le |la )"
    r"(?:avoir|garder|prendre|recuperer|emprunter|chercher)",
    # "nous ne pourrons pas prêter la friteuse": an offer in the negative, refused or taken back
    # (not a third party's "…auprès de Lorient, qui ne pourra pas prêter de matériel")
    r"(?:(?<!qui )(?:ne|n')|nous|on|je) (?:pourrons|pourrions|pouvons|pourra|pourrait|peut|peux"
    r"|pourrai|pourront|peuvent) (?:pas|plus) (?:vous |te |les |le |la |l')?(?:re)?preter\b",
    # "Lorient fournit 150 chaises", "Cléguer envoie 10 grilles", "Caudan peut mettre 40
    # barrières": a commune named as lender, as a coordinator relays it
    r"(?<!vous )(?<!nous )(?<!me )(?<!qui )(?<!qqn )(?<!on )(?:fournit|fournira|envoie|enverra"
    r"|apporte|apportera) (?:(?:sa|son|ses|leur|leurs)(?! propres?\b)|\d+)\b",
    r"(?:peut|peuvent|pourra|pourront) mettre \d+",
    # "Hennebont peut dépanner Lochrist : 15 barrières", "Plouay confirme le podium"
    r"(?<!qui )(?<!qqn )(?<!quelqu'un )(?:peut|peuvent|pourra|pourrait|pouvons|pourrons)"
    r" (?:vous |te )?depanner\b(?! (?:nous|moi|me)\b)",
    r"(?<!je )(?<!nous )(?<!on )(?<!vous )(?<!qui )confirme (?:le|la|les|l')\s*(?!(?:besoin|demande"
    r"|commande|participation|inscription|reservation|date|pret|emprunt|devis|rendez-vous|rdv"
    r"|reunion)s?\b)[a-z]",
    # "Ploemeur prête 1 tiralo", "Pont-Scorff prête sa sono": a commune named as lender.
    r"(?<!qui )(?<!qqn )(?<!qq1 )(?<!quelqu'un )(?<!vous )(?<!tu )(?<!me )(?<!nous )(?<!ne )"
    r"(?<!n' )(?<!est )(?<!sera )(?<!soit )(?<!etre )(?<!serait )prete"
    r" (?:sa|son|ses|leur|leurs|le|la|les|l'|\d+ (?!jours?|heures?|h\b|semaines?|mois))",
    r"(?:on|commune de [a-z-]+|mairie de [a-z-]+|ville de [a-z-]+) (?:prete|pretera|louera)"
    r" (?:sa|son|ses|nos|notre|leur|leurs|les|des|un|une|\d)",
    r"(?:nous|on) (?:avons|a|dispose|disposons|possede|possedons) [^.?!\n]{0,60}"
    r"(?:a preter|a disposition|disponibles?|dispo|libres? [^.?!\n]{0,40}si besoin)\b",
    # an association lending, as the town hall relays it: "le Judo Club accepte de prêter 30
    # tatamis", "les Amis de Kerdual prêtent leur barbecue", "la GV Calan en prête 15", "il
    # est prêt à le prêter", "l'UNC de Languidic vous le prête"
    r"accept(?:e|ent|ons|erait|eraient) de (?:vous |nous |les |le |la |l')?preter",
    r"(?<!vous )(?<!nous )(?<!me )pretent (?:leur|leurs|ses|sa|son|\d)",
    r"(?:est|sont) pret(?:e|s|es)? a (?:vous |les |le |la |l')?preter",
    r"(?<!me )(?<!nous )en (?:prete|pretent|pretera|preteront) \d",
    r"vous (?:le|la|les|l') ?(?:prete|pretent|pretera|preteront)\b",
    # "C'est bon pour nous : Lorient vous prête 80 barrières"
    r"(?<!nous )(?<!ne )(?<!n')vous (?:prete|pretera|preterons|pretons)"
    r" (?:\d|nos|notre|ses|sa|son|les|la|le|l'|des|un|une)",
    # "on a 20 tables pliantes libres à Locmiquélic", "on libère nos 5 tables lundi"
    r"(?:nous|on) (?:a|avons|aura|aurons) (?:encore )?\d+ [^.?!\n]{0,40}"
    r"\b(?:libres?|dispos?|disponibles?)\b",
    r"(?:nous|on) (?:libere|liberons|liberera|libererons) (?:nos|notre|les|la|le|l'|\d)",
    r"(?:can|could) lend\b",
    r"we have [^.?!\n]{0,60}\b(?:free|available)\b",
)
PURCHASE = _words(
    r"achet(?:er|ons|ez|erons|erait|erions|erai)\b",
    _DONE + r"achet(?!er|ons|ez|erons|erait|erions|erai)",
    r"rachet(?:er|ons|ez|erons|erait|erions|erai)\b",
    _DONE + r"rachet(?!er|ons|ez|erons|erait|erions|erai)",
    r"achat",
    r"acquer",
    r"acquisition",
    r"command(?:er|ons|ez|erons|erait|erions|erai)\b",
    _DONE + r"command(?!ee?s?\b|er|ons|ez|erons|erait|erions|erai)",
    r"groupement",
    # the noun: "commande d'éco-verres", "commande chez Casal Sport", "bons de commande"
    r"commandes? (?:de|d'|des|du|chez|groupees?|aupres|aux?)\b",
    r"bons? de commande",
    r"cdes?\b",
    r"renouvel",
    r"remplacer (?:notre|nos|le|la|les)",
    r"investi",
    r"devis",
    r"s'equiper",
    r"nous equiper",
    r"(?:doit|devons|faut|allons|va|voulons|souhaitons) (?:\w+ )?equiper",
    r"approvisionn",
    r"(?:a livrer|livree?s?|livraison) (?:avant|pour|d'ici|au plus tard|souhaitee|imperative)",
    r"(?:nous )?(?:grouper|regrouper|regroupe|regroupons)\b",
    r"achat commun",
    # "y a-t-il un marché groupé carburant en cours ?"
    r"marches? (?:groupes?|publics? commun|en commun|mutualises?)\b",
    r"group (?:purchase|buy|order)",
    # joining an order: "Mettez Locmiquélic pour 4 pneus", "comptez-nous pour 200 litres"
    r"(?:mettez|comptez|inscrivez|ajoutez|rajoutez)[- ](?:nous|moi|[a-z][a-z-]+) pour"
    r" (?:\d|un |une |des )",
    # a lot of a group order: "Lot 4 — outillage", "lot n° 2 (mobilier)"
    r"lot (?:no? ?)?\d{1,2}(?:\s*[:(]|\s{2,})",
    # "pompe vide-cave x5 dans la prochaine commande svp"
    r"(?:la|notre|votre) prochaine commande\b",
    # added to a colleague's order: "tu peux me rajouter 30 coffrets sur ta commande ?",
    # "ajoute-nous 70 cornets", "me commander 12 kg en plus avec les tiennes"
    r"(?:sur|a|dans) (?:ta|votre|sa|leur) commande\b",
    r"(?:ajoute|rajoute|ajoutez|rajoutez)[- ](?:nous|moi) (?:\d|un |une |des )",
    r"(?:me|nous) (?:ajouter|rajouter|commander) (?:\d|un |une |des )",
)
BORROW = _words(
    r"emprunt(?!ent\b|aient\b|ait\b|ee?s?\b|eurs?\b|euses?\b)",
    r"(?:nous|me|m') preter",
    r"preter (?:a|au|aux) (?:la |notre )?(?:commune|mairie|ville)",
    r"(?<!au )(?<!en )(?<!a )pret (?:de|d'|du|des)",
    r"besoin",
    r"faudrait",
    r"manque",
    r"louer",
    r"location",
    r"reserv",
    # (not "on les cherche partout": lost, not wanted)
    # (nor "notre agent viendra chercher la nacelle": picked up)
    r"(?<!\bles )(?<!\bla )(?<!\ble )(?<!\bl')(?<!venir )(?<!viendra )(?<!viendrai )"
    r"(?<!viendrons )(?<!vient )(?<!passer )(?<!passerai )(?<!passera )(?<!passerons )cherch",
    r"recherch",
    r"souhait",
    r"voudri",
    r"aimeri",
    # "on voudrait les barrières vauban" (not "je voudrais savoir si…")
    r"(?:on|nous|je|j') ?voudr(?:ait|ais|ions)\b(?! (?:savoir|connaitre|comprendre|remercier"
    r"|signaler|preciser|rappeler|vous (?:dire|informer|signaler|remercier|rappeler)))",
    # "par contre on aimerait bien 4 micros en plus"
    r"(?:on|nous|j') ?aimer(?:ait|ais|ions) (?:bien |beaucoup )?(?:\d|un |une |des |du |de la )",
    r"demand",
    r"(?:auriez|avez|auraient|aurait|a)[- ](?:vous|quelqu'un|qqn|on)",
    r"quelqu'un (?:aurait|a|peut|pourrait)",
    r"qqn",
    r"disposer de",
    r"mise a disposition",
    r"il nous (?:faut|faudra)",
    r"(?:serions|sommes|serait|suis|est|sont|seraient) (?:tres |aussi |egalement )?"
    r"interesse(?:e|s|es)?(?: aussi| egalement)? (?:par|pour)",
    r"(?:aurait|aurions|avons|a|aurons) (?:l'utilite|l'usage) (?:de|d')",
    r"(?:nous|on) (?:prendrons|prendrions|prenons|prendra|prendrait)\b",
    r"(?:nous|on) (?:aurions|aurait|aura|avons) besoin",
    # "on se positionne sur la nacelle du 10 au 12 mai"
    r"(?:nous|on) (?:se |nous )?positionn(?:e|ons|erait|erions) sur",
)


# Thanks, news of a return, a question about prices: items named, nothing asked.
NOT_A_REQUEST = _words(
    r"merci (?:pour|de|encore pour) (?:le|la|les|votre|vos|ce|ces|l')",
    r"(?:a|ont) (?:bien )?ete"
    r" (?:rendue?s?|restituee?s?|rapportee?s?|recuperee?s?|livree?s?|ramenee?s?)",
    r"bien (?:recue?s?|rendue?s?|arrivee?s?)",
    r"bien ete (?:rendue?s?|restituee?s?|rapportee?s?|recuperee?s?|livree?s?)",
    # a reminder to bring back what was lent: "n'oubliez pas de ramener les 30 cônes",
    # "rappel : les 25 tables prêtées doivent nous revenir lundi"
    r"(?:n'oubliez pas|pensez|merci|rappel[^.!?\n]{0,60}?) (?:de |a )?(?:bien )?(?:nous )?"
    r"(?:les |le |la |l')?(?:ramener|rapporter|rendre|restituer|retourner)\b",
    r"(?:confirmons|confirme) (?:la |le )?(?:restitution|retour)\b",
    r"(?:pourriez|pouvez)[- ]vous (?:nous )?(?:les |le |la |l')?"
    r"(?:ramener|rapporter|rendre|restituer|retourner)\b",
    r"(?:doivent|doit|devront|devra) nous (?:revenir|etre (?:rendue?s?|restituee?s?))",
    # the state of a request already made: "le prêt de barrières est confirmé ?"
    r"(?:est|sont)(?: bien| toujours)? confirmee?s?\s*\?",
    # the result of a consultation: "le marché a été attribué à"
    r"(?:a|ont) ete attribuee?s?|attribuee? a l'entreprise",
    # what was found after an event: "nous avons constaté : 2 chaises cassées", "nous avons
    # retrouvé une veste bleue et une glacière"
    r"(?:nous avons|on a|j'ai|ont ete|a ete) (?:constate|retrouvee?s?)\b",
    r"objets? trouves?",
    # what came back, and the papers of a loan: "il manque 4 chaises dans le lot qu'on nous a
    # rendu", "merci de nous envoyer le bon de retour"
    r"(?:qu'on|que l'on|que vous|qu'ils|qu'elles) nous (?:a|avez|ont) (?:rendue?s?|rapportee?s?"
    r"|ramenee?s?|restituee?s?)",
    r"(?:envoyer|renvoyer|transmettre|faire parvenir|retourner) (?:le|la|les|un|une|votre|vos)"
    r" (?:bons?|factures?|conventions?|devis|documents?|formulaires?|attestations?|titres?"
    r"|fiches?|etat des lieux|photos?)\b",
)
# Questions about prices or the process: whatever items they name, nothing is asked.
QUESTION = _words(
    r"combien (?:coute|coutent|ca coute|cela coute)",
    # asking about the process or putting off: "vous savez si l'achat groupé est ouvert aux
    # CCAS ?", "on peut en reparler lundi ?", "je n'ai pas bien compris votre message"
    r"(?:vous savez|tu sais|savez-vous|sais-tu) si(?! (?:qqn|qq1|quelqu'un|une commune|vous|tu)"
    r" (?:a|aurait|peut|pourrait|dispose|possede)\b)",  # "tu sais si qqn a une tente à prêter ?"
    r"(?:on|nous) (?:peut|pourrait|pourrions|pouvons) en (?:reparler|discuter)",
    r"(?:je n'ai|j'ai) pas (?:bien )?compris",
    r"quel (?:est )?(?:le )?(?:prix|tarif|cout)",
    r"comment (?:fonctionne|marche|ca marche|faire|proceder|s'inscrire|participer)",
    r"qui (?:redige|s'occupe|gere|porte|coordonne)",
    r"(?:c'est quoi|quels? sont|quelles? sont|connaitre) (?:le |la |les |vos )?"
    r"(?:tarifs?|prix|couts?|conditions)",
    r"(?:le|les) (?:tarifs?|prix|couts?)(?: journaliers?| de (?:la )?location)?"
    r" (?:pour|de|du|d'|des)"
    r"(?=[^.!\n]*\?|[^.!\n]*(?:tarif convention|communiquer|connaitre))",
)
# Nothing to ask, said in so many words: "rien à demander", "pas de demande de prêt".
NOTHING_ASKED = _words(
    r"rien a (?:demander|solliciter|emprunter)",
    r"(?:pas de|aucune) demande(?! (?:de (?:retrait|annulation)))",
    r"(?:ce n'est|ce n est|c'est) pas une (?:offre|demande)",
    r"(?:pas de|aucun) besoin (?:de materiel|en materiel|particulier|de pret|d'emprunt"
    r"|de location|pour (?:l'instant|le moment))",
    # greetings: "(l'équipe) vous souhaite de joyeuses fêtes", not "nous souhaitons une bonne sono"
    r"vous souhait(?:e|ons|ent) (?:a tous |a toutes |a toutes et a tous )?(?:de |d'|une? )?"
    r"(?:joyeuses|joyeux|bonnes?|excellentes?|belles?|beaux?|meilleurs|tres)",
    r"souhait(?:e|ons|ent) (?:a tous |a toutes |a toutes et a tous )?(?:de |d'|une? )?"
    r"(?:joyeuses|joyeux|bonnes?|excellentes?|belles?|beaux?|meilleurs)"
    r" (?:fetes|annee|vacances|journee|soiree|week-end|continuation|rentree|noel)",
)
# Buying said in so many words wins over any question in the same message.
_BUY_OUTRIGHT = (
    r"(?:doit|devons|dois|devrions|devrait|faut|souhaitons|voulons|allons|va|vais|vont|comptons"
    r"|veut|veux|voudrait|souhaite|souhaiterait|aimerait"
    r"|compte|pensons|prevoit|prevoyons|envisageons"
    r"|envisage|aimerions|voudrions|besoin d')"
    r" (?:en |les |le |la |l')?(?:re)?(?:acheter|achat|acquerir|acquisition|commander)"
)
# "nous envisageons l'achat d'un radar, quelqu'un a un retour ?": bought, whatever is asked
BUYS_OUTRIGHT = _words(_BUY_OUTRIGHT)
BUYING = _words(
    _BUY_OUTRIGHT,
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


# "ne … pas" around the act's own verb, "pas besoin": the clause says what is not wanted.
_NEGATION = re.compile(
    r"\b(?:ne|n')\s*(?:[a-z'-]+\s+){0,3}?(?:pas|jamais|point|guere|nullement)\b"
    r"|\bpas (?:de |d'|du |des |besoin|necessaire|utile|la peine)"
    r"|\b(?:on|nous|je|j') (?:[a-z'-]+ ){0,1}(?:pourra|pourrons|pourrait|pourrions|peut|pouvons"
    r"|aura|aurons|a|avons|aurait|aurions) pas\b"
)
_NOT_NEGATION = re.compile(
    r"\bn'hesit\w*|\bne manqu\w*|\bne (?:[a-z'-]+\s+){0,3}?que\b"
    r"|\bne (?:sert|servent|servira|serviront|servait|servaient) (?:pas|plus)\b"  # an offer
    r"|\bpas (?:de |d')?(?:souci|probleme|urgence|rush)s?\b|\bpas de date\b|\bpas encore\b"
    # a request sent again: "2e demande (pas de réponse la semaine dernière)"
    r"|\bpas (?:de |eu de )?(?:reponses?|retours?|nouvelles)\b"
)
# A question in the negative still asks: "vous n'auriez pas 2 barnums ?".
_NEGATIVE_QUESTION = re.compile(
    r"(?:n'auriez|n'avez|n'aurait|n'a|ne pourriez|ne pourrait|ne pouvez)[- ]?(?:vous|on|il|elle"
    r"|quelqu'un|personne)?\b|\bvous n'(?:auriez|avez)|\bquelqu'un n'(?:aurait|a)"
)
# "nous avons déjà les tables, donc pas besoin": what the writer has, never asked.
_HAVE_ALREADY = re.compile(r"\b(?:avons|a|ont|ai|possedons|disposons) deja\b")
# "pas besoin … finalement": a need said before, taken back.
_AFTER_ALL = re.compile(
    r"\b(?:finalement|au final|en fait|plus la peine|annul|donc|demandee?s?|comme prevu"
    r"|erreur de (?:ma|notre) part|je me suis trompee?|nous nous sommes trompes)"
)
# An offer asked of others is a request: "qqn en a une à prêter ?", "dispo chez vous ?".
_ASKED_OF_OTHERS = re.compile(
    r"\b(?:qqn|qq1|qqun|quelqu'un|quelqu un|vous|une commune|une autre commune|qui)"
    r"\s+(?:[a-z']+\s+){0,2}?(?:a|aurait|auriez|avez|aurais|possede|dispose|disposez|peut"
    r"|pourrait|pourriez|pouvez)\b[^?]*\?"
    r"|\bdispos? chez (?:qqn|qq1|qqun|quelqu'un|quelqu un|vous)\b"
    # "votre minipelle serait dispo du 20 au 22 ?": someone else's, asked for
    r"|\b(?:votre|vos)\s+(?:[a-z'-]+\s+){1,3}(?:serait|est|sont|seraient|sera|seront)"
    r"\s+(?:encore\s+|toujours\s+)?(?:dispos?|disponibles?|libres?)\b[^?]*\?"
)
_OFFERED = re.compile(
    r"\b(?:(?:qui|qqn|qq1|quelqu'un|quelqu un) (?:en )?(?:veut|voudrait|est interesse"
    r"|serait interesse|est preneur|serait preneur)|interesse)"
)
_OTHERS_MAY = re.compile(
    r"\bsi (?:une (?:autre )?commune|des communes|d'autres communes|qqn|quelqu'un|vous|ca vous"
    r"|(?:un|une|des) (?:club|clubs|asso|assos|association|associations|comite|comites|amicale"
    r"|amicales|ecole|ecoles|service|services))"
    r" (?:\w+ ){0,2}?(?:veut|veulent|souhaite|souhaitent|voulez|souhaitez|a besoin|ont besoin"
    r"|interesse|interessent)\b"
)
# Others may borrow from the writer: "vous pouvez nous emprunter nos housses", "les communes
# peuvent venir emprunter notre podium".
_MAY_BORROW_OURS = re.compile(
    r"\b(?:vous|tu|les (?:autres )?communes|d'autres communes|toute commune|chaque commune)"
    r" (?:pouvez|pourrez|pourriez|peux|pourras|peuvent|pourront|pourraient)"
    r" (?:(?:donc|aussi|toujours|tout a fait|venir|passer)\s+)*"
    r"(?:(?:nous|me) (?:les |l')?emprunter\b|emprunter (?:nos|notre|mon|ma|mes)\b)"
)
_FIRST_PERSON = re.compile(r"\b(?:nous|notre|nos|on|je|j'|mon|ma|mes)\b")
# Politeness that asks, when nothing else in the message does.
_PLEASE = _words(r"svp|stp|s'il vous plait|s'il te plait|merci d'avance|par avance")
# Thanks for a loan, or papers: nothing asked, no event announced.
THANKS = _words(
    # "merci de l'ajouter au calendrier" asks something; "merci de votre aide" thanks
    r"merci(?!\s+(?:de|d')\s*(?:(?:l'|les|le|la|nous|me|m'|lui|leur|y|en)\s*)?"
    r"(?!(?:votre|vos|notre|nos|ton|ta|tes|leur|leurs)\b)[a-z]+(?:er|ir|re)\b)",
    r"remerci",
    r"trugarez",
    r"a charge de revanche",
    r"convocation",
    r"invitation",
    r"ordre du jour",
    r"vous convier",
    r"(?:etes|sont) convie",
    r"comite de pilotage",
    r"factur",
    r"ci[- ]joint",
    r"deliberation",
    r"convention",
    r"bon de commande",
    r"titre de recette",
)
# Said before any act: thanks, questions that ask nothing, invoices, asking for papers.
_SAYS_NOTHING = _words(
    r"merci\b[^.?!\n]{0,25}?\b(?:pour|pr|de|du|des|a) (?:le|la|les|l'|l |votre|vos|ce|ces|ton|ta"
    r"|tes|leur|leurs|ce|cette|son|sa|ses)\b(?! (?:nous|me) )",
    r"(?:super|grand|un grand|encore) merci",
    r"remerci\w*",
    r"trugarez\b",
    r"(?:petite |une |ma |autre )?question\s*:",
    r"(?:une|petite|j'ai une|nous avons une) question (?:avant|sur|concernant|a propos|pratique)",
    # asks for a contact; "suite à votre mail du 15/09" only refers to one
    r"(?<!suite a )(?<!reponse a )(?<!suite au )(?:le|son|leur|votre|ton) (?:numero|telephone"
    r"|tel|mail|courriel|contact|adresse|coordonnees)\b(?! (?:du|d'hier|de ce|de la semaine)\b)",
    r"(?:faut[- ]il|il faut|doit-on|doit on|on doit) passer par",
    r"est-ce (?:possible|autorise|permis)|la plateforme permet|reserve aux",
    r"(?:veuillez trouver|vous trouverez|trouverez|je vous adresse|je vous transmets) ci[- ]joint",
    r"factur",
    r"titre de recette",
    r"ordre du jour",
    r"compte[- ]?rendu",
    # "je vous transfère le devis du frigoriste pour info": passed on, nothing asked
    r"(?:transfere|transmets|fais suivre|envoie|joins)\b[^.!?\n]{0,60}\bpour info",
    r"convocation",
    r"(?:pourriez|pouvez|pourrais|peux|pourriez-vous|pouvez-vous)[- ]?(?:vous|tu)?\s*(?:me |nous )?"
    r"(?:renvoyer|envoyer|retourner|transmettre|signer|confirmer|rappeler|dire|indiquer|preciser"
    r"|communiquer|faire suivre|faire parvenir|tenir au courant)",
    r"(?:des|de) nouvelles",
    r"(?:une|des) idees?\b",
    r"(?:un|des) (?:avis|retours?|conseils?)\b",
    r"(?:est-ce que|est ce que) (?:qqn|quelqu'un|quelqu un|vous|tu|on) (?:sait|savez|saurait"
    r"|sauriez|connait|connaissez|a deja|avez deja|peut me dire|pourrait me dire)",
    r"(?:savez-vous|sauriez-vous|vous savez|qqn sait|quelqu'un sait|quelqu un sait|qui sait)",
    r"(?:est-ce que vous avez besoin|avez-vous besoin|vous faut-il|faut-il vous)",
    r"(?:ne|n')\s*(?:savons|sais|sait|savent) pas (?:encore )?si",
    # asked, not "on sait pas encore combien," said in passing
    r"(?:comment|combien|pourquoi)\b(?=[^.!\n]*\?)|^\W*(?:comment|combien|pourquoi)\b"
    r"|c'?\s?est combien|(?:ca|cela) (?:coute|fait) combien",
    r"quel(?:le)?s? (?:cle|est|sera|serait|montant|prix|tarif|date|delai|procedure|modalite"
    r"|repartition|participation|calendrier|fournisseur|prestataire|marche|solution)",
    r"(?:la |une )?repartition (?:se fera|des couts|des frais|au prorata)|au prorata",
    r"(?:faut-il|est-ce qu'il faut|faut il|il faut obligatoirement|obligatoire) (?:\w+ ){0,3}"
    r"(?:signer|une convention|passer|fournir|une attestation)",
    r"qui (?:assure|paie|paye|prend en charge|s'occupe)(?=[^.!\n]*\?)",
    r"qui est (?:le|la|l')",
    r"(?:ou|quand) (?:en est|en sont|sera|seront|aura lieu)",
    r"(?:est|sont) (?:bien )?(?:rendue?s?|rentree?s?|revenue?s?|restituee?s?|arrivee?s?|livree?s?)",
    # (not "ok pour nous 2 tables", "ok pour nous sur le devis : 15 souris": taken)
    r"c'?est note|c note|bien note|ok pour (?:moi|nous)(?![^.!?\n]{0,40}\b\d+\s+[a-z])",
    r"^\W*(?:vu|ok|d'accord|dac|bien recu|parfait|super|top|entendu|note|recu)\b"
    r"[\s,.!]*(?:merci)?\W*$",
    r"(?:c'est|c) pour quand|pour quand\s*\?|(?:a|pour) quand (?:est|sera|le|la)",
    # "la date limite pour la commande de papier, c'est toujours fin janvier ?"
    r"(?:la|une) (?:date limite|date butoir|echeance)\b(?=[^.!\n]*\?)",
    # how to ask, in an offer: "les demandes sont à adresser au service logistique"
    r"(?:les |vos )?demandes? (?:sont|est|seront|doivent etre|peuvent etre) a (?:adresser"
    r"|envoyer|faire|transmettre)|(?:adresser|envoyer|transmettre) (?:vos|les) demandes",
    # experience, advice, keys and warnings: "qqn a déjà utilisé…", "qqn connaît un bon…"
    r"(?:qqn|qq1|quelqu'un|quelqu un|vous|on) (?:a|avez|aurait) deja (?:utilise|essaye|teste"
    r"|eu affaire|travaille)",
    r"(?:qqn|qq1|quelqu'un|quelqu un|vous) (?:connait|connaissez|conseille|conseillez"
    r"|recommande|recommandez|saurait|sauriez)",
    r"des retours\s*\?|des avis\s*\?|(?:un|des) retours? d'experience",
    # about a loan under way, or the service: "il faut les rendre pleins ou vides ?"
    r"(?:faut[- ]il|il faut|doit-on|on doit) (?:les |le |la |l')?(?:rendre|rapporter|restituer"
    r"|stocker|nettoyer|laver)\b(?=[^.!\n]*\?)",
    r"(?:a|avez) (?:bien )?(?:enregistre|recu|pris en compte) (?:ma|notre|la) demande",
    r"qui a (?:les|la|le) (?:cles?|code|badge)",
    r"faites (?:gaffe|attention)|pour info(?:rmation)?,? (?:la|le|les) [a-z' -]{3,40} (?:est|sont)"
    r" (?:hs|en panne|cassee?s?)",
    r"(?:c'est|est-ce) normal|(?:il|elle) est a qui|a qui (?:est|appartient)",
    r"(?:c'?est|c) qui|qui (?:est|sera) (?:le|la) (?:contact|referent|responsable|porteur|pilote)",
    r"quel(?:le)? est (?:le|la) (?:contact|referent|responsable|procedure|demarche|date)",
)
# Said after the acts: news of what the commune has, papers, plans.
_TRANSPORT_OFF = (
    r"(?:bateaux?|traversees?|ferry|navettes?|rotations?|fret|livraisons?|camion)\b[^.!?\n]{0,40}"
    r"\b(?:annulee?s?|supprimee?s?|reportee?s?|decalee?s?)\b"
)
_TRANSPORT_OFF_RE = re.compile(_TRANSPORT_OFF)
_INFO = _words(
    r"(?:nous|on nous|vous nous) (?:a|avez|ont|aviez|avaient) (?:ete )?(?:prete|pretes|pretee"
    r"|loue|fourni|mis a disposition)",
    # the way a loan agreed goes: "on passe les prendre", "je passerai les chercher mardi",
    # "notre agent viendra chercher la nacelle"
    r"(?:passer|passe|passerai|passera|passerons|passerez|viendra|viendrai|viendrons|viendront"
    r"|vient|venir|venons|viens) (?:les |la |le |l' ?)?(?:prendre|chercher|recuperer|rapporter"
    r"|rendre|ramener|deposer)",
    r"(?:on|nous) (?:a|avons) (?:abime|casse|perdu|endommage|oublie|eu|fait|utilise|essaye|teste"
    r"|installe|monte|demonte)",
    r"(?:a|ont|avons|avez) (?:deja |bien )?(?:commande|achete|acquis|recu|recupere|loue|trouve"
    r"|rendu|restitue|rapporte|ramene)\b",
    r"(?:nous|vous|leur) (?:a|ont|avait|avaient) deja (?:propose|prete|fourni|offert|donne)\b",
    r"(?:nous|on) (?:avons|a|possedons|disposons)(?: deja| bien)? (?:le|la|les|l'|notre|nos)\b",
    r"(?:nous|on) (?:avons|a|possedons|disposons) deja",
    r"en panne",
    r"convention",
    # (not "comme l'an dernier : 30 paires de gants", "les bacs de l'an dernier, 12 pareils":
    # the same again, asked)
    r"(?<!comme )(?<!que )(?<!de )l'an(?:nee)? (?:dernier|derniere|passee)",
    r"pour info\b|pr info\b|(?:pour|a titre d') ?information",
    r"(?:nous|on) (?:avions|aviez) (?:emprunte|prete|loue)",
    r"calendrier",
    # stock and inventory, said for information: "60 en stock, 8 en réparation"
    r"en stock\b|etat (?:du|de notre|de nos) stocks?|manquent? a l'inventaire|(?:a|avez) vu passer",
    r"(?:nous|on) (?:vous )?(?:rapporterons|rendrons|ramenerons|rapportera|rendra|ramenera"
    r"|deposerons|deposera|restituerons)\b",
    r"ne pas (?:le |la |les )?preter",
    # "ok pour 14h mardi pour rendre le percolateur"
    r"\bpour (?:vous |nous )?(?:les |le |la |l')?(?:rendre|ramener|rapporter|restituer)\b",
    # what the storm did: "le vent a plié 2 barnums", "on a cassé 3 chaînes"
    r"(?:le vent|la tempete|la foudre|l'orage|la grele|la crue) (?:a|ont) (?:\w+ )?"
    r"(?:plie|casse|arrache|endommage|abime|couche|emporte|detruit|renverse)",
    r"(?:ont|a) ete (?:endommagee?s?|cassee?s?|arrachee?s?|abimee?s?|detruite?s?|volee?s?)",
    # the crossing or the delivery cancelled, a return late: "le bateau fret de jeudi est
    # annulé (houle)", "traversées annulées demain", "rendue avec 2 jours de retard"
    _TRANSPORT_OFF,
    r"\d+ jours? de retard|avec du retard|en retard\b",
)


class Act(enum.Enum):
    """What one clause does."""

    ASK = "ask"  # asks another commune for a loan
    OFFER = "offer"  # offers equipment
    BUY = "buy"  # buying said in so many words
    PURCHASE = "purchase"  # a word of purchasing (devis, commande, achat...)
    NEED = "need"  # a need, of a kind to decide (besoin, il faudrait...)
    PLEASE = "please"  # only politeness that asks ("svp")
    WITHDRAW = "withdraw"
    DECLINED = "declined"  # an ask or an offer in the negative: what it names is not wanted
    INFO = "info"  # thanks, returns, questions, invoices: names items, asks nothing


POSITIVE = (Act.BUY, Act.ASK, Act.OFFER, Act.PURCHASE, Act.NEED)
_CUES = (
    (Act.BUY, BUYING),
    (Act.ASK, ASKING),
    (Act.OFFER, LEND),
    (Act.PURCHASE, PURCHASE),
    (Act.NEED, BORROW),
)
INTENT_OF = {  # the intent each act declares
    Act.BUY: Intent.PURCHASE,
    Act.PURCHASE: Intent.PURCHASE,
    Act.ASK: Intent.BORROW,
    Act.NEED: Intent.BORROW,
    Act.PLEASE: Intent.BORROW,
    Act.OFFER: Intent.LEND,
}


def _positive(text: str) -> tuple[Act, re.Match[str]] | None:
    for act, cues in _CUES:
        found = cues.search(text)
        if found is not None:
            return act, found
    return None


_EXCEPT = re.compile(
    r"^\W*(?:mais\s+|et\s+)?(?:pas\s+(?:de|d'|des|du|les?|la)|sans|ni|sauf|hormis)\b"
)


# "la balayeuse reste pour nos besoins": kept, not offered.
_KEPT = re.compile(
    r"\b(?:restent?|reste|sont|est|gardons|conservons|garde|conserve)\s+(?:[a-z']+\s+){0,2}"
    r"(?:pour|a) (?:nos|notre) (?:propres? )?(?:besoins?|usage|utilisation|service)"
)


# "Nous maintenons en revanche la demande de 40 tables": a request already made, kept as it
# is beside a withdrawal; nothing new.
_MAINTAINED = re.compile(
    r"\b(?:maintenons|maintient|maintiens|maintenez|gardons|conservons)\s+"
    r"(?:(?:en revanche|par contre|toutefois|cependant|bien)\s+)?(?:la|notre|nos|les|ma|mes)\s+"
    r"(?:demandes?|besoins?|reservations?)\b"
    r"|\b(?:la|notre|ma) (?:demande|reservation) (?:de [^.;!?]{0,60})?(?:est|reste) maintenue\b"
    # "on annule les projecteurs mais on garde la machine à fumée"
    r"|\b(?:on|nous) (?:garde|gardons|conserve|conservons) (?:la|le|les|l'|nos|notre|quand meme)\b"
    # "les 60 barrières restent demandées": kept beside what is withdrawn
    r"|\b(?:reste|restent) (?:toujours |bien )?(?:demandee?s?|maintenue?s?|reservee?s?"
    r"|d'actualite)\b"
)
# The verb alone, its object in the clause after it: "nous maintenons | en revanche la
# demande de 40 tables".
_MAINTAIN = re.compile(r"^\W*(?:nous|on|je)\s+(?:maintenons|maintient|maintiens|gardons)\W*$")


def maintains(text: str) -> bool:
    """Whether a folded clause is a verb keeping what the next clause names."""
    return _MAINTAIN.match(text) is not None


# "si vous ne pouvez fournir que 20 tables": the other commune's act, said as a condition.
_IF_YOU = re.compile(
    r"^\W*(?:du coup\s+|alors\s+|mais\s+)?si (?:vous|tu|la commune|votre commune)\b"
)


# "notre fête est annulée", "si jamais notre bal est annulé", "Halloween annulé chez nous",
# "si pluie on annulera le feu": an event called off, not a request or an offer withdrawn.
_EVENTS_OFF = (
    r"fetes?|bal|bals|courses?|concerts?|spectacles?|repas|feu|feux|halloween|manifs?"
    r"|manifestations?|vide-greniers?|marches?|carnaval|festival|soirees?|ceremonies?|brocantes?"
    r"|kermesses?|tournois?|matchs?|sorties?|animations?|evenements?|vin d'honneur|defile"
)
_EVENT_OFF = re.compile(
    rf"\b(?:{_EVENTS_OFF})\b[^,.;:!?()]{{0,30}}?\b(?:est|sont|a ete|ont ete|sera|seront"
    r"|serait|seraient|etant)?\s*(?:finalement\s+|peut-etre\s+|donc\s+)?annulee?s?\b"
    rf"|\bannul(?:e|ons|er|era|erons|eront|erait)\s+(?:le|la|les|notre|nos|son|sa)\s+"
    rf"(?:{_EVENTS_OFF})\b"
)


# What the writer no longer needs of their own, offered in the same breath.
_NO_LONGER_OURS = re.compile(
    r"\bplus besoin\b[^?]{0,120}\b(?:(?:pouvons|peut|pourrions|pourrait|allons|va|souhaitons)"
    r"\s+(?:vous\s+)?(?:les|la|le|l')\s*preter|(?:les|la|le|l')\s*(?:pretons|preterons|pretera)"
    r"|(?:sont|est)\s+(?:donc\s+)?(?:dispo|disponibles?|pretables?|a disposition))\b"
)


def event_called_off(text: str) -> bool:
    """Whether a folded clause calls an event off rather than withdraw what was said."""
    return _EVENT_OFF.search(text) is not None


# An event off only if what is asked is not found: a threat, not a withdrawal.
_OFF_UNLESS = re.compile(r"\bannulee?s?\b[^.;!?]{0,25}\bsi (?:on|nous|je)\b[^.;!?]{0,20}\bpas\b")


# "suite à l'annulation de notre repas, 2 frigos dispo": a cancellation given as the reason.
_BECAUSE_CANCELLED = re.compile(
    r"\b(?:suite a|en raison de|vu|apres|du fait de|avec) l'annulation (?:de|du|des)\b"
)


# "il est dispo pour le 1er mai si qqn veut", "on a une bétonnière… si qqn en veut": offered.
_FOR_ANYONE = re.compile(
    r"\bsi (?:(?:qqn|qq1|qqun|quelqu'un|quelqu un|une commune|d'autres communes)(?: en)?"
    r" (?:veut|veulent|a besoin|ont besoin|est interessee?|sont interessees?|cherche"
    r"|a des (?:petits )?travaux|a un chantier)"
    r"|vous (?:en )?(?:voulez|avez besoin|etes interesses?)|ca (?:vous )?interesse)\b"
)
# The condition of an offer, said as its own clause: "si qqn a besoin d'une balayeuse,".
_IF_SOMEONE = re.compile(
    r"^\W*si (?:qqn|qq1|qqun|quelqu'un|quelqu un|une commune|d'autres communes|vous)"
    r" (?:en )?(?:(?:a|ont|avez) besoin|cherchent|cherche|cherchez|recherche|recherchez)\b"
    r"[^?]*$"
)
_WE_HAVE = re.compile(
    # ("si qqn cherche des gilets jaunes, on en a une trentaine")
    r"\b(?:on|nous) (?:en )?(?:a|avons|dispose|disposons|possede|possedons)\b(?! (?:besoin|pas))"
    r"|\bdispos?\b|\bdisponibles?\b|\blibres?\b"
)


_OTHERWISE = re.compile(r"^\W*(?:sinon|si non|autrement|dans le cas contraire)\b")


def act_of(text: str) -> Act | None:
    """What a folded clause does, or None when it has no cue of its own."""
    if (
        _FOR_ANYONE.search(text)
        and _WE_HAVE.search(text)
        and not CANCEL.search(text)
        and ("?" not in text or _FIRST_PERSON.search(text))
    ):
        return Act.OFFER
    if _IF_SOMEONE.match(text):
        return Act.INFO  # "si qqn a besoin d'une balayeuse, la nôtre est dispo": a condition
    if (_MAINTAINED.search(text) or maintains(text)) and not CANCEL.search(text):
        return Act.DECLINED
    if _OTHERWISE.match(text) and CANCEL.search(text):
        return Act.INFO  # "… encore libre ? sinon laissez tomber": withdrawn only if refused
    if CANCEL.search(text):
        if not CANCEL.search(_TRANSPORT_OFF_RE.sub(" ", text)):
            # "le bateau de jeudi est annulé, la motopompe arrivera samedi": the crossing is off
            found = _positive(text)
            return found[0] if found is not None else Act.INFO
        found = _positive(text) if _BECAUSE_CANCELLED.search(text) else None
        if found is not None and found[0] is Act.OFFER:
            return Act.OFFER
        if _NO_LONGER_OURS.search(text):
            return Act.OFFER  # "nous n'avons plus besoin des 2 modules… nous pouvons les prêter"
        if not CANCEL.search(_EVENT_OFF.sub(" ", text)):
            # "on prête nos friteuses si jamais notre bal est annulé": the event is off
            found = _positive(text)
            if found is None and _OFF_UNLESS.search(text):
                return Act.INFO  # "repas des anciens annulé chez nous si on trouve pas"
            return found[0] if found is not None else Act.WITHDRAW
        return Act.WITHDRAW
    if _IF_YOU.match(text) and "?" not in text:
        return Act.INFO
    bought = BUYS_OUTRIGHT.search(text)
    if bought is not None and not _negated(text, bought) and not QUESTION.search(text):
        return Act.BUY
    if _KEPT.search(text):
        return Act.DECLINED
    if _EXCEPT.match(text):
        # "…mais pas de tables": what is not asked; but "pas de conseil en juillet : nos
        # micros sont disponibles" says its act after the colon.
        _, colon, rest = text.partition(" : ")
        if colon and _positive(rest) is not None:
            return act_of(rest)
        return Act.DECLINED
    if KEEPING.search(text) and "?" in text:
        return Act.ASK  # "… peuvent rester jusqu'au 3 janvier ?", whatever else it says
    if (
        NOT_A_REQUEST.search(text)
        or QUESTION.search(text)
        or _SAYS_NOTHING.search(text)
        or NOTHING_ASKED.search(text)
    ):
        head, colon, rest = text.partition(" : ")
        if colon and _positive(rest) is not None and act_of(head) is Act.INFO:
            # "je rebondis sur le mail de Thierry : il nous manque 40 barrières": the
            # preamble says nothing, what follows the colon asks
            return act_of(rest)
        return Act.INFO
    found = _positive(text)
    if found is not None:
        act, cue = found
        if act is Act.ASK and _OTHERS_MAY.search(text, max(0, cue.start() - 40), cue.end()):
            return Act.OFFER  # "si une commune veut les emprunter": offered
        if act is Act.ASK and _MAY_BORROW_OURS.search(text, max(0, cue.start() - 60)):
            return Act.OFFER  # "vous pouvez nous emprunter nos housses de chaise": offered
        if _negated(text, cue, offered=act is Act.OFFER):
            if (
                act in (Act.NEED, Act.ASK, Act.OFFER) and _AFTER_ALL.search(text)
                and not _HAVE_ALREADY.search(text)
            ):  # fmt: skip
                return Act.WITHDRAW
            asks_anyway = act is Act.ASK and (
                "?" in text or _NEGATIVE_QUESTION.search(text) is not None
            )
            return Act.ASK if asks_anyway else Act.DECLINED
        if act is Act.OFFER and (
            _ASKED_OF_OTHERS.search(text)
            or ("?" in text and not _FIRST_PERSON.search(text) and not _OFFERED.search(text))
        ):
            return Act.ASK  # "dispo chez qqn ?", "la remorque de Caudan est libre ?"
        return act
    if _INFO.search(text):
        return Act.INFO
    if _PLEASE.search(text):
        return Act.PLEASE
    return None


def asks_if_free(text: str) -> bool:
    """Does a folded clause ask whether another's equipment is free ("dispo la tireuse ?",
    "les ganivelles sont libres le 26 ?"): words of an offer, read as a request?"""
    found = _positive(text)
    return found is not None and found[0] is Act.OFFER and act_of(text) is Act.ASK


# A cleft sentence denies what it puts first, not the verb after it.
_CLEFT = re.compile(r"\bc(?:e n'|'|e )est pas [^.!?\n]{1,60}qu(?:e |')$")


def _negated(text: str, cue: re.Match[str], offered: bool = False) -> bool:
    """Is the act's own verb in the negative ("ne pourrons pas prêter", "pas besoin")?"""
    if _CLEFT.search(text, max(0, cue.start() - 80), cue.start()):
        return False  # "ce n'est pas 40 tables qu'il nous faut mais 14": the count is denied
    around = _NOT_NEGATION.sub(lambda m: " " * len(m.group()), text)
    # an offer, not past a colon: "nos barrières ne sortiront pas : elles sont disponibles"
    colon = around.rfind(" : ", 0, cue.start()) if offered else -1
    window = around[max(0, cue.start() - 30, colon + 1) : cue.end() + 12]
    return _NEGATION.search(window) is not None


def declined_kind(text: str) -> Act | None:
    """The act a negative clause refuses ("nous ne pourrons pas prêter" refuses an offer)."""
    found = _positive(text)
    return found[0] if found is not None else None


@dataclass(frozen=True)
class Decision:
    """The act of a whole message, and whether its clauses disagreed on it."""

    intent: Intent
    act: Act | None
    doubtful: bool
    # "il nous faudrait 40 guirlandes… on pourrait faire un groupement": a need that the
    # message says elsewhere is to be bought, unless it has days of use.
    buying: bool = False


def decide(acts: list[Act | None], holds_items: list[bool]) -> Decision:
    """The message's intent from its clauses' acts (the subject line's already set aside).

    Asking, offering and buying said outright weigh before words of purchasing or need,
    wherever they are; among equals, clauses that hold items weigh first. Two clauses with
    items that ask and offer make the reading doubtful.
    """
    positive = [a for a in acts if a in POSITIVE]
    with_items = [a for a, held in zip(acts, holds_items, strict=True) if held and a in POSITIVE]
    strong = [a for a in positive if a in _STRONG]
    chosen = (
        _first_of([a for a in with_items if a in _STRONG])
        or _first_of(strong)
        or _first_of(with_items)
        or _first_of(positive)
    )
    if chosen is None:
        if Act.PLEASE in acts:
            return Decision(Intent.BORROW, Act.PLEASE, True)
        return Decision(Intent.UNKNOWN, None, False)
    families = {INTENT_OF[a] for a in with_items}
    buying = chosen is Act.NEED and Act.PURCHASE in positive
    return Decision(INTENT_OF[chosen], chosen, len(families) > 1, buying)


_STRONG = (Act.BUY, Act.ASK, Act.OFFER)


def _first_of(acts: Sequence[Act | None]) -> Act | None:
    for kind in POSITIVE:
        if kind in acts:
            return kind
    return None
