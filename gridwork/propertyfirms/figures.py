"""The figures: a company's quarterly rating and its parts, the red property criteria, and coverage per street.

Quarterly rating of a company (all the estates it served that quarter), on a 0–100 scale:

- residents' part = 20 × the residents' average score (1–5), where the average takes every residents' rating of the
  quarter and every survey result weighted by its number of answers;
- community part = the average of the communities' assessments (0–100) of the quarter;
- matters' part = 100 × (½ resolved share + ½ satisfied share) of the matters linked to the company and filed in the
  quarter; resolved = closed as resolved or with the resident's agreement; satisfied = rated satisfied or basically
  satisfied among the rated ones (without rated ones, the resolved share alone);
- rating = 40 % residents + 40 % community + 20 % matters; a part without data that quarter is left out and the
  others' weights are scaled up to 100 %; without any part there is no rating.

Market coverage (物业覆盖率) = active estates served by a company today ÷ active estates.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Avg, Count, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridwork.estates.models import Estate
from gridwork.matters.models import Matter, Urgency
from gridwork.matters.workflow import ClosureReason, MatterState, Satisfaction
from gridwork.places.models import Place, PlaceLevel
from gridwork.propertyfirms.models import (
    CRITERIA,
    CommunityAssessment,
    MatterLink,
    PropertyCompany,
    Recognition,
    RecognitionState,
    ResidentRating,
    ServiceContract,
    SurveyResult,
)
from gridwork.propertyfirms.quarters import last_quarters, quarter_bounds

WEIGHTS: dict[str, int] = {"residents": 40, "community": 40, "matters": 20}
RESIDENTS_THRESHOLD = Decimal("4.0")  # the residents' average (1–5) a red property keeps in its last two quarters
RESOLVED = (ClosureReason.RESOLVED, ClosureReason.AGREED)
SATISFIED = (Satisfaction.SATISFIED, Satisfaction.BASICALLY)

DEFINITIONS = (
    (_("Residents' part"), _("20 × the residents' average score (1–5): ratings and survey answers together.")),
    (_("Community part"), _("The average of the communities' assessments of the quarter (0–100).")),
    (
        _("Matters' part"),
        _("100 × (½ resolved share + ½ satisfied share) of the linked matters filed in the quarter."),
    ),
    (
        _("Rating"),
        _("Residents 40%, community 40%, matters 20%; parts without data are left out and the rest scaled up."),
    ),
    (_("Market coverage"), _("Active estates served by a company today ÷ active estates.")),
)


def day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


@dataclass
class QuarterRating:
    company: PropertyCompany
    year: int
    quarter: int
    residents_average: Decimal | None = None
    ratings: int = 0
    survey_answers: int = 0
    community: Decimal | None = None
    assessments: int = 0
    matters: int = 0
    resolved: int = 0
    rated: int = 0
    satisfied: int = 0
    parts: dict[str, Decimal] = field(default_factory=dict)
    score: Decimal | None = None

    @property
    def resolved_share(self) -> Decimal | None:
        return _share(self.resolved, self.matters)

    @property
    def satisfied_share(self) -> Decimal | None:
        return _share(self.satisfied, self.rated)

    @property
    def residents_part(self) -> Decimal | None:
        return self.parts.get("residents")

    @property
    def community_part(self) -> Decimal | None:
        return self.parts.get("community")

    @property
    def matters_part(self) -> Decimal | None:
        return self.parts.get("matters")


def _share(part: int, whole: int) -> Decimal | None:
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001")) if whole else None


def _round(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.1"))


def combine(parts: dict[str, Decimal]) -> Decimal | None:
    """The weighted rating of the parts present (the weights of the absent ones shared out among them)."""
    weight = sum(WEIGHTS[name] for name in parts)
    if not weight:
        return None
    return _round(sum((WEIGHTS[name] * value for name, value in parts.items()), Decimal(0)) / weight)


def quarter_rating(company: PropertyCompany, year: int, quarter: int) -> QuarterRating:
    """The company's rating of one quarter with its parts (see the module's docstring)."""
    result = QuarterRating(company=company, year=year, quarter=quarter)
    ratings = ResidentRating.objects.filter(company=company, year=year, quarter=quarter).aggregate(
        total=Sum("score"), count=Count("id")
    )
    surveys = SurveyResult.objects.filter(company=company, year=year, quarter=quarter)
    survey_total = sum((s.score * s.sample_size for s in surveys), Decimal(0))
    result.ratings = ratings["count"] or 0
    result.survey_answers = sum(s.sample_size for s in surveys)
    answers = result.ratings + result.survey_answers
    if answers:
        average = (Decimal(ratings["total"] or 0) + survey_total) / answers
        result.residents_average = average.quantize(Decimal("0.01"))
        result.parts["residents"] = _round(average * 20)
    assessed = CommunityAssessment.objects.filter(company=company, year=year, quarter=quarter).aggregate(
        average=Avg("total"), count=Count("id")
    )
    result.assessments = assessed["count"] or 0
    if result.assessments:
        result.community = _round(Decimal(str(assessed["average"])))
        result.parts["community"] = result.community
    first, last = quarter_bounds(year, quarter)
    matters = Matter.objects.filter(
        property_link__company=company,
        created_at__gte=day_start(first),
        created_at__lt=day_start(last + timedelta(days=1)),
    ).aggregate(
        count=Count("id"),
        resolved=Count("id", filter=Q(state=MatterState.CLOSED, closure_reason__in=RESOLVED)),
        rated=Count("id", filter=~Q(satisfaction="")),
        satisfied=Count("id", filter=Q(satisfaction__in=SATISFIED)),
    )
    result.matters, result.resolved = matters["count"], matters["resolved"]
    result.rated, result.satisfied = matters["rated"], matters["satisfied"]
    if result.matters:
        resolved = Decimal(result.resolved) / result.matters
        satisfied = Decimal(result.satisfied) / result.rated if result.rated else resolved
        result.parts["matters"] = _round(100 * (resolved + satisfied) / 2)
    result.score = combine(result.parts)
    return result


def quarter_ratings(companies: Iterable[PropertyCompany], year: int, quarter: int) -> list[QuarterRating]:
    return [quarter_rating(company, year, quarter) for company in companies]


# --- red property -------------------------------------------------------------------------------------------------


def unresolved_serious(company: PropertyCompany) -> int:
    """Serious complaints not resolved: urgent matters linked to the company and not closed."""
    return (
        MatterLink.objects.filter(company=company, matter__urgency=Urgency.URGENT)
        .exclude(matter__state=MatterState.CLOSED)
        .count()
    )


def criteria_check(company: PropertyCompany, *, today: date, joint_meeting: bool) -> dict[str, dict[str, Any]]:
    """The red property checklist as it stands on ``today``: each criterion met or not, and on what evidence. The
    joint meeting (双报到) is the decider's word; the rest the platform checks."""
    serious = unresolved_serious(company)
    averages = []
    for year, quarter in last_quarters(today, 2):
        averages.append(quarter_rating(company, year, quarter).residents_average)
    checks: dict[str, dict[str, Any]] = {
        "party_organisation": {
            "met": company.party_organisation_id is not None,
            "evidence": str(company.party_organisation) if company.party_organisation_id else "",
        },
        "members_in_management": {
            "met": company.party_members_in_management > 0,
            "evidence": str(company.party_members_in_management),
        },
        "joint_meeting": {"met": bool(joint_meeting), "evidence": "confirmed by the decider" if joint_meeting else ""},
        "residents_rating": {
            "met": all(a is not None and a >= RESIDENTS_THRESHOLD for a in averages),
            "evidence": ", ".join("–" if a is None else str(a) for a in averages),
        },
        "no_serious_complaints": {
            "met": serious == 0,
            "evidence": str(serious),
        },
    }
    return {name: checks[name] for name, _label, _auto in CRITERIA}


def standing_recognitions(today: date) -> QuerySet[Recognition]:
    return Recognition.objects.filter(state=RecognitionState.RECOGNISED, valid_from__lte=today, valid_until__gte=today)


def is_red(company: PropertyCompany, today: date) -> bool:
    return standing_recognitions(today).filter(company=company).exists()


# --- coverage per street ------------------------------------------------------------------------------------------


@dataclass
class StreetCoverage:
    place: Place
    estates: int
    served: int
    red_companies: int

    @property
    def coverage(self) -> Decimal | None:
        return _share(self.served, self.estates)


def serving_on(today: date) -> QuerySet[ServiceContract]:
    return ServiceContract.objects.filter(starts_on__lte=today, ends_on__gte=today)


def coverage_of(place: Place, today: date) -> StreetCoverage:
    """Estates, estates served today and red property companies serving there today, under ``place``."""
    estates = Estate.objects.filter(is_active=True, community__path__startswith=place.path)
    contracts = serving_on(today).filter(estate__in=estates)
    red = standing_recognitions(today).filter(company__in=contracts.values("company_id"))
    return StreetCoverage(
        place=place,
        estates=estates.count(),
        served=contracts.values("estate_id").distinct().count(),
        red_companies=red.values("company_id").distinct().count(),
    )


def coverage_by_street(places: QuerySet[Place], today: date) -> list[StreetCoverage]:
    return [coverage_of(place, today) for place in places.filter(level=PlaceLevel.STREET).order_by("code")]
