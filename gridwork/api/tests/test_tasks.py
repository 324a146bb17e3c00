"""Idempotency keys are kept a week, then forgotten."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from gridwork.accounts.roles import Role
from gridwork.accounts.tests.factories import make_staff
from gridwork.api.models import ApiIdempotencyKey
from gridwork.api.tasks import IDEMPOTENCY_KEY_DAYS, prune_old_idempotency_keys
from gridwork.places.tests.factories import CityTree


@pytest.mark.django_db
def test_keys_older_than_a_week_are_pruned_and_newer_ones_kept(tree: CityTree) -> None:
    user = make_staff(role=Role.CITY_STAFF, place=tree.city, username="city")
    old, _fresh = (
        ApiIdempotencyKey.objects.create(user=user, key=key, endpoint="/", request_hash="h", status_code=201, body={})
        for key in ("old", "fresh")
    )
    ApiIdempotencyKey.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - timedelta(days=IDEMPOTENCY_KEY_DAYS, minutes=1)
    )
    assert prune_old_idempotency_keys.call() == {"removed": 1}
    assert list(ApiIdempotencyKey.objects.values_list("key", flat=True)) == ["fresh"]
