"""Blocked senders: what a rule matches, where their contributions go, and who may block."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone

from debates.models import Contribution
from moderation import services
from moderation.models import BlockRule, Decision, Report, Subscription
from moderation.services import blocking
from moderation.tokens import make_token
from tests.factories import make_contribution, make_user
from tests.mail import links, mails_to, path_of, text_of

Status = Contribution.Status
Kind = BlockRule.Kind


def rule(kind, value, **fields):
    if kind == Kind.NETWORK:
        fields.setdefault("expires_at", timezone.now() + timedelta(days=30))
    return BlockRule.objects.create(kind=kind, value=blocking.normalise(kind, value), **fields)


def submit(question, email="sender@spam.example", ip="198.51.100.7"):
    return services.submit_contribution(
        question=question,
        author_name="Reklame A/S",
        author_email=email,
        title="Billige lån",
        body="Køb nu.",
        submitter_ip=ip,
    )


# What a rule matches ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "value", "stored"),
    [
        (Kind.EMAIL, "  Spammer@Example.COM ", "spammer@example.com"),
        (Kind.DOMAIN, "Example.COM.", "example.com"),
        (Kind.DOMAIN, "someone@Example.com", "example.com"),
        (Kind.DOMAIN, "bølle.dk", "xn--blle-gra.dk"),
        (Kind.NETWORK, "203.0.113.77/24", "203.0.113.0/24"),
        (Kind.NETWORK, "2001:DB8::1/32", "2001:db8::/32"),
        (Kind.NETWORK, "203.0.113.77", "203.0.113.77/32"),
        # The same mailbox, written one way: unquoted, without its "+" tag, domain in ASCII.
        (Kind.EMAIL, '"Spammer"@Example.COM.', "spammer@example.com"),
        (Kind.EMAIL, "spammer+tilbud@example.com", "spammer@example.com"),
        (Kind.EMAIL, "Ole@Bølle.DK", "ole@xn--blle-gra.dk"),
        (Kind.EMAIL, '"ole hansen"@example.com', '"ole hansen"@example.com'),
        (Kind.EMAIL, "+nyheder@example.com", "+nyheder@example.com"),
        # An IPv4 network written as IPv6 is the IPv4 network.
        (Kind.NETWORK, "::ffff:203.0.113.0/120", "203.0.113.0/24"),
        (Kind.NETWORK, "64:ff9b::203.0.113.0/120", "203.0.113.0/24"),
    ],
)
def test_a_rule_is_stored_parsed_and_normalised(kind, value, stored):
    assert blocking.normalise(kind, value) == stored


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        (Kind.EMAIL, "no-at-sign"),
        (Kind.EMAIL, "@example.com"),
        (Kind.DOMAIN, "localhost"),
        (Kind.DOMAIN, "a..b"),
        (Kind.NETWORK, "203.0.113.0/33"),
        (Kind.NETWORK, "example.com"),
    ],
)
def test_a_value_that_does_not_parse_is_refused(kind, value):
    with pytest.raises(ValueError, match="er ikke"):
        blocking.normalise(kind, value)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("email", "blocked"),
    [
        ("spammer@example.com", True),
        ("SPAMMER@EXAMPLE.COM", True),
        ("other@example.com", False),
        ("spammer@example.com.evil", False),
        ("xspammer@example.com", False),
        # The same mailbox, however it is written.
        ("spammer+x@example.com", True),
        ("SPAMMER+Tilbud+2@Example.Com", True),
        ('"spammer"@example.com', True),
        ('"spam\\mer"@example.com', True),
        ('"spammer+x"@EXAMPLE.COM.', True),
        ("spammer@example.com.", True),
        # Other mailboxes: other separators and dots are part of the name in most places.
        ("spammer-x@example.com", False),
        ("s.pammer@example.com", False),
        ('"spammer x"@example.com', False),
        ("spammer@example.com@evil.example", False),
    ],
)
def test_an_address_rule_matches_the_mailbox_however_it_is_written(email, blocked):
    rule(Kind.EMAIL, "spammer@example.com")
    assert (blocking.rule_for(email=email) is not None) is blocked


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("email", "blocked"),
    [
        ("ole@xn--blle-gra.dk", True),
        ("OLE@BØLLE.DK", True),
        ("ole+debat@bølle.dk.", True),
        ("ole@bolle.dk", False),
    ],
)
def test_an_address_rule_matches_its_domain_in_unicode_or_ascii(email, blocked):
    rule(Kind.EMAIL, "ole@bølle.dk")
    assert (blocking.rule_for(email=email) is not None) is blocked


@pytest.mark.django_db
def test_a_rule_stored_with_a_tag_blocks_the_whole_mailbox():
    BlockRule.objects.create(kind=Kind.EMAIL, value="spammer+x@example.com")  # as stored before
    assert blocking.rule_for(email="spammer@example.com") is not None
    assert blocking.rule_for(email="spammer+y@example.com") is not None
    assert blocking.rule_for(email="other@example.com") is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("email", "blocked"),
    [
        ("anyone@example.com", True),
        ("anyone@mail.EXAMPLE.com", True),
        ("anyone@deep.mail.example.com", True),
        ("anyone@notexample.com", False),
        ("anyone@example.com.evil", False),
        ("example.com@elsewhere.dk", False),
    ],
)
def test_a_domain_rule_matches_the_domain_and_its_subdomains_never_a_lookalike(email, blocked):
    rule(Kind.DOMAIN, "example.com")
    assert (blocking.rule_for(email=email) is not None) is blocked


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("ip", "blocked"),
    [
        ("203.0.113.1", True),
        ("203.0.113.255", True),
        ("203.0.114.1", False),
        ("2001:db8::5", True),
        ("2001:db9::5", False),
        # An IPv4 visitor as a dual-stack server or a NAT64 translator writes them.
        ("::ffff:203.0.113.1", True),
        ("::FFFF:cb00:7101", True),
        ("0:0:0:0:0:ffff:203.0.113.200", True),
        ("64:ff9b::203.0.113.9", True),
        ("2001:DB8:0:0::5", True),
        ("::ffff:203.0.114.1", False),
        # Other addresses: a 6to4 network's own, and the deprecated IPv4-compatible form.
        ("2002:cb00:7101::1", False),
        ("::203.0.113.1", False),
        ("not an address", False),
        (None, False),
    ],
)
def test_a_network_rule_matches_the_addresses_it_contains(ip, blocked):
    rule(Kind.NETWORK, "203.0.113.0/24")
    rule(Kind.NETWORK, "2001:db8::/32")
    assert (blocking.rule_for(ip=ip) is not None) is blocked


@pytest.mark.django_db
def test_an_ended_or_expired_rule_blocks_nobody():
    rule(Kind.EMAIL, "ended@example.com", is_active=False)
    rule(Kind.NETWORK, "203.0.113.0/24", expires_at=timezone.now() - timedelta(minutes=1))
    assert blocking.rule_for(email="ended@example.com", ip="203.0.113.9") is None


@pytest.mark.django_db
def test_the_database_refuses_an_unknown_kind_and_a_network_without_an_end():
    with pytest.raises(IntegrityError):
        BlockRule.objects.create(kind="phone", value="12345678")


@pytest.mark.django_db
def test_the_database_refuses_a_network_blocked_for_ever():
    with pytest.raises(IntegrityError):
        BlockRule.objects.create(kind=Kind.NETWORK, value="203.0.113.0/24")


@pytest.mark.django_db
def test_a_network_rule_written_as_ipv6_blocks_the_ipv4_visitor():
    rule(Kind.NETWORK, "::ffff:203.0.113.0/120")
    assert blocking.rule_for(ip="203.0.113.5") is not None


# What a rule would match, for the desk before it blocks -----------------------------------------


@pytest.mark.django_db
def test_the_desk_can_count_the_contributions_a_rule_would_block_before_blocking(question):
    for email in (
        "spammer@example.com",
        "Spammer+a@Example.com",
        '"spammer"@example.com.',
        "other@example.com",
        "anyone@mail.example.com",
        "spammer@notexample.com",
        "",  # withdrawn: the address is gone
    ):
        make_contribution(question=question, author_email=email, submitter_ip=None)
    for ip in ("203.0.113.5", "::ffff:203.0.113.6", "203.0.114.1"):
        make_contribution(question=question, author_email="net@example.org", submitter_ip=ip)

    assert blocking.count_sharing(kind=Kind.EMAIL, value="SPAMMER+b@example.com") == 3
    assert blocking.count_sharing(kind=Kind.DOMAIN, value="example.com") == 5
    assert blocking.count_sharing(kind=Kind.NETWORK, value="203.0.113.0/24") == 2
    assert blocking.count_sharing(kind=Kind.EMAIL, value="nobody@example.com") == 0
    assert set(
        blocking.sharing(kind=Kind.EMAIL, value="spammer@example.com").values_list(
            "author_email", flat=True
        )
    ) == {"spammer@example.com", "Spammer+a@Example.com", '"spammer"@example.com.'}
    with pytest.raises(ValueError, match="er ikke"):
        blocking.count_sharing(kind=Kind.DOMAIN, value="localhost")


# Every way in answers a blocked sender as it answers anyone ------------------------------------

FREE_IP, BLOCKED_NETWORK = "192.0.2.1", "198.51.100.0/24"


def answer(response, email):
    """What the visitor sees: the status, where it leads, and the page with their address out."""
    return (
        response.status_code,
        response.get("Location", ""),
        response.content.decode().replace(email, "ADDRESS"),
    )


@pytest.mark.parametrize(
    ("kind", "value", "email", "ip"),
    [
        (Kind.EMAIL, "blokeret@ok.example", "Blokeret+foelg@ok.example", FREE_IP),
        (Kind.DOMAIN, "spam.example", "hvem@post.spam.example", FREE_IP),
        (Kind.NETWORK, BLOCKED_NETWORK, "fri@ok.example", "::ffff:198.51.100.7"),
    ],
    ids=["address", "domain", "network"],
)
def test_a_blocked_sender_who_follows_a_question_is_answered_as_anyone_and_nothing_is_kept(
    client, question, mails_sent_by, kind, value, email, ip
):
    url = reverse("moderation:follow-question", args=[question.slug])
    rule(kind, value)

    blocked = mails_sent_by(lambda: client.post(url, {"email": email}, REMOTE_ADDR=ip))
    assert not Subscription.objects.exists()
    assert blocked == []

    free = "laeser@ok.example"
    sent = mails_sent_by(lambda: client.post(url, {"email": free}, REMOTE_ADDR=FREE_IP))
    assert Subscription.objects.get().email == free
    assert mails_to(sent, free)

    def page(address, ip):
        return answer(client.post(url, {"email": address}, REMOTE_ADDR=ip), address)

    assert page(email, ip) == page(free, FREE_IP)


@pytest.mark.parametrize(
    ("kind", "value", "email", "ip"),
    [
        (Kind.EMAIL, "kendt+x@ok.example", "KENDT@ok.example", FREE_IP),
        (Kind.DOMAIN, "ok.example", "kendt@ok.example", FREE_IP),
        (Kind.NETWORK, BLOCKED_NETWORK, "kendt@ok.example", "64:ff9b::198.51.100.7"),
    ],
    ids=["address", "domain", "network"],
)
def test_a_blocked_senders_request_for_their_data_gets_the_same_page_and_no_mail(
    client, question, mails_sent_by, kind, value, email, ip
):
    make_contribution(question=question, author_email="kendt@ok.example")
    url = reverse("moderation:personal-data")
    free = mails_sent_by(lambda: client.post(url, {"email": email}, REMOTE_ADDR=FREE_IP))
    assert len(free) == 1  # unblocked, the link is mailed

    rule(kind, value)
    responses = []
    blocked = mails_sent_by(
        lambda: responses.append(client.post(url, {"email": email}, REMOTE_ADDR=ip))
    )
    assert blocked == []
    unblocked_page = client.post(url, {"email": "ukendt@andet.example"}, REMOTE_ADDR=FREE_IP)
    assert answer(responses[0], email) == answer(unblocked_page, "ukendt@andet.example")


def test_a_report_from_a_blocked_network_is_thanked_as_anyones_and_nothing_reaches_the_desk(
    client, question
):
    contribution = make_contribution(question=question)
    url = reverse("moderation:contribution-report", args=[contribution.pk])
    rule(Kind.NETWORK, BLOCKED_NETWORK)

    blocked = client.post(url, {"reason": "spam"}, REMOTE_ADDR="::ffff:198.51.100.7")
    assert not Report.objects.exists()
    free = client.post(url, {"reason": "spam"}, REMOTE_ADDR=FREE_IP)
    assert Report.objects.get().reporter_ip == FREE_IP

    assert answer(blocked, "") == answer(free, "")
    assert answer(client.get(blocked["Location"]), "")[0] == 200


# A blocked sender's contribution ---------------------------------------------------------------


def test_a_blocked_sender_is_told_nothing_different_and_lands_in_spam_on_confirmation(
    client, question, mails_sent_by
):
    rule(Kind.DOMAIN, "spam.example", reason="reklame")

    (confirmation,) = mails_sent_by(lambda: submit(question))
    contribution = Contribution.objects.get()
    assert contribution.status == Status.UNCONFIRMED
    assert "Bekræft" in text_of(confirmation)

    confirm_path = path_of(links(confirmation)[0])
    assert client.get(confirm_path).status_code == 200
    sent = mails_sent_by(lambda: client.post(confirm_path, follow=True))

    contribution.refresh_from_db()
    assert contribution.status == Status.SPAM
    assert sent == []  # the editors are not disturbed; the sender gets nothing odd either
    last = contribution.decisions.first()
    assert last.action == Decision.Action.MARKED_SPAM
    assert last.actor is None
    assert last.reason == "Blokeret: domæne spam.example (reklame)"


def test_the_confirmed_page_of_a_blocked_sender_reads_as_anyone_elses(client, question):
    def confirmed_page(email):
        contribution = submit(question, email=email)
        token = make_token(contribution.pk, "confirm")
        response = client.post(
            reverse("moderation:contribution-confirm", args=[token]), follow=True
        )
        return response.status_code, response.content.decode().replace(token, "TOKEN")

    free = confirmed_page("fri@ok.example")
    rule(Kind.EMAIL, "blokeret@ok.example")
    blocked = confirmed_page("blokeret@ok.example")
    assert blocked == free


def test_a_contribution_sent_while_blocked_says_so_in_its_history_from_the_start(question):
    rule(Kind.NETWORK, "198.51.100.0/24", reason="bølge af reklamer")
    contribution = submit(question, email="ny@ok.example", ip="198.51.100.7")
    (submitted,) = contribution.decisions.all()
    assert submitted.reason == "Blokeret: netværksadresse 198.51.100.0/24 (bølge af reklamer)"


def test_a_sender_blocked_after_sending_still_lands_in_spam(question):
    contribution = submit(question)
    rule(Kind.EMAIL, "sender@spam.example")
    services.confirm_contribution(contribution=contribution)
    contribution.refresh_from_db()
    assert contribution.status == Status.SPAM


def test_a_contribution_by_mail_from_a_blocked_address_lands_in_spam_too(question):
    rule(Kind.EMAIL, "sender@spam.example")
    contribution = services.submit_contribution(
        question=question,
        author_name="Reklame",
        author_email="Sender@Spam.Example",
        body="Køb nu.",
        source=Contribution.Source.EMAIL,
        message_id="<1@spam.example>",
    )
    services.confirm_contribution(contribution=contribution)
    contribution.refresh_from_db()
    assert contribution.status == Status.SPAM


def test_an_unblocked_sender_still_joins_the_queue_and_the_editors_hear(
    question, mails_sent_by, settings
):
    rule(Kind.DOMAIN, "spam.example")
    contribution = submit(question, email="fri@ok.example")
    sent = mails_sent_by(lambda: services.confirm_contribution(contribution=contribution))
    contribution.refresh_from_db()
    assert contribution.status == Status.PENDING
    assert mails_to(sent, settings.MIA_WEBMASTER_EMAIL)


def test_a_blocked_senders_contribution_can_be_put_back_in_the_queue(question, webmaster):
    rule(Kind.EMAIL, "sender@spam.example")
    contribution = services.confirm_contribution(contribution=submit(question))
    services.reopen(contribution=contribution, actor=webmaster)
    contribution.refresh_from_db()
    assert contribution.status == Status.PENDING


# The desk ----------------------------------------------------------------------------------


@pytest.fixture
def moderator(client, webmaster):
    client.force_login(webmaster)
    return client


def sender_url(contribution):
    return reverse("admin:moderation_blockrule_sender", args=[contribution.pk])


def change_url(contribution):
    return reverse("admin:debates_contribution_change", args=[contribution.pk])


def test_the_queue_shows_why_a_blocked_senders_contribution_is_spam(moderator, question):
    rule(Kind.DOMAIN, "spam.example", reason="reklame")
    services.confirm_contribution(contribution=submit(question))
    html = moderator.get(
        reverse("admin:debates_contribution_changelist") + "?status__exact=spam"
    ).content.decode()
    assert "Billige lån" in html
    assert "Blokeret: domæne spam.example (reklame)" in html


def test_a_moderator_blocks_a_senders_domain_with_one_click(moderator, question):
    contribution = make_contribution(question=question, author_email="Ole@Reklame.Example")
    page = moderator.get(change_url(contribution)).content.decode()
    assert "Bloker hele domænet reklame.example" in page

    response = moderator.post(sender_url(contribution), {"kind": "domain"}, follow=True)

    (block,) = BlockRule.objects.all()
    assert (block.kind, block.value, block.is_active) == (Kind.DOMAIN, "reklame.example", True)
    assert block.created_by.username == response.wsgi_request.user.username
    html = response.content.decode()
    assert "Blokeret: domæne reklame.example" in html
    assert "Afsenderen er blokeret" in html
    contribution.refresh_from_db()
    assert contribution.status == Status.PUBLISHED  # the block decides nothing already sent


def test_blocking_an_address_twice_keeps_one_rule(moderator, question):
    contribution = make_contribution(question=question, author_email="ole@reklame.example")
    moderator.post(sender_url(contribution), {"kind": "email"})
    moderator.post(sender_url(contribution), {"kind": "email"})
    assert BlockRule.objects.get().value == "ole@reklame.example"


def test_staff_who_may_not_moderate_cannot_block_and_are_not_offered_to(client, question):
    user = make_user()
    user.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_contribution", "change_contribution"])
    )
    client.force_login(user)
    contribution = make_contribution(question=question, author_email="ole@reklame.example")
    assert "Bloker hele domænet" not in client.get(change_url(contribution)).content.decode()
    assert client.post(sender_url(contribution), {"kind": "domain"}).status_code == 403
    assert not BlockRule.objects.exists()


def test_an_anonymous_visitor_is_sent_to_the_login(client, question):
    contribution = make_contribution(question=question)
    response = client.post(sender_url(contribution), {"kind": "domain"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    assert not BlockRule.objects.exists()


def test_a_contributor_with_no_staff_account_cannot_block(client, question):
    contributor = make_user(is_staff=False)
    client.force_login(contributor)
    contribution = make_contribution(question=question)
    response = client.post(sender_url(contribution), {"kind": "domain"})
    assert response.status_code == 302
    assert not BlockRule.objects.exists()


def test_the_block_list_normalises_what_is_typed_and_wants_an_end_for_a_network(moderator):
    add = reverse("admin:moderation_blockrule_add")
    response = moderator.post(
        add, {"kind": "network", "value": "203.0.113.9/24", "is_active": "on"}
    )
    assert response.status_code == 200
    assert "angiv en udløbsdato" in response.content.decode()
    assert not BlockRule.objects.exists()

    moderator.post(add, {"kind": "email", "value": " Ole@Reklame.EXAMPLE ", "is_active": "on"})
    assert BlockRule.objects.get().value == "ole@reklame.example"

    response = moderator.post(add, {"kind": "domain", "value": "not a domain", "is_active": "on"})
    assert "er ikke et domæne" in response.content.decode()


def test_a_block_is_ended_never_deleted(moderator):
    block = rule(Kind.EMAIL, "ole@reklame.example")
    moderator.post(
        reverse("admin:moderation_blockrule_changelist"),
        {"action": "end_selected", "_selected_action": [block.pk]},
    )
    block.refresh_from_db()
    assert block.is_active is False
    delete = reverse("admin:moderation_blockrule_delete", args=[block.pk])
    assert moderator.post(delete, {"post": "yes"}).status_code == 403
    assert mail.outbox == []
