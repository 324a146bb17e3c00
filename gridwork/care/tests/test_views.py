"""The staff pages of households in difficulty: who gets in (403 without the perm, 404 outside the area), audited
openings, masking, the forms' refusals, the export, and a need's one step to a matter."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from gridwork.accounts.models import User
from gridwork.audit.models import AuditEvent
from gridwork.care.models import Difficulty, HouseholdInDifficulty, Need, Pairing, Visit
from gridwork.care.tests.factories import HOUSEHOLDER, HOUSEHOLDER_PHONE, CareWorld, days_ago, flag, pair, visit
from gridwork.matters.models import Matter
from gridwork.wishes.models import Wish

pytestmark = pytest.mark.django_db

ADDRESS = "春晖路1号1号楼1单元101"


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _views(record: HouseholdInDifficulty) -> int:
    return AuditEvent.objects.filter(action="care.household.view", object_id=str(record.pk)).count()


# --- who gets in ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [("staff", 200), ("grid_worker", 200), ("street", 200), ("department", 403), ("dispatcher", 403)],
)
def test_the_list_needs_view_difficulty(world: CareWorld, who: str, status: int) -> None:
    assert client_for(getattr(world, who)).get(reverse("care:list")).status_code == status
    assert client_for(getattr(world, who)).get(reverse("care:export")).status_code == status


def test_anonymous_users_sign_in_and_residents_and_members_are_refused(world: CareWorld) -> None:
    record = flag(world)
    for url in (reverse("care:list"), reverse("care:detail", args=[record.pk]), reverse("care:flag")):
        response = Client().get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
        assert client_for(world.member.user).get(url).status_code == 403
    assert _views(record) == 0


@pytest.mark.parametrize(("who", "status"), [("department", 403), ("dispatcher", 403), ("grid_worker", 403)])
def test_flagging_without_manage_difficulty_is_forbidden(world: CareWorld, who: str, status: int) -> None:
    client = client_for(getattr(world, who))
    assert client.get(reverse("care:flag")).status_code == status
    response = client.post(
        reverse("care:flag"), {"household": world.household.code, "kinds": ["disability"], "since": "2025-01-01"}
    )
    assert response.status_code == status
    assert not HouseholdInDifficulty.objects.exists()


def test_community_staff_find_and_flag_a_household(world: CareWorld) -> None:
    client = client_for(world.staff)
    found = client.get(reverse("care:flag"), {"q": "1单元101"})
    assert found.status_code == 200
    assert ADDRESS in found.content.decode()
    response = client.post(
        reverse("care:flag"),
        {"household": world.household.code, "kinds": ["elderly_alone", "disability"], "since": "2025-03-01"},
    )
    record = HouseholdInDifficulty.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("care:detail", args=[record.pk])
    assert record.kinds == ["elderly_alone", "disability"]


def test_another_communitys_staff_cannot_flag_nor_find_the_household(world: CareWorld) -> None:
    client = client_for(world.staff2)
    assert ADDRESS not in client.get(reverse("care:flag"), {"q": "1单元101"}).content.decode()
    response = client.post(
        reverse("care:flag"), {"household": world.household.code, "kinds": ["disability"], "since": "2025-01-01"}
    )
    assert response.status_code == 400
    assert not HouseholdInDifficulty.objects.exists()


def test_a_refused_flag_says_which_field_and_why(world: CareWorld) -> None:
    response = client_for(world.staff).post(reverse("care:flag"), {"household": world.household.code, "since": ""})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-testid="error-kinds"' in html
    assert 'data-testid="error-since"' in html
    assert not HouseholdInDifficulty.objects.exists()


def test_a_record_of_another_area_is_not_found_and_its_forms_refused(world: CareWorld) -> None:
    record = flag(world)
    pairing = pair(world, record)
    need = visit(world, record, needs=("冰箱坏了需要维修",)).needs.get()
    for user in (world.staff2, world.grid2_worker):
        client = client_for(user)
        assert client.get(reverse("care:detail", args=[record.pk])).status_code == 404
        assert (
            client.post(reverse("care:visit", args=[record.pk]), {"notes": "x", "visited_on": "2026-01-01"}).status_code
            == 404
        )
        assert client.post(reverse("care:need-matter", args=[need.pk]), {"text": "冰箱坏了需要维修"}).status_code == 404
    staff2 = client_for(world.staff2)
    for name in ("edit", "end", "pair"):
        assert staff2.post(reverse(f"care:{name}", args=[record.pk]), {"reason": "x"}).status_code == 404
    assert staff2.post(reverse("care:unpair", args=[record.pk, pairing.pk]), {"reason": "x"}).status_code == 404
    assert _views(record) == 0
    assert Visit.objects.count() == 1
    assert Pairing.objects.get().is_open
    assert not Matter.objects.exists()


def test_viewers_without_manage_may_not_use_the_managing_forms(world: CareWorld) -> None:
    record = flag(world)
    for user in (world.street, world.grid_worker):
        client = client_for(user)
        for name in ("edit", "end", "pair"):
            assert client.post(reverse(f"care:{name}", args=[record.pk]), {"reason": "x"}).status_code == 403
    assert HouseholdInDifficulty.objects.get().is_open


# --- the record: audited, masked ---------------------------------------------------------------------------------


def test_every_opening_of_a_record_is_audited(world: CareWorld) -> None:
    record = flag(world)
    client = client_for(world.street)
    assert client.get(reverse("care:detail", args=[record.pk])).status_code == 200
    assert client.get(reverse("care:detail", args=[record.pk])).status_code == 200
    client_for(world.grid_worker).get(reverse("care:detail", args=[record.pk]))
    rows = list(AuditEvent.objects.filter(action="care.household.view").order_by("id"))
    assert [(row.actor, row.object_id) for row in rows] == [
        (world.street, str(record.pk)),
        (world.street, str(record.pk)),
        (world.grid_worker, str(record.pk)),
    ]
    assert rows[0].object_type == "care.householdindifficulty"
    assert rows[0].ip_address == "127.0.0.1"


def test_names_and_addresses_are_masked_without_personal_data_rights(world: CareWorld) -> None:
    record = flag(world)
    pair(world, record)
    visit(world, record)
    street = client_for(world.street)
    for url in (reverse("care:list"), reverse("care:detail", args=[record.pk])):
        html = street.get(url).content.decode()
        assert HOUSEHOLDER not in html
        assert ADDRESS not in html
        assert HOUSEHOLDER_PHONE not in html
        assert "李明华" not in html  # the paired member's name
        assert "王*英" in html
        assert "1号楼 · ***" in html
    detail = street.get(reverse("care:detail", args=[record.pk])).content.decode()
    assert "138****1234" in detail
    assert "Elderly living alone" in detail or "独居老人" in detail
    worker = client_for(world.grid_worker).get(reverse("care:detail", args=[record.pk])).content.decode()
    assert HOUSEHOLDER in worker
    assert ADDRESS in worker
    assert HOUSEHOLDER_PHONE in worker


def test_form_pages_show_the_household_masked_and_without_its_kinds(world: CareWorld) -> None:
    record = flag(world)
    html = client_for(world.staff).get(reverse("care:visit", args=[record.pk])).content.decode()
    assert ADDRESS not in html
    assert "独居老人" not in html
    assert "Elderly living alone" not in html
    assert _views(record) == 0


# --- the list and the export --------------------------------------------------------------------------------------


def test_the_list_shows_the_coverage_and_filters(world: CareWorld) -> None:
    record = flag(world, kinds=[Difficulty.DISABILITY])
    pair(world, record)
    visit(world, record, on=days_ago(40))
    flag(world, household=world.neighbour, kinds=[Difficulty.OTHER])
    client = client_for(world.staff)
    html = client.get(reverse("care:list")).content.decode()
    assert 'data-testid="coverage-households">2<' in html
    assert 'data-testid="coverage-paired">1<' in html
    assert 'data-testid="coverage-visited-30">0<' in html
    assert 'data-testid="coverage-visited-90">1<' in html
    assert html.count('data-testid="household-row"') == 2
    only = client.get(reverse("care:list"), {"kind": "disability", "paired": "yes", "not_visited_days": "30"})
    assert only.content.decode().count('data-testid="household-row"') == 1
    assert client.get(reverse("care:list"), {"not_visited_days": "-3"}).status_code == 400


def test_the_export_is_masked_like_the_page_and_audited(world: CareWorld) -> None:
    record = flag(world)
    pair(world, record)
    response = client_for(world.street).get(reverse("care:export"), {"kind": "elderly_alone"})
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    values = [str(cell.value) for row in sheet.iter_rows() for cell in row if cell.value is not None]
    assert "王*英" in values
    assert "1号楼 · ***" in values
    assert "李*华" in values
    assert not {HOUSEHOLDER, ADDRESS, HOUSEHOLDER_PHONE, "李明华"} & set(values)
    [row] = AuditEvent.objects.filter(action="care.household.export")
    assert row.actor == world.street
    assert row.detail == {"rows": 1, "unmasked": 0, "filters": {"kind": "elderly_alone"}}
    unmasked = client_for(world.staff).get(reverse("care:export"))
    values = [str(c.value) for r in load_workbook(io.BytesIO(unmasked.content)).worksheets[0].iter_rows() for c in r]
    assert HOUSEHOLDER in values
    assert AuditEvent.objects.filter(action="care.household.export").order_by("id").last().detail["unmasked"] == 1  # type: ignore[union-attr]


# --- pairing, visits, needs -----------------------------------------------------------------------------------------


def test_a_forged_pairing_with_another_communitys_member_is_refused(world: CareWorld) -> None:
    record = flag(world)
    client = client_for(world.staff)
    response = client.post(reverse("care:pair", args=[record.pk]), {"member": world.member2.pk})
    assert response.status_code == 400
    assert not Pairing.objects.exists()
    response = client.post(reverse("care:pair", args=[record.pk]), {"member": world.member.pk})
    assert response.status_code == 302
    assert Pairing.objects.get().member == world.member
    response = client.post(reverse("care:pair", args=[record.pk]), {"leader_username": "zhujian"})
    assert response.status_code == 302
    response = client.post(reverse("care:pair", args=[record.pk]), {"leader_username": "qiushi"})
    assert response.status_code == 400
    assert Pairing.objects.count() == 2


def test_a_grid_worker_records_a_visit_with_needs(world: CareWorld) -> None:
    record = flag(world)
    client = client_for(world.grid_worker)
    response = client.post(
        reverse("care:visit", args=[record.pk]),
        {"visited_on": days_ago(1).isoformat(), "notes": "屋里很冷", "needs": "需要一床棉被\n\n暖气片漏水"},
    )
    assert response.status_code == 302
    recorded = Visit.objects.get()
    assert recorded.recorded_by == world.grid_worker
    assert [need.text for need in recorded.needs.order_by("id")] == ["需要一床棉被", "暖气片漏水"]
    refused = client.post(reverse("care:visit", args=[record.pk]), {"visited_on": "", "notes": ""})
    assert refused.status_code == 400
    assert 'data-testid="error-notes"' in refused.content.decode()
    assert Visit.objects.count() == 1


def test_a_need_is_filed_as_a_matter_in_one_step_once(world: CareWorld) -> None:
    record = flag(world)
    need = visit(world, record, needs=("暖气片漏水，需要维修",)).needs.get()
    client = client_for(world.grid_worker)
    detail = client.get(reverse("care:detail", args=[record.pk])).content.decode()
    assert 'data-testid="file-matter"' in detail
    assert 'data-testid="post-wish"' not in detail  # grid workers do not post wishes on behalf
    response = client.post(reverse("care:need-matter", args=[need.pk]), {"text": need.text})
    assert response.status_code == 302
    matter = Matter.objects.get()
    assert matter.building == world.tree.microgrid
    assert Need.objects.get(pk=need.pk).matter == matter
    again = client_for(world.staff).post(reverse("care:need-matter", args=[need.pk]), {"text": need.text})
    assert again.status_code == 409
    assert Matter.objects.count() == 1
    detail = client.get(reverse("care:detail", args=[record.pk])).content.decode()
    assert matter.number in detail
    assert 'data-testid="file-matter"' not in detail


def test_a_need_is_posted_as_a_micro_wish_by_community_staff(world: CareWorld) -> None:
    record = flag(world)
    need = visit(world, record, needs=("想要一台电饭煲",)).needs.get()
    outsider = client_for(world.grid_worker).post(  # grid workers see the household but post no wishes on behalf
        reverse("care:need-wish", args=[need.pk]), {"title": "电饭煲", "value": "100", "beneficiary_name": HOUSEHOLDER}
    )
    assert outsider.status_code == 403
    assert client_for(world.staff2).get(reverse("care:need-wish", args=[need.pk])).status_code == 404
    assert not Wish.objects.exists()
    client = client_for(world.staff)
    form = client.get(reverse("care:need-wish", args=[need.pk]))
    assert form.status_code == 200
    assert HOUSEHOLDER in form.content.decode()  # prefilled for staff who may see it
    refused = client.post(reverse("care:need-wish", args=[need.pk]), {"title": "电饭煲", "value": "9999"})
    assert refused.status_code == 400
    assert not Wish.objects.exists()
    response = client.post(
        reverse("care:need-wish", args=[need.pk]),
        {"title": "一台电饭煲", "value": "199", "beneficiary_name": HOUSEHOLDER, "beneficiary_phone": ""},
    )
    assert response.status_code == 302
    assert Need.objects.get(pk=need.pk).wish == Wish.objects.get()
    again = client.post(
        reverse("care:need-wish", args=[need.pk]), {"title": "电饭煲", "value": "100", "beneficiary_name": HOUSEHOLDER}
    )
    assert again.status_code == 409
    assert Wish.objects.count() == 1


def test_ending_and_unpairing_through_the_pages(world: CareWorld) -> None:
    record = flag(world)
    pairing = pair(world, record)
    client = client_for(world.staff)
    assert client.post(reverse("care:unpair", args=[record.pk, pairing.pk]), {"reason": ""}).status_code == 400
    assert client.post(reverse("care:unpair", args=[record.pk, pairing.pk]), {"reason": "调动"}).status_code == 302
    assert not Pairing.objects.get().is_open
    assert client.post(reverse("care:end", args=[record.pk]), {"reason": "已脱困"}).status_code == 302
    assert not HouseholdInDifficulty.objects.get().is_open
    html = client.get(reverse("care:detail", args=[record.pk])).content.decode()
    assert 'data-testid="ended"' in html
    assert 'data-testid="visit-form"' not in html
