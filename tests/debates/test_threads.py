"""A question's thread: published replies nested under what they answer, in one query."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from debates.models import Contribution
from debates.threads import build_thread
from tests.factories import make_contribution

Status = Contribution.Status


def shape(nodes):
    return [(node.contribution.title, shape(node.children)) for node in nodes]


def test_replies_nest_under_what_they_answer_oldest_first(question):
    first = make_contribution(question=question, title="Først")
    second = make_contribution(question=question, title="Andet")
    reply = make_contribution(question=question, parent=first, title="Svar på først")
    make_contribution(question=question, parent=reply, title="Svar på svaret")

    assert shape(build_thread(question)) == [
        ("Først", [("Svar på først", [("Svar på svaret", [])])]),
        ("Andet", []),
    ]
    assert second.depth == 1


@pytest.mark.parametrize(
    "status", [Status.UNCONFIRMED, Status.PENDING, Status.REJECTED, Status.SPAM]
)
def test_unpublished_contributions_are_not_in_the_thread(question, status):
    make_contribution(question=question, title="Synlig")
    make_contribution(question=question, title="Usynlig", status=status)
    assert shape(build_thread(question)) == [("Synlig", [])]


def test_a_published_reply_to_something_taken_down_keeps_its_place_under_a_placeholder(question):
    removed = make_contribution(question=question, title="Fjernet", status=Status.REJECTED)
    make_contribution(question=question, parent=removed, title="Svar")

    (root,) = build_thread(question)
    assert root.is_placeholder
    assert [child.contribution.title for child in root.children] == ["Svar"]


def test_the_thread_takes_the_same_number_of_queries_for_three_or_sixty_replies(question):
    def queries_for_thread():
        with CaptureQueriesContext(connection) as captured:
            build_thread(question)
        return len(captured)

    parent = None
    for n in range(3):
        parent = make_contribution(question=question, parent=parent if n % 2 else None)
    few = queries_for_thread()
    for n in range(57):
        parent = make_contribution(question=question, parent=parent if n % 3 else None)
    assert queries_for_thread() == few == 1


def test_the_question_page_takes_the_same_number_of_queries_for_three_or_sixty_replies(
    client, question
):
    def queries_for_page():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(question.get_absolute_url()).status_code == 200
        return len(captured)

    for _ in range(3):
        make_contribution(question=question)
    few = queries_for_page()
    for _ in range(57):
        make_contribution(question=question)
    assert queries_for_page() == few
