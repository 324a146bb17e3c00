"""Activities held at the positions (阵地) and the party organisations' life (三会一课, 主题党日).

An activity (``Activity``) is run by a community or a street (``place``, its scope; ``community`` is the same place
when a community runs it) and organised by a party organisation (required for the party kinds: 三会一课 and 主题党日)
or by the community itself. Its room is booked in the same step (``booking``, a ``centres.Booking`` made in the same
transaction), or it names where it is held (``location``). Its audience says who may sign up and check in: anyone,
the residents and registered members of the community, or the party members of the organiser.

Sign-ups are limited (``signup_limit``): a counter column (``signed_up``) is raised by one conditional ``UPDATE``
that refuses to pass the limit, and a check constraint backs it, so two simultaneous sign-ups for the last place give
one sign-up and one refusal. Check-in is by a QR code of a secret per-activity token (``checkin_token``; rotating it
invalidates the old link) or by hand; one check-in per person (a unique constraint). Afterwards the minutes and
photos are recorded; an activity of a party kind with minutes counts as *held* for its organiser's organisation life.

Moves (``gridwork.activities.flows``): create → planned; record minutes → held (and again, to amend); cancel; rotate
the check-in token (recorded). Each move is an append-only event.
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


class ActivityKind(models.TextChoices):
    THEME_PARTY_DAY = "theme_party_day", _("Theme party day (主题党日)")
    BRANCH_GENERAL_MEETING = "branch_general_meeting", _("Branch general meeting (支部党员大会)")
    BRANCH_COMMITTEE_MEETING = "branch_committee_meeting", _("Branch committee meeting (支委会)")
    PARTY_GROUP_MEETING = "party_group_meeting", _("Party group meeting (党小组会)")
    PARTY_LECTURE = "party_lecture", _("Party lecture (党课)")
    VOLUNTEER = "volunteer", _("Volunteer event")
    CULTURAL = "cultural", _("Cultural event")
    OTHER = "other", _("Other activity")


# 三会一课 and 主题党日: organised by a party organisation, and counted in its organisation life.
PARTY_KINDS: frozenset[str] = frozenset(
    {
        ActivityKind.THEME_PARTY_DAY,
        ActivityKind.BRANCH_GENERAL_MEETING,
        ActivityKind.BRANCH_COMMITTEE_MEETING,
        ActivityKind.PARTY_GROUP_MEETING,
        ActivityKind.PARTY_LECTURE,
    }
)


class Audience(models.TextChoices):
    OPEN = "open", _("Open to all")
    COMMUNITY = "community", _("Residents and registered members of this community")
    PARTY_MEMBERS = "party_members", _("Party members of the organiser")


class ActivityState(models.TextChoices):
    PLANNED = "planned", _("Planned")
    HELD = "held", _("Held (minutes recorded)")
    CANCELLED = "cancelled", _("Cancelled")


class Activity(FlowSubject):
    """An activity: a party meeting, a theme party day, a volunteer or cultural event."""

    SCOPE_PATH: ClassVar[str] = "place__path"

    number = models.CharField(_("number"), max_length=24, unique=True)  # 活-2026-000123
    title = models.CharField(_("title"), max_length=120)
    kind = models.CharField(_("kind"), max_length=32, choices=ActivityKind.choices)
    description = models.TextField(_("description"), blank=True)
    place = models.ForeignKey(
        Place, verbose_name=_("run by (community or street)"), on_delete=models.PROTECT, related_name="activities"
    )
    community = models.ForeignKey(
        Place,
        verbose_name=_("community"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="community_activities",
        help_text=_("The community that runs it; empty when a street runs it."),
    )
    organiser = models.ForeignKey(
        "party.PartyOrganisation",
        verbose_name=_("organising party organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="activities",
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    booking = models.OneToOneField(
        "centres.Booking",
        verbose_name=_("room booking"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="activity",
    )
    location = models.CharField(_("where"), max_length=200, blank=True)
    audience = models.CharField(_("who may take part"), max_length=16, choices=Audience.choices)
    signup_limit = models.PositiveIntegerField(_("sign-up limit"), null=True, blank=True)
    signed_up = models.PositiveIntegerField(_("signed up"), default=0)
    state = models.CharField(_("state"), max_length=16, choices=ActivityState.choices, default=ActivityState.PLANNED)
    checkin_token = models.CharField(_("check-in token"), max_length=64, unique=True)
    minutes = models.TextField(_("minutes"), blank=True)
    minutes_recorded_at = models.DateTimeField(_("minutes recorded at"), null=True, blank=True)
    minutes_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("minutes recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"))

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["-starts_at", "-id"]
        indexes = [
            models.Index(fields=["place", "starts_at"], name="activity_place_start"),
            models.Index(fields=["organiser", "kind", "starts_at"], name="activity_organiser_kind"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="activity_ends_after_start"),
            models.CheckConstraint(
                condition=Q(signup_limit__isnull=True) | Q(signed_up__lte=F("signup_limit")),
                name="activity_signups_within_limit",
            ),
            models.CheckConstraint(
                condition=Q(signup_limit__isnull=True) | Q(signup_limit__gt=0), name="activity_limit_positive"
            ),
            models.CheckConstraint(condition=~Q(state="held") | ~Q(minutes=""), name="activity_held_has_minutes"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def is_party_kind(self) -> bool:
        return self.kind in PARTY_KINDS

    @property
    def places_left(self) -> int | None:
        return None if self.signup_limit is None else max(self.signup_limit - self.signed_up, 0)


class ActivityEvent(FlowEvent):
    subject = models.ForeignKey(Activity, on_delete=models.PROTECT, related_name="events")

    class Meta(FlowEvent.Meta):
        verbose_name = _("activity event")
        verbose_name_plural = _("activity events")
        constraints = [models.UniqueConstraint(fields=["subject", "sequence"], name="activityevent_unique_seq")]


class ParticipantKind(models.TextChoices):
    RESIDENT = "resident", _("Resident")
    MEMBER = "member", _("Registered party member")
    PARTY_MEMBER = "party_member", _("Party member of the organiser")
    STAFF = "staff", _("Staff")
    OTHER = "other", _("Other")


class SignUp(models.Model):
    """报名: one person's place at an activity; cancelled sign-ups are kept (``cancelled_at``)."""

    activity = models.ForeignKey(Activity, verbose_name=_("activity"), on_delete=models.PROTECT, related_name="signups")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.PROTECT, related_name="activity_signups"
    )
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("taking part as"), max_length=16, choices=ParticipantKind.choices)
    signed_up_at = models.DateTimeField(_("signed up at"))
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)

    class Meta:
        verbose_name = _("sign-up")
        verbose_name_plural = _("sign-ups")
        ordering = ["activity_id", "signed_up_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "user"], condition=Q(cancelled_at__isnull=True), name="signup_one_open_per_person"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.activity_id} ← {self.user_id}"


class CheckInMethod(models.TextChoices):
    QR = "qr", _("Scanned the QR code")
    BY_HAND = "by_hand", _("Checked in by staff")


class CheckIn(models.Model):
    """签到: one person present at an activity, once (a database unique constraint)."""

    activity = models.ForeignKey(
        Activity, verbose_name=_("activity"), on_delete=models.PROTECT, related_name="checkins"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="activity_checkins",
    )
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("taking part as"), max_length=16, choices=ParticipantKind.choices)
    method = models.CharField(_("how"), max_length=16, choices=CheckInMethod.choices)
    at = models.DateTimeField(_("checked in at"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("checked in by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")
        ordering = ["activity_id", "at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "user"], condition=Q(user__isnull=False), name="checkin_once_per_person"
            ),
            models.CheckConstraint(condition=Q(user__isnull=False) | ~Q(name=""), name="checkin_names_someone"),
        ]

    def __str__(self) -> str:
        return f"{self.activity_id} ✓ {self.user_id or self.name}"


def photo_path(instance: ActivityPhoto, filename: str) -> str:
    """Server-generated names only: the client's file name is never used."""
    return f"activities/{instance.created_at:%Y/%m}/{filename}"


class ActivityPhoto(models.Model):
    """A photo of the activity (re-encoded without metadata), kept with its minutes."""

    activity = models.ForeignKey(Activity, verbose_name=_("activity"), on_delete=models.PROTECT, related_name="photos")
    file = models.FileField(_("file"), upload_to=photo_path, max_length=200)
    content_type = models.CharField(max_length=64)
    size = models.PositiveIntegerField(default=0)
    caption = models.CharField(_("caption"), max_length=120, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("added by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("added at"))

    class Meta:
        verbose_name = _("activity photo")
        verbose_name_plural = _("activity photos")
        ordering = ["activity_id", "id"]

    def __str__(self) -> str:
        return self.file.name


class LifeGapWarning(models.Model):
    """A gap in a branch's organisation life (a required meeting not held in a period that has ended) that the
    community's staff were warned of, once: the schedule job warns of each gap one time."""

    SCOPE_PATH: ClassVar[str] = "organisation__place__path"

    organisation = models.ForeignKey(
        "party.PartyOrganisation",
        verbose_name=_("party branch"),
        on_delete=models.PROTECT,
        related_name="life_gap_warnings",
    )
    kind = models.CharField(_("meeting"), max_length=32, choices=ActivityKind.choices)
    period = models.CharField(_("period"), max_length=8)  # 2026-03, 2026-Q1
    warned_at = models.DateTimeField(_("warned at"))

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("organisation-life gap warning")
        verbose_name_plural = _("organisation-life gap warnings")
        ordering = ["-warned_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "kind", "period"], name="lifegapwarning_once"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.kind} {self.period}"
