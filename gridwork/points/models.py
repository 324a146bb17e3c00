"""Service points (积分): the rules that earn them, each member's account and its append-only ledger, the rewards
catalogue and the exchange requests that spend them (积分卡, seed 001).

The balance of an account always equals the sum of its ledger: both change in one statement pair of one
transaction (``services``), the balance never goes below zero (a check constraint), and a source (a fulfilled
wish, a completed order, an attended activity, an exchange) earns or spends once (a unique key).
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gridwork.common.flows import FlowEvent, FlowSubject
from gridwork.common.scope import ScopedQuerySet
from gridwork.places.models import Place


class PointBasis(models.TextChoices):
    """What a rule pays for."""

    SERVICE_HOUR = "service_hour", _("Each hour of volunteer service")
    WISH = "wish", _("Each micro-wish fulfilled")
    ACTIVITY = "activity", _("Each activity attended")


class PointRule(models.Model):
    """积分规则: so many points per unit of a basis, valid from a date (to a date, or open). Rules of one basis do
    not overlap in time, so every earning has exactly one rule; a changed rate is a new rule from a new date."""

    basis = models.CharField(_("basis"), max_length=16, choices=PointBasis.choices)
    points = models.PositiveIntegerField(_("points per unit"))
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("point rule")
        verbose_name_plural = _("point rules")
        ordering = ["basis", "-valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")), name="pointrule_dates"
            ),
            models.CheckConstraint(condition=Q(points__gt=0), name="pointrule_points_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.basis} {self.points} from {self.valid_from}"


class PointAccount(models.Model):
    """A registered member's points: the balance, kept equal to the sum of the ledger's entries."""

    SCOPE_PATH: ClassVar[str] = "member__building__path"

    member = models.OneToOneField(
        "party.MemberRegistration", verbose_name=_("member"), on_delete=models.PROTECT, related_name="points"
    )
    balance = models.IntegerField(_("balance"), default=0)
    earned = models.PositiveIntegerField(_("earned in all"), default=0)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("point account")
        verbose_name_plural = _("point accounts")
        constraints = [models.CheckConstraint(condition=Q(balance__gte=0), name="pointaccount_not_negative")]

    def __str__(self) -> str:
        return f"{self.member_id}: {self.balance}"


class EntryKind(models.TextChoices):
    EARN = "earn", _("Earned")
    SPEND = "spend", _("Spent")
    REFUND = "refund", _("Refunded")


class PointEntry(models.Model):
    """One line of the ledger, append-only: points in (positive) or out (negative), the balance after it, and
    what it was for (``source`` and ``source_id``: one entry of a kind per source)."""

    account = models.ForeignKey(PointAccount, on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(max_length=8, choices=EntryKind.choices)
    points = models.IntegerField()
    balance_after = models.IntegerField()
    rule = models.ForeignKey(PointRule, on_delete=models.PROTECT, null=True, blank=True, related_name="entries")
    source = models.CharField(max_length=16)
    source_id = models.PositiveBigIntegerField()
    note = models.CharField(max_length=200, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField()
    # The day the points count for: for an earning, the day whose rule paid it (the day of the service); a rule
    # cannot be ended before the last day it paid for. Null only in a table's rows from before the column.
    day = models.DateField(_("day"), null=True, blank=True)

    class Meta:
        verbose_name = _("point entry")
        verbose_name_plural = _("point entries")
        ordering = ["account_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["account", "kind", "source", "source_id"], name="pointentry_once"),
            models.CheckConstraint(condition=~Q(points=0), name="pointentry_not_zero"),
            models.CheckConstraint(condition=Q(balance_after__gte=0), name="pointentry_balance_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.account_id} {self.points:+d} → {self.balance_after}"


class Reward(models.Model):
    """A reward of the catalogue a community (or the street, for all its communities) offers for points."""

    SCOPE_PATH: ClassVar[str] = "place__path"

    place = models.ForeignKey(Place, verbose_name=_("offered by"), on_delete=models.PROTECT, related_name="rewards")
    name = models.CharField(_("name"), max_length=80)
    description = models.TextField(_("description"), blank=True)
    cost = models.PositiveIntegerField(_("points"))
    stock = models.PositiveIntegerField(_("in stock"), null=True, blank=True, help_text=_("Empty: no limit."))
    active = models.BooleanField(_("offered"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("reward")
        verbose_name_plural = _("rewards")
        ordering = ["cost", "name"]
        constraints = [models.CheckConstraint(condition=Q(cost__gt=0), name="reward_cost_positive")]

    def __str__(self) -> str:
        return self.name


class ExchangeState(models.TextChoices):
    REQUESTED = "requested", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Exchange(FlowSubject):
    """A member's request to spend points on a reward; the community approves (the points are spent and the stock
    goes down, in the same transaction) or rejects with a reason."""

    SCOPE_PATH: ClassVar[str] = "account__member__building__path"

    account = models.ForeignKey(PointAccount, verbose_name=_("account"), on_delete=models.PROTECT, related_name="+")
    reward = models.ForeignKey(Reward, verbose_name=_("reward"), on_delete=models.PROTECT, related_name="exchanges")
    cost = models.PositiveIntegerField(_("points"))
    state = models.CharField(_("state"), max_length=16, choices=ExchangeState.choices, default=ExchangeState.REQUESTED)
    reason = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("reward exchange")
        verbose_name_plural = _("reward exchanges")
        ordering = ["-created_at", "-id"]
        constraints = [
            # One open request per member and reward: a double tap asks once.
            models.UniqueConstraint(
                fields=["account", "reward"],
                condition=Q(state=ExchangeState.REQUESTED),
                name="exchange_one_open_per_reward",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account_id} → {self.reward_id}"


class ExchangeEvent(FlowEvent):
    subject = models.ForeignKey(Exchange, on_delete=models.PROTECT, related_name="events")

    class Meta(FlowEvent.Meta):
        verbose_name = _("exchange event")
        verbose_name_plural = _("exchange events")
        constraints = [models.UniqueConstraint(fields=["subject", "sequence"], name="exchangeevent_sequence")]
