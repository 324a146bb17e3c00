from __future__ import annotations

import pytest
from django.db import transaction
from django.db.transaction import TransactionManagementError

from gridwork.common.locks import advisory_key
from gridwork.common.numbering import next_number
from gridwork.common.tests.test_locks import on_postgresql, other_connection_gets
from gridwork.places.models import Place, PlaceLevel


def make_place(code: str) -> Place:
    return Place.objects.create(code=code, name=code, level=PlaceLevel.CITY, path=f"/{code}/")


@pytest.mark.django_db
def test_a_new_series_starts_at_one_padded_to_its_width() -> None:
    assert next_number(Place, prefix="T-2026-", width=4, field="code") == "T-2026-0001"


@pytest.mark.django_db
def test_the_next_number_follows_the_series_highest_and_ignores_other_series() -> None:
    for code in ["T-2026-0003", "T-2026-0007", "T-2025-0099", "U-2026-0042"]:
        make_place(code)
    assert next_number(Place, prefix="T-2026-", width=4, field="code") == "T-2026-0008"
    assert next_number(Place, prefix="T2026", width=6, field="code") == "T2026000001"


@pytest.mark.django_db(transaction=True)
def test_numbering_outside_a_transaction_is_refused() -> None:
    with pytest.raises(TransactionManagementError):
        next_number(Place, prefix="T-2026-", width=4, field="code")


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_the_series_stays_locked_until_the_transaction_ends() -> None:
    key = advisory_key("number:places.Place.code:T-2026-")
    with transaction.atomic():
        next_number(Place, prefix="T-2026-", width=4, field="code")
        assert not other_connection_gets(key)
        assert other_connection_gets(advisory_key("number:places.Place.code:T-2027-"))
    assert other_connection_gets(key)
