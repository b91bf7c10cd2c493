"""Spoofing: the verdict the territory's mail server wrote in Authentication-Results.

Only headers written by a trusted server count (its authserv-id is configured): anyone can
write such a header in the mail they send.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_RESULT = re.compile(r"\b(dmarc|spf|dkim)\s*=\s*([a-z]+)", re.IGNORECASE)
_FROM_DOMAIN = re.compile(r"header\.from\s*=\s*([^\s;]+)", re.IGNORECASE)
_MAIL_FROM = re.compile(r"smtp\.mailfrom\s*=\s*([^\s;]+)", re.IGNORECASE)


def spoofing(headers: Iterable[str], trusted: set[str], sender: str) -> str | None:
    """Why this mail must be held, when a trusted server saw DMARC or SPF fail for the
    sender's domain; None otherwise."""
    domain = sender.rpartition("@")[2].lower()
    for header in headers:
        authserv, _, results = header.partition(";")
        if authserv.strip().split()[0:1] and authserv.strip().split()[0].lower() not in trusted:
            continue
        for clause in results.split(";"):
            match = _RESULT.search(clause)
            if match is None:
                continue
            method, result = match.group(1).lower(), match.group(2).lower()
            if method == "dkim" or result not in ("fail", "softfail"):
                continue
            said = _FROM_DOMAIN.search(clause) or _MAIL_FROM.search(clause)
            about = said.group(1).rpartition("@")[2].lower() if said else domain
            if about == domain or about.endswith("." + domain):
                return f"{method}={result} pour {domain} selon {authserv.strip()}"
    return None
