import pytest

from gridwork.places.codes import PlaceCodeError, ancestor_paths, child_code, place_path, validate_place_code
from gridwork.places.models import Place


@pytest.mark.parametrize(
    ("level", "code", "parent"),
    [
        ("city", "520100000000", None),
        ("district", "520102000000", "520100000000"),
        ("street", "520102003000", "520102000000"),
        ("community", "520102003012", "520102003000"),
        ("grid", "520102003012007", "520102003012"),
        ("microgrid", "520102003012007004", "520102003012007"),
        ("household", "5201020030120070040031", "520102003012007004"),
    ],
)
def test_valid_codes_pass(level: str, code: str, parent: str | None) -> None:
    validate_place_code(level, code, parent)


@pytest.mark.parametrize(
    ("level", "code", "parent", "fragment"),
    [
        ("district", "52010200000", "520100000000", "12 digits"),
        ("district", "52010A000000", "520100000000", "12 digits"),
        ("district", "520100000000", "520100000000", "zeros"),
        ("street", "520103003000", "520102000000", "does not start"),
        ("street", "520102003001", "520102000000", "must be zeros"),
        ("grid", "520102003012000", "520102003012", "zeros"),
        ("community", "520102003012", None, "needs a parent"),
        ("city", "520100000000", "520100000000", "no parent"),
        ("village", "520100000000", None, "Unknown"),
    ],
)
def test_invalid_codes_name_the_problem(level: str, code: str, parent: str | None, fragment: str) -> None:
    with pytest.raises(PlaceCodeError, match=fragment):
        validate_place_code(level, code, parent)


def test_child_code_builds_valid_codes_at_every_level() -> None:
    code = "520100000000"
    for level in ["district", "street", "community", "grid", "microgrid", "household"]:
        child = child_code(level, code, 7)
        validate_place_code(level, child, code)
        code = child
    assert code == "5201070070070070070007"


def test_child_code_refuses_out_of_range_sequence() -> None:
    with pytest.raises(PlaceCodeError):
        child_code("district", "520100000000", 100)


def test_place_path_nests() -> None:
    assert place_path(None, "1") == "/1/"
    assert place_path("/1/", "2") == "/1/2/"


@pytest.mark.parametrize(
    ("path", "include_self", "expected"),
    [
        ("/a/b/c/", True, ["/a/", "/a/b/", "/a/b/c/"]),
        ("/a/b/c/", False, ["/a/", "/a/b/"]),
        ("/a/", True, ["/a/"]),
        ("/a/", False, []),
        ("/", True, []),
        ("/", False, []),
    ],
)
def test_ancestor_paths_top_down(path: str, include_self: bool, expected: list[str]) -> None:
    assert ancestor_paths(path, include_self=include_self) == expected


def test_place_ancestor_paths_reads_its_path() -> None:
    place = Place(code="520102003012", path="/520100000000/520102000000/520102003000/520102003012/")
    assert place.ancestor_paths(include_self=False) == [
        "/520100000000/",
        "/520100000000/520102000000/",
        "/520100000000/520102000000/520102003000/",
    ]
    assert place.ancestor_paths(include_self=True)[-1] == place.path
