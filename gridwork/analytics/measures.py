"""The measures of the assessment (三率 and the digital-city figures), each with the words that say how it is computed.

Counts come from the rollup (``analytics.rollup``); rates are worked out here from summed counts, so that a rate
over a month is the month's numerator over the month's denominator, never an average of daily rates. A rate with
nothing to divide by is ``None`` (shown "—"), not zero.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from gridwork.analytics.models import AnalyticsSettings


@dataclass(frozen=True)
class Definition:
    key: str
    label: str | Promise
    how: str | Promise
    percent: bool = False


DEFINITIONS: tuple[Definition, ...] = (
    Definition(
        "received",
        _("Received"),
        _("Matters filed in the area in the period, from every channel (立案数)."),
    ),
    Definition(
        "dispatched",
        _("Dispatched"),
        _(
            "Dispatches to a handling unit in the period; a matter dispatched again after a return (or sent back to "
            "the same unit when the return is overruled) counts again."
        ),
    ),
    Definition(
        "response_rate",
        _("Response rate"),
        _(
            "Answers to a dispatch (accepted or returned) given before the accept deadline, divided by all answers "
            "in the period. A deadline that passes unanswered counts as a late answer on the day it passes; the "
            "late answer itself is then not counted again (响应率)."
        ),
        percent=True,
    ),
    Definition(
        "resolution_rate",
        _("Resolution rate"),
        _(
            "Matters closed in the period as resolved — replied or closed with the resident's agreement and never "
            "sent back by the resident, or rated satisfied or basically satisfied after being sent back — divided "
            "by all matters closed in the period (discarded duplicates and invalid reports are not counted) (解决率)."
        ),
        percent=True,
    ),
    Definition(
        "satisfaction_rate",
        _("Satisfaction rate"),
        _(
            "Over the matters closed in the period with a rating: each 'satisfied' counts its value (default 1), "
            "each 'basically satisfied' its value (default 0.8), 'not satisfied' 0, divided by the rated matters. "
            "The last rating of a matter counts; unrated matters are left out (满意率)."
        ),
        percent=True,
    ),
    Definition(
        "on_time_rate",
        _("On-time closure rate"),
        _(
            "Matters closed in the period whose handling units never missed an accept or reply deadline, divided by "
            "all closed (按期结案率). A late call-back is the dispatch centre's and does not count here."
        ),
        percent=True,
    ),
    Definition(
        "reopen_rate",
        _("Reopen rate"),
        _("Closed matters that the resident sent back at least once (返工), divided by all closed in the period."),
        percent=True,
    ),
    Definition(
        "returned",
        _("Returns"),
        _("Returns of a matter by its handling unit to the dispatcher in the period; each return counts (退单)."),
    ),
    Definition(
        "extended",
        _("Extensions"),
        _("Extension requests approved in the period (延期)."),
    ),
    Definition(
        "overdue",
        _("Overdue"),
        _(
            "Deadlines (accept, reply, call-back) that passed in the period without the step being taken, counted "
            "on the day the sweep finds them or the late step is taken, whichever is first; a matter late at two "
            "stages counts twice (超期). A late call-back counts for the area, not for the department."
        ),
    ),
    Definition(
        "closed",
        _("Closed"),
        _("Matters closed in the period, resolved or closed with the resident's agreement (结案数)."),
    ),
    Definition(
        "average_days",
        _("Average handling time (days)"),
        _("From filing to closing, averaged over the matters closed in the period, in calendar days."),
    ),
    Definition(
        "composite",
        _("Composite score"),
        _(
            "Weighted sum of the response, resolution and satisfaction rates (default 20/40/40), out of 100. A rate "
            "with nothing to count is left out and the other weights are scaled up; a unit with none is not ranked."
        ),
    ),
)

DEFINITION_BY_KEY = {definition.key: definition for definition in DEFINITIONS}


@dataclass(frozen=True)
class Weights:
    response: int = 20
    resolution: int = 40
    satisfaction: int = 40
    satisfied_value: Decimal = Decimal("1.00")
    basically_value: Decimal = Decimal("0.80")

    @classmethod
    def current(cls) -> Weights:
        settings = AnalyticsSettings.current()
        return cls(
            response=settings.response_weight,
            resolution=settings.resolution_weight,
            satisfaction=settings.satisfaction_weight,
            satisfied_value=settings.satisfied_value,
            basically_value=settings.basically_value,
        )


def _ratio(numerator: float, denominator: float) -> float | None:
    return numerator / denominator if denominator else None


@dataclass(frozen=True)
class Figures:
    """The measures of one unit over one period, from its summed counts."""

    counts: Mapping[str, int]
    weights: Weights

    def __getitem__(self, key: str) -> float | int | None:
        return self.value(key)

    def count(self, name: str) -> int:
        return int(self.counts.get(name, 0) or 0)

    @property
    def response_rate(self) -> float | None:
        return _ratio(self.count("responded_on_time"), self.count("responded"))

    @property
    def resolution_rate(self) -> float | None:
        return _ratio(self.count("resolved"), self.count("closed"))

    @property
    def satisfaction_rate(self) -> float | None:
        weighted = float(self.weights.satisfied_value) * self.count("satisfied") + float(
            self.weights.basically_value
        ) * self.count("basically")
        return _ratio(weighted, self.count("rated"))

    @property
    def on_time_rate(self) -> float | None:
        return _ratio(self.count("closed_on_time"), self.count("closed"))

    @property
    def reopen_rate(self) -> float | None:
        return _ratio(self.count("reopened"), self.count("closed"))

    @property
    def average_days(self) -> float | None:
        return _ratio(self.count("handling_seconds") / 86400, self.count("closed"))

    @property
    def composite(self) -> float | None:
        """Out of 100; None when none of the three rates has anything to count."""
        parts = [
            (self.weights.response, self.response_rate),
            (self.weights.resolution, self.resolution_rate),
            (self.weights.satisfaction, self.satisfaction_rate),
        ]
        present = [(weight, rate) for weight, rate in parts if rate is not None and weight > 0]
        weight_sum = sum(weight for weight, _rate in present)
        if not weight_sum:
            return None
        return 100 * sum(weight * rate for weight, rate in present) / weight_sum

    def value(self, key: str) -> float | int | None:
        """A measure by its key in ``DEFINITIONS``, or a raw count by its counter name."""
        if key in {"response_rate", "resolution_rate", "satisfaction_rate", "on_time_rate", "reopen_rate"}:
            return getattr(self, key)
        if key in {"average_days", "composite"}:
            return getattr(self, key)
        return self.count(key)

    def as_dict(self) -> dict[str, float | int | None]:
        values: dict[str, float | int | None] = dict(self.counts)
        for definition in DEFINITIONS:
            values[definition.key] = self.value(definition.key)
        return values


NOTHING = "—"


def format_percent(value: float | None) -> str:
    """A rate or share as every page, chart label and screen shows it: 0.8333 → "83.3%"; None → "—"."""
    return NOTHING if value is None else f"{100 * value:.1f}%"


def format_score(value: float | None) -> str:
    """A composite score out of 100, or a mean, with one decimal; None → "—"."""
    return NOTHING if value is None else f"{value:.1f}"
