"""Writing the points rules (积分规则): a rate per unit of a basis, from a date, to a date or open.

Rules are city-wide: one rate of a basis on any day for every member, so that an hour of service is worth the same
in every community and every earning names exactly one rule. They are therefore made and ended by staff holding
MANAGE_PARTY at a **city** post (the city's organisation department running the points card): the scope rule lets
a user change only what lies under their unit, and a city-wide rate lies under the city alone. District, street and
community staff read the rules (VIEW_PARTY) but do not change them. ``RULE_LEVELS`` is the one place to widen this.

A rule is never edited in place: its rate and start are fixed once made, since earnings name it; a new rate is a new
rule from a date, after the old one is ended. A rule that has paid nothing yet may be deleted (a mistake). Rules of
one basis never overlap; the one refused says which rule it overlaps. Every write is audited.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from gridwork.accounts.roles import Perm
from gridwork.audit.services import audit_record
from gridwork.places.models import Place, PlaceLevel
from gridwork.points.models import PointBasis, PointEntry, PointRule

RULE_LEVELS = frozenset({PlaceLevel.CITY})
MAX_POINTS = 10_000
MAX_NOTE = 200


def point_rule_may_manage(user: Any) -> bool:
    """Whether ``user`` may make and end rules: MANAGE_PARTY held at a post of a level in ``RULE_LEVELS``."""
    if user is None:
        return True  # the system (seeds, the demo)
    if not getattr(user, "is_authenticated", False) or not hasattr(user, "scope_paths"):
        return False
    paths = user.scope_paths(Perm.MANAGE_PARTY)
    return bool(paths) and Place.objects.filter(path__in=paths, level__in=RULE_LEVELS).exists()


def _require_manager(actor: Any) -> None:
    if not point_rule_may_manage(actor):
        raise PermissionDenied(_("Points rules are set by the city's staff."))


def _day(value: datetime.date | None) -> str:
    return date_format(value, "Y-m-d") if value is not None else ""


def rule_span(rule: PointRule) -> str:
    """“from 2026-01-01 to 2026-06-30”, or “from 2026-01-01, with no end”."""
    if rule.valid_to is None:
        return _("from %(start)s, with no end") % {"start": _day(rule.valid_from)}
    return _("from %(start)s to %(end)s") % {"start": _day(rule.valid_from), "end": _day(rule.valid_to)}


def _overlapping(
    basis: str, valid_from: datetime.date, valid_to: datetime.date | None, *, excluding: int | None = None
) -> PointRule | None:
    """The first rule of ``basis`` whose dates meet [valid_from, valid_to] (an open end runs for ever)."""
    rules = PointRule.objects.filter(basis=basis).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=valid_from))
    if valid_to is not None:
        rules = rules.filter(valid_from__lte=valid_to)
    if excluding is not None:
        rules = rules.exclude(pk=excluding)
    return rules.order_by("valid_from").first()


def _overlap_error(other: PointRule, valid_from: datetime.date, valid_to: datetime.date | None) -> tuple[str, str]:
    """The field to blame (the start when it falls inside the other rule, else the end) and the message."""
    starts_inside = other.valid_from <= valid_from and (other.valid_to is None or valid_from <= other.valid_to)
    field = "valid_from" if starts_inside else "valid_to"
    message = _(
        "These dates overlap the rule of %(points)d points %(span)s. End that rule first, or choose dates outside it."
    ) % {"points": other.points, "span": rule_span(other)}
    return field, message


def _lock_basis(basis: str) -> None:
    """Hold the basis's rules until the transaction ends, so two people cannot both fit a rule in the same gap (on
    SQLite every write transaction already holds the database from its start)."""
    list(PointRule.objects.select_for_update().filter(basis=basis).values_list("pk", flat=True))


def point_rule_errors(
    *,
    basis: str,
    points: int | None,
    valid_from: datetime.date | None,
    valid_to: datetime.date | None,
    note: str,
    today: datetime.date,
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if basis not in PointBasis.values:
        errors["basis"] = _("Choose what the rule pays for.")
    if points is None or points < 1 or points > MAX_POINTS:
        errors["points"] = _("Enter a whole number of points from 1 to %(max)d.") % {"max": MAX_POINTS}
    if valid_from is None:
        errors["valid_from"] = _("Enter the first day of the rule.")
    elif valid_from < today:
        errors["valid_from"] = _("A rule starts today or later: points already earned are not recomputed.")
    if valid_from is not None and valid_to is not None and valid_to < valid_from:
        errors["valid_to"] = _("The last day cannot be before the first day.")
    if len(note) > MAX_NOTE:
        errors["note"] = _("The note is longer than %(max)d characters.") % {"max": MAX_NOTE}
    return errors


def point_rule_create(
    *,
    actor: Any,
    basis: str,
    points: int,
    valid_from: datetime.date,
    valid_to: datetime.date | None,
    note: str = "",
) -> PointRule:
    """A new rule of ``basis``: ``points`` per unit from ``valid_from`` to ``valid_to`` (None: open). Refused (a
    field error naming the other rule's dates) if it overlaps a rule of the same basis."""
    _require_manager(actor)
    note = note.strip()
    with transaction.atomic():
        errors = point_rule_errors(
            basis=basis, points=points, valid_from=valid_from, valid_to=valid_to, note=note, today=timezone.localdate()
        )
        if not errors:
            _lock_basis(basis)
            other = _overlapping(basis, valid_from, valid_to)
            if other is not None:
                field, message = _overlap_error(other, valid_from, valid_to)
                errors[field] = message
        if errors:
            raise ValidationError(errors)
        authenticated = actor is not None and getattr(actor, "is_authenticated", False)
        rule = PointRule.objects.create(
            basis=basis,
            points=points,
            valid_from=valid_from,
            valid_to=valid_to,
            note=note,
            created_by=actor if authenticated else None,
        )
        audit_record(
            actor=actor,
            action="point_rule.create",
            target=rule,
            detail={
                "basis": basis,
                "points": points,
                "valid_from": valid_from.isoformat(),
                "valid_to": valid_to.isoformat() if valid_to else None,
            },
        )
    return rule


def point_rule_last_paid_day(rule: PointRule) -> datetime.date | None:
    """The last day this rule paid for (the ledger's ``day``; its ``at`` for a line from before that column)."""
    found = PointEntry.objects.filter(rule=rule).aggregate(day=Max("day"), at=Max("at"))
    if found["day"] is not None:
        day: datetime.date = found["day"]
        return day
    return timezone.localdate(found["at"]) if found["at"] is not None else None


def point_rule_end(*, actor: Any, rule: PointRule, valid_to: datetime.date) -> PointRule:
    """End ``rule`` on ``valid_to`` (its last day), so that a new rule can start after it. Not before the rule's
    first day, nor before yesterday (the past is not rewritten), nor before the last day it has paid for; a rule
    that has already ended stays ended; a later end must not run into another rule."""
    _require_manager(actor)
    with transaction.atomic():
        rule = PointRule.objects.select_for_update().get(pk=rule.pk)
        today = timezone.localdate()
        errors: dict[str, str] = {}
        paid = point_rule_last_paid_day(rule)
        if rule.valid_to is not None and rule.valid_to < today:
            errors["valid_to"] = _("This rule ended on %(day)s. Make a new rule instead.") % {
                "day": _day(rule.valid_to)
            }
        elif valid_to is None:
            errors["valid_to"] = _("Enter the last day of the rule.")
        elif valid_to < rule.valid_from:
            errors["valid_to"] = _("The last day cannot be before the rule's first day, %(day)s.") % {
                "day": _day(rule.valid_from)
            }
        elif valid_to < today - datetime.timedelta(days=1):
            errors["valid_to"] = _("A rule can be ended yesterday at the earliest: the past is not rewritten.")
        elif paid is not None and valid_to < paid:
            errors["valid_to"] = _("This rule has already paid points for %(day)s; end it on that day or later.") % {
                "day": _day(paid)
            }
        else:
            _lock_basis(rule.basis)
            other = _overlapping(rule.basis, rule.valid_from, valid_to, excluding=rule.pk)
            if other is not None:
                errors["valid_to"] = _overlap_error(other, rule.valid_from, valid_to)[1]
        if errors:
            raise ValidationError(errors)
        before = rule.valid_to
        rule.valid_to = valid_to
        rule.save(update_fields=["valid_to"])
        audit_record(
            actor=actor,
            action="point_rule.end",
            target=rule,
            detail={"valid_to": valid_to.isoformat(), "was": before.isoformat() if before else None},
        )
    return rule


def point_rule_delete(*, actor: Any, rule: PointRule) -> None:
    """Delete a rule made by mistake: only one that has paid no points (earnings name their rule)."""
    _require_manager(actor)
    with transaction.atomic():
        rule = PointRule.objects.select_for_update().get(pk=rule.pk)
        if PointEntry.objects.filter(rule=rule).exists():
            raise ValidationError(_("This rule has paid points: it stays in the ledger. End it instead."))
        audit_record(
            actor=actor,
            action="point_rule.delete",
            target=rule,
            detail={
                "basis": rule.basis,
                "points": rule.points,
                "valid_from": rule.valid_from.isoformat(),
                "valid_to": rule.valid_to.isoformat() if rule.valid_to else None,
            },
        )
        rule.delete()
