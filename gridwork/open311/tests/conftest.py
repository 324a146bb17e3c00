"""Fixtures of the Open311 tests: a service tree with the spec's example attributes, a client key, and helpers that
read a response in either format into the same plain data."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Any

import pytest
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

from gridwork.matters.models import Category, CategoryQuestion, QuestionType
from gridwork.open311.models import Open311Key
from gridwork.open311.services import open311_key_create
from gridwork.places.tests.factories import CityTree

FORMATS = ["xml", "json"]
W3C = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})$")
INSIDE = {"lat": "26.605", "long": "106.705"}  # in the tree's first grid


@dataclass
class Services:
    top: Category
    group: Category
    streetlight: Category  # with the spec's example attributes WHISPAWN, WHISDORN and a multivaluelist
    pothole: Category  # no questions
    inactive: Category


@pytest.fixture
def services(db: None) -> Services:
    top = Category.objects.create(code="Z9", name="市政设施", level=1, sort_order=9001)
    group = Category.objects.create(code="Z9.01", name="照明与道路", parent=top, level=2, sort_order=9002)
    streetlight = Category.objects.create(
        code="Z9.01.001", name="路灯", parent=group, level=3, keywords="路灯\n灯不亮", sort_order=9003
    )
    pothole = Category.objects.create(code="Z9.01.002", name="路面坑洼", parent=group, level=3, sort_order=9004)
    inactive = Category.objects.create(
        code="Z9.01.003", name="停用的类别", parent=group, level=3, is_active=False, sort_order=9005
    )
    CategoryQuestion.objects.create(
        category=streetlight,
        code="WHISPAWN",
        question="What is the ticket/tag/DL number?",
        datatype=QuestionType.STRING,
        required=True,
        datatype_description="The number on the pole",
        order=1,
    )
    CategoryQuestion.objects.create(
        category=streetlight,
        code="WHISDORN",
        question="Which kind of lamp?",
        datatype=QuestionType.SINGLE,
        values=[{"key": "COISL001", "name": "Sodium"}, {"key": "COISL002", "name": "LED"}],
        order=2,
    )
    CategoryQuestion.objects.create(
        category=streetlight,
        code="hazards",
        question="周边情况",
        datatype=QuestionType.MULTI,
        values=[
            {"key": "lane", "name": "机动车道"},
            {"key": "school", "name": "靠近学校"},
            {"key": "dark", "name": "无照明"},
        ],
        order=3,
    )
    CategoryQuestion.objects.create(
        category=streetlight, code="retired", question="Old question", datatype=QuestionType.STRING, is_active=False
    )
    return Services(top=top, group=group, streetlight=streetlight, pothole=pothole, inactive=inactive)


@dataclass
class ClientKey:
    key: Open311Key
    secret: str


@pytest.fixture
def api_key(tree: CityTree) -> ClientKey:
    key, secret = open311_key_create(actor=None, name="区12345系统", actor_name="test")
    return ClientKey(key=key, secret=secret)


@dataclass
class World:
    tree: CityTree
    services: Services
    key: Open311Key
    secret: str


@pytest.fixture
def world(tree: CityTree, services: Services, api_key: ClientKey) -> World:
    """The city tree, the services and a client key: what most calls need."""
    return World(tree=tree, services=services, key=api_key.key, secret=api_key.secret)


def url(name: str, fmt: str, **kwargs: str) -> str:
    return reverse(f"open311:{name}", kwargs={"fmt": fmt, **kwargs})


# The spec's lists inside documents: a wrapper element holding one element per item.
LIST_ELEMENTS = {"attributes": "attribute", "values": "value", "endpoints": "endpoint", "formats": "format"}


def plain(element: ET.Element) -> Any:
    """An XML element as the data its JSON twin holds: a list for the spec's lists, a dict of children, or the text
    of a leaf (None when empty). Leaves stay text: the caller compares numbers and booleans as the spec writes them."""
    if element.tag in LIST_ELEMENTS:
        assert all(child.tag == LIST_ELEMENTS[element.tag] for child in element), element.tag
        return [plain(child) for child in element]
    children = list(element)
    if children:
        tags = [child.tag for child in children]
        assert len(tags) == len(set(tags)), tags
        return {child.tag: plain(child) for child in children}
    return element.text


def parse_xml(response: HttpResponse) -> ET.Element:
    body = response.content.decode("utf-8")
    assert body.startswith('<?xml version="1.0" encoding="utf-8"?>')
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    return ET.fromstring(response.content)  # noqa: S314 — our own output


def parse_json(response: HttpResponse) -> Any:
    assert response["Content-Type"] == "application/json; charset=utf-8"
    return json.loads(response.content.decode("utf-8"))


def items(response: HttpResponse, fmt: str, root: str, item: str) -> list[ET.Element] | list[dict[str, Any]]:
    """The items of a list document: the XML root's children (checked to be ``<root><item>…``) or the JSON array."""
    if fmt == "json":
        data = parse_json(response)
        assert isinstance(data, list)
        return data
    element = parse_xml(response)
    assert element.tag == root
    assert all(child.tag == item for child in element)
    return list(element)


def fields(entry: ET.Element | dict[str, Any]) -> dict[str, Any]:
    """One item's fields in document order, the same for both formats (XML text, JSON values as they are)."""
    if isinstance(entry, dict):
        return entry
    result = plain(entry)
    assert isinstance(result, dict)
    return result


def errors(response: HttpResponse, fmt: str) -> list[dict[str, Any]]:
    found = items(response, fmt, "errors", "error")
    result = [fields(entry) for entry in found]
    for error in result:
        assert list(error) == ["code", "description"]
        assert int(error["code"]) == response.status_code
        assert error["description"]
    return result


@pytest.fixture
def client() -> Client:
    return Client(HTTP_ACCEPT_LANGUAGE="en")
