"""Party organisations beside the places, their members, and part-time members from resident units."""

from __future__ import annotations

from datetime import date
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gridwork.common.flows import FlowEvent, FlowSubject
from gridwork.common.scope import ScopedQuerySet
from gridwork.party.periods import EVALUATION_PERIOD_KINDS, Period, PeriodKind
from gridwork.places.models import Place


class PartyOrgKind(models.TextChoices):
    WORKING_COMMITTEE = "working_committee", _("Street working committee (大工委)")
    COMMUNITY_COMMITTEE = "community_committee", _("Community party committee (大党委)")
    BRANCH = "branch", _("Grid / estate party branch")
    GROUP = "group", _("Building party group")
    CENTRAL_HOUSEHOLD = "central_household", _("Party member central household (党员中心户)")
    FUNCTIONAL = "functional", _("Functional party organisation")


# Which kind of organisation may sit under which, and at which place level each serves.
PARTY_PARENT_KINDS: dict[str, frozenset[str]] = {
    PartyOrgKind.WORKING_COMMITTEE: frozenset(),
    PartyOrgKind.COMMUNITY_COMMITTEE: frozenset({PartyOrgKind.WORKING_COMMITTEE}),
    PartyOrgKind.BRANCH: frozenset({PartyOrgKind.COMMUNITY_COMMITTEE}),
    PartyOrgKind.GROUP: frozenset({PartyOrgKind.BRANCH}),
    PartyOrgKind.CENTRAL_HOUSEHOLD: frozenset({PartyOrgKind.GROUP, PartyOrgKind.BRANCH}),
    PartyOrgKind.FUNCTIONAL: frozenset(
        {PartyOrgKind.WORKING_COMMITTEE, PartyOrgKind.COMMUNITY_COMMITTEE, PartyOrgKind.FUNCTIONAL}
    ),
}
PARTY_PLACE_LEVELS: dict[str, frozenset[str]] = {
    PartyOrgKind.WORKING_COMMITTEE: frozenset({"street"}),
    PartyOrgKind.COMMUNITY_COMMITTEE: frozenset({"community"}),
    PartyOrgKind.BRANCH: frozenset({"grid", "community"}),
    PartyOrgKind.GROUP: frozenset({"microgrid", "grid"}),
    PartyOrgKind.CENTRAL_HOUSEHOLD: frozenset({"household", "microgrid"}),
    PartyOrgKind.FUNCTIONAL: frozenset({"street", "community", "grid"}),
}


class PartyOrganisation(models.Model):
    """A party organisation serving a place: 大工委 → 大党委 → 支部 → 党小组 → 党员中心户, or functional."""

    SCOPE_PATH: ClassVar[str] = "place__path"

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=32, choices=PartyOrgKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    place = models.ForeignKey(
        Place, verbose_name=_("place served"), on_delete=models.PROTECT, related_name="party_organisations"
    )
    secretary_name = models.CharField(_("secretary"), max_length=50, blank=True)
    founded_on = models.DateField(_("founded on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("party organisation")
        verbose_name_plural = _("party organisations")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class PartyMember(models.Model):
    """党员: a member of a branch; an in-service member (在职党员) also has an employer."""

    SCOPE_PATH: ClassVar[str] = "organisation__place__path"

    name = models.CharField(_("name"), max_length=50)
    phone = models.CharField(_("mobile phone"), max_length=20, blank=True)
    organisation = models.ForeignKey(
        PartyOrganisation,
        verbose_name=_("party organisation"),
        on_delete=models.PROTECT,
        related_name="members",
    )
    joined_on = models.DateField(_("joined the party on"), null=True, blank=True)
    in_service = models.BooleanField(_("in-service member"), default=False)
    employer = models.CharField(_("employer"), max_length=120, blank=True)
    household = models.ForeignKey(
        Place,
        verbose_name=_("household"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="party_members",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("party member")
        verbose_name_plural = _("party members")
        ordering = ["organisation_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "phone"], name="partymember_unique_phone_in_org", condition=~models.Q(phone="")
            ),
        ]

    def __str__(self) -> str:
        return self.name


class PartTimeMember(models.Model):
    """兼职委员: a resident unit's party leader sitting on a 大工委 or 大党委 for a term.

    ``term_start`` and ``term_end`` are the first and the last day of the term as appointed. A term ended early keeps
    them and records its last day (``ended_on``) and why (``end_reason``). A renewal is a new term linked to the one
    it follows (``renewed_from``). The same person (name, from the same unit) holds at most one term on an
    organisation at any day: ``gridwork.party.parttime`` refuses an overlap and a database trigger backs it (migration
    0005).
    """

    SCOPE_PATH: ClassVar[str] = "organisation__place__path"

    organisation = models.ForeignKey(
        PartyOrganisation,
        verbose_name=_("party organisation"),
        on_delete=models.CASCADE,
        related_name="part_time_members",
    )
    name = models.CharField(_("name"), max_length=50)
    resident_unit = models.ForeignKey(
        "people.ResidentUnit",
        verbose_name=_("resident unit"),
        on_delete=models.PROTECT,
        related_name="part_time_members",
    )
    position = models.CharField(_("position in the unit"), max_length=60, blank=True)
    term_start = models.DateField(_("term starts"))
    term_end = models.DateField(_("term ends"))
    duties = models.TextField(_("duties"), blank=True, help_text=_("One duty a line."))
    ended_on = models.DateField(_("ended early on"), null=True, blank=True)
    end_reason = models.TextField(_("why the term ended early"), blank=True)
    renewed_from = models.OneToOneField(
        "self",
        verbose_name=_("renews the term"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="renewal",
    )
    appointed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("appointed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True, null=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("part-time committee member")
        verbose_name_plural = _("part-time committee members")
        constraints = [
            models.CheckConstraint(condition=models.Q(term_end__gt=models.F("term_start")), name="parttime_term_order"),
            models.CheckConstraint(
                condition=models.Q(ended_on__isnull=True)
                | models.Q(ended_on__gte=models.F("term_start"), ended_on__lt=models.F("term_end")),
                name="parttime_ended_within_term",
            ),
        ]
        indexes = [models.Index(fields=["organisation", "term_end"], name="parttime_org_term_end")]

    def __str__(self) -> str:
        return self.name

    @property
    def last_day(self) -> date:
        """The last day in office: the day it ended early, or the term's last day."""
        return self.ended_on or self.term_end

    @property
    def duty_list(self) -> list[str]:
        return [line.strip() for line in self.duties.splitlines() if line.strip()]


# --- 双报到: in-service members and their employers registering with a community -----------------------------------


class RegistrationState(models.TextChoices):
    PENDING = "pending", _("Awaiting confirmation")
    CONFIRMED = "confirmed", _("Confirmed")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    TRANSFERRED = "transferred", _("Moved to another community")


class MemberRegistration(FlowSubject):
    """双报到: an in-service party member (在职党员) registered with the community where they live, at their building.

    The member registers online (their own account); the community confirms or rejects with a reason. A member
    holds one confirmed registration at a time: moving house is a new registration whose confirmation ends the old
    one (``transferred``, linked by ``transferred_from``), so the history of communities stays. Name and phone are
    personal data (masked in lists). Staff see a registration through its building: the grid worker of the
    building's grid as well as the community and the units above it.
    """

    SCOPE_PATH: ClassVar[str] = "building__path"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.PROTECT,
        related_name="party_registrations",
    )
    name = models.CharField(_("name"), max_length=50)
    phone = models.CharField(_("mobile phone"), max_length=20)
    employer = models.CharField(_("employer"), max_length=120)
    employer_party_organisation = models.CharField(_("party organisation at work"), max_length=120)
    employer_unit = models.ForeignKey(
        "people.ResidentUnit",
        verbose_name=_("employer's registered unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="member_registrations",
        help_text=_("The employer's party organisation sees this member's record and evaluation."),
    )
    community = models.ForeignKey(
        Place, verbose_name=_("community"), on_delete=models.PROTECT, related_name="member_registrations"
    )
    building = models.ForeignKey(
        Place, verbose_name=_("building"), on_delete=models.PROTECT, related_name="member_registrations_here"
    )
    skills = models.JSONField(_("skills"), default=list, blank=True)
    state = models.CharField(
        _("state"), max_length=16, choices=RegistrationState.choices, default=RegistrationState.PENDING
    )
    reason = models.TextField(_("reason"), blank=True)
    transferred_from = models.OneToOneField(
        "self",
        verbose_name=_("moved from"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="transferred_to",
    )
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("member registration")
        verbose_name_plural = _("member registrations")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=Q(state=RegistrationState.CONFIRMED), name="registration_one_confirmed"
            ),
            models.UniqueConstraint(
                fields=["user"], condition=Q(state=RegistrationState.PENDING), name="registration_one_pending"
            ),
        ]
        indexes = [models.Index(fields=["community", "state"], name="registration_community_state")]

    def __str__(self) -> str:
        return f"{self.name} @ {self.community_id}"


class RegistrationEvent(FlowEvent):
    subject = models.ForeignKey(MemberRegistration, on_delete=models.PROTECT, related_name="events")

    class Meta(FlowEvent.Meta):
        verbose_name = _("registration event")
        verbose_name_plural = _("registration events")
        constraints = [models.UniqueConstraint(fields=["subject", "sequence"], name="registrationevent_sequence")]


class UnitRegistration(FlowSubject):
    """单位报到: a resident unit's party organisation registered with a community, with what it offers."""

    SCOPE_PATH: ClassVar[str] = "community__path"

    unit = models.ForeignKey(
        "people.ResidentUnit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="registrations"
    )
    community = models.ForeignKey(
        Place, verbose_name=_("community"), on_delete=models.PROTECT, related_name="unit_registrations"
    )
    offers = models.TextField(_("what the unit offers"), blank=True)
    state = models.CharField(
        _("state"), max_length=16, choices=RegistrationState.choices, default=RegistrationState.PENDING
    )
    reason = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("unit registration")
        verbose_name_plural = _("unit registrations")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "community"],
                condition=Q(state__in=[RegistrationState.PENDING, RegistrationState.CONFIRMED]),
                name="unitregistration_one_active",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} @ {self.community_id}"


class UnitRegistrationEvent(FlowEvent):
    subject = models.ForeignKey(UnitRegistration, on_delete=models.PROTECT, related_name="events")

    class Meta(FlowEvent.Meta):
        verbose_name = _("unit registration event")
        verbose_name_plural = _("unit registration events")
        constraints = [models.UniqueConstraint(fields=["subject", "sequence"], name="unitregistrationevent_sequence")]


class UnitContact(models.Model):
    """An account that speaks for a resident unit's party organisation (the employer side of 双评价): it sees the
    records and evaluations of the members registered with that unit as their employer, and nothing else."""

    unit = models.ForeignKey(
        "people.ResidentUnit", verbose_name=_("unit"), on_delete=models.CASCADE, related_name="contacts"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("account"), on_delete=models.CASCADE, related_name="unit_contacts"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("unit contact")
        verbose_name_plural = _("unit contacts")
        constraints = [models.UniqueConstraint(fields=["unit", "user"], name="unitcontact_unique")]

    def __str__(self) -> str:
        return f"{self.user_id} for {self.unit_id}"


# --- 双评价: the community's evaluation of a registered member, sent to the employer ----------------------------------


class EvaluationGrade(models.TextChoices):
    """优秀 / 称职 / 基本称职 / 不称职."""

    EXCELLENT = "excellent", _("Excellent")
    COMPETENT = "competent", _("Competent")
    BASICALLY_COMPETENT = "basically_competent", _("Basically competent")
    NOT_COMPETENT = "not_competent", _("Not competent")


class MemberEvaluation(models.Model):
    """双评价: the community's grade of a registered member for a period (a year, or a half-year: ``period_number``
    1 for the first half, 2 for the second; 1 for a year), with a comment and a snapshot of the member's community
    performance record (``figures``) as it stood when graded.

    One evaluation per registration and period. Until it is sent to the employer's party organisation (``sent_at``)
    the community may grade again, which replaces it (``version`` counts the replacements; each is audited); once
    sent it is final. The employer sees sent evaluations only.
    """

    SCOPE_PATH: ClassVar[str] = "registration__building__path"

    registration = models.ForeignKey(
        MemberRegistration, verbose_name=_("registration"), on_delete=models.PROTECT, related_name="evaluations"
    )
    period_kind = models.CharField(
        _("kind of period"),
        max_length=8,
        choices=[(kind.value, kind.label) for kind in EVALUATION_PERIOD_KINDS],
    )
    period_year = models.PositiveSmallIntegerField(_("year"))
    period_number = models.PositiveSmallIntegerField(
        _("part of the year"), default=1, help_text=_("1 for a year; 1 or 2 for the first or second half.")
    )
    grade = models.CharField(_("grade"), max_length=24, choices=EvaluationGrade.choices)
    comment = models.TextField(_("comment"), blank=True)
    figures = models.JSONField(_("record when graded"), default=dict, blank=True)
    evaluated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("graded by"), on_delete=models.PROTECT, related_name="+"
    )
    evaluated_at = models.DateTimeField(_("graded at"))
    version = models.PositiveIntegerField(_("version"), default=1)
    sent_at = models.DateTimeField(_("sent to the employer at"), null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("member evaluation")
        verbose_name_plural = _("member evaluations")
        ordering = ["-period_year", "period_kind", "-period_number", "registration_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["registration", "period_kind", "period_year", "period_number"],
                name="evaluation_one_per_period",
            ),
            models.CheckConstraint(
                condition=Q(period_kind=PeriodKind.YEAR, period_number=1)
                | Q(period_kind=PeriodKind.HALF, period_number__in=[1, 2]),
                name="evaluation_period_valid",
            ),
            models.CheckConstraint(condition=Q(grade__in=EvaluationGrade.values), name="evaluation_grade_valid"),
        ]
        indexes = [models.Index(fields=["period_kind", "period_year", "period_number"], name="evaluation_period")]

    def __str__(self) -> str:
        return f"{self.registration_id} {self.period.code}: {self.grade}"

    @property
    def period(self) -> Period:
        return Period(self.period_kind, self.period_year, self.period_number)
