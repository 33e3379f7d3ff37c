"""
The webmaster's desk: the moderation queue, its decisions, and the mail they caused.

Contributions are registered here rather than in debates, because this is where they are worked.
The queue is a proxy of them registered under Moderation, so that it sits with the rest of the
desk in the index while each contribution keeps one page.
Status never changes through a form: every decision is an action or a button that calls
moderation.services, and both are offered only to staff with the moderation permission.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy, gettext_noop

from moderation.admin.blocks import BlockRuleAdmin
from moderation.admin.contributions import ContributionAdmin
from moderation.admin.questions import ClosingQuestionAdmin
from moderation.admin.queue import QueueAdmin
from moderation.admin.reasons import SavedReasonAdmin
from moderation.admin.records import DecisionAdmin, OutgoingMailAdmin, SubscriptionAdmin
from moderation.admin.reports import ReportAdmin

admin.site.site_header = gettext_lazy("MIA debate forum: the editors' desk")
admin.site.site_title = gettext_lazy("MIA debate forum")
admin.site.index_title = gettext_lazy("The editors' desk")
# The queue's list needs the width of a laptop's screen; the index and breadcrumbs lead around.
admin.site.enable_nav_sidebar = False

# Django's own sentences that the Danish catalogue words afresh. Django's Danish joins both
# genders ("redigere den/det", "endnu en/et indlæg") or inflects an adjective for one ("valgte
# åbent spørgsmål"); ours needs no pronoun, article or inflection. Named here so that
# makemessages keeps them in the catalogue.
REWORDED_DJANGO_SENTENCES = [
    gettext_noop("You may edit it again below."),
    gettext_noop("The {name} “{obj}” was changed successfully. You may edit it again below."),
    gettext_noop("The {name} “{obj}” was added successfully. You may add another {name} below."),
    gettext_noop("The {name} “{obj}” was changed successfully. You may add another {name} below."),
    gettext_noop("Add another %(model)s"),
    gettext_noop("Change selected %(model)s"),
    gettext_noop("View selected %(model)s"),
    gettext_noop("Delete selected %(model)s"),
    gettext_noop("Save and add another"),
]

__all__ = [
    "BlockRuleAdmin",
    "ClosingQuestionAdmin",
    "ContributionAdmin",
    "DecisionAdmin",
    "OutgoingMailAdmin",
    "QueueAdmin",
    "ReportAdmin",
    "SavedReasonAdmin",
    "SubscriptionAdmin",
]
