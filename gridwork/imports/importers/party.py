"""Importing party organisations (parents in the file in any order, or on the platform) and party members."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils.translation import gettext as _

from gridwork.accounts.services import phone_normalise
from gridwork.common.masking import mask_phone
from gridwork.common.tabular import Table
from gridwork.imports.cells import choice_lookup
from gridwork.imports.checks import CHUNK, by_code, depths, duplicates, in_scope_ids, parent_cycles, rows_phrase
from gridwork.imports.plan import ImportContext, Plan
from gridwork.imports.reading import RowReader, SheetReader
from gridwork.imports.specs import KIND_NAMES, PARTY_MEMBERS, PARTY_ORGANISATIONS
from gridwork.party.models import PartyMember, PartyOrganisation, PartyOrgKind
from gridwork.party.services import party_member_errors, party_organisation_errors
from gridwork.places.models import Place

ORGANISATION_COLUMNS = {"parent": "parent_code", "place": "place_code", "secretary_name": "secretary"}
MEMBER_COLUMNS = {"household": "household_code"}
BATCH = 500


def _place_problem(row: RowReader, key: str, code: str, place: Place | None, allowed: set[int]) -> None:
    if place is None:
        row.problem(key, _("No place with code %(code)s exists on the platform.") % {"code": code})
    elif place.pk not in allowed:
        row.problem(
            key,
            _("%(name)s (%(code)s) is outside the places you may import into.") % {"name": place.name, "code": code},
        )


# --- organisations ---------------------------------------------------------------------------------------


@dataclass
class OrganisationRow:
    reader: RowReader
    code: str
    name: str
    kind: str | None
    parent_code: str
    place_code: str
    secretary: str


def party_organisations_plan(context: ImportContext) -> Plan:
    assert isinstance(context.table, Table)
    sheet = SheetReader(PARTY_ORGANISATIONS, context.table)
    if sheet.missing:
        return Plan(problems=sheet.problems)
    kinds = choice_lookup(PartyOrgKind.choices, KIND_NAMES)
    allowed_kinds = PARTY_ORGANISATIONS.column("kind").allowed
    rows = [
        OrganisationRow(
            reader=row,
            code=row.text("code", required=True),
            name=row.text("name", required=True),
            kind=row.choice("kind", kinds, allowed_kinds),
            parent_code=row.text("parent_code"),
            place_code=row.text("place_code", required=True),
            secretary=row.text("secretary"),
        )
        for row in sheet.rows()
    ]
    doubled = duplicates((row.code, row.reader.number) for row in rows if row.code)
    in_file = {row.code: row for row in rows if row.code}
    on_platform = by_code(
        PartyOrganisation.objects.select_related("place"), [*in_file, *(row.parent_code for row in rows)]
    )
    places = by_code(Place.objects.all(), (row.place_code for row in rows))
    allowed = in_scope_ids(context.actor, Place.objects.all(), (place.pk for place in places.values()))

    for row in rows:
        if row.code in doubled:
            others = [n for n in doubled[row.code] if n != row.reader.number]
            row.reader.problem(
                "code", _("The code %(code)s is also on %(rows)s.") % {"code": row.code, "rows": rows_phrase(others)}
            )
        if row.code in on_platform:
            row.reader.problem(
                "code",
                _("The code %(code)s is already used by %(name)s.")
                % {"code": row.code, "name": on_platform[row.code].name},
            )
        place = places.get(row.place_code)
        if row.place_code:
            _place_problem(row.reader, "place_code", row.place_code, place, allowed)
        _check_organisation(row, place, in_file, on_platform, places)

    parents = {row.code: (row.parent_code or None) for row in in_file.values()}
    for cycle in parent_cycles(parents):
        numbers = [in_file[code].reader.number for code in cycle]
        for code in cycle:
            in_file[code].reader.problem(
                "parent_code",
                _("The parents go round in a circle: %(rows)s name each other as parent.")
                % {"rows": rows_phrase(numbers)}
                if len(cycle) > 1
                else _("The organisation names itself as its parent."),
            )
    if sheet.problems:
        return Plan(problems=sheet.problems)
    return Plan(write=lambda: _write_organisations(rows, parents, on_platform, places))


def _check_organisation(
    row: OrganisationRow,
    place: Place | None,
    in_file: dict[str, OrganisationRow],
    on_platform: dict[str, PartyOrganisation],
    places: dict[str, Place],
) -> None:
    parent_kind: str | None = None
    parent_place_path: str | None = None
    parent_known = True
    if row.parent_code in in_file:
        parent = in_file[row.parent_code]
        parent_kind = parent.kind
        parent_place = places.get(parent.place_code)
        parent_place_path = parent_place.path if parent_place else None
        parent_known = parent.kind is not None
    elif row.parent_code in on_platform:
        parent_kind = on_platform[row.parent_code].kind
        parent_place_path = on_platform[row.parent_code].place.path
    elif row.parent_code:
        parent_known = False
        row.reader.problem(
            "parent_code",
            _("No party organisation with code %(code)s exists in the file or on the platform.")
            % {"code": row.parent_code},
        )
    errors = party_organisation_errors(
        code=row.code,
        name=row.name,
        kind=row.kind or "",
        parent_kind=parent_kind,
        parent_place_path=parent_place_path,
        place_level=place.level if place else None,
        place_path=place.path if place else None,
        secretary_name=row.secretary,
    )
    for field, skip in (
        ("kind", row.kind is None),
        ("parent", not parent_known),
        ("code", not row.code),
        ("name", not row.name),
    ):
        if skip:
            errors.pop(field, None)
    row.reader.problems_from(errors, ORGANISATION_COLUMNS)


def _write_organisations(
    rows: list[OrganisationRow],
    parents: dict[str, str | None],
    on_platform: dict[str, PartyOrganisation],
    places: dict[str, Place],
) -> int:
    depth = depths(parents)
    ids = {code: organisation.pk for code, organisation in on_platform.items()}
    for level in sorted(set(depth.values())):
        batch = [
            PartyOrganisation(
                code=row.code,
                name=row.name,
                kind=row.kind or "",
                parent_id=ids[row.parent_code] if row.parent_code else None,
                place=places[row.place_code],
                secretary_name=row.secretary,
            )
            for row in rows
            if depth[row.code] == level
        ]
        created = PartyOrganisation.objects.bulk_create(batch, batch_size=BATCH)
        ids.update({organisation.code: organisation.pk for organisation in created if organisation.pk is not None})
        missing = [organisation.code for organisation in created if organisation.pk is None]
        if missing:
            ids.update(dict(PartyOrganisation.objects.filter(code__in=missing).values_list("code", "pk")))
    return len(rows)


# --- members ---------------------------------------------------------------------------------------------


@dataclass
class MemberRow:
    reader: RowReader
    name: str
    phone: str
    organisation_code: str
    joined_on: datetime.date | None
    in_service: bool | None
    employer: str
    household_code: str


def party_members_plan(context: ImportContext) -> Plan:
    assert isinstance(context.table, Table)
    sheet = SheetReader(PARTY_MEMBERS, context.table)
    if sheet.missing:
        return Plan(problems=sheet.problems)
    rows = [
        MemberRow(
            reader=row,
            name=row.text("name", required=True),
            phone=phone_normalise(row.text("phone")),
            organisation_code=row.text("organisation_code", required=True),
            joined_on=row.date("joined_on"),
            in_service=row.boolean("in_service"),
            employer=row.text("employer"),
            household_code=row.text("household_code"),
        )
        for row in sheet.rows()
    ]
    organisations = by_code(PartyOrganisation.objects.all(), (row.organisation_code for row in rows))
    allowed_organisations = in_scope_ids(
        context.actor, PartyOrganisation.objects.all(), (o.pk for o in organisations.values())
    )
    households = by_code(Place.objects.all(), (row.household_code for row in rows))
    allowed_households = in_scope_ids(context.actor, Place.objects.all(), (h.pk for h in households.values()))
    taken = _phones_on_platform(rows, organisations)
    doubled = duplicates(((row.organisation_code, row.phone), row.reader.number) for row in rows if row.phone)

    for row in rows:
        organisation = organisations.get(row.organisation_code)
        if row.organisation_code and organisation is None:
            row.reader.problem(
                "organisation_code",
                _("No party organisation with code %(code)s exists on the platform.") % {"code": row.organisation_code},
            )
        elif organisation is not None and organisation.pk not in allowed_organisations:
            row.reader.problem(
                "organisation_code",
                _("%(name)s (%(code)s) is outside the places you may import into.")
                % {"name": organisation.name, "code": organisation.code},
            )
        household = households.get(row.household_code)
        if row.household_code:
            _place_problem(row.reader, "household_code", row.household_code, household, allowed_households)
        errors = party_member_errors(
            name=row.name,
            phone=row.phone,
            in_service=bool(row.in_service),
            employer=row.employer,
            joined_on=row.joined_on,
            household_level=household.level if household else None,
        )
        if not row.name:
            errors.pop("name", None)
        row.reader.problems_from(errors, MEMBER_COLUMNS)
        if "phone" in errors:
            continue
        if (row.organisation_code, row.phone) in doubled:
            others = [n for n in doubled[(row.organisation_code, row.phone)] if n != row.reader.number]
            row.reader.problem(
                "phone",
                _("The mobile number %(phone)s is also on %(rows)s for the same organisation.")
                % {"phone": mask_phone(row.phone), "rows": rows_phrase(others)},
            )
        if organisation is not None and (organisation.pk, row.phone) in taken:
            row.reader.problem(
                "phone",
                _("A member of %(organisation)s already has the mobile number %(phone)s.")
                % {"organisation": organisation.name, "phone": mask_phone(row.phone)},
            )
    if sheet.problems:
        return Plan(problems=sheet.problems)
    return Plan(write=lambda: _write_members(rows, organisations, households))


def _phones_on_platform(rows: list[MemberRow], organisations: dict[str, PartyOrganisation]) -> set[tuple[int, str]]:
    phones = sorted({row.phone for row in rows if row.phone})
    organisation_ids = sorted({organisation.pk for organisation in organisations.values()})
    taken: set[tuple[int, str]] = set()
    for start in range(0, len(phones), CHUNK):
        members = PartyMember.objects.filter(
            organisation_id__in=organisation_ids, phone__in=phones[start : start + CHUNK]
        ).values_list("organisation_id", "phone")
        taken.update(members)
    return taken


def _write_members(
    rows: list[MemberRow], organisations: dict[str, PartyOrganisation], households: dict[str, Place]
) -> int:
    PartyMember.objects.bulk_create(
        [
            PartyMember(
                name=row.name,
                phone=row.phone,
                organisation=organisations[row.organisation_code],
                joined_on=row.joined_on,
                in_service=bool(row.in_service),
                employer=row.employer,
                household=households.get(row.household_code),
            )
            for row in rows
        ],
        batch_size=BATCH,
    )
    return len(rows)
