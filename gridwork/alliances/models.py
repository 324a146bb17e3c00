"""Party-building alliances (党建联盟): several communities and resident units that work together under a rotating
chair (轮值), meet jointly at least twice a year (联席会议) and run joint projects (``cobuild.Project.alliance``).

The alliance is a flow subject (``common.flows``): every change — editing it, a member joining or leaving, a new
chair order, an early hand-over, a meeting recorded — is a move of the alliance with its event, so its history is
its event log (append-only) and two people changing the same alliance at once cannot both win.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gridwork.common.flows import FlowEvent, FlowSubject
from gridwork.common.scope import ScopedQuerySet, path_scope_q
from gridwork.places.models import Place


class AllianceState(models.TextChoices):
    ACTIVE = "active", pgettext_lazy("alliance", "Active")
    DISSOLVED = "dissolved", _("Dissolved")


class Alliance(FlowSubject):
    """党建联盟: its name and purpose, the street or community that organises it, when it started, and how long
    each chair's term lasts (in months).

    Staff see an alliance through its organising place, and the staff of every current member community see it
    too; only the organising place's staff change it (``selectors.alliances_managed``).
    """

    SCOPE_PATH: ClassVar[str] = "place__path"

    @classmethod
    def scope_q(cls, user: Any, perm: str) -> Q:
        member_communities = path_scope_q(user, perm, "members__community__path") & Q(members__left_on__isnull=True)
        return path_scope_q(user, perm, "place__path") | Q(pk__in=cls.objects.filter(member_communities).values("pk"))

    name = models.CharField(_("name"), max_length=100)
    purpose = models.TextField(_("purpose"))
    place = models.ForeignKey(
        Place, verbose_name=_("organised by (street or community)"), on_delete=models.PROTECT, related_name="alliances"
    )
    started_on = models.DateField(_("started on"))
    term_months = models.PositiveSmallIntegerField(
        _("chair's term (months)"),
        default=6,
        validators=[MinValueValidator(1), MaxValueValidator(36)],
        help_text=_("Each member chairs the alliance for this many months, in the chair order."),
    )
    state = models.CharField(_("state"), max_length=16, choices=AllianceState.choices, default=AllianceState.ACTIVE)
    dissolved_on = models.DateField(_("dissolved on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("party-building alliance")
        verbose_name_plural = _("party-building alliances")
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(term_months__gte=1) & Q(term_months__lte=36), name="alliance_term_months_range"
            ),
            models.CheckConstraint(
                condition=Q(state="dissolved", dissolved_on__isnull=False)
                | (~Q(state="dissolved") & Q(dissolved_on__isnull=True)),
                name="alliance_dissolved_on",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class AllianceEvent(FlowEvent):
    """One change of an alliance (append-only): created, edited, a member joined or left, the chair order changed,
    the chair handed over, a meeting recorded, dissolved."""

    subject = models.ForeignKey(Alliance, on_delete=models.PROTECT, related_name="events")

    class Meta(FlowEvent.Meta):
        verbose_name = _("alliance event")
        verbose_name_plural = _("alliance events")
        constraints = [models.UniqueConstraint(fields=["subject", "sequence"], name="allianceevent_sequence")]


class AllianceMember(models.Model):
    """A membership of a community (a place of level community) or a resident unit in an alliance, from the day it
    joined to the day it left. Leaving keeps the row (history); joining again makes a new row, which also puts the
    member at the end of the chair order. A community or unit is a current member of an alliance at most once."""

    alliance = models.ForeignKey(Alliance, verbose_name=_("alliance"), on_delete=models.PROTECT, related_name="members")
    community = models.ForeignKey(
        Place,
        verbose_name=_("community"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="alliance_memberships",
    )
    unit = models.ForeignKey(
        "people.ResidentUnit",
        verbose_name=_("resident unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="alliance_memberships",
    )
    joined_on = models.DateField(_("joined on"))
    left_on = models.DateField(_("left on"), null=True, blank=True)
    leave_reason = models.TextField(_("why it left"), blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("added by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("alliance member")
        verbose_name_plural = _("alliance members")
        ordering = ["alliance", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(community__isnull=False, unit__isnull=True) | Q(community__isnull=True, unit__isnull=False),
                name="alliancemember_community_or_unit",
            ),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=models.F("joined_on")),
                name="alliancemember_left_after_joined",
            ),
            models.UniqueConstraint(
                fields=["alliance", "community"],
                condition=Q(left_on__isnull=True, community__isnull=False),
                name="alliancemember_current_community_once",
            ),
            models.UniqueConstraint(
                fields=["alliance", "unit"],
                condition=Q(left_on__isnull=True, unit__isnull=False),
                name="alliancemember_current_unit_once",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        if self.community_id is not None:
            return self.community.name if self.community is not None else ""
        return self.unit.name if self.unit is not None else ""

    @property
    def is_unit(self) -> bool:
        return self.unit_id is not None

    def active_on(self, day: Any) -> bool:
        return self.joined_on <= day and (self.left_on is None or self.left_on > day)


class ChairChangeKind(models.TextChoices):
    START = "start", _("First chair")
    HANDOVER = "handover", _("Handed over early")
    LEFT = "left", _("The chair left the alliance")
    SETTINGS = "settings", _("Chair order or term changed")


class ChairChange(models.Model):
    """A change to the rotating chair (轮值), append-only; between changes the chair rotates by itself.

    From ``starts_on`` the ``chair`` serves until ``first_ends_on``; from then on each member in ``order`` (member
    ids; members who joined later follow in the order they joined) chairs for ``term_months``, skipping members
    who are not in the alliance on the day their turn comes (``gridwork.alliances.rotation``). A hand-over starts a
    new term for the new chair; a new order or term keeps the current chair's term (``first_ends_on``) and applies
    from the next turn."""

    alliance = models.ForeignKey(
        Alliance, verbose_name=_("alliance"), on_delete=models.PROTECT, related_name="chair_changes"
    )
    kind = models.CharField(_("change"), max_length=16, choices=ChairChangeKind.choices)
    starts_on = models.DateField(_("from"))
    first_ends_on = models.DateField(_("first term ends on"))
    chair = models.ForeignKey(
        AllianceMember, verbose_name=_("chair"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    order = models.JSONField(_("chair order"), default=list)
    term_months = models.PositiveSmallIntegerField(_("chair's term (months)"))
    reason = models.TextField(_("reason"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"))

    class Meta:
        verbose_name = _("change of chair")
        verbose_name_plural = _("changes of chair")
        ordering = ["alliance", "starts_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(first_ends_on__gt=models.F("starts_on")), name="chairchange_term"),
        ]

    def __str__(self) -> str:
        return f"{self.alliance_id} {self.kind} {self.starts_on}"


class JointMeeting(models.Model):
    """联席会议: a joint meeting of an alliance — when, where, on what, who attended (members present), the minutes
    (required) and the decisions. Recorded once and kept as recorded (append-only); the chair is the chair on the
    day of the meeting."""

    alliance = models.ForeignKey(
        Alliance, verbose_name=_("alliance"), on_delete=models.PROTECT, related_name="meetings"
    )
    held_on = models.DateField(_("meeting date"))
    venue = models.CharField(_("venue"), max_length=120)
    topic = models.CharField(_("topic"), max_length=120)
    minutes = models.TextField(_("minutes"))
    decisions = models.TextField(_("decisions"), blank=True)
    chair = models.ForeignKey(
        AllianceMember, verbose_name=_("chaired by"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    attendees: models.ManyToManyField[AllianceMember, MeetingAttendance] = models.ManyToManyField(
        AllianceMember, verbose_name=_("members present"), through="MeetingAttendance", related_name="meetings"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"))

    class Meta:
        verbose_name = _("joint meeting")
        verbose_name_plural = _("joint meetings")
        ordering = ["-held_on", "-id"]
        indexes = [models.Index(fields=["alliance", "held_on"], name="jointmeeting_alliance_held")]
        constraints = [models.CheckConstraint(condition=~Q(minutes=""), name="jointmeeting_minutes_not_empty")]

    def __str__(self) -> str:
        return f"{self.held_on} {self.topic}"


class MeetingAttendance(models.Model):
    """A member present at a joint meeting (append-only, like the meeting)."""

    meeting = models.ForeignKey(JointMeeting, on_delete=models.PROTECT, related_name="attendance")
    member = models.ForeignKey(AllianceMember, on_delete=models.PROTECT, related_name="attendance")

    class Meta:
        verbose_name = _("member present")
        verbose_name_plural = _("members present")
        constraints = [models.UniqueConstraint(fields=["meeting", "member"], name="meetingattendance_once")]

    def __str__(self) -> str:
        return f"{self.meeting_id}: {self.member_id}"
