"""Fill the demo city with the monthly service day (便民服务日, seed 002), made through the services.

The first inhabited communities (by code, those with community staff; at most ``--communities``) get the cycles of
the month before last, last month and this month, each taken as far as the calendar has got today: the month before
last is closed (its summary was due on the 15th of last month), the other two stand where their stages stand — this
month's collects its opinions until the 15th and sorts them after it, last month's serves, evaluates and sums up until
the 15th. Each step happens on its day: opinions from the public form, from the staff and from the community's
matters, items with registered members and resident units as helpers, the results of the service day (one not done,
with the reason), residents' ratings, the feedback and the summary. One community finishes its sorting two days late,
so the late flag shows. The same seed gives the same opinions and ratings.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from time import perf_counter
from typing import Any

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridwork.accounts.models import User, UserKind
from gridwork.accounts.roles import Role
from gridwork.accounts.services import phone_is_valid, resident_username
from gridwork.audit.services import audit_record
from gridwork.common.masking import mask_phone
from gridwork.demo import names
from gridwork.demo.build import demo_staff
from gridwork.demo.fill import DemoFillCommand
from gridwork.demo.identifiers import mobile_number
from gridwork.demo.plan import CITY_CODE, DEFAULT_SEED
from gridwork.people.models import Resident
from gridwork.places.models import Place, PlaceLevel
from gridwork.serviceday import selectors
from gridwork.serviceday.calendar import cycle_dates, previous_month
from gridwork.serviceday.models import CycleState, Item, ItemRating, ItemState, Opinion, ServiceCycle, Topic
from gridwork.serviceday.services.cycles import cycle_complete_stage, cycle_open
from gridwork.serviceday.services.items import ItemInput, item_create, item_record_result
from gridwork.serviceday.services.opinions import (
    opinion_record,
    opinion_submit,
    opinions_from_matters,
    pullable_matters,
)
from gridwork.serviceday.services.ratings import item_rate, rating_refusal

MAX_COMMUNITIES = 4
RATERS = 6

# (topic, what residents ask for, the item that answers it, what the item offers)
WISHES = (
    (
        Topic.HEALTH,
        "希望社区医院来义诊，量量血压血糖。",
        "义诊和健康咨询",
        "社区卫生服务站医生义诊，免费测血压、血糖。",
    ),
    (Topic.CONVENIENCE, "老人理发不方便，希望有人上门理发。", "爱心理发", "志愿者为老人理发，行动不便的上门服务。"),
    (Topic.CONVENIENCE, "家里的电饭锅和电风扇坏了，想找人修。", "家电维修", "驻区单位技术员现场维修小家电。"),
    (Topic.LEGAL, "想咨询房屋继承和赡养方面的法律问题。", "法律咨询", "社区法律顾问现场解答法律问题。"),
    (Topic.CARE, "孩子放学后没人看，希望有课后托管。", "四点半课堂", "志愿者辅导孩子作业。"),
    (Topic.ENVIRONMENT, "楼道堆放杂物，希望组织清理。", "楼道清理", "党员志愿者和物业一起清理楼道杂物。"),
)
STAFF_NOTES = ("入户走访时居民提出", "居民议事会上提出", "电话反映")
RESULT_NOTES = ("服务居民三十余人次，反响很好。", "现场服务二十余人次。", "按计划完成。")
NOT_DONE_NOTE = "技术员临时有任务未能到场，改到下月服务日。"
FEEDBACK = "本月服务日共开展{items}项服务，完成{done}项；未完成的项目已安排到下月。感谢居民的意见和志愿者的付出。"
SUMMARY = "本月服务日按时完成意见征集、梳理和集中服务，居民评价总体满意。下月继续做好上门服务，提前公布服务项目。"


@dataclass
class _Community:
    place: Place
    staff: User
    late: bool


@dataclass
class Summary:
    communities: list[str] = field(default_factory=list)
    seconds: float = 0.0
    counts: dict[str, int] = field(default_factory=dict)


def demo_serviceday_exists() -> bool:
    return ServiceCycle.objects.exists()


def demo_serviceday_counts() -> dict[str, int]:
    counts = {
        "service day cycles": ServiceCycle.objects.count(),
        "opinions": Opinion.objects.count(),
        "items": Item.objects.count(),
        "ratings": ItemRating.objects.count(),
    }
    for state, count in ServiceCycle.objects.values_list("state").annotate(n=Count("id")).order_by("state"):
        counts[f"  cycles {state}"] = count
    return counts


class _Demo:
    def __init__(self, *, seed: int, limit: int, log: Callable[[str], Any]) -> None:
        self.seed, self.limit, self.log = seed, limit, log
        self.zone = timezone.get_current_timezone()
        self.now = timezone.now()
        self.today = timezone.localdate()
        self.communities: list[_Community] = []

    def rng(self, *key: object) -> random.Random:
        return random.Random(":".join(str(part) for part in (self.seed, "serviceday", *key)))

    def at(self, day: date, hour: float = 10) -> datetime:
        moment = datetime.combine(day, time.min, tzinfo=self.zone) + timedelta(minutes=round(hour * 60))
        return min(moment, self.now - timedelta(minutes=30))

    def past(self, day: date) -> bool:
        return day < self.today

    # --- who ---

    def choose(self) -> bool:
        city = Place.objects.filter(code=CITY_CODE).first()
        if city is None:
            return False
        inhabited = set(
            Place.objects.filter(level=PlaceLevel.GRID, path__startswith=city.path, households__gt=0).values_list(
                "parent_id", flat=True
            )
        )
        for place in Place.objects.filter(level=PlaceLevel.COMMUNITY, pk__in=inhabited).order_by("code"):
            if len(self.communities) >= self.limit:
                break
            staff = demo_staff(Role.COMMUNITY_STAFF, place)
            if staff is not None:
                self.communities.append(_Community(place, staff, late=len(self.communities) == 1))
        if not self.communities:
            self.log("No community of the demo city has staff: nothing to do.")
            return False
        return True

    def raters(self, community: Place, moment: datetime) -> list[User]:
        """Residents of the community with an account, opened now as a first phone sign-in opens it if need be."""
        residents = list(
            Resident.objects.filter(household__path__startswith=community.path)
            .exclude(phone="")
            .select_related("user")
            .order_by("id")[: RATERS * 3]
        )
        users: list[User] = []
        for resident in residents:
            if len(users) >= RATERS:
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

    # --- one cycle, stage by stage, as far as the calendar has got ---

    def collect(self, community: _Community, cycle: ServiceCycle, rng: random.Random) -> None:
        dates = cycle_dates(cycle)
        start = dates.opens
        for number, (topic, text, *_rest) in enumerate(rng.sample(WISHES, k=5)):
            day = start + timedelta(days=1 + number * 2)
            if not self.past(day):
                break
            if number % 3 == 2:
                opinion_record(
                    actor=community.staff,
                    cycle=cycle,
                    topic=topic,
                    text=f"{text}（{rng.choice(STAFF_NOTES)}）",
                    name=names.person_name(rng, male=rng.random() < 0.5),
                    at=self.at(day, 15),
                )
            else:
                opinion_submit(
                    user=None,
                    community=community.place,
                    topic=topic,
                    text=text,
                    name=names.person_name(rng, male=rng.random() < 0.5),
                    phone=mobile_number(rng),
                    at=self.at(day, 9 + number),
                )
        pull_day = start + timedelta(days=12)
        if self.past(pull_day):
            moment = self.at(pull_day, 11)
            matters = list(
                pullable_matters(actor=community.staff, cycle=cycle)
                .filter(created_at__lte=moment)
                .order_by("-created_at", "-id")[:2]
            )
            if matters:
                opinions_from_matters(
                    actor=community.staff, cycle=cycle, matters=matters, topic=Topic.FACILITIES, at=moment
                )
        self.complete(community, cycle, dates.window(CycleState.COLLECT).due, "意见征集完毕。")

    def sort(self, community: _Community, cycle: ServiceCycle, rng: random.Random) -> None:
        dates = cycle_dates(cycle)
        day = dates.window(CycleState.SORT).opens + timedelta(days=2)
        if not self.past(day):
            return
        moment = self.at(day, 10)
        members = list(selectors.volunteer_choices(cycle)[:6])
        units = list(selectors.unit_choices(cycle)[:3])
        activities = list(selectors.activity_choices(user=community.staff, cycle=cycle)[:1])
        by_topic: dict[str, list[Opinion]] = {}
        for opinion in cycle.opinions.order_by("id"):
            by_topic.setdefault(opinion.topic, []).append(opinion)
        offered = [wish for wish in WISHES if wish[0] in by_topic] or list(WISHES[:2])
        for index, (topic, _text, title, description) in enumerate(offered[:4]):
            item_create(
                actor=community.staff,
                cycle=cycle,
                data=ItemInput(
                    title=title,
                    topic=topic,
                    description=description,
                    opinions=by_topic.pop(topic, []),
                    members=rng.sample(members, k=min(2, len(members))),
                    units=units[index : index + 1],
                    activity=activities[0] if activities and index == 0 else None,
                ),
                at=moment,
            )
        due = dates.window(CycleState.SORT).due
        self.complete(community, cycle, due + timedelta(days=2) if community.late else due, "服务项目已公布。")

    def serve(self, community: _Community, cycle: ServiceCycle, rng: random.Random) -> None:
        service_day = cycle_dates(cycle).service_day
        if not self.past(service_day):
            return
        items = list(Item.objects.filter(cycle=cycle, state=ItemState.PLANNED).order_by("id"))
        for index, item in enumerate(items):
            done = index != len(items) - 1 or len(items) == 1
            item_record_result(
                actor=community.staff,
                item=item,
                expected_version=item.version,
                done=done,
                note=rng.choice(RESULT_NOTES) if done else NOT_DONE_NOTE,
                at=self.at(service_day, 16 + index / 4),
            )
        self.complete(community, cycle, service_day, "服务日顺利开展。")

    def evaluate(self, community: _Community, cycle: ServiceCycle, rng: random.Random) -> None:
        window = cycle_dates(cycle).window(CycleState.EVALUATE)
        if not self.past(window.opens):
            return
        raters = self.raters(community.place, self.at(window.opens, 8))
        for number, user in enumerate(raters):
            day = window.opens + timedelta(days=number % 4)
            if not self.past(day):
                continue
            for item in Item.objects.filter(cycle=cycle).exclude(state__in=[ItemState.PLANNED, ItemState.DROPPED]):
                if rng.random() < 0.7 and not rating_refusal(user=user, item=item):
                    stars = 5 if rng.random() < 0.6 else 4 if item.state == ItemState.DONE else rng.choice([2, 3])
                    item_rate(actor=user, item=item, stars=stars, at=self.at(day, 19 + number / 10))
        items = cycle.items.exclude(state=ItemState.DROPPED)
        feedback = FEEDBACK.format(items=items.count(), done=items.filter(state=ItemState.DONE).count())
        self.complete(community, cycle, window.due, feedback)

    def sum_up(self, community: _Community, cycle: ServiceCycle) -> None:
        self.complete(community, cycle, cycle_dates(cycle).window(CycleState.SUMMARY).due, SUMMARY)

    def complete(self, community: _Community, cycle: ServiceCycle, day: date, text: str) -> None:
        """Complete the cycle's current stage on ``day`` if that day is past."""
        if not self.past(day):
            return
        cycle.refresh_from_db()
        cycle_complete_stage(
            actor=community.staff, cycle=cycle, expected_version=cycle.version, text=text, at=self.at(day, 17)
        )
        cycle.refresh_from_db()

    def cycle(self, community: _Community, year: int, month: int) -> None:
        opened = datetime.combine(date(year, month, 1), time(0, 10), tzinfo=self.zone)
        cycle, _created = cycle_open(community=community.place, year=year, month=month, at=min(opened, self.now))
        rng = self.rng(community.place.code, year, month)
        steps: list[tuple[str, Callable[[], None]]] = [
            (CycleState.COLLECT, lambda: self.collect(community, cycle, rng)),
            (CycleState.SORT, lambda: self.sort(community, cycle, rng)),
            (CycleState.SERVE, lambda: self.serve(community, cycle, rng)),
            (CycleState.EVALUATE, lambda: self.evaluate(community, cycle, rng)),
            (CycleState.SUMMARY, lambda: self.sum_up(community, cycle)),
        ]
        for stage, step in steps:
            cycle.refresh_from_db()
            if cycle.state != stage:
                return
            step()

    def build(self) -> Summary:
        started = perf_counter()
        summary = Summary()
        if not self.choose():
            return summary
        this = (self.today.year, self.today.month)
        last = previous_month(*this)
        months = [previous_month(*last), last, this]
        for community in self.communities:
            for year, month in months:
                self.cycle(community, year, month)
        summary.communities = [community.place.name for community in self.communities]
        summary.seconds = perf_counter() - started
        summary.counts = demo_serviceday_counts()
        return summary


class Command(DemoFillCommand):
    help = (
        "Fill the demo city with the monthly service day: the month before last closed, last month's and this "
        "month's cycles as far as the calendar has got (opinions, items with volunteers and units, results, "
        "ratings, feedback, summary), all made through the services on their days."
    )
    default_seed = DEFAULT_SEED
    max_communities = MAX_COMMUNITIES
    seed_help = "the same seed gives the same opinions and ratings"
    if_empty_help = "do nothing when service day cycles exist already"
    debug_help = "build even though DEBUG is off: the demo opinions carry made-up names and phone numbers"
    debug_refusal = gettext_lazy(
        "DEBUG is off, so this may be a production database. The demo opinions carry made-up names and phone "
        "numbers; add --allow-without-debug if you really want them here."
    )
    there_already = gettext_lazy("Service day cycles are there already: nothing is added.")
    cannot_again = gettext_lazy(
        "Service day cycles exist already; their events cannot be deleted. Rebuild the demo database (make demo) to "
        "fill it again."
    )
    filling = gettext_lazy("Filling the demo city with the monthly service day (seed %(seed)d)…")

    def exists(self) -> bool:
        return demo_serviceday_exists()

    def build(self, *, seed: int, communities: int, log: Callable[[str], Any]) -> Summary:
        return _Demo(seed=seed, limit=communities, log=log).build()

    def after(self, summary: Any) -> None:
        self.stdout.write(self.style.SUCCESS(_("Service days: %(url)s") % {"url": reverse("serviceday:cycle-list")}))
        self.stdout.write(_("Public pages: %(url)s") % {"url": reverse("serviceday_public:home")})
