"""The administrators' pages of smart triage: who may see them, retraining, the policy, the mapping, a rollback."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from gridwork.accounts.models import User
from gridwork.accounts.roles import Role
from gridwork.accounts.tests.factories import make_staff
from gridwork.audit.models import AuditEvent
from gridwork.matters.models import Category
from gridwork.places.tests.factories import CityTree
from gridwork.triage.models import ClassMapping, ModelStatus, TriageModel, TriagePolicy, Trigger
from gridwork.triage.training import train

pytestmark = pytest.mark.django_db


def client_for(user: User) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


@pytest.fixture
def admin(tree: CityTree) -> Client:
    return client_for(make_staff(role=Role.CITY_STAFF, place=tree.city, username="cityadmin"))


@pytest.mark.parametrize("name", ["triage:model-list", "triage:mapping", "triage:correction-list"])
def test_a_street_dispatcher_may_not_manage_the_model(tree: CityTree, name: str) -> None:
    street = client_for(make_staff(role=Role.STREET_STAFF, place=tree.street, username="street"))
    assert street.get(reverse(name)).status_code == 403
    assert street.post(reverse("triage:retrain")).status_code == 403
    assert not DBTaskResult.objects.exists()


def test_the_list_shows_the_live_model_and_its_score(small_data: Path, admin: Client) -> None:
    model = train(trigger=Trigger.COMMAND)
    page = admin.get(reverse("triage:model-list")).content.decode()
    assert f"v{model.version}" in page
    assert f"{model.cv_macro_f1:.3f}" in page


def test_retrain_enqueues_the_task(admin: Client) -> None:
    response = admin.post(reverse("triage:retrain"))
    assert response.status_code == 302
    assert DBTaskResult.objects.filter(task_path="gridwork.triage.tasks.retrain").count() == 1


def test_the_retrain_task_trains_a_version(small_data: Path, tree: CityTree) -> None:
    from gridwork.triage.tasks import retrain

    user = make_staff(role=Role.CITY_STAFF, place=tree.city, username="cityadmin")
    result = retrain.call(user_id=user.pk)
    assert result["version"] == 1
    assert result["status"] == ModelStatus.LIVE
    assert TriageModel.objects.get().trained_by == user


def test_a_bad_threshold_is_refused_with_the_field(admin: Client) -> None:
    response = admin.post(reverse("triage:policy"), {"auto_dispatch": "on", "auto_dispatch_confidence": "1.5"})
    assert response.status_code == 400
    assert 'data-testid="error-auto_dispatch_confidence"' in response.content.decode()
    assert TriagePolicy.objects.get(pk=1).auto_dispatch is False


def test_the_policy_is_saved_and_audited(admin: Client) -> None:
    response = admin.post(reverse("triage:policy"), {"auto_dispatch": "on", "auto_dispatch_confidence": "0.92"})
    assert response.status_code == 302
    policy = TriagePolicy.objects.get(pk=1)
    assert (policy.auto_dispatch, policy.auto_dispatch_confidence) == (True, 0.92)
    assert AuditEvent.objects.filter(action="triage.policy.changed").count() == 1


def test_the_mapping_is_edited_and_audited(admin: Client) -> None:
    mapping = ClassMapping.objects.get(label="环境保护")
    other = Category.objects.get(name="城乡建设", parent__isnull=True)
    data = {}
    for row in ClassMapping.objects.all():
        data[f"category_{row.pk}"] = str(row.category_id or "")
        data[f"kind_{row.pk}"] = row.kind
    data[f"category_{mapping.pk}"] = str(other.pk)
    data[f"kind_{mapping.pk}"] = "community"
    assert admin.post(reverse("triage:mapping"), data).status_code == 302
    mapping.refresh_from_db()
    assert (mapping.category_id, mapping.kind) == (other.pk, "community")
    assert AuditEvent.objects.filter(action="triage.mapping.changed").count() == 1
    data[f"kind_{mapping.pk}"] = "nonsense"
    response = admin.post(reverse("triage:mapping"), data)
    assert response.status_code == 400
    assert f'data-testid="error-kind_{mapping.pk}"' in response.content.decode()


def test_an_older_version_can_be_put_back_live(small_data: Path, admin: Client) -> None:
    first = train(trigger=Trigger.COMMAND)
    second = train(trigger=Trigger.COMMAND, force=True)
    assert TriageModel.objects.get(status=ModelStatus.LIVE).pk == second.pk
    assert admin.post(reverse("triage:model-detail", args=[first.version])).status_code == 302
    assert TriageModel.objects.get(status=ModelStatus.LIVE).pk == first.pk
    assert AuditEvent.objects.filter(action="triage.model.rollback").exists()
    assert admin.get(reverse("triage:model-detail", args=[99])).status_code == 404
