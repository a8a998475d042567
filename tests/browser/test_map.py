"""The project map in a real browser (Debian Chromium) on the demo data: parcels drawn in their
status colours, a click opens the parcel's cases, search, filters, the phone layout, the print map."""

from __future__ import annotations

import shutil
import subprocess
from typing import Any

import pytest

from clearance.services.parcel_map import RISK_COLOURS, STATUS_COLOURS
from tests.browser.conftest import ARTIFACTS, screenshot, sign_in

pytestmark = pytest.mark.browser

MAP = "/projects/BCA-YK44/map"

#: (status, fill colour, parcel id, parcel no) of every parcel Leaflet holds.
DRAWN = """() => {
  const out = [];
  window.clearanceMap.parcels.eachLayer((layer) => out.push(
    [layer.feature.properties.status, layer.options.fillColor, layer.feature.properties.id, layer.feature.properties.parcel_no]));
  return out;
}"""
#: The page coordinates of a parcel's centre.
CENTRE = """(id) => {
  const m = window.clearanceMap, layer = m.byId.get(id);
  const point = m.map.latLngToContainerPoint(layer.getCenter());
  const box = m.map.getContainer().getBoundingClientRect();
  return [box.left + point.x, box.top + point.y];
}"""


def open_map(page: Any, base: str, user: str = "truongnhom") -> list[list[Any]]:
    sign_in(page, base, user)
    page.goto(f"{base}{MAP}")
    page.wait_for_selector("body[data-map-ready='1']")
    return page.evaluate(DRAWN)


def no_sideways_scroll(page: Any) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_parcels_are_drawn_in_their_status_colours_and_a_click_leads_to_the_case(live_server, laptop):
    drawn = open_map(laptop, live_server)
    assert len(drawn) >= 15
    for status, colour, _id, _no in drawn:
        assert colour == STATUS_COLOURS[status], status
    assert len({status for status, *_ in drawn}) >= 3
    assert laptop.locator("#map-legend").get_attribute("open") is not None  # open on a laptop
    assert laptop.locator("#map-status").inner_text().startswith("Đang hiển thị")
    screenshot(laptop, "laptop-map")

    # Click a parcel held by a case: the popup tells its case and links to the case page.
    status, _colour, parcel_id, parcel_no = next(d for d in drawn if d[0] != "no_case")
    x, y = laptop.evaluate(CENTRE, parcel_id)
    laptop.mouse.click(x, y)
    popup = laptop.locator(f".map-popup[data-parcel-id='{parcel_id}']")
    popup.wait_for()
    assert popup.get_by_text(f"Thửa {parcel_no}, tờ").is_visible()
    item = popup.locator(".map-popup-cases li").first
    case_code = item.locator("a").inner_text().removeprefix("Hồ sơ ").strip()
    household = item.inner_text().split("·", 1)[1].split("\n")[0].strip()
    laptop.wait_for_timeout(400)  # the popup fades in
    screenshot(laptop, "laptop-map-popup")
    item.locator("a").click()
    laptop.wait_for_url(f"{live_server}/projects/BCA-YK44/cases/*")
    assert case_code in laptop.locator(".case-head .eyebrow").inner_text()
    assert laptop.locator("h1").inner_text() == household
    assert laptop.locator("#parcels").get_by_text(f"Thửa {parcel_no}, tờ").first.is_visible()
    screenshot(laptop, "laptop-map-case")


def test_filters_redraw_only_the_chosen_status(live_server, laptop):
    open_map(laptop, live_server)
    laptop.select_option("select[name=status]", "handed_over")
    laptop.wait_for_selector("body[data-map-draws='2']")
    drawn = laptop.evaluate(DRAWN)
    assert drawn and {status for status, *_ in drawn} == {"handed_over"}
    assert "status=handed_over" in laptop.url  # the filter stays in the address
    legend_count = laptop.locator("#map-legend tr[data-status='handed_over'] td.num").first.inner_text()
    assert int(legend_count) == len(drawn)  # every handed-over parcel of the project is in view


def test_on_a_phone_the_map_fills_the_width_and_search_opens_the_parcel(live_server, phone):
    drawn = open_map(phone, live_server)
    assert no_sideways_scroll(phone)
    frame = phone.evaluate("document.getElementById('parcel-map').getBoundingClientRect().width")
    assert frame >= 360  # 390 px screen, 10 px page padding each side
    legend = phone.locator("#map-legend")
    assert legend.get_attribute("open") is None  # folded away on a phone
    screenshot(phone, "phone-map")
    legend.locator("summary").tap()
    assert legend.locator("[data-legend='status'] table").is_visible()
    screenshot(phone, "phone-map-legend")
    legend.locator("summary").tap()

    # Search by parcel number: the map goes to it and opens its popup.
    _status, _colour, parcel_id, parcel_no = drawn[len(drawn) // 2]
    phone.fill("#map-q", parcel_no)
    phone.locator("#map-q").press("Enter")
    phone.locator(f".map-popup[data-parcel-id='{parcel_id}']").wait_for()
    assert phone.locator(".map-hit").first.is_visible()
    # Search by a household name taken from that popup: it finds the same parcel.
    names = phone.locator(".map-popup-cases li")
    if names.count():
        name = names.first.inner_text().split("·", 1)[1].split("\n")[0].strip()
        phone.fill("#map-q", name)
        phone.locator("#map-q").press("Enter")
        phone.wait_for_selector(f".map-hit[data-parcel-id='{parcel_id}']")
        phone.locator(f".map-popup[data-parcel-id='{parcel_id}']").wait_for()
    phone.wait_for_timeout(500)  # the popup fades in and the map pans to show it whole
    assert no_sideways_scroll(phone)
    screenshot(phone, "phone-map-search")


def test_the_print_map_renders_to_one_landscape_page(live_server, laptop):
    sign_in(laptop, live_server)
    for paper, size in (("A4", "841.92 x 594.96"), ("A3", "1191.12 x 841.92")):
        laptop.goto(f"{live_server}{MAP}/print?paper={paper}")
        assert laptop.get_by_text("Chú giải").is_visible()
        assert laptop.locator("svg.print-map path[fill-opacity]").count() >= 15
        screenshot(laptop, f"laptop-map-print-{paper}")
        ARTIFACTS.mkdir(exist_ok=True)
        pdf = ARTIFACTS / f"map-print-{paper}.pdf"
        laptop.emulate_media(media="print")
        laptop.pdf(path=str(pdf), prefer_css_page_size=True, print_background=True)
        laptop.emulate_media(media="screen")
        if not shutil.which("pdfinfo"):
            pytest.fail("pdfinfo not found: `make test` installs poppler-utils")
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
        assert "Pages:           1" in info and size in info, info
        text = subprocess.run(["pdftotext", "-raw", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
        assert "Trụ sở làm việc Bộ Công an tại số 44 Yết Kiêu" in text and "Ngày in" in text and "Tỷ lệ 1:" in text
        subprocess.run(["pdftoppm", "-r", "60", "-png", "-singlefile", str(pdf), str(ARTIFACTS / f"map-print-{paper}")],
                       check=True)


#: (risk, fill colour) of every parcel Leaflet holds.
DRAWN_RISK = """() => {
  const out = [];
  window.clearanceMap.parcels.eachLayer((layer) => out.push([layer.feature.properties.risk, layer.options.fillColor]));
  return out;
}"""


def test_the_map_turns_to_risk_colours_and_back(live_server, laptop):
    drawn = open_map(laptop, live_server)
    assert laptop.locator("#map-legend [data-legend='risk']").is_hidden()
    laptop.get_by_label("Nguy cơ điểm nóng").check()
    laptop.wait_for_selector("body[data-map-draws='2']")
    risks = laptop.evaluate(DRAWN_RISK)
    assert len(risks) == len(drawn)
    for risk, colour in risks:
        assert colour == RISK_COLOURS[risk], risk
    assert {risk for risk, _colour in risks} <= set(RISK_COLOURS)
    assert laptop.locator("#map-legend [data-legend='risk']").is_visible()
    assert laptop.locator("#map-legend [data-legend='status']").is_hidden()
    assert "colour=risk" in laptop.url
    assert "colour=risk" in laptop.locator("a[data-print-link]").first.get_attribute("href")
    legend_total = laptop.locator("#map-legend [data-legend='risk'] tfoot td.num").first.inner_text()
    assert int(legend_total) == len(drawn)  # the whole project is in view
    screenshot(laptop, "laptop-map-risk")
    laptop.get_by_label("Tiến độ").check()
    laptop.wait_for_selector("body[data-map-draws='3']")
    for status, colour, _id, _no in laptop.evaluate(DRAWN):
        assert colour == STATUS_COLOURS[status]
    assert "colour=risk" not in laptop.url
