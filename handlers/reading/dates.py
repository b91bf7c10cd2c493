"""French dates, read relative to the day a message was written.

French rules first: day and month names, numeric dates, ranges ("du 1er au 15 août",
"entre le 10 et le 12/07", "de mai à octobre"), open ends ("à partir du 8 mars",
"jusqu'au 30 septembre") and deadlines ("avant septembre", "d'ici fin mars"). A date
without a year is always the next one to come.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Literal

from text_to_num import text2num

from handlers.reading.text import Span, blanked

Kind = Literal["point", "range", "from", "until", "deadline"]

MONTHS = {
    "janvier": 1, "janv": 1, "jan": 1, "fevrier": 2, "fevr": 2, "fev": 2, "mars": 3,
    "avril": 4, "avr": 4, "mai": 5, "juin": 6, "juillet": 7, "juil": 7, "aout": 8,
    "septembre": 9, "sept": 9, "sep": 9, "octobre": 10, "oct": 10, "novembre": 11,
    "nov": 11, "decembre": 12, "dec": 12,
}  # fmt: skip
WEEKDAYS = {
    "lundi": 0, "mardi": 1, "mercredi": 2, "jeudi": 3, "vendredi": 4, "samedi": 5,
    "dimanche": 6, "lun": 0, "mar": 1, "mer": 2, "jeu": 3, "ven": 4, "sam": 5, "dim": 6,
}  # fmt: skip

_FULL_WEEKDAY = {
    "lun": "lundi", "mar": "mardi", "mer": "mercredi", "jeu": "jeudi", "ven": "vendredi",
    "sam": "samedi", "dim": "dimanche",
}  # fmt: skip
_WD = r"(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)"
# Grouped by first letter (same order within each), so that the engine tests one letter
# where it would try every name: "janvier|janv|jan|fevrier|…|decembre|dec".
_MONTH = (
    r"(?:j(?:anvier|anv|an|uin|uillet|uil)|f(?:evrier|evr|ev)|m(?:ars|ai)|a(?:vril|vr|out)"
    r"|s(?:eptembre|ept|ep)|o(?:ctobre|ct)|n(?:ovembre|ov)|d(?:ecembre|ec))\b\.?"
)
# A day glued to its month: "15juin", "DIM 15SEPT".
_GLUED_MONTH = r"(?=(?:janv|jan|fev|mars|avr|mai|juin|juil|aout|sep|oct|nov|dec))"
# Atomic: "vingt-deux" is one day, never "vingt" then "deux".
_DAY_WORDS = (
    # "vingt septembre", "dix septembre": a month after the tens, not "vingt-sept"
    r"(?>trente et un|trente|vingt(?:[\s-]et[\s-]un|[\s-](?:deux|trois|quatre|cinq|six|sept"
    r"|huit|neuf)(?![a-z]))?|dix[\s-](?:sept|huit|neuf)(?![a-z])|onze|douze|treize|quatorze"
    r"|quinze|seize|dix|deux|trois|quatre|cinq|six|sept|huit|neuf)"
)
_DAY = rf"(?:1\s?er|1\s?ere|premier|[0-3]?\d(?:e|eme)?|{_DAY_WORDS})(?:(?![\d\w])|{_GLUED_MONTH})"
# Abbreviated weekdays only count before a day number: "ven 10", "dim. 12/09".
_WD_SHORT = r"(?:lun|mar|mer|jeu|ven|sam|dim)\.?"
_YEAR = r"(?:\s+(?:20\d{2}))?"
# "la 1ère semaine d'août", "la dernière semaine de février": a week of a month by its rank
_NTH = {"premiere": 0, "1ere": 0, "1re": 0, "deuxieme": 1, "2e": 1, "2eme": 1, "seconde": 1,
        "troisieme": 2, "3e": 2, "3eme": 2, "quatrieme": 3, "4e": 3, "4eme": 3}  # fmt: skip
_NTH_WEEK = "(?:" + "|".join(sorted([*_NTH, "derniere"], key=len, reverse=True)) + ")"
_NUMS = r"\d+|un|une|deux|trois|quatre|cinq|six|sept|huit|neuf|dix|onze|douze|quinze|quinzaine"

_WD_MODIFIERS = (
    r"prochain|qui vient|suivant|d'apres|(?:de )?la semaine (?:prochaine|suivante|d'apres)"
    r"|en huit|en 8|en quinze|en 15|(?:de )?cette semaine|dernier|(?:de )?la semaine derniere"
)

_NO_VERSION = (
    r"(?<!\d\.)(?<!\bv)(?<!\bv )(?<!version )(?<!hdmi )(?<!usb )(?<!usb-c )(?<!bluetooth )"
    r"(?<!wifi )(?<!wi-fi )(?<!firmware )(?<!android )(?<!ios )(?<!dmx )"
)
# One date, as written: the building block of every pattern below.
_ONE = (
    # (not a table's count then its month, a cell apart: "chaise empilable⇥60⇥juin")
    rf"(?:(?:{_WD}|{_WD_SHORT})\s+)?{_DAY}[^\S\t]*{_MONTH}{_YEAR}"
    r"|\b20\d{2}-[01]?\d-[0-3]?\d\b"
    r"|\b[0-3]?\d-[01]?\d-(?:20)?\d{2}\b"
    # (not a version: "v2.3.1", "HDMI 2.1", "USB 3.1"; nor a sentence's end and a count:
    # "jusqu'au 13. 10 manèges")
    rf"|(?:\b(?:{_WD}|{_WD_SHORT})\s+)?\b{_NO_VERSION}[0-3]?\d(?:\s?/\s?|\.)[01]?\d(?:\s?/\s?(?:20)?\d{{2}}|\.(?:20)?\d{{2}})?\b(?![.,/]?\d)"
    rf"|(?:(?:debut|fin|mi|courant)\s*-?\s*(?:du\s+mois\s+)?(?:de\s+|d')?)?(?:mois\s+(?:de\s+|d'))?{_MONTH}{_YEAR}"
    # (not "qui tombe cette année un lundi (21 juin)": any Monday, no day said)
    rf"|(?<!\bun\s)(?<!\bchaque\s){_WD}(?!s\b(?!\s+\d))(?:\s+(?:{_WD_MODIFIERS}))?"
    rf"(?:\s+{_DAY}(?!\s*{_MONTH}))?"
    rf"|\b{_WD_SHORT}\s+{_DAY}(?!\s*{_MONTH})"
    # "sam prochain", "ven. qui vient": a weekday written short, then which one
    r"|\b(?:lun|mar|mer|jeu|ven|sam|dim)\.?\s+(?:prochain|qui vient)\b"
    r"|apres[\s-]demain|demain|aujourd'hui|\bauj\b|ce soir|avant[\s-]hier|hier"
    # "des talkies pour cette nuit" (not "tempête cette nuit": the night gone by)
    r"|(?:(?<=pour )|(?<=pr )|(?<=des ))cette\s+nuit"
    r"|ce\s+jour(?![\s-]*la\b)|dans\s+la\s+journee|en\s+ce\s+moment|(?:le\s+)?jour\s+suivant"
    r"|le\s+jour\s+d'apres|un\s+jour\s+apres|(?:deux|2|trois|3)\s+jours\s+(?:plus\s+tard|apres)"
    r"|\blun\.|\bmar\.|\bmer\.|\bjeu\.|\bven\.|\bsam\.|\bdim\."
    r"|(?:des\s+)?maintenant|des\s+a\s+present|immediatement|tout\s+de\s+suite|ce\s+matin"
    r"|cet\s+aprem|dans\s+l'heure"
    r"|cet\s+apres[\s-]midi|ce\s+midi"
    r"|\barmistice\b"
    rf"|(?:{_NUMS})\s+prochains\s+jours"
    r"|(?:ce|tout\s+le)\s+(?:week[\s-]?end|we|w[\s-]e|wk)(?:\s+prochain)?"
    r"|le\s+(?:week[\s-]?end|we|w[\s-]e|wk)\s+(?:prochain|du\s+[0-3]?\d(?:er)?(?:\s+"
    + _MONTH
    + r"|/(?:0?[1-9]|1[0-2])\b(?![/\d])"  # "le we du 21/08"
    # "le week-end du 19." alone, not "du 12 et 13 décembre" nor "du 19/09"
    + r"|(?![\d/-]|\.\d|\s*(?:et|au|a)\s+\d)))"
    rf"|(?:la\s+)?(?:premiere|1ere|deuxieme|2e|2eme|seconde)\s+quinzaine\s+(?:de\s+|d')?{_MONTH}"
    rf"|(?:la\s+)?{_NTH_WEEK}\s+semaine\s+(?:de\s+|d')(?:{_MONTH})"
    # "les 3 premières semaines de juillet", "les deux dernières semaines d'août"
    rf"|les\s+(?:{_NUMS})\s+(?:premieres|dernieres)\s+semaines\s+(?:de\s+|d')(?:{_MONTH})"
    # "fin de semaine prochaine": the end of next week
    r"|(?:(?:en|au|a\s+la)\s+)?(?:debut|fin)\s+(?:de|du)\s+(?:la\s+)?semaine\s+(?:prochaine|suivante)\b"
    # (not "jusqu'à la fin du mois de mars": March's end)
    r"|(?:en|au|a\s+la)\s+(?:debut|milieu|fin)\s+(?:de|du)\s+(?:la\s+)?(?:mois|semaine)"
    rf"(?!\s+(?:de\s+|d'){_MONTH})"
    rf"|(?:la\s+)?fin\s+(?:du|de)\s+(?:ce\s+)?mois(?!\s+(?:de\s+|d'){_MONTH})"
    r"|\bce\s+mois(?:[\s-]ci)?\b(?!\s*(?:de|d'|-la))"  # "dispos ce mois-ci": until its end
    rf"|(?:dans|ds)\s+(?:{_NUMS})\s+(?:jours?|semaines?|mois)"
    # (not a wish: "Bonne fin d'année, Astro Ellé")
    r"|(?<!bonne )(?<!bonnes )(?<!belle )(?:la\s+)?fin\s+(?:de\s+l'annee|d'annee|de\s+cette"
    r"\s+annee|de\s+l'annee\s+civile"
    r"|de\s+l'exercice|d'exercice|de\s+l'exercice\s+budgetaire|d'annee\s+20\d{2}|de\s+l'annee\s+20\d{2})"
    r"|(?:la\s+)?fin\s+20\d{2}|courant\s+20\d{2}"
    r"|(?:(?:la\s+)?fin\s+du\s+|courant\s+du\s+|au\s+cours\s+du\s+|le\s+|au\s+|du\s+)?"
    r"(?:premier|1er|deuxieme|second|2e|2eme|troisieme|3e|3eme|quatrieme|dernier|4e|4eme)\s+"
    r"(?:trimestre|semestre)(?:\s+(?:20\d{2}))?"
    r"|(?:\bl'|\bcet\s+|\ben\s+)\b(?:ete|automne|hiver)\b"
    r"|(?:\ble\s+|\bce\s+|\bau\s+)\bprintemps\b"
    r"|(?:\bla\s+)?\brentree\b|\bnoel\b"
    r"|(?:la\s+)?sem(?:aine|\.)?\s+pro(?:chaine)?\b|(?:le\s+)?mois\s+prochain"
    rf"|(?:la\s+)?semaine\s+du\s+(?:(?:{_WD})\s+)?[0-3]?\d(?:er)?\s*{_MONTH}"
    # "la semaine du 8": the week of the next 8th (not "la semaine du 14 au 18")
    rf"|(?:la\s+)?semaine\s+du\s+(?:(?:{_WD})\s+)?[0-3]?\d(?:er)?\b(?!\s*(?:au|a|-|/|\d))"
    # "semaine 24", "sem. 27": a week by its number
    # (not when its days follow: "semaine 40, du lundi 4 au vendredi 8 octobre")
    # ("S27", as plannings write it, glued to its number, after "la", "en", "de" or a
    # separator: not a model's name, "Samsung S23")
    r"|(?:la\s+)?(?:sem(?:aine|\.)?\s?n?°?\s?|(?:(?<=\bla\s)|(?<=\ben\s)|(?<=\bde\s)|(?<=[-(:,/]\s)"
    r"|(?<=[(])|(?<=^)|(?<=\n))s)(?:[1-9]|[1-4]\d|5[0-3])\b(?!\s*(?:[/.-]\s?\d|h\b))"
    rf"(?!\s*[,(:]?\s*\(?\s*(?:du|le|les)\s+(?:(?:{_WD})\s+)?\d)"
    rf"|\b(?:1\s?er|1\s?ere|premier|[0-3]?\d(?:e|eme)?|{_DAY_WORDS})\b"
    r"|\b(?:la\s+)?toussaint|\bjour\s+de\s+l'an|\bnouvel\s+an|\bfete\s+du\s+travail"
    r"|\bfete\s+nationale|\bjour\s+de\s+noel|\bfete\s+de\s+la\s+musique"
)
# How every alternative of _ONE can begin (a new alternative must add its start here).
# Tried first, it turns most words away at once instead of trying each alternative.
_ONE_STARTS = (
    r"(?=[0-9]"
    r"|a(?:u\s+(?:de|mi|fi|co|pr|[1-4]e|se|tr|qu)|\s+la|ujourd'hui|uj\b|pres|vant|vr|out|rmistice)"
    r"|c(?:e\s+(?:so|jo|ma|mi|mo|we|w[\s-]|wk|pr)|et\s+[aeh]|ette\s+n|ourant|inq)"
    r"|d(?:ebut|emain|es\s+(?:a\s|m)|eux|ec(?:embre|\b)|ernier|ix|im(?:anche|[.\s])|ans\s|s\s"
    r"|u\s+(?:pr|[1-4]e|de|se|tr|qu)|ouze)"
    r"|en\s+(?:ce|de|mi|fi|et|au|hi)|f(?:in|ete|ev)|h(?:ier|uit)|immediatement"
    r"|j(?:eu(?:di|[.\s])|an|ui[nl]|our)"
    r"|l(?:un(?:di|[.\s])|a\s+(?:pr|[1-4]|de|se|fi|re|to|s\d|tr|qu)"
    r"|e\s+(?:[1-4]e|jo|we|w[\s-]|wk|pr|de|se|tr|q|mo)"
    r"|es\s+(?:\d|de|tr|qu|ci|si|se|hu|ne|di)"
    r"|'[eah])"
    r"|m(?:ar(?:di|s|[.\s])|er(?:credi|[.\s])|i[\s\-djfmasond]|ois|ai(?:\b|ntenant))"
    r"|n(?:euf|ov|oel|ouvel)|o(?:nze|ct)|premier|q(?:uatr|uatorze|uinz)|rentree"
    r"|s(?:am(?:edi|[.\s])|eize|ix|ep|econd|em(?:aine|[.\s])|\d)"
    r"|t(?:rente|reize|rois|out\s+de|out\s+le\s+w|oussaint)"
    r"|une?\s+[jp]|v(?:en(?:dredi|[.\s])|ingt))"
)
_GUARDED_ONE = rf"{_ONE_STARTS}(?:{_ONE})"
# Days listed before their month: "23-24-25 juillet", "les 12, 13 et 14 juin".
_DAY_LIST = re.compile(
    rf"(?=les\s|du\s|\d)(?<![a-z0-9])(?:(?:les|du)\s+)?(?P<first>[0-3]?\d)"
    rf"(?:\s*(?:-|,|et)\s*(?:du\s+)?[0-3]?\d"
    rf"|[ \t]+[0-3]?\d(?=[ \t]+[0-3]?\d|[ \t]*(?:,|et)\b)){{1,6}}"
    rf"\s*(?:-|,|et)\s*(?:du\s+)?(?P<last>[0-3]?\d)\s+(?P<month>{_MONTH}){_YEAR}"
)
# "pour le week-end avant Noël": the one that ends before the feast (read before "avant
# Noël", a last day).
_WEEKEND_BEFORE = re.compile(
    r"\ble\s+(?:week[\s-]?end|we)\s+(?:d')?avant\s+(?:la\s+)?(?:noel|paques|toussaint"
    rf"|(?:le\s+)?[0-3]?\d(?:er)?\s+{_MONTH})"
)
_THEN = re.compile(r"[ \t,]*(?:puis|et puis|ainsi que)[ \t,]+(?:les?[ \t]+)?")
# "tous les mercredis de juillet et août", "chaque mardi soir de juillet": from the first of
# those days to the last; "les jeudis et vendredis d'avril", "(tous) les week-ends de juin à
# août": an offer open in those months, as writers count it.
_WEEKLY_IN = re.compile(
    rf"\b(?:tous les|chaque|les)\s+(?P<wd>{_WD}|week[\s-]?end)s?"
    rf"(?:\s*(?:,|et)\s*(?:les\s+)?(?P<wd2>{_WD})s?)?(?:\s+(?:soirs?|matins?|apres-midi))?\s+"
    rf"(?:de|d'|en|du mois de)\s*(?P<first>{_MONTH})"
    rf"(?:\s*(?:et|-|a|au)\s*(?:en\s+|d')?(?P<last>{_MONTH}))?\b"
)
# "pour le marché de Noël les 27 et 28 ?": two days said without their month, the next ones.
_BARE_PAIR = re.compile(
    r"(?<![a-z0-9])(?:les|le)\s+(?P<first>[0-3]?\d)\s+et\s+(?:le\s+)?(?P<last>[0-3]?\d)"
    r"(?=\s*(?:[?!.,;:)]|$)|\s+(?:prochains|a|au|pour|svp|merci)\b)"
)
# "20 02 2014", "le 17 02", "le 3eme jour d'octobre", "le dernier jour d'octobre 2015",
# "le premier mercredi du mois prochain", "le lendemain du 13 février".
_SPACED = re.compile(
    r"(?=\d|le )(?:"  # how each one begins: other places are passed over at once
    r"(?<![\d/.,])\b(?P<d>[0-3]?\d) (?P<m>0?[1-9]|1[0-2]) (?P<y>(?:20)?\d{2})\b(?![\d/]|[.,]\d)"
    r"|\ble (?P<d2>[0-3]?\d) (?P<m2>0[1-9]|1[0-2]|[1-9])\b(?![\d/]|[.,]\d|\s*[a-z0-9])"
    r"|(?<![\d/.,])\b(?P<d3>[0-3]?\d) (?P<m3>0[1-9]|1[0-2])\b(?![\d/]|[.,]\d|\s*[a-z0-9]))"
)
_NTH_DAY = re.compile(
    rf"(?<![a-z0-9])(?:le\s+)?(?P<n>\d{{1,2}})(?:e|eme|er)\s+jour\s+(?:de\s+|d')(?P<month>{_MONTH}){_YEAR}"
    rf"|(?<![a-z0-9])(?:le\s+)?dernier\s+jour\s+(?:de\s+|d')(?P<lmonth>{_MONTH}){_YEAR}"
)
_NTH_WEEKDAY = re.compile(
    rf"(?<![a-z0-9])(?:le\s+)?(?P<rank>premier|1er|deuxieme|2e|2eme|second|troisieme|3e|3eme"
    rf"|quatrieme|4e|4eme|dernier)\s+(?P<wd>{_WD}|week[\s-]?end|we)\s+(?:de|du|d')\s*"
    rf"(?:(?P<next>mois prochain)"
    rf"|(?P<month>{_MONTH}))"
)
_RANKS = {
    "premier": 0, "1er": 0, "deuxieme": 1, "2e": 1, "2eme": 1, "second": 1, "troisieme": 2,
    "3e": 2, "3eme": 2, "quatrieme": 3, "4e": 3, "4eme": 3,
}  # fmt: skip
_DAY_AFTER = re.compile(r"(?<![a-z0-9])(?:le\s+)?(?P<word>lendemain|veille)\s+(?:du|de)\s+")
# Feasts that move with Easter, read before any weekday: "lundi de Pâques" is one day.
_FEAST = re.compile(
    r"(?<![a-z0-9])(?P<feast>"
    # ("le samedi et dimanche de Pentecôte": its weekend)
    r"(?:le\s+)?(?:pont|week[\s-]?end|we|w[\s-]?e|samedi\s+et\s+dimanche|dimanche\s+et\s+lundi)\s+de\s+"
    r"(?:l'?\s?ascension|paques|la\s+pentecote|pentecote)"
    r"|(?:le\s+)?(?:(?:lundi|dimanche|samedi)\s+de\s+(?:la\s+)?)?(?:paques|pentecote)"
    r"|(?:le\s+)?(?:(?:jeudi\s+de|vendredi\s+du\s+pont\s+de)\s+)?l'?\s?ascension"
    # the feasts of Lent, which also move with Easter
    r"|(?:le\s+)?mardi\s+gras|(?:le\s+)?mercredi\s+des\s+cendres|(?:la\s+)?mi[\s-]?careme"
    r"|(?:le\s+)?(?:dimanche\s+des\s+)?rameaux|(?:le\s+)?(?:jeudi|vendredi|samedi)\s+saint\b"
    # saints' days, on a day of their own each year, always said with "la": "jusqu'à la
    # Saint-Michel", "pour la Sainte-Barbe", "avant la Chandeleur"
    r"|la\s+(?:(?:saint|st)[\s-](?:jean|pierre|michel|martin|patrick|yves|nicolas|sylvestre"
    r"|joseph|georges|luc|matthieu|barnabe|denis|fiacre|gilles|laurent|louis|hubert|eloi"
    r"|etienne|vincent|marc|antoine|blaise|roch|valentin|cornely|jacques|loup|david)"
    r"|(?:sainte|ste)[\s-](?:anne|catherine|barbe|cecile|madeleine))\b(?!-\w)"
    r"|(?:la\s+)?chandeleur)"
    rf"(?:\s+(?:au|jusqu'?\s?au)\s+(?P<to>{_WD}))?"
)
# Every pattern starts at the start of a word: the engine skips the inside of words at once.
_WORD_START = r"(?<![a-z0-9])"
_ONE_RE = re.compile(rf"{_WORD_START}{_GUARDED_ONE}")

# Where a range can begin (its openings below, then where its first day begins), tried
# first: otherwise each blank of a long run (a signature masked out) tries every way of
# sharing the run between the two `\s*` before the first day fails.
_RANGE_STARTS = rf"(?=(?:du|des|entre|les|le|de)?[\s:]*+(?:le\s+)?{_ONE_STARTS})"
_RANGE = re.compile(
    # (and a form's "Du : 01/03/2027 / Au : 31/03/2027")
    rf"{_WORD_START}{_RANGE_STARTS}(?:du|des|entre|les|le|de)?\s*:?\s*(?:le\s+)?(?P<a>{_GUARDED_ONE})"
    rf"(?P<more>(?:\s*,\s*{_DAY})*)"
    # "du lundi 5 juillet (vidage) au vendredi 27 août (réinstallation)": a stage's name
    r"(?:\s*\([a-z' -]{1,30}\))?"
    # an hour after the first day: "du vendredi 2 juillet 14h au dimanche 4 juillet 20h"
    # (not the hours of one day: "le 2 juillet 14h - 18h")
    r"(?:\s*,?\s*(?:a\s+|des\s+|vers\s+)?[0-2]?\d\s?h(?:\s?[0-5]\d)?(?![a-z0-9])"
    r"(?!\s*(?:au|a|-|->|jusqu'?\s?a)\s*[0-2]?\d\s?h))?"
    r"\s*(?:au|a|et|ou|-|->|jusqu'?\s?au|jusqu'?\s?a|jusqu'?\s?en|au\s*:"
    rf"|/(?=\s*{_MONTH}))\s*"  # "en octobre/novembre"
    r"(?:le\s+|(?:la\s+)?fin\s+(?:de\s+|d')?|en\s+)?"
    rf"(?P<b>{_GUARDED_ONE})"
    # (not "samedi et dimanche de Pentecôte": the feast's weekend; but "du samedi 27 au lundi
    # de Pâques" ends on the feast's day)
    r"(?:(?<=lundi)|(?<=jeudi)|(?!\s+de\s+(?:la\s+)?(?:pentecote|paques|l'?\s?ascension)))"
)
_OPEN = re.compile(
    _WORD_START
    + r"(?<!semaine )(?P<word>a partir d(?:u|e|')|des le|des|a compter d(?:u|e)|depuis le"
    r"|jusqu'?\s?(?:au|a|en)(?:\s+(?:la\s+)?fin|\s+la(?=\s+fin\s+du\s+mois\b))?"
    r"|(?:avant|avt)(?:\s+(?:le|la|l'|fin))?"
    r"|d'ici(?:\s+(?:le|la|a|fin|l'))?"
    r"|au plus tard(?:\s+(?:le|la|l'|fin))?|pour(?:\s+(?:le|la|l'|fin))?"
    r"|tout le mois d'|tout le mois de|tout|toute|tt|durant|pendant tout|pendant|courant"
    # "pour les courses du mois de juin" (not "la fin du mois de juin": its end)
    # (nor "le reste du mois de décembre": what is left of it)
    r"|(?<!fin )(?<!debut )(?<!milieu )(?<!mi-)(?<!reste )du mois d'"
    r"|(?<!fin )(?<!debut )(?<!milieu )(?<!mi-)(?<!reste )du mois de"
    r"|le|la|en|au|ce|cette|a|du)\s*"
    rf"(?P<a>{_GUARDED_ONE})"
)


@dataclass(frozen=True, slots=True)
class DateFinding:
    """A date or a stretch of dates found in the text, with what kind it is."""

    kind: Kind
    start: dt.date | None
    end: dt.date | None
    span: Span


@dataclass(frozen=True, slots=True)
class _Stretch:
    start: dt.date
    end: dt.date
    grain: Literal["day", "month", "season", "week"]


def _last_day(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _next_day_month(today: dt.date, day: int, month: int, year: int | None) -> dt.date | None:
    try:
        if year is not None:
            return dt.date(year, month, day)
        candidate = dt.date(today.year, month, day)
        return candidate if candidate >= today else dt.date(today.year + 1, month, day)
    except ValueError:
        return None


def _month_stretch(today: dt.date, month: int, year: int | None, part: str | None) -> _Stretch:
    if year is None:
        year = today.year if month >= today.month else today.year + 1
    first, last = dt.date(year, month, 1), _last_day(year, month)
    if part == "debut":
        return _Stretch(first, first.replace(day=5), "day")
    if part == "mi":
        return _Stretch(first.replace(day=10), first.replace(day=19), "day")
    if part == "fin":
        return _Stretch(first.replace(day=21), last, "day")
    return _Stretch(first, last, "month")


def _number(word: str) -> int:
    if word.isdigit():
        return int(word)
    return {"quinzaine": 15}.get(word) or text2num(word, "fr")


def _year_of(text: str) -> int | None:
    match = re.search(r"\b(20\d{2})\b", text)
    if match:
        return int(match.group(1))
    short = re.search(r"[/.]\s?(\d{2})$", text)
    return 2000 + int(short.group(1)) if short else None


def _weekday_after(today: dt.date, weekday: int, weeks: int = 0) -> dt.date:
    ahead = (weekday - today.weekday() - 1) % 7 + 1
    return today + dt.timedelta(days=ahead + 7 * weeks)


def _weekday(today: dt.date, weekday: int, modifier: str) -> dt.date:
    """ "mercredi", "mercredi prochain": the next one; "mercredi suivant": next week's;
    "mercredi en huit": a week after the coming one (Duckling's readings)."""
    monday = today - dt.timedelta(days=today.weekday())
    if modifier in ("", "prochain", "qui vient"):
        return _weekday_after(today, weekday)
    if "cette" in modifier:
        return monday + dt.timedelta(days=weekday)
    if "dernier" in modifier or "derniere" in modifier:
        return today - dt.timedelta(days=(today.weekday() - weekday - 1) % 7 + 1)
    if modifier.startswith("en "):
        coming = today + dt.timedelta(days=(weekday - today.weekday()) % 7)
        return coming + dt.timedelta(days=7 if modifier in ("en huit", "en 8") else 14)
    return monday + dt.timedelta(days=7 + weekday)


# Compiled once: built on each call, these long patterns cost more than matching them.
_SHORT_LEAD = re.compile(rf"({_WD_SHORT}) ")
_WEEKDAY_DATED = re.compile(rf"{_WD} (\d.*(?:[/.]|{_MONTH}).*)")
_DAY_MONTH = re.compile(rf"(?:{_WD} )?({_DAY}) ?({_MONTH})(?: (20\d{{2}}))?")
_PART_OF_MONTH = re.compile(
    rf"(?:(debut|fin|mi|courant) ?-? ?(?:du mois )?(?:de |d')?)?"
    rf"(?:mois (?:de |d'))?({_MONTH})(?: (20\d{{2}}))?"
)
# "jeudi 15", "dimanche dix", "vendredi vingt-huit" (a day said, then dictated)
_WEEKDAY_WITH = re.compile(
    rf"({_WD})(?: ({_WD_MODIFIERS}))?(?: ([0-3]?\d|1 ?er|premier|{_DAY_WORDS}))?"
)
_NEXT_DAYS = re.compile(rf"({_NUMS}) prochains jours")
_FORTNIGHT = re.compile(
    rf"(?:la )?(premiere|1ere|deuxieme|2e|2eme|seconde) quinzaine (?:de |d')?({_MONTH})"
)
_NTH_WEEK_OF = re.compile(rf"(?:la )?({_NTH_WEEK}) semaine (?:de |d')({_MONTH})")
_WEEKS_OF = re.compile(rf"les ({_NUMS}) (premieres|dernieres) semaines (?:de |d')({_MONTH})")
_IN_SOME = re.compile(rf"(?:dans|ds) ({_NUMS}) (jours?|semaines?|mois)")
_WEEK_OF = re.compile(rf"(?:la )?semaine du (?:(?:{_WD}) )?([0-3]?\d(?:er)?) ?({_MONTH})?")
_WEEKDAY_NEXT = re.compile(rf"({_WD})(?:\s+prochaine?s?)?")
_A_WEEKDAY = re.compile(_WD)
_DAY_ALONE = re.compile(rf"(?:(?:{_WD}|{_WD_SHORT})\s+)?({_DAY})")


def resolve(text: str, today: dt.date) -> _Stretch | None:
    """What one written date means, read on `today`."""
    t = re.sub(r"\s+", " ", text.strip().rstrip("."))
    short = _SHORT_LEAD.match(t)
    if short:
        t = _FULL_WEEKDAY[short.group(1).rstrip(".")] + t[short.end() - 1 :]
    dated = _WEEKDAY_DATED.fullmatch(t)
    if dated:  # "vendredi 6 août", "dim 12/09": the date says it all
        t = dated.group(1)
    if m := re.fullmatch(r"(20\d{2})-([01]?\d)-([0-3]?\d)", t):
        day = _next_day_month(today, int(m.group(3)), int(m.group(2)), int(m.group(1)))
        return _Stretch(day, day, "day") if day else None
    if m := re.fullmatch(r"([0-3]?\d) ?[/.-] ?([01]?\d)(?: ?[/.-] ?((?:20)?\d{2}))?", t):
        year = int(m.group(3)) if m.group(3) else None
        if year is not None and year < 100:
            year += 2000 if year <= today.year % 100 + 20 else 1900
        if not 1 <= int(m.group(2)) <= 12:
            return None
        day = _next_day_month(today, int(m.group(1)), int(m.group(2)), year)
        return _Stretch(day, day, "day") if day else None
    if m := _DAY_MONTH.fullmatch(t):
        number = day_value(m.group(1))
        month = MONTHS[m.group(2).rstrip(".")]
        day = _next_day_month(today, number, month, int(m.group(3)) if m.group(3) else None)
        return _Stretch(day, day, "day") if day else None
    if m := _PART_OF_MONTH.fullmatch(t):
        part = m.group(1) if m.group(1) != "courant" else None
        year = int(m.group(3)) if m.group(3) else None
        return _month_stretch(today, MONTHS[m.group(2).rstrip(".")], year, part)
    if m := _WEEKDAY_WITH.fullmatch(t):
        day = _weekday(today, WEEKDAYS[m.group(1)], m.group(2) or "")
        if m.group(3):  # "jeudi 15": the next Thursday the 15th
            number = day_value(m.group(3))
            for _ in range(60):
                if day.day == number:
                    break
                day += dt.timedelta(days=7)
            else:
                return None
        return _Stretch(day, day, "day")
    if m := re.fullmatch(r"(deux|2|trois|3) jours (?:plus tard|apres)", t):
        days = 2 if m.group(1) in ("deux", "2") else 3
        return _Stretch(today + dt.timedelta(days=days), today + dt.timedelta(days=days), "day")
    if re.fullmatch(r"(?:le )?jour suivant|le jour d'apres|un jour apres", t):
        return _Stretch(today + dt.timedelta(days=1), today + dt.timedelta(days=1), "day")
    if t in ("lun", "mar", "mer", "jeu", "ven", "sam", "dim"):
        return _Stretch(
            _weekday_after(today, WEEKDAYS[t]), _weekday_after(today, WEEKDAYS[t]), "day"
        )
    if t in (
        "ce jour",
        "dans la journee",
        "en ce moment",
        "aujourd'hui",
        "ce soir",
        "cette nuit",  # "des talkies pour cette nuit (réseau mobile HS)"
        "auj",  # "rdv CTM auj 14h"
        "ce matin",
        "ce midi",
        "immediatement",
        "tout de suite",
    ) or re.fullmatch(
        r"(?:des )?maintenant|des a present|cet apres[ -]?midi|cet aprem|dans l'heure", t
    ):
        return _Stretch(today, today, "day")
    feast = _movable_feast(t, today)
    if feast is not None:
        return feast
    holiday = _HOLIDAYS.get(re.sub(r"^(?:la |le )", "", t))
    if holiday is not None:
        day = _next_day_month(today, holiday[1], holiday[0], None)
        return _Stretch(day, day, "day") if day else None
    if t in ("hier", "avant-hier", "avant hier"):
        back = 1 if t == "hier" else 2
        return _Stretch(today - dt.timedelta(days=back), today - dt.timedelta(days=back), "day")
    if m := _NEXT_DAYS.fullmatch(t):
        count = _number(m.group(1))
        return _Stretch(today + dt.timedelta(days=1), today + dt.timedelta(days=count), "day")
    if m := re.fullmatch(r"le (?:week ?-?end|we) (?:d')?avant (?:la |le )?(.+)", t):
        feast = resolve(m.group(1), today)
        if feast is None:
            return None
        saturday = feast.start - dt.timedelta(days=(feast.start.weekday() - 5) % 7 or 7)
        if saturday + dt.timedelta(days=1) >= feast.start:
            saturday -= dt.timedelta(days=7)
        return _Stretch(saturday, saturday + dt.timedelta(days=1), "day")
    if m := re.fullmatch(
        r"(?:ce|le|tout le) (?:week ?-?end|we|w ?-?e|wk)(?: (prochain|du (.+)))?", t
    ):
        return _weekend(today, m.group(2))
    if m := _FORTNIGHT.fullmatch(t):
        whole = _month_stretch(today, MONTHS[m.group(2).rstrip(".")], None, None)
        if m.group(1) in ("premiere", "1ere"):
            return _Stretch(whole.start, whole.start.replace(day=15), "day")  # 1st–15th
        return _Stretch(whole.start.replace(day=16), whole.end, "day")  # 16th–end
    if m := _WEEKS_OF.fullmatch(t):
        # "les 3 premières semaines de juillet": from the 1st, as many weeks of seven days
        whole = _month_stretch(today, MONTHS[m.group(3).rstrip(".")], None, None)
        weeks = dt.timedelta(days=7 * _number(m.group(1)) - 1)
        if m.group(2) == "premieres":
            return _Stretch(whole.start, min(whole.start + weeks, whole.end), "day")
        return _Stretch(max(whole.end - weeks, whole.start), whole.end, "day")
    if m := _NTH_WEEK_OF.fullmatch(t):
        # "la 1ère semaine d'août" is the month's first Monday to its Friday, "la dernière
        # semaine de février" its last Monday's
        whole = _month_stretch(today, MONTHS[m.group(2).rstrip(".")], None, None)
        mondays = [
            d for d in (whole.start + dt.timedelta(days=k) for k in range(31))
            if d <= whole.end and d.weekday() == 0
        ]  # fmt: skip
        monday = mondays[-1] if m.group(1) == "derniere" else mondays[_NTH[m.group(1)]]
        return _Stretch(monday, monday + dt.timedelta(days=4), "day")
    if re.fullmatch(r"ce mois(?:[ -]ci)?", t):
        return _Stretch(today, _last_day(today.year, today.month), "day")
    if re.fullmatch(r"(?:la )?fin (?:du|de) (?:ce )?mois", t):
        return _part_of_current(today, "fin", "mois")
    if m := re.fullmatch(
        r"(?:(?:en|au|a la) )?(debut|fin) (?:de|du) (?:la )?semaine (?:prochaine|suivante)", t
    ):
        return _part_of_current(today + dt.timedelta(days=7), m.group(1), "semaine")
    if m := re.fullmatch(r"(?:en|au|a la) (debut|milieu|fin) (?:de|du) (?:la )?(mois|semaine)", t):
        return _part_of_current(today, m.group(1), m.group(2))
    if t == "demain":
        return _Stretch(today + dt.timedelta(days=1), today + dt.timedelta(days=1), "day")
    if re.fullmatch(r"apres[ -]demain", t):
        return _Stretch(today + dt.timedelta(days=2), today + dt.timedelta(days=2), "day")
    if m := _IN_SOME.fullmatch(t):
        count = _number(m.group(1))
        if m.group(1) in ("huit", "quinze") and m.group(2) == "jours":
            count -= 1  # "dans quinze jours", "dans huit jours": in two weeks, in a week
        if m.group(2).startswith("jour"):
            day = today + dt.timedelta(days=count)
        elif m.group(2).startswith("semaine"):
            day = today + dt.timedelta(weeks=count)
        else:
            month_index = today.month - 1 + count
            year, month = today.year + month_index // 12, month_index % 12 + 1
            day = min(_last_day(year, month), dt.date(year, month, 1)).replace(
                day=min(today.day, _last_day(year, month).day)
            )
        return _Stretch(day, day, "day")
    if m := re.fullmatch(
        r"(?:la )?fin (?:de l'annee|d'annee|de cette annee|de l'annee civile|de l'exercice"
        r"|d'exercice|de l'exercice budgetaire)(?: (20\d{2}))?|(?:la )?fin (20\d{2})"
        r"|courant (20\d{2})",
        t,
    ):
        year = next((int(g) for g in m.groups() if g), today.year)
        end = dt.date(year, 12, 31)
        return _Stretch(end, end, "day")
    if m := re.fullmatch(
        r"(?:(?:la )?fin du |courant du |au cours du |le |au |du )?(premier|1er|deuxieme|second|2e"
        r"|2eme|troisieme|3e|3eme|quatrieme|dernier|4e|4eme) (trimestre|semestre)(?: (20\d{2}))?",
        t,
    ):
        return _period(today, m.group(1), m.group(2), m.group(3))
    if m := re.fullmatch(r"(?:l'|cet |le |ce |la )?(rentree|noel)", t):
        return _season(today, m.group(1))
    if re.fullmatch(r"(?:l'|cet |le |ce |la |au |en )?(?:ete|automne|hiver|printemps)", t):
        return None  # a season is too vague to lend or borrow for: the bot asks
    if m := _WEEK_OF.fullmatch(t):
        if m.group(2):
            found = resolve(f"{m.group(1)} {m.group(2)}", today)
            day = found.start if found is not None else None
        else:  # "la semaine du 8": the next 8th
            day = _next_with_day(today, day_value(m.group(1)))
        if day is None:
            return None
        monday = day - dt.timedelta(days=day.weekday())
        return _Stretch(monday, monday + dt.timedelta(days=WORKING_WEEK), "week")
    if m := re.fullmatch(r"(?:la )?(?:sem(?:aine|\.)? ?n?°? ?|s)(\d{1,2})", t):
        return _numbered_week(today, int(m.group(1)))
    if re.fullmatch(r"(?:la )?sem(?:aine|\.)? pro(?:chaine)?", t):
        monday = today + dt.timedelta(days=7 - today.weekday())
        return _Stretch(monday, monday + dt.timedelta(days=WORKING_WEEK), "week")
    if re.fullmatch(r"(?:le )?mois prochain", t):
        year, month = (today.year + 1, 1) if today.month == 12 else (today.year, today.month + 1)
        return _month_stretch(today, month, year, None)
    return None


_EITHER = re.compile(r"\sou\s")
# "la semaine du 6 septembre", "la semaine prochaine": the working days, Monday to Friday.
WORKING_WEEK = 4


def _numbered_week(today: dt.date, number: int) -> _Stretch | None:
    """ "semaine 24": the working days of that ISO week, this year or, once past, the next."""
    for year in (today.isocalendar().year, today.isocalendar().year + 1):
        try:
            monday = dt.date.fromisocalendar(year, number, 1)
        except ValueError:
            continue
        if monday + dt.timedelta(days=6) >= today:
            return _Stretch(monday, monday + dt.timedelta(days=WORKING_WEEK), "week")
    return None


def _period(today: dt.date, rank: str, unit: str, year: str | None) -> _Stretch | None:
    """ "le premier trimestre 2027", "courant du second semestre": the whole period."""
    index = {"premier": 0, "1er": 0, "deuxieme": 1, "second": 1, "2e": 1, "2eme": 1,
             "troisieme": 2, "3e": 2, "3eme": 2, "quatrieme": 3, "4e": 3, "4eme": 3,
             "dernier": 3 if unit == "trimestre" else 1}[rank]  # fmt: skip
    months = 3 if unit == "trimestre" else 6
    if index * months >= 12:
        return None
    first_month = index * months + 1
    start = dt.date(int(year) if year else today.year, first_month, 1)
    end = _last_day(start.year, first_month + months - 1)
    if year is None and end < today:
        start, end = start.replace(year=start.year + 1), _last_day(end.year + 1, end.month)
    return _Stretch(start, end, "month")


def _weekend(today: dt.date, around: str | None) -> _Stretch | None:
    """Saturday and Sunday: the coming ones, or those of the day named."""
    base = today
    if around:
        found = resolve(around, today)
        if found is None and re.fullmatch(r"[0-3]?\d", around.strip()):
            day = _next_with_day(today, int(around))  # "le week-end du 19": the next 19th
            found = _Stretch(day, day, "day") if day else None
        if found is None:
            return None
        base = found.start - dt.timedelta(days=1 if found.start.weekday() == 6 else 0)
    saturday = base + dt.timedelta(days=(5 - base.weekday()) % 7)
    return _Stretch(saturday, saturday + dt.timedelta(days=1), "day")


def _next_with_day(today: dt.date, day: int) -> dt.date | None:
    """The first date from today on that falls on this day of a month."""
    year, month = today.year, today.month
    for _ in range(3):
        if 1 <= day <= _last_day(year, month).day and dt.date(year, month, day) >= today:
            return dt.date(year, month, day)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return None


def _next_weekday_dated(today: dt.date, day: int, weekday: int) -> dt.date | None:
    """The first date from today on that is this day of a month and this weekday."""
    year, month = today.year, today.month
    for _ in range(12):
        if 1 <= day <= _last_day(year, month).day:
            date = dt.date(year, month, day)
            if date >= today and date.weekday() == weekday:
                return date
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return None


def _next_pair(today: dt.date, first: int, last: int) -> tuple[dt.date, dt.date] | None:
    """Two days said without their month ("les 27 et 28", "du 13 au 18", "du 28 au 2"): the
    first month from today's on in which the first day is not past and the last exists."""
    year, month = today.year, today.month
    for _ in range(4):
        start = _date_or_none(year, month, first)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        if start is None or start < today:
            continue
        # the last in the first's month, or in the next when it is the smaller number
        end_month = (start.year, start.month) if last >= first else (year, month)
        end = _date_or_none(*end_month, last)
        if end is not None:
            return start, end
    return None


def _date_or_none(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _part_of_current(today: dt.date, part: str, unit: str) -> _Stretch:
    """ "en fin de mois", "au début de la semaine": this one, or the next when it is past."""
    if unit == "semaine":
        monday = today - dt.timedelta(days=today.weekday())
        offsets = {"debut": (0, 1), "milieu": (2, 3), "fin": (3, 6)}[part]
        return _Stretch(
            monday + dt.timedelta(days=offsets[0]), monday + dt.timedelta(days=offsets[1]), "day"
        )
    first = today.replace(day=1)
    bounds = {
        "debut": (1, 10),
        "milieu": (10, 20),
        "fin": (21, _last_day(today.year, today.month).day),
    }
    start, end = (first.replace(day=d) for d in bounds[part])
    if end < today:
        following = _last_day(today.year, today.month) + dt.timedelta(days=1)
        bounds["fin"] = (21, _last_day(following.year, following.month).day)
        start, end = (following.replace(day=d) for d in bounds[part])
    return _Stretch(start, end, "day")


_HOLIDAYS = {
    "toussaint": (11, 1), "jour de l'an": (1, 1), "nouvel an": (1, 1), "fete du travail": (5, 1),
    "fete nationale": (7, 14), "jour de noel": (12, 25), "armistice": (11, 11),
    "fete de la musique": (6, 21),
}  # fmt: skip
# Saints' days French calendars and Breton parishes name dates by, as (month, day).
_SAINTS = {
    "jean": (6, 24), "pierre": (6, 29), "michel": (9, 29), "martin": (11, 11),
    "patrick": (3, 17), "yves": (5, 19), "nicolas": (12, 6), "sylvestre": (12, 31),
    "joseph": (3, 19), "georges": (4, 23), "luc": (10, 18), "matthieu": (9, 21),
    "barnabe": (6, 11), "denis": (10, 9), "fiacre": (8, 30), "gilles": (9, 1),
    "laurent": (8, 10), "louis": (8, 25), "hubert": (11, 3), "eloi": (12, 1),
    "etienne": (12, 26), "vincent": (1, 22), "marc": (4, 25), "antoine": (1, 17),
    "blaise": (2, 3), "roch": (8, 16), "valentin": (2, 14), "cornely": (9, 13),
    "jacques": (7, 25), "loup": (10, 19), "david": (3, 1), "anne": (7, 26),
    "catherine": (11, 25), "barbe": (12, 4), "cecile": (11, 22), "madeleine": (7, 22),
    "chandeleur": (2, 2),
}  # fmt: skip
_SAINT = re.compile(r"(?:saint|st|sainte|ste)[\s-](\w+)|(chandeleur)")
# Feasts that move with Easter, as days after Easter Sunday, and how many days they last.
_FEASTS = {
    "paques": (0, 1), "lundi de paques": (1, 1), "ascension": (39, 1),
    "dimanche de paques": (0, 1), "dimanche de pentecote": (49, 1),
    "jeudi de l'ascension": (39, 1),
    "pont de l'ascension": (39, 4), "week-end de l'ascension": (39, 4), "pentecote": (49, 1),
    "lundi de pentecote": (50, 1), "week-end de pentecote": (48, 3), "pont de paques": (-2, 4),
    "samedi de pentecote": (48, 1), "samedi de paques": (-1, 1),
    "week-end de paques": (-1, 3), "vendredi du pont de l'ascension": (40, 1),
    "samedi et dimanche de pentecote": (48, 2), "samedi et dimanche de paques": (-1, 2),
    "dimanche et lundi de pentecote": (49, 2), "dimanche et lundi de paques": (0, 2),
    "mardi gras": (-47, 1), "mercredi des cendres": (-46, 1), "mi-careme": (-24, 1),
    "rameaux": (-7, 1), "jeudi saint": (-3, 1), "vendredi saint": (-2, 1), "samedi saint": (-1, 1),
}  # fmt: skip


def _movable_feast(text: str, today: dt.date) -> _Stretch | None:
    """ "lundi de Pâques", "le jeudi de l'Ascension", "le week-end de la Pentecôte"; and the
    saints' days, which do not move ("la Saint-Michel")."""
    key = re.sub(r"^(?:le|la) ", "", text)
    if (saint := _SAINT.fullmatch(key)) and (saint.group(1) or saint.group(2)) in _SAINTS:
        on = _SAINTS[saint.group(1) or saint.group(2)]
        day = _next_day_month(today, on[1], on[0], None)
        return _Stretch(day, day, "day") if day else None
    key = re.sub(r"l'? ?ascension", "l'ascension", key)
    key = re.sub(r"^(?:week ?-?end|we|w ?-?e) ", "week-end ", key).replace(
        "de la pentecote", "de pentecote"
    )
    key = re.sub(r"^l'ascension$", "ascension", key)
    key = re.sub(r"^mi[ -]?careme$", "mi-careme", re.sub(r"^dimanche des rameaux$", "rameaux", key))
    found = _FEASTS.get(key)
    if found is None:
        return None
    from dateutil.easter import easter  # dateparser's own dependency

    for year in (today.year, today.year + 1):
        first = easter(year) + dt.timedelta(days=found[0])
        if first >= today:
            return _Stretch(first, first + dt.timedelta(days=found[1] - 1), "day")
    return None


_SEASONS = {
    "printemps": ((3, 21), (6, 20)),
    "ete": ((6, 21), (9, 23)),
    "automne": ((9, 24), (12, 20)),
    "hiver": ((12, 21), (3, 20)),
    "rentree": ((9, 1), (9, 1)),
    "noel": ((12, 25), (12, 25)),
}


def _season(today: dt.date, name: str) -> _Stretch:
    (m1, d1), (m2, d2) = _SEASONS[name]
    start = dt.date(today.year, m1, d1)
    end = dt.date(today.year + (1 if m2 < m1 else 0), m2, d2)
    if m2 < m1 and today <= dt.date(today.year, m2, d2):  # inside a winter begun last year
        start, end = start.replace(year=today.year - 1), end.replace(year=today.year)
    # "à partir de cette rentrée" said on 6 September: the one just past, not next year's
    just_past = start == end and (today - end).days <= _JUST_PAST
    if end < today and not just_past:
        start, end = start.replace(year=start.year + 1), end.replace(year=end.year + 1)
    return _Stretch(start, end, "season" if start != end else "day")


_JUST_PAST = 30
_CLOSE_BEFORE = dt.timedelta(days=14)
_MONTH_WRITTEN = re.compile(rf"\b{_MONTH}\b|\d\s?[/.-]\s?[01]?\d\b")


MAX_DATES = 100
_BARE = re.compile(rf"(?:1\s?er|1\s?ere|premier|[0-3]?\d(?:e|eme)?|{_DAY_WORDS})")
# After an abbreviated month: nothing it could count ("en oct, hésitez", "en déc elles").
_MONTH_CLOSED = re.compile(
    r"\s*(?:$|[,;:!?)\n]|(?:elles?|ils?|on|nous|si|sauf|pas|c'est|ca|merci)\b)"
)
_ABBREVIATED_MONTH = re.compile(r"(?:jan|janv|fev|fevr|avr|juil|sep|sept|oct|nov|dec)")
# After a bare day number, what may follow for it to be a date ("le 12 et 13", "le 12,").
_AFTER_BARE = re.compile(
    r"\s*(?:$|[,.;:!?()\n]|(?:et|au|a|ou|pour|jusqu|prochain|matin|soir|apres|des|de\s+\d|finalement"
    r"|svp|stp|merci|si|car|mais|donc|alors|aussi|egalement|vers|on|nous|dans|sur|avec|comme|midi"
    r"|inclus|compris|c'est|c|pas|plutot|pardon|non|euh|enfin|il|ils|elle|je|j'|faut|faudra"
    r"|faudrait)\b)"
)
_NEEDS_WORD = re.compile(r"(?:l'|le |la )?(?:ete|automne|hiver|printemps|rentree|noel)")
_WEEK_WORDS = re.compile(r"semaine")
_BARE_UNTIL = re.compile(r"jusqu'?\s?(?:au|a)\s+(?:le\s+)?(\d{1,2}|1er)")
_HOUR = re.compile(r"[ \t]*(?:h\b|h\d|heures?\b)")
_UNTIL_NAMED = re.compile(
    r"\bjusqu'?\s?(?:a|au|aux)\b[^()\n.;!?]{1,45}"
    # ("jusqu'à la réouverture prévue le 30 septembre": the day named is the last)
    r"(?:\(\s*|\b(?:prevue?s?|fixee?s?|programmee?s?)\s+(?:le|au|pour le)?\s*)$"
)
_BRACKET = re.compile(r"[ \t]*\([ \t]*")
# A weekday's week said after it: "samedi de la semaine prochaine" (not "vendredi prochain")
_WEEK_NAMED_AFTER = re.compile(r"\bde la semaine (?:prochaine|suivante|d'apres)\b")
_BEFORE_WEEK = re.compile(r"[ \t,]*(?:(?:de la|de|pour la|en|la)[ \t]+)?")
# (the run of separators taken whole from where it begins, not again from each of its places:
# tried along a long run of blanks, it would look through the rest from each one)
_WEEKDAYS_NAMED = re.compile(
    rf"(?:(?<![\s,:.(?!])[\s,:.(?!]+)?(?:(?:du|le|les|de|soit|donc)\s+)?(?P<a>{_WD})(?!\s*\d)"
    rf"(?:\s*(?:au|a|et|-|->|jusqu'?\s?au)\s*(?:le\s+)?(?P<b>{_WD}))?\b(?!\s*\d)"
)
_WEEKDAY_PHRASE = re.compile(rf"\b{_WD}\s+(?:{_WD_MODIFIERS})\b")
_OPEN_STRONG = re.compile(
    _WORD_START + r"(?P<word>a partir d(?:u|e|')|des le|des(?=\s+(?:lundi|mardi|mercredi|jeudi"
    r"|vendredi|samedi|dimanche|demain)\b)|a compter d(?:u|e)|depuis le"
    r"|jusqu'?\s?(?:au|a|en)(?:\s+(?:la\s+)?fin|\s+la(?=\s+fin\s+du\s+mois\b))?"
    r"|(?:avant|avt)(?:\s+(?:le|la|l'|fin))?"
    r"|d'ici(?:\s+(?:le|la|a|fin|l'))?|au plus tard(?:\s+(?:le|la|l'|fin))?)\s*"
    rf"(?P<a>{_GUARDED_ONE})"
)
# An offer open from the day it is written, with no end said.
_NOW = r"(?:tout\s+)?de\s+suite|immediatement|des\s+(?:a\s+present|maintenant|aujourd'hui)"
_AVAILABLE_NOW = re.compile(
    r"\b(?:(?:dispo|disponible|pretable|libre)s?|a\s+preter)(?:\s+(?:au\s+pret|pour\s+le\s+pret))?"
    # ("Dispo maintenant.", "dispo à partir de maintenant"; not "le matériel est maintenant
    # libre, à partir du lundi 11": a day follows)
    rf"\s+(?P<now>{_NOW}|(?:a\s+partir\s+de\s+)?maintenant)\b"
    r"(?!\s*(?:,\s*)?(?:jusqu|au\b|a\s+partir|et\s+jusqu))"
    rf"|(?P<now2>{_NOW})\s+(?:dispo|disponible|pretable|libre)s?\b"
)
_OF_A_FEAST = re.compile(r"\s+de\s+(?:la\s+)?(?:pentecote|paques)\b")
_MID = re.compile(r"mi\b")
_FROM_WORDS = ("a partir d", "des", "a compter d", "depuis")
_NOT_BEFORE = re.compile(r"(?:^|[.,;:!?(\n])\s*pas\s+$")
_STRONG_WORDS = (
    "a partir d",
    "des le",
    "a compter d",
    "depuis",
    "jusqu",
    "avant",
    "d'ici",
    "au plus",
)
_WITHIN = re.compile(
    rf"\b(?:d'ici|sous)\s+(?:({_NUMS})\s+(jours?|semaines?|mois)|(huitaine|quinzaine))\b"
)
# "sous huitaine": within eight days (as two writers of three count it); "sous quinzaine": 15.
_SPANS_OF = {"huitaine": ("8", "jours"), "quinzaine": ("15", "jours")}


# A feast that closes a period: "dispo jusqu'à Pâques", "avant la Pentecôte".
_VAGUE_PERIOD = re.compile(
    r"(?:\bvacances\s+(?:de\s+(?:la\s+)?|d')"
    r"|\b(?:fetes?|animations?|illuminations?|repas|colis|soirees?|boums?|spectacles?|gouters?"
    r"|concerts?|bals?|galas?|pots?|buffets?|kermesses?)\s+de\s+(?=fin))"
    r"(?P<named>toussaint|noel|paques|fin\s+d'annee)\b"
)
# Weekdays of a habit, not of a week: "à prêter du lundi au vendredi tout l'été", "ouvert
# du mardi au samedi toute l'année". The season may still date the offer; the weekdays do not.
_WEEKLY_HABIT = re.compile(
    rf"\b(?:du|les?)\s+{_WD}s?\s+(?:au|a|-)\s+{_WD}s?(?=[\s,]+(?:tout l'ete|toute l'annee"
    r"|toute la saison|toute l'annee scolaire|tout le mois|toutes les semaines|chaque semaine"
    r"|en periode scolaire|hors vacances|hors (?:des )?week-?ends?|sauf (?:les )?jours feries)\b)"
)
_HOURS = r"\s*(?:de\s+)?\d{1,2}\s?h(?:\s?\d{2})?\s*(?:-|–|a|au)\s*\d{1,2}\s?h(?:\s?\d{2})?"
_OPENING_HOURS = re.compile(
    # (not one day: "samedi de 10h à 17h" is that Saturday)
    rf"\b(?:(?:du|les)\s+)?{_WD}s?\s*(?:au|a|-|et)\s*{_WD}s?(?={_HOURS})"
    rf"|\bles\s+{_WD}s(?={_HOURS})"
    rf"|(?:\b{_WD}{_HOURS}[\s,;/]*(?:et\s+)?){{2,}}"
    rf"|\b(?:joignables?|ouverte?s?|permanences?|accueil)\b[^.\n]{{0,40}}?"
    rf"(?P<days>(?:du\s+)?{_WD}\s+(?:au|a)\s+{_WD})"
)
# The words _WEEKLY_HABIT needs after its weekdays: without any, it is not tried.
_HABIT_WORDS = re.compile(r"\b(?:tout|toute|toutes|chaque|hors|sauf)\b|\ben periode\b")
_COLUMNS_REACH = 92  # days: a loan's, not two dates of a schedule a season apart
# A pasted table's "Du" and "Au" columns: "Barnums 3x3 | 3 | 25/09 | 26/09".
_COLUMNS = re.compile(
    r"(?<![\d/])(?P<a>\d{1,2}/\d{1,2}(?:/\d{2,4})?)[ \t]*[|;\t][ \t]*"
    r"(?P<b>\d{1,2}/\d{1,2}(?:/\d{2,4})?)(?![\d/])"
)
# Two numbered weeks: "semaines 42 et 43", "sem. 9-10", "semaines 22 à 24", "S23-S24".
_WEEKS = re.compile(
    r"(?<![a-z0-9])(?:sem(?:aines|\.)?\s?n?°?s?\s?|s)(?P<a>[1-9]|[1-4]\d|5[0-3])\s*(?:et|a|au|-|/|&)\s*"
    r"(?:la\s+)?(?:sem(?:aine|\.)?\s?|s)?(?P<b>[1-9]|[1-4]\d|5[0-3])\b(?!\s*(?:[/.-]\s?\d|h\b))"
)
# A month named right before days said without theirs, as in "la semaine d'août (du 2 au 6)".
_MONTH_JUST_BEFORE = re.compile(rf"(?:\bde\s+|\bd'|\ben\s+)(?P<m>{_MONTH})\s*[(,:]\s*$")
_FEAST_WORDS = (
    "paques", "pentecote", "ascension", "gras", "cendres", "careme", "rameaux", "saint", "la st",
    "chandeleur",
)  # fmt: skip
_FEAST_LED = re.compile(
    r"(?:(?P<until>jusqu'?\s?(?:a|au))|(?P<since>a partir d[ue]|des|depuis)|avant)\s+"
    r"(?:la\s+|l'|le\s+)?$"
)
# What makes a saint's day a date: "jusqu'à la Saint-Michel", "pour la Sainte-Barbe", "le
# lendemain de la Sainte-Anne".
_SAINT_LED = re.compile(
    r"(?<![a-z])(?:jusqu'?\s?(?:a|au)|a\s+partir\s+d[ue]|des|depuis|avant|(?P<for>pour)|d'ici"
    r"|(?:lendemain|veille)\s+d[eu])\s+$"
)
_DAY_OF_MONTH = re.compile(rf"(?<![\d/])(?:[0-3]?\d(?:er)?\s+{_MONTH}|[0-3]?\d/[01]?\d)\b")
# What is done on a weekday each week: "les séances hebdomadaires du mardi", "les marchés du
# jeudi".
_OF_EVERY = re.compile(
    r"\bles[ \t]+[a-z]+s(?:[ \t]+[a-z]+s)?[ \t]+du[ \t]+$"
    # "le marché du dimanche", "le marché bio du samedi matin": a weekly market's day
    r"|\bmarches?[ \t]+(?:[a-z]+[ \t]+){0,2}?du[ \t]+$"
)
_FROM_FEAST = re.compile(r"(?<![a-z])(?:du|de|d')\s*$")
_TO_FEAST = re.compile(r"\s+(?:a|au|jusqu'?\s?(?:a|au))\s+(?=(?P<article>la\s+|l')?[a-z])")
# "pendant le pont de l'Ascension et jusqu'à la Pentecôte": the days, then how long after
_AND_UNTIL = re.compile(r"\s*+,?\s*+(?:et\s++|puis\s++)?$")


# Words that every match of a pattern holds (one of them): see `_search`.
_WEEKDAY_NAMES = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
_STRONG_OPENINGS = (
    "a partir d", "des le", "a compter d", "depuis le", "jusqu", "avant", "avt", "d'ici",
    "au plus tard", "des lundi", "des mardi", "des mercredi", "des jeudi", "des vendredi",
    "des samedi", "des dimanche", "des demain",
)  # fmt: skip


class DateFinder:
    """Finds every date of a folded text, relative to `today`."""

    def __init__(self, folded: str, today: dt.date) -> None:
        self.folded = folded
        self.today = today
        self.found: list[DateFinding] = []
        self._taken = bytearray(len(folded))
        # Where days were said without their month ("le 25", "les 25 et 26"), read from today.
        self._monthless: set[int] = set()

    def run(self) -> list[DateFinding]:
        """Lists of days and ranges first, then dates introduced by a word, then lone dates."""
        folded = self.folded
        windows = _windows(folded)
        # "les vacances de la Toussaint", "les fêtes de fin d'année": periods whose days the
        # text does not say, not the feast's own day
        for match in _VAGUE_PERIOD.finditer(folded):
            self._take(match.start("named"), match.end())
        for match in _WEEKLY_HABIT.finditer(folded) if _HABIT_WORDS.search(folded) else ():
            self._take(*match.span())
        # opening hours: "mardi 15h-19h", "du lundi au vendredi 8h-12h", "joignable du mardi au
        # samedi": every week, not the next one
        for match in _OPENING_HOURS.finditer(folded) if "h" in folded else ():
            self._take(*(match.span("days") if match.group("days") else match.span()))
        for match in _search(_WEEKS, folded, windows):
            self._weeks(match)
        for match in _search(_COLUMNS, folded, windows, ("/",)):
            self._columns(match)
        # read before the months it names make a range of their own
        for match in _search(_WEEKLY_IN, folded, windows, ("les ", "chaque")):
            self._weekly_in(match)
        for match in _search(_DAY_LIST, folded, windows):
            self._day_list(match)
        for match in _search(_RANGE, folded, windows):
            self._range(match)
        for match in _search(_BARE_PAIR, folded, windows, ("le",)):
            self._bare_pair(match)
        for match in _search(_WEEKEND_BEFORE, folded, windows, ("avant",)):
            self._lone(match)
        for match in _search(_SPACED, folded, windows):
            self._spaced(match)
        for match in _search(_NTH_DAY, folded, windows, ("jour",)):
            self._nth_day(match)
        for match in _search(_NTH_WEEKDAY, folded, windows, (*_WEEKDAY_NAMES, "week", "we ")):
            self._nth_weekday(match)
        for match in _search(_FEAST, folded, windows, _FEAST_WORDS):
            self._feast(match)
        for match in _search(_WITHIN, folded, windows, ("d'ici", "sous")):
            if self._free(match.span()):
                count, unit = _SPANS_OF.get(match.group(3) or "", match.group(1, 2))
                # in figures: "sous quinze jours" is fifteen, "dans quinze jours" two weeks
                stretch = resolve(f"dans {_number(count)} {unit}", self.today)
                if stretch is not None:
                    self._add("deadline", None, stretch.end, match.span())
        # "dispo de suite", "prêtables immédiatement", "dès à présent disponibles": from today
        for match in _search(_AVAILABLE_NOW, folded, windows, ("dispo", "pret", "libre")):
            now = match.span("now") if match.group("now") else match.span("now2")
            if self._free(now):
                self._add("from", self.today, None, now)
        # "à partir de lundi prochain": the opening word comes with its weekday.
        for match in _search(_OPEN_STRONG, folded, windows, _STRONG_OPENINGS):
            self._introduced(match)
        for match in _search(_WEEKDAY_PHRASE, folded, windows, _WEEKDAY_NAMES):
            self._lone(match)
        for match in _search(_OPEN, folded, windows):
            self._introduced(match)
        for match in _search(_ONE_RE, self.folded, windows):
            self._lone(match)
        self._ask_dateparser()
        self._day_after()
        self._within_week()
        found = sorted(self.found, key=lambda f: f.span.start)
        found = [self._until_after(found[i - 1], f) if i else f for i, f in enumerate(found)]
        found = self._extended(found)
        found = self._unbracketed(found)
        found = [self._until_named(f) for f in found]
        found = self._in_named_month(found)
        return self._followed(found)

    def _in_named_month(self, found: list[DateFinding]) -> list[DateFinding]:
        """ "montage le mercredi 23 juin, représentations les 25 et 26": days said without
        their month after a dated day are in its month (or the next), not before it."""
        if not self._monthless:
            return found
        kept: list[DateFinding] = []
        anchor: dt.date | None = None
        for finding in found:
            start = finding.start
            if (
                finding.span.start in self._monthless and anchor and start
                # (days just before it are the days around it: "Fête de l'île le 15 août…
                # du 13 au 16", "pour la Toussaint… du 28 au 30")
                and start < anchor - _CLOSE_BEFORE and start.month != anchor.month
            ):  # fmt: skip
                moved = _on_or_after(anchor, start.day)
                if moved is not None:
                    length = (finding.end - start) if finding.end else None
                    end = moved + length if length is not None else None
                    finding = DateFinding(finding.kind, moved, end, finding.span)
            elif finding.span.start not in self._monthless and start is not None:
                # a month written: "23 juin", "23/06" (not "semaine 1", nor "demain")
                written = self.folded[finding.span.start : finding.span.end]
                if _MONTH_WRITTEN.search(written):
                    anchor = start
            kept.append(finding)
        return kept

    def _until_named(self, finding: DateFinding) -> DateFinding:
        """ "jusqu'aux vacances de Noël (vendredi 17 décembre)", "jusqu'à la fin des vacances
        (31 août)": the day in brackets is the last."""
        if finding.kind != "point" or finding.end is None:
            return finding
        before = self.folded[max(0, finding.span.start - 60) : finding.span.start]
        if _UNTIL_NAMED.search(before) is None:
            return finding
        return DateFinding("until", None, finding.end, finding.span)

    def _followed(self, found: list[DateFinding]) -> list[DateFinding]:
        """ "les mardis 13, 20 et 27 juillet puis 3, 10 et 17 août": one stretch of days of
        use, from the first list's first day to the second's last."""

        def then(last: DateFinding, finding: DateFinding) -> bool:
            return bool(
                last.kind in ("point", "range") and finding.kind in ("point", "range")
                and last.start and finding.end and last.end and finding.start
                and finding.start > last.end
                and _THEN.fullmatch(self.folded, last.span.end, finding.span.start)
            )  # fmt: skip

        return _joined(found, then)

    def _columns(self, match: re.Match[str]) -> None:
        """A table row's first and last days, side by side in their columns."""
        first, last = resolve(match["a"], self.today), resolve(match["b"], self.today)
        if first is None or last is None or not self._free(match.span()):
            return
        if first.start <= last.end and (last.end - first.start).days <= _COLUMNS_REACH:
            self._add("range", first.start, last.end, match.span())

    def _weeks(self, match: re.Match[str]) -> None:
        """ "semaines 42 et 43", "sem. 9-10": from the first week's Monday to the last's
        working days, in the first week's year."""
        first = _numbered_week(self.today, int(match.group("a")))
        if first is None or not self._free(match.span()):
            return
        try:
            monday = dt.date.fromisocalendar(first.start.isocalendar().year, int(match["b"]), 1)
        except ValueError:
            return
        if monday > first.start:
            self._add("range", first.start, monday + dt.timedelta(days=WORKING_WEEK), match.span())

    def _extended(self, found: list[DateFinding]) -> list[DateFinding]:
        """ "libres pendant le pont de l'Ascension et jusqu'à la Pentecôte": days of use, then
        the day they last until, are one stretch."""

        def lasts(last: DateFinding, finding: DateFinding) -> bool:
            return bool(
                last.kind in ("point", "range") and finding.kind == "until"
                and last.start and last.end and finding.end and finding.end > last.end
                and self.folded.startswith("jusqu", finding.span.start)
                and _AND_UNTIL.fullmatch(self.folded, last.span.end, finding.span.start)
            )  # fmt: skip

        return _joined(found, lasts)

    def _until_after(self, opening: DateFinding, until: DateFinding) -> DateFinding:
        """ "à partir du 5 juillet, jusqu'au 25": the last day in the month of the first."""
        written = self.folded[until.span.start : until.span.end]
        day = _BARE_UNTIL.fullmatch(written)
        if opening.kind != "from" or until.kind != "until" or opening.start is None or not day:
            return until
        last = _on_or_after(opening.start, day_value(day.group(1)))
        return DateFinding("until", None, last, until.span) if last else until

    def _unbracketed(self, found: list[DateFinding]) -> list[DateFinding]:
        """A day said again in brackets is one with the day before it, whose span takes it
        in ("à partir de lundi (28/06)": the 28 is no count)."""
        kept: list[DateFinding] = []
        for finding in found:
            if kept and self._bracketed(kept[-1], finding):
                last = kept[-1]
                kept[-1] = DateFinding(
                    last.kind, last.start, last.end, Span(last.span.start, finding.span.end)
                )
                continue
            kept.append(finding)
        return kept

    def _bracketed(self, day: DateFinding, weekday: DateFinding) -> bool:
        """ "pour le 18 (samedi)": the weekday in brackets names the day before it."""
        return (
            weekday.kind == "point" and weekday.start is not None and day.start is not None
            and day.start.weekday() == weekday.start.weekday()
            and _BRACKET.fullmatch(self.folded, day.span.end, weekday.span.start) is not None
        )  # fmt: skip

    def _within_week(self) -> None:
        """ "la semaine prochaine, du lundi au mercredi": the weekdays are that week's."""
        weeks = [f for f in self.found if f.start and f.end
                 and (f.end - f.start).days == WORKING_WEEK
                 and _WEEK_WORDS.search(self.folded, f.span.start, f.span.end)]  # fmt: skip
        if len(weeks) != 1:
            return
        monday = weeks[0].start
        assert monday is not None
        days = _WEEKDAYS_NAMED.match(self.folded, weeks[0].span.end, weeks[0].span.end + 60)
        if days is None:
            # "du lundi au vendredi de la semaine 38": the weekdays come before their week
            week = weeks[0].span.start
            said = [f for f in self.found if f.span.end <= week
                    and _BEFORE_WEEK.fullmatch(self.folded, f.span.end, week)]  # fmt: skip
            if said:
                days = _WEEKDAYS_NAMED.fullmatch(
                    self.folded, said[-1].span.start, said[-1].span.end
                )
        if not days or re.search(r"\d", days.group()):
            return
        first, last = WEEKDAYS[days.group("a")], WEEKDAYS[days.group("b") or days.group("a")]
        start = monday + dt.timedelta(days=first - monday.weekday())
        end = monday + dt.timedelta(days=last - monday.weekday())
        if start <= end:
            self.found = [f for f in self.found if f is not weeks[0]
                          and not (days.start() <= f.span.start < days.end())]  # fmt: skip
            span = (weeks[0].span.start, days.end()) if days.start() >= weeks[0].span.end else (
                days.start(), weeks[0].span.end)  # fmt: skip
            self.found.append(DateFinding("range", start, end, Span(*span)))

    def _ask_dateparser(self) -> None:
        """A month named in words that no rule read: dateparser reads the words around it."""
        asked = 0
        for month in _FULL_MONTH.finditer(self.folded):
            if asked == MAX_DATEPARSER or not self._free(month.span()):
                continue
            around = _AROUND.search(self.folded, max(0, month.start() - 40), month.end() + 6)
            if around is None or around.end() < month.end() or not self._free(around.span()):
                continue
            if _MEASURE_THEN.search(around.group()):
                continue  # "sel de déneigement — 8 t — novembre": a measure, then its month
            asked += 1
            day = _dateparser_day(around.group(), self.today)
            if day is not None:
                self._add("point", day, day, around.span())

    def _free(self, span: tuple[int, int]) -> bool:
        # Past a hundred dates the text is not a message: what follows is left unread.
        return len(self.found) < MAX_DATES and not any(self._taken[span[0] : span[1]])

    def _add(
        self, kind: Kind, start: dt.date | None, end: dt.date | None, span: tuple[int, int]
    ) -> None:
        self.found.append(DateFinding(kind, start, end, Span(*span)))
        self._take(*span)

    def _take(self, start: int, end: int) -> None:
        """Mark a part of the text read: no other date is looked for in it."""
        self._taken[start:end] = b"\x01" * (end - start)

    def _bare_allowed(self, match: re.Match[str], group: str) -> bool:
        text = match.group(group).strip()
        if not _BARE.fullmatch(text):
            return True
        return _AFTER_BARE.match(self.folded, match.end(group)) is not None

    def _range_ends(self, match: re.Match[str]) -> tuple[_Stretch, _Stretch] | None:
        """The first and last days a stretch names, before they are put in order."""
        end = resolve(match.group("b"), self.today)
        bare_pair = re.match(r"\s*(?:du|entre)\b", match.group()) and _BARE.fullmatch(
            match.group("b").strip()
        )
        if bare_pair and not self._bare_allowed(match, "b"):
            return None  # "entre 20 et 25 chaises": a count, not days
        number = _day_number(match.group("a"))
        if end is None and bare_pair and number is not None:
            final_day = day_value(match.group("b").strip())
            month = _MONTH_JUST_BEFORE.search(
                self.folded, max(0, match.start() - 30), match.start()
            )
            if month is not None and final_day >= number:
                # "la 1ère semaine d'août (du 2 au 6)": the days of the month just named
                named = MONTHS[month.group("m").rstrip(".")]
                first = _next_day_month(self.today, number, named, None)
                final = first and _date_or_none(first.year, first.month, final_day)
                if first and final:
                    return _Stretch(first, first, "day"), _Stretch(final, final, "day")
            # "du 13 au 18", "entre le 11 et le 15" said on the 15th: the next such days
            pair = _next_pair(self.today, number, final_day)
            if pair is None:
                return None
            return _Stretch(pair[0], pair[0], "day"), _Stretch(pair[1], pair[1], "day")
        if end is None and bare_pair:
            end = self._next_day_number(match.group("b"))
        if end is None:
            return None
        if number is not None and end.grain != "day":
            return None  # "le 3-mai" is no stretch from a 3rd to the whole of May
        if number is not None:  # "du 1er au 15 août": the first day takes the month of the last
            start_day = _in_month_of(end.start, number)
            weekday = re.match(_WD, match.group("a").strip())
            if (
                start_day is not None and weekday is not None
                and start_day.weekday() != WEEKDAYS[weekday.group()]
            ):  # fmt: skip
                # "de lundi 20 jusqu'à la Toussaint": the coming Monday the 20th
                start_day = _next_weekday_dated(self.today, number, WEEKDAYS[weekday.group()])
                if start_day is None or start_day > end.end:
                    return None
            return None if start_day is None else (_Stretch(start_day, start_day, "day"), end)
        start = resolve(match.group("a"), self.today)
        if start is None or _HOUR.match(self.folded, match.end()):
            return None  # "le jeudi 23 septembre à 20 h": a time, not a last day
        weekday = re.fullmatch(_WD, match.group("a").strip())
        within = "jusqu" not in match.group() and end.start.weekday() != start.start.weekday()
        if weekday is not None and within and end.grain == "day" and _day_number(match.group("b")):
            # "du lundi au vendredi 27": the Monday of the week that ends on the 27th
            back = (end.start.weekday() - WEEKDAYS[weekday.group()]) % 7
            first = end.start - dt.timedelta(days=back)
            return _Stretch(first, first, "day"), end
        last = _day_number(match.group("b"))
        if last is not None and start.grain == "day":
            # "du 5 juillet jusqu'au 25": the last day in the month of the first
            following = _on_or_after(start.start, last)
            if following is not None:
                end = _Stretch(following, following, "day")
        return start, end

    def _range(self, match: re.Match[str]) -> None:
        if not self._free(match.span()):
            return
        if _OF_A_FEAST.match(self.folded, match.end()) and re.search(r"\set\s", match.group()):
            return  # "le dimanche et lundi de Pâques": the feast's two days, read as such
        ends = self._range_ends(match)
        if ends is None:
            return
        start, end = ends
        if _MID.match(match.group("a").strip()) and start.grain == "day":
            # "de mi-avril à fin juin": from the month's middle, the 15th
            middle = start.start.replace(day=15)
            start = _Stretch(middle, middle, "day")
        bare = _A_WEEKDAY.fullmatch(match.group("a").strip())
        if bare and _WEEK_NAMED_AFTER.search(match.group("b")):
            # "vendredi et samedi de la semaine prochaine": both days of that week
            back = end.start.weekday() - WEEKDAYS[bare.group()]
            if back >= 0:
                day = end.start - dt.timedelta(days=back)
                start = _Stretch(day, day, "day")
        weekday = _WEEKDAY_NEXT.fullmatch(match.group("b").strip())
        if weekday and start.start > end.end:  # "du lundi au vendredi": the Friday after
            ahead = (WEEKDAYS[weekday.group(1)] - start.start.weekday()) % 7
            end = _Stretch(start.start + dt.timedelta(days=ahead), end.end, "day")
            end = _Stretch(end.start, end.start, "day")
        if start.start > end.end and _A_WEEKDAY.search(match.group()):
            return  # weekdays that cannot be put in order name no stretch
        if start.start > end.end:
            # "d'octobre à mars": the winter under way, or the next one once it is past
            shifted = _shift_year(start.start, -1)
            if shifted is None or shifted > end.end:
                return
            later = _shift_year(end.end, 1)
            if end.end < self.today and later is not None:
                end = _Stretch(later, later, end.grain)
            else:
                start = _Stretch(shifted, shifted, start.grain)
        if _EITHER.search(match.group()) and (end.end - start.start).days > 1:
            return  # "le 21 juin ou le 28 juin": one of two days, not a week (but "jeudi ou
            # vendredi" is the window)
        self._add("range", start.start, end.end, match.span())
        if _BARE.fullmatch(match.group("a").strip()) and _BARE.fullmatch(match.group("b").strip()):
            self._monthless.add(match.start())  # "du 13 au 18"

    def _introduced(self, match: re.Match[str]) -> None:
        span = (match.start(), match.end())
        if not self._free(span) or not self._acceptable(match, "a"):
            return
        word = match.group("word")
        if word == "du" and (
            not _BARE.fullmatch(match.group("a").strip())
            or re.search(
                r"(?:week[\s-]?end|\bwe)\s*$",
                self.folded[max(0, match.start() - 12) : match.start()],
            )
        ):
            return  # "du 26" alone is a day; "le week-end du 12 juin" is read whole later
        if _BARE.fullmatch(match.group("a").strip()) and not word.endswith(("le", "du", "au")):
            return
        stretch = resolve(match.group("a"), self.today)
        if stretch is None:
            stretch = self._next_day_number(match.group("a"))
            if stretch is None:
                return
            self._monthless.add(match.start())
        if stretch.grain == "month" and word.startswith(
            ("tout", "tt", "durant", "pendant", "courant")
        ):
            self._add("range", stretch.start, stretch.end, span)
        elif word.startswith(_FROM_WORDS) or (
            # "…, pas avant le 18": from then on (not "on ne s'en sert pas avant avril")
            word.startswith(("avant", "avt"))
            and _NOT_BEFORE.search(self.folded, max(0, match.start() - 8), match.start())
        ):
            self._add("from", stretch.start, None, span)
        elif word.startswith("jusqu"):
            self._add("until", None, stretch.end, span)
        elif word.startswith(("avant", "avt", "d'ici")):
            # "avant la fin du premier trimestre": its last day.
            at_end = match.group("a").strip().startswith("fin")
            self._add("deadline", None, stretch.end if at_end else _deadline(word, stretch), span)
        elif word.startswith("au plus tard"):
            self._add("deadline", None, stretch.end, span)
        else:
            kind: Kind = "point" if stretch.start == stretch.end else "range"
            self._add(kind, stretch.start, stretch.end, span)

    def _spaced(self, match: re.Match[str]) -> None:
        if not self._free(match.span()):
            return
        day = match.group("d") or match.group("d2") or match.group("d3")
        month = match.group("m") or match.group("m2") or match.group("m3")
        year = match.group("y")
        text = f"{day}/{month}/{year}" if year else f"{day}/{month}"
        stretch = resolve(text, self.today)
        if stretch is not None:
            self._add("point", stretch.start, stretch.end, match.span())

    def _nth_day(self, match: re.Match[str]) -> None:
        if not self._free(match.span()):
            return
        month = MONTHS[(match.group("month") or match.group("lmonth")).rstrip(".")]
        year_text = _year_of(match.group())
        year = year_text or (self.today.year if month >= self.today.month else self.today.year + 1)
        last = _last_day(year, month)
        day = (
            last
            if match.group("lmonth")
            else last.replace(day=min(int(match.group("n")), last.day))
        )
        self._add("point", day, day, match.span())

    def _nth_weekday(self, match: re.Match[str]) -> None:
        if not self._free(match.span()):
            return
        if match.group("next"):
            first = _last_day(self.today.year, self.today.month) + dt.timedelta(days=1)
        else:
            month = _month_stretch(self.today, MONTHS[match.group("month").rstrip(".")], None, None)
            first = month.start
        # "le 1er week-end de juillet": the weekend of the month's first Saturday
        weekend = match.group("wd") not in WEEKDAYS
        weekday = WEEKDAYS["samedi"] if weekend else WEEKDAYS[match.group("wd")]
        rank = match.group("rank")
        if rank == "dernier":
            day = _last_day(first.year, first.month)
            day -= dt.timedelta(days=(day.weekday() - weekday) % 7)
        else:
            index = _RANKS[rank]
            day = first + dt.timedelta(days=(weekday - first.weekday()) % 7 + 7 * index)
        if weekend:
            self._add("range", day, day + dt.timedelta(days=1), match.span())
        else:
            self._add("point", day, day, match.span())

    def _day_after(self) -> None:
        """ "le lendemain du 13 février", "la veille du 14 juillet": a day from a day."""
        if "lendemain" not in self.folded and "veille" not in self.folded:
            return
        for match in _DAY_AFTER.finditer(self.folded):
            # ("le lendemain de la Pentecôte": the feast is read without its article)
            following = next(
                (
                    f
                    for f in self.found
                    if f.start
                    and f.span.start >= match.end()
                    and self.folded[match.end() : f.span.start] in ("", "la ", "l'")
                ),
                None,
            )
            if following is None or following.start is None:
                continue
            shift = dt.timedelta(days=1 if match.group("word") == "lendemain" else -1)
            day = following.start + shift
            self.found.remove(following)
            # ("à partir du lendemain de la Pentecôte": from that day)
            self._led(day, day, (match.start(), following.span.end))

    def _weekly_in(self, match: re.Match[str]) -> None:
        if not self._free(match.span()):
            return
        said = match.group("wd")
        days = {5, 6} if said.startswith("week") else {WEEKDAYS[said]}
        if match.group("wd2"):
            days.add(WEEKDAYS[match.group("wd2")])
        first = _month_stretch(self.today, MONTHS[match.group("first").rstrip(".")], None, None)
        last = first
        if match.group("last"):
            last = _month_stretch(first.start, MONTHS[match.group("last").rstrip(".")], None, None)
        start, end = max(first.start, self.today), last.end
        # "tous les week-ends d'avril": the month, as three writers in four count it
        whole = match.group().startswith("les") or said.startswith("week")
        while not whole and start.weekday() not in days:
            start += dt.timedelta(days=1)
        while not whole and end.weekday() not in days:
            end -= dt.timedelta(days=1)
        if start <= end:
            self._add("range", start, end, match.span())

    def _bare_pair(self, match: re.Match[str]) -> None:
        first_day, last_day = int(match.group("first")), int(match.group("last"))
        if not self._free(match.span()) or not 0 < last_day - first_day <= 3:
            return
        pair = _next_pair(self.today, first_day, last_day)
        if pair is not None:
            self._add("range", *pair, match.span())
            self._monthless.add(match.start())

    def _day_list(self, match: re.Match[str]) -> None:
        if not self._free(match.span()):
            return
        last = resolve(f"{match.group('last')} {match.group('month')}", self.today)
        if last is None:
            return
        first = _in_month_of(last.start, int(match.group("first")))
        if first is not None and first <= last.end:
            self._add("range", first, last.end, match.span())

    def _feast(self, match: re.Match[str]) -> None:
        """ "le lundi de Pâques", "du jeudi de l'Ascension au dimanche"."""
        if not self._free(match.span()):
            return
        to = match.group("to")
        stretch = resolve(match.group("feast"), self.today)
        if stretch is None:
            return
        end = stretch.end
        if to:
            end = stretch.start + dt.timedelta(days=(WEEKDAYS[to] - stretch.start.weekday()) % 7)
        # "de la Saint-Patrick à la Saint-Jean", "du lundi de Pâques à la Pentecôte": one stretch
        to_feast = _TO_FEAST.match(self.folded, match.end())
        if to_feast is not None and _FROM_FEAST.search(
            self.folded, max(0, match.start() - 6), match.start()
        ):
            last = _FEAST.match(self.folded, to_feast.end()) or _FEAST.match(
                self.folded, to_feast.end() + len(to_feast.group("article") or "")
            )
            until = resolve(last.group("feast"), stretch.start) if last else None
            if last is not None and until is not None:
                self._add("range", stretch.start, until.end, (match.start(), last.end()))
                return
        if _SAINT.fullmatch(re.sub(r"^la\s+", "", match.group("feast"))):
            led = _SAINT_LED.search(self.folded, max(0, match.start() - 20), match.start())
            if led is None or (led.group("for") and _DAY_OF_MONTH.search(self.folded)):
                # "le feu de la Saint-Jean du samedi 26 juin", "la fête de la Sainte-Barbe":
                # the name of an event, held near the day more often than on it; "pour la
                # Saint-Jean" where the days are written ("on garde le reste pour la
                # Saint-Patrick. Dispo jusqu'au 30 juin"): what for, not when
                return
        self._led(stretch.start, end, match.span())

    def _led(self, start: dt.date, end: dt.date, span: tuple[int, int]) -> None:
        """A feast's days, or a day from a day, as the words before them take them."""
        kind: Kind = "point" if start == end else "range"
        led = _FEAST_LED.search(self.folded, max(0, span[0] - 14), span[0])
        if led is not None and led.group("until"):
            self._add("until", None, end, (led.start(), span[1]))  # "jusqu'à Pâques"
            return
        if led is not None and led.group("since"):
            # "à partir du pont de l'Ascension": from its first day
            self._add("from", start, None, (led.start(), span[1]))
            return
        if led is not None:
            # a day, as "avant le 15 mai" is: the feast itself
            self._add("deadline", None, start, (led.start(), span[1]))
            return
        self._add(kind, start, end, span)

    def _lone(self, match: re.Match[str]) -> None:
        text = match.group().strip()
        if not text or not self._free(match.span()) or _BARE.fullmatch(text):
            return
        if _NEEDS_WORD.fullmatch(text):  # "marché de Noël", "fête de l'été": not dates
            return
        if _OF_EVERY.search(self.folded, max(0, match.start() - 40), match.start()) and (
            text in WEEKDAYS
        ):
            return  # "les séances hebdomadaires du mardi": every Tuesday, not the next one
        if not self._acceptable(match, 0):
            return
        stretch = resolve(text, self.today)
        if stretch is None or (
            stretch.grain == "month" and not re.search(r"\d", text)
            and not _MONTH_HEADING.match(self.folded, match.start())
        ):  # fmt: skip
            # A month named alone ("mars") is too often something else to be a date (but
            # for a heading: "Juillet : notre pirogue est dispo").
            return
        kind: Kind = "point" if stretch.start == stretch.end else "range"
        self._add(kind, stretch.start, stretch.end, match.span())

    def _acceptable(self, match: re.Match[str], group: str | int) -> bool:
        text = match.group(group).strip()
        bare_month = not re.search(r"\d", text)
        if (
            bare_month
            and _ABBREVIATED_MONTH.fullmatch(text.split(" ")[-1])
            and not text.endswith(".")
            and not _MONTH_CLOSED.match(match.string, match.end(group))
        ):
            # "sept barnums" counts barnums, it is not September (but "libres en oct, hésitez
            # pas", "en déc elles sont dispo" name a month)
            return False
        return self._bare_allowed(match, group) if isinstance(group, str) else True

    def _next_day_number(self, text: str) -> _Stretch | None:
        if not _BARE.fullmatch(text.strip()):
            return None
        day = _next_with_day(self.today, day_value(text.strip()))
        return _Stretch(day, day, "day") if day is not None else None


# A month alone heading the message or a line, then a colon: "Juillet : dispo pour qui veut".
_MONTH_HEADING = re.compile(rf"(?<![^\n])\s*{_MONTH}\s*:")


def _joined(
    found: list[DateFinding], joins: Callable[[DateFinding, DateFinding], bool]
) -> list[DateFinding]:
    """The findings, each that `joins` the one before merged with it into one stretch, from
    the first's first day to its own last."""
    merged: list[DateFinding] = []
    for finding in found:
        last = merged[-1] if merged else None
        if last is not None and last.start and finding.end and joins(last, finding):
            merged[-1] = DateFinding(
                "range", last.start, finding.end, Span(last.span.start, finding.span.end)
            )
            continue
        merged.append(finding)
    return merged


def _day_number(text: str) -> int | None:
    """The day of "1er", "premier", "12" or "vendredi 6", written without a month."""
    match = _DAY_ALONE.fullmatch(text.strip())
    if match is None:
        return None
    return day_value(match.group(1))


def day_value(text: str) -> int:
    """ "1er" -> 1, "13e" -> 13, "quinze" -> 15, "premier" -> 1."""
    digits = re.sub(r"\D", "", text)
    if digits:
        return int(digits)
    if text.startswith("premier"):
        return 1
    return int(text2num(text.replace("-", " "), "fr"))


def _on_or_after(anchor: dt.date, day: int) -> dt.date | None:
    """Day `day` of the anchor's month, or of the month after when it would come before."""
    following = _last_day(anchor.year, anchor.month) + dt.timedelta(days=1)
    for month in (anchor.replace(day=1), following):
        try:
            candidate = month.replace(day=day)
        except ValueError:
            continue
        if candidate >= anchor:
            return candidate
    return None


def _in_month_of(anchor: dt.date, day: int) -> dt.date | None:
    """Day `day` of the anchor's month, or of the month before when it would come after."""
    try:
        candidate = anchor.replace(day=day)
    except ValueError:
        candidate = None
    if candidate is not None and candidate <= anchor:
        return candidate
    before = _month_before(anchor.replace(day=1))
    try:
        return before.replace(day=day)
    except ValueError:
        return None


# Every date expression holds one of these; the costly patterns run only around them.
_ANCHOR = re.compile(
    # The first letters of all below: other places are passed over. A run of digits is one
    # anchor: its window is the one its digits would make one by one.
    r"(?=[0-9acdefhijl-tvw])"
    rf"(?:\d+|{_MONTH}|\b(?:{_WD}s?|{_WD_SHORT}|demain|hier|aujourd'hui|semaines?|sem|mois|week|we"
    r"|w[ -]e|wk|quinzaine"
    r"|ete|hiver|automne|printemps|rentree|noel|toussaint|ans?|soir|fetes?|annees?|jours?"
    r"|prochaine?s?"
    r"|maintenant|paques|pentecote|ascension|armistice|exercice|trimestres?|semestres?|journees?"
    r"|careme|rameaux|chandeleur|saint|sainte|st|ste)\b"
    r"|\b(?:ce matin|ce midi|cet aprem|dans l'heure|a present|en ce moment|jour suivant"
    r"|cette nuit|auj|plus tard|lendemain|veille|de suite|immediatement)\b"
    rf"|\ble\s+{_DAY_WORDS}\b)"
)
_REACH = 48
_NON_WORD = re.compile(r"[^a-z0-9']")


def _windows(folded: str) -> list[tuple[int, int]]:
    """Stretches of text around date words, merged: where a date may be written."""
    windows: list[tuple[int, int]] = []
    for anchor in _ANCHOR.finditer(folded):
        start = max(0, anchor.start() - _REACH)
        # A window never ends inside a word: "sept|embre" must not read as "sept".
        boundary = _NON_WORD.search(folded, anchor.end() + _REACH)
        end = boundary.start() if boundary else len(folded)
        if windows and start <= windows[-1][1]:
            windows[-1] = (windows[-1][0], max(windows[-1][1], end))
        else:
            windows.append((start, end))
    return windows


def _search(
    pattern: re.Pattern[str],
    folded: str,
    windows: list[tuple[int, int]],
    needs: tuple[str, ...] = (),
) -> Iterator[re.Match[str]]:
    """`pattern.finditer` over the windows only, with offsets in the whole text; not at all
    when the text holds none of `needs` (words that every match holds): cheaper than a scan."""
    if needs and not any(word in folded for word in needs):
        return
    last_end = 0
    for start, end in windows:
        for match in pattern.finditer(folded, max(start, last_end), min(end, len(folded))):
            last_end = match.end()
            yield match


MAX_DATEPARSER = 3
_FULL_MONTH = re.compile(
    r"(?=[jfmasond])\b(?:janvier|fevrier|mars|avril|mai|juin|juillet|aout|septembre|octobre|novembre"
    r"|decembre)\b"
)
# A figure and its unit, which dateparser would skip to read a day ("8 t novembre").
_MEASURE_THEN = re.compile(r"\d\s*(?:t|kg|g|l|cl|ml|m|m2|m3|km|h)\b")
# Two words before a month and a year after it: "le 3-mai", "le trois mai 2027".
_AROUND = re.compile(
    r"(?:[a-z0-9']+[\s-]+){1,2}(?:janvier|fevrier|mars|avril|mai|juin|juillet|aout|septembre"
    r"|octobre|novembre|decembre)(?:\s+\d{2,4})?\b"
)


def _dateparser_day(text: str, today: dt.date) -> dt.date | None:
    """dateparser's reading of a few words, when it finds a day and a month in them."""
    import dateparser  # slow to import, rarely needed: only for what the rules missed

    settings = {
        "PREFER_DATES_FROM": "future",
        "RELATIVE_BASE": dt.datetime.combine(today, dt.time(12)),
        "REQUIRE_PARTS": ["day", "month"],
    }
    try:
        found = dateparser.parse(text, languages=["fr"], settings=settings)
    except Exception:  # dateparser's own failures on odd input must not stop a reading
        return None
    return found.date() if found is not None else None


def _month_before(day: dt.date) -> dt.date:
    year, month = (day.year - 1, 12) if day.month == 1 else (day.year, day.month - 1)
    return day.replace(year=year, month=month, day=min(day.day, _last_day(year, month).day))


def _shift_year(day: dt.date, years: int) -> dt.date | None:
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return None


def _deadline(word: str, stretch: _Stretch) -> dt.date:
    """ "avant septembre" is 31 August; "avant fin mars", "avant le 15 mai" are themselves."""
    if word.endswith("fin") or stretch.grain == "day":
        return stretch.end
    return stretch.start - dt.timedelta(days=1)


# Dates written in English by staff whose first language it is ("from 3 to 14 may", "before
# 1 december"), each word replaced by French of the same length so that spans stay true. The
# words that are also English words ("may", "march", "to") count only beside a day number.
_ENGLISH = {
    "january": "janvier", "february": "fevrier ", "april": "avril", "june": "juin",
    "july": "juil", "august": "aout  ", "september": "septembre", "october": "octobre",
    "november": "novembre", "december": "decembre", "may": "mai", "march": "mars ",
    "from": "du  ", "to": "au", "before": "avant ",
}  # fmt: skip
_ENGLISH_DATE = re.compile(
    r"\b(?:january|february|april|june|july|august|september|october|november|december)\b"
    r"|(?<=\d )(?:may|march)\b|\b(?:may|march)(?= \d)"
    r"|\b(?:from|before)(?= \d)|(?<=\d )to(?= \d)"
)


def _in_french(folded: str) -> str:
    if not _ENGLISH_DATE.search(folded):
        return folded
    return _ENGLISH_DATE.sub(lambda m: _ENGLISH[m.group()], folded)


# Phone-typed and dictated text drops the apostrophe of an elision: "tout le mois d avril",
# "jusqu au 31 aout", "d ici fin mars". The same letters with it, offsets unchanged.
_UNELIDED = re.compile(r"(?<![a-z0-9'])(d|l|qu|jusqu|aujourd|lorsqu|puisqu) (?=[aeiouyh])")


# A screen's shape is no day: "nos 2 écrans de projection 16/9", "un téléviseur 4/3".
_ASPECT = re.compile(
    r"\b(?:ecrans?|formats?|projection|toiles?|images?|tv|ratio|televiseurs?|moniteurs?"
    r"|videoprojecteurs?)\s+(?:en\s+)?(?P<shape>16/9|16/10|4/3|21/9)(?![\d/])"
)


# "pour 2/3 jours", "une 1/2 journée": how long, not a day.
_SPAN_COUNT = re.compile(
    r"(?<![\d/])\d{1,2}/\d{1,2}(?=\s*(?:jours?|journees?|j\b|semaines?|nuits?|heures?|h\b|mois\b))"
)


# A form's fields, one a line: "Date de début : 02/04/2027" then "Date de fin : 06/04/2027".
_FIRST_FIELD = re.compile(r"^[ \t]*(?:date[ \t]+(?:de[ \t]+)?)?debut[ \t]*:[^\n]*", re.MULTILINE)
_LAST_FIELD = re.compile(r"^[ \t]*(?:date[ \t]+(?:de[ \t]+)?)?fin[ \t]*:[^\n]*", re.MULTILINE)


def _fields(found: list[DateFinding], folded: str) -> list[DateFinding]:
    """A form's first and last days, each in its field, are one stretch of days."""
    first, last = _FIRST_FIELD.search(folded), _LAST_FIELD.search(folded)
    if first is None or last is None or last.start() < first.end():
        return found

    def within(field: re.Match[str]) -> DateFinding | None:
        inside = [d for d in found if field.start() <= d.span.start < field.end()]
        return inside[0] if len(inside) == 1 and inside[0].kind in ("point", "range") else None

    opening, closing = within(first), within(last)
    if opening is None or closing is None or opening.start is None or closing.end is None:
        return found
    if not opening.start <= closing.end:
        return found
    joined = DateFinding(
        "range", opening.start, closing.end, Span(opening.span.start, closing.span.end)
    )
    return [joined if d is opening else d for d in found if d is not closing]


def find_dates(folded: str, today: dt.date) -> list[DateFinding]:
    """Every date in a folded text, in text order."""
    return list(_dates_of(folded, today))


# The reading and its second opinions look for the dates of the same text: found once.
@functools.lru_cache(maxsize=16)
def _dates_of(folded: str, today: dt.date) -> tuple[DateFinding, ...]:
    if " " in folded:
        folded = _UNELIDED.sub(r"\1'", folded)
    if "/" in folded:
        folded = blanked(
            folded,
            [Span(*m.span("shape")) for m in _ASPECT.finditer(folded)]
            + [Span(*m.span()) for m in _SPAN_COUNT.finditer(folded)],
        )
    found = DateFinder(_in_french(folded), today).run()
    return tuple(_fields(found, folded) if ":" in folded and "debut" in folded else found)
