"""The benchmark command reports its figures and leaves nothing behind; no timing is tested."""

import io

from django.core.management import call_command

from debates.models import Contribution


def test_the_thread_benchmark_reports_a_constant_query_count_and_cleans_up(seeded):
    out = io.StringIO()
    call_command("benchmark_thread", sizes="1,3,12", repeat=1, stdout=out, stderr=io.StringIO())

    report = out.getvalue()
    assert "    12 replies" in report
    assert "Queries per page: [3] (constant if one value)." in report
    assert not Contribution.objects.exists()
