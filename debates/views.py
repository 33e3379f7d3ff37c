"""Pages for readers. Everything here is public; unpublished contributions never reach them."""

from django.conf import settings
from django.db.models import Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render

from debates.attachments import paper_response
from debates.cache import public_page
from debates.figures import MAX_QUESTIONS, MAX_WEEKS, debate_in_figures
from debates.fragments import render_thread
from debates.models import (
    AccessibilityStatement,
    Contribution,
    Paper,
    Paragraph,
    Question,
    Talk,
    Workshop,
)
from debates.previews import discussion_posting
from debates.search import find
from debates.threads import (
    PAGE_PARAMETER,
    PageNotFound,
    build_thread_page,
    contribution_url,
    page_url,
    with_thread_pages,
)

LATEST_ON_HOME = 5
# The editors' picks above a thread and on the home page: a short list, however many there are.
PICKS_SHOWN = 5


def latest_picks():
    """The latest editors' picks on every question, each with its place in its thread."""
    return with_thread_pages(Contribution.objects.picks().select_related("question")[:PICKS_SHOWN])


@public_page
def home(request):
    paper = Paper.objects.select_related("workshop").last()
    questions = (
        Question.objects.filter(paper=paper).with_reply_counts()
        if paper
        else Question.objects.none()
    )
    latest = with_thread_pages(
        Contribution.objects.published()
        .select_related("question")
        .order_by("-published_at", "-pk")[:LATEST_ON_HOME]
    )
    return render(
        request,
        "debates/home.html",
        {
            "workshops": Workshop.objects.all(),
            "paper": paper,
            "questions": questions,
            "latest": latest,
            "picks": latest_picks(),
        },
    )


@public_page
def workshop_list(request):
    workshops = Workshop.objects.prefetch_related(
        Prefetch("talks", queryset=Talk.objects.prefetch_related("speakers"))
    ).select_related("paper")
    return render(
        request, "debates/workshop_list.html", {"workshops": workshops, "section": "workshops"}
    )


@public_page
def workshop_detail(request, number):
    workshop = get_object_or_404(Workshop.objects.select_related("paper"), number=number)
    talks = workshop.talks.prefetch_related(
        "speakers",
        Prefetch(
            "paragraphs",
            queryset=Paragraph.objects.select_related("question"),
        ),
    )
    return render(
        request,
        "debates/workshop_detail.html",
        {"workshop": workshop, "talks": talks, "section": "workshops"},
    )


def paper_latest(request):
    paper = Paper.objects.select_related("workshop").last()
    if paper is None:
        raise Http404
    return redirect(paper)


@public_page
def paper_detail(request, number):
    paper = get_object_or_404(Paper.objects.select_related("workshop"), workshop__number=number)
    questions = paper.questions.with_reply_counts()
    by_paragraph = {q.paragraph_id: q for q in questions}
    paragraphs = [(p, by_paragraph.get(p.pk)) for p in paper.paragraphs.all()]
    return render(
        request,
        "debates/paper_detail.html",
        {
            "paper": paper,
            "paragraphs": paragraphs,
            "general": by_paragraph.get(None),
            "section": "debate",
        },
    )


@public_page(query=[PAGE_PARAMETER])
def question_detail(request, slug):
    """A page of the question's thread; the first is the question's own address."""
    question = get_object_or_404(
        Question.objects.select_related(
            "paper__workshop", "paragraph__talk__workshop"
        ).with_first_version(),
        slug=slug,
    )
    asked = request.GET.get(PAGE_PARAMETER)
    try:
        thread = build_thread_page(question, asked)
    except PageNotFound:
        raise Http404 from None
    if asked is not None and (thread.number == 1 or asked != str(thread.number)):
        # One address per page (?side=1 is the question's own), so each is cached once.
        return redirect(page_url(question, thread.number), permanent=True)
    return render(
        request,
        "debates/question_detail.html",
        {
            "question": question,
            "thread": thread,
            "thread_html": render_thread(thread.nodes, question=question),
            "picks": thread.picks(PICKS_SHOWN),
            "thread_path": page_url(question, thread.number),
            "posting": discussion_posting(question, thread),
            "section": "debate",
        },
    )


def talk_material(request, pk):
    talk = get_object_or_404(Talk, pk=pk)
    if not talk.material:
        raise Http404
    return FileResponse(talk.material.open("rb"), filename=talk.material.name.rsplit("/", 1)[-1])


@public_page(query=["q", "kind", "page"], keep=False)
def search(request):
    """Anyone may search what is published; any input gives a page, with or without results."""
    results = find(
        request.GET.get("q", ""), kind=request.GET.get("kind"), page=request.GET.get("page")
    )
    return render(request, "debates/search.html", {"results": results})


def contribution_permalink(request, pk):
    """
    Anyone may follow a published contribution's lasting address to the page of its thread that
    shows it now; any other number is not found, whether or not a contribution has it.
    """
    # Not a @public_page: the answer is a redirect, which the page cache does not keep.
    contribution = get_object_or_404(
        Contribution.objects.published().select_related("question"), pk=pk
    )
    return redirect(contribution_url(contribution))


def contribution_attachment(request, pk):
    """The paper of a published contribution; any other contribution's file does not exist here."""
    return paper_response(get_object_or_404(Contribution.objects.published(), pk=pk))


@public_page
def accessibility(request):
    """The accessibility statement that the web accessibility act asks of a public body."""
    statement = AccessibilityStatement.objects.order_by("pk").first()
    if statement is None:
        raise Http404
    return render(
        request,
        "debates/accessibility.html",
        {
            "statement": statement,
            "known_gaps": statement.known_gaps_in(request.LANGUAGE_CODE),
            "feedback_email": statement.feedback_email or settings.MIA_WEBMASTER_EMAIL,
        },
    )


@public_page
def figures(request):
    """The debate in figures: what has been published, counted. Anyone may read it."""
    return render(
        request,
        "debates/figures.html",
        {
            "figures": debate_in_figures(),
            "max_weeks": MAX_WEEKS,
            "max_questions": MAX_QUESTIONS,
            "retention_months": settings.MIA_RETENTION_MONTHS,
        },
    )
