"""What in a message is not the writer's own words: quoted replies, forwarded headers,
signatures, addresses. They are masked before reading; the signature is kept aside,
since it may still name the writer's commune."""

from __future__ import annotations

import re
from dataclasses import dataclass

from handlers.reading.text import Document, Span, blanked

# Everything below one of these lines is an earlier message.
_REPLY_HEADER = re.compile(
    r"^[ \t]*(?:"
    r"le\s[^\n]{3,160}?(?:\n[^\n]{0,120}?)?\sa\s+ecrit\s*:"
    r"|on\s[^\n]{3,160}?(?:\n[^\n]{0,120}?)?\swrote\s*:"
    r"|-{2,}\s*(?:original message|message d'origine|message original)\s*-{2,}"
    r"|de\s*:[^\n]*\n[ \t]*(?:envoye|date)\s*:[^\n]*(?:\n[ \t]*(?:a|cc|objet)\s*:[^\n]*)*"
    r"|from\s*:[^\n]*\n[ \t]*(?:sent|date)\s*:[^\n]*(?:\n[ \t]*(?:to|cc|subject)\s*:[^\n]*)*"
    r")",
    re.MULTILINE,
)
# A forwarded message keeps its text; only its header block is masked.
_FORWARD_HEADER = re.compile(
    r"^[ \t]*(?:-{2,}\s*(?:message transfere|forwarded message|mail transfere)\s*-{2,}"
    r"|debut du message reexpedie\s*:)[^\n]*"
    r"(?:\n[ \t]*(?:de|from|date|envoye|sent|a|to|cc|objet|subject)\s*:[^\n]*)*",
    re.MULTILINE,
)
_QUOTED_LINE = re.compile(r"^[ \t]*>[^\n]*", re.MULTILINE)
# "Objet : TR: …", "Fwd: …": what is below the writer's words is passed on, whether its
# mail program quoted it ("> ") or put a reply's header above it.
_FORWARD_SUBJECT = re.compile(
    r"\A\s*(?:(?:objet|obj|subject|sujet)\s*:\s*)?(?:tr|fwd?|transfert)\s*:"
)
_SIGNATURE_DASHES = re.compile(r"^-- ?$", re.MULTILINE)
_SIGN_OFF = re.compile(
    r"^[ \t]*(?:bien\s+)?(?:cordialement|cdlt|bien a vous|bav|salutations|"
    r"(?:tres\s+|bien\s+)?sinceres salutations|meilleures salutations|amicalement|"
    r"respectueusement|bonne (?:journee|soiree|fin de journee)|a bientot|"
    r"veuillez agreer[^\n]*|je vous prie d'agreer[^\n]*|dans l'attente de votre retour[^\n]*|"
    r"merci(?: (?:d'avance|par avance|beaucoup|encore))?)[ \t]*[,.!]*[ \t]*$",
    re.MULTILINE,
)
_ADDRESSES = re.compile(
    # Bounded parts: a long run without spaces costs its length, not its square.
    r"[^\s@]{1,64}@[^\s@]{1,253}\.\w+|https?://\S+|www\.\S+"
    # Footers that phones and mail programs add: "Envoyé de mon iPhone".
    r"|^[ \t]*(?:envoye|envoyee|sent|telecharge[rz]?|obtenir)\b[^\n]{0,60}"
    r"(?:iphone|ipad|mobile|smartphone|telephone|android|samsung|galaxy|outlook|orange|sfr"
    r"|free|bouygues|huawei|xiaomi|my phone)[^\n]*$",
    re.MULTILINE,
)
# What each of those holds: without any, the costly search for addresses is spared.
_ADDRESS_MARKS = ("@", "http", "www.", "envoye", "sent", "telecharge", "obtenir")


# A web form or a ticket forwarded by mail: "Nom : …", "Téléphone : …", "Objet : …",
# "Service concerné : …", then "Message :". Its fields are not the writer's words.
_FORM_FIELD = re.compile(
    r"^[ \t]*(?:(?P<message>message|votre message|demande|votre demande|description)"
    r"|nom|prenom|nom et prenom|nom complet|courriel|e-?mail|mail|adresse(?: e?-?mail)?"
    r"|telephone|tel|portable|mobile|commune|collectivite|organisme|structure|fonction"
    r"|service|service concerne|ticket|ticket n\W{0,3}\d+|n\W{0,3} de ticket|categorie"
    r"|priorite|statut|date|heure|objet|sujet|reference|formulaire|page)[ \t]*:[^\n]*$",
    re.MULTILINE,
)
# Fewer fields than this in a row are a letter's own lines ("Objet : …" alone).
_FORM_RUN = 3


# A checklist's boxes: left empty, what is still to find ("☐ 80 barrières vauban"); ticked,
# what is settled ("[x] sono : ok"). Ticks alone are bullets ("✅ tables pliantes : 16").
_UNTICKED = re.compile(r"^[ \t]*(?:☐|□|\[ \])", re.MULTILINE)
_TICKED = re.compile(r"^[ \t]*(?:☑|☒|✅|✔|✓|\[[xX✓✔]\]|\([xX]\))[^\n]*", re.MULTILINE)


def _ticked(original: str) -> list[Span]:
    """The lines of a checklist ticked as settled, to mask, where other boxes are empty."""
    if _UNTICKED.search(original) is None:
        return []
    return [Span(m.start(), m.end()) for m in _TICKED.finditer(original)]


def _form_fields(folded: str) -> list[Span]:
    """The fields of a form the message carries, to mask; a message field keeps its text."""
    if folded.count(":") < _FORM_RUN:
        return []
    fields = list(_FORM_FIELD.finditer(folded))
    spans: list[Span] = []
    run: list[re.Match[str]] = []
    for field in [*fields, None]:
        joined = field is not None and run and "\n" not in folded[run[-1].end() + 1 : field.start()]
        if field is not None and (not run or joined):
            run.append(field)
            continue
        if len(run) >= _FORM_RUN:
            for line in run:
                end = line.end()
                if line.group("message"):
                    end = folded.index(":", line.start()) + 1
                spans.append(Span(line.start(), end))
        run = [field] if field is not None else []
    return spans


# A calendar invitation pasted in a mail: "Quand : jeudi 3 juin 2027 14:00-16:00 (UTC+01:00)",
# "Où : salle du conseil", "Participants : …", or Thunderbird's "Date : … (Europe/Paris)".
# Its subject, place and guests are not the writer's request: those lines are masked. Its
# day is masked where the writer names another day ("pour le samedi 19 juin"), the meeting
# being then only where things are settled; it is kept where the writer names none ("pour
# cette réunion, un écran") or invites to it ("vous convie à la cérémonie des vœux"). A
# rescheduled meeting's old day ("Ancienne date : …", "Ancienne heure : …") is always masked,
# and so is a group order's meeting day, unless the order is due by it.
_INVITE_LINE = re.compile(
    r"^[ \t]*(?:quand|ou|lieu|participants|participants? requis|organisateur|invites"
    r"|date|heure|objet|sujet|invitation|accepte|refuse|annule|mis a jour|ancienne date"
    r"|ancienne heure|date initiale)[ \t]*:[^\n]*$",
    re.MULTILINE,
)
_INVITE_SLOT = re.compile(
    r"^[ \t]*(?:quand|ancienne date|ancienne heure|date initiale)[ \t]*:|\(utc|europe/paris"
)
_INVITE_DAY = re.compile(r"^[ \t]*(?:quand|date|heure)[ \t]*:")
_OLD_DAY = re.compile(r"^[ \t]*(?:ancienne date|ancienne heure|date initiale)[ \t]*:")
_INVITED = re.compile(r"\b(?:convie|convient|convier|conviendrons|vous invite|vous invitent)\b")
_ORDERING = re.compile(r"\b(?:commandes?|commander|groupement|achats?|acheter)\b")
_BY_THE_MEETING = re.compile(
    r"\b(?:avant|jour de|d'ici|pour) (?:la|cette) (?:reunion|commission|seance|visio)\b"
)
_OTHER_DAY = re.compile(
    r"\b(?:\d{1,2}(?:er)?\s+(?:janv|fev|mars|avr|mai|juin|juil|aout|sept|oct|nov|dec)"
    r"|\d{1,2}\s?/\s?\d{1,2}|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|demain"
    r"|week-?end)"
)


def _invitations(folded: str) -> list[Span]:
    """The lines of pasted calendar invitations to mask; the message's first line (its
    subject) is kept."""
    if "quand" not in folded and "date" not in folded:
        return []
    lines: list[re.Match[str]] = []
    run: list[re.Match[str]] = []
    for line in [*_INVITE_LINE.finditer(folded), None]:
        if line is not None and (not run or folded[run[-1].end() + 1 : line.start()] == ""):
            run.append(line)
            continue
        if any(_INVITE_SLOT.search(m.group()) for m in run):
            lines += [m for m in run if m.start() > 0]
        run = [line] if line is not None else []
    rest = blanked(folded, [Span(m.start(), m.end()) for m in lines])
    keep_day = _INVITED.search(rest) is not None or _OTHER_DAY.search(rest) is None
    if _ORDERING.search(rest) and not _BY_THE_MEETING.search(rest):
        keep_day = False  # a group order's meeting is not its deadline, unless said so
    return [
        Span(m.start(), m.end())
        for m in lines
        if _OLD_DAY.match(m.group()) or not (keep_day and _INVITE_DAY.match(m.group()))
    ]


@dataclass(frozen=True)
class Body:
    """A message split into what the writer wrote and what surrounds it.

    `text` masks everything but the writer's own words; `earlier` shows only the message
    below them (forwarded, quoted or below a reply's header), its header lines and quote
    marks masked: what the writer's words answer, correct or pass on; `forwards` says
    whether that message was forwarded (it may then be the writer's request itself), and
    `relayed` whether the subject line says so while the mail program quoted it.
    """

    text: Document
    signature: Span | None
    forwards: bool = False
    earlier: Document | None = None
    relayed: bool = False  # the subject says the message below is passed on ("TR:", "Fwd:")


def _first(pattern: re.Pattern[str], folded: str, start: int = 0) -> int | None:
    match = pattern.search(folded, start)
    return match.start() if match else None


def separate(document: Document) -> Body:
    """Mask quoted replies, forwarded headers, the signature and mail or web addresses."""
    forwards = [Span(m.start(), m.end()) for m in _FORWARD_HEADER.finditer(document.folded)]
    # A forwarded header block looks like a reply header: it must not cut the text.
    folded = document.masked(forwards).folded
    masked: list[Span] = list(forwards)
    cut = _first(_REPLY_HEADER, folded)
    end = cut if cut is not None else len(folded)
    if cut is not None:
        masked.append(Span(cut, len(folded)))
    masked += [Span(m.start(), m.end()) for m in _QUOTED_LINE.finditer(folded, 0, end)]
    if any(mark in folded for mark in _ADDRESS_MARKS):
        masked += [Span(m.start(), m.end()) for m in _ADDRESSES.finditer(folded)]
    masked += _form_fields(folded[:end])
    masked += _invitations(folded[:end])
    masked += _ticked(document.original[:end])
    quoted = _first(_QUOTED_LINE, folded)
    if quoted is not None and quoted < end:
        end = quoted  # the writer's words stop where the quoted message begins
    own_end = min([f.start for f in forwards if f.start < end], default=end)
    signature = _signature(folded, own_end)
    forwarded = Span(own_end, end) if own_end < end else None
    if forwarded is not None:
        masked.append(forwarded)
    if signature is not None:
        masked.append(signature)
    parts = [Span(m.start(), m.end()) for m in _QUOTED_LINE.finditer(folded)]
    parts += [*([forwarded] if forwarded else []), *([Span(cut, len(folded))] if cut else [])]
    earlier = _earlier(document, parts)
    relayed = _FORWARD_SUBJECT.match(folded) is not None
    return Body(document.masked(masked), signature, forwarded is not None, earlier, relayed)


def _earlier(document: Document, parts: list[Span]) -> Document | None:
    """The message below the writer's words (`parts`: the forwarded body, what follows a
    reply's header, the quoted lines), without its headers, addresses or quote marks."""
    if not parts:
        return None
    folded = document.folded
    parts = sorted(parts, key=lambda p: p.start)
    outside, at = [], 0
    for part in parts:
        if part.start > at:
            outside.append(Span(at, part.start))
        at = max(at, part.end)
    outside.append(Span(at, len(folded)))
    # line breaks kept: the earlier message's lines stay lines
    outside = [
        Span(m.start(), m.end()) for o in outside for m in _LINE.finditer(folded, o.start, o.end)
    ]
    outside += [Span(m.start(), m.end()) for m in _QUOTE_MARKS.finditer(folded)]
    unmarked = document.masked(outside)
    headers = [
        Span(m.start(), m.end())
        for pattern in (_FORWARD_HEADER, _REPLY_HEADER, _ADDRESSES)
        for m in pattern.finditer(unmarked.folded)
    ]
    earlier = unmarked.masked(headers)
    return earlier if earlier.folded.strip() else None


_LINE = re.compile(r"[^\n]+")
_QUOTE_MARKS = re.compile(r"^[ \t]*(?:>[ \t]?)+", re.MULTILINE)


def _signature(folded: str, end: int) -> Span | None:
    # A sign-off on the first line is the whole message ("Merci !"), not a signature.
    first_break = folded.find("\n")
    if first_break < 0 or first_break >= end:
        return None
    dashes = _first(_SIGNATURE_DASHES, folded, first_break)
    sign_off = _SIGN_OFF.search(folded, first_break, end)
    starts = [s for s in (dashes, sign_off.start() if sign_off else None) if s is not None]
    starts = [s for s in starts if s < end]
    if not starts:
        return None
    # "PS : il nous faudrait aussi une friteuse": a postscript is the writer's again
    postscript = _first(_POSTSCRIPT, folded, min(starts))
    return Span(min(starts), postscript if postscript is not None and postscript < end else end)


_POSTSCRIPT = re.compile(
    r"^[ \t]*(?:p\.?[ -]?s\.?|n\.?[ ]?b\.?|post[- ]?scriptum)[ \t]*(?:[:.,-][ \t]*|[ \t](?=[a-z]))",
    re.MULTILINE,
)


def own_words(text: str) -> Document:
    """A text with everything but the writer's own words masked."""
    return separate(Document.of(text)).text
