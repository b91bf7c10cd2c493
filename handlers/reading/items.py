"""Items of the catalogue as people write them: plural or not, accents or not, small typos."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein

from handlers.reading.lexicon import is_french
from handlers.reading.text import WORD, Word, fold_same_length, singular
from storage.names import fold

# Words too common in messages to ever be taken for a misspelt item.
COMMON_WORDS = frozenset(
    """
    bonjour bonsoir madame monsieur merci besoin besoins avoir avons avez aurait aurions
    auriez faudrait faut pouvez pourriez pourrions pouvons peut peux serait sera seront
    etre nous vous notre votre nos vos pour avec dans sans sous chez entre depuis
    pendant apres avant pres plus moins tres bien aussi encore deja toujours jamais rien
    tout tous toute toutes cette celui celle ceux leur leurs mais donc car comme quand
    alors ainsi enfin commune communes mairie ville service services technique
    techniques agglomeration emprunter emprunt preter pret prets acheter achat achats
    commander commande commandes louer location reserver reservation disposition
    disponible disponibles souhaite souhaiterait souhaiterions souhaitons voudrait
    voudrions aimerait aimerions demande demandes demander recherche cherche cherchons
    manque prevoir prevoyons prevu prevue organise organisons organiser annuler
    annulation annule retirer finalement plus fete festival festivites forum marche
    salon concert course journee soiree semaine mois annee jour jours date dates matin
    midi soir lendemain veille prochain prochaine samedi dimanche lundi mardi mercredi
    jeudi vendredi janvier fevrier avril juillet septembre octobre novembre decembre
    juin aout mars cordialement salutations quelques plusieurs environ autre autres meme
    petit petite grand grande grands grandes nouveau nouvelle nouveaux nouvelles
    occasion urgent possible possibles rapidement information informations question
    questions reponse retour message absent absente personnes participants visiteurs
    habitants enfants associations association public saint sainte chateau chateaux
    materiel materiels equipement equipements objet objets comite salle salles ecole
    ecoles eglise place parking terrain stade chantier delib delibs deliberation promo promos
    appli applis
    """.split()
)


@dataclass(frozen=True, slots=True)
class ItemName:
    """One catalogue item and all the ways it may be written."""

    id: str
    label: str
    plural: str
    unit: str
    lendable: bool
    names: tuple[str, ...]
    family: str = ""


@dataclass(frozen=True, slots=True)
class ItemMatch:
    item: ItemName
    first: int  # index of its first word
    last: int  # index of its last word, inclusive
    start: int
    end: int
    corrected: bool = False  # read through a typo's correction ("barnnum")


def _key(name: str) -> tuple[str, ...]:
    return tuple(singular(w) for w in WORD.findall(fold(name)))


_JOINED = re.compile(r"[\s'’-]*")


class Vocabulary:
    """The catalogue compiled for reading: exact word sequences, then close spellings."""

    def __init__(self, items: Iterable[ItemName], proper: Iterable[str] = ()) -> None:
        self.items = {item.id: item for item in items}
        self.families = {item.id: item.family for item in self.items.values() if item.family}
        self._index: dict[tuple[str, ...], str] = {}
        for item in self.items.values():
            for name in (item.label, item.plural, *item.names):
                # "œuf" is read as "oeuf" when typed so, as "ouf" when the text keeps its
                # ligature (one character stays one, see `fold_same_length`)
                for key in {_key(name), _key(fold_same_length(name))}:
                    if key:
                        self._index.setdefault(key, item.id)
        # The longest name each word begins: most words begin none, and are passed at once.
        self._reach: dict[str, int] = {}
        for key in self._index:
            self._reach[key[0]] = max(self._reach.get(key[0], 0), len(key))
        # The keys of each item's label and plural, for `synonym_of`.
        self._own_keys = {i.id: (_key(i.label), _key(i.plural)) for i in self.items.values()}
        self._words = sorted({w for key in self._index for w in key if len(w) >= 4})
        self._known = frozenset(w for key in self._index for w in key)
        # The head words of items ("podium", "barriere"), singular.
        self.words = frozenset(key[0] for key in self._index if len(key[0]) > 3)
        self._proper = sorted(set(proper))
        # Words the catalogue itself uses after a head noun ("podium mobile", "remorque
        # plateau"): right after another item, they describe it.
        self.modifiers = frozenset(w for key in self._index for w in key[1:] if len(key) > 1)
        self._corrections: dict[str, str] = {w: w for w in self._proper}

    def synonym_of(self, item_id: str, written: str) -> bool:
        """Is `written` one of the item's other names, exactly (not its label, not a typo)?"""
        own = self._own_keys.get(item_id)
        key = _key(written)
        if own is None or key in own:
            return False
        return self._index.get(key) == item_id

    def _correct(self, word: str) -> str:
        """The catalogue word a misspelt word stands for, or the word itself."""
        if word in self._known or word in COMMON_WORDS or len(word) < 5 or word.isdigit():
            return word
        cached = self._corrections.get(word)
        if cached is not None:
            return cached
        # One slip in a word of up to seven letters, two in a longer one: "barnnum", "ganivel",
        # "sonno" ("liseuse" is two slips from "bineuse": no typo). A real French word is not a
        # typo ("comment" is not "ciment"), nor a place name written loosely ("Ploemer" is
        # Ploemeur): most words are French, looked up before any search for a near word.
        allowed = 1 if len(word) <= 7 else 2
        corrected = word
        if not (is_french(word) or is_french(word + "s")):
            best = process.extractOne(
                word, self._words, scorer=DamerauLevenshtein.distance, score_cutoff=allowed
            )
            place = best and process.extractOne(
                word, self._proper, scorer=DamerauLevenshtein.distance, score_cutoff=allowed
            )
            corrected = best[0] if best and place is None else word
        if len(self._corrections) < 50_000:
            self._corrections[word] = corrected
        return corrected

    def find(self, words: list[Word], text: str | None = None) -> list[ItemMatch]:
        """Every catalogue item named in `words`, longest names first, left to right; with
        the `text` they come from, a name never runs across punctuation ("isoloirs (PMR")."""
        written = [singular(w.text) for w in words]

        def joined(first: int, last: int) -> bool:  # asked only where a long name is found
            return text is None or all(
                _JOINED.fullmatch(text, words[i].end, words[i + 1].start) is not None
                for i in range(first, last)
            )

        keys = [self._correct(w) for w in written]
        found: list[ItemMatch] = []
        position = 0
        while position < len(keys):
            reach = self._reach.get(keys[position], 0)
            for size in range(min(reach, len(keys) - position), 0, -1):
                item_id = self._index.get(tuple(keys[position : position + size]))
                if item_id is not None and joined(position, position + size - 1):
                    last = position + size - 1
                    found.append(
                        ItemMatch(
                            self.items[item_id],
                            position,
                            last,
                            words[position].start,
                            words[last].end,
                            keys[position : last + 1] != written[position : last + 1],
                        )
                    )
                    position += size
                    break
            else:
                position += 1
        return found
