"""manage.py triage_hotspots --input IN.csv --output OUT.csv [--top 5] [--messages OUT2.csv]

The competition's hot-spot task (2020 TipDM Cup, problem C, task 2) on a message file (UTF-8, columns
``id,title,time,detail`` and optionally ``support,oppose``): groups the messages about the same problem at the same
place and time (``triage.hotspots``; the place is what the text names) and writes the hottest groups to OUT.csv
(``rank,heat,time_range,place,description,count,support,words``) and, with --messages, their messages to OUT2.csv
(``rank,id,title,time,support,oppose``). A bad file is refused with its file, row, column and reason, and no output
file is written.
"""

from __future__ import annotations

import csv
import os
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gridwork.triage.hotspots import HotSpot, Report, hotspot_groups, place_mentions

COLUMNS = ("id", "title", "time", "detail")
COUNT_COLUMNS = ("support", "oppose")
TIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y-%m-%d", "%Y/%m/%d")
MAX_ROWS = 1_000_000


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
        messages = read_messages(options["input"])
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
        outputs: list[tuple[Path, Callable[[Any], None]]] = [(options["output"], lambda w: _write_spots(w, spots))]
        if options["messages"] is not None:
            outputs.append((options["messages"], lambda w: _write_messages(w, spots, by_id)))
        _write_all(outputs)
        elapsed = time.monotonic() - started
        self.stdout.write(f"{len(messages)} messages, {len(spots)} hot problems written to {options['output']}.")
        for spot in spots:
            self.stdout.write(f"{spot.rank}. {spot.heat} ({spot.matter_count}) {spot.place}: {spot.title}")
        self.stdout.write(f"Took {elapsed:.1f} s.")


def _time_range(spot: HotSpot) -> str:
    return f"{spot.started_at:%Y-%m-%d} ~ {spot.ended_at:%Y-%m-%d}"


def _write_spots(writer: Any, spots: Sequence[HotSpot]) -> None:
    writer.writerow(["rank", "heat", "time_range", "place", "description", "count", "support", "words"])
    for spot in spots:
        writer.writerow(
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
        )


def _write_messages(writer: Any, spots: Sequence[HotSpot], by_id: dict[str, Message]) -> None:
    writer.writerow(["rank", "id", "title", "time", "support", "oppose"])
    for spot in spots:
        for member in spot.member_ids:
            message = by_id[member]
            writer.writerow(
                [
                    spot.rank,
                    message.id,
                    message.title,
                    f"{message.time:%Y-%m-%d %H:%M:%S}",
                    message.support,
                    message.oppose,
                ]
            )


def _write_all(outputs: Sequence[tuple[Path, Callable[[Any], None]]]) -> None:
    """Each output to a temporary file beside it, then all renamed in place: a failure leaves no output behind."""
    written: list[tuple[str, Path]] = []
    try:
        for target, fill in outputs:
            directory = target.parent if str(target.parent) else Path(".")
            try:
                handle, temporary = tempfile.mkstemp(dir=directory, prefix=f".{target.name}.", suffix=".tmp")
            except OSError as error:
                raise CommandError(f"{target}: cannot write: {error.strerror}") from error
            written.append((temporary, target))
            with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
                fill(csv.writer(out))
        for temporary, target in written:
            os.replace(temporary, target)
    except OSError as error:
        raise CommandError(f"{error.filename or 'output'}: cannot write: {error.strerror}") from error
    finally:
        for temporary, _target in written:
            Path(temporary).unlink(missing_ok=True)


def read_messages(source: Path) -> list[Message]:
    """Every row of ``source``, or CommandError naming the file, row, column and reason of the first problem."""
    try:
        with source.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            header = [name.strip() for name in reader.fieldnames or []]
            reader.fieldnames = header
            missing = [column for column in COLUMNS if column not in header]
            if missing:
                raise CommandError(f"{source}, row 1 (header), column {', '.join(missing)}: missing.")
            counted = [column for column in COUNT_COLUMNS if column in header]
            messages: list[Message] = []
            seen: set[str] = set()
            for number, row in enumerate(reader, start=2):
                if None in row or any(row.get(column) is None for column in header):
                    raise CommandError(f"{source}, row {number}: the number of fields does not match the header.")
                messages.append(_message(source, number, row, counted, seen))
                if len(messages) > MAX_ROWS:
                    raise CommandError(f"{source}: more than {MAX_ROWS} rows; split the file.")
    except FileNotFoundError as error:
        raise CommandError(f"{source}: no such file.") from error
    except IsADirectoryError as error:
        raise CommandError(f"{source}: a directory, not a file.") from error
    except PermissionError as error:
        raise CommandError(f"{source}: not readable ({error.strerror}).") from error
    except UnicodeDecodeError as error:
        raise CommandError(f"{source}: not UTF-8 text (byte {error.start}).") from error
    except csv.Error as error:
        raise CommandError(f"{source}: not a readable CSV file ({error}).") from error
    return messages


def _message(source: Path, number: int, row: dict[str, str], counted: Sequence[str], seen: set[str]) -> Message:
    identifier = row["id"].strip()
    if not identifier:
        raise CommandError(f"{source}, row {number}, column id: empty.")
    if identifier in seen:
        raise CommandError(f"{source}, row {number}, column id: {identifier} appears twice.")
    seen.add(identifier)
    if not (row["title"].strip() or row["detail"].strip()):
        raise CommandError(f"{source}, row {number}, column detail: no title and no text.")
    counts = dict.fromkeys(COUNT_COLUMNS, 0)
    for column in counted:
        value = row[column].strip()
        if value and not (value.isascii() and value.isdigit()):
            raise CommandError(f"{source}, row {number}, column {column}: {value!r} is not a whole number ≥ 0.")
        counts[column] = int(value or 0)
    return Message(
        id=identifier,
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
