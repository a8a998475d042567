"""Time to the first full draw of the project map in a real browser (Debian's Chromium).

    .venv/bin/python benchmarks/map_draw.py            # 5 page loads
    .venv/bin/python benchmarks/map_draw.py --quick    # 2 page loads

Set-up: a SpatiaLite file with the 6,910 real Đan Phượng parcels imported into one project
(``--crs EPSG:5897``, the app's own import service), cases for ~30 % of them with mixed statuses,
a team lead; the app served by werkzeug in a thread on 127.0.0.1.

Each load opens ``/projects/<code>/map`` in a new browser context (cold cache, signed in through
the saved session cookie), 1366×900, headless. static/map.js sets ``data-map-ready="1"`` on
<body> after its first full draw of the parcels (one animation frame after adding them to the
Leaflet canvas); an init script records ``performance.now()`` when that attribute appears, i.e.
milliseconds from navigation start. Also read from the browser's Resource Timing: when map.js
asked for the GeoJSON, the server's time to first byte, the end of the download, and its size on
the wire and decoded. Prints every load and the median.
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from common import (
    DANPHUONG_BOX,
    DANPHUONG_DIR,
    ROOT,
    Database,
    add_cases,
    create_project,
    create_user,
    ensure_commune,
    import_parcels,
    kib,
    median,
    migrated_app,
    print_table,
)
from flask import Flask

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]
PROJECT = "DP-MAP"
USERNAME, PASSWORD = "bench_lead", "bench-password-2026"
VIEWPORT = {"width": 1366, "height": 900}
READY_TIMEOUT_MS = 120_000

#: Runs before the page's own scripts: note when <body data-map-ready="1"> first appears.
RECORD_READY = """
(() => {
  const note = () => {
    if (window.__mapReadyAt === undefined && document.body && document.body.dataset.mapReady === "1") {
      window.__mapReadyAt = performance.now();
    }
  };
  const watch = () => {
    new MutationObserver(note).observe(document.body, { attributes: true, attributeFilter: ["data-map-ready"] });
    note();
  };
  if (document.body) watch(); else document.addEventListener("DOMContentLoaded", watch);
})();
"""

#: What to read from the page once it is ready.
READ_TIMINGS = """
() => {
  const nav = performance.getEntriesByType("navigation")[0];
  const geo = performance.getEntriesByType("resource").filter(e => e.name.includes("parcels.geojson"));
  const first = geo[0];
  return {
    ready: window.__mapReadyAt,
    draws: Number(document.body.dataset.mapDraws || 0),
    domContentLoaded: nav.domContentLoadedEventEnd,
    htmlResponseEnd: nav.responseEnd,
    geojsonRequests: geo.length,
    fetchStart: first ? first.startTime : null,
    ttfb: first ? first.responseStart - first.requestStart : null,
    responseEnd: first ? first.responseEnd : null,
    transferSize: first ? first.transferSize : null,
    decodedSize: first ? first.decodedBodySize : null,
    url: first ? first.name : null,
    features: window.clearanceMap ? window.clearanceMap.byId.size : null,
    zoom: window.clearanceMap ? window.clearanceMap.map.getZoom() : null,
  };
}
"""


def build_app(database: Database) -> tuple[Flask, int]:
    """The Đan Phượng project on a migrated database; (app, parcels)."""
    files = sorted(DANPHUONG_DIR.glob("dc*.geojson"), key=lambda p: int(p.stem[2:]))
    app = migrated_app(database, WTF_CSRF_ENABLED=True)
    with app.app_context():
        unit_id = ensure_commune("BENCH-DP", "Xã Đan Phượng", DANPHUONG_BOX)
        project_id = create_project(PROJECT, unit_id, "Benchmark: bản đồ Đan Phượng")
        started = time.perf_counter()
        parcels = import_parcels(project_id, files, crs=5897)
        counts = add_cases(project_id, unit_id, share=0.3)
        print(f"  {parcels:,} parcels imported, {sum(counts.values()):,} cases added in {time.perf_counter() - started:.1f} s")
        create_user(USERNAME, PASSWORD, unit_id)
    return app, parcels


@contextmanager
def serve(app: Flask) -> Iterator[str]:
    """The app on a free local port, in a thread, as tests/browser does; yields its base URL."""
    from werkzeug.serving import make_server

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()


def signed_in_state(browser: Any, base: str, path: Path) -> Path:
    """Sign in through the login form once and save the cookies for the timed contexts."""
    context = browser.new_context(viewport=VIEWPORT, locale="vi-VN")
    page = context.new_page()
    page.goto(f"{base}/login")
    page.fill("#username", USERNAME)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/projects/")
    context.storage_state(path=str(path))
    context.close()
    return path


def load_map(browser: Any, base: str, state: Path) -> dict[str, Any]:
    """Open the map page in a fresh context and wait for the first full draw."""
    context = browser.new_context(viewport=VIEWPORT, locale="vi-VN", storage_state=str(state))
    try:
        page = context.new_page()
        page.add_init_script(RECORD_READY)
        page.goto(f"{base}/projects/{PROJECT}/map", wait_until="commit")
        page.wait_for_function("() => window.__mapReadyAt !== undefined", timeout=READY_TIMEOUT_MS)
        return page.evaluate(READ_TIMINGS)
    finally:
        context.close()


def report(loads: Sequence[dict[str, Any]], parcels: int) -> None:
    columns = [
        ("HTML done", "htmlResponseEnd"), ("DOMContentLoaded", "domContentLoaded"), ("GeoJSON asked", "fetchStart"),
        ("GeoJSON TTFB", "ttfb"), ("GeoJSON received", "responseEnd"), ("first full draw", "ready"),
    ]
    rows = [[str(n), *(f"{load[key]:.0f}" for _label, key in columns), f"{load['features']:,}"]
            for n, load in enumerate(loads, start=1)]
    rows.append(["median", *(f"{median([load[key] for load in loads]):.0f}" for _label, key in columns), ""])
    print(f"\nMap page, {parcels:,} Đan Phượng parcels, SpatiaLite, Chromium headless {VIEWPORT['width']}×{VIEWPORT['height']}:"
          "\nms from navigation start (TTFB: the GeoJSON request's time to first byte, i.e. server time)")
    print_table(["load", *(label for label, _key in columns), "features drawn"], rows)
    first = loads[0]
    print(f"\nGeoJSON: {first['geojsonRequests']} request(s) before the first draw, {kib(first['transferSize'])} on the wire "
          f"({first['transferSize']:,} bytes; decoded {first['decodedSize']:,} bytes), zoom {first['zoom']}, draws {first['draws']}")
    print(f"  {first['url']}")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="2 page loads instead of 5")
    parser.add_argument("--loads", type=int, help="timed page loads (default 5)")
    args = parser.parse_args(argv)
    loads = args.loads or (2 if args.quick else 5)
    if not (ROOT / "static" / "map.js").exists() or not (ROOT / "clearance" / "views" / "maps.py").exists():
        raise SystemExit("the map page is not there yet (static/map.js, clearance/views/maps.py)")
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        raise SystemExit(f"Chromium not found at {CHROMIUM}: apt-get install chromium (or set CHROMIUM=)")
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="clearance-bench.") as tmp:
        print("SpatiaLite: building the project…", flush=True)
        app, parcels = build_app(Database("SpatiaLite", f"sqlite:///{tmp}/bench.sqlite"))
        with serve(app) as base, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                state = signed_in_state(browser, base, Path(tmp) / "state.json")
                load_map(browser, base, state)  # warm-up: the server's first request, SpatiaLite's caches
                results = []
                for n in range(1, loads + 1):
                    results.append(load_map(browser, base, state))
                    print(f"  load {n}: first full draw at {results[-1]['ready']:.0f} ms", flush=True)
            finally:
                browser.close()
        report(results, parcels)


if __name__ == "__main__":
    main()
