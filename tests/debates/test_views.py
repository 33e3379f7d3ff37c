"""Every public page answers, shows what a reader comes for, and unknown addresses give a 404."""

import pytest
from django.conf import settings
from django.urls import reverse

from debates.models import Question, Speaker, Talk, Workshop


def test_home_lists_the_five_workshops_and_the_way_into_the_debate(client, seeded):
    response = client.get("/")
    assert response.status_code == 200
    # Long Danish words carry soft hyphens, which show only where a line breaks.
    html = response.content.decode().replace("\u00ad", "")
    for number in range(1, 6):
        assert f'href="/workshops/{number}/"' in html
    assert "MIA – Ministeriernes Innovationsakademi" in html
    assert 'href="/workshops/5/konklusioner/"' in html
    assert "Med den femte og sidste MIA-workshop veloverstået" in html


def test_home_page_is_danish_first(client, seeded):
    html = client.get("/").content.decode()
    assert '<html lang="da">' in html
    assert "Gå til indholdet" in html
    assert "Forside" in html


def test_english_pages_live_under_en(client, seeded):
    response = client.get("/en/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="en">' in html
    assert "Skip to content" in html
    assert 'href="/en/workshops/"' in html
    # The content itself stays Danish, and says so to screen readers.
    assert '<div class="paper-text" lang="da">' in html


def test_every_page_links_to_itself_in_the_other_language(client, seeded):
    html = client.get("/debat/motivation/").content.decode()
    assert 'href="/en/debat/motivation/" hreflang="en"' in html
    html = client.get("/en/debat/motivation/").content.decode()
    assert 'href="/debat/motivation/" hreflang="da"' in html


def test_footer_carries_the_university_address_block(client, seeded):
    html = client.get("/workshops/").content.decode()
    for part in (
        "Roskilde Universitet",
        "Universitetsvej 1, Postboks 260",
        "4000 Roskilde",
        "+45 4674 2000",
        "ruc@ruc.dk",
    ):
        assert part in html


def test_workshop_list_shows_all_five_with_placeholders(client, seeded):
    response = client.get(reverse("debates:workshop-list"))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("Temaet følger") == 0  # the list uses the facts table
    assert html.count("Programmet for denne workshop er endnu ikke lagt ind.") == 4
    assert "Innovationsledelse" in html
    assert "Oplæg ved Charlotte Münter" in html


def test_a_talk_names_its_speaker_once(client, seeded):
    talk = Talk.objects.get(title="Oplæg ved Charlotte Münter")
    talk.speakers.add(Speaker.objects.create(name="Karen Holm"))

    html = client.get(reverse("debates:workshop-list")).content.decode()

    assert html.count("Charlotte Münter") == 1
    assert 'Charlotte Münter</a> – <span lang="da">Karen Holm</span>' in html


def test_workshop_detail_shows_talks_speakers_and_the_paper(client, seeded):
    response = client.get("/workshops/5/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<strong>Charlotte Münter</strong>, Direktør, Økonomistyrelsen" in html
    assert "The King’s Fund" in html
    assert html.count('class="talk"') == 5
    assert 'href="/workshops/5/konklusioner/"' in html
    assert 'href="/debat/lederens-roller/"' in html


def test_placeholder_workshop_says_its_programme_is_to_come(client, seeded):
    html = client.get("/workshops/3/").content.decode()
    assert "MIA-workshop 3" in html
    assert "Programmet for denne workshop er endnu ikke lagt ind." in html


def test_conclusions_address_leads_to_the_paper(client, seeded):
    response = client.get("/konklusioner/")
    assert response.status_code == 302
    assert response["Location"] == "/workshops/5/konklusioner/"


def test_paper_page_sets_off_all_six_questions_each_linking_to_its_page(client, seeded):
    response = client.get("/workshops/5/konklusioner/")
    html = response.content.decode().replace("\u00ad", "")
    assert response.status_code == 200
    assert '<h2 id="paper-heading">MIA 5 konklusioner</h2>' in html
    for question in Question.objects.all():
        assert question.text in html
        assert f'href="{question.get_absolute_url()}"' in html
    assert html.count('class="open-question"') == 7
    assert html.count("Åbent spørgsmål") >= 6
    assert html.count("(0 indlæg)") == 7


def test_question_page_shows_its_paragraph_and_question(client, seeded):
    question = Question.objects.get(slug="lederens-roller")
    response = client.get(question.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert question.paragraph.text[:60] in html
    assert "Hvordan håndteres dette dilemma i praksis?" in html
    assert "Åbent spørgsmål 2" in html
    assert "Der er endnu ikke offentliggjort indlæg her." in html


def test_general_debate_page(client, seeded):
    response = client.get("/debat/generel-debat/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Generel debat om konklusionerne" in html
    assert "nye vinkler, kritik eller noget helt andet" in html


@pytest.mark.parametrize(
    "path",
    ["/findes-ikke/", "/workshops/6/", "/workshops/0/", "/debat/findes-ikke/", "/en/nothing/"],
)
def test_unknown_addresses_give_the_sites_404_page(client, seeded, path):
    response = client.get(path)
    assert response.status_code == 404
    html = response.content.decode()
    assert "Gå til forsiden" in html or "Go to the home page" in html
    assert "Roskilde Universitet" in html


def test_a_paper_for_a_workshop_without_one_is_404(client, seeded):
    assert client.get("/workshops/2/konklusioner/").status_code == 404


def test_talk_without_material_has_no_download(client, seeded):
    talk = Workshop.objects.get(number=5).talks.first()
    assert client.get(reverse("debates:talk-material", args=[talk.pk])).status_code == 404


def test_pages_forbid_third_party_content_by_policy(client, seeded):
    response = client.get("/")
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    # The only addresses in the head are the site's own: as asked, and as its canonical one.
    head = response.content.decode().split("<body")[0]
    assert "http" not in head.replace("http://testserver", "").replace(settings.MIA_SITE_URL, "")


def test_a_closed_question_shows_its_thread_its_synthesis_and_why_there_is_no_form(
    client, question
):
    from tests.factories import make_contribution

    make_contribution(question=question, body="Et tidligere indlæg.")
    question.is_open = False
    question.synthesis = "Debatten viste to linjer.\n\nFor det første …"
    question.save()

    html = client.get(question.get_absolute_url()).content.decode()

    assert "Et tidligere indlæg." in html
    assert '<h2 class="h4" id="synthesis-heading">Opsamling</h2>' in html
    assert "<p>Debatten viste to linjer.</p>" in html
    assert "Dette spørgsmål er lukket for nye indlæg. Tråden kan stadig læses." in html
    assert 'name="body"' not in html
    assert ">Svar<" not in html
    assert "(1 indlæg, lukket)" in client.get("/workshops/5/konklusioner/").content.decode()


@pytest.mark.parametrize("page", ["debates:home", "debates:paper-latest"])
def test_the_introduction_says_how_to_take_part_now(client, seeded, settings, page):
    settings.MIA_INTAKE_EMAIL = ""
    html = client.get(reverse(page), follow=True).content.decode()
    assert "masobr" not in html
    assert "skrive dit indlæg i formularen under det spørgsmål" in html
    assert "mailto:" not in html.split('class="taking-part"')[1].split("</p>")[0]

    settings.MIA_INTAKE_EMAIL = "debat@mia.example.dk"
    html = client.get(reverse(page), follow=True).content.decode()
    assert 'href="mailto:debat@mia.example.dk"' in html


def test_the_guidelines_speak_of_e_mail_only_when_there_is_an_address(client, seeded, settings):
    settings.MIA_INTAKE_EMAIL = ""
    html = client.get(reverse("moderation:guidelines")).content.decode()
    assert "[MIA-3]" not in html
    assert 'id="pr-e-mail"' not in html

    settings.MIA_INTAKE_EMAIL = "debat@mia.example.dk"
    html = client.get(reverse("moderation:guidelines")).content.decode()
    assert 'id="pr-e-mail"' in html
    assert "debat@mia.example.dk" in html
