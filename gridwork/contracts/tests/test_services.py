"""The contracts' services: who may do what for which party, the rules of each step, evidence, scores, residents'
ratings, renewal, the expiry warning and drafting a clause from a match."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, transaction
from django.utils import timezone

from gridwork.common.calendar import calendar_length, calendar_shift, years_later
from gridwork.common.flows import MoveRefused, StaleState
from gridwork.contracts import services, tasks
from gridwork.contracts.models import (
    Clause,
    ClauseMenu,
    ClauseScore,
    Contract,
    ContractEvent,
    ContractParty,
    ContractState,
    Evaluation,
    Evidence,
    EvidenceKind,
    Performance,
    ResidentRating,
)
from gridwork.contracts.tests.factories import (
    ContractWorld,
    clause_values,
    days,
    draft,
    evaluating,
    fresh,
    jpeg,
    make_match,
    pdf,
    published,
)
from gridwork.notifications.models import Notification

pytestmark = pytest.mark.django_db


# --- 谈约 -------------------------------------------------------------------------------------------------------------


def test_a_contract_gets_a_number_of_the_year_and_the_community_s_organisation(
    world: ContractWorld, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        first = draft(world, clauses=0)
    second = draft(world, clauses=0)
    assert re.fullmatch(r"GJ\d{4}0001", first.number)
    assert second.number == first.number[:6] + "0002"
    assert first.party_organisation == world.organisation
    assert first.state == ContractState.NEGOTIATING
    assert Notification.objects.filter(recipient=world.unit_user).exists()


def test_a_unit_outside_the_community_and_its_street_cannot_be_a_party(world: ContractWorld) -> None:
    with pytest.raises(ValidationError) as refused:
        services.contract_start(
            actor=world.staff, community=world.tree.community, unit=world.far_unit, title="共建", term_start=None
        )
    assert "unit" in refused.value.message_dict
    # A unit sitting in the street may sign with any of its communities.
    contract = services.contract_start(
        actor=world.staff2, community=world.tree.community2, unit=world.unit2, title="共建"
    )
    assert contract.unit == world.unit2


def test_staff_of_another_community_cannot_start_a_contract_here(world: ContractWorld) -> None:
    with pytest.raises(PermissionDenied):
        services.contract_start(actor=world.staff2, community=world.tree.community, unit=world.unit, title="共建")
    with pytest.raises(PermissionDenied):
        services.contract_start(actor=world.grid_worker, community=world.tree.community, unit=world.unit, title="共建")


def test_the_term_must_be_ordered_and_clauses_due_within_it(world: ContractWorld) -> None:
    with pytest.raises(ValidationError) as refused:
        services.contract_start(
            actor=world.staff,
            community=world.tree.community,
            unit=world.unit,
            title="共建",
            term_start=days(10),
            term_end=days(5),
        )
    assert "term_end" in refused.value.message_dict
    contract = draft(world, clauses=0)
    with pytest.raises(ValidationError) as refused:
        services.clause_add(
            actor=world.staff,
            contract=contract,
            side=ContractParty.COMMUNITY,
            values=clause_values(due_on=days(400), measure=""),
            expected_version=contract.version,
        )
    assert set(refused.value.message_dict) == {"due_on", "measure"}
    assert not Clause.objects.exists()


def test_the_unit_proposes_and_withdraws_only_its_own_clauses(world: ContractWorld) -> None:
    contract = draft(world, clauses=1)
    proposed = services.clause_add(
        actor=world.unit_user,
        contract=contract,
        side=ContractParty.UNIT,
        values=clause_values(menu=ClauseMenu.SPECIAL, content="开设健康讲堂"),
        expected_version=contract.version,
    )
    assert proposed.proposed_by == ContractParty.UNIT
    assert proposed.position == 2
    community_clause = contract.clauses.get(position=1)
    with pytest.raises(PermissionDenied):
        services.clause_remove(
            actor=world.unit_user,
            contract=contract,
            clause=community_clause,
            side=ContractParty.UNIT,
            expected_version=fresh(contract).version,
        )
    services.clause_remove(
        actor=world.unit_user,
        contract=contract,
        clause=proposed,
        side=ContractParty.UNIT,
        expected_version=fresh(contract).version,
    )
    assert list(contract.clauses.values_list("pk", flat=True)) == [community_clause.pk]
    # Another unit's contact speaks for nothing here.
    with pytest.raises(PermissionDenied):
        services.contract_comment(actor=world.unit2_user, contract=contract, side=ContractParty.UNIT, note="我们也来")


def test_an_edit_on_a_stale_page_is_refused(world: ContractWorld) -> None:
    contract = draft(world, clauses=1)
    stale = contract.version
    services.contract_comment(actor=world.unit_user, contract=contract, side=ContractParty.UNIT, note="请补充条款")
    with pytest.raises(StaleState):
        services.clause_edit(
            actor=world.staff,
            contract=contract,
            clause=contract.clauses.get(),
            values=clause_values(content="改过的条款"),
            expected_version=stale,
        )
    assert contract.clauses.get().content != "改过的条款"


# --- 签约 -------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("unit_first", [False, True])
def test_both_parties_sign_in_either_order(world: ContractWorld, unit_first: bool) -> None:
    contract = draft(world)
    first, second = (
        [(world.unit_user, ContractParty.UNIT), (world.staff, ContractParty.COMMUNITY)]
        if unit_first
        else [(world.staff, ContractParty.COMMUNITY), (world.unit_user, ContractParty.UNIT)]
    )
    services.contract_sign(actor=first[0], contract=contract, side=first[1], expected_version=contract.version)
    half = fresh(contract)
    assert half.state == ContractState.SIGNING
    assert half.signed_at is None
    services.contract_sign(actor=second[0], contract=half, side=second[1], expected_version=half.version)
    done = fresh(contract)
    assert done.state == ContractState.SIGNED
    assert done.community_signed_by == world.staff
    assert done.unit_signed_by == world.unit_user
    assert done.signed_at is not None
    assert done.community_signed_at is not None
    assert done.unit_signed_at is not None


def test_a_signature_on_the_page_of_before_the_other_signature_still_counts(world: ContractWorld) -> None:
    contract = draft(world)
    seen = contract.version
    services.contract_sign(actor=world.staff, contract=contract, side=ContractParty.COMMUNITY, expected_version=seen)
    services.contract_sign(actor=world.unit_user, contract=contract, side=ContractParty.UNIT, expected_version=seen)
    assert fresh(contract).state == ContractState.SIGNED


def test_a_signature_on_a_draft_changed_since_is_refused(world: ContractWorld) -> None:
    contract = draft(world)
    seen = contract.version
    services.contract_comment(actor=world.staff, contract=contract, side=ContractParty.COMMUNITY, note="改了期限")
    with pytest.raises(StaleState):
        services.contract_sign(actor=world.unit_user, contract=contract, side=ContractParty.UNIT, expected_version=seen)
    assert fresh(contract).unit_signed_at is None


def test_signing_needs_a_term_and_clauses_and_fixes_the_draft(world: ContractWorld) -> None:
    empty = services.contract_start(actor=world.staff, community=world.tree.community, unit=world.unit, title="共建")
    with pytest.raises(ValidationError) as refused:
        services.contract_sign(
            actor=world.staff, contract=empty, side=ContractParty.COMMUNITY, expected_version=empty.version
        )
    assert len(refused.value.messages) == 2
    contract = draft(world)
    services.contract_sign(
        actor=world.staff, contract=contract, side=ContractParty.COMMUNITY, expected_version=contract.version
    )
    with pytest.raises(MoveRefused):
        services.contract_edit(
            actor=world.staff,
            contract=contract,
            title="改标题",
            term_start=days(-200),
            term_end=days(165),
            expected_version=fresh(contract).version,
        )
    # Withdrawing the signature reopens the negotiation and clears the signatures.
    services.contract_reopen(
        actor=world.unit_user,
        contract=contract,
        side=ContractParty.UNIT,
        reason="期限要改",
        expected_version=fresh(contract).version,
    )
    reopened = fresh(contract)
    assert reopened.state == ContractState.NEGOTIATING
    assert reopened.community_signed_at is None


def test_only_the_right_people_sign_for_each_party(world: ContractWorld) -> None:
    contract = draft(world)
    for actor, side in [
        (world.unit2_user, ContractParty.UNIT),
        (world.staff, ContractParty.UNIT),
        (world.unit_user, ContractParty.COMMUNITY),
        (world.staff2, ContractParty.COMMUNITY),
        (world.grid_worker, ContractParty.COMMUNITY),
    ]:
        with pytest.raises(PermissionDenied):
            services.contract_sign(actor=actor, contract=contract, side=side, expected_version=contract.version)
    assert fresh(contract).state == ContractState.NEGOTIATING
    # Street staff hold MANAGE_PARTY over the community: they may sign for it.
    services.contract_sign(
        actor=world.street_staff, contract=contract, side=ContractParty.COMMUNITY, expected_version=contract.version
    )


# --- 履约 -------------------------------------------------------------------------------------------------------------


def test_no_performance_without_evidence(world: ContractWorld) -> None:
    contract = published(world)
    clause = contract.clauses.get(position=1)
    with pytest.raises(ValidationError) as refused:
        services.clause_perform(
            actor=world.unit_user,
            contract=contract,
            clause=clause,
            side=ContractParty.UNIT,
            performed_on=days(-101),
            note="已开展义诊",
            files=[],
        )
    assert "evidence" in refused.value.message_dict
    assert not Performance.objects.exists()
    assert fresh(contract).version == contract.version
    assert Clause.objects.get(pk=clause.pk).performed_on is None


@pytest.mark.parametrize(
    "upload",
    [
        lambda: pdf("fake.pdf", b"/OpenAction << /S /JavaScript /JS (app.alert(1)) >>\n"),
        lambda: __import__("django.core.files.uploadedfile").core.files.uploadedfile.SimpleUploadedFile(
            "photo.jpg", b"%PDF-1.4 not an image and no end", content_type="image/jpeg"
        ),
        lambda: __import__("django.core.files.uploadedfile").core.files.uploadedfile.SimpleUploadedFile(
            "page.html", b"<html><script>alert(1)</script></html>", content_type="text/html"
        ),
    ],
    ids=["pdf-with-javascript", "broken-pdf-named-jpg", "html"],
)
def test_evidence_that_is_not_a_photo_or_a_safe_document_is_refused(world: ContractWorld, upload: object) -> None:
    contract = published(world)
    with pytest.raises(ValidationError) as refused:
        services.clause_perform(
            actor=world.unit_user,
            contract=contract,
            clause=contract.clauses.get(position=1),
            side=ContractParty.UNIT,
            performed_on=days(-101),
            note="已开展义诊",
            files=[upload()],  # type: ignore[operator]
        )
    assert "evidence" in refused.value.message_dict
    assert not Performance.objects.exists()


def _stored_files(root: Path) -> list[Path]:
    return sorted(path for path in root.rglob("*") if path.is_file()) if root.exists() else []


def _perform_unit_clause(world: ContractWorld, contract: Contract) -> Performance:
    return services.clause_perform(
        actor=world.unit_user,
        contract=contract,
        clause=contract.clauses.get(position=1),
        side=ContractParty.UNIT,
        performed_on=days(-90),
        note="义诊已开展，服务35人",
        files=[jpeg(), pdf()],
    )


@pytest.mark.django_db(transaction=True)
def test_evidence_is_written_once_the_performance_record_commits(world: ContractWorld, settings: Any) -> None:
    contract = published(world)
    record = _perform_unit_clause(world, contract)
    stored = _stored_files(Path(settings.MEDIA_ROOT))
    assert len(stored) == 2
    names = sorted(Path(settings.MEDIA_ROOT, e.file.name) for e in Evidence.objects.filter(performance=record))
    assert names == stored
    content = {e.kind: Path(settings.MEDIA_ROOT, e.file.name).read_bytes() for e in Evidence.objects.all()}
    assert content[EvidenceKind.DOCUMENT].startswith(b"%PDF-")
    assert content[EvidenceKind.PHOTO].startswith(b"\xff\xd8\xff")
    assert {path.stat().st_size for path in stored} == set(Evidence.objects.values_list("size", flat=True))


@pytest.mark.django_db(transaction=True)
def test_a_performance_record_rolled_back_leaves_no_file(world: ContractWorld, settings: Any) -> None:
    contract = published(world)

    class Abandoned(Exception):
        pass

    def record_then_give_up() -> None:
        with transaction.atomic():
            _perform_unit_clause(world, contract)
            raise Abandoned

    # The caller's transaction rolls back after the record was made.
    with pytest.raises(Abandoned):
        record_then_give_up()
    assert not Performance.objects.exists()
    assert _stored_files(Path(settings.MEDIA_ROOT)) == []


@pytest.mark.django_db(transaction=True)
def test_a_performance_record_refused_midway_leaves_no_file(
    world: ContractWorld, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    contract = published(world)
    saves: list[Evidence] = []
    real_save = Evidence.save

    def save_the_first_only(evidence: Evidence, *args: Any, **kwargs: Any) -> None:
        if saves:
            raise DatabaseError("the disk is full")
        saves.append(evidence)
        real_save(evidence, *args, **kwargs)

    monkeypatch.setattr(Evidence, "save", save_the_first_only)
    with pytest.raises(DatabaseError):
        _perform_unit_clause(world, contract)
    assert not Performance.objects.exists()
    assert not Evidence.objects.exists()
    assert _stored_files(Path(settings.MEDIA_ROOT)) == []


def test_performance_on_time_late_and_overdue(world: ContractWorld) -> None:
    contract = published(world)
    unit_clause = contract.clauses.get(position=1)  # due 100 days ago
    community_clause = contract.clauses.get(position=2)  # due in 100 days
    with pytest.raises(PermissionDenied):
        # The community does not record the unit's clause.
        services.clause_perform(
            actor=world.staff,
            contract=contract,
            clause=unit_clause,
            side=ContractParty.COMMUNITY,
            performed_on=days(-101),
            note="x",
            files=[jpeg()],
        )
    services.clause_perform(
        actor=world.unit_user,
        contract=contract,
        clause=unit_clause,
        side=ContractParty.UNIT,
        performed_on=days(-90),
        note="义诊已开展，服务35人",
        files=[jpeg(), pdf()],
    )
    record = Performance.objects.get()
    assert sorted(Evidence.objects.filter(performance=record).values_list("kind", flat=True)) == [
        EvidenceKind.DOCUMENT,
        EvidenceKind.PHOTO,
    ]
    for evidence in Evidence.objects.all():
        assert "done" not in evidence.file.name
        assert "report" not in evidence.file.name
    unit_clause.refresh_from_db()
    assert unit_clause.performed_on == days(-90)
    assert unit_clause.on_time is False
    services.clause_perform(
        actor=world.staff,
        contract=contract,
        clause=community_clause,
        side=ContractParty.COMMUNITY,
        performed_on=days(0),
        note="活动室已开放",
        files=[jpeg()],
    )
    community_clause.refresh_from_db()
    assert community_clause.on_time is True
    with pytest.raises(ValidationError) as refused:
        services.clause_perform(
            actor=world.staff,
            contract=contract,
            clause=community_clause,
            side=ContractParty.COMMUNITY,
            performed_on=days(1),
            note="明天的事",
            files=[jpeg()],
        )
    assert "performed_on" in refused.value.message_dict


# --- 评约 -------------------------------------------------------------------------------------------------------------


def test_evaluation_early_needs_a_reason(world: ContractWorld) -> None:
    contract = published(world)
    with pytest.raises(ValidationError) as refused:
        services.contract_start_evaluation(
            actor=world.staff, contract=contract, reason="", expected_version=contract.version
        )
    assert "reason" in refused.value.message_dict
    ended = published(world, term_start=days(-300), term_end=days(-1), at=timezone.now() - timedelta(days=290))
    services.contract_start_evaluation(actor=world.staff, contract=ended, reason="", expected_version=ended.version)
    ended = fresh(ended)
    assert ended.state == ContractState.EVALUATING
    assert ended.ended_early is False
    assert fresh(evaluating(world)).ended_early is True


def test_each_party_scores_every_clause_once_and_residents_are_kept_apart(world: ContractWorld) -> None:
    contract = evaluating(world)
    clauses = list(contract.clauses.order_by("position"))
    with pytest.raises(ValidationError) as refused:
        services.contract_evaluate(
            actor=world.staff,
            contract=contract,
            side=ContractParty.COMMUNITY,
            score=101,
            clause_scores={clauses[0].pk: 90},
        )
    assert set(refused.value.message_dict) == {"score", f"clause_{clauses[1].pk}"}
    services.contract_evaluate(
        actor=world.staff,
        contract=contract,
        side=ContractParty.COMMUNITY,
        score=92,
        clause_scores={clauses[0].pk: 95, clauses[1].pk: 88},
        comment="医院履约积极",
    )
    with pytest.raises(ValidationError):
        services.contract_evaluate(
            actor=world.street_staff,
            contract=contract,
            side=ContractParty.COMMUNITY,
            score=10,
            clause_scores={clause.pk: 10 for clause in clauses},
        )
    assert fresh(contract).state == ContractState.EVALUATING
    services.contract_rate(actor=world.resident, contract=contract, stars=4, comment="很好")
    with pytest.raises(ValidationError):
        services.contract_rate(actor=world.resident, contract=contract, stars=5)
    with pytest.raises(PermissionDenied):
        services.contract_rate(actor=world.outsider, contract=contract, stars=1)
    services.contract_evaluate(
        actor=world.unit_user,
        contract=contract,
        side=ContractParty.UNIT,
        score=80,
        clause_scores={clauses[0].pk: 85, clauses[1].pk: 75},
    )
    closed = fresh(contract)
    assert closed.state == ContractState.CLOSED
    assert dict(Evaluation.objects.values_list("party", "score")) == {"community": 92, "unit": 80}
    assert ClauseScore.objects.count() == 4
    assert list(ResidentRating.objects.values_list("stars", flat=True)) == [4]
    # Residents may still rate a closed contract; not one being performed.
    other = published(world)
    with pytest.raises(ValidationError):
        services.contract_rate(actor=world.resident, contract=other, stars=3)


def test_the_community_may_close_without_the_unit_s_evaluation_after_its_own(world: ContractWorld) -> None:
    contract = evaluating(world)
    with pytest.raises(ValidationError):
        services.contract_close(
            actor=world.staff, contract=contract, reason="单位未评", expected_version=contract.version
        )
    services.contract_evaluate(
        actor=world.staff,
        contract=contract,
        side=ContractParty.COMMUNITY,
        score=70,
        clause_scores={clause.pk: 70 for clause in contract.clauses.all()},
    )
    contract = fresh(contract)
    services.contract_close(
        actor=world.staff, contract=contract, reason="单位逾期未评", expected_version=contract.version
    )
    assert fresh(contract).state == ContractState.CLOSED


# --- expiry and renewal -----------------------------------------------------------------------------------------------


def test_the_expiry_warning_goes_out_once_30_days_ahead(world: ContractWorld) -> None:
    soon = published(world, term_start=days(-300), term_end=days(20))
    later = published(world, term_start=days(-300), term_end=days(31))
    assert tasks.warn_expiring.call() == {"warned": 1}
    assert tasks.warn_expiring.call() == {"warned": 0}
    assert fresh(soon).expiry_warned_at is not None
    assert fresh(later).expiry_warned_at is None
    assert ContractEvent.objects.filter(subject=soon, action="warn_expiry").count() == 1
    warned = Notification.objects.filter(text__contains=soon.number)
    assert set(warned.values_list("recipient_id", flat=True)) == {world.staff.pk, world.unit_user.pk}
    assert warned.count() == 2
    assert not Notification.objects.filter(text__contains=later.number).exists()


def test_renewal_copies_the_clauses_with_due_dates_shifted_by_the_term(world: ContractWorld) -> None:
    contract = published(world, term_start=days(-300), term_end=days(64))
    renewed = services.contract_renew(actor=world.staff, contract=contract)
    assert renewed.state == ContractState.NEGOTIATING
    assert renewed.renewed_from == contract
    assert renewed.number != contract.number
    assert renewed.term_start == days(65)
    assert contract.term_start is not None
    assert contract.term_end is not None
    length = calendar_length(contract.term_start, contract.term_end)
    assert renewed.term_end == calendar_shift(days(65), length) - timedelta(days=1)
    old = list(contract.clauses.order_by("position"))
    new = list(renewed.clauses.order_by("position"))
    assert [(c.menu, c.party, c.content, c.measure, c.field) for c in new] == [
        (c.menu, c.party, c.content, c.measure, c.field) for c in old
    ]
    assert [c.due_on for c in new] == [calendar_shift(c.due_on, length) for c in old]
    assert all(c.performed_on is None for c in new)
    assert all(renewed.term_start <= c.due_on <= renewed.term_end for c in new)
    with pytest.raises(ValidationError):
        services.contract_renew(actor=world.staff, contract=contract)
    with pytest.raises(ValidationError):
        services.contract_renew(actor=world.staff, contract=draft(world))


def _at(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(10)))


@pytest.mark.parametrize(
    ("term", "renewal", "due"),
    [
        # A year across 29 February 2028: the renewal lasts a year again, not a day longer.
        (
            (date(2027, 3, 1), date(2028, 2, 29)),
            (date(2028, 3, 1), date(2029, 2, 28)),
            [date(2028, 6, 9), date(2028, 12, 26)],
        ),
        # The whole of 2024, a leap year: the clauses fall on the same days of 2025, not a day later.
        (
            (date(2024, 1, 1), date(2024, 12, 31)),
            (date(2025, 1, 1), date(2025, 12, 31)),
            [date(2025, 4, 10), date(2025, 10, 27)],
        ),
        # A year from 29 February 2028 (to the day before 28 February 2029) is followed by a year again.
        (
            (date(2028, 2, 29), date(2029, 2, 27)),
            (date(2029, 2, 28), date(2030, 2, 27)),
            [date(2029, 6, 8), date(2029, 12, 24)],
        ),
    ],
)
def test_a_renewal_moves_the_term_and_the_due_dates_by_calendar_years(
    world: ContractWorld, term: tuple[date, date], renewal: tuple[date, date], due: list[date]
) -> None:
    contract = published(world, at=_at(term[0]), term_start=term[0], term_end=term[1])
    renewed = services.contract_renew(actor=world.staff, contract=contract, now=_at(term[1]))
    assert (renewed.term_start, renewed.term_end) == renewal
    assert [c.due_on for c in renewed.clauses.order_by("position")] == due


def test_a_contract_runs_for_five_calendar_years_at_most(world: ContractWorld) -> None:
    for start, end in [(date(2024, 3, 1), date(2029, 2, 28)), (date(2023, 3, 1), date(2028, 2, 29))]:
        assert draft(world, clauses=0, term_start=start, term_end=end).term_end == end
    with pytest.raises(ValidationError) as refused:
        draft(world, clauses=0, term_start=date(2024, 3, 1), term_end=date(2029, 3, 1))
    assert refused.value.message_dict["term_end"] == ["A contract runs for at most five years."]


def test_the_renewal_of_a_five_year_contract_across_29_february_is_five_years_again(world: ContractWorld) -> None:
    contract = published(world, at=_at(date(2023, 3, 1)), term_start=date(2023, 3, 1), term_end=date(2028, 2, 29))
    renewed = services.contract_renew(actor=world.staff, contract=contract)
    assert (renewed.term_start, renewed.term_end) == (date(2028, 3, 1), date(2033, 2, 28))
    # The draft's own term passes the five-year rule when the community saves it unchanged.
    services.contract_edit(
        actor=world.staff,
        contract=renewed,
        title=renewed.title,
        term_start=renewed.term_start,
        term_end=renewed.term_end,
        expected_version=renewed.version,
    )
    assert fresh(renewed).term_end == date(2033, 2, 28)


def test_years_later_takes_29_february_to_28_february() -> None:
    assert years_later(date(2024, 2, 29), 1) == date(2025, 2, 28)
    assert years_later(date(2024, 2, 29), 4) == date(2028, 2, 29)
    assert years_later(date(2028, 2, 29), -1) == date(2027, 2, 28)
    assert calendar_length(date(2027, 3, 1), date(2028, 2, 29)) == (1, 0)
    assert calendar_length(date(2024, 1, 1), date(2024, 12, 31)) == (1, 0)
    assert calendar_length(date(2024, 1, 1), date(2026, 1, 10)) == (2, 10)
    assert calendar_length(date(2024, 1, 1), date(2024, 1, 1)) == (0, 1)


# --- from a match -----------------------------------------------------------------------------------------------------


def test_a_match_becomes_a_clause_of_a_new_or_an_existing_contract(world: ContractWorld) -> None:
    match = make_match(world)
    values = clause_values(content="医院志愿医生上门体检", due_on=days(30))
    clause = services.contract_clause_from_match(
        actor=world.staff, match=match, contract=None, title="共建健康社区", values=values, expected_version=None
    )
    assert clause.match == match
    assert clause.contract.unit == world.unit
    assert clause.contract.state == ContractState.NEGOTIATING
    again = services.contract_clause_from_match(
        actor=world.staff,
        match=match,
        contract=clause.contract,
        title="",
        values=values,
        expected_version=fresh(clause.contract).version,
    )
    assert again.contract == clause.contract
    assert again.position == 2
    elsewhere = draft(world, unit=world.unit2, clauses=0)
    with pytest.raises(ValidationError):
        services.contract_clause_from_match(
            actor=world.staff,
            match=match,
            contract=elsewhere,
            title="",
            values=values,
            expected_version=elsewhere.version,
        )
