"""Writing the dual evaluation (双评价): the community grades each registered member once a period and sends the
evaluations to the members' employers.

``member_evaluate`` grades a member for a year or a half-year, keeping a snapshot of the member's record as it stands
(``records.record_figures_for``). Grading again before the evaluation is sent replaces it: a compare-and-set on its
version and on its being unsent, audited with the grade it replaces. ``evaluations_send`` sends the community's
unsent evaluations of a period at once; from then on each is final (``EvaluationFinal``). Both need MANAGE_PARTY over
the registration's community; both write their audit row in their transaction.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from gridwork.accounts.roles import Perm
from gridwork.audit.services import audit_record
from gridwork.common.flows import StaleState
from gridwork.party.models import EvaluationGrade, MemberEvaluation, MemberRegistration
from gridwork.party.periods import Period, local_zone
from gridwork.party.records import record_figures_for, registration_evaluable
from gridwork.places.models import Place, PlaceLevel
from gridwork.places.services import place_require_scope

MAX_COMMENT = 1000
# A grade below "competent" tells the employer something is wrong: the community says what.
GRADES_NEEDING_COMMENT = frozenset({EvaluationGrade.BASICALLY_COMPETENT, EvaluationGrade.NOT_COMPETENT})


class EvaluationFinal(Exception):
    """The evaluation was sent to the employer: it cannot be changed any more."""

    def __init__(self, evaluation: MemberEvaluation) -> None:
        self.evaluation = evaluation
        sent = timezone.localtime(evaluation.sent_at, local_zone()) if evaluation.sent_at else None
        super().__init__(
            _("This evaluation was sent to the employer on %(date)s; it is final and cannot be changed.")
            % {"date": date_format(sent, "Y-m-d") if sent else ""}
        )


def _require_signed_in(actor: Any) -> None:
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise PermissionDenied(_("Sign in first."))


def _period_fields(period: Period) -> dict[str, Any]:
    return {"period_kind": period.kind, "period_year": period.year, "period_number": period.number}


def evaluation_errors(
    *, registration: MemberRegistration, period: Period, grade: str, comment: str, today: Any
) -> dict[str, str]:
    """What is wrong with grading ``registration`` so for ``period``, field by field."""
    errors: dict[str, str] = {}
    if not period.is_evaluation_period:
        errors["period"] = _("Members are evaluated for a year or a half-year.")
    elif not period.has_started(today):
        errors["period"] = _("%(period)s has not begun yet.") % {"period": period.label}
    elif not registration_evaluable(registration, period):
        errors["period"] = _("This member was not registered with the community during %(period)s.") % {
            "period": period.label
        }
    if grade not in EvaluationGrade.values:
        errors["grade"] = _("Choose the grade.")
    if len(comment) > MAX_COMMENT:
        errors["comment"] = _("The comment is longer than %(max)d characters.") % {"max": MAX_COMMENT}
    elif not comment and grade in GRADES_NEEDING_COMMENT:
        errors["comment"] = _("Say why the member is graded “%(grade)s”; the employer reads it.") % {
            "grade": EvaluationGrade(grade).label
        }
    return errors


def member_evaluate(
    *,
    actor: Any,
    registration: MemberRegistration,
    period: Period,
    grade: str,
    comment: str,
    expected_version: int | None = None,
) -> MemberEvaluation:
    """双评价: grade ``registration`` for ``period`` (a year or a half-year), by staff holding MANAGE_PARTY over its
    community, with a snapshot of its record now.

    Grading again replaces the evaluation while it is unsent (audited with what it replaces); ``expected_version`` is
    the version the page showed (0: no evaluation yet), so a page made stale by someone else's grade is refused
    (``StaleState``) rather than overwriting it. Raises PermissionDenied, ValidationError (field by field),
    EvaluationFinal (sent already) or StaleState."""
    _require_signed_in(actor)
    comment = comment.strip()
    with transaction.atomic():
        community = Place.objects.get(pk=registration.community_id)
        place_require_scope(actor=actor, place=community, perm=Perm.MANAGE_PARTY)
        # One grading of a registration at a time: the lookup of its evaluation and the write cannot interleave.
        MemberRegistration.objects.select_for_update().filter(pk=registration.pk).first()
        existing = (
            MemberEvaluation.objects.select_for_update()
            .filter(registration=registration, **_period_fields(period))
            .first()
        )
        if existing is not None and existing.sent_at is not None:
            raise EvaluationFinal(existing)
        errors = evaluation_errors(
            registration=registration,
            period=period,
            grade=grade,
            comment=comment,
            today=timezone.localdate(timezone=local_zone()),
        )
        if errors:
            raise ValidationError(errors)
        shown = existing.version if existing is not None else 0
        if expected_version is not None and expected_version != shown:
            raise StaleState
        now = timezone.now()
        figures = record_figures_for([registration], period)[registration.pk].snapshot()
        values = {"grade": grade, "comment": comment, "figures": figures, "evaluated_by": actor, "evaluated_at": now}
        detail: dict[str, Any] = {
            "registration": registration.pk,
            "community": community.code,
            "period": period.code,
            "grade": grade,
        }
        if existing is None:
            try:
                with transaction.atomic():
                    evaluation = MemberEvaluation.objects.create(
                        registration=registration, **_period_fields(period), **values
                    )
            except IntegrityError as error:  # someone else graded this member for the period first
                raise StaleState from error
            audit_record(actor=actor, action="member_evaluation.create", target=evaluation, detail=detail)
            return evaluation
        replaced = MemberEvaluation.objects.filter(
            pk=existing.pk, version=existing.version, sent_at__isnull=True
        ).update(**values, version=F("version") + 1)
        if not replaced:
            raise StaleState
        evaluation = MemberEvaluation.objects.get(pk=existing.pk)
        detail["replaced"] = {
            "version": existing.version,
            "grade": existing.grade,
            "comment": existing.comment,
            "evaluated_by": existing.evaluated_by_id,
            "evaluated_at": existing.evaluated_at.isoformat(),
        }
        audit_record(actor=actor, action="member_evaluation.replace", target=evaluation, detail=detail)
    return evaluation


def evaluations_send(*, actor: Any, community: Place, period: Period) -> int:
    """Send the community's evaluations of ``period`` not sent yet to the members' employers: each gets
    ``sent_at`` and is final from then on. By staff holding MANAGE_PARTY over the community; audited. Returns how
    many were sent; ValidationError when there is none to send."""
    _require_signed_in(actor)
    with transaction.atomic():
        place_require_scope(actor=actor, place=community, perm=Perm.MANAGE_PARTY)
        if community.level != PlaceLevel.COMMUNITY:
            raise ValidationError({"community": _("Choose a community.")})
        # Lock the evaluations only (``of=self``): with the join, PostgreSQL would also lock the registrations, in
        # the other order from a grading (registration, then its evaluation), and the two could deadlock.
        ids = list(
            MemberEvaluation.objects.select_for_update(of=("self",))
            .filter(registration__community=community, sent_at__isnull=True, **_period_fields(period))
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        if not ids:
            raise ValidationError(
                {NON_FIELD_ERRORS: _("No evaluation of %(period)s awaits sending.") % {"period": period.label}}
            )
        sent = MemberEvaluation.objects.filter(pk__in=ids, sent_at__isnull=True).update(
            sent_at=timezone.now(), sent_by=actor
        )
        audit_record(
            actor=actor,
            action="member_evaluation.send",
            target=community,
            detail={"community": community.code, "period": period.code, "sent": sent, "evaluations": ids},
        )
    return sent
