"""The README and docs/ say what the Makefile and the pages they link to actually hold."""

import re
import unicodedata
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent
README = BASE_DIR / "README.md"
PAGES = [README, *sorted((BASE_DIR / "docs").glob("*.md"))]


def makefile_targets() -> set[str]:
    """The targets `make help` lists: those with a `##` description."""
    makefile = (BASE_DIR / "Makefile").read_text(encoding="utf-8")
    return set(re.findall(r"^([a-z-]+):.*## ", makefile, re.MULTILINE))


def makefile_defaults() -> dict[str, str]:
    makefile = (BASE_DIR / "Makefile").read_text(encoding="utf-8")
    return dict(re.findall(r"^([A-Z_]+) \?= (.*)$", makefile, re.MULTILINE))


def tabled_targets() -> set[str]:
    """The targets named in the first column of a table in the README or docs/."""
    named = set()
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        named |= set(re.findall(r"^\| `make ([a-z-]+)[ `]", text, re.MULTILINE))
    return named


def prose(page: Path) -> str:
    """A page's text without its fenced code blocks."""
    return re.sub(r"^```.*?^```", "", page.read_text(encoding="utf-8"), flags=re.M | re.S)


def heading_anchor(heading: str) -> str:
    """The anchor a Git forge gives a heading: lower case, no punctuation, a hyphen for a space."""
    text = unicodedata.normalize("NFC", heading.strip().lower())
    text = "".join(c for c in text if c.isalnum() or c in " -_")
    return text.replace(" ", "-")


def anchors(page: Path) -> set[str]:
    headings = re.findall(r"^#{1,6} (.+)$", prose(page), re.MULTILINE)
    return {heading_anchor(heading) for heading in headings}


def section_links():
    """(page, target file, anchor) for every relative link that names a section."""
    for page in PAGES:
        for target in re.findall(r"\]\(([^)\s]+)\)", prose(page)):
            if re.match(r"[a-z]+:", target) or "#" not in target:
                continue
            path, anchor = target.split("#", 1)
            yield page, (page.parent / path).resolve() if path else page, anchor


def test_every_target_make_help_lists_is_in_a_table_of_the_docs():
    assert makefile_targets() - tabled_targets() == set()


def test_every_target_the_docs_table_is_one_the_makefile_has():
    assert tabled_targets() - makefile_targets() == set()


def test_the_readme_says_what_make_demo_writes_with_the_makefiles_defaults():
    makefile = (BASE_DIR / "Makefile").read_text(encoding="utf-8")
    recipe = re.search(r"^demo:.*\n\t\$\(BIN\)/python (manage\.py seed_demo .*)$", makefile, re.M)
    command = re.sub(r"\$\((\w+)\)", lambda m: makefile_defaults()[m.group(1)], recipe.group(1))
    readme = README.read_text(encoding="utf-8")
    assert f"`{command}`" in readme
    assert f"{makefile_defaults()['DEMO_REPLIES']} contributions" in readme


def test_the_readme_says_how_a_script_makes_a_webmaster():
    readme = README.read_text(encoding="utf-8")
    assert "make webmaster" in readme
    assert "createwebmaster --username" in readme
    assert "--password-env" in readme


@pytest.mark.parametrize(
    ("page", "target", "anchor"),
    list(section_links()),
    ids=lambda value: value.name if isinstance(value, Path) else value,
)
def test_a_link_to_a_section_lands_on_a_heading_of_that_page(page, target, anchor):
    assert target.is_file(), f"{page.name} links to {target}, which does not exist"
    assert anchor in anchors(target), f"{page.name} links to #{anchor}, not a heading of {target}"


def test_the_readme_stays_short_and_leaves_the_manuals_to_docs():
    assert README.stat().st_size < 12 * 1024
