"""What the socialorgs pages share: the breadcrumbs and the status codes of refusals."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from gridwork.socialorgs.models import Organisation

BAD_REQUEST = 400
CONFLICT = 409


def crumbs(*extra: dict[str, str]) -> list[dict[str, str]]:
    return [{"label": _("Social organisations"), "url": reverse("socialorgs:organisation-list")}, *extra]


def organisation_crumbs(organisation: Organisation, *extra: dict[str, str]) -> list[dict[str, str]]:
    url = reverse("socialorgs:organisation-detail", args=[organisation.pk])
    return crumbs({"label": organisation.name, "url": url}, *extra)
