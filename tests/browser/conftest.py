"""A live server on a fresh SpatiaLite file with the demo loaded, and Debian's Chromium driven by
Playwright (never a downloaded browser)."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.conftest import make_app

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
    "--lang=vi-VN",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from flask_migrate import upgrade

    from clearance.audit import acting_as
    from clearance.demo import load_demo
    from clearance.extensions import db

    path = tmp_path_factory.mktemp("live") / "live.sqlite"
    app = make_app(f"sqlite:///{path}", WTF_CSRF_ENABLED=True, LOGIN_MAX_FAILURES=50)
    with app.app_context():
        upgrade()
        with acting_as(None, "demo"):
            load_demo()
        db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: `make test` installs Debian's chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture()
def phone(browser):  # type: ignore[no-untyped-def]
    """A 390 px wide touch screen, like the officers' phones."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True, has_touch=True, locale="vi-VN")
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture()
def laptop(browser):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="vi-VN")
    page = context.new_page()
    yield page
    context.close()


def screenshot(page, name: str) -> Path:  # type: ignore[no-untyped-def]
    ARTIFACTS.mkdir(exist_ok=True)
    target = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(target), full_page=True)
    return target


def sign_in(page, base: str, username: str = "truongnhom") -> None:  # type: ignore[no-untyped-def]
    from config import Config

    page.goto(f"{base}/login")
    page.fill("#username", username)
    page.fill("#password", Config.DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/projects/")
