"""A resident's own application for people's mediation (人民调解申请), from the resident pages at /mediation/.

A party may ask the community's people's mediation committee to mediate a dispute (People's Mediation Law, art. 17);
mediation is voluntary and free (arts. 3, 4), so the application records the applicant's consent and the wording they
accepted. The application is a dispute case like any other — ``source`` APPLICATION, ``place`` the community,
``registered_by`` the resident's own account — with the applicant and the other party as its parties, numbered as
every case is (``services.cases``), and the community's dispute staff are told after commit.

A resident sees only the cases they applied for themselves (``resident_applications``: anything else is not found),
and may have at most ``MAX_OPEN_APPLICATIONS`` not yet concluded at once. They may withdraw an application while it
is in mediation (art. 23: a party may ask to end it): it is concluded as withdrawn and the community is told
(``application_withdraw``). Each later step of their case is announced to them (``services.applicant_news``).
"""

from __future__ import annotations

import copy
from datetime import datetime
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridwork.accounts.models import User, UserKind
from gridwork.accounts.roles import ROLE_PERMISSIONS, Perm
from gridwork.common.flows import StaleState, flow_move, flow_start
from gridwork.mediation.flows import CASE_FLOW, CaseAction, case_target, single_move_flow
from gridwork.mediation.models import (
    Agreement,
    CaseParty,
    CaseSource,
    CaseState,
    DisputeCase,
    DisputeType,
    Outcome,
    PartyRole,
    RiskLevel,
)
from gridwork.mediation.services import cases
from gridwork.mediation.services.cases import MAX_TEXT, MAX_TITLE, PHONE_RE, PartyInput
from gridwork.places.codes import ancestor_paths
from gridwork.places.models import Place, PlaceLevel

MAX_OPEN_APPLICATIONS = 3
MAX_REQUEST = 2000
MAX_NAME = 60
MAX_ADDRESS = 200
COMMUNITY_DEPTH = 4  # city / district / street / community
SEARCH_RESULTS = 20

# Applications still in the community's hands: they count towards the limit. A referred case is in the receiving
# body's hands, a concluded one waits only to be closed.
OPEN_STATES = (CaseState.REGISTERED, CaseState.ASSIGNED, CaseState.MEDIATING)

CONSENT_VERSION = "people-mediation-law-2010-arts-3-4-17-23"
CONSENT_TEXT = gettext_lazy(
    "I apply for people's mediation of this dispute of my own free will. I understand that mediation is voluntary "
    "and free of charge; that it goes ahead only if the other party agrees to it too; that I may refuse a mediator, "
    "ask for the mediation to end at any time, and decide freely whether to reach an agreement; and that mediation "
    "does not take away my right to go to arbitration, an administrative body or a court (People's Mediation Law, "
    "articles 3, 4, 17 and 23)."
)


# --- who ----------------------------------------------------------------------------------------------------------


def is_resident(user: Any) -> bool:
    """A signed-in resident's account (not staff)."""
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "kind", "") == UserKind.RESIDENT)


def community_of(place: Place) -> Place | None:
    """The community a place lies in (itself for a community); ``None`` above the community level."""
    prefixes = place.ancestor_paths(include_self=True)
    if len(prefixes) < COMMUNITY_DEPTH:
        return None
    return Place.objects.filter(path=prefixes[COMMUNITY_DEPTH - 1], level=PlaceLevel.COMMUNITY).first()


def resident_home_community(user: Any) -> Place | None:
    """The community of the resident's household, when the account is linked to a registered resident."""
    if not is_resident(user):
        return None
    resident = getattr(user, "resident", None)
    if resident is None:
        return None
    household = Place.objects.filter(pk=resident.household_id).only("path").first()
    return community_of(household) if household is not None else None


def application_managers(community: Place) -> list[User]:
    """Who is told of a new application: active staff holding MANAGE_DISPUTES at the community; when it has none,
    at the nearest unit above it that has some (the street, then the district…)."""
    managing_roles = [role for role, perms in ROLE_PERMISSIONS.items() if Perm.MANAGE_DISPUTES in perms]
    for path in reversed(community.ancestor_paths(include_self=True)):
        users = list(
            User.objects.filter(
                is_active=True,
                kind=UserKind.STAFF,
                posts__is_active=True,
                posts__place__path=path,
                posts__role__in=managing_roles,
            )
            .distinct()
            .order_by("pk")
        )
        if users:
            return users
    return []


# --- applying -----------------------------------------------------------------------------------------------------


def _applicant_actor(user: User) -> User:
    """The resident as the actor of the case's first event, named by their role: the events' actor names are shown
    on the staff timeline, which grid workers read, and a party's name is personal data there (masked). The event
    still points at the account itself."""
    labelled = copy.copy(user)
    labelled.full_name = _("The applicant (online application)")
    return labelled


def _application_errors(
    *,
    community: Any,
    dispute_type: str,
    facts: str,
    request_text: str,
    other_party: PartyInput,
    applicant_name: str,
    applicant_phone: str,
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not isinstance(community, Place) or community.level != PlaceLevel.COMMUNITY:
        errors["community"] = [_("Choose the community where the dispute arose.")]
    if dispute_type not in DisputeType.values:
        errors["dispute_type"] = [_("Choose the type of dispute.")]
    if not facts.strip():
        errors["facts"] = [_("Write what happened: when, where, who is involved and what has been tried.")]
    elif len(facts) > MAX_TEXT:
        errors["facts"] = [_("At most %(count)d characters.") % {"count": MAX_TEXT}]
    if not request_text.strip():
        errors["request_text"] = [_("Write what you ask for: what would settle the dispute for you.")]
    elif len(request_text) > MAX_REQUEST:
        errors["request_text"] = [_("At most %(count)d characters.") % {"count": MAX_REQUEST}]
    other_name, other_phone = other_party.name.strip(), other_party.phone.strip()
    if not other_name:
        errors["other_name"] = [_("Give the other party's name (a person or an organisation).")]
    elif len(other_name) > MAX_NAME:
        errors["other_name"] = [_("At most %(count)d characters.") % {"count": MAX_NAME}]
    if other_phone and not PHONE_RE.match(other_phone):
        errors["other_phone"] = [_("A phone number has digits only (and + - ( ) or spaces).")]
    elif other_phone and other_phone == applicant_phone.strip():
        errors["other_phone"] = [_("This is your own phone number: give the other party's, or leave it empty.")]
    if len(other_party.address) > MAX_ADDRESS:
        errors["other_address"] = [_("At most %(count)d characters.") % {"count": MAX_ADDRESS}]
    if not applicant_name.strip():
        errors["applicant_name"] = [_("Give your name as on your ID card: the agreement is written with it.")]
    elif len(applicant_name.strip()) > MAX_NAME:
        errors["applicant_name"] = [_("At most %(count)d characters.") % {"count": MAX_NAME}]
    if not applicant_phone.strip() or not PHONE_RE.match(applicant_phone.strip()):
        errors["applicant_phone"] = [_("Your account has no valid mobile number: sign in with your mobile first.")]
    return errors


def open_application_count(user: Any) -> int:
    return DisputeCase.objects.filter(
        source=CaseSource.APPLICATION, registered_by_id=user.pk, state__in=OPEN_STATES
    ).count()


def _title(dispute_type: str) -> str:
    """A title without personal data (the case lists are read by grid workers): the type and "application"."""
    label = DisputeType(dispute_type).label
    return (_("%(type)s: application for mediation") % {"type": label})[:MAX_TITLE]


def _facts(facts: str, request_text: str) -> str:
    return f"{facts.strip()}\n\n{_('The applicant asks for:')}\n{request_text.strip()}"


def _notify(case: DisputeCase) -> None:
    from gridwork.notifications.services import notification_send

    recipients = application_managers(case.community)
    text = _("New application for mediation %(number)s (%(type)s) from a resident of %(community)s.") % {
        "number": case.number,
        "type": case.get_dispute_type_display(),
        "community": case.community.name,
    }
    url = reverse("mediation:case-detail", args=[case.pk])
    transaction.on_commit(lambda: notification_send(recipients=recipients, text=text, url=url))


def case_apply(
    *,
    resident_user: Any,
    community: Any,
    dispute_type: str,
    facts: str,
    request_text: str,
    other_party: PartyInput,
    applicant_name: str,
    applicant_phone: str,
    at: datetime | None = None,
) -> DisputeCase:
    """A resident applies for people's mediation of a dispute in ``community``: a case (source APPLICATION, registered
    by the resident's account, low risk until the community assesses it) with the resident as the applicant and
    ``other_party`` as the respondent, and its first event. The caller has taken the applicant's consent to
    mediation (the form's required box); the event records the wording. The community's dispute staff are notified
    after commit. ``ValidationError`` on the field at fault; at most ``MAX_OPEN_APPLICATIONS`` open at once."""
    if not is_resident(resident_user):
        raise PermissionDenied(_("Only a resident's own account may apply for mediation here."))
    errors = _application_errors(
        community=community,
        dispute_type=dispute_type,
        facts=facts,
        request_text=request_text,
        other_party=other_party,
        applicant_name=applicant_name,
        applicant_phone=applicant_phone,
    )
    if errors:
        raise ValidationError(errors)
    parties = [
        PartyInput(PartyRole.APPLICANT, applicant_name.strip(), phone=applicant_phone.strip()),
        PartyInput(
            PartyRole.RESPONDENT,
            other_party.name.strip(),
            phone=other_party.phone.strip(),
            address=other_party.address.strip(),
            is_organisation=other_party.is_organisation,
        ),
    ]
    at = at or timezone.now()
    year = timezone.localtime(at).year
    note = _("Applied for online by the party themselves, who consented to mediation.")
    data = {
        "source": CaseSource.APPLICATION,
        "place": community.code,
        "online": True,
        "consent": CONSENT_VERSION,
        "consented_at": at.isoformat(),
        "request": request_text.strip(),
    }
    for remaining in range(cases.RETRIES, 0, -1):
        try:
            with transaction.atomic():
                # One resident's applications one at a time: the limit cannot be passed by sending the form twice.
                User.objects.select_for_update().filter(pk=resident_user.pk).exists()
                if open_application_count(resident_user) >= MAX_OPEN_APPLICATIONS:
                    raise ValidationError(
                        {
                            NON_FIELD_ERRORS: [
                                _(
                                    "You already have %(count)d applications for mediation under way. Wait until "
                                    "one of them is concluded, or ask your community about them."
                                )
                                % {"count": MAX_OPEN_APPLICATIONS}
                            ]
                        }
                    )
                case = DisputeCase(
                    number=cases.case_next_number(year),
                    title=_title(dispute_type),
                    dispute_type=dispute_type,
                    risk=RiskLevel.LOW,
                    facts=_facts(facts, request_text),
                    place=community,
                    community=community,
                    location="",
                    source=CaseSource.APPLICATION,
                    registered_by=resident_user,
                    registered_at=at,
                )
                flow_start(case, flow=CASE_FLOW, actor=_applicant_actor(resident_user), note=note, data=data, at=at)
                CaseParty.objects.bulk_create(
                    CaseParty(
                        case=case,
                        role=item.role,
                        name=item.name,
                        phone=item.phone,
                        address=item.address,
                        is_organisation=item.is_organisation,
                        order=order,
                    )
                    for order, item in enumerate(parties)
                )
                _notify(case)
                return case
        except IntegrityError:
            if remaining == 1:
                raise
    raise AssertionError("unreachable")


# --- withdrawing ------------------------------------------------------------------------------------------------------

MAX_WITHDRAW_REASON = 1000


def _notify_withdrawn(case: DisputeCase) -> None:
    from gridwork.notifications.services import notification_send

    recipients = application_managers(case.community)
    text = _(
        "The applicant withdrew application for mediation %(number)s; the mediation is concluded as withdrawn."
    ) % {"number": case.number}
    url = reverse("mediation:case-detail", args=[case.pk])
    transaction.on_commit(lambda: notification_send(recipients=recipients, text=text, url=url))


def application_withdraw(*, resident_user: Any, case: DisputeCase, reason: str, expected_version: int) -> DisputeCase:
    """The applicant asks to end the mediation (People's Mediation Law, art. 23): their own application, while it is
    registered, assigned or mediating, is concluded as withdrawn (``withdraw`` in the table) with their reason, in a
    compare-and-set on its version; the event's actor is the resident's account under a neutral name. The
    community's dispute staff are told after commit, to close the case. ``PermissionDenied`` for anyone but the
    applicant; ``ValidationError`` on ``reason``; ``MoveRefused`` in another state; ``StaleState`` on a stale page."""
    if (
        not is_resident(resident_user)
        or case.source != CaseSource.APPLICATION
        or case.registered_by_id != resident_user.pk
    ):
        raise PermissionDenied(_("Only the applicant may withdraw their application."))
    if expected_version != case.version:
        raise StaleState
    target = case_target(case.state, CaseAction.WITHDRAW)  # MoveRefused once concluded, referred or closed
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Say why you withdraw: the community reads it before closing the case.")]})
    if len(reason) > MAX_WITHDRAW_REASON:
        raise ValidationError({"reason": [_("At most %(count)d characters.") % {"count": MAX_WITHDRAW_REASON}]})
    now = timezone.now()
    with transaction.atomic():
        flow_move(
            case,
            flow=single_move_flow(case.state, CaseAction.WITHDRAW, target),
            action=CaseAction.WITHDRAW,
            actor=_applicant_actor(resident_user),
            note=reason,
            data={"outcome": Outcome.WITHDRAWN, "by": "applicant"},
            changes={"outcome": Outcome.WITHDRAWN, "outcome_note": reason, "concluded_at": now},
            expected_version=expected_version,
            at=now,
        )
        _notify_withdrawn(case)
    return case


# --- reads: the resident's own applications ------------------------------------------------------------------------


def resident_applications(user: Any) -> QuerySet[DisputeCase]:
    """The cases the resident applied for themselves, newest first; nothing for anyone else."""
    if not is_resident(user):
        return DisputeCase.objects.none()
    return (
        DisputeCase.objects.filter(source=CaseSource.APPLICATION, registered_by_id=user.pk)
        .select_related("community__parent", "mediator")
        .order_by("-registered_at", "-id")
    )


def resident_application_get(user: Any, pk: int) -> DisputeCase:
    """One of the resident's own applications; ``Http404`` for any other case."""
    case = resident_applications(user).filter(pk=pk).first()
    if case is None:
        raise Http404
    return case


def resident_agreement(case: DisputeCase) -> Agreement | None:
    """The case's agreement when the mediation reached one and its PDF is written."""
    if case.outcome not in (Outcome.AGREEMENT, Outcome.PARTIAL):
        return None
    agreement = Agreement.objects.filter(case=case).first()
    return agreement if agreement is not None and agreement.pdf else None


def community_choices() -> QuerySet[Place]:
    """Every community, with its street, in the tree's order: a resident may apply about a dispute anywhere in the
    city (where it arose decides which committee mediates)."""
    return Place.objects.filter(level=PlaceLevel.COMMUNITY).select_related("parent").order_by("path")


def community_search(query: str) -> list[Place]:
    """Communities whose name or street's name has every word typed, or that hold a building (micro-grid) whose
    name or address has them — as the report page finds a building."""
    words = query.split()[:5]
    if not words:
        return []
    by_name = Q()
    by_building = Q()
    for word in words:
        by_name &= Q(name__icontains=word) | Q(parent__name__icontains=word)
        by_building &= Q(name__icontains=word) | Q(address__icontains=word) | Q(parent__name__icontains=word)
    found = {place.pk: place for place in community_choices().filter(by_name)[:SEARCH_RESULTS]}
    paths = {
        ancestor_paths(path, include_self=True)[COMMUNITY_DEPTH - 1]
        for path in Place.objects.filter(by_building, level=PlaceLevel.MICROGRID).values_list("path", flat=True)[:200]
        if len(ancestor_paths(path, include_self=True)) >= COMMUNITY_DEPTH
    }
    for place in community_choices().filter(path__in=paths)[:SEARCH_RESULTS]:
        found.setdefault(place.pk, place)
    return sorted(found.values(), key=lambda place: place.path)[:SEARCH_RESULTS]


def next_step(case: DisputeCase) -> str:
    """What happens next, in the applicant's words."""
    if case.state == CaseState.REGISTERED:
        return _(
            "The community's people's mediation committee has your application. It will contact you and the other "
            "party, and assign a mediator if the other party agrees to mediation."
        )
    if case.state == CaseState.ASSIGNED:
        return _("A mediator has taken your case and will contact you to arrange a mediation session.")
    if case.state == CaseState.MEDIATING:
        return _("The mediation is under way. The mediator will tell you of any further session.")
    if case.state == CaseState.REFERRED:
        return _("Your case was referred to another body that can decide it. It will contact you.")
    if case.outcome in (Outcome.AGREEMENT, Outcome.PARTIAL):
        return _(
            "An agreement was reached. Perform it as agreed; the community will check with you on the follow-up "
            "dates. Download your copy of the agreement below."
        )
    if case.outcome == Outcome.FAILED:
        return _(
            "No agreement was reached. You may still go to arbitration, an administrative body or a court; the "
            "community can tell you how."
        )
    if case.outcome == Outcome.WITHDRAWN:
        return _("The mediation ended at the applicant's request.")
    return _("The case is closed.")
