"""Điểm nóng in the browser's pages: the ranked list with its reasons and filters, the risk factors
an administrator tunes (and the ranking follows), the to-do page's promises, dialogue window and
hotspot block, and the map coloured by risk. Both databases; dates are relative to today, as the
pages count from today."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from clearance.formatting import LOCAL_TZ, vndate
from clearance.models import AuditEntry, ProcedureStep, PublicHoliday, RiskFactor, User
from clearance.services import grievances, meetings, parcel_map
from clearance.services.records import add_holding
from clearance.workflow.calendar import add_period
from clearance.workflow.risk import RISK_FACTORS
from clearance.workflow.statuses import CaseStatus, Role
from tests import factories as f
from tests.conftest import csrf_token, sign_in
from tests.queries import counting_queries
from tests.web.test_map import bearer, features


def today() -> date:
    return datetime.now(LOCAL_TZ).date()


def days_ago(n: int) -> datetime:
    """09:00 in Hanoi, ``n`` days before today."""
    return datetime.combine(today() - timedelta(days=n), time(9, 0), tzinfo=LOCAL_TZ).astimezone(UTC)


def meet(project, households: list[dict[str, Any]], n_days_ago: int, kind: str = "persuasion", commitments=()):  # type: ignore[no-untyped-def]
    """Minutes recorded now for a meeting held ``n_days_ago``."""
    return meetings.record_meeting(project, {
        "kind": kind, "held_at": days_ago(n_days_ago), "place": "Nhà văn hóa tổ dân phố 5",
        "households": [{"position": "no_answer", "demand": None, "refused_inventory": False, **h} for h in households],
        "attendees": [{"side": "official", "name": "Trần Văn Cán", "role": "Tổ trưởng tổ GPMB"}],
        "concerns": [], "commitments": list(commitments),
    }, None, datetime.now(UTC))


def world(db: Any) -> dict[str, Any]:
    """YK44 of Hai Bà Trưng. Nóng: on posting, asks 18,8 % above the offer, three meetings
    without moving, a promise to her five days overdue, a complaint pending — a hotspot. Yếu: poor,
    elderly alone, refused the inventory 50 days ago and not met since — to watch. Ổn: agreed three
    days ago. Parcel 1 is Nóng's, 2 Yếu's, 3 shared by Ổn and Nóng, 4 nobody's. TBT30 belongs to Cửa Nam."""
    hbt, cn = f.unit("Phường Hai Bà Trưng"), f.unit("Phường Cửa Nam")
    f.user("canbo", Role.OFFICER, hbt)
    f.user("xem", Role.VIEWER, hbt)
    f.user("quantri", Role.ADMIN)
    f.user("canbo_cn", Role.OFFICER, cn)
    project = f.project("YK44", [hbt], name="Trụ sở 44 Yết Kiêu")
    nong = f.case(project, f.party("Nguyễn Văn Nóng", hbt), "YK-001", CaseStatus.POSTED)
    yeu = f.case(project, f.party("Trần Thị Yếu", hbt, is_poor=True, is_elderly_alone=True), "YK-002", CaseStatus.NOTIFIED)
    on = f.case(project, f.party("Phạm Thị Ổn", hbt), "YK-003", CaseStatus.POSTED)
    parcels = [f.parcel(project, str(n), lon=105.8560 + n * 0.0004) for n in (1, 2, 3, 4)]
    add_holding(nong, parcels[0], "land_user", Decimal(100))
    add_holding(yeu, parcels[1], "land_user", Decimal(100))
    add_holding(on, parcels[2], "land_user", Decimal(60))
    add_holding(nong, parcels[2], "co_user", Decimal(40))
    f.offer(nong, 4_210_000_000)
    promise = {"case_id": nong.id, "what": "Gửi lại biên bản đo đạc", "responsible": "Trần Văn Cán",
               "due_on": today() - timedelta(days=5)}
    meet(project, [{"case_id": nong.id, "position": "disagrees"}], 25, commitments=[promise])
    meet(project, [{"case_id": nong.id, "position": "disagrees"}], 15)
    meet(project, [{"case_id": nong.id, "position": "disagrees", "demand": 5_000_000_000}], 5)
    meet(project, [{"case_id": yeu.id, "refused_inventory": True}], 50)
    meet(project, [{"case_id": on.id, "position": "agrees"}], 3)
    grievances.file_grievance(nong, {"kind": "complaint", "level": "first", "filed_on": today() - timedelta(days=10),
                                     "filed_by": "Nguyễn Văn Nóng", "content": "Giá bồi thường thấp"}, today())
    other = f.project("TBT30", [cn])
    f.case(other, f.party("Lê Văn Khác", cn, is_poor=True), "TBT-001", CaseStatus.NOTIFIED)
    db.session.commit()
    return {"project": project, "nong": nong, "yeu": yeu, "on": on, "parcels": parcels, "hbt": hbt}


def rows_of(html: str) -> list[str]:
    """Case codes of the hotspot list, in order."""
    table = re.search(r'<table class="list stack hotspot-list">.*?</table>', html, re.S)
    return re.findall(r"<strong>(YK-\d+)</strong>", table.group(0)) if table else []


# --- the ranked list ---------------------------------------------------------------------------------


def test_the_list_ranks_the_hotspot_first_and_says_why(client, db):
    w = world(db)
    sign_in(client, "canbo")
    response = client.get("/projects/YK44/hotspots")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert rows_of(html) == ["YK-001", "YK-002"]  # needing attention, worst first; Ổn is not listed
    first = html.split(f'data-case-id="{w["nong"].id}"')[1].split("</tr>")[0]
    assert "Điểm nóng" in first and ">95<" in first
    assert "Nguyễn Văn Nóng" in first and f'href="/projects/YK44/cases/{w["nong"].id}"' in first
    assert "Đang niêm yết" in first  # its status
    for reason in ("Hộ đề nghị 5.000.000.000 đ, cao hơn giá trị bồi thường 18,8 % (ngưỡng 15 %)",
                   "3 cuộc gặp liên tiếp không tiến triển", "1 cam kết quá hạn", "chưa giải quyết"):
        assert reason in first, reason
    second = html.split(f'data-case-id="{w["yeu"].id}"')[1].split("</tr>")[0]
    assert "Cần theo dõi" in second and "50 ngày chưa gặp hộ" in second
    assert "Hộ nghèo; người cao tuổi sống một mình" in second and "Hộ không hợp tác kiểm đếm" in second
    assert "In danh sách" in html and "/reference/risk-factors" in html


def test_the_level_filter_keeps_one_level_or_shows_every_case(client, db):
    world(db)
    sign_in(client, "xem")  # a viewer reads the list too
    assert rows_of(client.get("/projects/YK44/hotspots?level=high").get_data(as_text=True)) == ["YK-001"]
    assert rows_of(client.get("/projects/YK44/hotspots?level=medium").get_data(as_text=True)) == ["YK-002"]
    low = client.get("/projects/YK44/hotspots?level=low").get_data(as_text=True)
    assert rows_of(low) == ["YK-003"] and "Không có yếu tố nguy cơ nào." in low
    assert rows_of(client.get("/projects/YK44/hotspots?level=all").get_data(as_text=True)) == ["YK-001", "YK-002", "YK-003"]
    html = client.get("/projects/YK44/hotspots?level=nonsense").get_data(as_text=True)
    assert rows_of(html) == ["YK-001", "YK-002"]  # an unknown level falls back to the default
    assert re.search(r'aria-current="page">Cần chú ý <span class="count">2</span>', html)


def test_another_wards_project_is_not_found(client, db):
    world(db)
    sign_in(client, "canbo_cn")
    assert client.get("/projects/YK44/hotspots").status_code == 404
    assert client.get("/projects/TBT30/hotspots").status_code == 200


# --- the factors page --------------------------------------------------------------------------------


def factor_form(**changes: int) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for factor in RISK_FACTORS:
        data[f"weight_{factor.code}"] = changes.get(f"weight_{factor.code}", factor.weight)
        if factor.threshold is not None:
            data[f"threshold_{factor.code}"] = changes.get(f"threshold_{factor.code}", factor.threshold)
    return data


def test_an_administrator_raises_a_weight_and_the_ranking_follows(client, db):
    world(db)
    sign_in(client, "quantri")
    page = client.get("/reference/risk-factors").get_data(as_text=True)
    assert 'name="weight_vulnerable"' in page and 'name="threshold_gap"' in page
    assert 'name="threshold_vulnerable"' not in page  # a yes/no factor has no threshold
    assert "từ 60 điểm trở lên" in page and "từ 30 đến dưới 60 điểm" in page  # how the levels work
    token = csrf_token(client, "/reference/risk-factors")
    response = client.post("/reference/risk-factors", data={**factor_form(weight_vulnerable=100), "csrf_token": token},
                           follow_redirects=True)
    assert response.request.path == "/reference/risk-factors"
    history = response.get_data(as_text=True)
    assert "Đã lưu 1 thay đổi" in history and re.search(r"<del>10</del> → <ins>100</ins>", history)
    assert db.session.scalar(sa.select(RiskFactor.weight).where(RiskFactor.code == "vulnerable")) == 100
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.entity == "risk_factor").order_by(AuditEntry.id.desc()))
    assert entry.action == "update" and entry.changes == {"weight": [10, 100]} and entry.actor == "Quantri"
    # Yếu (15 + 100 + 25) now outranks Nóng (95).
    assert rows_of(client.get("/projects/YK44/hotspots").get_data(as_text=True)) == ["YK-002", "YK-001"]


def test_weights_and_thresholds_out_of_range_are_refused_naming_the_field(client, db):
    world(db)
    sign_in(client, "quantri")
    token = csrf_token(client, "/reference/risk-factors")
    response = client.post("/reference/risk-factors", data={**factor_form(weight_gap=101, threshold_no_contact=0), "csrf_token": token})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Số phải trong khoảng 0 đến 100." in html and "Số phải trong khoảng 1 đến 10000." in html
    data = factor_form()
    data["weight_stalled"] = "nhiều"
    response = client.post("/reference/risk-factors", data={**data, "csrf_token": token})
    assert response.status_code == 422 and "Phải là số nguyên." in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(RiskFactor.weight).where(RiskFactor.code == "gap")) == 30
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry).where(AuditEntry.entity == "risk_factor")) == 0


def test_an_officer_reads_the_factors_but_cannot_change_them(client, db):
    world(db)
    sign_in(client, "canbo")
    page = client.get("/reference/risk-factors")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Mức hộ đề nghị cao hơn giá trị bồi thường" in html and "15 %" in html and "30 ngày" in html
    assert "<input" not in html.split('class="risk-factors-form"')[1].split("</form>")[0]
    assert "Chỉ quản trị hệ thống được sửa điểm và ngưỡng." in html
    token = csrf_token(client, "/projects/")
    response = client.post("/reference/risk-factors", data={**factor_form(weight_gap=0), "csrf_token": token})
    assert response.status_code == 403
    assert db.session.scalar(sa.select(RiskFactor.weight).where(RiskFactor.code == "gap")) == 30


# --- the to-do page ----------------------------------------------------------------------------------


def dialogue_world(db: Any) -> dict[str, Any]:
    """Households after a consultation: Xa still disagrees 70 days on (window closed), Gần agrees
    in part 52 days on (window closing), Đã had her dialogue, Thuận agrees, Duyệt's plan is approved.
    Plus a promise due in five days."""
    hbt = f.unit("Phường Hai Bà Trưng")
    f.user("truongnhom", Role.LEAD, hbt)
    project = f.project("TBT", [hbt])
    cases = {
        name: f.case(project, f.party(f"Hộ {name}", hbt), f"TB-{n:02d}", status)
        for n, (name, status) in enumerate([
            ("Xa", CaseStatus.POSTED), ("Gần", CaseStatus.POSTED), ("Đã", CaseStatus.POSTED),
            ("Thuận", CaseStatus.POSTED), ("Duyệt", CaseStatus.PLAN_APPROVED),
        ], start=1)
    }
    meet(project, [{"case_id": cases["Xa"].id, "position": "disagrees"}, {"case_id": cases["Đã"].id, "position": "disagrees"},
                   {"case_id": cases["Duyệt"].id, "position": "disagrees"}], 70, kind="consultation")
    meet(project, [{"case_id": cases["Đã"].id, "position": "disagrees"}], 20, kind="dialogue")
    meet(project, [{"case_id": cases["Gần"].id, "position": "partly"}, {"case_id": cases["Thuận"].id, "position": "agrees"}],
         52, kind="consultation")
    meet(project, [{"case_id": cases["Gần"].id, "position": "partly"}], 2, commitments=[{
        "case_id": cases["Gần"].id, "what": "Trả lời về tái định cư tại chỗ", "responsible": "Lê Thị Hoa",
        "due_on": today() + timedelta(days=5)}])
    db.session.commit()
    return {"project": project, **cases}


def window_end(db: Any, n_days_ago: int) -> date:
    """The last day of the dialogue window opened by a consultation ``n_days_ago``."""
    step = db.session.scalar(sa.select(ProcedureStep).where(ProcedureStep.code == "dialogue"))
    holidays = set(db.session.scalars(sa.select(PublicHoliday.day)))
    return add_period(today() - timedelta(days=n_days_ago), step.period_days, step.period_kind, holidays)


def test_the_todo_page_lists_promises_and_dialogue_windows_overdue_first(client, db):
    dialogue_world(db)
    sign_in(client, "truongnhom")
    html = client.get("/todo/").get_data(as_text=True)
    overdue, rest = html.split('id="upcoming"')
    upcoming, hot = rest.split('id="hotspots"')
    label = "Hạn đối thoại với hộ còn ý kiến khác"
    # Xa: 60 days from the consultation 70 days ago have run out.
    xa = overdue.split("Hộ Xa")[0].rsplit("<tr", 1)[1]
    assert label in xa and vndate(window_end(db, 70)) in xa and "quá hạn" in xa and 'class="kind-dialogue_due row-error"' in xa
    assert "Luật Đất đai 2024, Điều 87 khoản 3 điểm a" in overdue
    assert f"Họp lấy ý kiến ngày {vndate(today() - timedelta(days=70))}; ý kiến gần nhất của hộ: Không đồng ý" in overdue
    # Gần: the window closes within the fortnight; her promise is due in five days.
    assert "Hộ Gần" in upcoming and label in upcoming and vndate(window_end(db, 52)) in upcoming
    assert "Cam kết với hộ: Trả lời về tái định cư tại chỗ" in upcoming and "Người chịu trách nhiệm: Lê Thị Hoa" in upcoming
    assert "còn 5 ngày" in upcoming
    meeting_link = re.search(r'href="(/projects/TBT/[^"]+)">Biên bản gặp ngày ' + re.escape(vndate(today() - timedelta(days=2))), upcoming)
    assert meeting_link and ("/meetings/" in meeting_link.group(1) or "/cases/" in meeting_link.group(1))
    assert client.get(meeting_link.group(1)).status_code == 200
    # Not listed: had a dialogue, agrees, or the plan is approved.
    for name in ("Hộ Đã", "Hộ Thuận", "Hộ Duyệt"):
        assert name not in overdue + upcoming, name


def test_an_overdue_promise_stands_out_and_the_hotspots_come_with_their_reasons(client, db):
    w = world(db)
    sign_in(client, "canbo")
    html = client.get("/todo/").get_data(as_text=True)
    overdue, rest = html.split('id="upcoming"')
    promise = overdue.split("Cam kết với hộ: Gửi lại biên bản đo đạc")[0].rsplit("<tr", 1)[1]
    assert "row-error" in promise and "quá hạn 5 ngày" in promise
    assert "Nguyễn Văn Nóng" in overdue.split("Cam kết với hộ: Gửi lại biên bản đo đạc")[1].split("</tr>")[0]
    hot = rest.split('id="hotspots"')[1]
    assert "Điểm nóng (2)" in hot
    assert hot.index("YK-001") < hot.index("YK-002") and "YK-003" not in hot
    assert f'href="/projects/YK44/cases/{w["nong"].id}"' in hot
    assert "Khiếu nại nhận" in hot and "Hộ nghèo; người cao tuổi sống một mình" in hot
    assert "Lê Văn Khác" not in hot  # another ward's household
    assert 'href="/projects/YK44/hotspots"' in hot


def test_the_todo_page_costs_the_same_queries_with_more_promises_meetings_and_hotspots(client, db):
    w = world(db)
    sign_in(client, "canbo")
    with counting_queries() as few:
        assert client.get("/todo/").status_code == 200
    for n in range(8):
        case = f.case(w["project"], f.party(f"Hộ số {n}", w["hbt"], is_poor=True), f"YK-1{n:02d}", CaseStatus.POSTED)
        meet(w["project"], [{"case_id": case.id, "position": "disagrees"}], 40 + n, kind="consultation", commitments=[{
            "case_id": case.id, "what": f"Việc {n}", "responsible": "Trần Văn Cán", "due_on": today() - timedelta(days=n)}])
    db.session.commit()
    with counting_queries() as many:
        html = client.get("/todo/").get_data(as_text=True)
    assert len(many) == len(few)
    assert html.count("Cam kết với hộ: Việc") == 8


# --- the map coloured by risk -------------------------------------------------------------------


def test_the_geojson_carries_each_parcels_highest_risk_when_asked(client, db):
    world(db)
    sign_in(client, "canbo")
    plain = features(client.get("/projects/YK44/map/parcels.geojson"))
    assert all("risk" not in feature["properties"] for feature in plain.values())  # the status map is unchanged
    found = features(client.get("/projects/YK44/map/parcels.geojson?colour=risk"))
    assert {no: feature["properties"]["risk"] for no, feature in found.items()} == {
        "1": "high", "2": "medium", "3": "high", "4": "no_case",  # 3: Ổn is low, Nóng high → high
    }
    assert found["3"]["properties"]["status"] == "posted"
    zoomed = features(client.get("/projects/YK44/map/parcels.geojson?colour=risk&zoom=17&status=notified&bbox=105.85,21.01,105.87,21.03"))
    assert {no: feature["properties"]["risk"] for no, feature in zoomed.items()} == {"2": "medium"}
    officer = db.session.scalar(sa.select(User).where(User.username == "canbo"))
    api = client.get("/api/v1/projects/YK44/parcels.geojson?colour=risk", headers=bearer(db, officer))
    assert api.get_data(as_text=True) == client.get("/projects/YK44/map/parcels.geojson?colour=risk").get_data(as_text=True)
    bad = client.get("/projects/YK44/map/parcels.geojson?colour=rainbow")
    assert bad.status_code == 400 and bad.get_json()["error"]["field"] == "colour"


def test_the_map_page_has_the_toggle_and_a_legend_per_risk_level(client, db):
    world(db)
    sign_in(client, "canbo")
    html = client.get("/projects/YK44/map").get_data(as_text=True)
    assert "Tô màu theo:" in html and "Tiến độ" in html and "Nguy cơ điểm nóng" in html
    assert re.search(r'<input type="radio" name="colour" value="status"\s+checked>', html)
    config = json.loads(re.search(r'id="map-config">(.*?)</script>', html, re.S).group(1))
    assert config["riskColours"] == parcel_map.RISK_COLOURS and config["colour"] == "status"
    risk_legend = html.split('data-legend="risk"')[1].split("</table>")[0]
    counts = dict(re.findall(r'data-risk="(\w+)">.*?<td class="num">(\d+)</td>', risk_legend, re.S))
    assert counts == {"high": "2", "medium": "1", "no_case": "1"}
    assert "Mức nguy cơ" in risk_legend and "m²" in risk_legend
    # A link asking for the risk map opens in risk mode, and so do its print links.
    html = client.get("/projects/YK44/map?colour=risk").get_data(as_text=True)
    assert re.search(r'<input type="radio" name="colour" value="risk"\s+checked>', html)
    assert "/projects/YK44/map/print?paper=A4&amp;colour=risk" in html


def test_the_popup_tells_the_risk_and_its_reasons(client, db):
    w = world(db)
    sign_in(client, "canbo")
    html = client.get(f"/projects/YK44/map/parcels/{w['parcels'][2].id}").get_data(as_text=True)
    assert "Nguy cơ điểm nóng: <strong>Điểm nóng</strong>" in html
    assert "95 điểm" in html and "Khiếu nại nhận" in html
    html = client.get(f"/projects/YK44/map/parcels/{w['parcels'][3].id}").get_data(as_text=True)
    assert "Nguy cơ điểm nóng" not in html  # no case holds it


def test_the_print_map_prints_in_risk_colours(client, db):
    world(db)
    sign_in(client, "canbo")
    html = client.get("/projects/YK44/map/print?paper=A3&colour=risk").get_data(as_text=True)
    assert "Bản đồ nguy cơ điểm nóng" in html and 'class="print-page paper-a3"' in html
    svg = re.search(r"<svg class=\"print-map\".*?</svg>", html, re.S).group(0)
    fills = re.findall(r'<path d="M[^"]+" fill="(#[0-9a-f]{6})" fill-opacity', svg)
    colours = parcel_map.RISK_COLOURS
    assert sorted(fills) == sorted([colours["high"], colours["medium"], colours["high"], colours["no_case"]])
    assert "Mức nguy cơ" in html and "Điểm nóng" in html
    assert 'href="/projects/YK44/map/print?paper=A4&amp;colour=risk"' in html


def test_the_risk_map_endpoints_run_a_fixed_number_of_queries(client, db):
    w = world(db)
    sign_in(client, "canbo")
    urls = ("/projects/YK44/map", "/projects/YK44/map/parcels.geojson?colour=risk&zoom=17",
            f"/projects/YK44/map/parcels/{w['parcels'][2].id}", "/projects/YK44/map/print?colour=risk",
            "/projects/YK44/hotspots")

    def counts() -> dict[str, int]:
        result = {}
        for url in urls:
            with counting_queries() as statements:
                assert client.get(url).status_code == 200, url
            result[url] = len(statements)
        return result

    few = counts()
    for n in range(10):
        case = f.case(w["project"], f.party(f"Hộ số {n}", w["hbt"], is_poor=n % 2 == 0), f"YK-2{n:02d}", CaseStatus.POSTED)
        add_holding(case, f.parcel(w["project"], str(50 + n), lon=105.8600 + n * 0.0003), "land_user", Decimal(100))
        add_holding(case, w["parcels"][3], "co_user", Decimal(5))
        meet(w["project"], [{"case_id": case.id, "position": "disagrees"}], 35 + n)
    db.session.commit()
    assert counts() == few


def test_a_long_ranked_list_comes_in_pages_worst_first(client, db, monkeypatch):
    from clearance.views import hotspots as hotspot_views

    world(db)
    monkeypatch.setattr(hotspot_views, "RANKED_PAGE_SIZE", 2)
    sign_in(client, "canbo")
    first = client.get("/projects/YK44/hotspots?level=all").get_data(as_text=True)
    second = client.get("/projects/YK44/hotspots?level=all&page=2").get_data(as_text=True)
    assert rows_of(first) == ["YK-001", "YK-002"] and rows_of(second) == ["YK-003"]
    assert "Trang 1/2 · 3 bản ghi" in first and "page=2" in first
    assert rows_of(client.get("/projects/YK44/hotspots?level=all&page=99").get_data(as_text=True)) == ["YK-003"]


def test_a_long_todo_list_shows_the_most_urgent_lines_and_the_rest_on_request(client, db, monkeypatch):
    from clearance.views import todo as todo_views

    dialogue_world(db)
    monkeypatch.setattr(todo_views, "SECTION_LIMIT", 1)
    sign_in(client, "truongnhom")
    full = client.get("/todo/?all=1").get_data(as_text=True)
    short = client.get("/todo/").get_data(as_text=True)
    full_upcoming = full.split('id="upcoming"')[1].split('id="hotspots"')[0]
    lines = full_upcoming.count("<tr class=")
    assert lines > 1
    upcoming = short.split('id="upcoming"')[1].split('id="hotspots"')[0]
    assert upcoming.count("<tr class=") == 1
    assert f"Đang hiện 1 việc gấp nhất trong {lines}." in upcoming and "/todo/?all=1#upcoming" in upcoming
