"""What a message asks for, offers or withdraws when it names nothing the catalogue knows and
counts nothing: the noun phrase its act bears on ("on cherche une rampe pliante", "annulez le
vibraphone", "le marimba n'est plus dispo", "la commande groupée de gilets vibrants").

Read only when the first reading kept no item, and only where nothing found overlaps it, so
it never competes with the other ways. What it finds is outside the catalogue, so the channels
always ask about it before recording, withdrawals included."""

from __future__ import annotations

import re

from handlers.reading.clauses import Layout
from handlers.reading.intents import POSITIVE, Act, act_of
from handlers.reading.quantities import NOT_ITEMS, FoundItem, head_word, noun_phrase
from handlers.reading.text import Span

_DETERMINER = (
    r"(?:(?P<one>un|une|d'un|d'une|le|la|notre|votre|sa|son|leur|mon|ma|ce|cet|cette)"
    r"|de la|les|des|du|nos|vos|ses|leurs|mes|ces)(?![a-z'-])[ \t]*|(?P<the>l')[ \t]*|de l'[ \t]*"
)
# The act's verb or noun, then what it bears on: "emprunter la loupe", "qqn aurait une
# grosse caisse", "plus besoin de la rampe", "annulez le vibraphone", "la commande groupée de
# gilets", "on a un sanitaire PMR".
_OBJECT = re.compile(
    r"(?<![a-z'-])(?:"
    r"(?:emprunter|preter|pret|reserver|louer|recuperer|avoir|trouver|chercher?|cherchons"
    r"|recherche|recherchons|acheter|racheter|commander|acquerir|annule[rz]?|annulons"
    r"|retire[rz]?|retirons|oublie[rz]?|gardons|garde|garder|vendu|vend|vendons|cede|cedons"
    r"|prete|pretons|propose|proposons|met a dispo(?:sition)?|mettons a dispo(?:sition)?"
    r"|veut|voudrait|voudrions|voulons|souhaite|souhaiterait|souhaitons|souhaiterions"
    r"|aimerait|aimerions|prendrait|prendrions|prenons|prend|reserve|reservons"
    r"|mis a dispo(?:sition)?|dispo|disponible|disponibles)"
    r"(?:[ \t]+(?:nous|vous|leur|lui|nos|en|y|quelque part|chez (?:qqn|quelqu'un)|encore"
    r"|aussi|bien|volontiers))*"
    r"|(?:qqn|qq1|quelqu'un|une commune|vous|qui|on|nous|elle|il)[ \t]+"
    r"(?:a|aurait|auriez|avez|avons|possede|possedez|dispose|disposez|disposons)"
    r"|(?:aurait|auriez|avez|a|possede|possedez)-(?:t-)?(?:elle|il|vous|on)"
    r"|besoin[ \t]+(?:de|d')|faut|faudrait|faudra"
    # "Dispo : analyseur de réseau triphasé", "Besoin : porte soufflante", "À prêter : la
    # remorque"
    r"|(?:dispos?|disponibles?|a preter|pretables?|besoin|recherche|cherchons|a donner)"
    r"(?:[ \t]+(?:au|en|pour)[ \t]+pret)?[ \t]*:"
    r")[ \t]*(?:" + _DETERMINER + r"|(?:de|d')[ \t]*(?=[a-z])|(?<=:)|(?<=:[ \t]))(?=[a-z])"
    # "commande groupée huile de chaîne", "groupement tapis de plage", "ma demande de liseuses"
    r"|(?<![a-z-])(?:achat|commande|cde|groupement|offre|retrait|pret|demande)s?"
    r"(?:[ \t]+(?:groupee?s?|communes?|mutualisee?s?|en commun|d'achats?|de commandes?"
    r"|de pret))?[ \t]+(?:de[ \t]+(?:la[ \t]+|l')?|d'|des[ \t]+|du[ \t]+)?(?=[a-z])"
)
_THAT = re.compile(r"\bqu(?:e\b|')")
# "le marimba n'est plus dispo", "l'élévateur PMR … est disponible au prêt": the subject
# (a bare noun only where a sentence starts: "Rampe pliable dispo", not ", qqn aurait")
_SUBJECT = re.compile(r"(?:^|(?<=[.!?:\n]))[ \t]*(?:-[ \t]*)?(?:" + _DETERMINER + r")?(?=[a-z])")
_SUBJECT_AFTER = re.compile(
    r"(?:(?<=,)|(?<=\bque)|(?<=\bqu'))[ \t]*(?:" + _DETERMINER + r")(?=[a-z])"
)
_SAID_FREE = re.compile(
    r"[^.!?\n]{0,60}?\b(?:"
    r"(?:(?:est|sont|reste|restent|n'est|ne sont)[ \t]+)?"
    r"(?:plus[ \t]+|encore[ \t]+|toujours[ \t]+)?"
    r"(?:dispos?|disponibles?|libres?|a preter|pretables?|a vendre|vendue?s?|a donner)"
    r"|(?:on|nous)[ \t]+n'en[ \t]+(?:a|avons)[ \t]+plus[ \t]+besoin"
    r")\b"
)
# Heads that name no equipment: what happens, where, when, who, and what is said about it.
_NOT_THINGS = frozenset(
    """
    fete fetes festival festivals concert concerts kermesse kermesses carnaval marche marches
    salon salons forum tournoi tournois course courses cross rando randonnee repas bal bals
    spectacle spectacles ceremonie ceremonies inauguration soiree soirees sortie sorties
    sejour sejours stage stages defile defiles competition championnat match matchs rencontre
    telethon loto lotos brocante braderie vide-grenier vide-greniers expo exposition visite
    salle salles eglise chapelle mairie gymnase stade port plage parc halle maison espace
    complexe terrain bourg parvis esplanade quai centre cour local locaux site sites parking
    bureau bureaux atelier ateliers camping jardin quartier chemin route rond-point carrefour
    matin matinee apres-midi midi journee journees veille lendemain date dates periode fin
    debut premier premiere dernier derniere prochain prochaine
    mail mails message messages courriel courriels annonce annonces offre offres proposition
    propositions mise disposition dispo participation inscription inscriptions budget
    subvention subventions convention conventions facture factures devis projet projets
    cause raison part compte service services president presidente maire adjoint adjointe
    secretaire secretariat conseil elus elu agglo agglomeration ville villes bagad chorale
    harmonie orchestre ensemble ecole ecoles college lycee creche ccas cmj
    coup mieux moment temps meteo pluie vent cde commande commandes achat achats
    quelqu qqun personne
    comite comites amicale trop peu beaucoup assez qqn qq1 quelqu'un parcours circuit boucle
    coin zone
    """.split()
)


def object_of(counted: str, original: str, shape: Layout) -> FoundItem | None:
    """The first noun phrase an act bears on, in the clauses that make one (the subject line's
    last); None when none reads as a thing."""
    clauses = shape.clauses
    acting = [c for c in clauses if not c.header and _acts(c.text(counted))]
    acting += [c for c in clauses if c.header and _acts(c.text(counted))]
    for clause in acting:
        bounds = clause.span.start, clause.span.end
        cues = [(c, False) for c in _OBJECT.finditer(counted, *bounds)]
        cues += [(c, True) for c in _SUBJECT.finditer(counted, *bounds)]
        cues += [(c, True) for c in _SUBJECT_AFTER.finditer(counted, *bounds)]
        for cue, subject in sorted(cues, key=lambda c: c[0].start()):
            found = _thing(cue, subject, counted, original, clause.span.end)
            if found is not None:
                return found
    return None


def _thing(
    cue: re.Match[str], subject: bool, counted: str, original: str, end: int
) -> FoundItem | None:
    phrase = noun_phrase(counted, cue.end())
    if phrase is None or phrase[1] > end:
        return None
    if subject:
        said = _SAID_FREE.match(counted, phrase[1], end)
        if said is None or _THAT.search(said.group()):
            return None  # the subject of what is said free, not of another verb
    written = counted[phrase[0] : phrase[1]]
    if head_word(written) in _NOT_THINGS or written.split()[0] in _NOT_THINGS:
        return None
    first = original[phrase[0] : phrase[0] + 2]
    before = original[: cue.start()].rstrip(' \t-*•"«')
    if first[:1].isupper() and first[1:].islower() and before and before[-1] not in ".!?:\n":
        return None  # "la commande de Ploemeur", "le bagad Lann-Ester": a name (not "BEV")
    label = " ".join(original[phrase[0] : phrase[1]].split())
    # one when the determiner says one ("la loupe", "un marimba"), none said otherwise
    quantity = 1 if cue.groupdict().get("one") or cue.groupdict().get("the") else None
    return FoundItem(None, label, quantity, None, Span(cue.start(), phrase[1]))


def _acts(text: str) -> bool:
    act = act_of(text)
    return act in POSITIVE or act is Act.WITHDRAW


def is_no_thing(written: str) -> bool:
    """Whether a folded noun phrase's first word names no equipment."""
    first = written.split()[0] if written.split() else ""
    return first in _NOT_THINGS or first in NOT_ITEMS
