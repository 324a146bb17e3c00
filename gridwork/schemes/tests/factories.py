"""Schemes built through the services, for the tests."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from gridwork.schemes import services
from gridwork.schemes.models import Indicator, IndicatorGroup, SchemeVersion, TargetKind, VetoItem


def draft(actor: Any, name: str = "五星达标", kind: str = TargetKind.COMMUNITY) -> SchemeVersion:
    scheme = services.scheme_create(actor=actor, name=name, target_kind=kind)
    return scheme.versions.get(number=1)


def group(actor: Any, version: SchemeVersion, code: str, weight: str, name: str = "") -> IndicatorGroup:
    return services.group_save(
        actor=actor, version=version, values={"code": code, "name": name or f"组{code}", "weight": Decimal(weight)}
    )


def indicator(  # noqa: PLR0917 — the tests read as a table of indicators
    actor: Any, version: SchemeVersion, in_group: IndicatorGroup, code: str, max_score: str, method: str, **extra: Any
) -> Indicator:
    values: dict[str, Any] = {
        "group": in_group,
        "code": code,
        "name": extra.pop("name", f"指标{code}"),
        "max_score": Decimal(max_score),
        "method": method,
    }
    values.update(extra)
    return services.indicator_save(actor=actor, version=version, values=values)


def veto(actor: Any, version: SchemeVersion, code: str, name: str = "发生重大安全责任事故") -> VetoItem:
    return services.veto_save(actor=actor, version=version, values={"code": code, "name": name})


def thresholds(actor: Any, version: SchemeVersion, **levels: str) -> None:
    services.thresholds_set(
        actor=actor,
        version=version,
        thresholds={int(key.removeprefix("s")): Decimal(value) for key, value in levels.items()},
    )
