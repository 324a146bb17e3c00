"""Test data for admission: the small city tree with two approving bodies over 望江街道 (the district's organisation
department and the city's civil affairs), a requesting department (the district's 住建局), and staff around them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from gridwork.accounts.models import User
from gridwork.accounts.roles import Role
from gridwork.accounts.tests.factories import make_staff
from gridwork.admission import duties, services
from gridwork.admission.models import AdmissionRequest, ApprovingBody, DecisionKind
from gridwork.admission.services import AdmissionInput
from gridwork.places.models import Department, Place
from gridwork.places.tests.factories import CityTree


@dataclass
class World:
    tree: CityTree
    organisation: ApprovingBody  # 东湖区委组织部, at the district
    civil: ApprovingBody  # 明川市民政局, at the city
    requester: User  # a handler of 东湖区住房和城乡建设局 (not an approving body)
    organisation_handler: User
    civil_handler: User
    other_district_handler: User  # a handler of a department of 西山区
    street: User
    street2: User
    district: User  # district staff: keeps the district's list
    city: User
    community: User  # 春晖社区
    community2: User  # 秋实社区
    grid: User


def make_world(tree: CityTree) -> World:
    organisation_department = Department.objects.create(code="D520102101", name="东湖区委组织部", place=tree.district)
    civil_department = Department.objects.create(code="D520100009", name="明川市民政局", place=tree.city)
    other_department = Department.objects.create(code="D520103001", name="西山区城市管理局", place=tree.district2)
    city = make_staff(role=Role.CITY_STAFF, place=tree.city, username="city")
    district = make_staff(role=Role.DISTRICT_STAFF, place=tree.district, username="donghu")
    organisation = duties.approving_body_add(actor=district, department=organisation_department, note="组织部")
    civil = duties.approving_body_add(actor=city, department=civil_department, note="民政局")
    return World(
        tree=tree,
        organisation=organisation,
        civil=civil,
        requester=make_staff(
            role=Role.DEPARTMENT_HANDLER, place=tree.district, department=tree.department, username="zhujian"
        ),
        organisation_handler=make_staff(
            role=Role.DEPARTMENT_HANDLER, place=tree.district, department=organisation_department, username="zuzhi"
        ),
        civil_handler=make_staff(
            role=Role.DEPARTMENT_HANDLER, place=tree.city, department=civil_department, username="minzheng"
        ),
        other_district_handler=make_staff(
            role=Role.DEPARTMENT_HANDLER, place=tree.district2, department=other_department, username="xishan"
        ),
        street=make_staff(role=Role.STREET_STAFF, place=tree.street, username="wangjiang"),
        street2=make_staff(role=Role.STREET_STAFF, place=tree.street2, username="linchuan"),
        district=district,
        city=city,
        community=make_staff(role=Role.COMMUNITY_STAFF, place=tree.community, username="chunhui"),
        community2=make_staff(role=Role.COMMUNITY_STAFF, place=tree.community2, username="qiushi"),
        grid=make_staff(role=Role.GRID_WORKER, place=tree.grid, username="grid1"),
    )


def admission_values(scope: Place, **changes: Any) -> AdmissionInput:
    values: dict[str, Any] = {
        "title": "老旧小区改造入户意见征集",
        "content": "逐户征集居民意见。",
        "reason": "住建局无基层力量逐户走访。",
        "legal_basis": "国办发〔2020〕23号",
        "scope": scope,
        "starts_on": date(2026, 3, 1),
        "ends_on": date(2026, 8, 31),
        "authority": "组织居民议事会确定改造优先次序。",
        "staffing": "住建局派驻2名专干。",
        "staff_count": 2,
        "funds_amount": Decimal("60000.00"),
        "funds_source": "区级老旧小区改造专项资金",
    }
    values.update(changes)
    return AdmissionInput(**values)


def drafted(world: World, **changes: Any) -> AdmissionRequest:
    return services.admission_create(actor=world.requester, values=admission_values(world.tree.street, **changes))


def submitted(world: World, **changes: Any) -> AdmissionRequest:
    subject = drafted(world, **changes)
    services.admission_submit(actor=world.requester, subject=subject, expected_version=subject.version)
    return subject


def approved(world: World, **changes: Any) -> AdmissionRequest:
    subject = submitted(world, **changes)
    for actor, body in ((world.organisation_handler, world.organisation), (world.civil_handler, world.civil)):
        services.admission_decide(
            actor=actor, subject=subject, body=body, decision=DecisionKind.APPROVE, expected_version=subject.version
        )
    return subject
