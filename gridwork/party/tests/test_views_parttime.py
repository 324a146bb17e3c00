"""Staff pages of part-time members: access, scope (a term of another area is not found and cannot be ended or
renewed; a forged organisation or unit is refused), forms that name the wrong field (400), the list with its
filters, the Excel export, and the unit's contact accounts."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from gridwork.accounts.models import User, UserKind
from gridwork.accounts.roles import Role
from gridwork.accounts.tests.factories import make_resident_user, make_staff
from gridwork.audit.models import AuditEvent
from gridwork.party.models import PartTimeMember, UnitContact
from gridwork.party.parttime import part_time_appoint
from gridwork.party.parttime_exports import part_time_xlsx
from gridwork.party.tests.test_parttime import Committees, make_committees
from gridwork.places.tests.factories import CityTree

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(tree: CityTree) -> Committees:
    return make_committees(tree)


def client_of(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def appoint(world: Committees, *, name: str = "张建国", days_left: int = 400, **kwargs: Any) -> PartTimeMember:
    today = timezone.localdate()
    values: dict[str, Any] = {
        "actor": world.staff.community,
        "organisation": world.community,
        "unit": world.unit,
        "name": name,
        "position": "党委书记",
        "term_start": today - timedelta(days=300),
        "term_end": today + timedelta(days=days_left),
        "duties": "联系单位在职党员\n协调单位资源进社区",
    }
    values.update(kwargs)
    return part_time_appoint(**values)


def post_data(world: Committees, **changes: str) -> dict[str, str]:
    data = {
        "organisation": world.community.code,
        "unit": str(world.unit.pk),
        "name": "张建国",
        "position": "党委书记",
        "term_start": "2026-01-01",
        "term_end": "2028-12-31",
        "duties": "联系单位在职党员\n协调单位资源进社区",
    }
    data.update(changes)
    return data


def test_pages_refuse_the_anonymous_residents_and_staff_without_the_perm(world: Committees) -> None:
    term = appoint(world)
    contact = UnitContact.objects.create(unit=world.unit, user=make_resident_user(phone="13900005555"))
    viewing = [
        reverse("party:parttime-list"),
        reverse("party:parttime-export"),
        reverse("party:parttime-detail", args=[term.pk]),
    ]
    managing = [
        reverse("party:parttime-create"),
        reverse("party:parttime-end", args=[term.pk]),
        reverse("party:parttime-renew", args=[term.pk]),
        reverse("party:unit-contact-create", args=[world.unit.pk]),
        reverse("party:unit-contact-remove", args=[world.unit.pk, contact.pk]),
    ]
    resident = client_of(make_resident_user(phone="13700001111"))
    grid = client_of(world.staff.grid)
    staff = client_of(world.staff.community)
    for url in viewing + managing:
        assert Client().get(url).status_code == 302, url
        assert resident.get(url).status_code == 403, url
        assert staff.get(url).status_code == 200, url
    for url in managing:
        assert grid.get(url).status_code == 403, url


def test_appointing_through_the_form(world: Committees) -> None:
    client = client_of(world.staff.community)
    page = client.get(reverse("party:parttime-create"), {"unit": world.unit.pk}).content.decode()
    assert world.community.code in page
    assert world.street.code not in page  # the community's staff do not appoint to the street's committee
    assert world.branch.code not in page
    response = client.post(reverse("party:parttime-create"), post_data(world))
    term = PartTimeMember.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("party:parttime-detail", args=[term.pk])
    assert term.duty_list == ["联系单位在职党员", "协调单位资源进社区"]


def test_a_refused_appointment_names_the_field_with_400(world: Committees) -> None:
    appoint(world)
    client = client_of(world.staff.community)
    overlapping = client.post(reverse("party:parttime-create"), post_data(world, term_start=str(timezone.localdate())))
    assert overlapping.status_code == 400
    assert 'data-testid="error-term_start"' in overlapping.content.decode()
    backwards = client.post(reverse("party:parttime-create"), post_data(world, term_end="2025-12-31", duties=""))
    assert backwards.status_code == 400
    assert 'data-testid="error-duties"' in backwards.content.decode()
    assert PartTimeMember.objects.count() == 1


def test_forged_organisation_or_unit_of_another_area_is_refused(world: Committees) -> None:
    client = client_of(world.staff.community2)
    response = client.post(reverse("party:parttime-create"), post_data(world))  # 春晖社区大党委, not theirs
    assert response.status_code == 400
    assert 'data-testid="error-organisation"' in response.content.decode()
    response = client.post(reverse("party:parttime-create"), post_data(world, organisation=world.community2.code))
    assert response.status_code == 400  # 春晖's unit, not registered with 秋实
    assert 'data-testid="error-unit"' in response.content.decode()
    assert not PartTimeMember.objects.exists()


def test_a_term_of_another_area_is_not_found_and_cannot_be_ended_or_renewed(world: Committees) -> None:
    term = appoint(world)
    for outsider in (world.staff.community2, world.staff.street2):
        client = client_of(outsider)
        assert client.get(reverse("party:parttime-detail", args=[term.pk])).status_code == 404
        ended = client.post(
            reverse("party:parttime-end", args=[term.pk]), {"ended_on": str(timezone.localdate()), "reason": "x"}
        )
        assert ended.status_code == 404
        renewed = client.post(reverse("party:parttime-renew", args=[term.pk]), post_data(world))
        assert renewed.status_code == 404
    term.refresh_from_db()
    assert term.ended_on is None
    assert PartTimeMember.objects.count() == 1


def test_ending_early_and_renewing_through_the_pages(world: Committees) -> None:
    term = appoint(world)
    client = client_of(world.staff.community)
    missing = client.post(reverse("party:parttime-end", args=[term.pk]), {"ended_on": str(timezone.localdate())})
    assert missing.status_code == 400
    assert 'data-testid="error-reason"' in missing.content.decode()
    renew_page = client.get(reverse("party:parttime-renew", args=[term.pk])).content.decode()
    assert str(term.term_end + timedelta(days=1)) in renew_page
    renewed = client.post(
        reverse("party:parttime-renew", args=[term.pk]),
        {
            "term_start": str(term.term_end + timedelta(days=1)),
            "term_end": str(term.term_end + timedelta(days=900)),
            "position": "党委书记",
            "duties": "联系单位在职党员",
        },
    )
    renewal = PartTimeMember.objects.get(renewed_from=term)
    assert renewed["Location"] == reverse("party:parttime-detail", args=[renewal.pk])
    ended = client.post(
        reverse("party:parttime-end", args=[term.pk]), {"ended_on": str(timezone.localdate()), "reason": "调离本单位"}
    )
    assert ended.status_code == 302
    term.refresh_from_db()
    assert term.end_reason == "调离本单位"
    detail = client.get(reverse("party:parttime-detail", args=[term.pk])).content.decode()
    assert 'data-testid="ended-on"' in detail
    assert reverse("party:parttime-end", args=[term.pk]) not in detail
    assert reverse("party:parttime-renew", args=[term.pk]) not in detail


def test_the_list_filters_expiring_terms_and_the_export_holds_them(world: Committees) -> None:
    soon = appoint(world, name="甲", days_left=30)
    later = appoint(world, name="乙", days_left=400)
    client = client_of(world.staff.community)
    current = client.get(reverse("party:parttime-list")).content.decode()
    assert reverse("party:parttime-detail", args=[soon.pk]) in current
    assert reverse("party:parttime-detail", args=[later.pk]) in current
    expiring = client.get(reverse("party:parttime-list"), {"status": "expiring"}).content.decode()
    assert reverse("party:parttime-detail", args=[soon.pk]) in expiring
    assert reverse("party:parttime-detail", args=[later.pk]) not in expiring
    export = client.get(reverse("party:parttime-export"), {"status": "expiring"})
    assert export.status_code == 200
    sheet = load_workbook(io.BytesIO(export.content)).worksheets[0]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 1
    assert rows[0][3] == world.unit.name
    assert "联系单位在职党员" in rows[0][11]


def _exported_names(user: Any) -> list[Any]:
    export = client_of(user).get(reverse("party:parttime-export"), {"status": "all"})
    assert export.status_code == 200
    return [
        row[2] for row in load_workbook(io.BytesIO(export.content)).worksheets[0].iter_rows(min_row=2, values_only=True)
    ]


def test_the_roster_masks_names_for_whoever_may_not_see_personal_data(world: Committees) -> None:
    appoint(world, name="张建国")
    # The street's staff see the community's committee (VIEW_PARTY) but hold no VIEW_PERSONAL_DATA.
    assert _exported_names(world.staff.street) == ["张*国"]


def test_the_roster_names_each_member_only_to_a_viewer_of_personal_data_over_the_place(world: Committees) -> None:
    """``part_time_xlsx`` itself: whole names where the viewer holds VIEW_PERSONAL_DATA over the organisation's
    place, masked elsewhere and when no viewer is given."""
    appoint(world, name="张建国")  # on the community's 大党委
    appoint(world, name="欧阳明月", actor=world.staff.street, organisation=world.street)  # on the street's 大工委

    def names(viewer: Any) -> list[Any]:
        terms = PartTimeMember.objects.select_related("organisation__place", "resident_unit").order_by("id")
        content, rows = part_time_xlsx(terms, about=[], today=timezone.localdate(), viewer=viewer)
        assert rows == 2
        sheet = load_workbook(io.BytesIO(content)).worksheets[0]
        return [row[2] for row in sheet.iter_rows(min_row=2, values_only=True)]

    assert names(world.staff.community) == ["张建国", "欧**月"]
    assert names(world.staff.street) == ["张*国", "欧**月"]
    assert names(None) == ["张*国", "欧**月"]


def test_the_roster_shows_names_to_the_community_staff_who_may_see_personal_data(world: Committees) -> None:
    appoint(world, name="张建国")
    assert _exported_names(world.staff.community) == ["张建国"]


def test_the_list_of_another_area_shows_none_of_mine(world: Committees) -> None:
    mine = appoint(world)
    body = client_of(world.staff.community2).get(reverse("party:parttime-list"), {"status": "all"}).content.decode()
    assert reverse("party:parttime-detail", args=[mine.pk]) not in body
    export = client_of(world.staff.community2).get(reverse("party:parttime-export"), {"status": "all"})
    assert list(load_workbook(io.BytesIO(export.content)).worksheets[0].iter_rows(min_row=2, values_only=True)) == []


# --- the unit's contact accounts ---------------------------------------------------------------------------------


def test_staff_make_a_contact_account_from_a_phone_and_it_signs_in_as_a_resident(world: Committees) -> None:
    client = client_of(world.staff.community)
    response = client.post(
        reverse("party:unit-contact-create", args=[world.unit.pk]), {"phone": "139 0000 7777", "full_name": "刘芳"}
    )
    assert response.status_code == 302
    account = User.objects.get(phone="13900007777")
    assert (account.kind, account.username, account.full_name) == (UserKind.RESIDENT, "r13900007777", "刘芳")
    assert not account.has_usable_password()
    assert UnitContact.objects.filter(unit=world.unit, user=account).exists()
    added = AuditEvent.objects.get(action="unit_contact.add")
    assert added.detail["phone"] == "139****7777"
    assert added.detail["account_made"] is True
    assert AuditEvent.objects.filter(action="resident_account.create", object_id=str(account.pk)).exists()
    # The contact now reaches the unit's pages.
    assert client_of(account).get(reverse("unit:home")).status_code == 200


def test_an_existing_resident_account_is_found_not_made_again(world: Committees) -> None:
    existing = make_resident_user(phone="13900008888", full_name="陈静")
    client_of(world.staff.community).post(
        reverse("party:unit-contact-create", args=[world.unit.pk]), {"phone": "13900008888", "full_name": "别名"}
    )
    assert UnitContact.objects.get().user == existing
    existing.refresh_from_db()
    assert existing.full_name == "陈静"
    assert User.objects.filter(phone="13900008888").count() == 1


def test_a_staff_number_a_bad_number_or_a_second_time_is_refused_on_the_field(world: Committees) -> None:
    staffer = make_staff(role=Role.COMMUNITY_STAFF, place=world.tree.community, username="staffer")
    User.objects.filter(pk=staffer.pk).update(phone="13900009999")
    client = client_of(world.staff.community)
    url = reverse("party:unit-contact-create", args=[world.unit.pk])
    for phone in ("13900009999", "12345"):
        response = client.post(url, {"phone": phone})
        assert response.status_code == 400, phone
        assert 'data-testid="error-phone"' in response.content.decode()
    assert client.post(url, {"phone": "13900001212"}).status_code == 302
    again = client.post(url, {"phone": "13900001212"})
    assert again.status_code == 400
    assert UnitContact.objects.count() == 1


def test_contacts_of_a_unit_of_another_area_cannot_be_made_or_removed(world: Committees) -> None:
    contact = UnitContact.objects.create(unit=world.unit, user=make_resident_user(phone="13900005555"))
    for outsider in (world.staff.community2, world.staff.street2):
        client = client_of(outsider)
        made = client.post(reverse("party:unit-contact-create", args=[world.unit.pk]), {"phone": "13900006666"})
        assert made.status_code == 404
        removed = client.post(reverse("party:unit-contact-remove", args=[world.unit.pk, contact.pk]))
        assert removed.status_code == 404
    # Nor through a unit of one's own with another unit's contact in the URL.
    own_unit_of_2 = world.unit2
    response = client_of(world.staff.community2).post(
        reverse("party:unit-contact-remove", args=[own_unit_of_2.pk, contact.pk])
    )
    assert response.status_code == 404
    assert UnitContact.objects.filter(pk=contact.pk).exists()
    assert not User.objects.filter(phone="13900006666").exists()


def test_removing_a_contact_ends_its_access_and_is_audited(world: Committees) -> None:
    account = make_resident_user(phone="13900005555")
    contact = UnitContact.objects.create(unit=world.unit, user=account)
    assert client_of(account).get(reverse("unit:home")).status_code == 200
    response = client_of(world.staff.community).post(
        reverse("party:unit-contact-remove", args=[world.unit.pk, contact.pk])
    )
    assert response["Location"] == reverse("people:unit-detail", args=[world.unit.pk])
    assert not UnitContact.objects.exists()
    assert User.objects.filter(pk=account.pk, is_active=True).exists()
    event = AuditEvent.objects.get(action="unit_contact.remove")
    assert event.detail["phone"] == "139****5555"
    assert client_of(account).get(reverse("unit:home")).status_code == 403


def test_the_organisation_page_still_lists_its_part_time_members(world: Committees) -> None:
    term = appoint(world)
    body = (
        client_of(world.staff.community)
        .get(reverse("party:organisation-detail", args=[world.community.code]))
        .content.decode()
    )
    assert term.name in body
