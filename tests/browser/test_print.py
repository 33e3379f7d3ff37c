"""A page printed from Chromium (to PDF) says where it came from and where its links lead."""

import io
import re
import unicodedata

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from tests.browser.test_reading import thread_with_depth
from tests.factories import make_contribution, minimal_pdf

pytestmark = pytest.mark.django_db(transaction=True)


def printed(page):
    """The text of the page as Chromium prints it to PDF, page by page, ligatures undone."""
    pdf = PdfReader(io.BytesIO(page.pdf(format="A4")))
    return [unicodedata.normalize("NFKC", sheet.extract_text()) for sheet in pdf.pages]


def unbroken(text):
    """The text without its line breaks and spaces, as a long address is wrapped on paper."""
    return re.sub(r"\s+", "", text)


def test_a_printed_thread_gives_its_address_and_the_full_address_of_each_link_in_its_text(
    page, seeded, question, settings, live_server
):
    settings.MIA_CONTRIBUTIONS_PER_PAGE = 6
    reply, _deepest = thread_with_depth(question, settings)
    paper = make_contribution(
        question=question,
        parent=reply.parent,
        body="Se [rapporten](https://example.org/rapport) og https://example.org/data.",
        attachment=minimal_pdf(),
    )
    make_contribution(question=question)  # on the thread's second page
    page.goto(question.get_absolute_url())
    expect(page.locator(".thread-pages").first).to_be_visible()

    sheets = printed(page)
    text = "\n".join(sheets)
    assert "MIA-debatten · Ministeriernes Innovationsakademi" in sheets[0]
    assert f"{live_server.url}{question.get_absolute_url()}" in unbroken(sheets[0])
    talk = question.paragraph.talk
    assert unbroken(f"{talk.title}<{live_server.url}{talk.get_absolute_url()}>") in unbroken(text)
    assert "rapporten<https://example.org/rapport>" in unbroken(text)
    assert f"{live_server.url}/indlaeg/{paper.pk}/pdf/>" in unbroken(text)
    # A link that reads as its own address is not followed by it again.
    assert unbroken(text).count("https://example.org/data") == 1
    # The site's own controls are not printed, nor any short address.
    for control in ("Anmeld", "Næste side", "Find vej", "Søg", "Følg debatten"):
        assert control not in text
    assert "</" not in unbroken(text)


def test_a_printed_thread_reads_as_a_document(page, seeded, question, settings):
    thread_with_depth(question, settings)
    page.goto(question.get_absolute_url())
    page.emulate_media(media="print")

    for chrome in ("header.site-header", "footer.site-footer", "form", ".reply-actions"):
        expect(page.locator(chrome).first).to_be_hidden()
    expect(page.get_by_role("heading", name="Indlæg", exact=True)).to_be_visible()
    nested = page.locator(".thread .thread").first
    assert float(nested.evaluate("e => parseFloat(getComputedStyle(e).marginLeft)")) > 0
    after = page.locator(".reply-to a").evaluate("a => getComputedStyle(a, '::after').content")
    assert after == "none"


def test_the_printed_paper_says_where_it_came_from(page, seeded, live_server):
    page.goto("/workshops/5/konklusioner/")

    sheets = printed(page)
    text = "\n".join(sheets)
    assert f"{live_server.url}/workshops/5/konklusioner/" in unbroken(sheets[0])
    source = unbroken(text[text.index("Kilde:") :])
    assert unbroken("Kilde: “MIA 5 konklusioner” samler konklusionerne fra MIA-workshop") in source
    assert unbroken("Roskilde Universitet") in source
    assert f"{live_server.url}/workshops/5/konklusioner/" in source
    assert f"<{live_server.url}/debat/motivation/>" in unbroken(text)
    assert "Læs konklusionerne" not in text
