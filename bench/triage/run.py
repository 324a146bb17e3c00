"""Triage classifier benchmark: the shipped TriageClassifier against the plain baseline (jieba words, TF-IDF, linear
SVM), in one run, on the shipped messages of data/tipdm2020. No database, no Django.

    .venv/bin/python bench/triage/run.py                       # 5 × 5 repeated stratified CV, seed 1
    .venv/bin/python bench/triage/run.py --folds 5 --repeats 2 --seed 7

Figures: cross-validated macro-F1 (mean ± standard deviation over the folds) and per-class F1 of both models on the
same splits; the shipped model's training time on the whole labelled file (cold: jieba's dictionary, the
embeddings of the unlabelled messages and the SVM; and warm: with the embeddings already learned, as in
cross-validation), predictions per second and the latency of one message on one core, and the artefact's size.
The seed differs from the one the pipeline was tuned with (0), so the figure is not the tuned one. Prints a
Markdown table and writes var/bench/triage.json.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import statistics
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data" / "tipdm2020"
RESULTS = ROOT / "var" / "bench" / "triage.json"
LABELLED = "citizen_messages_labeled.csv"
UNLABELLED = ("citizen_messages_unlabeled.csv", "citizen_messages_with_replies.csv")


def _rows(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def load() -> tuple[list[str], list[str], list[str]]:
    """Labelled texts and labels, and the unlabelled texts that are not a labelled text (as the training does;
    cross_validate and fit also drop those with a labelled message's title or detail)."""
    from gridwork.triage.classifier import message_text

    rows = [row for row in _rows(LABELLED) if row["label"].strip()]
    texts = [message_text(row["title"], row["detail"]) for row in rows]
    seen = set(texts)
    unlabelled: list[str] = []
    for name in UNLABELLED:
        for row in _rows(name):
            text = message_text(row.get("title", ""), row.get("detail", ""))
            if text and text not in seen:
                seen.add(text)
                unlabelled.append(text)
    return texts, [row["label"].strip() for row in rows], unlabelled


def run(options: argparse.Namespace) -> dict[str, Any]:
    from threadpoolctl import threadpool_limits

    from gridwork.triage import classifier

    texts, labels, unlabelled = load()
    with threadpool_limits(limits=1):
        cv = {}
        for name, make in (("shipped", classifier.TriageClassifier), ("baseline", classifier.BaselineClassifier)):
            started = time.perf_counter()
            cv[name] = classifier.cross_validate(
                texts, labels, unlabelled, folds=options.folds, repeats=options.repeats, seed=options.seed, make=make
            )
            cv[name]["seconds"] = round(time.perf_counter() - started, 1)
            print(f"{name}: macro-F1 {cv[name]['macro_f1']:.4f} ± {cv[name]['macro_f1_std']:.4f}", flush=True)
        training = _training(texts, labels, unlabelled)
        speed = _speed(training.pop("model"), unlabelled, options.messages)
    return {
        "benchmark": "triage",
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "threads": 1,
        "algorithm": classifier.ALGORITHM,
        "baseline_algorithm": classifier.BASELINE_ALGORITHM,
        "labelled": len(texts),
        "class_counts": dict(sorted(Counter(labels).items())),
        "unlabelled": len(unlabelled),
        "cv": {"folds": options.folds, "repeats": options.repeats, "seed": options.seed, **cv},
        "training": training,
        "prediction": speed,
    }


def _training(texts: list[str], labels: list[str], unlabelled: list[str]) -> dict[str, Any]:
    from gridwork.triage import classifier

    classifier._EMBEDDING_CACHE.clear()
    classifier._words.cache_clear()
    classifier._tokenizer.cache_clear()
    started = time.perf_counter()
    model = classifier.TriageClassifier(seed=0).fit(texts, labels, unlabelled)
    cold = time.perf_counter() - started
    started = time.perf_counter()
    classifier.TriageClassifier(seed=0).fit(texts, labels, unlabelled)
    warm = time.perf_counter() - started
    artefact = model.to_bytes()
    started = time.perf_counter()
    classifier.TriageClassifier.from_bytes(artefact)
    load_seconds = time.perf_counter() - started
    return {
        "model": model,
        "cold_seconds": round(cold, 2),
        "warm_seconds": round(warm, 2),
        "artefact_bytes": len(artefact),
        "load_seconds": round(load_seconds, 3),
    }


def _speed(model: Any, unlabelled: list[str], count: int) -> dict[str, Any]:
    """Batch rate over unlabelled messages, then one message at a time on other ones; jieba's cache of words is
    emptied first, so that every message is segmented."""
    from gridwork.triage import classifier

    classifier._words.cache_clear()
    batch = unlabelled[:count]
    started = time.perf_counter()
    model.predict(batch)
    rate = len(batch) / (time.perf_counter() - started)
    singles = []
    for text in unlabelled[count : count + 300]:
        started = time.perf_counter()
        model.predict([text])
        singles.append((time.perf_counter() - started) * 1000)
    singles.sort()
    return {
        "messages": len(batch),
        "per_second": round(rate, 1),
        "single_ms_p50": round(statistics.median(singles), 2),
        "single_ms_p95": round(singles[int(0.95 * (len(singles) - 1))], 2),
        "mean_characters": round(statistics.mean(len(text) for text in batch), 1),
    }


def table(result: dict[str, Any]) -> str:
    cv = result["cv"]
    shipped, baseline = cv["shipped"], cv["baseline"]
    lines = [
        f"Repeated stratified CV, {cv['folds']} folds × {cv['repeats']} repeats (seed {cv['seed']}), "
        f"{result['labelled']} labelled messages, {shipped['unlabeled_used']} unlabelled ones",
        "",
        "| | shipped | baseline |",
        "| --- | ---: | ---: |",
        f"| algorithm | {result['algorithm']} | {result['baseline_algorithm']} |",
        f"| macro-F1 | {shipped['macro_f1']:.4f} ± {shipped['macro_f1_std']:.4f} "
        f"| {baseline['macro_f1']:.4f} ± {baseline['macro_f1_std']:.4f} |",
    ]
    lines += [
        f"| F1 {label} ({result['class_counts'][label]}) | {shipped['per_class_f1'][label]:.4f} "
        f"| {baseline['per_class_f1'][label]:.4f} |"
        for label in shipped["per_class_f1"]
    ]
    training, prediction = result["training"], result["prediction"]
    lines += [
        f"| CV wall time | {shipped['seconds']} s | {baseline['seconds']} s |",
        "",
        "| shipped model, one core | |",
        "| --- | ---: |",
        f"| training on the labelled file, cold (jieba, embeddings, SVM) | {training['cold_seconds']} s |",
        f"| training again, embeddings cached | {training['warm_seconds']} s |",
        f"| artefact | {training['artefact_bytes'] / 1e6:.2f} MB (loads in {training['load_seconds']} s) |",
        f"| predictions | {prediction['per_second']} messages/s ({prediction['messages']} messages, "
        f"{prediction['mean_characters']} characters on average) |",
        f"| one message | p50 {prediction['single_ms_p50']} ms, p95 {prediction['single_ms_p95']} ms |",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
        os.environ[variable] = "1"  # one core; numpy is imported later, in run()
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1, help="CV seed (the pipeline was tuned with 0)")
    parser.add_argument("--messages", type=int, default=2000, help="messages in the prediction-rate batch")
    options = parser.parse_args(argv)
    started = time.perf_counter()
    result = run(options)
    result["wall_seconds"] = round(time.perf_counter() - started, 1)
    print()
    print(table(result))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"\nResults written to {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
