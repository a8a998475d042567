"""Logging a visit on a phone (390 px, Debian Chromium): from the case page, two screens, big
choices, a draft that survives a reload, and the minutes saved with the household's position and
the promise made."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from clearance.formatting import LOCAL_TZ
from tests.browser.conftest import screenshot, sign_in

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp/shots")


def shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    """The whole page. The bar with "Tiếp"/"Lưu" sticks to the bottom of the phone's screen; in
    a picture of the whole page it is drawn where it stands in the flow."""
    SHOTS.mkdir(exist_ok=True)
    style = page.add_style_tag(content=".screen-nav { position: static !important; }")
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    screenshot(page, name)
    style.evaluate("el => el.remove()")


def no_sideways_scroll(page) -> bool:  # type: ignore[no-untyped-def]
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_an_officer_logs_a_visit_on_a_phone_in_two_screens(live_server, phone):
    sign_in(phone, live_server, "canbo")
    phone.goto(f"{live_server}/projects/BCA-YK44/cases/")
    phone.locator("table.list tbody tr a").first.click()
    phone.wait_for_url(re.compile(r".*/cases/\d+$"))
    household = phone.locator("h1").inner_text().strip()
    case_url = phone.url

    phone.locator("#meetings").get_by_role("link", name="Ghi cuộc gặp").click()
    phone.wait_for_url(re.compile(r".*/meetings/new\?case_id=\d+$"))
    form_url = phone.url

    # Screen 1: the meeting. Only it is shown; the household of the case is already ticked.
    screen1, screen2 = phone.locator("[data-screen='1']"), phone.locator("[data-screen='2']")
    assert screen1.is_visible() and not screen2.is_visible()
    assert phone.locator("[data-steps] [aria-current=step]").inner_text().endswith("Cuộc gặp")
    ticked = phone.locator("input[name=case_ids]:checked")
    assert ticked.count() == 1 and household in ticked.get_attribute("data-label")
    case_id = ticked.get_attribute("value")
    assert phone.get_by_label("Vận động, thuyết phục tại nhà").is_checked()
    tap = phone.locator(".kinds label.choice").filter(has_text="Đối thoại").bounding_box()
    assert tap["height"] >= 44  # a choice a thumb can hit
    phone.fill("#place", "Nhà văn hóa tổ dân phố 3")
    phone.fill("#attendees-1-name", "Nguyễn Thị Hòa")
    phone.locator("[name='attendees-1-role']").fill("Con gái chủ hộ")
    phone.get_by_role("button", name="Thêm người tham dự").click()
    phone.fill("#attendees-3-name", "Lê Thị Mặt")
    phone.locator("[name='attendees-3-side']").select_option("fatherland_front")
    assert no_sideways_scroll(phone)
    shot(phone, "meeting-phone-1")

    # The network drops, the page reloads: what was typed is offered back.
    phone.wait_for_timeout(500)
    phone.reload()
    offer = phone.locator("[data-draft-offer]")
    offer.wait_for(state="visible")
    assert "bản nháp" in offer.inner_text() and household in offer.inner_text()
    assert phone.input_value("#place") != "Nhà văn hóa tổ dân phố 3"
    offer.get_by_role("button", name="Khôi phục bản nháp").click()
    assert phone.input_value("#place") == "Nhà văn hóa tổ dân phố 3"
    assert phone.input_value("#attendees-1-name") == "Nguyễn Thị Hòa"
    assert phone.input_value("#attendees-3-name") == "Lê Thị Mặt"  # the row added by hand comes back too
    assert phone.locator("input[name=case_ids]:checked").count() == 1

    # Screen 2: what was said, where the household stands, what was promised.
    phone.get_by_role("button", name="Tiếp: nội dung").click()
    assert screen2.is_visible() and not screen1.is_visible()
    block = phone.locator("[data-household]:visible")
    assert block.count() == 1 and household in block.locator("[data-hh-label]").inner_text()
    block.get_by_label("Giá bồi thường").check()
    block.get_by_label("Hộ nêu (ghi đúng lời của hộ)").first.fill("Giá đền bù thấp hơn giá thị trường")
    block.get_by_label("Đã trả lời, giải thích").first.fill("Giá theo bảng giá đất 2026")
    block.get_by_label("Không đồng ý", exact=True).check()
    demand = block.locator("input[data-money]")
    demand.fill("5000000000")
    demand.blur()
    assert demand.input_value() == "5.000.000.000"
    due = (datetime.now(LOCAL_TZ).date() + timedelta(days=16)).strftime("%d/%m/%Y")
    phone.fill("#commitments-0-what", "Gửi lại biên bản đo đạc")
    phone.locator("[name='commitments-0-responsible']").fill("Cán bộ địa chính")
    phone.locator("[name='commitments-0-due_on']").fill(due)
    phone.locator("[name='commitments-0-case']").select_option(case_id)
    assert no_sideways_scroll(phone)
    shot(phone, "meeting-phone-2")

    phone.get_by_role("button", name="Lưu biên bản").click()
    phone.wait_for_url(re.compile(r".*/meetings/\d+$"))
    assert phone.get_by_text("Đã lưu biên bản").is_visible()
    assert phone.locator(".household-minutes .badge.pos-disagrees").inner_text() == "Không đồng ý"
    assert phone.get_by_text("Giá đền bù thấp hơn giá thị trường").is_visible()
    assert phone.get_by_text("5.000.000.000 đ").is_visible()
    assert phone.locator("#commitments").get_by_text("Gửi lại biên bản đo đạc").is_visible()
    assert phone.get_by_text("Nguyễn Thị Hòa").is_visible()
    assert "Lê Thị Mặt" in phone.locator("#attendees").inner_text().split("Mặt trận Tổ quốc", 1)[1]
    assert no_sideways_scroll(phone)
    shot(phone, "meeting-phone-saved")
    # Saved: the phone forgets the draft, and the form opens clean.
    assert phone.evaluate("Object.keys(localStorage).filter(k => k.startsWith('gpmb-meeting-draft')).length") == 0
    phone.goto(form_url)
    assert phone.locator("[data-draft-offer]").is_hidden()

    # The case page lists the visit with the household's position.
    phone.goto(case_url)
    section = phone.locator("#meetings")
    assert section.get_by_text("Vận động, thuyết phục tại nhà").first.is_visible()
    assert section.locator(".badge.pos-disagrees").first.is_visible()
    assert section.get_by_text("Gửi lại biên bản đo đạc").is_visible()
