"""A small copy of the shipped messages (25 labelled a class, taken in file order, and 400 unlabelled), so that
training in tests takes a second or two; the real files are used by the benchmark and by test_classifier."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from gridwork.triage.backend import forget_loaded

PER_CLASS = 25
POOL = 400


@pytest.fixture
def small_data(tmp_path: Path, settings: Any) -> Path:
    source = Path(settings.BASE_DIR) / "data" / "tipdm2020" / "citizen_messages_labeled.csv"
    with source.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    taken: Counter[str] = Counter()
    kept = []
    for row in rows:
        if taken[row["label"]] < PER_CLASS:
            taken[row["label"]] += 1
            kept.append(row)
    with (tmp_path / "citizen_messages_labeled.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(kept)
    # A few hundred unlabelled messages: the embeddings are learned from them once and cached for the session.
    pool = source.with_name("citizen_messages_unlabeled.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    (tmp_path / "citizen_messages_unlabeled.csv").write_text("".join(pool[: POOL + 1]), encoding="utf-8")
    settings.TRIAGE_DATA_DIR = tmp_path
    settings.TRIAGE_CV_REPEATS = 1
    return tmp_path


@pytest.fixture(autouse=True)
def _no_loaded_model() -> None:
    forget_loaded()
