"""Closing a question: it takes no more contributions, keeps its thread, and its followers hear."""

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction

from debates import versions
from debates.markup import render_markdown
from debates.models import Question
from moderation import emails
from moderation.models import Subscription
from moderation.services.transitions import QuestionClosed


def close_question(
    *, question: Question, synthesis: str, actor: AbstractBaseUser | None
) -> Question:
    """
    A moderator closes an open question, with the editors' synthesis in Markdown (or none).
    Each active follower of the question gets one mail, with the synthesis. Closing a closed
    question raises QuestionClosed, so that two clicks mail the followers once.
    """
    synthesis = synthesis.strip()
    with transaction.atomic():
        # The condition on is_open makes the close happen once, whoever clicks first.
        closed = Question.objects.filter(pk=question.pk, is_open=True).update(
            is_open=False,
            synthesis=synthesis,
            synthesis_html=render_markdown(synthesis) if synthesis else "",
        )
        if not closed:
            raise QuestionClosed(question)
        question.refresh_from_db()
        # The update() sent no signal: the synthesis is content, and has a version like an edit.
        versions.record_version(question, user=actor, reason=versions.Source.CLOSE)
        followers = Subscription.objects.filter(
            question=question, status=Subscription.Status.ACTIVE
        ).order_by("pk")
        for subscription in followers:
            emails.queue_question_closed(subscription)
    return question
