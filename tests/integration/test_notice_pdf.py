"""The printed documents as a clerk reads them, on both databases: each issued document's PDF read
back with poppler (pdftotext -raw, pdffonts, pdfinfo) — the household, the amount in digits and
in words, the national title, exactly as NFC Vietnamese; every font embedded; A4 (the plan
summary's table on A4 landscape pages)."""

from __future__ import annotations

import re
import subprocess
import unicodedata
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from clearance.models import LegalDocument
from clearance.notices import register
from clearance.notices.pdf import render_pdf
from clearance.workflow.statuses import DocumentType
from tests import factories as f
from tests.integration.test_document_register import ISSUED_ON, NET_DIGITS, NET_WORDS, issue_notice, notice_world

pytestmark = pytest.mark.usefixtures("vietnamese_request")

A4 = (595.276, 841.89)


def pdf_of(document_html: str, tmp_path: Path, name: str = "doc") -> Path:
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(render_pdf(document_html))
    return path


def text_of(path: Path, *args: str) -> str:
    return subprocess.run(["pdftotext", "-raw", *args, str(path), "-"], check=True, capture_output=True, text=True).stdout


def page_sizes(path: Path) -> list[tuple[float, float]]:
    out = subprocess.run(["pdfinfo", "-f", "1", "-l", "999", str(path)], check=True, capture_output=True, text=True).stdout
    return [(float(w), float(h)) for w, h in re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts", out)]


def fonts_of(path: Path) -> list[list[str]]:
    out = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True, text=True).stdout
    return [line.split() for line in out.splitlines()[2:] if line.strip()]


def one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text)


@pytest.fixture()
def world(db: Any) -> dict[str, Any]:
    return notice_world(households=2)


def test_the_compensation_notice_reads_back_with_the_household_and_the_amount_in_digits_and_words(world, tmp_path):
    document = issue_notice(world)
    path = pdf_of(register.reprint(document), tmp_path)
    text = text_of(path)
    flat = one_line(text)

    assert text == unicodedata.normalize("NFC", text)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "Độc lập - Tự do - Hạnh phúc" in text
    assert "Số: 1/TB-UBND" in text
    assert "Phường Hai Bà Trưng, ngày 20 tháng 11 năm 2026" in text
    assert "THÔNG BÁO" in text
    assert "Nguyễn Văn An" in text
    assert f"Tổng số tiền hộ được nhận: {NET_DIGITS} đồng" in flat
    assert NET_WORDS in flat
    assert "ỦY BAN NHÂN DÂN THÀNH PHỐ HÀ NỘI" in flat
    assert "TM. ỦY BAN NHÂN DÂN" in text and "CHỦ TỊCH" in text and "Nguyễn Văn Hùng" in text
    assert "08 giờ 00, ngày 25 tháng 11 năm 2026" in flat
    assert "Hội trường Ủy ban nhân dân phường Hai Bà Trưng" in flat
    assert "ngày 15 tháng 12 năm 2026" in flat
    assert "Căn cứ Luật Đất đai ngày 18 tháng 01 năm 2024;" in flat
    assert "Căn cứ Quyết định số 10/2026/QĐ-UBND của UBND Thành phố Hà Nội;" in flat  # from the policy set
    assert world["plans"][0].content_hash in flat.replace(" ", "")  # the version's hash in small print


def test_every_font_is_embedded_and_every_page_is_a4(world, tmp_path):
    path = pdf_of(register.reprint(issue_notice(world)), tmp_path)

    fonts = fonts_of(path)
    assert fonts
    assert all(row[-5] == "yes" for row in fonts), fonts  # the "emb" column
    assert all(abs(w - A4[0]) < 1 and abs(h - A4[1]) < 1 for w, h in page_sizes(path))


def test_the_recovery_notice_names_the_land_user_the_parcels_and_the_timetable(world, tmp_path):
    project = world["project"]
    project.legal_documents.append(LegalDocument(
        number="35/QĐ-TTg", issued_on=date(2023, 5, 9), issuer="Thủ tướng Chính phủ", summary="Quyết định về dự án trụ sở",
    ))
    document = register.issue(
        DocumentType.RECOVERY_NOTICE, world["cases"][1], issued_on=ISSUED_ON, signer_name="Nguyễn Văn Hùng",
        user=world["officer"], today=ISSUED_ON, survey_from=date(2026, 12, 1), survey_to=date(2026, 12, 10),
    )
    flat = one_line(text_of(pdf_of(register.reprint(document), tmp_path)))

    assert "Về việc thu hồi đất để thực hiện dự án Trụ sở làm việc số 44 Yết Kiêu" in flat
    assert "Kính gửi: Hộ ông (bà) Trần Thị Bình." in flat
    assert "Căn cứ Quyết định số 35/QĐ-TTg ngày 09 tháng 5 năm 2023 của Thủ tướng Chính phủ;" in flat
    assert "từ ngày 01 tháng 12 năm 2026 đến ngày 10 tháng 12 năm 2026" in flat
    assert "trước ngày 31 tháng 12 năm 2026" in flat
    assert "Thông báo này có hiệu lực 12 tháng" in flat
    assert re.search(r"1 12 42 .* ODT .* 11,00", flat)  # tờ 12, thửa 42, 11 m² recovered


def test_the_minutes_of_a_dialogue_read_back_with_sides_concerns_and_promises(world, db, tmp_path):
    case = world["cases"][0]
    meeting = f.meeting(
        world["project"], [case], kind="dialogue", user_=world["officer"], positions={case.id: "partly"},
        attendees=[
            {"side": "official", "name": "Trần Văn Cán", "role": "Tổ trưởng tổ GPMB"},
            {"side": "household", "name": "Nguyễn Văn An", "role": "Chủ hộ"},
            {"side": "fatherland_front", "name": "Nguyễn Thị Bích Ngọc", "role": "Chủ tịch Ủy ban MTTQ phường"},
        ],
        concerns=[{"case_id": case.id, "category": "price", "words": "Giá đất thấp hơn giá thị trường", "answer": "Giá theo bảng giá 2026"}],
        commitments=[{"case_id": case.id, "what": "Đo đạc bổ sung phần công trình phụ", "responsible": "Hoàng Văn Thịnh",
                      "due_on": date(2026, 12, 5)}],
    )
    document = register.issue(DocumentType.MEETING_MINUTES, meeting, issued_on=ISSUED_ON, signer_name="Đỗ Quang Minh",
                              user=world["officer"], today=ISSUED_ON)
    flat = one_line(text_of(pdf_of(register.reprint(document), tmp_path)))

    assert "Số: 1/BB-UBND" in flat and "BIÊN BẢN" in flat
    assert "Đối thoại với người có đất thu hồi" in flat
    assert "Đại diện Ủy ban Mặt trận Tổ quốc" in flat and "Nguyễn Thị Bích Ngọc" in flat
    assert "Giá đất thấp hơn giá thị trường" in flat and "Trả lời: Giá theo bảng giá 2026" in flat
    assert "Ý kiến của hộ sau buổi làm việc: Đồng ý một phần" in flat
    assert "Đo đạc bổ sung phần công trình phụ" in flat and "05/12/2026" in flat
    assert "NGƯỜI GHI BIÊN BẢN" in flat and "CHỦ TRÌ" in flat and "Đỗ Quang Minh" in flat


def test_the_plan_summary_puts_its_table_on_landscape_pages(world, tmp_path):
    document = register.issue(DocumentType.PLAN_SUMMARY, world["project"], issued_on=ISSUED_ON, signer_name="Nguyễn Văn Hùng",
                              user=world["officer"], today=ISSUED_ON)
    path = pdf_of(register.reprint(document), tmp_path)
    flat = one_line(text_of(path))
    sizes = page_sizes(path)

    assert document.number_code == "1/BC-UBND"
    assert "BÁO CÁO" in flat and "BẢNG TỔNG HỢP PHƯƠNG ÁN BỒI THƯỜNG, HỖ TRỢ, TÁI ĐỊNH CƯ" in flat
    assert "Kèm theo Báo cáo số 1/BC-UBND" in flat
    assert "YK-001" in flat and "YK-002" in flat and NET_DIGITS in flat
    # 10 + 11 m² × 123.456.789 đ = 2.592.592.569 → rounded to the 10 đồng: 1.234.567.890 + 1.358.024.680
    assert "2.592.592.570" in flat
    assert abs(sizes[0][0] - A4[0]) < 1 and abs(sizes[0][1] - A4[1]) < 1
    assert abs(sizes[-1][0] - A4[1]) < 1 and abs(sizes[-1][1] - A4[0]) < 1  # landscape
