"""Real threads, each with its own database connection, racing on the same matter or the same filing.

Each race runs twice: "at once" releases all threads together from a barrier and lets them run; "in lockstep"
also holds every thread at the point where it has read the matter (or checked the idempotency key) and is about
to write, until all have arrived, so that every thread but one must lose at the compare-and-set (or at the
unique key): the lost-update case is then certain, not a matter of timing.

The data must be committed for other connections to see it: these tests use transactional test cases. They must
pass on SQLite (WAL, BEGIN IMMEDIATE, busy timeout) and on PostgreSQL (scripts/with-postgres.sh).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from gridwork.accounts.models import User
from gridwork.accounts.roles import Role
from gridwork.accounts.tests.factories import make_resident_user, make_staff
from gridwork.common.tests.racing import race
from gridwork.matters import notify, services
from gridwork.matters.models import DailySequence, IdempotencyRecord, Matter, MatterEvent
from gridwork.matters.services import ConcurrentChange, FilingReceipt, Idempotency
from gridwork.matters.tests.factories import TEXT, LoopStaff, make_loop_staff
from gridwork.matters.workflow import Action, MatterKind, MatterState, Satisfaction, TransitionRefused, replay
from gridwork.places.tests.factories import CityTree

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 8
MODES = ["at once", "in lockstep"]
_gates: list[threading.Barrier] = []  # the barriers racing threads may wait at; broken at once if a thread fails


@contextmanager
def lockstep(mode: str, parties: int) -> Iterator[None]:
    """In lockstep, hold each racing thread after its reads, just before its writes, until all ``parties`` are there.

    ``services.apply`` is the point: ``matter_transition`` calls it after reading the matter and before its
    compare-and-set; ``matter_file`` after the idempotency check and before its insert.
    """
    if mode != "in lockstep":
        yield
        return
    gate = threading.Barrier(parties)
    _gates.append(gate)
    real_apply = services.apply

    def apply_when_all_have_read(*args: Any, **kwargs: Any) -> Any:
        gate.wait(timeout=30)
        return real_apply(*args, **kwargs)

    services.apply = apply_when_all_have_read  # type: ignore[assignment]
    try:
        yield
    finally:
        services.apply = real_apply  # type: ignore[assignment]
        _gates.remove(gate)


@pytest.fixture
def notified(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The events whose after-commit notification ran (instead of sending anything)."""
    events: list[int] = []
    lock = threading.Lock()

    def record(*, event_id: int) -> None:
        with lock:
            events.append(event_id)

    monkeypatch.setattr(notify, "matter_moved", record)
    return events


@pytest.fixture
def staff(tree: CityTree) -> LoopStaff:
    return make_loop_staff(tree)


def _fresh(user: User) -> User:
    fresh = User.objects.get(pk=user.pk)
    fresh.active_posts  # noqa: B018  (read the posts now, on this thread's connection)
    return fresh


def _file(tree: CityTree, actor: Any = None, **options: Any) -> FilingReceipt:
    options.setdefault("channel", "resident_web")
    return services.matter_file(
        actor=actor, text=TEXT, building=tree.microgrid, kind=MatterKind.PROFESSIONAL, **options
    )


def _dispatched(tree: CityTree, staff: LoopStaff, reporter: User | None = None) -> int:
    matter_id = _file(tree, reporter).matter_id
    services.matter_transition(
        actor=staff.dispatcher,
        matter_id=matter_id,
        action=Action.DISPATCH,
        data={"kind": MatterKind.PROFESSIONAL, "lead_department_id": tree.department.pk},
    )
    return matter_id


def _assert_consistent(matter_id: int) -> Matter:
    matter = Matter.objects.get(pk=matter_id)
    events = list(matter.events.order_by("sequence"))
    assert [event.sequence for event in events] == list(range(1, matter.version + 1))
    assert replay([(event.action, event.data) for event in events]) == services.snapshot_of(matter)
    return matter


def _losers_lost_cleanly(outcomes: list[Any], mode: str) -> None:
    for outcome in outcomes:
        if mode == "in lockstep":  # all read the same version: each loser must fail the compare-and-set
            assert isinstance(outcome, ConcurrentChange), repr(outcome)
        else:  # or it came late and found the matter already moved on
            assert isinstance(outcome, ConcurrentChange) or (
                isinstance(outcome, TransitionRefused) and outcome.code == "wrong_state"
            ), repr(outcome)


@pytest.mark.parametrize("mode", MODES)
def test_handlers_accepting_at_once_one_wins(tree: CityTree, staff: LoopStaff, notified: list[int], mode: str) -> None:
    handlers = [
        make_staff(role=Role.DEPARTMENT_HANDLER, place=tree.district, department=tree.department, username=f"h{i}")
        for i in range(THREADS)
    ]
    matter_id = _dispatched(tree, staff)
    version = Matter.objects.get(pk=matter_id).version
    notified.clear()

    def accept(_i: int, handler: User) -> Matter:
        return services.matter_transition(actor=handler, matter_id=matter_id, action=Action.ACCEPT)

    with lockstep(mode, THREADS):
        outcomes = race(accept, lambda i: _fresh(handlers[i]), threads=THREADS, gates=_gates)

    winners = [i for i, outcome in enumerate(outcomes) if isinstance(outcome, Matter)]
    assert len(winners) == 1, outcomes
    _losers_lost_cleanly([outcome for outcome in outcomes if not isinstance(outcome, Matter)], mode)
    matter = _assert_consistent(matter_id)
    assert (matter.state, matter.version) == (MatterState.IN_PROGRESS, version + 1)
    accepts = list(MatterEvent.objects.filter(matter_id=matter_id, action=Action.ACCEPT))
    assert [event.actor_id for event in accepts] == [handlers[winners[0]].pk]
    assert notified == [accepts[0].pk]  # only the winner's move is announced, after its commit


@pytest.mark.parametrize("mode", MODES)
def test_accept_and_return_at_once_only_one_happens(
    tree: CityTree, staff: LoopStaff, notified: list[int], mode: str
) -> None:
    handlers = [
        make_staff(role=Role.DEPARTMENT_HANDLER, place=tree.district, department=tree.department, username=f"h{i}")
        for i in range(THREADS)
    ]
    matter_id = _dispatched(tree, staff)
    version = Matter.objects.get(pk=matter_id).version

    def accept_or_return(i: int, handler: User) -> Matter:
        # As a page would: with the version its user saw. Without it, a return arriving just after a colleague's
        # accept would (rightly, by the table) return the matter now in progress: two moves, not a race lost.
        return services.matter_transition(
            actor=handler,
            matter_id=matter_id,
            action=Action.ACCEPT if i % 2 else Action.RETURN,
            data={"reason": "不属于本部门"},
            expected_version=version,
        )

    with lockstep(mode, THREADS):
        outcomes = race(accept_or_return, lambda i: _fresh(handlers[i]), threads=THREADS, gates=_gates)

    winners = [outcome for outcome in outcomes if isinstance(outcome, Matter)]
    assert len(winners) == 1, outcomes
    _losers_lost_cleanly([outcome for outcome in outcomes if not isinstance(outcome, Matter)], mode)
    matter = _assert_consistent(matter_id)
    assert matter.version == version + 1
    assert matter.state in {MatterState.IN_PROGRESS, MatterState.RETURNED}
    assert matter.return_count == (1 if matter.state == MatterState.RETURNED else 0)


@pytest.mark.parametrize("mode", MODES)
def test_dispatchers_at_once_leave_the_winners_units_only(
    tree: CityTree, staff: LoopStaff, notified: list[int], mode: str
) -> None:
    """The co-handling units live in their own table, rewritten after the compare-and-set: no loser's may stay."""
    matter_id = _file(tree).matter_id
    dispatchers = [staff.dispatcher, staff.community, staff.operator] * 3
    units = [(tree.grid.pk, None), (tree.community.pk, None), (tree.street.pk, None), (None, tree.department.pk)]
    plans = [
        {
            "kind": MatterKind.COMMUNITY,
            "lead_place_id": tree.community.pk,
            "co_units": [list(unit) for unit in units if unit != (tree.community.pk, None)][: 1 + i % 3],
        }
        if i % 2
        else {
            "kind": MatterKind.PROFESSIONAL,
            "lead_department_id": tree.department.pk,
            "co_units": [list(unit) for unit in units if unit != (None, tree.department.pk)][i % 3 :],
        }
        for i in range(THREADS)
    ]

    def dispatch(i: int, dispatcher: User) -> Matter:
        return services.matter_transition(actor=dispatcher, matter_id=matter_id, action=Action.DISPATCH, data=plans[i])

    with lockstep(mode, THREADS):
        outcomes = race(dispatch, lambda i: _fresh(dispatchers[i]), threads=THREADS, gates=_gates)

    winners = [i for i, outcome in enumerate(outcomes) if isinstance(outcome, Matter)]
    assert len(winners) == 1, outcomes
    _losers_lost_cleanly([outcome for outcome in outcomes if not isinstance(outcome, Matter)], mode)
    matter = _assert_consistent(matter_id)
    plan = plans[winners[0]]
    assert (matter.lead_place_id, matter.lead_department_id) == (
        plan.get("lead_place_id"),
        plan.get("lead_department_id"),
    )
    assert sorted(matter.assignments.values_list("place_id", "department_id"), key=str) == sorted(
        (tuple(unit) for unit in plan["co_units"]), key=str
    )
    assert len(notified) == 1


@pytest.mark.parametrize("mode", MODES)
def test_two_raters_at_once_rate_once(tree: CityTree, staff: LoopStaff, notified: list[int], mode: str) -> None:
    resident = make_resident_user(phone="13900000009")
    matter_id = _dispatched(tree, staff, reporter=resident)
    services.matter_transition(actor=staff.department, matter_id=matter_id, action=Action.ACCEPT)
    services.matter_transition(actor=staff.department, matter_id=matter_id, action=Action.REPLY, data={"text": "已修"})
    version = Matter.objects.get(pk=matter_id).version
    raters = [resident, staff.operator, staff.dispatcher, staff.community] * 2
    ratings = [Satisfaction.SATISFIED, Satisfaction.UNSATISFIED, Satisfaction.BASICALLY, Satisfaction.UNSATISFIED] * 2

    def rate(i: int, rater: User) -> Matter:
        return services.matter_transition(
            actor=rater, matter_id=matter_id, action=Action.RATE, data={"satisfaction": ratings[i]}
        )

    with lockstep(mode, THREADS):
        outcomes = race(rate, lambda i: _fresh(raters[i]), threads=THREADS, gates=_gates)

    winners = [i for i, outcome in enumerate(outcomes) if isinstance(outcome, Matter)]
    assert len(winners) == 1, outcomes
    _losers_lost_cleanly([outcome for outcome in outcomes if not isinstance(outcome, Matter)], mode)
    matter = _assert_consistent(matter_id)
    assert matter.version == version + 1
    [rating] = MatterEvent.objects.filter(matter_id=matter_id, action=Action.RATE)
    assert (rating.actor_id, rating.data["satisfaction"]) == (raters[winners[0]].pk, ratings[winners[0]])
    reopened = ratings[winners[0]] == Satisfaction.UNSATISFIED
    assert (matter.state, matter.reopen_count) == (
        (MatterState.IN_PROGRESS, 1) if reopened else (MatterState.TO_VERIFY, 0)
    )


@pytest.mark.parametrize("mode", MODES)
def test_one_submission_retried_from_eight_threads_files_one_matter(tree: CityTree, mode: str) -> None:
    key = Idempotency(scope="api:intake", key="retry-me", request_hash=services.request_fingerprint({"text": TEXT}))

    def submit(_i: int, _prepared: None) -> FilingReceipt:
        return _file(tree, idempotency=key, reporter_phone="13812345678")

    with lockstep(mode, THREADS):
        outcomes = race(submit, threads=THREADS, gates=_gates)

    assert all(isinstance(outcome, FilingReceipt) for outcome in outcomes), outcomes
    assert len({(r.matter_id, r.number, r.tracking_code) for r in outcomes}) == 1
    assert sorted(receipt.replayed for receipt in outcomes) == [False] + [True] * (THREADS - 1)
    assert (Matter.objects.count(), MatterEvent.objects.count(), IdempotencyRecord.objects.count()) == (1, 1, 1)
    assert outcomes[0].tracking_code
    # The losers' numbers were rolled back with their filings: the next matter gets the next number.
    following = _file(tree)
    assert int(following.number[-7:]) == int(outcomes[0].number[-7:]) + 1


@pytest.mark.parametrize("mode", MODES)
def test_daily_numbers_of_concurrent_filings_are_distinct_and_consecutive(tree: CityTree, mode: str) -> None:
    first = _file(tree)  # the day's sequence row exists; the race is on incrementing it

    def submit(i: int, _prepared: None) -> FilingReceipt:
        return _file(tree, reporter_phone=f"1381234{i:04d}")

    with lockstep(mode, THREADS):
        outcomes = race(submit, threads=THREADS, gates=_gates)

    assert all(isinstance(outcome, FilingReceipt) for outcome in outcomes), outcomes
    numbers = sorted(receipt.number for receipt in outcomes)
    assert {number[:10] for number in numbers} == {first.number[:10]}
    sequence = [int(number[-7:]) for number in numbers]
    assert sequence == list(range(int(first.number[-7:]) + 1, int(first.number[-7:]) + 1 + THREADS))
    assert Matter.objects.count() == THREADS + 1
    assert DailySequence.objects.get().last == sequence[-1]


@pytest.mark.parametrize("mode", MODES)
def test_the_first_filings_of_a_day_race_to_create_its_number_row(tree: CityTree, mode: str) -> None:
    def submit(i: int, _prepared: None) -> FilingReceipt:
        return _file(tree, reporter_phone=f"1391234{i:04d}")

    with lockstep(mode, THREADS):
        outcomes = race(submit, threads=THREADS, gates=_gates)

    assert all(isinstance(outcome, FilingReceipt) for outcome in outcomes), outcomes
    assert sorted(int(receipt.number[-7:]) for receipt in outcomes) == list(range(1, THREADS + 1))
    assert DailySequence.objects.get().last == THREADS
