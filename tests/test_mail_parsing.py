"""Emails as real clients send them, and CPython's corpus of odd and broken ones."""

from __future__ import annotations

from email.header import Header
from email.message import EmailMessage
from pathlib import Path

import pytest

from mail.parsing import html_to_text, parse_mail

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "email-cpython"


def corpus_files() -> list[Path]:
    return sorted(CORPUS.glob("msg_*.txt")) if CORPUS.exists() else []


@pytest.mark.skipif(
    not corpus_files(), reason="../shared/corpora/email-cpython is not beside this checkout"
)
@pytest.mark.parametrize("path", corpus_files(), ids=lambda p: p.name)
def test_every_message_of_the_corpus_is_read_without_error(path: Path) -> None:
    parsed = parse_mail(path.read_bytes())
    assert parsed.message_id
    assert isinstance(parsed.body, str)


@pytest.mark.skipif(
    not corpus_files(), reason="../shared/corpora/email-cpython is not beside this checkout"
)
def test_corpus_specifics() -> None:
    first = parse_mail((CORPUS / "msg_01.txt").read_bytes())
    assert first.subject == "This is a test message" and first.sender
    for bounce in ("msg_05.txt", "msg_16.txt", "msg_25.txt"):
        assert parse_mail((CORPUS / bounce).read_bytes()).automatic, bounce
    crlf = parse_mail((CORPUS / "msg_26.txt").read_bytes())
    assert "\r" not in crlf.body


def mail(
    body: str, charset: str = "utf-8", encoding: str = "quoted-printable", **headers: str
) -> bytes:
    message = EmailMessage()
    message["From"] = headers.pop("From", "Services techniques <st@caudan.fr>")
    message["To"] = "besoins@mutualise.example"
    message["Subject"] = headers.pop("Subject", "Demande de matériel")
    message["Message-ID"] = headers.pop("Message_ID", "<abc@caudan.fr>")
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(body, charset=charset, cte=encoding)
    return message.as_bytes()


@pytest.mark.parametrize(
    ("charset", "encoding"),
    [("utf-8", "quoted-printable"), ("utf-8", "base64"), ("iso-8859-1", "quoted-printable"),
     ("windows-1252", "base64"), ("utf-8", "8bit")],
)  # fmt: skip
def test_charsets_and_transfer_encodings(charset: str, encoding: str) -> None:
    parsed = parse_mail(
        mail("Il nous faudrait 200 ganivelles pour la fête, à Quéven.", charset, encoding)
    )
    assert "200 ganivelles pour la fête, à Quéven." in parsed.body
    assert (parsed.sender, parsed.message_id) == ("st@caudan.fr", "abc@caudan.fr")


def test_encoded_subject_is_read_with_the_body() -> None:
    subject = Header("Tr: Besoin de barnums pour la fête", "utf-8").encode()
    parsed = parse_mail(mail("pour le 14/07", Subject=subject))
    assert parsed.subject == "Tr: Besoin de barnums pour la fête"
    assert parsed.text.startswith("Besoin de barnums pour la fête\n\npour le 14/07")


def test_html_only_mail_becomes_text() -> None:
    message = EmailMessage()
    message["From"] = "mairie@groix.fr"
    message["Subject"] = "Demande"
    message.set_content(
        "<html><head><style>p{}</style></head><body><p>Bonjour,</p><p>Il nous faudrait"
        " <b>3&nbsp;barnums</b> le 3 mai.</p><script>x()</script></body></html>",
        subtype="html",
    )
    parsed = parse_mail(message.as_bytes())
    assert parsed.body == "Bonjour,\n\nIl nous faudrait 3 barnums le 3 mai."


def test_attachments_are_listed_and_not_read() -> None:
    message = EmailMessage()
    message["From"] = "mairie@groix.fr"
    message.set_content("Voir le devis joint.")
    message.add_attachment(
        b"%PDF-1.4 fake", maintype="application", subtype="pdf", filename="devis.pdf"
    )
    message.add_attachment("50 barnums", filename="liste.txt")
    parsed = parse_mail(message.as_bytes())
    assert parsed.body == "Voir le devis joint."
    assert parsed.attachments == ["devis.pdf", "liste.txt"]


@pytest.mark.parametrize(
    ("headers", "envelope", "reason"),
    [
        ({"Auto_Submitted": "auto-replied"}, None, "Auto-Submitted"),
        ({"Precedence": "bulk"}, None, "Precedence"),
        ({"List_Id": "<annonces.lorient.bzh>"}, None, "liste"),
        ({}, "<>", "expéditeur nul"),
        ({"Subject": "Réponse automatique : absence"}, None, "objet"),
        ({"From": "MAILER-DAEMON@caudan.fr"}, None, "adresse automatique"),
    ],
)
def test_automatic_mail_is_recognised(
    headers: dict[str, str], envelope: str | None, reason: str
) -> None:
    assert reason in (parse_mail(mail("texte", **headers), envelope).automatic or "")


def test_a_person_writing_is_not_automatic() -> None:
    assert parse_mail(mail("Besoin de 3 tables"), "st@caudan.fr").automatic is None


def test_threading_and_authentication_headers() -> None:
    parsed = parse_mail(
        mail("ok", In_Reply_To="<r1@mutualise>", References="<r0@mutualise> <r1@mutualise>",
             Authentication_Results="mx.lorient.bzh; dmarc=pass header.from=caudan.fr")
    )  # fmt: skip
    assert parsed.in_reply_to == "r1@mutualise"
    assert parsed.references == ["r0@mutualise", "r1@mutualise"]
    assert parsed.authentication == ["mx.lorient.bzh; dmarc=pass header.from=caudan.fr"]


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"\xff\xfe\x00garbage",
        b"From: x\n\n" + b"a" * 100_000,
        b'Content-Type: multipart/mixed; boundary="x"\n\n--x\n',
    ],
)
def test_broken_input_never_raises(raw: bytes) -> None:
    parsed = parse_mail(raw)
    assert parsed.message_id.startswith("sans-id-")


def test_html_to_text_keeps_lines() -> None:
    assert html_to_text("<div>a</div><div>b<br>c</div>") == "a\n\nb\nc"
