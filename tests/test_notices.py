"""Neutral notices, as each channel renders them: Telegram HTML with buttons, a text and
HTML mail that says how to answer by reply."""

from __future__ import annotations

import datetime as dt

from bot.notices import render as in_chat
from handlers.notices import Action, ActionKind, Notice, queued
from handlers.recipients import Recipient
from mail.notices import render as by_mail
from storage.models import Channel, OutboxMessage

NOW = dt.datetime(2027, 5, 3, 9, tzinfo=dt.UTC)
PROPOSAL = Notice(
    "Proposition de prêt n° 12",
    "Cette proposition concerne Caudan :\n\nLorient <St-Christophe> prête 1 podium & 2 tables.",
    (Action(ActionKind.ANSWER_PROPOSAL, 12),),
)


def stored(notice: Notice, channel: Channel, in_reply_to: int | None = None) -> OutboxMessage:
    message = queued(notice, Recipient(channel, "x"), "test", NOW)
    message.in_reply_to = in_reply_to
    return message


def test_a_chat_shows_the_subject_in_bold_the_text_escaped_and_the_buttons() -> None:
    text, markup = in_chat(Notice.of(stored(PROPOSAL, Channel.TELEGRAM)))
    assert text.startswith("<b>Proposition de prêt n° 12</b>\nCette proposition concerne Caudan")
    assert "Lorient &lt;St-Christophe&gt; prête 1 podium &amp; 2 tables." in text
    assert markup is not None
    assert [b.text for row in markup.inline_keyboard for b in row] == ["Accepter", "Refuser"]
    assert markup.inline_keyboard[0][0].callback_data == "p:12:y"


def test_a_mail_greets_says_how_to_answer_by_reply_and_signs() -> None:
    text, html = by_mail(stored(PROPOSAL, Channel.EMAIL))
    assert text.startswith("Bonjour,\n\nCette proposition concerne Caudan :\n\n")
    assert "répondez à ce message par « j'accepte »" in text
    assert text.endswith("\n\n-- \nmutualise")
    assert html is not None and "<p>Lorient &lt;St-Christophe&gt; prête" in html


def test_a_reply_in_a_thread_is_signed_but_not_greeted_and_a_digest_goes_as_written() -> None:
    reply = Notice("Re: besoin", "Besoin enregistré pour Caudan : 1 podium.")
    text, html = by_mail(stored(reply, Channel.EMAIL, in_reply_to=4))
    assert text.startswith("Besoin enregistré") and "l'outil de mutualisation" in text
    assert html is None
    digest = Notice("Rapprochements", "le texte", html="<h1>Rapprochements</h1>", brief="• 1")
    assert by_mail(stored(digest, Channel.EMAIL)) == ("le texte", "<h1>Rapprochements</h1>")
    assert in_chat(Notice.of(stored(digest, Channel.TELEGRAM))) == (
        "<b>Rapprochements</b>\n• 1",
        None,
    )


def test_an_action_this_version_does_not_know_is_left_out() -> None:
    message = stored(PROPOSAL, Channel.TELEGRAM)
    message.actions = [{"kind": "vote", "target": 1}, *(message.actions or [])]
    assert Notice.of(message).actions == PROPOSAL.actions
