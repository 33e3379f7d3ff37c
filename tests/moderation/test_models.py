"""The database refuses values the code never writes."""

import pytest
from django.db import IntegrityError

from moderation.models import OutgoingMail, Subscription


def test_the_database_refuses_an_unknown_kind_of_mail(db):
    with pytest.raises(IntegrityError):
        OutgoingMail.objects.create(kind="newsletter", subject="Hej", body_text="Hej")


def test_a_subscription_knows_when_it_has_been_stopped(question):
    subscription = Subscription(question=question, email="a@example.dk")
    assert not subscription.is_unsubscribed
    subscription.status = Subscription.Status.UNSUBSCRIBED
    assert subscription.is_unsubscribed


def test_migrate_puts_back_a_deleted_webmaster_group_with_its_permissions(db):
    from django.contrib.auth.models import Group
    from django.core.management import call_command

    from moderation.roles import webmaster_codenames

    Group.objects.filter(name="Webmaster").delete()
    call_command("migrate", verbosity=0)

    group = Group.objects.get(name="Webmaster")
    assert group.permissions.count() == len(list(webmaster_codenames()))
