from functools import partial
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from debates.exports import published_rows, write_csv, write_json
from debates.models import Contribution, Question

PROGRESS_EVERY = 500


class Command(BaseCommand):
    help = (
        "Export the published debate for research, one row per published contribution: its "
        "question, its place in the thread, when it was sent and published (ISO 8601, UTC), the "
        "author's name and affiliation as shown on the site, and its Markdown text. Nothing "
        "unpublished and no e-mail or network address is ever included. The data goes to "
        "standard output unless --output is given; progress and a summary go to standard error. "
        "Example: manage.py export_debate --format csv --bom --output debat.csv"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--format",
            required=True,
            choices=["csv", "json"],
            help="csv for spreadsheets and R/pandas; json keeps numbers, booleans and nulls typed.",
        )
        parser.add_argument(
            "--output",
            type=Path,
            metavar="PATH",
            help="The file to write (replaced if it exists). Default: standard output.",
        )
        parser.add_argument(
            "--question",
            metavar="SLUG",
            help="Only this question, by the last part of its address, e.g. lederens-roller.",
        )
        parser.add_argument(
            "--bom",
            action="store_true",
            help="Start the CSV with a UTF-8 byte order mark, so Excel shows æ, ø and å right.",
        )

    def handle(self, *args, **options):
        """The webmaster, or anyone with shell access to the site, exports the published debate."""
        file_format, output, verbose = options["format"], options["output"], options["verbosity"]
        if options["bom"] and file_format != "csv":
            raise CommandError("--bom is for CSV only: a JSON file must not start with a BOM.")
        contributions = None
        if options["question"]:
            question = self._question(options["question"])
            contributions = Contribution.objects.filter(question=question)
        write = partial(write_csv, bom=options["bom"]) if file_format == "csv" else write_json
        questions = set()
        rows = self._tracked(published_rows(contributions), questions, verbose)

        if output is None:
            # The wrapper would end every write with a newline and break the CSV and JSON.
            self.stdout.ending = ""
            count = write(rows, self.stdout)
            destination = "standard output"
        else:
            try:
                stream = output.open("w", encoding="utf-8", newline="")
            except OSError as error:
                raise CommandError(f"Cannot write {output}: {error.strerror}.") from None
            with stream:
                count = write(rows, stream)
            destination = output

        if verbose:
            self._note(
                f"Exported {count} published contribution{'' if count == 1 else 's'} from "
                f"{len(questions)} question{'' if len(questions) == 1 else 's'} "
                f"to {destination} ({file_format}).",
                style_func=self.style.SUCCESS,
            )

    def _question(self, slug):
        try:
            return Question.objects.get(slug=slug)
        except Question.DoesNotExist:
            known = ", ".join(Question.objects.values_list("slug", flat=True))
            raise CommandError(
                f"There is no question with the address “{slug}”. The questions are: {known}."
            ) from None

    def _tracked(self, rows, questions, verbose):
        """The rows unchanged, noting their questions and reporting progress as they pass."""
        for number, row in enumerate(rows, start=1):
            questions.add(row["question"])
            if verbose and number % PROGRESS_EVERY == 0:
                self._note(f"exported {number}…")
            yield row

    def _note(self, message, style_func=None):
        # Standard error is styled as an error by default; progress and the summary are not errors.
        self.stderr.write(message, style_func=style_func or (lambda text: text))
        self.stderr.flush()
