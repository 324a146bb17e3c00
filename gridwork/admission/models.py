"""The community's duty list and the admission (准入) of tasks pushed down to communities (seeds 001 #18, 002).

"执行社区工作事项清单制度": a community works from its lists — the duties it performs by law (依法履行职责事项) and the
government work it assists by law (依法协助政府工作事项), 22 and 22 in seed 002. The city keeps one list (its scope is
the city); a district may add its own items. Every change of an item is a row of an append-only log.

"职责下沉街道准入制度": a department (or a street, a district) that wants communities to take on a new task asks for
admission; every approving body over the communities concerned (a department marked as one: the organisation
department, civil affairs) decides — all must approve, one refusal refuses. An approved task carries its resources
("权、人、费随事转") and only then is assigned to communities: the database refuses an assignment of a task that is not
approved (migration 0003). A community that is pushed a task without admission reports it.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from gridwork.common.flows import FlowEvent, FlowSubject
from gridwork.common.scope import ScopedQuerySet
from gridwork.places.models import Department, Place


class DutyKind(models.TextChoices):
    DUTY = "duty", _("Duty performed by law (依法履行职责事项)")
    ASSISTING = "assisting", _("Government work assisted by law (依法协助政府工作事项)")


class DutyItem(models.Model):
    """One item of a duty list. ``scope`` is the city (the city-wide list) or a district (its own additions)."""

    SCOPE_PATH: ClassVar[str] = "scope__path"

    scope = models.ForeignKey(Place, verbose_name=_("list of"), on_delete=models.PROTECT, related_name="duty_items")
    kind = models.CharField(_("kind"), max_length=16, choices=DutyKind.choices)
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=200)
    legal_basis = models.TextField(_("legal basis"), blank=True)
    assists = models.CharField(_("department assisted"), max_length=120, blank=True)
    is_active = models.BooleanField(_("in force"), default=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("duty list item")
        verbose_name_plural = _("duty list items")
        ordering = ["scope__path", "kind", "number"]
        constraints = [
            models.UniqueConstraint(fields=["scope", "kind", "number"], name="admission_dutyitem_unique_number"),
            models.CheckConstraint(condition=Q(number__gt=0), name="admission_dutyitem_number_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


class DutyChange(models.Model):
    """One change of a duty list item (created, edited, retired, restored), append-only: the list's history."""

    SCOPE_PATH: ClassVar[str] = "item__scope__path"

    item = models.ForeignKey(DutyItem, verbose_name=_("item"), on_delete=models.PROTECT, related_name="changes")
    version = models.PositiveIntegerField(_("version"))
    action = models.CharField(_("change"), max_length=16)
    before = models.JSONField(_("before"), default=dict, blank=True)
    after = models.JSONField(_("after"), default=dict, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, db_constraint=False, null=True, related_name="+"
    )
    actor_name = models.CharField(_("by"), max_length=100, blank=True)
    at = models.DateTimeField(_("at"))

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("duty list change")
        verbose_name_plural = _("duty list changes")
        ordering = ["-at", "-id"]
        constraints = [models.UniqueConstraint(fields=["item", "version"], name="admission_dutychange_unique_version")]

    def __str__(self) -> str:
        return f"{self.item_id} v{self.version} {self.action}"


class ApprovingBody(models.Model):
    """A department marked as an approving body of admission (组织部, 民政局…) for its jurisdiction."""

    SCOPE_PATH: ClassVar[str] = "department__place__path"

    department = models.OneToOneField(
        Department, verbose_name=_("department"), on_delete=models.PROTECT, related_name="approving_body"
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("approving body")
        verbose_name_plural = _("approving bodies")
        ordering = ["department__place__path", "department__code"]

    def __str__(self) -> str:
        return self.department.name


class AdmissionState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Waiting for the approving bodies")
    APPROVED = "approved", _("Admitted")
    REFUSED = "refused", _("Refused")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class AdmissionRequest(FlowSubject):
    """A request to push a new task down to the communities of ``scope`` (a street, a district or the city)."""

    SCOPE_PATH: ClassVar[str] = "scope__path"

    title = models.CharField(_("task"), max_length=200)
    content = models.TextField(_("what communities would do"))
    reason = models.TextField(_("why the requester cannot do it itself"))
    legal_basis = models.TextField(_("legal basis"))
    scope = models.ForeignKey(
        Place, verbose_name=_("communities of"), on_delete=models.PROTECT, related_name="admission_requests"
    )
    requester_place = models.ForeignKey(
        Place, verbose_name=_("requesting unit"), on_delete=models.PROTECT, related_name="+"
    )
    requester_department = models.ForeignKey(
        Department,
        verbose_name=_("requesting department"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="admission_requests",
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    authority = models.TextField(_("authority delegated (权)"))
    staffing = models.TextField(_("staff provided (人)"))
    staff_count = models.PositiveIntegerField(_("people provided"), default=0)
    funds_amount = models.DecimalField(_("funds (yuan) (费)"), max_digits=14, decimal_places=2)
    funds_source = models.CharField(_("source of funds"), max_length=200)
    state = models.CharField(_("state"), max_length=16, choices=AdmissionState.choices)
    bodies = models.ManyToManyField(
        ApprovingBody, verbose_name=_("approving bodies"), blank=True, related_name="admission_requests"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    refusal_reason = models.TextField(_("reason for refusal"), blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("admission request")
        verbose_name_plural = _("admission requests")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="admission_request_ends_after"),
            models.CheckConstraint(condition=Q(funds_amount__gte=0), name="admission_request_funds_positive"),
        ]

    def __str__(self) -> str:
        return self.title


class AdmissionEvent(FlowEvent):
    subject = models.ForeignKey(AdmissionRequest, on_delete=models.PROTECT, related_name="events")

    class Meta(FlowEvent.Meta):
        constraints = [models.UniqueConstraint(fields=["subject", "sequence"], name="admission_event_unique_seq")]


class DecisionKind(models.TextChoices):
    APPROVE = "approve", _("Approved")
    REFUSE = "refuse", _("Refused")


class AdmissionDecision(models.Model):
    """One approving body's decision on a request, append-only; one per body and request."""

    SCOPE_PATH: ClassVar[str] = "request__scope__path"

    request = models.ForeignKey(AdmissionRequest, on_delete=models.PROTECT, related_name="decisions")
    body = models.ForeignKey(ApprovingBody, verbose_name=_("approving body"), on_delete=models.PROTECT)
    decision = models.CharField(_("decision"), max_length=16, choices=DecisionKind.choices)
    reason = models.TextField(_("reason"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("decided by"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("at"))

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("admission decision")
        verbose_name_plural = _("admission decisions")
        ordering = ["at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["request", "body"], name="admission_decision_one_per_body"),
            models.CheckConstraint(
                condition=Q(decision="approve") | ~Q(reason=""), name="admission_decision_refusal_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.body_id}: {self.decision}"


class Assignment(models.Model):
    """An admitted task assigned to one community. The database refuses it unless the task is admitted and the
    community lies within the request's scope (migration 0003)."""

    SCOPE_PATH: ClassVar[str] = "community__path"

    admission = models.ForeignKey(AdmissionRequest, on_delete=models.PROTECT, related_name="assignments")
    community = models.ForeignKey(
        Place, verbose_name=_("community"), on_delete=models.PROTECT, related_name="admitted_tasks"
    )
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assigned_at = models.DateTimeField(_("assigned at"))
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    received_at = models.DateTimeField(_("received at"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("assigned task")
        verbose_name_plural = _("assigned tasks")
        ordering = ["-assigned_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["admission", "community"], name="admission_assignment_once"),
        ]

    def __str__(self) -> str:
        return f"{self.admission_id} → {self.community_id}"


class UnadmittedReport(models.Model):
    """A community reports a task pushed to it without admission (the 准入 rule's complaint path)."""

    SCOPE_PATH: ClassVar[str] = "community__path"

    community = models.ForeignKey(
        Place, verbose_name=_("community"), on_delete=models.PROTECT, related_name="unadmitted_reports"
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("department that pushed it"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    pushed_by = models.CharField(_("who pushed it (unit, as named)"), max_length=120)
    task = models.CharField(_("task pushed"), max_length=200)
    details = models.TextField(_("how and when it was pushed"))
    pushed_on = models.DateField(_("pushed on"))
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reported_at = models.DateTimeField(_("reported at"))

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("report of an unadmitted task")
        verbose_name_plural = _("reports of unadmitted tasks")
        ordering = ["-reported_at", "-id"]

    def __str__(self) -> str:
        return self.task
