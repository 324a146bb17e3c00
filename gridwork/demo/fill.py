"""What every command that fills the demo city with one module's work shares: its options, the guards before it
writes (DEBUG off, no demo city, the module's work there already) and the summary it prints after."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar, Protocol

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from gridwork.demo.build import demo_city_exists


class FillSummary(Protocol):
    """What a build returns: the communities filled, how long it took, and the counts of what it made."""

    @property
    def communities(self) -> Sequence[str]: ...

    @property
    def seconds(self) -> float: ...

    @property
    def counts(self) -> Mapping[str, int]: ...


class DemoFillCommand(BaseCommand):
    """Fill the demo city's first communities with one module's work, made through its services.

    A subclass says what it fills (``exists``, ``build``), the help of its options, and its messages; ``after`` adds
    lines after the summary (where to sign in, where to look)."""

    default_seed: ClassVar[int]
    max_communities: ClassVar[int]
    seed_help: ClassVar[str] = "the same seed gives the same data"
    if_empty_help: ClassVar[str]
    debug_help: ClassVar[str]
    # Translated messages (gettext_lazy): why DEBUG off refuses, the work is there (--if-empty), the work is there
    # (refused), and the line before building (with %(seed)d).
    debug_refusal: ClassVar[Any]
    there_already: ClassVar[Any]
    cannot_again: ClassVar[Any]
    filling: ClassVar[Any]

    def exists(self) -> bool:
        raise NotImplementedError

    def build(self, *, seed: int, communities: int, log: Callable[[str], Any]) -> FillSummary:
        raise NotImplementedError

    def after(self, summary: FillSummary) -> None:
        """Lines after the summary; none by default."""

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=self.default_seed, help=self.seed_help)
        parser.add_argument(
            "--communities", type=int, default=self.max_communities, help="in how many communities (the first by code)"
        )
        parser.add_argument("--if-empty", action="store_true", help=self.if_empty_help)
        parser.add_argument("--allow-without-debug", action="store_true", help=self.debug_help)

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["allow_without_debug"]:
            raise CommandError(str(self.debug_refusal))
        if options["communities"] < 1:
            raise CommandError(_("--communities must be at least 1."))
        if not demo_city_exists():
            self.stdout.write(_("No demo city: run “manage.py demo_city” first."))
            return
        if self.exists():
            if options["if_empty"]:
                self.stdout.write(str(self.there_already))
                return
            raise CommandError(str(self.cannot_again))
        self.stdout.write(str(self.filling) % {"seed": options["seed"]})
        summary = self.build(seed=options["seed"], communities=options["communities"], log=self.stdout.write)
        if not summary.communities:
            return
        self.stdout.write(
            _("Built in %(seconds).1f s, in %(communities)s:")
            % {"seconds": summary.seconds, "communities": "、".join(summary.communities)}
        )
        for label, count in summary.counts.items():
            self.stdout.write(f"  {label:<36} {count:>7,}")
        self.after(summary)
