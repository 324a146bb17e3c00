"""manage.py triage_predict --input IN.csv --output OUT.csv [--model VERSION]

Classifies each row of IN.csv (UTF-8, columns ``id,title,detail``) with the live model (or the given version) and
writes OUT.csv with ``id,label,confidence``, one row per input row, in the input's order. A bad file is refused with
its file, row, column and reason, and no output is written.
"""

from __future__ import annotations

import csv
import hashlib
import os
import tempfile
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gridwork.triage.classifier import TriageClassifier
from gridwork.triage.models import ModelStatus, TriageModel
from gridwork.triage.training import message_text

COLUMNS = ("id", "title", "detail")
MAX_ROWS = 1_000_000


class Command(BaseCommand):
    help = "Classify the messages of a CSV file (id,title,detail) into id,label,confidence."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--input", required=True, type=Path)
        parser.add_argument("--output", required=True, type=Path)
        parser.add_argument("--model", type=int, default=None, help="A model version (default: the live one).")

    def handle(self, *args: Any, **options: Any) -> None:
        source: Path = options["input"]
        rows = read_rows(source)
        model = self._model(options["model"])
        texts = [message_text(row["title"], row["detail"]) for row in rows]
        predictions = model.predict(texts)
        target: Path = options["output"]
        handle, temporary = tempfile.mkstemp(dir=target.parent if target.parent.exists() else None, suffix=".csv")
        try:
            with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
                writer = csv.writer(out)
                writer.writerow(["id", "label", "confidence"])
                for row, prediction in zip(rows, predictions, strict=True):
                    writer.writerow([row["id"], prediction.label, f"{prediction.confidence:.4f}"])
            os.replace(temporary, target)
        except OSError as error:
            Path(temporary).unlink(missing_ok=True)
            raise CommandError(f"{target}: cannot write: {error.strerror}") from error
        self.stdout.write(f"{len(rows)} messages classified into {target}.")

    def _model(self, version: int | None) -> TriageClassifier:
        found = (
            TriageModel.objects.filter(version=version)
            if version
            else TriageModel.objects.filter(status=ModelStatus.LIVE)
        )
        row = found.first()
        if row is None:
            raise CommandError(f"No triage model v{version}." if version else "No live triage model: run triage_train.")
        artefact = bytes(row.artefact)
        if hashlib.sha256(artefact).hexdigest() != row.artefact_sha256:
            raise CommandError(f"Triage model v{row.version}: the artefact does not match its hash; refusing it.")
        return TriageClassifier.from_bytes(artefact)


def read_rows(source: Path) -> list[dict[str, str]]:
    """Every row of ``source``, or CommandError naming the file, row, column and reason of the first problem."""
    try:
        with source.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            header = reader.fieldnames or []
            missing = [column for column in COLUMNS if column not in header]
            if missing:
                raise CommandError(f"{source}, row 1 (header): missing column {', '.join(missing)}.")
            rows: list[dict[str, str]] = []
            seen: set[str] = set()
            for number, row in enumerate(reader, start=2):
                if None in row or any(row.get(column) is None for column in COLUMNS):
                    raise CommandError(f"{source}, row {number}: the number of fields does not match the header.")
                identifier = row["id"].strip()
                if not identifier:
                    raise CommandError(f"{source}, row {number}, column id: empty.")
                if identifier in seen:
                    raise CommandError(f"{source}, row {number}, column id: {identifier} appears twice.")
                seen.add(identifier)
                if not (row["title"].strip() or row["detail"].strip()):
                    raise CommandError(f"{source}, row {number}, column detail: no title and no text to classify.")
                rows.append({"id": identifier, "title": row["title"], "detail": row["detail"]})
                if len(rows) > MAX_ROWS:
                    raise CommandError(f"{source}: more than {MAX_ROWS} rows; split the file.")
    except FileNotFoundError as error:
        raise CommandError(f"{source}: no such file.") from error
    except UnicodeDecodeError as error:
        raise CommandError(f"{source}: not UTF-8 text (byte {error.start}).") from error
    except csv.Error as error:
        raise CommandError(f"{source}: not a readable CSV file ({error}).") from error
    return rows
