"""Hierarchical place codes, in the style of the statistical division codes and GB/T 30428 unit-grid codes.

=========== ======== ==========================================================
level       digits   form
=========== ======== ==========================================================
city        12       province(2) city(2) + 00000000           e.g. 520100000000
district    12       city's first 4 + district(2) + 000000    e.g. 520102000000
street      12       district's first 6 + street(3) + 000     e.g. 520102003000
community   12       street's first 9 + community(3)          e.g. 520102003012
grid        15       community + grid sequence(3)             e.g. 520102003012007
microgrid   18       grid + micro-grid sequence(3)            e.g. 520102003012007004
household   22       micro-grid + household sequence(4)       e.g. 5201020030120070040031
=========== ======== ==========================================================

A sequence of all zeros is never valid, so a code always names its own level unambiguously.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _


@dataclass(frozen=True)
class CodeShape:
    length: int
    inherited: int  # how many leading digits come from the parent's code
    own: int  # how many digits this level adds (must not be all zeros)


CODE_SHAPES: dict[str, CodeShape] = {
    "city": CodeShape(length=12, inherited=0, own=4),
    "district": CodeShape(length=12, inherited=4, own=2),
    "street": CodeShape(length=12, inherited=6, own=3),
    "community": CodeShape(length=12, inherited=9, own=3),
    "grid": CodeShape(length=15, inherited=12, own=3),
    "microgrid": CodeShape(length=18, inherited=15, own=3),
    "household": CodeShape(length=22, inherited=18, own=4),
}


class PlaceCodeError(ValueError):
    """A place code that does not fit its level or its parent."""


def _label(level: str) -> str:
    from gridwork.places.models import PlaceLevel

    return str(PlaceLevel(level).label) if level in PlaceLevel.values else level


def validate_place_code(level: str, code: str, parent_code: str | None) -> None:
    """Raise PlaceCodeError, with a sentence a clerk can act on, unless ``code`` is a valid code for ``level``."""
    shape = CODE_SHAPES.get(level)
    if shape is None:
        raise PlaceCodeError(_("Unknown place level “%(level)s”.") % {"level": level})
    level_name = _label(level)
    if not code.isascii() or not code.isdigit() or len(code) != shape.length:
        raise PlaceCodeError(
            _("The code of a %(level)s must be %(length)d digits, not “%(code)s”.")
            % {"level": level_name, "length": shape.length, "code": code}
        )
    own = code[shape.inherited : shape.inherited + shape.own]
    if set(own) == {"0"}:
        raise PlaceCodeError(
            _("Digits %(start)d–%(end)d of “%(code)s” are this %(level)s's own number and cannot be all zeros.")
            % {"start": shape.inherited + 1, "end": shape.inherited + shape.own, "code": code, "level": level_name}
        )
    rest = code[shape.inherited + shape.own :]
    if rest and set(rest) != {"0"}:
        raise PlaceCodeError(
            _("The last %(n)d digits of a %(level)s code must be zeros, in “%(code)s”.")
            % {"n": len(rest), "level": level_name, "code": code}
        )
    if level == "city":
        if parent_code:
            raise PlaceCodeError(_("A city has no parent place."))
        return
    if not parent_code:
        raise PlaceCodeError(_("A %(level)s needs a parent place.") % {"level": level_name})
    if code[: shape.inherited] != parent_code[: shape.inherited]:
        raise PlaceCodeError(
            _("The code “%(code)s” does not start with its parent's digits “%(prefix)s”.")
            % {"code": code, "prefix": parent_code[: shape.inherited]}
        )


def child_code(level: str, parent_code: str, sequence: int) -> str:
    """The code of the ``sequence``-th child (1-based) of ``level`` under ``parent_code``."""
    shape = CODE_SHAPES[level]
    if not 1 <= sequence < 10**shape.own:
        raise PlaceCodeError(
            _("A %(level)s sequence number must be between 1 and %(max)d.")
            % {"level": _label(level), "max": 10**shape.own - 1}
        )
    own = str(sequence).zfill(shape.own)
    return (parent_code[: shape.inherited] + own).ljust(shape.length, "0")


def place_path(parent_path: str | None, code: str) -> str:
    """The materialized path of a place: its ancestors' codes and its own, slash-separated and closed."""
    return f"{parent_path or '/'}{code}/"


def ancestor_paths(path: str, *, include_self: bool) -> list[str]:
    """The paths of the places above the place at ``path``, from the city down, and its own path last when
    ``include_self``: ``/a/b/c/`` gives ``/a/``, ``/a/b/`` (and ``/a/b/c/``)."""
    codes = [code for code in path.split("/") if code]
    last = len(codes) if include_self else len(codes) - 1
    return ["/" + "/".join(codes[:depth]) + "/" for depth in range(1, last + 1)]
