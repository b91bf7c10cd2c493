"""Reading an email as it arrives: every charset and encoding real clients send, the text
to read (plain preferred, HTML turned into text), attachments listed, automatic mail
recognised.

Hostile mail is the rule here, not the exception. The headers are read apart from the
body, so a body that breaks the parser keeps its headers; the From field is read strictly
(one mailbox, no defect), since it names who speaks; parts and nesting are capped while the
parser runs, and the text read is bounded. Never raises: what cannot be read is marked
`broken`, and is quarantined by the server, never read under another identity.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage, Message
from email.parser import BytesParser
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
# Bounds no town hall's mail comes near; past them the mail is not read, but quarantined.
MAX_HEADERS = 256 * 1024  # bytes of the header block
MAX_FIELD = 32 * 1024  # characters of one header field
MAX_PARTS = 100
MAX_DEPTH = 10
# What is read of the text: beyond, a message is cut (and says so) rather than read whole.
MAX_TEXT = 20_000
MAX_HTML = 1_000_000  # characters of one HTML part handed to the HTML parser
MAX_SUBJECT = 250
_ID = re.compile(r"<([^<>\s]{1,250})>")
_DOMAIN = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,62}\.)+[a-z0-9-]{2,63}")
_LOCAL = re.compile(r"[a-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}")


class UnreadableError(ValueError):
    """The mail cannot be read safely; the message says what, in French."""


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
    # Why the mail could not be read (it is then quarantined), if it could not.
    broken: str | None = None
    # What the mail says, hashed: one Message-ID reused for another content is another mail.
    digest: str = ""
    # The envelope recipient the server wrote above the mail (Delivered-To), if any.
    delivered_to: str | None = None

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
            attachments.append(_one_line(part.get_filename() or kind)[:200])
        elif kind == "text/plain":
            plain.append(_decoded(part)[:MAX_TEXT])
        elif kind == "text/html":
            html.append(html_to_text(_decoded(part)[:MAX_HTML])[:MAX_TEXT])
        elif not kind.startswith("text/"):
            attachments.append(_one_line(part.get_filename() or kind)[:200])
    body = "\n\n".join(plain) if plain else "\n\n".join(html)
    body = body.replace("\r\n", "\n").replace("\x00", "").strip()
    if len(body) > MAX_TEXT:
        body = body[:MAX_TEXT] + "\n[…]"
    return body, attachments


def _automatic(fields: _Fields, sender: str, envelope: str | None, kind: str) -> str | None:
    auto = fields.first("auto-submitted").strip().lower()
    if auto and auto != "no":
        return f"Auto-Submitted: {auto[:40]}"
    precedence = fields.first("precedence").strip().lower()
    if precedence in ("bulk", "list", "junk", "auto_reply"):
        return f"Precedence: {precedence}"
    if fields.first("list-id") or fields.first("list-unsubscribe"):
        return "liste de diffusion"
    if any(fields.first(h) for h in ("x-autoreply", "x-autorespond", "x-auto-response-suppress")):
        return "réponse automatique déclarée"
    if envelope is not None and envelope.strip() in ("", "<>"):
        return "expéditeur nul (retour d'erreur)"
    if kind == "multipart/report":
        return "rapport de remise"
    local = sender.partition("@")[0]
    if local in ("mailer-daemon", "postmaster", "no-reply", "noreply", "ne-pas-repondre"):
        return f"adresse automatique ({local})"
    if _AUTOMATIC_SUBJECT.match(fields.decoded("subject")):
        return "objet de réponse automatique"
    return None


def _one_line(value: str) -> str:
    return " ".join(value.split())


class _Fields:
    """The header fields of a mail, as written (unfolded, undecoded), by lowercase name."""

    def __init__(self, head: bytes) -> None:
        if len(head) > MAX_HEADERS:
            msg = f"en-têtes trop longs ({len(head)} octets)"
            raise UnreadableError(msg)
        message = BytesParser(policy=policy.compat32).parsebytes(head, headersonly=True)
        if message.defects:  # a line that is no header field, before the empty line
            msg = f"en-têtes malformés ({type(message.defects[0]).__name__})"
            raise UnreadableError(msg)
        self.values: dict[str, list[str]] = {}
        for name, value in message.raw_items():
            text = str(value)
            if len(text) > MAX_FIELD:
                msg = f"champ {_one_line(name)[:40]} trop long"
                raise UnreadableError(msg)
            unfolded = re.sub(r"\r?\n[ \t]", " ", text).replace("\r", " ").replace("\n", " ")
            self.values.setdefault(name.strip().lower(), []).append(unfolded)

    def first(self, name: str) -> str:
        return next(iter(self.values.get(name, [])), "")

    def decoded(self, name: str) -> str:
        """A text field decoded (RFC 2047), on one line; empty when it cannot be."""
        value = self.first(name)
        try:
            return _one_line(str(policy.default.header_factory(name, value)))
        except Exception:  # a broken encoded word loses the field, not the mail
            return _one_line(value)


def sender_of(fields: _Fields) -> str:
    """The one mailbox of the From field, lowercased; UnreadableError for anything else:
    no From, several, a group, a defect (an unquoted display name holding an address), an
    encoded line break, a domain that is not a plain host name."""
    values = fields.values.get("from", [])
    if len(values) != 1:
        msg = "aucun champ From" if not values else "plusieurs champs From"
        raise UnreadableError(msg)
    try:
        header = policy.default.header_factory("from", values[0])
        addresses = header.addresses
        defects = header.defects
    except Exception as exc:
        msg = f"champ From illisible ({type(exc).__name__})"
        raise UnreadableError(msg) from exc
    if defects or len(addresses) != 1 or len(header.groups) != 1 or header.groups[0].display_name:
        msg = "champ From ambigu (défaut, groupe ou plusieurs adresses)"
        raise UnreadableError(msg)
    local, domain = addresses[0].username.lower(), addresses[0].domain.lower()
    if not _LOCAL.fullmatch(local) or not _DOMAIN.fullmatch(domain) or len(domain) > 253:
        msg = "adresse From invalide"
        raise UnreadableError(msg)
    return f"{local}@{domain}"


def _ids(value: str) -> list[str]:
    return _ID.findall(value)[:20]


def _counting_policy() -> policy.Policy:
    """policy.default whose message factory stops the parser past MAX_PARTS parts: a mail
    of a million empty parts is refused after a hundred, not parsed for minutes."""
    count = 0

    def factory(policy: policy.Policy) -> EmailMessage:
        nonlocal count
        count += 1
        if count > MAX_PARTS:
            msg = f"plus de {MAX_PARTS} parties"
            raise UnreadableError(msg)
        return EmailMessage(policy=policy)

    return policy.default.clone(message_factory=factory)


def _depth(message: Message, limit: int = MAX_DEPTH) -> int:
    if limit < 0 or not message.is_multipart():
        return 0
    parts = message.get_payload()
    return 1 + max((_depth(p, limit - 1) for p in parts if isinstance(p, Message)), default=0)


def _split(raw: bytes) -> tuple[bytes, bytes]:
    """The header block and the body, at the first empty line."""
    match = re.search(rb"\r?\n\r?\n", raw)
    if match is None:
        return raw, b""
    return raw[: match.start()], raw[match.end() :]


def parse_mail(raw: bytes, envelope_from: str | None = None) -> ParsedMail:
    """An email, parsed from its bytes; `envelope_from` is the SMTP MAIL FROM, if known.
    Never raises: a mail that cannot be read comes back `broken`, with nothing read as its
    sender (the envelope, chosen by whoever sends, never stands for the From field)."""
    head, _ = _split(raw)
    try:
        fields = _Fields(head + b"\r\n")
    except UnreadableError as exc:
        return unreadable(raw, str(exc))
    except Exception as exc:
        return unreadable(raw, f"en-têtes illisibles ({type(exc).__name__})")
    if envelope_from is None and "return-path" in fields.values:
        # The envelope sender the server wrote above the mail (the topmost is its own).
        envelope_from = fields.first("return-path").strip().strip("<>").strip()
    ids = _ids(fields.first("message-id"))
    message_id = ids[0] if ids else "sans-id-" + hashlib.sha256(raw).hexdigest()[:32]
    subject = fields.decoded("subject").replace("\x00", "")[:MAX_SUBJECT]
    threading = {
        "in_reply_to": next(iter(_ids(fields.first("in-reply-to"))), None),
        "references": _ids(fields.first("references")),
        "authentication": fields.values.get("authentication-results", [])[:20],
        "delivered_to": fields.first("delivered-to").strip()[:254] or None,
    }
    kind = fields.first("content-type").partition(";")[0].strip().lower()
    bounce = _automatic(fields, "", envelope_from, kind)
    try:
        sender = sender_of(fields)
    except UnreadableError as exc:
        if bounce is None:
            return unreadable(raw, str(exc), message_id, subject, **threading)  # type: ignore[arg-type]
        # A bounce or a robot's report: logged and ignored, whatever its From field says.
        return ParsedMail(message_id=message_id, sender="", subject=subject, body="",
                          attachments=[], automatic=bounce,
                          digest=hashlib.sha256(raw).hexdigest(), **threading)  # type: ignore[arg-type]  # fmt: skip
    try:
        message = BytesParser(policy=_counting_policy()).parsebytes(raw)
        if _depth(message) > MAX_DEPTH:
            msg = f"parties imbriquées sur plus de {MAX_DEPTH} niveaux"
            raise UnreadableError(msg)
        body, attachments = _body(message)
    except UnreadableError as exc:
        return unreadable(raw, str(exc), message_id, subject, **threading)  # type: ignore[arg-type]
    except (Exception, RecursionError) as exc:
        log.warning("unreadable email %s", message_id, exc_info=True)
        reason = f"structure illisible ({type(exc).__name__})"
        return unreadable(raw, reason, message_id, subject, **threading)  # type: ignore[arg-type]
    digest = hashlib.sha256(
        "\x00".join([sender, message_id, subject, body, *attachments]).encode(
            "utf-8", "surrogatepass"
        )
    ).hexdigest()
    return ParsedMail(
        message_id=message_id,
        sender=sender,
        subject=subject,
        body=body,
        attachments=attachments,
        automatic=_automatic(fields, sender, envelope_from, message.get_content_type()),
        digest=digest,
        **threading,  # type: ignore[arg-type]
    )


def unreadable(
    raw: bytes,
    reason: str,
    message_id: str | None = None,
    subject: str = "",
    in_reply_to: str | None = None,
    references: list[str] | None = None,
    authentication: list[str] | None = None,
    delivered_to: str | None = None,
) -> ParsedMail:
    """A mail that could not be read (quarantined): its raw bytes stand for its content."""
    digest = hashlib.sha256(raw).hexdigest()
    return ParsedMail(
        message_id=message_id or "sans-id-" + digest[:32],
        sender="",
        subject=subject,
        body="",
        in_reply_to=in_reply_to,
        references=references or [],
        authentication=authentication or [],
        delivered_to=delivered_to,
        broken=reason,
        digest=digest,
    )
