"""Keys of Open311 clients (systems that file matters through GeoReport v2) and the tokens of their requests."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gridwork.matters.models import Matter


class Open311Key(models.Model):
    """An ``api_key`` of an Open311 client. Only its prefix and a keyed hash are stored: the key is shown once."""

    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=16, unique=True)
    digest = models.CharField(max_length=64)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"))
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("Open311 key")
        verbose_name_plural = _("Open311 keys")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class Open311Token(models.Model):
    """The token of a service request filed through Open311: ``tokens/{token}`` answers with its matter's number."""

    token = models.CharField(_("token"), max_length=32, unique=True)
    matter = models.ForeignKey(Matter, verbose_name=_("matter"), on_delete=models.CASCADE, related_name="+")
    key = models.ForeignKey(Open311Key, verbose_name=_("key"), on_delete=models.PROTECT, related_name="tokens")
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("Open311 token")
        verbose_name_plural = _("Open311 tokens")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.token
