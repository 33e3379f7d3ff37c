"""
A question's thread: its published contributions as a tree, built in one pass.

One query fetches what is shown. Only when a published reply answers something that is no longer
public (withdrawn or removed) is a second, narrow query made for those gaps, which are shown as
placeholders carrying nothing of the missing contribution but its place in the thread.
"""

from dataclasses import dataclass, field

from debates.models import Contribution, Question


@dataclass
class Node:
    contribution: Contribution
    children: list["Node"] = field(default_factory=list)
    # For a reply hung under an ancestor of what it answers (threads nest only so deep): the node
    # it answers, or None when that is no longer shown.
    answers: "Node | None" = None

    @property
    def is_placeholder(self):
        return self.contribution.status != Contribution.Status.PUBLISHED

    @property
    def is_flattened(self):
        """Whether the reply sits elsewhere than under the contribution it answers."""
        c = self.contribution
        return c.parent_id is not None and c.in_reply_to_id not in (None, c.parent_id)


def build_thread(question: Question) -> list[Node]:
    """The question's published contributions as a list of root nodes, oldest first."""
    shown = list(Contribution.objects.published().filter(question=question).for_thread())
    nodes = {c.pk: Node(c) for c in shown}
    missing = {c.parent_id for c in shown if c.parent_id and c.parent_id not in nodes}
    while missing:
        gaps = Contribution.objects.filter(pk__in=missing).only(
            "pk", "parent_id", "status", "depth", "question_id", "published_at"
        )
        for gap in gaps:
            nodes[gap.pk] = Node(gap)
        missing = {g.parent_id for g in gaps if g.parent_id and g.parent_id not in nodes}

    for c in shown:
        if nodes[c.pk].is_flattened:
            nodes[c.pk].answers = nodes.get(c.in_reply_to_id)

    roots = []
    for node in sorted(nodes.values(), key=_thread_order):
        parent = nodes.get(node.contribution.parent_id)
        (parent.children if parent else roots).append(node)
    return roots


def _thread_order(node):
    c = node.contribution
    # Placeholders have no publication date of their own to show; their id keeps them in order.
    return (c.published_at is None, c.published_at, c.pk)
