"""Households in difficulty and their pairing with party members and leaders (包联困难户, seed 002).

A household flagged as in difficulty (低保, 特困, an elderly person living alone…) is a sensitive attribute: only staff
holding ``VIEW_DIFFICULTY`` over the household see it, names and addresses are masked unless they also hold
``VIEW_PERSONAL_DATA`` there, and every opening of a household's record is written to the audit log. The record is
paired (包联) with registered party members (双报到) of the household's community or with leaders (staff); their
visits (走访) are kept append-only, and a need found on a visit becomes one matter or one micro-wish, once.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gridwork.common.need_fields import HouseholdNeed
from gridwork.common.scope import ScopedQuerySet
from gridwork.places.models import Place


class Difficulty(models.TextChoices):
    """The kinds of difficulty a household is flagged with (one household may have several)."""

    MINIMUM_LIVING = "minimum_living", _("Minimum living allowance (低保)")
    EXTREME_POVERTY = "extreme_poverty", _("Extreme poverty support (特困)")
    ELDERLY_ALONE = "elderly_alone", _("Elderly living alone (独居老人)")
    DISABILITY = "disability", _("Disability (残疾)")
    SERIOUS_ILLNESS = "serious_illness", _("Serious illness (大病)")
    LEFT_BEHIND_CHILD = "left_behind_child", _("Left-behind child (留守儿童)")
    OTHER = "other", _("Other difficulty")


class HouseholdInDifficulty(models.Model):
    """困难户: a household flagged as in difficulty, with its kinds, from ``since`` until the record ends.

    A household has at most one open record (``ended_on`` empty); a household that falls into difficulty again gets a
    new record, so the history stays.
    """

    SCOPE_PATH: ClassVar[str] = "household__path"

    household = models.ForeignKey(
        Place, verbose_name=_("household"), on_delete=models.PROTECT, related_name="difficulty_records"
    )
    kinds = models.JSONField(_("kinds of difficulty"), default=list)
    note = models.TextField(_("note"), blank=True)
    since = models.DateField(_("in difficulty since"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    ended_reason = models.TextField(_("why it ended"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ended by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("household in difficulty")
        verbose_name_plural = _("households in difficulty")
        ordering = ["-since", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["household"], condition=Q(ended_on__isnull=True), name="care_household_one_open_record"
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("since")),
                name="care_household_ends_after",
            ),
        ]

    def __str__(self) -> str:
        # The audit log copies this: no name, no address, no kind of difficulty.
        return f"#{self.pk} @ {self.household_id}"

    @property
    def is_open(self) -> bool:
        return self.ended_on is None


class Pairing(models.Model):
    """包联: a household in difficulty paired with a registered party member of its community, or with a leader.

    Exactly one partner: ``member`` (a confirmed 双报到 registration) or ``leader`` (a staff account). At most one open
    pairing per household and partner.
    """

    SCOPE_PATH: ClassVar[str] = "record__household__path"

    record = models.ForeignKey(
        HouseholdInDifficulty, verbose_name=_("household"), on_delete=models.PROTECT, related_name="pairings"
    )
    member = models.ForeignKey(
        "party.MemberRegistration",
        verbose_name=_("party member"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="care_pairings",
    )
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("leader"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="care_pairings",
    )
    since = models.DateField(_("paired since"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    ended_reason = models.TextField(_("why it ended"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("paired by"), on_delete=models.PROTECT, related_name="+"
    )
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ended by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("pairing")
        verbose_name_plural = _("pairings")
        ordering = ["ended_on", "-since", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(member__isnull=False) & Q(leader__isnull=True))
                | (Q(member__isnull=True) & Q(leader__isnull=False)),
                name="care_pairing_one_partner",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("since")), name="care_pairing_ends_after"
            ),
            models.UniqueConstraint(
                fields=["record", "member"],
                condition=Q(ended_on__isnull=True, member__isnull=False),
                name="care_pairing_one_open_member",
            ),
            models.UniqueConstraint(
                fields=["record", "leader"],
                condition=Q(ended_on__isnull=True, leader__isnull=False),
                name="care_pairing_one_open_leader",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} of {self.record_id}"

    @property
    def is_open(self) -> bool:
        return self.ended_on is None


class VisitorRole(models.TextChoices):
    """In which capacity the visit was recorded."""

    MEMBER = "member", _("Paired party member")
    LEADER = "leader", _("Paired leader")
    STAFF = "staff", _("Grid worker or community staff")


class Visit(models.Model):
    """走访: a visit to a household in difficulty — when, by whom, what was seen, the needs found. Never changed nor
    deleted (database triggers refuse it); a wrong visit is corrected by recording another."""

    SCOPE_PATH: ClassVar[str] = "record__household__path"

    record = models.ForeignKey(
        HouseholdInDifficulty, verbose_name=_("household"), on_delete=models.PROTECT, related_name="visits"
    )
    pairing = models.ForeignKey(
        Pairing,
        verbose_name=_("pairing"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="visits",
        help_text=_("The pairing whose partner made the visit; empty for staff visiting in their own right."),
    )
    visited_on = models.DateField(_("visited on"))
    notes = models.TextField(_("notes"))
    visitor_role = models.CharField(_("recorded as"), max_length=16, choices=VisitorRole.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["-visited_on", "-id"]
        indexes = [models.Index(fields=["record", "visited_on"], name="care_visit_record_day")]

    def __str__(self) -> str:
        return f"#{self.pk} of {self.record_id} on {self.visited_on}"


class Need(HouseholdNeed):
    """A need found on a visit, and what it became: one matter (事项) or one micro-wish (微心愿), once."""

    SCOPE_PATH: ClassVar[str] = "visit__record__household__path"
    OUTCOME_FIELDS: ClassVar[tuple[str, ...]] = ("matter", "wish")

    visit = models.ForeignKey(Visit, verbose_name=_("visit"), on_delete=models.PROTECT, related_name="needs")
    matter = models.OneToOneField(
        "matters.Matter",
        verbose_name=_("filed as matter"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="care_need",
    )
    wish = models.OneToOneField(
        "wishes.Wish",
        verbose_name=_("posted as micro-wish"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="care_need",
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("need")
        verbose_name_plural = _("needs")
        ordering = ["visit_id", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(matter__isnull=True) | Q(wish__isnull=True), name="care_need_becomes_one_thing"
            ),
            models.CheckConstraint(
                condition=(Q(matter__isnull=True) & Q(wish__isnull=True) & Q(converted_at__isnull=True))
                | ((Q(matter__isnull=False) | Q(wish__isnull=False)) & Q(converted_at__isnull=False)),
                name="care_need_converted_when",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} of visit {self.visit_id}"
