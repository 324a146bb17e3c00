"""The contracts' figures for the co-construction figures page: by stage, clauses due and performed on time, the
parties' average scores and the residents' average, within the user's scope and the period."""

from __future__ import annotations

import pytest

from gridwork.contracts import services
from gridwork.contracts.figures import contracts_figures
from gridwork.contracts.models import ContractParty
from gridwork.contracts.tests.factories import ContractWorld, days, draft, evaluating, fresh, jpeg, published

pytestmark = pytest.mark.django_db


def _perform(world: ContractWorld, contract: object, position: int, on_days: int) -> None:
    contract = fresh(contract)  # type: ignore[arg-type]
    clause = contract.clauses.get(position=position)
    actor, side = (
        (world.unit_user, ContractParty.UNIT)
        if clause.party == ContractParty.UNIT
        else (world.staff, ContractParty.COMMUNITY)
    )
    services.clause_perform(
        actor=actor,
        contract=contract,
        clause=clause,
        side=side,
        performed_on=days(on_days),
        note="done",
        files=[jpeg()],
    )


def test_figures_count_stages_clauses_and_scores_in_scope_and_period(world: ContractWorld) -> None:
    draft(world)  # negotiating
    late = published(world)  # clause 1 due 100 days ago: done 90 days ago (late); clause 2 due in 100 days
    _perform(world, late, 1, -90)
    on_time = published(world)  # clause 1 done on its due date
    _perform(world, on_time, 1, -100)
    closing = evaluating(world)  # clause 1 overdue, never done
    clauses = {clause.pk: 80 for clause in closing.clauses.all()}
    services.contract_evaluate(
        actor=world.staff, contract=closing, side=ContractParty.COMMUNITY, score=90, clause_scores=clauses
    )
    services.contract_evaluate(
        actor=world.unit_user, contract=closing, side=ContractParty.UNIT, score=70, clause_scores=clauses
    )
    services.contract_rate(actor=world.resident, contract=closing, stars=4)
    services.contract_start(actor=world.staff2, community=world.tree.community2, unit=world.unit2, title="秋实")

    figures = contracts_figures(user=world.staff, place=world.tree.community, start=days(-365), end=days(365))
    assert figures["by_stage"] == {
        "negotiate": 1,
        "sign": 0,
        "perform": 2,
        "evaluate": 0,
        "closed": 1,
        "cancelled": 0,
    }
    assert figures["total"] == 4
    assert figures["signed"] == 3
    assert figures["clauses_due"] == 6  # two clauses of each of the three published contracts
    assert figures["performed_on_time"] == 1
    assert figures["performed_late"] == 1
    assert figures["overdue"] == 1
    assert figures["on_time_rate"] == round(1 / 6, 3)
    assert figures["average_scores"] == {"community": 90.0, "unit": 70.0}
    assert figures["evaluations"] == {"community": 1, "unit": 1}
    assert figures["residents_average"] == 4.0
    assert figures["resident_ratings"] == 1

    # The street sees its two communities; a period with nothing due counts nothing due.
    street = contracts_figures(user=world.street_staff, place=world.tree.street, start=days(-365), end=days(365))
    assert street["total"] == 5
    empty = contracts_figures(user=world.staff, place=world.tree.community, start=days(-10), end=days(-5))
    assert empty["clauses_due"] == 0
    assert empty["on_time_rate"] is None
    # Another community's staff see none of these.
    assert (
        contracts_figures(user=world.staff2, place=world.tree.community, start=days(-365), end=days(365))["total"] == 0
    )
