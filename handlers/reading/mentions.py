"""A learned second opinion on which of the catalogue's names a message is about.

The rules pick the items a message asks for, offers or buys from the names it holds, clause
by clause; on sets written apart from them they leave the items wrong for 3 to 23 % of
messages, often with nothing asked. A logistic model over each name's neighbourhood (the
words around it, its line, the numbers near it),
trained on the annotated sets (`make train`, `data/train_mentions.py`), does not replace
them: where it is sure the rules kept a name the writer does not act on, or left out one
the writer does, the channel asks about the items instead of recording them silently.

The model is a file of weights (`data/mention-model.json`): judging a name is a sum over
its features, with nothing to install.
"""

from __future__ import annotations

import bisect
import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources

from handlers.reading.items import ItemMatch, Vocabulary
from handlers.reading.text import words

_NEGATIONS = frozenset("pas plus sans ni aucun aucune non".split())
_SUBJECT_STARTS = ("objet", "obj", "subject", "re ", "tr ", "fwd")
_LIST_MARKS = "-*•"


@dataclass(frozen=True, slots=True)
class Mention:
    """One catalogue name found in a message, with what the model weighs about it."""

    match: ItemMatch
    features: tuple[str, ...]


def mentions(folded: str, vocabulary: Vocabulary) -> list[Mention]:
    """Every catalogue name in a folded message (all of it: subject, quotes, signature) and
    its features. The trainer uses this very function."""
    found_words = words(folded)
    found = vocabulary.find(found_words, folded)
    if not found:
        return []
    tokens = [w.text for w in found_words]
    numbers = [i for i, t in enumerate(tokens) if t.isdigit()]
    line_starts = [0] + [i + 1 for i, c in enumerate(folded) if c == "\n"]
    lines = len(line_starts)
    first_line_end = line_starts[1] if lines > 1 else 0
    on_first_line = {m.item.id for m in found if m.start < first_line_end}
    seen: set[str] = set()
    result = []
    for rank, match in enumerate(found):
        features = _features(folded, tokens, numbers, line_starts, lines, match, rank, len(found))
        if match.item.id in seen:
            features.append("same_id_before")
        if match.item.id in on_first_line and "subject" not in features:
            features.append("also_on_first_line")  # a subject or greeting line names it too
        seen.add(match.item.id)
        result.append(Mention(match, tuple(features)))
    return result


def _features(
    folded: str,
    tokens: Sequence[str],
    numbers: Sequence[int],
    line_starts: Sequence[int],
    lines: int,
    match: ItemMatch,
    rank: int,
    count: int,
) -> list[str]:
    item = match.item
    line_no = bisect.bisect_right(line_starts, match.start) - 1
    line_end = line_starts[line_no + 1] - 1 if line_no + 1 < lines else len(folded)
    line = folded[line_starts[line_no] : line_end]
    first, last = match.first, match.last
    out = [f"id={item.id}", f"fam={item.family or '-'}"]
    for offset in (1, 2, 3):
        before, after = first - offset, last + offset
        out.append(f"L{offset}={tokens[before] if before >= 0 else '<s>'}")
        out.append(f"R{offset}={tokens[after] if after < len(tokens) else '</s>'}")
    out += [f"lw={w}" for w in dict.fromkeys(tokens[max(0, first - 6) : first])]
    out += [f"rw={w}" for w in dict.fromkeys(tokens[last + 1 : last + 7])]
    if first >= 2:
        out.append(f"LB={tokens[first - 2]}_{tokens[first - 1]}")
    if last + 2 < len(tokens):
        out.append(f"RB={tokens[last + 1]}_{tokens[last + 2]}")
    if first > 0 and tokens[first - 1].isdigit():
        out.append("prevnum")
    if last + 1 < len(tokens) and tokens[last + 1].isdigit():
        out.append("nextnum")
    if any(w in _NEGATIONS for w in tokens[max(0, first - 6) : first]):
        out.append("neg6")
    stripped = line.lstrip()
    if stripped.startswith(">"):
        out.append("quoted")
    if line_no == 0 and line.startswith(_SUBJECT_STARTS):
        out.append("subject")
    if stripped[:1] in _LIST_MARKS or (
        stripped[:1].isdigit() and stripped[1:3].strip()[:1] in (")", ".", "-")
    ):
        out.append("listline")
    if "?" in line:
        out.append("qline")
    out.append(f"line_from_end={min(lines - 1 - line_no, 5)}")
    out.append(f"line={min(line_no, 5)}")
    out.append(f"rank={min(rank, 4)}")
    out.append(f"ncand={min(count, 6)}")
    if match.corrected:
        out.append("corrected")
    if "(" in folded[max(0, match.start - 3) : match.start]:
        out.append("paren")
    if ":" in folded[max(0, match.start - 4) : match.start]:
        out.append("colon_before")
    distance = min((abs(i - first) for i in numbers), default=99)
    out.append(f"numdist={min(distance, 6)}")
    return out


class MentionModel:
    """Logistic regression over the features of one name: is it what the message acts on?"""

    def __init__(self, raw: dict[str, object]) -> None:
        self.intercept = float(raw["intercept"])  # type: ignore[arg-type]
        self.weights: dict[str, float] = dict(raw["weights"])  # type: ignore[call-overload]
        self.unlikely = float(raw["unlikely"])  # type: ignore[arg-type]
        self.likely = float(raw["likely"])  # type: ignore[arg-type]

    def probability(self, mention: Mention) -> float:
        """How likely the writer acts on this name (asks for it, offers it, buys it...)."""
        weights = self.weights
        score = self.intercept + sum(weights.get(f, 0.0) for f in mention.features)
        return 1 / (1 + math.exp(-score))

    def disagrees(
        self, found: Iterable[Mention], kept: Sequence[tuple[str | None, int, int]]
    ) -> bool:
        """Does the model doubt the items kept (each its item and span in the message): one
        kept that every name under it makes unlikely, or a likely name of another item that
        none of them covers?"""
        ids = {item for item, _, _ in kept}
        under: dict[int, float] = {}  # the best probability of the names under each item
        for mention in found:
            start, end = mention.match.start, mention.match.end
            covering = [k for k, (_, a, b) in enumerate(kept) if a < end and start < b]
            probability = self.probability(mention)
            if not covering and probability > self.likely and mention.match.item.id not in ids:
                return True
            for k in covering:
                under[k] = max(under.get(k, 0.0), probability)
        return any(p < self.unlikely for p in under.values())


@cache
def bundled_mentions() -> MentionModel:
    """The model trained on the sets in tests/data/reading, shipped with the package."""
    raw = resources.files("handlers.reading").joinpath("data", "mention-model.json")
    return MentionModel(json.loads(raw.read_text("utf-8")))
