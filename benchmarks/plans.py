"""Compensation plans at scale: recalculate a project of 2,000 households with 20,000 asset lines,
import a 10,000-row inventory workbook, and print 2,000 one-page notices into one PDF on one core
and on two.

    .venv/bin/python benchmarks/plans.py [--only spatialite|postgis] [--skip-print] [--notices N]

**Targets:** recalculation under 2 s; the workbook import under 5 s; batch printing ≥ 1.7× faster
on both cores than on one. (The nearest peer, a desktop GPMB tool, promises 10 s and 30 s for the
first two, and has no batch printing.)

Set-up, per database: a commune of Hà Nội with the demo policy set (Hanoi 2026 prices, marked as
demo data); a project with 2,000 households (cases) in bulk inserts; an inventory per household
with ten lines (land by street position, a house, a yard, trees, now and then a grave or an asset
with a valuation): 20,000 asset lines. Then, timed:
1. the first recalculation (2,000 new versions), and a second one with nothing changed;
2. a recalculation after one line in ten changed;
3. the import of a workbook of 10,000 inventory rows for 1,000 households (the app's own
   all-or-nothing import: every cell checked before anything is written);
4. (SpatiaLite only: printing does not touch the database once the documents are issued) the
   recovery notices of the 2,000 households, issued and rendered into one PDF, with 1 worker and
   with 2.
"""

from __future__ import annotations

import argparse
import io
import random
import time
from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from common import create_project, databases, ensure_commune, migrated_app, person_name, print_table
from flask import Flask

HOUSEHOLDS = 2_000
LINES_PER_HOUSEHOLD = 10
IMPORT_ROWS = 10_000
PROJECT = "BENCH-PA"
TODAY = date(2026, 11, 29)
GRADES = ("Nhà cấp 4", "Nhà 2–3 tầng khung BTCT", "Nhà 4–5 tầng khung BTCT")
TREES = (("Cây ăn quả", "Đường kính 10–20 cm"), ("Cây bóng mát", "Đường kính 20–30 cm"))


def build(app: Flask) -> int:
    """The commune, the demo policy set, the project, its households and inventories. Returns the
    project id."""
    from clearance.audit import acting_as
    from clearance.demo.policy import load_demo_policy_set
    from clearance.extensions import db
    from clearance.models import AdminUnit, Case, CaseParcel, Inventory, InventoryItem, Parcel, Party
    from clearance.workflow.statuses import PartyKind

    with app.app_context():
        commune_id = ensure_commune("BENCH-PA", "Phường Benchmark")
        project_id = create_project(PROJECT, commune_id)
        with acting_as(None, "benchmark"):
            load_demo_policy_set(db.session, db.session.get(AdminUnit, commune_id).parent)
            db.session.commit()
        rng = random.Random(5)
        first_party = (db.session.scalar(sa.select(sa.func.max(Party.id))) or 0) + 1
        first_case = (db.session.scalar(sa.select(sa.func.max(Case.id))) or 0) + 1
        first_parcel = (db.session.scalar(sa.select(sa.func.max(Parcel.id))) or 0) + 1
        parties, cases, parcels, holdings, inventories, items = [], [], [], [], [], []
        for n in range(HOUSEHOLDS):
            party_id, case_id, parcel_id = first_party + n, first_case + n, first_parcel + n
            parcels.append({"id": parcel_id, "project_id": project_id, "map_sheet": "1", "parcel_no": str(n + 1),
                            "address": f"Số {n + 1} phố Yết Kiêu", "land_use_code": "ODT", "recovered_area": Decimal(100),
                            "measured_area": Decimal(100), "former_address": ""})
            holdings.append({"case_id": case_id, "parcel_id": parcel_id, "tenure": "land_user", "share": Decimal(100)})
            members = rng.randint(1, 7)
            parties.append({"id": party_id, "kind": PartyKind.HOUSEHOLD, "name": person_name(rng), "unit_id": commune_id, "members": members})
            cases.append({"id": case_id, "project_id": project_id, "party_id": party_id, "code": f"PA-{n + 1:05d}", "status": "surveyed"})
            inventories.append({"id": case_id, "case_id": case_id, "recorded_on": date(2026, 5, 4), "signed_by": "Tổ kiểm đếm",
                                "persons": members, "relocates": rng.random() < 0.6, "life_support_months": 0,
                                "rent_months": rng.choice((6, 9, 12)), "early_handover": rng.random() < 0.3,
                                "resettlement_site": "", "land_debt": 0, "land_debt_basis": "", "notes": "", "version": 1})
            items.extend(_lines(case_id, parcel_id, rng))
        for model, rows in ((Party, parties), (Case, cases), (Parcel, parcels), (CaseParcel, holdings), (Inventory, inventories),
                            (InventoryItem, items)):
            for start in range(0, len(rows), 5000):
                db.session.execute(sa.insert(model.__table__), rows[start : start + 5000])
        if db.engine.dialect.name == "postgresql":
            for table in ("party", "clearance_case", "parcel", "inventory"):
                db.session.execute(sa.text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"))
            db.session.commit()
            db.session.execute(sa.text("ANALYZE"))
        db.session.commit()
        return project_id


def _lines(case_id: int, parcel_id: int, rng: random.Random) -> list[dict[str, Any]]:
    from clearance.workflow.statuses import AssetKind

    def line(no: int, kind: AssetKind, quantity: Decimal, **values: Any) -> dict[str, Any]:
        row = {"inventory_id": case_id, "case_id": case_id, "line_no": no, "kind": kind, "description": "", "parcel_id": None,
               "street": "", "segment": "", "land_type": "", "land_position": None, "grade": "", "floors": None,
               "species": "", "size": "", "quantity": quantity, "unit": "", "quality_pct": None, "unit_price": None,
               "price_basis": ""}
        row.update(values)
        return row

    area = Decimal(rng.randint(2500, 9000)) / 100
    rows = [
        line(1, AssetKind.LAND, area, description="Đất ở", parcel_id=parcel_id, street="Yết Kiêu", land_type="ODT",
             land_position=rng.randint(1, 4)),
        line(2, AssetKind.STRUCTURE, area * rng.randint(1, 4), description="Nhà ở", grade=rng.choice(GRADES),
             quality_pct=Decimal(rng.randint(55, 95))),
        line(3, AssetKind.STRUCTURE, Decimal(rng.randint(5, 30)), description="Sân", grade="Sân, tường rào", quality_pct=Decimal(80)),
    ]
    for no in range(4, LINES_PER_HOUSEHOLD + 1):
        if no == 10 and rng.random() < 0.2:
            rows.append(line(no, AssetKind.GRAVE, Decimal(1), description="Mộ"))
        elif no == 9 and rng.random() < 0.3:
            rows.append(line(no, AssetKind.OTHER, Decimal(1), description="Bể nước", unit="cái", unit_price=Decimal(3_500_000),
                             price_basis="Chứng thư thẩm định giá (mẫu)"))
        else:
            species, size = rng.choice(TREES)
            rows.append(line(no, AssetKind.CROP, Decimal(rng.randint(1, 5)), description="Cây", species=species, size=size))
    return rows


def recalculate(app: Flask, project_id: int) -> list[list[Any]]:
    from clearance.audit import acting_as
    from clearance.extensions import db
    from clearance.models import InventoryItem, Project
    from clearance.services.plans import recalculate_project

    rows = []
    with app.app_context(), acting_as(None, "benchmark"):
        project = db.session.get(Project, project_id)
        for label in ("first (2,000 new versions)", "again, nothing changed", "one line in ten changed"):
            if label.startswith("one line"):
                db.session.execute(
                    sa.update(InventoryItem).where(InventoryItem.line_no == 3).values(quantity=InventoryItem.quantity + 1)
                )
                db.session.commit()
            start = time.perf_counter()
            summary = recalculate_project(project, TODAY, label)
            db.session.commit()
            seconds = time.perf_counter() - start
            rows.append([f"recalculate: {label}", f"{seconds:.2f}", summary.created_count, summary.unchanged, "< 2 s" if seconds < 2 else "MISSED"])
    return rows


def workbook(households: int) -> bytes:
    """An inventory workbook as officers fill the app's template: ten rows per household."""
    from openpyxl import Workbook

    from clearance.services.inventory_excel import HOUSEHOLD_COLUMNS, HOUSEHOLDS_SHEET, ITEM_COLUMNS, ITEMS_SHEET

    item_headers = [c.header for c in ITEM_COLUMNS]
    household_headers = [c.header for c in HOUSEHOLD_COLUMNS]
    book = Workbook(write_only=True)
    items = book.create_sheet(ITEMS_SHEET)
    items.append(item_headers)
    people = book.create_sheet(HOUSEHOLDS_SHEET)
    people.append(household_headers)

    def row(headers: list[str], **values: Any) -> list[Any]:
        cells = dict.fromkeys(headers)
        cells.update(values)
        return [cells[h] for h in headers]

    rng = random.Random(9)
    for n in range(households):
        code = f"PA-{n + 1:05d}"
        items.append(row(item_headers, **{"Mã hồ sơ": code, "Loại": "Đất", "Tờ bản đồ": "1", "Số thửa": str(n + 1),
                                          "Tuyến phố": "Yết Kiêu", "Loại đất": "ODT", "Vị trí": rng.randint(1, 4),
                                          "Số lượng": rng.randint(2500, 9000) / 100}))
        items.append(row(item_headers, **{"Mã hồ sơ": code, "Loại": "Nhà, công trình", "Cấp nhà": rng.choice(GRADES),
                                          "Số tầng": 3, "Số lượng": 180.5, "Chất lượng còn lại (%)": rng.randint(55, 95)}))
        for k in range(7):
            species, size = rng.choice(TREES)
            items.append(row(item_headers, **{"Mã hồ sơ": code, "Loại": "Cây trồng", "Loài cây": species, "Kích thước": size,
                                              "Số lượng": k + 1}))
        items.append(row(item_headers, **{"Mã hồ sơ": code, "Loại": "Tài sản khác", "Mô tả": "Bể nước", "Số lượng": 1,
                                          "Đơn giá": 3_500_000, "Căn cứ đơn giá": "Chứng thư thẩm định giá (mẫu)"}))
        people.append(row(household_headers, **{"Mã hồ sơ": code, "Ngày kiểm đếm": "12/03/2026", "Số nhân khẩu": rng.randint(1, 7),
                                                "Di chuyển chỗ ở": "Có", "Số tháng hỗ trợ thuê nhà": 6}))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def import_inventory(app: Flask, project_id: int) -> list[list[Any]]:
    from clearance.audit import acting_as
    from clearance.extensions import db
    from clearance.models import Project
    from clearance.services.inventory_excel import import_workbook

    data = workbook(IMPORT_ROWS // 10)
    with app.app_context(), acting_as(None, "benchmark"):
        project = db.session.get(Project, project_id)
        start = time.perf_counter()
        check, result = import_workbook(project, data, "kiem-dem.xlsx", reason="Kiểm đếm bổ sung (benchmark)")
        db.session.commit()
        seconds = time.perf_counter() - start
    lines = sum(len(case.items) for case in check.cases)
    return [[f"import {lines:,} inventory rows ({len(check.cases):,} households, {len(data) // 1024} KiB)", f"{seconds:.2f}", "", "",
             "< 5 s" if seconds < 5 else "MISSED"]]


def print_notices(app: Flask, project_id: int, notices: int) -> list[list[Any]]:
    """Freeze the first ``notices`` households' plans, issue their compensation notices (numbered,
    in the register), then render the same documents into one PDF on one process and on two."""
    from datetime import time as clock

    from pypdf import PdfReader

    from clearance.audit import acting_as
    from clearance.extensions import db
    from clearance.models import Case, CompensationPlan, Project
    from clearance.notices.documents import IssueFields
    from clearance.notices.jobs import issue_batch, render, select_cases
    from clearance.workflow.statuses import DocumentType

    rows = []
    with app.app_context(), acting_as(None, "benchmark"):
        project = db.session.get(Project, project_id)
        chosen = list(db.session.scalars(sa.select(Case.id).where(Case.project_id == project_id).order_by(Case.code).limit(notices)))
        for case_id in chosen:  # the bulk path: the frozen state the lead's two steps would give
            db.session.execute(
                sa.update(CompensationPlan).where(
                    CompensationPlan.case_id == case_id,
                    CompensationPlan.number == sa.select(sa.func.max(CompensationPlan.number)).where(CompensationPlan.case_id == case_id).scalar_subquery(),
                ).values(status="frozen")
            )
        db.session.commit()
        fields = IssueFields(issued_on=TODAY, signer_name="Nguyễn Văn Minh", payment_on=date(2026, 12, 15), payment_time=clock(8, 0),
                             payment_place="Trụ sở UBND phường", handover_on=date(2026, 12, 31))
        cases = select_cases(project, DocumentType.COMPENSATION_NOTICE, chosen)
        start = time.perf_counter()
        batch = issue_batch(project, DocumentType.COMPENSATION_NOTICE, cases, fields, None, today=TODAY)
        db.session.commit()
        issued = time.perf_counter() - start
        rows.append([f"issue {batch.issued:,} notices (number, register, stored HTML)", f"{issued:.2f}", "", "", ""])
        timings = {}
        for workers in (1, 2):
            start = time.perf_counter()
            pdf = render(batch, project, DocumentType.COMPENSATION_NOTICE, workers)
            timings[workers] = time.perf_counter() - start
            pages = len(PdfReader(io.BytesIO(pdf)).pages)
            rows.append([f"render {len(batch.documents):,} notices ({pages:,} pages) into one PDF, {workers} process(es)",
                         f"{timings[workers]:.1f}", "", "", ""])
        speedup = timings[1] / timings[2]
        rows.append(["speed-up from both cores", f"{speedup:.2f}×", "", "", "≥ 1.7×" if speedup >= 1.7 else "MISSED"])
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=("spatialite", "postgis"), default=None)
    parser.add_argument("--skip-print", action="store_true")
    parser.add_argument("--notices", type=int, default=HOUSEHOLDS)
    args = parser.parse_args()
    with databases(args.only or "both") as found:
        for database in found:
            print(database.name)
            app = migrated_app(database)
            project_id = build(app)
            rows = recalculate(app, project_id) + import_inventory(app, project_id)
            if not args.skip_print and not database.is_postgis:
                rows += print_notices(app, project_id, args.notices)
            print_table(["step", "seconds", "new versions", "unchanged", "target"], rows)


if __name__ == "__main__":
    main()
