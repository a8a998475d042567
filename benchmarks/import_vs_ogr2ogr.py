"""Our parcel import against GDAL's ogr2ogr, side by side, on SpatiaLite and PostGIS.

    .venv/bin/python benchmarks/import_vs_ogr2ogr.py            # 3 repetitions, 100,000 synthetic parcels
    .venv/bin/python benchmarks/import_vs_ogr2ogr.py --quick    # 1 repetition, 20,000 synthetic parcels
    BENCH_POSTGIS_URL=postgresql+psycopg://postgres@/db?host=/tmp/pg&port=5432 .venv/bin/python benchmarks/import_vs_ogr2ogr.py

Target (issue): our import takes at most 1.5× the time of ogr2ogr loading the same file with the
same reprojection (EPSG:5897 → EPSG:4326) into the same database.

Datasets:
  * Đan Phượng: the 27 real cadastral sheets (6,910 parcels, GeoJSON). Their numbers are
    EPSG:5897 although the files declare 3405, so ours gets ``--crs EPSG:5897`` and ogr2ogr
    ``-s_srs EPSG:5897``.
  * Synthetic: 100,000 Hanoi tube-house lots around Hoàn Kiếm (GeoPackage, EPSG:5897, clean
    coverage), generated once into /tmp/clearance-bench/ (see synthetic.py).

Ours: ONE process for all files, ``flask --app wsgi parcels import FILE... --project CODE --crs
EPSG:5897``, wall clock of the whole command (start-up included), into a fresh project each time.
It reads, validates, repairs, measures (geodesic areas), checks overlaps, finds each parcel's
commune, matches existing parcels and writes an audit entry per parcel; ogr2ogr does none of that.

ogr2ogr: one process per file (27 for Đan Phượng, ``-append`` into one table), into the same
database, the table dropped before each repetition:
  PostGIS     ogr2ogr -f PostgreSQL PG:"…" FILE -nln ogr_parcels -append -nlt MULTIPOLYGON -lco GEOMETRY_NAME=geom
  SpatiaLite  ogr2ogr -f SQLite -update DB.sqlite FILE -nln ogr_parcels -append -nlt MULTIPOLYGON
              -lco GEOMETRY_NAME=geom -lco SPATIAL_INDEX=YES
both with ``-s_srs EPSG:5897 -t_srs EPSG:4326`` (PostGIS: COPY mode, GDAL's default).

Also prints, from one extra in-process import per dataset and database, how our time splits
into reading, checking (preview), writing and committing.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa
from common import (
    CACHE_DIR,
    DANPHUONG_BOX,
    DANPHUONG_DIR,
    ROOT,
    VENV_BIN,
    Database,
    cli_env,
    create_project,
    databases,
    delete_project_rows,
    ensure_commune,
    median,
    migrated_app,
    print_table,
)
from flask import Flask
from synthetic import cached_gpkg

OGR2OGR = shutil.which("ogr2ogr") or "/usr/bin/ogr2ogr"
OGRINFO = shutil.which("ogrinfo") or "/usr/bin/ogrinfo"
OGR_TABLE = "ogr_parcels"
SOURCE_CRS = "EPSG:5897"
TARGET = 1.5


@dataclass
class Dataset:
    name: str
    files: list[Path]
    #: The commune the project belongs to, and a box (WGS84) its boundary is drawn as.
    unit_code: str
    unit_name: str
    unit_box: tuple[float, float, float, float]
    prefix: str


@dataclass
class Timings:
    """Repetitions of one dataset on one database."""

    ours: list[float] = field(default_factory=list)
    ogr: list[float] = field(default_factory=list)
    ours_count: int = 0
    ogr_count: int = 0
    #: Stage → seconds of the in-process import.
    stages: dict[str, float] = field(default_factory=dict)
    #: The CLI's summary of problems ("Vấn đề: …").
    problems: str = ""
    #: Seconds for ``flask --app wsgi parcels import --help``: interpreter, imports, create_app.
    startup: float = 0.0


# --- datasets ----------------------------------------------------------------------------------


def synthetic_box(path: Path) -> tuple[float, float, float, float]:
    """The WGS84 box of a synthetic file, 200 m wider on each side (the commune's boundary)."""
    import numpy as np
    import pyogrio
    import shapely

    from geodata.crs import to_wgs84

    minx, miny, maxx, maxy = pyogrio.read_info(str(path))["total_bounds"]
    corners = to_wgs84(np.asarray([shapely.box(minx - 200, miny - 200, maxx + 200, maxy + 200)], dtype=object), 5897)
    return tuple(float(v) for v in corners[0].bounds)  # type: ignore[return-value]


def load_datasets(synthetic_count: int, only: str) -> list[Dataset]:
    found = []
    if only in ("all", "danphuong"):
        files = sorted(DANPHUONG_DIR.glob("dc*.geojson"), key=lambda p: int(p.stem[2:]))
        if len(files) != 27:
            sys.exit(f"expected 27 Đan Phượng sheets in {DANPHUONG_DIR}, found {len(files)}")
        found.append(Dataset("Đan Phượng, 27 GeoJSON", files, "BENCH-DP", "Xã Đan Phượng", DANPHUONG_BOX, "DP"))
    if only in ("all", "synthetic"):
        started = time.perf_counter()
        path = cached_gpkg(CACHE_DIR, synthetic_count)
        if time.perf_counter() - started > 1:
            print(f"  wrote {path} in {time.perf_counter() - started:.0f} s")
        found.append(Dataset(f"synthetic {synthetic_count:,}, GPKG", [path], "BENCH-HK", "Phường Hoàn Kiếm",
                             synthetic_box(path), "HK"))
    return found


# --- our import ------------------------------------------------------------------------------


def run_ours(app: Flask, database: Database, dataset: Dataset, unit_id: int, code: str) -> tuple[float, int, str]:
    """Import through the CLI into a new project; (seconds, parcels in the project, problem line)."""
    from clearance.extensions import db

    with app.app_context():
        project_id = create_project(code, unit_id)
        db.engine.dispose()  # no connection of ours open on the file while the CLI writes
    command = [str(VENV_BIN / "flask"), "--app", "wsgi", "parcels", "import", *map(str, dataset.files),
               "--project", code, "--crs", SOURCE_CRS]
    started = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, env=cli_env(database), capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"our import failed ({done.returncode}):\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    problems = next((line for line in done.stdout.splitlines() if line.startswith(("Vấn đề", "Không có lỗi"))), "")
    with app.app_context():
        count = db.session.scalar(sa.text("SELECT count(*) FROM parcel WHERE project_id = :p"), {"p": project_id})
        delete_project_rows(project_id)
        db.session.remove()
        db.engine.dispose()
    return elapsed, int(count or 0), problems


def cli_startup(database: Database, runs: int = 3) -> float:
    """Median wall clock of ``flask --app wsgi parcels import --help`` (what every CLI run pays
    before reading a file: the interpreter, the app's imports, create_app)."""
    command = [str(VENV_BIN / "flask"), "--app", "wsgi", "parcels", "import", "--help"]
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, cwd=ROOT, env=cli_env(database), capture_output=True, check=True)
        times.append(time.perf_counter() - started)
    return median(times)


def run_in_process(app: Flask, dataset: Dataset, unit_id: int, code: str) -> dict[str, float]:
    """The same import inside this process, timed per stage (no process start-up)."""
    from clearance.audit import acting_as
    from clearance.extensions import db
    from clearance.models import Project
    from clearance.services.parcel_import import ImportOptions, apply_import, preview_import, read_sources

    stages: dict[str, float] = {}
    with app.app_context():
        project = db.session.get(Project, create_project(code, unit_id))
        started = time.perf_counter()
        layers = read_sources(dataset.files)
        stages["read"] = time.perf_counter() - started
        mark = time.perf_counter()
        preview = preview_import(project, layers, ImportOptions(crs=5897))
        stages["check (preview)"] = time.perf_counter() - mark
        mark = time.perf_counter()
        with acting_as(None, "benchmark"):
            apply_import(project, preview)
        stages["write"] = time.perf_counter() - mark
        mark = time.perf_counter()
        db.session.commit()
        stages["commit"] = time.perf_counter() - mark
        stages["total"] = time.perf_counter() - started
        delete_project_rows(project.id)
        db.session.remove()
        db.engine.dispose()
    return stages


# --- ogr2ogr ----------------------------------------------------------------------------------


def drop_ogr_table(database: Database) -> None:
    if database.is_postgis:
        engine = sa.create_engine(database.url)
        with engine.begin() as conn:
            conn.exec_driver_sql(f"DROP TABLE IF EXISTS {OGR_TABLE}")
        engine.dispose()
    else:  # GDAL removes its table, geometry_columns row and R*Tree itself
        subprocess.run([OGRINFO, "-q", database.ogr_name(), "-sql", f"DELLAYER:{OGR_TABLE}"],
                       check=False, capture_output=True)


def ogr2ogr_command(database: Database, source: Path) -> list[str]:
    common = [str(source), "-nln", OGR_TABLE, "-append", "-s_srs", SOURCE_CRS, "-t_srs", "EPSG:4326",
              "-nlt", "MULTIPOLYGON", "-lco", "GEOMETRY_NAME=geom"]
    if database.is_postgis:
        return [OGR2OGR, "-f", "PostgreSQL", database.ogr_name(), *common]
    return [OGR2OGR, "-f", "SQLite", "-update", database.ogr_name(), *common, "-lco", "SPATIAL_INDEX=YES"]


def run_ogr2ogr(database: Database, dataset: Dataset) -> tuple[float, int]:
    """One ogr2ogr per file into a freshly dropped table; (seconds, rows in the table)."""
    drop_ogr_table(database)
    started = time.perf_counter()
    for source in dataset.files:
        done = subprocess.run(ogr2ogr_command(database, source), capture_output=True, text=True)
        if done.returncode != 0:
            sys.exit(f"ogr2ogr failed on {source.name}:\n{done.stderr[-3000:]}")
    elapsed = time.perf_counter() - started
    engine = sa.create_engine(database.url)
    with engine.connect() as conn:
        count = conn.execute(sa.text(f"SELECT count(*) FROM {OGR_TABLE}")).scalar_one()
    engine.dispose()
    return elapsed, int(count)


# --- the run ----------------------------------------------------------------------------------


def bench_database(database: Database, datasets: Sequence[Dataset], repeat: int, stages: bool) -> dict[str, Timings]:
    print(f"\n{database.name}: migrating…", flush=True)
    app = migrated_app(database)
    with app.app_context():
        units = {d.unit_code: ensure_commune(d.unit_code, d.unit_name, d.unit_box) for d in datasets}
    results: dict[str, Timings] = {}
    for dataset in datasets:
        timings = results.setdefault(dataset.name, Timings())
        for rep in range(1, repeat + 1):
            # Alternate who goes first, so neither always meets a warm (or cold) cache.
            order = ("ours", "ogr") if rep % 2 else ("ogr", "ours")
            for side in order:
                if side == "ours":
                    seconds, timings.ours_count, timings.problems = run_ours(
                        app, database, dataset, units[dataset.unit_code], f"{dataset.prefix}-{rep}")
                    timings.ours.append(seconds)
                else:
                    seconds, timings.ogr_count = run_ogr2ogr(database, dataset)
                    timings.ogr.append(seconds)
                print(f"  {dataset.name}, run {rep}: {side:4} {seconds:6.2f} s", flush=True)
        if stages:
            timings.stages = run_in_process(app, dataset, units[dataset.unit_code], f"{dataset.prefix}-STAGES")
            timings.startup = cli_startup(database)
    drop_ogr_table(database)
    return results


def report(all_results: dict[str, dict[str, Timings]], repeat: int) -> None:
    print(f"\nImport time, median of {repeat} (wall clock, seconds); target ours/ogr2ogr ≤ {TARGET}×")
    rows = []
    for db_name, results in all_results.items():
        for dataset, t in results.items():
            ours, ogr = median(t.ours), median(t.ogr)
            ratio = ours / ogr
            rows.append([db_name, dataset, f"{ours:.2f}", f"{ogr:.2f}", f"{ratio:.2f}×",
                         "yes" if ratio <= TARGET else "NO", f"{t.ours_count:,}", f"{t.ogr_count:,}"])
    print_table(["database", "dataset", "ours s", "ogr2ogr s", "ratio", "≤1.5×", "parcels (ours)", "rows (ogr2ogr)"], rows)

    staged = [(db_name, dataset, t) for db_name, results in all_results.items() for dataset, t in results.items() if t.stages]
    if staged:
        print("\nOur import in process (one run, no process start-up), seconds; and the CLI's start-up alone")
        names = list(staged[0][2].stages)
        print_table(["database", "dataset", *names, "CLI start-up (--help)"],
                    [[db_name, dataset, *(f"{t.stages[n]:.2f}" for n in names), f"{t.startup:.2f}"]
                     for db_name, dataset, t in staged])
    print("\nWhat our import reported (the same every run):")
    for db_name, results in all_results.items():
        for dataset, t in results.items():
            print(f"  {db_name}, {dataset}: {t.problems}")
    print("\nOurs validates, repairs (make_valid), measures geodesic areas, checks duplicates and overlaps,"
          "\nlocates each parcel's commune, matches existing parcels and writes one audit entry per parcel;"
          "\nogr2ogr only reprojects and copies.")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="1 repetition, 20,000 synthetic parcels")
    parser.add_argument("--repeat", type=int, help="repetitions per side (default 3, 1 with --quick)")
    parser.add_argument("--parcels", type=int, help="synthetic parcels (default 100,000, 20,000 with --quick)")
    parser.add_argument("--db", choices=("both", "spatialite", "postgis"), default="both")
    parser.add_argument("--dataset", choices=("all", "danphuong", "synthetic"), default="all")
    parser.add_argument("--no-stages", action="store_true", help="skip the in-process stage breakdown")
    args = parser.parse_args(argv)
    repeat = args.repeat or (1 if args.quick else 3)
    count = args.parcels or (20_000 if args.quick else 100_000)
    if not Path(OGR2OGR).exists():
        sys.exit("ogr2ogr not found: apt-get install gdal-bin")
    version = subprocess.run([OGR2OGR, "--version"], capture_output=True, text=True).stdout.strip()
    print(f"ogr2ogr: {version}; repetitions: {repeat}; synthetic parcels: {count:,}")
    datasets = load_datasets(count, args.dataset)
    all_results: dict[str, dict[str, Timings]] = {}
    with databases(args.db) as found:
        for database in found:
            all_results[database.name] = bench_database(database, datasets, repeat, not args.no_stages)
    report(all_results, repeat)


if __name__ == "__main__":
    main()
