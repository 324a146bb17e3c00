"""Every passed deadline is counted once, whoever notices it first: the sweep, or the late step itself."""

from __future__ import annotations

from gridwork.analytics.tests.factories import Town, figures, month
from gridwork.matters.models import Matter
from gridwork.supervision.models import AlertLevel, DeadlineAlert
from gridwork.supervision.sweep import run_sweep
from gridwork.supervision.tests.factories import at

NOVEMBER = month("2026-11")


def _red(matter: Matter) -> list[tuple[str, str]]:
    rows = DeadlineAlert.objects.filter(matter=matter, level=AlertLevel.RED).order_by("raised_at")
    return [(alert.stage, f"{alert.raised_at:%H:%M}") for alert in rows]


def test_a_late_accept_marks_its_deadline_and_the_sweep_then_finds_nothing(town: Town) -> None:
    matter = town.file(at="2026-11-02 08:30")
    town.dispatch(matter, at="2026-11-02 09:00")  # accept by 11:00
    town.accept(matter, at="2026-11-02 11:30")  # no sweep ran since 11:00
    assert _red(matter) == [("accept", "03:30")]  # 11:30 China time is 03:30 UTC
    assert Matter.objects.get(pk=matter.pk).overdue_count == 1
    assert run_sweep(now=at("2026-11-02 11:35")).red == 0
    result = figures(town.tree.community, NOVEMBER)
    # one answer, late; one deadline passed — counted once
    assert (result.count("responded"), result.count("responded_on_time"), result.count("overdue")) == (1, 0, 1)


def test_a_step_on_time_marks_nothing(town: Town) -> None:
    matter = town.file(at="2026-11-02 08:30")
    town.dispatch(matter, at="2026-11-02 09:00")
    town.accept(matter, at="2026-11-02 10:59")
    assert _red(matter) == []
    assert figures(town.tree.community, NOVEMBER).count("overdue") == 0


def test_the_sweep_raises_nothing_for_a_deadline_the_matter_no_longer_has(town: Town) -> None:
    """The sweep read the matter while its accept deadline was due; the unit accepted before the alert was written:
    the alert is not raised for the old deadline (and the accept on time stays on time)."""
    from gridwork.supervision import sweep

    matter = town.file(at="2026-11-02 08:30")
    stale = town.dispatch(matter, at="2026-11-02 09:00")  # the row as the sweep read it: due 11:00
    town.accept(matter, at="2026-11-02 10:59")
    raised = sweep._raise_alert(
        stale,
        subject="matter",
        stage="accept",
        due_at=stale.due_at,  # type: ignore[arg-type]
        level=AlertLevel.RED,
        now=at("2026-11-02 11:05"),
        recipients=[],
        text="late",
    )
    assert raised is False
    assert _red(matter) == []
    assert Matter.objects.get(pk=matter.pk).overdue_count == 0
    result = figures(town.tree.community, NOVEMBER)
    assert (result.count("responded"), result.count("responded_on_time"), result.count("overdue")) == (1, 1, 0)
