"""Papers: only whole, readable PDFs are taken in, by form or by mail; all download as .pdf."""

import io
from email.message import EmailMessage

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from pypdf import PdfWriter

from debates.attachments import pdf_filename
from debates.models import Contribution
from moderation.services.intake import take_in_mail
from moderation.services.papers import IncompletePdf, NotAPdf, check_pdf
from tests.factories import PDF_BYTES, make_contribution

HTML_WITH_MARKER = (
    b"<!DOCTYPE html><!-- %PDF-1.4 -->\n<html><body><script>alert(document.cookie)</script>"
    b"</body></html>\n<!-- %%EOF -->"
)
SVG_WITH_MARKER = (
    b'<?xml version="1.0"?><!-- %PDF-1.7 -->\n<svg xmlns="http://www.w3.org/2000/svg">'
    b"<script>alert(1)</script></svg>\n%%EOF\n"
)
EXE_WITH_MARKER = b"MZ\x90\x00" + b"\x00" * 60 + b"PE\x00\x00 %PDF-1.5 " + b"\x00" * 200 + b"%%EOF"
# Starts and ends as a PDF does, and is a web page in between.
POLYGLOT = b"%PDF-1.4\n<html><script>alert(1)</script></html>\n%%EOF\n"


def written_by_pypdf(pages=2):
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# What counts as a PDF ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [HTML_WITH_MARKER, SVG_WITH_MARKER, EXE_WITH_MARKER, POLYGLOT],
    ids=["html", "svg", "exe", "polyglot"],
)
def test_a_file_that_only_mentions_pdf_markers_is_not_a_pdf(data):
    with pytest.raises(NotAPdf):
        check_pdf(data)


def test_a_pdf_cut_short_is_incomplete():
    with pytest.raises(IncompletePdf):
        check_pdf(written_by_pypdf()[:-200])


def test_a_real_pdf_is_read_with_its_pages_even_with_line_breaks_after_its_end_marker():
    assert check_pdf(written_by_pypdf(pages=2)) == 2
    assert check_pdf(written_by_pypdf(pages=1) + b"\r\n\r\n") == 1
    assert check_pdf(PDF_BYTES) == 1


# Its name ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sent_as", "kept_as"),
    [
        ("rapport.pdf", "rapport.pdf"),
        ("Høringssvar – MIA.PDF", "Høringssvar – MIA.pdf"),
        ("rapport.pdf.exe", "rapport.pdf"),
        ("evil.html", "evil.pdf"),
        ("tegning.svg", "tegning.pdf"),
        ("Referat 12.3", "Referat 12.3.pdf"),
        ("C:\\Users\\lene\\notat.pdf", "notat.pdf"),
        ("../../etc/passwd", "passwd.pdf"),
        ("faktura\u202efdp.exe", "fakturafdp.pdf"),  # a right-to-left override shows "exe.pdf"
        ('a"b\r\nc.pdf', "a_bc.pdf"),
        (".pdf", "paper.pdf"),
        ("", "paper.pdf"),
        ("x" * 300 + ".pdf", "x" * 251 + ".pdf"),
    ],
)
def test_a_paper_is_kept_under_a_safe_name_that_ends_in_pdf(sent_as, kept_as):
    assert pdf_filename(sent_as) == kept_as


# The web form ------------------------------------------------------------------------------------


@pytest.fixture
def form_url(question):
    return reverse("moderation:contribution-new", args=[question.slug])


def send_with(client, url, name, data):
    return client.post(
        url,
        {
            "author_name": "Lene Lund",
            "author_email": "lene@example.dk",
            "body": "Se vedhæftede.",
            "consent": "on",
            "send": "1",
            "attachment": SimpleUploadedFile(name, data, content_type="application/pdf"),
        },
    )


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("evil.html", HTML_WITH_MARKER),
        ("tegning.svg", SVG_WITH_MARKER),
        ("rapport.pdf.exe", EXE_WITH_MARKER),
        ("rapport.pdf", POLYGLOT),
    ],
    ids=["html", "svg", "exe", "polyglot"],
)
def test_the_form_refuses_a_file_that_is_not_a_pdf_and_stores_nothing(client, form_url, name, data):
    response = send_with(client, form_url, name, data)
    assert response.status_code == 400
    assert f"“{name}” er ikke en PDF-fil." in response.content.decode()
    assert not Contribution.objects.exists()


def test_the_form_says_when_a_pdf_is_incomplete(client, form_url):
    response = send_with(client, form_url, "rapport.pdf", written_by_pypdf()[:-200])
    assert response.status_code == 400
    assert "“rapport.pdf” er ikke en hel PDF-fil. Vedhæft den igen." in response.content.decode()
    assert not Contribution.objects.exists()


def test_a_real_pdf_sent_under_another_extension_is_kept_and_downloads_as_pdf(client, form_url):
    paper = written_by_pypdf()
    assert send_with(client, form_url, "rapport.pdf.exe", paper).status_code == 302

    contribution = Contribution.objects.get()
    assert contribution.attachment_name == "rapport.pdf"
    contribution.status = Contribution.Status.PUBLISHED
    contribution.save()
    response = client.get(reverse("debates:contribution-attachment", args=[contribution.pk]))
    assert response["Content-Disposition"] == 'attachment; filename="rapport.pdf"'
    assert b"".join(response.streaming_content) == paper


# The download ------------------------------------------------------------------------------------


def test_a_paper_stored_under_another_extension_before_still_downloads_as_pdf(client, question):
    contribution = make_contribution(question=question, attachment=PDF_BYTES)
    Contribution.objects.filter(pk=contribution.pk).update(attachment_name="evil.html")
    response = client.get(reverse("debates:contribution-attachment", args=[contribution.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="evil.pdf"'


# Mail intake -------------------------------------------------------------------------------------


def mail_with(*attachments):
    message = EmailMessage()
    message["From"] = "Lene Lund <lene@example.dk>"
    message["Subject"] = "Kommentar"
    message["Message-ID"] = "<papers@example.dk>"
    message.set_content("Se vedhæftede.")
    for filename, data in attachments:
        message.add_attachment(data, maintype="application", subtype="pdf", filename=filename)
    return bytes(message)


def test_mail_intake_drops_a_file_that_only_looks_like_a_pdf_and_keeps_the_next_real_one(seeded):
    with translation.override("en"):
        take_in_mail(raw=mail_with(("side.pdf", POLYGLOT), ("rapport.pdf.exe", PDF_BYTES)))

    contribution = Contribution.objects.get()
    assert contribution.attachment_name == "rapport.pdf"
    assert contribution.attachment.read() == PDF_BYTES
    assert "Dropped attachment: side.pdf (not a readable PDF" in contribution.intake_note


def test_mail_intake_keeps_no_paper_when_none_is_readable(seeded):
    with translation.override("en"):
        take_in_mail(raw=mail_with(("side.pdf", POLYGLOT)))

    contribution = Contribution.objects.get()
    assert not contribution.attachment
    assert "Dropped attachment: side.pdf (not a readable PDF" in contribution.intake_note
