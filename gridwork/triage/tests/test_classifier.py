"""The classifier on its own (no database): determinism, the artefact's round trip, what the confidence means, that
corrections are learned, and cross-validation. The full labelled file is trained on once per module."""

from __future__ import annotations

import csv
import io
import zipfile
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from gridwork.triage.classifier import BaselineClassifier, Prediction, TriageClassifier, cross_validate

DATA = Path(__file__).resolve().parents[3] / "data" / "tipdm2020"

IN_CLASS = {
    "教育文体": "孩子上学的学区划分不合理 我家就在学校旁边，却被划到了很远的小学，请教育局重新考虑学区划分。",
    "卫生计生": "医院乱收费 某医院对住院病人重复收取检查费用，医生还推销药品，请卫健委查处。",
    "交通运输": "公交车司机态度恶劣 这条公交线路的司机经常不到站就开走，乘客投诉也没人管。",
    "劳动和社会保障": "公司拖欠工资不发 我们在工地干了半年，老板拖欠工资至今不发，劳动监察部门也不处理。",
}
UNSEEN_CLASS = "我的户口迁移手续办了三个月还没办好，派出所一直推诿"


def _messages() -> tuple[list[str], list[str]]:
    with (DATA / "citizen_messages_labeled.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return [f"{row['title'].strip()} {row['detail'].strip()}" for row in rows], [row["label"] for row in rows]


def _small(per_class: int) -> tuple[list[str], list[str]]:
    texts, labels = _messages()
    taken: Counter[str] = Counter()
    kept = []
    for text, label in zip(texts, labels, strict=True):
        if taken[label] < per_class:
            taken[label] += 1
            kept.append((text, label))
    return [text for text, _ in kept], [label for _, label in kept]


@pytest.fixture(scope="module")
def full() -> tuple[TriageClassifier, bytes]:
    texts, labels = _messages()
    model = TriageClassifier(seed=0).fit(texts, labels)
    return model, model.to_bytes()


def test_the_same_seed_gives_the_same_artefact() -> None:
    texts, labels = _small(20)
    first = TriageClassifier(seed=3).fit(texts, labels).to_bytes()
    second = TriageClassifier(seed=3).fit(texts, labels).to_bytes()
    assert first == second


def test_the_artefact_holds_arrays_only_and_predicts_the_same(full: tuple[TriageClassifier, bytes]) -> None:
    model, artefact = full
    with zipfile.ZipFile(io.BytesIO(artefact)) as archive:
        for name in archive.namelist():
            array = np.load(io.BytesIO(archive.read(name)), allow_pickle=False)
            assert array.dtype != object
    loaded = TriageClassifier.from_bytes(artefact)
    texts = [*IN_CLASS.values(), UNSEEN_CLASS, "", "hello world"]
    assert loaded.predict(texts) == model.predict(texts)
    assert loaded.classes == model.classes
    assert loaded.to_bytes() == artefact


def test_clear_messages_get_their_class_with_words(full: tuple[TriageClassifier, bytes]) -> None:
    model, _ = full
    predictions = model.predict(list(IN_CLASS.values()))
    assert float(np.median([p.confidence for p in predictions])) > 0.5
    for (label, text), prediction in zip(IN_CLASS.items(), predictions, strict=True):
        assert prediction.label == label, (text, prediction)
        assert 1 <= len(prediction.words) <= 5
        assert all(len(word) >= 2 and word in text for word in prediction.words)


@pytest.mark.parametrize("text", ["", "   ", "asdf qwer zxcv 12345", "The road near my house is broken", "！？。，"])
def test_nothing_known_means_low_confidence(full: tuple[TriageClassifier, bytes], text: str) -> None:
    model, _ = full
    (prediction,) = model.predict([text])
    assert isinstance(prediction, Prediction)
    assert prediction.label in model.classes
    assert 0.0 <= prediction.confidence < 0.5


def test_a_class_never_seen_is_less_confident(full: tuple[TriageClassifier, bytes]) -> None:
    model, _ = full
    unseen = model.predict([UNSEEN_CLASS, "财政局拖欠项目资金，请纪委调查"])
    in_class = model.predict(list(IN_CLASS.values()))
    assert max(p.confidence for p in unseen) < min(p.confidence for p in in_class)
    assert max(p.confidence for p in unseen) < 0.5


def test_corrections_teach_a_new_phrasing() -> None:
    texts, labels = _small(15)
    phrasing = "共享单车乱停乱放堵住了人行道"
    before = TriageClassifier(seed=0).fit(texts, labels).predict([phrasing])[0].label
    target = next(label for label in sorted(set(labels)) if label != before)
    corrections = [f"{phrasing} {place}" for place in ("东门", "西门", "南门", "北门", "广场")]
    after = TriageClassifier(seed=0).fit([*texts, *corrections], [*labels, *[target] * len(corrections)])
    assert after.predict([phrasing])[0].label == target


def test_cross_validate_gives_sane_figures() -> None:
    texts, labels = _small(12)
    result = cross_validate(texts, labels, folds=3, repeats=1, seed=0)
    assert result["folds"] == 3
    assert result["repeats"] == 1
    assert len(result["fold_scores"]) == 3
    assert 0.3 < result["macro_f1"] <= 1.0
    assert 0.0 <= result["macro_f1_std"] < 0.3
    assert set(result["per_class_f1"]) == set(labels)
    baseline = cross_validate(texts, labels, folds=3, repeats=1, seed=0, make=BaselineClassifier)
    assert 0.0 < baseline["macro_f1"] <= 1.0


def test_cross_validate_leaves_out_unlabelled_repeats_of_labelled_messages() -> None:
    texts, labels = _small(6)
    repeats = [f"{text.split()[0]} 同样的标题" for text in texts[:5]]
    result = cross_validate(texts, labels, ["别的留言 内容完全不同", *repeats], folds=2, repeats=1)
    assert result["unlabeled_used"] == 1
