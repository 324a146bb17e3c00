"""Community social organisations (社区社会组织), volunteer teams (志愿服务队) and cultural groups (文体队伍), their
members, the incubation bases (孵化基地) that nurture them, and each organisation's incubation records.

An organisation belongs to one home place — a community (its scope), or a street for an organisation serving several
communities. It is registered with civil affairs (登记, with its unique registration number), filed at the street
(备案), or not yet filed. A dissolved organisation is kept with its date and reason, never deleted. An organisation
has at most one open incubation (entered or mentoring) at a time: the database refuses a second.
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from gridwork.common.flows import FlowEvent, FlowSubject
from gridwork.common.scope import ScopedQuerySet
from gridwork.places.models import Place


class OrgKind(models.TextChoices):
    SOCIAL_ORG = "social_org", _("Community social organisation (社区社会组织)")
    VOLUNTEER_TEAM = "volunteer_team", _("Volunteer team (志愿服务队)")
    CULTURAL_GROUP = "cultural_group", _("Cultural or sports group (文体队伍)")
    OTHER = "other", _("Other")


class ServiceField(models.TextChoices):
    """The "5+X" service areas of community social organisations."""

    ELDERLY_CARE = "elderly_care", _("Elderly care (养老服务)")
    CHILDREN_YOUTH = "children_youth", _("Children and youth (儿童青少年)")
    DISABILITY = "disability", _("Disability support (助残服务)")
    MEDIATION = "mediation", _("Dispute mediation and community affairs (矛盾调解与社区事务)")
    CHARITY = "charity", _("Charity and assistance (慈善救助)")
    CULTURE_SPORT = "culture_sport", _("Culture and sport (文体活动)")
    ENVIRONMENT = "environment", _("Environment (环境保护)")
    OTHER = "other", _("Other (X)")


class FilingStatus(models.TextChoices):
    REGISTERED = "registered", _("Registered with civil affairs (登记)")
    FILED = "filed", _("Filed at the street (备案)")
    UNFILED = "unfiled", _("Not yet filed")


class Organisation(models.Model):
    """A community social organisation, volunteer team, cultural group or other group, at its home place."""

    SCOPE_PATH: ClassVar[str] = "place__path"

    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=20, choices=OrgKind.choices)
    service_field = models.CharField(_("service field"), max_length=20, choices=ServiceField.choices)
    place = models.ForeignKey(
        Place, verbose_name=_("home community or street"), on_delete=models.PROTECT, related_name="social_orgs"
    )
    filing = models.CharField(_("filing status"), max_length=12, choices=FilingStatus.choices)
    registration_number = models.CharField(_("registration number"), max_length=40, blank=True)
    founded_on = models.DateField(_("founded on"), null=True, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=50)
    contact_phone = models.CharField(_("contact phone"), max_length=20)
    services = models.TextField(_("services offered"), blank=True)
    dissolved_on = models.DateField(_("dissolved on"), null=True, blank=True)
    dissolution_reason = models.CharField(_("reason for dissolution"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("social organisation")
        verbose_name_plural = _("social organisations")
        ordering = ["place__path", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["registration_number"],
                condition=~Q(registration_number=""),
                name="socialorgs_org_unique_registration",
            ),
            models.CheckConstraint(
                condition=~Q(filing=FilingStatus.REGISTERED) | ~Q(registration_number=""),
                name="socialorgs_org_registered_has_number",
            ),
            models.UniqueConstraint(
                fields=["place", "name"],
                condition=Q(dissolved_on__isnull=True),
                name="socialorgs_org_unique_active_name",
            ),
            models.CheckConstraint(
                condition=Q(dissolved_on__isnull=True, dissolution_reason="")
                | (Q(dissolved_on__isnull=False) & ~Q(dissolution_reason="")),
                name="socialorgs_org_dissolved_with_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.dissolved_on is None


class MemberRole(models.TextChoices):
    LEADER = "leader", _("Leader")
    MEMBER = "member", _("Member")
    VOLUNTEER = "volunteer", _("Volunteer")


class Member(models.Model):
    """A person in an organisation; one who left keeps their row with the date they left."""

    SCOPE_PATH: ClassVar[str] = "organisation__place__path"

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="members"
    )
    name = models.CharField(_("name"), max_length=50)
    role = models.CharField(_("role"), max_length=12, choices=MemberRole.choices)
    is_party_member = models.BooleanField(_("party member"), default=False)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    joined_on = models.DateField(_("joined on"))
    left_on = models.DateField(_("left on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        ordering = ["organisation_id", "left_on", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=F("joined_on")),
                name="socialorgs_member_leaves_after_joining",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class IncubationBase(models.Model):
    """孵化基地: a place where a street, district or city nurtures young organisations."""

    SCOPE_PATH: ClassVar[str] = "place__path"

    name = models.CharField(_("name"), max_length=120)
    place = models.ForeignKey(
        Place, verbose_name=_("street, district or city"), on_delete=models.PROTECT, related_name="incubation_bases"
    )
    address = models.CharField(_("address"), max_length=200)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("incubation base")
        verbose_name_plural = _("incubation bases")
        ordering = ["place__path", "name"]
        constraints = [models.UniqueConstraint(fields=["place", "name"], name="socialorgs_base_unique_name")]

    def __str__(self) -> str:
        return self.name


class IncubationState(models.TextChoices):
    ENTERED = "entered", _("Entered")
    MENTORING = "mentoring", _("Mentoring")
    GRADUATED = "graduated", _("Graduated")
    WITHDRAWN = "withdrawn", _("Withdrawn")


OPEN_INCUBATION_STATES: tuple[str, ...] = (IncubationState.ENTERED, IncubationState.MENTORING)


class Incubation(FlowSubject):
    """An organisation's stay at an incubation base: entered → mentoring → graduated, or withdrawn on the way."""

    SCOPE_PATH: ClassVar[str] = "organisation__place__path"

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="incubations"
    )
    base = models.ForeignKey(
        IncubationBase, verbose_name=_("incubation base"), on_delete=models.PROTECT, related_name="incubations"
    )
    state = models.CharField(_("state"), max_length=16, choices=IncubationState.choices)
    entered_on = models.DateField(_("entered on"))
    mentoring_from = models.DateField(_("mentoring from"), null=True, blank=True)
    ended_on = models.DateField(_("graduated or withdrawn on"), null=True, blank=True)
    mentor = models.CharField(_("mentor"), max_length=100, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("incubation")
        verbose_name_plural = _("incubations")
        ordering = ["-entered_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation"],
                condition=Q(state__in=OPEN_INCUBATION_STATES),
                name="socialorgs_one_open_incubation",
            ),
            models.CheckConstraint(
                condition=Q(mentoring_from__isnull=True) | Q(mentoring_from__gte=F("entered_on")),
                name="socialorgs_incubation_mentoring_after_entry",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("entered_on")),
                name="socialorgs_incubation_ends_after_entry",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} @ {self.base}"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_INCUBATION_STATES


class IncubationEvent(FlowEvent):
    subject = models.ForeignKey(Incubation, on_delete=models.PROTECT, related_name="events")

    class Meta(FlowEvent.Meta):
        constraints = [
            models.UniqueConstraint(fields=["subject", "sequence"], name="socialorgs_incubationevent_unique_seq")
        ]
