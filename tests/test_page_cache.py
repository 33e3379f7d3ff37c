"""
Public pages come from the cache for anonymous readers, and never stale: every kind of change a
reader could see is on the next page served, forms on a cached page still work, and nothing
meant for one visitor is kept for another.
"""

import gzip
import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from debates.cache import CACHE_ERRORS, PublicPageCacheMiddleware, StoredPage
from debates.models import Contribution, Question, Talk
from moderation import services
from moderation.services import rights
from moderation.services.questions import close_question
from tests.factories import make_contribution, make_thread

Status = Contribution.Status
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def fetch(client, url, **headers):
    """The page, and whether it came from the cache (no query made and no template rendered)."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, headers=headers)
    assert response.status_code == 200, url
    body = response.content
    if response.get("Content-Encoding") == "gzip":
        body = gzip.decompress(body)
    return body.decode(), len(queries) == 0 and not response.templates


def cached_now(client, url):
    """Visit a page twice; the second visit must come from the cache."""
    fetch(client, url)
    html, from_cache = fetch(client, url)
    assert from_cache, f"{url} was not served from the cache"
    return html


@pytest.fixture
def reader():
    """A first-time visitor: no cookies, and none kept between requests."""

    class Forgetful(Client):
        def request(self, **request):
            self.cookies.clear()
            return super().request(**request)

    return Forgetful()


# Served from the cache -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/workshops/",
        "/workshops/5/",
        "/workshops/5/konklusioner/",
        "/debat/lederens-roller/",
        "/feed/",
        "/feed/fremhaevet/",
        "/debat/lederens-roller/feed/",
        "/sitemap.xml",
        "/retningslinjer/",
        "/privatliv/",
        "/tilgaengelighed/",
        "/en/",
        "/en/debat/lederens-roller/",
    ],
)
def test_a_first_time_visitor_is_served_every_public_page_from_the_cache(reader, seeded, url):
    first, from_cache = fetch(reader, url)
    assert not from_cache
    second, from_cache = fetch(reader, url)
    assert from_cache
    assert TOKEN.sub("", first) == TOKEN.sub("", second)


def test_a_cached_page_is_sent_compressed_with_a_fresh_token_for_each_visitor(reader, question):
    url = question.get_absolute_url()
    plain = cached_now(reader, url)
    responses = [reader.get(url, headers={"Accept-Encoding": "gzip, deflate"}) for _ in range(3)]

    pages = []
    for response in responses:
        assert response["Content-Encoding"] == "gzip"
        assert "Accept-Encoding" in response["Vary"]
        assert "private" in response["Cache-Control"]
        assert int(response["Content-Length"]) == len(response.content)
        assert len(response.content) < len(plain.encode()) / 3
        pages.append(gzip.decompress(response.content).decode())
    tokens = [TOKEN.findall(page) for page in pages]
    assert all(len(found) == 2 for found in tokens)  # the contribution form and the follow form
    assert len({token for found in tokens for token in found}) == 3  # masked anew each time
    assert {TOKEN.sub("", page) for page in pages} == {TOKEN.sub("", plain)}
    # Each first-time visitor gets a CSRF cookie of their own.
    cookies = {r.cookies["csrftoken"].value for r in responses}
    assert len(cookies) == 3


def test_the_form_on_a_cached_page_works_for_a_first_time_visitor(question, mails_sent_by):
    url = question.get_absolute_url()
    cached_now(Client(), url)
    visitor = Client(enforce_csrf_checks=True)
    html, from_cache = fetch(visitor, url)
    assert from_cache
    token = TOKEN.search(html).group(1)

    response = visitor.post(
        reverse("moderation:contribution-new", args=[question.slug]),
        {
            "csrfmiddlewaretoken": token,
            "author_name": "Søren Ærø",
            "author_email": "soren@example.dk",
            "body": "Vi skal *skabe rum* for samarbejde.",
            "consent": "on",
            "send": "1",
        },
    )

    assert response.status_code == 302, response.content.decode()[:500]
    assert Contribution.objects.filter(author_email="soren@example.dk").exists()


def test_a_page_asked_for_with_a_parameter_it_does_not_read_is_not_cached(reader, question):
    url = question.get_absolute_url()
    fetch(reader, f"{url}?utm_source=nyhedsbrev")
    _html, from_cache = fetch(reader, f"{url}?utm_source=nyhedsbrev")
    assert not from_cache


def test_each_page_of_a_thread_is_cached_on_its_own(reader, question, settings):
    settings.MIA_CONTRIBUTIONS_PER_PAGE = 2
    make_thread(question, top_level=5, replies_each=0)
    url = question.get_absolute_url()
    pages = [cached_now(reader, url), cached_now(reader, f"{url}?side=2")]
    assert "side 2 af 3" in pages[1]
    assert pages[0] != pages[1]


# Never stale -----------------------------------------------------------------------------------


@pytest.fixture
def published(question):
    return make_contribution(question=question, title="Et indlæg om ledelse")


def test_a_publish_is_on_the_next_page_served(reader, question, webmaster):
    waiting = make_contribution(question=question, status=Status.PENDING, title="Nyt om roller")
    url = question.get_absolute_url()
    assert "Nyt om roller" not in cached_now(reader, url)

    services.publish(contribution=waiting, actor=webmaster)

    html, from_cache = fetch(reader, url)
    assert "Nyt om roller" in html
    assert not from_cache
    for page in ("/", "/feed/", f"{url}feed/"):
        assert "Nyt om roller" in fetch(reader, page)[0], page


def test_an_unpublish_is_on_the_next_page_served(reader, question, published, webmaster):
    url = question.get_absolute_url()
    assert "Et indlæg om ledelse" in cached_now(reader, url)

    services.unpublish(contribution=published, actor=webmaster, reason="Uden for emnet.")

    assert "Et indlæg om ledelse" not in fetch(reader, url)[0]
    assert "Et indlæg om ledelse" not in fetch(reader, "/feed/")[0]


def test_an_edit_is_on_the_next_page_served(reader, question, published, webmaster):
    url = question.get_absolute_url()
    cached_now(reader, url)

    services.edit_contribution(
        contribution=published,
        actor=webmaster,
        title="Rettet titel",
        body="Rettet tekst.",
        question=question,
    )

    html = fetch(reader, url)[0]
    assert "Rettet titel" in html
    assert "Et indlæg om ledelse" not in html


def test_a_pick_and_its_end_are_on_the_next_page_served(reader, question, published, webmaster):
    url = question.get_absolute_url()
    for page in (url, "/", "/feed/fremhaevet/"):
        assert "Fremhævet af redaktionen" not in cached_now(reader, page)
    assert 'id="picks-heading"' not in cached_now(reader, "/")

    services.pick(contribution=published, actor=webmaster)

    html, from_cache = fetch(reader, url)
    assert not from_cache
    assert "Fremhævet af redaktionen" in html
    assert 'id="picks-heading"' in fetch(reader, "/")[0]
    assert "Et indlæg om ledelse" in fetch(reader, "/feed/fremhaevet/")[0]

    cached_now(reader, url)
    services.unpick(contribution=published, actor=webmaster)

    assert "Fremhævet af redaktionen" not in fetch(reader, url)[0]
    assert 'id="picks-heading"' not in fetch(reader, "/")[0]


def test_a_move_is_on_the_next_page_of_both_questions(reader, question, published, webmaster):
    other = Question.objects.get(slug="generel-debat")
    cached_now(reader, question.get_absolute_url())
    assert "Et indlæg om ledelse" not in cached_now(reader, other.get_absolute_url())

    services.edit_contribution(
        contribution=published,
        actor=webmaster,
        title=published.title,
        body=published.body,
        question=other,
    )

    assert "Et indlæg om ledelse" not in fetch(reader, question.get_absolute_url())[0]
    assert "Et indlæg om ledelse" in fetch(reader, other.get_absolute_url())[0]


def test_a_withdrawal_is_on_the_next_page_served(reader, question, published):
    url = question.get_absolute_url()
    cached_now(reader, url)

    rights.withdraw(contribution=published)

    assert "Et indlæg om ledelse" not in fetch(reader, url)[0]


def test_closing_with_a_synthesis_is_on_the_next_page_served(reader, question, webmaster):
    url = question.get_absolute_url()
    assert 'class="contribution-form"' in cached_now(reader, url)

    close_question(question=question, synthesis="Vi *samler* op.", actor=webmaster)

    html = fetch(reader, url)[0]
    assert "<em>samler</em>" in html
    assert 'class="contribution-form"' not in html


def test_opening_a_question_again_is_on_the_next_page_served(reader, question, webmaster):
    close_question(question=question, synthesis="", actor=webmaster)
    url = question.get_absolute_url()
    assert 'class="contribution-form"' not in cached_now(reader, url)

    question.is_open = True
    question.save()

    assert 'class="contribution-form"' in fetch(reader, url)[0]


def test_the_webmaster_editing_content_in_the_admin_is_on_the_next_page(reader, superuser_client):
    talk = Talk.objects.filter(workshop__number=5).exclude(speakers=None).first()
    speaker = talk.speakers.first()
    url = talk.workshop.get_absolute_url()
    assert "Et nyt navn" not in cached_now(reader, url)
    change = reverse("admin:debates_speaker_change", args=[speaker.pk])
    form = superuser_client.get(change).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data["name"] = "Et nyt navn"

    response = superuser_client.post(change, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    assert "Et nyt navn" in fetch(reader, url)[0]


def test_each_language_has_its_own_page(reader, question):
    danish = cached_now(reader, question.get_absolute_url())
    english = cached_now(reader, f"/en{question.get_absolute_url()}")
    assert 'lang="da"' in danish.split(">", 2)[1]
    assert '<html lang="en">' in english
    assert "Join the debate" in english
    assert "Join the debate" not in danish


def test_a_contribution_waiting_in_the_queue_leaves_the_cache_alone(reader, question):
    url = question.get_absolute_url()
    cached_now(reader, url)

    make_contribution(question=question, status=Status.UNCONFIRMED)
    make_contribution(question=question, status=Status.PENDING)

    assert fetch(reader, url)[1]


# Nothing user-specific -------------------------------------------------------------------------


@pytest.fixture
def superuser_client(django_user_model):
    client = Client()
    client.force_login(django_user_model.objects.create_superuser("chef", "chef@example.dk"))
    return client


@pytest.fixture
def moderator_client(webmaster):
    client = Client()
    client.force_login(webmaster)
    return client


def test_a_signed_in_editor_is_never_served_nor_leaves_a_cached_page(
    reader, moderator_client, question
):
    url = question.get_absolute_url()
    fetch(moderator_client, url)
    _html, from_cache = fetch(moderator_client, url)
    assert not from_cache
    # What the editor was shown was not kept for the reader either.
    assert not fetch(reader, url)[1]


def test_a_message_for_one_visitor_is_shown_to_them_and_never_kept(reader, question):
    url = question.get_absolute_url()
    cached_now(reader, url)
    visitor = Client()
    response = visitor.post(
        reverse("moderation:contribution-new", args=[question.slug]),
        {
            "author_name": "Ida Holm",
            "author_email": "ida@example.dk",
            "body": "Tak for et godt oplæg.",
            "consent": "on",
            "send": "1",
        },
        follow=True,
    )
    assert response.status_code == 200
    said = [str(m) for m in response.context["messages"]] if response.context else []

    for html in (fetch(visitor, url)[0], fetch(reader, url)[0]):
        assert "ida@example.dk" not in html
        for message in said:
            assert message not in fetch(reader, url)[0]


def test_a_response_that_sets_a_cookie_or_is_private_is_not_kept(rf, question):
    from django.http import HttpResponse

    request = rf.get("/")
    request.user = AnonymousUser()
    with_cookie = HttpResponse("<p>hej</p>")
    with_cookie.set_cookie("sessionid", "abc")
    private = HttpResponse("<p>hej</p>", headers={"Cache-Control": "private"})
    teapot = HttpResponse("<p>hej</p>", status=418)

    for response in (with_cookie, private, teapot):
        assert StoredPage.from_response(request, response) is None


def test_no_page_with_the_visitors_own_csrf_secret_is_kept(rf):
    from django.http import HttpResponse
    from django.middleware.csrf import get_token

    request = rf.get("/")
    token = get_token(request)
    secret = request.META["CSRF_COOKIE"]
    response = HttpResponse(f'<meta name="csrf" content="{secret}"><p>{token}</p>')
    assert StoredPage.from_response(request, response) is None


def test_the_pieces_make_a_gzip_stream_any_reader_opens(rf):
    from django.http import HttpResponse

    request = rf.get("/", headers={"Accept-Encoding": "gzip"})
    token = "a" * 64
    html = "".join(
        f'<p>{"æøå " * n}</p><input name="csrfmiddlewaretoken" value="{token}">' for n in range(40)
    )
    page = StoredPage.from_response(request, HttpResponse(html + "<p>slut</p>"))
    assert len(page.compressed) == 41

    response = page.response_for(request)

    unpacked = gzip.decompress(response.content).decode()
    assert TOKEN.sub("", unpacked) == TOKEN.sub("", html + "<p>slut</p>")
    assert len(TOKEN.findall(unpacked)) == 40
    assert token not in unpacked


def test_the_middleware_leaves_pages_it_does_not_know_alone(rf):
    middleware = PublicPageCacheMiddleware(lambda request: None)

    def view(request):
        return None

    request = rf.get("/")
    assert middleware.process_view(request, view, (), {}) is None
    assert not hasattr(request, "_public_page_key")


def test_a_page_rendered_before_a_commit_does_not_outlive_it(
    reader, question, webmaster, django_capture_on_commit_callbacks
):
    waiting = make_contribution(question=question, status=Status.PENDING, title="Nyt om roller")
    url = question.get_absolute_url()
    with django_capture_on_commit_callbacks(execute=True):
        services.publish(contribution=waiting, actor=webmaster)
        # Meanwhile a reader elsewhere sees the database as it was before the commit, and the
        # page they are shown is kept.
        Contribution.objects.filter(pk=waiting.pk).update(status=Status.PENDING)
        assert "Nyt om roller" not in cached_now(reader, url)
        Contribution.objects.filter(pk=waiting.pk).update(status=Status.PUBLISHED)

    assert "Nyt om roller" in fetch(reader, url)[0]


@pytest.mark.parametrize("lengths", [(0, 0), (1, 1), (5000, 3), (0, 70000), (65536, 12)])
def test_the_gzip_trailer_is_the_crc_of_the_whole_page(rf, lengths):
    import os
    import zlib

    from django.http import HttpResponse

    request = rf.get("/", headers={"Accept-Encoding": "gzip"})
    first, last = (os.urandom(n // 2).hex().encode() for n in lengths)
    token = b'<input name="csrfmiddlewaretoken" value="' + b"b" * 64 + b'">'
    page = StoredPage.from_response(request, HttpResponse(first + token + last))

    body = page.response_for(request).content

    unpacked = gzip.decompress(body)  # checks the CRC and the length
    assert unpacked.startswith(first)
    assert unpacked.endswith(last)
    assert zlib.crc32(unpacked) == int.from_bytes(body[-8:-4], "little")


def test_readers_still_read_when_the_cache_does_not_answer(reader, question, settings):
    make_contribution(question=question, title="Et indlæg om ledelse")
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "mia_forum.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",  # nothing listens there
            "OPTIONS": {"socket_connect_timeout": 0.2},
        },
    }

    for _ in range(2):
        html, from_cache = fetch(reader, question.get_absolute_url())
        assert "Et indlæg om ledelse" in html
        assert not from_cache


def test_a_change_is_refused_while_the_cache_cannot_be_told(question, webmaster, settings):
    """Otherwise the pages cached before it would be served again once the cache is back."""
    waiting = make_contribution(question=question, status=Status.PENDING)
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "mia_forum.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",
            "OPTIONS": {"socket_connect_timeout": 0.2},
        },
    }

    with pytest.raises(CACHE_ERRORS):
        services.publish(contribution=waiting, actor=webmaster)

    waiting.refresh_from_db()
    assert waiting.status == Status.PENDING


def test_a_search_is_sent_compressed_and_never_kept(reader, seeded):
    url = "/soeg/?q=innovation"
    response = reader.get(url, headers={"Accept-Encoding": "gzip"})
    assert response["Content-Encoding"] == "gzip"
    assert "innovation" in gzip.decompress(response.content).decode()
    assert not fetch(reader, url)[1]
