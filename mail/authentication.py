"""Who really wrote an email: the verdict the territory's mail server wrote in
Authentication-Results (RFC 8601), read for the exact domain of the From address.

Anyone can write such a header in the mail they send, so only those of the configured
authserv-ids count (the mail server must remove the copies a sender wrote: RFC 8601 §5,
and docs/deploy.md). A commune is spoken for only by a *positive, aligned* verdict: DMARC
pass for the From domain, or SPF or DKIM pass for that very domain. "none", "neutral",
errors, a pass for another domain, or no verdict at all authenticate nobody.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass

# What one header may hold before it is not read at all: real ones are a few hundred bytes.
MAX_HEADER = 8_000
# A word: anything but spaces, comments, quotes and the separators (an IPv6 address or a
# bracketed one is one word, as the value of a property it is never looked at).
_WORD = re.compile(r"[^\s()\";=./@]+")
_PASS = "pass"
# Results that say the domain did not send the mail (as opposed to "could not tell").
_FAIL = frozenset({"fail", "softfail", "reject", "quarantine"})


@dataclass(frozen=True)
class Result:
    """One method's result in an Authentication-Results header: `dmarc=pass
    header.from=lorient.bzh` is Result("dmarc", "pass", {"header.from": "lorient.bzh"})."""

    method: str
    result: str
    properties: dict[str, str]


@dataclass(frozen=True)
class Verdict:
    """Whether the From address is authenticated, and the sentence that says why."""

    authenticated: bool
    reason: str


class _Unreadable(ValueError):
    pass


def _lexemes(text: str) -> Iterator[str]:
    """The header's words, comments (nested) dropped; the separators ";", "=", ".", "/" and
    "@" as words of their own; a quoted string as its content after a '"', so that a quoted
    "=" is never taken for a separator."""
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char.isspace():
            i += 1
        elif char == "(":
            depth = 0
            while i < n:
                if text[i] == "\\":
                    i += 1
                elif text[i] == "(":
                    depth += 1
                elif text[i] == ")":
                    depth -= 1
                    if depth == 0:
                        break
                i += 1
            if depth:
                raise _Unreadable("unclosed comment")
            i += 1
        elif char == '"':
            end, value = i + 1, []
            while end < n and text[end] != '"':
                if text[end] == "\\":
                    end += 1
                value.append(text[end : end + 1])
                end += 1
            if end >= n:
                raise _Unreadable("unclosed quoted string")
            yield '"' + "".join(value)
            i = end + 1
        elif char in ";=./@":
            yield char
            i += 1
        else:
            match = _WORD.match(text, i)
            assert match is not None  # every other character starts a word
            yield match.group()
            i = match.end()


def parse(header: str) -> tuple[str, list[Result]]:
    """The authserv-id (lowercased) and the results of one Authentication-Results value;
    ValueError when it does not follow RFC 8601."""
    if len(header) > MAX_HEADER:
        raise _Unreadable("header too long")
    words = list(_lexemes(header))
    clauses: list[list[str]] = [[]]
    for word in words:
        if word == ";":
            clauses.append([])
        else:
            clauses[-1].append(word)
    head, *rest = clauses
    authserv = _joined(head, stop_at_version=True)
    if not authserv:
        raise _Unreadable("no authserv-id")
    if len(rest) == 1 and [w.lower() for w in rest[0]] == ["none"]:
        return authserv.lower(), []
    return authserv.lower(), [_result(clause) for clause in rest if clause]


def _joined(words: list[str], stop_at_version: bool = False) -> str:
    """A dotted name given as words ("mx", ".", "lorient", ".", "bzh"); a version number
    after the authserv-id ends it."""
    name = ""
    for index, word in enumerate(words):
        if stop_at_version and index and word.isdigit() and name and name[-1] != ".":
            break
        name += word
    return name


def _result(clause: list[str]) -> Result:
    # method [ "/" version ] "=" result [ reason ] *( ptype "." property "=" value ), where
    # a value such as "bounce@lorient.bzh" comes as several words.
    if len(clause) < 3 or "=" not in clause:
        raise _Unreadable("a result without its value")
    equals = clause.index("=")
    if equals + 1 >= len(clause) or clause[1] not in ("=", "/"):
        raise _Unreadable("a result without its value")
    method, result, rest = clause[0].lower(), clause[equals + 1].lower(), clause[equals + 2 :]
    if method.startswith('"') or result.startswith('"'):
        raise _Unreadable("a quoted method or result")
    starts = [i for i in range(len(rest) - 3) if rest[i + 1] == "." and rest[i + 3] == "="]
    properties: dict[str, str] = {}
    for index, start in enumerate(starts):
        end = starts[index + 1] if index + 1 < len(starts) else len(rest)
        key = f"{rest[start].lower()}.{rest[start + 2].lower()}"
        properties.setdefault(key, "".join(w.removeprefix('"') for w in rest[start + 4 : end]))
    return Result(method, result, properties)


def _domain_of(value: str) -> str:
    return value.rpartition("@")[2].strip().rstrip(".").lower()


def _about(result: Result, domain: str) -> bool:
    """Whether the result is about the From domain itself (strict alignment)."""
    if result.method == "dmarc":
        return _domain_of(result.properties.get("header.from", "")) == domain
    if result.method == "spf":
        # smtp.helo alone authenticates a host name, not the From domain.
        return _domain_of(result.properties.get("smtp.mailfrom", "")) == domain
    if result.method == "dkim":
        signer = result.properties.get("header.d") or result.properties.get("header.i", "")
        return _domain_of(signer) == domain
    return False


def verdict(headers: Iterable[str], trusted: Collection[str], sender: str) -> Verdict:
    """Whether a trusted server authenticated the sender's domain, aligned with the From
    address; every trusted header must agree, and one unreadable spoils them all."""
    domain = _domain_of(sender) if "@" in sender else ""
    if not domain:
        return Verdict(False, "pas d'adresse d'expéditeur lisible")
    if not trusted:
        return Verdict(False, "aucun serveur d'authentification de confiance configuré")
    results: list[tuple[str, Result]] = []
    for header in headers:
        try:
            authserv, found = parse(header)
        except ValueError:
            if _authserv_guess(header) in trusted:
                return Verdict(False, "en-tête Authentication-Results de confiance illisible")
            continue
        if authserv in trusted:
            results += [(authserv, r) for r in found if r.method in ("dmarc", "spf", "dkim")]
    aligned = [(a, r) for a, r in results if _about(r, domain)]
    # A trusted "fail" for the domain wins over any "pass": two servers disagreeing, or a
    # forged header the mail server did not remove, authenticate nobody.
    failed = [(a, r) for a, r in aligned if r.result in _FAIL]
    if failed:
        authserv, result = failed[0]
        return Verdict(False, f"{result.method}={result.result} pour {domain} selon {authserv}")
    for method in ("dmarc", "dkim", "spf"):
        passed = [a for a, r in aligned if r.method == method and r.result == _PASS]
        if passed:
            return Verdict(True, f"{method}=pass pour {domain} selon {passed[0]}")
    if results:
        said = ", ".join(sorted({f"{r.method}={r.result}" for _, r in results}))
        return Verdict(False, f"aucun verdict positif aligné sur {domain} ({said})")
    return Verdict(False, f"aucun verdict d'authentification pour {domain}")


def _authserv_guess(header: str) -> str:
    """The first word of a header that could not be parsed, to know whose it claims to be."""
    return re.split(r"[\s;(]", header.strip(), maxsplit=1)[0].lower()
