"""The bundled Word template of loan agreements, built from code so that its XML stays
small, readable and reviewed: A4 with 2.5 cm margins, French (fr-FR) as the language of
every style and run, docxtpl tags where the agreement's data goes.

`python -m handlers.agreement_template` rewrites `templates/convention.docx`; a test checks
that the bundled file is what this module builds.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from pathlib import Path
from xml.sax.saxutils import escape

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE = "http://schemas.openxmlformats.org/package/2006/relationships"
# A4 in twentieths of a point, 2.5 cm margins, so 16 cm of text across.
PAGE_WIDTH, PAGE_HEIGHT, MARGIN = 11906, 16838, 1418
TEXT_WIDTH = PAGE_WIDTH - 2 * MARGIN
LANG = '<w:lang w:val="fr-FR" w:eastAsia="fr-FR" w:bidi="ar-SA"/>'
FONT = '<w:rFonts w:ascii="Arial" w:hAnsi="Arial" w:cs="Arial" w:eastAsia="Arial"/>'
HEAD = "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"


def run(text: str, bold: bool = False, italic: bool = False) -> str:
    """One run of French text."""
    marks = ("<w:b/>" if bold else "") + ("<w:i/>" if italic else "")
    return f'<w:r><w:rPr>{marks}{LANG}</w:rPr><w:t xml:space="preserve">{escape(text)}</w:t></w:r>'


def para(text: str = "", style: str = "", align: str = "", bold: bool = False) -> str:
    """A paragraph of one run."""
    props = (f'<w:pStyle w:val="{style}"/>' if style else "") + (
        f'<w:jc w:val="{align}"/>' if align else ""
    )
    return f"<w:p><w:pPr>{props}</w:pPr>{run(text, bold) if text else ''}</w:p>"


def heading(text: str) -> str:
    """An article's title."""
    return para(text, "Heading1")


def tag(jinja: str) -> str:
    """A paragraph holding only a docxtpl block tag ({%p … %}), which docxtpl removes."""
    return para(f"{{%p {jinja} %}}")


def page_break() -> str:
    """Start the annex on a page of its own."""
    return '<w:p><w:r><w:br w:type="page"/></w:r></w:p>'


def cell(width: int, *paragraphs: str, shaded: bool = False) -> str:
    """A table cell of a given width holding paragraphs (at least an empty one)."""
    shade = '<w:shd w:val="clear" w:color="auto" w:fill="E7E6E6"/>' if shaded else ""
    body = "".join(paragraphs) or para()
    return f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>{shade}</w:tcPr>{body}</w:tc>'


def row(cells: Sequence[str], header: bool = False, height: int = 0) -> str:
    """A table row; a header row repeats on each page, a tall row leaves room to write."""
    props = ("<w:tblHeader/>" if header else "") + (
        f'<w:trHeight w:val="{height}" w:hRule="atLeast"/>' if height else ""
    )
    return f"<w:tr><w:trPr><w:cantSplit/>{props}</w:trPr>{''.join(cells)}</w:tr>"


def loop_rows(widths: Sequence[int], opening: str, body: str) -> str:
    """Rows repeated by docxtpl: `{%tr for … %}`, the row, `{%tr endfor %}`."""
    blank = [cell(w) for w in widths[1:]]
    first = row([cell(widths[0], para(f"{{%tr {opening} %}}")), *blank])
    last = row([cell(widths[0], para("{%tr endfor %}")), *blank])
    return first + body + last


def table(widths: Sequence[int], rows: str, borders: bool = True) -> str:
    """A table of fixed column widths."""
    style = "Grille" if borders else "SansBordure"
    grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in widths)
    return (
        f'<w:tbl><w:tblPr><w:tblStyle w:val="{style}"/><w:tblW w:w="{sum(widths)}" '
        'w:type="dxa"/><w:tblLayout w:type="fixed"/></w:tblPr>'
        f"<w:tblGrid>{grid}</w:tblGrid>{rows}</w:tbl>"
    )


def header_row(widths: Sequence[int], titles: Sequence[str]) -> str:
    """The shaded, repeated first row of a table."""
    return row(
        [
            cell(w, para(t, "Cellule", bold=True), shaded=True)
            for w, t in zip(widths, titles, strict=True)
        ],
        header=True,
    )


def text_row(widths: Sequence[int], texts: Sequence[str], height: int = 0) -> str:
    """A row of one paragraph per cell."""
    return row(
        [cell(w, para(t, "Cellule") if t else para()) for w, t in zip(widths, texts, strict=True)],
        height=height,
    )


def _parties() -> list[str]:
    return [
        heading("Entre les soussignées"),
        tag("for lender in lenders"),
        para(
            "La commune de {{ lender.name }} (code INSEE {{ lender.insee }}), "
            "{{ lender.represented }}, ci-après « le prêteur » ;"
        ),
        tag("endfor"),
        para(
            "Et la commune de {{ borrower.name }} (code INSEE {{ borrower.insee }}), "
            "{{ borrower.represented }}, ci-après « l'emprunteur »."
        ),
        para("Il a été convenu ce qui suit."),
    ]


def _equipment() -> list[str]:
    widths = (3400, 1200, 2070, 2400)
    body = text_row(
        widths, ("{{ line.item }}", "{{ line.quantity }}", "{{ line.lender }}", "{{ line.value }}")
    )
    return [
        heading("Article 1 — Objet"),
        para("{{ object }}"),
        table(
            widths,
            header_row(widths, ("Matériel", "Quantité", "Prêté par", "Valeur de remplacement"))
            + loop_rows(widths, "for line in lines", body),
        ),
    ]


def _dates() -> list[str]:
    return [
        heading("Article 2 — Durée, remise et restitution"),
        para(
            "Le matériel est prêté pour une utilisation {{ period }}. Il est remis à "
            "l'emprunteur le {{ pickup }} et restitué au prêteur le {{ return_day }}, jours "
            "ouvrés qui encadrent la période d'utilisation. {{ handover }}"
        ),
        para(
            "L'emprunteur n'utilise le matériel que pour l'objet de la présente convention ; "
            "il ne le prête ni ne le loue à un tiers. Toute prolongation fait l'objet d'un "
            "accord écrit préalable du prêteur."
        ),
        para(
            "Interlocuteurs pour la remise et la restitution : {% for party in signatories %}"
            "pour {{ party.name }}, {{ party.contact or blank }}{% if not loop.last %} ; "
            "{% endif %}{% endfor %}."
        ),
    ]


def _money() -> list[str]:
    widths = (2300, 4970, 1800)
    body = text_row(widths, ("{{ cost.lender }}", "{{ cost.basis }}", "{{ cost.amount }}"))
    total = row(
        [
            cell(widths[0], para("Total", "Cellule", bold=True)),
            cell(widths[1]),
            cell(widths[2], para("{{ total }}", "Cellule", bold=True)),
        ]
    )
    return [
        heading("Article 3 — Conditions financières"),
        para("{{ cost }}"),
        tag("if not free"),
        table(
            widths,
            header_row(widths, ("Prêteur", "Base de calcul", "Montant"))
            + loop_rows(widths, "for cost in costs", body)
            + total,
        ),
        tag("endif"),
        para("{{ deposit }}"),
    ]


def _clauses() -> list[str]:
    return [
        heading("Article 4 — Transport"),
        para("{{ transport }}"),
        heading("Article 5 — État des lieux contradictoire"),
        para("{{ inventory }}"),
        heading("Article 6 — Dégradation, perte ou vol"),
        para("{{ damage }}"),
        heading("Article 7 — Assurance"),
        para("{{ insurance }}"),
        heading("Article 8 — Durée de la convention"),
        para(
            "La présente convention prend effet à sa signature par les parties. Elle prend fin "
            "à la restitution du matériel et au règlement des sommes éventuellement dues."
        ),
        heading("Article 9 — Litiges"),
        para(
            "Les parties recherchent un règlement amiable de tout différend né de la présente "
            "convention. À défaut, le litige est porté devant le {{ court }}."
        ),
    ]


def _signature_block(who: str) -> list[str]:
    return [
        para(f"Pour la commune de {{{{ {who}.name }}}},", "Cellule", bold=True),
        para(f"{{{{ {who}.signatory }}}}", "Cellule"),
        para("Nom : {{ blank }}", "Cellule"),
        para("Signature et cachet :", "Cellule"),
    ]


def _signatures() -> list[str]:
    half = TEXT_WIDTH // 2
    # Two parties a row, side by side; the second cell stays empty when a row has one.
    first = cell(half, *_signature_block("pair[0]"))
    second = cell(
        half,
        tag("if pair|length == 2"),
        *_signature_block("pair[1]"),
        tag("endif"),
        para(),
    )
    return [
        para(
            "Fait en {{ copies }} exemplaires originaux, à {{ blank }}, le {{ blank }}",
            "Signatures",
        ),
        table(
            (half, half),
            loop_rows(
                (half, half), "for pair in signature_rows", row([first, second], height=2600)
            ),
            borders=False,
        ),
    ]


def _annex() -> list[str]:
    widths = (2870, 1150, 2000, 1150, 1900)
    titles = (
        "Matériel",
        "Quantité prêtée",
        "État à la remise",
        "Quantité rendue",
        "État au retour",
    )
    line = text_row(
        widths, ("{{ line.item }} ({{ line.lender }})", "{{ line.quantity }}", "", "", "")
    )
    spare = text_row(widths, ("Accessoires : ", "", "", "", ""), height=500)
    observations = text_row(
        (TEXT_WIDTH,), ("Observations et réserves (dégradations, manques, nettoyage) :",), 1400
    )
    sign = (3070, 3000, 3000)
    visas = (
        header_row(sign, ("", "À la remise", "À la restitution"))
        + text_row(sign, ("Date et heure", "le {{ short }} à …… h ……", "le {{ short }} à …… h ……"))
        + text_row(sign, ("Pour le prêteur : nom et signature", "", ""), height=1100)
        + text_row(sign, ("Pour l'emprunteur : nom et signature", "", ""), height=1100)
    )
    return [
        page_break(),
        para("Annexe — État des lieux contradictoire", "Title"),
        para(
            "Convention n° {{ number }} du {{ dated }} : prêt à la commune de "
            "{{ borrower.name }}, utilisation {{ period }} ; remise le {{ pickup }}, "
            "restitution le {{ return_day }}.",
            align="center",
        ),
        table(
            widths,
            header_row(widths, titles) + loop_rows(widths, "for line in lines", line) + spare,
        ),
        table((TEXT_WIDTH,), observations),
        table(sign, visas),
    ]


def document() -> str:
    """word/document.xml."""
    body = [
        para("Convention de prêt de matériel entre communes", "Title"),
        para("Convention n° {{ number }} du {{ dated }}", align="center", bold=True),
        para(
            "{% if territory %}{{ territory }} — {% endif %}Prêt {{ period }}"
            "{% if event %} — {{ event }}{% endif %}",
            align="center",
        ),
        *_parties(),
        *_equipment(),
        *_dates(),
        *_money(),
        *_clauses(),
        *_signatures(),
        *_annex(),
    ]
    section = (
        f'<w:sectPr><w:footerReference w:type="default" r:id="rIdFooter"/>'
        f'<w:pgSz w:w="{PAGE_WIDTH}" w:h="{PAGE_HEIGHT}"/>'
        f'<w:pgMar w:top="{MARGIN}" w:right="{MARGIN}" w:bottom="{MARGIN}" w:left="{MARGIN}" '
        'w:header="709" w:footer="709" w:gutter="0"/></w:sectPr>'
    )
    namespaces = f'xmlns:w="{W}" xmlns:r="{R}"'
    return f"{HEAD}<w:document {namespaces}><w:body>{''.join(body)}{section}</w:body></w:document>"


def styles() -> str:
    """word/styles.xml: French by default, Arial 10.5 pt, justified body text."""
    defaults = (
        f"<w:docDefaults><w:rPrDefault><w:rPr>{FONT}"
        f'<w:sz w:val="21"/><w:szCs w:val="21"/>{LANG}</w:rPr></w:rPrDefault>'
        '<w:pPrDefault><w:pPr><w:spacing w:after="120" w:line="264" w:lineRule="auto"/>'
        "</w:pPr></w:pPrDefault></w:docDefaults>"
    )
    normal = (
        '<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/>'
        f'<w:qFormat/><w:pPr><w:jc w:val="both"/></w:pPr><w:rPr>{LANG}</w:rPr></w:style>'
    )
    title = _paragraph_style(
        "Title", "Title", '<w:spacing w:after="240"/><w:jc w:val="center"/>',
        '<w:b/><w:caps/><w:sz w:val="28"/><w:szCs w:val="28"/>',
    )  # fmt: skip
    heading1 = _paragraph_style(
        "Heading1", "heading 1",
        '<w:keepNext/><w:spacing w:before="240" w:after="80"/><w:jc w:val="left"/>'
        '<w:outlineLvl w:val="0"/>',
        '<w:b/><w:sz w:val="22"/><w:szCs w:val="22"/>',
    )  # fmt: skip
    small = _paragraph_style(
        "Cellule", "Texte de tableau", '<w:spacing w:after="40"/><w:jc w:val="left"/>',
        '<w:sz w:val="19"/><w:szCs w:val="19"/>',
    )  # fmt: skip
    signatures = _paragraph_style(
        "Signatures", "Formule de signature", '<w:keepNext/><w:spacing w:before="360"/>', ""
    )
    footer = _paragraph_style(
        "Footer", "footer", '<w:jc w:val="center"/>', '<w:sz w:val="16"/><w:szCs w:val="16"/>'
    )
    cell_margins = (
        '<w:tblCellMar><w:top w:w="40" w:type="dxa"/><w:left w:w="100" w:type="dxa"/>'
        '<w:bottom w:w="40" w:type="dxa"/><w:right w:w="100" w:type="dxa"/></w:tblCellMar>'
    )
    edges = "".join(
        f'<w:{edge} w:val="single" w:sz="4" w:space="0" w:color="808080"/>'
        for edge in ("top", "left", "bottom", "right", "insideH", "insideV")
    )
    grid = (
        '<w:style w:type="table" w:styleId="Grille"><w:name w:val="Tableau quadrillé"/>'
        f"<w:tblPr><w:tblBorders>{edges}</w:tblBorders>{cell_margins}</w:tblPr></w:style>"
    )
    plain = (
        '<w:style w:type="table" w:default="1" w:styleId="SansBordure">'
        f'<w:name w:val="Tableau sans bordure"/><w:tblPr>{cell_margins}</w:tblPr></w:style>'
    )
    body = normal + title + heading1 + small + signatures + footer + grid + plain
    return f'{HEAD}<w:styles xmlns:w="{W}">{defaults}{body}</w:styles>'


def _paragraph_style(style_id: str, name: str, paragraph: str, text: str) -> str:
    return (
        f'<w:style w:type="paragraph" w:styleId="{style_id}"><w:name w:val="{name}"/>'
        f'<w:basedOn w:val="Normal"/><w:qFormat/><w:pPr>{paragraph}</w:pPr>'
        f"<w:rPr>{text}{LANG}</w:rPr></w:style>"
    )


def footer() -> str:
    """word/footer1.xml: the agreement's number and "page 2 sur 4"."""
    fields = (
        run("Convention n° {{ number }} — page ")
        + f'<w:fldSimple w:instr=" PAGE ">{run("1")}</w:fldSimple>'
        + run(" sur ")
        + f'<w:fldSimple w:instr=" NUMPAGES ">{run("1")}</w:fldSimple>'
    )
    return (
        f'{HEAD}<w:ftr xmlns:w="{W}" xmlns:r="{R}"><w:p><w:pPr><w:pStyle w:val="Footer"/>'
        f"</w:pPr>{fields}</w:p></w:ftr>"
    )


def settings() -> str:
    """word/settings.xml: French spelling and decimal comma."""
    return (
        f'{HEAD}<w:settings xmlns:w="{W}"><w:defaultTabStop w:val="709"/>'
        '<w:characterSpacingControl w:val="doNotCompress"/>'
        '<w:themeFontLang w:val="fr-FR"/><w:decimalSymbol w:val=","/>'
        '<w:listSeparator w:val=";"/></w:settings>'
    )


def _relationships(targets: Sequence[tuple[str, str, str]]) -> str:
    links = "".join(
        f'<Relationship Id="{rid}" Type="{kind}" Target="{target}"/>'
        for rid, kind, target in targets
    )
    return f'{HEAD}<Relationships xmlns="{PACKAGE}">{links}</Relationships>'


_OFFICE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_EXTENDED = "application/vnd.openxmlformats-officedocument.extended-properties+xml"
_CONTENT = "application/vnd.openxmlformats-officedocument.wordprocessingml"


def content_types() -> str:
    """[Content_Types].xml."""
    parts = {
        "/word/document.xml": f"{_CONTENT}.document.main+xml",
        "/word/styles.xml": f"{_CONTENT}.styles+xml",
        "/word/settings.xml": f"{_CONTENT}.settings+xml",
        "/word/footer1.xml": f"{_CONTENT}.footer+xml",
        "/docProps/core.xml": "application/vnd.openxmlformats-package.core-properties+xml",
        "/docProps/app.xml": _EXTENDED,
    }
    overrides = "".join(f'<Override PartName="{n}" ContentType="{t}"/>' for n, t in parts.items())
    return (
        f'{HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        f"{overrides}</Types>"
    )


def core_properties() -> str:
    """docProps/core.xml; `render_docx` fills the agreement's own title and subject."""
    return (
        f"{HEAD}<cp:coreProperties "
        'xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        "<dc:title>Convention de prêt de matériel entre communes</dc:title>"
        "<dc:creator>mutualise</dc:creator><dc:language>fr-FR</dc:language>"
        "<dc:description>Modèle de convention de prêt, rempli par mutualise."
        "</dc:description></cp:coreProperties>"
    )


def app_properties() -> str:
    """docProps/app.xml."""
    return (
        f"{HEAD}<Properties xmlns="
        '"http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
        "<Application>mutualise</Application><DocSecurity>0</DocSecurity></Properties>"
    )


def parts() -> dict[str, str]:
    """Every part of the package, by its name."""
    return {
        "[Content_Types].xml": content_types(),
        "_rels/.rels": _relationships(
            [
                ("rId1", f"{_OFFICE}/officeDocument", "word/document.xml"),
                ("rId2", f"{PACKAGE}/metadata/core-properties", "docProps/core.xml"),
                ("rId3", f"{_OFFICE}/extended-properties", "docProps/app.xml"),
            ]
        ),
        "docProps/core.xml": core_properties(),
        "docProps/app.xml": app_properties(),
        "word/document.xml": document(),
        "word/_rels/document.xml.rels": _relationships(
            [
                ("rIdStyles", f"{_OFFICE}/styles", "styles.xml"),
                ("rIdSettings", f"{_OFFICE}/settings", "settings.xml"),
                ("rIdFooter", f"{_OFFICE}/footer", "footer1.xml"),
            ]
        ),
        "word/styles.xml": styles(),
        "word/settings.xml": settings(),
        "word/footer1.xml": footer(),
    }


def build() -> bytes:
    """The template as a .docx file, the same bytes on every build."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, xml in parts().items():
            entry = zipfile.ZipInfo(name, (2026, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(entry, xml.encode())
    return buffer.getvalue()


BUNDLED = Path(__file__).parent / "templates" / "convention.docx"

if __name__ == "__main__":
    BUNDLED.write_bytes(build())
