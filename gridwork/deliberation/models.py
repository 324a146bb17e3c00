"""Residents' deliberation (议事, seeds 000 and 001: 议事会, 坝坝会) and the yearly public-interest projects chosen with
residents (民生实事, participatory budgeting in the way of Decidim and CONSUL).

A **deliberation** (``Deliberation``) is opened by a community's staff: a topic, its background, 2–10 options, a voting
window and whether comments are allowed. Verified residents of the community (an account linked to a registered
``people.Resident`` whose household lies in the community) comment and vote, one vote per resident (a unique
constraint on deliberation and resident: a second vote is refused, never replaces the first). The tally stays hidden
— from residents and staff alike — until a meeting record (``MeetingRecord``: the date, how many took part and who,
the decision, the option chosen) closes the deliberation. The decision may then become a matter of the closed loop,
a 民生实事 proposal or a clause of a co-construction contract under negotiation, once (``outcome``).

A **programme** (``Programme``) is a community's or street's 民生实事 of one year: residents propose (``Proposal``),
the community screens each proposal (accepted, or rejected with a reason shown publicly), verified residents vote —
up to ``votes_per_resident`` votes each, one per proposal (unique constraints) —, the community chooses one or two
items by the votes with a decision recorded, and the chosen items are tracked to completion with public progress
updates (``ProgressUpdate``: percent, note, photos).

Every state change goes through ``common.flows`` (``flows.py``); the events, the votes, the meeting records and the
progress updates are append-only in the database.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gridwork.common.flows import FlowEvent, FlowSubject
from gridwork.common.scope import ScopedQuerySet
from gridwork.places.models import Place

MIN_OPTIONS, MAX_OPTIONS = 2, 10
MAX_VOTES_PER_RESIDENT = 10
MAX_CHOSEN = 2


# --- deliberations (议事) ---------------------------------------------------------------------------------------------


class DeliberationState(models.TextChoices):
    OPEN = "open", pgettext_lazy("deliberation", "Open")
    CLOSED = "closed", pgettext_lazy("deliberation", "Closed with a decision")
    CANCELLED = "cancelled", pgettext_lazy("deliberation", "Cancelled")


class OutcomeKind(models.TextChoices):
    """What the decision became after the meeting."""

    MATTER = "matter", _("A matter of the closed loop")
    PROPOSAL = "proposal", _("A public-interest project proposal (民生实事)")
    CLAUSE = "clause", _("A clause of a co-construction contract")


class Deliberation(FlowSubject):
    """议事: a question put to the residents of one community, voted on and decided at a meeting."""

    SCOPE_PATH: ClassVar[str] = "community__path"

    number = models.CharField(_("number"), max_length=20, unique=True)  # 议-2026-000001
    community = models.ForeignKey(
        Place, verbose_name=_("community"), on_delete=models.PROTECT, related_name="deliberations"
    )
    topic = models.CharField(_("topic"), max_length=100)
    background = models.TextField(_("background"))
    comments_allowed = models.BooleanField(_("residents may comment"), default=True)
    opens_at = models.DateTimeField(_("voting opens at"))
    closes_at = models.DateTimeField(_("voting closes at"))
    state = models.CharField(
        _("state"), max_length=16, choices=DeliberationState.choices, default=DeliberationState.OPEN
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    cancel_reason = models.TextField(_("why it was cancelled"), blank=True)
    meeting_reminded_at = models.DateTimeField(_("meeting reminder sent at"), null=True, blank=True)
    outcome = models.CharField(_("the decision became"), max_length=16, choices=OutcomeKind.choices, blank=True)
    matter = models.OneToOneField(
        "matters.Matter",
        verbose_name=_("matter"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="deliberation",
    )
    clause = models.OneToOneField(
        "contracts.Clause",
        verbose_name=_("contract clause"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="deliberation",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("opened by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("opened at"))

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("deliberation")
        verbose_name_plural = _("deliberations")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["community", "state"], name="deliberation_community_state")]
        constraints = [
            models.CheckConstraint(condition=Q(closes_at__gt=models.F("opens_at")), name="deliberation_window"),
            models.CheckConstraint(
                condition=~Q(state="closed") | Q(closed_at__isnull=False), name="deliberation_closed_at"
            ),
            # What the decision became: only after the meeting, once, and with the object it became.
            models.CheckConstraint(
                condition=Q(outcome="") | Q(state="closed"), name="deliberation_outcome_after_close"
            ),
            models.CheckConstraint(
                condition=(Q(outcome="matter") & Q(matter__isnull=False) & Q(clause__isnull=True))
                | (Q(outcome="clause") & Q(clause__isnull=False) & Q(matter__isnull=True))
                | (Q(outcome__in=["", "proposal"]) & Q(matter__isnull=True) & Q(clause__isnull=True)),
                name="deliberation_outcome_object",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.topic}"


class DeliberationEvent(FlowEvent):
    subject = models.ForeignKey(Deliberation, on_delete=models.PROTECT, related_name="events")

    class Meta(FlowEvent.Meta):
        verbose_name = _("deliberation event")
        verbose_name_plural = _("deliberation events")
        constraints = [models.UniqueConstraint(fields=["subject", "sequence"], name="deliberationevent_sequence")]


class DeliberationOption(models.Model):
    """One of the 2–10 answers residents choose from; fixed when the deliberation is opened."""

    deliberation = models.ForeignKey(
        Deliberation, verbose_name=_("deliberation"), on_delete=models.PROTECT, related_name="options"
    )
    position = models.PositiveSmallIntegerField(_("position"))
    text = models.CharField(_("option"), max_length=200)

    class Meta:
        verbose_name = _("option")
        verbose_name_plural = _("options")
        ordering = ["deliberation_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["deliberation", "position"], name="deliberation_option_position"),
        ]

    def __str__(self) -> str:
        return self.text


class DeliberationVote(models.Model):
    """A verified resident's vote: one per resident per deliberation (the database refuses a second one)."""

    deliberation = models.ForeignKey(
        Deliberation, verbose_name=_("deliberation"), on_delete=models.PROTECT, related_name="votes"
    )
    option = models.ForeignKey(
        DeliberationOption, verbose_name=_("option"), on_delete=models.PROTECT, related_name="votes"
    )
    resident = models.ForeignKey(
        "people.Resident", verbose_name=_("resident"), on_delete=models.PROTECT, related_name="deliberation_votes"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("account"), on_delete=models.PROTECT, related_name="+"
    )
    cast_at = models.DateTimeField(_("cast at"))

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        ordering = ["deliberation_id", "cast_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["deliberation", "resident"], name="deliberation_one_vote_per_resident"),
        ]

    def __str__(self) -> str:
        return f"{self.deliberation_id}: {self.option_id}"


class AuthorKind(models.TextChoices):
    RESIDENT = "resident", _("Resident")
    STAFF = "staff", _("Community staff")


class DeliberationComment(models.Model):
    """A comment on a deliberation by a verified resident of the community (or the community's staff). Shown with the
    author's name masked; staff may hide one, with a reason that is shown in its place."""

    deliberation = models.ForeignKey(
        Deliberation, verbose_name=_("deliberation"), on_delete=models.PROTECT, related_name="comments"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.PROTECT, related_name="+"
    )
    author_kind = models.CharField(_("written by"), max_length=16, choices=AuthorKind.choices)
    resident = models.ForeignKey(
        "people.Resident",
        verbose_name=_("resident"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="deliberation_comments",
    )
    text = models.TextField(_("comment"))
    created_at = models.DateTimeField(_("written at"))
    hidden_at = models.DateTimeField(_("hidden at"), null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("hidden by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    hidden_reason = models.CharField(_("why it was hidden"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["deliberation_id", "created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(hidden_at__isnull=True) | ~Q(hidden_reason=""), name="deliberation_comment_hidden_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.deliberation_id}: {self.text[:30]}"


class MeetingRecord(models.Model):
    """议事会记录: the meeting that decided, which closes the deliberation. Written once, never changed."""

    deliberation = models.OneToOneField(
        Deliberation, verbose_name=_("deliberation"), on_delete=models.PROTECT, related_name="meeting"
    )
    held_on = models.DateField(_("held on"))
    participants_count = models.PositiveIntegerField(_("number of participants"))
    participants = models.TextField(_("participants (names and roles)"))
    decision = models.TextField(_("decision"))
    chosen_option = models.ForeignKey(
        DeliberationOption,
        verbose_name=_("option chosen"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"))

    class Meta:
        verbose_name = _("meeting record")
        verbose_name_plural = _("meeting records")
        constraints = [
            models.CheckConstraint(condition=Q(participants_count__gte=1), name="meeting_has_participants"),
        ]

    def __str__(self) -> str:
        return f"{self.deliberation_id} @ {self.held_on}"


# --- 民生实事: yearly public-interest projects ---------------------------------------------------------------------


class ProgrammePhase(models.TextChoices):
    PROPOSALS = "proposals", _("Collecting proposals")
    SCREENING = "screening", _("Screening")
    VOTING = "voting", _("Voting")
    CHOSEN = "chosen", _("Chosen, being carried out")
    DONE = "done", _("Done")


class Programme(FlowSubject):
    """民生实事 of one year in a community or a street: proposals, screening, voting, the chosen items, done."""

    SCOPE_PATH: ClassVar[str] = "place__path"

    place = models.ForeignKey(
        Place, verbose_name=_("community or street"), on_delete=models.PROTECT, related_name="programmes"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    title = models.CharField(_("title"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    budget = models.DecimalField(_("budget (yuan)"), max_digits=12, decimal_places=2, null=True, blank=True)
    votes_per_resident = models.PositiveSmallIntegerField(
        _("votes per resident"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_VOTES_PER_RESIDENT)],
    )
    max_chosen = models.PositiveSmallIntegerField(
        _("items chosen at most"), default=MAX_CHOSEN, validators=[MinValueValidator(1), MaxValueValidator(MAX_CHOSEN)]
    )
    state = models.CharField(
        _("phase"), max_length=16, choices=ProgrammePhase.choices, default=ProgrammePhase.PROPOSALS
    )
    decision = models.TextField(_("decision"), blank=True)
    chosen_at = models.DateTimeField(_("chosen at"), null=True, blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("opened by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("opened at"))

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("public-interest programme")
        verbose_name_plural = _("public-interest programmes")
        ordering = ["-year", "place__path", "id"]
        constraints = [
            models.UniqueConstraint(fields=["place", "year"], name="programme_one_per_place_and_year"),
            models.CheckConstraint(
                condition=Q(votes_per_resident__gte=1, votes_per_resident__lte=MAX_VOTES_PER_RESIDENT),
                name="programme_votes_per_resident",
            ),
            models.CheckConstraint(
                condition=Q(max_chosen__gte=1, max_chosen__lte=MAX_CHOSEN), name="programme_max_chosen"
            ),
            models.CheckConstraint(
                condition=~Q(state__in=["chosen", "done"]) | (Q(chosen_at__isnull=False) & ~Q(decision="")),
                name="programme_chosen_has_decision",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.title}"


class ProgrammeEvent(FlowEvent):
    subject = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="events")

    class Meta(FlowEvent.Meta):
        verbose_name = _("programme event")
        verbose_name_plural = _("programme events")
        constraints = [models.UniqueConstraint(fields=["subject", "sequence"], name="programmeevent_sequence")]


class ProposalState(models.TextChoices):
    SUBMITTED = "submitted", _("Waiting for screening")
    ACCEPTED = "accepted", _("Accepted for the vote")
    REJECTED = "rejected", _("Not accepted")
    CHOSEN = "chosen", _("Chosen, being carried out")
    NOT_CHOSEN = "not_chosen", _("Not chosen")
    DONE = "done", pgettext_lazy("proposal", "Done")


class ProposalSource(models.TextChoices):
    RESIDENT = "resident", _("A resident's proposal")
    DELIBERATION = "deliberation", _("A deliberation's decision")


class Proposal(FlowSubject):
    """A proposed public-interest project: what, why, an estimated cost and where."""

    SCOPE_PATH: ClassVar[str] = "programme__place__path"

    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.PROTECT, related_name="proposals"
    )
    title = models.CharField(_("title"), max_length=100)
    description = models.TextField(_("description"))
    estimated_cost = models.DecimalField(_("estimated cost (yuan)"), max_digits=12, decimal_places=2)
    location = models.CharField(_("where"), max_length=200)
    source = models.CharField(_("source"), max_length=16, choices=ProposalSource.choices)
    proposer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("proposed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    proposer_resident = models.ForeignKey(
        "people.Resident",
        verbose_name=_("proposed by resident"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    deliberation = models.OneToOneField(
        Deliberation,
        verbose_name=_("from the deliberation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="proposal",
    )
    state = models.CharField(_("state"), max_length=16, choices=ProposalState.choices, default=ProposalState.SUBMITTED)
    screening_reason = models.TextField(_("screening note (public)"), blank=True)
    screened_at = models.DateTimeField(_("screened at"), null=True, blank=True)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    created_at = models.DateTimeField(_("proposed at"))

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("project proposal")
        verbose_name_plural = _("project proposals")
        ordering = ["programme_id", "created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(estimated_cost__gte=0), name="proposal_cost_not_negative"),
            models.CheckConstraint(condition=Q(progress__lte=100), name="proposal_progress_percent"),
            models.CheckConstraint(
                condition=~Q(state="rejected") | ~Q(screening_reason=""), name="proposal_rejected_has_reason"
            ),
            models.CheckConstraint(
                condition=~Q(source="deliberation") | Q(deliberation__isnull=False),
                name="proposal_from_deliberation_links_it",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class ProposalEvent(FlowEvent):
    subject = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="events")

    class Meta(FlowEvent.Meta):
        verbose_name = _("proposal event")
        verbose_name_plural = _("proposal events")
        constraints = [models.UniqueConstraint(fields=["subject", "sequence"], name="proposalevent_sequence")]


class ProposalVote(models.Model):
    """A verified resident's vote for a proposal: one per proposal, and at most the programme's
    ``votes_per_resident`` per programme — each vote takes the resident's next numbered slot (``slot``), unique per
    programme and resident, so two votes sent at once cannot both take the last one."""

    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.PROTECT, related_name="votes"
    )
    proposal = models.ForeignKey(Proposal, verbose_name=_("proposal"), on_delete=models.PROTECT, related_name="votes")
    resident = models.ForeignKey(
        "people.Resident", verbose_name=_("resident"), on_delete=models.PROTECT, related_name="proposal_votes"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("account"), on_delete=models.PROTECT, related_name="+"
    )
    slot = models.PositiveSmallIntegerField(_("vote number"))
    cast_at = models.DateTimeField(_("cast at"))

    class Meta:
        verbose_name = _("project vote")
        verbose_name_plural = _("project votes")
        ordering = ["programme_id", "cast_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "resident"], name="proposal_one_vote_per_resident"),
            models.UniqueConstraint(fields=["programme", "resident", "slot"], name="programme_vote_slot"),
            models.CheckConstraint(
                condition=Q(slot__gte=1, slot__lte=MAX_VOTES_PER_RESIDENT), name="programme_vote_slot_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.proposal_id} #{self.slot}"


class ProgressUpdate(models.Model):
    """A public progress update of a chosen item: how far (percent), what was done, photos. Append-only."""

    proposal = models.ForeignKey(Proposal, verbose_name=_("proposal"), on_delete=models.PROTECT, related_name="updates")
    percent = models.PositiveSmallIntegerField(_("progress (%)"))
    note = models.TextField(_("what was done"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"))

    class Meta:
        verbose_name = _("progress update")
        verbose_name_plural = _("progress updates")
        ordering = ["proposal_id", "recorded_at", "id"]
        constraints = [models.CheckConstraint(condition=Q(percent__lte=100), name="progress_update_percent")]

    def __str__(self) -> str:
        return f"{self.proposal_id}: {self.percent}%"


def progress_photo_path(instance: ProgressPhoto, filename: str) -> str:
    """Server-generated names only: the client's file name is never used."""
    return f"deliberation/progress/{instance.created_at:%Y/%m}/{filename}"


class ProgressPhoto(models.Model):
    """A photo of a progress update, re-encoded without metadata; shown on the public page of the item."""

    update = models.ForeignKey(
        ProgressUpdate, verbose_name=_("progress update"), on_delete=models.PROTECT, related_name="photos"
    )
    image = models.ImageField(upload_to=progress_photo_path, width_field="width", height_field="height")
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    size = models.PositiveIntegerField(default=0)
    content_type = models.CharField(max_length=32)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("progress photo")
        verbose_name_plural = _("progress photos")
        ordering = ["update_id", "id"]

    def __str__(self) -> str:
        return self.image.name
