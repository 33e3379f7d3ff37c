"""
A contribution's lasting address, /indlaeg/<number>/, leads to the page of its thread that shows
it now, and tells nothing about a contribution that is not published.
"""

import pytest

from debates.models import Contribution
from moderation import services
from tests.factories import make_contribution, make_thread

Status = Contribution.Status


@pytest.fixture(autouse=True)
def _pages_of_three(settings):
    settings.MIA_CONTRIBUTIONS_PER_PAGE = 3


def test_the_address_of_a_contribution_leads_to_its_page_and_place_in_the_thread(
    client, question, settings
):
    settings.MIA_CONTRIBUTIONS_PER_PAGE = 4
    roots = make_thread(question, top_level=4, replies_each=1)
    reply = Contribution.objects.get(parent=roots[3])

    response = client.get(f"/indlaeg/{reply.pk}/")

    assert reply.get_absolute_url() == f"/indlaeg/{reply.pk}/"
    assert response.status_code == 302
    assert response["Location"] == f"/debat/{question.slug}/?side=2#indlaeg-{reply.pk}"
    page = client.get(response["Location"].split("#")[0]).content.decode()
    assert f'id="indlaeg-{reply.pk}"' in page


def test_an_english_reader_is_led_to_the_english_page(client, question):
    contribution = make_contribution(question=question)

    response = client.get(f"/en/indlaeg/{contribution.pk}/")

    assert response["Location"] == f"/en/debat/{question.slug}/#indlaeg-{contribution.pk}"


def unknown_number():
    return (Contribution.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1


@pytest.mark.parametrize(
    "status",
    [Status.UNCONFIRMED, Status.PENDING, Status.REJECTED, Status.SPAM, Status.WITHDRAWN],
)
def test_an_unpublished_contribution_is_not_found_as_if_it_did_not_exist(client, question, status):
    hidden = make_contribution(question=question, status=status, title="Ikke for læsere")
    unknown = unknown_number()

    response = client.get(f"/indlaeg/{hidden.pk}/")
    nothing = client.get(f"/indlaeg/{unknown}/")

    assert response.status_code == nothing.status_code == 404
    assert "Location" not in response
    # The same page, but for the address it names (in the language menu, say).
    assert response.content.decode().replace(f"/indlaeg/{hidden.pk}/", "/indlaeg/N/") == (
        nothing.content.decode().replace(f"/indlaeg/{unknown}/", "/indlaeg/N/")
    )
    assert question.slug not in response.content.decode()


def test_an_unknown_number_is_not_found(client, db):
    assert client.get(f"/indlaeg/{unknown_number()}/").status_code == 404


def test_a_contributions_address_costs_no_query(question, django_assert_num_queries):
    contribution = make_contribution(question=question)
    fresh = Contribution.objects.get(pk=contribution.pk)

    with django_assert_num_queries(0):
        assert fresh.get_absolute_url() == f"/indlaeg/{contribution.pk}/"


# Never kept past a change: the address leads where the contribution is now ---------------------


def test_the_address_follows_a_contribution_that_moves_up_a_page(client, question):
    roots = make_thread(question, top_level=4)
    assert client.get(f"/indlaeg/{roots[3].pk}/")["Location"].startswith(
        f"/debat/{question.slug}/?side=2#"
    )

    services.withdraw(contribution=roots[0])

    response = client.get(f"/indlaeg/{roots[3].pk}/")
    assert response["Location"] == f"/debat/{question.slug}/#indlaeg-{roots[3].pk}"


def test_the_address_of_a_contribution_is_found_once_it_is_published(client, question, webmaster):
    pending = make_contribution(question=question, status=Status.PENDING)
    assert client.get(f"/indlaeg/{pending.pk}/").status_code == 404

    services.publish(contribution=pending, actor=webmaster)

    assert client.get(f"/indlaeg/{pending.pk}/").status_code == 302


def test_the_address_is_gone_once_the_contribution_is_taken_down(client, question, webmaster):
    published = make_contribution(question=question)
    assert client.get(f"/indlaeg/{published.pk}/").status_code == 302

    services.unpublish(contribution=published, actor=webmaster, reason="Ophavsret.")

    assert client.get(f"/indlaeg/{published.pk}/").status_code == 404


def test_no_cache_on_the_way_may_keep_where_the_address_leads(client, question):
    contribution = make_contribution(question=question)

    response = client.get(f"/indlaeg/{contribution.pk}/")

    # A temporary redirect without freshness: browsers and proxies ask again each time.
    assert response.status_code == 302
    assert "max-age" not in response.get("Cache-Control", "")
    assert "public" not in response.get("Cache-Control", "")
    assert not response.has_header("Expires")
