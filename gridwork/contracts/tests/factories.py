"""Test data for the contracts: a world of staff, two resident units with their contacts and residents around the
city tree, and contracts moved along their flow by the services (谈约 → 签约 → 亮约 → 评约).

Terms and due dates are set around today, so that "overdue" and "the term has ended" mean what they say whichever
day the tests run: the default term began 200 days ago and ends in 165 days; clause 1 (the unit's) was due 100 days
ago, clause 2 (the community's) is due in 100 days.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from gridwork.accounts.models import User
from gridwork.accounts.roles import Role
from gridwork.accounts.tests.factories import make_resident_user, make_staff
from gridwork.cobuild.categories import ServiceField
from gridwork.cobuild.models import Match, Need, Resource
from gridwork.contracts import services
from gridwork.contracts.models import ClauseMenu, Contract, ContractParty
from gridwork.contracts.services import ClauseValues
from gridwork.party.models import PartyOrganisation, PartyOrgKind, UnitContact
from gridwork.people.models import Resident, ResidentUnit, ResidentUnitKind
from gridwork.places.models import Place
from gridwork.places.tests.factories import CityTree, make_place

# Personal data put into the world on purpose: the public board must show none of it.
NAMES = ("社区小刘", "王联络", "赵经理", "李书记", "张桂兰", "钱二联络")
PHONES = ("13912345678", "13700000001", "13800000001", "13700000002", "13800000002")


def today() -> date:
    return timezone.localdate()


def days(n: int) -> date:
    return today() + timedelta(days=n)


def make_unit(place: Place, name: str, credit_code: str) -> ResidentUnit:
    return ResidentUnit.objects.create(
        credit_code=credit_code,
        name=name,
        kind=ResidentUnitKind.HOSPITAL,
        place=place,
        party_organisation_name=f"{name}党支部",
        contact_name="赵经理",
        contact_phone="13912345678",
    )


def make_contact(unit: ResidentUnit, *, phone: str, name: str) -> User:
    user = make_resident_user(phone=phone, full_name=name)
    UnitContact.objects.create(unit=unit, user=user)
    return user


@dataclass
class ContractWorld:
    """Around ``tree.community`` (street ``tree.street``):

    - ``staff``: community staff of the community (MANAGE_PARTY, VIEW_PERSONAL_DATA); ``staff2`` of its sibling
      ``community2``; ``street_staff`` (MANAGE_PARTY over the street); ``grid_worker`` (VIEW_PARTY only);
    - ``unit`` (a hospital in the community) spoken for by ``unit_user``; ``unit2`` (in the street) by ``unit2_user``;
      ``far_unit`` sitting in another street;
    - ``resident`` living in the community; ``outsider`` a resident of no household here.
    """

    tree: CityTree
    staff: User
    staff2: User
    street_staff: User
    grid_worker: User
    unit: ResidentUnit
    unit_user: User
    unit2: ResidentUnit
    unit2_user: User
    far_unit: ResidentUnit
    resident: User
    outsider: User
    organisation: PartyOrganisation


def make_world(tree: CityTree) -> ContractWorld:
    organisation = PartyOrganisation.objects.create(
        code="P-CH-01",
        name="春晖社区大党委",
        kind=PartyOrgKind.COMMUNITY_COMMITTEE,
        place=tree.community,
        secretary_name="李书记",
    )
    unit = make_unit(tree.community, "明川市第二人民医院", "12520100MB0000001X")
    unit2 = make_unit(tree.street, "望江中学", "12520100MB0000002X")
    far_community = make_place("community", tree.street2, 1, "东风社区")
    far_unit = make_unit(far_community, "东风物流公司", "91520100MA0000003X")
    resident = make_resident_user(phone="13800000001", full_name="张桂兰")
    Resident.objects.create(name="张桂兰", phone="13800000001", household=tree.household, user=resident)
    return ContractWorld(
        tree=tree,
        staff=make_staff(role=Role.COMMUNITY_STAFF, place=tree.community, username="community", full_name="社区小刘"),
        staff2=make_staff(role=Role.COMMUNITY_STAFF, place=tree.community2, username="community2"),
        street_staff=make_staff(role=Role.STREET_STAFF, place=tree.street, username="street"),
        grid_worker=make_staff(role=Role.GRID_WORKER, place=tree.grid, username="gridworker"),
        unit=unit,
        unit_user=make_contact(unit, phone="13700000001", name="王联络"),
        unit2=unit2,
        unit2_user=make_contact(unit2, phone="13700000002", name="钱二联络"),
        far_unit=far_unit,
        resident=resident,
        outsider=make_resident_user(phone="13800000002", full_name="路人甲"),
        organisation=organisation,
    )


def clause_values(**fields: Any) -> ClauseValues:
    values: dict[str, Any] = {
        "menu": ClauseMenu.SERVICE,
        "done_by": ContractParty.UNIT,
        "content": "每季度为社区老人开展一次义诊",
        "due_on": days(-100),
        "measure": "4次义诊，每次服务30人以上",
        "field": ServiceField.HEALTH,
    }
    values.update(fields)
    return ClauseValues(**values)


SECOND_CLAUSE = {
    "menu": ClauseMenu.RESOURCE,
    "done_by": ContractParty.COMMUNITY,
    "content": "为医院志愿者提供社区活动室",
    "measure": "每月至少2次",
    "field": ServiceField.HEALTH,
}


def fresh(contract: Contract) -> Contract:
    return Contract.objects.select_related("community", "unit").get(pk=contract.pk)


def draft(
    world: ContractWorld,
    *,
    clauses: int = 2,
    term_start: date | None = None,
    term_end: date | None = None,
    unit: ResidentUnit | None = None,
) -> Contract:
    start, end = term_start or days(-200), term_end or days(165)
    contract = services.contract_start(
        actor=world.staff,
        community=world.tree.community,
        unit=unit or world.unit,
        title="共建健康社区",
        term_start=start,
        term_end=end,
    )
    for index in range(clauses):
        if index % 2 == 0:
            values = clause_values(due_on=start + timedelta(days=100))
        else:
            values = clause_values(due_on=end - timedelta(days=65), **SECOND_CLAUSE)
        services.clause_add(
            actor=world.staff,
            contract=contract,
            side=ContractParty.COMMUNITY,
            values=values,
            expected_version=fresh(contract).version,
        )
    return fresh(contract)


def signed(world: ContractWorld, *, at: datetime | None = None, **kwargs: Any) -> Contract:
    """Signed by both (``at``: when, for a term that has ended by now)."""
    contract = draft(world, **kwargs)
    services.contract_sign(
        actor=world.staff, contract=contract, side=ContractParty.COMMUNITY, expected_version=contract.version, now=at
    )
    contract = fresh(contract)
    services.contract_sign(
        actor=world.unit_user, contract=contract, side=ContractParty.UNIT, expected_version=contract.version, now=at
    )
    return fresh(contract)


def published(world: ContractWorld, *, at: datetime | None = None, **kwargs: Any) -> Contract:
    contract = signed(world, at=at, **kwargs)
    services.contract_publish(actor=world.staff, contract=contract, expected_version=contract.version, now=at)
    return fresh(contract)


def evaluating(world: ContractWorld, **kwargs: Any) -> Contract:
    contract = published(world, **kwargs)
    services.contract_start_evaluation(
        actor=world.staff, contract=contract, reason="提前结束：医院搬迁", expected_version=contract.version
    )
    return fresh(contract)


def jpeg(name: str = "done.jpg") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (30, 120, 200)).save(buffer, "JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def pdf(name: str = "report.pdf", body: bytes = b"") -> SimpleUploadedFile:
    content = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n" + body + b"trailer\n<< /Root 1 0 R >>\n%%EOF\n"
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def make_match(world: ContractWorld, *, unit: ResidentUnit | None = None, community: Place | None = None) -> Match:
    need = Need.objects.create(
        community=community or world.tree.community,
        title="独居老人需要上门体检",
        field=ServiceField.HEALTH,
        source="survey",
        wanted_by=days(60),
        created_by=world.staff,
    )
    resource = Resource.objects.create(
        unit=unit or world.unit,
        kind="people",
        field=ServiceField.HEALTH,
        title="医院志愿医生团队",
        created_by=world.staff,
    )
    return Match.objects.create(need=need, resource=resource, score=90, made_by=world.staff)
