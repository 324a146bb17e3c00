"""The three lists of co-construction (三张清单, seeds 000 and 002) and the matching between them.

A community publishes what its residents need (``Need``, 需求清单); a resident unit publishes what it offers
(``Resource``, 资源清单); staff accept a suggested pairing of the two (``Match``), and agreed work becomes a project
(``Project``, 项目清单) with its parties, budget, dates and milestones. Needs, resources and projects move through
``common.flows`` (their event tables are append-only); a match is made once per need and resource.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from gridwork.cobuild.categories import ServiceField
from gridwork.common.flows import FlowEvent, FlowSubject
from gridwork.common.scope import ScopedQuerySet
from gridwork.places.models import Place

QUANTITY_DIGITS = 12
MONEY_DIGITS = 14


def _quantity_field(verbose_name: Any) -> models.DecimalField[Decimal | None, Decimal | None]:
    return models.DecimalField(verbose_name, max_digits=QUANTITY_DIGITS, decimal_places=2, null=True, blank=True)


# --- 需求清单 ---------------------------------------------------------------------------------------------------------


class NeedSource(models.TextChoices):
    """Where a community learnt of a need."""

    MATTERS = "matters", _("Residents' matters")  # 群众诉求 (a matter, or a hot spot of matters)
    MEETING = "meeting", _("Residents' meeting")  # 居民议事会
    SURVEY = "survey", _("Survey or home visit")  # 走访调查
    OTHER = "other", _("Other")


class NeedState(models.TextChoices):
    OPEN = "open", _("Open")
    MET = "met", _("Met")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Need(FlowSubject):
    """需求: something a community's residents need, published by the community's staff for the units to meet.

    ``matter`` is the residents' matter it came from, if one (``source`` "matters"); ``hotspot_key`` the key (the
    first matter's number) of the hot spot (热点) it was taken from, if it was.
    """

    SCOPE_PATH: ClassVar[str] = "community__path"

    community = models.ForeignKey(Place, verbose_name=_("community"), on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("title"), max_length=80)
    description = models.TextField(_("description"), blank=True)
    field = models.CharField(_("field of work"), max_length=16, choices=ServiceField.choices)
    source = models.CharField(_("source"), max_length=16, choices=NeedSource.choices)
    matter = models.ForeignKey(
        "matters.Matter",
        verbose_name=_("residents' matter"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    hotspot_key = models.CharField(_("hot spot"), max_length=20, blank=True)
    quantity = _quantity_field(_("how much"))
    quantity_unit = models.CharField(_("unit of measure"), max_length=16, blank=True)
    wanted_by = models.DateField(_("wanted by"), null=True, blank=True)
    state = models.CharField(_("state"), max_length=16, choices=NeedState.choices, default=NeedState.OPEN)
    reason = models.TextField(_("reason withdrawn"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("published by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("published at"), auto_now_add=True)
    closed_at = models.DateTimeField(_("met or withdrawn at"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("need")
        verbose_name_plural = _("needs")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["community", "state"], name="need_community_state")]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__isnull=True) | Q(quantity__gt=Decimal(0)), name="need_quantity_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class NeedEvent(FlowEvent):
    subject = models.ForeignKey(Need, on_delete=models.PROTECT, related_name="events")

    class Meta(FlowEvent.Meta):
        verbose_name = _("need event")
        verbose_name_plural = _("need events")
        constraints = [models.UniqueConstraint(fields=["subject", "sequence"], name="needevent_sequence")]


# --- 资源清单 ---------------------------------------------------------------------------------------------------------


class ResourceKind(models.TextChoices):
    VENUE = "venue", _("Venue")  # 场地
    PEOPLE = "people", _("People")  # 人员
    SKILLS = "skills", _("Skills")  # 技能
    MONEY = "money", _("Money")  # 资金
    EQUIPMENT = "equipment", _("Equipment and goods")  # 设备物资


class ResourceState(models.TextChoices):
    AVAILABLE = "available", _("Available")
    USED_UP = "used_up", _("Used up")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Resource(FlowSubject):
    """资源: what a resident unit offers to the communities around it, entered by the unit's contact or by staff on
    the unit's behalf. ``available_from``/``available_to`` bound the dates; ``availability`` says when in words
    ("weekends", "weekday evenings")."""

    SCOPE_PATH: ClassVar[str] = "unit__place__path"

    unit = models.ForeignKey(
        "people.ResidentUnit", verbose_name=_("resident unit"), on_delete=models.PROTECT, related_name="resources"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=ResourceKind.choices)
    field = models.CharField(_("field of work"), max_length=16, choices=ServiceField.choices)
    title = models.CharField(_("title"), max_length=80)
    description = models.TextField(_("description"), blank=True)
    quantity = _quantity_field(_("how much"))
    quantity_unit = models.CharField(_("unit of measure"), max_length=16, blank=True)
    available_from = models.DateField(_("available from"), null=True, blank=True)
    available_to = models.DateField(_("available until"), null=True, blank=True)
    availability = models.CharField(_("when"), max_length=100, blank=True)
    state = models.CharField(_("state"), max_length=16, choices=ResourceState.choices, default=ResourceState.AVAILABLE)
    reason = models.TextField(_("reason withdrawn"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("entered by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("published at"), auto_now_add=True)
    closed_at = models.DateTimeField(_("used up or withdrawn at"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("resource")
        verbose_name_plural = _("resources")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["state", "field"], name="resource_state_field")]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__isnull=True) | Q(quantity__gt=Decimal(0)), name="resource_quantity_positive"
            ),
            models.CheckConstraint(
                condition=Q(available_from__isnull=True)
                | Q(available_to__isnull=True)
                | Q(available_to__gte=F("available_from")),
                name="resource_dates_order",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class ResourceEvent(FlowEvent):
    subject = models.ForeignKey(Resource, on_delete=models.PROTECT, related_name="events")

    class Meta(FlowEvent.Meta):
        verbose_name = _("resource event")
        verbose_name_plural = _("resource events")
        constraints = [models.UniqueConstraint(fields=["subject", "sequence"], name="resourceevent_sequence")]


# --- 对接 -------------------------------------------------------------------------------------------------------------


class Match(models.Model):
    """对接: staff accepted a suggested resource for a need, with the score and reasons the suggestion showed then. A
    match can become a project (``Project.match``) or a clause of a contract (``contracts.Clause.match``)."""

    SCOPE_PATH: ClassVar[str] = "need__community__path"

    need = models.ForeignKey(Need, verbose_name=_("need"), on_delete=models.PROTECT, related_name="matches")
    resource = models.ForeignKey(Resource, verbose_name=_("resource"), on_delete=models.PROTECT, related_name="matches")
    score = models.IntegerField(_("score"))
    reasons = models.JSONField(_("reasons"), default=list, blank=True)
    note = models.TextField(_("note"), blank=True)
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("made by"), on_delete=models.PROTECT, related_name="+"
    )
    made_at = models.DateTimeField(_("made at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("match")
        verbose_name_plural = _("matches")
        ordering = ["-made_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["need", "resource"], name="match_once_per_need_resource")]

    def __str__(self) -> str:
        return f"{self.need_id} ↔ {self.resource_id}"


# --- 项目清单 ---------------------------------------------------------------------------------------------------------


class ProjectState(models.TextChoices):
    PLANNED = "planned", _("Planned")
    UNDER_WAY = "under_way", _("Under way")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class Project(FlowSubject):
    """项目: agreed work of a community and resident units (its parties), with a goal, a budget in yuan, dates and
    milestones; made from a match or directly, and, if it is an alliance's joint project, its ``alliance``."""

    SCOPE_PATH: ClassVar[str] = "community__path"

    title = models.CharField(_("title"), max_length=80)
    goal = models.TextField(_("goal"))
    field = models.CharField(_("field of work"), max_length=16, choices=ServiceField.choices)
    community = models.ForeignKey(Place, verbose_name=_("community"), on_delete=models.PROTECT, related_name="+")
    units = models.ManyToManyField(
        "people.ResidentUnit", verbose_name=_("parties"), blank=True, related_name="cobuild_projects"
    )
    budget = models.DecimalField(_("budget (yuan)"), max_digits=MONEY_DIGITS, decimal_places=2, null=True, blank=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    match = models.OneToOneField(
        Match, verbose_name=_("from the match"), on_delete=models.PROTECT, null=True, blank=True, related_name="project"
    )
    alliance = models.ForeignKey(
        "alliances.Alliance",
        verbose_name=_("alliance (joint project)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="projects",
    )
    state = models.CharField(_("state"), max_length=16, choices=ProjectState.choices, default=ProjectState.PLANNED)
    reason = models.TextField(_("reason cancelled"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["community", "state"], name="project_community_state")]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="project_dates_order"),
            models.CheckConstraint(
                condition=Q(budget__isnull=True) | Q(budget__gte=Decimal(0)), name="project_budget_not_negative"
            ),
            models.CheckConstraint(condition=~Q(state="done") | Q(done_at__isnull=False), name="project_done_at"),
        ]

    def __str__(self) -> str:
        return self.title


class ProjectEvent(FlowEvent):
    subject = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="events")

    class Meta(FlowEvent.Meta):
        verbose_name = _("project event")
        verbose_name_plural = _("project events")
        constraints = [models.UniqueConstraint(fields=["subject", "sequence"], name="projectevent_sequence")]


class Milestone(models.Model):
    """A milestone of a project: what, by when, and when it was done (with a note). Added and marked done through
    the project's services, each as an event of the project."""

    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.PROTECT, related_name="milestones")
    title = models.CharField(_("milestone"), max_length=80)
    due_on = models.DateField(_("due on"))
    done_on = models.DateField(_("done on"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return self.title
