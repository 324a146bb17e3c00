"""Suggestions from the live model at filing, and the automatic dispatch above the administrators' threshold."""

from __future__ import annotations

from pathlib import Path

import pytest

from gridwork.matters.models import Category, Matter, RoutingRule
from gridwork.matters.tests.factories import file_in_building
from gridwork.matters.workflow import Action, MatterState
from gridwork.places.tests.factories import CityTree
from gridwork.triage.backend import live_classifier
from gridwork.triage.models import ClassMapping, TriagePolicy, Trigger
from gridwork.triage.training import train

pytestmark = pytest.mark.django_db

SCHOOL = "孩子今年上小学，学校说户口不在学区不能入学，学区划分不合理，请教育局解决入学问题。"
# A matter of a class the model never saw (public security: household registration); it must go to a human.
UNSEEN = "我的户口迁移手续在派出所办了三个月还没办好，民警一直推诿，身份证也补办不了。"


@pytest.fixture
def school_rule(tree: CityTree) -> Category:
    school = Category.objects.get(name="教育文体", parent__isnull=True)
    RoutingRule.objects.create(category=school, place=tree.city, lead_department=tree.department)
    return school


def _filed(tree: CityTree, text: str) -> Matter:
    return Matter.objects.get(pk=file_in_building(tree, text=text, kind="").matter_id)


def test_the_model_suggests_category_kind_unit_and_the_words(
    small_data: Path, tree: CityTree, school_rule: Category
) -> None:
    model = train(trigger=Trigger.COMMAND)
    matter = _filed(tree, SCHOOL)
    suggestion = matter.events.get(action=Action.FILE).data["suggestion"]
    assert suggestion["label"] == "教育文体"
    assert suggestion["model_version"] == model.version
    assert Category.objects.get(pk=suggestion["category_id"]).code.startswith(school_rule.code)
    assert suggestion["unit"] == [None, tree.department.pk]
    assert any("学" in reason for reason in suggestion["reasons"][1:])  # the words that decided it


def test_the_mapping_is_data(small_data: Path, tree: CityTree, school_rule: Category) -> None:
    train(trigger=Trigger.COMMAND)
    sport = Category.objects.get(name="环境保护", parent__isnull=True)
    ClassMapping.objects.filter(label="教育文体").update(category=sport)
    suggestion = _filed(tree, SCHOOL).events.get(action=Action.FILE).data["suggestion"]
    assert Category.objects.get(pk=suggestion["category_id"]).code.startswith(sport.code)


def test_a_sure_suggestion_is_dispatched_automatically(small_data: Path, tree: CityTree, school_rule: Category) -> None:
    train(trigger=Trigger.COMMAND)
    TriagePolicy.objects.update_or_create(pk=1, defaults={"auto_dispatch": True, "auto_dispatch_confidence": 0.5})
    matter = _filed(tree, SCHOOL)
    assert matter.state == MatterState.DISPATCHED
    assert matter.lead_department_id == tree.department.pk
    event = matter.events.get(action=Action.DISPATCH)
    assert event.actor_role == "system"
    assert event.actor_id is None


def test_an_unseen_class_goes_to_a_human(small_data: Path, tree: CityTree, school_rule: Category) -> None:
    """The model is unsure of a class it never learned; with a default rule giving every matter a unit, only the
    sure suggestion is dispatched by the platform."""
    train(trigger=Trigger.COMMAND)
    RoutingRule.objects.create(category=None, place=tree.city, lead_place=tree.community)
    loaded = live_classifier()
    assert loaded is not None
    unsure, sure = loaded[1].predict([UNSEEN, SCHOOL])
    assert unsure.confidence < 0.5 <= sure.confidence
    TriagePolicy.objects.update_or_create(pk=1, defaults={"auto_dispatch": True, "auto_dispatch_confidence": 0.65})
    clear, unseen = _filed(tree, SCHOOL), _filed(tree, UNSEEN)
    assert clear.state == MatterState.DISPATCHED
    assert unseen.state == MatterState.SUBMITTED
    assert unseen.events.get(action=Action.FILE).data["suggestion"]["confidence"] < 0.65
    assert not unseen.events.filter(action=Action.DISPATCH).exists()


def test_auto_dispatch_is_off_by_default(small_data: Path, tree: CityTree, school_rule: Category) -> None:
    train(trigger=Trigger.COMMAND)
    assert _filed(tree, SCHOOL).state == MatterState.SUBMITTED


def test_without_a_model_the_keywords_answer(tree: CityTree) -> None:
    suggestion = _filed(tree, "春晖路的路灯坏了，晚上很黑").events.get(action=Action.FILE).data["suggestion"]
    assert suggestion["model_version"] is None
    assert Category.objects.get(pk=suggestion["category_id"]).name == "路灯"


def test_a_failing_automatic_dispatch_never_loses_the_filing(
    small_data: Path, tree: CityTree, school_rule: Category, monkeypatch: pytest.MonkeyPatch
) -> None:
    train(trigger=Trigger.COMMAND)
    TriagePolicy.objects.update_or_create(pk=1, defaults={"auto_dispatch": True, "auto_dispatch_confidence": 0.5})

    def broken(**kwargs: object) -> bool:
        raise RuntimeError("boom")

    monkeypatch.setattr("gridwork.triage.dispatch.auto_dispatch", broken)
    receipt = file_in_building(tree, text=SCHOOL, kind="")
    matter = Matter.objects.get(pk=receipt.matter_id)
    assert receipt.tracking_code
    assert matter.state == MatterState.SUBMITTED


def test_a_failing_model_leaves_the_answer_to_the_keywords(
    small_data: Path, tree: CityTree, monkeypatch: pytest.MonkeyPatch
) -> None:
    train(trigger=Trigger.COMMAND)

    def broken(self: object, texts: object) -> object:
        raise RuntimeError("boom")

    monkeypatch.setattr("gridwork.triage.classifier.TriageClassifier.predict", broken)
    suggestion = _filed(tree, "春晖路的路灯坏了，晚上很黑").events.get(action=Action.FILE).data["suggestion"]
    assert suggestion["model_version"] is None
    assert Category.objects.get(pk=suggestion["category_id"]).name == "路灯"


def test_the_filers_category_is_not_overridden(small_data: Path, tree: CityTree, school_rule: Category) -> None:
    train(trigger=Trigger.COMMAND)
    TriagePolicy.objects.update_or_create(pk=1, defaults={"auto_dispatch": True, "auto_dispatch_confidence": 0.5})
    chosen = Category.objects.get(name="环境保护", parent__isnull=True)
    matter = Matter.objects.get(pk=file_in_building(tree, text=SCHOOL, category=chosen).matter_id)
    assert matter.category_id == chosen.pk
    assert matter.state == MatterState.SUBMITTED


def test_keywords_alone_never_dispatch_automatically(tree: CityTree) -> None:
    lamp = Category.objects.get(name="路灯")
    RoutingRule.objects.create(category=lamp, place=tree.city, lead_department=tree.department)
    TriagePolicy.objects.update_or_create(pk=1, defaults={"auto_dispatch": True, "auto_dispatch_confidence": 0.5})
    matter = _filed(tree, "路灯坏了，路灯不亮，灯不亮，照明没有了")
    suggestion = matter.events.get(action=Action.FILE).data["suggestion"]
    assert suggestion["confidence"] >= 0.8
    assert matter.state == MatterState.SUBMITTED
