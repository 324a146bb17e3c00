"""The demo's star ratings (``manage.py demo_ratings``) on the small demo city: last year's round done and closed with
a lowering, this year's open at every step, the secretaries' round with pay by stars, the workforce with a short
community and a secretary under 56 hours; every assessment is what its events say; the results pages open; and a
second run refuses, or with ``--if-empty`` adds nothing."""

from __future__ import annotations

from collections.abc import Iterator
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import Client, override_settings
from django.urls import reverse

from gridwork.accounts.models import User
from gridwork.demo.build import demo_city_build
from gridwork.demo.matters import demo_matters_build
from gridwork.demo.plan import SCALES
from gridwork.demo.tests.test_demo_volunteering import flow_problems
from gridwork.places import locating
from gridwork.ratings import results
from gridwork.ratings.flows import ASSESSMENT_FLOW
from gridwork.ratings.models import Assessment, AssessmentState, Round, RoundState, StarAdjustment
from gridwork.schemes.models import TargetKind
from gridwork.workforce.models import Worker
from gridwork.workforce.selectors import staffing_for, training_hours

COMMUNITIES = 6


@pytest.fixture(scope="class")
def demo_output(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    media: Path = tmp_path_factory.mktemp("media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media):
        locating.drop_grid_index()
        with transaction.atomic():
            demo_city_build(scale=SCALES["small"])
            demo_matters_build(limit=150, log=lambda _line: None)  # the rates the computed indicators read
            output = StringIO()
            call_command("demo_ratings", allow_without_debug=True, communities=COMMUNITIES, stdout=output)
            yield output.getvalue()
            transaction.set_rollback(True)
        locating.drop_grid_index()


@pytest.mark.django_db
@pytest.mark.usefixtures("demo_output")
class TestTheDemo:
    def test_last_years_round_is_done_and_this_years_is_at_every_step(self) -> None:
        last, this, secretaries = Round.objects.order_by("pk")
        assert last.state == RoundState.CLOSED
        assert this.state == secretaries.state == RoundState.OPEN
        assert last.year == this.year - 1
        assert set(Assessment.objects.filter(target__round=last).values_list("state", flat=True)) == {
            AssessmentState.ACCEPTED
        }
        assert Assessment.objects.filter(target__round=last, events__action="return").count() == 1
        now = set(Assessment.objects.filter(target__round=this).values_list("state", flat=True))
        assert now == {
            AssessmentState.DRAFT,
            AssessmentState.SUBMITTED,
            AssessmentState.RETURNED,
            AssessmentState.REVIEWED,
            AssessmentState.ACCEPTED,
        }
        assert Assessment.objects.filter(target__round=this, vetoed=True, state=AssessmentState.ACCEPTED).exists()
        assert StarAdjustment.objects.filter(assessment__target__round=last, veto_item__isnull=False).count() == 1
        assert StarAdjustment.objects.filter(assessment__target__round=this).count() == 1
        assert secretaries.scheme_version.scheme.target_kind == TargetKind.SECRETARY
        assert Assessment.objects.filter(target__round=secretaries, state=AssessmentState.ACCEPTED).exists()

    def test_every_assessment_is_what_its_events_say(self) -> None:
        problems = [
            problem for subject in Assessment.objects.all() for problem in flow_problems(subject, ASSESSMENT_FLOW)
        ]
        assert problems == []

    def test_the_workforce_has_its_gaps(self) -> None:
        communities = {worker.community for worker in Worker.objects.select_related("community")}
        assert len(communities) == COMMUNITIES
        assert Worker.objects.filter(is_secretary=True, active=True).count() == COMMUNITIES
        assert any(staffing_for(community).gap > 0 for community in communities)
        this = Round.objects.order_by("pk")[1]
        hours = [
            training_hours(
                worker=secretary,
                start=this.period_start.replace(year=this.year - 1),
                end=this.period_end.replace(year=this.year - 1),
            )
            for secretary in Worker.objects.filter(is_secretary=True)
        ]
        assert max(hours) >= 56

    def test_results_read_the_demo(self) -> None:
        city = User.objects.get(username="city")
        last, this, secretaries = Round.objects.order_by("pk")
        table = results.league_table(user=city, round_=last)
        assert table.ranked == COMMUNITIES - 1  # the one vetoed later is not ranked
        assert len(results.league_table(user=city, round_=this).rows) == COMMUNITIES
        pay = results.pay_table(user=city, round_=secretaries)
        assert any(row.by_stars is not None for row in pay)
        history = results.star_history(user=city, kind=TargetKind.COMMUNITY)
        assert [r.pk for r in history.rounds] == [last.pk, this.pk]
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        client.force_login(city)
        for url in (
            reverse("ratings:results"),
            reverse("ratings:results-league", args=[this.pk]),
            reverse("ratings:results-stars", args=[this.pk]),
            reverse("ratings:results-pay", args=[secretaries.pk]),
            reverse("ratings:results-history"),
        ):
            assert client.get(url).status_code == 200, url

    def test_a_second_run_refuses_or_adds_nothing(self) -> None:
        before = Assessment.objects.count()
        with pytest.raises(CommandError):
            call_command("demo_ratings", allow_without_debug=True, stdout=StringIO())
        output = StringIO()
        call_command("demo_ratings", allow_without_debug=True, if_empty=True, stdout=output)
        assert Assessment.objects.count() == before
