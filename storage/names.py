"""Folding names for comparison: the same key whatever the case, accents or hyphens."""

from __future__ import annotations

import re
import unicodedata

_SEPARATORS = re.compile(r"[\s\-‐‑–—'’`_.]+")
_SAINT = re.compile(r"\b(ste?)\b")


class _Bare(dict[int, str | None]):
    """For `str.translate`: accents (combining marks) dropped, "œ" and "æ" spelt out; each
    character looked up in `unicodedata` once, not once a text. Up to `_KEPT` characters are
    remembered: a service reading every message a stranger sends must not grow with them."""

    def __missing__(self, code: int) -> str | None:
        char = chr(code)
        bare = None if unicodedata.combining(char) else {"œ": "oe", "æ": "ae"}.get(char, char)
        if len(self) < _KEPT:
            self[code] = bare
        return bare


_KEPT = 4096  # characters: the Latin scripts and their marks many times over


_BARE = _Bare()


def fold(text: str) -> str:
    """Lower case, no accents, one space between words: "Pont-Scorff" -> "pont scorff"."""
    if text.isascii():  # nothing to decompose nor drop
        return _SEPARATORS.sub(" ", text.casefold()).strip()
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return _SEPARATORS.sub(" ", decomposed.translate(_BARE)).strip()


def fold_place(name: str) -> str:
    """`fold`, and "St"/"Ste" read as "saint"/"sainte", as people abbreviate place names."""
    return _SAINT.sub(lambda m: "saint" if m.group(1) == "st" else "sainte", fold(name))
