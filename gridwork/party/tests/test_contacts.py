"""The unit contacts' accounts: an account made for a unit's contact is made exactly as the first sign-in by code
makes one (``accounts.services.resident_account_create``, which both call), audited, and safe to retry."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from gridwork.accounts.models import User, UserKind
from gridwork.accounts.services import resident_account_create, resident_username
from gridwork.audit.models import AuditEvent
from gridwork.party.contacts import unit_contact_account_create
from gridwork.people.tests.factories import Staff, make_staff_of, make_unit
from gridwork.places.tests.factories import CityTree

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(tree: CityTree) -> Staff:
    return make_staff_of(tree)


def test_a_resident_account_is_made_as_the_first_sign_in_makes_it_and_audited(staff: Staff) -> None:
    made = resident_account_create(phone="13900001111", full_name="王联络", actor=staff.community)
    assert (made.username, made.kind, made.phone, made.full_name) == (
        resident_username("13900001111"),
        UserKind.RESIDENT,
        "13900001111",
        "王联络",
    )
    assert not made.has_usable_password()
    audit = AuditEvent.objects.get(action="resident_account.create", object_id=str(made.pk))
    assert audit.actor == staff.community
    assert audit.detail == {"phone": "139****1111"}
    # Signing in for the first time: the account is its own maker.
    itself = resident_account_create(phone="13900002222")
    assert AuditEvent.objects.get(action="resident_account.create", object_id=str(itself.pk)).actor == itself


def test_a_number_taken_meanwhile_leaves_the_caller_s_transaction_usable(staff: Staff) -> None:
    resident_account_create(phone="13900001111")
    with transaction.atomic():
        with pytest.raises(IntegrityError):
            resident_account_create(phone="13900001111")
        assert User.objects.filter(phone="13900001111").count() == 1  # the transaction goes on


def test_a_unit_contact_gets_the_account_made_by_the_helper(tree: CityTree, staff: Staff) -> None:
    unit = make_unit(tree.community)
    contact = unit_contact_account_create(actor=staff.community, unit=unit, phone="13900003333", full_name="赵经理")
    assert contact.user.username == resident_username("13900003333")
    assert AuditEvent.objects.filter(action="resident_account.create", object_id=str(contact.user.pk)).count() == 1
    again = make_unit(tree.community, "明川自来水公司")
    assert unit_contact_account_create(actor=staff.community, unit=again, phone="13900003333").user == contact.user
