"""The ranked resources for a need: the words (character bigrams, TF-IDF), the field, where the unit sits, the dates
and the quantity; an exactly fitting resource above a loosely fitting one, with the reasons staff read; used-up,
withdrawn and expired resources never offered."""

from __future__ import annotations

import datetime
import math
from decimal import Decimal

import pytest

from gridwork.cobuild import services
from gridwork.cobuild.categories import ServiceField
from gridwork.cobuild.models import Resource, ResourceKind
from gridwork.cobuild.suggestions import (
    COMMUNITY_POINTS,
    DATES_POINTS,
    DISTRICT_POINTS,
    FIELD_POINTS,
    QUANTITY_POINTS,
    STREET_POINTS,
    TEXT_POINTS,
    NeedFacts,
    Offer,
    cosine,
    need_suggestions,
    rank_offers,
    tfidf_vectors,
    tokens,
)
from gridwork.cobuild.tests.factories import World, days, make_match, make_world, publish_need, publish_resource
from gridwork.places.tests.factories import CityTree

DAY = datetime.date(2026, 6, 30)
COMMUNITY = "/c/d/s/com/"


def offer(resource_id: int, **values: object) -> Offer:
    fields: dict[str, object] = {"field": ServiceField.ELDERLY, "text": "", "path": COMMUNITY}
    fields.update(values)
    return Offer(resource_id=resource_id, **fields)  # type: ignore[arg-type]


# --- the words --------------------------------------------------------------------------------------------------------


def test_chinese_text_becomes_character_bigrams_and_latin_words_stay_whole() -> None:
    assert tokens("老年人助餐，WiFi 2号楼") == ["老年", "年人", "人助", "助餐", "wifi", "2", "号楼"]
    assert tokens("茶") == ["茶"]
    assert tokens("，。!") == []


def test_tfidf_cosine_worked_out_by_hand() -> None:
    # Three texts: 老年助餐 → 老年 年助 助餐; 老年助餐 (the same); 助餐.
    # df: 老年 2, 年助 2, 助餐 3 of n = 3; idf = ln((1 + 3) / (1 + df)) + 1: 老年, 年助 → ln(4/3) + 1 = 1.28768;
    # 助餐 → ln(4/4) + 1 = 1. The first vector (1.28768, 1.28768, 1) has norm √(2 × 1.65812 + 1) = 2.07756; the third
    # is (0, 0, 1). Their cosine is 1 / 2.07756 = 0.48133; the first two are the same text: cosine 1.
    need, same, part = tfidf_vectors(["老年助餐", "老年助餐", "助餐"])
    assert cosine(need, same) == pytest.approx(1.0)
    assert cosine(need, part) == pytest.approx(0.48133, abs=1e-4)
    assert cosine(need, part) == pytest.approx(1 / math.sqrt(2 * (math.log(4 / 3) + 1) ** 2 + 1))


def test_the_text_points_follow_the_similarity() -> None:
    need = NeedFacts(field=ServiceField.ELDERLY, text="老年助餐", path=COMMUNITY)
    ranked = rank_offers(need=need, offers=[offer(1, text="老年助餐"), offer(2, text="助餐")])
    # both: the field 40, the same community 20, the dates 10 (no dates on either side), no quantity 0; the words:
    # 30 × 1 = 30 and round(30 × 0.48133) = 14.
    assert [(s.resource_id, s.score) for s in ranked] == [
        (1, FIELD_POINTS + 30 + COMMUNITY_POINTS + DATES_POINTS),
        (2, FIELD_POINTS + 14 + COMMUNITY_POINTS + DATES_POINTS),
    ]


def test_another_field_with_dissimilar_words_does_not_fit_but_similar_words_do() -> None:
    need = NeedFacts(field=ServiceField.ELDERLY, text="老年人助餐服务", path=COMMUNITY)
    ranked = rank_offers(
        need=need,
        offers=[
            offer(1, field=ServiceField.LEGAL, text="免费法律咨询"),
            offer(2, field=ServiceField.HEALTH, text="老年人助餐和体检"),
        ],
    )
    assert [s.resource_id for s in ranked] == [2]
    assert ranked[0].reasons[0] == "another field: Health"


def test_nearness_by_the_places_tree() -> None:
    need = NeedFacts(field=ServiceField.ELDERLY, text="助餐", path="/c/d/s/com/")
    ranked = rank_offers(
        need=need,
        offers=[
            offer(1, text="助餐", path="/c/d2/s/com/"),
            offer(2, text="助餐", path="/c/d/s2/"),
            offer(3, text="助餐", path="/c/d/s/"),
            offer(4, text="助餐", path="/c/d/s/com2/"),
            offer(5, text="助餐", path="/c/d/s/com/"),
        ],
    )
    by_id = {s.resource_id: s for s in ranked}
    base = FIELD_POINTS + TEXT_POINTS + DATES_POINTS
    assert by_id[5].score == base + COMMUNITY_POINTS
    assert by_id[4].score == by_id[3].score == base + STREET_POINTS  # a unit of the street itself is in the street
    assert by_id[2].score == base + DISTRICT_POINTS
    assert by_id[1].score == base
    assert by_id[1].reasons[2] == "the unit sits elsewhere in the city"
    assert [s.resource_id for s in ranked] == [5, 3, 4, 2, 1]  # equal scores: the older resource first


def test_dates_and_quantity_reasons() -> None:
    need = NeedFacts(
        field=ServiceField.ELDERLY,
        text="助餐",
        path=COMMUNITY,
        quantity=Decimal(30),
        quantity_unit="份",
        wanted_by=DAY,
    )
    ranked = rank_offers(
        need=need,
        offers=[
            offer(1, text="助餐", quantity=Decimal(30), quantity_unit=" 份 ", available_to=DAY),
            offer(2, text="助餐", quantity=Decimal(10), quantity_unit="份", available_from=DAY + datetime.timedelta(1)),
            offer(
                3, text="助餐", quantity=Decimal("2.5"), quantity_unit="吨", available_to=DAY - datetime.timedelta(1)
            ),
        ],
    )
    by_id = {s.resource_id: s for s in ranked}
    assert by_id[1].reasons[3:] == ("available on the wanted-by day 2026-06-30", "enough: 30 份 for 30 份")
    assert by_id[1].score == FIELD_POINTS + TEXT_POINTS + COMMUNITY_POINTS + DATES_POINTS + QUANTITY_POINTS
    # 10 of 30: ⌊10 × 10 / 30⌋ = 3 points; it comes a day late: no date points.
    assert by_id[2].reasons[3:] == (
        "available only from 2026-07-01, after the wanted-by day 2026-06-30",
        "only 10 份 of 30 份",
    )
    assert by_id[2].score == FIELD_POINTS + TEXT_POINTS + COMMUNITY_POINTS + 3
    assert by_id[3].reasons[3:] == (
        "available only until 2026-06-29, before the wanted-by day 2026-06-30",
        "quantities not comparable: 2.5 吨 for 30 份",
    )


# --- from the database ------------------------------------------------------------------------------------------------


@pytest.fixture
def world(tree: CityTree) -> World:
    return make_world(tree)


def test_an_exactly_fitting_resource_ranks_above_a_loosely_fitting_one(world: World) -> None:
    """The issue's example: the community's elderly need 30 meals a day within a month. One unit of the community
    offers 50 meals a day for three months (exact); a hospital in the district offers its culture room for old people
    until the day before the need is wanted (loose)."""
    need = publish_need(world)  # 老年人助餐服务, elderly, 30 份, wanted in 30 days, 春晖社区
    exact = publish_resource(world)  # 为社区老年人提供助餐服务, elderly, 50 份, today – in 90 days, 春晖社区
    loose = publish_resource(
        world,
        unit=world.unit_district,
        kind=ResourceKind.VENUE,
        field=ServiceField.CULTURE,
        title="老年人文体活动室",
        description="医院活动室可供社区老年人开展文体活动。",
        quantity=Decimal(200),
        quantity_unit="平方米",
        available_to=days(29),
    )
    publish_resource(
        world, unit=world.unit_city, field=ServiceField.LEGAL, title="免费法律咨询", description="律师坐班"
    )

    ranked = need_suggestions(need)

    assert [r.resource.pk for r in ranked] == [exact.pk, loose.pk]  # the lawyer's offer does not fit at all
    first, second = (r.suggestion for r in ranked)
    assert first.score > second.score
    assert first.reasons[0] == "same field: Elderly care"
    assert first.reasons[1].startswith("similar words (")
    assert "助餐" in first.reasons[1]
    assert first.reasons[2:] == (
        "the unit sits in the same community",
        f"available on the wanted-by day {days(30).isoformat()}",
        "enough: 50 份 for 30 份",
    )
    assert second.reasons[0] == "another field: Culture and sport"
    assert second.reasons[1].startswith("similar words (")
    assert "老年" in second.reasons[1]
    assert second.reasons[2:] == (
        "the unit sits in the same district",
        f"available only until {days(29).isoformat()}, before the wanted-by day {days(30).isoformat()}",
        "quantities not comparable: 200 平方米 for 30 份",
    )
    # The scores in points: the exact one 40 (field) + words + 20 + 10 + 10; the loose one words + 6.
    assert first.score - round(TEXT_POINTS * first.similarity) == FIELD_POINTS + COMMUNITY_POINTS + 20
    assert second.score - round(TEXT_POINTS * second.similarity) == DISTRICT_POINTS
    assert first.similarity > second.similarity


def test_used_up_withdrawn_and_expired_resources_are_not_suggested(world: World) -> None:
    need = publish_need(world)
    fitting = publish_resource(world)
    used_up = publish_resource(world, title="助餐送餐志愿服务")
    withdrawn = publish_resource(world, title="老年人助餐配送")
    expired = publish_resource(world, title="老年人助餐服务站")
    services.resource_use_up(actor=world.contact, resource=used_up, expected_version=used_up.version)
    services.resource_withdraw(actor=world.contact, resource=withdrawn, expected_version=withdrawn.version)
    Resource.objects.filter(pk=expired.pk).update(available_from=days(-30), available_to=days(-1))

    assert [r.resource.pk for r in need_suggestions(need)] == [fitting.pk]

    # the day it ends, it is still offered
    Resource.objects.filter(pk=expired.pk).update(available_to=days(0))
    assert {r.resource.pk for r in need_suggestions(need)} == {fitting.pk, expired.pk}


def test_a_matched_resource_is_not_suggested_again_for_the_same_need(world: World) -> None:
    need = publish_need(world)
    resource = publish_resource(world)
    other_need = publish_need(world, title="独居老人助餐")
    make_match(world, need, resource)
    need.refresh_from_db()
    assert need_suggestions(need) == []
    assert [r.resource.pk for r in need_suggestions(other_need)] == [resource.pk]
