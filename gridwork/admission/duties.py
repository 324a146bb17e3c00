"""Services of the duty lists and the approving bodies, both kept by those holding MANAGE_DUTY_LIST over the place.

A duty list belongs to the city (the city-wide list) or a district (its own additions); each change of an item (new,
edited, retired, restored) bumps its version with a compare-and-set and appends a ``DutyChange`` with the item before
and after, and an audit row. The default list (22 duties and 22 assisting duties, ``data/duty_list.json``) is loaded
for a city by ``duty_list_load_defaults`` (the demo, or ``manage.py load_duty_list``).

An approving body is a department marked as one for its jurisdiction; marking and unmarking are audited.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from gridwork.accounts.roles import Perm
from gridwork.admission.access import holds
from gridwork.admission.models import ApprovingBody, DutyChange, DutyItem, DutyKind
from gridwork.audit.services import audit_record
from gridwork.common.flows import StaleState
from gridwork.places.models import Department, Place, PlaceLevel

DEFAULTS_FILE = Path(__file__).resolve().parent / "data" / "duty_list.json"
LIST_LEVELS = frozenset({PlaceLevel.CITY, PlaceLevel.DISTRICT})
MAX_TITLE = 200
MAX_ASSISTS = 120
MAX_NUMBER = 999


@dataclass(frozen=True)
class DutyInput:
    kind: str
    number: int
    title: str
    legal_basis: str = ""
    assists: str = ""


def _snapshot(item: DutyItem) -> dict[str, Any]:
    return {
        "kind": item.kind,
        "number": item.number,
        "title": item.title,
        "legal_basis": item.legal_basis,
        "assists": item.assists,
        "is_active": item.is_active,
    }


def _actor_name(actor: Any) -> str:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return "system"
    return (getattr(actor, "full_name", "") or actor.get_username())[:100]


def _require_manager(actor: Any, scope: Place) -> None:
    if not holds(actor, Perm.MANAGE_DUTY_LIST, scope):
        raise PermissionDenied(_("You do not keep the duty list of %(place)s.") % {"place": scope.name})


def _clean(values: DutyInput) -> DutyInput:
    errors: dict[str, list[str]] = {}
    title = values.title.strip()
    if values.kind not in DutyKind.values:
        errors["kind"] = [_("Choose a duty or an assisting duty.")]
    if not 0 < values.number <= MAX_NUMBER:
        errors["number"] = [_("A number from 1 to %(max)d.") % {"max": MAX_NUMBER}]
    if not title:
        errors["title"] = [_("Give the item's title.")]
    elif len(title) > MAX_TITLE:
        errors["title"] = [_("At most %(count)d characters.") % {"count": MAX_TITLE}]
    if len(values.assists.strip()) > MAX_ASSISTS:
        errors["assists"] = [_("At most %(count)d characters.") % {"count": MAX_ASSISTS}]
    if values.kind == DutyKind.ASSISTING and not values.assists.strip():
        errors["assists"] = [_("Name the department an assisting duty assists.")]
    if errors:
        raise ValidationError(errors)
    return DutyInput(
        kind=values.kind,
        number=values.number,
        title=title,
        legal_basis=values.legal_basis.strip(),
        assists=values.assists.strip() if values.kind == DutyKind.ASSISTING else "",
    )


def _number_taken() -> ValidationError:
    return ValidationError({"number": [_("This list already has an item of this kind with this number.")]})


def _log(item: DutyItem, *, actor: Any, action: str, before: dict[str, Any], request: Any = None) -> None:
    DutyChange.objects.create(
        item=item,
        version=item.version,
        action=action,
        before=before,
        after=_snapshot(item),
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        actor_name=_actor_name(actor),
        at=timezone.now(),
    )
    audit_record(
        actor=actor,
        action=f"admission.duty_{action}",
        target=item,
        detail={"scope": item.scope.code, "version": item.version},
        request=request,
    )


def duty_item_create(*, actor: Any, scope: Place, values: DutyInput, request: Any = None) -> DutyItem:
    """Add an item to the list of ``scope`` (the city or a district)."""
    _require_manager(actor, scope)
    return _create(actor=actor, scope=scope, values=values, request=request)


def _create(*, actor: Any, scope: Place, values: DutyInput, request: Any = None) -> DutyItem:
    if scope.level not in LIST_LEVELS:
        raise ValidationError({"scope": [_("Duty lists are kept by the city and by districts.")]})
    values = _clean(values)
    try:
        with transaction.atomic():
            item = DutyItem.objects.create(scope=scope, version=1, **asdict(values))
            _log(item, actor=actor, action="create", before={}, request=request)
    except IntegrityError as error:
        raise _number_taken() from error
    return item


def _change(
    item: DutyItem, *, actor: Any, expected_version: int, action: str, fields: dict[str, Any], request: Any
) -> DutyItem:
    _require_manager(actor, item.scope)
    if expected_version != item.version:
        raise StaleState
    before = _snapshot(item)
    try:
        with transaction.atomic():
            updated = DutyItem.objects.filter(pk=item.pk, version=expected_version).update(
                version=F("version") + 1, **fields
            )
            if not updated:
                raise StaleState
            for name, value in fields.items():
                setattr(item, name, value)
            item.version = expected_version + 1
            _log(item, actor=actor, action=action, before=before, request=request)
    except IntegrityError as error:
        raise _number_taken() from error
    return item


def duty_item_update(
    *, actor: Any, item: DutyItem, values: DutyInput, expected_version: int, request: Any = None
) -> DutyItem:
    """Edit an item: its kind, number, title, legal basis and the department it assists."""
    values = _clean(values)
    return _change(
        item, actor=actor, expected_version=expected_version, action="update", fields=asdict(values), request=request
    )


def duty_item_set_active(
    *, actor: Any, item: DutyItem, active: bool, expected_version: int, request: Any = None
) -> DutyItem:
    """Retire an item from the list (kept in its history) or restore it."""
    if item.is_active == active:
        raise ValidationError({"is_active": [_("The item is already so.")]})
    return _change(
        item,
        actor=actor,
        expected_version=expected_version,
        action="restore" if active else "retire",
        fields={"is_active": active},
        request=request,
    )


def default_items() -> list[DutyInput]:
    """The demo's default list: 22 duties and 22 assisting duties after the national pattern."""
    data = json.loads(DEFAULTS_FILE.read_text(encoding="utf-8"))
    return [DutyInput(**item) for item in data["items"]]


def duty_list_load_defaults(*, actor: Any, scope: Place) -> int:
    """Load the default items into the list of ``scope`` where their kind and number are free; returns how many.
    ``actor`` None is the system (``manage.py load_duty_list``); a user must keep the list."""
    if actor is not None:
        _require_manager(actor, scope)
    made = 0
    taken = set(DutyItem.objects.filter(scope=scope).values_list("kind", "number"))
    with transaction.atomic():
        for values in default_items():
            if (values.kind, values.number) not in taken:
                _create(actor=actor, scope=scope, values=values)
                made += 1
    return made


# --- approving bodies ---------------------------------------------------------------------------------------------


def approving_body_add(*, actor: Any, department: Department, note: str = "", request: Any = None) -> ApprovingBody:
    """Mark ``department`` as an approving body of its jurisdiction (or mark it again after it was unmarked)."""
    _require_manager(actor, department.place)
    if not department.is_active:
        raise ValidationError({"department": [_("The department is not active.")]})
    note = note.strip()[:200]
    with transaction.atomic():
        body, created = ApprovingBody.objects.select_for_update().get_or_create(
            department=department, defaults={"note": note}
        )
        if not created:
            if body.is_active:
                raise ValidationError({"department": [_("This department is already an approving body.")]})
            ApprovingBody.objects.filter(pk=body.pk).update(is_active=True, note=note)
            body.is_active, body.note = True, note
        audit_record(
            actor=actor,
            action="admission.body_add",
            target=body,
            detail={"department": department.code},
            request=request,
        )
    return body


def approving_body_remove(*, actor: Any, body: ApprovingBody, request: Any = None) -> ApprovingBody:
    """Unmark an approving body: requests submitted from now on no longer wait for it; earlier ones still do."""
    _require_manager(actor, body.department.place)
    with transaction.atomic():
        if not ApprovingBody.objects.filter(pk=body.pk, is_active=True).update(is_active=False):
            raise ValidationError({"department": [_("This department is not an approving body.")]})
        body.is_active = False
        audit_record(
            actor=actor,
            action="admission.body_remove",
            target=body,
            detail={"department": body.department.code},
            request=request,
        )
    return body
