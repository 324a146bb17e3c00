"""Writes of the assessment schemes, for those who hold MANAGE_ASSESSMENT (city staff); ``actor=None`` is the system
(the demo data). Each write runs in one transaction and leaves an audit row.

Only a draft version is edited: every edit locks the version row and refuses a version that is no longer a draft
(someone published it meanwhile), and counts the draft's ``revision`` so that a page shown before an edit cannot
publish what it did not show (``StaleState``). Publishing checks that the version can score (``publish_problems``),
freezes it and retires the versions published before it; rounds already running on those keep them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache
from itertools import pairwise
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridwork.accounts.roles import Perm
from gridwork.audit.services import audit_record
from gridwork.common.flows import StaleState
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
from gridwork.schemes.sources import SOURCES

HUNDRED = Decimal(100)
PRESET_DIR = Path(__file__).resolve().parent / "presets"


def _require_manager(actor: Any) -> None:
    if actor is None:
        return
    if not getattr(actor, "is_authenticated", False) or not actor.has_perm_anywhere(Perm.MANAGE_ASSESSMENT):
        raise PermissionDenied(_("Only those who manage the assessment may change schemes."))


def _who(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def _text(values: dict[str, str], errors: dict[str, str], name: str, limit: int, *, required: bool = True) -> str:
    value = (values.get(name) or "").strip()
    if required and not value:
        errors[name] = _("This field is required.")
    elif len(value) > limit:
        errors[name] = _("At most %(limit)d characters.") % {"limit": limit}
    return value


def _decimal(value: Any, errors: dict[str, str], name: str, *, required: bool = True) -> Decimal | None:
    if value is None or value == "":
        if required:
            errors[name] = _("This field is required.")
        return None
    try:
        result = Decimal(str(value).strip())
    except InvalidOperation:
        errors[name] = _("Enter a number.")
        return None
    if not result.is_finite():
        errors[name] = _("Enter a number.")
        return None
    return result


def _locked_draft(version: SchemeVersion) -> SchemeVersion:
    """The version row locked for the edit; refused unless it is still a draft."""
    locked = SchemeVersion.objects.select_for_update().select_related("scheme").get(pk=version.pk)
    if locked.state != VersionState.DRAFT:
        raise ValidationError(
            {
                "__all__": _("Version %(number)d is %(state)s: only a draft can be changed. Make a new version.")
                % {"number": locked.number, "state": locked.get_state_display()}
            }
        )
    return locked


def _touch(version: SchemeVersion) -> None:
    version.revision += 1
    version.save(update_fields=["revision"])


# --- schemes and versions ----------------------------------------------------------------------------------------


def scheme_create(
    *,
    actor: Any,
    name: str,
    target_kind: str,
    description: str = "",
    preset_key: str = "",
    request: HttpRequest | None = None,
) -> Scheme:
    """A new scheme with an empty draft version 1."""
    _require_manager(actor)
    errors: dict[str, str] = {}
    name = _text({"name": name}, errors, "name", 100)
    if target_kind not in TargetKind.values:
        errors["target_kind"] = _("Choose what the scheme rates.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        scheme = Scheme.objects.create(
            name=name,
            target_kind=target_kind,
            description=(description or "").strip(),
            preset_key=preset_key,
            created_by=_who(actor),
        )
        SchemeVersion.objects.create(scheme=scheme, number=1, created_by=_who(actor))
        audit_record(
            actor=actor,
            action="schemes.scheme.created",
            target=scheme,
            detail={"target_kind": target_kind},
            request=request,
        )
    return scheme


def scheme_update(
    *, actor: Any, scheme: Scheme, name: str, description: str, request: HttpRequest | None = None
) -> Scheme:
    """Rename a scheme or change its description (what it rates stays: its versions were built for it)."""
    _require_manager(actor)
    errors: dict[str, str] = {}
    name = _text({"name": name}, errors, "name", 100)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = Scheme.objects.select_for_update().get(pk=scheme.pk)
        before = {"name": locked.name, "description": locked.description}
        locked.name = name
        locked.description = (description or "").strip()
        locked.save(update_fields=["name", "description"])
        audit_record(
            actor=actor,
            action="schemes.scheme.changed",
            target=locked,
            detail={"before": before, "after": {"name": locked.name, "description": locked.description}},
            request=request,
        )
    return locked


def _copy_content(source: SchemeVersion, target: SchemeVersion) -> None:
    for group in source.groups.order_by("order", "id").prefetch_related("indicators"):
        indicators = list(group.indicators.order_by("order", "id"))
        group.pk = None
        group.version = target
        group.save()
        for indicator in indicators:
            indicator.pk = None
            indicator.group = group
            indicator.save()
    for veto in source.vetoes.order_by("order", "id"):
        veto.pk = None
        veto.version = target
        veto.save()
    for threshold in source.thresholds.order_by("stars"):
        threshold.pk = None
        threshold.version = target
        threshold.save()


def version_new(*, actor: Any, scheme: Scheme, note: str = "", request: HttpRequest | None = None) -> SchemeVersion:
    """新版本: a draft copying the scheme's latest version. Refused while the scheme has a draft."""
    _require_manager(actor)
    with transaction.atomic():
        locked = Scheme.objects.select_for_update().get(pk=scheme.pk)
        draft = locked.versions.filter(state=VersionState.DRAFT).first()
        if draft is not None:
            raise ValidationError(
                {
                    "__all__": _("Version %(number)d is still a draft: edit it, publish it or discard it first.")
                    % {"number": draft.number}
                }
            )
        latest = locked.versions.order_by("-number").first()
        version = SchemeVersion.objects.create(
            scheme=locked,
            number=(latest.number + 1) if latest else 1,
            note=(note or "").strip(),
            created_by=_who(actor),
        )
        if latest is not None:
            _copy_content(latest, version)
        audit_record(
            actor=actor,
            action="schemes.version.created",
            target=version,
            detail={"copied_from": latest.number if latest else None},
            request=request,
        )
    return version


def version_update_note(
    *, actor: Any, version: SchemeVersion, note: str, request: HttpRequest | None = None
) -> SchemeVersion:
    _require_manager(actor)
    with transaction.atomic():
        locked = _locked_draft(version)
        locked.note = (note or "").strip()
        locked.revision += 1
        locked.save(update_fields=["note", "revision"])
        audit_record(actor=actor, action="schemes.version.note", target=locked, request=request)
    return locked


def publish_problems(version: SchemeVersion) -> list[str]:
    """What stands in the way of publishing: weights not summing to 100, empty groups, indicators without a usable
    figure, no or disordered star thresholds. Empty when the version can be published."""
    problems: list[str] = []
    kind = version.scheme.target_kind
    groups = list(version.groups.order_by("order", "id").prefetch_related("indicators"))
    if not groups:
        problems.append(_("Add at least one group of indicators."))
    weights = sum((group.weight for group in groups), Decimal(0))
    if groups and weights != HUNDRED:
        problems.append(_("The group weights add up to %(sum)s; they must add up to 100.") % {"sum": weights})
    codes: set[str] = set()
    for group in groups:
        indicators = list(group.indicators.all())
        if not indicators:
            problems.append(_("Group %(group)s has no indicators.") % {"group": group.code})
        for indicator in indicators:
            if indicator.code in codes:
                problems.append(_("Indicator code %(code)s is used twice.") % {"code": indicator.code})
            codes.add(indicator.code)
            if indicator.method == IndicatorMethod.COMPUTED:
                source = SOURCES.get(indicator.source)
                if source is None:
                    problems.append(_("Indicator %(code)s: choose a figure.") % {"code": indicator.code})
                elif kind not in source.target_kinds:
                    problems.append(
                        _("Indicator %(code)s: the figure “%(source)s” cannot be computed for this kind of target.")
                        % {"code": indicator.code, "source": source.label}
                    )
                if indicator.full_at is None or indicator.zero_at is None or indicator.full_at == indicator.zero_at:
                    problems.append(
                        _("Indicator %(code)s: give different figures for full marks and for zero.")
                        % {"code": indicator.code}
                    )
    thresholds = list(version.thresholds.order_by("stars"))
    if not thresholds:
        problems.append(_("Set the lowest total for at least one star level."))
    for lower, higher in pairwise(thresholds):
        if higher.min_score <= lower.min_score:
            problems.append(
                _("%(higher)d stars must need a higher total than %(lower)d stars.")
                % {"higher": higher.stars, "lower": lower.stars}
            )
    return problems


def version_publish(
    *,
    actor: Any,
    version: SchemeVersion,
    expected_revision: int | None = None,
    request: HttpRequest | None = None,
) -> SchemeVersion:
    """发布: freeze the draft (refused with the problems if it cannot score, ``StaleState`` if it was edited since the
    page that publishes it was shown) and retire the versions published before it."""
    _require_manager(actor)
    with transaction.atomic():
        locked = _locked_draft(version)
        if expected_revision is not None and locked.revision != expected_revision:
            raise StaleState
        problems = publish_problems(locked)
        if problems:
            raise ValidationError({"__all__": problems})
        now = timezone.now()
        retired = list(
            SchemeVersion.objects.select_for_update()
            .filter(scheme=locked.scheme, state=VersionState.PUBLISHED)
            .values_list("number", flat=True)
        )
        SchemeVersion.objects.filter(scheme=locked.scheme, state=VersionState.PUBLISHED).update(
            state=VersionState.RETIRED, retired_at=now
        )
        locked.state = VersionState.PUBLISHED
        locked.published_at = now
        locked.published_by = _who(actor)
        locked.save(update_fields=["state", "published_at", "published_by"])
        audit_record(
            actor=actor,
            action="schemes.version.published",
            target=locked,
            detail={"retired": retired},
            request=request,
        )
    return locked


def version_retire(*, actor: Any, version: SchemeVersion, request: HttpRequest | None = None) -> SchemeVersion:
    """停用: no new round may use the version; rounds already using it keep it."""
    _require_manager(actor)
    with transaction.atomic():
        locked = SchemeVersion.objects.select_for_update().get(pk=version.pk)
        if locked.state != VersionState.PUBLISHED:
            raise ValidationError({"__all__": _("Only a published version can be retired.")})
        locked.state = VersionState.RETIRED
        locked.retired_at = timezone.now()
        locked.save(update_fields=["state", "retired_at"])
        audit_record(actor=actor, action="schemes.version.retired", target=locked, request=request)
    return locked


def version_discard(*, actor: Any, version: SchemeVersion, request: HttpRequest | None = None) -> Scheme:
    """Throw a draft away, with its content. Refused for a scheme's only version."""
    _require_manager(actor)
    with transaction.atomic():
        locked = _locked_draft(version)
        scheme = locked.scheme
        if not scheme.versions.exclude(pk=locked.pk).exists():
            raise ValidationError({"__all__": _("This is the scheme's only version: edit it instead.")})
        audit_record(
            actor=actor,
            action="schemes.version.discarded",
            target=locked,
            detail={"number": locked.number},
            request=request,
        )
        locked.delete()
    return scheme


# --- the content of a draft --------------------------------------------------------------------------------------


def group_save(
    *,
    actor: Any,
    version: SchemeVersion,
    values: Mapping[str, Any],
    group: IndicatorGroup | None = None,
    request: HttpRequest | None = None,
) -> IndicatorGroup:
    """Add a group to a draft, or change one: code, name, weight (0–100, a share of the total) and order."""
    _require_manager(actor)
    if group is not None and group.version_id != version.pk:
        raise ValidationError({"__all__": _("The group is not part of this version.")})
    errors: dict[str, str] = {}
    code = _text(dict(values), errors, "code", 20)
    name = _text(dict(values), errors, "name", 100)
    weight = _decimal(values.get("weight"), errors, "weight")
    if weight is not None and not Decimal(0) <= weight <= HUNDRED:
        errors["weight"] = _("A weight is a share of 100: from 0 to 100.")
    elif weight is not None and weight.as_tuple().exponent < -2:  # type: ignore[operator]
        errors["weight"] = _("At most two decimal places.")
    order = int(values.get("order") or 0)
    with transaction.atomic():
        locked = _locked_draft(version)
        clash = locked.groups.filter(code=code)
        if group is not None:
            clash = clash.exclude(pk=group.pk)
        if code and clash.exists():
            errors["code"] = _("Another group of this version has this code.")
        if errors:
            raise ValidationError(errors)
        assert weight is not None
        if group is None:
            saved = IndicatorGroup.objects.create(version=locked, code=code, name=name, weight=weight, order=order)
            action = "schemes.group.added"
        else:
            saved = IndicatorGroup.objects.get(pk=group.pk)
            saved.code, saved.name, saved.weight, saved.order = code, name, weight, order
            saved.save(update_fields=["code", "name", "weight", "order"])
            action = "schemes.group.changed"
        _touch(locked)
        audit_record(
            actor=actor,
            action=action,
            target=saved,
            detail={"version": locked.pk, "code": code, "weight": str(weight)},
            request=request,
        )
    return saved


def group_delete(*, actor: Any, group: IndicatorGroup, request: HttpRequest | None = None) -> None:
    """Remove a group of a draft with its indicators."""
    _require_manager(actor)
    with transaction.atomic():
        locked = _locked_draft(group.version)
        audit_record(
            actor=actor,
            action="schemes.group.removed",
            target=group,
            detail={"version": locked.pk, "code": group.code},
            request=request,
        )
        IndicatorGroup.objects.filter(pk=group.pk).delete()
        _touch(locked)


def _indicator_fields(version: SchemeVersion, values: Mapping[str, Any], errors: dict[str, str]) -> dict[str, Any]:
    """The indicator's fields from ``values``, each refusal put in ``errors`` under its field."""
    plain = {key: value for key, value in values.items() if isinstance(value, str)}
    code = _text(plain, errors, "code", 20)
    name = _text(plain, errors, "name", 200)
    max_score = _decimal(values.get("max_score"), errors, "max_score")
    if max_score is not None and not Decimal(0) < max_score <= Decimal(1000):
        errors["max_score"] = _("The maximum score must be above 0 and at most 1000.")
    elif max_score is not None and max_score.as_tuple().exponent < -2:  # type: ignore[operator]
        errors["max_score"] = _("At most two decimal places.")
    method = values.get("method") or ""
    if method not in IndicatorMethod.values:
        errors["method"] = _("Choose how the indicator is scored.")
    source = (values.get("source") or "").strip()
    full_at = zero_at = None
    if method == IndicatorMethod.COMPUTED:
        found = SOURCES.get(source)
        if found is None:
            errors["source"] = _("Choose the figure the platform computes.")
        elif version.scheme.target_kind not in found.target_kinds:
            errors["source"] = _("This figure cannot be computed for %(kind)s.") % {
                "kind": version.scheme.get_target_kind_display()
            }
        full_at = _decimal(values.get("full_at"), errors, "full_at")
        zero_at = _decimal(values.get("zero_at"), errors, "zero_at")
        if full_at is not None and zero_at is not None and full_at == zero_at:
            errors["zero_at"] = _("Zero must be at another figure than full marks.")
    else:
        source = ""
    group = values.get("group")
    if not isinstance(group, IndicatorGroup) or group.version_id != version.pk:
        errors["group"] = _("Choose a group of this version.")
    return {
        "group": group,
        "code": code,
        "name": name,
        "description": (values.get("description") or "").strip(),
        "max_score": max_score,
        "method": method,
        "evidence_required": bool(values.get("evidence_required")),
        "source": source,
        "full_at": full_at,
        "zero_at": zero_at,
        "order": int(values.get("order") or 0),
    }


def indicator_save(
    *,
    actor: Any,
    version: SchemeVersion,
    values: Mapping[str, Any],
    indicator: Indicator | None = None,
    request: HttpRequest | None = None,
) -> Indicator:
    """Add or change an indicator of a draft. ``values``: group (an IndicatorGroup of the version), code, name,
    description, max_score, method, evidence_required, and for a computed one source, full_at and zero_at."""
    _require_manager(actor)
    if indicator is not None and indicator.group.version_id != version.pk:
        raise ValidationError({"__all__": _("The indicator is not part of this version.")})
    errors: dict[str, str] = {}
    fields = _indicator_fields(version, values, errors)
    with transaction.atomic():
        locked = _locked_draft(version)
        clash = Indicator.objects.filter(group__version=locked, code=fields["code"])
        if indicator is not None:
            clash = clash.exclude(pk=indicator.pk)
        if fields["code"] and clash.exists():
            errors["code"] = _("Another indicator of this version has this code.")
        if errors:
            raise ValidationError(errors)
        if indicator is None:
            saved = Indicator.objects.create(**fields)
            action = "schemes.indicator.added"
        else:
            saved = Indicator.objects.get(pk=indicator.pk)
            for key, value in fields.items():
                setattr(saved, key, value)
            saved.save(update_fields=list(fields))
            action = "schemes.indicator.changed"
        _touch(locked)
        audit_record(
            actor=actor,
            action=action,
            target=saved,
            detail={
                "version": locked.pk,
                "code": fields["code"],
                "method": fields["method"],
                "max_score": str(fields["max_score"]),
            },
            request=request,
        )
    return saved


def indicator_delete(*, actor: Any, indicator: Indicator, request: HttpRequest | None = None) -> None:
    _require_manager(actor)
    with transaction.atomic():
        locked = _locked_draft(indicator.group.version)
        audit_record(
            actor=actor,
            action="schemes.indicator.removed",
            target=indicator,
            detail={"version": locked.pk, "code": indicator.code},
            request=request,
        )
        Indicator.objects.filter(pk=indicator.pk).delete()
        _touch(locked)


def veto_save(
    *,
    actor: Any,
    version: SchemeVersion,
    values: Mapping[str, Any],
    veto: VetoItem | None = None,
    request: HttpRequest | None = None,
) -> VetoItem:
    """Add or change a veto item (一票否决) of a draft: code, name, description, order."""
    _require_manager(actor)
    if veto is not None and veto.version_id != version.pk:
        raise ValidationError({"__all__": _("The veto item is not part of this version.")})
    errors: dict[str, str] = {}
    plain = {key: value for key, value in values.items() if isinstance(value, str)}
    code = _text(plain, errors, "code", 20)
    name = _text(plain, errors, "name", 200)
    with transaction.atomic():
        locked = _locked_draft(version)
        clash = locked.vetoes.filter(code=code)
        if veto is not None:
            clash = clash.exclude(pk=veto.pk)
        if code and clash.exists():
            errors["code"] = _("Another veto item of this version has this code.")
        if errors:
            raise ValidationError(errors)
        fields = {
            "code": code,
            "name": name,
            "description": (values.get("description") or "").strip(),
            "order": int(values.get("order") or 0),
        }
        if veto is None:
            saved = VetoItem.objects.create(version=locked, **fields)
            action = "schemes.veto.added"
        else:
            saved = VetoItem.objects.get(pk=veto.pk)
            for key, value in fields.items():
                setattr(saved, key, value)
            saved.save(update_fields=list(fields))
            action = "schemes.veto.changed"
        _touch(locked)
        audit_record(actor=actor, action=action, target=saved, detail={"version": locked.pk}, request=request)
    return saved


def veto_delete(*, actor: Any, veto: VetoItem, request: HttpRequest | None = None) -> None:
    _require_manager(actor)
    with transaction.atomic():
        locked = _locked_draft(veto.version)
        audit_record(
            actor=actor,
            action="schemes.veto.removed",
            target=veto,
            detail={"version": locked.pk, "code": veto.code},
            request=request,
        )
        VetoItem.objects.filter(pk=veto.pk).delete()
        _touch(locked)


def thresholds_set(
    *,
    actor: Any,
    version: SchemeVersion,
    thresholds: Mapping[int, Any],
    request: HttpRequest | None = None,
) -> list[StarThreshold]:
    """Set the lowest total of each star level (1–5) of a draft; a level left empty (None) is not awarded. A higher
    level must need a higher total."""
    _require_manager(actor)
    errors: dict[str, str] = {}
    chosen: dict[int, Decimal] = {}
    for stars in range(1, 6):
        field = f"stars_{stars}"
        value = _decimal(thresholds.get(stars), errors, field, required=False)
        if value is None:
            continue
        if not Decimal(0) <= value <= HUNDRED:
            errors[field] = _("A total is from 0 to 100.")
        else:
            chosen[stars] = value
    if set(thresholds) - set(range(1, 6)):
        errors["__all__"] = _("Stars go from 1 to 5.")
    levels = sorted(chosen)
    for lower, higher in pairwise(levels):
        if chosen[higher] <= chosen[lower]:
            errors[f"stars_{higher}"] = _("%(higher)d stars must need a higher total than %(lower)d stars.") % {
                "higher": higher,
                "lower": lower,
            }
    if not chosen and not errors:
        errors["__all__"] = _("Set the lowest total for at least one star level.")
    with transaction.atomic():
        locked = _locked_draft(version)
        if errors:
            raise ValidationError(errors)
        locked.thresholds.all().delete()
        saved = [
            StarThreshold.objects.create(version=locked, stars=stars, min_score=value)
            for stars, value in sorted(chosen.items())
        ]
        _touch(locked)
        audit_record(
            actor=actor,
            action="schemes.thresholds.set",
            target=locked,
            detail={str(stars): str(value) for stars, value in sorted(chosen.items())},
            request=request,
        )
    return saved


# --- presets -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Preset:
    key: str
    name: str
    target_kind: str
    description: str
    source: str
    content: dict[str, Any]


PRESET_KEYS = ("five_star_community", "estate_party_five_six", "secretary_stars")
PRESET_LABELS = {
    "five_star_community": gettext_lazy("五星达标、和美家园 (communities)"),
    "estate_party_five_six": gettext_lazy("五有 / 六优 (estate party organisations)"),
    "secretary_stars": gettext_lazy("Secretary star grades 考核定星 (community secretaries)"),
}


@cache
def preset_load(key: str) -> Preset:
    """The preset ``key`` from ``presets/<key>.json``."""
    if key not in PRESET_KEYS:
        raise KeyError(key)
    data = json.loads((PRESET_DIR / f"{key}.json").read_text(encoding="utf-8"))
    return Preset(
        key=key,
        name=data["name"],
        target_kind=data["target_kind"],
        description=data.get("description", ""),
        source=data.get("source", ""),
        content=data,
    )


def _fill_from_preset(version: SchemeVersion, preset: Preset) -> None:
    for group_order, group_data in enumerate(preset.content["groups"], start=1):
        group = IndicatorGroup.objects.create(
            version=version,
            code=group_data["code"],
            name=group_data["name"],
            weight=Decimal(str(group_data["weight"])),
            order=group_order,
        )
        for order, item in enumerate(group_data["indicators"], start=1):
            Indicator.objects.create(
                group=group,
                code=item["code"],
                name=item["name"],
                description=item.get("description", ""),
                max_score=Decimal(str(item["max_score"])),
                method=item["method"],
                evidence_required=bool(item.get("evidence_required", False)),
                source=item.get("source", ""),
                full_at=Decimal(str(item["full_at"])) if "full_at" in item else None,
                zero_at=Decimal(str(item["zero_at"])) if "zero_at" in item else None,
                order=order,
            )
    for order, item in enumerate(preset.content.get("vetoes", []), start=1):
        VetoItem.objects.create(
            version=version,
            code=item["code"],
            name=item["name"],
            description=item.get("description", ""),
            order=order,
        )
    for stars, min_score in preset.content["thresholds"].items():
        StarThreshold.objects.create(version=version, stars=int(stars), min_score=Decimal(str(min_score)))


def preset_install(*, actor: Any, key: str, publish: bool = True, request: HttpRequest | None = None) -> SchemeVersion:
    """Install a preset scheme of the source documents. The first install makes the scheme; each later one adds a
    version with the preset's content (never a second scheme). Published at once unless ``publish`` is False;
    refused while the scheme has a draft."""
    _require_manager(actor)
    if key not in PRESET_KEYS:
        raise ValidationError({"key": _("There is no such preset.")})
    preset = preset_load(key)
    with transaction.atomic():
        scheme = Scheme.objects.select_for_update().filter(preset_key=key).first()
        created = False
        if scheme is None:
            try:
                with transaction.atomic():
                    scheme = scheme_create(
                        actor=actor,
                        name=preset.name,
                        target_kind=preset.target_kind,
                        description=preset.description,
                        preset_key=key,
                        request=request,
                    )
                created = True
            except IntegrityError:  # installed at the same moment by someone else
                scheme = Scheme.objects.select_for_update().get(preset_key=key)
        if created:
            version = scheme.versions.get(number=1)
        else:
            draft = scheme.versions.filter(state=VersionState.DRAFT).first()
            if draft is not None:
                raise ValidationError(
                    {
                        "__all__": _(
                            "Version %(number)d of “%(scheme)s” is still a draft: publish or discard it first."
                        )
                        % {"number": draft.number, "scheme": scheme.name}
                    }
                )
            number = (scheme.versions.aggregate(top=Max("number"))["top"] or 0) + 1
            version = SchemeVersion.objects.create(scheme=scheme, number=number, created_by=_who(actor))
        version.note = _("Installed from the preset “%(name)s”.") % {"name": preset.name}
        version.save(update_fields=["note"])
        _fill_from_preset(version, preset)
        audit_record(
            actor=actor,
            action="schemes.preset.installed",
            target=version,
            detail={"preset": key, "version": version.number},
            request=request,
        )
        if publish:
            version = version_publish(actor=actor, version=version, request=request)
    return version
