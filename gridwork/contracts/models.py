"""契约化共建 — co-construction contracts between a community (its party organisation) and a resident unit.

A contract goes 谈约 (negotiate the clauses from four menus) → 签约 (both parties sign; the term is fixed) → 亮约
(published on the community's public board) → 履约 (each clause performed, with evidence) → 评约 (both parties
score each clause and the whole; residents rate it apart) → closed. Every move is an event of the contract
(``common.flows``); the events, the performance records with their evidence, the evaluations and the residents'
ratings are append-only in the database.

Scores: each party scores each clause and the whole from 0 to 100 (百分制, as assessments of the community's work
are scored); residents rate the contract from 1 to 5 stars (满意度), a different scale, kept in a table of its own.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gridwork.cobuild.categories import ServiceField
from gridwork.common.flows import FlowEvent, FlowSubject
from gridwork.common.scope import ScopedQuerySet
from gridwork.places.models import Place

SCORE_MIN, SCORE_MAX = 0, 100  # a party's score of a clause or of the whole contract
STARS_MIN, STARS_MAX = 1, 5  # a resident's rating


class ContractState(models.TextChoices):
    NEGOTIATING = "negotiating", _("Negotiating")  # 谈约
    SIGNING = "signing", _("Signed by one party")  # 签约中
    SIGNED = "signed", _("Signed, to be published")  # 已签约
    PERFORMING = "performing", _("Published, being performed")  # 亮约 · 履约
    EVALUATING = "evaluating", _("Being evaluated")  # 评约
    CLOSED = "closed", pgettext_lazy("contract", "Closed")  # 已结束
    CANCELLED = "cancelled", _("Negotiation abandoned")  # 终止谈约


class ContractStage(models.TextChoices):
    """The five steps of 契约化共建, and the end; each state belongs to one (``STAGE_OF``)."""

    NEGOTIATE = "negotiate", _("Negotiation")  # 谈约
    SIGN = "sign", _("Signing")  # 签约
    PERFORM = "perform", _("Published and performed")  # 亮约 · 履约
    EVALUATE = "evaluate", _("Evaluation")  # 评约
    CLOSED = "closed", pgettext_lazy("contract", "Closed")
    CANCELLED = "cancelled", _("Abandoned")


STAGE_OF: dict[str, str] = {
    ContractState.NEGOTIATING: ContractStage.NEGOTIATE,
    ContractState.SIGNING: ContractStage.SIGN,
    ContractState.SIGNED: ContractStage.SIGN,
    ContractState.PERFORMING: ContractStage.PERFORM,
    ContractState.EVALUATING: ContractStage.EVALUATE,
    ContractState.CLOSED: ContractStage.CLOSED,
    ContractState.CANCELLED: ContractStage.CANCELLED,
}

# Published (亮约) on the public board: from publication on, for good.
PUBLIC_STATES = (ContractState.PERFORMING, ContractState.EVALUATING, ContractState.CLOSED)
# Both signatures are on file.
SIGNED_STATES = (ContractState.SIGNED, *PUBLIC_STATES)


class ContractParty(models.TextChoices):
    COMMUNITY = "community", _("Community")  # 社区(党组织)
    UNIT = "unit", _("Resident unit")  # 驻区单位


class ClauseMenu(models.TextChoices):
    """The four menus a clause is drafted from (四张清单 of 契约化共建)."""

    SERVICE = "service", _("Service")  # 服务
    RESOURCE = "resource", _("Resource")  # 资源
    RESPONSIBILITY = "responsibility", _("Responsibility")  # 责任
    SPECIAL = "special", _("Special project")  # 特色 / 专项


class Contract(FlowSubject):
    """共建契约: a community and a resident unit sitting in the community or its street agree clauses for a term.

    Staff see a contract through its community (VIEW_PARTY) and act on it with MANAGE_PARTY over the community; the
    unit's contacts (``party.UnitContact``) see and act for the unit. Signatures record who and when; the term may be
    changed only while negotiating and is fixed by the signatures.
    """

    SCOPE_PATH: ClassVar[str] = "community__path"

    number = models.CharField(_("number"), max_length=12, unique=True)
    title = models.CharField(_("title"), max_length=80)
    community = models.ForeignKey(
        Place, verbose_name=_("community"), on_delete=models.PROTECT, related_name="contracts"
    )
    party_organisation = models.ForeignKey(
        "party.PartyOrganisation",
        verbose_name=_("community party organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    unit = models.ForeignKey(
        "people.ResidentUnit", verbose_name=_("resident unit"), on_delete=models.PROTECT, related_name="contracts"
    )
    term_start = models.DateField(_("term starts"), null=True, blank=True)
    term_end = models.DateField(_("term ends"), null=True, blank=True)
    state = models.CharField(
        _("state"), max_length=16, choices=ContractState.choices, default=ContractState.NEGOTIATING
    )
    community_signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signed for the community by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    community_signed_at = models.DateTimeField(_("community signed at"), null=True, blank=True)
    unit_signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signed for the unit by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    unit_signed_at = models.DateTimeField(_("unit signed at"), null=True, blank=True)
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    evaluation_started_at = models.DateTimeField(_("evaluation started at"), null=True, blank=True)
    ended_early = models.BooleanField(_("ended before the term"), default=False)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    expiry_warned_at = models.DateTimeField(_("expiry warning sent at"), null=True, blank=True)
    renewed_from = models.ForeignKey(
        "self",
        verbose_name=_("renewal of"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="renewals",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("drafted by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("drafted at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("co-construction contract")
        verbose_name_plural = _("co-construction contracts")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["community", "state"], name="contract_community_state"),
            models.Index(fields=["state", "term_end"], name="contract_state_term_end"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(term_start__isnull=True)
                | Q(term_end__isnull=True)
                | Q(term_end__gte=models.F("term_start")),
                name="contract_term_ordered",
            ),
            models.CheckConstraint(
                condition=~Q(state="signing") | Q(community_signed_at__isnull=False) | Q(unit_signed_at__isnull=False),
                name="contract_signing_has_a_signature",
            ),
            models.CheckConstraint(
                condition=~Q(state__in=["signed", "performing", "evaluating", "closed"])
                | Q(
                    community_signed_at__isnull=False,
                    unit_signed_at__isnull=False,
                    term_start__isnull=False,
                    term_end__isnull=False,
                ),
                name="contract_signed_by_both_with_term",
            ),
            # A contract is renewed once; a renewal abandoned while negotiating leaves room for another.
            models.UniqueConstraint(
                fields=["renewed_from"],
                condition=~Q(state="cancelled"),
                name="contract_renewed_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def stage(self) -> str:
        return STAGE_OF[self.state]


class ContractEvent(FlowEvent):
    subject = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="events")

    class Meta(FlowEvent.Meta):
        verbose_name = _("contract event")
        verbose_name_plural = _("contract events")
        constraints = [models.UniqueConstraint(fields=["subject", "sequence"], name="contractevent_sequence")]


class Clause(models.Model):
    """条款: from one of the four menus — which party does what, by when, how it is measured, in which field of work.

    Drafted by the community or proposed by the unit while negotiating; fixed once a party has signed.
    ``performed_on`` is the date of the first performance record that completed it (on time: not after ``due_on``).
    """

    contract = models.ForeignKey(Contract, verbose_name=_("contract"), on_delete=models.PROTECT, related_name="clauses")
    position = models.PositiveIntegerField(_("position"), default=1)
    menu = models.CharField(_("menu"), max_length=16, choices=ClauseMenu.choices)
    party = models.CharField(_("done by"), max_length=16, choices=ContractParty.choices)
    content = models.TextField(_("what"))
    due_on = models.DateField(_("due by"))
    measure = models.CharField(_("how it is measured"), max_length=200)
    field = models.CharField(_("field of work"), max_length=16, choices=ServiceField.choices)
    proposed_by = models.CharField(_("proposed by"), max_length=16, choices=ContractParty.choices)
    match = models.ForeignKey(
        "cobuild.Match",
        verbose_name=_("drafted from the match"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="clauses",
    )
    performed_on = models.DateField(_("performed on"), null=True, blank=True)
    created_at = models.DateTimeField(_("drafted at"), auto_now_add=True)

    class Meta:
        verbose_name = _("clause")
        verbose_name_plural = _("clauses")
        ordering = ["contract_id", "position", "id"]

    def __str__(self) -> str:
        return f"{self.contract_id}.{self.position} {self.content[:30]}"

    @property
    def on_time(self) -> bool | None:
        """Performed on or before the due date (None while not performed)."""
        if self.performed_on is None:
            return None
        return self.performed_on <= self.due_on


class Performance(models.Model):
    """履约记录: the responsible party records what was done on a date, with evidence (append-only)."""

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="performances")
    clause = models.ForeignKey(Clause, verbose_name=_("clause"), on_delete=models.PROTECT, related_name="performances")
    event = models.ForeignKey(ContractEvent, on_delete=models.PROTECT, related_name="+")
    party = models.CharField(_("recorded for"), max_length=16, choices=ContractParty.choices)
    performed_on = models.DateField(_("performed on"))
    note = models.TextField(_("what was done"))
    completes = models.BooleanField(_("completes the clause"), default=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"))

    class Meta:
        verbose_name = _("performance record")
        verbose_name_plural = _("performance records")
        ordering = ["clause_id", "performed_on", "id"]

    def __str__(self) -> str:
        return f"{self.clause_id} @ {self.performed_on}"


class EvidenceKind(models.TextChoices):
    PHOTO = "photo", _("Photo")
    DOCUMENT = "document", _("Document")


def evidence_path(instance: Evidence, filename: str) -> str:
    """Server-generated names only: the client's file name is never used."""
    return f"contracts/{instance.created_at:%Y/%m}/{filename}"


class Evidence(models.Model):
    """A photo (re-encoded without metadata) or a document (PDF, checked by content) proving a performance."""

    performance = models.ForeignKey(Performance, on_delete=models.PROTECT, related_name="evidence")
    kind = models.CharField(_("kind"), max_length=16, choices=EvidenceKind.choices)
    file = models.FileField(_("file"), upload_to=evidence_path, max_length=200)
    content_type = models.CharField(max_length=64)
    size = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.file.name


class Evaluation(models.Model):
    """评约 of one party: the whole contract and each clause scored 0–100, once per party (append-only)."""

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="evaluations")
    party = models.CharField(_("party"), max_length=16, choices=ContractParty.choices)
    score = models.PositiveSmallIntegerField(_("score of the whole (0–100)"))
    comment = models.TextField(_("comment"), blank=True)
    event = models.ForeignKey(ContractEvent, on_delete=models.PROTECT, related_name="+")
    evaluated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("evaluated by"), on_delete=models.PROTECT, related_name="+"
    )
    evaluated_at = models.DateTimeField(_("evaluated at"))

    class Meta:
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")
        ordering = ["contract_id", "party"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "party"], name="evaluation_once_per_party"),
            models.CheckConstraint(condition=Q(score__lte=SCORE_MAX), name="evaluation_score_range"),
        ]

    def __str__(self) -> str:
        return f"{self.contract_id} {self.party} {self.score}"


class ClauseScore(models.Model):
    evaluation = models.ForeignKey(Evaluation, on_delete=models.PROTECT, related_name="clause_scores")
    clause = models.ForeignKey(Clause, on_delete=models.PROTECT, related_name="scores")
    score = models.PositiveSmallIntegerField(_("score (0–100)"))

    class Meta:
        verbose_name = _("clause score")
        verbose_name_plural = _("clause scores")
        ordering = ["evaluation_id", "clause_id"]
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "clause"], name="clausescore_once"),
            models.CheckConstraint(condition=Q(score__lte=SCORE_MAX), name="clausescore_range"),
        ]

    def __str__(self) -> str:
        return f"{self.clause_id}: {self.score}"


class ResidentRating(models.Model):
    """A resident of the community rates a published contract at its evaluation, 1–5 stars, once (append-only).
    Kept apart from the parties' evaluations; shown only as a count and an average."""

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="resident_ratings")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    stars = models.PositiveSmallIntegerField(_("stars (1–5)"))
    comment = models.CharField(_("comment"), max_length=200, blank=True)
    rated_at = models.DateTimeField(_("rated at"))

    class Meta:
        verbose_name = _("resident rating")
        verbose_name_plural = _("resident ratings")
        ordering = ["contract_id", "rated_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "user"], name="residentrating_once"),
            models.CheckConstraint(
                condition=Q(stars__gte=STARS_MIN, stars__lte=STARS_MAX), name="residentrating_stars"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contract_id}: {self.stars}"
