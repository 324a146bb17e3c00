"""Fill the demo city with its positions (阵地), made through the services: a party-mass service centre for each street
of the first inhabited communities (bookings there need the street's approval), a station for each of those
communities, a 小区 station in the first one, their rooms, and a few weeks of bookings — three weeks past and two to
come — by residents (for themselves or their groups), by the community's staff, and on resident units' behalf: some
cancelled, some refused, the street's past ones decided and a few upcoming ones waiting for approval.

Each step runs on the simulated clock (``gridwork.demo.clock``) at its moment, so the histories read as they would
have happened; everything is dated relative to today. The same seed gives the same bookings.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import partial
from time import perf_counter
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridwork.accounts.models import User, UserKind
from gridwork.accounts.roles import Role
from gridwork.accounts.services import phone_is_valid, resident_username
from gridwork.audit.services import audit_record
from gridwork.centres import services
from gridwork.centres.models import BookerKind, Booking, BookingState, Centre, CentreFunction, CentreKind, Room
from gridwork.centres.services import CentreInput, RoomInput
from gridwork.common.masking import mask_phone
from gridwork.demo.build import demo_staff
from gridwork.demo.clock import clock
from gridwork.demo.fill import DemoFillCommand
from gridwork.demo.identifiers import mobile_number
from gridwork.demo.plan import CITY_CODE, DEFAULT_SEED
from gridwork.people.models import Resident, ResidentUnit
from gridwork.places.models import Place, PlaceLevel

MAX_COMMUNITIES = 4
RESIDENTS = 8
PAST_DAYS = 21
FUTURE_DAYS = 14
T = TypeVar("T")

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")
STATION_HOURS: dict[str, Any] = {day: [["08:30", "12:00"], ["14:00", "21:00"]] for day in WEEKDAYS} | {
    "sat": [["09:00", "12:00"], ["14:00", "18:00"]],
    "sun": [["14:00", "18:00"]],
}
CENTRE_HOURS: dict[str, Any] = {day: [["08:30", "12:00"], ["14:00", "17:30"]] for day in WEEKDAYS} | {
    "sat": [["09:00", "12:00"]],
    "sun": [],
}
ESTATE_HOURS: dict[str, Any] = {day: [["15:00", "20:00"]] for day in (*WEEKDAYS, "sat", "sun")}

RoomPlan = tuple[tuple[str, int, list[str], bool], ...]
STATION_ROOMS: RoomPlan = (
    ("多功能活动室", 60, ["投影仪", "音响"], True),
    ("会议室", 20, ["白板"], True),
    ("党员活动室", 30, ["投影仪"], True),
    ("书画室", 16, ["书画桌"], True),
    ("人民调解室", 8, [], False),
)
CENTRE_ROOMS: RoomPlan = (
    ("大礼堂", 150, ["LED屏", "音响", "话筒"], True),
    ("培训教室", 40, ["投影仪"], True),
    ("党建展厅", 80, [], False),
)
ESTATE_ROOMS: RoomPlan = (("邻里议事厅", 15, ["白板"], True),)

GROUPS = ("老年合唱团", "太极拳队", "书法协会", "广场舞队", "志愿服务队", "读书会")
RESIDENT_PURPOSES = ("合唱排练", "书法练习", "棋牌活动", "亲子阅读", "手工课", "健康讲座", "太极拳练习", "读书分享会")
STAFF_PURPOSES = ("支部党员大会", "社区工作例会", "议事协商会", "政策宣讲", "网格员培训", "居民代表会议")
UNIT_PURPOSES = ("共建单位志愿活动", "党建联建座谈会", "安全知识讲座")
REFUSALS = ("当日礼堂已安排街道会议。", "场地检修，暂停开放。", "活动人数超出场地安全容量，请调整。")
SLOTS = ((9.0, 1.5), (10.5, 1.5), (14.5, 1.5), (16.0, 1.5), (19.0, 2.0))


@dataclass
class _Community:
    place: Place
    street: Place
    staff: User
    street_staff: User
    residents: list[User] = field(default_factory=list)
    units: list[ResidentUnit] = field(default_factory=list)


@dataclass
class Summary:
    communities: list[str] = field(default_factory=list)
    seconds: float = 0.0
    counts: dict[str, int] = field(default_factory=dict)


def demo_centres_exists() -> bool:
    return Centre.objects.exists()


def demo_centres_counts() -> dict[str, int]:
    counts = {
        "centres": Centre.objects.count(),
        "rooms": Room.objects.count(),
        "bookings": Booking.objects.count(),
    }
    for state, count in Booking.objects.values_list("state").annotate(n=Count("id")).order_by("state"):
        counts[f"  bookings {state}"] = count
    return counts


class _Demo:
    def __init__(self, *, seed: int, limit: int, log: Callable[[str], Any]) -> None:
        self.seed, self.limit, self.log = seed, limit, log
        self.zone = timezone.get_current_timezone()
        self.now = timezone.now()
        self.today = timezone.localdate()
        self.communities: list[_Community] = []

    def rng(self, *key: object) -> random.Random:
        return random.Random(":".join(str(part) for part in (self.seed, "centres", *key)))

    def at(self, day: date, hour: float) -> datetime:
        return datetime.combine(day, time.min, tzinfo=self.zone) + timedelta(minutes=round(hour * 60))

    def step(self, moment: datetime, action: Callable[[], T]) -> T:
        with clock(min(moment, self.now)):
            return action()

    # --- who ---

    def choose(self) -> bool:
        city = Place.objects.filter(code=CITY_CODE).first()
        if city is None:
            self.log("No demo city: nothing to do.")
            return False
        inhabited = set(
            Place.objects.filter(level=PlaceLevel.GRID, path__startswith=city.path, households__gt=0).values_list(
                "parent_id", flat=True
            )
        )
        for place in Place.objects.filter(level=PlaceLevel.COMMUNITY, pk__in=inhabited).order_by("code"):
            if len(self.communities) >= self.limit:
                break
            street = Place.objects.get(pk=place.parent_id or 0)
            staff = demo_staff(Role.COMMUNITY_STAFF, place)
            street_staff = demo_staff(Role.STREET_STAFF, street)
            if staff is None or street_staff is None:
                continue
            community = _Community(place, street, staff, street_staff)
            community.residents = self.residents(place)
            community.units = list(ResidentUnit.objects.filter(place__path__startswith=place.path).order_by("pk")[:3])
            self.communities.append(community)
        if not self.communities:
            self.log("No community of the demo city has staff: nothing to do.")
            return False
        return True

    def residents(self, community: Place) -> list[User]:
        """Accounts of a few of the community's registered residents (opened as a first phone sign-in opens them)."""
        moment = self.now - timedelta(days=PAST_DAYS + 10)
        users: list[User] = []
        candidates = (
            Resident.objects.filter(household__path__startswith=community.path)
            .exclude(phone="")
            .select_related("user")
            .order_by("id")[: RESIDENTS * 3]
        )
        for resident in candidates:
            if len(users) >= RESIDENTS:
                break
            if resident.user is not None:
                users.append(resident.user)
                continue
            phone = resident.phone
            if not phone_is_valid(phone) or User.objects.filter(Q(phone=phone) | Q(username=resident_username(phone))):
                continue
            user = User.objects.create_user(
                username=resident_username(phone),
                password=None,
                kind=UserKind.RESIDENT,
                phone=phone,
                full_name=resident.name,
                date_joined=moment,
            )
            Resident.objects.filter(pk=resident.pk).update(user=user)
            audit_record(actor=user, action="resident_account.create", target=user, detail={"phone": mask_phone(phone)})
            users.append(user)
        return users

    # --- centres and rooms ---

    def centre(
        self,
        actor: User,
        place: Place,
        *,
        name: str,
        kind: str,
        hours: dict[str, Any],
        functions: Sequence[str],
        rooms: RoomPlan,
        approval: bool,
    ) -> Centre:
        rng = self.rng("centre", place.code)
        moment = self.now - timedelta(days=PAST_DAYS + 30)
        centre = self.step(
            moment,
            partial(
                services.centre_create,
                actor=actor,
                values=CentreInput(
                    name=name,
                    kind=kind,
                    place=place,
                    address=place.address or f"{place.name}{rng.randint(1, 99)}号",
                    phone=f"0851-{rng.randint(1000000, 9999999)}",
                    opening_hours=hours,
                    functions=list(functions),
                    requires_approval=approval,
                ),
            ),
        )
        for room_name, capacity, equipment, bookable in rooms:
            self.step(
                moment,
                partial(
                    services.room_create,
                    actor=actor,
                    centre=centre,
                    values=RoomInput(name=room_name, capacity=capacity, equipment=equipment, bookable=bookable),
                ),
            )
        return centre

    def centres(self) -> list[tuple[_Community, Centre, Centre]]:
        made: list[tuple[_Community, Centre, Centre]] = []
        street_centres: dict[int, Centre] = {}
        six = [
            CentreFunction.ACTIVITY_VENUE,
            CentreFunction.PARTY_MEMBER_SERVICE,
            CentreFunction.DELIBERATION,
            CentreFunction.CONVENIENCE_SERVICE,
            CentreFunction.CULTURE,
            CentreFunction.ELDERLY_CARE,
            CentreFunction.MEDIATION,
        ]
        for index, community in enumerate(self.communities):
            street = community.street
            if street.pk not in street_centres:
                street_centres[street.pk] = self.centre(
                    community.street_staff,
                    street,
                    name=f"{street.name}党群服务中心",
                    kind=CentreKind.STREET_CENTRE,
                    hours=CENTRE_HOURS,
                    functions=six,
                    rooms=CENTRE_ROOMS,
                    approval=True,
                )
            station = self.centre(
                community.staff,
                community.place,
                name=f"{community.place.name}党群服务站",
                kind=CentreKind.COMMUNITY_STATION,
                hours=STATION_HOURS,
                functions=six[:6],
                rooms=STATION_ROOMS,
                approval=False,
            )
            if index == 0:
                grid = community.place.children.filter(level=PlaceLevel.GRID).order_by("code").first()
                if grid is not None:
                    self.centre(
                        community.staff,
                        grid,
                        name=f"{grid.name}小区党群服务站",
                        kind=CentreKind.ESTATE_STATION,
                        hours=ESTATE_HOURS,
                        functions=[
                            CentreFunction.BRANCH_OFFICE,
                            CentreFunction.RECEPTION,
                            CentreFunction.SELF_GOVERNANCE,
                            CentreFunction.NEIGHBOUR_MEDIATION,
                            CentreFunction.LEISURE,
                            CentreFunction.VOLUNTEER_LIAISON,
                            CentreFunction.MEMBER_MANAGEMENT,
                            CentreFunction.ERRANDS,
                        ],
                        rooms=ESTATE_ROOMS,
                        approval=False,
                    )
            made.append((community, station, street_centres[street.pk]))
        return made

    # --- bookings ---

    def try_book(self, moment: datetime, **values: Any) -> Booking | None:
        """A booking made at ``moment``; a slot taken or a limit reached is what happens on a real day: skipped."""
        try:
            return self.step(moment, partial(services.booking_create, at=min(moment, self.now), **values))
        except (ValidationError, PermissionDenied):
            return None

    def booking_values(self, rng: random.Random, community: _Community, room: Room) -> dict[str, Any]:
        roll = rng.random()
        if roll < 0.55 and community.residents:
            resident = rng.choice(community.residents)
            group = rng.random() < 0.5
            return {
                "actor": resident,
                "booker_kind": BookerKind.ORGANISATION if group else BookerKind.RESIDENT,
                "organisation_name": rng.choice(GROUPS) if group else "",
                "purpose": rng.choice(RESIDENT_PURPOSES),
                "attendees": max(1, min(room.capacity, rng.randint(6, 30))),
                "contact_name": resident.full_name,
                "contact_phone": resident.phone or mobile_number(rng),
            }
        staff = community.staff
        if roll < 0.8 or not community.units:
            return {
                "actor": staff,
                "booker_kind": BookerKind.STAFF,
                "purpose": rng.choice(STAFF_PURPOSES),
                "attendees": max(1, min(room.capacity, rng.randint(8, 40))),
                "contact_name": staff.full_name or staff.get_username(),
                "contact_phone": mobile_number(rng),
            }
        unit = rng.choice(community.units)
        return {
            "actor": staff,
            "booker_kind": BookerKind.UNIT,
            "unit": unit,
            "purpose": rng.choice(UNIT_PURPOSES),
            "attendees": max(1, min(room.capacity, rng.randint(10, 40))),
            "contact_name": unit.contact_name or unit.name[:20],
            "contact_phone": unit.contact_phone or mobile_number(rng),
        }

    def created_at(self, rng: random.Random, starts_at: datetime) -> datetime:
        made = starts_at - timedelta(days=rng.randint(1, 6), hours=rng.randint(0, 5))
        return min(made, self.now - timedelta(hours=rng.randint(1, 30)))

    def station_bookings(self, community: _Community, station: Centre) -> None:
        rng = self.rng("station", community.place.code)
        rooms = list(station.rooms.filter(bookable=True).order_by("name"))
        for offset in range(-PAST_DAYS, FUTURE_DAYS + 1):
            day = self.today + timedelta(days=offset)
            for room in rooms:
                for hour, length in SLOTS:
                    if rng.random() > 0.22:
                        continue
                    starts_at = self.at(day, hour)
                    made = self.created_at(rng, starts_at)
                    if starts_at <= made:
                        continue
                    values = self.booking_values(rng, community, room)
                    booking = self.try_book(
                        made, room=room, starts_at=starts_at, ends_at=starts_at + timedelta(hours=length), **values
                    )
                    if booking is not None and rng.random() < 0.08:
                        cancelled = min(made + timedelta(hours=rng.randint(2, 20)), starts_at - timedelta(hours=1))
                        if cancelled <= self.now:
                            self.step(
                                cancelled,
                                partial(
                                    services.booking_cancel,
                                    actor=values["actor"],
                                    booking=booking,
                                    expected_version=booking.version,
                                    reason="活动改期。",
                                    at=cancelled,
                                ),
                            )

    def street_bookings(self, community: _Community, centre: Centre) -> None:
        """Bookings of the street's centre by the community: decided by the street (approved, a few refused) once
        a day or two has passed; those made lately still wait."""
        rng = self.rng("street", community.place.code)
        rooms = list(centre.rooms.filter(bookable=True).order_by("name"))
        for offset in range(-PAST_DAYS, FUTURE_DAYS + 1, 3):
            day = self.today + timedelta(days=offset)
            if day.weekday() >= 5:
                continue
            room = rng.choice(rooms)
            hour, length = rng.choice(SLOTS[:4])
            starts_at = self.at(day, hour)
            made = self.created_at(rng, starts_at)
            if starts_at <= made:
                continue
            values = self.booking_values(rng, community, room)
            booking = self.try_book(
                made, room=room, starts_at=starts_at, ends_at=starts_at + timedelta(hours=length), **values
            )
            if booking is None or booking.state != BookingState.PENDING:
                continue
            decided = made + timedelta(hours=rng.randint(3, 40))
            if decided >= min(self.now, starts_at):
                continue  # still waiting for the street
            if rng.random() < 0.2:
                action: Callable[..., Any] = partial(services.booking_refuse, reason=rng.choice(REFUSALS))
            else:
                action = partial(services.booking_approve, note="")
            self.step(
                decided,
                partial(
                    action, actor=community.street_staff, booking=booking, expected_version=booking.version, at=decided
                ),
            )

    # --- the whole ---

    def build(self) -> Summary:
        started = perf_counter()
        summary = Summary()
        if not self.choose():
            return summary
        for community, station, street_centre in self.centres():
            self.station_bookings(community, station)
            self.street_bookings(community, street_centre)
        summary.communities = [community.place.name for community in self.communities]
        summary.seconds = perf_counter() - started
        summary.counts = demo_centres_counts()
        return summary


class Command(DemoFillCommand):
    help = (
        "Fill the demo city with its positions: a service centre per street and a station per community (and a 小区 "
        "station), their rooms, and five weeks of room bookings around today (some cancelled or refused, a few "
        "waiting for approval), all made through the services."
    )
    default_seed = DEFAULT_SEED
    max_communities = MAX_COMMUNITIES
    seed_help = "the same seed gives the same bookings"
    if_empty_help = "do nothing when centres exist already"
    debug_help = "build even though DEBUG is off: the demo bookings carry made-up names and phone numbers"
    debug_refusal = gettext_lazy(
        "DEBUG is off, so this may be a production database. The demo bookings carry made-up names and phone "
        "numbers; add --allow-without-debug if you really want them here."
    )
    there_already = gettext_lazy("Centres are there already: nothing is added.")
    cannot_again = gettext_lazy(
        "Centres exist already; bookings' events cannot be deleted. Rebuild the demo database (make demo) to fill it "
        "again."
    )
    filling = gettext_lazy("Filling the demo city with service centres and room bookings (seed %(seed)d)…")

    def exists(self) -> bool:
        return demo_centres_exists()

    def build(self, *, seed: int, communities: int, log: Callable[[str], Any]) -> Summary:
        return _Demo(seed=seed, limit=communities, log=log).build()

    def after(self, summary: Any) -> None:
        self.stdout.write(self.style.SUCCESS(_("Service centres: %(url)s") % {"url": reverse("centres:centre-list")}))
        self.stdout.write(_("Public page: %(url)s") % {"url": reverse("centres_public:list")})
