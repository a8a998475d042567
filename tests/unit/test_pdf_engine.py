"""The printing foundation: a Decree 30/2020 document through the base template to PDF, read back
with poppler (pdftotext, pdffonts, pdfinfo) as a clerk would see it; batches of many notices in one
PDF, each numbering its own pages; nothing fetched from the network.

No database: the app is built on an in-memory SQLite only for its templates and translations.
"""

from __future__ import annotations

import re
import socket
import subprocess
import unicodedata
from datetime import date
from io import BytesIO
from pathlib import Path

import pytest
from flask import render_template_string
from flask_babel import refresh
from jinja2 import ChoiceLoader, DictLoader

from clearance.notices.pdf import (
    combine_documents,
    complete_doc,
    font_file,
    local_path,
    render_batch,
    render_document_html,
    render_pdf,
)
from tests.conftest import make_app

# A notice as the document helpers will write them: it extends the base and fills `body`.
# `paragraphs` makes it two pages long.
TEST_NOTICE = """{% extends "print/_document.html" %}
{% block head_extra %}<style>.test-note { font-size: 12pt; }</style>{% endblock %}
{% block screen_toolbar %}<nav class="screen-only">Thanh công cụ xem trước</nav>{% endblock %}
{% block body %}
<p>Ủy ban nhân dân phường Hai Bà Trưng thông báo tới ông (bà) <b>{{ household }}</b> về việc thu hồi
thửa đất số 12, tờ bản đồ số 7 để thực hiện dự án trụ sở làm việc 44 Yết Kiêu.</p>
<p>{{ _('Diện tích thu hồi') }}: {{ area(recovered) }}.</p>
<p>Tổng số tiền bồi thường, hỗ trợ: {{ money(amount, ' đồng') }}.</p>
<p class="amount-words">(Bằng chữ: {{ amount_in_words(amount) }}.)</p>
{% for i in range(paragraphs) %}
<p>Đề nghị ông (bà) phối hợp với Tổ công tác trong quá trình điều tra, khảo sát, đo đạc, kiểm đếm
và nhận tiền bồi thường, hỗ trợ tại trụ sở Ủy ban nhân dân phường trong giờ hành chính.</p>
{% endfor %}
<p class="test-note">Hết nội dung thông báo gửi {{ household }}.</p>
{% endblock %}
"""

HOUSEHOLDS = ("Nguyễn Thị Ánh Tuyết", "Đỗ Văn Hùng", "Phạm Quỳnh Hương")


def notice_doc(number: int = 94, **changes: object) -> dict:
    doc = {
        "issuing_body": "Ủy ban nhân dân\nphường Hai Bà Trưng",
        "number_code": f"{number}/TB-UBND",
        "place": "Phường Hai Bà Trưng",
        "issued_on": date(2026, 1, 5),
        "doc_type": "Thông báo",
        "summary": "Về việc thu hồi đất để thực hiện dự án 44 Yết Kiêu",
        "bases": ["Căn cứ Luật Đất đai ngày 18 tháng 01 năm 2024;"],
        "signer_authority": "TM. Ủy ban nhân dân",
        "signer_title": "Chủ tịch",
        "signer_name": "Trần Thị Hồng Nhung",
        "recipients": ["Như trên", "Ban Bồi thường, hỗ trợ và tái định cư;", "Lưu: VT, BBT."],
    }
    doc.update(changes)
    return doc


@pytest.fixture(scope="module")
def print_app():
    app = make_app("sqlite://")
    app.jinja_loader = ChoiceLoader([DictLoader({"print/_test_notice.html": TEST_NOTICE}), app.jinja_loader])
    return app


def notice_html(app, household: str, number: int = 94, paragraphs: int = 14) -> str:
    with app.app_context():
        return render_document_html(
            "print/_test_notice.html", doc=notice_doc(number, addressees=[f"Ông (bà) {household}"]),
            household=household, recovered=123.45, amount=1_234_567_890, paragraphs=paragraphs,
        )


def pdf_text(pdf: bytes, page: int | None = None, *, top_margin: bool = False) -> str:
    """What pdftotext reads, whitespace collapsed; ``top_margin``: only the top 20 mm of the page."""
    args = ["pdftotext", "-raw"]
    if page is not None:
        args += ["-f", str(page), "-l", str(page)]
    if top_margin:
        args += ["-x", "0", "-y", "0", "-W", "596", "-H", "56"]
    text = subprocess.run([*args, "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    return " ".join(text.split())


def pdf_info(pdf: bytes) -> dict[str, str]:
    out = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    return {key.strip(): value.strip() for key, _, value in (line.partition(":") for line in out.splitlines())}


@pytest.fixture(scope="module")
def notice_pdf(print_app) -> bytes:
    return render_pdf(notice_html(print_app, HOUSEHOLDS[0]))


@pytest.fixture(scope="module")
def batch_htmls(print_app) -> list[str]:
    return [notice_html(print_app, name, number=95 + i) for i, name in enumerate(HOUSEHOLDS)]


@pytest.fixture(scope="module")
def batch_pdf(batch_htmls) -> bytes:
    return render_batch(batch_htmls)


def test_a_notice_reads_back_with_the_national_title_and_vietnamese_names_as_nfc(notice_pdf):
    text = pdf_text(notice_pdf)
    assert unicodedata.is_normalized("NFC", text)
    for expected in (
        "ỦY BAN NHÂN DÂN PHƯỜNG HAI BÀ TRƯNG",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Số: 94/TB-UBND",
        "Phường Hai Bà Trưng, ngày 05 tháng 01 năm 2026",
        "THÔNG BÁO Về việc thu hồi đất để thực hiện dự án 44 Yết Kiêu",
        "Kính gửi: Ông (bà) Nguyễn Thị Ánh Tuyết.",
        "Căn cứ Luật Đất đai ngày 18 tháng 01 năm 2024;",
        "1.234.567.890 đồng",
        "Bằng chữ: Một tỷ hai trăm ba mươi tư triệu năm trăm sáu mươi bảy nghìn tám trăm chín mươi đồng.",
        "Nơi nhận: - Như trên; - Ban Bồi thường, hỗ trợ và tái định cư; - Lưu: VT, BBT.",
        "TM. ỦY BAN NHÂN DÂN CHỦ TỊCH",
        "Trần Thị Hồng Nhung",
    ):
        assert expected in text
    assert "Thanh công cụ xem trước" not in text  # the preview's toolbar is not printed


def test_the_pdf_is_a4_with_the_document_as_its_title(notice_pdf):
    info = pdf_info(notice_pdf)
    assert info["Pages"] == "2"
    width, height = (float(v) for v in re.findall(r"[\d.]+", info["Page size"])[:2])
    assert (round(width, 2), round(height, 2)) == (595.28, 841.89)
    assert info["Title"] == "Thông báo 94/TB-UBND: Về việc thu hồi đất để thực hiện dự án 44 Yết Kiêu"


def test_every_font_is_embedded_and_is_liberation_serif_2(notice_pdf):
    out = subprocess.run(["pdffonts", "-"], input=notice_pdf, capture_output=True, check=True).stdout.decode()
    rows = [line.split() for line in out.splitlines()[2:] if line.strip()]
    assert len(rows) == 4  # regular, bold, italic, bold italic
    for row in rows:
        name, embedded = row[0], row[-5]
        assert embedded == "yes", row
        assert re.fullmatch(r"[A-Z]{6}\+GPMB-Serif(-Bold)?(-Italic)?", name), row  # no DejaVu fallback glyphs

    # Our family name hides which file was used: the embedded programs must be Liberation Serif 2,
    # not the 1.07 files without Vietnamese glyphs.
    from fontTools.ttLib import TTFont
    from pypdf import PdfReader

    for page in PdfReader(BytesIO(notice_pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            descriptor = font.get_object()["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
            program = TTFont(BytesIO(descriptor["/FontFile2"].get_object().get_data()))
            assert program["name"].getDebugName(1) == "Liberation Serif"
            assert program["name"].getDebugName(5).startswith("Version 2.")


def test_the_first_page_has_no_number_and_the_second_shows_2(notice_pdf):
    assert pdf_text(notice_pdf, 1, top_margin=True) == ""
    assert pdf_text(notice_pdf, 2, top_margin=True) == "2"


def test_a_batch_of_three_notices_restarts_the_numbering_for_each(batch_pdf):
    assert pdf_info(batch_pdf)["Pages"] == "6"
    assert [pdf_text(batch_pdf, page, top_margin=True) for page in range(1, 7)] == ["", "2", "", "2", "", "2"]
    for index, household in enumerate(HOUSEHOLDS):
        first_page = pdf_text(batch_pdf, 2 * index + 1)
        assert f"Số: {95 + index}/TB-UBND" in first_page
        assert f"Kính gửi: Ông (bà) {household}." in first_page
        assert f"Hết nội dung thông báo gửi {household}." in pdf_text(batch_pdf, 2 * index + 2)


def test_two_workers_give_the_same_pdf_as_one(batch_htmls, batch_pdf):
    seen = []
    parallel = render_batch(batch_htmls, workers=2, progress=lambda done, total: seen.append((done, total)))
    assert pdf_info(parallel)["Pages"] == "6"
    assert pdf_text(parallel) == pdf_text(batch_pdf)
    assert seen[-1] == (3, 3) and [done for done, _ in seen] == sorted(done for done, _ in seen)
    assert pdf_info(parallel)["Title"] == pdf_info(batch_pdf)["Title"]


def test_small_chunks_merge_in_order_and_report_progress_per_chunk(batch_htmls):
    seen = []
    merged = render_batch(batch_htmls, chunk_size=1, title="Thông báo thu hồi đất — 3 hộ",
                          progress=lambda done, total: seen.append((done, total)))
    assert seen == [(1, 3), (2, 3), (3, 3)]
    assert pdf_info(merged)["Title"] == "Thông báo thu hồi đất — 3 hộ"
    assert [pdf_text(merged, page, top_margin=True) for page in range(1, 7)] == ["", "2", "", "2", "", "2"]
    assert HOUSEHOLDS[2] in pdf_text(merged, 5)


def test_the_batch_preview_is_one_page_with_one_stylesheet_and_every_sheet(print_app, batch_htmls):
    with print_app.test_request_context("/"):
        in_request = notice_html(print_app, HOUSEHOLDS[0])
    assert '<link rel="stylesheet" href="/static/print/decree30.css">' in in_request
    preview = combine_documents(batch_htmls, "Xem trước")
    assert preview.count('<link rel="stylesheet"') == 1
    assert preview.count(".test-note") == 1
    assert preview.count('<article class="document">') == 3
    assert "Thanh công cụ xem trước" not in preview
    assert "<title>Xem trước</title>" in preview
    with pytest.raises(ValueError, match="print/_document.html"):
        combine_documents(["<html><body>not a document</body></html>"])


def test_a_document_is_in_vietnamese_even_for_a_user_reading_english(print_app):
    with print_app.test_request_context("/?lang=en"):
        refresh()
        assert render_template_string("{{ _('Diện tích thu hồi') }}") == "Recovered area"
        page = render_document_html(
            "print/_test_notice.html", doc=notice_doc(), household=HOUSEHOLDS[1],
            recovered=10, amount=5, paragraphs=0,
        )
        assert "Diện tích thu hồi: 10,00 m²" in page
        assert render_template_string("{{ _('Diện tích thu hồi') }}") == "Recovered area"


def test_a_doc_without_issuing_body_or_type_is_refused_by_name():
    with pytest.raises(ValueError, match="issuing_body, place, doc_type"):
        complete_doc({"number_code": "1/TB-UBND"})
    assert complete_doc(notice_doc(issued_on=None))["date_line"].startswith("Phường Hai Bà Trưng, ngày .....")


def test_only_the_static_folder_and_whitelisted_fonts_can_be_read():
    assert local_path("file:///static/print/decree30.css").name == "decree30.css"
    assert local_path("file:///gpmb/static/print/decree30.css").name == "decree30.css"  # app under a prefix
    assert local_path("file:///print/fonts/LiberationSerif-Bold.ttf") == font_file("LiberationSerif-Bold.ttf")
    for refused in (
        "http://example.com/static/print/decree30.css",
        "https://fonts.example.com/a.ttf",
        "file:///etc/passwd",
        "file:///static/../../../etc/passwd",
        "file:///static/%2e%2e/config.py",
        "file:///usr/share/fonts/truetype/liberation/LiberationSerif-Regular.ttf",  # 1.07: no Vietnamese
        "file:///print/fonts/..%2F..%2Fetc%2Fpasswd",
    ):
        assert local_path(refused) is None, refused
    with pytest.raises(KeyError):
        font_file("DejaVuSans.ttf")
    assert font_file("LiberationSerif-Regular.ttf") == Path("/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf")


def test_rendering_never_opens_a_network_connection(monkeypatch, caplog):
    attempts = []
    monkeypatch.setattr(socket.socket, "connect", lambda self, address: attempts.append(address))
    page = combine_documents([
        '<!--gpmb:head--><link rel="stylesheet" href="/static/print/decree30.css">'
        '<link rel="stylesheet" href="https://cdn.example.com/x.css"><!--/gpmb:head-->'
        '<!--gpmb:sheet--><article class="document"><p>Ảnh: <img src="http://192.0.2.1/x.png"></p></article>'
        "<!--/gpmb:sheet-->"
    ], "Thử")
    with caplog.at_level("WARNING", logger="weasyprint"):
        pdf = render_pdf(page)
    assert attempts == []
    assert "Ảnh:" in pdf_text(pdf)
    assert "refused" in caplog.text
