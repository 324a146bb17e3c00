"""Open311 GeoReport v2 at /open311/v2/: discovery, services, service definitions, requests and tokens.

Every call ends in ``.xml`` or ``.json``; reads are public, ``POST requests`` needs an ``api_key``. Errors come in
the spec's shape (``errors``/``error`` with ``code`` and ``description``) with HTTP 400, 403 or 404.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from gridwork.common.permissions import public_view
from gridwork.open311 import documents
from gridwork.open311.formats import DEFAULT_FORMAT, FORMATS, respond
from gridwork.open311.params import (
    Open311Error,
    api_key_of,
    check_jurisdiction,
    parse_new_request,
    parse_request_query,
)
from gridwork.open311.selectors import (
    open311_changeset,
    open311_request,
    open311_requests,
    open311_service,
    open311_service_questions,
    open311_services,
    open311_token,
)
from gridwork.open311.services import open311_key_authenticate, open311_request_file

TOKEN_HEADER = "Open311-Token"  # noqa: S105 — a header name
Endpoint = Callable[..., HttpResponse]


def _errors(fmt: str, status: int, descriptions: list[str]) -> HttpResponse:
    return respond(fmt, "errors", documents.error_documents(status, descriptions), status=status)


def _endpoint(*methods: str) -> Callable[[Endpoint], Endpoint]:
    """The frame of every call: the format from the URL, the allowed methods, ``jurisdiction_id``, and errors
    written in the spec's shape in the format asked for (XML when the format itself is unknown)."""
    allowed = set(methods) | ({"HEAD"} if "GET" in methods else set())

    def decorator(view: Endpoint) -> Endpoint:
        @wraps(view)
        def wrapped(request: HttpRequest, fmt: str, **kwargs: Any) -> HttpResponse:
            fmt = fmt.lower()
            if fmt not in FORMATS:
                return _errors(
                    DEFAULT_FORMAT, 404, [_("Unknown format “%(format)s”: use .xml or .json.") % {"format": fmt[:10]}]
                )
            if request.method not in allowed:
                response = _errors(fmt, 405, [_("Method %(method)s is not allowed here.") % {"method": request.method}])
                response["Allow"] = ", ".join(sorted(allowed))
                return response
            try:
                check_jurisdiction(request.GET, request.POST)
                response = view(request, fmt, **kwargs)
            except Open311Error as error:
                response = _errors(fmt, error.status, error.descriptions)
            if request.method in {"GET", "HEAD"}:
                response["Access-Control-Allow-Origin"] = "*"  # public data, for browser clients
            return response

        return wrapped

    return decorator


@public_view
@_endpoint("GET")
def discovery_view(request: HttpRequest, fmt: str) -> HttpResponse:
    endpoint_url = request.build_absolute_uri(reverse("open311:discovery", kwargs={"fmt": "xml"})).rsplit("/", 1)[0]
    key_service = _(
        "API keys for POST requests are issued by the platform's system administrator (staff pages, Open311 keys)."
    )
    document = documents.discovery_document(
        endpoint_url=endpoint_url, changeset=open311_changeset(), key_service=key_service
    )
    return respond(fmt, "discovery", document)


@public_view
@_endpoint("GET")
def services_view(request: HttpRequest, fmt: str) -> HttpResponse:
    return respond(fmt, "services", [documents.service_document(service) for service in open311_services()])


@public_view
@_endpoint("GET")
def service_definition_view(request: HttpRequest, fmt: str, code: str) -> HttpResponse:
    service = open311_service(code)
    if service is None:
        raise Open311Error(404, [_("service_code “%(value)s” was not found.") % {"value": code[:40]}])
    document = documents.service_definition_document(service, open311_service_questions(service))
    return respond(fmt, "service_definition", document)


def _create(request: HttpRequest, fmt: str) -> HttpResponse:
    raw_key = api_key_of(request.POST, request.GET)
    if not raw_key:
        raise Open311Error(403, [_("api_key was not provided -- can't proceed with create_request.")])
    key = open311_key_authenticate(raw_key)
    if key is None:
        raise Open311Error(403, [_("Invalid api_key received -- can't proceed with create_request.")])
    new = parse_new_request(request.POST)
    filed = open311_request_file(key=key, new=new)
    notice = _(
        "Filed as %(number)s. The platform dispatches it to the unit responsible. The reporter can follow it and rate "
        "the reply at %(url)s with the number and the tracking code %(code)s."
    ) % {
        "number": filed.number,
        "url": request.build_absolute_uri(reverse("report:track")),
        "code": filed.tracking_code,
    }
    document = documents.created_document(number=filed.number, service_notice=notice, account_id=new.account_id)
    response = respond(fmt, "service_requests", [document])
    response[TOKEN_HEADER] = filed.token
    return response


@public_view
@csrf_exempt
@_endpoint("GET", "POST")
def requests_view(request: HttpRequest, fmt: str) -> HttpResponse:
    """GET: search the public requests. POST: file one (with an api_key); a client from another origin posts a
    form with its key, so there is no session and no CSRF token."""
    if request.method == "POST":
        return _create(request, fmt)
    matters = open311_requests(parse_request_query(request.GET))
    return respond(fmt, "service_requests", [documents.request_document(matter) for matter in matters])


@public_view
@_endpoint("GET")
def request_view(request: HttpRequest, fmt: str, number: str) -> HttpResponse:
    """One request, as a list of one (the spec's shape)."""
    matter = open311_request(number)
    if matter is None:
        raise Open311Error(404, [_("service_request_id “%(value)s” was not found.") % {"value": number[:40]}])
    return respond(fmt, "service_requests", [documents.request_document(matter)])


@public_view
@_endpoint("GET")
def token_view(request: HttpRequest, fmt: str, token: str) -> HttpResponse:
    found = open311_token(token)
    if found is None:
        raise Open311Error(404, [_("token “%(value)s” was not found.") % {"value": token[:40]}])
    return respond(fmt, "service_requests", [documents.token_document(number=found.matter.number, token=found.token)])


@public_view
@csrf_exempt
def not_found_view(request: HttpRequest, rest: str = "") -> HttpResponse:
    """Anything else under /open311/v2/: a 404 in the spec's shape, JSON if the path asked for JSON."""
    fmt = "json" if rest.lower().endswith(".json") else DEFAULT_FORMAT
    return _errors(fmt, 404, [_("No such Open311 resource: /%(path)s.") % {"path": rest[:100]}])
