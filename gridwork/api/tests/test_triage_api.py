"""Smart triage through the API: a matter's likely duplicates, merging a duplicate into its original, and the
suggestion stored at filing on the matter's detail."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.utils import timezone

from gridwork.api.models import ApiIdempotencyKey
from gridwork.api.tests.conftest import ClientFor
from gridwork.matters.models import Category, Matter, MatterFollower
from gridwork.matters.services import matter_file, matter_transition
from gridwork.matters.tests.factories import TEXT, LoopStaff, file_in_building
from gridwork.matters.workflow import Action, ClosureReason, MatterKind, MatterState
from gridwork.places.tests.factories import CityTree

pytestmark = pytest.mark.django_db

MATTERS = "/api/v1/matters/"
LAMP = "小区东门路灯坏了好几天，晚上很黑"
LAMP_REWORDED = "东门那边的路灯不亮了，已经好几天"
# Another problem, at the same gate, in the same words of place and time.
BINS = "小区东门垃圾桶满了好几天没人清理，很臭"
HERE = (26.6050, 106.7050)  # inside the tree's first grid
SIBLING_POINT = (26.605, 106.725)  # inside the sibling community's grid
METRES_PER_DEGREE_LATITUDE = 111_320
DUPLICATE_PHONE = "13900001111"


@pytest.fixture(autouse=True)
def _isolated(settings: Any, tmp_path: Path) -> Iterator[None]:
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()
    yield
    cache.clear()


def _url(number: str, action: str = "") -> str:
    return f"{MATTERS}{number}/{action}/" if action else f"{MATTERS}{number}/"


def north_of(point: tuple[float, float], metres: float) -> tuple[float, float]:
    return point[0] + metres / METRES_PER_DEGREE_LATITUDE, point[1]


def file_at(point: tuple[float, float], text: str, *, days_ago: float = 0, **options: Any) -> Matter:
    options.setdefault("channel", "resident_web")
    options.setdefault("kind", MatterKind.PROFESSIONAL)
    receipt = matter_file(
        actor=None,
        text=text,
        latitude=point[0],
        longitude=point[1],
        now=timezone.now() - timedelta(days=days_ago),
        **options,
    )
    return Matter.objects.get(pk=receipt.matter_id)


def fresh(matter: Matter) -> Matter:
    return Matter.objects.get(pk=matter.pk)


def _pair(tree: CityTree) -> tuple[Matter, Matter]:
    """An original and its duplicate, filed without an account, with a name and phone."""
    original = file_at(HERE, LAMP, days_ago=2, reporter_name="王五", reporter_phone="13812345678")
    duplicate = file_at(north_of(HERE, 50), LAMP_REWORDED, reporter_name="赵六", reporter_phone=DUPLICATE_PHONE)
    return original, duplicate


# Likely duplicates


def test_similar_lists_a_reworded_report_50_m_away_and_not_another_problem(
    tree: CityTree, staff: LoopStaff, client_for: ClientFor
) -> None:
    original, duplicate = _pair(tree)
    bins = file_at(HERE, BINS)
    response = client_for(staff.dispatcher).get(_url(duplicate.number, "similar"))
    assert response.status_code == 200
    rows = response.json()
    assert [row["number"] for row in rows] == [original.number]
    [row] = rows
    assert row["distance_m"] == pytest.approx(50, abs=1)
    assert (row["place_match"], row["days_ago"], row["state"]) == ("distance", 2, MatterState.SUBMITTED)
    assert 0 < row["similarity"] <= 1
    assert "50" in row["reason"]
    assert str(round(row["similarity"] * 100)) in row["reason"]
    assert row["url"] == _url(original.number)
    assert set(row) == {
        "number",
        "title",
        "state",
        "category",
        "distance_m",
        "place_match",
        "days_ago",
        "similarity",
        "reason",
        "url",
    }
    content = response.content.decode()
    assert "13812345678" not in content
    assert "王五" not in content  # the title is shown (as on the staff page), the text and reporter are not
    # The other problem at the same gate finds neither lamp report.
    assert client_for(staff.dispatcher).get(_url(bins.number, "similar")).json() == []


def test_similar_keeps_to_the_callers_area_and_open_matters(
    tree: CityTree, staff: LoopStaff, client_for: ClientFor
) -> None:
    original, duplicate = _pair(tree)
    # The sibling community's staff see neither matter: 404, as for the detail.
    assert client_for(staff.other_community).get(_url(duplicate.number, "similar")).status_code == 404
    matter_transition(
        actor=staff.dispatcher,
        matter_id=original.pk,
        action=Action.DISCARD,
        data={"reason": ClosureReason.INVALID, "duplicate_of_id": None},
    )
    assert client_for(staff.dispatcher).get(_url(duplicate.number, "similar")).json() == []


# Merging


def test_merge_closes_the_duplicate_and_its_reporter_follows_the_original(
    tree: CityTree, staff: LoopStaff, client_for: ClientFor
) -> None:
    original, duplicate = _pair(tree)
    body = {"original": original.number, "note": "同一路灯", "version": duplicate.version}
    response = client_for(staff.dispatcher).post(_url(duplicate.number, "merge"), body, format="json")
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["number"] == duplicate.number
    assert (data["state"], data["closure_reason"], data["duplicate_of"]) == (
        MatterState.CLOSED,
        ClosureReason.DUPLICATE,
        original.number,
    )
    assert response["ETag"] == f'"{data["version"]}"'
    assert data["version"] == duplicate.version + 1
    merged = fresh(duplicate)
    assert (merged.state, merged.duplicate_of_id) == (MatterState.CLOSED, original.pk)
    [follower] = MatterFollower.objects.filter(matter=original)
    assert (follower.source_id, follower.reporter_phone, follower.merged_by) == (
        duplicate.pk,
        DUPLICATE_PHONE,
        staff.dispatcher,
    )
    assert follower.note == "同一路灯"
    assert fresh(original).version == original.version  # the original itself does not move


def test_merge_takes_if_match(tree: CityTree, staff: LoopStaff, client_for: ClientFor) -> None:
    original, duplicate = _pair(tree)
    client = client_for(staff.dispatcher)
    response = client.post(
        _url(duplicate.number, "merge"),
        {"original": original.number},
        format="json",
        HTTP_IF_MATCH=f'"{duplicate.version}"',
    )
    assert response.status_code == 200
    assert fresh(duplicate).duplicate_of_id == original.pk


def test_merge_into_a_duplicate_goes_to_its_original(tree: CityTree, staff: LoopStaff, client_for: ClientFor) -> None:
    original, duplicate = _pair(tree)
    third = file_at(north_of(HERE, 20), LAMP_REWORDED + "。")
    client = client_for(staff.dispatcher)
    assert client.post(_url(duplicate.number, "merge"), {"original": original.number}).status_code == 200
    response = client.post(_url(third.number, "merge"), {"original": duplicate.number}, format="json")
    assert response.status_code == 200
    assert response.json()["duplicate_of"] == original.number


def _refused(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    data: dict[str, Any] = response.json()
    assert set(data) == {"code", "message", "errors"}
    assert data["message"]
    return data


def _unchanged(*matters: Matter) -> None:
    for matter in matters:
        assert fresh(matter).version == matter.version
    assert not MatterFollower.objects.exists()


def test_merge_into_itself_is_409(tree: CityTree, staff: LoopStaff, client_for: ClientFor) -> None:
    _original, duplicate = _pair(tree)
    response = client_for(staff.dispatcher).post(
        _url(duplicate.number, "merge"), {"original": duplicate.number}, format="json"
    )
    assert _refused(response, 409)["code"] == "merge_self"
    _unchanged(duplicate)


def test_merge_into_a_closed_matter_is_409(tree: CityTree, staff: LoopStaff, client_for: ClientFor) -> None:
    original, duplicate = _pair(tree)
    matter_transition(
        actor=staff.dispatcher,
        matter_id=original.pk,
        action=Action.DISCARD,
        data={"reason": ClosureReason.INVALID, "duplicate_of_id": None},
    )
    original = fresh(original)
    response = client_for(staff.dispatcher).post(
        _url(duplicate.number, "merge"), {"original": original.number}, format="json"
    )
    assert _refused(response, 409)["code"] == "original_closed"
    _unchanged(original, duplicate)


@pytest.mark.parametrize("original", ["sibling", "unknown", "blank"])
def test_an_original_outside_the_area_or_unknown_is_400_naming_it(
    tree: CityTree, staff: LoopStaff, client_for: ClientFor, original: str
) -> None:
    _mine, duplicate = _pair(tree)
    elsewhere = file_at(SIBLING_POINT, LAMP)
    assert elsewhere.community == tree.community2
    number = {"sibling": elsewhere.number, "unknown": "GW1", "blank": ""}[original]
    # The community's staff may merge in their community; the sibling community's matters are not theirs.
    response = client_for(staff.community).post(_url(duplicate.number, "merge"), {"original": number}, format="json")
    data = _refused(response, 400)
    assert (data["code"], list(data["errors"])) == ("invalid", ["original"])
    _unchanged(duplicate, elsewhere)


def test_a_duplicate_outside_the_area_is_404(tree: CityTree, staff: LoopStaff, client_for: ClientFor) -> None:
    original, duplicate = _pair(tree)
    response = client_for(staff.other_community).post(
        _url(duplicate.number, "merge"), {"original": original.number}, format="json"
    )
    assert _refused(response, 404)["code"] == "not_found"
    _unchanged(original, duplicate)


def test_a_stale_version_is_409_and_a_stale_if_match_is_412(
    tree: CityTree, staff: LoopStaff, client_for: ClientFor
) -> None:
    original, duplicate = _pair(tree)
    client = client_for(staff.dispatcher)
    url = _url(duplicate.number, "merge")
    stale = client.post(url, {"original": original.number, "version": duplicate.version - 1}, format="json")
    assert _refused(stale, 409)["code"] == "conflict"
    precondition = client.post(url, {"original": original.number}, format="json", HTTP_IF_MATCH='"0"')
    assert _refused(precondition, 412)["code"] == "precondition_failed"
    garbled = client.post(url, {"original": original.number}, format="json", HTTP_IF_MATCH="yesterday")
    assert "If-Match" in _refused(garbled, 400)["errors"]
    _unchanged(original, duplicate)


def test_a_user_who_may_not_dispatch_the_duplicate_is_403(
    tree: CityTree, staff: LoopStaff, client_for: ClientFor
) -> None:
    original = Matter.objects.get(pk=file_in_building(tree, text=LAMP).matter_id)
    duplicate = Matter.objects.get(pk=file_in_building(tree, text=LAMP_REWORDED).matter_id)
    client = client_for(staff.grid_worker)
    assert client.get(_url(duplicate.number)).status_code == 200  # the grid worker sees it
    response = client.post(_url(duplicate.number, "merge"), {"original": original.number}, format="json")
    assert _refused(response, 403)["code"]
    _unchanged(original, duplicate)


def test_a_replay_with_the_same_key_gives_the_same_answer(
    tree: CityTree, staff: LoopStaff, client_for: ClientFor
) -> None:
    original, duplicate = _pair(tree)
    client = client_for(staff.dispatcher)
    url = _url(duplicate.number, "merge")
    body = {"original": original.number, "version": duplicate.version}
    first = client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="merge-1")
    again = client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="merge-1")
    assert first.status_code == again.status_code == 200
    assert again.json() == first.json()
    assert again["ETag"] == first["ETag"]
    assert again["Idempotent-Replayed"] == "true"
    assert not first.has_header("Idempotent-Replayed")
    assert MatterFollower.objects.count() == 1
    assert ApiIdempotencyKey.objects.filter(user=staff.dispatcher, key="merge-1").count() == 1
    # Without the key the same body is a stale version; with the key and another body, 422.
    assert _refused(client.post(url, body, format="json"), 409)["code"] == "conflict"
    other = client.post(url, {**body, "note": "另一说明"}, format="json", HTTP_IDEMPOTENCY_KEY="merge-1")
    assert _refused(other, 422)["code"] == "idempotency_conflict"


# The suggestion on the detail


def test_the_detail_shows_the_suggestion_stored_at_filing(
    tree: CityTree, staff: LoopStaff, client_for: ClientFor
) -> None:
    number = file_in_building(tree).number
    filed = Matter.objects.get(number=number)
    stored = filed.events.get(action=Action.FILE).data["suggestion"]
    assert stored["category_id"] is not None  # TEXT names a street lamp
    response = client_for(staff.dispatcher).get(_url(number))
    assert response.status_code == 200
    suggestion = response.json()["suggestion"]
    category = Category.objects.get(pk=stored["category_id"])
    assert suggestion["category"] == {"id": category.pk, "code": category.code, "name": category.name}
    assert suggestion["kind"] == stored["kind"]
    assert suggestion["confidence"] == pytest.approx(stored["confidence"])
    assert suggestion["reasons"] == stored["reasons"]
    assert suggestion["reasons"]
    assert suggestion["model_version"] == stored["model_version"]
    assert set(suggestion) == {"category", "kind", "unit", "confidence", "reasons", "model_version"}
    if stored["unit"] is not None:
        assert suggestion["unit"]["id"] in [pk for pk in stored["unit"] if pk is not None]


def test_the_filing_answer_has_the_suggestion_too(tree: CityTree, staff: LoopStaff, client_for: ClientFor) -> None:
    response = client_for(staff.dispatcher).post(MATTERS, {"text": TEXT, "building": tree.microgrid.code})
    assert response.status_code == 201
    assert response.json()["suggestion"]["reasons"]
