from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import connection

from gridwork.audit import triggers
from gridwork.places.tests.factories import CityTree
from gridwork.threezero.tests.factories import World, make_world

EVENT_TABLE = "threezero_applicationevent"


@pytest.fixture
def world(tree: CityTree) -> World:
    return make_world(tree)


@pytest.fixture
def event_triggers(world: World) -> Iterator[None]:
    """The event table's append-only triggers, in place for the test. Until ``audit.triggers.APPEND_ONLY_TABLES`` lists
    the table (the flush of a transactional test lifts only the listed ones), they are lifted again after the test so
    that the flush can empty the table; once it is listed this does nothing but make sure they are there."""
    triggers.remove(connection, EVENT_TABLE)
    triggers.install(connection, EVENT_TABLE)
    yield
    if EVENT_TABLE not in triggers.APPEND_ONLY_TABLES:
        triggers.remove(connection, EVENT_TABLE)
