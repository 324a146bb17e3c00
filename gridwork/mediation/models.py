"""Resolving disputes at the grassroots (枫桥经验, seed 001): dispute cases, their parties, mediators, sessions,
agreements (调解协议书) and their performance, and referrals to the court, arbitration, the petition office or a
department (诉调对接).

A case (``DisputeCase``) is registered from a grid's screening (``screening.RiskEntry``), from a matter of the closed
loop ("turn into a dispute case"), on a party's application, or by staff; it belongs to the grid or community where
the dispute arose (``place``, its scope). It moves registered → assigned (a mediator takes it) → mediating (a session
was held) → concluded (an outcome is recorded: agreement, partial agreement, failed or withdrawn) → closed; a case
out of scope, or failed, may be referred (→ referred), and closes when the receiving body's result is recorded. Each
move is an append-only event (``common.flows``). A case cannot close without an outcome (a database constraint as
well as the flow).

Parties' names, phone numbers and ID numbers are personal data: masked on every page, in every list and export, and
shown in full only to holders of ``Perm.VIEW_DISPUTE_PARTIES`` on request, each showing audited.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gridwork.common.flows import FlowEvent, FlowSubject
from gridwork.common.scope import ScopedQuerySet
from gridwork.places.models import Place


class DisputeType(models.TextChoices):
    """The kinds of dispute the screening and the cases record (矛盾纠纷类型)."""

    NEIGHBOUR = "neighbour", _("Neighbour dispute")
    FAMILY = "family", _("Marriage and family")
    PROPERTY = "property", _("Property management")
    LABOUR = "labour", _("Labour and wages")
    LAND = "land", _("Land, requisition and demolition")
    CONTRACT = "contract", _("Contracts and debts")
    DAMAGE = "damage", _("Damage and compensation")
    CONSTRUCTION = "construction", _("Building and renovation")
    OTHER = "other", _("Other")


class RiskLevel(models.TextChoices):
    """How likely a dispute is to grow (风险等级): low 一般, medium 较大, high 重大 (may turn to violence or
    petitions)."""

    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class CaseSource(models.TextChoices):
    SCREENING = "screening", _("Found on screening")
    MATTER = "matter", _("From a resident's matter")
    APPLICATION = "application", _("A party's application")
    STAFF = "staff", _("Taken up by staff")


class CaseState(models.TextChoices):
    REGISTERED = "registered", pgettext_lazy("dispute case", "Registered")
    ASSIGNED = "assigned", _("Mediator assigned")
    MEDIATING = "mediating", _("Mediating")
    CONCLUDED = "concluded", _("Mediation concluded")
    REFERRED = "referred", _("Referred")
    CLOSED = "closed", _("Closed")


class Outcome(models.TextChoices):
    AGREEMENT = "agreement", _("Agreement reached")
    PARTIAL = "partial", _("Partial agreement")
    FAILED = "failed", _("Mediation failed")
    WITHDRAWN = "withdrawn", _("Withdrawn by the applicant")


class DisputeCase(FlowSubject):
    """矛盾纠纷调解案件: one dispute between parties, mediated in the community."""

    SCOPE_PATH: ClassVar[str] = "place__path"

    number = models.CharField(_("number"), max_length=20, unique=True)  # 调-2026-000123
    title = models.CharField(_("title"), max_length=80)
    dispute_type = models.CharField(_("type"), max_length=16, choices=DisputeType.choices)
    risk = models.CharField(_("risk level"), max_length=8, choices=RiskLevel.choices, default=RiskLevel.LOW)
    facts = models.TextField(_("facts and what is disputed"))
    place = models.ForeignKey(
        Place, verbose_name=_("grid or community"), on_delete=models.PROTECT, related_name="dispute_cases"
    )
    community = models.ForeignKey(Place, verbose_name=_("community"), on_delete=models.PROTECT, related_name="+")
    location = models.CharField(_("where"), max_length=200, blank=True)
    source = models.CharField(_("source"), max_length=16, choices=CaseSource.choices)
    matter = models.ForeignKey(
        "matters.Matter",
        verbose_name=_("matter"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dispute_cases",
    )
    risk_entry = models.OneToOneField(
        "screening.RiskEntry",
        verbose_name=_("screening entry"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dispute_case",
    )
    state = models.CharField(_("state"), max_length=16, choices=CaseState.choices, default=CaseState.REGISTERED)
    mediator = models.ForeignKey(
        "Mediator",
        verbose_name=_("mediator"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
    )
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices, blank=True)
    outcome_note = models.TextField(_("outcome note"), blank=True)
    concluded_at = models.DateTimeField(_("concluded at"), null=True, blank=True)
    referred = models.BooleanField(_("referred"), default=False)  # set by the first referral
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("registered by"), on_delete=models.PROTECT, related_name="+"
    )
    registered_at = models.DateTimeField(_("registered at"))

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("dispute case")
        verbose_name_plural = _("dispute cases")
        ordering = ["-registered_at", "-id"]
        indexes = [
            models.Index(fields=["community", "registered_at"], name="dispute_community_registered"),
            models.Index(fields=["state", "registered_at"], name="dispute_state_registered"),
        ]
        constraints = [
            # A case cannot be concluded or closed without an outcome, unless it was referred: then it closes with the
            # receiving body's result (``Referral``).
            models.CheckConstraint(
                condition=~Q(state="concluded") | ~Q(outcome=""),
                name="dispute_concluded_has_outcome",
            ),
            models.CheckConstraint(
                condition=~Q(state="closed") | ~Q(outcome="") | Q(referred=True),
                name="dispute_closed_has_outcome",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class CaseEvent(FlowEvent):
    subject = models.ForeignKey(DisputeCase, on_delete=models.PROTECT, related_name="events")

    class Meta(FlowEvent.Meta):
        verbose_name = _("dispute case event")
        verbose_name_plural = _("dispute case events")
        constraints = [models.UniqueConstraint(fields=["subject", "sequence"], name="caseevent_sequence")]


class PartyRole(models.TextChoices):
    APPLICANT = "applicant", _("Applicant")
    RESPONDENT = "respondent", _("Respondent")
    OTHER = "other", _("Other party")


class CaseParty(models.Model):
    """当事人. Name, phone, ID number and address are personal data: masked unless revealed (audited)."""

    case = models.ForeignKey(DisputeCase, verbose_name=_("case"), on_delete=models.CASCADE, related_name="parties")
    role = models.CharField(_("role"), max_length=16, choices=PartyRole.choices)
    name = models.CharField(_("name"), max_length=60)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    id_number = models.CharField(_("ID number"), max_length=18, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    is_organisation = models.BooleanField(_("an organisation"), default=False)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        ordering = ["case_id", "order", "id"]

    def __str__(self) -> str:
        return f"{self.get_role_display()} {self.pk}"


class MediatorKind(models.TextChoices):
    """Who mediates (seeds 000–002): 人民调解员, 法律顾问 (一社区一法律顾问), 社区民警 (一社区一警), 律师服务团律师,
    矛调员."""

    PEOPLES_MEDIATOR = "peoples", _("People's mediator")
    LEGAL_ADVISER = "legal", _("Community legal adviser")
    POLICE = "police", _("Community police officer")
    LAWYER = "lawyer", _("Lawyer of the service group")
    GRID_MEDIATOR = "grid", _("Micro-grid mediator")


class Mediator(models.Model):
    """A mediator of the roster, serving the communities listed (or every community under ``place``)."""

    SCOPE_PATH: ClassVar[str] = "place__path"

    name = models.CharField(_("name"), max_length=60)
    kind = models.CharField(_("kind"), max_length=16, choices=MediatorKind.choices)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    organisation = models.CharField(_("organisation"), max_length=100, blank=True)  # 调委会, 律所, 派出所
    place = models.ForeignKey(
        Place, verbose_name=_("serves (street or community)"), on_delete=models.PROTECT, related_name="mediators"
    )
    communities = models.ManyToManyField(
        Place, verbose_name=_("communities served"), blank=True, related_name="community_mediators"
    )
    dispute_types = models.JSONField(_("dispute types"), default=list, blank=True)  # DisputeType values; [] = any
    available = models.BooleanField(_("available"), default=True)
    max_open_cases = models.PositiveSmallIntegerField(_("most open cases at once"), default=5)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("platform account"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="mediator_roles",
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("added at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("mediator")
        verbose_name_plural = _("mediators")
        ordering = ["place__path", "name", "id"]

    def __str__(self) -> str:
        return self.name


class AssignmentEnd(models.TextChoices):
    RECUSED = "recused", _("Recused at a party's request")
    REPLACED = "replaced", _("Replaced")
    FINISHED = "finished", _("Case finished")


class Assignment(models.Model):
    """A mediator's assignment to a case; one open row per case. A party may ask for another mediator (回避)."""

    case = models.ForeignKey(DisputeCase, verbose_name=_("case"), on_delete=models.PROTECT, related_name="assignments")
    mediator = models.ForeignKey(
        Mediator, verbose_name=_("mediator"), on_delete=models.PROTECT, related_name="assignments"
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("assigned by"), on_delete=models.PROTECT, related_name="+"
    )
    assigned_at = models.DateTimeField(_("assigned at"))
    suggested = models.BooleanField(_("the platform's suggestion"), default=False)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    end = models.CharField(_("ended by"), max_length=16, choices=AssignmentEnd.choices, blank=True)
    end_reason = models.TextField(_("reason"), blank=True)
    requested_by_party = models.ForeignKey(
        CaseParty,
        verbose_name=_("asked for by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("mediator assignment")
        verbose_name_plural = _("mediator assignments")
        ordering = ["case_id", "assigned_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["case"], condition=Q(ended_at__isnull=True), name="assignment_one_open"),
            models.CheckConstraint(
                condition=~Q(end="recused") | ~Q(end_reason=""), name="assignment_recusal_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} ← {self.mediator_id}"


class MediationSession(models.Model):
    """调解会: one sitting of the mediation (place: the community's mediation room or elsewhere)."""

    case = models.ForeignKey(DisputeCase, verbose_name=_("case"), on_delete=models.PROTECT, related_name="sessions")
    held_at = models.DateTimeField(_("held at"))
    location = models.CharField(_("place"), max_length=200)
    mediator = models.ForeignKey(
        Mediator, verbose_name=_("mediator"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    participants = models.TextField(_("participants"))
    notes = models.TextField(_("notes"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("mediation session")
        verbose_name_plural = _("mediation sessions")
        ordering = ["case_id", "held_at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} @ {self.held_at:%Y-%m-%d}"


class Agreement(models.Model):
    """调解协议书: the terms the parties agreed, with how and by when they are performed; its PDF is kept."""

    case = models.OneToOneField(DisputeCase, verbose_name=_("case"), on_delete=models.PROTECT, related_name="agreement")
    number = models.CharField(_("number"), max_length=24, unique=True)
    facts = models.TextField(_("facts and what was disputed"))
    terms = models.TextField(_("terms agreed"))
    performance = models.TextField(_("how and by when it is performed"))
    signed_on = models.DateField(_("signed on"))
    pdf = models.FileField(_("PDF"), upload_to="mediation/agreements/", blank=True)
    pdf_sha256 = models.CharField(_("PDF SHA-256"), max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("written by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("written at"), auto_now_add=True)

    class Meta:
        verbose_name = _("mediation agreement")
        verbose_name_plural = _("mediation agreements")

    def __str__(self) -> str:
        return self.number


class Performance(models.TextChoices):
    PERFORMED = "performed", pgettext_lazy("agreement", "Performed")
    PARTLY = "partly", _("Partly performed")
    NOT_PERFORMED = "not_performed", _("Not performed")


class FollowUp(models.Model):
    """回访: a check, at a set date, that the agreement is performed."""

    agreement = models.ForeignKey(
        Agreement, verbose_name=_("agreement"), on_delete=models.PROTECT, related_name="follow_ups"
    )
    due_on = models.DateField(_("due on"))
    done_on = models.DateField(_("done on"), null=True, blank=True)
    result = models.CharField(_("result"), max_length=16, choices=Performance.choices, blank=True)
    note = models.TextField(_("note"), blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("done by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["agreement_id", "due_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(done_on__isnull=True, result="") | (Q(done_on__isnull=False) & ~Q(result="")),
                name="followup_done_has_result",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agreement_id} {self.due_on}"


class ReceivingKind(models.TextChoices):
    COURT = "court", _("People's court")
    ARBITRATION = "arbitration", _("Arbitration commission")
    PETITION = "petition", _("Petition office")
    DEPARTMENT = "department", _("Government department")
    POLICE = "police", _("Police station")


class ReferralResult(models.TextChoices):
    ACCEPTED = "accepted", _("Accepted and handled")
    SETTLED = "settled", _("Settled (judgment, award or decision)")
    REFUSED = "refused", _("Not accepted")


class Referral(models.Model):
    """诉调对接: the case handed to a body that can decide it, with a referral letter; the body's result is recorded."""

    case = models.ForeignKey(DisputeCase, verbose_name=_("case"), on_delete=models.PROTECT, related_name="referrals")
    receiving_kind = models.CharField(_("receiving body kind"), max_length=16, choices=ReceivingKind.choices)
    receiving_body = models.CharField(_("receiving body"), max_length=100)
    department = models.ForeignKey(
        "places.Department",
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reason = models.TextField(_("why it is referred"))
    letter = models.FileField(_("referral letter"), upload_to="mediation/referrals/", blank=True)
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("referred by"), on_delete=models.PROTECT, related_name="+"
    )
    referred_at = models.DateTimeField(_("referred at"))
    result = models.CharField(_("result"), max_length=16, choices=ReferralResult.choices, blank=True)
    result_note = models.TextField(_("result note"), blank=True)
    result_at = models.DateTimeField(_("result recorded at"), null=True, blank=True)

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        ordering = ["case_id", "referred_at", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(receiving_body=""), name="referral_has_receiving_body"),
            models.CheckConstraint(
                condition=Q(result="", result_at__isnull=True) | (~Q(result="") & Q(result_at__isnull=False)),
                name="referral_result_dated",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} → {self.receiving_body}"
