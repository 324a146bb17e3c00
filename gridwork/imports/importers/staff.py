"""Importing staff: each row goes through ``accounts.services.staff_create``, the one place staff are made.

staff_create holds rules that need the database (a username or number already taken, a role held at the
wrong level, an actor who may not grant a role), so every row is tried in a savepoint of the import's
transaction and its ValidationError reported; when any row fails, the whole import rolls back.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from gridwork.accounts.roles import Role
from gridwork.accounts.services import phone_normalise, staff_create
from gridwork.common.masking import mask_phone
from gridwork.common.tabular import Table
from gridwork.imports.cells import choice_lookup
from gridwork.imports.checks import by_code, duplicates, in_scope_ids, rows_phrase
from gridwork.imports.plan import ImportContext, Plan
from gridwork.imports.reading import RowReader, SheetReader
from gridwork.imports.specs import ROLE_NAMES, STAFF
from gridwork.places.models import Department, Place

# staff_create's fields → this file's columns ("" for a problem of the whole row)
FIELD_COLUMNS = {"place": "place_code", "department": "department_code", "password": "", "__all__": ""}


@dataclass
class StaffRow:
    reader: RowReader
    username: str
    full_name: str
    phone: str
    role: str | None
    place: Place | None
    department: Department | None


def staff_plan(context: ImportContext) -> Plan:
    assert isinstance(context.table, Table)
    sheet = SheetReader(STAFF, context.table)
    if sheet.missing:
        return Plan(problems=sheet.problems)
    roles = choice_lookup(Role.choices, ROLE_NAMES)
    allowed_roles = STAFF.column("role").allowed
    readers = list(sheet.rows())
    places = by_code(Place.objects.all(), (row.text("place_code") for row in readers))
    departments = by_code(Department.objects.all(), (row.text("department_code") for row in readers))
    allowed = in_scope_ids(context.actor, Place.objects.all(), (place.pk for place in places.values()))
    rows: list[StaffRow] = []
    for reader in readers:
        place_code = reader.text("place_code", required=True)
        department_code = reader.text("department_code")
        row = StaffRow(
            reader=reader,
            username=reader.text("username", required=True),
            full_name=reader.text("full_name", required=True),
            phone=phone_normalise(reader.text("phone", required=True)),
            role=reader.choice("role", roles, allowed_roles),
            place=places.get(place_code),
            department=departments.get(department_code),
        )
        if place_code and row.place is None:
            reader.problem(
                "place_code", _("No place with code %(code)s exists on the platform.") % {"code": place_code}
            )
        elif row.place is not None and row.place.pk not in allowed:
            reader.problem(
                "place_code",
                _("%(name)s (%(code)s) is outside the places you may import into.")
                % {"name": row.place.name, "code": place_code},
            )
        if department_code and row.department is None:
            reader.problem(
                "department_code",
                _("No department with code %(code)s exists on the platform.") % {"code": department_code},
            )
        rows.append(row)
    for key, label in (("username", "username"), ("phone", "phone")):
        doubled = duplicates((getattr(row, key).casefold(), row.reader.number) for row in rows if getattr(row, key))
        for row in rows:
            numbers = doubled.get(getattr(row, key).casefold())
            if numbers:
                others = [n for n in numbers if n != row.reader.number]
                value = mask_phone(row.phone) if key == "phone" else row.username
                row.reader.problem(
                    label, _("%(value)s is also on %(rows)s.") % {"value": value, "rows": rows_phrase(others)}
                )
    for row in rows:
        # staff_create's own rules (the phone, a username taken, the role's level) are checked even on a row
        # with other problems, so that the file comes back with all of them; a cell is reported once.
        if row.role is not None and row.place is not None:
            _try_create(context, row)
    if sheet.problems:
        return Plan(problems=sheet.problems)
    return Plan(write=lambda: len(rows))


def _try_create(context: ImportContext, row: StaffRow) -> None:
    """Create the account in a savepoint; what staff_create refuses becomes the row's problems.

    A row that already has problems is still tried, for staff_create's own findings; the whole import
    is rolled back in any case when any row has a problem.
    """
    assert row.role is not None
    assert row.place is not None
    try:
        with transaction.atomic():
            staff_create(
                actor=context.actor,
                username=row.username,
                full_name=row.full_name,
                phone=row.phone,
                role=row.role,
                place=row.place,
                department=row.department,
            )
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            row.reader.problems_from(
                {field: " ".join(messages) for field, messages in exc.message_dict.items()}, FIELD_COLUMNS
            )
        else:
            row.reader.problem("", " ".join(exc.messages))
