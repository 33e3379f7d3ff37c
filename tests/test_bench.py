"""
`make bench`'s own parts, without load on the site: what it reads from wrk, what it sends, and
how it judges the figures. The figures themselves belong to the benchmark's output, not here.
"""

import gzip
import io
import json
import shutil
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.management import call_command
from django.urls import reverse

from bench.pages import (
    AFTER_PUBLISH,
    CACHED,
    FORM_TEXT,
    NUMBER,
    BenchFailed,
    Load,
    Measurement,
    PythonLoad,
    Wrk,
    check_targets,
    floor_rps,
    format_table,
    format_targets,
    lua_string,
    multipart,
    parse_wrk,
    percentile,
    seeded_sizes,
    sizes_of,
    wrk_script,
)
from debates.models import Contribution

WRK_OUTPUT = """\
Running 8s test @ http://127.0.0.1:41234/health/
  2 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     4.21ms    3.02ms  61.20ms   91.47%
    Req/Sec     0.98k   120.51     1.29k    71.25%
  15620 requests in 8.00s, 4.11MB read
Requests/sec:   1952.13
Transfer/sec:    525.71KB
BENCH-RESULT {"requests": 15620, "duration_us": 8001432, "p50_us": 3506, "p99_us": 17311, \
"connect": 0, "read": 0, "write": 0, "status": 2, "timeout": 1}
"""


def row(key, variant, rps, *, raw=10_000, packed=3_000, replies=None):
    return Measurement(
        key=key,
        label=key,
        variant=variant,
        path="/",
        rps=rps,
        p50_ms=1.0,
        p99_ms=2.0,
        raw_bytes=raw,
        gzip_bytes=packed,
        server_gzip=False,
        replies=replies,
    )


def question(replies, variant, rps, raw, packed):
    return row(f"question-{replies}", variant, rps, raw=raw, packed=packed, replies=replies)


def test_the_figures_are_read_from_what_the_done_hook_printed():
    load = parse_wrk(WRK_OUTPUT)

    assert load.requests == 15620
    assert load.rps == pytest.approx(15620 / 8.001432)
    assert (load.p50_ms, load.p99_ms) == (3.506, 17.311)
    assert load.errors == 3


def test_wrk_output_without_the_figures_fails_the_bench():
    with pytest.raises(BenchFailed, match="no figures"):
        parse_wrk(WRK_OUTPUT.rsplit("BENCH-RESULT", 1)[0])


def test_percentiles_are_nearest_rank_as_wrk_gives_them():
    values = list(range(1, 201))

    assert percentile(values, 50) == 100
    assert percentile(values, 99) == 198
    assert percentile([7], 99) == 7
    assert percentile([], 50) == 0.0


def test_the_floor_is_the_mean_of_its_first_and_last_measurement():
    mean, drift = floor_rps(row("floor", "first", 1100), row("floor", "last", 900))

    assert mean == 1000
    assert drift == pytest.approx(0.2)


def test_pages_that_hold_their_targets_pass():
    rows = [
        row("home", CACHED, 800),
        row("paper", CACHED, 700),
        row("workshop", CACHED, 600),
        question(10, CACHED, 900, 30_000, 6_000),
        question(100, CACHED, 800, 180_000, 18_000),
        question(1000, CACHED, 700, 360_000, 30_000),
        question(10, AFTER_PUBLISH, 200, 30_000, 6_000),
        question(100, AFTER_PUBLISH, 50, 180_000, 18_000),
        question(1000, AFTER_PUBLISH, 40, 360_000, 30_000),
        row("feed", CACHED, 10),  # no target of its own
    ]

    targets = check_targets(rows, floor=1000)

    assert all(target.passed for target in targets), format_targets(targets)
    assert len(targets) == 5


def test_a_page_under_its_target_fails_and_is_named():
    rows = [
        row("home", CACHED, 800),
        row("workshop", CACHED, 300),
        question(10, CACHED, 900, 30_000, 6_000),
        question(1000, CACHED, 20, 360_000, 30_000),
        question(10, AFTER_PUBLISH, 200, 30_000, 6_000),
        question(100, AFTER_PUBLISH, 39, 180_000, 18_000),
        question(1000, AFTER_PUBLISH, 41, 360_000, 30_000),
    ]

    targets = check_targets(rows, floor=1000)

    # Every cached page, the 100 and the 1,000 replies after a publish, and the growth of the
    # time after a publish and cached.
    assert [t.passed for t in targets] == [False, False, True, True, False]
    cached = targets[0]
    assert "workshop" in cached.detail
    assert "question-1000" in cached.detail
    assert "home" not in cached.detail.split("below:")[1]
    # Cached, the time grew ×45 while the page grew ×12 (raw) and ×5 (gzip).
    assert targets[-1].passed is False
    assert "time ×45.0" in targets[-1].detail


def test_a_thread_size_left_out_of_the_run_is_not_judged():
    targets = check_targets([row("home", CACHED, 800)], floor=1000)

    assert [t.passed for t in targets] == [True, None, None, None, None]
    assert "—" in format_targets(targets)


def test_the_table_gives_each_page_its_ratio_to_the_floor():
    table = format_table([row("home", CACHED, 250), question(10, AFTER_PUBLISH, 40, 1, 1)], 1000)

    lines = table.splitlines()
    assert lines[1].split()[-1] == "0.250"
    assert lines[2].split()[-1] == "0.040"


def test_sizes_are_read_from_what_the_server_sent():
    page = b"<html>" + b"svar " * 2000 + b"</html>"

    assert sizes_of({"content-encoding": "gzip"}, gzip.compress(page)) == (
        len(page),
        len(gzip.compress(page)),
        True,
    )
    raw, packed, by_server = sizes_of({}, page)
    assert (raw, by_server) == (len(page), False)
    assert packed < raw / 10


def test_lua_strings_carry_any_text_as_its_bytes():
    literal = lua_string('Søren "siger"\r\n\\ slut')

    assert literal == '"S\\195\\184ren \\034siger\\034\\013\\010\\092 slut"'
    assert literal.isascii()


def test_the_bench_knows_each_thread_size_from_seed_demo(seeded, settings):
    settings.DEBUG = True
    out = io.StringIO()
    call_command("seed_demo", "--sizes", "0,4,9", stdout=out, stderr=io.StringIO())

    sizes = seeded_sizes(out.getvalue())

    assert sizes.keys() == {0, 4, 9}
    for count, slug in sizes.items():
        assert Contribution.objects.published().filter(question__slug=slug).count() == count


def test_the_form_post_the_bench_sends_is_a_contribution_a_reader_could_send(client, question):
    boundary = "----BenchFormBoundarytest"
    path = reverse("moderation:contribution-new", args=[question.slug])
    # The bench's own fields, with a token the test client does not check.
    fields = {
        "csrfmiddlewaretoken": "x",
        "author_name": "Mette Benchmark",
        "author_email": f"bench-{NUMBER}@example.org",
        "title": "Tid til at prøve noget nyt",
        "body": FORM_TEXT,
        "attachment": None,
        "consent": "on",
        "website": "",
        "send": "1",
    }
    body = multipart(boundary, fields).replace(NUMBER, "1-1").encode()

    response = client.post(
        path, data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("moderation:contribution-sent")
    sent = Contribution.objects.get()
    assert sent.author_email == "bench-1-1@example.org"
    assert sent.body.endswith("(Indlæg 1-1)")
    assert not sent.attachment


class Recorder(BaseHTTPRequestHandler):
    """A tiny server that keeps what each request carried."""

    protocol_version = "HTTP/1.1"
    received: list

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append((self.headers["Host"], self.headers["Cookie"], body))
        self.send_response(302)
        self.send_header("Location", "/indlaeg/sendt/")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def recorder():
    received = []
    handler = type("Handler", (Recorder,), {"received": received})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], received
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize(
    "generator",
    [
        pytest.param(
            "wrk",
            marks=pytest.mark.skipif(not shutil.which("wrk"), reason="wrk is not installed"),
        ),
        "python",
    ],
)
def test_each_form_post_under_load_is_a_new_contribution(recorder, tmp_path, generator):
    port, received = recorder
    load = Wrk(tmp_path) if generator == "wrk" else PythonLoad()
    headers = {"Host": f"127.0.0.1:{port}", "Cookie": "csrftoken=abc", "Content-Type": "x"}

    result = load.run(
        port, 1, path="/skriv/", method="POST", headers=headers, body=f"tekst {NUMBER} slut"
    )

    assert isinstance(result, Load)
    assert result.requests > 0
    assert result.errors == 0
    assert len(received) >= result.requests
    bodies = [body for _host, _cookie, body in received]
    assert len(set(bodies)) == len(bodies)
    assert all(body.startswith(b"tekst ") and body.endswith(b" slut") for body in bodies)
    assert NUMBER.encode() not in b"".join(bodies)
    assert {(host, cookie) for host, cookie, _ in received} == {
        (f"127.0.0.1:{port}", "csrftoken=abc")
    }


def test_the_lua_script_reports_when_done_and_gets_need_no_request_hook():
    script = wrk_script()

    assert "done = function" in script
    assert "request = function" not in script
    assert "request = function" in wrk_script(method="POST", path="/", body=f"a{NUMBER}b")


def test_the_chart_is_drawn_again_from_a_runs_figures(tmp_path):
    pytest.importorskip("matplotlib")
    from dataclasses import asdict

    from bench.pages import Published, parse_args, replot

    rows = [
        question(size, variant, rps, 1000 * size + 15_000, 100 * size + 4_000)
        for size, variant, rps in [
            (10, CACHED, 500),
            (1000, CACHED, 450),
            (10, AFTER_PUBLISH, 90),
            (1000, AFTER_PUBLISH, 40),
        ]
    ]
    output = tmp_path / "bench-pages"
    output.with_suffix(".json").write_text(
        json.dumps(
            {
                "settings": {"seconds": 8},
                "floor": {"mean": 800},
                "pages": [{**asdict(row), "ratio": row.rps / 800} for row in rows],
                "real_publish": [{**asdict(Published(1000, "/", [70.0, 80.0])), "extra": 1}],
            }
        )
    )

    replot(parse_args(["--replot", "--output", str(output)]))

    assert output.with_suffix(".png").read_bytes().startswith(b"\x89PNG\r\n")
