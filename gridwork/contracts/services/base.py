"""Who is who to a contract, the rules of what is typed, notifications, and the helpers the steps share."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gridwork.accounts.models import User
from gridwork.accounts.roles import Perm
from gridwork.accounts.selectors import users_holding
from gridwork.cobuild.categories import ServiceField
from gridwork.common.calendar import years_later
from gridwork.common.flows import StaleState
from gridwork.common.numbering import next_number
from gridwork.common.scope import holds_over
from gridwork.contracts.flows import CONTRACT_FLOW
from gridwork.contracts.models import (
    Clause,
    ClauseMenu,
    Contract,
    ContractParty,
)
from gridwork.notifications.services import notification_send
from gridwork.party.models import PartyOrganisation, PartyOrgKind, UnitContact
from gridwork.people.models import Resident, ResidentUnit
from gridwork.places.models import Place

MAX_TITLE = 80
MAX_CONTENT = 500
MAX_MEASURE = 200
MAX_NOTE = 1000
MAX_REASON = 500
MAX_COMMENT = 500
MAX_RATING_COMMENT = 200
MAX_EVIDENCE = 5
MAX_TERM_YEARS = 5  # a contract's term: at most five calendar years, both ends included
WARN_DAYS = 30  # the expiry warning goes out this many days before the term ends
RETRIES = 5

T = TypeVar("T")


# --- who is who to a contract -----------------------------------------------------------------------------------------


def _signed_in(actor: Any) -> None:
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise PermissionDenied(_("Sign in first."))


_holds = holds_over  # the name the negotiation services import; the rule is common.scope.holds_over


def contract_managed_by(*, user: Any, contract: Contract) -> bool:
    """Whether ``user`` acts for the community: MANAGE_PARTY over the contract's community."""
    return holds_over(user, Perm.MANAGE_PARTY, contract.community)


def contract_spoken_for_by(*, user: Any, contract: Contract) -> bool:
    """Whether ``user`` acts for the unit: a contact (``UnitContact``) of the contract's unit."""
    if not getattr(user, "is_authenticated", False):
        return False
    return UnitContact.objects.filter(unit_id=contract.unit_id, user_id=user.pk).exists()


def contract_personal_data_visible(*, user: Any, contract: Contract) -> bool:
    """Whether ``user`` sees the unit's contacts' names unmasked (VIEW_PERSONAL_DATA over the community)."""
    return holds_over(user, Perm.VIEW_PERSONAL_DATA, contract.community)


def acts_for(*, user: Any, contract: Contract, side: str) -> bool:
    if side == ContractParty.COMMUNITY:
        return contract_managed_by(user=user, contract=contract)
    if side == ContractParty.UNIT:
        return contract_spoken_for_by(user=user, contract=contract)
    return False


def _require_side(actor: Any, contract: Contract, side: str) -> None:
    _signed_in(actor)
    if not acts_for(user=actor, contract=contract, side=side):
        if side == ContractParty.UNIT:
            raise PermissionDenied(_("Only a contact of %(unit)s may do this.") % {"unit": contract.unit.name})
        raise PermissionDenied(
            _("Only the staff of %(community)s may do this.") % {"community": contract.community.name}
        )


def unit_may_contract_with(unit: ResidentUnit, community: Place) -> bool:
    """A unit signs with the community where it sits, or with a community of the street where it sits."""
    return unit.place_id == community.pk or (community.parent_id is not None and unit.place_id == community.parent_id)


def resident_of(*, user: Any, community: Place) -> bool:
    """Whether ``user`` is a resident (``people.Resident`` linked to the account) of a household in ``community``."""
    if not getattr(user, "is_authenticated", False):
        return False
    return Resident.objects.filter(user_id=user.pk, household__path__startswith=community.path).exists()


def _fresh(contract: Contract | int) -> Contract:
    pk = contract.pk if isinstance(contract, Contract) else contract
    return Contract.objects.select_related("community", "unit").get(pk=pk)


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


def _retrying(attempt: Callable[[], T]) -> T:
    """Run ``attempt`` (one transaction) again when the contract moved under it; the last ``StaleState`` is raised."""
    for remaining in range(RETRIES, 0, -1):
        try:
            return attempt()
        except StaleState:
            if remaining == 1:
                raise
    raise AssertionError("unreachable")


def _can(contract: Contract, action: str) -> None:
    """Refuse (``MoveRefused``) at once a move the table does not allow from the contract's state, before checking
    what was typed for it."""
    CONTRACT_FLOW.target(contract.state, action)


def _refuse(message: str) -> ValidationError:
    return ValidationError({NON_FIELD_ERRORS: [message]})


# --- notifications ----------------------------------------------------------------------------------------------------


def community_staff(contract: Contract) -> list[User]:
    """Active staff with a post at the contract's community that grants MANAGE_PARTY."""
    return users_holding(Perm.MANAGE_PARTY, place_id=contract.community_id)


def unit_contacts(contract: Contract) -> list[User]:
    return list(User.objects.filter(unit_contacts__unit_id=contract.unit_id, is_active=True).distinct())


def _notify(contract: Contract, *, text: str, community: bool, unit: bool, actor: Any = None) -> None:
    """After commit: the community's staff and/or the unit's contacts are told, each with the link of their side."""
    actor_pk = getattr(actor, "pk", None)

    def send() -> None:
        if community:
            staff = [user for user in community_staff(contract) if user.pk != actor_pk]
            notification_send(recipients=staff, text=text, url=reverse("contracts:detail", args=[contract.pk]))
        if unit:
            contacts = [user for user in unit_contacts(contract) if user.pk != actor_pk]
            notification_send(recipients=contacts, text=text, url=reverse("unit_contracts:detail", args=[contract.pk]))

    transaction.on_commit(send)


# --- rules ------------------------------------------------------------------------------------------------------------


def _text(value: str, *, field: str, required: str | None, limit: int, errors: dict[str, str]) -> str:
    value = value.strip()
    if required and not value:
        errors[field] = required
    elif len(value) > limit:
        errors[field] = _("Keep it within %(max)d characters.") % {"max": limit}
    return value


def terms_errors(*, title: str, term_start: date | None, term_end: date | None) -> dict[str, str]:
    """What is wrong with a contract's title and term, field by field (the term may stay open while negotiating)."""
    errors: dict[str, str] = {}
    _text(title, field="title", required=_("Give the contract a title."), limit=MAX_TITLE, errors=errors)
    if term_start is None and term_end is not None:
        errors["term_start"] = _("Give the first day of the term too.")
    elif term_end is None and term_start is not None:
        errors["term_end"] = _("Give the last day of the term too.")
    elif term_start is not None and term_end is not None:
        if term_end < term_start:
            errors["term_end"] = _("The term cannot end before it starts.")
        elif term_end >= years_later(term_start, MAX_TERM_YEARS):
            errors["term_end"] = _("A contract runs for at most five years.")
    return errors


@dataclass(frozen=True)
class ClauseValues:
    """What a clause says: from which menu, who does it, what, by when, how it is measured, in which field."""

    menu: str
    done_by: str
    content: str
    due_on: date | None
    measure: str
    field: str

    def cleaned(self) -> ClauseValues:
        return ClauseValues(
            menu=self.menu,
            done_by=self.done_by,
            content=self.content.strip(),
            due_on=self.due_on,
            measure=self.measure.strip(),
            field=self.field,
        )

    def summary(self) -> dict[str, Any]:
        return {
            "menu": self.menu,
            "done_by": self.done_by,
            "content": self.content[:100],
            "due_on": self.due_on.isoformat() if self.due_on else "",
            "field": self.field,
        }


def clause_errors(values: ClauseValues, *, contract: Contract) -> dict[str, str]:
    errors: dict[str, str] = {}
    if values.menu not in ClauseMenu.values:
        errors["menu"] = _("Choose one of the four menus: service, resource, responsibility or special project.")
    if values.done_by not in ContractParty.values:
        errors["done_by"] = _("Say which party does it: the community or the unit.")
    _text(values.content, field="content", required=_("Say what is to be done."), limit=MAX_CONTENT, errors=errors)
    _text(
        values.measure,
        field="measure",
        required=_("Say how it is measured, e.g. “4 sessions, 30 residents each”."),
        limit=MAX_MEASURE,
        errors=errors,
    )
    if values.field not in ServiceField.values:
        errors["field"] = _("Choose the field of work.")
    if values.due_on is None:
        errors["due_on"] = _("Give the date by which it is to be done.")
    elif (
        contract.term_start is not None
        and contract.term_end is not None
        and not contract.term_start <= values.due_on <= contract.term_end
    ):
        errors["due_on"] = _("The due date must lie within the term, %(start)s to %(end)s.") % {
            "start": contract.term_start.isoformat(),
            "end": contract.term_end.isoformat(),
        }
    return errors


def _next_number(year: int) -> str:
    """GJYYYYNNNN (``next_number``)."""
    return next_number(Contract, prefix=f"GJ{year}", width=4)


def _community_organisation(community: Place) -> PartyOrganisation | None:
    """The community's party organisation: its 大党委, or else the first organisation serving the community."""
    organisations = PartyOrganisation.objects.filter(place=community)
    return (
        organisations.filter(kind=PartyOrgKind.COMMUNITY_COMMITTEE).order_by("code").first()
        or organisations.order_by("code").first()
    )


def _clause_of(contract: Contract, clause: Clause | int) -> Clause:
    pk = clause.pk if isinstance(clause, Clause) else clause
    found = Clause.objects.filter(contract=contract, pk=pk).first()
    if found is None:
        raise PermissionDenied(_("This clause is not part of the contract."))
    return found
