"""The project map: its GeoJSON (web and API), status colouring, bbox and filters, errors, scope,
popup, search, the print map and constant query counts, on both databases."""

from __future__ import annotations

import json
import re
from datetime import datetime
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from shapely.geometry import box

from clearance.formatting import LOCAL_TZ, vndate
from clearance.models import ApiToken, User
from clearance.services import parcel_map
from clearance.services.errors import FieldError
from clearance.services.records import add_holding
from clearance.workflow.statuses import CaseStatus, Role
from tests import factories as f
from tests.conftest import sign_in
from tests.queries import counting_queries

GEOJSON = "application/geo+json"
#: The recovery boundary of YK44: holds parcel 7 whole and half of parcel 8; parcel 9 lies outside.
BOUNDARY = box(105.8555, 21.0180, 105.8571, 21.0190)


def bearer(db: Any, user: User) -> dict[str, str]:
    row, plain = ApiToken.issue(user)
    db.session.add(row)
    db.session.flush()
    return {"Authorization": f"Bearer {plain}"}


def world(db: Any) -> dict[str, Any]:
    """YK44 (Hai Bà Trưng, with a recovery boundary): parcel 7 held by a handed-over and a decided
    case, parcel 8 (TMD, half inside the boundary) by a handed-over case, parcel 9 (Cửa Nam ward,
    far east) by none. TBT30 of Cửa Nam with one parcel. Officers of both wards, a viewer."""
    hbt = f.unit("Phường Hai Bà Trưng")
    cn = f.unit("Phường Cửa Nam")
    officer = f.user("canbo_hbt", Role.OFFICER, hbt)
    viewer = f.user("xem_hbt", Role.VIEWER, hbt)
    other = f.user("canbo_cn", Role.OFFICER, cn)
    yk44 = f.project("YK44", [hbt], name="Trụ sở 44 Yết Kiêu", boundary=BOUNDARY)
    p7 = f.parcel(yk44, "7", lon=105.8560)
    p8 = f.parcel(yk44, "8", lon=105.8570, land_use_code="TMD")
    p9 = f.parcel(yk44, "9", lon=105.8600)
    for parcel, ward in ((p7, hbt), (p8, hbt), (p9, cn)):
        parcel.ward_id = ward.id
    an = f.party("Nguyễn Văn An", hbt)
    binh = f.party("Trần Thị Bình", hbt)
    cuong = f.party("Lê Văn Cường", hbt)
    case_an = f.case(yk44, an, "YK-001", CaseStatus.HANDED_OVER)
    case_binh = f.case(yk44, binh, "YK-002", CaseStatus.DECIDED)
    case_cuong = f.case(yk44, cuong, "YK-003", CaseStatus.HANDED_OVER)
    add_holding(case_an, p7, "land_user", Decimal(50))
    add_holding(case_binh, p7, "co_user", Decimal(50))
    add_holding(case_cuong, p8, "land_user", Decimal(100))
    tbt30 = f.project("TBT30", [cn], name="Mở rộng phố Trần Bình Trọng")
    other_parcel = f.parcel(tbt30, "30", lon=105.8500)
    other_case = f.case(tbt30, f.party("Phạm Thị Dung", cn), "TBT-001", CaseStatus.PAID)
    add_holding(other_case, other_parcel, "land_user", Decimal(100))
    data = {
        "hbt": hbt, "cn": cn, "officer": officer, "viewer": viewer, "other": other, "yk44": yk44, "tbt30": tbt30,
        "p7": p7, "p8": p8, "p9": p9, "other_parcel": other_parcel, "case_an": case_an, "case_binh": case_binh,
        "as_officer": bearer(db, officer), "as_viewer": bearer(db, viewer), "as_other": bearer(db, other),
    }
    db.session.commit()
    return data


def features(response: Any) -> dict[str, dict[str, Any]]:
    """parcel_no → feature of a GeoJSON answer (checked to be a FeatureCollection)."""
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == GEOJSON
    body = json.loads(response.get_data(as_text=True))
    assert body["type"] == "FeatureCollection"
    return {feature["properties"]["parcel_no"]: feature for feature in body["features"]}


def web_geojson(client: Any, query: str = "") -> Any:
    return client.get(f"/projects/YK44/map/parcels.geojson{query}")


# --- pure rules ---------------------------------------------------------------------------------


def test_a_parcel_takes_the_least_advanced_status_of_its_cases():
    assert parcel_map.parcel_status([]) == parcel_map.NO_CASE
    assert parcel_map.parcel_status(["handed_over", "decided", "paid"]) == "decided"
    assert parcel_map.parcel_status([CaseStatus.NEW, CaseStatus.HANDED_OVER]) == "new"
    assert set(parcel_map.STATUS_COLOURS) == set(parcel_map.MAP_STATUSES)
    assert parcel_map.MAP_STATUSES[0] == parcel_map.NO_CASE
    assert len(set(parcel_map.STATUS_COLOURS.values())) == len(parcel_map.STATUS_COLOURS)


def test_bbox_zoom_and_status_parameters_are_checked():
    assert parcel_map.parse_bbox(" 105.84, 21.01,105.86 ,21.03") == parcel_map.BBox(105.84, 21.01, 105.86, 21.03)
    for bad in ("", "1,2,3", "1,2,3,4,5", "a,b,c,d", "nan,0,1,1", "0,0,inf,1", "10,0,5,1", "0,10,1,5",
                "200,0,201,1", "0,-95,1,1"):
        with pytest.raises(FieldError) as error:
            parcel_map.parse_bbox(bad)
        assert error.value.field == "bbox"
    assert parcel_map.parse_zoom("18") == 18
    for bad in ("-1", "25", "1.5", "x"):
        with pytest.raises(FieldError):
            parcel_map.parse_zoom(bad)
    assert parcel_map.parse_statuses(["paid,no_case", "paid"]) == ("paid", "no_case")
    with pytest.raises(FieldError):
        parcel_map.parse_statuses(["finished"])


def test_coordinates_are_rounded_and_simplified_by_zoom():
    assert parcel_map.precision_for(None) == 7
    assert [parcel_map.precision_for(z) for z in (10, 12, 15, 16, 18, 19, 22)] == [4, 5, 5, 6, 6, 7, 7]
    assert parcel_map.tolerance_for(None) is None
    assert parcel_map.tolerance_for(18) is None
    assert parcel_map.tolerance_for(14) == pytest.approx(360 / (256 * 2**14) / 4)


# --- the GeoJSON ----------------------------------------------------------------------------------


def test_the_geojson_colours_each_parcel_by_its_least_advanced_case(client, db):
    w = world(db)
    sign_in(client, "canbo_hbt")
    found = features(web_geojson(client))
    assert set(found) == {"7", "8", "9"}  # not TBT30's parcel
    assert found["7"]["properties"]["status"] == "decided"  # handed over + decided → decided
    assert found["8"]["properties"]["status"] == "handed_over"
    assert found["9"]["properties"]["status"] == "no_case"
    p7, p8 = found["7"], found["8"]
    assert p7["id"] == w["p7"].id
    assert set(p7["properties"]) == {"id", "map_sheet", "parcel_no", "status", "land_use_code", "ward_id",
                                     "measured_area", "recovered_area", "is_partial_recovery"}
    assert p7["properties"]["ward_id"] == w["hbt"].id
    assert p8["properties"]["land_use_code"] == "TMD"
    # Areas are decimal strings with two places, as everywhere in the API.
    db.session.refresh(w["p8"])
    assert p8["properties"]["measured_area"] == f"{w['p8'].measured_area:.2f}"
    assert p8["properties"]["recovered_area"] == f"{w['p8'].recovered_area:.2f}"
    assert p8["properties"]["is_partial_recovery"] is True
    assert p7["properties"]["is_partial_recovery"] is False
    assert p7["geometry"]["type"] in ("Polygon", "MultiPolygon")
    # The API serves the very same text.
    api = client.get("/api/v1/projects/YK44/parcels.geojson", headers=w["as_officer"])
    assert api.mimetype == GEOJSON
    assert api.get_data(as_text=True) == web_geojson(client).get_data(as_text=True)


def test_without_a_zoom_coordinates_keep_7_decimals_and_a_zoom_rounds_them(client, db):
    world(db)
    sign_in(client, "canbo_hbt")

    def decimals(query: str) -> int:
        text = web_geojson(client, query).get_data(as_text=True)
        coordinates = re.search(r'"coordinates":\s*(\[.*?\]\]\])', text)
        assert coordinates
        return max(len(n.split(".")[1]) if "." in n else 0 for n in re.findall(r"-?\d+\.?\d*", coordinates.group(1)))

    assert decimals("") <= 7
    assert decimals("?zoom=12") <= 5
    zoomed_out = features(web_geojson(client, "?zoom=5"))
    assert set(zoomed_out) == {"7", "8", "9"}  # simplified, but no parcel vanishes


def test_bbox_returns_only_the_parcels_in_the_box(client, db):
    w = world(db)
    sign_in(client, "canbo_hbt")
    around_7 = "105.8559,21.0184,105.8563,21.0187"
    assert set(features(web_geojson(client, f"?bbox={around_7}"))) == {"7"}
    both = "105.8559,21.0184,105.8575,21.0187"
    assert set(features(web_geojson(client, f"?bbox={both}&zoom=18"))) == {"7", "8"}
    assert features(web_geojson(client, "?bbox=105.70,20.90,105.71,20.91")) == {}
    api = client.get(f"/api/v1/projects/YK44/parcels.geojson?bbox={around_7}", headers=w["as_officer"])
    assert set(features(api)) == {"7"}


def test_the_bbox_goes_through_the_spatial_index(app, db):
    """SpatiaLite: the R*Tree the migration made (idx_parcel_geom) is queried; PostGIS: its GiST
    index of the same name."""
    filters = parcel_map.MapFilters(bbox=parcel_map.BBox(105.85, 21.01, 105.86, 21.02))
    if app.config["BACKEND"] == "sqlite":
        assert db.session.scalar(sa.text("SELECT count(*) FROM sqlite_master WHERE name = 'idx_parcel_geom'")) == 1
        statement, params = parcel_map.feature_collection_sql("sqlite", 1, filters)
        plan = " ".join(str(row[-1]) for row in db.session.execute(sa.text(f"EXPLAIN QUERY PLAN {statement.text}"), params))
        assert "idx_parcel_geom VIRTUAL TABLE" in plan
    else:
        statement, params = parcel_map.feature_collection_sql("postgresql", 1, filters)
        assert db.session.scalar(sa.text("SELECT count(*) FROM pg_indexes WHERE indexname = 'idx_parcel_geom'")) == 1
        # The bbox condition of the map query can only be served by the GiST index (ST_Intersects
        # carries an implicit &&). A small test table would be scanned anyway, so forbid that,
        # and ask about the condition alone: the planner may prefer the project index otherwise.
        condition = "ST_Intersects(p.geom, ST_MakeEnvelope(:min_lon, :min_lat, :max_lon, :max_lat, 4326))"
        assert condition in statement.text
        db.session.execute(sa.text("SET LOCAL enable_seqscan = off"))
        plan = " ".join(row[0] for row in db.session.execute(
            sa.text(f"EXPLAIN SELECT p.id FROM parcel p WHERE {condition}"), params))
        assert "idx_parcel_geom" in plan


def test_status_ward_and_land_use_filter_the_parcels(client, db):
    w = world(db)
    sign_in(client, "canbo_hbt")
    assert set(features(web_geojson(client, "?status=no_case"))) == {"9"}
    assert set(features(web_geojson(client, "?status=decided&status=handed_over"))) == {"7", "8"}
    assert set(features(web_geojson(client, "?status=decided,no_case"))) == {"7", "9"}
    assert set(features(web_geojson(client, f"?ward={w['cn'].id}"))) == {"9"}
    assert set(features(web_geojson(client, "?land_use=TMD"))) == {"8"}
    assert set(features(web_geojson(client, f"?land_use=ODT&ward={w['hbt'].id}&status=decided"))) == {"7"}
    assert set(features(web_geojson(client, "?status=&ward=&land_use=&bbox=&zoom="))) == {"7", "8", "9"}
    api = client.get("/api/v1/projects/YK44/parcels.geojson?status=handed_over&status=no_case", headers=w["as_officer"])
    assert set(features(api)) == {"8", "9"}
    api = client.get(f"/api/v1/projects/YK44/parcels.geojson?ward={w['hbt'].id}&land_use=ODT", headers=w["as_officer"])
    assert set(features(api)) == {"7"}


@pytest.mark.parametrize(("query", "field"), [
    ("bbox=1,2,3", "bbox"), ("bbox=a,b,c,d", "bbox"), ("bbox=10,0,5,1", "bbox"), ("bbox=200,0,201,1", "bbox"),
    ("bbox=nan,0,1,1", "bbox"), ("zoom=99", "zoom"), ("zoom=x", "zoom"), ("status=finished", "status"),
    ("ward=abc", "ward"),
])
def test_a_bad_parameter_is_a_clear_json_error_naming_it(client, db, query, field):
    w = world(db)
    sign_in(client, "canbo_hbt")
    response = web_geojson(client, f"?{query}")
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["field"] == field and error["message"]
    response = client.get(f"/api/v1/projects/YK44/parcels.geojson?{query}", headers=w["as_officer"])
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["field"] == field and error["message"]


def test_the_geojson_is_only_for_the_signed_in_users_projects(client, db):
    w = world(db)
    assert web_geojson(client).status_code == 302  # to the sign-in page
    url = "/api/v1/projects/YK44/parcels.geojson"
    response = client.get(url)
    assert response.status_code == 401 and response.is_json
    assert client.get(url, headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert client.get(url, headers=w["as_other"]).status_code == 404  # Cửa Nam's officer: not their project
    assert client.get("/api/v1/projects/TBT30/parcels.geojson", headers=w["as_other"]).status_code == 200
    assert set(features(client.get(url, headers=w["as_viewer"]))) == {"7", "8", "9"}  # viewers read
    assert client.get("/api/v1/projects/NOPE/parcels.geojson", headers=w["as_officer"]).status_code == 404
    sign_in(client, "canbo_cn")
    for path in ("", "/parcels.geojson", f"/parcels/{w['p7'].id}", "/search?q=7", "/print"):
        assert client.get(f"/projects/YK44/map{path}").status_code == 404, path


def test_the_openapi_document_describes_the_geojson_endpoint(client, db):
    spec = client.get("/api/v1/openapi.json").get_json()
    from openapi_spec_validator import validate

    validate(spec)
    operation = spec["paths"]["/api/v1/projects/{code}/parcels.geojson"]["get"]
    assert operation["summary"]
    assert "application/geo+json" in operation["responses"]["200"]["content"]
    names = {parameter["name"] for parameter in operation["parameters"]}
    assert {"bbox", "zoom", "status", "ward", "land_use"} <= names


# --- the map page, popup and search -------------------------------------------------------------


def test_the_map_page_has_the_legend_progress_filters_and_its_settings(client, db):
    w = world(db)
    sign_in(client, "canbo_hbt")
    response = client.get("/projects/YK44/map")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert re.search(r'aria-current="page">Bản đồ</a>', page)
    assert "1/3 thửa" in page and "diện tích đã bàn giao" in page
    assert "Chưa có hồ sơ" in page and "Đã có quyết định thu hồi" in page and "Đã bàn giao mặt bằng" in page
    assert "/static/vendor/leaflet/leaflet.js" in page and "/static/map.js" in page
    assert not re.search(r"(src|href)=\"(https?:)?//", page)  # nothing from a CDN
    assert "/projects/YK44/map/print?paper=A4" in page and "In bản đồ" in page
    config = json.loads(re.search(r'<script type="application/json" id="map-config">(.*?)</script>', page, re.S).group(1))
    assert config["colours"] == parcel_map.STATUS_COLOURS
    assert config["urls"]["geojson"] == "/projects/YK44/map/parcels.geojson"
    assert config["urls"]["popup"] == "/projects/YK44/map/parcels/{id}"
    assert config["tiles"] == {"url": "", "attribution": ""}  # no base map unless configured
    assert config["strings"]["shown"] == "Đang hiển thị {n} thửa"
    assert config["boundary"]["type"] == "MultiPolygon"
    minx, miny, maxx, maxy = config["extent"]
    assert minx <= 105.8555 and maxx >= 105.8602 and miny <= 21.0180 and maxy >= 21.0190
    # The legend's swatches use the service's colours.
    assert f'background: {parcel_map.STATUS_COLOURS["decided"]}' in page
    # The ward filter offers the parcels' wards.
    assert f'<option value="{w["cn"].id}"' in page and "TMD" in page


def test_a_configured_base_map_reaches_the_page(app, client, db):
    world(db)
    sign_in(client, "canbo_hbt")
    app.config.update(MAP_TILE_URL="https://tiles.example.org/{z}/{x}/{y}.png", MAP_TILE_ATTRIBUTION="© Bản đồ nền")
    try:
        page = client.get("/projects/YK44/map").get_data(as_text=True)
    finally:
        app.config.update(MAP_TILE_URL="", MAP_TILE_ATTRIBUTION="")
    config = json.loads(re.search(r'id="map-config">(.*?)</script>', page, re.S).group(1))
    assert config["tiles"] == {"url": "https://tiles.example.org/{z}/{x}/{y}.png", "attribution": "© Bản đồ nền"}


def test_the_legend_counts_parcels_and_area_per_status_for_the_whole_project(client, db):
    w = world(db)
    with client.application.test_request_context():
        summary = parcel_map.map_summary(w["yk44"].id)
        by_status = {line.status: line for line in summary.lines}
        assert [by_status[s].parcels for s in ("no_case", "decided", "handed_over", "paid")] == [1, 1, 1, 0]
        assert summary.parcels == 3 and summary.done_parcels == 1
        for name in ("p7", "p8", "p9"):
            db.session.refresh(w[name])
        # Recovered area; parcel 9 lies outside the boundary (0 m² to recover).
        assert by_status["handed_over"].area == w["p8"].recovered_area
        assert summary.area == w["p7"].recovered_area + w["p8"].recovered_area + w["p9"].recovered_area
        expected = int(w["p8"].recovered_area * 100 / summary.area)
        assert summary.done_percent == expected
        assert parcel_map.progress_text(summary) == f"1/3 thửa, {expected}% diện tích đã bàn giao"


def test_the_popup_tells_the_parcels_cases_and_links_to_them(client, db):
    w = world(db)
    sign_in(client, "canbo_hbt")
    response = client.get(f"/projects/YK44/map/parcels/{w['p7'].id}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Thửa 7, tờ 12" in html
    assert "Đã có quyết định thu hồi" in html  # the parcel's (least advanced) status
    assert f'href="/projects/YK44/cases/{w["case_an"].id}"' in html and "YK-001" in html and "Nguyễn Văn An" in html
    assert f'href="/projects/YK44/cases/{w["case_binh"].id}"' in html and "Trần Thị Bình" in html
    assert "Phường Hai Bà Trưng" in html and "200,00 m²" in html  # ward, legal area
    assert "Thu hồi một phần" not in html
    html = client.get(f"/projects/YK44/map/parcels/{w['p8'].id}").get_data(as_text=True)
    assert "Thu hồi một phần" in html
    html = client.get(f"/projects/YK44/map/parcels/{w['p9'].id}").get_data(as_text=True)
    assert "Chưa có hồ sơ" in html
    assert client.get(f"/projects/YK44/map/parcels/{w['other_parcel'].id}").status_code == 404
    assert client.get("/projects/YK44/map/parcels/2147483648").status_code == 404


def test_search_finds_a_parcel_by_number_or_by_household_name(client, db):
    w = world(db)
    sign_in(client, "canbo_hbt")
    hits = client.get("/projects/YK44/map/search?q=8").get_json()["hits"]
    assert [hit["id"] for hit in hits] == [w["p8"].id]
    hit = hits[0]
    assert hit["label"] == "Thửa 8, tờ 12" and hit["names"] == ["Lê Văn Cường"] and hit["status"] == "handed_over"
    minx, miny, maxx, maxy = hit["bbox"]
    assert minx == pytest.approx(105.8570) and maxx == pytest.approx(105.8572)
    assert hit["centre"] == pytest.approx([(minx + maxx) / 2, (miny + maxy) / 2])
    hits = client.get("/projects/YK44/map/search?q=Bình").get_json()["hits"]
    assert [hit["id"] for hit in hits] == [w["p7"].id]
    assert sorted(hits[0]["names"]) == ["Nguyễn Văn An", "Trần Thị Bình"] and hits[0]["status"] == "decided"
    hits = client.get("/projects/YK44/map/search?q=YK-003").get_json()["hits"]
    assert [hit["id"] for hit in hits] == [w["p8"].id]
    assert client.get("/projects/YK44/map/search?q=Dung").get_json()["hits"] == []  # TBT30's household
    assert client.get("/projects/YK44/map/search?q=30").get_json()["hits"] == []  # TBT30's parcel
    assert client.get("/projects/YK44/map/search?q=%25").get_json()["hits"] == []  # LIKE wildcards are literal
    assert client.get("/projects/YK44/map/search?q=").get_json()["hits"] == []


def test_search_answers_at_most_20_hits(client, db):
    w = world(db)
    for n in range(25):
        case = f.case(w["yk44"], f.party(f"Hộ Đông {n}", w["hbt"]), f"YK-1{n:02d}")
        add_holding(case, f.parcel(w["yk44"], str(100 + n), lon=105.8580 + n * 0.0003), "land_user", Decimal(100))
    db.session.commit()
    sign_in(client, "canbo_hbt")
    assert len(client.get("/projects/YK44/map/search?q=Đông").get_json()["hits"]) == 20


# --- the print map ------------------------------------------------------------------------------


def test_the_print_map_has_title_date_legend_scale_and_the_parcels_in_colour(client, db):
    world(db)
    sign_in(client, "canbo_hbt")
    before = vndate(datetime.now(LOCAL_TZ).date())
    response = client.get("/projects/YK44/map/print")
    after = vndate(datetime.now(LOCAL_TZ).date())
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'class="print-page paper-a4"' in html
    assert "Trụ sở 44 Yết Kiêu" in html and "YK44" in html
    assert re.search(r"Ngày in: <strong>(\d\d/\d\d/\d{4})</strong>", html).group(1) in (before, after)
    assert "1/3 thửa" in html and "Chú giải" in html and "Ranh giới thu hồi" in html
    assert re.search(r"Tỷ lệ 1:[\d.]+", html)
    svg = re.search(r"<svg class=\"print-map\".*?</svg>", html, re.S).group(0)
    fills = re.findall(r'<path d="M[^"]+" fill="(#[0-9a-f]{6})" fill-opacity', svg)  # the parcels
    colours = parcel_map.STATUS_COLOURS
    assert sorted(fills) == sorted([colours["decided"], colours["handed_over"], colours["no_case"]])
    assert 'stroke-dasharray' in svg and f'stroke="{parcel_map.BOUNDARY_COLOUR}"' in svg  # the boundary
    assert ">B</text>" in svg  # north arrow (Bắc)
    a3 = client.get("/projects/YK44/map/print?paper=a3").get_data(as_text=True)
    assert 'class="print-page paper-a3"' in a3 and 'width: 420mm' in a3
    assert 'class="print-page paper-a4"' in client.get("/projects/YK44/map/print?paper=Letter").get_data(as_text=True)
    assert client.get("/projects/TBT30/map/print").status_code == 404  # not this team's project


def test_the_print_map_fits_the_frame_at_a_round_scale(client, db):
    w = world(db)
    with client.application.test_request_context():
        paper = parcel_map.PAPERS["A4"]
        drawing = parcel_map.print_map(w["yk44"], paper)
    assert (drawing.width, drawing.height) == paper.frame
    assert drawing.scale in parcel_map.NICE_SCALES
    assert len(drawing.parcels) == 3 and drawing.boundary.startswith("M")
    numbers = [float(n) for p in drawing.parcels for n in re.findall(r"[\d.]+", p.path)]
    xs, ys = numbers[0::2], numbers[1::2]
    assert 0 <= min(xs) and max(xs) <= drawing.width and 0 <= min(ys) and max(ys) <= drawing.height
    assert drawing.scale_bar_mm == pytest.approx(drawing.scale_bar_m * 1000 / drawing.scale)


# --- query counts -------------------------------------------------------------------------------


def test_the_map_endpoints_run_a_fixed_number_of_queries(client, db):
    w = world(db)
    token = w["as_officer"]
    sign_in(client, "canbo_hbt")
    urls = (
        "/projects/YK44/map", "/projects/YK44/map/parcels.geojson", "/projects/YK44/map/parcels.geojson?zoom=16",
        "/projects/YK44/map/parcels.geojson?status=handed_over&bbox=105.85,21.01,105.87,21.03",
        f"/projects/YK44/map/parcels/{w['p7'].id}", "/projects/YK44/map/search?q=Văn",
        "/projects/YK44/map/print", "/api/v1/projects/YK44/parcels.geojson?zoom=17",
    )

    def counts() -> dict[str, int]:
        result = {}
        for url in urls:
            with counting_queries() as statements:
                assert client.get(url, headers=token if url.startswith("/api/") else {}).status_code == 200, url
            result[url] = len(statements)
        return result

    counts()  # the token's first use of the day is stamped (a write); later reads are not
    few = counts()
    for n in range(12):
        case = f.case(w["yk44"], f.party(f"Hộ số {n}", w["hbt"]), f"YK-2{n:02d}", list(CaseStatus)[n % 10])
        parcel = f.parcel(w["yk44"], str(200 + n), lon=105.8556 + n * 0.00003)
        add_holding(case, parcel, "land_user", Decimal(100))
        add_holding(w["case_an"], f.parcel(w["yk44"], str(300 + n), lon=105.8640 + n * 0.0003), "co_user", Decimal(10))
    db.session.commit()
    assert counts() == few


def test_a_parcel_shared_by_a_household_that_handed_over_and_one_under_enforcement_is_not_cleared():
    from clearance.services.parcel_map import parcel_status

    assert parcel_status(["handed_over", "enforcement"]) == "enforcement"
    assert parcel_status(["handed_over", "paid"]) == "paid"
    assert parcel_status(["handed_over"]) == "handed_over"
    assert parcel_status([]) == "no_case"
