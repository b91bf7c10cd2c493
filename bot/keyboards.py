"""Inline buttons and the data they carry back: short prefixes, well under 64 bytes."""

from __future__ import annotations

from collections.abc import Sequence

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from handlers.conversation import CORRECTIONS
from handlers.notices import Action, ActionKind
from handlers.requests import Declaration
from storage.models import AnticipationAnswer


class CardCB(CallbackData, prefix="c"):
    """A press on a declaration card: ok, fix or drop, for inbound message `m`."""

    a: str
    m: int


class FixCB(CallbackData, prefix="f"):
    """The part of declaration `m` to correct (`all` to rewrite it)."""

    m: int
    f: str


class ReplyCB(CallbackData, prefix="r"):
    """A ready answer to the question about declaration `m`: a number, or skip/keep."""

    m: int
    v: str


class AskedCB(CallbackData, prefix="d"):
    """Declare the need that message `m` only asked about."""

    m: int


class ProposalCB(CallbackData, prefix="p"):
    """Accept (y) or refuse (n) proposal `p`."""

    p: int
    a: str


class WithdrawCB(CallbackData, prefix="w"):
    """Withdraw need (n) or offer (o) number `i`."""

    k: str
    i: int


# Short, since they travel in button data.
DECLARATIONS = {Declaration.NEED: "n", Declaration.OFFER: "o"}


class AnticipationCB(CallbackData, prefix="a"):
    """Oui (y), Modifier (m) or Pas cette année (s) to question `i` asked ahead of an event."""

    i: int
    v: str


# What the buttons of a question asked ahead of an event answer.
ANTICIPATION_ANSWERS = {"y": AnticipationAnswer.YES, "m": AnticipationAnswer.MODIFY,
                        "s": AnticipationAnswer.SKIP}  # fmt: skip


def _rows(*rows: Sequence[tuple[str, CallbackData]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [InlineKeyboardButton(text=t, callback_data=d.pack()) for t, d in row] for row in rows
        ]
    )


def card(message_id: int, yearly: bool | None = None) -> InlineKeyboardMarkup:
    """Confirmer / Corriger / Annuler; for a dated event, whether it comes back every year."""
    rows: list[list[tuple[str, CallbackData]]] = [
        [
            ("Confirmer", CardCB(a="ok", m=message_id)),
            ("Corriger", CardCB(a="fix", m=message_id)),
            ("Annuler", CardCB(a="no", m=message_id)),
        ]
    ]
    if yearly is not None:
        label = "Pas chaque année" if yearly else "Revient chaque année"
        rows.append([(label, CardCB(a="year", m=message_id))])
    return _rows(*rows)


def fixes(message_id: int, parts: list[str]) -> InlineKeyboardMarkup:
    """One button per part that may be rewritten, and one to rewrite everything."""
    buttons = [(CORRECTIONS[p], FixCB(m=message_id, f=p)) for p in parts]
    return _rows(buttons, [("Tout réécrire", FixCB(m=message_id, f="all"))])


def replies(message_id: int, field: str) -> InlineKeyboardMarkup | None:
    """Ready answers where the choice is small: a few quantities; keep an unknown item."""
    if field == "quantity":
        numbers = [(n, ReplyCB(m=message_id, v=n)) for n in ("1", "2", "5", "10")]
        return _rows(numbers, [("Passer", ReplyCB(m=message_id, v="skip"))])
    if field == "item":
        return _rows([("Garder tel quel", ReplyCB(m=message_id, v="skip"))])
    return _rows([("Passer", ReplyCB(m=message_id, v="skip"))])


def proposal(proposal_id: int) -> InlineKeyboardMarkup:
    """Accepter / Refuser."""
    return _rows(
        [
            ("Accepter", ProposalCB(p=proposal_id, a="y")),
            ("Refuser", ProposalCB(p=proposal_id, a="n")),
        ]
    )


def anticipation(anticipation_id: int) -> InlineKeyboardMarkup:
    """Oui / Modifier / Pas cette année."""
    return _rows(
        [
            ("Oui", AnticipationCB(i=anticipation_id, v="y")),
            ("Modifier", AnticipationCB(i=anticipation_id, v="m")),
            ("Pas cette année", AnticipationCB(i=anticipation_id, v="s")),
        ]
    )


def declare_asked(message_id: int) -> InlineKeyboardMarkup:
    """Déclarer ce besoin, under the answer to a question."""
    return _rows([("Déclarer ce besoin", AskedCB(m=message_id))])


def actions(wanted: Sequence[Action]) -> InlineKeyboardMarkup | None:
    """The buttons of the answers a notice invites, a row each; None when it invites none."""
    rows = {
        ActionKind.ANSWER_PROPOSAL: proposal,
        ActionKind.ANSWER_ANTICIPATION: anticipation,
        ActionKind.DECLARE_ASKED: declare_asked,
    }
    # Naming a commune has no button: the answer is written, as the question says.
    markups = [rows[a.kind](a.target) for a in wanted if a.kind in rows]
    if not markups:
        return None
    return InlineKeyboardMarkup(inline_keyboard=[r for m in markups for r in m.inline_keyboard])


def withdrawals(items: Sequence[tuple[Declaration, int]]) -> InlineKeyboardMarkup:
    """One "Retirer" button a line, for each need or offer."""
    return _rows(
        *[
            [(f"Retirer n° {n + 1}", WithdrawCB(k=DECLARATIONS[k], i=i))]
            for n, (k, i) in enumerate(items)
        ]
    )
