"""List pages and the dashboard cost a fixed number of SQL queries, however many rows they show."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from sqlalchemy import event

from clearance.extensions import db as flask_db
from clearance.workflow.statuses import CaseStatus, Role
from tests import factories as f
from tests.conftest import sign_in


@contextmanager
def counting_queries() -> Iterator[list[str]]:
    statements: list[str] = []
    engine = flask_db.session.get_bind()
    engine = getattr(engine, "engine", engine)

    def count(_conn, _cursor, statement, *_args):  # type: ignore[no-untyped-def]
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def project_with(db, households: int):  # type: ignore[no-untyped-def]
    ward = f.unit("Phường Hai Bà Trưng")
    f.user("canbo", Role.OFFICER, ward)
    project = f.project("YK44", [ward])
    for n in range(households):
        parcel = f.parcel(project, str(100 + n), lon=105.856 + n * 0.0003)
        case = f.case(project, f.party(f"Hộ số {n}", ward), f"YK-{n:03d}", status=list(CaseStatus)[n % 10])
        from decimal import Decimal

        from clearance.services.records import add_holding

        add_holding(case, parcel, "land_user", Decimal(100))
    db.session.commit()


PAGES = (
    "/projects/", "/projects/YK44", "/projects/YK44/cases/", "/projects/YK44/parcels/", "/households/",
    "/projects/YK44/cases/1",
)
API_PAGES = ("/api/v1/projects", "/api/v1/projects/YK44/cases", "/api/v1/projects/YK44/parcels", "/api/v1/households")


def queries_per_page(client, db) -> dict[str, int]:  # type: ignore[no-untyped-def]
    from clearance.models import ApiToken, Case, User

    first_case = db.session.scalar(sa.select(Case.id).order_by(Case.id))
    token_row, token = ApiToken.issue(db.session.scalar(sa.select(User).where(User.username == "canbo")))
    db.session.add(token_row)
    db.session.commit()
    counts = {}
    for url in (*PAGES, *API_PAGES):
        url = url.replace("/cases/1", f"/cases/{first_case}")
        headers = {"Authorization": f"Bearer {token}"} if url.startswith("/api/") else {}
        with counting_queries() as statements:
            assert client.get(url, headers=headers).status_code == 200
        counts[url] = len(statements)
    return counts


def test_pages_do_not_query_once_per_row(client, db):
    project_with(db, 3)
    sign_in(client, "canbo")
    few = queries_per_page(client, db)
    # Nine more households, cases and parcels on the same pages.
    from clearance.models import AdminUnit, Project

    project = db.session.scalar(sa.select(Project))
    ward = db.session.scalar(sa.select(AdminUnit).where(AdminUnit.name == "Phường Hai Bà Trưng"))
    from decimal import Decimal

    from clearance.services.records import add_holding

    for n in range(3, 12):
        parcel = f.parcel(project, str(100 + n), lon=105.856 + n * 0.0003)
        case = f.case(project, f.party(f"Hộ số {n}", ward), f"YK-{n:03d}")
        add_holding(case, parcel, "land_user", Decimal(100))
    # ... and the first case holds four more parcels.
    from clearance.models import Case

    first_case = db.session.scalar(sa.select(Case).order_by(Case.id))
    for n in range(12, 16):
        add_holding(first_case, f.parcel(project, str(100 + n), lon=105.856 + n * 0.0003), "land_user", Decimal(100))
    db.session.commit()
    many = queries_per_page(client, db)
    assert many == few
