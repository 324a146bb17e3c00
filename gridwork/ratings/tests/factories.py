"""Test data of the ratings: a published scheme version built row by row (two weighted groups, a manual indicator
that requires evidence, a condition, a computed indicator, a veto item, star thresholds), a round on it, and its
targets added through the services."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils import timezone

from gridwork.places.models import Place
from gridwork.ratings import services
from gridwork.ratings.models import Assessment, Round
from gridwork.schemes.models import (
    Indicator,
    IndicatorGroup,
    IndicatorMethod,
    Scheme,
    SchemeVersion,
    StarThreshold,
    TargetKind,
    VersionState,
    VetoItem,
)


@dataclass
class Built:
    """A published version: A (weight 60) = A1 manual /10 (evidence required) + A2 condition /10;
    B (weight 40) = B1 manual /20 + B2 computed /10 (grid_branch_share: 100 % full, 0 % zero).
    Thresholds 1★ ≥ 60, 2★ ≥ 70, 3★ ≥ 80, 4★ ≥ 85, 5★ ≥ 95."""

    version: SchemeVersion
    a1: Indicator
    a2: Indicator
    b1: Indicator
    b2: Indicator
    veto: VetoItem


def published_version(kind: str = TargetKind.COMMUNITY, *, name: str = "五星达标", computed: bool = True) -> Built:
    scheme = Scheme.objects.create(name=name, target_kind=kind)
    version = SchemeVersion.objects.create(
        scheme=scheme, number=1, state=VersionState.PUBLISHED, published_at=timezone.now()
    )
    group_a = IndicatorGroup.objects.create(version=version, code="A", name="党建引领", weight=Decimal(60), order=1)
    group_b = IndicatorGroup.objects.create(version=version, code="B", name="服务群众", weight=Decimal(40), order=2)
    a1 = Indicator.objects.create(
        group=group_a,
        code="A1",
        name="阵地建设",
        max_score=Decimal(10),
        method=IndicatorMethod.MANUAL,
        evidence_required=True,
        order=1,
    )
    a2 = Indicator.objects.create(
        group=group_a,
        code="A2",
        name="有应急动员预案",
        max_score=Decimal(10),
        method=IndicatorMethod.CONDITION,
        order=2,
    )
    b1 = Indicator.objects.create(
        group=group_b, code="B1", name="为民服务", max_score=Decimal(20), method=IndicatorMethod.MANUAL, order=1
    )
    if computed:
        b2 = Indicator.objects.create(
            group=group_b,
            code="B2",
            name="一网格一支部",
            max_score=Decimal(10),
            method=IndicatorMethod.COMPUTED,
            source="grid_branch_share",
            full_at=Decimal(100),
            zero_at=Decimal(0),
            order=2,
        )
    else:
        b2 = Indicator.objects.create(
            group=group_b, code="B2", name="居民满意", max_score=Decimal(10), method=IndicatorMethod.MANUAL, order=2
        )
    veto = VetoItem.objects.create(version=version, code="V1", name="发生重大安全责任事故")
    for stars, minimum in ((1, 60), (2, 70), (3, 80), (4, 85), (5, 95)):
        StarThreshold.objects.create(version=version, stars=stars, min_score=Decimal(minimum))
    return Built(version=version, a1=a1, a2=a2, b1=b1, b2=b2, veto=veto)


def open_round(actor: Any, version: SchemeVersion, *, higher_review: bool = False, **dates: date) -> Round:
    values = services.RoundValues(
        name="2026年度五星达标",
        year=2026,
        scheme_version=version,
        period_start=dates.get("period_start", date(2026, 1, 1)),
        period_end=dates.get("period_end", date(2026, 12, 31)),
        self_due=dates.get("self_due", date(2099, 3, 31)),
        review_due=dates.get("review_due", date(2099, 4, 30)),
        accept_due=dates.get("accept_due", date(2099, 5, 31)),
        higher_review=higher_review,
        goal_stars=5,
        star_goal=Decimal(70),
    )
    return services.round_create(actor=actor, values=values)


def assessment_of(round_: Round, place: Place) -> Assessment:
    return Assessment.objects.get(target__round=round_, target__place=place)


def answers(built: Built, *, a1: str = "8", a2: bool = True, b1: str = "15", **extra: Any) -> services.LevelInput:
    return services.LevelInput(
        answers={built.a1.pk: Decimal(a1), built.a2.pk: a2, built.b1.pk: Decimal(b1)},
        vetoes=extra.get("vetoes", {}),
        comment=extra.get("comment", ""),
    )
