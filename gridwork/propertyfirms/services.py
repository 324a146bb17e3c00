"""Services of the property companies: registering and editing companies (a street or above), service contracts
(the estate's community and above), residents' ratings, survey results and community assessments each quarter,
linking matters of the closed loop to a company, and red property recognition (a street or above). Each write is one
transaction, re-checks the actor's permission over the object's place and is audited.

Who may:
- register a company: MANAGE_ACTORS at a street or above; the company is registered by that unit (``registered_in``)
  and is edited by MANAGE_ACTORS there or above;
- contract, end a contract early, assess, record a survey, link a matter: MANAGE_ACTORS over the estate's community;
- rate: a verified resident (an account linked to a registered resident) whose household lies in the estate's
  community, once a quarter per estate, the company serving the estate on the day;
- recognise and revoke red property: MANAGE_ACTORS at a street or above whose subtree holds the company's registering
  unit or an estate the company serves today.

A matter is linked to the company that served the matter's estate on the day it was filed: the estate whose grids
hold the matter's grid; suggested matters are those of the property-management categories (see
``selectors.property_categories``) filed in the estate's grids during one of the company's contracts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridwork.accounts.roles import Perm
from gridwork.audit.services import audit_record
from gridwork.common.scope import holds_over
from gridwork.estates.models import Estate
from gridwork.estates.services import manages_estate
from gridwork.matters.models import Matter
from gridwork.mediation.services.applications import resident_home_community
from gridwork.party.models import PartyOrganisation
from gridwork.places.models import Place, PlaceLevel
from gridwork.propertyfirms import creditcode, figures
from gridwork.propertyfirms.models import (
    ASSESSMENT_ITEMS,
    CRITERIA,
    CommunityAssessment,
    MatterLink,
    PropertyCompany,
    Recognition,
    RecognitionEvent,
    RecognitionState,
    ResidentRating,
    ServiceContract,
    SurveyResult,
)
from gridwork.propertyfirms.quarters import quarter_bounds, quarter_of

OVERLAP_CONSTRAINT = "propertyfirms_contract_no_overlap"
REGISTERING_LEVELS = frozenset({PlaceLevel.CITY, PlaceLevel.DISTRICT, PlaceLevel.STREET})
MAX_REASON = 300
MAX_COMMENT = 300
MAX_YEARS = 10  # the longest contract or recognition
PHONE_CHARS = set("0123456789+-() ")


# --- who may ------------------------------------------------------------------------------------------------------


def registering_places(user: Any) -> list[Place]:
    """The units at a street or above where ``user`` holds MANAGE_ACTORS: where they may register companies."""
    if not getattr(user, "is_authenticated", False) or not hasattr(user, "active_posts"):
        return []
    paths = user.scope_paths(Perm.MANAGE_ACTORS)
    return list(Place.objects.filter(path__in=paths, level__in=REGISTERING_LEVELS).order_by("path"))


def manages_company(user: Any, company: PropertyCompany) -> bool:
    return holds_over(user, Perm.MANAGE_ACTORS, company.registered_in)


def recognising_place(user: Any, company: PropertyCompany, today: date) -> Place | None:
    """The deepest unit at a street or above where ``user`` holds MANAGE_ACTORS over the company: its registering
    unit, or an estate it serves today, lies under it. ``None``: the user may not decide on the company."""
    served = [
        c.estate.community.path
        for c in figures.serving_on(today).filter(company=company).select_related("estate__community")
    ]
    targets = [company.registered_in.path, *served]
    fitting = [place for place in registering_places(user) if any(t.startswith(place.path) for t in targets)]
    return max(fitting, key=lambda place: len(place.path)) if fitting else None


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def _errors(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationError(errors)


def _add(errors: dict[str, list[str]], name: str, message: str) -> None:
    errors.setdefault(name, []).append(message)


# --- companies ----------------------------------------------------------------------------------------------------


@dataclass
class CompanyInput:
    name: str
    credit_code: str
    contact_name: str
    contact_phone: str
    registered_in: Place
    address: str = ""
    party_organisation: PartyOrganisation | None = None
    party_members: int = 0
    party_members_in_management: int = 0
    is_active: bool = True


def _company_errors(values: CompanyInput, *, company: PropertyCompany | None) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not values.name.strip():
        _add(errors, "name", _("Give the company's name."))
    elif len(values.name.strip()) > 120:
        _add(errors, "name", _("At most %(count)d characters.") % {"count": 120})
    code = creditcode.normalise(values.credit_code)
    if not creditcode.is_valid(code):
        _add(errors, "credit_code", _("Not a valid unified social credit code (18 characters, check character last)."))
    elif PropertyCompany.objects.filter(credit_code=code).exclude(pk=company.pk if company else 0).exists():
        _add(errors, "credit_code", _("A company with this credit code is registered already."))
    if not values.contact_name.strip():
        _add(errors, "contact_name", _("Give the name of the company's contact."))
    phone = values.contact_phone.strip()
    if not 5 <= len(phone) <= 20 or not set(phone) <= PHONE_CHARS:
        _add(errors, "contact_phone", _("A phone number has digits only (and + - ( ) or spaces)."))
    if len(values.address.strip()) > 200:
        _add(errors, "address", _("At most %(count)d characters.") % {"count": 200})
    if values.party_members < 0:
        _add(errors, "party_members", _("Not a number of people."))
    if not 0 <= values.party_members_in_management <= values.party_members:
        _add(errors, "party_members_in_management", _("At most the company's party members."))
    if values.registered_in.level not in REGISTERING_LEVELS:
        _add(errors, "registered_in", _("A company is registered by a street, a district or the city."))
    return errors


@transaction.atomic
def company_create(*, actor: Any, values: CompanyInput) -> PropertyCompany:
    _require(
        values.registered_in.level in REGISTERING_LEVELS
        and holds_over(actor, Perm.MANAGE_ACTORS, values.registered_in),
        _("Companies are registered by street staff and above, for their own units."),
    )
    _errors(_company_errors(values, company=None))
    company = PropertyCompany.objects.create(
        name=values.name.strip(),
        credit_code=creditcode.normalise(values.credit_code),
        address=values.address.strip(),
        contact_name=values.contact_name.strip(),
        contact_phone=values.contact_phone.strip(),
        registered_in=values.registered_in,
        party_organisation=values.party_organisation,
        party_members=values.party_members,
        party_members_in_management=values.party_members_in_management,
        is_active=values.is_active,
    )
    audit_record(actor=actor, action="propertyfirms.company_create", target=company)
    return company


@transaction.atomic
def company_update(*, actor: Any, company: PropertyCompany, values: CompanyInput) -> PropertyCompany:
    _require(manages_company(actor, company), _("Only the registering unit and those above it edit a company."))
    _require(
        holds_over(actor, Perm.MANAGE_ACTORS, values.registered_in),
        _("The company is registered by one of your units."),
    )
    _errors(_company_errors(values, company=company))
    fields = {
        "name": values.name.strip(),
        "credit_code": creditcode.normalise(values.credit_code),
        "address": values.address.strip(),
        "contact_name": values.contact_name.strip(),
        "contact_phone": values.contact_phone.strip(),
        "registered_in": values.registered_in,
        "party_organisation": values.party_organisation,
        "party_members": values.party_members,
        "party_members_in_management": values.party_members_in_management,
        "is_active": values.is_active,
    }
    changed = [name for name, value in fields.items() if getattr(company, name) != value]
    for name in changed:
        setattr(company, name, fields[name])
    if changed:
        company.save(update_fields=changed)
        audit_record(actor=actor, action="propertyfirms.company_update", target=company, detail={"fields": changed})
    return company


# --- contracts ----------------------------------------------------------------------------------------------------


def _is_overlap(error: IntegrityError) -> bool:
    return OVERLAP_CONSTRAINT in str(error) or getattr(getattr(error, "__cause__", None), "pgcode", "") == "23P01"


def contract_create(
    *, actor: Any, company: PropertyCompany, estate: Estate, starts_on: date, ends_on: date
) -> ServiceContract:
    """The company serves the estate from ``starts_on`` to ``ends_on`` (both included); no other contract of the
    estate may share a day with it (the database refuses it too)."""
    _require(manages_estate(actor, estate), _("You do not manage this estate's community."))
    _require(
        PropertyCompany.objects.restrict(actor, Perm.MANAGE_ACTORS).filter(pk=company.pk).exists(),
        _("This company is not registered for your units."),
    )
    errors: dict[str, list[str]] = {}
    if not company.is_active:
        _add(errors, "company", _("The company is not active."))
    if not estate.is_active:
        _add(errors, "estate", _("The estate is not active."))
    if ends_on <= starts_on:
        _add(errors, "ends_on", _("The contract must end after it starts."))
    elif (ends_on - starts_on).days > MAX_YEARS * 366:
        _add(errors, "ends_on", _("A contract runs at most %(years)d years.") % {"years": MAX_YEARS})
    elif ServiceContract.objects.filter(estate=estate, starts_on__lte=ends_on, ends_on__gte=starts_on).exists():
        _add(errors, "starts_on", _("Another company serves this estate during these dates."))
    _errors(errors)
    try:
        with transaction.atomic():
            contract = ServiceContract.objects.create(
                company=company,
                estate=estate,
                starts_on=starts_on,
                ends_on=ends_on,
                agreed_ends_on=ends_on,
                created_by=actor,
            )
            audit_record(
                actor=actor,
                action="propertyfirms.contract_create",
                target=contract,
                detail={"company": company.pk, "estate": estate.pk, "from": str(starts_on), "to": str(ends_on)},
            )
    except IntegrityError as error:
        if _is_overlap(error):
            raise ValidationError({"starts_on": _("Another company serves this estate during these dates.")}) from error
        raise
    return contract


@transaction.atomic
def contract_end_early(*, actor: Any, contract: ServiceContract, last_day: date, reason: str) -> ServiceContract:
    """End a contract before its end: ``last_day`` becomes the last day served. Compare-and-set on the end."""
    _require(manages_estate(actor, contract.estate), _("You do not manage this estate's community."))
    errors: dict[str, list[str]] = {}
    if not reason.strip():
        _add(errors, "reason", _("Say why the contract ends early."))
    elif len(reason.strip()) > MAX_REASON:
        _add(errors, "reason", _("At most %(count)d characters.") % {"count": MAX_REASON})
    if not contract.starts_on < last_day < contract.ends_on:
        _add(errors, "last_day", _("The last day falls after the start and before the contract's end."))
    _errors(errors)
    updated = ServiceContract.objects.filter(pk=contract.pk, ends_on=contract.ends_on).update(
        ends_on=last_day, ended_early=True, end_reason=reason.strip()
    )
    if not updated:
        raise ValidationError({"last_day": _("The contract changed meanwhile: reload the page.")})
    audit_record(
        actor=actor,
        action="propertyfirms.contract_end_early",
        target=contract,
        detail={"last_day": str(last_day), "reason": reason.strip()},
    )
    contract.refresh_from_db()
    return contract


def serving_contract(estate: Estate, day: date) -> ServiceContract | None:
    return figures.serving_on(day).filter(estate=estate).select_related("company").first()


def contract_of_quarter(estate: Estate, year: int, quarter: int) -> ServiceContract | None:
    """The contract that served the estate longest in the quarter (the latest on a tie)."""
    first, last = quarter_bounds(year, quarter)
    contracts = ServiceContract.objects.filter(estate=estate, starts_on__lte=last, ends_on__gte=first)
    best: ServiceContract | None = None
    best_days = -1
    for contract in contracts.select_related("company").order_by("starts_on"):
        days = (min(contract.ends_on, last) - max(contract.starts_on, first)).days
        if days >= best_days:
            best, best_days = contract, days
    return best


# --- ratings ------------------------------------------------------------------------------------------------------


def rating_submit(
    *, actor: Any, estate: Estate, score: Any, comment: str = "", today: date | None = None
) -> ResidentRating:
    """A resident of the estate's community rates the company serving the estate today, once a quarter."""
    home = resident_home_community(actor)
    _require(
        home is not None and home.pk == estate.community_id,
        _("Only verified residents of the estate's community rate its property company."),
    )
    today = today or timezone.localdate()
    errors: dict[str, list[str]] = {}
    if not isinstance(score, int) or isinstance(score, bool) or not 1 <= score <= 5:
        _add(errors, "score", _("A score from 1 to 5."))
    if len(comment.strip()) > MAX_COMMENT:
        _add(errors, "comment", _("At most %(count)d characters.") % {"count": MAX_COMMENT})
    contract = serving_contract(estate, today)
    if contract is None:
        _add(errors, "estate", _("No property company serves this estate now."))
    year, quarter = quarter_of(today)
    if ResidentRating.objects.filter(account=actor, estate=estate, year=year, quarter=quarter).exists():
        _add(errors, "estate", _("You have rated this estate's company this quarter already."))
    _errors(errors)
    assert contract is not None
    try:
        with transaction.atomic():
            rating = ResidentRating.objects.create(
                estate=estate,
                company=contract.company,
                account=actor,
                year=year,
                quarter=quarter,
                score=score,
                comment=comment.strip(),
            )
            audit_record(actor=actor, action="propertyfirms.rating_submit", target=rating, detail={"score": score})
    except IntegrityError as error:
        raise ValidationError({"estate": _("You have rated this estate's company this quarter already.")}) from error
    return rating


def _quarter_errors(errors: dict[str, list[str]], year: int, quarter: int, today: date) -> None:
    if not 1 <= quarter <= 4 or (year, quarter) > quarter_of(today):
        _add(errors, "quarter", _("Choose a quarter that has begun."))


def survey_record(
    *, actor: Any, estate: Estate, year: int, quarter: int, score: Any, sample_size: Any, today: date | None = None
) -> SurveyResult:
    """A residents' survey of the quarter: its average score (1–5) and number of answers, for the company serving
    the estate that quarter. One per estate and quarter."""
    _require(manages_estate(actor, estate), _("You do not manage this estate's community."))
    today = today or timezone.localdate()
    errors: dict[str, list[str]] = {}
    _quarter_errors(errors, year, quarter, today)
    try:
        value = Decimal(str(score)).quantize(Decimal("0.01"))
    except InvalidOperation:
        value = Decimal(0)
    if not Decimal(1) <= value <= Decimal(5):
        _add(errors, "score", _("An average score from 1 to 5."))
    if not isinstance(sample_size, int) or sample_size < 1:
        _add(errors, "sample_size", _("At least one answer."))
    contract = contract_of_quarter(estate, year, quarter) if not errors.get("quarter") else None
    if contract is None and not errors.get("quarter"):
        _add(errors, "quarter", _("No property company served this estate in that quarter."))
    if SurveyResult.objects.filter(estate=estate, year=year, quarter=quarter).exists():
        _add(errors, "quarter", _("A survey of this estate is recorded for that quarter already."))
    _errors(errors)
    assert contract is not None
    try:
        with transaction.atomic():
            survey = SurveyResult.objects.create(
                estate=estate,
                company=contract.company,
                year=year,
                quarter=quarter,
                score=value,
                sample_size=sample_size,
                recorded_by=actor,
            )
            audit_record(actor=actor, action="propertyfirms.survey_record", target=survey)
    except IntegrityError as error:
        raise ValidationError(
            {"quarter": _("A survey of this estate is recorded for that quarter already.")}
        ) from error
    return survey


def assessment_record(
    *,
    actor: Any,
    estate: Estate,
    year: int,
    quarter: int,
    items: dict[str, Any],
    comment: str = "",
    today: date | None = None,
) -> CommunityAssessment:
    """The community's assessment of the company serving the estate that quarter: each item from 0 to its points."""
    _require(manages_estate(actor, estate), _("You do not manage this estate's community."))
    today = today or timezone.localdate()
    errors: dict[str, list[str]] = {}
    _quarter_errors(errors, year, quarter, today)
    scores: dict[str, int] = {}
    for name, _label, points in ASSESSMENT_ITEMS:
        value = items.get(name)
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= points:
            _add(errors, name, _("From 0 to %(points)d points.") % {"points": points})
        else:
            scores[name] = value
    if len(comment.strip()) > 500:
        _add(errors, "comment", _("At most %(count)d characters.") % {"count": 500})
    contract = contract_of_quarter(estate, year, quarter) if not errors.get("quarter") else None
    if contract is None and not errors.get("quarter"):
        _add(errors, "quarter", _("No property company served this estate in that quarter."))
    if CommunityAssessment.objects.filter(estate=estate, year=year, quarter=quarter).exists():
        _add(errors, "quarter", _("This estate's company is assessed for that quarter already."))
    _errors(errors)
    assert contract is not None
    try:
        with transaction.atomic():
            assessment = CommunityAssessment.objects.create(
                estate=estate,
                company=contract.company,
                year=year,
                quarter=quarter,
                total=sum(scores.values()),
                comment=comment.strip(),
                assessed_by=actor,
                **scores,
            )
            audit_record(
                actor=actor, action="propertyfirms.assessment_record", target=assessment, detail={"scores": scores}
            )
    except IntegrityError as error:
        raise ValidationError({"quarter": _("This estate's company is assessed for that quarter already.")}) from error
    return assessment


# --- matters ------------------------------------------------------------------------------------------------------


def estate_of_matter(company: PropertyCompany, matter: Matter) -> Estate | None:
    """The estate whose grids hold the matter's grid and which the company served on the day the matter was filed."""
    filed = timezone.localdate(matter.created_at)
    contract = (
        ServiceContract.objects.filter(
            company=company, estate__grids=matter.grid_id, starts_on__lte=filed, ends_on__gte=filed
        )
        .select_related("estate__community")
        .first()
    )
    return contract.estate if contract is not None else None


def matter_link(*, actor: Any, company: PropertyCompany, matter: Matter) -> MatterLink:
    """Link a matter to the company that served its estate when it was filed; a matter is linked once."""
    _require(
        Matter.objects.restrict(actor, Perm.VIEW_MATTERS).filter(pk=matter.pk).exists(),
        _("This matter is outside your units."),
    )
    estate = estate_of_matter(company, matter)
    if estate is None:
        raise ValidationError(
            {"matter": _("The company did not serve an estate in this matter's grid when it was filed.")}
        )
    _require(manages_estate(actor, estate), _("You do not manage this estate's community."))
    if MatterLink.objects.filter(matter=matter).exists():
        raise ValidationError({"matter": _("This matter is linked to a company already.")})
    try:
        with transaction.atomic():
            link = MatterLink.objects.create(matter=matter, company=company, estate=estate, linked_by=actor)
            audit_record(
                actor=actor,
                action="propertyfirms.matter_link",
                target=link,
                detail={"matter": matter.number, "company": company.pk},
            )
    except IntegrityError as error:
        raise ValidationError({"matter": _("This matter is linked to a company already.")}) from error
    return link


# --- red property -------------------------------------------------------------------------------------------------


def recognition_decide(
    *,
    actor: Any,
    company: PropertyCompany,
    valid_from: date,
    valid_until: date,
    joint_meeting: bool,
    note: str = "",
    today: date | None = None,
) -> Recognition:
    """Recognise a company as red property for ``[valid_from, valid_until]`` when every criterion is met; the
    checklist is kept with the decision. A company has one standing recognition at a time (the database holds it)."""
    today = today or timezone.localdate()
    place = recognising_place(actor, company, today)
    _require(place is not None, _("Red property is decided by street staff and above over the company."))
    assert place is not None
    checklist = figures.criteria_check(company, today=today, joint_meeting=joint_meeting)
    errors: dict[str, list[str]] = {}
    unmet = [str(label) for name, label, _auto in CRITERIA if not checklist[name]["met"]]
    if unmet:
        _add(
            errors,
            "joint_meeting" if unmet == [str(CRITERIA[2][1])] else "__all__",
            _("Criteria not met: %(list)s.") % {"list": "; ".join(unmet)},
        )
    if valid_until <= valid_from:
        _add(errors, "valid_until", _("The recognition must end after it starts."))
    elif (valid_until - valid_from).days > MAX_YEARS * 366:
        _add(errors, "valid_until", _("At most %(years)d years.") % {"years": MAX_YEARS})
    if len(note.strip()) > MAX_REASON:
        _add(errors, "note", _("At most %(count)d characters.") % {"count": MAX_REASON})
    _errors(errors)
    with transaction.atomic():
        _expire_passed(today, company=company)
        if Recognition.objects.filter(company=company, state=RecognitionState.RECOGNISED).exists():
            raise ValidationError({"__all__": _("The company holds a standing recognition: revoke it first.")})
        try:
            with transaction.atomic():
                recognition = Recognition.objects.create(
                    company=company,
                    decided_in=place,
                    checklist=checklist,
                    valid_from=valid_from,
                    valid_until=valid_until,
                    state=RecognitionState.RECOGNISED,
                    note=note.strip(),
                    decided_by=actor,
                )
        except IntegrityError as error:
            raise ValidationError(
                {"__all__": _("The company holds a standing recognition: revoke it first.")}
            ) from error
        RecognitionEvent.objects.create(
            recognition=recognition,
            action=RecognitionState.RECOGNISED,
            actor=actor,
            detail={"checklist": checklist, "from": str(valid_from), "until": str(valid_until)},
        )
        audit_record(
            actor=actor, action="propertyfirms.recognise", target=company, detail={"recognition": recognition.pk}
        )
    return recognition


@transaction.atomic
def recognition_revoke(*, actor: Any, recognition: Recognition, reason: str, today: date | None = None) -> Recognition:
    """Revoke a standing recognition, with a reason; compare-and-set on its state."""
    today = today or timezone.localdate()
    _require(
        recognising_place(actor, recognition.company, today) is not None,
        _("Red property is decided by street staff and above over the company."),
    )
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the recognition is revoked.")})
    if len(reason.strip()) > MAX_REASON:
        raise ValidationError({"reason": _("At most %(count)d characters.") % {"count": MAX_REASON}})
    updated = Recognition.objects.filter(pk=recognition.pk, state=RecognitionState.RECOGNISED).update(
        state=RecognitionState.REVOKED, revoked_by=actor, revoked_at=timezone.now(), revoke_reason=reason.strip()
    )
    if not updated:
        raise ValidationError({"reason": _("This recognition is not standing any more.")})
    RecognitionEvent.objects.create(
        recognition=recognition, action=RecognitionState.REVOKED, actor=actor, detail={"reason": reason.strip()}
    )
    audit_record(
        actor=actor,
        action="propertyfirms.revoke",
        target=recognition.company,
        detail={"recognition": recognition.pk, "reason": reason.strip()},
    )
    recognition.refresh_from_db()
    return recognition


def _expire_passed(today: date, **among: Any) -> int:
    """Mark expired each standing recognition whose period ended before ``today`` (compare-and-set on its state),
    with its history event and audit row, as the system; how many moved. Runs inside the caller's transaction."""
    expired = 0
    passed = Recognition.objects.filter(state=RecognitionState.RECOGNISED, valid_until__lt=today, **among)
    for recognition in passed.select_related("company"):
        if not Recognition.objects.filter(pk=recognition.pk, state=RecognitionState.RECOGNISED).update(
            state=RecognitionState.EXPIRED
        ):
            continue
        RecognitionEvent.objects.create(
            recognition=recognition,
            action=RecognitionState.EXPIRED,
            actor=None,
            detail={"until": str(recognition.valid_until)},
        )
        audit_record(
            actor=None,
            actor_name="system",
            action="propertyfirms.expire",
            target=recognition.company,
            detail={"recognition": recognition.pk},
        )
        expired += 1
    return expired


def recognitions_expire(today: date | None = None) -> int:
    """Recognitions whose period has passed are marked expired (the daily job), each recorded in the history and
    the audit log like the other moves; how many."""
    with transaction.atomic():
        return _expire_passed(today or timezone.localdate())
