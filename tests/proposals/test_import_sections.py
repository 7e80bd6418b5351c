"""Importing a Word (.docx) or Markdown file as the sections of a draft proposal version."""

from __future__ import annotations

import copy
import io
import zipfile

import docx.oxml.styles
import pytest
from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from app.kit.markdown import render_markdown
from app.proposals.import_rules import (
    MAX_LINES,
    MAX_PARAGRAPHS,
    MAX_RUNS,
    MAX_SECTIONS,
    MAX_TABLE_CELLS,
    MAX_XML_PART_BYTES,
    MSG_BINARY,
    MSG_BROKEN_DOCX,
    MSG_DOCX_TOO_BIG,
    MSG_EMPTY,
    MSG_NO_HEADINGS,
    MSG_NOT_DOCX,
    MSG_NOT_UTF8,
    MSG_PDF,
    MSG_TABLE_TOO_BIG,
    MSG_TOO_MANY_LINES,
    MSG_TOO_MANY_PARAGRAPHS,
    MSG_TOO_MANY_RUNS,
    ImportedSection,
    SectionImportError,
)
from app.proposals.importer import import_sections


def docx_bytes(document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def import_error(filename: str, content: bytes) -> str:
    with pytest.raises(SectionImportError) as caught:
        import_sections(filename, content)
    return str(caught.value)


# --- Word -------------------------------------------------------------------------------------------------------


def test_docx_full_case_with_formatting_lists_table_and_subheadings():
    document = Document()
    document.add_paragraph("Dit concept is van SDFL.")
    document.add_heading("Achtergrond", level=1)
    paragraph = document.add_paragraph("De regio koopt ")
    paragraph.add_run("jeugdhulp").bold = True
    paragraph.add_run(" in voor ")
    paragraph.add_run("drie jaar").italic = True
    paragraph.add_run(".")
    document.add_paragraph("Tweede alinea.")
    document.add_heading("Percelen", level=2)
    document.add_paragraph("Ambulant", style="List Bullet")
    document.add_paragraph("Verblijf", style="List Bullet")
    document.add_paragraph("Eerst inschrijven", style="List Number")
    document.add_paragraph("Dan gunnen", style="List Number")
    table = document.add_table(rows=3, cols=2)
    rows = [("Perceel", "Budget"), ("Ambulant", "€ 2 mln"), ("Verblijf", "€ 3 mln")]
    for row, values in zip(table.rows, rows, strict=True):
        for cell, value in zip(row.cells, values, strict=True):
            cell.text = value
    document.add_paragraph("Na de tabel.")
    document.add_heading("Planning", level=3)
    document.add_paragraph("Start in 2027.")
    document.add_heading("Vraag aan aanbieders: welke looptijd past?", level=1)
    document.add_paragraph("Licht uw antwoord toe.")
    document.add_heading("Is de bekostiging helder?", level=1)
    document.add_heading("Tot slot", level=1)

    sections = import_sections("concept.docx", docx_bytes(document))

    assert sections == [
        ImportedSection("Inleiding", "Dit concept is van SDFL.", "text"),
        ImportedSection(
            "Achtergrond",
            "De regio koopt **jeugdhulp** in voor *drie jaar*.\n"
            "\n"
            "Tweede alinea.\n"
            "\n"
            "### Percelen\n"
            "\n"
            "- Ambulant\n"
            "- Verblijf\n"
            "1. Eerst inschrijven\n"
            "1. Dan gunnen\n"
            "\n"
            "| Perceel | Budget |\n"
            "| --- | --- |\n"
            "| Ambulant | € 2 mln |\n"
            "| Verblijf | € 3 mln |\n"
            "\n"
            "Na de tabel.\n"
            "\n"
            "#### Planning\n"
            "\n"
            "Start in 2027.",
            "text",
        ),
        ImportedSection("Vraag aan aanbieders: welke looptijd past?", "Licht uw antwoord toe.", "question"),
        ImportedSection("Is de bekostiging helder?", "", "question"),
        ImportedSection("Tot slot", "", "text"),
    ]
    html = render_markdown(sections[1].body)
    assert "<strong>jeugdhulp</strong>" in html
    assert "<em>drie jaar</em>" in html
    assert "<ul>\n<li>Ambulant</li>" in html
    assert "<ol>\n<li>Eerst inschrijven</li>" in html
    assert "<th>Perceel</th>" in html


def test_docx_heading_2_starts_sections_when_there_is_no_heading_1():
    document = Document()
    document.add_heading("Eerste", level=2)
    document.add_paragraph("Een.")
    document.add_heading("Detail", level=3)
    document.add_heading("Tweede", level=2)
    document.add_paragraph("Twee.")

    sections = import_sections("concept.docx", docx_bytes(document))

    assert [(s.heading, s.body) for s in sections] == [("Eerste", "Een.\n\n### Detail"), ("Tweede", "Twee.")]


def test_docx_title_and_dutch_style_names_start_sections():
    document = Document()
    document.styles.add_style("Kop 1", WD_STYLE_TYPE.PARAGRAPH)  # as a Dutch Word may name it
    document.add_heading("Concept inkoopvoorstel", level=0)  # style Title
    document.add_paragraph("Versie 0.1")
    document.add_paragraph("Doel", style="Kop 1")
    document.add_paragraph("Goede zorg.")

    sections = import_sections("concept.docx", docx_bytes(document))

    assert [(s.heading, s.body) for s in sections] == [
        ("Concept inkoopvoorstel", "Versie 0.1"),
        ("Doel", "Goede zorg."),
    ]


def test_docx_text_that_looks_like_markdown_stays_text():
    document = Document()
    document.add_heading("Opmerkingen", level=1)
    document.add_paragraph("# geen kop")
    document.add_paragraph("- geen opsomming")
    document.add_paragraph("> geen citaat")
    document.add_paragraph("2026. Een jaar")
    document.add_paragraph("Met *sterren* en [haken].")
    table = document.add_table(rows=2, cols=1)
    table.cell(0, 0).text = "Kolom"
    table.cell(1, 0).text = "ja | nee"

    (section,) = import_sections("concept.docx", docx_bytes(document))

    assert section.body == (
        "\\# geen kop\n\n\\- geen opsomming\n\n\\> geen citaat\n\n2026\\. Een jaar\n\n"
        "Met \\*sterren\\* en \\[haken\\].\n\n| Kolom |\n| --- |\n| ja \\| nee |"
    )
    html = render_markdown(section.body)
    for tag in ("<h", "<ul>", "<ol>", "<blockquote>", "<em>"):
        assert tag not in html
    assert "<td>ja | nee</td>" in html


def _run(text: str, tag: str = "w:t"):
    run, content = OxmlElement("w:r"), OxmlElement(tag)
    content.text = text
    content.set(qn("xml:space"), "preserve")
    run.append(content)
    return run


def test_docx_links_tracked_changes_numbered_list_paragraphs_and_nested_emphasis():
    document = Document()
    document.add_heading("Bronnen", level=1)
    paragraph = document.add_paragraph("Zie ")
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), document.part.relate_to("https://sdfl.nl/inkoop", RELATIONSHIP_TYPE.HYPERLINK, True))
    link.append(_run("de site"))
    inserted, deleted = OxmlElement("w:ins"), OxmlElement("w:del")
    inserted.append(_run(" van SDFL"))
    deleted.append(_run(" niet meer", "w:delText"))
    paragraph._p.extend([link, inserted, deleted])
    for style, text in [("List Bullet", "opsomming"), ("List Number", "nummer")]:  # Word's own list buttons
        item = document.add_paragraph(text, style="List Paragraph")
        item._p.get_or_add_pPr().append(copy.deepcopy(document.styles[style].element.pPr.numPr))
    emphasis = document.add_paragraph()
    emphasis.add_run("vet ").bold = True
    both = emphasis.add_run("en schuin")
    both.bold = both.italic = True
    emphasis.add_run(" gewoon")

    (section,) = import_sections("concept.docx", docx_bytes(document))

    assert section.body == (
        "Zie [de site](https://sdfl.nl/inkoop) van SDFL\n\n- opsomming\n1. nummer\n\n**vet *en schuin*** gewoon"
    )
    html = render_markdown(section.body)
    assert '<a href="https://sdfl.nl/inkoop"' in html
    assert "<strong>vet <em>en schuin</em></strong> gewoon" in html


def test_docx_without_headings_is_refused():
    document = Document()
    document.add_paragraph("Alleen tekst, geen koppen.")

    assert import_error("concept.docx", docx_bytes(document)) == MSG_NO_HEADINGS
    assert MSG_NO_HEADINGS.startswith("Het bestand bevat geen koppen: elke kop wordt een onderdeel.")


def test_docx_is_recognised_by_content_not_name():
    document = Document()
    document.add_heading("Doel", level=1)

    assert import_sections("upload.bin", docx_bytes(document)) == [ImportedSection("Doel", "", "text")]


# --- Markdown ---------------------------------------------------------------------------------------------------


def test_markdown_splits_on_top_level_headings_and_keeps_deeper_ones():
    text = (
        "\ufeffVoorwoord van SDFL.\n"
        "\n"
        "# Achtergrond\n"
        "\n"
        "Tekst.\n"
        "\n"
        "## Details\n"
        "Meer tekst.\n"
        "\n"
        "# Vraag 1: planning\n"
        "Hoe lang?\n"
        "\n"
        "# Welke percelen zijn nodig? #\n"
        "\n"
        "\n"
    )

    sections = import_sections("concept.md", text.encode("utf-8"))

    assert sections == [
        ImportedSection("Inleiding", "Voorwoord van SDFL.", "text"),
        ImportedSection("Achtergrond", "Tekst.\n\n## Details\nMeer tekst.", "text"),
        ImportedSection("Vraag 1: planning", "Hoe lang?", "question"),
        ImportedSection("Welke percelen zijn nodig?", "", "question"),
    ]


def test_markdown_without_level_1_uses_level_2_and_crlf():
    text = "## Een\r\nA\r\n### Sub\r\nB\r\n## Twee\r\nC\r\n"

    sections = import_sections("concept.markdown", text.encode())

    assert [(s.heading, s.body) for s in sections] == [("Een", "A\n### Sub\nB"), ("Twee", "C")]


def test_markdown_headings_inside_code_fences_do_not_split():
    text = (
        "# Voorbeeld\n"
        "```bash\n"
        "# dit is commentaar\n"
        "```\n"
        "~~~~\n"
        "# ook geen kop\n"
        "```\n"
        "# nog steeds code\n"
        "~~~~\n"
        "    # ingesprongen code\n"
        "#geen-kop\n"
        "# Einde\n"
        "Klaar."
    )

    sections = import_sections("concept.md", text.encode())

    assert [s.heading for s in sections] == ["Voorbeeld", "Einde"]
    assert sections[0].body == "\n".join(text.split("\n")[1:11])
    assert sections[1].body == "Klaar."


def test_markdown_question_detection():
    text = "# Vraag aan aanbieders: tarieven\n# vraagteken\n# Is dit duidelijk?\n# Vraagstelling\n# Toelichting\n"

    kinds = [(s.heading, s.kind) for s in import_sections("concept.md", text.encode())]

    assert kinds == [
        ("Vraag aan aanbieders: tarieven", "question"),
        ("vraagteken", "text"),
        ("Is dit duidelijk?", "question"),
        ("Vraagstelling", "text"),
        ("Toelichting", "text"),
    ]


def test_markdown_blank_intro_is_dropped():
    sections = import_sections("concept.md", b"\n\n   \n# Alleen\nTekst\n")

    assert sections == [ImportedSection("Alleen", "Tekst", "text")]


# --- refusals ---------------------------------------------------------------------------------------------------


def test_pdf_is_refused():
    assert import_error("concept.pdf", b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n") == MSG_PDF
    assert MSG_PDF.startswith("Een PDF kan niet worden ingelezen.")


def test_zip_that_is_not_a_docx_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notities.txt", "# Kop\nTekst")

    assert import_error("concept.docx", buffer.getvalue()) == MSG_NOT_DOCX
    assert MSG_NOT_DOCX.startswith("Dit ZIP-bestand is geen Word-document.")


def test_damaged_docx_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<niet-af")

    assert import_error("concept.docx", buffer.getvalue()) == MSG_BROKEN_DOCX
    assert import_error("concept.docx", b"PK\x03\x04 afgebroken") == MSG_BROKEN_DOCX
    assert import_error("concept.docx", b"# Kop\nGeen zip") == MSG_BROKEN_DOCX


def test_invalid_utf8_is_refused():
    assert import_error("concept.md", "# Kop\nCafé".encode("latin-1")) == MSG_NOT_UTF8
    assert MSG_NOT_UTF8.startswith("Het bestand is geen tekst in UTF-8.")


def test_binary_data_is_refused():
    assert import_error("concept.md", b"# Kop\n\x00\x01\x02") == MSG_BINARY


def test_empty_file_is_refused():
    assert import_error("concept.md", b"") == MSG_EMPTY == "Het bestand is leeg."


def test_markdown_without_headings_is_refused():
    assert import_error("concept.md", b"Alleen tekst.\n\n```\n# code\n```\n") == MSG_NO_HEADINGS


def test_too_many_sections_is_refused():
    text = "".join(f"# Onderdeel {i}\nTekst\n" for i in range(MAX_SECTIONS + 1))

    message = import_error("concept.md", text.encode())

    assert message == "Het bestand bevat 201 onderdelen; er kunnen er hoogstens 200 worden ingelezen."
    assert len(import_sections("concept.md", text.rsplit("# Onderdeel", 1)[0].encode())) == MAX_SECTIONS


def test_too_long_heading_and_body_are_refused():
    long_heading = "Heel lange kop " + "x" * 300
    message = import_error("concept.md", f"# {long_heading}\nTekst\n".encode())
    assert message.startswith("De kop „Heel lange kop xxx")
    assert message.endswith("” is te lang: hoogstens 300 tekens. Maak de kop korter.")

    message = import_error("concept.md", ("# Bijlage\n" + "a" * 100_001).encode())
    assert message == "Het onderdeel „Bijlage” is te lang: hoogstens 100.000 tekens. Verdeel het over meer koppen."


# --- limits (issue 14): what one import may contain, and a cost linear in it --------------------------------

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def docx_with_body(body_xml: str) -> bytes:
    """A .docx made by Word's default template (python-docx) with ``body_xml`` as the content of w:body."""
    template = docx_bytes(Document())
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(template)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "word/document.xml":
                data = (
                    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                    f'<w:document xmlns:w="{W_NS}"><w:body>{body_xml}</w:body></w:document>'
                ).encode()
            dst.writestr(info.filename, data)
    return out.getvalue()


def paragraphs_xml(count: int, per_section: int = 40) -> str:
    """``count`` paragraphs: a Heading 1 every ``per_section``, else text with a bold run (two runs each)."""
    parts = []
    for i in range(count):
        if i % per_section == 0:
            parts.append(
                f'<w:p><w:pPr><w:pStyle w:val="Heading1"/></w:pPr><w:r><w:t>Onderdeel {i // per_section + 1}'
                "</w:t></w:r></w:p>"
            )
        else:
            parts.append(
                f'<w:p><w:r><w:t xml:space="preserve">Alinea {i} over </w:t></w:r>'
                "<w:r><w:rPr><w:b/></w:rPr><w:t>jeugdhulp</w:t></w:r></w:p>"
            )
    return "".join(parts)


@pytest.fixture
def style_lookups(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts python-docx's style lookups (each one scans the document's styles): the library's own methods,
    still run as they are."""
    counted = [0]
    for name in ("default_for", "get_by_id"):
        original = getattr(docx.oxml.styles.CT_Styles, name)

        def counting(self, *args, _original=original, **kwargs):
            counted[0] += 1
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(docx.oxml.styles.CT_Styles, name, counting)
    return counted


def test_docx_bold_and_italic_from_the_run_or_its_character_style():
    # Read from the XML directly now; the same answers as python-docx's run.font / run.style.font.
    document = Document()
    document.add_heading("Opmaak", level=1)
    paragraph = document.add_paragraph()
    paragraph.add_run("sterk", style="Strong")  # the template's Strong style is bold
    paragraph.add_run(" en ")
    paragraph.add_run("nadruk", style="Emphasis")  # italic
    paragraph.add_run(" en ")
    plain = paragraph.add_run("niet vet", style="Strong")
    plain.bold = False  # w:b w:val="0" overrides the style
    paragraph.add_run(" en ")
    paragraph.add_run("schuin").italic = True

    [section] = import_sections("concept.docx", docx_bytes(document))

    assert section.body == "**sterk** en *nadruk* en niet vet en *schuin*"


def test_docx_of_8000_paragraphs_is_imported_with_a_style_lookup_per_style_not_per_run(style_lookups):
    # 8,000 paragraphs, 200 sections of 39 paragraphs with two runs each. The old code looked up the run's
    # character style for every run (16,000 scans of all styles; 84 s); now each style is looked up once.
    sections = import_sections("concept.docx", docx_with_body(paragraphs_xml(8_000)))

    assert len(sections) == MAX_SECTIONS == 200
    assert sections[0].heading == "Onderdeel 1"
    assert sections[0].body.split("\n\n")[:2] == ["Alinea 1 over **jeugdhulp**", "Alinea 2 over **jeugdhulp**"]
    assert sections[-1].body.count("\n\n") == 38
    assert style_lookups[0] <= 5


def test_docx_over_the_paragraph_limit_is_refused_with_a_clear_message():
    assert MAX_PARAGRAPHS == 10_000
    content = docx_with_body(paragraphs_xml(MAX_PARAGRAPHS + 1, per_section=100))

    assert (
        import_error("concept.docx", content)
        == MSG_TOO_MANY_PARAGRAPHS
        == (
            "Het Word-bestand is te lang om in te lezen: hoogstens 10.000 alinea's (koppen, opsommingen en "
            "tabelcellen meegeteld). Verdeel de tekst over meer voorstellen of maak hem korter."
        )
    )
    # Exactly at the limit it is read.
    assert len(import_sections("concept.docx", docx_with_body(paragraphs_xml(MAX_PARAGRAPHS, per_section=100))))


def test_docx_with_too_many_runs_is_refused():
    runs = "".join(f"<w:r><w:t>{i % 10}</w:t></w:r>" for i in range(MAX_RUNS + 1))
    content = docx_with_body(f'<w:p><w:pPr><w:pStyle w:val="Heading1"/></w:pPr>{runs}</w:p>')

    assert import_error("concept.docx", content) == MSG_TOO_MANY_RUNS


def test_docx_table_over_the_cell_limit_is_refused():
    # Merged cells count as the columns they span: 200 rows of one cell spanning 64 columns is 12,800 cells.
    row = '<w:tr><w:tc><w:tcPr><w:gridSpan w:val="64"/></w:tcPr><w:p><w:r><w:t>a</w:t></w:r></w:p></w:tc></w:tr>'
    heading = '<w:p><w:pPr><w:pStyle w:val="Heading1"/></w:pPr><w:r><w:t>Tabel</w:t></w:r></w:p>'
    content = docx_with_body(heading + "<w:tbl>" + row * 200 + "</w:tbl>")

    assert MAX_TABLE_CELLS < 200 * 64
    assert import_error("concept.docx", content) == MSG_TABLE_TOO_BIG
    # One row that is wide and many rows that are short: padded to a rectangle, so refused as well.
    wide = "<w:tr>" + "<w:tc><w:p/></w:tc>" * 100 + "</w:tr>"
    short = "<w:tr><w:tc><w:p/></w:tc></w:tr>"
    content = docx_with_body(heading + "<w:tbl>" + wide + short * 200 + "</w:tbl>")
    assert import_error("concept.docx", content) == MSG_TABLE_TOO_BIG


def test_docx_with_an_oversized_xml_part_is_refused_before_it_is_parsed():
    filler = "<w:p/>" * (MAX_XML_PART_BYTES // 6 + 1)
    content = docx_with_body(filler)

    assert len(content) < 1024 * 1024  # small as a file: it is the unpacked XML that is too big
    assert import_error("concept.docx", content) == MSG_DOCX_TOO_BIG


def test_markdown_over_the_line_limit_is_refused():
    text = "# Kop\n" + "regel\n" * MAX_LINES

    assert (
        import_error("concept.md", text.encode())
        == MSG_TOO_MANY_LINES
        == ("Het bestand is te lang om in te lezen: hoogstens 100.000 regels.")
    )


def test_markdown_heading_with_a_long_run_of_spaces():
    # The closing-#'s rule used to be a regular expression that backtracked over every space (quadratic).
    spaced = "a" + " " * 30_000 + "b"
    sections = import_sections("concept.md", f"# {spaced} ##\ntekst\n# slot #\n".encode())

    assert [s.heading for s in sections] == ["a b", "slot"]
