"""The demo accounts worth showing: the main ones and one example per level of unit, and the two demo people who
sign in by phone (a party member and a resident unit's contact, made by ``demo_volunteering``)."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext as _

from gridwork.accounts.models import Post, User
from gridwork.demo.volunteering import DEMO_MEMBER_PHONE, DEMO_UNIT_CONTACT_PHONE
from gridwork.party.models import UnitContact
from gridwork.party.selectors import member_registration_of

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


@dataclass(frozen=True)
class DemoPhoneLogin:
    """A demo person who signs in with their phone and a one-time code, and the page to open."""

    role: str
    phone: str
    full_name: str
    unit: str
    url: str


def _phone_sign_in(home: str) -> str:
    return f"{reverse('accounts:phone')}?next={home}"


def demo_phone_logins() -> list[DemoPhoneLogin]:
    """The demo party member (with a confirmed registration) and the demo unit contact, if they exist."""
    logins: list[DemoPhoneLogin] = []
    member = User.objects.filter(phone=DEMO_MEMBER_PHONE, is_active=True).first()
    registration = member_registration_of(member) if member is not None else None
    if member is not None and registration is not None:
        logins.append(
            DemoPhoneLogin(
                role=_("Party member"),
                phone=DEMO_MEMBER_PHONE,
                full_name=registration.name,
                unit=registration.community.name,
                url=_phone_sign_in(reverse("member:home")),
            )
        )
    contacts = list(
        UnitContact.objects.filter(user__phone=DEMO_UNIT_CONTACT_PHONE, user__is_active=True)
        .select_related("user", "unit")
        .order_by("unit__name")
    )
    if contacts:
        logins.append(
            DemoPhoneLogin(
                role=_("Unit contact"),
                phone=DEMO_UNIT_CONTACT_PHONE,
                full_name=contacts[0].user.full_name,
                unit="、".join(contact.unit.name for contact in contacts),
                url=_phone_sign_in(reverse("unit:home")),
            )
        )
    return logins
