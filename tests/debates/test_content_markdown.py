"""
What the webmaster writes (workshops, talks, the paper, the accessibility statement) takes the
same sanitised Markdown as contributions, rendered once when it is saved; what was written as
plain text before reads as it did.
"""

import datetime
import importlib
from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.template.defaultfilters import linebreaks_filter as linebreaks
from django.urls import reverse

from debates.markup import ALLOWED_TAGS, render_markdown
from debates.models import AccessibilityStatement, Paper, Paragraph, Talk, Workshop
from tests.factories import make_webmaster

content_migration = importlib.import_module("debates.migrations.0009_webmaster_content_in_markdown")

MARKDOWN = "Et *vigtigt* punkt.\n\n- første\n- andet"
RENDERED = "<p>Et <em>vigtigt</em> punkt.</p>\n<ul>\n<li>første</li>\n<li>andet</li>\n</ul>"


def elements(html):
    """Every (tag, attributes) the browser would build from the HTML."""
    found = []

    class Collector(HTMLParser):
        def handle_starttag(self, tag, attrs):
            found.append((tag, dict(attrs)))

    Collector().feed(html)
    return found


def as_read(html):
    """What a reader gets from the HTML: paragraphs, line breaks and words, links or not."""
    parts, words = [], []

    class Reader(HTMLParser):
        def handle_starttag(self, tag, attrs):
            self.mark(tag)

        def handle_endtag(self, tag):
            self.mark(f"/{tag}")

        def mark(self, tag):
            if tag not in ("a", "/a"):
                parts.extend([*"".join(words).split(), (tag,)])
                words.clear()

        def handle_data(self, data):
            words.append(data)

    reader = Reader(convert_charrefs=True)
    reader.feed(html)
    reader.mark("end")
    return parts


def workshop_five():
    return Workshop.objects.get(number=5)


def write(obj, field, text):
    setattr(obj, field, text)
    obj.save()
    return obj


@pytest.mark.parametrize(
    ("make", "field", "page"),
    [
        (workshop_five, "description", lambda: workshop_five().get_absolute_url()),
        (
            lambda: workshop_five().talks.first(),
            "summary",
            lambda: workshop_five().get_absolute_url(),
        ),
        (Paper.objects.get, "introduction", lambda: Paper.objects.get().get_absolute_url()),
        (Paper.objects.get, "introduction", lambda: reverse("debates:home")),
        (
            lambda: Paragraph.objects.filter(question__isnull=False).first(),
            "text",
            lambda: Paper.objects.get().get_absolute_url(),
        ),
        (
            lambda: Paragraph.objects.filter(question__isnull=False).first(),
            "text",
            lambda: (
                Paragraph.objects.filter(question__isnull=False).first().question.get_absolute_url()
            ),
        ),
        (
            lambda: Paragraph.objects.filter(talk__isnull=False).first(),
            "text",
            lambda: workshop_five().get_absolute_url(),
        ),
    ],
)
def test_the_webmasters_markdown_shows_on_the_pages_as_html(client, seeded, make, field, page):
    write(make(), field, MARKDOWN)

    html = client.get(page()).content.decode()

    assert RENDERED in html
    assert "*vigtigt*" not in html


@pytest.mark.parametrize(("language", "field"), [("", "known_gaps_da"), ("/en", "known_gaps_en")])
def test_the_accessibility_statements_gaps_take_markdown_in_either_language(
    client, seeded, language, field
):
    write(AccessibilityStatement.objects.get(), field, MARKDOWN)

    html = client.get(language + reverse("debates:accessibility")).content.decode()

    assert RENDERED in html


def test_the_webmaster_writes_markdown_in_the_admin_and_readers_see_it(client, seeded):
    statement = AccessibilityStatement.objects.get()
    client.force_login(make_webmaster())
    url = reverse("admin:debates_accessibilitystatement_change", args=[statement.pk])

    form = client.get(url).content.decode()
    response = client.post(
        url,
        {
            "compliance": statement.compliance,
            "known_gaps_da": "Videoer har **ingen** undertekster endnu.",
            "known_gaps_en": statement.known_gaps_en,
            "feedback_email": statement.feedback_email,
            "prepared_on": statement.prepared_on.isoformat(),
            "reviewed_on": datetime.date(2027, 1, 5).isoformat(),
        },
    )

    assert "Markdown" in form
    assert response.status_code == 302
    client.logout()
    html = client.get(reverse("debates:accessibility")).content.decode()
    assert "<p>Videoer har <strong>ingen</strong> undertekster endnu.</p>" in html


@pytest.mark.parametrize(
    "attack",
    [
        "<script>alert(1)</script>",
        '<img src="x" onerror="alert(1)">',
        "[klik](javascript:alert(1))",
        "<iframe src='https://evil.example'></iframe>",
    ],
)
def test_the_webmasters_markdown_is_sanitised_as_contributions_are(client, seeded, attack):
    write(workshop_five(), "description", attack)

    html = client.get(workshop_five().get_absolute_url()).content.decode()
    description = html.split('<div class="paper-text" lang="da">')[1].split("</div>")[0]

    assert all(tag in ALLOWED_TAGS for tag, _attributes in elements(description))
    assert "javascript:" not in description


def test_the_seeded_content_is_rendered_when_it_is_loaded(seeded):
    for model, field in [
        (Workshop, "description"),
        (Talk, "summary"),
        (Paper, "introduction"),
        (Paragraph, "text"),
        (AccessibilityStatement, "known_gaps_da"),
        (AccessibilityStatement, "known_gaps_en"),
    ]:
        for obj in model.objects.exclude(**{field: ""}):
            assert as_read(getattr(obj, f"{field}_html")) == as_read(
                linebreaks(getattr(obj, field))
            )


# Text written before: the migration makes it Markdown that reads as it did ---------------------


PLAIN_TEXTS = [
    "Et afsnit.\n\nEt andet afsnit,\nmed et linjeskift.",
    "*Ikke kursiv* og _ikke understreget_, snake_case og 2 * 3 = 6.",
    "# Ikke en overskrift\n> ikke et citat\n- ikke en liste\n+ heller ikke\n* eller\n1. ikke tal",
    "Titel\n===\nUndertitel\n---\n***",
    "```\nikke kode\n```\n~~~\nheller ikke\n~~~",
    "    Fire mellemrum foran\n\tog en tabulator",
    "[ikke et link](https://ruc.dk) og ![intet billede](x.png) og [a]: https://x.dk",
    "<b>ikke fed</b> <script>alert(1)</script> <https://ruc.dk> a < b > c",
    "&copy; er ikke ©, &#169; heller ikke, og R&D står som det står.",
    "En omvendt skråstreg \\ og \\* og \\\\ og `backticks`.",
    "Windows-linjer\r\nog gamle Mac-linjer\rog   mange   mellemrum.\n\n\n\nEfter tomme linjer.",
    "2026. Et år, der begynder en linje.\n12) og en parentes.",
]


@pytest.mark.parametrize("text", PLAIN_TEXTS)
def test_text_written_before_reads_as_it_did_once_it_is_taken_as_markdown(text):
    markdown = content_migration.as_markdown(text)

    assert as_read(render_markdown(markdown)) == as_read(linebreaks(text))


def test_the_migration_renders_what_was_written_before(client, seeded):
    text = "Workshoppen handlede om *ledelse*\nog om 1. og 2. orden."
    Workshop.objects.filter(number=5).update(description=text, description_html="")

    content_migration.render_plain_texts(apps, None)

    html = client.get(workshop_five().get_absolute_url()).content.decode()
    assert "<p>Workshoppen handlede om *ledelse*<br>\nog om 1. og 2. orden.</p>" in html
    assert workshop_five().description == (
        "Workshoppen handlede om \\*ledelse\\*  \nog om 1. og 2. orden."
    )
