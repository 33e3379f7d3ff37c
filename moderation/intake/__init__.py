"""
Incoming e-mail, before it becomes a contribution.

Contributors can send a comment or a paper by e-mail. The mail import reads messages from a
source (a directory of .eml files, an mbox file, a Maildir, or an IMAP mailbox), hands each raw
message to `parse_message`, and asks `find_question_reference` which open question the message
answers. What it does with the result (deduplication, storing, the moderation queue) is not this
module's business: everything here is pure Python on bytes and files, with no Django models and no
database access, so it can be tested and reused on its own.

    for message in read_source(path):
        try:
            mail = parse_message(message.raw)
        except MalformedMessage as exc:
            log(message.key, exc)
            continue
        reference = find_question_reference(mail.subject, mail.text)
        ...
        mark_maildir_processed(path, message.key)  # only for a Maildir

    with ImapSource("imaps://user:password@imap.example.dk/INBOX") as source:
        for uid, raw in source.messages():
            ...
            source.mark_processed(uid)

Nothing here ever deletes mail: processed messages are only flagged as seen (and, for IMAP,
optionally copied to a folder).
"""

from moderation.intake.html_text import html_to_text
from moderation.intake.messages import (
    Attachment,
    AutomaticMessage,
    IncomingMail,
    MalformedMessage,
    parse_message,
)
from moderation.intake.references import QuestionReference, find_question_reference
from moderation.intake.sources import (
    ImapSettings,
    ImapSource,
    SourceMessage,
    mark_maildir_processed,
    parse_imap_url,
    read_source,
)

__all__ = [
    "Attachment",
    "AutomaticMessage",
    "ImapSettings",
    "ImapSource",
    "IncomingMail",
    "MalformedMessage",
    "QuestionReference",
    "SourceMessage",
    "find_question_reference",
    "html_to_text",
    "mark_maildir_processed",
    "parse_imap_url",
    "parse_message",
    "read_source",
]
