"""Test data for accounts: staff with a post, and residents."""

from __future__ import annotations

from gridwork.accounts.models import Post, User, UserKind
from gridwork.places.models import Department, Place

STAFF_PASSWORD = "Gw-test-Pass-2026"


def make_staff(
    *,
    role: str,
    place: Place,
    username: str,
    department: Department | None = None,
    password: str = STAFF_PASSWORD,
    full_name: str = "",
) -> User:
    user = User.objects.create_user(username=username, password=password, full_name=full_name or username)
    Post.objects.create(user=user, role=role, place=place, department=department)
    return user


def make_resident_user(*, phone: str, full_name: str = "") -> User:
    user = User.objects.create_user(
        username=f"r{phone}", password=None, kind=UserKind.RESIDENT, phone=phone, full_name=full_name
    )
    return user


def make_resident_with_password(*, phone: str, password: str = STAFF_PASSWORD) -> User:
    """A resident who (unusually) has a password, to check where residents land after a password sign-in."""
    return User.objects.create_user(username=f"r{phone}", password=password, kind=UserKind.RESIDENT, phone=phone)
