"""The contribution form: it validates what a contributor sends; services.py acts on it."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Field, Fieldset, Layout
from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from debates.cache import release
from moderation.models import Report
from moderation.services.papers import IncompletePdf, NotAPdf, check_pdf

# The pages show a form's own errors (not a field's) once, above it; crispy would repeat them.
FIELDS_ONLY = "moderation/_form_fields.html"


class CachedWhenBlank:
    """
    A form whose blank rendering is the same on every page and for every visitor, and so is
    cached (see the `{% cache %}` in its template): rendering its fields costs more than the rest
    of a question page together.
    """

    @property
    def blank_cache_key(self):
        if self.is_bound or self.initial or getattr(self, "staged", None):
            return ""
        return f"{type(self).__name__}-{release()}"


class ContributionForm(CachedWhenBlank, forms.Form):
    author_name = forms.CharField(label=_("Name"), max_length=200)
    author_email = forms.EmailField(
        label=_("E-mail"),
        help_text=_("We send you a link to confirm it. It is never shown on the site."),
    )
    author_title = forms.CharField(label=_("Job title"), max_length=200, required=False)
    author_organisation = forms.CharField(label=_("Organisation"), max_length=200, required=False)
    title = forms.CharField(label=_("Title of your contribution"), max_length=200, required=False)
    body = forms.CharField(
        label=_("Your contribution"),
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_(
            "You can use Markdown: *italics*, **bold**, lists with “-”, “>” for a quotation, and "
            "links. Web addresses become links by themselves."
        ),
    )
    attachment = forms.FileField(
        label=_("Paper as PDF (optional)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )
    # A paper attached before a preview or an error, parked until the form is sent.
    attachment_token = forms.CharField(required=False, widget=forms.HiddenInput)
    remove_attachment = forms.BooleanField(label=_("Remove the attached file"), required=False)
    consent = forms.BooleanField(
        error_messages={
            "required": _("We can only publish your contribution with your name. Tick the box.")
        },
    )
    wants_reply_notice = forms.BooleanField(
        label=_("Send me an e-mail when someone replies to my contribution"),
        required=False,
    )
    # Hidden from people; automated senders fill in every field they find.
    website = forms.CharField(label=_("Leave this field empty"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.staged = None
        # The error summary names the box in a few words; its label is a whole sentence.
        self.fields["consent"].summary_label = _("Consent to publish your name")
        self.fields["consent"].label = format_html(
            '{} <a href="{}">{}</a>',
            _(
                "I agree that my name, and my job title and organisation if I give them, are "
                "published with my contribution."
            ),
            reverse("moderation:privacy"),
            _("How we handle personal data"),
        )
        self.fields["attachment"].help_text = _(
            "A PDF file of at most %(size)s, if you send a whole paper."
        ) % {"size": filesizeformat(self.max_attachment_bytes)}

    @cached_property
    def helper(self):
        """The layout, built only when the form is rendered (a blank one comes from the cache)."""
        helper = FormHelper()
        helper.form_tag = False
        helper.template = FIELDS_ONLY
        helper.layout = Layout(
            Fieldset(
                _("About you"),
                Div(
                    Div(Field("author_name", autocomplete="name"), css_class="col-md-6"),
                    Div(Field("author_email", autocomplete="email"), css_class="col-md-6"),
                    Div(
                        Field("author_title", autocomplete="organization-title"),
                        css_class="col-md-6",
                    ),
                    Div(
                        Field("author_organisation", autocomplete="organization"),
                        css_class="col-md-6",
                    ),
                    css_class="row",
                ),
            ),
            Fieldset(
                _("Your contribution"),
                "title",
                "body",
                "attachment",
                HTML('{% include "moderation/_staged_attachment.html" %}'),
                "attachment_token",
            ),
            "consent",
            "wants_reply_notice",
            Div(
                Field("website", tabindex="-1", autocomplete="off"),
                css_class="hp-field",
                aria_hidden="true",
            ),
        )
        return helper

    @property
    def max_attachment_bytes(self):
        return settings.MIA_MAX_ATTACHMENT_MB * 1024 * 1024

    def clean_body(self):
        body = self.cleaned_data["body"].strip()
        limit = settings.MIA_MAX_TEXT_CHARS
        if len(body) > limit:
            raise forms.ValidationError(
                _(
                    "The text is too long: at most %(limit)s characters, and yours has %(count)s. "
                    "Send a long text as a PDF paper instead."
                ),
                params={
                    "limit": f"{limit:,}".replace(",", "."),
                    "count": f"{len(body):,}".replace(",", "."),
                },
                code="too_long",
            )
        return body

    def clean_attachment(self):
        upload = self.cleaned_data.get("attachment")
        if not upload:
            return None
        if upload.size > self.max_attachment_bytes:
            raise forms.ValidationError(
                _("The file is %(size)s; the limit is %(limit)s."),
                params={
                    "size": filesizeformat(upload.size),
                    "limit": filesizeformat(self.max_attachment_bytes),
                },
                code="too_large",
            )
        try:
            check_pdf(upload)
        except IncompletePdf:
            raise forms.ValidationError(
                _("“%(name)s” is not a complete PDF file. Attach it again."),
                params={"name": upload.name},
                code="incomplete_pdf",
            ) from None
        except NotAPdf:
            raise forms.ValidationError(
                _("“%(name)s” is not a PDF file. Save your paper as PDF and attach it again."),
                params={"name": upload.name},
                code="not_pdf",
            ) from None
        return upload

    def carry_staged(self, staged):
        """Show a paper parked by an earlier request, and carry its token to the next one."""
        self.staged = staged
        self.data = self.data.copy()
        self.data["attachment_token"] = staged.token if staged else ""


class RevisionForm(forms.Form):
    """
    A contribution sent back for revision, as its author revises it: title and text, and a new
    paper if they attach one (otherwise the paper they sent stays). Checked as when first sent.
    """

    title = ContributionForm.base_fields["title"]
    body = ContributionForm.base_fields["body"]
    attachment = forms.FileField(
        label=_("A new paper as PDF (optional)"),
        required=False,
        widget=forms.FileInput(attrs={"accept": "application/pdf,.pdf"}),
    )

    max_attachment_bytes = ContributionForm.max_attachment_bytes
    clean_body = ContributionForm.clean_body
    clean_attachment = ContributionForm.clean_attachment

    def __init__(self, *args, paper_name: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        if paper_name:
            help_text = _(
                "Your paper “%(name)s” stays with the contribution unless you attach a new one "
                "(a PDF file of at most %(size)s)."
            )
        else:
            help_text = _("A PDF file of at most %(size)s, if you send a whole paper.")
        self.fields["attachment"].help_text = help_text % {
            "name": paper_name,
            "size": filesizeformat(self.max_attachment_bytes),
        }
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.template = FIELDS_ONLY
        self.helper.layout = Layout("title", "body", "attachment")


class EmailForm(CachedWhenBlank, forms.Form):
    """An address to follow a question with, or to ask what we hold about."""

    email = forms.EmailField(label=_("Your e-mail"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.template = FIELDS_ONLY
        self.helper.layout = Layout("email")
        self.fields["email"].widget.attrs["autocomplete"] = "email"


class ReportForm(forms.Form):
    """A reader's report on a published contribution: a reason, and words if they like."""

    reason = forms.ChoiceField(
        label=_("What is wrong with it?"),
        choices=Report.Reason.choices,
        widget=forms.RadioSelect,
    )
    text = forms.CharField(
        label=_("Anything the editors should know (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    # Hidden from people, as on the contribution form.
    website = forms.CharField(label=_("Leave this field empty"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.template = FIELDS_ONLY
        self.helper.layout = Layout(
            "reason",
            "text",
            Div(
                Field("website", tabindex="-1", autocomplete="off"),
                css_class="hp-field",
                aria_hidden="true",
            ),
        )
