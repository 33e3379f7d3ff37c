"""
Closing a question from the admin. Closing mails the question's followers, which is moderation's
work, and debates cannot import moderation; so the questions' admin is registered again here, as
the debates one with a closing step: un-ticking "open" on the page, or the "Close with a
synthesis" action, both call services.close_question.
"""

from django import forms
from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from debates.admin import QuestionAdmin
from debates.models import Question
from moderation import services
from moderation.roles import MODERATE_PERMISSION


class CloseForm(forms.Form):
    synthesis = forms.CharField(
        label=gettext_lazy("Synthesis (Markdown), mailed to the question's followers"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 12, "cols": 80}),
    )


class ClosingQuestionAdmin(QuestionAdmin):
    """Staff who may moderate close questions; others may edit them but not open or close them."""

    actions = ["close_with_synthesis"]

    def has_moderate_permission(self, request):
        return request.user.has_perm(MODERATE_PERMISSION)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and not self.has_moderate_permission(request):
            fields.append("is_open")
        return fields

    def save_model(self, request, obj, form, change):
        closing = change and "is_open" in form.changed_data and not obj.is_open
        if not closing:
            return super().save_model(request, obj, form, change)
        # Everything else is saved as usual; the close itself is the service's, with its mail.
        obj.is_open = True
        super().save_model(request, obj, form, change)
        self._close(request, obj, obj.synthesis)

    def _close(self, request, question, synthesis):
        try:
            services.close_question(question=question, synthesis=synthesis, actor=request.user)
        except services.ModerationError as error:
            self.message_user(request, str(error), messages.ERROR)
            return False
        self.message_user(
            request,
            _("Closed: “%(question)s”. Its followers are mailed the synthesis.")
            % {"question": question},
            messages.SUCCESS,
        )
        return True

    @admin.action(
        description=gettext_lazy("Close with a synthesis (mailed to followers)"),
        permissions=["moderate"],
    )
    def close_with_synthesis(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, _("Select one question to close."), messages.WARNING)
            return None
        question = queryset.get()
        form = CloseForm(
            request.POST if request.POST.get("apply") else None,
            initial={"synthesis": question.synthesis},
        )
        if form.is_valid():
            self._close(request, question, form.cleaned_data["synthesis"])
            return None
        return TemplateResponse(
            request,
            "admin/moderation/close_question.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Close “%(question)s”") % {"question": question},
                "opts": self.model._meta,
                "question": question,
                "form": form,
                "action": request.POST.get("action"),
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
        )


admin.site.unregister(Question)
admin.site.register(Question, ClosingQuestionAdmin)
