"""List pages and the dashboard cost a fixed number of SQL queries, however many rows they show."""

from __future__ import annotations

import sqlalchemy as sa

from clearance.workflow.statuses import CaseStatus, Role
from tests import factories as f
from tests.conftest import sign_in
from tests.queries import counting_queries


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


DIALOGUE_PAGES = (
    "/projects/YK44", "/todo/", "/projects/YK44/hotspots", "/projects/YK44/meetings/", "/projects/YK44/concerns",
    "/projects/YK44/cases/{case}", "/projects/YK44/meetings/{meeting}",
    "/api/v1/projects/YK44/balance", "/api/v1/projects/YK44/hotspots", "/api/v1/projects/YK44/meetings",
    "/api/v1/projects/YK44/commitments",
)


def dialogue_queries(client, db) -> dict[str, int]:  # type: ignore[no-untyped-def]
    from clearance.models import ApiToken, Case, Meeting, User

    first_case = db.session.scalar(sa.select(Case.id).order_by(Case.id))
    first_meeting = db.session.scalar(sa.select(Meeting.id).order_by(Meeting.id))
    token_row, token = ApiToken.issue(db.session.scalar(sa.select(User).where(User.username == "canbo")))
    db.session.add(token_row)
    db.session.commit()
    counts = {}
    for url in DIALOGUE_PAGES:
        url = url.format(case=first_case, meeting=first_meeting)
        headers = {"Authorization": f"Bearer {token}"} if url.startswith("/api/") else {}
        with counting_queries() as statements:
            assert client.get(url, headers=headers).status_code == 200, url
        counts[url] = len(statements)
    return counts


def talk(db, rounds: int, first_round: int = 0) -> None:  # type: ignore[no-untyped-def]
    """``rounds`` meetings with every case (and a group meeting), each with a concern, a demand and
    a promise (some overdue), offers and payments."""
    from datetime import UTC, date, datetime

    from clearance.models import Case, Project

    project = db.session.scalar(sa.select(Project))
    cases = list(db.session.scalars(sa.select(Case).order_by(Case.id)))
    for n in range(first_round, first_round + rounds):
        held = datetime(2026, 6 + n % 5, 3 + n, 2, 0, tzinfo=UTC)
        for case in cases:
            f.meeting(project, [case], held, positions={case.id: ["disagrees", "partly"][n % 2]},
                      demands={case.id: 5_000_000_000 + n},
                      concerns=[{"case_id": case.id, "category": "price", "words": "Giá thấp", "answer": "Đã giải thích"}],
                      commitments=[{"case_id": case.id, "what": "Gửi biên bản", "responsible": "Tổ GPMB", "due_on": date(2026, 7 + n % 5, 1)}])
            f.offer(case, 4_000_000_000 + n, number=n + 1)
            f.payment(case, 1_000_000 + n)
        f.meeting(project, cases, held, kind="consultation")
    db.session.commit()


def test_the_dialogue_pages_cost_the_same_queries_with_more_meetings_promises_and_offers(client, db):
    project_with(db, 3)
    talk(db, 1)
    sign_in(client, "canbo")
    few = dialogue_queries(client, db)
    from clearance.models import AdminUnit, Project

    project = db.session.scalar(sa.select(Project))
    ward = db.session.scalar(sa.select(AdminUnit).where(AdminUnit.name == "Phường Hai Bà Trưng"))
    from decimal import Decimal

    from clearance.services.records import add_holding

    for n in range(3, 9):
        case = f.case(project, f.party(f"Hộ số {n}", ward), f"YK-{n:03d}")
        add_holding(case, f.parcel(project, str(100 + n), lon=105.856 + n * 0.0003), "land_user", Decimal(100))
    talk(db, 3, first_round=1)
    many = dialogue_queries(client, db)
    assert many == few
