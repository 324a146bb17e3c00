"""The two output formats of GeoReport v2: XML (required by the spec) and JSON (its Spark-convention mapping).

A document is built once as plain data and written in either format:

- a list at the top (``services``, ``service_requests``, ``errors``) is a JSON array, and in XML a root element
  holding one element per item, named by ``ITEM_NAMES`` (``<services><service>…``);
- an object at the top (``discovery``, ``service_definition``) is a JSON object and an XML root element;
- a list inside an object is a wrapper element of items (``<attributes><attribute>…``, ``<formats><format>…``);
- ``None`` is JSON ``null`` and an empty XML element (``<account_id/>``); booleans are ``true``/``false``.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from typing import Any

from django.http import HttpResponse

FORMATS = {"xml": "text/xml; charset=utf-8", "json": "application/json; charset=utf-8"}
MIME_TYPES = ["text/xml", "application/json"]  # as service discovery lists them
DEFAULT_FORMAT = "xml"
XML_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>\n'

ITEM_NAMES = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
}

# Characters XML 1.0 cannot carry at all, even escaped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return _NOT_XML.sub("", str(value))


def _fill(element: ET.Element, value: Any) -> None:
    if isinstance(value, dict):
        for name, child in value.items():
            _fill(ET.SubElement(element, name), child)
    elif isinstance(value, list):
        for item in value:
            _fill(ET.SubElement(element, ITEM_NAMES[element.tag]), item)
    else:
        element.text = _text(value)


def to_xml(root: str, document: dict[str, Any] | list[Any]) -> str:
    element = ET.Element(root)
    _fill(element, document)
    ET.indent(element, space="  ")
    return XML_DECLARATION + ET.tostring(element, encoding="unicode")


def to_json(document: dict[str, Any] | list[Any]) -> str:
    return json.dumps(document, ensure_ascii=False)


def respond(fmt: str, root: str, document: dict[str, Any] | list[Any], *, status: int = 200) -> HttpResponse:
    """``document`` written in ``fmt`` ("xml" or "json") with the spec's content type, UTF-8."""
    body = to_json(document) if fmt == "json" else to_xml(root, document)
    return HttpResponse(body.encode("utf-8"), status=status, content_type=FORMATS[fmt])
