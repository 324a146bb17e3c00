"""Generate a year of a very large city's matters once, as Parquet files that every database is loaded from.

``python -m bench.analytics.generate --matters N --out DIR`` (``run.py`` calls it) writes, in ``DIR``:

- ``matters-*.parquet``, ``events-*.parquet``, ``alerts-*.parquet``: the raw rows of ``matters_matter``,
  ``matters_matterevent`` and ``supervision_deadlinealert`` (times as epoch seconds, ``0`` for none), one file per
  chunk of days; the loaders add the constant columns and number the events;
- ``contrib-*.parquet``: what each event and each red alert adds to the rollup, one row per event with a non-empty
  count: the day, the units the matter lies in, the lead department at that moment, the first-level category,
  kind and channel, and the 18 counters. Each row is folded exactly as ``analytics.rebuild.fold_matter`` folds the
  record: the platform's ``workflow.apply`` gives the snapshots, ``analytics.rollup.step_counts`` and
  ``overdue_counts`` the counts, ``rollup.category_root`` the first-level category;
- ``rollup-*.parquet``: the rows of ``analytics_dailyrollup``, summed from the contributions by DuckDB for each unit
  the way ``rollup.row_keys`` lists them (city, district, street, community, grid, and the lead department when there
  is one; a detail row per category × kind × channel and a total row). ``run.py --verify`` checks on a small city
  that these are exactly the rows ``rebuild_rollup()`` recounts from the loaded matters, events and alerts;
- ``city.json`` and ``manifest.json``: the sizes, shares and timings.

The generator is deterministic for a seed and a number of matters. It works on 2 processes (``--workers``), each
drawing whole days; Django runs in each, on a small migrated SQLite database of its own, only for the categories.
"""

# The SQL here is built from the benchmark's own table and column names, numbers and file paths, never from input.
# ruff: noqa: S608

from __future__ import annotations

import argparse
import bisect
import csv
import json
import math
import os
import random
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
DAY = 86_400
TZ_OFFSET = 8 * 3600  # China time: no daylight saving, so a local day is (t + 8 h) // 1 day
YEAR_START = 1_735_660_800  # 2025-01-01 00:00 China time
DAYS = 365
NOW = YEAR_START + DAYS * DAY  # the data ends here: matters filed late in December are still open
CHINA = timezone(timedelta(hours=8))
OFFICE = ((30_600, 43_200), (50_400, 63_000))  # 08:30–12:00, 14:00–17:30
WORKDAY_SECONDS = 7 * 3600
SWEEP_EVERY = 300  # the deadline sweep runs every 5 minutes
COUNTERS = (
    "received",
    "dispatched",
    "responded",
    "responded_on_time",
    "returned",
    "extended",
    "overdue",
    "replied",
    "closed",
    "resolved",
    "closed_on_time",
    "reopened",
    "rated",
    "satisfied",
    "basically",
    "unsatisfied",
    "discarded",
    "handling_seconds",
)

# Shares of the channels of a big city's hotline platform (12345 dominates).
CHANNELS = (("hotline", 62), ("resident_web", 18), ("patrol", 14), ("api", 5), ("meeting", 1))
# Shares of the first-level categories (by code), roughly as in a city's 12345 statistics; the rest share 6 %.
ROOT_SHARES = {
    "T01": 22,
    "T04": 9,
    "T06": 7,
    "T15": 8,
    "T11": 5,
    "T12": 5,
    "T14": 5,
    "T09": 4,
    "T13": 3,
    "G1": 6,
    "G2": 9,
    "L1": 6,
    "L2": 5,
}
OTHER_ROOTS_SHARE = 6
NO_CATEGORY_AT_FILING = 0.08  # triage was not confident: the dispatcher picks the category
RECATEGORISED_AT_DISPATCH = 0.05
URGENT = 0.03
REPLIES = (
    "经核实，已安排人员到现场处理，问题已解决。",
    "您反映的问题已转相关部门，已完成整改。",
    "已联系物业公司，设施已修复。",
    "经现场查看，已责令当事人限期整改。",
    "已纳入今年维修计划，将尽快施工。",
)
NAMES = ("张先生", "李女士", "王先生", "刘女士", "陈先生", "杨女士", "赵先生", "黄女士", "周先生", "吴女士")
STAFF_NAMES = tuple(f"{name[0]}{given}" for name in NAMES for given in ("伟", "芳", "敏", "静", "强"))
ZEROS = (0,) * len(COUNTERS)
EPOCH = date(1970, 1, 1)
RETURN_REASONS = ("不属于本单位职责", "地址不在辖区", "需其他部门牵头")


def local_day(ts: int) -> int:
    return (ts + TZ_OFFSET) // DAY


def is_workday(day: int) -> bool:
    return (day + 3) % 7 < 5  # 1970-01-01 was a Thursday


def add_working_seconds(ts: int, seconds: int) -> int:
    """Office time on working days (Monday to Friday; the benchmark's calendar has no holidays)."""
    day, clock = divmod(ts + TZ_OFFSET, DAY)
    while True:
        if is_workday(day):
            for opens, closes in OFFICE:
                if clock >= closes:
                    continue
                begin = max(clock, opens)
                if seconds <= closes - begin:
                    return day * DAY + begin + seconds - TZ_OFFSET
                seconds -= closes - begin
                clock = closes
        day += 1
        clock = 0


def add_working_days(ts: int, days: int) -> int:
    """The same clock time on the ``days``-th working day after (as ``WorkCalendar.add_working_days``)."""
    day, clock = divmod(ts + TZ_OFFSET, DAY)
    while days:
        day += 1
        if is_workday(day):
            days -= 1
    return day * DAY + clock - TZ_OFFSET


def iso(ts: int) -> str:
    return datetime.fromtimestamp(ts, CHINA).isoformat()


@dataclass(frozen=True)
class Categories:
    """The seeded taxonomy: first-level codes with their leaves, default kinds, and the rollup's first level."""

    roots: list[int]
    root_weights: list[float]
    leaves: dict[int, list[int]]
    default_kind: dict[int, str]
    root_of: dict[int, int]


def load_categories() -> Categories:
    from gridwork.matters.models import Category

    rows = list(Category.objects.values_list("id", "code", "level", "default_kind"))
    by_code = {code: pk for pk, code, _level, _kind in rows}
    roots = [pk for pk, _code, level, _kind in rows if level == 1]
    code_of = {pk: code for pk, code, _level, _kind in rows}
    leaves: dict[int, list[int]] = {root: [] for root in roots}
    root_of: dict[int, int] = {}
    for pk, code, level, _kind in rows:
        root = by_code[code.split(".")[0]]
        root_of[pk] = root
        if level > 1:
            leaves[root].append(pk)
    for root in roots:
        leaves[root] = sorted(leaves[root]) or [root]
    others = [r for r in roots if code_of[r] not in ROOT_SHARES]
    weights = [
        float(ROOT_SHARES[code_of[r]]) if code_of[r] in ROOT_SHARES else OTHER_ROOTS_SHARE / len(others) for r in roots
    ]
    kinds = {pk: kind for pk, _code, _level, kind in rows}
    return Categories(roots=roots, root_weights=weights, leaves=leaves, default_kind=kinds, root_of=root_of)


def daily_counts(matters: int, seed: int) -> list[int]:
    """Matters filed per day of the year: fewer at weekends, more in summer (rain, heat, water), some noise."""
    rng = random.Random(f"{seed}:days")
    weights = []
    for d in range(DAYS):
        day = local_day(YEAR_START) + d
        weekend = 0.72 if not is_workday(day) else 1.0
        season = 1.0 + 0.22 * math.sin(2 * math.pi * (d - 100) / DAYS)
        weights.append(weekend * season * rng.uniform(0.9, 1.1))
    total = sum(weights)
    counts = [int(matters * w / total) for w in weights]
    for i in range(matters - sum(counts)):
        counts[i % DAYS] += 1
    return counts


# Filing hour of day (China time): the hotline answers day and night, most calls in office hours.
HOUR_WEIGHTS = (1, 0.6, 0.4, 0.3, 0.3, 0.5, 1.5, 3, 6, 8, 8, 7, 5, 5, 7, 7, 7, 6, 5, 4, 3.5, 3, 2, 1.5)


@dataclass
class Chunk:
    number: int
    first_id: int
    first_day: int  # index of the year's day
    counts: list[int]  # matters per day


class Writer:
    """Rows of one table, written as one Parquet file: a CSV file (Python's C writer), which DuckDB converts."""

    def __init__(self, columns: tuple[str, ...]) -> None:
        self.columns = columns
        self.rows: list[tuple[Any, ...]] = []
        self.add = self.rows.append

    def __len__(self) -> int:
        return len(self.rows)

    def write(self, path: Path, types: dict[str, str]) -> None:
        import duckdb

        staging = path.with_suffix(".csv")
        with staging.open("w", encoding="utf-8", newline="") as handle:
            csv.writer(handle, quoting=csv.QUOTE_NONNUMERIC).writerows(self.rows)
        columns = ", ".join(f"'{name}': '{SQL_TYPES[types.get(name, 'i8')]}'" for name in self.columns)
        connection = duckdb.connect()
        connection.execute("SET threads = 1")
        connection.execute(
            f"COPY (SELECT * FROM read_csv('{staging}', header = false, columns = {{{columns}}}, quote = '\"', "
            "escape = '\"', allow_quoted_nulls = false)) "
            f"TO '{path}' (FORMAT parquet, COMPRESSION snappy)"
        )
        connection.close()
        staging.unlink()


SQL_TYPES = {"i8": "BIGINT", "i4": "INTEGER", "str": "VARCHAR", "f8": "DOUBLE", "?": "BOOLEAN"}


MATTER_COLUMNS = (
    "id",
    "number",
    "channel",
    "title",
    "text",
    "kind",
    "urgency",
    "place_path",
    "latitude",
    "longitude",
    "reporter_name",
    "reporter_phone",
    "is_anonymous",
    "tracking_code_hash",
    "state",
    "version",
    "return_count",
    "reopen_count",
    "extension_pending",
    "extension_count",
    "extension_days",
    "consultation_recorded",
    "satisfaction",
    "closure_reason",
    "reply_text",
    "created_at",
    "updated_at",
    "dispatched_at",
    "accepted_at",
    "replied_at",
    "closed_at",
    "category_id",
    "community_id",
    "district_id",
    "grid_id",
    "lead_department_id",
    "lead_place_id",
    "street_id",
    "due_at",
    "due_stage",
    "hard_level",
    "hard_stage",
    "leader",
    "level_due",
    "overdue_count",
    "supervision_count",
    "supervision_open",
    "urge_count",
    "warn_at",
    "duplicate_of_id",
)
MATTER_TYPES = dict.fromkeys(
    (
        "number",
        "channel",
        "title",
        "text",
        "kind",
        "urgency",
        "place_path",
        "reporter_name",
        "reporter_phone",
        "tracking_code_hash",
        "state",
        "satisfaction",
        "closure_reason",
        "reply_text",
        "due_stage",
        "hard_stage",
        "leader",
    ),
    "str",
) | {"latitude": "f8", "longitude": "f8", "is_anonymous": "?", "extension_pending": "?", "supervision_open": "?"}
MATTER_TYPES["consultation_recorded"] = "?"
EVENT_COLUMNS = (
    "chunk",
    "local",
    "matter_id",
    "sequence",
    "action",
    "from_state",
    "to_state",
    "actor_name",
    "actor_role",
    "actor_unit",
    "at",
    "note",
    "data",
)
EVENT_TYPES = dict.fromkeys(
    ("action", "from_state", "to_state", "actor_name", "actor_role", "actor_unit", "note", "data"), "str"
) | {"chunk": "i4", "local": "i8", "sequence": "i4"}
ALERT_COLUMNS = ("matter_id", "subject", "stage", "due_at", "level", "raised_at")
ALERT_TYPES = {"subject": "str", "stage": "str", "level": "str"}
CONTRIB_COLUMNS = (
    "day",
    "grid",
    "community",
    "street",
    "district",
    "department",
    "category",
    "kind",
    "channel",
    *COUNTERS,
)
CONTRIB_TYPES = {"day": "i4", "kind": "str", "channel": "str"} | dict.fromkeys(
    ("grid", "community", "street", "district", "department", "category"), "i4"
)


class Generator:
    """One process's generator: draws whole days of matters, folds each through the platform's rollup steps."""

    def __init__(self, *, seed: int, city: Any, categories: Categories, messages: list[tuple[str, str]]) -> None:
        from gridwork.analytics import rebuild, rollup
        from gridwork.matters import workflow

        self.seed = seed
        self.city = city
        self.categories = categories
        self.messages = messages
        self.workflow = workflow
        self.rollup = rollup
        self.rebuild = rebuild
        self.contrib = Writer(CONTRIB_COLUMNS)
        self.units: tuple[int, int, int, int] = (0, 0, 0, 0)
        self.snapshots: list[Any] = []
        # The generator's process only: the fold's two module-level helpers point here (see ``_write``).
        rebuild.accumulate = self.accumulate  # type: ignore[assignment]
        rebuild.apply = self.apply  # type: ignore[assignment]
        grid_weights = [g.weight for g in city.grids]
        total = sum(grid_weights)
        self.grid_cumulative = []
        running = 0.0
        for weight in grid_weights:
            running += weight / total
            self.grid_cumulative.append(running)
        self.channels = [c for c, _w in CHANNELS]
        self.channel_weights = [float(w) for _c, w in CHANNELS]
        roots = categories.roots
        self.root_bureau = {r: i % 20 for i, r in enumerate(roots)}
        self.root_city = {r: city.city_departments[(i * 7) % len(city.city_departments)] for i, r in enumerate(roots)}
        self.root_service = {r: city.public_services[(i * 3) % len(city.public_services)] for i, r in enumerate(roots)}
        self.hour_cumulative: list[float] = []
        running = 0.0
        hour_total = sum(HOUR_WEIGHTS)
        for weight in HOUR_WEIGHTS:
            running += weight / hour_total
            self.hour_cumulative.append(running)

    # --- drawing ----------------------------------------------------------------------------------------------

    def _kind(self, rng: random.Random, root: int) -> str:
        base = self.categories.default_kind.get(root, "professional")
        u = rng.random()
        if base == "personal":
            return "personal" if u < 0.9 else "professional"
        if base == "community":
            return "community" if u < 0.85 else "professional"
        if u < 0.015:
            return "hard"
        if u < 0.095:
            return "community"
        if u < 0.12:
            return "personal"
        return "professional"

    def _lead(
        self, rng: random.Random, kind: str, root: int, grid: Any, avoid: tuple[int, int] | None
    ) -> tuple[int, int]:
        """(lead place id, lead department id), one of them 0."""
        for _ in range(4):
            if kind in {"professional", "hard"} or rng.random() < 0.1:
                u = rng.random()
                if u < 0.7:
                    bureaus = self.city.district_departments[grid.district_id]
                    bureau = self.root_bureau[root] if rng.random() < 0.8 else rng.randrange(len(bureaus))
                    lead = (0, bureaus[bureau])
                elif u < 0.92:
                    lead = (0, self.root_city[root] if rng.random() < 0.8 else rng.choice(self.city.city_departments))
                else:
                    lead = (0, self.root_service[root])
            else:
                lead = (grid.community_id if rng.random() < 0.8 else grid.street_id, 0)
            if lead != avoid:
                return lead
        return lead

    def _category(self, rng: random.Random) -> tuple[int, int]:
        root = rng.choices(self.categories.roots, weights=self.categories.root_weights)[0]
        return root, rng.choice(self.categories.leaves[root])

    # --- one chunk of days ------------------------------------------------------------------------------------

    def chunk(self, spec: Chunk, out: Path) -> dict[str, int]:
        rng = random.Random(f"{self.seed}:chunk:{spec.number}")
        matters = Writer(MATTER_COLUMNS)
        events = Writer(EVENT_COLUMNS)
        alerts = Writer(ALERT_COLUMNS)
        contrib = Writer(CONTRIB_COLUMNS)
        next_id = spec.first_id
        self.event_local = 0
        for offset, count in enumerate(spec.counts):
            day = local_day(YEAR_START) + spec.first_day + offset
            moments = sorted(
                day * DAY - TZ_OFFSET + bisect.bisect(self.hour_cumulative, rng.random()) * 3600 + rng.randrange(3600)
                for _ in range(count)
            )
            grids = rng.choices(self.city.grids, cum_weights=self.grid_cumulative, k=count)
            number_day = datetime.fromtimestamp(day * DAY, UTC).strftime("%Y%m%d")
            for sequence, (created, grid) in enumerate(zip(moments, grids, strict=True), start=1):
                self.matter(
                    rng,
                    matter_id=next_id,
                    number=f"GW{number_day}{sequence:07d}",
                    created=created,
                    grid=grid,
                    chunk=spec.number,
                    writers=(matters, events, alerts, contrib),
                )
                next_id += 1
        for name, writer, types in (
            ("matters", matters, MATTER_TYPES),
            ("events", events, EVENT_TYPES),
            ("alerts", alerts, ALERT_TYPES),
            ("contrib", contrib, CONTRIB_TYPES),
        ):
            writer.write(out / f"{name}-{spec.number:04d}.parquet", types)
        return {"chunk": spec.number, "matters": len(matters), "events": len(events), "alerts": len(alerts)}

    def matter(  # noqa: PLR0915 — one matter's story, told in order
        self,
        rng: random.Random,
        *,
        matter_id: int,
        number: str,
        created: int,
        grid: Any,
        chunk: int,
        writers: tuple[Writer, Writer, Writer, Writer],
    ) -> None:
        channel = rng.choices(self.channels, weights=self.channel_weights)[0]
        root, category = self._category(rng)
        urgency = "urgent" if rng.random() < URGENT else "normal"
        file_category = None if rng.random() < NO_CATEGORY_AT_FILING else category
        file_kind = self.categories.default_kind.get(root, "professional") if file_category else "personal"
        kind = self._kind(rng, root)
        # (action, at, data, deadline change): the change is None, ("set", stage, due, warn) or ("clear",).
        story: list[tuple[str, int, dict[str, Any], tuple[Any, ...] | None]] = []
        t = created
        story.append(
            (
                "file",
                t,
                {
                    "kind": file_kind,
                    "category_id": file_category,
                    "urgency": urgency,
                    "suggestion": {
                        "category_id": file_category,
                        "kind": file_kind,
                        "confidence": round(rng.uniform(0.6, 0.98), 3) if file_category else 0.31,
                        "unit": None,
                        "reasons": [],
                        "label": "",
                        "model_version": "keywords",
                    },
                },
                None,
            )
        )

        def later(median_seconds: float, sigma: float = 0.9) -> int:
            return max(60, int(rng.lognormvariate(math.log(median_seconds), sigma)))

        def deadline(stage: str, start: int, due: int, working: int = 0) -> tuple[dict[str, str], tuple[Any, ...]]:
            """The warning starts when a quarter of the time is left: of office time for a limit in working time."""
            warn = add_working_seconds(start, working * 3 // 4) if working else start + int((due - start) * 0.75)
            return {"stage": stage, "due_at": iso(due), "warn_at": iso(warn)}, ("set", stage, due, warn)

        reply_days = {"personal": 3, "hard": 15}.get(kind, 7)
        reply_working = 0 if urgency == "urgent" else reply_days * WORKDAY_SECONDS
        accept_working = 0 if urgency == "urgent" else 7200

        def reply_limit(start: int) -> int:
            if urgency == "urgent":
                return start + 24 * 3600
            return add_working_days(start, reply_days)

        def reply_duration(start: int, again: bool = False) -> int:
            if urgency == "urgent":
                return start + later(8 * 3600, 0.7)
            median_days = {"personal": 1.0, "hard": 6.0}.get(kind, 2.0) * (0.7 if again else 1.0)
            return add_working_seconds(start, later(median_days * WORKDAY_SECONDS, 0.7))

        discarded = rng.random() < 0.015
        if discarded:
            reason = "duplicate" if rng.random() < 0.35 else "invalid"
            data: dict[str, Any] = {"reason": reason}
            if reason == "duplicate":
                data["duplicate_of_id"] = max(1, matter_id - rng.randint(1, 2000))
            story.append(("discard", t + later(1800), data, ("clear",)))
        else:
            lead: tuple[int, int] | None = None
            level_due: int | None = None
            rounds = 0
            accepted_at = 0
            while True:
                rounds += 1
                if rounds > 1 and rng.random() < 0.05:  # a return ends as invalid after all
                    story.append(("discard", t + later(3600), {"reason": "invalid"}, ("clear",)))
                    break
                t += later(1200, 1.0) if rounds == 1 else later(3600, 1.0)
                if rounds > 1 or rng.random() < RECATEGORISED_AT_DISPATCH:
                    root, category = self._category(rng) if rounds == 1 else (root, category)
                lead = self._lead(rng, kind, root, grid, lead)
                due = t + 3600 if urgency == "urgent" else add_working_seconds(t, 7200)
                data = {"kind": kind, "category_id": category, "urgency": urgency}
                data["lead_place_id" if lead[0] else "lead_department_id"] = lead[0] or lead[1]
                data["co_units"] = []
                data["deadline"], change = deadline("accept", t, due, accept_working)
                if kind == "hard" and level_due is None:
                    level_due = add_working_days(t, 10)
                    data["level_due"] = iso(level_due)
                story.append(("dispatch", t, data, change))
                answer = t + later(1200, 0.8) if urgency == "urgent" else add_working_seconds(t, later(35 * 60, 0.8))
                if rng.random() < (0.05 if rounds == 1 else 0.03) and rounds < 3:
                    story.append(("return", answer, {"reason": rng.choice(RETURN_REASONS)}, ("clear",)))
                    t = answer
                    if rng.random() < 0.25:  # the dispatcher overrules: back to the same unit
                        t += later(3600, 0.8)
                        due = add_working_seconds(t, 7200)
                        data_overrule: dict[str, Any] = {"reason": "属于本单位职责"}
                        data_overrule["deadline"], change = deadline("accept", t, due, 7200)
                        story.append(("overrule", t, data_overrule, change))
                        answer = add_working_seconds(t, later(35 * 60, 0.8))
                    else:
                        continue
                t = answer
                accepted_at = t
                due = reply_limit(t)
                data = {}
                data["deadline"], change = deadline("reply", t, due, reply_working)
                story.append(("accept", t, data, change))
                reply_at = reply_duration(t)
                if rng.random() < 0.01 and rounds < 3:  # returned while in progress
                    t = t + (reply_at - t) // 3 + 60
                    story.append(("return", t, {"reason": rng.choice(RETURN_REASONS)}, ("clear",)))
                    continue
                break
            if accepted_at and (not story or story[-1][0] != "discard"):
                t = accepted_at
                due = next(c[2] for _a, _t, _d, c in reversed(story) if c and c[0] == "set")
                middle = [t + (reply_at - t) * k // 10 for k in range(1, 10)]
                if rng.random() < 0.04:  # asks for more time
                    days = rng.choice((3, 5, 5, 7))
                    ask = middle[5]
                    decided = ask + later(3 * 3600, 0.8)
                    story.append(("request_extension", ask, {"days": days}, None))
                    approved = rng.random() < 0.8
                    data = {"approved": approved, "days": days}
                    change = None
                    if approved:
                        moved = add_working_days(due, days)
                        data["deadline"], change = deadline("reply", decided, moved)
                        reply_at += days * 86_400
                    reply_at = max(reply_at, decided + later(86_400, 0.6))
                    story.append(("decide_extension", decided, data, change))
                if rng.random() < 0.3:
                    story.append(("progress", middle[2], {}, None))
                    if rng.random() < 0.25:
                        story.append(("progress", middle[4], {}, None))
                if rng.random() < 0.03:
                    story.append(("urge", middle[3], {}, None))
                if kind == "community":
                    story.append(("record_consultation", middle[7], {}, None))
                if level_due is not None:
                    escalate_at = level_due + rng.randrange(SWEEP_EVERY)
                    if escalate_at < reply_at - 60:
                        story.append(
                            ("escalate", escalate_at, {"level_due": iso(add_working_days(escalate_at, 10))}, None)
                        )
                story.sort(key=lambda item: item[1])
                t = max(reply_at, story[-1][1] + 60)
                if kind == "personal" and rng.random() < 0.3:
                    story.append(("close_by_agreement", t, {}, ("clear",)))
                else:
                    self._replied(rng, story, t, reply_limit, reply_working, reply_duration, deadline, later)
        story.sort(key=lambda item: item[1])
        self._write(
            rng,
            story,
            matter_id=matter_id,
            number=number,
            created=created,
            grid=grid,
            channel=channel,
            chunk=chunk,
            writers=writers,
        )

    def _replied(  # noqa: PLR0917
        self,
        rng: random.Random,
        story: list[Any],
        t: int,
        reply_limit: Callable[[int], int],
        reply_working: int,
        reply_duration: Callable[..., int],
        deadline: Callable[..., Any],
        later: Callable[..., int],
    ) -> None:
        reopened = False
        while True:
            data: dict[str, Any] = {"text": rng.choice(REPLIES)}
            callback_due = add_working_days(t, 3)
            data["deadline"], change = deadline("callback", t, callback_due, 3 * WORKDAY_SECONDS)
            story.append(("reply", t, data, change))
            if rng.random() < (0.85 if not reopened else 0.9):
                t = add_working_seconds(t, later(0.8 * WORKDAY_SECONDS, 0.6))
                u = rng.random()
                if not reopened:
                    rating = "satisfied" if u < 0.75 else "basically" if u < 0.92 else "unsatisfied"
                else:
                    rating = "satisfied" if u < 0.35 else "basically" if u < 0.7 else "unsatisfied"
                if rating == "unsatisfied" and not reopened:
                    reopened = True
                    data = {"satisfaction": rating}
                    data["deadline"], change = deadline("reply", t, reply_limit(t), reply_working)
                    story.append(("rate", t, data, change))
                    t = reply_duration(t, again=True)
                    continue
                story.append(("rate", t, {"satisfaction": rating}, ("clear",)))
                story.append(("verify_close", t + later(3 * 3600, 0.8), {}, ("clear",)))
            else:
                story.append(("verify_close", add_working_seconds(t, later(2 * WORKDAY_SECONDS, 0.5)), {}, ("clear",)))
            return

    def _write(  # noqa: PLR0915
        self,
        rng: random.Random,
        story: list[tuple[str, int, dict[str, Any], tuple[Any, ...] | None]],
        *,
        matter_id: int,
        number: str,
        created: int,
        grid: Any,
        channel: str,
        chunk: int,
        writers: tuple[Writer, Writer, Writer, Writer],
    ) -> None:
        """Cut the story at the end of the year, raise the sweep's alerts, fold it, and write the rows."""
        matters, events, alerts, contrib = writers
        workflow = self.workflow
        kept = []
        last = 0
        for action, planned, data, change in story:
            at = max(planned, last + 1)
            if at >= NOW:
                break
            kept.append((action, at, data, change))
            last = at
        # The deadline sweep: a deadline still running at its warning moment gets a yellow alert, one still running
        # at its end a red one (overdue), each at the next sweep; a move that sets or clears the deadline ends it.
        raised: list[tuple[int, str, int, str]] = []  # (raised_at, stage, due, level)
        current: tuple[Any, ...] | None = None
        for index in range(len(kept) + 1):
            end = kept[index][1] if index < len(kept) else NOW
            change = kept[index][3] if index < len(kept) else ("clear",)
            if change is None:
                continue
            if current is not None:
                _set, stage, due, warn = current
                yellow = warn + rng.randrange(SWEEP_EVERY)
                if yellow < min(end, due, NOW):
                    raised.append((yellow, stage, due, "yellow"))
                red = due + rng.randrange(SWEEP_EVERY)
                if red < min(end, NOW):
                    raised.append((red, stage, due, "red"))
            current = change if change[0] == "set" else None
        raised.sort()
        # The rollup: the platform's own fold of the record (``rebuild.fold_matter``), as ``rebuild_rollup()`` folds
        # the loaded rows, with its ``accumulate`` and ``apply`` pointed at this generator (see ``__init__``): each
        # event's counts become one contribution row, and each snapshot is kept for the event and matter rows.
        rebuild = self.rebuild
        red = [
            rebuild._Alert(
                at=datetime.fromtimestamp(raised_at, UTC), stage=stage, due_at=datetime.fromtimestamp(due, UTC)
            )
            for raised_at, stage, due, level in raised
            if level == "red"
        ]
        where = self.rollup.Where(
            grid_id=grid.id,
            community_id=grid.community_id,
            street_id=grid.street_id,
            district_id=grid.district_id,
            channel=channel,
            created_at=datetime.fromtimestamp(created, UTC),
        )
        self.contrib = contrib
        self.units = (grid.id, grid.community_id, grid.street_id, grid.district_id)
        self.snapshots = []
        rebuild.fold_matter({}, where, [(a, datetime.fromtimestamp(at, UTC), d) for a, at, d, _c in kept], red)
        snapshots = self.snapshots
        if len(snapshots) != len(kept):
            raise RuntimeError("fold_matter did not apply every event once")
        stamps: dict[str, int] = {}
        reply_text = ""
        before = workflow.Snapshot()
        for sequence, ((action, at, data, _change), snapshot) in enumerate(zip(kept, snapshots, strict=True), 1):
            role, unit = ACTORS.get(action, ("dispatcher", "12345热线"))
            if role == "lead":
                role = "department_handler" if snapshot.lead_department_id else "community_staff"
                unit = self.city.names.get(snapshot.lead_department_id or 0, "社区工作站")
            events.add(
                (
                    chunk,
                    self.event_local,
                    matter_id,
                    sequence,
                    action,
                    before.state,
                    snapshot.state,
                    "" if role in {"system", ""} else STAFF_NAMES[int(rng.random() * len(STAFF_NAMES))],
                    role,
                    unit,
                    at,
                    "",
                    json.dumps(data, ensure_ascii=False),
                )
            )
            before = snapshot
            self.event_local += 1
            stamp = STAMPS.get(action)
            if stamp:
                stamps[stamp] = at
            if action == "reply":
                reply_text = data["text"]
        for raised_at, stage, due, level in raised:
            alerts.add((matter_id, "matter", stage, due, level, raised_at))
        done = red
        title, text = self.messages[rng.randrange(len(self.messages))]
        s = snapshot
        matters.add(
            (
                matter_id,
                number,
                channel,
                title,
                text,
                s.kind,
                s.urgency,
                grid.path,
                round(self.city_lat(grid) + rng.uniform(-0.002, 0.002), 6),
                round(self.city_lng(grid) + rng.uniform(-0.002, 0.002), 6),
                rng.choice(NAMES) if channel == "hotline" else "",
                f"1{rng.randrange(3, 10)}{rng.randrange(10**9):09d}" if channel == "hotline" else "",
                channel == "resident_web" and rng.random() < 0.5,
                f"{rng.getrandbits(256):064x}",
                s.state,
                len(kept),
                s.return_count,
                s.reopen_count,
                s.extension_pending,
                s.extension_count,
                s.extension_days,
                s.consultation_recorded,
                s.satisfaction,
                s.closure_reason,
                reply_text,
                created,
                kept[-1][1],
                stamps.get("dispatched_at", 0),
                stamps.get("accepted_at", 0),
                stamps.get("replied_at", 0),
                stamps.get("closed_at", 0),
                s.category_id or 0,
                grid.community_id,
                grid.district_id,
                grid.id,
                s.lead_department_id or 0,
                s.lead_place_id or 0,
                grid.street_id,
                int(s.due_at.timestamp()) if s.due_at else 0,
                s.due_stage,
                s.hard_level,
                s.hard_stage,
                s.leader,
                int(s.level_due.timestamp()) if s.level_due else 0,
                len(done),
                s.supervision_count,
                s.supervision_open,
                s.urge_count,
                int(s.warn_at.timestamp()) if s.warn_at else 0,
                s.duplicate_of_id or 0,
            )
        )

    def accumulate(
        self,
        rows: Any,
        where: Any,
        counts: dict[str, int],
        *,
        at: datetime,
        department_id: int | None,
        category_id: int | None,
        kind: str,
    ) -> None:
        """``rollup.accumulate`` for one event: one contribution row instead of the rows of ``row_keys``."""
        if not counts:
            return
        self.contrib.add(
            (
                (self.rollup.local_day(at) - EPOCH).days,
                *self.units,
                department_id or 0,
                self.rollup.category_root(category_id),
                kind,
                where.channel,
                *map(counts.get, COUNTERS, ZEROS),
            )
        )

    def apply(self, snapshot: Any, action: str, data: dict[str, Any]) -> Any:
        """``workflow.apply``, keeping each snapshot."""
        after = self.workflow.apply(snapshot, action, data)
        self.snapshots.append(after)
        return after

    def city_lat(self, grid: Any) -> float:
        return self.grid_position[grid.id][0]

    def city_lng(self, grid: Any) -> float:
        return self.grid_position[grid.id][1]

    @property
    def grid_position(self) -> dict[int, tuple[float, float]]:
        found = getattr(self, "_positions", None)
        if found is None:
            found = {row[0]: (row[9], row[10]) for row in self.city.places if row[3] == "grid"}
            self._positions = found
        return found


ACTORS = {
    "file": ("", ""),
    "dispatch": ("dispatcher", "12345热线"),
    "overrule": ("dispatcher", "12345热线"),
    "discard": ("dispatcher", "12345热线"),
    "verify_close": ("dispatcher", "12345热线"),
    "rate": ("dispatcher", "12345热线"),
    "decide_extension": ("dispatcher", "12345热线"),
    "escalate": ("system", ""),
    "urge": ("district_staff", "区督查室"),
}
for _action in ("accept", "return", "progress", "request_extension", "record_consultation", "reply"):
    ACTORS[_action] = ("lead", "")
ACTORS["close_by_agreement"] = ("lead", "")
STAMPS = {
    "dispatch": "dispatched_at",
    "overrule": "dispatched_at",
    "accept": "accepted_at",
    "reply": "replied_at",
    "close_by_agreement": "closed_at",
    "verify_close": "closed_at",
    "discard": "closed_at",
}


def load_messages(seed: int, limit: int = 12_000, text_chars: int = 80) -> list[tuple[str, str]]:
    """Real residents' messages (data/tipdm2020): the title, and the text cut to ``text_chars`` characters."""
    rng = random.Random(f"{seed}:messages")
    found: list[tuple[str, str]] = []
    for name in ("citizen_messages_labeled.csv", "citizen_messages_unlabeled.csv"):
        with (ROOT / "data" / "tipdm2020" / name).open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                title, text = row["title"].strip()[:100], " ".join(row["detail"].split())[:text_chars]
                if title and len(text) >= 5:
                    found.append((title, text))
    rng.shuffle(found)
    return found[:limit]


# --- the processes ------------------------------------------------------------------------------------------------

_GENERATOR: Generator | None = None


def _setup_django(template: Path) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.dev"
    os.environ["GRIDWORK_DB"] = "sqlite"
    os.environ["GRIDWORK_SQLITE_PATH"] = str(template)
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def _worker_init(template: str, seed: int) -> None:
    global _GENERATOR  # noqa: PLW0603 — one generator per worker process
    _setup_django(Path(template))
    from bench.analytics.city import build_city

    _GENERATOR = Generator(seed=seed, city=build_city(seed), categories=load_categories(), messages=load_messages(seed))


def _worker_chunk(arguments: tuple[Chunk, str]) -> dict[str, int]:
    spec, out = arguments
    assert _GENERATOR is not None
    return _GENERATOR.chunk(spec, Path(out))


def plan_chunks(matters: int, seed: int, chunk_matters: int) -> list[Chunk]:
    counts = daily_counts(matters, seed)
    chunks: list[Chunk] = []
    first_id, day = 1, 0
    while day < DAYS:
        start = day
        total = 0
        while day < DAYS and (total == 0 or total + counts[day] <= chunk_matters):
            total += counts[day]
            day += 1
        chunks.append(Chunk(number=len(chunks), first_id=first_id, first_day=start, counts=counts[start:day]))
        first_id += total
    return chunks


def build_rollup(out: Path, *, memory: str = "6GB") -> dict[str, Any]:
    """Sum the contributions into the rollup's rows, month by month, numbered in (day, scattered) order."""
    import duckdb

    connection = duckdb.connect()
    connection.execute(f"SET memory_limit = '{memory}'")
    connection.execute(f"SET temp_directory = '{out / 'duckdb-tmp'}'")
    connection.execute("SET preserve_insertion_order = false")
    sums = ", ".join(f"sum({name})::BIGINT AS {name}" for name in COUNTERS)
    units = " UNION ALL ".join(
        f"SELECT day, '{kind}' AS unit_kind, {column} AS unit_id, category, kind, channel, {', '.join(COUNTERS)} "
        f"FROM c{' WHERE department <> 0' if kind == 'department' else ''}"
        for kind, column in (
            ("city", "0"),
            ("district", "district"),
            ("street", "street"),
            ("community", "community"),
            ("grid", "grid"),
            ("department", "department"),
        )
    )
    first = local_day(YEAR_START)
    months = []
    for month in range(1, 13):
        start = (datetime(2025, month, 1, tzinfo=UTC).timestamp() // DAY) - 0
        end = (datetime(2025 + month // 12, month % 12 + 1, 1, tzinfo=UTC).timestamp() // DAY) - 1
        months.append((int(start), int(end)))
    assert months[0][0] == first
    base = 1
    total_rows = 0
    files = []
    for number, (start, end) in enumerate(months):
        path = out / f"rollup-{number:02d}.parquet"
        connection.execute(
            f"""
            COPY (
                WITH c AS (SELECT * FROM read_parquet('{out}/contrib-*.parquet') WHERE day BETWEEN {start} AND {end}),
                u AS ({units}),
                r AS (
                    SELECT day, unit_kind, unit_id, true AS detail, category AS category_id, kind, channel, {sums}
                    FROM u GROUP BY day, unit_kind, unit_id, category, kind, channel
                    UNION ALL
                    SELECT day, unit_kind, unit_id, false, 0, '', '', {sums} FROM u GROUP BY day, unit_kind, unit_id
                )
                SELECT {base} - 1 + row_number() OVER (
                    ORDER BY day, hash(unit_kind, unit_id, detail, category_id, kind, channel)
                ) AS id, * FROM r ORDER BY id
            ) TO '{path}' (FORMAT parquet, COMPRESSION zstd)
            """
        )
        rows = connection.execute(f"SELECT count(*) FROM '{path}'").fetchone()
        count = int(rows[0]) if rows else 0
        base += count
        total_rows += count
        files.append(path.name)
    connection.close()
    return {"rows": total_rows, "files": files}


def generate(*, matters: int, seed: int, out: Path, workers: int, chunk_matters: int, template: Path) -> dict[str, Any]:
    import multiprocessing

    from bench.analytics.city import build_city

    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.parquet"):
        old.unlink()
    started = time.perf_counter()
    chunks = plan_chunks(matters, seed, chunk_matters)
    results: list[dict[str, int]] = []
    context = multiprocessing.get_context("fork")
    with context.Pool(workers, initializer=_worker_init, initargs=(str(template), seed)) as pool:
        for result in pool.imap_unordered(_worker_chunk, [(c, str(out)) for c in chunks]):
            results.append(result)
            done = sum(r["matters"] for r in results)
            print(
                f"  generated {done:,} of {matters:,} matters ({time.perf_counter() - started:.0f} s)",
                flush=True,
            )
    generated = time.perf_counter() - started
    results.sort(key=lambda r: r["chunk"])
    offsets = []
    base = 1
    for result in results:
        offsets.append((result["chunk"], base))
        base += result["events"]
    rollup_started = time.perf_counter()
    rollup = build_rollup(out)
    rolled = time.perf_counter() - rollup_started
    city = build_city(seed)
    manifest = {
        "matters": matters,
        "seed": seed,
        "year": 2025,
        "chunks": len(chunks),
        "event_offsets": offsets,
        "rows": {
            "matters": sum(r["matters"] for r in results),
            "events": sum(r["events"] for r in results),
            "alerts": sum(r["alerts"] for r in results),
            "rollup": rollup["rows"],
            "places": len(city.places),
            "departments": len(city.departments),
        },
        "seconds": {"generate": round(generated, 1), "rollup": round(rolled, 1)},
        "parquet_bytes": sum(p.stat().st_size for p in out.glob("*.parquet")),
        "workers": workers,
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return manifest


def make_template(template: Path) -> None:
    """A migrated SQLite database (the seeded categories) for the generator's processes; made once."""
    if template.exists():
        return
    import subprocess

    template.parent.mkdir(parents=True, exist_ok=True)
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
        "GRIDWORK_DB": "sqlite",
        "GRIDWORK_SQLITE_PATH": str(template),
    }
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=environment, check=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--matters", type=int, required=True)
    parser.add_argument("--seed", type=int, default=20250101)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--chunk-matters", type=int, default=60_000)
    parser.add_argument("--template", type=Path, default=ROOT / "var" / "bench" / "analytics" / "template.sqlite3")
    options = parser.parse_args(argv)
    make_template(options.template)
    manifest = generate(
        matters=options.matters,
        seed=options.seed,
        out=options.out,
        workers=options.workers,
        chunk_matters=options.chunk_matters,
        template=options.template,
    )
    print(json.dumps(manifest["rows"]), manifest["seconds"], flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
