"""Readers' reports: the link and the form, the desk's list, and the two ways to settle them."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone

from debates.models import Contribution
from moderation import services
from moderation.models import Decision, Report
from tests.factories import make_contribution, make_user
from tests.mail import mails_to, text_of

Status = Contribution.Status


def report_url(contribution):
    return reverse("moderation:contribution-report", args=[contribution.pk])


def settle_url(contribution):
    return reverse("admin:moderation_report_settle", args=[contribution.pk])


def change_url(contribution):
    return reverse("admin:debates_contribution_change", args=[contribution.pk])


def report(contribution, reason=Report.Reason.SPAM, **fields):
    return services.report_contribution(contribution=contribution, reason=reason, **fields)


@pytest.fixture
def published(question):
    return make_contribution(
        question=question, title="Et skarpt indlæg", author_email="forfatter@example.dk"
    )


# The reader's side -----------------------------------------------------------------------------


def test_every_published_contribution_on_a_question_page_has_a_report_link(client, question):
    shown = make_contribution(question=question)
    hidden = make_contribution(question=question, status=Status.PENDING)
    html = client.get(question.get_absolute_url()).content.decode()
    assert f'href="{report_url(shown)}"' in html
    assert ">Anmeld<" in html
    assert report_url(hidden) not in html


def test_a_closed_questions_contributions_can_still_be_reported(client, question, published):
    question.is_open = False
    question.save()
    assert (
        f'href="{report_url(published)}"'
        in client.get(question.get_absolute_url()).content.decode()
    )


def test_a_reader_reports_a_contribution_without_an_account(client, published):
    page = client.get(report_url(published))
    assert page.status_code == 200
    html = page.content.decode()
    for reason in ("et personangreb", "personoplysninger om andre", "spam eller reklame"):
        assert reason in html
    assert "Et skarpt indlæg" in html

    response = client.post(
        report_url(published),
        {"reason": "personal_data", "text": "Nævner en kollegas helbred."},
        REMOTE_ADDR="192.0.2.44",
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("moderation:contribution-reported", args=[published.pk])
    (stored,) = Report.objects.all()
    assert (stored.contribution, stored.reason, stored.status) == (
        published,
        "personal_data",
        "open",
    )
    assert stored.text == "Nævner en kollegas helbred."
    assert stored.reporter_ip == "192.0.2.44"
    assert "Tak for anmeldelsen" in client.get(response["Location"]).content.decode()
    published.refresh_from_db()
    assert published.status == Status.PUBLISHED  # a report hides nothing by itself


def test_a_report_without_a_reason_is_refused_and_keeps_the_words(client, published):
    response = client.post(report_url(published), {"text": "Det er groft."})
    assert response.status_code == 400
    assert "Det er groft." in response.content.decode()
    assert not Report.objects.exists()


def test_an_automated_sender_is_thanked_and_nothing_reaches_the_desk(client, published):
    response = client.post(
        report_url(published), {"reason": "spam", "website": "http://spam.example"}
    )
    assert response.status_code == 302
    assert not Report.objects.exists()


def test_reports_are_rate_limited_per_network_address(client, published, settings):
    settings.MIA_REPORTS_PER_NETWORK_PER_HOUR = 2
    for _ in range(2):
        assert client.post(report_url(published), {"reason": "spam"}).status_code == 302
    response = client.post(report_url(published), {"reason": "spam", "text": "Igen."})
    assert response.status_code == 400
    assert (
        "Siden tager højst imod 2 anmeldelser i timen fra samme netværk"
        in response.content.decode()
    )
    assert "Igen." in response.content.decode()
    assert Report.objects.count() == 2


def test_the_thanks_after_a_report_lead_back_to_the_question(client, published):
    response = client.get(reverse("moderation:contribution-reported", args=[published.pk]))
    assert response.status_code == 200
    assert published.question.get_absolute_url() in response.content.decode()


@pytest.mark.parametrize(
    "status", [s for s in Status if s != Status.PUBLISHED], ids=lambda status: status.value
)
def test_the_thanks_page_of_an_unpublished_contribution_reads_as_that_of_an_unknown_number(
    client, question, status
):
    """Whether a number was rejected, waits, or never was, the thanks page does not tell."""
    contribution = make_contribution(question=question, status=status, title="Hemmelig titel")
    unknown = Contribution.objects.order_by("-pk").first().pk + 1000

    def thanks(pk):
        url = reverse("moderation:contribution-reported", args=[pk])
        response = client.get(url)
        return response.status_code, response.content.decode().replace(url, "URL")

    shown = thanks(contribution.pk)
    assert shown == thanks(unknown)
    assert shown[0] == 404
    assert question.title not in shown[1]


@pytest.mark.parametrize("status", [Status.PENDING, Status.REJECTED, Status.WITHDRAWN])
def test_only_a_published_contribution_can_be_reported(client, question, status):
    contribution = make_contribution(question=question, status=status)
    assert client.get(report_url(contribution)).status_code == 404
    assert client.post(report_url(contribution), {"reason": "spam"}).status_code == 404
    with pytest.raises(services.ModerationError):
        report(contribution)


def test_the_database_refuses_an_unknown_reason_or_status(published):
    with pytest.raises(IntegrityError):
        Report.objects.create(contribution=published, reason="boring", status="open")


def test_the_database_refuses_an_unknown_status(published):
    with pytest.raises(IntegrityError):
        Report.objects.create(contribution=published, reason="spam", status="hidden")


# Settling reports: the services -----------------------------------------------------------------


def test_dismissing_settles_the_open_reports_and_leaves_the_contribution(published, webmaster):
    first, second = report(published), report(published, Report.Reason.OFF_TOPIC)
    assert services.dismiss_reports(contribution=published, actor=webmaster) == 2
    for r in (first, second):
        r.refresh_from_db()
        assert (r.status, r.decided_by) == (Report.Status.DISMISSED, webmaster)
        assert r.decided_at is not None
    published.refresh_from_db()
    assert published.status == Status.PUBLISHED
    # A second moderator a moment later settles nothing twice.
    assert services.dismiss_reports(contribution=published, actor=webmaster) == 0


def test_unpublishing_from_reports_unpublishes_mails_the_author_and_settles_the_reports(
    published, webmaster, mails_sent_by
):
    report(published)
    earlier = report(published)
    services.dismiss_reports(contribution=published, actor=webmaster)
    later = report(published, Report.Reason.PERSONAL_ATTACK)

    sent = mails_sent_by(
        lambda: services.unpublish_from_reports(
            contribution=published, actor=webmaster, reason="Angriber en navngiven person."
        )
    )

    published.refresh_from_db()
    assert published.status == Status.REJECTED
    assert published.decisions.first().action == Decision.Action.UNPUBLISHED
    (to_author,) = mails_to(sent, "forfatter@example.dk")
    assert "Angriber en navngiven person." in text_of(to_author)
    later.refresh_from_db()
    earlier.refresh_from_db()
    assert later.status == Report.Status.ACTED_ON
    assert earlier.status == Report.Status.DISMISSED  # settled before stays as it was


def test_unpublishing_without_a_reason_changes_nothing(published, webmaster):
    open_report = report(published)
    with pytest.raises(services.ModerationError):
        services.unpublish_from_reports(contribution=published, actor=webmaster, reason=" ")
    open_report.refresh_from_db()
    published.refresh_from_db()
    assert open_report.status == Report.Status.OPEN
    assert published.status == Status.PUBLISHED


def test_a_contribution_already_taken_down_is_refused_and_its_reports_stay_open(
    published, webmaster
):
    open_report = report(published)
    services.unpublish(contribution=published, actor=webmaster, reason="Allerede vurderet.")
    with pytest.raises(services.TransitionNotAllowed):
        services.unpublish_from_reports(contribution=published, actor=webmaster, reason="Igen.")
    open_report.refresh_from_db()
    assert open_report.status == Report.Status.OPEN


def test_the_open_report_count_orders_the_most_reported_first(question):
    once, thrice, settled = (make_contribution(question=question) for _ in range(3))
    report(once)
    for _ in range(3):
        report(thrice)
    Report.objects.create(contribution=settled, reason="spam", status="dismissed")
    ordered = (
        services.with_open_report_counts(Contribution.objects.all())
        .filter(open_report_count__gt=0)
        .order_by("-open_report_count")
    )
    assert [(c, c.open_report_count) for c in ordered] == [(thrice, 3), (once, 1)]


def test_the_retention_job_removes_a_readers_address_after_the_retention_period(
    published, settings
):
    old = report(published, reporter_ip="192.0.2.1")
    new = report(published, reporter_ip="192.0.2.2")
    Report.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - timedelta(days=31 * (settings.MIA_RETENTION_MONTHS + 1))
    )
    result = services.apply_retention()
    old.refresh_from_db()
    new.refresh_from_db()
    assert result.report_addresses_removed == 1
    assert old.reporter_ip is None
    assert new.reporter_ip == "192.0.2.2"


# The desk ----------------------------------------------------------------------------------------


@pytest.fixture
def staff_without_moderation(client, db):
    user = make_user()
    user.user_permissions.add(
        *Permission.objects.filter(
            codename__in=["view_contribution", "change_contribution", "view_report"]
        )
    )
    client.force_login(user)
    return client


def test_the_admin_index_shows_open_reports_beside_the_queue_most_reported_first(
    moderator, question
):
    once = make_contribution(question=question, title="Anmeldt én gang")
    twice = make_contribution(question=question, title="Anmeldt to gange")
    report(once)
    report(twice)
    report(twice)
    html = moderator.get(reverse("admin:index")).content.decode()
    assert "Læseranmeldelser" in html
    assert "3 åbne anmeldelser" in html
    assert html.index("Anmeldt to gange") < html.index("Anmeldt én gang")
    assert html.index('id="mia-queue"') < html.index('id="mia-reports-summary"')


def test_the_admin_index_says_when_no_report_is_open(moderator, db):
    assert "Ingen åbne anmeldelser." in moderator.get(reverse("admin:index")).content.decode()


def test_staff_who_may_not_moderate_see_no_report_summary(staff_without_moderation, published):
    report(published)
    html = staff_without_moderation.get(reverse("admin:index")).content.decode()
    assert "åbne anmeldelse" not in html


def test_the_contribution_page_lists_its_reports_with_the_readers_words(moderator, published):
    report(published, Report.Reason.PERSONAL_DATA, text="Nævner en kollegas helbred.")
    html = moderator.get(change_url(published)).content.decode()
    assert "Læseranmeldelser (1 åben)" in html
    assert "personoplysninger om andre" in html
    assert "Nævner en kollegas helbred." in html
    assert "Afvis anmeldelserne" in html
    assert "Tag af siden, og marker anmeldelserne som fulgt op" in html


def test_a_moderator_dismisses_the_reports_from_the_contribution_page(moderator, published):
    report(published)
    response = moderator.post(settle_url(published), {"settle": "dismiss"}, follow=True)
    assert "Anmeldelser afvist: 1." in response.content.decode()
    assert Report.objects.get().status == Report.Status.DISMISSED
    published.refresh_from_db()
    assert published.status == Status.PUBLISHED


def test_a_moderator_unpublishes_from_the_contribution_page_with_a_reason(
    moderator, published, django_capture_on_commit_callbacks
):
    report(published)
    with django_capture_on_commit_callbacks(execute=True):
        response = moderator.post(
            settle_url(published),
            {"settle": "unpublish", "reason": "Personangreb."},
            follow=True,
        )
    assert "Taget af siden" in response.content.decode()
    published.refresh_from_db()
    assert published.status == Status.REJECTED
    assert published.rejection_reason == "Personangreb."
    assert Report.objects.get().status == Report.Status.ACTED_ON


def test_unpublishing_without_a_reason_from_the_page_says_why_and_changes_nothing(
    moderator, published
):
    report(published)
    response = moderator.post(settle_url(published), {"settle": "unpublish"}, follow=True)
    assert "Skriv en begrundelse" in response.content.decode()
    assert Report.objects.get().status == Report.Status.OPEN


def test_staff_who_may_not_moderate_cannot_settle_reports(staff_without_moderation, published):
    report(published)
    html = staff_without_moderation.get(change_url(published)).content.decode()
    assert "Læseranmeldelser (1 åben)" in html  # staff may read them
    assert "Afvis anmeldelserne" not in html
    response = staff_without_moderation.post(settle_url(published), {"settle": "dismiss"})
    assert response.status_code == 403
    assert Report.objects.get().status == Report.Status.OPEN


def test_an_anonymous_visitor_cannot_settle_reports(client, published):
    report(published)
    response = client.post(settle_url(published), {"settle": "dismiss"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    assert Report.objects.get().status == Report.Status.OPEN


def test_the_report_list_puts_the_most_reported_contribution_first(moderator, question):
    once = make_contribution(question=question, title="Anmeldt én gang")
    twice = make_contribution(question=question, title="Anmeldt to gange")
    report(once)
    report(twice)
    report(twice)
    html = moderator.get(reverse("admin:moderation_report_changelist")).content.decode()
    assert html.index("Anmeldt to gange") < html.index("Anmeldt én gang")


def test_reports_are_dismissed_in_bulk_from_the_list(moderator, published):
    first = report(published)
    moderator.post(
        reverse("admin:moderation_report_changelist"),
        {"action": "dismiss_selected", "_selected_action": [first.pk]},
    )
    assert Report.objects.get().status == Report.Status.DISMISSED
