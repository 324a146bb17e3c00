"""Text likeness for the duplicate finder and the hot spots: cosine similarity of character uni- and bigram counts.

Chinese has no spaces, and residents word the same problem differently ("路灯不亮" / "路灯坏了，晚上一片黑"):
characters and their pairs carry it without a word list. Digits, Latin letters and punctuation are dropped, so house
numbers and phone numbers do not make two different problems look alike.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence

_KEEP = re.compile(r"[\u4e00-\u9fff]+")
# Words every message has; they say nothing about which problem it is.
_COMMON = frozenset("的了是在我们你他她它有和就不都也很到要与及等对为这那被把让给请问吗呢啊您好")


def shingles(text: str) -> Counter[str]:
    """The character unigrams (without the commonest function characters) and bigrams of ``text``'s Chinese runs."""
    counts: Counter[str] = Counter()
    for run in _KEEP.findall(text):
        counts.update(char for char in run if char not in _COMMON)
        counts.update(run[i : i + 2] for i in range(len(run) - 1))
    return counts


def cosine(a: Counter[str], b: Counter[str]) -> float:
    if not a or not b:
        return 0.0
    if len(a) > len(b):
        a, b = b, a
    dot = sum(count * b[gram] for gram, count in a.items() if gram in b)
    if not dot:
        return 0.0
    return dot / (math.sqrt(sum(c * c for c in a.values())) * math.sqrt(sum(c * c for c in b.values())))


def similarity(a: str, b: str) -> float:
    """How alike two texts are, from 0 (nothing shared) to 1 (the same characters in the same pairs)."""
    return cosine(shingles(a), shingles(b))


def most_similar(text: str, others: Sequence[str]) -> list[float]:
    """``similarity(text, other)`` for each of ``others``, with ``text``'s shingles computed once."""
    mine = shingles(text)
    return [cosine(mine, shingles(other)) for other in others]


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """The great-circle distance in metres (haversine; plenty within a city)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlmb = math.radians(lon2 - lon1)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * 6_371_000 * math.asin(min(1.0, math.sqrt(h)))
