"""The message classifier: character n-gram TF-IDF and a linear SVM, stored as plain arrays.

A first version; see bench/triage for how it compares with the baseline. The model is kept as arrays (vocabulary,
idf, weights) in one ``.npz`` blob, read with ``allow_pickle=False``: loading a model can never run code.
"""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.svm import LinearSVC

ALGORITHM = "char-1-2gram-tfidf+linear-svm"


@dataclass(frozen=True)
class Prediction:
    label: str
    confidence: float
    words: tuple[str, ...] = ()


class TriageClassifier:
    """fit / predict / to_bytes / from_bytes; deterministic for a given ``seed``."""

    algorithm = ALGORITHM

    def __init__(self, seed: int = 0) -> None:
        self.seed = seed
        self.classes: list[str] = []
        self._vocabulary: dict[str, int] = {}
        self._idf = np.zeros(0)
        self._coef = np.zeros((0, 0))
        self._intercept = np.zeros(0)

    def fit(self, texts: Sequence[str], labels: Sequence[str], unlabeled: Sequence[str] = ()) -> TriageClassifier:
        vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(1, 2), dtype=np.float64)
        matrix = vectorizer.fit_transform(list(texts))
        svm = LinearSVC(C=2.0, random_state=self.seed).fit(matrix, list(labels))
        self.classes = [str(label) for label in svm.classes_]
        self._vocabulary = {str(term): int(index) for term, index in vectorizer.vocabulary_.items()}
        self._idf = np.asarray(vectorizer.idf_, dtype=np.float64)
        coef = np.asarray(svm.coef_, dtype=np.float64)
        intercept = np.asarray(svm.intercept_, dtype=np.float64)
        if len(self.classes) == 2:  # binary SVMs keep one row; make it one row per class
            coef = np.vstack([-coef[0], coef[0]])
            intercept = np.array([-intercept[0], intercept[0]])
        self._coef, self._intercept = coef, intercept
        return self

    def _vector(self, text: str) -> dict[int, float]:
        counts: dict[int, float] = {}
        for n in (1, 2):
            for i in range(len(text) - n + 1):
                index = self._vocabulary.get(text[i : i + n])
                if index is not None:
                    counts[index] = counts.get(index, 0.0) + 1.0
        weighted = {index: count * self._idf[index] for index, count in counts.items()}
        norm = float(np.sqrt(sum(value * value for value in weighted.values()))) or 1.0
        return {index: value / norm for index, value in weighted.items()}

    def predict(self, texts: Sequence[str]) -> list[Prediction]:
        inverse = {index: term for term, index in self._vocabulary.items()} if texts else {}
        out = []
        for text in texts:
            vector = self._vector(text)
            indices = np.fromiter(vector.keys(), dtype=np.int64)
            values = np.fromiter(vector.values(), dtype=np.float64)
            scores = self._coef[:, indices] @ values + self._intercept
            best = int(np.argmax(scores))
            exp = np.exp(3.0 * (scores - scores.max()))
            confidence = float(exp[best] / exp.sum()) if len(indices) else 0.0
            contributions = self._coef[best, indices] * values
            order = np.argsort(-contributions)[:5]
            words = tuple(inverse[int(indices[i])] for i in order if contributions[i] > 0)
            out.append(Prediction(label=self.classes[best], confidence=confidence, words=words))
        return out

    def to_bytes(self) -> bytes:
        terms = sorted(self._vocabulary, key=self._vocabulary.__getitem__)
        buffer = io.BytesIO()
        np.savez_compressed(
            buffer,
            meta=np.frombuffer(
                json.dumps({"algorithm": self.algorithm, "seed": self.seed, "classes": self.classes}).encode(), np.uint8
            ),
            terms=np.array(terms, dtype=np.str_),
            idf=self._idf,
            coef=self._coef,
            intercept=self._intercept,
        )
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> TriageClassifier:
        with np.load(io.BytesIO(data), allow_pickle=False) as arrays:
            meta = json.loads(arrays["meta"].tobytes().decode())
            model = cls(seed=int(meta["seed"]))
            model.classes = list(meta["classes"])
            model._vocabulary = {str(term): index for index, term in enumerate(arrays["terms"])}
            model._idf = arrays["idf"]
            model._coef = arrays["coef"]
            model._intercept = arrays["intercept"]
        return model
