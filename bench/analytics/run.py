"""The analytics scale benchmark (issue #7): every dashboard query at a year of a very large city's matters, on SQLite
and PostgreSQL, beside DuckDB computing the same figure from the raw rows; and the rollup's cost on the write path.

    .venv/bin/python bench/analytics/run.py --matters 10000000 --db sqlite
    .venv/bin/python bench/analytics/run.py --matters 10000000 --db postgresql   # under scripts/with-postgres.sh
    .venv/bin/python bench/analytics/run.py --matters 100000 --db sqlite --verify

1. The data set is generated once per (matters, seed) into var/bench/analytics/data-<matters>-<seed>/ (generate.py)
   and reused by both databases and by DuckDB.
2. It is loaded into a database of the benchmark's own (load.py): var/bench/analytics/analytics-<matters>.sqlite3,
   or the database gridwork_bench_analytics on the throwaway PostgreSQL cluster of scripts/with-postgres.sh.
3. ``--verify`` recounts the rollup with the platform's ``rebuild_rollup()`` and fails unless it gives exactly the
   rows the generator summed (use it at 100,000 matters: the rebuild folds every matter in Python); and fills the
   alerts' units again with the platform's backfill (supervision migration 0005), which must give the loader's.
4. Each dashboard query (queries.py) runs cold once and then ``--runs`` times warm; DuckDB computes the same figure
   from the Parquet files of the raw rows; a figure that differs fails the run.
5. The write path (writes.py): ``matter_transition`` and ``matter_file`` with and without the rollup hook.

Figures go to bench/results/analytics-<db>-<matters>.json and are printed as a table.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

VAR = ROOT / "var" / "bench" / "analytics"
RESULTS = ROOT / "bench" / "results"
TEMPLATE = VAR / "template.sqlite3"
PG_DATABASE = "gridwork_bench_analytics"


def data_dir(matters: int, seed: int) -> Path:
    return VAR / f"data-{matters}-{seed}"


def sqlite_path(matters: int) -> Path:
    return VAR / f"analytics-{matters}.sqlite3"


def ensure_data(options: argparse.Namespace) -> dict[str, Any]:
    directory = data_dir(options.matters, options.seed)
    manifest = directory / "manifest.json"
    if options.regenerate or not manifest.exists():
        print(f"Generating {options.matters:,} matters into {directory.relative_to(ROOT)} …", flush=True)
        subprocess.run(
            [
                sys.executable,
                "-m",
                "bench.analytics.generate",
                f"--matters={options.matters}",
                f"--seed={options.seed}",
                f"--out={directory}",
                f"--workers={options.workers}",
                f"--template={TEMPLATE}",
            ],
            cwd=ROOT,
            check=True,
        )
    return json.loads(manifest.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def setup_django(database: str, matters: int) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.dev"
    os.environ["GRIDWORK_DB"] = database
    if database == "sqlite":
        os.environ["GRIDWORK_SQLITE_PATH"] = str(sqlite_path(matters))
    else:
        os.environ["GRIDWORK_PG_NAME"] = PG_DATABASE
        os.environ["GRIDWORK_PG_CONN_MAX_AGE"] = "0"
    import django

    django.setup()


ROLLUP_KEYS = "unit_kind, unit_id, detail, category_id, kind, channel"
ROLLUP_COUNTERS = (
    "received, dispatched, responded, responded_on_time, returned, extended, overdue, replied, closed, resolved, "
    "closed_on_time, reopened, rated, satisfied, basically, unsatisfied, discarded, handling_seconds"
)
ROLLUP_TABLES = (("analytics_dailyrollup", "day"), ("analytics_monthlyrollup", "month"))


def verify_rollup() -> dict[str, Any]:
    """Keep the loaded rows aside (the generator's days, and their months summed by the loader), recount both tables
    with ``rebuild_rollup()``, and compare each both ways."""
    from django.db import connection

    from gridwork.analytics.rebuild import rebuild_rollup

    with connection.cursor() as cursor:
        for table, date_column in ROLLUP_TABLES:
            columns = f"{date_column}, {ROLLUP_KEYS}, {ROLLUP_COUNTERS}"
            cursor.execute(f"DROP TABLE IF EXISTS bench_{table}")
            cursor.execute(f"CREATE TABLE bench_{table} AS SELECT {columns} FROM {table}")  # noqa: S608
    started = time.perf_counter()
    report = rebuild_rollup()
    seconds = time.perf_counter() - started
    tables: dict[str, dict[str, int]] = {}
    with connection.cursor() as cursor:
        for table, date_column in ROLLUP_TABLES:
            columns = f"{date_column}, {ROLLUP_KEYS}, {ROLLUP_COUNTERS}"
            found = {}
            for name, first, second in (
                ("only_rebuilt", table, f"bench_{table}"),
                ("only_loaded", f"bench_{table}", table),
            ):
                cursor.execute(
                    f"SELECT count(*) FROM (SELECT {columns} FROM {first} "  # noqa: S608
                    f"EXCEPT SELECT {columns} FROM {second}) AS only_one"
                )
                found[name] = cursor.fetchone()[0]
            cursor.execute(f"SELECT count(*) FROM bench_{table}")  # noqa: S608
            found["loaded"] = cursor.fetchone()[0]
            cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608
            found["rebuilt"] = cursor.fetchone()[0]
            cursor.execute(f"DROP TABLE bench_{table}")
            tables[table] = found
    ok = all(t["only_rebuilt"] == 0 and t["only_loaded"] == 0 and t["loaded"] == t["rebuilt"] for t in tables.values())
    print(f"  rebuild_rollup(): {report.matters:,} matters, {report.events:,} events in {seconds:.0f} s", flush=True)
    for table, found in tables.items():
        print(
            f"  {table}: loaded {found['loaded']:,} rows, rebuilt {found['rebuilt']:,}; only in the rebuild "
            f"{found['only_rebuilt']}, only in the loaded {found['only_loaded']}",
            flush=True,
        )
    print(f"  {'the same rows' if ok else 'DIFFERENT'}", flush=True)
    return {"ok": ok, "rebuild_seconds": round(seconds, 1), "tables": tables}


ALERT_UNITS = "id, district_id, street_id, community_id, grid_id, lead_department_id"


def verify_alert_units() -> dict[str, Any]:
    """Keep the units the loader gave each alert aside, fill them again with the platform's backfill (supervision
    migration 0005: the matter's area, the department of its last dispatch before the alert) and compare both ways."""
    from importlib import import_module
    from types import SimpleNamespace

    from django.apps import apps
    from django.db import connection, transaction

    backfill = import_module("gridwork.supervision.migrations.0005_alert_units")
    table = "supervision_deadlinealert"
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_alert_units")
        cursor.execute(f"CREATE TABLE bench_alert_units AS SELECT {ALERT_UNITS} FROM {table}")  # noqa: S608
    started = time.perf_counter()
    with transaction.atomic():
        backfill.fill_units(apps, SimpleNamespace(connection=connection))
    seconds = time.perf_counter() - started
    found: dict[str, Any] = {}
    with connection.cursor() as cursor:
        for name, first, second in (
            ("only_filled", table, "bench_alert_units"),
            ("only_loaded", "bench_alert_units", table),
        ):
            cursor.execute(
                f"SELECT count(*) FROM (SELECT {ALERT_UNITS} FROM {first} "  # noqa: S608
                f"EXCEPT SELECT {ALERT_UNITS} FROM {second}) AS only_one"
            )
            found[name] = cursor.fetchone()[0]
        cursor.execute(f"SELECT count(*), count(lead_department_id) FROM {table}")  # noqa: S608
        found["alerts"], found["with_department"] = cursor.fetchone()
        cursor.execute("DROP TABLE bench_alert_units")
    found["ok"] = found["only_filled"] == 0 and found["only_loaded"] == 0
    found["backfill_seconds"] = round(seconds, 1)
    print(
        f"  alert units: {found['alerts']:,} alerts ({found['with_department']:,} with a department), the platform's "
        f"backfill in {seconds:.0f} s; only in the backfill {found['only_filled']}, only in the loaded "
        f"{found['only_loaded']}: {'the same' if found['ok'] else 'DIFFERENT'}",
        flush=True,
    )
    return found


def environment() -> dict[str, Any]:
    import django
    import duckdb

    return {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "django": django.get_version(),
        "duckdb": duckdb.__version__,
        "cpus": os.cpu_count(),
        "memory_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }


def run_under_postgres(argv: list[str]) -> int:
    """Run this benchmark again inside scripts/with-postgres.sh (a throwaway cluster, removed at the end)."""
    command = [str(ROOT / "scripts" / "with-postgres.sh"), sys.executable, str(Path(__file__)), *argv]
    print("On a throwaway PostgreSQL cluster: scripts/with-postgres.sh … (its data directory under TMPDIR)", flush=True)
    return subprocess.run(command, cwd=ROOT, check=False).returncode


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--matters", type=int, default=10_000_000)
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--seed", type=int, default=20250101)
    parser.add_argument("--workers", type=int, default=2, help="generator processes")
    parser.add_argument("--runs", type=int, default=7, help="warm runs of each dashboard query")
    parser.add_argument("--moves", type=int, default=1000, help="write path: moves timed with and without the hook")
    parser.add_argument("--verify", action="store_true", help="recount the rollup with rebuild_rollup() and compare")
    parser.add_argument("--regenerate", action="store_true", help="generate the data set again")
    parser.add_argument("--reuse", action="store_true", help="SQLite: use the loaded database as it is")
    parser.add_argument("--skip-queries", action="store_true")
    parser.add_argument("--skip-writes", action="store_true")
    parser.add_argument("--try-indexes", action="store_true", help="time the queries again with the proposed indexes")
    options = parser.parse_args(argv)
    if options.db == "postgresql" and os.environ.get("GRIDWORK_DB") != "postgresql":
        ensure_data(options)
        return run_under_postgres(argv)

    return measure(options)


def load_database(options: argparse.Namespace, directory: Path) -> dict[str, Any] | None:
    from bench.analytics import load

    if options.db == "sqlite":
        path = sqlite_path(options.matters)
        if options.reuse and path.exists():
            print(f"Reusing {path.relative_to(ROOT)}", flush=True)
            return None
        print(f"Loading into {path.relative_to(ROOT)} …", flush=True)
        return load.load_sqlite(directory, path, seed=options.seed, template=TEMPLATE)
    print(f"Loading into PostgreSQL database {PG_DATABASE} …", flush=True)
    return load.load_postgresql(directory, PG_DATABASE, seed=options.seed, template=TEMPLATE)


def measure(options: argparse.Namespace) -> int:
    started = time.perf_counter()
    manifest = ensure_data(options)
    directory = data_dir(options.matters, options.seed)
    result: dict[str, Any] = {"benchmark": f"analytics-{options.db}", "matters": options.matters, "data": manifest}
    loaded = load_database(options, directory)
    if loaded is not None:
        result["load"] = loaded
    setup_django(options.db, options.matters)
    result.update(environment())
    ok = True
    if options.verify:
        result["verify"] = verify_rollup()
        result["verify_alert_units"] = verify_alert_units()
        ok = ok and result["verify"]["ok"] and result["verify_alert_units"]["ok"]
    if not options.skip_queries:
        from bench.analytics import queries

        result["queries"] = queries.run(options, directory, database=options.db)
        ok = ok and result["queries"]["ok"]
    if not options.skip_writes:
        from bench.analytics import writes

        result["writes"] = writes.run(options)
        ok = ok and result["writes"]["ok"]
    result["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    result["ok"] = ok
    result["wall_seconds"] = round(time.perf_counter() - started, 1)
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"analytics-{options.db}-{options.matters}.json"
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2, default=str) + "\n", encoding="utf-8")
    print(f"Results written to {out.relative_to(ROOT)}", flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
