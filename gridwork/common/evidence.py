"""Uploaded evidence (佐证材料: a contract's 履约佐证, a rating's self-assessment): a photo, or a document, checked
by its content and stored under a new name.

Photos go through ``matters.photos.clean_photo`` (re-encoded, without EXIF or GPS). Documents are PDF files, or Word
and Excel files of the Office Open XML formats without macros; each is recognised by its bytes, never by the name or
the type the browser sent, within a size cap, and refused when it carries active content (a PDF's JavaScript, launch
actions or embedded files; a macro project). Each app serves its evidence only as a download to those who may see
what it belongs to.
"""

from __future__ import annotations

import io
import uuid
import zipfile
from dataclasses import dataclass
from typing import IO

from django.utils.translation import gettext as _

from gridwork.matters.photos import PhotoRejected, clean_photo

# What the file inputs offer to choose (their ``accept``); the content check below is what decides.
EVIDENCE_ACCEPT = (
    "image/jpeg,image/png,image/webp,application/pdf,"
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document,"
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
)
# The kinds of a cleaned file: the values of ``EvidenceKind.PHOTO`` / ``DOCUMENT`` in contracts' and ratings' models.
PHOTO = "photo"
DOCUMENT = "document"

MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
MAX_ZIP_ENTRIES = 2000
PDF_TYPE = "application/pdf"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PHOTO_MAGIC = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n")
# Names of PDF objects that run or carry something: a document with any of them is refused.
PDF_ACTIVE = (b"/JavaScript", b"/JS", b"/Launch", b"/EmbeddedFile", b"/RichMedia")


class EvidenceRejected(ValueError):
    """A file that is not acceptable evidence; the message says why, naming the file."""


@dataclass(frozen=True)
class CleanEvidence:
    content: bytes
    name: str
    content_type: str
    kind: str


def _is_photo(head: bytes) -> bool:
    return head.startswith(PHOTO_MAGIC) or (head[:4] == b"RIFF" and head[8:12] == b"WEBP")


def _pdf(raw: bytes, label: str) -> CleanEvidence:
    if b"%%EOF" not in raw[-2048:]:
        raise EvidenceRejected(_("%(name)s is an incomplete or damaged PDF.") % {"name": label})
    if any(marker in raw for marker in PDF_ACTIVE):
        raise EvidenceRejected(
            _("%(name)s contains scripts, actions or embedded files; save it again as a plain PDF.") % {"name": label}
        )
    return CleanEvidence(raw, f"{uuid.uuid4().hex}.pdf", PDF_TYPE, DOCUMENT)


def _office(raw: bytes, label: str) -> CleanEvidence:
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, ValueError, OSError) as error:
        raise EvidenceRejected(_("%(name)s is damaged and cannot be read.") % {"name": label}) from error
    lowered = {name.lower() for name in names}
    if len(names) > MAX_ZIP_ENTRIES or "[content_types].xml" not in lowered:
        raise EvidenceRejected(_("%(name)s is not a photo, a PDF or a Word or Excel document.") % {"name": label})
    if any(name.endswith("vbaproject.bin") or "activex" in name for name in lowered):
        raise EvidenceRejected(_("%(name)s contains macros; save it without them, or as a PDF.") % {"name": label})
    if "word/document.xml" in lowered:
        return CleanEvidence(raw, f"{uuid.uuid4().hex}.docx", DOCX_TYPE, DOCUMENT)
    if "xl/workbook.xml" in lowered:
        return CleanEvidence(raw, f"{uuid.uuid4().hex}.xlsx", XLSX_TYPE, DOCUMENT)
    raise EvidenceRejected(_("%(name)s is not a photo, a PDF or a Word or Excel document.") % {"name": label})


def clean_evidence(file: IO[bytes], *, original_name: str = "") -> CleanEvidence:
    """Check ``file`` is a photo or an acceptable document and return what to store (``EvidenceRejected`` if not)."""
    label = original_name or _("the file")
    raw = file.read(MAX_DOCUMENT_BYTES + 1)
    if not raw:
        raise EvidenceRejected(_("%(name)s is empty.") % {"name": label})
    if _is_photo(raw[:16]):
        try:
            photo = clean_photo(io.BytesIO(raw), original_name=label)
        except PhotoRejected as rejected:
            raise EvidenceRejected(str(rejected)) from rejected
        return CleanEvidence(photo.content, photo.name, photo.content_type, PHOTO)
    if len(raw) > MAX_DOCUMENT_BYTES:
        raise EvidenceRejected(_("%(name)s is larger than 20 MB.") % {"name": label})
    if raw.startswith(b"%PDF-"):
        return _pdf(raw, label)
    if raw.startswith(b"PK\x03\x04"):
        return _office(raw, label)
    raise EvidenceRejected(_("%(name)s is not a photo, a PDF or a Word or Excel document.") % {"name": label})
