"""Placeholder: being written."""

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse

from gridwork.accounts.roles import Perm
from gridwork.common.permissions import staff_view


@staff_view(Perm.VIEW_MATTERS)
def settings_view(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404
