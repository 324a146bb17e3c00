"""The documents as PDF (``mediation.documents``): the agreement (调解协议书) and the referral letter (移送函) carry the
parties in full and what was agreed, read back with pypdfium2; the CJK font is embedded when its file exists, and the
built-in CID font takes over, with one warning, when it does not."""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import pytest
from django.utils import timezone

from gridwork.mediation import documents
from gridwork.mediation.models import Agreement, ReceivingKind
from gridwork.mediation.services.agreements import agreement_create
from gridwork.mediation.services.referrals import case_refer
from gridwork.mediation.tests.factories import (
    ADDRESSES,
    ID_NUMBERS,
    NAMES,
    PHONES,
    CaseWorld,
    case_world,
    mediating_case,
    register_case,
)
from gridwork.places.tests.factories import CityTree

TERMS = "一、201室业主于2026年12月31日前修复卫生间防水层；\n二、201室业主赔偿101室业主装修损失人民币叁仟元整。"


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def world(tree: CityTree) -> CaseWorld:
    return case_world(tree)


def pdf_text(content: bytes) -> str:
    document = pdfium.PdfDocument(content)
    try:
        return "".join(page.get_textpage().get_text_range() for page in document)
    finally:
        document.close()


def squeezed(text: str) -> str:
    return "".join(text.split())


def make_agreement(world: CaseWorld, **fields: Any) -> Agreement:
    case = mediating_case(world)
    values: dict[str, Any] = {
        "facts": case.facts,
        "terms": TERMS,
        "performance": "修复于2026年12月31日前完成；赔偿款于签订当日现金支付。",
        "signed_on": timezone.localdate(),
        "follow_up_on": [timezone.localdate() + timedelta(days=30)],
    }
    values.update(fields)
    return agreement_create(actor=world.staff, case=case, expected_version=case.version, **values)


def test_the_agreement_carries_the_parties_in_full_and_the_terms(world: CaseWorld) -> None:
    agreement = make_agreement(world)
    text = squeezed(pdf_text(documents.agreement_pdf(agreement)))
    assert "人民调解协议书" in text
    assert "望江街道春晖社区人民调解委员会" in text
    assert agreement.number in text
    for name, phone, id_number, address in zip(NAMES, PHONES, ID_NUMBERS, ADDRESSES, strict=True):
        assert name in text
        assert phone in text
        assert id_number in text
        assert squeezed(address) in text
    assert squeezed(TERMS) in text
    assert "经调解，自愿达成如下协议" in text
    assert squeezed(documents.LEGAL_NOTE) in text
    assert "调解员老周" in text  # the mediator's signature line
    assert "申请人（签名或盖章）" in text
    assert "被申请人（签名或盖章）" in text


def test_the_stored_pdf_is_the_one_rendered_and_its_fingerprint_matches(world: CaseWorld) -> None:
    agreement = make_agreement(world)
    with agreement.pdf.open("rb") as handle:
        stored = handle.read()
    assert documents.sha256_of(stored) == agreement.pdf_sha256
    assert documents.agreement_pdf(agreement) == stored  # invariant output: the same agreement, the same bytes


def test_a_partial_agreement_says_so(world: CaseWorld) -> None:
    agreement = make_agreement(world, partial=True)
    text = squeezed(pdf_text(documents.agreement_pdf(agreement)))
    assert "就部分争议事项自愿达成如下协议" in text
    assert "未达成协议的事项" in text


def test_the_font_is_embedded_when_its_file_exists(world: CaseWorld, settings: Any) -> None:
    path = documents.font_file()
    if path is None:
        pytest.skip("no CJK font file on this machine (scripts/system-deps.sh installs fonts-wqy-microhei)")
    settings.GRIDWORK_PDF_FONT = str(path)
    content = documents.agreement_pdf(make_agreement(world))
    assert b"/FontFile2" in content  # the TrueType program, embedded (as a subset)
    assert b"STSong-Light" not in content
    document = pdfium.PdfDocument(content)
    bitmap = document[0].render(scale=1).to_pil()
    assert bitmap.size[0] > 500
    document.close()


def test_without_a_font_file_the_builtin_cid_font_is_used_and_the_text_stays_readable(
    world: CaseWorld, settings: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.GRIDWORK_PDF_FONT = str(tmp_path / "no-such-font.ttc")
    monkeypatch.setattr(documents, "_warned", set())
    monkeypatch.setattr(documents, "_registered", {})
    agreement = make_agreement(world)
    with caplog.at_level(logging.WARNING, logger="gridwork.mediation"):
        content = documents.agreement_pdf(agreement)
        documents.agreement_pdf(agreement)
    assert b"STSong-Light" in content
    assert b"/FontFile2" not in content
    text = squeezed(pdf_text(content))
    assert NAMES[0] in text
    assert "201室业主赔偿101室业主" in text
    warnings = [record for record in caplog.records if "No CJK font file" in record.getMessage()]
    assert len(warnings) == 1


def test_the_referral_letter_names_the_body_the_parties_and_the_reason(world: CaseWorld) -> None:
    case = register_case(world)
    referral = case_refer(
        actor=world.staff,
        case=case,
        receiving_kind=ReceivingKind.COURT,
        receiving_body="东湖区人民法院",
        reason="赔偿数额争议较大，当事人申请司法确认。",
        expected_version=case.version,
    )
    with referral.letter.open("rb") as handle:
        text = squeezed(pdf_text(handle.read()))
    assert "诉调对接移送函" in text
    assert "东湖区人民法院" in text
    assert case.number in text
    assert "赔偿数额争议较大" in text
    assert NAMES[0] in text
    assert PHONES[1] in text
    assert "现移送你院" in text
