"""Staff change their password every GRIDWORK_PASSWORD_MAX_AGE_DAYS (等保), cannot take back one of their last five,
and are sent to the password-change page when it has expired or must be changed. Residents are never asked."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta
from importlib import import_module

import pytest
from django.apps import apps as django_apps
from django.contrib.auth.hashers import PBKDF2PasswordHasher, check_password
from django.core.management import call_command
from django.test import Client, override_settings
from django.utils import timezone

from gridwork.accounts import services
from gridwork.accounts.models import PasswordHistory, User, UserKind
from gridwork.accounts.passwords import PASSWORD_HISTORY_DEPTH, password_change_reason
from gridwork.accounts.roles import Role
from gridwork.accounts.tests.conftest import Staff
from gridwork.accounts.tests.factories import STAFF_PASSWORD, make_resident_with_password
from gridwork.audit.models import AuditEvent
from gridwork.places.tests.factories import CityTree

PASSWORD_PAGE = "/accounts/password/"
STAFF_HOME = "/staff/"
T0 = datetime(2026, 3, 1, 9, 0, tzinfo=timezone.get_fixed_timezone(480))
NEW_PASSWORDS = [f"Fresh-Pass-{n}-Gw2026" for n in range(PASSWORD_HISTORY_DEPTH + 1)]


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Callable[[timedelta], None]:
    """Set the time that timezone.now() answers (the project has no freezegun)."""
    now = {"at": T0}
    monkeypatch.setattr(timezone, "now", lambda: now["at"])

    def set_age(age: timedelta) -> None:
        now["at"] = T0 + age

    return set_age


def password_set_at_t0(user: User) -> User:
    User.objects.filter(pk=user.pk).update(password_changed_at=T0, must_change_password=False)
    user.refresh_from_db()
    return user


def signed_in(user: User) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def change(client: Client, old: str, new: str) -> object:
    return client.post(PASSWORD_PAGE, {"old_password": old, "new_password1": new, "new_password2": new})


# --- when the password expires ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_default_limit_is_ninety_days(settings: object) -> None:
    assert settings.GRIDWORK_PASSWORD_MAX_AGE_DAYS == 90  # type: ignore[attr-defined]


@pytest.mark.django_db
@pytest.mark.parametrize(("days", "expired"), [(89, False), (90, True), (91, True)])
def test_a_staff_password_lasts_ninety_days(
    staff: Staff, clock: Callable[[timedelta], None], days: int, expired: bool
) -> None:
    user = password_set_at_t0(staff.street)
    clock(timedelta(days=days))
    client = signed_in(user)  # after moving the clock: the session itself lasts 12 hours

    response = client.get(STAFF_HOME)

    if expired:
        assert response.status_code == 302
        assert response["Location"] == PASSWORD_PAGE
    else:
        assert response.status_code == 200


@pytest.mark.django_db
def test_one_second_before_ninety_days_the_password_is_still_valid(
    staff: Staff, clock: Callable[[timedelta], None]
) -> None:
    user = password_set_at_t0(staff.street)
    clock(timedelta(days=90) - timedelta(seconds=1))
    client = signed_in(user)

    assert client.get(STAFF_HOME).status_code == 200


@pytest.mark.django_db
@override_settings(GRIDWORK_PASSWORD_MAX_AGE_DAYS=0)
def test_zero_turns_the_limit_off(staff: Staff, clock: Callable[[timedelta], None]) -> None:
    user = password_set_at_t0(staff.street)
    clock(timedelta(days=1000))
    client = signed_in(user)

    assert client.get(STAFF_HOME).status_code == 200


@pytest.mark.django_db
@override_settings(GRIDWORK_PASSWORD_MAX_AGE_DAYS=30)
def test_the_limit_follows_the_setting(staff: Staff, clock: Callable[[timedelta], None]) -> None:
    user = password_set_at_t0(staff.street)
    clock(timedelta(days=31))
    client = signed_in(user)

    assert client.get(STAFF_HOME)["Location"] == PASSWORD_PAGE


@pytest.mark.django_db
def test_residents_are_never_asked(tree: CityTree, clock: Callable[[timedelta], None]) -> None:
    resident = make_resident_with_password(phone="13800000001")
    User.objects.filter(pk=resident.pk).update(password_changed_at=T0, must_change_password=True)
    resident.refresh_from_db()
    clock(timedelta(days=400))
    client = signed_in(resident)

    assert password_change_reason(resident) == ""
    assert client.get("/").status_code == 200


# --- what an expired or flagged user may still reach -----------------------------------------------------


@pytest.mark.django_db
def test_the_password_page_says_why(staff: Staff, clock: Callable[[timedelta], None]) -> None:
    user = password_set_at_t0(staff.street)
    clock(timedelta(days=91))
    client = signed_in(user)

    response = client.get(PASSWORD_PAGE, headers={"accept-language": "en"})

    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="password-change-required"' in html
    assert "older than 90 days" in html


@pytest.mark.django_db
def test_a_forced_change_sends_every_page_to_the_password_page_and_says_so(staff: Staff) -> None:
    User.objects.filter(pk=staff.street.pk).update(must_change_password=True)
    client = signed_in(staff.street)

    for path in (STAFF_HOME, "/staff/matters/", "/staff/accounts/", "/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"] == PASSWORD_PAGE
    html = client.get(PASSWORD_PAGE, headers={"accept-language": "en"}).content.decode()
    assert "asked for a new one" in html


@pytest.mark.django_db
def test_api_calls_with_the_session_get_403_json(staff: Staff) -> None:
    User.objects.filter(pk=staff.street.pk).update(must_change_password=True)
    client = signed_in(staff.street)

    response = client.get("/api/v1/matters/")

    assert response.status_code == 403
    assert response["Content-Type"].startswith("application/json")
    assert json.loads(response.content)["code"] == "password_change_required"


@pytest.mark.django_db
def test_sign_out_static_files_and_the_language_switch_stay_open(staff: Staff) -> None:
    User.objects.filter(pk=staff.street.pk).update(must_change_password=True)
    client = signed_in(staff.street)

    language = client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/password/"})
    assert language.status_code == 302
    assert language["Location"] == PASSWORD_PAGE  # where the switch itself sends back, not the middleware
    assert client.get("/static/css/does-not-exist.css").status_code == 404  # not redirected
    logout = client.post("/accounts/logout/")
    assert logout.status_code == 302
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_a_new_password_clears_the_flag_and_the_redirect(staff: Staff, clock: Callable[[timedelta], None]) -> None:
    user = password_set_at_t0(staff.street)
    User.objects.filter(pk=user.pk).update(must_change_password=True)
    clock(timedelta(days=120))
    client = signed_in(user)
    assert client.get(STAFF_HOME).status_code == 302

    response = change(client, STAFF_PASSWORD, NEW_PASSWORDS[0])

    assert response.status_code == 302
    assert response["Location"] == STAFF_HOME
    user.refresh_from_db()
    assert user.must_change_password is False
    assert user.password_changed_at == T0 + timedelta(days=120)
    assert client.get(STAFF_HOME).status_code == 200
    clock(timedelta(days=120 + 89))
    assert signed_in(user).get(STAFF_HOME).status_code == 200
    clock(timedelta(days=120 + 90))
    assert signed_in(user).get(STAFF_HOME)["Location"] == PASSWORD_PAGE


# --- reuse -----------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_current_password_cannot_be_chosen_again(staff: Staff) -> None:
    client = signed_in(staff.street)

    response = change(client, STAFF_PASSWORD, STAFF_PASSWORD)

    assert response.status_code == 200
    assert "You used this password recently" in str(response.context["form"].errors)
    staff.street.refresh_from_db()
    assert check_password(STAFF_PASSWORD, staff.street.password)


@pytest.mark.django_db
def test_none_of_the_last_five_passwords_can_be_chosen_again_but_the_sixth_can(staff: Staff) -> None:
    user = staff.street
    client = signed_in(user)
    current = STAFF_PASSWORD
    for new in NEW_PASSWORDS[:PASSWORD_HISTORY_DEPTH]:
        assert change(client, current, new).status_code == 302
        current = new

    for old in NEW_PASSWORDS[: PASSWORD_HISTORY_DEPTH - 1]:
        refused = change(client, current, old)
        assert refused.status_code == 200, old
        assert "You used this password recently" in str(refused.context["form"].errors)
    assert PasswordHistory.objects.filter(user=user).count() == PASSWORD_HISTORY_DEPTH
    # The first password is six changes back: allowed again.
    assert change(client, current, STAFF_PASSWORD).status_code == 302


@pytest.mark.django_db
def test_the_service_refuses_reuse_too(staff: Staff) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.user_password_change(user=staff.street, password=STAFF_PASSWORD)


# --- every way of setting a password starts its age -------------------------------------------------------


@pytest.mark.django_db
def test_set_password_records_the_time_and_the_history(staff: Staff, clock: Callable[[timedelta], None]) -> None:
    user = staff.street
    clock(timedelta(days=3))
    user.set_password(NEW_PASSWORDS[0])
    user.save()

    user.refresh_from_db()
    assert user.password_changed_at == T0 + timedelta(days=3)
    assert PasswordHistory.objects.filter(user=user).order_by("-created_at", "-id").first().password == user.password  # type: ignore[union-attr]


@pytest.mark.django_db
def test_createsuperuser_starts_the_clock(monkeypatch: pytest.MonkeyPatch, db: None) -> None:
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "Root-Pass-2026-xyz")
    call_command("createsuperuser", interactive=False, username="root", email="root@example.org", verbosity=0)

    root = User.objects.get(username="root")
    assert root.password_changed_at is not None
    assert PasswordHistory.objects.filter(user=root).exists()


@pytest.mark.django_db
def test_staff_created_with_an_initial_password_must_change_it(tree: CityTree, staff: Staff) -> None:
    with_password = services.staff_create(
        actor=staff.city,
        username="newbie",
        full_name="New Bie",
        phone="13900000001",
        role=Role.STREET_STAFF,
        place=tree.street,
        password="Initial-Pass-2026",
    )
    without = services.staff_create(
        actor=staff.city,
        username="newbie2",
        full_name="New Bie Two",
        phone="13900000002",
        role=Role.STREET_STAFF,
        place=tree.street,
    )

    assert with_password.must_change_password is True
    assert with_password.password_changed_at is not None
    assert without.must_change_password is False
    assert password_change_reason(without) == ""  # no usable password: nothing to change


class FastPBKDF2PasswordHasher(PBKDF2PasswordHasher):
    iterations = 1


@pytest.mark.django_db
def test_a_hash_upgrade_at_sign_in_is_not_a_change_of_password(staff: Staff) -> None:
    user = password_set_at_t0(staff.street)
    assert user.password.startswith("md5$")
    hashers = [f"{__name__}.FastPBKDF2PasswordHasher", "django.contrib.auth.hashers.MD5PasswordHasher"]

    with override_settings(PASSWORD_HASHERS=hashers):
        assert user.check_password(STAFF_PASSWORD)

    assert user.password.startswith("pbkdf2_sha256$")  # the hash was upgraded …
    assert user.password_changed_at == T0  # … and the password's age was not restarted


@pytest.mark.django_db
def test_a_password_written_without_set_password_starts_its_age_at_sign_in(
    staff: Staff, clock: Callable[[timedelta], None]
) -> None:
    User.objects.filter(pk=staff.street.pk).update(password_changed_at=None)
    clock(timedelta(days=5))

    response = Client().post("/accounts/login/", {"username": "street", "password": STAFF_PASSWORD})

    assert response.status_code == 302
    staff.street.refresh_from_db()
    assert staff.street.password_changed_at == T0 + timedelta(days=5)


@pytest.mark.django_db
def test_the_migration_starts_the_clock_of_existing_staff_with_a_password(tree: CityTree, staff: Staff) -> None:
    resident = make_resident_with_password(phone="13800000002")
    no_password = User.objects.create_user(username="nopass", password=None)
    User.objects.update(password_changed_at=None)
    migration = import_module("gridwork.accounts.migrations.0003_password_age_and_sessions")

    migration.start_password_clocks(django_apps, None)

    assert User.objects.get(pk=staff.street.pk).password_changed_at is not None
    assert User.objects.get(pk=no_password.pk).password_changed_at is None
    assert User.objects.get(pk=resident.pk).password_changed_at is None
    assert not AuditEvent.objects.filter(action="password.change").exists()
    assert User.objects.filter(kind=UserKind.STAFF, password_changed_at__isnull=True).count() == 1
