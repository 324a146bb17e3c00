"""The documents of GeoReport v2 as plain data, field for field as the spec names and orders them.

``formats`` writes them as XML or JSON. What a public request shows (``request_document``):

- ``status``: ``closed`` for a closed matter, ``open`` for every other state;
- ``status_notes``: the reply to the resident, or else the closing reason or the current step;
- ``agency_responsible``: the lead unit (department or place) once dispatched;
- ``description``: the resident's text with phone numbers, ID card numbers, e-mail addresses and the reporter's
  own name masked; withheld for a personal matter (个事: about one household) and for a matter discarded as
  invalid;
- ``address``: the community, street and district, most specific first — never the building or door number;
  ``address_id`` the community's code; ``lat``/``long`` rounded to 3 decimals (about 100 m);
- never the reporter's name, phone or account, whatever the matter holds.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from gridwork.matters.models import CategoryQuestion, Matter, QuestionType
from gridwork.matters.workflow import ClosureReason, MatterKind, MatterState
from gridwork.open311.formats import MIME_TYPES
from gridwork.open311.privacy import mask_text, public_coordinate
from gridwork.open311.selectors import Service

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
LIST_TYPES = frozenset({QuestionType.SINGLE, QuestionType.MULTI})


def w3c(moment: datetime | None) -> str | None:
    """ISO 8601 with the platform's UTC offset, to the second: 2026-03-01T09:30:00+08:00."""
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment is not None else None


def _or_none(text: str) -> str | None:
    return text or None


def discovery_document(*, endpoint_url: str, changeset: datetime, key_service: str) -> dict[str, Any]:
    stamp = changeset.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")  # UTC sorts as text
    return {
        "changeset": stamp,
        "contact": settings.OPEN311_CONTACT,
        "key_service": key_service,
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": endpoint_url,
                "changeset": stamp,
                "type": "production",
                "formats": list(MIME_TYPES),
            }
        ],
    }


def service_document(service: Service) -> dict[str, Any]:
    return {
        "service_code": service.category.code,
        "service_name": service.category.name,
        "description": service.description,
        "metadata": service.has_questions,
        "type": "realtime",
        "keywords": ", ".join(service.category.keyword_list()),
        "group": service.group,
    }


def attribute_document(question: CategoryQuestion) -> dict[str, Any]:
    values = question.values if question.datatype in LIST_TYPES else []
    return {
        "variable": True,
        "code": question.code,
        "datatype": question.datatype,
        "required": question.required,
        "datatype_description": _or_none(question.datatype_description),
        "order": question.order,
        "description": question.question,
        "values": [
            {"key": str(item.get("key", "")), "name": str(item.get("name", item.get("key", "")))}
            for item in values
            if isinstance(item, dict)
        ],
    }


def service_definition_document(service: Service, questions: list[CategoryQuestion]) -> dict[str, Any]:
    return {"service_code": service.category.code, "attributes": [attribute_document(q) for q in questions]}


def _status_notes(matter: Matter) -> str:
    if matter.reply_text.strip():
        return mask_text(matter.reply_text.strip(), names=[matter.reporter_name])
    if matter.state == MatterState.CLOSED:
        if matter.closure_reason == ClosureReason.DUPLICATE and matter.duplicate_of is not None:
            return _("Duplicate of %(number)s.") % {"number": matter.duplicate_of.number}
        return str(ClosureReason(matter.closure_reason).label) if matter.closure_reason else ""
    return str(MatterState(matter.state).label)


def _description(matter: Matter) -> str | None:
    if matter.kind == MatterKind.PERSONAL or matter.closure_reason == ClosureReason.INVALID:
        return None
    return mask_text(matter.text, names=[matter.reporter_name])


def _agency(matter: Matter) -> str | None:
    if matter.lead_department is not None:
        return matter.lead_department.name
    return matter.lead_place.name if matter.lead_place is not None else None


def request_document(matter: Matter) -> dict[str, Any]:
    """One public service request. Reads no reporter field except to mask the reporter's name in the text."""
    closed = matter.state == MatterState.CLOSED
    return {
        "service_request_id": matter.number,
        "status": "closed" if closed else "open",
        "status_notes": _or_none(_status_notes(matter)),
        "service_name": matter.category.name if matter.category is not None else None,
        "service_code": matter.category.code if matter.category is not None else None,
        "description": _description(matter),
        "agency_responsible": _agency(matter),
        "service_notice": None,
        "requested_datetime": w3c(matter.created_at),
        "updated_datetime": w3c((matter.closed_at if closed else None) or matter.updated_at),
        "expected_datetime": w3c(matter.due_at),
        "address": "".join(place.name for place in (matter.district, matter.street, matter.community)),
        "address_id": matter.community.code,
        "zipcode": None,
        "lat": public_coordinate(matter.latitude),
        "long": public_coordinate(matter.longitude),
        "media_url": _or_none(matter.media_url),
    }


def created_document(*, number: str, service_notice: str, account_id: str) -> dict[str, Any]:
    """The answer to ``POST requests``: the id (we file at once, so no token), a notice, the client's account_id."""
    return {"service_request_id": number, "service_notice": service_notice, "account_id": _or_none(account_id)}


def token_document(*, number: str, token: str) -> dict[str, Any]:
    return {"service_request_id": number, "token": token}


def error_documents(status: int, descriptions: list[str]) -> list[dict[str, Any]]:
    return [{"code": status, "description": description} for description in descriptions]
