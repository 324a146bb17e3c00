"""The Excel exports: the matter ledger (the queue's filters, scope, masking and its audit record), the league tables
and one unit's measures, each opened with openpyxl and compared with what the pages and the selectors say."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext
from openpyxl import load_workbook
from openpyxl.workbook.workbook import Workbook

from gridwork.accounts.models import Post, User
from gridwork.accounts.roles import Role
from gridwork.accounts.tests.factories import make_staff
from gridwork.analytics.areas import area_of_place
from gridwork.analytics.exports import LedgerRow, ledger_columns, ledger_xlsx, ranking_xlsx
from gridwork.analytics.measures import DEFINITIONS, Weights
from gridwork.analytics.periods import Period, PeriodKind
from gridwork.analytics.selectors import NoticeMatter, NoticeRow, area_figures, ranking
from gridwork.audit.models import AuditEvent
from gridwork.matters.models import Channel, Matter, Urgency
from gridwork.matters.services import matter_file, matter_transition
from gridwork.matters.tests.factories import LoopStaff, make_loop_staff
from gridwork.matters.workflow import Action, ClosureReason, MatterKind, MatterState, Satisfaction
from gridwork.places.models import Place, PlaceLevel
from gridwork.places.tests.factories import CityTree, make_place, square

pytestmark = pytest.mark.django_db

CHINA = ZoneInfo("Asia/Shanghai")
TEXT = "春晖路1号楼下的路灯坏了一个星期，晚上出行很不安全，请尽快维修。"
LEDGER = reverse("analytics:export-ledger")
RANKINGS = reverse("analytics:export-rankings")
MEASURES = reverse("analytics:export-measures")
QUEUE = reverse("matters:queue")
# The English msgids of the ledger's headers (the matter's verbose names), in column order.
LEDGER_MSGIDS = [
    "number",
    "filed at",
    "channel",
    "category",
    "kind",
    "urgency",
    "state",
    "district",
    "street",
    "community",
    "grid",
    "lead unit",
    "dispatched at",
    "accepted at",
    "replied at",
    "closed at",
    "deadline",
    "overdue",
    "returns",
    "reopened",
    "extensions",
    "rating",
    "closed as",
    "reporter's name",
    "reporter's phone",
    "title",
]
COLUMN = {msgid: index for index, msgid in enumerate(LEDGER_MSGIDS)}


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment of March 2026, China time."""
    return datetime(2026, 3, day, hour, minute, tzinfo=CHINA)


@dataclass
class Scenario:
    tree: CityTree
    staff: LoopStaff
    closed: Matter  # in the tree's grid: dispatched, accepted, replied, rated satisfied, closed
    waiting: Matter  # in the tree's grid, urgent, waiting to be dispatched
    sibling: Matter  # in the sibling community of the same street
    elsewhere: Matter  # in another street
    elsewhere_staff: User  # street staff of that other street


def _building_under(community: Place, name: str, lng: float) -> Place:
    grid = Place.objects.filter(parent=community, level=PlaceLevel.GRID).first()
    if grid is None:
        grid = make_place(PlaceLevel.GRID, community, 1, f"{community.name}第一网格", boundary=square(lng, 26.60))
    return make_place(PlaceLevel.MICROGRID, grid, 9, name, address=name)


def _file(building: Place, *, when: datetime, name: str, phone: str, **options: Any) -> Matter:
    options.setdefault("channel", "resident_web")
    options.setdefault("kind", MatterKind.PROFESSIONAL)
    receipt = matter_file(
        actor=None, text=TEXT, building=building, reporter_name=name, reporter_phone=phone, now=when, **options
    )
    return Matter.objects.get(pk=receipt.matter_id)


@pytest.fixture
def scenario(tree: CityTree) -> Scenario:
    staff = make_loop_staff(tree)
    closed = _file(tree.microgrid, when=at(2, 9), name="张三丰", phone="13812341234", title="路灯不亮")
    steps: list[tuple[User, str, dict[str, Any], datetime]] = [
        (
            staff.dispatcher,
            Action.DISPATCH,
            {"kind": "professional", "lead_department_id": tree.department.pk},
            at(2, 9, 30),
        ),
        (staff.department, Action.ACCEPT, {}, at(2, 10)),
        (staff.department, Action.REPLY, {"text": "已更换灯具"}, at(3, 15)),
        (staff.operator, Action.RATE, {"satisfaction": Satisfaction.SATISFIED}, at(4, 9)),
        (staff.dispatcher, Action.VERIFY_CLOSE, {}, at(4, 10)),
    ]
    for actor, action, data, when in steps:
        matter_transition(actor=actor, matter_id=closed.pk, action=action, data=data, now=when)
    waiting = _file(
        tree.microgrid, when=at(5, 10), name="李四", phone="13900001111", urgency="urgent", title="噪音扰民"
    )
    sibling = _file(
        _building_under(tree.community2, "秋实1号楼", 106.72), when=at(6, 11), name="王五", phone="13700002222"
    )
    other_community = make_place(PlaceLevel.COMMUNITY, tree.street2, 1, "临川社区")
    elsewhere = _file(
        _building_under(other_community, "临川1号楼", 106.80), when=at(7, 12), name="赵六", phone="13600003333"
    )
    return Scenario(
        tree=tree,
        staff=staff,
        closed=Matter.objects.get(pk=closed.pk),
        waiting=waiting,
        sibling=sibling,
        elsewhere=elsewhere,
        elsewhere_staff=make_staff(role=Role.STREET_STAFF, place=tree.street2, username="street2"),
    )


def client_for(user: User, language: str = "en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def workbook_of(response: Any) -> Workbook:
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    return load_workbook(io.BytesIO(response.content))


def sheet_rows(workbook: Workbook, index: int = 0) -> list[tuple[Any, ...]]:
    return list(workbook.worksheets[index].iter_rows(values_only=True))


def ledger_numbers(response: Any) -> list[str]:
    return [row[0] for row in sheet_rows(workbook_of(response))[1:]]


def exported_unmasked() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action="matter.export_unmasked"))


# --- the ledger ------------------------------------------------------------------------------------------------------


def test_ledger_rows_are_the_matters_as_filed_and_moved(scenario: Scenario) -> None:
    response = client_for(scenario.staff.dispatcher).get(LEDGER, {"tab": "all"})
    rows = sheet_rows(workbook_of(response))
    assert rows[0] == tuple(capfirst(gettext(msgid)) for msgid in LEDGER_MSGIDS)
    by_number = {row[0]: row for row in rows[1:]}
    assert list(by_number) == [scenario.sibling.number, scenario.waiting.number, scenario.closed.number]
    closed = by_number[scenario.closed.number]
    local = {
        "filed at": datetime(2026, 3, 2, 9),
        "dispatched at": datetime(2026, 3, 2, 9, 30),
        "accepted at": datetime(2026, 3, 2, 10),
        "replied at": datetime(2026, 3, 3, 15),
        "closed at": datetime(2026, 3, 4, 10),
    }
    for msgid, expected in local.items():
        assert closed[COLUMN[msgid]] == expected, msgid
    tree = scenario.tree
    assert closed[COLUMN["channel"]] == Channel.RESIDENT_WEB.label
    assert closed[COLUMN["kind"]] == MatterKind.PROFESSIONAL.label
    assert closed[COLUMN["state"]] == MatterState.CLOSED.label
    places = [closed[COLUMN[level]] for level in ("district", "street", "community", "grid")]
    assert places == [tree.district.name, tree.street.name, tree.community.name, tree.grid.name]
    assert closed[COLUMN["lead unit"]] == tree.department.name
    assert closed[COLUMN["rating"]] == Satisfaction.SATISFIED.label
    assert closed[COLUMN["closed as"]] == ClosureReason.RESOLVED.label
    assert closed[COLUMN["title"]] == "路灯不亮"
    counts = [closed[COLUMN[name]] for name in ("overdue", "returns", "reopened", "extensions")]
    assert counts == [0, 0, 0, 0]
    waiting = by_number[scenario.waiting.number]
    assert waiting[COLUMN["urgency"]] == Urgency.URGENT.label
    assert waiting[COLUMN["lead unit"]] is None
    assert waiting[COLUMN["closed at"]] is None


def test_ledger_header_is_formatted_and_dates_are_excel_dates(scenario: Scenario) -> None:
    response = client_for(scenario.staff.dispatcher).get(LEDGER, {"tab": "all"})
    sheet = workbook_of(response).worksheets[0]
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:Z4"
    assert sheet["A1"].font.b
    assert sheet["A1"].fill.fgColor.rgb.endswith("C00000")
    assert sheet.column_dimensions["Z"].width == 40
    assert sheet["B2"].number_format == "yyyy-mm-dd hh:mm"
    assert sheet["B2"].is_date


def test_ledger_headers_are_the_catalogs_words_under_zh_hans(scenario: Scenario) -> None:
    response = client_for(scenario.staff.dispatcher, language="zh-hans").get(LEDGER, {"tab": "all"})
    workbook = workbook_of(response)
    with translation.override("zh-hans"):
        expected = [capfirst(gettext(msgid)) for msgid in LEDGER_MSGIDS]
        assert [str(column.header) for column in ledger_columns()] == expected
        about = gettext("About this export")
    assert list(sheet_rows(workbook)[0]) == expected
    assert all(not header.isascii() for header in expected)  # the matter's field names are in the catalog
    assert workbook.sheetnames[-1] == about[:31]


def test_ledger_masks_reporters_for_a_user_without_the_unmask_permission(scenario: Scenario) -> None:
    response = client_for(scenario.staff.dispatcher).get(LEDGER, {"tab": "all"})
    rows = {row[0]: row for row in sheet_rows(workbook_of(response))[1:]}
    closed = rows[scenario.closed.number]
    assert (closed[COLUMN["reporter's name"]], closed[COLUMN["reporter's phone"]]) == ("张*丰", "138****1234")
    assert rows[scenario.waiting.number][COLUMN["reporter's phone"]] == "139****1111"
    assert exported_unmasked() == []


def test_ledger_unmasks_where_the_user_may_see_personal_data_and_records_it_once(scenario: Scenario) -> None:
    """A street dispatcher who also works in one community: reporters of that community only, and one audit row."""
    user = scenario.staff.dispatcher
    Post.objects.create(user=user, role=Role.COMMUNITY_STAFF, place=scenario.tree.community)
    response = client_for(User.objects.get(pk=user.pk)).get(LEDGER, {"tab": "all", "channel": "resident_web"})
    rows = {row[0]: row for row in sheet_rows(workbook_of(response))[1:]}
    contact = (COLUMN["reporter's name"], COLUMN["reporter's phone"])
    assert tuple(rows[scenario.closed.number][i] for i in contact) == ("张三丰", "13812341234")
    assert tuple(rows[scenario.waiting.number][i] for i in contact) == ("李四", "13900001111")
    assert tuple(rows[scenario.sibling.number][i] for i in contact) == ("王*", "137****2222")
    records = exported_unmasked()
    assert len(records) == 1
    assert records[0].actor_id == user.pk
    assert records[0].detail == {
        "rows": 3,
        "unmasked": 2,
        "capped": False,
        "tab": "all",
        "filters": {"channel": "resident_web"},
    }


def test_community_staff_export_unmasked_is_recorded(scenario: Scenario) -> None:
    response = client_for(scenario.staff.community).get(LEDGER, {"tab": "all"})
    assert set(ledger_numbers(response)) == {scenario.closed.number, scenario.waiting.number}
    assert [record.detail["unmasked"] for record in exported_unmasked()] == [2]


def test_ledger_holds_only_the_users_scope(scenario: Scenario) -> None:
    street = ledger_numbers(client_for(scenario.staff.dispatcher).get(LEDGER, {"tab": "all"}))
    assert scenario.elsewhere.number not in street
    other = ledger_numbers(client_for(scenario.elsewhere_staff).get(LEDGER, {"tab": "all"}))
    assert other == [scenario.elsewhere.number]
    handler = ledger_numbers(client_for(scenario.staff.department).get(LEDGER, {"tab": "all"}))
    assert handler == [scenario.closed.number]  # a department sees what was dispatched to it


def test_the_ledger_reads_a_fixed_number_of_queries_however_many_matters(scenario: Scenario) -> None:
    user = scenario.staff.dispatcher
    Post.objects.create(user=user, role=Role.COMMUNITY_STAFF, place=scenario.tree.community)
    client = client_for(User.objects.get(pk=user.pk))
    with CaptureQueriesContext(connection) as before:
        client.get(LEDGER, {"tab": "all"})
    for day in (10, 11, 12):
        _file(scenario.tree.microgrid, when=at(day, 9), name="钱七", phone="13500004444")
    with CaptureQueriesContext(connection) as after:
        assert len(ledger_numbers(client.get(LEDGER, {"tab": "all"}))) == 6
    assert len(after.captured_queries) == len(before.captured_queries)


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"tab": "all"},
        {"tab": "to_dispatch"},
        {"tab": "closed"},
        {"tab": "all", "urgency": "urgent"},
        {"tab": "all", "since": "2026-03-05", "until": "2026-03-06"},
        {"tab": "all", "place": "community2"},
        {"tab": "all", "q": "路灯"},
        {"tab": "all", "state": "closed", "channel": "hotline"},
    ],
)
def test_the_ledger_exports_what_the_queue_shows(scenario: Scenario, params: dict[str, str]) -> None:
    if params.get("place") == "community2":
        params = {**params, "place": scenario.tree.community2.code}
    client = client_for(scenario.staff.dispatcher)
    page = client.get(QUEUE, params)
    assert not page.context["form"].errors
    shown = [matter.number for matter in page.context["page"].items]
    assert ledger_numbers(client.get(LEDGER, params)) == shown


def test_the_queue_links_to_the_export_with_its_filters(scenario: Scenario) -> None:
    page = client_for(scenario.staff.dispatcher).get(QUEUE, {"tab": "all", "urgency": "urgent"})
    html = page.content.decode()
    assert f'href="{LEDGER}?tab=all&amp;urgency=urgent"' in html
    bad = client_for(scenario.staff.dispatcher).get(QUEUE, {"tab": "all", "kind": "nope"})
    assert 'data-testid="export-ledger"' not in bad.content.decode()


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"kind": "nope"}, "kind"),
        ({"since": "2026-13-01"}, "since"),
        ({"since": "2026-03-05", "until": "2026-03-01"}, "until"),
        ({"place": "street2"}, "place"),
        ({"tab": "nonsense"}, "tab"),
    ],
)
def test_a_wrong_filter_is_refused_naming_the_field(scenario: Scenario, params: dict[str, str], field: str) -> None:
    if params.get("place") == "street2":
        params = {"place": scenario.tree.street2.code}
    response = client_for(scenario.staff.dispatcher).get(LEDGER, params)
    assert response.status_code == 400
    body = response.json()
    assert field in body["fields"]
    assert body["error"].startswith(f"{field}: ")


def test_the_file_is_named_with_the_date_in_both_encodings(scenario: Scenario) -> None:
    response = client_for(scenario.staff.dispatcher, language="zh-hans").get(LEDGER, {"tab": "all"})
    disposition = response["Content-Disposition"]
    with translation.override("zh-hans"):
        display = gettext("Matter ledger")
    assert disposition.startswith('attachment; filename="matter-ledger-')
    assert f"filename*=UTF-8''{quote(display)}-" in disposition
    assert disposition.endswith(".xlsx")
    assert response["Cache-Control"] == "private, no-store"


# --- the builder, without a database of a hundred thousand matters --------------------------------------------------


def _row(number: str, title: str = "标题", *, unmasked: bool = False) -> LedgerRow:
    values = [None] * len(LEDGER_MSGIDS)
    values[0], values[-1] = number, title
    return LedgerRow(values=tuple(values), unmasked=unmasked)


def test_a_capped_ledger_says_so_in_a_last_row_and_on_the_note_sheet() -> None:
    rows = [_row(f"GW{index}") for index in range(5)]
    ledger = ledger_xlsx(rows, cap=3)
    assert (ledger.rows, ledger.capped, ledger.unmasked) == (3, True, 0)
    workbook = load_workbook(io.BytesIO(ledger.content))
    data = sheet_rows(workbook)
    assert [row[0] for row in data[1:4]] == ["GW0", "GW1", "GW2"]
    note = gettext("Only the first %(cap)s matters are exported; narrow the filters to export the rest.") % {"cap": "3"}
    assert data[4][0] == note
    assert workbook.worksheets[0].auto_filter.ref == "A1:Z4"
    about = {row[0]: row[1] for row in sheet_rows(workbook, -1)[1:]}
    assert about[gettext("Note")] == note
    assert about[gettext("Matters")] == 3
    assert not ledger_xlsx(rows, cap=5).capped


def test_text_that_looks_like_a_formula_stays_text() -> None:
    ledger = ledger_xlsx([_row("GW1", '=HYPERLINK("http://example.com","点我")\x07')])
    cell = load_workbook(io.BytesIO(ledger.content)).worksheets[0]["Z2"]
    assert cell.data_type == "s"
    assert cell.value == '=HYPERLINK("http://example.com","点我")'


# --- rankings and measures -------------------------------------------------------------------------------------------

MARCH = {"period": "month", "on": "2026-03"}


def test_rankings_export_the_league_tables_with_rates_as_percentages(scenario: Scenario) -> None:
    tree = scenario.tree
    user = make_staff(role=Role.DISTRICT_STAFF, place=tree.district, username="district")
    workbook = workbook_of(client_for(user).get(RANKINGS, MARCH))
    period = Period.containing(PeriodKind.MONTH, at(1, 0).date())
    streets = ranking(user, "street", period)
    assert [(row.area.code, row.rank) for row in streets] == [(tree.street.code, 1), (tree.street2.code, None)]
    sheet = workbook.worksheets[0]
    header = [cell.value for cell in sheet[1]]
    assert header[:4] == [gettext("Rank"), gettext("Unit"), gettext("Code"), gettext("Composite score")]
    rows = sheet_rows(workbook)[1:]
    assert [row[:3] for row in rows] == [
        (1, tree.street.name, tree.street.code),
        (None, tree.street2.name, tree.street2.code),
    ]
    assert rows[0][3] == pytest.approx(streets[0].score)
    resolution = header.index(gettext("Resolution rate"))
    assert rows[0][resolution] == 1
    assert rows[1][resolution] is None  # nothing closed: no rate, not zero
    assert sheet.cell(row=2, column=resolution + 1).number_format == "0.0%"
    received = header.index(gettext("Received"))
    assert [row[received] for row in rows] == [3, 1]
    departments = sheet_rows(workbook, 1)[1:]
    assert [(row[0], row[1]) for row in departments] == [(1, tree.department.name)]
    assert workbook.sheetnames[3:] == [gettext("Public notice"), gettext("Definitions"), gettext("About this export")]
    definitions = [row[0] for row in sheet_rows(workbook, 4)]
    assert definitions[1 : len(DEFINITIONS) + 1] == [str(definition.label) for definition in DEFINITIONS]
    settings = {row[0]: row[1] for row in sheet_rows(workbook, 4)[len(DEFINITIONS) + 3 :]}
    assert settings[capfirst(gettext("weight of the resolution rate"))] == 40
    assert settings[capfirst(gettext("value of 'basically satisfied'"))] == pytest.approx(0.8)


def test_the_public_notice_lists_each_unit_with_its_evidence(tree: CityTree) -> None:
    street = area_of_place(tree.street)
    street2 = area_of_place(tree.street2)
    notices = [NoticeRow(area=street, overdue=3), NoticeRow(area=street2, overdue=2)]
    evidence = {street.unit_id: [NoticeMatter("GW202603010000001", "路灯不亮", 2), NoticeMatter("GW2", "噪音", 1)]}
    content = ranking_xlsx(
        period=Period.containing(PeriodKind.MONTH, at(1, 0).date()),
        tables=[],
        notices=[("street", notices, evidence)],
        weights=Weights(),
        notice_overdue=2,
    )
    workbook = load_workbook(io.BytesIO(content))
    assert workbook.sheetnames[0] == gettext("Public notice")
    rows = sheet_rows(workbook)[1:]
    assert rows == [
        ("Street", street.name, street.code, 3, "GW202603010000001", "路灯不亮", 2),
        ("Street", street.name, street.code, 3, "GW2", "噪音", 1),
        ("Street", street2.name, street2.code, 2, None, None, None),  # evidence not found: the unit still listed
    ]


def test_measures_export_the_units_figures_children_and_trend(scenario: Scenario) -> None:
    tree = scenario.tree
    response = client_for(scenario.staff.dispatcher).get(MEASURES, {**MARCH, "area": tree.street.code})
    workbook = workbook_of(response)
    assert workbook.sheetnames[:3] == [gettext("Measures"), gettext("Units below"), gettext("Trend")]
    figures = area_figures(area_of_place(tree.street), Period.containing(PeriodKind.MONTH, at(1, 0).date()))
    summary = {row[0]: row[1] for row in sheet_rows(workbook, 0)[1:]}
    for definition in DEFINITIONS:
        value = figures.value(definition.key)
        assert summary[str(definition.label)] == (pytest.approx(value) if value is not None else None), definition.key
    assert summary[gettext("Received")] == 3
    assert summary[gettext("Resolution rate")] == 1
    assert workbook.worksheets[0]["B4"].number_format == "0.0%"  # the response rate
    children = sheet_rows(workbook, 1)
    received = children[0].index(gettext("Received"))
    assert [(row[0], row[received]) for row in children[1:]] == [(tree.community.name, 2), (tree.community2.name, 1)]
    trend = sheet_rows(workbook, 2)
    assert len(trend) == 1 + 31
    assert trend[1][:3] == ("2026-03-01", datetime(2026, 3, 1), datetime(2026, 3, 1))
    assert sum(row[trend[0].index(gettext("Received"))] for row in trend[1:]) == 3
    assert f'filename="measures-{tree.street.code}-2026-03.xlsx"' in response["Content-Disposition"]


def test_an_area_outside_the_users_scope_is_not_found(scenario: Scenario) -> None:
    client = client_for(scenario.staff.dispatcher)
    for url in (MEASURES, RANKINGS):
        assert client.get(url, {"area": scenario.tree.street2.code}).status_code == 404
        assert client.get(url, {"area": scenario.tree.city.code}).status_code == 404


def test_a_wrong_period_is_refused_naming_the_parameter(scenario: Scenario) -> None:
    client = client_for(scenario.staff.dispatcher)
    for url in (MEASURES, RANKINGS):
        response = client.get(url, {"period": "fortnight"})
        assert response.status_code == 400
        assert response.json()["error"].startswith("period:")
        assert client.get(url, {"on": "March"}).json()["error"].startswith("on:")


# --- who may export --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [LEDGER, RANKINGS, MEASURES])
def test_anonymous_users_are_sent_to_sign_in(url: str) -> None:
    response = Client().get(url)
    assert response.status_code == 302
    assert "login" in response["Location"]


@pytest.mark.parametrize("url", [LEDGER, RANKINGS, MEASURES])
def test_users_without_the_view_permission_are_refused(tree: CityTree, url: str) -> None:
    auditor = make_staff(role=Role.AUDIT_ADMIN, place=tree.city, username="auditor")
    assert client_for(auditor).get(url).status_code == 403
