"""Numbers: those that count things, and the many that do not (times, prices, phones...)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from text_to_num import text2num

from handlers.reading.text import Span

# Telephone numbers: 02 97 12 34 56, 02.97.12.34.56, +33 2 97 ...
PHONE = re.compile(r"(?:\+33\s?|\b0)[1-9](?:[\s.-]?(?:\d{2}|xx)){4}\b")
# A year of this century or the last, not "2000" (far more often a count).
_A_YEAR = r"(?:19|20)(?!00\b)\d{2}"
# Numbers that never count items: masked before quantities are read.
_NOT_QUANTITIES = re.compile(
    r"|".join(
        [
            PHONE.pattern,
            # times: 14h30, 14 h, 9h, 14:30
            r"\b\d{1,2}\s?h(?:\s?\d{2})?\b",
            r"\b\d{1,2}:\d{2}\b",
            # prices and percentages: 2 000 €, 150 euros, 3 k€, 20 %, 1.500,00 €
            r"\b\d[\d\s.,]*\s?(?:k\s?)?(?:\$|euros?\b|eur\b|ht\b|ttc\b|%|pour\s?cent\b)",
            # dimensions: 10x20, 3 x 3 m, 8m x 6m, 3m50
            r"\b\d+(?:[.,]\d+)?\s?(?:m|cm|mm)?\s?[x*×]\s?\d+(?:[.,]\d+)?(?:\s?(?:m|cm|mm)\b)?",
            r"\b\d+\s?m\s?\d{2}\b",
            # power, weight-free physical units glued to the number
            r"\b\d+(?:[.,]\d+)?\s?(?:kva|kwc|kw|w|v|ch|cv|db|l/h|m3/h|km/h|bars?)\b",
            # a solar panel's peak watts, "450 Wc" (not "4 WC", four toilets)
            r"\b\d{3,}\s?wc\b",
            # sizes that never count an item: 40 cm, 12 mm, 5 km
            r"\b\d+(?:[.,]\d+)?\s?(?:cm|mm|km|pouces?|\")(?:\b|$|\s)",
            # a distance in thousands: "240 000 km" (not its last group alone)
            r"\b\d{1,3}(?:[ \u202f]\d{3})+\s?km\b",
            # areas that describe: "200 m² environ" (not "400 m² de gazon"; a volume may be
            # what a bulk product is counted in: "terreau, 15 m3 pour nous")
            r"\b\d[\d\s.,]*\s?m2\b(?!\s*(?:de|d')\s)",
            # tyre and profile sizes: "16.9-28"
            r"\b\d+[.,]\d+-\d+\b",
            # decimals: 2,5 m3, 1,8 t, 1.5 kW: a measure, never a count
            r"\b\d+[.,]\d+\b(?![.,]\d)",
            # postal code and town: 56100 Lorient
            r"\b(?:56|29|22|35)\d{3}\b",
            # reference codes: "réf. PR-2027-014", "CDE-2027-118", "BL-4471", "2027-0456"
            r"(?<=[a-z])-\d+(?:-\d+)*\b|\b(?:19|20)\d{2}-\d{3,}\b",
            # temperatures, and their ranges: "0 à +4 °C", "-18 °C"
            r"[+-]?\d+(?:[.,]\d+)?(?:\s?(?:a|-)\s?[+-]?\d+(?:[.,]\d+)?)?\s?#\s?c\b",
            # a year after "en" or "depuis", or in brackets, even before a plural: "les 4
            # défibrillateurs acquis en 2025 sont disponibles", "Saint-Mathurin (1823)"
            rf"(?:(?<=\ben )|(?<=\bdepuis )|(?<=\()){_A_YEAR}\b(?![ \t]*[x*])",
            # years: 2027, and academic or season spans: 2026-2027 (but "2000" alone is
            # far more often a count than a year: "gobelets : 2000 pour nous")
            rf"\b{_A_YEAR}(?:\s?[-/]\s?(?:19|20)?\d{{2}})?\b"
            r"(?!\s+(?:[a-z]+\s+){0,1}(?:de\s+|d')?[a-z]{4,}s\b)",
            # ordinals and list markers: 1), 2., n°3, 3e, 2ème
            r"\bn\s?#\s?\d[\d/.-]*|\b(?:ref|reference|deliberation|arrete|dossier|marche|facture"
            r"|bon|devis|contrat|convention|article|chapitre|imputation|ligne|compte|siret|siren)"
            r"\.?\s?(?:n\s?#?\s?)?\d[\d\s/.-]*\d"
            r"|\b\d+\s?(?:e|eme|er|ere|nd|nde)\b",
            # aggregate gradings: "sable 0/4", "grave 0/31,5"
            r"\b0/\d{1,2}(?:[.,]\d)?\b",
            # percentages and fractions: 1/2 journée
            r"\b\d\s?/\s?\d\b(?!\s?/)(?=\s+(?:journee|jour|heure))",
        ]
    )
)

# The characters a number that counts nothing can begin with (see the patterns above).
_QUANTITY_STARTS = frozenset("0123456789+-nrdamfbcils")
_NUMBER_WORDS = """
    zero un une deux trois quatre cinq six sept huit neuf dix onze douze treize quatorze
    quinze seize vingt vingts trente quarante cinquante soixante septante huitante
    octante nonante cent cents mille
    """.split()
# A number in words other than one: what counts more than a single thing ("deux", "mille").
COUNT_WORD = r"(?:" + "|".join(w for w in _NUMBER_WORDS if w not in ("zero", "un", "une")) + r")"
_NUMBER_RUN = re.compile(
    r"(?=[cdhmnoqstuvz])\b(?:"  # the first letters of the words: other places passed at once
    + "|".join(_NUMBER_WORDS)
    + r")(?:(?:[\s-]+(?:et[\s-]+)?)(?:"
    + "|".join(_NUMBER_WORDS)
    + r"))*\b"
)
_ELIDED_ONE = re.compile(r"(?=du)\bd(une?)\b")
# "souffleurs x3": a count glued to its times sign (not "3x3", a size); "2x barnums", "sel
# 3t", "une 10aine de tables": a count glued to its sign, its unit or its "about" (not a
# two-stroke engine's "huile 2t"); "20m de câble"
_DIGITS = re.compile(
    r"(?=\d)(?:\b\d{1,3}(?:[ .]\d{3})+\b|\b\d+\b|(?<=\bx)\d{1,4}\b"
    r"|(?<!huile )(?<!melange )(?<!moteur )\b\d{1,5}(?=(?:t|x|aine)\b)"
    # a measure glued to its unit, of what follows, where a list or a need names it: "+ 20m de
    # câble", "besoin de 5l de javel" (not "la nacelle 14m de Ploemeur", its size)
    r"|(?:(?<=[+,:(])|(?<=[+,:(]\s)|(?<=\bet\s)|(?<=\bde\s)|(?<=\bd')|(?<=^))"
    r"\d{1,5}(?=(?:m|l|kg)\s+(?:de\s|d')))"
)
_APPROXIMATE = {
    "demi-douzaine": 6,
    "demi douzaine": 6,
    "dizaine": 10,
    "douzaine": 12,
    "quinzaine": 15,
    "vingtaine": 20,
    "trentaine": 30,
    "quarantaine": 40,
    "cinquantaine": 50,
    "soixantaine": 60,
    "centaine": 100,
    "millier": 1000,
}
_APPROX = re.compile(r"(?=[u1])\b(?:une?|1)\s+(" + "|".join(_APPROXIMATE) + r")s?\b")
_APPROX_MANY = re.compile(r"(?=[\dcdqt])\b(\d+|deux|trois|quatre|cinq)\s+(centaine|millier)s\b")


@dataclass(frozen=True, slots=True)
class Number:
    value: int
    start: int
    end: int
    # "un"/"une" count only right before an item; alone they are articles.
    article: bool = False

    @property
    def span(self) -> Span:
        return Span(self.start, self.end)


_LONGEST = 80
_DIGIT_RUN = re.compile(r"(?=[+\d])\+?\d[\d\s.,:/hx*×-]*")


# The size of a container or of a place, never a count: "2 bidons de 20 L", "sacs de 50 et
# 100 litres", "une salle de 400 m²", "cuve de 3 000 litres".
_CONTAINER = (
    r"sacs?|bidons?|flacons?|cartons?|seaux?|bouteilles?|futs?|cuves?|citernes?|rouleaux?"
    r"|boites?|palettes?|packs?|bacs?|conteneurs?|poubelles?|jerricans?|bobines?|tubes?|pots?"
)
_VOLUME = r"(?:l|litres?|cl|ml|kg|kilos?|g|grammes?|m3|m2|tonnes?|t|metres?|m|ha|hectares?)"
_SIZE = re.compile(
    rf"(?=[bcdfjprst])(?:\b(?:{_CONTAINER})\s+(?:de|d')\s?(?P<n>\d[\d\s.,]*(?:\s*(?:et|ou|a|-|/)\s*\d[\d\s.,]*)*"
    rf"\s?{_VOLUME})\b"
    rf"|\b(?:de|d')\s?(?P<m>\d[\d\s.,]*\s?(?:m2|m3|ha|hectares?|l|litres?|cl|ml|kg|g|m|metres?|cm|centimetres?))\b"
    r"(?!\s+(?:de|d')|\s*(?:minimum|mini|maximum|max)?\s*(?:de|d')))"
)


def not_quantities(folded: str) -> list[Span]:
    """Spans of numbers that are times, prices, phones, sizes, codes or years."""
    spans: list[Span] = [
        Span(m.start(g), m.end(g)) for m in _SIZE.finditer(folded) for g in ("n", "m") if m.group(g)
    ]
    last_end = 0
    for run in _DIGIT_RUN.finditer(folded):
        # Each pattern starts a few characters before a digit at most ("+33", "n°").
        position = max(last_end, run.start() - 3)
        while position < run.end():
            if folded[position] not in _QUANTITY_STARTS:
                position += 1  # no pattern begins here: spare a try
                continue
            # No time, price, phone or code is longer than this: each try looks that far
            # only, so a long run of digits ("1 1 1 …") costs its length, not its square.
            match = _NOT_QUANTITIES.match(folded, position, position + _LONGEST)
            if match and match.group():
                spans.append(Span(match.start(), match.end()))
                position = last_end = match.end()
            else:
                position += 1
    return spans


def numbers(folded: str) -> list[Number]:
    """Every number that may count something, in digits or in words, in text order."""
    found: list[Number] = []
    taken: list[tuple[int, int]] = []
    # Each approximate word ends in "aine" but "millier": without them, no search.
    approximate = "aine" in folded or "millier" in folded
    for match in _APPROX.finditer(folded) if approximate else ():
        found.append(Number(_APPROXIMATE[match.group(1)], match.start(), match.end()))
        taken.append(match.span())
    for match in _APPROX_MANY.finditer(folded) if approximate else ():
        head = match.group(1)
        count = int(head) if head.isdigit() else text2num(head, "fr")
        value = count * _APPROXIMATE[match.group(2)]
        found.append(Number(value, match.start(), match.end()))
        taken.append(match.span())
    for match in _DIGITS.finditer(folded):
        if _free(match.span(), taken):
            digits = match.group().replace(" ", "").replace(".", "")
            if len(digits) > 18:  # counts nothing, and past 4,300 digits int() refuses it
                continue
            found.append(Number(int(digits), match.start(), match.end()))
    for match in _ELIDED_ONE.finditer(folded) if "dun" in folded else ():  # "besoin dun groupe"
        found.append(Number(1, match.start(1), match.end(1), article=True))
    for match in _NUMBER_RUN.finditer(folded):
        if not _free(match.span(), taken):
            continue
        words = match.group()
        try:
            value = text2num(words, "fr")
        except ValueError:
            continue
        article = words in ("un", "une")
        found.append(Number(value, match.start(), match.end(), article=article))
    return _ranges(folded, sorted(found, key=lambda n: n.start))


# "entre 50 et 80", "10 à 12", "15-20", "2 voire 3", "une vingtaine voire une trentaine",
# "2, peut-être 3": a range counts what the writer would need at most ("3 ou 4" is left as
# it was: the kept sets read it either way).
_RANGE_BETWEEN = re.compile(
    r"[ \t]*+(?:a|-|et|jusqu'a|,?[ \t]*voire(?:[ \t]+meme)?(?:[ \t]+jusqu'a)?"
    r"|,?[ \t]*peut-etre(?:[ \t]+meme)?|,?[ \t]*peut etre)[ \t]*"
)
_BETWEEN = re.compile(r"\bentre[ \t]+$")
_COMMA = re.compile(r"[ \t]*,[ \t]*")
# "40 max", "40 grand max", "16 au plus": the most a writer would take
AT_MOST = r"(?:grand[ \t]+)?(?:max|maxi|maximum|au plus|au maximum)\b"
_MOST = re.compile(rf"[ \t]++{AT_MOST}")


def _ranges(folded: str, found: list[Number]) -> list[Number]:
    merged: list[Number] = []
    for number in found:
        low = merged[-1] if merged else None
        # "ce week-end (27-28)": days in brackets
        bracketed = low is not None and folded[max(0, low.start - 1) : low.start] == "("
        if low is not None and not low.article and low.value < number.value and not bracketed:
            between = _RANGE_BETWEEN.fullmatch(folded, low.end, number.start)
            said = between is not None and (
                between.group().strip() != "et" or _BETWEEN.search(folded, 0, low.start)
            )
            # "35, 40 grand max": the bound said after a first count
            said = said or bool(
                _COMMA.fullmatch(folded, low.end, number.start) and _MOST.match(folded, number.end)
            )
            if said:
                merged[-1] = Number(number.value, low.start, number.end)
                continue
        merged.append(number)
    return merged


def _free(span: tuple[int, int], taken: list[tuple[int, int]]) -> bool:
    return all(span[1] <= start or span[0] >= end for start, end in taken)
