"""Answers to a category's extra questions (``CategoryQuestion``), checked and typed before a matter is filed.

The same rules serve the Open311 ``attribute[code]`` fields and the REST API's ``attributes`` object: a required
question must be answered, a number must be a number, a date a date, a list answer one of the list's keys.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from gridwork.matters.models import Category, CategoryQuestion, QuestionType

MAX_ANSWER = 500


def category_questions(category: Category) -> list[CategoryQuestion]:
    return list(category.questions.filter(is_active=True).order_by("order", "id"))


def _one(value: Any) -> str:
    if isinstance(value, list | tuple):
        value = value[0] if len(value) == 1 else None
    return value.strip() if isinstance(value, str) else "" if value is None else str(value).strip()


def _answer(question: CategoryQuestion, raw: Any) -> tuple[Any, str]:
    """The typed answer, or an error message."""
    if question.datatype == QuestionType.MULTI:
        items = raw if isinstance(raw, list | tuple) else [raw]
        keys = [str(item).strip() for item in items if str(item).strip()]
        unknown = [key for key in keys if key not in question.choice_keys()]
        return keys, (_("Not one of the choices: %(keys)s.") % {"keys": "、".join(unknown)}) if unknown else ""
    if isinstance(raw, list | tuple) and len(raw) != 1:
        return None, _("Give one answer.")
    text = _one(raw)
    if len(text) > MAX_ANSWER:
        return None, _("At most %(max)d characters.") % {"max": MAX_ANSWER}
    match question.datatype:
        case QuestionType.NUMBER:
            try:
                number = float(text)
            except ValueError:
                return None, _("Enter a number.")
            if not math.isfinite(number):
                return None, _("Enter a number.")
            return (int(number) if number.is_integer() else number), ""
        case QuestionType.DATETIME:
            moment: datetime | None = parse_datetime(text)
            return (moment.isoformat(), "") if moment else (None, _("Enter a date and time (ISO 8601)."))
        case QuestionType.SINGLE:
            return text, "" if text in question.choice_keys() else _("Not one of the choices.")
        case _:
            return text, ""


def clean_attributes(category: Category | None, raw: dict[str, Any]) -> dict[str, Any]:
    """The answers keyed by question code, or ValidationError keyed ``attribute[code]`` for each one that is wrong."""
    questions = category_questions(category) if category is not None else []
    known = {question.code: question for question in questions}
    errors: dict[str, str] = {}
    clean: dict[str, Any] = {}
    for code in raw:
        if code not in known:
            errors[f"attribute[{code}]"] = _("This category asks no such question.")
    for question in questions:
        value = raw.get(question.code)
        empty = (
            value is None or value == "" or (isinstance(value, list | tuple) and not any(str(v).strip() for v in value))
        )
        if empty:
            if question.required:
                errors[f"attribute[{question.code}]"] = _("This question must be answered.")
            continue
        answer, problem = _answer(question, value)
        if problem:
            errors[f"attribute[{question.code}]"] = problem
        else:
            clean[question.code] = answer
    if errors:
        raise ValidationError(errors)
    return clean
