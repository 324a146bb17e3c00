"""``manage.py open311_key``: create prints the key alone on its last line, and it works; list and revoke."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from gridwork.audit.models import AuditEvent
from gridwork.open311.models import Open311Key
from gridwork.open311.tests.conftest import INSIDE, Services, url
from gridwork.places.tests.factories import CityTree


def run(*args: str) -> list[str]:
    out = StringIO()
    call_command("open311_key", *args, stdout=out)
    return out.getvalue().splitlines()


def test_create_prints_the_key_on_its_last_line_and_the_key_files_requests(tree: CityTree, services: Services) -> None:
    lines = run("create", "--name", "东湖区12345系统")

    secret = lines[-1]
    key = Open311Key.objects.get()
    assert secret.startswith(f"o311_{key.prefix}_")
    assert secret.strip() == secret
    assert key.name == "东湖区12345系统"
    assert AuditEvent.objects.get(action="open311.key.create").actor_name == "manage.py open311_key"
    response = Client().post(
        url("requests", "json"),
        {
            "api_key": secret,
            "service_code": "Z9.01.002",
            "description": "路面有个大坑，电动车容易摔倒。",
            **INSIDE,
        },
    )
    assert response.status_code == 200


@pytest.mark.django_db
def test_list_and_revoke() -> None:
    run("create", "--name", "app one")
    run("create", "--name", "app two")
    one = Open311Key.objects.get(name="app one")

    revoked = run("revoke", "--prefix", one.prefix)
    again = run("revoke", "--prefix", f"o311_{one.prefix}")
    listing = run("list")

    assert revoked == [f"Revoked {one.prefix} (app one)."]
    assert "revoked already" in again[0]
    assert len(listing) == 2
    assert listing[0].split("\t")[1:3] == ["active", "app two"]
    assert listing[1].split("\t")[:3] == [one.prefix, "revoked", "app one"]


@pytest.mark.django_db
def test_revoking_an_unknown_prefix_and_creating_without_a_name_fail() -> None:
    with pytest.raises(CommandError):
        run("revoke", "--prefix", "00000000")
    with pytest.raises(CommandError):
        run("create", "--name", " ")
    assert not Open311Key.objects.exists()
