"""Intake benchmark: residents' reports filed through the real HTTP endpoint, against a trivial page of the same server.

For one database (``run_sqlite``, ``run_postgresql``) it

1. prepares a database of its own: migrated, the demo city at ``--intake-scale`` (small), and a set of routing
   rules so that routing has rules to choose from (the demo city has none). This runs in a child process with
   the development settings (``python -m bench.intake prepare``), which also draws the map pins: each a uniform
   random point inside a random grid, so that the locating service places it inside that grid;
2. starts gunicorn (3 sync workers: see bench/README.md) on 127.0.0.1 (a socket this process binds to a free
   port and hands over) with the production settings: DEBUG off, whitenoise, the proxy's ``X-Forwarded-Proto``
   trusted (the load sends ``https`` as a TLS-terminating proxy would, so CSRF checks Origin and Referer as in
   production). The one change: static files use the plain storage, because the manifest storage would need
   ``collectstatic`` and the benchmark requests no static file;
3. from this process (not the server's), ``--intake-concurrency`` client threads, each a resident with its own
   connection and the CSRF cookie from one GET of the form, send ``--intake-warmup`` reports and home pages,
   then ``--intake-requests`` measured reports (multipart POSTs of /report/new/ as the browser sends them: a new
   one-time form token each, a real message from data/tipdm2020, the pin, the notice ticked, half anonymous)
   and ``--trivial-requests`` GETs of the resident home page ``/`` (a template and no query) with the same
   clients, alternating in ``--intake-rounds`` rounds so that a change in the machine's load touches both;
4. stops the server (always: ``finally``, also on Ctrl-C and SIGTERM) and checks in a child process that the
   database holds exactly one matter per acknowledged (2xx/3xx) report, each with the number its receipt showed.

The form token need not come from the server: ``ResidentReportForm`` accepts any 20–64 characters of
``[A-Za-z0-9_-]`` and the server records a token only when a report is filed with it (it is the idempotency key),
so the clients make their own with ``secrets.token_urlsafe(24)``, exactly as ``new_form_token`` does.
"""

from __future__ import annotations

import argparse
import csv
import http.client
import itertools
import json
import os
import random
import re
import resource
import secrets
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var" / "bench"
SQLITE_DATABASE = VAR / "intake.sqlite3"
POSTGRES_DATABASE = "gridwork_bench_intake"
RESULTS = ROOT / "bench" / "results"
MESSAGES = ROOT / "data" / "tipdm2020"
REPORT_PATH = "/report/new/"
TRIVIAL_PATH = "/"
TEXT_MAX = 2000  # gridwork.matters.services.TEXT_MAX; this module imports nothing of Django in the load process
NUMBER_RE = re.compile(rb"GW\d{15}")
CSRF_FIELD_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
FORM_FIELDS = ("csrfmiddlewaretoken", "token", "text", "location_lat", "location_lng", "notice_accepted")
REQUEST_TIMEOUT = 30.0
SERVER_START_TIMEOUT = 60.0


# --- what a run is ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    database: str  # "sqlite" or "postgresql"
    requests: int
    trivial_requests: int
    warmup: int
    concurrency: int
    workers: int
    threads: int
    keep_alive: bool
    rounds: int
    seconds: float
    scale: str
    seed: int

    @property
    def worker_class(self) -> str:
        """gunicorn's own rule: one thread is the sync worker, more are the gthread worker."""
        return "sync" if self.threads == 1 else "gthread"

    @classmethod
    def from_options(cls, database: str, options: argparse.Namespace) -> Plan:
        return cls(
            database=database,
            requests=options.intake_requests,
            trivial_requests=options.trivial_requests,
            warmup=options.intake_warmup,
            concurrency=options.intake_concurrency,
            workers=options.intake_workers,
            threads=options.intake_threads,
            keep_alive=options.intake_keep_alive,
            rounds=options.intake_rounds,
            seconds=options.intake_seconds,
            scale=options.intake_scale,
            seed=options.seed,
        )


def child_arguments(options: argparse.Namespace) -> list[str]:
    """The options of this benchmark, for its PostgreSQL leg run again under scripts/with-postgres.sh."""
    return [
        f"--intake-requests={options.intake_requests}",
        f"--trivial-requests={options.trivial_requests}",
        f"--intake-warmup={options.intake_warmup}",
        f"--intake-concurrency={options.intake_concurrency}",
        f"--intake-workers={options.intake_workers}",
        f"--intake-threads={options.intake_threads}",
        "--intake-keep-alive" if options.intake_keep_alive else "--no-intake-keep-alive",
        f"--intake-rounds={options.intake_rounds}",
        f"--intake-seconds={options.intake_seconds}",
        f"--intake-scale={options.intake_scale}",
        f"--seed={options.seed}",
    ]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--intake-requests", type=int, default=3000, help="intake: measured report submissions")
    parser.add_argument("--trivial-requests", type=int, default=6000, help="intake: measured GETs of the home page")
    parser.add_argument("--intake-warmup", type=int, default=100, help="intake: unmeasured requests of each kind first")
    parser.add_argument("--intake-concurrency", type=int, default=8, help="intake: client threads (connections)")
    parser.add_argument("--intake-workers", type=int, default=3, help="intake: gunicorn worker processes")
    parser.add_argument(
        "--intake-threads", type=int, default=1, help="intake: threads per worker (1: sync worker, more: gthread)"
    )
    parser.add_argument(
        "--intake-keep-alive",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="intake: clients ask to keep their connection (the sync worker closes it after each response anyway)",
    )
    parser.add_argument(
        "--intake-rounds", type=int, default=3, help="intake: the measured phases alternate in this many rounds"
    )
    parser.add_argument(
        "--intake-seconds", type=float, default=60.0, help="intake: time limit of each measured phase of a round"
    )
    parser.add_argument("--intake-scale", choices=("small", "city"), default="small", help="intake: demo city scale")


# --- the two benchmarks -------------------------------------------------------------------------------------


def run_sqlite(options: argparse.Namespace) -> dict[str, Any]:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{SQLITE_DATABASE}{suffix}").unlink(missing_ok=True)
    VAR.mkdir(parents=True, exist_ok=True)
    environment = {"GRIDWORK_DB": "sqlite", "GRIDWORK_SQLITE_PATH": str(SQLITE_DATABASE)}
    return measure(Plan.from_options("sqlite", options), environment)


def run_postgresql(options: argparse.Namespace) -> dict[str, Any]:
    """On the server in GRIDWORK_PG_* when GRIDWORK_DB=postgresql, else on a throwaway one (with-postgres.sh)."""
    if os.environ.get("GRIDWORK_DB") != "postgresql":
        return _run_under_with_postgres(options)
    _recreate_postgres_database()
    environment = {"GRIDWORK_DB": "postgresql", "GRIDWORK_PG_NAME": POSTGRES_DATABASE}
    return measure(Plan.from_options("postgresql", options), environment)


def _run_under_with_postgres(options: argparse.Namespace) -> dict[str, Any]:
    """Run this leg again inside scripts/with-postgres.sh (``python -m bench.intake postgresql``); return its result."""
    with tempfile.TemporaryDirectory(prefix="gridwork-bench-") as directory:
        out = Path(directory) / "result.json"
        command = [
            str(ROOT / "scripts" / "with-postgres.sh"),
            sys.executable,
            "-m",
            "bench.intake",
            "postgresql",
            f"--out={out}",
            *child_arguments(options),
        ]
        print("  on a throwaway cluster: scripts/with-postgres.sh python -m bench.intake postgresql", flush=True)
        # Its own process group, which this process interrupts when it is interrupted (Ctrl-C, SIGTERM): the
        # child stops its server, then with-postgres.sh its cluster.
        child = subprocess.Popen(command, cwd=ROOT, start_new_session=True)
        try:
            with _stop_on_sigterm():
                returncode = child.wait()
        except BaseException:
            _interrupt(child)
            raise
        if not out.exists():
            message = (
                f"scripts/with-postgres.sh python -m bench.intake postgresql ended with status {returncode} and "
                "gave no result (no PostgreSQL server binaries? run scripts/system-deps.sh as root)"
            )
            print(f"  NOT OK: {message}")
            return {"ok": False, "database": "postgresql", "error": message}
        result: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
        return result


def _interrupt(child: subprocess.Popen[bytes]) -> None:
    """SIGINT to the child's process group, as Ctrl-C would; SIGTERM if it has not ended within a minute."""
    for signum, timeout in ((signal.SIGINT, 60), (signal.SIGTERM, 30), (signal.SIGKILL, 10)):
        if child.poll() is not None:
            return
        with suppress(ProcessLookupError):
            os.killpg(child.pid, signum)
        try:
            child.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            continue


def _recreate_postgres_database() -> None:
    """A database of the benchmark's own on that server, new each run: it never writes into GRIDWORK_PG_NAME."""
    import psycopg
    from psycopg import sql

    with psycopg.connect(
        host=os.environ.get("GRIDWORK_PG_HOST", "127.0.0.1"),
        port=os.environ.get("GRIDWORK_PG_PORT", "5432"),
        user=os.environ.get("GRIDWORK_PG_USER", "gridwork"),
        password=os.environ.get("GRIDWORK_PG_PASSWORD", ""),
        dbname=os.environ.get("GRIDWORK_PG_NAME", "gridwork"),
        autocommit=True,
    ) as connection:
        name = sql.Identifier(POSTGRES_DATABASE)
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(name))
        connection.execute(sql.SQL("CREATE DATABASE {}").format(name))


# --- one run ------------------------------------------------------------------------------------------------


@dataclass
class Measured:
    warm_reports: Phase
    warm_home: Phase
    intake_rounds: list[Phase]
    trivial_rounds: list[Phase]
    load_before: tuple[float, float, float]
    load_after: tuple[float, float, float]
    server: dict[str, Any]


def _drive(
    plan: Plan, environment: dict[str, str], log_path: Path, reports: list[tuple[tuple[str, str], ...]]
) -> Measured:
    """Start the server, warm it up, then the measured rounds: reports, then home pages, in turn."""
    with _server(plan, environment, log_path) as server:
        clients = [Client(server.port, index, keep_alive=plan.keep_alive) for index in range(plan.concurrency)]
        for client in clients:
            client.open_form()

        def report(index: int) -> Request:
            return Request("POST", REPORT_PATH, reports[index], expect_number=True)

        def home(_index: int) -> Request:
            return Request("GET", TRIVIAL_PATH)

        def timed(make: Callable[[int], Request], indexes: range) -> Phase:
            cpu, machine = server.cpu_seconds(), _machine_cpu()
            phase = run_phase(clients, make, indexes, plan.seconds)
            phase.server_cpu_seconds = server.cpu_seconds() - cpu
            busy, total = (after - before for after, before in zip(_machine_cpu(), machine, strict=True))
            phase.machine_busy, phase.machine_total = busy, total
            return phase

        print(f"  warming up: {plan.warmup} reports and {plan.warmup} home pages…", flush=True)
        warm_reports = timed(report, range(plan.warmup))
        warm_home = timed(home, range(plan.warmup))
        print(
            f"  {plan.requests} reports and {plan.trivial_requests} GETs of {TRIVIAL_PATH} from "
            f"{plan.concurrency} connections, alternating in {plan.rounds} rounds…",
            flush=True,
        )
        load_before = os.getloadavg()
        intake_rounds: list[Phase] = []
        trivial_rounds: list[Phase] = []
        for round_index in range(plan.rounds):
            first, end = _share(plan.requests, plan.rounds, round_index)
            intake_rounds.append(timed(report, range(plan.warmup + first, plan.warmup + end)))
            first, end = _share(plan.trivial_requests, plan.rounds, round_index)
            trivial_rounds.append(timed(home, range(first, end)))
            print(
                f"    round {round_index + 1}: {intake_rounds[-1].rate:,.1f} matters/s, "
                f"{trivial_rounds[-1].rate:,.1f} pages/s",
                flush=True,
            )
        return Measured(
            warm_reports=warm_reports,
            warm_home=warm_home,
            intake_rounds=intake_rounds,
            trivial_rounds=trivial_rounds,
            load_before=load_before,
            load_after=os.getloadavg(),
            server=server.describe(),
        )


def measure(plan: Plan, database_environment: dict[str, str]) -> dict[str, Any]:
    environment = {**os.environ, **database_environment}
    environment.pop("DJANGO_SETTINGS_MODULE", None)
    log_path = VAR / f"intake-{plan.database}-server.log"
    VAR.mkdir(parents=True, exist_ok=True)

    with _stop_on_sigterm():
        print(f"  preparing the {plan.database} database ({plan.scale} demo city, routing rules, pins)…", flush=True)
        pins = ["--pins", str(plan.warmup + plan.requests), "--seed", str(plan.seed), "--scale", plan.scale]
        prepared = _child("prepare", environment, pins)
        reports = _reports(prepared["pins"], _texts(plan.seed), random.Random(plan.seed))
        measured = _drive(plan, environment, log_path, reports)
    intake, trivial = Phase.combine(measured.intake_rounds), Phase.combine(measured.trivial_rounds)
    warm_reports, warm_home = measured.warm_reports, measured.warm_home

    acknowledged = [*warm_reports.numbers, *intake.numbers]
    acknowledged_count = warm_reports.acknowledged + intake.acknowledged
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False, encoding="utf-8") as handle:
        json.dump(acknowledged, handle)
        numbers_file = handle.name
    try:
        verified = _child("verify", environment, ["--numbers", numbers_file])
    finally:
        os.unlink(numbers_file)

    lost = acknowledged_count - verified["acknowledged_found"]
    checks = {
        "matters_in_database": verified["matters"],
        "acknowledged_submissions": acknowledged_count,
        "acknowledged_numbers_in_database": verified["acknowledged_found"],
        "acknowledged_without_a_number": acknowledged_count - len(acknowledged),
        "lost": lost,
        "unacknowledged_in_database": verified["matters"] - verified["acknowledged_found"],
        "refused_or_failed": warm_reports.failed + intake.failed + warm_home.failed + trivial.failed,
        "routing": verified["routing"],
    }
    ok = (
        verified["matters"] == acknowledged_count
        and lost == 0
        and len(set(acknowledged)) == len(acknowledged) == acknowledged_count
        and checks["refused_or_failed"] == 0
        and intake.completed == plan.requests
        and trivial.completed == plan.trivial_requests
    )
    rounds = [
        {
            "matters_per_second": round(reports_round.rate, 1),
            "pages_per_second": round(pages_round.rate, 1),
            "ratio": round(reports_round.rate / pages_round.rate, 4),
        }
        for reports_round, pages_round in zip(measured.intake_rounds, measured.trivial_rounds, strict=True)
        if pages_round.rate
    ]
    load_before, load_after, server_description = measured.load_before, measured.load_after, measured.server
    result = {
        "ok": ok,
        "database": plan.database,
        "database_version": prepared["database_version"],
        "server": server_description,
        "city": {
            "scale": plan.scale,
            "grids": prepared["grids"],
            "routing_rules": prepared["routing_rules"],
            "pins_inside_their_grid": prepared["pins_inside"],
            "prepare_seconds": prepared["seconds"],
        },
        "load": {
            "generator": "this process (bench/run.py, not the server's): threads with http.client, one connection each",
            "keep_alive_asked": plan.keep_alive,
            "concurrency": plan.concurrency,
            "warmup": plan.warmup,
            "time_limit_seconds": plan.seconds,
            "headers": "X-Forwarded-Proto: https, Origin and Referer of the server, the CSRF cookie",
            "rounds": plan.rounds,
            "machine_load_average_before": [round(value, 2) for value in load_before],
            "machine_load_average_after": [round(value, 2) for value in load_after],
        },
        "intake": intake.summary(f"POST {REPORT_PATH}", unit="matters"),
        "trivial": trivial.summary(f"GET {TRIVIAL_PATH}", unit="pages"),
        "ratio_intake_over_trivial": round(intake.rate / trivial.rate, 4) if trivial.rate else None,
        "rounds": rounds,
        "latency_ratio_p50_intake_over_trivial": (
            round(intake.percentile(50) / trivial.percentile(50), 1) if trivial.percentile(50) else None
        ),
        "warmup": {
            "reports": warm_reports.summary(f"POST {REPORT_PATH}", unit="matters"),
            "pages": warm_home.summary(f"GET {TRIVIAL_PATH}", unit="pages"),
        },
        "checks": checks,
        "server_log": str(log_path.relative_to(ROOT)),
    }
    _print(result)
    return result


# --- the server ---------------------------------------------------------------------------------------------


def server_application() -> Any:
    """The WSGI application gunicorn runs (``bench.intake:server_application()``): production settings, plain static.

    ``CompressedManifestStaticFilesStorage`` refuses to name a static file missing from the manifest that
    ``collectstatic`` writes; the benchmark requests no static file, so the plain storage is used instead of
    building the manifest in the shared staticfiles/ directory. Everything else is config.settings.production.
    """
    import importlib

    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.production"
    production: Any = importlib.import_module("config.settings.production")
    production.STORAGES = {
        **production.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    static_root = VAR / "static"
    static_root.mkdir(parents=True, exist_ok=True)
    production.STATIC_ROOT = static_root  # an empty directory, so that whitenoise finds one
    from django.core.wsgi import get_wsgi_application

    return get_wsgi_application()


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    port: int
    plan: Plan

    def pids(self) -> list[int]:
        """The master and its workers (children), read from /proc."""
        found = [self.process.pid]
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.process.pid:
                found.append(int(entry.name))
        return found

    def cpu_seconds(self) -> float:
        """User and system CPU time of the master and its workers so far (Linux; 0 elsewhere)."""
        ticks = os.sysconf("SC_CLK_TCK")
        total = 0
        for pid in self.pids():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += int(fields[11]) + int(fields[12])
        return total / ticks

    def describe(self) -> dict[str, Any]:
        from importlib.metadata import version

        return {
            "wsgi": f"gunicorn {version('gunicorn')}",
            "worker_class": self.plan.worker_class,
            "workers": self.plan.workers,
            "threads": self.plan.threads,
            "worker_processes_seen": len(self.pids()) - 1,
            "settings": "config.settings.production (DEBUG off), static files with the plain storage",
            "bind": f"127.0.0.1:{self.port}",
        }


@contextmanager
def _server(plan: Plan, environment: dict[str, str], log_path: Path) -> Iterator[Server]:
    """gunicorn on a socket bound here to 127.0.0.1 and a free port; stopped however the block ends."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(2048)
    port = listener.getsockname()[1]
    server_environment = {
        **environment,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "GRIDWORK_SECRET_KEY": secrets.token_urlsafe(50),
        "GRIDWORK_SMS_BACKEND": "gridwork.accounts.sms.MemorySmsBackend",
        "GRIDWORK_ALLOWED_HOSTS": "127.0.0.1",
        "GRIDWORK_LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    }
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        f"--bind=fd://{listener.fileno()}",
        f"--worker-class={plan.worker_class}",
        f"--workers={plan.workers}",
        f"--threads={plan.threads}",
        "--keep-alive=5",
        "--timeout=60",
        "--graceful-timeout=10",
        "--no-control-socket",
        "--log-level=warning",
        f"--chdir={ROOT}",
        "bench.intake:server_application()",
    ]
    kind = f"{plan.workers} sync workers" if plan.threads == 1 else f"{plan.workers} workers × {plan.threads} threads"
    print(f"  starting gunicorn ({kind}) on 127.0.0.1:{port}…", flush=True)
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=server_environment,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            pass_fds=(listener.fileno(),),
            start_new_session=True,  # its own process group: stopped below, never by a stray Ctrl-C half-way
        )
    listener.close()
    server = Server(process=process, port=port, plan=plan)
    try:
        _wait_until_ready(server, log_path)
        yield server
    finally:
        _stop(process)


def _wait_until_ready(server: Server, log_path: Path) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.process.returncode}:\n{_tail(log_path)}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
            connection.request("GET", TRIVIAL_PATH, headers=_headers(server.port))
            response = connection.getresponse()
            response.read()
            connection.close()
            if response.status == 200:
                return
            raise RuntimeError(f"GET {TRIVIAL_PATH} answered {response.status}:\n{_tail(log_path)}")
        except (ConnectionError, TimeoutError, http.client.HTTPException):
            time.sleep(0.1)
    raise RuntimeError(f"gunicorn did not answer within {SERVER_START_TIMEOUT:.0f} s:\n{_tail(log_path)}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM to gunicorn's process group (the master stops its workers), SIGKILL if it lingers."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)


@contextmanager
def _stop_on_sigterm() -> Iterator[None]:
    """SIGTERM ends the run like Ctrl-C does, through every ``finally`` (which stops the server)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(_signum: int, _frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


# --- the load -----------------------------------------------------------------------------------------------


def _headers(port: int) -> dict[str, str]:
    """What the TLS-terminating proxy in front of gunicorn would pass on; the server trusts it on loopback."""
    return {"Host": f"127.0.0.1:{port}", "X-Forwarded-Proto": "https", "User-Agent": "gridwork-bench-intake"}


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    fields: tuple[tuple[str, str], ...] = ()
    expect_number: bool = False


@dataclass(frozen=True)
class Outcome:
    seconds: float
    status: int  # 0 when no response came
    error: str = ""
    number: str = ""
    retries: int = 0


class Client:
    """One resident's browser: a keep-alive connection and the CSRF cookie of the form it loaded."""

    def __init__(self, port: int, index: int, *, keep_alive: bool = True) -> None:
        self.port = port
        self.index = index
        self.keep_alive = keep_alive
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
        self.csrf_cookie = ""
        self.csrf_field = ""
        self.origin = f"https://127.0.0.1:{port}"

    def open_form(self) -> None:
        """GET the report form: the CSRF cookie and field, and a check that the form still has the fields sent."""
        self.connection.request("GET", REPORT_PATH, headers=_headers(self.port))
        response = self.connection.getresponse()
        body = response.read().decode("utf-8", errors="replace")
        if response.status != 200:
            raise RuntimeError(f"GET {REPORT_PATH} answered {response.status}")
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            if name.strip() == "csrftoken":
                self.csrf_cookie = rest.split(";", 1)[0]
        match = CSRF_FIELD_RE.search(body)
        missing = [name for name in FORM_FIELDS if f'name="{name}"' not in body]
        if not self.csrf_cookie or match is None or missing:
            raise RuntimeError(f"the report form changed: no CSRF cookie or field, or no field {missing}")
        self.csrf_field = match.group(1)

    def send(self, request: Request) -> Outcome:
        headers = _headers(self.port)
        if not self.keep_alive:
            headers["Connection"] = "close"
        body: bytes | None = None
        if request.method == "POST":
            boundary = f"----GridworkBench{secrets.token_hex(12)}"
            body = _multipart(boundary, (("csrfmiddlewaretoken", self.csrf_field), *request.fields))
            headers.update(
                {
                    "Content-Type": f"multipart/form-data; boundary={boundary}",
                    "Origin": self.origin,
                    "Referer": f"{self.origin}{REPORT_PATH}",
                    "Cookie": f"csrftoken={self.csrf_cookie}",
                }
            )
        else:
            headers["Cookie"] = f"csrftoken={self.csrf_cookie}"
        started = time.perf_counter()
        retries = 0
        while True:
            try:
                self.connection.request(request.method, request.path, body=body, headers=headers)
                response = self.connection.getresponse()
                content = response.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError) as error:
                # The server closed the kept-alive connection as we sent. Sending again is safe, also for a
                # report: the same form token files one matter and answers with the same receipt.
                self.connection.close()
                retries += 1
                if retries > 2:
                    return Outcome(time.perf_counter() - started, 0, type(error).__name__, retries=retries)
            except (OSError, http.client.HTTPException) as error:
                self.connection.close()
                return Outcome(time.perf_counter() - started, 0, type(error).__name__, retries=retries)
        seconds = time.perf_counter() - started
        if response.will_close:
            self.connection.close()
        number = ""
        if request.expect_number and 200 <= response.status < 400:
            match = NUMBER_RE.search(content)
            number = match.group(0).decode() if match else ""
        return Outcome(seconds, response.status, number=number, retries=retries)


def _multipart(boundary: str, fields: tuple[tuple[str, str], ...]) -> bytes:
    """The body a browser sends for the form (enctype multipart/form-data), with the empty photo input."""
    parts: list[bytes] = []
    for name, value in fields:
        if name == "photos":
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="photos"; filename=""\r\n'
                f"Content-Type: application/octet-stream\r\n\r\n\r\n".encode()
            )
        else:
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts)


def _texts(seed: int) -> list[str]:
    """Residents' real messages (title, then the message), unique, shuffled, cut to the 2,000-character limit."""
    texts: set[str] = set()
    for name in ("citizen_messages_labeled", "citizen_messages_unlabeled", "citizen_messages_with_replies"):
        with (MESSAGES / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                # A browser sends a textarea's line breaks as CRLF.
                text = f"{row['title'].strip()}\r\n{row['detail'].strip()}".strip()[:TEXT_MAX].strip()
                if len(text) >= 5:
                    texts.add(text)
    ordered = sorted(texts)
    random.Random(seed).shuffle(ordered)
    return ordered


def _reports(pins: list[list[float]], texts: list[str], rng: random.Random) -> list[tuple[tuple[str, str], ...]]:
    """The form fields of each report, in the browser's order (the CSRF field is the client's)."""
    reports = []
    for index, (latitude, longitude) in enumerate(pins):
        anonymous = index % 2 == 1
        name = "" if anonymous else rng.choice("王李张刘陈杨黄赵吴周") + rng.choice("伟芳娜敏静磊洋")
        phone = "" if anonymous else f"1{rng.choice('3578')}{rng.randrange(10**9):09d}"
        fields = [
            ("token", secrets.token_urlsafe(24)),
            ("text", texts[index % len(texts)]),
            ("photos", ""),
            ("place_mode", "pin"),
            ("location_lat", f"{latitude:.6f}"),
            ("location_lng", f"{longitude:.6f}"),
            ("building", ""),
            ("address", ""),
            ("contact_name", name),
            ("contact_phone", phone),
        ]
        if anonymous:
            fields.append(("anonymous", "on"))
        fields.append(("notice_accepted", "on"))
        reports.append(tuple(fields))
    return reports


@dataclass
class Phase:
    outcomes: list[Outcome]
    seconds: float
    planned: int
    client_cpu_seconds: float
    server_cpu_seconds: float = 0.0
    numbers: list[str] = field(default_factory=list)
    machine_busy: int = 0  # jiffies of every CPU of the machine, busy and in all (from /proc/stat)
    machine_total: int = 0

    @classmethod
    def combine(cls, phases: list[Phase]) -> Phase:
        """Several rounds as one phase: their requests, and the sums of their times."""
        return cls(
            outcomes=[outcome for phase in phases for outcome in phase.outcomes],
            seconds=sum(phase.seconds for phase in phases),
            planned=sum(phase.planned for phase in phases),
            client_cpu_seconds=sum(phase.client_cpu_seconds for phase in phases),
            server_cpu_seconds=sum(phase.server_cpu_seconds for phase in phases),
            numbers=[number for phase in phases for number in phase.numbers],
            machine_busy=sum(phase.machine_busy for phase in phases),
            machine_total=sum(phase.machine_total for phase in phases),
        )

    @property
    def completed(self) -> int:
        return len(self.outcomes)

    @property
    def acknowledged(self) -> int:
        return sum(1 for outcome in self.outcomes if 200 <= outcome.status < 400)

    @property
    def failed(self) -> int:
        return self.completed - self.acknowledged

    @property
    def rate(self) -> float:
        return self.acknowledged / self.seconds if self.seconds else 0.0

    def percentile(self, percent: float) -> float:
        """Milliseconds, nearest rank, over every answered request."""
        times = sorted(outcome.seconds for outcome in self.outcomes)
        if not times:
            return 0.0
        rank = max(1, -(-len(times) * percent // 100))
        return times[int(rank) - 1] * 1000

    def summary(self, what: str, *, unit: str) -> dict[str, Any]:
        times = [outcome.seconds for outcome in self.outcomes]
        statuses = Counter(str(outcome.status) for outcome in self.outcomes)
        errors = Counter(outcome.error for outcome in self.outcomes if outcome.error)
        return {
            "request": what,
            "planned": self.planned,
            "completed": self.completed,
            "acknowledged": self.acknowledged,
            "statuses": dict(sorted(statuses.items())),
            "errors": dict(errors),
            "retries": sum(outcome.retries for outcome in self.outcomes),
            "seconds": round(self.seconds, 3),
            f"{unit}_per_second": round(self.rate, 1),
            "latency_ms": {
                "p50": round(self.percentile(50), 2),
                "p90": round(self.percentile(90), 2),
                "p99": round(self.percentile(99), 2),
                "max": round(max(times) * 1000, 2) if times else 0.0,
                "mean": round(sum(times) / len(times) * 1000, 2) if times else 0.0,
            },
            "server_cpu_seconds": round(self.server_cpu_seconds, 2),
            "server_cpu_ms_per_request": (
                round(self.server_cpu_seconds / self.completed * 1000, 2) if self.completed else None
            ),
            "client_cpu_seconds": round(self.client_cpu_seconds, 2),
            "machine_cpu_busy_percent": (
                round(100 * self.machine_busy / self.machine_total, 1) if self.machine_total else None
            ),
        }


def run_phase(clients: list[Client], make: Callable[[int], Request], indexes: range, time_limit: float) -> Phase:
    """Every client sends the next index's request until all are sent or ``time_limit`` is up; all in threads."""
    for client in clients:
        client.connection.close()  # a fresh connection per phase, so no idle one is closed under a request
    pending = iter(indexes)
    take = threading.Lock()
    stop = threading.Event()
    results: list[list[Outcome]] = [[] for _ in clients]
    numbers: list[list[str]] = [[] for _ in clients]
    deadline = time.perf_counter() + time_limit
    start = threading.Barrier(len(clients) + 1)

    def work(slot: int, client: Client) -> None:
        start.wait()
        while not stop.is_set() and time.perf_counter() < deadline:
            with take:
                index = next(pending, None)
            if index is None:
                return
            outcome = client.send(make(index))
            results[slot].append(outcome)
            if outcome.number:
                numbers[slot].append(outcome.number)

    threads = [
        threading.Thread(target=work, args=(slot, client), daemon=True, name=f"intake-client-{slot}")
        for slot, client in enumerate(clients)
    ]
    for thread in threads:
        thread.start()
    cpu_before = _own_cpu_seconds()
    start.wait()
    started = time.perf_counter()
    try:
        for thread in threads:
            while thread.is_alive():
                thread.join(timeout=0.5)
    except BaseException:
        stop.set()
        raise
    seconds = time.perf_counter() - started
    return Phase(
        outcomes=list(itertools.chain.from_iterable(results)),
        seconds=seconds,
        planned=len(indexes),
        client_cpu_seconds=_own_cpu_seconds() - cpu_before,
        numbers=list(itertools.chain.from_iterable(numbers)),
    )


def _share(total: int, parts: int, index: int) -> tuple[int, int]:
    """The ``index``-th of ``parts`` nearly equal slices of ``range(total)``, as (first, end)."""
    return total * index // parts, total * (index + 1) // parts


def _machine_cpu() -> tuple[int, int]:
    """(busy, total) jiffies of all the machine's CPUs so far (Linux; zeros elsewhere). Busy counts every process."""
    try:
        with open("/proc/stat", encoding="ascii") as stat:
            values = [int(value) for value in stat.readline().split()[1:9]]
    except (OSError, ValueError):
        return 0, 0
    idle = values[3] + values[4]  # idle and iowait
    return sum(values) - idle, sum(values)


def _own_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# --- the children: prepare and verify, with Django --------------------------------------------------------


def _child(command: str, environment: dict[str, str], arguments: list[str]) -> dict[str, Any]:
    """Run ``python -m bench.intake COMMAND`` with the development settings on the target database."""
    with tempfile.TemporaryDirectory(prefix="gridwork-bench-") as directory:
        out = Path(directory) / "out.json"
        completed = subprocess.run(
            [sys.executable, "-m", "bench.intake", command, "--out", str(out), *arguments],
            check=False,
            cwd=ROOT,
            env={**environment, "DJANGO_SETTINGS_MODULE": "config.settings.dev", "GRIDWORK_LOG_LEVEL": "WARNING"},
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
        )
        if completed.returncode != 0 or not out.exists():
            raise RuntimeError(
                f"python -m bench.intake {command} failed ({completed.returncode}):\n"
                f"{completed.stdout[-3000:]}{completed.stderr[-3000:]}"
            )
        result: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
        return result


def _prepare(arguments: argparse.Namespace) -> dict[str, Any]:
    import shapely
    from django.core.management import call_command
    from django.db import connection

    from gridwork.demo.build import demo_city_build, demo_city_exists
    from gridwork.demo.plan import SCALES
    from gridwork.matters.models import RoutingRule
    from gridwork.places.locating import OutsideServiceAreaError, locate
    from gridwork.places.models import Place, PlaceLevel

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    if not demo_city_exists():
        demo_city_build(scale=SCALES[arguments.scale], log=lambda *_args, **_kwargs: None)
    if not RoutingRule.objects.exists():
        _routing_rules_create()

    grids = list(Place.objects.filter(level=PlaceLevel.GRID, boundary__isnull=False).only("pk", "boundary"))
    shapes = [(grid.pk, shapely.geometry.shape(grid.boundary)) for grid in grids]
    for _pk, shape in shapes:
        shapely.prepare(shape)
    rng = random.Random(arguments.seed)
    pins: list[list[float]] = []
    inside = 0
    for _ in range(arguments.pins):
        grid_id, shape = rng.choice(shapes)
        west, south, east, north = shape.bounds
        while True:
            longitude, latitude = rng.uniform(west, east), rng.uniform(south, north)
            if shapely.contains_xy(shape, longitude, latitude):
                break
        pins.append([latitude, longitude])
        try:
            location = locate(latitude, longitude)
        except OutsideServiceAreaError:
            continue
        inside += int(location.grid_id == grid_id and location.inside)
    if connection.vendor == "postgresql":
        major, minor = divmod(getattr(connection, "pg_version", 0), 10000)
        version = f"PostgreSQL {major}.{minor}"
    else:
        version = f"SQLite {sqlite3.sqlite_version}"
    return {
        "grids": len(grids),
        "routing_rules": RoutingRule.objects.count(),
        "pins": pins,
        "pins_inside": inside,
        "database_version": version,
        "seconds": round(time.perf_counter() - started, 2),
    }


def _routing_rules_create() -> None:
    """Rules like a dispatch centre's: a default per district and street, per-category rules below them.

    Each district sends every first-level category to one of its departments (or the city's); each community
    keeps a third of the first-level categories itself. So ``triage.route`` finds a dozen or more rules for a
    grid and picks the deepest, as it would in a configured city.
    """
    from gridwork.matters.models import Category, RoutingRule
    from gridwork.places.models import Department, DepartmentKind, Place, PlaceLevel

    top = list(Category.objects.filter(level=1, is_active=True).order_by("code"))
    rules: list[RoutingRule] = []
    for place in Place.objects.filter(level__in=[PlaceLevel.DISTRICT, PlaceLevel.STREET]).order_by("code"):
        rules.append(RoutingRule(place=place, category=None, lead_place=place))
    city_departments = list(
        Department.objects.filter(place__level=PlaceLevel.CITY, kind=DepartmentKind.FUNCTIONAL).order_by("code")
    )
    for district in Place.objects.filter(level=PlaceLevel.DISTRICT).order_by("code"):
        departments = list(district.departments.filter(kind=DepartmentKind.FUNCTIONAL).order_by("code"))
        departments = departments or city_departments
        if not departments:
            continue
        for index, category in enumerate(top):
            lead = departments[index % len(departments)]
            rules.append(RoutingRule(place=district, category=category, lead_department=lead))
    for community in Place.objects.filter(level=PlaceLevel.COMMUNITY).order_by("code"):
        for category in top[::3]:
            rules.append(RoutingRule(place=community, category=category, lead_place=community))
    RoutingRule.objects.bulk_create(rules)


def _verify(arguments: argparse.Namespace) -> dict[str, Any]:
    from gridwork.matters.models import Matter, MatterEvent
    from gridwork.matters.workflow import Action

    acknowledged: list[str] = json.loads(Path(arguments.numbers).read_text(encoding="utf-8"))
    found = 0
    for start in range(0, len(acknowledged), 500):
        chunk = acknowledged[start : start + 500]
        found += Matter.objects.filter(number__in=chunk).count()
    with_category = with_unit = 0
    for data in MatterEvent.objects.filter(action=Action.FILE).values_list("data", flat=True).iterator():
        suggestion = (data or {}).get("suggestion") or {}
        with_category += int(suggestion.get("category_id") is not None)
        with_unit += int(suggestion.get("unit") is not None)
    return {
        "matters": Matter.objects.count(),
        "acknowledged_found": found,
        "routing": {
            "suggested_category": with_category,
            "suggested_lead_unit": with_unit,
            "filed_with_category": Matter.objects.filter(category__isnull=False).count(),
        },
    }


def _child_main(argv: list[str]) -> int:
    """``python -m bench.intake prepare|verify`` (with Django, on the database in the environment) or ``postgresql``."""
    parser = argparse.ArgumentParser(prog="python -m bench.intake")
    commands = parser.add_subparsers(dest="command", required=True)
    prepare = commands.add_parser("prepare", help="migrate, build the demo city and routing rules, draw the pins")
    prepare.add_argument("--pins", type=int, required=True)
    prepare.add_argument("--seed", type=int, required=True)
    prepare.add_argument("--scale", default="small")
    verify = commands.add_parser("verify", help="count the matters and find the acknowledged numbers")
    verify.add_argument("--numbers", required=True, help="a JSON file: the list of acknowledged matter numbers")
    postgresql = commands.add_parser("postgresql", help="the PostgreSQL leg, under scripts/with-postgres.sh")
    postgresql.add_argument("--seed", type=int, required=True)
    add_arguments(postgresql)
    for command in (prepare, verify, postgresql):
        command.add_argument("--out", required=True, help="where to write the result (JSON)")
    arguments = parser.parse_args(argv)
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    if arguments.command == "postgresql":
        if os.environ.get("GRIDWORK_DB") != "postgresql":
            parser.error("run this under scripts/with-postgres.sh (GRIDWORK_DB=postgresql)")
        try:
            result = run_postgresql(arguments)
        except KeyboardInterrupt:  # the server is stopped by now; with-postgres.sh stops the cluster
            return 130
        Path(arguments.out).write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")
        return 0 if result.get("ok") else 1
    import django

    django.setup()
    result = _prepare(arguments) if arguments.command == "prepare" else _verify(arguments)
    Path(arguments.out).write_text(json.dumps(result), encoding="utf-8")
    return 0


# --- printing -----------------------------------------------------------------------------------------------


def _print(result: dict[str, Any]) -> None:
    intake, trivial, checks, server = result["intake"], result["trivial"], result["checks"], result["server"]
    city, load = result["city"], result["load"]

    def phase(figures: dict[str, Any], unit: str) -> str:
        latency = figures["latency_ms"]
        return (
            f"{figures[f'{unit}_per_second']:,.1f} {unit}/s, p50 {latency['p50']:.1f} ms, p99 {latency['p99']:.1f} ms "
            f"({figures['acknowledged']:,} of {figures['planned']:,} in {figures['seconds']:.1f} s; "
            f"gunicorn CPU {figures['server_cpu_ms_per_request']} ms each, machine CPU "
            f"{figures['machine_cpu_busy_percent']}% busy)"
        )

    rows = [
        ("database", result["database_version"]),
        (
            "server",
            f"{server['wsgi']}, {server['workers']} {server['worker_class']} workers"
            + (f" × {server['threads']} threads" if server["threads"] > 1 else "")
            + ", production settings",
        ),
        (
            "city",
            f"{city['scale']}: {city['grids']} grids, {city['routing_rules']} routing rules",
        ),
        (
            "load",
            f"{load['concurrency']} connections from a second process; machine load average "
            f"{load['machine_load_average_before'][0]} before, {load['machine_load_average_after'][0]} after",
        ),
        ("intake", phase(intake, "matters")),
        ("trivial view", phase(trivial, "pages")),
        (
            "ratio intake / trivial",
            f"{result['ratio_intake_over_trivial']} (rounds: {', '.join(str(r['ratio']) for r in result['rounds'])})",
        ),
        (
            "matters in database",
            f"{checks['matters_in_database']:,} for {checks['acknowledged_submissions']:,} acknowledged reports "
            f"(lost {checks['lost']}, unacknowledged {checks['unacknowledged_in_database']}, "
            f"refused or failed {checks['refused_or_failed']})",
        ),
        (
            "triage and routing",
            f"{checks['routing']['suggested_category']:,} with a suggested category, "
            f"{checks['routing']['suggested_lead_unit']:,} with a lead unit",
        ),
    ]
    width = max(len(label) for label, _value in rows)
    for label, value in rows:
        print(f"  {label:<{width}}  {value}")
    if not result["ok"]:
        print("  NOT OK: some reports were refused, lost or not sent; see the statuses in the results file.")


if __name__ == "__main__":
    sys.exit(_child_main(sys.argv[1:]))
