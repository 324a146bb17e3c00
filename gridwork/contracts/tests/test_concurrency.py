"""Real threads, each with its own database connection, signing the same contract at once: a staff member for the
community and a contact for the unit. Both signatures are kept and the contract is signed — whichever order the
database puts them in, the second signer's compare-and-set loses only to the other party's signature, and the
service applies theirs on top of it.

"At once" releases both threads together; "in lockstep" also holds each thread after it has read the contract, just
before its compare-and-set, until both have arrived, so that one of them must lose the compare-and-set and retry.

Two renewals (续约) of one contract at once make one: the contract is locked while its renewal is made, and the
database keeps one renewal of a contract that is not abandoned. "In lockstep" there holds each thread after it has
looked for a renewal until the other has looked too (or for a few seconds, since the other waits for the lock).

The data must be committed for other connections to see it (a transactional test); the test database is emptied with
``flush`` afterwards, which lifts the append-only triggers of the tables in ``APPEND_ONLY_TABLES``. It must pass on
SQLite and on PostgreSQL (scripts/with-postgres.sh).
"""

from __future__ import annotations

import contextlib
import threading
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from gridwork.accounts.models import User
from gridwork.common.tests.racing import race
from gridwork.contracts import services
from gridwork.contracts.models import Contract, ContractEvent, ContractParty, ContractState
from gridwork.contracts.services import negotiation
from gridwork.contracts.tests.factories import ContractWorld, days, draft, fresh, published

pytestmark = pytest.mark.django_db(transaction=True)

MODES = ["at once", "in lockstep"]


def _lockstep(patch: pytest.MonkeyPatch) -> threading.Barrier:
    """Hold each thread's first compare-and-set until both threads have read the contract."""
    gate = threading.Barrier(2)
    local = threading.local()
    real_move = negotiation.flow_move

    def move_when_both_have_read(*args: Any, **kwargs: Any) -> Any:
        if not getattr(local, "waited", False):
            local.waited = True
            gate.wait(timeout=30)
        return real_move(*args, **kwargs)

    patch.setattr(negotiation, "flow_move", move_when_both_have_read)
    return gate


@pytest.mark.parametrize("mode", MODES)
def test_both_signatures_at_once_are_both_kept(
    world: ContractWorld, mode: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    contract = draft(world)
    seen = contract.version
    signers = [(world.staff, ContractParty.COMMUNITY), (world.unit_user, ContractParty.UNIT)]
    gates = [_lockstep(monkeypatch)] if mode == "in lockstep" else []

    def prepare(i: int) -> User:
        return User.objects.get(pk=signers[i][0].pk)

    def sign(i: int, actor: User) -> Any:
        return services.contract_sign(actor=actor, contract=contract, side=signers[i][1], expected_version=seen)

    outcomes = race(sign, prepare, threads=len(signers), gates=gates)

    assert not any(isinstance(outcome, Exception) for outcome in outcomes), outcomes
    signed = fresh(contract)
    assert signed.state == ContractState.SIGNED
    assert signed.community_signed_by_id == world.staff.pk
    assert signed.unit_signed_by_id == world.unit_user.pk
    assert signed.signed_at is not None
    events = list(ContractEvent.objects.filter(subject=contract, sequence__gt=seen).order_by("sequence"))
    assert [event.action for event in events] == ["sign", "countersign"]
    assert {event.data["party"] for event in events} == {ContractParty.COMMUNITY, ContractParty.UNIT}
    assert signed.version == seen + 2


def _both_read_the_renewals(patch: pytest.MonkeyPatch) -> threading.Barrier:
    """Hold each thread after it has looked for a renewal until the other has looked too, or for a few seconds: the
    other cannot arrive while it waits for this thread's lock, and then this thread goes on alone."""
    gate = threading.Barrier(2)
    real_renewal_of = negotiation.renewal_of

    def renewal_of_when_both_have_read(contract: Any) -> Any:
        found = real_renewal_of(contract)
        with contextlib.suppress(threading.BrokenBarrierError):
            gate.wait(timeout=3)
        return found

    patch.setattr(negotiation, "renewal_of", renewal_of_when_both_have_read)
    return gate


@pytest.mark.parametrize("mode", MODES)
def test_two_renewals_of_one_contract_at_once_make_one(
    world: ContractWorld, mode: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    contract = published(world, term_start=days(-300), term_end=days(64))
    if mode == "in lockstep":
        _both_read_the_renewals(monkeypatch)

    def prepare(i: int) -> User:
        return User.objects.get(pk=world.staff.pk)

    def renew(i: int, actor: User) -> Any:
        return services.contract_renew(actor=actor, contract=contract)

    outcomes = race(renew, prepare, threads=2)

    renewals = [outcome for outcome in outcomes if isinstance(outcome, Contract)]
    refusals = [outcome for outcome in outcomes if not isinstance(outcome, Contract)]
    assert len(renewals) == 1, outcomes
    assert len(refusals) == 1, outcomes
    assert isinstance(refusals[0], ValidationError), outcomes
    assert "already renewed" in str(refusals[0])
    assert list(Contract.objects.filter(renewed_from=contract).values_list("pk", flat=True)) == [renewals[0].pk]
    assert renewals[0].clauses.count() == contract.clauses.count()


def test_the_database_keeps_one_live_renewal_of_a_contract(world: ContractWorld) -> None:
    contract = published(world, term_start=days(-300), term_end=days(64))
    first = services.contract_renew(actor=world.staff, contract=contract)
    copy = Contract(
        number="GJ19990001",
        title=contract.title,
        community=contract.community,
        unit=contract.unit,
        renewed_from=contract,
        created_by=world.staff,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        copy.save()
    # Once the renewal is abandoned, the contract may be renewed again.
    services.contract_cancel(actor=world.staff, contract=first, reason="条款需重谈", expected_version=first.version)
    again = services.contract_renew(actor=world.staff, contract=contract)
    assert again.renewed_from == contract
    assert fresh(first).state == ContractState.CANCELLED
