"""manage.py triage_train [--if-missing] [--seed N] [--repeats N] [--no-promote]

Trains a new triage model version on the shipped labelled messages and every dispatcher correction, reports its
cross-validated macro-F1 and puts it live if it is not worse than the live one. ``--if-missing`` (used by
``make run``) does nothing when a live model exists.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gridwork.triage.artefacts import usable
from gridwork.triage.models import ModelStatus, TriageModel, Trigger
from gridwork.triage.training import train


class Command(BaseCommand):
    help = "Train a new triage model; it goes live if its cross-validated macro-F1 is not worse than the live one."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--if-missing", action="store_true", help="Only if there is no live model yet.")
        parser.add_argument("--seed", type=int, default=None, help="Random seed (default: settings.TRIAGE_SEED).")
        parser.add_argument("--repeats", type=int, default=None, help="Cross-validation repeats of 5 folds.")
        parser.add_argument("--no-promote", action="store_true", help="Store the model as a candidate only.")
        parser.add_argument("--force", action="store_true", help="Train even if the live model has the same data.")

    def handle(self, *args: Any, **options: Any) -> None:
        live = TriageModel.objects.filter(status=ModelStatus.LIVE).defer("artefact").first()
        if options["if_missing"] and live is not None and usable(live):
            self.stdout.write("A live triage model exists; nothing to do.")
            return
        trigger = Trigger.FIRST_START if options["if_missing"] else Trigger.COMMAND
        if options["repeats"] is not None and options["repeats"] < 1:
            raise CommandError("--repeats must be at least 1.")
        try:
            model = train(
                trigger=trigger,
                seed=options["seed"],
                repeats=options["repeats"],
                promote=not options["no_promote"],
                force=options["force"],
            )
        except ValueError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Triage model v{model.version}: macro-F1 {model.cv_macro_f1:.3f} ± {model.cv_macro_f1_std:.3f} "
            f"({model.metrics.get('folds')}×{model.metrics.get('repeats')} cross-validation, "
            f"{model.sample_count} messages, {model.correction_count} corrections, {model.training_seconds:.1f} s) "
            f"— {model.status}"
        )
