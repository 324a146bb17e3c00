"""The workforce pages: lists masked without the personal-data permission, scope (another street's worker: 404),
deny by default (community staff read but cannot change), bad input named with 400, a stale page 409, the ladders'
presets and pay table, training warnings, the staffing check and the Excel exports."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from gridwork.accounts.models import User
from gridwork.accounts.roles import Role
from gridwork.accounts.tests.factories import make_staff
from gridwork.audit.models import AuditEvent
from gridwork.places.tests.factories import CityTree
from gridwork.workforce import services
from gridwork.workforce.models import Appointment, PayLadder, Post, Worker
from gridwork.workforce.tests.factories import (
    city_staff,
    community_staff,
    make_course,
    make_ladder,
    make_worker,
    street_staff,
)

pytestmark = pytest.mark.django_db


def _client(user: User) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


@pytest.fixture
def street(tree: CityTree) -> User:
    return street_staff(tree)


@pytest.fixture
def secretary(tree: CityTree, street: User) -> Worker:
    return make_worker(
        street,
        tree.community,
        "李春晖",
        post=Post.HEAD,
        is_secretary=True,
        title="党委书记",
        phone="13812341234",
        id_number="520102198001011234",
    )


def test_anonymous_visitors_are_sent_to_sign_in() -> None:
    response = Client(HTTP_ACCEPT_LANGUAGE="en").get(reverse("workforce:worker-list"))
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_community_staff_see_their_workers_unmasked_and_cannot_change_them(
    tree: CityTree, secretary: Worker, street: User
) -> None:
    other = make_worker(street, tree.community2, "赵秋实")
    client = _client(community_staff(tree))
    page = client.get(reverse("workforce:worker-list")).content.decode()
    assert "李春晖" in page
    assert "13812341234" in page
    assert "赵" not in page  # another community's worker is not listed
    assert client.get(reverse("workforce:worker-detail", args=[other.pk])).status_code == 404
    assert client.get(reverse("workforce:worker-create")).status_code == 403
    response = client.post(reverse("workforce:worker-leave", args=[secretary.pk]), {"version": 1, "reason": "x"})
    assert response.status_code == 403
    secretary.refresh_from_db()
    assert secretary.active


def test_street_staff_see_names_masked(tree: CityTree, secretary: Worker, street: User) -> None:
    client = _client(street)
    page = client.get(reverse("workforce:worker-list")).content.decode()
    assert "李春晖" not in page
    assert "李*晖" in page
    assert "138****1234" in page
    detail = client.get(reverse("workforce:worker-detail", args=[secretary.pk])).content.decode()
    assert "520102198001011234" not in detail
    assert "520102********1234" in detail


def test_another_streets_staff_get_404_on_every_worker_page(tree: CityTree, secretary: Worker) -> None:
    client = _client(make_staff(role=Role.STREET_STAFF, place=tree.street2, username="street2"))
    for name in ("worker-detail", "worker-edit", "worker-move", "worker-regrade"):
        assert client.get(reverse(f"workforce:{name}", args=[secretary.pk])).status_code == 404, name
    for name in ("worker-leave", "worker-return", "worker-edit"):
        response = client.post(reverse(f"workforce:{name}", args=[secretary.pk]), {"version": 1, "reason": "x"})
        assert response.status_code == 404, name
    assert secretary.events.count() == 1


def test_appointing_from_the_page_and_bad_input_named(tree: CityTree, street: User) -> None:
    client = _client(street)
    bad = client.post(
        reverse("workforce:worker-create"),
        {
            "community": tree.community.pk,
            "name": "",
            "post": "deputy",
            "is_secretary": "on",
            "social_work_cert": "none",
        },
    )
    assert bad.status_code == 400
    assert 'data-testid="error-name"' in bad.content.decode()
    bad = client.post(
        reverse("workforce:worker-create"),
        {
            "community": tree.community.pk,
            "name": "甲",
            "post": "deputy",
            "is_secretary": "on",
            "social_work_cert": "none",
        },
    )
    assert bad.status_code == 400
    assert 'data-testid="error-is_secretary"' in bad.content.decode()
    assert not Worker.objects.exists()
    forged = client.post(
        reverse("workforce:worker-create"),
        {"community": tree.community.pk + 1000, "name": "甲", "post": "worker", "social_work_cert": "none"},
    )
    assert forged.status_code == 400
    ok = client.post(
        reverse("workforce:worker-create"),
        {"community": tree.community.pk, "name": "王小梅", "post": "worker", "social_work_cert": "assistant"},
    )
    worker = Worker.objects.get()
    assert ok.status_code == 302
    assert ok["Location"] == reverse("workforce:worker-detail", args=[worker.pk])


def test_a_stale_page_gets_409(tree: CityTree, secretary: Worker, street: User) -> None:
    client = _client(street)
    services.worker_update(
        actor=street, worker=secretary, details=services.WorkerDetails(name="李春晖", title="书记"), expected_version=1
    )
    response = client.post(reverse("workforce:worker-leave", args=[secretary.pk]), {"version": 1, "reason": "辞职"})
    assert response.status_code == 409
    secretary.refresh_from_db()
    assert secretary.active


def test_regrade_and_move_pages_keep_the_history(tree: CityTree, secretary: Worker, street: User) -> None:
    ladder = make_ladder(tree, city_staff(tree), "three_posts_11")
    client = _client(street)
    response = client.post(
        reverse("workforce:worker-regrade", args=[secretary.pk]),
        {
            "version": 1,
            "post": "head",
            "title": "党委书记",
            "is_secretary": "on",
            "ladder": ladder.pk,
            "grade": 9,
            "on": "2025-01-01",
            "reason": "以星定酬：四星",
        },
    )
    assert response.status_code == 302, response.content.decode()
    response = client.post(
        reverse("workforce:worker-move", args=[secretary.pk]),
        {"version": 2, "community": tree.community2.pk, "post": "head", "ladder": ladder.pk, "grade": 9, "reason": ""},
    )
    assert response.status_code == 400
    assert 'data-testid="error-reason"' in response.content.decode()
    response = client.post(
        reverse("workforce:worker-move", args=[secretary.pk]),
        {
            "version": 2,
            "community": tree.community2.pk,
            "post": "head",
            "ladder": ladder.pk,
            "grade": 9,
            "on": "2025-06-01",
            "reason": "交流任职",
        },
    )
    assert response.status_code == 302
    assert Appointment.objects.filter(worker=secretary).count() == 3
    page = client.get(reverse("workforce:worker-detail", args=[secretary.pk])).content.decode()
    assert page.count('data-testid="appointment-row"') == 3
    assert "交流任职" in page


def test_edit_without_personal_data_keeps_it(tree: CityTree, secretary: Worker, street: User) -> None:
    client = _client(street)
    form = client.get(reverse("workforce:worker-edit", args=[secretary.pk])).content.decode()
    assert "李春晖" not in form
    assert "13812341234" not in form
    response = client.post(
        reverse("workforce:worker-edit", args=[secretary.pk]),
        {
            "version": 1,
            "name": "篡改",
            "phone": "",
            "title": "党委书记",
            "social_work_cert": "social_worker",
            "party_member": "on",
        },
    )
    assert response.status_code == 302
    secretary.refresh_from_db()
    assert (secretary.name, secretary.phone, secretary.social_work_cert) == ("李春晖", "13812341234", "social_worker")


def test_ladders_presets_and_pay_table_pages(tree: CityTree) -> None:
    city = city_staff(tree)
    client = _client(city)
    page = client.get(reverse("workforce:ladder-list")).content.decode()
    assert "三岗十八级" in page
    response = client.post(reverse("workforce:ladder-preset"), {"key": "three_posts_18", "place": tree.city.pk})
    ladder = PayLadder.objects.get()
    assert response.status_code == 302
    assert (
        'data-testid="example-figures"'
        in client.get(reverse("workforce:ladder-detail", args=[ladder.pk])).content.decode()
    )
    again = client.post(reverse("workforce:ladder-preset"), {"key": "three_posts_18", "place": tree.city.pk})
    assert again.status_code == 400
    assert PayLadder.objects.count() == 1
    pays = {f"pay_{post}_{grade}": "5000" for post in ("head", "deputy", "worker") for grade in range(1, 19)}
    assert (
        client.post(reverse("workforce:ladder-pay", args=[ladder.pk]), {**pays, "pay_head_1": "-1"}).status_code == 400
    )
    assert client.post(reverse("workforce:ladder-pay", args=[ladder.pk]), pays).status_code == 302
    ladder.refresh_from_db()
    assert not ladder.example_figures
    stars = {"stars_5": "3", "stars_4": "5"}
    response = client.post(reverse("workforce:ladder-stars", args=[ladder.pk]), stars)
    assert response.status_code == 400
    assert 'data-testid="error-stars_5"' in response.content.decode()
    # Community staff read the city's ladder but cannot change it; a district's staff elsewhere cannot either.
    reader = _client(community_staff(tree))
    assert reader.get(reverse("workforce:ladder-detail", args=[ladder.pk])).status_code == 200
    assert reader.post(reverse("workforce:ladder-pay", args=[ladder.pk]), pays).status_code == 403
    district = _client(make_staff(role=Role.DISTRICT_STAFF, place=tree.district, username="district"))
    assert district.post(reverse("workforce:ladder-pay", args=[ladder.pk]), pays).status_code == 403
    other = services.ladder_preset_install(actor=city, key="three_posts_11", place=tree.district2)
    assert district.get(reverse("workforce:ladder-detail", args=[other.pk])).status_code == 404


def test_training_pages_warn_below_the_minimum(tree: CityTree, secretary: Worker, street: User) -> None:
    city = city_staff(tree)
    course = make_course(city, tree.city, hours="24", end=date(2026, 3, 5))
    client = _client(street)
    response = client.post(reverse("workforce:record-add", args=[course.pk]), {"worker": secretary.pk, "hours": "30"})
    assert response.status_code == 400
    assert 'data-testid="error-hours"' in response.content.decode()
    response = client.post(
        reverse("workforce:record-add", args=[course.pk]), {"worker": secretary.pk, "hours": "24", "passed": "on"}
    )
    assert response.status_code == 302
    page = client.get(reverse("workforce:training") + "?year=2026").content.decode()
    assert 'data-testid="training-warnings"' in page
    assert re.search(r'data-testid="below">32(\.0)?<', page)
    other_street = _client(make_staff(role=Role.STREET_STAFF, place=tree.street2, username="street2"))
    forged = other_street.post(
        reverse("workforce:record-add", args=[course.pk]), {"worker": secretary.pk, "hours": "1"}
    )
    assert forged.status_code == 400
    assert secretary.training.count() == 1
    record = secretary.training.get()
    assert other_street.post(reverse("workforce:record-remove", args=[record.pk])).status_code == 404
    export = client.get(reverse("workforce:training-export") + "?year=2026")
    sheet = load_workbook(io.BytesIO(export.content)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][1] == "李*晖"
    assert rows[1][3] == 24


def test_staffing_page_and_export(tree: CityTree, secretary: Worker, street: User) -> None:
    client = _client(street)
    page = client.get(reverse("workforce:staffing")).content.decode()
    assert page.count('data-testid="staffing-row"') == 2
    assert 'data-testid="gap">8<' in page  # 2,100 households → 9–11 required, one serving
    export = client.get(reverse("workforce:staffing-export"))
    rows = list(load_workbook(io.BytesIO(export.content)).worksheets[0].iter_rows(values_only=True))
    assert rows[1][:7] == ("春晖社区", tree.community.code, 2100, 9, 11, 1, 8)
    assert rows[-1][2:7] == (3900, 17, 21, 1, 16)  # the total row: gaps 8 + 8
    assert client.get(reverse("workforce:rule-edit")).status_code == 403
    city = _client(city_staff(tree))
    assert city.post(reverse("workforce:rule-edit"), {"base_min": "12", "base_max": "10"}).status_code == 400


def test_worker_export_masks_and_audits_unmasked(tree: CityTree, secretary: Worker, street: User) -> None:
    masked = _client(street).get(reverse("workforce:worker-export"))
    rows = list(load_workbook(io.BytesIO(masked.content)).worksheets[0].iter_rows(values_only=True))
    assert rows[1][1] == "李*晖"
    assert rows[1][4] == "520102********1234"
    assert not AuditEvent.objects.filter(action="worker.export_unmasked").exists()
    unmasked = _client(community_staff(tree)).get(reverse("workforce:worker-export"))
    rows = list(load_workbook(io.BytesIO(unmasked.content)).worksheets[0].iter_rows(values_only=True))
    assert rows[1][1] == "李春晖"
    assert AuditEvent.objects.filter(action="worker.export_unmasked").count() == 1


def test_reserve_pool_pages(tree: CityTree, street: User) -> None:
    client = _client(street)
    response = client.post(
        reverse("workforce:reserve-create"), {"street": tree.street.pk, "name": "", "social_work_cert": "none"}
    )
    assert response.status_code == 400
    response = client.post(
        reverse("workforce:reserve-create"),
        {"street": tree.street.pk, "name": "张后备", "phone": "13900001111", "social_work_cert": "none"},
    )
    assert response.status_code == 302
    page = client.get(reverse("workforce:reserve-list")).content.decode()
    assert "张*备" in page
    assert page.count('data-testid="pool-row"') == 1  # their own street only
    other = _client(make_staff(role=Role.STREET_STAFF, place=tree.street2, username="street2"))
    from gridwork.workforce.models import ReserveCandidate

    candidate = ReserveCandidate.objects.get()
    assert other.get(reverse("workforce:reserve-edit", args=[candidate.pk])).status_code == 404
    assert other.post(reverse("workforce:reserve-leave", args=[candidate.pk]), {"reason": "x"}).status_code == 404
    assert (
        client.post(reverse("workforce:reserve-leave", args=[candidate.pk]), {"reason": "任副书记"}).status_code == 302
    )
    candidate.refresh_from_db()
    assert candidate.left_at is not None


def test_every_page_renders_for_the_city(tree: CityTree, secretary: Worker) -> None:
    city = city_staff(tree)
    ladder = make_ladder(tree, city)
    course = make_course(city, tree.city)
    candidate = services.reserve_add(actor=city, street=tree.street, fields=services.CandidateFields(name="张后备"))
    client = _client(city)
    pages = [
        reverse("workforce:worker-list") + f"?community={tree.community.pk}&post=head&secretary=yes&state=all",
        reverse("workforce:worker-create"),
        reverse("workforce:worker-detail", args=[secretary.pk]),
        reverse("workforce:worker-edit", args=[secretary.pk]),
        reverse("workforce:worker-move", args=[secretary.pk]),
        reverse("workforce:worker-regrade", args=[secretary.pk]),
        reverse("workforce:ladder-list"),
        reverse("workforce:ladder-create"),
        reverse("workforce:ladder-detail", args=[ladder.pk]),
        reverse("workforce:course-list") + "?year=2026",
        reverse("workforce:course-create"),
        reverse("workforce:course-detail", args=[course.pk]),
        reverse("workforce:training") + "?year=nonsense",
        reverse("workforce:staffing"),
        reverse("workforce:rule-edit"),
        reverse("workforce:reserve-list") + "?state=left",
        reverse("workforce:reserve-create"),
        reverse("workforce:reserve-edit", args=[candidate.pk]),
    ]
    for url in pages:
        assert client.get(url).status_code == 200, url
