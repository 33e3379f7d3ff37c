"""
What a page shows people, measured in the browser from computed styles: axe-core's WCAG 2.1 A
and AA rules, and the checks axe does not make (the outlines of form controls, focus rings,
target sizes, where headings break and how long lines run).
"""

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


# Colours as the browser computes them, and the WCAG contrast ratio between two of them.
_COLOURS = r"""
const parse = (text) => {
  const found = /rgba?\(([^)]+)\)/.exec(text || "");
  if (!found) return null;
  const [r, g, b, a = 1] = found[1].split(/[\s,\/]+/).filter(Boolean).map(Number);
  return { r, g, b, a };
};
const over = (top, bottom) => ({
  r: top.r * top.a + bottom.r * (1 - top.a),
  g: top.g * top.a + bottom.g * (1 - top.a),
  b: top.b * top.a + bottom.b * (1 - top.a),
  a: 1,
});
// The colour that shows through an element's box: its own background over its ancestors'.
const backgroundOf = (element) => {
  const layers = [];
  for (let node = element; node && node.nodeType === 1; node = node.parentElement) {
    const colour = parse(getComputedStyle(node).backgroundColor);
    if (colour && colour.a > 0) {
      layers.push(colour);
      if (colour.a >= 1) break;
    }
  }
  const white = { r: 255, g: 255, b: 255, a: 1 };
  return layers.reverse().reduce((below, layer) => over(layer, below), white);
};
const luminance = ({ r, g, b }) => {
  const linear = (c) => ((c /= 255) <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
  return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b);
};
const contrast = (one, other) => {
  const [light, dark] = [luminance(one), luminance(other)].sort((x, y) => y - x);
  return (light + 0.05) / (dark + 0.05);
};
const shown = (element) => {
  const box = element.getBoundingClientRect();
  const style = getComputedStyle(element);
  return box.width > 1 && box.height > 1 && box.right > 0 && style.visibility !== "hidden"
    && !element.closest("[hidden], [aria-hidden=true]");
};
const name = (element) => {
  const label = (element.labels && element.labels[0] && element.labels[0].textContent)
    || element.getAttribute("aria-label") || element.textContent || element.name || "";
  return `${element.tagName.toLowerCase()}${element.type ? "[" + element.type + "]" : ""}`
    + ` "${label.trim().replace(/\s+/g, " ").slice(0, 40)}"`;
};
const ratio = (value) => value.toFixed(2);
"""

_CONTROL_OUTLINES = (
    _COLOURS
    + r"""
() => {
  const problems = [];
  for (const control of document.querySelectorAll("input, select, textarea")) {
    if (control.type === "hidden" || control.disabled || !shown(control)) continue;
    // The outline as it stands once Bootstrap's transitions have run (under a fixed clock the
    // browser's animation timeline need not have moved by the time this runs).
    control.getAnimations().forEach((animation) => animation.finish());
    const style = getComputedStyle(control);
    // A checkbox or radio button the browser draws itself is the browser's (WCAG's exception).
    if (["checkbox", "radio"].includes(control.type) && style.appearance !== "none") continue;
    const behind = backgroundOf(control.parentElement);
    const fill = contrast(backgroundOf(control), behind);
    const borders = ["Top", "Right", "Bottom", "Left"].map((side) => {
      const colour = parse(style[`border${side}Color`]);
      const width = parseFloat(style[`border${side}Width`]);
      return style[`border${side}Style`] === "none" || width < 1 || !colour
        ? 1 : contrast(over(colour, behind), behind);
    });
    const border = Math.min(...borders);
    if (border < 3 && fill < 3) {
      problems.push(`${name(control)}: outline ${ratio(border)}:1, fill ${ratio(fill)}:1`);
    }
  }
  return problems;
}
"""
)

_FOCUS_RINGS = (
    _COLOURS
    + r"""
() => {
  const problems = [];
  const focusable = [...document.querySelectorAll(
    "a[href], button, input, select, textarea, summary, [tabindex]")].filter(
    (element) => element.tabIndex >= 0 && !element.disabled && element.type !== "hidden"
      && shown(element));
  for (const element of focusable) {
    element.focus();
    if (document.activeElement !== element) continue;
    if (!element.matches(":focus-visible")) {
      problems.push(`${name(element)}: no keyboard focus shown`);
      continue;
    }
    // The ring as it stands once Bootstrap's transitions have run.
    element.getAnimations().forEach((animation) => animation.finish());
    const style = getComputedStyle(element);
    const behind = backgroundOf(element.parentElement);
    const bands = [];
    for (const [, colour, x, y, blur, spread, inset] of style.boxShadow.matchAll(
      /(rgba?\([^)]*\))\s+(-?[\d.]+)px\s+(-?[\d.]+)px\s+(-?[\d.]+)px\s+(-?[\d.]+)px(\s+inset)?/g)) {
      if (+x === 0 && +y === 0 && +blur === 0 && +spread >= 1 && !inset) {
        bands.push({ colour: parse(colour), from: 0, to: +spread });
      }
    }
    if (!["none", "auto"].includes(style.outlineStyle) && parseFloat(style.outlineWidth) >= 2) {
      const from = Math.max(parseFloat(style.outlineOffset), 0);
      const to = from + parseFloat(style.outlineWidth);
      bands.push({ colour: parse(style.outlineColor), from, to });
    }
    bands.sort((one, other) => one.to - other.to);
    const outermost = bands[bands.length - 1];
    // Either the ring stands out from what is around it, or it is two touching bands of 9:1 or
    // more against each other, so that one of them stands out from anything (WCAG technique C40).
    const alone = outermost ? contrast(over(outermost.colour, behind), behind) : 0;
    const paired = bands.some((inner) => bands.some((outer) => outer !== inner
      && Math.abs(outer.from - inner.to) < 0.5 && contrast(outer.colour, inner.colour) >= 9));
    if (alone < 3 && !paired) {
      problems.push(`${name(element)}: focus ring ${ratio(alone)}:1 against its background`);
    }
  }
  document.activeElement && document.activeElement.blur();
  return problems;
}
"""
)

_TARGETS = r"""
() => {
  const SIZE = 24;
  const shown = (element) => {
    const box = element.getBoundingClientRect();
    return box.width > 1 && box.height > 1 && box.right > 0
      && getComputedStyle(element).visibility !== "hidden";
  };
  const selector = "a[href], button, input:not([type=hidden]), select, textarea, summary";
  const targets = [...document.querySelectorAll(selector)].filter(
    (element) => !element.disabled && shown(element) && !element.closest(".hp-field"));
  const block = (element) => {
    let node = element.parentElement;
    while (node && getComputedStyle(node).display.startsWith("inline")) node = node.parentElement;
    return node;
  };
  // WCAG's exception for a link in a sentence: its block holds text of its own around the link.
  const inline = (element) => {
    if (!getComputedStyle(element).display.startsWith("inline") || element.tagName !== "A") {
      return false;
    }
    const container = block(element);
    const copy = container.cloneNode(true);
    copy.querySelectorAll(selector + ", .visually-hidden").forEach((inner) => inner.remove());
    return copy.textContent.trim().length > 0;
  };
  // A checkbox or radio button is pressed through its label too: they are one target.
  const area = (element) => {
    const boxes = [element, ...(["checkbox", "radio"].includes(element.type) ? element.labels : [])]
      .map((part) => part.getBoundingClientRect());
    const left = Math.min(...boxes.map((box) => box.left));
    const top = Math.min(...boxes.map((box) => box.top));
    const right = Math.max(...boxes.map((box) => box.right));
    const bottom = Math.max(...boxes.map((box) => box.bottom));
    return { left, top, right, bottom, width: right - left, height: bottom - top };
  };
  const measured = targets.filter((element) => !inline(element)).map((element) => {
    const box = area(element);
    return { element, box, x: box.left + box.width / 2, y: box.top + box.height / 2,
      small: box.width < SIZE - 0.5 || box.height < SIZE - 0.5 };
  });
  const touches = (circle, box) => {
    const dx = Math.max(box.left - circle.x, 0, circle.x - box.right);
    const dy = Math.max(box.top - circle.y, 0, circle.y - box.bottom);
    return dx * dx + dy * dy < (SIZE / 2) ** 2;
  };
  const related = (one, other) => one.contains(other) || other.contains(one)
    || (one.labels && [...one.labels].some((label) => label.contains(other)))
    || (other.labels && [...other.labels].some((label) => label.contains(one)));
  const describe = ({ element, box }) => {
    const text = (element.textContent || element.name || "").trim().replace(/\s+/g, " ");
    return `${element.tagName.toLowerCase()} "${text.slice(0, 40)}": `
      + `${Math.round(box.width)}x${Math.round(box.height)} px`;
  };
  const small = measured.filter((each) => each.small);
  // WCAG's spacing exception: a 24 px circle on a small target's centre touches no other target
  // and no other small target's circle.
  const crowded = small.filter((target) => measured.some((other) => other !== target
    && !related(target.element, other.element)
    && (touches(target, other.box)
      || (other.small && Math.hypot(other.x - target.x, other.y - target.y) < SIZE))));
  return { small: small.map(describe), crowded: crowded.map(describe) };
}
"""

_HEADING_BREAKS = r"""
() => {
  const problems = [];
  for (const heading of document.querySelectorAll("h1, h2, h3, h4, h5, h6")) {
    const language = (heading.closest("[lang]") || document.documentElement).lang;
    if (!language.startsWith("da") || !heading.getClientRects().length) continue;
    const letters = [];
    const walker = document.createTreeWalker(heading, NodeFilter.SHOW_TEXT);
    const range = document.createRange();
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (let index = 0; index < node.data.length; index++) {
        range.setStart(node, index);
        range.setEnd(node, index + 1);
        // A hyphen drawn at a break belongs to the range of the letter after it: take the last box.
        const box = [...range.getClientRects()].filter((rect) => rect.width > 0).pop();
        letters.push({ character: node.data[index], top: box ? box.top : null });
      }
    }
    const lineHeight = parseFloat(getComputedStyle(heading).fontSize) / 2;
    let previous = null;
    let between = "";
    for (const letter of letters) {
      if (/\p{L}/u.test(letter.character) && letter.top !== null) {
        if (previous && Math.abs(letter.top - previous.top) > lineHeight
            && !/[\u00ad\-\s]/.test(between)) {
          const text = letters.map((each) => each.character).join("").replace(/\u00ad/g, "");
          problems.push(
            `"${text.trim()}" breaks between "${previous.character}" and "${letter.character}"`);
        }
        previous = letter;
        between = "";
      } else {
        between += letter.character;
        if (/\s/.test(letter.character)) previous = null;
      }
    }
  }
  return problems;
}
"""

_LINE_LENGTHS = r"""
(limit) => {
  const problems = [];
  for (const block of document.querySelectorAll("main p, main li, main dd, main blockquote")) {
    if (block.querySelector("p, li, dd, blockquote")) continue;
    const text = block.textContent.replace(/\s+/g, " ").trim();
    const style = getComputedStyle(block);
    const lineHeight = parseFloat(style.lineHeight) || parseFloat(style.fontSize) * 1.6;
    const lines = Math.round(block.getBoundingClientRect().height / lineHeight);
    if (text.length < 2 * limit || lines < 2) continue;
    const perLine = text.length / lines;
    if (perLine > limit) {
      problems.push(`${Math.round(perLine)} characters a line: "${text.slice(0, 50)}…"`);
    }
  }
  return problems;
}
"""


def control_outline_problems(page):
    """Form controls whose outline (or fill) stands out less than 3:1 from what is behind them."""
    return page.evaluate(_CONTROL_OUTLINES)


def focus_ring_problems(page):
    """Elements that take the keyboard focus without a ring of 3:1 (WCAG 1.4.11, 2.4.7)."""
    page.locator("body").press("Tab")  # the keyboard in hand: focus from here on is shown
    return page.evaluate(_FOCUS_RINGS)


def target_sizes(page):
    """
    Targets, other than links in running text, that are under 24x24 px: `small` lists them all,
    `crowded` those that fail WCAG 2.2 2.5.8 even with its spacing exception.
    """
    return page.evaluate(_TARGETS)


def unhyphenated_breaks(page):
    """Danish headings in which a line breaks inside a word without a hyphen."""
    return page.evaluate(_HEADING_BREAKS)


def long_lines(page, limit):
    """Paragraphs of running text that hold more than `limit` characters a line."""
    return page.evaluate(_LINE_LENGTHS, limit)
