"""What the contributor and the editors read in their mails, parsed back from the bytes."""

import pytest

from debates.models import Contribution, Question
from moderation import services
from tests.factories import make_contribution
from tests.mail import html_of, mails_to, text_of

Status = Contribution.Status

BODY = (
    "Tre ting:\n\n"
    "- rum for fejl\n"
    "- tid til at lære\n"
    "- ledere, der går forrest\n\n"
    "> Innovation er et holdspil.\n\n"
    "Det er mit bud."
)


@pytest.fixture
def pending(question):
    return make_contribution(
        question=question,
        status=Status.PENDING,
        title="Mit bud",
        body=BODY,
        author_email="bidrag@example.dk",
    )


def the_mail_to(sent):
    (message,) = mails_to(sent, "bidrag@example.dk")
    return message


def test_a_publication_mail_as_sent_says_nothing_about_editing(pending, webmaster, mails_sent_by):
    message = the_mail_to(
        mails_sent_by(lambda: services.publish(contribution=pending, actor=webmaster))
    )
    assert "redaktionen har" not in text_of(message).lower()


def test_a_publication_mail_says_when_the_editors_edited_the_text(
    pending, webmaster, mails_sent_by, question
):
    services.edit_contribution(
        contribution=pending,
        actor=webmaster,
        title="Mit bud",
        body=BODY.replace("Det er mit bud.", "Det er mit bud på en løsning."),
        question=question,
    )
    message = the_mail_to(
        mails_sent_by(lambda: services.publish(contribution=pending, actor=webmaster))
    )
    text = " ".join(text_of(message).split())
    assert "Redaktionen har redigeret dit indlæg, før det blev offentliggjort." in text
    assert f"Det står nu under “{question.title}”." in text
    assert "Redaktionen har redigeret dit indlæg" in html_of(message)


def test_a_publication_mail_says_where_a_moved_contribution_now_stands(
    pending, webmaster, mails_sent_by
):
    general = Question.objects.get(slug="generel-debat")
    services.edit_contribution(
        contribution=pending, actor=webmaster, title="Mit bud", body=BODY, question=general
    )
    message = the_mail_to(
        mails_sent_by(lambda: services.publish(contribution=pending, actor=webmaster))
    )
    text = " ".join(text_of(message).split())
    assert "Redaktionen har flyttet dit indlæg, før det blev offentliggjort." in text
    assert f"Det står nu under “{general.title}”." in text
    assert "/debat/generel-debat/#indlaeg-" in text


def test_a_rejection_mail_quotes_the_rejected_text_line_by_line(pending, webmaster, mails_sent_by):
    message = the_mail_to(
        mails_sent_by(
            lambda: services.reject(contribution=pending, actor=webmaster, reason="Uden for emnet.")
        )
    )
    text = text_of(message)
    assert "Uden for emnet." in text
    assert "Det indlæg, redaktionen læste:" in text
    assert "> Mit bud\n" in text
    assert "> - rum for fejl\n> - tid til at lære\n> - ledere, der går forrest\n" in text
    assert "> > Innovation er et holdspil.\n" in text
    html = html_of(message)
    assert "<li>rum for fejl</li>" in html


def test_the_withdrawal_link_is_offered_not_ordered(pending, webmaster, mails_sent_by):
    message = the_mail_to(
        mails_sent_by(lambda: services.publish(contribution=pending, actor=webmaster))
    )
    assert "Du kan trække dit indlæg tilbage når som helst:" in text_of(message)
    assert "Du kan trække dit indlæg tilbage når som helst</a>" in html_of(message)
    assert "Træk dit indlæg tilbage" not in text_of(message)


def test_the_editors_plain_text_mail_keeps_lists_and_quotes_on_their_own_lines(
    question, mails_sent_by, settings
):
    contribution = services.submit_contribution(
        question=question, author_name="Åse", author_email="aase@example.dk", body=BODY
    )
    sent = mails_sent_by(lambda: services.confirm_contribution(contribution=contribution))
    (message,) = mails_to(sent, settings.MIA_WEBMASTER_EMAIL)
    text = text_of(message)
    assert "\n- rum for fejl\n- tid til at lære\n- ledere, der går forrest\n" in text
    assert "\n> Innovation er et holdspil.\n" in text


def test_a_long_text_is_cut_in_the_editors_mail_but_keeps_its_lines(
    question, mails_sent_by, settings
):
    body = "Indledning.\n\n" + "\n".join(f"- punkt {n} " + "ord " * 10 for n in range(20))
    contribution = services.submit_contribution(
        question=question, author_name="Åse", author_email="aase@example.dk", body=body
    )
    sent = mails_sent_by(lambda: services.confirm_contribution(contribution=contribution))
    text = text_of(mails_to(sent, settings.MIA_WEBMASTER_EMAIL)[0])
    assert "\n- punkt 0 ord" in text
    assert "\n- punkt 1 ord" in text
    assert "punkt 19" not in text
    assert "…" in text
