"""The scheme builder's services: only a draft changes, publishing checks and freezes, a new version copies,
presets install once as a scheme and again as versions, and only MANAGE_ASSESSMENT writes."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gridwork.audit.models import AuditEvent
from gridwork.common.flows import StaleState
from gridwork.schemes import services
from gridwork.schemes.models import IndicatorMethod, Scheme, TargetKind, VersionState
from gridwork.schemes.scoring import version_content
from gridwork.schemes.tests.factories import draft, group, indicator, thresholds, veto

pytestmark = pytest.mark.django_db


def _ready(manager: Any) -> Any:
    version = draft(manager)
    a = group(manager, version, "A", "70")
    b = group(manager, version, "B", "30")
    indicator(manager, version, a, "A1", "10", IndicatorMethod.MANUAL)
    indicator(manager, version, b, "B1", "5", IndicatorMethod.CONDITION)
    veto(manager, version, "V1")
    thresholds(manager, version, s1="60", s5="90")
    version.refresh_from_db()
    return version


def test_publishing_refuses_weights_that_do_not_add_up_and_empty_groups(manager: Any) -> None:
    version = draft(manager)
    a = group(manager, version, "A", "60")
    group(manager, version, "B", "30")
    indicator(manager, version, a, "A1", "10", IndicatorMethod.MANUAL)
    with pytest.raises(ValidationError) as refused:
        services.version_publish(actor=manager, version=version)
    text = " ".join(refused.value.messages)
    assert "add up to 90.00; they must add up to 100" in text
    assert "Group B has no indicators" in text
    assert "at least one star level" in text
    version.refresh_from_db()
    assert version.state == VersionState.DRAFT


def test_a_published_version_is_frozen_and_a_new_version_copies_it(manager: Any) -> None:
    version = _ready(manager)
    services.version_publish(actor=manager, version=version, expected_revision=version.revision)
    version.refresh_from_db()
    assert (version.state, version.published_by) == (VersionState.PUBLISHED, manager)
    a = version.groups.get(code="A")
    with pytest.raises(ValidationError, match="only a draft can be changed"):
        services.group_save(actor=manager, version=version, group=a, values={"code": "A", "name": "x", "weight": 50})
    with pytest.raises(ValidationError, match="only a draft"):
        indicator(manager, version, a, "A2", "5", IndicatorMethod.MANUAL)
    with pytest.raises(ValidationError, match="only a draft"):
        services.indicator_delete(actor=manager, indicator=a.indicators.get())
    with pytest.raises(ValidationError, match="only a draft"):
        thresholds(manager, version, s1="10")
    assert a.indicators.count() == 1

    second = services.version_new(actor=manager, scheme=version.scheme, note="调整权重")
    assert (second.number, second.state) == (2, VersionState.DRAFT)
    first, copy = version_content(version), version_content(second)
    assert [(g.code, g.weight, [i.code for i in items]) for g, items in copy.groups] == [
        (g.code, g.weight, [i.code for i in items]) for g, items in first.groups
    ]
    assert [v.code for v in copy.vetoes] == ["V1"]
    assert [(t.stars, t.min_score) for t in copy.thresholds] == [(1, Decimal(60)), (5, Decimal(90))]
    assert {i.pk for i in copy.indicators}.isdisjoint({i.pk for i in first.indicators})
    with pytest.raises(ValidationError, match="still a draft"):
        services.version_new(actor=manager, scheme=version.scheme)

    # publishing version 2 retires version 1 (rounds already on it keep it)
    services.version_publish(actor=manager, version=second)
    version.refresh_from_db()
    assert version.state == VersionState.RETIRED
    assert AuditEvent.objects.filter(action="schemes.version.published", object_id=str(second.pk)).exists()


def test_a_stale_page_cannot_publish_what_it_did_not_show(manager: Any) -> None:
    version = _ready(manager)
    shown = version.revision
    group(manager, version, "C", "0")  # someone adds an empty group after the page was shown
    with pytest.raises(StaleState):
        services.version_publish(actor=manager, version=version, expected_revision=shown)
    version.refresh_from_db()
    assert version.state == VersionState.DRAFT


def test_indicator_rules_name_the_field(manager: Any) -> None:
    version = draft(manager, kind=TargetKind.DEPARTMENT)
    a = group(manager, version, "A", "100")
    with pytest.raises(ValidationError) as refused:
        indicator(manager, version, a, "A1", "10", IndicatorMethod.COMPUTED, source="training_hours", full_at="5")
    assert set(refused.value.message_dict) == {"source", "zero_at"}
    with pytest.raises(ValidationError) as refused:
        indicator(
            manager,
            version,
            a,
            "A1",
            "10",
            IndicatorMethod.COMPUTED,
            source="response_rate",
            full_at="90",
            zero_at="90",
        )
    assert set(refused.value.message_dict) == {"zero_at"}
    with pytest.raises(ValidationError) as refused:
        indicator(manager, version, a, "A1", "0", IndicatorMethod.MANUAL)
    assert set(refused.value.message_dict) == {"max_score"}
    indicator(manager, version, a, "A1", "10", IndicatorMethod.MANUAL)
    b = group(manager, version, "B", "0")
    with pytest.raises(ValidationError) as refused:
        indicator(manager, version, b, "A1", "10", IndicatorMethod.MANUAL)  # codes are unique in the version
    assert set(refused.value.message_dict) == {"code"}
    other = draft(manager, "别的方案")
    with pytest.raises(ValidationError) as refused:
        indicator(manager, version, group(manager, other, "X", "100"), "X1", "10", IndicatorMethod.MANUAL)
    assert set(refused.value.message_dict) == {"group"}  # a forged group of another version
    with pytest.raises(ValidationError) as refused:
        services.group_save(actor=manager, version=version, values={"code": "A", "name": "重复", "weight": 101})
    assert set(refused.value.message_dict) == {"code", "weight"}


def test_thresholds_must_rise_with_the_stars(manager: Any) -> None:
    version = draft(manager)
    with pytest.raises(ValidationError) as refused:
        thresholds(manager, version, s1="70", s2="60")
    assert set(refused.value.message_dict) == {"stars_2"}
    thresholds(manager, version, s3="75", s4="85")
    assert list(version.thresholds.values_list("stars", "min_score")) == [(3, Decimal(75)), (4, Decimal(85))]


def test_only_those_who_manage_the_assessment_write(manager: Any, community_staff: Any, street_staff: Any) -> None:
    version = draft(manager)
    for actor in (community_staff, street_staff):
        with pytest.raises(PermissionDenied):
            services.scheme_create(actor=actor, name="自建方案", target_kind=TargetKind.COMMUNITY)
        with pytest.raises(PermissionDenied):
            services.group_save(actor=actor, version=version, values={"code": "A", "name": "x", "weight": 100})
        with pytest.raises(PermissionDenied):
            services.preset_install(actor=actor, key="five_star_community")
    assert not version.groups.exists()


@pytest.mark.parametrize("key", services.PRESET_KEYS)
def test_each_preset_installs_published_and_again_as_a_new_version(manager: Any, key: str) -> None:
    first = services.preset_install(actor=manager, key=key)
    assert first.state == VersionState.PUBLISHED
    assert services.publish_problems(first) == []
    content = version_content(first)
    assert sum(g.weight for g, _items in content.groups) == 100
    assert content.vetoes
    assert [t.stars for t in content.thresholds] == [1, 2, 3, 4, 5]
    second = services.preset_install(actor=manager, key=key)
    assert second.scheme_id == first.scheme_id
    assert second.number == 2
    assert Scheme.objects.filter(preset_key=key).count() == 1
    first.refresh_from_db()
    assert first.state == VersionState.RETIRED


def test_a_preset_is_not_installed_over_an_open_draft(manager: Any) -> None:
    first = services.preset_install(actor=manager, key="secretary_stars")
    services.version_new(actor=manager, scheme=first.scheme)
    with pytest.raises(ValidationError, match="still a draft"):
        services.preset_install(actor=manager, key="secretary_stars")
    assert first.scheme.versions.count() == 2


def test_discarding_a_draft_keeps_the_only_version(manager: Any) -> None:
    version = draft(manager)
    with pytest.raises(ValidationError, match="only version"):
        services.version_discard(actor=manager, version=version)
    services.preset_install(actor=manager, key="five_star_community")
    scheme = Scheme.objects.get(preset_key="five_star_community")
    second = services.version_new(actor=manager, scheme=scheme)
    services.version_discard(actor=manager, version=second)
    assert list(scheme.versions.values_list("number", flat=True)) == [1]
