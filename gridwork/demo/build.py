"""Writing the demo city: places, departments, staff, party organisations, resident units and residents.

``demo_city_build`` writes a plan (``gridwork.demo.plan``) in one transaction with ``bulk_create`` in
batches, then bumps the boundary version so every process reloads its locating index.
``demo_city_reset`` deletes the demo city and everything that hangs off it, leaving the audit log alone.
"""

from __future__ import annotations

import logging
import random
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, TypeVar

from django.contrib.auth.hashers import make_password
from django.db import models, reset_queries, transaction
from django.db.models import Count, ProtectedError, RestrictedError
from django.utils.translation import gettext as _

from gridwork.accounts.models import Post, User, UserKind
from gridwork.accounts.roles import Role
from gridwork.audit.services import audit_record
from gridwork.demo import identifiers, names
from gridwork.demo.plan import CITY_CODE, DEFAULT_SEED, CityPlan, PlannedPlace, Scale, plan_city
from gridwork.party.models import PartTimeMember, PartyMember, PartyOrganisation, PartyOrgKind
from gridwork.people.models import Resident, ResidentUnit, ResidentUnitKind
from gridwork.places.codes import place_path
from gridwork.places.locating import boundaries_changed
from gridwork.places.models import LEVEL_ORDER, Department, DepartmentKind, Place

logger = logging.getLogger(__name__)

DEMO_PASSWORD = "Gridwork@2026"  # noqa: S105 — the published password of the demo accounts
BATCH_SIZE = 2000
# Ages and dates are reckoned from a fixed day, so the same seed gives the same people every year.
REFERENCE_DATE = date(2026, 11, 21)
DISPATCH_SEQUENCE = 999
PUBLIC_SERVICE_SEQUENCE = 101
# Where people not born in the city were born: area codes of the province and of its neighbours.
OTHER_BIRTH_AREAS = ("520102", "520203", "520302", "522101", "522401", "522601", "522701", "500103", "510104")

UNIT_KINDS = (
    ResidentUnitKind.STATE_ENTERPRISE,
    ResidentUnitKind.SCHOOL,
    ResidentUnitKind.HOSPITAL,
    ResidentUnitKind.PRIVATE_ENTERPRISE,
    ResidentUnitKind.GOVERNMENT,
    ResidentUnitKind.SOCIAL_ORGANISATION,
)
# Registering authority and category of the unified social credit code, by kind of unit.
CREDIT_PREFIX = {
    ResidentUnitKind.GOVERNMENT: "11",
    ResidentUnitKind.SCHOOL: "12",
    ResidentUnitKind.HOSPITAL: "12",
    ResidentUnitKind.STATE_ENTERPRISE: "91",
    ResidentUnitKind.PRIVATE_ENTERPRISE: "91",
    ResidentUnitKind.SOCIAL_ORGANISATION: "52",
}

_M = TypeVar("_M", bound=models.Model)
_T = TypeVar("_T")


class DemoCityExistsError(Exception):
    """The demo city is already in the database."""


@dataclass
class BuildSummary:
    scale: str
    seed: int
    seconds: float
    counts: dict[str, int] = field(default_factory=dict)
    stages: list[tuple[str, float]] = field(default_factory=list)


def demo_city_exists() -> bool:
    return Place.objects.filter(code=CITY_CODE).exists()


def demo_staff(role: str, place: Place) -> User | None:
    """The demo's staff member of ``role`` at ``place`` (the first by username of those serving), or None."""
    post = (
        Post.objects.filter(role=role, place=place, is_active=True, user__is_active=True)
        .select_related("user")
        .order_by("user__username")
        .first()
    )
    return post.user if post is not None else None


def demo_city_build(
    *, scale: Scale, seed: int = DEFAULT_SEED, log: Callable[[str], None] | None = None
) -> BuildSummary:
    """Plan and write the demo city in one transaction; raise DemoCityExistsError if it is already there."""
    started = time.perf_counter()
    summary = BuildSummary(scale=scale.name, seed=seed, seconds=0.0)
    last = started

    def stage(name: str) -> None:
        nonlocal last
        now = time.perf_counter()
        summary.stages.append((name, now - last))
        if log is not None:
            log(f"  {name}: {now - last:.1f} s")
        last = now

    plan = plan_city(scale, seed)
    stage("plan")
    with transaction.atomic():
        if demo_city_exists():
            raise DemoCityExistsError(
                _("The demo city (%(code)s) is already in the database; use --reset to rebuild it.")
                % {"code": CITY_CODE}
            )
        writer = _Writer(plan)
        writer.write_places()
        stage("places")
        writer.write_departments()
        writer.write_staff()
        stage("departments and staff")
        writer.write_resident_units()
        writer.write_party()
        stage("party organisations and members")
        writer.write_residents()
        stage("residents")
        summary.counts = demo_city_counts()
        boundaries_changed()
        audit_record(
            actor=None,
            actor_name="demo_city",
            action="demo.city_built",
            detail={"scale": scale.name, "seed": seed, "counts": summary.counts},
        )
    summary.seconds = time.perf_counter() - started
    return summary


def demo_city_counts() -> dict[str, int]:
    """How many rows of each kind the demo city has (places by level)."""
    city_path = place_path(None, CITY_CODE)
    places = dict(
        Place.objects.filter(path__startswith=city_path)
        .values_list("level")
        .annotate(n=Count("pk"))
        .values_list("level", "n")
    )
    counts = {level: places.get(level, 0) for level in LEVEL_ORDER}
    counts.update(
        departments=Department.objects.filter(place__path__startswith=city_path).count(),
        staff=User.objects.filter(posts__place__path__startswith=city_path).distinct().count(),
        posts=Post.objects.filter(place__path__startswith=city_path).count(),
        party_organisations=PartyOrganisation.objects.filter(place__path__startswith=city_path).count(),
        party_members=PartyMember.objects.filter(organisation__place__path__startswith=city_path).count(),
        part_time_members=PartTimeMember.objects.filter(organisation__place__path__startswith=city_path).count(),
        resident_units=ResidentUnit.objects.filter(place__path__startswith=city_path).count(),
        residents=Resident.objects.filter(household__path__startswith=city_path).count(),
    )
    return counts


def _batches(items: Iterable[_T], size: int = BATCH_SIZE) -> Iterator[list[_T]]:
    batch: list[_T] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _bulk_create(model: type[_M], objects: Iterable[_M]) -> list[_M]:
    created: list[_M] = []
    for batch in _batches(objects):
        created.extend(model._default_manager.bulk_create(batch))
        reset_queries()  # with DEBUG on, the logged SQL of big inserts would otherwise pile up in memory
    return created


@dataclass
class _Person:
    name: str
    male: bool
    birth_date: date


class _Writer:
    """Writes one plan. Each kind of data draws from its own seeded stream, so the streams stay independent."""

    def __init__(self, plan: CityPlan) -> None:
        self.plan = plan
        seed = plan.seed
        self.staff_rng = random.Random(f"{seed}:staff")
        self.unit_rng = random.Random(f"{seed}:units")
        self.party_rng = random.Random(f"{seed}:party")
        self.people_rng = random.Random(f"{seed}:people")
        self.phones: set[str] = set()
        self.id_numbers: set[str] = set()
        self.departments_by_place: dict[str, list[Department]] = defaultdict(list)
        self.units_by_street: dict[str, list[ResidentUnit]] = defaultdict(list)

    # -- places -------------------------------------------------------------------------------------------

    def write_places(self) -> None:
        for level in LEVEL_ORDER:
            planned = self.plan.places(level)
            for batch in _batches(planned):
                objects = [self._place(place) for place in batch]
                Place.objects.bulk_create(objects)
                reset_queries()
                for place, obj in zip(batch, objects, strict=True):
                    place.pk = obj.pk

    @staticmethod
    def _place(place: PlannedPlace) -> Place:
        return Place(
            code=place.code,
            name=place.name,
            level=place.level,
            parent_id=place.parent.saved_pk if place.parent is not None else None,
            path=place.path,
            households=place.households,
            population=place.population,
            address=place.address,
            boundary=place.boundary,
            latitude=place.latitude,
            longitude=place.longitude,
        )

    # -- departments and staff ----------------------------------------------------------------------------

    def write_departments(self) -> None:
        """About ten functional departments and a joint dispatch centre at the city and in each district."""
        departments: list[Department] = []
        for place in [self.plan.city, *self.plan.places("district")]:
            area = place.code[:6]
            own = [
                Department(code=f"D{area}{sequence:03d}", name=f"{place.name}{full_name}")
                for sequence, (full_name, _short) in enumerate(names.DEPARTMENTS, start=1)
            ]
            police = "明川市公安局" if place.level == "city" else f"明川市公安局{place.root}分局"
            own.append(Department(code=f"D{area}{len(names.DEPARTMENTS) + 1:03d}", name=police))
            if place.level == "city":
                own += [
                    Department(
                        code=f"D{area}{PUBLIC_SERVICE_SEQUENCE + offset:03d}",
                        name=name,
                        kind=DepartmentKind.PUBLIC_SERVICE,
                    )
                    for offset, name in enumerate(names.PUBLIC_SERVICES)
                ]
            centre = "明川市市区联合调度中心" if place.level == "city" else f"{place.name}联合调度中心"
            own.append(Department(code=f"D{area}{DISPATCH_SEQUENCE}", name=centre, kind=DepartmentKind.DISPATCH_CENTRE))
            for department in own:
                department.place_id = place.saved_pk
            self.departments_by_place[place.code] = own
            departments += own
        _bulk_create(Department, departments)

    def write_staff(self) -> None:
        """One account per unit and department, all with the same demo password, hashed once."""
        password = make_password(DEMO_PASSWORD)
        city = self.plan.city
        accounts: list[tuple[str, str, PlannedPlace, Department | None]] = [
            ("admin", Role.SYSTEM_ADMIN, city, None),
            ("auditor", Role.AUDIT_ADMIN, city, None),
            ("city", Role.CITY_STAFF, city, None),
        ]
        for department in self.departments_by_place[city.code]:
            if department.kind == DepartmentKind.DISPATCH_CENTRE:
                accounts.append(("dispatch", Role.DISPATCH_CENTRE, city, department))
        for number, district in enumerate(self.plan.places("district"), start=1):
            accounts.append((f"district{number:02d}", Role.DISTRICT_STAFF, district, None))
            for department in self.departments_by_place[district.code]:
                if department.kind == DepartmentKind.DISPATCH_CENTRE:
                    accounts.append((f"dispatch{number:02d}", Role.DISPATCH_CENTRE, district, department))
        for place in [city, *self.plan.places("district")]:
            for department in self.departments_by_place[place.code]:
                if department.kind != DepartmentKind.DISPATCH_CENTRE:
                    accounts.append((f"dept{department.code[1:]}", Role.DEPARTMENT_HANDLER, place, department))
        for level, role, width in (
            ("street", Role.STREET_STAFF, 3),
            ("community", Role.COMMUNITY_STAFF, 4),
            ("grid", Role.GRID_WORKER, 5),
        ):
            for number, place in enumerate(self.plan.places(level), start=1):
                accounts.append((f"{level}{number:0{width}d}", role, place, None))

        users = [
            User(
                username=username,
                password=password,
                kind=UserKind.STAFF,
                full_name=names.person_name(self.staff_rng, male=self.staff_rng.random() < 0.5),
                phone=self._phone(self.staff_rng),
                is_staff=role == Role.SYSTEM_ADMIN,
            )
            for username, role, _place, _department in accounts
        ]
        _bulk_create(User, users)
        posts = [
            Post(
                user_id=user.pk, role=role, place_id=place.saved_pk, department_id=department.pk if department else None
            )
            for user, (_username, role, place, department) in zip(users, accounts, strict=True)
        ]
        _bulk_create(Post, posts)

    # -- resident units and party -------------------------------------------------------------------------

    def write_resident_units(self) -> None:
        rng = self.unit_rng
        codes: set[str] = set()
        units: list[ResidentUnit] = []
        for street in self.plan.places("street"):
            district = street.ancestor("district")
            for number in range(self.plan.scale.resident_units_per_street):
                kind = UNIT_KINDS[(number + street.sequence) % len(UNIT_KINDS)]
                place = street if number % 2 == 0 else rng.choice(street.children)
                name = _unit_name(kind, street, place, rng)
                code = identifiers.credit_code(
                    authority_and_category=CREDIT_PREFIX[kind], area_code=district.code[:6], rng=rng
                )
                while code in codes:
                    code = identifiers.credit_code(
                        authority_and_category=CREDIT_PREFIX[kind], area_code=district.code[:6], rng=rng
                    )
                codes.add(code)
                unit = ResidentUnit(
                    credit_code=code,
                    name=name,
                    kind=kind,
                    place_id=place.saved_pk,
                    party_organisation_name=f"中共{name}{'委员会' if number % 3 == 0 else '支部委员会'}",
                    contact_name=names.person_name(rng, male=rng.random() < 0.5),
                    contact_phone=self._phone(rng),
                )
                units.append(unit)
                self.units_by_street[street.code].append(unit)
        _bulk_create(ResidentUnit, units)

    def write_party(self) -> None:
        rng = self.party_rng
        scale = self.plan.scale
        founded = _date_between(rng, date(1998, 1, 1), date(2021, 12, 31))
        orgs: dict[str, PartyOrganisation] = {}

        def organisation(
            code: str, name: str, kind: str, place: PlannedPlace, parent: PartyOrganisation | None
        ) -> PartyOrganisation:
            org = PartyOrganisation(
                code=code,
                name=name,
                kind=kind,
                place_id=place.saved_pk,
                parent_id=parent.pk if parent is not None else None,
                secretary_name=names.person_name(rng, male=rng.random() < 0.6),
                founded_on=founded + timedelta(days=rng.randrange(0, 1500)),
            )
            orgs[code] = org
            return org

        streets = self.plan.places("street")
        _bulk_create(
            PartyOrganisation,
            [organisation(f"P{s.code}", f"{s.name}“大工委”", PartyOrgKind.WORKING_COMMITTEE, s, None) for s in streets],
        )
        second: list[PartyOrganisation] = []
        for street in streets:
            committee = orgs[f"P{street.code}"]
            for community in street.children:
                second.append(
                    organisation(
                        f"P{community.code}",
                        f"{community.name}“大党委”",
                        PartyOrgKind.COMMUNITY_COMMITTEE,
                        community,
                        committee,
                    )
                )
            for number, suffix in enumerate(names.FUNCTIONAL_ORGANISATIONS[: 1 + street.sequence % 2], start=1):
                second.append(
                    organisation(
                        f"P{street.code}F{number:02d}",
                        f"{street.name}{suffix}",
                        PartyOrgKind.FUNCTIONAL,
                        street,
                        committee,
                    )
                )
        _bulk_create(PartyOrganisation, second)

        grids = self.plan.places("grid")
        _bulk_create(
            PartyOrganisation,
            [
                organisation(
                    f"P{grid.code}",
                    f"{grid.name}党支部",
                    PartyOrgKind.BRANCH,
                    grid,
                    orgs[f"P{grid.ancestor('community').code}"],
                )
                for grid in grids
            ],
        )
        groups = [
            organisation(
                f"P{building.code}",
                f"{grid.name}{building.name}党小组",
                PartyOrgKind.GROUP,
                building,
                orgs[f"P{grid.code}"],
            )
            for grid in grids
            if grid.showcase
            for building in grid.children[: scale.party_groups_per_showcase_grid]
        ]
        _bulk_create(PartyOrganisation, groups)
        central = [
            organisation(
                f"P{grid.children[0].children[0].code}",
                f"{grid.children[0].children[0].name}党员中心户",
                PartyOrgKind.CENTRAL_HOUSEHOLD,
                grid.children[0].children[0],
                orgs[f"P{grid.children[0].code}"],
            )
            for grid in grids
            if grid.showcase and grid.children[0].children and scale.party_groups_per_showcase_grid
        ]
        _bulk_create(PartyOrganisation, central)

        self._write_party_members(grids, orgs)
        self._write_part_time_members(orgs)

    def _write_party_members(self, grids: Sequence[PlannedPlace], orgs: dict[str, PartyOrganisation]) -> None:
        rng = self.party_rng
        members: list[PartyMember] = []
        for grid in grids:
            branch = orgs[f"P{grid.code}"]
            street = grid.ancestor("street")
            district = grid.ancestor("district")
            employers = [unit.name for unit in self.units_by_street[street.code]] + [
                department.name for department in self.departments_by_place[district.code][:6]
            ]
            homes = [household for building in grid.children for household in building.children]
            for number in range(rng.randint(*self.plan.scale.party_members_per_branch)):
                male = rng.random() < 0.55
                in_service = rng.random() < 0.35
                if number == 0 and homes:
                    home: PlannedPlace | None = homes[0]  # the 党员中心户
                else:
                    home = rng.choice(homes) if homes else None
                members.append(
                    PartyMember(
                        name=names.person_name(rng, male=male),
                        phone=self._phone(rng),
                        organisation_id=branch.pk,
                        joined_on=_date_between(rng, date(1978, 1, 1), date(2024, 7, 1)),
                        in_service=in_service,
                        employer=rng.choice(employers) if in_service and employers else "",
                        household_id=home.saved_pk if home is not None else None,
                    )
                )
        _bulk_create(PartyMember, members)

    def _write_part_time_members(self, orgs: dict[str, PartyOrganisation]) -> None:
        """兼职委员: leaders of resident units on the street's 大工委 and on each community's 大党委."""
        rng = self.party_rng
        members: list[PartTimeMember] = []
        for street in self.plan.places("street"):
            units = self.units_by_street[street.code]
            if not units:
                continue
            term_start = date(2021, rng.randint(6, 12), 1)
            seats = [(orgs[f"P{street.code}"], unit) for unit in units[:3]]
            seats += [
                (orgs[f"P{community.code}"], units[index % len(units)])
                for index, community in enumerate(street.children)
            ]
            for org, unit in seats:
                members.append(
                    PartTimeMember(
                        organisation_id=org.pk,
                        name=names.person_name(rng, male=rng.random() < 0.6),
                        resident_unit_id=unit.pk,
                        position=rng.choice(names.PARTY_POSITIONS),
                        term_start=term_start,
                        term_end=term_start.replace(year=term_start.year + 5),
                        duties="参与议事协商，协调本单位资源参与社区共建",
                    )
                )
        _bulk_create(PartTimeMember, members)

    # -- residents ----------------------------------------------------------------------------------------

    def write_residents(self) -> None:
        """Residents of every planned household, drawn batch by batch so they never all sit in memory."""
        households = self.plan.places("household")
        for batch in _batches(households, BATCH_SIZE // 2):
            residents: list[Resident] = []
            for household in batch:
                area = household.ancestor("district").code[:6]
                for index, person in enumerate(self._family(household.resident_count)):
                    residents.append(
                        Resident(
                            name=person.name,
                            phone=self._phone(self.people_rng) if _age(person.birth_date) >= 14 else "",
                            id_number=self._id_number(person, area),
                            household_id=household.saved_pk,
                            is_householder=index == 0,
                        )
                    )
            Resident.objects.bulk_create(residents)
            reset_queries()

    def _family(self, size: int) -> list[_Person]:
        rng = self.people_rng
        male = rng.random() < 0.62
        age = rng.randint(22, 88) if size == 1 else rng.randint(28, 76)
        householder = _Person(names.person_name(rng, male=male), male, _birth_date(rng, age))
        family = [householder]
        father = householder if male else None
        if size >= 2:
            spouse_age = min(90, max(22, age + rng.randint(-6, 6)))
            spouse = _Person(names.person_name(rng, male=not male), not male, _birth_date(rng, spouse_age))
            family.append(spouse)
            father = father or spouse
        surname = (father or householder).name[0]
        for _child in range(size - len(family)):
            child_age = age - rng.randint(22, 36)
            if child_age >= 0:
                child_male = rng.random() < 0.52
                name = names.person_name(rng, male=child_male, surname=surname)
                family.append(_Person(name, child_male, _birth_date(rng, child_age)))
            else:
                elder_male = rng.random() < 0.4
                elder_age = min(98, age + rng.randint(22, 30))
                family.append(_Person(names.person_name(rng, male=elder_male), elder_male, _birth_date(rng, elder_age)))
        return family

    def _id_number(self, person: _Person, area: str) -> str:
        rng = self.people_rng
        birth_area = area if rng.random() < 0.75 else rng.choice(OTHER_BIRTH_AREAS)
        while True:
            number = identifiers.id_number(
                area_code=birth_area, birth_date=person.birth_date, sequence=rng.randrange(500), male=person.male
            )
            if number not in self.id_numbers:
                self.id_numbers.add(number)
                return number

    def _phone(self, rng: random.Random) -> str:
        while True:
            phone = identifiers.mobile_number(rng)
            if phone not in self.phones:
                self.phones.add(phone)
                return phone


def _date_between(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randrange((end - start).days + 1))


def _birth_date(rng: random.Random, age: int) -> date:
    """A birth date at which a person is ``age`` years old on the reference date."""
    latest = REFERENCE_DATE.replace(year=REFERENCE_DATE.year - age)
    return latest - timedelta(days=rng.randrange(365))


def _age(birth_date: date) -> int:
    years = REFERENCE_DATE.year - birth_date.year
    return years - ((REFERENCE_DATE.month, REFERENCE_DATE.day) < (birth_date.month, birth_date.day))


def _unit_name(kind: str, street: PlannedPlace, place: PlannedPlace, rng: random.Random) -> str:
    root = place.root
    district = street.ancestor("district")
    match kind:
        case ResidentUnitKind.STATE_ENTERPRISE:
            return rng.choice(
                (
                    f"国网明川供电公司{root}供电所",
                    f"中国邮政明川市{district.root}区{root}邮政支局",
                    f"明川公交集团{root}场站",
                )
            )
        case ResidentUnitKind.SCHOOL:
            return rng.choice((f"明川市{root}中学", f"明川市{district.name}{root}小学", f"明川市{root}幼儿园"))
        case ResidentUnitKind.HOSPITAL:
            return f"明川市{district.name}{root}{'社区卫生服务中心' if place.level == 'community' else '医院'}"
        case ResidentUnitKind.GOVERNMENT:
            return f"国家税务总局明川市{district.name}税务局{root}税务所"
        case ResidentUnitKind.SOCIAL_ORGANISATION:
            return f"明川市{root}社会工作服务中心"
        case _:
            return f"明川{root}{rng.choice(names.INDUSTRIES)}有限公司"


# -- reset ----------------------------------------------------------------------------------------------------


def demo_city_reset() -> dict[str, int]:
    """Delete the demo city and everything that hangs off it; return how many rows of each model went.

    Rows of other apps that protect a demo row from deletion (a matter reported in a demo grid) are demo
    data too and are deleted first. The audit log is append-only and refers to users without a constraint:
    it is left as it is.
    """
    city_path = place_path(None, CITY_CODE)
    deleted: Counter[str] = Counter()
    with transaction.atomic():
        staff_ids = list(
            User.objects.filter(posts__place__path__startswith=city_path).values_list("pk", flat=True).distinct()
        )
        _delete(PartTimeMember.objects.filter(organisation__place__path__startswith=city_path), deleted)
        _delete(PartyMember.objects.filter(organisation__place__path__startswith=city_path), deleted)
        organisations = PartyOrganisation.objects.filter(place__path__startswith=city_path)
        organisations.update(parent=None)
        _delete(organisations, deleted)
        _delete(Resident.objects.filter(household__path__startswith=city_path), deleted)
        _delete(ResidentUnit.objects.filter(place__path__startswith=city_path), deleted)
        _delete(Post.objects.filter(place__path__startswith=city_path), deleted)
        for batch in _batches(staff_ids):
            _delete(User.objects.filter(pk__in=batch, posts__isnull=True), deleted)
        _delete(Department.objects.filter(place__path__startswith=city_path), deleted)
        for level in reversed(LEVEL_ORDER):
            ids = list(Place.objects.filter(path__startswith=city_path, level=level).values_list("pk", flat=True))
            for batch in _batches(ids):
                _delete(Place.objects.filter(pk__in=batch), deleted)
        if deleted:
            boundaries_changed()
    return dict(deleted)


def _delete(queryset: models.QuerySet[Any], deleted: Counter[str], depth: int = 0) -> None:
    """Delete the rows, first deleting any rows of other models that protect them."""
    for _attempt in range(10):
        try:
            _count, per_model = queryset.delete()
        except (ProtectedError, RestrictedError) as error:
            if depth >= 5:
                raise
            blockers = error.protected_objects if isinstance(error, ProtectedError) else error.restricted_objects
            by_model: dict[type[models.Model], list[Any]] = defaultdict(list)
            for blocker in blockers:
                by_model[type(blocker)].append(blocker.pk)
            for model, pks in by_model.items():
                logger.info("Reset: deleting %d %s that refer to demo data.", len(pks), model._meta.label)
                for batch in _batches(pks):
                    _delete(model._default_manager.filter(pk__in=batch), deleted, depth + 1)
            continue
        deleted.update({label: n for label, n in per_model.items() if n})
        return
    raise RuntimeError(f"Could not delete {queryset.model._meta.label} rows after 10 attempts.")
