"""What each printed document says (nội dung văn bản), built from the record: a household's
compensation notice from a frozen or approved plan version, a recovery notice from a case, the
minutes of a logged meeting, the project's plan summary.

``prepare`` checks that the document can be made from its subject and gathers everything it says
except its number and date; ``render`` puts them through the document's template (which extends
``templates/print/_document.html``) into the one HTML page that is previewed, issued and printed.
The texts are Vietnamese whatever the user's language: a legal document is in Vietnamese. The
phrases built here (legal bases, headings, summaries) are plain strings, as the plan's explained
lines are; the templates' fixed words go through gettext and are rendered in the "vi" locale.
Messages to the user (DocumentRefused) are gettext messages in the user's language.

The issuing body is the People's Committee of the ward (or commune) the subject lies in — since
1 July 2025 the ward chairman notifies, approves and decides (Decree 151/2025) — under the
province's People's Committee. A project crossing a ward line has two issuing bodies: a household
gets its papers from the ward its land is in.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, date, time
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from clearance.extensions import db
from clearance.formatting import LOCAL_TZ, percent, vndate
from clearance.models import (
    AdminUnit,
    Case,
    CaseParcel,
    CompensationPlan,
    LegalDocument,
    Meeting,
    Party,
    Project,
    User,
)
from clearance.notices.pdf import BASE_URL, local_path, render_document_html
from clearance.notices.words import amount_in_words, date_words
from clearance.services.errors import FieldError
from clearance.workflow.statuses import (
    AttendeeSide,
    DocumentType,
    MeetingKind,
    PartyKind,
    PlanStatus,
    Tenure,
    UnitLevel,
    label,
)

#: Ký hiệu of each document type (Decree 30, Appendix III: TB thông báo, BB biên bản, BC báo cáo),
#: after the issuing body's abbreviation. Minutes are the ward's too: the ward People's Committee
#: chairs dialogues and consultations (Art. 87(3)(a)), so they go in the same register as its
#: notices. The plan summary is a report (BC) the ward sends with the approval decision.
CODES: dict[DocumentType, str] = {
    DocumentType.COMPENSATION_NOTICE: "TB-UBND",
    DocumentType.RECOVERY_NOTICE: "TB-UBND",
    DocumentType.MEETING_MINUTES: "BB-UBND",
    DocumentType.PLAN_SUMMARY: "BC-UBND",
}

TEMPLATES: dict[DocumentType, str] = {
    DocumentType.COMPENSATION_NOTICE: "print/compensation_notice.html",
    DocumentType.RECOVERY_NOTICE: "print/recovery_notice.html",
    DocumentType.MEETING_MINUTES: "print/meeting_minutes.html",
    DocumentType.PLAN_SUMMARY: "print/plan_summary.html",
}

#: Document types made for one case (from the case page, and in batches).
CASE_TYPES = (DocumentType.COMPENSATION_NOTICE, DocumentType.RECOVERY_NOTICE)

#: A draft's number: the number left blank for the clerk, the code printed (Decree 30 drafts).
DRAFT_NUMBER_SPACES = 6

#: Plan versions a notice may be issued from.
LOCKED = (PlanStatus.FROZEN, PlanStatus.APPROVED)

#: Fixed legal bases (căn cứ), with a token that finds the same document in a policy set's lines.
LOCAL_GOVERNMENT_LAW = ("Căn cứ Luật Tổ chức chính quyền địa phương ngày 16 tháng 6 năm 2025;", "Tổ chức chính quyền địa phương")
LAND_LAW = ("Căn cứ Luật Đất đai ngày 18 tháng 01 năm 2024;", "Luật Đất đai")
DECREE_88 = (
    "Căn cứ Nghị định số 88/2024/NĐ-CP ngày 15 tháng 7 năm 2024 của Chính phủ quy định về bồi thường, "
    "hỗ trợ, tái định cư khi Nhà nước thu hồi đất;",
    "88/2024/NĐ-CP",
)
DECREE_102 = (
    "Căn cứ Nghị định số 102/2024/NĐ-CP ngày 30 tháng 7 năm 2024 của Chính phủ quy định chi tiết thi hành "
    "một số điều của Luật Đất đai;",
    "102/2024/NĐ-CP",
)
DECREE_151 = (
    "Căn cứ Nghị định số 151/2025/NĐ-CP ngày 12 tháng 6 năm 2025 của Chính phủ quy định về phân định thẩm "
    "quyền của chính quyền địa phương 02 cấp, phân quyền, phân cấp trong lĩnh vực đất đai;",
    "151/2025/NĐ-CP",
)

#: A policy set's legal-basis line is printed as a "Căn cứ …;" line when it names a document.
_DOCUMENT_WORDS = re.compile(
    r"^(Luật|Bộ luật|Nghị quyết|Nghị định|Quyết định|Thông tư|Chỉ thị|Công văn|Văn bản|Kế hoạch|Bảng giá)\b",
    re.I,
)
#: Kinds of document by the part of their code before the issuer (35/QĐ-TTg → QĐ).
_KINDS = {"QĐ": "Quyết định", "NQ": "Nghị quyết", "TB": "Thông báo", "KH": "Kế hoạch", "CV": "Công văn", "CT": "Chỉ thị"}
#: Kinds that can be a legal basis (a notice or plan informs, it does not empower).
_BASIS_KINDS = frozenset({"QĐ", "NQ"})

_STYLESHEET = re.compile(r'<link rel="stylesheet" href="([^"]+)">')
_CSS_URL = re.compile(r'url\("([^"]+)"\)')


@dataclass
class IssueFields:
    """What the person issuing says about a document: its date and signer, and for notices the
    time and place of payment, the handover date, the survey timetable. Empty values print as
    dotted lines to fill in by hand (a draft); issuing needs the ones the document must state."""

    issued_on: date | None = None
    signer_name: str = ""
    #: Signs for the chairman (KT. CHỦ TỊCH / PHÓ CHỦ TỊCH) rather than as chairman.
    deputy: bool = False
    payment_on: date | None = None
    payment_time: time | None = None
    payment_place: str = ""
    handover_on: date | None = None
    survey_from: date | None = None
    survey_to: date | None = None
    resettlement_plan: str = ""

    def to_json(self) -> dict[str, Any]:
        """Plain JSON (a print job keeps what it was asked with)."""
        out: dict[str, Any] = {}
        for name, value in asdict(self).items():
            out[name] = value.isoformat() if isinstance(value, (date, time)) else value
        return out

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> IssueFields:
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = data.get(f.name)
            if raw in (None, ""):
                continue
            if f.name == "payment_time":
                values[f.name] = time.fromisoformat(raw)
            elif f.name in ("issued_on", "payment_on", "handover_on", "survey_from", "survey_to"):
                values[f.name] = date.fromisoformat(raw)
            elif f.name == "deputy":
                values[f.name] = bool(raw)
            else:
                values[f.name] = str(raw)
        return cls(**values)


@dataclass
class Prepared:
    """A document ready to be rendered: everything it says except its number and date."""

    doc_type: DocumentType
    project: Project
    issuing_unit: AdminUnit
    code: str
    #: Trích yếu, as printed under the document type and kept in the register.
    summary: str
    #: The template's ``doc`` mapping, without number, date and signer.
    doc: dict[str, Any]
    #: The rest of the template's context.
    context: dict[str, Any] = field(default_factory=dict)
    fields: IssueFields = field(default_factory=IssueFields)
    case: Case | None = None
    plan: CompensationPlan | None = None
    meeting: Meeting | None = None

    @property
    def template(self) -> str:
        return TEMPLATES[self.doc_type]

    @property
    def subject_label(self) -> str:
        """How messages name the subject: the case, the meeting or the project."""
        if self.case is not None:
            return case_label(self.case)
        if self.meeting is not None:
            return _("biên bản ngày %(day)s", day=vndate(self.meeting.held_at))
        return _("dự án %(code)s", code=self.project.code)


class DocumentRefused(FieldError):
    """A document that cannot be made from this subject now; the message says why."""


@contextmanager
def vietnamese() -> Iterator[None]:
    """Words built in Python for a document are Vietnamese whatever the UI language."""
    with force_locale("vi"):
        yield


def case_label(case: Case) -> str:
    return f"{case.code} ({case.party.name})"


def lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text else text


# -- the issuing body ------------------------------------------------------------------------------


def project_wards(project: Project) -> list[AdminUnit]:
    return [unit for unit in project.units if unit.level != UnitLevel.PROVINCE]


def issuing_unit_for(project: Project, case: Case | None = None, user: User | None = None) -> AdminUnit:
    """The ward whose People's Committee issues the document: for a case, the ward holding most of
    its recovered land; otherwise the user's own ward if the project lies in it; otherwise the
    project's first ward."""
    wards = project_wards(project)
    if not wards:
        raise DocumentRefused(
            "issuing_unit",
            _("Dự án %(code)s chưa gắn phường, xã nào: chưa xác định được cơ quan ban hành văn bản.", code=project.code),
        )
    by_id = {ward.id: ward for ward in wards}
    if case is not None:
        weights: dict[int, Decimal] = {}
        for holding in case.holdings:
            parcel = holding.parcel
            if parcel.ward_id in by_id:
                weights[parcel.ward_id] = weights.get(parcel.ward_id, Decimal(0)) + (parcel.recovered_area or Decimal(0)) + Decimal("0.001")
        if weights:
            return by_id[max(weights, key=lambda ward_id: (weights[ward_id], -ward_id))]
    if user is not None and user.team is not None and user.team.unit_id in by_id:
        return by_id[user.team.unit_id]
    return wards[0]


def issuer_doc(unit: AdminUnit) -> dict[str, Any]:
    """The issuer's part of the ``doc`` mapping: bodies, place, signatory's authority."""
    parent = unit.parent
    return {
        "parent_body": f"Ủy ban nhân dân {parent.name}" if parent is not None else None,
        "issuing_body": f"Ủy ban nhân dân\n{unit.name}",
        "place": unit.name,
        "signer_authority": "TM. Ủy ban nhân dân",
    }


def committee_name(unit: AdminUnit) -> str:
    """'Ủy ban nhân dân phường Hai Bà Trưng', as written inside a sentence."""
    return f"Ủy ban nhân dân {lower_first(unit.name)}"


# -- legal bases -----------------------------------------------------------------------------------


def legal_document_kind(number: str) -> str:
    """'35/QĐ-TTg' → 'QĐ'."""
    match = re.match(r"^[^/]*/([^-/\s]+)", number.strip())
    return match[1].upper() if match else ""


def legal_document_phrase(document: LegalDocument) -> str:
    """'Quyết định số 35/QĐ-TTg ngày 09 tháng 5 năm 2023 của Thủ tướng Chính phủ'."""
    kind = _KINDS.get(legal_document_kind(document.number), "Văn bản")
    return f"{kind} số {document.number} {date_words(document.issued_on)} của {document.issuer}"


def project_bases(project: Project, unit: AdminUnit, on: date | None) -> list[str]:
    """The project's decisions (not its notices) issued by then, leaving out another ward's own."""
    others = [lower_first(w.name).casefold() for w in project_wards(project) if w.id != unit.id]
    bases = []
    for document in project.legal_documents:
        if legal_document_kind(document.number) not in _BASIS_KINDS:
            continue
        if on is not None and document.issued_on > on:
            continue
        issuer = document.issuer.casefold()
        if any(other in issuer for other in others):
            continue
        bases.append(f"Căn cứ {legal_document_phrase(document)};")
    return bases


def policy_bases(legal_basis: str, already: list[tuple[str, str]]) -> tuple[list[str], list[str]]:
    """A policy set's legal-basis lines: (the ones that name a document, as "Căn cứ …;" lines,
    leaving out those already cited; the other lines, printed as notes)."""
    bases, notes = [], []
    for raw in legal_basis.splitlines():
        line = raw.strip().rstrip(";.").strip()
        if not line:
            continue
        if any(token.casefold() in line.casefold() for _text, token in already):
            continue
        if _DOCUMENT_WORDS.match(line):
            bases.append(f"Căn cứ {line};")
        else:
            notes.append(line)
    return bases, notes


# -- shared facts ----------------------------------------------------------------------------------


def holder_word(party: Party) -> str:
    """How the body of a notice refers to the party: hộ, ông (bà), tổ chức."""
    return {PartyKind.ORGANISATION: "tổ chức", PartyKind.INDIVIDUAL: "ông (bà)"}.get(party.kind, "hộ")


def addressee(party: Party) -> str:
    """Kính gửi: the household by its head, a person, or an organisation."""
    if party.kind == PartyKind.ORGANISATION:
        return party.name
    if party.kind == PartyKind.INDIVIDUAL:
        return f"Ông (bà) {party.name}"
    return f"Hộ ông (bà) {party.name}"


@dataclass(frozen=True)
class ParcelRow:
    map_sheet: str
    parcel_no: str
    address: str
    land_use_code: str
    area: Decimal | None
    recovered_area: Decimal | None
    share: Decimal
    tenure: Tenure


def parcel_rows(case: Case) -> list[ParcelRow]:
    rows = []
    for holding in sorted(case.holdings, key=lambda h: (h.parcel.map_sheet, h.parcel.parcel_no.zfill(8))):
        parcel = holding.parcel
        rows.append(ParcelRow(
            parcel.map_sheet, parcel.parcel_no, parcel.address, parcel.land_use_code,
            parcel.measured_area if parcel.measured_area is not None else parcel.legal_area,
            parcel.recovered_area, holding.share, holding.tenure,
        ))
    return rows


def recovered_total(rows: list[ParcelRow]) -> Decimal:
    return sum((row.recovered_area or Decimal(0) for row in rows), Decimal(0))


def when_words(on: date | None, at: time | None = None) -> str:
    """'08 giờ 00 ngày 15 tháng 12 năm 2026' (or '' when there is no date)."""
    if on is None:
        return ""
    prefix = f"{at.hour:02d} giờ {at.minute:02d}, " if at is not None else ""
    return prefix + date_words(on)


def _load_case(case: Case) -> Case:
    """The case with its party and parcels (one query each, whatever was loaded before)."""
    return db.session.scalar(
        sa.select(Case).where(Case.id == case.id).options(
            selectinload(Case.party), selectinload(Case.holdings).joinedload(CaseParcel.parcel)
        )
    ) or case


# -- the plan a notice is issued from --------------------------------------------------------------


def locked_plan(case: Case) -> CompensationPlan | None:
    """The latest frozen or approved version of the case's plan: the one a notice states."""
    return db.session.scalar(
        sa.select(CompensationPlan)
        .where(CompensationPlan.case_id == case.id, CompensationPlan.status.in_(LOCKED))
        .order_by(CompensationPlan.number.desc())
        .limit(1)
    )


def plan_for_notice(subject: Case | CompensationPlan) -> tuple[Case, CompensationPlan]:
    """The case and the plan version a compensation notice states; DocumentRefused, naming the
    case, for a version that is only a draft or checked, or a case without a frozen one."""
    if isinstance(subject, CompensationPlan):
        case = subject.case
        if subject.status not in LOCKED:
            raise DocumentRefused(
                "plan",
                _("Phương án số %(n)s của hồ sơ %(case)s mới ở trạng thái “%(status)s”: chỉ lập thông báo bồi thường "
                  "từ phương án đã chốt hoặc đã phê duyệt.", n=subject.number, case=case_label(case), status=label(subject.status)),
            )
        return case, subject
    plan = locked_plan(subject)
    if plan is None:
        raise DocumentRefused(
            "plan",
            _("Hồ sơ %(case)s chưa có phương án đã chốt hoặc đã phê duyệt: chưa lập được thông báo bồi thường, "
              "hỗ trợ, tái định cư.", case=case_label(subject)),
        )
    return subject, plan


# -- each document ---------------------------------------------------------------------------------


CATEGORY_TITLES = {
    "land": "Bồi thường về đất",
    "assets": "Bồi thường về nhà, công trình, cây trồng, tài sản khác",
    "support": "Các khoản hỗ trợ",
    "resettlement": "Tái định cư",
    "deduction": "Các khoản khấu trừ",
}
ROMAN = ("I", "II", "III", "IV", "V", "VI")


@dataclass
class CategoryBlock:
    numeral: str
    title: str
    total: int
    lines: list[dict[str, Any]]


def _line_note(line: Mapping[str, Any]) -> str:
    """What else the amount depends on, in words: coefficient, remaining quality, detail."""
    parts = []
    if line.get("detail"):
        parts.append(str(line["detail"]))
    coefficient = line.get("coefficient")
    if coefficient not in (None, "1", 1, "-1", -1) and line.get("code") != "job_conversion":
        parts.append(f"hệ số {_vn_number(coefficient)}")
    quality = line.get("quality_pct")
    if quality not in (None, "100", 100):
        parts.append(f"chất lượng còn lại {_vn_number(quality)} %")
    return "; ".join(parts)


def _vn_number(value: Any) -> str:
    from clearance.formatting import number

    return number(value)


def category_blocks(snapshot: Mapping[str, Any]) -> list[CategoryBlock]:
    blocks = []
    for category in ("land", "assets", "support", "resettlement", "deduction"):
        lines = [dict(line, note=_line_note(line)) for line in snapshot.get("lines", []) if line.get("category") == category]
        if not lines:
            continue
        blocks.append(CategoryBlock(ROMAN[len(blocks)], CATEGORY_TITLES[category], int(snapshot["totals"][category]), lines))
    return blocks


def _compensation_notice(subject: Case | CompensationPlan, fields_: IssueFields, user: User | None) -> Prepared:
    case, plan = plan_for_notice(subject)
    case = _load_case(case)
    project = case.project
    unit = issuing_unit_for(project, case, user)
    snapshot = plan.snapshot
    policy = snapshot.get("policy", {})
    inventory = snapshot.get("inventory", {})
    net = int(plan.net_amount)
    fixed = [LOCAL_GOVERNMENT_LAW, LAND_LAW, DECREE_88, DECREE_151]
    extra_bases, notes = policy_bases(policy.get("legal_basis", ""), fixed)
    bases = [text for text, _token in fixed] + extra_bases
    bases += [b for b in project_bases(project, unit, fields_.issued_on) if b not in bases]
    if plan.status == PlanStatus.APPROVED and plan.approval_decision:
        decision = plan.approval_decision.strip()
        if not decision.lower().startswith("quyết định"):
            decision = f"Quyết định số {decision}"
        approval = (f"Căn cứ {decision} {date_words(plan.approved_on)} về việc phê duyệt phương án bồi thường, hỗ trợ, "
                    f"tái định cư dự án {project.name};")
        number = plan.approval_decision.split()[0]
        bases = [b for b in bases if number not in b] + [approval]
    summary = f"Về việc bồi thường, hỗ trợ, tái định cư khi Nhà nước thu hồi đất thực hiện dự án {project.name}"
    resettlement = None
    if inventory.get("resettlement_site"):
        fee = next((line for line in snapshot.get("lines", []) if line.get("code") == "resettlement_fee"), None)
        resettlement = {
            "site": inventory["resettlement_site"],
            "area": Decimal(inventory["resettlement_area"]) if inventory.get("resettlement_area") else None,
            "fee": -int(fee["amount"]) if fee and fee.get("amount") is not None else None,
        }
    doc = {
        **issuer_doc(unit),
        "doc_type": "Thông báo",
        "summary": summary,
        "addressees": [addressee(case.party)],
        "bases": bases,
        "recipients": ["Như trên", f"Chủ đầu tư: {project.investor}", "Tổ công tác bồi thường, giải phóng mặt bằng",
                       f"Lưu: VT, hồ sơ {case.code}"],
    }
    context = {
        "project": project, "case": case, "party": case.party, "who": lower_first(addressee(case.party)),
        "holder": holder_word(case.party),
        "plan": plan, "snapshot": snapshot,
        "committee": committee_name(unit), "unit": unit,
        "parcels": (rows := parcel_rows(case)), "recovered_total": recovered_total(rows),
        "blocks": category_blocks(snapshot), "net": net, "net_words": amount_in_words(abs(net)),
        "payment_days": int(policy.get("payment_days") or 30),
        "late_rate": policy.get("late_payment_rate"),
        "has_deduction": bool(snapshot.get("totals", {}).get("deduction")),
        "resettlement": resettlement, "policy": policy, "policy_notes": notes,
        "approved": plan.status == PlanStatus.APPROVED,
    }
    return Prepared(DocumentType.COMPENSATION_NOTICE, project, unit, CODES[DocumentType.COMPENSATION_NOTICE],
                    summary, doc, context, case=case, plan=plan)


def _recovery_notice(subject: Case, fields_: IssueFields, user: User | None) -> Prepared:
    if not isinstance(subject, Case):
        raise TypeError("a recovery notice is made for a case")
    case = _load_case(subject)
    project = case.project
    unit = issuing_unit_for(project, case, user)
    fixed = [LOCAL_GOVERNMENT_LAW, LAND_LAW, DECREE_88, DECREE_102, DECREE_151]
    bases = [text for text, _token in fixed]
    bases += [b for b in project_bases(project, unit, fields_.issued_on) if b not in bases]
    documents = [d for d in project.legal_documents if legal_document_kind(d.number) in _BASIS_KINDS]
    summary = f"Về việc thu hồi đất để thực hiện dự án {project.name}"
    doc = {
        **issuer_doc(unit),
        "doc_type": "Thông báo",
        "summary": summary,
        "addressees": [addressee(case.party)],
        "bases": bases,
        "recipients": ["Như trên", f"Chủ đầu tư: {project.investor}", "Tổ công tác bồi thường, giải phóng mặt bằng",
                       f"Lưu: VT, hồ sơ {case.code}"],
    }
    rows = parcel_rows(case)
    context = {
        "project": project, "case": case, "party": case.party, "who": lower_first(addressee(case.party)),
        "holder": holder_word(case.party),
        "committee": committee_name(unit), "unit": unit, "parcels": rows, "recovered_total": recovered_total(rows),
        "project_documents": [(legal_document_phrase(d), d.summary.strip().rstrip(".")) for d in documents],
        "handover_deadline": date_words(project.handover_deadline) if project.handover_deadline else "",
    }
    return Prepared(DocumentType.RECOVERY_NOTICE, project, unit, CODES[DocumentType.RECOVERY_NOTICE], summary, doc,
                    context, case=case)


#: Trích yếu of minutes by the kind of meeting.
MINUTES_SUMMARIES = {
    MeetingKind.PRE_NOTICE: "Họp phổ biến chủ trương thu hồi đất, bồi thường, hỗ trợ, tái định cư dự án {project}",
    MeetingKind.PERSUASION: "Vận động, thuyết phục thực hiện bồi thường, hỗ trợ, tái định cư dự án {project}",
    MeetingKind.CONSULTATION: "Họp lấy ý kiến về phương án bồi thường, hỗ trợ, tái định cư dự án {project}",
    MeetingKind.DIALOGUE: "Đối thoại với người có đất thu hồi về phương án bồi thường, hỗ trợ, tái định cư dự án {project}",
    MeetingKind.MEDIATION: "Hòa giải về bồi thường, hỗ trợ, tái định cư dự án {project}",
}

#: The sides of a meeting as the minutes name them.
SIDE_TITLES = {
    AttendeeSide.OFFICIAL: "Đại diện Tổ công tác bồi thường, giải phóng mặt bằng",
    AttendeeSide.HOUSEHOLD: "Đại diện hộ gia đình",
    AttendeeSide.WARD: "Đại diện Ủy ban nhân dân",
    AttendeeSide.FATHERLAND_FRONT: "Đại diện Ủy ban Mặt trận Tổ quốc",
    AttendeeSide.INVESTOR: "Đại diện chủ đầu tư",
    AttendeeSide.OTHER: "Thành phần khác",
}
#: Who signs the minutes besides the recorder and the chair, by the sides present.
SIGNING_SIDES = (
    (AttendeeSide.HOUSEHOLD, "Đại diện hộ gia đình", "Đại diện các hộ gia đình"),
    (AttendeeSide.FATHERLAND_FRONT, "Đại diện Ủy ban Mặt trận Tổ quốc", None),
    (AttendeeSide.INVESTOR, "Đại diện chủ đầu tư", None),
)


def _meeting_minutes(meeting: Meeting, fields_: IssueFields, user: User | None) -> Prepared:
    from clearance.services.meetings import snapshot as current_snapshot
    from clearance.services.minutes import minutes_from

    if not isinstance(meeting, Meeting):
        raise TypeError("minutes are made for a meeting")
    project = db.session.get(Project, meeting.project_id)
    assert project is not None
    first_case = meeting.households[0].case if meeting.households else None
    unit = issuing_unit_for(project, _load_case(first_case) if first_case is not None else None, user)
    revision = meeting.revisions[-1] if meeting.revisions else None
    # The minutes as recorded (the current revision): what was promised then, not what became of it.
    minutes = minutes_from(revision.snapshot if revision is not None else current_snapshot(meeting))
    case_ids = {h.case_id for h in minutes.households} | {c.case_id for c in minutes.commitments if c.case_id}
    cases = db.session.scalars(sa.select(Case).where(Case.id.in_(case_ids)).options(selectinload(Case.party))).all()
    household_names = {c.id: f"{addressee(c.party)} (hồ sơ {c.code})" for c in cases}
    held_at = minutes.held_at if minutes.held_at.tzinfo else minutes.held_at.replace(tzinfo=UTC)
    held_local = held_at.astimezone(LOCAL_TZ)
    summary = MINUTES_SUMMARIES[minutes.kind].format(project=project.name)
    group = len(minutes.households) > 1
    sides = dict(minutes.attendees)
    signatures: list[dict[str, Any]] = []
    for side, title, group_title in SIGNING_SIDES:
        if side not in sides and not (side == AttendeeSide.HOUSEHOLD and minutes.households):
            continue
        people = sides.get(side, [])
        name = people[0]["name"] if len(people) == 1 else ""
        if side == AttendeeSide.HOUSEHOLD:
            # One household signs by its head when present; a group signs an attached list.
            head = first_case.party.name if first_case is not None and not group else ""
            name = "" if group else (head if any(p["name"] == head for p in people) or not people else people[0]["name"])
        signatures.append({"title": group_title if group and group_title else title, "name": name})
    chair = "Phó Chủ tịch" if fields_.deputy else "Chủ tịch"
    # Rows of three; the last row is the recorder (left) and the chair (right), as on the form.
    signature_rows: list[list[dict[str, Any] | None]] = [
        list(signatures[start:start + 3]) + [None] * (3 - len(signatures[start:start + 3]))
        for start in range(0, len(signatures), 3)
    ]
    signature_rows.append([
        {"title": "Người ghi biên bản", "name": meeting.recorded_by}, None,
        {"title": "Chủ trì", "subtitle": f"{chair} {committee_name(unit)}", "name": fields_.signer_name},
    ])
    doc = {
        **issuer_doc(unit),
        "doc_type": "Biên bản",
        "summary": summary,
        "bases": [],
    }
    context = {
        "project": project, "meeting": meeting, "minutes": minutes, "committee": committee_name(unit), "unit": unit,
        "held_time": f"{held_local.hour:02d} giờ {held_local.minute:02d}", "held_date": date_words(held_local.date()),
        "group": group, "signature_rows": signature_rows, "household_names": household_names, "side_titles": SIDE_TITLES,
        "revision": revision, "side_label": label,
    }
    case = first_case if not group else None
    return Prepared(DocumentType.MEETING_MINUTES, project, unit, CODES[DocumentType.MEETING_MINUTES], summary, doc,
                    context, case=case, meeting=meeting)


def _plan_summary(project: Project, fields_: IssueFields, user: User | None) -> Prepared:
    if not isinstance(project, Project):
        raise TypeError("a plan summary is made for a project")
    unit = issuing_unit_for(project, None, user)
    from clearance.services.plans import project_plans

    rows = project_plans(project.id, LOCKED)
    if not rows:
        raise DocumentRefused(
            "plan", _("Dự án %(code)s chưa có phương án nào đã chốt hoặc đã phê duyệt: chưa lập được bảng tổng hợp.", code=project.code)
        )
    case_count = db.session.scalar(sa.select(sa.func.count(Case.id)).where(Case.project_id == project.id)) or 0
    totals = {name: sum(getattr(r, name) for r in rows) for name in ("land", "assets", "support", "resettlement", "deductions", "net")}
    summary = f"Tổng hợp phương án bồi thường, hỗ trợ, tái định cư dự án {project.name}"
    fixed = [LOCAL_GOVERNMENT_LAW, LAND_LAW, DECREE_88, DECREE_151]
    bases = [text for text, _token in fixed] + project_bases(project, unit, fields_.issued_on)
    doc = {
        **issuer_doc(unit),
        "doc_type": "Báo cáo",
        "summary": summary,
        "bases": bases,
        "recipients": [f"Chủ đầu tư: {project.investor}", "Tổ công tác bồi thường, giải phóng mặt bằng", "Lưu: VT"],
    }
    context = {
        "project": project, "committee": committee_name(unit), "unit": unit, "rows": rows, "totals": totals,
        "approved_count": sum(1 for r in rows if r.status == PlanStatus.APPROVED),
        "case_count": case_count, "net_words": amount_in_words(abs(totals["net"])),
        "status_label": label,
        "budget_pct": percent((Decimal(totals["net"]) * 100 / project.approved_budget).quantize(Decimal("0.1")))
        if project.approved_budget else None,
    }
    return Prepared(DocumentType.PLAN_SUMMARY, project, unit, CODES[DocumentType.PLAN_SUMMARY], summary, doc, context)


_BUILDERS = {
    DocumentType.COMPENSATION_NOTICE: _compensation_notice,
    DocumentType.RECOVERY_NOTICE: _recovery_notice,
    DocumentType.MEETING_MINUTES: _meeting_minutes,
    DocumentType.PLAN_SUMMARY: _plan_summary,
}


def prepare(doc_type: DocumentType | str, subject: Any, fields_: IssueFields | None = None, user: User | None = None) -> Prepared:
    """Everything the document says but its number: DocumentRefused when it cannot be made from
    ``subject`` (a Case or CompensationPlan for notices, a Meeting for minutes, the Project for the
    plan summary)."""
    doc_type = DocumentType(doc_type)
    fields_ = fields_ or IssueFields()
    prepared = _BUILDERS[doc_type](subject, fields_, user)
    prepared.fields = fields_
    return prepared


REQUIRED_MESSAGES = {
    "issued_on": _l("Ghi ngày ban hành văn bản."),
    "signer_name": _l("Ghi họ tên người ký văn bản."),
    "payment_on": _l("Ghi ngày chi trả tiền bồi thường, hỗ trợ."),
    "payment_place": _l("Ghi địa điểm chi trả tiền bồi thường, hỗ trợ."),
    "handover_on": _l("Ghi ngày bàn giao mặt bằng."),
    "survey_from": _l("Ghi ngày bắt đầu điều tra, khảo sát, đo đạc, kiểm đếm."),
    "survey_to": _l("Ghi ngày kết thúc điều tra, khảo sát, đo đạc, kiểm đếm."),
}
#: What issuing a document needs besides its date and signer (Art. 87(4) for the notice of
#: amounts; Art. 85 for the recovery notice's survey timetable).
REQUIRED_FIELDS = {
    DocumentType.COMPENSATION_NOTICE: ("payment_on", "payment_place", "handover_on"),
    DocumentType.RECOVERY_NOTICE: ("survey_from", "survey_to"),
    DocumentType.MEETING_MINUTES: (),
    DocumentType.PLAN_SUMMARY: (),
}


def check_fields(doc_type: DocumentType, fields_: IssueFields, today: date) -> None:
    """Refuse (DocumentRefused naming the field) what a document cannot be issued with."""
    for name in ("issued_on", "signer_name", *REQUIRED_FIELDS[doc_type]):
        value = getattr(fields_, name)
        if value is None or (isinstance(value, str) and not value.strip()):
            raise DocumentRefused(name, str(REQUIRED_MESSAGES[name]))
    assert fields_.issued_on is not None
    if fields_.issued_on > today:
        raise DocumentRefused("issued_on", _("Ngày ban hành không được sau hôm nay (%(today)s).", today=vndate(today)))
    if doc_type == DocumentType.COMPENSATION_NOTICE:
        assert fields_.payment_on is not None and fields_.handover_on is not None
        if fields_.payment_on < fields_.issued_on:
            raise DocumentRefused("payment_on", _("Ngày chi trả không được trước ngày ban hành thông báo."))
        if fields_.handover_on < fields_.payment_on:
            raise DocumentRefused("handover_on", _("Ngày bàn giao mặt bằng không được trước ngày chi trả."))
    if doc_type == DocumentType.RECOVERY_NOTICE:
        assert fields_.survey_from is not None and fields_.survey_to is not None
        if fields_.survey_to < fields_.survey_from:
            raise DocumentRefused("survey_to", _("Ngày kết thúc điều tra, kiểm đếm không được trước ngày bắt đầu."))


# -- rendering -------------------------------------------------------------------------------------


def draft_number(code: str) -> str:
    """'      /TB-UBND': the number left for the clerk to write."""
    return " " * DRAFT_NUMBER_SPACES + "/" + code


def render(prepared: Prepared, number_code: str | None = None, *, draft: bool = False) -> str:
    """The document as one HTML page (preview, PDF and register alike), its stylesheets inlined so
    the stored page prints the same for as long as it is kept. ``number_code`` None: the number
    left blank (a draft)."""
    fields_ = prepared.fields
    signer_title = "KT. Chủ tịch\nPhó Chủ tịch" if fields_.deputy else "Chủ tịch"
    doc = {
        **prepared.doc,
        "number_code": number_code if number_code is not None else draft_number(prepared.code),
        "issued_on": fields_.issued_on,
        "signer_title": signer_title,
        "signer_name": fields_.signer_name.strip() or None,
    }
    html = render_document_html(prepared.template, doc=doc, draft=draft, fields=fields_, when=when_words, **prepared.context)
    return inline_stylesheets(html)


def inline_stylesheets(html: str) -> str:
    """Replace each ``<link rel="stylesheet">`` to a /static file by its text in a <style>, its
    url()s made root-relative (they resolve the same from the PDF engine and from any page)."""

    def inline(match: re.Match[str]) -> str:
        href = match[1]
        path = local_path(urljoin(BASE_URL, urlsplit(href).path))
        if path is None or path.suffix != ".css":
            return match[0]
        base = urlsplit(href).path
        css = _CSS_URL.sub(lambda m: f'url("{_absolute(base, m[1])}")', Path(path).read_text(encoding="utf-8"))
        return f"<style>\n{css}</style>"

    return _STYLESHEET.sub(inline, html)


def _absolute(base: str, url: str) -> str:
    if re.match(r"^[a-z][a-z0-9+.-]*:", url, re.I) or url.startswith("/"):
        return url
    return urljoin(base, url)
