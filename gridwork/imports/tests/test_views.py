"""The import pages (gridwork/imports/views.py): access, templates, upload and the round trip."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from gridwork.accounts.models import User
from gridwork.imports.specs import SPECS
from gridwork.imports.tests.files import PLACE_HEADERS, xlsx_bytes
from gridwork.places.models import Place
from gridwork.places.tests.factories import CityTree


def signed_in(user: User) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def named_file(data: bytes, name: str) -> io.BytesIO:
    """A file object with a name, as the test client uploads it."""
    buffer = io.BytesIO(data)
    buffer.name = name  # type: ignore[attr-defined]
    return buffer


@pytest.mark.parametrize(
    "url",
    [
        reverse("imports:index"),
        reverse("imports:upload", args=["places"]),
        reverse("imports:template", args=["places"]),
        reverse("imports:template-csv", args=["staff"]),
    ],
)
def test_pages_need_a_signed_in_importer(tree: CityTree, grid_worker: User, url: str) -> None:
    anonymous = Client().get(url)
    assert anonymous.status_code == 302
    assert reverse("accounts:login") in anonymous["Location"]
    assert signed_in(grid_worker).get(url).status_code == 403


def test_index_lists_every_kind_with_its_template(tree: CityTree, district_staff: User) -> None:
    response = signed_in(district_staff).get(reverse("imports:index"))
    assert response.status_code == 200
    html = response.content.decode()
    for kind, spec in SPECS.items():
        assert f'data-testid="kind-{kind}"' in html
        assert reverse("imports:upload", args=[kind]) in html
        if spec.file_format == "table":
            assert reverse("imports:template", args=[kind]) in html
            assert reverse("imports:template-csv", args=[kind]) in html
    assert reverse("imports:template-geojson", args=["boundaries"]) in html
    assert "上级编码" in html


def test_unknown_kinds_and_formats_are_not_found(tree: CityTree, district_staff: User) -> None:
    client = signed_in(district_staff)
    assert client.get(reverse("imports:upload", args=["planets"])).status_code == 404
    assert client.get(reverse("imports:template", args=["boundaries"])).status_code == 404
    assert client.get(reverse("imports:template-geojson", args=["places"])).status_code == 404


def test_the_xlsx_template_has_headers_explanations_and_an_example(tree: CityTree, district_staff: User) -> None:
    response = signed_in(district_staff).get(reverse("imports:template", args=["places"]))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(io.BytesIO(response.content))
    data, columns = workbook.worksheets
    assert [cell.value for cell in data[1]] == PLACE_HEADERS
    assert data.max_row == 1, "no example row among the data"
    help_rows = [[cell.value for cell in row][:5] for row in columns.iter_rows()]
    assert help_rows[0] == ["Column", "Key", "Required", "Explanation", "Allowed values"]
    level = next(row for row in help_rows if row[0] == "层级")
    assert level[2] == "yes"
    assert level[4] == "城市、区、街道、社区、网格、微网格、户"
    assert ["520102003012007", "春晖社区第七网格", "网格"] in [row[:3] for row in help_rows]


def test_the_csv_template_opens_in_excel_with_chinese_headers(tree: CityTree, district_staff: User) -> None:
    response = signed_in(district_staff).get(reverse("imports:template-csv", args=["party_members"]))
    assert response.content.startswith(b"\xef\xbb\xbf")
    header = next(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert header == [column.header for column in SPECS["party_members"].columns]


def test_the_geojson_example_is_a_feature_collection(tree: CityTree, district_staff: User) -> None:
    response = signed_in(district_staff).get(reverse("imports:template-geojson", args=["boundaries"]))
    assert response.json()["type"] == "FeatureCollection"


def test_a_downloaded_template_filled_in_imports_cleanly(tree: CityTree, district_staff: User) -> None:
    client = signed_in(district_staff)
    template = client.get(reverse("imports:template", args=["places"])).content
    workbook = load_workbook(io.BytesIO(template))
    sheet = workbook.worksheets[0]
    sheet.append(
        ["520102001001003", "春晖社区第三网格", "网格", "520102001001", 280, 840, "春晖路3号", 26.605, 106.725]
    )
    sheet.append(["520102001001003001", "3号楼", "微网格", "520102001001003", 36, None, None, None, None])
    filled = io.BytesIO()
    workbook.save(filled)

    response = client.post(
        reverse("imports:upload", args=["places"]),
        {"file": named_file(filled.getvalue(), "places-template.xlsx")},
        follow=True,
    )
    assert response.status_code == 200
    assert "Imported 2 rows from places-template.xlsx." in response.content.decode()
    assert Place.objects.get(code="520102001001003001").parent.code == "520102001001003"


def test_a_rejected_upload_shows_every_problem_and_imports_nothing(tree: CityTree, district_staff: User) -> None:
    rows = [
        PLACE_HEADERS,
        ["520102009001", "无主社区", "社区", "520102009000", "", "", "", "", ""],
        ["520102001003", "", "社区", "520102001000", "abc", "", "", "", ""],
    ]
    before = Place.objects.count()
    response = signed_in(district_staff).post(
        reverse("imports:upload", args=["places"]), {"file": named_file(xlsx_bytes(rows), "places.xlsx")}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Nothing was imported." in html
    assert html.count('data-testid="problem"') == 3
    assert "No place with code 520102009000 exists in the file or on the platform." in html
    assert Place.objects.count() == before


def test_an_upload_of_the_wrong_type_is_a_form_error(tree: CityTree, district_staff: User) -> None:
    response = signed_in(district_staff).post(
        reverse("imports:upload", args=["places"]), {"file": named_file(b"x", "places.pdf")}
    )
    assert response.status_code == 200
    assert 'data-testid="form-errors"' in response.content.decode()
