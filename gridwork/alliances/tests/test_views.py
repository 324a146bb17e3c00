"""The alliances' staff pages as the right and the wrong users: the list with its flags and export, the detail, and
every form — another street's staff get 404 on the page and on every POST; a member community's staff see the
alliance but change nothing; forged POSTs change nothing; a meeting without minutes is a 400 naming the field."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from gridwork.accounts.models import User
from gridwork.alliances.models import Alliance, AllianceEvent, AllianceMember, ChairChange, JointMeeting
from gridwork.alliances.tests.factories import MINUTES, AllianceWorld, form_alliance, meet, member_of

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings: Any) -> None:
    settings.LANGUAGE_CODE = "en"


def client_of(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def html(response: Any) -> str:
    return str(response.content.decode())


def form_urls(alliance: Alliance) -> dict[str, str]:
    member = alliance.members.filter(left_on__isnull=True).first()
    assert member is not None
    return {
        "edit": reverse("alliances:edit", args=[alliance.pk]),
        "join": reverse("alliances:join", args=[alliance.pk]),
        "leave": reverse("alliances:leave", args=[alliance.pk, member.pk]),
        "order": reverse("alliances:order", args=[alliance.pk]),
        "hand-over": reverse("alliances:hand-over", args=[alliance.pk]),
        "meeting-new": reverse("alliances:meeting-new", args=[alliance.pk]),
        "dissolve": reverse("alliances:dissolve", args=[alliance.pk]),
    }


def meeting_data(alliance: Alliance, **fields: Any) -> dict[str, Any]:
    members = alliance.members.filter(left_on__isnull=True).order_by("id")
    return {
        "version": alliance.version,
        "held_on": "2024-03-05",
        "venue": "望江街道党群服务中心",
        "topic": "上半年联席会议",
        "attendees": [m.pk for m in members[:2]],
        "minutes": MINUTES,
        "decisions": "成立加装电梯工作专班。",
        **fields,
    }


def test_the_list_flags_alliances_short_of_meetings_this_year(world: AllianceWorld) -> None:
    year = timezone.localdate().year
    busy = form_alliance(world, name="望江联盟")
    idle = form_alliance(world, name="春秋联盟", units=[])
    meet(world, busy, held_on=date(year, 1, 10))
    meet(world, busy, held_on=date(year, 1, 20))
    meet(world, idle, held_on=date(year, 1, 10))
    response = client_of(world.street_staff).get(reverse("alliances:list"))
    assert response.status_code == 200
    page = html(response)
    assert page.index("春秋联盟") < page.index("望江联盟")  # the short one first
    assert 'data-short="1" data-meetings="1"' in page
    assert 'data-short="0" data-meetings="2"' in page
    last_year = client_of(world.street_staff).get(reverse("alliances:list"), {"year": year - 1, "short": "on"})
    assert html(last_year).count('data-testid="alliance-row"') == 2  # no meetings at all last year
    only_short = client_of(world.street_staff).get(reverse("alliances:list"), {"short": "on"})
    assert "春秋联盟" in html(only_short)
    assert "望江联盟" not in html(only_short)


def test_the_list_and_detail_are_seen_by_the_organisers_and_member_communities_only(world: AllianceWorld) -> None:
    alliance = form_alliance(world, communities=[world.tree.community], units=[])
    detail = reverse("alliances:detail", args=[alliance.pk])
    for user in (world.street_staff, world.community_staff):
        assert client_of(user).get(detail).status_code == 200
        assert alliance.name in html(client_of(user).get(reverse("alliances:list")))
    for user in (world.far_staff, world.community2_staff, world.grid_worker):  # the grid lies below the community
        assert client_of(user).get(detail).status_code == 404
        assert alliance.name not in html(client_of(user).get(reverse("alliances:list")))
    by_place = client_of(world.street_staff).get(reverse("alliances:list"), {"place": world.tree.community2.pk})
    assert alliance.name not in html(by_place)


def test_the_detail_shows_members_chair_history_meetings_and_projects(world: AllianceWorld) -> None:
    alliance = form_alliance(world)
    meet(world, alliance, held_on=date(2023, 6, 1))
    page = html(client_of(world.street_staff).get(reverse("alliances:detail", args=[alliance.pk])))
    assert "明川市供电公司" in page
    assert "秋实社区" in page
    assert 'data-testid="chair-now"' in page
    assert page.count('data-testid="chair-spell"') >= 7  # six-month terms since 2023
    assert page.count('data-testid="meeting"') == 1
    assert 'data-testid="projects"' in page
    assert 'data-testid="actions"' in page
    viewer = html(client_of(world.community_staff).get(reverse("alliances:detail", args=[alliance.pk])))
    assert 'data-testid="actions"' not in viewer


def test_another_streets_staff_get_404_on_every_form_and_every_post(world: AllianceWorld) -> None:
    alliance = form_alliance(world)
    version = alliance.version
    for user in (world.far_staff, world.community_staff, world.grid_worker):
        client = client_of(user)
        for name, url in form_urls(alliance).items():
            expected = 403 if user is world.grid_worker else 404  # the grid worker holds no MANAGE_PARTY at all
            assert client.get(url).status_code == expected, (user, name)
            posted = client.post(url, {**meeting_data(alliance), "reason": "x", "on": "2024-01-01"})
            assert posted.status_code == expected, (user, name)
    alliance.refresh_from_db()
    assert alliance.version == version
    assert not JointMeeting.objects.exists()
    assert AllianceEvent.objects.filter(subject=alliance).count() == 1


def test_forming_an_alliance_and_a_forged_member_outside_the_area(world: AllianceWorld) -> None:
    client = client_of(world.street_staff)
    data = {
        "name": "望江街道区域化党建联盟",
        "purpose": "资源共享、活动共办。",
        "place": world.tree.street.pk,
        "started_on": "2024-01-01",
        "term_months": "12",
        "communities": [world.tree.community.pk, world.community3.pk],
        "units": [world.unit.pk],
    }
    refused = client.post(reverse("alliances:new"), data)
    assert refused.status_code == 400
    assert 'data-testid="error-communities"' in html(refused)
    assert not Alliance.objects.exists()
    created = client.post(reverse("alliances:new"), {**data, "communities": [world.tree.community.pk]})
    assert created.status_code == 302
    alliance = Alliance.objects.get()
    assert [m.name for m in alliance.members.all()] == ["春晖社区", "明川市供电公司"]

    forged = client.post(
        reverse("alliances:join", args=[alliance.pk]),
        {
            "version": alliance.version,
            "communities": [world.community3.pk],
            "units": [world.far_unit.pk],
            "joined_on": "2024-02-01",
        },
    )
    assert forged.status_code == 400
    assert 'data-testid="error-communities"' in html(forged)
    assert 'data-testid="error-units"' in html(forged)
    assert alliance.members.count() == 2
    community_staff = client_of(world.community_staff).post(
        reverse("alliances:new"), {**data, "place": world.tree.street.pk, "communities": [], "units": []}
    )
    assert community_staff.status_code == 400
    assert 'data-testid="error-place"' in html(community_staff)


def test_a_meeting_without_minutes_is_refused_with_the_field_named(world: AllianceWorld) -> None:
    alliance = form_alliance(world)
    client = client_of(world.street_staff)
    url = reverse("alliances:meeting-new", args=[alliance.pk])
    for minutes in ("", "   \n  "):
        response = client.post(url, meeting_data(alliance, minutes=minutes))
        assert response.status_code == 400
        assert 'data-testid="error-minutes"' in html(response)
    assert not JointMeeting.objects.exists()
    done = client.post(url, meeting_data(alliance))
    assert done.status_code == 302
    meeting = JointMeeting.objects.get()
    assert done["Location"] == reverse("alliances:meeting", args=[alliance.pk, meeting.pk])
    page = html(client_of(world.community_staff).get(done["Location"]))
    assert MINUTES in page
    assert "成立加装电梯工作专班。" in page


def test_members_join_leave_and_the_chair_is_handed_over_through_the_pages(world: AllianceWorld) -> None:
    alliance = form_alliance(world, units=[])
    client = client_of(world.street_staff)
    joined = client.post(
        reverse("alliances:join", args=[alliance.pk]),
        {"version": alliance.version, "units": [world.unit.pk, world.unit2.pk], "joined_on": "2023-03-01"},
    )
    assert joined.status_code == 302
    alliance.refresh_from_db()
    again = client.post(
        reverse("alliances:join", args=[alliance.pk]),
        {"version": alliance.version, "units": [world.unit.pk], "joined_on": "2023-04-01"},
    )
    assert again.status_code == 400  # already in: not even a choice
    assert alliance.members.filter(unit=world.unit).count() == 1

    school = member_of(alliance, world.unit2)
    missing_reason = client.post(
        reverse("alliances:hand-over", args=[alliance.pk]),
        {"version": alliance.version, "to": school.pk, "on": "2023-05-01", "reason": ""},
    )
    assert missing_reason.status_code == 400
    assert 'data-testid="error-reason"' in html(missing_reason)
    handed = client.post(
        reverse("alliances:hand-over", args=[alliance.pk]),
        {"version": alliance.version, "to": school.pk, "on": "2023-05-01", "reason": "春晖社区换届"},
    )
    assert handed.status_code == 302
    page = html(client.get(reverse("alliances:detail", args=[alliance.pk])))
    assert "春晖社区换届" in page

    stale = client.post(
        reverse("alliances:leave", args=[alliance.pk, school.pk]),
        {"version": alliance.version, "left_on": "2023-06-01", "reason": ""},
    )
    assert stale.status_code == 409
    assert 'data-testid="refusal"' in html(stale)
    alliance.refresh_from_db()
    left = client.post(
        reverse("alliances:leave", args=[alliance.pk, school.pk]),
        {"version": alliance.version, "left_on": "2023-06-01", "reason": "撤并"},
    )
    assert left.status_code == 302
    school.refresh_from_db()
    assert school.left_on == date(2023, 6, 1)
    assert ChairChange.objects.filter(alliance=alliance, kind="left").exists()  # the school chaired then
    assert client.get(reverse("alliances:leave", args=[alliance.pk, school.pk])).status_code == 404


def test_the_order_page_sets_the_chair_order(world: AllianceWorld) -> None:
    alliance = form_alliance(world)
    first, second, third = (m.pk for m in alliance.members.order_by("id"))
    client = client_of(world.street_staff)
    url = reverse("alliances:order", args=[alliance.pk])
    assert client.get(url).status_code == 200
    clash = client.post(
        url, {"version": alliance.version, f"place_{first}": 1, f"place_{second}": 1, f"place_{third}": 2}
    )
    assert clash.status_code == 400
    done = client.post(
        url, {"version": alliance.version, f"place_{first}": 1, f"place_{second}": 3, f"place_{third}": 2}
    )
    assert done.status_code == 302
    assert ChairChange.objects.filter(alliance=alliance, kind="settings").get().order == [first, third, second]


def test_the_export_lists_the_alliances_with_the_years_meetings(world: AllianceWorld) -> None:
    year = timezone.localdate().year
    alliance = form_alliance(world)
    meet(world, alliance, held_on=date(year, 1, 10))
    response = client_of(world.street_staff).get(reverse("alliances:export"))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][1] == alliance.name
    assert rows[1][7] == 1
    assert rows[1][8] == "Yes"
    assert client_of(world.far_staff).get(reverse("alliances:export")).status_code == 200
    far = load_workbook(io.BytesIO(client_of(world.far_staff).get(reverse("alliances:export")).content)).worksheets[0]
    assert len(list(far.iter_rows(values_only=True))) == 1
    assert client_of(world.street_staff).get(reverse("alliances:export"), {"year": "1900"}).status_code == 400


def test_a_dissolved_alliance_offers_no_forms_and_refuses_posts(world: AllianceWorld) -> None:
    alliance = form_alliance(world)
    client = client_of(world.street_staff)
    done = client.post(
        reverse("alliances:dissolve", args=[alliance.pk]),
        {"version": alliance.version, "on": "2024-12-31", "reason": "任务完成"},
    )
    assert done.status_code == 302
    alliance.refresh_from_db()
    page = html(client.get(reverse("alliances:detail", args=[alliance.pk])))
    assert 'data-testid="actions"' not in page
    assert "Nobody chairs the alliance now." in page
    assert "2024-12-31" in page  # the last chair's spell ends with the alliance
    members = [m.pk for m in alliance.members.all()]
    refused = client.post(
        reverse("alliances:meeting-new", args=[alliance.pk]),
        meeting_data(alliance, held_on="2024-06-01", attendees=members),
    )
    assert refused.status_code == 409
    assert "not possible while the alliance is" in html(refused)
    assert AllianceMember.objects.filter(alliance=alliance, left_on__isnull=True).count() == 0
