"""Estates (小区): the residential compounds of a community, the unit that owners' committees, property companies and
estate stations are organised by (seeds 001, 002, 003).

The administrative tree (``places``) runs city → … → grid → household and has no estate level: an estate is not an
administrative unit, and its buildings may fall in several grids. An estate therefore belongs to one community (its
scope) and lists the grids its buildings fall in.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from gridwork.common.flows import FlowEvent, FlowSubject
from gridwork.common.scope import ScopedQuerySet
from gridwork.places.models import Place


class EstateKind(models.TextChoices):
    COMMERCIAL = "commercial", _("Commercial housing estate (商品房小区)")
    OLD = "old", _("Old neighbourhood (老旧小区)")
    RESETTLEMENT = "resettlement", _("Resettlement estate (安置小区)")
    UNIT_COMPOUND = "unit_compound", _("Work-unit compound (单位大院)")
    OPEN_BLOCK = "open_block", _("Open block without management (开放式/散居楼院)")


class Estate(models.Model):
    """小区: a residential estate in one community."""

    SCOPE_PATH: ClassVar[str] = "community__path"

    name = models.CharField(_("name"), max_length=120)
    community = models.ForeignKey(
        Place,
        verbose_name=_("community"),
        on_delete=models.PROTECT,
        related_name="estates",
        limit_choices_to={"level": "community"},
    )
    grids = models.ManyToManyField(
        Place,
        verbose_name=_("grids"),
        blank=True,
        related_name="grid_estates",
        limit_choices_to={"level": "grid"},
        help_text=_("The grids the estate's buildings fall in."),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=EstateKind.choices, default=EstateKind.COMMERCIAL)
    address = models.CharField(_("address"), max_length=200, blank=True)
    households = models.PositiveIntegerField(_("households"), default=0)
    buildings = models.PositiveIntegerField(_("buildings"), default=0)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("estate")
        verbose_name_plural = _("estates")
        ordering = ["community__code", "name"]
        constraints = [models.UniqueConstraint(fields=["community", "name"], name="estates_estate_unique_name")]

    def __str__(self) -> str:
        return self.name


# --- owners' committees (业委会 / 物管会) -------------------------------------------------------------------------


class CommitteeKind(models.TextChoices):
    OWNERS = "owners", _("Owners' committee (业委会)")
    PROPERTY_MANAGEMENT = "property_management", _("Property-management committee (物管会)")


class CommitteeStatus(models.TextChoices):
    FORMING = "forming", _("Forming")
    ACTIVE = "active", _("Active")
    TERM_ENDED = "term_ended", _("Term ended")
    DISSOLVED = "dissolved", _("Dissolved")


# A committee in one of these states is its estate's current committee: an estate has at most one at a time.
CURRENT_STATES: tuple[str, ...] = (CommitteeStatus.FORMING, CommitteeStatus.ACTIVE)


class Committee(FlowSubject):
    """业委会 or 物管会 of one estate, led by the party (seed 001 #10): a party organisation inside it, or, where there
    is none yet, a party liaison (党建指导员 / 党员业主联络员). ``next_election_date`` is when its term is due to be
    renewed (换届); the community's managers are warned 90 days ahead and again when it passes."""

    SCOPE_PATH: ClassVar[str] = "estate__community__path"

    estate = models.ForeignKey(Estate, verbose_name=_("estate"), on_delete=models.PROTECT, related_name="committees")
    kind = models.CharField(_("kind"), max_length=24, choices=CommitteeKind.choices, default=CommitteeKind.OWNERS)
    state = models.CharField(_("status"), max_length=16, choices=CommitteeStatus.choices)
    formed_on = models.DateField(_("formed on"), null=True, blank=True)
    term_start = models.DateField(_("term starts"), null=True, blank=True)
    term_end = models.DateField(_("term ends"), null=True, blank=True)
    next_election_date = models.DateField(_("next election"), null=True, blank=True)
    party_organisation = models.ForeignKey(
        "party.PartyOrganisation",
        verbose_name=_("party organisation inside it"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="estate_committees",
    )
    party_liaison_name = models.CharField(_("party liaison"), max_length=50, blank=True)
    party_liaison_member = models.ForeignKey(
        "party.PartyMember",
        verbose_name=_("party liaison (registered member)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="estate_committee_liaisons",
    )
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("owners' committee")
        verbose_name_plural = _("owners' committees")
        ordering = ["estate_id", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["estate"],
                condition=Q(state__in=CURRENT_STATES),
                name="estates_committee_one_current",
            ),
            models.CheckConstraint(
                condition=Q(term_end__isnull=True) | Q(term_start__isnull=True) | Q(term_end__gt=F("term_start")),
                name="estates_committee_term_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.estate.name} · {self.get_kind_display()}"

    @property
    def is_party_led(self) -> bool:
        return bool(self.party_organisation_id or self.party_liaison_member_id or self.party_liaison_name.strip())


class CommitteeEvent(FlowEvent):
    subject = models.ForeignKey(Committee, on_delete=models.PROTECT, related_name="events")

    class Meta(FlowEvent.Meta):
        constraints = [models.UniqueConstraint(fields=["subject", "sequence"], name="estates_committeeevent_seq")]


class MemberRole(models.TextChoices):
    CHAIR = "chair", _("Chair (主任)")
    VICE_CHAIR = "vice_chair", _("Vice-chair (副主任)")
    MEMBER = "member", _("Member (委员)")
    DIRECTOR = "director", _("Director (物管会主任)")
    SECRETARY = "secretary", _("Secretary (执行秘书)")


class CommitteeMember(models.Model):
    """A member of a committee for a term; a member of the community's leadership (社区"两委") sitting on it is a
    cross-membership (交叉任职), linked to their staff account when they have one."""

    SCOPE_PATH: ClassVar[str] = "committee__estate__community__path"

    committee = models.ForeignKey(
        Committee, verbose_name=_("committee"), on_delete=models.PROTECT, related_name="members"
    )
    name = models.CharField(_("name"), max_length=50)
    role = models.CharField(_("role"), max_length=16, choices=MemberRole.choices, default=MemberRole.MEMBER)
    phone = models.CharField(_("mobile phone"), max_length=20, blank=True)
    is_party_member = models.BooleanField(_("party member"), default=False)
    is_community_leader = models.BooleanField(_("community leader (社区两委)"), default=False)
    staff_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff account"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="estate_committee_seats",
    )
    term_start = models.DateField(_("term starts"), null=True, blank=True)
    term_end = models.DateField(_("term ends"), null=True, blank=True)
    left_on = models.DateField(_("left on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("committee member")
        verbose_name_plural = _("committee members")
        ordering = ["committee_id", "role", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(term_end__isnull=True) | Q(term_start__isnull=True) | Q(term_end__gt=F("term_start")),
                name="estates_member_term_order",
            ),
            models.CheckConstraint(
                condition=Q(staff_user__isnull=True) | Q(is_community_leader=True),
                name="estates_member_staff_is_leader",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class MeetingKind(models.TextChoices):
    COMMITTEE = "committee", _("Committee meeting")
    OWNERS_ASSEMBLY = "owners_assembly", _("Owners' general assembly (业主大会)")
    JOINT = "joint", _("Joint meeting with the community and property company (联席会议)")


class CommitteeMeeting(models.Model):
    SCOPE_PATH: ClassVar[str] = "committee__estate__community__path"

    committee = models.ForeignKey(
        Committee, verbose_name=_("committee"), on_delete=models.PROTECT, related_name="meetings"
    )
    held_on = models.DateField(_("held on"))
    kind = models.CharField(_("kind"), max_length=24, choices=MeetingKind.choices, default=MeetingKind.COMMITTEE)
    topic = models.CharField(_("topic"), max_length=200)
    attendance = models.PositiveIntegerField(_("attendance"), default=0)
    minutes = models.TextField(_("minutes"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("committee meeting")
        verbose_name_plural = _("committee meetings")
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return self.topic


class MeetingDecision(models.Model):
    SCOPE_PATH: ClassVar[str] = "meeting__committee__estate__community__path"

    meeting = models.ForeignKey(
        CommitteeMeeting, verbose_name=_("meeting"), on_delete=models.PROTECT, related_name="decisions"
    )
    text = models.TextField(_("decision"))
    votes_for = models.PositiveIntegerField(_("votes for"), default=0)
    votes_against = models.PositiveIntegerField(_("votes against"), default=0)
    votes_abstain = models.PositiveIntegerField(_("abstentions"), default=0)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["meeting_id", "id"]

    def __str__(self) -> str:
        return self.text[:60]

    @property
    def passed(self) -> bool:
        return self.votes_for > self.votes_against


class DutyNotice(models.Model):
    """履职公示: a public notice of the committee's duties and what it did; shown on the estate's public page until
    withdrawn."""

    SCOPE_PATH: ClassVar[str] = "committee__estate__community__path"

    committee = models.ForeignKey(
        Committee, verbose_name=_("committee"), on_delete=models.PROTECT, related_name="notices"
    )
    title = models.CharField(_("title"), max_length=120)
    body = models.TextField(_("text"))
    published_on = models.DateField(_("published on"))
    is_public = models.BooleanField(_("public"), default=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("published by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("duty notice")
        verbose_name_plural = _("duty notices")
        ordering = ["-published_on", "-id"]

    def __str__(self) -> str:
        return self.title


class WarningKind(models.TextChoices):
    DUE = "due", _("Election due within 90 days")
    OVERDUE = "overdue", _("Election overdue")


class ElectionWarning(models.Model):
    """One warning sent about a committee's election date: at most one of each kind per committee and date, so a
    rerun of the daily job repeats nothing and a missed day is caught up the next."""

    committee = models.ForeignKey(Committee, on_delete=models.PROTECT, related_name="election_warnings")
    election_date = models.DateField()
    kind = models.CharField(max_length=8, choices=WarningKind.choices)
    sent_at = models.DateTimeField()
    recipients = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["committee", "election_date", "kind"], name="estates_warning_once")
        ]

    def __str__(self) -> str:
        return f"{self.committee_id} {self.election_date} {self.kind}"
