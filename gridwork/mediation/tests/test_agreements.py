"""调解协议书 and 回访: ``agreement_create`` writes the agreement, its follow-ups, the case's outcome and the PDF in one
transaction (or nothing); ``followup_record`` needs a result; the pages keep to scope, the PDF only for those who may
see the parties in full, each download audited; a grid worker sees no party's data in full on any of these pages."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gridwork.audit.models import AuditEvent
from gridwork.common.flows import MoveRefused, StaleState
from gridwork.mediation.models import (
    Agreement,
    CaseEvent,
    CaseState,
    DisputeCase,
    FollowUp,
    Outcome,
    Performance,
)
from gridwork.mediation.services.agreements import (
    agreement_create,
    followup_record,
    followups_due,
    followups_remind,
)
from gridwork.mediation.tests.factories import (
    ID_NUMBERS,
    NAMES,
    PHONES,
    CaseWorld,
    case_world,
    fresh,
    mediating_case,
    register_case,
)
from gridwork.notifications.models import Notification
from gridwork.places.tests.factories import CityTree

TERMS = "201室业主修复防水层并赔偿101室业主人民币叁仟元。"


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def world(tree: CityTree) -> CaseWorld:
    return case_world(tree)


def client_for(user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def today() -> date:
    return timezone.localdate()


def agree(world: CaseWorld, case: DisputeCase | None = None, **fields: Any) -> Agreement:
    case = case or mediating_case(world)
    values: dict[str, Any] = {
        "actor": world.staff,
        "case": case,
        "facts": case.facts,
        "terms": TERMS,
        "performance": "签订之日起十日内履行完毕。",
        "signed_on": today(),
        "follow_up_on": [today() + timedelta(days=10), today() + timedelta(days=30)],
        "expected_version": case.version,
    }
    values.update(fields)
    return agreement_create(**values)


def form_data(case: DisputeCase, **fields: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "facts": case.facts,
        "terms": TERMS,
        "performance": "十日内履行。",
        "signed_on": today().isoformat(),
        "follow_up_on": today().isoformat(),
        "expected_version": case.version,
    }
    data.update(fields)
    return data


# --- the service ------------------------------------------------------------------------------------------------------


def test_an_agreement_concludes_the_case_with_its_follow_ups_and_pdf(world: CaseWorld) -> None:
    agreement = agree(world)
    case = fresh(agreement.case)
    assert re.fullmatch(rf"调协-{today().year}-000001", agreement.number)
    assert case.state == CaseState.CONCLUDED
    assert case.outcome == Outcome.AGREEMENT
    assert case.concluded_at is not None
    assert [f.due_on for f in agreement.follow_ups.order_by("due_on")] == [
        today() + timedelta(days=10),
        today() + timedelta(days=30),
    ]
    assert agreement.pdf.name.endswith(".pdf")
    assert len(agreement.pdf_sha256) == 64
    event = CaseEvent.objects.filter(subject=case).order_by("-sequence").first()
    assert event is not None
    assert event.action == "conclude"
    assert agreement.number in event.note


def test_agreements_are_numbered_in_sequence_per_year(world: CaseWorld) -> None:
    first = agree(world)
    second = agree(world)
    assert first.number.endswith("-000001")
    assert second.number.endswith("-000002")


def test_a_partial_agreement_records_a_partial_outcome(world: CaseWorld) -> None:
    agreement = agree(world, partial=True)
    assert fresh(agreement.case).outcome == Outcome.PARTIAL


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"terms": "  "}, "terms"),
        ({"facts": ""}, "facts"),
        ({"performance": ""}, "performance"),
        ({"follow_up_on": []}, "follow_up_on"),
        ({"follow_up_on": [date(2000, 1, 1)]}, "follow_up_on"),
        ({"signed_on": date(2999, 1, 1), "follow_up_on": [date(2999, 2, 1)]}, "signed_on"),
    ],
)
def test_a_wrong_field_is_refused_on_its_field_and_nothing_is_saved(
    world: CaseWorld, fields: dict[str, Any], field: str
) -> None:
    case = mediating_case(world)
    with pytest.raises(ValidationError) as refused:
        agree(world, case, **fields)
    assert field in refused.value.message_dict
    assert not Agreement.objects.exists()
    assert not FollowUp.objects.exists()
    assert fresh(case).state == CaseState.MEDIATING


def test_an_agreement_needs_a_mediation_under_way(world: CaseWorld) -> None:
    case = register_case(world)
    with pytest.raises(MoveRefused):
        agree(world, case)
    assert not Agreement.objects.exists()


def test_a_stale_page_saves_nothing(world: CaseWorld) -> None:
    case = mediating_case(world)
    with pytest.raises(StaleState):
        agree(world, case, expected_version=case.version - 1)
    assert not Agreement.objects.exists()


def test_a_second_agreement_is_refused(world: CaseWorld) -> None:
    agreement = agree(world)
    with pytest.raises((ValidationError, MoveRefused)):
        agree(world, fresh(agreement.case))
    assert Agreement.objects.count() == 1


@pytest.mark.parametrize("who", ["staff2", "grid_worker", "street2_staff"])
def test_only_the_cases_managers_write_an_agreement(world: CaseWorld, who: str) -> None:
    case = mediating_case(world)
    with pytest.raises(PermissionDenied):
        agree(world, case, actor=getattr(world, who))
    assert not Agreement.objects.exists()


def test_a_street_above_may_write_it(world: CaseWorld) -> None:
    agreement = agree(world, actor=world.street_staff)
    assert agreement.created_by == world.street_staff


# --- follow-ups -------------------------------------------------------------------------------------------------------


def test_a_follow_up_records_its_result_and_an_event(world: CaseWorld) -> None:
    agreement = agree(world, follow_up_on=[today()])
    follow_up = agreement.follow_ups.get()
    version = fresh(agreement.case).version
    done = followup_record(
        actor=world.staff, follow_up=follow_up, result=Performance.PERFORMED, note="已修复并赔偿。", done_on=today()
    )
    assert done.result == Performance.PERFORMED
    assert done.done_on == today()
    assert done.done_by == world.staff
    case = fresh(agreement.case)
    assert case.version == version + 1
    assert case.state == CaseState.CONCLUDED
    event = CaseEvent.objects.get(subject=case, sequence=case.version)
    assert event.action == "follow_up"
    assert event.data["result"] == Performance.PERFORMED


def test_a_follow_up_needs_a_result(world: CaseWorld) -> None:
    follow_up = agree(world).follow_ups.first()
    assert follow_up is not None
    with pytest.raises(ValidationError) as refused:
        followup_record(actor=world.staff, follow_up=follow_up, result="", note="", done_on=today())
    assert "result" in refused.value.message_dict
    follow_up.refresh_from_db()
    assert follow_up.done_on is None
    assert follow_up.result == ""


def test_not_performed_needs_a_note_and_a_future_date_is_refused(world: CaseWorld) -> None:
    follow_up = agree(world).follow_ups.first()
    assert follow_up is not None
    with pytest.raises(ValidationError) as refused:
        followup_record(
            actor=world.staff, follow_up=follow_up, result=Performance.NOT_PERFORMED, note="", done_on=today()
        )
    assert "note" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        followup_record(
            actor=world.staff,
            follow_up=follow_up,
            result=Performance.PERFORMED,
            note="",
            done_on=today() + timedelta(days=1),
        )
    assert "done_on" in refused.value.message_dict


def test_a_follow_up_is_recorded_once_and_only_by_the_cases_managers(world: CaseWorld) -> None:
    follow_up = agree(world).follow_ups.first()
    assert follow_up is not None
    with pytest.raises(PermissionDenied):
        followup_record(actor=world.staff2, follow_up=follow_up, result=Performance.PERFORMED, note="", done_on=today())
    followup_record(actor=world.staff, follow_up=follow_up, result=Performance.PERFORMED, note="", done_on=today())
    with pytest.raises(ValidationError):
        followup_record(actor=world.staff, follow_up=follow_up, result=Performance.PARTLY, note="x", done_on=today())
    follow_up.refresh_from_db()
    assert follow_up.result == Performance.PERFORMED


def test_the_follow_ups_due_are_scoped(world: CaseWorld) -> None:
    agreement = agree(world, follow_up_on=[today(), today() + timedelta(days=5)])
    due_now = agreement.follow_ups.get(due_on=today())
    assert list(followups_due(world.staff, on=today())) == [due_now]
    assert list(followups_due(world.grid_worker, on=today())) == [due_now]  # the case lies in their grid
    assert list(followups_due(world.city_staff, on=today() + timedelta(days=5))) == list(
        agreement.follow_ups.order_by("due_on")
    )
    for outsider in (world.staff2, world.grid_worker2, world.street2_staff):
        assert not followups_due(outsider, on=today() + timedelta(days=5)).exists()
    followup_record(actor=world.staff, follow_up=due_now, result=Performance.PERFORMED, note="", done_on=today())
    assert not followups_due(world.staff, on=today()).exists()


def test_the_daily_reminder_tells_the_community_and_the_mediators_account(
    world: CaseWorld, django_capture_on_commit_callbacks: Any
) -> None:
    world.mediator.user = world.grid_worker2  # the mediator's own account, whatever their post
    world.mediator.save(update_fields=["user"])
    agree(world, follow_up_on=[today() + timedelta(days=1)])
    with django_capture_on_commit_callbacks(execute=True):
        assert followups_remind(on=today()) == 0
        assert followups_remind(on=today() + timedelta(days=1)) == 1
    recipients = set(Notification.objects.values_list("recipient__username", flat=True))
    assert recipients == {world.staff.username, world.grid_worker2.username}
    assert Notification.objects.first().url == reverse(  # type: ignore[union-attr]
        "mediation:followup-record", args=[FollowUp.objects.get().pk]
    )


# --- the pages --------------------------------------------------------------------------------------------------------


def test_the_agreement_form_writes_the_agreement(world: CaseWorld) -> None:
    case = mediating_case(world)
    client = client_for(world.staff)
    url = reverse("mediation:agreement-create", args=[case.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert b'data-testid="agreement-form"' in page.content
    response = client.post(url, form_data(case, follow_up_on_2=(today() + timedelta(days=7)).isoformat()))
    agreement = Agreement.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("mediation:agreement-detail", args=[agreement.pk])
    assert agreement.follow_ups.count() == 2
    # The form is not offered again: it leads to the agreement.
    assert client.get(url)["Location"] == reverse("mediation:agreement-detail", args=[agreement.pk])


def test_the_agreement_form_names_the_wrong_field(world: CaseWorld) -> None:
    case = mediating_case(world)
    response = client_for(world.staff).post(
        reverse("mediation:agreement-create", args=[case.pk]), form_data(case, terms="")
    )
    assert response.status_code == 400
    assert b'data-testid="error-terms"' in response.content
    assert not Agreement.objects.exists()


def test_the_agreement_form_on_a_stale_page_is_a_conflict(world: CaseWorld) -> None:
    case = mediating_case(world)
    response = client_for(world.staff).post(
        reverse("mediation:agreement-create", args=[case.pk]), form_data(case, expected_version=case.version - 1)
    )
    assert response.status_code == 409
    assert b"Someone else changed this" in response.content
    assert not Agreement.objects.exists()


def test_the_agreement_form_is_out_of_reach_outside_scope(world: CaseWorld) -> None:
    case = mediating_case(world)
    url = reverse("mediation:agreement-create", args=[case.pk])
    assert client_for(world.staff2).get(url).status_code == 404
    assert client_for(world.staff2).post(url, form_data(case)).status_code == 404
    assert client_for(world.grid_worker).post(url, form_data(case)).status_code == 403
    assert not Agreement.objects.exists()


def test_the_pdf_is_downloaded_by_the_cases_staff_and_audited(world: CaseWorld) -> None:
    agreement = agree(world)
    response = client_for(world.staff).get(reverse("mediation:agreement-pdf", args=[agreement.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    content = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    assert content.startswith(b"%PDF")
    audit = AuditEvent.objects.get(action="mediation.download_agreement")
    assert audit.actor == world.staff
    assert audit.object_id == str(agreement.pk)


@pytest.mark.parametrize(("who", "status"), [("grid_worker", 403), ("staff2", 404), ("street2_staff", 404)])
def test_nobody_else_downloads_the_pdf(world: CaseWorld, who: str, status: int) -> None:
    agreement = agree(world)
    response = client_for(getattr(world, who)).get(reverse("mediation:agreement-pdf", args=[agreement.pk]))
    assert response.status_code == status
    assert not AuditEvent.objects.filter(action="mediation.download_agreement").exists()


def test_a_grid_worker_sees_the_agreement_but_no_party_in_full_and_no_download(world: CaseWorld) -> None:
    agreement = agree(world, follow_up_on=[today()])
    client = client_for(world.grid_worker)
    pages = [
        client.get(reverse("mediation:agreement-detail", args=[agreement.pk])),
        client.get(reverse("mediation:followup-list")),
    ]
    for page in pages:
        assert page.status_code == 200
        for secret in (*NAMES, *PHONES, *ID_NUMBERS):
            assert secret.encode() not in page.content
    assert b'data-testid="agreement-download"' not in pages[0].content
    assert b'data-testid="followup-record"' not in pages[0].content
    assert agreement.number.encode() in pages[1].content  # due today, in their grid
    staff_page = client_for(world.staff).get(reverse("mediation:agreement-detail", args=[agreement.pk]))
    assert b'data-testid="agreement-download"' in staff_page.content
    assert b'data-testid="followup-record"' in staff_page.content


def test_the_follow_up_form_records_and_names_a_missing_result(world: CaseWorld) -> None:
    follow_up = agree(world, follow_up_on=[today()]).follow_ups.get()
    url = reverse("mediation:followup-record", args=[follow_up.pk])
    client = client_for(world.staff)
    assert b'data-testid="followup-form"' in client.get(url).content
    refused = client.post(url, {"done_on": today().isoformat(), "note": ""})
    assert refused.status_code == 400
    assert b'data-testid="error-result"' in refused.content
    done = client.post(url, {"result": Performance.PERFORMED, "done_on": today().isoformat(), "note": ""})
    assert done.status_code == 302
    follow_up.refresh_from_db()
    assert follow_up.result == Performance.PERFORMED
    again = client.post(url, {"result": Performance.PARTLY, "done_on": today().isoformat(), "note": "x"})
    assert again.status_code == 400


@pytest.mark.parametrize(("who", "status"), [("grid_worker", 403), ("staff2", 404), ("street2_staff", 404)])
def test_the_follow_up_form_is_out_of_reach_outside_scope(world: CaseWorld, who: str, status: int) -> None:
    follow_up = agree(world, follow_up_on=[today()]).follow_ups.get()
    url = reverse("mediation:followup-record", args=[follow_up.pk])
    response = client_for(getattr(world, who)).post(url, {"result": Performance.PERFORMED, "done_on": today()})
    assert response.status_code == status
    follow_up.refresh_from_db()
    assert follow_up.done_on is None


def test_another_communitys_agreement_page_is_not_found(world: CaseWorld) -> None:
    agreement = agree(world)
    assert client_for(world.staff2).get(reverse("mediation:agreement-detail", args=[agreement.pk])).status_code == 404
    assert (
        client_for(world.grid_worker2).get(reverse("mediation:agreement-detail", args=[agreement.pk])).status_code
        == 404
    )


def test_the_daily_task_reminds_of_todays_follow_ups(world: CaseWorld, django_capture_on_commit_callbacks: Any) -> None:
    from gridwork.mediation import tasks

    agree(world, follow_up_on=[today()])
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.remind_follow_ups.call() == {"reminded": 1}
    assert Notification.objects.filter(recipient=world.staff).count() == 1
    assert not Notification.objects.filter(recipient=world.staff2).exists()


def test_the_case_page_marks_a_follow_up_due_today_and_a_later_one_planned(world: CaseWorld) -> None:
    agreement = agree(world, follow_up_on=[today(), today() + timedelta(days=30)])
    html = client_for(world.staff).get(reverse("mediation:case-detail", args=[agreement.case_id])).content.decode()
    rows = re.findall(r'data-testid="follow-up" data-due="([0-9-]+)".*?</li>', html, flags=re.S)
    assert rows == [today().isoformat(), (today() + timedelta(days=30)).isoformat()]
    due, later = re.split(r'data-testid="follow-up"', html)[1:3]
    assert ">Due</span>" in due
    assert ">Planned</span>" in later
    assert ">Due</span>" not in later
