"""Telegram's length limit: long texts leave in several messages, cut between paragraphs."""

from __future__ import annotations

LIMIT = 4096


def split(text: str, limit: int = LIMIT) -> list[str]:
    """Pieces of at most `limit` characters, cut at paragraph boundaries, else at line
    ends, else (one enormous line) anywhere."""
    pieces: list[str] = []
    current = ""
    for paragraph in text.split("\n\n"):
        candidate = f"{current}\n\n{paragraph}" if current else paragraph
        if len(candidate) <= limit:
            current = candidate
            continue
        if current:
            pieces.append(current)
        current = ""
        for line in _lines(paragraph, limit):
            candidate = f"{current}\n{line}" if current else line
            if len(candidate) <= limit:
                current = candidate
            else:
                pieces.append(current)
                current = line
    if current or not pieces:
        pieces.append(current)
    return pieces


def _lines(paragraph: str, limit: int) -> list[str]:
    lines: list[str] = []
    for line in paragraph.split("\n"):
        lines += [line[i : i + limit] for i in range(0, len(line), limit)] or [""]
    return lines
