"""Closed questions done right: the synthesis, the followers' mail, the labels, and lost text."""

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from debates.models import Contribution, Question
from moderation import services
from moderation.models import OutgoingMail, Subscription
from tests.factories import PDF_BYTES, make_contribution, make_user
from tests.mail import html_of, mails_to, parse, text_of

SYNTHESIS = (
    "Debatten viste **to linjer**:\n\n"
    "- lederen som *facilitator*\n"
    "- lederen som katalysator\n\n"
    "> Rum for fejl er en forudsætning.\n\n"
    "<script>alert(1)</script>"
)


def follower(question, email, status=Subscription.Status.ACTIVE):
    return Subscription.objects.create(email=email, question=question, status=status)


# The service -------------------------------------------------------------------------------


def test_closing_renders_the_synthesis_and_mails_each_active_follower_once(
    question, webmaster, mails_sent_by
):
    follower(question, "a@example.dk")
    follower(question, "b@example.dk")
    follower(question, "c@example.dk", Subscription.Status.UNCONFIRMED)
    follower(question, "d@example.dk", Subscription.Status.UNSUBSCRIBED)
    other = Question.objects.exclude(pk=question.pk).first()
    follower(other, "e@example.dk")

    sent = mails_sent_by(
        lambda: services.close_question(question=question, synthesis=SYNTHESIS, actor=webmaster)
    )

    question.refresh_from_db()
    assert question.is_open is False
    assert "<strong>to linjer</strong>" in question.synthesis_html
    assert "<li>lederen som <em>facilitator</em></li>" in question.synthesis_html
    assert "<script>" not in question.synthesis_html
    assert sorted(a for m in sent for a in m.to) == ["a@example.dk", "b@example.dk"]
    (message,) = mails_to(sent, "a@example.dk")
    parsed = parse(message)
    assert message.subject == f"MIA-debatten om “{question.title}” er lukket"
    assert parsed["List-Unsubscribe"]
    text = text_of(message)
    assert "Redaktionens opsamling:" in text
    assert "\n- lederen som *facilitator*\n- lederen som katalysator\n" in text
    assert "<strong>to linjer</strong>" in html_of(message)
    assert "<script>" not in html_of(message)
    assert OutgoingMail.objects.filter(kind="question_closed").count() == 2


def test_closing_a_closed_question_is_refused_and_mails_nobody_again(
    question, webmaster, mails_sent_by
):
    follower(question, "a@example.dk")
    services.close_question(question=question, synthesis="Første.", actor=webmaster)
    with pytest.raises(services.QuestionClosed):
        services.close_question(question=question, synthesis="Anden.", actor=webmaster)
    question.refresh_from_db()
    assert question.synthesis == "Første."
    assert OutgoingMail.objects.filter(kind="question_closed").count() == 1


def test_a_synthesis_saved_on_the_question_is_rendered_through_the_same_sanitiser(question):
    question.synthesis = "Se [mere](javascript:alert(1)) og **dette**."
    question.save()
    assert "<strong>dette</strong>" in question.synthesis_html
    assert "javascript" not in question.synthesis_html
    question.synthesis = ""
    question.save(update_fields=["synthesis"])
    question.refresh_from_db()
    assert question.synthesis_html == ""


# The pages ---------------------------------------------------------------------------------


def test_a_closed_question_is_labelled_closed_on_its_page_the_paper_and_the_home_page(
    client, question, webmaster
):
    services.close_question(question=question, synthesis=SYNTHESIS, actor=webmaster)
    page = client.get(question.get_absolute_url()).content.decode()
    assert f"Lukket spørgsmål {question.position}" in page
    assert f"Åbent spørgsmål {question.position}" not in page
    assert "<li>lederen som <em>facilitator</em></li>" in page
    assert "<script>alert" not in page

    paper = client.get(question.paper.get_absolute_url()).content.decode()
    assert f"Lukket spørgsmål {question.position}" in paper
    # Each question's box names it twice: its label, and its landmark for screen readers.
    still_open = Question.objects.open().exclude(paragraph=None).count()
    assert paper.count("Åbent spørgsmål") == 2 * still_open

    home = client.get("/").content.decode()
    title_at = home.index(question.title)
    assert "Lukket spørgsmål" in home[title_at : title_at + 300]
    assert home.count("Lukket spørgsmål") == 1


# The admin ---------------------------------------------------------------------------------


def question_form(question, **changes):
    data = {
        "paper": question.paper_id,
        "paragraph": question.paragraph_id or "",
        "position": question.position,
        "title": question.title,
        "text": question.text,
        "slug": question.slug,
        "synthesis": question.synthesis,
    }
    if question.is_open:
        data["is_open"] = "on"
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_unticking_open_in_the_admin_closes_through_the_service_and_mails_followers(
    moderator, question, django_capture_on_commit_callbacks
):
    follower(question, "a@example.dk")
    url = reverse("admin:debates_question_change", args=[question.pk])
    data = question_form(question, synthesis="Opsamlingen **her**.", is_open=None)
    with django_capture_on_commit_callbacks(execute=True):
        response = moderator.post(url, data, follow=True)
    assert "Følgerne får opsamlingen på mail" in response.content.decode()
    question.refresh_from_db()
    assert question.is_open is False
    assert question.synthesis_html == "<p>Opsamlingen <strong>her</strong>.</p>"
    mail = OutgoingMail.objects.get(kind="question_closed")
    assert "Opsamlingen **her**." in mail.body_text


def test_saving_a_question_without_closing_it_mails_nobody(moderator, question):
    follower(question, "a@example.dk")
    url = reverse("admin:debates_question_change", args=[question.pk])
    moderator.post(url, question_form(question, title="Nyt navn"))
    question.refresh_from_db()
    assert (question.title, question.is_open) == ("Nyt navn", True)
    assert not OutgoingMail.objects.filter(kind="question_closed").exists()


def test_the_close_action_asks_for_the_synthesis_then_closes(
    moderator, question, django_capture_on_commit_callbacks
):
    follower(question, "a@example.dk")
    changelist = reverse("admin:debates_question_changelist")
    action = {"action": "close_with_synthesis", "_selected_action": [question.pk]}
    page = moderator.post(changelist, action)
    assert page.status_code == 200
    assert "Opsamling (Markdown)" in page.content.decode()
    question.refresh_from_db()
    assert question.is_open is True

    with django_capture_on_commit_callbacks(execute=True):
        moderator.post(changelist, {**action, "apply": "1", "synthesis": "- ét\n- to"})
    question.refresh_from_db()
    assert question.is_open is False
    assert "<li>ét</li>" in question.synthesis_html
    assert OutgoingMail.objects.filter(kind="question_closed").count() == 1


def test_staff_who_may_not_moderate_cannot_close_a_question(client, question):
    user = make_user()
    user.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_question", "change_question"])
    )
    client.force_login(user)
    follower(question, "a@example.dk")
    url = reverse("admin:debates_question_change", args=[question.pk])
    client.post(url, question_form(question, is_open=None))
    question.refresh_from_db()
    assert question.is_open is True
    changelist = client.get(reverse("admin:debates_question_changelist")).content.decode()
    assert "close_with_synthesis" not in changelist


def test_an_anonymous_visitor_cannot_close_a_question(client, question):
    url = reverse("admin:debates_question_change", args=[question.pk])
    response = client.post(url, question_form(question, is_open=None))
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.is_open is True


# A form left open while the question closed ------------------------------------------------


def written(**overrides):
    return {
        "author_name": "Søren Ærø",
        "author_email": "soren@example.dk",
        "title": "Rum for fejl",
        "body": "Vi skal tåle fejl.\n\n- også de dyre",
        "consent": "on",
        "send": "1",
        **overrides,
    }


def test_a_post_to_a_question_that_closed_meanwhile_keeps_the_text_and_offers_the_general_debate(
    client, question
):
    question.is_open = False
    question.save()
    response = client.post(reverse("moderation:contribution-new", args=[question.slug]), written())
    assert response.status_code == 409
    html = response.content.decode()
    assert "blev lukket, mens du skrev" in html
    assert "Vi skal tåle fejl.\n\n- også de dyre</textarea>" in html
    assert 'value="Rum for fejl"' in html
    assert 'action="/debat/generel-debat/skriv/"' in html
    assert not Contribution.objects.exists()


def test_the_kept_text_goes_to_the_general_debate_with_its_paper(client, question):
    question.is_open = False
    question.save()
    paper = SimpleUploadedFile("notat.pdf", PDF_BYTES, content_type="application/pdf")
    response = client.post(
        reverse("moderation:contribution-new", args=[question.slug]), written(attachment=paper)
    )
    token = response.context["form"].data["attachment_token"]
    assert token

    response = client.post("/debat/generel-debat/skriv/", written(attachment_token=token))

    assert response.status_code == 302
    contribution = Contribution.objects.get()
    assert contribution.question.slug == "generel-debat"
    assert contribution.body == "Vi skal tåle fejl.\n\n- også de dyre"
    assert contribution.attachment_name == "notat.pdf"


def test_a_reply_to_a_question_that_closed_is_kept_too(client, question):
    parent = make_contribution(question=question)
    question.is_open = False
    question.save()
    url = reverse("moderation:contribution-reply", args=[question.slug, parent.pk])
    response = client.post(url, written())
    assert response.status_code == 409
    assert "Vi skal tåle fejl." in response.content.decode()


def test_when_the_general_debate_is_closed_too_the_text_is_still_there_to_copy(client, question):
    Question.objects.update(is_open=False)
    response = client.post(reverse("moderation:contribution-new", args=[question.slug]), written())
    assert response.status_code == 409
    html = response.content.decode()
    assert "Kopier din tekst" in html
    assert "Vi skal tåle fejl." in html
    assert "/skriv/" not in html.split("</h1>")[1].split("Tilbage til spørgsmålet")[0]
