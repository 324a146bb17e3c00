"""The message classifier: character n-grams, the title again, word embeddings learned from unlabelled messages and
the taxonomy's words, in one linear SVM that is stored as plain arrays.

Why this pipeline (measured with repeated stratified cross-validation on the shipped 1,026 labelled messages; the
figures and the command are in bench/triage/README.md):

* **Characters, not words, carry most of it.** TF-IDF of character 1–2-grams beats jieba words by about 0.04 macro-F1:
  Chinese word segmentation of place names, estates and companies is noisy, and single characters and pairs match
  across the segmentation errors. Latin letters and digits are dropped first: in this data they are the anonymised
  place codes ("A3区", "K9县") and phone numbers, which say where, not what.
* **The title counts twice.** A second character 1–2-gram block of the title alone (weight 0.5): the title states
  the matter, the detail tells the story.
* **Embeddings learned from the unlabelled messages.** PPMI (window 5, distance-weighted, context distribution
  smoothed with 0.75) over the unlabelled messages, reduced with a randomised SVD to 200 dimensions, once for jieba
  words (with a domain dictionary made from the taxonomy's terms) and once for character bigrams. A message's
  vector is the IDF-weighted mean of its terms' vectors (body words, title words and body bigrams, three blocks).
  They let the SVM use words it never saw in a labelled message when the unlabelled ones use them like the
  words it did see. Because the mean is linear, the SVM's weights on those blocks fold into one score per term
  and class, so the artefact needs no embedding matrix.
* **The taxonomy's words.** For each class, the words of the level-2 and level-3 taxonomy names under it (split at
  和、及与/ and brackets, two characters or more; 250 words for the seven classes): one column per class with
  log(1 + how many of its words occur in the message, plus how many in the title), weight 0.3, and one column per
  word with log(1 + its hits), weight 0.4. The class columns say "this reads like the taxonomy's wording of class X",
  the word columns let the SVM weigh each word itself; together +0.011 macro-F1 (seed 1, 0.8854 → 0.8969), the
  class columns alone +0.004. No labels are involved: the words come from the taxonomy file.
* Tried and left out (no gain, or worse): word TF-IDF, character 3-grams, sublinear TF, balanced class weights,
  logistic regression, self-training on the unlabelled pool (the pool also has classes the model does not know),
  300-dimensional embeddings (+0.001 on seed 1 with the class columns, and a much slower first fit), a window of 8,
  Crammer–Singer or plain-hinge SVMs, C of 2 or 4 with the taxonomy block.

Confidence: the SVM's scores become probabilities with a softmax whose temperature, and a one-vs-rest sigmoid
whose slope and offset, are fitted on out-of-fold scores (an inner 3-fold split of the training messages). The
confidence is the softmax probability of the chosen class (how clearly it beats the others) times the sigmoid of
its own score (a message of a class the model never saw scores low on every class, whatever the margin between
them) times the share of the message's Chinese character pairs that the model knows (gibberish, English and empty
text get 0). It ranks rather than promises: over cross-validation folds the median is about 0.75 for right
answers and 0.64 for wrong ones; short messages of unknown classes mostly get 0.05–0.45 but not always (a
calibration fitted on the seven known classes cannot learn what the others look like). A logistic regression of
"right or wrong" on the top score and the margin calibrates better inside the seven classes but, having never
seen another class, gives such messages 0.4–0.7; it was dropped.

``words``: the jieba words of the message (two characters or more) that pushed the chosen class most: each word's
part of the character n-gram and embedding scores.

The model is kept as arrays (vocabularies, IDF, weights) and JSON in one ``.npz`` blob, read with
``allow_pickle=False``: loading a model can never run code. Everything is float32 before it is used, so a model
predicts exactly the same before and after a round trip.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import logging
import re
import sys
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

import jieba
import numpy as np
from scipy.optimize import minimize_scalar
from scipy.sparse import coo_matrix, csr_matrix, hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import RepeatedStratifiedKFold, StratifiedKFold
from sklearn.svm import LinearSVC
from sklearn.utils.extmath import randomized_svd

ALGORITHM = "char-1-2gram-tfidf+title+pool-ppmi-svd-embeddings+taxonomy-terms+linear-svm"
BASELINE_ALGORITHM = "jieba-word-tfidf+linear-svm"

TAXONOMY = Path(__file__).resolve().parents[2] / "data" / "tipdm2020" / "message_taxonomy_tipdm2020.csv"
FORMAT = 3  # artefact layout version

SVM_C = 3.0
TITLE_WEIGHT = 0.5
EMBEDDING_WEIGHTS = {"body_words": 0.5, "title_words": 0.3, "body_bigrams": 0.4}
TAXONOMY_WEIGHT = 0.3
TAXONOMY_TERM_WEIGHT = 0.4
EMBEDDING_DIM = 200
WINDOW = 5
MIN_COUNT = {"words": 5, "bigrams": 10}
TITLE_MAX = 60  # the title is the text before the first space, at most this long

_NOISE = re.compile(r"[A-Za-z0-9０-９Ａ-Ｚａ-ｚ]+")  # anonymised place codes, numbers, phone numbers
_SPACES = re.compile(r"\s\s+")
_NOT_TERM = re.compile(r"^[\s\W\dA-Za-z_]+$")  # punctuation, spaces, digits, Latin: not a word
_HAN = re.compile(r"[\u3400-\u9fff]")
_NOT_HAN = re.compile(r"[^\u3400-\u9fff]+")

jieba.setLogLevel(logging.WARNING)


@dataclass(frozen=True)
class Prediction:
    label: str
    confidence: float
    words: tuple[str, ...] = ()


# --- text -----------------------------------------------------------------------------------------------------------


def message_text(title: str, detail: str) -> str:
    """What the model reads of a message: the title, a space, then the text (the title is left out when the text
    already starts with it, as a matter filed without a title does). The same at training, at intake and in the
    benchmark."""
    title, detail = title.strip(), detail.strip()
    return f"{title} {detail}".strip() if title not in detail else detail


def _clean(text: str) -> str:
    """Drop Latin letters and digits (place codes, numbers) and squeeze runs of white space."""
    return _SPACES.sub(" ", _NOISE.sub("", text)).strip()


def _title(text: str) -> str:
    """The title of a "title + ' ' + detail" text: what comes before the first space."""
    parts = text.strip().split(maxsplit=1)
    return parts[0][:TITLE_MAX] if parts else ""


def _char_ngrams(text: str) -> list[str]:
    """Character 1- and 2-grams of the cleaned text (the TF-IDF blocks)."""
    return [*text, *(text[i : i + 2] for i in range(len(text) - 1))]


def _han_bigrams(text: str) -> list[str]:
    """Pairs of adjacent Chinese characters, never across punctuation or spaces (the bigram embedding)."""
    return [run[i : i + 2] for run in _NOT_HAN.split(text) for i in range(len(run) - 1)]


def _taxonomy_terms(path: Path = TAXONOMY) -> tuple[str, ...]:
    """The taxonomy's class names split into words ("城市建设和市政管理" → 城市建设, 市政管理), kept whole by jieba."""
    if not path.exists():
        return ()
    with path.open(encoding="utf-8", newline="") as handle:
        names = {name.strip() for row in csv.DictReader(handle) for name in row.values() if name}
    parts = {part for name in names for part in re.split(r"[和、及与/（）()]", name)}
    return tuple(sorted(part for part in parts if len(part) >= 2))


def _class_terms(classes: Sequence[str], path: Path = TAXONOMY) -> list[list[str]]:
    """For each class, the words of the second- and third-level taxonomy names under the first-level name that is the
    class ("城市建设和市政管理" → 城市建设, 市政管理); none for a class the taxonomy does not have."""
    found: dict[str, set[str]] = {}
    if path.exists():
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                for level in ("level2", "level3"):
                    for part in re.split(r"[和、及与/（）()]", (row.get(level) or "").strip()):
                        if len(part) >= 2:
                            found.setdefault((row.get("level1") or "").strip(), set()).add(part)
    return [sorted(found.get(name, ())) for name in classes]


def _taxonomy_features(texts: Sequence[str], terms: Sequence[Sequence[str]]) -> np.ndarray:
    """Per message, the taxonomy block: for each class, log(1 + hits of the class's taxonomy words) (weight
    ``TAXONOMY_WEIGHT``), then for each of those words in alphabetical order, log(1 + its hits) (weight
    ``TAXONOMY_TERM_WEIGHT``); a word hits once if it is in the message and once more if it is in the title."""
    vocabulary = sorted({word for words in terms for word in words})
    position = {word: column for column, word in enumerate(vocabulary)}
    member = np.zeros((len(vocabulary), len(terms)), np.float32)
    for column, words in enumerate(terms):
        for word in words:
            member[position[word], column] = 1.0
    hits = np.zeros((len(texts), len(vocabulary)), np.float32)
    for row, text in enumerate(texts):
        body, title = _clean(text), _clean(_title(text))
        hits[row] = [(word in body) + (word in title) for word in vocabulary]
    return np.hstack(
        [np.float32(TAXONOMY_WEIGHT) * np.log1p(hits @ member), np.float32(TAXONOMY_TERM_WEIGHT) * np.log1p(hits)]
    ).astype(np.float32)


@lru_cache(maxsize=4)
def _tokenizer(domain: tuple[str, ...]) -> jieba.Tokenizer:
    """A jieba tokenizer of our own with the domain words added (the global one is left alone); its dictionary
    cache goes to the system's temporary directory."""
    tokenizer = jieba.Tokenizer()
    tokenizer.tmp_dir = tempfile.gettempdir()
    for word in domain:
        tokenizer.add_word(word, freq=2000)
    return tokenizer


@lru_cache(maxsize=2048)
def _words(text: str, domain: tuple[str, ...]) -> tuple[str, ...]:
    """jieba words of the raw text, without punctuation, numbers and Latin. Cached, since cross-validation fits on
    the same labelled messages again and again; interned, so that the cache holds each word once."""
    return tuple(sys.intern(word) for word in _tokenizer(domain).lcut(text) if not _NOT_TERM.match(word))


# --- embeddings learned from the unlabelled messages -----------------------------------------------------------------


@dataclass(frozen=True)
class TermVectors:
    """Unit term vectors and their IDF over the corpus they were learned from."""

    terms: tuple[str, ...]
    vectors: np.ndarray
    idf: np.ndarray

    def index(self) -> dict[str, int]:
        return {term: i for i, term in enumerate(self.terms)}


def _ppmi(docs: Sequence[Sequence[str]], min_count: int) -> tuple[tuple[str, ...], csr_matrix]:
    """Positive PMI of terms within WINDOW of each other (weight 1/distance), context counts smoothed to ^0.75."""
    counts = Counter(term for doc in docs for term in doc)
    terms = tuple(sorted(term for term, count in counts.items() if count >= min_count))
    index = {term: i for i, term in enumerate(terms)}
    ids = [np.array([index[t] for t in doc if t in index], dtype=np.int64) for doc in docs]
    flat = np.concatenate([*ids, np.zeros(0, np.int64)])
    doc_of = np.repeat(np.arange(len(ids)), [len(i) for i in ids])
    rows, cols, weights = [], [], []
    for distance in range(1, WINDOW + 1):
        same = doc_of[distance:] == doc_of[:-distance]
        left, right = flat[:-distance][same], flat[distance:][same]
        rows += [left, right]
        cols += [right, left]
        weights += [np.full(2 * len(left), 1.0 / distance)]
    size = len(terms)
    if not size:
        return terms, csr_matrix((0, 0))
    cooc = coo_matrix(
        (
            np.concatenate([*weights, np.zeros(0)]),
            (np.concatenate([*rows, flat[:0]]), np.concatenate([*cols, flat[:0]])),
        ),
        shape=(size, size),
    ).tocsr()
    cooc.sum_duplicates()
    total = cooc.sum() or 1.0
    row_p = np.asarray(cooc.sum(axis=1)).ravel() / total
    context = np.asarray(cooc.sum(axis=0)).ravel() ** 0.75
    context_p = context / (context.sum() or 1.0)
    entries = cooc.tocoo()
    pmi = np.log(entries.data / total / row_p[entries.row] / context_p[entries.col])
    keep = pmi > 0
    return terms, csr_matrix((pmi[keep], (entries.row[keep], entries.col[keep])), shape=(size, size))


def _term_vectors(docs: Sequence[Sequence[str]], min_count: int, seed: int) -> TermVectors:
    """PPMI reduced by a randomised SVD (U·√S), rows scaled to unit length."""
    terms, ppmi = _ppmi(docs, min_count)
    dim = min(EMBEDDING_DIM, max(len(terms) - 1, 0))
    if dim < 2 or ppmi.nnz == 0:
        return TermVectors((), np.zeros((0, 1), np.float32), np.zeros(0, np.float32))
    u, s, _vt = randomized_svd(ppmi, dim, n_iter=2, random_state=seed)
    vectors = u * np.sqrt(s)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True) + 1e-12
    df = Counter(term for doc in docs for term in set(doc))
    idf = np.array([np.log((len(docs) + 1) / (df[t] + 1)) + 1 for t in terms])
    return TermVectors(terms, vectors.astype(np.float32), idf.astype(np.float32))


_EMBEDDING_CACHE: dict[str, tuple[TermVectors, TermVectors]] = {}


def _embeddings(corpus: Sequence[str], domain: tuple[str, ...], seed: int) -> tuple[TermVectors, TermVectors]:
    """Word and character-bigram vectors of a corpus, cached by its content (the last corpus only): cross-validation
    and the final fit use the same unlabelled messages, and learning their vectors is most of the training time."""
    digest = hashlib.sha256(json.dumps([list(corpus), list(domain), seed], ensure_ascii=False).encode()).hexdigest()
    if digest not in _EMBEDDING_CACHE:
        words = _term_vectors([_words(text, domain) for text in corpus], MIN_COUNT["words"], seed)
        bigrams = _term_vectors([_han_bigrams(_clean(text)) for text in corpus], MIN_COUNT["bigrams"], seed)
        _EMBEDDING_CACHE.clear()  # one corpus at a time: the vectors take about 35 MB
        _EMBEDDING_CACHE[digest] = (words, bigrams)
    return _EMBEDDING_CACHE[digest]


def _mean_weights(terms: Iterable[str], index: dict[str, int], idf: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The known terms' indices and their weights (count × IDF, summing to 1) in a message's mean vector."""
    counts = Counter(index[term] for term in terms if term in index)
    if not counts:
        return np.zeros(0, np.int64), np.zeros(0, np.float32)
    indices = np.fromiter(counts, dtype=np.int64, count=len(counts))
    weights = np.fromiter(counts.values(), dtype=np.float32, count=len(counts)) * idf[indices]
    return indices, (weights / weights.sum()).astype(np.float32)


def _mean_vectors(docs: Sequence[Sequence[str]], vectors: TermVectors) -> np.ndarray:
    index = vectors.index()
    out = np.zeros((len(docs), vectors.vectors.shape[1]), np.float32)
    for row, doc in enumerate(docs):
        indices, weights = _mean_weights(doc, index, vectors.idf)
        if len(indices):
            out[row] = weights @ vectors.vectors[indices]
    return out


# --- the model --------------------------------------------------------------------------------------------------------


@dataclass
class _Block:
    """Sparse TF-IDF block (character n-grams of the body or the title): vocabulary, IDF and per-class weights."""

    terms: dict[str, int] = field(default_factory=dict)
    idf: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float32))
    coef: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), np.float32))

    def vector(self, grams: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        counts = Counter(self.terms[gram] for gram in grams if gram in self.terms)
        if not counts:
            return np.zeros(0, np.int64), np.zeros(0, np.float32)
        indices = np.fromiter(counts, dtype=np.int64, count=len(counts))
        values = np.fromiter(counts.values(), dtype=np.float32, count=len(counts)) * self.idf[indices]
        return indices, values / np.float32(np.linalg.norm(values))


@dataclass
class _Folded:
    """An embedding block folded into the SVM: one score per term and class (weight × vector · SVM weights)."""

    terms: dict[str, int] = field(default_factory=dict)
    idf: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float32))
    scores: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), np.float32))


@dataclass
class _Calibration:
    """Softmax temperature, and slope and offset of the one-vs-rest sigmoid of a class's own score."""

    temperature: float = 3.0
    slope: float = 3.0
    offset: float = 0.0

    def confidence(self, scores: np.ndarray, best: int) -> float:
        shifted = self.temperature * (scores - scores.max())
        softmax = float(np.exp(shifted[best]) / np.exp(shifted).sum())
        own = float(1.0 / (1.0 + np.exp(-(self.slope * float(scores[best]) + self.offset))))
        return softmax * own


class TriageClassifier:
    """fit / predict / to_bytes / from_bytes; deterministic for a given ``seed`` (see the module docstring)."""

    algorithm = ALGORITHM

    def __init__(self, seed: int = 0) -> None:
        self.seed = seed
        self.classes: list[str] = []
        self._domain: tuple[str, ...] = ()
        self._body = _Block()
        self._title = _Block()
        self._folded: dict[str, _Folded] = {}
        self._intercept = np.zeros(0, np.float32)
        self._calibration = _Calibration()
        self._known = frozenset[str]()
        self._class_terms: list[list[str]] = []
        self._taxonomy_coef = np.zeros((0, 0), np.float32)

    # fit

    def fit(self, texts: Sequence[str], labels: Sequence[str], unlabeled: Sequence[str] = ()) -> TriageClassifier:
        """Learn embeddings from ``unlabeled`` (without the messages that repeat a labelled one; with ``texts`` too
        when there are fewer unlabelled than labelled messages), then the SVM on the labelled messages, then the
        calibration on out-of-fold scores."""
        texts, labels = list(texts), [str(label) for label in labels]
        self._domain = _taxonomy_terms()
        repeats_labelled = _repeats_labelled(texts)
        unlabeled = [text for text in unlabeled if not repeats_labelled(text)]
        corpus = unlabeled if len(unlabeled) >= len(texts) else [*unlabeled, *texts]
        word_vectors, bigram_vectors = _embeddings(corpus, self._domain, self.seed)
        body_vec = _vectorizer(_char_ngrams)
        title_vec = _vectorizer(_char_ngrams)
        body = body_vec.fit_transform([_clean(t) for t in texts])
        title = title_vec.fit_transform([_clean(_title(t)) for t in texts])
        dense, scales = self._dense_blocks(texts, word_vectors, bigram_vectors)
        self._class_terms = _class_terms(sorted(set(labels)))
        taxonomy = _taxonomy_features(texts, self._class_terms)
        features = hstack([body, TITLE_WEIGHT * title, csr_matrix(dense), csr_matrix(taxonomy)]).tocsr()
        svm = LinearSVC(C=SVM_C, random_state=self.seed).fit(features, labels)
        self.classes = [str(label) for label in svm.classes_]
        coef, intercept = _per_class(svm)
        self._calibration = _calibrate(features, np.array(labels), self.classes, self.seed)
        self._store(
            coef=coef,
            intercept=intercept,
            body_vec=body_vec,
            title_vec=title_vec,
            word_vectors=word_vectors,
            bigram_vectors=bigram_vectors,
            scales=scales,
        )
        return self

    def _dense_blocks(
        self, texts: Sequence[str], word_vectors: TermVectors, bigram_vectors: TermVectors
    ) -> tuple[np.ndarray, dict[str, float]]:
        """The three embedding blocks, each scaled so that its median message has length 1, then weighted."""
        raw = {
            "body_words": _mean_vectors([_words(t, self._domain) for t in texts], word_vectors),
            "title_words": _mean_vectors([_words(_title(t), self._domain) for t in texts], word_vectors),
            "body_bigrams": _mean_vectors([_han_bigrams(_clean(t)) for t in texts], bigram_vectors),
        }
        scales: dict[str, float] = {}
        for name, block in raw.items():
            norms = np.linalg.norm(block, axis=1)
            median = float(np.median(norms[norms > 0])) if np.any(norms > 0) else 1.0
            scales[name] = EMBEDDING_WEIGHTS[name] / median
        return np.hstack([raw[name] * np.float32(scales[name]) for name in raw]), scales

    def _store(
        self,
        *,
        coef: np.ndarray,
        intercept: np.ndarray,
        body_vec: TfidfVectorizer,
        title_vec: TfidfVectorizer,
        word_vectors: TermVectors,
        bigram_vectors: TermVectors,
        scales: dict[str, float],
    ) -> None:
        """Split the SVM's weights by block and fold the embedding blocks into per-term scores (float32)."""
        n_body, n_title = len(body_vec.vocabulary_), len(title_vec.vocabulary_)
        self._body = _Block(_vocabulary(body_vec), body_vec.idf_.astype(np.float32), coef[:, :n_body])
        self._title = _Block(
            _vocabulary(title_vec), title_vec.idf_.astype(np.float32), TITLE_WEIGHT * coef[:, n_body : n_body + n_title]
        )
        start = n_body + n_title
        self._folded = {}
        for name, vectors in (
            ("body_words", word_vectors),
            ("title_words", word_vectors),
            ("body_bigrams", bigram_vectors),
        ):
            dim = vectors.vectors.shape[1]
            block_coef = coef[:, start : start + dim]
            start += dim
            self._folded[name] = _Folded(
                vectors.index(), vectors.idf, (vectors.vectors @ block_coef.T * scales[name]).astype(np.float32)
            )
        self._taxonomy_coef = coef[:, start:].astype(np.float32)
        self._intercept = intercept
        self._round_trip()

    def _round_trip(self) -> None:
        """Make every array float32 exactly as the artefact stores it, and note the known character pairs."""
        for block in (self._body, self._title):
            block.idf, block.coef = block.idf.astype(np.float32), np.ascontiguousarray(block.coef, np.float32)
        for folded in self._folded.values():
            folded.idf, folded.scores = folded.idf.astype(np.float32), np.ascontiguousarray(folded.scores, np.float32)
        self._intercept = self._intercept.astype(np.float32)
        self._taxonomy_coef = np.ascontiguousarray(self._taxonomy_coef, np.float32)
        self._known = frozenset(term for term in self._body.terms if len(term) == 2 and _HAN.search(term))
        self._known |= frozenset(term for term in self._folded["body_bigrams"].terms)

    # predict

    def _scores(self, text: str) -> tuple[np.ndarray, list[str], dict[str, tuple[np.ndarray, np.ndarray]]]:
        """Class scores of one message, its jieba words, and each block's (term indices, per-class contributions)."""
        words = list(_words(text, self._domain))
        cleaned, title = _clean(text), _clean(_title(text))
        grams = {"body": _char_ngrams(cleaned), "title": _char_ngrams(title)}
        terms = {
            "body_words": words,
            "title_words": list(_words(_title(text), self._domain)),
            "body_bigrams": _han_bigrams(cleaned),
        }
        scores = self._intercept.astype(np.float64)
        parts: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        for name, block in (("body", self._body), ("title", self._title)):
            indices, values = block.vector(grams[name])
            parts[name] = (indices, block.coef[:, indices] * values)
        for name, folded in self._folded.items():
            indices, weights = _mean_weights(terms[name], folded.terms, folded.idf)
            parts[name] = (indices, (folded.scores[indices] * weights[:, None]).T)
        taxonomy = _taxonomy_features([text], self._class_terms)[0]
        parts["taxonomy"] = (np.arange(len(taxonomy)), self._taxonomy_coef * taxonomy)
        for _indices, contribution in parts.values():
            scores = scores + contribution.sum(axis=1)
        return scores, words, parts

    def _top_words(self, words: Sequence[str], parts: dict[str, tuple[np.ndarray, np.ndarray]], best: int) -> list[str]:
        """The words (two Chinese characters or more) that pushed class ``best`` most: each word's own embedding
        terms plus the character n-grams inside it."""
        candidates = sorted({word for word in words if len(word) >= 2 and _HAN.search(word)})
        pushed = dict.fromkeys(candidates, 0.0)
        for name, vocabulary in (("body", self._body.terms), ("title", self._title.terms)):
            indices, contribution = parts[name]
            column = {int(index): col for col, index in enumerate(indices)}
            for word in candidates:
                grams = {vocabulary.get(gram, -1) for gram in _char_ngrams(_clean(word))}
                pushed[word] += float(sum(contribution[best, column[i]] for i in grams if i in column))
        for name in ("body_words", "title_words"):
            indices, contribution = parts[name]
            column = {int(index): col for col, index in enumerate(indices)}
            vocabulary = self._folded[name].terms
            for word in candidates:
                if (i := vocabulary.get(word, -1)) in column:
                    pushed[word] += float(contribution[best, column[i]])
        ranked = sorted(pushed.items(), key=lambda item: (-item[1], item[0]))
        return [word for word, value in ranked[:5] if value > 0]

    def _coverage(self, text: str) -> float:
        """The share of the message's Chinese character pairs that the model knows."""
        pairs = _han_bigrams(_clean(text))
        if not pairs:
            return 0.0
        return sum(1 for pair in pairs if pair in self._known) / len(pairs)

    def predict(self, texts: Sequence[str]) -> list[Prediction]:
        return [self._predict_one(text) for text in texts]

    def _predict_one(self, text: str) -> Prediction:
        scores, words, parts = self._scores(text)
        best = int(np.argmax(scores))
        confidence = self._calibration.confidence(scores, best) * self._coverage(text)
        return Prediction(
            label=self.classes[best],
            confidence=round(min(max(confidence, 0.0), 1.0), 6),
            words=tuple(self._top_words(words, parts, best)),
        )

    # artefact

    def to_bytes(self) -> bytes:
        meta = {
            "format": FORMAT,
            "algorithm": self.algorithm,
            "seed": self.seed,
            "classes": self.classes,
            "domain": list(self._domain),
            "calibration": [self._calibration.temperature, self._calibration.slope, self._calibration.offset],
            "class_terms": self._class_terms,
        }
        arrays: dict[str, np.ndarray] = {
            "meta": np.frombuffer(json.dumps(meta, ensure_ascii=False).encode(), np.uint8),
            "intercept": self._intercept,
            "taxonomy_coef": self._taxonomy_coef,
        }
        for name, block in (("body", self._body), ("title", self._title)):
            arrays[f"{name}_terms"] = np.array(_ordered(block.terms), dtype=np.str_)
            arrays[f"{name}_idf"], arrays[f"{name}_coef"] = block.idf, block.coef
        for name, folded in self._folded.items():
            arrays[f"{name}_terms"] = np.array(_ordered(folded.terms), dtype=np.str_)
            arrays[f"{name}_idf"], arrays[f"{name}_scores"] = folded.idf, folded.scores
        buffer = io.BytesIO()
        np.savez_compressed(buffer, allow_pickle=False, **arrays)
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> TriageClassifier:
        with np.load(io.BytesIO(data), allow_pickle=False) as arrays:
            meta = json.loads(arrays["meta"].tobytes().decode())
            if meta.get("format") != FORMAT:
                raise ValueError(f"unsupported triage model format {meta.get('format')!r}")
            model = cls(seed=int(meta["seed"]))
            model.classes = [str(label) for label in meta["classes"]]
            model._domain = tuple(meta["domain"])
            model._calibration = _Calibration(*(float(value) for value in meta["calibration"]))
            model._intercept = arrays["intercept"]
            model._class_terms = [[str(word) for word in words] for words in meta["class_terms"]]
            model._taxonomy_coef = arrays["taxonomy_coef"]
            for name in ("body", "title"):
                block = _Block(_terms(arrays[f"{name}_terms"]), arrays[f"{name}_idf"], arrays[f"{name}_coef"])
                setattr(model, f"_{name}", block)
            model._folded = {
                name: _Folded(_terms(arrays[f"{name}_terms"]), arrays[f"{name}_idf"], arrays[f"{name}_scores"])
                for name in EMBEDDING_WEIGHTS
            }
        model._round_trip()
        return model


def _vectorizer(analyzer: Callable[[str], list[str]]) -> TfidfVectorizer:
    return TfidfVectorizer(analyzer=analyzer, dtype=np.float64)


def _vocabulary(vectorizer: TfidfVectorizer) -> dict[str, int]:
    return {str(term): int(index) for term, index in vectorizer.vocabulary_.items()}


def _ordered(terms: dict[str, int]) -> list[str]:
    return sorted(terms, key=terms.__getitem__)


def _terms(array: np.ndarray) -> dict[str, int]:
    return {str(term): index for index, term in enumerate(array.tolist())}


def _per_class(svm: LinearSVC) -> tuple[np.ndarray, np.ndarray]:
    """One row of weights per class (a binary SVM keeps one row: make it two)."""
    coef = np.asarray(svm.coef_, dtype=np.float64)
    intercept = np.asarray(svm.intercept_, dtype=np.float64)
    if coef.shape[0] == 1:
        coef, intercept = np.vstack([-coef[0], coef[0]]), np.array([-intercept[0], intercept[0]])
    return coef.astype(np.float32), intercept.astype(np.float32)


def _calibrate(features: csr_matrix, labels: np.ndarray, classes: list[str], seed: int) -> _Calibration:
    """Fit the softmax temperature and the one-vs-rest sigmoid on out-of-fold SVM scores of the training messages;
    keep the defaults when a class is too small to split."""
    smallest = min(Counter(labels.tolist()).values())
    if smallest < 2:
        return _Calibration()
    splitter = StratifiedKFold(n_splits=min(3, smallest), shuffle=True, random_state=seed)
    scores = np.zeros((len(labels), len(classes)))
    for train, test in splitter.split(features, labels):
        svm = LinearSVC(C=SVM_C, random_state=seed).fit(features[train], labels[train])
        coef, intercept = _per_class(svm)
        fold_scores = features[test] @ coef.T + intercept
        columns = [classes.index(str(label)) for label in svm.classes_] if coef.shape[0] == len(svm.classes_) else []
        if len(columns) != len(classes):
            return _Calibration()
        scores[np.ix_(test, columns)] = fold_scores
    truth = np.array([classes.index(str(label)) for label in labels])
    return _Calibration(_temperature(scores, truth), *_sigmoid(scores, truth, seed))


def _temperature(scores: np.ndarray, truth: np.ndarray) -> float:
    """The softmax temperature that minimises the log-loss of the true classes."""

    def loss(temperature: float) -> float:
        shifted = temperature * (scores - scores.max(axis=1, keepdims=True))
        log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        return float(-log_p[np.arange(len(truth)), truth].mean())

    return round(float(minimize_scalar(loss, bounds=(0.1, 50.0), method="bounded").x), 6)


def _sigmoid(scores: np.ndarray, truth: np.ndarray, seed: int) -> tuple[float, float]:
    """P(this class | its own score), one-vs-rest over every (message, class) pair."""
    target = np.zeros_like(scores, dtype=np.int64)
    target[np.arange(len(truth)), truth] = 1
    model = LogisticRegression(C=100.0, random_state=seed).fit(scores.reshape(-1, 1), target.ravel())
    return round(float(model.coef_[0, 0]), 6), round(float(model.intercept_[0]), 6)


# --- the plain baseline --------------------------------------------------------------------------------------------


class BaselineClassifier:
    """The plain baseline: TF-IDF of jieba words (two characters or more, scikit-learn's default token pattern) and a
    linear SVM. Only for the benchmark and the comparison in cross-validation; it is never shipped."""

    algorithm = BASELINE_ALGORITHM

    def __init__(self, seed: int = 0) -> None:
        self.seed = seed
        self.classes: list[str] = []
        self._vectorizer = TfidfVectorizer()
        self._svm = LinearSVC(random_state=seed)

    @staticmethod
    def _tokens(texts: Iterable[str]) -> list[str]:
        return [" ".join(_words(text, ())) for text in texts]

    def fit(self, texts: Sequence[str], labels: Sequence[str], unlabeled: Sequence[str] = ()) -> BaselineClassifier:
        self._svm.fit(self._vectorizer.fit_transform(self._tokens(texts)), list(labels))
        self.classes = [str(label) for label in self._svm.classes_]
        return self

    def predict(self, texts: Sequence[str]) -> list[Prediction]:
        scores = np.atleast_2d(self._svm.decision_function(self._vectorizer.transform(self._tokens(texts))))
        if len(self.classes) == 2:
            scores = np.hstack([-scores.T, scores.T])
        out = []
        for row in scores:
            shifted = np.exp(3.0 * (row - row.max()))
            best = int(np.argmax(row))
            out.append(Prediction(self.classes[best], float(shifted[best] / shifted.sum())))
        return out


def baseline_classifier(seed: int = 0) -> BaselineClassifier:
    return BaselineClassifier(seed=seed)


# --- cross-validation ---------------------------------------------------------------------------------------------


class Classifier(Protocol):
    classes: list[str]

    def fit(self, texts: Sequence[str], labels: Sequence[str], unlabeled: Sequence[str] = ()) -> Any: ...

    def predict(self, texts: Sequence[str]) -> list[Prediction]: ...


def _repeats_labelled(texts: Sequence[str]) -> Callable[[str], bool]:
    """Whether an unlabelled message repeats a labelled one: the same title, or the same first 60 characters of the
    detail. Such messages are left out of cross-validation, or the test messages would be learned from."""
    titles = {_title(text) for text in texts}
    starts = {_detail_start(text) for text in texts}
    return lambda text: _title(text) in titles or _detail_start(text) in starts


def _detail_start(text: str) -> str:
    parts = text.strip().split(maxsplit=1)
    return re.sub(r"\s", "", parts[-1] if parts else "")[:60]


def cross_validate(
    texts: Sequence[str],
    labels: Sequence[str],
    unlabeled: Sequence[str] = (),
    *,
    folds: int = 5,
    repeats: int = 3,
    seed: int = 0,
    make: Callable[[int], Classifier] = TriageClassifier,
) -> dict[str, Any]:
    """Repeated stratified k-fold macro-F1 of a fresh ``make(seed)`` model fitted inside each fold. Unlabelled
    messages that repeat any labelled one are dropped first."""
    texts, labels = list(texts), [str(label) for label in labels]
    repeats_labelled = _repeats_labelled(texts)
    pool = [text for text in unlabeled if not repeats_labelled(text)]
    classes = sorted(set(labels))
    splitter = RepeatedStratifiedKFold(n_splits=folds, n_repeats=repeats, random_state=seed)
    truth = np.array(labels)
    fold_scores: list[float] = []
    per_class: list[np.ndarray] = []
    for train, test in splitter.split(np.zeros(len(labels)), truth):
        model = make(seed).fit([texts[i] for i in train], truth[train].tolist(), pool)
        predicted = [p.label for p in model.predict([texts[i] for i in test])]
        fold_scores.append(float(f1_score(truth[test], predicted, average="macro", labels=classes, zero_division=0)))
        per_class.append(f1_score(truth[test], predicted, average=None, labels=classes, zero_division=0))
    means = np.mean(per_class, axis=0)
    return {
        "macro_f1": float(np.mean(fold_scores)),
        "macro_f1_std": float(np.std(fold_scores)),
        "per_class_f1": {label: round(float(value), 4) for label, value in zip(classes, means, strict=True)},
        "fold_scores": [round(score, 4) for score in fold_scores],
        "folds": folds,
        "repeats": repeats,
        "unlabeled_used": len(pool),
    }
