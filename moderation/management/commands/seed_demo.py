"""
A realistic Danish debate on the seeded content, for demonstrations and the benchmark.

Every contribution goes the way a real one does, through the moderation services: submitted,
confirmed, then published, rejected or marked as spam (or left pending for the queue). Only the
dates are moved afterwards, so that the debate spreads over weeks. The same --seed gives the same
debate: titles, authors, texts and who answers whom.

Demo contributions are marked by their Message-ID (`<seed-demo.…@demo.invalid>`, a domain that
can never be a real sender's) and use only example.org and example.dk addresses; `--clear`
removes exactly those, with their decisions, files, followers and mails. Nothing is sent: mail
goes to an in-memory backend while the command runs, and the outbox rows it caused are deleted.

`--sizes 0,10,100,1000` gives each of the first questions exactly that many published replies
(with pending, rejected and spam ones among them in the usual proportions), so that a benchmark
can compare threads of known sizes.
"""

import argparse
import random
import time
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import Max, ProtectedError, Q
from django.test.utils import override_settings
from django.utils import timezone

from debates.models import Contribution, Question
from moderation.models import Decision, OutgoingMail
from moderation.services import (
    confirm_contribution,
    mark_spam,
    publish,
    reject,
    submit_contribution,
)

Status = Contribution.Status
MARK_DOMAIN = "demo.invalid"
EDITOR_USERNAME = "demo-redaktion"
BATCH = 100
DEFAULT_REPLIES = 300

FIRST_NAMES = [
    "Anne",
    "Mette",
    "Lars",
    "Søren",
    "Hanne",
    "Jens",
    "Kirsten",
    "Peter",
    "Camilla",
    "Rasmus",
    "Louise",
    "Mads",
    "Sofie",
    "Henrik",
    "Line",
    "Morten",
    "Pernille",
    "Thomas",
    "Ida",
    "Jakob",
    "Birgitte",
    "Niels",
    "Astrid",
    "Frederik",
    "Malene",
    "Anders",
    "Signe",
    "Kasper",
    "Dorthe",
    "Mikkel",
    "Lene",
    "Christian",
    "Tina",
    "Jesper",
    "Maja",
    "Ole",
    "Karen",
    "Emil",
    "Rikke",
    "Bo",
]
LAST_NAMES = [
    "Nielsen",
    "Jensen",
    "Hansen",
    "Pedersen",
    "Andersen",
    "Christensen",
    "Larsen",
    "Sørensen",
    "Rasmussen",
    "Jørgensen",
    "Petersen",
    "Madsen",
    "Kristensen",
    "Olsen",
    "Thomsen",
    "Christiansen",
    "Poulsen",
    "Johansen",
    "Møller",
    "Mortensen",
    "Holm",
    "Lund",
    "Bech",
    "Dahl",
    "Skov",
    "Vestergaard",
    "Kjær",
    "Friis",
    "Brandt",
    "Lauridsen",
    "Bang",
    "Frandsen",
    "Østergaard",
]
ORGANISATIONS = [
    "Roskilde Kommune",
    "Aarhus Kommune",
    "Københavns Kommune",
    "Odense Kommune",
    "Region Sjælland",
    "Region Midtjylland",
    "Digitaliseringsstyrelsen",
    "Moderniseringsstyrelsen",
    "Finansministeriet",
    "Beskæftigelsesministeriet",
    "Social- og Boligstyrelsen",
    "Roskilde Universitet",
    "Aalborg Universitet",
    "KL",
    "Danske Regioner",
    "COI – Center for Offentlig Innovation",
    "HK Kommunal",
    "DJØF",
    "",
    "",
]
JOB_TITLES = [
    "Konsulent",
    "Chefkonsulent",
    "Specialkonsulent",
    "Kontorchef",
    "Afdelingschef",
    "Direktør",
    "Innovationskonsulent",
    "Lektor",
    "Ph.d.-studerende",
    "Projektleder",
    "Teamleder",
    "Fuldmægtig",
    "",
]
TOPICS = [
    "innovation",
    "samskabelse",
    "ledelse",
    "digitalisering",
    "borgerinddragelse",
    "økonomistyring",
    "tværgående samarbejde",
    "implementering",
    "motivation",
    "risikovillighed",
    "evaluering",
    "læring",
    "tillid",
    "kernevelfærd",
]
ACTORS = [
    "lederne",
    "medarbejderne",
    "borgerne",
    "politikerne",
    "styrelserne",
    "kommunerne",
    "frontmedarbejderne",
    "de faglige organisationer",
]
EXPERIENCES = [
    "I vores forvaltning har vi prøvet det i to år",
    "Min erfaring fra et tværkommunalt projekt er blandet",
    "Vi så det samme, da vi indførte nye arbejdsgange",
    "Da vi evaluerede vores pilotprojekt, blev det tydeligt",
    "Erfaringerne fra workshoppen peger samme vej",
    "Forskningen giver ikke et entydigt svar",
]
SENTENCES = [
    "{Topic} handler i sidste ende om, hvordan {actors} får plads til at prøve noget nyt.",
    "{Experience}: {actors} skal inddrages tidligt, ellers går {topic} i stå.",
    "Jeg er enig i, at {topic} kræver tid, men det kræver også et klart mandat fra toppen.",
    "Det er svært at tale om {topic} uden at tale om {other}.",
    "Hvis {actors} ikke kan se meningen, bliver {topic} et projekt mere på listen.",
    "{Experience}, og det overraskede os, hvor meget {other} betød.",
    "Spørgsmålet er, om {actors} har de rette rammer til at arbejde med {topic}.",
    "Vi skal turde lade noget være ufærdigt, når {topic} er på dagsordenen.",
    "Jeg savner, at {actors} bliver målt på {topic} og ikke kun på drift.",
    "Der er en risiko for, at {other} bliver et mål i sig selv.",
    "Konklusionerne rammer noget vigtigt, men de undervurderer betydningen af {other}.",
    "Et konkret forslag: lad {actors} afsætte fast tid hver måned til {topic}.",
]
REPLY_OPENINGS = [
    "Tak for et godt indlæg, {name}.",
    "Jeg vil gerne bygge videre på det, {name} skriver.",
    "Her er jeg uenig med {name}.",
    "{name} rammer plet.",
    "Et godt spørgsmål, {name}.",
]
TITLES = [
    "{Topic} kræver plads",
    "Om {topic} og {other}",
    "Erfaringer fra {organisation}",
    "Et bud på {topic}",
    "{Topic}: hvem har ansvaret?",
    "Når {actors} skal med",
    "Mere {topic}, mindre {other}",
    "",
    "",
]
REJECTION_REASONS = [
    "Indlægget handler ikke om spørgsmålet; skriv gerne igen under den generelle debat.",
    "Indlægget nævner en navngiven medarbejder på en måde, vi ikke kan offentliggøre.",
    "Teksten er en annonce for et kursus og ikke et bidrag til debatten.",
    "Indlægget er en kopi af et tidligere indlæg fra samme afsender.",
]
SPAM_TEXTS = [
    "BEST CASINO BONUS!!! Visit www.casino-bonus.example and https://win.example now",
    "Cheap crypto loan, no questions asked: https://lan.example https://lan2.example",
    "SEO backlinks for your website, fast and cheap. Contact us www.seo.example",
]


class Command(BaseCommand):
    help = (
        "Write a realistic demo debate on the seeded questions through the moderation services: "
        "replies spread unevenly over the questions, nested to the cap, some with PDFs, some "
        "pending, rejected or spam for the queue; --sizes gives the first questions threads of "
        "known sizes. Reproducible by --seed. --clear removes the demo data (and only it). "
        "Refuses to run when DEBUG is off unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--replies",
            type=int,
            help=f"How many contributions to write (default {DEFAULT_REPLIES}; none with --clear).",
        )
        parser.add_argument("--seed", type=int, default=1, help="The same seed, the same debate.")
        parser.add_argument("--question", help="Put every contribution on this question (slug).")
        parser.add_argument(
            "--sizes",
            type=_sizes,
            help="Published replies for each of the first questions in turn, e.g. 0,10,100,1000 "
            "(instead of --replies and --question).",
        )
        parser.add_argument(
            "--early",
            action="store_true",
            help="Replies go mostly to the first contributions of a thread, as when a debate "
            "gathers round its opening posts (instead of answering something recent).",
        )
        parser.add_argument(
            "--clear", action="store_true", help="Remove earlier demo data first (only that)."
        )
        parser.add_argument(
            "--force", action="store_true", help="Run even with DEBUG off (never on a live site)."
        )

    def handle(
        self, *args, replies, seed, question, sizes, early, clear, force, verbosity, **options
    ):
        if not settings.DEBUG and not force:
            raise CommandError(
                "DEBUG is off: this looks like a live site, where demo data could be taken for "
                "real contributions. Add --force if this is really a test installation."
            )
        if sizes is not None and (replies is not None or question):
            raise CommandError(
                "--sizes chooses the questions and how many replies each gets: leave out "
                "--replies and --question."
            )
        if replies is None:
            replies = 0 if clear or sizes is not None else DEFAULT_REPLIES
        if replies < 0:
            raise CommandError("--replies cannot be negative.")
        if clear:
            self.stdout.write(self._clear())
        if not replies and not sizes:
            return
        questions = self._questions(question)
        if sizes and len(sizes) > len(questions):
            raise CommandError(
                f"--sizes names {len(sizes)} questions, and there are {len(questions)} open ones."
            )
        scope = f"seed-demo.{seed}.{'sizes' if sizes else question or 'all'}."
        if Contribution.objects.filter(message_id__startswith=f"<{scope}").exists():
            raise CommandError(
                f"Demo data with --seed {seed} is already there; add --clear to write it again."
            )
        started = time.monotonic()
        debate = _Debate(questions, seed, scope, early=early)
        plan = debate.plan(sizes) if sizes else None
        total = len(plan) if plan is not None else replies
        progress = _Progress(self.stderr, total) if verbosity and total else None
        outbox = list(getattr(mail, "outbox", []))
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            made, mails = debate.write(total, progress=progress, plan=plan)
        # What went to memory is forgotten; a test's own outbox is left as it was.
        mail.outbox = outbox
        _refresh_planner_statistics()
        self.stdout.write(self._summary(made, mails, time.monotonic() - started))
        if sizes:
            self.stdout.write(self._published_per_question(made, questions[: len(sizes)]))

    def _questions(self, slug):
        questions = Question.objects.open().order_by("paper", "position", "pk")
        if slug:
            questions = questions.filter(slug=slug)
        questions = list(questions)
        if not questions:
            if slug:
                raise CommandError(f"No open question “{slug}”.")
            raise CommandError(
                "There are no open questions to debate: run `manage.py seed_content` first."
            )
        return questions

    def _clear(self):
        demo = Contribution.objects.filter(message_id__endswith=f"@{MARK_DOMAIN}>")
        files = list(demo.exclude(attachment="").values_list("attachment", flat=True))
        try:
            with transaction.atomic():
                mails = OutgoingMail.objects.filter(contribution__in=demo).delete()[0]
                count = 0
                # Replies first: a contribution is protected while replies hang under it.
                for depth in sorted(set(demo.values_list("depth", flat=True)), reverse=True):
                    count += demo.filter(depth=depth).delete()[1].get(Contribution._meta.label, 0)
                get_user_model().objects.filter(username=EDITOR_USERNAME).delete()
        except ProtectedError as error:
            raise CommandError(
                "Real contributions reply to demo ones; nothing was removed."
            ) from error
        storage = Contribution._meta.get_field("attachment").storage
        for name in files:
            storage.delete(name)
        return f"Removed {count} demo contributions, {len(files)} files and {mails} mails."

    def _published_per_question(self, made, questions):
        published = {q.pk: 0 for q in questions}
        for contribution in made:
            if contribution.status == Status.PUBLISHED:
                published[contribution.question_id] += 1
        return "\n".join(f"  {q.slug}: {published[q.pk]} published" for q in questions)

    def _summary(self, made, mails, seconds):
        counts = {status: sum(c.status == status for c in made) for status in Status}
        return "\n".join(
            [
                f"Wrote {len(made)} demo contributions in {seconds:.1f} s "
                f"({1000 * seconds / max(len(made), 1):.1f} ms each):",
                f"  published {counts[Status.PUBLISHED]}, pending {counts[Status.PENDING]}, "
                f"rejected {counts[Status.REJECTED]}, spam {counts[Status.SPAM]}",
                f"  with a PDF {sum(bool(c.attachment) for c in made)}, "
                f"deepest reply at depth {max((c.depth for c in made), default=0)}",
                f"  {mails} mails were written to the outbox and deleted again; none was sent.",
            ]
        )


class _Debate:
    """One run's worth of demo contributions, decided by a seeded random generator."""

    def __init__(self, questions, seed, scope, *, early=False):
        self.random = random.Random(seed)
        self.early = early
        # Who writes again and how long the editors take come from a stream of their own, so
        # that the texts, authors and threads of a seed stay what they were.
        self.habits = random.Random(f"{seed}:habits")
        self.people = []
        self.published_at = {}
        self.now = timezone.now()
        self.questions = questions
        self.scope = scope
        # Some questions draw most of the debate.
        self.weights = [1 / (rank + 1) ** 1.3 for rank in range(len(questions))]
        self.random.shuffle(self.weights)
        self.published = {q.pk: [] for q in questions}
        self.fates = []
        self.editor = _editor()
        today = timezone.localtime().replace(hour=8, minute=0, second=0, microsecond=0)
        self.start = today - timedelta(weeks=6)

    def plan(self, sizes):
        """
        Which question each contribution goes to, and its fate, in the order they come in: each
        of the first questions draws contributions until `size` of them are published.
        """
        plan = []
        for question, size in zip(self.questions, sizes, strict=False):
            published = 0
            while published < size:
                fate = self._fate()
                plan.append((question, fate))
                published += fate == Status.PUBLISHED
        # The questions' debates run side by side, not one after the other.
        self.random.shuffle(plan)
        return plan

    def write(self, count, progress=None, plan=None):
        made = []
        first_mail = OutgoingMail.objects.aggregate(last=Max("pk"))["last"] or 0
        mails = 0
        moment = self.start
        step = timedelta(weeks=6) / max(count, 1)
        for offset in range(0, count, BATCH):
            dated = []
            with transaction.atomic():
                for n in range(offset, min(offset + BATCH, count)):
                    moment += step * self.random.uniform(0.2, 1.8)
                    contribution = self._one(n, plan[n] if plan else None)
                    made.append(contribution)
                    dated.append((contribution, moment))
                self._date(dated)
                # Dropped before the commit, after which they would be sent (to memory).
                mails += self._drop_mails(first_mail)
            # Followers' notices are written after the commit; the outbox keeps none of them.
            mails += self._drop_mails(first_mail)
            if progress:
                progress.update(len(made))
        if progress:
            progress.done()
        return made, mails

    def _one(self, n, planned=None):
        r = self.random
        if planned:
            question, fate = planned
        else:
            question = r.choices(self.questions, self.weights)[0]
            fate = self._fate()
        first, last = r.choice(FIRST_NAMES), r.choice(LAST_NAMES)
        organisation = r.choice(ORGANISATIONS)
        parent = self._parent(question)
        if fate == Status.SPAM:
            name, title, body = f"{first}{r.randint(10, 99)}", "", r.choice(SPAM_TEXTS)
        else:
            name, title, body = f"{first} {last}", self._title(organisation), self._body(parent)
        has_pdf = fate != Status.SPAM and r.random() < 0.06
        address = _address(f"{first}.{last}{n}", r.choice(["example.dk", "example.org"]))
        job_title = r.choice(JOB_TITLES) if organisation else ""
        ip = f"192.0.2.{r.randint(1, 254)}"
        if fate != Status.SPAM:
            # A third of the contributions come from someone who has written before.
            if self.people and self.habits.random() < 0.35:
                name, address = self.habits.choice(self.people)
            else:
                self.people.append((name, address))
        contribution = submit_contribution(
            question=question,
            parent=parent,
            author_name=name,
            author_email=address,
            author_organisation=organisation if fate != Status.SPAM else "",
            author_title=job_title,
            title=title,
            body=body,
            attachment=ContentFile(_pdf(title or name), name="bidrag.pdf") if has_pdf else None,
            attachment_name=f"{(title or 'Bidrag')[:60]}.pdf" if has_pdf else "",
            submitter_ip=ip,
            message_id=f"<{self.scope}{n}@{MARK_DOMAIN}>",
            intake_note="Demodata fra seed_demo; fjernes med seed_demo --clear.",
        )
        contribution = confirm_contribution(contribution=contribution)
        if fate == Status.PUBLISHED:
            contribution = publish(contribution=contribution, actor=self.editor)
            self.published[question.pk].append(contribution)
        elif fate == Status.REJECTED:
            reason = r.choice(REJECTION_REASONS)
            contribution = reject(contribution=contribution, actor=self.editor, reason=reason)
        elif fate == Status.SPAM:
            contribution = mark_spam(contribution=contribution, actor=self.editor)
        return contribution

    def _fate(self):
        """In every fifty: 42 published, 4 left pending, 2 rejected and 2 marked as spam."""
        if not self.fates:
            self.fates = [Status.PUBLISHED] * 42 + [Status.PENDING] * 4
            self.fates += [Status.REJECTED] * 2 + [Status.SPAM] * 2
            self.random.shuffle(self.fates)
        return self.fates.pop()

    def _parent(self, question):
        """A quarter start a thread; the rest answer something recent, often deep down."""
        earlier = self.published[question.pk]
        if not earlier or self.random.random() < 0.25:
            return None
        if self.early:
            # The n-th contribution draws replies in proportion to 1/n: the first ones most.
            return self.random.choices(earlier, [1 / rank for rank in range(1, len(earlier) + 1)])[
                0
            ]
        return self.random.choice(earlier[-12:])

    def _words(self):
        r = self.random
        topic, other = r.sample(TOPICS, 2)
        return {
            "topic": topic,
            "Topic": topic.capitalize(),
            "other": other,
            "actors": r.choice(ACTORS),
            "Experience": r.choice(EXPERIENCES),
            "organisation": r.choice([o for o in ORGANISATIONS if o]),
        }

    def _title(self, organisation):
        template = self.random.choice(TITLES)
        words = self._words()
        if organisation:
            words["organisation"] = organisation
        return template.format(**words)

    def _body(self, parent):
        r = self.random
        paragraphs = []
        if parent:
            paragraphs.append(r.choice(REPLY_OPENINGS).format(name=parent.author_name.split()[0]))
        # No sentence twice in one text.
        unsaid = r.sample(SENTENCES, len(SENTENCES))
        for _ in range(r.choice([1, 1, 2, 2, 3])):
            sentences = [unsaid.pop().format(**self._words()) for _ in range(r.randint(2, 4))]
            paragraphs.append(" ".join(sentences))
        if r.random() < 0.15:
            words = self._words()
            paragraphs.append(
                f"Tre ting, der **virker**:\n\n- tid til {words['topic']}\n"
                f"- plads til {words['other']}\n- opbakning fra {words['actors']}"
            )
        return "\n\n".join(paragraphs)

    def _date(self, dated):
        """Spread the batch over its weeks: the services stamped everything with the present."""
        contributions, decisions = [], []
        decided = Decision.objects.filter(contribution__in=[c for c, _ in dated])
        by_contribution = {}
        for decision in decided:
            by_contribution.setdefault(decision.contribution_id, []).append(decision)
        for contribution, moment in dated:
            contribution.submitted_at = moment
            contribution.confirmed_at = moment + timedelta(minutes=7)
            if contribution.status != Status.PENDING:
                contribution.decided_at = self._decided(contribution)
            if contribution.status == Status.PUBLISHED:
                contribution.published_at = contribution.decided_at
            contributions.append(contribution)
            for decision in by_contribution.get(contribution.pk, []):
                decision.created_at = {
                    Decision.Action.SUBMITTED: contribution.submitted_at,
                    Decision.Action.CONFIRMED: contribution.confirmed_at,
                }.get(decision.action, contribution.decided_at)
                decisions.append(decision)
        Contribution.objects.bulk_update(
            contributions, ["submitted_at", "confirmed_at", "decided_at", "published_at"]
        )
        Decision.objects.bulk_update(decisions, ["created_at"])

    def _decided(self, contribution):
        """
        When the editors decided: mostly within hours, now and then days later, not after the
        command runs, and a reply after what it answers.
        """
        wait = timedelta(minutes=min(self.habits.lognormvariate(5.0, 1.0), 5 * 24 * 60))
        decided = min(contribution.confirmed_at + wait, max(self.now, contribution.confirmed_at))
        answered = self.published_at.get(contribution.parent_id)
        if answered and decided <= answered:
            later = answered + timedelta(minutes=self.habits.randint(5, 90))
            decided = min(later, max(self.now, answered + timedelta(minutes=1)))
        if contribution.status == Status.PUBLISHED:
            self.published_at[contribution.pk] = decided
        return decided

    def _drop_mails(self, after):
        """The mails the run caused: to its contributors and editors, and to any followers."""
        caused = Q(contribution__message_id__endswith=f"@{MARK_DOMAIN}>") | Q(
            kind=OutgoingMail.Kind.FOLLOW_NOTICE
        )
        return OutgoingMail.objects.filter(caused, pk__gt=after).delete()[0]


def _sizes(value):
    try:
        sizes = [int(size) for size in value.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(
            "give numbers separated by commas, e.g. 0,10,100"
        ) from None
    if any(size < 0 for size in sizes):
        raise argparse.ArgumentTypeError("a question cannot have fewer than 0 replies")
    return sizes


def _refresh_planner_statistics():
    """
    On PostgreSQL, let the planner know the new rows at once (and mark the pages all-visible, for
    index-only scans) rather than when autovacuum next passes: pages are then served with the
    query plans a running site has. Outside a transaction only; a test's is left alone.
    """
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE debates_contribution")


def _address(local, domain):
    for letter, spelt in (("æ", "ae"), ("ø", "oe"), ("å", "aa")):
        local = local.lower().replace(letter, spelt)
    return f"{local}@{domain}"


def _editor():
    """The editor the demo's decisions are recorded under; it cannot log in."""
    user, created = get_user_model().objects.get_or_create(
        username=EDITOR_USERNAME,
        defaults={"email": f"{EDITOR_USERNAME}@example.org", "is_active": False},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def _pdf(title):
    """A small, valid one-page PDF with the title on it."""
    text = title.encode("latin-1", "replace").decode("latin-1")
    text = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    stream = f"BT /F1 18 Tf 72 720 Td ({text}) Tj ET".encode("latin-1")
    objects = [
        b"<</Type/Catalog/Pages 2 0 R>>",
        b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
        b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents 4 0 R"
        b"/Resources<</Font<</F1 5 0 R>>>>>>",
        b"<</Length %d>>stream\n" % len(stream) + stream + b"\nendstream",
        b"<</Type/Font/Subtype/Type1/BaseFont/Helvetica/Encoding/WinAnsiEncoding>>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


class _Progress:
    """A progress bar on the command's stderr, redrawn in place."""

    def __init__(self, stream, total, width=30):
        self.stream, self.total, self.width = stream, total, width

    def update(self, done):
        filled = self.width * done // self.total
        bar = "#" * filled + "-" * (self.width - filled)
        self.stream.write(f"\r  [{bar}] {done}/{self.total}", ending="")
        self.stream.flush()

    def done(self):
        self.stream.write("")
