"""Fill the demo city with grid workers' visits (看问记化), made through the services: in the first inhabited
communities, each grid's worker visits about two households in three over the last seven weeks (some twice), records
what was seen and asked, the needs found and what was resolved on the spot; some needs are filed as matters at once,
the rest stay open for the 民情图. Each visit is recorded on the simulated clock (``gridwork.demo.clock``) at its
day, so the diary reads as it happened. The same seed gives the same visits.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from time import perf_counter
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridwork.accounts.roles import Role
from gridwork.demo.build import demo_staff
from gridwork.demo.clock import clock
from gridwork.demo.fill import DemoFillCommand
from gridwork.demo.plan import CITY_CODE, DEFAULT_SEED
from gridwork.gridvisits import services
from gridwork.gridvisits.models import GridVisit, VisitNeed
from gridwork.places.models import Place, PlaceLevel

MAX_COMMUNITIES = 2
MAX_HOUSEHOLDS_PER_GRID = 30
DAYS = 49
SEEN = (
    "老人独居，屋内整洁，精神状态良好。",
    "家中有卧床老人，子女白天上班。",
    "楼道堆放纸箱杂物，有消防隐患。",
    "新搬来的租户，登记了居住信息。",
    "家里刚添了孩子，询问了疫苗接种。",
    "门口电动车充电线从窗户拉出。",
)
ASKED = (
    "问了身体情况和吃饭问题。",
    "问了用水用电和燃气安全。",
    "问了对小区物业的意见。",
    "问了就业和社保情况。",
)
NEEDS = (
    "楼道灯坏了，晚上上下楼不安全",
    "想申请社区长者食堂助餐",
    "楼上漏水，墙面发霉",
    "希望社区组织义诊",
    "小区门口路面坑洼",
    "需要帮忙办理高龄津贴",
)
RESOLVED = ("当场帮忙联系了物业。", "现场讲解了政策。", "帮忙在手机上预约了挂号。", "")


@dataclass
class Summary:
    communities: list[str] = field(default_factory=list)
    seconds: float = 0.0
    counts: dict[str, int] = field(default_factory=dict)


def demo_gridvisits_exists() -> bool:
    return GridVisit.objects.exists()


class _Demo:
    def __init__(self, *, seed: int, limit: int, log: Callable[[str], Any]) -> None:
        self.random = random.Random(seed)
        self.limit = limit
        self.log = log
        self.visits = 0
        self.needs = 0
        self.matters = 0

    def build(self) -> Summary:
        started = perf_counter()
        summary = Summary()
        city = Place.objects.get(code=CITY_CODE)
        inhabited = set(
            Place.objects.filter(level=PlaceLevel.HOUSEHOLD, path__startswith=city.path)
            .values_list("parent__parent__parent_id", flat=True)
            .distinct()
        )
        for community in Place.objects.filter(level=PlaceLevel.COMMUNITY, pk__in=inhabited).order_by("code"):
            if len(summary.communities) >= self.limit:
                break
            grids = Place.objects.filter(parent=community, level=PlaceLevel.GRID).order_by("code")
            filled = False
            for grid in grids:
                worker = demo_staff(Role.GRID_WORKER, grid) or demo_staff(Role.COMMUNITY_STAFF, community)
                if worker is not None:
                    filled = self._grid(grid, worker) or filled
            if filled:
                summary.communities.append(community.name)
        summary.seconds = perf_counter() - started
        summary.counts = {
            str(_("visits")): self.visits,
            str(_("needs found")): self.needs,
            str(_("needs filed as matters")): self.matters,
        }
        return summary

    def _grid(self, grid: Place, worker: Any) -> bool:
        households = list(
            Place.objects.filter(level=PlaceLevel.HOUSEHOLD, path__startswith=grid.path).order_by("code")[
                :MAX_HOUSEHOLDS_PER_GRID
            ]
        )
        today = timezone.localdate()
        chosen = [household for household in households if self.random.random() < 0.67]
        days = sorted(
            (
                (today - timedelta(days=self.random.randrange(DAYS)), household)
                for household in chosen
                for _time in range(1 + (self.random.random() < 0.3))
            ),
            key=lambda pair: (pair[0], pair[1].code),
        )
        for day, household in days:
            moment = timezone.make_aware(datetime.combine(day, time(9 + self.random.randrange(8), 0)))
            needs = self.random.sample(NEEDS, k=self.random.choice((0, 0, 1, 1, 2)))
            with clock(min(moment, timezone.now())):
                try:
                    visit = services.visit_record(
                        actor=worker,
                        values=services.VisitInput(
                            household=household,
                            visited_on=day,
                            seen=self.random.choice(SEEN),
                            asked=self.random.choice(ASKED),
                            resolved=self.random.choice(RESOLVED),
                            needs=needs,
                        ),
                    )
                except (PermissionDenied, ValidationError) as refused:
                    self.log(f"  {household.code}: {refused}")
                    continue
                self.visits += 1
                for need in VisitNeed.objects.filter(visit=visit):
                    self.needs += 1
                    if self.random.random() < 0.4:
                        try:
                            services.need_file_matter(actor=worker, need=need)
                        except (PermissionDenied, ValidationError) as refused:
                            self.log(f"  {household.code}: {refused}")
                        else:
                            self.matters += 1
        return bool(days)


class Command(DemoFillCommand):
    help = (
        "Fill the demo city with grid workers' visits: the last seven weeks of visits to about two households in "
        "three of each grid of the first communities, with needs found (some filed as matters), all made through "
        "the services."
    )
    default_seed = DEFAULT_SEED
    max_communities = MAX_COMMUNITIES
    seed_help = "the same seed gives the same visits"
    if_empty_help = "do nothing when grid visits exist already"
    debug_help = "build even though DEBUG is off: the demo visits are made up"
    debug_refusal = gettext_lazy(
        "DEBUG is off, so this may be a production database. The demo visits are made up; add --allow-without-debug "
        "if you really want them here."
    )
    there_already = gettext_lazy("Grid visits are there already: nothing is added.")
    cannot_again = gettext_lazy(
        "Grid visits exist already; visits cannot be deleted. Rebuild the demo database (make demo) to fill it again."
    )
    filling = gettext_lazy("Filling the demo city with grid workers' visits (seed %(seed)d)…")

    def exists(self) -> bool:
        return demo_gridvisits_exists()

    def build(self, *, seed: int, communities: int, log: Callable[[str], Any]) -> Summary:
        return _Demo(seed=seed, limit=communities, log=log).build()

    def after(self, summary: Any) -> None:
        self.stdout.write(self.style.SUCCESS(_("Grid visits: %(url)s") % {"url": reverse("gridvisits:visit-list")}))
        self.stdout.write(_("Map of residents' conditions: %(url)s") % {"url": reverse("gridvisits:map")})
