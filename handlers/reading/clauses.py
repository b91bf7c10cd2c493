"""A message cut into the writer's own sentences and clauses.

The reading no longer takes a message as one bag of cues: each clause says one thing
(asks, offers, buys, withdraws, thanks...), and what it names belongs to what it says.
A subject line is a header: the body confirms or refines it, it never asks twice.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from handlers.reading.text import Span

# A subject line: one short line, then a blank line, then the body.
_HEADER = re.compile(r"\A[ \t]*(?P<line>[^\n]{1,150})\n[ \t]*\n(?=\s*\S)")
# A subject said so is one even with no blank line below it: "Objet : RE: Sel\nBonjour,".
_SUBJECT = re.compile(r"\A[ \t]*(?P<line>(?:objet|sujet|subject)[ \t]*:[^\n]{1,150})\n(?=\s*\S)")
# A sentence ends at a line break, or at . ! ? … followed by a space; not at the point of
# an abbreviation ("un podium (env. 6x4 m) et deux barnums", "réf. 1234", "Mme Le Gall").
_ABBREVIATIONS = "env ref refs tel cf ex approx qte art mme mr dr st ste av bd vs".split()
_SENTENCE_END = re.compile(
    # (not a row's dot leaders: "Tables brasserie.......... 12")
    r"(?=[\n.!?])(?<!\.\.)(?!\.{4,}[ \t]*\d)(?:\n|[.!?]++"
    + "".join(rf"(?<!\b{a}\.)" for a in _ABBREVIATIONS)
    + r"(?=[\s\"')]|$)|\.\.\.)"
)
# Inside a sentence, a new clause starts at a semicolon, a contrast, or "et" + a subject.
_CLAUSE_BREAK = re.compile(
    # How each break below begins: other places are passed over at once.
    r"(?=[;,]|mais|par |en |cependant|toutefois|neanmoins|sauf que|d'a|de plus|aussi nous|et\s"
    r"|du coup)"
    r"(?:;|(?:,\s*)?\b(?:mais|par contre|en revanche|cependant|toutefois|neanmoins|sauf que"
    r"|en echange|en retour|d'autre part|par ailleurs|de plus|en outre|aussi nous"
    # "merci encore pour les chaises 👍 du coup on voudrait 2 barnums", "merci Calan pour les
    # grilles 🙏 d'ailleurs on a un écran gonflable": thanks, then another matter
    r"|du coup|d'ailleurs)\b"
    r"|(?:,\s*)?\bet\s+(?=(?:nous|on|je|j'|vous|il|elle|ils|elles)\b)"
    r"|,\s*(?=(?:seulement|uniquement)\b)"
    r"|,\s*(?=(?:nous|on|je|j')\s+(?:\w+\s+){0,2}?(?:pouvons|pourrions|pourrons|avons|aurions"
    r"|aurons|souhaitons|souhaiterions|devons|voudrions|cherchons|recherchons|proposons"
    r"|pretons|mettons|disposons|possedons|n'avons|n'aurons|ne pourrons|ne pouvons|peut|a)\b))"
)
# A line of a list: "- 3 barnums", "• 2 tables", "1) 40 chaises", "a. ...".
_LIST_LINE = re.compile(r"^[ \t]*(?:[-*•·–>+]|\d{1,2}[.)]|[a-h][.)])\s+")
_TABLE_ROW = re.compile(
    r"^[ \t]*[a-z][^\n;|\t]{1,60}?(?:(?:[ \t]*+[;|]|(?=[ \t]*\t))[ \t]*+|\.{4,}[ \t]*)\d"
)
_CONTINUES = re.compile(
    r"^\s*(?:et|ainsi que|plus|\+|aussi|egalement|de meme|idem|ou|voire|avec)\b", re.I
)
_ALSO = re.compile(r"(?=[aed])\b(?:aussi|egalement|en plus|de plus|ainsi que|en outre)\b")
_CONTRAST = re.compile(
    r"^\s*(?:,\s*)?(?:mais|par contre|en revanche|cependant|toutefois|sauf|seulement|uniquement)"
)


@dataclass(frozen=True, slots=True)
class Clause:
    """One clause of the writer's own words."""

    span: Span
    sentence: int  # index of its sentence in the message
    header: bool  # part of the subject line
    listed: bool  # a line of a list ("- 3 barnums")
    introduces: bool  # ends with ":" : the lines after it continue it
    joined: bool  # starts with "et", "ainsi que", "aussi"... : continues the clause before
    contrast: bool  # starts with "mais", "par contre"...: says the opposite of the one before

    def text(self, folded: str) -> str:
        """The folded text of the clause."""
        return folded[self.span.start : self.span.end]


@dataclass(frozen=True)
class Layout:
    """The clauses of a message, in order, the subject line's first."""

    clauses: list[Clause]

    @property
    def has_header(self) -> bool:
        return bool(self.clauses) and self.clauses[0].header

    @property
    def header_end(self) -> int:
        """Where the subject line ends, 0 where there is none."""
        return self.clauses[0].span.end if self.has_header else 0

    def clause_at(self, position: int) -> int | None:
        """The index of the clause holding a position of the text."""
        for index, clause in enumerate(self.clauses):
            if clause.span.start <= position < clause.span.end:
                return index
        return None


def layout(folded: str, *, subject: bool = True) -> Layout:
    """Cut a folded text (quotes and signature already blanked) into clauses."""
    clauses: list[Clause] = []
    start = 0
    header = (_HEADER.match(folded) or _SUBJECT.match(folded)) if subject else None
    sentence = 0
    if header is not None and _is_subject(header.group("line")):
        line = header.span("line")
        clauses.append(Clause(Span(*line), 0, True, False, False, False, False))
        start, sentence = header.end(), 1
    introduced = marked = False
    position = start
    for end_match in [*_SENTENCE_END.finditer(folded, start), None]:
        end = end_match.start() if end_match is not None else len(folded)
        stop = end_match.end() if end_match is not None else len(folded)
        if end_match is not None and end_match.group().startswith("?"):
            end += 1  # a question keeps its mark: it asks
        piece = folded[position:end]
        if piece.strip():
            # a pasted table's row is a line of a list: "Pieds réglables ; 64"
            marker = bool(_LIST_LINE.match(piece)) or (
                _starts_line(folded, position) and _TABLE_ROW.match(piece) is not None
            )
            # A line without a marker continues a list only if the list has none (a table).
            listed = marker or (introduced and _starts_line(folded, position) and not marked)
            marked = marker or (marked and listed)
            for index, (a, b) in enumerate(_split(piece, position)):
                text = folded[a:b]
                clauses.append(
                    Clause(
                        Span(a, b),
                        sentence,
                        False,
                        listed,
                        text.rstrip().endswith(":"),
                        index > 0 or bool(_CONTINUES.match(text) or _ALSO.search(text)),
                        index > 0 and bool(_CONTRAST.match(text)),
                    )
                )
            introduced = clauses[-1].introduces or (introduced and listed)
            marked = marked and introduced
            sentence += 1
        elif end_match is not None and end_match.group() == "\n" and piece == "":
            # A list may start after a blank line below its "Nos besoins :".
            opened = bool(clauses) and clauses[-1].introduces
            introduced = introduced and (opened or _next_is_list(folded, stop))
        position = stop
    return Layout(clauses)


def _split(piece: str, offset: int) -> list[tuple[int, int]]:
    """The clauses of one sentence, as spans of the whole text."""
    spans, start = [], 0
    for match in _CLAUSE_BREAK.finditer(piece):
        if match.start() > start and piece[start : match.start()].strip():
            spans.append((offset + start, offset + match.start()))
            start = match.start()
    spans.append((offset + start, offset + len(piece)))
    return [(a, b) for a, b in spans if b > a]


def _starts_line(folded: str, position: int) -> bool:
    return position == 0 or folded[position - 1] == "\n"


def _next_is_list(folded: str, position: int) -> bool:
    return bool(_LIST_LINE.match(folded, position))


def _is_subject(line: str) -> bool:
    """A subject is short and says what the mail is about, not a greeting."""
    bare = line.strip()
    return bool(bare) and not re.fullmatch(
        r"(?:bonjour|bonsoir|salut|hello|coucou|demat|madame|monsieur|madame,? monsieur"
        r"|mesdames|messieurs|cher[es]* collegues?|chers? [a-z]+)[\s,!.]*",
        bare,
    )
