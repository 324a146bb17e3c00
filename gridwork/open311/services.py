"""Writes of the Open311 API: issuing and revoking client keys (audited), and filing a service request."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from gridwork.audit.services import audit_record
from gridwork.common.keys import find_issued, issue_key, record_use
from gridwork.matters.models import Category, Channel
from gridwork.matters.questions import clean_attributes
from gridwork.matters.services import TEXT_MAX, TEXT_MIN, matter_file
from gridwork.open311.models import Open311Key, Open311Token
from gridwork.open311.params import NewRequest, Open311Error
from gridwork.open311.selectors import (
    AddressAmbiguous,
    AddressNotFound,
    open311_building_by_address,
    open311_service,
)
from gridwork.places.models import Place
from gridwork.places.selectors import building_by_code

KEY_KIND = "o311"
NAME_MAX = 100
# The names of matter_file's fields in the Open311 form, for the error descriptions.
FIELD_NAMES = {"text": "description", "location": "lat/long", "building": "address_id"}


# --- keys -----------------------------------------------------------------------------------------------------


def open311_key_create(
    *, actor: Any, name: str, request: HttpRequest | None = None, actor_name: str = ""
) -> tuple[Open311Key, str]:
    """Issue a key for a client; returns the row and the key itself, which is shown once and never stored."""
    name = name.strip()
    if not name or len(name) > NAME_MAX:
        raise ValidationError({"name": _("Name the client in 1 to %(max)d characters.") % {"max": NAME_MAX}})
    issued = issue_key(KEY_KIND)
    with transaction.atomic():
        key = Open311Key.objects.create(
            name=name,
            prefix=issued.prefix,
            digest=issued.digest,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
            created_at=timezone.now(),
        )
        audit_record(
            actor=actor,
            action="open311.key.create",
            target=key,
            detail={"name": name, "prefix": key.prefix},
            request=request,
            actor_name=actor_name,
        )
    return key, issued.key


def open311_key_revoke(
    *, actor: Any, key: Open311Key, request: HttpRequest | None = None, actor_name: str = ""
) -> bool:
    """Revoke a key at once (calls with it are refused from now on). False if it was revoked already."""
    now = timezone.now()
    with transaction.atomic():
        changed = Open311Key.objects.filter(pk=key.pk, revoked_at__isnull=True).update(revoked_at=now)
        if changed:
            key.revoked_at = now
            audit_record(
                actor=actor,
                action="open311.key.revoke",
                target=key,
                detail={"name": key.name, "prefix": key.prefix},
                request=request,
                actor_name=actor_name,
            )
    return bool(changed)


def open311_key_authenticate(raw: str) -> Open311Key | None:
    """The active key this text is, or None; notes when it was last used (at most once a minute)."""
    key = find_issued(Open311Key.objects.filter(revoked_at__isnull=True), raw, KEY_KIND)
    if key is not None:
        record_use(key)
    return key


# --- filing ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FiledRequest:
    number: str
    token: str
    tracking_code: str  # for the reporter's eyes: follow and rate the matter on the resident pages


class Open311Reporter:
    """The actor of a filing through Open311: an anonymous reporter, who gets a tracking code."""

    is_authenticated = False
    pk = None

    def __str__(self) -> str:
        return "open311"


def _building(new: NewRequest) -> Place | None:
    """The building named by ``address_id`` or ``address_string`` when no lat/long is sent; None with lat/long."""
    if new.lat or new.long:
        if not (new.lat and new.long):
            raise Open311Error(400, [_("lat and long must both be sent.")])
        return None
    if new.address_id:
        building = building_by_code(new.address_id)
        if building is None:
            raise Open311Error(400, [_("address_id “%(value)s” is not a known building.") % {"value": new.address_id}])
        return building
    if new.address_string:
        try:
            return open311_building_by_address(new.address_string)
        except AddressAmbiguous:
            message = _("address_string matches several buildings: give the whole address, or send lat and long.")
        except AddressNotFound:
            message = _("address_string matches no building's address: send lat and long.")
        raise Open311Error(400, [message])
    raise Open311Error(400, [_("Send the location: lat and long, address_string or address_id.")])


def _check_media_url(url: str) -> None:
    if not url:
        return
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError as error:
        raise Open311Error(400, [_("media_url must be an http or https URL.")]) from error


def _messages(error: ValidationError) -> list[str]:
    return [
        f"{FIELD_NAMES.get(field, field)}: {message}"
        for field, messages in error.message_dict.items()
        for message in messages
    ]


def _content_problems(category: Category, new: NewRequest) -> list[str]:
    """The problems of the description and the answers, to report beside a problem of the location."""
    problems = []
    if not TEXT_MIN <= len(new.description) <= TEXT_MAX:
        problems.append(
            "description: "
            + _("Describe the matter in %(min)d to %(max)d characters (now %(n)d).")
            % {"min": TEXT_MIN, "max": TEXT_MAX, "n": len(new.description)}
        )
    try:
        clean_attributes(category, new.attributes)
    except ValidationError as error:
        problems += _messages(error)
    return problems


def open311_request_file(*, key: Open311Key, new: NewRequest, now: datetime | None = None) -> FiledRequest:
    """File a service request as a matter (channel API) and issue its token, in one transaction.

    The client's first_name/last_name and phone become the reporter's name and phone, which no public read
    shows; email, device_id and account_id are not stored.
    """
    service = open311_service(new.service_code)
    if service is None:
        raise Open311Error(404, [_("service_code “%(value)s” was not found.") % {"value": new.service_code[:40]}])
    problems: list[str] = []
    building: Place | None = None
    try:
        building = _building(new)
    except Open311Error as error:
        problems += error.descriptions
    try:
        _check_media_url(new.media_url)
    except Open311Error as error:
        problems += error.descriptions
    if problems:
        raise Open311Error(400, problems + _content_problems(service.category, new))
    token = secrets.token_hex(8)
    try:
        with transaction.atomic():
            receipt = matter_file(
                actor=Open311Reporter(),
                channel=Channel.API,
                text=new.description,
                latitude=None if building is not None else new.lat,
                longitude=None if building is not None else new.long,
                building=building,
                address=new.address_string,
                category=service.category,
                reporter_name=new.reporter_name,
                reporter_phone=new.phone,
                external_ref=f"open311:{token}",
                attributes=new.attributes,
                media_url=new.media_url,
                now=now,
            )
            Open311Token.objects.create(
                token=token, matter_id=receipt.matter_id, key=key, created_at=now or timezone.now()
            )
    except ValidationError as error:
        raise Open311Error(400, _messages(error)) from error
    return FiledRequest(number=receipt.number, token=token, tracking_code=receipt.tracking_code)
