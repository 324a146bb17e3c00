"""The scheme builder's pages: who sees and who writes, a refused form says which field and why (400), a stale
publish is 409, and drafts are not found by those who do not manage the assessment."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from gridwork.accounts.roles import Role
from gridwork.accounts.tests.factories import make_staff
from gridwork.places.tests.factories import CityTree
from gridwork.schemes import services
from gridwork.schemes.models import IndicatorMethod, Scheme, VersionState
from gridwork.schemes.tests.factories import draft, group, indicator, thresholds

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def test_anonymous_and_staff_without_view_ratings_are_kept_out(client: Client, tree: CityTree, manager: Any) -> None:
    version = services.preset_install(actor=manager, key="five_star_community")
    response = client.get(reverse("schemes:list"))
    assert response.status_code == 302
    assert "login" in response["Location"]
    grid_worker = make_staff(role=Role.GRID_WORKER, place=tree.grid, username="gridder")
    assert _client(grid_worker).get(reverse("schemes:list")).status_code == 403
    assert _client(grid_worker).get(reverse("schemes:version", args=[version.pk])).status_code == 403


def test_community_staff_read_published_schemes_but_not_drafts_and_cannot_write(
    manager: Any, community_staff: Any
) -> None:
    published = services.preset_install(actor=manager, key="five_star_community")
    hidden = draft(manager, "未发布的方案")
    client = _client(community_staff)
    page = client.get(reverse("schemes:list"))
    assert page.status_code == 200
    names = [scheme.name for scheme in page.context["schemes"]]
    assert names == [published.scheme.name]  # a scheme with nothing but a draft is not listed
    assert b"install-five_star_community" not in page.content
    version_page = client.get(reverse("schemes:version", args=[published.pk]))
    assert version_page.status_code == 200
    assert "A1" in version_page.content.decode()
    assert client.get(reverse("schemes:version", args=[hidden.pk])).status_code == 404
    assert client.get(reverse("schemes:detail", args=[hidden.scheme_id])).status_code == 404
    # forged writes: refused before anything is read or written
    assert client.post(reverse("schemes:new"), {"name": "x", "target_kind": "community"}).status_code == 403
    assert client.post(reverse("schemes:preset-install"), {"key": "secretary_stars"}).status_code == 403
    assert client.post(reverse("schemes:group-new", args=[hidden.pk]), {"code": "A"}).status_code == 403
    assert client.post(reverse("schemes:version-publish", args=[hidden.pk]), {"revision": 0}).status_code == 403
    assert not hidden.groups.exists()
    assert Scheme.objects.count() == 2


def test_a_manager_builds_and_publishes_a_scheme_through_the_pages(manager: Any) -> None:
    client = _client(manager)
    response = client.post(
        reverse("schemes:new"), {"name": "网格考评", "target_kind": "grid", "description": "网格员履职"}
    )
    scheme = Scheme.objects.get(name="网格考评")
    version = scheme.versions.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("schemes:version", args=[version.pk])
    assert (
        client.post(
            reverse("schemes:group-new", args=[version.pk]), {"code": "A", "name": "履职", "weight": "100"}
        ).status_code
        == 302
    )
    group_id = version.groups.get().pk
    # a computed indicator without its scale: 400, and the page names the fields
    refused = client.post(
        reverse("schemes:indicator-new", args=[version.pk]),
        {
            "group": group_id,
            "code": "A1",
            "name": "满意率",
            "max_score": "10",
            "method": "computed",
            "source": "satisfaction_rate",
        },
    )
    assert refused.status_code == 400
    assert set(refused.context["form"].errors) == {"full_at", "zero_at"}
    assert b'data-testid="error-full_at"' in refused.content
    assert (
        client.post(
            reverse("schemes:indicator-new", args=[version.pk]),
            {
                "group": group_id,
                "code": "A1",
                "name": "满意率",
                "max_score": "10",
                "method": "computed",
                "source": "satisfaction_rate",
                "full_at": "95",
                "zero_at": "60",
            },
        ).status_code
        == 302
    )
    # the staffing gap is not a grid's figure: refused on the source field
    wrong = client.post(
        reverse("schemes:indicator-new", args=[version.pk]),
        {
            "group": group_id,
            "code": "A2",
            "name": "缺口",
            "max_score": "5",
            "method": "computed",
            "source": "staffing_gap",
            "full_at": "0",
            "zero_at": "3",
        },
    )
    assert wrong.status_code == 400
    assert "source" in wrong.context["form"].errors
    bad = client.post(reverse("schemes:thresholds", args=[version.pk]), {"stars_1": "80", "stars_2": "70"})
    assert bad.status_code == 400
    assert "stars_2" in bad.context["form"].errors
    assert (
        client.post(reverse("schemes:thresholds", args=[version.pk]), {"stars_1": "60", "stars_5": "90"}).status_code
        == 302
    )

    page = client.get(reverse("schemes:version", args=[version.pk]))
    assert page.context["problems"] == []
    revision = page.context["publish_form"].initial["revision"]
    # someone edits after the page was shown: the stale publish is refused with 409 and nothing is published
    services.veto_save(actor=manager, version=version, values={"code": "V1", "name": "弄虚作假"})
    stale = client.post(reverse("schemes:version-publish", args=[version.pk]), {"revision": revision})
    assert stale.status_code == 409
    version.refresh_from_db()
    assert version.state == VersionState.DRAFT
    fresh = client.get(reverse("schemes:version", args=[version.pk])).context["publish_form"].initial["revision"]
    assert client.post(reverse("schemes:version-publish", args=[version.pk]), {"revision": fresh}).status_code == 302
    version.refresh_from_db()
    assert version.state == VersionState.PUBLISHED
    # a published version refuses edits through the pages too
    frozen = client.post(reverse("schemes:group-edit", args=[group_id]), {"code": "A", "name": "改", "weight": "100"})
    assert frozen.status_code == 400
    assert "only a draft" in frozen.content.decode()


def test_publishing_a_version_that_cannot_score_is_refused_with_its_problems(manager: Any) -> None:
    version = draft(manager)
    a = group(manager, version, "A", "50")
    indicator(manager, version, a, "A1", "10", IndicatorMethod.MANUAL)
    thresholds(manager, version, s1="60")
    version.refresh_from_db()
    response = _client(manager).post(
        reverse("schemes:version-publish", args=[version.pk]), {"revision": version.revision}
    )
    assert response.status_code == 400
    assert "must add up to 100" in response.content.decode()


def test_preset_install_and_new_version_pages(manager: Any) -> None:
    client = _client(manager)
    response = client.post(reverse("schemes:preset-install"), {"key": "estate_party_five_six"})
    scheme = Scheme.objects.get(preset_key="estate_party_five_six")
    assert response.status_code == 302
    assert client.post(reverse("schemes:preset-install"), {"key": "nonsense"}).status_code == 400
    made = client.post(reverse("schemes:version-new", args=[scheme.pk]), {"note": "调整“六优”分值"})
    second = scheme.versions.get(number=2)
    assert made["Location"] == reverse("schemes:version", args=[second.pk])
    assert client.post(reverse("schemes:version-new", args=[scheme.pk]), {"note": ""}).status_code == 400
    twice = client.post(reverse("schemes:preset-install"), {"key": "estate_party_five_six"})
    assert twice.status_code == 400
    assert "still a draft" in twice.content.decode()
    assert client.get(reverse("schemes:list")).status_code == 200
    assert client.get(reverse("schemes:detail", args=[scheme.pk])).status_code == 200
