"""Text prepared for reading: folded to ASCII lower case, at the same offsets as the original.

Every later step finds things in the folded text and reports spans that are valid in
the original, so a reply can quote exactly what was written.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

WORD = re.compile(r"[a-z0-9]+")
# One character must stay one character: "œ" becomes "o", not "oe".
_LIGATURES = {"œ": "o", "æ": "a", "ß": "s"}


@lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    if char.isascii():
        return char.lower()
    if char in "’‘`´ʼ":
        return "'"
    if char in "\u00a0\u202f\u2007\u2009":
        return " "
    if char in "‐‑‒–—−→⟶➔":
        return "-"  # "du 12 → 15 mars" is a range too
    if char == "×":
        return "x"
    if char in "€£$":
        return "$"  # prices stay prices once folded
    if char in "°º№":
        return "#"  # "n° 2025-112" stays a reference once folded
    base = unicodedata.normalize("NFKD", char.lower())[:1]
    if base and base.isascii():
        return base
    return _LIGATURES.get(char.lower(), "x" if char.isalnum() else " ")


class _FoldTable(dict[int, str]):
    def __missing__(self, code: int) -> str:
        folded = _fold_char(chr(code))
        self[code] = folded
        return folded


_TABLE = _FoldTable()


def fold_same_length(text: str) -> str:
    """Lower case, accents and typographic marks removed, one character for one."""
    return text.translate(_TABLE)


@dataclass(frozen=True, slots=True)
class Span:
    """Where something was found: offsets in the text as written."""

    start: int
    end: int

    def of(self, text: str) -> str:
        """The written text of this span."""
        return text[self.start : self.end]


class Word(NamedTuple):  # a tuple: made for every word of every message, it is made fast
    text: str
    start: int
    end: int

    @property
    def span(self) -> Span:
        return Span(self.start, self.end)


def words(folded: str) -> list[Word]:
    """The words and numbers of a folded text, with their offsets."""
    return [Word(m.group(), m.start(), m.end()) for m in WORD.finditer(folded)]


def singular(word: str) -> str:
    """A crude French singular, the same on both sides of a comparison."""
    if len(word) > 3:
        if word.endswith("eaux"):
            return word[:-1]
        if word.endswith(("s", "x")) and not word.endswith("ss"):
            return word[:-1]
    return word


@dataclass
class Document:
    """A message ready to read: the original, its folded twin, and what is masked."""

    original: str
    folded: str

    @classmethod
    def of(cls, text: str) -> Document:
        """Prepare `text` (NFC-normalised, so that offsets are stable)."""
        original = unicodedata.normalize("NFC", text)
        return cls(original, fold_same_length(original))

    def masked(self, spans: list[Span]) -> Document:
        """The same document with `spans` blanked out (quoted replies, signatures...)."""
        return Document(self.original, blanked(self.folded, spans))


def blanked(text: str, spans: list[Span]) -> str:
    """`text` with `spans` replaced by as many spaces (offsets stay where they were)."""
    chars = list(text)
    for span in spans:
        chars[span.start : span.end] = " " * (span.end - span.start)
    return "".join(chars)
