"""Message files of the triage commands (triage_predict, triage_hotspots): UTF-8 CSV in, CSV out.

A file is read whole before anything is done with it; its first problem is a CommandError naming the file, the row
(the header is row 1), the column and the reason. Outputs are written to temporary files beside their targets and
renamed in place only when all are complete, so a failure leaves no output behind.
"""

from __future__ import annotations

import csv
import os
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path

from django.core.management.base import CommandError

MAX_ROWS = 1_000_000
Row = dict[str, str]


def read_messages(source: Path, columns: Sequence[str]) -> list[tuple[int, Row]]:
    """Each row with its number; every row has the ``columns`` (``id`` unique and not empty, ``title`` or
    ``detail`` not empty). Other columns are kept as they are."""
    try:
        with source.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            header = [name.strip() for name in reader.fieldnames or []]
            reader.fieldnames = header
            missing = [column for column in columns if column not in header]
            if missing:
                raise CommandError(f"{source}, row 1 (header), column {', '.join(missing)}: missing.")
            rows: list[tuple[int, Row]] = []
            seen: set[str] = set()
            for number, row in enumerate(reader, start=2):
                if None in row or any(row.get(column) is None for column in header):
                    raise CommandError(f"{source}, row {number}: the number of fields does not match the header.")
                _check(source, number, row, seen)
                rows.append((number, row))
                if len(rows) > MAX_ROWS:
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
    return rows


def _check(source: Path, number: int, row: Row, seen: set[str]) -> None:
    identifier = row["id"].strip()
    if not identifier:
        raise CommandError(f"{source}, row {number}, column id: empty.")
    if identifier in seen:
        raise CommandError(f"{source}, row {number}, column id: {identifier} appears twice.")
    seen.add(identifier)
    row["id"] = identifier
    if not (row.get("title", "").strip() or row.get("detail", "").strip()):
        raise CommandError(f"{source}, row {number}, column detail: no title and no text.")


def write_tables(outputs: Sequence[tuple[Path, Sequence[str], Iterable[Sequence[object]]]]) -> None:
    """Write each (target, header, rows): all of them, or none."""
    written: list[tuple[str, Path]] = []
    try:
        for target, header, rows in outputs:
            directory = target.parent if str(target.parent) else Path(".")
            try:
                handle, temporary = tempfile.mkstemp(dir=directory, prefix=f".{target.name}.", suffix=".tmp")
            except OSError as error:
                raise CommandError(f"{target}: cannot write: {error.strerror}") from error
            written.append((temporary, target))
            with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
                writer = csv.writer(out)
                writer.writerow(header)
                writer.writerows(rows)
        for temporary, target in written:
            os.replace(temporary, target)
    except OSError as error:
        raise CommandError(f"{error.filename or 'output'}: cannot write: {error.strerror}") from error
    finally:
        for temporary, _target in written:
            Path(temporary).unlink(missing_ok=True)
