"""The pay ladders of the source documents, installable as presets.

Seed 001 (诸暨) sets up a "三岗十八级" pay system for full-time community workers, "linked to post, years of service,
professional title and performance"; seed 002 (阳泉) a "三岗十一级" system "by post duties and years of service", and
secretaries' star grades with "以星定酬" (pay by stars). Neither document gives pay figures: the monthly pay and the
stars → grade rules below are EXAMPLE FIGURES, shipped so that the ladder is usable at once; a ladder installed from
a preset is marked "pay figures are examples" until an administrator sets its pay table.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from gridwork.workforce.models import Post


@dataclass(frozen=True)
class LadderPreset:
    key: str
    name: str
    grades: int
    source: Promise
    # Example monthly pay (yuan): grade 1 of each post, and the step from one grade to the next.
    base: dict[str, Decimal]
    step: dict[str, Decimal]
    # Example 以星定酬 rules: stars → grade.
    star_grades: dict[int, int]

    def monthly_pay(self, post: str, grade: int) -> Decimal:
        return self.base[post] + self.step[post] * (grade - 1)


LADDER_PRESETS: dict[str, LadderPreset] = {
    preset.key: preset
    for preset in (
        LadderPreset(
            key="three_posts_18",
            name="三岗十八级",
            grades=18,
            source=_(
                "Seed 001: a “three posts, eighteen grades” pay system for full-time community workers, linked to "
                "post, years of service, professional title and performance."
            ),
            base={Post.HEAD: Decimal(5200), Post.DEPUTY: Decimal(4600), Post.WORKER: Decimal(3800)},
            step={Post.HEAD: Decimal(200), Post.DEPUTY: Decimal(180), Post.WORKER: Decimal(150)},
            star_grades={5: 16, 4: 13, 3: 10, 2: 7, 1: 4, 0: 1},
        ),
        LadderPreset(
            key="three_posts_11",
            name="三岗十一级",
            grades=11,
            source=_(
                "Seed 002: a “three posts, eleven grades” pay system set by post duties and years of service; "
                "secretaries' star grades set their pay (以星定酬)."
            ),
            base={Post.HEAD: Decimal(5000), Post.DEPUTY: Decimal(4400), Post.WORKER: Decimal(3600)},
            step={Post.HEAD: Decimal(250), Post.DEPUTY: Decimal(220), Post.WORKER: Decimal(180)},
            star_grades={5: 11, 4: 9, 3: 7, 2: 5, 1: 3, 0: 1},
        ),
    )
}
