"""A long thread is read in pages of whole sub-threads, and every link finds its contribution."""

import re
import xml.etree.ElementTree as ET

import pytest
from django.contrib.contenttypes.models import ContentType

from debates.models import Contribution
from debates.threads import contribution_url, with_thread_pages
from moderation.models import Subscription
from moderation.services import publish, withdraw
from tests.factories import make_contribution, make_replies, make_thread
from tests.mail import links

Status = Contribution.Status
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(autouse=True)
def _pages_of_three(settings):
    settings.MIA_CONTRIBUTIONS_PER_PAGE = 9


@pytest.fixture
def thread(question):
    """Seven top-level contributions, each with two replies under it: three pages."""
    return make_thread(question, top_level=7, replies_each=2)


def anchors(html):
    return [int(pk) for pk in re.findall(r'<article class="reply" id="indlaeg-(\d+)"', html)]


def subtree(root):
    found = [root.pk]
    for reply in Contribution.objects.filter(parent=root):
        found += subtree(reply)
    return found


def page(client, question, number=None):
    response = client.get(question.get_absolute_url(), {"side": number} if number else {})
    assert response.status_code == 200
    return response.content.decode()


def test_each_page_carries_its_top_level_contributions_with_every_reply_under_them(
    client, question, thread
):
    pages = [page(client, question), page(client, question, 2), page(client, question, 3)]

    for number, html in enumerate(pages):
        roots = thread[number * 3 : number * 3 + 3]
        expected = sorted(pk for root in roots for pk in subtree(root))
        assert sorted(anchors(html)) == expected


def test_a_link_to_any_contribution_lands_on_the_page_that_holds_it(client, question, thread):
    deep_reply = Contribution.objects.filter(parent__parent=thread[4]).get()

    first, deep = contribution_url(thread[0]), contribution_url(deep_reply)

    assert first == f"/debat/{question.slug}/#indlaeg-{thread[0].pk}"
    assert deep == f"/debat/{question.slug}/?side=2#indlaeg-{deep_reply.pk}"
    path = deep.split("#")[0]
    assert deep_reply.pk in anchors(client.get(path).content.decode())
    assert client.get(deep_reply.get_absolute_url())["Location"] == deep


def test_a_placeholder_keeps_its_place_and_its_replies_on_their_page(client, question, thread):
    removed = make_contribution(question=question, status=Status.WITHDRAWN, title="Trukket")
    reply = make_contribution(question=question, parent=removed, title="Svar på det trukne")

    assert contribution_url(reply).startswith(f"/debat/{question.slug}/?side=3#")
    html = page(client, question, 3)
    assert f'id="indlaeg-{removed.pk}"' in html
    assert "Svar på det trukne" in html
    assert "Trukket" not in html


def test_the_head_points_to_the_next_and_previous_pages(client, question, thread):
    base = f"/debat/{question.slug}/"

    first, middle, last = (page(client, question, n) for n in (None, 2, 3))

    assert f'<link rel="next" href="{base}?side=2">' in first
    assert 'rel="prev"' not in first
    assert f'<link rel="prev" href="{base}">' in middle
    assert f'<link rel="next" href="{base}?side=3">' in middle
    assert f'<link rel="prev" href="{base}?side=2">' in last
    assert '<link rel="next"' not in last


def test_the_page_links_are_plain_links_in_a_labelled_navigation(client, question, thread):
    html = page(client, question, 2)

    assert html.count('<nav class="thread-pages') == 2
    assert 'aria-label="Trådens sider"' in html
    current = re.search(r'<a class="page-link" href="([^"]*)" aria-current="page">', html)
    assert current.group(1) == f"/debat/{question.slug}/?side=2"
    assert f'<a class="page-link" href="/debat/{question.slug}/?side=3">' in html
    assert "Side 2 af 3" in html
    assert "(side 2 af 3)" in html.split("</title>")[0]


def test_a_thread_of_many_pages_offers_the_ends_and_the_pages_around_this_one(
    client, question, settings
):
    settings.MIA_CONTRIBUTIONS_PER_PAGE = 3
    make_thread(question, top_level=90)

    html = page(client, question, 15)

    start = html.index('<nav class="thread-pages')
    nav = html[start : html.index("</nav>", start)]
    shown = [number or gap for number, gap in re.findall(r"</span>(\d+)</a>|(…)", nav)]
    assert shown == ["1", "…", "13", "14", "15", "16", "17", "…", "30"]


def test_a_short_thread_has_no_page_links(client, question):
    make_thread(question, top_level=3, replies_each=1)

    html = page(client, question)

    assert "thread-pages" not in html
    assert 'rel="next"' not in html


def test_the_reply_count_stays_the_threads_total_on_every_page(client, question, thread):
    total = Contribution.objects.published().filter(question=question).count()
    assert total == 21

    assert '<p class="reply-count text-secondary">21 indlæg</p>' in page(client, question, 3)
    paper = client.get(question.paper.get_absolute_url()).content.decode()
    assert "21 indlæg" in paper


@pytest.mark.parametrize("number", ["4", "0", "-1", "to", "2.5", "9" * 30])
def test_a_page_that_does_not_exist_is_not_found(client, question, thread, number):
    assert client.get(question.get_absolute_url(), {"side": number}).status_code == 404


@pytest.mark.parametrize("number", ["1", "", "02"])
def test_each_page_has_one_address(client, question, thread, number):
    response = client.get(question.get_absolute_url(), {"side": number})

    assert response.status_code == 301
    expected = f"/debat/{question.slug}/" + ("?side=2" if number == "02" else "")
    assert response["Location"] == expected


def test_a_page_is_the_same_for_every_reader(client, question, thread):
    def thread_part(html):
        return html[html.index('id="thread-heading"') : html.index('id="write-heading"')]

    assert thread_part(page(client, question, 2)) == thread_part(page(client, question, 2))


def test_feeds_link_to_the_page_that_holds_each_contribution(client, question, thread):
    feed = ET.fromstring(client.get("/feed/").content)
    links = {
        entry.find(f"{ATOM}link").get("href")
        for entry in feed.iter(f"{ATOM}entry")
        if entry.findtext(f"{ATOM}title") == "Indlæg 7"
    }
    assert links == {f"http://testserver/debat/{question.slug}/?side=3#indlaeg-{thread[6].pk}"}


def test_search_results_link_to_the_page_that_holds_each_contribution(client, question, thread):
    html = client.get("/soeg/", {"q": "lang tråd", "kind": "contributions"}).content.decode()
    assert f'href="/debat/{question.slug}/?side=3#indlaeg-{thread[6].pk}"' in html


def test_the_home_page_links_the_latest_to_their_pages(client, question, thread):
    html = client.get("/").content.decode()
    assert f'href="/debat/{question.slug}/?side=3#indlaeg-{thread[6].pk}"' in html


def test_the_sitemap_lists_every_page_of_a_long_thread(client, question, thread):
    xml = client.get("/sitemap.xml").content.decode()
    for suffix in ("", "?side=2", "?side=3"):
        assert f"<loc>http://testserver/debat/{question.slug}/{suffix}</loc>" in xml
    assert "?side=4" not in xml


def test_the_mail_on_publication_links_to_the_page_that_holds_it(
    question, thread, webmaster, mails_sent_by
):
    pending = make_contribution(question=question, status=Status.PENDING, parent=thread[6])

    (mail,) = mails_sent_by(lambda: publish(contribution=pending, actor=webmaster))

    assert f"/debat/{question.slug}/?side=3#indlaeg-{pending.pk}" in mail.body


def test_a_followers_mail_links_to_the_page_that_holds_each_contribution_in_their_language(
    question, thread, webmaster, mails_sent_by
):
    Subscription.objects.create(
        email="bo@example.org", question=question, language="en", status="active"
    )
    pending = make_contribution(question=question, status=Status.PENDING, parent=thread[6])

    sent = mails_sent_by(lambda: publish(contribution=pending, actor=webmaster))

    (notice,) = [m for m in sent if m.to == ["bo@example.org"]]
    expected = f"/en/debat/{question.slug}/?side=3#indlaeg-{pending.pk}"
    assert any(link.endswith(expected) for link in links(notice))


def test_view_on_site_in_the_admin_opens_the_right_page(client, question, thread, webmaster):
    client.force_login(webmaster)
    kind = ContentType.objects.get_for_model(Contribution)

    response = client.get(f"/admin/r/{kind.pk}/{thread[3].pk}/")

    assert response.status_code == 302
    assert response["Location"].endswith(f"/debat/{question.slug}/?side=2#indlaeg-{thread[3].pk}")


def test_a_withdrawal_under_replies_keeps_the_later_contributions_on_their_page(question, thread):
    withdraw(contribution=thread[0])

    assert contribution_url(thread[3]).startswith(f"/debat/{question.slug}/?side=2#")


def test_a_withdrawal_without_replies_moves_the_later_contributions_up_a_page(question):
    roots = make_thread(question, top_level=4)

    withdraw(contribution=roots[0])

    assert contribution_url(roots[3]).startswith(f"/debat/{question.slug}/#")


# Pages bounded by contributions, whatever the thread's shape -------------------------------------


@pytest.fixture
def skewed(question, settings):
    """
    One top-level contribution with 500 replies straight under it, then two sub-threads of ten
    (a contribution and a chain of nine under it).
    """
    settings.MIA_CONTRIBUTIONS_PER_PAGE = 20
    (big,) = make_thread(question, top_level=1)
    replies = make_replies(big, 500)
    later = make_thread(question, top_level=2, replies_each=9, start=replies[-1].published_at)
    return big, replies, later


def every_page(client, question):
    pages, number = [], 1
    while True:
        response = client.get(question.get_absolute_url(), {"side": number} if number > 1 else {})
        if response.status_code == 404:
            return pages
        assert response.status_code == 200
        pages.append(response.content.decode())
        number += 1


def test_a_page_holds_at_most_the_set_number_of_contributions_however_skewed_the_thread(
    client, question, skewed
):
    big, replies, later = skewed

    pages = every_page(client, question)

    assert [len(anchors(html)) for html in pages] == [20] * 25 + [1 + 10, 10]
    shown = [pk for html in pages for pk in anchors(html)]
    expected = [big.pk, *(r.pk for r in replies)]
    expected += [pk for root in later for pk in subtree(root)]
    assert shown == expected


def test_a_sub_thread_that_goes_on_names_what_it_continues_and_links_back_to_it(
    client, question, skewed
):
    big, _replies, _later = skewed
    first, second, end, last = (page(client, question, n) for n in (None, 2, 26, 27))

    note = re.compile(r'<p class="thread-continued-note"><a href="([^"]*)">([^<]*)</a></p>')
    continued = (
        f"/debat/{question.slug}/#indlaeg-{big.pk}",
        f"Fortsat: svar til {big.author_name}",
    )
    assert not note.search(first)
    assert note.findall(second) == note.findall(end) == [continued]
    # What begins on a page of its own needs no note.
    assert not note.search(last)


def test_a_sub_thread_that_goes_on_says_where_at_the_end_of_the_page(client, question, skewed):
    big, replies, _later = skewed

    first, end = page(client, question), page(client, question, 26)

    more = re.compile(r'<p class="thread-more-note"><a href="([^"]*)">([^<]*)</a></p>')
    assert more.findall(first) == [
        (
            f"/debat/{question.slug}/?side=2#indlaeg-{replies[19].pk}",
            f"Flere svar til {big.author_name} på side 2",
        )
    ]
    assert not more.search(end)


def test_every_link_to_a_contribution_of_a_skewed_thread_lands_on_the_page_that_holds_it(
    client, question, skewed
):
    big, replies, later = skewed
    pages = {
        number: set(anchors(html)) for number, html in enumerate(every_page(client, question), 1)
    }

    for contribution in with_thread_pages(
        Contribution.objects.published().filter(question=question)
    ):
        path, anchor = contribution.thread_url.split("#")
        number = int(path.partition("?side=")[2] or 1)
        assert anchor == f"indlaeg-{contribution.pk}"
        assert contribution.pk in pages[number], contribution.thread_url
    for contribution in (big, replies[18], replies[19], replies[-1], later[-1]):
        location = client.get(f"/indlaeg/{contribution.pk}/")["Location"]
        assert location == contribution_url(contribution)


def test_the_sitemap_lists_every_page_of_a_skewed_thread(client, question, skewed):
    xml = client.get("/sitemap.xml").content.decode()

    assert f"<loc>http://testserver/debat/{question.slug}/?side=27</loc>" in xml
    assert "?side=28" not in xml


def test_a_sub_thread_that_fits_on_a_page_is_not_split(client, question, settings):
    settings.MIA_CONTRIBUTIONS_PER_PAGE = 5
    roots = make_thread(question, top_level=3, replies_each=2)

    pages = every_page(client, question)

    assert [sorted(anchors(html)) for html in pages] == [
        sorted(subtree(roots[0])),
        sorted(subtree(roots[1])),
        sorted(subtree(roots[2])),
    ]


def test_a_reply_that_answers_a_contribution_on_an_earlier_page_links_to_it(
    client, question, settings
):
    settings.MIA_CONTRIBUTIONS_PER_PAGE = 3
    settings.MIA_MAX_REPLY_DEPTH = 2
    (top,) = make_thread(question, top_level=1)
    first, _second, _third = make_replies(top, 3)
    flattened = make_contribution(question=question, parent=top, in_reply_to=first)

    html = page(client, question, 2)

    assert flattened.pk in anchors(html)
    assert first.pk not in anchors(html)
    assert f'Svar til <a href="/indlaeg/{first.pk}/">et tidligere indlæg</a>' in html


def test_each_reply_count_names_what_it_folds(client, question):
    (top,) = make_thread(question, top_level=1, replies_each=3)

    html = page(client, question)

    summaries = re.findall(r'<details class="thread-fold" open><summary>([^<]*)</summary>', html)
    assert summaries == [
        f"3 svar til {top.author_name}",
        "2 svar til Bidragyder 0-2",
        "1 svar til Bidragyder 0-3",
    ]


def test_the_page_leads_to_the_newest_contribution_wherever_it_is(client, question, skewed):
    _big, replies, _later = skewed
    newest = make_contribution(question=question, parent=replies[3])

    html = page(client, question, 27)
    found = re.search(r'<a class="[^"]*" href="(/indlaeg/\d+/)">Nyeste indlæg</a>', html)

    assert found.group(1) == f"/indlaeg/{newest.pk}/"
    location = client.get(found.group(1))["Location"]
    assert location == f"/debat/{question.slug}/#indlaeg-{newest.pk}"
    assert newest.pk in anchors(page(client, question))


def test_every_page_of_an_open_question_offers_the_way_to_the_form(client, question, skewed):
    for number in (None, 2, 27):
        html = page(client, question, number)
        link = html.index('href="#skriv">Skriv et indlæg</a>')
        assert link < html.index('id="thread-heading"')
        assert 'id="skriv"' in html
        assert 'id="indlaeg-formular"' in html
