"""The public notice's evidence (``notice_evidence``) reads the units recorded on each red alert, not the matters:
on a month of matters moved through the real services — the sweep's alerts and the late steps' own, a matter
returned late and dispatched again to another department, a late call-back — the evidence is what the join to the
matters gave before, except for the matter dispatched again, which now stays with the department that let its
deadline pass; and every unit's evidence adds up to its overdue count in the rollup."""

from __future__ import annotations

from collections import defaultdict
from types import SimpleNamespace
from typing import Any

import pytest
from django.apps import apps
from django.db import connection
from django.db.models import Count

from gridwork.analytics.models import MonthlyRollup, UnitKind
from gridwork.analytics.periods import Period
from gridwork.analytics.rollup import UNIT_STAGES
from gridwork.analytics.selectors import NoticeMatter, _moments, notice_evidence
from gridwork.analytics.tests.factories import Town, month
from gridwork.matters.models import Matter
from gridwork.matters.workflow import Satisfaction
from gridwork.places.models import Place, PlaceLevel
from gridwork.supervision.models import ALERT_UNIT_FIELDS, AlertLevel, DeadlineAlert

pytestmark = pytest.mark.django_db

DECEMBER = month("2026-12")
KINDS = (UnitKind.DISTRICT, UnitKind.STREET, UnitKind.COMMUNITY, UnitKind.GRID, UnitKind.DEPARTMENT)


def joined_evidence(unit_kind: str, unit_ids: list[int], period: Period) -> dict[int, list[NoticeMatter]]:
    """The evidence as the selector computed it before the alerts carried their units: joined to the matters and
    filtered on the matter's area and its lead department *now*."""
    start, end = _moments(period)
    alerts = DeadlineAlert.objects.filter(
        subject="matter", level=AlertLevel.RED, raised_at__gte=start, raised_at__lt=end
    )
    field = "matter__lead_department_id" if unit_kind == UnitKind.DEPARTMENT else f"matter__{unit_kind}_id"
    if unit_kind == UnitKind.DEPARTMENT:
        alerts = alerts.filter(stage__in=UNIT_STAGES)
    evidence: dict[int, list[NoticeMatter]] = defaultdict(list)
    rows = (
        alerts.filter(**{f"{field}__in": unit_ids})
        .values(field, "matter__number", "matter__title")
        .annotate(n=Count("pk"))
        .order_by("-n", "matter__number")
    )
    for row in rows:
        evidence[row[field]].append(NoticeMatter(row["matter__number"], row["matter__title"], int(row["n"])))
    return dict(evidence)


def units_of(town: Town, unit_kind: str) -> list[int]:
    if unit_kind == UnitKind.DEPARTMENT:
        return [town.tree.department.pk, town.department2.pk, town.tree.dispatch_centre.pk]
    return list(Place.objects.filter(level=PlaceLevel(unit_kind)).values_list("pk", flat=True))


def overdue_counts(unit_kind: str, period: Period) -> dict[int, int]:
    rows = MonthlyRollup.objects.filter(unit_kind=unit_kind, detail=False, month=period.start, overdue__gt=0)
    return dict(rows.values_list("unit_id", "overdue"))


def a_month(town: Town) -> dict[str, Matter]:
    """December 2026 (1 December is a Tuesday): matters in several streets, communities and grids whose deadlines
    pass, noticed by the sweep or by the late step itself."""
    tree = town.tree
    # twice late at the tree's department: the accept (the sweep), then the reply (the sweep)
    twice = town.file(at="2026-12-01 08:30")
    town.dispatch(twice, at="2026-12-01 09:00", to=tree.department)  # accept by 11:00
    # returned late by the tree's department (the return marks its passed deadline), then dispatched again to
    # department2, which accepts late too (the sweep): one deadline each
    redispatched = town.file(at="2026-12-01 08:30", where="grid2")
    town.dispatch(redispatched, at="2026-12-01 09:00", to=tree.department)
    # led by the sibling community: late to accept (the sweep), replied on time, called back late (the centre's)
    callback = town.file(at="2026-12-01 08:30", where="community2")
    town.dispatch(callback, at="2026-12-01 09:00")
    # a matter of the sibling street accepted late by department2 (the accept marks it)
    accepted_late = town.file(at="2026-12-01 08:30", where="street2")
    town.dispatch(accepted_late, at="2026-12-01 09:00", to=town.department2)
    # one in time: no alert
    in_time = town.file(at="2026-12-01 08:30", where="street2")
    town.dispatch(in_time, at="2026-12-01 09:00", to=town.department2)
    town.accept(in_time, at="2026-12-01 10:00")

    town.give_back(redispatched, at="2026-12-01 11:02")  # late: marks its accept deadline itself
    town.accept(accepted_late, at="2026-12-01 11:03")  # likewise
    assert town.sweep("2026-12-01 11:05").red == 2  # twice, callback
    town.accept(twice, at="2026-12-01 14:00")  # reply due 10 Dec 14:00
    town.dispatch(redispatched, at="2026-12-02 09:00", to=town.department2)  # accept by 11:00
    town.accept(callback, at="2026-12-01 14:00")
    assert town.sweep("2026-12-02 11:05").red == 1  # redispatched, now department2's
    town.accept(redispatched, at="2026-12-02 14:00")
    town.reply(callback, at="2026-12-02 14:00")  # call-back due 7 Dec 14:00 (3 working days)
    assert town.sweep("2026-12-07 14:05").red == 1  # callback: the dispatch centre's call-back
    town.rate(callback, Satisfaction.SATISFIED, at="2026-12-08 09:00")
    town.reply(in_time, at="2026-12-09 10:00")
    town.reply(accepted_late, at="2026-12-09 10:00")
    assert town.sweep("2026-12-10 14:05").red == 1  # twice: the reply
    return {
        "twice": twice,
        "redispatched": redispatched,
        "callback": callback,
        "accepted_late": accepted_late,
        "in_time": in_time,
    }


def evidence_of(matters: dict[str, Matter], *pairs: tuple[str, int]) -> list[NoticeMatter]:
    found = {key: Matter.objects.get(pk=matters[key].pk) for key, _n in pairs}
    return [NoticeMatter(found[key].number, found[key].title, n) for key, n in pairs]


def test_each_alert_records_the_units_the_rollup_counts_it_for(town: Town) -> None:
    tree = town.tree
    matters = a_month(town)
    red = DeadlineAlert.objects.filter(level=AlertLevel.RED).order_by("raised_at", "pk")
    recorded = [
        (alert.matter_id, alert.stage, alert.street_id, alert.community_id, alert.lead_department_id) for alert in red
    ]
    twice, redispatched, callback, late = (matters[k] for k in ("twice", "redispatched", "callback", "accepted_late"))
    street2 = Place.objects.get(pk=late.street_id)
    assert street2 != tree.street
    assert sorted(recorded, key=str) == sorted(
        [
            (twice.pk, "accept", tree.street.pk, tree.community.pk, tree.department.pk),
            (twice.pk, "reply", tree.street.pk, tree.community.pk, tree.department.pk),
            # the late return charges the department that returned it, not the one leading the matter now
            (redispatched.pk, "accept", tree.street.pk, tree.community.pk, tree.department.pk),
            (redispatched.pk, "accept", tree.street.pk, tree.community.pk, town.department2.pk),
            (callback.pk, "accept", tree.street.pk, tree.community2.pk, None),
            (callback.pk, "callback", tree.street.pk, tree.community2.pk, None),
            (late.pk, "accept", street2.pk, late.community_id, town.department2.pk),
        ],
        key=str,
    )
    assert Matter.objects.get(pk=redispatched.pk).lead_department_id == town.department2.pk
    # the yellow warnings carry their units too
    for alert in DeadlineAlert.objects.all().select_related("matter"):
        assert (alert.district_id, alert.street_id, alert.community_id, alert.grid_id) == (
            alert.matter.district_id,
            alert.matter.street_id,
            alert.matter.community_id,
            alert.matter.grid_id,
        )


def test_the_evidence_adds_up_to_the_rollups_overdue_count_of_every_unit(town: Town) -> None:
    a_month(town)
    for unit_kind in KINDS:
        counted = overdue_counts(unit_kind, DECEMBER)
        evidence = notice_evidence(unit_kind, units_of(town, unit_kind), DECEMBER)
        summed = {unit: sum(m.times for m in found) for unit, found in evidence.items()}
        assert summed == counted, unit_kind
    assert overdue_counts(UnitKind.DEPARTMENT, DECEMBER) == {town.tree.department.pk: 3, town.department2.pk: 2}


def test_the_evidence_is_the_joined_evidence_but_for_the_matter_dispatched_again(town: Town) -> None:
    tree = town.tree
    matters = a_month(town)
    for unit_kind in (UnitKind.DISTRICT, UnitKind.STREET, UnitKind.COMMUNITY, UnitKind.GRID):
        units = units_of(town, unit_kind)
        assert notice_evidence(unit_kind, units, DECEMBER) == joined_evidence(unit_kind, units, DECEMBER), unit_kind
    assert notice_evidence(UnitKind.STREET, [tree.street.pk], DECEMBER) == {
        tree.street.pk: sorted(
            evidence_of(matters, ("twice", 2), ("redispatched", 2), ("callback", 2)), key=lambda m: m.number
        )
    }
    departments = units_of(town, UnitKind.DEPARTMENT)
    before = joined_evidence(UnitKind.DEPARTMENT, departments, DECEMBER)
    after = notice_evidence(UnitKind.DEPARTMENT, departments, DECEMBER)
    # before: both of the matter's missed accepts under department2, which leads it now (and which the rollup
    # counted for one); now: one under each department, as counted
    assert before == {
        tree.department.pk: evidence_of(matters, ("twice", 2)),
        town.department2.pk: sorted(
            evidence_of(matters, ("redispatched", 2), ("accepted_late", 1)), key=lambda m: (-m.times, m.number)
        ),
    }
    assert after == {
        tree.department.pk: sorted(
            evidence_of(matters, ("twice", 2), ("redispatched", 1)), key=lambda m: (-m.times, m.number)
        ),
        town.department2.pk: sorted(
            evidence_of(matters, ("redispatched", 1), ("accepted_late", 1)), key=lambda m: (-m.times, m.number)
        ),
    }


def test_the_evidence_reads_no_matter_to_find_a_units_alerts(town: Town) -> None:
    from django.test.utils import CaptureQueriesContext

    a_month(town)
    for unit_kind in (UnitKind.STREET, UnitKind.COMMUNITY, UnitKind.DEPARTMENT):
        with CaptureQueriesContext(connection) as queries:
            notice_evidence(unit_kind, units_of(town, unit_kind), DECEMBER)
        (sql,) = [query["sql"] for query in queries.captured_queries if "supervision_deadlinealert" in query["sql"]]
        where = sql.split(" WHERE ", 1)[1]
        assert '"matters_matter"' not in where, sql
        column = "lead_department_id" if unit_kind == UnitKind.DEPARTMENT else f"{unit_kind}_id"
        assert f'"supervision_deadlinealert"."{column}" IN' in where, sql


def _backfill() -> None:
    migration = __import__("gridwork.supervision.migrations.0005_alert_units", fromlist=["fill_units"])
    migration.fill_units(apps, SimpleNamespace(connection=connection))


def _units(alert: Any) -> tuple[Any, ...]:
    return tuple(getattr(alert, name) for name in ALERT_UNIT_FIELDS)


def test_the_migrations_backfill_gives_every_alert_the_units_it_was_raised_with(town: Town) -> None:
    a_month(town)
    recorded = {alert.pk: _units(alert) for alert in DeadlineAlert.objects.all()}
    assert len(recorded) > 7  # the red alerts and the yellow warnings
    # as a database migrated before 0005 had them: no department, and (the columns are required now) a wrong area
    DeadlineAlert.objects.update(
        lead_department_id=None,
        district_id=town.tree.district2.pk,
        street_id=town.tree.street2.pk,
        community_id=town.tree.community2.pk,
        grid_id=town.tree.grid2.pk,
    )
    _backfill()
    assert {alert.pk: _units(alert) for alert in DeadlineAlert.objects.all()} == recorded


def test_alerts_written_without_their_units_get_them_from_the_record(town: Town) -> None:
    """As the demo writes a year of alerts in bulk, and as a late step marks its own deadline: the same units as
    the sweep records."""
    a_month(town)
    recorded = {
        (alert.matter_id, alert.subject, alert.stage, alert.due_at, alert.level, alert.raised_at): _units(alert)
        for alert in DeadlineAlert.objects.all()
    }
    DeadlineAlert.objects.all().delete()
    DeadlineAlert.objects.bulk_create(
        DeadlineAlert(matter_id=matter_id, subject=subject, stage=stage, due_at=due_at, level=level, raised_at=raised)
        for (matter_id, subject, stage, due_at, level, raised) in recorded
    )
    again = {
        (alert.matter_id, alert.subject, alert.stage, alert.due_at, alert.level, alert.raised_at): _units(alert)
        for alert in DeadlineAlert.objects.all()
    }
    assert again == recorded
