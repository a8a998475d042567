"""What an officer sees in a real browser (Debian Chromium), on a phone and on a laptop."""

from __future__ import annotations

import pytest

from tests.browser.conftest import screenshot, sign_in

pytestmark = pytest.mark.browser


def no_sideways_scroll(page) -> bool:  # type: ignore[no-untyped-def]
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_a_team_lead_signs_in_on_a_phone_and_reaches_a_case(live_server, phone):
    sign_in(phone, live_server)
    assert phone.get_by_text("44 Yết Kiêu").first.is_visible()
    assert no_sideways_scroll(phone)
    screenshot(phone, "phone-projects")

    phone.get_by_role("link", name="Trụ sở làm việc Bộ Công an tại số 44 Yết Kiêu").click()
    assert phone.get_by_text("Hồ sơ theo trạng thái").is_visible()
    assert no_sideways_scroll(phone)
    screenshot(phone, "phone-dashboard")

    phone.get_by_role("link", name="Hồ sơ", exact=True).click()
    phone.locator("table.list tbody tr a").first.click()
    assert phone.get_by_text("Thửa đất trong hồ sơ").is_visible()
    assert phone.get_by_text("Lịch sử thay đổi").is_visible()
    screenshot(phone, "phone-case")


def test_a_wrong_citizen_id_is_explained_and_the_typed_name_stays(live_server, phone):
    sign_in(phone, live_server, "canbo")
    phone.goto(f"{live_server}/households/new")
    phone.fill("#name", "Đỗ Thị Thử Nghiệm")
    phone.fill("#id_number", "12345678")
    phone.get_by_role("button", name="Lưu").click()
    assert phone.get_by_text("Số CCCD phải gồm đúng 12 chữ số.").is_visible()
    assert phone.input_value("#name") == "Đỗ Thị Thử Nghiệm"
    screenshot(phone, "phone-household-error")


def test_the_dashboard_and_lists_on_a_laptop(live_server, laptop):
    sign_in(laptop, live_server)
    laptop.goto(f"{live_server}/projects/BCA-TBT30")
    assert laptop.get_by_text("Căn cứ pháp lý").is_visible()
    screenshot(laptop, "laptop-dashboard")
    laptop.goto(f"{live_server}/projects/BCA-TBT30/parcels/")
    assert laptop.locator("table.list tbody tr").count() > 5
    screenshot(laptop, "laptop-parcels")
    laptop.goto(f"{live_server}/reference/land-prices")
    assert laptop.get_by_text("296.601.000").first.is_visible()
    screenshot(laptop, "laptop-prices")


def test_a_ward_officer_saves_a_project_that_crosses_into_the_other_ward(live_server, laptop):
    sign_in(laptop, live_server, "canbo")
    laptop.goto(f"{live_server}/projects/BCA-YK44/edit")
    laptop.fill("#handover_deadline", "15/12/2026")
    laptop.get_by_role("button", name="Lưu").click()
    assert laptop.get_by_text("Đã lưu dự án BCA-YK44.").is_visible()
    assert laptop.get_by_text("15/12/2026").is_visible()
    laptop.get_by_role("link", name="Lịch sử thay đổi").click()
    assert laptop.get_by_text("Hạn bàn giao").first.is_visible()
    screenshot(laptop, "laptop-project-history")
