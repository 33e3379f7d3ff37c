"""
What counts as a paper, for the web form and for mail intake alike: a whole PDF that a PDF
reader can open, never a file that only mentions "%PDF-" somewhere in a comment.
"""

import io
import logging
from typing import BinaryIO

from pypdf import PdfReader

# A PDF starts with its header and ends with its end-of-file marker, which PDF writers follow
# with a line break or two; more than this after it is something else appended to the file.
HEADER = b"%PDF-"
END_MARKER = b"%%EOF"
TAIL_BYTES = 1024


class NotAPdf(Exception):
    """str(exc) says why, in English, for the webmaster's log."""


class IncompletePdf(NotAPdf):
    """A PDF cut short, typically by an interrupted upload or a truncated mail."""


def check_pdf(file: BinaryIO | bytes) -> int:
    """
    The number of pages of a PDF, or NotAPdf (IncompletePdf if it was cut short). The caller
    bounds the size; at the upload limit pypdf's own caps (array lengths, page tree depth and
    cycles) keep a crafted file to well under a second.
    """
    file = io.BytesIO(file) if isinstance(file, bytes) else file
    file.seek(0)
    if file.read(len(HEADER)) != HEADER:
        raise NotAPdf("it does not start with %PDF-")
    size = file.seek(0, io.SEEK_END)
    file.seek(max(0, size - TAIL_BYTES))
    if not file.read().rstrip(b"\r\n\t \x00\x0c").endswith(END_MARKER):
        raise IncompletePdf("it does not end with %%EOF")
    file.seek(0)
    try:
        pages = len(PdfReader(file, strict=False).pages)
    except Exception as exc:  # pypdf raises many kinds, and any of them means "not readable"
        raise NotAPdf(f"a PDF reader cannot open it ({type(exc).__name__})") from exc
    finally:
        file.seek(0)
    if pages == 0:
        raise NotAPdf("it has no pages")
    return pages


# pypdf logs every repair it makes to a damaged file; a refused upload is not the site's problem.
logging.getLogger("pypdf").setLevel(logging.ERROR)
