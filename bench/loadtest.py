"""
Nothing lost under load and faults: many people send contributions at once, and confirm them,
while the mail server is up, down or stalled, and while PostgreSQL restarts.

    make loadtest                       # or: .venv/bin/python bench/loadtest.py [--help]

It serves the site as `make serve` does (bin/serve) against a PostgreSQL database of its own on
loopback (created afresh; dropped at the end unless --keep), with a local SMTP server (aiosmtpd,
from the `bench` extra) it starts, stops or replaces by one that never answers. Each run sends
N contributions from C concurrent clients (each a real visitor: a GET for the CSRF cookie and
token, then a multipart POST, retried after a 503 or a dropped connection), confirms them all by
the links in the outbox, lets `send_queued_mail` deliver what waits, and prints: acknowledged,
stored, confirmed, mails queued and delivered, lost, duplicated, p50 and p99 latency.

Runs: plain; mail server down; PostgreSQL restarted in the middle; mail server stalled. Lost and
duplicated must be 0 in every run, and every mail delivered exactly once; the exit status says.
"""

import argparse
import http.client
import os
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from email import message_from_bytes
from pathlib import Path
from urllib.parse import urlsplit

import psycopg2
from aiosmtpd.controller import Controller

BASE_DIR = Path(__file__).resolve().parent.parent
QUESTION = "lederens-roller"
CONFIRM_LINK = re.compile(r"/indlaeg/bekraeft/([^/\s]+)/")


# The mail server ---------------------------------------------------------------------------------


class Inbox:
    """What the local mail server received: (recipient, Message-ID) per message and recipient."""

    def __init__(self):
        self.lock = threading.Lock()
        self.received: list[tuple[str, str]] = []

    async def handle_DATA(self, server, session, envelope):
        message_id = message_from_bytes(envelope.original_content or b"").get("Message-ID", "")
        with self.lock:
            self.received += [(to.lower(), message_id) for to in envelope.rcpt_tos]
        return "250 OK"

    def to(self, address):
        """How many deliveries to `address`, and how many distinct messages among them."""
        with self.lock:
            ids = [message_id for to, message_id in self.received if to == address]
        return len(ids), len(set(ids))


class MailServer:
    """On one port: a working SMTP server, nothing (down), or a socket that never answers."""

    def __init__(self, port, inbox):
        self.port, self.inbox = port, inbox
        self.controller = self.stall_socket = None
        self.held = []

    def up(self):
        self.off()
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stalled(self):
        self.off()
        self.stall_socket = socket.create_server(("127.0.0.1", self.port))

        def accept():
            while True:
                try:
                    self.held.append(self.stall_socket.accept()[0])
                except OSError:
                    return

        threading.Thread(target=accept, daemon=True).start()

    def off(self):
        if self.controller:
            self.controller.stop()
            self.controller = None
        if self.stall_socket:
            # A close alone leaves the accepting thread's socket listening on Linux.
            self.stall_socket.shutdown(socket.SHUT_RDWR)
            self.stall_socket.close()
            self.stall_socket = None
        for connection in self.held:
            connection.close()
        self.held = []


# A visitor ---------------------------------------------------------------------------------------


class Visitor:
    """One browser: keeps its cookies, reads the CSRF token, follows nothing automatically."""

    def __init__(self, port):
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method, path, body=None, headers=None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            headers = {**(headers or {}), "Host": f"127.0.0.1:{self.port}"}
            if self.cookies:
                headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            content = response.read()
            for header, value in response.getheaders():
                if header.lower() == "set-cookie":
                    name, _, rest = value.partition("=")
                    self.cookies[name.strip()] = rest.split(";", 1)[0]
            return response.status, response.getheader("Location") or "", content
        finally:
            connection.close()

    def csrf_token(self, path):
        status, _location, content = self.request("GET", path)
        if status != 200:
            raise RetryLater(f"GET {path}: {status}")
        match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', content)
        return match.group(1).decode()


class RetryLater(Exception):
    pass


def multipart(fields):
    boundary = "----mia" + secrets.token_hex(12)
    parts = []
    for name, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        )
    parts.append(f"--{boundary}--\r\n")
    return "".join(parts).encode(), f"multipart/form-data; boundary={boundary}"


def with_retries(action, deadline):
    """Run `action` until it succeeds, as a patient person would after a 503 or a dropped line."""
    while True:
        try:
            return action()
        except (RetryLater, OSError, http.client.HTTPException):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def send_contribution(port, run, n, latencies, deadline):
    """One contributor: the form, then the POST, until the site says it has the contribution."""
    visitor = Visitor(port)
    form = f"/debat/{QUESTION}/skriv/"
    fields = {
        "author_name": f"Belastning {n}",
        "author_email": address(run, n),
        "author_title": "Tester",
        "author_organisation": "Load test",
        "title": f"Indlæg {n}",
        "body": f"{marker(run, n)}: et indlæg sendt under belastning.",
        "consent": "on",
        "send": "1",
    }

    def attempt():
        token = visitor.csrf_token(form)
        body, content_type = multipart({"csrfmiddlewaretoken": token, **fields})
        start = time.monotonic()
        status, location, _content = visitor.request(
            "POST",
            form,
            body=body,
            headers={"Content-Type": content_type, "Referer": f"http://127.0.0.1:{port}{form}"},
        )
        latencies.append(time.monotonic() - start)
        if status == 302 and location.endswith("/indlaeg/sendt/"):
            return True
        raise RetryLater(f"POST {form}: {status}")

    try:
        return with_retries(attempt, deadline)
    except Exception:
        return False


def confirm(port, token, deadline):
    visitor = Visitor(port)
    path = f"/indlaeg/bekraeft/{token}/"

    def attempt():
        csrf = visitor.csrf_token(path)
        status, _location, _content = visitor.request(
            "POST",
            path,
            body=f"csrfmiddlewaretoken={csrf}".encode(),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Referer": f"http://127.0.0.1:{port}{path}",
            },
        )
        if status != 302:
            raise RetryLater(f"POST {path}: {status}")
        return True

    try:
        return with_retries(attempt, deadline)
    except Exception:
        return False


def marker(run, n):
    return f"loadtest-{run}-{n:05d}"


def address(run, n):
    return f"lt-{run}-{n}@example.test"


# The database ------------------------------------------------------------------------------------


class Database:
    def __init__(self, url):
        self.url = url
        parts = urlsplit(url)
        self.name = parts.path.lstrip("/")
        self.server_url = url.rsplit("/", 1)[0] + "/postgres"

    def recreate(self):
        connection = psycopg2.connect(self.server_url)
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
            cursor.execute(f'CREATE DATABASE "{self.name}"')
        connection.close()

    def drop(self):
        connection = psycopg2.connect(self.server_url)
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        connection.close()

    def query(self, sql, *params):
        for _attempt in range(30):
            try:
                connection = psycopg2.connect(self.url, connect_timeout=3)
            except psycopg2.OperationalError:
                time.sleep(1)
                continue
            try:
                with connection.cursor() as cursor:
                    cursor.execute(sql, params)
                    return cursor.fetchall()
            finally:
                connection.close()
        raise RuntimeError("PostgreSQL did not come back")

    def version(self):
        return int(self.query("SHOW server_version_num")[0][0]) // 10000


# One run -----------------------------------------------------------------------------------------


def run_once(name, slug, args, env, port, mail, database, *, during=None):
    run = f"{slug}-{secrets.token_hex(3)}"
    print(
        f"\n== {name}: {args.contributions} contributions from {args.clients} clients", flush=True
    )
    latencies: list[float] = []
    acknowledged: set[int] = set()
    deadline = time.monotonic() + args.timeout
    done = 0
    lock = threading.Lock()

    def one(n):
        nonlocal done
        ok = send_contribution(port, run, n, latencies, deadline)
        with lock:
            done += 1
            if ok:
                acknowledged.add(n)
            if done % max(args.contributions // 10, 1) == 0:
                print(f"   sent {done}/{args.contributions}", flush=True)
            if during and done == args.contributions // 3:
                threading.Thread(target=during, daemon=True).start()

    started = time.monotonic()
    with ThreadPoolExecutor(args.clients) as pool:
        list(pool.map(one, range(args.contributions)))
    elapsed = time.monotonic() - started

    rows = database.query(
        "SELECT substring(body from 'loadtest-[^:]+'), count(*) FROM debates_contribution"
        " WHERE body LIKE %s GROUP BY 1",
        f"loadtest-{run}-%",
    )
    stored = {int(m.rsplit("-", 1)[1]): count for m, count in rows}
    lost = len([n for n in acknowledged if n not in stored])
    duplicated = sum(count - 1 for count in stored.values() if count > 1)

    links = database.query(
        "SELECT m.body_text FROM moderation_outgoingmail m"
        " JOIN debates_contribution c ON c.id = m.contribution_id"
        " WHERE m.kind = 'confirmation' AND c.body LIKE %s",
        f"loadtest-{run}-%",
    )
    tokens = [CONFIRM_LINK.search(body).group(1) for (body,) in links]
    print(f"   confirming {len(tokens)} by the links in the outbox…", flush=True)
    with ThreadPoolExecutor(args.clients) as pool:
        confirmed_ok = sum(pool.map(lambda t: confirm(port, t, deadline), tokens))
    confirmed = database.query(
        "SELECT count(*) FROM debates_contribution WHERE body LIKE %s AND status = 'pending'",
        f"loadtest-{run}-%",
    )[0][0]

    mail.up()
    drain(env)
    queued, sent = database.query(
        "SELECT count(*), count(m.sent_at) FROM moderation_outgoingmail m"
        " JOIN debates_contribution c ON c.id = m.contribution_id WHERE c.body LIKE %s",
        f"loadtest-{run}-%",
    )[0]
    deliveries = [mail.inbox.to(address(run, n)) for n in stored]
    not_once = sum(1 for _total, distinct in deliveries if distinct != 1)
    resent = sum(total - distinct for total, distinct in deliveries)

    p50 = statistics.median(latencies) if latencies else float("nan")
    p99 = sorted(latencies)[int(len(latencies) * 0.99) - 1] if latencies else float("nan")
    result = {
        "run": name,
        "acknowledged": len(acknowledged),
        "stored": len(stored),
        "confirmed": confirmed,
        "confirm clicks ok": confirmed_ok,
        "mails queued": queued,
        "mails sent": sent,
        "contributors not mailed exactly once": not_once,
        "mails delivered again (same Message-ID)": resent,
        "lost": lost,
        "duplicated": duplicated,
        "POSTs": len(latencies),
        "p50 ms": round(p50 * 1000),
        "p99 ms": round(p99 * 1000),
        "seconds": round(elapsed, 1),
    }
    for key, value in result.items():
        print(f"   {key:38} {value}")
    return result


def drain(env):
    """send_queued_mail until the outbox is empty, as cron would over the next minutes."""
    for _attempt in range(20):
        output = subprocess.run(
            [sys.executable, str(BASE_DIR / "manage.py"), "send_queued_mail", "--limit", "1000"],
            env=env,
            cwd=BASE_DIR,
            capture_output=True,
            text=True,
        )
        if "No unsent mail" in output.stdout:
            return
        time.sleep(1)
    print("   the outbox did not empty:", output.stdout, output.stderr, flush=True)


# The whole test ----------------------------------------------------------------------------------


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(port, server, seconds=90):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit("bin/serve stopped; see its output above.")
        try:
            if Visitor(port).request("GET", "/")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    sys.exit("The site did not answer in time.")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[1])
    parser.add_argument("--contributions", type=int, default=500)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "LOADTEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/mia_loadtest"
        ),
        help="a database of the load test's own; it is dropped and created afresh",
    )
    parser.add_argument(
        "--pg-cluster",
        default=os.environ.get("LOADTEST_PG_CLUSTER", "main"),
        help="the Debian cluster name restarted in the third run (pg_ctlcluster)",
    )
    parser.add_argument("--timeout", type=int, default=300, help="seconds each run may take")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()

    database = Database(args.database_url)
    print(f"Creating {database.name}…", flush=True)
    database.recreate()
    port, smtp_port = free_port(), free_port()
    mail = MailServer(smtp_port, Inbox())
    mail.up()
    with tempfile.TemporaryDirectory() as folder:
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "MIA_"))},
            "PORT": str(port),
            "DATABASE_URL": args.database_url,
            "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_MEDIA_ROOT": folder,
            "DJANGO_EMAIL_TIMEOUT": "5",
            "MIA_MAIL_SEND_SECONDS": "2",
            # The load test is one network address sending on purpose; real visitors keep the limit.
            "MIA_SUBMISSIONS_PER_NETWORK_PER_HOUR": "1000000",
            "MIA_SUBMISSIONS_PER_EMAIL_PER_HOUR": "1000000",
        }
        server = subprocess.Popen(
            [sys.executable, str(BASE_DIR / "bin" / "serve")],
            env=env,
            cwd=BASE_DIR,
            stdout=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            wait_for(port, server)
            version = database.version()

            def restart_postgres():
                print("   restarting PostgreSQL…", flush=True)
                command = ["pg_ctlcluster", "--skip-systemctl-redirect", "--mode=fast"]
                subprocess.run([*command, str(version), args.pg_cluster, "restart"], check=True)
                print("   PostgreSQL is back", flush=True)

            results = [run_once("plain", "plain", args, env, port, mail, database)]
            mail.off()
            results.append(run_once("mail server down", "down", args, env, port, mail, database))
            results.append(
                run_once(
                    "PostgreSQL restarted",
                    "restart",
                    args,
                    env,
                    port,
                    mail,
                    database,
                    during=restart_postgres,
                )
            )
            mail.stalled()
            results.append(
                run_once("mail server stalled", "stalled", args, env, port, mail, database)
            )
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
            mail.off()
            if not args.keep:
                database.drop()

    print("\nrun                    acked stored confirmed queued sent lost dup  p50ms  p99ms")
    for r in results:
        print(
            f"{r['run']:22} {r['acknowledged']:5} {r['stored']:6} {r['confirmed']:9}"
            f" {r['mails queued']:6} {r['mails sent']:4} {r['lost']:4} {r['duplicated']:3}"
            f" {r['p50 ms']:6} {r['p99 ms']:6}"
        )
    failed = [
        r["run"]
        for r in results
        if r["lost"]
        or r["duplicated"]
        or r["contributors not mailed exactly once"]
        or r["acknowledged"] != args.contributions
        or r["confirmed"] != r["stored"]
    ]
    if failed:
        sys.exit(f"\nFAILED: {', '.join(failed)}")
    print("\nNothing lost, nothing duplicated, every mail delivered once.")


if __name__ == "__main__":
    main()
