"""Server time and SQL queries of the main pages on the demo data, on SpatiaLite and (when
BENCH_POSTGIS_URL names a database it may wipe) on PostGIS.

    .venv/bin/python benchmarks/pages.py
    BENCH_POSTGIS_URL=postgresql+psycopg://postgres@/clearance?host=/tmp/pg&port=55432 .venv/bin/python benchmarks/pages.py

Prints, per page: median and worst of 20 requests in ms, and the number of SQL statements.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import event  # noqa: E402

import config  # noqa: E402
from clearance import create_app  # noqa: E402
from clearance.audit import acting_as  # noqa: E402
from clearance.extensions import db  # noqa: E402

RUNS = 20
PAGES = [
    "/projects/", "/projects/BCA-YK44", "/projects/BCA-YK44/cases/", "/projects/BCA-YK44/parcels/",
    "/households/", "/projects/BCA-YK44/cases/1", "/projects/BCA-YK44/history", "/reference/land-prices",
]


def bench(url: str) -> None:
    settings = {k: getattr(config.DevelopmentConfig, k) for k in dir(config.DevelopmentConfig) if k.isupper()}
    settings.update(SQLALCHEMY_DATABASE_URI=url, WTF_CSRF_ENABLED=False)
    app = create_app(settings)
    with app.app_context():
        if url.startswith("postgresql"):
            with db.engine.begin() as conn:
                conn.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public; CREATE EXTENSION postgis")
        from flask_migrate import upgrade

        from clearance.demo import load_demo

        upgrade()
        started = time.perf_counter()
        with acting_as(None, "demo"):
            load_demo()
        db.session.commit()
        print(f"  demo load: {1000 * (time.perf_counter() - started):.0f} ms")
        engine = db.engine
    client = app.test_client()
    client.post("/login", data={"username": "truongnhom", "password": app.config["DEMO_PASSWORD"]})
    statements: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    print(f"  {'page':42} {'median ms':>10} {'max ms':>8} {'queries':>8}")
    for page in PAGES:
        times = []
        for _ in range(RUNS):
            statements.clear()
            started = time.perf_counter()
            response = client.get(page)
            times.append(1000 * (time.perf_counter() - started))
            assert response.status_code == 200, (page, response.status_code)
        print(f"  {page:42} {statistics.median(times):10.1f} {max(times):8.1f} {len(statements):8d}")


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as tmp:
        print("SpatiaLite")
        bench(f"sqlite:///{tmp}/bench.sqlite")
    if os.environ.get("BENCH_POSTGIS_URL"):
        print("PostGIS")
        bench(os.environ["BENCH_POSTGIS_URL"])
