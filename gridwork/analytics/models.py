"""Analysis (研判): the rollup of the closed loop's counts per day and unit, the assessment settings, and the unusual
rises the daily detection found."""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gridwork.common.scope import ScopedQuerySet
from gridwork.matters.models import Category, Matter
from gridwork.places.models import Place


class UnitKind(models.TextChoices):
    """The units a rollup row counts for: the levels of the area a matter lies in, and the lead department."""

    CITY = "city", _("City")
    DISTRICT = "district", _("District")
    STREET = "street", _("Street")
    COMMUNITY = "community", _("Community")
    GRID = "grid", _("Grid")
    DEPARTMENT = "department", _("Department")


# The counters of a rollup row, in the order of the table's columns; ``analytics.measures`` says what each counts.
COUNTERS: tuple[str, ...] = (
    "received",
    "dispatched",
    "responded",
    "responded_on_time",
    "returned",
    "extended",
    "overdue",
    "replied",
    "closed",
    "resolved",
    "closed_on_time",
    "reopened",
    "rated",
    "satisfied",
    "basically",
    "unsatisfied",
    "discarded",
    "handling_seconds",
)


class RollupCounts(models.Model):
    """The counters of a rollup row, in the order of ``COUNTERS``; ``analytics.measures`` says what each counts."""

    received = models.PositiveIntegerField(default=0, db_default=0)
    dispatched = models.PositiveIntegerField(default=0, db_default=0)
    responded = models.PositiveIntegerField(default=0, db_default=0)
    responded_on_time = models.PositiveIntegerField(default=0, db_default=0)
    returned = models.PositiveIntegerField(default=0, db_default=0)
    extended = models.PositiveIntegerField(default=0, db_default=0)
    overdue = models.PositiveIntegerField(default=0, db_default=0)
    replied = models.PositiveIntegerField(default=0, db_default=0)
    closed = models.PositiveIntegerField(default=0, db_default=0)
    resolved = models.PositiveIntegerField(default=0, db_default=0)
    closed_on_time = models.PositiveIntegerField(default=0, db_default=0)
    reopened = models.PositiveIntegerField(default=0, db_default=0)
    rated = models.PositiveIntegerField(default=0, db_default=0)
    satisfied = models.PositiveIntegerField(default=0, db_default=0)
    basically = models.PositiveIntegerField(default=0, db_default=0)
    unsatisfied = models.PositiveIntegerField(default=0, db_default=0)
    discarded = models.PositiveIntegerField(default=0, db_default=0)
    handling_seconds = models.BigIntegerField(default=0, db_default=0)

    class Meta:
        abstract = True


class DailyRollup(RollupCounts):
    """The closed loop's counts of one day for one unit: a *detail* row per (first-level category × kind × channel),
    and one *total* row (``detail`` false, the three left empty) that rankings and rates by unit read.

    Rows are only ever added to, in the transaction of the event that changes them (``analytics.rollup``); the
    ``analytics_rebuild`` command recounts them all from the matters, their events and the deadline alerts.
    ``unit_id`` is a place's id, a department's id, or 0 for the city; ``category_id`` 0 is "no category".
    """

    day = models.DateField()
    unit_kind = models.CharField(max_length=16, choices=UnitKind.choices)
    unit_id = models.PositiveIntegerField()
    detail = models.BooleanField()
    category_id = models.PositiveIntegerField(default=0)
    kind = models.CharField(max_length=16, blank=True)
    channel = models.CharField(max_length=16, blank=True)

    class Meta:
        verbose_name = _("daily rollup")
        verbose_name_plural = _("daily rollups")
        # One unit's total rows over days (its figures and trend), one unit's detail rows (its mixes), and every
        # unit of a level over days (the rankings, the map, the children): partial, so each reads only its kind of
        # row. At 10 million matters on SQLite they took a month's street ranking from 1.2 s to 28 ms
        # (bench/analytics). The unique key stays for the upsert. On PostgreSQL the level index carries the counters,
        # as the monthly one does (see there): a week's map of the city's grids is then read from the index alone.
        indexes = [
            models.Index(fields=["unit_kind", "unit_id", "day"], condition=Q(detail=False), name="rollup_unit_totals"),
            models.Index(fields=["unit_kind", "unit_id", "day"], condition=Q(detail=True), name="rollup_unit_details"),
            models.Index(
                fields=["unit_kind", "day", "unit_id"],
                include=list(COUNTERS),
                condition=Q(detail=False),
                name="rollup_level_cover",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["unit_kind", "unit_id", "detail", "day", "category_id", "kind", "channel"],
                name="rollup_one_row_per_key",
            ),
            models.CheckConstraint(
                condition=Q(detail=True) | Q(category_id=0, kind="", channel=""), name="rollup_total_row_has_no_dims"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.unit_kind}:{self.unit_id} {'detail' if self.detail else 'total'}"


class MonthlyRollup(RollupCounts):
    """The same rows as ``DailyRollup`` summed by month (``month`` is its first day), kept in the same statement as the
    daily rows: a month, quarter or year reads twelve rows a unit where the days would be 365, so the map of the city's
    7,500 grids or a year's mix does not scan millions of daily rows."""

    month = models.DateField()
    unit_kind = models.CharField(max_length=16, choices=UnitKind.choices)
    unit_id = models.PositiveIntegerField()
    detail = models.BooleanField()
    category_id = models.PositiveIntegerField(default=0)
    kind = models.CharField(max_length=16, blank=True)
    channel = models.CharField(max_length=16, blank=True)

    class Meta:
        verbose_name = _("monthly rollup")
        verbose_name_plural = _("monthly rollups")
        # One unit's rows go by the unique key; every unit of a level (rankings, the map, the children) by this.
        # On PostgreSQL it carries the counters too, so a level's totals are read from the index alone: the year's
        # map of 7,500 grids read 90,000 total rows scattered over 80,000 heap pages among the detail rows (526 ms
        # at 10 million matters, bench/analytics). SQLite has no INCLUDE and makes the plain index (models.W040 is
        # silenced for this in the settings).
        indexes = [
            models.Index(
                fields=["unit_kind", "month", "unit_id"],
                include=list(COUNTERS),
                condition=Q(detail=False),
                name="rollup_month_level_cover",
            )
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["unit_kind", "unit_id", "detail", "month", "category_id", "kind", "channel"],
                name="rollup_month_one_row_per_key",
            ),
            models.CheckConstraint(
                condition=Q(detail=True) | Q(category_id=0, kind="", channel=""), name="rollup_month_total_no_dims"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.unit_kind}:{self.unit_id} {'detail' if self.detail else 'total'}"


class AnalyticsSettings(models.Model):
    """The assessment's weights (one row, pk 1): the composite score of the monthly ranking (三率) and the weights of
    the ratings in the satisfaction rate; the public-notice rule (通报)."""

    response_weight = models.PositiveSmallIntegerField(_("weight of the response rate"), default=20)
    resolution_weight = models.PositiveSmallIntegerField(_("weight of the resolution rate"), default=40)
    satisfaction_weight = models.PositiveSmallIntegerField(_("weight of the satisfaction rate"), default=40)
    satisfied_value = models.DecimalField(
        _("value of 'satisfied'"),
        max_digits=3,
        decimal_places=2,
        default=Decimal("1.00"),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(1))],
    )
    basically_value = models.DecimalField(
        _("value of 'basically satisfied'"),
        max_digits=3,
        decimal_places=2,
        default=Decimal("0.80"),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(1))],
    )
    notice_overdue = models.PositiveSmallIntegerField(
        _("missed deadlines in a month that put a unit on the public notice"),
        default=2,
        validators=[MinValueValidator(1)],
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("assessment settings")
        verbose_name_plural = _("assessment settings")
        constraints = [
            models.CheckConstraint(
                condition=Q(response_weight__gte=0) & Q(resolution_weight__gte=0) & Q(satisfaction_weight__gte=0),
                name="analytics_weights_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.response_weight}/{self.resolution_weight}/{self.satisfaction_weight}"

    @classmethod
    def current(cls) -> AnalyticsSettings:
        found, _created = cls.objects.get_or_create(pk=1)
        return found


class RiseKind(models.TextChoices):
    RISE = "rise", _("Unusual rise of a category in a community")
    PLACE = "place", _("Repeated complaints about one place")


class RiseAlert(models.Model):
    """A hot spot the daily detection (研判) found, with its evidence; sent once to the community's staff."""

    kind = models.CharField(_("kind"), max_length=8, choices=RiseKind.choices)
    day = models.DateField(_("day"))
    community = models.ForeignKey(Place, verbose_name=_("community"), on_delete=models.PROTECT, related_name="+")
    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    place_key = models.CharField(_("place"), max_length=120, blank=True)
    count = models.PositiveIntegerField(_("matters"))
    baseline = models.FloatField(_("expected (baseline)"), default=0)
    p_value = models.FloatField(_("p-value"), null=True, blank=True)
    matters = models.ManyToManyField(Matter, verbose_name=_("matters"), related_name="+")
    created_at = models.DateTimeField(_("found at"))

    SCOPE_PATH: ClassVar[str] = "community__path"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("hot-spot alert")
        verbose_name_plural = _("hot-spot alerts")
        ordering = ["-day", "-count", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["day", "community", "category"], condition=Q(kind="rise"), name="rise_once_per_category"
            ),
            models.UniqueConstraint(
                fields=["day", "community", "place_key"], condition=Q(kind="place"), name="rise_once_per_place"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.kind} {self.community_id} {self.category_id or self.place_key}"
