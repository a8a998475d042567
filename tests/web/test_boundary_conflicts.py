"""Xung đột ranh giới: the page listing overlaps and gaps between a project's parcels."""

from __future__ import annotations

import re

from shapely.geometry import box

from clearance.models import Parcel
from clearance.workflow.statuses import Role
from tests import factories as f
from tests.conftest import sign_in

LON, LAT = 105.8560, 21.0185
#: About 1 m east–west and 1 m north–south at 21° N.
M_LON, M_LAT = 1 / 103_900, 1 / 110_700


def rect(x: float, y: float, width: float, height: float):  # type: ignore[no-untyped-def]
    """A rectangle ``width`` × ``height`` metres, ``x``, ``y`` metres from the origin (WGS84)."""
    return box(LON + x * M_LON, LAT + y * M_LAT, LON + (x + width) * M_LON, LAT + (y + height) * M_LAT)


def a_project_with_conflicts(db):  # type: ignore[no-untyped-def]
    """Parcels 1 and 2 overlap by 1 m × 10 m; 3 and 4 stand 0.2 m apart under parcel 5 (a sliver);
    6 touches 5 and conflicts with nothing; 7 has no shape."""
    ward = f.unit("Phường Hai Bà Trưng")
    f.user("canbo", Role.OFFICER, ward)
    f.user("canbo_cuanam", Role.OFFICER, f.unit("Phường Cửa Nam"))
    project = f.project("BCA-YK44", [ward])
    shapes = {
        "1": rect(0, 0, 10, 10), "2": rect(9, 0, 10, 10),
        "3": rect(0, 30, 10, 10), "4": rect(10.2, 30, 10, 10), "5": rect(0, 40, 20.2, 10),
        "6": rect(20.2, 40, 10, 10),
    }
    parcels = {no: f.parcel(project, no, geom=shape) for no, shape in shapes.items()}
    parcels["7"] = f.parcel(project, "7", geom=None)
    db.session.commit()
    return {no: p.id for no, p in parcels.items()}


def rows(page: str, section: str) -> list[str]:
    block = page.split(f'id="{section}"', 1)[1].split("</section>", 1)[0].split("<tbody>", 1)[-1]
    return re.findall(r"<tr>(.*?)</tr>", block, flags=re.S)


def test_the_page_lists_overlaps_and_gaps_with_links_to_the_parcels(client, db):
    ids = a_project_with_conflicts(db)
    sign_in(client, "canbo")
    response = client.get("/projects/BCA-YK44/parcels/conflicts")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Xung đột ranh giới" in page
    assert "hơn 0,50 m²" in page and "hẹp dưới 0,5 m" in page  # the rules, in one line

    (overlap,) = rows(page, "overlaps")
    assert f'href="/projects/BCA-YK44/parcels/{ids["1"]}"' in overlap
    assert f'href="/projects/BCA-YK44/parcels/{ids["2"]}"' in overlap
    assert "Thửa 1, tờ 12" in overlap and "Thửa 2, tờ 12" in overlap
    area = re.search(r"(\d+),(\d\d) m²", overlap)
    assert area and abs(float(f"{area[1]}.{area[2]}") - 10.0) < 0.2

    (gap,) = rows(page, "gaps")
    for no in ("3", "4", "5"):
        assert f'href="/projects/BCA-YK44/parcels/{ids[no]}"' in gap
    assert f'parcels/{ids["6"]}"' not in gap
    area = re.search(r"(\d+),(\d\d) m²", gap)
    assert area and abs(float(f"{area[1]}.{area[2]}") - 2.0) < 0.1
    assert 'data-label="Diện tích khe hở"' in gap  # stacks on a phone

    assert "Đã kiểm tra 6 thửa có hình thửa." in page
    assert "1 thửa chưa có hình thửa" in page


def test_a_project_without_conflicts_says_so(client, db):
    ward = f.unit("Phường Hai Bà Trưng")
    f.user("canbo", Role.OFFICER, ward)
    project = f.project("BCA-YK44", [ward])
    f.parcel(project, "1", geom=rect(0, 0, 10, 10))
    f.parcel(project, "2", geom=rect(10, 0, 10, 10))
    db.session.commit()
    sign_in(client, "canbo")
    page = client.get("/projects/BCA-YK44/parcels/conflicts").get_data(as_text=True)
    assert "Không có thửa nào chồng lấn nhau." in page
    assert "Không có khe hở giữa các thửa." in page


def test_another_wards_officer_gets_404(client, db):
    a_project_with_conflicts(db)
    sign_in(client, "canbo_cuanam")
    assert client.get("/projects/BCA-YK44/parcels/conflicts").status_code == 404


def test_the_parcels_are_read_in_one_query(client, db):
    a_project_with_conflicts(db)
    sign_in(client, "canbo")
    from tests.queries import counting_queries

    with counting_queries() as statements:
        assert client.get("/projects/BCA-YK44/parcels/conflicts").status_code == 200
    parcel_reads = [s for s in statements if re.search(r"FROM parcel\b", s)]
    assert len(parcel_reads) == 1, parcel_reads
    assert db.session.query(Parcel).count() == 7
