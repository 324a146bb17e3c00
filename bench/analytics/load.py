"""Load a generated data set (``generate.py``) into a database that Django migrated: SQLite or PostgreSQL.

The database is made and migrated by ``manage.py migrate`` (the development settings, with ``GRIDWORK_DB`` and the
bench database's name or path), so its schema is exactly the platform's. Then, for the load only:

- the secondary indexes and (PostgreSQL) the unique and foreign-key constraints of the four big tables are dropped,
  the rows written, and each index and constraint made again from the definition read before dropping it, so the
  schema ends as migrated (a unique or foreign key made again checks every row);
- SQLite: ``executemany`` in one transaction with ``journal_mode=OFF``, ``synchronous=OFF``, a 4 GB page cache, then
  WAL again (the platform's setting). PostgreSQL: ``COPY … FROM STDIN (FREEZE)`` (CSV that DuckDB writes from the
  Parquet files, a few files at a time) into tables truncated in the same transaction (no WAL, rows written frozen
  and all-visible), then the id sequences set past the rows, and ``VACUUM ANALYZE`` (the throwaway cluster runs
  without autovacuum; a production server would have run it).

Nothing here imports Django: ``run.py`` calls these functions from its own process before it sets Django up.
"""

# The SQL here is built from the benchmark's own table and column names, numbers and file paths, never from input.
# ruff: noqa: S608

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bench.analytics.city import DEPARTMENT_COLUMNS, PLACE_COLUMNS, build_city

ROOT = Path(__file__).resolve().parents[2]
BIG_TABLES = (
    "matters_matter",
    "matters_matterevent",
    "supervision_deadlinealert",
    "analytics_dailyrollup",
    "analytics_monthlyrollup",
)
BATCH = 50_000

MATTER_SELECT = """
    id, number, channel, '' AS external_ref, title, text, kind, urgency, place_path, latitude, longitude,
    '' AS address, reporter_name, reporter_phone, {bool:is_anonymous}, tracking_code_hash, state, version,
    return_count, reopen_count, {bool:extension_pending}, extension_count, extension_days,
    {bool:consultation_recorded}, satisfaction, closure_reason, reply_text, {ts:created_at}, {ts:updated_at},
    {ts:dispatched_at}, {ts:accepted_at}, {ts:replied_at}, {ts:closed_at}, NULL AS building_id,
    NULLIF(category_id, 0) AS category_id, community_id, district_id, NULL AS filed_by_id, grid_id,
    NULLIF(lead_department_id, 0) AS lead_department_id, NULLIF(lead_place_id, 0) AS lead_place_id,
    NULL AS reporter_id, street_id, {ts:due_at}, due_stage, hard_level, hard_stage, leader, {ts:level_due},
    overdue_count, supervision_count, {bool:supervision_open}, urge_count, {ts:warn_at}, '{{}}' AS attributes,
    '' AS media_url, NULLIF(duplicate_of_id, 0) AS duplicate_of_id
"""
MATTER_COLUMNS = (
    "id, number, channel, external_ref, title, text, kind, urgency, place_path, latitude, longitude, address, "
    "reporter_name, reporter_phone, is_anonymous, tracking_code_hash, state, version, return_count, reopen_count, "
    "extension_pending, extension_count, extension_days, consultation_recorded, satisfaction, closure_reason, "
    "reply_text, created_at, updated_at, dispatched_at, accepted_at, replied_at, closed_at, building_id, "
    "category_id, community_id, district_id, filed_by_id, grid_id, lead_department_id, lead_place_id, reporter_id, "
    "street_id, due_at, due_stage, hard_level, hard_stage, leader, level_due, overdue_count, supervision_count, "
    "supervision_open, urge_count, warn_at, attributes, media_url, duplicate_of_id"
)
EVENT_SELECT = (
    "{offsets}[chunk + 1] + local AS id, sequence, action, from_state, to_state, actor_name, actor_role, actor_unit, "
    "{ts:at}, note, data, NULL AS actor_id, matter_id"
)
EVENT_COLUMNS = (
    "id, sequence, action, from_state, to_state, actor_name, actor_role, actor_unit, at, note, data, actor_id, "
    "matter_id"
)
ALERT_SELECT = (
    "row_number() OVER (ORDER BY raised_at, matter_id, stage, level) AS id, subject, stage, {ts:due_at}, level, "
    "{ts:raised_at}, matter_id, district_id, street_id, community_id, grid_id, lead_department_id"
)
ALERT_COLUMNS = (
    "id, subject, stage, due_at, level, raised_at, matter_id, district_id, street_id, community_id, grid_id, "
    "lead_department_id"
)
# Each alert with the units the platform records when it raises one (``supervision.models.fill_alert_units``): the
# matter's area, and the lead department of its last dispatch before the alert (an ASOF join on the moment and the
# event's sequence: the greatest (at, sequence) with at < raised_at). Computed at load time from the Parquet files, so
# a data set generated before the alerts carried their units loads as one generated after.
ALERT_FROM = """(
    SELECT a.*, m.district_id, m.street_id, m.community_id, m.grid_id, d.department AS lead_department_id
    FROM (SELECT *, raised_at * 65536 AS raised_key FROM read_parquet({alerts})) a
    JOIN (SELECT id, district_id, street_id, community_id, grid_id FROM read_parquet({matters})) m
        ON m.id = a.matter_id
    ASOF LEFT JOIN (
        SELECT matter_id, "at" * 65536 + sequence AS dispatch_key,
            json_extract_string(data, '$.lead_department_id')::BIGINT AS department
        FROM read_parquet({events}) WHERE action = 'dispatch'
    ) d ON d.matter_id = a.matter_id AND a.raised_key > d.dispatch_key
)"""
COUNTER_COLUMNS = (
    "received, dispatched, responded, responded_on_time, returned, extended, overdue, replied, closed, resolved, "
    "closed_on_time, reopened, rated, satisfied, basically, unsatisfied, discarded, handling_seconds"
)
ROLLUP_SELECT = (
    "id, strftime(DATE '1970-01-01' + day::INTEGER, '%Y-%m-%d') AS day, unit_kind, unit_id, {bool:detail}, "
    "category_id, kind, channel, " + COUNTER_COLUMNS
)
ROLLUP_COLUMNS = "id, day, unit_kind, unit_id, detail, category_id, kind, channel, " + COUNTER_COLUMNS
# The monthly rows: the generator's daily rows summed by month, as ``rollup.add_counts`` keeps them (``--verify``
# compares both tables with the platform's rebuild).
MONTHLY_SELECT = (
    "row_number() OVER (ORDER BY month, unit_kind, unit_id, detail, category_id, kind, channel) AS id, "
    "strftime(month, '%Y-%m-%d') AS month, unit_kind, unit_id, {bool:detail}, category_id, kind, channel, "
    + ", ".join(f"sum({name})::BIGINT AS {name}" for name in COUNTER_COLUMNS.split(", "))
)
MONTHLY_FROM = (
    "(SELECT date_trunc('month', DATE '1970-01-01' + day::INTEGER) AS month, * EXCLUDE (day, id) "
    "FROM read_parquet({files})) GROUP BY month, unit_kind, unit_id, detail, category_id, kind, channel ORDER BY id"
)
MONTHLY_COLUMNS = "id, month, unit_kind, unit_id, detail, category_id, kind, channel, " + COUNTER_COLUMNS


def _expand(select: str, vendor: str, offsets: str = "") -> str:
    """Fill in ``{ts:column}`` (epoch seconds, 0 for none, as the database's text of a UTC moment) and ``{bool:c}``."""
    import re

    zone = "" if vendor == "sqlite" else " || '+00'"

    def moment(match: re.Match[str]) -> str:
        column = match.group(1)
        return (
            f'CASE WHEN "{column}" = 0 THEN NULL ELSE strftime(make_timestamp("{column}"::BIGINT * 1000000), '
            f"'%Y-%m-%d %H:%M:%S'){zone} END AS \"{column}\""
        )

    def boolean(match: re.Match[str]) -> str:
        column = match.group(1)
        return f"{column}::INTEGER AS {column}" if vendor == "sqlite" else f"{column}"

    select = re.sub(r"\{ts:(\w+)\}", moment, select)
    select = re.sub(r"\{bool:(\w+)\}", boolean, select)
    return select.replace("{offsets}", offsets).replace("{{}}", "{}")


def sources(data: Path, vendor: str) -> list[tuple[str, str, list[str]]]:
    """(table, its columns, the DuckDB queries that give its rows in id order, a few files each) per generated table."""
    manifest = json.loads((data / "manifest.json").read_text(encoding="utf-8"))
    offsets = "[" + ", ".join(str(base) for _chunk, base in manifest["event_offsets"]) + "]"

    def groups(name: str, size: int = 10) -> list[str]:
        paths = sorted(data.glob(f"{name}-*.parquet"))
        return [
            "[" + ", ".join(f"'{p}'" for p in paths[start : start + size]) + "]" for start in range(0, len(paths), size)
        ]

    def every(name: str) -> str:
        return groups(name, 100_000)[0]

    return [
        (
            "matters_matter",
            MATTER_COLUMNS,
            [f"SELECT {_expand(MATTER_SELECT, vendor)} FROM read_parquet({files})" for files in groups("matters")],
        ),
        (
            "matters_matterevent",
            EVENT_COLUMNS,
            [
                f"SELECT {_expand(EVENT_SELECT, vendor, offsets)} FROM read_parquet({files})"
                for files in groups("events")
            ],
        ),
        (
            "supervision_deadlinealert",
            ALERT_COLUMNS,
            [
                f"SELECT {_expand(ALERT_SELECT, vendor)} FROM "
                + ALERT_FROM.format(alerts=files, matters=every("matters"), events=every("events"))
                + " ORDER BY id"
                for files in groups("alerts", 100_000)
            ],
        ),
        (
            "analytics_dailyrollup",
            ROLLUP_COLUMNS,
            [f"SELECT {_expand(ROLLUP_SELECT, vendor)} FROM read_parquet({files})" for files in groups("rollup", 1)],
        ),
        (
            "analytics_monthlyrollup",
            MONTHLY_COLUMNS,
            [
                f"SELECT {_expand(MONTHLY_SELECT, vendor)} FROM {MONTHLY_FROM.replace('{files}', files)}"
                for files in groups("rollup", 100_000)
            ],
        ),
    ]


def migrate(environment: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v0"],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.dev", **environment},
        check=True,
    )
    return time.perf_counter() - started


def _duckdb() -> Any:
    import duckdb

    connection = duckdb.connect()
    connection.execute("SET threads = 2")
    connection.execute("SET memory_limit = '4GB'")
    return connection


def _batches(query: str) -> Iterator[list[tuple[Any, ...]]]:
    connection = _duckdb()
    result = connection.execute(query)
    while True:
        rows = result.fetchmany(BATCH)
        if not rows:
            break
        yield rows
    connection.close()


def _check_categories(found: dict[str, int], template: Path) -> None:
    """The generated matters name categories by id: the target's seeded ids must be the template's."""
    with sqlite3.connect(template) as connection:
        expected = dict(connection.execute("SELECT code, id FROM matters_category").fetchall())
    if found != expected:
        raise SystemExit("The seeded categories of the bench database differ from the generator's: cannot load.")


# --- SQLite ---------------------------------------------------------------------------------------------------------


def load_sqlite(data: Path, path: Path, *, seed: int, template: Path, log: Any = print) -> dict[str, Any]:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    timings: dict[str, float] = {"migrate": migrate({"GRIDWORK_DB": "sqlite", "GRIDWORK_SQLITE_PATH": str(path)})}
    connection = sqlite3.connect(path, isolation_level=None)
    _check_categories(dict(connection.execute("SELECT code, id FROM matters_category").fetchall()), template)
    connection.execute("PRAGMA journal_mode = OFF")
    connection.execute("PRAGMA synchronous = OFF")
    connection.execute("PRAGMA cache_size = -4000000")
    connection.execute("PRAGMA temp_store = MEMORY")
    connection.execute("PRAGMA foreign_keys = OFF")
    indexes = connection.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN "
        f"({', '.join('?' * len(BIG_TABLES))})",
        BIG_TABLES,
    ).fetchall()
    connection.execute("BEGIN")
    for name, _sql in indexes:
        connection.execute(f'DROP INDEX "{name}"')
    city = build_city(seed)
    connection.executemany(
        f"INSERT INTO places_place ({', '.join(PLACE_COLUMNS)}) VALUES ({', '.join('?' * len(PLACE_COLUMNS))})",
        city.places,
    )
    connection.executemany(
        f"INSERT INTO places_department ({', '.join(DEPARTMENT_COLUMNS)}) "
        f"VALUES ({', '.join('?' * len(DEPARTMENT_COLUMNS))})",
        city.departments,
    )
    rows: dict[str, int] = {"places_place": len(city.places), "places_department": len(city.departments)}
    for table, columns, queries in sources(data, "sqlite"):
        started = time.perf_counter()
        count = 0
        placeholders = ", ".join("?" * len(columns.split(", ")))
        statement = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"
        for query in queries:
            for batch in _batches(query):
                connection.executemany(statement, batch)
                count += len(batch)
        rows[table] = count
        timings[f"insert {table}"] = time.perf_counter() - started
        log(f"  {table}: {count:,} rows in {timings[f'insert {table}']:.0f} s")
    connection.execute("COMMIT")
    started = time.perf_counter()
    for _name, sql in indexes:
        connection.execute(sql)
    timings["indexes"] = time.perf_counter() - started
    log(f"  {len(indexes)} indexes made again in {timings['indexes']:.0f} s")
    connection.execute("PRAGMA journal_mode = WAL")
    connection.close()
    return {"rows": rows, "seconds": {k: round(v, 1) for k, v in timings.items()}, "bytes": path.stat().st_size}


# --- PostgreSQL -----------------------------------------------------------------------------------------------------


def pg_connect(name: str) -> Any:
    import psycopg

    return psycopg.connect(
        host=os.environ["GRIDWORK_PG_HOST"],
        port=os.environ["GRIDWORK_PG_PORT"],
        user=os.environ["GRIDWORK_PG_USER"],
        password=os.environ["GRIDWORK_PG_PASSWORD"],
        dbname=name,
        autocommit=True,
    )


def _copy_table(connection: Any, table: str, columns: str, queries: list[str], staging: Path) -> int:
    """Truncate ``table`` and COPY the rows of ``queries`` into it, in one transaction."""
    with connection.transaction(), connection.cursor() as cursor:
        # Append-only triggers refuse TRUNCATE too, also on the (empty) tables the CASCADE reaches — co-construction's
        # event logs hang off matters: off for the load, on again below.
        cursor.execute(  # pg_trigger: information_schema.triggers does not show TRUNCATE triggers
            "SELECT DISTINCT tgrelid::regclass::text FROM pg_trigger WHERE tgname LIKE %s", ["%\\_no\\_truncate"]
        )
        guarded = sorted({table} | {name for (name,) in cursor.fetchall()})
        for name in guarded:
            cursor.execute(f"ALTER TABLE {name} DISABLE TRIGGER USER")
        cursor.execute(f"TRUNCATE {table} CASCADE")  # with wal_level=minimal, COPY then skips the WAL
        for query in queries:
            duck = _duckdb()
            duck.execute(f"COPY ({query}) TO '{staging}' (FORMAT csv, HEADER false)")
            duck.close()
            copy_sql = f"COPY {table} ({columns}) FROM STDIN (FORMAT csv, FREEZE)"
            with cursor.copy(copy_sql) as copy, staging.open("rb") as f:
                while block := f.read(1 << 20):
                    copy.write(block)
            staging.unlink()
        for name in guarded:
            cursor.execute(f"ALTER TABLE {name} ENABLE TRIGGER USER")
    return int(connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


def load_postgresql(data: Path, name: str, *, seed: int, template: Path, log: Any = print) -> dict[str, Any]:
    with pg_connect(os.environ["GRIDWORK_PG_NAME"]) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    timings: dict[str, float] = {"migrate": migrate({"GRIDWORK_DB": "postgresql", "GRIDWORK_PG_NAME": name})}
    connection = pg_connect(name)
    _check_categories(dict(connection.execute("SELECT code, id FROM matters_category").fetchall()), template)
    connection.execute("SET maintenance_work_mem = '2GB'")
    big = list(BIG_TABLES)
    constraints = connection.execute(
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE contype IN ('f', 'u') AND conrelid::regclass::text = ANY(%s) ORDER BY contype DESC, conname",
        (big,),
    ).fetchall()
    constraint_names = {name for _table, name, _definition in constraints}
    indexes = connection.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s) AND indexname NOT LIKE '%%_pkey'",
        (big,),
    ).fetchall()
    indexes = [(index, definition) for index, definition in indexes if index not in constraint_names]
    for table, constraint, _definition in constraints:
        connection.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{constraint}"')
    for index, _definition in indexes:
        connection.execute(f'DROP INDEX "{index}"')
    city = build_city(seed)
    with connection.cursor() as cursor:
        with cursor.copy(f"COPY places_place ({', '.join(PLACE_COLUMNS)}) FROM STDIN") as copy:
            for row in city.places:
                copy.write_row(tuple(f"{v}+00" if i in (11, 12) else v for i, v in enumerate(row)))
        with cursor.copy(f"COPY places_department ({', '.join(DEPARTMENT_COLUMNS)}) FROM STDIN") as copy:
            for row in city.departments:
                copy.write_row(row)
    rows: dict[str, int] = {"places_place": len(city.places), "places_department": len(city.departments)}
    for table, columns, queries in sources(data, "postgresql"):
        started = time.perf_counter()
        rows[table] = _copy_table(connection, table, columns, queries, data / "load.csv")
        timings[f"copy {table}"] = time.perf_counter() - started
        log(f"  {table}: {rows[table]:,} rows in {timings[f'copy {table}']:.0f} s")
    started = time.perf_counter()
    for _index, definition in indexes:
        connection.execute(definition)
    for table, constraint, definition in constraints:
        connection.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{constraint}" {definition}')
    timings["indexes and constraints"] = time.perf_counter() - started
    seconds = timings["indexes and constraints"]
    log(f"  {len(indexes)} indexes and {len(constraints)} constraints made again in {seconds:.0f} s")
    for table in ("places_place", "places_department", *BIG_TABLES):
        connection.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
    started = time.perf_counter()
    connection.execute("VACUUM ANALYZE")  # the big tables were written frozen and all-visible: quick for them
    timings["vacuum analyze"] = time.perf_counter() - started
    size = connection.execute("SELECT pg_database_size(current_database())").fetchone()[0]
    connection.close()
    return {"rows": rows, "seconds": {k: round(v, 1) for k, v in timings.items()}, "bytes": int(size)}
