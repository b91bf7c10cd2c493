"""Notices by mail: the core's neutral notice as a text mail with its HTML alternative,
greeted and signed, saying how to answer by reply where a chat shows buttons."""

from __future__ import annotations

import html

from handlers import replies
from handlers.notices import IN_WRITING, Notice
from storage.models import OutboxMessage


def render(message: OutboxMessage) -> tuple[str, str | None]:
    """The text and HTML of an outbox message's mail."""
    notice = Notice.of(message)
    if notice.html is not None:  # a whole document (a digest), as its template wrote it
        return notice.text, notice.html
    hints = [IN_WRITING[a.kind] for a in notice.actions if a.kind in IN_WRITING]
    if message.in_reply_to is not None:  # the answer to a mail, in its thread
        return "\n\n".join([notice.text, *hints]) + f"\n\n-- \n{replies.REPLY_SIGNATURE}", None
    paragraphs = [replies.GREETING, notice.text, *hints]
    text = "\n\n".join(paragraphs) + f"\n\n-- \n{replies.SIGNATURE}"
    marked = "".join(f"<p>{_lines(p)}</p>" for p in "\n\n".join(paragraphs).split("\n\n"))
    return text, f"{marked}<p>— {html.escape(replies.SIGNATURE)}</p>"


def _lines(paragraph: str) -> str:
    return "<br>".join(html.escape(line) for line in paragraph.splitlines())
