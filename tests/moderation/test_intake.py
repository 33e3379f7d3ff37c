"""
Incoming e-mail: parsing real-world messages, naming a question, reading mail sources and IMAP.

The messages are in mail/, written as the mail clients named in their headers send them.
"""

import email
import imaplib
import mailbox
import os
import ssl
from email import policy
from pathlib import Path

import pytest

from moderation.intake import (
    AutomaticMessage,
    ImapSource,
    MalformedMessage,
    QuestionReference,
    find_question_reference,
    html_to_text,
    mark_maildir_processed,
    messages,
    parse_imap_url,
    parse_message,
    read_source,
    sources,
)
from tests.moderation.fake_imap import FakeImapServer

MAIL = Path(__file__).parent / "mail"


def parse(name):
    return parse_message((MAIL / name).read_bytes())


def tiny_pdf() -> bytes:
    """The one-page PDF attached in mail/ (saying "Bidrag"), with a correct xref table."""
    content = b"BT /F1 18 Tf 20 40 Td (Bidrag) Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 100] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    pdf = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(pdf))
        pdf += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(pdf)
    pdf += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    pdf += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    pdf += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n" % (len(objects) + 1, xref)
    return bytes(pdf + b"%%EOF\n")


# Bodies ------------------------------------------------------------------------------------------


def test_outlook_alternative_gives_the_plain_text_part_with_windows_1252_characters():
    mail = parse("outlook-alternative.eml")

    # The HTML alternative would have put blank lines between the signature's paragraphs.
    assert mail.text == (
        "Hej\n"
        "\n"
        "Tak for en god workshop. Jeg vil gerne kommentere spørgsmål 3 – det er et “godt” "
        "spørgsmål, og svaret koster ikke 5 €.\n"
        "\n"
        "Med venlig hilsen\n"
        "Mette Hansen\n"
        "Fuldmægtig, Finansministeriet"
    )
    assert (mail.sender_name, mail.sender_address) == ("Hansen, Mette", "mette.hansen@fm.dk")
    assert mail.subject == "SV: [MIA-3] Innovation i praksis"
    assert (mail.pdfs, mail.dropped) == ((), ())


def test_html_only_message_becomes_readable_plain_text():
    mail = parse("html-only.eml")

    assert mail.text == (
        "Kære moderator,\n"
        "\n"
        "Her er mit bidrag til debatten om offentlig innovation.\n"
        "Tre pointer:\n"
        "\n"
        "- Ledelse & rum til at fejle\n"
        "- Borgerne skal inddrages\n"
        "- Evaluering – ikke kontrol\n"
        "\n"
        "Se spørgsmålets side (https://mia.example.dk/debat/ledelse-og-innovation/) "
        "og læs mere på RUC (https://ruc.dk/).\n"
        "\n"
        "Mvh\n"
        "Ida Kjær"
    )
    assert mail.sender_name == "Ida Kjær"


def test_nested_multipart_gives_the_plain_text_and_reports_only_the_real_attachment():
    mail = parse("nested-thunderbird.eml")

    assert mail.text == (
        "Kære moderator\n"
        "\n"
        "Her er et billede fra workshoppen på Roskilde Universitet, hvor vi diskuterede tillid "
        "og styring.\n"
        "\n"
        "Venlig hilsen\n"
        "Peter"
    )
    # The logo inside multipart/related belongs to the HTML body; the photo was attached.
    assert mail.dropped == ("photo.jpg (image/jpeg)",)
    assert mail.pdfs == ()


def test_quoted_printable_body_is_decoded_and_its_soft_line_breaks_joined():
    mail = parse("apple-mail-quoted-printable.eml")

    assert mail.text == (
        "Hej,\n"
        "\n"
        "Jeg synes, idéen om et fælles læringsrum for ministerierne er god, men den kræver at "
        "ledelsen tør give medarbejderne tid til at prøve noget nyt.\n"
        "\n"
        "Venlig hilsen\n"
        "Jørgen Müller"
    )
    assert mail.sender_name == "Jørgen Müller"
    assert mail.subject == "Kommentar til spørgsmål nr. 4"


def test_base64_body_is_decoded_with_unix_line_endings():
    mail = parse("gmail-base64.eml")

    assert mail.text == (
        "Hej MIA,\n"
        "\n"
        "Økonomistyrelsens oplæg om tværgående samarbejde var særligt interessant. "
        "Åbenhed og tillid går hånd i hånd.\n"
        "\n"
        "Bedste hilsner\n"
        "Anne"
    )
    assert (mail.sender_name, mail.subject) == ("Anne Sørensen", "Tværgående samarbejde")


def test_iso_8859_1_body_keeps_danish_letters_and_reads_0x96_as_an_en_dash():
    mail = parse("iso-8859-1.eml")

    assert mail.text == (
        "Kære alle\n\nBlåbærgrød og ÆBLER, ØRRED og Å – samt café og Münter.\n\nBent"
    )
    assert (mail.sender_name, mail.subject) == ("Bent Frølund", "Blå bog om forvaltning")


def test_utf8_flowed_body_joins_soft_line_breaks_and_keeps_the_quoted_reply():
    mail = parse("thunderbird-utf8-flowed.eml")

    assert mail.text == (
        "Jeg er enig i, at tillidsbaseret styring kræver mere end gode intentioner. Det kræver "
        "også, at økonomistyringen følger med, og at ministerierne deler erfaringer.\n"
        "\n"
        "Den 18.03.2024 kl. 11:30 skrev Bent Frølund:\n"
        "> Blåbærgrød og ÆBLER, ØRRED og Å – samt café og Münter.\n"
        "\n"
        "Lise"
    )


def test_signature_after_the_dash_dash_space_line_is_stripped():
    mail = parse("signature.eml")

    assert mail.text == (
        "Pointen er enkel -- tillid før kontrol.\n--\nDen linje ovenfor er ikke en signatur."
    )


def test_unknown_and_wrong_charset_labels_decode_without_crashing():
    mail = parse("unknown-charset.eml")

    # "x-unknown-danish" is UTF-8 in fact; "us-ascii" is ISO-8859-1 in fact.
    assert mail.text == "Første del: blåbær.\n\nAnden del: rødgrød."
    assert mail.sender_name == "Hanne Bjørn"
    assert mail.subject == "Tegns\ufffdt"


# Headers -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "sender_name", "sender_address", "subject", "text"),
    [
        (
            "encoded-headers-q.eml",  # Q-encoded ISO-8859-1
            "Søren Æblerød",
            "soren.aeblerod@example.dk",
            "Spørgsmål 3: Ændring af praksis",
            "Praksis ændrer sig kun, når nogen gør noget.",
        ),
        (
            "encoded-headers-b.eml",  # B-encoded UTF-8, the subject folded over several lines
            "Åsa Østergård",
            "asa.ostergaard@gmail.com",
            "Bidrag til debatten om ledelse, tillid og økonomistyring i den offentlige sektor – "
            "set fra en kommune på Sjælland",
            "Se emnelinjen.",
        ),
        (
            "raw-utf8-headers.eml",  # UTF-8 written straight into the headers
            "Søren Æblerød",
            "soren@aeblerod.dk",
            "Spørgsmål 5 – én kommentar",
            "Sendt fra min telefon.",
        ),
    ],
)
def test_each_header_encoding_gives_the_danish_name_and_a_one_line_subject(
    name, sender_name, sender_address, subject, text
):
    mail = parse(name)

    assert (mail.sender_name, mail.sender_address, mail.subject, mail.text) == (
        sender_name,
        sender_address,
        subject,
        text,
    )


def test_decomposed_letters_as_macos_writes_them_are_composed():
    raw = (
        b"From: =?utf-8?q?Ma=CC=8Ans_Jo=CC=88rgensen?= <mans@example.dk>\n"
        b"Subject: =?utf-8?q?Sp=C3=B8rgsma=CC=8Al_2?=\n"
        b"Content-Type: text/plain; charset=utf-8\n"
        b"\n"
        b"Ga\xcc\x8ar det?\n"
    )

    mail = parse_message(raw)

    assert (mail.sender_name, mail.subject, mail.text) == (
        "Måns Jörgensen",
        "Spørgsmål 2",
        "Går det?",
    )


def test_twin_messages_give_the_same_message_id_without_angle_brackets():
    first = parse("duplicate-message-id-a.eml")
    second = parse("duplicate-message-id-b.eml")

    assert first.message_id == "CAF3u+8xZp7d1Vq2Lm0s9KbR4Tn6Wy5Hc3Gj8Ue2Xo1Ai7Sk0Mw@mail.gmail.com"
    assert second.message_id == first.message_id


def test_a_message_without_message_id_gives_an_empty_one():
    mail = parse_message(b"From: a@example.dk\nSubject: x\n\nHej\n")

    assert mail.message_id == ""
    assert (mail.sender_name, mail.subject, mail.text) == ("", "x", "Hej")


# Attachments -------------------------------------------------------------------------------------


def test_pdf_attachment_is_kept_with_its_rfc_2231_filename():
    mail = parse("pdf-attachment.eml")

    [pdf] = mail.pdfs
    assert pdf.filename == "Bidrag til spørgsmål 3.pdf"
    assert pdf.content_type == "application/pdf"
    assert pdf.data == tiny_pdf()
    assert mail.text == "Hermed mit paper til spørgsmål 3.\n\nLise"
    assert mail.dropped == ()


def test_pdf_declared_as_octet_stream_is_recognised_by_its_content():
    mail = parse("outlook-pdf-octet-stream.eml")

    [pdf] = mail.pdfs
    assert pdf.filename == "Høringssvar – MIA.pdf"
    assert pdf.content_type == "application/octet-stream"
    assert pdf.data == tiny_pdf()


def test_zip_named_paper_pdf_is_dropped_with_a_note():
    raw = (MAIL / "zip-named-paper-pdf.eml").read_bytes()
    attached = next(email.message_from_bytes(raw, policy=policy.default).iter_attachments())
    assert attached.get_content().startswith(b"PK\x03\x04")

    mail = parse_message(raw)

    assert mail.pdfs == ()
    assert mail.dropped == ("paper.pdf (not a PDF by its content)",)
    assert mail.text == "Her er mit paper."


def test_a_pdf_without_any_text_is_a_contribution():
    raw = (MAIL / "pdf-attachment.eml").read_bytes()
    raw = raw.replace("Hermed mit paper til spørgsmål 3.\n\nLise\n".encode(), b"")

    mail = parse_message(raw)

    assert mail.text == ""
    assert [pdf.data for pdf in mail.pdfs] == [tiny_pdf()]


def test_a_message_with_only_a_photo_is_malformed_and_says_what_was_dropped():
    raw = (
        b"From: a@example.dk\n"
        b'Content-Type: image/jpeg; name="photo.jpg"\n'
        b"Content-Disposition: attachment; filename=photo.jpg\n"
        b"Content-Transfer-Encoding: base64\n"
        b"\n"
        b"/9j/4AAQSkZJRgABAQEASABIAAD/2Q==\n"
    )

    with pytest.raises(MalformedMessage, match=r"no text and no PDF.*photo\.jpg \(image/jpeg\)"):
        parse_message(raw)


# Malformed messages ------------------------------------------------------------------------------


def test_a_message_without_from_header_is_malformed():
    with pytest.raises(MalformedMessage, match="no From header"):
        parse("no-from.eml")


def test_a_from_header_without_an_address_is_malformed():
    with pytest.raises(MalformedMessage, match="From header contains no usable address"):
        parse("from-without-address.eml")


def test_a_message_cut_off_inside_the_pdf_keeps_its_text_but_not_the_broken_pdf():
    mail = parse("truncated-in-pdf.eml")

    assert mail.text == "Hermed mit paper til spørgsmål 3.\n\nLise"
    assert mail.pdfs == ()
    [note] = mail.dropped
    assert note.startswith("Bidrag til spørgsmål 3.pdf (an incomplete PDF")


def test_a_message_cut_off_inside_its_headers_is_malformed():
    with pytest.raises(MalformedMessage, match="header section is broken"):
        parse("truncated-in-headers.eml")


def test_a_message_that_ends_with_its_headers_is_malformed():
    with pytest.raises(MalformedMessage, match="ends inside its header section"):
        parse_message(b"From: a@example.dk\r\nSubject: Kommentar til sp")


@pytest.mark.parametrize("name", sorted(p.name for p in MAIL.glob("*.eml")))
def test_every_truncation_of_a_message_either_parses_or_is_malformed(name):
    raw = (MAIL / name).read_bytes()

    outcomes = {outcome_of(raw[:end]) for end in range(0, len(raw) + 1, 5)}

    assert "malformed: " not in outcomes  # a reason is never empty
    # Any other exception would have escaped parse_message and failed the test already.
    assert {o.split(": ")[0] for o in outcomes} <= {"parsed", "malformed"}


def outcome_of(raw):
    try:
        parse_message(raw)
    except MalformedMessage as exc:
        return f"malformed: {exc}"
    return "parsed"


def test_binary_garbage_is_malformed():
    with pytest.raises(MalformedMessage, match="not an e-mail message"):
        parse("binary-garbage.eml")


@pytest.mark.parametrize("raw", [b"", b"\r\n\r\n", b"   \n"])
def test_empty_input_is_malformed(raw):
    with pytest.raises(MalformedMessage, match="empty"):
        parse_message(raw)


def test_an_unexpected_error_inside_the_parser_becomes_malformed_message(monkeypatch):
    class BrokenParser:
        def __init__(self, policy):
            pass

        def parsebytes(self, raw):
            raise IndexError("list index out of range")

    monkeypatch.setattr(messages, "BytesParser", BrokenParser)

    with pytest.raises(MalformedMessage, match=r"could not be parsed.*IndexError"):
        parse("signature.eml")


def test_a_message_nested_too_deep_is_malformed():
    depth = 30
    raw = b"From: a@example.dk\n"
    for level in range(depth):
        raw += b'Content-Type: multipart/mixed; boundary="b%d"\n\n--b%d\n' % (level, level)
    raw += b"Content-Type: text/plain\n\nHej\n"

    with pytest.raises(MalformedMessage, match="more than 20 deep"):
        parse_message(raw)


def test_the_raw_message_must_be_bytes():
    with pytest.raises(TypeError, match="bytes"):
        parse_message("From: a@example.dk\n\nHej")


# HTML to text ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("html", "text"),
    [
        ("<p>Et</p><p>To<br>Tre</p>", "Et\n\nTo\nTre"),
        ("<div>Hej</div><div><br></div><div>Tekst</div>", "Hej\n\nTekst"),
        ("<ul><li>En<ul><li>Under</li></ul></li><li>To</li></ul>", "- En\n  - Under\n- To"),
        (
            "<blockquote><p>Citat<br>linje 2</p></blockquote><p>Svar</p>",
            "> Citat\n> linje 2\n\nSvar",
        ),
        ("<pre>  a\n    b</pre>", "  a\n    b"),
        ('<a href="https://a.dk/x/">https://a.dk/x</a>', "https://a.dk/x"),
        ('<a href="mailto:mia@ruc.dk">Skriv</a> <a href="#top">top</a>', "Skriv (mia@ruc.dk) top"),
        ("<style>p{}</style><script>x()</script><p>Synlig &amp; &oslash;&#229;</p>", "Synlig & øå"),
        ("<head><title>Titel</title><body>Uden lukket head", "Uden lukket head"),
        ("<div>-- <br>Navn</div>", "-- \nNavn"),
        ("", ""),
    ],
)
def test_html_to_text_renders_what_a_reader_sees(html, text):
    assert html_to_text(html) == text


# Which question ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("subject", "number"),
    [
        ("[MIA-3] Innovation i praksis", 3),
        ("SV: [mia 3] Innovation", 3),
        ("[Mia3]", 3),
        ("Re: [ MIA - 12 ] svar", 12),
        ("Spørgsmål 3", 3),
        ("Kommentar til spørgsmål nr. 4", 4),
        ("SPØRGSMÅL NR 7", 7),
        ("Reply to question 5", 5),
        ("Kommentar til spoergsmaal 2", 2),
        ("Question #8", 8),
        ("Spørgsma\u030al 6 (as macOS writes it)", 6),
    ],
)
def test_a_question_is_named_by_tag_or_words_in_the_subject(subject, number):
    assert find_question_reference(subject, "") == QuestionReference(number=number, slug=None)


@pytest.mark.parametrize(
    "text",
    [
        "Se https://mia.example.dk/debat/ledelse-og-innovation/ tak",
        "Se <https://MIA.example.dk/en/debat/ledelse-og-innovation/>",
        "http://127.0.0.1:8000/debat/ledelse-og-innovation",
        "(mia.example.dk/debat/ledelse-og-innovation/#svar)",
        "Siden /en/debat/ledelse-og-innovation/ er god",
    ],
)
def test_a_question_is_named_by_its_page_address_in_the_body(text):
    assert find_question_reference("Kommentar", text) == QuestionReference(
        number=None, slug="ledelse-og-innovation"
    )


def test_a_question_page_address_in_the_subject_counts():
    reference = find_question_reference("https://mia.example.dk/debat/tillid/", "")

    assert reference == QuestionReference(number=None, slug="tillid")


@pytest.mark.parametrize(
    ("subject", "text", "expected"),
    [
        ("Spørgsmål 2 [MIA-4]", "", QuestionReference(4, None)),
        ("[MIA-1] og [MIA-2]", "", QuestionReference(1, None)),
        ("spørgsmål 2", "https://mia.example.dk/debat/tillid/", QuestionReference(2, None)),
        ("https://x.dk/debat/a/", "https://x.dk/debat/b/", QuestionReference(None, "a")),
        ("Kommentar", "/debat/a/ og /debat/b/", QuestionReference(None, "a")),
    ],
)
def test_subject_tags_win_then_words_then_the_first_address(subject, text, expected):
    assert find_question_reference(subject, text) == expected


@pytest.mark.parametrize(
    ("subject", "text"),
    [
        ("[MIA-0]", ""),
        ("[MIA-100]", ""),
        ("MIA 5 konklusioner", ""),
        ("Spørgsmål 123", ""),
        ("Underspørgsmål 3", ""),
        ("Kommentar", "Om spørgsmål 3 og [MIA-3] i brødteksten"),
        ("Kommentar", "https://mia.example.dk/debat/Ledelse/"),
        ("Kommentar", "https://mia.example.dk/andet/debat/tillid/"),
        ("Kommentar", "https://mia.example.dk/debatter/tillid/"),
    ],
)
def test_anything_else_names_no_question(subject, text):
    assert find_question_reference(subject, text) == QuestionReference(None, None)


def test_a_parsed_html_mail_names_the_question_its_link_points_to():
    mail = parse("html-only.eml")

    assert find_question_reference(mail.subject, mail.text).slug == "ledelse-og-innovation"


# Local sources -----------------------------------------------------------------------------------


def test_a_directory_yields_its_eml_files_sorted_and_nothing_else(tmp_path):
    (tmp_path / "b.eml").write_bytes(b"B")
    (tmp_path / "a.EML").write_bytes(b"A")
    (tmp_path / "notes.txt").write_bytes(b"not mail")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "c.eml").write_bytes(b"C")

    messages = list(read_source(tmp_path))

    assert [(m.key, m.raw) for m in messages] == [
        (str(tmp_path / "a.EML"), b"A"),
        (str(tmp_path / "b.eml"), b"B"),
    ]


def test_a_single_eml_file_yields_that_message():
    [message] = read_source(MAIL / "signature.eml")

    assert message.key == str(MAIL / "signature.eml")
    assert parse_message(message.raw).sender_address == "pholm@ruc.dk"


def test_an_mbox_file_yields_its_three_messages_in_order():
    path = MAIL / "inbox.mbox"

    messages = list(read_source(path))

    assert [m.key for m in messages] == [f"{path}#0", f"{path}#1", f"{path}#2"]
    mails = [parse_message(m.raw) for m in messages]
    assert [(m.subject, m.sender_name) for m in mails] == [
        ("Første", "Anne Sørensen"),
        ("Anden", "Peter Holm"),
        ("Tredje", "Lise"),
    ]
    # mbox quotes a body line starting with "From "; the reader leaves the quoting as it is.
    assert mails[1].text == "Anden besked.\n>From the workshop, with love."


def test_a_file_that_is_neither_eml_nor_mbox_is_refused(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("Hej\n")

    with pytest.raises(ValueError, match=r"neither a \.eml file nor an mbox"):
        list(read_source(path))


def test_a_missing_source_raises_file_not_found_naming_the_path(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"mail source does not exist.*nowhere"):
        list(read_source(tmp_path / "nowhere"))


@pytest.fixture
def maildir(tmp_path):
    """A Maildir with one new message and one read and flagged ("F") message in cur/."""
    path = tmp_path / "Maildir"
    box = mailbox.Maildir(path, factory=None, create=True)
    box.add((MAIL / "signature.eml").read_bytes())
    old = mailbox.MaildirMessage((MAIL / "encoded-headers-q.eml").read_bytes())
    old.set_subdir("cur")
    old.set_flags("F")
    box.add(old)
    return path


def maildir_files(path):
    """Every file in the Maildir, as "sub/name"."""
    return sorted(
        f"{sub}/{name}" for sub in ("new", "cur", "tmp") for name in os.listdir(path / sub)
    )


def test_a_maildir_yields_new_messages_then_those_in_cur(maildir):
    [new, old] = read_source(maildir)

    assert Path(new.key).parent == maildir / "new"
    assert Path(old.key).parent == maildir / "cur"
    assert Path(old.key).name.endswith(":2,F")
    assert new.raw == (MAIL / "signature.eml").read_bytes()
    assert parse_message(old.raw).sender_name == "Søren Æblerød"


def test_marking_a_maildir_message_moves_it_to_cur_with_the_seen_flag(maildir):
    [new, old] = read_source(maildir)
    unique = Path(new.key).name

    mark_maildir_processed(maildir, new.key)
    mark_maildir_processed(maildir, old.key)

    old_unique = Path(old.key).name.split(":")[0]
    assert maildir_files(maildir) == sorted([f"cur/{unique}:2,S", f"cur/{old_unique}:2,FS"])
    moved = maildir / "cur" / f"{unique}:2,S"
    assert moved.read_bytes() == new.raw


def test_marking_a_maildir_message_twice_changes_nothing_and_deletes_nothing(maildir):
    [new, _] = read_source(maildir)
    mark_maildir_processed(maildir, new.key)
    after_first = maildir_files(maildir)

    mark_maildir_processed(maildir, new.key)

    assert maildir_files(maildir) == after_first
    assert len(after_first) == 2


def test_marking_refuses_a_file_outside_the_maildir(maildir, tmp_path):
    stray = tmp_path / "new" / "stray"
    stray.parent.mkdir()
    stray.write_bytes(b"x")

    with pytest.raises(ValueError, match="not a message of the Maildir"):
        mark_maildir_processed(maildir, str(stray))
    assert stray.exists()


# IMAP --------------------------------------------------------------------------------------------


def test_an_imaps_url_gives_every_setting_percent_decoded():
    settings = parse_imap_url(
        "imaps://debat%40mia.example.dk:p%40ss%3Aw%C3%B8rd@Imap.Example.DK:1993/"
        "Indl%C3%A6g%20til%20MIA?processed=Behandlet"
    )

    assert (settings.host, settings.port) == ("imap.example.dk", 1993)
    assert (settings.user, settings.password) == ("debat@mia.example.dk", "p@ss:wørd")
    assert (settings.mailbox, settings.processed_folder) == ("Indlæg til MIA", "Behandlet")
    assert "wørd" not in repr(settings)


def test_an_imaps_url_defaults_to_inbox_on_port_993():
    settings = parse_imap_url("imaps://debat:hemmeligt@imap.example.dk")

    assert (settings.port, settings.mailbox, settings.processed_folder) == (993, "INBOX", None)


def test_plain_imap_is_refused_because_tls_is_required():
    with pytest.raises(ValueError, match="TLS is required"):
        parse_imap_url("imap://debat:hemmeligt@imap.example.dk/INBOX")


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("https://debat:hemmeligt@imap.example.dk/", "must be an imaps:// URL"),
        ("imaps://imap.example.dk/INBOX", "needs a user and a password"),
        ("imaps://debat@imap.example.dk/INBOX", "needs a user and a password"),
        ("imaps://debat:x@imap.example.dk:99999/", "invalid port"),
        ("imaps://debat:x@imap.example.dk/?processd=Behandlet", "unknown parameter.*processd"),
    ],
)
def test_a_bad_imaps_url_is_refused_with_a_reason(url, reason):
    with pytest.raises(ValueError, match=reason):
        parse_imap_url(url)


MESSAGE_7 = (MAIL / "signature.eml").read_bytes()
MESSAGE_9 = (MAIL / "pdf-attachment.eml").read_bytes()


@pytest.fixture
def imap_server(monkeypatch):
    server = FakeImapServer(
        {"7": MESSAGE_7, "9": MESSAGE_9}, mailboxes=['"INBOX"', '"Behandlede indl&AOY-g"']
    )
    monkeypatch.setattr(sources.imaplib, "IMAP4_SSL", server.connect)
    return server


def test_imap_fetches_unread_messages_with_body_peek_over_verified_tls(imap_server):
    with ImapSource("imaps://debat:hemmeligt@imap.example.dk/INBOX") as source:
        messages = list(source.messages())

    [connection] = imap_server.connections
    assert messages == [("7", MESSAGE_7), ("9", MESSAGE_9)]
    assert (connection.host, connection.port) == ("imap.example.dk", 993)
    assert isinstance(connection.ssl_context, ssl.SSLContext)
    assert connection.ssl_context.verify_mode == ssl.CERT_REQUIRED
    assert connection.ssl_context.check_hostname
    assert connection.commands[:3] == [
        ("LOGIN", "debat", "hemmeligt"),
        ("SELECT", '"INBOX"'),
        ("UID", "SEARCH", "UNSEEN"),
    ]
    fetches = [c[2:] for c in connection.commands if c[:2] == ("UID", "FETCH")]
    assert fetches == [("7", "(BODY.PEEK[])"), ("9", "(BODY.PEEK[])")]
    assert imap_server.seen == set()
    assert connection.commands[-1] == ("LOGOUT",)


def test_imap_marks_a_processed_message_seen_and_never_deletes(imap_server):
    url = "imaps://debat:hemmeligt@imap.example.dk/INBOX?processed=Behandlede%20indl%C3%A6g"
    with ImapSource(url) as source:
        for uid, _raw in source.messages():
            if uid == "7":
                source.mark_processed(uid)
    with ImapSource(url) as source:
        remaining = [uid for uid, _raw in source.messages()]

    first, _second = imap_server.connections
    assert ("UID", "STORE", "7", "+FLAGS", "(\\Seen)") in first.commands
    assert ("UID", "COPY", "7", '"Behandlede indl&AOY-g"') in first.commands
    assert remaining == ["9"]
    assert set(imap_server.messages) == {"7", "9"}
    words = imap_server.every_command_word().upper()
    assert "DELETED" not in words
    assert "EXPUNGE" not in words
    assert "CLOSE" not in words


def test_imap_skips_a_message_that_vanished_before_it_was_fetched(imap_server):
    with ImapSource("imaps://debat:hemmeligt@imap.example.dk") as source:
        messages = source.messages()
        first = next(messages)
        del imap_server.messages["9"]
        rest = list(messages)

    assert (first, rest) == (("7", MESSAGE_7), [])


def test_imap_logs_in_with_sasl_plain_when_the_password_is_not_ascii(imap_server):
    with ImapSource("imaps://debat:bl%C3%A5b%C3%A6r@imap.example.dk"):
        pass

    [connection] = imap_server.connections
    assert connection.commands[0] == ("AUTHENTICATE", "PLAIN", "\0debat\0blåbær".encode())


def test_imap_reports_a_missing_mailbox_and_still_logs_out(imap_server):
    with (
        pytest.raises(imaplib.IMAP4.error, match="cannot open the mailbox 'Arkiv'"),
        ImapSource("imaps://debat:hemmeligt@imap.example.dk/Arkiv"),
    ):
        pass

    assert imap_server.connections[0].commands[-1] == ("LOGOUT",)


def test_imap_source_must_be_used_in_a_with_block():
    source = ImapSource("imaps://debat:hemmeligt@imap.example.dk")

    with pytest.raises(RuntimeError, match="with"):
        list(source.messages())


@pytest.mark.parametrize(
    ("name", "reason"),
    [("out-of-office.eml", "Auto-Submitted: auto-replied"), ("bounce.eml", "delivery report")],
)
def test_automatic_mail_is_recognised_so_it_is_never_answered(name, reason):
    with pytest.raises(AutomaticMessage, match=reason):
        parse_message((MAIL / name).read_bytes())
