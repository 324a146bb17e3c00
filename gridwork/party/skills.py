"""The volunteer skills a registered member offers (志愿服务技能). A fixed list: the volunteer orders (点单—下单—接单)
match a resident's order to members on these codes, so a code never changes once used; add new ones at the end."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Skill(models.TextChoices):
    VISITING_ELDERLY = "visiting_elderly", _("Visiting the elderly")
    TUTORING = "tutoring", _("Tutoring")
    HOUSEHOLD_REPAIRS = "household_repairs", _("Household repairs")
    LEGAL_ADVICE = "legal_advice", _("Legal advice")
    HEALTH_CARE = "health_care", _("Health care")
    IT_HELP = "it_help", _("IT help")
    ENVIRONMENT = "environment", _("Environment and cleaning")
    CULTURE_SPORTS = "culture_sports", _("Culture and sports")
    COUNSELLING = "counselling", _("Counselling")
    OTHER = "other", _("Other")


def skill_labels(codes: list[str] | tuple[str, ...]) -> list[str]:
    """The labels of ``codes`` in the list's order; an unknown code (from older data) shows as itself."""
    return [str(Skill(code).label) if code in Skill.values else str(code) for code in codes]
