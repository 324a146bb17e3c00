"""热点发现 — hot spots: recent matters about the same problem at the same place, grouped and ranked by heat.

The core (``hotspot_groups``) works on plain ``Report`` records, so one algorithm serves the platform's matters
(``hotspot_list``, the 研判 list of the analytics pages) and the competition's message file (``manage.py
triage_hotspots``, task 2 of the 2020 TipDM Cup, problem C).

Grouping is leader clustering with average link, over candidates blocked by place:

1. Reports are taken oldest first (ties by id), so the result depends only on the input, never on its order.
2. A report's candidates are the open groups at the same place: a group shares a *place key* with it (a grid on
   the platform; a place named in the text for the message file, see ``place_mentions``) held by at least half of
   the group's members, or, when both have coordinates, the group's centre lies within ``radius_m``. A group is
   open while its newest member is at most ``window`` older than the report. Requiring the key of half the members
   (not of any one) keeps a group from drifting from one place to the next along a chain of reports.
3. The report joins the candidate whose members it resembles most on average, if that average reaches
   ``threshold``; otherwise it starts a group of its own. Two reports resemble each other by the mean of the
   cosines of their character shingles (``similarity.shingles``), over title and text together and over the title
   alone: the title says the problem in few words, the text says it again with the details.
4. Groups of at least ``min_size`` reports are hot spots, ranked by ``heat_score``.

Only reports that share a place key or lie near each other are ever compared, so the work grows with the size of the
busiest place, not with the square of the whole set: the 4,310 competition messages take about two seconds.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Count, QuerySet
from django.utils import timezone

from gridwork.matters.models import Matter
from gridwork.matters.selectors import QueueFilters, QueueTab, matter_queue
from gridwork.matters.workflow import ClosureReason
from gridwork.places.models import Place
from gridwork.triage.similarity import distance_m, shingles

THRESHOLD = 0.3
WINDOW = timedelta(days=30)
RADIUS_M = 200.0
MIN_SIZE = 2
WORD_COUNT = 5
MAX_WORD = 6
# Characters that make a pair of characters say nothing of the problem ("的搅", "了一").
_FUNCTION_CHARACTERS = frozenset("的了是在我们你他她它有和就不都也很到要与及等对为这那被把让给请问吗呢啊您好一个")
# The platform's list reads the newest matters of the period up to this many: enough for a street's month, and
# a page that answers in a second or two at the city level, where the period or the area should be narrowed.
MAX_MATTERS = 5_000
DEFAULT_DAYS = 30


@dataclass(frozen=True)
class Report:
    """One resident's report, as the grouping sees it: a platform matter or a message of the competition file.

    ``places`` are place keys (reports sharing one are at the same place); ``reporter`` is blank when unknown, and
    each such report then counts as a reporter of its own; ``support`` is how many people backed it (the file's
    support and oppose counts; on the platform, the closed duplicates merged into the matter).
    """

    id: str
    title: str
    text: str
    time: datetime
    places: tuple[str, ...] = ()
    latitude: float | None = None
    longitude: float | None = None
    reporter: str = ""
    support: int = 0


@dataclass(frozen=True)
class HotSpot:
    """One hot spot: its rank (1 is the hottest), a stable key (its first report's id), the title of its most
    central report, where and when, its heat and what the heat is made of, its reports oldest first, and the
    words its reports share that are rare elsewhere."""

    rank: int
    key: str
    title: str
    place: str
    started_at: datetime
    ended_at: datetime
    heat: float
    matter_count: int
    reporter_count: int
    support: int
    member_ids: tuple[str, ...]
    words: tuple[str, ...]


def heat_score(*, matters: int, reporters: int, support: int, span: timedelta) -> float:
    """热度: ``10 × (ln(1+n) + ln(1+r) + ½·ln(1+s) + ½·ln(1+n/w))``, to one decimal.

    n is the number of matters in the group, r the number of distinct reporters (the spread: ten people saying it
    weigh more than one person saying it ten times), s the support, and n/w the concentration in time: matters per
    week over the group's span, w = max(1, span in days / 7). Logarithms, because the tenth report of a problem
    says less than the second; support weighs half, because a click costs less than a report.
    """
    weeks = max(1.0, span.total_seconds() / 86_400 / 7)
    value = (
        math.log1p(matters)
        + math.log1p(reporters)
        + 0.5 * math.log1p(max(0, support))
        + 0.5 * math.log1p(matters / weeks)
    )
    return round(10 * value, 1)


# --- place names in free text (the competition file has no place fields) --------------------------------

_PLACE_SUFFIXES = (
    "小区|花园|家园|公寓|大厦|广场|新城|新村|社区|街道|大道|步行街|山庄|路|街|巷|村|镇|乡|"
    "小学|中学|大学|学院|学校|幼儿园|医院|卫生院|公园|市场|商场|高铁站|火车站|汽车站|地铁站|苑|府|园|城|湾|庭|集团"
)
# The anonymised administrative units of the file ("A市", "A5区", "K9县") and its province.
_ADMIN = r"[A-Z]\d{0,2}[市区县]|西地省"
# Characters and words a place name does not contain: they end the name before them.
_BREAK_CHARS = (
    "的在了和与及是对把被给从向为将让由或并且就都也还很又再请您我你他她它们这那些个"
    "后前内外旁边该本此各距近临离进入到往至"
)
_BREAK_WORDS = (
    "关于|反映|投诉|咨询|建议|请问|请求|希望|要求|举报|强烈|问题|本人|位于|地处|靠近|紧邻|隔壁|楼下|楼上|一直|严重|"
    "长期|多次|目前|现在|今天|昨天|市民|居民|业主|住户|相关|部门|领导|政府|如何|为什么|什么|怎么|何时|能否|是否|可以|"
    "没有|不能|存在|出现|进行|解决|处理|整治|情况|现象|扰民|噪音|施工|污染|购买|销售|捆绑|导致|影响|造成|配套|安置|住宅|"
    "公交|线路|所在|整个|多个|一个|城市|农村|城区|老旧|周围|沿线|附近|违建|开发|建设|规划|修建|新建|拆迁|改造|提质|管理|"
    "物业|排入|飘到|高速|公路|铁路|道路|马路|城乡|乡镇|乡村|文明|全国|全市|全省"
)
# A mention that is only these words names no particular place ("小区幼儿园").
_GENERIC = re.compile(
    "小区|幼儿园|学校|医院|公园|市场|商场|社区|街道|大学|中学|小学|学院|花园|家园|广场|幼儿|配套|村|镇|乡|园|城|路|街|苑"
)
_BREAK = re.compile(rf"(?:{_ADMIN})|[^\u4e00-\u9fffA-Za-z0-9]+|[{_BREAK_CHARS}]|(?:{_BREAK_WORDS})")
_MENTION = re.compile(rf"[\u4e00-\u9fffA-Za-z0-9]{{2,6}}?(?:{_PLACE_SUFFIXES})")
_ADMIN_RE = re.compile(_ADMIN)


def place_mentions(text: str) -> tuple[str, ...]:
    """The places ``text`` names, in order of first mention: estates, roads, streets, villages, schools, hospitals.

    The text is cut at punctuation, administrative units and words no place name holds ("投诉", "附近", "的"); in
    each piece, the shortest run of two to six characters ending in a place word (小区, 路, 街道, 村, 学校, 医院,
    苑, 城…) is a mention, so "A5区魅力之城小区" gives "魅力之城" and "伊景园滨河苑" gives "伊景园" and "滨河苑".
    Mentions that are only generic words ("小区幼儿园") are dropped. A text that names no such place falls back on
    the administrative units it names ("A4区", "A市"), the coarsest place there is.
    """
    found: dict[str, None] = {}
    for piece in _BREAK.split(text):
        if len(piece) < 3:
            continue
        for match in _MENTION.finditer(piece):
            mention = match.group(0)
            if len(_GENERIC.sub("", mention)) >= 2:
                found.setdefault(mention, None)
    if not found:
        for unit in _ADMIN_RE.findall(text):
            found.setdefault(unit, None)
    return tuple(found)


# --- the grouping ---------------------------------------------------------------------------------------


@dataclass
class _Vector:
    """Shingle counts with their length computed once: ``similarity.cosine`` without recomputing the norms, which
    is most of its cost when one report is compared with many."""

    counts: Counter[str]
    norm: float

    @classmethod
    def of(cls, text: str) -> _Vector:
        counts = shingles(text)
        return cls(counts, math.sqrt(sum(count * count for count in counts.values())))

    def cosine(self, other: _Vector) -> float:
        if not self.norm or not other.norm:
            return 0.0
        small, large = (
            (self.counts, other.counts) if len(self.counts) <= len(other.counts) else (other.counts, self.counts)
        )
        return sum(count * large[gram] for gram, count in small.items() if gram in large) / (self.norm * other.norm)


@dataclass
class _Prepared:
    report: Report
    full: _Vector
    title: _Vector


@dataclass
class _Group:
    members: list[_Prepared] = field(default_factory=list)
    place_counts: Counter[str] = field(default_factory=Counter)
    coordinates: list[tuple[float, float]] = field(default_factory=list)
    last: datetime | None = None

    def add(self, item: _Prepared) -> None:
        self.members.append(item)
        self.place_counts.update(set(item.report.places))
        if item.report.latitude is not None and item.report.longitude is not None:
            self.coordinates.append((item.report.latitude, item.report.longitude))
        self.last = item.report.time

    def core_places(self) -> set[str]:
        """The place keys at least half of the members hold."""
        size = len(self.members)
        return {key for key, count in self.place_counts.items() if 2 * count >= size}

    def centre(self) -> tuple[float, float] | None:
        if not self.coordinates:
            return None
        return (
            sum(lat for lat, _ in self.coordinates) / len(self.coordinates),
            sum(lng for _, lng in self.coordinates) / len(self.coordinates),
        )


def _resemblance(a: _Prepared, b: _Prepared) -> float:
    whole = a.full.cosine(b.full)
    if not a.title.norm or not b.title.norm:
        return whole
    return (whole + a.title.cosine(b.title)) / 2


def _cell(latitude: float, longitude: float, radius_m: float) -> tuple[int, int]:
    """A square of about ``radius_m`` (twice as wide in longitude, enough up to 60° of latitude), so that anything
    within the radius lies in the same or a neighbouring cell."""
    size = radius_m / 111_320
    return math.floor(latitude / size), math.floor(longitude / (2 * size))


def _neighbour_cells(latitude: float, longitude: float, radius_m: float) -> list[tuple[int, int]]:
    row, column = _cell(latitude, longitude, radius_m)
    return [(row + i, column + j) for i in (-1, 0, 1) for j in (-1, 0, 1)]


def hotspot_groups(
    reports: Iterable[Report],
    *,
    threshold: float = THRESHOLD,
    window: timedelta = WINDOW,
    radius_m: float = RADIUS_M,
    min_size: int = MIN_SIZE,
    limit: int | None = None,
    place_names: Mapping[str, str] | None = None,
) -> list[HotSpot]:
    """Group ``reports`` about the same problem at the same place and time, hottest first (see the module's
    docstring for the algorithm and ``heat_score`` for the heat). ``place_names`` shows a place key in words (the
    key itself when absent). Deterministic: the same reports give the same hot spots in the same order."""
    prepared = [
        _Prepared(report, _Vector.of(f"{report.title}。{report.text}"), _Vector.of(report.title))
        for report in sorted(reports, key=lambda report: (report.time, report.id))
    ]
    groups: list[_Group] = []
    by_place: dict[str, list[int]] = defaultdict(list)
    by_cell: dict[tuple[int, int], list[int]] = defaultdict(list)
    for item in prepared:
        report = item.report
        point = (
            (report.latitude, report.longitude)
            if report.latitude is not None and report.longitude is not None
            else None
        )
        candidates: set[int] = set()
        for key in report.places:
            candidates.update(by_place.get(key, ()))
        if point is not None:
            for cell in _neighbour_cells(*point, radius_m):
                candidates.update(by_cell.get(cell, ()))
        best, best_score = None, threshold
        for index in sorted(candidates):
            group = groups[index]
            if group.last is None or report.time - group.last > window or not _same_place(item, group, radius_m):
                continue
            score = sum(_resemblance(item, member) for member in group.members) / len(group.members)
            if score > best_score or (best is None and score >= threshold):
                best, best_score = index, score
        if best is None:
            groups.append(_Group())
            best = len(groups) - 1
        groups[best].add(item)
        for key in report.places:
            by_place[key].append(best)
        if point is not None:
            by_cell[_cell(*point, radius_m)].append(best)
    ranked = sorted(
        ((_hot_spot(group, place_names or {}), group) for group in groups if len(group.members) >= max(1, min_size)),
        key=lambda pair: (-pair[0].heat, -pair[0].matter_count, pair[0].started_at, pair[0].key),
    )
    if limit is not None:
        ranked = ranked[: max(0, limit)]
    document_counts = _bigram_document_counts(item.full.counts for item in prepared) if ranked else Counter()
    return [
        replace(
            spot,
            rank=rank,
            title=_central(group.members).report.title,
            words=_words(group.members, document_counts, len(prepared), exclude=_group_places(group)),
        )
        for rank, (spot, group) in enumerate(ranked, start=1)
    ]


def _same_place(item: _Prepared, group: _Group, radius_m: float) -> bool:
    report = item.report
    if set(report.places) & group.core_places():
        return True
    centre = group.centre()
    if centre is None or report.latitude is None or report.longitude is None:
        return False
    return distance_m(report.latitude, report.longitude, centre[0], centre[1]) <= radius_m


def _bigram_document_counts(counters: Iterable[Counter[str]]) -> Counter[str]:
    counts: Counter[str] = Counter()
    for counter in counters:
        counts.update(gram for gram in counter if len(gram) == 2)
    return counts


def _hot_spot(group: _Group, place_names: Mapping[str, str]) -> HotSpot:
    """The group's figures; its rank, title and words are filled in once it is among those returned."""
    reports = [member.report for member in group.members]
    reporters = {report.reporter or f"\0{report.id}" for report in reports}
    support = sum(max(0, report.support) for report in reports)
    span = reports[-1].time - reports[0].time
    return HotSpot(
        rank=0,
        key=reports[0].id,
        title="",
        place="、".join(place_names.get(key, key) for key in _group_places(group)),
        started_at=reports[0].time,
        ended_at=reports[-1].time,
        heat=heat_score(matters=len(reports), reporters=len(reporters), support=support, span=span),
        matter_count=len(reports),
        reporter_count=len(reporters),
        support=support,
        member_ids=tuple(report.id for report in reports),
        words=(),
    )


def _group_places(group: _Group, most: int = 3) -> list[str]:
    """The place keys at least half of the members hold, the most held first (then the longest, then by name)."""
    core = group.core_places() or set(group.place_counts)
    return sorted(core, key=lambda key: (-group.place_counts[key], -len(key), key))[:most]


def _central(members: list[_Prepared]) -> _Prepared:
    """The member that resembles the others most on average (the first one among equals)."""
    if len(members) <= 2:
        return members[0]
    best, best_score = members[0], -1.0
    for member in members:
        score = sum(_resemblance(member, other) for other in members if other is not member)
        if score > best_score:
            best, best_score = member, score
    return best


def _words(
    members: list[_Prepared], document_counts: Counter[str], total: int, *, exclude: Sequence[str]
) -> tuple[str, ...]:
    """What the group is about: the character pairs most members write and few other reports do (share of the
    members, in the title and in the text, × inverse document frequency), with the place's names, administrative
    units and function characters left out; overlapping pairs that most of their members write together are joined
    ("搅拌" + "拌站" → "搅拌站")."""
    titles = [_without_places(member.report.title, exclude) for member in members]
    texts = [_without_places(f"{member.report.title}。{member.report.text}", exclude) for member in members]
    grams: dict[str, tuple[int, int]] = {}
    in_titles = Counter(gram for title in titles for gram in _pairs(title))
    for gram, count in Counter(gram for text in texts for gram in _pairs(text)).items():
        if count >= 2:
            grams[gram] = (in_titles[gram], count)
    size = len(members)
    scores = {
        gram: (titled + written) / (2 * size) * math.log((total + 1) / (document_counts[gram] + 1))
        for gram, (titled, written) in grams.items()
    }
    pieces = sorted(scores, key=lambda gram: (-scores[gram], gram))[: WORD_COUNT * 3]

    def written_by(word: str) -> int:
        return sum(word in text for text in texts)

    joined = True
    while joined:
        joined = False
        for index, left in enumerate(pieces):
            for right in pieces:
                if right is left or left[-1] != right[0] or len(left) + len(right) > MAX_WORD + 1:
                    continue
                word = left + right[1:]
                if 2 * written_by(word) >= min(written_by(left), written_by(right)):
                    pieces[index] = word
                    pieces.remove(right)
                    joined = True
                    break
            if joined:
                break
    words = [word for word in pieces if not any(word != other and word in other for other in pieces)]
    return tuple(words[:WORD_COUNT])


def _without_places(text: str, places: Sequence[str]) -> str:
    for place in places:
        text = text.replace(place, "。")
    return _ADMIN_RE.sub("。", text)


def _pairs(text: str) -> set[str]:
    return {gram for gram in shingles(text) if len(gram) == 2 and not (_FUNCTION_CHARACTERS & set(gram))}


# --- the platform: matters in the user's scope ----------------------------------------------------------


def matter_reports(matters: QuerySet[Matter]) -> tuple[list[Report], dict[str, str]]:
    """The platform's matters as the grouping reads them, and the names of their place keys (community · grid).

    A matter's place key is its grid; its reporter is its resident account, or the phone of a report without one;
    its support is the number of matters closed as its duplicates (one query)."""
    rows = list(
        matters.values(
            "pk",
            "number",
            "title",
            "text",
            "created_at",
            "grid_id",
            "grid__name",
            "community__name",
            "latitude",
            "longitude",
            "reporter_id",
            "reporter_phone",
        )
    )
    support = dict(
        Matter.objects.filter(duplicate_of_id__in=[row["pk"] for row in rows])
        .values("duplicate_of_id")
        .annotate(count=Count("pk"))
        .values_list("duplicate_of_id", "count")
    )
    place_names: dict[str, str] = {}
    reports = []
    for row in rows:
        key = f"grid:{row['grid_id']}"
        place_names[key] = f"{row['community__name']} · {row['grid__name']}"
        reporter = f"user:{row['reporter_id']}" if row["reporter_id"] else ""
        if not reporter and row["reporter_phone"]:
            reporter = f"phone:{row['reporter_phone']}"
        reports.append(
            Report(
                id=row["number"],
                title=row["title"],
                text=row["text"],
                time=row["created_at"],
                places=(key,),
                latitude=row["latitude"],
                longitude=row["longitude"],
                reporter=reporter,
                support=support.get(row["pk"], 0),
            )
        )
    return reports, place_names


def hotspot_list(
    *,
    user: Any,
    since: date | None = None,
    until: date | None = None,
    area: Place | None = None,
    limit: int = 20,
) -> list[HotSpot]:
    """研判: the hottest ``limit`` groups of the matters filed from ``since`` to ``until`` (local days, both
    included; by default the last 30 days up to today) in the user's area, or in ``area`` within it.

    The matters are those of the work queue's "All in my area" tab (``matters.selectors.matter_queue``), so a user
    sees only their own units' matters; at most the newest ``MAX_MATTERS`` are read. Matters closed as duplicates
    are left out of the groups and counted as the support of the matter they duplicate (one query); invalid ones
    are left out. The same place is the same grid, or within ``RADIUS_M`` when both matters have coordinates.
    Each hot spot's ``member_ids`` and ``key`` are matter numbers; ``place`` names the community and the grid.
    """
    until = until or timezone.localdate()
    if since is None:
        since = until - timedelta(days=DEFAULT_DAYS) if until.toordinal() > DEFAULT_DAYS else date.min
    matters = (
        matter_queue(user=user, tab=QueueTab.ALL, filters=QueueFilters(place=area, since=since, until=until))
        .filter(duplicate_of__isnull=True)
        .exclude(closure_reason=ClosureReason.INVALID)
    )
    reports, place_names = matter_reports(matters[:MAX_MATTERS])
    return hotspot_groups(reports, limit=limit, place_names=place_names)
