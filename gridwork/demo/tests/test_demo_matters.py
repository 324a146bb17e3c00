"""The demo's year of matters: real texts, every stage of the loop, and events that fold to the stored state."""

from __future__ import annotations

import pytest

from gridwork.demo.build import demo_city_build
from gridwork.demo.matters import DEFAULT_SEED, demo_matters_build, load_messages
from gridwork.demo.plan import SCALES
from gridwork.matters.models import Matter
from gridwork.matters.services import snapshot_of
from gridwork.matters.workflow import MatterState, replay


@pytest.fixture
def demo_matters(db: None) -> list[Matter]:
    demo_city_build(scale=SCALES["small"])
    demo_matters_build(limit=250, log=lambda _line: None)
    return list(Matter.objects.prefetch_related("events"))


def test_every_demo_matter_is_what_its_events_say(demo_matters: list[Matter]) -> None:
    mismatched = [
        m.number
        for m in demo_matters
        if replay([(e.action, e.data) for e in sorted(m.events.all(), key=lambda e: e.sequence)]) != snapshot_of(m)
    ]
    assert len(demo_matters) == 250
    assert mismatched == []


def test_demo_matters_reach_every_stage_of_the_loop(demo_matters: list[Matter]) -> None:
    states = {m.state for m in demo_matters}
    assert states >= {MatterState.DISPATCHED, MatterState.IN_PROGRESS, MatterState.CLOSED, MatterState.TO_VERIFY}
    closed_with_reply = [m for m in demo_matters if m.state == MatterState.CLOSED and m.reply_text]
    assert closed_with_reply, "official replies from the data should close matters"


def test_demo_texts_are_the_public_messages(demo_matters: list[Matter]) -> None:
    import random

    openings = {(m.text.strip() or m.title)[:100] for m in load_messages(limit=None, rng=random.Random(DEFAULT_SEED))}
    assert sum(m.text[:100] in openings for m in demo_matters) == len(demo_matters)


def test_numbers_are_unique_and_dated_by_filing_day(demo_matters: list[Matter]) -> None:
    from django.utils import timezone

    assert len({m.number for m in demo_matters}) == len(demo_matters)
    assert all(m.number[2:10] == f"{timezone.localtime(m.created_at):%Y%m%d}" for m in demo_matters)


def test_demo_matters_sit_in_their_grids_tree_and_are_moved_by_real_staff(demo_matters: list[Matter]) -> None:
    for matter in demo_matters:
        assert (matter.community.level, matter.street.level, matter.district.level) == (
            "community",
            "street",
            "district",
        )
        assert matter.grid.parent_id == matter.community.pk
        assert matter.community.parent_id == matter.street.pk
        assert matter.street.parent_id == matter.district.pk
    staff_events = [e for m in demo_matters for e in m.events.all() if e.action not in {"file", "rate"}]
    assert staff_events
    assert all(e.actor_id is not None for e in staff_events)
