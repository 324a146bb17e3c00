"""The demo's season of party members' and volunteers' work: every state is there, every object is what its events
say, every points balance is the sum of its ledger, the two demo people sign in by phone, the same seed gives the
same season, and ``--if-empty`` adds nothing."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from datetime import UTC, datetime, timedelta
from decimal import ROUND_DOWN
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Sum
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from gridwork.accounts.models import User, UserKind
from gridwork.accounts.sms import MemorySmsBackend
from gridwork.audit.models import AuditEvent
from gridwork.care.models import HouseholdInDifficulty, Need, Pairing, Visit, VisitorRole
from gridwork.common.flows import Flow, FlowSubject
from gridwork.demo.build import demo_city_build
from gridwork.demo.plan import SCALES
from gridwork.demo.volunteering import (
    DEMO_MEMBER_PHONE,
    DEMO_UNIT_CONTACT_PHONE,
    SEASON_DAYS,
    demo_volunteering_build,
    demo_volunteering_counts,
)
from gridwork.party.flows import REGISTRATION_FLOW, UNIT_REGISTRATION_FLOW
from gridwork.party.models import (
    MemberEvaluation,
    MemberRegistration,
    RegistrationEvent,
    RegistrationState,
    UnitRegistration,
)
from gridwork.party.selectors import member_registration_of, unit_member_list
from gridwork.places import locating
from gridwork.points.flows import EXCHANGE_FLOW
from gridwork.points.models import EntryKind, Exchange, ExchangeState, PointAccount, PointEntry, PointRule
from gridwork.volunteers.flows import ORDER_FLOW
from gridwork.volunteers.models import OrderEvent, OrderState, ServiceOrder
from gridwork.wishes.flows import WISH_FLOW
from gridwork.wishes.models import Wish, WishEvent, WishState
from gridwork.wishes.selectors import stale_cutoff

Capture = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]
UNTIL = datetime(2026, 11, 21, 4, 0, tzinfo=UTC)


@pytest.fixture(scope="class")
def season_output(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """The small demo city and its season, made once for the class by the command, in a transaction rolled back at
    the class's end (each test runs in a savepoint inside it)."""
    media: Path = tmp_path_factory.mktemp("media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media):
        locating.drop_grid_index()
        with transaction.atomic():
            demo_city_build(scale=SCALES["small"])
            output = StringIO()
            call_command("demo_volunteering", allow_without_debug=True, stdout=output)
            yield output.getvalue()
            transaction.set_rollback(True)
        locating.drop_grid_index()


def flow_problems(subject: FlowSubject, flow: Flow) -> list[str]:
    """What is wrong with ``subject``'s events against ``flow``'s table: each move allowed from the state before it,
    the last one landing in the subject's state, the version counting them, and time never going back."""
    events = list(subject.events.order_by("sequence"))  # type: ignore[attr-defined]
    name = f"{type(subject).__name__} {subject.pk}"
    problems = []
    if [e.sequence for e in events] != list(range(1, len(events) + 1)):
        problems.append(f"{name}: sequences {[e.sequence for e in events]}")
    if not events or (events[0].action, events[0].from_state, events[0].to_state) != ("create", "", flow.initial):
        problems.append(f"{name}: does not start with create")
    for before, event in itertools.pairwise(events):
        if event.from_state != before.to_state:
            problems.append(f"{name}#{event.sequence}: from {event.from_state}, was {before.to_state}")
        elif flow.target(event.from_state, event.action) != event.to_state:
            problems.append(f"{name}#{event.sequence}: {event.action} does not lead to {event.to_state}")
        if event.at < before.at:
            problems.append(f"{name}#{event.sequence}: before the event it follows")
    if events and (events[-1].to_state != subject.state or subject.version != len(events)):  # type: ignore[attr-defined]
        problems.append(f"{name}: state or version differs from its events")
    return problems


def sign_in_by_phone(client: Client, capture: Capture, phone: str, home: str) -> None:
    MemorySmsBackend.outbox.clear()
    with capture(execute=True):
        response = client.post(f"{reverse('accounts:phone')}?next={home}", {"phone": phone})
    assert response.status_code == 302
    code = re.search(r"\b(\d{6})\b", MemorySmsBackend.outbox[-1].message)
    assert code is not None
    response = client.post(reverse("accounts:phone-verify"), {"code": code.group(1)})
    assert response.status_code == 302
    assert response["Location"] == home


@pytest.mark.django_db
@pytest.mark.usefixtures("season_output")
class TestTheSeason:
    def test_every_state_of_every_workflow_is_there(self) -> None:
        def states(model: Any) -> set[str]:
            return set(model.objects.values_list("state", flat=True))

        assert states(MemberRegistration) == set(RegistrationState.values)
        assert states(UnitRegistration) == {"confirmed", "pending", "rejected"}
        assert states(Wish) == set(WishState.values)
        assert states(ServiceOrder) == set(OrderState.values)
        assert states(Exchange) == {ExchangeState.APPROVED, ExchangeState.REJECTED, ExchangeState.REQUESTED}
        assert Wish.objects.filter(state=WishState.CONFIRMED, claimant_unit__isnull=False).exists()
        assert Wish.objects.filter(state=WishState.PUBLISHED, published_at__lt=stale_cutoff()).exists(), "stale"
        assert Wish.objects.filter(state=WishState.PUBLISHED, published_at__gte=stale_cutoff()).exists(), "fresh"
        assert Wish.objects.filter(events__action="release", state=WishState.PUBLISHED).exists()
        assert ServiceOrder.objects.filter(events__action="give_back", state=OrderState.RATED).exists()
        assert PointRule.objects.count() == 3
        assert MemberEvaluation.objects.filter(sent_at__isnull=False).exists()
        assert MemberEvaluation.objects.filter(sent_at__isnull=True).exists()
        assert HouseholdInDifficulty.objects.count() >= 8
        assert Pairing.objects.filter(leader__isnull=False).exists()
        assert {VisitorRole.MEMBER, VisitorRole.STAFF} <= set(Visit.objects.values_list("visitor_role", flat=True))
        need = Need.objects.get(wish__isnull=False)
        assert need.wish is not None
        assert need.wish.on_behalf
        assert need.wish.state == WishState.CONFIRMED

    def test_every_object_is_what_its_events_say(self) -> None:
        problems = [
            problem
            for model, flow in (
                (MemberRegistration, REGISTRATION_FLOW),
                (UnitRegistration, UNIT_REGISTRATION_FLOW),
                (Wish, WISH_FLOW),
                (ServiceOrder, ORDER_FLOW),
                (Exchange, EXCHANGE_FLOW),
            )
            for subject in model.objects.all()
            for problem in flow_problems(subject, flow)
        ]
        assert problems == []
        assert MemberRegistration.objects.filter(state=RegistrationState.TRANSFERRED, transferred_to__isnull=False)

    def test_claimants_takers_and_ratings_match_the_events(self) -> None:
        for wish in Wish.objects.filter(state__in=[WishState.CLAIMED, WishState.FULFILLED, WishState.CONFIRMED]):
            claim = wish.events.filter(action="claim").order_by("-sequence").first()
            assert claim is not None
            if wish.claimant_member_id is not None:
                assert claim.data == {"by": "member", "member_id": wish.claimant_member_id}
            else:
                assert claim.data["unit_id"] == wish.claimant_unit_id
            assert wish.claimed_at == claim.at
        for wish in Wish.objects.filter(state__in=[WishState.FULFILLED, WishState.CONFIRMED]):
            assert wish.photos.count() == 1
        for order in ServiceOrder.objects.filter(state__in=[OrderState.TAKEN, OrderState.COMPLETED, OrderState.RATED]):
            take = order.events.filter(action="take").order_by("-sequence").first()
            assert take is not None
            assert take.data == {"member": order.taker_id}
            assert order.issued_to.filter(pk=order.taker_id).exists()
        for order in ServiceOrder.objects.filter(state=OrderState.RATED):
            assert order.events.get(action="rate").data == {"stars": order.rating}

    def test_events_and_ledger_lines_lie_in_the_season_in_waking_hours(self) -> None:
        now = timezone.now()
        start = now - timedelta(days=SEASON_DAYS + 1)
        moments = list(WishEvent.objects.values_list("at", flat=True))
        moments += list(OrderEvent.objects.values_list("at", flat=True))
        moments += list(RegistrationEvent.objects.values_list("at", flat=True))
        moments += list(PointEntry.objects.values_list("at", flat=True))
        assert moments
        assert all(start < moment < now for moment in moments)
        assert all(8 <= timezone.localtime(moment).hour < 22 for moment in moments)

    def test_every_balance_is_the_sum_of_its_ledger_and_every_earning_has_its_source(self) -> None:
        assert PointEntry.objects.exists()
        for account in PointAccount.objects.all():
            entries = list(account.entries.order_by("id"))
            running = 0
            for entry in entries:
                running += entry.points
                assert entry.balance_after == running
            assert account.balance == running == sum(e.points for e in entries) >= 0
            assert account.earned == sum(e.points for e in entries if e.kind == EntryKind.EARN)
            assert [e.at for e in entries] == sorted(e.at for e in entries)
        rule_of = dict(PointRule.objects.values_list("basis", "points"))
        for wish in Wish.objects.filter(state=WishState.CONFIRMED, claimant_member__isnull=False):
            entry = PointEntry.objects.get(source="wish", source_id=wish.pk)
            assert entry.points == rule_of["wish"]
            assert entry.account.member.user_id == wish.claimant_member.user_id  # type: ignore[union-attr]
        for order in ServiceOrder.objects.filter(state__in=[OrderState.COMPLETED, OrderState.RATED]):
            entry = PointEntry.objects.get(source="order", source_id=order.pk)
            assert order.hours is not None
            expected = (order.hours * rule_of["service_hour"]).to_integral_value(rounding=ROUND_DOWN)
            assert entry.points == int(expected)
        assert not PointEntry.objects.filter(source="wish", source_id__in=Wish.objects.exclude(state="confirmed"))
        for exchange in Exchange.objects.filter(state=ExchangeState.APPROVED):
            assert PointEntry.objects.get(source="exchange", source_id=exchange.pk).points == -exchange.cost
        earned = PointEntry.objects.filter(kind=EntryKind.EARN).aggregate(n=Sum("points"))["n"]
        assert earned == demo_volunteering_counts()["points earned"]

    def test_the_demo_member_signs_in_by_phone_and_finds_their_work(
        self, client: Client, django_capture_on_commit_callbacks: Capture
    ) -> None:
        user = User.objects.get(phone=DEMO_MEMBER_PHONE)
        member = member_registration_of(user)
        assert user.kind == UserKind.RESIDENT
        assert member is not None
        assert member.phone == DEMO_MEMBER_PHONE
        assert member.employer_unit is not None

        sign_in_by_phone(client, django_capture_on_commit_callbacks, DEMO_MEMBER_PHONE, reverse("member:home"))
        page = client.get(reverse("member:home"))

        assert page.status_code == 200
        assert member.community.name in page.content.decode()
        claimed = set(Wish.objects.filter(claimant_member=member).values_list("state", flat=True))
        assert claimed == {WishState.CLAIMED, WishState.FULFILLED, WishState.CONFIRMED}
        taken = set(ServiceOrder.objects.filter(taker=member).values_list("state", flat=True))
        assert taken == {OrderState.TAKEN, OrderState.COMPLETED, OrderState.RATED}
        assert ServiceOrder.objects.filter(issued_to=member, state=OrderState.ISSUED).exists()
        account = PointAccount.objects.get(member=member)
        assert account.balance > 0
        exchanges = set(Exchange.objects.filter(account=account).values_list("state", flat=True))
        assert exchanges == {ExchangeState.APPROVED, ExchangeState.REQUESTED}
        assert Visit.objects.filter(pairing__member=member, visitor_role=VisitorRole.MEMBER).exists()
        assert MemberEvaluation.objects.filter(registration=member, sent_at__isnull=False).exists()

    def test_the_unit_contact_signs_in_by_phone_and_sees_the_units_members(
        self, client: Client, django_capture_on_commit_callbacks: Capture
    ) -> None:
        contact = User.objects.get(phone=DEMO_UNIT_CONTACT_PHONE)
        member = member_registration_of(User.objects.get(phone=DEMO_MEMBER_PHONE))
        assert member is not None

        sign_in_by_phone(client, django_capture_on_commit_callbacks, DEMO_UNIT_CONTACT_PHONE, reverse("unit:home"))
        page = client.get(reverse("unit:home"))
        member_page = client.get(reverse("unit:member", args=[member.pk]))

        assert page.status_code == 200
        assert member.employer in page.content.decode()
        assert member_page.status_code == 200
        members = list(unit_member_list(user=contact))
        assert member in members
        assert len(members) >= 3
        assert UnitRegistration.objects.filter(unit=member.employer_unit, state="confirmed").count() >= 2

    def test_demo_logins_prints_the_two_phone_sign_ins(self, season_output: str) -> None:
        output = StringIO()
        call_command("demo_logins", stdout=output)
        member = member_registration_of(User.objects.get(phone=DEMO_MEMBER_PHONE))
        assert member is not None

        for text in (season_output, output.getvalue()):
            assert f"{DEMO_MEMBER_PHONE}" in text
            assert f"{DEMO_UNIT_CONTACT_PHONE}" in text
            assert "/accounts/phone/?next=/member/" in text
            assert "/accounts/phone/?next=/unit/" in text
        assert member.name in output.getvalue()
        assert member.community.name in output.getvalue()

    def test_if_empty_adds_nothing_and_without_it_the_command_refuses(self) -> None:
        before = demo_volunteering_counts()
        built = AuditEvent.objects.filter(action="demo.volunteering_built").count()

        call_command("demo_volunteering", if_empty=True, allow_without_debug=True, stdout=StringIO())
        with pytest.raises(CommandError):
            call_command("demo_volunteering", allow_without_debug=True, stdout=StringIO())

        assert demo_volunteering_counts() == before
        assert AuditEvent.objects.filter(action="demo.volunteering_built").count() == built == 1


def _fingerprint() -> list[Any]:
    """The season as plain values, without primary keys (PostgreSQL's sequences do not roll back)."""
    return [
        sorted(
            MemberRegistration.objects.values_list(
                "name", "phone", "community__code", "building__code", "state", "employer", "skills", "confirmed_at"
            ),
            key=str,
        ),
        sorted(
            Wish.objects.values_list(
                "title", "community__code", "state", "beneficiary_name", "created_at", "claimant_member__name"
            ),
            key=str,
        ),
        sorted(
            ServiceOrder.objects.values_list(
                "community__code", "for_name", "state", "item__name", "wanted_on", "taker__name", "hours", "rating"
            ),
            key=str,
        ),
        sorted(PointEntry.objects.values_list("account__member__name", "kind", "points", "balance_after", "at")),
        sorted(Visit.objects.values_list("record__household__code", "visited_on", "notes", "visitor_role")),
    ]


@pytest.mark.django_db
def test_the_same_seed_gives_the_same_season_and_another_seed_another(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path
    locating.drop_grid_index()
    demo_city_build(scale=SCALES["small"])
    prints = []
    for seed in (7, 7, 8):
        with transaction.atomic():
            summary = demo_volunteering_build(seed=seed, communities=2, until=UNTIL, log=lambda _line: None)
            prints.append(_fingerprint())
            transaction.set_rollback(True)
        assert len(summary.communities) == 2

    assert prints[0][0], "members were registered"
    assert prints[0] == prints[1]
    assert prints[0] != prints[2]
    last = max(entry[-1] for entry in prints[0][3])
    assert timezone.localtime(last).date() < timezone.localtime(UNTIL).date()
    locating.drop_grid_index()


@pytest.mark.django_db
def test_without_a_demo_city_or_without_debug_nothing_is_made() -> None:
    with pytest.raises(CommandError):
        call_command("demo_volunteering", stdout=StringIO())  # the test settings have DEBUG off

    output = StringIO()
    call_command("demo_volunteering", if_empty=True, allow_without_debug=True, stdout=output)

    assert "demo_city" in output.getvalue()
    assert not MemberRegistration.objects.exists()
    assert not User.objects.filter(phone=DEMO_MEMBER_PHONE).exists()
    assert demo_volunteering_counts()["micro-wishes"] == 0
    assert not PointEntry.objects.exists()
