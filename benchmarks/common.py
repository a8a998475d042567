"""What the benchmarks share: the two databases (a SpatiaLite file, a throwaway PostGIS cluster),
an app built on each with its schema migrated, a commune and a project to import into, medians
and plain-text tables.

Not a benchmark itself; the scripts next to it import it (``python benchmarks/NAME.py`` puts this
directory on ``sys.path``).
"""

from __future__ import annotations

import contextlib
import logging
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
from flask import Flask  # noqa: E402

from tests.postgis import reset_postgis  # noqa: E402

#: The virtual environment's interpreter and flask command (the CLI benchmarks run them).
VENV_BIN = ROOT / ".venv" / "bin"
#: Generated inputs (synthetic files) are kept here between runs.
CACHE_DIR = Path(os.environ.get("BENCH_CACHE", "/tmp/clearance-bench"))
#: Đan Phượng: 27 real cadastral sheets, numbers in EPSG:5897 though the files declare 3405.
DANPHUONG_DIR = ROOT.parent / "shared" / "data" / "danphuong-cadastre"
#: Where the Đan Phượng sheets lie (WGS84, from the data README), with a margin.
DANPHUONG_BOX = (105.640, 21.080, 105.695, 21.113)

PROVINCE_CODE = "01"


# --- databases ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Database:
    """One benchmark target: a name for the tables and its SQLAlchemy URL."""

    name: str
    url: str

    @property
    def is_postgis(self) -> bool:
        return self.url.startswith("postgresql")

    def ogr_name(self) -> str:
        """The data-source name GDAL (ogr2ogr) opens for the same database."""
        if not self.is_postgis:
            return sa.engine.make_url(self.url).database or ""
        url = sa.engine.make_url(self.url)
        parts = {
            "host": url.query.get("host") or url.host or "",
            "port": url.query.get("port") or (str(url.port) if url.port else ""),
            "dbname": url.database or "",
            "user": url.username or "",
            "password": url.password or "",
        }
        return "PG:" + " ".join(f"{key}={value}" for key, value in parts.items() if value)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def postgis_url() -> Iterator[str]:
    """$BENCH_POSTGIS_URL when set (a database the benchmark may wipe), else a throwaway cluster
    started with scripts/postgis.sh and stopped (and removed) afterwards."""
    given = os.environ.get("BENCH_POSTGIS_URL")
    if given:
        yield given
        return
    directory = tempfile.mkdtemp(prefix="clearance-bench-pg.")
    script = str(ROOT / "scripts" / "postgis.sh")
    try:
        out = subprocess.run(["bash", script, "start", directory, str(free_port())], check=True,
                             capture_output=True, text=True)
        yield out.stdout.strip().splitlines()[-1]
    finally:
        subprocess.run(["bash", script, "stop", directory], check=False, capture_output=True)
        shutil.rmtree(directory, ignore_errors=True)


@contextlib.contextmanager
def databases(which: str = "both") -> Iterator[list[Database]]:
    """SpatiaLite (a file in a temporary directory) and PostGIS, as asked (``both``,
    ``spatialite`` or ``postgis``); everything is removed on exit."""
    with contextlib.ExitStack() as stack:
        found = []
        if which in ("both", "spatialite"):
            directory = stack.enter_context(tempfile.TemporaryDirectory(prefix="clearance-bench."))
            found.append(Database("SpatiaLite", f"sqlite:///{directory}/bench.sqlite"))
        if which in ("both", "postgis"):
            found.append(Database("PostGIS", stack.enter_context(postgis_url())))
        yield found


def make_app(url: str, **overrides: Any) -> Flask:
    """The development configuration on ``url`` (CSRF off unless overridden, so a test client can
    sign in by posting the form)."""
    import config
    from clearance import create_app

    settings = {k: getattr(config.DevelopmentConfig, k) for k in dir(config.DevelopmentConfig) if k.isupper()}
    settings.update({"SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False, **overrides})
    return create_app(settings)


def migrated_app(database: Database, **overrides: Any) -> Flask:
    """An app on an empty database whose schema the Alembic migrations built."""
    if database.is_postgis:
        reset_postgis(database.url)
    app = make_app(database.url, **overrides)
    with app.app_context():
        from flask_migrate import upgrade

        logging.disable(logging.INFO)  # Alembic's "Running upgrade …" lines
        try:
            upgrade()
        finally:
            logging.disable(logging.NOTSET)
    return app


def cli_env(database: Database) -> dict[str, str]:
    """Environment for ``flask --app wsgi …`` on ``database``."""
    env = dict(os.environ, DATABASE_URL=database.url, CLEARANCE_ENV="development")
    env.setdefault("SPATIALITE_LIBRARY_PATH", "mod_spatialite")
    return env


# --- records ----------------------------------------------------------------------------------


def box_polygon(box: tuple[float, float, float, float]) -> Any:
    import shapely

    return shapely.MultiPolygon([shapely.box(*box)])


def ensure_commune(code: str, name: str, boundary_box: tuple[float, float, float, float] | None = None) -> int:
    """Hà Nội (province "01", no parent) and a commune under it (a commune must have a parent),
    with a rectangular boundary when given. Returns the commune's id. Inside an app context;
    commits."""
    from geoalchemy2.shape import from_shape

    from clearance.audit import acting_as
    from clearance.extensions import db
    from clearance.models import AdminUnit
    from clearance.workflow.statuses import UnitLevel

    with acting_as(None, "benchmark"):
        province = db.session.scalar(sa.select(AdminUnit).where(AdminUnit.code == PROVINCE_CODE))
        if province is None:
            province = AdminUnit(code=PROVINCE_CODE, name="Thành phố Hà Nội", level=UnitLevel.PROVINCE)
            db.session.add(province)
        commune = db.session.scalar(sa.select(AdminUnit).where(AdminUnit.code == code))
        if commune is None:
            boundary = from_shape(box_polygon(boundary_box), srid=4326) if boundary_box else None
            commune = AdminUnit(code=code, name=name, level=UnitLevel.COMMUNE, parent=province, boundary=boundary)
            db.session.add(commune)
        db.session.commit()
        return commune.id


def create_project(code: str, unit_id: int, name: str = "",
                   boundary_box: tuple[float, float, float, float] | None = None) -> int:
    """A project of one commune, with a rectangular recovery boundary when given (else none).
    Inside an app context; commits."""
    from geoalchemy2.shape import from_shape

    from clearance.audit import acting_as
    from clearance.extensions import db
    from clearance.models import AdminUnit, Project

    with acting_as(None, "benchmark"):
        project = Project(code=code, name=name or f"Benchmark {code}", investor="Benchmark",
                          units=[db.session.get(AdminUnit, unit_id)],
                          boundary=from_shape(box_polygon(boundary_box), srid=4326) if boundary_box else None)
        db.session.add(project)
        db.session.commit()
        return project.id


def delete_project_rows(project_id: int) -> None:
    """Remove what an import wrote into a project (parcels, their audit entries, the import
    record), outside any timing, so every repetition starts from the same table sizes."""
    from clearance.extensions import db

    # On the session's own connection: a second connection would wait forever on SQLite for the
    # read lock the session holds.
    for table in ("audit_entry", "parcel", "parcel_import"):
        extra = " AND entity = 'parcel'" if table == "audit_entry" else ""
        db.session.execute(sa.text(f"DELETE FROM {table} WHERE project_id = :p{extra}"), {"p": project_id})
    db.session.commit()


def create_user(username: str, password: str, unit_id: int, role: str = "lead") -> int:
    """A user in the clearance team of ``unit_id`` (created if missing). Inside an app context;
    commits. Returns the user's id."""
    from clearance.audit import acting_as
    from clearance.extensions import db
    from clearance.models import AdminUnit, Team, User
    from clearance.workflow.statuses import Role

    with acting_as(None, "benchmark"):
        unit = db.session.get(AdminUnit, unit_id)
        team = db.session.scalar(sa.select(Team).where(Team.unit_id == unit_id)) or Team(name=f"Tổ GPMB {unit.name}", unit=unit)
        user = User(username=username, role=Role(role), team=team, full_name="Benchmark")
        user.set_password(password)
        db.session.add(user)
        db.session.commit()
        return user.id


def api_token(user_id: int) -> str:
    """A new API token of the user (the plain text). Inside an app context; commits."""
    from clearance.extensions import db
    from clearance.models import ApiToken, User

    row, plain = ApiToken.issue(db.session.get(User, user_id))
    db.session.add(row)
    db.session.commit()
    return plain


def import_parcels(project_id: int, files: Sequence[Path], crs: int | None = None) -> int:
    """Import files into the project with the app's own import service (in process). Inside an
    app context; commits. Returns the number of parcels written."""
    from clearance.audit import acting_as
    from clearance.extensions import db
    from clearance.models import Project
    from clearance.services.parcel_import import ImportOptions, apply_import, preview_import, read_sources

    project = db.session.get(Project, project_id)
    preview = preview_import(project, read_sources(list(files)), ImportOptions(crs=crs))
    with acting_as(None, "benchmark"):
        record = apply_import(project, preview)
    db.session.commit()
    return record.created_count + record.updated_count


def add_cases(project_id: int, unit_id: int, share: float = 0.3, seed: int = 7) -> dict[str, int]:
    """Cases for ``share`` of the project's parcels, statuses spread over the whole procedure:
    most cases hold one parcel, a fifth hold two, and one held parcel in twenty has a second
    (co-user) case, so a parcel's map status is the least advanced of several. Bulk inserts
    (no audit entries). Inside an app context; commits. Returns cases per status."""
    from clearance.extensions import db
    from clearance.models import Case, CaseParcel, Parcel, Party
    from clearance.workflow.statuses import CaseStatus, PartyKind, Tenure

    rng = random.Random(seed)
    parcel_ids = list(db.session.scalars(sa.select(Parcel.id).where(Parcel.project_id == project_id).order_by(Parcel.id)))
    chosen = rng.sample(parcel_ids, int(len(parcel_ids) * share))
    first_party = (db.session.scalar(sa.select(sa.func.max(Party.id))) or 0) + 1
    first_case = (db.session.scalar(sa.select(sa.func.max(Case.id))) or 0) + 1
    statuses = list(CaseStatus)
    parties, cases, holdings = [], [], []
    counts: dict[str, int] = {}
    position = 0
    while position < len(chosen):
        size = 2 if rng.random() < 0.2 else 1
        number = len(cases)
        party_id, case_id = first_party + number, first_case + number
        status = rng.choice(statuses)
        counts[status.value] = counts.get(status.value, 0) + 1
        parties.append({"id": party_id, "kind": PartyKind.HOUSEHOLD, "name": person_name(rng), "unit_id": unit_id,
                        "members": rng.randint(1, 7)})
        cases.append({"id": case_id, "project_id": project_id, "party_id": party_id, "code": f"HS-{number + 1:05d}",
                      "status": status})
        for parcel_id in chosen[position : position + size]:
            holdings.append({"case_id": case_id, "parcel_id": parcel_id, "tenure": Tenure.LAND_USER, "share": 100})
        position += size
    held = {(h["case_id"], h["parcel_id"]) for h in holdings}
    for parcel_id in rng.sample(chosen, len(chosen) // 20):
        case_id = first_case + rng.randrange(len(cases))
        if (case_id, parcel_id) not in held:
            held.add((case_id, parcel_id))
            holdings.append({"case_id": case_id, "parcel_id": parcel_id, "tenure": Tenure.CO_USER, "share": 50})
    for model, rows in ((Party, parties), (Case, cases), (CaseParcel, holdings)):
        for start in range(0, len(rows), 2000):
            db.session.execute(sa.insert(model.__table__), rows[start : start + 2000])
    if db.engine.dialect.name == "postgresql":  # explicit ids: move the sequences past them
        for table in ("party", "clearance_case"):
            db.session.execute(sa.text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"))
    db.session.commit()
    return counts


# --- invented people ---------------------------------------------------------------------------

FAMILY_NAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Phan", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý")
MIDDLE_NAMES = ("Văn", "Thị", "Đức", "Minh", "Thu", "Hữu", "Quang", "Ngọc", "Thanh", "Xuân", "Hồng", "Kim")
GIVEN_NAMES = ("An", "Bình", "Cường", "Dũng", "Hà", "Hải", "Hạnh", "Hùng", "Hương", "Lan", "Linh", "Long", "Mai",
               "Nam", "Ngọc", "Phương", "Quân", "Sơn", "Thảo", "Trang", "Tuấn", "Việt", "Yến", "Khoa", "Tâm")


def person_name(rng: random.Random) -> str:
    return f"{rng.choice(FAMILY_NAMES)} {rng.choice(MIDDLE_NAMES)} {rng.choice(GIVEN_NAMES)}"


# --- measuring and printing ----------------------------------------------------------------------


def timed(action: Callable[[], Any]) -> tuple[float, Any]:
    """(seconds, result) of one call."""
    started = time.perf_counter()
    result = action()
    return time.perf_counter() - started, result


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def print_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """A plain-text table: text left-aligned, numbers right-aligned."""
    cells = [[str(h) for h in headers]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    numeric = [all(_looks_numeric(row[i]) for row in cells[1:]) for i in range(len(headers))]

    def line(row: Sequence[str]) -> str:
        return "  ".join(c.rjust(w) if n else c.ljust(w) for c, w, n in zip(row, widths, numeric, strict=True)).rstrip()

    print(line(cells[0]))
    print("  ".join("-" * w for w in widths))
    for row in cells[1:]:
        print(line(row))


def _looks_numeric(text: str) -> bool:
    return bool(text) and text.replace(",", "").replace(".", "").replace("×", "").replace("-", "").replace(" ", "").isdigit()


def kib(size: int) -> str:
    return f"{size / 1024:,.0f} KiB" if size < 10 * 1024 * 1024 else f"{size / 1024 / 1024:,.1f} MiB"
