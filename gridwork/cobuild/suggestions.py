"""Which resources fit a need (需求—资源对接): a ranking staff can read and check.

``rank_offers`` is pure: given a need and the resources on offer, it scores each one and says why, in the words staff
see ("same field: Elderly care", "similar words: 助餐, 老年", "the unit sits in the same street", "available on the
wanted-by date", "enough: 50 份 for 30 份"). ``need_suggestions`` reads the offers of a need from the database and ranks
them.

The rule, in points (at most 110):

- the field of work (``ServiceField``): +40 when the resource's is the need's;
- the words: up to +30, 30 × the cosine similarity of the two texts (title and description) as TF-IDF vectors of
  character bigrams (a Chinese text has no spaces: "老年人助餐" gives 老年, 年人, 人助, 助餐; Latin letters and digits
  count as whole words), the inverse document frequencies taken over the need and all the offers, so a bigram every
  offer has ("服务", "社区") weighs little;
- nearness by the places tree: the unit sits in the need's community +20, in its street +12, in its district +6,
  elsewhere in the city 0;
- the dates: +10 when the resource's dates cover the need's wanted-by day (an open end covers everything; a need
  without a day is covered by any resource still available);
- the quantity: +10 when both give a quantity in the same unit of measure and the resource's is enough; a part of
  the 10 in proportion when it is not.

A resource fits only if it is in the need's field or its words are similar (cosine ≥ ``MIN_SIMILARITY``); one used up,
withdrawn or no longer available (its last day past) is not offered at all (``need_offers``). The higher score comes
first; on equal scores the more similar words, then the older resource, so the order never flickers.
"""

from __future__ import annotations

import datetime
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from gridwork.cobuild.categories import ServiceField
from gridwork.cobuild.models import Need, Resource, ResourceState

FIELD_POINTS = 40
TEXT_POINTS = 30
COMMUNITY_POINTS = 20
STREET_POINTS = 12
DISTRICT_POINTS = 6
DATES_POINTS = 10
QUANTITY_POINTS = 10
MIN_SIMILARITY = 0.1
SHARED_WORDS_SHOWN = 3
MAX_OFFERS = 3000

# The depth of each level in a place path /city/district/street/community/…/.
CITY_DEPTH, DISTRICT_DEPTH, STREET_DEPTH, COMMUNITY_DEPTH = 1, 2, 3, 4

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_RUNS = re.compile(rf"[{_CJK}]+|[a-z0-9]+")


# --- the words ------------------------------------------------------------------------------------------------------


def tokens(text: str) -> list[str]:
    """The terms of a text: the character bigrams of each run of Chinese characters (a run of one character is
    itself a term), and each run of Latin letters or digits as a word. Punctuation and spaces only separate."""
    terms: list[str] = []
    for run in _RUNS.findall(text.lower()):
        if "a" <= run[0] <= "z" or run[0].isdigit() or len(run) == 1:
            terms.append(run)
        else:
            terms.extend(run[i : i + 2] for i in range(len(run) - 1))
    return terms


Vector = dict[str, float]


def tfidf_vectors(texts: Sequence[str]) -> list[Vector]:
    """Unit-length TF-IDF vectors of ``texts``: term frequency × smoothed inverse document frequency,
    ``ln((1 + n) / (1 + df)) + 1`` over the n texts given."""
    counts = [Counter(tokens(text)) for text in texts]
    frequency: Counter[str] = Counter()
    for count in counts:
        frequency.update(count.keys())
    n = len(texts)
    vectors: list[Vector] = []
    for count in counts:
        vector = {term: tf * (math.log((1 + n) / (1 + frequency[term])) + 1) for term, tf in count.items()}
        norm = math.sqrt(sum(weight * weight for weight in vector.values()))
        vectors.append({term: weight / norm for term, weight in vector.items()} if norm else {})
    return vectors


def cosine(a: Vector, b: Vector) -> float:
    if len(b) < len(a):
        a, b = b, a
    return sum(weight * b.get(term, 0.0) for term, weight in a.items())


def shared_terms(a: Vector, b: Vector, *, limit: int = SHARED_WORDS_SHOWN) -> list[str]:
    """The terms that weigh most in the similarity of two vectors, heaviest first."""
    shared = [(a[term] * b[term], term) for term in a.keys() & b.keys()]
    return [term for _weight, term in sorted(shared, key=lambda pair: (-pair[0], pair[1]))[:limit]]


# --- the rule -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NeedFacts:
    field: str
    text: str
    path: str  # the community's place path
    quantity: Decimal | None = None
    quantity_unit: str = ""
    wanted_by: datetime.date | None = None


@dataclass(frozen=True)
class Offer:
    resource_id: int
    field: str
    text: str
    path: str  # the place path of the unit's community or street
    quantity: Decimal | None = None
    quantity_unit: str = ""
    available_from: datetime.date | None = None
    available_to: datetime.date | None = None


@dataclass(frozen=True)
class Suggestion:
    resource_id: int
    score: int
    similarity: float
    reasons: tuple[str, ...]


def _codes(path: str) -> list[str]:
    return [code for code in path.split("/") if code]


def shared_depth(a: str, b: str) -> int:
    """How many levels from the city down two place paths share."""
    depth = 0
    for left, right in zip(_codes(a), _codes(b), strict=False):
        if left != right:
            break
        depth += 1
    return depth


def _amount(value: Decimal, unit: str) -> str:
    return f"{value.normalize():f} {unit.strip()}".strip()


def _nearness(need: NeedFacts, offer: Offer) -> tuple[int, str]:
    shared = shared_depth(need.path, offer.path)
    if shared >= COMMUNITY_DEPTH:
        return COMMUNITY_POINTS, _("the unit sits in the same community")
    if shared == STREET_DEPTH:
        return STREET_POINTS, _("the unit sits in the same street")
    if shared == DISTRICT_DEPTH:
        return DISTRICT_POINTS, _("the unit sits in the same district")
    return 0, _("the unit sits elsewhere in the city")


def _dates(need: NeedFacts, offer: Offer) -> tuple[int, str]:
    start, end, day = offer.available_from, offer.available_to, need.wanted_by
    if day is None:
        if end is None:
            return DATES_POINTS, _("the need has no date; the resource has no end date")
        return DATES_POINTS, _("the need has no date; available until %(end)s") % {"end": end.isoformat()}
    if start is not None and start > day:
        return 0, _("available only from %(start)s, after the wanted-by day %(day)s") % {
            "start": start.isoformat(),
            "day": day.isoformat(),
        }
    if end is not None and end < day:
        return 0, _("available only until %(end)s, before the wanted-by day %(day)s") % {
            "end": end.isoformat(),
            "day": day.isoformat(),
        }
    return DATES_POINTS, _("available on the wanted-by day %(day)s") % {"day": day.isoformat()}


def _same_unit(a: str, b: str) -> bool:
    return a.strip().casefold() == b.strip().casefold()


def _quantity(need: NeedFacts, offer: Offer) -> tuple[int, str]:
    if need.quantity is None:
        return 0, _("the need gives no quantity")
    if offer.quantity is None:
        return 0, _("the resource gives no quantity")
    if not _same_unit(need.quantity_unit, offer.quantity_unit):
        return 0, _("quantities not comparable: %(offer)s for %(need)s") % {
            "offer": _amount(offer.quantity, offer.quantity_unit),
            "need": _amount(need.quantity, need.quantity_unit),
        }
    if offer.quantity >= need.quantity:
        return QUANTITY_POINTS, _("enough: %(offer)s for %(need)s") % {
            "offer": _amount(offer.quantity, offer.quantity_unit),
            "need": _amount(need.quantity, need.quantity_unit),
        }
    points = math.floor(QUANTITY_POINTS * offer.quantity / need.quantity)
    return points, _("only %(offer)s of %(need)s") % {
        "offer": _amount(offer.quantity, offer.quantity_unit),
        "need": _amount(need.quantity, need.quantity_unit),
    }


def rank_one(*, need: NeedFacts, offer: Offer, need_vector: Vector, offer_vector: Vector) -> Suggestion | None:
    """The score of one offer and its reasons; None if it does not fit (another field and dissimilar words)."""
    similarity = cosine(need_vector, offer_vector)
    same_field = offer.field == need.field
    if not same_field and similarity < MIN_SIMILARITY:
        return None
    score, reasons = 0, []
    if same_field:
        score += FIELD_POINTS
        reasons.append(_("same field: %(field)s") % {"field": ServiceField(need.field).label})
    else:
        reasons.append(_("another field: %(field)s") % {"field": ServiceField(offer.field).label})
    score += round(TEXT_POINTS * similarity)
    words = shared_terms(need_vector, offer_vector)
    if words:
        reasons.append(
            _("similar words (%(similarity)d%%): %(words)s")
            % {"similarity": round(100 * similarity), "words": ", ".join(words)}
        )
    else:
        reasons.append(_("no words in common"))
    for part in (_nearness, _dates, _quantity):
        points, reason = part(need, offer)
        score += points
        reasons.append(reason)
    return Suggestion(resource_id=offer.resource_id, score=score, similarity=similarity, reasons=tuple(reasons))


def rank_offers(*, need: NeedFacts, offers: Iterable[Offer]) -> list[Suggestion]:
    """Every fitting offer, best first (see the module's rule)."""
    offers = list(offers)
    vectors = tfidf_vectors([need.text, *(offer.text for offer in offers)])
    ranked = [
        suggestion
        for offer, vector in zip(offers, vectors[1:], strict=True)
        if (suggestion := rank_one(need=need, offer=offer, need_vector=vectors[0], offer_vector=vector)) is not None
    ]
    return sorted(ranked, key=lambda s: (-s.score, -s.similarity, s.resource_id))


# --- reading the database ---------------------------------------------------------------------------------------------


def _text(title: str, description: str) -> str:
    return f"{title}\n{description}"


def need_facts(need: Need) -> NeedFacts:
    return NeedFacts(
        field=need.field,
        text=_text(need.title, need.description),
        path=need.community.path,
        quantity=need.quantity,
        quantity_unit=need.quantity_unit,
        wanted_by=need.wanted_by,
    )


def offer_of(resource: Resource) -> Offer:
    return Offer(
        resource_id=resource.pk,
        field=resource.field,
        text=_text(resource.title, resource.description),
        path=resource.unit.place.path,
        quantity=resource.quantity,
        quantity_unit=resource.quantity_unit,
        available_from=resource.available_from,
        available_to=resource.available_to,
    )


def need_offers(need: Need, *, today: datetime.date | None = None) -> QuerySet[Resource]:
    """The resources a need may be matched with: available, not past their last day, of a unit in the need's city, not
    matched with this need yet. Resources are offers published to every community of the city, so the community's
    staff see them here even when the unit sits outside their own area."""
    today = today or timezone.localdate()
    city = "/" + "/".join(_codes(need.community.path)[:CITY_DEPTH]) + "/"
    return (
        Resource.objects.filter(state=ResourceState.AVAILABLE, unit__place__path__startswith=city)
        .exclude(available_to__lt=today)
        .exclude(matches__need=need)
        .select_related("unit__place")
        .order_by("id")
    )


@dataclass(frozen=True)
class RankedResource:
    resource: Resource
    suggestion: Suggestion


def need_suggestions(need: Need, *, limit: int | None = None) -> list[RankedResource]:
    """The need's offers ranked by ``rank_offers``, each with its resource (at most ``MAX_OFFERS`` offers read,
    those in the need's field first)."""
    offers = need_offers(need)
    read = [*offers.filter(field=need.field)[:MAX_OFFERS], *offers.exclude(field=need.field)[:MAX_OFFERS]]
    resources = {resource.pk: resource for resource in read[:MAX_OFFERS]}
    ranked = rank_offers(need=need_facts(need), offers=(offer_of(r) for r in resources.values()))
    if limit is not None:
        ranked = ranked[:limit]
    return [RankedResource(resource=resources[s.resource_id], suggestion=s) for s in ranked]


def suggestion_for(need: Need, resource: Resource) -> Suggestion | None:
    """The suggestion of ``resource`` for ``need`` as the need's page ranks it now; None if it is not offered."""
    for ranked in need_suggestions(need):
        if ranked.resource.pk == resource.pk:
            return ranked.suggestion
    return None
