"""The admin's "view on site" link tells staff no more than their permissions let them see."""

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType

from debates.models import Contribution
from tests.factories import make_contribution, make_user

Status = Contribution.Status


def view_on_site(client, obj):
    content_type = ContentType.objects.get_for_model(obj)
    return client.get(f"/admin/r/{content_type.pk}/{obj.pk}/")


@pytest.fixture
def reader(db):
    """Staff who may look at contributions in the admin but not moderate them."""
    user = make_user()
    user.user_permissions.add(
        Permission.objects.get(content_type__app_label="debates", codename="view_contribution")
    )
    return user


@pytest.mark.parametrize("status", [Status.UNCONFIRMED, Status.PENDING, Status.SPAM])
def test_staff_without_moderation_cannot_learn_where_an_unpublished_contribution_sits(
    client, reader, status
):
    contribution = make_contribution(status=status)
    client.force_login(reader)
    response = view_on_site(client, contribution)
    assert response.status_code == 404
    assert contribution.question.slug not in response.get("Location", "")


@pytest.mark.parametrize(
    ("who", "status"),
    [("reader", Status.PUBLISHED), ("webmaster", Status.PUBLISHED), ("webmaster", Status.PENDING)],
)
def test_staff_are_sent_to_a_published_contribution_and_moderators_to_any(
    client, db, request, who, status
):
    contribution = make_contribution(status=status)
    client.force_login(request.getfixturevalue(who))
    response = view_on_site(client, contribution)
    assert response.status_code == 302
    assert contribution.question.slug in response["Location"]


def test_staff_without_permission_for_a_kind_of_thing_are_not_sent_to_it(client, db):
    contribution = make_contribution(status=Status.PUBLISHED)
    client.force_login(make_user())
    assert view_on_site(client, contribution).status_code == 404


def test_visitors_who_are_not_staff_are_asked_to_log_in(client, db):
    contribution = make_contribution(status=Status.PUBLISHED)
    response = view_on_site(client, contribution)
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
