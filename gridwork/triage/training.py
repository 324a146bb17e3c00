"""Training a triage model: the shipped labelled messages plus the dispatchers' corrections, cross-validated, stored
as a new version, and put live only if its cross-validated macro-F1 is not worse than the live model's.

The shipped data (``data/tipdm2020``, the 2020 TipDM Cup's public messages) is read from the repository, never from
outside it. ``settings.TRIAGE_DATA_DIR`` points elsewhere in tests.
"""

from __future__ import annotations

import csv
import hashlib
import json
import logging
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from gridwork.audit.services import audit_record
from gridwork.matters.models import Category
from gridwork.triage import classifier
from gridwork.triage.artefacts import usable
from gridwork.triage.classifier import message_text
from gridwork.triage.models import ClassMapping, ModelStatus, TriageCorrection, TriageModel, TriagePolicy

logger = logging.getLogger(__name__)

LABELLED = "citizen_messages_labeled.csv"
UNLABELLED = ("citizen_messages_unlabeled.csv", "citizen_messages_with_replies.csv")


@dataclass(frozen=True)
class Example:
    text: str
    label: str


def data_dir() -> Path:
    return Path(getattr(settings, "TRIAGE_DATA_DIR", settings.BASE_DIR / "data" / "tipdm2020"))


def _rows(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        return []
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def shipped_examples() -> list[Example]:
    return [
        Example(message_text(row["title"], row["detail"]), row["label"].strip())
        for row in _rows(data_dir() / LABELLED)
        if row.get("label", "").strip()
    ]


def unlabelled_texts(labelled: Iterable[Example]) -> list[str]:
    """The unlabelled messages, without any that repeats a labelled one (so that nothing is learned twice)."""
    seen = {example.text for example in labelled}
    texts: list[str] = []
    for name in UNLABELLED:
        for row in _rows(data_dir() / name):
            text = message_text(row.get("title", ""), row.get("detail", ""))
            if text and text not in seen:
                seen.add(text)
                texts.append(text)
    return texts


def label_for(category: Category) -> str:
    """The model class a category teaches: the label mapped to it or to its nearest mapped ancestor; else the name
    of its top-level category (a class the model does not know yet, learned once enough corrections name it)."""
    mapped = dict(ClassMapping.objects.filter(category__isnull=False).values_list("category_id", "label"))
    current: Category | None = category
    top = category
    while current is not None:
        if current.pk in mapped:
            return mapped[current.pk]
        top = current
        current = current.parent
    return top.name


def correction_examples() -> list[Example]:
    """The latest correction of each matter (a later one overrides an earlier one)."""
    latest: dict[int, TriageCorrection] = {}
    for correction in TriageCorrection.objects.exclude(label="").order_by("created_at", "pk"):
        latest[correction.matter_id] = correction
    return [Example(c.text, c.label) for c in latest.values()]


def training_set(
    shipped: Sequence[Example], corrections: Sequence[Example], *, min_examples: int
) -> tuple[list[Example], int]:
    """Shipped examples and corrections (a correction replaces a shipped example of the same text); classes with
    fewer than ``min_examples`` examples are left out until more corrections name them."""
    corrected = {example.text: example for example in corrections}
    merged = [example for example in shipped if example.text not in corrected] + list(corrected.values())
    counts = Counter(example.label for example in merged)
    kept = [example for example in merged if counts[example.label] >= min_examples]
    used = sum(1 for example in corrected.values() if counts[example.label] >= min_examples)
    return kept, used


def data_hash(examples: Sequence[Example], unlabelled: Sequence[str]) -> str:
    digest = hashlib.sha256()
    for example in sorted(examples, key=lambda e: (e.label, e.text)):
        digest.update(json.dumps([example.label, example.text], ensure_ascii=False).encode())
    digest.update(b"\x00unlabelled\x00")
    for text in sorted(unlabelled):
        digest.update(text.encode())
        digest.update(b"\x00")
    return digest.hexdigest()


def train(
    *,
    trigger: str,
    user: Any = None,
    seed: int | None = None,
    folds: int | None = None,
    repeats: int | None = None,
    promote: bool = True,
    force: bool = False,
    now: datetime | None = None,
) -> TriageModel:
    """Train, cross-validate and store a new version; put it live if it is not worse than the live one.

    Without ``force``, nothing is trained when the live model was trained on exactly these data with this seed and
    algorithm (the weekly job after a quiet week): the live model is returned."""
    seed = settings.TRIAGE_SEED if seed is None else seed
    folds = folds or settings.TRIAGE_CV_FOLDS
    repeats = repeats or settings.TRIAGE_CV_REPEATS
    shipped = shipped_examples()
    examples, used = training_set(shipped, correction_examples(), min_examples=max(folds, settings.TRIAGE_MIN_CLASS))
    if len({example.label for example in examples}) < 2:
        raise ValueError(_("There is nothing to train on: the labelled messages are missing."))
    unlabelled = unlabelled_texts(examples)
    digest = data_hash(examples, unlabelled)
    live = TriageModel.objects.filter(status=ModelStatus.LIVE).defer("artefact").first()
    if (
        not force
        and live is not None
        and (live.data_hash, live.seed, live.algorithm) == (digest, seed, classifier.ALGORITHM)
        and usable(live)
    ):
        return live
    texts = [example.text for example in examples]
    labels = [example.label for example in examples]
    started = time.perf_counter()
    scores = classifier.cross_validate(texts, labels, unlabelled, folds=folds, repeats=repeats, seed=seed)
    model = classifier.TriageClassifier(seed=seed).fit(texts, labels, unlabelled)
    seconds = time.perf_counter() - started
    artefact = model.to_bytes()
    scores["class_counts"] = dict(sorted(Counter(labels).items()))
    row = _store(
        TriageModel(
            status=ModelStatus.CANDIDATE,
            trigger=trigger,
            trained_by=user if getattr(user, "is_authenticated", False) else None,
            created_at=now or timezone.now(),
            algorithm=model.algorithm,
            seed=seed,
            classes=list(model.classes),
            data_hash=digest,
            sample_count=len(examples),
            correction_count=used,
            cv_macro_f1=float(scores["macro_f1"]),
            cv_macro_f1_std=float(scores["macro_f1_std"]),
            metrics=scores,
            training_seconds=round(seconds, 2),
            artefact=artefact,
            artefact_sha256=hashlib.sha256(artefact).hexdigest(),
        ),
        user=user,
    )
    if promote:
        promote_if_not_worse(row, user=user)
        row.refresh_from_db()
    return row


def _store(row: TriageModel, *, user: Any) -> TriageModel:
    """Number the version (the next free one; two trainings at once both succeed, one after the other)."""
    for _attempt in range(5):
        row.version = (TriageModel.objects.aggregate(top=Max("version"))["top"] or 0) + 1
        try:
            with transaction.atomic():
                row.save()
                audit_record(
                    actor=user,
                    action="triage.model.trained",
                    target=row,
                    detail={"version": row.version, "macro_f1": round(row.cv_macro_f1, 4), "trigger": row.trigger},
                    actor_name="system",
                )
            return row
        except IntegrityError:
            row.pk = None
            continue
    raise RuntimeError("could not number the new triage model")


def _lock_promotions() -> None:
    """Promotions and rollbacks one at a time: they lock the policy row first (the live row may not exist yet)."""
    TriagePolicy.objects.get_or_create(pk=1)
    TriagePolicy.objects.select_for_update().filter(pk=1).first()


def promote_if_not_worse(candidate: TriageModel, *, user: Any = None) -> bool:
    """Put ``candidate`` live if there is no usable live model or its cross-validated macro-F1 is at least the live
    one's; otherwise mark it rejected. One promotion at a time, so two at once cannot both win."""
    with transaction.atomic():
        _lock_promotions()
        live = TriageModel.objects.select_for_update().filter(status=ModelStatus.LIVE).first()
        if live is not None and not usable(live):
            live.status = ModelStatus.RETIRED
            live.note = _("Retired: its artefact cannot be read any more.")
            live.save(update_fields=["status", "note"])
            live = None
        candidate = TriageModel.objects.select_for_update().get(pk=candidate.pk)
        if candidate.status != ModelStatus.CANDIDATE:
            return candidate.status == ModelStatus.LIVE
        if live is not None and candidate.cv_macro_f1 < live.cv_macro_f1:
            candidate.status = ModelStatus.REJECTED
            candidate.note = _("Not put live: macro-F1 %(new).3f is below the live v%(version)s's %(old).3f.") % {
                "new": candidate.cv_macro_f1,
                "version": live.version,
                "old": live.cv_macro_f1,
            }
            candidate.save(update_fields=["status", "note"])
            action = "triage.model.rejected"
        else:
            if live is not None:
                live.status = ModelStatus.RETIRED
                live.save(update_fields=["status"])
            candidate.status = ModelStatus.LIVE
            candidate.promoted_at = timezone.now()
            candidate.save(update_fields=["status", "promoted_at"])
            _map_new_classes(candidate.classes)
            action = "triage.model.live"
        audit_record(
            actor=user, action=action, target=candidate, detail={"version": candidate.version}, actor_name="system"
        )
    return candidate.status == ModelStatus.LIVE


def force_live(model: TriageModel, *, user: Any) -> None:
    """An administrator's decision to put an older or rejected version live (a rollback). A version whose artefact
    cannot be read is refused with ValueError."""
    if not usable(model):
        raise ValueError(_("Version %(version)s cannot be read; train a new one.") % {"version": model.version})
    with transaction.atomic():
        _lock_promotions()
        TriageModel.objects.select_for_update().filter(status=ModelStatus.LIVE).exclude(pk=model.pk).update(
            status=ModelStatus.RETIRED
        )
        TriageModel.objects.filter(pk=model.pk).update(status=ModelStatus.LIVE, promoted_at=timezone.now())
        _map_new_classes(model.classes)
        audit_record(actor=user, action="triage.model.rollback", target=model, detail={"version": model.version})


def _map_new_classes(classes: Iterable[str]) -> None:
    """A class first learned from corrections gets a mapping to the top-level category of its name."""
    known = set(ClassMapping.objects.values_list("label", flat=True))
    for label in classes:
        if label not in known:
            category = Category.objects.filter(name=label, parent__isnull=True).first()
            ClassMapping.objects.create(label=label, category=category)
