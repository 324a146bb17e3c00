"""manage.py triage_hotspots --input IN.csv --output OUT.csv [--top 5] [--messages OUT2.csv]

The competition's hot-spot task (2020 TipDM Cup, problem C, task 2) on a message file (UTF-8, columns
``id,title,time,detail`` and optionally ``support,oppose``): groups the messages about the same problem at the same
place and time (``triage.hotspots``; the place is what the text names) and writes the hottest groups to OUT.csv
(``rank,heat,time_range,place,description,count,support,words``) and, with --messages, their messages to OUT2.csv
(``rank,id,title,time,support,oppose``). A bad file is refused with its file, row, column and reason, and no output
file is written.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gridwork.triage.hotspots import HotSpot, Report, hotspot_groups, place_mentions
from gridwork.triage.messagefiles import read_messages, write_tables

COLUMNS = ("id", "title", "time", "detail")
COUNT_COLUMNS = ("support", "oppose")
SPOT_HEADER = ("rank", "heat", "time_range", "place", "description", "count", "support", "words")
MESSAGE_HEADER = ("rank", "id", "title", "time", "support", "oppose")
TIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y-%m-%d", "%Y/%m/%d")


@dataclass(frozen=True)
class Message:
    id: str
    title: str
    detail: str
    time: datetime
    support: int
    oppose: int


class Command(BaseCommand):
    help = "Find the hot problems of a message file (id,title,time,detail[,support,oppose]) and write the top ones."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--input", required=True, type=Path)
        parser.add_argument("--output", required=True, type=Path, help="The hot-problem table.")
        parser.add_argument("--top", type=int, default=5, help="How many hot problems to write (default 5).")
        parser.add_argument("--messages", type=Path, default=None, help="The messages of each hot problem.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["top"] < 1:
            raise CommandError("--top must be at least 1.")
        started = time.monotonic()
        messages = read_file(options["input"])
        spots = hotspot_groups(
            (
                Report(
                    id=message.id,
                    title=message.title,
                    text=message.detail,
                    time=message.time,
                    places=place_mentions(f"{message.title}。{message.detail}"),
                    support=message.support + message.oppose,
                )
                for message in messages
            ),
            limit=options["top"],
        )
        by_id = {message.id: message for message in messages}
        outputs: list[tuple[Path, Sequence[str], Iterable[Sequence[object]]]] = [
            (options["output"], SPOT_HEADER, _spot_rows(spots))
        ]
        if options["messages"] is not None:
            outputs.append((options["messages"], MESSAGE_HEADER, _message_rows(spots, by_id)))
        write_tables(outputs)
        elapsed = time.monotonic() - started
        self.stdout.write(f"{len(messages)} messages, {len(spots)} hot problems written to {options['output']}.")
        for spot in spots:
            self.stdout.write(f"{spot.rank}. {spot.heat} ({spot.matter_count}) {spot.place}: {spot.title}")
        self.stdout.write(f"Took {elapsed:.1f} s.")


def _time_range(spot: HotSpot) -> str:
    return f"{spot.started_at:%Y-%m-%d} ~ {spot.ended_at:%Y-%m-%d}"


def _spot_rows(spots: Sequence[HotSpot]) -> list[list[object]]:
    return [
        [
            spot.rank,
            f"{spot.heat:.1f}",
            _time_range(spot),
            spot.place,
            spot.title,
            spot.matter_count,
            spot.support,
            " ".join(spot.words),
        ]
        for spot in spots
    ]


def _message_rows(spots: Sequence[HotSpot], by_id: dict[str, Message]) -> list[list[object]]:
    return [
        [
            spot.rank,
            by_id[member].id,
            by_id[member].title,
            f"{by_id[member].time:%Y-%m-%d %H:%M:%S}",
            by_id[member].support,
            by_id[member].oppose,
        ]
        for spot in spots
        for member in spot.member_ids
    ]


def read_file(source: Path) -> list[Message]:
    """Every message of ``source``, or CommandError naming the file, row, column and reason of the first problem."""
    rows = read_messages(source, COLUMNS)
    counted = [column for column in COUNT_COLUMNS if rows and column in rows[0][1]]
    return [_message(source, number, row, counted) for number, row in rows]


def _message(source: Path, number: int, row: dict[str, str], counted: Sequence[str]) -> Message:
    counts = dict.fromkeys(COUNT_COLUMNS, 0)
    for column in counted:
        value = row[column].strip()
        if value and not (value.isascii() and value.isdigit()):
            raise CommandError(f"{source}, row {number}, column {column}: {value!r} is not a whole number ≥ 0.")
        counts[column] = int(value or 0)
    return Message(
        id=row["id"],
        title=row["title"].strip(),
        detail=row["detail"].strip(),
        time=_parse_time(source, number, row["time"]),
        support=counts["support"],
        oppose=counts["oppose"],
    )


def _parse_time(source: Path, number: int, value: str) -> datetime:
    text = value.strip()
    for pattern in TIME_FORMATS:
        try:
            return datetime.strptime(text, pattern)
        except ValueError:
            continue
    raise CommandError(
        f"{source}, row {number}, column time: {text!r} is not a time like 2019-08-19 11:34:04."
        if text
        else f"{source}, row {number}, column time: empty."
    )
