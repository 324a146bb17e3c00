"""The audit log: one append-only row for every important action. Database triggers refuse updates and deletes."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    """审计日志: who did what to which object, when, from where. Never updated, never deleted."""

    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_name = models.CharField(_("actor name"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=64, db_index=True)
    object_type = models.CharField(_("object type"), max_length=64, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_name} {self.action} {self.object_repr}"


class AuditSeal(models.Model):
    """A link of the audit log's hash chain (``audit.chain``): the row ``event_id`` is at ``sequence``, and
    ``hash`` = SHA-256 of the previous link's hash, the sequence and the row's content. Append-only."""

    sequence = models.PositiveBigIntegerField(_("position"), unique=True)
    event_id = models.BigIntegerField(_("audit row"), unique=True)
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64)
    sealed_at = models.DateTimeField(_("sealed at"))

    class Meta:
        verbose_name = _("audit seal")
        verbose_name_plural = _("audit seals")
        ordering = ["sequence"]

    def __str__(self) -> str:
        return f"#{self.sequence} {self.hash[:12]}"


class AuditCheckpoint(models.Model):
    """Where the hash chain starts after a purge (``audit.retention``): the links up to ``sequence`` and their rows
    were deleted as older than the retention period; verification starts after ``sequence`` from ``hash``.
    Append-only: a checkpoint is never moved back or forged without lifting the triggers."""

    sequence = models.PositiveBigIntegerField(_("last purged position"), unique=True)
    hash = models.CharField(_("hash at that position"), max_length=64)
    before = models.DateTimeField(_("rows older than"))
    rows_purged = models.PositiveIntegerField(_("rows purged"))
    created_at = models.DateTimeField(_("purged at"))

    class Meta:
        verbose_name = _("audit checkpoint")
        verbose_name_plural = _("audit checkpoints")
        ordering = ["sequence"]

    def __str__(self) -> str:
        return f"#{self.sequence} {self.hash[:12]}"
