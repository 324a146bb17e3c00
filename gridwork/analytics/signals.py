"""A category moved or recoded changes which first-level category the rollup counts it under: forget the cache."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from gridwork.analytics.rollup import category_root
from gridwork.matters.models import Category


@receiver(post_save, sender=Category)
@receiver(post_delete, sender=Category)
def forget_category_roots(**kwargs: Any) -> None:
    category_root.cache_clear()
