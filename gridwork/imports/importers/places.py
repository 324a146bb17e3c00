"""Importing places: parents found in the file (in any row order) or on the platform, written level by level."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from gridwork.common.tabular import Table
from gridwork.imports.cells import choice_lookup
from gridwork.imports.checks import by_code, depths, duplicates, in_scope_ids, parent_cycles, rows_phrase
from gridwork.imports.plan import ImportContext, Plan
from gridwork.imports.reading import RowReader, SheetReader
from gridwork.imports.specs import LEVEL_NAMES, PLACES
from gridwork.places.codes import place_path
from gridwork.places.models import PARENT_LEVEL, Place, PlaceLevel
from gridwork.places.services import code_taken_error, place_errors

# place_errors's fields → this file's columns
FIELD_COLUMNS = {"parent": "parent_code"}
BATCH = 500


@dataclass
class PlaceRow:
    reader: RowReader
    code: str
    name: str
    level: str | None
    parent_code: str
    households: int | None
    population: int | None
    address: str
    latitude: float | None
    longitude: float | None


def _read(row: RowReader, levels: dict[str, str], allowed: tuple[str, ...]) -> PlaceRow:
    return PlaceRow(
        reader=row,
        code=row.text("code", required=True),
        name=row.text("name", required=True),
        level=row.choice("level", levels, allowed),
        parent_code=row.text("parent_code"),
        households=row.integer("households"),
        population=row.integer("population"),
        address=row.text("address"),
        latitude=row.decimal("latitude"),
        longitude=row.decimal("longitude"),
    )


def places_plan(context: ImportContext) -> Plan:
    assert isinstance(context.table, Table)
    sheet = SheetReader(PLACES, context.table)
    if sheet.missing:
        return Plan(problems=sheet.problems)
    levels = choice_lookup(PlaceLevel.choices, LEVEL_NAMES)
    rows = [_read(row, levels, PLACES.column("level").allowed) for row in sheet.rows()]

    doubled = duplicates((row.code, row.reader.number) for row in rows if row.code)
    for row in rows:
        if row.code in doubled:
            others = [n for n in doubled[row.code] if n != row.reader.number]
            row.reader.problem(
                "code", _("The code %(code)s is also on %(rows)s.") % {"code": row.code, "rows": rows_phrase(others)}
            )
    in_file = {row.code: row for row in rows if row.code}
    on_platform = by_code(Place.objects.all(), [*in_file, *(row.parent_code for row in rows)])
    for row in rows:
        if row.code in on_platform:
            row.reader.problem("code", code_taken_error(on_platform[row.code]))

    for row in rows:
        _check_row(row, in_file, on_platform)

    parents = {row.code: (row.parent_code or None) for row in in_file.values()}
    for cycle in parent_cycles(parents):
        numbers = [in_file[code].reader.number for code in cycle]
        for code in cycle:
            in_file[code].reader.problem(
                "parent_code",
                _("The parents go round in a circle: %(rows)s name each other as parent.")
                % {"rows": rows_phrase(numbers)}
                if len(cycle) > 1
                else _("The place names itself as its parent."),
            )

    _check_scope(context, rows, in_file, on_platform)
    if sheet.problems:
        return Plan(problems=sheet.problems)
    return Plan(write=lambda: _write(rows, parents, on_platform))


def _check_row(row: PlaceRow, in_file: dict[str, PlaceRow], on_platform: dict[str, Place]) -> None:
    parent_level: str | None = None
    if row.parent_code:
        if row.parent_code in in_file:
            parent_level = in_file[row.parent_code].level
        elif row.parent_code in on_platform:
            parent_level = on_platform[row.parent_code].level
        else:
            row.reader.problem(
                "parent_code",
                _("No place with code %(code)s exists in the file or on the platform.") % {"code": row.parent_code},
            )
            parent_level = PARENT_LEVEL.get(row.level or "")  # already reported; judge the rest as if it fitted
    if row.level is None or (parent_level is None and row.parent_code):
        # The level (or the parent's) did not read: only what does not depend on it can be judged.
        errors = place_errors(
            code=row.code,
            name=row.name,
            level=PlaceLevel.CITY,
            parent_code=None,
            parent_level=None,
            households=row.households or 0,
            population=row.population or 0,
            address=row.address,
            latitude=row.latitude,
            longitude=row.longitude,
        )
        errors.pop("code", None)
    else:
        errors = place_errors(
            code=row.code,
            name=row.name,
            level=row.level,
            parent_code=row.parent_code or None,
            parent_level=parent_level,
            households=row.households or 0,
            population=row.population or 0,
            address=row.address,
            latitude=row.latitude,
            longitude=row.longitude,
        )
    if not row.code:
        errors.pop("code", None)
    if not row.name:
        errors.pop("name", None)
    row.reader.problems_from(errors, FIELD_COLUMNS)


def _check_scope(
    context: ImportContext, rows: list[PlaceRow], in_file: dict[str, PlaceRow], on_platform: dict[str, Place]
) -> None:
    """Each row that hangs from a place on the platform must hang from one in the actor's scope."""
    if context.actor is None:
        return
    anchors = {row.parent_code: on_platform[row.parent_code] for row in rows if row.parent_code in on_platform}
    allowed = in_scope_ids(context.actor, Place.objects.all(), (place.pk for place in anchors.values()))
    for row in rows:
        if not row.parent_code and row.level == PlaceLevel.CITY:
            row.reader.problem("parent_code", _("Only a system import (by the command line) can create a city."))
        elif row.parent_code in anchors and row.parent_code not in in_file:
            anchor = anchors[row.parent_code]
            if anchor.pk not in allowed:
                row.reader.problem(
                    "parent_code",
                    _("%(name)s (%(code)s) is outside the places you may import into.")
                    % {"name": anchor.name, "code": anchor.code},
                )


def _write(rows: list[PlaceRow], parents: dict[str, str | None], on_platform: dict[str, Place]) -> int:
    """Create the places parents first (depth by depth), each depth in a few bulk inserts."""
    depth = depths(parents)
    ids = {code: place.pk for code, place in on_platform.items()}
    paths = {code: place.path for code, place in on_platform.items()}
    for level_depth in sorted(set(depth.values())):
        batch = []
        for row in rows:
            if depth[row.code] != level_depth:
                continue
            parent = row.parent_code or None
            path = place_path(paths[parent] if parent else None, row.code)
            paths[row.code] = path
            batch.append(
                Place(
                    code=row.code,
                    name=row.name,
                    level=row.level or "",
                    parent_id=ids[parent] if parent else None,
                    path=path,
                    households=row.households or 0,
                    population=row.population or 0,
                    address=row.address,
                    latitude=row.latitude,
                    longitude=row.longitude,
                )
            )
        created = Place.objects.bulk_create(batch, batch_size=BATCH)
        missing = [place.code for place in created if place.pk is None]
        ids.update({place.code: place.pk for place in created if place.pk is not None})
        if missing:
            ids.update(dict(Place.objects.filter(code__in=missing).values_list("code", "pk")))
    return len(rows)
