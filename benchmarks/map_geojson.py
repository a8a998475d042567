"""The map's GeoJSON served by the app against the bare SQL that builds it, on both databases.

    .venv/bin/python benchmarks/map_geojson.py            # 20 timed runs per request
    .venv/bin/python benchmarks/map_geojson.py --quick    # 5 runs
    BENCH_POSTGIS_URL=postgresql+psycopg://postgres@/db?host=/tmp/pg&port=5432 .venv/bin/python benchmarks/map_geojson.py

Target (issue): serving the map GeoJSON takes at most 1.5× the bare query.

Set-up, per database: a 10,000-parcel project (synthetic tube-house lots around Hoàn Kiếm,
imported with the app's own import service, so stored in WGS84 with areas, ward and recovered
area), cases for ~30 % of the parcels with statuses spread over the whole procedure (some parcels
held by two cases), a team lead signed in through the login form and an API token.

Measured, each the median of N runs after two warm-up runs, interleaved so that load from
elsewhere on the machine hits all three alike:
  * bare SQL: ``parcel_map.feature_collection_sql(...)`` executed on a connection of the app's
    engine, fetching the text (what the database costs);
  * page: ``GET /projects/<code>/map/parcels.geojson`` through Flask's test client, signed in;
  * API:  ``GET /api/v1/projects/<code>/parcels.geojson`` with ``Authorization: Bearer``.
For the whole project, for a bbox holding about 10 % of the parcels, and for that bbox with
``zoom=17`` (what the map page itself asks: a box and a zoom, coordinates rounded and simplified).
The endpoint bodies are checked to be byte-identical to the bare query's result.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import sqlalchemy as sa
from common import (
    CACHE_DIR,
    Database,
    add_cases,
    api_token,
    create_project,
    create_user,
    databases,
    ensure_commune,
    import_parcels,
    kib,
    median,
    migrated_app,
    print_table,
)
from flask import Flask
from flask.testing import FlaskClient
from synthetic import cached_gpkg

PARCELS = 10_000
PROJECT = "MAP-10K"
USERNAME, PASSWORD = "bench_lead", "bench-password-2026"
TARGET = 1.5


@dataclass
class Request:
    """One map request: a label and its query parameters."""

    label: str
    params: dict[str, str]


@dataclass
class Row:
    database: str
    request: str
    features: int
    size: int
    bare_ms: float
    page_ms: float
    api_ms: float
    page_queries: int
    api_queries: int


def build_project(app: Flask) -> tuple[int, str]:
    """The 10,000-parcel project with cases and a signed-in user; (project id, API token)."""
    import import_vs_ogr2ogr

    path = cached_gpkg(CACHE_DIR, PARCELS)
    minx, miny, maxx, maxy = import_vs_ogr2ogr.synthetic_box(path)
    with app.app_context():
        unit_id = ensure_commune("BENCH-HK", "Phường Hoàn Kiếm", (minx, miny, maxx, maxy))
        # A recovery boundary over the middle of the lots: some parcels are recovered in part.
        inset_x, inset_y = (maxx - minx) * 0.1, (maxy - miny) * 0.1
        project_id = create_project(PROJECT, unit_id, "Benchmark: bản đồ 10.000 thửa",
                                    (minx + inset_x, miny + inset_y, maxx - inset_x, maxy - inset_y))
        started = time.perf_counter()
        written = import_parcels(project_id, [path])
        counts = add_cases(project_id, unit_id, share=0.3)
        print(f"  {written:,} parcels imported, {sum(counts.values()):,} cases added in "
              f"{time.perf_counter() - started:.1f} s; cases per status: "
              + ", ".join(f"{status} {n}" for status, n in sorted(counts.items())))
        user_id = create_user(USERNAME, PASSWORD, unit_id)
        token = api_token(user_id)
    return project_id, token


def requests_for(app: Flask, project_id: int) -> list[Request]:
    """Whole project; a centred bbox with ~10 % of the area (so ~10 % of the parcels); the same
    with zoom 17."""
    from clearance.extensions import db
    from clearance.models import Project
    from clearance.services.parcel_map import project_extent

    with app.app_context():
        minx, miny, maxx, maxy = project_extent(db.session.get(Project, project_id))
    side = 0.1**0.5 / 2
    cx, cy, w, h = (minx + maxx) / 2, (miny + maxy) / 2, maxx - minx, maxy - miny
    bbox = f"{cx - w * side:.6f},{cy - h * side:.6f},{cx + w * side:.6f},{cy + h * side:.6f}"
    return [
        Request("whole project", {}),
        Request("bbox ~10 %", {"bbox": bbox}),
        Request("bbox ~10 %, zoom 17", {"bbox": bbox, "zoom": "17"}),
    ]


def bare_query(app: Flask, project_id: int, params: dict[str, str]) -> tuple[sa.TextClause, dict[str, Any]]:
    from clearance.extensions import db
    from clearance.services import parcel_map

    with app.test_request_context():
        filters = parcel_map.filters_from_args(params)
        return parcel_map.feature_collection_sql(db.engine.dialect.name, project_id, filters)


def measure(app: Flask, client: FlaskClient, auth: dict[str, str], engine: sa.Engine, statements: list[str],
            database: str, project_id: int, request: Request, runs: int) -> Row:
    """Time one request three ways, interleaved; ``statements`` collects the SQL each one runs."""
    statement, params = bare_query(app, project_id, request.params)
    query = ("?" + urlencode(request.params)) if request.params else ""
    page_url = f"/projects/{PROJECT}/map/parcels.geojson{query}"
    api_url = f"/api/v1/projects/{PROJECT}/parcels.geojson{query}"
    with engine.connect() as conn:

        def bare() -> bytes:
            body = str(conn.execute(statement, params).scalar_one()).encode()
            conn.rollback()  # end the read transaction, as a request does (SQLite: the API writes)
            return body

        def page() -> bytes:
            response = client.get(page_url)
            assert response.status_code == 200, (page_url, response.status_code)
            return response.data

        def api() -> bytes:
            response = client.get(api_url, headers=auth)
            assert response.status_code == 200, (api_url, response.status_code, response.data[:300])
            return response.data

        actions = {"bare": bare, "page": page, "api": api}
        expected = bare()
        for name in ("page", "api"):  # warm-up, and the same body as the bare query
            for _ in range(2):
                assert actions[name]() == expected, f"{name}: the body differs from the bare query's"
        bare()
        times: dict[str, list[float]] = {name: [] for name in actions}
        queries: dict[str, int] = {}
        for _ in range(runs):
            for name, action in actions.items():
                statements.clear()
                started = time.perf_counter()
                action()
                times[name].append(1000 * (time.perf_counter() - started))
                queries[name] = len(statements)
    return Row(database, request.label, len(json.loads(expected)["features"]), len(expected), median(times["bare"]),
               median(times["page"]), median(times["api"]), queries["page"], queries["api"])


def bench_database(database: Database, runs: int) -> list[Row]:
    print(f"\n{database.name}: building the project…", flush=True)
    app = migrated_app(database)
    project_id, token = build_project(app)
    client = app.test_client()
    response = client.post("/login", data={"username": USERNAME, "password": PASSWORD})
    assert response.status_code == 302, f"sign-in failed: {response.status_code}"
    auth = {"Authorization": f"Bearer {token}"}
    with app.app_context():
        from clearance.extensions import db

        engine = db.engine
    statements: list[str] = []
    sa.event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))

    rows = []
    for request in requests_for(app, project_id):
        row = measure(app, client, auth, engine, statements, database.name, project_id, request, runs)
        rows.append(row)
        print(f"  {request.label}: {row.features:,} features, bare {row.bare_ms:.1f} ms, "
              f"page {row.page_ms:.1f} ms, API {row.api_ms:.1f} ms", flush=True)
    with app.app_context():
        db.engine.dispose()
    return rows


def report(rows: Sequence[Row], runs: int) -> None:
    print(f"\nMap GeoJSON, {PARCELS:,}-parcel project, median of {runs} runs (ms); target endpoint/bare ≤ {TARGET}×")
    print_table(
        ["database", "request", "features", "body", "bare SQL", "page", "page/bare", "API", "API/bare", "≤1.5×",
         "SQL stmts page/API"],
        [[r.database, r.request, f"{r.features:,}", kib(r.size), f"{r.bare_ms:.1f}", f"{r.page_ms:.1f}",
          f"{r.page_ms / r.bare_ms:.2f}×", f"{r.api_ms:.1f}", f"{r.api_ms / r.bare_ms:.2f}×",
          "yes" if max(r.page_ms, r.api_ms) <= TARGET * r.bare_ms else "NO", f"{r.page_queries}/{r.api_queries}"]
         for r in rows],
    )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="5 runs per request instead of 20")
    parser.add_argument("--runs", type=int, help="timed runs per request (default 20)")
    parser.add_argument("--db", choices=("both", "spatialite", "postgis"), default="both")
    args = parser.parse_args(argv)
    runs = args.runs or (5 if args.quick else 20)
    rows: list[Row] = []
    with databases(args.db) as found:
        for database in found:
            rows += bench_database(database, runs)
    report(rows, runs)


if __name__ == "__main__":
    main()
