"""Printing a project's notices in one go, on both databases: every case with a frozen plan gets a
numbered notice (issued once, reprinted after), all in one PDF in which each notice starts on a
page without a number and numbers its own following pages; a print job runs to its file, or says
why it stopped."""

from __future__ import annotations

import re
import subprocess
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from clearance.models import IssuedDocument, PrintJob
from clearance.notices import jobs, register
from clearance.notices.documents import DocumentRefused, IssueFields
from clearance.workflow.statuses import DocumentType, PrintJobStatus
from tests.integration.test_document_register import HOUSEHOLDS, ISSUED_ON, NOTICE_FIELDS, issue_notice, notice_world

pytestmark = pytest.mark.usefixtures("vietnamese_request")

FIELDS = IssueFields(issued_on=ISSUED_ON, signer_name="Nguyễn Văn Hùng", **NOTICE_FIELDS)


@pytest.fixture()
def world(db: Any, app: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    monkeypatch.setitem(app.config, "PRINT_WORKERS", 1)
    monkeypatch.setitem(app.config, "PRINT_JOB_DIR", str(tmp_path / "print-jobs"))
    # Three households with frozen plans and a fourth whose plan is still a draft.
    return notice_world(households=4, frozen=3)


def pages_of(pdf: bytes, tmp_path: Path) -> list[tuple[str, str]]:
    """Each page as (its top margin's text: the page number if any, its whole text)."""
    path = tmp_path / "batch.pdf"
    path.write_bytes(pdf)
    count = len(PdfReader(BytesIO(pdf)).pages)
    pages = []
    for number in range(1, count + 1):
        # The top 20 mm of an A4 page (57 pt): where Decree 30 puts the page number.
        top = subprocess.run(["pdftotext", "-f", str(number), "-l", str(number), "-x", "0", "-y", "0", "-W", "596", "-H", "50",
                              "-raw", str(path), "-"], check=True, capture_output=True, text=True).stdout.strip()
        whole = subprocess.run(["pdftotext", "-f", str(number), "-l", str(number), "-raw", str(path), "-"],
                               check=True, capture_output=True, text=True).stdout
        pages.append((top, whole))
    return pages


def test_three_notices_in_one_pdf_each_starting_on_an_unnumbered_page(world, db, tmp_path):
    batch = jobs.print_batch(world["project"], DocumentType.COMPENSATION_NOTICE, None, FIELDS, user=world["officer"],
                             today=ISSUED_ON)

    assert [d.number_code for d in batch.documents] == ["1/TB-UBND", "2/TB-UBND", "3/TB-UBND"]
    assert (batch.issued, batch.reused) == (3, 0)
    pages = pages_of(batch.pdf, tmp_path)
    assert len(pages) > 3  # notices of more than one page: their page numbers are checked below
    firsts = [i for i, (_top, text) in enumerate(pages) if "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text]
    assert len(firsts) == 3 and firsts[0] == 0
    for start, end in zip(firsts, [*firsts[1:], len(pages)], strict=True):
        numbers = [top for top, _text in pages[start:end]]
        assert numbers[0] == ""  # the first page of a document shows no number
        assert numbers[1:] == [str(n) for n in range(2, end - start + 1)]  # then 2, 3, … of its own
    owners = [next(name for name in HOUSEHOLDS if name in pages[i][1]) for i in firsts]
    assert owners == list(HOUSEHOLDS[:3])  # in case code order; the draft plan's household is left out
    assert "Số: 2/TB-UBND" in pages[firsts[1]][1]


def test_a_second_batch_reprints_what_was_issued_and_issues_only_what_is_new(world, db, tmp_path):
    first = issue_notice(world, world["cases"][1])  # issued alone, before the batch
    batch = jobs.print_batch(world["project"], DocumentType.COMPENSATION_NOTICE, None, FIELDS, user=world["officer"],
                             today=ISSUED_ON)
    assert (batch.issued, batch.reused) == (2, 1)
    assert batch.documents[1].id == first.id
    assert [d.number_code for d in batch.documents] == ["2/TB-UBND", "1/TB-UBND", "3/TB-UBND"]

    again = jobs.print_batch(world["project"], DocumentType.COMPENSATION_NOTICE, None, FIELDS, user=world["officer"],
                             today=ISSUED_ON)
    assert (again.issued, again.reused) == (0, 3)
    assert [d.html for d in again.documents] == [d.html for d in batch.documents]
    assert db.session.scalar(sa.select(sa.func.count(IssuedDocument.id))) == 3


def test_a_chosen_case_without_a_frozen_plan_stops_the_batch_and_is_named(world, db):
    draft_case = world["cases"][3]
    with pytest.raises(DocumentRefused, match=r"YK-004 \(Phạm Thị Dung\) chưa có phương án đã chốt"):
        jobs.print_batch(world["project"], DocumentType.COMPENSATION_NOTICE, [draft_case.id], FIELDS, user=world["officer"],
                         today=ISSUED_ON)
    with pytest.raises(DocumentRefused, match="Ghi ngày chi trả"):
        jobs.print_batch(world["project"], DocumentType.COMPENSATION_NOTICE, None,
                         IssueFields(issued_on=ISSUED_ON, signer_name="Nguyễn Văn Hùng"), user=world["officer"], today=ISSUED_ON)


def test_recovery_notices_go_to_every_case_of_the_project(world, db, tmp_path):
    fields_ = IssueFields(issued_on=ISSUED_ON, signer_name="Nguyễn Văn Hùng", survey_from=ISSUED_ON, survey_to=ISSUED_ON)
    batch = jobs.print_batch(world["project"], DocumentType.RECOVERY_NOTICE, None, fields_, user=world["officer"], today=ISSUED_ON)

    assert len(batch.documents) == 4
    assert {d.case_id for d in batch.documents} == {c.id for c in world["cases"]}
    texts = [text for _top, text in pages_of(batch.pdf, tmp_path)]
    assert sum("Về việc thu hồi đất để thực hiện dự án" in re.sub(r"\s+", " ", t) for t in texts) == 4


def test_a_print_job_issues_renders_and_leaves_its_file(world, db, tmp_path):
    job = jobs.start_job(world["project"], DocumentType.COMPENSATION_NOTICE, None, FIELDS, world["officer"])
    db.session.commit()
    assert (job.status, job.total, job.done) == (PrintJobStatus.QUEUED, 6, 0)

    jobs.run_job(job.id)

    db.session.expire_all()
    job = db.session.get(PrintJob, job.id)
    assert job.status == PrintJobStatus.DONE and job.done == job.total == 6 and job.error is None
    path = Path(job.file_path)
    assert path.parent == tmp_path / "print-jobs" and path.name == f"{job.id}.pdf"
    assert path.read_bytes().startswith(b"%PDF")
    state = jobs.job_state(job)
    assert state["ready"] and state["percent"] == 100 and state["stage"] == "Đã xong: 3 văn bản"
    assert db.session.scalar(sa.select(sa.func.count(IssuedDocument.id))) == 3
    jobs.run_job(job.id)  # a finished job is not run again
    assert db.session.scalar(sa.select(sa.func.count(IssuedDocument.id))) == 3


def test_a_print_job_that_cannot_finish_says_why(world, db):
    job = jobs.start_job(world["project"], DocumentType.COMPENSATION_NOTICE, None,
                         IssueFields(issued_on=ISSUED_ON, signer_name="Nguyễn Văn Hùng"), world["officer"])
    db.session.commit()

    jobs.run_job(job.id)

    db.session.expire_all()
    job = db.session.get(PrintJob, job.id)
    assert job.status == PrintJobStatus.FAILED
    assert job.error == "Ghi ngày chi trả tiền bồi thường, hỗ trợ."
    assert job.file_path is None and job.finished_at is not None
    assert jobs.job_state(job)["finished"] and not jobs.job_state(job)["ready"]


def test_a_viewer_cannot_start_a_print_job(world):
    with pytest.raises(DocumentRefused, match="chỉ xem"):
        jobs.start_job(world["project"], DocumentType.COMPENSATION_NOTICE, None, FIELDS, world["viewer"])
    assert register.current_notices(DocumentType.COMPENSATION_NOTICE, plans={}) == {}
