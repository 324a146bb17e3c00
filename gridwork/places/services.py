"""Writing places: create, update, move (re-parent) and draw boundaries. Each write is one audited transaction.

The rules live in functions that take plain values (``place_errors``, ``boundary_check``), so the bulk
importer (``gridwork.imports``) applies exactly the same rules to thousands of rows without a query per row.
``actor`` None means the system itself (a data-loading command); otherwise the actor must manage the places.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Value
from django.db.models.functions import Concat, Replace, Substr
from django.utils import timezone
from django.utils.translation import gettext as _
from shapely.geometry import shape

from gridwork.accounts.roles import Perm
from gridwork.audit.services import audit_record
from gridwork.common.scope import holds_over
from gridwork.places.codes import CODE_SHAPES, PlaceCodeError, child_code, place_path, validate_place_code
from gridwork.places.geometry import (
    NON_OVERLAPPING_LEVELS,
    Boundary,
    GeometryError,
    Neighbour,
    area_m2,
    boundary_overlap_error,
    boundary_validate,
)
from gridwork.places.locating import boundaries_changed
from gridwork.places.models import LEVEL_ORDER, PARENT_LEVEL, Place, PlaceLevel

MAX_COUNT = 2_147_483_647  # PositiveIntegerField
MAX_NAME = 100
MAX_ADDRESS = 200


class _Unset:
    def __repr__(self) -> str:
        return "UNSET"


UNSET: Any = _Unset()


def level_label(level: str | None) -> str:
    return str(PlaceLevel(level).label) if level in LEVEL_ORDER else str(level or "")


# --- rules -----------------------------------------------------------------------------------------------


def place_errors(
    *,
    code: str,
    name: str,
    level: str,
    parent_code: str | None,
    parent_level: str | None,
    households: int = 0,
    population: int = 0,
    address: str = "",
    latitude: float | None = None,
    longitude: float | None = None,
) -> dict[str, str]:
    """What is wrong with these values for a place, field by field; empty when nothing is.

    Checks everything that needs no query: the code against its level and parent (``codes.py``), the
    parent's level (``PARENT_LEVEL``), the name, the counts, the address and the coordinates. Whether the
    code is taken and whether the parent exists are for the caller, who knows where to look.
    """
    errors: dict[str, str] = {}
    if level not in LEVEL_ORDER:
        errors["level"] = _("Unknown place level “%(level)s”; choose one of %(levels)s.") % {
            "level": level,
            "levels": ", ".join(LEVEL_ORDER),
        }
    else:
        expected = PARENT_LEVEL[level]
        if expected is None and parent_code:
            errors["parent"] = _("A city has no parent place; leave the parent empty.")
        elif expected is not None and not parent_code:
            errors["parent"] = _("A %(level)s needs a parent %(parent)s.") % {
                "level": level_label(level),
                "parent": level_label(expected),
            }
        elif expected is not None and parent_level != expected:
            errors["parent"] = _("The parent of a %(level)s must be a %(expected)s, not a %(actual)s (%(code)s).") % {
                "level": level_label(level),
                "expected": level_label(expected),
                "actual": level_label(parent_level),
                "code": parent_code,
            }
        # With the parent already in error, check only the code's own shape (its own code stands in for
        # the parent, so the prefix check passes) rather than repeat the parent's fault on the code.
        checked_parent = parent_code if "parent" not in errors else (None if expected is None else code)
        try:
            validate_place_code(level, code, checked_parent)
        except PlaceCodeError as exc:
            errors["code"] = str(exc)
    if not name.strip():
        errors["name"] = _("Enter the name.")
    elif len(name) > MAX_NAME:
        errors["name"] = _("The name is longer than %(max)d characters.") % {"max": MAX_NAME}
    for field, value in (("households", households), ("population", population)):
        if not 0 <= value <= MAX_COUNT:
            errors[field] = _("Enter a whole number of 0 or more.")
    if len(address) > MAX_ADDRESS:
        errors["address"] = _("The address is longer than %(max)d characters.") % {"max": MAX_ADDRESS}
    if (latitude is None) != (longitude is None):
        errors["latitude" if latitude is None else "longitude"] = _("Give both latitude and longitude, or neither.")
    if latitude is not None and not -90 <= latitude <= 90:
        errors["latitude"] = _("The latitude must be between −90 and 90, not %(value)s.") % {"value": latitude}
    if longitude is not None and not -180 <= longitude <= 180:
        errors["longitude"] = _("The longitude must be between −180 and 180, not %(value)s.") % {"value": longitude}
    return errors


def code_taken_error(existing: Place) -> str:
    return _("The code %(code)s is already used by %(name)s.") % {"code": existing.code, "name": existing.name}


def boundary_check(*, level: str, geometry: Any, neighbours: Iterable[Neighbour] = ()) -> Boundary:
    """A valid boundary for a place of ``level``, overlapping none of ``neighbours``; GeometryError otherwise."""
    boundary = boundary_validate(geometry)
    if level in NON_OVERLAPPING_LEVELS:
        error = boundary_overlap_error(boundary.shape, neighbours)
        if error:
            raise GeometryError(error)
    return boundary


def boundary_neighbours(*, parent_ids: Iterable[int], level: str) -> dict[int, list[tuple[int, Neighbour]]]:
    """The drawn boundaries of places of ``level`` under each parent, as (place id, neighbour), in few queries."""
    found: dict[int, list[tuple[int, Neighbour]]] = defaultdict(list)
    if level not in NON_OVERLAPPING_LEVELS:
        return found
    ids = sorted(set(parent_ids))
    for start in range(0, len(ids), 500):
        rows = Place.objects.filter(parent_id__in=ids[start : start + 500], level=level, boundary__isnull=False)
        for place_id, parent_id, code, name, geojson in rows.values_list("id", "parent_id", "code", "name", "boundary"):
            try:
                geom = shape(geojson)
            except (ValueError, TypeError, KeyError, AttributeError):
                continue
            if not geom.is_valid:
                geom = geom.buffer(0)
            found[parent_id].append((place_id, Neighbour(label=f"{name} ({code})", shape=geom)))
    return found


def _siblings(place: Place, parent: Place | None) -> list[Neighbour]:
    if parent is None:
        return []
    rows = boundary_neighbours(parent_ids=[parent.pk], level=place.level)[parent.pk]
    return [neighbour for place_id, neighbour in rows if place_id != place.pk]


def place_require_scope(*, actor: Any, place: Place | None, perm: str) -> None:
    """Refuse (PermissionDenied) unless ``actor`` holds ``perm`` at ``place`` or above it. None is the system."""
    if actor is None:
        return
    if place is None or not holds_over(actor, perm, place):
        raise PermissionDenied(_("This place is outside the units you may manage."))


# --- writes ----------------------------------------------------------------------------------------------


def place_create(
    *,
    actor: Any,
    code: str,
    name: str,
    level: str,
    parent: Place | None,
    households: int = 0,
    population: int = 0,
    address: str = "",
    boundary: dict[str, Any] | None = None,
    latitude: float | None = None,
    longitude: float | None = None,
) -> Place:
    """Create a place under ``parent``. Raises ValidationError (field → message) or PermissionDenied."""
    code, name, address = code.strip(), name.strip(), address.strip()
    with transaction.atomic():
        if parent is not None:
            parent = Place.objects.select_for_update().get(pk=parent.pk)
        place_require_scope(actor=actor, place=parent, perm=Perm.MANAGE_PLACES)
        errors = place_errors(
            code=code,
            name=name,
            level=level,
            parent_code=parent.code if parent else None,
            parent_level=parent.level if parent else None,
            households=households,
            population=population,
            address=address,
            latitude=latitude,
            longitude=longitude,
        )
        existing = Place.objects.filter(code=code).first()
        if existing is not None:
            errors.setdefault("code", code_taken_error(existing))
        checked: Boundary | None = None
        if boundary is not None and "level" not in errors:
            try:
                checked = boundary_check(
                    level=level, geometry=boundary, neighbours=_siblings(Place(level=level), parent)
                )
            except GeometryError as exc:
                errors["boundary"] = str(exc)
        if errors:
            raise ValidationError(errors)
        place = Place.objects.create(
            code=code,
            name=name,
            level=level,
            parent=parent,
            path=place_path(parent.path if parent else None, code),
            households=households,
            population=population,
            address=address,
            boundary=checked.geojson if checked else None,
            latitude=latitude,
            longitude=longitude,
        )
        audit_record(
            actor=actor,
            action="place.create",
            target=place,
            detail={"code": code, "level": level, "parent": parent.code if parent else None},
        )
        if checked is not None:
            boundaries_changed()
    return place


def place_update(
    *,
    actor: Any,
    place: Place,
    name: str = UNSET,
    households: int = UNSET,
    population: int = UNSET,
    address: str = UNSET,
    latitude: float | None = UNSET,
    longitude: float | None = UNSET,
) -> Place:
    """Change a place's own figures; code, level and parent change only through ``place_move``."""
    given = {
        "name": name.strip() if isinstance(name, str) else name,
        "households": households,
        "population": population,
        "address": address.strip() if isinstance(address, str) else address,
        "latitude": latitude,
        "longitude": longitude,
    }
    changes = {field: value for field, value in given.items() if value is not UNSET}
    with transaction.atomic():
        place = Place.objects.select_for_update(of=("self",)).select_related("parent").get(pk=place.pk)
        place_require_scope(actor=actor, place=place, perm=Perm.MANAGE_PLACES)
        values: dict[str, Any] = {field: changes.get(field, getattr(place, field)) for field in given}
        errors = place_errors(
            code=place.code,
            level=place.level,
            parent_code=place.parent.code if place.parent else None,
            parent_level=place.parent.level if place.parent else None,
            **values,
        )
        if errors:
            raise ValidationError(errors)
        changed = {field: value for field, value in changes.items() if getattr(place, field) != value}
        if not changed:
            return place
        detail = {field: [getattr(place, field), value] for field, value in changed.items()}
        for field, value in changed.items():
            setattr(place, field, value)
        place.save(update_fields=[*changed, "updated_at"])
        audit_record(actor=actor, action="place.update", target=place, detail=detail)
    return place


def place_move(*, actor: Any, place: Place, parent: Place, code: str | None = None) -> Place:
    """Move ``place`` and its subtree under ``parent``; the subtree's paths (and codes) are rewritten in one UPDATE.

    Place codes carry their ancestors' digits, so a place moving to another parent usually needs a new code:
    give it as ``code``; the descendants' codes take the new digits with it. Refuses a move under the place
    itself or one of its descendants, and a parent of the wrong level.
    """
    with transaction.atomic():
        place = Place.objects.select_for_update(of=("self",)).select_related("parent").get(pk=place.pk)
        parent = Place.objects.select_for_update().get(pk=parent.pk)
        place_require_scope(actor=actor, place=place, perm=Perm.MANAGE_PLACES)
        place_require_scope(actor=actor, place=parent, perm=Perm.MANAGE_PLACES)
        if parent.path.startswith(place.path):
            raise ValidationError(
                {
                    "parent": _("A place cannot move under itself or one of the places under it (%(name)s).")
                    % {"name": parent.name}
                }
            )
        expected = PARENT_LEVEL[place.level]
        if parent.level != expected:
            raise ValidationError(
                {
                    "parent": _("The parent of a %(level)s must be a %(expected)s, not a %(actual)s.")
                    % {
                        "level": level_label(place.level),
                        "expected": level_label(expected),
                        "actual": level_label(parent.level),
                    }
                }
            )
        new_code = (code or place.code).strip()
        try:
            validate_place_code(place.level, new_code, parent.code)
        except PlaceCodeError as exc:
            if code is None:
                raise ValidationError(
                    {
                        "code": _("Under %(parent)s this %(level)s needs a new code, for example %(example)s.")
                        % {
                            "parent": parent.name,
                            "level": level_label(place.level),
                            "example": _next_free_code(place.level, parent),
                        }
                    }
                ) from exc
            raise ValidationError({"code": str(exc)}) from exc
        if place.parent_id == parent.pk and new_code == place.code:
            return place
        shape_ = CODE_SHAPES[place.level]
        prefix_length = shape_.inherited + shape_.own
        old_prefix, new_prefix = place.code[:prefix_length], new_code[:prefix_length]
        old_path = place.path
        if new_prefix != old_prefix:
            clash = Place.objects.filter(code__startswith=new_prefix).exclude(path__startswith=old_path).first()
            if clash is not None:
                raise ValidationError({"code": code_taken_error(clash)})
        if place.level in NON_OVERLAPPING_LEVELS and place.boundary:
            try:
                boundary_check(level=place.level, geometry=place.boundary, neighbours=_siblings(place, parent))
            except GeometryError as exc:
                raise ValidationError({"parent": str(exc)}) from exc

        old_parent_path = old_path[: -(len(place.code) + 1)]
        # From the old parent's closing "/" on: "/<place code>/<child code>/…/".
        tail: Substr | Replace = Substr("path", len(old_parent_path))
        if new_prefix != old_prefix:
            tail = Replace(tail, Value(f"/{old_prefix}"), Value(f"/{new_prefix}"))
        subtree = Place.objects.filter(path__startswith=old_path)
        has_boundaries = subtree.filter(boundary__isnull=False).exists()
        updates: dict[str, Any] = {"path": Concat(Value(parent.path[:-1]), tail), "updated_at": timezone.now()}
        if new_prefix != old_prefix:
            updates["code"] = Concat(Value(new_prefix), Substr("code", prefix_length + 1))
        Place.objects.filter(pk=place.pk).update(parent=parent)
        moved = subtree.update(**updates)
        old_parent_code, old_code = (place.parent.code if place.parent else None), place.code
        place.refresh_from_db()
        audit_record(
            actor=actor,
            action="place.move",
            target=place,
            detail={
                "from_parent": old_parent_code,
                "to_parent": parent.code,
                "old_code": old_code,
                "new_code": new_code,
                "places_moved": moved,
            },
        )
        if has_boundaries:
            boundaries_changed()
    return place


def _next_free_code(level: str, parent: Place) -> str:
    """The first unused code of ``level`` under ``parent`` (a suggestion for the clerk), in one query."""
    shape_ = CODE_SHAPES[level]
    taken = set(
        Place.objects.filter(code__startswith=parent.code[: shape_.inherited], level=level).values_list(
            "code", flat=True
        )
    )
    for sequence in range(1, 10**shape_.own):
        candidate = child_code(level, parent.code, sequence)
        if candidate not in taken:
            return candidate
    return "—"


def boundary_set(*, actor: Any, place: Place, geometry: dict[str, Any] | None) -> Place:
    """Draw (or, with None, clear) a place's boundary. A grid's may not overlap a sibling grid's."""
    with transaction.atomic():
        place = Place.objects.select_for_update(of=("self",)).select_related("parent").get(pk=place.pk)
        place_require_scope(actor=actor, place=place, perm=Perm.MANAGE_PLACES)
        checked: Boundary | None = None
        if geometry is not None:
            try:
                checked = boundary_check(
                    level=place.level, geometry=geometry, neighbours=_siblings(place, place.parent)
                )
            except GeometryError as exc:
                raise ValidationError({"boundary": str(exc)}) from exc
        place.boundary = checked.geojson if checked else None
        place.save(update_fields=["boundary", "updated_at"])
        audit_record(
            actor=actor,
            action="place.boundary_set" if checked else "place.boundary_clear",
            target=place,
            detail={"area_m2": round(area_m2(checked.shape)) if checked else None},
        )
        boundaries_changed()
    return place
