"""The data each move carries, checked and typed before the move is applied and stored in its event.

Whatever reaches ``workflow.apply`` and the event log has been through here: ids are integers that exist,
days are a whole number in range, a rating is one of the three, and what the loop requires of a move (a
return's reason, a reply's text, a consultation's record) is there. A problem is a ValidationError naming
the field, never a crash and never a value the database would turn into something else.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from gridwork.accounts.roles import Perm
from gridwork.matters.models import Category, Matter, Urgency
from gridwork.matters.units import department_choices, lead_place_choices
from gridwork.matters.workflow import SUPERVISION_ACTIONS, Action, ClosureReason, MatterKind, Satisfaction

MAX_EXTENSION_DAYS = 365
TRUE_WORDS = {True, "true", "1", "yes", "on"}
FALSE_WORDS = {False, "false", "0", "no", "off"}


def _int_or_none(value: Any, field: str, errors: dict[str, str]) -> int | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        errors[field] = _("Not a valid identifier.")
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        errors[field] = _("Not a valid identifier.")
        return None


def _text(data: dict[str, Any], key: str) -> str:
    """A text field; a list of texts (participants, say) is joined with the Chinese enumeration comma."""
    value = data.get(key, "")
    if isinstance(value, list | tuple) and all(isinstance(item, str) for item in value):
        value = "、".join(item.strip() for item in value if item.strip())
    return value.strip() if isinstance(value, str) else ""


def _days(data: dict[str, Any], errors: dict[str, str]) -> int | None:
    days = _int_or_none(data.get("days"), "days", errors)
    if days is None and "days" not in errors:
        errors["days"] = _("How many days?")
    elif days is not None and not 1 <= days <= MAX_EXTENSION_DAYS:
        errors["days"] = _("Between 1 and %(max)d days.") % {"max": MAX_EXTENSION_DAYS}
    return days


def clean_move_data(
    *, matter: Matter, action: str, data: dict[str, Any], note: str, actor: Any = None, when: datetime | None = None
) -> dict[str, Any]:
    """The typed data of ``action`` on ``matter``, or ValidationError naming each field that is wrong."""
    if action in SUPERVISION_ACTIONS:
        from gridwork.supervision.moves import clean_supervision_data

        return clean_supervision_data(
            matter=matter, action=action, data=data, note=note, actor=actor, when=when or timezone.now()
        )
    errors: dict[str, str] = {}
    clean: dict[str, Any] = {}
    match action:
        case Action.DISPATCH:
            clean = _dispatch(matter, data, errors)
        case Action.RETURN:
            reason = _text(data, "reason") or note.strip()
            if not reason:
                errors["reason"] = _("Say why the matter is returned.")
            clean = {"reason": reason}
        case Action.REQUEST_EXTENSION:
            clean = {"days": _days(data, errors)}
        case Action.DECIDE_EXTENSION:
            approved = data.get("approved")
            approved = approved.lower() if isinstance(approved, str) else approved
            if approved not in TRUE_WORDS | FALSE_WORDS:
                errors["approved"] = _("Approve or refuse the extension.")
            clean = {"approved": approved in TRUE_WORDS}
            clean["days"] = _days(data, errors) if clean["approved"] else 0
        case Action.RECORD_CONSULTATION:
            clean = {key: _text(data, key) for key in ("date", "participants", "decision")}
            for key, message in (
                ("date", _("When was the consultation held?")),
                ("participants", _("Who took part?")),
                ("decision", _("What was decided?")),
            ):
                if not clean[key]:
                    errors[key] = message
        case Action.REPLY:
            clean = {"text": _text(data, "text")}
            if not clean["text"]:
                errors["text"] = _("Write the reply to the resident.")
            elif len(clean["text"]) > 2000:
                errors["text"] = _("At most 2,000 characters.")
        case Action.RATE:
            clean = {"satisfaction": data.get("satisfaction"), "comment": _text(data, "comment")[:500]}
            if data.get("by") == "call_back":
                clean["by"] = "call_back"  # an operator's 回访, not the resident's own rating
            if clean["satisfaction"] not in Satisfaction.values:
                errors["satisfaction"] = _("Choose a rating.")
        case Action.DISCARD:
            clean = _discard(matter, data, errors, actor)
        case Action.CLOSE_BY_AGREEMENT:
            if not note.strip():
                errors["note"] = _("Record how the resident agreed to close the matter.")
        case _:
            clean = {}
    if errors:
        raise ValidationError(errors)
    return clean


def _dispatch(matter: Matter, data: dict[str, Any], errors: dict[str, str]) -> dict[str, Any]:
    kind = data.get("kind")
    if kind not in MatterKind.values:
        errors["kind"] = _("Choose the kind of matter.")
    urgency = data.get("urgency") or matter.urgency
    if urgency not in Urgency.values:
        errors["urgency"] = _("Unknown urgency.")
    category_id = _int_or_none(data.get("category_id"), "category", errors)
    if category_id is not None and not Category.objects.filter(pk=category_id, is_active=True).exists():
        errors["category"] = _("Unknown category.")
    lead_place = _int_or_none(data.get("lead_place_id"), "lead_unit", errors)
    lead_department = _int_or_none(data.get("lead_department_id"), "lead_unit", errors)
    places = set(lead_place_choices(matter.grid).values_list("pk", flat=True))
    departments = set(department_choices(matter.grid).values_list("pk", flat=True))
    if (lead_place is None) == (lead_department is None) and "lead_unit" not in errors:
        errors["lead_unit"] = _("Choose exactly one lead unit.")
    if lead_place is not None and lead_place not in places:
        errors["lead_unit"] = _("That unit cannot handle a matter in this place.")
    if lead_department is not None and lead_department not in departments:
        errors["lead_unit"] = _("That department's jurisdiction does not cover this place.")
    co_units: list[list[int | None]] = []
    raw_units = data.get("co_units") or []
    if not isinstance(raw_units, list | tuple):
        raw_units = [None]
    for unit in raw_units:
        if not isinstance(unit, list | tuple) or len(unit) != 2:
            errors["co_units"] = _("A co-handling unit is a place or a department.")
            continue
        place_id = _int_or_none(unit[0], "co_units", errors)
        department_id = _int_or_none(unit[1], "co_units", errors)
        if (place_id is None) == (department_id is None):
            errors["co_units"] = _("A co-handling unit is a place or a department.")
        elif (place_id is not None and place_id not in places) or (
            department_id is not None and department_id not in departments
        ):
            errors["co_units"] = _("A co-handling unit cannot act in this place.")
        elif (place_id, department_id) == (lead_place, lead_department):
            errors["co_units"] = _("The lead unit cannot also be a co-handling unit.")
        elif [place_id, department_id] not in co_units:
            co_units.append([place_id, department_id])
    return {
        "kind": kind,
        "category_id": category_id,
        "urgency": urgency,
        "lead_place_id": lead_place,
        "lead_department_id": lead_department,
        "co_units": sorted(co_units, key=lambda u: (u[0] or 0, u[1] or 0)),
    }


def _discard(matter: Matter, data: dict[str, Any], errors: dict[str, str], actor: Any = None) -> dict[str, Any]:
    reason = data.get("reason")
    if reason not in {ClosureReason.DUPLICATE, ClosureReason.INVALID}:
        errors["reason"] = _("Say why it is discarded.")
    duplicate_of = _int_or_none(data.get("duplicate_of_id"), "duplicate_of", errors)
    if reason == ClosureReason.DUPLICATE:
        if duplicate_of is None:
            errors.setdefault("duplicate_of", _("Name the matter this one duplicates."))
        elif duplicate_of == matter.pk:
            errors["duplicate_of"] = _("A matter cannot duplicate itself.")
        elif not _visible_to(actor).filter(pk=duplicate_of).exists():
            errors["duplicate_of"] = _("No such matter.")
        elif _duplicates_back(duplicate_of, matter.pk):
            errors["duplicate_of"] = _("That matter is itself a duplicate of this one.")
    else:
        duplicate_of = None
    return {"reason": reason, "duplicate_of_id": duplicate_of}


def _visible_to(actor: Any) -> QuerySet[Matter]:
    """The matters ``actor`` may name as an original: those of their area (the platform itself sees all)."""
    if actor is None or getattr(actor, "is_system", False):
        return Matter.objects.all()
    return Matter.objects.restrict(actor, Perm.VIEW_MATTERS)


def _duplicates_back(original_id: int, matter_id: int, most: int = 20) -> bool:
    """Whether following ``original_id``'s chain of duplicates leads back to ``matter_id`` (a cycle)."""
    current = original_id
    for _step in range(most):
        following = Matter.objects.filter(pk=current).values_list("duplicate_of_id", flat=True).first()
        if following is None:
            return False
        if following == matter_id:
            return True
        current = following
    return False
