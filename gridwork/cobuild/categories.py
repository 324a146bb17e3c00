"""The field of work (服务领域) a need, a resource or a contract clause belongs to.

Shared vocabulary of issue #9: cobuild's needs and resources and the contracts' clauses use it, so matching
and the figures can compare them.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ServiceField(models.TextChoices):
    """服务领域 — what kind of work a need, a resource or a clause is about."""

    ELDERLY = "elderly", _("Elderly care")  # 养老助老
    CHILDREN = "children", _("Children and youth")  # 儿童青少年
    HEALTH = "health", _("Health")  # 医疗健康
    LEGAL = "legal", _("Legal services")  # 法律服务
    CULTURE = "culture", _("Culture and sport")  # 文体活动
    ENVIRONMENT = "environment", _("Environment and sanitation")  # 环境卫生
    SAFETY = "safety", _("Safety and order")  # 平安建设
    EMPLOYMENT = "employment", _("Jobs and skills")  # 就业技能
    ASSISTANCE = "assistance", _("Help for people in difficulty")  # 困难帮扶
    OTHER = "other", _("Other")  # 其他
