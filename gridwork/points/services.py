"""Writing points: earning by the rule in force, spending, and the ledger line each writes.

``points_earn`` and ``points_spend`` change an account's balance and append its ledger line in one transaction:
the balance moves by an ``UPDATE … SET balance = balance + n`` (a spend only ``WHERE balance >= n``), so two
writers never lose each other's points and the balance never goes below zero; the line records the balance after
it. A source (one fulfilled wish, one completed order, one exchange) earns or spends once: the second call finds
the first line and returns it, changing nothing. An earning pays by the rule of its basis in force on the day of
the service (``on``), in whole points rounded down, and the line records that day (``day``).

A person has one account: it follows them from registration to registration when they move (``point_account_of``).
The rules, the rewards and the exchanges are written in ``rules``, ``rewards`` and ``exchanges``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_DOWN, Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gridwork.party.models import MemberRegistration, RegistrationState
from gridwork.points.models import EntryKind, PointAccount, PointEntry, PointRule


class NotEnoughPoints(Exception):
    def __init__(self, balance: int, needed: int) -> None:
        self.balance = balance
        self.needed = needed
        super().__init__(
            _("This needs %(needed)d points; the balance is %(balance)d.") % {"needed": needed, "balance": balance}
        )


@dataclass(frozen=True)
class Source:
    """What a ledger line is for: a kind of thing (``wish``, ``order``, ``activity``, ``exchange``) and its id."""

    kind: str
    id: int


def _holder(member: MemberRegistration) -> MemberRegistration:
    """The registration a person's account hangs on: their confirmed one (the community they serve now), else the
    one given."""
    if member.state == RegistrationState.CONFIRMED:
        return member
    current = MemberRegistration.objects.filter(user_id=member.user_id, state=RegistrationState.CONFIRMED).first()
    return current or member


def point_account_of(member: MemberRegistration) -> PointAccount:
    """The member's account (opened at zero the first time).

    Points belong to the person, not to one registration: a member who moves to another community (a new
    registration, 双报到) keeps one account, which follows them to their confirmed registration the first time
    points move after the move. Earning for an old registration (a wish claimed before the move) credits the same
    account."""
    holder = _holder(member)
    account = PointAccount.objects.filter(member=holder).first()
    if account is not None:
        return account
    earlier = PointAccount.objects.filter(member__user_id=member.user_id).order_by("-id").first()
    if earlier is not None:
        try:
            with transaction.atomic():
                PointAccount.objects.filter(pk=earlier.pk, member_id=earlier.member_id).update(member=holder)
        except IntegrityError:  # another request opened or moved an account for the holder first
            pass
        return PointAccount.objects.filter(member=holder).first() or PointAccount.objects.get(pk=earlier.pk)
    account, _created = PointAccount.objects.get_or_create(member=holder)
    return account


def point_rule_on(basis: str, day: date) -> PointRule | None:
    """The rule of ``basis`` in force on ``day`` (rules of a basis do not overlap), or None."""
    return (
        PointRule.objects.filter(basis=basis, valid_from__lte=day)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
        .order_by("-valid_from")
        .first()
    )


def points_for(rule: PointRule, quantity: Decimal | int) -> int:
    """The points ``quantity`` units earn under ``rule``, rounded down to whole points (1.5 hours at 10 an hour: 15;
    1.25 hours at 3 an hour: 3): a fraction of a point is never paid, so the ledger holds whole points only."""
    amount = Decimal(rule.points) * Decimal(str(quantity))
    return int(amount.to_integral_value(rounding=ROUND_DOWN))


def _existing(account: PointAccount, kind: str, source: Source) -> PointEntry | None:
    return PointEntry.objects.filter(account=account, kind=kind, source=source.kind, source_id=source.id).first()


def _post(
    account: PointAccount,
    *,
    kind: str,
    points: int,
    source: Source,
    rule: PointRule | None,
    note: str,
    actor: Any,
    day: date,
) -> PointEntry:
    """Move the balance by ``points`` and append the line, once per (kind, source); inside a savepoint, so a
    duplicate line rolls the balance back with it."""
    try:
        with transaction.atomic():
            accounts = PointAccount.objects.filter(pk=account.pk)
            if points < 0:
                accounts = accounts.filter(balance__gte=-points)
            earned = F("earned") + points if kind == EntryKind.EARN else F("earned")
            if not accounts.update(balance=F("balance") + points, earned=earned):
                balance = PointAccount.objects.values_list("balance", flat=True).get(pk=account.pk)
                raise NotEnoughPoints(balance, -points)
            balance = PointAccount.objects.values_list("balance", flat=True).get(pk=account.pk)
            authenticated = actor is not None and getattr(actor, "is_authenticated", False)
            entry = PointEntry.objects.create(
                account=account,
                kind=kind,
                points=points,
                balance_after=balance,
                rule=rule,
                source=source.kind,
                source_id=source.id,
                note=note[:200],
                actor=actor if authenticated else None,
                at=timezone.now(),
                day=day,
            )
    except IntegrityError:
        found = _existing(account, kind, source)
        if found is None:
            raise
        return found
    account.refresh_from_db(fields=["balance", "earned"])
    return entry


def points_earn(
    *,
    member: MemberRegistration,
    basis: str,
    quantity: Decimal | int,
    source: Source,
    actor: Any,
    on: date | None = None,
    note: str = "",
) -> PointEntry | None:
    """Credit what ``quantity`` units of ``basis`` earn under the rule in force on ``on`` (today): None when no rule
    is in force or it comes to nothing. Earning twice for one source returns the first line."""
    day = on or timezone.localdate()
    found = PointEntry.objects.filter(
        account__member__user_id=member.user_id, kind=EntryKind.EARN, source=source.kind, source_id=source.id
    ).first()
    if found is not None:
        return found
    rule = point_rule_on(basis, day)
    if rule is None:
        return None
    points = points_for(rule, quantity)
    if points <= 0:
        return None
    account = point_account_of(member)
    return _post(account, kind=EntryKind.EARN, points=points, source=source, rule=rule, note=note, actor=actor, day=day)


def points_spend(*, member: MemberRegistration, points: int, source: Source, actor: Any, note: str = "") -> PointEntry:
    """Debit ``points`` (positive) for ``source``; ``NotEnoughPoints`` if the balance is short, changing nothing."""
    if points <= 0:
        raise ValueError("points_spend takes a positive number of points")
    account = point_account_of(member)
    found = _existing(account, EntryKind.SPEND, source)
    if found is not None:
        return found
    return _post(
        account,
        kind=EntryKind.SPEND,
        points=-points,
        source=source,
        rule=None,
        note=note,
        actor=actor,
        day=timezone.localdate(),
    )
