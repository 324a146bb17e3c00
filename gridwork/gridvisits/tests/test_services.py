"""Recording visits and turning their needs into a matter, a micro-wish or a dispute case: the rules, the refusals
(field by field), append-only visits, photos cleaned and removed with a failed transaction, one outcome per need."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone
from PIL import Image

from gridwork.audit.models import AuditEvent
from gridwork.gridvisits import services
from gridwork.gridvisits.models import GridVisit, VisitNeed, VisitPhoto
from gridwork.gridvisits.tests.factories import VisitWorld, days_ago, png, visit
from gridwork.matters.models import Channel, Matter
from gridwork.mediation.models import CaseSource, DisputeCase, DisputeType, RiskLevel
from gridwork.wishes.models import Wish

pytestmark = pytest.mark.django_db


def _input(world: VisitWorld, **changes: Any) -> services.VisitInput:
    values: dict[str, Any] = {
        "household": world.household,
        "visited_on": days_ago(0),
        "seen": "看到门口堆放杂物。",
        "asked": "",
        "resolved": "",
        "needs": (),
    }
    values.update(changes)
    return services.VisitInput(**values)


def _refusal(error: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return error.value.message_dict


# --- recording ------------------------------------------------------------------------------------------------------


def test_a_grid_worker_records_a_visit_with_needs_and_photos(world: VisitWorld, settings: Any) -> None:
    recorded = visit(world, needs=("楼道灯坏了", "  ", "想申请助餐"), photos=[png()])
    assert recorded.grid == world.tree.grid
    assert recorded.recorded_by == world.grid_worker
    assert list(recorded.needs.values_list("text", flat=True)) == ["楼道灯坏了", "想申请助餐"]
    photo = VisitPhoto.objects.get(visit=recorded)
    assert photo.content_type.startswith("image/")
    assert "现场" not in photo.file.name  # the server names the file
    with Image.open(Path(settings.MEDIA_ROOT) / photo.file.name) as image:
        assert not image.getexif()
    event = AuditEvent.objects.get(action="gridvisits.visit.record")
    assert event.detail["needs"] == 2
    assert event.detail["photos"] == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"visited_on": None}, "visited_on"),
        ({"visited_on": timezone.localdate() + timedelta(days=1)}, "visited_on"),
        ({"seen": "  "}, "seen"),
        ({"asked": "问" * (services.MAX_TEXT + 1)}, "asked"),
        ({"needs": ["需" * (services.MAX_NEED + 1)]}, "needs"),
        ({"needs": ["需"] * (services.MAX_NEEDS + 1)}, "needs"),
    ],
)
def test_a_visit_is_refused_naming_the_field(world: VisitWorld, changes: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as error:
        services.visit_record(actor=world.grid_worker, values=_input(world, **changes))
    assert field in _refusal(error)
    assert not GridVisit.objects.exists()


def test_only_a_household_can_be_visited(world: VisitWorld) -> None:
    with pytest.raises(ValidationError) as error:
        services.visit_record(actor=world.grid_worker, values=_input(world, household=world.tree.microgrid))
    assert "household" in _refusal(error)


@pytest.mark.parametrize("who", ["grid2_worker", "staff2", "street", "department"])
def test_only_those_recording_over_the_household_may_record(world: VisitWorld, who: str) -> None:
    with pytest.raises(PermissionDenied):
        services.visit_record(actor=getattr(world, who), values=_input(world))
    assert not GridVisit.objects.exists()


def test_community_staff_record_in_every_grid_of_their_community(world: VisitWorld) -> None:
    assert visit(world, by=world.staff, household=world.household_grid2).grid == world.tree.grid2


def test_a_document_is_not_a_photo(world: VisitWorld) -> None:
    pdf = png("a.pdf")
    pdf.file.seek(0)
    pdf.file.truncate()
    pdf.file.write(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF")
    pdf.file.seek(0)
    with pytest.raises(ValidationError) as error:
        services.visit_record(actor=world.grid_worker, values=_input(world), photos=[pdf])
    assert "photos" in _refusal(error)


def test_saved_photos_are_removed_when_the_transaction_fails(
    world: VisitWorld, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken_audit(**kwargs: Any) -> None:
        raise DatabaseError("audit down")

    monkeypatch.setattr(services, "audit_record", broken_audit)
    with pytest.raises(DatabaseError):
        services.visit_record(actor=world.grid_worker, values=_input(world), photos=[png(), png("b.png")])
    assert not GridVisit.objects.exists()
    assert not VisitPhoto.objects.exists()
    media = Path(settings.MEDIA_ROOT)
    assert not [path for path in media.rglob("*") if path.is_file()]


def test_a_correction_names_an_earlier_visit_of_the_same_household(world: VisitWorld) -> None:
    first = visit(world)
    other = visit(world, household=world.neighbour)
    with pytest.raises(ValidationError) as error:
        services.visit_record(actor=world.grid_worker, values=_input(world, corrects=other))
    assert "corrects" in _refusal(error)
    again = services.visit_record(actor=world.grid_worker, values=_input(world, corrects=first))
    assert list(first.corrections.all()) == [again]


def test_visits_and_photos_are_append_only(world: VisitWorld) -> None:
    recorded = visit(world, photos=[png()])
    with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic():
        GridVisit.objects.filter(pk=recorded.pk).update(seen="改过了")
    with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic():
        GridVisit.objects.filter(pk=recorded.pk).delete()
    with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic():
        VisitPhoto.objects.filter(visit=recorded).update(size=1)
    assert GridVisit.objects.get(pk=recorded.pk).seen == recorded.seen


# --- needs ----------------------------------------------------------------------------------------------------------


def _need(world: VisitWorld, **kwargs: Any) -> VisitNeed:
    return visit(world, **kwargs).needs.get()


def test_a_visits_need_becomes_a_matter_linked_back_to_the_visit(world: VisitWorld) -> None:
    need = _need(world)
    matter = services.need_file_matter(actor=world.grid_worker, need=need)
    assert matter.channel == Channel.PATROL
    assert matter.text == need.text
    assert matter.grid == world.tree.grid
    need.refresh_from_db()
    assert need.matter == matter
    assert need.converted_by == world.grid_worker
    assert need.converted_at is not None
    # Both ways: the matter reaches the need and its visit.
    assert matter.grid_visit_need.visit == need.visit  # type: ignore[attr-defined]
    assert AuditEvent.objects.filter(action="gridvisits.need.file_matter", detail__matter=matter.number).exists()


def test_a_need_becomes_one_thing_once(world: VisitWorld) -> None:
    need = _need(world, by=world.staff)
    services.need_file_matter(actor=world.staff, need=need)
    with pytest.raises(services.NeedAlreadyConverted):
        services.need_file_matter(actor=world.staff, need=need)
    with pytest.raises(services.NeedAlreadyConverted):
        services.need_post_wish(actor=world.staff, need=need, title="灯", value=None, beneficiary_name="王阿姨")
    assert Matter.objects.count() == 1
    assert not Wish.objects.exists()


def test_a_lost_race_rolls_back_the_losers_matter(world: VisitWorld, monkeypatch: pytest.MonkeyPatch) -> None:
    """Someone else turns the need into a wish while this filing is under way: the compare-and-set finds the need
    taken, and the filed matter goes with the transaction."""
    need = _need(world)
    real = services.household_matter_file

    def file_while_another_takes_it(**kwargs: Any) -> Matter:
        matter = real(**kwargs)
        wish = Wish.objects.create(
            title="冰箱", value=Decimal(300), beneficiary_name="王阿姨", community=world.tree.community,
            posted_by=world.staff, version=1,
        )  # fmt: skip
        VisitNeed.objects.filter(pk=need.pk).update(wish=wish, converted_by=world.staff, converted_at=timezone.now())
        return matter

    monkeypatch.setattr(services, "household_matter_file", file_while_another_takes_it)
    with pytest.raises(services.NeedAlreadyConverted):
        services.need_file_matter(actor=world.grid_worker, need=need)
    assert not Matter.objects.exists()
    assert not VisitNeed.objects.filter(pk=need.pk, converted_at__isnull=False).exists()


def test_the_database_refuses_a_second_outcome(world: VisitWorld) -> None:
    need = _need(world, by=world.staff)
    matter = services.need_file_matter(actor=world.staff, need=need)
    wish = Wish.objects.create(
        title="灯", value=Decimal(1), beneficiary_name="王阿姨", community=world.tree.community, posted_by=world.staff,
        version=1,
    )  # fmt: skip
    with pytest.raises(IntegrityError), transaction.atomic():
        VisitNeed.objects.filter(pk=need.pk).update(wish=wish)
    assert VisitNeed.objects.get(pk=need.pk).matter == matter


def test_a_need_becomes_a_micro_wish_posted_on_the_households_behalf(world: VisitWorld) -> None:
    need = _need(world, by=world.staff)
    wish = services.need_post_wish(
        actor=world.staff, need=need, title="换个楼道灯", value=Decimal("50"), beneficiary_name="王秀英"
    )
    assert wish.community == world.tree.community
    assert wish.description == need.text
    assert VisitNeed.objects.get(pk=need.pk).wish == wish


def test_a_grid_worker_may_not_post_a_wish(world: VisitWorld) -> None:
    need = _need(world)
    with pytest.raises(PermissionDenied):
        services.need_post_wish(actor=world.grid_worker, need=need, title="灯", value=None, beneficiary_name="王")
    assert not VisitNeed.objects.get(pk=need.pk).is_converted


def test_a_need_becomes_a_dispute_case_in_the_households_grid(world: VisitWorld) -> None:
    need = _need(world, by=world.staff, needs=("楼上漏水，邻里争执",))
    case = services.need_register_case(
        actor=world.staff,
        need=need,
        title="楼上漏水纠纷",
        dispute_type=DisputeType.NEIGHBOUR,
        risk=RiskLevel.LOW,
        applicant="王秀英",
        respondent="李强",
    )
    assert case.place == world.tree.grid
    assert case.source == CaseSource.STAFF
    assert case.facts == need.text
    assert VisitNeed.objects.get(pk=need.pk).case == case


def test_a_two_sided_dispute_needs_a_respondent(world: VisitWorld) -> None:
    need = _need(world, by=world.staff)
    with pytest.raises(ValidationError) as error:
        services.need_register_case(
            actor=world.staff, need=need, title="纠纷", dispute_type=DisputeType.NEIGHBOUR, risk=RiskLevel.LOW,
            applicant="王秀英",
        )  # fmt: skip
    assert "parties" in _refusal(error)
    assert not DisputeCase.objects.exists()
    assert not VisitNeed.objects.get(pk=need.pk).is_converted


@pytest.mark.parametrize("who", ["grid2_worker", "staff2", "street"])
def test_only_those_recording_over_the_household_may_convert(world: VisitWorld, who: str) -> None:
    need = _need(world)
    with pytest.raises(PermissionDenied):
        services.need_file_matter(actor=getattr(world, who), need=need)
    assert not Matter.objects.exists()
