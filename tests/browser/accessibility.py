"""axe-core, run inside the page, checks the WCAG 2.1 A and AA rules it can test automatically."""

from axe_playwright_python.sync_playwright import Axe

WCAG_21_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}

_axe = Axe()


def wcag_violations(page, within=None):
    """
    Return a readable line per WCAG violation on the page as it is now (empty if none), or only
    in the part a CSS selector names.
    """
    results = _axe.run(page, context=within, options=WCAG_21_AA).response
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {', '.join(map(str, v['nodes'][0]['target']))}"
        for v in results["violations"]
    ]
