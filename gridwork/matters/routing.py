"""分流规则: writing the routing rules that give a new matter its default lead unit. Every change is audited.

A rule says: matters of ``category`` (or of any category) inside ``area``'s subtree go to one lead unit.
The unit must be able to lead every matter the rule can route, which is what dispatching checks too
(``units.lead_place_choices`` and ``units.department_choices``): a place unit is the area itself or one of its
ancestors at a handling level; a department's jurisdiction contains the area.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from gridwork.accounts.roles import Perm
from gridwork.audit.services import audit_record
from gridwork.matters.models import Category, RoutingRule
from gridwork.matters.units import HANDLING_LEVELS
from gridwork.places.models import Department, Place


def routing_rule_snapshot(rule: RoutingRule) -> dict[str, Any]:
    """What the audit log keeps of a rule: codes, which stay readable after the rows change."""
    return {
        "category": rule.category.code if rule.category_id and rule.category else None,
        "area": rule.place.code,
        "lead_place": rule.lead_place.code if rule.lead_place_id and rule.lead_place else None,
        "lead_department": rule.lead_department.code if rule.lead_department_id and rule.lead_department else None,
    }


def _area_in_scope(actor: Any, area: Place) -> bool:
    return Place.objects.restrict(actor, Perm.MANAGE_ROUTING).filter(pk=area.pk).exists()


def _validate(
    *,
    actor: Any,
    category: Category | None,
    area: Place,
    lead_place: Place | None,
    lead_department: Department | None,
    rule: RoutingRule | None = None,
) -> None:
    if not _area_in_scope(actor, area):
        raise PermissionDenied(_("You may not manage routing rules for this area."))
    errors: dict[str, str] = {}
    if category is not None and not category.is_active:
        errors["category"] = _("This category is no longer in use.")
    if (lead_place is None) == (lead_department is None):
        errors["lead_unit"] = _("Choose exactly one lead unit.")
    elif lead_department is not None:
        if not lead_department.is_active:
            errors["lead_unit"] = _("This department is no longer active.")
        elif not area.path.startswith(lead_department.place.path):
            errors["lead_unit"] = _("The department's jurisdiction (%(jurisdiction)s) does not cover %(area)s.") % {
                "jurisdiction": lead_department.place.name,
                "area": area.name,
            }
    elif lead_place is not None:
        if lead_place.level not in HANDLING_LEVELS:
            errors["lead_unit"] = _("Only a grid, community, street or district can lead matters.")
        elif not area.path.startswith(lead_place.path):
            errors["lead_unit"] = _(
                "%(unit)s cannot lead every matter in %(area)s: choose the area itself or a unit above it."
            ) % {"unit": lead_place.name, "area": area.name}
    duplicates = RoutingRule.objects.filter(place=area, category=category)
    if rule is not None:
        duplicates = duplicates.exclude(pk=rule.pk)
    if duplicates.exists():
        errors["category"] = (
            _("%(area)s already has a rule for this category.") % {"area": area.name}
            if category is not None
            else _("%(area)s already has a default rule.") % {"area": area.name}
        )
    if errors:
        raise ValidationError(errors)


def _duplicate_error(area: Place) -> ValidationError:
    return ValidationError({"category": _("%(area)s already has a rule for this category.") % {"area": area.name}})


def routing_rule_create(
    *,
    actor: Any,
    area: Place,
    category: Category | None,
    lead_place: Place | None = None,
    lead_department: Department | None = None,
    request: HttpRequest | None = None,
) -> RoutingRule:
    """A new rule in an area of the actor's scope, audited."""
    _validate(actor=actor, category=category, area=area, lead_place=lead_place, lead_department=lead_department)
    try:
        with transaction.atomic():
            rule = RoutingRule.objects.create(
                place=area, category=category, lead_place=lead_place, lead_department=lead_department
            )
            audit_record(
                actor=actor,
                action="matters.routing_rule.create",
                target=rule,
                detail={"before": None, "after": routing_rule_snapshot(rule)},
                request=request,
            )
    except IntegrityError as error:  # a concurrent create of the same rule
        raise _duplicate_error(area) from error
    return rule


def routing_rule_update(
    *,
    actor: Any,
    rule: RoutingRule,
    area: Place,
    category: Category | None,
    lead_place: Place | None = None,
    lead_department: Department | None = None,
    request: HttpRequest | None = None,
) -> RoutingRule:
    """Change a rule of the actor's scope (its area may move only within the scope); audited with before/after."""
    if not _area_in_scope(actor, rule.place):
        raise PermissionDenied(_("You may not manage routing rules for this area."))
    _validate(
        actor=actor, category=category, area=area, lead_place=lead_place, lead_department=lead_department, rule=rule
    )
    before = routing_rule_snapshot(rule)
    rule.place, rule.category, rule.lead_place, rule.lead_department = area, category, lead_place, lead_department
    after = routing_rule_snapshot(rule)
    if after == before:
        return rule
    changed = [name for name in ("category", "area", "lead_place", "lead_department") if before[name] != after[name]]
    fields = {"area": "place"}
    try:
        with transaction.atomic():
            rule.save(update_fields=[fields.get(name, name) for name in changed] + ["updated_at"])
            audit_record(
                actor=actor,
                action="matters.routing_rule.update",
                target=rule,
                detail={"before": before, "after": after},
                request=request,
            )
    except IntegrityError as error:
        raise _duplicate_error(area) from error
    return rule


def routing_rule_delete(*, actor: Any, rule: RoutingRule, request: HttpRequest | None = None) -> None:
    """Remove a rule of the actor's scope; the audit row keeps what it said."""
    if not _area_in_scope(actor, rule.place):
        raise PermissionDenied(_("You may not manage routing rules for this area."))
    before = routing_rule_snapshot(rule)
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="matters.routing_rule.delete",
            target=rule,
            detail={"before": before, "after": None},
            request=request,
        )
        rule.delete()
