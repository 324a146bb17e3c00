"""Reading the arguments of the Open311 calls: the query string of the reads and the form of ``POST requests``.

Each problem becomes an ``Open311Error`` with the HTTP status the spec gives it (400 for a bad argument, 404 for
something that does not exist, 403 for the api_key) and one description per problem.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, time
from typing import Any

from django.conf import settings
from django.http import QueryDict
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from gridwork.open311.selectors import MAX_REQUESTS, WINDOW, RequestQuery

STATUSES = ("open", "closed")
ATTRIBUTE = re.compile(r"^attribute\[([^\[\]]+)\](\[\])?$")
# A "+" of a time zone offset sent unencoded in a query string arrives as a space.
UNENCODED_OFFSET = re.compile(r" (\d{2}(?::?\d{2})?)$")


class Open311Error(Exception):
    """A request the API refuses: the HTTP status and one description per problem."""

    def __init__(self, status: int, descriptions: list[str]) -> None:
        super().__init__("; ".join(descriptions))
        self.status = status
        self.descriptions = descriptions


def check_jurisdiction(*sources: QueryDict) -> None:
    """``jurisdiction_id`` is optional (one jurisdiction is served); when given it must be ours."""
    given = next((source.get("jurisdiction_id", "").strip() for source in sources if source.get("jurisdiction_id")), "")
    if given and given != settings.OPEN311_JURISDICTION:
        raise Open311Error(404, [_("jurisdiction_id “%(value)s” was not found.") % {"value": given[:100]}])


def _split(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]


def parse_moment(name: str, value: str) -> datetime | None:
    """A w3c date-time (2010-05-24T00:00:00Z, with an offset) or a date; a time without a zone is local time."""
    text = UNENCODED_OFFSET.sub(r"+\1", value.strip())
    if not text:
        return None
    try:
        moment = parse_datetime(text)
        if moment is None:
            day = parse_date(text)
            moment = datetime.combine(day, time.min) if day is not None else None
    except ValueError:
        moment = None
    if moment is None:
        raise Open311Error(
            400, [_("%(name)s must be a w3c date and time, such as 2010-01-01T00:00:00Z.") % {"name": name}]
        )
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def parse_request_query(params: QueryDict) -> RequestQuery:
    """The filters of ``GET requests``."""
    problems: list[str] = []
    numbers = _split(params.get("service_request_id", ""))
    if len(numbers) > MAX_REQUESTS:
        problems.append(_("Ask for at most %(max)d service_request_id at once.") % {"max": MAX_REQUESTS})
    statuses = _split(params.get("status", "").lower())
    unknown = [status for status in statuses if status not in STATUSES]
    if unknown:
        problems.append(_("status must be open or closed, not “%(value)s”.") % {"value": ",".join(unknown)[:100]})
    start = end = None
    try:
        start = parse_moment("start_date", params.get("start_date", ""))
    except Open311Error as error:
        problems += error.descriptions
    try:
        end = parse_moment("end_date", params.get("end_date", ""))
    except Open311Error as error:
        problems += error.descriptions
    if start is not None and end is not None:
        if end < start:
            problems.append(_("end_date is before start_date."))
        elif end - start > WINDOW:
            problems.append(_("start_date and end_date may not span more than %(days)d days.") % {"days": WINDOW.days})
    if problems:
        raise Open311Error(400, problems)
    return RequestQuery(
        numbers=numbers,
        service_codes=_split(params.get("service_code", "")),
        start=start,
        end=end,
        statuses=statuses,
    )


@dataclass(frozen=True)
class NewRequest:
    """The arguments of ``POST requests``. ``email``, ``device_id`` and ``account_id`` are accepted and not stored."""

    service_code: str
    lat: str = ""
    long: str = ""
    address_string: str = ""
    address_id: str = ""
    first_name: str = ""
    last_name: str = ""
    phone: str = ""
    email: str = ""
    device_id: str = ""
    account_id: str = ""
    description: str = ""
    media_url: str = ""
    attributes: dict[str, Any] = field(default_factory=dict)

    @property
    def reporter_name(self) -> str:
        """Family name first and no space for Chinese names (张 + 三), given name first otherwise (John Smith)."""
        first, last = self.first_name.strip(), self.last_name.strip()
        if any(ord(ch) > 0x2E7F for ch in first + last):
            return f"{last}{first}"
        return f"{first} {last}".strip()


def parse_attributes(form: QueryDict) -> dict[str, Any]:
    """``attribute[code]=value`` and, for a multivaluelist, ``attribute[code][]=v1&attribute[code][]=v2``.

    A code sent once is one value; sent several times (or with ``[]``) it is a list, which the category's
    questions then accept only for a multivaluelist.
    """
    answers: dict[str, Any] = {}
    for name in form:
        match = ATTRIBUTE.match(name)
        if match is None:
            continue
        code, many = match.group(1).strip(), bool(match.group(2))
        values = form.getlist(name)
        if many or len(values) > 1 or code in answers:
            earlier = answers.get(code, [])
            answers[code] = [*(earlier if isinstance(earlier, list) else [earlier]), *values]
        else:
            answers[code] = values[0]
    return answers


def parse_new_request(form: QueryDict) -> NewRequest:
    service_code = form.get("service_code", "").strip()
    if not service_code:
        raise Open311Error(400, [_("service_code was not provided.")])

    def text(name: str) -> str:
        return form.get(name, "").strip()

    return NewRequest(
        service_code=service_code,
        lat=text("lat"),
        long=text("long"),
        address_string=text("address_string"),
        address_id=text("address_id"),
        first_name=text("first_name"),
        last_name=text("last_name"),
        phone=text("phone"),
        email=text("email"),
        device_id=text("device_id"),
        account_id=text("account_id"),
        description=form.get("description", "").strip(),
        media_url=text("media_url"),
        attributes=parse_attributes(form),
    )


def api_key_of(request_form: QueryDict, query: QueryDict) -> str:
    """``api_key`` from the form body or, failing that, from the query string."""
    return (request_form.get("api_key") or query.get("api_key") or "").strip()
