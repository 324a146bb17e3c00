"""Test data for the mediation app, shared by every helper's tests: ``case_world()`` builds the city tree, staff of
every role, and a small roster of mediators; ``register_case`` and friends move a case along its flow through the
services (``gridwork.mediation.services``).

Personal data is put in on purpose (``NAMES``, ``PHONES``, ``ID_NUMBERS``): pages a grid worker can open must show
none of it in full.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils import timezone

from gridwork.accounts.models import User
from gridwork.accounts.roles import Role
from gridwork.accounts.tests.factories import make_staff
from gridwork.mediation.models import (
    CaseParty,
    CaseSource,
    DisputeCase,
    DisputeType,
    Mediator,
    MediatorKind,
    Outcome,
    PartyRole,
    RiskLevel,
)
from gridwork.places.tests.factories import CityTree, make_city_tree

NAMES = ("王建国", "李秀英")
PHONES = ("13912340001", "13912340002")
ID_NUMBERS = ("520102198001011234", "52010219850202456X")
ADDRESSES = ("春晖路1号1号楼1单元101", "春晖路1号1号楼1单元201")


@dataclass
class CaseWorld:
    """Around ``tree.community`` (its grids ``tree.grid`` and ``tree.grid2``, street ``tree.street``):

    - ``grid_worker`` (grid; VIEW_DISPUTES, SCREEN_DISPUTES — no MANAGE, no VIEW_DISPUTE_PARTIES), ``grid_worker2``
      (grid2);
    - ``staff`` community staff of the community (MANAGE_DISPUTES, VIEW_DISPUTE_PARTIES); ``staff2`` of its sibling
      ``community2``; ``street_staff`` (the street); ``street2_staff`` (the sibling street: sees nothing here);
      ``district_staff``; ``city_staff``;
    - the roster: ``mediator`` (people's mediator of the community: neighbour and family disputes, 5 open cases at
      most), ``lawyer`` (lawyer serving the whole street, any type), ``far_mediator`` (of ``community2`` only),
      ``away_mediator`` (of the community, not available).
    """

    tree: CityTree
    grid_worker: User
    grid_worker2: User
    staff: User
    staff2: User
    street_staff: User
    street2_staff: User
    district_staff: User
    city_staff: User
    mediator: Mediator
    lawyer: Mediator
    far_mediator: Mediator
    away_mediator: Mediator


def make_mediator(place: Any, name: str, *, communities: tuple[Any, ...] = (), **fields: Any) -> Mediator:
    values: dict[str, Any] = {"kind": MediatorKind.PEOPLES_MEDIATOR, "phone": "13800009999", "organisation": ""}
    values.update(fields)
    mediator = Mediator.objects.create(name=name, place=place, **values)
    if communities:
        mediator.communities.set(communities)
    return mediator


def case_world(tree: CityTree | None = None) -> CaseWorld:
    """The world (needs the database). Pass the ``tree`` fixture, or let it build one."""
    tree = tree or make_city_tree()
    return CaseWorld(
        tree=tree,
        grid_worker=make_staff(role=Role.GRID_WORKER, place=tree.grid, username="m_grid", full_name="网格员小张"),
        grid_worker2=make_staff(role=Role.GRID_WORKER, place=tree.grid2, username="m_grid2"),
        staff=make_staff(role=Role.COMMUNITY_STAFF, place=tree.community, username="m_community", full_name="社区小刘"),
        staff2=make_staff(role=Role.COMMUNITY_STAFF, place=tree.community2, username="m_community2"),
        street_staff=make_staff(role=Role.STREET_STAFF, place=tree.street, username="m_street"),
        street2_staff=make_staff(role=Role.STREET_STAFF, place=tree.street2, username="m_street2"),
        district_staff=make_staff(role=Role.DISTRICT_STAFF, place=tree.district, username="m_district"),
        city_staff=make_staff(role=Role.CITY_STAFF, place=tree.city, username="m_city"),
        mediator=make_mediator(
            tree.community,
            "调解员老周",
            communities=(tree.community,),
            organisation="春晖社区人民调解委员会",
            dispute_types=[DisputeType.NEIGHBOUR, DisputeType.FAMILY],
        ),
        lawyer=make_mediator(tree.street, "律师陈明", kind=MediatorKind.LAWYER, organisation="明川律师事务所"),
        far_mediator=make_mediator(tree.community2, "调解员老吴", communities=(tree.community2,)),
        away_mediator=make_mediator(tree.community, "调解员老郑", communities=(tree.community,), available=False),
    )


def two_parties(*, phones: tuple[str, str] = PHONES) -> list[Any]:
    from gridwork.mediation.services.cases import PartyInput

    return [
        PartyInput(PartyRole.APPLICANT, NAMES[0], phones[0], ID_NUMBERS[0], ADDRESSES[0]),
        PartyInput(PartyRole.RESPONDENT, NAMES[1], phones[1], ID_NUMBERS[1], ADDRESSES[1]),
    ]


def fresh(case: DisputeCase) -> DisputeCase:
    return DisputeCase.objects.select_related("place", "community", "mediator").get(pk=case.pk)


def register_case(world: CaseWorld, *, actor: User | None = None, place: Any = None, **fields: Any) -> DisputeCase:
    """A registered case in ``tree.grid`` (a neighbour dispute about water leaking from upstairs)."""
    from gridwork.mediation.services.cases import case_register

    values: dict[str, Any] = {
        "title": "楼上漏水纠纷",
        "dispute_type": DisputeType.NEIGHBOUR,
        "risk": RiskLevel.MEDIUM,
        "facts": "201室卫生间漏水至101室，双方就维修费用和赔偿协商未果。",
        "location": "春晖路1号1号楼",
        "source": CaseSource.STAFF,
        "parties": two_parties(),
    }
    values.update(fields)
    return case_register(actor=actor or world.staff, place=place or world.tree.grid, **values)


def assigned_case(world: CaseWorld, *, mediator: Mediator | None = None, **fields: Any) -> DisputeCase:
    from gridwork.mediation.services.cases import mediator_assign

    case = register_case(world, **fields)
    return mediator_assign(
        actor=world.staff, case=case, mediator=mediator or world.mediator, expected_version=case.version
    )


def mediating_case(world: CaseWorld, *, held_at: datetime | None = None, **fields: Any) -> DisputeCase:
    """A case with a mediator and one session held: ready for its outcome (the agreement form or ``case_conclude``)."""
    from gridwork.mediation.services.cases import session_record

    case = assigned_case(world, **fields)
    session_record(
        actor=world.staff,
        case=case,
        held_at=held_at or timezone.now(),
        location="春晖社区调解室",
        participants="王建国、李秀英、调解员老周",
        notes="双方陈述，初步同意由201室负责维修。",
        expected_version=case.version,
    )
    return fresh(case)


def concluded_case(world: CaseWorld, *, outcome: str = Outcome.FAILED, **fields: Any) -> DisputeCase:
    """A case concluded as failed (or withdrawn); an agreement goes through the documents helper's service."""
    from gridwork.mediation.services.cases import case_conclude

    case = mediating_case(world, **fields)
    return case_conclude(
        actor=world.staff, case=case, outcome=outcome, note="双方分歧较大。", expected_version=case.version
    )


def party(case: DisputeCase, role: str = PartyRole.APPLICANT) -> CaseParty:
    found = case.parties.filter(role=role).first()
    assert found is not None
    return found
