"""Folding names for comparison: the same key whatever the case, accents or hyphens."""

from __future__ import annotations

import re
import unicodedata

_SEPARATORS = re.compile(r"[\s\-‐‑–—'’`_.]+")
_SAINT = re.compile(r"\b(ste?)\b")


def fold(text: str) -> str:
    """Lower case, no accents, one space between words: "Pont-Scorff" -> "pont scorff"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    bare = bare.replace("œ", "oe").replace("æ", "ae")
    return _SEPARATORS.sub(" ", bare).strip()


def fold_place(name: str) -> str:
    """`fold`, and "St"/"Ste" read as "saint"/"sainte", as people abbreviate place names."""
    return _SAINT.sub(lambda m: "saint" if m.group(1) == "st" else "sainte", fold(name))
