"""A learned second opinion on which of the catalogue's names, which numbers and which dates
a message is about.

The rules pick the items a message asks for, offers or buys from the names it holds, their
counts from its numbers and its days from its dates, clause by clause; on sets written apart
from them they leave items, counts or days wrong for 5 to 25 % of messages, often with
nothing asked. Three logistic models, over each name's neighbourhood (the words around it,
its line, the numbers near it), each number's (the words around it, its shape, the names
beside it) and each date's (its words, the words before it, how far and how long it is),
trained on the annotated sets (`make train`, `data/train_mentions.py`), do not replace them:
where one is sure the rules kept a name, a count or a date the writer does not mean, or
left out one the writer does, the channel asks about it instead of recording silently.

The models are a file of weights (`data/mention-model.json`): judging a name or a number is
a sum over its features, with nothing to install.
"""

from __future__ import annotations

import bisect
import datetime as dt
import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources

from handlers.reading.dates import DateFinding, find_dates
from handlers.reading.items import ItemMatch, Vocabulary
from handlers.reading.numbers import Number, numbers
from handlers.reading.text import Word, words

_NEGATIONS = frozenset("pas plus sans ni aucun aucune non".split())
_SUBJECT_STARTS = ("objet", "obj", "subject", "re ", "tr ", "fwd")
_LIST_MARKS = "-*•"


@dataclass(frozen=True, slots=True)
class Mention:
    """One catalogue name found in a message, with what the model weighs about it."""

    match: ItemMatch
    features: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Figure:
    """One number found in a message, with what the model weighs about it."""

    number: Number
    features: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Moment:
    """One date found in a message, with what the model weighs about it."""

    date: DateFinding
    features: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Mentions:
    """The names, the numbers and the dates of one message."""

    names: list[Mention]
    figures: list[Figure]
    moments: list[Moment]


def mentions(folded: str, vocabulary: Vocabulary, today: dt.date) -> Mentions:
    """Every catalogue name, number and date in a folded message written `today` (all of it:
    subject, quotes, signature) and their features. The trainer uses this very function."""
    found_words = words(folded)
    found = vocabulary.find(found_words, folded)
    line_starts = [0] + [i + 1 for i, c in enumerate(folded) if c == "\n"]
    return Mentions(
        _names(folded, found_words, found, line_starts),
        _figures(folded, found_words, found, line_starts),
        _moments(folded, found_words, line_starts, today),
    )


def _line_at(folded: str, line_starts: Sequence[int], position: int) -> tuple[int, str]:
    """The number of the line a position is on, and that line."""
    line_no = bisect.bisect_right(line_starts, position) - 1
    end = line_starts[line_no + 1] - 1 if line_no + 1 < len(line_starts) else len(folded)
    return line_no, folded[line_starts[line_no] : end]


def _line_features(line_no: int, line: str, lines: int) -> list[str]:
    """Where a name, number or date stands: a quoted line, the subject, a question, how
    near the end (a signature)."""
    out = []
    if line.lstrip().startswith(">"):
        out.append("quoted")
    if line_no == 0 and line.startswith(_SUBJECT_STARTS):
        out.append("subject")
    if "?" in line:
        out.append("qline")
    out.append(f"line_from_end={min(lines - 1 - line_no, 5)}")
    return out


def _neighbours(tokens: Sequence[str], first: int, last: int, right: int) -> list[str]:
    """The three words before words `first` to `last`, the `right` words after, the pair
    before, and (with three after) the pair after."""
    out = [f"L{k}={tokens[first - k] if first - k >= 0 else '<s>'}" for k in (1, 2, 3)]
    out += [
        f"R{k}={tokens[last + k] if last + k < len(tokens) else '</s>'}"
        for k in range(1, right + 1)
    ]
    if first >= 2:
        out.append(f"LB={tokens[first - 2]}_{tokens[first - 1]}")
    if right == 3 and last + 2 < len(tokens):
        out.append(f"RB={tokens[last + 1]}_{tokens[last + 2]}")
    return out


def _names(
    folded: str, found_words: list[Word], found: list[ItemMatch], line_starts: list[int]
) -> list[Mention]:
    if not found:
        return []
    tokens = [w.text for w in found_words]
    digits = [i for i, t in enumerate(tokens) if t.isdigit()]
    lines = len(line_starts)
    first_line_end = line_starts[1] if lines > 1 else 0
    on_first_line = {m.item.id for m in found if m.start < first_line_end}
    seen: set[str] = set()
    result = []
    for rank, match in enumerate(found):
        features = _features(folded, tokens, digits, line_starts, lines, match, rank, len(found))
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
    digits: Sequence[int],
    line_starts: Sequence[int],
    lines: int,
    match: ItemMatch,
    rank: int,
    count: int,
) -> list[str]:
    item = match.item
    line_no, line = _line_at(folded, line_starts, match.start)
    first, last = match.first, match.last
    out = [f"id={item.id}", f"fam={item.family or '-'}", *_neighbours(tokens, first, last, 3)]
    out += [f"lw={w}" for w in dict.fromkeys(tokens[max(0, first - 6) : first])]
    out += [f"rw={w}" for w in dict.fromkeys(tokens[last + 1 : last + 7])]
    if first > 0 and tokens[first - 1].isdigit():
        out.append("prevnum")
    if last + 1 < len(tokens) and tokens[last + 1].isdigit():
        out.append("nextnum")
    if any(w in _NEGATIONS for w in tokens[max(0, first - 6) : first]):
        out.append("neg6")
    out += _line_features(line_no, line, lines)
    stripped = line.lstrip()
    if stripped[:1] in _LIST_MARKS or (
        stripped[:1].isdigit() and stripped[1:3].strip()[:1] in (")", ".", "-")
    ):
        out.append("listline")
    out.append(f"line={min(line_no, 5)}")
    out.append(f"rank={min(rank, 4)}")
    out.append(f"ncand={min(count, 6)}")
    if match.corrected:
        out.append("corrected")
    if "(" in folded[max(0, match.start - 3) : match.start]:
        out.append("paren")
    if ":" in folded[max(0, match.start - 4) : match.start]:
        out.append("colon_before")
    distance = min((abs(i - first) for i in digits), default=99)
    out.append(f"numdist={min(distance, 6)}")
    return out


def _size(value: int) -> str:
    if value == 1:
        return "1"
    for limit, name, round_by in ((10, "2-9", 0), (100, "10-99", 10), (1000, "100-999", 50)):
        if value < limit:
            return name + ("r" if round_by and value % round_by == 0 else "")
    if value < 10000:
        return "1000-9999" + ("r" if value % 100 == 0 else "")
    return "big"


def _shape(text: str) -> str:
    return "".join("9" if c.isdigit() else "a" if "a" <= c <= "z" else c for c in text)


def _figures(
    folded: str, found_words: list[Word], found: list[ItemMatch], line_starts: list[int]
) -> list[Figure]:
    tokens = [w.text for w in found_words]
    starts = [w.start for w in found_words]
    lines = len(line_starts)
    result = []
    for number in numbers(folded):
        first = bisect.bisect_left(starts, number.start)
        last = max(first, bisect.bisect_left(starts, number.end) - 1)
        written = folded[number.start : number.end]
        kind = "article" if number.article else "digits" if written[:1].isdigit() else "words"
        out = [f"v={_size(number.value)}", f"kind={kind}", *_neighbours(tokens, first, last, 3)]
        out.append(f"after={_shape(folded[number.end : number.end + 2])}")
        out.append(f"before={_shape(folded[max(0, number.start - 2) : number.start])}")
        following = next((m for m in found if last < m.first <= last + 3), None)
        preceding = [m for m in found if first - 3 <= m.last < first]
        out.append(f"item_after={following.first - last if following else 0}")
        out.append(f"item_before={first - preceding[-1].last if preceding else 0}")
        if following:
            out.append(f"next_id={following.item.id}")
        if preceding:
            out.append(f"prev_id={preceding[-1].item.id}")
        line_no, line = _line_at(folded, line_starts, number.start)
        out += _line_features(line_no, line, lines)
        if line.lstrip()[:1] in _LIST_MARKS:
            out.append("listline")
        out.append(f"nitems={min(len(found), 4)}")
        result.append(Figure(number, tuple(out)))
    return result


_VAGUE = frozenset(
    "vers environ debut fin mi courant prochainement bientot peut etre eventuellement"
    " approximativement autour".split()
)


def _days(count: int) -> str:
    if count < 0:
        return "open"
    for limit, name in ((1, "1"), (3, "2-3"), (7, "4-7"), (31, "8-31")):
        if count < limit:
            return name
    return "long"


def _ahead(count: int) -> str:
    if count < 0:
        return "past"
    for limit, name in ((0, "0"), (7, "1-7"), (60, "8-60"), (200, "61-200")):
        if count <= limit:
            return name
    return "far"


def _moments(
    folded: str, found_words: list[Word], line_starts: list[int], today: dt.date
) -> list[Moment]:
    found = find_dates(folded, today)
    tokens = [w.text for w in found_words]
    starts = [w.start for w in found_words]
    lines = len(line_starts)
    result = []
    for rank, date in enumerate(found):
        first = bisect.bisect_left(starts, date.span.start)
        last = max(first, bisect.bisect_left(starts, date.span.end) - 1)
        inner = [w if not w.isdigit() else "<num>" for w in tokens[first : last + 1]]
        out = [f"kind={date.kind}", f"n={min(len(found), 5)}", f"rank={min(rank, 4)}"]
        out += [f"w={w}" for w in dict.fromkeys(inner)]
        if inner:
            out.append(f"w0={inner[0]}")
        out += _neighbours(tokens, first, last, 2)
        if any(w in _VAGUE for w in tokens[max(0, first - 3) : first + 1]):
            out.append("vague")
        length = (date.end - date.start).days if date.start and date.end else -1
        out.append(f"len={_days(length)}")
        if date.start:
            out.append(f"ahead={_ahead((date.start - today).days)}")
        written = folded[date.span.start : date.span.end]
        out.append("digits" if any(c.isdigit() for c in written) else "nodigits")
        line_no, line = _line_at(folded, line_starts, date.span.start)
        out += _line_features(line_no, line, lines)
        result.append(Moment(date, tuple(out)))
    return result


def _counted(count: int | None, figure: Figure) -> bool:
    """Is this number the count kept? One is what an article says ("un podium"), which
    stands for no count, and is not weighed as one."""
    return count is not None and count > 1 and figure.number.value == count


def _weighed_names(
    names: Sequence[Mention], chances: Sequence[float], kept: Kept
) -> tuple[float, float]:
    """The least likely of the items kept (each as likely as the likeliest name under it; 1
    when none is under a name) and the likeliest name of another item none covers (0)."""
    ids = {item for item, _, _, _ in kept}
    under: dict[int, float] = {}
    left = 0.0
    for mention, p in zip(names, chances, strict=True):
        start, end = mention.match.start, mention.match.end
        covering = [k for k, (_, _, a, b) in enumerate(kept) if a < end and start < b]
        if not covering and mention.match.item.id not in ids:
            left = max(left, p)
        for k in covering:
            under[k] = max(under.get(k, 0.0), p)
    return min(under.values(), default=1.0), left


def _used(figures: Sequence[Figure], kept: Kept) -> set[int]:
    """The numbers the counts kept were read from: for each count, the nearest number of
    that value."""
    used: set[int] = set()
    for _, count, start, end in kept:
        same = [k for k, f in enumerate(figures) if _counted(count, f)]
        if same:
            used.add(
                min(
                    same,
                    key=lambda k: min(
                        abs(figures[k].number.start - start), abs(figures[k].number.start - end)
                    ),
                )
            )
    return used


class Judge:
    """Logistic regression over binary features, with the bounds past which it is sure."""

    def __init__(self, raw: dict[str, object]) -> None:
        self.intercept = float(raw["intercept"])  # type: ignore[arg-type]
        self.weights: dict[str, float] = dict(raw["weights"])  # type: ignore[call-overload]
        self.unlikely = float(raw["unlikely"])  # type: ignore[arg-type]
        self.likely = float(raw["likely"])  # type: ignore[arg-type]

    def probability(self, features: Iterable[str]) -> float:
        weights = self.weights
        score = self.intercept + sum(weights.get(f, 0.0) for f in features)
        return 1 / (1 + math.exp(-score))


Kept = Sequence[tuple[str | None, int | None, int, int]]  # item, count, span


class MentionModel:
    """Three judges: is a name what the message acts on; is a number a count the writer
    gives; are a date's days those the writer means (of use, or to answer by)?"""

    def __init__(self, raw: dict[str, dict[str, object]]) -> None:
        self.names = Judge(raw["names"])
        self.counts = Judge(raw["counts"])
        self.dates = Judge(raw["dates"])
        self.confidence = Confidence(raw["confidence"])

    def odds(self, found: Mentions) -> Odds:
        """Each judge's probability for each name, number and date of a message."""
        return Odds(
            [self.names.probability(m.features) for m in found.names],
            [self.counts.probability(f.features) for f in found.figures],
            [self.dates.probability(m.features) for m in found.moments],
        )

    def doubts(self, weighed: Weighing) -> list[str]:
        """The parts a judge is sure the rules read wrong: an item kept that every name
        under it makes unlikely, or a likely name of another item left out; a count kept
        from a number unlikely one, or a likely count left unused; days kept from dates all
        unlikely meant, or a likely date of other days left out."""
        names, counts, dates = self.names, self.counts, self.dates
        found = []
        if weighed.least_name < names.unlikely or weighed.name_left > names.likely:
            found.append("items")
        if weighed.least_count < counts.unlikely or weighed.count_left > counts.likely:
            found.append("quantity")
        if weighed.likeliest_date < dates.unlikely or weighed.date_left > dates.likely:
            found.append("dates")
        return found


@dataclass(frozen=True)
class Recorded:
    """What a reading would record, as the confidence weighs it."""

    intent: str
    kept: Kept  # item, count and span of each item
    spans: Sequence[tuple[int, int]]  # where its days were read
    said: tuple[str | None, str | None, str | None]  # start, end, deadline (ISO days)
    event: bool
    commune: bool


@dataclass(frozen=True)
class Odds:
    """The judges' probability for each name, number and date of a message, in order."""

    names: Sequence[float]
    counts: Sequence[float]
    dates: Sequence[float]


_INTENTS = ("borrow", "lend", "purchase", "event", "cancel")


@dataclass(frozen=True)
class Weighing:
    """How likely the judges find what a reading kept, and what it left out."""

    least_name: float  # the least likely item kept (1 when no name is under any)
    name_left: float  # the likeliest name of another item left out (0 when none)
    least_count: float  # the least likely number a count was kept from (1 when none)
    count_left: float  # the likeliest number of another value left unused (0 when none)
    least_date: float  # the least likely date the days were kept from (1 when none)
    likeliest_date: float  # the likeliest of those dates (1 when none)
    date_left: float  # the likeliest date of other days left out (0 when none)


def weigh(found: Mentions, odds: Odds, recorded: Recorded) -> Weighing:
    """The judges' odds on what a reading kept and left out."""
    kept = recorded.kept
    least_name, name_left = _weighed_names(found.names, odds.names, kept)
    figures = found.figures
    used = _used(figures, kept)
    counts = {count for _, count, _, _ in kept}
    count_left = max(
        (p for k, (f, p) in enumerate(zip(figures, odds.counts, strict=True))
         if k not in used and f.number.value not in counts),
        default=0.0,
    )  # fmt: skip
    moments = found.moments
    on = [
        k for k, m in enumerate(moments)
        if any(a < m.date.span.end and m.date.span.start < b for a, b in recorded.spans)
    ]  # fmt: skip
    first_day, last_day, answer_by = recorded.said

    def other_days(m: Moment) -> bool:
        first = m.date.start.isoformat() if m.date.start else None
        last = m.date.end.isoformat() if m.date.end else None
        if first and last and first_day and last_day and first_day <= first <= last <= last_day:
            return False  # "du 12 au 15 juillet pour les festivités du 14 juillet": within
        return first != first_day and last not in (last_day, answer_by)

    date_left = max(
        (p for k, (m, p) in enumerate(zip(moments, odds.dates, strict=True))
         if k not in on and other_days(m)),
        default=0.0,
    )  # fmt: skip
    return Weighing(
        least_name,
        name_left,
        min((odds.counts[k] for k in used), default=1.0),
        count_left,
        min((odds.dates[k] for k in on), default=1.0),
        max((odds.dates[k] for k in on), default=1.0),
        date_left,
    )


def signals(weighed: Weighing, found: Mentions, recorded: Recorded, text: str) -> list[float]:
    """What the confidence weighs about one reading: the least likely name, count and date
    kept, the likeliest left out, and the reading's shape. The trainer uses this function."""
    first_day, _, answer_by = recorded.said
    return [
        weighed.least_name,
        weighed.name_left,
        weighed.least_count,
        weighed.count_left,
        weighed.least_date,
        weighed.date_left,
        float(len(recorded.kept)),
        float(len(found.figures)),
        float(len(found.moments)),
        float(len(found.names)),
        float(text.lower().startswith("objet")),
        math.log(1 + len(text)),
        float(first_day is not None),
        float(answer_by is not None),
        float(recorded.event),
        float(recorded.commune),
        *(float(recorded.intent == i) for i in _INTENTS),
    ]


# Which part to ask about when the confidence doubts a reading: the weakest of its signals,
# if it is weak: a kept name, count or date under even odds, or one left out above them.
_PARTS = ("items", "items", "quantity", "quantity", "dates", "dates")
_WEAK = 0.5


class Confidence:
    """Logistic regression over `signals`: how likely a reading recorded silently is wrong."""

    def __init__(self, raw: dict[str, object]) -> None:
        self.mean = [float(x) for x in raw["mean"]]  # type: ignore[attr-defined]
        self.scale = [float(x) for x in raw["scale"]]  # type: ignore[attr-defined]
        self.coef = [float(x) for x in raw["coef"]]  # type: ignore[attr-defined]
        self.intercept = float(raw["intercept"])  # type: ignore[arg-type]
        self.ask_above = float(raw["ask_above"])  # type: ignore[arg-type]

    def wrong(self, values: Sequence[float]) -> float:
        score = self.intercept + sum(
            c * (v - m) / s
            for c, v, m, s in zip(self.coef, values, self.mean, self.scale, strict=True)
        )
        return 1 / (1 + math.exp(-score))

    def part_to_ask(self, values: Sequence[float]) -> str | None:
        """The part to ask about when the reading is unsure enough: the one whose signal is
        weakest (a kept one unlikely, or a left one likely), if any is weak at all. A
        reading whose every name, count and date the judges find likely has no question to
        ask; on the blind readings, this spares five questions in ninety-one, and two errors."""
        if self.wrong(values) < self.ask_above:
            return None
        weakness = [1 - values[0], values[1], 1 - values[2], values[3], 1 - values[4], values[5]]
        weakest = max(range(len(weakness)), key=weakness.__getitem__)
        return _PARTS[weakest] if weakness[weakest] >= _WEAK else None


@cache
def bundled_mentions() -> MentionModel:
    """The models trained on the sets in tests/data/reading, shipped with the package."""
    raw = resources.files("handlers.reading").joinpath("data", "mention-model.json")
    return MentionModel(json.loads(raw.read_text("utf-8")))
