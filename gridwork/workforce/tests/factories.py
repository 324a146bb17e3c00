"""Test data for the workforce: workers appointed through the service, a ladder from a preset."""

from __future__ import annotations

from datetime import date
from typing import Any

from gridwork.accounts.roles import Role
from gridwork.accounts.tests.factories import make_staff
from gridwork.places.models import Place
from gridwork.places.tests.factories import CityTree
from gridwork.workforce import services
from gridwork.workforce.models import Course, PayLadder, Post, Worker


def city_staff(tree: CityTree, username: str = "city") -> Any:
    return make_staff(role=Role.CITY_STAFF, place=tree.city, username=username)


def street_staff(tree: CityTree, username: str = "street") -> Any:
    return make_staff(role=Role.STREET_STAFF, place=tree.street, username=username)


def community_staff(tree: CityTree, username: str = "community", place: Place | None = None) -> Any:
    return make_staff(role=Role.COMMUNITY_STAFF, place=place or tree.community, username=username)


def make_ladder(tree: CityTree, actor: Any, key: str = "three_posts_18") -> PayLadder:
    return services.ladder_preset_install(actor=actor, key=key, place=tree.city)


def make_worker(
    actor: Any,
    community: Place,
    name: str = "王小梅",
    *,
    post: str = Post.WORKER,
    is_secretary: bool = False,
    ladder: PayLadder | None = None,
    grade: int | None = None,
    cert: str = "none",
    joined_on: date | None = date(2024, 1, 1),
    **details: Any,
) -> Worker:
    return services.worker_create(
        actor=actor,
        community=community,
        details=services.WorkerDetails(name=name, social_work_cert=cert, **details),
        post=post,
        is_secretary=is_secretary,
        ladder=ladder,
        grade=grade if ladder is not None else None,
        joined_on=joined_on,
    )


def make_course(actor: Any, place: Place, *, hours: str = "24", end: date = date(2026, 3, 5), **fields: Any) -> Course:
    from decimal import Decimal

    return services.course_create(
        actor=actor,
        place=place,
        fields=services.CourseFields(
            title=fields.get("title", "社区书记轮训班"),
            organiser=fields.get("organiser", "市委组织部"),
            start_date=fields.get("start", end),
            end_date=end,
            hours=Decimal(hours),
        ),
    )
