"""Building import files in tests: .xlsx and .csv from rows, GeoJSON from features."""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook

PLACE_HEADERS = ["编码", "名称", "层级", "上级编码", "户数", "人口", "地址", "纬度", "经度"]


def xlsx_bytes(rows: Sequence[Sequence[Any]], *, title: str = "Sheet") -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = title
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows: Sequence[Sequence[Any]], *, encoding: str = "utf-8", delimiter: str = ",") -> bytes:
    lines = [delimiter.join("" if cell is None else str(cell) for cell in row) for row in rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def feature_collection(*features: tuple[str, Any]) -> bytes:
    return json.dumps(
        {
            "type": "FeatureCollection",
            "features": [
                {"type": "Feature", "properties": {"code": code}, "geometry": geometry} for code, geometry in features
            ],
        }
    ).encode("utf-8")
