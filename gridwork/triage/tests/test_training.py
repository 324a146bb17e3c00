"""Training, versions, the not-worse rule, and learning from a dispatcher's correction."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import numpy as np
import pytest

from gridwork.accounts.roles import Role
from gridwork.accounts.tests.factories import make_staff
from gridwork.audit.models import AuditEvent
from gridwork.matters.models import Category, Matter
from gridwork.matters.services import matter_transition
from gridwork.matters.tests.factories import file_in_building
from gridwork.matters.workflow import Action
from gridwork.places.tests.factories import CityTree
from gridwork.triage.artefacts import ArtefactUnusable, usable
from gridwork.triage.backend import live_classifier
from gridwork.triage.classifier import TriageClassifier
from gridwork.triage.models import ClassMapping, ModelStatus, TriageCorrection, TriageModel, Trigger
from gridwork.triage.training import label_for, train

pytestmark = pytest.mark.django_db

SCHOOL = "孩子今年上小学，学校说户口不在学区不能入学，学区划分不合理，请教育局解决入学问题。"


def test_training_stores_a_live_version_with_its_metrics(small_data: Path) -> None:
    model = train(trigger=Trigger.COMMAND)
    assert (model.version, model.status) == (1, ModelStatus.LIVE)
    assert sorted(model.classes) == sorted(ClassMapping.objects.values_list("label", flat=True))
    assert 0.3 < model.cv_macro_f1 <= 1.0
    assert model.cv_macro_f1_std >= 0
    assert set(model.metrics["per_class_f1"]) == set(model.classes)
    assert model.sample_count == 7 * 25
    assert len(model.data_hash) == 64
    assert AuditEvent.objects.filter(action="triage.model.live", object_id=str(model.pk)).exists()


def test_training_is_deterministic_for_a_seed(small_data: Path) -> None:
    first = train(trigger=Trigger.COMMAND, seed=7)
    second = train(trigger=Trigger.COMMAND, seed=7, force=True)
    assert second.version == first.version + 1
    assert first.artefact_sha256 == second.artefact_sha256
    assert first.data_hash == second.data_hash
    assert first.cv_macro_f1 == second.cv_macro_f1


def test_a_worse_model_is_kept_out_of_service(small_data: Path) -> None:
    live = train(trigger=Trigger.COMMAND)
    TriageModel.objects.filter(pk=live.pk).update(cv_macro_f1=0.999)
    candidate = train(trigger=Trigger.SCHEDULE, force=True)
    assert candidate.status == ModelStatus.REJECTED
    assert "0.999" in candidate.note
    assert TriageModel.objects.get(status=ModelStatus.LIVE).pk == live.pk


def test_a_tampered_artefact_is_refused_and_the_keywords_answer(small_data: Path, tree: CityTree) -> None:
    model = train(trigger=Trigger.COMMAND)
    tampered = bytearray(model.artefact)
    tampered[len(tampered) // 2] ^= 0xFF
    TriageModel.objects.filter(pk=model.pk).update(artefact=bytes(tampered))
    receipt = file_in_building(tree, text=SCHOOL)
    suggestion = Matter.objects.get(pk=receipt.matter_id).events.get(action=Action.FILE).data["suggestion"]
    assert suggestion["model_version"] is None


def test_a_well_formed_but_altered_artefact_is_refused_by_its_hash(small_data: Path) -> None:
    """Bytes that still load (one weight changed, the file saved again) but are not the ones trained."""
    model = train(trigger=Trigger.COMMAND)
    with np.load(io.BytesIO(bytes(model.artefact)), allow_pickle=False) as stored:
        arrays = {name: stored[name].copy() for name in stored.files}
    name = next(n for n, a in arrays.items() if a.dtype.kind == "f" and a.size)
    arrays[name].flat[0] += 1.0
    altered = io.BytesIO()
    np.savez_compressed(altered, **arrays)
    TriageClassifier.from_bytes(altered.getvalue())  # it loads: only the hash can tell
    TriageModel.objects.filter(pk=model.pk).update(artefact=altered.getvalue())
    assert not usable(model)
    with pytest.raises(ArtefactUnusable, match="does not match its hash"):
        live_classifier()


def test_a_correction_changes_the_next_model(small_data: Path, tree: CityTree) -> None:
    first = train(trigger=Trigger.COMMAND)
    loaded = live_classifier()
    assert loaded is not None
    assert loaded[1].predict([SCHOOL])[0].label == "教育文体"
    dispatcher = make_staff(role=Role.STREET_STAFF, place=tree.street, username="dispatcher")
    environment = Category.objects.get(name="环境保护", parent__isnull=True)
    for _ in range(3):
        matter_id = file_in_building(tree, text=SCHOOL).matter_id
        matter_transition(
            actor=dispatcher,
            matter_id=matter_id,
            action=Action.DISPATCH,
            data={"kind": "professional", "category_id": environment.pk, "lead_department_id": tree.department.pk},
        )
    corrections = TriageCorrection.objects.all()
    assert corrections.count() == 3
    assert {c.label for c in corrections} == {"环境保护"}
    assert {c.suggested_label for c in corrections} == {"教育文体"}
    second = train(trigger=Trigger.BUTTON, user=dispatcher, promote=False)
    assert second.correction_count == 1  # three matters of one text are one example
    assert second.data_hash != first.data_hash

    relearned = TriageClassifier.from_bytes(bytes(second.artefact))
    assert relearned.predict([SCHOOL])[0].label == "环境保护"


def test_a_confirmed_suggestion_is_no_correction(small_data: Path, tree: CityTree) -> None:
    train(trigger=Trigger.COMMAND)
    dispatcher = make_staff(role=Role.STREET_STAFF, place=tree.street, username="dispatcher")
    matter = Matter.objects.get(pk=file_in_building(tree, text=SCHOOL).matter_id)
    suggested = matter.events.get(action=Action.FILE).data["suggestion"]["category_id"]
    assert suggested is not None
    matter_transition(
        actor=dispatcher,
        matter_id=matter.pk,
        action=Action.DISPATCH,
        data={"kind": "professional", "category_id": suggested, "lead_department_id": tree.department.pk},
    )
    assert not TriageCorrection.objects.exists()


def test_a_category_outside_the_mapped_classes_teaches_its_top_level_name(small_data: Path) -> None:
    leaf = Category.objects.filter(code__startswith="G1.", level=3).first()
    assert leaf is not None
    assert label_for(leaf) == Category.objects.get(code="G1").name
    school = Category.objects.filter(name="教育文体", parent__isnull=True).get()
    child = Category.objects.filter(parent=school).first()
    assert child is not None
    assert label_for(child) == "教育文体"


def test_an_equal_score_goes_live_and_the_same_data_is_not_trained_again(small_data: Path) -> None:
    live = train(trigger=Trigger.COMMAND)
    assert train(trigger=Trigger.SCHEDULE).pk == live.pk  # a quiet week: nothing new, no new version
    assert TriageModel.objects.count() == 1
    equal = train(trigger=Trigger.COMMAND, force=True)
    assert equal.cv_macro_f1 == live.cv_macro_f1
    assert equal.status == ModelStatus.LIVE
    assert TriageModel.objects.get(pk=live.pk).status == ModelStatus.RETIRED


def test_the_process_cache_follows_the_live_version(small_data: Path) -> None:
    first = train(trigger=Trigger.COMMAND)
    loaded = live_classifier()
    assert loaded is not None
    assert loaded[0].pk == first.pk
    second = train(trigger=Trigger.COMMAND, force=True)
    reloaded = live_classifier()
    assert reloaded is not None
    assert reloaded[0].pk == second.pk


def test_an_unreadable_live_model_is_retired_by_the_next_training(small_data: Path) -> None:
    old = train(trigger=Trigger.COMMAND)
    TriageModel.objects.filter(pk=old.pk).update(
        artefact=b"not a model", artefact_sha256=hashlib.sha256(b"not a model").hexdigest(), cv_macro_f1=0.999
    )
    new = train(trigger=Trigger.SCHEDULE)
    assert new.pk != old.pk
    assert new.status == ModelStatus.LIVE
    assert TriageModel.objects.get(pk=old.pk).status == ModelStatus.RETIRED
