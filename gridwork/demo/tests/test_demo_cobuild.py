"""The demo's co-construction: every stage of a contract is there and every object is what its events say, the lists
and projects are in every state, the demo unit contact finds its contracts, the public board shows what was
published and nothing else, the same seed gives the same history, and ``--if-empty`` adds nothing."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from datetime import UTC, datetime, timedelta
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import Client, TestCase, override_settings
from django.urls import reverse
from django.utils import timezone

from gridwork.accounts.models import User
from gridwork.alliances.flows import ALLIANCE_FLOW
from gridwork.alliances.models import Alliance, AllianceEvent, ChairChange, JointMeeting
from gridwork.alliances.selectors import alliance_rotation, with_counts
from gridwork.audit.models import AuditEvent
from gridwork.cobuild.flows import NEED_FLOW, PROJECT_FLOW, RESOURCE_FLOW
from gridwork.cobuild.models import (
    Match,
    Need,
    NeedEvent,
    NeedState,
    Project,
    ProjectEvent,
    ProjectState,
    Resource,
    ResourceEvent,
    ResourceState,
)
from gridwork.contracts.flows import CONTRACT_FLOW
from gridwork.contracts.models import (
    PUBLIC_STATES,
    Clause,
    Contract,
    ContractEvent,
    ContractParty,
    ContractStage,
    ContractState,
    Evaluation,
    Performance,
    ResidentRating,
)
from gridwork.contracts.selectors import clause_status, expiring_q, unit_contract_list
from gridwork.demo.build import demo_city_build
from gridwork.demo.cobuild import HISTORY_DAYS, demo_cobuild_build, demo_cobuild_counts
from gridwork.demo.matters import demo_matters_build
from gridwork.demo.plan import SCALES
from gridwork.demo.tests.test_demo_volunteering import flow_problems, sign_in_by_phone
from gridwork.demo.volunteering import DEMO_UNIT_CONTACT_PHONE
from gridwork.party.models import PartTimeMember, UnitContact
from gridwork.party.parttime_selectors import TermStatus, term_status
from gridwork.people.models import ResidentUnit
from gridwork.places import locating

Capture = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]
UNTIL = datetime(2026, 11, 21, 4, 0, tzinfo=UTC)
PHONE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


@pytest.fixture(scope="class")
def history_output(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """The small demo city with its matters and its season of volunteering (as ``make run`` loads them), then its
    co-construction, made once for the class by the command, in a transaction rolled back at the class's end (the
    callbacks that would run at commit, such as writing evidence files, run as the command ends)."""
    media: Path = tmp_path_factory.mktemp("media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media):
        locating.drop_grid_index()
        with transaction.atomic():
            demo_city_build(scale=SCALES["small"])
            demo_matters_build(limit=150, log=lambda _line: None)
            call_command("demo_volunteering", allow_without_debug=True, stdout=StringIO())
            output = StringIO()
            # Evidence files are written once their record commits; the class's transaction never does.
            with TestCase.captureOnCommitCallbacks(execute=True):
                call_command("demo_cobuild", allow_without_debug=True, stdout=output)
            yield output.getvalue()
            transaction.set_rollback(True)
        locating.drop_grid_index()


def states(model: Any) -> set[str]:
    return set(model.objects.values_list("state", flat=True))


@pytest.mark.django_db
@pytest.mark.usefixtures("history_output")
class TestTheHistory:
    def test_every_stage_of_a_contract_is_there(self) -> None:
        today = timezone.localdate()
        contracts = list(Contract.objects.all())

        assert states(Contract) == set(ContractState.values)
        assert {contract.stage for contract in contracts} == set(ContractStage.values)
        performing = Contract.objects.filter(state=ContractState.PERFORMING)
        statuses = Counter(
            clause_status(clause, today=today) for clause in Clause.objects.filter(contract__in=performing)
        )
        assert statuses["overdue"] >= 1
        performed = Counter(clause_status(clause, today=today) for clause in Clause.objects.exclude(performed_on=None))
        assert performed["on_time"] > performed["late"] >= 1
        expiring = performing.filter(expiring_q(today))
        assert expiring.exists()
        assert all(contract.events.filter(action="warn_expiry").count() == 1 for contract in expiring)
        assert not ContractEvent.objects.filter(action="warn_expiry").exclude(subject__in=expiring).exists()
        renewal = Contract.objects.get(renewed_from__isnull=False)
        assert renewal.state == ContractState.PERFORMING
        assert renewal.renewed_from is not None
        assert renewal.renewed_from.state == ContractState.CLOSED
        assert renewal.term_start == renewal.renewed_from.term_end + timedelta(days=1)  # type: ignore[operator]
        assert renewal.clauses.count() == renewal.renewed_from.clauses.count()
        assert Contract.objects.filter(state=ContractState.NEGOTIATING, events__action="reopen").exists()
        assert Contract.objects.filter(state=ContractState.CLOSED, ended_early=True).exists()
        assert Clause.objects.filter(match__isnull=False).exists(), "a clause drafted from a match"
        assert Clause.objects.filter(proposed_by=ContractParty.UNIT).exists()

    def test_every_object_is_what_its_events_say(self) -> None:
        problems = [
            problem
            for model, flow in (
                (Contract, CONTRACT_FLOW),
                (Need, NEED_FLOW),
                (Resource, RESOURCE_FLOW),
                (Project, PROJECT_FLOW),
                (Alliance, ALLIANCE_FLOW),
            )
            for subject in model.objects.all()
            for problem in flow_problems(subject, flow)
        ]

        assert problems == []
        assert Contract.objects.count() >= 12

    def test_signatures_evaluations_and_ratings_match_the_states(self) -> None:
        for contract in Contract.objects.all():
            evaluations = set(contract.evaluations.values_list("party", flat=True))
            signed = contract.community_signed_at is not None, contract.unit_signed_at is not None
            match contract.state:
                case ContractState.NEGOTIATING | ContractState.CANCELLED:
                    assert signed == (False, False)
                case ContractState.SIGNING:
                    assert sum(signed) == 1
                case _:
                    assert signed == (True, True)
                    assert contract.signed_at is not None
            if contract.state in PUBLIC_STATES:
                assert contract.published_at is not None
            if contract.state == ContractState.EVALUATING:
                assert evaluations == {ContractParty.COMMUNITY}
            if contract.state == ContractState.CLOSED:
                close = contract.events.get(action="close")
                both = close.data["both_evaluated"]
                assert evaluations == ({"community", "unit"} if both else {"community"})
                assert contract.resident_ratings.exists()
            if contract.state not in (ContractState.EVALUATING, ContractState.CLOSED):
                assert not evaluations
                assert not contract.resident_ratings.exists()
        assert Contract.objects.filter(state=ContractState.CLOSED, events__data__both_evaluated=False).count() == 1
        for evaluation in Evaluation.objects.all():
            assert evaluation.clause_scores.count() == evaluation.contract.clauses.count()
        for rating in ResidentRating.objects.select_related("contract__community"):
            rater = User.objects.get(pk=rating.user_id)
            assert rater.resident.household.path.startswith(rating.contract.community.path)  # type: ignore[attr-defined]
            assert rater.date_joined <= rating.rated_at

    def test_every_performance_has_a_photo_and_sets_the_clause_date(self, settings: Any) -> None:
        assert Performance.objects.exists()
        for record in Performance.objects.prefetch_related("evidence"):
            evidence = list(record.evidence.all())
            assert len(evidence) == 1
            assert evidence[0].content_type == "image/png"
            path = Path(settings.MEDIA_ROOT) / evidence[0].file.name
            assert path.read_bytes().startswith(b"\x89PNG")
            assert record.event.action == "perform"
            assert record.party == record.clause.party
            assert record.contract.term_start <= record.performed_on <= timezone.localtime(record.recorded_at).date()
        assert Performance.objects.filter(completes=False).exists(), "a clause half done first"
        for clause in Clause.objects.all():
            completing = clause.performances.filter(completes=True).order_by("recorded_at").first()
            assert clause.performed_on == (completing.performed_on if completing else None)

    def test_the_lists_and_projects_are_in_every_state(self) -> None:
        assert states(Need) == set(NeedState.values)
        assert states(Resource) == set(ResourceState.values)
        assert states(Project) == set(ProjectState.values)
        assert len(set(Resource.objects.values_list("kind", flat=True))) >= 4
        assert Resource.objects.filter(events__action="restore").exists()
        assert Need.objects.filter(matter__isnull=False, source="matters").exists(), "needs taken from matters"
        assert Project.objects.filter(alliance__isnull=False).exists(), "an alliance's joint project"
        assert Project.objects.filter(match__isnull=False).exists()
        for project in Project.objects.prefetch_related("milestones"):
            milestones = list(project.milestones.all())
            assert milestones
            assert all(project.starts_on <= m.due_on <= project.ends_on for m in milestones)
            if project.state == ProjectState.DONE:
                assert all(m.done_on is not None for m in milestones)
            if project.state in (ProjectState.PLANNED, ProjectState.CANCELLED):
                assert all(m.done_on is None for m in milestones)
        for need in Need.objects.filter(state=NeedState.MET):
            assert need.matches.exists()

    def test_matches_are_the_suggestions_staff_saw(self) -> None:
        assert Match.objects.count() >= 10
        for match in Match.objects.select_related("need", "resource"):
            event = match.need.events.get(action="match", data__resource=match.resource_id)
            assert event.data["score"] == match.score
            assert len(match.reasons) == 5  # field, words, nearness, dates, quantity
            assert match.resource.created_at < match.made_at

    def test_units_contacts_and_part_time_members(self) -> None:
        assert AuditEvent.objects.filter(action="resident_unit.create").count() >= 2
        assert AuditEvent.objects.filter(action="resident_unit.update").exists()
        assert not ResidentUnit.objects.filter(contacts__isnull=True, contracts__isnull=False).exists()
        for contract in Contract.objects.exclude(unit_signed_by=None):
            assert UnitContact.objects.filter(unit=contract.unit, user=contract.unit_signed_by).exists()
            contact = UnitContact.objects.get(unit=contract.unit, user=contract.unit_signed_by)
            assert contact.created_at <= contract.unit_signed_at  # type: ignore[operator]
        appointed = PartTimeMember.objects.filter(appointed_by__isnull=False)
        assert appointed.filter(renewed_from__isnull=False).exists()
        assert appointed.filter(ended_on__isnull=False).exists()
        assert TermStatus.EXPIRING in {term_status(term) for term in appointed}
        assert {term.organisation.kind for term in appointed} == {"working_committee", "community_committee"}

    def test_alliances_rotate_their_chair_and_meet(self) -> None:
        today = timezone.localdate()
        alliances = list(with_counts(Alliance.objects.all(), year=today.year))

        assert len(alliances) >= 2
        for alliance in alliances:
            members = [m for m in alliance.members.all() if m.active_on(today)]
            assert 2 <= len(members) <= 4
            assert any(m.community_id for m in members)
            assert any(m.unit_id for m in members)
            spells = alliance_rotation(alliance=alliance).spells
            assert len({spell.member for spell in spells}) >= 2, "the chair rotated"
            assert JointMeeting.objects.filter(alliance=alliance).count() >= 2
        assert ChairChange.objects.filter(kind="handover").exists()
        assert AllianceEvent.objects.filter(action="join").exists()
        if today.timetuple().tm_yday > 20:
            assert [a.short for a in alliances].count(True) == 1

    def test_events_lie_in_the_history_in_waking_hours(self) -> None:
        now = timezone.now()
        start = now - timedelta(days=HISTORY_DAYS + 1)
        moments = [
            moment
            for model in (ContractEvent, NeedEvent, ResourceEvent, ProjectEvent, AllianceEvent)
            for moment in model.objects.values_list("at", flat=True)
        ]
        moments += list(Contract.objects.values_list("created_at", flat=True))
        moments += list(UnitContact.objects.values_list("created_at", flat=True))

        assert moments
        assert all(start < moment < now for moment in moments)
        assert all(8 <= timezone.localtime(moment).hour < 22 for moment in moments)

    def test_the_demo_unit_contact_signs_in_and_finds_its_contracts(
        self, client: Client, django_capture_on_commit_callbacks: Capture
    ) -> None:
        contact = User.objects.get(phone=DEMO_UNIT_CONTACT_PHONE)
        contracts = list(unit_contract_list(user=contact))

        assert {c.state for c in contracts} >= {"closed", "performing", "signing", "negotiating"}
        signing = next(c for c in contracts if c.state == ContractState.SIGNING)
        assert signing.unit_signed_at is None, "the contract waits for the contact's signature"
        assert contact.unit_contacts.get().unit.kind == "school"

        sign_in_by_phone(
            client, django_capture_on_commit_callbacks, DEMO_UNIT_CONTACT_PHONE, reverse("unit_contracts:list")
        )
        page = client.get(reverse("unit_contracts:list"))
        detail = client.get(reverse("unit_contracts:detail", args=[signing.pk]))
        resources = client.get(reverse("unit_cobuild:resource-list"))

        assert page.status_code == 200
        assert all(contract.number in page.content.decode() for contract in contracts)
        assert detail.status_code == 200
        assert resources.status_code == 200
        assert Resource.objects.filter(unit__contacts__user=contact).first().title in resources.content.decode()  # type: ignore[union-attr]

    def test_the_public_board_shows_the_published_contracts_and_no_phone_number(self, client: Client) -> None:
        communities = Contract.objects.filter(state__in=PUBLIC_STATES).values_list("community__code", flat=True)

        assert communities
        for code in set(communities):
            page = client.get(reverse("public_contracts:community", args=[code]))
            text = page.content.decode()
            assert page.status_code == 200
            for contract in Contract.objects.filter(community__code=code):
                assert (contract.number in text) == (contract.state in PUBLIC_STATES), contract.number
            assert not PHONE.search(text)
        published = Contract.objects.filter(state=ContractState.CLOSED).first()
        assert published is not None
        detail = client.get(reverse("public_contracts:detail", args=[published.number]))
        assert detail.status_code == 200
        assert not PHONE.search(detail.content.decode())

    def test_if_empty_adds_nothing_and_without_it_the_command_refuses(self, history_output: str) -> None:
        before = demo_cobuild_counts()

        call_command("demo_cobuild", if_empty=True, allow_without_debug=True, stdout=StringIO())
        with pytest.raises(CommandError):
            call_command("demo_cobuild", allow_without_debug=True, stdout=StringIO())

        assert demo_cobuild_counts() == before
        assert AuditEvent.objects.filter(action="demo.cobuild_built").count() == 1
        assert "contracts · closed" in history_output
        assert DEMO_UNIT_CONTACT_PHONE in history_output


def _fingerprint() -> list[Any]:
    """The history as plain values, without primary keys (PostgreSQL's sequences do not roll back)."""
    return [
        sorted(
            Contract.objects.values_list(
                "number",
                "title",
                "community__code",
                "unit__credit_code",
                "state",
                "term_start",
                "term_end",
                "created_at",
            )
        ),
        sorted(Clause.objects.values_list("contract__number", "position", "content", "due_on", "performed_on")),
        sorted(Need.objects.values_list("title", "community__code", "state", "source", "wanted_by", "created_at")),
        sorted(Resource.objects.values_list("unit__credit_code", "title", "state", "quantity", "created_at")),
        sorted(Project.objects.values_list("title", "community__code", "state", "starts_on", "budget")),
        sorted(Match.objects.values_list("need__title", "resource__title", "score", "made_at")),
        sorted(JointMeeting.objects.values_list("alliance__name", "held_on", "topic", "minutes")),
        sorted(PartTimeMember.objects.values_list("organisation__code", "name", "term_start", "term_end", "ended_on")),
        sorted(Evaluation.objects.values_list("contract__number", "party", "score")),
        sorted(ResidentRating.objects.values_list("contract__number", "stars", "rated_at")),
        sorted(ResidentUnit.objects.values_list("credit_code", "name", "party_organisation_name", "contact_phone")),
    ]


@pytest.mark.django_db
def test_the_same_seed_gives_the_same_history_and_another_seed_another(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path
    locating.drop_grid_index()
    demo_city_build(scale=SCALES["small"])
    prints = []
    for seed in (7, 7, 8):
        with transaction.atomic():
            summary = demo_cobuild_build(seed=seed, communities=2, until=UNTIL, log=lambda _line: None)
            prints.append(_fingerprint())
            # Without demo_volunteering, the demo contact is made here, through party.contacts.
            assert UnitContact.objects.filter(user__phone=DEMO_UNIT_CONTACT_PHONE).exists()
            assert AuditEvent.objects.filter(action="unit_contact.add", detail__phone="138****0002").exists()
            transaction.set_rollback(True)
        assert len(summary.communities) == 2

    assert prints[0][0], "contracts were made"
    assert prints[0] == prints[1]
    assert prints[0] != prints[2]
    last = max(created for *_rest, created in prints[0][0])
    assert timezone.localtime(last).date() < timezone.localtime(UNTIL).date()
    locating.drop_grid_index()


@pytest.mark.django_db
def test_without_a_demo_city_or_without_debug_nothing_is_made() -> None:
    with pytest.raises(CommandError):
        call_command("demo_cobuild", stdout=StringIO())  # the test settings have DEBUG off

    output = StringIO()
    call_command("demo_cobuild", if_empty=True, allow_without_debug=True, stdout=output)

    assert "demo_city" in output.getvalue()
    assert not Contract.objects.exists()
    assert not Need.objects.exists()
    assert demo_cobuild_counts()["alliances"] == 0
