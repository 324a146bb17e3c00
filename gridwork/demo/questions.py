"""Extra questions of a few demo categories, so that Open311 clients see service attributes (``metadata`` true).

Added when missing and never changed afterwards: an administrator may edit them in the admin.
"""

from __future__ import annotations

from typing import Any

from gridwork.matters.models import Category, CategoryQuestion, QuestionType


def _choices(*pairs: tuple[str, str]) -> list[dict[str, str]]:
    return [{"key": key, "name": name} for key, name in pairs]


DEMO_QUESTIONS: dict[str, list[dict[str, Any]]] = {
    "G1.01.002": [  # 路灯
        {
            "code": "fault",
            "question": "路灯是什么问题？",
            "datatype": QuestionType.SINGLE,
            "required": True,
            "values": _choices(("dark", "不亮"), ("flicker", "闪烁"), ("day", "白天常亮"), ("pole", "灯杆倾斜或损坏")),
        },
        {
            "code": "pole_number",
            "question": "灯杆编号",
            "datatype": QuestionType.STRING,
            "datatype_description": "灯杆上喷印的编号，如 LD-0231；看不到可不填",
        },
        {"code": "lamps", "question": "坏了几盏？", "datatype": QuestionType.NUMBER},
    ],
    "G1.01.001": [  # 井盖
        {
            "code": "condition",
            "question": "井盖的情况",
            "datatype": QuestionType.SINGLE,
            "required": True,
            "values": _choices(("missing", "缺失"), ("broken", "破损"), ("displaced", "移位"), ("noisy", "松动异响")),
        },
        {
            "code": "hazards",
            "question": "周边情况（可多选）",
            "datatype": QuestionType.MULTI,
            "values": _choices(
                ("lane", "在机动车道上"), ("sidewalk", "在人行道上"), ("school", "靠近学校"), ("dark", "夜间无照明")
            ),
        },
    ],
    "G1.03.002": [  # 垃圾箱
        {
            "code": "since",
            "question": "从什么时候开始满溢或损坏？",
            "datatype": QuestionType.DATETIME,
            "datatype_description": "日期和时间，如 2026-03-01T08:00:00+08:00",
        },
    ],
}


def demo_questions_seed() -> int:
    """Add the demo questions that are missing; returns how many were added."""
    added = 0
    for code, questions in DEMO_QUESTIONS.items():
        category = Category.objects.filter(code=code).first()
        if category is None:
            continue
        for order, fields in enumerate(questions, start=1):
            _, created = CategoryQuestion.objects.get_or_create(
                category=category, code=fields["code"], defaults={**fields, "order": order}
            )
            added += created
    return added
