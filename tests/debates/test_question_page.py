"""The question page belongs to debates: it offers the forms to take part and works without them."""

import ast
from pathlib import Path

from django.conf import settings


def test_the_question_page_offers_the_forms_to_write_and_to_follow(client, question):
    html = client.get(question.get_absolute_url()).content.decode()
    assert 'class="contribution-form"' in html
    assert 'class="follow-form"' in html


def test_the_question_page_renders_its_thread_without_the_moderation_forms(
    client, question, settings
):
    engine = settings.TEMPLATES[0]
    processors = [
        p for p in engine["OPTIONS"]["context_processors"] if not p.startswith("moderation.")
    ]
    settings.TEMPLATES = [
        {**engine, "OPTIONS": {**engine["OPTIONS"], "context_processors": processors}}
    ]

    response = client.get(question.get_absolute_url())

    html = response.content.decode()
    assert response.status_code == 200
    assert question.title in html
    assert 'class="contribution-form"' not in html


def test_no_module_of_debates_imports_moderation():
    for path in Path(settings.BASE_DIR, "debates").rglob("*.py"):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            names = (
                [alias.name for alias in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            assert not any(name.split(".")[0] == "moderation" for name in names), path
