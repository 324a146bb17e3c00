"""The dispute cases' documents, as PDF in Chinese: the mediation agreement (人民调解协议书, in the wording of the
People's Mediation Law, art. 28–29) and the referral letter of 诉调对接 (移送函).

Both are the parties' own documents: they carry the parties' names, ID numbers, addresses and phones in full, so
only holders of ``Perm.VIEW_DISPUTE_PARTIES`` download them, each download audited (the views' business).

The text is set in a CJK font embedded as a subset: Debian's WenQuanYi Micro Hei by default, or the file named by
``settings.GRIDWORK_PDF_FONT``. When no font file is found the documents fall back to reportlab's built-in
``STSong-Light`` (a CID font the reader supplies: not embedded, the text still extractable), with one warning in the
log. The output is invariant (no creation time or random id), so the same agreement gives the same bytes.
"""

from __future__ import annotations

import hashlib
import io
import logging
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from xml.sax.saxutils import escape

from django.conf import settings
from django.utils import timezone
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer

from gridwork.mediation.models import Agreement, CaseParty, DisputeCase, Referral

logger = logging.getLogger("gridwork.mediation")

DEFAULT_FONT_FILES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/wqy-microhei/wqy-microhei.ttc",
)
FALLBACK_FONT = "STSong-Light"

LEGAL_NOTE = "本协议自各方当事人签名（盖章）、人民调解员签名并加盖人民调解委员会印章之日起生效。"

PARTY_ROLES_ZH = {"applicant": "申请人", "respondent": "被申请人", "other": "其他当事人"}
DISPUTE_TYPES_ZH = {
    "neighbour": "邻里纠纷",
    "family": "婚姻家庭纠纷",
    "property": "物业纠纷",
    "labour": "劳动争议",
    "land": "土地征收拆迁纠纷",
    "contract": "合同债务纠纷",
    "damage": "损害赔偿纠纷",
    "construction": "建房装修纠纷",
    "other": "其他纠纷",
}
RISK_ZH = {"low": "一般", "medium": "较大", "high": "重大"}
RECEIVING_KINDS_ZH = {
    "court": "人民法院",
    "arbitration": "仲裁委员会",
    "petition": "信访部门",
    "department": "政府职能部门",
    "police": "公安派出所",
}
OUTCOMES_ZH = {"agreement": "达成调解协议", "partial": "部分达成协议", "failed": "调解不成", "withdrawn": "申请人撤回"}

_registered: dict[str, str] = {}  # font file (or "") → the registered font's name
_warned: set[str] = set()  # the fallback's warning, given once per process


def font_file() -> Path | None:
    """The CJK font file the documents embed: ``GRIDWORK_PDF_FONT`` when set, else the first default that exists."""
    configured = getattr(settings, "GRIDWORK_PDF_FONT", "") or ""
    candidates = (configured,) if configured else DEFAULT_FONT_FILES
    for candidate in candidates:
        path = Path(candidate)
        if path.is_file():
            return path
    return None


def pdf_font() -> str:
    """Register (once per file) and name the font the documents are set in; the built-in CID font when no file."""
    path = font_file()
    key = str(path) if path is not None else ""
    if key in _registered:
        return _registered[key]
    if path is not None:
        name = f"GridworkCJK-{hashlib.sha256(key.encode()).hexdigest()[:8]}"
        pdfmetrics.registerFont(TTFont(name, key, subfontIndex=0))
    else:
        if not _warned:
            _warned.add(FALLBACK_FONT)
            logger.warning(
                "No CJK font file found (GRIDWORK_PDF_FONT or %s): the documents use the built-in %s, not embedded.",
                ", ".join(DEFAULT_FONT_FILES),
                FALLBACK_FONT,
            )
        pdfmetrics.registerFont(UnicodeCIDFont(FALLBACK_FONT))
        name = FALLBACK_FONT
    _registered[key] = name
    return name


class _Styles:
    def __init__(self, font: str) -> None:
        base = ParagraphStyle("body", fontName=font, fontSize=11.5, leading=19, wordWrap="CJK", spaceAfter=3)
        self.body = base
        self.title = ParagraphStyle("title", parent=base, fontSize=20, leading=28, alignment=TA_CENTER, spaceAfter=4)
        self.subtitle = ParagraphStyle("subtitle", parent=base, fontSize=13, alignment=TA_CENTER)
        self.right = ParagraphStyle("right", parent=base, alignment=TA_RIGHT)
        self.heading = ParagraphStyle("heading", parent=base, fontSize=12.5, spaceBefore=8, spaceAfter=2)
        self.indented = ParagraphStyle("indented", parent=base, firstLineIndent=23)


def _lines(value: str, style: ParagraphStyle) -> list[Flowable]:
    """User text as paragraphs, one a line (each indented), escaped."""
    lines = [line.strip() for line in (value or "").strip().splitlines() if line.strip()]
    return [Paragraph(escape(line), style) for line in lines] or [Paragraph("—", style)]


def _date_zh(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def committee_name(case: DisputeCase) -> str:
    """人民调解委员会 of the case's community, named with its street: 望江街道春晖社区人民调解委员会."""
    community = case.community
    street = community.parent
    prefix = street.name if street is not None and street.level == "street" else ""
    return f"{prefix}{community.name}人民调解委员会"


def party_line(party: CaseParty) -> str:
    """One party as recorded, in full: role, name, ID number, address, phone."""
    role = PARTY_ROLES_ZH.get(party.role, party.role)
    parts = [f"{role}：{party.name}"]
    if party.id_number:
        label = "统一社会信用代码" if party.is_organisation else "身份证号码"
        parts.append(f"{label}：{party.id_number}")
    if party.address:
        parts.append(f"{'住所地' if party.is_organisation else '住址'}：{party.address}")
    if party.phone:
        parts.append(f"联系电话：{party.phone}")
    return "，".join(parts) + "。"


def _parties(case: DisputeCase) -> list[CaseParty]:
    return list(CaseParty.objects.filter(case=case).order_by("order", "id"))


def _render(flowables: Iterable[Flowable], *, title: str, author: str) -> bytes:
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=25 * mm,
        rightMargin=25 * mm,
        topMargin=22 * mm,
        bottomMargin=22 * mm,
        title=title,
        author=author,
        creator="Gridwork",
        invariant=True,
    )
    document.build(list(flowables))
    return buffer.getvalue()


def agreement_pdf(agreement: Agreement) -> bytes:
    """人民调解协议书 of ``agreement``: the committee and number, the parties in full, the facts, the terms, how and by
    when they are performed, the note on when it takes effect, and a signature line for each party, the mediator and
    the committee's seal with the date."""
    case = agreement.case
    styles = _Styles(pdf_font())
    committee = committee_name(case)
    parties = _parties(case)
    partial = case.outcome == "partial"
    mediator = case.mediator.name if case.mediator is not None else ""
    story: list[Flowable] = [
        Paragraph(escape(committee), styles.subtitle),
        Paragraph("人民调解协议书", styles.title),
        Paragraph(f"编号：{escape(agreement.number)}", styles.right),
        Paragraph("当事人", styles.heading),
        *(Paragraph(escape(party_line(party)), styles.body) for party in parties),
        Paragraph("纠纷主要事实、争议事项", styles.heading),
        *_lines(agreement.facts, styles.indented),
        Paragraph(
            "经调解，各方当事人就部分争议事项自愿达成如下协议" if partial else "经调解，自愿达成如下协议",
            styles.heading,
        ),
        *_lines(agreement.terms, styles.indented),
        Paragraph("履行方式、时限", styles.heading),
        *_lines(agreement.performance, styles.indented),
    ]
    if partial:
        story.append(Paragraph("未达成协议的事项，当事人可以依法通过仲裁、诉讼等途径解决。", styles.indented))
    story += [
        Spacer(1, 4 * mm),
        Paragraph(LEGAL_NOTE, styles.indented),
        Paragraph(
            f"本协议书一式{len(parties) + 1}份，当事人各执一份，人民调解委员会留存一份。",
            styles.indented,
        ),
        Spacer(1, 8 * mm),
        *(
            Paragraph(
                f"{PARTY_ROLES_ZH.get(party.role, party.role)}（签名或盖章）：{escape(party.name)}"
                "　　　＿＿＿＿＿＿＿＿＿＿",
                styles.body,
            )
            for party in parties
        ),
        Spacer(1, 4 * mm),
        Paragraph(f"人民调解员（签名）：{escape(mediator)}　　　＿＿＿＿＿＿＿＿＿＿", styles.body),
        Spacer(1, 10 * mm),
        Paragraph(f"{escape(committee)}（印章）", styles.right),
        Paragraph(_date_zh(agreement.signed_on), styles.right),
    ]
    return _render(story, title=f"人民调解协议书 {agreement.number}", author=committee)


def referral_letter_pdf(referral: Referral) -> bytes:
    """诉调对接移送函: the case handed to the receiving body, with the parties in full, the facts, what the mediation
    did, why it is referred, and the committee's contact and seal with the date."""
    case = referral.case
    styles = _Styles(pdf_font())
    committee = committee_name(case)
    parties = _parties(case)
    sessions = case.sessions.count()
    referred_on = timezone.localdate(referral.referred_at)
    body = referral.receiving_body
    if referral.department is not None and referral.department.name not in body:
        body = f"{body}（{referral.department.name}）"
    kind = RECEIVING_KINDS_ZH.get(referral.receiving_kind, "")
    addressee = "院" if referral.receiving_kind == "court" else "单位"
    dispute_type = DISPUTE_TYPES_ZH.get(case.dispute_type, case.dispute_type)
    done = f"已组织调解{sessions}次" if sessions else "尚未组织调解"
    if case.outcome:
        done += f"，结果：{OUTCOMES_ZH.get(case.outcome, case.outcome)}"
    sender = getattr(referral.referred_by, "full_name", "") or referral.referred_by.get_username()
    story: list[Flowable] = [
        Paragraph(escape(committee), styles.subtitle),
        Paragraph("诉调对接移送函", styles.title),
        Paragraph(f"案件编号：{escape(case.number)}", styles.right),
        Paragraph(f"{escape(body)}：", styles.body),
        Paragraph(
            f"我委受理的“{escape(case.title)}”一案（{escape(dispute_type)}，风险等级：{RISK_ZH.get(case.risk, '')}），"
            f"{done}。因下列原因，依照诉调对接工作机制，现移送你{addressee}（{kind}）依法处理。",
            styles.indented,
        ),
        Paragraph("移送原因", styles.heading),
        *_lines(referral.reason, styles.indented),
        Paragraph("当事人", styles.heading),
        *(Paragraph(escape(party_line(party)), styles.body) for party in parties),
        Paragraph("纠纷主要事实、争议事项", styles.heading),
        *_lines(case.facts, styles.indented),
    ]
    if case.location:
        story.append(Paragraph(f"纠纷发生地：{escape(case.location)}", styles.body))
    story += [
        Spacer(1, 4 * mm),
        Paragraph("请于受理后将受理情况及处理结果反馈我委。", styles.indented),
        Paragraph(f"联系人：{escape(sender)}", styles.body),
        Spacer(1, 10 * mm),
        Paragraph(f"{escape(committee)}（印章）", styles.right),
        Paragraph(_date_zh(referred_on), styles.right),
    ]
    return _render(story, title=f"诉调对接移送函 {case.number}", author=committee)


def sha256_of(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()
