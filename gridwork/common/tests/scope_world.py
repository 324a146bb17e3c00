"""A world for scope tests: for a staff member at a unit, objects of every kind at their own unit, a child
unit, a sibling unit and the parent unit, each named after its relation so that a page's text shows leaks.

A grid worker's community-wide reads (``COMMUNITY_WIDE_READS``) reach the grid's whole community, where its sibling
grid and its parent lie too; so a grid's world has a fifth relation, a grid of the sibling community (``cousin``),
which no read of a grid worker reaches."""

from __future__ import annotations

import io
import itertools
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db import models
from django.utils import timezone
from PIL import Image

from gridwork.accounts.models import Post, User
from gridwork.accounts.roles import COMMUNITY_WIDE_READS, Role
from gridwork.accounts.tests.factories import make_resident_user, make_staff
from gridwork.activities.models import ActivityKind, Audience
from gridwork.activities.services.activities import activity_add_photos, activity_create
from gridwork.activities.tests.factories import soon
from gridwork.admission.models import AdmissionRequest, AdmissionState, Assignment
from gridwork.alliances.models import Alliance
from gridwork.care.models import HouseholdInDifficulty
from gridwork.centres.models import CentreKind
from gridwork.centres.tests.factories import TUESDAY, book, make_centre, make_room
from gridwork.cobuild.categories import ServiceField
from gridwork.cobuild.models import Need, NeedSource, Project, Resource, ResourceKind
from gridwork.contracts.models import Contract
from gridwork.deliberation.models import Programme
from gridwork.deliberation.services import deliberation_open, programme_open, proposal_submit
from gridwork.deliberation.tests.factories import resident_account
from gridwork.estates import services as estate_services
from gridwork.estates.models import Estate
from gridwork.estates.services import CommitteeInput, MeetingInput
from gridwork.gridvisits.models import GridVisit, VisitNeed
from gridwork.keytasks import services as keytask_services
from gridwork.keytasks.flows import TaskAction
from gridwork.matters.models import Matter, MatterEvent, RoutingRule
from gridwork.matters.photos import clean_photo
from gridwork.matters.services import matter_file
from gridwork.mediation.models import (
    Agreement,
    CaseParty,
    CaseSource,
    DisputeCase,
    DisputeType,
    FollowUp,
    Mediator,
    MediatorKind,
    PartyRole,
    ReceivingKind,
    Referral,
)
from gridwork.party.models import (
    MemberRegistration,
    PartTimeMember,
    PartyMember,
    PartyOrganisation,
    PartyOrgKind,
    RegistrationState,
)
from gridwork.people.models import Resident, ResidentUnit, ResidentUnitKind
from gridwork.places.codes import CODE_SHAPES
from gridwork.places.models import CHILD_LEVEL, Place
from gridwork.places.tests.factories import CityTree, make_place
from gridwork.points.models import Exchange, PointAccount, Reward
from gridwork.propertyfirms.models import PropertyCompany, ServiceContract
from gridwork.ratings.models import Assessment, Round, Target
from gridwork.schemes.models import Scheme, SchemeVersion, TargetKind, VersionState
from gridwork.screening.models import RiskEntry, Screening
from gridwork.serviceday.tests.factories import service_day_at
from gridwork.socialorgs.models import (
    FilingStatus,
    Incubation,
    IncubationBase,
    IncubationState,
    Member,
    MemberRole,
    Organisation,
    OrgKind,
)
from gridwork.socialorgs.models import ServiceField as OrgServiceField
from gridwork.supervision.models import UnitTask, Whistle
from gridwork.threezero.models import Application
from gridwork.volunteers.models import ServiceOrder
from gridwork.wishes.models import Wish, WishState
from gridwork.workforce.models import Worker

RELATIONS = ("own", "child", "sibling", "parent")
VISIBLE = frozenset({"own", "child"})
# Only a grid's world has it: a grid of the sibling community, outside every reach of a grid worker.
COUSIN = "cousin"
# The level whose posts reach their community for the community-wide reads, and the relations lying in that community.
COMMUNITY_WIDE_LEVEL = "grid"
IN_OWN_COMMUNITY = frozenset(RELATIONS)

PARTY_KIND_AT_LEVEL = {
    "city": PartyOrgKind.FUNCTIONAL,
    "district": PartyOrgKind.FUNCTIONAL,
    "street": PartyOrgKind.WORKING_COMMITTEE,
    "community": PartyOrgKind.COMMUNITY_COMMITTEE,
    "grid": PartyOrgKind.BRANCH,
    "microgrid": PartyOrgKind.GROUP,
}
CENTRE_KIND_AT_LEVEL = {
    "street": CentreKind.STREET_CENTRE,
    "community": CentreKind.COMMUNITY_STATION,
    "grid": CentreKind.ESTATE_STATION,
    "microgrid": CentreKind.ESTATE_STATION,
}
# Where bases, admission requests and key tasks are kept: a street or a unit above it.
ABOVE_COMMUNITY = frozenset({"street", "district", "city"})
ROLE_AT_LEVEL = {
    "city": Role.CITY_STAFF,
    "district": Role.DISTRICT_STAFF,
    "street": Role.STREET_STAFF,
    "community": Role.COMMUNITY_STAFF,
    "grid": Role.GRID_WORKER,
}

_sequence = itertools.count(500)


def _free_child(parent: Place, level: str) -> Place:
    """A new child of ``parent`` at ``level`` with the next unused sequence number."""
    shape = CODE_SHAPES[level]
    taken = [
        int(code[shape.inherited : shape.inherited + shape.own])
        for code in Place.objects.filter(parent=parent).values_list("code", flat=True)
    ]
    return make_place(level, parent, max(taken, default=0) + 1, f"{parent.name}/{level}")


def household_under(place: Place) -> Place:
    """A household in ``place``'s subtree, making the levels in between."""
    current = place
    while current.level != "household":
        level = CHILD_LEVEL[current.level]
        assert level is not None
        current = _free_child(current, level)
    return current


def _registration_at(household: Place, mark: str) -> MemberRegistration:
    """A confirmed member registration (双报到) living in the household's building."""
    building = household.parent
    assert building is not None
    assert building.parent is not None
    assert building.parent.parent is not None
    community = building.parent.parent
    phone = f"139{next(_sequence):08d}"
    return MemberRegistration.objects.create(
        user=make_resident_user(phone=phone),
        name=f"{mark} registered",
        phone=phone,
        employer=f"{mark} employer",
        employer_party_organisation=f"{mark} employer branch",
        community=community,
        building=building,
        state=RegistrationState.CONFIRMED,
    )


def _wish_at(registration: MemberRegistration, mark: str) -> Wish:
    """A published micro-wish of someone living in the registration's building."""
    return Wish.objects.create(
        title=f"{mark} wish",
        value=Decimal("100"),
        beneficiary_name=f"{mark} beneficiary",
        community=registration.community,
        building=registration.building,
        posted_by=registration.user,
        state=WishState.PUBLISHED,
    )


def _order_at(registration: MemberRegistration, mark: str) -> ServiceOrder:
    """A volunteer order of someone living in the registration's building, waiting to be issued."""
    return ServiceOrder.objects.create(
        ordered_by=registration.user,
        for_name=f"{mark} orderer",
        for_phone="13700001234",
        community=registration.community,
        building=registration.building,
        text=f"{mark} order",
        wanted_on=timezone.localdate() + timedelta(days=3),
    )


def _exchange_for(registration: MemberRegistration, mark: str) -> Exchange:
    """A request to spend a registered member's points on a reward of their community."""
    reward = Reward.objects.create(place=registration.community, name=f"{mark} reward", cost=10)
    account = PointAccount.objects.create(member=registration, balance=30, earned=30)
    return Exchange.objects.create(account=account, reward=reward, cost=reward.cost)


def _cobuild_at(household: Place, unit: ResidentUnit, mark: str, user: User) -> dict[str, models.Model]:
    """Co-construction in the household's community: a need, the unit's resource, a project, a contract under
    negotiation with the unit, and an alliance organised there; and a community worker of it."""
    community = household.parent.parent.parent  # type: ignore[union-attr]
    assert community is not None
    assert community.level == "community"
    field_of_work = ServiceField.ELDERLY
    return {
        "need": Need.objects.create(
            community=community, title=f"{mark} need", field=field_of_work, source=NeedSource.MEETING, created_by=user
        ),
        "resource": Resource.objects.create(
            unit=unit, kind=ResourceKind.VENUE, field=field_of_work, title=f"{mark} resource", created_by=user
        ),
        "project": Project.objects.create(
            title=f"{mark} project",
            goal=f"{mark} goal",
            field=field_of_work,
            community=community,
            starts_on=date(2026, 1, 1),
            ends_on=date(2026, 12, 31),
            created_by=user,
        ),
        "contract": Contract.objects.create(
            number=f"GJ2026{next(_sequence) % 10000:04d}",
            title=f"{mark} contract",
            community=community,
            unit=unit,
            created_by=user,
        ),
        "alliance": Alliance.objects.create(
            name=f"{mark} alliance",
            purpose=f"{mark} purpose",
            place=community,
            started_on=date(2026, 1, 1),
            created_by=user,
        ),
        "worker": Worker.objects.create(name=f"{mark} worker", community=community),
    }


def _disputes_at(household: Place, mark: str, user: User) -> dict[str, models.Model]:
    """A dispute case in the household's grid with a party, an agreement and its follow-up, and a referral; a
    mediator of its community; the grid's screening of this month with an entry."""
    grid = household.parent.parent  # type: ignore[union-attr]
    assert grid is not None
    assert grid.level == "grid"
    community = grid.parent
    assert community is not None
    now = timezone.now()
    case = DisputeCase.objects.create(
        number=f"调-2026-{next(_sequence):06d}",
        title=f"{mark} dispute",
        dispute_type=DisputeType.NEIGHBOUR,
        facts=f"{mark} facts",
        place=grid,
        community=community,
        source=CaseSource.STAFF,
        registered_by=user,
        registered_at=now,
    )
    agreement = Agreement.objects.create(
        case=case,
        number=f"调协-2026-{next(_sequence):06d}",
        facts="facts",
        terms="terms",
        performance="performance",
        signed_on=now.date(),
        created_by=user,
    )
    screening, _ = Screening.objects.get_or_create(
        grid=grid,
        month=now.date().replace(day=1),
        defaults={"screened_on": now.date(), "screened_by": user, "households_visited": 3},
    )
    return {
        "dispute": case,
        "dispute_party": CaseParty.objects.create(
            case=case, role=PartyRole.APPLICANT, name=f"{mark} party", phone="13911112222"
        ),
        "agreement": agreement,
        "follow_up": FollowUp.objects.create(agreement=agreement, due_on=now.date()),
        "referral": Referral.objects.create(
            case=case,
            receiving_kind=ReceivingKind.COURT,
            receiving_body=f"{mark} court",
            reason="reason",
            referred_by=user,
            referred_at=now,
        ),
        "mediator": Mediator.objects.create(
            name=f"{mark} mediator", kind=MediatorKind.PEOPLES_MEDIATOR, place=community
        ),
        "screening": screening,
        "three_zero": Application.objects.get_or_create(
            year=now.year - 1,
            place=community,
            defaults={"name": f"{mark} applicant", "applied_by": user, "applied_at": now},
        )[0],
        "risk_entry": RiskEntry.objects.create(
            screening=screening,
            dispute_type=DisputeType.NEIGHBOUR,
            summary=f"{mark} found",
            parties="someone",
            location="here",
            found_on=now.date(),
            recorded_by=user,
        ),
    }


def _centre_at(place: Place, household: Place, registration: MemberRegistration, mark: str) -> dict[str, models.Model]:
    """A centre serving the place (a street's centre, a community's station, an estate station of a grid or building;
    for a district or the city, the centre of the household's street) with a room, booked by a resident — not by the
    scope user, whose own bookings show in centres above their units."""
    served = place
    if served.level not in CENTRE_KIND_AT_LEVEL:
        served = household
        while served.level != "street":
            assert served.parent is not None
            served = served.parent
    centre = make_centre(served, name=f"{mark} centre", kind=CENTRE_KIND_AT_LEVEL[served.level])
    room = make_room(centre, f"{mark} room")
    booking = book(
        registration.user, room, TUESDAY + timedelta(hours=10), TUESDAY + timedelta(hours=11), purpose=f"{mark} booking"
    )
    return {"centre": centre, "room": room, "booking": booking}


def _community_life_at(household: Place, mark: str) -> dict[str, models.Model]:
    """What the household's community runs, opened by a staff member of it made here: a planned activity with a photo,
    a deliberation, and a resident's proposal in the community's programme of the year (one per community and year:
    relations sharing a community share it)."""
    community = household.parent.parent.parent  # type: ignore[union-attr]
    assert community is not None
    assert community.level == "community"
    staff = make_staff(
        role=Role.COMMUNITY_STAFF, place=community, username=f"{mark.lower()}-life", full_name=f"{mark} organiser"
    )
    starts_at = soon()
    activity = activity_create(
        actor=staff,
        place=community,
        title=f"{mark} activity",
        kind=ActivityKind.CULTURAL,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=2),
        audience=Audience.COMMUNITY,
        location=f"{mark} square",
    )
    photo = io.BytesIO(_tiny_png())
    photo.name = "photo.png"
    [activity_photo] = activity_add_photos(
        actor=staff, activity=activity, photos=[photo], at=starts_at + timedelta(hours=1)
    )
    now = timezone.now()
    deliberation = deliberation_open(
        actor=staff,
        community=community,
        topic=f"{mark} deliberation",
        background=f"{mark} background",
        options=["yes", "no"],
        opens_at=now - timedelta(minutes=5),
        closes_at=now + timedelta(days=7),
    )
    year = timezone.localdate().year
    programme = Programme.objects.filter(place=community, year=year).first() or programme_open(
        actor=staff, place=community, year=year, title=f"{mark} programme"
    )
    proposer = resident_account(household, f"136{next(_sequence):08d}", f"{mark} proposer")
    proposal = proposal_submit(
        actor=proposer,
        programme=programme,
        title=f"{mark} proposal",
        description=f"{mark} description",
        estimated_cost="20000",
        location=f"{mark} place",
    )
    return {
        "activity": activity,
        "activity_photo": activity_photo,
        "deliberation": deliberation,
        "programme": programme,
        "proposal": proposal,
    }


def _actors_at(
    place: Place, household: Place, mark: str, user: User, registering_street: Place
) -> dict[str, models.Model]:
    """The community's actors (#14) around the household: a social organisation of its community with a member and a
    stay at an incubation base of its street; an estate of the community with its committee and a meeting; a property
    company registered by an unrelated street (``registering_street``, neither above nor under any scope user), seen
    only through its contract serving the estate; a grid visit of the household with a need; an admitted request
    scoped to the street, assigned to the community; a key task of the street with an item of the community. A street
    or a unit above also gets its own incubation base and admission request (none below: those are kept at streets)."""
    community = household.parent.parent.parent  # type: ignore[union-attr]
    assert community is not None
    assert community.level == "community"
    street = community.parent
    assert street is not None
    assert street.level == "street"
    grid = household.parent.parent  # type: ignore[union-attr]
    assert grid is not None
    today = timezone.localdate()
    manager = make_staff(
        role=Role.COMMUNITY_STAFF, place=community, username=f"{mark.lower()}-actors", full_name=f"{mark} manager"
    )
    street_staff = make_staff(
        role=Role.STREET_STAFF, place=street, username=f"{mark.lower()}-tasks", full_name=f"{mark} leader"
    )
    objects: dict[str, models.Model] = {}

    organisation = Organisation.objects.create(
        name=f"{mark} social org",
        kind=OrgKind.SOCIAL_ORG,
        service_field=OrgServiceField.ELDERLY_CARE,
        place=community,
        filing=FilingStatus.FILED,
        contact_name=f"{mark} contact",
        contact_phone="13800005678",
    )
    street_base = IncubationBase.objects.create(name=f"{mark} street base", place=street, address="here")
    objects["social_org"] = organisation
    objects["social_member"] = Member.objects.create(
        organisation=organisation, name=f"{mark} org member", role=MemberRole.MEMBER, joined_on=date(2025, 1, 10)
    )
    objects["incubation"] = Incubation.objects.create(
        organisation=organisation, base=street_base, state=IncubationState.ENTERED, entered_on=date(2026, 1, 5)
    )
    if place.level in ABOVE_COMMUNITY:
        objects["incubation_base"] = (
            street_base
            if place == street
            else IncubationBase.objects.create(name=f"{mark} base", place=place, address="there")
        )

    estate = Estate.objects.create(community=community, name=f"{mark} estate", households=300)
    committee = estate_services.committee_create(
        actor=manager,
        estate=estate,
        elected=True,
        values=CommitteeInput(term_start=date(2024, 1, 1), term_end=date(2027, 1, 1)),
    )
    objects["estate"] = estate
    objects["committee"] = committee
    objects["committee_meeting"] = estate_services.meeting_record(
        actor=manager, committee=committee, values=MeetingInput(held_on=today, topic=f"{mark} meeting")
    )

    company = PropertyCompany.objects.create(
        name=f"{mark} property company",
        credit_code=f"91{next(_sequence):016d}"[:18],
        contact_name=f"{mark} manager",
        contact_phone="13800007777",
        registered_in=registering_street,
    )
    objects["property_company"] = company
    objects["property_contract"] = ServiceContract.objects.create(
        company=company,
        estate=estate,
        starts_on=date(2026, 1, 1),
        ends_on=date(2027, 12, 31),
        agreed_ends_on=date(2027, 12, 31),
        created_by=user,
    )

    visit = GridVisit.objects.create(
        household=household, grid=grid, visited_on=today, seen=f"{mark} seen", recorded_by=user
    )
    objects["visit"] = visit
    objects["visit_need"] = VisitNeed.objects.create(visit=visit, text=f"{mark} need on a visit")

    scope = place if place.level in ABOVE_COMMUNITY else street
    admission = AdmissionRequest.objects.create(
        title=f"{mark} admission",
        content="content",
        reason="reason",
        legal_basis="basis",
        scope=scope,
        requester_place=scope,
        starts_on=date(2026, 3, 1),
        ends_on=date(2026, 8, 31),
        authority="authority",
        staffing="staffing",
        funds_amount=Decimal("1000.00"),
        funds_source="source",
        state=AdmissionState.APPROVED,
        created_by=user,
        submitted_at=timezone.now(),
        decided_at=timezone.now(),
    )
    if place.level in ABOVE_COMMUNITY:
        objects["admission_request"] = admission
    objects["admission_task"] = Assignment.objects.create(
        admission=admission, community=community, assigned_by=user, assigned_at=timezone.now()
    )

    task = keytask_services.key_task_create(
        actor=street_staff,
        values=keytask_services.TaskInput(
            title=f"{mark} key task",
            description="",
            place=street,
            leader=street_staff,
            starts_on=date(2026, 3, 1),
            target_on=date(2026, 12, 31),
        ),
    )
    objects["key_item"] = keytask_services.item_create(
        actor=street_staff,
        task=task,
        values=keytask_services.ItemInput(
            title=f"{mark} key item",
            description="",
            place=community,
            department=None,
            person=manager,
            deadline=date(2026, 12, 31),
        ),
    )
    keytask_services.key_task_move(
        actor=street_staff, task=task, action=TaskAction.ACTIVATE, expected_version=task.version
    )
    task.refresh_from_db()
    objects["key_task"] = task
    return objects


def _rating_round(user: User) -> Round:
    """A round of star ratings on a published scheme version: rounds are city-wide, their assessments scoped."""
    scheme = Scheme.objects.create(name="scope scheme", target_kind=TargetKind.COMMUNITY)
    version = SchemeVersion.objects.create(
        scheme=scheme, number=1, state=VersionState.PUBLISHED, published_at=timezone.now()
    )
    return Round.objects.create(
        name="scope round",
        year=2026,
        scheme_version=version,
        period_start=date(2026, 1, 1),
        period_end=date(2026, 12, 31),
        self_due=date(2026, 12, 1),
        review_due=date(2026, 12, 15),
        accept_due=date(2026, 12, 31),
        created_by=user,
    )


def _assessment_at(household: Place, rating_round: Round, mark: str) -> Assessment:
    """The star rating of the household's community in the round (a grid and its micro-grid share their community's)."""
    community = household.parent.parent.parent  # type: ignore[union-attr]
    assert community is not None
    target, made = Target.objects.get_or_create(
        round=rating_round, place=community, defaults={"kind": TargetKind.COMMUNITY, "name": f"{mark} rating target"}
    )
    return Assessment.objects.create(target=target) if made else target.assessment


def _tiny_png() -> bytes:
    output = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 30, 30)).save(output, format="PNG")
    return output.getvalue()


def _matter_in(household: Place, mark: str) -> Matter:
    """A matter filed in the household's building, with one photo (MEDIA_ROOT must be a temporary directory)."""
    assert household.parent is not None
    receipt = matter_file(
        actor=None,
        channel="resident_web",
        title=f"{mark} matter",
        text=f"{mark} 楼道里的灯坏了，请尽快修理。",
        building=household.parent,
        reporter_name="张三丰",
        reporter_phone="13812345678",
        photos=[clean_photo(io.BytesIO(_tiny_png()), original_name="photo.png")],
    )
    return Matter.objects.get(pk=receipt.matter_id)


def _under_supervision(matter: Matter, place: Place, mark: str) -> Whistle:
    """Put the matter on every supervision list (overdue, under an open order, on the public notice) and give it a
    whistle with one late task: the stored fields and rows the supervision pages read, set directly."""
    now = timezone.now()
    Matter.objects.filter(pk=matter.pk).update(
        due_stage="reply",
        due_at=now - timedelta(hours=1),
        warn_at=now - timedelta(hours=5),
        supervision_open=True,
        supervision_count=1,
        urge_count=1,
        overdue_count=1,
    )
    event = MatterEvent.objects.create(
        matter=matter,
        sequence=matter.events.count() + 1,
        action="whistle",
        from_state=matter.state,
        to_state=matter.state,
        at=now,
        note=f"{mark} whistle",
    )
    whistle = Whistle.objects.create(
        matter=matter, event=event, place=place, note=f"{mark} whistle", issued_at=now - timedelta(hours=6)
    )
    UnitTask.objects.create(
        matter=matter, whistle=whistle, place=place, task=f"{mark} task", due_at=now - timedelta(hours=2)
    )
    return whistle


def visible_relations(level: str, perm: str, *, kept_at_community: bool = False) -> frozenset[str]:
    """The relations whose objects a staff member posted at ``level`` sees through ``perm``: own and child, except
    that a grid worker's community-wide reads reach the whole community (every relation but ``cousin``), and that
    objects kept at a community (``kept_at_community``) lie above a grid worker's other reads."""
    if level != COMMUNITY_WIDE_LEVEL:
        return VISIBLE
    if perm in COMMUNITY_WIDE_READS:
        return IN_OWN_COMMUNITY
    return frozenset() if kept_at_community else VISIBLE


@dataclass
class ScopeWorld:
    user: User
    places: dict[str, Place]
    objects: dict[str, dict[str, models.Model]] = field(default_factory=dict)

    def marker(self, relation: str) -> str:
        return f"SCOPE-{relation.upper()}-MARK"

    @property
    def relations(self) -> tuple[str, ...]:
        """The relations this world has objects for: ``RELATIONS``, and ``cousin`` in a grid's world."""
        return tuple(self.places)

    def visible(self, perm: str, *, kept_at_community: bool = False) -> frozenset[str]:
        """The relations whose objects this world's user sees through ``perm`` (see ``visible_relations``)."""
        return visible_relations(self.places["own"].level, perm, kept_at_community=kept_at_community)


def build_scope_world(tree: CityTree, *, own_level: str, role: str | None = None) -> ScopeWorld:
    own = {
        "district": tree.district,
        "street": tree.street,
        "community": tree.community,
        "grid": tree.grid,
    }[own_level]
    sibling = {
        "district": tree.district2,
        "street": tree.street2,
        "community": tree.community2,
        "grid": tree.grid2,
    }[own_level]
    child = Place.objects.filter(parent=own).order_by("code").first() or _free_child(own, CHILD_LEVEL[own.level] or "")
    parent = own.parent
    assert parent is not None
    places = {"own": own, "child": child, "sibling": sibling, "parent": parent}
    if own_level == COMMUNITY_WIDE_LEVEL:
        places[COUSIN] = Place.objects.filter(parent=tree.community2, level="grid").order_by("code").first() or (
            _free_child(tree.community2, "grid")
        )
    user = make_staff(role=role or ROLE_AT_LEVEL[own_level], place=own, username=f"scope-{own_level}")
    world = ScopeWorld(user=user, places=places)
    rating_round = _rating_round(user)
    registering_street = _free_child(_free_child(tree.city, "district"), "street")
    for relation, place in places.items():
        mark = world.marker(relation)
        organisation = PartyOrganisation.objects.create(
            code=f"P-{relation}-{place.code}",
            name=f"{mark} org",
            kind=PARTY_KIND_AT_LEVEL[place.level],
            place=place,
        )
        member = PartyMember.objects.create(name=f"{mark} member", phone="13900001111", organisation=organisation)
        household = household_under(place)
        resident = Resident.objects.create(name=f"{mark} resident", phone="13800001234", household=household)
        unit = ResidentUnit.objects.create(
            credit_code=f"91{next(_sequence):016d}"[:18],
            name=f"{mark} unit",
            kind=ResidentUnitKind.SCHOOL,
            place=place,
        )
        part_timer = PartTimeMember.objects.create(
            organisation=organisation,
            name=f"{mark} part-timer",
            resident_unit=unit,
            term_start=date(2026, 1, 1),
            term_end=date(2028, 12, 31),
        )
        matter = _matter_in(household, mark)
        objects: dict[str, models.Model] = {
            "place": place,
            "organisation": organisation,
            "member": member,
            "resident": resident,
            "unit": unit,
            "part_timer": part_timer,
            "matter": matter,
            "photo": matter.photos.get(),
            "whistle": _under_supervision(matter, place, mark),
            "rule": RoutingRule.objects.create(place=place, lead_place=place),
        }
        registration = _registration_at(household, mark)
        objects["registration"] = registration
        objects["wish"] = _wish_at(registration, mark)
        objects["order"] = _order_at(registration, mark)
        objects["exchange"] = _exchange_for(registration, mark)
        objects["difficulty"] = HouseholdInDifficulty.objects.create(
            household=household,
            kinds=["elderly_alone"],
            note=f"{mark} difficulty",
            since=date(2026, 1, 1),
            recorded_by=user,
        )
        objects.update(_cobuild_at(household, unit, mark, user))
        objects["assessment"] = _assessment_at(household, rating_round, mark)
        objects.update(_disputes_at(household, mark, user))
        objects.update(_centre_at(place, household, registration, mark))
        objects.update(_community_life_at(household, mark))
        community = household.parent.parent.parent  # type: ignore[union-attr]
        assert community is not None
        objects.update(service_day_at(community, mark))
        objects.update(_actors_at(place, household, mark, user, registering_street))
        staff_role = ROLE_AT_LEVEL.get(place.level)
        if staff_role is not None:
            staff = make_staff(
                role=staff_role, place=place, username=f"{mark.lower()}-{place.level}", full_name=f"{mark} staff"
            )
            objects["post"] = Post.objects.get(user=staff)
            objects["staff"] = staff
        world.objects[relation] = objects
    return world
