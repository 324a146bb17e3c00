"""The pages of the record and the dual evaluation (双评价): the staff list with a form on each row, a member's record
and grading form (field errors 400, stale and final 409), sending, the staff Excel; the employer's member page, report
and Excel (sent evaluations of their own members only; anyone else's member is not found); the member's home."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from gridwork.accounts.roles import Role
from gridwork.accounts.tests.factories import make_resident_user, make_staff
from gridwork.audit.models import AuditEvent
from gridwork.party.evaluations import evaluations_send, member_evaluate
from gridwork.party.models import EvaluationGrade, MemberEvaluation, MemberRegistration
from gridwork.party.periods import Period, PeriodKind
from gridwork.party.tests.factories import (
    World,
    at,
    claimed_wish,
    confirmed,
    contact_of,
    done_order,
    earn,
    make_world,
    point_rules,
    registered_since,
    submit,
)
from gridwork.places.tests.factories import CityTree
from gridwork.points.models import PointBasis
from gridwork.points.services import Source
from gridwork.volunteers.models import OrderState, ServiceOrder
from gridwork.wishes.models import Wish, WishState

pytestmark = pytest.mark.django_db

H2 = Period(PeriodKind.HALF, 2025, 2)


@pytest.fixture
def world(tree: CityTree) -> World:
    point_rules()
    return make_world(tree)


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _member(world: World, phone: str = "13900001111", name: str = "李明华", **values: Any) -> MemberRegistration:
    user = world.member if phone == "13900001111" else make_resident_user(phone=phone)
    registration = confirmed(world, user=user, name=name, phone=phone, **values)
    return registered_since(registration, at("2025-01-02 09:00"))


def _grade(world: World, member: MemberRegistration, grade: str = EvaluationGrade.EXCELLENT, **values: Any) -> Any:
    staff = world.staff if member.community_id == world.tree.community.pk else world.staff2
    return member_evaluate(
        actor=values.pop("actor", staff),
        registration=member,
        period=values.pop("period", H2),
        grade=grade,
        comment=values.pop("comment", "表现突出"),
    )


def _member_url(member: MemberRegistration, period: Period = H2) -> str:
    return f"{reverse('party:evaluation-member', args=[member.pk])}?period={period.code}"


def _list_url(world: World, period: Period = H2) -> str:
    return f"{reverse('party:evaluations')}?community={world.tree.community.code}&period={period.code}"


def _post(member: MemberRegistration, **values: Any) -> dict[str, Any]:
    data = {"period": H2.code, "expected_version": 0, "grade": EvaluationGrade.EXCELLENT, "comment": "认真负责"}
    data.update(values)
    return data


def _rows(content: bytes) -> list[tuple[Any, ...]]:
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    return list(sheet.iter_rows(values_only=True))


# --- staff ----------------------------------------------------------------------------------------------------------


def test_the_staff_pages_need_sign_in_and_refuse_residents(world: World) -> None:
    member = _member(world)
    resident = _client(make_resident_user(phone="13700001111"))
    for url in (_list_url(world), _member_url(member), reverse("party:evaluations-export")):
        assert Client().get(url)["Location"].startswith(reverse("accounts:login")), url
        assert resident.get(url).status_code == 403, url
        assert _client(world.staff).get(url).status_code == 200, url
    assert resident.post(reverse("party:evaluations-send")).status_code == 403


def test_another_communitys_staff_do_not_find_the_member_and_cannot_grade_or_send(world: World) -> None:
    member = _member(world)
    other = _client(world.staff2)
    assert other.get(_member_url(member)).status_code == 404
    assert other.post(_member_url(member), _post(member)).status_code == 404
    assert f"row-{member.pk}" not in other.get(reverse("party:evaluations") + f"?period={H2.code}").content.decode()
    _grade(world, member)
    send = {"community": world.tree.community.code, "period": H2.code}
    assert other.post(reverse("party:evaluations-send"), send).status_code == 404
    assert MemberEvaluation.objects.get().sent_at is None


def test_a_grid_worker_sees_the_record_but_may_not_grade(world: World) -> None:
    member = _member(world)
    grid_worker = _client(make_staff(role=Role.GRID_WORKER, place=world.tree.grid, username="grid"))
    html = grid_worker.get(_member_url(member)).content.decode()
    assert 'data-testid="performance-record"' in html
    assert 'data-testid="evaluation-form"' not in html
    assert grid_worker.post(_member_url(member), _post(member)).status_code == 403
    assert not MemberEvaluation.objects.exists()


def test_the_list_shows_the_communitys_members_with_their_figures_and_a_form_each(world: World) -> None:
    member = _member(world)
    elsewhere = _member(
        world, phone="13900002222", name="王五", community=world.tree.community2, building=world.building2
    )
    done_order(member, completed_at=at("2025-12-31 23:30"), hours="2", rating=4)
    done_order(member, completed_at=at("2026-01-01 00:10"), hours="3", rating=1)  # the next year: not in H2
    html = _client(world.staff).get(_list_url(world)).content.decode()
    row = html[html.index(f'data-testid="row-{member.pk}"') :]
    row = row[: row.index("</tr>")]
    assert _member_url(member) in row
    assert ">1<" in row
    assert ">2<" in row
    assert "4.0" in row
    assert 'data-testid="grade-button"' in row
    assert f"row-{elsewhere.pk}" not in html
    assert 'data-testid="send-button"' not in html  # nothing graded yet


def test_grading_from_the_list_goes_back_to_the_list(world: World) -> None:
    member = _member(world)
    response = _client(world.staff).post(_member_url(member), _post(member, back="list", grade="competent"))
    assert response.status_code == 302
    assert response["Location"] == _list_url(world)
    evaluation = MemberEvaluation.objects.get()
    assert (evaluation.registration, evaluation.grade, evaluation.comment) == (member, "competent", "认真负责")
    html = _client(world.staff).get(_list_url(world)).content.decode()
    assert 'data-testid="send-button"' in html


def test_a_refused_grade_shows_the_fields_errors(world: World) -> None:
    member = _member(world)
    client = _client(world.staff)
    response = client.post(_member_url(member), _post(member, grade="", comment=""))
    assert response.status_code == 400
    assert 'data-testid="error-grade"' in response.content.decode()
    response = client.post(_member_url(member), _post(member, grade=EvaluationGrade.NOT_COMPETENT, comment=""))
    assert response.status_code == 400
    assert 'data-testid="error-comment"' in response.content.decode()
    response = client.post(_member_url(member), _post(member, period="2025-Q3"))
    assert response.status_code == 400
    assert 'data-testid="form-errors"' in response.content.decode()
    assert not MemberEvaluation.objects.exists()


def test_grading_again_replaces_a_stale_page_is_refused_and_a_sent_one_is_final(world: World) -> None:
    member = _member(world)
    client = _client(world.staff)
    assert client.post(_member_url(member), _post(member)).status_code == 302
    stale = client.post(_member_url(member), _post(member, grade="competent"))  # the page showed no evaluation
    assert stale.status_code == 409
    assert 'data-testid="refusal"' in stale.content.decode()
    assert client.post(_member_url(member), _post(member, grade="competent", expected_version=1)).status_code == 302
    assert MemberEvaluation.objects.get().grade == "competent"
    evaluations_send(actor=world.staff, community=world.tree.community, period=H2)
    final = client.post(_member_url(member), _post(member, grade="excellent", expected_version=2))
    assert final.status_code == 409
    assert 'data-testid="evaluation-form"' not in client.get(_member_url(member)).content.decode()
    assert MemberEvaluation.objects.get().grade == "competent"


def test_sending_from_the_list(world: World) -> None:
    member = _member(world)
    _grade(world, member)
    client = _client(world.staff)
    send = {"community": world.tree.community.code, "period": H2.code}
    response = client.post(reverse("party:evaluations-send"), send)
    assert response.status_code == 302
    assert MemberEvaluation.objects.get().sent_at is not None
    again = client.post(reverse("party:evaluations-send"), send)
    assert again.status_code == 400
    assert 'data-testid="refusal"' in again.content.decode()


def test_the_staff_excel_has_a_row_per_member_masked_without_the_personal_data_permission(world: World) -> None:
    member = _member(world)
    _member(world, phone="13900002222", name="王五", building=world.building_b)
    _grade(world, member, comment="带头服务")
    done_order(member, completed_at=at("2025-09-01 10:00"))  # after grading: the sheet shows the figures as graded
    url = f"{reverse('party:evaluations-export')}?community={world.tree.community.code}&period={H2.code}"
    rows = _rows(_client(world.staff).get(url).content)
    assert len(rows) == 3
    graded = next(row for row in rows if row[2] == "李明华")
    assert graded[4] == 0  # no service when graded
    assert graded[12:14] == (str(EvaluationGrade.EXCELLENT.label), "带头服务")
    other = next(row for row in rows if row[2] == "王五")
    assert other[12] in ("", None)
    assert AuditEvent.objects.filter(action="member_evaluation.export_unmasked").count() == 1
    masked = _rows(_client(world.street_staff).get(url).content)
    assert {row[2] for row in masked[1:]} == {"李*华", "王*"}


# --- the employer ---------------------------------------------------------------------------------------------------


def test_the_employer_sees_the_record_and_only_the_sent_evaluations_of_its_own_members(world: World) -> None:
    ours = _member(world)
    theirs = _member(world, phone="13900003333", name="赵六", employer_unit=world.unit2)
    done_order(ours, completed_at=at("2025-08-01 10:00"), hours="2", rating=5)
    _grade(world, ours, comment="热心服务居民")
    employer = _client(contact_of(world.unit, "13900005555"))
    page = employer.get(reverse("unit:member", args=[ours.pk]) + "?period=2025-H2").content.decode()
    assert 'data-testid="figure-services">1<' in page
    assert "热心服务居民" not in page  # graded, not sent
    assert employer.get(reverse("unit:member", args=[theirs.pk])).status_code == 404
    evaluations_send(actor=world.staff, community=world.tree.community, period=H2)
    page = employer.get(reverse("unit:member", args=[ours.pk])).content.decode()
    assert "热心服务居民" in page
    assert 'data-testid="grade"' in page


def test_the_employers_report_lists_its_members_with_the_sent_grades(world: World) -> None:
    ours = _member(world)
    ours_unsent = _member(
        world, phone="13900002222", name="王五", community=world.tree.community2, building=world.building2
    )
    theirs = _member(world, phone="13900003333", name="赵六", employer_unit=world.unit2)
    _grade(world, ours, comment="服务居民积极")
    _grade(world, ours_unsent, grade=EvaluationGrade.NOT_COMPETENT, comment="未参加服务")
    _grade(world, theirs, comment="别家的评价")
    evaluations_send(actor=world.staff, community=world.tree.community, period=H2)  # ours and theirs, not ours_unsent
    employer = _client(contact_of(world.unit, "13900005555"))
    html = employer.get(reverse("unit:evaluations") + f"?period={H2.code}").content.decode()
    assert f"report-row-{ours.pk}" in html
    assert f"report-row-{ours_unsent.pk}" in html
    assert f"report-row-{theirs.pk}" not in html
    assert "别家的评价" not in html
    assert "服务居民积极" in html
    assert "未参加服务" not in html
    assert employer.get(reverse("unit:evaluations")).status_code == 200  # the newest period sent, by default

    rows = _rows(employer.get(reverse("unit:evaluations-export") + f"?period={H2.code}").content)
    assert len(rows) == 3
    by_name = {row[0]: row for row in rows[1:]}
    assert set(by_name) == {"李明华", "王五"}
    assert by_name["李明华"][1:4] == (world.unit.name, world.tree.community.name, world.building.name)
    assert by_name["李明华"][12:14] == (str(EvaluationGrade.EXCELLENT.label), "服务居民积极")
    assert by_name["王五"][12] in ("", None)
    assert by_name["王五"][13] in ("", None)


def test_an_employer_report_needs_a_contact(world: World) -> None:
    _member(world)
    assert _client(make_resident_user(phone="13700001111")).get(reverse("unit:evaluations")).status_code == 403
    assert _client(world.staff).get(reverse("unit:evaluations-export")).status_code == 403


# --- the member's home ----------------------------------------------------------------------------------------------


def _published(world: World, community: Any, building: Any) -> Wish:
    return Wish.objects.create(
        title="轮椅一辆",
        value=300,
        beneficiary_name="张桂兰",
        community=community,
        building=building,
        posted_by=make_resident_user(phone=f"1350000{Wish.objects.count():04d}"),
        state=WishState.PUBLISHED,
        published_at=timezone.now() - timedelta(days=1),
    )


def test_the_members_home_shows_wishes_orders_points_record_and_sent_evaluations(world: World) -> None:
    member = _member(world)
    _published(world, world.tree.community, world.building)
    _published(world, world.tree.community2, world.building2)  # same street
    order = ServiceOrder.objects.create(
        ordered_by=make_resident_user(phone="13600001111"),
        for_name="王大爷",
        for_phone="13812345678",
        community=member.community,
        building=member.building,
        text="陪同就医",
        wanted_on=timezone.localdate() + timedelta(days=1),
        state=OrderState.ISSUED,
    )
    order.issued_to.add(member)
    done = done_order(member, completed_at=timezone.now() - timedelta(minutes=5), hours="3", rating=5)
    earn(member, basis=PointBasis.SERVICE_HOUR, quantity=3, source=Source("order", done.pk), on=timezone.localdate())
    claimed_wish(member, fulfilled_at=timezone.now() - timedelta(minutes=1))
    _grade(world, member, comment="年度表现优秀")
    _grade(world, member, period=Period(PeriodKind.YEAR, 2025), comment="尚未发送的评价")
    evaluations_send(actor=world.staff, community=world.tree.community, period=H2)

    html = _client(world.member).get(reverse("member:home")).content.decode()
    assert 'data-testid="wishes-count">2<' in html
    assert 'data-testid="orders-count">1<' in html
    assert 'data-testid="points-balance">30<' in html
    assert f'href="{reverse("member_wishes:list")}"' in html
    assert f'href="{reverse("member_orders:list")}"' in html
    assert f'href="{reverse("member_points:home")}"' in html
    record = html[html.index('data-testid="my-record"') :]
    assert 'data-testid="figure-services">1<' in record
    assert 'data-testid="figure-wishes-fulfilled">1<' in record
    assert 'data-testid="figure-points-earned">30<' in record
    assert str(timezone.localdate().year) in record[: record.index("</h2>")]
    assert "年度表现优秀" in html
    assert "尚未发送的评价" not in html


def test_a_member_awaiting_confirmation_has_no_summary_yet(world: World) -> None:
    submit(world)
    html = _client(world.member).get(reverse("member:home")).content.decode()
    assert 'data-testid="pending"' in html
    assert 'data-testid="summary"' not in html
