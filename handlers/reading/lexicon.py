"""Is this a French word? Then it is not a misspelt item, however close it looks.

The word list is pyspellchecker's French dictionary, loaded on first use only: most
messages never need it.
"""

from __future__ import annotations

import gzip
import json
import unicodedata
from functools import cache
from importlib import resources


@cache
def french_words() -> frozenset[str]:
    """Every word of the French dictionary, folded to lower-case ASCII."""
    raw = resources.files("spellchecker").joinpath("resources/fr.json.gz").read_bytes()
    words: dict[str, int] = json.loads(gzip.decompress(raw))
    return frozenset(
        unicodedata.normalize("NFKD", w.lower()).encode("ascii", "ignore").decode() for w in words
    )


def is_french(word: str) -> bool:
    """True for a word of the dictionary (folded: no accents, lower case)."""
    return word in french_words()
