"""Factory functions with overridable defaults. The site's own content comes from the seed."""

import itertools
import random
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.utils import timezone

from debates.markup import render_markdown
from debates.models import Contribution, Paper, Question, Workshop

_numbers = itertools.count(1)


def minimal_pdf(*objects: bytes) -> bytes:
    """A PDF of the given objects (numbered from 1, the first the catalogue), with its xref."""
    pdf, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, 1):
        offsets.append(len(pdf))
        pdf += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(pdf)
    pdf += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    pdf += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    pdf += b"trailer\n<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return pdf


# The smallest file that a PDF reader opens: one blank A4 page.
PDF_BYTES = minimal_pdf(
    b"<</Type/Catalog/Pages 2 0 R>>",
    b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
    b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>",
)
ZIP_BYTES = b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + b"\x00" * 40


def make_question(**overrides):
    n = next(_numbers)
    paper = overrides.pop("paper", None) or Paper.objects.first() or _make_paper()
    fields = {
        "paper": paper,
        "title": f"Spørgsmål {n}",
        "text": f"Hvad mener du om sag nummer {n}?",
        "slug": f"spoergsmaal-{n}",
        "position": 100 + n,
        "is_open": True,
    }
    fields.update(overrides)
    if "paragraph" not in fields:
        fields["paragraph"] = paper.paragraphs.create(position=100 + n, text=f"Afsnit {n}.")
    return Question.objects.create(**fields)


def _make_paper():
    workshop, _ = Workshop.objects.get_or_create(number=5, defaults={"title": "MIA-workshop 5"})
    return Paper.objects.create(workshop=workshop, title="MIA 5 konklusioner")


def make_contribution(**overrides):
    """A contribution written straight to the database in any state, as if it had got there."""
    n = next(_numbers)
    status = overrides.pop("status", Contribution.Status.PUBLISHED)
    attachment = overrides.pop("attachment", None)
    now = timezone.now()
    fields = {
        "question": overrides.pop("question", None) or make_question(),
        "status": status,
        "author_name": f"Bidragyder {n}",
        "author_email": f"bidragyder{n}@example.dk",
        "author_organisation": "Roskilde Kommune",
        "author_title": "Konsulent",
        "title": f"Indlæg nummer {n}",
        "body": f"Dette er indlæg nummer {n}, med *vægt* på det vigtige.",
        "submitter_ip": "192.0.2.10",
        "confirmed_at": None if status == Contribution.Status.UNCONFIRMED else now,
        "published_at": now if status == Contribution.Status.PUBLISHED else None,
    }
    fields.update(overrides)
    parent = fields.get("parent")
    fields.setdefault("depth", parent.depth + 1 if parent else 1)
    fields.setdefault("original_title", fields["title"])
    fields.setdefault("original_body", fields["body"])
    fields.setdefault("body_html", render_markdown(fields["body"]))
    contribution = Contribution(**fields)
    if attachment is not None:
        contribution.attachment_name = "paper.pdf"
        contribution.attachment.save("paper.pdf", ContentFile(attachment), save=False)
    contribution.save()
    return contribution


def make_user(**overrides):
    n = next(_numbers)
    fields = {"username": f"bruger{n}", "email": f"bruger{n}@ruc.example", "is_staff": True}
    fields.update(overrides)
    password = fields.pop("password", "en-god-adgangskode-123")
    user = get_user_model().objects.create_user(password=password, **fields)
    user.raw_password = password
    return user


def make_webmaster(**overrides):
    """A staff user in the Webmaster group, as `createwebmaster` makes one."""
    user = make_user(**overrides)
    user.groups.add(Group.objects.get(name="Webmaster"))
    return user


def make_thread(question, *, top_level, replies_each=0, start=None, status=None):
    """
    A published thread in a few bulk inserts: `top_level` contributions a minute apart from
    `start`, each with a chain of `replies_each` replies under it. Returns the top-level ones.
    """
    status = status or Contribution.Status.PUBLISHED
    start = start or timezone.now() - timedelta(days=30)
    html = render_markdown("Et indlæg i en lang tråd.")

    def batch(parents, level):
        made = Contribution.objects.bulk_create(
            Contribution(
                question=question,
                parent=parent,
                depth=level,
                status=status,
                author_name=f"Bidragyder {i}-{level}",
                author_email=f"bidragyder{i}-{level}@example.dk",
                title=f"Indlæg {i + 1}" if level == 1 else "",
                body="Et indlæg i en lang tråd.",
                body_html=html,
                confirmed_at=start,
                published_at=start + timedelta(minutes=i, seconds=level),
            )
            for i, parent in enumerate(parents)
        )
        return made

    roots = batch([None] * top_level, 1)
    parents = roots
    for level in range(2, replies_each + 2):
        parents = batch(parents, level)
    return roots


def make_replies(parent, count, *, start=None):
    """`count` published replies straight under `parent`, a minute apart, in one bulk insert."""
    start = start or parent.published_at or timezone.now() - timedelta(days=20)
    html = render_markdown("Et svar i en lang tråd.")
    return Contribution.objects.bulk_create(
        Contribution(
            question=parent.question,
            parent=parent,
            depth=parent.depth + 1,
            status=Contribution.Status.PUBLISHED,
            author_name=f"Svarer {i}",
            author_email=f"svarer{i}@example.dk",
            body="Et svar i en lang tråd.",
            body_html=html,
            confirmed_at=start,
            published_at=start + timedelta(minutes=i + 1),
        )
        for i in range(count)
    )


_WORDS = [
    "ledelse",
    "medarbejderne",
    "innovation",
    "kommunen",
    "styrelsen",
    "rum",
    "til",
    "at",
    "prøve",
    "noget",
    "nyt",
    "erfaring",
    "viser",
    "planen",
    "betyder",
    "mere",
    "end",
    "tillid",
    "motivation",
    "implementering",
    "projekt",
    "borgerne",
    "drift",
    "kerneopgaven",
    "samarbejde",
    "økonomi",
    "faglighed",
    "læring",
    "forandring",
    "evaluering",
    "dialog",
]


def make_early_thread(question, replies, *, seed=1, max_depth=4):
    """
    A published thread of `replies` contributions in which early ones gather most replies: a
    quarter start a sub-thread, the rest answer the n-th contribution so far in proportion to
    1/n, as `seed_demo --early` does. Each has a title-less text of three short paragraphs.
    """
    r = random.Random(seed)
    start = timezone.now() - timedelta(days=40)
    made = []
    for n in range(replies):
        parent = None
        if made and r.random() >= 0.25:
            parent = r.choices(made, [1 / rank for rank in range(1, len(made) + 1)])[0]
        answers = parent
        if parent is not None and parent.depth >= max_depth:
            parent = parent.parent  # as the services do: it joins the deepest level
        body = "\n\n".join(
            " ".join(r.choice(_WORDS) for _ in range(r.randint(15, 35))).capitalize() + "."
            for _ in range(3)
        )
        made.append(
            make_contribution(
                question=question,
                parent=parent,
                in_reply_to=answers,
                author_name=f"{r.choice(['Anne', 'Lars', 'Mette', 'Søren'])} Deltager{n}",
                title="" if parent else f"Indlæg {n}",
                body=body,
                published_at=start + timedelta(minutes=n),
            )
        )
    return made
