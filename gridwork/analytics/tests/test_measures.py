"""Each measure of ``analytics.measures`` on hand-built matters moved through the real services at fixed Beijing
times: the expected figure is worked out here from the scenario and the written definition (``DEFINITIONS``), never
copied from the code's output. Then the monthly ranking (三率) and the public notice (通报) built on them.

Calendar (see ``factories``): November and December 2026 have no holidays; a dispatch at 09:00 is due for accepting
at 11:00; an accept is due for replying seven working days later at the same time; a reply for calling back three
working days later.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from gridwork.accounts.roles import Role
from gridwork.accounts.tests.factories import make_staff
from gridwork.analytics.measures import DEFINITION_BY_KEY, DEFINITIONS, Figures, Weights
from gridwork.analytics.models import COUNTERS, AnalyticsSettings, UnitKind
from gridwork.analytics.periods import Period, PeriodKind
from gridwork.analytics.selectors import NoticeMatter, notice_evidence, notice_list, ranking, trend
from gridwork.analytics.tests.factories import Town, area, figures, moment, month, nonzero, total_row
from gridwork.matters.models import Matter
from gridwork.matters.workflow import MatterKind, MatterState, Satisfaction
from gridwork.places.models import Place, PlaceLevel
from gridwork.places.tests.factories import make_place

pytestmark = pytest.mark.django_db

NOVEMBER = month("2026-11")
DECEMBER = month("2026-12")
SATISFIED, BASICALLY, UNSATISFIED = Satisfaction.SATISFIED, Satisfaction.BASICALLY, Satisfaction.UNSATISFIED


def test_every_measure_has_a_written_definition_and_a_value() -> None:
    values = Figures(dict.fromkeys(COUNTERS, 1), Weights()).as_dict()
    assert set(values) == set(COUNTERS) | {definition.key for definition in DEFINITIONS}
    rates = {definition.key for definition in DEFINITIONS if definition.percent}
    assert rates == {"response_rate", "resolution_rate", "satisfaction_rate", "on_time_rate", "reopen_rate"}
    assert all(str(definition.how).strip() for definition in DEFINITIONS)
    # one of everything: each rate 1/1, satisfaction (1 × 1 + 0.8 × 1) / 1 = 1.8 (the counts are not a real month)
    assert [values[key] for key in sorted(rates)] == [1.0, 1.0, 1.0, 1.0, pytest.approx(1.8)]


# --- response rate (响应率) --------------------------------------------------------------------------


def test_response_rate_counts_each_answer_once_on_time_or_late(town: Town) -> None:
    """ "Answers to a dispatch (accepted or returned) given before the accept deadline, divided by all answers in the
    period. A deadline that passes unanswered counts as a late answer on the day it passes; the late answer itself is
    then not counted again." """
    community = town.tree.community
    # m1: accepted at 10:00, deadline 11:00 → an answer on time.
    m1 = town.file(at="2026-11-02 08:30")
    assert town.dispatch(m1, at="2026-11-02 09:00").due_at == moment("2026-11-02 11:00")
    town.accept(m1, at="2026-11-02 10:00")
    # m2: accepted at 11:30, after the 11:00 deadline, no sweep ran in between → a late answer.
    m2 = town.file(at="2026-11-03 08:30")
    town.dispatch(m2, at="2026-11-03 09:00")
    town.accept(m2, at="2026-11-03 11:30")
    # m3: returned (退单) at 09:30 before accepting → an answer, on time; and a return.
    m3 = town.file(at="2026-11-04 08:30")
    town.dispatch(m3, at="2026-11-04 09:00")
    town.give_back(m3, at="2026-11-04 09:30")
    # m4: nobody answers; the sweep at 11:05 finds the 11:00 deadline passed → one late answer, one overdue ...
    m4 = town.file(at="2026-11-05 08:30")
    town.dispatch(m4, at="2026-11-05 09:00")
    assert town.sweep("2026-11-05 11:05").red == 1  # m4 only: m1, m2 are due for replying on 11 and 12 Nov
    assert (total_row(community, "2026-11-05")["responded"], total_row(community, "2026-11-05")["overdue"]) == (1, 1)
    # ... and the accept at 14:30 that follows adds nothing: it was counted when the deadline passed.
    town.accept(m4, at="2026-11-05 14:30")
    assert total_row(community, "2026-11-05")["responded"] == 1
    # m5: accepted on time at 09:30, then returned from "in progress" at 10:00 → a return, but no second answer.
    m5 = town.file(at="2026-11-06 08:30")
    town.dispatch(m5, at="2026-11-06 09:00")
    town.accept(m5, at="2026-11-06 09:30")
    town.give_back(m5, at="2026-11-06 10:00")
    # m6: the deadline passes (sweep at 11:30), then the unit returns it at 15:00 → a return, the answer already late.
    m6 = town.file(at="2026-11-09 08:30")
    town.dispatch(m6, at="2026-11-09 09:00")
    assert town.sweep("2026-11-09 11:30").red == 1  # m6 only: the earliest reply deadline is m1's, 11 Nov
    town.give_back(m6, at="2026-11-09 15:00")

    month_figures = figures(community, NOVEMBER)
    # answers: m1, m2, m3, m4 (its passed deadline), m5 (its accept), m6 (its passed deadline) = 6
    assert month_figures.count("responded") == 6
    # on time: m1, m3, m5 = 3
    assert month_figures.count("responded_on_time") == 3
    assert month_figures.response_rate == pytest.approx(3 / 6)
    # returns: m3, m5, m6 = 3; deadlines passed: m2 (noticed by its own late accept), m4, m6 = 3; dispatches: 6
    assert (month_figures.count("returned"), month_figures.count("overdue")) == (3, 3)
    assert month_figures.count("dispatched") == 6


def test_an_overruled_return_is_a_new_dispatch_with_its_own_answer(town: Town) -> None:
    matter = town.file(at="2026-11-02 08:30")
    town.dispatch(matter, at="2026-11-02 09:00")
    town.give_back(matter, at="2026-11-02 09:30")  # answer 1, on time (deadline 11:00)
    # overruled at 10:00: sent back with a new accept deadline of 12:00 (2 working hours)
    assert town.overrule(matter, at="2026-11-02 10:00").due_at == moment("2026-11-02 12:00")
    town.accept(matter, at="2026-11-02 14:10")  # answer 2, after the 12:00 deadline, no sweep ran: late
    result = figures(town.tree.community, NOVEMBER)
    assert (result.count("responded"), result.count("responded_on_time"), result.count("returned")) == (2, 1, 1)
    assert result.response_rate == pytest.approx(1 / 2)
    # "a matter ... sent back to the same unit when the return is overruled counts again": dispatched 1 + 1 = 2
    assert result.count("dispatched") == 2


# --- resolution, satisfaction, reopen (解决率, 满意率, 返工) ----------------------------------------------


def _closures(town: Town) -> dict[str, Matter]:
    """Seven matters of the tree's community, each dispatched at 09:00 and accepted at 09:30 on 2 Nov (the reply
    deadline is 11 Nov, the first reopen at the latest on 4 Nov restarts it: no deadline passes)."""

    def accepted(kind: str = MatterKind.PROFESSIONAL) -> Matter:
        return town.accepted(
            filed="2026-11-02 08:30", dispatched="2026-11-02 09:00", accepted="2026-11-02 09:30", kind=kind
        )

    found: dict[str, Matter] = {}
    # r1: replied, never rated, verified → resolved (replied, never sent back), unrated
    found["r1"] = town.rated_and_closed(accepted(), replied="2026-11-03 10:00", rating=None, closed="2026-11-04 10:00")
    # r2: rated satisfied → resolved
    found["r2"] = town.rated_and_closed(
        accepted(), replied="2026-11-03 10:00", rating=SATISFIED, rated="2026-11-04 09:00", closed="2026-11-04 10:00"
    )
    # r3: "not satisfied" sends it back (返工), replied again, then satisfied → resolved, reopened
    r3 = accepted()
    town.reply(r3, at="2026-11-03 10:00")
    assert town.rate(r3, UNSATISFIED, at="2026-11-04 09:00").state == MatterState.IN_PROGRESS
    found["r3"] = town.rated_and_closed(
        r3, replied="2026-11-05 10:00", rating=SATISFIED, rated="2026-11-06 09:00", closed="2026-11-06 10:00"
    )
    # r4: sent back, replied again, not satisfied again → verified as it is: not resolved, reopened
    r4 = accepted()
    town.reply(r4, at="2026-11-03 10:00")
    town.rate(r4, UNSATISFIED, at="2026-11-04 09:00")
    town.reply(r4, at="2026-11-05 10:00")
    assert town.rate(r4, UNSATISFIED, at="2026-11-06 09:00").state == MatterState.TO_VERIFY
    found["r4"] = town.verify_close(r4, at="2026-11-06 10:00")
    # r5: a personal matter (个事) closed with the resident's agreement → closed, resolved, unrated
    found["r5"] = town.close_by_agreement(accepted(MatterKind.PERSONAL), at="2026-11-03 10:00")
    # r6: discarded as invalid before any dispatch → not closed, not in any rate
    r6 = town.file(at="2026-11-02 08:30")
    found["r6"] = town.discard(r6, at="2026-11-02 09:00")
    # r7: rated basically satisfied → resolved
    found["r7"] = town.rated_and_closed(
        accepted(), replied="2026-11-03 10:00", rating=BASICALLY, rated="2026-11-04 09:00", closed="2026-11-04 10:00"
    )
    return found


def test_resolution_rate_over_resolved_reopened_agreed_and_discarded_matters(town: Town) -> None:
    """ "Matters closed in the period as resolved — replied and never sent back by the resident, or rated satisfied or
    basically satisfied after being sent back — divided by all matters closed in the period (discarded duplicates and
    invalid reports are not counted)." """
    _closures(town)
    result = figures(town.tree.community, NOVEMBER)
    # closed: r1, r2, r3, r4, r5, r7 = 6 (r6 was discarded: counted as discarded only)
    assert (result.count("closed"), result.count("discarded")) == (6, 1)
    # resolved: r1, r2 (never sent back), r3 (satisfied after being sent back), r5 (agreed), r7 = 5; r4 is not
    assert result.count("resolved") == 5
    assert result.resolution_rate == pytest.approx(5 / 6)


def test_reopen_rate_counts_closed_matters_sent_back_at_least_once(town: Town) -> None:
    _closures(town)
    result = figures(town.tree.community, NOVEMBER)
    # sent back: r3 and r4 = 2, of 6 closed
    assert result.count("reopened") == 2
    assert result.reopen_rate == pytest.approx(2 / 6)


def test_satisfaction_rate_weighs_the_last_rating_and_leaves_out_unrated_matters(town: Town) -> None:
    """ "each 'satisfied' counts its value (default 1), each 'basically satisfied' its value (default 0.8), 'not
    satisfied' 0, divided by the rated matters. The last rating of a matter counts; unrated matters are left out." """
    _closures(town)
    result = figures(town.tree.community, NOVEMBER)
    # rated: r2 (satisfied), r3 (last: satisfied), r4 (not satisfied), r7 (basically) = 4; r1 and r5 unrated
    assert (result.count("rated"), result.count("satisfied"), result.count("basically")) == (4, 2, 1)
    assert result.count("unsatisfied") == 1
    # (1.0 × 2 + 0.8 × 1 + 0 × 1) / 4 = 2.8 / 4 = 0.7
    assert result.satisfaction_rate == pytest.approx(0.7)


def test_satisfaction_rate_follows_the_values_set_in_the_assessment_settings(town: Town) -> None:
    _closures(town)
    AnalyticsSettings.objects.update_or_create(
        pk=1, defaults={"satisfied_value": Decimal("0.90"), "basically_value": Decimal("0.60")}
    )
    result = figures(town.tree.community, NOVEMBER, Weights.current())
    # (0.9 × 2 + 0.6 × 1 + 0 × 1) / 4 = 2.4 / 4 = 0.6
    assert result.satisfaction_rate == pytest.approx(0.6)


def test_a_matter_agreed_closed_after_a_reopen_is_not_resolved_and_keeps_its_last_rating(town: Town) -> None:
    matter = town.accepted(
        filed="2026-11-02 08:30", dispatched="2026-11-02 09:00", accepted="2026-11-02 09:30", kind=MatterKind.PERSONAL
    )
    town.reply(matter, at="2026-11-03 10:00")
    town.rate(matter, UNSATISFIED, at="2026-11-04 09:00")  # sent back
    town.close_by_agreement(matter, at="2026-11-04 15:00")
    result = figures(town.tree.community, NOVEMBER)
    # closed 1; sent back and never rated (basically) satisfied afterwards → not resolved; the last rating is "not
    # satisfied" → rated 1, value 0
    assert nonzero(
        {name: result.count(name) for name in ("closed", "resolved", "reopened", "rated", "unsatisfied")}
    ) == {
        "closed": 1,
        "reopened": 1,
        "rated": 1,
        "unsatisfied": 1,
    }
    assert (result.resolution_rate, result.satisfaction_rate) == (0.0, 0.0)


def test_rates_with_nothing_to_divide_by_are_none_not_zero(town: Town) -> None:
    town.file(at="2026-11-02 08:30")  # received, nothing more
    result = figures(town.tree.community, NOVEMBER)
    assert result.count("received") == 1
    assert [result[key] for key in ("response_rate", "resolution_rate", "satisfaction_rate", "on_time_rate")] == [
        None,
        None,
        None,
        None,
    ]
    assert (result.average_days, result.composite) == (None, None)


# --- on time, extensions, overdue (按期结案率, 延期, 超期) -------------------------------------------------


def test_on_time_closure_extensions_and_overdue(town: Town) -> None:
    """On time: "Matters closed in the period whose handling units never missed an accept or reply deadline, divided
    by all closed … A late call-back is the dispatch centre's and does not count here". Extensions:
    "Extension requests approved in the period". Overdue: "Deadlines ... that passed in the period without the step
    being taken"."""

    def accepted() -> Matter:
        return town.accepted(filed="2026-11-02 08:30", dispatched="2026-11-02 09:00", accepted="2026-11-02 09:30")

    t1, t2, t3, t4 = accepted(), accepted(), accepted(), accepted()
    assert Matter.objects.get(pk=t1.pk).due_at == moment("2026-11-11 09:30")  # 7 working days: 3, 4, 5, 6, 9, 10, 11
    # t3 asks for 3 more days, approved: due 3 working days after 11 Nov (12, 13, 16) → 16 Nov 09:30
    town.request_extension(t3, 3, at="2026-11-09 10:00")
    assert town.decide_extension(t3, approved=True, days=3, at="2026-11-09 11:00").due_at == moment("2026-11-16 09:30")
    # t4 asks for 2 more days, refused: the deadline stays
    town.request_extension(t4, 2, at="2026-11-09 10:00")
    assert town.decide_extension(t4, approved=False, days=0, at="2026-11-09 11:00").due_at == moment("2026-11-11 09:30")
    # t1 and t4 reply on 10 Nov, before their deadline
    assert town.reply(t1, at="2026-11-10 10:00").due_at == moment("2026-11-13 10:00")  # call-back: 3 working days
    town.reply(t4, at="2026-11-10 10:00")
    # the sweep of 11 Nov 09:40: t2's deadline (09:30) passed unreplied → red; t3's was moved; t1, t4 wait for the
    # call-back until 13 Nov
    assert town.sweep("2026-11-11 09:40").red == 1
    town.reply(t2, at="2026-11-11 11:00")
    town.reply(t3, at="2026-11-13 10:00")
    for matter in (t1, t2, t3, t4):
        town.rate(matter, SATISFIED, at="2026-11-13 11:00")
        town.verify_close(matter, at="2026-11-13 11:30")
    assert Matter.objects.get(pk=t2.pk).overdue_count == 1

    result = figures(town.tree.community, NOVEMBER)
    # closed 4; on time: t1, t3 (its moved deadline kept), t4 (refused, but replied in time) = 3; t2 went overdue
    assert (result.count("closed"), result.count("closed_on_time")) == (4, 3)
    assert result.on_time_rate == pytest.approx(3 / 4)
    # extensions approved: t3 = 1 (t4's refusal and both requests count nothing)
    assert result.count("extended") == 1
    # overdue: t2's reply deadline, and t1's and t4's call-back deadlines (13 Nov 10:00, rated at 11:00: the late
    # rating notices it) = 3; none was an accept deadline, so no answer (响应) is counted for them
    assert (result.count("overdue"), result.count("responded")) == (3, 4)
    # the call-backs were the centre's: the department-free area rows count them, the unit's on-time rate does not
    # going overdue does not stop it being resolved: 4 of 4
    assert result.resolution_rate == 1.0


def test_a_matter_late_at_two_stages_counts_overdue_twice_and_is_not_on_time(town: Town) -> None:
    matter = town.file(at="2026-11-02 08:30")
    town.dispatch(matter, at="2026-11-02 09:00")
    assert town.sweep("2026-11-02 11:05").red == 1  # accept deadline 11:00 passed
    town.accept(matter, at="2026-11-02 14:00")  # reply due 11 Nov 14:00
    assert town.sweep("2026-11-11 14:05").red == 1  # reply deadline passed
    town.reply(matter, at="2026-11-11 15:00")
    town.rate(matter, SATISFIED, at="2026-11-12 09:00")
    town.verify_close(matter, at="2026-11-12 10:00")
    result = figures(town.tree.community, NOVEMBER)
    # overdue 2 (accept and reply); the late accept is one late answer; closed 1, on time 0
    assert nonzero({name: result.count(name) for name in ("overdue", "responded", "responded_on_time")}) == {
        "overdue": 2,
        "responded": 1,
    }
    assert (result.count("closed"), result.on_time_rate) == (1, 0.0)


# --- average handling time ------------------------------------------------------------------------


def test_average_handling_days_from_filing_to_closing_over_closed_matters(town: Town) -> None:
    """ "From filing to closing, averaged over the matters closed in the period, in calendar days." """

    def agreed(closed: str) -> Matter:
        matter = town.accepted(
            filed="2026-11-02 09:00",
            dispatched="2026-11-02 09:10",
            accepted="2026-11-02 09:20",
            kind=MatterKind.PERSONAL,
        )
        return town.close_by_agreement(matter, at=closed)

    agreed("2026-11-03 09:00")  # 1 day
    agreed("2026-11-04 21:00")  # 2 days 12 hours = 2.5 days
    agreed("2026-11-06 09:00")  # 4 days
    discarded = town.file(at="2026-11-02 09:00")
    town.discard(discarded, at="2026-11-10 09:00")  # not closed: left out
    result = figures(town.tree.community, NOVEMBER)
    # (1 + 2.5 + 4) / 3 = 2.5
    assert result.average_days == pytest.approx(2.5)
    assert result.count("handling_seconds") == int(timedelta(days=7.5).total_seconds())


# --- the composite score (三率 综合得分) ----------------------------------------------------------------


def _composite_scenario(town: Town) -> None:
    """The tree's community: c1 late accept, satisfied; c2 on time, not satisfied twice; c3 on time, basically.
    The sibling community: b1 late accept, b2 on time, both closed unrated."""

    def accepted(accept: str, where: str = "grid") -> Matter:
        return town.accepted(filed="2026-11-02 08:30", dispatched="2026-11-02 09:00", accepted=accept, where=where)

    c1 = accepted("2026-11-02 11:30")
    town.rated_and_closed(
        c1, replied="2026-11-03 10:00", rating=SATISFIED, rated="2026-11-04 09:00", closed="2026-11-04 10:00"
    )
    c2 = accepted("2026-11-02 10:00")
    town.reply(c2, at="2026-11-03 10:00")
    town.rate(c2, UNSATISFIED, at="2026-11-04 09:00")
    town.rated_and_closed(
        c2, replied="2026-11-05 10:00", rating=UNSATISFIED, rated="2026-11-06 09:00", closed="2026-11-06 10:00"
    )
    c3 = accepted("2026-11-02 10:00")
    town.rated_and_closed(
        c3, replied="2026-11-03 10:00", rating=BASICALLY, rated="2026-11-04 09:00", closed="2026-11-04 10:00"
    )
    for accept in ("2026-11-02 11:30", "2026-11-02 10:00"):
        b = accepted(accept, where="community2")
        town.rated_and_closed(b, replied="2026-11-03 10:00", rating=None, closed="2026-11-04 10:00")


def test_composite_score_is_the_weighted_sum_of_the_three_rates(town: Town) -> None:
    """ "Weighted sum of the response, resolution and satisfaction rates (default 20/40/40), out of 100." """
    _composite_scenario(town)
    result = figures(town.tree.community, NOVEMBER)
    # response: c2, c3 on time of 3 = 2/3; resolution: c1, c3 of 3 = 2/3; satisfaction: (1 + 0 + 0.8) / 3 = 0.6
    assert (result.response_rate, result.resolution_rate) == (pytest.approx(2 / 3), pytest.approx(2 / 3))
    assert result.satisfaction_rate == pytest.approx(0.6)
    # 20 × 2/3 + 40 × 2/3 + 40 × 0.6 = 13.33 + 26.67 + 24 = 64
    assert result.composite == pytest.approx(64.0)
    AnalyticsSettings.objects.update_or_create(
        pk=1, defaults={"response_weight": 50, "resolution_weight": 30, "satisfaction_weight": 20}
    )
    # with 50/30/20 from the settings: 50 × 2/3 + 30 × 2/3 + 20 × 0.6 = 33.33 + 20 + 12 = 65.33
    assert figures(town.tree.community, NOVEMBER, Weights.current()).composite == pytest.approx(65 + 1 / 3)


def test_composite_score_leaves_out_a_rate_with_nothing_to_count_and_scales_the_others(town: Town) -> None:
    """ "A rate with nothing to count is left out and the other weights are scaled up." """
    _composite_scenario(town)
    result = figures(town.tree.community2, NOVEMBER)
    # response 1/2, resolution 2/2, satisfaction none (nothing rated)
    assert (result.response_rate, result.resolution_rate, result.satisfaction_rate) == (0.5, 1.0, None)
    # 100 × (20 × 0.5 + 40 × 1) / (20 + 40) = 100 × 50 / 60 = 83.33
    assert result.composite == pytest.approx(100 * 50 / 60)
    # a weight of 0 leaves its rate out as well: 0/50/50 → 100 × (50 × 1) / 50 = 100
    assert figures(town.tree.community2, NOVEMBER, Weights(response=0, resolution=50, satisfaction=50)).composite == 100


# --- periods and days -----------------------------------------------------------------------------


def test_a_matter_filed_in_one_month_and_closed_in_the_next_counts_in_each_where_it_happened(town: Town) -> None:
    matter = town.file(at="2026-11-30 16:00")
    # 16:30 + 2 working hours: 1 hour to 17:30, then 1 hour from 08:30 the next working day
    assert town.dispatch(matter, at="2026-11-30 16:30").due_at == moment("2026-12-01 09:30")
    town.accept(matter, at="2026-11-30 17:00")
    town.rated_and_closed(
        matter, replied="2026-12-01 10:00", rating=SATISFIED, rated="2026-12-02 09:00", closed="2026-12-02 10:00"
    )
    community = town.tree.community
    november, december = figures(community, NOVEMBER), figures(community, DECEMBER)
    assert nonzero(dict(november.counts)) == {"received": 1, "dispatched": 1, "responded": 1, "responded_on_time": 1}
    assert (november.response_rate, november.resolution_rate, november.satisfaction_rate) == (1.0, None, None)
    assert december.count("received") == 0
    assert (december.count("replied"), december.count("closed"), december.count("resolved")) == (1, 1, 1)
    assert (december.response_rate, december.resolution_rate, december.satisfaction_rate) == (None, 1.0, 1.0)
    # 30 Nov 16:00 → 2 Dec 10:00 = 1 day 18 hours = 1.75 days
    assert december.average_days == pytest.approx(1.75)
    # the quarter holds both
    quarter = figures(community, Period.containing(PeriodKind.QUARTER, date(2026, 11, 30)))
    assert (quarter.count("received"), quarter.count("closed")) == (1, 1)
    # and the month's trend puts the filing on its day
    by_day = {bucket.start: result.count("received") for bucket, result in trend(area(community), NOVEMBER, Weights())}
    assert len(by_day) == 30
    assert by_day[date(2026, 11, 30)] == 1
    assert sum(by_day.values()) == 1


def test_days_are_days_of_china_time(town: Town) -> None:
    # 23:30 in Beijing on 30 Nov (15:30 UTC the same day) is 30 November
    before_midnight = town.file(at="2026-11-30 23:30")
    assert before_midnight.created_at == datetime(2026, 11, 30, 15, 30, tzinfo=UTC)
    # 00:30 in Beijing on 1 Dec is 16:30 UTC on 30 Nov: it is 1 December, whatever UTC says
    after_midnight = town.file(at=datetime(2026, 11, 30, 16, 30, tzinfo=UTC))
    assert after_midnight.number.startswith("GW20261201")
    city = town.tree.city
    assert (total_row(city, "2026-11-30")["received"], total_row(city, "2026-12-01")["received"]) == (1, 1)
    assert (figures(city, NOVEMBER).count("received"), figures(city, DECEMBER).count("received")) == (1, 1)
    # the move at 23:59 on 31 Dec belongs to December, the one at 00:01 on 1 Jan to the next year
    town.dispatch(after_midnight, at="2026-12-31 23:59")
    town.accept(after_midnight, at="2027-01-01 00:01")
    assert total_row(city, "2026-12-31")["dispatched"] == 1
    assert total_row(city, "2027-01-01")["responded"] == 1


# --- units: the department and the levels of the area ---------------------------------------------


def test_counts_after_dispatch_go_to_the_lead_department(town: Town) -> None:
    department = town.tree.department
    # d1: dispatched to the department, its accept deadline passes (sweep), accepted late, its reply deadline
    # passes (sweep), replied, the call-back deadline passes (sweep), rated, verified.
    d1 = town.file(at="2026-11-02 08:30")
    town.dispatch(d1, at="2026-11-02 09:00", to=department)
    assert town.sweep("2026-11-02 11:05").red == 1
    assert town.accept(d1, at="2026-11-02 14:00").due_at == moment("2026-11-11 14:00")
    # d2: dispatched to the department, returned by it at once (an answer on time), then dispatched to the community
    # (counted for the department no more), which handles it to the end before 11 Nov.
    d2 = town.file(at="2026-11-03 08:30")
    town.dispatch(d2, at="2026-11-03 09:00", to=department)
    town.give_back(d2, at="2026-11-03 09:30")
    town.dispatch(d2, at="2026-11-03 10:00", to=town.tree.community)
    town.accept(d2, at="2026-11-03 10:30")
    town.rated_and_closed(
        d2, replied="2026-11-04 10:00", rating=SATISFIED, rated="2026-11-05 09:00", closed="2026-11-05 10:00"
    )
    assert town.sweep("2026-11-11 14:05").red == 1  # d1's reply deadline
    assert town.reply(d1, at="2026-11-11 15:00").due_at == moment("2026-11-16 15:00")  # call back within 3 working days
    # d1's call-back deadline passes: the dispatch centre's deadline, not the department's
    assert town.sweep("2026-11-16 15:05").red == 1
    town.rate(d1, SATISFIED, at="2026-11-16 16:00")
    town.verify_close(d1, at="2026-11-16 17:00")

    counted = nonzero(dict(figures(department, NOVEMBER).counts))
    handling = int((moment("2026-11-16 17:00") - moment("2026-11-02 08:30")).total_seconds())
    assert counted == {
        # the filing has no department: received 0
        "dispatched": 2,  # d1, d2's first dispatch
        "responded": 2,  # d1's passed accept deadline, d2's return
        "responded_on_time": 1,  # d2's return
        "returned": 1,  # d2
        "overdue": 2,  # d1's accept and reply deadlines (not its call-back)
        "replied": 1,  # d1
        "closed": 1,  # d1 (d2 was closed under the community's lead)
        "resolved": 1,
        "rated": 1,
        "satisfied": 1,
        "handling_seconds": handling,
    }
    assert figures(town.department2, NOVEMBER).counts == dict.fromkeys(COUNTERS, 0)
    # the area counts everything: 2 received, 3 dispatches, the call-back deadline as well
    area_counts = figures(town.tree.community, NOVEMBER)
    assert (area_counts.count("received"), area_counts.count("dispatched"), area_counts.count("overdue")) == (2, 3, 3)
    assert (area_counts.count("closed"), area_counts.count("closed_on_time")) == (2, 1)


def test_the_same_counts_at_grid_community_street_district_and_city(town: Town) -> None:
    tree = town.tree
    one = town.accepted(filed="2026-11-02 08:30", dispatched="2026-11-02 09:00", accepted="2026-11-02 10:00")
    town.rated_and_closed(
        one, replied="2026-11-03 10:00", rating=BASICALLY, rated="2026-11-04 09:00", closed="2026-11-04 10:00"
    )
    line = [tree.grid, tree.community, tree.street, tree.district, tree.city]
    expected = {
        "received": 1,
        "dispatched": 1,
        "responded": 1,
        "responded_on_time": 1,
        "replied": 1,
        "closed": 1,
        "resolved": 1,
        "closed_on_time": 1,
        "rated": 1,
        "basically": 1,
        "handling_seconds": int((moment("2026-11-04 10:00") - moment("2026-11-02 08:30")).total_seconds()),
    }
    for unit in line:
        assert nonzero(dict(figures(unit, NOVEMBER).counts)) == expected, unit.level
    for sibling in (tree.grid2, tree.community2, tree.street2, tree.district2):
        assert figures(sibling, NOVEMBER).counts == dict.fromkeys(COUNTERS, 0), sibling.level
    # a matter in the sibling grid adds to the community and above, not to the first grid
    town.file(at="2026-11-05 08:30", where="grid2")
    town.file(at="2026-11-05 08:30", where="district2")
    received = {unit.level: figures(unit, NOVEMBER).count("received") for unit in line}
    assert received == {"grid": 1, "community": 2, "street": 2, "district": 2, "city": 3}
    assert figures(tree.grid2, NOVEMBER).count("received") == 1
    assert figures(tree.district2, NOVEMBER).count("received") == 1


# --- the monthly ranking (三率排名) and the public notice (通报) ----------------------------------------


def _one_matter(town: Town, where: str, day: str, *, late: bool) -> None:
    """Filed, dispatched at 09:00, accepted at 10:00 (on time) or 11:30 (late), replied, rated satisfied, closed."""
    matter = town.accepted(
        filed=f"{day} 08:30", dispatched=f"{day} 09:00", accepted=f"{day} {'11:30' if late else '10:00'}", where=where
    )
    next_day = (date.fromisoformat(day) + timedelta(days=1)).isoformat()
    town.rated_and_closed(
        matter, replied=f"{next_day} 10:00", rating=SATISFIED, rated=f"{next_day} 11:00", closed=f"{next_day} 14:00"
    )


def test_ranking_of_streets_with_ties_changes_and_units_without_matters(town: Town) -> None:
    tree = town.tree
    district2_street = Place.objects.get(parent=tree.district2, level=PlaceLevel.STREET)
    empty_street = make_place(PlaceLevel.STREET, tree.district2, 2, "空街道")
    city_staff = make_staff(role=Role.CITY_STAFF, place=tree.city, username="citystaff")
    # November: district2's street all on time → 100; the tree's street accepted late → 20 × 0 + 40 + 40 = 80
    _one_matter(town, "district2", "2026-11-02", late=False)
    _one_matter(town, "grid", "2026-11-02", late=True)
    # December: the tree's street and street2 on time → 100 and 100 (a tie); district2's street late → 80
    _one_matter(town, "grid", "2026-12-01", late=False)
    _one_matter(town, "street2", "2026-12-01", late=False)
    _one_matter(town, "district2", "2026-12-01", late=True)

    rows = ranking(city_staff, UnitKind.STREET, DECEMBER, Weights())
    table = [(row.area.unit_id, row.score, row.rank, row.previous_rank, row.rank_change) for row in rows]
    assert table == [
        (tree.street.pk, pytest.approx(100.0), 1, 2, 1),  # up from 2nd to 1st
        (tree.street2.pk, pytest.approx(100.0), 1, None, None),  # tied 1st; not ranked in November
        (district2_street.pk, pytest.approx(80.0), 3, 1, -2),  # competition ranking: 1, 1, 3
        (empty_street.pk, None, None, None, None),  # no matters: listed, not ranked
    ]
    assert rows[0].score_change == pytest.approx(100 - 80)
    assert rows[2].score_change == pytest.approx(80 - 100)
    # a district's staff sees its own district's streets only
    district_staff = make_staff(role=Role.DISTRICT_STAFF, place=tree.district, username="districtstaff")
    assert [row.area.unit_id for row in ranking(district_staff, UnitKind.STREET, DECEMBER, Weights())] == [
        tree.street.pk,
        tree.street2.pk,
    ]


def test_ranking_of_departments(town: Town) -> None:
    city_staff = make_staff(role=Role.CITY_STAFF, place=town.tree.city, username="citystaff")
    extra = town.department2
    # tree.department: one matter accepted on time, satisfied → 100; department2: late accept → 80
    for department, accept in ((town.tree.department, "2026-11-02 10:00"), (extra, "2026-11-02 11:30")):
        matter = town.accepted(filed="2026-11-02 08:30", dispatched="2026-11-02 09:00", accepted=accept, to=department)
        town.rated_and_closed(
            matter, replied="2026-11-03 10:00", rating=SATISFIED, rated="2026-11-03 11:00", closed="2026-11-03 14:00"
        )
    rows = ranking(city_staff, UnitKind.DEPARTMENT, NOVEMBER, Weights())
    ranked = [(row.area.unit_id, row.rank, row.score) for row in rows if row.rank is not None]
    assert ranked == [(town.tree.department.pk, 1, pytest.approx(100.0)), (extra.pk, 2, pytest.approx(80.0))]
    # the city's dispatch centre is a department too, without matters: listed, not ranked
    assert [row.rank for row in rows if row.area.unit_id == town.tree.dispatch_centre.pk] == [None]


def test_notice_list_takes_its_threshold_from_the_settings(town: Town) -> None:
    tree = town.tree
    city_staff = make_staff(role=Role.CITY_STAFF, place=tree.city, username="citystaff")
    n1 = town.file(at="2026-12-01 08:30")
    n2 = town.file(at="2026-12-01 08:30", where="street2")
    town.dispatch(n1, at="2026-12-01 09:00")
    town.dispatch(n2, at="2026-12-01 09:00")
    assert town.sweep("2026-12-01 11:05").red == 2  # both accept deadlines (11:00)
    town.accept(n1, at="2026-12-01 14:00")  # reply due 10 Dec 14:00
    town.accept(n2, at="2026-12-01 14:00")
    town.reply(n2, at="2026-12-09 10:00")  # in time; its call-back is due 14 Dec
    assert town.sweep("2026-12-10 14:05").red == 1  # n1's reply deadline
    # the tree's street let deadlines pass 2 times (n1 twice), street2 once
    assert AnalyticsSettings.current().notice_overdue == 2
    listed = notice_list(city_staff, UnitKind.STREET, DECEMBER)
    assert [(row.area.unit_id, row.overdue) for row in listed] == [(tree.street.pk, 2)]
    assert notice_evidence(UnitKind.STREET, [tree.street.pk], DECEMBER) == {
        tree.street.pk: [NoticeMatter(n1.number, n1.title, 2)]
    }
    AnalyticsSettings.objects.filter(pk=1).update(notice_overdue=1)
    listed = notice_list(city_staff, UnitKind.STREET, DECEMBER)
    assert [(row.area.unit_id, row.overdue) for row in listed] == [(tree.street.pk, 2), (tree.street2.pk, 1)]
    AnalyticsSettings.objects.filter(pk=1).update(notice_overdue=3)
    assert notice_list(city_staff, UnitKind.STREET, DECEMBER) == []
    # November had no overdue deadline at all
    AnalyticsSettings.objects.filter(pk=1).update(notice_overdue=1)
    assert notice_list(city_staff, UnitKind.STREET, NOVEMBER) == []


def test_definition_words_name_the_rules_the_tests_check() -> None:
    """The tests above work from these sentences; if a definition changes, they must be read again."""
    assert "not counted again" in str(DEFINITION_BY_KEY["response_rate"].how)
    assert "discarded" in str(DEFINITION_BY_KEY["resolution_rate"].how)
    assert "0.8" in str(DEFINITION_BY_KEY["satisfaction_rate"].how)
    assert "unrated matters are left out" in str(DEFINITION_BY_KEY["satisfaction_rate"].how)
    assert "never missed an accept or reply deadline" in str(DEFINITION_BY_KEY["on_time_rate"].how)
    assert "20/40/40" in str(DEFINITION_BY_KEY["composite"].how)
    assert Weights() == Weights(20, 40, 40, Decimal("1.00"), Decimal("0.80"))


def test_a_months_rate_divides_the_months_sums_not_an_average_of_daily_rates(town: Town) -> None:
    # 2 Nov: one answer, on time (1/1); 3 Nov: three answers, one on time (1/3)
    town.accepted(filed="2026-11-02 08:30", dispatched="2026-11-02 09:00", accepted="2026-11-02 10:00")
    for accept in ("2026-11-03 10:00", "2026-11-03 11:30", "2026-11-03 14:00"):
        town.accepted(filed="2026-11-03 08:30", dispatched="2026-11-03 09:00", accepted=accept)
    daily = [
        figures(town.tree.community, Period.containing(PeriodKind.DAY, date(2026, 11, day))).response_rate
        for day in (2, 3)
    ]
    assert daily == [1.0, pytest.approx(1 / 3)]
    # the month: (1 + 1) / (1 + 3) = 0.5, not (1 + 1/3) / 2 = 0.67
    assert figures(town.tree.community, NOVEMBER).response_rate == pytest.approx(0.5)


def test_a_deadline_passed_between_two_sweeps_still_makes_the_closure_late(town: Town) -> None:
    """ "never missed an accept or reply deadline" and "Deadlines ... that passed in the period without the step being
    taken": a matter accepted after its accept deadline missed it even if no sweep ran in between (the late step
    marks it)."""
    matter = town.accepted(filed="2026-11-02 08:30", dispatched="2026-11-02 09:00", accepted="2026-11-02 11:30")
    town.rated_and_closed(
        matter, replied="2026-11-03 10:00", rating=SATISFIED, rated="2026-11-03 11:00", closed="2026-11-03 14:00"
    )
    result = figures(town.tree.community, NOVEMBER)
    assert result.response_rate == 0.0  # the late accept is a late answer (this holds)
    # by the definitions: went past the accept deadline → not on time (0 of 1), and one deadline passed
    assert (result.on_time_rate, result.count("overdue")) == (0.0, 1)


def test_a_departments_notice_evidence_counts_only_its_own_deadlines(town: Town) -> None:
    """A department is counted for the accept and reply deadlines it missed, not for the dispatch centre's late
    call-back: its notice row's evidence must add up to its count."""
    city_staff = make_staff(role=Role.CITY_STAFF, place=town.tree.city, username="citystaff")
    department = town.tree.department
    matter = town.file(at="2026-11-02 08:30")
    town.dispatch(matter, at="2026-11-02 09:00", to=department)
    assert town.sweep("2026-11-02 11:05").red == 1  # accept deadline
    town.accept(matter, at="2026-11-02 14:00")
    assert town.sweep("2026-11-11 14:05").red == 1  # reply deadline
    town.reply(matter, at="2026-11-11 15:00")
    assert town.sweep("2026-11-16 15:05").red == 1  # call-back deadline: the centre's
    listed = notice_list(city_staff, UnitKind.DEPARTMENT, NOVEMBER)
    # counted: accept + reply = 2 (the threshold is 2); the evidence: the same matter, 2 times
    assert [(row.area.unit_id, row.overdue) for row in listed] == [(department.pk, 2)]
    assert notice_evidence(UnitKind.DEPARTMENT, [department.pk], NOVEMBER) == {
        department.pk: [NoticeMatter(matter.number, matter.title, 2)]
    }
    # the area counts all three
    street = notice_list(city_staff, UnitKind.STREET, NOVEMBER)
    assert [(row.area.unit_id, row.overdue) for row in street] == [(town.tree.street.pk, 3)]
    assert notice_evidence(UnitKind.STREET, [town.tree.street.pk], NOVEMBER) == {
        town.tree.street.pk: [NoticeMatter(matter.number, matter.title, 3)]
    }
