"""What a browser (and so a link preview's crawler) reads from a question's page about itself."""

import pytest
from django.conf import settings

from tests.factories import make_contribution

pytestmark = pytest.mark.django_db(transaction=True)

READ_TAGS = """() => Object.fromEntries(
    [...document.head.querySelectorAll("meta[property], meta[name]")].map(
        (meta) => [meta.getAttribute("property") || meta.getAttribute("name"), meta.content]))"""
READ_JSON_LD = """() => [...document.querySelectorAll('script[type="application/ld+json"]')].map(
    (script) => JSON.parse(script.textContent))"""


def test_a_question_page_tells_a_browser_what_to_show_for_its_link(page, question, live_server):
    make_contribution(
        question=question,
        author_name="Anna Lund",
        title="Om ledelse",
        body='Ledelse er et fag. </script><script>document.title = "brudt"</script>',
    )
    dialogs, errors = [], []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))

    page.goto(question.get_absolute_url() + "?utm_source=linkedin")
    built = page.evaluate(READ_TAGS), page.evaluate(READ_JSON_LD)
    page.goto(question.get_absolute_url())  # kept in the page cache
    page.reload()  # and served from it
    cached = page.evaluate(READ_TAGS), page.evaluate(READ_JSON_LD)

    assert built == cached
    tags, [posting] = cached
    assert tags["og:title"] == question.title
    assert tags["og:description"] == question.text
    assert tags["og:url"] == f"{settings.MIA_SITE_URL}/debat/{question.slug}/"
    assert tags["og:site_name"] == "MIA-debatten"
    assert tags["og:locale"] == "da_DK"
    assert tags["twitter:card"] == "summary"
    image = page.request.get(live_server.url + tags["og:image"].removeprefix(settings.MIA_SITE_URL))
    assert image.ok
    assert image.headers["content-type"] == "image/png"
    assert posting["@type"] == "DiscussionForumPosting"
    [comment] = posting["comment"]
    assert comment["author"] == {"@type": "Person", "name": "Anna Lund"}
    assert comment["text"].endswith('</script><script>document.title = "brudt"</script>')
    assert "brudt" not in page.title()
    assert dialogs == errors == []
    assert page.outside_requests == []
