"""The accessibility statement a Danish public body must publish, linked from every page."""

import datetime

import pytest
from django.urls import reverse

from debates.models import AccessibilityStatement
from tests import factories


@pytest.mark.parametrize("page", ["debates:home", "moderation:privacy", "debates:search"])
def test_every_page_links_the_statement_from_its_footer(client, seeded, page):
    html = client.get(reverse(page)).content.decode()
    footer = html.split('<footer class="site-footer')[1]
    assert f'href="{reverse("debates:accessibility")}"' in footer
    assert "Tilgængelighedserklæring" in footer


def test_the_statement_names_the_standard_the_status_the_gaps_and_where_to_complain(
    client, seeded, settings
):
    settings.MIA_WEBMASTER_EMAIL = "webmaster@mia.example.dk"
    html = client.get(reverse("debates:accessibility")).content.decode()
    assert "<h1>Tilgængelighedserklæring</h1>" in html
    assert "WCAG" in html
    assert "2.1" in html
    assert "EN 301 549" in html
    assert "overholder delvist" in html
    assert "PDF-filer" in html
    assert "axe-core" in html
    assert 'href="mailto:webmaster@mia.example.dk"' in html
    assert "Digitaliseringsstyrelsen" in html
    assert "28. november 2026" in html


def test_the_webmaster_keeps_the_facts_current_and_the_page_follows(client, seeded):
    statement = AccessibilityStatement.objects.get()
    statement.compliance = AccessibilityStatement.Compliance.FULL
    statement.known_gaps_da = statement.known_gaps_en = ""
    statement.feedback_email = "tilgaengelighed@ruc.example.dk"
    statement.reviewed_on = datetime.date(2027, 3, 1)
    statement.save()
    html = client.get(reverse("debates:accessibility")).content.decode()
    assert "Siden overholder WCAG 2.1 niveau AA fuldt ud." in html
    assert "Hvad der endnu ikke er tilgængeligt" not in html
    assert 'href="mailto:tilgaengelighed@ruc.example.dk"' in html
    assert "1. marts 2027" in html


def test_in_english_the_statement_and_its_gaps_are_in_english(client, seeded):
    html = client.get("/en" + reverse("debates:accessibility")).content.decode()
    assert "<h1>Accessibility statement</h1>" in html
    assert "partially compliant" in html
    assert '<div lang="en"><p>Papers sent in by contributors' in html


def test_english_readers_get_the_danish_gaps_marked_as_danish_when_none_are_written(client, seeded):
    statement = AccessibilityStatement.objects.get()
    statement.known_gaps_en = ""
    statement.save()
    html = client.get("/en" + reverse("debates:accessibility")).content.decode()
    assert '<div lang="da"><p>Papers, som deltagerne sender ind' in html


def test_the_webmaster_can_change_but_not_add_a_second_or_delete_the_statement(client, seeded):
    client.force_login(factories.make_webmaster())
    statement = AccessibilityStatement.objects.get()
    change = client.get(reverse("admin:debates_accessibilitystatement_change", args=[statement.pk]))
    assert change.status_code == 200
    assert client.get(reverse("admin:debates_accessibilitystatement_add")).status_code == 403
    delete = reverse("admin:debates_accessibilitystatement_delete", args=[statement.pk])
    assert client.get(delete).status_code == 403
