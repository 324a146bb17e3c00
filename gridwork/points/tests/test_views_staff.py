"""Staff pages of exchanges and accounts: the queue (waiting first), approve and reject (409 when stale or when the
points or stock ran out, 400 without a reason), another community's staff get 404 and cannot act, accounts with
names masked unless the viewer may see personal data, and their Excel export."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from gridwork.accounts.models import User
from gridwork.audit.models import AuditEvent
from gridwork.party.models import MemberRegistration
from gridwork.places.tests.factories import CityTree
from gridwork.points.exchanges import exchange_approve, exchange_reject, exchange_request
from gridwork.points.models import EntryKind, Exchange, ExchangeState, PointEntry, Reward
from gridwork.points.services import Source, points_spend
from gridwork.points.tests.factories import (
    community2_staff,
    community_staff,
    give_points,
    make_member,
    make_reward,
    street_staff,
)

pytestmark = pytest.mark.django_db


def _client(user: User) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")  # the messages checked are the English ones
    client.force_login(user)
    return client


@pytest.fixture
def member(tree: CityTree) -> MemberRegistration:
    member = make_member(community=tree.community, name="欧阳明月")
    give_points(member, 100)
    return member


def _asked(member: MemberRegistration, *, cost: int = 60, stock: int | None = 5, name: str = "电饭煲") -> Exchange:
    reward = make_reward(place=member.community, name=name, cost=cost, stock=stock)
    return exchange_request(actor=member.user, member=member, reward=reward)


def _decide(client: Client, exchange: Exchange, **data: Any) -> Any:
    return client.post(reverse("points:exchange-detail", args=[exchange.pk]), data)


# --- the queue and decisions -----------------------------------------------------------------------------------------


def test_the_queue_shows_waiting_requests_first_with_masked_names_for_the_street(
    tree: CityTree, member: MemberRegistration
) -> None:
    staff = community_staff(tree)
    decided = _asked(member, cost=10, name="抽纸")
    exchange_reject(actor=staff, exchange=decided, reason="缺货", expected_version=1)
    waiting = _asked(member, cost=10, name="牙膏")
    page = _client(staff).get(reverse("points:exchange-list")).content.decode()
    assert page.index(f"exchange-{waiting.pk}") < page.index(f"exchange-{decided.pk}")
    assert "欧阳明月" in page  # community staff may see personal data
    street_page = _client(street_staff(tree)).get(reverse("points:exchange-list")).content.decode()
    assert f"exchange-{waiting.pk}" in street_page
    assert "欧阳明月" not in street_page
    assert "欧**月" in street_page
    filtered = _client(staff).get(reverse("points:exchange-list") + "?state=rejected").content.decode()
    assert f"exchange-{decided.pk}" in filtered
    assert f"exchange-{waiting.pk}" not in filtered


def test_staff_approve_and_the_points_are_spent(tree: CityTree, member: MemberRegistration) -> None:
    exchange = _asked(member)
    client = _client(community_staff(tree))
    page = client.get(reverse("points:exchange-detail", args=[exchange.pk])).content.decode()
    assert 'data-testid="approve"' in page
    assert 'data-testid="balance">100<' in page
    response = _decide(client, exchange, action="approve", expected_version=1)
    assert response.status_code == 302
    exchange.refresh_from_db()
    assert exchange.state == ExchangeState.APPROVED
    assert PointEntry.objects.get(kind=EntryKind.SPEND).points == -60
    assert Reward.objects.get().stock == 4


def test_an_approval_from_a_stale_page_is_409_and_changes_nothing(tree: CityTree, member: MemberRegistration) -> None:
    staff = community_staff(tree)
    exchange = _asked(member)
    exchange_reject(actor=staff, exchange=Exchange.objects.get(pk=exchange.pk), reason="重复", expected_version=1)
    response = _decide(
        _client(community_staff(tree, username="colleague")), exchange, action="approve", expected_version=1
    )
    assert response.status_code == 409
    assert 'data-testid="refusal"' in response.content.decode()
    assert Exchange.objects.get(pk=exchange.pk).state == ExchangeState.REJECTED
    assert not PointEntry.objects.filter(kind=EntryKind.SPEND).exists()


def test_an_approval_the_balance_no_longer_covers_is_409_saying_why(tree: CityTree, member: MemberRegistration) -> None:
    exchange = _asked(member, cost=60)
    points_spend(member=member, points=90, source=Source("exchange", 987_654), actor=None)
    response = _decide(_client(community_staff(tree)), exchange, action="approve", expected_version=1)
    assert response.status_code == 409
    assert "needs 60 points; the balance is 10" in response.content.decode()
    exchange.refresh_from_db()
    assert (exchange.state, exchange.version) == (ExchangeState.REQUESTED, 1)
    assert Reward.objects.get().stock == 5


def test_a_rejection_without_a_reason_is_400_beside_the_field(tree: CityTree, member: MemberRegistration) -> None:
    exchange = _asked(member)
    client = _client(community_staff(tree))
    response = _decide(client, exchange, action="reject", expected_version=1, reason="")
    assert response.status_code == 400
    assert 'data-testid="error-reason"' in response.content.decode()
    response = _decide(client, exchange, action="reject", expected_version=1, reason="本月已兑完")
    assert response.status_code == 302
    assert Exchange.objects.get(pk=exchange.pk).reason == "本月已兑完"


def test_another_communitys_staff_cannot_see_or_approve_a_request(tree: CityTree, member: MemberRegistration) -> None:
    exchange = _asked(member)
    client = _client(community2_staff(tree))
    assert client.get(reverse("points:exchange-detail", args=[exchange.pk])).status_code == 404
    assert _decide(client, exchange, action="approve", expected_version=1).status_code == 404
    assert _decide(client, exchange, action="reject", expected_version=1, reason="x").status_code == 404
    assert f"exchange-{exchange.pk}" not in client.get(reverse("points:exchange-list")).content.decode()
    exchange.refresh_from_db()
    assert (exchange.state, exchange.version) == (ExchangeState.REQUESTED, 1)
    assert not PointEntry.objects.filter(kind=EntryKind.SPEND).exists()


def test_an_approval_without_the_pages_version_is_refused(tree: CityTree, member: MemberRegistration) -> None:
    exchange = _asked(member)
    response = _decide(_client(community_staff(tree)), exchange, action="approve")
    assert response.status_code == 400
    assert Exchange.objects.get(pk=exchange.pk).state == ExchangeState.REQUESTED


# --- accounts -------------------------------------------------------------------------------------------------------


def test_accounts_list_the_members_of_the_users_communities_with_balance_and_earned(
    tree: CityTree, member: MemberRegistration
) -> None:
    exchange_approve(actor=community_staff(tree), exchange=_asked(member, cost=30), expected_version=1)
    idle = make_member(community=tree.community, name="钱七")
    elsewhere = make_member(community=tree.community2, name="孙八")
    page = _client(community_staff(tree, username="viewer")).get(reverse("points:account-list")).content.decode()
    row = page[page.index(f'data-testid="account-{member.pk}"') :]
    assert 'data-testid="balance">70<' in row[:600]
    assert 'data-testid="earned">100<' in row[:600]
    assert f"account-{idle.pk}" in page
    assert f"account-{elsewhere.pk}" not in page
    assert "欧阳明月" in page


def test_account_names_are_masked_without_personal_data_rights(tree: CityTree, member: MemberRegistration) -> None:
    page = _client(street_staff(tree)).get(reverse("points:account-list")).content.decode()
    assert f"account-{member.pk}" in page
    assert "欧阳明月" not in page
    assert "欧**月" in page


def test_another_communitys_staff_cannot_see_the_account(tree: CityTree, member: MemberRegistration) -> None:
    client = _client(community2_staff(tree))
    assert client.get(reverse("points:account-detail", args=[member.pk])).status_code == 404
    assert f"account-{member.pk}" not in client.get(reverse("points:account-list")).content.decode()
    own = _client(community_staff(tree)).get(reverse("points:account-detail", args=[member.pk]))
    assert own.status_code == 200
    assert 'data-testid="balance">100<' in own.content.decode()


def _sheet(response: Any) -> list[tuple[Any, ...]]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(
        io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content)
    )
    return list(workbook.worksheets[0].iter_rows(values_only=True))


def test_the_export_masks_names_unless_the_user_may_see_them_and_audits_unmasked_ones(
    tree: CityTree, member: MemberRegistration
) -> None:
    make_member(community=tree.community2, name="孙八")
    masked = _sheet(
        _client(street_staff(tree)).get(reverse("points:account-export") + f"?community={tree.community.code}")
    )
    assert len(masked) == 2
    assert masked[1][2:7] == ("欧**月", "明川市自来水公司", 100, 100, 0)
    assert not AuditEvent.objects.filter(action="point_account.export_unmasked").exists()
    plain = _sheet(_client(community_staff(tree)).get(reverse("points:account-export")))
    assert [row[2] for row in plain[1:]] == ["欧阳明月"]  # community 2's member is not in this community's export
    assert AuditEvent.objects.get(action="point_account.export_unmasked").detail["unmasked"] == 1
