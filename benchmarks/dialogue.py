"""The dialogue log at scale: the project dashboard, the to-do page and the hotspot list on a
project with 2,000 households, 20,000 meetings and 5,000 commitments, on SpatiaLite and PostGIS.

    .venv/bin/python benchmarks/dialogue.py [--only spatialite|postgis] [--runs N]

**Target:** each page builds in under 300 ms of server time, with a number of SQL statements that
does not grow with the rows (tests/integration/test_query_counts.py asserts the counts; this
script prints them at full scale next to the times).

Set-up, per database: ~3,000 synthetic tube-house lots (benchmarks/synthetic.py) imported with the
app's own import service; about 2,000 households with cases spread over the procedure
(common.add_cases); then, in bulk inserts, 20,000 meetings over the last twelve months (one in ten
a group meeting of 10–30 households, the others visits to one household), two attendees each, a
concern per household present, the household's position and now and then its demand, one revision
(the original) per meeting; 5,000 commitments (a third still open, some of them overdue); two offer
versions for three cases in four; payments for one case in five; 100 pending complaints. A team
lead of the commune is signed in; each page is requested ``--runs`` times (default 20) after one
warm-up request; the server time is the test client's round trip (no network).
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from common import (
    CACHE_DIR,
    add_cases,
    create_project,
    create_user,
    databases,
    ensure_commune,
    import_parcels,
    migrated_app,
    person_name,
    print_table,
)
from flask import Flask
from synthetic import cached_gpkg

PARCELS = 3_000
MEETINGS = 20_000
COMMITMENTS = 5_000
PROJECT = "BENCH-DL"
USERNAME, PASSWORD = "bench-lead", "bench-password-1"
TODAY = date(2026, 11, 29)
TARGET_MS = 300

CONCERN_WORDS = {
    "price": "Giá bồi thường thấp hơn giá thị trường",
    "area": "Diện tích đo đạc thiếu so với sổ đỏ",
    "land_origin": "Đất sử dụng ổn định từ năm 1993",
    "resettlement": "Muốn được tái định cư tại chỗ",
    "support": "Xin hỗ trợ thuê nhà trong thời gian chờ",
    "timing": "Xin gia hạn thời gian bàn giao sau Tết",
    "procedure": "Chưa nhận được thông báo kiểm đếm",
    "other": "Đề nghị làm rõ trách nhiệm của chủ đầu tư",
}


def _insert(table: sa.Table, rows: list[dict[str, Any]]) -> None:
    from clearance.extensions import db

    for start in range(0, len(rows), 5_000):
        db.session.execute(sa.insert(table), rows[start : start + 5_000])


def add_dialogue(project_id: int, seed: int = 11) -> dict[str, int]:
    """Meetings, commitments, offers, payments and complaints for the project's cases, in bulk
    (no audit entries). Inside an app context; commits. Returns the row counts."""
    from clearance.extensions import db
    from clearance.models import (
        Case,
        Commitment,
        CompensationOffer,
        Concern,
        Grievance,
        Meeting,
        MeetingAttendee,
        MeetingCase,
        MeetingRevision,
        Payment,
    )

    rng = random.Random(seed)
    case_ids = list(db.session.scalars(sa.select(Case.id).where(Case.project_id == project_id).order_by(Case.id)))
    first_meeting = (db.session.scalar(sa.select(sa.func.max(Meeting.id))) or 0) + 1
    kinds = ["persuasion"] * 5 + ["dialogue"] * 3 + ["mediation", "pre_notice"]
    positions = ["agrees", "partly", "disagrees", "no_answer"]
    start = datetime(2025, 12, 1, 1, 0, tzinfo=UTC)
    span = (datetime(2026, 11, 28, 10, 0, tzinfo=UTC) - start).total_seconds()
    meetings, households, attendees, concerns, revisions, commitments = [], [], [], [], [], []
    for number in range(MEETINGS):
        meeting_id = first_meeting + number
        held_at = start + timedelta(seconds=rng.uniform(0, span))
        group = rng.random() < 0.1
        present = rng.sample(case_ids, rng.randint(10, 30)) if group else [rng.choice(case_ids)]
        meetings.append({
            "id": meeting_id, "project_id": project_id, "kind": "consultation" if group else rng.choice(kinds),
            "held_at": held_at, "place": "Nhà văn hóa tổ dân phố" if group else "Tại nhà hộ", "answers": "Đã giải thích chính sách.",
            "next_step": "Hẹn gặp lại", "notes": "", "recorded_by": "Benchmark", "revision": 1, "version": 1,
            "created_at": held_at,
        })
        for case_id in present:
            demand = rng.randrange(3_000, 9_000) * 1_000_000 if rng.random() < 0.3 else None
            households.append({"meeting_id": meeting_id, "case_id": case_id, "position": rng.choice(positions),
                               "demand": demand, "refused_inventory": rng.random() < 0.005})
            category = rng.choice(list(CONCERN_WORDS))
            concerns.append({"meeting_id": meeting_id, "project_id": project_id, "held_at": held_at, "case_id": case_id, "category": category,
                             "words": CONCERN_WORDS[category], "answer": "Đã trả lời theo quy định."})
        attendees += [
            {"meeting_id": meeting_id, "side": "official", "name": person_name(rng), "role": "Cán bộ tổ GPMB"},
            {"meeting_id": meeting_id, "side": "household", "name": person_name(rng), "role": "Chủ hộ"},
        ]
        revisions.append({"meeting_id": meeting_id, "number": 1, "snapshot": {"kind": meetings[-1]["kind"]}, "reason": "",
                          "actor": "Benchmark", "at": held_at})
    for _ in range(COMMITMENTS):
        meeting = rng.choice(meetings)
        held_on = meeting["held_at"].date()
        due_on = held_on + timedelta(days=rng.randint(5, 45))
        open_ = rng.random() < 0.33
        commitments.append({
            "project_id": project_id, "meeting_id": meeting["id"], "case_id": rng.choice(case_ids),
            "what": "Gửi lại biên bản đo đạc cho hộ", "responsible": "Tổ GPMB", "due_on": due_on,
            "status": "open" if open_ else "done", "closed_on": None if open_ else min(due_on, TODAY),
            "outcome": "" if open_ else "Đã thực hiện", "version": 1,
        })
    offers, payments, complaints = [], [], []
    for case_id in case_ids:
        if rng.random() < 0.75:
            amount = rng.randrange(2_000, 8_000) * 1_000_000
            offers.append({"case_id": case_id, "number": 1, "amount": amount, "offered_on": date(2026, 3, 1),
                           "basis": "Phương án dự thảo", "actor": "Benchmark"})
            offers.append({"case_id": case_id, "number": 2, "amount": amount + rng.randrange(0, 500) * 1_000_000,
                           "offered_on": date(2026, 8, 1), "basis": "Điều chỉnh giá đất cụ thể", "actor": "Benchmark"})
            if rng.random() < 0.27:
                payments.append({"case_id": case_id, "paid_on": date(2026, 10, 15), "amount": amount,
                                 "document": "PC-BENCH", "note": "", "actor": "Benchmark"})
    for case_id in rng.sample(case_ids, 100):
        complaints.append({"case_id": case_id, "kind": "complaint", "level": "first", "filed_on": date(2026, 11, 2),
                           "filed_by": "Chủ hộ", "against": "Quyết định thu hồi", "content": "Không đồng ý giá",
                           "deadline": date(2026, 12, 2), "status": "open", "resolution": ""})
    for model, rows in ((Meeting, meetings), (MeetingCase, households), (MeetingAttendee, attendees), (Concern, concerns),
                        (MeetingRevision, revisions), (Commitment, commitments), (CompensationOffer, offers),
                        (Payment, payments), (Grievance, complaints)):
        _insert(model.__table__, rows)
    if db.engine.dialect.name == "postgresql":
        db.session.execute(sa.text("SELECT setval(pg_get_serial_sequence('meeting', 'id'), (SELECT max(id) FROM meeting))"))
    # Bulk rows bypass the meetings service: build the per-case summaries it would have kept.
    from clearance.models import Project
    from clearance.services.meetings import refresh_project_dialogue

    refresh_project_dialogue(db.session.get(Project, project_id))
    db.session.commit()
    return {"cases": len(case_ids), "meetings": len(meetings), "households at meetings": len(households),
            "concerns": len(concerns), "commitments": len(commitments), "offers": len(offers),
            "payments": len(payments), "complaints": len(complaints)}


def build(app: Flask) -> None:
    import import_vs_ogr2ogr

    path = cached_gpkg(CACHE_DIR, PARCELS)
    minx, miny, maxx, maxy = import_vs_ogr2ogr.synthetic_box(path)
    with app.app_context():
        from clearance.extensions import db
        from clearance.models import Project

        unit_id = ensure_commune("BENCH-DL", "Phường Hoàn Kiếm", (minx, miny, maxx, maxy))
        project_id = create_project(PROJECT, unit_id, "Benchmark: nhật ký đối thoại", (minx, miny, maxx, maxy))
        db.session.get(Project, project_id).approved_budget = 12_000_000_000_000
        db.session.commit()
        started = time.perf_counter()
        import_parcels(project_id, [path])
        add_cases(project_id, unit_id, share=0.82)
        counts = add_dialogue(project_id)
        print(f"  set up in {time.perf_counter() - started:.1f} s: " + ", ".join(f"{n:,} {what}" for what, n in counts.items()))
        if db.engine.dialect.name == "postgresql":
            # What autovacuum does soon after a bulk load in production: planner statistics and the
            # visibility map (index-only scans). Not timed.
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.exec_driver_sql("VACUUM ANALYZE")
        create_user(USERNAME, PASSWORD, unit_id)


def measure(app: Flask, runs: int) -> list[list[Any]]:
    from clearance.extensions import db

    client = app.test_client()
    response = client.post("/login", data={"username": USERNAME, "password": PASSWORD})
    assert response.status_code == 302, "sign-in failed"
    with app.app_context():
        engine = db.engine
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(args[2])

    sa.event.listen(engine, "before_cursor_execute", count)
    rows = []
    try:
        for name, url in (("project dashboard", f"/projects/{PROJECT}"), ("to-do", "/todo/"),
                          ("hotspot list", f"/projects/{PROJECT}/hotspots")):
            assert client.get(url).status_code == 200, url  # warm-up
            times = []
            for _ in range(runs):
                statements.clear()
                started = time.perf_counter()
                response = client.get(url)
                times.append(1000 * (time.perf_counter() - started))
                assert response.status_code == 200, (url, response.status_code)
            median = statistics.median(times)
            rows.append([name, f"{median:.0f}", f"{max(times):.0f}", len(statements),
                         "yes" if median < TARGET_MS else "NO"])
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=("spatialite", "postgis"), default=None)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    with databases(args.only or "both") as found:
        for database in found:
            print(database.name)
            app = migrated_app(database)
            build(app)
            print_table(["page", "median ms", "max ms", "SQL statements", f"< {TARGET_MS} ms"], measure(app, args.runs))


if __name__ == "__main__":
    main()
