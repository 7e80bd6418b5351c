"""Importing a Word (.docx) or Markdown file as the sections of a draft proposal version."""

from __future__ import annotations

import copy
import io
import zipfile

import pytest
from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from app.markdown import render_markdown
from app.proposals.importer import (
    MAX_SECTIONS,
    MSG_BINARY,
    MSG_BROKEN_DOCX,
    MSG_EMPTY,
    MSG_NO_HEADINGS,
    MSG_NOT_DOCX,
    MSG_NOT_UTF8,
    MSG_PDF,
    ImportedSection,
    SectionImportError,
    import_sections,
)


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
