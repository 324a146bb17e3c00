"""The admission figures, over what the user sees.

Per year: requests **submitted** in the year (by the date of submission), **admitted** and **refused** in the year (by
the date of the decision that settled them), **withdrawn** after submission in the year, and **reports** of tasks
pushed without admission. Per community, for a year: the admitted tasks **assigned** to it in the year, how many of
them it has **received** and how many are **not yet received**, and the **reports** it made in the year.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q
from django.db.models.functions import ExtractYear
from django.utils.translation import gettext_lazy as _

from gridwork.accounts.roles import Perm
from gridwork.admission.flows import AdmissionAction
from gridwork.admission.models import AdmissionEvent, AdmissionRequest, AdmissionState, UnadmittedReport
from gridwork.places.models import Place, PlaceLevel

DEFINITIONS = (
    (_("Submitted"), _("Requests submitted to the approving bodies in the year.")),
    (_("Admitted"), _("Requests admitted in the year (the last approving body approved).")),
    (_("Refused"), _("Requests refused in the year (an approving body refused, with its reason).")),
    (_("Withdrawn"), _("Submitted requests withdrawn by the requester in the year.")),
    (_("Reports"), _("Tasks reported by communities as pushed to them without admission, in the year.")),
    (_("Assigned"), _("Admitted tasks assigned to the community in the year.")),
    (_("Received"), _("Of those, the tasks the community marked received.")),
    (_("Not yet received"), _("Of those, the tasks the community has not marked received.")),
)


@dataclass
class YearRow:
    year: int
    submitted: int = 0
    approved: int = 0
    refused: int = 0
    withdrawn: int = 0
    reports: int = 0


@dataclass
class CommunityRow:
    community: Place
    assigned: int
    received: int
    reports: int

    @property
    def waiting(self) -> int:
        return self.assigned - self.received


def yearly(*, user: Any) -> list[YearRow]:
    """A row per year with any request submitted, decided or reported, latest first."""
    requests = AdmissionRequest.objects.restrict(user, Perm.VIEW_ADMISSION)
    rows: dict[int, YearRow] = defaultdict(lambda: YearRow(year=0))

    def row(year: int) -> YearRow:
        found = rows[year]
        found.year = year
        return found

    for year, count in (
        requests.filter(submitted_at__isnull=False)
        .annotate(y=ExtractYear("submitted_at"))
        .values_list("y")
        .annotate(n=Count("id"))
        .values_list("y", "n")
    ):
        row(year).submitted = count
    for state, field in ((AdmissionState.APPROVED, "approved"), (AdmissionState.REFUSED, "refused")):
        for year, count in (
            requests.filter(state=state, decided_at__isnull=False)
            .annotate(y=ExtractYear("decided_at"))
            .values_list("y")
            .annotate(n=Count("id"))
            .values_list("y", "n")
        ):
            setattr(row(year), field, count)
    for year, count in (
        AdmissionEvent.objects.filter(
            subject__in=requests.values("pk"),
            action=AdmissionAction.WITHDRAW,
            from_state=AdmissionState.SUBMITTED,
        )
        .annotate(y=ExtractYear("at"))
        .values_list("y")
        .annotate(n=Count("id"))
        .values_list("y", "n")
    ):
        row(year).withdrawn = count
    for year, count in (
        UnadmittedReport.objects.restrict(user, Perm.VIEW_ADMISSION)
        .annotate(y=ExtractYear("reported_at"))
        .values_list("y")
        .annotate(n=Count("id"))
        .values_list("y", "n")
    ):
        row(year).reports = count
    return sorted(rows.values(), key=lambda r: -r.year)


def community_load(*, user: Any, year: int) -> list[CommunityRow]:
    """A row per community the user sees: its tasks assigned in ``year``, received, and its reports."""
    communities = (
        Place.objects.restrict(user, Perm.VIEW_ADMISSION)
        .filter(level=PlaceLevel.COMMUNITY)
        .annotate(
            assigned=Count("admitted_tasks", filter=Q(admitted_tasks__assigned_at__year=year), distinct=True),
            received=Count(
                "admitted_tasks",
                filter=Q(admitted_tasks__assigned_at__year=year, admitted_tasks__received_at__isnull=False),
                distinct=True,
            ),
            reports=Count("unadmitted_reports", filter=Q(unadmitted_reports__reported_at__year=year), distinct=True),
        )
        .order_by("-assigned", "code")
    )
    return [
        CommunityRow(community=place, assigned=place.assigned, received=place.received, reports=place.reports)
        for place in communities
    ]
