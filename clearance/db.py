"""The only dialect-aware module: declarative base, SpatiaLite/PostGIS set-up, portable helpers."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

#: Projected CRSs the product works in, added to a new SpatiaLite file (its WGS84-only
#: initialisation is 40× faster than loading the whole EPSG table).
EXTRA_SRIDS = (5897, 5896, 5898, 5899, 3405, 3406, 4756, 32648, 32649)

SPATIALITE_HELP = (
    "SpatiaLite could not be loaded. On Debian/Ubuntu install it with: "
    "apt-get install libsqlite3-mod-spatialite"
)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class ExtensionLoadingUnavailable(RuntimeError):
    """The Python interpreter's sqlite3 module was built without extension loading."""


def check_sqlite_extension_support(connection_class: type = sqlite3.Connection) -> None:
    """Raise ExtensionLoadingUnavailable with the fix when this Python cannot load SpatiaLite."""
    if not hasattr(connection_class, "enable_load_extension"):
        import sys

        raise ExtensionLoadingUnavailable(
            f"The Python at {sys.executable} cannot load SQLite extensions, so SpatiaLite cannot "
            "be used (its sqlite3 module lacks enable_load_extension). Create the virtual "
            "environment from Debian's interpreter instead: '/usr/bin/python3 -m venv .venv' "
            "(make run does this), or set DATABASE_URL to a PostgreSQL + PostGIS server."
        )


def is_sqlite(engine_or_url: Any) -> bool:
    url = getattr(engine_or_url, "url", engine_or_url)
    return str(url).startswith("sqlite")


def _on_sqlite_connect(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
    # pysqlite's own transaction handling breaks SAVEPOINT; let SQLAlchemy emit BEGIN itself.
    dbapi_conn.isolation_level = None
    try:
        dbapi_conn.enable_load_extension(True)
        dbapi_conn.load_extension(os.environ.get("SPATIALITE_LIBRARY_PATH", "mod_spatialite"))
        dbapi_conn.enable_load_extension(False)
    except sqlite3.OperationalError as exc:
        raise RuntimeError(f"{SPATIALITE_HELP} ({exc})") from exc
    dbapi_conn.execute("PRAGMA foreign_keys=ON")
    if dbapi_conn.execute("SELECT CheckSpatialMetaData()").fetchone()[0] < 1:
        dbapi_conn.execute("SELECT InitSpatialMetaData(1, 'WGS84')")
        for srid in EXTRA_SRIDS:
            dbapi_conn.execute(
                "SELECT InsertEpsgSrid(?) WHERE NOT EXISTS (SELECT 1 FROM spatial_ref_sys WHERE srid = ?)",
                (srid, srid),
            )


def _on_sqlite_begin(conn: Any) -> None:
    conn.exec_driver_sql("BEGIN")


def configure_engine(engine: Engine) -> None:
    """Attach the per-dialect hooks. SpatiaLite: load it, foreign keys on, sane transactions."""
    if is_sqlite(engine):
        check_sqlite_extension_support()
        os.environ.setdefault("SPATIALITE_LIBRARY_PATH", "mod_spatialite")
        event.listen(engine, "connect", _on_sqlite_connect)
        event.listen(engine, "begin", _on_sqlite_begin)
        engine.dispose()  # connections opened before the hook must not be reused


#: Tables SpatiaLite 5 and PostGIS create for themselves: never ours to migrate.
SPATIAL_SYSTEM_TABLES = frozenset({
    "ElementaryGeometries", "KNN", "KNN2", "SpatialIndex", "data_licenses", "sql_statements_log",
    "spatial_ref_sys", "spatial_ref_sys_aux", "spatialite_history", "geometry_columns",
    "geometry_columns_auth", "geometry_columns_field_infos", "geometry_columns_statistics",
    "geometry_columns_time", "views_geometry_columns", "views_geometry_columns_auth",
    "views_geometry_columns_field_infos", "views_geometry_columns_statistics",
    "virts_geometry_columns", "virts_geometry_columns_auth", "virts_geometry_columns_field_infos",
    "virts_geometry_columns_statistics", "topologies", "networks", "raster_coverages",
    "vector_coverages", "stored_procedures", "stored_variables", "iso_metadata",
})
SPATIAL_SYSTEM_PREFIXES = ("idx_", "SE_", "ISO_", "wms_", "rl2", "vector_coverages", "raster_coverages")


def include_object(obj: Any, name: str | None, obj_type: str, reflected: bool, compare_to: Any) -> bool:
    """Alembic filter: our tables only, not the spatial extensions' own (see STACK-NOTES)."""
    from geoalchemy2 import alembic_helpers

    if obj_type == "table" and name and (name in SPATIAL_SYSTEM_TABLES or name.startswith(SPATIAL_SYSTEM_PREFIXES)):
        return False
    return bool(alembic_helpers.include_object(obj, name, obj_type, reflected, compare_to))


class JSONText(str):
    """A JSON column's value already serialised (e.g. the canonical text a hash was taken of):
    ``bulk_insert`` stores it as it is instead of serialising the value again."""


def bulk_insert(connection: Any, table: Any, rows: list[dict[str, Any]], geometry_srid: int = 4326) -> None:
    """Insert many rows at the speed of the database's own bulk path, inside the connection's
    transaction: COPY on PostgreSQL, the driver's executemany on SQLite.

    ``rows`` hold Python values as the ORM would take them; shapely geometries go to geometry
    columns as WKB. Each column's SQLAlchemy type still converts its values (JSON, UTC
    timestamps, enumerations), so the stored values are the ones an ORM insert would store.
    Rows must all have the same keys. Nothing is returned: read ids back by a column you set.
    """
    import shapely
    from geoalchemy2 import Geometry

    if not rows:
        return
    dialect = connection.dialect
    names = list(rows[0])
    geometry = [name for name in names if isinstance(table.c[name].type, Geometry)]
    processors = {
        name: processor
        for name in names
        if name not in geometry and (processor := table.c[name].type._cached_bind_processor(dialect)) is not None
    }
    wkb = {}
    for name in geometry:
        shapes = shapely.set_srid([row[name] for row in rows], geometry_srid)
        # PostGIS reads hex EWKB as COPY text; SpatiaLite takes plain WKB bytes.
        if dialect.name == "postgresql":
            wkb[name] = shapely.to_wkb(shapes, hex=True, include_srid=True)
        else:
            wkb[name] = shapely.to_wkb(shapes)

    def values(index: int, row: dict[str, Any]) -> list[Any]:
        out = []
        for name in names:
            if name in wkb:
                out.append(wkb[name][index])
            elif isinstance(row[name], JSONText):
                out.append(str(row[name]))
            elif name in processors:
                out.append(processors[name](row[name]))
            else:
                out.append(row[name])
        return out

    raw = connection.connection.driver_connection
    columns = ", ".join(names)
    try:
        if dialect.name == "postgresql":
            with raw.cursor() as cursor, cursor.copy(f"COPY {table.name} ({columns}) FROM STDIN") as copy:
                for index, row in enumerate(rows):
                    copy.write_row(values(index, row))
        else:
            marks = ", ".join(f"GeomFromWKB(?, {geometry_srid})" if name in wkb else "?" for name in names)
            cursor = raw.cursor()
            try:
                with _spatial_index_filled_afterwards(cursor, table.name, list(wkb), len(rows)):
                    cursor.executemany(
                        f"INSERT INTO {table.name} ({columns}) VALUES ({marks})",
                        (values(index, row) for index, row in enumerate(rows)),
                    )
            finally:
                cursor.close()
    except dialect.dbapi.IntegrityError as error:
        # The driver's own error, wrapped as SQLAlchemy's: a race with another writer (two
        # recalculations of one project) answers 409 like any other, not 500.
        raise sa.exc.IntegrityError(f"bulk insert into {table.name}", None, error) from error


#: From this many rows on, SpatiaLite's R*Tree is filled in one statement after the insert.
BULK_INDEX_ROWS = 2000


@contextmanager
def _spatial_index_filled_afterwards(cursor: Any, table: str, columns: list[str], count: int) -> Iterator[None]:
    """SpatiaLite keeps its R*Tree by a trigger per row, which costs more than the insert itself.
    For a large insert the trigger is set aside and the new rows are indexed in one statement
    with the same RTreeAlign call, then the trigger is put back — all inside the caller's
    transaction, so a failure restores everything."""
    if count < BULK_INDEX_ROWS or not columns:
        yield
        return
    triggers = []
    for column in columns:
        name = f"gii_{table}_{column}"
        row = cursor.execute("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?", (name,)).fetchone()
        if row is not None:
            triggers.append((column, name, row[0]))
    if not triggers:
        yield
        return
    last = cursor.execute(f"SELECT coalesce(max(rowid), 0) FROM {table}").fetchone()[0]
    for _column, name, _sql in triggers:
        cursor.execute(f'DROP TRIGGER "{name}"')
    yield
    for column, _name, sql in triggers:
        # count() steps through every row; a bare SELECT would align only the first.
        cursor.execute(
            f"SELECT count(RTreeAlign('idx_{table}_{column}', rowid, \"{column}\")) FROM {table}"
            f" WHERE rowid > ? AND \"{column}\" IS NOT NULL",
            (last,),
        ).fetchone()
        cursor.execute(sql)
