"""Real threads, each with its own database connection, entering one organisation into incubation at once, with the
services' own check made to find no open incubation: the database alone must refuse all but one (the partial unique
constraint), and each loser gets the same field error as the check gives (``base``), never a 500 or a second stay."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from gridwork.common.tests.racing import race
from gridwork.places.tests.factories import CityTree
from gridwork.socialorgs import services
from gridwork.socialorgs.models import Incubation
from gridwork.socialorgs.tests.factories import make_organisation, make_world

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 4


def test_one_open_incubation_when_entered_at_once(tree: CityTree, monkeypatch: pytest.MonkeyPatch) -> None:
    world = make_world(tree)
    organisation = make_organisation(world.community, tree.community)
    monkeypatch.setattr(services, "has_open_incubation", lambda organisation: False)

    def work(_i: int, _prepared: Any) -> Incubation:
        return services.incubation_enter(
            actor=world.community, organisation=organisation, base=world.base, entered_on=date(2026, 1, 5)
        )

    outcomes = race(work, threads=THREADS)
    made = [outcome for outcome in outcomes if isinstance(outcome, Incubation)]
    refused = [outcome for outcome in outcomes if isinstance(outcome, ValidationError)]
    assert (len(made), len(refused)) == (1, THREADS - 1), outcomes
    assert all(set(error.message_dict) == {"base"} for error in refused)
    assert Incubation.objects.filter(organisation=organisation).count() == 1
