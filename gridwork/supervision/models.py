"""Supervision (督办): the working calendar's overrides, time limits, whistles and their tasks, joint
consultations of hard matters, and the deadline alerts the sweep has raised."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gridwork.matters.models import Category, Matter, MatterEvent, Urgency
from gridwork.matters.workflow import Action, MatterKind
from gridwork.places.models import Department, Place


class CalendarOverride(models.Model):
    """A day whose status the administrator sets: a holiday or an adjusted working day (调休) the package
    does not know, such as the next year's schedule before the package is updated."""

    day = models.DateField(_("day"), unique=True)
    is_workday = models.BooleanField(_("working day"))
    note = models.CharField(_("note"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("calendar override")
        verbose_name_plural = _("calendar overrides")
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day:%Y-%m-%d} {'+' if self.is_workday else '-'} {self.note}"


class LimitStage(models.TextChoices):
    ACCEPT = "accept", _("Accept (签收)")
    REPLY = "reply", _("Reply (答复)")
    CALLBACK = "callback", _("Call-back (回访)")
    REPORT = "report", _("Report to a whistle or task (报到)")
    LEVEL = "level", _("Hard matter: time at a level before escalation")


class LimitUnit(models.TextChoices):
    WORKING_HOURS = "working_hours", _("working hours")
    WORKING_DAYS = "working_days", _("working days")
    HOURS = "hours", _("hours (calendar time)")


class TimeLimit(models.Model):
    """时限: how long a stage may take, for matters of a category, kind and urgency ("any" when blank).

    The most specific row wins: a matching urgency first, then the deepest matching category, then a matching
    kind. The defaults (any, any, any) are seeded and must exist for every stage.
    """

    stage = models.CharField(_("stage"), max_length=16, choices=LimitStage.choices)
    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=MatterKind.choices, blank=True)
    urgency = models.CharField(_("urgency"), max_length=16, choices=Urgency.choices, blank=True)
    amount = models.PositiveIntegerField(_("limit"))
    unit = models.CharField(_("unit"), max_length=16, choices=LimitUnit.choices)
    note = models.CharField(_("note"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("time limit")
        verbose_name_plural = _("time limits")
        ordering = ["stage", "category__code", "kind", "urgency"]
        constraints = [
            models.UniqueConstraint(
                fields=["stage", "category", "kind", "urgency"], name="timelimit_one_per_combination"
            ),
            models.UniqueConstraint(
                fields=["stage", "kind", "urgency"],
                condition=Q(category__isnull=True),
                name="timelimit_one_per_combination_any_category",
            ),
            models.CheckConstraint(condition=Q(amount__gte=1), name="timelimit_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.get_stage_display()}: {self.amount} {self.get_unit_display()}"


class Whistle(models.Model):
    """吹哨: a street or community calls departments to a matter at once; each must report (报到) on its task."""

    matter = models.ForeignKey(Matter, verbose_name=_("matter"), on_delete=models.PROTECT, related_name="whistles")
    event = models.OneToOneField(MatterEvent, on_delete=models.PROTECT, related_name="+")
    place = models.ForeignKey(Place, verbose_name=_("whistled by"), on_delete=models.PROTECT, related_name="+")
    note = models.TextField(_("what is needed"))
    issued_at = models.DateTimeField(_("whistled at"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    result = models.TextField(_("joint result"), blank=True)
    concluded_at = models.DateTimeField(_("concluded at"), null=True, blank=True)

    class Meta:
        verbose_name = _("whistle")
        verbose_name_plural = _("whistles")
        ordering = ["-issued_at", "-id"]

    def __str__(self) -> str:
        return f"{self.matter_id} @ {self.issued_at:%Y-%m-%d %H:%M}"


class JointMeeting(models.Model):
    """会商: the record of a hard matter's joint consultation (level 2) or the city leader's meeting (level 3)."""

    matter = models.ForeignKey(Matter, verbose_name=_("matter"), on_delete=models.PROTECT, related_name="meetings")
    event = models.OneToOneField(MatterEvent, on_delete=models.PROTECT, related_name="+")
    level = models.PositiveSmallIntegerField(_("level"))
    held_on = models.DateField(_("held on"))
    participants = models.TextField(_("participating units"))
    analysis = models.TextField(_("analysis"))
    decision = models.TextField(_("decision"))
    recorded_at = models.DateTimeField(_("recorded at"))

    class Meta:
        verbose_name = _("joint consultation")
        verbose_name_plural = _("joint consultations")
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"{self.matter_id} L{self.level} {self.held_on}"


class UnitTask(models.Model):
    """A unit's task on a matter from a whistle or a joint consultation, with its limit and its report."""

    matter = models.ForeignKey(Matter, verbose_name=_("matter"), on_delete=models.PROTECT, related_name="unit_tasks")
    whistle = models.ForeignKey(Whistle, on_delete=models.PROTECT, null=True, blank=True, related_name="tasks")
    meeting = models.ForeignKey(JointMeeting, on_delete=models.PROTECT, null=True, blank=True, related_name="tasks")
    place = models.ForeignKey(
        Place, verbose_name=_("unit"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    task = models.TextField(_("task"))
    due_at = models.DateTimeField(_("report by"))
    reported_at = models.DateTimeField(_("reported at"), null=True, blank=True)
    report = models.TextField(_("action taken"), blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("unit task")
        verbose_name_plural = _("unit tasks")
        ordering = ["id"]
        indexes = [models.Index(fields=["due_at"], name="unittask_open_due", condition=Q(reported_at__isnull=True))]
        constraints = [
            models.CheckConstraint(condition=Q(place__isnull=True) ^ Q(department__isnull=True), name="task_one_unit"),
            models.CheckConstraint(condition=Q(whistle__isnull=True) ^ Q(meeting__isnull=True), name="task_one_origin"),
        ]

    def __str__(self) -> str:
        return f"{self.matter_id}: {self.department_id or self.place_id}"


class AlertLevel(models.TextChoices):
    YELLOW = "yellow", _("Yellow warning")
    RED = "red", _("Red: overdue")


# The units an alert is charged to, as the rollup charges its overdue count (``analytics.rollup.matter_overdue``).
ALERT_UNIT_FIELDS = ("district_id", "street_id", "community_id", "grid_id", "lead_department_id")


def alert_units(matter: Any) -> dict[str, int | None]:
    """The units of ``matter`` as the caller read it: the area it lies in and the department leading it then."""
    return {name: getattr(matter, name) for name in ALERT_UNIT_FIELDS}


def fill_alert_units(alerts: Iterable[DeadlineAlert]) -> None:
    """Fill in the units of alerts written without them (two queries for any number of alerts): the matter's area
    (fixed when it is filed) and the department that led it just before the alert — the lead department of its last
    dispatch before ``raised_at``, as ``analytics.rebuild`` folds the matter (an alert at the moment of a step comes
    before that step). Migration 0005 fills existing rows by the same rule."""
    missing = [alert for alert in alerts if alert.street_id is None]
    if not missing:
        return
    ids = {alert.matter_id for alert in missing}
    places = {
        row[0]: row[1:]
        for row in Matter.objects.filter(pk__in=ids).values_list(
            "pk", "district_id", "street_id", "community_id", "grid_id"
        )
    }
    dispatches: dict[int, list[tuple[Any, int | None]]] = defaultdict(list)
    events = MatterEvent.objects.filter(matter_id__in=ids, action=Action.DISPATCH).order_by("matter_id", "sequence")
    for matter_id, moment, data in events.values_list("matter_id", "at", "data"):
        dispatches[matter_id].append((moment, (data or {}).get("lead_department_id")))
    for alert in missing:
        alert.district_id, alert.street_id, alert.community_id, alert.grid_id = places[alert.matter_id]
        alert.lead_department_id = None
        for moment, department_id in dispatches[alert.matter_id]:
            if moment < alert.raised_at:
                alert.lead_department_id = department_id


class DeadlineAlertQuerySet(models.QuerySet["DeadlineAlert"]):
    def bulk_create(self, objs: Iterable[DeadlineAlert], *args: Any, **kwargs: Any) -> list[DeadlineAlert]:
        """Alerts written after the fact (the demo's year) get their units as ``save`` gives them."""
        objs = list(objs)
        fill_alert_units(objs)
        return super().bulk_create(objs, *args, **kwargs)


class DeadlineAlert(models.Model):
    """A warning the sweep raised, once: the unique key makes running the sweep twice raise nothing twice.

    ``subject`` is "matter" for the matter's own deadline, "task:<id>" for a unit's task, "level" for a hard
    matter's level; ``due_at`` is the deadline warned about, so a moved deadline is warned about again.

    The units are those the rollup counts a red alert for, recorded when it is raised: the matter's district,
    street, community and grid, and the department leading it at that moment (none for a place; the rollup charges
    a department only for its own stages, accept and reply). The public notice's evidence of one unit reads them on
    its own index, without the matters (``analytics.selectors.notice_evidence``); a matter dispatched again later
    stays in the evidence of the department that let its deadline pass, which is where the rollup counted it. The
    raiser passes ``alert_units(matter)`` of the matter it read; an alert saved without them gets them from the
    record (``fill_alert_units``).
    """

    matter = models.ForeignKey(Matter, on_delete=models.CASCADE, related_name="alerts")
    subject = models.CharField(max_length=32)
    stage = models.CharField(max_length=16)
    due_at = models.DateTimeField()
    level = models.CharField(max_length=8, choices=AlertLevel.choices)
    raised_at = models.DateTimeField()
    district = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="+", db_index=False)
    street = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="+", db_index=False)
    community = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="+", db_index=False)
    grid = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="+", db_index=False)
    lead_department = models.ForeignKey(
        Department, on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )

    objects = DeadlineAlertQuerySet.as_manager()

    class Meta:
        verbose_name = _("deadline alert")
        verbose_name_plural = _("deadline alerts")
        ordering = ["-raised_at", "-id"]
        # The public notice's evidence of one unit of a ranked kind: its red alerts raised in a month
        # (analytics.selectors.notice_evidence), found without reading the matters.
        indexes = [
            models.Index(fields=["level", "subject", "street", "raised_at"], name="alert_street_raised"),
            models.Index(fields=["level", "subject", "community", "raised_at"], name="alert_community_raised"),
            models.Index(fields=["level", "subject", "lead_department", "raised_at"], name="alert_department_raised"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["matter", "subject", "stage", "due_at", "level"], name="alert_once"),
        ]

    def __str__(self) -> str:
        return f"{self.matter_id} {self.subject} {self.level} {self.due_at:%Y-%m-%d %H:%M}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self._state.adding:
            fill_alert_units([self])
        super().save(*args, **kwargs)
