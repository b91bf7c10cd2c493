"""The writer's own commune, when the text names it: "la mairie de Quéven", "Ville de Lanester"."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import partial

from handlers.communes import CommuneIndex, CommuneNotFoundError
from handlers.reading.bodies import _QUOTED_LINE
from handlers.reading.corrections import corrected_at
from handlers.reading.numbers import COUNT_WORD
from handlers.reading.text import Span, singular
from storage.names import fold_place

# A name of one to three words. Hyphens join parts of a word, spaces separate words: with a
# hyphen allowed in both places, "aaa-aaa-aaa-…" split in cubic many ways before failing
# (a 5 KB message took a minute to read).
_NAME = r"(?P<name>[a-z][a-z'-]*(?: [a-z][a-z'-]*){0,2})"
_INTRO = re.compile(
    r"\b(?:mairie|commune|ville|cne|municipalite|ccas|services?\s+tech(?:niques?|\.)?|st|ctm"
    r"|serv\.?\s*tech\.?|centre\s+technique\s+municipal|hotel\s+de\s+ville"
    r"|secretariat\s+de\s+mairie|astreinte(?:\s+technique|\s+elue?)?|d'astreinte)"
    r"\s*(?:de\s+|d'|du\s+|a\s+|\s)(?:la\s+commune\s+de\s+|la\s+ville\s+de\s+)?" + _NAME
)
_POSTAL = re.compile(rf"\b56\d{{3}}\s+{_NAME}")
# Where the writers say they are: "on est à Quéven", "nous à Groix on voudrait", "nous de
# Port-Louis", "je suis à Plouay mairie" (a town hall named after it, "je suis nouvelle à la
# mairie de Quistinic", is one of _INTRO's, which _SELF lets through).
_HERE = re.compile(
    r"\b(?:(?:on est|nous sommes)[ \t]+(?:[a-z]+[ \t]+){0,2}?(?:a|au)|nous,?[ \t]+(?:a|au|de|d'))"
    r"[ \t]*" + _NAME
)
_AT_HALL = re.compile(r"\bje suis (?:a|au) " + _NAME + r"[ \t,]+mairie\b")
# "c'est Yvette à Languidic", "c'est Gaëlle de Quistinic": one who says who and where she is.
_NAMED_AT = re.compile(r"\bc'?[ \t]?est[ \t]+[a-z][a-z'-]+[ \t]+(?:a|de|d')[ \t]*" + _NAME)
# "Lanester met à dispo 1 nacelle", "Port-Louis peut désormais prêter": a sentence whose
# subject is the commune, acting.
_ACTS_FIRST = re.compile(
    r"(?:^|[\n.!?][ \t]*)" + _NAME + r"[ \t]+(?:peut[ \t]+(?:desormais[ \t]+|aussi[ \t]+)?preter"
    r"|met a dispo(?:sition)?|mettra a dispo(?:sition)?|propose|cherche|recherche"
    r"|souhaiterait|voudrait|aurait besoin|a besoin)\b"
)
# "Bonjour, Gestel ici, on voudrait…": the writer's commune said first, then "ici".
# (a run of blanks and commas is entered at its first character, its blanks taken whole:
# from each comma of ", , , …" the run was scanned again, and the blanks before "ici" shared)
_SAYS_HERE = re.compile(
    r"(?:^|[.:;!?\n]|(?<![ \t,])[ \t]*+,|\b(?:bonjour|bonsoir|salut|hello|coucou|bjr|slt))"
    r"[ \t,]*+(?!(?:bonjour|bonsoir|salut|hello|coucou|bjr|slt)\b)"
    + _NAME
    + r"(?:[ \t]*+,)?[ \t]++ici\b"
)
# "on peut prêter la sono, c'est Riantec.": who writes, said as a sentence of its own.
_ITS_US = re.compile(
    r"\bc'est[ \t]+(?:la[ \t]+(?:mairie|commune|ville)[ \t]+(?:de|d')[ \t]*)?"
    + _NAME
    + r"[ \t]*(?=[.!,;\n]|$)"
)
# Where the writers say where they are, read before their signature's town hall; those said in
# a sentence of their own count only a commune spelt out ("c'est Riantec.", not "c'est bon.").
# "… donc Lanester ou Lorient ? Signé : Riantec": the writer says who signs.
_SIGNED = re.compile(r"\bsigne[ \t]*:[ \t]*" + _NAME)
_SPELT_OUT = (_ITS_US, _NAMED_AT, _ACTS_FIRST)
_PLACED = (_SIGNED, _HERE, _AT_HALL, _SAYS_HERE, *_SPELT_OUT)
# A request closing on its thanks and its commune: "… repas des anciens. Merci Gestel".
_THANKS_SIGNED = re.compile(rf"\bmerci(?: beaucoup| d'avance)?[ \t,]+{_NAME}\s*[.!]?\s*$")
# A commune name alone closing the message: "... si qqn en a besoin. Cleguer".
# (a run of blanks is entered at its first: each later one would try the same name after it;
# the name is _NAME with its words taken whole, as nothing after one can begin with what a
# word would give back: from each hyphen of "a-a-a-…" the run was scanned then given back)
_TRAILING = re.compile(
    r"(?:^|[.!?]\s*+|(?<!\s)(?:\n\s*+|\s{2,}+)|[-–—]\s*+|\(\s*+)"
    r"(?P<name>[a-z][a-z'-]*+(?: [a-z][a-z'-]*+){0,2})\s*+\)?\s*+[.!]?\s*+$"
)
_LEADING = re.compile(rf"^\s*{_NAME}\s*[:-]\s")
# A last line that signs with a title then the commune: "DGS – Plouay", "ST Hennebont".
_SIGNING_LINE = re.compile(
    r"\n[ \t]*(?:dgs|dga|sg|secretaire general(?:e)?|st|ctm|services? techniques?)"
    r"[ \t]*[-–—,:]?[ \t]*(?P<name>[a-z][a-z'-]*+(?: [a-z][a-z'-]*+){0,2})[ \t]*$"
)
# "prêté par la commune de Caudan": that commune is another one, not the writer's.
# "à Languidic", "disponibles au prêt à la mairie de Riantec"
# ("le Tour de Bretagne passe par Bubry", "la course traversera Calan": a race's way)
_AT = re.compile(
    r"\b(?:a|(?:passe|passent|passera|passeront) par|traverse|traversent|traversera"
    r"|traverseront)[ \t]+(?:(?:la[ \t]+)?(?:mairie|commune|ville)[ \t]+(?:de|d')[ \t]*)?$"
)
_RELAYED = re.compile(
    r"(?:transmise?|envoyee?|relayee?|organisee?s?|portee?s?) par (?:la |l')?$"
    r"|de la part de (?:la |l')?$"
)
_OTHER = re.compile(
    r"(?:\b(?:a|aupres de|par|avec|chez|vers|de la part|aux?|entre|attention de|attention du"
    r"|bonjour|bonsoir|merci|et|ou)[ \t]+(?:la[ \t]+|l')?"
    r"(?:(?:commune|mairie|ville|services?(?: techniques)?|collegues?)[ \t]+"
    r"(?:de[ \t]+|d'|du[ \t]+))?"
    r"|\b(?:reponse|nouvelles|part|retour|accord|avis|materiel|matos|equipement|stock|parc"
    r"|desistement|annulation|groupement|proposition|offre|invitation"
    # "suite au message de Larmor-Plage : Guidel est intéressée aussi"
    r"|message|mail|courriel|sms"
    # a trade or a venue of the town, not its hall: "chez le chocolatier de Pont-Scorff",
    # "le grossiste de Lanester", "rdv au bowling de Lanester"
    r"|chocolatier|boulangerie|boulanger|patisserie|fournisseur|grossiste|librairie|bowling"
    r"|depot|hangar|entrepot|zoo|supermarche|traiteur|imprimeur|imprimerie|pepiniere|quincaillerie"
    r"|pays|bassin|canton)[ \t]+"  # "le Téléthon du pays de Lorient": a region, not the town
    r"(?:de|d'|d|du|des)[ \t]*)$"
)
# Someone's contact asked for: "le numéro du CTM de Riantec ?", "le contact de la personne de
# Caudan", "le numéro du service info de Hennebont".
_CONTACT_OF = re.compile(
    r"\b(?:numero|contact|coordonnees|telephone|adresse|interlocut(?:eur|rice)|referente?)"
    r"[ \t]+(?:de|d'|du|des)[ \t]*(?:la[ \t]+|l')?"
    r"(?:[a-z-]+(?:[ \t]+[a-z]+)?[ \t]+(?:de[ \t]+|d'|du[ \t]+))?$"
)
# How much text before a commune's name says who it is; and whose it is: enough for "l'écran
# gonflable 6 m de la ville de X".
_BEFORE = 25
_OWNER_BEFORE = 60
# "<item> de X": the item's owner, another commune ("le podium de Lanester").
_OWNED = re.compile(
    r"(?P<phrase>(?:[a-z0-9.,]+[ \t]+){1,4})(?:de|d'|d|du)[ \t]*"
    # "les chalets de la ville d'X" (or up to "la", where an introduction begins: "ville de X")
    r"(?:(?P<the>la[ \t]+)(?:(?:ville|commune|mairie)[ \t]+(?:de[ \t]+|d'))?)?$"
)
# What may describe an item between it and its owner: an adjective or a size ("la caméra
# thermique de Port-Louis", "l'écran gonflable 6 m de la ville de Lorient"), not a noun
# ("le salon du livre maritime de", "la course cycliste de").
_DESCRIBING = re.compile(
    r"(?:(?:[a-z]+(?:ique|able|ible|ante?|ee|if|ive|eux|euse)s?|\d+(?:[.,]\d+)? ?m)(?: |$))*"
)
# Words of the catalogue that, described, name a place or a service more often than a thing of
# a commune's ("la base nautique de X", "le bureau 3 de X", "le matériel de la commune de X").
_NOT_OWNED = frozenset(("base", "bureau", "bureaux", "materiel", "matos", "equipement", "salle"))
# An order another commune carries, which the writer joins: "pour la commande groupée de DAE
# de Brandérion, Calan en voudrait un", "partants pour les gobelets bilingues de Bubry :
# Cléguer 500".
_JOINED = re.compile(
    r"(?:\b(?:partante?s?|interessee?s?|ok|\+1)[ \t]+pour[ \t]+(?:la|le|les|l')"
    r"|\bpour[ \t]+(?:la|le|l')[ \t]*(?:commande|cde|achat|groupement)s?\b)"
    r"[^.,:;!?\n]{0,45}?(?:\bde|\bd'|\bdu)[ \t]*$"
)
_EVENT_OF = re.compile(
    r"\b(?:salon|fete|foire|marche|festival|nuit|journee|semaine|mois|printemps|bourse|troc)"
    r" (?:du|de la|des|de l'|aux) ?$"
)
# Thanked or addressed: "merci à l'équipe de Gâvres", "trugarez Plouay", "bonjour Lanester".
_ADDRESSED = re.compile(
    r"@[ \t]*$"  # "@Lanester vous avez toujours la nacelle ?": spoken to
    r"|\b(?:desolee?s?|excusez-nous|pardon)[ \t,]+$"
    r"|\b(?:merci|trugarez|remercie\w*)(?:[ \t]+vras|[ \t]+bras|[ \t]+beaucoup)?[ \t]+"
    r"(?:(?:a|aux?)[ \t]+)?(?:(?:toute[ \t]+)?(?:l'|la[ \t]+|les[ \t]+)?(?:equipe|services?|agents?"
    r"|collegues?|mairie|commune|ville)[ \t]+(?:techniques[ \t]+)?(?:de|d'|du|des)[ \t]*)?$"
    r"|\b(?:bonjour|bonsoir|demat|chers?|cheres?|ok)[ \t]+"
    r"(?:(?:a[ \t]+)?(?:toute[ \t]+|tous[ \t]+)?(?:l'|la[ \t]+|les[ \t]+)?"
    r"(?:equipe|services?|agents?|collegues?)[ \t]+(?:techniques[ \t]+)?(?:de|d'|du|des)[ \t]*)?$"
    r"|\ba l'attention (?:de|du)[ \t]+(?:la[ \t]+)?(?:(?:mairie|commune|ville)[ \t]+(?:de|d'))?"
    r"[ \t]*$"
    # "c dispo chez vous les gars de caudan ?": the others, hailed
    r"|\bles[ \t]+(?:gars|amis|copains|copines|filles|potes|collegues|voisins)[ \t]+"
    r"(?:de|d')[ \t]*$"
)
# The writer introducing themselves: "c'est la mairie de X", "ici X", "Nadine de X",
# "la secrétaire de X", "pour la mairie de X".
_SELF = re.compile(
    r"(?:\bici|c'?[ \t]?est|pour|de la part de|chez nous a|chez nous,?|ici a)[ \t]+"
    r"(?:la[ \t]+|l')?$"
    r"|(?:\bc'?[ \t]?est|\bc|\bje suis|\bmoi c'?[ \t]?est|\bici)[ \t]+"
    r"(?:[a-z'-]+[ \t]+){1,3}(?:de|d'|du)[ \t]*$"
    r"|\b(?:secretaire|secretariat|maire|adjointe?|agente?|technicien(?:ne)?|responsable|directeur"
    r"|directrice|dgs|services?|st|ctm|equipe|elue?|atelier|ateliers)"
    r"[ \t]+(?:de|d'|du)[ \t]*$"
    # "c'est Yannick, adjoint aux sports à Caudan"
    r"|\b(?:maire|adjointe?|conseill(?:er|ere)|elue?|responsable|secretaire|agente?|directeur"
    r"|directrice|technicien(?:ne)?|placier|placiere|regisseur|regisseuse|gardien(?:ne)?)"
    r"(?:[ \t]+[a-z'-]+){0,3}[ \t]+a[ \t]*$"
    # "alternante à la mairie de Port-Louis", "volontaire en service civique à Hennebont":
    # apprentices and volunteers say where they work
    r"|\b(?:alternante?|apprentie?|stagiaire|volontaire|service civique|en alternance"
    r"|en apprentissage)(?:[ \t]+[a-z'-]+){0,2}?[ \t]+(?:a|au)[ \t]+(?:la[ \t]+|l')?"
    r"(?:(?:mairie|commune|ville)[ \t]+(?:de[ \t]+|d'))?$"
    # "je suis nouvelle à la mairie de Quistinic" (not "je suis à Brandérion aujourd'hui":
    # where a shared secretary is, not whom she writes for)
    r"|\b(?:je suis|je travaille|on est|nous sommes)[ \t]+(?:[a-z'-]+[ \t]+){0,2}?(?:a|au)[ \t]+"
    r"(?:la|le)[ \t]+$"
)


# The commune as the subject of the writer's act: "bonjour la commune de Gestel voudrait…",
# "à Calan on a 2 grilles qu'on peut prêter".
# (words split at spaces only, as in _NAME: a hyphen is a word's already; "a-a-a-…" split
# in cubic many ways)
_SPEAKS = re.compile(
    r"[a-z'-]+(?: [a-z'-]+){0,2}?(?:[ \t]*+,)?[ \t]++(?:"
    r"(?:on|nous)[ \t]+(?:a|avons|aurait|aurions|peut|pouvons|voudrait|voudrions|cherche"
    r"|cherchons|recherche|recherchons|dispose|disposons|organise|organisons|prete|pretons)"
    r"|voudrait|souhaite|souhaiterait|recherche|cherche|organise|propose|dispose|lance|doit"
    r"|aurait besoin|a besoin|prete|peut preter|voudraient|souhaitent|recherchent|cherchent"
    r"|organisent|proposent|disposent|ont besoin|auraient besoin|pretent|peuvent preter"
    r"|annule|confirme|retire|reserve"
    r"|(?:est|serait|sont|seraient)[ \t]+(?:interessee?s?|partante?s?|candidate?s?)"
    # "Inzinzac-Lochrist a 200 gobelets à prêter", "Pont-Scorff prend 20 kg"
    rf"|(?<!\ben )(?<!\bon )(?<!\bnous )(?<!\by )a[ \t]+(?:\d+|{COUNT_WORD})\b"
    r"|met[ \t]+a[ \t]+dispo|prend|prendra|prendrait|participe|commande)\b"
)


def _speaks(region: str, start: int, before: str) -> bool:
    """The commune is the subject of the writer's act, and not one just thanked ("merci à
    Caudan, on a bien reçu…")."""
    return _SPEAKS.match(region, start) is not None and not _THANKED.search(before)


# "la mairie de Caudan nous prête le sien": the lender, not the writer.
_LENDS_US = re.compile(
    r"[ \t,]*(?:nous|me|m') (?:les |le |la |l'|en )?(?:prete|pretera|depanne|fournit|fournira|donne"
    r"|passe|passera|rend|rendra"
    # "les barnums que Riantec nous a rendus", "les illuminations que Ploemeur nous a prêtées"
    r"|(?:a|ont|avait|avaient) (?:prete|depanne|rendu|ramene|livre|laisse|confie)e?s?)\b"
)
# Took ours: "les chalets ne sont plus dispo, la commune de Gestel les a tous pris"
_TOOK_THEM = re.compile(
    r"[ \t]+(?:les|le|la|l')[ \t]?(?:a|ont)[ \t]+(?:(?:tous|toutes|deja)[ \t]+)?"
    r"(?:pris|prises?|reservee?s?|empruntee?s?|recuperee?s?)\b"
)
# Lent or given back to that commune: "la nacelle prêtée à Lanester doit revenir…"
_LENT_TO = re.compile(
    r"\b(?:pretee?s?|rendue?s?|confiee?s?|louee?s?|(?<!en )livree?s?)[ \t]+(?:a|au)[ \t]+"
    r"(?:(?:la[ \t]+)?(?:mairie|commune|ville)[ \t]+(?:de[ \t]+|d'))?$"
)
# Asked in the third person: "la commune de Guidel pourrait nous prêter…", "la commune de
# Plouay aurait-elle encore ses grilles ?": the commune asked, not the writer's.
_ASKED_OF_IT = re.compile(
    r"[ \t](?:pourrait|pourraient|peut|peuvent|aurait|auraient|a|accepterait)"
    r"(?:-t)?-(?:elle|il|elles|ils)\b"
    r"|[ \t](?:pourrait|pourraient|peut|peuvent|accepterait)[ \t]+(?:nous|me|m')\b"
)
# Asked whether it has the item: "Languidic a toujours sa remorque frigo ?", "Plouay aurait
# une friteuse à nous prêter ?", "si Lorient peut nous prêter la nacelle": the lender asked.
_HOLDS = re.compile(
    # "Caudan en a en rab paraît-il ?"
    r"[ \t,]*en[ \t]+(?:a|aurait|auraient|ont)\b[^.!?\n]{0,60}\?"
    r"|[ \t,]*(?:(?:vous[ \t]+)?(?:a|aurait|auraient|ont|avez|possede|dispose)(?:-t-elle|-t-il)?"
    r"(?:[ \t]+(?:toujours|encore|tjrs|pas|deja|bien))*[ \t]+(?:sa|ses|son|leur|leurs|le|la|les"
    r"|l'|un|une|des|du|de la|\d+)\b[^.!?\n]{0,80}\?"
    r"|(?:aurait|auraient|pourrait|pourraient|peut|peuvent)\b[^.!?\n]{0,60}\bpreter\b"
    r"[^.!?\n]{0,80}\?|(?:peut|peuvent|pourrait|pourraient) (?:nous|me) preter\b)"
)
_THANKED = re.compile(r"\b(?:merci|remerci\w*|trugarez|grace)\b")
_CALLED = re.compile(r"[ \t]*,[^.!?\n]{0,40}\b(?:vous|votre|vos)\b")
# "Pour Hennebont : on peut vous passer 100 chaises": the commune offered to, however named.
_OFFERED_TO = re.compile(
    r"[ \t]*[,:][ \t]*(?:oui[ \t,]*)?(?:on|nous)[ \t]+(?:peut|pouvons|pourra|pourrons|pourrait"
    r"|pourrions)[ \t]+vous\b"
)
_TO = re.compile(r"\b(?:pour|a)[ \t]*$")
_TO_HEAD = re.compile(r"[ \t]*(?:pour|a)[ \t]")


def _offered_to(text: str, start: int, end: int) -> bool:
    """ "Pour Hennebont : on peut vous passer 100 chaises": the commune offered to (but
    "Riantec : on peut vous passer le broyeur" is the writer's label)."""
    to = _TO.search(text, 0, start) or _TO_HEAD.match(text, start)  # or read in the name
    return _OFFERED_TO.match(text, end) is not None and to is not None


_NOT_A_NAME = frozenset(
    """
    qui que qu quoi dont ou a au aux de des du la le les un une nous on vous il elle ils elles
    est sont sera seront serait a ont avait peut pourrait voisine voisines proche proches
    partenaire partenaires membre membres interessee interessees et ou mais
    merci bonjour bonsoir salut coucou trugarez desole desolee pardon bon bonne bons
    """.split()
)
# Second parts of compound names that alone are a first name or a word: "… Cléguer. Louis"
# is signed by Louis, not Port-Louis.
_NOT_ALONE = frozenset("louis plage".split())
# A request relayed by another town hall's reception: "demande de la mairie de Lanvaudan",
# "appel de la mairie de Gâvres", "demande pour Brandérion (transmis par Hennebont)".
_RELAY = re.compile(
    r"\b(?:(?:transmission(?: de la)?|transmise?|relai|relayee?) )?"
    r"(?:(?:demande|message|appel)s? (?:de la|pour la|de|pour) (?:mairie|commune|ville) (?:de |d')"
    r"|(?:demande|message) (?:transmise? )?pour "
    r"(?=[a-z'-]+(?: [a-z'-]+)? \((?:appel|transmis|recu)))"
    r"(?P<name>[a-z][a-z'-]*(?: [a-z][a-z'-]*)?)"
)
# Bodies of the territory that are no commune, whose names may hold one ("Syndicat scolaire
# de Ploemeur-Gestel", "SIVU du Pays de Plouay", "Lorient Bretagne Sud Tourisme").
_BODY = re.compile(
    r"(?:(?:le|la|l')[ \t]*)?(?:lorient agglomeration|lorient bretagne sud tourisme"
    r"|office (?:de|du) tourisme|syndicat\w*(?: \w+)? intercommuna\w+|syndicat mixte|sivu|sivom"
    r"|communaute de communes|conseil departemental)\b"
)
# Where the first sentence starts, after a greeting: "Bonjour,\n\nLe Syndicat … s'inscrit".
_OPENING = re.compile(
    r"(?:objet[^\n]*\n)?\s*(?:(?:bonjour|madame|monsieur|mesdames|messieurs)[^\n]*\n)?\s*"
)
_BEHALF = re.compile(
    r"\b(?:pour|au nom de|de la part de|organisee?s? par|porte(?:e|es)? par|relaie[^.\n]{0,60}?)"
    r"[ \t]+(?:la[ \t]+)?(?:commune|ville|mairie)[ \t]+(?:de|d')[ \t]*" + _NAME
)
# The body acts for itself: "le SIVU … propose son broyeur", "Lorient Agglomération peut
# prêter", "nous recherchons 30 grilles", "pour notre propre exposition".
_BODY_ACTS = re.compile(
    _BODY.pattern + r"[^.\n]{0,80}?\b(?:propose|dispose|peut|pourrait|souhaite|recherche"
    r"|cherche|organise|s'inscrit|lance|met|prete|pretera|aura besoin|a besoin)\b"
)
_WE_ACT = re.compile(
    r"\b(?:nous|on) (?:recherchons|cherchons|aurions besoin|avons besoin|pouvons preter"
    r"|proposons|organisons)\b|\bnotre propre\b"
)
# What only reports, for no commune: an invoice, a closing, thanks to several communes.
_NOT_RELAYED = re.compile(
    r"\b(?:facture|sera fermee?|seront fermee?s|un grand merci aux communes|merci aux communes)\b"
)
_BODY_NAME = re.compile(_BODY.pattern + r"[^,.;:\n]{0,45}")
_WITH = re.compile(r"\b(?:avec|aupres de)[ \t]+(?:la[ \t]+|l')?$")
_ASKS = re.compile(
    r"(?<![a-z'-])"
    + _NAME
    + r"[ \t]+(?:cherche|recherche|a besoin|aurait besoin|souhaite|voudrait|demande)\b"
)
_GROUPING = re.compile(r"\b(?:agglo\w*|communaute|intercommunalite)\b")
# First parts of names too common to stand for one commune ("Port", "Pont", "Saint").
_COMMON_PARTS = frozenset("port pont saint sainte plage bourg ville mont val".split())


def _same_second_part(words: list[str], name: str) -> bool:
    """ "pont scorf" is Pont-Scorff; "pont de l'Ascension" and "Port-Tudy" name no commune
    that begins with "Pont" or "Port"."""
    parts = fold_place(name).split()
    if parts[0] != words[0]:
        return True  # "ville de Larmor-Plage": the common word is not the commune's
    return len(words) > 1 and len(parts) > 1 and words[1][:3] == parts[1][:3]


def _short_names(full: dict[str, str], item_words: frozenset[str]) -> dict[str, str]:
    """ "Larmor" for Larmor-Plage, "Inzinzac" for Inzinzac-Lochrist: the first part of a
    compound name, as people say it, when it is long, not a common word, and one commune's;
    and its last part when longer still ("Lochrist"; not "Plage", "Louis" or "Scorff", the
    river)."""
    parts_of: dict[str, list[str]] = {}
    for name, insee in full.items():
        parts = name.split()
        if len(parts) > 1:
            parts_of.setdefault(parts[0], []).append(insee)
            if len(parts[-1]) >= 8:
                parts_of.setdefault(parts[-1], []).append(insee)
    return {
        part: insees[0]
        for part, insees in parts_of.items()
        if len(insees) == 1 and len(part) >= 5 and part not in _COMMON_PARTS
        and part not in item_words and part not in full
    }  # fmt: skip


class WriterFinder:
    """Finds which commune of the territory the writer says they speak for."""

    def __init__(
        self,
        index: CommuneIndex,
        names: dict[str, str] | None = None,
        item_words: frozenset[str] = frozenset(),
    ) -> None:
        self.index = index
        self._item_words = item_words
        self._known: dict[str, str | None] = {}
        # Every commune named as written, anywhere: "Cléguer participe", "Gestel - ST".
        self._by_name = {fold_place(n): insee for insee, n in (names or {}).items()}
        self._by_name.update(_short_names(self._by_name, item_words))
        parts = sorted(self._by_name, key=len, reverse=True)
        alternatives = "|".join(r"[\s-]?".join(map(re.escape, p.split())) for p in parts)
        # (not the grouping: "Lorient Agglomération", "une commune de l'agglomération de Lorient")
        self._mention = re.compile(
            rf"(?<!agglomeration de )(?<!agglo de )\b(?:{alternatives})\b"
            r"(?!\s*+-?\s*+agglo|\s++agglomeration)"
        )

    def _resolve(self, name: str) -> str | None:
        if name not in self._known and len(self._known) < 10_000:
            self._known[name] = self._lookup(name)
        return self._known[name] if name in self._known else self._lookup(name)

    def _lookup(self, name: str) -> str | None:
        if _GROUPING.search(name):
            return None  # "Lorient Agglomération" is the grouping, not the town
        if name.strip() in self._by_name:
            return self._by_name[name.strip()]
        words = re.split(r"\s+", name.strip())
        if words[0] in _NOT_A_NAME or words[0] in _NOT_ALONE:
            return None  # "une commune qui aurait…" names none (not "Quistinic" by likeness)
        for size in range(len(words), 0, -1):
            candidate = " ".join(words[:size])
            if len(candidate) < 3:
                continue
            try:
                found = self.index.resolve(candidate)
            except CommuneNotFoundError:
                continue
            if words[0] in _COMMON_PARTS and not _same_second_part(words, found.name):
                return None  # "Pont de l'Ascension", "Port-Tudy", "port de Lorient"
            return found.insee
        return None

    def find(self, body: str, whole: str, signature: Span | None) -> tuple[str, Span] | None:
        """The writer's commune as an INSEE code, with where it was named.

        `body` is the folded text with quotes and signature masked, `whole` the same
        text unmasked: the signature is read from it, and speaks first.
        """
        folded = body
        # "Objet : Demande pour Gâvres (appel reçu à Riantec)": relayed for that commune
        relayed = self._first_named_by(body, _RELAY)
        if relayed is not None:
            return relayed
        regions = [body]
        if signature is not None:
            regions.insert(0, " " * signature.start + whole[signature.start : signature.end])
        # with no sign-off to find it by, the last lines stand for the signature
        closing = regions[0] if signature is not None else _last_lines(whole)
        shared = self._shared_signature(closing, body)
        if shared is not None:
            return shared
        for region in regions:
            for pattern in (*_PLACED, _INTRO, _POSTAL):
                # "je suis à X": where they are, whatever comes before
                fits = partial(self._theirs, region, placed=pattern in _PLACED)
                if pattern in _SPELT_OUT:
                    # "c'est Riantec." by its name, not "c'est bon."
                    fits = partial(self._spelt_out, fits)
                said = self._first_named_by(region, pattern, fits)
                if said is not None:
                    if region is body and pattern is _INTRO:
                        # "la commune de Guidel dispose d'un désherbeur… DGS – Plouay": the
                        # line that signs names the writer; the body, another commune
                        return self._signing_line(whole) or said
                    return said
        edges = [self._edge(folded, e) for e in (_LEADING.match(folded),
                                                 _TRAILING.search(folded.rstrip()))]  # fmt: skip
        named = [e for e in edges if e is not None]
        if len(named) == 2 and named[0][0] != named[1][0]:
            # "Gâvres : on a 6 barnums pour votre marché. Port-Louis": the one spoken to
            # first, the writer signing last (not one thanked: "… merci Pont-Scorff")
            last = named[1][1].start
            thanked = _ADDRESSED.search(folded[max(0, last - 25) : last]) is not None
            return named[0] if thanked else named[1]
        if named:
            return named[0]
        return self._named_anywhere(regions)

    def _signing_line(self, folded: str) -> tuple[str, Span] | None:
        """The commune a last line of its own names after a title ("DGS – Plouay", "ST
        Hennebont"): the writer signing."""
        line = _SIGNING_LINE.search(folded.rstrip())
        if line is None or _ADDRESSED.search(folded, max(0, line.start() - 25), line.start()):
            return None
        insee = self._resolve(line.group("name"))
        return (insee, Span(line.start("name"), line.end("name"))) if insee else None

    def _spelt_out(self, fits: Callable[[re.Match[str]], bool], match: re.Match[str]) -> bool:
        """A commune written by its name or its short name, not found by likeness."""
        return match.group("name").strip() in self._by_name and fits(match)

    def _edge(self, folded: str, edge: re.Match[str] | None) -> tuple[str, Span] | None:
        """The commune a name alone at the message's start or end stands for."""
        if edge is None or _offered_to(folded, edge.start("name"), edge.end("name")):
            return None
        # "… merci Port-Louis": the name's first part is glued to it by its hyphen
        glued = re.search(r"[a-z]+-$", folded[: edge.start("name")])
        start = glued.start() if glued else edge.start("name")
        insee = self._resolve(folded[start : edge.end("name")])
        return (insee, Span(start, edge.end("name"))) if insee is not None else None

    def for_a_body(self, body: str, whole: str, signature: Span | None) -> bool:
        """Whether the writer is no commune but a body of the territory (the
        intercommunality, a syndicate, the tourist office) that signs or speaks first."""
        closing = (
            whole[signature.start : signature.end] if signature is not None else _last_lines(whole)
        )
        opening = _OPENING.match(body)
        if opening is not None and _BODY.match(body, opening.end()):
            return True
        return _BODY.search(closing) is not None and not _INTRO.search(closing)

    def on_behalf(self, body: str) -> tuple[str, Span] | None:
        """The commune a body writes for: said in so many words ("organisées par la commune
        de Port-Louis", "Caudan cherche toujours 2 projecteurs", "notre échange avec la
        mairie de Languidic"); else, when the body relays ("je vous transmets la demande de
        Quistinic", "Inguiniel ne participera pas"), the first commune it names. None when
        the body acts for itself ("le SIVU du Pays de Plouay propose son broyeur", "nous
        recherchons 30 grilles")."""
        for pattern in (_BEHALF, _ASKS):
            said = self._first_named_by(body, pattern)
            if said is not None:
                return said
        # "notre échange avec la mairie de Languidic": the commune a body deals with
        said = self._first_named_by(body, _INTRO, partial(self._theirs, body, relayed=True))
        if said is not None:
            return said
        if _BODY_ACTS.search(body) or _WE_ACT.search(body) or _NOT_RELAYED.search(body):
            return None
        # the body's own name holds no commune: "Syndicat scolaire de Ploemeur-Gestel"
        unnamed = _BODY_NAME.sub(lambda m: " " * len(m.group()), body)
        return self._named_anywhere([unnamed])

    def _first_named_by(
        self, text: str, pattern: re.Pattern[str], fits: Callable[[re.Match[str]], bool] = bool
    ) -> tuple[str, Span] | None:
        """The first commune that `pattern` names in its group "name" and that fits."""
        for match in pattern.finditer(text):
            if not fits(match):
                continue
            insee = self._resolve(match.group("name"))
            if insee is not None:
                return insee, Span(match.start("name"), match.end("name"))
        return None

    def _theirs(
        self, region: str, match: re.Match[str], placed: bool = False, relayed: bool = False
    ) -> bool:
        """Whether a commune named by an introduction ("la mairie de X") is the writer's: not
        one thanked, owned, lending to them or asked (`placed`: said as where they are; a body
        `relayed` may name the one it deals with, "avec la mairie de X")."""
        start, end = match.start("name"), match.end("name")
        before = region[max(0, match.start() - _BEFORE) : match.start()]
        wider = region[max(0, match.start() - _OWNER_BEFORE) : match.start()]
        elsewhere = (
            not placed
            and _other(before, self._item_words, wider)
            and not _speaks(region, start, before)
            and not (relayed and _WITH.search(before))
        )  # fmt: skip
        return not (
            elsewhere
            or _asked_contact(region, match.start(), end)
            or _LENDS_US.match(region, end)
            or self._said_after(region, start, _TOOK_THEM)
            # "la ville de Lorient aurait encore des barrières ? … signé : Quistinic"
            or (not placed and self._said_after(region, start, _HOLDS))
            or _ASKED_OF_IT.search(region, start, end + 24)
        )

    def _said_after(self, region: str, start: int, pattern: re.Pattern[str]) -> bool:
        """Whether `pattern` follows the commune named at `start`, its name as the territory
        spells it (an introduction's name may run on: "Gestel les a")."""
        named = self._mention.match(region, start)
        return named is not None and pattern.match(region, named.end()) is not None

    def _shared_signature(self, signature: str, body: str) -> tuple[str, Span] | None:
        """ "Secrétaire de mairie | Lanvaudan (lun-mar) / Calan (jeu-ven)": a signature that
        names two communes speaks for the one the message names; for none, if it names
        neither or both."""
        unquoted = _QUOTED_LINE.sub(lambda m: " " * len(m.group()), signature)
        signed = {self._mentioned(m) for m in self._mention.finditer(unquoted)} - {None}
        if len(signed) < 2:
            return None
        end = len(signature) - len(signature.lstrip())  # where the signature begins
        named = [m for m in self._mention.finditer(body, 0, end) if self._mentioned(m) in signed]
        insees = {self._mentioned(m) for m in named}
        if len(insees) == 1:
            (insee,) = insees
            if insee is not None:
                return insee, Span(named[0].start(), named[0].end())
        return None

    def _mentioned(self, match: re.Match[str]) -> str | None:
        """The commune a name found by `_mention` stands for."""
        return self._by_name.get(fold_place(match.group().replace("-", " ")))

    def signed_thanks(self, folded: str) -> tuple[str, Span] | None:
        """The commune a request ends on after its thanks: "… Merci Gestel"."""
        return self._first_named_by(folded.rstrip(), _THANKS_SIGNED)

    def where(self, folded: str) -> tuple[str, Span] | None:
        """The commune an event takes place in: "cérémonie des vœux à Languidic"."""
        return self._first_named(
            folded, lambda before: _AT.search(before) is not None and not _LENT_TO.search(before)
        )  # not "nos 8 grilles prêtées à Brandérion"

    def owner(self, folded: str) -> tuple[str, Span] | None:
        """The commune whose equipment is named: "les 40 barrières de Port-Louis"."""

        return self._first_named(
            folded, partial(_owned, item_words=self._item_words), _OWNER_BEFORE
        )

    def _first_named(
        self, folded: str, fits: Callable[[str], bool], reach: int = _BEFORE
    ) -> tuple[str, Span] | None:
        """The first commune named whose `reach` characters before fit."""
        for match in self._mention.finditer(folded):
            if fits(folded[max(0, match.start() - reach) : match.start()]) and not _corrected_place(
                folded, match.end()
            ):
                insee = self._mentioned(match)
                if insee is not None:
                    return insee, Span(match.start(), match.end())
        return None

    def _named_anywhere(self, regions: list[str]) -> tuple[str, Span] | None:
        """A commune named plainly, not as a lender ("prêté par Caudan") nor the EPCI."""
        if not self._by_name:
            return None
        for region in regions:
            for match in self._mention.finditer(region):
                before = region[max(0, match.start() - _BEFORE) : match.start()]
                wider = region[max(0, match.start() - _OWNER_BEFORE) : match.start()]
                if _other(before, self._item_words, wider) and not _speaks(
                    region, match.start(), before
                ):
                    continue
                if _asked_contact(region, match.start(), match.end()):
                    continue
                if _corrected_place(region, match.end()):
                    continue  # "à Locmiquélic enfin non à Riantec pardon"
                if _CALLED.match(region, match.end()) and not _SELF.search(before):
                    continue  # "Quistinic, si ça vous dépanne…": the commune spoken to
                if _HOLDS.match(region, match.end()) and not _SELF.search(before):
                    continue  # "Languidic a toujours sa remorque ?": the one asked
                if (
                    _LENDS_US.match(region, match.end())
                    or _TOOK_THEM.match(region, match.end())
                    or _LENT_TO.search(before)
                ):
                    continue  # "les barnums que Riantec nous a rendus", "prêtée à Lanester"
                insee = self._mentioned(match)
                if insee is None:
                    insee = self._resolve(match.group())
                if insee is not None:
                    return insee, Span(match.start(), match.end())
        return None


def _corrected_place(region: str, end: int) -> bool:
    """A name the writer corrects at once with "non", "pardon" or "plutôt" (not "en fait")."""
    at = corrected_at(region, end)
    return (
        bool(at)
        and re.search(r"\b(?:non|pardon|plutot)\b", region[end : at + 4]) is not None
        # another place said instead (not "… de Groix ? Non je rigole")
        and re.match(r"[ \t]*(?:non[ \t]+)?(?:a|au|de|d'|pour|sur|chez)\b", region[at:]) is not None
    )


def _last_lines(text: str, count: int = 4) -> str:
    """The text with all but its last lines blanked (positions kept)."""
    cut = len(text.rstrip())
    for _ in range(count):
        cut = text.rfind("\n", 0, cut)
        if cut < 0:
            return text
    return " " * cut + text[cut:]


# What asks for it: a question, or a verb of sending ("pouvez-vous m'envoyer le contact").
_QUESTION_AFTER = re.compile(r"[^.!\n]{0,80}\?")
_SEND_ME = re.compile(
    r"\b(?:envoyer|donner|transmettre|communiquer|connait|connaitrait|connaissez|auriez|avez"
    r"|cherche|recherche)\b[^.!?\n]{0,40}$"
)


def _asked_contact(region: str, start: int, end: int) -> bool:
    """Is the commune named at `start` the one whose contact the writer asks for?"""
    found = _CONTACT_OF.search(region, max(0, start - 45), start)
    if found is None:
        return False
    return bool(
        _QUESTION_AFTER.match(region, end)
        or _SEND_ME.search(region, max(0, found.start() - 40), found.start())
    )


def _other(before: str, item_words: frozenset[str], wider: str) -> bool:
    """Does the text before a commune's name make it another commune than the writer's
    ("merci Inguiniel", "le podium de Lanester", "avec Caudan", "partants pour les gobelets
    de Bubry")?"""
    if _RELAYED.search(before):
        return False
    if _ADDRESSED.search(before):
        return True
    if _SELF.search(before):
        return False
    return (
        _owned(wider, item_words)
        or _OTHER.search(before) is not None
        or _JOINED.search(wider) is not None
    )


def _owned(before: str, item_words: frozenset[str]) -> bool:
    """ "le podium de Lanester", "la caméra thermique de Port-Louis": an item named right before
    the commune, or described between, is its own; not in an event's name ("le salon du livre
    de Quistinic")."""
    owned = _OWNED.search(before)
    if owned is None:
        return False
    words = list(re.finditer(r"\S+", owned["phrase"]))
    for count in range(1, min(4, len(words)) + 1):
        head = words[-count].group()
        describing = [w.group() for w in words[len(words) - count + 1 :]]
        if (describing or owned["the"]) and head in _NOT_OWNED:
            continue
        if describing and not _DESCRIBING.fullmatch(" ".join(describing)):
            continue
        if len(head) >= 3 and (head in item_words or singular(head) in item_words):
            start = owned.start("phrase") + words[-count].start()
            return _EVENT_OF.search(before, 0, start) is None
    return False
