"""
Taking in one mail: real messages from mail/ (and a few written here) handed to `take_in_mail`,
as the mail import and any other way mail arrives hand them over.
"""

import email
import hashlib
from email import policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from django.core import mail as django_mail
from django.utils import translation

from debates.models import Contribution, Question
from moderation import services
from moderation.models import OutgoingMail
from moderation.services.intake import Outcome, take_in_mail
from tests.factories import PDF_BYTES
from tests.mail import links, mails_to, parse, path_of

MAIL = Path(__file__).parent / "mail"


def corpus(name):
    return (MAIL / name).read_bytes()


def a_mail(
    *,
    subject="Kommentar",
    body="Jeg har en kommentar til konklusionerne.",
    sender="Lene Lund <lene@example.dk>",
    message_id="<kommentar@example.dk>",
    pdfs=(),
):
    """A message as Python's mail library writes it."""
    message = EmailMessage()
    message["From"] = sender
    message["Subject"] = subject
    if message_id:
        message["Message-ID"] = message_id
    message.set_content(body)
    for filename, data in pdfs:
        message.add_attachment(data, maintype="application", subtype="pdf", filename=filename)
    return bytes(message)


@pytest.fixture
def take_in(seeded, django_capture_on_commit_callbacks):
    """
    Take one mail in on the seeded site, sending its confirmation mail as the commit would.

    The intake notes and reasons are translatable; the tests read the English.
    """

    def run(raw, *, dry_run=False):
        with django_capture_on_commit_callbacks(execute=True), translation.override("en"):
            return take_in_mail(raw=raw, dry_run=dry_run)

    return run


def the_contribution():
    return Contribution.objects.select_related("question").get()


def attached_bytes(name):
    """The first attachment of a corpus message, decoded by the standard library alone."""
    message = email.message_from_bytes(corpus(name), policy=policy.default)
    return next(message.iter_attachments()).get_content()


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
def test_each_kind_of_mail_body_is_stored_as_the_text_its_sender_wrote(take_in, name, text):
    intake = take_in(corpus(name))

    contribution = the_contribution()
    assert (contribution.body, contribution.original_body) == (text, text)
    assert (intake.outcome, intake.contribution, intake.text_length) == (
        Outcome.TAKEN_IN,
        contribution,
        len(text),
    )


@pytest.mark.parametrize(
    ("raw", "author_name", "author_email", "title"),
    [
        (
            corpus("encoded-headers-q.eml"),
            "Søren Æblerød",
            "soren.aeblerod@example.dk",
            "Spørgsmål 3: Ændring af praksis",
        ),
        (
            corpus("encoded-headers-b.eml"),
            "Åsa Østergård",
            "asa.ostergaard@gmail.com",
            "Bidrag til debatten om ledelse, tillid og økonomistyring i den offentlige sektor – "
            "set fra en kommune på Sjælland",
        ),
        (
            corpus("raw-utf8-headers.eml"),
            "Søren Æblerød",
            "soren@aeblerod.dk",
            "Spørgsmål 5 – én kommentar",
        ),
        (corpus("iso-8859-1.eml"), "Bent Frølund", "bent@frolund.dk", "Blå bog om forvaltning"),
        (
            corpus("outlook-alternative.eml"),
            "Hansen, Mette",
            "mette.hansen@fm.dk",
            "Innovation i praksis",
        ),
        (
            corpus("thunderbird-utf8-flowed.eml"),
            "Lise Grønbæk",
            "lise@uni.example.dk",
            "Styring og tillid",
        ),
        # Without a display name, the sender is named by the part of the address before the @.
        (
            a_mail(sender="karen.vest@example.dk"),
            "karen.vest",
            "karen.vest@example.dk",
            "Kommentar",
        ),
    ],
)
def test_the_sender_and_the_subject_give_the_danish_name_and_title_exactly(
    take_in, raw, author_name, author_email, title
):
    take_in(raw)

    contribution = the_contribution()
    assert (contribution.author_name, contribution.author_email, contribution.title) == (
        author_name,
        author_email,
        title,
    )


@pytest.mark.parametrize(
    ("subject", "title"),
    [
        ("SV: Re: [MIA-2]  Lederens   roller", "Lederens roller"),
        ("Fwd: AW: WG: Vs: VS: Fw: RE: sv: Svar", "Svar"),
        ("Re[2]: Re:Hej", "Hej"),
        ("[mia 3] Re: Efterligning", "Efterligning"),
        ("[MIA-42] Hej", "Hej"),
        ("Svar til Re: noget", "Svar til Re: noget"),
        ("Sverige og Danmark", "Sverige og Danmark"),
        ("Re: " + "ø" * 250, "ø" * 200),
        ("", ""),
    ],
)
def test_the_title_is_the_subject_without_its_question_tag_and_reply_prefixes(
    take_in, subject, title
):
    take_in(a_mail(subject=subject))

    assert the_contribution().title == title


# Attachments -------------------------------------------------------------------------------------


def test_a_pdf_attachment_is_stored_and_downloadable_once_published(take_in, client, webmaster):
    intake = take_in(corpus("pdf-attachment.eml"))

    contribution = the_contribution()
    assert intake.has_paper
    assert contribution.attachment_name == "Bidrag til spørgsmål 3.pdf"
    assert contribution.intake_note == ""
    services.confirm_contribution(contribution=contribution)
    services.publish(contribution=contribution, actor=webmaster)
    response = client.get(f"/indlaeg/{contribution.pk}/pdf/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == attached_bytes("pdf-attachment.eml")
    assert "Bidrag%20til%20sp%C3%B8rgsm%C3%A5l%203.pdf" in response["Content-Disposition"]


def test_a_pdf_sent_as_octet_stream_is_stored_as_the_paper(take_in):
    take_in(corpus("outlook-pdf-octet-stream.eml"))

    contribution = the_contribution()
    assert contribution.attachment_name == "Høringssvar – MIA.pdf"
    with contribution.attachment.open("rb") as stored:
        assert stored.read() == attached_bytes("outlook-pdf-octet-stream.eml")


def test_only_the_first_pdf_is_kept_and_the_others_are_named_in_the_note(take_in):
    take_in(a_mail(pdfs=[("første.pdf", PDF_BYTES), ("anden.pdf", PDF_BYTES)]))

    contribution = the_contribution()
    assert contribution.attachment_name == "første.pdf"
    with contribution.attachment.open("rb") as stored:
        assert stored.read() == PDF_BYTES
    assert contribution.intake_note.splitlines()[-1] == (
        "Dropped attachment: anden.pdf (only one paper per contribution is kept)"
    )


@pytest.mark.parametrize(
    ("name", "note"),
    [
        ("zip-named-paper-pdf.eml", "Dropped attachment: paper.pdf (not a PDF by its content)"),
        ("nested-thunderbird.eml", "Dropped attachment: photo.jpg (image/jpeg)"),
    ],
)
def test_an_attachment_that_is_no_pdf_is_not_stored_and_the_note_names_it(take_in, name, note):
    intake = take_in(corpus(name))

    contribution = the_contribution()
    assert not intake.has_paper
    assert (contribution.attachment, contribution.attachment_name) == ("", "")
    assert note in contribution.intake_note.splitlines()


def test_a_pdf_over_the_size_limit_is_dropped_with_a_note_and_the_text_is_kept(
    take_in, settings, tmp_path
):
    settings.MIA_MAX_ATTACHMENT_MB = 0

    take_in(corpus("pdf-attachment.eml"))

    contribution = the_contribution()
    assert not contribution.attachment
    assert contribution.body == "Hermed mit paper til spørgsmål 3.\n\nLise"
    assert contribution.intake_note.startswith("Dropped attachment: Bidrag til spørgsmål 3.pdf (")
    assert "over the 0 MB limit" in contribution.intake_note
    assert not any(p.is_file() for p in (tmp_path / "media").rglob("*"))


def test_a_text_longer_than_the_web_form_allows_is_kept_in_full_with_a_note(take_in, settings):
    settings.MIA_MAX_TEXT_CHARS = 50
    text = "Økonomistyring kræver tillid. " * 4

    take_in(a_mail(body=text))

    contribution = the_contribution()
    assert contribution.body == text.strip()
    assert contribution.intake_note.splitlines()[-1] == (
        "The text is 119 characters long, more than the 50 the web form allows; "
        "it was kept in full."
    )


# Which question ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "slug"),
    [
        (corpus("outlook-alternative.eml"), "efterligning"),  # "SV: [MIA-3] Innovation i praksis"
        (corpus("apple-mail-quoted-printable.eml"), "paa-tvaers-af-siloer"),  # "spørgsmål nr. 4"
        (
            a_mail(body="Se https://mia.example.dk/debat/lokale-oekonomistyringsmodeller/ – nej."),
            "lokale-oekonomistyringsmodeller",
        ),
    ],
)
def test_a_mail_naming_an_open_question_lands_on_it_without_a_note(take_in, raw, slug):
    intake = take_in(raw)

    contribution = the_contribution()
    assert (contribution.question.slug, contribution.intake_note) == (slug, "")
    assert intake.question == contribution.question


@pytest.mark.parametrize(
    ("raw", "closed", "note"),
    [
        (corpus("gmail-base64.eml"), (), "No question named; put in the general debate."),
        (
            corpus("outlook-alternative.eml"),
            ("efterligning",),
            "Asked for question “Kan efterligning skabe innovation?”, which is closed; "
            "put in the general debate.",
        ),
        (
            a_mail(subject="[MIA-42] Hej"),
            (),
            "Asked for question 42, which does not exist; put in the general debate.",
        ),
        (
            corpus("html-only.eml"),  # links /debat/ledelse-og-innovation/
            (),
            "Asked for the question page “ledelse-og-innovation”, which does not exist; "
            "put in the general debate.",
        ),
    ],
)
def test_a_mail_naming_no_open_question_lands_in_the_general_debate_with_a_note_saying_why(
    take_in, raw, closed, note
):
    Question.objects.filter(slug__in=closed).update(is_open=False)

    intake = take_in(raw)

    contribution = the_contribution()
    assert (contribution.question.slug, contribution.intake_note) == ("generel-debat", note)
    assert intake.question == contribution.question


def test_the_note_is_written_in_danish_for_the_webmaster(
    seeded, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        take_in_mail(raw=corpus("gmail-base64.eml"))

    assert the_contribution().intake_note == "Intet spørgsmål angivet; lagt i den generelle debat."


def test_a_mail_whose_question_closes_while_it_is_taken_in_is_skipped_with_the_reason(
    take_in, monkeypatch
):
    submit = services.submit_contribution

    def closing_first(**arguments):
        Question.objects.filter(pk=arguments["question"].pk).update(is_open=False)
        arguments["question"].refresh_from_db()
        return submit(**arguments)

    monkeypatch.setattr(services, "submit_contribution", closing_first)

    intake = take_in(corpus("outlook-alternative.eml"))

    assert (intake.outcome, intake.reason) == (
        Outcome.SKIPPED,
        "“Kan efterligning skabe innovation?” is closed for new contributions.",
    )
    assert not intake.is_settled
    assert not Contribution.objects.exists()


# The contribution and its confirmation -----------------------------------------------------------


def test_a_mailed_contribution_waits_unconfirmed_and_the_sender_gets_a_working_link(
    take_in, client
):
    take_in(corpus("signature.eml"))

    contribution = the_contribution()
    assert contribution.status == Contribution.Status.UNCONFIRMED
    assert contribution.source == Contribution.Source.EMAIL
    assert contribution.message_id == "87y1a2b3c4.fsf@ruc.dk"
    [message] = mails_to(django_mail.outbox, "pholm@ruc.dk")
    assert "Peter Holm" in message.to[0]
    assert message.subject == "Bekræft dit indlæg til MIA-debatten"
    [link] = [url for url in links(message) if "/indlaeg/bekraeft/" in url]
    response = client.get(path_of(link))
    assert response.status_code == 200
    assert "Pointen er enkel -- tillid før kontrol." in response.content.decode()


def test_confirming_by_the_mailed_link_sends_the_contribution_to_the_editors(take_in, client):
    take_in(corpus("signature.eml"))
    [message] = mails_to(django_mail.outbox, "pholm@ruc.dk")
    [link] = [url for url in links(message) if "/indlaeg/bekraeft/" in url]

    client.post(path_of(link))

    assert the_contribution().status == Contribution.Status.PENDING


@pytest.mark.parametrize(
    ("site_language", "subject"),
    [
        ("da", "Bekræft dit indlæg til MIA-debatten"),
        ("en", "Confirm your contribution to the MIA debate"),
    ],
)
def test_a_mail_is_taken_in_and_answered_in_the_sites_default_language(
    take_in, settings, site_language, subject
):
    settings.LANGUAGE_CODE = site_language

    take_in(corpus("signature.eml"))

    assert the_contribution().language == site_language
    [message] = mails_to(django_mail.outbox, "pholm@ruc.dk")
    assert (message.subject, parse(message)["Content-Language"]) == (subject, site_language)


# Mail that is not taken in -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "closed", "reason"),
    [
        (corpus("no-from.eml"), (), "the message has no From header"),
        (
            corpus("gmail-base64.eml"),
            ("generel-debat",),
            "it names no open question, and there is no open general debate to put it in",
        ),
        (
            a_mail(body="", pdfs=[("stor.pdf", PDF_BYTES)]),
            (),  # with the size limit at 0 MB, the PDF is dropped and nothing is left
            "nothing is left to take in: the message has no text, and no PDF kept",
        ),
    ],
)
def test_a_mail_that_cannot_be_taken_in_is_skipped_with_the_reason_and_nothing_is_sent(
    take_in, settings, raw, closed, reason
):
    settings.MIA_MAX_ATTACHMENT_MB = 0
    Question.objects.filter(slug__in=closed).update(is_open=False)

    intake = take_in(raw)

    assert intake.outcome == Outcome.SKIPPED
    assert intake.reason.startswith(reason)
    assert not intake.is_settled
    assert not Contribution.objects.exists()
    assert not OutgoingMail.objects.exists()
    assert django_mail.outbox == []


@pytest.mark.parametrize("name", ["out-of-office.eml", "bounce.eml"])
def test_an_automatic_reply_is_ignored_and_never_answered(take_in, name):
    intake = take_in(corpus(name))

    assert intake.outcome == Outcome.IGNORED
    assert intake.is_settled
    assert not Contribution.objects.exists()
    assert django_mail.outbox == []


# Taken in once -----------------------------------------------------------------------------------


def test_two_copies_of_a_mail_with_the_same_message_id_give_one_contribution_and_one_mail(
    take_in,
):
    first = take_in(corpus("duplicate-message-id-a.eml"))
    second = take_in(corpus("duplicate-message-id-b.eml"))

    assert (first.outcome, second.outcome) == (Outcome.TAKEN_IN, Outcome.ALREADY_TAKEN_IN)
    assert second.is_settled
    assert Contribution.objects.get().author_email == "karen.vestergaard@gmail.com"
    assert len(mails_to(django_mail.outbox, "karen.vestergaard@gmail.com")) == 1


def test_a_mail_without_message_id_is_taken_in_once_by_its_content(take_in):
    raw = a_mail(message_id=None)

    take_in(raw)
    second = take_in(raw)

    assert the_contribution().message_id == "sha256:" + hashlib.sha256(raw).hexdigest()
    assert second.outcome == Outcome.ALREADY_TAKEN_IN
    assert len(django_mail.outbox) == 1


def test_a_message_id_too_long_to_store_is_hashed_and_still_names_the_mail(take_in):
    message_id = "x" * 1000 + "@example.dk"

    take_in(a_mail(message_id=f"<{message_id}>", body="Første afsendelse."))
    second = take_in(a_mail(message_id=f"<{message_id}>", body="Anden afsendelse."))

    assert the_contribution().message_id == (
        "sha256:" + hashlib.sha256(message_id.encode()).hexdigest()
    )
    assert second.outcome == Outcome.ALREADY_TAKEN_IN


def test_a_mail_taken_in_before_its_question_closed_is_still_known_as_taken_in(take_in):
    take_in(corpus("outlook-alternative.eml"))
    Question.objects.update(is_open=False)

    again = take_in(corpus("outlook-alternative.eml"))

    assert again.outcome == Outcome.ALREADY_TAKEN_IN
    assert again.is_settled


def test_a_mail_another_run_takes_in_at_the_same_moment_is_known_as_taken_in(take_in, monkeypatch):
    submit = services.submit_contribution

    def other_run_first(**arguments):
        submit(**arguments)
        return submit(**arguments)

    monkeypatch.setattr(services, "submit_contribution", other_run_first)

    intake = take_in(corpus("signature.eml"))

    assert intake.outcome == Outcome.ALREADY_TAKEN_IN
    assert Contribution.objects.count() == 1


# Dry run -----------------------------------------------------------------------------------------


def test_a_dry_run_says_where_the_mail_would_go_and_stores_and_sends_nothing(take_in, tmp_path):
    intake = take_in(corpus("pdf-attachment.eml"), dry_run=True)

    assert intake.outcome == Outcome.WOULD_TAKE_IN
    assert (intake.question.slug, intake.text_length, intake.has_paper) == (
        "efterligning",
        39,
        True,
    )
    assert not intake.is_settled
    assert not Contribution.objects.exists()
    assert not OutgoingMail.objects.exists()
    assert django_mail.outbox == []
    assert not any(p.is_file() for p in (tmp_path / "media").rglob("*"))


def test_a_dry_run_recognises_mail_that_was_taken_in_before(take_in):
    take_in(corpus("signature.eml"))

    intake = take_in(corpus("signature.eml"), dry_run=True)

    assert intake.outcome == Outcome.ALREADY_TAKEN_IN
    assert Contribution.objects.count() == 1
