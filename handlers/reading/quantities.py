"""How many of each item: the number before the noun ("50 barrières", "une trentaine de
tables", "5 tonnes de sel") or after it ("ganivelles x 50"), and the items the catalogue
does not know, read from the noun phrase that follows a number."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from text_to_num import text2num

from handlers.reading.items import ItemMatch
from handlers.reading.numbers import AT_MOST, Number
from handlers.reading.text import Span, singular
from storage.names import fold

UNITS = {
    "tonne": "tonne", "tonnes": "tonne", "t": "tonne", "kg": "kg", "kilo": "kg",
    "kilos": "kg", "litre": "litre", "litres": "litre", "l": "litre", "metre": "mètre",
    "metres": "mètre", "m": "mètre", "ml": "mètre", "m2": "m²", "m3": "m³",
    "ramette": "ramette", "ramettes": "ramette", "carton": "carton", "cartons": "carton",
    "palette": "palette", "palettes": "palette", "lot": "lot", "lots": "lot",
    "paquet": "paquet", "paquets": "paquet", "rouleau": "rouleau", "rouleaux": "rouleau",
    "sac": "sac", "sacs": "sac", "boite": "boîte", "boites": "boîte", "paire": "paire",
    "paires": "paire", "bidon": "bidon", "bidons": "bidon", "caisse": "caisse",
    "caisses": "caisse", "pack": "pack", "packs": "pack", "jeu": "jeu", "jeux": "jeu",
    "flacon": "flacon", "flacons": "flacon", "bouteille": "bouteille", "bouteilles": "bouteille",
    "seau": "seau", "seaux": "seau", "kit": "kit", "kits": "kit", "bobine": "bobine",
    "bobines": "bobine", "tube": "tube", "tubes": "tube", "barquette": "barquette",
    "barquettes": "barquette", "bac": "bac", "bacs": "bac", "pot": "pot", "pots": "pot",
    "colis": "colis", "big bag": "big bag", "big bags": "big bag", "bigbag": "big bag",
    "bigbags": "big bag", "big-bag": "big bag", "big-bags": "big bag",
    "unite": "unité", "unites": "unité", "exemplaire": "unité", "exemplaires": "unité",
    "piece": "unité", "pieces": "unité",
    # said in full, as people dictate: "deux mètres cubes de terreau", "20 mètres carrés"
    "metre cube": "m³", "metres cubes": "m³", "metres cube": "m³", "m cube": "m³",
    "m cubes": "m³", "metre carre": "m²", "metres carres": "m²", "metres carre": "m²",
}  # fmt: skip
_UNIT = r"(?:" + "|".join(re.escape(u) for u in sorted(UNITS, key=len, reverse=True)) + r")"
_ADJECTIVE = (
    r"(?:grands?|grandes?|petits?|petites?|gros|grosses?|nouveaux|nouvel|nouvelles?|autres?"
    r"|supplementaires?|beaux|belles?|vieux|vieilles?|bons?|bonnes?|anciens?|anciennes?)"
)
# Between a number and its item: spaces, "de", a unit, an adjective.
_BEFORE = re.compile(
    # ("2x barnums", "une 10aine de tables": the number's own sign or "about", glued)
    rf"^(?:[ \t]|\benviron\b|\bde\b|\bd'|\bdes\b|\bces\b|\bvos\b|\bleurs\b|\bnos\b|^x\b|^aine\b"
    rf"|\b(?P<unit>{_UNIT})\b(?:[ \t]+lineaires?)?"
    rf"|\b{_ADJECTIVE}\b|\b[a-z]{{3,}}[ \t]+(?:de[ \t]+)?type\b"
    # "2 blocs sanitaires", "4 ensembles brasserie": what the item comes as
    r"|\b(?:blocs?|modules?|unites?|pieces?|ensembles?|paires?|kits?)\b"
    r"|[|;]"  # a pasted table's row, its count first: "8 | barnums 3x6"
    r")*\Z"  # "80\ntables": two rows
)
# After an item: "x 50", ": 50", "(50)", "= 50", "- 50"; a pasted table's next column
# ("Tables pliantes ; 20 ; 12/06", "Barrières Vauban | 80"), dot leaders ("Tables ..... 12"),
# a letter's count ("les anciennes urnes, au nombre de 12").
_AFTER = re.compile(
    # ("enveloppes C4 : 2 000", "ramettes A3 : 50": a format's code before the colon;
    # "casiers vestiaires / 10 / avril": a row's columns split by slashes)
    r"^(?:[ \t]+[a-z]{1,2}\d{1,2}(?=[ \t]*:))?"
    r"[ \t]*(?:[x*:=(;|/-]|\bx\b|\([ \t]*x|\.{2,}|…+|(?:[,(][ \t]*)?au nombre de)[ \t]*"
    r"(?:environ[ \t]+|env\.?[ \t]+|~[ \t]*)?$"
)
_WORDS_THEN_TIMES = re.compile(r"^(?:[ \t]+[a-z'-]{3,}){1,2}[ \t]*x[ \t]*$")
# An item's words, then its count in brackets: "sapins artificiels (4)".
_BRACKET_AFTER_WORDS = re.compile(r"^(?:[ \t]+(?:pour[ \t]+)?[a-z'-]{3,}){1,2}[ \t]*\([ \t]*$")
_BRACKET_ENDS = re.compile(rf"[ \t]*(?:(?P<unit>{_UNIT})[ \t]*)?\)")


# "notre sono (2 enceintes + table de mixage)": the bracket lists what the item is made of.
_PARTS_LISTED = re.compile(
    r"[ \t]+(?P<word>[a-z][a-z'-]{3,})[^()\n]{0,60}?(?:\+|,|\bet\b)[^()\n]{0,80}\)"
)


def _lists_parts(text: str, gap: str, number: Number) -> bool:
    """The number opens a bracket that lists the item's parts, each counting its own."""
    if not gap.rstrip().endswith("("):
        return False
    listed = _PARTS_LISTED.match(text, number.end)
    return listed is not None and listed["word"] not in UNITS and listed["word"] not in _COUNTED_AS


def _counted_in_brackets(text: str, end: int) -> bool:
    """The bracket closes on the count, or on what it counts in ("(60 palettes)"), not on a
    measure ("(300 kg)": a bulk product's amount, read as such)."""
    closed = _BRACKET_ENDS.match(text, end)
    return closed is not None and (not closed["unit"] or UNITS[closed["unit"]] not in BULK)


_ARTICLE_GAP = re.compile(rf"^\s+(?:{_ADJECTIVE}\s+)?$")
_JUST_AFTER = re.compile(r"[ \t]+")
# What may follow such a count: "isoloirs 4 + 2 urnes", "chaises 80 sam 15", but not
# "fournitures scolaires 60 cahiers" (the number counts the next noun).
_ENDS_COUNT = re.compile(
    r"\s*(?:$|[,.;:!?+)(\n]|(?:et|pour|pr|dispo|svp|merci|avant|le|la|les|du|au|a|de|d'"
    r"|sam|dim|lun|mar|mer|jeu|ven|livres?|livrees?|salle|travaux|rue|place|urgent|demain"
    r"|ce|cette|qqn|stp)\b)"
)

# Nouns that a number counts but that are not equipment.
_NOT_ITEMS = frozenset(
    """
    personne personnes participant participants visiteur visiteurs exposant exposants
    habitant habitants enfant enfants adulte adultes eleve eleves benevole benevoles
    agent agents jour jours semaine semaines mois an ans annee annees heure heures depannage
    minute minutes fois km kilometre kilometres euro euros place places commune communes
    equipe equipes classe classes associations association stand stands coureurs invites
    convives repas couverts metre metres tonne tonnes pourcent numero numeros edition
    editions etage etages nuit nuits soir soirs rue personne mairie lieu lieux an tasse
    tasses litre litres kilo kilos gramme grammes exemplaire exemplaires
        pouce pouces aura fois tasse tasses
        voie voies place places porte portes couleur couleurs
        materiel materiels equipement equipements chose choses article articles objet objets
    demande demandes besoin besoins aide information informations
    caravane caravanes pers agriculteur agriculteurs troupe troupes chevalier chevaliers
    administre administres administree administrees particulier particuliers habitante
    habitantes famille familles festivalier festivaliers
    equipage equipages couple couples mariage mariages
    rien tout tous personne chose ca cela ceci quelque manif manifs manifestation manifestations
    machine machines appareil appareils truc trucs engin engins outil outils deliberation
    formulaire photo photos attestation attestations document documents dossier dossiers
    ecole ecoles chacun chacune chaque unite complement complements celui celle ceux celles
    sien sienne
    siens siennes leur leurs groupement
    groupements achat
    achats commande commandes saison saisons edition editions annee annees fois etape etapes
    spectacle spectacles chorale chorales concert concerts cercle cercles bagad bagads groupe
    groupes equipe equipes club clubs association
    evenement evenements reunion reunions seance seances journee journees soiree soirees
    loto lotos tournoi tournois bal bals kermesse kermesses festival festivals fete fetes
    match matchs matches concours competition competitions rencontre rencontres gala galas
    representation representations repetition repetitions projection projections partie
    parties epreuve epreuves
    matinee matinees nuitee weekend week fois tour tours edition km heures minutes
    bonjour bonsoir salut hello coucou merci cordialement ici signe madame monsieur
    mesdames messieurs collegue collegues demat kenavo trugarez
    livraison livraisons environ oblige minimum maximum lumens lumen watts ports page pages
    saisonnier saisonniers sauveteur sauveteurs titre titres tiroir tiroirs aucun aucune
    pardon non euh enfin plutot kg g cl ml
    maison maisons resident residents elagage elagages
    adherent adherents adherente adherentes membre membres veuve veuves camarade camarades
    bon bons retour retours marche marches fournisseur fournisseurs prestataire prestataires
    avis conseil conseils contact contacts tuyau tuyaux idee idees lien liens plan plans
    modele modeles reference references contrat contrats imprimeur imprimeurs entreprise
    entreprises artisan artisans
    seul seule seuls seules neuf neufs
    cimetiere cimetieres niveau niveaux pays pendant durant ref refs
    quoi parce hein voila memoire memoires groupee groupees
    neuve neuves notre notres votre votres autre autres meme memes est-ce plantation plantations
    nouveau nouveaux nouvelle nouvelles seconde secondes partenaire partenaires arbitre arbitres
    gymnaste gymnastes joueur joueurs joueuse joueuses licencie licencies inscrit inscrits
    min mn hauteur largeur longueur profondeur diametre chauffeur chauffeurs bras renfort
    renforts exactement seulement uniquement pile maxi mini
    lundi lundis mardi mardis mercredi mercredis jeudi jeudis vendredi vendredis samedi samedis
    dimanche dimanches senior seniors aine aines marcheur marcheurs donneur donneurs
    donneuse donneuses patient patients
    jeune jeunes ado ados anim anims animateur animateurs animatrice animatrices gamin gamins
    ete etes hiver hivers automne automnes printemps comme sortie sorties parent parents
    moniteur moniteurs monitrice monitrices accompagnateur accompagnateurs accompagnatrice
    accompagnatrices encadrant encadrants
    max grand selon suivant voire plus moins cas unites
    justement egalement aussi vraiment alors donc encore deja surtout notamment quand
    gars filles collegues copains
    suffiront suffira suffit suffisent suffirait suffiraient
    toute facon remplacement remplacements monde rechange
    asso assos danseur danseurs danseuse danseuses spectateur spectateurs famille familles
    foyer foyers menage menages beneficiaire beneficiaires reponse reponses confirmation
    delegue delegues assesseur assesseurs scrutateur scrutateurs electeur electeurs votant
    votants
    pret prets emprunt emprunts reservation reservations location locations
    liste listes pas voisin voisins voisine voisines question questions peu
    douzaine douzaines demi-douzaine dizaine dizaines quinzaine quinzaines vingtaine vingtaines
    trentaine quarantaine cinquantaine soixantaine centaine centaines millier milliers
    restant restants restante restantes
    choriste choristes chanteur chanteurs chanteuse chanteuses musicien musiciens musicienne
    musiciennes sonneur sonneurs auteur auteurs duo duos cycliste cyclistes pilote pilotes
    randonneur randonneurs signaleur signaleurs site sites carrefour carrefours
    rangee rangees moitie manquant manquants manquante manquantes attendu attendus
    chat chats chaton chatons chien chiens chiot chiots animal animaux nid nids pigeon pigeons
    goeland goelands rat rats fondatrice fondatrices reine reines possible possibles souci
    soucis haut long large
    partent repartent restent servent vont viennent arrivent peuvent doivent seront
    brasseur brasseurs vigneron vignerons producteur producteurs fidele fideles paroissien
    paroissiens chapelle chapelles eglise eglises categorie categories inventaire inventaires
    occasion occasions session sessions
    """.split()
)
NOT_ITEMS = _NOT_ITEMS  # words that head no item, for the other readers of noun phrases
_STOP = frozenset(
    """
    pour pr le la les l du des de d au aux a et ou avec sur en dans par qui que afin svp
    merci ce cette ces nous vous on il elle ils elles est sont sera seront serait
    pourrait qu si mais donc car avant apres entre jusqu des a partir vers chez svp stp
    ds ainsi notre nos votre vos leur leurs mon ma mes son sa ses un une plus moins propre
    livraison livraisons environ euh voila etant devant ayant enfin plutot libre libres ont
    avons besoin
    dispo dispos disponible disponibles
    genre prevu prevue prevus prevues
    """.split()
)
_NEED_SLOT = re.compile(
    r"(?:\b(?:besoin|faudrait|faudra|faut|emprunter|preter|louer|acheter|racheter|acquerir|commander|reserver"
    r"|cherchons|cherche|recherchons|recherche|disposer|prevoyons l'achat)"
    r"[ \t]+(?:de[ \t]+|d'|des[ \t]+|du[ \t]+|un[ \t]+|une[ \t]+)"
    r"(?:(?:un|une)[ \t]+)?"
    r"|(?:souhaiterions|souhaitons|souhaiterait|aimerions|voudrions)[ \t]+(?:un|une|des)[ \t]+"
    # "nous sollicitons le prêt d'un ring de boxe, de 150 chaises…"
    r"|\b(?:le|du)[ \t]+pret[ \t]+d'(?:un|une)[ \t]+"
    r"|(?:achat|acquisition)(?:[ \t]+(?:groupee?|mutualisee?|commune?|en commun))?[ \t]+"
    r"d'(?:un|une)[ \t]+"
    r"|(?:achat|commande)[ \t]+(?:groupee?|commune?|mutualisee?)[ \t]+(?:de[ \t]+|d'|des[ \t]+)"
    # "on commande des gourdes", "acheter à plusieurs un lave-linge"
    r"|(?<!\ba )(?<!\bavons )(?<!\bont )(?<!\bai )(?<!\bavait )"
    r"(?:commande|commandons|rachete|rachetons|achete|achetons|prenons)[ \t]+"
    r"(?:(?:a plusieurs|en commun|ensemble)[ \t]+)?(?:(?:des|les|un|une|du|de)[ \t]+|d')"
    r"|(?:acheter|commander|racheter)[ \t]+(?:a plusieurs|en commun|ensemble)[ \t]+"
    r"(?:des|les|un|une|du|de|d')[ \t]*"
    r"|(?:preter|pretons|prete|emprunter|louer|mettre a disposition|met a disposition"
    r"|propose|proposons)[ \t]+"
    r"(?:sa|son|ses|notre|nos|votre|vos|leur|leurs)[ \t]+"
    # "quelqu'un a une cloueuse à gaz ?", "vous auriez un détecteur de câbles ?"
    r"|(?:qqn|qq1|qqun|quelqu'un|quelqu un|une commune|vous|qui)[ \t]+"
    r"(?:a|aurait|auriez|avez|aviez|avait|possede|dispose d')[ \t]+(?:un|une|des)[ \t]+"
    # a message that goes on from the one before: "et aussi des chaînes neige"
    r"|^[ \t]*(?:et|\+)[ \t]+(?:aussi[ \t]+)?(?:des|les|un|une)[ \t]+"
    r"|(?:auriez|avez|aurait)[- ](?:vous|quelqu'un|qqn)[ \t]+(?:un|une)[ \t]+)"
)
# The next of a list, right after an item: "des plots et des coupelles", "2 filets + les
# poteaux" (not "et les rendre": a pronoun before its verb).
_NEXT_IN_LIST = re.compile(
    # after the item's own words: "notre chrono électronique + les cellules", "12 tapis
    # (2 m x 1 m) et d'un plinth"
    r"(?:[ \t]+[a-z-]{3,}(?:ique|iques|ible|ibles|able|ables|ant|ante|ants|antes|if|ive|ifs"
    r"|ives|el|elle|els|elles|al|ale|aux|ales|eux|euse|euses)\b){0,2}"
    # its size: "1 écran gonflable 9m + soufflerie", "1 podium 6x4 + escalier"
    r"(?:[ \t]+\d+(?:[.,]\d+)?(?:[ \t]?m|[ \t]?x[ \t]?\d+(?:[.,]\d+)?(?:[ \t]?m)?)\b)?"
    r"(?:[ \t]*\([^()\n]{0,40}\))?"
    r"[ \t]*+(?:(?:,|\+|\bet|\bet aussi|\bainsi que)[ \t]+(?:des|les|un|une)"
    # "2 casques et l'émetteur", "2 pupitres + la boucle", "ses 2 pupitres et sa conque"
    # (not "un piano et son support", "les extincteurs et leur vérification": its own)
    r"|(?:\+|\bet|\bainsi que)[ \t]+(?:le|la|notre|votre)(?=[ \t])"
    r"|(?:\+|\bet|\bainsi que)[ \t]+l'(?=[a-z])"
    r"|\bainsi qu'(?:un|une)"
    r"|(?:\+|\bet|\bet aussi|\bainsi que)[ \t]+(?:leurs|nos|ses)"
    # "50 plots, 20 chasubles et d'un compteur de tours", "des draps et de turbulettes"
    r"|(?:,[ \t]*|\bet[ \t]+|\bainsi que[ \t]+)(?:d'un|d'une)|(?:\bet|\bainsi que)[ \t]+(?:de|des)"
    # "2 combinaisons + palmes": a bare noun after a plus
    r"|[ \t]*\+(?=[ \t]*[a-z]))[ \t]+"
    # "un lutrin + petite lampe de lecture": the noun after its adjective
    rf"(?:{_ADJECTIVE}[ \t]+(?=[a-z]))?"
    r"(?![a-z'-]*(?:er|ir|re|rons|rez|rait|raient|ons|ez|ent)\b)"
    rf"(?!{_ADJECTIVE}\b)"
)
# Verbs that may follow a need word and are not the item ("besoin d'emprunter").
_VERBS = frozenset(
    """
    emprunter preter louer acheter acquerir commander reserver obtenir avoir recevoir
    racheter recommander changer equiper renouveler remplacer completer
    disposer organiser prevoir savoir connaitre trouver faire mettre utiliser installer
    renouveler remplacer urgent urgence bien absolument vraiment aussi encore toujours
    volontiers rapidement
    """.split()
)
_NOUN = re.compile(r"[a-z][a-z-]{2,}")
# "4 barnums, un château gonflable et ...": an article in a list of items counts one.
_LISTED = re.compile(r"(?:\b[a-z]{3,}|\d)\s*(?:,|\bet\b)\s*$")


@dataclass(frozen=True, slots=True)
class FoundItem:
    item_id: str | None
    label: str
    quantity: int | None
    unit: str | None
    span: Span
    name: Span | None = None  # where the catalogue's name was written


def attach_quantities(
    matches: list[ItemMatch], found: list[Number], text: str
) -> tuple[list[FoundItem], set[int]]:
    """Each catalogue item with the number that counts it; returns the numbers used."""
    used: set[int] = set()
    items: list[FoundItem] = []
    for match in matches:
        quantity, unit, start = None, None, match.start
        before = [n for n in found if n.end <= match.start and n.start not in used]
        if before:
            number = before[-1]
            gap = text[number.end : match.start]
            fits = _ARTICLE_GAP.match(gap) if number.article else _BEFORE.match(gap)
            if fits:
                quantity, start = number.value, number.start
                unit_word = fits.groupdict().get("unit")
                unit = UNITS.get(unit_word) if unit_word else None
                used.add(number.start)
        if quantity is None:
            after = [n for n in found if n.start >= match.end and n.start not in used]
            gap = text[match.end : after[0].start] if after else ""
            # "chaises", "grilles expo", "sapins noel": a plural written in the name
            plural = re.search(r"[sx]\b", text[match.start : match.end]) is not None
            # "illuminations : 15 motifs": the number counts the item named right after it
            counts_next = bool(after) and any(
                m.start >= after[0].end and _BEFORE.match(text[after[0].end : m.start])
                for m in matches
                if m.item.id != match.item.id
            )
            measure = _MEASURED.match(text, after[0].end) if after else None
            if (
                after
                and not after[0].article
                and not counts_next
                # "remorque frigorifique (2 m³)": a measure counts only what is sold by it
                and not (measure and UNITS[measure["unit"]] in BULK and match.item.unit not in BULK)
                and not _counts_others(text, after[0])
                and not _lists_parts(text, gap, after[0])
                and (
                    _AFTER.match(gap)
                    # "tables brasserie x20": a word of the name, then its count
                    or _WORDS_THEN_TIMES.match(gap) is not None
                    # "sapins artificiels (4)", "maquillage pour enfants (60 palettes)"
                    or (
                        _BRACKET_AFTER_WORDS.match(gap) is not None
                        and _counted_in_brackets(text, after[0].end)
                    )
                    # "chaises 80 + tables 20", "isoloirs 4": a plural written, then its count
                    or (
                        plural
                        and _JUST_AFTER.fullmatch(gap)
                        and not counts_no_item(text, after[0])
                        and _ENDS_COUNT.match(text, after[0].end) is not None
                    )
                )
            ):
                quantity = after[0].value
                used.add(after[0].start)
        # "5 tonnes de sel": a measured item keeps its singular.
        label = match.item.label if quantity == 1 or unit else match.item.plural
        name = Span(match.start, match.end)
        items.append(FoundItem(match.item.id, label, quantity, unit, Span(start, match.end), name))
    _measured_elsewhere(items, found, used, text)
    return _in_lots(items, found, used, text), used


# "2 lots de 10 chaises", "3 séries de 12 tables": so many lots of so many.
_LOTS_OF = re.compile(r"(?:^|[^\d])(?P<n>\d{1,3})[ \t]+(?:lots?|series?|jeux)[ \t]+de[ \t]+$")


def _in_lots(
    items: list[FoundItem], found: list[Number], used: set[int], text: str
) -> list[FoundItem]:
    """Items counted by the lot: the count of each lot times the lots."""
    counted = []
    for item in items:
        lots = _LOTS_OF.search(text, max(0, item.span.start - 20), item.span.start)
        if item.quantity is not None and item.unit is None and lots is not None:
            number = next((n for n in found if n.start == lots.start("n")), None)
            if number is not None:
                item = replace(item, quantity=item.quantity * number.value)
                used.add(number.start)
        counted.append(item)
    return counted


# After a count that stands alone: "25 ce serait bien", "besoin de 3 pr la kermesse",
# ", une dizaine,".
_LONE_AFTER = re.compile(
    r"\s{4,}"  # a date masked out: "40 pour samedi"
    rf"|\s*(?:(?:{_UNIT}|machines?|appareils?|exemplaires?)\b(?:\s+lineaires?)?\s*)?"
    r"(?:$|[,.;:!?()\n\u2600-\u27bf\U0001f000-\U0001faff]"
    r"|(?:ce serait|ca serait|c'est|c|svp|stp|merci|pr|pour|si|ou|au|a|maxi"
    r"|max|minimum|mini|serait|seraient|suffiront|suffit|suffisent|suffirait|suffiraient|suffira"
    r"|conviendrait|conviendraient|ca|environ|en tout|au total|idealement"
    r"|minimum|voire|avant|d'ici|le|la|les|du|des|de|dans|sur|pour|qqn|quelqu'un|exactement"
    r"|pile|tout juste|grand max|selon|suivant|en fonction|au plus|au maximum|maximum"
    r"|nouveaux|nouvelles|neufs|neuves|supplementaires|de plus|en plus|de rechange"
    r"|aussi|donc|egalement|justement|alors|seulement)\b)"
)
_LONE_BEFORE = re.compile(
    r"(?:besoin de|besoin d'|faudrait|faut|il en faut|prevoir|compter|genre|dans les|,|:"
    r"|(?<![0-9a-z])-"
    r"|\bet|environ|\benv\b\.?"
    r"|\bsoit|\bqte|\bquantite|\bnombre|\bnb|estimee?s? a|evaluee?s? a|s'elevent? a"
    r"|se montent? a|montant a|portent sur|porte sur|de l'ordre de|representent?"
    # "Pont-Scorff en prendrait 30", "on serait preneurs d'1", "pour 1 appareil"
    r"|\ben (?:prendrait|prendrions|prendraient|voudrait|voudrions|veut|voulons|prend|prenons"
    r"|veulent|voudraient|prennent|prendront|commandent"
    r"|prendrons|commanderait|commanderions|aurait besoin de|faudrait|acheter|racheter"
    r"|commander|prendre|achetons|commandons|acheterons|commanderons)"
    r"|\bprendrait|\bprendrions|\bpreneurs? (?:de|d')|\bpreneuses? (?:de|d')"
    # "qui a des tonnelles ? 40 pour samedi", "masques FFP2 ? nous 500"
    r"|\?|\?\s*(?:nous|nous en faut|on en veut|pour nous|chez nous|moi)"
    # "pour Gestel ce sera 12", "Riantec serait partant pour 20", "Brandérion confirme 1
    # appareil": a share said for an order
    r"|\bce sera|\bca sera|\bpartante?s? pour|\bconfirmons|\bconfirme"
    # "intéressés pour 3", "on se greffe pour 3", "merci de nous ajouter pour 4", "on en a
    # genre 200", "on en veut 60"
    r"|\binteresse(?:e|s|es)? pour|\bgreffer? pour|\bgreffons pour|\bajouter pour"
    r"|\binscrire pour|\ben (?:a|avons|ai|veut|voulons|avoir)(?: genre| environ| bien| encore)?"
    # "mettez-m'en dix", "j'en prête une trentaine", "il nous en reste 12"
    r"|-(?:m'|nous-)en|\ben (?:prete|pretons|preterai|preterons|preter|emprunter|reste|restent"
    r"|manque|manquent"
    r"|faudra|mettez|mets|mettre|donne|donnons)(?: volontiers| bien| encore)?"
    # "au moins 15", "entre 300 et 500", "pas plus de 20": a count with its bound
    r"|\bau moins|\bau minimum|\bau maximum|\bentre|\bpas plus de|\bjusqu'a"
    # dictated, the count after a pause: "des ordinateurs portables euh trois pour la mairie"
    r"|\beuh"
    # "je prends 60 pour Guidel", "mets-nous 500 pour Guidel"
    r"|\bje prends|\bnous prenons|\b(?:mets|mettez|notez|note|comptez|inscrivez)-(?:nous|moi)"
    # "des tables de dépouillement ? Idéalement 4.", "on maintient nos 3"
    r"|\bidealement|\bdans l'ideal|\bmaintien(?:s|t|nent)(?: (?:nos|notre|les))?"
    r"|\bmaintenons(?: (?:nos|notre|les))?)\s*$"
)


_EITHER_COUNT = re.compile(r"[ \t]+ou[ \t]+\d")
_SENTENCE_OPENS = re.compile(r"(?<![0-9])[.!?][ \t]+$")
# "des grilles pour la commémoration quinze ça ira": a count said with what it is enough for
_SUFFICES = re.compile(
    r"\s*(?:ca ira|ca suffira|ca devrait (?:aller|suffire)|ca le fera|ca le fait|suffiront"
    r"|suffira|suffisent|devraient suffire|devrait suffire)\b"
)
# (with its packaging: "du papier kraft pour les activités (30 rouleaux)"; not a size,
# "notre nacelle (14 m)", "la remorque (5 t)")
# A capacity or a weight: the units of litres and kilos, as UNITS writes them.
_CAPACITY_AFTER = re.compile(
    r"\s*(?:"
    + "|".join(re.escape(u) for u, unit in UNITS.items() if unit in ("litre", "kg"))
    + r")\b"
)
# A size in brackets: "batardeaux (environ 20 m linéaires)", "la bâche (60 m²)".
_SIZE_AFTER = re.compile(
    r"\s*(?:"
    + "|".join(re.escape(u) for u, unit in UNITS.items() if unit in ("mètre", "m²", "m³"))
    + r")\b(?:\s+lineaires?)?\s*\)"
)
_BRACKET_CLOSED = re.compile(
    r"\s*+(?:(?:rouleaux|rouleau|cartons?|colis|sacs?|palettes?|lots?|boites?|paquets?"
    r"|ramettes?|bidons?|pots?|pieces?|unites?|exemplaires?)\b\s*+)?"
    r"(?:aussi|environ|env\.?|en tout|au total|mini(?:mum)?)?\s*+\)"
)
_APPROXIMATE = re.compile(
    r"\b(?:dizaine|douzaine|quinzaine|vingtaine|trentaine|quarantaine"
    r"|cinquantaine|soixantaine|centaine|millier)\b"
)
_AND_AFTER = re.compile(r"\s+(?:et|\+)\s")
# A count of people or animals: "une quarantaine de personnes attendues".
_COUNTS_ANOTHER = re.compile(
    r"\s*(?:de|d')\s*(?:personnes|participants?|participantes?|invites|invitees|visiteurs"
    r"|spectateurs|enfants|adultes|jeunes|eleves|familles|benevoles|joueurs|coureurs|equipes"
    r"|exposants|chiens|chevaux|convives|couverts|inscrits|licencies|pratiquants|riders"
    r"|danseurs|musiciens|choristes|randonneurs|marcheurs|cyclistes|pagayeurs|rameurs)\b"
)


# A count closing a table row: "Papier A4 80 g blanc       400 ramettes".
_ROW_END = re.compile(rf"[ \t]*+(?:(?:{_UNIT})\b)?[ \t]*+(?:;|\.)?[ \t]*+(?:\n|$)")


def row_counts(
    items: list[FoundItem], found: list[Number], used: set[int], text: str, written: str
) -> list[FoundItem]:
    """The count written at the end of an item's line, when nothing else counts it."""
    counted = list(items)
    for number in found:
        if number.start in used or number.article or not _ROW_END.match(text, number.end):
            continue
        line_start = text.rfind("\n", 0, number.start) + 1
        gap = written[line_start : number.start]  # as written: masked dates are no columns
        owners = [
            k for k, item in enumerate(counted)
            if item.quantity is None and line_start <= item.span.start < number.start
        ]  # fmt: skip
        if len(owners) != 1 or not re.search(r"\s{2,}|\t|:|=|-\s", gap):
            continue
        item = counted[owners[0]]
        unit_word = re.match(r"[ \t]*([a-z]+)", text[number.end :])
        unit = UNITS.get(unit_word.group(1)) if unit_word else None
        counted[owners[0]] = replace(item, quantity=number.value, unit=unit)
        used.add(number.start)
    return counted


# A table pasted in a mail: "Article | Quantité | Date souhaitée", then one row per item,
# its cells split by bars or tabs.
_CELL_SPLIT = re.compile(r"[ \t]*(?:\||\t|;)[ \t]*")
_CELL = re.compile(r"[^|\t;]+")  # what lies between those separators
_COUNT_HEADER = re.compile(r"^(?:quantites?|qtes?|qte\.|nb|nbre|nombre|quantite souhaitee)$")
_NAME_HEADER = re.compile(r"^(?:articles?|materiels?|designations?|equipements?|fournitures?)$")
_NOTHING = re.compile(r"^(?:neant|aucun|aucune|0|-|—|/)$")


def table_counts(items: list[FoundItem], text: str, used: set[int]) -> list[FoundItem]:
    """Each item of a pasted table's row counted by the row's cell under "Quantité" (or its
    one cell that is a number); a row whose count is "néant" offers or asks nothing."""
    if _CELL_SPLIT.search(text) is None:
        return items  # (no bar, tab or semicolon: "Planche de natation;PL-300;60" has them)
    counted: list[FoundItem | None] = list(items)
    column: int | None = None
    offset = 0
    for line in text.split("\n"):
        start, offset = offset, offset + len(line) + 1
        cells = [
            (start + m.start(), start + m.end()) for m in _CELL.finditer(line) if m.group().strip()
        ]
        if len(cells) < 2 or not _CELL_SPLIT.search(line):
            continue
        words = [text[a:b].strip() for a, b in cells]
        header = next((k for k, w in enumerate(words) if _COUNT_HEADER.match(w)), None)
        if header is not None and any(_NAME_HEADER.match(w) for w in words):
            column = header
            continue
        numbers = [k for k, w in enumerate(words[1:], 1) if re.fullmatch(r"\d{1,6}", w)]
        k = column if column is not None and column < len(words) else next(iter(numbers), 0)
        if k == 0:
            continue
        name_end = cells[k][0]
        row = [i for i, item in enumerate(counted)
               if item is not None and start <= item.span.start < name_end]  # fmt: skip
        for i, item in enumerate(counted):
            if item is not None and (
                cells[k][1] <= item.span.start < start + len(line)
                or (item.span.start == cells[k][0] and item.span.end > cells[k][1])
            ):
                # "Barnum 3x3 | 5 | avec lests": a remark on the row (or its next cell, read
                # with the count: "60 | juin")
                counted[i] = None
        if _NOTHING.match(words[k]):
            for i in row:
                counted[i] = None  # "Isoloirs | néant": not in the answer
            continue
        if not re.fullmatch(r"\d{1,6}", words[k]) or len(row) != 1:
            continue
        item = counted[row[0]]
        assert item is not None
        counted[row[0]] = replace(item, quantity=int(words[k]))
        used.add(cells[k][0])
    return [i for i in counted if i is not None]


# A listed line answered with nothing ("- barnums : néant", "Lot 3 — informatique : néant
# (marché propre)"), or nothing said for it ("Néant pour les débroussailleuses").
_NOTHING_FOR_LINE = re.compile(
    r"(?m)^[ \t]*+(?:[-–—•*>][ \t]*+)?(?P<name>[^:\s][^:\n]{1,79}?)[ \t]*:[ \t]*"
    r"(?:neant|aucune?|rien|non|0)\b(?![ \t]*[a-z0-9])"
)
_NOTHING_FOR = re.compile(
    r"\b(?:neant|rien) (?:pour|cote|concernant) "
    r"(?P<name>(?:les?|la|l'|des|du)[ \t]*[^.,;:()\n]{2,40})"
)


def declined(items: list[FoundItem], text: str) -> list[FoundItem]:
    """Items a list answers with nothing ("- barnums : néant") are not asked nor offered."""
    if "neant" not in text and ": " not in text:
        return items
    names = [
        m.span("name")
        for pattern in (_NOTHING_FOR_LINE, _NOTHING_FOR)
        for m in pattern.finditer(text)
    ]
    return [i for i in items if not any(a <= i.span.start < b for a, b in names)]


# "3 des 5 tonnelles", "juste 10 sur les 30", "20 de vos 40 chaises": a part of what
# another has.
PART_OF = r"(?:des|sur les|sur vos|de vos|parmi les|parmi vos)"
_PART_OF = re.compile(rf"(?<![\d,.])(?P<n>\d{{1,5}})\s+{PART_OF}\s*$")


# "la moitié de vos 40 chaises": a share of what another has.
_SHARE_OF = re.compile(rf"\b(?P<share>la moitie|le tiers|le quart)\s+{PART_OF}\s*$")
_SHARES = {"la moitie": 2, "le tiers": 3, "le quart": 4}


def part_counts(items: list[FoundItem], text: str) -> list[FoundItem]:
    """An item counted by what another has, when the writer takes a part of it: the part."""
    counted = []
    for item in items:
        part = _PART_OF.search(text, max(0, item.span.start - 24), item.span.start)
        share = _SHARE_OF.search(text, max(0, item.span.start - 24), item.span.start)
        if item.quantity is not None and part is not None:
            item = replace(item, quantity=int(part.group("n")))
        elif item.quantity is not None and share is not None:
            item = replace(item, quantity=item.quantity // _SHARES[share.group("share")])
        counted.append(item)
    return counted


# "une vingtaine de tables et autant de chaises": as many as the item before.
_AS_MANY = re.compile(r"\b(?:autant|le meme nombre|la meme quantite)\s+(?:de\s+|d')\s*$")


def as_many_counts(items: list[FoundItem], text: str) -> list[FoundItem]:
    """An item counted as "as many" as the item before it: that item's count."""
    counted: list[FoundItem] = []
    for item in items:
        before = counted[-1].quantity if counted else None
        if (
            item.quantity is None
            and before is not None
            and _AS_MANY.search(text, max(0, item.span.start - 24), item.span.start)
        ):
            item = replace(item, quantity=before)
        counted.append(item)
    return counted


# "lests pour les tentes, 20 poids de 15 kg", "des cônes de signalisation… qui peut prêter
# 20 plots ?": the item said again in other words, with its count; not a second item joined
# to it ("de la rubalise et 30 plots").
_ONE_BEFORE = re.compile(r"\b(?:son|sa|le|la|un|une|notre|votre|mon|ma|l')\s*$")
_JOINED = re.compile(r"(?:\bet|\+|,|\bavec|\bainsi que|\bplus)\s*(?:de\s+|d'|des\s+)?[\d\s]*$")


def restated(items: list[FoundItem], text: str) -> list[FoundItem]:
    """A named item left uncounted, in the plural, and one unknown counted after it: the
    same item (not "son chauffe-plats et 4 bouilloires")."""
    if len(items) != 2:
        return items
    named, other = items
    name = named.name or named.span
    written = text[name.start : name.end].split()
    if (
        named.item_id is None
        or not written
        or not written[0].endswith(("s", "x"))
        or _ONE_BEFORE.search(text, max(0, name.start - 8), named.span.start)
        or named.quantity is not None
        or other.item_id is not None
        or other.unit is not None  # "500 m de goutte-à-goutte" for the planters: a measure
        or (other.quantity or 0) < 2
        or other.span.start < named.span.end
        or _JOINED.search(text, named.span.end, other.span.start)
    ):
        return items
    return [replace(named, quantity=other.quantity, unit=other.unit)]


# A bulk product's measure said apart from it: "fioul domestique : Gestel s'inscrit pour
# 6000 litres", "commande de terreau, 15 m3 pour nous", "sel de déneigement. We need 8 tonnes".
_MEASURED = re.compile(
    rf"[ \t]*(?P<unit>{_UNIT})\b(?![ \t]+(?:de plus|en plus|supplementaires?)\b)"
)
_SIZE_OF = re.compile(
    r"(?:\b(?:sacs?|bags?|bidons?|cuves?|citernes?|palettes?|futs?|bouteilles?|seaux?"
    r"|conteneurs?|bennes?)[ \t]+(?:de|d')|\()[ \t]*$"
)
BULK = frozenset({"mètre", "litre", "kg", "tonne", "m²", "m³"})


def bulk_counts(
    items: list[FoundItem], found: list[Number], used: set[int], text: str,
    unit_of: Callable[[str], str | None],
) -> list[FoundItem]:  # fmt: skip
    """The one uncounted bulk product of the message takes the one free measure in its unit."""
    measures: dict[str, list[Number]] = {}
    for number in found:
        said = _MEASURED.match(text, number.end)
        if number.start in used or said is None:
            continue
        if number.article and UNITS[said["unit"]] not in _WHOLE_MEASURES:
            continue  # ("du sel, une tonne" is a measure; "un litre" more often a size)
        # "bidons de détergent 5 L", "big bags de 1 t": the size of something, not an amount
        if _SIZE_OF.search(text, max(0, number.start - 12), number.start) or any(
            0 <= number.start - item.span.end <= 2
            and (item.quantity is not None or unit_of(item.item_id or "") != UNITS[said["unit"]])
            for item in items
        ):
            continue
        unit = UNITS.get(said.group("unit"))
        if unit in BULK:
            measures.setdefault(unit, []).append(number)
    if not measures:
        return items
    counted = list(items)
    for unit, numbers in measures.items():
        owners = [
            k for k, item in enumerate(counted)
            if item.quantity is None and item.item_id and unit_of(item.item_id) == unit
        ]  # fmt: skip
        if not owners:
            # "commande groupée de fumier composté : on part sur 5 tonnes": a product outside
            # the catalogue, the message's one uncounted item, takes the one measure
            # after it, outside brackets and outside any item's own words
            loose = [k for k, item in enumerate(counted) if item.quantity is None]
            number = numbers[0]
            free = not any(i.span.start <= number.start < i.span.end for i in counted) and (
                text.rfind("(", 0, number.start) <= text.rfind(")", 0, number.start)
            )
            owners = [
                k for k in loose
                if free and counted[k].item_id is None and counted[k].span.end <= number.start
            ] if len(loose) == 1 else []  # fmt: skip
        if _in_turn(counted, owners, numbers):
            # "du sable dix tonnes et du gravillon cinq tonnes": each its own, in turn
            for k, number in zip(owners, numbers, strict=True):
                counted[k] = replace(counted[k], quantity=number.value, unit=unit)
                used.add(number.start)
            continue
        # one product, maybe named twice (the subject, then the body)
        if len({counted[k].item_id for k in owners}) != 1 or len(numbers) != 1:
            continue
        number = numbers[0]
        before = [k for k in owners if counted[k].span.end <= number.start]
        owner = before[-1] if before else owners[0]
        counted[owner] = replace(counted[owner], quantity=number.value, unit=unit)
        used.add(number.start)
    return counted


_WHOLE_MEASURES = frozenset({"tonne", "m³"})


def _in_turn(items: list[FoundItem], owners: list[int], numbers: list[Number]) -> bool:
    """Several products, each followed by its own measure before the next is named."""
    if len(owners) < 2 or len(owners) != len(numbers):
        return False
    if len({items[k].item_id for k in owners}) != len(owners):
        return False
    bounds = [items[k].span.start for k in owners[1:]] + [numbers[-1].start + 1]
    return all(
        items[k].span.end <= number.start < bound
        for k, number, bound in zip(owners, numbers, bounds, strict=True)
    )


# A measure of the noun phrase that follows it: "100 m de câble" (not "8 tonnes de plus").
_MEASURES_NEXT = re.compile(
    r"\s*(?:m|metres?|km|m2|m3|l|litres?|kg|kilos?|t|tonnes?)\s+(?:de|d')\s*"
    r"(?!plus\b|moins\b|trop\b)[a-z]"
)


# A form's count line: "Quantité : 40", "Nombre souhaité : 12", or left to fill ("Quantité : XX").
_FORM_COUNT = re.compile(
    r"^[ \t]*(?:quantites?|qtes?|nombre|nb)(?:[ \t]+(?:souhaitee?s?|demandee?s?|proposee?s?))?"
    r"[ \t]*:[ \t]*(?:(?P<n>\d+)[ \t]*(?:\([a-z -]+\)|unites?|pieces?|exemplaires?)?[ \t]*$"
    r"|(?P<blank>x+\b|\[|a completer|\?|-|—|$))",
    re.MULTILINE,
)


def form_counts(
    items: list[FoundItem], found: list[Number], used: set[int], text: str,
    unit_of: Callable[[str], str | None],
) -> list[FoundItem]:  # fmt: skip
    """A form's "Quantité : 40" line counts the one item its line before names, over a size
    written with it ("Matériel souhaité : barrières Vauban galvanisées 2 m"); left to fill
    ("Quantité : XX"), the size is no count either."""
    match = _FORM_COUNT.search(text)
    if match is None:
        return items
    above = text.rfind("\n", 0, max(0, match.start() - 1)) + 1
    named = [k for k, i in enumerate(items) if above <= i.span.start < match.start()]
    if len({items[k].item_id or items[k].label for k in named}) != 1:
        return items
    item = items[named[0]]
    if match.group("n") is not None:
        number = next((n for n in found if n.start == match.start("n")), None)
        if number is None:
            return items
        used.add(number.start)
        counted = replace(item, quantity=number.value, unit=None)
    elif (
        item.unit is not None
        and item.item_id is not None
        and unit_of(item.item_id) in (None, "unité", "paire")
    ):
        counted = replace(item, quantity=None, unit=None)  # "extincteurs 6 L / Quantité : XX"
    else:
        return items
    return [counted if k == named[0] else i for k, i in enumerate(items) if k not in named[1:]]


def lone_counts(
    items: list[FoundItem], found: list[Number], used: set[int], text: str,
    clause_of: Callable[[int], int | None], unit_of: Callable[[str], str | None],
) -> list[FoundItem]:  # fmt: skip
    """A count left alone near the one uncounted item of its clause or the clause before
    ("des bancs de brasserie, 25 ce serait bien", "qui a des tonnelles ? besoin de 3")."""
    counted = list(items)
    for number in found:
        if number.start in used or (number.article and number.value == 1):
            continue
        # "des guirlandes lumineuses une dizaine et deux rallonges": an approximate count
        # after the item needs no cue before it.
        approximate = bool(_APPROXIMATE.search(text, number.start, number.end))
        if not (
            _LONE_AFTER.match(text, number.end)
            or (approximate and _AND_AFTER.match(text, number.end))
        ):
            continue
        if _MEASURES_NEXT.match(text, number.end):
            continue  # "notre sono et 100 m de câble": the cable's own length
        if _EITHER_COUNT.match(text, number.end):
            continue  # "5 ou 6 pr la fête": not said which
        if _COUNTS_ANOTHER.match(text, number.end):
            continue  # "vidéoprojecteur + écran…, une quarantaine de personnes attendues"
        # "des gourdes pour les enfants (80)": a count alone in brackets
        bracketed = text[max(0, number.start - 2) : number.start].strip().endswith("(") and (
            _BRACKET_CLOSED.match(text, number.end) is not None
        )
        cue = (
            _LONE_BEFORE.search(text, max(0, number.start - 30), number.start)
            or _SUFFICES.match(text, number.end)
            # a sentence of its own: "des tentes de secours pour dimanche. 2 si poss." (not a
            # numbered point: "3. Merci de votre compréhension")
            or (
                _SENTENCE_OPENS.search(text, max(0, number.start - 4), number.start)
                and text[number.end : number.end + 1] not in (".", ")")
            )
        )
        if not (approximate or cue or bracketed):
            continue
        here = clause_of(number.start)
        if here is None:
            continue
        owners = [
            k for k, item in enumerate(counted)
            if item.quantity is None and clause_of(item.span.start) in (here, here - 1)
            and item.span.end <= number.start
        ]  # fmt: skip
        if not owners and len(counted) == 1 and counted[0].quantity is None:
            # "des tables pour demain ? c'est urgent, pour une cérémonie. une dizaine.": the
            # message's one item, a few clauses before
            first = clause_of(counted[0].span.start)
            if (
                first is not None and here - 3 <= first < here
                and counted[0].span.end <= number.start
            ):  # fmt: skip
                owners = [0]
        if len(owners) != 1:
            continue
        item = counted[owners[0]]
        if (
            (_CAPACITY_AFTER.match(text, number.end) or _SIZE_AFTER.match(text, number.end))
            and item.item_id is not None and unit_of(item.item_id) in (None, "unité", "paire")
        ):  # fmt: skip
            continue  # "composteurs en bois (300 L et 400 L)": their size, not how many
        counted[owners[0]] = replace(item, quantity=number.value)
        used.add(number.start)
    return counted


def _measured_elsewhere(
    items: list[FoundItem], found: list[Number], used: set[int], text: str
) -> None:
    """ "sel de déneigement : partante pour 8 tonnes": a lone measure counts the one item
    left uncounted."""
    uncounted = [i for i, item in enumerate(items) if item.quantity is None]
    # (one item, maybe named twice: "Objet : Achat commun de tables … nos tables sont
    # cassées, nous envisageons d'en racheter 50")
    keys = {items[i].item_id or items[i].label for i in uncounted}
    if len(keys) != 1:
        return
    if len(uncounted) > 1 and any(
        i.quantity is not None and (i.item_id or i.label) in keys for i in items
    ):
        return  # a stock counted beside: reckoned later ("nous avons 110 chaises… il en faut 70")
    for number in found:
        if number.start in used or number.article:
            continue
        before = [
            i for i in uncounted
            if items[i].span.end <= number.start
            # (not one in an aside: "des barrières de marché (pas des vauban) ? il m'en faut 20")
            and text.rfind("(", 0, items[i].span.start) <= text.rfind(")", 0, items[i].span.start)
        ]  # fmt: skip
        index = (before or uncounted)[-1]
        if not _near(items[index].span, number, text):
            continue
        if any(re.fullmatch(r"[ \t]*", text[i.span.end : number.start]) for i in items):
            continue  # "terreau 70 L", "nacelle 14 m": the item's size
        unit = re.match(rf"\s+(?P<unit>{_UNIT})\b(?!\s+(?:de|d')\s*[a-z])", text[number.end :])
        total = _IN_ALL.match(text, number.end)
        pronoun = _PRONOUN_COUNT.search(text, max(0, number.start - 40), number.start)
        if len(uncounted) > 1 and (unit or not pronoun):
            continue  # named twice, counted only by "en": "… d'en racheter 50"
        if unit or total or pronoun:
            item = items[index]
            measure = UNITS[unit.group("unit")] if unit else None
            items[index] = replace(item, quantity=number.value, unit=measure)
            used.add(number.start)
            return


def _near(span: Span, number: Number, text: str) -> bool:
    """Is a number close enough to an item to count it: the same paragraph, a few lines."""
    start, end = sorted((span.end, number.start))
    between = text[start:end]
    return len(between) <= 160 and "\n\n" not in between


# "il nous en faut 18", "nous en prendrons deux": the number counts the item named before.
_PRONOUN_COUNT = re.compile(
    r"(?:\ben\s+(?:faut|faudra|prenons|commandons|aurions besoin de|avons besoin de"
    r"|aurons besoin de|aurait besoin de|avons|a|possedons|souhaitons|auriez|avez|aurait"
    r"|aurions|cherchons|cherche|veut|voulons|manque|manquent|prend|prends|prendra|commande"
    r"|commandera|achete|achetons|veux"
    # any verb's infinitive, conditional or future: "en acheter 3", "nous en prendrions
    # trente-cinq", "il en faudrait 12"
    r"|[a-z]{3,}(?:er|ir|re|rions|rait|rais|rons|riez))\s*"
    # "pour nous ce serait 25", "pour Gestel ce sera 12"
    r"|\b(?:ce|ca)\s+(?:serait|sera)\s*)"
    r"(?:environ\s+|au moins\s+|a peu pres\s+)?$"
)
_IN_ALL = re.compile(r"\s*(?:au total|en tout|au global|en tout et pour tout)\b")
# The writer's own count of a thing counted for all: "commande de 50 trottinettes ? nous on
# en prendrait 15", "15 bouées en stock, on peut en prêter 5", "Inzinzac prend 80", "40
# casques pour nous" (not what they own: "nous en avons 15").
_SMALL = (
    r"deux|trois|quatre|cinq|six|sept|huit|neuf|dix|onze|douze|treize|quatorze|quinze|seize"
    r"|vingt|trente|quarante|cinquante|soixante|cent"
)
_OWN_COUNT = re.compile(
    r"\b(?:nous|on|je|j')\s*(?:on\s+)?(?:(?:peut|peux|pouvons|pourrait|pourrions|pourra"
    r"|pourrons)\s+)?(?:vous\s+|nous\s+)?en\s+"
    # what they keep is not what they take: "nous en gardons 2 pour la kermesse"
    r"(?!(?:avons|ai|a|avions|possedons|avait|gardons|garde|garderons|gardera|conservons"
    r"|conserve)\b)"
    # (the words between are no numbers: "il nous en faudrait quarante cinq" is 45, not 5)
    rf"(?:(?!(?:{_SMALL})\b)[a-z]{{2,}}\s+){{1,2}}?(?:environ\s+)?"
    # "on en prendrait deux mille", "deux cents", "quarante-cinq", "soixante et un"
    rf"(?P<n>\d{{1,3}}(?: \d{{3}})+|\d{{1,5}}"
    rf"|(?:{_SMALL})(?:[ -](?:et[ -])?(?:un|{_SMALL}))?(?:[ -](?:cents?|mille))?)\b"
    # (a name of at most 61 letters, as the territory's longest of 17: from each word of a
    # long hyphenated run, "a-a-a-…", the whole run was scanned then given back)
    r"|\b[a-z][a-z-]{3,60}\s+(?:prend|prendra|prendrait)\s+(?P<m>\d{1,3}(?: \d{3})+|\d{1,5})\b"
    # (not the 3 of "12 m3 pour nous")
    r"|(?<![\w,.])(?P<o>\d{1,5})\s+(?:[a-z'-]+\s+){0,3}?pour (?:nous|notre part|notre commune)\b"
    # "38 sont donc disponibles"
    r"|(?<![\w,.])(?P<q>\d{1,5}) (?:sont|seront|restent) (?:donc |encore |bien )?"
    r"(?:disponibles|dispos?|pretables|libres)\b"
    # "on pense à 40", "nous partons sur 30"
    r"|\b(?:on|nous) (?:pense|pensons|part|partons|table|tablons|compte|comptons) (?:a|sur)"
    r" (?:environ )?(?P<p>\d{1,5})\b"
    # "mettez-nous pour 15", "inscrivez-nous pour 40"
    r"|\b(?:mettez|inscrivez|comptez|notez|marquez)[- ]nous (?:pour|a) (?P<r>\d{1,5})\b"
)


def own_count(item: FoundItem, text: str) -> FoundItem:
    """The one item of a message, counted as the writer's own share when it says one."""
    counts = []
    for found in _OWN_COUNT.finditer(text):
        group = next(g for g in ("n", "m", "o", "p", "q", "r") if found.group(g))
        after = re.match(r"(?:\s*(?:-|a|ou)\s*\d+)?\s*([a-z]+)", text[found.end(group) :][:24])
        word = after.group(1) if after else ""
        if found.start() >= item.span.start and word not in _NOT_ITEMS:
            written = found.group(group)
            digits = written.replace(" ", "")  # "3 000"
            counts.append(
                int(digits) if digits.isdigit() else text2num(written.replace("-", " "), "fr")
            )
    return replace(item, quantity=counts[-1]) if counts and counts[-1] > 0 else item


def once_each(items: list[FoundItem], text: str = "") -> list[FoundItem]:
    """An item named twice ("écrans interactifs (TBI)") is one item, counted if it was once;
    two counted rows that name it differently ("8 pantalons, 8 vestes") are two."""
    kept: list[FoundItem] = []
    for item in items:
        twin = next((k for k in kept if _same(k, item)), None)
        if twin is None:
            kept.append(item)
        elif (
            item.quantity is not None and item.item_id
            and (twin.quantity is None or _one_named_again(twin, item, text))
        ):  # fmt: skip
            kept[kept.index(twin)] = item
        elif item.quantity is not None and (
            item.quantity != twin.quantity
            or (twin.quantity is not None and _written(item, text) != _written(twin, text))
            or _listed_apart(twin, item, text)
        ):
            kept.append(item)
    return kept


def _listed_apart(one: FoundItem, other: FoundItem, text: str) -> bool:
    """ "250 assiettes plates, 250 assiettes à dessert": two rows of one list, each counted,
    named otherwise, one right after the other."""
    if one.quantity is None or other.quantity is None:
        return False
    if " ".join(text[one.span.start : one.span.end].split()) == " ".join(
        text[other.span.start : other.span.end].split()
    ):
        return False
    return _NEXT_ROW.fullmatch(text, one.span.end, other.span.start) is not None


_NEXT_ROW = re.compile(r"[ \t]*(?:,|;|\+|\n[ \t]*[-•*]?)[ \t]*(?:et[ \t]+)?|[ \t]+et[ \t]+")


def _one_named_again(one: FoundItem, item: FoundItem, text: str) -> bool:
    """ "une estrade … 12 praticables" counts one item twice; "un podium 8x6 ainsi que 2
    praticables", listed side by side, names two things the catalogue files under one name."""
    if one.quantity != 1:
        return False
    side_by_side = _SIDE_BY_SIDE.fullmatch(text, one.span.end, item.span.start)
    return side_by_side is None or _written(one, text) == _written(item, text)


_SIDE_BY_SIDE = re.compile(
    r"(?:\s*\d+\s*x\s*\d+\w*|[ \t]+[a-z0-9-]+)?\s*(?:,|\+|et|ainsi que|plus)\s*"
    r"(?:(?:un|une|le|la|l'|notre|son|sa)\s*)?"
)


def _written(item: FoundItem, text: str) -> str:
    """The first word of an item as the message wrote it."""
    for word in re.findall(r"[a-z]{3,}", text[item.span.start : item.span.end]):
        if word not in _COUNT_WORDS and not _APPROXIMATE.fullmatch(word):
            return singular(word)
    return ""


_COUNT_WORDS = frozenset("une des les environ pres moins plus deux trois quatre cinq six".split())


def _same(one: FoundItem, other: FoundItem) -> bool:
    """The same catalogue item, or for items it does not know, the same words."""
    if one.item_id or other.item_id:
        return one.item_id == other.item_id

    def words(item: FoundItem) -> list[str]:
        return [singular(w) for w in fold(item.label).split()]

    return words(one) == words(other)


def counts_no_item(text: str, number: Number) -> bool:
    """ "12 élèves", "3 fois par an", "90 associations", "6 m": what the number counts or
    measures is named, and it is no equipment."""
    after = re.match(r"[ \t]*(?:de[ \t]+|d')?([a-z][a-z'-]*)", text[number.end : number.end + 40])
    word = after.group(1) if after else ""
    return word in _NOT_ITEMS or word in _APPROXIMATIONS or word in _SIZES


def _counts_others(text: str, number: Number) -> bool:
    """ "vaisselle (200 personnes)": the number counts people or days, not the item (a
    measure or a stand-in still counts it: "sel : 5 tonnes", "1 appareil")."""
    after = re.match(r"[ \t]*([a-z][a-z'-]*)", text[number.end : number.end + 30])
    word = after.group(1) if after else ""
    return word in _NOT_ITEMS and word not in UNITS and word not in _COUNTED_AS


# Words that count the item they follow: "défibrillateurs : 1 appareil".
_COUNTED_AS = frozenset(
    "appareil appareils unite unites exemplaire exemplaires piece pieces".split()
)

_SIZES = frozenset(
    "m cm mm km m2 m3 l litre litres kg g t tonne tonnes places place kva kw v w a h".split()
)


def unknown_items(
    found: list[Number], used: set[int], matches: list[ItemMatch], text: str, original: str
) -> list[FoundItem]:
    """Items the catalogue does not know: the noun phrase a number or a need introduces."""
    taken = [(m.start, m.end) for m in matches]
    items: list[FoundItem] = []
    for number in found:
        if number.start in used or _in_a_name(original, number):
            continue
        if any(i.span.start < number.start < i.span.end for i in items):
            continue  # "60 jeux de 32 cartes": what the counted set holds
        if _THRESHOLD.search(text, max(0, number.start - 16), number.start):
            continue  # "une remise à partir de 16 plots": a threshold, not a count
        if _TOTAL.match(text, text.rfind("\n", 0, number.start) + 1, number.start):
            continue  # "TOTAL ....... 36 éléments": the sum of the rows above
        if any(_OF_CAPACITY.fullmatch(text, end, number.start) for _, end in taken):
            continue  # "une urne de 1 000 bulletins", "un minibus de 9 places": its capacity
        if _SPECIFICATION.match(text, number.end) and any(
            _JUST_AFTER.fullmatch(text, end, number.start) for _, end in taken
        ):
            continue  # "un gradateur 12 circuits", "une console 24 voies": what it is
        if original[number.start - 2 : number.start - 1] == "à" and any(
            _OF_FORMAT.fullmatch(text, end, number.start) for _, end in taken
        ):
            continue  # "2 buts de foot à 7 mobiles" (not "le club de kayak a 8 gilets")
        row = _row_label(text, number, taken)
        if row is not None:
            # "Pieds réglables ; 64", "Compostière | 3": a table's row the catalogue does not know
            label = " ".join(original[row[0] : row[1]].split())
            items.append(FoundItem(None, label, number.value, None, Span(row[0], number.end)))
            continue
        phrase = _phrase(text, number.end, taken, counted=True)
        if phrase is not None and text[phrase[0] : phrase[1]].split()[0] in _SPOKEN_MARKS:
            continue  # dictated: "trois mètres sur trois point le lundi"
        listed = number.article and _LISTED.search(text[: number.start])
        if phrase is not None and (not number.article or listed):
            measure = _MEASURE.match(text, number.end)
            # (the unit as matched: "big bags" is two words)
            unit = UNITS[measure["unit"]] if measure else None
            if measure and measure["unit"] in _NAMING_UNITS:
                # "2 kits de tir à l'arc", "8 sacs de frappe": the kit is the item
                phrase, unit = (
                    (
                        measure.start() + len(measure.group()) - len(measure.group().lstrip()),
                        phrase[1],
                    ),
                    None,
                )
            value = number.value
            items.append(_unknown(original, phrase, value, number.start, unit))
    letters = "".join(filter(str.isalpha, original[:2000]))
    # "ON COMMANDE DES JOUETS": written all in capitals, a capital names nothing
    shouted = len(letters) > 10 and sum(map(str.isupper, letters)) > 0.8 * len(letters)
    ends = sorted({m.end for m in matches} | {i.span.end for i in items})
    listed_next = (_NEXT_IN_LIST.match(text, end) for end in ends)
    slots = [*_NEED_SLOT.finditer(text), *(m for m in listed_next if m is not None)]
    for slot in slots:
        article = re.search(
            r"(?:\b(?:un|une|sa|son|notre|votre|leur|le|la)\s+|\bl')$", slot.group()
        )
        if any(slot.end() <= s < slot.end() + 3 for s, _ in taken):
            continue
        if any(
            n.start >= slot.start() and n.end <= slot.end() + 1 and not n.article for n in found
        ):
            continue
        if any(slot.end() <= n.start <= slot.end() + 2 for n in found):
            continue  # "besoin de quatre-vingts sacs": the number's own phrase
        phrase = _phrase(text, slot.end(), taken)
        if (
            phrase is not None and original[phrase[0] : phrase[0] + 1].isupper()
            and not shouted
        ):  # fmt: skip
            continue  # "la commande de Ploemeur": a commune's, or someone's (not "DES JOUETS")
        if phrase is not None and (
            head_word(text[phrase[0] : phrase[1]]) in COLLECTIVE
            or _CORRECTED.match(text, phrase[1])
            or text[phrase[0] : phrase[1]].split()[0] in _COMES_WITH
        ):
            continue  # "d'un chauffe-eau enfin d'une fontaine", "nos grilles + pieds"
        if phrase is not None and all(not (i.span.start <= phrase[0] < i.span.end) for i in items):
            items.append(_unknown(original, phrase, 1 if article else None, slot.end()))
    return _counted_elsewhere(items)


# Between an item and a number that says its capacity: "urne de 1 000 bulletins".
_OF_CAPACITY = re.compile(r"\s+(?:de|d')\s*")
# After a number right after an item (`_JUST_AFTER`), what says what it is ("un gradateur 12
# circuits").
_SPECIFICATION = re.compile(
    r"[ \t]+(?:circuits?|voies?|touches?|canaux|pistes?|entrees?|sorties?|vitesses?|roues?"
    r"|portes?|tiroirs?|feux|programmes?|couverts|bruleurs?|prises?|ports?|becs?|flux)\b"
)
# Between an item and a number that says its format: "buts de foot à 7", "but à 11".
_OF_FORMAT = re.compile(r"(?:[ \t]+(?:de|du|d')[ \t]*[a-z]+)?[ \t]+a[ \t]+")
# A pasted table's or list's row, its label then its count: "Pieds réglables ; 64",
# "- Compostière | 3", "Bancs brasserie ....... 24".
_ROW = re.compile(
    r"(?:^|\n)[ \t]*(?:[-•*>][ \t]*)?(?P<label>[a-z][a-z' -]{2,40}?)[ \t]*(?:[;|\t]|\.{2,}|…+)"
    r"[ \t]*$"
)
_SITES = frozenset(
    """
    complexe parking ecole salle gymnase stade site batiment eglise place rue quartier parc
    port plage centre maison espace cimetiere creche restaurant cantine bourg hameau
    """.split()
)
# The labels of a table's columns and a form's fields, never items.
_FIELDS = frozenset(
    """
    qte quantite quantites total totaux date dates du au ref reference references commune tel
    telephone contact lieu adresse nombre nb participants convives budget prix montant delai
    etat remarque remarques designation materiel article articles unite duree horaire horaires
    """.split()
)


def _row_label(text: str, number: Number, taken: list[tuple[int, int]]) -> tuple[int, int] | None:
    """The label a count closes in a table's row, where the catalogue names nothing there."""
    line_start = text.rfind("\n", 0, number.start) + 1
    row = _ROW.search(text, max(0, line_start - 1), number.start)
    if row is None or row.end() != number.start:
        return None
    start, end = row.span("label")
    words = text[start:end].split()
    if not words or words[0] in _FIELDS or words[0] in _NOT_ITEMS or words[0] in _SITES:
        return None  # "Complexe sportif | 3": where the items above go, not another item
    if any(start < t_end and t_start < number.start for t_start, t_end in taken):
        return None  # a catalogue item is named on the row
    return start, start + len(text[start:end].rstrip(" -"))


# What names an item rather than measuring it: "kit de badminton", "jeu de cellules".
_NAMING_UNITS = frozenset(
    "kit kits jeu jeux sac sacs malle malles coffret coffrets caisse caisses".split()
)  # ("5 caisses de transport": the crates are the item)
# Punctuation said aloud and written out by a phone's dictation.
_SPOKEN_MARKS = frozenset({"point", "virgule"})
_TOTAL = re.compile(r"[ \t]*(?:[-•*][ \t]*)?(?:total|sous-total|somme)\b")
# A count that is a threshold: "à partir de 16 plots", "au-delà de 20".
_THRESHOLD = re.compile(r"\b(?:a partir de|au-dela de|au dela de)\s*$")
# Words for a whole kind of things, which the message then details: "du mobilier
# scolaire", "une commande groupée de fournitures d'entretien : 30 balais…".
COLLECTIVE = frozenset(
    "mobilier vaisselle fourniture decoration materiel equipement produit outillage"
    " consommable epi literie linge signaletique jeu".split()
)
# Said, then taken back: "un chauffe-eau enfin une fontaine".
_CORRECTED = re.compile(r"[ \t]*+,?[ \t]*+(?:enfin|plutot|ou plutot|pardon|non)\b")
# What comes with an item rather than being one: "nos grilles + pieds" (the people who come
# with it, "+ chauffeur", are no items anywhere: _NOT_ITEMS).
_COMES_WITH = frozenset(
    "pied pieds pilote pilotes conducteur conducteurs accessoire accessoires lest lests notice"
    " montage installation".split()
)


def _counted_elsewhere(items: list[FoundItem]) -> list[FoundItem]:
    """ "des kayaks biplace … 8 kayaks": an uncounted unknown item named again with a count
    is that one."""

    counted = {head_word(i.label) for i in items if i.quantity not in (None, 1)}
    return [i for i in items if i.quantity is not None or head_word(i.label) not in counted]


def head_word(label: str) -> str:
    """The first word of a label, folded and singular: "Tables pliantes" gives "table"."""
    words = fold(label).split()
    return singular(words[0]) if words else ""


def _in_a_name(original: str, number: Number) -> bool:
    """ "la course des Trois Rivières": a capitalised number word inside a sentence; "DJI
    Mini 4 Pro", "Microsoft 365 Business", "Canon 054H": a number inside a model's name."""
    first = original[number.start : number.start + 1]
    before = original[max(0, number.start - 2) : number.start]
    if first.isupper() and not first.isdigit() and not re.search(r"(?:^|[.!?:\n]\s*)$", before):
        return True
    if first.isdigit() and _NAMED_AFTER.match(original, number.end):
        return True  # "le Club des 3 Clochers", "l'Amicale des 2 Phares", "1000 Pattes"
    name = _MODEL_BEFORE.search(original, max(0, number.start - 40), number.start)
    if name is None or not first.isdigit():
        return False
    if _MODEL_AFTER.match(original, number.end):
        return True
    # "le FC Blavet 56 cherche", "l'US Caudan 2000": a club's number (not "Nos 15 hôtels")
    return number.end - number.start > 1 and name.group().strip().lower() not in _DETERMINERS


# A product's name around a number: a capitalised word (not opening a sentence) before it,
# and a capitalised word or letters glued to it after ("Mini 4 Pro", "HP 59A", "Win 11").
_MODEL_BEFORE = re.compile(r"(?<![.!?:\n]\s)(?<![.!?:\n])\b[A-Z][A-Za-z]*[ \t]$")
_MODEL_AFTER = re.compile(r"[A-Za-z]{1,3}\b|[ \t]+[A-Z][a-z]+|[ \t]*(?:[,)]|$)")
_DETERMINERS = frozenset(
    "nos notre les des ces vos votre leurs mes le la un une et pour avec".split()
)
# A capitalised word after a number, inside a sentence: the number is part of a name.
_NAMED_AFTER = re.compile(r"[ \t]+[A-ZÀ-Ý][a-zà-ÿ]{2,}")


def _unknown(
    original: str,
    phrase: tuple[int, int],
    quantity: int | None,
    start: int,
    unit: str | None = None,
) -> FoundItem:
    label = " ".join(original[phrase[0] : phrase[1]].split())
    return FoundItem(None, label, quantity, unit, Span(start, phrase[1]))


_MEASURE = re.compile(rf"\s*(?P<unit>{_UNIT})\s+(?:de\s+|d')")
_APPROXIMATIONS = frozenset(
    """
    dizaine douzaine quinzaine vingtaine trentaine quarantaine cinquantaine soixantaine
    centaine centaines millier milliers
    """.split()
)


# "ses 21 bureaux de vote", "nos deux terrains en herbe", "ses 4 salles communales": places
_PLACES_COUNTED = re.compile(
    r"(?:bureaux? de vote|terrains?|salles? (?:communales?|municipales?|des fetes|polyvalentes?)"
    r"|ecoles?|gymnases?|stades?|sites?|quartiers?|communes?)\b"
)
_CONDITIONAL = re.compile(r"[a-z]{3}(?:raient|rait|rions|riez)$")
_RAIT_NOUNS = frozenset("portrait attrait extrait retrait abstrait distrait".split())


def _phrase(
    text: str, position: int, taken: list[tuple[int, int]], counted: bool = False
) -> tuple[int, int] | None:
    """The noun phrase just after `position`: up to three words, joined by "de" or "à";
    after a count (`counted`), a catalogue item may complete it ("500 housses de chaise")."""
    measure = _MEASURE.match(text, position)
    if measure:
        inner = _INNER_COUNT.match(text, measure.end())
        if measure["unit"] in _NAMING_UNITS and inner is not None:
            # "60 jeux de 32 cartes", "3 malles de 20 jeux": the set is the item, what it
            # holds says what it is
            held = _phrase(text, inner.end(), taken)
            return (measure.start("unit"), held[1]) if held is not None else None
        position = measure.end()
    lead = re.compile(r"[ \t]*(?:de[ \t]+|d')?(?:(?:ces|cet|cette|ce)[ \t]+)?").match(
        text, position
    )
    cursor = lead.end() if lead else position
    start, end, count = cursor, None, 0
    while count < 3:
        word = _NOUN.match(text, cursor)
        if word is None:
            break
        token = word.group()
        held = next(((a, b) for a, b in taken if a <= word.start() < b), None)
        if (
            held is not None and counted and count
            and text[end : word.start()].strip() in ("de", "d'")
            and head_word(text[start:end]) not in COLLECTIVE
        ):  # fmt: skip
            # "500 housses de chaise", "4 pieds d'enceinte": the count is the first noun's,
            # the catalogue's item only says what it is for
            return start, held[1]
        if held is not None:
            return None  # a catalogue item is here: attach_quantities decided already
        named_by_use = (
            token in ("machine", "machines") and _USE_AFTER.match(text, word.end())
        ) or (
            token in ("tuyau", "tuyaux") and _PIPE_OF.match(text, word.end())
        )  # (a tip is no item, but "tuyau d'arrosage" is)
        if token in _STOP or (
            count == 0 and token in _NOT_ITEMS | _VERBS | _APPROXIMATIONS and not named_by_use
        ):  # (a machine is no item, but "machines à coudre" are)
            break
        if count == 0 and _PLACES_COUNTED.match(text, word.start()):
            break  # "ses 21 bureaux de vote": places, not equipment
        if count == 0 and _CONDITIONAL.search(token) and token not in _RAIT_NOUNS:
            break  # "le seuil de 2 000 permettrait…": a verb, not what is counted
        end, count = word.end(), count + 1
        joint = _JOINT.match(text, end)
        if joint is None:
            break
        after = _NOUN.match(text, joint.end())
        if after is not None and after.group() in _VERBS:
            break  # "un congélateur à prêter": what it is for, not its name
        cursor = joint.end()
    return (start, end) if end is not None else None


_USE_AFTER = re.compile(r"[ \t]+a[ \t]+[a-z]{3,}")
_PIPE_OF = re.compile(r"[ \t]+(?:d'arrosage|de[ \t]+(?:jardin|pompe|refoulement|vidange)|pvc|pe)\b")
_INNER_COUNT = re.compile(r"\d+(?=[ \t]+[a-z])")


def noun_phrase(text: str, position: int) -> tuple[int, int] | None:
    """The noun phrase just after `position`, where no catalogue item was found."""
    return _phrase(text, position, [])


# What may join the words of an item's name: a space, a hyphen, "de", "à".
# (not a run of spaces: a date or a phone masked out, which no name runs across)
_JOINT = re.compile(r"(?:[ ]{1,2}(?:(?:de|a)[ ]+|d')?|-)(?=[a-z])")


# A place of the commune that a count is given for: "école du bourg : 12".
_SITE_COUNT = re.compile(
    r"(?:^|[,;:(]|\bet\b|\+)[ \t]*(?:(?:l'|la|le|les|a l'|au|a la)[ \t]*)?"
    r"(?:ecoles?|creches?|sites?|batiments?|salles?|ehpad|cantines?|restaurants? scolaires?"
    r"|gymnases?|stades?|residences?|colleges?|groupes? scolaires?|multi-accueil|mairie annexe"
    r"|centre de loisirs|accueil de loisirs|ctm|atelier)\b[^,;:\n\d]{0,40}?[ \t]*:?[ \t]*"
    r"(?P<count>\d{1,5})\b(?![ \t]*(?:h\b|heures?|ans|m\b|kg|%|€|/))"
)


def per_site_counts(items: list[FoundItem], text: str) -> list[FoundItem]:
    """ "tables élèves : école du bourg : 12, école de Locunel : 8": an item counted site by
    site, on its own line, is counted in all."""
    counted = list(items)
    for index, item in enumerate(items):
        if item.quantity is None:
            continue
        line_start = text.rfind("\n", 0, item.span.start) + 1
        line_end = text.find("\n", item.span.end)
        line_end = len(text) if line_end == -1 else line_end
        if any(
            other is not item and line_start <= other.span.start < line_end
            and other.item_id != item.item_id
            for other in items
        ):  # fmt: skip
            continue  # another item on the line: its sites may be its own
        sites = [
            int(m.group("count")) for m in _SITE_COUNT.finditer(text, item.span.start, line_end)
        ]
        if len(sites) >= 2 and item.quantity in sites:
            counted[index] = replace(item, quantity=sum(sites))
    return counted


# What a count may be given in and then detailed: "3 palettes (48 sacs par palette)".
_CONTAINERS = ("palette", "carton", "caisse", "lot", "colis", "pack", "big bag", "rouleau",
               "boite", "paquet")  # fmt: skip
_MEASURES = r"(?:kg|g|l|litres?|m|cm|mm|t|tonnes?|m2|m3|ml)"
_PER_CONTAINER = re.compile(
    rf"(?<![\d,.])(?P<per>\d{{1,4}})(?![\d,.]|[ \t]*{_MEASURES}\b)"
    r"(?P<what>(?:[ \t]+(?:[a-z'-]+|\d+))*?)[ \t]*(?:/|\bpar\b|\bpour chaque\b|\bchaque\b)[ \t]*"
    r"(?P<box>" + "|".join(_CONTAINERS) + r")(?:s|x)?\b"
)
_DETAIL_END = re.compile(r"[.;!?\n]")


def per_container_counts(
    items: list[FoundItem], text: str, plurals: dict[str, str]
) -> list[FoundItem]:
    """ "6 palettes de granulés (65 sacs/palette)", "4 palettes de chaises, 50 chaises par
    palette": a count in containers, then what one container holds, is the count in all;
    a row that only gives what a container holds is no item of its own."""
    counted: list[FoundItem | None] = list(items)
    for index, item in enumerate(items):
        if item.quantity is None or counted[index] is None:
            continue
        end = _DETAIL_END.search(text, item.span.end)
        limit = min(end.start() if end else len(text), item.span.end + 90)
        detail = _PER_CONTAINER.search(text, item.span.end, limit)
        if detail is None or int(detail.group("per")) < 2:
            continue
        box = detail.group("box")
        if box not in text[item.span.start : detail.start()]:
            continue  # "20 chaises (8 par table)": not a count given in containers
        first = detail.group("what").split()[:1]
        unit = UNITS.get(first[0]) if first else None
        label = item.label if unit else plurals.get(item.item_id or "", item.label)
        counted[index] = replace(
            item, label=label, quantity=item.quantity * int(detail.group("per")), unit=unit
        )
        for other, found in enumerate(items):
            inside = detail.start() <= found.span.start < detail.end()
            if other != index and inside and found.item_id in (item.item_id, None):
                counted[other] = None
    return [c for c in counted if c is not None]


# What a number right after an item measures in it: "un percolateur 100 tasses", "four
# mixte 10 niveaux", "piano de cuisson 4 feux", "un chariot à 3 plateaux", "tente 4 places".
_SPEC_NOUNS = frozenset(
    """
    niveau niveaux feu feux place places tasse tasses couvert couverts plateau plateaux
    personne personnes porte portes tiroir tiroirs etage etages marche marches roue roues
    essieu essieux pied pieds bac bacs plaque plaques bruleur bruleurs
    """.split()
)
_SPEC_GAP = re.compile(r"[ \t]+(?:(?:a|de)[ \t]+|d')?")


def specifications(items: list[FoundItem], text: str) -> list[FoundItem]:
    """Drop the "items" that only say the size or the kind of the item written right before
    them ("four mixte 10 niveaux", "150 verres ballon")."""
    kept: list[FoundItem] = []
    for item in items:
        before = kept[-1] if kept else None
        head = re.match(r"\d+[ \t]*([a-z]+)", text[item.span.start : item.span.end])
        if (
            before is not None and item.quantity is not None
            and head is not None and head.group(1) in _SPEC_NOUNS
            and _SPEC_GAP.fullmatch(text, before.span.end, item.span.start)
        ):  # fmt: skip
            continue
        if (
            before is not None and item.quantity is not None
            and _carries(before) and before.quantity in (None, 1)
            and _CARRIES_GAP.fullmatch(text, before.span.end, item.span.start)
        ):  # fmt: skip
            continue  # "sa remorque 8 bateaux", "une remorque pour 2 kayaks": what it carries
        if before is not None and _GLUED_AFTER.fullmatch(text, before.span.end, item.span.start):
            first = text[before.span.start : before.span.end].split()[-1]
            second = text[item.span.start : item.span.end].split()[0]
            if item.quantity is None and first[-1] in "sx" and singular(second) == second:
                continue  # "150 verres ballon": a kind of glass, not a ball
        kept.append(item)
    return kept


_GLUED_AFTER = re.compile(r"[ \t]+")
_CARRIES_GAP = re.compile(r"[ \t]+(?:(?:a|de|pour)[ \t]+|d')?")


def _carries(item: FoundItem) -> bool:
    """A trailer, whose number right after says how many things it carries."""
    return item.item_id is not None and item.item_id.startswith("remorque")


# "2 tables par exposant … 15 exposants", "3 isoloirs par bureau … 2 bureaux de vote",
# "des gilets, 1 par agent, nous avons 45 agents": so many for each of what is counted
# elsewhere is the count in all.
_PER_EACH = re.compile(
    r"[ \t]+(?:par|pour chaque|pour 1|pour un|pour une)[ \t]+(?P<unit>[a-z]{3,})\b"
)
_EACH_ALONE = re.compile(r"\s*+,?\s*+(?P<n>\d{1,3})[ \t]+par[ \t]+(?P<unit>[a-z]{3,})\b")


def per_unit_counts(items: list[FoundItem], text: str) -> list[FoundItem]:
    """An item counted for each of something the message counts once is counted in all."""
    counted: list[FoundItem | None] = list(items)
    for index, item in enumerate(items):
        each = _PER_EACH.match(text, item.span.end) if item.quantity else None
        per = item.quantity or 0
        if each is None and item.quantity is None:
            each = _EACH_ALONE.match(text, item.span.end)
            per = int(each.group("n")) if each else 0
        if each is None or not 1 <= per <= 20:
            continue
        unit = singular(each.group("unit"))
        units = [
            m for m in re.finditer(r"\b(?P<n>\d{1,4})[ \t]+(?P<noun>[a-z]{3,})\b", text)
            if singular(m.group("noun")) == unit and not each.start() <= m.start() < each.end()
        ]  # fmt: skip
        if len({m.group("n") for m in units}) != 1 or int(units[0].group("n")) < 2:
            continue
        counted[index] = replace(item, quantity=per * int(units[0].group("n")))
        for other, found in enumerate(items):
            if found.item_id is None and any(m.start() <= found.span.start <= m.start("noun")
                                             for m in units):  # fmt: skip
                counted[other] = None  # "2 bureaux de vote": what the count is made for
    return [item for item in counted if item is not None]


# "2 radars pédagogiques, voire 3", "200 ramettes, 250 max", "10 tonnes, peut-être 15":
# the bound said after a counted item is what the writer would need at most.
_BOUND_AFTER = re.compile(
    r"[ \t]*+,?[ \t]*+(?:(?:voire(?:[ \t]+meme)?|peut-etre|peut etre|jusqu'a|ou meme)[ \t]+"
    r"(?P<up>\d{1,5})\b(?![ \t]*[a-z]{3,}(?<!max)(?<!maxi)(?<!maximum))"
    rf"|(?P<most>\d{{1,5}})[ \t]+{AT_MOST})"
)


def bounded_counts(
    items: list[FoundItem], found: list[Number], used: set[int], text: str
) -> list[FoundItem]:
    """A counted item followed by a higher bound takes the bound."""
    counted = list(items)
    for index, item in enumerate(items):
        bound = _BOUND_AFTER.match(text, item.span.end) if item.quantity else None
        if bound is None:
            continue
        group = "up" if bound.group("up") else "most"
        number = next((n for n in found if n.start == bound.start(group)), None)
        if number is None or number.start in used or number.value <= (item.quantity or 0):
            continue
        counted[index] = replace(item, quantity=number.value)
        used.add(number.start)
    return counted


# One count for every item named before it: "des tables et des bancs, une trentaine de
# chaque", "4 tables et 4 bancs" said as "tables et bancs, 4 chacun".
_EACH = re.compile(
    r"[ \t]+(?:de[ \t]+chaque|de[ \t]+chacun(?:e|s)?|chacun(?:e|s)?|pour[ \t]+chacun(?:e)?)\b"
)


def each_counts(
    items: list[FoundItem], found: list[Number], used: set[int], text: str
) -> list[FoundItem]:
    """Items named without counts, then one count said for each of them."""
    for number in found:
        if number.start in used or not _EACH.match(text, number.end):
            continue
        before = [i for i in items if i.span.end <= number.start]
        if len(before) < 2 or any(i.quantity is not None for i in before):
            continue
        used.add(number.start)
        return [replace(i, quantity=number.value) if i in before else i for i in items]
    return items


# What ends a reckoning: "donc 25", "soit 24 grilles", "= 60", "il nous en manque donc 14",
# "au total 6", "il en reste 6".
_CONCLUDES = re.compile(
    r"(?:(?:^|[,;:.(]|\bet)[ \t]*donc|\bsoit|=>?|\bau total|\ben tout|\btotal[ \t]*:?"
    r"|\bce qui fait|\bca fait)[ \t]*,?[ \t]*$"
    r"|\b(?:il|on)[ \t]+(?:nous[ \t]+)?en[ \t]+(?:manque|manquerait|manquent|reste|restent)"
    r"(?:[ \t]+donc)?[ \t]*$"
    r"|\b(?:il|on)[ \t]+(?:nous[ \t]+)?(?:manque|manquerait|manquent|reste|restent)"
    r"[ \t]+donc[ \t]*$"
    r"|(?:\bdonc|\bsoit)[ \t]+(?:il|on)[ \t]+(?:nous[ \t]+)?(?:en[ \t]+)?"
    r"(?:faut|faudrait|faudra)[ \t]*$"
    r"|\b(?:il|on)[ \t]+(?:nous[ \t]+)?(?:en[ \t]+)?(?:faut|faudrait|faudra)[ \t]+donc"
    r"(?:[ \t]+les)?[ \t]*$"
)
# "les 20 autres peuvent être prêtées", "les 300 restants sont à prêter"
_REST_BEFORE = re.compile(r"\bles[ \t]+$")
_FREE_AFTER = re.compile(r"[ \t]+(?:dispos?|disponibles?|libres?|a preter|a commander|a acheter)\b")
_REST_AFTER = re.compile(
    r"[ \t]+(?:autres|restants?|restantes?)\b[^.;:!?\n]{0,30}?"
    r"\b(?:dispos?|disponibles?|libres?|a preter|pretables?|peuvent etre pretee?s?)\b"
)  # (not "les 10 autres sont réservées", "les deux autres partent en réparation")
# A count of stock, which what is asked or offered afterwards supersedes: "nous avons 24
# jardinières … on voudrait en commander 12".
_STOCK_BEFORE = re.compile(
    r"(?:(?:\bnous avons|\bon a|\bj'ai)(?:[ \t]+(?:[a-z]+(?:e|es|ee|ees|is|u|us)))?"
    r"|\bnous possedons|\bon possede|\bstock(?: actuel)?[ \t]*:?"
    r"|\bsur nos|\bnotre stock[ \t]*:?|\bnous disposons de|\bon dispose de)[ \t]*$"
)  # ("on a récupéré 2 broyeurs", "nous avons acquis 30 arceaux")
_ASKED_LATER = re.compile(
    r"\ben[ \t]+(?:commander|acheter|racheter|prendre|preter|emprunter|voudrait|voudrions|avoir"
    r"|voulons|veut|faudrait|faut|prendrait|prendrions|commanderait|commanderions)[ \t]*$"
)
_WINDOW = 240  # how far back a reckoning looks for what it counts


def reckoned_counts(
    items: list[FoundItem], found: list[Number], used: set[int], text: str
) -> list[FoundItem]:
    """Where the writer reckons ("on en a 30, il en faudrait 50, donc il en manque 20", "2
    par stand, soit 24 grilles ; nous en possédons 10, il nous en manque donc 14"), the count
    the reckoning ends on is what is asked or offered, and the item's earlier counts, of stock
    or of the sum, give way to it. So does a count of stock to a count asked after it ("nous
    avons 24 jardinières … on voudrait en commander 12"). Read on the items the act bears on,
    so that the one kept is where the request or the offer named it."""
    result = list(items)
    for number in found:
        before = text[max(0, number.start - 40) : number.start]
        asked = _ASKED_LATER.search(before)
        if number.article and number.value == 1 and not asked:
            continue  # (but "on peut en prêter un")
        rest = _REST_BEFORE.search(before) and _REST_AFTER.match(text, number.end)
        if not (_CONCLUDES.search(before) or rest or asked):
            continue
        mention = next((i for i in result if i.span.start == number.start), None)
        if mention is None:
            alone = _LONE_AFTER.match(text, number.end) or _FREE_AFTER.match(text, number.end)
            if number.start in used or not (rest or alone):
                continue
            near = [
                i for i in result
                if number.start - _WINDOW <= i.span.start and i.span.end <= number.start
            ]  # fmt: skip
            # (not the cartons they came in: "2 400 gobelets (24 cartons)")
            near = [i for i in near if _key(i) not in UNITS] or near
            if len({_key(i) for i in near}) != 1:
                continue  # nothing, or several things, reckoned before it
            mention = near[-1]
            if asked and not _STOCK_BEFORE.search(text, max(0, mention.span.start - 30),
                                                  mention.span.start):  # fmt: skip
                continue  # the count asked before stands ("4 tireuses … on en voudrait 6")
        elif asked:
            continue
        # The item keeps one mention, the first the act bears on ("nous aurions besoin de 8
        # barnums … c'est donc 8 barnums"), counted as reckoned.
        same = [i for i in result if _same_thing(i, mention) and i.span.start <= number.start]
        kept = same[0]
        result = [
            replace(i, quantity=number.value) if i is kept else i
            for i in result if i is kept or i not in same
        ]  # fmt: skip
        used.add(number.start)
    return result


def _same_thing(one: FoundItem, other: FoundItem) -> bool:
    return bool(one.item_id and one.item_id == other.item_id) or _key(one) == _key(other)


def _key(item: FoundItem) -> str:
    # the head word written: "barrières Vauban" and "barrières" are one thing reckoned
    return head_word(item.label)
