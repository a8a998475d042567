"""Documents in the browser's shoes: an officer previews a notice (a numberless DỰ THẢO), issues it
from the case with the time and place of payment, finds it in the register under its number and
opens it exactly as issued (HTML and PDF); a viewer reads but cannot issue; a team lead cancels
with a reason and the document stays. A batch runs as a print job inline (both databases) and,
once, through the background thread on a SpatiaLite file of its own."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from clearance.models import IssuedDocument, PrintJob
from clearance.workflow.statuses import PrintJobStatus, Role
from tests import factories as f
from tests.conftest import make_app, post_form, sign_in
from tests.integration.test_document_register import notice_world

ISSUE = {
    "issued_on": "20/11/2026", "signer_name": "Nguyễn Văn Hùng", "payment_on": "25/11/2026", "payment_time": "08:00",
    "payment_place": "Hội trường Ủy ban nhân dân phường Hai Bà Trưng", "handover_on": "15/12/2026",
}


def urls(world: dict[str, Any], case: Any = None) -> dict[str, str]:
    case = case or world["cases"][0]
    base = f"/projects/{world['project'].code}"
    return {
        "register": f"{base}/documents",
        "preview": f"{base}/cases/{case.id}/documents/compensation_notice/preview",
        "issue": f"{base}/cases/{case.id}/documents/compensation_notice/issue",
        "batch": f"{base}/documents/batch",
    }


@pytest.fixture()
def world(db: Any, app: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    monkeypatch.setitem(app.config, "PRINT_WORKERS", 1)
    monkeypatch.setitem(app.config, "PRINT_JOB_DIR", str(tmp_path / "print-jobs"))
    monkeypatch.setitem(app.config, "PRINT_JOBS_INLINE", True)  # the test's data is not committed: no thread sees it
    built = notice_world(households=3, frozen=2)
    db.session.commit()
    return built


def test_an_officer_previews_then_issues_a_notice_and_finds_it_in_the_register(client, world):
    sign_in(client, "canbo")
    u = urls(world)

    preview = client.get(u["preview"])
    assert preview.status_code == 200
    page = preview.get_data(as_text=True)
    assert "DỰ THẢO" in page and "Số:       /TB-UBND" in page and "Hộ ông (bà) Nguyễn Văn An" in page

    form = client.get(u["issue"])
    assert form.status_code == 200 and "Ban hành và cấp số" in form.get_data(as_text=True)
    issued = post_form(client, u["issue"], {**ISSUE, "number": "94"})
    assert issued.status_code == 302 and "/documents#doc-" in issued.headers["Location"]

    register = client.get(u["register"]).get_data(as_text=True)
    assert "94/TB-UBND" in register and "Đã ban hành" in register and "YK-001" in register
    assert "Đã ban hành thông báo bồi thường, hỗ trợ, tái định cư số 94/TB-UBND." in register
    second = post_form(client, urls(world, world["cases"][1])["issue"], ISSUE)
    assert second.status_code == 302
    assert "95/TB-UBND" in client.get(u["register"]).get_data(as_text=True)


def test_the_issued_document_is_served_exactly_as_stored_and_as_pdf(client, world, db):
    sign_in(client, "canbo")
    post_form(client, urls(world)["issue"], ISSUE)
    document = db.session.scalar(sa.select(IssuedDocument))

    shown = client.get(f"/documents/{document.id}")
    assert shown.status_code == 200 and shown.mimetype == "text/html"
    assert shown.data == document.html.encode("utf-8")
    pdf = client.get(f"/documents/{document.id}.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")


def test_a_missing_field_is_named_under_it_and_nothing_is_issued(client, world, db):
    sign_in(client, "canbo")
    refused = post_form(client, urls(world)["issue"], {**ISSUE, "payment_place": ""}, form_page=urls(world)["issue"])

    assert refused.status_code == 422
    assert "Ghi địa điểm chi trả tiền bồi thường, hỗ trợ." in refused.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(IssuedDocument.id))) == 0


def test_a_draft_plan_has_no_notice_to_preview_or_issue(client, world):
    sign_in(client, "canbo")
    u = urls(world, world["cases"][2])

    preview = client.get(u["preview"], follow_redirects=True)
    assert "YK-003 (Lê Văn Cường) chưa có phương án đã chốt" in preview.get_data(as_text=True)
    form = client.get(u["issue"]).get_data(as_text=True)
    assert "YK-003 (Lê Văn Cường) chưa có phương án đã chốt" in form


def test_a_viewer_reads_and_previews_but_cannot_issue_cancel_or_print(client, world, db):
    sign_in(client, "canbo")
    post_form(client, urls(world)["issue"], ISSUE)
    document = db.session.scalar(sa.select(IssuedDocument))
    post_form(client, "/logout", {}, form_page=urls(world)["register"])
    sign_in(client, "xem")
    u = urls(world)

    assert client.get(u["register"]).status_code == 200
    assert client.get(u["preview"]).status_code == 200
    assert client.get(f"/documents/{document.id}").status_code == 200
    assert client.get(u["issue"]).status_code == 403
    assert post_form(client, u["issue"], ISSUE, form_page=u["register"]).status_code == 403
    assert post_form(client, u["batch"], {"doc_type": "compensation_notice", **ISSUE}, form_page=u["register"]).status_code == 403
    cancel = f"/projects/{world['project'].code}/documents/{document.id}/cancel"
    assert post_form(client, cancel, {"reason": "Thử"}, form_page=u["register"]).status_code == 403
    assert db.session.scalar(sa.select(sa.func.count(IssuedDocument.id))) == 1


def test_a_lead_cancels_with_a_reason_and_the_document_stays(client, world, db):
    sign_in(client, "canbo")
    post_form(client, urls(world)["issue"], ISSUE)
    document = db.session.scalar(sa.select(IssuedDocument))
    cancel = f"/projects/{world['project'].code}/documents/{document.id}/cancel"
    assert "Hủy văn bản" not in client.get(urls(world)["register"]).get_data(as_text=True)
    assert post_form(client, cancel, {"reason": "Ghi sai"}, form_page=urls(world)["register"]).status_code == 403
    post_form(client, "/logout", {}, form_page=urls(world)["register"])
    sign_in(client, "truongnhom")

    empty = post_form(client, cancel, {"reason": ""}, form_page=urls(world)["register"])
    assert "Ghi lý do hủy văn bản." in client.get(empty.headers["Location"]).get_data(as_text=True)
    done = post_form(client, cancel, {"reason": "Ghi sai ngày chi trả"}, form_page=urls(world)["register"])
    assert done.status_code == 302

    register = client.get(urls(world)["register"]).get_data(as_text=True)
    assert "Đã hủy" in register and "Ghi sai ngày chi trả" in register and "1/TB-UBND" in register
    db.session.expire_all()
    kept = db.session.get(IssuedDocument, document.id)
    assert kept.cancel_reason == "Ghi sai ngày chi trả"
    assert client.get(f"/documents/{document.id}").data == kept.html.encode("utf-8")  # printed as issued


def test_another_wards_officer_sees_no_document(client, world, db):
    sign_in(client, "canbo")
    post_form(client, urls(world)["issue"], ISSUE)
    document = db.session.scalar(sa.select(IssuedDocument))
    f.user("canbo_cuanam", Role.OFFICER, f.unit("Phường Cửa Nam"))
    db.session.commit()
    post_form(client, "/logout", {}, form_page=urls(world)["register"])
    sign_in(client, "canbo_cuanam")

    assert client.get(f"/documents/{document.id}").status_code == 404
    assert client.get(f"/documents/{document.id}.pdf").status_code == 404
    assert client.get(urls(world)["register"]).status_code == 404


def test_a_batch_prints_as_a_job_and_the_page_offers_the_file(client, world, db):
    sign_in(client, "canbo")
    u = urls(world)
    started = post_form(client, u["batch"], {"doc_type": "compensation_notice", **ISSUE}, form_page=u["register"])

    assert started.status_code == 302
    job_url = started.headers["Location"]
    assert re.search(r"/documents/jobs/\d+$", job_url)
    state = client.get(job_url + ".json").get_json()
    assert state["status"] == "done" and state["percent"] == 100 and state["download_url"]
    page = client.get(job_url).get_data(as_text=True)
    assert "Tải file PDF" in page and "print-job.js" in page
    pdf = client.get(state["download_url"])
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    pdf.close()
    register = client.get(u["register"]).get_data(as_text=True)
    assert "1/TB-UBND" in register and "2/TB-UBND" in register and "3/TB-UBND" not in register


def test_a_batch_without_payment_details_is_refused_on_the_form(client, world, db):
    sign_in(client, "canbo")
    u = urls(world)
    refused = post_form(client, u["batch"], {"doc_type": "compensation_notice", "issued_on": "20/11/2026",
                                             "signer_name": "Nguyễn Văn Hùng"}, form_page=u["register"])

    assert refused.status_code == 422
    assert "Ghi ngày chi trả tiền bồi thường, hỗ trợ." in refused.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(PrintJob.id))) == 0


def test_a_batch_runs_in_the_background_thread_and_the_page_follows_it(tmp_path_factory):
    """The real path, once: a SpatiaLite file of its own whose data is committed, the request
    hands the job to the worker thread, the JSON endpoint shows it through to the file."""
    from flask_migrate import upgrade

    from clearance.extensions import db as _db

    folder = tmp_path_factory.mktemp("thread-print")
    app = make_app(f"sqlite:///{folder / 'print.sqlite'}", PRINT_WORKERS=1, PRINT_JOB_DIR=str(folder / "jobs"),
                   PRINT_JOBS_INLINE=False)
    try:
        with app.app_context():
            upgrade()
            with app.test_request_context():
                world = notice_world(households=2)
                _db.session.commit()
                code = world["project"].code
            _db.session.remove()
        client = app.test_client()
        sign_in(client, "canbo")
        register_url = f"/projects/{code}/documents"
        started = post_form(client, f"/projects/{code}/documents/batch", {"doc_type": "compensation_notice", **ISSUE},
                            form_page=register_url)
        assert started.status_code == 302
        job_url = started.headers["Location"]
        seen = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            state = client.get(job_url + ".json").get_json()
            seen.append(state["status"])
            if state["finished"]:
                break
            time.sleep(0.2)
        assert state["status"] == "done", state
        pdf = client.get(state["download_url"])
        assert pdf.data.startswith(b"%PDF")
        pdf.close()
        assert set(seen) <= {"queued", "running", "done"}
        with app.app_context():
            job = _db.session.scalar(sa.select(PrintJob))
            assert job.status == PrintJobStatus.DONE and Path(job.file_path).parent == folder / "jobs"
            assert [d.number_code for d in _db.session.scalars(sa.select(IssuedDocument).order_by(IssuedDocument.number))] == [
                "1/TB-UBND", "2/TB-UBND"]
            _db.session.remove()
    finally:
        with app.app_context():
            _db.engine.dispose()
