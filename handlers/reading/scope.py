"""Which of the items a message names it asks, offers, buys or withdraws.

Each clause has an act; a clause with none continues the one it is joined to, or the
nearest that has one. Items take the act of their clause: those of a thanks, a question, a
negative ("nous ne pourrons pas prêter nos barnums") or another act are mentions, not
requests. The subject line only speaks when the body says nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from handlers.reading.clauses import Clause, Layout
from handlers.reading.intents import (
    AUTOMATIC,
    INTENT_OF,
    POSITIVE,
    THANKS,
    Act,
    Intent,
    act_of,
    decide,
    declined_kind,
    event_called_off,
    maintains,
)
from handlers.reading.items import ItemMatch
from handlers.reading.quantities import COLLECTIVE, FoundItem, head_word, once_each
from handlers.reading.text import singular as _singular
from storage.names import fold

# Equipment named as part of another's description, or as its purpose, is not asked:
# "un podium sur remorque", "équipé d'un chargeur", "pour alimenter la scène".
_INCIDENTAL = re.compile(
    r"(?=\b[a-z])"  # each alternative starts a word: the engine passes other places at once
    # (not an order joined: "ok pour nous sur les bâches, on en prendrait deux")
    r"(?:(?:(?<!ok )(?<!nous )(?<!moi )(?<!partants )(?<!partant )\bsur"
    r"|\bequipee?s?\s+(?:d'|de|avec)|\bmunie?s?\s+(?:d'|de)|\bdotee?s?\s+(?:d'|de)"
    # (not "Riantec peut dépanner avec sa chambre froide": what is lent)
    r"|\bfournie?s?\s+avec|(?<!depanner )(?<!depanne )(?<!depannons )(?<!depannera )"
    r"\bavec\s+(?:son|sa|ses|notre|nos)|\ba cote\s+(?:du|de la|de l'|des)"
    r"|\b(?:pour|pr|afin de)\s+(?:alimenter|brancher|transporter|tracter|eclairer|sonoriser"
    r"|installer"
    r"|charger|proteger|couvrir|acheminer|deplacer|remplacer|reparer|nettoyer|completer|poser"
    r"|accrocher|fixer|decorer|illuminer|monter|demonter|bouger|changer|mouiller|amarrer"
    r"|carener|gonfler|hisser|remorquer|rapatrier|relever|ranger|laver|poncer|peindre"
    r"|repeindre|vider|sortir|mettre a l'eau)"
    r"|\bdans\s+(?:l'|la|le|les)"
    # how things travel: "livraison par camion-grue", "je viens chercher avec le tracteur"
    r"|\b(?:livraison|livree?s?|livres|acheminee?s?|transportee?s?|deposee?s?)\s+(?:par|en)\s+"
    r"|\b(?:chercher|recuperer|transporter|rapporter|ramener|viens|vient|viendrai|viendra"
    r"|passerai|passera)\s+(?:[a-z']+\s+){0,2}?avec\s+"
    r"|\bcompatibles?\s+avec|\bsans|\bhors"
    # what will do instead: "annulé, l'expo se fera avec les cimaises de la chapelle"
    r"|\bse\s+fer(?:a|ont)\s+(?:avec|sur|dans)"
    r"|\bau lieu\s+(?:de|d'|des|du)|\bplutot que|\ben plus\s+(?:de|d'|des|du)"
    r"|\b(?:entreprise|societe|prestataire|fournisseur|installateur|loueur|technicien|agent|equipe"
    r"|cle|cles|local|notice|carnet|reparation|entretien|livraison|montage|demontage|installation"
    r"|pose|depose|transport|stockage|branchement|panne|vidange|revision|enlevement|carenage"
    r"|grutage|remorquage|hivernage|changement|remplacement|passage|renovation|refection"
    r"|amenagement|travaux|mise a l'eau)s?\s+"
    r"(?:de|des|du|d'|de la))"
    # right before the item, but for an article and one word ("sur une grande remorque"),
    # or what it is part of ("pour changer les chaînes des corps-morts")
    r"\s*(?:(?:le|la|les|l'|un|une|des|du|de|d'|notre|nos|votre|vos|son|sa|ses|leur|leurs)\s*)?"
    r"(?:[a-z]+\s+|(?!(?:commande|demande|groupement|achat|liste|offre)s?\b)[a-z]+\s+"
    r"(?:des|du|de|d')\s*(?:(?:la|l')\s*)?)?$"
    r"|\b(?:pour|pr)\s*$"
    # "ceux qui indiquent une déviation aux voitures": what a relative clause describes
    # (not the "ce" and "que" of "est-ce que…": a question, not a relative clause)
    # (nor the "qui" that opens a question: "bonjour, qui peut nous prêter des tables ?")
    r"|(?<!est-)(?<!est )(?<!est-ce )(?<!est ce )(?<!ainsi )(?<!de meme )(?<!plus )(?<!autant )"
    r"(?:\b(?:ceux|celles|celui|celle|ce|dont)\b|(?<=[a-z] )(?<!bonjour )(?<!salut )"
    r"(?<!coucou )(?<!et )(?<!mais )(?<!alors )(?<!donc )(?<!svp )(?<!savoir )(?<!sait )"
    # ("je vous informe que le destructeur…": what is said, not a relative clause)
    # ("pour Gâvres qui cherchait des tables : on peut en prêter 12": the request answered)
    # ("ya qqn qui fait une commande de fûts ? on en prendrait 6": the order joined)
    r"\b(?:qui(?! (?:cherch|recherch|demand|voul|avai?t besoin|a besoin|ont besoin|fait une"
    r"|organise|lance|coordonne|porte une))"
    r"|(?<!informe )(?<!informons )(?<!signale )(?<!signalons )(?<!rappelle )"
    # (nor the "que" of "on ne prend que 4 tonnes de sel": only so many)
    r"(?<!rappelons )(?<!confirme )(?<!confirmons )(?<!indique )(?<!indiquons )"
    r"que(?! \d)(?! des )|qu'on|qu'il)\b)"
    r"(?: (?:qui|que|qu'on|dont))?"
    r"[^.,;:!?()\n]{0,50}\b(?:sur|sous|derriere|dans|aux?|avec|pour|par|de|du|des|en|le|la|les|l')"
    r"\s*$"
    r"\s*(?:(?:le|la|les|l'|un|une|des|du|de|d'|notre|nos|votre|vos|son|sa|ses|leur|leurs)\s*)?$)"
)


# "pour les massifs et les jardinières": the purpose goes on after "et" (unless what came
# before "et" was an item: "pr le GNR et le SP98").
_PURPOSE_GOES_ON = re.compile(
    r"\b(?:pour|pr)\s+(?:(?:les?|la|l'|nos|notre|des|ses|leurs?)\s*)?[a-z'-]+\s+et\s+"
    r"(?:(?:les?|la|l'|nos|notre|des|ses|leurs?)\s*)?$"
)
_AND = re.compile(r"\s+et\s+(?:(?:les?|la|l'|nos|notre|des|ses|leurs?)\s*)?")

_FALLBACK = re.compile(
    r"[^.;!?\n]{0,40}?\b(?:ou\s+)?(?:a defaut|sinon|faute de quoi|ou bien|voire)\s*,?\s*"
    r"(?:(?:de|d'|des|du|un|une|le|la|les|l')\s*)*(?:(?:\d+|deux|trois|quatre|cinq|six)\s+)?"
)
_GLUED = re.compile(r"[ \t-]*")
# One word in the singular: "frigo", not "tables" nor "mange-debout".
_SINGLE_WORD = re.compile(r"[a-z]+(?<![sx])")
_TOPIC = re.compile(r"\bateliers?[ \t]+(?:de[ \t]+|d'|du[ \t]+)?$")
_OF_A_WORD = re.compile(r"[ \t]+(?:de|du|d')[ \t]*[a-z][a-z-]+[ \t]+")
_PARTS = re.compile(r"\s*\((?:[^()\n]*[,+]\s*)?(?:\d+\s*)?")
_SERVES = re.compile(
    r"(?:[^.;:!?\n]{0,60}\s)?(?:pour|pr)\s+"
    # "bâches et sacs de lestage pour sécuriser les barnums": what it serves, by a verb
    r"(?:[a-z]{3,}(?:er|ir|re)\s+(?=les?\b|la\b|l'|nos\b|notre\b|vos\b|votre\b|des\b|ses\b))?"
    r"(?:(?:les?|la|l'|nos|notre|vos|votre|des|ses|son|sa)\s*)?"
)
_WITH = re.compile(r"\s+avec\s+")
_BUILT_IN = re.compile(r"s?[ \t]+(?:integree?s?|incorporee?s?)\b")
# (its blanks taken from where they begin only: a search over a long run looks through it once)
_ANOTHER_NAME = re.compile(
    r"(?<!\s)\s*(?:/|\(|ou|alias|dit|type|voire)\s*(?:(?:un|une|des|le|la|les)\s+)?"
    r"(?:(?:grande?s?|petite?s?|gros|grosses?|autres?)\s+)?"
)
_COMPLEMENT = re.compile(r"\s+(?:de|a)\s+|\s+d'\s*")
_OUTRIGHT = (Act.BUY, Act.ASK, Act.OFFER)
_CONTEXT = Act.INFO  # what a sentence with no act of its own is, beside requests with items


# What may begin an item's own name before a hyphen: "éco-verres", "mini-buts".
_PREFIX = re.compile(
    r"\b(?:eco|mini|micro|maxi|super|demi|semi|multi|mega|bio|auto|electro|hydro|thermo|inter"
    r"|extra|anti|pre|post|sous|sur|non)-$"
)


_HEDGED = re.compile(
    r"\b(?:je crois|je pense|il me semble|pas sure?|pas certaine?|peut[- ]etre|a confirmer"
    r"|sous reserve)\b"
)
# The writer's own equipment out of order, when something else is asked: the reason.
_OURS = re.compile(r"\b(?:notre|nos|mon|ma|mes)\s+$")
_THE = re.compile(r"(?:\b(?:la|le|les)\s+|\bl')$")
# "la borne eau de l'aire est HS": the equipment of a place, out of order
_BROKEN_THERE = re.compile(
    r"\s+(?:de|du|des|d')\s*(?:la\s+|le\s+|l')?[a-z-]+\s+(?:est|sont)\s+(?:en panne|hs"
    r"|hors service|cassee?s?)\b"
)
# "une remorque porte-canoës, la nôtre a un pneu à plat": a part of the writer's own
_PART_OF_OURS = re.compile(
    r"\b(?:la|le|les)\s+(?:notre|notres|mien|mienne|miens|miennes)\s+(?:a|ont|avait|avaient)"
    r"\s+(?:un|une|des|deux|trois|\d+)?\s*$"
)
# "notre enrouleur est en panne", "notre ampli est réparé", "faire réparer notre enrouleur"
_BROKEN = re.compile(
    r"\s+(?:(?:est|sont|etait|etaient)\s+(?:en panne|hs|cassee?s?|hors service|mort|morte?s?"
    # ("notre arche gonflable est percée", "notre tapis est déchiré")
    r"|reparee?s?|percee?s?|crevee?s?|dechiree?s?|fendue?s?|fichue?s?|foutue?s?|grillee?s?)"
    r"|(?:a|ont)\s+(?:rendu l'ame|lache|casse|grille))\b"
)
_MENDED = re.compile(r"\breparer\s+(?:notre|nos|mon|ma|mes)\s+$")
# Equipment that is also a place things serve: "pour la buvette", "pour la scène".
_FOR_THE_PLACE = re.compile(r"\b(?:pour|pr)\s+(?:la|le|l'|les|notre|nos|sa|son)\s*(?:\d+\s+)?$")
_PLACES = frozenset({"buvette", "bar", "scene", "cuisine", "tribune", "stand", "accueil"})
_TRAVELLING = re.compile(r"\b(?:a|en)\s+$")
# Outings and classes named by what they are ridden on: "la parade vélo du Téléthon", "la
# randonnée cyclo et VTT", "les courses d'école de vélo", "une balade moto".
_RIDDEN_IN = re.compile(
    r"\b(?:parades?|randonnees?|randos?|balades?|sorties?|courses?|ecoles?|ateliers?|bourses?"
    r"|stages?|clubs?|circuits?|initiations?|cours|parcours|fetes?|sections?|promenades?)"
    r"(?:[ \t]+(?:de|d'|en|a)[ \t]*|[ \t]+(?:cyclo|route|velo|pedestre)s?[ \t]+(?:et|ou|\+)[ \t]+"
    r"|[ \t]+)$"
)
_RIDES = frozenset({"velo", "vtt", "vtc", "moto", "trottinette", "roller", "skate", "bmx"})
_MEANS_OF_TRAVEL = frozenset({"velo", "moto", "bus", "car", "bateau", "voiture", "trottinette"})

_FALLEN = re.compile(
    r"s?\s+(?:tombee?s?|couchee?s?|en travers|arrachee?s?|pliee?s?|sur la (?:ligne|toiture)"
    r"|sur les (?:lignes|fils))\b"
)


# Words that may stand right before an item's name without making it their complement: what
# asks or offers it ("prêt tables", "dispo barnums"), a count's word, a function word.
_NOT_HEADS = frozenset(
    """
    pour avec sans et ou des les une aux nos vos ses leurs mes sur dans chez par plus moins tres
    bien aussi encore deja puis donc mais car que qui dont tout tous toutes cette ces son notre
    votre leur meme autre autres quelques plusieurs chaque environ voici voila merci bonjour svp
    stp urgent objet dispo dispos disponible disponibles libre libres besoin besoins pret prets
    commande commandes achat achats demande demandes location reservation groupement offre
    retrait don vente recherche cherche cherchons recherchons prete pretons preter emprunter
    louer loue acheter commander reserver veut voudrait faut faudrait avons avez ont sont est
    etre avoir fait faire pr qqn moi nous vous eux lui elle ils ne pas jamais rien bon bons
    bonne bonnes petit petits petite petites grand grands grande grandes gros grosse grosses
    nouveau nouveaux nouvelle nouvelles neuf neufs neuve neuves vieux ancien anciens ancienne
    beau beaux belle belles groupe groupee groupes groupees ci-dessous suivant suivants
    tr fwd re info infos rappel question annulation confirmation precision
    stock inventaire liste parc reste lot lots kit kits jeu jeux carton cartons palette palettes
    total quantite nombre nb qte env approx mini maxi max min ton tes mon
    vrai vrais vraie vraies seul seuls seule seules premier premiers premiere premieres dernier
    derniers derniere dernieres deuxieme second seconde
    deux trois quatre cinq six sept huit neuf dix onze douze treize quatorze quinze seize vingt
    trente quarante cinquante soixante septante huitante nonante cent cents mille
    """.split()
)
# A word that ends as a verb or a participle does, not as a noun: "prêtons vélos", "groupés"
_VERB_ENDING = re.compile(r"(?:ons|ez|er|ait|aient|ee|ees|es|e)$")
_HEAD_BEFORE = re.compile(r"(?<![\w'-])(?P<head>[a-z][a-z-]{2,})[ \t]+(?:a[ \t]+)?$")


def complemented_noun(match: ItemMatch, text: str, named: list[ItemMatch]) -> int | None:
    """ "abri vélo", "station de réparation vélo", "tamis à sable": a one-word name right
    after a noun the catalogue does not know says what that noun is for, it is not asked for
    itself (not "prêt tables", "dispo barnums": the act's words). Where that noun starts."""
    if match.first != match.last:
        return None
    head = _HEAD_BEFORE.search(text, max(0, match.start - 30), match.start)
    if head is None:
        return None
    word = head.group("head")
    if all(p in _NOT_HEADS or p[:-1] in _NOT_HEADS for p in word.split("-")):  # "quatre-vingts"
        return None
    if _VERB_ENDING.search(word) and not word.endswith(("eur", "oir")):
        return None
    if any(m.start <= head.start() < m.end for m in named):
        return None
    return head.start()


def _named_items(
    matches: list[ItemMatch], text: str, modifiers: frozenset[str], original: str
) -> list[ItemMatch]:
    """Items named for themselves: not a modifier of the item before ("podium mobile",
    "remorque plateau"), not part of another's description."""
    kept: list[ItemMatch] = []
    for match in matches:
        if text[match.start - 1 : match.start] == "-" and not _PREFIX.search(text, 0, match.start):
            continue  # "appuis-vélos", "porte-kayaks": the second half of another's name
        before = text[max(0, match.start - 40) : match.start]
        word = text[match.start : match.end]
        between = text[kept[-1].end : match.start] if kept else ""
        # "podium mobile", "traceuse de terrain autoportée": a word of a name, after another
        glued = kept and (_GLUED.fullmatch(between) or _OF_A_WORD.fullmatch(between))
        if glued and match.first == match.last and _singular(word) in modifiers:
            continue
        if (
            glued and match.first == match.last and kept[-1].first == kept[-1].last
            and _SINGLE_WORD.fullmatch(text, kept[-1].start, kept[-1].end)
            and _SINGLE_WORD.fullmatch(text, match.start, match.end)
            and match.item.id != kept[-1].item.id and original[match.start].islower()
        ):  # fmt: skip
            continue  # "un frigo vitrine", "un écran trépied": one thing, said by two nouns
        named_again = glued and match.item.id == kept[-1].item.id
        if named_again and original[match.start : match.start + 1].isupper():
            # "4 sapins Nordmann", "du paillage BRF": one item, then its kind by a proper name
            kept[-1] = replace(kept[-1], last=match.last, end=match.end)
            continue
        if _TOPIC.search(before):
            continue  # "un atelier BD", "des ateliers de couture": what they are about
        if kept and _PARTS.fullmatch(between):
            continue  # "25 ensembles brasserie (1 table + 2 bancs)": what it is made of
        if kept and _SERVES.fullmatch(between):
            # "bornes de recharge pour véhicule électrique", "la nacelle mercredi pour les
            # guirlandes": what it serves
            continue
        if kept and _WITH.fullmatch(between):
            continue  # "un pupitre avec micro": part of the first
        if kept and _BUILT_IN.match(text, match.end):
            continue  # "webcams 4K avec micro intégré": a feature of the first
        if kept and _ANOTHER_NAME.fullmatch(between):
            continue  # "tapis de sol / tatamis": another name for the same thing
        if kept and _COMPLEMENT.fullmatch(between):
            continue  # "fours électriques de table": what the first is for, or made of
        if kept and _FALLBACK.fullmatch(between):
            continue  # "15 chalets, ou à défaut des barnums": only if the first cannot be had
        if _INCIDENTAL.search(before):
            continue
        others = [m.item.id for m in matches if m is not match]
        if (
            (
                _MENDED.search(before)
                or (_OURS.search(before) and _BROKEN.match(text, match.end))
                or (_THE.search(before) and _BROKEN_THERE.match(text, match.end))
            )
            and match.item.id not in others and others
        ):  # fmt: skip
            # "notre enrouleur a rendu l'âme : nous cherchons 2 lignes d'eau": why they
            # ask, not what (but "notre autolaveuse a lâché, qqn peut nous prêter la sienne")
            continue
        if kept and _PART_OF_OURS.search(before):
            continue  # "une remorque, la nôtre a un pneu à plat": why they ask
        if _TRAVELLING.search(before) and _singular(word) in _MEANS_OF_TRAVEL:
            continue  # "le Tro Bubry à vélo": how people go, not what is asked
        if _RIDDEN_IN.search(before) and _singular(word) in _RIDES:
            continue  # "la parade vélo", "l'école de vélo": how an outing is ridden
        if (
            (kept or others or word.endswith("s"))
            and _FOR_THE_PLACE.search(before) and _singular(word) in _PLACES
        ):  # fmt: skip
            continue  # "2 frigos pour la buvette du triathlon": where they serve
        if _FALLEN.match(text, match.end):
            continue  # "arbre sur la ligne", "arbre tombé": the incident, not what is asked
        if _PURPOSE_GOES_ON.search(before) and not (kept and _AND.fullmatch(between)):
            continue
        kept.append(match)
    return kept


@dataclass
class Scope:
    """The intent of a message and the items it concerns."""

    intent: Intent
    items: list[FoundItem]
    doubtful: bool
    quiet: bool = False  # a machine's reply, or thanks: no event is announced either
    acts: list[Act | None] = field(default_factory=list)  # each clause's, as carried
    buying: bool = False  # a need said elsewhere to be bought
    loose: bool = False  # items named with no act at all
    hedged: bool = False  # a withdrawal said with a doubt: "je crois que c'est annulé"

    @classmethod
    def of(
        cls, shape: Layout, folded: str, found: list[FoundItem], families: dict[str, str]
    ) -> Scope:
        """Read the acts of the clauses and keep the items of the act the message makes."""
        if AUTOMATIC.search(folded):
            # every clause has its act, none, for what reads the acts later
            return cls(Intent.UNKNOWN, [], False, quiet=True, acts=[None] * len(shape.clauses))
        clauses = shape.clauses
        acts = _carried(clauses, [act_of(c.text(folded)) for c in clauses], folded)
        acts = _called_off(clauses, acts, folded)
        found = _stand_ins(found, where_of(found, shape))
        where = [shape.clause_at(i.span.end - 1) for i in found]
        body = [i for i, c in enumerate(clauses) if not c.header]
        header = [i for i, c in enumerate(clauses) if c.header]
        scope = cls._within(body, acts, found, where, clauses, folded)
        if scope.intent is Intent.UNKNOWN and not any(
            acts[i] in (Act.INFO, Act.DECLINED) for i in body
        ):
            # The body says nothing of its own (not even "nous n'avons pas de besoin"):
            # the subject line does.
            scope = cls._within(header + body, acts, found, where, clauses, folded)
            scope.items = _refined(scope, body, header, acts, found, where)
        elif header and not scope.items and scope.intent is not Intent.UNKNOWN:
            # "Achat barrières Vauban … Lanester doit en racheter 100": the subject names it,
            # counted where the body counts it ("Achat commun de tables … nos tables sont
            # cassées, nous envisageons d'en racheter 50")
            counted = {
                f.item_id: f for f, w in zip(found, where, strict=True)
                if w in body and f.item_id and f.quantity is not None
                # (not what the commune has: "le festival nous a rendu nos 48 praticables")
                and not _OWNED_BEFORE.search(folded, max(0, f.span.start - 30), f.span.start)
            }  # fmt: skip
            scope.items = [
                counted.get(f.item_id, f) if f.quantity is None and f.item_id else f
                for f, w in zip(found, where, strict=True) if w in header
            ]  # fmt: skip
        elif header and acts[header[0]] is Act.INFO and scope.intent is Intent.PURCHASE:
            # "Ordre du jour", "Facture": a subject that asks nothing speaks for the body.
            scope = cls(Intent.UNKNOWN, [], False)
        scope.acts = acts
        scope.quiet = scope.quiet or any(
            acts[i] not in POSITIVE and THANKS.search(clauses[i].text(folded)) for i in body
        )
        items = _shares(_repeated(scope.items), shape, folded)
        scope.items = once_each(_headings(items, families, folded), folded)
        return scope

    @classmethod
    def _within(
        cls, indexes: list[int], acts: list[Act | None], found: list[FoundItem],
        where: list[int | None], clauses: list[Clause], folded: str,
    ) -> Scope:  # fmt: skip
        held = [any(w == i for w in where) for i in indexes]
        own = [acts[i] for i in indexes]
        still = [
            f for f, w in zip(found, where, strict=True)
            if w in indexes and clauses[w].contrast and acts[w] in POSITIVE and f.quantity
        ]  # fmt: skip
        withdrawing = [i for i in indexes if acts[i] is Act.WITHDRAW]
        # "le podium promis n'est plus dispo, quelqu'un en aurait un autre ?": withdrawn by
        # another, so asked for again
        asked_again = any(
            acts[i] is Act.ASK and "?" in clauses[i].text(folded)
            for i in indexes
            if withdrawing and i > withdrawing[0]
        )
        if withdrawing and not still and not asked_again:
            withdrawn = _withdrawn(indexes, acts, found, where, clauses)
            if withdrawn or not any(a in POSITIVE for a in own):
                # "je crois que c annulé mais pas sûr": asked before anything is withdrawn
                return cls(Intent.CANCEL, withdrawn, False, hedged=bool(_HEDGED.search(folded)))
        decision = decide(own, held)
        effective = _nearest(indexes, acts)
        if decision.act is None:
            # No act at all: items named alone ("2 barnums samedi") are a need, to confirm.
            loose = [
                f
                for f, w in zip(found, where, strict=True)
                if w in indexes and effective[w] is None
            ]
            if loose and Act.INFO not in own:
                return cls(Intent.BORROW, loose, True, loose=True)
            return cls(Intent.UNKNOWN, [], False)
        if any(held[k] and own[k] in POSITIVE for k in range(len(indexes))):
            # The requests hold their items: sentences with no act are context ("nous
            # accueillons aussi une chorale et un spectacle").
            # But a sentence that counts what a request named uncounted details it ("Qui a
            # des tables de brasserie ? 10 tables + 20 bancs pour dimanche"); not a share of
            # an order ("Commande groupée de sel ? Riantec prend 10 tonnes").
            asked = {
                (f.item_id, w) for f, w in zip(found, where, strict=True)
                if w in indexes and acts[w] in (Act.ASK, Act.NEED) and f.item_id and not f.quantity
            }  # fmt: skip
            details = {
                w for f, w in zip(found, where, strict=True)
                if w is not None and w in indexes and acts[w] is None and f.quantity
                and (f.item_id, w - 1) in asked
            }  # fmt: skip
            effective = {
                i: (a if acts[i] is not None or clauses[i].listed or i in details else _CONTEXT)
                for i, a in effective.items()
            }
        family = INTENT_OF[decision.act]
        # Needs and words of purchase say what the message's act is about; another act
        # said outright ("nous pouvons prêter…" in a request) is another matter.
        wanted = {a for a, f in INTENT_OF.items() if f is family or a not in _OUTRIGHT}
        items = _items_of(indexes, effective, found, where, wanted | {None})
        if not items:
            items = _referred(indexes, acts, found, where, clauses, folded)
        # "plus besoin des barrières, mais toujours de 2 podiums": both, so ask.
        doubtful = decision.doubtful or Act.WITHDRAW in own
        return cls(decision.intent, items, doubtful, buying=decision.buying)


# What the writer's commune has, said before its count: "nos 48 praticables", "nous avons 24".
_OWNED_BEFORE = re.compile(
    r"(?:\bnos|\bnotre|\bnous avons|\bon a|\bnous possedons|\bnous disposons de|\bstock)"
    r"[ \t:]*$"
)


def _refined(
    scope: Scope, body: list[int], header: list[int], acts: list[Act | None],
    found: list[FoundItem], where: list[int | None],
) -> list[FoundItem]:  # fmt: skip
    """ "Objet : Achat mutualisé de sel — Port-Louis commandera 3 tonnes de sel de déneigement
    et 50 sacs de sable": the subject asks, the body says what and how much, with no act of
    its own. Its items refine the subject's, which stay only where the body does not name
    them again."""
    if scope.intent in (Intent.UNKNOWN, Intent.CANCEL) or not header:
        return scope.items
    if any(w not in header for f, w in zip(found, where, strict=True) if f in scope.items):
        return scope.items
    said = [f for f, w in zip(found, where, strict=True) if w in body and acts[w] is None]
    if not said:
        return scope.items
    named = {f.item_id for f in said}
    return [f for f in scope.items if f.item_id is not None and f.item_id not in named] + said


def _items_of(
    indexes: list[int], acts: list[Act | None] | dict[int, Act | None], found: list[FoundItem],
    where: list[int | None], wanted: set[Act | None],
) -> list[FoundItem]:  # fmt: skip
    return [f for f, w in zip(found, where, strict=True) if w in indexes and acts[w] in wanted]


def _called_off(clauses: list[Clause], acts: list[Act | None], folded: str) -> list[Act | None]:
    """ "Languidic prête 5 barnums ce samedi, notre fête est annulée": beside an offer or a
    request, an event called off is the reason for it, not a withdrawal."""
    if not any(a in POSITIVE for a in acts):
        return acts
    return [
        Act.INFO if a is Act.WITHDRAW and event_called_off(c.text(folded)) else a
        for a, c in zip(acts, clauses, strict=True)
    ]


def _carried(clauses: list[Clause], acts: list[Act | None], folded: str) -> list[Act | None]:
    """A clause with no act of its own continues the one it is joined to: a line of a list,
    "et aussi 2 tables", "mais nos grilles oui" after a refused offer."""
    carried = list(acts)
    for index, clause in enumerate(clauses):
        if index and maintains(clauses[index - 1].text(folded)):
            carried[index] = Act.DECLINED  # "nous maintenons | la demande de 40 tables"
            continue
        if carried[index] is not None or index == 0 or clause.header:
            continue
        before = carried[index - 1]
        if clause.contrast and before is Act.DECLINED:
            carried[index] = declined_kind(clauses[index - 1].text(folded))
        elif clause.contrast and before is Act.WITHDRAW:
            carried[index] = Act.NEED
        elif (clause.joined or clause.listed) and not clauses[index - 1].header:
            carried[index] = before
        elif _OWN_SHARE.match(clause.text(folded)):
            # "Nous proposons une commande groupée… Pour nous : 30 tables": the writer's
            # share of what the message proposes (a share is taken, never offered)
            acts_before = [a for a in reversed(carried[:index]) if a in POSITIVE]
            taken = [a for a in acts_before if a is not Act.OFFER]
            carried[index] = (taken or acts_before or [None])[0]
    # "Pour la fête du 14, nous aurions besoin de…": a clause leads into the act after it.
    for index in range(len(clauses) - 2, -1, -1):
        after = clauses[index + 1]
        leads = carried[index] is None and not clauses[index].header and not after.contrast
        if leads and after.sentence == clauses[index].sentence and carried[index + 1] in POSITIVE:
            carried[index] = carried[index + 1]
    return carried


def _nearest(indexes: list[int], acts: list[Act | None]) -> dict[int, Act | None]:
    """Each clause's act; one with none takes the nearest request before it, else after
    it (a thanks or a refusal does not carry over to the next sentence)."""
    # (the requests before and after each clause found in one pass each way, not by
    # scanning every other clause: 6,000 clauses of "; " took 3 s)
    after: list[Act | None] = [None] * len(indexes)
    for position in range(len(indexes) - 2, -1, -1):
        following = acts[indexes[position + 1]]
        after[position] = following if following in POSITIVE else after[position + 1]
    effective: dict[int, Act | None] = {}
    before: Act | None = None
    for position, index in enumerate(indexes):
        act = acts[index]
        if act is None:
            act = before if before is not None else after[position]
        effective[index] = act
        if acts[index] in POSITIVE:
            before = acts[index]
    return effective


# Words that stand for an item named before: "les 60 anciennes", "10 motifs", "12 postes",
# "quatre-vingts sacs". Their count is the item's.
_STAND_INS = frozenset(
    """
    appareil appareils unite unites exemplaire exemplaires piece pieces modele modeles motif
    motifs poste postes lot lots jeu jeux kit kits ensemble ensembles element elements
    ancien anciens ancienne anciennes neuf neufs neuve neuves nouveau nouveaux nouvelle
    nouvelles pliant pliants pliante pliantes supplementaire supplementaires identique
    identiques pareil pareils pareille pareilles meme memes autre autres grand grands grande
    grandes petit petits petite petites disponible disponibles sac sacs carton cartons
    palette palettes bidon bidons flacon flacons rouleau rouleaux boite boites ramette
    ramettes paquet paquets caisse caisses seau seaux blanc blancs blanche blanches jaune jaunes
    rouge rouges bleu bleus bleue bleues vert verts verte vertes noir noirs noire noires gris
    grise grises modules module
    """.split()
)


def where_of(items: list[FoundItem], shape: Layout) -> list[int | None]:
    """The clause of each item."""
    return [shape.clause_at(i.span.end - 1) for i in items]


def _stand_ins(items: list[FoundItem], where: list[int | None]) -> list[FoundItem]:
    """Give the count of a stand-in ("les 60 anciennes") to the uncounted item it stands
    for, in its clause or the one before; a stand-in for nothing uncounted is dropped when
    a named item already has that count."""
    kept: list[FoundItem | None] = list(items)
    for index, item in enumerate(items):
        if item.item_id is not None:
            continue
        words = fold(item.label).split()
        if not words or words[0] not in _STAND_INS:
            continue
        clause = where[index]
        owners = [
            k for k, other in enumerate(kept)
            if other is not None and other.item_id is not None and other.quantity is None
            and clause is not None and where[k] in (clause - 1, clause)
        ]  # fmt: skip
        if len(owners) == 1:
            owner = kept[owners[0]]
            assert owner is not None
            # The owner now stands where it was counted: in the stand-in's clause.
            kept[owners[0]] = replace(
                owner, quantity=item.quantity, unit=owner.unit or item.unit, span=item.span
            )
            kept[index] = None
        elif any(o is not None and o.quantity == item.quantity for o in kept if o is not item):
            kept[index] = None
    return [k for k in kept if k is not None]


def _withdrawn(
    indexes: list[int], acts: list[Act | None], found: list[FoundItem],
    where: list[int | None], clauses: list[Clause],
) -> list[FoundItem]:  # fmt: skip
    """What a withdrawal takes back: the items of its clause, else of its sentence ("on a
    trouvé des barnums, on en a plus besoin"), else those named with no act."""
    own = _items_of(indexes, acts, found, where, {Act.WITHDRAW})
    if own:
        return own
    sentences = {clauses[i].sentence for i in indexes if acts[i] is Act.WITHDRAW}
    near = [
        f for f, w in zip(found, where, strict=True)
        if w in indexes and clauses[w].sentence in sentences and acts[w] is not Act.DECLINED
    ]  # fmt: skip
    if near:
        return near
    # "notre minibus est revenu du garage. Nous n'avons donc plus besoin de celui que…"
    earlier = {s - 1 for s in sentences}
    before = [
        f for f, w in zip(found, where, strict=True)
        if w in indexes and clauses[w].sentence in earlier and acts[w] is not Act.DECLINED
    ]  # fmt: skip
    return before or _items_of(indexes, acts, found, where, {None})


_PRONOUN = re.compile(
    r"\b(?:en|les|l')\s*(?:\w+\s+){0,2}?(?:faut|faudrait|faudra|acheter|racheter"
    r"|commander|emprunter|preter|prendre|louer|voudrions|voudrait|aurait|aurions"
    r"|avons|faudrait|reserver|recuperer)\b"
    # "on a récupéré nos 8 grilles. elles repartent à qui en veut": the subject of an offer
    r"|^\W*(?:elles|ils|elle|il)\s+(?:sont|est|seront|sera|repartent|repart|restent|reste"
    r"|peuvent|peut)\b"
)


def _referred(
    indexes: list[int], acts: list[Act | None], found: list[FoundItem],
    where: list[int | None], clauses: list[Clause], folded: str,
) -> list[FoundItem]:  # fmt: skip
    """ "qqn a déjà acheté des bornes ? on voudrait en acheter 2": an act with a pronoun
    and no items of its own is about the items of the clause before."""
    for position, index in enumerate(indexes):
        if acts[index] not in POSITIVE or position == 0:
            continue
        if not _PRONOUN.search(clauses[index].text(folded)):
            continue
        before = indexes[position - 1]
        return [f for f, w in zip(found, where, strict=True) if w == before]
    return []


# The writer's own share of a group order: "Pour nous : 30 tables", "Pour Gestel : 200
# verres", "nous, ce sera 4 armoires", "Nous prenons 5 marelles" (not "pour info :").
_OWN_SHARE = re.compile(
    r"\s*+(?:[-*•]\s*+)?(?:pour nous|pour notre (?:commune|ville|part)|pour (?:la commune|la ville"
    r"|la mairie) d[e'] ?[a-z-]+|pour (?!info|memoire|rappel|information|l'|le |la |les |vous"
    r"|votre|vos |notre|nos |ce |cette|ces |des |un |une |mon |ma |mes )[a-z][a-z-]+(?: [a-z-]+)?"
    r"(?=\s*+:)|nous(?: on)?(?: en)? (?:prenons|prendrons|prendrions|prend|prendrait))"
    r"\s*(?:,\s*)?(?::|ce sera|ce serait|cela fera|ca fera|=)?"
)


def _shares(items: list[FoundItem], shape: Layout, folded: str) -> list[FoundItem]:
    """When the writer gives its own counted share, what the proposal only describes
    before it (its kinds, the same things uncounted) is no item of its own."""
    starts = [c.span.start for c in shape.clauses if _OWN_SHARE.match(c.text(folded))]
    if not starts:
        return items
    share = [i for i in items if i.span.start >= starts[0] and i.quantity is not None]
    if not share:
        return items
    named = {head_word(i.label) for i in share}
    return [
        i for i in items
        if i.span.start >= starts[0]
        or not (i.quantity is None or head_word(i.label) in named | COLLECTIVE)
    ]  # fmt: skip


def _repeated(items: list[FoundItem]) -> list[FoundItem]:
    """ "masques FFP2 et gel hydroalcoolique… 20 flacons de gel": a noun the catalogue does
    not know alone, but that begins an item named in the message, is that item."""
    named = [(i, head_word(i.label)) for i in items if i.item_id is not None]
    kept: list[FoundItem] = []
    for item in items:
        head = head_word(item.label) if item.item_id is None else ""
        twin = next((n for n, named_head in named if head and named_head == head), None)
        if twin is not None:
            item = replace(item, item_id=twin.item_id, label=twin.label)
        kept.append(item)
    return kept


# The name of an order: "l'achat groupé de produits d'entretien", "commande groupée de
# tables de réunion", "le groupement de commandes des tables rondes".
_ORDER_OF = re.compile(
    r"\b(?:achat|commande|groupement|marche)s?(?:[ \t]+(?:groupee?s?|communs?|de commandes?))?"
    r"[ \t]+(?:de la|de l'|des|du|de|d')[ \t]*$"
)


_LOT = re.compile(r"\blot[ \t]*(?:n[°o][ \t]*)?\d{1,2}[ \t]*(?:[—–:-]|\()[ \t]*$")


def _headings(items: list[FoundItem], families: dict[str, str], folded: str) -> list[FoundItem]:
    """ "Commande de fournitures de bureau : 50 ramettes, 20 boîtes d'archives": an item
    named without a count before two counted items of its family, or before a colon that
    lists two of them, is their heading; so is the item an order is named after before one
    counted item of its family ("l'achat groupé de produits d'entretien, on prend 50 bidons
    de détergent"), and it takes the count said of it in fewer words ("commande groupée de
    tables de réunion : 10 tables pour nous")."""
    items = _order_counts(items, folded)
    kept = []
    for index, item in enumerate(items):
        family = families.get(item.item_id or "")
        same = [
            i for i in items[index + 1 :]
            if i.item_id != item.item_id and family is not None
            and families.get(i.item_id or "") == family
        ]  # fmt: skip
        counted = [i for i in same if i.quantity is not None]
        colon = folded.find(":", item.span.end)
        listed = [i for i in same if colon != -1 and i.span.start > colon]
        # "…pour le groupement fournitures administratives :" then a counted list, whatever
        # the families of the rows
        introduces = 0 <= colon - item.span.end <= 60 and "\n" not in folded[item.span.end : colon]
        rows = [i for i in items[index + 1 :] if i.quantity is not None and i.span.start > colon]
        named = _ORDER_OF.search(folded, max(0, item.span.start - 40), item.span.start)
        # "l'achat groupé de livres jeunesse : 150 albums", "l'achat groupé d'éclairage
        # muséographique : 30 spots": an order's name, then what the commune counts in it,
        # which the catalogue does not put in the same family
        unplaced = [
            i for i in items[index + 1 :]
            if i.quantity is not None and (family is None or i.item_id is None)
        ]  # fmt: skip
        # "achat groupé de drapeaux ? … 10 drapeaux tricolores et 4 drapeaux européens": the
        # kinds of it counted after it
        kind_of = f"{item.item_id}-" if item.item_id else None
        kinds = [
            i for i in items[index + 1 :]
            if kind_of and i.quantity is not None and (i.item_id or "").startswith(kind_of)
        ]  # fmt: skip
        # "un éclairage scénique : 8 projecteurs…, plus 2 pieds de levage": one, then its parts
        uncounted = item.quantity is None or (
            item.quantity == 1
            and introduces
            and item.name is not None
            and item.span.start < item.name.start
        )
        if uncounted and (
            # "Lot 4 — EPI : 30 paires de chaussures", "Lot 1 — fournitures administratives"
            # then its rows: the lot of an order is named, not counted
            (_LOT.search(folded, max(0, item.span.start - 16), item.span.start) and rows)
            or bool(kinds)
            or len(counted) >= 2
            or len(listed) >= 2
            or (introduces and len(rows) >= 2)
            or (named and (counted or unplaced))
        ):
            continue
        kept.append(item)
    return kept


def _order_counts(items: list[FoundItem], folded: str) -> list[FoundItem]:
    """The item an order is named after takes the one count said of it in fewer words."""
    for index, item in enumerate(items):
        if item.quantity is not None or not _ORDER_OF.search(
            folded, max(0, item.span.start - 40), item.span.start
        ):
            continue
        shorter = [
            i for i in items[index + 1 :]
            if i.quantity is not None and i.item_id != item.item_id
            and head_word(i.label) == head_word(item.label)
            and len(i.label.split()) < len(item.label.split())
        ]  # fmt: skip
        if len(shorter) == 1:
            counted = replace(item, quantity=shorter[0].quantity)
            return [counted if i is item else i for i in items if i is not shorter[0]]
    return items


_ASIDE = re.compile(r"\([^()\n]{0,160}\)")


_ADDS = re.compile(r"\s*(?:et|plus|\+|ainsi que)\s+(?:aussi\s+|encore\s+)?(?:\d|une?\b|des\b)")


def outside_asides(found: list[FoundItem], text: str) -> list[FoundItem]:
    """ "notre radar (avec mât et batterie)": items named inside brackets describe the one
    before them, when the message names items outside brackets; unless only the brackets
    count them."""
    # (but "… mais 14 (et 28 chaises)": brackets that add another item)
    asides = [m.span() for m in _ASIDE.finditer(text) if not _ADDS.match(text, m.start() + 1)]
    inside = [any(a < i.span.end <= b for a, b in asides) for i in found]
    if all(inside) or not any(inside):
        return found
    counted = [i for i, aside in zip(found, inside, strict=True) if aside and i.quantity]
    outside = [i for i, aside in zip(found, inside, strict=True) if not aside]
    described = any(a - 40 <= i.span.end <= a for a, _ in asides for i in outside)
    if len(counted) >= 2 and not described and not any(i.quantity for i in outside):
        # "Nos anciens décors (15 motifs pour candélabres et 3 traversées de rue) pourraient
        # être prêtés": the brackets count what the words outside only name
        return [i for i, aside in zip(found, inside, strict=True) if aside]
    return outside
