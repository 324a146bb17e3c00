"""The Content-Security-Policy: on every kind of page, strict (no inline script or style, no eval), and the templates
give it nothing to block: no inline script, no event handler attribute, no style attribute or element.
"""

from __future__ import annotations

import json
import logging
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.test import Client

from config.settings.base import _tile_sources
from gridwork.accounts.roles import Role
from gridwork.accounts.tests.factories import make_staff
from gridwork.common.csp_reports import MAX_FIELD_CHARS, MAX_REPORT_BYTES
from gridwork.places.tests.factories import CityTree

GRIDWORK = Path(__file__).resolve().parents[2]
TEMPLATES = sorted(GRIDWORK.rglob("templates/**/*.html"))
REPORT = "/csp-report/"


def policy_of(response: object) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]  # type: ignore[index]
    directives: dict[str, list[str]] = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def assert_strict(directives: dict[str, list[str]]) -> None:
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["base-uri"] == ["'self'"]
    assert directives["form-action"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["img-src"] == ["'self'", "data:", "blob:"]
    assert directives["report-uri"] == [REPORT]
    everything = [value for values in directives.values() for value in values]
    assert "'unsafe-inline'" not in everything
    assert "'unsafe-eval'" not in everything
    assert not {"script-src-attr", "script-src-elem", "style-src-attr", "style-src-elem"} & directives.keys()


class _Markup(HTMLParser):
    """The script elements of a page (their attributes) and whether it has a style element."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[dict[str, str | None]] = []
        self.style_elements = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script":
            self.scripts.append(dict(attrs))
        elif tag == "style":
            self.style_elements += 1


def markup_of(html: str) -> _Markup:
    parser = _Markup()
    parser.feed(html)
    return parser


def assert_nothing_inline(html: str) -> None:
    markup = markup_of(html)
    executable = [attrs for attrs in markup.scripts if attrs.get("type") != "application/json"]
    assert executable, "the page has scripts, so the test sees them"
    assert all(attrs.get("src") for attrs in executable), executable
    assert markup.style_elements == 0
    assert not re.search(r"<[a-zA-Z][^<>]*\son[a-z]+\s*=", html)
    assert not re.search(r"<[a-zA-Z][^<>]*\sstyle\s*=", html)


@pytest.mark.django_db
def test_a_public_page_has_the_strict_policy(client: Client) -> None:
    response = client.get("/")

    assert response.status_code == 200
    assert_strict(policy_of(response))
    assert_nothing_inline(response.content.decode())


def test_a_staff_page_has_the_strict_policy(client: Client, tree: CityTree) -> None:
    client.force_login(make_staff(role=Role.STREET_STAFF, place=tree.street, username="street"))

    response = client.get("/staff/")

    assert response.status_code == 200
    assert_strict(policy_of(response))
    assert_nothing_inline(response.content.decode())


@pytest.mark.django_db
def test_the_api_docs_load_their_script_from_a_url(client: Client) -> None:
    page = client.get("/api/docs/")

    assert page.status_code == 200
    assert_strict(policy_of(page))
    html = page.content.decode()
    assert_nothing_inline(html)
    init = [attrs["src"] for attrs in markup_of(html).scripts if "script" in (attrs.get("src") or "")]
    assert init == ["/api/docs/?script="]
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in script.content.decode()


def test_the_admin_has_the_strict_policy(client: Client, tree: CityTree) -> None:
    sign_in = client.get("/admin/login/")
    assert sign_in.status_code == 200
    assert_strict(policy_of(sign_in))
    client.force_login(make_staff(role=Role.SYSTEM_ADMIN, place=tree.city, username="sysadmin"))

    index = client.get("/admin/")

    assert index.status_code == 200
    assert_strict(policy_of(index))
    markup = markup_of(index.content.decode())
    assert all(attrs.get("src") for attrs in markup.scripts if attrs.get("type") != "application/json")


@pytest.mark.django_db
def test_an_error_page_has_the_policy_too(client: Client) -> None:
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert_strict(policy_of(response))


def _tags(text: str) -> list[str]:
    return re.findall(r"<[a-zA-Z][^<>]*>", text)


def test_the_template_scan_sees_what_it_looks_for() -> None:
    """The scan below must be able to fail: each kind of inline code or style it forbids is caught here."""
    bad = [
        "<script>alert(1)</script>",
        '<script type="text/javascript">x()</script>',
        '<select name="year" onchange="this.form.submit()">',
        '<form ONSUBMIT="return confirm(1)">',
        '<div class="progress-bar" style="width: {{ pct }}%">',
        "<style>body { color: red }</style>",
        '<a href="javascript:void(0)">',
    ]
    assert all(_template_problems(text) for text in bad)
    good = [
        "<script src=\"{% static 'js/gridwork.js' %}\"></script>",
        '<select name="year" data-autosubmit>',
        '<div class="progress-bar" data-width="{{ pct }}">',
        "<p>Click once or twice; the stylesheet=gridwork.css is a static file.</p>",
        "{{ labels|json_script:'map-labels' }}",
    ]
    assert not any(_template_problems(text) for text in good)


def _template_problems(text: str) -> list[str]:
    problems = []
    for match in re.finditer(r"<script\b([^>]*)>", text, flags=re.IGNORECASE):
        if "src=" not in match.group(1).lower() and "application/json" not in match.group(1).lower():
            problems.append(f"inline script: {match.group(0)}")
    if re.search(r"<style\b", text, flags=re.IGNORECASE):
        problems.append("style element")
    for tag in _tags(text):
        problems += [f"event handler: {tag[:120]}" for _ in re.finditer(r"\son[a-z]+\s*=", tag, flags=re.IGNORECASE)]
        problems += [f"style attribute: {tag[:120]}" for _ in re.finditer(r"\sstyle\s*=", tag, flags=re.IGNORECASE)]
        if re.search(r"""=\s*["']?\s*javascript:""", tag, flags=re.IGNORECASE):
            problems.append(f"javascript: URL: {tag[:120]}")
    return problems


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda path: str(path.relative_to(GRIDWORK)))
def test_no_template_has_inline_script_handlers_or_styles(template: Path) -> None:
    assert _template_problems(template.read_text(encoding="utf-8")) == []


def test_the_scan_covers_the_templates() -> None:
    assert len(TEMPLATES) > 300
    assert GRIDWORK / "templates" / "base.html" in TEMPLATES


def _report(**fields: object) -> bytes:
    return json.dumps({"csp-report": fields}).encode()


@pytest.mark.django_db
def test_a_violation_report_is_logged_without_a_csrf_token(caplog: pytest.LogCaptureFixture) -> None:
    client = Client(enforce_csrf_checks=True)
    body = _report(
        **{
            "document-uri": "http://testserver/staff/",
            "violated-directive": "script-src-elem",
            "blocked-uri": "inline",
            "line-number": 12,
            "original-policy": "x" * 5000,
            "unknown": "dropped",
        }
    )

    with caplog.at_level(logging.WARNING, logger="gridwork.csp"):
        response = client.post(REPORT, body, content_type="application/csp-report")

    assert response.status_code == 204
    [record] = [r for r in caplog.records if r.name == "gridwork.csp"]
    logged = json.loads(record.getMessage().split(": ", 1)[1])
    assert logged == {
        "blocked-uri": "inline",
        "document-uri": "http://testserver/staff/",
        "line-number": "12",
        "violated-directive": "script-src-elem",
    }


@pytest.mark.django_db
def test_a_long_field_is_cut_short(client: Client, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="gridwork.csp"):
        response = client.post(REPORT, _report(**{"blocked-uri": "z" * 2000}), content_type="application/json")

    assert response.status_code == 204
    assert "z" * MAX_FIELD_CHARS in caplog.text
    assert "z" * (MAX_FIELD_CHARS + 1) not in caplog.text


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b"not json", 400),
        (b"[1, 2]", 400),
        (json.dumps({"csp-report": "text"}).encode(), 400),
        (b"\xff\xfe", 400),
        (_report(**{"blocked-uri": "a" * (MAX_REPORT_BYTES + 10)}), 413),
    ],
)
def test_anything_but_a_report_is_refused_and_not_logged(
    client: Client, caplog: pytest.LogCaptureFixture, body: bytes, status: int
) -> None:
    with caplog.at_level(logging.WARNING, logger="gridwork.csp"):
        response = client.post(REPORT, body, content_type="application/csp-report")

    assert response.status_code == status
    assert not [r for r in caplog.records if r.name == "gridwork.csp"]


@pytest.mark.django_db
def test_the_report_endpoint_takes_only_post(client: Client) -> None:
    assert client.get(REPORT).status_code == 405


def test_a_tile_service_is_allowed_for_images_only_by_its_origin() -> None:
    assert _tile_sources("") == []
    assert _tile_sources("/static/tiles/{z}/{x}/{y}.png") == []
    assert _tile_sources("https://t{s}.tianditu.gov.cn/vec_w/wmts?tk=KEY&x={x}") == ["https://*.tianditu.gov.cn"]
    assert _tile_sources("http://gis.city.local:8080/tiles/{z}/{x}/{y}.png") == ["http://gis.city.local:8080"]
