"""The contracts' figures for the co-construction figures page (cobuild): for the contracts of the communities under
``place`` that ``user`` may see (VIEW_PARTY), in the period ``start``–``end`` (both days included).

- ``by_stage``: contracts by the stage they are in now (谈约, 签约, 亮约·履约, 评约, closed, abandoned), and ``total``;
  ``signed``: contracts whose second signature fell in the period;
- ``clauses_due``: clauses of published contracts due in the period; ``performed_on_time`` of them done by their
  due date, ``performed_late`` done after it, ``overdue`` not done and past due; ``on_time_rate`` (0–1, None
  without clauses due);
- ``average_scores``: the parties' average scores of the whole (0–100) over the evaluations given in the period, per
  party (``community``, ``unit``: None when there is none) and ``evaluations`` counted per party;
- ``residents_average`` (1–5 stars) and ``resident_ratings`` over the residents' ratings given in the period, kept
  apart from the parties' scores.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Avg, Count, F, Q
from django.utils import timezone

from gridwork.accounts.roles import Perm
from gridwork.contracts.models import (
    PUBLIC_STATES,
    STAGE_OF,
    Clause,
    Contract,
    ContractParty,
    ContractStage,
    Evaluation,
    ResidentRating,
)
from gridwork.places.models import Place


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    zone = timezone.get_current_timezone()
    return (
        datetime.combine(start, time.min, tzinfo=zone),
        datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone),
    )


def contracts_figures(*, user: Any, place: Place, start: date, end: date) -> dict[str, Any]:
    """The figures above as a dict of plain numbers (see the module's docstring)."""
    contracts = Contract.objects.restrict(user, Perm.VIEW_PARTY).filter(community__path__startswith=place.path)
    since, until = _bounds(start, end)
    today = timezone.localdate()

    by_stage = dict.fromkeys(ContractStage.values, 0)
    for state, count in contracts.values_list("state").annotate(count=Count("id")).values_list("state", "count"):
        by_stage[STAGE_OF[state]] += count

    due = Clause.objects.filter(
        contract__in=contracts.values("pk"), contract__state__in=PUBLIC_STATES, due_on__range=(start, end)
    )
    clause_counts = due.aggregate(
        due=Count("id"),
        on_time=Count("id", filter=Q(performed_on__isnull=False, performed_on__lte=F("due_on"))),
        late=Count("id", filter=Q(performed_on__isnull=False, performed_on__gt=F("due_on"))),
        overdue=Count("id", filter=Q(performed_on__isnull=True, due_on__lt=today)),
    )

    evaluations = Evaluation.objects.filter(
        contract__in=contracts.values("pk"), evaluated_at__gte=since, evaluated_at__lt=until
    )
    scores = {
        party: evaluations.filter(party=party).aggregate(average=Avg("score"), count=Count("id"))
        for party in ContractParty.values
    }
    ratings = ResidentRating.objects.filter(
        contract__in=contracts.values("pk"), rated_at__gte=since, rated_at__lt=until
    ).aggregate(average=Avg("stars"), count=Count("id"))

    def rounded(value: Any, digits: int = 1) -> float | None:
        return round(float(value), digits) if value is not None else None

    clauses_due = int(clause_counts["due"] or 0)
    on_time = int(clause_counts["on_time"] or 0)
    return {
        "total": sum(by_stage.values()),
        "by_stage": by_stage,
        "signed": contracts.filter(signed_at__gte=since, signed_at__lt=until).count(),
        "clauses_due": clauses_due,
        "performed_on_time": on_time,
        "performed_late": int(clause_counts["late"] or 0),
        "overdue": int(clause_counts["overdue"] or 0),
        "on_time_rate": round(on_time / clauses_due, 3) if clauses_due else None,
        "average_scores": {party: rounded(scores[party]["average"]) for party in ContractParty.values},
        "evaluations": {party: int(scores[party]["count"] or 0) for party in ContractParty.values},
        "residents_average": rounded(ratings["average"]),
        "resident_ratings": int(ratings["count"] or 0),
    }
