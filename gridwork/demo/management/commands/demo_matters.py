"""Fill the demo city with a year of residents' matters from real public messages."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from gridwork.demo.matters import DEFAULT_SEED, demo_matters_build
from gridwork.demo.questions import demo_questions_seed
from gridwork.matters.models import Matter


class Command(BaseCommand):
    help = "Fill the demo city with about a year of matters whose texts are real residents' messages."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
        parser.add_argument("--limit", type=int, default=None, help="at most this many matters (default: all)")
        parser.add_argument("--if-empty", action="store_true", help="do nothing when matters exist already")

    def handle(self, *args: Any, **options: Any) -> None:
        demo_questions_seed()  # also into a demo built before categories had questions
        if options["if_empty"] and Matter.objects.exists():
            self.stdout.write("Demo matters are there already.")
            return
        count = demo_matters_build(seed=options["seed"], limit=options["limit"], log=self.stdout.write)
        self.stdout.write(self.style.SUCCESS(f"{count} demo matters filed."))
