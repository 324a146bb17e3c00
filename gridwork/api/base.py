"""What every endpoint shares: the access marker, the permission a view needs, pagination and versions (ETag)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.utils.translation import gettext as _
from rest_framework import exceptions, generics, parsers, permissions
from rest_framework.pagination import CursorPagination, PageNumberPagination
from rest_framework.request import Request
from rest_framework.throttling import UserRateThrottle
from rest_framework.views import APIView

from gridwork.api.errors import PreconditionFailed
from gridwork.common.permissions import ACCESS_ATTRIBUTE


class HoldsPerm(permissions.BasePermission):
    """The signed-in user holds the view's ``required_perm`` in at least one post (what the pages' staff_view asks).

    Which objects they reach is the selectors' business: out of scope is 404, as on the pages.
    """

    def has_permission(self, request: Request, view: APIView) -> bool:
        perm = getattr(view, "required_perm", "")
        user = request.user
        if not perm:
            return bool(user and user.is_authenticated)
        staff = bool(user and user.is_authenticated and getattr(user, "is_staff_member", False))
        return staff and user.has_perm_anywhere(perm)


class ApiThrottle(UserRateThrottle):
    scope = "api"


class BodyParsing:
    """A body the parser cannot take (nested too deep for the JSON decoder, too many fields or files, too large) is
    malformed: 400 with the JSON error body, not a 500 or Django's HTML error page."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: dict[str, Any] | None = None) -> Any:
        try:
            return super().parse(stream, media_type, parser_context)  # type: ignore[misc]
        except (RecursionError, RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent) as error:
            raise exceptions.ParseError() from error


class JSONParser(BodyParsing, parsers.JSONParser):
    pass


class FormParser(BodyParsing, parsers.FormParser):
    pass


class MultiPartParser(BodyParsing, parsers.MultiPartParser):
    pass


PARSERS = [JSONParser, FormParser, MultiPartParser]


class Marked:
    """Every URL of the platform declares its access (``common.permissions``): an API view says which perm.

    A number or code in the path holding a NUL character names nothing: it answers 404 before any query (PostgreSQL
    refuses such a string outright, which would be a 500).
    """

    required_perm: ClassVar[str] = ""

    @classmethod
    def as_view(cls, **initkwargs: Any) -> Callable[..., Any]:
        view = super().as_view(**initkwargs)  # type: ignore[misc]
        setattr(view, ACCESS_ATTRIBUTE, f"api:{cls.required_perm or 'signed_in'}")
        return view

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)  # type: ignore[misc]
        if any("\x00" in str(value) for value in kwargs.values()):
            raise exceptions.NotFound()


class ApiView(Marked, APIView):
    permission_classes = [HoldsPerm]
    parser_classes = PARSERS
    throttle_classes = [ApiThrottle]


class ListApiView(Marked, generics.ListAPIView):
    permission_classes = [HoldsPerm]
    parser_classes = PARSERS
    throttle_classes = [ApiThrottle]


class RetrieveApiView(Marked, generics.RetrieveAPIView):
    permission_classes = [HoldsPerm]
    parser_classes = PARSERS
    throttle_classes = [ApiThrottle]


class PagePagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


class NewestFirst(CursorPagination):
    """Keyset pages (no OFFSET, no COUNT): stable while matters are being filed."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    ordering = ("-created_at", "-id")


def etag_of(version: int) -> str:
    return f'"{version}"'


def expected_version(request: Request, body_version: Any) -> int | None:
    """The version the client acts on: ``If-Match`` (412 when stale, checked by the caller) or ``version`` (409)."""
    if_match = request.headers.get("If-Match", "").strip()
    if if_match and if_match != "*":
        text = if_match.removeprefix("W/").strip('"')
        if not text.isdigit():
            raise exceptions.ValidationError({"If-Match": [_('Send the ETag of the matter, such as "7".')]})
        return int(text)
    return body_version if isinstance(body_version, int) else None


def check_if_match(request: Request, current: int) -> None:
    if_match = request.headers.get("If-Match", "").strip()
    if if_match and if_match != "*" and expected_version(request, None) != current:
        raise PreconditionFailed()
