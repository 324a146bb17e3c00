"""Smart triage's records: the trained models (versioned, with their metrics and training-data hash), the mapping of
the model's classes to the platform's categories, the dispatchers' corrections that feed the next training, the
auto-dispatch policy, and the duplicate finder's thresholds per category."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gridwork.matters.models import Category, Matter
from gridwork.matters.workflow import MatterKind


class ModelStatus(models.TextChoices):
    CANDIDATE = "candidate", _("Candidate")
    LIVE = "live", _("Live")
    RETIRED = "retired", _("Retired")
    REJECTED = "rejected", pgettext_lazy("triage suggestion", "Rejected")


class Trigger(models.TextChoices):
    COMMAND = "command", _("Command")
    BUTTON = "button", _("Administrator")
    SCHEDULE = "schedule", _("Schedule")
    FIRST_START = "first_start", _("First start")


class TriageModel(models.Model):
    """One trained classifier. The artefact is stored in the database (no pickle: arrays and JSON only), so every
    app server loads the same bytes; ``artefact_sha256`` is checked before it is used."""

    version = models.PositiveIntegerField(_("version"), unique=True)
    status = models.CharField(_("status"), max_length=16, choices=ModelStatus.choices, default=ModelStatus.CANDIDATE)
    trigger = models.CharField(_("started by"), max_length=16, choices=Trigger.choices)
    trained_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("trained at"))
    algorithm = models.CharField(_("algorithm"), max_length=120)
    seed = models.IntegerField(_("seed"))
    classes = models.JSONField(_("classes"), default=list)
    data_hash = models.CharField(_("training data hash"), max_length=64)
    sample_count = models.PositiveIntegerField(_("training messages"))
    correction_count = models.PositiveIntegerField(_("corrections used"), default=0)
    cv_macro_f1 = models.FloatField(_("cross-validated macro-F1"))
    cv_macro_f1_std = models.FloatField(_("spread (standard deviation)"))
    metrics = models.JSONField(_("metrics"), default=dict)
    training_seconds = models.FloatField(_("training time (s)"), default=0.0)
    artefact = models.BinaryField(_("artefact"))
    artefact_sha256 = models.CharField(_("artefact hash"), max_length=64)
    promoted_at = models.DateTimeField(_("went live at"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["-version"]
        verbose_name = _("triage model")
        verbose_name_plural = _("triage models")
        constraints = [
            models.UniqueConstraint(fields=["status"], condition=Q(status="live"), name="triage_one_live_model"),
        ]

    def __str__(self) -> str:
        return f"v{self.version} ({self.get_status_display()})"


class ClassMapping(models.Model):
    """Where a class of the model goes in the platform: the category (the keyword rules may refine it to one of the
    category's descendants) and, if set, the kind; the lead unit then comes from the routing rules."""

    label = models.CharField(_("model class"), max_length=40, unique=True)
    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=MatterKind.choices, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["label"]
        verbose_name = _("class mapping")
        verbose_name_plural = _("class mappings")

    def __str__(self) -> str:
        return self.label


class TriageCorrection(models.Model):
    """A dispatcher chose another category than the one suggested: the matter's text with the model class of the
    chosen category is a training example for the next model."""

    matter = models.ForeignKey(Matter, verbose_name=_("matter"), on_delete=models.CASCADE, related_name="+")
    text = models.TextField(_("text"))
    suggested_category = models.ForeignKey(
        Category,
        verbose_name=_("suggested category"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    suggested_label = models.CharField(_("suggested class"), max_length=40, blank=True)
    confidence = models.FloatField(_("confidence"), default=0.0)
    category = models.ForeignKey(
        Category, verbose_name=_("chosen category"), on_delete=models.PROTECT, related_name="+"
    )
    label = models.CharField(_("class for training"), max_length=40, blank=True)
    model = models.ForeignKey(
        TriageModel, verbose_name=_("model"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("corrected by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("corrected at"))

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("triage correction")
        verbose_name_plural = _("triage corrections")

    def __str__(self) -> str:
        return f"{self.matter_id}: {self.suggested_label} → {self.label}"


class TriagePolicy(models.Model):
    """The one row of triage settings administrators change without a deployment."""

    auto_dispatch = models.BooleanField(_("dispatch automatically"), default=False)
    auto_dispatch_confidence = models.FloatField(
        _("confidence needed to dispatch automatically"),
        default=0.9,
        validators=[MinValueValidator(0.5), MaxValueValidator(1.0)],
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("triage policy")
        verbose_name_plural = _("triage policy")

    def __str__(self) -> str:
        return str(self._meta.verbose_name)


class DuplicatePolicy(models.Model):
    """How alike two matters of a category (or of its descendants without a row of their own) must be to be shown
    as likely duplicates. Categories without a row anywhere up their chain use the field defaults."""

    category = models.OneToOneField(Category, verbose_name=_("category"), on_delete=models.CASCADE, related_name="+")
    min_similarity = models.FloatField(
        _("minimum text similarity"), default=0.3, validators=[MinValueValidator(0.0), MaxValueValidator(1.0)]
    )
    radius_m = models.PositiveIntegerField(_("radius (m)"), default=500)
    window_days = models.PositiveIntegerField(_("time window (days)"), default=30)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["category__code"]
        verbose_name = _("duplicate policy")
        verbose_name_plural = _("duplicate policies")

    def __str__(self) -> str:
        return self.category.name
