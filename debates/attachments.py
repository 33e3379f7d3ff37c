"""A contribution's paper: the name it is downloaded under, and the download itself."""

import re
import unicodedata

from django.http import FileResponse, Http404

from debates.models import Contribution

MAX_NAME_LENGTH = Contribution._meta.get_field("attachment_name").max_length
FALLBACK_STEM = "paper"

# A final extension that a file manager would act on instead of ".pdf" ("rapport.pdf.exe").
_OTHER_EXTENSION = re.compile(r"\.[a-z][a-z0-9]{0,5}$", re.IGNORECASE)
_PDF_EXTENSIONS = re.compile(r"(?:\.pdf)+$", re.IGNORECASE)
# Characters Windows refuses in file names, and path separators of any system.
_UNSAFE = re.compile(r'[<>:"/\\|?*]')


def pdf_filename(name: str) -> str:
    """
    A safe name ending in ".pdf" for a file its sender called `name`: no folders, no control or
    direction-changing characters, no other extension to act on ("rapport.pdf.exe" becomes
    "rapport.pdf", "evil.html" becomes "evil.pdf").
    """
    name = unicodedata.normalize("NFC", name or "")
    name = re.split(r"[/\\]", name)[-1]
    # Cc (control) and Cf (format: right-to-left overrides, zero-width joiners) are dropped.
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C")
    name = " ".join(_UNSAFE.sub("_", name).split())
    if not _PDF_EXTENSIONS.search(name):
        name = _OTHER_EXTENSION.sub("", name)
    stem = _PDF_EXTENSIONS.sub("", name).strip(" .")
    stem = stem[: MAX_NAME_LENGTH - len(".pdf")].rstrip(" .") or FALLBACK_STEM
    return f"{stem}.pdf"


def paper_response(contribution: Contribution) -> FileResponse:
    """
    A contribution's paper as a PDF download named "<something>.pdf", whatever it was sent as;
    the caller decides who may have it.
    """
    if not contribution.attachment:
        raise Http404
    return FileResponse(
        contribution.attachment.open("rb"),
        as_attachment=True,
        filename=pdf_filename(contribution.attachment_name),
        content_type="application/pdf",
    )
