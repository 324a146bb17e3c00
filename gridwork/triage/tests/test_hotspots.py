"""Hot spots: the grouping core on plain reports, the scoped 研判 list and its page, and the competition command."""

from __future__ import annotations

import csv
import io
import random
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gridwork.accounts.models import User
from gridwork.accounts.roles import Role
from gridwork.accounts.tests.factories import make_staff
from gridwork.matters.models import Channel, Matter
from gridwork.matters.services import matter_file
from gridwork.matters.tests.factories import file_in_building, make_loop_staff
from gridwork.matters.workflow import ClosureReason, MatterKind, MatterState
from gridwork.places.models import Place
from gridwork.places.tests.factories import CityTree, make_place
from gridwork.triage.hotspots import Report, heat_score, hotspot_groups, hotspot_list, place_mentions

START = datetime(2026, 3, 2, 9, 0)
LAMP = (
    "春晖路1号楼下的路灯坏了一个星期，晚上出行很不安全，请尽快维修。",
    "春晖路1号楼前面的路灯不亮了，晚上一片漆黑，出行不安全。",
    "1号楼下路灯坏了好几天，晚上黑乎乎的，请维修路灯。",
)
RUBBISH = "1号楼旁边的垃圾桶满了好几天没人清运，臭味很大，请尽快清理垃圾。"


def report(key: str, text: str, *, hours: float = 0, places: tuple[str, ...] = ("P1",), **fields: object) -> Report:
    return Report(id=key, title=text[:14], text=text, time=START + timedelta(hours=hours), places=places, **fields)  # type: ignore[arg-type]


# --- the core -------------------------------------------------------------------------------------------


def test_reworded_reports_at_one_place_are_one_group_and_others_stay_apart() -> None:
    reports = [
        *(report(f"lamp{i}", text, hours=i) for i, text in enumerate(LAMP)),
        report("lamp-elsewhere", LAMP[0], hours=4, places=("P2",)),
        report("rubbish", RUBBISH, hours=5),
    ]
    spots = hotspot_groups(reports)
    assert [spot.member_ids for spot in spots] == [("lamp0", "lamp1", "lamp2")]
    spot = spots[0]
    assert (spot.rank, spot.key, spot.place, spot.matter_count, spot.reporter_count) == (1, "lamp0", "P1", 3, 3)
    assert (spot.started_at, spot.ended_at) == (START, START + timedelta(hours=2))
    assert "路灯坏" in spot.words
    singles = hotspot_groups(reports, min_size=1)
    assert sorted(spot.member_ids for spot in singles if spot.matter_count == 1) == [("lamp-elsewhere",), ("rubbish",)]


def test_reports_further_apart_in_time_than_the_window_are_not_grouped() -> None:
    reports = [report("early", LAMP[0]), report("late", LAMP[1], hours=24 * 45)]
    assert hotspot_groups(reports) == []
    assert len(hotspot_groups(reports, window=timedelta(days=60))) == 1


def test_coordinates_within_the_radius_are_the_same_place() -> None:
    near = [
        report("a", LAMP[0], places=(), latitude=26.6000, longitude=106.7000),
        report("b", LAMP[1], hours=1, places=(), latitude=26.6005, longitude=106.7005),  # about 75 m
        report("far", LAMP[2], hours=2, places=(), latitude=26.6200, longitude=106.7000),  # about 2.2 km
    ]
    assert [spot.member_ids for spot in hotspot_groups(near)] == [("a", "b")]


def test_more_reporters_and_more_support_give_more_heat() -> None:
    span = timedelta(days=3)
    assert heat_score(matters=4, reporters=4, support=0, span=span) > heat_score(
        matters=4, reporters=1, support=0, span=span
    )
    assert heat_score(matters=4, reporters=1, support=9, span=span) > heat_score(
        matters=4, reporters=1, support=0, span=span
    )
    one_person = [report(f"p{i}", text, hours=i, reporter="same") for i, text in enumerate(LAMP)]
    many_people = [report(f"q{i}", text, hours=i, places=("P2",), reporter=f"r{i}") for i, text in enumerate(LAMP)]
    backed = [report(f"s{i}", text, hours=i, places=("P3",), reporter="same", support=5) for i, text in enumerate(LAMP)]
    spots = hotspot_groups([*one_person, *many_people, *backed])
    heat = {spot.key: spot.heat for spot in spots}
    assert heat["q0"] > heat["p0"]
    assert heat["s0"] > heat["p0"]
    assert spots[-1].key == "p0"
    assert {spot.key: (spot.reporter_count, spot.support) for spot in spots} == {
        "p0": (1, 0),
        "q0": (3, 0),
        "s0": (1, 15),
    }


def test_the_grouping_is_deterministic() -> None:
    reports = [
        *(report(f"lamp{i}", text, hours=i) for i, text in enumerate(LAMP)),
        *(report(f"far{i}", text, hours=i, places=("P2",)) for i, text in enumerate(LAMP)),
        report("rubbish", RUBBISH, hours=1),
        report("rubbish2", "楼下垃圾桶满了没人清运，很臭", hours=2),
    ]
    first = hotspot_groups(reports)
    shuffled = list(reports)
    random.Random(7).shuffle(shuffled)
    assert hotspot_groups(shuffled) == first
    assert len(first) == 3


def test_place_mentions_names_estates_roads_and_falls_back_on_the_district() -> None:
    assert "魅力之城" in place_mentions("A市A5区魅力之城小区临街餐饮店油烟扰民")
    assert {"伊景园", "滨河苑"} <= set(place_mentions("投诉A市伊景园滨河苑捆绑销售车位"))
    assert "劳动东路" in place_mentions("A5区劳动东路魅力之城小区油烟扰民")
    assert place_mentions("请书记关注A市A4区58车贷案") == ("A市", "A4区")
    assert place_mentions("小区幼儿园收费太高") == ()


# --- the platform ---------------------------------------------------------------------------------------


@pytest.fixture
def other_street_building(tree: CityTree) -> Place:
    """A building in a community of the sibling street (the tree has no places under it)."""
    community = make_place("community", tree.street2, 1, "临川社区")
    grid = make_place("grid", community, 1, "临川社区第一网格")
    return make_place("microgrid", grid, 1, "8号楼")


def file_lamps(tree: CityTree, *, building: Place | None = None, days_ago: int = 2) -> list[Matter]:
    # From 10:00 China time, so that the reports, an hour apart, fall on one day whenever the suite runs (it once
    # ran at 23:00 and the last report fell on the next day).
    now = (timezone.localtime() - timedelta(days=days_ago)).replace(hour=10, minute=0, second=0, microsecond=0)
    matters = []
    for index, text in enumerate(LAMP):
        receipt = matter_file(
            actor=None,
            channel=Channel.RESIDENT_WEB,
            kind=MatterKind.PROFESSIONAL,
            text=text,
            building=building or tree.microgrid,
            reporter_phone=f"1380000000{index}",
            now=now + timedelta(hours=index),
        )
        matters.append(Matter.objects.get(pk=receipt.matter_id))
    return matters


@pytest.mark.django_db
def test_the_list_is_scoped_to_the_users_area(tree: CityTree, other_street_building: Place) -> None:
    mine = file_lamps(tree)
    theirs = file_lamps(tree, building=other_street_building)
    dispatcher = make_loop_staff(tree).dispatcher
    other_street = make_staff(role=Role.STREET_STAFF, place=tree.street2, username="otherstreet")
    district = make_staff(role=Role.DISTRICT_STAFF, place=tree.district, username="district")

    spots = hotspot_list(user=dispatcher)
    assert [set(spot.member_ids) for spot in spots] == [{matter.number for matter in mine}]
    assert spots[0].place == "春晖社区 · 春晖社区第一网格"
    assert spots[0].reporter_count == 3
    assert [set(spot.member_ids) for spot in hotspot_list(user=other_street)] == [{m.number for m in theirs}]
    assert len(hotspot_list(user=district)) == 2
    assert hotspot_list(user=district, area=tree.street2)[0].member_ids == tuple(m.number for m in theirs)
    assert hotspot_list(user=dispatcher, since=timezone.localdate() - timedelta(days=1)) == []


@pytest.mark.django_db
def test_closed_duplicates_count_as_support_and_are_not_members(tree: CityTree) -> None:
    original, *_ = file_lamps(tree)
    copy = Matter.objects.get(pk=file_in_building(tree, text=LAMP[0], now=timezone.now()).matter_id)
    Matter.objects.filter(pk=copy.pk).update(
        duplicate_of=original, state=MatterState.CLOSED, closure_reason=ClosureReason.DUPLICATE
    )
    (spot,) = hotspot_list(user=make_loop_staff(tree).dispatcher)
    assert spot.support == 1
    assert copy.number not in spot.member_ids
    assert spot.matter_count == 3


def client_for(user: User) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_the_page_lists_the_groups_with_links_to_their_matters(tree: CityTree) -> None:
    matters = file_lamps(tree)
    response = client_for(make_loop_staff(tree).dispatcher).get(reverse("triage:hotspot-list"))
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count('data-testid="hotspot-row"') == 1
    for matter in matters:
        assert reverse("matters:detail", args=[matter.number]) in page
    assert "春晖社区 · 春晖社区第一网格" in page


@pytest.mark.django_db
def test_the_page_is_refused_without_the_permission_to_see_matters(tree: CityTree) -> None:
    auditor = make_staff(role=Role.AUDIT_ADMIN, place=tree.city, username="auditor")
    assert client_for(auditor).get(reverse("triage:hotspot-list")).status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"since": "not-a-date"}, "Filed from"),
        ({"since": "2026-03-10", "until": "2026-03-01"}, "Filed until"),
        ({"since": "2024-01-01", "until": "2026-01-01"}, "Filed from"),
        ({"since": "0001-01-01"}, "Filed from"),
        ({"area": "999999999999"}, "Place"),
    ],
)
def test_bad_filters_are_form_errors(tree: CityTree, query: dict[str, str], field: str) -> None:
    file_lamps(tree)
    response = client_for(make_loop_staff(tree).dispatcher).get(reverse("triage:hotspot-list"), query)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-testid="form-errors"' in page
    assert f"<strong>{field}</strong>" in page
    assert 'data-testid="hotspot-row"' not in page


@pytest.mark.django_db
def test_an_area_outside_the_users_scope_is_refused(tree: CityTree, other_street_building: Place) -> None:
    community = make_staff(role=Role.COMMUNITY_STAFF, place=tree.community, username="community")
    response = client_for(community).get(reverse("triage:hotspot-list"), {"area": tree.street2.code})
    assert 'data-testid="form-errors"' in response.content.decode()


# --- the competition command ----------------------------------------------------------------------------

HEADER = ["id", "title", "time", "detail", "oppose", "support"]
SMALL = [
    ["1", "A5区魅力之城小区临街餐饮店油烟扰民", "2019-08-01 10:00:00", "魅力之城小区一楼餐馆油烟直排，晚上噪音很大。"],
    ["2", "魅力之城小区底层商铺油烟噪音扰民", "2019-08-03 21:15:00", "魅力之城小区底层商铺营业到凌晨，油烟噪音扰民。"],
    ["3", "A5区魅力之城小区油烟扰民严重", "2019-08-09 08:30:00", "A市A5区魅力之城小区临街餐饮店油烟扰民，请处理。"],
    ["4", "A3区梅溪湖看云路小区油烟扰民", "2019-08-05 09:00:00", "看云路小区临街门面油烟直排扰民。"],
    ["5", "A2区丽发新城附近搅拌站噪音扰民", "2019-11-02 09:00:00", "丽发新城小区附近建搅拌站，噪音灰尘严重。"],
    ["6", "丽发新城小区附近的搅拌站噪音严重扰民", "2019-11-05 22:00:00", "丽发新城旁边搅拌站日夜施工，噪音扰民。"],
    ["7", "A6区道路命名规划问题", "2019-02-14 20:00:00", "什么时候能转化成为正式的成果。"],
]
# oppose, support
for row, counts in zip(
    SMALL, [("0", "3"), ("1", "2"), ("0", "0"), ("0", "0"), ("0", "1"), ("0", "0"), ("0", "1")], strict=True
):
    row.extend(counts)


def write_csv(path: Path, rows: list[list[str]], header: list[str] = HEADER) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_the_command_writes_the_hot_problems_and_their_messages(tmp_path: Path) -> None:
    source = write_csv(tmp_path / "messages.csv", SMALL)
    out, details = tmp_path / "hot.csv", tmp_path / "hot_messages.csv"
    call_command("triage_hotspots", input=source, output=out, messages=details, top=5, stdout=io.StringIO())
    problems = read_csv(out)
    assert [row["rank"] for row in problems] == ["1", "2"]
    top = problems[0]
    assert (top["count"], top["place"], top["time_range"]) == ("3", "魅力之城", "2019-08-01 ~ 2019-08-09")
    assert "油烟" in top["description"]
    assert problems[1]["place"] == "丽发新城"
    rows = read_csv(details)
    assert [(row["rank"], row["id"]) for row in rows] == [("1", "1"), ("1", "2"), ("1", "3"), ("2", "5"), ("2", "6")]
    assert (rows[1]["support"], rows[1]["oppose"]) == ("2", "1")


@pytest.mark.parametrize(
    ("header", "rows", "expected"),
    [
        (["id", "title", "time"], [["1", "a", "2019-01-01 00:00:00"]], "row 1 (header), column detail: missing"),
        (HEADER, [SMALL[0], ["2", "b", "yesterday", "text", "0", "0"]], "row 3, column time: 'yesterday'"),
        (HEADER, [["1", "a", "2019-01-01", "text", "0", "many"]], "row 2, column support: 'many'"),
        (HEADER, [SMALL[0], SMALL[0]], "row 3, column id: 1 appears twice"),
    ],
)
def test_a_bad_file_is_refused_with_its_row_and_column_and_nothing_is_written(
    tmp_path: Path, header: list[str], rows: list[list[str]], expected: str
) -> None:
    source = write_csv(tmp_path / "bad.csv", rows, header)
    out = tmp_path / "hot.csv"
    with pytest.raises(CommandError) as raised:
        call_command("triage_hotspots", input=source, output=out)
    assert str(source) in str(raised.value)
    assert expected in str(raised.value)
    assert not out.exists()
    assert list(tmp_path.iterdir()) == [source]


def test_an_unreadable_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="no such file"):
        call_command("triage_hotspots", input=tmp_path / "missing.csv", output=tmp_path / "hot.csv")
    assert not (tmp_path / "hot.csv").exists()


def test_the_competition_file_has_a_hot_spot_of_at_least_five_messages_at_one_place(tmp_path: Path) -> None:
    source = Path(settings.BASE_DIR) / "data" / "tipdm2020" / "citizen_messages_unlabeled.csv"
    out, details = tmp_path / "hot.csv", tmp_path / "hot_messages.csv"
    call_command("triage_hotspots", input=source, output=out, messages=details, stdout=io.StringIO())
    problems = read_csv(out)
    assert len(problems) == 5
    top = problems[0]
    place = top["place"].split("、")[0]
    texts = {row["id"]: f"{row['title']}。{row['detail']}" for row in read_csv(source)}
    members = [row["id"] for row in read_csv(details) if row["rank"] == "1"]
    assert len(members) == int(top["count"]) >= 5
    assert sum(place in texts[member] for member in members) >= 5
