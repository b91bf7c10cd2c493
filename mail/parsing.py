"""Reading an email as it arrives: every charset and encoding real clients send, the text
to read (plain preferred, HTML turned into text), attachments listed, automatic mail
recognised. Never raises: a message too broken to parse still yields its raw text."""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage, Message
from email.utils import parseaddr
from html.parser import HTMLParser

log = logging.getLogger("mutualise.mail")

# Subjects of replies written by machines, in French and English.
_AUTOMATIC_SUBJECT = re.compile(
    r"^\s*(?:r[ée]ponse automatique|absence|absent|out of office|automatic reply|auto[- ]?reply"
    r"|undeliverable|delivery status notification|non remis|mail delivery failed"
    r"|returned mail)",
    re.IGNORECASE,
)
_BLOCKS = {"p", "br", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol"}


@dataclass(frozen=True)
class ParsedMail:
    """What mutualise needs of an email."""

    message_id: str
    sender: str
    subject: str
    body: str
    attachments: list[str] = field(default_factory=list)
    automatic: str | None = None  # why the mail is automatic, if it is
    in_reply_to: str | None = None
    references: list[str] = field(default_factory=list)
    authentication: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        """What the reading reads: the subject, then the body."""
        subject = re.sub(r"^\s*(?:(?:re|tr|fw|fwd)\s*:\s*)+", "", self.subject, flags=re.I)
        return f"{subject}\n\n{self.body}" if subject else self.body


class _TextOfHtml(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "head"):
            self._skip += 1
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "head"):
            self._skip = max(0, self._skip - 1)
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    """The readable text of an HTML body, one line per block."""
    parser = _TextOfHtml()
    try:
        parser.feed(html)
        parser.close()
    except Exception:  # HTMLParser copes with most; a broken tail loses nothing worth having
        log.debug("HTML body only partly read", exc_info=True)
    lines = (" ".join(line.split()) for line in "".join(parser.parts).splitlines())
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def _decoded(part: Message) -> str:
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return str(part.get_payload() or "")
    declared = part.get_content_charset()
    for charset in (declared, "utf-8", "windows-1252"):
        if not charset:
            continue
        try:
            return payload.decode(charset)
        except (LookupError, UnicodeDecodeError):
            continue
    return payload.decode("latin-1")


def _is_attachment(part: Message) -> bool:
    disposition = (part.get("Content-Disposition") or "").lower()
    return disposition.startswith("attachment") or bool(part.get_filename())


def _body(message: Message) -> tuple[str, list[str]]:
    plain: list[str] = []
    html: list[str] = []
    attachments: list[str] = []
    for part in message.walk():
        if part.is_multipart():
            continue
        kind = part.get_content_type()
        if _is_attachment(part) or kind.startswith("message/"):
            attachments.append(part.get_filename() or kind)
        elif kind == "text/plain":
            plain.append(_decoded(part))
        elif kind == "text/html":
            html.append(html_to_text(_decoded(part)))
        elif not kind.startswith("text/"):
            attachments.append(part.get_filename() or kind)
    body = "\n\n".join(plain) if plain else "\n\n".join(html)
    return body.replace("\r\n", "\n").strip(), attachments


def _automatic(message: Message, sender: str, envelope: str | None) -> str | None:
    auto = (message.get("Auto-Submitted") or "").strip().lower()
    if auto and auto != "no":
        return f"Auto-Submitted: {auto}"
    precedence = (message.get("Precedence") or "").strip().lower()
    if precedence in ("bulk", "list", "junk", "auto_reply"):
        return f"Precedence: {precedence}"
    if message.get("List-Id") or message.get("List-Unsubscribe"):
        return "liste de diffusion"
    if any(message.get(h) for h in ("X-Autoreply", "X-Autorespond", "X-Auto-Response-Suppress")):
        return "réponse automatique déclarée"
    if envelope is not None and envelope.strip() in ("", "<>"):
        return "expéditeur nul (retour d'erreur)"
    if message.get_content_type() == "multipart/report":
        return "rapport de remise"
    local = sender.partition("@")[0]
    if local in ("mailer-daemon", "postmaster", "no-reply", "noreply", "ne-pas-repondre"):
        return f"adresse automatique ({local})"
    if _AUTOMATIC_SUBJECT.match(str(message.get("Subject") or "")):
        return "objet de réponse automatique"
    return None


def _ids(value: str | None) -> list[str]:
    return re.findall(r"<([^<>\s]+)>", value or "")


def parse_mail(raw: bytes, envelope_from: str | None = None) -> ParsedMail:
    """An email, parsed from its bytes; `envelope_from` is the SMTP MAIL FROM, if known."""
    try:
        message: Message = message_from_bytes(raw, policy=policy.default)
        sender = parseaddr(str(message.get("From") or ""))[1].strip().lower()
        subject = " ".join(str(message.get("Subject") or "").split())
        body, attachments = _body(message)
    except Exception:
        log.warning("unparseable email, read as plain text", exc_info=True)
        message = EmailMessage()
        sender, subject, attachments = "", "", []
        body = raw.decode("utf-8", errors="replace")
    if not sender and envelope_from:
        sender = envelope_from.strip().strip("<>").lower()
    ids = _ids(str(message.get("Message-ID") or ""))
    message_id = ids[0] if ids else "sans-id-" + hashlib.sha256(raw).hexdigest()[:32]
    return ParsedMail(
        message_id=message_id,
        sender=sender,
        subject=subject,
        body=body,
        attachments=attachments,
        automatic=_automatic(message, sender, envelope_from),
        in_reply_to=next(iter(_ids(str(message.get("In-Reply-To") or ""))), None),
        references=_ids(str(message.get("References") or "")),
        authentication=[str(v) for v in message.get_all("Authentication-Results") or []],
    )
