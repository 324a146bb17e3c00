"""佐证材料: the target's own unit attaches evidence to its self-assessment while it edits it — a photo (re-encoded
without metadata), a PDF / Word / Excel document (recognised by its bytes, within a size cap, without scripts or
macros: ``common.evidence.clean_evidence``), or a link to a record inside the platform — and may remove it again
before submitting. Files are stored under a random name in the media folder, which is not served publicly: only the
evidence view streams them, to those who may see the assessment."""

from __future__ import annotations

from datetime import datetime
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _

from gridwork.common.evidence import EvidenceRejected, clean_evidence
from gridwork.common.flows import flow_move
from gridwork.ratings.flows import ASSESSMENT_FLOW, ATTACH_ACTION, DETACH_ACTION, AssessmentAction, action_in
from gridwork.ratings.models import Assessment, Evidence, EvidenceKind
from gridwork.ratings.services.assessments import _prepare, _require_open, _require_self, content_of
from gridwork.ratings.services.base import MAX_EVIDENCE, MAX_LINK, MAX_NOTE, fresh_assessment, now_or, text

MAX_LABEL = 120


def link_error(link: str) -> str | None:
    """Why ``link`` is not a link to a page of the platform (a path such as ``/staff/matters/12/``), or None."""
    if not link.startswith("/") or link.startswith("//") or "\\" in link:
        return _("Give a link inside the platform, starting with “/”, e.g. /staff/matters/12/.")
    if len(link) > MAX_LINK or any(ch.isspace() or ord(ch) < 32 for ch in link):
        return _("This is not a valid link.")
    try:
        resolve(link.split("?", 1)[0].split("#", 1)[0])
    except Resolver404:
        return _("No page of the platform has this link.")
    return None


def evidence_add(
    *,
    actor: Any,
    assessment: Assessment | int,
    file: IO[bytes] | None = None,
    link: str = "",
    indicator: int | None = None,
    note: str = "",
    expected_version: int | None,
    now: datetime | None = None,
) -> Evidence:
    """Attach one piece of evidence — a file or a link — for an indicator or for the whole self-assessment."""
    fresh = fresh_assessment(assessment)
    _require_self(actor, fresh)
    action = action_in(ATTACH_ACTION, fresh.state, AssessmentAction.ATTACH)
    _prepare(fresh, action, expected_version)
    _require_open(fresh)
    errors: dict[str, str] = {}
    note = text(note, field="note", required=None, limit=MAX_NOTE, errors=errors)
    link = (link or "").strip()
    indicator_obj = None
    if indicator is not None:
        indicator_obj = next((i for i in content_of(fresh).indicators if i.pk == indicator), None)
        if indicator_obj is None:
            errors["indicator"] = _("Choose an indicator of the round's scheme.")
    if Evidence.objects.filter(assessment=fresh, removed_at__isnull=True).count() >= MAX_EVIDENCE:
        errors["file"] = _("An assessment holds at most %(max)d pieces of evidence.") % {"max": MAX_EVIDENCE}
    cleaned = None
    label = ""
    if file is not None and link:
        errors["link"] = _("Give a file or a link, not both.")
    elif file is None and not link:
        errors["file"] = _("Choose a file (a photo, or a PDF, Word or Excel document), or give a link.")
    elif link:
        problem = link_error(link)
        if problem:
            errors["link"] = problem
        label = link[:MAX_LABEL]
    elif file is not None and "file" not in errors:
        original = str(getattr(file, "name", "") or "")
        try:
            cleaned = clean_evidence(file, original_name=original)
        except EvidenceRejected as rejected:
            errors["file"] = str(rejected)
        label = original.replace("/", "_").replace("\\", "_")[-MAX_LABEL:]
    if errors:
        raise ValidationError(errors)
    when = now_or(now)
    with transaction.atomic():
        flow_move(
            fresh,
            flow=ASSESSMENT_FLOW,
            action=action,
            actor=actor,
            note=note,
            data={
                "kind": cleaned.kind if cleaned is not None else EvidenceKind.LINK,
                "indicator": indicator_obj.code if indicator_obj is not None else "",
                "label": label,
            },
            expected_version=expected_version,
            at=when,
        )
        evidence = Evidence(
            assessment=fresh,
            indicator=indicator_obj,
            kind=cleaned.kind if cleaned is not None else EvidenceKind.LINK,
            link=link if cleaned is None else "",
            label=label,
            note=note,
            content_type=cleaned.content_type if cleaned is not None else "",
            size=len(cleaned.content) if cleaned is not None else 0,
            uploaded_by=actor,
            uploaded_at=when,
        )
        if cleaned is not None:
            evidence.file.save(cleaned.name, ContentFile(cleaned.content, name=cleaned.name), save=False)
        evidence.save()
    return evidence


def evidence_remove(
    *,
    actor: Any,
    assessment: Assessment | int,
    evidence: int,
    expected_version: int | None,
    now: datetime | None = None,
) -> Evidence:
    """Remove a piece of evidence while the self-assessment is edited (it stays on record, marked removed)."""
    fresh = fresh_assessment(assessment)
    _require_self(actor, fresh)
    action = action_in(DETACH_ACTION, fresh.state, AssessmentAction.DETACH)
    _prepare(fresh, action, expected_version)
    _require_open(fresh)
    found = Evidence.objects.filter(assessment=fresh, pk=evidence, removed_at__isnull=True).first()
    if found is None:
        raise ValidationError({"evidence": _("This evidence is not part of the assessment.")})
    when = now_or(now)
    with transaction.atomic():
        flow_move(
            fresh,
            flow=ASSESSMENT_FLOW,
            action=action,
            actor=actor,
            data={"evidence": found.pk, "label": found.label},
            expected_version=expected_version,
            at=when,
        )
        Evidence.objects.filter(pk=found.pk).update(removed_at=when)
        found.removed_at = when
    return found
