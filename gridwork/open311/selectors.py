"""Reads of the Open311 API: the services offered, the public requests, tokens, keys and addresses.

Everything here is public (GeoReport v2 reads need no key) except ``open311_key_list``; the public reads never
return a reporter's name or phone — ``documents`` shapes what leaves the platform.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.migrations.recorder import MigrationRecorder
from django.db.models import CharField, F, Max, QuerySet, Value
from django.db.models.functions import Length
from django.utils import timezone

from gridwork.matters.models import Category, CategoryQuestion, Matter
from gridwork.matters.questions import category_questions
from gridwork.matters.workflow import ClosureReason, MatterState
from gridwork.open311.models import Open311Key, Open311Token
from gridwork.places.models import Place, PlaceLevel

WINDOW = timedelta(days=90)
MAX_REQUESTS = 1000
MIN_PARTIAL_ADDRESS = 6  # characters; shorter strings ("1号楼") name too many buildings


@dataclass(frozen=True)
class Service:
    """A category offered as an Open311 service: an active leaf of the taxonomy under active parents."""

    category: Category
    description: str  # the names from the top level down: 城市部件 / 公用设施 / 路灯
    group: str  # the top-level name
    has_questions: bool


def open311_services() -> list[Service]:
    """The active leaves of the taxonomy, in the taxonomy's order.

    Leaves, because a service is something a resident reports ("路灯"), and the levels above are its groups.
    """
    categories = list(Category.objects.order_by("sort_order", "code"))
    by_id = {category.pk: category for category in categories}
    with_active_children = {c.parent_id for c in categories if c.is_active and c.parent_id is not None}
    asked = set(
        CategoryQuestion.objects.filter(is_active=True).values_list("category_id", flat=True).distinct().order_by()
    )
    services = []
    for category in categories:
        if not category.is_active or category.pk in with_active_children:
            continue
        chain = [category]
        while chain[-1].parent_id is not None:
            chain.append(by_id[chain[-1].parent_id])
        if not all(link.is_active for link in chain):
            continue
        names = [link.name for link in reversed(chain)]
        services.append(
            Service(
                category=category, description=" / ".join(names), group=names[0], has_questions=category.pk in asked
            )
        )
    return services


def open311_service(code: str) -> Service | None:
    return next((service for service in open311_services() if service.category.code == code), None)


def open311_service_questions(service: Service) -> list[CategoryQuestion]:
    return category_questions(service.category)


def open311_changeset() -> datetime:
    """When the services or their questions last changed: the latest admin change of a category (its questions
    are edited inline, on the category's page), or else the latest migration of the taxonomy's app."""
    category_type = ContentType.objects.get_for_model(Category)
    edited = LogEntry.objects.filter(content_type=category_type).aggregate(at=Max("action_time"))["at"]
    seeded = MigrationRecorder.Migration.objects.filter(app="matters").aggregate(at=Max("applied"))["at"]
    moments = [moment for moment in (edited, seeded) if moment is not None]
    return max(moments) if moments else datetime(2026, 1, 1, tzinfo=timezone.get_current_timezone())


@dataclass(frozen=True)
class RequestQuery:
    """The filters of ``GET requests``, already checked (``params.parse_request_query``)."""

    numbers: Sequence[str] = ()
    service_codes: Sequence[str] = ()
    start: datetime | None = None
    end: datetime | None = None
    statuses: Sequence[str] = ()


def _public_requests() -> QuerySet[Matter]:
    return Matter.objects.select_related(
        "category", "lead_department", "lead_place", "community", "street", "district", "duplicate_of"
    )


def open311_window(
    start: datetime | None, end: datetime | None, *, now: datetime | None = None
) -> tuple[datetime, datetime]:
    """The span of ``requested_datetime`` searched: the last 90 days, or 90 days from or to the date given."""
    if start is not None and end is not None:
        return start, end
    if start is not None:
        return start, start + WINDOW
    last = end or now or timezone.now()
    return last - WINDOW, last


def open311_requests(query: RequestQuery, *, now: datetime | None = None) -> list[Matter]:
    """The requests of ``GET requests``, newest first, at most ``MAX_REQUESTS``.

    Asked for by number, any matter is found, as the spec says (the number overrides every other filter); in a
    search by dates, matters discarded as invalid (not a matter for the platform: spam, abuse, tests) are left out.
    """
    matters = _public_requests()
    if query.numbers:
        return list(matters.filter(number__in=query.numbers)[:MAX_REQUESTS])
    start, end = open311_window(query.start, query.end, now=now)
    matters = matters.filter(created_at__gte=start, created_at__lte=end).exclude(closure_reason=ClosureReason.INVALID)
    if query.service_codes:
        matters = matters.filter(category__code__in=query.service_codes)
    statuses = set(query.statuses)
    if statuses == {"open"}:
        matters = matters.exclude(state=MatterState.CLOSED)
    elif statuses == {"closed"}:
        matters = matters.filter(state=MatterState.CLOSED)
    return list(matters.order_by("-created_at", "-id")[:MAX_REQUESTS])


def open311_request(number: str) -> Matter | None:
    return _public_requests().filter(number=number).first()


def open311_token(token: str) -> Open311Token | None:
    return Open311Token.objects.select_related("matter").filter(token=token).first()


def open311_key_list() -> QuerySet[Open311Key]:
    """Every key, the ones in use first (for the system administrator, who alone manages integrations)."""
    return Open311Key.objects.select_related("created_by").order_by(
        F("revoked_at").desc(nulls_first=True), "-created_at"
    )


def open311_key_get(pk: int) -> Open311Key | None:
    return Open311Key.objects.filter(pk=pk).first()


def open311_key_by_prefix(prefix: str) -> Open311Key | None:
    return Open311Key.objects.filter(prefix=prefix).first()


# --- addresses ------------------------------------------------------------------------------------------------


class AddressNotFound(Exception):
    """No building's address matches the text."""


class AddressAmbiguous(Exception):
    """Several buildings match the text equally well."""


def _buildings() -> QuerySet[Place]:
    return Place.objects.filter(level=PlaceLevel.MICROGRID).exclude(address="")


def normalise_address(text: str) -> str:
    return "".join(ch for ch in text if not ch.isspace() and ch not in ",，、;；")


def open311_building_by_address(text: str) -> Place:
    """``address_string``: the building whose address the text names. There is no geocoder; the text must hold a
    building's whole address (明川市东湖区望江街道春晖路1号1号楼, perhaps with a unit or room after it), or be a
    long enough part of exactly one building's address (春晖路1号1号楼)."""
    wanted = normalise_address(text)
    if not wanted:
        raise AddressNotFound
    containing = list(
        _buildings()
        .annotate(wanted=Value(wanted, output_field=CharField()), length=Length("address"))
        .filter(wanted__contains=F("address"))
        .order_by("-length", "code")[:2]
    )
    if containing:
        if len(containing) > 1 and len(containing[0].address) == len(containing[1].address):
            raise AddressAmbiguous
        return containing[0]
    if len(wanted) < MIN_PARTIAL_ADDRESS:
        raise AddressNotFound
    contained = list(_buildings().filter(address__contains=wanted).order_by("code")[:2])
    if len(contained) > 1:
        raise AddressAmbiguous
    if not contained:
        raise AddressNotFound
    return contained[0]
