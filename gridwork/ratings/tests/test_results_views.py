"""The results pages and their workbooks: who may open them (deny by default, 404 outside the scope), what they show,
wrong filters (beside the field on a page, 400 naming it for an export), masking and the audit of unmasked exports,
and text that looks like a formula staying text in Excel."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from gridwork.accounts.roles import Role
from gridwork.accounts.tests.factories import make_resident_user, make_staff
from gridwork.audit.models import AuditEvent
from gridwork.places.models import Place
from gridwork.places.tests.factories import CityTree
from gridwork.ratings import services
from gridwork.ratings.models import Assessment, Round, Target
from gridwork.ratings.tests.factories import Built, assessment_of, open_round, published_version
from gridwork.ratings.tests.test_results import (  # noqa: F401  (the fixtures)
    FULL,
    GOOD,
    People,
    _round,
    accept,
    manual_fixture,
    newbridge_fixture,
    people_fixture,
    review,
    secretaries_fixture,
    submit,
    through,
)
from gridwork.schemes.models import TargetKind
from gridwork.workforce.models import Worker

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> Client:
    client = Client(headers={"accept-language": "en"})
    client.force_login(user)
    return client


@pytest.fixture
def rated(tree: CityTree, people: People, manual: Built, newbridge: Place) -> Round:
    """2026: 春晖 accepted at 100 (5★), 秋实 at 86 (4★), 新桥 not started."""
    round_ = _round(people, manual, tree)
    through(people, tree, manual, tree.community, round_=round_, scores=FULL)
    through(people, tree, manual, tree.community2, round_=round_, scores=GOOD)
    return round_


def _sheet_rows(content: bytes, index: int = 0) -> list[tuple[Any, ...]]:
    workbook = load_workbook(io.BytesIO(content))
    return list(workbook.worksheets[index].iter_rows(values_only=True))


# --- who may open them ------------------------------------------------------------------------------------------------


def _urls(round_: Round, target_pk: int) -> list[str]:
    return [
        reverse("ratings:results"),
        reverse("ratings:results-history"),
        reverse("ratings:results-history-export"),
        reverse("ratings:results-target", args=[target_pk]),
        reverse("ratings:results-league", args=[round_.pk]),
        reverse("ratings:results-league-export", args=[round_.pk]),
        reverse("ratings:results-stars", args=[round_.pk]),
        reverse("ratings:results-stars-export", args=[round_.pk]),
        reverse("ratings:results-pay", args=[round_.pk]),
        reverse("ratings:results-pay-export", args=[round_.pk]),
    ]


def test_results_are_for_staff_who_see_ratings_only(tree: CityTree, people: People, rated: Round) -> None:
    target = assessment_of(rated, tree.community).target_id
    handler = make_staff(role=Role.DEPARTMENT_HANDLER, place=tree.district, username="r-handler")
    resident = make_resident_user(phone="13800001111")
    for url in _urls(rated, target):
        anonymous = Client(HTTP_ACCEPT_LANGUAGE="en").get(url)
        assert anonymous.status_code == 302, url
        assert "/login" in anonymous["Location"], url
        assert client_for(handler).get(url).status_code == 403, url
        assert client_for(resident).get(url).status_code == 403, url
        assert client_for(people.city).get(url).status_code == 200, url
        assert client_for(people.community).post(url).status_code == 405, url


def test_another_communitys_target_history_is_404(tree: CityTree, people: People, rated: Round) -> None:
    chunhui = assessment_of(rated, tree.community).target_id
    assert client_for(people.community2).get(reverse("ratings:results-target", args=[chunhui])).status_code == 404
    assert client_for(people.street2).get(reverse("ratings:results-target", args=[chunhui])).status_code == 404
    assert client_for(people.community).get(reverse("ratings:results-target", args=[chunhui])).status_code == 200
    missing = reverse("ratings:results-target", args=[Target.objects.order_by("-pk").first().pk + 100])  # type: ignore[union-attr]
    assert client_for(people.city).get(missing).status_code == 404
    assert client_for(people.city).get(reverse("ratings:results-league", args=[rated.pk + 100])).status_code == 404


# --- what they show ---------------------------------------------------------------------------------------------------


def test_league_page_shows_rank_total_and_stars_within_the_scope(tree: CityTree, people: People, rated: Round) -> None:
    chunhui = assessment_of(rated, tree.community)
    page = client_for(people.street).get(reverse("ratings:results-league", args=[rated.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert f'data-assessment="{chunhui.pk}" data-rank="1" data-stars="5"' in html
    assert "100.00" in html
    assert "86.00" in html
    assert "新桥社区" not in html  # 临川街道's community is outside 望江街道

    own = client_for(people.community2).get(reverse("ratings:results-league", args=[rated.pk])).content.decode()
    assert "春晖社区" not in own
    assert "秋实社区" in own
    assert 'data-rank="1" data-stars="4"' in own


def test_a_wrong_filter_is_shown_on_the_page_and_refused_by_the_export(
    tree: CityTree, people: People, rated: Round
) -> None:
    # 临川街道 is outside 望江街道's staff's scope: not a choice for them.
    for name in ("results-league", "results-stars", "results-pay"):
        page = client_for(people.street).get(reverse(f"ratings:{name}", args=[rated.pk]), {"under": tree.street2.pk})
        assert page.status_code == 200
        assert 'data-testid="filter-error"' in page.content.decode()
        export = client_for(people.street).get(
            reverse(f"ratings:{name}-export", args=[rated.pk]), {"under": tree.street2.pk}
        )
        assert export.status_code == 400
        assert export.content.decode().startswith("under:")
    history = client_for(people.city).get(reverse("ratings:results-history-export"), {"kind": "planet"})
    assert history.status_code == 400
    assert history.content.decode().startswith("kind:")
    fine = client_for(people.city).get(
        reverse("ratings:results-league-export", args=[rated.pk]), {"under": tree.street2.pk}
    )
    assert fine.status_code == 200
    assert [row[1] for row in _sheet_rows(fine.content)[1:]] == ["临川街道 › 新桥社区"]


def test_stars_page_shows_the_counts_and_the_goal(people: People, rated: Round) -> None:
    html = client_for(people.city).get(reverse("ratings:results-stars", args=[rated.pk])).content.decode()
    assert 'data-stars="5" data-count="1"' in html
    assert 'data-stars="4" data-count="1"' in html
    assert 'data-testid="goal" data-met="0"' in html
    assert "33.3 %" in html  # 1 of 3 at five stars


def test_index_and_history_pages(tree: CityTree, people: People, rated: Round) -> None:
    index = client_for(people.city).get(reverse("ratings:results")).content.decode()
    assert f'data-round="{rated.pk}"' in index
    history = client_for(people.city).get(reverse("ratings:results-history"), {"kind": TargetKind.COMMUNITY})
    html = history.content.decode()
    assert history.status_code == 200
    assert html.count('data-testid="history-row"') == 3
    chunhui = assessment_of(rated, tree.community)
    target = client_for(people.city).get(reverse("ratings:results-target", args=[chunhui.target_id])).content.decode()
    assert 'data-testid="star-move" data-action="accept" data-stars="5"' in target


# --- workbooks --------------------------------------------------------------------------------------------------------


def test_league_workbook_holds_the_pages_rows_and_what_it_is(tree: CityTree, people: People, rated: Round) -> None:
    response = client_for(people.city).get(reverse("ratings:results-league-export", args=[rated.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    rows = _sheet_rows(response.content)
    assert rows[0][:3] == ("Rank", "Target", "Street")
    assert [(row[0], row[1], row[5], row[11]) for row in rows[1:]] == [
        (1, "望江街道 › 春晖社区", 100, 5),
        (2, "望江街道 › 秋实社区", 86, 4),
        (None, "临川街道 › 新桥社区", None, None),
    ]
    about = dict(row[:2] for row in _sheet_rows(response.content, 1)[1:])
    assert about["Round"] == rated.name
    assert about["Exported by"] == "r-city"


def test_workbooks_keep_formula_like_names_as_text(tree: CityTree, people: People, rated: Round) -> None:
    Target.objects.filter(round=rated, place=tree.community).update(name='=HYPERLINK("http://evil.example","x")')
    content = client_for(people.city).get(reverse("ratings:results-league-export", args=[rated.pk])).content
    workbook = load_workbook(io.BytesIO(content))
    cell = workbook.worksheets[0]["B2"]
    assert cell.value == '=HYPERLINK("http://evil.example","x")'
    assert cell.data_type == "s"


def test_stars_and_history_workbooks(tree: CityTree, people: People, rated: Round) -> None:
    stars = _sheet_rows(client_for(people.city).get(reverse("ratings:results-stars-export", args=[rated.pk])).content)
    assert stars[1][:4] == ("All in your scope", 3, 2, 1)
    assert [row[0] for row in stars[2:]] == ["望江街道", "临川街道"]
    chunhui = assessment_of(rated, tree.community)
    services.assessment_lower_stars(
        actor=people.city,
        assessment=chunhui,
        stars=4,
        reason="居民投诉处置不及时，动态调整。",
        expected_version=chunhui.version,
    )
    content = client_for(people.city).get(reverse("ratings:results-history-export")).content
    history = _sheet_rows(content)
    assert history[0] == ("Target", "Street", rated.name, "Times lowered")
    assert history[1] == ("望江街道 › 春晖社区", "望江街道", 4, 1)
    changes = _sheet_rows(content, 1)
    assert [(row[0], row[5], row[6], row[7]) for row in changes[1:]] == [
        ("望江街道 › 春晖社区", "Accepted by the city", None, 5),
        ("望江街道 › 春晖社区", "Stars lowered", 5, 4),
        ("望江街道 › 秋实社区", "Accepted by the city", None, 4),
    ]


def test_pay_page_and_workbook_mask_names_and_audit_an_unmasked_export(
    tree: CityTree, people: People, secretaries: tuple[Worker, Worker]
) -> None:
    built = published_version(TargetKind.SECRETARY, name="社区书记星级评定", computed=False)
    round_ = open_round(people.city, built.version)
    services.round_add_all(actor=people.city, round_=round_, under=tree.street)
    li = Assessment.objects.get(target__round=round_, target__worker=secretaries[0])
    submit(people, tree, built, li, GOOD)
    review(people, tree, built, li, GOOD)
    accept(people, built, li, GOOD)

    city_page = client_for(people.city).get(reverse("ratings:results-pay", args=[round_.pk])).content.decode()
    assert "李*华" in city_page
    assert "李国华" not in city_page
    assert f'data-assessment="{li.pk}" data-grade="13"' in city_page
    league = client_for(people.city).get(reverse("ratings:results-league", args=[round_.pk])).content.decode()
    assert "李国华" not in league
    assert "王秀英" not in league
    masked = _sheet_rows(client_for(people.city).get(reverse("ratings:results-pay-export", args=[round_.pk])).content)
    assert masked[1][0] in {"李*华", "王*英"}
    assert not AuditEvent.objects.filter(action__startswith="ratings.").exists()

    own = client_for(people.community).get(reverse("ratings:results-pay-export", args=[round_.pk]))
    rows = _sheet_rows(own.content)
    assert rows[1][:2] == ("李国华", "春晖社区")
    assert rows[1][8:10] == (13, 7600)
    assert len(rows) == 2
    event = AuditEvent.objects.get(action="ratings.results_export_unmasked")
    assert event.actor == people.community
    assert event.detail == {"export": "pay", "rows": 1, "unmasked": 1}


def test_pay_page_of_a_community_round_says_it_does_not_apply(people: People, rated: Round) -> None:
    html = client_for(people.city).get(reverse("ratings:results-pay", args=[rated.pk])).content.decode()
    assert 'data-testid="not-secretaries"' in html
