"""
The public pages under load, as in production: requests a second, p50 and p99 latency and the
gzip size of each page, beside the cheapest view the site serves (/health/, which touches neither
database nor cache), measured in the same run, and each page's ratio to that floor.

    make bench                              # or: .venv/bin/python bench/pages.py [--help]
    BENCH_SECONDS=3 make bench              # shorter runs while trying something out

It serves the site as `make serve` does (bin/serve: gunicorn, DJANGO_DEBUG=0, 2 workers here)
against a PostgreSQL database of its own (`mia_bench`, created afresh, seeded with the MIA
content and `seed_demo --sizes`, dropped at the end), and the local Redis for the cache (a
database number of its own, flushed first). Two servers share that data: one as in production
("cached": from the second request on, a page comes from the whole-page cache), and one with
MIA_PAGE_CACHE_SECONDS=0 ("after publish": every request builds the page again, as the first one
after a publish does, from the contributions' cached HTML). Mail goes nowhere (dummymail://), and
the flood limits are raised, since all the load comes from one address.

Load comes from wrk (8 connections, 2 threads, `Accept-Encoding: gzip`), or, without wrk, from a
Python load generator that slows the server down more. The floor is measured first and last.
Besides the steady load, a real publish is timed: a pending reply is published through the
moderation services, and the first view of its question after it is timed, ten times.

Prints a table and the targets, PASS or FAIL; writes var/bench-pages.json and draws
var/bench-pages.png. Exits non-zero only when the benchmark itself could not run.
"""

import argparse
import gzip
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import ExitStack
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import psycopg2
import redis

BASE_DIR = Path(__file__).resolve().parent.parent
CONNECTIONS = 8
WRK_THREADS = 2
WORKERS = 2
DEFAULT_SIZES = "0,10,30,100,300,1000"
# Thread sizes the targets speak of; the run needs them among its sizes.
TARGET_SIZES = (10, 100, 1000)
CACHED_FLOOR_RATIO = 0.5
AFTER_PUBLISH_FLOOR_RATIO = 0.04
# Apart by more than this, the two measurements of the floor say the machine was busy.
FLOOR_DRIFT = 0.15
RESULT_MARK = "BENCH-RESULT "
# Before each measurement the servers are idle: together under a tenth of a core for a while.
SETTLE_WINDOW = 0.5
IDLE_SHARE = 0.1
CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
# Stands for the request's own number in a form POST's body, so that no two are the same.
NUMBER = "@@N@@"

CACHED = "cached"
AFTER_PUBLISH = "after publish"
# The pages besides the questions that must stay within CACHED_FLOOR_RATIO when cached.
CACHED_TARGET_KEYS = ("home", "paper", "workshop")


# Results -----------------------------------------------------------------------------------------


@dataclass
class Load:
    """What one run of load gave: requests in seconds, latency percentiles, failed requests."""

    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int = 0

    @property
    def rps(self):
        return self.requests / self.seconds if self.seconds else 0.0


@dataclass
class Measurement:
    key: str
    label: str
    variant: str
    path: str
    rps: float
    p50_ms: float
    p99_ms: float
    raw_bytes: int
    gzip_bytes: int
    server_gzip: bool
    errors: int = 0
    requests: int = 0
    replies: int | None = None

    @property
    def ms_per_request(self):
        return 1000 / self.rps if self.rps else float("inf")


@dataclass
class Target:
    name: str
    passed: bool | None  # None: not measured in this run
    detail: str


@dataclass
class Published:
    """The first view of a question after a real publish, timed `len(first_ms)` times."""

    replies: int
    path: str
    first_ms: list[float] = field(default_factory=list)
    again_ms: list[float] = field(default_factory=list)

    @property
    def first_median(self):
        return statistics.median(self.first_ms) if self.first_ms else None

    @property
    def again_median(self):
        return statistics.median(self.again_ms) if self.again_ms else None


def parse_wrk(output: str) -> Load:
    """The figures the Lua `done()` hook printed on wrk's output."""
    for line in output.splitlines():
        if line.startswith(RESULT_MARK):
            figures = json.loads(line[len(RESULT_MARK) :])
            break
    else:
        raise BenchFailed(f"wrk printed no figures:\n{output}")
    return Load(
        requests=int(figures["requests"]),
        seconds=figures["duration_us"] / 1e6,
        p50_ms=figures["p50_us"] / 1000,
        p99_ms=figures["p99_us"] / 1000,
        errors=sum(int(figures[k]) for k in ("connect", "read", "write", "status", "timeout")),
    )


def percentile(values, percent):
    """The nearest-rank percentile, as wrk gives it."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * percent // 100))
    return ordered[int(rank) - 1]


def floor_rps(first: Measurement, last: Measurement) -> tuple[float, float]:
    """The floor's mean requests a second, and how far apart its two measurements were."""
    mean = (first.rps + last.rps) / 2
    return mean, abs(first.rps - last.rps) / mean if mean else 0.0


def check_targets(rows: list[Measurement], floor: float) -> list[Target]:
    """The page's targets, each PASS or FAIL, or not measured when the run left its page out."""
    by_key = {(row.key, row.variant): row for row in rows}
    targets = []

    cached = [row for row in rows if row.variant == CACHED and row.key in CACHED_TARGET_KEYS]
    cached += [row for row in rows if row.variant == CACHED and row.key.startswith("question-")]
    if cached and floor:
        low = [row for row in cached if row.rps / floor < CACHED_FLOOR_RATIO]
        worst = min(cached, key=lambda row: row.rps)
        targets.append(
            Target(
                f"every cached page ≥ {CACHED_FLOOR_RATIO} of the floor",
                not low,
                f"lowest {worst.label}: {worst.rps / floor:.2f}"
                + (f"; below: {', '.join(row.label for row in low)}" if low else ""),
            )
        )
    else:
        targets.append(Target(f"every cached page ≥ {CACHED_FLOOR_RATIO} of the floor", None, ""))

    for replies, what in (
        (100, "the 100-reply question"),
        (1000, "the first page of the 1,000-reply question"),
    ):
        name = f"{what} right after a publish ≥ {AFTER_PUBLISH_FLOOR_RATIO} of the floor"
        row = by_key.get((f"question-{replies}", AFTER_PUBLISH))
        if row is None or not floor:
            targets.append(Target(name, None, "not measured"))
        else:
            ratio = row.rps / floor
            targets.append(Target(name, ratio >= AFTER_PUBLISH_FLOOR_RATIO, f"{ratio:.3f}"))

    for variant in (AFTER_PUBLISH, CACHED):
        name = f"time from 10 to 1,000 replies grows no faster than the page ({variant})"
        small = by_key.get(("question-10", variant))
        large = by_key.get(("question-1000", variant))
        if small is None or large is None or not small.rps or not large.rps:
            targets.append(Target(name, None, "not measured"))
            continue
        time_growth = small.rps / large.rps
        raw_growth = large.raw_bytes / small.raw_bytes
        gzip_growth = large.gzip_bytes / small.gzip_bytes
        targets.append(
            Target(
                name,
                time_growth <= max(raw_growth, gzip_growth),
                f"time ×{time_growth:.1f}, size ×{raw_growth:.1f} raw, ×{gzip_growth:.1f} gzip",
            )
        )
    return targets


def format_table(rows: list[Measurement], floor: float) -> str:
    lines = [
        f"{'page':<34} {'':<14} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} "
        f"{'raw KB':>8} {'gzip KB':>8} {'× floor':>8}",
    ]
    for row in rows:
        ratio = f"{row.rps / floor:8.3f}" if floor else f"{'':>8}"
        note = f"  ({row.errors} failed of {row.requests})" if row.errors else ""
        lines.append(
            f"{row.label:<34} {row.variant:<14} {row.rps:8.1f} {row.p50_ms:8.1f} "
            f"{row.p99_ms:8.1f} {row.raw_bytes / 1024:8.1f} {row.gzip_bytes / 1024:8.1f} "
            f"{ratio}{note}"
        )
    return "\n".join(lines)


def format_targets(targets: list[Target]) -> str:
    words = {True: "PASS", False: "FAIL", None: "—   "}
    return "\n".join(
        f"  {words[t.passed]}  {t.name}" + (f": {t.detail}" if t.detail else "") for t in targets
    )


def seeded_sizes(output: str) -> dict[int, str]:
    """The question slug for each thread size, from what `seed_demo --sizes` printed."""
    sizes = {}
    for slug, count in re.findall(r"^\s+([\w-]+): (\d+) published$", output, re.MULTILINE):
        sizes.setdefault(int(count), slug)
    return sizes


def lua_string(text: str) -> str:
    """A Lua string literal of `text` (as UTF-8 bytes), whatever characters it holds."""
    out = []
    for byte in text.encode():
        out.append(chr(byte) if 32 <= byte < 127 and byte not in (34, 92) else f"\\{byte:03d}")
    return '"' + "".join(out) + '"'


def wrk_script(*, method="GET", path="/", headers=None, body=None) -> str:
    """
    wrk's Lua: the figures as one JSON line when done, and for a POST a body of its own for
    each request (NUMBER in `body` becomes the thread's number and the request's count).
    """
    script = [
        "done = function(summary, latency, requests)",
        "  local e = summary.errors",
        f"  io.write(string.format('{RESULT_MARK}"
        '{"requests": %.0f, "duration_us": %.0f, "p50_us": %.0f, "p99_us": %.0f, '
        '"connect": %.0f, "read": %.0f, "write": %.0f, "status": %.0f, "timeout": %.0f}\\n\', '
        "summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), "
        "e.connect, e.read, e.write, e.status, e.timeout))",
        "end",
    ]
    if method == "GET":
        return "\n".join(script) + "\n"
    pieces = ", ".join(lua_string(piece) for piece in (body or "").split(NUMBER))
    header_table = ", ".join(
        f"[{lua_string(name)}] = {lua_string(value)}" for name, value in (headers or {}).items()
    )
    script += [
        "local threads = 0",
        "setup = function(thread)",
        "  threads = threads + 1",
        "  thread:set('thread_number', threads)",
        "end",
        f"local pieces = {{{pieces}}}",
        "local sent = 0",
        "request = function()",
        "  sent = sent + 1",
        "  local number = thread_number .. '-' .. sent",
        "  local body = pieces[1]",
        "  for i = 2, #pieces do body = body .. number .. pieces[i] end",
        f"  local headers = {{{header_table}}}",
        f"  return wrk.format({lua_string(method)}, {lua_string(path)}, headers, body)",
        "end",
    ]
    return "\n".join(script) + "\n"


class BenchFailed(Exception):
    """The benchmark could not measure what it set out to."""


# HTTP --------------------------------------------------------------------------------------------


def fetch(port, path, *, method="GET", headers=None, body=None, timeout=120):
    """One request on a new connection: status, headers (lower-case names), body as sent."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request(
            method,
            path,
            body=body,
            headers={"Host": f"127.0.0.1:{port}", "Accept-Encoding": "gzip", **(headers or {})},
        )
        response = connection.getresponse()
        content = response.read()
        received = {}
        for name, value in response.getheaders():
            name = name.lower()
            received[name] = f"{received[name]}\n{value}" if name in received else value
        return response.status, received, content
    finally:
        connection.close()


def sizes_of(headers, content):
    """The page's size uncompressed and gzipped, and whether the server itself compressed it."""
    if headers.get("content-encoding") == "gzip":
        return len(gzip.decompress(content)), len(content), True
    return len(content), len(gzip.compress(content, compresslevel=6)), False


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# Load --------------------------------------------------------------------------------------------


class Wrk:
    name = "wrk"

    def __init__(self, workdir):
        self.workdir = workdir

    def run(self, port, seconds, *, path, method="GET", headers=None, body=None):
        script = Path(self.workdir) / "bench.lua"
        script.write_text(wrk_script(method=method, path=path, headers=headers, body=body))
        command = [
            "wrk",
            f"--threads={WRK_THREADS}",
            f"--connections={CONNECTIONS}",
            f"--duration={max(1, round(seconds))}s",
            "--timeout=30s",
            f"--script={script}",
            "--header=Accept-Encoding: gzip",
            f"http://127.0.0.1:{port}{path}",
        ]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode:
            raise BenchFailed(f"wrk failed:\n{done.stdout}{done.stderr}")
        return parse_wrk(done.stdout)


class PythonLoad:
    """CONNECTIONS clients on kept-alive connections, each sending as soon as it is answered."""

    name = "Python load generator"

    def run(self, port, seconds, *, path, method="GET", headers=None, body=None):
        deadline = time.monotonic() + seconds
        latencies, errors = [], [0]
        lock = threading.Lock()
        base = {"Host": f"127.0.0.1:{port}", "Accept-Encoding": "gzip", **(headers or {})}

        def client(number):
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            sent, mine, failed = 0, [], 0
            while time.monotonic() < deadline:
                sent += 1
                data = body.replace(NUMBER, f"{number}-{sent}").encode() if body else None
                started = time.perf_counter()
                try:
                    connection.request(method, path, body=data, headers=base)
                    response = connection.getresponse()
                    response.read()
                except (OSError, http.client.HTTPException):
                    failed += 1
                    connection.close()
                    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                    continue
                mine.append(time.perf_counter() - started)
                failed += response.status >= 400
                if response.will_close:
                    connection.close()
                    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            connection.close()
            with lock:
                latencies.extend(mine)
                errors[0] += failed

        started = time.monotonic()
        clients = [threading.Thread(target=client, args=(n,)) for n in range(CONNECTIONS)]
        for thread in clients:
            thread.start()
        for thread in clients:
            thread.join()
        return Load(
            requests=len(latencies) + errors[0],
            seconds=time.monotonic() - started,
            p50_ms=percentile(latencies, 50) * 1000,
            p99_ms=percentile(latencies, 99) * 1000,
            errors=errors[0],
        )


def load_generator(workdir, choice="auto"):
    if choice == "wrk" or (choice == "auto" and shutil.which("wrk")):
        return Wrk(workdir)
    if choice == "python":
        return PythonLoad()
    print(
        "wrk is not installed (apt-get install wrk): measuring with a Python load generator, "
        "which takes more of the machine from the server, so the figures come out lower.",
        flush=True,
    )
    return PythonLoad()


# The database, the cache and the servers ---------------------------------------------------------


class Database:
    def __init__(self, url):
        self.url = url
        self.name = urlsplit(url).path.lstrip("/")
        self.server_url = url.rsplit("/", 1)[0] + "/postgres"

    def _admin(self, *statements):
        connection = psycopg2.connect(self.server_url, connect_timeout=5)
        connection.autocommit = True
        try:
            with connection.cursor() as cursor:
                for statement in statements:
                    cursor.execute(statement)
        finally:
            connection.close()

    def recreate(self):
        self._admin(
            f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)', f'CREATE DATABASE "{self.name}"'
        )

    def drop(self):
        self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')

    def exists(self):
        connection = psycopg2.connect(self.server_url, connect_timeout=5)
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [self.name])
                return cursor.fetchone() is not None
        finally:
            connection.close()

    def query(self, sql, *params):
        connection = psycopg2.connect(self.url, connect_timeout=5)
        try:
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                return cursor.fetchall()
        finally:
            connection.close()


def database_url():
    if os.environ.get("BENCH_DATABASE_URL"):
        return os.environ["BENCH_DATABASE_URL"]
    server = os.environ.get("POSTGRES_URL") or "postgres://postgres@127.0.0.1:5432/"
    parts = urlsplit(server)
    return parts._replace(path="/" + os.environ.get("BENCH_DATABASE", "mia_bench")).geturl()


def flushed_redis(url):
    """The cache URL if Redis answers there, with that database emptied; else None."""
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=1)
        client.flushdb()
        client.close()
    except redis.RedisError:
        return None
    return url


class Server:
    """bin/serve in a process group of its own, stopped with all its workers however we end."""

    def __init__(self, name, env, log):
        self.name, self.log = name, log
        self.port = free_port()
        self.env = {**env, "PORT": str(self.port)}
        self.process = None

    def start(self):
        with open(self.log, "w") as log:
            self.process = subprocess.Popen(
                [sys.executable, str(BASE_DIR / "bin" / "serve")],
                env=self.env,
                cwd=BASE_DIR,
                stdout=subprocess.DEVNULL,  # gunicorn's access log, a line a request
                stderr=log,
                start_new_session=True,
            )
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BenchFailed(f"the {self.name} server stopped; see {self.log}")
            try:
                if fetch(self.port, "/health/", timeout=5)[0] == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.3)
        raise BenchFailed(f"the {self.name} server did not answer in time; see {self.log}")

    def cpu_seconds(self):
        """CPU time used so far by the server's processes (gunicorn and its workers)."""
        ticks = 0
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue  # the process ended meanwhile
            # After the command: state, ppid, pgrp, …, utime and stime at 12 and 13.
            if int(fields[2]) == self.process.pid:
                ticks += int(fields[11]) + int(fields[12])
        return ticks / CLOCK_TICKS

    def stop(self):
        if self.process is None or self.process.poll() is not None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        except ProcessLookupError:
            pass


class Publisher:
    """bench/publisher.py, running with the servers' environment, driven line by line."""

    def __init__(self, env):
        self.process = subprocess.Popen(
            [sys.executable, str(BASE_DIR / "bench" / "publisher.py")],
            env=env,
            cwd=BASE_DIR,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )

    def _ask(self, line):
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()
        answer = self.process.stdout.readline().strip()
        if not answer or answer.startswith("error"):
            raise BenchFailed(f"publishing failed: {answer or 'the publisher stopped'}")
        return answer

    def publish(self, slug):
        return int(self._ask(f"publish {slug}").split()[1])

    def undo(self, pk):
        self._ask(f"undo {pk}")

    def stop(self):
        if self.process.poll() is None:
            self.process.stdin.close()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def manage(env, *command, capture=False):
    done = subprocess.run(
        [sys.executable, str(BASE_DIR / "manage.py"), *command],
        env=env,
        cwd=BASE_DIR,
        stdout=subprocess.PIPE if capture else None,
        text=True,
        check=False,
    )
    if done.returncode:
        raise BenchFailed(f"manage.py {' '.join(command)} failed")
    return done.stdout


# The run -----------------------------------------------------------------------------------------


@dataclass
class Page:
    key: str
    label: str
    path: str
    replies: int | None = None


class Bench:
    def __init__(self, args, load, servers):
        self.args, self.load, self.servers = args, load, servers
        self.rows: list[Measurement] = []

    def settle(self):
        """
        Wait until the servers are idle. wrk stops waiting when its time is up, but the server
        still builds the pages it was asked for; on slow pages that is seconds of work, which
        would otherwise be counted against the next page measured.
        """
        deadline = time.monotonic() + 60
        used = sum(server.cpu_seconds() for server in self.servers)
        while time.monotonic() < deadline:
            time.sleep(SETTLE_WINDOW)
            now = sum(server.cpu_seconds() for server in self.servers)
            if now - used < SETTLE_WINDOW * IDLE_SHARE:
                return
            used = now
        print("  note: the servers were still busy after a minute; measuring anyway", flush=True)

    def measure(self, server, page, variant):
        self.settle()
        status, headers, content = fetch(server.port, page.path)
        if status != 200:
            raise BenchFailed(f"GET {page.path} answered {status} on the {server.name} server")
        raw, packed, server_gzip = sizes_of(headers, content)
        if self.args.warmup:
            self.load.run(server.port, self.args.warmup, path=page.path)
        result = self.load.run(server.port, self.args.seconds, path=page.path)
        return self._record(page, variant, result, raw, packed, server_gzip)

    def _record(self, page, variant, result, raw, packed, server_gzip):
        row = Measurement(
            key=page.key,
            label=page.label,
            variant=variant,
            path=page.path,
            rps=result.rps,
            p50_ms=result.p50_ms,
            p99_ms=result.p99_ms,
            raw_bytes=raw,
            gzip_bytes=packed,
            server_gzip=server_gzip,
            errors=result.errors,
            requests=result.requests,
            replies=page.replies,
        )
        self.rows.append(row)
        failed = f"  {row.errors} FAILED" if row.errors else ""
        print(
            f"  {row.label:<32} {row.variant:<14} {row.rps:8.1f} req/s   p50 {row.p50_ms:7.1f} ms"
            f"   p99 {row.p99_ms:7.1f} ms   {row.gzip_bytes / 1024:6.1f} KB gzip{failed}",
            flush=True,
        )
        return row

    def measure_post(self, server, page, question_path):
        """A contributor sends the form on a question's page: a valid contribution, each new."""
        self.settle()
        visitor_headers, fields = self._form_visit(server, question_path)
        boundary = "----BenchFormBoundary" + secrets.token_hex(8)
        body = multipart(boundary, fields)
        headers = {
            "Host": f"127.0.0.1:{server.port}",
            "Accept-Encoding": "gzip",
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "Origin": f"http://127.0.0.1:{server.port}",
            "Referer": f"http://127.0.0.1:{server.port}{question_path}",
            **visitor_headers,
        }
        status, answer, content = fetch(
            server.port,
            page.path,
            method="POST",
            headers=headers,
            body=body.replace(NUMBER, "probe").encode(),
        )
        if status != 302 or not answer.get("location", "").endswith("/indlaeg/sendt/"):
            raise BenchFailed(f"the form POST answered {status}: {content[:300]!r}")
        raw, packed, server_gzip = sizes_of(answer, content)
        if self.args.warmup:
            self.load.run(
                server.port,
                self.args.warmup,
                path=page.path,
                method="POST",
                headers=headers,
                body=body,
            )
        result = self.load.run(
            server.port,
            self.args.seconds,
            path=page.path,
            method="POST",
            headers=headers,
            body=body,
        )
        return self._record(page, "valid, sent", result, raw, packed, server_gzip)

    def _form_visit(self, server, question_path):
        """The cookie and token a reader gets with the question page, and the form's fields."""
        status, headers, content = fetch(server.port, question_path)
        if headers.get("content-encoding") == "gzip":
            content = gzip.decompress(content)
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', content)
        cookie = re.search(r"csrftoken=([^;]+)", headers.get("set-cookie", ""))
        if status != 200 or token is None:
            raise BenchFailed(f"no contribution form on {question_path}")
        cookies = f"csrftoken={cookie.group(1)}" if cookie else ""
        if not cookie:
            # A token without its cookie is refused (403): a reader who never had the cookie
            # could not send this page's form.
            print(
                f"  note: {question_path} came without a CSRF cookie, so a new reader's form "
                "would be refused; taking the token from the form's own page",
                flush=True,
            )
            return self._form_visit(server, question_path.rstrip("/") + "/skriv/")
        fields = {
            "csrfmiddlewaretoken": token.group(1).decode(),
            "author_name": "Mette Benchmark",
            "author_email": f"bench-{NUMBER}@example.org",
            "author_title": "Chefkonsulent",
            "author_organisation": "Roskilde Kommune",
            "title": "Tid til at prøve noget nyt",
            "body": FORM_TEXT,
            "attachment": None,
            "attachment_token": "",
            "consent": "on",
            "website": "",
            "send": "1",
        }
        return {"Cookie": cookies}, fields

    def time_real_publishes(self, server, publisher, pages):
        """Publish a pending reply, then time the question's first view; then take it back."""
        results = []
        for page, slug in pages:
            published = Published(page.replies, page.path)
            for _ in range(self.args.publishes):
                fetch(server.port, page.path)  # the page as readers had it, cached
                pk = publisher.publish(slug)
                started = time.perf_counter()
                status = fetch(server.port, page.path)[0]
                published.first_ms.append((time.perf_counter() - started) * 1000)
                started = time.perf_counter()
                fetch(server.port, page.path)
                published.again_ms.append((time.perf_counter() - started) * 1000)
                publisher.undo(pk)
                if status != 200:
                    raise BenchFailed(f"GET {page.path} after a publish answered {status}")
            print(
                f"  {page.label:<32} first view after a real publish: median "
                f"{published.first_median:7.1f} ms (the view after it {published.again_median:.1f}"
                f" ms), {len(published.first_ms)} publishes",
                flush=True,
            )
            results.append(published)
        return results


FORM_TEXT = (
    "Tak for et godt spørgsmål. I vores forvaltning har vi i to år givet medarbejderne fast tid "
    "hver måned til at afprøve nye arbejdsgange, og det har betydet, at flere idéer bliver prøvet "
    "i lille skala, før de rulles ud. Det kræver et klart mandat fra toppen, men også at lederne "
    "tør lade noget være ufærdigt.\n\n"
    "Tre ting, der **virker**:\n\n- tid til at prøve\n- plads til at fejle\n"
    f"- opbakning fra ledelsen\n\n(Indlæg {NUMBER})"
)


def multipart(boundary, fields):
    """The form as a browser sends it; a file input left empty is an empty file part."""
    parts = []
    for name, value in fields.items():
        if value is None:
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename=""\r\n'
                "Content-Type: application/octet-stream\r\n\r\n\r\n"
            )
        else:
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
            )
    parts.append(f"--{boundary}--\r\n")
    return "".join(parts)


def server_env(database, cache_url, media):
    inherited = ("DJANGO_", "MIA_")
    named = {"DATABASE_URL", "CACHE_URL", "EMAIL_URL", "WEB_CONCURRENCY", "PORT"}
    env = {k: v for k, v in os.environ.items() if not k.startswith(inherited) and k not in named}
    env.update(
        {
            "DATABASE_URL": database.url,
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_SECURE_SSL_REDIRECT": "0",
            "DJANGO_MEDIA_ROOT": media,
            "EMAIL_URL": "dummymail://",
            "WEB_CONCURRENCY": str(WORKERS),
            # All the load comes from one address on purpose; real visitors keep the limits.
            "MIA_SUBMISSIONS_PER_NETWORK_PER_HOUR": "100000000",
            "MIA_SUBMISSIONS_PER_EMAIL_PER_HOUR": "100000000",
            "MIA_PREVIEWS_PER_HOUR": "100000000",
            "MIA_CONFIRMATIONS_PER_ADDRESS_PER_DAY": "100000000",
        }
    )
    if cache_url:
        env["CACHE_URL"] = cache_url
    return env


def prepare_data(args, database, env):
    """A fresh database with the MIA content and threads of the sizes asked for."""
    if args.reuse_database and database.exists():
        print(f"Reusing the database {database.name} as it is.", flush=True)
        rows = database.query(
            "SELECT q.slug, count(c.id) FROM debates_question q LEFT JOIN debates_contribution c"
            " ON c.question_id = q.id AND c.status = 'published' GROUP BY q.slug"
        )
        return {count: slug for slug, count in rows}
    print(f"Creating the database {database.name} and seeding it…", flush=True)
    database.recreate()
    manage(env, "migrate", "--noinput", "-v", "0")
    manage(env, "seed_content")
    output = manage(
        env,
        "seed_demo",
        "--force",
        "--sizes",
        ",".join(str(size) for size in args.sizes),
        "--seed",
        str(args.seed),
        *(["--early"] if args.early else []),
        capture=True,
    )
    print(output, end="", flush=True)
    return seeded_sizes(output)


def check_sizes(database, sizes: dict[int, str], wanted):
    """Each wanted thread exists and holds exactly that many published replies."""
    missing = [size for size in wanted if size not in sizes]
    if missing:
        raise BenchFailed(f"no question with {missing} published replies; try without --reuse")
    for size in wanted:
        count = database.query(
            "SELECT count(*) FROM debates_contribution c JOIN debates_question q"
            " ON q.id = c.question_id WHERE q.slug = %s AND c.status = 'published'",
            sizes[size],
        )[0][0]
        if count != size:
            raise BenchFailed(f"{sizes[size]} has {count} published replies, not {size}")


def pages_to_measure(server, database, sizes, wanted):
    status, headers, _ = fetch(server.port, "/konklusioner/")
    if status not in (301, 302) or not headers.get("location"):
        raise BenchFailed(f"/konklusioner/ answered {status}, not a redirect to the paper")
    paper = urlsplit(headers["location"]).path
    workshop = database.query(
        "SELECT w.number FROM debates_paper p JOIN debates_workshop w ON w.id = p.workshop_id"
        " ORDER BY p.id DESC LIMIT 1"
    )[0][0]
    pages = [
        Page("home", "home /", "/"),
        Page("paper", f"paper {paper}", paper),
        Page("workshop", f"workshop /workshops/{workshop}/", f"/workshops/{workshop}/"),
    ]
    for size in wanted:
        pages.append(
            Page(f"question-{size}", f"question, {size:,} replies", f"/debat/{sizes[size]}/", size)
        )
    pages += [
        Page("feed", "Atom feed /feed/", "/feed/"),
        Page("search", "search /soeg/?q=innovation", "/soeg/?q=innovation"),
    ]
    return pages


def draw_chart(path, rows, published, floor, seconds):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    questions = sorted(
        (row for row in rows if row.replies is not None), key=lambda row: row.replies
    )
    figure, (cost, size) = plt.subplots(1, 2, figsize=(12, 5.6))
    for variant, marker, label in (
        (CACHED, "o-", "cached (whole-page cache)"),
        (AFTER_PUBLISH, "s-", "right after a publish (page cache off)"),
    ):
        points = [row for row in questions if row.variant == variant]
        cost.plot(
            [row.replies for row in points],
            [row.ms_per_request for row in points],
            marker,
            label=label,
        )
    real = [p for p in published if p.first_ms]
    if real:
        cost.plot(
            [p.replies for p in real],
            [p.first_median for p in real],
            "^",
            markersize=9,
            label="first view after a real publish (alone, median)",
        )
    if floor:
        cost.axhline(1000 / floor, linestyle="--", color="grey", label="/health/ (the floor)")
    cost.set_xscale("symlog", linthresh=10)
    cost.set_yscale("log")
    cost.set_ylabel(f"ms per request (1000 / req/s at {CONNECTIONS} connections)")
    cost.set_title("Cost of the question's first page")
    # Below the chart, where it hides no point.
    cost.legend(fontsize="small", loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=2)
    cost.grid(True, which="both", alpha=0.3)

    sized = [row for row in questions if row.variant == AFTER_PUBLISH] or questions
    size.plot([r.replies for r in sized], [r.raw_bytes / 1024 for r in sized], "o-", label="HTML")
    size.plot([r.replies for r in sized], [r.gzip_bytes / 1024 for r in sized], "s-", label="gzip")
    size.set_xscale("symlog", linthresh=10)
    size.set_yscale("log")
    size.set_ylabel("KB")
    size.set_title("Size of the question's first page")
    size.legend(fontsize="small", loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=2)
    size.grid(True, which="both", alpha=0.3)
    ticks = sorted({row.replies for row in questions})
    for axes in (cost, size):
        axes.set_xticks(ticks, [f"{t:,}" for t in ticks])
        axes.set_xlim(-0.5, max(ticks) * 1.5)
        axes.set_xlabel(
            "published replies in the thread\n(a long thread's first page shows part of it)",
            fontsize="small",
        )
    figure.suptitle(
        f"make bench: {WORKERS} gunicorn workers, {CONNECTIONS} connections, {seconds:g} s a point",
        fontsize="medium",
    )
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)
    plt.close(figure)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--seconds",
        type=float,
        default=float(os.environ.get("BENCH_SECONDS") or 8),
        help="load on each page, in seconds (BENCH_SECONDS; default 8)",
    )
    parser.add_argument(
        "--warmup",
        type=float,
        default=float(os.environ.get("BENCH_WARMUP") or 1),
        help="load before each measurement, not counted (BENCH_WARMUP; default 1; 0: none)",
    )
    parser.add_argument(
        "--sizes",
        type=lambda text: sorted({int(n) for n in text.split(",")}),
        default=os.environ.get("BENCH_SIZES") or DEFAULT_SIZES,
        help=f"thread sizes measured (BENCH_SIZES; default {DEFAULT_SIZES})",
    )
    parser.add_argument("--seed", type=int, default=1, help="seed_demo's --seed")
    parser.add_argument(
        "--early",
        action="store_true",
        help="seed_demo's --early: replies gather round each thread's first contributions",
    )
    parser.add_argument(
        "--publishes", type=int, default=10, help="real publishes timed on each question"
    )
    parser.add_argument(
        "--cache-url",
        default=os.environ.get("BENCH_CACHE_URL") or "redis://127.0.0.1:6379/2",
        help="the Redis database the servers cache in; it is flushed (BENCH_CACHE_URL)",
    )
    parser.add_argument(
        "--load",
        choices=["auto", "wrk", "python"],
        default="auto",
        help="the load generator: wrk when installed (auto), or the Python one",
    )
    parser.add_argument("--output", type=Path, default=BASE_DIR / "var" / "bench-pages")
    parser.add_argument(
        "--replot",
        action="store_true",
        help="only draw the chart again from the figures of the last run (var/bench-pages.json)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument(
        "--reuse-database",
        action="store_true",
        help="use the database as a kept run left it, without seeding it again",
    )
    args = parser.parse_args(argv)
    args.sizes = sorted(set(args.sizes) | set(TARGET_SIZES))
    return args


def stop_on_signals():
    """Ctrl-C or a TERM ends the run through the same clean-up, even where INT was ignored."""

    def handler(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)


def run(args):
    database = Database(database_url())
    load_average = os.getloadavg()
    with ExitStack() as stack:
        workdir = stack.enter_context(tempfile.TemporaryDirectory(prefix="mia-bench-"))
        load = load_generator(workdir, args.load)
        cache_url = flushed_redis(args.cache_url)
        if cache_url is None:
            print(
                f"No Redis at {args.cache_url}: without a shared cache bin/serve turns the page "
                "cache off, so the “cached” rows measure pages built on every request.",
                flush=True,
            )
        env = server_env(database, cache_url, str(Path(workdir) / "media"))
        if not args.keep and not args.reuse_database:
            stack.callback(database.drop)
        sizes = prepare_data(args, database, env)
        check_sizes(database, sizes, args.sizes)

        logs = args.output.parent
        logs.mkdir(parents=True, exist_ok=True)
        print("Starting the servers…", flush=True)
        cached = Server("cached", env, logs / "bench-server-cached.log")
        stack.callback(cached.stop)
        cached.start()
        fresh = Server(
            "page-cache-off",
            {**env, "MIA_PAGE_CACHE_SECONDS": "0"},
            logs / "bench-server-no-page-cache.log",
        )
        stack.callback(fresh.stop)
        fresh.start()

        pages = pages_to_measure(cached, database, sizes, args.sizes)
        count = 2 + 2 * len(pages) + 1
        minutes = count * (args.seconds + args.warmup) / 60
        print(
            f"Measuring {count} runs of {args.seconds:g} s with {load.name} "
            f"({CONNECTIONS} connections, {WORKERS} workers): about {minutes:.0f} min. "
            f"Load average {load_average[0]:.1f}.",
            flush=True,
        )
        bench = Bench(args, load, [cached, fresh])
        health = Page("floor", "floor /health/", "/health/")
        first = bench.measure(cached, health, "first")
        for page in pages:
            bench.measure(cached, page, CACHED)
        for page in pages:
            bench.measure(fresh, page, AFTER_PUBLISH)
        form_on = next(page for page in pages if page.key == "question-100")
        bench.measure_post(
            cached,
            Page("form", "form POST on a question", f"{form_on.path}skriv/"),
            form_on.path,
        )
        last = bench.measure(cached, health, "last")

        print("Timing the first view after a real publish…", flush=True)
        publisher = Publisher(cached.env)
        stack.callback(publisher.stop)
        by_size = {page.replies: page for page in pages if page.replies is not None}
        published = bench.time_real_publishes(
            cached, publisher, [(by_size[size], sizes[size]) for size in TARGET_SIZES]
        )
        print("Stopping the servers…", flush=True)
    return bench.rows, first, last, published, load, load_average, cache_url


def report(args, rows, first, last, published, load, load_average, cache_url):
    floor, drift = floor_rps(first, last)
    load_at_end = os.getloadavg()[0]
    measured = [row for row in rows if row.key != "floor"]
    print(f"\nThe public pages under load ({load.name}, {args.seconds:g} s each)\n")
    print(format_table(rows, floor))
    print(
        f"\nThe floor: {first.rps:.0f} req/s first, {last.rps:.0f} last; mean {floor:.0f}"
        + (
            f". They differ by {drift:.0%}: the machine was busy, so read the ratios with care."
            if drift > FLOOR_DRIFT
            else "."
        )
    )
    print(
        f"Load average {load_average[0]:.1f} at the start and {load_at_end:.1f} at the end, "
        f"on {os.cpu_count()} cores: above that, other work shared the machine with the bench."
    )
    if not all(row.server_gzip for row in measured if row.raw_bytes):
        print("The site sent its pages uncompressed; gzip KB is the page through gzip -6.")
    print("\nFirst view of a question after a real publish (the page cache on), median:")
    for p in published:
        print(
            f"  {p.replies:>5,} replies: {p.first_median:7.1f} ms"
            f"   (the view after it: {p.again_median:.1f} ms)"
        )
    targets = check_targets(rows, floor)
    print("\nTargets:")
    print(format_targets(targets))

    figures = {
        "settings": {
            "seconds": args.seconds,
            "warmup": args.warmup,
            "connections": CONNECTIONS,
            "workers": WORKERS,
            "load_generator": load.name,
            "cache": "redis" if cache_url else "none",
            "cores": os.cpu_count(),
            "load_average_at_start": load_average[0],
            "load_average_at_end": load_at_end,
        },
        "floor": {"first": first.rps, "last": last.rps, "mean": floor, "drift": drift},
        "pages": [{**asdict(row), "ratio": row.rps / floor if floor else None} for row in rows],
        "real_publish": [
            {**asdict(p), "first_median_ms": p.first_median, "again_median_ms": p.again_median}
            for p in published
        ],
        "targets": [asdict(t) for t in targets],
    }
    json_path = args.output.with_suffix(".json")
    json_path.write_text(json.dumps(figures, indent=2, ensure_ascii=False) + "\n")
    print(f"\nFigures: {json_path.relative_to(BASE_DIR)}")
    try:
        draw_chart(args.output.with_suffix(".png"), rows, published, floor, args.seconds)
    except ImportError:
        print("No chart: matplotlib is missing (pip install matplotlib, or make bench).")
    else:
        print(f"Chart: {args.output.with_suffix('.png').relative_to(BASE_DIR)}")
    failed = [row for row in rows if row.errors]
    if failed:
        raise BenchFailed(
            "some requests failed, so those figures mean little: "
            + ", ".join(f"{row.label} ({row.variant})" for row in failed)
            + "; see var/bench-server*.log"
        )


def replot(args):
    """The chart again from a run's JSON, without measuring anything."""
    figures = json.loads(args.output.with_suffix(".json").read_text())
    rows = [
        Measurement(**{k: v for k, v in page.items() if k in Measurement.__dataclass_fields__})
        for page in figures["pages"]
    ]
    published = [
        Published(**{k: v for k, v in p.items() if k in Published.__dataclass_fields__})
        for p in figures["real_publish"]
    ]
    draw_chart(
        args.output.with_suffix(".png"),
        rows,
        published,
        figures["floor"]["mean"],
        figures["settings"]["seconds"],
    )
    print(f"Chart: {args.output.with_suffix('.png')}")


def main():
    args = parse_args()
    if args.replot:
        replot(args)
        return
    stop_on_signals()
    try:
        report(args, *run(args))
    except BenchFailed as error:
        sys.exit(f"\nThe benchmark failed: {error}")
    except KeyboardInterrupt:
        sys.exit("\nStopped; the servers are down.")


if __name__ == "__main__":
    main()
