"""Residents sign in with their mobile number and a one-time code; the attacks on that are tested here."""

from __future__ import annotations

import re
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse
from django.utils import timezone, translation

from gridwork.accounts import services
from gridwork.accounts.models import PhoneCode, User, UserKind
from gridwork.accounts.sms import SmsMessage
from gridwork.accounts.tests.conftest import Staff
from gridwork.audit.models import AuditEvent

PHONE = "13912345678"
Capture = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]


@pytest.fixture
def send_code(django_capture_on_commit_callbacks: Capture, outbox: list[SmsMessage]) -> Callable[..., str]:
    """Ask for a code (committing, so that the text goes out) and read it from the outbox."""

    def send(phone: str = PHONE) -> str:
        with django_capture_on_commit_callbacks(execute=True):
            services.phone_code_request(phone=phone)
        match = re.search(r"\b(\d{6})\b", outbox[-1].message)
        assert match is not None
        return match.group(1)

    return send


def make_old(phone: str = PHONE, **age: float) -> None:
    """Move this phone's codes back in time (there is no clock to freeze)."""
    PhoneCode.objects.filter(phone=phone).update(created_at=timezone.now() - timedelta(**age))


# --- asking for a code -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_code_goes_out_only_after_commit(django_capture_on_commit_callbacks: Capture, outbox: list[Any]) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.phone_code_request(phone=PHONE)

    assert outbox == []
    assert len(callbacks) == 1
    callbacks[0]()
    assert [message.phone for message in outbox] == [PHONE]
    assert re.search(r"\b\d{6}\b", outbox[0].message)


@pytest.mark.django_db
def test_only_a_keyed_hash_of_the_code_is_stored(send_code: Callable[..., str]) -> None:
    code = send_code()

    row = PhoneCode.objects.get(phone=PHONE)
    assert code not in row.code_hash
    assert len(row.code_hash) == 64
    assert row.expires_at - row.created_at == pytest.approx(settings.PHONE_CODE_TTL, abs=timedelta(seconds=2))
    # The hash is keyed with SECRET_KEY: a copy of the table alone cannot be checked against 10⁶ guesses.
    with override_settings(SECRET_KEY="another-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"):
        assert services.phone_code_verify(phone=PHONE, code=code) is None


@pytest.mark.django_db
def test_codes_are_random(send_code: Callable[..., str]) -> None:
    codes = set()
    for index in range(5):
        codes.add(send_code(f"1390000000{index}"))

    assert len(codes) > 1


@pytest.mark.django_db
@pytest.mark.parametrize("phone", ["", "1391234567", "139123456789", "12912345678", "abcdefghijk", "+1 202 555 0100"])
def test_a_malformed_number_gets_no_code(phone: str, outbox: list[Any]) -> None:
    with pytest.raises(ValidationError) as exc:
        services.phone_code_request(phone=phone)

    assert list(exc.value.message_dict) == ["phone"]
    assert not PhoneCode.objects.exists()


@pytest.mark.django_db
def test_a_second_request_within_the_interval_is_refused(send_code: Callable[..., str]) -> None:
    send_code()

    with translation.override("en"), pytest.raises(ValidationError, match="seconds"):
        services.phone_code_request(phone=PHONE)
    assert PhoneCode.objects.count() == 1

    make_old(seconds=61)
    send_code()
    assert PhoneCode.objects.count() == 2


@pytest.mark.django_db
def test_at_most_five_codes_an_hour(send_code: Callable[..., str]) -> None:
    for _ in range(5):
        send_code()
        make_old(minutes=2)
    make_old(minutes=50)

    with translation.override("en"), pytest.raises(ValidationError, match="Too many codes"):
        services.phone_code_request(phone=PHONE)

    make_old(minutes=61)
    send_code()


@pytest.mark.django_db
def test_a_staff_number_gets_no_code_and_no_hint(staff: Staff, outbox: list[Any]) -> None:
    User.objects.filter(pk=staff.grid.pk).update(phone=PHONE)

    assert services.phone_code_request(phone=PHONE) is None

    assert not PhoneCode.objects.exists()
    assert outbox == []
    assert AuditEvent.objects.filter(action="login.phone_code_refused").count() == 1


# --- checking a code -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_right_code_creates_a_resident_on_first_sign_in(send_code: Callable[..., str]) -> None:
    code = send_code()

    user = services.phone_code_verify(phone=PHONE, code=code)

    assert user is not None
    assert (user.kind, user.username, user.phone) == (UserKind.RESIDENT, f"r{PHONE}", PHONE)
    assert not user.has_usable_password()
    assert AuditEvent.objects.filter(action="resident_account.create", object_id=str(user.pk)).count() == 1


@pytest.mark.django_db
def test_the_next_sign_in_finds_the_same_resident(send_code: Callable[..., str]) -> None:
    first = services.phone_code_verify(phone=PHONE, code=send_code())
    make_old(seconds=61)

    second = services.phone_code_verify(phone=PHONE, code=send_code())

    assert first is not None
    assert second is not None
    assert first.pk == second.pk
    assert User.objects.count() == 1


@pytest.mark.django_db
def test_a_used_code_cannot_be_used_again(send_code: Callable[..., str]) -> None:
    code = send_code()
    assert services.phone_code_verify(phone=PHONE, code=code) is not None

    assert services.phone_code_verify(phone=PHONE, code=code) is None


@pytest.mark.django_db
def test_an_expired_code_is_refused(send_code: Callable[..., str]) -> None:
    code = send_code()
    PhoneCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    assert services.phone_code_verify(phone=PHONE, code=code) is None
    assert not User.objects.exists()


@pytest.mark.django_db
def test_guessing_kills_the_code_after_the_allowed_tries(send_code: Callable[..., str]) -> None:
    code = send_code()
    wrong = [f"{(int(code) + offset) % 10**6:06d}" for offset in range(1, settings.PHONE_CODE_MAX_ATTEMPTS + 1)]

    for guess in wrong:
        assert services.phone_code_verify(phone=PHONE, code=guess) is None

    # The right code, after five wrong ones, no longer works.
    assert services.phone_code_verify(phone=PHONE, code=code) is None
    assert PhoneCode.objects.get().attempts == settings.PHONE_CODE_MAX_ATTEMPTS
    assert not User.objects.exists()


@pytest.mark.django_db
def test_a_brute_force_attack_gets_at_most_twenty_five_guesses_an_hour(send_code: Callable[..., str]) -> None:
    tries = 0
    for _ in range(10):
        try:
            code = send_code()
        except ValidationError:
            continue
        for guess in range(10**6):
            candidate = f"{guess:06d}"
            if candidate == code:
                continue
            tries += 1
            services.phone_code_verify(phone=PHONE, code=candidate)
            if PhoneCode.objects.filter(phone=PHONE, attempts__lt=settings.PHONE_CODE_MAX_ATTEMPTS).count() == 0:
                break
        make_old(minutes=2)

    assert tries == 5 * settings.PHONE_CODE_MAX_ATTEMPTS
    assert PhoneCode.objects.filter(phone=PHONE).count() == 5


@pytest.mark.django_db
def test_only_the_newest_code_works(send_code: Callable[..., str]) -> None:
    first = send_code()
    make_old(seconds=61)
    second = send_code()

    if first != second:
        assert services.phone_code_verify(phone=PHONE, code=first) is None
    assert services.phone_code_verify(phone=PHONE, code=second) is not None


@pytest.mark.django_db
@pytest.mark.parametrize("code", ["", "12345", "1234567", "abcdef", " 12345", "１２３４５６"])
def test_a_malformed_code_is_refused_and_counts_as_a_try(send_code: Callable[..., str], code: str) -> None:
    send_code()

    assert services.phone_code_verify(phone=PHONE, code=code) is None
    assert PhoneCode.objects.get().attempts == 1


@pytest.mark.django_db
def test_a_code_for_another_number_is_refused(send_code: Callable[..., str]) -> None:
    code = send_code()

    assert services.phone_code_verify(phone="13900000000", code=code) is None
    assert services.phone_code_verify(phone="not-a-phone", code=code) is None


@pytest.mark.django_db
def test_a_staff_account_cannot_be_entered_by_code(send_code: Callable[..., str], staff: Staff) -> None:
    code = send_code()
    User.objects.filter(pk=staff.grid.pk).update(phone=PHONE)

    assert services.phone_code_verify(phone=PHONE, code=code) is None


@pytest.mark.django_db
def test_a_deactivated_resident_cannot_sign_in(send_code: Callable[..., str]) -> None:
    user = services.phone_code_verify(phone=PHONE, code=send_code())
    assert user is not None
    make_old(seconds=61)
    code = send_code()
    User.objects.filter(pk=user.pk).update(is_active=False)

    assert services.phone_code_verify(phone=PHONE, code=code) is None
    make_old(seconds=61)
    assert services.phone_code_request(phone=PHONE) is None


@pytest.mark.django_db
def test_the_backend_keeps_its_contract(send_code: Callable[..., str]) -> None:
    code = send_code()
    request = RequestFactory().post("/accounts/phone/code/")

    assert authenticate(request, phone=PHONE, code="000000" if code != "000000" else "111111") is None
    user = authenticate(request, phone=PHONE, code=code)

    assert user is not None
    assert user.backend == "gridwork.accounts.backends.PhoneCodeBackend"


# --- the pages -------------------------------------------------------------------------------------------


def code_from(outbox: list[SmsMessage]) -> str:
    match = re.search(r"\b(\d{6})\b", outbox[-1].message)
    assert match is not None
    return match.group(1)


@pytest.mark.django_db
def test_a_resident_signs_in_through_the_pages(
    client: Client, django_capture_on_commit_callbacks: Capture, outbox: list[SmsMessage]
) -> None:
    page = client.get(reverse("accounts:phone"))
    assert page.status_code == 200
    assert 'inputmode="tel"' in page.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:phone"), {"phone": "139 1234 5678"})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:phone-verify")
    assert [message.phone for message in outbox] == [PHONE]

    page = client.get(reverse("accounts:phone-verify"))
    assert "139****5678" in page.content.decode()
    assert PHONE not in page.content.decode()

    response = client.post(reverse("accounts:phone-verify"), {"code": code_from(outbox)})

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    user = User.objects.get(phone=PHONE)
    assert client.session["_auth_user_id"] == str(user.pk)
    assert AuditEvent.objects.filter(action="login.success", actor=user).count() == 1


@pytest.mark.django_db
def test_signing_in_by_code_gives_a_new_session_id(
    client: Client, django_capture_on_commit_callbacks: Capture, outbox: list[SmsMessage]
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:phone"), {"phone": PHONE})
    before = client.session.session_key

    client.post(reverse("accounts:phone-verify"), {"code": code_from(outbox)})

    assert client.session.session_key != before


@pytest.mark.django_db
def test_a_wrong_code_on_the_page_is_refused_and_audited(
    client: Client, django_capture_on_commit_callbacks: Capture, outbox: list[SmsMessage]
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:phone"), {"phone": PHONE})
    code = code_from(outbox)
    wrong = "000000" if code != "000000" else "111111"

    response = client.post(reverse("accounts:phone-verify"), {"code": wrong})

    assert response.status_code == 200
    assert 'data-testid="error-code"' in response.content.decode()
    assert "_auth_user_id" not in client.session
    event = AuditEvent.objects.get(action="login.failed")
    assert event.detail == {"method": "phone", "phone": "139****5678"}
    assert wrong not in str(event.detail)


@pytest.mark.django_db
def test_the_phone_page_shows_a_malformed_number_and_the_resend_limit(
    client: Client, django_capture_on_commit_callbacks: Capture
) -> None:
    response = client.post(reverse("accounts:phone"), {"phone": "12345"})
    assert response.status_code == 200
    assert 'data-testid="error-phone"' in response.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:phone"), {"phone": PHONE})
    response = client.post(reverse("accounts:phone"), {"phone": PHONE})
    assert response.status_code == 200
    assert 'data-testid="error-phone"' in response.content.decode()
    assert PhoneCode.objects.count() == 1


@pytest.mark.django_db
def test_a_staff_number_on_the_phone_page_looks_like_any_other(
    client: Client, staff: Staff, django_capture_on_commit_callbacks: Capture, outbox: list[SmsMessage]
) -> None:
    User.objects.filter(pk=staff.grid.pk).update(phone=PHONE)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:phone"), {"phone": PHONE})

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:phone-verify")
    assert outbox == []


@pytest.mark.django_db
def test_the_code_page_needs_a_number_first(client: Client) -> None:
    response = client.get(reverse("accounts:phone-verify"))

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:phone")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("asked", "landing"),
    [
        ("/member/register/", "/member/register/"),  # a page of this site: back there
        ("https://evil.example/steal", "/"),  # elsewhere: the resident's home, not an open redirect
        ("//evil.example/", "/"),
    ],
)
def test_a_resident_sent_to_sign_in_goes_back_to_the_page_they_came_from_on_this_site_only(
    client: Client, django_capture_on_commit_callbacks: Capture, outbox: list[SmsMessage], asked: str, landing: str
) -> None:
    staff_page = client.get(reverse("accounts:login"), {"next": asked}).content.decode()
    if landing == asked:
        assert f"{reverse('accounts:phone')}?next=%2Fmember%2Fregister%2F" in staff_page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"{reverse('accounts:phone')}?next={asked}", {"phone": PHONE})
    response = client.post(reverse("accounts:phone-verify"), {"code": code_from(outbox)})
    assert response.status_code == 302
    assert response["Location"] == landing
