"""manage.py analytics_rises [--day YYYY-MM-DD]

研判 of one day (by default yesterday, China time): the unusual rises of a category in a community and the repeated
complaints about one place (``analytics.rises``). New alerts are written and sent to the communities' staff; alerts
an earlier run wrote are listed again and not sent twice. Prints each alert with its evidence.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from gridwork.analytics.models import RiseAlert, RiseKind
from gridwork.analytics.rises import ALPHA, BASELINE_DAYS, MIN_COUNT, detect_rises


def parse_day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise CommandError(f"--day: {text!r} is not a date (YYYY-MM-DD).") from error


def describe(alert: RiseAlert) -> str:
    if alert.kind == RiseKind.RISE:
        category = alert.category.name if alert.category else "-"
        return (
            f"rise  {alert.community.name} · {category}: {alert.count} matters, "
            f"expected {alert.baseline:.2f} a day, p = {alert.p_value or 0:.1e}"
        )
    return f"place {alert.community.name} · group {alert.place_key}: {alert.count} matters"


class Command(BaseCommand):
    help = "Find the unusual rises and repeated complaints of a day, write and send the new alerts."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--day", type=parse_day, default=None, help="The day (default: yesterday, China time).")

    def handle(self, *args: Any, **options: Any) -> None:
        day = options["day"] or timezone.localdate() - timedelta(days=1)
        report = detect_rises(day)
        if report.history:
            self.stdout.write(
                f"{day}: {report.tested} community × category cells with at least {MIN_COUNT} matters tested "
                f"(one-sided Poisson against the {BASELINE_DAYS} days before, alpha {ALPHA})."
            )
        else:
            self.stdout.write(f"{day}: rises not tested: the rollup does not hold the {BASELINE_DAYS} days before.")
        created = {alert.pk for alert in report.created}
        for alert in report.alerts:
            self.stdout.write(f"  {'new ' if alert.pk in created else 'seen'} #{alert.pk} {describe(alert)}")
        self.stdout.write(f"{len(report.created)} new alerts, {len(report.existing)} found before.")
