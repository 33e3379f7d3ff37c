"""The contributor's way in, through the web form and the confirmation link."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from debates.models import Contribution
from moderation.models import Decision, Subscription
from moderation.tokens import make_token
from tests.factories import PDF_BYTES, ZIP_BYTES, make_contribution
from tests.mail import links, parse, path_of

Status = Contribution.Status


@pytest.fixture
def form_url(question):
    return reverse("moderation:contribution-new", args=[question.slug])


def valid_data(**overrides):
    data = {
        "author_name": "Søren Ærø",
        "author_email": "soren@example.dk",
        "author_title": "Kontorchef",
        "author_organisation": "Finansministeriet",
        "title": "Rum for innovation",
        "body": "Vi skal *skabe rum* for samarbejde.",
        "consent": "on",
        "send": "1",
    }
    data.update(overrides)
    return data


def send(client, url, **overrides):
    return client.post(url, valid_data(**overrides))


# The form on the question page -----------------------------------------------------------------


def test_the_question_page_has_the_contribution_form(client, question):
    html = client.get(question.get_absolute_url()).content.decode()
    assert f'action="/debat/{question.slug}/skriv/"' in html
    assert 'enctype="multipart/form-data"' in html
    for name in ("author_name", "author_email", "body", "attachment", "consent"):
        assert f'name="{name}"' in html
    assert 'href="/privatliv/"' in html
    assert 'href="/retningslinjer/"' in html


def test_the_general_debate_page_has_the_form_too(client, seeded):
    html = client.get("/debat/generel-debat/").content.decode()
    assert 'action="/debat/generel-debat/skriv/"' in html


def test_a_closed_question_shows_why_there_is_no_form(client, question):
    question.is_open = False
    question.save()
    html = client.get(question.get_absolute_url()).content.decode()
    assert "lukket for nye indlæg" in html
    assert 'name="author_email"' not in html


def test_a_closed_question_refuses_a_post_and_stores_nothing(client, question, form_url):
    question.is_open = False
    question.save()
    response = send(client, form_url)
    assert response.status_code == 409
    assert "tager ikke imod flere indlæg" in response.content.decode()
    assert not Contribution.objects.exists()


# Sending ---------------------------------------------------------------------------------------


def test_sending_stores_the_contribution_unconfirmed_and_says_what_happens_next(
    client, question, form_url
):
    response = send(client, form_url)

    assert response.status_code == 302
    assert response["Location"] == "/indlaeg/sendt/"
    contribution = Contribution.objects.get()
    assert contribution.status == Status.UNCONFIRMED
    assert (contribution.author_name, contribution.author_email) == (
        "Søren Ærø",
        "soren@example.dk",
    )
    assert contribution.affiliation == "Kontorchef, Finansministeriet"
    assert contribution.language == "da"
    assert contribution.submitter_ip == "127.0.0.1"

    page = client.get(response["Location"]).content.decode()
    assert "Tjek nu din e-mail" in page
    assert "soren@example.dk" in page
    assert "7 dage" in page


def test_the_confirmation_mail_is_sent_after_the_commit(
    client, question, form_url, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        send(client, form_url)
    (message,) = mail.outbox
    assert parse(message)["To"] == "Søren Ærø <soren@example.dk>"
    assert message.subject == "Bekræft dit indlæg til MIA-debatten"


def test_english_contributors_get_english_pages_and_mail(
    client, question, django_capture_on_commit_callbacks
):
    url = reverse("moderation:contribution-new", args=[question.slug]).replace(
        "/debat", "/en/debat"
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = send(client, url)
    assert response["Location"] == "/en/indlaeg/sendt/"
    assert Contribution.objects.get().language == "en"
    (message,) = mail.outbox
    assert message.subject == "Confirm your contribution to the MIA debate"
    assert "/en/indlaeg/bekraeft/" in message.body


def test_the_sent_page_needs_a_contribution_sent_in_this_session(client, seeded):
    assert client.get("/indlaeg/sendt/").status_code == 404


def test_a_reply_is_sent_from_the_reply_form_and_nests(client, question):
    parent = make_contribution(question=question, title="Første indlæg")
    url = reverse("moderation:contribution-reply", args=[question.slug, parent.pk])
    page = client.get(url).content.decode()
    assert "Du svarer" in page
    assert "Første indlæg" in page

    send(client, url)

    reply = Contribution.objects.exclude(pk=parent.pk).get()
    assert (reply.parent, reply.depth) == (parent, 2)


@pytest.mark.parametrize("status", [Status.PENDING, Status.REJECTED, Status.UNCONFIRMED])
def test_there_is_no_reply_form_for_an_unpublished_contribution(client, question, status):
    hidden = make_contribution(question=question, status=status)
    url = reverse("moderation:contribution-reply", args=[question.slug, hidden.pk])
    assert client.get(url).status_code == 404


def test_the_hidden_field_filled_in_looks_sent_but_sends_no_mail(
    client, question, form_url, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = send(client, form_url, website="http://spam.example")
    assert response.status_code == 302
    assert Contribution.objects.get().is_honeypot_tripped
    assert mail.outbox == []


def test_a_flood_from_one_address_is_slowed_down_without_losing_the_text(
    client, question, form_url, settings
):
    settings.MIA_SUBMISSIONS_PER_EMAIL_PER_HOUR = 2
    send(client, form_url, body="Mit første indlæg.")
    send(client, form_url, body="Mit andet indlæg.")
    response = send(client, form_url, body="Mit tredje indlæg.")
    assert response.status_code == 400
    html = response.content.decode()
    assert "Siden tager højst imod 2 indsendelser i timen fra samme e-mailadresse" in html
    assert "Mit tredje indlæg." in html
    assert Contribution.objects.count() == 2


def test_previews_and_corrections_do_not_count_against_the_limit(
    client, question, form_url, settings
):
    settings.MIA_SUBMISSIONS_PER_EMAIL_PER_HOUR = 1
    client.post(form_url, valid_data(send="", preview="1"))
    send(client, form_url, author_email="forkert")
    assert send(client, form_url).status_code == 302
    assert send(client, form_url).status_code == 400
    assert Contribution.objects.count() == 1


def test_contributions_follows_and_data_requests_each_count_apart_on_one_network(
    client, question, form_url, settings
):
    settings.MIA_SUBMISSIONS_PER_NETWORK_PER_HOUR = 2
    follow_url = reverse("moderation:follow-question", args=[question.slug])
    data_url = reverse("moderation:personal-data")
    send(client, form_url)
    send(client, form_url, author_email="bo@example.dk")

    for url in (follow_url, data_url):
        for email in ("ida@example.dk", "jens@example.dk"):
            assert client.post(url, {"email": email}).status_code == 200
        refused = client.post(url, {"email": "karl@example.dk"})
        assert refused.status_code == 400
        assert "Siden tager højst imod 2 indsendelser i timen fra samme netværk" in (
            refused.content.decode()
        )
    assert Subscription.objects.count() == 2


def test_the_limit_counts_per_address(client, question, form_url, settings):
    settings.MIA_SUBMISSIONS_PER_NETWORK_PER_HOUR = 1
    client.post(form_url, valid_data(), REMOTE_ADDR="192.0.2.1")
    assert client.post(form_url, valid_data(), REMOTE_ADDR="192.0.2.2").status_code == 302
    assert client.post(form_url, valid_data(), REMOTE_ADDR="192.0.2.1").status_code == 400


# Bad input -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("author_name", "", "Dette felt er påkrævet."),
        ("author_email", "", "Dette felt er påkrævet."),
        ("author_email", "ikke-en-adresse", "Indtast en gyldig e-mail-adresse."),
        ("body", "   ", "Dette felt er påkrævet."),
        ("consent", "", "Vi kan kun offentliggøre dit indlæg med dit navn. Sæt kryds i feltet."),
    ],
)
def test_a_missing_or_invalid_field_gets_a_danish_message_next_to_it(
    client, form_url, field, value, message
):
    data = valid_data(**{field: value})
    if not value:
        data.pop(field)
    response = client.post(form_url, data)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert f'id="id_{field}_error"' in html
    assert not Contribution.objects.exists()


def test_an_error_keeps_everything_that_was_typed(client, form_url):
    response = send(client, form_url, author_email="forkert")
    html = response.content.decode()
    for value in ("Søren Ærø", "forkert", "Kontorchef", "Finansministeriet", "Rum for innovation"):
        assert f'value="{value}"' in html
    assert "Vi skal *skabe rum* for samarbejde.</textarea>" in html
    assert 'id="id_consent" checked' in html


def test_errors_are_summarised_at_the_top_with_links_to_the_fields(client, form_url):
    response = client.post(form_url, {"send": "1"})
    html = response.content.decode()
    assert "Der er problemer med 4 felter" in html
    assert 'href="#id_author_email"' in html


def test_a_text_over_the_limit_is_refused_with_its_length(client, form_url, settings):
    settings.MIA_MAX_TEXT_CHARS = 100
    response = send(client, form_url, body="x" * 150)
    html = response.content.decode()
    assert "Teksten er for lang: højst 100 tegn, og din har 150." in html
    assert "x" * 150 in html


def test_a_paper_is_checked_by_its_content_not_its_name(client, form_url):
    disguised = SimpleUploadedFile("paper.pdf", ZIP_BYTES, content_type="application/pdf")
    response = send(client, form_url, attachment=disguised)
    assert response.status_code == 400
    assert "“paper.pdf” er ikke en PDF-fil." in response.content.decode()

    honest = SimpleUploadedFile("paper.bin", PDF_BYTES, content_type="application/octet-stream")
    assert send(client, form_url, attachment=honest).status_code == 302
    contribution = Contribution.objects.get()
    assert contribution.attachment_name == "paper.pdf"
    assert contribution.attachment.read() == PDF_BYTES


def test_a_paper_over_the_size_limit_is_refused(client, form_url, settings):
    settings.MIA_MAX_ATTACHMENT_MB = 1
    big = SimpleUploadedFile(
        "stor.pdf", PDF_BYTES + b"0" * (1024 * 1024), content_type="application/pdf"
    )
    response = send(client, form_url, attachment=big)
    assert response.status_code == 400
    assert "Filen fylder 1,0" in response.content.decode()
    assert "grænsen er 1,0" in response.content.decode()


def test_an_attached_paper_survives_an_error_elsewhere_and_is_sent_with_the_fix(client, form_url):
    paper = SimpleUploadedFile("mit-paper.pdf", PDF_BYTES, content_type="application/pdf")
    response = send(client, form_url, author_email="forkert", attachment=paper)
    html = response.content.decode()
    assert "Vedhæftet: <strong>mit-paper.pdf</strong>" in html
    token = re.search(r'name="attachment_token" value="([^"]+)"', html).group(1)

    response = send(client, form_url, attachment_token=token)

    assert response.status_code == 302
    contribution = Contribution.objects.get()
    assert contribution.attachment_name == "mit-paper.pdf"
    assert contribution.attachment.read() == PDF_BYTES


def test_a_kept_paper_can_be_removed_before_sending(client, form_url):
    paper = SimpleUploadedFile("mit-paper.pdf", PDF_BYTES, content_type="application/pdf")
    html = send(client, form_url, author_email="forkert", attachment=paper).content.decode()
    token = re.search(r'name="attachment_token" value="([^"]+)"', html).group(1)
    send(client, form_url, attachment_token=token, remove_attachment="1")
    assert not Contribution.objects.get().attachment


def test_a_forged_attachment_token_is_ignored(client, form_url):
    send(client, form_url, attachment_token="contributions/../../etc/passwd")
    assert not Contribution.objects.get().attachment


# Preview ---------------------------------------------------------------------------------------


def test_preview_renders_the_text_on_the_server_and_stores_nothing(client, form_url):
    response = client.post(
        form_url, valid_data(send="", preview="1", body="Et **fedt** punkt\n\n- a\n- b")
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Forhåndsvisning: sådan kommer dit indlæg til at se ud" in html
    assert "<p>Et <strong>fedt</strong> punkt</p>" in html
    assert "Et **fedt** punkt" in html  # still in the textarea, to edit
    assert not Contribution.objects.exists()


# Confirming ------------------------------------------------------------------------------------


@pytest.fixture
def unconfirmed(question):
    return make_contribution(question=question, status=Status.UNCONFIRMED, title="Til bekræftelse")


def confirm_url(contribution):
    return reverse("moderation:contribution-confirm", args=[make_token(contribution.pk, "confirm")])


def test_the_link_in_the_mail_confirms_the_contribution_into_the_queue(
    client, question, form_url, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        send(client, form_url)
    (link,) = [url for url in links(mail.outbox[0]) if "/bekraeft/" in url]

    page = client.get(path_of(link))
    assert page.status_code == 200
    assert "Rum for innovation" in page.content.decode()
    assert Contribution.objects.get().status == Status.UNCONFIRMED  # a GET changes nothing

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(path_of(link), follow=True)

    assert response.redirect_chain == [(f"{path_of(link)}bekraeftet/", 302)]
    assert "Tak, dit indlæg er sendt til redaktionen" in response.content.decode()
    contribution = Contribution.objects.get()
    assert contribution.status == Status.PENDING
    assert contribution.confirmed_at is not None
    assert contribution.decisions.filter(action=Decision.Action.CONFIRMED).exists()


def test_a_used_link_says_so_and_changes_nothing(client, unconfirmed):
    url = confirm_url(unconfirmed)
    client.post(url)
    response = client.post(url)
    assert response.status_code == 200
    assert "Dette link er allerede brugt" in response.content.decode()
    assert unconfirmed.decisions.filter(action=Decision.Action.CONFIRMED).count() == 1


def test_a_tampered_link_gets_a_clear_page(client, unconfirmed):
    url = confirm_url(unconfirmed)
    tampered = url.replace("/bekraeft/", "/bekraeft/x")
    response = client.post(tampered)
    assert response.status_code == 400
    assert "Linket virker ikke" in response.content.decode()
    unconfirmed.refresh_from_db()
    assert unconfirmed.status == Status.UNCONFIRMED


def test_a_link_made_for_another_contribution_does_not_confirm_this_one(client, unconfirmed):
    token = make_token(unconfirmed.pk, "withdraw")
    response = client.post(reverse("moderation:contribution-confirm", args=[token]))
    assert response.status_code == 400
    unconfirmed.refresh_from_db()
    assert unconfirmed.status == Status.UNCONFIRMED


def test_an_expired_link_offers_a_new_one_by_mail(
    client, unconfirmed, settings, time_machine_days, django_capture_on_commit_callbacks
):
    url = confirm_url(unconfirmed)
    with time_machine_days(settings.MIA_CONFIRMATION_DAYS + 1):
        response = client.post(url)
        assert response.status_code == 410
        assert "Linket er udløbet" in response.content.decode()
        resend = re.search(r'action="([^"]+/nyt-link/)"', response.content.decode()).group(1)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(resend, follow=True)
    assert response.redirect_chain == [("/indlaeg/nyt-link/sendt/", 302)]
    assert "Et nyt link er på vej" in response.content.decode()
    (message,) = mail.outbox
    (fresh,) = [u for u in links(message) if "/bekraeft/" in u]
    client.post(path_of(fresh))
    unconfirmed.refresh_from_db()
    assert unconfirmed.status == Status.PENDING


@pytest.fixture
def time_machine_days(monkeypatch):
    """Move the signing clock forward, as if the link had been opened days later."""
    import contextlib
    import time

    @contextlib.contextmanager
    def travel(days):
        real = time.time
        monkeypatch.setattr(time, "time", lambda: real() + timedelta(days=days).total_seconds())
        try:
            yield
        finally:
            monkeypatch.setattr(time, "time", real)

    return travel


def test_the_guidelines_tell_how_to_name_each_question_by_e_mail(client, seeded, settings):
    settings.MIA_INTAKE_EMAIL = "debat@ruc.example"
    html = client.get(reverse("moderation:guidelines")).content.decode()
    assert 'href="mailto:debat@ruc.example"' in html
    assert "<code>[MIA-3]</code>" in html
    assert "Kan efterligning skabe innovation?" in html
    assert html.count("<code>[MIA-") == 6


def test_the_question_page_gives_its_tag_for_mail_when_there_is_an_intake_address(
    client, question, settings
):
    assert "[MIA-2]" not in client.get(question.get_absolute_url()).content.decode()
    settings.MIA_INTAKE_EMAIL = "debat@ruc.example"
    html = client.get(question.get_absolute_url()).content.decode()
    assert "<strong>[MIA-2]</strong>" in html
    assert 'href="mailto:debat@ruc.example"' in html


def test_behind_a_proxy_the_visitors_own_address_is_recorded_and_cannot_be_forged(
    client, form_url, settings
):
    settings.MIA_PROXY_COUNT = 1
    client.post(
        form_url,
        valid_data(),
        HTTP_X_FORWARDED_FOR="10.9.9.9, 198.51.100.23",  # a forged entry, then the proxy's
        REMOTE_ADDR="127.0.0.1",
    )
    assert Contribution.objects.get().submitter_ip == "198.51.100.23"


def test_names_and_titles_are_kept_on_one_line(client, form_url):
    send(client, form_url, author_name="Søren\r\nBcc: alle@example.dk", title="To\nlinjer")
    contribution = Contribution.objects.get()
    assert contribution.author_name == "Søren Bcc: alle@example.dk"
    assert contribution.title == "To linjer"


def test_the_error_summary_names_the_consent_box_in_a_few_words(client, form_url):
    response = send(client, form_url, consent="")
    summary = response.content.decode().split('id="fejl"')[1].split("</div>")[0]
    assert "Samtykke til at vise dit navn:" in summary
    assert "Jeg giver samtykke" not in summary


def test_a_preview_offers_the_send_button_by_the_preview(client, form_url):
    html = client.post(form_url, valid_data(preview="1")).content.decode()
    preview = html.split('class="preview')[1].split("</section>")[0]
    assert 'form="indlaeg-formular" name="send"' in preview
    assert 'id="indlaeg-formular"' in html
