"""The demo accounts worth showing: the main ones and one example per level of unit."""

from __future__ import annotations

from dataclasses import dataclass

from gridwork.accounts.models import Post

MAIN_ACCOUNTS = ("admin", "auditor", "city", "dispatch")
EXAMPLE_ACCOUNTS = ("district01", "dispatch01", "street001", "community0001", "grid00001")
DEPARTMENT_HANDLER_PREFIX = "dept"


@dataclass(frozen=True)
class DemoLogin:
    username: str
    full_name: str
    role: str
    unit: str


def demo_logins() -> list[DemoLogin]:
    """The main demo accounts, one example per level and the first department handler, if they exist."""
    wanted = [*MAIN_ACCOUNTS, *EXAMPLE_ACCOUNTS]
    posts = {
        post.user.username: post
        for post in Post.objects.filter(user__username__in=wanted, is_active=True).select_related(
            "user", "place", "department"
        )
    }
    handler = (
        Post.objects.filter(user__username__startswith=DEPARTMENT_HANDLER_PREFIX, is_active=True)
        .select_related("user", "place", "department")
        .order_by("user__username")
        .first()
    )
    ordered = [posts[username] for username in wanted if username in posts]
    if handler is not None:
        ordered.append(handler)
    return [
        DemoLogin(
            username=post.user.username,
            full_name=post.user.full_name,
            role=str(post.get_role_display()),
            unit=post.department.name if post.department else post.place.name,
        )
        for post in ordered
    ]
