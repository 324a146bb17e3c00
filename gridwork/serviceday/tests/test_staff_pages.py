"""The staff pages: who gets in (deny by default), scope (another community's cycle is not found), late flags in red on
the list, contacts masked for those who may not see them, forms that say which field and why (400, nothing saved),
a stale page (409), and the Excel export without personal data."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from gridwork.accounts.roles import Role
from gridwork.accounts.tests.factories import make_staff
from gridwork.demo.clock import clock
from gridwork.places.tests.factories import CityTree
from gridwork.serviceday.models import CycleState, Item, ItemState, Opinion, ServiceCycle
from gridwork.serviceday.tests.factories import (
    at,
    community_staff,
    cycle_at,
    open_cycle,
    registered_member,
    staff_opinion,
    verified_resident,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def march_20() -> Iterator[None]:
    with clock(at(date(2026, 3, 20), 10)):
        yield


def _client(user: object) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)  # type: ignore[arg-type]
    return client


def test_the_list_shows_my_communitys_cycles_with_late_stages_in_red(tree: CityTree, march_20: None) -> None:
    staff = community_staff(tree.community)
    mine, theirs = open_cycle(tree.community), open_cycle(tree.community2)
    response = _client(staff).get(reverse("serviceday:cycle-list"))
    assert response.status_code == 200
    body = response.content.decode()
    assert reverse("serviceday:cycle-detail", args=[mine.pk]) in body
    assert reverse("serviceday:cycle-detail", args=[theirs.pk]) not in body
    assert 'class="table-danger"' in body  # collection due the 15th, not closed on the 20th
    assert "Collect opinions (征集意见)" in body
    late = _client(staff).get(reverse("serviceday:cycle-list"), {"late": "on"})
    assert reverse("serviceday:cycle-detail", args=[mine.pk]) in late.content.decode()


def test_the_street_sees_its_communities_and_the_filters_work(tree: CityTree, march_20: None) -> None:
    street = make_staff(role=Role.STREET_STAFF, place=tree.street, username="street")
    first, second = open_cycle(tree.community), open_cycle(tree.community2)
    client = _client(street)
    body = client.get(reverse("serviceday:cycle-list")).content.decode()
    assert all(reverse("serviceday:cycle-detail", args=[c.pk]) in body for c in (first, second))
    one = client.get(reverse("serviceday:cycle-list"), {"community": tree.community2.code, "month": "2026-03"})
    assert reverse("serviceday:cycle-detail", args=[first.pk]) not in one.content.decode()
    assert reverse("serviceday:cycle-detail", args=[second.pk]) in one.content.decode()
    other = client.get(reverse("serviceday:cycle-list"), {"month": "2026-02"})
    assert "No service day cycles match." in other.content.decode()


@pytest.mark.parametrize(("params", "field"), [({"month": "March"}, "month"), ({"state": "asleep"}, "state")])
def test_bad_filters_answer_400_on_their_field(tree: CityTree, params: dict[str, str], field: str) -> None:
    response = _client(community_staff(tree.community)).get(reverse("serviceday:cycle-list"), params)
    assert response.status_code == 400
    assert f'data-testid="error-{field}"' in response.content.decode()
    assert _client(community_staff(tree.community)).get(reverse("serviceday:cycle-export"), params).status_code == 400


def test_another_communitys_cycle_and_item_are_not_found(tree: CityTree, march_20: None) -> None:
    staff = community_staff(tree.community)
    theirs = cycle_at(tree.community2, community_staff(tree.community2), CycleState.SORT)
    item = Item.objects.get(cycle=theirs)
    client = _client(staff)
    for name, pk in (
        ("serviceday:cycle-detail", theirs.pk),
        ("serviceday:cycle-complete", theirs.pk),
        ("serviceday:opinion-add", theirs.pk),
        ("serviceday:opinion-matters", theirs.pk),
        ("serviceday:item-create", theirs.pk),
        ("serviceday:item-edit", item.pk),
        ("serviceday:item-drop", item.pk),
        ("serviceday:item-result", item.pk),
    ):
        assert client.get(reverse(name, args=[pk])).status_code == 404, name
        if name != "serviceday:cycle-detail":
            assert client.post(reverse(name, args=[pk]), {"version": 1, "title": "x", "reason": "x"}).status_code == 404
    assert Item.objects.get(pk=item.pk).title == "义诊1"
    assert ServiceCycle.objects.get(pk=theirs.pk).state == CycleState.SORT


def test_who_gets_in(tree: CityTree) -> None:
    cycle = open_cycle(tree.community)
    detail = reverse("serviceday:cycle-detail", args=[cycle.pk])
    complete_url = reverse("serviceday:cycle-complete", args=[cycle.pk])
    assert Client().get(detail).status_code == 302  # to sign in
    assert _client(verified_resident(tree.community)).get(detail).status_code == 403
    grid_worker = _client(make_staff(role=Role.GRID_WORKER, place=tree.grid, username="gw"))
    assert grid_worker.get(reverse("serviceday:cycle-list")).status_code == 200  # grid workers read…
    assert grid_worker.get(detail).status_code == 200  # …their community's cycles (a community-wide read)…
    sibling = open_cycle(tree.community2)
    assert grid_worker.get(reverse("serviceday:cycle-detail", args=[sibling.pk])).status_code == 404  # …only
    assert grid_worker.get(complete_url).status_code == 403  # and they do not run it
    assert (
        _client(make_staff(role=Role.AUDIT_ADMIN, place=tree.city, username="auditor")).get(detail).status_code == 403
    )


def test_contacts_are_masked_for_whoever_may_not_see_personal_data(tree: CityTree, march_20: None) -> None:
    cycle = open_cycle(tree.community)
    staff_opinion(cycle, name="张三丰", phone="13812345678")
    detail = reverse("serviceday:cycle-detail", args=[cycle.pk])
    unmasked = _client(community_staff(tree.community)).get(detail).content.decode()
    assert "张三丰" in unmasked
    assert "13812345678" in unmasked
    street = _client(make_staff(role=Role.STREET_STAFF, place=tree.street, username="street"))
    masked = street.get(detail).content.decode()
    assert "张三丰" not in masked
    assert "13812345678" not in masked
    assert "张*丰" in masked
    assert "138****5678" in masked


def test_completing_a_stage_from_its_page(tree: CityTree, march_20: None) -> None:
    staff = community_staff(tree.community)
    cycle = open_cycle(tree.community)
    client = _client(staff)
    url = reverse("serviceday:cycle-complete", args=[cycle.pk])
    assert client.get(url).status_code == 200
    stale = client.post(url, {"version": cycle.version + 5, "text": ""})
    assert stale.status_code == 409
    assert 'data-testid="refusal"' in stale.content.decode()
    response = client.post(url, {"version": cycle.version, "text": "共收集意见"})
    assert response.status_code == 302
    cycle.refresh_from_db()
    assert (cycle.state, cycle.collect_done_on) == (CycleState.SORT, date(2026, 3, 20))
    no_item = client.post(url, {"version": cycle.version, "text": ""})
    assert no_item.status_code == 400
    assert "at least one item" in no_item.content.decode()
    assert ServiceCycle.objects.get(pk=cycle.pk).state == CycleState.SORT


def test_the_feedback_form_says_which_field_and_saves_nothing(tree: CityTree) -> None:
    staff = community_staff(tree.community)
    cycle = cycle_at(tree.community, staff, CycleState.EVALUATE)
    with clock(at(date(2026, 4, 10), 9)):
        client = _client(staff)
        url = reverse("serviceday:cycle-complete", args=[cycle.pk])
        response = client.post(url, {"version": cycle.version, "text": ""})
        assert response.status_code == 400
        assert 'data-testid="error-text"' in response.content.decode()
        too_long = client.post(url, {"version": cycle.version, "text": "长" * 3001})
        assert too_long.status_code == 400
        assert ServiceCycle.objects.get(pk=cycle.pk).feedback_note == ""
        early = cycle_at(tree.community2, community_staff(tree.community2), CycleState.EVALUATE)
    with clock(at(date(2026, 4, 9), 9)):
        response = _client(community_staff(tree.community2)).post(
            reverse("serviceday:cycle-complete", args=[early.pk]), {"version": early.version, "text": "反馈"}
        )
    assert response.status_code == 400
    assert "can be completed from" in response.content.decode()


def test_recording_and_pulling_opinions_from_the_pages(tree: CityTree, march_20: None) -> None:
    staff = community_staff(tree.community)
    cycle = open_cycle(tree.community)
    client = _client(staff)
    url = reverse("serviceday:opinion-add", args=[cycle.pk])
    assert client.get(url).status_code == 200
    bad = client.post(url, {"topic": "weather", "text": "", "phone": "call me"})
    assert bad.status_code == 400
    body = bad.content.decode()
    assert all(f'data-testid="error-{field}"' in body for field in ("topic", "text"))
    assert not Opinion.objects.exists()
    assert client.post(url, {"topic": "health", "text": "想量血压", "name": "李"}).status_code == 302
    assert Opinion.objects.get().source == "staff"
    pull = reverse("serviceday:opinion-matters", args=[cycle.pk])
    assert client.get(pull).status_code == 200
    forged = client.post(pull, {"matters": ["20260320000001"], "topic": "other"})
    assert forged.status_code == 400
    assert 'data-testid="error-matters"' in forged.content.decode()


def test_making_an_item_and_recording_its_result_from_the_pages(tree: CityTree) -> None:
    staff = community_staff(tree.community)
    with clock(at(date(2026, 3, 16), 9)):
        cycle = open_cycle(tree.community)
        opinion = staff_opinion(cycle)
        cycle_obj = ServiceCycle.objects.get(pk=cycle.pk)
        client = _client(staff)
        client.post(reverse("serviceday:cycle-complete", args=[cycle.pk]), {"version": cycle_obj.version})
        member = registered_member(tree.community)
        foreign = registered_member(tree.community2)
        url = reverse("serviceday:item-create", args=[cycle.pk])
        assert client.get(url).status_code == 200
        refused = client.post(url, {"title": "义诊", "topic": "health", "members": [foreign.pk]})
        assert refused.status_code == 400
        assert 'data-testid="error-members"' in refused.content.decode()
        assert not Item.objects.exists()
        made = client.post(url, {"title": "义诊", "topic": "health", "opinions": [opinion.pk], "members": [member.pk]})
        assert made.status_code == 302
        item = Item.objects.get()
        edit = reverse("serviceday:item-edit", args=[item.pk])
        assert client.get(edit).status_code == 200
        stale = client.post(edit, {"title": "新", "topic": "health", "version": item.version + 1})
        assert stale.status_code == 409
        cycle_obj.refresh_from_db()
        client.post(reverse("serviceday:cycle-complete", args=[cycle.pk]), {"version": cycle_obj.version})
    result = reverse("serviceday:item-result", args=[item.pk])
    with clock(at(date(2026, 4, 4), 9)):
        early = _client(staff).post(result, {"version": item.version, "done": "yes"})
    assert early.status_code == 400
    assert "from the service day" in early.content.decode()
    with clock(at(date(2026, 4, 5), 16)):
        client = _client(staff)
        no_reason = client.post(result, {"version": item.version, "done": "no", "note": ""})
        assert no_reason.status_code == 400
        assert 'data-testid="error-note"' in no_reason.content.decode()
        assert client.post(result, {"version": item.version, "done": "yes", "note": "来了三十人"}).status_code == 302
    item.refresh_from_db()
    assert (item.state, item.result_note) == (ItemState.DONE, "来了三十人")
    with clock(at(date(2026, 4, 5), 17)):
        closed = _client(staff).get(reverse("serviceday:item-edit", args=[item.pk])).content.decode()
    assert 'data-testid="refusal"' in closed
    assert 'data-testid="item-form"' not in closed


def test_the_excel_export_has_the_figures_and_no_personal_data(tree: CityTree, march_20: None) -> None:
    staff = community_staff(tree.community)
    cycle = open_cycle(tree.community)
    staff_opinion(cycle, name="张三丰", phone="13812345678")
    response = _client(staff).get(reverse("serviceday:cycle-export"))
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][0] == tree.community.name
    assert rows[1][2] == "2026-03"
    text = " ".join(str(value) for ws in workbook.worksheets for row in ws.iter_rows(values_only=True) for value in row)
    assert "张三丰" not in text
    assert "13812345678" not in text
    assert "Collect opinions (征集意见)" in text  # late


def test_the_scope_worlds_objects_open_where_they_should(tree: CityTree) -> None:
    """``factories.service_day_at`` (for the scope matrix): own community's objects open, a sibling's are not found."""
    from gridwork.serviceday.tests.factories import service_day_at

    own = service_day_at(tree.community, "SCOPE-OWN-MARK")
    again = service_day_at(tree.community, "SCOPE-CHILD-MARK")
    sibling = service_day_at(tree.community2, "SCOPE-SIBLING-MARK")
    assert own["service_cycle"].pk != again["service_cycle"].pk
    client = _client(community_staff(tree.community))
    for objects, status in ((own, 200), (again, 200), (sibling, 404)):
        cycle, item = objects["service_cycle"], objects["service_item"]
        for name, pk in (
            ("serviceday:cycle-detail", cycle.pk),
            ("serviceday:cycle-complete", cycle.pk),
            ("serviceday:opinion-add", cycle.pk),
            ("serviceday:opinion-matters", cycle.pk),
            ("serviceday:item-create", cycle.pk),
            ("serviceday:item-edit", item.pk),
            ("serviceday:item-drop", item.pk),
            ("serviceday:item-result", item.pk),
        ):
            assert client.get(reverse(name, args=[pk])).status_code == status, (name, status)
    body = client.get(reverse("serviceday:cycle-list")).content.decode()
    assert reverse("serviceday:cycle-detail", args=[own["service_cycle"].pk]) in body
    assert reverse("serviceday:cycle-detail", args=[sibling["service_cycle"].pk]) not in body
    assert "SCOPE-SIBLING-MARK" not in body


def test_the_staff_read_the_words_of_the_ratings_but_not_who_gave_them(tree: CityTree) -> None:
    from gridwork.serviceday.services.ratings import item_rate

    staff = community_staff(tree.community)
    cycle = cycle_at(tree.community, staff, CycleState.EVALUATE)
    item = Item.objects.get(cycle=cycle)
    resident = verified_resident(tree.community)
    item_rate(actor=resident, item=item, stars=2, comment="排队时间太长，希望分时段预约", at=at(date(2026, 4, 7)))
    item_rate(actor=verified_resident(tree.community), item=item, stars=5, at=at(date(2026, 4, 7)))
    body = _client(staff).get(reverse("serviceday:cycle-detail", args=[cycle.pk])).content.decode()
    assert body.count('data-testid="rating-comment"') == 1  # the rating without words adds no line
    assert "排队时间太长，希望分时段预约" in body
    assert resident.full_name not in body
    assert resident.phone not in body
