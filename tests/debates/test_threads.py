"""A question's thread: published replies nested under what they answer, in two queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from debates.models import Contribution
from debates.threads import build_thread_page
from tests.factories import make_contribution

Status = Contribution.Status


def thread(question):
    return build_thread_page(question).nodes


def shape(nodes):
    """The thread as (title, replies) pairs; a page's nodes carry only the contributions' place."""
    titles = dict(Contribution.objects.values_list("pk", "title"))

    def walk(nodes):
        return [(titles[node.contribution.pk], walk(node.children)) for node in nodes]

    return walk(nodes)


def test_replies_nest_under_what_they_answer_oldest_first(question):
    first = make_contribution(question=question, title="Først")
    second = make_contribution(question=question, title="Andet")
    reply = make_contribution(question=question, parent=first, title="Svar på først")
    make_contribution(question=question, parent=reply, title="Svar på svaret")

    assert shape(thread(question)) == [
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
    assert shape(thread(question)) == [("Synlig", [])]


def test_a_published_reply_to_something_taken_down_keeps_its_place_under_a_placeholder(question):
    removed = make_contribution(question=question, title="Fjernet", status=Status.REJECTED)
    make_contribution(question=question, parent=removed, title="Svar")

    (root,) = thread(question)
    assert root.is_placeholder
    assert shape(root.children) == [("Svar", [])]


def test_the_thread_takes_the_same_number_of_queries_for_three_or_sixty_replies(question):
    def queries_for_thread():
        with CaptureQueriesContext(connection) as captured:
            thread(question)
        return len(captured)

    parent = None
    for n in range(3):
        parent = make_contribution(question=question, parent=parent if n % 2 else None)
    few = queries_for_thread()
    for n in range(57):
        parent = make_contribution(question=question, parent=parent if n % 3 else None)
    assert queries_for_thread() == few == 2


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


def deep_thread(question, settings):
    """A chain of replies as deep as threads nest, and the names at each level."""
    parent = None
    chain = []
    for level in range(1, settings.MIA_MAX_REPLY_DEPTH + 1):
        parent = make_contribution(
            question=question, parent=parent, author_name=f"Niveau {level}", title=f"Niveau {level}"
        )
        chain.append(parent)
    return chain


def test_a_reply_past_the_depth_cap_says_whom_it_answers(client, question, settings):
    chain = deep_thread(question, settings)
    chain[-1].author_name = "Karen Holm"
    chain[-1].save()
    # The reply to the deepest one hangs beside it, under its parent, as the service places it.
    make_contribution(
        question=question, parent=chain[-2], in_reply_to=chain[-1], title="Svar til dybden"
    )

    # The thread as the page shows it, after the head's description of it for search engines.
    html = client.get(question.get_absolute_url()).content.decode().split("</head>")[1]

    note = f'Svar til <a href="#indlaeg-{chain[-1].pk}">Karen Holm</a>'
    assert html.count(note) == 1
    answered = html.index(f'id="indlaeg-{chain[-1].pk}"')
    assert answered < html.index("Svar til dybden") < html.index(note)


def test_a_reply_under_what_it_answers_needs_no_note(client, question, settings):
    chain = deep_thread(question, settings)
    make_contribution(question=question, parent=chain[0], in_reply_to=chain[0])

    assert "Svar til" not in client.get(question.get_absolute_url()).content.decode()


@pytest.mark.parametrize("status", [Status.WITHDRAWN, Status.REJECTED])
def test_a_flattened_reply_to_something_taken_down_names_no_one(client, question, settings, status):
    chain = deep_thread(question, settings)
    gone = make_contribution(
        question=question, parent=chain[-1], author_name="Skjult Navn", status=status
    )
    make_contribution(question=question, parent=chain[-1], in_reply_to=gone, title="Svaret")

    html = client.get(question.get_absolute_url()).content.decode()

    assert "Svar til et indlæg, der ikke længere vises" in html
    assert "Skjult Navn" not in html


def test_the_note_costs_no_query(question, settings):
    chain = deep_thread(question, settings)
    make_contribution(question=question, parent=chain[-2], in_reply_to=chain[-1])

    with CaptureQueriesContext(connection) as captured:
        nodes = thread(question)
        flattened = nodes[0].children[0].children[0].children[1]
        assert flattened.answers.contribution.pk == chain[-1].pk
    assert len(captured) == 2
