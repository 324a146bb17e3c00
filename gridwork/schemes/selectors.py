"""Reads of the assessment schemes. Schemes are city-wide: whoever holds VIEW_RATINGS reads the published and
retired versions; drafts (work in progress) are seen only by those who hold MANAGE_ASSESSMENT — for everyone else
a draft is not found (404), and a scheme with nothing but a draft is not listed."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404

from gridwork.accounts.roles import Perm
from gridwork.schemes.models import (
    Indicator,
    IndicatorGroup,
    Scheme,
    SchemeVersion,
    TargetKind,
    VersionState,
    VetoItem,
)


def may_manage(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.has_perm_anywhere(Perm.MANAGE_ASSESSMENT))


def _may_read(user: Any) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and (user.has_perm_anywhere(Perm.VIEW_RATINGS) or user.has_perm_anywhere(Perm.MANAGE_ASSESSMENT))
    )


def visible_versions(user: Any) -> QuerySet[SchemeVersion]:
    if not _may_read(user):
        return SchemeVersion.objects.none()
    versions = SchemeVersion.objects.select_related("scheme", "published_by", "created_by")
    return versions if may_manage(user) else versions.exclude(state=VersionState.DRAFT)


def scheme_list(*, user: Any, target_kind: str = "") -> QuerySet[Scheme]:
    """The schemes the user may read, with the number of their current (published) version and whether a draft is
    open."""
    if not _may_read(user):
        return Scheme.objects.none()
    schemes = Scheme.objects.all()
    if not may_manage(user):
        schemes = schemes.filter(Exists(SchemeVersion.objects.filter(scheme=OuterRef("pk")).exclude(state="draft")))
    if target_kind in TargetKind.values:
        schemes = schemes.filter(target_kind=target_kind)
    return schemes.annotate(
        version_count=Count("versions"),
        published_count=Count("versions", filter=Q(versions__state=VersionState.PUBLISHED)),
        draft_count=Count("versions", filter=Q(versions__state=VersionState.DRAFT)),
    ).order_by("name", "id")


def scheme_get(*, user: Any, pk: int) -> Scheme:
    try:
        return scheme_list(user=user).get(pk=pk)
    except Scheme.DoesNotExist as error:
        raise Http404 from error


def scheme_versions(*, user: Any, scheme: Scheme) -> QuerySet[SchemeVersion]:
    return visible_versions(user).filter(scheme=scheme).order_by("-number")


def version_get(*, user: Any, pk: int) -> SchemeVersion:
    try:
        return visible_versions(user).get(pk=pk)
    except SchemeVersion.DoesNotExist as error:
        raise Http404 from error


def version_groups(version: SchemeVersion) -> QuerySet[IndicatorGroup]:
    """The version's groups in order, each with its indicators in order."""
    return version.groups.order_by("order", "id").prefetch_related(
        Prefetch("indicators", queryset=Indicator.objects.order_by("order", "id"))
    )


def group_get(*, user: Any, pk: int) -> IndicatorGroup:
    try:
        return IndicatorGroup.objects.select_related("version__scheme").get(pk=pk, version__in=visible_versions(user))
    except IndicatorGroup.DoesNotExist as error:
        raise Http404 from error


def indicator_get(*, user: Any, pk: int) -> Indicator:
    try:
        return Indicator.objects.select_related("group__version__scheme").get(
            pk=pk, group__version__in=visible_versions(user)
        )
    except Indicator.DoesNotExist as error:
        raise Http404 from error


def veto_get(*, user: Any, pk: int) -> VetoItem:
    try:
        return VetoItem.objects.select_related("version__scheme").get(pk=pk, version__in=visible_versions(user))
    except VetoItem.DoesNotExist as error:
        raise Http404 from error


def published_versions(*, target_kind: str = "") -> QuerySet[SchemeVersion]:
    """The versions a new round may use (published, not retired), optionally for one kind of target."""
    versions = SchemeVersion.objects.filter(state=VersionState.PUBLISHED).select_related("scheme")
    if target_kind:
        versions = versions.filter(scheme__target_kind=target_kind)
    return versions.order_by("scheme__name", "-number")
