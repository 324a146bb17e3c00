"""A retried submission (same form token or Idempotency-Key) files one matter and gets the same receipt."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

from gridwork.matters import services
from gridwork.matters.models import DailySequence, IdempotencyRecord, Matter, MatterEvent, MatterPhoto
from gridwork.matters.photos import clean_photo
from gridwork.matters.services import FilingReceipt, Idempotency, IdempotencyConflict, request_fingerprint
from gridwork.matters.tests.factories import TEXT
from gridwork.places.tests.factories import CityTree

SUBMISSION: dict[str, Any] = {
    "text": TEXT,
    "building": "5201020010010010010",
    "reporter_name": "李四",
    "reporter_phone": "13812345678",
    "photos": ["sha256:0f1e2d"],
    "location": {"latitude": 26.605, "longitude": 106.705},
}


def _counts() -> tuple[Any, ...]:
    return (
        Matter.objects.count(),
        MatterEvent.objects.count(),
        IdempotencyRecord.objects.count(),
        MatterPhoto.objects.count(),
        list(DailySequence.objects.values_list("day", "last")),
    )


def _submit(
    tree: CityTree, key: str, submission: dict[str, Any], *, scope: str = "form", **options: Any
) -> FilingReceipt:
    return services.matter_file(
        actor=None,
        channel="resident_web",
        text=submission["text"],
        building=tree.microgrid,
        reporter_name=submission["reporter_name"],
        reporter_phone=submission["reporter_phone"],
        idempotency=Idempotency(scope=scope, key=key, request_hash=request_fingerprint(submission)),
        **options,
    )


def _receipt(receipt: FilingReceipt) -> tuple[int, str, str]:
    return (receipt.matter_id, receipt.number, receipt.tracking_code)


@pytest.fixture
def photo(settings: Any, tmp_path: Path) -> Any:
    settings.MEDIA_ROOT = tmp_path
    raw = io.BytesIO()
    Image.new("RGB", (32, 24), (200, 40, 40)).save(raw, format="JPEG")
    return clean_photo(io.BytesIO(raw.getvalue()), original_name="lamp.jpg")


@pytest.mark.django_db
def test_the_same_key_and_submission_gives_the_same_receipt_and_files_once(tree: CityTree, photo: Any) -> None:
    first = _submit(tree, "token-1", SUBMISSION, photos=[photo])
    after_first = _counts()
    assert after_first[:4] == (1, 1, 1, 1)
    retries = [_submit(tree, "token-1", SUBMISSION, photos=[photo]) for _ in range(3)]
    assert {_receipt(retry) for retry in retries} == {_receipt(first)}
    assert first.tracking_code  # an anonymous reporter's code comes back on the retry, or they could never follow it
    assert (first.replayed, [retry.replayed for retry in retries]) == (False, [True, True, True])
    assert _counts() == after_first  # no second matter, event, photo or number


@pytest.mark.django_db
def test_the_same_key_with_a_different_submission_conflicts_and_files_nothing(tree: CityTree) -> None:
    first = _submit(tree, "token-2", SUBMISSION)
    before = _counts()
    changed = {**SUBMISSION, "text": "楼道里的灯也坏了，晚上看不见台阶。"}
    with pytest.raises(IdempotencyConflict):
        _submit(tree, "token-2", changed)
    assert _counts() == before
    record = IdempotencyRecord.objects.get(key="token-2")
    assert (record.matter_id, record.request_hash) == (first.matter_id, request_fingerprint(SUBMISSION))
    assert Matter.objects.get().text == TEXT
    # The original submission, retried, still gets its receipt.
    assert _receipt(_submit(tree, "token-2", SUBMISSION)) == _receipt(first)


@pytest.mark.django_db
def test_the_same_key_in_different_scopes_is_independent(tree: CityTree) -> None:
    web = _submit(tree, "shared-key", SUBMISSION, scope="form")
    api = _submit(tree, "shared-key", SUBMISSION, scope="api:client-7")
    other = _submit(
        tree, "shared-key", {**SUBMISSION, "text": "小区门口的井盖松动了，车一过就响。"}, scope="api:client-8"
    )
    assert len({web.matter_id, api.matter_id, other.matter_id}) == 3
    assert len({web.number, api.number, other.number}) == 3
    assert not any(receipt.replayed for receipt in (web, api, other))
    assert _receipt(_submit(tree, "shared-key", SUBMISSION, scope="api:client-7")) == _receipt(api)
    assert (Matter.objects.count(), IdempotencyRecord.objects.count()) == (3, 3)


@pytest.mark.django_db
def test_a_refused_submission_does_not_use_up_its_key(tree: CityTree) -> None:
    too_short = {**SUBMISSION, "text": "灯坏"}
    before = _counts()
    with pytest.raises(ValidationError):
        _submit(tree, "token-3", too_short)
    assert _counts() == before
    corrected = _submit(tree, "token-3", SUBMISSION)  # the corrected form, same token: filed, not a conflict
    assert not corrected.replayed
    assert Matter.objects.count() == 1


# ---- the fingerprint ------------------------------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=4),
    max_leaves=12,
)


def _reordered(value: Any, rng: Any) -> Any:
    """The same value with every dict's keys in another order (lists keep theirs: their order means something)."""
    if isinstance(value, dict):
        keys = list(value)
        rng.shuffle(keys)
        return {key: _reordered(value[key], rng) for key in keys}
    if isinstance(value, list):
        return [_reordered(item, rng) for item in value]
    return value


@given(fields=st.dictionaries(st.text(max_size=8), json_values, max_size=6), rng=st.randoms(use_true_random=False))
def test_the_fingerprint_does_not_depend_on_key_order(fields: dict[str, Any], rng: Any) -> None:
    reordered = _reordered(fields, rng)
    assert reordered == fields
    assert request_fingerprint(reordered) == request_fingerprint(fields)
    assert request_fingerprint(json.loads(json.dumps(fields))) == request_fingerprint(fields)  # as parsed from a body


def test_the_fingerprint_of_a_submission_ignores_key_order_but_not_content() -> None:
    form_order = dict(SUBMISSION)
    api_order = {key: SUBMISSION[key] for key in reversed(SUBMISSION)}
    api_order["location"] = {"longitude": 106.705, "latitude": 26.605}
    assert list(api_order) != list(form_order)
    assert request_fingerprint(api_order) == request_fingerprint(form_order)
    assert len(request_fingerprint(form_order)) == 64
    different = [
        {**SUBMISSION, "text": TEXT + "。"},
        {**SUBMISSION, "reporter_phone": "13812345679"},
        {**SUBMISSION, "photos": []},
        {**SUBMISSION, "photos": ["sha256:0f1e2d", "sha256:0f1e2d"]},
        {**SUBMISSION, "location": {"latitude": 26.605, "longitude": 106.706}},
        {key: value for key, value in SUBMISSION.items() if key != "reporter_name"},
    ]
    prints = {request_fingerprint(fields) for fields in different}
    assert len(prints) == len(different)
    assert request_fingerprint(form_order) not in prints
