"""
The mail intake command: real messages from mail/ (and a few written here) become contributions
through `ingest_mail`, exactly as the webmaster's cron job would run it.
"""

import email
import hashlib
import io
import mailbox
import os
import shutil
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from django.core import mail as django_mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from debates.models import Contribution, Question
from moderation import services
from moderation.intake import sources
from moderation.models import OutgoingMail
from tests.factories import PDF_BYTES
from tests.mail import links, mails_to, path_of
from tests.moderation.fake_imap import FakeImapServer

MAIL = Path(__file__).parent / "mail"


def summary(*, read, taken, already, skipped, failed, ignored=0, dry_run=False):
    """The command's last line, as the webmaster reads it."""
    done = "would be taken in" if dry_run else "taken in"
    return (
        f"Read {read} messages: {taken} {done}, {already} already taken in, "
        f"{ignored} automatic ignored, {skipped} skipped, {failed} failed."
    )


@dataclass
class Run:
    out: str
    err: str
    error: CommandError | None = None


@pytest.fixture
def ingest(seeded, django_capture_on_commit_callbacks):
    """
    Run `ingest_mail` on the seeded site and return what it printed.

    The confirmation mails are sent after commit, so the callbacks run as the command's own
    transactions would commit. The intake notes are translatable; the tests read the English.
    """

    def run(*args, fails=False):
        out, err = io.StringIO(), io.StringIO()
        with django_capture_on_commit_callbacks(execute=True), translation.override("en"):
            try:
                call_command("ingest_mail", *map(str, args), stdout=out, stderr=err)
            except CommandError as error:
                if not fails:
                    raise
                return Run(out.getvalue(), err.getvalue(), error)
        assert not fails, "the command should have failed"
        return Run(out.getvalue(), err.getvalue())

    return run


def write_mail(
    folder,
    name,
    *,
    subject="Kommentar",
    body="Jeg har en kommentar til konklusionerne.",
    sender="Lene Lund <lene@example.dk>",
    message_id="default",
    pdfs=(),
):
    """A message as Python's mail library writes it, saved as folder/name."""
    message = EmailMessage()
    message["From"] = sender
    message["Subject"] = subject
    if message_id:
        message["Message-ID"] = f"<{name}@example.dk>" if message_id == "default" else message_id
    message.set_content(body)
    for filename, data in pdfs:
        message.add_attachment(data, maintype="application", subtype="pdf", filename=filename)
    path = folder / name
    path.write_bytes(bytes(message))
    return path


def copy_mail(folder, *names):
    """Copy corpus messages into folder, numbered so they are read in the order given."""
    folder.mkdir(exist_ok=True)
    for number, name in enumerate(names, start=1):
        shutil.copy(MAIL / name, folder / f"{number}-{name}")
    return folder


def attached_bytes(name):
    """The first attachment of a corpus message, decoded by the standard library alone."""
    message = email.message_from_bytes((MAIL / name).read_bytes(), policy=policy.default)
    return next(message.iter_attachments()).get_content()


def the_contribution():
    return Contribution.objects.select_related("question").get()


# Bodies and headers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "text"),
    [
        (
            "outlook-alternative.eml",  # multipart/alternative, Windows-1252 quoted-printable
            "Hej\n\nTak for en god workshop. Jeg vil gerne kommentere spørgsmål 3 – det er et "
            "“godt” spørgsmål, og svaret koster ikke 5 €.\n\nMed venlig hilsen\nMette Hansen\n"
            "Fuldmægtig, Finansministeriet",
        ),
        (
            "html-only.eml",
            "Kære moderator,\n\nHer er mit bidrag til debatten om offentlig innovation.\n"
            "Tre pointer:\n\n- Ledelse & rum til at fejle\n- Borgerne skal inddrages\n"
            "- Evaluering – ikke kontrol\n\nSe spørgsmålets side "
            "(https://mia.example.dk/debat/ledelse-og-innovation/) og læs mere på RUC "
            "(https://ruc.dk/).\n\nMvh\nIda Kjær",
        ),
        (
            "nested-thunderbird.eml",
            "Kære moderator\n\nHer er et billede fra workshoppen på Roskilde Universitet, hvor vi "
            "diskuterede tillid og styring.\n\nVenlig hilsen\nPeter",
        ),
        (
            "apple-mail-quoted-printable.eml",
            "Hej,\n\nJeg synes, idéen om et fælles læringsrum for ministerierne er god, men den "
            "kræver at ledelsen tør give medarbejderne tid til at prøve noget nyt.\n\n"
            "Venlig hilsen\nJørgen Müller",
        ),
        (
            "gmail-base64.eml",
            "Hej MIA,\n\nØkonomistyrelsens oplæg om tværgående samarbejde var særligt "
            "interessant. Åbenhed og tillid går hånd i hånd.\n\nBedste hilsner\nAnne",
        ),
        (
            "iso-8859-1.eml",
            "Kære alle\n\nBlåbærgrød og ÆBLER, ØRRED og Å – samt café og Münter.\n\nBent",
        ),
        (
            "thunderbird-utf8-flowed.eml",
            "Jeg er enig i, at tillidsbaseret styring kræver mere end gode intentioner. Det "
            "kræver også, at økonomistyringen følger med, og at ministerierne deler erfaringer."
            "\n\nDen 18.03.2024 kl. 11:30 skrev Bent Frølund:\n> Blåbærgrød og ÆBLER, ØRRED og "
            "Å – samt café og Münter.\n\nLise",
        ),
    ],
)
def test_each_kind_of_mail_body_is_stored_as_the_text_its_sender_wrote(ingest, name, text):
    run = ingest(MAIL / name)

    contribution = the_contribution()
    assert contribution.body == text
    assert contribution.original_body == text
    assert f"taken in {MAIL / name} -> {contribution.question.title} ({len(text)} chars" in run.out


@pytest.mark.parametrize(
    ("name", "author_name", "author_email", "title"),
    [
        (
            "encoded-headers-q.eml",
            "Søren Æblerød",
            "soren.aeblerod@example.dk",
            "Spørgsmål 3: Ændring af praksis",
        ),
        (
            "encoded-headers-b.eml",
            "Åsa Østergård",
            "asa.ostergaard@gmail.com",
            "Bidrag til debatten om ledelse, tillid og økonomistyring i den offentlige sektor – "
            "set fra en kommune på Sjælland",
        ),
        (
            "raw-utf8-headers.eml",
            "Søren Æblerød",
            "soren@aeblerod.dk",
            "Spørgsmål 5 – én kommentar",
        ),
        ("iso-8859-1.eml", "Bent Frølund", "bent@frolund.dk", "Blå bog om forvaltning"),
        ("outlook-alternative.eml", "Hansen, Mette", "mette.hansen@fm.dk", "Innovation i praksis"),
        ("thunderbird-utf8-flowed.eml", "Lise Grønbæk", "lise@uni.example.dk", "Styring og tillid"),
    ],
)
def test_encoded_headers_give_the_danish_name_and_title_exactly(
    ingest, name, author_name, author_email, title
):
    ingest(MAIL / name)

    contribution = the_contribution()
    assert (contribution.author_name, contribution.author_email, contribution.title) == (
        author_name,
        author_email,
        title,
    )


def test_a_sender_without_a_display_name_is_named_by_the_local_part_of_the_address(
    ingest, tmp_path
):
    ingest(write_mail(tmp_path, "bare.eml", sender="karen.vest@example.dk"))

    assert the_contribution().author_name == "karen.vest"


@pytest.mark.parametrize(
    ("subject", "title"),
    [
        ("SV: Re: [MIA-2]  Lederens   roller", "Lederens roller"),
        ("Fwd: AW: WG: Vs: VS: Fw: RE: sv: Svar", "Svar"),
        ("Re[2]: Re:Hej", "Hej"),
        ("[mia 3] Re: Efterligning", "Efterligning"),
        ("Svar til Re: noget", "Svar til Re: noget"),
        ("Sverige og Danmark", "Sverige og Danmark"),
        ("Re: " + "ø" * 250, "ø" * 200),
        ("", ""),
    ],
)
def test_the_title_is_the_subject_without_its_question_tag_and_reply_prefixes(
    ingest, tmp_path, subject, title
):
    ingest(write_mail(tmp_path, "subject.eml", subject=subject))

    assert the_contribution().title == title


# Attachments -------------------------------------------------------------------------------------


def test_a_pdf_attachment_is_stored_and_downloadable_once_published(ingest, client, webmaster):
    run = ingest(MAIL / "pdf-attachment.eml")

    contribution = the_contribution()
    assert contribution.attachment_name == "Bidrag til spørgsmål 3.pdf"
    assert contribution.intake_note == ""
    assert "paper: yes" in run.out
    services.confirm_contribution(contribution=contribution)
    services.publish(contribution=contribution, actor=webmaster)
    response = client.get(f"/indlaeg/{contribution.pk}/pdf/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == attached_bytes("pdf-attachment.eml")
    assert "Bidrag%20til%20sp%C3%B8rgsm%C3%A5l%203.pdf" in response["Content-Disposition"]


def test_a_pdf_sent_as_octet_stream_is_stored_as_the_paper(ingest):
    ingest(MAIL / "outlook-pdf-octet-stream.eml")

    contribution = the_contribution()
    assert contribution.attachment_name == "Høringssvar – MIA.pdf"
    with contribution.attachment.open("rb") as stored:
        assert stored.read() == attached_bytes("outlook-pdf-octet-stream.eml")


def test_a_zip_named_pdf_is_not_stored_and_the_note_says_so(ingest):
    run = ingest(MAIL / "zip-named-paper-pdf.eml")

    contribution = the_contribution()
    assert not contribution.attachment
    assert contribution.attachment_name == ""
    assert contribution.body == "Her er mit paper."
    assert contribution.intake_note.splitlines()[-1] == (
        "Dropped attachment: paper.pdf (not a PDF by its content)"
    )
    assert "paper: no" in run.out


def test_a_photo_beside_the_text_is_named_in_the_note(ingest):
    ingest(MAIL / "nested-thunderbird.eml")

    assert "Dropped attachment: photo.jpg (image/jpeg)" in the_contribution().intake_note


def test_only_the_first_pdf_is_kept_and_the_others_are_named_in_the_note(ingest, tmp_path):
    path = write_mail(
        tmp_path, "two.eml", pdfs=[("første.pdf", PDF_BYTES), ("anden.pdf", PDF_BYTES)]
    )

    ingest(path)

    contribution = the_contribution()
    assert contribution.attachment_name == "første.pdf"
    assert (
        "Dropped attachment: anden.pdf (only one paper per contribution is kept)"
        in contribution.intake_note
    )


def test_a_pdf_over_the_size_limit_is_dropped_with_a_note_and_the_text_is_kept(
    ingest, settings, tmp_path
):
    settings.MIA_MAX_ATTACHMENT_MB = 0

    ingest(MAIL / "pdf-attachment.eml")

    contribution = the_contribution()
    assert not contribution.attachment
    assert contribution.body == "Hermed mit paper til spørgsmål 3.\n\nLise"
    assert contribution.intake_note.startswith("Dropped attachment: Bidrag til spørgsmål 3.pdf (")
    assert "over the 0 MB limit" in contribution.intake_note
    assert not any(p.is_file() for p in (tmp_path / "media").rglob("*"))


def test_a_mail_whose_only_content_is_a_pdf_over_the_limit_is_skipped(ingest, settings, tmp_path):
    settings.MIA_MAX_ATTACHMENT_MB = 0
    path = write_mail(tmp_path, "only-pdf.eml", body="", pdfs=[("stor.pdf", PDF_BYTES)])

    run = ingest(path)

    assert not Contribution.objects.exists()
    assert f"skipped {path}: nothing is left to take in" in run.err


def test_a_text_longer_than_the_web_form_allows_is_kept_in_full_with_a_note(
    ingest, settings, tmp_path
):
    settings.MIA_MAX_TEXT_CHARS = 50
    text = "Økonomistyring kræver tillid. " * 4

    ingest(write_mail(tmp_path, "long.eml", body=text))

    contribution = the_contribution()
    assert contribution.body == text.strip()
    assert contribution.intake_note.splitlines()[-1] == (
        "The text is 119 characters long, more than the 50 the web form allows; "
        "it was kept in full."
    )


# Which question ----------------------------------------------------------------------------------


def test_a_question_tag_in_the_subject_puts_the_mail_under_that_question(ingest):
    ingest(MAIL / "outlook-alternative.eml")  # "SV: [MIA-3] Innovation i praksis"

    contribution = the_contribution()
    assert contribution.question.slug == "efterligning"
    assert contribution.intake_note == ""


def test_a_question_number_in_words_in_the_subject_counts(ingest):
    ingest(MAIL / "apple-mail-quoted-printable.eml")  # "Kommentar til spørgsmål nr. 4"

    assert the_contribution().question.slug == "paa-tvaers-af-siloer"


def test_a_question_address_in_the_body_puts_the_mail_under_that_question(ingest, tmp_path):
    body = "Se https://mia.example.dk/debat/lokale-oekonomistyringsmodeller/ – jeg er uenig."

    ingest(write_mail(tmp_path, "address.eml", body=body))

    contribution = the_contribution()
    assert contribution.question.slug == "lokale-oekonomistyringsmodeller"
    assert contribution.intake_note == ""


def test_a_mail_naming_no_question_goes_to_the_general_debate_with_a_note(ingest):
    ingest(MAIL / "gmail-base64.eml")

    contribution = the_contribution()
    assert contribution.question.slug == "generel-debat"
    assert contribution.intake_note == "No question named; put in the general debate."


def test_a_mail_naming_a_closed_question_goes_to_the_general_debate_with_a_note(ingest):
    Question.objects.filter(slug="efterligning").update(is_open=False)

    ingest(MAIL / "outlook-alternative.eml")

    contribution = the_contribution()
    assert contribution.question.slug == "generel-debat"
    assert contribution.intake_note == (
        "Asked for question “Kan efterligning skabe innovation?”, which is closed; "
        "put in the general debate."
    )


def test_a_mail_naming_an_unknown_number_goes_to_the_general_debate_with_a_note(ingest, tmp_path):
    ingest(write_mail(tmp_path, "unknown.eml", subject="[MIA-42] Hej"))

    contribution = the_contribution()
    assert contribution.question.slug == "generel-debat"
    assert contribution.title == "Hej"
    assert contribution.intake_note == (
        "Asked for question 42, which does not exist; put in the general debate."
    )


def test_a_mail_linking_an_unknown_question_page_goes_to_the_general_debate_with_a_note(ingest):
    ingest(MAIL / "html-only.eml")  # links /debat/ledelse-og-innovation/

    contribution = the_contribution()
    assert contribution.question.slug == "generel-debat"
    assert contribution.intake_note == (
        "Asked for the question page “ledelse-og-innovation”, which does not exist; "
        "put in the general debate."
    )


def test_a_mail_with_nowhere_open_to_go_is_skipped_and_left_in_the_maildir(ingest, tmp_path):
    Question.objects.filter(slug="generel-debat").update(is_open=False)
    box = mailbox.Maildir(tmp_path / "Maildir", factory=None, create=True)
    box.add((MAIL / "gmail-base64.eml").read_bytes())

    run = ingest(tmp_path / "Maildir")

    assert not Contribution.objects.exists()
    assert "there is no open general debate" in run.err
    assert len(os.listdir(tmp_path / "Maildir" / "new")) == 1


# The contribution and its confirmation -----------------------------------------------------------


def test_a_mailed_contribution_waits_unconfirmed_and_the_sender_gets_a_working_link(ingest, client):
    ingest(MAIL / "signature.eml")

    contribution = the_contribution()
    assert contribution.status == Contribution.Status.UNCONFIRMED
    assert contribution.source == Contribution.Source.EMAIL
    assert contribution.language == "da"
    assert contribution.message_id == "87y1a2b3c4.fsf@ruc.dk"
    [message] = mails_to(django_mail.outbox, "pholm@ruc.dk")
    assert "Peter Holm" in message.to[0]
    [link] = [url for url in links(message) if "/indlaeg/bekraeft/" in url]
    response = client.get(path_of(link))
    assert response.status_code == 200
    assert "Pointen er enkel -- tillid før kontrol." in response.content.decode()


def test_confirming_by_the_mailed_link_sends_the_contribution_to_the_editors(ingest, client):
    ingest(MAIL / "signature.eml")
    [message] = mails_to(django_mail.outbox, "pholm@ruc.dk")
    [link] = [url for url in links(message) if "/indlaeg/bekraeft/" in url]

    client.post(path_of(link))

    assert the_contribution().status == Contribution.Status.PENDING


# Messages that cannot be taken in ----------------------------------------------------------------


def test_a_mail_without_from_is_skipped_and_nothing_is_stored(ingest):
    run = ingest(MAIL / "no-from.eml")

    assert not Contribution.objects.exists()
    assert not OutgoingMail.objects.exists()
    assert f"skipped {MAIL / 'no-from.eml'}: the message has no From header" in run.err
    assert summary(read=1, taken=0, already=0, skipped=1, failed=0) in run.out


def test_a_truncated_mail_never_stops_the_run(ingest, tmp_path):
    folder = copy_mail(
        tmp_path / "mail", "truncated-in-headers.eml", "truncated-in-pdf.eml", "signature.eml"
    )

    run = ingest(folder)

    assert f"skipped {folder / '1-truncated-in-headers.eml'}: the header section is broken" in (
        run.err
    )
    cut_short, whole = Contribution.objects.order_by("pk")
    # Cut off inside its PDF: the text is taken in, the broken PDF only named in the note.
    assert cut_short.body == "Hermed mit paper til spørgsmål 3.\n\nLise"
    assert not cut_short.attachment
    assert "Bidrag til spørgsmål 3.pdf (an incomplete PDF" in cut_short.intake_note
    assert whole.author_email == "pholm@ruc.dk"
    assert summary(read=3, taken=2, already=0, skipped=1, failed=0) in run.out


def test_an_unexpected_error_on_one_mail_is_reported_and_the_run_goes_on(
    ingest, tmp_path, monkeypatch
):
    submit = services.submit_contribution

    def broken_for_peter(**arguments):
        if arguments["author_email"] == "pholm@ruc.dk":
            raise RuntimeError("the disk is full")
        return submit(**arguments)

    monkeypatch.setattr(services, "submit_contribution", broken_for_peter)
    folder = copy_mail(tmp_path / "mail", "signature.eml", "gmail-base64.eml")

    run = ingest(folder)

    assert f"failed {folder / '1-signature.eml'}: RuntimeError: the disk is full" in run.err
    assert the_contribution().author_email == "anne.sorensen@gmail.com"
    assert summary(read=2, taken=1, already=0, skipped=0, failed=1) in run.out


# Taken in once -----------------------------------------------------------------------------------


def test_two_files_with_the_same_message_id_give_one_contribution(ingest):
    run = ingest(MAIL / "duplicate-message-id-a.eml", MAIL / "duplicate-message-id-b.eml")

    assert Contribution.objects.count() == 1
    assert f"already taken in: {MAIL / 'duplicate-message-id-b.eml'}" in run.out
    assert len(django_mail.outbox) == 1
    assert summary(read=2, taken=1, already=1, skipped=0, failed=0) in run.out


def test_running_twice_on_the_same_mbox_takes_each_mail_in_once(ingest):
    ingest(MAIL / "inbox.mbox")
    second = ingest(MAIL / "inbox.mbox")

    assert sorted(Contribution.objects.values_list("title", flat=True)) == [
        "Anden",
        "Første",
        "Tredje",
    ]
    assert len(mails_to(django_mail.outbox, "anne.sorensen@gmail.com")) == 1
    assert OutgoingMail.objects.count() == 3
    assert summary(read=3, taken=0, already=3, skipped=0, failed=0) in second.out


def test_a_mail_without_message_id_is_taken_in_once_by_its_content(ingest, tmp_path):
    path = write_mail(tmp_path, "anonymous.eml", message_id=None)

    ingest(path)
    second = ingest(path)

    contribution = the_contribution()
    assert contribution.message_id == "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()
    assert f"already taken in: {path}" in second.out


# Maildir -----------------------------------------------------------------------------------------


@pytest.fixture
def maildir(tmp_path):
    """A Maildir with a good message and one without a From header, both new."""
    path = tmp_path / "Maildir"
    box = mailbox.Maildir(path, factory=None, create=True)
    good = box.add((MAIL / "signature.eml").read_bytes())
    bad = box.add((MAIL / "no-from.eml").read_bytes())
    return path, good, bad


def maildir_files(path):
    return sorted(
        f"{sub}/{name}" for sub in ("new", "cur", "tmp") for name in os.listdir(path / sub)
    )


def test_a_taken_in_maildir_message_moves_to_cur_as_seen_and_a_skipped_one_stays_new(
    ingest, maildir
):
    path, good, bad = maildir

    run = ingest(path)

    assert maildir_files(path) == [f"cur/{good}:2,S", f"new/{bad}"]
    assert (path / "cur" / f"{good}:2,S").read_bytes() == (MAIL / "signature.eml").read_bytes()
    assert the_contribution().author_email == "pholm@ruc.dk"
    assert summary(read=2, taken=1, already=0, skipped=1, failed=0) in run.out


def test_a_second_run_on_a_maildir_changes_nothing(ingest, maildir):
    path, _good, _bad = maildir
    ingest(path)
    after_first = maildir_files(path)

    second = ingest(path)

    assert maildir_files(path) == after_first
    assert Contribution.objects.count() == 1
    assert summary(read=2, taken=0, already=1, skipped=1, failed=0) in second.out


# Dry run and errors ------------------------------------------------------------------------------


def test_a_dry_run_reports_what_it_would_do_and_writes_sends_and_marks_nothing(
    ingest, maildir, tmp_path
):
    path, good, bad = maildir

    run = ingest(path, MAIL / "pdf-attachment.eml", "--dry-run")

    assert not Contribution.objects.exists()
    assert not OutgoingMail.objects.exists()
    assert django_mail.outbox == []
    assert maildir_files(path) == sorted([f"new/{good}", f"new/{bad}"])
    assert not (tmp_path / "media").exists() or not any((tmp_path / "media").rglob("*.pdf"))
    assert (
        f"would take in {MAIL / 'pdf-attachment.eml'} -> Kan efterligning skabe innovation? "
        "(39 chars, paper: yes)"
    ) in run.out
    assert summary(read=3, taken=2, already=0, skipped=1, failed=0, dry_run=True) in (run.out)


def test_a_dry_run_recognises_mail_that_was_taken_in_before(ingest):
    ingest(MAIL / "signature.eml")

    run = ingest(MAIL / "signature.eml", "--dry-run")

    assert f"already taken in: {MAIL / 'signature.eml'}" in run.out


def test_a_missing_path_is_an_error_after_the_other_sources_are_taken_in(ingest, tmp_path):
    run = ingest(tmp_path / "nowhere", MAIL / "signature.eml", fails=True)

    assert str(tmp_path / "nowhere") in str(run.error)
    assert "cannot read" in run.err
    assert the_contribution().author_email == "pholm@ruc.dk"
    assert "Read 1 messages: 1 taken in" in run.out


def test_a_file_that_is_not_mail_is_an_error(ingest, tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("Husk mødet.\n")

    run = ingest(notes, fails=True)

    assert "neither a .eml file nor an mbox" in run.err


def test_no_source_at_all_is_an_error(db):
    with pytest.raises(CommandError, match="at least one SOURCE"):
        call_command("ingest_mail", stdout=io.StringIO(), stderr=io.StringIO())


def test_quiet_runs_print_only_the_problems(ingest, tmp_path):
    folder = copy_mail(tmp_path / "mail", "signature.eml")
    quiet = ingest(folder, "--verbosity", "0")
    assert (quiet.out, quiet.err) == ("", "")

    noisy = ingest(MAIL / "no-from.eml", "--verbosity", "0")
    assert "skipped" in noisy.err
    assert "1 skipped" in noisy.out


# IMAP --------------------------------------------------------------------------------------------

PASSWORD = "hemmeligt"
IMAP_URL = f"imaps://debat:{PASSWORD}@imap.example.dk/INBOX"


@pytest.fixture
def imap_server(monkeypatch):
    server = FakeImapServer(
        {
            "7": (MAIL / "signature.eml").read_bytes(),
            "8": (MAIL / "no-from.eml").read_bytes(),
            "9": (MAIL / "pdf-attachment.eml").read_bytes(),
        },
        password=PASSWORD,
        mailboxes=['"INBOX"', '"Behandlet"'],
    )
    monkeypatch.setattr(sources.imaplib, "IMAP4_SSL", server.connect)
    return server


def test_imap_mail_taken_in_is_marked_seen_a_skipped_one_stays_unread_and_none_is_deleted(
    ingest, imap_server
):
    run = ingest("--imap", f"{IMAP_URL}?processed=Behandlet")

    assert imap_server.seen == {"7", "9"}
    assert set(imap_server.messages) == {"7", "8", "9"}
    assert sorted(Contribution.objects.values_list("author_email", flat=True)) == [
        "lise@uni.example.dk",
        "pholm@ruc.dk",
    ]
    assert ("UID", "COPY", "9", '"Behandlet"') in imap_server.commands
    assert ("UID", "COPY", "8", '"Behandlet"') not in imap_server.commands
    words = " ".join(str(word) for command in imap_server.commands for word in command).upper()
    assert "DELETED" not in words
    assert "EXPUNGE" not in words
    assert "taken in imaps://debat@imap.example.dk/INBOX;UID=7 -> " in run.out
    assert "skipped imaps://debat@imap.example.dk/INBOX;UID=8: the message has no From" in run.err
    assert PASSWORD not in run.out + run.err
    assert summary(read=3, taken=2, already=0, skipped=1, failed=0) in run.out


def test_imap_mail_taken_in_before_is_marked_seen_and_not_stored_again(ingest, imap_server):
    ingest(MAIL / "signature.eml")

    run = ingest("--imap", IMAP_URL)

    assert "7" in imap_server.seen
    assert Contribution.objects.filter(author_email="pholm@ruc.dk").count() == 1
    assert "already taken in: imaps://debat@imap.example.dk/INBOX;UID=7" in run.out


def test_imap_url_can_come_from_the_environment(ingest, imap_server, monkeypatch):
    monkeypatch.setenv("MIA_INTAKE_IMAP", IMAP_URL)

    ingest("--imap-env", "MIA_INTAKE_IMAP")

    assert Contribution.objects.count() == 2


def test_an_imap_login_failure_is_an_error_that_does_not_print_the_password(ingest, imap_server):
    run = ingest("--imap", "imaps://debat:forkert-kode@imap.example.dk/INBOX", fails=True)

    assert "AUTHENTICATIONFAILED" in run.err
    assert "imaps://debat@imap.example.dk/INBOX" in str(run.error)
    assert "forkert-kode" not in run.out + run.err + str(run.error)
    assert not Contribution.objects.exists()
    assert "Read 0 messages" in run.out


def test_a_plain_imap_url_is_refused(ingest, imap_server):
    run = ingest("--imap", f"imap://debat:{PASSWORD}@imap.example.dk/INBOX", fails=True)

    assert "TLS is required" in run.err
    assert imap_server.commands == []


def test_automatic_replies_are_ignored_marked_read_and_never_answered(
    tmp_path, seeded, django_capture_on_commit_callbacks
):
    maildir = mailbox.Maildir(tmp_path / "Maildir", create=True)
    for name in ("out-of-office.eml", "bounce.eml"):
        maildir.add((MAIL / name).read_bytes())

    with django_capture_on_commit_callbacks(execute=True):
        out = io.StringIO()
        call_command("ingest_mail", str(tmp_path / "Maildir"), stdout=out, stderr=io.StringIO())

    assert summary(read=2, taken=0, already=0, skipped=0, failed=0, ignored=2) in out.getvalue()
    assert not Contribution.objects.exists()
    assert django_mail.outbox == []
    assert list((tmp_path / "Maildir" / "new").iterdir()) == []
