"""manage.py triage_predict --input IN.csv --output OUT.csv [--model VERSION]

Classifies each row of IN.csv (UTF-8, columns ``id,title,detail``) with the live model (or the given version) and
writes OUT.csv with ``id,label,confidence``, one row per input row, in the input's order. A bad file is refused with
its file, row, column and reason, and no output is written.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gridwork.triage.artefacts import ArtefactUnusable, load_classifier
from gridwork.triage.classifier import TriageClassifier, message_text
from gridwork.triage.messagefiles import read_messages, write_tables
from gridwork.triage.models import ModelStatus, TriageModel

COLUMNS = ("id", "title", "detail")


class Command(BaseCommand):
    help = "Classify the messages of a CSV file (id,title,detail) into id,label,confidence."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--input", required=True, type=Path)
        parser.add_argument("--output", required=True, type=Path)
        parser.add_argument("--model", type=int, default=None, help="A model version (default: the live one).")

    def handle(self, *args: Any, **options: Any) -> None:
        rows = [row for _number, row in read_messages(options["input"], COLUMNS)]
        model = self._model(options["model"])
        predictions = model.predict([message_text(row["title"], row["detail"]) for row in rows])
        write_tables(
            [
                (
                    options["output"],
                    ("id", "label", "confidence"),
                    (
                        (row["id"], prediction.label, f"{prediction.confidence:.4f}")
                        for row, prediction in zip(rows, predictions, strict=True)
                    ),
                )
            ]
        )
        self.stdout.write(f"{len(rows)} messages classified into {options['output']}.")

    def _model(self, version: int | None) -> TriageClassifier:
        found = (
            TriageModel.objects.filter(version=version)
            if version
            else TriageModel.objects.filter(status=ModelStatus.LIVE)
        )
        row = found.defer("artefact").first()
        if row is None:
            raise CommandError(f"No triage model v{version}." if version else "No live triage model: run triage_train.")
        try:
            return load_classifier(row)
        except ArtefactUnusable as error:
            raise CommandError(f"{error}; refusing it.") from error
