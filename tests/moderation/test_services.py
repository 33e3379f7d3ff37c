"""The rules: every allowed transition works, every forbidden one is refused with a clear error."""

import threading
from email.utils import getaddresses

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from debates.models import Contribution, Question
from moderation import emails, services
from moderation.models import Decision, OutgoingMail, Subscription
from moderation.services.decisions import Told
from moderation.services.transitions import transition
from tests.factories import PDF_BYTES, make_contribution, make_question, make_webmaster

Status = Contribution.Status
Action = Decision.Action
ALL_STATUSES = list(Status)


def _confirm(contribution, actor):
    return services.confirm_contribution(contribution=contribution)


def _publish(contribution, actor):
    return services.publish(contribution=contribution, actor=actor)


def _reject(contribution, actor):
    return services.reject(contribution=contribution, actor=actor, reason="Uden for emnet.")


def _spam(contribution, actor):
    return services.mark_spam(contribution=contribution, actor=actor)


def _reopen(contribution, actor):
    return services.reopen(contribution=contribution, actor=actor)


def _unpublish(contribution, actor):
    return services.unpublish(contribution=contribution, actor=actor, reason="Krænkende.")


def _withdraw(contribution, actor):
    return services.withdraw(contribution=contribution)


def _send_back(contribution, actor):
    return services.send_back(contribution=contribution, actor=actor, reason="Kortere, tak.")


def _resubmit(contribution, actor):
    return services.resubmit(contribution=contribution, title="Ny titel", body="Ny tekst.")


def _lapse(contribution, actor):
    return transition(contribution, action=Action.REVISION_LAPSED)


def _pick(contribution, actor):
    return services.pick(contribution=contribution, actor=actor)


def _unpick(contribution, actor):
    return services.unpick(contribution=contribution, actor=actor)


def edit(contribution, actor, **changes):
    """Edit as the admin's form does: what is not changed is sent as it was."""
    fields = {
        "title": contribution.title,
        "body": contribution.body,
        "question": contribution.question,
        **changes,
    }
    return services.edit_contribution(contribution=contribution, actor=actor, **fields)


def _edit(contribution, actor):
    return edit(contribution, actor, title="Rettet overskrift")


SERVICES = {
    Action.CONFIRMED: _confirm,
    Action.PUBLISHED: _publish,
    Action.REJECTED: _reject,
    Action.MARKED_SPAM: _spam,
    Action.REOPENED: _reopen,
    Action.UNPUBLISHED: _unpublish,
    Action.WITHDRAWN: _withdraw,
    Action.EDITED: _edit,
    Action.SENT_BACK: _send_back,
    Action.RESUBMITTED: _resubmit,
    Action.REVISION_LAPSED: _lapse,
    Action.PICKED: _pick,
    Action.UNPICKED: _unpick,
}


def make_to_decide(action, status, **fields):
    """A contribution in `status` that the decision may be taken on, as far as its pick goes."""
    if action == Action.UNPICKED and status == Status.PUBLISHED:
        fields.setdefault("picked_at", timezone.now())
    return make_contribution(status=status, **fields)


# (decision, the states it may start from, the state it leads to; None: it stays), written out
# here apart from the table in services, so that a wrong table fails these tests too.
EXPECTED = [
    (Action.CONFIRMED, {Status.UNCONFIRMED}, Status.PENDING),
    (Action.PUBLISHED, {Status.PENDING}, Status.PUBLISHED),
    (Action.REJECTED, {Status.PENDING}, Status.REJECTED),
    (Action.MARKED_SPAM, {Status.PENDING}, Status.SPAM),
    (Action.REOPENED, {Status.REJECTED, Status.SPAM}, Status.PENDING),
    (Action.UNPUBLISHED, {Status.PUBLISHED}, Status.REJECTED),
    (Action.WITHDRAWN, set(Status) - {Status.WITHDRAWN}, Status.WITHDRAWN),
    (Action.EDITED, {Status.PENDING, Status.PUBLISHED}, None),
    (Action.SENT_BACK, {Status.PENDING}, Status.SENT_BACK),
    (Action.RESUBMITTED, {Status.SENT_BACK}, Status.PENDING),
    (Action.REVISION_LAPSED, {Status.SENT_BACK}, Status.REJECTED),
    (Action.PICKED, {Status.PUBLISHED}, Status.PUBLISHED),
    (Action.UNPICKED, {Status.PUBLISHED}, Status.PUBLISHED),
]
FROM_THE_TABLE = [(rule.action, rule.allowed_from, rule.to) for rule in services.DECISIONS.values()]


def _allowed(transitions, source):
    return [
        pytest.param(action, start, end or start, id=f"{source}-{action}-from-{start}")
        for action, starts, end in transitions
        for start in sorted(starts)
    ]


def _forbidden(transitions, source):
    return [
        pytest.param(action, start, id=f"{source}-{action}-from-{start}")
        for action, starts, _end in transitions
        for start in ALL_STATUSES
        if start not in starts
    ]


def test_the_table_of_decisions_says_what_is_expected():
    assert sorted(FROM_THE_TABLE) == sorted(
        (action, frozenset(starts), end) for action, starts, end in EXPECTED
    )


@pytest.mark.parametrize(
    ("action", "start", "end"), _allowed(EXPECTED, "expected") + _allowed(FROM_THE_TABLE, "table")
)
def test_an_allowed_transition_changes_the_status_and_is_recorded(
    db, webmaster, action, start, end
):
    contribution = make_to_decide(action, start)

    result = SERVICES[action](contribution, webmaster)

    assert result.status == end
    contribution.refresh_from_db()
    assert contribution.status == end
    decision = contribution.decisions.get(from_status=start)
    assert (decision.action, decision.to_status) == (action, end)
    assert decision.created_at is not None


@pytest.mark.parametrize(
    ("action", "start"), _forbidden(EXPECTED, "expected") + _forbidden(FROM_THE_TABLE, "table")
)
def test_a_forbidden_transition_is_refused_naming_the_current_status(db, webmaster, action, start):
    contribution = make_contribution(status=start)

    with pytest.raises(services.TransitionNotAllowed) as refused:
        SERVICES[action](contribution, webmaster)

    assert refused.value.status == start
    assert str(Status(start).label) in str(refused.value)
    contribution.refresh_from_db()
    assert contribution.status == start
    assert not contribution.decisions.exists()
    assert not OutgoingMail.objects.exists()


# What a refusal says, in Danish, for each decision: written out here, apart from the table.
REFUSALS = [
    (Action.CONFIRMED, "Kan ikke bekræfte: indlægget har status “trukket tilbage”."),
    (Action.PUBLISHED, "Kan ikke offentliggøre: indlægget har status “trukket tilbage”."),
    (Action.REJECTED, "Kan ikke afvise: indlægget har status “trukket tilbage”."),
    (Action.MARKED_SPAM, "Kan ikke markere som spam: indlægget har status “trukket tilbage”."),
    (Action.REOPENED, "Kan ikke sætte tilbage i køen: indlægget har status “trukket tilbage”."),
    (Action.UNPUBLISHED, "Kan ikke tage af siden: indlægget har status “trukket tilbage”."),
    (Action.WITHDRAWN, "Kan ikke trække tilbage: indlægget har status “trukket tilbage”."),
    (Action.EDITED, "Kan ikke redigere: indlægget har status “trukket tilbage”."),
    (
        Action.SENT_BACK,
        "Kan ikke sende tilbage til revision: indlægget har status “trukket tilbage”.",
    ),
    (
        Action.RESUBMITTED,
        "Kan ikke sende en revideret udgave: indlægget har status “trukket tilbage”.",
    ),
    (
        Action.REVISION_LAPSED,
        "Kan ikke lukke som ikke revideret: indlægget har status “trukket tilbage”.",
    ),
    (Action.PICKED, "Kan ikke fremhæve: indlægget har status “trukket tilbage”."),
    (Action.UNPICKED, "Kan ikke fjerne fremhævningen: indlægget har status “trukket tilbage”."),
]


@pytest.mark.parametrize(("action", "message"), REFUSALS, ids=[a for a, _m in REFUSALS])
def test_a_refusal_says_which_decision_could_not_be_taken(db, webmaster, action, message):
    contribution = make_contribution(status=Status.WITHDRAWN)
    with pytest.raises(services.TransitionNotAllowed) as refused:
        SERVICES[action](contribution, webmaster)
    assert str(refused.value) == message


def test_every_decision_in_the_table_has_a_refusal_message_here():
    assert {action for action, _message in REFUSALS} == set(services.DECISIONS)


@pytest.mark.parametrize(
    "rule", [r for r in services.DECISIONS.values() if r.to], ids=lambda rule: rule.action
)
def test_a_decision_mails_those_the_table_says_are_told(
    question, webmaster, mails_sent_by, settings, rule
):
    settings.MIA_WEBMASTER_EMAIL = "redaktion@ruc.example"
    follower = "laeser@example.dk"
    Subscription.objects.create(email=follower, question=question, status="active")
    contribution = make_to_decide(rule.action, min(rule.allowed_from), question=question)
    contributor = contribution.author_email

    sent = mails_sent_by(lambda: SERVICES[rule.action](contribution, webmaster))

    editors = {address for _name, address in getaddresses(emails.editor_addresses())}
    assert "redaktion@ruc.example" in editors
    told = {
        Told.CONTRIBUTOR: {contributor},
        # The first time is this one: the contribution was never picked before.
        Told.CONTRIBUTOR_FIRST_TIME: {contributor},
        Told.EDITORS: editors,
        Told.FOLLOWERS: {follower},
    }
    addresses = {address for m in sent for _name, address in getaddresses(m.to)}
    assert addresses == set().union(*(told[audience] for audience in rule.told))


@pytest.mark.parametrize(
    "rule",
    [r for r in services.DECISIONS.values() if r.needs_reason],
    ids=lambda rule: rule.action,
)
def test_a_decision_that_needs_a_reason_mails_it_to_the_contributor(
    question, webmaster, mails_sent_by, rule
):
    contribution = make_contribution(question=question, status=min(rule.allowed_from))

    (sent,) = mails_sent_by(lambda: SERVICES[rule.action](contribution, webmaster))

    assert sent.to == [f"{contribution.author_name} <{contribution.author_email}>"]
    reason = contribution.decisions.get(action=rule.action).reason
    assert reason
    assert reason in sent.body


# Many at once ---------------------------------------------------------------------------------


def test_a_decision_on_many_takes_each_it_may_and_names_each_it_may_not(db, webmaster):
    pending = [make_contribution(status=Status.PENDING) for _ in range(2)]
    published = make_contribution(status=Status.PUBLISHED, title="Allerede ude")

    done, refusals = services.decide_many(
        contributions=[*pending, published], action=Action.PUBLISHED, actor=webmaster
    )

    assert done == 2
    assert refusals == [
        "Allerede ude: Kan ikke offentliggøre: indlægget har status “offentliggjort”."
    ]
    assert Contribution.objects.published().count() == 3
    assert Decision.objects.filter(action=Action.PUBLISHED, actor=webmaster).count() == 2


def test_a_decision_on_many_that_needs_a_reason_refuses_each_without_one(db, webmaster):
    pending = [make_contribution(status=Status.PENDING) for _ in range(2)]

    done, refusals = services.decide_many(
        contributions=pending, action=Action.REJECTED, actor=webmaster, reason=" "
    )

    assert done == 0
    assert len(refusals) == 2
    assert all("Skriv en begrundelse" in refusal for refusal in refusals)
    assert Contribution.objects.filter(status=Status.PENDING).count() == 2

    done, _refusals = services.decide_many(
        contributions=pending, action=Action.REJECTED, actor=webmaster, reason="Dobbelt."
    )
    assert done == 2
    assert set(Contribution.objects.values_list("rejection_reason", flat=True)) == {"Dobbelt."}


@pytest.mark.parametrize("action", [Action.CONFIRMED, Action.WITHDRAWN, Action.EDITED, "nothing"])
def test_only_a_moderators_decisions_can_be_taken_on_many(db, webmaster, action):
    contribution = make_contribution(status=Status.UNCONFIRMED)
    with pytest.raises(ValueError, match="not a decision a moderator"):
        services.decide_many(contributions=[contribution], action=action, actor=webmaster)
    contribution.refresh_from_db()
    assert contribution.status == Status.UNCONFIRMED


@pytest.mark.parametrize("rule", services.moderators_decisions(), ids=lambda rule: rule.action)
def test_every_decision_a_moderator_takes_can_be_taken_on_many(db, webmaster, rule):
    contribution = make_to_decide(rule.action, min(rule.allowed_from))
    done, refusals = services.decide_many(
        contributions=[contribution], action=rule.action, actor=webmaster, reason="Derfor."
    )
    assert (done, refusals) == (1, [])
    contribution.refresh_from_db()
    assert contribution.status == rule.to


def test_the_database_refuses_a_status_outside_the_list(db):
    contribution = make_contribution()
    with pytest.raises(IntegrityError), transaction.atomic():
        Contribution.objects.filter(pk=contribution.pk).update(status="maybe")


def test_a_decision_records_who_made_it_and_why(db, webmaster):
    contribution = make_contribution(status=Status.PENDING)
    services.reject(contribution=contribution, actor=webmaster, reason="  Reklame for et firma. ")

    decision = Decision.objects.get(action=Decision.Action.REJECTED)
    assert decision.actor == webmaster
    assert decision.actor_name == webmaster.username
    assert decision.reason == "Reklame for et firma."
    contribution.refresh_from_db()
    assert contribution.rejection_reason == "Reklame for et firma."
    assert contribution.decided_at is not None


@pytest.mark.parametrize("service", [services.reject, services.unpublish])
def test_rejecting_or_unpublishing_needs_a_reason(db, webmaster, service):
    start = Status.PENDING if service is services.reject else Status.PUBLISHED
    contribution = make_contribution(status=start)
    with pytest.raises(services.ModerationError, match="begrundelse"):
        service(contribution=contribution, actor=webmaster, reason="   ")
    contribution.refresh_from_db()
    assert contribution.status == start


def test_publishing_sets_the_publication_date_and_clears_an_old_reason(db, webmaster):
    contribution = make_contribution(status=Status.REJECTED, rejection_reason="Først nej.")
    services.reopen(contribution=contribution, actor=webmaster)
    services.publish(contribution=contribution, actor=webmaster)
    contribution.refresh_from_db()
    assert contribution.published_at is not None
    assert contribution.rejection_reason == ""


@pytest.mark.django_db(transaction=True)
def test_two_moderators_publishing_at_once_publish_once(question):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers; the PostgreSQL run shows the race")
    webmasters = [make_webmaster(), make_webmaster()]
    contribution = make_contribution(question=question, status=Status.PENDING)
    barrier = threading.Barrier(2)
    outcomes = []

    def moderate(user):
        try:
            barrier.wait()
            services.publish(contribution=contribution, actor=user)
            outcomes.append("done")
        except services.TransitionNotAllowed as error:
            outcomes.append(f"refused: {error.status}")
        finally:
            connection.close()

    threads = [threading.Thread(target=moderate, args=(user,)) for user in webmasters]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["done", "refused: published"]
    assert Decision.objects.filter(action=Decision.Action.PUBLISHED).count() == 1
    assert len([m for m in mail.outbox if "offentliggjort" in m.subject]) == 1


def test_a_stale_copy_cannot_publish_what_another_moderator_rejected(db, webmaster):
    """The check happens on the row in the database, not on the copy a page was showing."""
    contribution = make_contribution(status=Status.PENDING)
    stale = Contribution.objects.get(pk=contribution.pk)
    services.reject(contribution=contribution, actor=webmaster, reason="Nej.")

    with pytest.raises(services.TransitionNotAllowed) as refused:
        services.publish(contribution=stale, actor=make_webmaster())

    assert refused.value.status == Status.REJECTED
    contribution.refresh_from_db()
    assert contribution.status == Status.REJECTED


# Submitting -----------------------------------------------------------------------------------


def submit(question, **overrides):
    fields = {
        "question": question,
        "author_name": "Mette Frederiksen",
        "author_email": "mette@example.dk",
        "body": "Et *godt* spørgsmål.",
    }
    fields.update(overrides)
    return services.submit_contribution(**fields)


def test_a_submission_waits_unconfirmed_with_its_text_rendered_and_kept(question):
    contribution = submit(question, title="  Min overskrift ")
    assert contribution.status == Status.UNCONFIRMED
    assert contribution.title == contribution.original_title == "Min overskrift"
    assert contribution.original_body == "Et *godt* spørgsmål."
    assert contribution.body_html == "<p>Et <em>godt</em> spørgsmål.</p>"
    assert contribution.depth == 1
    assert contribution.decisions.get().action == Decision.Action.SUBMITTED


def test_names_and_titles_are_stored_as_one_clean_line(question):
    """They go into mail headers: no line breaks, control characters or decomposed letters."""
    contribution = submit(
        question,
        author_name="Søren\r\nBcc: alle@example.dk",
        author_organisation="Roskilde\x00 Kommune",
        author_title="Konsu\x1blent",
        title="A\u030angstrøm\tog  ære",
    )
    assert contribution.author_name == "Søren Bcc: alle@example.dk"
    assert contribution.author_organisation == "Roskilde Kommune"
    assert contribution.author_title == "Konsulent"
    assert contribution.title == contribution.original_title == "\u00c5ngstrøm og ære"


def test_a_closed_question_refuses_new_contributions(question):
    question.is_open = False
    question.save()
    with pytest.raises(services.QuestionClosed, match="lukket"):
        submit(question)
    assert not Contribution.objects.exists()


def test_a_reply_can_only_answer_a_published_contribution_on_the_same_question(question):
    pending = make_contribution(question=question, status=Status.PENDING)
    with pytest.raises(services.ModerationError):
        submit(question, parent=pending)
    elsewhere = make_contribution(question=make_question())
    with pytest.raises(services.ModerationError):
        submit(question, parent=elsewhere)


def test_replies_nest_one_level_deeper_than_what_they_answer(question):
    top = make_contribution(question=question)
    reply = submit(question, parent=top)
    assert (reply.parent, reply.depth) == (top, 2)


def test_a_reply_beyond_the_depth_cap_attaches_at_the_deepest_level(question, settings):
    settings.MIA_MAX_REPLY_DEPTH = 3
    level1 = make_contribution(question=question)
    level2 = make_contribution(question=question, parent=level1)
    level3 = make_contribution(question=question, parent=level2)

    reply = submit(question, parent=level3)

    assert reply.depth == 3
    assert reply.parent == level2
    assert reply.in_reply_to == level3


def test_the_depth_cap_defaults_to_four(question):
    parent = None
    for _ in range(4):
        parent = make_contribution(question=question, parent=parent)
    assert parent.depth == 4
    assert submit(question, parent=parent).depth == 4


def test_a_paper_is_stored_under_an_unguessable_name(question):
    contribution = submit(question, attachment=ContentFile(PDF_BYTES, name="mit paper.pdf"))
    assert contribution.attachment_name == "mit paper.pdf"
    assert "mit" not in contribution.attachment.name
    assert len(contribution.attachment.name.removesuffix(".pdf")) == 32
    assert contribution.attachment.read() == PDF_BYTES


def test_a_submission_from_the_hidden_field_gets_no_mail(
    question, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        contribution = submit(question, is_honeypot_tripped=True)
    assert contribution.status == Status.UNCONFIRMED
    assert mail.outbox == []


# Editing --------------------------------------------------------------------------------------


def test_editing_keeps_the_original_and_marks_the_contribution_edited(question, webmaster):
    contribution = make_contribution(
        question=question, status=Status.PENDING, body="Stavefjel her."
    )

    edit(contribution, webmaster, title="Ny overskrift", body="Stavefejl her.")

    contribution.refresh_from_db()
    assert contribution.body == "Stavefejl her."
    assert contribution.body_html == "<p>Stavefejl her.</p>"
    assert contribution.original_body == "Stavefjel her."
    assert contribution.is_edited
    recorded = contribution.decisions.get(action=Decision.Action.EDITED)
    assert recorded.actor == webmaster
    assert recorded.reason == "Ændret: titel, tekst."


def test_an_edit_that_changes_nothing_is_not_recorded(question, webmaster):
    contribution = make_contribution(question=question, status=Status.PENDING)
    edit(contribution, webmaster)
    contribution.refresh_from_db()
    assert not contribution.is_edited
    assert not contribution.decisions.exists()


def test_moving_to_the_general_debate_makes_a_reply_a_top_level_contribution(question, webmaster):
    general = Question.objects.general().get()
    top = make_contribution(question=question)
    reply = make_contribution(question=question, parent=top, in_reply_to=top, status=Status.PENDING)

    edit(reply, webmaster, question=general)

    reply.refresh_from_db()
    assert (reply.question, reply.parent, reply.in_reply_to, reply.depth) == (
        general,
        None,
        None,
        1,
    )
    assert "flyttet" in reply.decisions.get().reason


def test_a_contribution_with_replies_cannot_be_moved(question, webmaster):
    top = make_contribution(question=question)
    make_contribution(question=question, parent=top)
    with pytest.raises(services.ModerationError, match="svar"):
        edit(top, webmaster, question=Question.objects.general().get())


def test_nothing_can_be_moved_to_a_closed_question(question, webmaster):
    closed = make_question(is_open=False)
    contribution = make_contribution(question=question, status=Status.PENDING)
    with pytest.raises(services.QuestionClosed):
        edit(contribution, webmaster, question=closed)


def test_a_paper_whose_contribution_could_not_be_stored_leaves_no_file(question, monkeypatch):
    def fail(*args, **kwargs):
        raise IntegrityError("the database refused the row")

    monkeypatch.setattr(Contribution, "save", fail)
    with pytest.raises(IntegrityError):
        submit(question, attachment=ContentFile(PDF_BYTES, name="paper.pdf"))
    storage = storages["contributions"]
    assert not storage.exists("") or storage.listdir("")[1] == []
