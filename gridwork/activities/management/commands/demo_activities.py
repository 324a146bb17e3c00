"""Fill the demo city with activities and organisation life (issue #11), made through the services.

In the first inhabited communities (by code, those with community staff; at most ``--communities``), every grid's
party branch has held its 三会一课 and theme party days over the last twelve months, with minutes and a few check-ins —
except for a deliberate gap or two (a committee meeting skipped, a party lecture missed last quarter), which the
organisation-life page flags and the warning job tells the community's staff of. Each community has upcoming events:
a theme party day next week for the party members, a volunteer event and a cultural evening open to the community,
booked in a room of the community's centre when ``demo_centres`` has made one (else held in the square), with
sign-ups by the community's registered party members.

Everything is dated relative to today; the same seed gives the same gaps.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from time import perf_counter
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridwork.accounts.models import User
from gridwork.accounts.roles import Role
from gridwork.activities.models import Activity, ActivityKind, Audience, CheckIn, SignUp
from gridwork.activities.services.activities import activity_create, activity_record_minutes
from gridwork.activities.services.participation import checkin_by_hand, signup_create
from gridwork.demo.build import demo_staff
from gridwork.demo.fill import DemoFillCommand
from gridwork.demo.plan import CITY_CODE, DEFAULT_SEED
from gridwork.places.models import Place, PlaceLevel

MAX_COMMUNITIES = 3
MONTHS_BACK = 12
BRANCHES_PER_COMMUNITY = 3

MINUTES: dict[str, str] = {
    ActivityKind.BRANCH_COMMITTEE_MEETING: (
        "支委会研究本月党员发展、党费收缴和网格走访安排，明确分工：书记牵头走访困难党员，组织委员整理党员档案。"
    ),
    ActivityKind.PARTY_GROUP_MEETING: (
        "党小组学习上级文件精神，交流本楼栋党员联系群众情况，收集居民诉求三条，转网格员跟进。"
    ),
    ActivityKind.THEME_PARTY_DAY: "主题党日：重温入党誓词，集中学习后到小区开展卫生清扫和政策宣传志愿服务。",
    ActivityKind.BRANCH_GENERAL_MEETING: (
        "支部党员大会通报上季度工作，讨论通过本季度工作计划，对两名入党积极分子进行培养考察。"
    ),
    ActivityKind.PARTY_LECTURE: "支部书记讲党课：以“党建引领基层治理”为题，结合本网格工作讲解为民服务的具体做法。",
}
TITLES: dict[str, str] = {
    ActivityKind.BRANCH_COMMITTEE_MEETING: "支委会",
    ActivityKind.PARTY_GROUP_MEETING: "党小组会",
    ActivityKind.THEME_PARTY_DAY: "主题党日",
    ActivityKind.BRANCH_GENERAL_MEETING: "支部党员大会",
    ActivityKind.PARTY_LECTURE: "党课",
}
UPCOMING = (
    (ActivityKind.THEME_PARTY_DAY, "主题党日：学习新修订的党章", Audience.PARTY_MEMBERS, 7, 9, 30),
    (ActivityKind.VOLUNTEER, "便民服务日：义诊、理发、家电维修", Audience.COMMUNITY, 10, 9, 40),
    (ActivityKind.CULTURAL, "邻里文化节文艺晚会", Audience.OPEN, 14, 19, 80),
)


@dataclass
class Summary:
    communities: list[str] = field(default_factory=list)
    seconds: float = 0.0
    counts: dict[str, int] = field(default_factory=dict)


def demo_activities_exists() -> bool:
    return Activity.objects.exists()


def demo_activities_counts() -> dict[str, int]:
    counts = {
        "activities": Activity.objects.count(),
        "sign-ups": SignUp.objects.count(),
        "check-ins": CheckIn.objects.count(),
    }
    for state, count in Activity.objects.values_list("state").annotate(n=Count("id")).order_by("state"):
        counts[f"  activities {state}"] = count
    return counts


class _Demo:
    def __init__(self, *, seed: int, limit: int, log: Callable[[str], Any]) -> None:
        self.seed, self.limit, self.log = seed, limit, log
        self.zone = timezone.get_default_timezone()
        self.now = timezone.now()
        self.today = timezone.localdate()

    def rng(self, *key: object) -> random.Random:
        return random.Random(":".join(str(part) for part in (self.seed, "activities", *key)))

    def at(self, day: date, hour: float) -> datetime:
        return datetime.combine(day, time.min, tzinfo=self.zone) + timedelta(minutes=round(hour * 60))

    def communities(self) -> list[tuple[Place, User]]:
        city = Place.objects.get(code=CITY_CODE)
        inhabited = set(
            Place.objects.filter(level=PlaceLevel.GRID, path__startswith=city.path, households__gt=0).values_list(
                "parent_id", flat=True
            )
        )
        chosen = []
        for place in Place.objects.filter(level=PlaceLevel.COMMUNITY, pk__in=inhabited).order_by("code"):
            staff = demo_staff(Role.COMMUNITY_STAFF, place)
            if staff is not None:
                chosen.append((place, staff))
            if len(chosen) >= self.limit:
                break
        return chosen

    # --- organisation life ---

    def meeting(
        self, community: Place, staff: User, branch: Any, kind: str, starts_at: datetime, *, organiser: Any
    ) -> None:
        activity = activity_create(
            actor=staff,
            place=community,
            title=f"{branch.name}{TITLES[kind]}",
            kind=kind,
            organiser=organiser,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(hours=1, minutes=30),
            audience=Audience.PARTY_MEMBERS,
            location=f"{branch.place.name}党员活动室",
            at=starts_at - timedelta(days=3),
        )
        for number, member in enumerate(branch.members.order_by("pk")[:6]):
            checkin_by_hand(
                actor=staff,
                activity=activity,
                name=member.name,
                kind="party_member",
                at=starts_at + timedelta(minutes=number),
            )
        activity_record_minutes(
            actor=staff,
            activity=activity,
            minutes=MINUTES[kind],
            expected_version=activity.version,
            at=starts_at + timedelta(hours=2),
        )

    def life(self, community: Place, staff: User) -> None:
        from gridwork.party.models import PartyOrganisation, PartyOrgKind

        branches = list(
            PartyOrganisation.objects.filter(kind=PartyOrgKind.BRANCH, place__path__startswith=community.path)
            .select_related("place")
            .order_by("code")[:BRANCHES_PER_COMMUNITY]
        )
        first_month = (self.today.replace(day=1) - timedelta(days=1)).replace(day=1)
        months = []
        month = first_month
        for _index in range(MONTHS_BACK):
            months.append(month)
            month = (month - timedelta(days=1)).replace(day=1)
        for index, branch in enumerate(branches):
            rng = self.rng(community.code, branch.code)
            group = branch.children.filter(kind=PartyOrgKind.GROUP).order_by("code").first()
            # The deliberate gaps: the first branch skipped last month's committee meeting, the second missed its
            # party lecture the last complete quarter.
            skipped_committee = first_month if index == 0 else None
            last_quarter_end = date(self.today.year, (self.today.month - 1) // 3 * 3 + 1, 1) - timedelta(days=1)
            for month in months:

                def day(base: int, month: date = month, rng: random.Random = rng) -> date:
                    return month + timedelta(days=base + rng.randrange(0, 4))

                if month != skipped_committee:
                    self.meeting(
                        community,
                        staff,
                        branch,
                        ActivityKind.BRANCH_COMMITTEE_MEETING,
                        self.at(day(3), 19),
                        organiser=branch,
                    )
                self.meeting(
                    community,
                    staff,
                    branch,
                    ActivityKind.PARTY_GROUP_MEETING,
                    self.at(day(10), 19.5),
                    organiser=group or branch,
                )
                self.meeting(
                    community, staff, branch, ActivityKind.THEME_PARTY_DAY, self.at(day(15), 9), organiser=branch
                )
                if month.month % 3 == 2:  # the middle month of its quarter
                    self.meeting(
                        community,
                        staff,
                        branch,
                        ActivityKind.BRANCH_GENERAL_MEETING,
                        self.at(day(20), 14.5),
                        organiser=branch,
                    )
                    in_last_quarter = last_quarter_end - timedelta(days=92) < month <= last_quarter_end
                    if not (index == 1 and in_last_quarter):
                        self.meeting(
                            community, staff, branch, ActivityKind.PARTY_LECTURE, self.at(day(22), 15), organiser=branch
                        )

    # --- upcoming events ---

    def upcoming(self, community: Place, staff: User) -> None:
        from gridwork.centres.models import Room
        from gridwork.party.models import PartyOrganisation, PartyOrgKind, RegistrationState

        committee = PartyOrganisation.objects.filter(kind=PartyOrgKind.COMMUNITY_COMMITTEE, place=community).first()
        rooms = list(
            Room.objects.filter(centre__place=community, centre__is_active=True, bookable=True).order_by(
                "-capacity", "pk"
            )
        )
        members = list(
            User.objects.filter(
                party_registrations__community=community, party_registrations__state=RegistrationState.CONFIRMED
            ).order_by("pk")[:12]
        )
        for kind, title, audience, days, hour, limit in UPCOMING:
            starts_at = self.at(self.today + timedelta(days=days), hour)
            values: dict[str, Any] = {
                "actor": staff,
                "place": community,
                "title": title,
                "kind": kind,
                "organiser": committee if kind == ActivityKind.THEME_PARTY_DAY else None,
                "starts_at": starts_at,
                "ends_at": starts_at + timedelta(hours=2),
                "audience": audience,
                "signup_limit": limit,
                "description": title,
            }
            room = next((room for room in rooms if room.capacity >= limit), None)
            activity = None
            if room is not None:
                try:
                    activity = activity_create(
                        **values,
                        room=room,
                        attendees=limit,
                        contact_name=staff.full_name or staff.username,
                        contact_phone=staff.phone or "13800000000",
                    )
                except ValidationError:
                    activity = None  # the room is taken then (demo_centres' bookings): hold it in the square
            if activity is None:
                activity = activity_create(**values, location=f"{community.name}中心广场")
            for member in members[: limit // 4]:
                try:
                    signup_create(user=member, activity=activity)
                except ValidationError:
                    continue

    def build(self) -> Summary:
        started = perf_counter()
        summary = Summary()
        chosen = self.communities()
        if not chosen:
            self.log("No community of the demo city has community staff: nothing to do.")
            return summary
        for community, staff in chosen:
            self.life(community, staff)
            self.upcoming(community, staff)
        summary.communities = [community.name for community, _staff in chosen]
        summary.seconds = perf_counter() - started
        summary.counts = demo_activities_counts()
        return summary


class Command(DemoFillCommand):
    help = (
        "Fill the demo city with activities: twelve months of the branches' 三会一课 and theme party days with minutes "
        "(and a deliberate gap or two), and upcoming events with rooms booked and sign-ups, made through the services."
    )
    default_seed = DEFAULT_SEED
    max_communities = MAX_COMMUNITIES
    seed_help = "the same seed gives the same meetings and gaps"
    if_empty_help = "do nothing when activities exist already"
    debug_help = "build even though DEBUG is off: the demo meetings are made up"
    debug_refusal = gettext_lazy(
        "DEBUG is off, so this may be a production database. The demo activities are made up; add "
        "--allow-without-debug if you really want them here."
    )
    there_already = gettext_lazy("Activities are there already: nothing is added.")
    cannot_again = gettext_lazy(
        "Activities exist already; their events cannot be deleted. Rebuild the demo database (make demo) to fill it "
        "again."
    )
    filling = gettext_lazy("Filling the demo city with activities and organisation life (seed %(seed)d)…")

    def exists(self) -> bool:
        return demo_activities_exists()

    def build(self, *, seed: int, communities: int, log: Callable[[str], Any]) -> Summary:
        return _Demo(seed=seed, limit=communities, log=log).build()

    def after(self, summary: Any) -> None:
        self.stdout.write(self.style.SUCCESS(_("Activities: %(url)s") % {"url": reverse("activities:activity-list")}))
        self.stdout.write(_("Organisation life: %(url)s") % {"url": reverse("activities:life")})
