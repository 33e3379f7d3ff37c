"""Plain-text mail keeps a text's lines, so that its lists and quotations read as written."""

from django import template

register = template.Library()


@register.filter
def quoted(text):
    """Each line of the text behind "> ", as mail programs quote."""
    return "\n".join(f"> {line}".rstrip() for line in str(text).strip().splitlines())


@register.filter
def excerpt(text, words=80):
    """The text up to about `words` words, keeping its line breaks, with "…" if it went on."""
    lines, count = [], 0
    for line in str(text).strip().splitlines():
        remaining = int(words) - count
        parts = line.split()
        if len(parts) > remaining:
            indent = line[: len(line) - len(line.lstrip())]
            lines.append(indent + " ".join([*parts[:remaining], "…"]))
            break
        lines.append(line.rstrip())
        count += len(parts)
    return "\n".join(lines)
